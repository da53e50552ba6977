// CFFI's testing/cffi0/backend_tests.py: the memory model and ABI-mode behaviour, one test per CFFI test, in CFFI's order.
//
// Not ported:
//   test_none_as_null_doesnt_work: its subject is Python's None being distinct from a NULL cdata; in node-cffi null is NULL (ffi.NULL === null), so its assertions contradict each other in JavaScript
//   test_ffi_buffer_with_file: Python file objects (os.fdopen, f.write/f.readinto of a buffer)
//   test_ffi_buffer_with_io: Python file objects (io.BytesIO write/readinto)
//   test_new_struct_containing_array_varsize: CFFI skips it (py.test.skip "later?")
//   test_vararg_callback: CFFI skips it (py.test.skip "callback with '...'")
//   test_init_once_multithread: Python threads sharing one FFI object; a JavaScript FFI object lives in one thread, so concurrent init_once callers cannot exist
//
// Lines marked "no counterpart" are CFFI assertions that cannot hold under the port's mapping of
// Python to JavaScript, whatever node-cffi does: a cast to a number type is a plain
// number (no repr, ctype or size of its own), NULL is null (no "NULL cdata" distinct from None),
// a char is a number (so an integer is a char), Python's hash protocol and str/repr pair. Each
// says which rule; everything else is asserted as CFFI asserts it.
import { FFI, CDefError, FFIError, CData } from '../../lib';
import type { CField } from '../../lib';
import {
  COLLECT_ROUNDS, LITTLE_ENDIAN, SIZE_OF_INT, SIZE_OF_LONG, SIZE_OF_PTR, SIZE_OF_SHORT, SIZE_OF_WCHAR,
  addr, collect, collectUntil, js,
} from '../helpers/cffiport';

/** CFFI APIs node-cffi does not have yet, under the names node-cffi would give them (typed so the file compiles). */
interface Planned {
  include(other: FFI): void;
  initOnce<T>(fn: () => T, tag: string): T;
  CData: new (...args: never[]) => unknown;
  CType: new (...args: never[]) => unknown;
}
const planned = (ffi: FFI): FFI & Planned => ffi as unknown as FFI & Planned;

/** BackendTests._test_int_type */
function testIntType(ffi: FFI, cDecl: string, size: number, unsigned: boolean): void {
  const bits = BigInt(8 * size);
  const min = unsigned ? 0n : -(1n << (bits - 1n));
  const max = unsigned ? (1n << bits) - 1n : (1n << (bits - 1n)) - 1n;
  // Python int(x) → js(x); Python long(x) → BigInt x
  let p = ffi.cast(cDecl, js(min));
  expect(p).toBe(js(min));
  // no counterpart: assert hash(p) == hash(min) (Python's hash protocol)
  expect(Boolean(p)).toBe(Boolean(js(min)));
  expect(p).toBe(js(min));
  p = ffi.cast(cDecl, js(max));
  expect(p).toBe(js(max));
  p = ffi.cast(cDecl, max);
  expect(p).toBe(js(max));
  let q = ffi.cast(cDecl, js(min - 1n));
  // ffi.typeof(q) is ffi.typeof(p): both are cast results, which are JavaScript numbers or bigints
  expect(typeof q).toBe(typeof p);
  expect(q).toBe(js(max));
  q = ffi.cast(cDecl, min - 1n);
  expect(typeof q).toBe(typeof p);
  expect(q).toBe(js(max));
  expect(q).toBe(p);
  expect(q).toBe(p);
  // no counterpart: assert hash(q) == hash(p) (Python's hash protocol)
  const cDeclPtr = `${cDecl} *`;
  expect(() => ffi.new(cDeclPtr, js(min - 1n))).toThrow(RangeError);
  expect(() => ffi.new(cDeclPtr, js(max + 1n))).toThrow(RangeError);
  expect(() => ffi.new(cDeclPtr, min - 1n)).toThrow(RangeError);
  expect(() => ffi.new(cDeclPtr, max + 1n)).toThrow(RangeError);
  expect(ffi.new(cDeclPtr, js(min))[0]).toBe(js(min));
  expect(ffi.new(cDeclPtr, js(max))[0]).toBe(js(max));
  expect(ffi.new(cDeclPtr, min)[0]).toBe(js(min));
  expect(ffi.new(cDeclPtr, max)[0]).toBe(js(max));
}

const TYPE_REPR = (name: string): string => `<ctype '${name}'>`;

describe('backend_tests', () => {
  test('test_integer_ranges', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
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
    const ffi = new FFI();
    expect(() => ffi.new('int')).toThrow(TypeError);
    expect(() => ffi.new('int')).toThrow(/expected a pointer or array (c)?type/);
    expect(() => ffi.new('int')).toThrow("'int'");
  });

  test('test_new_single_integer', () => {
    const ffi = new FFI();
    let p = ffi.new('int *'); // similar to ffi.new("int[1]")
    expect(p[0]).toBe(0);
    p[0] = -123;
    expect(p[0]).toBe(-123);
    p = ffi.new('int *', -42);
    expect(p[0]).toBe(-42);
    expect(String(p)).toBe(`<cdata 'int *' owning ${SIZE_OF_INT} bytes>`);
  });

  test('test_new_array_no_arg', () => {
    const ffi = new FFI();
    const p = ffi.new('int[10]');
    // the object was zero-initialized:
    for (let i = 0; i < 10; i++) expect(p[i]).toBe(0);
  });

  test('test_array_indexing', () => {
    const ffi = new FFI();
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

  test('test_array_slicing', () => {
    const ffi = new FFI();
    const p = ffi.new('int[10]');
    for (let i = 0; i < 10; i++) p[i] = i;
    // p[0:3] → p.slice(0, 3)
    expect(String(p.slice(0, 3))).toBe("<cdata 'int[]' sliced length 3>");
    expect([...p.slice(0, 3)]).toEqual([0, 1, 2]);
    expect(() => p.slice(0, 11)).toThrow(RangeError);
  });

  test('test_new_array_args', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
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
    const ffi = new FFI();
    const n = ffi.new('int *', 24);
    const a = ffi.new('int *[10]', [ffi.NULL, ffi.NULL, n, n, ffi.NULL]);
    for (let i = 0; i < 10; i++) {
      if (i !== 2 && i !== 3) expect(a[i]).toBe(ffi.NULL);
    }
    expect(addr(ffi, a[2])).toBe(addr(ffi, a[3]));
    expect(addr(ffi, a[3])).toBe(addr(ffi, n));
  });

  test('test_cannot_cast', () => {
    const ffi = new FFI();
    const a = ffi.new('short int[10]');
    expect(() => ffi.new('long int **', a)).toThrow(TypeError);
    expect(() => ffi.new('long int **', a)).toThrow("'short[10]'");
    expect(() => ffi.new('long int **', a)).toThrow("'long *'");
  });

  test('test_new_pointer_to_array', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
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
    const ffi = new FFI();
    ffi.cdef('struct foo { short a, b, c; };');
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
    p = ffi.new('struct foo *');
    expect(String(p)).toBe(`<cdata 'struct foo *' owning ${3 * SIZE_OF_SHORT} bytes>`);
    expect(String(ffi.typeof(p))).toBe(TYPE_REPR('struct foo *'));
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
    p = ffi.new('struct foo*');
    q = ffi.cast('struct foo *', p)!;
    expect(String(q).startsWith("<cdata 'struct foo *' 0x")).toBe(true);
    expect(String(ffi.typeof(q))).toBe(TYPE_REPR('struct foo *'));
    const prevrepr = String(q);
    q = q[0];
    expect(String(q)).toBe(prevrepr.replace(' *', ' &'));
    expect(String(ffi.typeof(q))).toBe(TYPE_REPR('struct foo'));
  });

  test('test_new_array_of_array', () => {
    const ffi = new FFI();
    const p = ffi.new('int[3][4]');
    p[0][0] = 10;
    p[2][3] = 33;
    expect(p[0][0]).toBe(10);
    expect(p[2][3]).toBe(33);
    expect(() => p[1][-1]).toThrow(RangeError);
  });

  test('test_constructor_array_of_array', () => {
    const ffi = new FFI();
    const p = ffi.new('int[3][2]', [[10, 11], [12, 13], [14, 15]]);
    expect(p[2][1]).toBe(15);
  });

  test('test_new_array_of_pointer_1', () => {
    const ffi = new FFI();
    const n = ffi.new('int*', 99);
    const p = ffi.new('int*[4]');
    p[3] = n;
    const a = p[3];
    expect(String(a).startsWith("<cdata 'int *' 0x")).toBe(true);
    expect(a[0]).toBe(99);
  });

  test('test_new_array_of_pointer_2', () => {
    const ffi = new FFI();
    const n = ffi.new('int[1]', [99]);
    const p = ffi.new('int*[4]');
    p[3] = n;
    const a = p[3];
    expect(String(a).startsWith("<cdata 'int *' 0x")).toBe(true);
    expect(a[0]).toBe(99);
  });

  test('test_char', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
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
    const ffi = new FFI();
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
    const ffi = new FFI();
    ffi.cdef('struct foo { int a; short b, c; };');
    let s = ffi.new('struct foo*');
    expect(s.a).toBe(0);
    expect(s.b).toBe(0);
    expect(s.c).toBe(0);
    s.b = -23;
    expect(s.b).toBe(-23);
    expect(() => { s.b = 32768; }).toThrow(RangeError);
    //
    s = ffi.new('struct foo*', [-2, -3]);
    expect(s.a).toBe(-2);
    expect(s.b).toBe(-3);
    expect(s.c).toBe(0);
    // differs from CFFI: see docs/cffi-differences.md, "Deleting a field or an item changes nothing" (CFFI: TypeError)
    delete s.a;
    expect(s.a).toBe(-2);
    expect(String(s)).toBe(`<cdata 'struct foo *' owning ${SIZE_OF_INT + 2 * SIZE_OF_SHORT} bytes>`);
    //
    expect(() => ffi.new('struct foo*', [1, 2, 3, 4])).toThrow(RangeError);
  });

  test('test_constructor_struct_from_dict', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo { int a; short b, c; };');
    const s = ffi.new('struct foo*', { b: 123, c: 456 });
    expect(s.a).toBe(0);
    expect(s.b).toBe(123);
    expect(s.c).toBe(456);
    expect(() => ffi.new('struct foo*', { d: 456 })).toThrow(TypeError);
  });

  test('test_struct_pointer', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo { int a; short b, c; };');
    const s = ffi.new('struct foo*');
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
    const ffi = new FFI();
    // differs from CFFI: see docs/cffi-differences.md, "A type without a size: one error, `FFIError`" (CFFI: TypeError)
    expect(() => ffi.new('struct baz*')).toThrow(FFIError);
    expect(() => ffi.new('struct baz*')).toThrow(/'struct baz' is declared but never defined/);
    const p = ffi.new('struct baz **'); // this works
    expect(p[0]).toBe(ffi.NULL);
  });

  test('test_pointer_to_struct', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo { int a; short b, c; };');
    const s = ffi.new('struct foo *');
    s.a = -42;
    expect(s[0].a).toBe(-42);
    const p = ffi.new('struct foo **', s);
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
    const ffi = new FFI();
    ffi.cdef('struct foo { int a[2]; char b[3]; };');
    const s = ffi.new('struct foo *', [[10, 11], ['a', 'b', 'c']]);
    expect(s.a[1]).toBe(11);
    expect(s.b[2]).toBe(0x63);
    s.b[1] = 'X';
    expect(s.b[0]).toBe(0x61);
    expect(s.b[1]).toBe(0x58);
    expect(s.b[2]).toBe(0x63);
  });

  test('test_recursive_struct', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo { int value; struct foo *next; };');
    const s = ffi.new('struct foo*');
    const t = ffi.new('struct foo*');
    s.value = 123;
    s.next = t;
    t.value = 456;
    expect(s.value).toBe(123);
    expect(s.next.value).toBe(456);
  });

  test('test_union_simple', () => {
    const ffi = new FFI();
    ffi.cdef('union foo { int a; short b, c; };');
    let u = ffi.new('union foo*');
    expect(u.a).toBe(0);
    expect(u.b).toBe(0);
    expect(u.c).toBe(0);
    u.b = -23;
    expect(u.b).toBe(-23);
    expect(u.a).not.toBe(0);
    expect(() => { u.b = 32768; }).toThrow(RangeError);
    //
    u = ffi.new('union foo*', [-2]);
    expect(u.a).toBe(-2);
    // differs from CFFI: see docs/cffi-differences.md, "Deleting a field or an item changes nothing" (CFFI: TypeError)
    delete u.a;
    expect(u.a).toBe(-2);
    expect(String(u)).toBe(`<cdata 'union foo *' owning ${SIZE_OF_INT} bytes>`);
  });

  test('test_union_opaque', () => {
    const ffi = new FFI();
    // differs from CFFI: see docs/cffi-differences.md, "A type without a size: one error, `FFIError`" (CFFI: TypeError)
    expect(() => ffi.new('union baz *')).toThrow(FFIError);
    expect(() => ffi.new('union baz *')).toThrow(/'union baz' is declared but never defined/);
    const u = ffi.new('union baz **'); // this works
    expect(u[0]).toBe(ffi.NULL);
  });

  test('test_union_initializer', () => {
    const ffi = new FFI();
    ffi.cdef('union foo { char a; int b; };');
    expect(() => ffi.new('union foo*', 'A')).toThrow(TypeError);
    expect(() => ffi.new('union foo*', 5)).toThrow(TypeError);
    expect(() => ffi.new('union foo*', ['A', 5])).toThrow(RangeError);
    let u = ffi.new('union foo*', ['A']);
    expect(u.a).toBe(0x41);
    // differs from CFFI: see docs/cffi-differences.md, "A char is its byte value" (CFFI: TypeError, an int is not a char)
    expect(() => ffi.new('union foo*', [1005])).toThrow(RangeError);
    u = ffi.new('union foo*', { b: 12345 });
    expect(u.b).toBe(12345);
    u = ffi.new('union foo*', []);
    expect(u.a).toBe(0x00);
    expect(u.b).toBe(0);
  });

  test('test_sizeof_type', () => {
    const ffi = new FFI();
    ffi.cdef(`
            struct foo { int a; short b, c, d; };
            union foo { int a; short b, c, d; };
        `);
    const cases: [string, number][] = [
      ['char', 1], ['unsigned int', 4], ['char *', SIZE_OF_PTR], ['int[5]', 20], ['struct foo', 12], ['union foo', 4],
    ];
    for (const [cType, expectedSize] of cases) {
      const size = ffi.sizeof(cType);
      expect([cType, size]).toEqual([cType, expectedSize]);
    }
  });

  test('test_sizeof_cdata', () => {
    const ffi = new FFI();
    expect(ffi.sizeof(ffi.new('short*'))).toBe(SIZE_OF_PTR);
    // no counterpart: ffi.sizeof(ffi.cast("short", 123)) == SIZE_OF_SHORT (a cast to a number type is a number)
    //
    const a = ffi.new('int[]', [10, 11, 12, 13, 14]);
    expect(a.length).toBe(5);
    expect(ffi.sizeof(a)).toBe(5 * SIZE_OF_INT);
  });

  test('test_string_from_char_pointer', () => {
    const ffi = new FFI();
    const x = ffi.new('char*', 'x');
    // no counterpart: assert str(x) == repr(x) (both are String(x))
    expect(ffi.string(x)).toBe('x');
    expect(ffi.string(ffi.new('char*', '\x00'))).toBe('');
    expect(() => ffi.new('char*', 'foo')).toThrow(TypeError);
  });

  test('test_unicode_from_wchar_pointer', () => {
    const ffi = new FFI();
    const x = ffi.new('wchar_t*', 'x');
    // no counterpart: assert unicode(x) == unicode(repr(x)) (both are String(x))
    expect(ffi.string(x)).toBe('x');
    expect(ffi.string(ffi.new('wchar_t*', '\x00'))).toBe('');
  });

  test('test_string_from_char_array', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
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
    // 'const' is ignored so far
    const ffi = new FFI();
    ffi.cdef('struct foo { const char *name; };');
    const t = ffi.new('const char[]', 'testing');
    const s = ffi.new('struct foo*', [t]);
    expect(typeof s.name).not.toBe('string');
    expect(Buffer.isBuffer(s.name)).toBe(false);
    expect(ffi.string(s.name)).toBe('testing');
    // no counterpart: pytest.raises(TypeError): s.name = None (NULL is null)
    s.name = ffi.NULL;
    expect(s.name).toBe(ffi.NULL);
  });

  test('test_fetch_const_wchar_p_field', () => {
    // 'const' is ignored so far
    const ffi = new FFI();
    ffi.cdef('struct foo { const wchar_t *name; };');
    const t = ffi.new('const wchar_t[]', 'testing');
    const s = ffi.new('struct foo*', [t]);
    expect(typeof s.name).not.toBe('string');
    expect(Buffer.isBuffer(s.name)).toBe(false);
    expect(ffi.string(s.name)).toBe('testing');
    s.name = ffi.NULL;
    expect(s.name).toBe(ffi.NULL);
  });

  test('test_voidp', () => {
    const ffi = new FFI();
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
    ffi.cdef('struct foo { void *p; int *q; short *r; };');
    const s = ffi.new('struct foo *');
    s.p = a; // works
    s.q = a; // works
    expect(() => { s.r = a; }).toThrow(TypeError); // fails
    const b = ffi.cast('int *', a);
    s.p = b; // works
    s.q = b; // works
    expect(() => { s.r = b; }).toThrow(TypeError); // fails
  });

  test('test_functionptr_simple', () => {
    const ffi = new FFI();
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
    const pp = ffi.new('int(**)(int)', p);
    expect(String(pp)).toBe(`<cdata 'int(* *)(int)' owning ${SIZE_OF_PTR} bytes>`);
    expect(() => (pp as unknown as (n: number) => number)(43)).toThrow(TypeError);
    res = pp[0](43);
    expect(res).toBe(44);
    const q = ffi.cast('int(*)(int)', p)!;
    expect(String(q).startsWith("<cdata 'int(*)(int)' 0x")).toBe(true);
    res = q(45);
    expect(res).toBe(46);
  });

  test('test_functionptr_advanced', () => {
    const ffi = new FFI();
    const t = ffi.typeof('int(*(*)(int))(int)');
    expect(String(t)).toBe(TYPE_REPR('int(*(*)(int))(int)'));
  });

  test('test_functionptr_voidptr_return', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
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
    const ffi = new FFI();
    function foo(): void {}
    const fooCb = ffi.callback('void foo()', foo);
    const result = fooCb();
    expect(result).toBeUndefined(); // a void result: JavaScript's "no value"
  });

  test('test_char_cast', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
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
    const ffi = new FFI();
    const a = ffi.new('short int[]', [0x1234, 0x5678]);
    const p = ffi.cast('char*', a)!;
    const data = Buffer.from([0, 1, 2, 3].map((i) => p[i]));
    if (LITTLE_ENDIAN) expect(data).toEqual(Buffer.from([0x34, 0x12, 0x78, 0x56]));
    else expect(data).toEqual(Buffer.from([0x12, 0x34, 0x56, 0x78]));
  });

  test('test_cast_between_pointers', () => {
    const ffi = new FFI();
    const a = ffi.new('short int[]', [0x1234, 0x5678]);
    const p = ffi.cast('short*', a);
    const p2 = ffi.cast('int*', p);
    const q = ffi.cast('char*', p2)!;
    const data = Buffer.from([0, 1, 2, 3].map((i) => q[i]));
    if (LITTLE_ENDIAN) expect(data).toEqual(Buffer.from([0x34, 0x12, 0x78, 0x56]));
    else expect(data).toEqual(Buffer.from([0x12, 0x34, 0x56, 0x78]));
  });

  test('test_cast_pointer_and_int', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
    const a = ffi.callback('int(*)(int)', (n: number) => n + 1);
    const p = ffi.cast('void *', a);
    expect(p !== null).toBe(true);
    const b = ffi.cast('int(*)(int)', p)!;
    expect(b(41)).toBe(42);
    expect(addr(ffi, a)).toBe(addr(ffi, b));
    // no counterpart: assert hash(a) == hash(b) (Python's hash protocol)
  });

  test('test_callback_crash', () => {
    const ffi = new FFI();
    const cb = (_n: number): number => {
      throw new Error();
    };
    const a = ffi.callback('int(*)(int)', cb, { error: 42 });
    const res = a(1); // and the error reported to stderr
    expect(res).toBe(42);
  });

  test('test_structptr_argument', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int a, b; };');
    const cb = (p: CData): number => p[0].a * 1000 + p[0].b * 100 + p[1].a * 10 + p[1].b;
    const a = ffi.callback('int(*)(struct foo_s[])', cb);
    let res = a([[5, 6], { a: 7, b: 8 }]);
    expect(res).toBe(5678);
    res = a([[5], { b: 8 }]);
    expect(res).toBe(5008);
  });

  test('test_array_argument_as_list', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int a, b; };');
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
    const ffi = new FFI();
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
    const ffi = new FFI();
    ffi.cdef('enum foo { A0, B0, CC0, D0 };');
    expect(ffi.string(ffi.cast('enum foo', 0))).toBe('A0');
    expect(ffi.string(ffi.cast('enum foo', 2))).toBe('CC0');
    expect(ffi.string(ffi.cast('enum foo', 3))).toBe('D0');
    expect(ffi.string(ffi.cast('enum foo', 4))).toBe('4');
    ffi.cdef('enum bar { A1, B1=-2, CC1, D1, E1 };');
    expect(ffi.string(ffi.cast('enum bar', 0))).toBe('A1');
    expect(ffi.string(ffi.cast('enum bar', -2))).toBe('B1');
    expect(ffi.string(ffi.cast('enum bar', -1))).toBe('CC1');
    expect(ffi.string(ffi.cast('enum bar', 1))).toBe('E1');
    expect(ffi.cast('enum bar', -2).value).toBe(ffi.cast('enum bar', -2).value);
    expect(ffi.cast('enum foo', 0).value).toBe(ffi.cast('enum bar', 0).value);
    expect(ffi.cast('enum bar', 0).value).toBe(ffi.cast('int', 0));
    expect(String(ffi.cast('enum bar', -1))).toBe("<cdata 'enum bar' -1: CC1>");
    expect(String(ffi.cast('enum foo', -1))).toBe("<cdata 'enum foo' 4294967295>"); // enums are unsigned, if they contain no neg value
    ffi.cdef('enum baz { A2=0x1000, B2=0x2000 };');
    expect(ffi.string(ffi.cast('enum baz', 0x1000))).toBe('A2');
    expect(ffi.string(ffi.cast('enum baz', 0x2000))).toBe('B2');
  });

  test('test_enum_in_struct', () => {
    const ffi = new FFI();
    ffi.cdef('enum foo { A, B, C, D }; struct bar { enum foo e; };');
    const s = ffi.new('struct bar *');
    s.e = 0;
    expect(s.e).toBe(0);
    s.e = 3;
    expect(s.e).toBe(3);
    expect(s[0].e).toBe(3);
    s[0].e = 2;
    expect(s.e).toBe(2);
    expect(s[0].e).toBe(2);
    s.e = ffi.cast('enum foo', -1);
    expect(s.e).toBe(4294967295);
    expect(s[0].e).toBe(4294967295);
    s.e = s.e; // eslint-disable-line no-self-assign
    // differs from CFFI: see docs/cffi-differences.md, "Enums take enumerator names" (CFFI: TypeError)
    s.e = 'B';
    expect(s.e).toBe(1);
    expect(() => { s.e = '2'; }).toThrow(TypeError);
    expect(() => { s.e = '#2'; }).toThrow(TypeError);
    expect(() => { s.e = '#7'; }).toThrow(TypeError);
  });

  test('test_enum_non_contiguous', () => {
    const ffi = new FFI();
    ffi.cdef('enum foo { A, B=42, C };');
    expect(ffi.string(ffi.cast('enum foo', 0))).toBe('A');
    expect(ffi.string(ffi.cast('enum foo', 42))).toBe('B');
    expect(ffi.string(ffi.cast('enum foo', 43))).toBe('C');
    const invalidValue = ffi.cast('enum foo', 2);
    expect(invalidValue.value).toBe(2);
    expect(ffi.string(invalidValue)).toBe('2');
  });

  test('test_enum_char_hex_oct', () => {
    const ffi = new FFI();
    ffi.cdef("enum foo{A='!', B='\\'', C=0x10, D=010, E=- 0x10, F=-010};");
    expect(ffi.string(ffi.cast('enum foo', '!'.charCodeAt(0)))).toBe('A');
    expect(ffi.string(ffi.cast('enum foo', "'".charCodeAt(0)))).toBe('B');
    expect(ffi.string(ffi.cast('enum foo', 16))).toBe('C');
    expect(ffi.string(ffi.cast('enum foo', 8))).toBe('D');
    expect(ffi.string(ffi.cast('enum foo', -16))).toBe('E');
    expect(ffi.string(ffi.cast('enum foo', -8))).toBe('F');
  });

  test('test_enum_partial', () => {
    const ffi = new FFI();
    ffi.cdef('enum foo {A, ...}; enum bar { B, C };');
    const lib = ffi.dlopen(null) as Record<string, unknown>;
    expect(lib.B).toBe(0);
    expect(() => lib.A).toThrow(FFIError); // VerificationMissing: known only once verify() compiles it
    expect(lib.C).toBe(1);
  });

  test('test_array_of_struct', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo { int a, b; };');
    const s = ffi.new('struct foo[1]');
    expect(() => s.b).toThrow(TypeError);
    expect(() => { s.b = 412; }).toThrow(TypeError);
    s[0].b = 412;
    expect(s[0].b).toBe(412);
    expect(() => s[1]).toThrow(RangeError);
  });

  test('test_pointer_to_array', () => {
    const ffi = new FFI();
    const p = ffi.new('int(**)[5]');
    expect(String(p)).toBe(`<cdata 'int(* *)[5]' owning ${SIZE_OF_PTR} bytes>`);
  });

  test('test_iterate_array', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
    ffi.cdef('struct foo { int a, b, c; };');
    expect(ffi.offsetof('struct foo', 'a')).toBe(0);
    expect(ffi.offsetof('struct foo', 'b')).toBe(4);
    expect(ffi.offsetof('struct foo', 'c')).toBe(8);
  });

  test('test_offsetof_nested', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo { int a, b, c; };' + 'struct bar { struct foo d, e; };');
    expect(ffi.offsetof('struct bar', 'e')).toBe(12);
    expect(() => ffi.offsetof('struct bar', 'e.a')).toThrow(TypeError);
    expect(ffi.offsetof('struct bar', 'e', 'a')).toBe(12);
    expect(ffi.offsetof('struct bar', 'e', 'b')).toBe(16);
    expect(ffi.offsetof('struct bar', 'e', 'c')).toBe(20);
  });

  test('test_offsetof_array', () => {
    const ffi = new FFI();
    expect(ffi.offsetof('int[]', 51)).toBe(51 * ffi.sizeof('int'));
    expect(ffi.offsetof('int *', 51)).toBe(51 * ffi.sizeof('int'));
    ffi.cdef('struct bar { int a, b; int c[99]; };');
    expect(ffi.offsetof('struct bar', 'c')).toBe(2 * ffi.sizeof('int'));
    expect(ffi.offsetof('struct bar', 'c', 0)).toBe(2 * ffi.sizeof('int'));
    expect(ffi.offsetof('struct bar', 'c', 51)).toBe(53 * ffi.sizeof('int'));
  });

  test('test_alignof', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo { char a; short b; char c; };');
    expect(ffi.alignof('int')).toBe(4);
    expect([4, 8]).toContain(ffi.alignof('double'));
    expect(ffi.alignof('struct foo')).toBe(2);
  });

  test('test_bitfield', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo { int a:10, b:20, c:3; };');
    expect(ffi.sizeof('struct foo')).toBe(8);
    const s = ffi.new('struct foo *');
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
    const ffi = new FFI();
    ffi.cdef(`
            typedef enum { AA, BB, CC } foo_e;
            typedef struct { foo_e f:2; } foo_s;
        `);
    const s = ffi.new('foo_s *');
    s.f = 2;
    expect(s.f).toBe(2);
  });

  test('test_anonymous_struct', () => {
    const ffi = new FFI();
    ffi.cdef('typedef struct { int a; } foo_t;');
    ffi.cdef('typedef struct { char b, c; } bar_t;');
    const f = ffi.new('foo_t *', [12345]);
    const b = ffi.new('bar_t *', ['B', 'C']);
    expect(f.a).toBe(12345);
    expect(b.b).toBe(0x42);
    expect(b.c).toBe(0x43);
    expect(String(b).startsWith("<cdata 'bar_t *'")).toBe(true);
  });

  test('test_struct_with_two_usages', () => {
    for (const name of ['foo_s', '']) { // anonymous or not
      const ffi = new FFI();
      ffi.cdef(`typedef struct ${name} { int a; } foo_t, *foo_p;`);
      const f = ffi.new('foo_t *', [12345]);
      ffi.new('foo_p[]', [f]);
    }
  });

  test('test_pointer_arithmetic', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
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
    const ffi = new FFI();
    const x = ffi.cast('int', 123);
    const y = ffi.cast('int', 456);
    expect(x < y).toBe(true);
    //
    const z = ffi.cast('double', 78.9);
    expect(x > z).toBe(true);
    expect(y > z).toBe(true);
  });

  test('test_ffi_buffer_ptr', () => {
    const ffi = new FFI();
    const a = ffi.new('short *', 100);
    const b = ffi.buffer(a);
    expect(Buffer.isBuffer(b)).toBe(true); // type(b) is ffi.buffer
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
    const ffi = new FFI();
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
    const ffi = new FFI();
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
    const ffi = new FFI();
    const a1 = ffi.new('int[]', Array.from({ length: 10 }, (_, i) => 100 + i));
    const a2 = ffi.new('int[]', Array.from({ length: 15 }, (_, i) => 100 + i));
    ffi.buffer(a1);
    expect(Buffer.from(ffi.buffer(a1))).toEqual(Buffer.from(ffi.buffer(a2, 4 * 10)));
  });

  test('test_ffi_buffer_comparisons', () => {
    const ffi = new FFI();
    const ba = Buffer.from(Array.from({ length: 10 }, (_, i) => 100 + i)); // bytearray(range(100, 110))
    // no counterpart: assert ba == memoryview(ba) (Python's memoryview)
    const a = ffi.new('uint8_t[]', [...ba]);
    const c = ffi.new('uint8_t[]', [99, ...ba]);
    const bFull = ffi.buffer(a);
    const bShort = ffi.buffer(a, 3);
    const bMid = ffi.buffer(a, 6);
    const bOther = ffi.buffer(c, 6);
    const content = Buffer.from(bFull); // b_full[:]
    // Python compares buffers as byte strings: Buffer.compare
    expect(Buffer.compare(content, bFull)).toBe(0);
    expect(Buffer.compare(bFull, ba)).toBe(0);
    expect(Buffer.compare(bOther, bShort)).toBeLessThan(0);
    expect(Buffer.compare(bShort, bMid)).toBeLessThan(0);
    expect(Buffer.compare(bMid, bFull)).toBeLessThan(0);
    expect(Buffer.compare(ba, bMid)).toBeGreaterThan(0);
    expect(Buffer.compare(bMid, ba.subarray(0, 2))).toBeGreaterThan(0);
    expect(Buffer.compare(bShort, ba.subarray(1, 4))).not.toBe(0);
  });

  test('test_array_in_struct', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int len; short data[5]; };');
    const p = ffi.new('struct foo_s *');
    p.data[3] = 5;
    expect(p.data[3]).toBe(5);
    expect(String(p.data).startsWith("<cdata 'short[5]' 0x")).toBe(true);
  });

  test('test_struct_containing_array_varsize_workaround', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int len; short data[0]; };');
    const p = ffi.new('char[]', ffi.sizeof('struct foo_s') + 7 * SIZE_OF_SHORT);
    const q = ffi.cast('struct foo_s *', p)!;
    expect(q.len).toBe(0);
    // 'q.data' gets not a 'short[0]', but just a 'short *' instead
    expect(String(q.data).startsWith("<cdata 'short *' 0x")).toBe(true);
    expect(q.data[6]).toBe(0);
    q.data[6] = 15;
    expect(q.data[6]).toBe(15);
  });

  test('test_ffi_typeof_getcname', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
    let f = ffi.cast('int(*)(int)', 42);
    expect(f).not.toBe(ffi.NULL);
    expect(() => ffi.cast('int(int)', 42)).toThrow(CDefError);
    expect(() => ffi.new('int([5])(int)')).toThrow(CDefError);
    let a = ffi.new('int(*[5])(int)', [f]);
    expect(ffi.getctype(ffi.typeof(a))).toBe('int(*[5])(int)');
    expect(a.length).toBe(5);
    expect(addr(ffi, a[0])).toBe(addr(ffi, f));
    expect(a[1]).toBe(ffi.NULL);
    // differs from CFFI: see docs/cffi-differences.md, "A type string that is no C type is a CDefError"
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
    const ffi = new FFI();
    const f = ffi.callback('char cb(char, char)', (a: number, b: number) => a + b); // chr(ord(a) + ord(b))
    expect(f('A', '\x01')).toBe(0x42);
    const g = ffi.callback('char g(char cb(char, char))', (callback: (a: string, b: string) => number) => callback('A', '\x01'));
    expect(g(f)).toBe(0x42);
  });

  test('test_callback_decorator', () => {
    const ffi = new FFI();
    //
    // Python's a - b has no overflow: BigInt arithmetic, so that the result (not the arithmetic) overflows 'long'
    const cb = ffi.callback('long(long, long)', (a: number | bigint, b: number | bigint) => BigInt(a) - BigInt(b), { error: 42 });
    //
    expect(cb(-100, -10)).toBe(-90);
    const sz = ffi.sizeof('long');
    expect(cb((1n << BigInt(sz * 8 - 1)) - 1n, -10)).toBe(42);
  });

  test('test_unique_types', () => {
    const ffi1 = new FFI();
    const ffi2 = new FFI();
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
    expect(ffi1.typeof('struct foo')).not.toBe(ffi2.typeof('struct foo'));
    expect(ffi1.typeof('union foo *')).not.toBe(ffi2.typeof('union foo*'));
    // the following test is an opaque enum, which we no longer support
    // assert ffi1.typeof("enum foo") is not ffi2.typeof("enum foo")
    // sanity check: twice 'ffi1'
    expect(ffi1.typeof('struct foo*')).toBe(ffi1.typeof('struct foo *'));
  });

  test('test_anonymous_enum', () => {
    const ffi = new FFI();
    ffi.cdef('typedef enum { Value0 = 0 } e, *pe;\n' + 'typedef enum { Value1 = 1 } e1;');
    expect(ffi.getctype('e*')).toBe('e *');
    expect(ffi.getctype('pe')).toBe('e *');
    expect(ffi.getctype('e1*')).toBe('e1 *');
  });

  test('test_opaque_enum', () => {
    const ffi = new FFI();
    ffi.cdef('enum foo;');
    // warnings.catch_warnings(record=True): jest's sandbox does not deliver 'warning' events to
    // process.on listeners, so the test records the process.emitWarning calls that raise them.
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    let log: string[];
    try {
      const n = ffi.cast('enum foo', -1);
      expect(n.value).toBe(0xffffffff);
    } finally {
      log = spy.mock.calls.map((c) => String(c[0]));
      spy.mockRestore();
    }
    expect(log.length).toBeGreaterThan(0);
    expect(log[0]).toContain("'enum foo' has no values explicitly defined");
    expect(log[0]).toContain("'unsigned int'");
  });

  test('test_new_ctype', () => {
    const ffi = new FFI();
    let p = ffi.new('int *');
    expect(() => ffi.new(p as unknown as string)).toThrow(TypeError);
    p = ffi.new(ffi.typeof('int *'), 42);
    expect(p[0]).toBe(42);
  });

  test('test_enum_with_non_injective_mapping', () => {
    const ffi = new FFI();
    ffi.cdef('enum e { AA=0, BB=0, CC=0, DD=0 };');
    const e = ffi.cast('enum e', 0);
    expect(ffi.string(e)).toBe('AA'); // pick the first one arbitrarily
  });

  test('test_enum_refer_previous_enum_value', () => {
    const ffi = new FFI();
    ffi.cdef('enum e { AA, BB=2, CC=4, DD=BB, EE, FF=CC, GG=FF };');
    expect(ffi.string(ffi.cast('enum e', 2))).toBe('BB');
    expect(ffi.string(ffi.cast('enum e', 3))).toBe('EE');
    expect(ffi.sizeof('char[DD]')).toBe(2);
    expect(ffi.sizeof('char[EE]')).toBe(3);
    expect(ffi.sizeof('char[FF]')).toBe(4);
    expect(ffi.sizeof('char[GG]')).toBe(4);
  });

  test('test_nested_anonymous_struct', () => {
    const ffi = new FFI();
    ffi.cdef(`
            struct foo_s {
                struct { int a, b; };
                union { int c, d; };
            };
        `);
    expect(ffi.sizeof('struct foo_s')).toBe(3 * SIZE_OF_INT);
    let p = ffi.new('struct foo_s *', [1, 2, 3]);
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
    p = ffi.new('struct foo_s *', { b: 12, d: 14 });
    expect(p.a).toBe(0);
    expect(p.b).toBe(12);
    expect(p.c).toBe(14);
    expect(p.d).toBe(14);
    expect(() => ffi.new('struct foo_s *', [0, 0, 0, 0])).toThrow(RangeError);
  });

  test('test_nested_field_offset_align', () => {
    const ffi = new FFI();
    ffi.cdef(`
            struct foo_s {
                struct { int a; char b; };
                union { char c; };
            };
        `);
    expect(ffi.offsetof('struct foo_s', 'c')).toBe(2 * SIZE_OF_INT);
    expect(ffi.sizeof('struct foo_s')).toBe(3 * SIZE_OF_INT);
  });

  test('test_nested_anonymous_union', () => {
    const ffi = new FFI();
    ffi.cdef(`
            union foo_u {
                struct { int a, b; };
                union { int c, d; };
            };
        `);
    expect(ffi.sizeof('union foo_u')).toBe(2 * SIZE_OF_INT);
    let p = ffi.new('union foo_u *', [5]);
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
    p = ffi.new('union foo_u *', { d: 14 });
    expect(p.a).toBe(14);
    expect(p.b).toBe(0);
    expect(p.c).toBe(14);
    expect(p.d).toBe(14);
    p = ffi.new('union foo_u *', { a: -63, b: 12 });
    expect(p.a).toBe(-63);
    expect(p.b).toBe(12);
    expect(p.c).toBe(-63);
    expect(p.d).toBe(-63);
    p = ffi.new('union foo_u *', [123, 456]);
    expect(p.a).toBe(123);
    expect(p.b).toBe(456);
    expect(p.c).toBe(123);
    expect(p.d).toBe(123);
    expect(() => ffi.new('union foo_u *', [0, 0, 0])).toThrow(RangeError);
  });

  test('test_nested_anonymous_struct_2', () => {
    const ffi = new FFI();
    ffi.cdef(`
            struct foo_s {
                int a;
                union { int b; union { int c, d; }; };
                int e;
            };
        `);
    expect(ffi.sizeof('struct foo_s')).toBe(3 * SIZE_OF_INT);
    const p = ffi.new('struct foo_s *', [11, 22, 33]);
    expect(p.a).toBe(11);
    expect(p.b).toBe(22);
    expect(p.c).toBe(22);
    expect(p.d).toBe(22);
    expect(p.e).toBe(33);
    expect(() => ffi.new('struct foo_s *', [11, 22, 33, 44])).toThrow(RangeError);
    const FOO = ffi.typeof('struct foo_s') as { fields: readonly (CField & { flags?: number })[] };
    const fields = FOO.fields.map((fld) => [fld.name, fld.offset, fld.flags]);
    expect(fields).toEqual([
      ['a', 0 * SIZE_OF_INT, 0],
      ['b', 1 * SIZE_OF_INT, 0],
      ['c', 1 * SIZE_OF_INT, 1],
      ['d', 1 * SIZE_OF_INT, 1],
      ['e', 2 * SIZE_OF_INT, 0],
    ]);
  });

  test('test_cast_to_array_type', () => {
    const ffi = new FFI();
    const p = ffi.new('int[4]', [-5]);
    const q = ffi.cast('int[3]', p);
    expect(q[0]).toBe(-5);
    expect(String(q).startsWith("<cdata 'int[3]' 0x")).toBe(true);
  });

  test('test_gc', async () => {
    const ffi = new FFI();
    const p = ffi.new('int *', 123);
    const seen: number[] = [];
    const checks: [boolean, number][] = [];
    const destructor = (p1: CData): void => {
      checks.push([p1 === p, p1[0]]); // assert p1 is p; assert p1[0] == 123
      seen.push(1);
    };
    let q: CData | null = ffi.gc(p, destructor);
    expect(ffi.typeof(q)).toBe(ffi.typeof(p));
    await collect();
    expect(seen).toEqual([]);
    q = null; // del q
    await collectUntil(() => seen.length >= 1);
    expect(seen).toEqual([1]);
    expect(checks).toEqual([[true, 123]]);
  });

  test('test_gc_2', async () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
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
    const ffi = new FFI();
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

  test('test_gc_disable', async () => {
    const ffi = new FFI();
    const p = ffi.new('int *', 123);
    expect(() => ffi.gc(p, null)).toThrow(TypeError);
    const seen: number[] = [];
    let q1: CData | null = ffi.gc(p, () => seen.push(1));
    let q2: CData | null = ffi.gc(q1, () => seen.push(2));
    await collect();
    expect(seen).toEqual([]);
    expect(ffi.gc(q1, null)).toBeUndefined(); // returns None: no value
    q1 = q2 = null; // del q1, q2
    await collectUntil(() => seen.length >= 1);
    await collect(3); // time for the removed destructor to run wrongly
    expect(seen).toEqual([2]);
    expect([q1, q2]).toEqual([null, null]);
  });

  test('test_gc_finite_list', async () => {
    const ffi = new FFI();
    const p = ffi.new('int *', 123);
    const keepalive: CData[] = [];
    for (let i = 0; i < 10; i++) keepalive.push(ffi.gc(p, () => undefined));
    keepalive.length = 0; // del keepalive[:]
    await collect(2);
    for (let i = 0; i < 10; i++) keepalive.push(ffi.gc(p, () => undefined));
    expect(keepalive.length).toBe(10);
  });

  test('test_CData_CType', () => {
    const ffi = planned(new FFI());
    // no counterpart: isinstance(ffi.cast("int", 0), ffi.CData) (a cast to a number type is a number)
    expect(ffi.new('int *')).toBeInstanceOf(ffi.CData);
    expect(ffi.typeof('int')).not.toBeInstanceOf(ffi.CData);
    expect(ffi.cast('int', 0)).not.toBeInstanceOf(ffi.CType);
    expect(ffi.new('int *')).not.toBeInstanceOf(ffi.CType);
  });

  test('test_CData_CType_2', () => {
    const ffi = planned(new FFI());
    expect(ffi.typeof('int')).toBeInstanceOf(ffi.CType);
  });

  test('test_bool', () => {
    const ffi = new FFI();
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

  test('test_use_own_bool', () => {
    const ffi = new FFI();
    ffi.cdef('typedef int bool;');
  });

  test('test_ordering_bug1', () => {
    const ffi = new FFI();
    ffi.cdef(`
            struct foo_s {
                struct bar_s *p;
            };
            struct bar_s {
                struct foo_s foo;
            };
        `);
    const q = ffi.new('struct foo_s *');
    const bar = ffi.new('struct bar_s *');
    q.p = bar;
    expect(q.p.foo.p).toBe(ffi.NULL);
  });

  test('test_ordering_bug2', () => {
    const ffi = new FFI();
    ffi.cdef(`
            struct bar_s;

            struct foo_s {
                void (*foo)(struct bar_s[]);
            };

            struct bar_s {
                struct foo_s foo;
            };
        `);
    ffi.new('struct foo_s *');
  });

  test('test_addressof', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int x, y; };');
    const p = ffi.new('struct foo_s *');
    const a = ffi.addressof(p[0]);
    expect(String(a).startsWith("<cdata 'struct foo_s *' 0x")).toBe(true);
    expect(addr(ffi, a)).toBe(addr(ffi, p));
    expect(() => ffi.addressof(p)).toThrow(TypeError);
    expect(() => ffi.addressof(5 as unknown as CData)).toThrow(TypeError);
    expect(() => ffi.addressof(ffi.cast('int', 5) as unknown as CData)).toThrow(TypeError);
  });

  test('test_addressof_field', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int x, y; };');
    const p = ffi.new('struct foo_s *');
    const a = ffi.addressof(p[0], 'y');
    expect(String(a).startsWith("<cdata 'int *' 0x")).toBe(true);
    expect(ffi.cast('uintptr_t', a)).toBe(Number(ffi.cast('uintptr_t', p)) + ffi.sizeof('int'));
    expect(addr(ffi, a)).toBe(addr(ffi, ffi.addressof(p, 'y')));
    expect(addr(ffi, a)).not.toBe(addr(ffi, ffi.addressof(p, 'x')));
  });

  test('test_addressof_field_nested', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int x, y; };' + 'struct bar_s { struct foo_s a, b; };');
    const p = ffi.new('struct bar_s *');
    expect(() => ffi.addressof(p[0], 'b.y')).toThrow(TypeError);
    const a = ffi.addressof(p[0], 'b', 'y');
    expect(ffi.cast('uintptr_t', a)).toBe(Number(ffi.cast('uintptr_t', p)) + ffi.sizeof('struct foo_s') + ffi.sizeof('int'));
  });

  test('test_addressof_anonymous_struct', () => {
    const ffi = new FFI();
    ffi.cdef('typedef struct { int x; } foo_t;');
    const p = ffi.new('foo_t *');
    const a = ffi.addressof(p[0]);
    expect(addr(ffi, a)).toBe(addr(ffi, p));
  });

  test('test_addressof_array', () => {
    const ffi = new FFI();
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
    const ffi = new FFI();
    let array = ffi.new('int[50]');
    let p = ffi.cast('int *', array)!;
    expect(() => ffi.addressof(p)).toThrow(TypeError);
    expect(addr(ffi, ffi.addressof(p, 0))).toBe(addr(ffi, p));
    expect(addr(ffi, ffi.addressof(p, 25))).toBe(addr(ffi, p.add(25)));
    expect(ffi.typeof(ffi.addressof(p, 25))).toBe(ffi.typeof(p));
    //
    ffi.cdef('struct foo { int a, b; };');
    array = ffi.new('struct foo[50]');
    p = ffi.cast('int *', array)!;
    expect(() => ffi.addressof(p)).toThrow(TypeError);
    expect(addr(ffi, ffi.addressof(p, 0))).toBe(addr(ffi, p));
    expect(addr(ffi, ffi.addressof(p, 25))).toBe(addr(ffi, p.add(25)));
    expect(ffi.typeof(ffi.addressof(p, 25))).toBe(ffi.typeof(p));
  });

  test('test_addressof_array_in_struct', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo { int a, b; int c[50]; };');
    const p = ffi.new('struct foo *');
    const p1 = ffi.addressof(p, 'c', 25);
    expect(ffi.typeof(p1)).toBe(ffi.typeof('int *'));
    expect(addr(ffi, p1)).toBe(addr(ffi, ffi.cast('int *', p)!.add(27)));
    expect(addr(ffi, ffi.addressof(p, 'c'))).toBe(addr(ffi, ffi.cast('int *', p)!.add(2)));
    expect(addr(ffi, ffi.addressof(p, 'c', 0))).toBe(addr(ffi, ffi.cast('int *', p)!.add(2)));
    const p2 = ffi.addressof(p, 1);
    expect(ffi.typeof(p2)).toBe(ffi.typeof('struct foo *'));
    expect(addr(ffi, p2)).toBe(addr(ffi, p.add(1)));
  });

  test('test_multiple_independent_structs', () => {
    const ffi1 = new FFI();
    ffi1.cdef('struct foo { int x; };');
    const ffi2 = new FFI();
    ffi2.cdef('struct foo { int y, z; };');
    const foo1 = ffi1.new('struct foo *', [10]);
    const foo2 = ffi2.new('struct foo *', [20, 30]);
    expect(foo1.x).toBe(10);
    expect(foo2.y).toBe(20);
    expect(foo2.z).toBe(30);
  });

  test('test_missing_include', () => {
    const ffi1 = new FFI();
    const ffi2 = new FFI();
    ffi1.cdef('typedef signed char schar_t;');
    expect(() => ffi2.cast('schar_t', 142)).toThrow(CDefError);
  });

  test('test_include_typedef', () => {
    const ffi1 = new FFI();
    const ffi2 = planned(new FFI());
    ffi1.cdef('typedef signed char schar_t;');
    ffi2.include(ffi1);
    const p = ffi2.cast('schar_t', 142);
    expect(p).toBe(142 - 256);
  });

  test('test_include_struct', () => {
    const ffi1 = new FFI();
    const ffi2 = planned(new FFI());
    ffi1.cdef('struct foo { int x; };');
    ffi2.include(ffi1);
    const p = ffi2.new('struct foo *', [142]);
    expect(p.x).toBe(142);
  });

  test('test_include_union', () => {
    const ffi1 = new FFI();
    const ffi2 = planned(new FFI());
    ffi1.cdef('union foo { int x; };');
    ffi2.include(ffi1);
    const p = ffi2.new('union foo *', [142]);
    expect(p.x).toBe(142);
  });

  test('test_include_enum', () => {
    const ffi1 = new FFI();
    const ffi2 = planned(new FFI());
    ffi1.cdef('enum foo { FA, FB, FC };');
    ffi2.include(ffi1);
    const p = ffi2.cast('enum foo', 1);
    expect(ffi2.string(p)).toBe('FB');
    expect(ffi2.sizeof('char[FC]')).toBe(2);
  });

  test('test_include_typedef_2', () => {
    const ffi1 = new FFI();
    const ffi2 = planned(new FFI());
    ffi1.cdef('typedef struct { int x; } *foo_p;');
    ffi2.include(ffi1);
    const p = ffi2.new('foo_p', [142]);
    expect(p.x).toBe(142);
  });

  test('test_ignore_multiple_declarations_of_constant', () => {
    const ffi = new FFI();
    ffi.cdef('#define FOO 42');
    ffi.cdef('#define FOO 42');
    expect(() => ffi.cdef('#define FOO 43')).toThrow(FFIError);
  });

  test('test_struct_packed', () => {
    const ffi = new FFI();
    ffi.cdef('struct nonpacked { char a; int b; };');
    ffi.cdef('struct is_packed { char a; int b; };', { packed: true });
    ffi.cdef('struct is_packed1 { char a; int b; };', { pack: 1 });
    ffi.cdef('struct is_packed2 { char a; int b; };', { pack: 2 });
    ffi.cdef('struct is_packed4 { char a; int b; };', { pack: 4 });
    ffi.cdef('struct is_packed8 { char a; int b; };', { pack: 8 });
    expect(ffi.sizeof('struct nonpacked')).toBe(8);
    expect(ffi.sizeof('struct is_packed')).toBe(5);
    expect(ffi.sizeof('struct is_packed1')).toBe(5);
    expect(ffi.sizeof('struct is_packed2')).toBe(6);
    expect(ffi.sizeof('struct is_packed4')).toBe(8);
    expect(ffi.sizeof('struct is_packed8')).toBe(8);
    expect(ffi.alignof('struct nonpacked')).toBe(4);
    expect(ffi.alignof('struct is_packed')).toBe(1);
    expect(ffi.alignof('struct is_packed1')).toBe(1);
    expect(ffi.alignof('struct is_packed2')).toBe(2);
    expect(ffi.alignof('struct is_packed4')).toBe(4);
    expect(ffi.alignof('struct is_packed8')).toBe(4);
    for (const name of ['is_packed', 'is_packed1', 'is_packed2', 'is_packed4', 'is_packed8']) {
      const s = ffi.new(`struct ${name}[2]`);
      s[0].b = 42623381;
      s[0].a = 'X';
      s[1].b = -4892220;
      s[1].a = 'Y';
      expect(s[0].b).toBe(42623381);
      expect(s[0].a).toBe(0x58);
      expect(s[1].b).toBe(-4892220);
      expect(s[1].a).toBe(0x59);
    }
  });

  test('test_pack_valueerror', () => {
    const ffi = new FFI();
    expect(() => ffi.cdef('', { pack: 3 })).toThrow(TypeError);
    expect(() => ffi.cdef('', { packed: 2 as unknown as boolean })).toThrow(TypeError);
    expect(() => ffi.cdef('', { packed: true, pack: 1 })).toThrow(TypeError);
  });

  test('test_define_integer_constant', () => {
    const ffi = new FFI();
    ffi.cdef(`
            #define DOT_0 0
            #define DOT 100
            #define DOT_OCT 0100l
            #define DOT_HEX 0x100u
            #define DOT_HEX2 0X10
            #define DOT_UL 1000UL
            enum foo {AA, BB=DOT, CC};
        `);
    const lib = ffi.dlopen(null) as Record<string, unknown>;
    expect(ffi.string(ffi.cast('enum foo', 100))).toBe('BB');
    expect(lib.DOT_0).toBe(0);
    expect(lib.DOT).toBe(100);
    expect(lib.DOT_OCT).toBe(0o100);
    expect(lib.DOT_HEX).toBe(0x100);
    expect(lib.DOT_HEX2).toBe(0x10);
    expect(lib.DOT_UL).toBe(1000);
  });

  test('test_opaque_struct_becomes_nonopaque', () => {
    // if we use a struct between the first cdef() where it is declared and another cdef() where
    // its fields are defined, then the definition was ignored.
    const ffi = new FFI();
    ffi.cdef('struct foo_s;');
    // differs from CFFI: see docs/cffi-differences.md, "A type without a size: one error, `FFIError`" (CFFI: TypeError)
    expect(() => ffi.new('struct foo_s *')).toThrow(FFIError);
    ffi.cdef('struct foo_s { int x; };');
    ffi.new('struct foo_s *');
  });

  test('test_ffi_self_include', () => {
    const ffi = planned(new FFI());
    expect(() => ffi.include(ffi)).toThrow(TypeError);
  });

  test('test_anonymous_enum_include', () => {
    const ffi1 = new FFI();
    ffi1.cdef('enum { EE1 };');
    const ffi = planned(new FFI());
    ffi.include(ffi1);
    ffi.cdef('enum { EE2, EE3 };');
    const lib = ffi.dlopen(null) as Record<string, unknown>;
    expect(lib.EE1).toBe(0);
    expect(lib.EE2).toBe(0);
    expect(lib.EE3).toBe(1);
  });

  test('test_init_once', () => {
    const seen: number[] = [];
    const doInit = (): number => {
      seen.push(1);
      return 42;
    };
    const ffi = planned(new FFI());
    for (let i = 0; i < 3; i++) {
      const res = ffi.initOnce(doInit, 'tag1');
      expect(res).toBe(42);
      expect(seen).toEqual([1]);
    }
    for (let i = 0; i < 3; i++) {
      const res = ffi.initOnce(doInit, 'tag2');
      expect(res).toBe(42);
      expect(seen).toEqual([1, 1]);
    }
  });

  test('test_sizeof_struct_directly', () => {
    // only works with the Python FFI instances
    const ffi = new FFI();
    expect(ffi.sizeof('struct{int a;}')).toBe(ffi.sizeof('int'));
  });

  test('test_callback_large_struct', () => {
    const ffi = new FFI();
    // more than 8 bytes
    ffi.cdef('struct foo_s { unsigned long a, b, c; };');
    //
    const seen: unknown[] = [];
    const cb = ffi.callback('void(struct foo_s)', (s: CData) => {
      seen.push(ffi.typeof(s));
      s.a += 1;
      s.b += 2;
      s.c += 3;
      seen.push(s.a);
      seen.push(s.b);
      seen.push(s.c);
    });
    //
    const s1 = ffi.new('struct foo_s *', { a: 100, b: 200, c: 300 });
    cb(s1[0]);
    expect(seen.length).toBe(4);
    expect(s1.a).toBe(100); // unmodified
    expect(s1.b).toBe(200);
    expect(s1.c).toBe(300);
    expect(seen[0]).toBe(ffi.typeof('struct foo_s'));
    expect(seen[1]).toBe(101);
    expect(seen[2]).toBe(202);
    expect(seen[3]).toBe(303);
  });

  test('test_ffi_array_as_init', () => {
    const ffi = new FFI();
    const p = ffi.new('int[4]', [10, 20, 30, 400]);
    const q = ffi.new('int[4]', p);
    expect([...q]).toEqual([10, 20, 30, 400]);
    expect(() => ffi.new('int[3]', p)).toThrow(TypeError);
    expect(() => ffi.new('int[5]', p)).toThrow(TypeError);
    expect(() => ffi.new('int16_t[4]', p)).toThrow(TypeError);
    const s = ffi.new('struct {int i[4];}*', { i: p });
    expect([...s.i]).toEqual([10, 20, 30, 400]);
  });

  test('test_too_many_initializers', () => {
    const ffi = new FFI();
    expect(() => ffi.new('int[4]', [10, 20, 30, 40, 50])).toThrow(RangeError);
  });
});
