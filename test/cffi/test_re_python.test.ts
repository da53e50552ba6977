// CFFI's testing/cffi1/test_re_python.py, ported: out-of-line ABI-mode modules (setSource(name, null) + compile()) opening a small C library compiled here, one test per CFFI test, in CFFI's order.
//
// Not ported: none.
//
// Translation notes:
// - setup_module: SRC is written to a temporary directory and compiled there with the system C
//   compiler (`cc`, or $CC), `cc _test_re_python.c -shared -fPIC`, and the library is renamed with a
//   non-ASCII character ('_test_re_pythoné.so'), as CFFI does on Linux. emit_python_code() of the
//   cdef with set_source('re_python_pysrc', None) is compile({ tmpdir }), which writes the module
//   directory re_python_pysrc/ (loader, types, package.json). `from re_python_pysrc import ffi` is
//   `require()` of its loader, re_python_pysrc.js, with node-cffi linked into a node_modules next to
//   it (the loader requires 'node-cffi' by name, so its ffi is the built package's: its errors are
//   that package's FFIError, taken from the same link). The windows hacks (init_test_re_python,
//   PyInit__test_re_python) and export_symbols are left out: Linux exports every symbol.
// - ffi.error is FFIError; VerificationMissing and ImportError (no JavaScript counterpart) are FFIError;
//   AttributeError from ffi.addressof() of a constant is FFIError naming it, as test_recompiler's
//   port asserts for ffi.addressof(lib, 'FOOBAR').
// - `ffi.cast("int", -5)` passed through `...` is node-cffi's `['int', -5]` pair (a cast to a number
//   type is a plain number, which carries no C type: docs/cffi-differences.md, "A cast to a number type is a number").
// - Python bytes are JavaScript strings; `ord('f')` is 102.
// - `'macro FOOBAR' in original_ffi._parser._declarations` (test_include_1) reads CFFI's parser
//   internals; node-cffi's counterpart is that the including FFI sees the macro: ffi.integerConst('FOOBAR').
// - importlib.invalidate_caches() has no counterpart: require() reads a new file each time.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FFI, Lib } from '../../lib';
import { ensureBuilt, withPackageLinked } from '../cli/binary';
import { CC } from '../helpers/compiler';
import { expectThrow } from '../helpers/throws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const SRC = `
    #include <string.h>
    #define FOOBAR (-42)
    static const int FOOBAZ = -43;
    #define BIGPOS 420000000000L
    #define BIGNEG -420000000000L
    int add42(int x) { return x + 42; }
    int add43(int x, ...) { return x; }
    int globalvar42 = 1234;
    const int globalconst42 = 4321;
    const char *const globalconsthello = "hello";
    struct foo_s;
    typedef struct bar_s { int x; signed char a[]; } bar_t;
    enum foo_e { AA, BB, CC };
`;

const CDEF = `
    #define FOOBAR -42
    static const int FOOBAZ = -43;
    #define BIGPOS 420000000000L
    #define BIGNEG -420000000000L
    int add42(int);
    int add43(int, ...);
    extern int globalvar42;
    const int globalconst42;
    const char *const globalconsthello;
    int no_such_function(int);
    extern int no_such_globalvar;
    struct foo_s;
    typedef struct bar_s { int x; signed char a[]; } bar_t;
    enum foo_e { AA, BB, CC };
    int strlen(const char *);
    struct with_union { union { int a; char b; }; };
    union with_struct { struct { int a; char b; }; };
    struct with_struct_with_union { struct { union { int x; }; } cp; };
    struct NVGcolor { union { float rgba[4]; struct { float r,g,b,a; }; }; };
    typedef struct selfref { struct selfref *next; } *selfref_ptr_t;
`;

/** The package the modules' loaders require ('node-cffi', linked to this checkout): its FFI and error classes. */
interface Package {
  FFI: typeof FFI;
  FFIError: new (...args: never[]) => Error;
}

let tmpdir: string;
/** The library setup_module builds (mod.extmod). */
let extmod: string;
/** The FFI the module was compiled from (mod.original_ffi). */
let original_ffi: FFI;
let pkg: Package;

/** `from <name> import ffi`: the ffi of the module directory compiled into `dir`. */
function importFfi(dir: string, name: string): FFI {
  return (require(path.join(dir, name, `${name}.js`)) as { ffi: FFI }).ffi;
}

/** `from re_python_pysrc import ffi`. */
const re_python_pysrc = (): FFI => importFfi(tmpdir, 're_python_pysrc');

const codeCache = process.env.NODE_CFFI_CODE_CACHE;

beforeAll(() => {
  ensureBuilt();
  // The built package in this (jest) process: no V8 code cache of it written after the test environment is gone.
  process.env.NODE_CFFI_CODE_CACHE = '0';
  tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cffi-test-re-python-'));
  withPackageLinked(tmpdir);
  pkg = require(path.join(tmpdir, 'node_modules', 'node-cffi')) as Package;
  fs.writeFileSync(path.join(tmpdir, '_test_re_python.c'), SRC);
  // test with a non-ascii char
  const unicode_name = '_test_re_python\u00e9.so';
  const r = spawnSync(CC, ['_test_re_python.c', '-shared', '-fPIC', '-o', unicode_name], { cwd: tmpdir, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`compiling _test_re_python.c failed:\n${r.stderr}`);
  extmod = path.join(tmpdir, unicode_name);
  //
  original_ffi = new pkg.FFI();
  original_ffi.cdef(CDEF);
  original_ffi.setSource('re_python_pysrc', null);
  original_ffi.compile({ tmpdir });
});

afterAll(() => {
  if (codeCache === undefined) delete process.env.NODE_CFFI_CODE_CACHE;
  else process.env.NODE_CFFI_CODE_CACHE = codeCache;
  fs.rmSync(tmpdir, { recursive: true, force: true });
});

test('test_constant', () => {
  const ffi = re_python_pysrc();
  expect(ffi.integerConst('FOOBAR')).toBe(-42);
  expect(ffi.integerConst('FOOBAZ')).toBe(-43);
});

test('test_large_constant', () => {
  const ffi = re_python_pysrc();
  expect(ffi.integerConst('BIGPOS')).toBe(420000000000);
  expect(ffi.integerConst('BIGNEG')).toBe(-420000000000);
});

test('test_function', () => {
  const ffi = re_python_pysrc();
  const lib = ffi.dlopen(extmod) as Any;
  expect(lib.add42(-10)).toBe(32);
  // type(lib.add42) is _cffi_backend.FFI.CData: docs/cffi-differences.md, "Library functions are
  // functions, in both modes" (a JavaScript function, no CData instance)
  expect(typeof lib.add42).toBe('function');
  expect(lib.add42 instanceof ffi.CData).toBe(false);
});

test('test_function_with_varargs', () => {
  const ffi = re_python_pysrc();
  const lib = ffi.dlopen(extmod, 0) as Any;
  expect(lib.add43(45, ['int', -5])).toBe(45);
  // type(lib.add43) is _cffi_backend.FFI.CData: docs/cffi-differences.md, "Library functions are functions, in both modes"
  expect(typeof lib.add43).toBe('function');
  expect(lib.add43 instanceof ffi.CData).toBe(false);
});

test('test_dlopen_none', () => {
  const ffi = re_python_pysrc();
  const name = null;
  const lib = ffi.dlopen(name) as Any;
  expect(lib.strlen('hello')).toBe(5);
});

test('test_dlclose', () => {
  const ffi = re_python_pysrc();
  const lib = ffi.dlopen(extmod) as Any;
  ffi.dlclose(lib);
  // CFFI: ffi.error, "library '<extmod>' has been closed"; the message's wording is node-cffi's
  // ("add42(): the library '<extmod>' was closed with ffi.dlclose()"), its content CFFI's
  const e = expectThrow(() => lib.add42, pkg.FFIError, `library '${extmod}'`);
  expect(e.message).toMatch(/closed/);
  ffi.dlclose(lib); // does not raise
});

test('test_constant_via_lib', () => {
  const ffi = re_python_pysrc();
  const lib = ffi.dlopen(extmod) as Any;
  expect(lib.FOOBAR).toBe(-42);
  expect(lib.FOOBAZ).toBe(-43);
});

test('test_opaque_struct', () => {
  const ffi = re_python_pysrc();
  ffi.cast('struct foo_s *', 0);
  // CFFI: TypeError, "cannot instantiate ctype 'struct foo_s' of unknown size";
  // docs/cffi-differences.md, "A type without a size: one error, `FFIError`"
  expectThrow(() => ffi.new('struct foo_s *'), pkg.FFIError, 'struct foo_s');
});

test('test_nonopaque_struct', () => {
  const ffi = re_python_pysrc();
  for (const p of [ffi.new('struct bar_s *', [5, 'foobar']) as Any, ffi.new('bar_t *', [5, 'foobar']) as Any]) {
    expect(p.x).toBe(5);
    expect(p.a[0]).toBe('f'.charCodeAt(0));
    expect(p.a[5]).toBe('r'.charCodeAt(0));
  }
});

test('test_enum', () => {
  const ffi = re_python_pysrc();
  expect(ffi.integerConst('BB')).toBe(1);
  const e = ffi.cast('enum foo_e', 2);
  expect(ffi.string(e)).toBe('CC');
});

test('test_include_1', () => {
  const sub_ffi = new pkg.FFI();
  sub_ffi.cdef('static const int k2 = 121212;');
  sub_ffi.include(original_ffi);
  // assert 'macro FOOBAR' / 'macro FOOBAZ' in original_ffi._parser._declarations: parser internals
  expect(original_ffi.integerConst('FOOBAR')).toBe(-42);
  expect(original_ffi.integerConst('FOOBAZ')).toBe(-43);
  sub_ffi.setSource('re_python_pysrc', null);
  const dir = path.join(tmpdir, '_re_include_1');
  sub_ffi.compile({ tmpdir: dir });
  //
  const ffi = importFfi(dir, 're_python_pysrc');
  expect(ffi.integerConst('FOOBAR')).toBe(-42);
  expect(ffi.integerConst('FOOBAZ')).toBe(-43);
  expect(ffi.integerConst('k2')).toBe(121212);
  const lib = ffi.dlopen(extmod) as Any; // <- a random unrelated library would be fine
  expect(lib.FOOBAR).toBe(-42);
  expect(lib.FOOBAZ).toBe(-43);
  expect(lib.k2).toBe(121212);
  //
  const p = ffi.new('bar_t *', [5, 'foobar']) as Any;
  expect(p.a[4]).toBe('a'.charCodeAt(0));
});

test('test_global_var', () => {
  const ffi = re_python_pysrc();
  const lib = ffi.dlopen(extmod) as Any;
  expect(lib.globalvar42).toBe(1234);
  const p = ffi.addressof(lib, 'globalvar42') as Any;
  lib.globalvar42 += 5;
  expect(p[0]).toBe(1239);
  p[0] -= 1;
  expect(lib.globalvar42).toBe(1238);
});

test('test_global_const_int', () => {
  const ffi = re_python_pysrc();
  const lib = ffi.dlopen(extmod) as Any;
  expect(lib.globalconst42).toBe(4321);
  // CFFI: AttributeError, "cannot take the address of the constant 'globalconst42'"
  expectThrow(() => ffi.addressof(lib, 'globalconst42'), pkg.FFIError, "'globalconst42' is a constant");
});

test('test_global_const_nonint', () => {
  const ffi = re_python_pysrc();
  const lib = ffi.dlopen(extmod) as Any;
  expect(ffi.string(lib.globalconsthello, 8)).toBe('hello');
  // CFFI: AttributeError, "cannot take the address of the constant 'globalconsthello'"
  expectThrow(() => ffi.addressof(lib, 'globalconsthello'), pkg.FFIError, "'globalconsthello' is a constant");
});

test('test_rtld_constants', () => {
  const ffi = re_python_pysrc();
  // check that we have the attributes
  expect(typeof ffi.RTLD_NOW).toBe('number');
  expect(typeof ffi.RTLD_LAZY).toBe('number');
  expect(typeof ffi.RTLD_GLOBAL).toBe('number');
});

test('test_no_such_function_or_global_var', () => {
  const ffi = re_python_pysrc();
  const lib = ffi.dlopen(extmod) as Any;
  // CFFI: ffi.error, "symbol 'no_such_function' not found in library '<extmod>': <dlerror()>"; the
  // message's wording is node-cffi's ("symbol 'no_such_function': not found in '<extmod>'"), its content CFFI's
  const at = (name: string) => new RegExp(`^symbol '${name}'.* not found in .*'${extmod.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`);
  expectThrow(() => lib.no_such_function, pkg.FFIError, at('no_such_function'));
  expectThrow(() => lib.no_such_globalvar, pkg.FFIError, at('no_such_globalvar'));
});

test('test_check_version', () => {
  // _cffi_backend.FFI("foobar", _version=0x2594), what CFFI's module calls, is FFI.loadModule(dir, data),
  // what node-cffi's loader calls. CFFI: ImportError, "cffi out-of-line Python module 'foobar' has unknown version 0x2594"
  const e = expectThrow(() => pkg.FFI.loadModule(tmpdir, { module: 'foobar', format: 0x2594 }), pkg.FFIError, "module 'foobar'");
  expect(e.message).toMatch(/has format 9620\b/);
});

test('test_partial_enum', () => {
  const ffi = new pkg.FFI();
  ffi.cdef('enum foo { A, B, ... };');
  ffi.setSource('test_partial_enum', null);
  // CFFI: VerificationMissing from emit_python_code(), which writes nothing
  expectThrow(() => ffi.compile({ tmpdir: path.join(tmpdir, 'partial_enum') }), pkg.FFIError, 'enum foo');
  expect(fs.existsSync(path.join(tmpdir, 'partial_enum'))).toBe(false);
});

test('test_anonymous_union_inside_struct', () => {
  // based on issue #357
  const ffi = re_python_pysrc();
  const INT = ffi.sizeof('int');
  expect(ffi.offsetof('struct with_union', 'a')).toBe(0);
  expect(ffi.offsetof('struct with_union', 'b')).toBe(0);
  expect(ffi.sizeof('struct with_union')).toBe(INT);
  //
  expect(ffi.offsetof('union with_struct', 'a')).toBe(0);
  expect(ffi.offsetof('union with_struct', 'b')).toBe(INT);
  expect(ffi.sizeof('union with_struct')).toBeGreaterThanOrEqual(INT + 1);
  //
  expect(ffi.sizeof('struct with_struct_with_union')).toBe(INT);
  const p = ffi.new('struct with_struct_with_union *') as Any;
  expect(p.cp.x).toBe(0);
  //
  const FLOAT = ffi.sizeof('float');
  expect(ffi.sizeof('struct NVGcolor')).toBe(FLOAT * 4);
  expect(ffi.offsetof('struct NVGcolor', 'rgba')).toBe(0);
  expect(ffi.offsetof('struct NVGcolor', 'r')).toBe(0);
  expect(ffi.offsetof('struct NVGcolor', 'g')).toBe(FLOAT);
  expect(ffi.offsetof('struct NVGcolor', 'b')).toBe(FLOAT * 2);
  expect(ffi.offsetof('struct NVGcolor', 'a')).toBe(FLOAT * 3);
});

test('test_selfref', () => {
  // based on issue #429
  const ffi = re_python_pysrc();
  ffi.new('selfref_ptr_t');
});

test('test_dlopen_handle', () => {
  const ffi = re_python_pysrc();
  const ffi1 = new pkg.FFI();
  ffi1.cdef(`void *dlopen(const char *filename, int flags);
                 int dlclose(void *handle);`);
  const lib1 = ffi1.dlopen('dl') as Any;
  const handle = lib1.dlopen(extmod, ffi1.RTLD_LAZY);
  expect(ffi1.typeof(handle)).toBe(ffi1.typeof('void *'));
  expect(handle).toBeTruthy();

  const lib = ffi.dlopen(handle as unknown as string) as Lib as Any;
  expect(lib.add42(-10)).toBe(32);
  // type(lib.add42) is _cffi_backend.FFI.CData: docs/cffi-differences.md, "Library functions are functions, in both modes"
  expect(typeof lib.add42).toBe('function');
  expect(lib.add42 instanceof ffi.CData).toBe(false);

  const err = lib1.dlclose(handle);
  expect(err).toBe(0);
});

test('test_rec_structs_1', () => {
  let ffi = new pkg.FFI();
  ffi.cdef('struct B { struct C* c; }; struct C { struct B b; };');
  ffi.setSource('test_rec_structs_1', null);
  ffi.compile({ tmpdir: path.join(tmpdir, '_rec_structs_1') });
  //
  ffi = importFfi(path.join(tmpdir, '_rec_structs_1'), 'test_rec_structs_1');
  // the following line used to raise TypeError
  // unless preceded by 'ffi.sizeof("struct C")'.
  const sz = ffi.sizeof('struct B');
  expect(sz).toBe(ffi.sizeof('int *'));
});

test('test_rec_structs_2', () => {
  let ffi = new pkg.FFI();
  ffi.cdef('struct B { struct C* c; }; struct C { struct B b; };');
  ffi.setSource('test_rec_structs_2', null);
  ffi.compile({ tmpdir: path.join(tmpdir, '_rec_structs_2') });
  //
  ffi = importFfi(path.join(tmpdir, '_rec_structs_2'), 'test_rec_structs_2');
  const sz = ffi.sizeof('struct C');
  expect(sz).toBe(ffi.sizeof('int *'));
});
