// CFFI's testing/cffi0/test_verify.py ported: ffi.verify() (API mode, C source compiled at run time), one test per CFFI test, in CFFI's order.
//
// Not ported:
// test_module_type: checks which Python extension-module engine verify() used (_cffi_python_module / _cffi_generic_module)
// test_primitive_category: tests cffi.model.PrimitiveType's internal is_*_type() classification, which has no public counterpart
// test_all_complex_types: py.test.skip in CFFI (complex types not implemented in verify())
// test_char16_char32_type: py.test.skip in CFFI
// test_verify_typedefs: py.test.skip in CFFI ("ignored so far")
// test_ctypes_backend_forces_generic_engine: Python's ctypes backend
// test_FILE_stored_in_stdout: passes a Python file object as a FILE *
// test_FILE_stored_explicitly: casts a Python file object to FILE *
// test_getlasterror_working_even_with_pypys_jit: Windows-only (SetLastError)
// test_implicit_unicode_on_windows: Windows-only (LPTSTR, set_unicode)
// test_use_local_dir: checks that the module lands in Python's __pycache__ next to the test file
// test_ffi_gc_size_arg_2: py.test.skip on CPython (its cyclic GC)
// test_ffi_new_with_cycles: py.test.skip on CPython (its cyclic GC)
//
// Translation notes (backend_tests.test.ts's mapping, plus what JavaScript forces):
// - CFFI's module-level FFI subclass adds testing/support.py's warning flags to every verify(); so does `FFI` below.
// - Python's bool is an int (True == 1): where CFFI compares a _Bool result with an integer, `pyint` turns a
//   boolean into 0/1 first.
// - JavaScript's 0.0 is the integer 0: where CFFI passes the float 0.0 to check that floats are refused, a float
//   that is not an integer (0.5) stands for it.
// - Where CFFI passes None to check that None is not NULL, `undefined` stands for it (null is NULL here).
// - A variadic argument written `ffi.cast("int", 5)` in CFFI is node-cffi's `['int', 5]` pair (ffi.cast to a
//   number type gives a plain number, which carries no C type).
// - wchar_t is read like char (its code, a number) and accepts a one-character string.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI as BaseFFI, CData, CDefError, FFIError, Lib, StructType, VerificationError, VerifyOptions } from '../../lib';
import { native } from '../../lib/backend/native';
import { LIB, ending, runChild } from '../helpers/child';

// testing/support.py's flags for gcc ("-Werror" so that warnings in the generated glue fail verify()).
const extra_compile_args = ['-Werror', '-Wall', '-Wextra', '-Wconversion', '-Wno-unused-parameter', '-Wno-unreachable-code'];

/** verify() options CFFI has and node-cffi does not (yet), under the names it will have. */
type MoreVerifyOptions = VerifyOptions & { flags?: number; relativeTo?: string };

/** CFFI's test module subclass: every verify() gets the warning flags. A missing source is passed on as missing (CFFI's defaults to ''). */
class FFI extends BaseFFI {
  override verify<L extends object = Lib>(source?: string, options: MoreVerifyOptions = {}): L {
    const opts = { ...options, extraCompileArgs: [...extra_compile_args] };
    checkNoDollar(this, source, opts);
    return super.verify<L>(source as string, opts);
  }
}

// CFFI's setup_module checks every C file verify() writes: no '$' outside comments and strings (anonymous
// enums once produced '$enum_$1' in function names; GCC accepts such names, but they are not standard C).
// The same translation unit comes from setSource() + emitCCode().
const r_comment = /\/\*[\s\S]*?\*\/|\/\/.*$/gm;
const r_string = /".*?"/g;
let cFileDir: string | undefined;
/** Directories the tests make, removed at the end. */
const made: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cffi-test-verify-'));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function checkNoDollar(ffi: BaseFFI, source: string | undefined, options: VerifyOptions): void {
  if (typeof source !== 'string') return; // verify() itself says what is wrong
  cFileDir ??= tempDir();
  const file = path.join(cFileDir, 'verify.c');
  try {
    ffi.setSource('_cffi_test_verify', source, options);
    ffi.emitCCode(file);
  } catch {
    return; // verify() itself says what is wrong
  }
  const data = fs.readFileSync(file, 'utf8').replace(r_comment, ' ').replace(r_string, '"skipped"');
  const dollars = data.split('\n').filter((line) => line.includes('$'));
  expect(dollars).toEqual([]);
}

/** CFFI APIs node-cffi lacks, under the camelCased names it will have. */
interface Missing {
  include(other: BaseFFI): void;
  readonly RTLD_GLOBAL: number;
  readonly RTLD_LAZY: number;
}
const more = (ffi: BaseFFI): BaseFFI & Missing => ffi as BaseFFI & Missing;

const lib_m = ['m'];

/** What `fn` threw (undefined when it returned). */
function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** py.test.raises: `fn` throws an instance of `cls` whose message matches every fragment; returns the error. */
function raises(cls: abstract new (...args: never[]) => Error, fn: () => unknown, ...fragments: (string | RegExp)[]): Error {
  const e = caught(fn);
  if (!(e instanceof cls)) expect(e === undefined ? 'no error' : String(e)).toBe(`a ${cls.name}`);
  for (const f of fragments) expect((e as Error).message).toMatch(f);
  return e as Error;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** A Python int as node-cffi gives it back: a number when it is a safe integer, else a bigint. */
const N = (v: bigint | number): number | bigint => {
  const b = BigInt(v);
  return b >= -MAX_SAFE && b <= MAX_SAFE ? Number(b) : b;
};
/** Python's bool is an int: True == 1. */
const pyint = (v: unknown): unknown => (typeof v === 'boolean' ? Number(v) : v);
/** The address a pointer holds, for CFFI's `p == q`. */
const addr = (ffi: BaseFFI, p: unknown): unknown => ffi.cast('uintptr_t', p);

// model.PrimitiveType.ALL_PRIMITIVE_TYPES, in CFFI's order ('c' char, 'i' integer, 'f' float, 'j' complex).
const all_primitive_types: readonly (readonly [string, string])[] = [
  ['char', 'c'], ['short', 'i'], ['int', 'i'], ['long', 'i'], ['long long', 'i'], ['signed char', 'i'],
  ['unsigned char', 'i'], ['unsigned short', 'i'], ['unsigned int', 'i'], ['unsigned long', 'i'],
  ['unsigned long long', 'i'], ['float', 'f'], ['double', 'f'], ['long double', 'f'],
  ['_cffi_float_complex_t', 'j'], ['_cffi_double_complex_t', 'j'], ['_Bool', 'i'],
  ['wchar_t', 'c'], ['char16_t', 'c'], ['char32_t', 'c'],
  ['int8_t', 'i'], ['uint8_t', 'i'], ['int16_t', 'i'], ['uint16_t', 'i'], ['int32_t', 'i'], ['uint32_t', 'i'],
  ['int64_t', 'i'], ['uint64_t', 'i'], ['int_least8_t', 'i'], ['uint_least8_t', 'i'], ['int_least16_t', 'i'],
  ['uint_least16_t', 'i'], ['int_least32_t', 'i'], ['uint_least32_t', 'i'], ['int_least64_t', 'i'],
  ['uint_least64_t', 'i'], ['int_fast8_t', 'i'], ['uint_fast8_t', 'i'], ['int_fast16_t', 'i'],
  ['uint_fast16_t', 'i'], ['int_fast32_t', 'i'], ['uint_fast32_t', 'i'], ['int_fast64_t', 'i'],
  ['uint_fast64_t', 'i'], ['intptr_t', 'i'], ['uintptr_t', 'i'], ['intmax_t', 'i'], ['uintmax_t', 'i'],
  ['ptrdiff_t', 'i'], ['size_t', 'i'], ['ssize_t', 'i'],
];
const kindOf = new Map(all_primitive_types);
const all_float_types = all_primitive_types.filter(([, k]) => k === 'f').map(([t]) => t).sort();
// all_signed_integer_types(ffi) / all_unsigned_integer_types(ffi): the integer types by the sign of
// ffi.cast(x, -1), as CFFI computes them on x86-64 Linux (written out, not asked of the code under test).
const all_signed_integer_types = [
  'int', 'int16_t', 'int32_t', 'int64_t', 'int8_t', 'int_fast16_t', 'int_fast32_t', 'int_fast64_t', 'int_fast8_t',
  'int_least16_t', 'int_least32_t', 'int_least64_t', 'int_least8_t', 'intmax_t', 'intptr_t', 'long', 'long long',
  'ptrdiff_t', 'short', 'signed char', 'ssize_t',
];
const all_unsigned_integer_types = [
  '_Bool', 'size_t', 'uint16_t', 'uint32_t', 'uint64_t', 'uint8_t', 'uint_fast16_t', 'uint_fast32_t', 'uint_fast64_t',
  'uint_fast8_t', 'uint_least16_t', 'uint_least32_t', 'uint_least64_t', 'uint_least8_t', 'uintmax_t', 'uintptr_t',
  'unsigned char', 'unsigned int', 'unsigned long', 'unsigned long long', 'unsigned short',
];

/** The prelude of a child-process snippet: the library and the same FFI subclass. */
const CHILD_PRELUDE = `
const lib_ = require(LIB);
const extra_compile_args = ${JSON.stringify(extra_compile_args)};
class FFI extends lib_.FFI {
  verify(source, options = {}) { return super.verify(source, { ...options, extraCompileArgs: [...extra_compile_args] }); }
}
`;

/** Runs a snippet in a child process; it prints one JSON line last. Asserts the child ended normally and returns that line. */
function inChild(script: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = runChild(CHILD_PRELUDE + script);
  expect({ ending: ending(r), stderr: r.stderr }).toEqual({ ending: 'exit 0', stderr: '' });
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

// ---------------------------------------------------------------------------------------------

function missing_function(ffi: BaseFFI): void {
  ffi.cdef('void some_completely_unknown_function();');
  // Expected: a VerificationError (or, depending on the loader, a library that fails when the
  // unknown function is called). Anything else thrown is a failure.
  const e = caught(() => (ffi as FFI).verify());
  if (e !== undefined) expect(e).toBeInstanceOf(FFIError);
}

test('test_missing_function', () => {
  // uses the FFI above with '-Werror'
  missing_function(new FFI());
});

test('test_missing_function_import_error', () => {
  // uses the original FFI, which only warns during compilation
  missing_function(new BaseFFI());
});

test('test_simple_case', () => {
  const ffi = new FFI();
  ffi.cdef('double sin(double x);');
  const lib = ffi.verify('#include <math.h>', { libraries: lib_m });
  expect(lib.sin(1.23)).toBe(Math.sin(1.23));
});

function _Wconversion(cdef: string, source: string, kargs: MoreVerifyOptions = {}): Lib {
  const ffi = new FFI();
  ffi.cdef(cdef);
  raises(VerificationError, () => ffi.verify(source, kargs));
  const extra_compile_args_orig = [...extra_compile_args];
  extra_compile_args.splice(extra_compile_args.indexOf('-Wconversion'), 1);
  try {
    return ffi.verify(source, kargs);
  } finally {
    extra_compile_args.splice(0, extra_compile_args.length, ...extra_compile_args_orig);
  }
}

test('test_Wconversion_unsigned', () => {
  _Wconversion('unsigned foo(void);', 'int foo(void) { return -1;}');
});

test('test_Wconversion_integer', () => {
  _Wconversion('short foo(void);', 'long long foo(void) { return 1<<sizeof(short);}');
});

test('test_Wconversion_floating', () => {
  const lib = _Wconversion('float sin(double);', '#include <math.h>', { libraries: lib_m });
  const res = lib.sin(1.23);
  expect(res).not.toBe(Math.sin(1.23)); // not exact, because of double->float
  expect(Math.abs(res - Math.sin(1.23))).toBeLessThan(1e-5);
});

test('test_Wconversion_float2int', () => {
  _Wconversion('int sinf(float);', '#include <math.h>', { libraries: lib_m });
});

test('test_Wconversion_double2int', () => {
  _Wconversion('int sin(double);', '#include <math.h>', { libraries: lib_m });
});

test('test_rounding_1', () => {
  const ffi = new FFI();
  ffi.cdef('double sinf(float x);');
  const lib = ffi.verify('#include <math.h>', { libraries: lib_m });
  const res = lib.sinf(1.23);
  expect(res).not.toBe(Math.sin(1.23)); // not exact, because of double->float
  expect(Math.abs(res - Math.sin(1.23))).toBeLessThan(1e-5);
});

test('test_rounding_2', () => {
  const ffi = new FFI();
  ffi.cdef('double sin(float x);');
  const lib = ffi.verify('#include <math.h>', { libraries: lib_m });
  const res = lib.sin(1.23);
  expect(res).not.toBe(Math.sin(1.23)); // not exact, because of double->float
  expect(Math.abs(res - Math.sin(1.23))).toBeLessThan(1e-5);
});

test('test_strlen_exact', () => {
  const ffi = new FFI();
  ffi.cdef('size_t strlen(const char *s);');
  const lib = ffi.verify('#include <string.h>');
  expect(lib.strlen('hi there!')).toBe(9);
});

test('test_strlen_approximate', () => {
  const lib = _Wconversion('int strlen(char *s);', '#include <string.h>');
  expect(lib.strlen('hi there!')).toBe(9);
});

test('test_return_approximate', () => {
  for (const typename of ['short', 'int', 'long', 'long long']) {
    const ffi = new FFI();
    ffi.cdef(`${typename} foo(signed char x);`);
    const lib = ffi.verify('signed char foo(signed char x) { return x;}');
    expect(lib.foo(-128)).toBe(-128);
    expect(lib.foo(+127)).toBe(+127);
  }
});

test('test_strlen_array_of_char', () => {
  const ffi = new FFI();
  ffi.cdef('size_t strlen(char[]);');
  const lib = ffi.verify('#include <string.h>');
  expect(lib.strlen('hello')).toBe(5);
});

test('test_longdouble', () => {
  const ffi = new FFI();
  ffi.cdef('long double sinl(long double x);');
  const lib = ffi.verify('#include <math.h>', { libraries: lib_m });
  for (const input of [1.23, ffi.cast('double', 1.23), ffi.cast('long double', 1.23)]) {
    const x = lib.sinl(input);
    // differs from CFFI: see docs/cffi-differences.md, "A long double crosses into JavaScript as the nearest double"
    expect(typeof x).toBe('number');
    expect(Number(x) - Math.sin(1.23)).toBeLessThan(1e-10);
  }
});

test('test_longdouble_precision', () => {
  // Test that we don't loose any precision of 'long double' when
  // passing through JavaScript and node-cffi.
  const ffi = new FFI();
  ffi.cdef('long double step1(long double x); void step_in_place(long double *x, int n);');
  const SAME_SIZE = ffi.sizeof('long double') === ffi.sizeof('double');
  const lib = ffi.verify(`
        long double step1(long double x)
        {
            return 4*x-x*x;
        }
        void step_in_place(long double *x, int n)
        {
            while (n-- > 0) *x = step1(*x);
        }
    `);
  const run = (cast_to_double: boolean): number => {
    let x: unknown = 0.9789;
    for (let i = 0; i < 10000; i++) {
      x = lib.step1(x);
      if (cast_to_double) x = Number(x);
    }
    return Number(x);
  };
  const more_precise = run(false);
  const less_precise = run(true);
  // differs from CFFI: see docs/cffi-differences.md, "A long double crosses into JavaScript as the nearest double"
  // Each result crossing into JavaScript is a double: both runs are the same run.
  expect(more_precise).toBe(less_precise);
  // The precision lives in C memory: a long double cdata keeps all its bytes between calls.
  const x = ffi.new('long double *', 0.9789);
  lib.step_in_place(x, 10000);
  if (SAME_SIZE) {
    expect(x[0]).toBe(less_precise);
  } else {
    expect(Math.abs(x[0] - less_precise)).toBeGreaterThan(0.1);
    // Check the particular results on Intel (CFFI skips on other machines)
    if (process.arch === 'x64' || process.arch === 'ia32') {
      expect(Math.abs(x[0] - 0.656769)).toBeLessThan(0.001);
      expect(Math.abs(less_precise - 3.99091)).toBeLessThan(0.001);
    }
  }
});

test('test_all_integer_and_float_types', () => {
  const typenames: string[] = [];
  for (const [typename, kind] of all_primitive_types) {
    if (kind === 'c' || kind === 'j' || typename === '_Bool' || typename === 'long double') continue;
    typenames.push(typename);
  }
  const ffi = new FFI();
  ffi.cdef(typenames.map((tp) => `${tp} foo_${tp.replace(/ /g, '_')}(${tp});`).join('\n'));
  const lib = ffi.verify(typenames.map((tp) => `${tp} foo_${tp.replace(/ /g, '_')}(${tp} x) { return (${tp})(x+1); }`).join('\n'));
  for (const typename of typenames) {
    const foo = lib[`foo_${typename.replace(/ /g, '_')}`];
    expect(foo(42)).toBe(43);
    expect(foo(ffi.cast(typename, 46))).toBe(47);
    raises(TypeError, () => foo(ffi.NULL));
    // check for overflow cases
    if (kindOf.get(typename) === 'f') continue;
    const bits = BigInt(8 * ffi.sizeof(typename));
    const signed = all_signed_integer_types.includes(typename);
    const min = signed ? -(1n << (bits - 1n)) : 0n;
    const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    for (const value of [-(2n ** 80n), -(2n ** 40n), -(2n ** 20n), -(2n ** 10n), -(2n ** 5n), -1n,
      2n ** 5n, 2n ** 10n, 2n ** 20n, 2n ** 40n, 2n ** 80n]) {
      const overflows = value < min || value > max;
      if (overflows) raises(RangeError, () => foo(N(value)));
      else expect(foo(N(value))).toBe(N(value + 1n));
    }
  }
});

test('test_var_signed_integer_types', () => {
  const ffi = new FFI();
  const lst = all_signed_integer_types;
  const csource = lst.map((tp) => `static ${tp} somevar_${tp.replace(/ /g, '_')};`).join('\n');
  ffi.cdef(csource);
  const lib = ffi.verify(csource);
  for (const tp of lst) {
    const varname = `somevar_${tp.replace(/ /g, '_')}`;
    const sz = BigInt(ffi.sizeof(tp));
    const max = (1n << (8n * sz - 1n)) - 1n;
    const min = -(1n << (8n * sz - 1n));
    lib[varname] = N(max);
    expect(lib[varname]).toBe(N(max));
    lib[varname] = N(min);
    expect(lib[varname]).toBe(N(min));
    raises(RangeError, () => { lib[varname] = N(max + 1n); });
    raises(RangeError, () => { lib[varname] = N(min - 1n); });
  }
});

test('test_var_unsigned_integer_types', () => {
  const ffi = new FFI();
  const lst = all_unsigned_integer_types;
  const csource = lst.map((tp) => `static ${tp} somevar_${tp.replace(/ /g, '_')};`).join('\n');
  ffi.cdef(csource);
  const lib = ffi.verify(csource);
  for (const tp of lst) {
    const varname = `somevar_${tp.replace(/ /g, '_')}`;
    const sz = BigInt(ffi.sizeof(tp));
    const max = tp !== '_Bool' ? (1n << (8n * sz)) - 1n : 1n;
    lib[varname] = N(max);
    expect(pyint(lib[varname])).toBe(N(max));
    lib[varname] = 0;
    expect(pyint(lib[varname])).toBe(0);
    raises(RangeError, () => { lib[varname] = N(max + 1n); });
    raises(RangeError, () => { lib[varname] = -1; });
  }
});

test('test_fn_signed_integer_types', () => {
  const ffi = new FFI();
  const lst = all_signed_integer_types;
  ffi.cdef(lst.map((tp) => `${tp} somefn_${tp.replace(/ /g, '_')}(${tp});`).join('\n'));
  const lib = ffi.verify(lst.map((tp) => `${tp} somefn_${tp.replace(/ /g, '_')}(${tp} x) { return x; }`).join('\n'));
  for (const tp of lst) {
    const sz = BigInt(ffi.sizeof(tp));
    const max = (1n << (8n * sz - 1n)) - 1n;
    const min = -(1n << (8n * sz - 1n));
    const fn = lib[`somefn_${tp.replace(/ /g, '_')}`];
    expect(fn(N(max))).toBe(N(max));
    expect(fn(N(min))).toBe(N(min));
    raises(RangeError, () => fn(N(max + 1n)));
    raises(RangeError, () => fn(N(min - 1n)));
  }
});

test('test_fn_unsigned_integer_types', () => {
  const ffi = new FFI();
  const lst = all_unsigned_integer_types;
  ffi.cdef(lst.map((tp) => `${tp} somefn_${tp.replace(/ /g, '_')}(${tp});`).join('\n'));
  const lib = ffi.verify(lst.map((tp) => `${tp} somefn_${tp.replace(/ /g, '_')}(${tp} x) { return x; }`).join('\n'));
  for (const tp of lst) {
    const sz = BigInt(ffi.sizeof(tp));
    const max = tp !== '_Bool' ? (1n << (8n * sz)) - 1n : 1n;
    const fn = lib[`somefn_${tp.replace(/ /g, '_')}`];
    expect(pyint(fn(N(max)))).toBe(N(max));
    expect(pyint(fn(0))).toBe(0);
    raises(RangeError, () => fn(N(max + 1n)));
    raises(RangeError, () => fn(-1));
  }
});

test('test_char_type', () => {
  const ffi = new FFI();
  ffi.cdef('char foo(char);');
  const lib = ffi.verify('char foo(char x) { return ++x; }');
  expect(lib.foo('A')).toBe('B'.charCodeAt(0));
  raises(TypeError, () => lib.foo('bar')); // b"bar"
  raises(TypeError, () => lib.foo('bar')); // u"bar": JavaScript has one string type
});

test('test_wchar_type', () => {
  const ffi = new FFI();
  let uniexample1: string;
  let uniexample2: string;
  if (ffi.sizeof('wchar_t') === 2) {
    uniexample1 = '\u1234';
    uniexample2 = '\u1235';
  } else {
    uniexample1 = '\u{12345}';
    uniexample2 = '\u{12346}';
  }
  ffi.cdef('wchar_t foo(wchar_t);');
  const lib = ffi.verify('wchar_t foo(wchar_t x) { return x+1; }');
  expect(lib.foo(uniexample1)).toBe(uniexample2);
});

test('test_no_argument', () => {
  const ffi = new FFI();
  ffi.cdef('int foo(void);');
  const lib = ffi.verify('int foo(void) { return 42; }');
  expect(lib.foo()).toBe(42);
});

test('test_two_arguments', () => {
  const ffi = new FFI();
  ffi.cdef('int foo(int, int);');
  const lib = ffi.verify('int foo(int a, int b) { return a - b; }');
  expect(lib.foo(40, -2)).toBe(42);
});

test('test_macro', () => {
  const ffi = new FFI();
  ffi.cdef('int foo(int, int);');
  const lib = ffi.verify('#define foo(a, b) ((a) * (b))');
  expect(lib.foo(-6, -7)).toBe(42);
});

test('test_ptr', () => {
  const ffi = new FFI();
  ffi.cdef('int *foo(int *);');
  const lib = ffi.verify('int *foo(int *a) { return a; }');
  expect(lib.foo(ffi.NULL)).toBe(ffi.NULL);
  const p = ffi.new('int *', 42);
  const q = ffi.new('int *', 42);
  expect(addr(ffi, lib.foo(p))).toBe(addr(ffi, p));
  expect(addr(ffi, lib.foo(q))).not.toBe(addr(ffi, p));
});

test('test_bogus_ptr', () => {
  const ffi = new FFI();
  ffi.cdef('int *foo(int *);');
  const lib = ffi.verify('int *foo(int *a) { return a; }');
  raises(TypeError, () => lib.foo(ffi.new('short *', 42)));
});

test('test_nondecl_struct', () => {
  const ffi = new FFI();
  ffi.cdef('typedef struct foo_s foo_t; int bar(foo_t *);');
  const lib = ffi.verify('typedef struct foo_s foo_t;\n' + 'int bar(foo_t *f) { (void)f; return 42; }\n');
  expect(lib.bar(ffi.NULL)).toBe(42);
});

test('test_ffi_full_struct', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { char x; int y; long *z; };');
  ffi.verify('struct foo_s { char x; int y; long *z; };');
  raises(VerificationError, () => ffi.verify('struct foo_s { char x; int y; int *z; };'));
  raises(VerificationError, () => ffi.verify('struct foo_s { int y; long *z; };'));
  // CFFI: "struct foo_s: wrong offset for field 'x' (we have 0, but C compiler says 4)"
  raises(VerificationError, () => ffi.verify('struct foo_s { int y; char x; long *z; };'),
    /struct foo_s: wrong offset for field 'x' \(\D*0\D*4\)/);
  // CFFI: "struct foo_s: wrong total size (we have %d, but C compiler says %d)"
  const size = ffi.sizeof('struct foo_s');
  const bigger = ffi.sizeof('struct foo_s') + ffi.sizeof('long*');
  raises(VerificationError, () => ffi.verify('struct foo_s { char x; int y; long *z; char extra; };'),
    new RegExp(`struct foo_s: wrong (total )?size \\(\\D*${size}\\D*${bigger}\\)`));
  // a corner case that we cannot really detect, but where it has no
  // bad consequences: the size is the same, but there is an extra field
  // that replaces what is just padding in our declaration above
  ffi.verify('struct foo_s { char x, extra; int y; long *z; };');
  // CFFI: "struct foo_s: wrong size for field 'y' (we have 4, but C compiler says 2)"
  raises(VerificationError, () => ffi.verify('struct foo_s { char x; short pad; short y; long *z; };'),
    /struct foo_s: wrong size for field 'y' \(\D*4\D*2\)/);
});

test('test_ffi_nonfull_struct', () => {
  const ffi = new FFI();
  ffi.cdef(`
    struct foo_s {
       int x;
       ...;
    };
    `);
  // VerificationMissing
  raises(FFIError, () => ffi.sizeof('struct foo_s'));
  raises(FFIError, () => ffi.offsetof('struct foo_s', 'x'));
  raises(FFIError, () => ffi.new('struct foo_s *'));
  ffi.verify(`
    struct foo_s {
       int a, b, x, c, d, e;
    };
    `);
  expect(ffi.sizeof('struct foo_s')).toBe(6 * ffi.sizeof('int'));
  expect(ffi.offsetof('struct foo_s', 'x')).toBe(2 * ffi.sizeof('int'));
});

test('test_ffi_nonfull_alignment', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { char x; ...; };');
  ffi.verify('struct foo_s { int a, b; char x; };');
  expect(ffi.sizeof('struct foo_s')).toBe(3 * ffi.sizeof('int'));
  expect(ffi.alignof('struct foo_s')).toBe(ffi.sizeof('int'));
});

function _check_field_match(typename: string, real: string, expect_mismatch: boolean | 'by_size'): void {
  const ffi = new FFI();
  const testing_by_size = expect_mismatch === 'by_size';
  if (testing_by_size) expect_mismatch = ffi.sizeof(typename) !== ffi.sizeof(real);
  ffi.cdef(`struct foo_s { ${typename} x; ...; };`);
  const e = caught(() => ffi.verify(`struct foo_s { ${real} x; };`));
  if (e !== undefined) {
    expect(e).toBeInstanceOf(VerificationError);
    if (!expect_mismatch) {
      // CFFI prints "ignoring mismatch between X* and Y* even though they have the same size"
      if (testing_by_size && typename !== real) return;
      throw new Error(`unexpected mismatch: ${typename} should be accepted as equal to ${real}`);
    }
  } else if (expect_mismatch) {
    throw new Error(`mismatch not detected: ${typename} != ${real}`);
  }
}

test('test_struct_bad_sized_integer', () => {
  for (const typename of ['int8_t', 'int16_t', 'int32_t', 'int64_t']) {
    for (const real of ['int8_t', 'int16_t', 'int32_t', 'int64_t']) _check_field_match(typename, real, 'by_size');
  }
});

test('test_struct_bad_sized_float', () => {
  for (const typename of all_float_types) {
    for (const real of all_float_types) _check_field_match(typename, real, 'by_size');
  }
});

test('test_struct_signedness_ignored', () => {
  _check_field_match('int', 'unsigned int', false);
  _check_field_match('unsigned short', 'signed short', false);
});

test('test_struct_float_vs_int', () => {
  for (const typename of all_signed_integer_types) {
    for (const real of all_float_types) _check_field_match(typename, real, true);
  }
  for (const typename of all_float_types) {
    for (const real of all_signed_integer_types) _check_field_match(typename, real, true);
  }
});

test('test_struct_array_field', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { int a[17]; ...; };');
  ffi.verify('struct foo_s { int x; int a[17]; int y; };');
  expect(ffi.sizeof('struct foo_s')).toBe(19 * ffi.sizeof('int'));
  const s = ffi.new('struct foo_s *');
  expect(ffi.sizeof(s.a)).toBe(17 * ffi.sizeof('int'));
});

test('test_struct_array_no_length', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { int a[]; int y; ...; };\n' + 'int bar(struct foo_s *);\n');
  const lib = ffi.verify('struct foo_s { int x; int a[17]; int y; };\n' + 'int bar(struct foo_s *f) { return f->a[14]; }\n');
  expect(ffi.sizeof('struct foo_s')).toBe(19 * ffi.sizeof('int'));
  let s = ffi.new('struct foo_s *');
  expect(ffi.typeof(s.a)).toBe(ffi.typeof('int[]')); // implicit max length
  expect(s.a.length).toBe(18); // max length, computed from the size and start offset
  s.a[14] = 4242;
  expect(lib.bar(s)).toBe(4242);
  // with no declared length, out-of-bound accesses are not detected
  s.a[17] = -521;
  expect(s.y).toBe(-521);
  expect(s.a[17]).toBe(-521);
  s = ffi.new('struct foo_s *', { a: [...Array(17).keys()] });
  expect(s.a[16]).toBe(16);
  // overflows at construction time not detected either
  s = ffi.new('struct foo_s *', { a: [...Array(18).keys()] });
  expect(s.y).toBe(17);
  expect(s.a[17]).toBe(17);
});

test('test_struct_array_guess_length', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { int a[...]; };');
  ffi.verify('struct foo_s { int x; int a[17]; int y; };');
  expect(ffi.sizeof('struct foo_s')).toBe(19 * ffi.sizeof('int'));
  const s = ffi.new('struct foo_s *');
  expect(ffi.sizeof(s.a)).toBe(17 * ffi.sizeof('int'));
  raises(RangeError, () => s.a[17]);
});

test('test_struct_array_c99_1', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { int x; int a[]; };');
  ffi.verify('struct foo_s { int x; int a[]; };');
  expect(ffi.sizeof('struct foo_s')).toBe(1 * ffi.sizeof('int'));
  let s = ffi.new('struct foo_s *', [424242, 4]);
  expect(ffi.sizeof(ffi.typeof(s[0]))).toBe(1 * ffi.sizeof('int'));
  expect(ffi.sizeof(s[0])).toBe(5 * ffi.sizeof('int'));
  // ^^^ explanation: if you write in C: "char x[5];", then
  // "sizeof(x)" will evaluate to 5.  The behavior above is
  // a generalization of that to "struct foo_s[len(a)=5] x;"
  // if you could do that in C.
  expect(s.a[3]).toBe(0);
  s = ffi.new('struct foo_s *', [424242, [-40, -30, -20, -10]]);
  expect(ffi.sizeof(s[0])).toBe(5 * ffi.sizeof('int'));
  expect(s.a[3]).toBe(-10);
  s = ffi.new('struct foo_s *');
  expect(ffi.sizeof(s[0])).toBe(1 * ffi.sizeof('int'));
  s = ffi.new('struct foo_s *', [424242]);
  expect(ffi.sizeof(s[0])).toBe(1 * ffi.sizeof('int'));
});

test('test_struct_array_c99_2', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { int x; int a[]; ...; };');
  ffi.verify('struct foo_s { int x, y; int a[]; };');
  expect(ffi.sizeof('struct foo_s')).toBe(2 * ffi.sizeof('int'));
  let s = ffi.new('struct foo_s *', [424242, 4]);
  expect(ffi.sizeof(s[0])).toBe(6 * ffi.sizeof('int'));
  expect(s.a[3]).toBe(0);
  s = ffi.new('struct foo_s *', [424242, [-40, -30, -20, -10]]);
  expect(ffi.sizeof(s[0])).toBe(6 * ffi.sizeof('int'));
  expect(s.a[3]).toBe(-10);
  s = ffi.new('struct foo_s *');
  expect(ffi.sizeof(s[0])).toBe(2 * ffi.sizeof('int'));
  s = ffi.new('struct foo_s *', [424242]);
  expect(ffi.sizeof(s[0])).toBe(2 * ffi.sizeof('int'));
});

test('test_struct_ptr_to_array_field', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { int (*a)[17]; ...; }; struct bar_s { ...; };');
  ffi.verify('struct foo_s { int x; int (*a)[17]; int y; };\n' + 'struct bar_s { int x; int *a; int y; };');
  expect(ffi.sizeof('struct foo_s')).toBe(ffi.sizeof('struct bar_s'));
  const s = ffi.new('struct foo_s *');
  // differs from CFFI: see docs/cffi-differences.md, "NULL is null" (CFFI: s.a is a NULL cdata of type 'int(*)[17]')
  expect(s.a).toBe(ffi.NULL);
  expect(ffi.sizeof((ffi.typeof('struct foo_s') as StructType).fields!.find((f) => f.name === 'a')!.type)).toBe(ffi.sizeof('int(*)[17]'));
  expect(ffi.sizeof('int(*)[17]')).toBe(ffi.sizeof('int *'));
});

test('test_struct_with_bitfield_exact', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { int a:2, b:3; };');
  ffi.verify('struct foo_s { int a:2, b:3; };');
  const s = ffi.new('struct foo_s *');
  s.b = 3;
  raises(RangeError, () => { s.b = 4; });
  expect(s.b).toBe(3);
});

test('test_struct_with_bitfield_enum', () => {
  const ffi = new FFI();
  const code = `
        typedef enum { AA, BB, CC } foo_e;
        typedef struct { foo_e f:2; } foo_s;
    `;
  ffi.cdef(code);
  ffi.verify(code);
  const s = ffi.new('foo_s *');
  s.f = 2;
  expect(s.f).toBe(2);
});

test('test_unsupported_struct_with_bitfield_ellipsis', () => {
  const ffi = new FFI();
  // NotImplementedError at cdef time
  raises(CDefError, () => ffi.cdef('struct foo_s { int a:2, b:3; ...; };'));
});

test('test_global_constants', () => {
  const ffi = new FFI();
  // use 'static const int', as generally documented, although in this
  // case the 'static' is completely ignored.
  ffi.cdef('static const int AA, BB, CC, DD;');
  const lib = ffi.verify('#define AA 42\n'
    + '#define BB (-43)   // blah\n'
    + '#define CC (22*2)  /* foobar */\n'
    + '#define DD ((unsigned int)142)  /* foo\nbar */\n');
  expect(lib.AA).toBe(42);
  expect(lib.BB).toBe(-43);
  expect(lib.CC).toBe(44);
  expect(lib.DD).toBe(142);
});

test('test_global_const_int_size', () => {
  // integer constants: ignore the declared type, always just use the value
  for (const value of [-(2n ** 63n), -(2n ** 31n), -(2n ** 15n),
    2n ** 15n - 1n, 2n ** 15n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n,
    2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n]) {
    const ffi = new FFI();
    let vstr: string;
    if (value === BigInt.asIntN(64, value)) { // fits in 'long long'
      vstr = value < 0n ? `(-${~value}LL-1)` : `${value}LL`;
    } else if (value === BigInt.asUintN(64, value)) { // fits in 'unsigned long long'
      vstr = `${value}ULL`;
    } else {
      throw new Error(String(value));
    }
    ffi.cdef('static const unsigned short AA;');
    const lib = ffi.verify(`#define AA ${vstr}\n`);
    expect(lib.AA).toBe(N(value));
    expect(['number', 'bigint']).toContain(typeof lib.AA); // a plain integer, not a cdata
  }
});

test('test_global_constants_non_int', () => {
  const ffi = new FFI();
  ffi.cdef('static char *const PP;');
  const lib = ffi.verify('static char *const PP = "testing!";\n');
  expect(ffi.typeof(lib.PP)).toBe(ffi.typeof('char *'));
  expect(ffi.string(lib.PP)).toBe('testing!');
});

test('test_nonfull_enum', () => {
  const ffi = new FFI();
  ffi.cdef('enum ee { EE1, EE2, EE3, ... \n \t };');
  raises(FFIError, () => ffi.cast('enum ee', 'EE2')); // VerificationMissing
  ffi.verify('enum ee { EE1=10, EE2, EE3=-10, EE4 };');
  expect(ffi.string(ffi.cast('enum ee', 11))).toBe('EE2');
  expect(ffi.string(ffi.cast('enum ee', -10))).toBe('EE3');
  // try again
  ffi.verify('enum ee { EE1=10, EE2, EE3=-10, EE4 };');
  expect(ffi.string(ffi.cast('enum ee', 11))).toBe('EE2');
  const t = ffi.typeof('enum ee');
  expect(t.kind === 'enum' && t.relements).toEqual({ EE1: 10, EE2: 11, EE3: -10 });
  expect(t.kind === 'enum' && t.elements).toEqual({ 10: 'EE1', 11: 'EE2', [-10]: 'EE3' });
});

test('test_full_enum', () => {
  const ffi = new FFI();
  ffi.cdef('enum ee { EE1, EE2, EE3 };');
  ffi.verify('enum ee { EE1, EE2, EE3 };');
  raises(VerificationError, () => ffi.verify('enum ee { EE1, EE2 };'));
  // CFFI: 'enum ee: EE2 has the real value 2, not 1'
  raises(VerificationError, () => ffi.verify('enum ee { EE1, EE3, EE2 };'), /enum ee\b/, /\bEE2\b/, /\b1\b.*\b2\b|\b2\b.*\b1\b/);
  // extra items cannot be seen and have no bad consequence anyway
  const lib = ffi.verify('enum ee { EE1, EE2, EE3, EE4 };');
  expect(lib.EE3).toBe(2);
});

test('test_enum_usage', () => {
  const ffi = new FFI();
  ffi.cdef('enum ee { EE1,EE2 }; typedef struct { enum ee x; } *sp;');
  const lib = ffi.verify('enum ee { EE1,EE2 }; typedef struct { enum ee x; } *sp;');
  expect(lib.EE2).toBe(1);
  const s = ffi.new('sp', [lib.EE2]);
  expect(s.x).toBe(1);
  s.x = 17;
  expect(s.x).toBe(17);
});

test('test_anonymous_enum', () => {
  const ffi = new FFI();
  ffi.cdef('enum { EE1 }; enum { EE2, EE3 };');
  const lib = ffi.verify('enum { EE1 }; enum { EE2, EE3 };');
  expect(lib.EE1).toBe(0);
  expect(lib.EE2).toBe(0);
  expect(lib.EE3).toBe(1);
});

test('test_nonfull_anonymous_enum', () => {
  const ffi = new FFI();
  ffi.cdef('enum { EE1, ... }; enum { EE3, ... };');
  const lib = ffi.verify('enum { EE2, EE1 }; enum { EE3 };');
  expect(lib.EE1).toBe(1);
  expect(lib.EE3).toBe(0);
});

test('test_nonfull_enum_syntax2', () => {
  let ffi = new FFI();
  ffi.cdef('enum ee { EE1, EE2=\t..., EE3 };');
  raises(FFIError, () => ffi.cast('enum ee', 'EE1')); // VerificationMissing
  ffi.verify('enum ee { EE1=10, EE2, EE3=-10, EE4 };');
  expect(ffi.string(ffi.cast('enum ee', 11))).toBe('EE2');
  expect(ffi.string(ffi.cast('enum ee', -10))).toBe('EE3');
  ffi = new FFI();
  ffi.cdef('enum ee { EE1, EE2=\t... };');
  raises(FFIError, () => ffi.cast('enum ee', 'EE1')); // VerificationMissing
  ffi.verify('enum ee { EE1=10, EE2, EE3=-10, EE4 };');
  expect(ffi.string(ffi.cast('enum ee', 11))).toBe('EE2');
  ffi = new FFI();
  ffi.cdef('enum ee2 { EE4=..., EE5=..., ... };');
  ffi.verify('enum ee2 { EE4=-1234-5, EE5 }; ');
  expect(ffi.string(ffi.cast('enum ee2', -1239))).toBe('EE4');
  expect(ffi.string(ffi.cast('enum ee2', -1238))).toBe('EE5');
});

test('test_nonfull_enum_bug3', () => {
  const ffi = new FFI();
  ffi.cdef('enum ee2 { EE4=..., EE5=... };');
  ffi.cdef('enum ee6 { EE7=10, EE8=..., EE9=... };');
});

test('test_get_set_errno', () => {
  const ffi = new FFI();
  ffi.cdef('int foo(int);');
  const lib = ffi.verify(`
        static int foo(int x)
        {
            errno += 1;
            return x * 7;
        }
    `);
  ffi.errno = 15;
  expect(lib.foo(6)).toBe(42);
  expect(ffi.errno).toBe(16);
});

test('test_define_int', () => {
  const ffi = new FFI();
  ffi.cdef('#define FOO ...\n' + '\t#\tdefine\tBAR\t...\t\n' + '#define BAZ ...\n');
  const lib = ffi.verify('#define FOO 42\n' + '#define BAR (-44)\n' + '#define BAZ 0xffffffffffffffffULL\n');
  expect(lib.FOO).toBe(42);
  expect(lib.BAR).toBe(-44);
  expect(lib.BAZ).toBe(0xffffffffffffffffn);
});

test('test_access_variable', () => {
  const ffi = new FFI();
  ffi.cdef('static int foo(void);\n' + 'static int somenumber;');
  const lib = ffi.verify(`
        static int somenumber = 2;
        static int foo(void) {
            return somenumber * 7;
        }
    `);
  expect(lib.somenumber).toBe(2);
  expect(lib.foo()).toBe(14);
  lib.somenumber = -6;
  expect(lib.foo()).toBe(-42);
  expect(lib.somenumber).toBe(-6);
  lib.somenumber = 2; // reset for the next run, if any
});

test('test_access_address_of_variable', () => {
  // access the address of 'somenumber': need a trick
  const ffi = new FFI();
  ffi.cdef('static int somenumber; static int *const somenumberptr;');
  const lib = ffi.verify(`
        static int somenumber = 2;
        #define somenumberptr (&somenumber)
    `);
  expect(lib.somenumber).toBe(2);
  lib.somenumberptr[0] = 42;
  expect(lib.somenumber).toBe(42);
  lib.somenumber = 2; // reset for the next run, if any
});

function access_array_variable(length: number | ''): void {
  const ffi = new FFI();
  ffi.cdef('int foo(int);\n' + `static int somenumber[${length}];`);
  const lib = ffi.verify(`
        static int somenumber[] = {2, 2, 3, 4, 5};
        static int foo(int i) {
            return somenumber[i] * 7;
        }
    `);
  if (length === '') {
    // a global variable of an unknown array length is implicitly
    // transformed into a global pointer variable, because we can only
    // work with array instances whose length we know.  using a pointer
    // instead of an array gives the correct effects.
    expect(String(lib.somenumber)).toMatch(/^<cdata 'int \*' 0x/);
    // differs from CFFI: see docs/cffi-differences.md, "A pointer has no length: undefined" (CFFI: TypeError from len())
    expect(lib.somenumber.length).toBeUndefined();
  } else {
    expect(String(lib.somenumber).startsWith(`<cdata 'int[${length}]' 0x`)).toBe(true);
    expect(lib.somenumber.length).toBe(5);
  }
  expect(lib.somenumber[3]).toBe(4);
  expect(lib.foo(3)).toBe(28);
  lib.somenumber[3] = -6;
  expect(lib.foo(3)).toBe(-42);
  expect(lib.somenumber[3]).toBe(-6);
  expect(lib.somenumber[4]).toBe(5);
  lib.somenumber[3] = 4; // reset for the next run, if any
}

test('test_access_array_variable', () => {
  access_array_variable(5);
});

test('test_access_array_variable_length_hidden', () => {
  access_array_variable('');
});

test('test_access_struct_variable', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { int x; ...; };\n' + 'int foo(int);\n' + 'static struct foo stuff;');
  const lib = ffi.verify(`
        struct foo { int x, y, z; };
        static struct foo stuff = {2, 5, 8};
        static int foo(int i) {
            switch (i) {
            case 0: return stuff.x * 7;
            case 1: return stuff.y * 7;
            case 2: return stuff.z * 7;
            }
            return -1;
        }
    `);
  expect(lib.stuff.x).toBe(2);
  expect(lib.foo(0)).toBe(14);
  expect(lib.foo(1)).toBe(35);
  expect(lib.foo(2)).toBe(56);
  lib.stuff.x = -6;
  expect(lib.foo(0)).toBe(-42);
  expect(lib.foo(1)).toBe(35);
  lib.stuff.x = 2; // reset for the next run, if any
});

test('test_access_callback', () => {
  const ffi = new FFI();
  ffi.cdef('static int (*cb)(int);\n' + 'static int foo(int);\n' + 'static void reset_cb(void);');
  const lib = ffi.verify(`
        static int g(int x) { return x * 7; }
        static int (*cb)(int);
        static int foo(int i) { return cb(i) - 1; }
        static void reset_cb(void) { cb = g; }
    `);
  lib.reset_cb();
  expect(lib.foo(6)).toBe(41);
  const my_callback = ffi.callback('int(*)(int)', (n: number) => n * 222);
  lib.cb = my_callback;
  expect(lib.foo(4)).toBe(887);
});

test('test_access_callback_function_typedef', () => {
  const ffi = new FFI();
  ffi.cdef('typedef int mycallback_t(int);\n' + 'static mycallback_t *cb;\n' + 'static int foo(int);\n' + 'static void reset_cb(void);');
  const lib = ffi.verify(`
        static int g(int x) { return x * 7; }
        static int (*cb)(int);
        static int foo(int i) { return cb(i) - 1; }
        static void reset_cb(void) { cb = g; }
    `);
  lib.reset_cb();
  expect(lib.foo(6)).toBe(41);
  const my_callback = ffi.callback('int(*)(int)', (n: number) => n * 222);
  lib.cb = my_callback;
  expect(lib.foo(4)).toBe(887);
});

test('test_call_with_struct_ptr', () => {
  const ffi = new FFI();
  ffi.cdef('typedef struct { int x; ...; } foo_t; int foo(foo_t *);');
  const lib = ffi.verify(`
        typedef struct { int y, x; } foo_t;
        static int foo(foo_t *f) { return f->x * 7; }
    `);
  const f = ffi.new('foo_t *');
  f.x = 6;
  expect(lib.foo(f)).toBe(42);
});

test('test_unknown_type', () => {
  const ffi = new FFI();
  ffi.cdef(`
        typedef ... token_t;
        int foo(token_t *);
        #define TOKEN_SIZE ...
    `);
  const lib = ffi.verify(`
        typedef float token_t;
        static int foo(token_t *tk) {
            if (!tk)
                return -42;
            *tk += 1.601f;
            return (int)*tk;
        }
        #define TOKEN_SIZE sizeof(token_t)
    `);
  // we cannot let ffi.new("token_t *") work, because we don't know ahead of
  // time if it's ok to ask 'sizeof(token_t)' in the C code or not.
  // See test_unknown_type_2.  Workaround.
  const tkmem = ffi.new('char[]', lib.TOKEN_SIZE); // zero-initialized
  const tk = ffi.cast('token_t *', tkmem);
  const results = Array.from({ length: 6 }, () => lib.foo(tk));
  expect(results).toEqual([1, 3, 4, 6, 8, 9]);
  expect(lib.foo(ffi.NULL)).toBe(-42);
});

test('test_unknown_type_2', () => {
  const ffi = new FFI();
  ffi.cdef('typedef ... token_t;');
  ffi.verify('typedef struct token_s token_t;');
  // assert did not crash, even though 'sizeof(token_t)' is not valid in C.
});

test('test_unknown_type_3', () => {
  const ffi = new FFI();
  ffi.cdef(`
        typedef ... *token_p;
        token_p foo(token_p);
    `);
  const lib = ffi.verify(`
        typedef struct _token_s *token_p;
        token_p foo(token_p arg) {
            if (arg)
                return (token_p)0x12347;
            else
                return (token_p)0x12345;
        }
    `);
  const p = lib.foo(ffi.NULL);
  expect(ffi.cast('intptr_t', p)).toBe(0x12345);
  const q = lib.foo(p);
  expect(ffi.cast('intptr_t', q)).toBe(0x12347);
});

test('test_varargs', () => {
  const ffi = new FFI();
  ffi.cdef('int foo(int x, ...);');
  const lib = ffi.verify(`
        int foo(int x, ...) {
            va_list vargs;
            va_start(vargs, x);
            x -= va_arg(vargs, int);
            x -= va_arg(vargs, int);
            va_end(vargs);
            return x;
        }
    `);
  expect(lib.foo(50, ['int', 5], ['int', 3])).toBe(42);
});

test('test_varargs_exact', () => {
  const ffi = new FFI();
  ffi.cdef('int foo(int x, ...);');
  raises(VerificationError, () => ffi.verify(`
        int foo(long long x, ...) {
            return x;
        }
    `));
});

test('test_varargs_struct', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { char a; int b; }; int foo(int x, ...);');
  const lib = ffi.verify(`
        struct foo_s {
            char a; int b;
        };
        int foo(int x, ...) {
            va_list vargs;
            struct foo_s s;
            va_start(vargs, x);
            s = va_arg(vargs, struct foo_s);
            va_end(vargs);
            return s.a - s.b;
        }
    `);
  const s = ffi.new('struct foo_s *', ['B', 1]);
  expect(lib.foo(50, s[0])).toBe('A'.charCodeAt(0));
});

test('test_autofilled_struct_as_argument', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { long a; double b; ...; };\n' + 'int foo(struct foo_s);');
  const lib = ffi.verify(`
        struct foo_s {
            double b;
            long a;
        };
        int foo(struct foo_s s) {
            return (int)s.a - (int)s.b;
        }
    `);
  const s = ffi.new('struct foo_s *', [100, 1]);
  expect(lib.foo(s[0])).toBe(99);
  expect(lib.foo([100, 1])).toBe(99);
});

test('test_autofilled_struct_as_argument_dynamic', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { long a; ...; };\n' + 'static int (*foo)(struct foo_s);');
  const lib = ffi.verify(`
        struct foo_s {
            double b;
            long a;
        };
        int foo1(struct foo_s s) {
            return (int)s.a - (int)s.b;
        }
        static int (*foo)(struct foo_s s) = &foo1;
    `);
  // NotImplementedError; CFFI's message: "ctype 'struct foo_s' not supported as argument.  It is a struct
  // declared with "...;", but the C calling convention may depend on the missing fields; ..."
  raises(FFIError, () => lib.foo('?'), /'struct foo_s'/, /not supported as argument/);
});

test('test_func_returns_struct', () => {
  const ffi = new FFI();
  ffi.cdef(`
        struct foo_s { int aa, bb; };
        struct foo_s foo(int a, int b);
    `);
  const lib = ffi.verify(`
        struct foo_s { int aa, bb; };
        struct foo_s foo(int a, int b) {
            struct foo_s r;
            r.aa = a*a;
            r.bb = b*b;
            return r;
        }
    `);
  const s = lib.foo(6, 7);
  expect(String(s)).toBe("<cdata 'struct foo_s' owning 8 bytes>");
  expect(s.aa).toBe(36);
  expect(s.bb).toBe(49);
});

test('test_func_as_funcptr', () => {
  const ffi = new FFI();
  ffi.cdef('int *(*const fooptr)(void);');
  const lib = ffi.verify(`
        int *foo(void) {
            return (int*)"foobar";
        }
        int *(*fooptr)(void) = foo;
    `);
  const foochar = ffi.cast('char *(*)(void)', lib.fooptr);
  const s = foochar!();
  expect(ffi.string(s)).toBe('foobar');
});

test('test_funcptr_as_argument', () => {
  const ffi = new FFI();
  ffi.cdef(`
        void qsort(void *base, size_t nel, size_t width,
            int (*compar)(const void *, const void *));
    `);
  ffi.verify('#include <stdlib.h>');
});

test('test_func_as_argument', () => {
  const ffi = new FFI();
  ffi.cdef(`
        void qsort(void *base, size_t nel, size_t width,
            int compar(const void *, const void *));
    `);
  ffi.verify('#include <stdlib.h>');
});

test('test_array_as_argument', () => {
  const ffi = new FFI();
  ffi.cdef(`
        size_t strlen(char string[]);
    `);
  ffi.verify('#include <string.h>');
});

test('test_enum_as_argument', () => {
  const ffi = new FFI();
  ffi.cdef(`
        enum foo_e { AA, BB, ... };
        int foo_func(enum foo_e);
    `);
  const lib = ffi.verify(`
        enum foo_e { AA, CC, BB };
        int foo_func(enum foo_e e) { return (int)e; }
    `);
  expect(lib.foo_func(lib.BB)).toBe(2);
  // differs from CFFI: see docs/cffi-differences.md, "Enums take enumerator names" (CFFI: TypeError)
  expect(lib.foo_func('BB')).toBe(2);
  raises(TypeError, () => lib.foo_func('CC')); // a name the cdef does not declare
});

test('test_enum_as_function_result', () => {
  const ffi = new FFI();
  ffi.cdef(`
        enum foo_e { AA, BB, ... };
        enum foo_e foo_func(int x);
    `);
  const lib = ffi.verify(`
        enum foo_e { AA, CC, BB };
        enum foo_e foo_func(int x) { return (enum foo_e)x; }
    `);
  expect(lib.foo_func(lib.BB)).toBe(lib.BB);
  expect(lib.BB).toBe(2);
});

test('test_enum_values', () => {
  const ffi = new FFI();
  ffi.cdef('enum enum1_e { AA, BB };');
  const lib = ffi.verify('enum enum1_e { AA, BB };');
  expect(lib.AA).toBe(0);
  expect(lib.BB).toBe(1);
  expect(ffi.string(ffi.cast('enum enum1_e', 1))).toBe('BB');
});

test('test_typedef_complete_enum', () => {
  const ffi = new FFI();
  ffi.cdef('typedef enum { AA, BB } enum1_t;');
  const lib = ffi.verify('typedef enum { AA, BB } enum1_t;');
  expect(ffi.string(ffi.cast('enum1_t', 1))).toBe('BB');
  expect(lib.AA).toBe(0);
  expect(lib.BB).toBe(1);
});

test('test_typedef_broken_complete_enum', () => {
  const ffi = new FFI();
  ffi.cdef('typedef enum { AA, BB } enum1_t;');
  raises(VerificationError, () => ffi.verify('typedef enum { AA, CC, BB } enum1_t;'));
});

test('test_typedef_incomplete_enum', () => {
  const ffi = new FFI();
  ffi.cdef('typedef enum { AA, BB, ... } enum1_t;');
  const lib = ffi.verify('typedef enum { AA, CC, BB } enum1_t;');
  expect(ffi.string(ffi.cast('enum1_t', 1))).toBe('1');
  expect(ffi.string(ffi.cast('enum1_t', 2))).toBe('BB');
  expect(lib.AA).toBe(0);
  expect(lib.BB).toBe(2);
});

test('test_typedef_enum_as_argument', () => {
  const ffi = new FFI();
  ffi.cdef(`
        typedef enum { AA, BB, ... } foo_t;
        int foo_func(foo_t);
    `);
  const lib = ffi.verify(`
        typedef enum { AA, CC, BB } foo_t;
        int foo_func(foo_t e) { return (int)e; }
    `);
  expect(lib.foo_func(lib.BB)).toBe(lib.BB);
  expect(lib.BB).toBe(2);
  // differs from CFFI: see docs/cffi-differences.md, "Enums take enumerator names" (CFFI: TypeError)
  expect(lib.foo_func('BB')).toBe(2);
  raises(TypeError, () => lib.foo_func('CC')); // a name the cdef does not declare
});

test('test_typedef_enum_as_function_result', () => {
  const ffi = new FFI();
  ffi.cdef(`
        typedef enum { AA, BB, ... } foo_t;
        foo_t foo_func(int x);
    `);
  const lib = ffi.verify(`
        typedef enum { AA, CC, BB } foo_t;
        foo_t foo_func(int x) { return (foo_t)x; }
    `);
  expect(lib.foo_func(lib.BB)).toBe(lib.BB);
  expect(lib.BB).toBe(2);
});

test('test_function_typedef', () => {
  const ffi = new FFI();
  ffi.cdef(`
        typedef double func_t(double);
        func_t sin;
    `);
  const lib = ffi.verify('#include <math.h>', { libraries: lib_m });
  expect(lib.sin(1.23)).toBe(Math.sin(1.23));
});

test('test_opaque_integer_as_function_result', () => {
  // XXX bad abuse of "struct { ...; }".  It only works a bit by chance
  // anyway.  XXX think about something better :-(
  const ffi = new FFI();
  ffi.cdef(`
        typedef struct { ...; } myhandle_t;
        myhandle_t foo(void);
    `);
  const lib = ffi.verify(`
        typedef short myhandle_t;
        myhandle_t foo(void) { return 42; }
    `);
  const h = lib.foo();
  expect(ffi.sizeof(h)).toBe(ffi.sizeof('short'));
});

test('test_return_partial_struct', () => {
  const ffi = new FFI();
  ffi.cdef(`
        typedef struct { int x; ...; } foo_t;
        foo_t foo(void);
    `);
  const lib = ffi.verify(`
        typedef struct { int y, x; } foo_t;
        foo_t foo(void) { foo_t r = { 45, 81 }; return r; }
    `);
  const h = lib.foo();
  expect(ffi.sizeof(h)).toBe(2 * ffi.sizeof('int'));
  expect(h.x).toBe(81);
});

test('test_take_and_return_partial_structs', () => {
  const ffi = new FFI();
  ffi.cdef(`
        typedef struct { int x; ...; } foo_t;
        foo_t foo(foo_t, foo_t);
    `);
  const lib = ffi.verify(`
        typedef struct { int y, x; } foo_t;
        foo_t foo(foo_t a, foo_t b) {
            foo_t r = { 100, a.x * 5 + b.x * 7 };
            return r;
        }
    `);
  const args = ffi.new('foo_t[3]');
  args[0].x = 1000;
  args[2].x = -498;
  const h = lib.foo(args[0], args[2]);
  expect(ffi.sizeof(h)).toBe(2 * ffi.sizeof('int'));
  expect(h.x).toBe(1000 * 5 - 498 * 7);
});

test('test_cannot_name_struct_type', () => {
  const ffi = new FFI();
  ffi.cdef('typedef struct { int x; } **sp; void foo(sp);');
  // CFFI: "...in argument of foo: unknown type name..."
  raises(VerificationError, () => ffi.verify('typedef struct { int x; } **sp; void foo(sp x) { }'), /\bfoo\b/);
});

test('test_dont_check_unnamable_fields', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { struct { int x; } someone; };');
  ffi.verify('struct foo_s { struct { int x; } someone; };');
  // assert did not crash
});

test('test_nested_anonymous_struct_exact', () => {
  const ffi = new FFI();
  ffi.cdef(`
        struct foo_s { struct { int a; char b; }; union { char c, d; }; };
    `);
  ffi.verify(`
        struct foo_s { struct { int a; char b; }; union { char c, d; }; };
    `);
  const p = ffi.new('struct foo_s *');
  expect(ffi.sizeof(p[0])).toBe(3 * ffi.sizeof('int')); // with alignment
  p.a = 1234567;
  p.b = 'X';
  p.c = 'Y';
  expect(p.a).toBe(1234567);
  expect(p.b).toBe('X'.charCodeAt(0));
  expect(p.c).toBe('Y'.charCodeAt(0));
  expect(p.d).toBe('Y'.charCodeAt(0));
});

test('test_nested_anonymous_struct_exact_error', () => {
  const ffi = new FFI();
  ffi.cdef(`
        struct foo_s { struct { int a; char b; }; union { char c, d; }; };
    `);
  raises(VerificationError, () => ffi.verify(`
        struct foo_s { struct { int a; short b; }; union { char c, d; }; };
    `));
  raises(VerificationError, () => ffi.verify(`
        struct foo_s { struct { int a; char e, b; }; union { char c, d; }; };
    `));
});

test('test_nested_anonymous_struct_inexact_1', () => {
  const ffi = new FFI();
  ffi.cdef(`
        struct foo_s { struct { char b; ...; }; union { char c, d; }; };
    `);
  ffi.verify(`
        struct foo_s { int a, padding; char c, d, b; };
    `);
  expect(ffi.sizeof('struct foo_s')).toBe(3 * ffi.sizeof('int'));
});

test('test_nested_anonymous_struct_inexact_2', () => {
  const ffi = new FFI();
  ffi.cdef(`
        struct foo_s { union { char c, d; }; struct { int a; char b; }; ...; };
    `);
  ffi.verify(`
        struct foo_s { int a, padding; char c, d, b; };
    `);
  expect(ffi.sizeof('struct foo_s')).toBe(3 * ffi.sizeof('int'));
});

test('test_ffi_union', () => {
  const ffi = new FFI();
  ffi.cdef('union foo_u { char x; long *z; };');
  ffi.verify('union foo_u { char x; int y; long *z; };');
});

test('test_ffi_union_partial', () => {
  const ffi = new FFI();
  ffi.cdef('union foo_u { char x; ...; };');
  ffi.verify('union foo_u { char x; int y; };');
  expect(ffi.sizeof('union foo_u')).toBe(4);
});

test('test_ffi_union_with_partial_struct', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { int x; ...; }; union foo_u { struct foo_s s; };');
  ffi.verify('struct foo_s { int a; int x; }; ' + 'union foo_u { char b[32]; struct foo_s s; };');
  expect(ffi.sizeof('struct foo_s')).toBe(8);
  expect(ffi.sizeof('union foo_u')).toBe(32);
});

test('test_ffi_union_partial_2', () => {
  const ffi = new FFI();
  ffi.cdef('typedef union { char x; ...; } u1;');
  ffi.verify('typedef union { char x; int y; } u1;');
  expect(ffi.sizeof('u1')).toBe(4);
});

test('test_ffi_union_with_partial_struct_2', () => {
  const ffi = new FFI();
  ffi.cdef('typedef struct { int x; ...; } s1;' + 'typedef union { s1 s; } u1;');
  ffi.verify('typedef struct { int a; int x; } s1; ' + 'typedef union { char b[32]; s1 s; } u1;');
  expect(ffi.sizeof('s1')).toBe(8);
  expect(ffi.sizeof('u1')).toBe(32);
  expect(ffi.offsetof('u1', 's')).toBe(0);
});

test('test_ffi_struct_packed', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { int b; ...; };');
  ffi.verify(`
        struct foo_s {
            char a;
            int b;
        } __attribute__((packed));
    `);
});

test('test_tmpdir', () => {
  const tmpdir = tempDir();
  const ffi = new FFI();
  ffi.cdef('int foo(int);');
  const lib = ffi.verify('int foo(int a) { return a + 42; }', { tmpdir });
  expect(fs.readdirSync(tmpdir).length).toBeGreaterThan(0);
  expect(lib.foo(100)).toBe(142);
});

test('test_relative_to', () => {
  const tmpdir = tempDir();
  const ffi = new FFI();
  ffi.cdef('int foo(int);');
  fs.writeFileSync(path.join(tmpdir, 'foo.h'), 'int foo(int a) { return a + 42; }\n');
  const lib = ffi.verify('#include "foo.h"', { includeDirs: ['.'], relativeTo: path.join(tmpdir, 'x') });
  expect(lib.foo(100)).toBe(142);
});

test('test_bug1', () => {
  const ffi = new FFI();
  ffi.cdef(`
        typedef struct tdlhandle_s { ...; } *tdl_handle_t;
        typedef struct my_error_code_ {
            tdl_handle_t *rh;
        } my_error_code_t;
    `);
  ffi.verify(`
        typedef struct tdlhandle_s { int foo; } *tdl_handle_t;
        typedef struct my_error_code_ {
            tdl_handle_t *rh;
        } my_error_code_t;
    `);
});

test('test_bool', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { _Bool x; };' + '_Bool foo(_Bool); static _Bool (*foop)(_Bool);');
  const lib = ffi.verify(`
        struct foo_s { _Bool x; };
        int foo(int arg) {
            return !arg;
        }
        _Bool _foofunc(_Bool x) {
            return !x;
        }
        static _Bool (*foop)(_Bool) = _foofunc;
    `);
  const p = ffi.new('struct foo_s *');
  p.x = 1;
  expect(p.x).toBe(true);
  raises(RangeError, () => { p.x = -1; });
  raises(TypeError, () => { p.x = 0.5; }); // CFFI: 0.0
  expect(lib.foop(1)).toBe(false);
  expect(lib.foop(true)).toBe(false);
  expect(lib.foop(0)).toBe(true);
  raises(RangeError, () => lib.foop(42));
  raises(TypeError, () => lib.foop(0.5)); // CFFI: 0.0
  expect(lib.foo(1)).toBe(false);
  expect(lib.foo(true)).toBe(false);
  expect(lib.foo(0)).toBe(true);
  raises(RangeError, () => lib.foo(42));
  raises(TypeError, () => lib.foo(0.5)); // CFFI: 0.0
  expect(Number(ffi.cast('_Bool', 1n))).toBe(1);
  expect(Number(ffi.cast('_Bool', 0n))).toBe(0);
  expect(Number(ffi.cast('_Bool', -1n))).toBe(1);
  expect(Number(ffi.cast('_Bool', 10n ** 200n))).toBe(1);
  expect(Number(ffi.cast('_Bool', 10n ** 40000n))).toBe(1);
  // an object that converts itself to an integer (Python's __int__, JavaScript's valueOf)
  let result = 42;
  const f = { seen: 0, valueOf(): number { this.seen = 1; return result; } };
  expect(Number(ffi.cast('_Bool', f))).toBe(1);
  expect(f.seen).toBeTruthy();
  f.seen = 0;
  result = 0;
  expect(Number(ffi.cast('_Bool', f))).toBe(0);
  expect(f.seen).toBeTruthy();
  raises(TypeError, () => ffi.cast('_Bool', []));
});

test('test_bool_on_long_double', () => {
  const f: number = 1e-250;
  // CFFI skips when f == 0.0 or f*f != 0.0 ("unexpected precision"): not so for IEEE doubles
  expect(f !== 0 && f * f === 0).toBe(true);
  const ffi = new FFI();
  ffi.cdef('long double square(long double f); _Bool opposite(_Bool); void square_in_place(long double *f); _Bool nonzero(long double *f);');
  const lib = ffi.verify(
    'long double square(long double f) { return f*f; }\n' + '_Bool opposite(_Bool x) { return !x; }\n' +
      'void square_in_place(long double *f) { *f = *f * *f; }\n' + '_Bool nonzero(long double *f) { return *f != 0; }',
  );
  const f0 = lib.square(0.0);
  const f2 = lib.square(f);
  const f3 = lib.square(f * 2.0);
  // differs from CFFI: see docs/cffi-differences.md, "A long double crosses into JavaScript as the nearest double"
  // f*f is not 0 as a long double, but its nearest double is: every result here is the number 0.
  expect(String(f2)).toBe(String(f3));
  expect(Number(f0)).toBe(0.0); // too tiny for 'double'
  expect(Number(f2)).toBe(0.0);
  expect(Number(f3)).toBe(0.0);
  expect(ffi.cast('_Bool', f2)).toBe(false);
  expect(ffi.cast('_Bool', f3)).toBe(false);
  expect(ffi.cast('_Bool', f0)).toBe(false);
  // A number is a fine _Bool argument (CFFI refuses its long double cdata): 0 is false.
  expect(lib.opposite(f2)).toBe(true);
  // Kept in C memory, f*f is not 0: JavaScript reads its nearest double, C the long double.
  const p = ffi.new('long double *', f);
  lib.square_in_place(p);
  expect(p[0]).toBe(0);
  expect(lib.nonzero(p)).toBe(true);
});

test('test_cannot_pass_float', () => {
  for (const basetype of ['char', 'short', 'int', 'long', 'long long']) {
    for (const sign of ['signed', 'unsigned']) {
      const type = `${sign} ${basetype}`;
      const ffi = new FFI();
      ffi.cdef(`struct foo_s { ${type} x; };\n` + `int foo(${type});`);
      const lib = ffi.verify(`
                struct foo_s { ${type} x; };
                int foo(${type} arg) {
                    return !arg;
                }
            `);
      const p = ffi.new('struct foo_s *');
      raises(TypeError, () => { p.x = 0.5; }); // CFFI: 0.0
      expect(lib.foo(42)).toBe(0);
      expect(lib.foo(0)).toBe(1);
      raises(TypeError, () => lib.foo(0.5)); // CFFI: 0.0
    }
  }
});

test('test_cast_from_int_type_to_bool', () => {
  const ffi = new FFI();
  for (const basetype of ['char', 'short', 'int', 'long', 'long long']) {
    for (const sign of ['signed', 'unsigned']) {
      const type = `${sign} ${basetype}`;
      expect(Number(ffi.cast('_Bool', ffi.cast(type, 42)))).toBe(1);
      expect(Number(ffi.cast('bool', ffi.cast(type, 42)))).toBe(1);
      expect(Number(ffi.cast('_Bool', ffi.cast(type, 0)))).toBe(0);
    }
  }
});

test('test_addressof', () => {
  const ffi = new FFI();
  ffi.cdef(`
        struct point_s { int x, y; };
        struct foo_s { int z; struct point_s point; };
        struct point_s sum_coord(struct point_s *);
    `);
  const lib = ffi.verify(`
        struct point_s { int x, y; };
        struct foo_s { int z; struct point_s point; };
        struct point_s sum_coord(struct point_s *point) {
            struct point_s r;
            r.x = point->x + point->y;
            r.y = point->x - point->y;
            return r;
        }
    `);
  const p = ffi.new('struct foo_s *');
  p.point.x = 16;
  p.point.y = 9;
  raises(TypeError, () => lib.sum_coord(p.point));
  const res = lib.sum_coord(ffi.addressof(p.point));
  expect(res.x).toBe(25);
  expect(res.y).toBe(7);
  const res2 = lib.sum_coord(ffi.addressof(res));
  expect(res2.x).toBe(32);
  expect(res2.y).toBe(18);
  raises(TypeError, () => lib.sum_coord(res2));
});

test('test_callback_in_thread', () => {
  // CFFI runs testing/cffi0/callback_in_thread.py in a subprocess; this is its program (with cffi's own FFI,
  // not this module's subclass).
  const out = inChild(`
    const ffi = new lib_.FFI();
    ffi.cdef(\`
        typedef int (*mycallback_func_t)(int, int);
        int threaded_ballback_test(mycallback_func_t mycb);
    \`);
    const lib = ffi.verify(\`
        #include <pthread.h>
        typedef int (*mycallback_func_t)(int, int);
        void *my_wait_function(void *ptr) {
            mycallback_func_t cbfunc = (mycallback_func_t)ptr;
            cbfunc(10, 10);
            cbfunc(12, 15);
            return NULL;
        }
        int threaded_ballback_test(mycallback_func_t mycb) {
            pthread_t thread;
            pthread_create(&thread, NULL, my_wait_function, (void*)mycb);
            return 0;
        }
    \`, { extraCompileArgs: ['-pthread'] });
    const seen = [];
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    const mycallback = ffi.callback('int(*)(int,int)', (x, y) => {
      sleep(22);
      seen.push([x, y]);
      return 0;
    });
    // Kept, as the Python function's frame keeps them while it polls: the callback, which C's thread
    // calls later, and the library, whose code that thread runs (a library nothing refers to is unloaded).
    globalThis.keep = { lib, mycallback };
    lib.threaded_ballback_test(mycallback);
    // CFFI polls 300 times 10 ms; this polls ten times longer, as a guard against hanging, not a speed check
    let count = 3000;
    const poll = () => {
      // The thread still returns from its second call into C when the JavaScript side has seen it:
      // a process that exits meanwhile tears koffi down under it. Give it a moment, as Python's
      // slower exit does (docs/reliability.md, limits).
      if (seen.length === 2) { console.log(JSON.stringify({ seen })); setTimeout(() => {}, 100); return; }
      count -= 1;
      if (count <= 0) { console.log(JSON.stringify({ timeout: true, seen })); return; }
      setTimeout(poll, 10);
    };
    poll();
  `);
  expect(out).toEqual({ seen: [[10, 10], [12, 15]] });
});

test('test_keepalive_lib', () => {
  const out = inChild(`
    require('v8').setFlagsFromString('--expose-gc');
    const gc = require('vm').runInNewContext('gc');
    (async () => {
      let ffi = new FFI();
      ffi.cdef('int foobar(void);');
      let lib = ffi.verify('int foobar(void) { return 42; }');
      const func = lib.foobar;
      const ffi_r = new WeakRef(ffi);
      const lib_r = new WeakRef(lib);
      ffi = null;
      await new Promise((r) => setImmediate(r));
      gc(); // lib stays alive
      await new Promise((r) => setImmediate(r));
      console.log(JSON.stringify({ lib: lib_r.deref() !== undefined, ffi: ffi_r.deref() !== undefined, func: func(), keep: typeof lib }));
    })();
  `);
  expect(out).toEqual({ lib: true, ffi: true, func: 42, keep: 'object' });
});

test('test_keepalive_ffi', () => {
  const out = inChild(`
    require('v8').setFlagsFromString('--expose-gc');
    const gc = require('vm').runInNewContext('gc');
    (async () => {
      let ffi = new FFI();
      ffi.cdef('int foobar(void);');
      let lib = ffi.verify('int foobar(void) { return 42; }');
      const func = lib.foobar;
      const ffi_r = new WeakRef(ffi);
      const lib_r = new WeakRef(lib);
      lib = null;
      await new Promise((r) => setImmediate(r));
      gc(); // ffi stays alive
      await new Promise((r) => setImmediate(r));
      console.log(JSON.stringify({ ffi: ffi_r.deref() !== undefined, lib: lib_r.deref() !== undefined, func: func(), keep: typeof ffi }));
    })();
  `);
  expect(out).toEqual({ ffi: true, lib: true, func: 42, keep: 'object' });
});

test('test_global_array_with_missing_length', () => {
  const ffi = new FFI();
  ffi.cdef('extern int fooarray[];');
  const lib = ffi.verify('int fooarray[50];');
  expect(String(lib.fooarray)).toMatch(/^<cdata 'int \*'/);
});

test('test_global_array_with_dotdotdot_length', () => {
  const ffi = new FFI();
  ffi.cdef('extern int fooarray[...];');
  const lib = ffi.verify('int fooarray[50];');
  expect(String(lib.fooarray)).toMatch(/^<cdata 'int\[50\]'/);
});

test('test_bad_global_array_with_dotdotdot_length', () => {
  const ffi = new FFI();
  ffi.cdef('extern int fooarray[...];');
  raises(VerificationError, () => ffi.verify('char fooarray[23];'));
});

test('test_struct_containing_struct', () => {
  let ffi = new FFI();
  ffi.cdef('struct foo_s { ...; }; struct bar_s { struct foo_s f; ...; };');
  ffi.verify('struct foo_s { int x; }; struct bar_s { struct foo_s f; };');
  ffi = new FFI();
  ffi.cdef('struct foo_s { struct bar_s f; ...; }; struct bar_s { ...; };');
  ffi.verify('struct bar_s { int x; }; struct foo_s { struct bar_s f; };');
});

test('test_struct_returned_by_func', () => {
  const ffi = new FFI();
  ffi.cdef('typedef ... foo_t; foo_t myfunc(void);');
  // CFFI: "function myfunc: 'foo_t' is used as result type, but is opaque"
  raises(TypeError, () => ffi.verify('typedef struct { int x; } foo_t; ' + 'foo_t myfunc(void) { foo_t x = { 42 }; return x; }'),
    /myfunc/, /'foo_t'/, /opaque/);
});

test('test_include', () => {
  const ffi1 = new FFI();
  ffi1.cdef('typedef struct { int x; ...; } foo_t;');
  ffi1.verify('typedef struct { int y, x; } foo_t;');
  const ffi2 = new FFI();
  more(ffi2).include(ffi1);
  ffi2.cdef('int myfunc(foo_t *);');
  const lib = ffi2.verify('typedef struct { int y, x; } foo_t;' + 'int myfunc(foo_t *p) { return 42 * p->x; }');
  let res = lib.myfunc(ffi2.new('foo_t *', { x: 10 }));
  expect(res).toBe(420);
  res = lib.myfunc(ffi1.new('foo_t *', { x: -10 }));
  expect(res).toBe(-420);
});

test('test_include_enum', () => {
  const ffi1 = new FFI();
  ffi1.cdef('enum foo_e { AA, ... };');
  ffi1.verify('enum foo_e { CC, BB, AA };');
  const ffi2 = new FFI();
  more(ffi2).include(ffi1);
  ffi2.cdef('int myfunc(enum foo_e);');
  const lib2 = ffi2.verify('enum foo_e { CC, BB, AA };' + 'int myfunc(enum foo_e x) { return (int)x; }');
  const res = lib2.myfunc(lib2.AA);
  expect(res).toBe(2);
});

test('test_named_pointer_as_argument', () => {
  const ffi = new FFI();
  ffi.cdef('typedef struct { int x; } *mystruct_p;\n' + 'mystruct_p ff5a(mystruct_p);');
  const lib = ffi.verify('typedef struct { int x; } *mystruct_p;\n' + 'mystruct_p ff5a(mystruct_p p) { p->x += 40; return p; }');
  const p = ffi.new('mystruct_p', [-2]);
  const q = lib.ff5a(p);
  expect(addr(ffi, q)).toBe(addr(ffi, p));
  expect(p.x).toBe(38);
});

test('test_enum_size', () => {
  const cases: [string, number, bigint][] = [
    ['123', 4, 4294967295n],
    ['4294967295U', 4, 4294967295n],
    ['-123', 4, -1n],
    ['-2147483647-1', 4, -1n],
  ];
  const values: Record<string, bigint> = {
    '123': 123n, '4294967295U': 4294967295n, '-123': -123n, '-2147483647-1': -2147483648n,
    '4294967296L': 4294967296n, [`${2n ** 64n - 1n}UL`]: 2n ** 64n - 1n, '-2147483649L': -2147483649n,
    [`${1n - 2n ** 63n}L-1L`]: -(2n ** 63n),
  };
  if (new FFI().sizeof('long') === 8) {
    cases.push(
      ['4294967296L', 8, 2n ** 64n - 1n],
      [`${2n ** 64n - 1n}UL`, 8, 2n ** 64n - 1n],
      ['-2147483649L', 8, -1n],
      [`${1n - 2n ** 63n}L-1L`, 8, -1n],
    );
  }
  for (const [hidden_value, expected_size, expected_minus1] of cases) {
    const ffi = new FFI();
    ffi.cdef('enum foo_e { AA, BB, ... };');
    const lib = ffi.verify(`enum foo_e { AA, BB=${hidden_value} };`);
    expect(lib.AA).toBe(0);
    expect(lib.BB).toBe(N(values[hidden_value])); // eval(hidden_value without U and L)
    expect(ffi.sizeof('enum foo_e')).toBe(expected_size);
    expect(ffi.cast('enum foo_e', -1).value).toBe(N(expected_minus1));
  }
});

test('test_enum_bug118', () => {
  const maxulong = 256n ** BigInt(new FFI().sizeof('unsigned long')) - 1n;
  for (const [c1, c2, c2c] of [[0xffffffffn, -1n, ''], [maxulong, -1n, ''], [-1n, 0xffffffffn, 'U'], [-1n, maxulong, 'UL']] as const) {
    const ffi = new FFI();
    ffi.cdef(`enum foo_e { AA=${c1} };`);
    // CFFI: 'enum foo_e: AA has the real value %d, not %d' % (c2, c1)
    raises(VerificationError, () => ffi.verify(`enum foo_e { AA=${c2}${c2c} };`),
      /enum foo_e\b/, /\bAA\b/, new RegExp(`[^\\d-]${c2}\\b`), new RegExp(`[^\\d-]${c1}\\b`));
  }
});

test('test_string_to_voidp_arg', () => {
  const ffi = new FFI();
  ffi.cdef('int myfunc(void *);');
  const lib = ffi.verify('int myfunc(void *p) { return ((signed char *)p)[0]; }');
  let res = lib.myfunc('hi!');
  expect(res).toBe('h'.charCodeAt(0));
  const p = ffi.new('char[]', 'gah');
  res = lib.myfunc(p);
  expect(res).toBe('g'.charCodeAt(0));
  res = lib.myfunc(ffi.cast('void *', p));
  expect(res).toBe('g'.charCodeAt(0));
  res = lib.myfunc(ffi.cast('int *', p));
  expect(res).toBe('g'.charCodeAt(0));
});

test('test_callback_indirection', () => {
  const ffi = new FFI();
  ffi.cdef(`
        static int (*python_callback)(int how_many, int *values);
        int (*const c_callback)(int,...);   /* pass this ptr to C routines */
        int some_c_function(int(*cb)(int,...));
    `);
  const lib = ffi.verify(`
        #include <stdarg.h>
        #ifdef _WIN32
        #include <malloc.h>
        #define alloca _alloca
        #else
        # ifdef __FreeBSD__
        #  include <stdlib.h>
        # else
        #  include <alloca.h>
        # endif
        #endif
        static int (*python_callback)(int how_many, int *values);
        static int c_callback(int how_many, ...) {
            va_list ap;
            /* collect the "..." arguments into the values[] array */
            int i, *values = alloca((size_t)how_many * sizeof(int));
            va_start(ap, how_many);
            for (i=0; i<how_many; i++)
                values[i] = va_arg(ap, int);
            va_end(ap);
            return python_callback(how_many, values);
        }
        int some_c_function(int(*cb)(int,...)) {
            int result = cb(2, 10, 20);
            result += cb(3, 30, 40, 50);
            return result;
        }
    `);
  const seen: number[][] = [];
  const python_callback = ffi.callback('int(int, int*)', (how_many: number, values: CData) => {
    seen.push(Array.from({ length: how_many }, (_, i) => values[i]));
    return 42;
  });
  lib.python_callback = python_callback;
  const res = lib.some_c_function(lib.c_callback);
  expect(res).toBe(84);
  expect(seen).toEqual([[10, 20], [30, 40, 50]]);
});

test('test_floatstar_argument', () => {
  const ffi = new FFI();
  ffi.cdef('float sum3floats(float *);');
  const lib = ffi.verify(`
        float sum3floats(float *f) {
            return f[0] + f[1] + f[2];
        }
    `);
  expect(lib.sum3floats([1.5, 2.5, 3.5])).toBe(7.5);
  const p = ffi.new('float[]', [1.5, 2.5, 3.5]);
  expect(lib.sum3floats(p)).toBe(7.5);
});

test('test_charstar_argument', () => {
  const ffi = new FFI();
  ffi.cdef('char sum3chars(char *);');
  const lib = ffi.verify(`
        char sum3chars(char *f) {
            return (char)(f[0] + f[1] + f[2]);
        }
    `);
  expect(lib.sum3chars(['\x10', '\x20', '\x30'])).toBe(0x60);
  const p = ffi.new('char[]', '\x10\x20\x30');
  expect(lib.sum3chars(p)).toBe(0x60);
});

test('test_passing_string_or_NULL', () => {
  const ffi = new FFI();
  ffi.cdef('int seeme1(char *); int seeme2(int *);');
  const lib = ffi.verify(`
        int seeme1(char *x) {
            return (x == NULL);
        }
        int seeme2(int *x) {
            return (x == NULL);
        }
    `);
  expect(lib.seeme1('foo')).toBe(0);
  expect(lib.seeme1(ffi.NULL)).toBe(1);
  expect(lib.seeme2([42, 43])).toBe(0);
  expect(lib.seeme2(ffi.NULL)).toBe(1);
  raises(TypeError, () => lib.seeme1(undefined)); // CFFI: None
  raises(TypeError, () => lib.seeme2(undefined)); // CFFI: None
  raises(TypeError, () => lib.seeme1(0.5)); // CFFI: 0.0
  raises(TypeError, () => lib.seeme2(0.5)); // CFFI: 0.0
  raises(TypeError, () => lib.seeme1(0));
  raises(TypeError, () => lib.seeme2(0));
  let zeroL = 99999999999999999999n;
  zeroL -= 99999999999999999999n;
  raises(TypeError, () => lib.seeme2(zeroL));
});

test('test_typeof_function', () => {
  const ffi = new FFI();
  ffi.cdef('int foo(int, char);');
  const lib = ffi.verify('int foo(int x, char y) { (void)x; (void)y; return 42; }');
  const ctype = ffi.typeof(lib.foo);
  // differs from CFFI: see docs/cffi-differences.md, "A function pointer's ctype is a pointer" (kind 'pointer';
  // args and result are the function's, as CFFI's)
  expect(ctype.kind === 'pointer' && ctype.args?.length).toBe(2);
  expect(ctype.kind === 'pointer' && ctype.result).toBe(ffi.typeof('int'));
});

test('test_call_with_voidstar_arg', () => {
  const ffi = new FFI();
  ffi.cdef('int f(void *);');
  const lib = ffi.verify('int f(void *x) { return ((char*)x)[0]; }');
  expect(lib.f('foobar')).toBe('f'.charCodeAt(0));
});

test('test_dir', () => {
  const ffi = new FFI();
  ffi.cdef(`void somefunc(void);
                extern int somevar, somearray[2];
                static char *const sv2;
                enum my_e { AA, BB, ... };
                #define FOO ...`);
  const lib = ffi.verify(`void somefunc(void) { }
                        int somevar, somearray[2];
                        #define sv2 "text"
                        enum my_e { AA, BB };
                        #define FOO 42`);
  expect(Object.keys(lib).sort()).toEqual(['AA', 'BB', 'FOO', 'somearray', 'somefunc', 'somevar', 'sv2']);
});

test('test_typeof_func_with_struct_argument', () => {
  const ffi = new FFI();
  ffi.cdef('struct s { int a; }; int foo(struct s);');
  const lib = ffi.verify(`struct s { int a; };
                        int foo(struct s x) { return x.a; }`);
  const s = ffi.new('struct s *', [-1234]);
  const m = lib.foo(s[0]);
  expect(m).toBe(-1234);
  expect(String(ffi.typeof(lib.foo))).toBe("<ctype 'int(*)(struct s)'>");
});

test('test_bug_const_char_ptr_array_1', () => {
  const ffi = new FFI();
  ffi.cdef('extern const char *a[...];');
  const lib = ffi.verify('const char *a[5];');
  expect(String(ffi.typeof(lib.a))).toBe("<ctype 'char *[5]'>");
});

test('test_bug_const_char_ptr_array_2', () => {
  const ffi = new BaseFFI(); // ignore warnings
  ffi.cdef('extern const int a[];');
  const lib = ffi.verify('const int a[5];');
  expect(String(ffi.typeof(lib.a))).toBe("<ctype 'int *'>");
});

function _test_various_calls(force_libffi: boolean): void {
  let cdef_source = `
    extern int xvalue;
    extern long long ivalue, rvalue;
    extern float fvalue;
    extern double dvalue;
    extern long double Dvalue;
    signed char tf_bb(signed char x, signed char c);
    unsigned char tf_bB(signed char x, unsigned char c);
    short tf_bh(signed char x, short c);
    unsigned short tf_bH(signed char x, unsigned short c);
    int tf_bi(signed char x, int c);
    unsigned int tf_bI(signed char x, unsigned int c);
    long tf_bl(signed char x, long c);
    unsigned long tf_bL(signed char x, unsigned long c);
    long long tf_bq(signed char x, long long c);
    unsigned long long tf_bQ(signed char x, unsigned long long c);
    float tf_bf(signed char x, float c);
    double tf_bd(signed char x, double c);
    long double tf_bD(signed char x, long double c);
    `;
  if (force_libffi) {
    cdef_source = cdef_source.replace(/tf_/g, '(*const tf_').replace(/\(signed char x/g, ')(signed char x');
  }
  const ffi = new FFI();
  ffi.cdef(cdef_source);
  const lib = ffi.verify(`
    int xvalue;
    long long ivalue, rvalue;
    float fvalue;
    double dvalue;
    long double Dvalue;

    typedef signed char b_t;
    typedef unsigned char B_t;
    typedef short h_t;
    typedef unsigned short H_t;
    typedef int i_t;
    typedef unsigned int I_t;
    typedef long l_t;
    typedef unsigned long L_t;
    typedef long long q_t;
    typedef unsigned long long Q_t;
    typedef float f_t;
    typedef double d_t;
    typedef long double D_t;
    #define S(letter)  xvalue = (int)x; letter##value = (letter##_t)c;
    #define R(letter)  return (letter##_t)rvalue;

    signed char tf_bb(signed char x, signed char c) { S(i) R(b) }
    unsigned char tf_bB(signed char x, unsigned char c) { S(i) R(B) }
    short tf_bh(signed char x, short c) { S(i) R(h) }
    unsigned short tf_bH(signed char x, unsigned short c) { S(i) R(H) }
    int tf_bi(signed char x, int c) { S(i) R(i) }
    unsigned int tf_bI(signed char x, unsigned int c) { S(i) R(I) }
    long tf_bl(signed char x, long c) { S(i) R(l) }
    unsigned long tf_bL(signed char x, unsigned long c) { S(i) R(L) }
    long long tf_bq(signed char x, long long c) { S(i) R(q) }
    unsigned long long tf_bQ(signed char x, unsigned long long c) { S(i) R(Q) }
    float tf_bf(signed char x, float c) { S(f) R(f) }
    double tf_bd(signed char x, double c) { S(d) R(d) }
    long double tf_bD(signed char x, long double c) { S(D) R(D) }
    `);
  const rvalue = 0x7182838485868788n;
  lib.rvalue = rvalue;
  // int(ffi.cast(cname, 0x7182838485868788)), worked out without the code under test
  const castOf: Record<string, number | bigint> = {
    'signed char': N(BigInt.asIntN(8, rvalue)), 'unsigned char': N(BigInt.asUintN(8, rvalue)),
    short: N(BigInt.asIntN(16, rvalue)), 'unsigned short': N(BigInt.asUintN(16, rvalue)),
    int: N(BigInt.asIntN(32, rvalue)), 'unsigned int': N(BigInt.asUintN(32, rvalue)),
    long: N(BigInt.asIntN(64, rvalue)), 'unsigned long': N(BigInt.asUintN(64, rvalue)),
    'long long': N(BigInt.asIntN(64, rvalue)), 'unsigned long long': N(BigInt.asUintN(64, rvalue)),
    float: Math.fround(Number(rvalue)), double: Number(rvalue), 'long double': Number(rvalue),
  };
  for (const [kind, cname] of [['b', 'signed char'], ['B', 'unsigned char'], ['h', 'short'], ['H', 'unsigned short'],
    ['i', 'int'], ['I', 'unsigned int'], ['l', 'long'], ['L', 'unsigned long'], ['q', 'long long'],
    ['Q', 'unsigned long long'], ['f', 'float'], ['d', 'double'], ['D', 'long double']]) {
    const sign = cname.includes('unsigned') ? +1 : -1;
    lib.xvalue = 0;
    lib.ivalue = 0;
    lib.fvalue = 0;
    lib.dvalue = 0;
    lib.Dvalue = 0;
    const fun = lib[`tf_b${kind}`];
    let res = fun(-42, sign * 99);
    if (kind === 'D') res = Number(res);
    expect(res).toBe(castOf[cname]);
    expect(lib.xvalue).toBe(-42);
    if ('fdD'.includes(kind)) expect(Number(lib[`${kind}value`])).toBe(-99.0);
    else expect(lib.ivalue).toBe(sign * 99);
  }
}

test('test_various_calls_direct', () => {
  _test_various_calls(false);
});

test.failing('test_various_calls_libffi', () => {
  _test_various_calls(true);
});

test('test_ptr_to_opaque', () => {
  const ffi = new FFI();
  ffi.cdef('typedef ... foo_t; int f1(foo_t*); foo_t *f2(int);');
  const lib = ffi.verify(`
        #include <stdlib.h>
        typedef struct { int x; } foo_t;
        int f1(foo_t* p) {
            int x = p->x;
            free(p);
            return x;
        }
        foo_t *f2(int x) {
            foo_t *p = malloc(sizeof(foo_t));
            p->x = x;
            return p;
        }
    `);
  const p = lib.f2(42);
  const x = lib.f1(p);
  expect(x).toBe(42);
});

/** test_errno_working_even_with_pypys_jit's test1, with its library, as JavaScript source for each thread. */
const ERRNO_TEST1 = `
  const ffi = new FFI();
  ffi.cdef('int f(int);');
  const lib = ffi.verify('#include <errno.h>\\nint f(int x) { return (errno = errno + x); }\\n');
  function test1() {
    ffi.errno = 0;
    for (let i = 0; i < 10000; i++) {
      const e = lib.f(1);
      if (e !== i + 1) throw new Error('f(1) gave ' + e + ', expected ' + (i + 1));
      if (ffi.errno !== e) throw new Error('ffi.errno is ' + ffi.errno + ', expected ' + e);
    }
    for (let i = 0; i < 10000; i++) {
      ffi.errno = i;
      const e = lib.f(42);
      if (e !== i + 42) throw new Error('f(42) gave ' + e + ' after errno = ' + i);
    }
  }
`;

test('test_errno_working_even_with_pypys_jit', () => {
  // _run_in_multiple_threads: test1 on the main thread, then in 10 threads at once (worker_threads, each with
  // its own FFI over the same library, as JavaScript threads share no objects).
  const worker = `require(${JSON.stringify(require.resolve('tsx/cjs'))});\nconst LIB = ${JSON.stringify(LIB)};\n`
    + `${CHILD_PRELUDE}\n${ERRNO_TEST1}\n`
    + 'let error = null; try { test1(); } catch (e) { error = String(e); }\n'
    + 'require("worker_threads").parentPort.postMessage(error);';
  const out = inChild(`
    const { Worker } = require('worker_threads');
    ${ERRNO_TEST1}
    test1();
    const runs = [];
    for (let i = 0; i < 10; i++) {
      runs.push(new Promise((resolve, reject) => {
        const w = new Worker(${JSON.stringify(worker)}, { eval: true });
        w.on('message', resolve);
        w.on('error', reject);
      }));
    }
    Promise.all(runs).then((errors) => console.log(JSON.stringify({ errors: errors.filter((e) => e !== null) })),
      (e) => console.log(JSON.stringify({ workerError: String(e) })));
  `);
  expect(out).toEqual({ errors: [] });
});

/** ffi.RTLD_GLOBAL | ffi.RTLD_LAZY; reading a missing attribute fails in Python, so it fails here too. */
function globalLazy(ffi: BaseFFI): number {
  const { RTLD_GLOBAL, RTLD_LAZY } = more(ffi);
  expect({ RTLD_GLOBAL: typeof RTLD_GLOBAL, RTLD_LAZY: typeof RTLD_LAZY }).toEqual({ RTLD_GLOBAL: 'number', RTLD_LAZY: 'number' });
  return RTLD_GLOBAL | RTLD_LAZY;
}

function get_second_lib(): Lib {
  // Hack, using modulename makes the test fail
  const ffi2 = new FFI();
  ffi2.cdef('extern int foo_verify_dlopen_flags;');
  return ffi2.verify('int foo_verify_dlopen_flags;', { flags: globalLazy(ffi2) });
}

test('test_verify_dlopen_flags', () => {
  // Careful with RTLD_GLOBAL.  If by chance the FFI is not deleted
  // promptly, then other tests may see the same
  // exported symbols as well.  So we must not export a simple name
  // like 'foo'!
  const ffi1 = new FFI();
  ffi1.cdef('extern int foo_verify_dlopen_flags;');
  const lib1 = ffi1.verify('int foo_verify_dlopen_flags;', { flags: globalLazy(ffi1) });
  const lib2 = get_second_lib();
  lib1.foo_verify_dlopen_flags = 42;
  expect(lib2.foo_verify_dlopen_flags).toBe(42);
  lib2.foo_verify_dlopen_flags += 1;
  expect(lib1.foo_verify_dlopen_flags).toBe(43);
});

test('test_consider_not_implemented_function_type', () => {
  // Calls through function pointers to address 123: run where a crash cannot end the suite.
  const out = inChild(`
    const ffi = new FFI();
    ffi.cdef("typedef union { int a; float b; } Data;"
             + "typedef struct { int a:2; } MyStr;"
             + "typedef void (*foofunc_t)(Data);"
             + "typedef Data (*bazfunc_t)(void);"
             + "typedef MyStr (*barfunc_t)(void);");
    const what = (fn) => { try { fn(); return { returned: true }; } catch (e) { return { name: e.name, message: e.message }; } };
    let fooptr, bazptr, barptr;
    const casts = what(() => {
      fooptr = ffi.cast("foofunc_t", 123);
      bazptr = ffi.cast("bazfunc_t", 123);
      barptr = ffi.cast("barfunc_t", 123);
    });
    // assert did not crash so far
    const calls = casts.returned ? [what(() => fooptr(ffi.new("Data *"))), what(() => bazptr()), what(() => barptr())] : null;
    console.log(JSON.stringify({ casts, calls }));
  `) as { casts: unknown; calls: { name: string; message: string }[] };
  expect(out.casts).toEqual({ returned: true });
  // CFFI raises NotImplementedError for all three, libffi having no unions and no bit-fields:
  // "ctype 'Data' not supported as argument by libffi.  Unions are only supported as argument if the function is 'API mode' ..."
  // "ctype 'Data' not supported as return value by libffi.  Unions are only supported as return value if ..."
  // "ctype 'MyStr' not supported as return value.  It is a struct with bit fields, which libffi does not support. ..."
  // koffi passes unions by value, and a struct's bit-fields as the integers that carry their bytes
  // (docs/cffi-differences.md): the calls go as far as their arguments (a 'Data *' is no 'Data')
  // and the address (123 is in the first page, never called).
  const [foo, baz, bar] = out.calls;
  expect(foo).toEqual({ name: 'TypeError', message: "'void(*)(Data)' argument 1: expected 'Data', got cdata 'Data *'" });
  expect(baz.name).toBe('RangeError');
  expect(baz.message).toMatch(/^'Data\(\*\)\(\)' at 0x7b: not a callable address/);
  expect(bar.name).toBe('RangeError');
  expect(bar.message).toMatch(/^'MyStr\(\*\)\(\)' at 0x7b: not a callable address/);
});

test('test_verify_extra_arguments', () => {
  const ffi = new FFI();
  ffi.cdef('#define ABA ...');
  const lib = ffi.verify('', { defineMacros: [['ABA', '42']] });
  expect(lib.ABA).toBe(42);
});

test('test_define_known_value', () => {
  const ffi = new FFI();
  ffi.cdef('#define FOO 0x123');
  const lib = ffi.verify('#define FOO 0x123');
  expect(lib.FOO).toBe(0x123);
});

test('test_define_wrong_value', () => {
  const ffi = new FFI();
  ffi.cdef('#define FOO 123');
  // CFFI: message ends with "FOO has the real value 124, not 123"
  raises(VerificationError, () => ffi.verify('#define FOO 124'), /\bFOO\b/, /\b124\b/, /\b123\b/);
});

test('test_static_const_int_known_value', () => {
  const ffi = new FFI();
  ffi.cdef('static const int FOO = 0x123;');
  const lib = ffi.verify('#define FOO 0x123');
  expect(lib.FOO).toBe(0x123);
});

test('test_static_const_int_wrong_value', () => {
  const ffi = new FFI();
  ffi.cdef('static const int FOO = 123;');
  // CFFI: message ends with "FOO has the real value 124, not 123"
  raises(VerificationError, () => ffi.verify('#define FOO 124'), /\bFOO\b/, /\b124\b/, /\b123\b/);
});

test('test_const_struct_global', () => {
  const ffi = new FFI();
  ffi.cdef('typedef struct { int x; ...; } T; const T myglob;');
  const lib = ffi.verify('typedef struct { double y; int x; } T;' + 'const T myglob = { 0.1, 42 };');
  expect(ffi.typeof(lib.myglob)).toBe(ffi.typeof('T'));
  expect(lib.myglob.x).toBe(42);
});

test('test_dont_support_int_dotdotdot', () => {
  let ffi = new FFI();
  ffi.cdef('typedef int... t1;');
  // CFFI: "feature not supported with ffi.verify(), but only with ffi.set_source(): 'typedef int... t1'"
  raises(VerificationError, () => ffi.verify(''), /\bt1\b/);
  ffi = new FFI();
  ffi.cdef('typedef double ... t1;');
  // CFFI: "feature not supported with ffi.verify(), but only with ffi.set_source(): 'typedef float... t1'"
  raises(VerificationError, () => ffi.verify(''), /\bt1\b/);
});

test('test_const_fields', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s { const int a; void *const b; };');
  ffi.verify('struct foo_s { const int a; void *const b; };');
  const foo_s = ffi.typeof('struct foo_s');
  const fields = foo_s.kind === 'struct' ? foo_s.fields ?? [] : [];
  expect(fields[0].name).toBe('a');
  expect(fields[0].type).toBe(ffi.typeof('int'));
  expect(fields[1].name).toBe('b');
  expect(fields[1].type).toBe(ffi.typeof('void *'));
});

test('test_win32_calling_convention_0', () => {
  const ffi = new FFI();
  ffi.cdef(`
        int call1(int(__cdecl   *cb)(int));
        int (*const call2)(int(__stdcall *cb)(int));
    `);
  const lib = ffi.verify(String.raw`
        #ifndef _MSC_VER
        #  define __stdcall  /* nothing */
        #endif
        int call1(int(*cb)(int)) {
            int i, result = 0;
            //printf("call1: cb = %p\n", cb);
            for (i = 0; i < 1000; i++)
                result += cb(i);
            //printf("result = %d\n", result);
            return result;
        }
        int call2(int(__stdcall *cb)(int)) {
            int i, result = 0;
            //printf("call2: cb = %p\n", cb);
            for (i = 0; i < 1000; i++)
                result += cb(-i);
            //printf("result = %d\n", result);
            return result;
        }
    `);
  const cb1 = ffi.callback('int(int)', (x: number) => x * 2);
  const cb2 = ffi.callback('int __stdcall(int)', (x: number) => x * 3);
  let res = lib.call1(cb1);
  expect(res).toBe(500 * 999 * 2);
  res = lib.call2(cb2);
  expect(res).toBe(-500 * 999 * 3);
  // not 32-bit Windows:
  expect(String(ffi.typeof(cb2))).not.toContain('__stdcall');
  expect(ffi.typeof(cb2)).toBe(ffi.typeof(cb1));
});

test('test_win32_calling_convention_1', () => {
  const ffi = new FFI();
  ffi.cdef(`
        int __cdecl   call1(int(__cdecl   *cb)(int));
        int __stdcall call2(int(__stdcall *cb)(int));
        int (__cdecl   *const cb1)(int);
        int (__stdcall *const cb2)(int);
    `);
  const lib = ffi.verify(String.raw`
        #ifndef _MSC_VER
        #  define __cdecl
        #  define __stdcall
        #endif
        int __cdecl   cb1(int x) { return x * 2; }
        int __stdcall cb2(int x) { return x * 3; }

        int __cdecl call1(int(__cdecl *cb)(int)) {
            int i, result = 0;
            //printf("here1\n");
            //printf("cb = %p, cb1 = %p\n", cb, (void *)cb1);
            for (i = 0; i < 1000; i++)
                result += cb(i);
            //printf("result = %d\n", result);
            return result;
        }
        int __stdcall call2(int(__stdcall *cb)(int)) {
            int i, result = 0;
            //printf("here1\n");
            //printf("cb = %p, cb2 = %p\n", cb, (void *)cb2);
            for (i = 0; i < 1000; i++)
                result += cb(-i);
            //printf("result = %d\n", result);
            return result;
        }
    `);
  expect(lib.call1(lib.cb1)).toBe(500 * 999 * 2);
  expect(lib.call2(lib.cb2)).toBe(-500 * 999 * 3);
});

test('test_win32_calling_convention_2', () => {
  // any mistake in the declaration of plain function (including the
  // precise argument types and, here, the calling convention) are
  // automatically corrected.  But this does not apply to the 'cb'
  // function pointer argument.
  const ffi = new FFI();
  ffi.cdef(`
        int __stdcall call1(int(__cdecl   *cb)(int));
        int __cdecl   call2(int(__stdcall *cb)(int));
        int (__cdecl   *const cb1)(int);
        int (__stdcall *const cb2)(int);
    `);
  const lib = ffi.verify(String.raw`
        #ifndef _MSC_VER
        #  define __cdecl
        #  define __stdcall
        #endif
        int __cdecl call1(int(__cdecl *cb)(int)) {
            int i, result = 0;
            for (i = 0; i < 1000; i++)
                result += cb(i);
            return result;
        }
        int __stdcall call2(int(__stdcall *cb)(int)) {
            int i, result = 0;
            for (i = 0; i < 1000; i++)
                result += cb(-i);
            return result;
        }
        int __cdecl   cb1(int x) { return x * 2; }
        int __stdcall cb2(int x) { return x * 3; }
    `);
  expect(lib.call1(lib.cb1)).toBe(500 * 999 * 2);
  expect(lib.call2(lib.cb2)).toBe(-500 * 999 * 3);
});

test('test_win32_calling_convention_3', () => {
  const ffi = new FFI();
  ffi.cdef(`
        struct point { int x, y; };

        int (*const cb1)(struct point);
        int (__stdcall *const cb2)(struct point);

        struct point __stdcall call1(int(*cb)(struct point));
        struct point call2(int(__stdcall *cb)(struct point));
    `);
  const lib = ffi.verify(String.raw`
        #ifndef _MSC_VER
        #  define __cdecl
        #  define __stdcall
        #endif
        struct point { int x, y; };
        int           cb1(struct point pt) { return pt.x + 10 * pt.y; }
        int __stdcall cb2(struct point pt) { return pt.x + 100 * pt.y; }
        struct point __stdcall call1(int(__cdecl *cb)(struct point)) {
            int i;
            struct point result = { 0, 0 };
            //printf("here1\n");
            //printf("cb = %p, cb1 = %p\n", cb, (void *)cb1);
            for (i = 0; i < 1000; i++) {
                struct point p = { i, -i };
                int r = cb(p);
                result.x += r;
                result.y -= r;
            }
            return result;
        }
        struct point __cdecl call2(int(__stdcall *cb)(struct point)) {
            int i;
            struct point result = { 0, 0 };
            for (i = 0; i < 1000; i++) {
                struct point p = { -i, i };
                int r = cb(p);
                result.x += r;
                result.y -= r;
            }
            return result;
        }
    `);
  let pt = lib.call1(lib.cb1);
  expect([pt.x, pt.y]).toEqual([-9 * 500 * 999, 9 * 500 * 999]);
  pt = lib.call2(lib.cb2);
  expect([pt.x, pt.y]).toEqual([99 * 500 * 999, -99 * 500 * 999]);
});

test('test_ffi_gc_size_arg', () => {
  // CFFI: "with PyPy's GC, these calls to ffi.gc() would rapidly consume 40 GB of RAM without the third
  // argument". The child stops as soon as it holds more than 2 GiB (a hundred of the 20 MB blocks), so the
  // machine never runs out of memory.
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.warn('test_ffi_gc_size_arg: skipped, CFFI only runs the memory-intensive test on Linux x86/x64');
    return;
  }
  // Inside one synchronous loop only the garbage collector itself can free: that takes the native helper
  // (docs/cffi-differences.md, "`ffi.gc()` with a size: the collector runs C destructors itself").
  if (!native?.gcFree) {
    console.warn('test_ffi_gc_size_arg: skipped, the native helper (built, on Node 20.10 or later) is not loaded');
    return;
  }
  const out = inChild(`
    const ffi = new FFI();
    ffi.cdef("void *malloc(size_t); void free(void *);");
    const lib = ffi.verify(\`
        #include <stdlib.h>
    \`);
    let peak = 0;
    let i = 0;
    for (; i < 2000; i++) {
      let p = lib.malloc(20*1024*1024); // 20 MB
      const p1 = ffi.cast("char *", p);
      for (let j = 0; j < 20*1024*1024; j += 4096) p1.set(j, '!'); // p1[j] = b'!' (set() is its fast spelling)
      p = ffi.gc(p, lib.free, 20*1024*1024);
      p = null;
      peak = Math.max(peak, process.memoryUsage().rss);
      if (peak > 2 * 1024 ** 3) break;
    }
    console.log(JSON.stringify({ iterations: i, heldAtMost2GiB: peak <= 2 * 1024 ** 3 }));
  `);
  expect(out).toEqual({ iterations: 2000, heldAtMost2GiB: true });
}, 15 * 60_000); // 2,000 blocks of 20 MB written page by page: minutes on a loaded machine

test('test_arithmetic_in_cdef', () => {
  for (const a of [0, 11, 15]) {
    const ffi = new FFI();
    ffi.cdef(`
            enum FOO {
                DIVNN = ((-?) / (-3)),
                DIVNP = ((-?) / (+3)),
                DIVPN = ((+?) / (-3)),
                MODNN = ((-?) % (-3)),
                MODNP = ((-?) % (+3)),
                MODPN = ((+?) % (-3)),
                };
        `.replace(/\?/g, String(a)));
    ffi.verify(`
            enum FOO {
                DIVNN = ((-?) / (-3)),
                DIVNP = ((-?) / (+3)),
                DIVPN = ((+?) / (-3)),
                MODNN = ((-?) % (-3)),
                MODNP = ((-?) % (+3)),
                MODPN = ((+?) % (-3)),
                };
        `.replace(/\?/g, String(a)));
    // the verify() throws if the values in the enum are different from
    // the values we computed ourselves from the cdef()
  }
});

test('test_passing_large_list', () => {
  // "assert did not segfault": in a child process, where a segfault is a result.
  const out = inChild(`
    const ffi = new FFI();
    ffi.cdef('void passing_large_list(long[]);');
    const lib = ffi.verify(\`
        static void passing_large_list(long a[]) { }
    \`);
    const arg = [];
    for (let i = 0; i < 20000000; i++) arg.push(i);
    lib.passing_large_list(arg);
    console.log(JSON.stringify({ passed: arg.length }));
  `);
  expect(out).toEqual({ passed: 20000000 });
});
