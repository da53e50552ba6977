// CFFI's testing/cffi1/test_recompiler.py, ported: API mode (verify, setSource + compile), extern "Python", ffi.include and the cdef dialect against the compiler.
//
// Not ported:
// test_type_table_func: the recompiler's internal type table
// test_type_table_use_noop_for_repeated_args: the recompiler's internal type table
// test_type_table_dont_use_noop_for_primitives: the recompiler's internal type table
// test_type_table_funcptr_as_argument: the recompiler's internal type table
// test_type_table_variadic_function: the recompiler's internal type table
// test_type_table_array: the recompiler's internal type table
// test_type_table_typedef: the recompiler's internal type table
// test_type_table_prebuilt_type: the recompiler's internal type table
// test_type_table_struct_opaque: the recompiler's internal type table
// test_type_table_struct: the recompiler's internal type table
// test_type_table_union: the recompiler's internal type table
// test_type_table_struct_used: the recompiler's internal type table
// test_type_table_anonymous_struct_with_typedef: the recompiler's internal type table
// test_type_table_enum: the recompiler's internal type table
// test_type_table_include_1: the recompiler's internal type table
// test_type_table_include_2: the recompiler's internal type table
// test_unicode_libraries: Python 2 only (py.test.skip on Python 3)
// test_import_from_lib: Python's import machinery (sys.modules, from-import, __all__, __name__, __class__)
// test_function_arg_opaque: py.test.skip unconditionally
// test_cdef_using_windows_complex: Windows only (MSVC _Fcomplex/_Dcomplex)
// test_loader_spec: Python module attributes (__loader__, __spec__)
//
// CFFI's verify() test function compiles, unless NO_CPP is set, as C++ without warnings (its source
// inside extern "C" { }, source_extension='.cpp'); with NO_CPP (or no_cpp=True) as C with -Werror and
// the warning flags below. This file takes the second configuration by default (the generated glue
// must compile cleanly under those flags), and the first with NODE_CFFI_CPP=1, as CI runs it too.
// Its undef_macros=['NDEBUG'] is undefMacros: ['NDEBUG'].
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CData, CDefError, FFI, FFIError, VerificationError } from '../../lib';
import type { CFunction, CType, Lib, VerifyOptions } from '../../lib';
import { ending, runChild } from '../helpers/child';
import { ccFamily } from '../helpers/compiler';

/**
 * testing/support.py's extra_compile_args for gcc. With clang, as support.py says, "we need here to
 * adapt and silence them as needed": clang also warns that `{ 42 }` leaves a zero-length array
 * member without an initialiser (test_call_with_zero_length_field's source), which gcc does not.
 */
const WARNING_FLAGS = [
  '-Werror', '-Wall', '-Wextra', '-Wconversion', '-Wno-unused-parameter', '-Wno-unreachable-code',
  ...(ccFamily() === 'clang' ? ['-Wno-missing-field-initializers'] : []),
];

/** The options CFFI's verify() test function takes beyond verify()'s own (no_cpp, ignore_warnings, source_extension). */
interface VerifyKw extends VerifyOptions {
  noCpp?: boolean;
  ignoreWarnings?: boolean;
  sourceExtension?: string;
}

/** The FFI API this file uses that CFFI has: def_extern, include, integer_const (camelCased). */
interface CffiFFI extends FFI {
  defExtern(...args: any[]): any; // eslint-disable-line @typescript-eslint/no-explicit-any
  include(other: FFI): void;
  integerConst(name: string): number | bigint;
}

function newFFI(): CffiFFI {
  return new FFI() as CffiFFI;
}

/** CFFI's `.cpp` mode (its verify()'s default, unless NO_CPP is set), in which this file runs when NODE_CFFI_CPP is '1'. */
const CPP_MODE = process.env.NODE_CFFI_CPP === '1';

/** Whether verify() below builds `kw`'s source as C++, as CFFI's does (with its source in extern "C" { }). */
const asCpp = (kw: VerifyKw): boolean => CPP_MODE && !kw.noCpp;

/** The options verify() below passes for `kw`. */
function verifyOptions(moduleName: string, kw: VerifyKw): VerifyOptions {
  const { noCpp: _noCpp, ignoreWarnings, ...options } = kw;
  const cpp = asCpp(kw);
  return {
    ...(cpp ? { sourceExtension: '.cpp' } : {}),
    ...options,
    moduleName: `_CFFI_${moduleName}`,
    undefMacros: options.undefMacros ?? ['NDEBUG'],
    extraCompileArgs: [...(options.extraCompileArgs ?? []), ...(ignoreWarnings || cpp ? [] : WARNING_FLAGS)],
  };
}

/** The source as CFFI's verify() compiles it: inside extern "C" { } in the .cpp mode. */
const sourceFor = (source: string, kw: VerifyKw): string => (asCpp(kw) ? `extern "C" {\n${source}\n}` : source);

/** CFFI's verify(ffi, module_name, source, **kwds): compiles `source` with the cdef of `ffi` and returns the library. */
function verify(ffi: FFI, moduleName: string, source: string, kw: VerifyKw = {}): Lib {
  return ffi.verify(sourceFor(source, kw), verifyOptions(moduleName, kw));
}

/** The start of a child-process snippet that declares `cdef` and verifies `source` as verify() does: `ffi` and `lib` in scope. */
function childVerify(cdef: string, moduleName: string, source: string, kw: VerifyKw = {}, cdefOptions: object = {}): string {
  return [
    'const { FFI } = require(LIB);',
    'const ffi = new FFI();',
    `ffi.cdef(${JSON.stringify(cdef)}, ${JSON.stringify(cdefOptions)});`,
    `const lib = ffi.verify(${JSON.stringify(sourceFor(source, kw))}, ${JSON.stringify(verifyOptions(moduleName, kw))});`,
  ].join('\n');
}

/** Python's dir(lib): the names, sorted. */
function dir(lib: object): string[] {
  return Object.keys(lib).sort();
}

/** A ctype's introspection attributes, whatever its kind (CFFI's ctype objects answer them all). */
interface Attrs {
  kind: string;
  cname: string;
  item: CType;
  length: number;
  fields: { name: string; type: CType }[];
  args: CType[];
  result: CType;
  elements: unknown;
  relements: unknown;
}
function attrs(t: CType): Attrs {
  return t as unknown as Attrs;
}

/** The address a pointer cdata stands for (pointer equality `p == q`). */
function addr(ffi: FFI, p: unknown): number | bigint {
  return ffi.cast('uintptr_t', p);
}

/** Python's int(s, 0) of a C integer literal without its suffix, as node-cffi returns integers: a number when safe, else a bigint. */
function cInt(text: string): number | bigint {
  const b = BigInt(text.replace(/[UL]/g, ''));
  return Number.isSafeInteger(Number(b)) ? Number(b) : b;
}

/**
 * What `fn` reports while it runs: process warnings and writes to process.stderr. jest's sandbox
 * does not deliver 'warning' events to the test's listeners, so process.emitWarning calls are
 * recorded too.
 */
async function reportsDuring<T>(fn: () => T): Promise<{ result: T; text: string }> {
  // What earlier tests reported is printed on a later turn: let it go by first.
  await new Promise((resolve) => setImmediate(resolve));
  const seen: string[] = [];
  const onWarning = (w: Error) => seen.push(`${w.name}: ${w.message}`);
  const write = process.stderr.write;
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation((w: string | Error, type?: unknown) => {
    seen.push(`${typeof type === 'string' ? type : 'Warning'}: ${String(w)}`);
  });
  process.on('warning', onWarning);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    seen.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  let result: T;
  try {
    result = fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.stderr.write = write;
    process.removeListener('warning', onWarning);
    spy.mockRestore();
  }
  return { result, text: seen.join('\n') };
}

/** CFFI's udir: a directory for the files a test writes. */
let udir: string;
beforeAll(() => {
  udir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-recompiler-'));
});
afterAll(() => fs.rmSync(udir, { recursive: true, force: true }));

test('test_set_source_no_slashes', () => {
  const ffi = newFFI();
  expect(() => ffi.setSource('abc/def', null as unknown as string)).toThrow(TypeError);
  expect(() => ffi.setSource('abc/def', null as unknown as string)).toThrow(/abc\/def/);
  expect(() => ffi.setSource('abc/def', 'C code')).toThrow(TypeError);
  expect(() => ffi.setSource('abc/def', 'C code')).toThrow(/abc\/def/);
});

test('test_math_sin', () => {
  const ffi = newFFI();
  ffi.cdef('float sin(double); double cos(double);');
  const lib = verify(ffi, 'test_math_sin', '#include <math.h>', { ignoreWarnings: true });
  expect(lib.cos(1.43)).toBe(Math.cos(1.43));
});

test('test_repr_lib', () => {
  const ffi = newFFI();
  const lib = verify(ffi, 'test_repr_lib', '');
  expect(String(lib)).toBe("<Lib object for '_CFFI_test_repr_lib'>");
});

test('test_funcarg_ptr', () => {
  const ffi = newFFI();
  ffi.cdef('int foo(int *);');
  const lib = verify(ffi, 'test_funcarg_ptr', 'int foo(int *p) { return *p; }');
  expect(lib.foo([-12345])).toBe(-12345);
});

test('test_funcres_ptr', () => {
  const ffi = newFFI();
  ffi.cdef('int *foo(void);');
  const lib = verify(ffi, 'test_funcres_ptr', 'int *foo(void) { static int x=-12345; return &x; }');
  expect(lib.foo()[0]).toBe(-12345);
});

test('test_global_var_array', () => {
  const ffi = newFFI();
  ffi.cdef('extern int a[100];');
  const lib = verify(ffi, 'test_global_var_array', 'int a[100] = { 9999 };');
  lib.a[42] = 123456;
  expect(lib.a[42]).toBe(123456);
  expect(lib.a[0]).toBe(9999);
});

test('test_verify_typedef', () => {
  const ffi = newFFI();
  ffi.cdef('typedef int **foo_t;');
  verify(ffi, 'test_verify_typedef', 'typedef int **foo_t;');
  expect(ffi.sizeof('foo_t')).toBe(ffi.sizeof('void *'));
});

test('test_verify_typedef_dotdotdot', () => {
  const ffi = newFFI();
  ffi.cdef('typedef ... foo_t;');
  verify(ffi, 'test_verify_typedef_dotdotdot', 'typedef int **foo_t;');
});

test('test_verify_typedef_star_dotdotdot', () => {
  const ffi = newFFI();
  ffi.cdef('typedef ... *foo_t;');
  verify(ffi, 'test_verify_typedef_star_dotdotdot', 'typedef int **foo_t;');
});

test('test_global_var_int', () => {
  const ffi = newFFI();
  ffi.cdef('extern int a, b, c;');
  const lib = verify(ffi, 'test_global_var_int', 'int a = 999, b, c;');
  expect(lib.a).toBe(999);
  lib.a -= 1001;
  expect(lib.a).toBe(-2);
  lib.a = -2147483648;
  expect(lib.a).toBe(-2147483648);
  expect(() => {
    lib.a = 2147483648;
  }).toThrow(RangeError);
  expect(() => {
    lib.a = -2147483649;
  }).toThrow(RangeError);
  lib.b = 525; // try with the first access being in setattr, too
  expect(lib.b).toBe(525);
  // differs from CFFI: see docs/cffi-differences.md, "A library object is an ordinary object: `delete` is JavaScript's"
  expect(() => {
    delete lib.a;
  }).toThrow(TypeError);
  expect(() => {
    delete lib.c;
  }).toThrow(TypeError);
  expect(delete lib.foobarbaz).toBe(true);
  expect(lib.a).toBe(-2147483648);
  expect(() => lib.foobarbaz).toThrow(FFIError);
});

test('test_macro', () => {
  const ffi = newFFI();
  ffi.cdef('#define FOOBAR ...');
  const lib = verify(ffi, 'test_macro', '#define FOOBAR (-6912)');
  expect(lib.FOOBAR).toBe(-6912);
  expect(() => {
    lib.FOOBAR = 2;
  }).toThrow(FFIError);
});

// differs from CFFI: see docs/cffi-differences.md, "verify() checks what the cdef states while it builds"
test('test_macro_check_value', () => {
  // CFFI leaves '-0x80000000' out: in C it does not mean the same as '-2147483648'
  const vals = ['42', '-42', '0x80000000', '-2147483648', '0', '9223372036854775809ULL', '-9223372036854775807LL'];
  // CFFI builds one module with all vals.length² macros and raises ffi.error on reading each
  // mismatched one; here a mismatch makes verify() throw, so the matched macros make one library
  // and each C value j is checked against one other cdef value i = j + 1, a build each.
  const ffi = newFFI();
  ffi.cdef(vals.map((v, j) => `#define FOO_${j}_${j} ${v}`).join('\n'));
  const lib = verify(ffi, 'test_macro_check_value_ok', vals.map((v, j) => `#define FOO_${j}_${j} ${v}`).join('\n'));
  for (let j = 0; j < vals.length; j++) expect(lib[`FOO_${j}_${j}`]).toBe(cInt(vals[j]));
  for (let j = 0; j < vals.length; j++) {
    const i = (j + 1) % vals.length;
    const attrname = `FOO_${i}_${j}`;
    const bad = newFFI();
    bad.cdef(`#define ${attrname} ${vals[i]}`);
    const build = (): unknown => verify(bad, `test_macro_check_value_${i}_${j}`, `#define ${attrname} ${vals[j]}`);
    expect(build).toThrow(VerificationError);
    expect(build).toThrow(`#define ${attrname}: wrong value (cdef says ${cInt(vals[i])}, but the C compiler says ${cInt(vals[j])})`);
  }
});

test('test_constant', () => {
  const ffi = newFFI();
  ffi.cdef('static const int FOOBAR;');
  const lib = verify(ffi, 'test_constant', '#define FOOBAR (-6912)');
  expect(lib.FOOBAR).toBe(-6912);
  expect(() => {
    lib.FOOBAR = 2;
  }).toThrow(FFIError);
});

// differs from CFFI: see docs/cffi-differences.md, "verify() checks what the cdef states while it builds"
test('test_check_value_of_static_const', () => {
  const ffi = newFFI();
  ffi.cdef('static const int FOOBAR = 042;');
  // CFFI: lib.FOOBAR raises ffi.error "the C compiler says 'FOOBAR' is equal to -6912, but the cdef disagrees"
  const build = (): unknown => verify(ffi, 'test_check_value_of_static_const', '#define FOOBAR (-6912)');
  expect(build).toThrow(VerificationError);
  expect(build).toThrow('constant FOOBAR: wrong value (cdef says 34, but the C compiler says -6912)');
});

test('test_constant_nonint', () => {
  const ffi = newFFI();
  ffi.cdef('static const double FOOBAR;');
  const lib = verify(ffi, 'test_constant_nonint', '#define FOOBAR (-6912.5)');
  expect(lib.FOOBAR).toBe(-6912.5);
  expect(() => {
    lib.FOOBAR = 2;
  }).toThrow(FFIError);
});

test('test_constant_ptr', () => {
  const ffi = newFFI();
  ffi.cdef('static double *const FOOBAR;');
  const lib = verify(ffi, 'test_constant_ptr', '#define FOOBAR NULL');
  expect(lib.FOOBAR).toBe(ffi.NULL);
  // differs from CFFI: see docs/cffi-differences.md, "NULL is null"
  // (CFFI's NULL constant is a cdata 'double *'; null carries no type, so ffi.typeof gives 'void *'.)
  expect(ffi.typeof(lib.FOOBAR)).toBe(ffi.typeof('void *'));
});

test('test_dir', () => {
  const ffi = newFFI();
  ffi.cdef('int ff(int); extern int aa; static const int my_constant;');
  const lib = verify(ffi, 'test_dir', `
        #define my_constant  (-45)
        int aa;
        int ff(int x) { return x+aa; }
    `);
  lib.aa = 5;
  expect(dir(lib)).toEqual(['aa', 'ff', 'my_constant']);
  // CFFI's checks of lib.__dict__ (Python's attribute dictionary) are not ported; the call after them is.
  expect(lib.ff(10)).toBe(15);
});

test('test_verify_opaque_struct', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s;');
  verify(ffi, 'test_verify_opaque_struct', 'struct foo_s;');
  expect(ffi.typeof('struct foo_s').cname).toBe('struct foo_s');
});

test('test_verify_opaque_union', () => {
  const ffi = newFFI();
  ffi.cdef('union foo_s;');
  verify(ffi, 'test_verify_opaque_union', 'union foo_s;');
  expect(ffi.typeof('union foo_s').cname).toBe('union foo_s');
});

test('test_verify_struct', () => {
  const ffi = newFFI();
  ffi.cdef(`struct foo_s { int b; short a; ...; };
                struct bar_s { struct foo_s *f; };`);
  verify(ffi, 'test_verify_struct', `struct foo_s { short a; int b; };
                    struct bar_s { struct foo_s *f; };`);
  ffi.typeof('struct bar_s *');
  const p = ffi.new('struct foo_s *', { a: -32768, b: -2147483648 });
  expect(p.a).toBe(-32768);
  expect(p.b).toBe(-2147483648);
  expect(() => {
    p.a -= 1;
  }).toThrow(RangeError);
  expect(() => {
    p.b -= 1;
  }).toThrow(RangeError);
  const q = ffi.new('struct bar_s *', { f: p });
  expect(addr(ffi, q.f)).toBe(addr(ffi, p));
  //
  expect(ffi.offsetof('struct foo_s', 'a')).toBe(0);
  expect(ffi.offsetof('struct foo_s', 'b')).toBe(4);
  expect(ffi.offsetof('struct foo_s', 'b')).toBe(4);
  //
  expect(() => ffi.addressof(p)).toThrow(TypeError);
  expect(addr(ffi, ffi.addressof(p[0]))).toBe(addr(ffi, p));
  expect(ffi.typeof(ffi.addressof(p[0]))).toBe(ffi.typeof('struct foo_s *'));
  expect(ffi.typeof(ffi.addressof(p, 'b'))).toBe(ffi.typeof('int *'));
  expect(ffi.addressof(p, 'b')[0]).toBe(p.b);
});

// differs from CFFI: see docs/cffi-differences.md, "verify() checks what the cdef states while it builds"
test('test_verify_exact_field_offset', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int b; short a; };');
  // CFFI: ffi.new('struct foo_s *', []) raises ffi.error "struct foo_s: wrong offset for field 'b' (cdef says 0, but C compiler says 4)"
  const build = (): unknown => verify(ffi, 'test_verify_exact_field_offset', 'struct foo_s { short a; int b; };');
  expect(build).toThrow(VerificationError);
  expect(build).toThrow("struct foo_s: wrong offset for field 'b' (cdef says 0, but the C compiler says 4)");
});

test('test_type_caching', () => {
  const ffi1 = newFFI();
  ffi1.cdef('struct foo_s;');
  const ffi2 = newFFI();
  ffi2.cdef('struct foo_s;'); // different one!
  verify(ffi1, 'test_type_caching_1', 'struct foo_s;');
  verify(ffi2, 'test_type_caching_2', 'struct foo_s;');
  // shared types
  expect(ffi1.typeof('long')).toBe(ffi2.typeof('long'));
  expect(ffi1.typeof('long**')).toBe(ffi2.typeof('long * *'));
  expect(ffi1.typeof('long(*)(int, ...)')).toBe(ffi2.typeof('long(*)(int, ...)'));
  // non-shared types
  expect(ffi1.typeof('struct foo_s')).not.toBe(ffi2.typeof('struct foo_s'));
  expect(ffi1.typeof('struct foo_s *')).not.toBe(ffi2.typeof('struct foo_s *'));
  expect(ffi1.typeof('struct foo_s*(*)()')).not.toBe(ffi2.typeof('struct foo_s*(*)()'));
  expect(ffi1.typeof('void(*)(struct foo_s*)')).not.toBe(ffi2.typeof('void(*)(struct foo_s*)'));
});

test('test_verify_enum', () => {
  const ffi = newFFI();
  ffi.cdef('enum e1 { B1, A1, ... }; enum e2 { B2, A2, ... };');
  const lib = verify(ffi, 'test_verify_enum', 'enum e1 { A1, B1, C1=9223372036854775807 };' + 'enum e2 { A2, B2, C2 };');
  ffi.typeof('enum e1');
  ffi.typeof('enum e2');
  expect(lib.A1).toBe(0);
  expect(lib.B1).toBe(1);
  expect(lib.A2).toBe(0);
  expect(lib.B2).toBe(1);
  expect(ffi.sizeof('enum e1')).toBe(ffi.sizeof('long'));
  expect(ffi.sizeof('enum e2')).toBe(ffi.sizeof('int'));
  expect(String(ffi.cast('enum e1', 0))).toBe("<cdata 'enum e1' 0: A1>");
});

test.failing('test_duplicate_enum', () => {
  const ffi = newFFI();
  ffi.cdef('enum e1 { A1, ... }; enum e2 { A1, ... };');
  expect(() => verify(ffi, 'test_duplicate_enum', 'enum e1 { A1 }; enum e2 { B1 };')).toThrow(VerificationError);
});

test('test_dotdotdot_length_of_array_field', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int a[...]; int b[...]; };');
  verify(ffi, 'test_dotdotdot_length_of_array_field', 'struct foo_s { int a[42]; int b[11]; };');
  expect(ffi.sizeof('struct foo_s')).toBe((42 + 11) * 4);
  const p = ffi.new('struct foo_s *');
  expect(p.a[41]).toBe(0);
  expect(p.b[10]).toBe(0);
  expect(() => p.a[42]).toThrow(RangeError);
  expect(() => p.b[11]).toThrow(RangeError);
});

test('test_dotdotdot_global_array', () => {
  const ffi = newFFI();
  ffi.cdef('extern int aa[...]; extern int bb[...];');
  const lib = verify(ffi, 'test_dotdotdot_global_array', 'int aa[41]; int bb[12];');
  expect(ffi.sizeof(lib.aa)).toBe(41 * 4);
  expect(ffi.sizeof(lib.bb)).toBe(12 * 4);
  expect(lib.aa[40]).toBe(0);
  expect(lib.bb[11]).toBe(0);
  expect(() => lib.aa[41]).toThrow(RangeError);
  expect(() => lib.bb[12]).toThrow(RangeError);
});

test('test_misdeclared_field_1', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int a[5]; };');
  let failed: unknown = null;
  try {
    verify(ffi, 'test_misdeclared_field_1', 'struct foo_s { int a[6]; };');
  } catch (e) {
    failed = e; // ok, fail during compilation already (e.g. C++)
  }
  if (failed !== null) {
    expect(failed).toBeInstanceOf(VerificationError);
  } else {
    expect(ffi.sizeof('struct foo_s')).toBe(24); // found by the actual C code
    // lazily build the fields and boom:
    const lazily = () => ffi.new('struct foo_s *').a;
    expect(lazily).toThrow(FFIError);
    expect(lazily).toThrow("struct foo_s: wrong size for field 'a' (cdef says 20, but C compiler says 24)");
  }
});

test('test_open_array_in_struct', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int b; int a[]; };');
  verify(ffi, 'test_open_array_in_struct', 'struct foo_s { int b; int a[]; };');
  expect(ffi.sizeof('struct foo_s')).toBe(4);
  const p = ffi.new('struct foo_s *', [5, [10, 20, 30, 40]]);
  expect(p.a[2]).toBe(30);
  expect(ffi.sizeof(p)).toBe(ffi.sizeof('void *'));
  expect(ffi.sizeof(p[0])).toBe(5 * ffi.sizeof('int'));
});

test('test_math_sin_type', () => {
  const ffi = newFFI();
  ffi.cdef('double sin(double); void *xxtestfunc();');
  const lib = verify(ffi, 'test_math_sin_type', `
        #include <math.h>
        void *xxtestfunc(void) { return 0; }
    `);
  // 'lib.sin' is typed as a function object on lib
  expect(ffi.typeof(lib.sin).cname).toBe('double(*)(double)');
  // 'x' is another function reachable from lib, not a C function
  const x = lib.hasOwnProperty;
  expect(() => ffi.typeof(x as never)).toThrow(TypeError);
  // present on built-in functions: the name (CFFI's __module__ and __doc__ are Python attributes, not ported)
  expect(lib.sin.name).toBe('sin');
  expect(ffi.typeof(lib.xxtestfunc).cname).toBe('void *(*)()');
});

test('test_verify_anonymous_struct_with_typedef', () => {
  const ffi = newFFI();
  ffi.cdef('typedef struct { int a; long b; ...; } foo_t;');
  verify(ffi, 'test_verify_anonymous_struct_with_typedef', 'typedef struct { long b; int hidden, a; } foo_t;');
  const p = ffi.new('foo_t *', { b: 42 });
  expect(p.b).toBe(42);
  expect(String(p).startsWith("<cdata 'foo_t *' ")).toBe(true);
});

test('test_verify_anonymous_struct_with_star_typedef', () => {
  const ffi = newFFI();
  ffi.cdef('typedef struct { int a; long b; } *foo_t;');
  verify(ffi, 'test_verify_anonymous_struct_with_star_typedef', 'typedef struct { int a; long b; } *foo_t;');
  const p = ffi.new('foo_t', { b: 42 });
  expect(p.b).toBe(42);
});

test('test_verify_anonymous_enum_with_typedef', () => {
  let ffi = newFFI();
  ffi.cdef('typedef enum { AA, ... } e1;');
  let lib = verify(ffi, 'test_verify_anonymous_enum_with_typedef1', 'typedef enum { BB, CC, AA } e1;');
  expect(lib.AA).toBe(2);
  expect(ffi.sizeof('e1')).toBe(ffi.sizeof('int'));
  expect(String(ffi.cast('e1', 2))).toBe("<cdata 'e1' 2: AA>");
  //
  ffi = newFFI();
  ffi.cdef('typedef enum { AA=9223372036854775807 } e1;');
  lib = verify(ffi, 'test_verify_anonymous_enum_with_typedef2', 'typedef enum { AA=9223372036854775807 } e1;');
  expect(lib.AA).toBe(ffi.cast('long', 9223372036854775807n));
  expect(ffi.sizeof('e1')).toBe(ffi.sizeof('long'));
});

test('test_unique_types', () => {
  const CDEF = 'struct foo_s; union foo_u; enum foo_e { AA };';
  const ffi1 = newFFI();
  ffi1.cdef(CDEF);
  verify(ffi1, 'test_unique_types_1', CDEF);
  const ffi2 = newFFI();
  ffi2.cdef(CDEF);
  verify(ffi2, 'test_unique_types_2', CDEF);
  //
  expect(ffi1.typeof('char')).toBe(ffi2.typeof('char '));
  expect(ffi1.typeof('long')).toBe(ffi2.typeof('signed long int'));
  expect(ffi1.typeof('double *')).toBe(ffi2.typeof('double*'));
  expect(ffi1.typeof('int ***')).toBe(ffi2.typeof(' int * * *'));
  expect(ffi1.typeof('int[]')).toBe(ffi2.typeof('signed int[]'));
  expect(ffi1.typeof('signed int*[17]')).toBe(ffi2.typeof('int *[17]'));
  expect(ffi1.typeof('void')).toBe(ffi2.typeof('void'));
  expect(ffi1.typeof('int(*)(int,int)')).toBe(ffi2.typeof('int(*)(int,int)'));
  //
  // these depend on user-defined data, so should not be shared
  for (const name of ['struct foo_s', 'union foo_u *', 'enum foo_e', 'struct foo_s *(*)()', 'void(*)(struct foo_s *)', 'struct foo_s *(*[5])[8]']) {
    expect(ffi1.typeof(name)).not.toBe(ffi2.typeof(name));
  }
  // sanity check: twice 'ffi1'
  expect(ffi1.typeof('struct foo_s*')).toBe(ffi1.typeof('struct foo_s *'));
});

test('test_module_name_in_package', () => {
  // CFFI calls recompile() directly here (not its verify() test function): setSource + compile into udir.
  const ffi = newFFI();
  ffi.cdef('int foo(int);');
  ffi.setSource('test_module_name_in_package.mymod', 'int foo(int x) { return x + 32; }');
  const moduleDir = ffi.compile({ tmpdir: udir });
  const packageDir = path.join(udir, 'test_module_name_in_package');
  for (const item of fs.readdirSync(udir)) {
    expect(item.startsWith('test_module_name_in_package.')).toBe(false);
  }
  expect(fs.statSync(packageDir).isDirectory()).toBe(true);
  expect(fs.readdirSync(packageDir).length).toBeGreaterThan(0);
  // CFFI writes mymod.c there; node-cffi's module is the directory mymod (library and loader)
  expect(moduleDir).toBe(path.join(packageDir, 'mymod'));
  expect(fs.statSync(path.join(packageDir, 'mymod')).isDirectory()).toBe(true);
  //
  // import test_module_name_in_package.mymod: the loader imports the package by its name
  jest.doMock('node-cffi', () => jest.requireActual('../../lib'), { virtual: true });
  const mymod = require(path.join(moduleDir, 'mymod.js')); // eslint-disable-line @typescript-eslint/no-require-imports
  expect(mymod.lib.foo(10)).toBe(42);
  // CFFI's check of the module's __name__ is a Python module attribute, not ported.
});

test('test_bad_size_of_global_1', () => {
  const ffi = newFFI();
  ffi.cdef('extern short glob;');
  expect(() => verify(ffi, 'test_bad_size_of_global_1', 'long glob;')).toThrow(VerificationError);
});

test('test_bad_size_of_global_2', () => {
  const ffi = newFFI();
  ffi.cdef('extern int glob[10];');
  expect(() => verify(ffi, 'test_bad_size_of_global_2', 'int glob[9];')).toThrow(VerificationError);
});

test('test_unspecified_size_of_global_1', () => {
  const ffi = newFFI();
  ffi.cdef('extern int glob[];');
  const lib = verify(ffi, 'test_unspecified_size_of_global_1', 'int glob[10];');
  expect(ffi.typeof(lib.glob)).toBe(ffi.typeof('int *'));
});

test('test_unspecified_size_of_global_2', () => {
  const ffi = newFFI();
  ffi.cdef('extern int glob[][5];');
  const lib = verify(ffi, 'test_unspecified_size_of_global_2', 'int glob[10][5];');
  expect(ffi.typeof(lib.glob)).toBe(ffi.typeof('int(*)[5]'));
});

test('test_unspecified_size_of_global_3', () => {
  const ffi = newFFI();
  ffi.cdef('extern int glob[][...];');
  const lib = verify(ffi, 'test_unspecified_size_of_global_3', 'int glob[10][5];');
  expect(ffi.typeof(lib.glob)).toBe(ffi.typeof('int(*)[5]'));
});

test('test_unspecified_size_of_global_4', () => {
  const ffi = newFFI();
  ffi.cdef('extern int glob[...][...];');
  const lib = verify(ffi, 'test_unspecified_size_of_global_4', 'int glob[10][5];');
  expect(ffi.typeof(lib.glob)).toBe(ffi.typeof('int[10][5]'));
});

test('test_include_1', () => {
  const ffi1 = newFFI();
  ffi1.cdef('typedef double foo_t;');
  verify(ffi1, 'test_include_1_parent', 'typedef double foo_t;');
  const ffi = newFFI();
  ffi.include(ffi1);
  ffi.cdef('foo_t ff1(foo_t);');
  const lib = verify(ffi, 'test_include_1', 'double ff1(double x) { return 42.5; }');
  expect(lib.ff1(0)).toBe(42.5);
  expect(ffi1.typeof('foo_t')).toBe(ffi.typeof('foo_t'));
  expect(ffi.typeof('foo_t')).toBe(ffi.typeof('double'));
});

test('test_include_1b', () => {
  const ffi1 = newFFI();
  ffi1.cdef('int foo1(int);');
  const lib1 = verify(ffi1, 'test_include_1b_parent', 'int foo1(int x) { return x + 10; }');
  const ffi = newFFI();
  ffi.include(ffi1);
  ffi.cdef('int foo2(int);');
  const lib = verify(ffi, 'test_include_1b', 'int foo2(int x) { return x - 5; }');
  expect(lib.foo2(42)).toBe(37);
  expect(lib.foo1(42)).toBe(52);
  expect(lib.foo1).toBe(lib1.foo1);
});

test('test_include_2', () => {
  const ffi1 = newFFI();
  ffi1.cdef('struct foo_s { int x, y; };');
  verify(ffi1, 'test_include_2_parent', 'struct foo_s { int x, y; };');
  const ffi = newFFI();
  ffi.include(ffi1);
  ffi.cdef('struct foo_s *ff2(struct foo_s *);');
  const lib = verify(ffi, 'test_include_2',
    'struct foo_s { int x, y; }; //usually from a #include\n' +
    'struct foo_s *ff2(struct foo_s *p) { p->y++; return p; }');
  const p = ffi.new('struct foo_s *');
  p.y = 41;
  const q = lib.ff2(p);
  expect(addr(ffi, q)).toBe(addr(ffi, p));
  expect(p.y).toBe(42);
  expect(ffi1.typeof('struct foo_s')).toBe(ffi.typeof('struct foo_s'));
});

test('test_include_3', () => {
  const ffi1 = newFFI();
  ffi1.cdef('typedef short sshort_t;');
  verify(ffi1, 'test_include_3_parent', 'typedef short sshort_t;');
  const ffi = newFFI();
  ffi.include(ffi1);
  ffi.cdef('sshort_t ff3(sshort_t);');
  const lib = verify(ffi, 'test_include_3',
    'typedef short sshort_t; //usually from a #include\n' +
    'sshort_t ff3(sshort_t x) { return (sshort_t)(x + 42); }');
  expect(lib.ff3(10)).toBe(52);
  // ffi.cast to an integer type gives a number: the type of its result is the type cast to
  expect(ffi.cast('sshort_t', 42)).toBe(42);
  expect(ffi.typeof('sshort_t')).toBe(ffi.typeof('short'));
  expect(ffi1.typeof('sshort_t')).toBe(ffi.typeof('sshort_t'));
});

test('test_include_4', () => {
  const ffi1 = newFFI();
  ffi1.cdef('typedef struct { int x; } mystruct_t;');
  verify(ffi1, 'test_include_4_parent', 'typedef struct { int x; } mystruct_t;');
  const ffi = newFFI();
  ffi.include(ffi1);
  ffi.cdef('mystruct_t *ff4(mystruct_t *);');
  const lib = verify(ffi, 'test_include_4',
    'typedef struct {int x; } mystruct_t; //usually from a #include\n' +
    'mystruct_t *ff4(mystruct_t *p) { p->x += 42; return p; }');
  const p = ffi.new('mystruct_t *', [10]);
  const q = lib.ff4(p);
  expect(addr(ffi, q)).toBe(addr(ffi, p));
  expect(p.x).toBe(52);
  expect(ffi1.typeof('mystruct_t')).toBe(ffi.typeof('mystruct_t'));
});

test('test_include_5', () => {
  const ffi1 = newFFI();
  ffi1.cdef('typedef struct { int x[2]; int y; } *mystruct_p;');
  verify(ffi1, 'test_include_5_parent', 'typedef struct { int x[2]; int y; } *mystruct_p;');
  const ffi = newFFI();
  ffi.include(ffi1);
  ffi.cdef('mystruct_p ff5(mystruct_p);');
  const lib = verify(ffi, 'test_include_5',
    'typedef struct {int x[2]; int y; } *mystruct_p; //usually #include\n' +
    'mystruct_p ff5(mystruct_p p) { p->x[1] += 42; return p; }');
  expect(ffi.alignof(attrs(ffi.typeof('mystruct_p')).item)).toBe(4);
  expect(ffi1.typeof('mystruct_p')).toBe(ffi.typeof('mystruct_p'));
  const p = ffi.new('mystruct_p', [[5, 10], -17]);
  const q = lib.ff5(p);
  expect(addr(ffi, q)).toBe(addr(ffi, p));
  expect(p.x[0]).toBe(5);
  expect(p.x[1]).toBe(52);
  expect(p.y).toBe(-17);
  expect(ffi.alignof(ffi.typeof(p[0]))).toBe(4);
});

test('test_include_6', () => {
  const ffi1 = newFFI();
  ffi1.cdef('typedef ... mystruct_t;');
  verify(ffi1, 'test_include_6_parent', 'typedef struct _mystruct_s mystruct_t;');
  const ffi = newFFI();
  ffi.include(ffi1);
  ffi.cdef('mystruct_t *ff6(void); int ff6b(mystruct_t *);');
  const lib = verify(ffi, 'test_include_6',
    'typedef struct _mystruct_s mystruct_t; //usually from a #include\n' +
    'struct _mystruct_s { int x; };\n' +
    'static mystruct_t result_struct = { 42 };\n' +
    'mystruct_t *ff6(void) { return &result_struct; }\n' +
    'int ff6b(mystruct_t *p) { return p->x; }');
  const p = lib.ff6();
  expect(ffi.cast('int *', p)![0]).toBe(42);
  expect(lib.ff6b(p)).toBe(42);
});

test('test_include_7', () => {
  const ffi1 = newFFI();
  ffi1.cdef('typedef ... mystruct_t;\n' + 'int ff7b(mystruct_t *);');
  verify(ffi1, 'test_include_7_parent',
    'typedef struct { int x; } mystruct_t;\n' +
    'int ff7b(mystruct_t *p) { return p->x; }');
  const ffi = newFFI();
  ffi.include(ffi1);
  ffi.cdef('mystruct_t *ff7(void);');
  const lib = verify(ffi, 'test_include_7',
    'typedef struct { int x; } mystruct_t; //usually from a #include\n' +
    'static mystruct_t result_struct = { 42 };' +
    'mystruct_t *ff7(void) { return &result_struct; }');
  const p = lib.ff7();
  expect(ffi.cast('int *', p)![0]).toBe(42);
  expect(lib.ff7b(p)).toBe(42);
});

test('test_include_8', () => {
  const ffi1 = newFFI();
  ffi1.cdef('struct foo_s;');
  verify(ffi1, 'test_include_8_parent', 'struct foo_s;');
  const ffi = newFFI();
  ffi.include(ffi1);
  // differs from CFFI: see docs/cffi-differences.md, "`ffi.include()`: one set of types, each name from its own library"
  // (CFFI accepts the cdef and its verify(), and refuses each use of 'struct foo_s' afterwards; node-cffi refuses the cdef)
  expect(() => ffi.cdef('struct foo_s { int x, y; };')).toThrow(CDefError);
  expect(() => ffi.cdef('struct foo_s { int x, y; };')).toThrow(/'struct foo_s' is incomplete in an FFI given to ffi\.include\(\)/);
  verify(ffi, 'test_include_8', 'struct foo_s { int x, y; };');
  expect(() => ffi.new('struct foo_s *')).toThrow(FFIError);
  expect(() => ffi.new('struct foo_s *')).toThrow(/'struct foo_s' is declared but never defined/);
});

test('test_incomplete_struct_as_arg', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int x; ...; }; int f(int, struct foo_s);');
  const lib = verify(ffi, 'test_incomplete_struct_as_arg',
    'struct foo_s { int a, x, z; };\n' +
    'int f(int b, struct foo_s s) { return s.x * b; }');
  const s = ffi.new('struct foo_s *', [21]);
  expect(s.x).toBe(21);
  expect(ffi.sizeof(s[0])).toBe(12);
  expect(ffi.offsetof(ffi.typeof(s), 'x')).toBe(4);
  expect(lib.f(2, s[0])).toBe(42);
  expect(ffi.typeof(lib.f)).toBe(ffi.typeof('int(*)(int, struct foo_s)'));
});

test('test_incomplete_struct_as_result', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int x; ...; }; struct foo_s f(int);');
  const lib = verify(ffi, 'test_incomplete_struct_as_result',
    'struct foo_s { int a, x, z; };\n' +
    'struct foo_s f(int x) { struct foo_s r; r.x = x * 2; return r; }');
  const s = lib.f(21);
  expect(s.x).toBe(42);
  expect(ffi.typeof(lib.f)).toBe(ffi.typeof('struct foo_s(*)(int)'));
});

test('test_incomplete_struct_as_both', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int x; ...; }; struct bar_s { int y; ...; };\n' + 'struct foo_s f(int, struct bar_s);');
  const lib = verify(ffi, 'test_incomplete_struct_as_both',
    'struct foo_s { int a, x, z; };\n' +
    'struct bar_s { int b, c, y, d; };\n' +
    'struct foo_s f(int x, struct bar_s b) {\n' +
    '  struct foo_s r; r.x = x * b.y; return r;\n' +
    '}');
  const b = ffi.new('struct bar_s *', [7]);
  let s = lib.f(6, b[0]);
  expect(s.x).toBe(42);
  expect(ffi.typeof(lib.f)).toBe(ffi.typeof('struct foo_s(*)(int, struct bar_s)'));
  s = lib.f(14, { y: -3 });
  expect(s.x).toBe(-42);
});

test('test_name_of_unnamed_struct', () => {
  const ffi = newFFI();
  ffi.cdef('typedef struct { int x; } foo_t;\n' + 'typedef struct { int y; } *bar_p;\n' + 'typedef struct { int y; } **baz_pp;\n');
  verify(ffi, 'test_name_of_unnamed_struct',
    'typedef struct { int x; } foo_t;\n' + 'typedef struct { int y; } *bar_p;\n' + 'typedef struct { int y; } **baz_pp;\n');
  expect(String(ffi.typeof('foo_t'))).toBe("<ctype 'foo_t'>");
  expect(String(ffi.typeof('bar_p'))).toBe("<ctype 'struct $1 *'>");
  expect(String(ffi.typeof('baz_pp'))).toBe("<ctype 'struct $2 * *'>");
});

test('test_address_of_global_var', () => {
  const ffi = newFFI();
  ffi.cdef(`
        extern long bottom, bottoms[2];
        long FetchRectBottom(void);
        long FetchRectBottoms1(void);
        #define FOOBAR 42
    `);
  const lib = verify(ffi, 'test_address_of_global_var', `
        long bottom, bottoms[2];
        long FetchRectBottom(void) { return bottom; }
        long FetchRectBottoms1(void) { return bottoms[1]; }
        #define FOOBAR 42
    `);
  lib.bottom = 300;
  expect(lib.FetchRectBottom()).toBe(300);
  lib.bottom += 1;
  expect(lib.FetchRectBottom()).toBe(301);
  lib.bottoms[1] = 500;
  expect(lib.FetchRectBottoms1()).toBe(500);
  lib.bottoms[1] += 2;
  expect(lib.FetchRectBottoms1()).toBe(502);
  //
  let p = ffi.addressof(lib, 'bottom');
  expect(ffi.typeof(p)).toBe(ffi.typeof('long *'));
  expect(p[0]).toBe(301);
  p[0] += 1;
  expect(lib.FetchRectBottom()).toBe(302);
  p = ffi.addressof(lib, 'bottoms');
  expect(ffi.typeof(p)).toBe(ffi.typeof('long(*)[2]'));
  expect(addr(ffi, p[0])).toBe(addr(ffi, lib.bottoms));
  //
  expect(() => ffi.addressof(lib, 'unknown_var')).toThrow(FFIError);
  expect(() => ffi.addressof(lib, 'unknown_var')).toThrow(/unknown_var/);
  expect(() => ffi.addressof(lib, 'FOOBAR')).toThrow(FFIError);
  expect(() => ffi.addressof(lib, 'FOOBAR')).toThrow(/FOOBAR/);
});

test('test_defines__CFFI_', () => {
  // Check that the macro _CFFI_ is defined automatically.
  const ffi = newFFI();
  ffi.cdef(`
        #define CORRECT 1
    `);
  const lib = verify(ffi, 'test_defines__CFFI_', `
    #ifdef _CFFI_
    #    define CORRECT 1
    #endif
    `);
  expect(lib.CORRECT).toBe(1);
});

test('test_unpack_args', () => {
  const ffi = newFFI();
  ffi.cdef('void foo0(void); void foo1(int); void foo2(int, int);');
  const lib = verify(ffi, 'test_unpack_args', `
    void foo0(void) { }
    void foo1(int x) { }
    void foo2(int x, int y) { }
    `);
  expect(String(lib.foo0)).toContain('foo0');
  expect(String(lib.foo1)).toContain('foo1');
  expect(String(lib.foo2)).toContain('foo2');
  lib.foo0();
  lib.foo1(42);
  lib.foo2(43, 44);
  // CFFI: "foo0() takes no arguments (1 given)", "foo1() takes exactly one argument (0 given)", "foo2() takes exactly 2 arguments (3 given)"
  const cases: [() => unknown, RegExp][] = [
    [() => lib.foo0(42), /foo0\(\).*\b1\b/],
    [() => lib.foo0(43, 44), /foo0\(\).*\b2\b/],
    [() => lib.foo1(), /foo1\(\).*\b0\b/],
    [() => lib.foo1(43, 44), /foo1\(\).*\b2\b/],
    [() => lib.foo2(), /foo2\(\).*\b0\b/],
    [() => lib.foo2(42), /foo2\(\).*\b1\b/],
    [() => lib.foo2(45, 46, 47), /foo2\(\).*\b3\b/],
  ];
  for (const [call, message] of cases) {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  }
});

test('test_address_of_function', () => {
  const ffi = newFFI();
  ffi.cdef('long myfunc(long x);');
  const lib = verify(ffi, 'test_addressof_function', `
        char myfunc(char x) { return (char)(x + 42); }
    `, { ignoreWarnings: true });
  expect(lib.myfunc(5)).toBe(47);
  expect(lib.myfunc(0xABC05)).toBe(47);
  expect(lib.myfunc).not.toBeInstanceOf(CData);
  expect(ffi.typeof(lib.myfunc)).toBe(ffi.typeof('long(*)(long)'));
  const fptr = ffi.addressof(lib, 'myfunc') as CFunction;
  expect(fptr(5)).toBe(47);
  expect(fptr(0xABC05)).toBe(47);
  expect(fptr).toBeInstanceOf(CData);
  expect(ffi.typeof(fptr)).toBe(ffi.typeof('long(*)(long)'));
});

test('test_address_of_function_with_struct', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int x; }; long myfunc(struct foo_s);');
  const lib = verify(ffi, 'test_addressof_function_with_struct', `
        struct foo_s { int x; };
        char myfunc(struct foo_s input) { return (char)(input.x + 42); }
    `);
  const s = ffi.new('struct foo_s *', [5])[0];
  expect(lib.myfunc(s)).toBe(47);
  expect(lib.myfunc).not.toBeInstanceOf(CData);
  expect(ffi.typeof(lib.myfunc)).toBe(ffi.typeof('long(*)(struct foo_s)'));
  const fptr = ffi.addressof(lib, 'myfunc') as CFunction;
  expect(fptr(s)).toBe(47);
  expect(fptr).toBeInstanceOf(CData);
  expect(ffi.typeof(fptr)).toBe(ffi.typeof('long(*)(struct foo_s)'));
});

test('test_issue198', () => {
  const ffi = newFFI();
  ffi.cdef(`
        typedef struct{...;} opaque_t;
        const opaque_t CONSTANT;
        int toint(opaque_t);
    `);
  const lib = verify(ffi, 'test_issue198', `
        typedef int opaque_t;
        #define CONSTANT ((opaque_t)42)
        static int toint(opaque_t o) { return o; }
    `);
  const randomStuff = () => undefined;
  expect(lib.toint(lib.CONSTANT)).toBe(42);
  randomStuff();
  expect(lib.toint(lib.CONSTANT)).toBe(42);
});

test('test_constant_is_not_a_compiler_constant', () => {
  const ffi = newFFI();
  ffi.cdef('static const float almost_forty_two;');
  const lib = verify(ffi, 'test_constant_is_not_a_compiler_constant', `
        static float f(void) { return 42.25; }
        #define almost_forty_two (f())
    `);
  expect(lib.almost_forty_two).toBe(42.25);
});

test('test_constant_of_unknown_size', () => {
  const ffi = newFFI();
  ffi.cdef(`
        typedef ... opaque_t;
        const opaque_t CONSTANT;
    `);
  const lib = verify(ffi, 'test_constant_of_unknown_size', 'typedef int opaque_t;' + 'const int CONSTANT = 42;');
  expect(() => lib.CONSTANT).toThrow(FFIError);
  expect(() => lib.CONSTANT).toThrow("constant 'CONSTANT' is of type 'opaque_t', whose size is not known");
});

test('test_variable_of_unknown_size', () => {
  const ffi = newFFI();
  ffi.cdef(`
        typedef ... opaque_t;
        extern opaque_t globvar;
    `);
  const lib = verify(ffi, 'test_variable_of_unknown_size', `
        typedef char opaque_t[6];
        opaque_t globvar = "hello";
    `);
  // can't read or write it at all
  // differs from CFFI: see docs/cffi-differences.md, "A type without a size: one error, `FFIError`"
  expect(() => lib.globvar).toThrow(FFIError);
  expect(() => lib.globvar).toThrow(/'opaque_t' is opaque/);
  expect(() => {
    lib.globvar = [];
  }).toThrow(FFIError);
  expect(() => {
    lib.globvar = [];
  }).toThrow(/'opaque_t' is opaque/);
  // but we can get its address
  const p = ffi.addressof(lib, 'globvar');
  expect(ffi.typeof(p)).toBe(ffi.typeof('opaque_t *'));
  expect(ffi.string(ffi.cast('char *', p), 8)).toBe('hello');
});

test('test_constant_of_value_unknown_to_the_compiler', () => {
  const extraCSource = path.join(udir, 'extra_test_constant_of_value_unknown_to_the_compiler.c');
  fs.writeFileSync(extraCSource, 'const int external_foo = 42;\n');
  const ffi = newFFI();
  ffi.cdef('const int external_foo;');
  const lib = verify(ffi, 'test_constant_of_value_unknown_to_the_compiler', `
        extern const int external_foo;
    `, { sources: [extraCSource] });
  expect(lib.external_foo).toBe(42);
});

test('test_dotdot_in_source_file_names', () => {
  const extraCSource = path.join(udir, 'extra_test_dotdot_in_source_file_names.c');
  fs.writeFileSync(extraCSource, 'const int external_foo = 42;\n');
  const ffi = newFFI();
  ffi.cdef('const int external_foo;');
  // os.path.join(dirname, 'foobar', '..', basename), kept unnormalised as Python keeps it
  const dotdot = [path.dirname(extraCSource), 'foobar', '..', path.basename(extraCSource)].join(path.sep);
  const lib = verify(ffi, 'test_dotdot_in_source_file_names', `
        extern const int external_foo;
    `, { sources: [dotdot] });
  expect(lib.external_foo).toBe(42);
});

test('test_call_with_incomplete_structs', () => {
  const ffi = newFFI();
  ffi.cdef('typedef struct {...;} foo_t; ' + 'extern foo_t myglob; ' + 'foo_t increment(foo_t s); ' + 'double getx(foo_t s);');
  const lib = verify(ffi, 'test_call_with_incomplete_structs', `
        typedef double foo_t;
        double myglob = 42.5;
        double getx(double x) { return x; }
        double increment(double x) { return x + 1; }
    `);
  expect(lib.getx(lib.myglob)).toBe(42.5);
  expect(lib.getx(lib.increment(lib.myglob))).toBe(43.5);
});

test('test_struct_array_guess_length_2', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int a[...][...]; };');
  verify(ffi, 'test_struct_array_guess_length_2', 'struct foo_s { int x; int a[5][8]; int y; };');
  expect(ffi.sizeof('struct foo_s')).toBe(42 * ffi.sizeof('int'));
  const s = ffi.new('struct foo_s *');
  expect(ffi.typeof(s.a)).toBe(ffi.typeof('int[5][8]'));
  expect(ffi.sizeof(s.a)).toBe(40 * ffi.sizeof('int'));
  expect(s.a[4][7]).toBe(0);
  expect(() => s.a[4][8]).toThrow(RangeError);
  expect(() => s.a[5][0]).toThrow(RangeError);
  expect(ffi.typeof(s.a)).toBe(ffi.typeof('int[5][8]'));
  expect(ffi.typeof(s.a[0])).toBe(ffi.typeof('int[8]'));
});

test('test_struct_array_guess_length_3', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int a[][...]; };');
  verify(ffi, 'test_struct_array_guess_length_3', 'struct foo_s { int x; int a[5][7]; int y; };');
  expect(ffi.sizeof('struct foo_s')).toBe(37 * ffi.sizeof('int'));
  const s = ffi.new('struct foo_s *');
  expect(ffi.typeof(s.a)).toBe(ffi.typeof('int[][7]'));
  expect(s.a[4][6]).toBe(0);
  expect(() => s.a[4][7]).toThrow(RangeError);
  expect(ffi.typeof(s.a[0])).toBe(ffi.typeof('int[7]'));
});

test('test_global_var_array_2', () => {
  const ffi = newFFI();
  ffi.cdef('extern int a[...][...];');
  const lib = verify(ffi, 'test_global_var_array_2', 'int a[10][8];');
  lib.a[9][7] = 123456;
  expect(lib.a[9][7]).toBe(123456);
  expect(() => lib.a[0][8]).toThrow(RangeError);
  expect(() => lib.a[10][0]).toThrow(RangeError);
  expect(ffi.typeof(lib.a)).toBe(ffi.typeof('int[10][8]'));
  expect(ffi.typeof(lib.a[0])).toBe(ffi.typeof('int[8]'));
});

test('test_global_var_array_3', () => {
  const ffi = newFFI();
  ffi.cdef('extern int a[][...];');
  const lib = verify(ffi, 'test_global_var_array_3', 'int a[10][8];');
  lib.a[9][7] = 123456;
  expect(lib.a[9][7]).toBe(123456);
  expect(() => lib.a[0][8]).toThrow(RangeError);
  expect(ffi.typeof(lib.a)).toBe(ffi.typeof('int(*)[8]'));
  expect(ffi.typeof(lib.a[0])).toBe(ffi.typeof('int[8]'));
});

test('test_global_var_array_4', () => {
  const ffi = newFFI();
  ffi.cdef('extern int a[10][...];');
  const lib = verify(ffi, 'test_global_var_array_4', 'int a[10][8];');
  lib.a[9][7] = 123456;
  expect(lib.a[9][7]).toBe(123456);
  expect(() => lib.a[0][8]).toThrow(RangeError);
  expect(() => lib.a[10][8]).toThrow(RangeError);
  expect(ffi.typeof(lib.a)).toBe(ffi.typeof('int[10][8]'));
  expect(ffi.typeof(lib.a[0])).toBe(ffi.typeof('int[8]'));
});

test.failing('test_some_integer_type', () => {
  const ffi = newFFI();
  ffi.cdef(`
        typedef int... foo_t;
        typedef unsigned long... bar_t;
        typedef struct { foo_t a, b; } mystruct_t;
        foo_t foobar(bar_t, mystruct_t);
        static const bar_t mu = -20;
        static const foo_t nu = 20;
    `);
  const lib = verify(ffi, 'test_some_integer_type', `
        typedef unsigned long long foo_t;
        typedef short bar_t;
        typedef struct { foo_t a, b; } mystruct_t;
        static foo_t foobar(bar_t x, mystruct_t s) {
            return (foo_t)x + s.a + s.b;
        }
        static const bar_t mu = -20;
        static const foo_t nu = 20;
    `);
  expect(ffi.sizeof('foo_t')).toBe(ffi.sizeof('unsigned long long'));
  expect(ffi.sizeof('bar_t')).toBe(ffi.sizeof('short'));
  const maxulonglong = 2n ** 64n - 1n;
  expect(ffi.cast('foo_t', -1)).toBe(maxulonglong);
  expect(ffi.cast('bar_t', -1)).toBe(-1);
  expect(lib.foobar(-1, [0, 0])).toBe(maxulonglong);
  expect(lib.foobar(2 ** 15 - 1, [0, 0])).toBe(2 ** 15 - 1);
  expect(lib.foobar(10, [20, 31])).toBe(61);
  expect(lib.foobar(0, [0, maxulonglong])).toBe(maxulonglong);
  expect(() => lib.foobar(2 ** 15, [0, 0])).toThrow(RangeError);
  expect(() => lib.foobar(-(2 ** 15) - 1, [0, 0])).toThrow(RangeError);
  expect(() => ffi.new('mystruct_t *', [0, -1])).toThrow(RangeError);
  expect(lib.mu).toBe(-20);
  expect(lib.nu).toBe(20);
});

test('test_some_float_type', () => {
  const ffi = newFFI();
  ffi.cdef(`
        typedef double... foo_t;
        typedef float... bar_t;
        foo_t sum(foo_t[]);
        bar_t neg(bar_t);
        `);
  const lib = verify(ffi, 'test_some_float_type', `
        typedef float foo_t;
        static foo_t sum(foo_t x[]) { return x[0] + x[1]; }
        typedef double bar_t;
        static double neg(double x) { return -x; }
    `);
  expect(lib.sum([40.0, 2.25])).toBe(42.25);
  expect(lib.sum([12.3, 45.6])).not.toBe(12.3 + 45.6); // precision loss
  expect(lib.neg(12.3)).toBe(-12.3); // no precision loss
  expect(ffi.sizeof('foo_t')).toBe(ffi.sizeof('float'));
  expect(ffi.sizeof('bar_t')).toBe(ffi.sizeof('double'));
});

test('test_some_float_invalid_1', () => {
  const ffi = newFFI();
  // CFFI raises FFIError (pycparser <= 2.17) or CDefError (>= 2.18); CDefError is an FFIError here
  expect(() => ffi.cdef('typedef long double... foo_t;')).toThrow(FFIError);
  expect(() => ffi.cdef('typedef long double... foo_t;')).toThrow(/foo_t|long double/);
});

// differs from CFFI: see docs/cffi-differences.md, "verify() checks what the cdef states while it builds"
test('test_some_float_invalid_2', () => {
  const ffi = newFFI();
  ffi.cdef('typedef double... foo_t; foo_t neg(foo_t);');
  // CFFI builds the module, then lib.neg raises ffi.error 'primitive floating-point type with an
  // unexpected size (or not a float type at all)'; here verify() refuses the build.
  const build = (): unknown => verify(ffi, 'test_some_float_invalid_2', `
        typedef unsigned long foo_t;
        foo_t neg(foo_t x) { return -x; }
    `);
  expect(build).toThrow(VerificationError);
  expect(build).toThrow(/foo_t: the C compiler says it is an integer type/);
});

test.failing('test_some_float_invalid_3', () => {
  const ffi = newFFI();
  ffi.cdef('typedef double... foo_t; foo_t neg(foo_t);');
  const lib = verify(ffi, 'test_some_float_invalid_3', `
        typedef long double foo_t;
        foo_t neg(foo_t x) { return -x; }
    `, { ignoreWarnings: true });
  if (ffi.sizeof('long double') === ffi.sizeof('double')) {
    expect(lib.neg(12.3)).toBe(-12.3);
  } else {
    expect(() => lib.neg).toThrow(FFIError);
    expect(() => lib.neg).toThrow("primitive floating-point type is 'long double', not supported for now with the syntax 'typedef double... xxx;'");
  }
});

test('test_issue200', () => {
  const ffi = newFFI();
  ffi.cdef(`
        typedef void (function_t)(void*);
        void function(void *);
    `);
  const lib = verify(ffi, 'test_issue200', `
        static void function(void *p) { (void)p; }
    `);
  ffi.typeof('function_t*');
  lib.function(ffi.NULL);
  // assert did not crash
});

test('test_alignment_of_longlong', () => {
  const ffi = newFFI();
  const x1 = ffi.alignof('unsigned long long');
  expect([4, 8]).toContain(x1);
  ffi.cdef('struct foo_s { unsigned long long x; };');
  verify(ffi, 'test_alignment_of_longlong', 'struct foo_s { unsigned long long x; };');
  expect(ffi.alignof('unsigned long long')).toBe(x1);
  expect(ffi.alignof('struct foo_s')).toBe(x1);
});

test('test_macro_var_callback', () => {
  const ffi = newFFI();
  ffi.cdef('extern int my_value; extern int *(*get_my_value)(void);');
  const lib = verify(ffi, 'test_macro_var_callback', 'int *(*get_my_value)(void);\n' + '#define my_value (*get_my_value())');
  //
  const values = ffi.new('int[50]');
  let nextvalue = 0;
  lib.get_my_value = ffi.callback('int *(*)(void)', () => (nextvalue < 50 ? values.add(nextvalue++) : null));
  //
  values[0] = 41;
  expect(lib.my_value).toBe(41); // [0]
  const p = ffi.addressof(lib, 'my_value'); // [1]
  expect(addr(ffi, p)).toBe(addr(ffi, values.add(1)));
  expect(p[-1]).toBe(41);
  expect(p[+1]).toBe(0);
  lib.my_value = 42; // [2]
  expect(values[2]).toBe(42);
  expect(p[-1]).toBe(41);
  expect(p[+1]).toBe(42);
  //
  // if get_my_value throws or returns nonsense, the error is reported like with any callback,
  // and then the C expression 'my_value' expands to '*NULL'. '&my_value' is NULL without
  // crashing, and accessing the variable checks for NULL.
  lib.get_my_value = ffi.callback('int *(*)(void)', () => {
    throw new Error('LookupError');
  });
  expect(() => lib.my_value).toThrow(FFIError);
  expect(() => {
    lib.my_value = 50;
  }).toThrow(FFIError);
  expect(() => ffi.addressof(lib, 'my_value')).toThrow(FFIError);
  lib.get_my_value = ffi.callback('int *(*)(void)', () => 'hello');
  expect(() => lib.my_value).toThrow(FFIError);
  expect(() => {
    lib.my_value = 50;
  }).toThrow(FFIError);
  // CFFI's message is "global variable 'my_value' is at address NULL"; node-cffi's words are its
  // own (lib/errors.ts): the fragment names the same variable and the same cause.
  expect(() => {
    lib.my_value = 50;
  }).toThrow(/'my_value'.*address is NULL/);
});

test('test_const_fields', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { const int a; void *const b; };');
  verify(ffi, 'test_const_fields', `
        struct foo_s { const int a; void *const b; };`);
  const fooS = attrs(ffi.typeof('struct foo_s'));
  expect(fooS.fields[0].name).toBe('a');
  expect(fooS.fields[0].type).toBe(ffi.typeof('int'));
  expect(fooS.fields[1].name).toBe('b');
  expect(fooS.fields[1].type).toBe(ffi.typeof('void *'));
});

test('test_restrict_fields', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { void * restrict b; };');
  verify(ffi, 'test_restrict_fields', `
        struct foo_s { void * __restrict b; };`);
  const fooS = attrs(ffi.typeof('struct foo_s'));
  expect(fooS.fields[0].name).toBe('b');
  expect(fooS.fields[0].type).toBe(ffi.typeof('void *'));
});

test('test_volatile_fields', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { void * volatile b; };');
  verify(ffi, 'test_volatile_fields', `
        struct foo_s { void * volatile b; };`);
  const fooS = attrs(ffi.typeof('struct foo_s'));
  expect(fooS.fields[0].name).toBe('b');
  expect(fooS.fields[0].type).toBe(ffi.typeof('void *'));
});

test('test_const_array_fields', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { const int a[4]; };');
  verify(ffi, 'test_const_array_fields', `
        struct foo_s { const int a[4]; };`);
  const fooS = attrs(ffi.typeof('struct foo_s'));
  expect(fooS.fields[0].name).toBe('a');
  expect(fooS.fields[0].type).toBe(ffi.typeof('int[4]'));
});

test('test_const_array_fields_varlength', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { const int a[]; ...; };');
  verify(ffi, 'test_const_array_fields_varlength', `
        struct foo_s { const int a[4]; };`);
  const fooS = attrs(ffi.typeof('struct foo_s'));
  expect(fooS.fields[0].name).toBe('a');
  expect(fooS.fields[0].type).toBe(ffi.typeof('int[]'));
});

test('test_const_array_fields_unknownlength', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { const int a[...]; ...; };');
  verify(ffi, 'test_const_array_fields_unknownlength', `
        struct foo_s { const int a[4]; };`);
  const fooS = attrs(ffi.typeof('struct foo_s'));
  expect(fooS.fields[0].name).toBe('a');
  expect(fooS.fields[0].type).toBe(ffi.typeof('int[4]'));
});

test('test_const_function_args', () => {
  const ffi = newFFI();
  ffi.cdef('int foobar(const int a, const int *b, const int c[]);');
  const lib = verify(ffi, 'test_const_function_args', `
        int foobar(const int a, const int *b, const int c[]) {
            return a + *b + *c;
        }
    `);
  expect(lib.foobar(100, ffi.new('int *', 40), ffi.new('int *', 2))).toBe(142);
});

test.failing('test_const_function_type_args', () => {
  const ffi = newFFI();
  ffi.cdef('extern int(*foobar)(const int a,const int*b,const int c[]);');
  const lib = verify(ffi, 'test_const_function_type_args', `
        int (*foobar)(const int a, const int *b, const int c[]);
    `);
  const t = attrs(ffi.typeof(lib.foobar));
  expect(t.args[0]).toBe(ffi.typeof('int'));
  expect(t.args[1]).toBe(ffi.typeof('int *'));
  expect(t.args[2]).toBe(ffi.typeof('int *'));
});

test('test_const_constant', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int x,y; }; const struct foo_s myfoo;');
  const lib = verify(ffi, 'test_const_constant', `
        struct foo_s { int x,y; }; const struct foo_s myfoo = { 40, 2 };
    `);
  expect(lib.myfoo.x).toBe(40);
  expect(lib.myfoo.y).toBe(2);
});

test('test_const_via_typedef', () => {
  const ffi = newFFI();
  ffi.cdef('typedef const int const_t; const_t aaa;');
  const lib = verify(ffi, 'test_const_via_typedef', `
        typedef const int const_t;
        #define aaa 42
    `);
  expect(lib.aaa).toBe(42);
  expect(() => {
    lib.aaa = 43;
  }).toThrow(FFIError);
});

test.failing('test_win32_calling_convention_0', () => {
  const ffi = newFFI();
  ffi.cdef(`
        int call1(int(__cdecl   *cb)(int));
        int (*const call2)(int(__stdcall *cb)(int));
    `);
  const lib = verify(ffi, 'test_win32_calling_convention_0', String.raw`
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
  expect(res).toBe((ffi.addressof(lib, 'call1') as CFunction)(cb1));
  res = lib.call2(cb2);
  expect(res).toBe(-500 * 999 * 3);
  expect(res).toBe((ffi.addressof(lib, 'call2') as CFunction)(cb2));
  // not 32-bit Windows:
  expect(String(ffi.typeof(cb2))).not.toContain('__stdcall');
  expect(ffi.typeof(cb2)).toBe(ffi.typeof(cb1));
});

test.failing('test_win32_calling_convention_1', () => {
  const ffi = newFFI();
  ffi.cdef(`
        int __cdecl   call1(int(__cdecl   *cb)(int));
        int __stdcall call2(int(__stdcall *cb)(int));
        int (__cdecl   *const cb1)(int);
        int (__stdcall *const cb2)(int);
    `);
  const lib = verify(ffi, 'test_win32_calling_convention_1', String.raw`
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
  const ptrCall1 = ffi.addressof(lib, 'call1') as CFunction;
  expect(lib.call1(ffi.addressof(lib, 'cb1'))).toBe(500 * 999 * 2);
  expect(ptrCall1(ffi.addressof(lib, 'cb1'))).toBe(500 * 999 * 2);
  const ptrCall2 = ffi.addressof(lib, 'call2') as CFunction;
  expect(lib.call2(ffi.addressof(lib, 'cb2'))).toBe(-500 * 999 * 3);
  expect(ptrCall2(ffi.addressof(lib, 'cb2'))).toBe(-500 * 999 * 3);
});

test.failing('test_win32_calling_convention_2', () => {
  // any mistake in the declaration of plain function (including the
  // precise argument types and, here, the calling convention) are
  // automatically corrected.  But this does not apply to the 'cb'
  // function pointer argument.
  const ffi = newFFI();
  ffi.cdef(`
        int __stdcall call1(int(__cdecl   *cb)(int));
        int __cdecl   call2(int(__stdcall *cb)(int));
        int (__cdecl   *const cb1)(int);
        int (__stdcall *const cb2)(int);
    `);
  const lib = verify(ffi, 'test_win32_calling_convention_2', `
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
  const ptrCall1 = ffi.addressof(lib, 'call1') as CFunction;
  const ptrCall2 = ffi.addressof(lib, 'call2') as CFunction;
  expect(lib.call1(ffi.addressof(lib, 'cb1'))).toBe(500 * 999 * 2);
  expect(ptrCall1(ffi.addressof(lib, 'cb1'))).toBe(500 * 999 * 2);
  expect(lib.call2(ffi.addressof(lib, 'cb2'))).toBe(-500 * 999 * 3);
  expect(ptrCall2(ffi.addressof(lib, 'cb2'))).toBe(-500 * 999 * 3);
});

test.failing('test_win32_calling_convention_3', () => {
  const ffi = newFFI();
  ffi.cdef(`
        struct point { int x, y; };

        int (*const cb1)(struct point);
        int (__stdcall *const cb2)(struct point);

        struct point __stdcall call1(int(*cb)(struct point));
        struct point call2(int(__stdcall *cb)(struct point));
    `);
  const lib = verify(ffi, 'test_win32_calling_convention_3', String.raw`
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
  const ptrCall1 = ffi.addressof(lib, 'call1') as CFunction;
  const ptrCall2 = ffi.addressof(lib, 'call2') as CFunction;
  let pt = lib.call1(ffi.addressof(lib, 'cb1'));
  expect([pt.x, pt.y]).toEqual([-9 * 500 * 999, 9 * 500 * 999]);
  pt = ptrCall1(ffi.addressof(lib, 'cb1'));
  expect([pt.x, pt.y]).toEqual([-9 * 500 * 999, 9 * 500 * 999]);
  pt = lib.call2(ffi.addressof(lib, 'cb2'));
  expect([pt.x, pt.y]).toEqual([99 * 500 * 999, -99 * 500 * 999]);
  pt = ptrCall2(ffi.addressof(lib, 'cb2'));
  expect([pt.x, pt.y]).toEqual([99 * 500 * 999, -99 * 500 * 999]);
});

const EXTERN_PYTHON_1_CDEF = `
        extern "Python" {
            int bar(int, int);
            void baz(int, int);
            int bok(void);
            void boz(void);
        }
        `;
const EXTERN_PYTHON_1_SOURCE = `
        static void baz(int, int);   /* forward */
    `;

test('test_extern_python_1', async () => {
  const ffi = newFFI();
  const cdef = await reportsDuring(() => ffi.cdef(EXTERN_PYTHON_1_CDEF));
  expect(cdef.text).toBe(''); // no warning
  const lib = verify(ffi, 'test_extern_python_1', EXTERN_PYTHON_1_SOURCE);
  expect(ffi.typeof(lib.bar)).toBe(ffi.typeof('int(*)(int, int)'));
  // Called before any code is attached: returns 0 and says so on stderr (CFFI writes to fd 2: a child process sees all of it).
  const child = runChild(`${childVerify(EXTERN_PYTHON_1_CDEF, 'test_extern_python_1', EXTERN_PYTHON_1_SOURCE)}
console.log(JSON.stringify(lib.bar(4, 5)));`);
  expect(ending(child)).toBe('exit 0');
  expect(child.stdout.trim()).toBe('0');
  // CFFI: 'extern "Python": function _CFFI_test_extern_python_1.bar() called, but no code was attached to it yet with @ffi.def_extern().  Returning 0.'
  expect(child.stderr).toMatch(/bar\(\)/);
  expect(child.stderr).toMatch(/defExtern/);

  let seen: unknown[] = [];
  const myBar = ffi.defExtern('bar', (x: number, y: number) => {
    seen.push(['Bar', x, y]);
    return x * y;
  });
  expect(myBar).not.toBe(lib.bar);
  seen = [];
  let res = lib.bar(6, 7);
  expect(seen).toEqual([['Bar', 6, 7]]);
  expect(res).toBe(42);

  function baz(x: number, y: number): void {
    seen.push(['Baz', x, y]);
  }
  const baz1 = ffi.defExtern(baz);
  expect(baz1).toBe(baz);
  seen = [];
  baz(40, 4);
  res = lib.baz(50, 8);
  expect(res).toBeUndefined();
  expect(seen).toEqual([['Baz', 40, 4], ['Baz', 50, 8]]);
  // CFFI's checks of Python 2's long versus int are not ported.

  ffi.defExtern('bok', function bokk() {
    seen.push('Bok');
    return 42;
  });
  seen = [];
  expect(lib.bok()).toBe(42);
  expect(seen).toEqual(['Bok']);

  ffi.defExtern(function boz() {
    seen.push('Boz');
  });
  seen = [];
  expect(lib.boz()).toBeUndefined();
  expect(seen).toEqual(['Boz']);
});

test('test_extern_python_bogus_name', () => {
  const ffi = newFFI();
  ffi.cdef('extern int abc;');
  const lib = verify(ffi, 'test_extern_python_bogus_name', 'int abc;');
  function fn(): void {}
  expect(() => ffi.defExtern('unknown_name', fn)).toThrow(FFIError);
  expect(() => ffi.defExtern('abc', fn)).toThrow(FFIError);
  expect(lib.abc).toBe(0);
  // CFFI: "ffi.def_extern('abc'): no 'extern \"Python\"' function with this name"
  expect(() => ffi.defExtern('abc', fn)).toThrow(/defExtern\('abc'\): no 'extern "Python"' function/);
  expect(() => ffi.defExtern(fn)).toThrow(FFIError);
  expect(() => ffi.defExtern(fn)).toThrow(/defExtern\('fn'\): no 'extern "Python"' function/);
  //
  expect(() => ffi.defExtern(42, fn)).toThrow(TypeError);
  expect(() => ffi.defExtern('foo')).toThrow(TypeError);
  // a function whose name is not a string
  const x = function () {};
  Object.defineProperty(x, 'name', { value: x });
  expect(() => ffi.defExtern(x)).toThrow(TypeError);
});

test('test_extern_python_bogus_result_type', async () => {
  const ffi = newFFI();
  ffi.cdef('extern "Python" void bar(int);');
  const lib = verify(ffi, 'test_extern_python_bogus_result_type', '');
  //
  ffi.defExtern(function bar(n: number) {
    return n * 10;
  });
  const { result: res, text: msg } = await reportsDuring(() => lib.bar(321));
  expect(res).toBeUndefined();
  // CFFI: "From cffi callback <bar>: Trying to convert the result back to C: TypeError: callback with the return type 'void' must return None"
  // differs from CFFI: see docs/cffi-differences.md, "What a function returns for a C function of result type void is ignored"
  expect(msg).toBe('');
});

test('test_extern_python_redefine', () => {
  const ffi = newFFI();
  ffi.cdef('extern "Python" int bar(int);');
  const lib = verify(ffi, 'test_extern_python_redefine', '');
  //
  ffi.defExtern(function bar(n: number) {
    return n * 10;
  });
  expect(lib.bar(42)).toBe(420);
  //
  ffi.defExtern(function bar(n: number) {
    return -n;
  });
  expect(lib.bar(42)).toBe(-42);
});

test('test_extern_python_struct', () => {
  const ffi = newFFI();
  ffi.cdef(`
        struct foo_s { int a, b, c; };
        extern "Python" int bar(int, struct foo_s, int);
        extern "Python" { struct foo_s baz(int, int);
                          struct foo_s bok(void); }
    `);
  const lib = verify(ffi, 'test_extern_python_struct', 'struct foo_s { int a, b, c; };');
  //
  ffi.defExtern(function bar(x: number, s: CData, z: number) {
    return x + s.a + s.b + s.c + z;
  });
  let res = lib.bar(1000, [1001, 1002, 1004], 1008);
  expect(res).toBe(5015);
  //
  ffi.defExtern(function baz(x: number, y: number) {
    return [x + y, x - y, x * y];
  });
  res = lib.baz(1000, 42);
  expect(res.a).toBe(1042);
  expect(res.b).toBe(958);
  expect(res.c).toBe(42000);
  //
  ffi.defExtern(function bok() {
    return [10, 20, 30];
  });
  res = lib.bok();
  expect([res.a, res.b, res.c]).toEqual([10, 20, 30]);
});

test('test_extern_python_long_double', () => {
  const ffi = newFFI();
  ffi.cdef(`
        extern "Python" int bar(int, long double, int);
        extern "Python" long double baz(int, int);
        extern "Python" long double bok(void);
    `);
  const lib = verify(ffi, 'test_extern_python_long_double', '');
  //
  const seen: unknown[] = [];
  ffi.defExtern(function bar(x: number, l: unknown, z: number) {
    seen.push([x, l, z]);
    return 6;
  });
  lib.bar(10, 3.5, 20);
  const expected = ffi.cast('long double', 3.5);
  expect(seen).toEqual([[10, expected, 20]]);
  //
  ffi.defExtern(function baz(x: number, z: number) {
    if (!(x === 10 && z === 20)) throw new Error('baz() called with the wrong arguments');
    return expected;
  });
  let res = lib.baz(10, 20);
  expect(res).toEqual(expected);
  //
  ffi.defExtern(function bok() {
    return expected;
  });
  res = lib.bok();
  expect(res).toEqual(expected);
});

test('test_extern_python_signature', () => {
  const ffi = newFFI();
  verify(ffi, 'test_extern_python_signature', '');
  expect(typeof ffi.defExtern).toBe('function');
  expect(() => ffi.defExtern(425, null)).toThrow(TypeError);
  expect(() => ffi.defExtern('a', 'b', 'c', 'd')).toThrow(TypeError);
});

test('test_extern_python_errors', () => {
  const ffi = newFFI();
  ffi.cdef(`
        extern "Python" int bar(int);
    `);
  const lib = verify(ffi, 'test_extern_python_errors', '');

  const seen: unknown[][] = [];
  function oops(...args: unknown[]): void {
    seen.push(args);
  }

  // JavaScript's TypeError nearest to Python's `x + ""` on an int: mixing a bigint with a number
  ffi.defExtern('bar', function bar(x: number) {
    return (x as unknown as bigint) + 1n;
  }, { onerror: oops });
  expect(lib.bar(10)).toBe(0);

  ffi.defExtern('bar', function bar2(x: number) {
    return (x as unknown as bigint) + 1n;
  }, { onerror: oops, error: -66 });
  expect(lib.bar(10)).toBe(-66);

  expect(seen.length).toBe(2);
  let err = seen[0][0] as Error;
  expect(err).toBeInstanceOf(TypeError);
  expect(err.stack).toMatch(/at bar \(/);
  err = seen[1][0] as Error;
  expect(err).toBeInstanceOf(TypeError);
  expect(err.stack).toMatch(/at bar2 \(/);
  //
  // a case where 'onerror' is not callable
  expect(() => ffi.defExtern('bar', (x: number) => x, { onerror: 42 })).toThrow(TypeError);
});

test('test_extern_python_stdcall', () => {
  const ffi = newFFI();
  ffi.cdef(`
        extern "Python" int __stdcall foo(int);
        extern "Python" int WINAPI bar(int);
        static int (__stdcall * mycb1)(int);
        static int indirect_call(int);
    `);
  const lib = verify(ffi, 'test_extern_python_stdcall', `
        #ifndef _MSC_VER
        #  define __stdcall
        #endif
        static int (__stdcall * mycb1)(int);
        static int indirect_call(int x) {
            return mycb1(x);
        }
    `);
  //
  ffi.defExtern(function foo(x: number) {
    return x + 42;
  });
  ffi.defExtern(function bar(x: number) {
    return x + 43;
  });
  expect(lib.foo(100)).toBe(142);
  expect(lib.bar(100)).toBe(143);
  lib.mycb1 = lib.foo;
  expect(lib.mycb1(200)).toBe(242);
  expect(lib.indirect_call(300)).toBe(342);
});

test('test_extern_python_plus_c', () => {
  const ffi = newFFI();
  ffi.cdef(`
        extern "Python+C" int foo(int);
        extern "C +\tPython" int bar(int);
        int call_me(int);
    `);
  const lib = verify(ffi, 'test_extern_python_plus_c', `
        int foo(int);
        #ifdef __GNUC__
        __attribute__((visibility("hidden")))
        #endif
        int bar(int);

        static int call_me(int x) {
            return foo(x) - bar(x);
        }
    `);
  //
  ffi.defExtern(function foo(x: number) {
    return x * 42;
  });
  ffi.defExtern(function bar(x: number) {
    return x * 63;
  });
  expect(lib.foo(100)).toBe(4200);
  expect(lib.bar(100)).toBe(6300);
  expect(lib.call_me(100)).toBe(-2100);
});

test('test_introspect_function', () => {
  const ffi = newFFI();
  ffi.cdef('float f1(double);');
  const lib = verify(ffi, 'test_introspect_function', `
        float f1(double x) { return (float)x; }
    `);
  expect(dir(lib)).toEqual(['f1']);
  const FUNC = ffi.typeof(lib.f1);
  const func = attrs(FUNC);
  // differs from CFFI: see docs/cffi-differences.md, "A function pointer's ctype is a pointer"
  expect(func.kind).toBe('pointer');
  expect(func.args[0].cname).toBe('double');
  expect(func.result.cname).toBe('float');
  expect(ffi.typeof(ffi.addressof(lib, 'f1'))).toBe(FUNC);
});

test('test_introspect_global_var', () => {
  const ffi = newFFI();
  ffi.cdef('extern float g1;');
  const lib = verify(ffi, 'test_introspect_global_var', `
        float g1;
    `);
  expect(dir(lib)).toEqual(['g1']);
  const FLOATPTR = attrs(ffi.typeof(ffi.addressof(lib, 'g1')));
  expect(FLOATPTR.kind).toBe('pointer');
  expect(FLOATPTR.item.cname).toBe('float');
});

test('test_introspect_global_var_array', () => {
  const ffi = newFFI();
  ffi.cdef('extern float g1[100];');
  const lib = verify(ffi, 'test_introspect_global_var_array', `
        float g1[100];
    `);
  expect(dir(lib)).toEqual(['g1']);
  const FLOATARRAYPTR = attrs(ffi.typeof(ffi.addressof(lib, 'g1')));
  expect(FLOATARRAYPTR.kind).toBe('pointer');
  expect(attrs(FLOATARRAYPTR.item).kind).toBe('array');
  expect(attrs(FLOATARRAYPTR.item).length).toBe(100);
  expect(ffi.typeof(lib.g1)).toBe(FLOATARRAYPTR.item);
});

test('test_introspect_integer_const', () => {
  const ffi = newFFI();
  ffi.cdef('#define FOO 42');
  const lib = verify(ffi, 'test_introspect_integer_const', `
        #define FOO 42
    `);
  expect(dir(lib)).toEqual(['FOO']);
  expect(lib.FOO).toBe(42);
  expect(ffi.integerConst('FOO')).toBe(42);
});

test('test_introspect_typedef', () => {
  const ffi = newFFI();
  ffi.cdef('typedef int foo_t;');
  verify(ffi, 'test_introspect_typedef', `
        typedef int foo_t;
    `);
  expect(ffi.listTypes()).toEqual({ typedefs: ['foo_t'], structs: [], unions: [] });
  expect(ffi.typeof('foo_t').kind).toBe('primitive');
  expect(ffi.typeof('foo_t').cname).toBe('int');
});

test('test_introspect_typedef_multiple', () => {
  const ffi = newFFI();
  ffi.cdef('typedef signed char a_t, c_t, g_t, b_t;');
  verify(ffi, 'test_introspect_typedef_multiple', `
        typedef signed char a_t, c_t, g_t, b_t;
    `);
  expect(ffi.listTypes()).toEqual({ typedefs: ['a_t', 'b_t', 'c_t', 'g_t'], structs: [], unions: [] });
});

test('test_introspect_struct', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int a; };');
  verify(ffi, 'test_introspect_struct', `
        struct foo_s { int a; };
    `);
  expect(ffi.listTypes()).toEqual({ typedefs: [], structs: ['foo_s'], unions: [] });
  expect(ffi.typeof('struct foo_s').kind).toBe('struct');
  expect(ffi.typeof('struct foo_s').cname).toBe('struct foo_s');
});

test('test_introspect_union', () => {
  const ffi = newFFI();
  ffi.cdef('union foo_s { int a; };');
  verify(ffi, 'test_introspect_union', `
        union foo_s { int a; };
    `);
  expect(ffi.listTypes()).toEqual({ typedefs: [], structs: [], unions: ['foo_s'] });
  expect(ffi.typeof('union foo_s').kind).toBe('union');
  expect(ffi.typeof('union foo_s').cname).toBe('union foo_s');
});

test('test_introspect_struct_and_typedef', () => {
  const ffi = newFFI();
  ffi.cdef('typedef struct { int a; } foo_t;');
  verify(ffi, 'test_introspect_struct_and_typedef', `
        typedef struct { int a; } foo_t;
    `);
  expect(ffi.listTypes()).toEqual({ typedefs: ['foo_t'], structs: [], unions: [] });
  expect(ffi.typeof('foo_t').kind).toBe('struct');
  expect(ffi.typeof('foo_t').cname).toBe('foo_t');
});

test('test_introspect_included_type', () => {
  const SOURCE = `
        typedef signed char schar_t;
        struct sint_t { int x; };
    `;
  const ffi1 = newFFI();
  ffi1.cdef(SOURCE);
  const ffi2 = newFFI();
  ffi2.include(ffi1);
  verify(ffi1, 'test_introspect_included_type_parent', SOURCE);
  verify(ffi2, 'test_introspect_included_type', SOURCE);
  const expected = { typedefs: ['schar_t'], structs: ['sint_t'], unions: [] };
  expect(ffi1.listTypes()).toEqual(expected);
  expect(ffi2.listTypes()).toEqual(expected);
});

test('test_introspect_order', () => {
  const ffi = newFFI();
  ffi.cdef('union CFFIaaa { int a; }; typedef struct CFFIccc { int a; } CFFIb;');
  ffi.cdef('union CFFIg   { int a; }; typedef struct CFFIcc  { int a; } CFFIbbb;');
  ffi.cdef('union CFFIaa  { int a; }; typedef struct CFFIa   { int a; } CFFIbb;');
  verify(ffi, 'test_introspect_order', `
        union CFFIaaa { int a; }; typedef struct CFFIccc { int a; } CFFIb;
        union CFFIg   { int a; }; typedef struct CFFIcc  { int a; } CFFIbbb;
        union CFFIaa  { int a; }; typedef struct CFFIa   { int a; } CFFIbb;
    `);
  expect(ffi.listTypes()).toEqual({
    typedefs: ['CFFIb', 'CFFIbb', 'CFFIbbb'],
    structs: ['CFFIa', 'CFFIcc', 'CFFIccc'],
    unions: ['CFFIaa', 'CFFIaaa', 'CFFIg'],
  });
});

test('test_bool_in_cpp', () => {
  // this works when compiled as C, but in cffi < 1.7 it fails as C++
  const ffi = newFFI();
  ffi.cdef('bool f(void);');
  const lib = verify(ffi, 'test_bool_in_cpp', 'char f(void) { return 2; }');
  expect(lib.f()).toBe(true);
});

test('test_bool_in_cpp_2', () => {
  const ffi = newFFI();
  ffi.cdef('int add(int a, int b);');
  const lib = verify(ffi, 'test_bool_bug_cpp', `
        typedef bool _Bool;  /* there is a Windows header with this line */
        int add(int a, int b)
        {
            return a + b;
        }`, { sourceExtension: '.cpp' });
  const c = lib.add(2, 3);
  expect(c).toBe(5);
});

test.failing('test_struct_field_opaque', () => {
  for (const cdef of ['struct a { struct b b; };', 'struct a { struct b b[2]; };', 'struct a { struct b b[]; };']) {
    const ffi = newFFI();
    ffi.cdef(cdef);
    expect(() => verify(ffi, 'test_struct_field_opaque', '?')).toThrow(TypeError);
    expect(() => verify(ffi, 'test_struct_field_opaque', '?')).toThrow("struct a: field 'a.b' is of an opaque type (not declared in cdef())");
  }
});

test('test_function_returns_opaque', () => {
  const ffi = newFFI();
  ffi.cdef('struct a foo(int);');
  expect(() => verify(ffi, 'test_function_returns_opaque', '?')).toThrow(TypeError);
  expect(() => verify(ffi, 'test_function_returns_opaque', '?')).toThrow("function foo: 'struct a' is used as result type, but is opaque");
});

test('test_function_returns_union', () => {
  const ffi = newFFI();
  ffi.cdef('union u1 { int a, b; }; union u1 f1(int);');
  const lib = verify(ffi, 'test_function_returns_union', `
        union u1 { int a, b; };
        static union u1 f1(int x) { union u1 u; u.b = x; return u; }
    `);
  expect(lib.f1(51).a).toBe(51);
});

test('test_function_returns_partial_struct', () => {
  const ffi = newFFI();
  ffi.cdef('struct aaa { int a; ...; }; struct aaa f1(int);');
  const lib = verify(ffi, 'test_function_returns_partial_struct', `
        struct aaa { int b, a, c; };
        static struct aaa f1(int x) { struct aaa s = {0}; s.a = x; return s; }
    `);
  expect(lib.f1(52).a).toBe(52);
});

// CFFI's Python complex is node-cffi's { real, imag } (see docs/cffi-differences.md).
test('test_function_returns_float_complex', () => {
  const ffi = newFFI();
  ffi.cdef('float _Complex f1(float a, float b);');
  const lib = verify(ffi, 'test_function_returns_float_complex', `
            #include <complex.h>
            static float _Complex f1(float a, float b) { return a + I*2.0f*b; }
        `, { noCpp: true });
  const result = lib.f1(1.25, 5.1);
  expect(Object.keys(result)).toEqual(['real', 'imag']);
  expect(result.real).toBe(1.25); // exact
  expect(result.imag !== 2 * 5.1 && Math.abs(result.imag - 2 * 5.1) < 1e-5).toBe(true); // inexact
});

test('test_function_returns_double_complex', () => {
  const ffi = newFFI();
  ffi.cdef('double _Complex f1(double a, double b);');
  const lib = verify(ffi, 'test_function_returns_double_complex', `
            #include <complex.h>
            static double _Complex f1(double a, double b) { return a + I*2.0*b; }
        `, { noCpp: true });
  const result = lib.f1(1.25, 5.1);
  expect(Object.keys(result)).toEqual(['real', 'imag']);
  expect(result.real).toBe(1.25); // exact
  expect(result.imag).toBe(2 * 5.1); // exact
});

test('test_function_argument_float_complex', () => {
  const ffi = newFFI();
  ffi.cdef('float f1(float _Complex x);');
  const lib = verify(ffi, 'test_function_argument_float_complex', `
            #include <complex.h>
            static float f1(float _Complex x) { return cabsf(x); }
        `, { noCpp: true });
  const x = { real: 12.34, imag: 56.78 };
  const result = lib.f1(x);
  expect(Math.abs(result - Math.hypot(x.real, x.imag))).toBeLessThan(1e-5);
});

test('test_function_argument_double_complex', () => {
  const ffi = newFFI();
  ffi.cdef('double f1(double _Complex);');
  const lib = verify(ffi, 'test_function_argument_double_complex', `
            #include <complex.h>
            static double f1(double _Complex x) { return cabs(x); }
        `, { noCpp: true });
  const x = { real: 12.34, imag: 56.78 };
  const result = lib.f1(x);
  expect(Math.abs(result - Math.hypot(x.real, x.imag))).toBeLessThan(1e-11);
});

test('test_typedef_array_dotdotdot', () => {
  const ffi = newFFI();
  ffi.cdef(`
        typedef int foo_t[...], bar_t[...];
        extern int gv[...];
        typedef int mat_t[...][...];
        typedef int vmat_t[][...];
        `);
  const lib = verify(ffi, 'test_typedef_array_dotdotdot', `
        typedef int foo_t[50], bar_t[50];
        int gv[23];
        typedef int mat_t[6][7];
        typedef int vmat_t[][8];
    `);
  expect(ffi.sizeof('foo_t')).toBe(50 * ffi.sizeof('int'));
  expect(ffi.sizeof('bar_t')).toBe(50 * ffi.sizeof('int'));
  expect(ffi.new('foo_t').length).toBe(50);
  expect(ffi.new('bar_t').length).toBe(50);
  expect(ffi.sizeof(lib.gv)).toBe(23 * ffi.sizeof('int'));
  expect(ffi.sizeof('mat_t')).toBe(6 * 7 * ffi.sizeof('int'));
  expect(ffi.new('mat_t').length).toBe(6);
  expect(ffi.new('mat_t')[3].length).toBe(7);
  expect(() => ffi.sizeof('vmat_t')).toThrow(FFIError);
  const p = ffi.new('vmat_t', 4);
  expect(ffi.sizeof(p[3])).toBe(8 * ffi.sizeof('int'));
});

test.failing('test_typedef_array_dotdotdot_usage', () => {
  const ffi = newFFI();
  ffi.cdef(`
        typedef int foo_t[...];
        typedef int mat_t[...][...];
        struct s { foo_t a; foo_t *b; foo_t **c; };
        int myfunc(foo_t a, foo_t *b, foo_t **c);
        struct sm { mat_t a; mat_t *b; mat_t **c; };
        int myfuncm(mat_t a, mat_t *b, mat_t **c);
        `);
  const lib = verify(ffi, 'test_typedef_array_dotdotdot_usage', `
        typedef int foo_t[50];
        typedef int mat_t[6][7];
        struct s { foo_t a; foo_t *b; foo_t **c; };
        static int myfunc(foo_t a, foo_t *b, foo_t **c) { return (**c)[49]; }
        struct sm { mat_t a; mat_t *b; mat_t **c; };
        static int myfuncm(mat_t a, mat_t *b, mat_t **c) { return (**c)[5][6]; }
    `);
  expect(ffi.sizeof('foo_t')).toBe(50 * ffi.sizeof('int'));
  let p = ffi.new('struct s *');
  expect(ffi.sizeof(p[0])).toBe(50 * ffi.sizeof('int') + 2 * ffi.sizeof('void *'));
  p.a[49] = 321;
  p.b = ffi.addressof(p, 'a');
  p.c = ffi.addressof(p, 'b');
  expect(lib.myfunc(ffi.NULL, ffi.NULL, p.c)).toBe(321);
  //
  expect(ffi.sizeof('mat_t')).toBe(42 * ffi.sizeof('int'));
  p = ffi.new('struct sm *');
  expect(ffi.sizeof(p[0])).toBe(42 * ffi.sizeof('int') + 2 * ffi.sizeof('void *'));
  p.a[5][6] = -321;
  p.b = ffi.addressof(p, 'a');
  p.c = ffi.addressof(p, 'b');
  expect(lib.myfuncm(ffi.NULL, ffi.NULL, p.c)).toBe(-321);
});

/** CFFI's message names the function's type and says the way out: only non-variadic API-mode functions return it. */
const VARIADIC = /variadic/;

/**
 * Calls lib.g(0) of the library verify() builds from `cdef` and `source`, in a child process: a
 * struct returned by value through a variadic call can crash the process. Returns how the child
 * ended and what the call threw (or returned).
 */
function callGInChild(cdef: string, cdefOptions: object, moduleName: string, source: string): {
  ended: string;
  stderr: string;
  outcome: { isFFIError?: boolean; name?: string; message?: string; returned?: string } | null;
} {
  const child = runChild(`${childVerify(cdef, moduleName, source, {}, cdefOptions)}
const { FFIError } = require(LIB);
let outcome;
try {
  outcome = { returned: String(lib.g(0)) };
} catch (e) {
  outcome = { isFFIError: e instanceof FFIError, name: e.constructor.name, message: e.message };
}
console.log(JSON.stringify(outcome));`);
  const line = child.stdout.trim().split('\n').pop() ?? '';
  return { ended: ending(child), stderr: child.stderr, outcome: line.startsWith('{') ? JSON.parse(line) : null };
}

test('test_call_with_custom_field_pos', () => {
  const ffi = newFFI();
  const cdef = `
        struct foo { int x; ...; };
        struct foo f(void);
        struct foo g(int, ...);
    `;
  const source = `
        struct foo { int y, x; };
        struct foo f(void) {
            struct foo s = { 40, 200 };
            return s;
        }
        struct foo g(int a, ...) { return f(); }
    `;
  ffi.cdef(cdef);
  const lib = verify(ffi, 'test_call_with_custom_field_pos', source);
  expect(lib.f().x).toBe(200);
  const g = callGInChild(cdef, {}, 'test_call_with_custom_field_pos', source);
  expect(g.ended).toBe('exit 0');
  expect(g.outcome?.isFFIError).toBe(true);
  // CFFI: "ctype 'struct foo' not supported as return value.  It is a struct declared with "...;", but the C calling
  // convention may depend on the missing fields; or, it contains anonymous struct/unions.  Such structs are only
  // supported as return value if the function is 'API mode' and non-variadic (...)"
  expect(g.outcome?.message).toMatch(/'struct foo'/);
  expect(g.outcome?.message).toMatch(VARIADIC);
});

test('test_call_with_nested_anonymous_struct', () => {
  const ffi = newFFI();
  const cdef = `
        struct foo { int a; union { int b, c; }; };
        struct foo f(void);
        struct foo g(int, ...);
    `;
  const source = `
        struct foo { int a; union { int b, c; }; };
        struct foo f(void) {
            struct foo s;
            s.a = 40;
            s.b = 200;
            return s;
        }
        struct foo g(int a, ...) { return f(); }
    `;
  ffi.cdef(cdef);
  const lib = verify(ffi, 'test_call_with_nested_anonymous_struct', source);
  expect(lib.f().b).toBe(200);
  // CFFI refuses g() ("it contains anonymous struct/unions"); koffi passes the anonymous union as a
  // union member of its record (docs/cffi-differences.md). In a child, as the other variadic calls.
  const child = runChild(`${childVerify(cdef, 'test_call_with_nested_anonymous_struct', source)}\nconst s = lib.g(0);\nconsole.log(s.a, s.b, s.c);`);
  expect(ending(child)).toBe('exit 0');
  expect(child.stdout.trim().split('\n').pop()).toBe('40 200 200');
});

test('test_call_with_bitfield', () => {
  const ffi = newFFI();
  const cdef = `
        struct foo { int x:5; };
        struct foo f(void);
        struct foo g(int, ...);
    `;
  const source = `
        struct foo { int x:5; };
        struct foo f(void) {
            struct foo s = { 11 };
            return s;
        }
        struct foo g(int a, ...) { return f(); }
    `;
  ffi.cdef(cdef);
  const lib = verify(ffi, 'test_call_with_bitfield', source);
  expect(lib.f().x).toBe(11);
  // CFFI refuses g() ("... It is a struct with bit fields, which libffi does not support. ..."); koffi
  // passes the struct with its bit-fields' bytes carried by integers (docs/cffi-differences.md). In a
  // child, as the other variadic calls.
  const child = runChild(`${childVerify(cdef, 'test_call_with_bitfield', source)}\nconst s = lib.g(0);\nconsole.log(s.x);`);
  expect(ending(child)).toBe('exit 0');
  expect(child.stdout.trim().split('\n').pop()).toBe('11');
});

test('test_call_with_zero_length_field', () => {
  const ffi = newFFI();
  const cdef = `
        struct foo { int a; int x[0]; };
        struct foo f(void);
        struct foo g(int, ...);
    `;
  const source = `
        struct foo { int a; int x[0]; };
        struct foo f(void) {
            struct foo s = { 42 };
            return s;
        }
        struct foo g(int a, ...) { return f(); }
    `;
  ffi.cdef(cdef);
  const lib = verify(ffi, 'test_call_with_zero_length_field', source);
  expect(lib.f().a).toBe(42);
  const g = callGInChild(cdef, {}, 'test_call_with_zero_length_field', source);
  expect(g.ended).toBe('exit 0');
  expect(g.outcome?.isFFIError).toBe(true);
  // CFFI: "... It is a struct with a zero-length array, which libffi does not support. ..."
  expect(g.outcome?.message).toMatch(/'struct foo'/);
  expect(g.outcome?.message).toMatch(/zero-length|length 0|\[0\]/);
  expect(g.outcome?.message).toMatch(VARIADIC);
});

test('test_call_with_union', () => {
  const ffi = newFFI();
  const cdef = `
        union foo { int a; char b; };
        union foo f(void);
        union foo g(int, ...);
    `;
  const source = `
        union foo { int a; char b; };
        union foo f(void) {
            union foo s = { 42 };
            return s;
        }
        union foo g(int a, ...) { return f(); }
    `;
  ffi.cdef(cdef);
  const lib = verify(ffi, 'test_call_with_union', source);
  expect(lib.f().a).toBe(42);
  // CFFI: "ctype 'union foo' not supported as return value by libffi.  Unions are only supported as return value if ..."
  // koffi returns unions by value from variadic calls too (docs/cffi-differences.md); in a child, as the other variadic calls.
  const child = runChild(`${childVerify(cdef, 'test_call_with_union', source)}\nconsole.log(lib.g(0).a);`);
  expect(ending(child)).toBe('exit 0');
  expect(child.stdout.trim().split('\n').pop()).toBe('42');
});

test('test_call_with_packed_struct', () => {
  const ffi = newFFI();
  const cdef = `
        struct foo { char y; int x; };
        struct foo f(void);
        struct foo g(int, ...);
    `;
  const source = `
        struct foo { char y; int x; } __attribute__((packed));
        struct foo f(void) {
            struct foo s = { 40, 200 };
            return s;
        }
        struct foo g(int a, ...) {
            struct foo s = { 41, 201 };
            return s;
        }
    `;
  ffi.cdef(cdef, { packed: true });
  const lib = verify(ffi, 'test_call_with_packed_struct', source);
  expect(lib.f().y).toBe(40);
  expect(lib.f().x).toBe(200);
  const g = callGInChild(cdef, { packed: true }, 'test_call_with_packed_struct', source);
  expect(g.ended).toBe('exit 0');
  expect(g.outcome?.isFFIError).toBe(true);
  // CFFI: "... It is a 'packed' structure, with a different layout than expected by libffi. ..."
  expect(g.outcome?.message).toMatch(/'struct foo'/);
  expect(g.outcome?.message).toMatch(/packed/);
  expect(g.outcome?.message).toMatch(VARIADIC);
});

test.failing('test_pack_not_supported', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo { char y; int x; };', { pack: 2 });
  expect(() => verify(ffi, 'test_pack_not_supported', '')).toThrow(FFIError);
  expect(() => verify(ffi, 'test_pack_not_supported', '')).toThrow(/pack/);
});

test('test_gcc_visibility_hidden', () => {
  const ffi = newFFI();
  ffi.cdef(`
    int f(int);
    `);
  const lib = verify(ffi, 'test_gcc_visibility_hidden', `
    int f(int a) { return a + 40; }
    `, { extraCompileArgs: ['-fvisibility=hidden'] });
  expect(lib.f(2)).toBe(42);
});

test('test_override_default_definition', () => {
  const ffi = newFFI();
  ffi.cdef('typedef long int16_t, char16_t;');
  verify(ffi, 'test_override_default_definition', '');
  expect(ffi.typeof('int16_t')).toBe(ffi.typeof('char16_t'));
  expect(ffi.typeof('char16_t')).toBe(ffi.typeof('long'));
});

/** CFFI's test_char16_char32_type(no_cpp): both configurations compile C here (see the top of the file). */
function charTypes(noCpp: boolean): void {
  const ffi = newFFI();
  ffi.cdef(`
        char16_t foo_2bytes(char16_t);
        char32_t foo_4bytes(char32_t);
    `);
  const lib = verify(ffi, 'test_char16_char32_type' + (noCpp ? '_nocpp' : ''), `
    #if !defined(__cplusplus) || (!defined(_LIBCPP_VERSION) && __cplusplus < 201103L)
    typedef uint_least16_t char16_t;
    typedef uint_least32_t char32_t;
    #endif

    char16_t foo_2bytes(char16_t a) { return (char16_t)(a + 42); }
    char32_t foo_4bytes(char32_t a) { return (char32_t)(a + 42); }
    `, { noCpp });
  expect(lib.foo_2bytes('\u1234')).toBe('\u125e');
  expect(lib.foo_4bytes('\u1234')).toBe('\u125e');
  expect(lib.foo_4bytes('\u{12345}')).toBe('\u{1236f}');
  expect(() => lib.foo_2bytes('\u{12345}')).toThrow(TypeError);
  expect(() => lib.foo_2bytes(1234)).toThrow(TypeError);
  expect(() => lib.foo_4bytes(1234)).toThrow(TypeError);
}

test('test_char16_char32_type', () => {
  charTypes(false);
});

test('test_char16_char32_plain_c', () => {
  charTypes(true);
});

test.failing('test_realize_struct_error', () => {
  const ffi = newFFI();
  ffi.cdef('typedef ... foo_t; struct foo_s { void (*x)(foo_t); };');
  verify(ffi, 'test_realize_struct_error', `
        typedef int foo_t; struct foo_s { void (*x)(foo_t); };
    `);
  expect(() => ffi.new('struct foo_s *')).toThrow(TypeError);
  expect(() => ffi.new('struct foo_s *')).toThrow(/foo_t/);
});

test('test_from_buffer_struct', () => {
  const ffi = newFFI();
  ffi.cdef('struct foo_s { int a, b; };');
  verify(ffi, 'test_from_buffer_struct_p', `
        struct foo_s { int a, b; };
    `);
  const p = ffi.new('struct foo_s *', [-219239, 58974983]);
  let q = ffi.fromBuffer(ffi.buffer(p), 'struct foo_s[]');
  expect(ffi.typeof(q)).toBe(ffi.typeof('struct foo_s[]'));
  expect(q.length).toBe(1);
  expect(q[0].a).toBe(p.a);
  expect(q[0].b).toBe(p.b);
  expect(addr(ffi, q)).toBe(addr(ffi, p));
  q = ffi.fromBuffer(ffi.buffer(p), 'struct foo_s *');
  expect(ffi.typeof(q)).toBe(ffi.typeof('struct foo_s *'));
  expect(q.a).toBe(p.a);
  expect(q.b).toBe(p.b);
  expect(q[0].a).toBe(p.a);
  expect(q[0].b).toBe(p.b);
  expect(addr(ffi, q)).toBe(addr(ffi, p));
});

test('test_unnamed_bitfield_1', () => {
  const ffi = newFFI();
  ffi.cdef('struct A { char : 1; };');
  verify(ffi, 'test_unnamed_bitfield_1', `
        struct A { char : 1; };
    `);
  const p = ffi.new('struct A *');
  expect(ffi.sizeof(p[0])).toBe(1);
  // Note: on gcc, the type name is ignored for anonymous bitfields
  // and that's why the result is 1.  On MSVC, the result is
  // sizeof("char") which is also 1.
});

test('test_unnamed_bitfield_2', () => {
  const ffi = newFFI();
  ffi.cdef(`struct A {
        short c : 1; short : 1; short d : 1; short : 1; };`);
  verify(ffi, 'test_unnamed_bitfield_2', `
        struct A {
            short c : 1; short : 1; short d : 1; short : 1;
        };
    `);
  const p = ffi.new('struct A *');
  expect(ffi.sizeof(p[0])).toBe(ffi.sizeof('short'));
});

test('test_unnamed_bitfield_3', () => {
  const ffi = newFFI();
  ffi.cdef('struct A { struct { char : 1; char : 1; } b; };');
  verify(ffi, 'test_unnamed_bitfield_3', `
        struct A { struct { char : 1; char : 1; } b; };
    `);
  const p = ffi.new('struct A *');
  expect(ffi.sizeof(p[0])).toBe(1);
  // Note: on gcc, the type name is ignored for anonymous bitfields
  // and that's why the result is 1.  On MSVC, the result is
  // sizeof("char") which is also 1.
});

test('test_unnamed_bitfield_4', () => {
  const ffi = newFFI();
  ffi.cdef(`struct A { struct {
        unsigned c : 1; unsigned : 1; unsigned d : 1; unsigned : 1; } a;
        };
        struct B { struct A a; };`);
  verify(ffi, 'test_unnamed_bitfield_4', `
        struct A { struct {
            unsigned c : 1; unsigned : 1; unsigned d : 1; unsigned : 1; } a;
        };
        struct B { struct A a; };
    `);
  const b = ffi.new('struct B *');
  const a = ffi.new('struct A *');
  expect(ffi.sizeof(a[0])).toBe(ffi.sizeof('unsigned'));
  expect(ffi.sizeof(b[0])).toBe(ffi.sizeof(a[0]));
});

test('test_struct_with_func_with_struct_pointer_arg', () => {
  const ffi = newFFI();
  ffi.cdef(`struct BinaryTree {
            int (* CompareKey)(struct BinaryTree *tree);
        };`);
  verify(ffi, 'test_struct_with_func_with_struct_pointer_arg', `
        struct BinaryTree {
            int (* CompareKey)(struct BinaryTree *tree);
        };
    `);
  ffi.new('struct BinaryTree *');
});

test.failing('test_struct_with_func_with_struct_arg', () => {
  const ffi = newFFI();
  ffi.cdef(`struct BinaryTree {
            int (* CompareKey)(struct BinaryTree tree);
        };`);
  verify(ffi, 'test_struct_with_func_with_struct_arg', `
        struct BinaryTree {
            int (* CompareKey)(struct BinaryTree tree);
        };
    `);
  // CFFI raises RuntimeError: "type-building recursion too deep or infinite"
  expect(() => ffi.new('struct BinaryTree *')).toThrow(FFIError);
  expect(() => ffi.new('struct BinaryTree *')).toThrow(/BinaryTree/);
});

test('test_passing_large_list', () => {
  // The point is that it does not crash: run in a child process.
  const child = runChild(`${childVerify('void passing_large_list(long[]);', 'test_passing_large_list', `
        static void passing_large_list(long a[]) { }
    `)}
const arg = Array.from({ length: 20000000 }, (_, i) => i);
lib.passing_large_list(arg);
console.log('done');`);
  expect(child.stderr).toBe('');
  expect(ending(child)).toBe('exit 0');
  expect(child.stdout.trim()).toBe('done');
});

test('test_convert_api_mode_builtin_function_to_cdata', () => {
  const ffi = newFFI();
  ffi.cdef(`struct s { int x; };
        struct s add1(struct s); struct s add2(struct s);
        int mycall(struct s(*)(struct s)); int mycall2(void *);`);
  const lib = verify(ffi, 'test_convert_api_mode_builtin_function_to_cdata', `
        struct s { int x; };
        static struct s add1(struct s a) {
            struct s r; r.x = a.x + 1; return r;
        }
        static struct s add2(struct s a) {
            struct s r; r.x = a.x + 2; return r;
        }
        static int mycall(struct s(*cb)(struct s)) {
            struct s a; a.x = 100;
            return cb(a).x;
        }
        static int mycall2(void *cb) {
            struct s a; a.x = 200;
            return ((struct s(*)(struct s))cb)(a).x;
        }
    `);
  const sPtr = ffi.new('struct s *', [42]);
  const s = sPtr[0];
  expect(lib.add1(s).x).toBe(43);
  expect(lib.add2(s).x).toBe(44);
  expect(lib.mycall(lib.add1)).toBe(101);
  expect(lib.mycall(lib.add2)).toBe(102);
  expect(lib.mycall2(lib.add1)).toBe(201);
  expect(lib.mycall2(lib.add2)).toBe(202);
  s.x = -42;
  const myArray = ffi.new('struct s(*[2])(struct s)');
  myArray[0] = lib.add1;
  myArray[1] = lib.add2;
  expect(myArray[0](s).x).toBe(-41);
  expect(myArray[1](s).x).toBe(-40);
  s.x = 84;
  const p = ffi.cast('void *', lib.add1);
  expect(ffi.cast('struct s(*)(struct s)', p)!(s).x).toBe(85);
  const q = ffi.cast('intptr_t', lib.add2);
  expect(ffi.cast('struct s(*)(struct s)', q)!(s).x).toBe(86);
  s.x = 300;
  const myArray2 = ffi.new('void *[]', [lib.add1, lib.add2]);
  expect(ffi.cast('struct s(*)(struct s)', myArray2[1])!(s).x).toBe(302);
  expect(ffi.typeof(lib.add1)).toBe(ffi.typeof('struct s(*)(struct s)'));
});

test('test_large_enum', () => {
  const ffi = newFFI();
  const biglist = Array.from({ length: 6000 }, (_, i) => `nn${i}`);
  ffi.cdef(`enum foo_s { ${biglist.join(',')} };`);
  const lib = verify(ffi, 'test_large_enum', `
        enum foo_s { ${biglist.join(',')} };`);
  expect(lib.nn0).toBe(0);
  expect(lib.nn1234).toBe(1234);
  expect(lib.nn5999).toBe(5999);
  const e = attrs(ffi.typeof('enum foo_s'));
  const elements: Record<number, string> = {};
  const relements: Record<string, number> = {};
  for (let i = 0; i < 6000; i++) {
    elements[i] = biglist[i];
    relements[biglist[i]] = i;
  }
  expect(e.elements).toEqual(elements);
  expect(e.relements).toEqual(relements);
});

