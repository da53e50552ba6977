// CFFI's testing/cffi1/test_new_ffi_1.py, ported: the memory model through one module compiled in API mode, one test per CFFI test, in CFFI's order.
//
// Not ported:
//   test_none_as_null_doesnt_work: its subject is Python's None being distinct from a NULL cdata; in node-cffi null is NULL (ffi.NULL === null), so its assertions contradict each other in JavaScript
//   test_ffi_buffer_with_file: Python file objects (os.fdopen, f.write/f.readinto of a buffer)
//   test_ffi_buffer_with_io: Python file objects (io.BytesIO write/readinto)
//   test_new_struct_containing_array_varsize: CFFI skips it (pytest.skip "later?")
//   test_vararg_callback: CFFI skips it (pytest.skip "callback with '...'")
//   test_emit_c_code_to_file_obj: a Python file object (NativeIO) given to emit_c_code; node-cffi's emitCCode takes a file name, which test_emit_c_code covers
//   test_import_from_lib: Python's import machinery (load_dynamic, from-import of a module's lib, ImportError, `import *`)
//
// CFFI's setup_module() compiles one module (recompile + load_dynamic) from DEFS and DEFS_PACKED and
// uses its `ffi` everywhere: here one FFI, declared with the same cdefs and built once in beforeAll()
// with ffi.verify(CCODE) (CCODE is CFFI's, the packed struct's `/*here*/` made
// `__attribute__((packed))`). `ffi.error` is FFIError.
//
// Lines marked "no counterpart" are CFFI assertions that cannot hold under the port's mapping of
// Python to JavaScript (as in backend_tests.test.ts): a cast to a number type is a plain number (no
// repr, ctype or size of its own), NULL is null (no "NULL cdata" distinct from None), a char is a
// number (so an integer is a char), Python's hash protocol and str/repr pair. Each says which rule;
// everything else is asserted as CFFI asserts it, translated as backend_tests.test.ts translates the
// same assertion (IndexError and OverflowError → RangeError, KeyError and AttributeError → TypeError,
// ValueError of an initializer → RangeError).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, CDefError, FFIError, CData } from '../../lib';
import {
  COLLECT_ROUNDS, LITTLE_ENDIAN, SIZE_OF_INT, SIZE_OF_LONG, SIZE_OF_PTR, SIZE_OF_SHORT, SIZE_OF_WCHAR,
  addr, collect, collectUntil, js,
} from '../helpers/cffiport';
import { ending, runChild } from '../helpers/child';

const DEFS = String.raw`
        struct repr { short a, b, c; };
        struct simple { int a; short b, c; };
        struct array { int a[2]; char b[3]; };
        struct recursive { int value; struct recursive *next; };
        union simple_u { int a; short b, c; };
        union init_u { char a; int b; };
        struct four_s { int a; short b, c, d; };
        union four_u { int a; short b, c, d; };
        struct string { const char *name; };
        struct ustring { const wchar_t *name; };
        struct voidp { void *p; int *q; short *r; };
        struct ab { int a, b; };
        struct abc { int a, b, c; };

        /* don't use A0, B0, CC0, D0 because termios.h might be included
           and it has its own #defines for these names */
        enum foq { cffiA0, cffiB0, cffiCC0, cffiD0 };
        enum bar { A1, B1=-2, CC1, D1, E1 };
        enum baz { A2=0x1000, B2=0x2000 };
        enum foo2 { A3, B3, C3, D3 };
        struct bar_with_e { enum foo2 e; };
        enum noncont { A4, B4=42, C4 };
        enum etypes {A5='!', B5='\'', C5=0x10, D5=010, E5=- 0x10, F5=-010};
        typedef enum { Value0 = 0 } e_t, *pe_t;
        enum e_noninj { AA3=0, BB3=0, CC3=0, DD3=0 };
        enum e_prev { AA4, BB4=2, CC4=4, DD4=BB4, EE4, FF4=CC4, GG4=FF4 };

        struct nesting { struct abc d, e; };
        struct array2 { int a, b; int c[99]; };
        struct align { char a; short b; char c; };
        struct bitfield { int a:10, b:20, c:3; };
        typedef enum { AA2, BB2, CC2 } foo_e_t;
        typedef struct { foo_e_t f:2; } bfenum_t;
        typedef struct { int a; } anon_foo_t;
        typedef struct { char b, c; } anon_bar_t;
        typedef struct named_foo_s { int a; } named_foo_t, *named_foo_p;
        typedef struct { int a; } unnamed_foo_t, *unnamed_foo_p;
        struct nonpacked { char a; int b; };
        struct array0 { int len; short data[0]; };
        struct array_no_length { int x; int a[]; };

        struct nested_anon {
            struct { int a, b; };
            union { int c, d; };
        };
        struct nested_field_ofs_s {
            struct { int a; char b; };
            union { char c; };
        };
        union nested_anon_u {
            struct { int a, b; };
            union { int c, d; };
        };
        struct abc50 { int a, b; int c[50]; };
        struct ints_and_bitfield { int a,b,c,d,e; int x:1; };
    `;
const DEFS_PACKED = `
        struct is_packed { char a; int b; } /*here*/;
    `;
const CCODE = DEFS + DEFS_PACKED.replace('/*here*/', '__attribute__((packed))');

/** setup_module(): the module's ffi, built once. */
let ffi: FFI;
beforeAll(() => {
  ffi = new FFI();
  ffi.cdef(DEFS);
  ffi.cdef(DEFS_PACKED, { packed: true });
  ffi.verify(CCODE, { moduleName: 'test_new_ffi_1' });
});

/** CFFI's udir: a directory for the files a test writes. */
let udir: string;
beforeAll(() => {
  udir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-new-ffi-1-'));
});
afterAll(() => fs.rmSync(udir, { recursive: true, force: true }));

/** TestNewFFI1._test_int_type */
function testIntType(f: FFI, cDecl: string, size: number, unsigned: boolean): void {
  const bits = BigInt(8 * size);
  const min = unsigned ? 0n : -(1n << (bits - 1n));
  const max = unsigned ? (1n << bits) - 1n : (1n << (bits - 1n)) - 1n;
  // Python int(x) → js(x); Python long(x) → BigInt x
  let p = f.cast(cDecl, js(min));
  expect(p).toBe(js(min));
  expect(Boolean(p)).toBe(Boolean(js(min)));
  expect(p).toBe(js(min));
  p = f.cast(cDecl, js(max));
  expect(p).toBe(js(max));
  p = f.cast(cDecl, max);
  expect(p).toBe(js(max));
  let q = f.cast(cDecl, js(min - 1n));
  // ffi.typeof(q) is ffi.typeof(p): both are cast results, which are JavaScript numbers or bigints
  expect(typeof q).toBe(typeof p);
  expect(q).toBe(js(max));
  q = f.cast(cDecl, min - 1n);
  expect(typeof q).toBe(typeof p);
  expect(q).toBe(js(max));
  expect(q).toBe(p);
  expect(q).toBe(p);
  // no counterpart: assert hash(q) == hash(p) (Python's hash protocol)
  const cDeclPtr = `${cDecl} *`;
  expect(() => f.new(cDeclPtr, js(min - 1n))).toThrow(RangeError);
  expect(() => f.new(cDeclPtr, js(max + 1n))).toThrow(RangeError);
  expect(() => f.new(cDeclPtr, min - 1n)).toThrow(RangeError);
  expect(() => f.new(cDeclPtr, max + 1n)).toThrow(RangeError);
  expect(f.new(cDeclPtr, js(min))[0]).toBe(js(min));
  expect(f.new(cDeclPtr, js(max))[0]).toBe(js(max));
  expect(f.new(cDeclPtr, min)[0]).toBe(js(min));
  expect(f.new(cDeclPtr, max)[0]).toBe(js(max));
}

const TYPE_REPR = (name: string): string => `<ctype '${name}'>`;

describe('TestNewFFI1', () => {
  test('test_integer_ranges', () => {
    const cases: [string, number][] = [
      ['char', 1], ['short', 2], ['short int', 2], ['', 4], ['int', 4], ['long', SIZE_OF_LONG],
      ['long int', SIZE_OF_LONG], ['long long', 8], ['long long int', 8],
    ];
    for (const [cType, size] of cases) {
      for (const unsigned of [null, false, true]) {
        const cDecl = (unsigned === null ? '' : unsigned ? 'unsigned ' : 'signed ') + cType;
        if (cDecl === 'char' || cDecl === '') continue;
        testIntType(ffi, cDecl, size, unsigned === true);
      }
    }
  });

  test('test_fixedsize_int', () => {
    for (const size of [1, 2, 4, 8]) {
      testIntType(ffi, `int${8 * size}_t`, size, false);
      testIntType(ffi, `uint${8 * size}_t`, size, true);
    }
    testIntType(ffi, 'intptr_t', SIZE_OF_PTR, false);
    testIntType(ffi, 'uintptr_t', SIZE_OF_PTR, true);
    testIntType(ffi, 'ptrdiff_t', SIZE_OF_PTR, false);
    testIntType(ffi, 'size_t', SIZE_OF_PTR, true);
    testIntType(ffi, 'ssize_t', SIZE_OF_PTR, false);
  });

  test('test_new_unsupported_type', () => {
    expect(() => ffi.new('int')).toThrow(TypeError);
    expect(() => ffi.new('int')).toThrow(/expected a pointer or array (c)?type/);
    expect(() => ffi.new('int')).toThrow("'int'");
  });

  test('test_new_single_integer', () => {
    let p = ffi.new('int *'); // similar to ffi.new("int[1]")
    expect(p[0]).toBe(0);
    p[0] = -123;
    expect(p[0]).toBe(-123);
    p = ffi.new('int *', -42);
    expect(p[0]).toBe(-42);
    expect(String(p)).toBe(`<cdata 'int *' owning ${SIZE_OF_INT} bytes>`);
  });

  test('test_new_array_no_arg', () => {
    const p = ffi.new('int[10]');
    // the object was zero-initialized:
    for (let i = 0; i < 10; i++) expect(p[i]).toBe(0);
  });

  test('test_array_indexing', () => {
    const p = ffi.new('int[10]');
    p[0] = 42;
    p[9] = 43;
    expect(p[0]).toBe(42);
    expect(p[9]).toBe(43);
    expect(() => p[10]).toThrow(RangeError);
    expect(() => { p[10] = 44; }).toThrow(RangeError);
    expect(() => p[-1]).toThrow(RangeError);
    expect(() => { p[-1] = 44; }).toThrow(RangeError);
  });

  test('test_new_array_args', () => {
    // this tries to be closer to C: where we say "int x[5] = {10, 20, ..}"
    // then here we must enclose the items in a list
    let p = ffi.new('int[5]', [10, 20, 30, 40, 50]);
    expect(p[0]).toBe(10);
    expect(p[1]).toBe(20);
    expect(p[2]).toBe(30);
    expect(p[3]).toBe(40);
    expect(p[4]).toBe(50);
    p = ffi.new('int[4]', [25]);
    expect(p[0]).toBe(25);
    expect(p[1]).toBe(0); // follow C convention rather than LuaJIT's
    expect(p[2]).toBe(0);
    expect(p[3]).toBe(0);
    p = ffi.new('int[4]', [ffi.cast('int', -5)]);
    expect(p[0]).toBe(-5);
    expect(String(p)).toBe(`<cdata 'int[4]' owning ${4 * SIZE_OF_INT} bytes>`);
  });

  test('test_new_array_varsize', () => {
    let p = ffi.new('int[]', 10); // a single integer is the length
    expect(p[9]).toBe(0);
    expect(() => p[10]).toThrow(RangeError);
    //
    expect(() => ffi.new('int[]')).toThrow(TypeError);
    //
    p = ffi.new('int[]', [-6, -7]); // a list is all the items, like C
    expect(p[0]).toBe(-6);
    expect(p[1]).toBe(-7);
    expect(() => p[2]).toThrow(RangeError);
    expect(String(p)).toBe(`<cdata 'int[]' owning ${2 * SIZE_OF_INT} bytes>`);
    //
    p = ffi.new('int[]', 0);
    expect(() => p[0]).toThrow(RangeError);
    expect(() => ffi.new('int[]', -1)).toThrow(RangeError);
    expect(String(p)).toBe("<cdata 'int[]' owning 0 bytes>");
  });

  test('test_pointer_init', () => {
    const n = ffi.new('int *', 24);
    const a = ffi.new('int *[10]', [ffi.NULL, ffi.NULL, n, n, ffi.NULL]);
    for (let i = 0; i < 10; i++) {
      if (i !== 2 && i !== 3) expect(a[i]).toBe(ffi.NULL);
    }
    expect(addr(ffi, a[2])).toBe(addr(ffi, a[3]));
    expect(addr(ffi, a[3])).toBe(addr(ffi, n));
  });

  test('test_cannot_cast', () => {
    const a = ffi.new('short int[10]');
    expect(() => ffi.new('long int **', a)).toThrow(TypeError);
    expect(() => ffi.new('long int **', a)).toThrow("'short[10]'");
    expect(() => ffi.new('long int **', a)).toThrow("'long *'");
  });

  test('test_new_pointer_to_array', () => {
    const a = ffi.new('int[4]', [100, 102, 104, 106]);
    let p = ffi.new('int **', a);
    expect(addr(ffi, p[0])).toBe(addr(ffi, ffi.cast('int *', a)));
    expect(p[0][2]).toBe(104);
    p = ffi.cast('int *', a)!;
    expect(p[0]).toBe(100);
    expect(p[1]).toBe(102);
    expect(p[2]).toBe(104);
    expect(p[3]).toBe(106);
    // keepalive: a
  });

  test('test_pointer_direct', () => {
    let p = ffi.cast('int*', 0);
    // no counterpart: assert p is not None (NULL is null)
    expect(p !== null).toBe(false);
    expect(p).toBe(ffi.cast('int*', 0));
    // no counterpart: assert p is not None (NULL is null)
    // no counterpart: assert repr(p) == "<cdata 'int *' NULL>" (NULL is null)
    const a = ffi.new('int[]', [123, 456]);
    p = ffi.cast('int*', a);
    expect(p !== null).toBe(true);
    expect(addr(ffi, p)).toBe(addr(ffi, ffi.cast('int*', a)));
    expect(p === ffi.cast('int*', 0)).toBe(false);
    expect(p![0]).toBe(123);
    expect(p![1]).toBe(456);
  });

  test('test_repr', () => {
    // no counterpart: p = ffi.cast("short unsigned int", 0); repr(p) == "<cdata 'unsigned short' 0>";
    //   repr(ffi.typeof(p)) == "<ctype 'unsigned short'>" (a cast to a number type is a number)
    // no counterpart: the same for ffi.cast("unsigned short int", 0) (a cast to a number type is a number)
    // no counterpart: p = ffi.cast("int*", 0); repr(p) == "<cdata 'int *' NULL>";
    //   repr(ffi.typeof(p)) == "<ctype 'int *'>" (NULL is null)
    //
    let p = ffi.new('int*');
    expect(String(p)).toBe(`<cdata 'int *' owning ${SIZE_OF_INT} bytes>`);
    expect(String(ffi.typeof(p))).toBe(TYPE_REPR('int *'));
    p = ffi.new('int**');
    expect(String(p)).toBe(`<cdata 'int * *' owning ${SIZE_OF_PTR} bytes>`);
    expect(String(ffi.typeof(p))).toBe(TYPE_REPR('int * *'));
    p = ffi.new('int [2]');
    expect(String(p)).toBe(`<cdata 'int[2]' owning ${2 * SIZE_OF_INT} bytes>`);
    expect(String(ffi.typeof(p))).toBe(TYPE_REPR('int[2]'));
    p = ffi.new('int*[2][3]');
    expect(String(p)).toBe(`<cdata 'int *[2][3]' owning ${6 * SIZE_OF_PTR} bytes>`);
    expect(String(ffi.typeof(p))).toBe(TYPE_REPR('int *[2][3]'));
    p = ffi.new('struct repr *');
    expect(String(p)).toBe(`<cdata 'struct repr *' owning ${3 * SIZE_OF_SHORT} bytes>`);
    expect(String(ffi.typeof(p))).toBe(TYPE_REPR('struct repr *'));
    //
    // no counterpart: q = ffi.cast("short", -123); repr(q) == "<cdata 'short' -123>";
    //   repr(ffi.typeof(q)) == "<ctype 'short'>" (a cast to a number type is a number)
    p = ffi.new('int*');
    let q = ffi.cast('short*', p)!;
    expect(String(q).startsWith("<cdata 'short *' 0x")).toBe(true);
    expect(String(ffi.typeof(q))).toBe(TYPE_REPR('short *'));
    p = ffi.new('int [2]');
    q = ffi.cast('int*', p)!;
    expect(String(q).startsWith("<cdata 'int *' 0x")).toBe(true);
    expect(String(ffi.typeof(q))).toBe(TYPE_REPR('int *'));
    p = ffi.new('struct repr*');
    q = ffi.cast('struct repr *', p)!;
    expect(String(q).startsWith("<cdata 'struct repr *' 0x")).toBe(true);
    expect(String(ffi.typeof(q))).toBe(TYPE_REPR('struct repr *'));
    const prevrepr = String(q);
    q = q[0];
    expect(String(q)).toBe(prevrepr.replace(' *', ' &'));
    expect(String(ffi.typeof(q))).toBe(TYPE_REPR('struct repr'));
  });

  test('test_new_array_of_array', () => {
    const p = ffi.new('int[3][4]');
    p[0][0] = 10;
    p[2][3] = 33;
    expect(p[0][0]).toBe(10);
    expect(p[2][3]).toBe(33);
    expect(() => p[1][-1]).toThrow(RangeError);
  });

  test('test_constructor_array_of_array', () => {
    const p = ffi.new('int[3][2]', [[10, 11], [12, 13], [14, 15]]);
    expect(p[2][1]).toBe(15);
  });

  test('test_new_array_of_pointer_1', () => {
    const n = ffi.new('int*', 99);
    const p = ffi.new('int*[4]');
    p[3] = n;
    const a = p[3];
    expect(String(a).startsWith("<cdata 'int *' 0x")).toBe(true);
    expect(a[0]).toBe(99);
  });

  test('test_new_array_of_pointer_2', () => {
    const n = ffi.new('int[1]', [99]);
    const p = ffi.new('int*[4]');
    p[3] = n;
    const a = p[3];
    expect(String(a).startsWith("<cdata 'int *' 0x")).toBe(true);
    expect(a[0]).toBe(99);
  });

  test('test_char', () => {
    expect(ffi.new('char*', 0xff)[0]).toBe(0xff);
    expect(ffi.new('char*')[0]).toBe(0x00);
    expect(ffi.cast('char', 300)).toBe(300 - 256);
    expect(Boolean(ffi.cast('char', 0))).toBe(false);
    expect(Boolean(ffi.cast('char', 1))).toBe(true);
    expect(Boolean(ffi.cast('char', 255))).toBe(true);
    // no counterpart: pytest.raises(TypeError, ffi.new, "char*", 32) (a char is a number)
    // no counterpart: pytest.raises(TypeError, ffi.new, "char*", u+"x") (a one-byte string is a char)
    expect(() => ffi.new('char*', 'foo')).toThrow(TypeError);
    //
    let p = ffi.new('char[]', ['a', 'b', 0x9c]);
    expect(p.length).toBe(3);
    expect(p[0]).toBe(0x61);
    expect(p[1]).toBe(0x62);
    expect(p[2]).toBe(0x9c);
    p[0] = 0xff;
    expect(p[0]).toBe(0xff);
    p = ffi.new('char[]', 'abcd');
    expect(p.length).toBe(5);
    expect(p[4]).toBe(0x00); // like in C, with:  char[] p = "abcd";
    //
    p = ffi.new('char[4]', 'ab');
    expect(p.length).toBe(4);
    expect([0, 1, 2, 3].map((i) => p[i])).toEqual([0x61, 0x62, 0, 0]);
    p = ffi.new('char[2]', 'ab');
    expect(p.length).toBe(2);
    expect([0, 1].map((i) => p[i])).toEqual([0x61, 0x62]);
    expect(() => ffi.new('char[2]', 'abc')).toThrow(RangeError);
  });

  test('test_wchar_t', () => {
    expect(ffi.new('wchar_t*', 'x')[0]).toBe('x');
    expect(ffi.new('wchar_t*', '\u1234')[0]).toBe('\u1234');
    if (SIZE_OF_WCHAR > 2) {
      expect(ffi.new('wchar_t*', '\u{12345}')[0]).toBe('\u{12345}');
    } else {
      expect(() => ffi.new('wchar_t*', '\u{12345}')).toThrow(TypeError);
    }
    expect(ffi.new('wchar_t*')[0]).toBe('\x00');
    expect(ffi.cast('wchar_t', 300)).toBe(300);
    expect(Boolean(ffi.cast('wchar_t', 0))).toBe(false);
    expect(Boolean(ffi.cast('wchar_t', 1))).toBe(true);
    expect(Boolean(ffi.cast('wchar_t', 65535))).toBe(true);
    if (SIZE_OF_WCHAR > 2) expect(Boolean(ffi.cast('wchar_t', 65536))).toBe(true);
    expect(() => ffi.new('wchar_t*', 32)).toThrow(TypeError);
    expect(() => ffi.new('wchar_t*', 'foo')).toThrow(TypeError);
    //
    let p = ffi.new('wchar_t[]', ['a', 'b', '\u1234']);
    expect(p.length).toBe(3);
    expect(p[0]).toBe('a');
    expect(p[1]).toBe('b');
    expect(typeof p[1]).toBe('string');
    expect(p[2]).toBe('\u1234');
    p[0] = 'x';
    expect(p[0]).toBe('x');
    expect(typeof p[0]).toBe('string');
    p[1] = '\u1357';
    expect(p[1]).toBe('\u1357');
    p = ffi.new('wchar_t[]', 'abcd');
    expect(p.length).toBe(5);
    expect(p[4]).toBe('\x00');
    p = ffi.new('wchar_t[]', 'a\u1234b');
    expect(p.length).toBe(4);
    expect(p[1]).toBe('\u1234');
    //
    p = ffi.new('wchar_t[]', '\u{23456}');
    if (SIZE_OF_WCHAR === 2) {
      expect(p.length).toBe(3);
      expect(p[0]).toBe('\ud84d');
      expect(p[1]).toBe('\udc56');
      expect(p[2]).toBe('\x00');
    } else {
      expect(p.length).toBe(2);
      expect(p[0]).toBe('\u{23456}');
      expect(p[1]).toBe('\x00');
    }
    //
    p = ffi.new('wchar_t[4]', 'ab');
    expect(p.length).toBe(4);
    expect([0, 1, 2, 3].map((i) => p[i])).toEqual(['a', 'b', '\x00', '\x00']);
    p = ffi.new('wchar_t[2]', 'ab');
    expect(p.length).toBe(2);
    expect([0, 1].map((i) => p[i])).toEqual(['a', 'b']);
    expect(() => ffi.new('wchar_t[2]', 'abc')).toThrow(RangeError);
  });

  test('test_float', () => {
    let p = ffi.new('float[]', [-2, -2.5]);
    expect(p[0]).toBe(-2.0);
    expect(p[1]).toBe(-2.5);
    p[1] += 17.75;
    expect(p[1]).toBe(15.25);
    //
    p = ffi.new('float*', 15.75);
    expect(p[0]).toBe(15.75);
    // differs from CFFI: see docs/cffi-differences.md, "A pointer converts to NaN" (CFFI: int(p) and float(p) raise TypeError)
    expect(Number(p)).toBeNaN(); // int(p)
    expect(Number(p)).toBeNaN(); // float(p)
    p[0] = 0.0;
    expect(p !== null).toBe(true);
    //
    p = ffi.new('float*', 1.1);
    const f = p[0];
    expect(f).not.toBe(1.1); // because of rounding effect
    expect(Math.abs(f - 1.1)).toBeLessThan(1e-7);
    //
    const INF = 1e200 * 1e200;
    expect(1e200).not.toBe(INF);
    p[0] = 1e200;
    expect(p[0]).toBe(INF); // infinite, not enough precision
  });

  test('test_struct_simple', () => {
    let s = ffi.new('struct simple*');
    expect(s.a).toBe(0);
    expect(s.b).toBe(0);
    expect(s.c).toBe(0);
    s.b = -23;
    expect(s.b).toBe(-23);
    expect(() => { s.b = 32768; }).toThrow(RangeError);
    //
    s = ffi.new('struct simple*', [-2, -3]);
    expect(s.a).toBe(-2);
    expect(s.b).toBe(-3);
    expect(s.c).toBe(0);
    // differs from CFFI: see docs/cffi-differences.md, "Deleting a field or an item changes nothing" (CFFI: AttributeError or TypeError)
    delete s.a;
    expect(s.a).toBe(-2);
    expect(String(s)).toBe(`<cdata 'struct simple *' owning ${SIZE_OF_INT + 2 * SIZE_OF_SHORT} bytes>`);
    //
    expect(() => ffi.new('struct simple*', [1, 2, 3, 4])).toThrow(RangeError);
  });

  test('test_constructor_struct_from_dict', () => {
    const s = ffi.new('struct simple*', { b: 123, c: 456 });
    expect(s.a).toBe(0);
    expect(s.b).toBe(123);
    expect(s.c).toBe(456);
    expect(() => ffi.new('struct simple*', { d: 456 })).toThrow(TypeError);
  });

  test('test_struct_pointer', () => {
    const s = ffi.new('struct simple*');
    expect(s[0].a).toBe(0);
    expect(s[0].b).toBe(0);
    expect(s[0].c).toBe(0);
    s[0].b = -23;
    expect(s[0].b).toBe(-23);
    expect(s.b).toBe(-23);
    expect(() => { s[0].b = -32769; }).toThrow(RangeError);
    expect(() => s[1]).toThrow(RangeError);
  });

  test('test_struct_opaque', () => {
    // ffi.error in both; CFFI's says "undefined struct/union name", node-cffi's that the struct is incomplete
    // (docs/cffi-differences.md, "A type name declares the struct and union tags it names")
    expect(() => ffi.new('struct baz*')).toThrow(FFIError);
    expect(() => ffi.new('struct baz*')).toThrow(/'struct baz' is declared but never defined/);
    // should 'ffi.new("struct baz **") work?  it used to, but it was
    // not particularly useful...
    // differs from CFFI: see docs/cffi-differences.md, "A type name declares the struct and union tags it names"
    // (CFFI's module ffi: ffi.error, "undefined struct/union name"; here, as in C and cffi.FFI, it works)
    const p = ffi.new('struct baz**');
    expect(p[0]).toBe(ffi.NULL);
  });

  test('test_pointer_to_struct', () => {
    const s = ffi.new('struct simple *');
    s.a = -42;
    expect(s[0].a).toBe(-42);
    const p = ffi.new('struct simple **', s);
    expect(p[0].a).toBe(-42);
    expect(p[0][0].a).toBe(-42);
    p[0].a = -43;
    expect(s.a).toBe(-43);
    expect(s[0].a).toBe(-43);
    p[0][0].a = -44;
    expect(s.a).toBe(-44);
    expect(s[0].a).toBe(-44);
    s.a = -45;
    expect(p[0].a).toBe(-45);
    expect(p[0][0].a).toBe(-45);
    s[0].a = -46;
    expect(p[0].a).toBe(-46);
    expect(p[0][0].a).toBe(-46);
  });

  test('test_constructor_struct_of_array', () => {
    const s = ffi.new('struct array *', [[10, 11], ['a', 'b', 'c']]);
    expect(s.a[1]).toBe(11);
    expect(s.b[2]).toBe(0x63);
    s.b[1] = 'X';
    expect(s.b[0]).toBe(0x61);
    expect(s.b[1]).toBe(0x58);
    expect(s.b[2]).toBe(0x63);
  });

  test('test_recursive_struct', () => {
    const s = ffi.new('struct recursive*');
    const t = ffi.new('struct recursive*');
    s.value = 123;
    s.next = t;
    t.value = 456;
    expect(s.value).toBe(123);
    expect(s.next.value).toBe(456);
  });

  test('test_union_simple', () => {
    let u = ffi.new('union simple_u*');
    expect(u.a).toBe(0);
    expect(u.b).toBe(0);
    expect(u.c).toBe(0);
    u.b = -23;
    expect(u.b).toBe(-23);
    expect(u.a).not.toBe(0);
    expect(() => { u.b = 32768; }).toThrow(RangeError);
    //
    u = ffi.new('union simple_u*', [-2]);
    expect(u.a).toBe(-2);
    // differs from CFFI: see docs/cffi-differences.md, "Deleting a field or an item changes nothing" (CFFI: AttributeError or TypeError)
    delete u.a;
    expect(u.a).toBe(-2);
    expect(String(u)).toBe(`<cdata 'union simple_u *' owning ${SIZE_OF_INT} bytes>`);
  });

  test('test_union_opaque', () => {
    // ffi.error in both; CFFI's says "undefined struct/union name", node-cffi's that the union is incomplete
    // (docs/cffi-differences.md, "A type name declares the struct and union tags it names")
    expect(() => ffi.new('union baz*')).toThrow(FFIError);
    expect(() => ffi.new('union baz*')).toThrow(/'union baz' is declared but never defined/);
    // should 'ffi.new("union baz **") work?  it used to, but it was
    // not particularly useful...
    // differs from CFFI: see docs/cffi-differences.md, "A type name declares the struct and union tags it names"
    // (CFFI's module ffi: ffi.error, "undefined struct/union name"; here, as in C and cffi.FFI, it works)
    const u = ffi.new('union baz**');
    expect(u[0]).toBe(ffi.NULL);
  });

  test('test_union_initializer', () => {
    expect(() => ffi.new('union init_u*', 'A')).toThrow(TypeError);
    expect(() => ffi.new('union init_u*', 5)).toThrow(TypeError);
    expect(() => ffi.new('union init_u*', ['A', 5])).toThrow(RangeError);
    let u = ffi.new('union init_u*', ['A']);
    expect(u.a).toBe(0x41);
    // differs from CFFI: see docs/cffi-differences.md, "A char is its byte value" (CFFI: TypeError, an int is not a char)
    expect(() => ffi.new('union init_u*', [1005])).toThrow(RangeError);
    u = ffi.new('union init_u*', { b: 12345 });
    expect(u.b).toBe(12345);
    u = ffi.new('union init_u*', []);
    expect(u.a).toBe(0x00);
    expect(u.b).toBe(0);
  });

  test('test_sizeof_type', () => {
    const cases: [string, number][] = [
      ['char', 1], ['unsigned int', 4], ['char *', SIZE_OF_PTR], ['int[5]', 20], ['struct four_s', 12], ['union four_u', 4],
    ];
    for (const [cType, expectedSize] of cases) {
      const size = ffi.sizeof(cType);
      expect([cType, size]).toEqual([cType, expectedSize]);
    }
  });

  test('test_sizeof_cdata', () => {
    expect(ffi.sizeof(ffi.new('short*'))).toBe(SIZE_OF_PTR);
    // no counterpart: ffi.sizeof(ffi.cast("short", 123)) == SIZE_OF_SHORT (a cast to a number type is a number)
    //
    const a = ffi.new('int[]', [10, 11, 12, 13, 14]);
    expect(a.length).toBe(5);
    expect(ffi.sizeof(a)).toBe(5 * SIZE_OF_INT);
  });

  test('test_string_from_char_pointer', () => {
    const x = ffi.new('char*', 'x');
    // no counterpart: assert str(x) == repr(x) (both are String(x))
    expect(ffi.string(x)).toBe('x');
    expect(ffi.string(ffi.new('char*', '\x00'))).toBe('');
    expect(() => ffi.new('char*', 'foo')).toThrow(TypeError);
  });

  test('test_unicode_from_wchar_pointer', () => {
    const x = ffi.new('wchar_t*', 'x');
    // no counterpart: assert unicode(x) == unicode(repr(x)) (both are String(x))
    expect(ffi.string(x)).toBe('x');
    expect(ffi.string(ffi.new('wchar_t*', '\x00'))).toBe('');
  });

  test('test_string_from_char_array', () => {
    let p = ffi.new('char[]', 'hello.');
    p[5] = '!';
    expect(ffi.string(p)).toBe('hello!');
    p[6] = '?';
    expect(ffi.string(p)).toBe('hello!?');
    p[3] = 0x00;
    expect(ffi.string(p)).toBe('hel');
    expect(ffi.string(p, 2)).toBe('he');
    expect(() => { p[7] = 'X'; }).toThrow(RangeError);
    //
    const a = ffi.new('char[]', 'hello\x00world');
    expect(a.length).toBe(12);
    p = ffi.cast('char *', a)!;
    expect(ffi.string(p)).toBe('hello');
  });

  test('test_string_from_wchar_array', () => {
    // ffi.string() of a wchar_t cast: the cast is its code (a cast to a number type is a number)
    expect(ffi.cast('wchar_t', 'x')).toBe(0x78);
    expect(ffi.cast('wchar_t', 'x')).toBe(0x78);
    const x = ffi.cast('wchar_t', 'x');
    // no counterpart: assert str(x) == repr(x) (a cast to a number type is a number)
    expect(x).toBe(0x78);
    //
    let p = ffi.new('wchar_t[]', 'hello.');
    p[5] = '!';
    expect(ffi.string(p)).toBe('hello!');
    p[6] = '\u04d2';
    expect(ffi.string(p)).toBe('hello!\u04d2');
    p[3] = '\x00';
    expect(ffi.string(p)).toBe('hel');
    expect(ffi.string(p, 123)).toBe('hel');
    expect(() => { p[7] = 'X'; }).toThrow(RangeError);
    //
    const a = ffi.new('wchar_t[]', 'hello\x00world');
    expect(a.length).toBe(12);
    p = ffi.cast('wchar_t *', a)!;
    expect(ffi.string(p)).toBe('hello');
    expect(ffi.string(p, 123)).toBe('hello');
    expect(ffi.string(p, 5)).toBe('hello');
    expect(ffi.string(p, 2)).toBe('he');
  });

  test('test_fetch_const_char_p_field', () => {
    // 'const' is ignored so far, in the declaration of 'struct string'
    const t = ffi.new('const char[]', 'testing');
    const s = ffi.new('struct string*', [t]);
    expect(typeof s.name).not.toBe('string');
    expect(Buffer.isBuffer(s.name)).toBe(false);
    expect(ffi.string(s.name)).toBe('testing');
    // no counterpart: pytest.raises(TypeError): s.name = None (NULL is null)
    s.name = ffi.NULL;
    expect(s.name).toBe(ffi.NULL);
  });

  test('test_fetch_const_wchar_p_field', () => {
    // 'const' is ignored so far
    const t = ffi.new('const wchar_t[]', 'testing');
    const s = ffi.new('struct ustring*', [t]);
    expect(typeof s.name).not.toBe('string');
    expect(Buffer.isBuffer(s.name)).toBe(false);
    expect(ffi.string(s.name)).toBe('testing');
    s.name = ffi.NULL;
    expect(s.name).toBe(ffi.NULL);
  });

  test('test_voidp', () => {
    // differs from CFFI: see docs/cffi-differences.md, "A type without a size: one error, `FFIError`" (CFFI: TypeError)
    expect(() => ffi.new('void*')).toThrow(FFIError);
    let p = ffi.new('void **');
    expect(p[0]).toBe(ffi.NULL);
    const a = ffi.new('int[]', [10, 11, 12]);
    p = ffi.new('void **', a);
    const vp = p[0];
    expect(() => vp[0]).toThrow(FFIError); // differs from CFFI as above (CFFI: TypeError)
    expect(() => ffi.new('short **', a)).toThrow(TypeError);
    //
    const s = ffi.new('struct voidp *');
    s.p = a; // works
    s.q = a; // works
    expect(() => { s.r = a; }).toThrow(TypeError); // fails
    const b = ffi.cast('int *', a);
    s.p = b; // works
    s.q = b; // works
    expect(() => { s.r = b; }).toThrow(TypeError); // fails
  });

  test('test_functionptr_simple', () => {
    expect(() => ffi.callback('int(*)(int)', 0 as unknown as () => number)).toThrow(TypeError);
    function cb(n: number): number {
      return n + 1;
    }
    const p = ffi.callback('int(*)(int)', cb);
    let res = p(41); // calling an 'int(*)(int)', i.e. a function pointer
    expect(res).toBe(42);
    expect(typeof res).toBe('number');
    res = p(ffi.cast('int', -41));
    expect(res).toBe(-40);
    expect(typeof res).toBe('number');
    expect(String(p)).toMatch(/^<cdata 'int\(\*\)\(int\)' calling .*\bcb\b/);
    expect(ffi.typeof(p)).toBe(ffi.typeof('int(*)(int)'));
    const q = ffi.new('int(**)(int)', p);
    expect(String(q)).toBe(`<cdata 'int(* *)(int)' owning ${SIZE_OF_PTR} bytes>`);
    expect(() => (q as unknown as (n: number) => number)(43)).toThrow(TypeError);
    res = q[0](43);
    expect(res).toBe(44);
    const q2 = ffi.cast('int(*)(int)', p)!; // Python's q = ffi.cast(...)
    expect(String(q2).startsWith("<cdata 'int(*)(int)' 0x")).toBe(true);
    res = q2(45);
    expect(res).toBe(46);
  });

  test('test_functionptr_advanced', () => {
    const t = ffi.typeof('int(*(*)(int))(int)');
    expect(String(t)).toBe(TYPE_REPR('int(*(*)(int))(int)'));
  });

  test('test_functionptr_voidptr_return', () => {
    let p = ffi.callback('void*(*)()', () => ffi.NULL);
    let res = p();
    // no counterpart: assert res is not None (NULL is null)
    expect(res).toBe(ffi.NULL);
    const intPtr = ffi.new('int*');
    const voidPtr = ffi.cast('void*', intPtr);
    p = ffi.callback('void*(*)()', () => voidPtr);
    res = p();
    expect(addr(ffi, res)).toBe(addr(ffi, voidPtr));
  });

  test('test_functionptr_intptr_return', () => {
    let p = ffi.callback('int*(*)()', () => ffi.NULL);
    let res = p();
    expect(res).toBe(ffi.NULL);
    const intPtr = ffi.new('int*');
    p = ffi.callback('int*(*)()', () => intPtr);
    res = p();
    expect(String(res).startsWith("<cdata 'int *' 0x")).toBe(true);
    expect(addr(ffi, res)).toBe(addr(ffi, intPtr));
    const intArrayPtr = ffi.new('int[1]');
    p = ffi.callback('int*(*)()', () => intArrayPtr);
    res = p();
    expect(String(res).startsWith("<cdata 'int *' 0x")).toBe(true);
    expect(addr(ffi, res)).toBe(addr(ffi, intArrayPtr));
  });

  test('test_functionptr_void_return', () => {
    function foo(): void {}
    const fooCb = ffi.callback('void foo()', foo);
    const result = fooCb();
    expect(result).toBeUndefined(); // a void result: JavaScript's "no value"
  });

  test('test_char_cast', () => {
    let p = ffi.cast('int', '\x01');
    // no counterpart: ffi.typeof(p) is ffi.typeof("int") (a cast to a number type is a number)
    expect(p).toBe(1);
    p = ffi.cast('int', ffi.cast('char', 'a'));
    expect(p).toBe('a'.charCodeAt(0));
    p = ffi.cast('int', ffi.cast('char', 0x80));
    expect(p).toBe(0x80); // "char" is considered unsigned in this case
    p = ffi.cast('int', 0x81); // b"\x81" is the char 0x81
    expect(p).toBe(0x81);
  });

  test('test_wchar_cast', () => {
    let p = ffi.cast('int', ffi.cast('wchar_t', '\u1234'));
    expect(p).toBe(0x1234);
    const q = ffi.cast('long long', ffi.cast('wchar_t', -1));
    if (SIZE_OF_WCHAR === 2) {
      expect(q).toBe(0xffff); // 2 bytes, unsigned
    } else if (process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'ia32')) {
      expect(q).toBe(-1); // known to be signed
    } else {
      expect([-1, 0xffffffff]).toContain(q); // in general, it can be either signed or not
    }
    p = ffi.cast('int', '\u1234');
    expect(p).toBe(0x1234);
  });

  test('test_cast_array_to_charp', () => {
    const a = ffi.new('short int[]', [0x1234, 0x5678]);
    const p = ffi.cast('char*', a)!;
    const data = Buffer.from([0, 1, 2, 3].map((i) => p[i]));
    if (LITTLE_ENDIAN) expect(data).toEqual(Buffer.from([0x34, 0x12, 0x78, 0x56]));
    else expect(data).toEqual(Buffer.from([0x12, 0x34, 0x56, 0x78]));
  });

  test('test_cast_between_pointers', () => {
    const a = ffi.new('short int[]', [0x1234, 0x5678]);
    const p = ffi.cast('short*', a);
    const p2 = ffi.cast('int*', p);
    const q = ffi.cast('char*', p2)!;
    const data = Buffer.from([0, 1, 2, 3].map((i) => q[i]));
    if (LITTLE_ENDIAN) expect(data).toEqual(Buffer.from([0x34, 0x12, 0x78, 0x56]));
    else expect(data).toEqual(Buffer.from([0x12, 0x34, 0x56, 0x78]));
  });

  test('test_cast_pointer_and_int', () => {
    const a = ffi.new('short int[]', [0x1234, 0x5678]);
    const l1 = ffi.cast('intptr_t', a);
    const p = ffi.cast('short*', a);
    const l2 = ffi.cast('intptr_t', p);
    expect(l1).toBe(l2);
    expect(l2).not.toBe(0);
    const q = ffi.cast('short*', l1)!;
    expect(addr(ffi, q)).toBe(addr(ffi, ffi.cast('short*', l1)));
    expect(q[0]).toBe(0x1234);
    expect(ffi.cast('intptr_t', ffi.NULL)).toBe(0);
  });

  test('test_cast_functionptr_and_int', () => {
    const a = ffi.callback('int(*)(int)', (n: number) => n + 1);
    const p = ffi.cast('void *', a);
    expect(p !== null).toBe(true);
    const b = ffi.cast('int(*)(int)', p)!;
    expect(b(41)).toBe(42);
    expect(addr(ffi, a)).toBe(addr(ffi, b));
    // no counterpart: assert hash(a) == hash(b) (Python's hash protocol)
  });

  test('test_callback_crash', () => {
    const cb = (_n: number): number => {
      throw new Error();
    };
    const a = ffi.callback('int(*)(int)', cb, { error: 42 });
    const res = a(1); // and the error reported to stderr
    expect(res).toBe(42);
  });

  test('test_structptr_argument', () => {
    const cb = (p: CData): number => p[0].a * 1000 + p[0].b * 100 + p[1].a * 10 + p[1].b;
    const a = ffi.callback('int(*)(struct ab[])', cb);
    let res = a([[5, 6], { a: 7, b: 8 }]);
    expect(res).toBe(5678);
    res = a([[5], { b: 8 }]);
    expect(res).toBe(5008);
  });

  test('test_array_argument_as_list', () => {
    const seen: string[] = [];
    const cb = (argv: CData): void => {
      seen.push(ffi.string(argv[0]));
      seen.push(ffi.string(argv[1]));
    };
    const a = ffi.callback('void(*)(char *[])', cb);
    a([ffi.new('char[]', 'foobar'), ffi.new('char[]', 'baz')]);
    expect(seen).toEqual(['foobar', 'baz']);
  });

  test('test_cast_float', () => {
    let a: unknown = ffi.cast('float', 12);
    expect(a).toBe(12.0);
    a = ffi.cast('float', 12.5);
    expect(a).toBe(12.5);
    a = ffi.cast('float', 'A');
    expect(a).toBe('A'.charCodeAt(0));
    a = ffi.cast('int', 12.9);
    expect(a).toBe(12);
    a = ffi.cast('char', 66.9 + 256);
    expect(a).toBe(0x42); // ffi.string(a) == b"B": the char is its code
    //
    a = ffi.cast('float', ffi.cast('int', 12));
    expect(a).toBe(12.0);
    a = ffi.cast('float', ffi.cast('double', 12.5));
    expect(a).toBe(12.5);
    a = ffi.cast('float', ffi.cast('char', 'A'));
    expect(a).toBe('A'.charCodeAt(0));
    a = ffi.cast('int', ffi.cast('double', 12.9));
    expect(a).toBe(12);
    a = ffi.cast('char', ffi.cast('double', 66.9 + 256));
    expect(a).toBe(0x42); // ffi.string(a) == b"B": the char is its code
  });

  test('test_enum', () => {
    // enum foq { A0, B0, CC0, D0 };
    expect(ffi.string(ffi.cast('enum foq', 0))).toBe('cffiA0');
    expect(ffi.string(ffi.cast('enum foq', 2))).toBe('cffiCC0');
    expect(ffi.string(ffi.cast('enum foq', 3))).toBe('cffiD0');
    expect(ffi.string(ffi.cast('enum foq', 4))).toBe('4');
    // enum bar { A1, B1=-2, CC1, D1, E1 };
    expect(ffi.string(ffi.cast('enum bar', 0))).toBe('A1');
    expect(ffi.string(ffi.cast('enum bar', -2))).toBe('B1');
    expect(ffi.string(ffi.cast('enum bar', -1))).toBe('CC1');
    expect(ffi.string(ffi.cast('enum bar', 1))).toBe('E1');
    expect(ffi.cast('enum bar', -2).value).toBe(ffi.cast('enum bar', -2).value);
    expect(ffi.cast('enum foq', 0).value).toBe(ffi.cast('enum bar', 0).value);
    expect(ffi.cast('enum bar', 0).value).toBe(ffi.cast('int', 0));
    expect(String(ffi.cast('enum bar', -1))).toBe("<cdata 'enum bar' -1: CC1>");
    expect(String(ffi.cast('enum foq', -1))).toBe("<cdata 'enum foq' 4294967295>"); // enums are unsigned, if they contain no neg value
    // enum baz { A2=0x1000, B2=0x2000 };
    expect(ffi.string(ffi.cast('enum baz', 0x1000))).toBe('A2');
    expect(ffi.string(ffi.cast('enum baz', 0x2000))).toBe('B2');
  });

  test('test_enum_in_struct', () => {
    // enum foo2 { A3, B3, C3, D3 };
    // struct bar_with_e { enum foo2 e; };
    const s = ffi.new('struct bar_with_e *');
    s.e = 0;
    expect(s.e).toBe(0);
    s.e = 3;
    expect(s.e).toBe(3);
    expect(s[0].e).toBe(3);
    s[0].e = 2;
    expect(s.e).toBe(2);
    expect(s[0].e).toBe(2);
    s.e = ffi.cast('enum foo2', -1);
    expect([4294967295, -1]).toContain(s.e); // two choices
    expect([4294967295, -1]).toContain(s[0].e);
    s.e = s.e; // eslint-disable-line no-self-assign
    // differs from CFFI: see docs/cffi-differences.md, "Enums take enumerator names" (CFFI: TypeError)
    s.e = 'B3';
    expect(s.e).toBe(1);
    expect(() => { s.e = '2'; }).toThrow(TypeError);
    expect(() => { s.e = '#2'; }).toThrow(TypeError);
    expect(() => { s.e = '#7'; }).toThrow(TypeError);
  });

  test('test_enum_non_contiguous', () => {
    // enum noncont { A4, B4=42, C4 };
    expect(ffi.string(ffi.cast('enum noncont', 0))).toBe('A4');
    expect(ffi.string(ffi.cast('enum noncont', 42))).toBe('B4');
    expect(ffi.string(ffi.cast('enum noncont', 43))).toBe('C4');
    const invalidValue = ffi.cast('enum noncont', 2);
    expect(invalidValue.value).toBe(2);
    expect(ffi.string(invalidValue)).toBe('2');
  });

  test('test_enum_char_hex_oct', () => {
    // enum etypes {A5='!', B5='\'', C5=0x10, D5=010, E5=- 0x10, F5=-010};
    expect(ffi.string(ffi.cast('enum etypes', '!'.charCodeAt(0)))).toBe('A5');
    expect(ffi.string(ffi.cast('enum etypes', "'".charCodeAt(0)))).toBe('B5');
    expect(ffi.string(ffi.cast('enum etypes', 16))).toBe('C5');
    expect(ffi.string(ffi.cast('enum etypes', 8))).toBe('D5');
    expect(ffi.string(ffi.cast('enum etypes', -16))).toBe('E5');
    expect(ffi.string(ffi.cast('enum etypes', -8))).toBe('F5');
  });

  test('test_array_of_struct', () => {
    const s = ffi.new('struct ab[1]');
    expect(() => s.b).toThrow(TypeError);
    expect(() => { s.b = 412; }).toThrow(TypeError);
    s[0].b = 412;
    expect(s[0].b).toBe(412);
    expect(() => s[1]).toThrow(RangeError);
  });

  test('test_pointer_to_array', () => {
    const p = ffi.new('int(**)[5]');
    expect(String(p)).toBe(`<cdata 'int(* *)[5]' owning ${SIZE_OF_PTR} bytes>`);
  });

  test('test_iterate_array', () => {
    const a = ffi.new('char[]', 'hello');
    const expected = [...Buffer.from('hello\0')];
    expect([...a]).toEqual(expected);
    expect(Array.from({ [Symbol.iterator]: () => a[Symbol.iterator]() })).toEqual(expected); // list(iter(a))
    //
    expect(() => ffi.cast('char *', a)![Symbol.iterator]()).toThrow(TypeError);
    expect(() => [...ffi.cast('char *', a)!]).toThrow(TypeError);
    expect(() => ffi.new('int *')[Symbol.iterator]()).toThrow(TypeError);
    expect(() => [...ffi.new('int *')]).toThrow(TypeError);
  });

  test('test_offsetof', () => {
    // struct abc { int a, b, c; };
    expect(ffi.offsetof('struct abc', 'a')).toBe(0);
    expect(ffi.offsetof('struct abc', 'b')).toBe(4);
    expect(ffi.offsetof('struct abc', 'c')).toBe(8);
  });

  test('test_offsetof_nested', () => {
    // struct nesting { struct abc d, e; };
    expect(ffi.offsetof('struct nesting', 'e')).toBe(12);
    expect(() => ffi.offsetof('struct nesting', 'e.a')).toThrow(TypeError);
    expect(ffi.offsetof('struct nesting', 'e', 'a')).toBe(12);
    expect(ffi.offsetof('struct nesting', 'e', 'b')).toBe(16);
    expect(ffi.offsetof('struct nesting', 'e', 'c')).toBe(20);
  });

  test('test_offsetof_array', () => {
    expect(ffi.offsetof('int[]', 51)).toBe(51 * ffi.sizeof('int'));
    expect(ffi.offsetof('int *', 51)).toBe(51 * ffi.sizeof('int'));
    // struct array2 { int a, b; int c[99]; };
    expect(ffi.offsetof('struct array2', 'c')).toBe(2 * ffi.sizeof('int'));
    expect(ffi.offsetof('struct array2', 'c', 0)).toBe(2 * ffi.sizeof('int'));
    expect(ffi.offsetof('struct array2', 'c', 51)).toBe(53 * ffi.sizeof('int'));
  });

  test('test_alignof', () => {
    // struct align { char a; short b; char c; };
    expect(ffi.alignof('int')).toBe(4);
    expect([4, 8]).toContain(ffi.alignof('double'));
    expect(ffi.alignof('struct align')).toBe(2);
  });

  test('test_bitfield', () => {
    // struct bitfield { int a:10, b:20, c:3; };
    expect(ffi.sizeof('struct bitfield')).toBe(8);
    const s = ffi.new('struct bitfield *');
    s.a = 511;
    expect(() => { s.a = 512; }).toThrow(RangeError);
    expect(() => { s[0].a = 512; }).toThrow(RangeError);
    expect(s.a).toBe(511);
    s.a = -512;
    expect(() => { s.a = -513; }).toThrow(RangeError);
    expect(() => { s[0].a = -513; }).toThrow(RangeError);
    expect(s.a).toBe(-512);
    s.c = 3;
    expect(s.c).toBe(3);
    expect(() => { s.c = 4; }).toThrow(RangeError);
    expect(() => { s[0].c = 4; }).toThrow(RangeError);
    s.c = -4;
    expect(s.c).toBe(-4);
  });

  test('test_bitfield_enum', () => {
    // typedef enum { AA1, BB1, CC1 } foo_e_t;
    // typedef struct { foo_e_t f:2; } bfenum_t;
    const s = ffi.new('bfenum_t *');
    s.f = 2;
    expect(s.f).toBe(2);
  });

  test('test_anonymous_struct', () => {
    // typedef struct { int a; } anon_foo_t;
    // typedef struct { char b, c; } anon_bar_t;
    const f = ffi.new('anon_foo_t *', [12345]);
    const b = ffi.new('anon_bar_t *', ['B', 'C']);
    expect(f.a).toBe(12345);
    expect(b.b).toBe(0x42);
    expect(b.c).toBe(0x43);
    expect(String(b).startsWith("<cdata 'anon_bar_t *'")).toBe(true);
  });

  test('test_struct_with_two_usages', () => {
    // typedef struct named_foo_s { int a; } named_foo_t, *named_foo_p;
    // typedef struct { int a; } unnamed_foo_t, *unnamed_foo_p;
    let f = ffi.new('named_foo_t *', [12345]);
    ffi.new('named_foo_p[]', [f]);
    f = ffi.new('unnamed_foo_t *', [12345]);
    ffi.new('unnamed_foo_p[]', [f]);
  });

  test('test_pointer_arithmetic', () => {
    const s = ffi.new('short[]', Array.from({ length: 10 }, (_, i) => 100 + i));
    const p = ffi.cast('short *', s)!;
    expect(p[2]).toBe(102);
    expect(addr(ffi, p.add(1))).toBe(addr(ffi, p.add(1)));
    expect(addr(ffi, p.add(1))).not.toBe(addr(ffi, p.add(0)));
    expect(addr(ffi, p)).toBe(addr(ffi, p.add(0)));
    expect(addr(ffi, p.add(0))).toBe(addr(ffi, p.sub(0)));
    expect(p.add(1)[0]).toBe(101);
    expect(p.add(19)[-10]).toBe(109);
    expect(p.add(5).sub(p.add(1))).toBe(4);
    expect(addr(ffi, p)).toBe(addr(ffi, s.add(0)));
    expect(addr(ffi, p.add(1))).toBe(addr(ffi, s.add(1)));
  });

  test('test_pointer_comparison', () => {
    const s = ffi.new('short[]', Array.from({ length: 100 }, (_, i) => i));
    const p = ffi.cast('short *', s)!;
    // Python's pointer ordering compares addresses: JavaScript compares ffi.cast('uintptr_t', ...)
    const a = (x: unknown): number | bigint => addr(ffi, x);
    expect(a(p) < a(s)).toBe(false);
    expect(a(p) <= a(s)).toBe(true);
    expect(a(p) === a(s)).toBe(true);
    expect(a(p) !== a(s)).toBe(false);
    expect(a(p) > a(s)).toBe(false);
    expect(a(p) >= a(s)).toBe(true);
    expect(a(s) < a(p)).toBe(false);
    expect(a(s) <= a(p)).toBe(true);
    expect(a(s) === a(p)).toBe(true);
    expect(a(s) !== a(p)).toBe(false);
    expect(a(s) > a(p)).toBe(false);
    expect(a(s) >= a(p)).toBe(true);
    const q = p.add(1);
    expect(a(q) < a(s)).toBe(false);
    expect(a(q) <= a(s)).toBe(false);
    expect(a(q) === a(s)).toBe(false);
    expect(a(q) !== a(s)).toBe(true);
    expect(a(q) > a(s)).toBe(true);
    expect(a(q) >= a(s)).toBe(true);
    expect(a(s) < a(q)).toBe(true);
    expect(a(s) <= a(q)).toBe(true);
    expect(a(s) === a(q)).toBe(false);
    expect(a(s) !== a(q)).toBe(true);
    expect(a(s) > a(q)).toBe(false);
    expect(a(s) >= a(q)).toBe(false);
    expect(a(q) < a(p)).toBe(false);
    expect(a(q) <= a(p)).toBe(false);
    expect(a(q) === a(p)).toBe(false);
    expect(a(q) !== a(p)).toBe(true);
    expect(a(q) > a(p)).toBe(true);
    expect(a(q) >= a(p)).toBe(true);
    expect(a(p) < a(q)).toBe(true);
    expect(a(p) <= a(q)).toBe(true);
    expect(a(p) === a(q)).toBe(false);
    expect(a(p) !== a(q)).toBe(true);
    expect(a(p) > a(q)).toBe(false);
    expect(a(p) >= a(q)).toBe(false);
    //
    expect(null === s).toBe(false);
    expect(null !== s).toBe(true);
    expect(s === null).toBe(false);
    expect(s !== null).toBe(true);
    expect(null === q).toBe(false);
    expect(null !== q).toBe(true);
    expect(q === null).toBe(false);
    expect(q !== null).toBe(true);
  });

  test('test_integer_comparison', () => {
    const x = ffi.cast('int', 123);
    const y = ffi.cast('int', 456);
    expect(x < y).toBe(true);
    //
    const z = ffi.cast('double', 78.9);
    expect(x > z).toBe(true);
    expect(y > z).toBe(true);
  });

  test('test_ffi_buffer_ptr', () => {
    const a = ffi.new('short *', 100);
    const b = ffi.buffer(a);
    const content = Buffer.from(b); // b[:]
    expect(content.length).toBe(2);
    expect(b.length).toBe(2);
    if (LITTLE_ENDIAN) {
      expect(content).toEqual(Buffer.from([0x64, 0x00]));
      expect(b[0]).toBe(0x64);
      b[0] = 0x65;
    } else {
      expect(content).toEqual(Buffer.from([0x00, 0x64]));
      expect(b[1]).toBe(0x64);
      b[1] = 0x65;
    }
    expect(a[0]).toBe(101);
  });

  test('test_ffi_buffer_array', () => {
    const a = ffi.new('int[]', Array.from({ length: 10 }, (_, i) => 100 + i));
    const b = ffi.buffer(a);
    const content = Buffer.from(b); // b[:]
    if (LITTLE_ENDIAN) {
      expect(content.subarray(0, 8)).toEqual(Buffer.from([0x64, 0, 0, 0, 0x65, 0, 0, 0]));
      b[4] = 0x45;
    } else {
      expect(content.subarray(0, 8)).toEqual(Buffer.from([0, 0, 0, 0x64, 0, 0, 0, 0x65]));
      b[7] = 0x45;
    }
    expect(content.length).toBe(4 * 10);
    expect(a[1]).toBe(0x45);
  });

  test('test_ffi_buffer_ptr_size', () => {
    const a = ffi.new('short *', 0x4243);
    const b = ffi.buffer(a, 1);
    const content = Buffer.from(b); // b[:]
    expect(content.length).toBe(1);
    if (LITTLE_ENDIAN) {
      expect(content).toEqual(Buffer.from([0x43]));
      b[0] = 0x62;
      expect(a[0]).toBe(0x4262);
    } else {
      expect(content).toEqual(Buffer.from([0x42]));
      b[0] = 0x63;
      expect(a[0]).toBe(0x6343);
    }
  });

  test('test_ffi_buffer_array_size', () => {
    const a1 = ffi.new('int[]', Array.from({ length: 10 }, (_, i) => 100 + i));
    const a2 = ffi.new('int[]', Array.from({ length: 15 }, (_, i) => 100 + i));
    ffi.buffer(a1);
    expect(Buffer.from(ffi.buffer(a1))).toEqual(Buffer.from(ffi.buffer(a2, 4 * 10)));
  });

  test('test_array_in_struct', () => {
    // struct array { int a[2]; char b[3]; };
    const p = ffi.new('struct array *');
    p.a[1] = 5;
    expect(p.a[1]).toBe(5);
    expect(String(p.a).startsWith("<cdata 'int[2]' 0x")).toBe(true);
  });

  test('test_struct_containing_array_varsize_workaround', () => {
    // struct array0 { int len; short data[0]; };
    const p = ffi.new('char[]', ffi.sizeof('struct array0') + 7 * SIZE_OF_SHORT);
    const q = ffi.cast('struct array0 *', p)!;
    expect(q.len).toBe(0);
    // 'q.data' gets not a 'short[0]', but just a 'short *' instead
    expect(String(q.data).startsWith("<cdata 'short *' 0x")).toBe(true);
    expect(q.data[6]).toBe(0);
    q.data[6] = 15;
    expect(q.data[6]).toBe(15);
  });

  test('test_ffi_typeof_getcname', () => {
    expect(ffi.getctype('int')).toBe('int');
    expect(ffi.getctype('int', 'x')).toBe('int x');
    expect(ffi.getctype('int*')).toBe('int *');
    expect(ffi.getctype('int*', '')).toBe('int *');
    expect(ffi.getctype('int*', 'x')).toBe('int * x');
    expect(ffi.getctype('int', '*')).toBe('int *');
    expect(ffi.getctype('int', ' * x ')).toBe('int * x');
    expect(ffi.getctype(ffi.typeof('int*'), '*')).toBe('int * *');
    expect(ffi.getctype('int', '[5]')).toBe('int[5]');
    expect(ffi.getctype('int[5]', '[6]')).toBe('int[6][5]');
    expect(ffi.getctype('int[5]', '(*)')).toBe('int(*)[5]');
    // special-case for convenience: automatically put '()' around '*'
    expect(ffi.getctype('int[5]', '*')).toBe('int(*)[5]');
    expect(ffi.getctype('int[5]', '*foo')).toBe('int(*foo)[5]');
    expect(ffi.getctype('int[5]', ' ** foo ')).toBe('int(** foo)[5]');
  });

  test('test_array_of_func_ptr', () => {
    let f = ffi.cast('int(*)(int)', 42);
    expect(f).not.toBe(ffi.NULL);
    // ffi.error: the parser's CDefError, an FFIError (as backend_tests.test.ts asserts it)
    expect(() => ffi.cast('int(int)', 42)).toThrow(CDefError);
    expect(() => ffi.new('int([5])(int)')).toThrow(CDefError);
    let a = ffi.new('int(*[5])(int)', [f]);
    expect(ffi.getctype(ffi.typeof(a))).toBe('int(*[5])(int)');
    expect(a.length).toBe(5);
    expect(addr(ffi, a[0])).toBe(addr(ffi, f));
    expect(a[1]).toBe(ffi.NULL);
    // differs from CFFI: see docs/cffi-differences.md, "A type string that is no C type is a CDefError" (CFFI: TypeError)
    expect(() => ffi.cast('int(*)(int)[5]', 0)).toThrow(CDefError);
    expect(() => ffi.cast('int(*)(int)[5]', 0)).toThrow(/a function cannot return an array/);
    //
    f = ffi.callback('int(*)(int)', (n: number) => n + 1);
    a = ffi.new('int(*[5])(int)', [f, f]);
    expect(a[1](42)).toBe(43);
  });

  test('test_callback_as_function_argument', () => {
    // In C, function arguments can be declared with a function type,
    // which is automatically replaced with the ptr-to-function type.
    const f = ffi.callback('char cb(char, char)', (a: number, b: number) => a + b); // chr(ord(a) + ord(b))
    expect(f('A', '\x01')).toBe(0x42);
    const g = ffi.callback('char g(char cb(char, char))', (callback: (a: string, b: string) => number) => callback('A', '\x01'));
    expect(g(f)).toBe(0x42);
  });

  test('test_callback_decorator', () => {
    //
    // Python's a - b has no overflow: BigInt arithmetic, so that the result (not the arithmetic) overflows 'long'
    const cb = ffi.callback('long(long, long)', (a: number | bigint, b: number | bigint) => BigInt(a) - BigInt(b), { error: 42 });
    //
    expect(cb(-100, -10)).toBe(-90);
    const sz = ffi.sizeof('long');
    expect(cb((1n << BigInt(sz * 8 - 1)) - 1n, -10)).toBe(42);
  });

  test('test_anonymous_enum', () => {
    // typedef enum { Value0 = 0 } e_t, *pe_t;
    expect(ffi.getctype('e_t*')).toBe('e_t *');
    expect(ffi.getctype('pe_t')).toBe('e_t *');
    expect(ffi.getctype('foo_e_t*')).toBe('foo_e_t *');
  });

  test('test_new_ctype', () => {
    let p = ffi.new('int *');
    expect(() => ffi.new(p as unknown as string)).toThrow(TypeError);
    p = ffi.new(ffi.typeof('int *'), 42);
    expect(p[0]).toBe(42);
  });

  test('test_enum_with_non_injective_mapping', () => {
    // enum e_noninj { AA3=0, BB3=0, CC3=0, DD3=0 };
    const e = ffi.cast('enum e_noninj', 0);
    expect(ffi.string(e)).toBe('AA3'); // pick the first one arbitrarily
  });

  test('test_enum_refer_previous_enum_value', () => {
    // enum e_prev { AA4, BB4=2, CC4=4, DD4=BB4, EE4, FF4=CC4, GG4=FF4 };
    expect(ffi.string(ffi.cast('enum e_prev', 2))).toBe('BB4');
    expect(ffi.string(ffi.cast('enum e_prev', 3))).toBe('EE4');
    expect(ffi.sizeof('char[DD4]')).toBe(2);
    expect(ffi.sizeof('char[EE4]')).toBe(3);
    expect(ffi.sizeof('char[FF4]')).toBe(4);
    expect(ffi.sizeof('char[GG4]')).toBe(4);
  });

  test('test_nested_anonymous_struct', () => {
    // struct nested_anon {
    //     struct { int a, b; };
    //     union { int c, d; };
    // };
    expect(ffi.sizeof('struct nested_anon')).toBe(3 * SIZE_OF_INT);
    let p = ffi.new('struct nested_anon *', [1, 2, 3]);
    expect(p.a).toBe(1);
    expect(p.b).toBe(2);
    expect(p.c).toBe(3);
    expect(p.d).toBe(3);
    p.d = 17;
    expect(p.c).toBe(17);
    p.b = 19;
    expect(p.a).toBe(1);
    expect(p.b).toBe(19);
    expect(p.c).toBe(17);
    expect(p.d).toBe(17);
    p = ffi.new('struct nested_anon *', { b: 12, d: 14 });
    expect(p.a).toBe(0);
    expect(p.b).toBe(12);
    expect(p.c).toBe(14);
    expect(p.d).toBe(14);
  });

  test('test_nested_field_offset_align', () => {
    // struct nested_field_ofs_s {
    //    struct { int a; char b; };
    //    union { char c; };
    // };
    expect(ffi.offsetof('struct nested_field_ofs_s', 'c')).toBe(2 * SIZE_OF_INT);
    expect(ffi.sizeof('struct nested_field_ofs_s')).toBe(3 * SIZE_OF_INT);
  });

  test('test_nested_anonymous_union', () => {
    // union nested_anon_u {
    //     struct { int a, b; };
    //     union { int c, d; };
    // };
    expect(ffi.sizeof('union nested_anon_u')).toBe(2 * SIZE_OF_INT);
    let p = ffi.new('union nested_anon_u *', [5]);
    expect(p.a).toBe(5);
    expect(p.b).toBe(0);
    expect(p.c).toBe(5);
    expect(p.d).toBe(5);
    p.d = 17;
    expect(p.c).toBe(17);
    expect(p.a).toBe(17);
    p.b = 19;
    expect(p.a).toBe(17);
    expect(p.b).toBe(19);
    expect(p.c).toBe(17);
    expect(p.d).toBe(17);
    p = ffi.new('union nested_anon_u *', { d: 14 });
    expect(p.a).toBe(14);
    expect(p.b).toBe(0);
    expect(p.c).toBe(14);
    expect(p.d).toBe(14);
    p = ffi.new('union nested_anon_u *', { b: 12 });
    expect(p.a).toBe(0);
    expect(p.b).toBe(12);
    expect(p.c).toBe(0);
    expect(p.d).toBe(0);
    // we cannot specify several items in the dict, even though
    // in theory in this particular case it would make sense
    // to give both 'a' and 'b'
  });

  test('test_cast_to_array_type', () => {
    const p = ffi.new('int[4]', [-5]);
    const q = ffi.cast('int[3]', p);
    expect(q[0]).toBe(-5);
    expect(String(q).startsWith("<cdata 'int[3]' 0x")).toBe(true);
  });

  test('test_gc', async () => {
    const p = ffi.new('int *', 123);
    const seen: number[] = [];
    const checks: [boolean, number][] = [];
    const destructor = (p1: CData): void => {
      checks.push([p1 === p, p1[0]]); // assert p1 is p; assert p1[0] == 123
      seen.push(1);
    };
    let q: CData | null = ffi.gc(p, destructor);
    await collect();
    expect(seen).toEqual([]);
    q = null; // del q
    await collectUntil(() => seen.length >= 1);
    expect(seen).toEqual([1]);
    expect(checks).toEqual([[true, 123]]);
    expect(q).toBeNull();
  });

  test('test_gc_2', async () => {
    const p = ffi.new('int *', 123);
    const seen: number[] = [];
    let q1: CData | null = ffi.gc(p, () => seen.push(1));
    let q2: CData | null = ffi.gc(q1, () => seen.push(2));
    await collect();
    expect(seen).toEqual([]);
    q1 = null; // del q1, q2
    q2 = null;
    await collectUntil(() => seen.length >= 2);
    expect(seen).toEqual([2, 1]);
    expect([q1, q2]).toEqual([null, null]);
  });

  test('test_gc_3', async () => {
    const p = ffi.new('int *', 123);
    const r = ffi.new('int *', 123);
    const seen: number[] = [];
    const seenR: number[] = [];
    let q1: CData | null = ffi.gc(p, () => seen.push(1));
    let s1: CData | null = ffi.gc(r, () => seenR.push(4));
    let q2: CData | null = ffi.gc(q1, () => seen.push(2));
    let s2: CData | null = ffi.gc(s1, () => seenR.push(5));
    let q3: CData | null = ffi.gc(q2, () => seen.push(3));
    await collect();
    expect(seen).toEqual([]);
    expect(seenR).toEqual([]);
    q1 = q2 = q3 = s2 = s1 = null; // del q1, q2, q3, s2, s1
    await collectUntil(() => seen.length >= 3 && seenR.length >= 2);
    expect(seen).toEqual([3, 2, 1]);
    expect(seenR).toEqual([5, 4]);
    expect([q1, q2, q3, s1, s2]).toEqual([null, null, null, null, null]);
  });

  test('test_gc_4', async () => {
    const p = ffi.new('int *', 123);
    const seen: number[] = [];
    let q1: CData | null = ffi.gc(p, () => seen.push(1));
    const q2: CData = ffi.gc(q1, () => seen.push(2));
    let q3: CData | null = ffi.gc(q2, () => seen.push(3));
    await collect();
    expect(seen).toEqual([]);
    q1 = q3 = null; // del q1, q3: q2 remains, and has a hard ref to q1
    await collectUntil(() => seen.length >= 1);
    await collect(3); // time for a destructor that must not run (q2's, q1's) to run wrongly
    expect(seen).toEqual([3]);
    expect(ffi.typeof(q2)).toBe(ffi.typeof('int *')); // keeps q2 alive to here
    expect([q1, q3]).toEqual([null, null]);
  });

  test('test_release', () => {
    // Releasing twice must free the memory once (a double free aborts the process): run in a child
    // process. 'int[]' needs none of the module's declarations, so the child's FFI has none.
    const child = runChild(`
const { FFI } = require(LIB);
const ffi = new FFI();
const p = ffi.new('int[]', 123);
ffi.release(p);
// here, reading p[0] might give garbage or segfault...
ffi.release(p); // no effect
console.log('done');`);
    expect(child.stderr).toBe('');
    expect(ending(child)).toBe('exit 0');
    expect(child.stdout.trim()).toBe('done');
  });

  test('test_release_new_allocator', () => {
    const seen: unknown[] = [];
    const myalloc = (size: number): CData => {
      seen.push(size);
      return ffi.new('char[]', 'X'.repeat(size));
    };
    const myfree = (raw: unknown): void => {
      seen.push(raw);
    };
    const alloc2 = ffi.newAllocator({ alloc: myalloc, free: myfree });
    let p = alloc2('int[]', 15);
    // Python's seen == [15 * 4, p] compares the raw cdata given to free with p by address; p's
    // address is taken before ffi.release(p), after which p can no longer be used.
    let pAddr = addr(ffi, p);
    expect(seen).toEqual([15 * 4]);
    ffi.release(p);
    expect(seen.length).toBe(2);
    expect(seen[0]).toBe(15 * 4);
    expect(addr(ffi, seen[1])).toBe(pAddr);
    ffi.release(p); // no effect
    expect(seen.length).toBe(2);
    //
    seen.length = 0; // del seen[:]
    p = alloc2('struct ab *');
    pAddr = addr(ffi, p);
    expect(seen).toEqual([2 * 4]);
    ffi.release(p);
    expect(seen.length).toBe(2);
    expect(seen[0]).toBe(2 * 4);
    expect(addr(ffi, seen[1])).toBe(pAddr);
    ffi.release(p); // no effect
    expect(seen.length).toBe(2);
  });

  test('test_CData_CType', () => {
    // no counterpart: isinstance(ffi.cast("int", 0), ffi.CData) (a cast to a number type is a number)
    expect(ffi.new('int *')).toBeInstanceOf(ffi.CData);
    expect(ffi.typeof('int')).not.toBeInstanceOf(ffi.CData);
    expect(ffi.cast('int', 0)).not.toBeInstanceOf(ffi.CType);
    expect(ffi.new('int *')).not.toBeInstanceOf(ffi.CType);
  });

  test('test_CData_CType_2', () => {
    expect(ffi.typeof('int')).toBeInstanceOf(ffi.CType);
  });

  test('test_bool', () => {
    expect(Number(ffi.cast('_Bool', 0.1))).toBe(1);
    expect(Number(ffi.cast('_Bool', -0.0))).toBe(0);
    expect(Number(ffi.cast('_Bool', '\x02'))).toBe(1);
    expect(Number(ffi.cast('_Bool', '\x00'))).toBe(0);
    expect(Number(ffi.cast('_Bool', 0x80))).toBe(1); // b'\x80' is the char 0x80
    expect(ffi.new('_Bool *', false)[0]).toBe(false);
    expect(ffi.new('_Bool *', 1)[0]).toBe(true);
    expect(() => ffi.new('_Bool *', 2)).toThrow(RangeError);
    expect(() => ffi.string(ffi.cast('_Bool', 2))).toThrow(TypeError);
  });

  test('test_addressof', () => {
    const p = ffi.new('struct ab *');
    const a = ffi.addressof(p[0]);
    expect(String(a).startsWith("<cdata 'struct ab *' 0x")).toBe(true);
    expect(addr(ffi, a)).toBe(addr(ffi, p));
    expect(() => ffi.addressof(p)).toThrow(TypeError);
    expect(() => ffi.addressof(5 as unknown as CData)).toThrow(TypeError);
    expect(() => ffi.addressof(ffi.cast('int', 5) as unknown as CData)).toThrow(TypeError);
  });

  test('test_addressof_field', () => {
    const p = ffi.new('struct ab *');
    const b = ffi.addressof(p[0], 'b');
    expect(String(b).startsWith("<cdata 'int *' 0x")).toBe(true);
    expect(ffi.cast('uintptr_t', b)).toBe(Number(ffi.cast('uintptr_t', p)) + ffi.sizeof('int'));
    expect(addr(ffi, b)).toBe(addr(ffi, ffi.addressof(p, 'b')));
    expect(addr(ffi, b)).not.toBe(addr(ffi, ffi.addressof(p, 'a')));
  });

  test('test_addressof_field_nested', () => {
    // struct nesting { struct abc d, e; };
    const p = ffi.new('struct nesting *');
    expect(() => ffi.addressof(p[0], 'e.b')).toThrow(TypeError);
    const a = ffi.addressof(p[0], 'e', 'b');
    expect(ffi.cast('uintptr_t', a)).toBe(Number(ffi.cast('uintptr_t', p)) + ffi.sizeof('struct abc') + ffi.sizeof('int'));
  });

  test('test_addressof_anonymous_struct', () => {
    // typedef struct { int a; } anon_foo_t;
    const p = ffi.new('anon_foo_t *');
    const a = ffi.addressof(p[0]);
    expect(addr(ffi, a)).toBe(addr(ffi, p));
  });

  test('test_addressof_array', () => {
    const p = ffi.new('int[52]');
    const p0 = ffi.addressof(p);
    expect(addr(ffi, p0)).toBe(addr(ffi, p));
    expect(ffi.typeof(p0)).toBe(ffi.typeof('int(*)[52]'));
    expect(() => ffi.addressof(p0)).toThrow(TypeError);
    //
    const p1 = ffi.addressof(p, 25);
    expect(ffi.typeof(p1)).toBe(ffi.typeof('int *'));
    expect(p1.sub(p)).toBe(25);
    expect(addr(ffi, ffi.addressof(p, 0))).toBe(addr(ffi, p));
  });

  test('test_addressof_pointer', () => {
    let array = ffi.new('int[50]');
    let p = ffi.cast('int *', array)!;
    expect(() => ffi.addressof(p)).toThrow(TypeError);
    expect(addr(ffi, ffi.addressof(p, 0))).toBe(addr(ffi, p));
    expect(addr(ffi, ffi.addressof(p, 25))).toBe(addr(ffi, p.add(25)));
    expect(ffi.typeof(ffi.addressof(p, 25))).toBe(ffi.typeof(p));
    //
    array = ffi.new('struct ab[50]');
    p = ffi.cast('int *', array)!;
    expect(() => ffi.addressof(p)).toThrow(TypeError);
    expect(addr(ffi, ffi.addressof(p, 0))).toBe(addr(ffi, p));
    expect(addr(ffi, ffi.addressof(p, 25))).toBe(addr(ffi, p.add(25)));
    expect(ffi.typeof(ffi.addressof(p, 25))).toBe(ffi.typeof(p));
  });

  test('test_addressof_array_in_struct', () => {
    // struct abc50 { int a, b; int c[50]; };
    const p = ffi.new('struct abc50 *');
    const p1 = ffi.addressof(p, 'c', 25);
    expect(ffi.typeof(p1)).toBe(ffi.typeof('int *'));
    expect(addr(ffi, p1)).toBe(addr(ffi, ffi.cast('int *', p)!.add(27)));
    expect(addr(ffi, ffi.addressof(p, 'c'))).toBe(addr(ffi, ffi.cast('int *', p)!.add(2)));
    expect(addr(ffi, ffi.addressof(p, 'c', 0))).toBe(addr(ffi, ffi.cast('int *', p)!.add(2)));
    const p2 = ffi.addressof(p, 1);
    expect(ffi.typeof(p2)).toBe(ffi.typeof('struct abc50 *'));
    expect(addr(ffi, p2)).toBe(addr(ffi, p.add(1)));
  });

  test('test_multiple_independent_structs', () => {
    const CDEF2 = 'struct ab { int x; };';
    const ffi1 = new FFI();
    ffi1.cdef(CDEF2);
    ffi1.verify(CDEF2, { moduleName: 'test_multiple_independent_structs' });
    const foo1 = ffi1.new('struct ab *', [10]);
    const foo2 = ffi.new('struct ab *', [20, 30]);
    expect(foo1.x).toBe(10);
    expect(foo2.a).toBe(20);
    expect(foo2.b).toBe(30);
  });

  test('test_include_struct_union_enum_typedef', () => {
    // construction_params: CFFI's ffi1 is the builder of the module's ffi; here they are one FFI
    const ffi1 = ffi;
    const ffi2 = new FFI();
    ffi2.include(ffi1);
    ffi2.verify(CCODE, { moduleName: 'test_include_struct_union_enum_typedef' });
    //
    let p = ffi2.new('struct nonpacked *', ['A', -43141]);
    expect(p.a).toBe(0x41);
    expect(p.b).toBe(-43141);
    //
    p = ffi.new('union simple_u *', [-52525]);
    expect(p.a).toBe(-52525);
    //
    const e = ffi.cast('enum foq', 2);
    expect(ffi.string(e)).toBe('cffiCC0');
    expect(ffi2.sizeof('char[cffiCC0]')).toBe(2);
    //
    p = ffi.new('anon_foo_t *', [-52526]);
    expect(p.a).toBe(-52526);
    p = ffi.new('named_foo_p', [-52527]);
    expect(p.a).toBe(-52527);
  });

  test('test_struct_packed', () => {
    // struct nonpacked { char a; int b; };
    // struct is_packed { char a; int b; } __attribute__((packed));
    expect(ffi.sizeof('struct nonpacked')).toBe(8);
    expect(ffi.sizeof('struct is_packed')).toBe(5);
    expect(ffi.alignof('struct nonpacked')).toBe(4);
    expect(ffi.alignof('struct is_packed')).toBe(1);
    const s = ffi.new('struct is_packed[2]');
    s[0].b = 42623381;
    s[0].a = 'X';
    s[1].b = -4892220;
    s[1].a = 'Y';
    expect(s[0].b).toBe(42623381);
    expect(s[0].a).toBe(0x58);
    expect(s[1].b).toBe(-4892220);
    expect(s[1].a).toBe(0x59);
  });

  test('test_not_supported_bitfield_in_result', () => {
    // struct ints_and_bitfield { int a,b,c,d,e; int x:1; };
    // differs from CFFI: see docs/cffi-differences.md, "Bit-fields by value through `dlopen()`" (CFFI:
    // NotImplementedError, "struct ints_and_bitfield(*)(): callback with unsupported argument or return
    // type or with '...'"; node-cffi passes structs with bit-fields by value, through callbacks too)
    const cb = ffi.callback('struct ints_and_bitfield foo(void)', () => 42);
    expect(ffi.typeof(cb)).toBe(ffi.typeof('struct ints_and_bitfield(*)(void)'));
    expect(ffi.typeof(cb).cname).toBe('struct ints_and_bitfield(*)()');
  });

  test('test_inspecttype', () => {
    expect(ffi.typeof('long').kind).toBe('primitive');
    expect(ffi.typeof('long(*)(long, long**, ...)').cname).toBe('long(*)(long, long * *, ...)');
    expect((ffi.typeof('long(*)(long, long**, ...)') as unknown as { ellipsis: boolean }).ellipsis).toBe(true);
  });

  test('test_new_handle', () => {
    const o = [2, 3, 4];
    const p = ffi.newHandle(o);
    expect(ffi.typeof(p)).toBe(ffi.typeof('void *'));
    expect(ffi.fromHandle(p)).toBe(o);
    expect(ffi.fromHandle(ffi.cast('char *', p))).toBe(o);
    // RuntimeError, "cannot use from_handle() on NULL pointer": one of CFFI's own errors
    expect(() => ffi.fromHandle(ffi.NULL)).toThrow(FFIError);
  });

  test('test_struct_array_no_length', () => {
    // struct array_no_length { int x; int a[]; };
    const p = ffi.new('struct array_no_length *', [100, [200, 300, 400]]);
    expect(p.x).toBe(100);
    expect(ffi.typeof(p.a)).toBe(ffi.typeof('int[]')); // length available
    expect(p.a[0]).toBe(200);
    expect(p.a[1]).toBe(300);
    expect(p.a[2]).toBe(400);
    expect(p.a.length).toBe(3);
    expect([...p.a]).toEqual([200, 300, 400]);
    const q = ffi.cast('struct array_no_length *', p)!;
    expect(ffi.typeof(q.a)).toBe(ffi.typeof('int *')); // no length available
    expect(q.a[0]).toBe(200);
    expect(q.a[1]).toBe(300);
    expect(q.a[2]).toBe(400);
    // differs from CFFI: see docs/cffi-differences.md, "A pointer has no length: undefined" (CFFI: len(q.a) raises TypeError)
    expect(q.a.length).toBeUndefined();
    expect(() => [...q.a]).toThrow(TypeError);
  });

  test('test_all_primitives', () => {
    // no counterpart: set(PRIMITIVE_TO_INDEX) == set([...]) (the recompiler's internal table of
    // primitive types); the names it lists are the primitive types each FFI knows. (CFFI 1.15.1's
    // table spells the complex types 'float _Complex' and 'double _Complex'; node-cffi takes both
    // spellings: docs/cffi-differences.md, "Complex numbers are `{ real, imag }`".)
    const PRIMITIVES = [
      'char', 'short', 'int', 'long', 'long long', 'signed char', 'unsigned char', 'unsigned short',
      'unsigned int', 'unsigned long', 'unsigned long long', 'float', 'double', 'long double',
      'wchar_t', 'char16_t', 'char32_t', '_Bool', 'int8_t', 'uint8_t', 'int16_t', 'uint16_t',
      'int32_t', 'uint32_t', 'int64_t', 'uint64_t', 'int_least8_t', 'uint_least8_t',
      'int_least16_t', 'uint_least16_t', 'int_least32_t', 'uint_least32_t', 'int_least64_t',
      'uint_least64_t', 'int_fast8_t', 'uint_fast8_t', 'int_fast16_t', 'uint_fast16_t',
      'int_fast32_t', 'uint_fast32_t', 'int_fast64_t', 'uint_fast64_t', 'intptr_t', 'uintptr_t',
      'intmax_t', 'uintmax_t', 'ptrdiff_t', 'size_t', 'ssize_t', '_cffi_float_complex_t',
      '_cffi_double_complex_t',
    ];
    for (const name of PRIMITIVES) {
      const x = ffi.sizeof(name);
      expect([name, x >= 1 && x <= 16]).toEqual([name, true]);
    }
  });

  test('test_emit_c_code', () => {
    const ffi3 = new FFI();
    ffi3.setSource('foobar', '??');
    const cFile = path.join(udir, 'test_emit_c_code');
    ffi3.emitCCode(cFile);
    expect(fs.statSync(cFile).isFile()).toBe(true);
  });

  test('test_char16_t', () => {
    const x = ffi.new('char16_t[]', 5);
    expect(x.length).toBe(5);
    expect(ffi.sizeof(x)).toBe(10);
    x[2] = '\u1324';
    expect(x[2]).toBe('\u1324');
    const y = ffi.new('char16_t[]', '\u1234\u5678');
    expect(y.length).toBe(3);
    expect([...y]).toEqual(['\u1234', '\u5678', '\x00']);
    expect(ffi.string(y)).toBe('\u1234\u5678');
    const z = ffi.new('char16_t[]', '\u{12345}');
    expect(z.length).toBe(3);
    expect([...z]).toEqual(['\ud808', '\udf45', '\x00']);
    expect(ffi.string(z)).toBe('\u{12345}');
  });

  test('test_char32_t', () => {
    const x = ffi.new('char32_t[]', 5);
    expect(x.length).toBe(5);
    expect(ffi.sizeof(x)).toBe(20);
    x[3] = '\u{13245}';
    expect(x[3]).toBe('\u{13245}');
    const y = ffi.new('char32_t[]', '\u1234\u5678');
    expect(y.length).toBe(3);
    expect([...y]).toEqual(['\u1234', '\u5678', '\x00']);
    const z = ffi.new('char32_t[]', '\u{12345}');
    expect(z.length).toBe(2);
    expect([...z]).toEqual(['\u{12345}', '\x00']); // maybe a 2-unichars string
    expect(ffi.string(z)).toBe('\u{12345}');
  });
});
