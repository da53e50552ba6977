// CFFI's src/c/test_c.py, second part (test_call_function_25 up to test_CData_CType): _cffi_backend's low-level API through node-cffi's public one, one test per CFFI test, in CFFI's order.
//
// Not ported:
//   test_add_error: its subject is that a <cdata 'int'> refuses + and -; a cast to a number type is a plain JavaScript number here (docs/cffi-differences.md, "A cast to a number type is a number"), for which + and - are arithmetic
//   test_no_inheritance: its subject is that Python refuses a class statement deriving from _cffi_backend's CType and CData classes; JavaScript's `class extends` cannot be refused by the base class, and its cdata, cast(BInt, 42), is a plain number here
//   test_variable_length_struct: CFFI skips it (pytest.skip "later")
//
// Translation. new_primitive_type/new_pointer_type/new_array_type/new_function_type → the C type as a
// string ('int', 'int *', 'int[5]', 'int(*)(int)'); a struct, union or enum made with new_struct_type,
// new_union_type or new_enum_type and completed with complete_struct_or_union → the same type declared
// with ffi.cdef() in a fresh FFI (one per CFFI test, as each CFFI test makes its own types); an enum whose
// name CFFI gives without the 'enum' tag ("foo") → `typedef enum { ... } foo;`; newp → ffi.new, cast →
// ffi.cast, callback(BFunc, f, error, onerror) → ffi.callback(type, f, { error, onerror }) (Python's
// onerror(exc, val, tb) is onerror(error)); load_library via find_and_load_library('c') → ffi.dlopen('c')
// (a bare name looked up in the dynamic linker's cache, as ctypes.util.find_library does), its
// read_variable/write_variable → a global declared in the cdef, close_lib → ffi.dlclose;
// set_errno/get_errno → ffi.errno; getcname → ffi.getctype. `_testfunc(n)`, the address of a C test
// function compiled into _cffi_backend, → testfunc(n): the address of the same C function (CFFI's source,
// in TESTFUNC_SOURCE) from one library built once with ffi.verify() in beforeAll(), cast to the test's
// own function pointer type as CFFI casts it; the library's own functions (API mode) are called too
// where a test returns structs by value. Python bytes → a JavaScript string, or a char's byte value (a
// number) where one char is meant; `type(x) is bytes` → typeof x === 'string'; len(x) → x.length;
// list(x) → [...x]; cdata `==` and ordering compare addresses (ffi.cast('uintptr_t', p)); gc.collect() →
// a full collection and turns of the event loop; CFFI's _assert_unraisable (sys.unraisablehook) → the
// CallbackError warnings node-cffi emits through process.emitWarning, recorded by a spy; a Python
// traceback's "in f" → a JavaScript stack's "at f". Errors: OverflowError and IndexError → RangeError;
// ValueError of an initializer → RangeError; CFFI's own ValueError, RuntimeError and NotImplementedError
// → FFIError; messages are node-cffi's own words, checked by the fragments that name the same culprit.
// Where test_c.py at HEAD (2.x) and CFFI 1.15.1 differ, a comment says so and HEAD's test is followed.
//
// Lines marked "no counterpart" are CFFI assertions that cannot hold under the port's mapping of
// Python to JavaScript, whatever node-cffi does: a cast to a number type is a plain number (no repr,
// ctype or size of its own), NULL is null (no "NULL cdata" of a type), a char is a number, Python's
// str/repr pair, a Python function's address in its repr, Python's memoryview. Each says which rule;
// everything else is asserted as CFFI asserts it.
//
// The tests that call or read through made-up addresses (42, 123, 123456) or set the C library's
// `stderr` to NULL run in a child process, so that a crash is a failure and not the end of the suite.
import * as os from 'os';
import { FFI, CDefError, FFIError, CData } from '../../lib';
import type { Lib } from '../../lib';
import { SIZE_OF_INT, SIZE_OF_LONG, SIZE_OF_PTR, addr, collect, js } from '../helpers/cffiport';
import { ending, runChild } from '../helpers/child';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/**
 * The C functions _cffi_backend compiles in for `_testfunc(n)` (src/c/_cffi_backend.c, `_testfunc5` to
 * `_testfunc25`) that this part of test_c.py uses, as CFFI writes them; `_testfunc(8)`, the C library's
 * `stderr`, is `_testfunc8()`'s result. `_testfunc25` is CFFI's disabled one (`#if 0`: "libffi doesn't
 * properly support complexes"). `struct foo` is the layout test_cannot_call_with_a_autocompleted_struct
 * gives complete_struct_or_union with explicit offsets ('c' at 8, 'a' at 2, 'b' at 0): a struct declared
 * with '...;' whose layout the compiler gives is what has such offsets in a cdef.
 */
const TESTFUNC_CDEF = `
  struct _testfunc7_s { unsigned char a1; short a2; };
  struct _testfunc11_s { int a1, a2; };
  struct _testfunc12_s { double a1; };
  struct _testfunc13_s { int a1, a2, a3; };
  struct _testfunc14_s { float a1; };
  struct _testfunc15_s { float a1; int a2; };
  struct _testfunc16_s { float a1, a2; };
  struct _testfunc17_s { int a1; float a2; };
  struct foo { double c; signed char a; signed char b; ...; };
  void _testfunc5(void);
  void *_testfunc8(void);
  struct _testfunc7_s _testfunc10(int n);
  struct _testfunc11_s _testfunc11(int n);
  struct _testfunc12_s _testfunc12(int n);
  struct _testfunc13_s _testfunc13(int n);
  struct _testfunc14_s _testfunc14(int n);
  struct _testfunc15_s _testfunc15(int n);
  struct _testfunc16_s _testfunc16(int n);
  struct _testfunc17_s _testfunc17(int n);
  int _testfunc18(struct _testfunc17_s *ptr);
  long double _testfunc19(long double x, int count);
  double _Complex _testfunc25(double a, double b);
`;
const TESTFUNC_SOURCE = String.raw`
#include <complex.h>
struct foo { signed char b; char _unnamed; signed char a; double c; };

static void _testfunc5(void)
{
    errno = errno + 15;
}
static void *_testfunc8(void)
{
    return stderr;
}
struct _testfunc7_s { unsigned char a1; short a2; };
static struct _testfunc7_s _testfunc10(int n)
{
    struct _testfunc7_s result;
    result.a1 = n;
    result.a2 = n * n;
    return result;
}

struct _testfunc11_s { int a1, a2; };
static struct _testfunc11_s _testfunc11(int n)
{
    struct _testfunc11_s result;
    result.a1 = n;
    result.a2 = n * n;
    return result;
}

struct _testfunc12_s { double a1; };
static struct _testfunc12_s _testfunc12(int n)
{
    struct _testfunc12_s result;
    result.a1 = n;
    return result;
}

struct _testfunc13_s { int a1, a2, a3; };
static struct _testfunc13_s _testfunc13(int n)
{
    struct _testfunc13_s result;
    result.a1 = n;
    result.a2 = n * n;
    result.a3 = n * n * n;
    return result;
}

struct _testfunc14_s { float a1; };
static struct _testfunc14_s _testfunc14(int n)
{
    struct _testfunc14_s result;
    result.a1 = (float)n;
    return result;
}

struct _testfunc15_s { float a1; int a2; };
static struct _testfunc15_s _testfunc15(int n)
{
    struct _testfunc15_s result;
    result.a1 = (float)n;
    result.a2 = n * n;
    return result;
}

struct _testfunc16_s { float a1, a2; };
static struct _testfunc16_s _testfunc16(int n)
{
    struct _testfunc16_s result;
    result.a1 = (float)n;
    result.a2 = -(float)n;
    return result;
}

struct _testfunc17_s { int a1; float a2; };
static struct _testfunc17_s _testfunc17(int n)
{
    struct _testfunc17_s result;
    result.a1 = n;
    result.a2 = (float)n * (float)n;
    return result;
}

static int _testfunc18(struct _testfunc17_s *ptr)
{
    return ptr->a1 + (int)ptr->a2;
}

static long double _testfunc19(long double x, int count)
{
    int i;
    for (i=0; i<count; i++) {
        x = 4*x - x*x;
    }
    return x;
}

static double _Complex _testfunc25(double a, double b)
{
    return a + I*2.0*b;
}
`;

/** The library of the C test functions, built once. */
let fixture: FFI;
let testlib: Lib;
beforeAll(() => {
  fixture = new FFI();
  fixture.cdef(TESTFUNC_CDEF);
  testlib = fixture.verify(TESTFUNC_SOURCE);
});

/** CFFI's `_testfunc(n)`: the address of the C test function n (for 8, the C library's `stderr`), a number. */
function testfunc(n: number): number {
  const p = n === 8 ? (testlib as Any)._testfunc8() : fixture.addressof(testlib, `_testfunc${n}`);
  return fixture.cast('uintptr_t', p) as number;
}

/** The error `fn` throws (failing when it throws nothing). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an exception, but nothing was thrown');
}

/** The warnings (`'<type>: <text>'`) `fn` makes node-cffi emit through process.emitWarning while it runs; its result. */
function reportsDuring<T>(fn: () => T): { result: T; reports: string[] } {
  const reports: string[] = [];
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation((w: string | Error, type?: unknown) => {
    const name = typeof type === 'string' ? type : typeof type === 'object' && type !== null && 'type' in type ? String((type as { type: unknown }).type) : 'Warning';
    reports.push(`${name}: ${String(w)}`);
  });
  try {
    return { result: fn(), reports };
  } finally {
    spy.mockRestore();
  }
}

/**
 * CFFI's `with _assert_unraisable(error_type, message, traceback_tokens): ...`: with `errorName` null, `fn`
 * reports nothing; else it reports (a CallbackError warning) an error of that class whose text holds
 * `message`, and the report holds every token. Returns `fn`'s result, for the assertion inside the `with`.
 */
function assertUnraisable<T>(errorName: string | null, message: string | RegExp, tokens: string[], fn: () => T): T {
  const { result, reports } = reportsDuring(fn);
  if (errorName === null) {
    expect(reports).toEqual([]);
    return result;
  }
  expect(reports.length).toBeGreaterThan(0);
  const text = reports.join('\n');
  expect(reports.every((r) => r.startsWith('CallbackError: '))).toBe(true);
  expect(text).toContain(`${errorName}: `);
  if (typeof message === 'string') expect(text).toContain(message);
  else expect(text).toMatch(message);
  for (const t of tokens) expect(text).toContain(t);
  return result;
}

/** Python's exceptions that the tests raise themselves (named so in a stack's first line). */
class ValueError extends Error {}
ValueError.prototype.name = 'ValueError';

/** A child process's script: the library, and what each step gave (a value shown, or the error's class and message). */
const CHILD_PRELUDE = `
const { FFI } = require(LIB);
const outcome = (f) => {
  try {
    const r = f();
    return { value: r === null || typeof r !== 'object' && typeof r !== 'function' ? (typeof r === 'bigint' ? String(r) + 'n' : r) : String(r) };
  } catch (e) {
    return { error: e.constructor.name, message: e.message };
  }
};
`;

/** Runs a child script and returns the JSON object it prints last, after checking that it ended normally. */
function childResult(script: string): Any {
  const child = runChild(CHILD_PRELUDE + script);
  expect(ending(child)).toBe('exit 0');
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

test('test_call_function_25', () => {
  const ffi = new FFI();
  // differs from CFFI: see docs/cffi-differences.md, "Complex numbers are `{ real, imag }`" (koffi passes complex
  // numbers as C's calling conventions do). CFFI calls _testfunc(9) cast to this type and expects NotImplementedError
  // ("the support for complex types inside libffi is mostly missing"; CFFI 1.15.1 names the type 'double _Complex',
  // '_cffi_double_complex_t' is a KeyError there, and raises the same). The test CFFI disables (`if 0`) is the one
  // that holds here: _testfunc25, `a + I*2.0*b`.
  const f = ffi.cast('_cffi_double_complex_t(*)(double, double)', testfunc(25))!;
  const result = f(1.25, 5.1);
  expect(Object.keys(result).sort()).toEqual(['imag', 'real']); // type(result) == complex
  expect(result.real).toBe(1.25); // exact
  // CFFI's disabled line also asserts `result.imag != 2*5.1` (copied from the float version, test_call_function_24):
  // in double precision 2.0*b is exact, so only the closeness holds.
  expect(Math.abs(result.imag - 2 * 5.1)).toBeLessThan(1e-10);
});

test('test_cannot_call_with_a_autocompleted_struct', () => {
  // complete_struct_or_union() with explicit offsets ('c' at 8, 'a' at 2, 'b' at 0) is the fixture's
  // `struct foo { double c; signed char a; signed char b; ...; }`, laid out by the compiler. The call goes to
  // address 42 unless it is refused first: in a child process.
  const r = childResult(`
const fixture = new FFI();
fixture.cdef(${JSON.stringify(TESTFUNC_CDEF)});
fixture.verify(${JSON.stringify(TESTFUNC_SOURCE)}); // the library beforeAll() built: found in the cache
const layout = fixture.typeof('struct foo').fields.map((f) => [f.name, f.offset]);
const dummy_func = fixture.cast('double(*)(struct foo)', 42); // internally not callable
console.log(JSON.stringify({ layout, call: outcome(() => dummy_func('?')) }));
`);
  expect(r.layout).toEqual([['c', 8], ['a', 2], ['b', 0]]);
  // NotImplementedError; CFFI's message: "ctype 'struct foo' not supported as argument.  It is a struct declared
  // with "...;", but the C calling convention may depend on the missing fields; or, it contains anonymous
  // struct/unions.  Such structs are only supported as argument if the function is 'API mode' and non-variadic
  // (i.e. declared inside ffibuilder.cdef()+ffibuilder.set_source() and not taking a final '...' argument)"
  expect(r.call.error).toBe('FFIError');
  expect(r.call.message).toMatch(/ctype 'struct foo' not supported as argument/);
  expect(r.call.message).toMatch(/\.\.\.;/);
  expect(r.call.message).toMatch(/verify\(\)/);
});

test('test_new_charp', () => {
  const ffi = new FFI();
  let x = ffi.new('char[]', 42);
  expect(x.length).toBe(42);
  x = ffi.new('char[]', 'foobar');
  expect(x.length).toBe(7);
});

test('test_load_and_call_function', () => {
  const ffi = new FFI();
  ffi.cdef('long strlen(char *);');
  const ll = ffi.dlopen('c') as Any;
  const strlen = ll.strlen;
  const input = ffi.new('char[]', 'foobar');
  expect(strlen(input)).toBe(6);
  //
  expect(strlen('foobarbaz')).toBe(9);
  //
  // ll.load_function(BVoidP, "strlen"): the address of the function, as a 'void *'
  const strlenaddr = ffi.cast('void *', ffi.addressof(ll, 'strlen'));
  expect(addr(ffi, strlenaddr)).toBe(addr(ffi, ffi.cast('void *', strlen)));
});

test('test_read_variable', () => {
  const ffi = new FFI();
  ffi.cdef('void *stderr;');
  const ll = ffi.dlopen('c') as Any;
  const stderr = ll.stderr;
  expect(addr(ffi, stderr)).toBe(addr(ffi, ffi.cast('void *', testfunc(8))));
  //
  ffi.dlclose(ll);
  expect(() => ll.stderr).toThrow(FFIError);
});

test('test_read_variable_as_unknown_length_array', () => {
  const ffi = new FFI();
  ffi.cdef('char stderr[];');
  const ll = ffi.dlopen('c') as Any;
  const stderr = ll.stderr;
  expect(String(stderr).startsWith("<cdata 'char *' 0x")).toBe(true);
  // ^^ and not 'char[]', which is basically not allowed and would crash
});

test('test_write_variable', () => {
  // The C library's stderr is NULL for a moment: in a child process.
  const r = childResult(`
const ffi = new FFI();
ffi.cdef('void *stderr;');
const ll = ffi.dlopen('c');
const addr = (p) => String(ffi.cast('uintptr_t', p));
const stderr = ll.stderr;
ll.stderr = ffi.cast('void *', 0);
const whileNull = ll.stderr;
ll.stderr = stderr;
const restored = addr(ll.stderr) === addr(stderr);
ffi.dlclose(ll);
console.log(JSON.stringify({ stderrIsNull: stderr === null, whileNull, restored, closed: outcome(() => { ll.stderr = stderr; }) }));
`);
  expect(r.stderrIsNull).toBe(false);
  // no counterpart: assert ll.read_variable(BVoidP, "stderr") is not None (NULL is null)
  expect(r.whileNull).toBe(null); // assert not ll.read_variable(BVoidP, "stderr")
  expect(r.restored).toBe(true);
  //
  expect(r.closed.error).toBe('FFIError');
});

test('test_callback', () => {
  const ffi = new FFI();
  function make_callback() {
    function cb(n: number): number {
      return n + 1;
    }
    return ffi.callback('int(*)(int)', cb, { error: 42 }); // 'cb' and 'BFunc' go out of scope
  }
  const f = make_callback();
  expect(f(-142)).toBe(-141);
  expect(String(f).startsWith("<cdata 'int(*)(int)' calling <function ")).toBe(true);
  // no counterpart: "cb at 0x" in repr(f) (a JavaScript function has no address); its name is there
  expect(String(f)).toContain('cb');
  const e = thrown(() => (f as Any)());
  expect(e).toBeInstanceOf(TypeError);
  // CFFI's message: "'int(*)(int)' expects 1 arguments, got 0"
  expect(e.message).toMatch(/'int\(\*\)\(int\)'/);
  expect(e.message).toMatch(/expect(s|ed) 1 argument/);
  expect(e.message).toMatch(/got 0/);
});

test('test_callback_exception', () => {
  const ffi = new FFI();
  function check_value(x: number): void {
    if (x === 10000) throw new ValueError('42');
  }
  function Zcb1(x: number): number {
    check_value(x);
    return x * 3;
  }
  const f = ffi.callback('short(*)(short)', Zcb1, { error: -42 });
  let seen: Any = [];
  let oops_result: unknown = undefined; // None: the function returns nothing
  function oops(...args: unknown[]): unknown {
    seen.push(args);
    return oops_result;
  }
  const ff = ffi.callback('short(*)(short)', Zcb1, { error: -42, onerror: oops });
  assertUnraisable(null, '', [], () => {
    expect(f(100)).toBe(300);
  });
  assertUnraisable('ValueError', '42', ['at Zcb1', 'at check_value'], () => {
    expect(f(10000)).toBe(-42);
  });

  const bigvalue = 20000;
  // CFFI's message: "integer 60000 does not fit 'short'"
  assertUnraisable('RangeError', /60000 does not fit.*'short'/, ['callback', 'Zcb1'], () => {
    expect(f(bigvalue)).toBe(-42);
  });
  expect(seen.length).toBe(0);

  assertUnraisable(null, '', [], () => {
    expect(ff(bigvalue)).toBe(-42);
  });
  expect(seen.length).toBe(1);
  let [val] = seen[0];
  expect(val).toBeInstanceOf(RangeError); // exc is OverflowError
  expect((val as Error).message).toMatch(/60000 does not fit.*'short'/);

  seen = [];
  oops_result = 81;
  assertUnraisable(null, '', [], () => {
    expect(ff(bigvalue)).toBe(81);
  });

  expect(seen.length).toBe(1);
  [val] = seen[0];
  expect(val).toBeInstanceOf(RangeError);
  expect((val as Error).message).toMatch(/60000 does not fit.*'short'/);

  seen = [];
  oops_result = 'xy'; // not None and not an int!

  // CFFI's message: "an integer is required"
  assertUnraisable('TypeError', /integer/, ['60000 does not fit'], () => {
    expect(ff(bigvalue)).toBe(-42);
  });

  seen = 'not a list'; // this makes the oops() function crash
  oops_result = undefined;
  // CFFI: AttributeError, "'str' object has no attribute 'append'"; a string has no push() either
  assertUnraisable('TypeError', 'seen.push is not a function', ['Zcb1', 'ff', 'oops'], () => {
    expect(ff(bigvalue)).toBe(-42);
  });
});

test('test_callback_return_type', () => {
  const ffi = new FFI();
  for (const rettype of ['signed char', 'short', 'int', 'long', 'long long',
    'unsigned char', 'unsigned short', 'unsigned int',
    'unsigned long', 'unsigned long long']) {
    const cb = (n: number | bigint): number | bigint => (typeof n === 'bigint' ? n + 1n : n + 1);
    const f = ffi.callback(`${rettype}(*)(${rettype})`, cb, { error: 42 });
    expect(f(41)).toBe(42);
    const bits = BigInt(8 * ffi.sizeof(rettype));
    let min: bigint;
    let max: bigint;
    if (rettype.startsWith('unsigned ')) {
      min = 0n;
      max = (1n << bits) - 1n;
    } else {
      min = -(1n << (bits - 1n));
      max = (1n << (bits - 1n)) - 1n;
    }
    expect(f(js(min))).toBe(js(min + 1n));
    expect(f(js(max - 1n))).toBe(js(max));
    // the result does not fit: reported (as CFFI prints it), and the error value returned
    const { result, reports } = reportsDuring(() => f(js(max)));
    expect(result).toBe(42);
    expect(reports.length).toBe(1);
  }
});

test('test_a_lot_of_callbacks', () => {
  // CFFI: 10000 live at once. koffi has 8192 callback slots, the most live at once here (docs/cffi-differences.md,
  // "At most 8,192 callbacks live at once"): making them until one is refused, that one is an FFIError, past
  // 8000 (the tests before this one may hold a few slots), and every one made answers.
  const BIGNUM = 10000;
  //
  const ffi = new FFI();
  function make_callback(m: number) {
    const cb = (n: number): number => n + m;
    return ffi.callback('int(*)(int)', cb, { error: 42 }); // 'cb' goes out of scope
  }
  //
  const flist: CData[] = [];
  let refused: unknown = null;
  try {
    for (let i = 0; i < BIGNUM && refused === null; i++) {
      try {
        flist.push(make_callback(i));
      } catch (e) {
        refused = e;
      }
    }
    expect(refused).toBeInstanceOf(FFIError);
    expect(flist.length).toBeGreaterThan(8000);
    expect(flist.length).toBeLessThanOrEqual(8192);
    flist.forEach((f, i) => {
      expect((f as Any)(-142)).toBe(-142 + i);
    });
  } finally {
    for (const f of flist) ffi.release(f); // the slots, for the tests after this one
  }
});

test('test_callback_receiving_tiny_struct', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { signed char a; signed char b; };');
  const cb = (s: Any): number => s.a + 10 * s.b;
  const f = ffi.callback('int(*)(struct foo)', cb);
  const p = ffi.new('struct foo *', [-2, -4]);
  const n = f(p[0]);
  expect(n).toBe(-42);
});

test('test_callback_returning_tiny_struct', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { signed char a; signed char b; };');
  const cb = (n: number): CData => ffi.new('struct foo *', [-n, -3 * n])[0];
  const f = ffi.callback('struct foo(*)(int)', cb);
  const s = f(10);
  expect(ffi.typeof(s)).toBe(ffi.typeof('struct foo'));
  expect(String(s)).toBe("<cdata 'struct foo' owning 2 bytes>");
  expect(s.a).toBe(-10);
  expect(s.b).toBe(-30);
});

test('test_callback_receiving_struct', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { signed char a; double b; };');
  const cb = (s: Any): number => s.a + Math.trunc(s.b);
  const f = ffi.callback('int(*)(struct foo)', cb);
  const p = ffi.new('struct foo *', [-2, 44.444]);
  const n = f(p[0]);
  expect(n).toBe(42);
});

test('test_callback_returning_struct', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { signed char a; double b; };');
  const cb = (n: number): CData => ffi.new('struct foo *', [-n, 1e-42])[0];
  const f = ffi.callback('struct foo(*)(int)', cb);
  const s = f(10);
  expect(ffi.typeof(s)).toBe(ffi.typeof('struct foo'));
  expect(["<cdata 'struct foo' owning 12 bytes>", "<cdata 'struct foo' owning 16 bytes>"]).toContain(String(s));
  expect(s.a).toBe(-10);
  expect(s.b).toBe(1e-42);
});

const FOO_ABCDEFGHIJ = 'struct foo { int a; int b; int c; int d; int e; int f; int g; int h; int i; int j; };';

test('test_callback_receiving_big_struct', () => {
  const ffi = new FFI();
  ffi.cdef(FOO_ABCDEFGHIJ);
  const cb = (s: Any): number => {
    [...'abcdefghij'].forEach((name, i) => {
      expect(s[name]).toBe(13 - i);
    });
    return 42;
  };
  const f = ffi.callback('int(*)(struct foo)', cb);
  const p = ffi.new('struct foo *', [13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
  const n = f(p[0]);
  expect(n).toBe(42);
});

test('test_callback_returning_big_struct', () => {
  const ffi = new FFI();
  ffi.cdef(FOO_ABCDEFGHIJ);
  const cb = (): CData => ffi.new('struct foo *', [13, 12, 11, 10, 9, 8, 7, 6, 5, 4])[0];
  const f = ffi.callback('struct foo(*)()', cb);
  const s = f();
  expect(ffi.typeof(s)).toBe(ffi.typeof('struct foo'));
  expect(["<cdata 'struct foo' owning 40 bytes>", "<cdata 'struct foo' owning 80 bytes>"]).toContain(String(s));
  [...'abcdefghij'].forEach((name, i) => {
    expect(s[name]).toBe(13 - i);
  });
});

test('test_callback_returning_void', () => {
  const ffi = new FFI();
  let seen: number[] = [];
  const cb = (): void => {
    seen.push(42);
  };
  const f = ffi.callback('void(*)()', cb);
  seen = [];
  f();
  expect(seen).toEqual([42]);
  expect(() => ffi.callback('void(*)()', cb, { error: -42 })).toThrow(TypeError);
});

test('test_enum_type', () => {
  let ffi = new FFI();
  // new_enum_type("foo", (), (), BUInt): C has no enum without enumerators (a cdef refuses one); one
  // enumerator of a non-negative value makes the same 'unsigned int' enum
  ffi.cdef('typedef enum { foo_only } foo;');
  let BEnum = ffi.typeof('foo') as Any;
  expect(String(BEnum)).toBe("<ctype 'foo'>");
  expect(BEnum.kind).toBe('enum');
  expect(BEnum.cname).toBe('foo');
  // no counterpart: BEnum.elements == {} (C has no enum without enumerators)
  //
  ffi = new FFI();
  ffi.cdef('enum foo { def, c, ab = -20 };'); // int: it holds a negative value
  BEnum = ffi.typeof('enum foo');
  expect(BEnum.kind).toBe('enum');
  expect(BEnum.cname).toBe('enum foo');
  expect(BEnum.elements).toEqual({ '-20': 'ab', 0: 'def', 1: 'c' });
  // 'elements' is not the real dict, but merely a copy: here it is the type's own table, frozen, so the
  // write is refused (strict mode) rather than made on a copy; either way the type is unchanged
  expect(() => {
    BEnum.elements[2] = '??';
  }).toThrow(TypeError);
  expect(BEnum.elements).toEqual({ '-20': 'ab', 0: 'def', 1: 'c' });
  //
  ffi = new FFI();
  ffi.cdef('enum bar { ab = 5, cd = 5 };'); // unsigned int
  BEnum = ffi.typeof('enum bar');
  expect(BEnum.elements).toEqual({ 5: 'ab' });
  expect(BEnum.relements).toEqual({ ab: 5, cd: 5 });
});

test('test_cast_to_enum', () => {
  let ffi = new FFI();
  ffi.cdef('enum foo { def, c, ab = -20 };'); // int
  expect(ffi.sizeof('enum foo')).toBe(ffi.sizeof('int'));
  const e = ffi.cast('enum foo', 0);
  expect(String(e)).toBe("<cdata 'enum foo' 0: def>");
  expect(String(ffi.cast('enum foo', -42))).toBe("<cdata 'enum foo' -42>");
  expect(String(ffi.cast('enum foo', -20))).toBe("<cdata 'enum foo' -20: ab>");
  expect(ffi.string(e)).toBe('def');
  expect(ffi.string(ffi.cast('enum foo', -20))).toBe('ab');
  expect(Number(ffi.cast('enum foo', 1))).toBe(1);
  expect(Number(ffi.cast('enum foo', 0))).toBe(0);
  expect(Number(ffi.cast('enum foo', -242n + 2n ** 128n))).toBe(-242);
  expect(ffi.string(ffi.cast('enum foo', -242n + 2n ** 128n))).toBe('-242');
  //
  ffi = new FFI();
  ffi.cdef('enum bar { def, c, ab = 20 };'); // unsigned int
  let e2 = ffi.cast('enum bar', -1);
  expect(String(e2)).toBe("<cdata 'enum bar' 4294967295>"); // unsigned int
  //
  // new_enum_type("enum baz", (), (), BLong): C chooses an enum's integer type from its values; an
  // enumerator below INT_MIN makes it 'long'
  ffi = new FFI();
  ffi.cdef('enum baz { baz_below_int_min = -2147483649 };');
  expect(ffi.sizeof('enum baz')).toBe(ffi.sizeof('long'));
  e2 = ffi.cast('enum baz', -1);
  expect(String(e2)).toBe("<cdata 'enum baz' -1>");
});

test('test_enum_with_non_injective_mapping', () => {
  const ffi = new FFI();
  ffi.cdef('enum foo { ab = 7, cd = 7 };');
  const e = ffi.cast('enum foo', 7);
  expect(String(e)).toBe("<cdata 'enum foo' 7: ab>");
  expect(ffi.string(e)).toBe('ab');
});

test('test_enum_in_struct', () => {
  const ffi = new FFI();
  ffi.cdef('enum foo { def, c, ab = -20 }; struct bar { enum foo a1; };');
  let p = ffi.new('struct bar *', [-20]);
  expect(p.a1).toBe(-20);
  p = ffi.new('struct bar *', [12]);
  expect(p.a1).toBe(12);
  const e = thrown(() => ffi.new('struct bar *', [null]));
  expect(e).toBeInstanceOf(TypeError);
  // CFFI's message: "an integer is required"
  expect(e.message).toMatch(/integer/);
  // differs from CFFI: see docs/cffi-differences.md, "Enums take enumerator names" (CFFI: TypeError)
  p.a1 = 'def';
  expect(p.a1).toBe(0);
  // (the rest of CFFI's test runs on Python 2 only: a unicode enumerator name)
});

test('test_enum_overflow', () => {
  // new_enum_type() is given the enum's integer type; in C the compiler chooses it from the values ('int',
  // 'unsigned int', 'long' or 'unsigned long'). So each value is an enumerator of its own enum: where it fits
  // the type CFFI gives, the enum holds it; where it fits none of the four, the cdef refuses it (CFFI's cdef:
  // CDefError, "values don't all fit into either 'long' or 'unsigned long'"). A value that overflows the type
  // CFFI gives but fits another has no counterpart: C makes the enum of that other type.
  const max_uint = 2n ** BigInt(SIZE_OF_INT * 8) - 1n;
  const max_int = max_uint / 2n;
  const max_ulong = 2n ** BigInt(SIZE_OF_LONG * 8) - 1n;
  const max_long = max_ulong / 2n;
  const probe = new FFI();
  const fitsIn = (t: string, v: bigint): boolean => BigInt(probe.cast(t, v) as number | bigint) === v;
  const bases = ['int', 'unsigned int', 'long', 'unsigned long'];
  // C spells -2**63 and -2**63-1 as expressions (a literal 9223372036854775808 is unsigned in C)
  const spell = (v: bigint): string => (v < -max_long && v >= -max_long - 2n ? `-9223372036854775807 - ${-(v + max_long)}` : String(v));
  for (const BPrimitive of bases) {
    for (const x of [max_uint, max_int, max_ulong, max_long]) {
      for (const testcase of [x, x + 1n, -x - 1n, -x - 2n]) {
        const ffi = new FFI();
        if (fitsIn(BPrimitive, testcase)) {
          // fits
          ffi.cdef(`typedef enum { AA = ${spell(testcase)} } foo;`);
          expect(BigInt(ffi.cast('foo', testcase).value)).toBe(testcase); // int(cast(BEnum, testcase)) == testcase
        } else if (!bases.some((b) => fitsIn(b, testcase))) {
          // overflows
          expect(() => ffi.cdef(`typedef enum { AA = ${spell(testcase)} } foo;`)).toThrow(CDefError);
        }
        // else no counterpart: it overflows BPrimitive, but C makes the enum of a type it fits
      }
    }
  }
});

test('test_callback_returning_enum', () => {
  const ffi = new FFI();
  ffi.cdef('typedef enum { def, c, ab = -20 } foo;'); // int
  const cb = (n: number): unknown => {
    if (n & 1) return ffi.cast('foo', n);
    else return n;
  };
  const f = ffi.callback('foo(*)(int)', cb);
  expect(f(0)).toBe(0);
  expect(f(1)).toBe(1);
  expect(f(-20)).toBe(-20);
  expect(f(20)).toBe(20);
  expect(f(21)).toBe(21);
});

test('test_callback_returning_enum_unsigned', () => {
  const ffi = new FFI();
  ffi.cdef('typedef enum { def, c, ab = 20 } foo;'); // unsigned int
  const cb = (n: number): unknown => {
    if (n & 1) return ffi.cast('foo', n);
    else return n;
  };
  const f = ffi.callback('foo(*)(int)', cb);
  expect(f(0)).toBe(0);
  expect(f(1)).toBe(1);
  expect(f(-21)).toBe(2 ** 32 - 21);
  expect(f(20)).toBe(20);
  expect(f(21)).toBe(21);
});

test('test_callback_returning_char', () => {
  const ffi = new FFI();
  // bytechr(n): a char is its byte value (docs/cffi-differences.md, "A char is its byte value")
  const cb = (n: number): number => n;
  const f = ffi.callback('char(*)(int)', cb);
  expect(f(0)).toBe(0x00);
  expect(f(255)).toBe(0xff);
});

test('test_callback_returning_wchar_t', () => {
  const ffi = new FFI();
  const cb = (n: number): string => {
    if (n === -1) return '\u{12345}';
    if (n === -2) throw new ValueError();
    return String.fromCodePoint(n);
  };
  const f = ffi.callback('wchar_t(*)(int)', cb);
  expect(f(0)).toBe(String.fromCodePoint(0));
  expect(f(255)).toBe(String.fromCodePoint(255));
  expect(f(0x1234)).toBe('\u1234');
  if (ffi.sizeof('wchar_t') === 4) expect(f(-1)).toBe('\u{12345}');
  const { result, reports } = reportsDuring(() => f(-2));
  expect(result).toBe('\x00'); // and an exception printed to stderr
  expect(reports.length).toBe(1);
});

test('test_struct_with_bitfields', () => {
  const ffi = new FFI();
  const LONGBITS = 8 * ffi.sizeof('long');
  ffi.cdef(`struct foo { long a1:1; long a2:2; long a3:3; long a4:${LONGBITS - 5}; };`);
  const BStruct = ffi.typeof('struct foo') as Any;
  // d[i][1] (a (name, CField) pair) → d[i], a field object: docs/cffi-differences.md, "A ctype's `fields` is a
  // list of field objects" (its bit-field offsets and shifts, counted from the first byte holding the bits, are
  // CFFI's for these fields)
  const d = BStruct.fields;
  expect(d[0].offset).toBe(0);
  expect(d[1].offset).toBe(0);
  expect(d[2].offset).toBe(0);
  expect(d[3].offset).toBe(ffi.sizeof('long'));
  const f = (m: number, r: number): number => (os.endianness() === 'LE' ? r : LONGBITS - m - r);
  expect(d[0].bitshift).toBe(f(1, 0));
  expect(d[0].bitsize).toBe(1);
  expect(d[1].bitshift).toBe(f(2, 1));
  expect(d[1].bitsize).toBe(2);
  expect(d[2].bitshift).toBe(f(3, 3));
  expect(d[2].bitsize).toBe(3);
  expect(d[3].bitshift).toBe(f(LONGBITS - 5, 0));
  expect(d[3].bitsize).toBe(LONGBITS - 5);
  expect(ffi.sizeof(BStruct)).toBe(2 * ffi.sizeof('long'));
  expect(ffi.alignof(BStruct)).toBe(ffi.alignof('long'));
});

test('test_bitfield_instance', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { int a1:1; unsigned int a2:2; int a3:3; };');
  const p = ffi.new('struct foo *', null);
  p.a1 = -1;
  expect(p.a1).toBe(-1);
  p.a1 = 0;
  expect(() => {
    p.a1 = 2;
  }).toThrow(RangeError);
  expect(p.a1).toBe(0);
  //
  p.a1 = -1;
  p.a2 = 3;
  p.a3 = -4;
  expect(() => {
    p.a3 = 4;
  }).toThrow(RangeError);
  let e = thrown(() => {
    p.a3 = -5;
  });
  expect(e).toBeInstanceOf(RangeError);
  // CFFI's message: "value -5 outside the range allowed by the bit field width: -4 <= x <= 3"
  expect(e.message).toMatch(/(^|\D)-5\b/);
  expect(e.message).toMatch(/-4 (<= x <=|to) 3\b/);
  expect(p.a1 === -1 && p.a2 === 3 && p.a3 === -4).toBe(true);
  //
  // special case for convenience: "int x:1", while normally signed,
  // allows also setting the value "1" (it still gets read back as -1)
  p.a1 = 1;
  expect(p.a1).toBe(-1);
  e = thrown(() => {
    p.a1 = -2;
  });
  expect(e).toBeInstanceOf(RangeError);
  // CFFI's message: "value -2 outside the range allowed by the bit field width: -1 <= x <= 1"
  expect(e.message).toMatch(/(^|\D)-2\b/);
  expect(e.message).toMatch(/-1 (<= x <=|to) 1\b/);
});

test('test_bitfield_instance_init', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { int a1:1; };');
  let p = ffi.new('struct foo *', [-1]);
  expect(p.a1).toBe(-1);
  p = ffi.new('struct foo *', { a1: -1 });
  expect(p.a1).toBe(-1);
  //
  ffi.cdef('union bar { int a1:1; };');
  p = ffi.new('union bar *', [-1]);
  expect(p.a1).toBe(-1);
});

test('test_weakref', async () => {
  const ffi = new FFI();
  const rlist: WeakRef<object>[] = [
    new WeakRef(ffi.typeof('int')),
    new WeakRef(ffi.new('int *', 42)),
    new WeakRef(ffi.cast('int *', 42)!),
    // no counterpart: _weakref.ref(cast(BInt, 42)) (a cast to a number type is a number, which no WeakRef holds)
    new WeakRef(ffi.buffer(ffi.new('int *', 42))),
  ];
  for (let i = 0; i < 5; i++) {
    await collect();
    if (rlist.every((r) => r.deref() === undefined)) break;
  }
});

test('test_assign_string', () => {
  const ffi = new FFI();
  const a = ffi.new('char[5][5]', ['abc', 'de', 'ghij']);
  expect(ffi.string(a[1])).toBe('de');
  expect(ffi.string(a[2])).toBe('ghij');
  a[2] = '.';
  expect(ffi.string(a[2])).toBe('.');
  a[2] = '12345';
  expect(ffi.string(a[2])).toBe('12345');
  const e = thrown(() => {
    a[2] = '123456';
  });
  expect(e).toBeInstanceOf(RangeError);
  expect(e.message).toContain('char[5]');
  // CFFI's message: "... got 6 characters"
  expect(e.message).toMatch(/\b6 (characters|bytes)\b/);
});

test('test_void_errors', () => {
  const ffi = new FFI();
  expect(() => ffi.alignof('void')).toThrow(FFIError); // CFFI's ValueError
  // differs from CFFI: see docs/cffi-differences.md, "A type without a size: one error, `FFIError`" (CFFI: TypeError)
  expect(() => ffi.new('void *', null)).toThrow(FFIError);
});

test('test_too_many_items', () => {
  const ffi = new FFI();
  expect(() => ffi.new('char[5]', [...Buffer.from('123456')])).toThrow(RangeError); // tuple(b'123456')
  expect(() => ffi.new('char[5]', [...Buffer.from('123456')])).toThrow(RangeError); // list(b'123456')
  expect(() => ffi.new('char[5]', '123456')).toThrow(RangeError);
  ffi.cdef('struct foo { };');
  expect(() => ffi.new('struct foo *', '')).toThrow(TypeError);
  expect(() => ffi.new('struct foo *', ['1'])).toThrow(RangeError); // ValueError: too many initializers
});

test('test_more_type_errors', () => {
  const ffi = new FFI();
  expect(() => ffi.new('char[5]', 12.34)).toThrow(TypeError);
  expect(() => ffi.new('int[5]', 12.34)).toThrow(TypeError);
  expect(() => ffi.cast('float', ffi.new('int[5]', null))).toThrow(TypeError);
});

test('test_more_overflow_errors', () => {
  const ffi = new FFI();
  expect(() => ffi.new('unsigned int *', -1)).toThrow(RangeError);
  expect(() => ffi.new('unsigned int *', 2 ** 32)).toThrow(RangeError);
});

test('test_newp_copying', () => {
  // Test that we can do newp(<type>, <cdata of the given type>) for most
  // types, including same-type arrays.
  const ffi = new FFI();
  let p = ffi.new('int *', ffi.cast('int', 42));
  expect(p[0]).toBe(42);
  //
  p = ffi.new('unsigned int *', ffi.cast('unsigned int', 42));
  expect(p[0]).toBe(42);
  //
  p = ffi.new('char *', ffi.cast('char', '!'));
  expect(p[0]).toBe('!'.charCodeAt(0)); // b'!': a char is its byte value
  //
  p = ffi.new('float *', ffi.cast('float', 12.25));
  expect(p[0]).toBe(12.25);
  //
  ffi.cdef('struct foo_s { int a1; };');
  let s1 = ffi.new('struct foo_s *', [42]);
  const p1 = ffi.new('struct foo_s * *', s1);
  expect(addr(ffi, p1[0])).toBe(addr(ffi, s1));
  //
  let a1 = ffi.new('int[]', [1, 2, 3, 4]);
  expect(() => ffi.new('int[]', a1)).toThrow(TypeError);
  a1 = ffi.new('int[6]', [10, 20, 30]);
  const a2 = ffi.new('int[6]', a1);
  expect([...a2]).toEqual([10, 20, 30, 0, 0, 0]);
  //
  s1 = ffi.new('struct foo_s *', [42]);
  const s2 = ffi.new('struct foo_s *', s1[0]);
  expect(s2.a1).toBe(42);
  //
  ffi.cdef('union foo_u { int a1; };');
  const u1 = ffi.new('union foo_u *', [42]);
  const u2 = ffi.new('union foo_u *', u1[0]);
  expect(u2.a1).toBe(42);
  //
  const f1 = ffi.cast('unsigned int(*)(int)', 42);
  const f2 = ffi.new('unsigned int(* *)(int)', f1);
  expect(addr(ffi, f2[0])).toBe(addr(ffi, f1));
});

test('test_string', () => {
  const ffi = new FFI();
  // no counterpart: string(cast(BChar, 42)) == b'*' and string(cast(BChar, 0)) == b'\x00' (a cast to a number
  // type is a number; ffi.string() reads cdata)
  const a = ffi.new('char[10]', 'hello');
  expect(a.length).toBe(10);
  expect(ffi.string(a)).toBe('hello');
  const p = a.add(2);
  expect(ffi.string(p)).toBe('llo');
  expect(ffi.string(ffi.new('char[4]', 'abcd'))).toBe('abcd');
  // NULL is null (docs/cffi-differences.md, "NULL is null"): cast(BCharP, 0) is null, which ffi.string() refuses
  // as a value of the wrong kind, a TypeError (CFFI: RuntimeError for its NULL 'char *' cdata)
  expect(ffi.cast('char *', 0)).toBe(null);
  expect(() => ffi.string(ffi.cast('char *', 0))).toThrow(TypeError);
  expect(ffi.string(a, 4)).toBe('hell');
  expect(ffi.string(a, 5)).toBe('hello');
  expect(ffi.string(a, 6)).toBe('hello');
});

test('test_string_byte', () => {
  const ffi = new FFI();
  // no counterpart: string(cast(BByte, 42)) == b'*', string(cast(BByte, 0)) == b'\x00' (a cast to a number type
  // is a number), for 'signed char' and 'unsigned char'
  let a = ffi.new('signed char[]', [65, 66, 67]);
  expect(typeof ffi.string(a)).toBe('string');
  expect(ffi.string(a)).toBe('ABC');
  //
  a = ffi.new('unsigned char[]', [65, 66, 67]);
  expect(typeof ffi.string(a)).toBe('string');
  expect(ffi.string(a)).toBe('ABC');
  // (string(a, 8) runs on Python 2 only)
});

test('test_string_wchar', () => {
  for (const typename of ['wchar_t', 'char16_t', 'char32_t']) {
    test_string_wchar_variant(typename);
  }
});

function test_string_wchar_variant(typename: string): void {
  const ffi = new FFI();
  // no counterpart: string(cast(BWChar, 42)) == '*', string(cast(BWChar, 0x4253)) == '\u4253',
  // string(cast(BWChar, 0)) == '\x00' (a cast to a number type is a number)
  expect(ffi.cast(typename, 0x4253)).toBe(0x4253);
  const a = ffi.new(`${typename}[]`, ['A', 'B', 'C']);
  expect(typeof ffi.string(a)).toBe('string');
  expect(ffi.string(a)).toBe('ABC');
  // (string(a, 8) runs on Python 2 only)
}

test('test_string_typeerror', () => {
  const ffi = new FFI();
  const a = ffi.new('short[]', [65, 66, 67]);
  expect(() => ffi.string(a)).toThrow(TypeError);
});

test('test_bug_convert_to_ptr', () => {
  const ffi = new FFI();
  const x = ffi.cast('double', 42);
  expect(() => ffi.new('char * *', x)).toThrow(TypeError);
});

test('test_set_struct_fields', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { char a1[10]; };');
  const p = ffi.new('struct foo *', null);
  expect(ffi.string(p.a1)).toBe('');
  p.a1 = 'foo';
  expect(ffi.string(p.a1)).toBe('foo');
  expect([...p.a1]).toEqual([...Buffer.from('foo'), ...new Array(7).fill(0)]);
  p.a1 = ['x', 'y'];
  expect(ffi.string(p.a1)).toBe('xyo');
});

test('test_invalid_function_result_types', () => {
  const ffi = new FFI();
  expect(String(ffi.typeof('void(*[5])()'))).toBe("<ctype 'void(*[5])()'>"); // works
  expect(String(ffi.typeof('void(*(*)())()'))).toBe("<ctype 'void(*(*)())()'>"); // works
  expect(String(ffi.typeof('int(*)()'))).toBe("<ctype 'int(*)()'>");
  expect(String(ffi.typeof('void(* *(*)())()'))).toBe("<ctype 'void(* *(*)())()'>");
  // cast(BFunc, 123)() with an empty union as result: refused before the call (NotImplementedError), or the call
  // jumps to address 123: in a child process. CFFI refuses it because libffi has no unions; node-cffi passes unions
  // by value (docs/cffi-differences.md, "Unions by value through `dlopen()`") and refuses, with that reason, a
  // union no member of which can carry it, as this empty one: the same refusal, whatever the address (the
  // address of the C library's getpid(), a real function, too).
  const r = childResult(`
const ffi = new FFI();
ffi.cdef('union foo_u { }; int getpid(void);');
const f = ffi.cast('union foo_u(*)()', 123);
const g = ffi.cast('union foo_u(*)()', ffi.addressof(ffi.dlopen('c'), 'getpid'));
console.log(JSON.stringify({ call: outcome(() => f()), real: outcome(() => g()) }));
`);
  expect(r.call.error).toBe('FFIError');
  expect(r.call.message).toContain("'union foo_u'");
  expect(r.real.error).toBe('FFIError');
  expect(r.real.message).toContain("'union foo_u'");
  // differs from CFFI: see docs/cffi-differences.md, "A type string that is no C type is a `CDefError`"
  // (new_function_type((), BArray): TypeError)
  expect(() => ffi.typeof('void(*(*)()[5])()')).toThrow(CDefError);
});

test('test_struct_return_in_func', () => {
  const ffi = new FFI();
  const lib = testlib as Any;
  ffi.cdef('struct foo_s { char a1; short a2; };');
  let f = ffi.cast('struct foo_s(*)(int)', testfunc(10))!;
  let s = f(40);
  expect(String(s)).toBe("<cdata 'struct foo_s' owning 4 bytes>");
  expect(s.a1).toBe(40); // bytechr(40): a char is its byte value
  expect(s.a2).toBe(40 * 40);
  // and through the library (API mode: its wrapper passes the struct by pointer)
  s = lib._testfunc10(40);
  expect([s.a1, s.a2]).toEqual([40, 40 * 40]);
  //
  ffi.cdef('struct test11 { int a1; int a2; };');
  f = ffi.cast('struct test11(*)(int)', testfunc(11))!;
  s = f(40);
  expect(String(s)).toBe("<cdata 'struct test11' owning 8 bytes>");
  expect(s.a1).toBe(40);
  expect(s.a2).toBe(40 * 40);
  s = lib._testfunc11(40);
  expect([s.a1, s.a2]).toEqual([40, 40 * 40]);
  //
  ffi.cdef('struct test12 { double a1; };');
  f = ffi.cast('struct test12(*)(int)', testfunc(12))!;
  s = f(40);
  expect(String(s)).toBe("<cdata 'struct test12' owning 8 bytes>");
  expect(s.a1).toBe(40.0);
  expect(lib._testfunc12(40).a1).toBe(40.0);
  //
  ffi.cdef('struct test13 { int a1; int a2; int a3; };');
  f = ffi.cast('struct test13(*)(int)', testfunc(13))!;
  s = f(40);
  expect(String(s)).toBe("<cdata 'struct test13' owning 12 bytes>");
  expect(s.a1).toBe(40);
  expect(s.a2).toBe(40 * 40);
  expect(s.a3).toBe(40 * 40 * 40);
  s = lib._testfunc13(40);
  expect([s.a1, s.a2, s.a3]).toEqual([40, 40 * 40, 40 * 40 * 40]);
  //
  ffi.cdef('struct test14 { float a1; };');
  f = ffi.cast('struct test14(*)(int)', testfunc(14))!;
  s = f(40);
  expect(String(s)).toBe("<cdata 'struct test14' owning 4 bytes>");
  expect(s.a1).toBe(40.0);
  expect(lib._testfunc14(40).a1).toBe(40.0);
  //
  ffi.cdef('struct test15 { float a1; int a2; };');
  f = ffi.cast('struct test15(*)(int)', testfunc(15))!;
  s = f(40);
  expect(String(s)).toBe("<cdata 'struct test15' owning 8 bytes>");
  expect(s.a1).toBe(40.0);
  expect(s.a2).toBe(40 * 40);
  s = lib._testfunc15(40);
  expect([s.a1, s.a2]).toEqual([40.0, 40 * 40]);
  //
  ffi.cdef('struct test16 { float a1; float a2; };');
  f = ffi.cast('struct test16(*)(int)', testfunc(16))!;
  s = f(40);
  expect(String(s)).toBe("<cdata 'struct test16' owning 8 bytes>");
  expect(s.a1).toBe(40.0);
  expect(s.a2).toBe(-40.0);
  s = lib._testfunc16(40);
  expect([s.a1, s.a2]).toEqual([40.0, -40.0]);
  //
  ffi.cdef('struct test17 { int a1; float a2; };');
  f = ffi.cast('struct test17(*)(int)', testfunc(17))!;
  s = f(40);
  expect(String(s)).toBe("<cdata 'struct test17' owning 8 bytes>");
  expect(s.a1).toBe(40);
  expect(s.a2).toBe(40.0 * 40.0);
  s = lib._testfunc17(40);
  expect([s.a1, s.a2]).toEqual([40, 40.0 * 40.0]);
  //
  const f18 = ffi.cast('int(*)(struct test17 *)', testfunc(18))!;
  let x = f18([[40, 2.5]]);
  expect(x).toBe(42);
  x = f18([{ a2: 43.1 }]);
  expect(x).toBe(43);
  expect(lib._testfunc18([[40, 2.5]])).toBe(42);
});

test('test_cast_with_functionptr', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { void (*a1)(); };');
  ffi.new('struct foo *', [ffi.cast('void(*)()', 0)]);
  // no counterpart: newp(BStructPtr, [cast(BCharP, 0)]), [cast(BIntP, 0)] and [cast(BFunc2, 0)] raise TypeError
  // (NULL is null: the three casts are null, which a function pointer field takes). The same pointers, not NULL:
  // (CFFI 1.15.1 only warns for a 'char *', "implicit cast from 'char *' to a different pointer type: will be
  // forbidden in the future"; HEAD refuses it)
  expect(() => ffi.new('struct foo *', [ffi.cast('char *', 0x1000)])).toThrow(TypeError);
  expect(() => ffi.new('struct foo *', [ffi.cast('int *', 0x1000)])).toThrow(TypeError);
  expect(() => ffi.new('struct foo *', [ffi.cast('short(*)()', 0x1000)])).toThrow(TypeError);
});

test('test_wchar', () => {
  test_wchar_variant('wchar_t');
  if (process.platform === 'linux') {
    const ffi = new FFI();
    expect(ffi.sizeof('wchar_t')).toBe(4);
    // wchar_t is often signed on Linux, but not always (e.g. on ARM)
    expect([-1, 4294967295]).toContain(ffi.cast('wchar_t', -1));
  }
});

test('test_char16', () => {
  const ffi = new FFI();
  expect(ffi.sizeof('char16_t')).toBe(2);
  test_wchar_variant('char16_t');
  expect(ffi.cast('char16_t', -1)).toBe(0xffff); // always unsigned
});

test('test_char32', () => {
  const ffi = new FFI();
  expect(ffi.sizeof('char32_t')).toBe(4);
  test_wchar_variant('char32_t');
  expect(ffi.cast('char32_t', -1)).toBe(0xffffffff); // always unsigned
});

/** test_c.py's _test_wchar_variant. Python 3's str holds code points (pyuni4); a JavaScript string is UTF-16. */
function test_wchar_variant(typename: string): void {
  const ffi = new FFI();
  const wchar4 = ({ 2: false, 4: true } as Record<number, boolean>)[ffi.sizeof(typename)];
  // no counterpart: str(cast(BWChar, 0x45)) == "<cdata 'wchar_t' 'E'>", and of 0x1234 (a cast to a number type is
  // a number); its value:
  expect(ffi.cast(typename, 0x45)).toBe(0x45);
  expect(ffi.cast(typename, 0x1234)).toBe(0x1234);
  if (wchar4) {
    const x = ffi.cast(typename, 0x12345);
    // no counterpart: str(x) == "<cdata 'wchar_t' '\U00012345'>" (a cast to a number type is a number)
    expect(x).toBe(0x12345);
  } else {
    const x = ffi.cast(typename, 0x18345);
    // no counterpart: str(x) == "<cdata 'char16_t' '\u8345'>" (a cast to a number type is a number)
    expect(x).toBe(0x8345);
  }
  //
  ffi.cdef(`struct foo_s { ${typename} a1; ${typename} *a2; };`);
  const s = ffi.new('struct foo_s *');
  s.a1 = '\x00';
  expect(s.a1).toBe('\x00');
  expect(() => {
    s.a1 = Buffer.from('a'); // b'a'
  }).toThrow(TypeError);
  expect(() => {
    s.a1 = Buffer.from([0xff]); // bytechr(0xFF)
  }).toThrow(TypeError);
  s.a1 = '\u1234';
  expect(s.a1).toBe('\u1234');
  if (wchar4) {
    // (pyuni4) a JavaScript string spells U+12345 as a surrogate pair; it is one wchar_t
    s.a1 = '\u{12345}';
    expect(s.a1).toBe('\u{12345}');
  }
  //
  let a = ffi.new(`${typename}[]`, 'hello \u1234 world');
  expect(a.length).toBe(14); // including the final null
  expect(ffi.string(a)).toBe('hello \u1234 world');
  a[13] = '!';
  expect(ffi.string(a)).toBe('hello \u1234 world!');
  // no counterpart: str(a) == repr(a) (both are String(a))
  expect(a[6]).toBe('\u1234');
  a[6] = '-';
  expect(ffi.string(a)).toBe('hello - world!');
  //
  if (wchar4) {
    const u1 = '\u{12345}\u{12346}\u{12347}';
    a = ffi.new(`${typename}[]`, u1);
    expect(a.length).toBe(4);
    expect(ffi.string(a)).toBe(u1);
    expect([...a].length).toBe(4);
    const expected = ['\u{12345}', '\u{12346}', '\u{12347}', String.fromCodePoint(0)];
    expect([...a]).toEqual(expected);
    const got = [0, 1, 2, 3].map((i) => a[i]);
    expect(got).toEqual(expected);
    expect(() => a[4]).toThrow(RangeError);
  }
  //
  // no counterpart: w = cast(BWChar, 'a'); repr(w), str(w), string(w) == 'a' (a cast to a number type is a number,
  // and ffi.string() reads cdata); the same for 0x1234 and '\u8234'. int(w):
  expect(ffi.cast(typename, 'a')).toBe('a'.charCodeAt(0));
  expect(ffi.cast(typename, 0x1234)).toBe(0x1234);
  expect(ffi.cast(typename, '\u8234')).toBe(0x8234);
  expect(ffi.cast('int', '\u1234')).toBe(4660); // repr(w) == "<cdata 'int' 4660>"
  if (wchar4) {
    // no counterpart: repr(w), str(w), string(w) of cast(BWChar, '\U00012345') (a cast to a number type is a number)
    expect(ffi.cast(typename, '\u{12345}')).toBe(0x12345);
    expect(ffi.cast('int', '\u{12345}')).toBe(74565);
  }
  expect(() => ffi.cast('int', '')).toThrow(TypeError);
  expect(() => ffi.cast('int', 'XX')).toThrow(TypeError);
  expect(ffi.cast('int', 'a')).toBe('a'.charCodeAt(0));
  //
  a = ffi.new(`${typename}[]`, 'hello - world');
  const p = ffi.cast(`${typename} *`, a)!;
  expect(ffi.string(p)).toBe('hello - world');
  p[6] = '\u2345';
  expect(ffi.string(p)).toBe('hello \u2345 world');
  //
  const s2 = ffi.new('struct foo_s *', ['\u1234', p]);
  expect(s2.a1).toBe('\u1234');
  expect(addr(ffi, s2.a2)).toBe(addr(ffi, p));
  // no counterpart: str(s.a2) == repr(s.a2) (both are String(x))
  expect(ffi.string(s2.a2)).toBe('hello \u2345 world');
  //
  const q = ffi.cast(`${typename} *`, 0);
  // no counterpart: str(q) == repr(q) (NULL is null)
  // NULL is null (docs/cffi-differences.md, "NULL is null"): ffi.string() refuses it as a value of the wrong kind,
  // a TypeError (CFFI: RuntimeError for its NULL cdata)
  expect(q).toBe(null);
  expect(() => ffi.string(q)).toThrow(TypeError);
  //
  const cb = (p2: CData): number => {
    expect(String(p2).startsWith(`<cdata '${typename} *' 0x`)).toBe(true);
    return ffi.string(p2).length;
  };
  const f = ffi.callback(`int(*)(${typename} *)`, cb, { error: -42 });
  expect(f('a\u1234b')).toBe(3);
  //
  // (the out-of-range values, cast(BWChar, 1114112) and cast(BWChar, -1) given to string(), are tried only on
  // Pythons whose str holds UTF-16 units, "wchar4 and not pyuni4"; and a cast to a number type is a number)
}

test('test_wchar_variants_mix', () => {
  const ffi = new FFI();
  expect(ffi.cast('char32_t', ffi.cast('char16_t', -2))).toBe(0xfffe);
  expect(ffi.cast('wchar_t', ffi.cast('char16_t', -2))).toBe(0xfffe);
  expect(ffi.cast('char16_t', ffi.cast('char32_t', 0x0001f345))).toBe(0xf345);
  expect(ffi.cast('char16_t', ffi.cast('wchar_t', 0x0001f345))).toBe(0xf345);
  //
  let x = ffi.cast('char32_t', 'A');
  expect(() => ffi.new('char16_t[]', [x])).toThrow(TypeError);
  x = ffi.cast('char16_t', 'A');
  expect(() => ffi.new('char32_t[]', [x])).toThrow(TypeError);
  //
  let a = ffi.new('char16_t[]', '\u{12345}');
  expect(a.length).toBe(3);
  a = ffi.new('char32_t[]', '\u{12345}');
  expect(a.length).toBe(2); // even if the Python unicode string above is 2 chars
});

test('test_keepalive_struct', async () => {
  // exception to the no-keepalive rule: p=newp(BStructPtr) returns a
  // pointer owning the memory, and p[0] returns a pointer to the
  // struct that *also* owns the memory
  const ffi = new FFI();
  ffi.cdef('struct foo { int a1; int a2; int a3; };');
  let p: CData | null = ffi.new('struct foo *');
  expect(String(p)).toBe("<cdata 'struct foo *' owning 12 bytes>");
  const q = p[0];
  expect(String(q)).toBe("<cdata 'struct foo' owning 12 bytes>");
  q.a1 = 123456;
  expect(p.a1).toBe(123456);
  const r = ffi.cast('struct foo *', p)!;
  expect(String(r[0]).startsWith("<cdata 'struct foo &' 0x")).toBe(true);
  p = null; // del p
  await collect();
  expect(q.a1).toBe(123456);
  expect(String(q)).toBe("<cdata 'struct foo' owning 12 bytes>");
  expect(q.a1).toBe(123456);
});

test('test_nokeepalive_struct', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { int a1; };');
  const p = ffi.new('struct foo *');
  const pp = ffi.new('struct foo * *');
  pp[0] = p;
  const s = pp[0][0];
  expect(String(s).startsWith("<cdata 'struct foo &' 0x")).toBe(true);
});

test('test_owning_repr', () => {
  const ffi = new FFI();
  let p = ffi.new('int[]', 7); // int[]
  expect(String(p)).toBe("<cdata 'int[]' owning 28 bytes>");
  expect(ffi.sizeof(p)).toBe(28);
  //
  p = ffi.new('int[7]', null); // int[7]
  expect(String(p)).toBe("<cdata 'int[7]' owning 28 bytes>");
  expect(ffi.sizeof(p)).toBe(28);
});

test('test_cannot_dereference_void', () => {
  // p[0] of a pointer to address 123456: in a child process
  const r = childResult(`
const ffi = new FFI();
const p = ffi.cast('void *', 123456);
const q = ffi.cast('void *', 0);
console.log(JSON.stringify({ p: outcome(() => p[0]), q: outcome(() => q[0]), qIsNull: q === null }));
`);
  // differs from CFFI: see docs/cffi-differences.md, "A type without a size: one error, `FFIError`" (CFFI: TypeError)
  expect(r.p.error).toBe('FFIError');
  // NULL is null (docs/cffi-differences.md, "NULL is null"): indexing it is JavaScript's TypeError (CFFI:
  // TypeError or RuntimeError)
  expect(r.qIsNull).toBe(true);
  expect(r.q.error).toBe('TypeError');
});

test('test_iter', () => {
  const ffi = new FFI();
  const p = ffi.new('int[]', 7); // int[]
  expect([...p]).toEqual(new Array(7).fill(0));
  expect(Array.from((p as Any)[Symbol.iterator]())).toEqual(new Array(7).fill(0)); // list(iter(p))
  //
  // a cast to a number type is a number, which JavaScript does not iterate either
  expect(() => [...(ffi.cast('int', 5) as Any)]).toThrow(TypeError);
  expect(() => [...(ffi.cast('int *', 123456) as Any)]).toThrow(TypeError);
});

test('test_cmp', () => {
  const ffi = new FFI();
  const p = ffi.new('int *', 123) as Any;
  const q = ffi.cast('int', 124) as Any;
  expect(p == q).toBe(false); // eslint-disable-line eqeqeq
  expect(p != q).toBe(true); // eslint-disable-line eqeqeq
  expect(q == p).toBe(false); // eslint-disable-line eqeqeq
  expect(q != p).toBe(true); // eslint-disable-line eqeqeq
  // differs from CFFI: see docs/cffi-differences.md, "A pointer converts to NaN" (CFFI: p < q and the other
  // orderings of a pointer and an integer raise TypeError); every one of them is false
  expect(p < q).toBe(false);
  expect(p <= q).toBe(false);
  expect(q < p).toBe(false);
  expect(q <= p).toBe(false);
  expect(p > q).toBe(false);
  expect(p >= q).toBe(false);
  // between pointers: their addresses
  const P = addr(ffi, p);
  const r = ffi.cast('void *', p);
  const R = addr(ffi, r);
  expect(P < R).toBe(false);
  expect(P <= R).toBe(true);
  expect(P === R).toBe(true);
  expect(P !== R).toBe(false);
  expect(P > R).toBe(false);
  expect(P >= R).toBe(true);
  const s = ffi.new('int *', 125);
  const S = addr(ffi, s);
  expect(P === S).toBe(false);
  expect(P !== S).toBe(true);
  expect(P < S).toBe(P <= S);
  expect(P <= S).toBe(S > P);
  expect(S > P).toBe(S >= P);
  expect(P > S).toBe(P >= S);
  expect(P >= S).toBe(S < P);
  expect(S < P).toBe(S <= P);
  expect((P < S) !== (P > S)).toBe(true);
});

/** Python's b[i:j] of a byte string: its bytes from start to stop, as Python clamps negative and large indices. */
function pySlice(b: number[], i: number | undefined, j: number | undefined): number[] {
  const n = b.length;
  const clamp = (k: number): number => Math.max(0, Math.min(n, k < 0 ? k + n : k));
  const start = i === undefined ? 0 : clamp(i);
  const stop = j === undefined ? n : clamp(j);
  return b.slice(start, Math.max(start, stop));
}

test('test_buffer', () => {
  const ffi = new FFI();
  const s = ffi.new('short *', 100);
  expect(ffi.sizeof(s)).toBe(SIZE_OF_PTR);
  expect(ffi.sizeof('short')).toBe(2);
  expect(ffi.buffer(s).length).toBe(2);
  //
  const c = ffi.new('char[]', 'hi there');
  //
  const buf = ffi.buffer(c);
  // no counterpart: repr(buf).startswith('<_cffi_backend.buffer object at 0x') (ffi.buffer() gives a Node.js Buffer)
  const HI = [...Buffer.from('hi there\x00', 'latin1')];
  expect(Buffer.from(buf)).toEqual(Buffer.from(HI)); // bytes(buf)
  expect(Buffer.isBuffer(buf)).toBe(true); // type(buf) is buffer
  // no counterpart: str(buf) == repr(buf) (Python's str/repr pair)
  // --mb_length--
  expect(buf.length).toBe(HI.length);
  // --mb_item--
  for (let i = -12; i < 12; i++) {
    const k = i < 0 ? i + HI.length : i;
    if (k < 0 || k >= HI.length) {
      // no counterpart: IndexError (a Buffer's item out of range is undefined, as for every typed array)
      expect(buf.at(i)).toBeUndefined();
    } else {
      expect(buf.at(i)).toBe(HI[k]); // buf[i], negative indices counting from the end as Python's do
    }
  }
  // --mb_slice--
  expect([...buf.subarray()]).toEqual(HI); // buf[:]
  for (let i = -12; i < 12; i++) {
    expect([...buf.subarray(i)]).toEqual(pySlice(HI, i, undefined));
    expect([...buf.subarray(0, i)]).toEqual(pySlice(HI, undefined, i));
    for (let j = -12; j < 12; j++) {
      expect([...buf.subarray(i, j)]).toEqual(pySlice(HI, i, j));
    }
  }
  // --misc--
  expect([...buf]).toEqual(HI);
  // --mb_as_buffer--
  // no counterpart: memoryview(c) raises TypeError, memoryview(buf) views it (Python's memoryview; a Buffer is
  // itself the view of the memory)
  // --mb_ass_item--
  const expected = [...HI];
  for (let i = -12; i < 12; i++) {
    const k = i < 0 ? i + expected.length : i;
    if (k < 0 || k >= expected.length) {
      // no counterpart: IndexError (a typed array ignores a write out of its range): nothing changes
      buf[k] = i & 0xff;
    } else {
      expected[k] = i & 0xff;
      buf[k] = i & 0xff;
    }
    expect([...buf]).toEqual(expected);
  }
  // --mb_ass_slice--
  buf.set(HI); // buf[:] = b"hi there\x00"
  expect([...buf]).toEqual(HI);
  expect([...c]).toEqual(HI);
  // no counterpart: buf[:] = b"shorter" and b"this is much too long!" raise ValueError (a Buffer has no slice
  // assignment; Buffer.set() writes a shorter source's bytes, and a longer one is Node's RangeError)
  buf.set([], 4); // buf[4:2] = b"": no effect, but should work
  expect([...buf]).toEqual(HI);
  buf.set(Buffer.from('HI')); // buf[:2] = b"HI"
  expect([...buf]).toEqual([...Buffer.from('HI there\x00', 'latin1')]);
  buf.set(Buffer.from('hi'));
  const expected2 = [...HI];
  let x = 0;
  for (let i = -12; i < 12; i++) {
    for (let j = -12; j < 12; j++) {
      let start = i >= 0 ? i : i + buf.length;
      let stop = j >= 0 ? j : j + buf.length;
      start = Math.max(0, Math.min(buf.length, start));
      stop = Math.max(0, Math.min(buf.length, stop));
      const sample = new Array(Math.max(0, stop - start)).fill(x & 0xff);
      x += 1;
      buf.set(sample, start); // buf[i:j] = sample
      expected2.splice(start, sample.length, ...sample);
      expect([...buf]).toEqual(expected2);
    }
  }
  expect([...c]).toEqual(expected2);
});

test('test_getcname', () => {
  const ffi = new FFI();
  // getcname(BArray, "<-->") is "unsigned char<-->[123]"; its public counterpart, ffi.getctype(), puts a space before
  // a replacement that starts with neither '[' nor '(' (cffi/api.py; CFFI 1.15.1's ffi.getctype('unsigned char[123]',
  // '<-->') is 'unsigned char <-->[123]')
  expect(ffi.getctype('unsigned char[123]', '<-->')).toBe('unsigned char <-->[123]');
  expect(ffi.getctype('unsigned char[123]', '[4]')).toBe('unsigned char[4][123]');
});

test('test_errno', () => {
  const ffi = new FFI();
  const f = ffi.cast('void(*)()', testfunc(5))!;
  ffi.errno = 50;
  f();
  expect(ffi.errno).toBe(65);
  f();
  f();
  expect(ffi.errno).toBe(95);
});

test('test_errno_callback', () => {
  const ffi = new FFI();
  ffi.errno = 95;
  const cb = (): void => {
    const e = ffi.errno;
    ffi.errno = e - 6;
  };
  const f = ffi.callback('void(*)()', cb);
  f();
  expect(ffi.errno).toBe(89);
  f();
  f();
  expect(ffi.errno).toBe(77);
});

test('test_cast_to_array', () => {
  // not valid in C!  extension to get a non-owning <cdata 'int[3]'>
  const ffi = new FFI();
  const x = ffi.cast('int[3]', 0);
  // NULL is null (docs/cffi-differences.md, "NULL is null"): CFFI's repr(x) == "<cdata 'int[3]' NULL>"
  expect(x).toBe(null);
});

test('test_cast_invalid', () => {
  // p[0] of a pointer to address 123456: in a child process
  const r = childResult(`
const ffi = new FFI();
ffi.cdef('struct foo { };');
const p = ffi.cast('struct foo *', 123456);
let s;
const index = outcome(() => { s = p[0]; return s; });
console.log(JSON.stringify({ index, cast: outcome(() => ffi.cast('struct foo', s)) }));
`);
  expect(r.index.error).toBeUndefined();
  expect(r.cast.error).toBe('TypeError');
});

test('test_bug_float_conversion', () => {
  const ffi = new FFI();
  expect(() => ffi.new('double *', 'foobar')).toThrow(TypeError);
});

test('test_bug_delitem', () => {
  const ffi = new FFI();
  const x = ffi.new('char *') as Any;
  x[0] = 7;
  // differs from CFFI: see docs/cffi-differences.md, "Deleting a field or an item changes nothing" (CFFI: TypeError)
  expect(delete x[0]).toBe(true);
  expect(x[0]).toBe(7);
});

test('test_bug_delattr', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { long a1; };');
  const x = ffi.new('struct foo *') as Any;
  x.a1 = 7;
  // differs from CFFI: see docs/cffi-differences.md, "Deleting a field or an item changes nothing" (CFFI: AttributeError)
  expect(delete x.a1).toBe(true);
  expect(x.a1).toBe(7);
});

test('test_autocast_int', () => {
  const ffi = new FFI();
  let x = ffi.new('int *', ffi.cast('int', 42));
  expect(x[0]).toBe(42);
  x = ffi.new('int *', ffi.cast('long long', 42));
  expect(x[0]).toBe(42);
  x = ffi.new('int *', ffi.cast('unsigned long long', 42));
  expect(x[0]).toBe(42);
  x = ffi.new('unsigned long long *', ffi.cast('int', 42));
  expect(x[0]).toBe(42);
  expect(() => ffi.new('unsigned long long *', ffi.cast('int', -42))).toThrow(RangeError);
  let y = ffi.cast('int', ffi.cast('int', 42));
  expect(y).toBe(42);
  y = ffi.cast('int', ffi.cast('long long', 42));
  expect(y).toBe(42);
  y = ffi.cast('int', ffi.cast('unsigned long long', 42));
  expect(y).toBe(42);
  let z = ffi.cast('unsigned long long', ffi.cast('int', 42));
  expect(z).toBe(42);
  z = ffi.cast('unsigned long long', ffi.cast('int', -42));
  expect(z).toBe(2n ** 64n - 42n);
  const w = ffi.cast('int *', ffi.cast('int', 42));
  expect(ffi.cast('int', w)).toBe(42);
});

test('test_autocast_float', () => {
  const ffi = new FFI();
  const BDouble = 'float'; // sic: CFFI's test makes its BDouble a "float"
  const x = ffi.new('float *', ffi.cast(BDouble, 12.5));
  expect(x[0]).toBe(12.5);
  const y = ffi.cast('float', ffi.cast(BDouble, 12.5));
  expect(y).toBe(12.5);
});

test('test_longdouble', () => {
  const ffi = new FFI();
  const a = ffi.new('long double[]', 1);
  let x = a[0];
  // differs from CFFI: see docs/cffi-differences.md, "A long double crosses into JavaScript as the nearest double"
  // (CFFI: repr(x).startswith("<cdata 'long double' 0.0"), a cdata keeping every bit; here a number)
  expect(typeof x).toBe('number');
  expect(x).toBe(0.0);
  expect(Math.trunc(x)).toBe(0);
  //
  const b = ffi.new('long double[]', [1.23]);
  x = b[0];
  expect(x).toBe(1.23); // float(x); repr(x): as above
  expect(Math.trunc(x)).toBe(1);
  //
  // cast(BFunc19, _testfunc(19)): a function pointer passing a long double is refused (koffi has none; the README's
  // "ABI mode"), so the library's own function, whose wrapper passes them by pointer
  const f = (testlib as Any)._testfunc19 as (x: number, n: number) => number;
  let start = 1.5;
  let lstart = 1.5;
  for (let i = 0; i < 107; i++) {
    start = 4 * start - start * start;
    lstart = f(lstart, 1);
  }
  const lother = f(1.5, 107);
  // differs from CFFI: see docs/cffi-differences.md, "A long double crosses into JavaScript as the nearest double".
  // CFFI asserts float(lstart) == float(lother) and repr(lstart) == repr(lother): its lstart is a cdata carrying
  // every bit into the next call. Here each result crosses into JavaScript as a double, so lstart is the iteration
  // rounded to a double at each step, and lother, iterated in C, is the nearest double to CFFI's precise result.
  if (ffi.sizeof('long double') > ffi.sizeof('double')) {
    expect(lstart).not.toBe(lother);
    if (process.arch === 'x64') {
      expect(lother).toBe(0.013261847162076026); // CFFI 1.15.1's float(lother) on x86-64
      expect(lstart).toBe(0.5969290583894414); // CFFI 1.15.1's f(float(x), 1) iterated
    }
    expect(lstart).not.toBe(start);
  } else {
    expect(lstart).toBe(lother);
  }
  //
  const c = ffi.new('long double[]', [lstart]);
  x = c[0];
  expect(f(lstart, 107)).toBe(f(x, 107));
});

test('test_get_array_of_length_zero', () => {
  for (const length of [0, 5, 10]) {
    const ffi = new FFI();
    ffi.cdef(`struct foo { long a1[${length}]; };`);
    const p = ffi.new('struct foo *', null);
    if (length === 0) {
      // CFFI: "<cdata 'long *' 0x...>". Here 'long a1[0]' is the struct's flexible array member, as 'long a1[]'
      // is (docs/cffi-differences.md, "A zero-length array ending a struct is its flexible array member"):
      // ffi.new() gave it no items, so it is an array of none.
      expect(ffi.typeof(p.a1)).toBe(ffi.typeof('long[0]'));
      expect(p.a1.length).toBe(0);
    } else {
      expect(String(p.a1).startsWith(`<cdata 'long[${length}]' 0x`)).toBe(true);
    }
  }
});

test('test_nested_anonymous_struct', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { struct { int a1; char a2; }; char a3; };');
  // BInnerStruct: the anonymous member's declaration, as a type of its own
  expect(ffi.sizeof('struct { int a1; char a2; }')).toBe(ffi.sizeof('int') * 2); // with alignment
  expect(ffi.sizeof('struct foo')).toBe(ffi.sizeof('int') * 3); // 'a3' is placed after
  const d = (ffi.typeof('struct foo') as Any).fields;
  expect(d.length).toBe(3);
  expect(d[0].name).toBe('a1');
  expect(d[0].type).toBe(ffi.typeof('int'));
  expect(d[0].offset).toBe(0);
  expect(d[0].bitshift).toBe(-1);
  expect(d[0].bitsize).toBe(-1);
  expect(d[1].name).toBe('a2');
  expect(d[1].type).toBe(ffi.typeof('char'));
  expect(d[1].offset).toBe(ffi.sizeof('int'));
  expect(d[1].bitshift).toBe(-1);
  expect(d[1].bitsize).toBe(-1);
  expect(d[2].name).toBe('a3');
  expect(d[2].type).toBe(ffi.typeof('char'));
  expect(d[2].offset).toBe(ffi.sizeof('int') * 2);
  expect(d[2].bitshift).toBe(-1);
  expect(d[2].bitsize).toBe(-1);
});

test('test_nested_anonymous_struct_2', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo { int b1; union { int a1; int a2; }; int b2; };');
  expect(ffi.sizeof('union { int a1; int a2; }')).toBe(ffi.sizeof('int'));
  expect(ffi.sizeof('struct foo')).toBe(ffi.sizeof('int') * 3);
  const fields = (ffi.typeof('struct foo') as Any).fields.map((fld: Any) => [fld.name, fld.offset, fld.flags]);
  expect(fields).toEqual([
    ['b1', 0 * SIZE_OF_INT, 0],
    ['a1', 1 * SIZE_OF_INT, 0],
    ['a2', 1 * SIZE_OF_INT, 1],
    ['b2', 2 * SIZE_OF_INT, 0],
  ]);
});

test('test_sizeof_union', () => {
  // a union has the largest alignment of its members, and a total size
  // that is the largest of its items *possibly further aligned* if
  // another smaller item has a larger alignment...
  const ffi = new FFI();
  expect(ffi.sizeof('short')).toBe(2);
  expect(ffi.alignof('short')).toBe(2);
  ffi.cdef('struct foo { char a1; char a2; char a3; };');
  expect(ffi.sizeof('struct foo')).toBe(3);
  expect(ffi.alignof('struct foo')).toBe(1);
  ffi.cdef('union u { struct foo s; short i; };');
  expect(ffi.sizeof('union u')).toBe(4);
  expect(ffi.alignof('union u')).toBe(2);
});

test('test_unaligned_struct', () => {
  // complete_struct_or_union(BStruct, [('b', BInt, -1, 1)], None, 5, 1): 'b' at offset 1, size 5, alignment 1,
  // which C spells as a packed struct with one byte before 'b'
  const ffi = new FFI();
  ffi.cdef('struct foo { char _before_b; int b; };', { packed: true });
  expect(ffi.offsetof('struct foo', 'b')).toBe(1);
  expect(ffi.sizeof('struct foo')).toBe(5);
  expect(ffi.alignof('struct foo')).toBe(1);
});
