// Reading and writing through cdata: elements, fields, nested views, bitfields, bounds and type checks.
import * as util from 'util';
import { FFI, FFIError } from '../../lib';
import { expectThrow } from '../helpers/throws';
import { countArrayScans } from '../helpers/work';

const ffi = new FFI();
ffi.cdef(`
struct pt { int x; double y; };
struct outer { char tag; struct pt p; int arr[4]; struct pt *next; };
struct bits { unsigned a : 3; signed b : 5; unsigned c : 12; _Bool d : 1; unsigned long long big : 40; };
union num { int i; float f; unsigned char bytes[4]; };
struct node { int value; struct node *next; };
struct s64 { long long a; unsigned long long b; };
struct has_get { int get; int length; };
`);

describe('pointers and arrays', () => {
  test('p[i] and p.get/p.set agree, for every primitive kind', () => {
    const cases: [string, unknown, unknown][] = [
      ['signed char', -5, -5], ['unsigned char', 250, 250], ['short', -300, -300], ['unsigned short', 60000, 60000],
      ['int', -70000, -70000], ['unsigned int', 4000000000, 4000000000], ['long', -(2 ** 40), -(2 ** 40)],
      ['unsigned long', 2n ** 63n, 2n ** 63n], ['long long', -(2n ** 62n), -(2n ** 62n)], ['float', 1.5, 1.5],
      ['double', Math.PI, Math.PI], ['_Bool', true, true], ['int64_t', 12345678901234, 12345678901234],
    ];
    for (const [t, v, back] of cases) {
      const a = ffi.new(`${t}[3]`);
      a[1] = v;
      expect(a[1]).toEqual(back);
      a.set(2, v);
      expect(a.get(2)).toEqual(back);
      expect(a[0]).toEqual(t === '_Bool' ? false : 0);
    }
  });

  test('writes that do not fit throw RangeError; wrong kinds TypeError', () => {
    const s = ffi.new('short *');
    expectThrow(() => {
      s[0] = 60000;
    }, RangeError, "short *[0]: 60000 does not fit in 'short' (-32768 to 32767)");
    expectThrow(() => s.set(0, 'x'), TypeError, 'element of \'short *\': expected an integer for \'short\', got string "x"');
    const u = ffi.new('unsigned int[2]');
    expect(() => u.set(0, -1)).toThrow(/-1 does not fit in 'unsigned int' \(0 to 4294967295\)/);
    expect(u[0]).toBe(0); // nothing was written
  });

  test('arrays are bounds-checked; pointers take any index', () => {
    const a = ffi.new('int[4]', [1, 2, 3, 4]);
    expectThrow(() => a[4], RangeError, "cdata 'int[4]': index 4 is out of bounds (length 4)");
    expectThrow(() => a[-1], RangeError, "cdata 'int[4]': index -1 is out of bounds (length 4)");
    expect(() => a.get(4)).toThrow(/index 4 is out of bounds \(length 4\)/);
    expectThrow(() => a.get(1.5), TypeError, "cdata 'int[4]': index must be an integer, got 1.5");
    expectThrow(() => {
      a[9] = 1;
    }, RangeError, "cdata 'int[4]': index 9 is out of bounds (length 4)");
    const p = ffi.cast('int *', a)!;
    expect(p[3]).toBe(4);
    const mid = p.add(2);
    expect(mid[-1]).toBe(2);
    expect(mid.get(-2)).toBe(1);
  });

  test('an array of more than 2^32 items is indexed to its end (a char array over 4 GiB)', () => {
    // Untouched pages of the block are never written: this costs a few pages of memory.
    const big = ffi.new('char[]', 2 ** 32 + 2);
    big[2 ** 32] = 65;
    big.set(2 ** 32 + 1, 66);
    expect([big[2 ** 32], big.get(2 ** 32 + 1), ffi.string(ffi.addressof(big, 2 ** 32), 2)]).toEqual([65, 66, 'AB']);
    expectThrow(() => big[2 ** 32 + 2], RangeError, "cdata 'char[]': index 4294967298 is out of bounds (length 4294967298)");
    expectThrow(() => big.get(2 ** 32 + 0.5), TypeError, 'index must be an integer, got 4294967296.5');
    ffi.release(big);
  });

  test('arrays are iterable and have a length', () => {
    const a = ffi.new('double[]', [0.5, 1.5]);
    expect(a.length).toBe(2);
    expect(Array.from(a)).toEqual([0.5, 1.5]);
  });

  test('pointer arithmetic: add, sub, difference, equals', () => {
    const a = ffi.new('int[10]');
    const p = ffi.cast('int *', a)!;
    const q = p.add(3);
    expect(ffi.cast('uintptr_t', q)).toBe((ffi.cast('uintptr_t', p) as number) + 12);
    expect(q.sub(p)).toBe(3);
    expect(q.sub(1).equals(p.add(2))).toBe(true);
    expect(p.equals(q)).toBe(false);
    expectThrow(() => p.add(0.5), TypeError, 'int *.add(): expected an integer, got 0.5');
    expectThrow(() => ffi.cast('void *', p)!.add(1), FFIError, "void *.add(): 'void' has no size");
    expect(() => q.sub(ffi.cast('char *', p))).toThrow(/different types/);
  });

  test('NULL is null, and reading through a bogus small address throws', () => {
    expect(ffi.NULL).toBeNull();
    expect(ffi.cast('int *', 0)).toBeNull();
    const bad = ffi.cast('int *', 8)!;
    expectThrow(() => bad[0], RangeError, "cdata 'int *'[0]: address 0x8 is not valid memory");
    expect(() => bad[0]).toThrow(/not valid memory/);
  });

  test('multi-dimensional arrays give row views', () => {
    const m = ffi.new('int[2][3]', [[1, 2, 3], [4, 5, 6]]);
    expect(m.length).toBe(2);
    expect(m[1].length).toBe(3);
    expect(m[1][2]).toBe(6);
    m[0][1] = 20;
    expect([...m[0]]).toEqual([1, 20, 3]);
  });

  test('arrays of pointers hold cdata or null', () => {
    const x = ffi.new('int *', 5);
    const ptrs = ffi.new('int *[2]', [x, null]);
    expect(ptrs[0][0]).toBe(5);
    expect(ptrs[1]).toBeNull();
    expect(() => {
      ptrs[1] = 1234;
    }).toThrow(/ffi.cast\('int \*', address\)/);
    expectThrow(() => {
      ptrs[1] = ffi.new('double *');
    }, TypeError, "element of 'int *[2]': expected 'int *', got cdata 'double *'");
  });
});

describe('structs and unions', () => {
  test("a struct of 3,000 fields: its class's constants are found by value, not searched for (was: a search of them all per field, 27 million looks)", () => {
    const f = new FFI();
    f.cdef(`struct wide { ${Array.from({ length: 3000 }, (_, i) => `int f${i};`).join(' ')} };`);
    const w = countArrayScans(() => {
      const p = f.new('struct wide *');
      p.f2999 = 7;
      return p.f2999;
    });
    expect(w.value).toBe(7);
    expect(w.scanned).toBeLessThan(10 * 3000);
  });

  test('a struct of 40,000 fields: made, its fields read and written, passed by value (was: RangeError, the stack overflowed compiling its class)', () => {
    const f = new FFI();
    const n = 40000;
    f.cdef(`struct huge { ${Array.from({ length: n }, (_, i) => `int f${i};`).join(' ')} }; struct one { int f0; };`);
    const p = f.new('struct huge *');
    p.f0 = 1;
    p[`f${n - 1}`] = 7;
    expect([p.f0, p[`f${n - 1}`], p[0][`f${n - 1}`], p.f20000]).toEqual([1, 7, 7, 0]);
    expect(() => (p.f1 = 'x' as never)).toThrow(TypeError);
    const listed = f.new('struct huge *', Array.from({ length: n }, (_, i) => i));
    expect([listed.f4095, listed.f4096, listed[`f${n - 1}`]]).toEqual([4095, 4096, n - 1]);
    // Accessors defined in parts are the class's own kind: not enumerable, on the prototype.
    expect(Object.keys(p[0])).toEqual(Object.keys(f.new('struct one *')[0]));
    const last = f.callback('int(struct huge)', (s: { [k: string]: number }) => s[`f${n - 1}`] + s.f0);
    expect(last(listed[0])).toBe(n - 1);
  });

  test('structs nested by value 256 levels deep, as deep as cdef takes them: made, read, shown, dumped, passed by value', () => {
    const f = new FFI();
    f.cdef(['struct s0 { int x; };', ...Array.from({ length: 255 }, (_, i) => `struct s${i + 1} { struct s${i} a; };`)].join('\n'));
    const p = f.new('struct s255 *');
    let inner: { a: unknown; x: number } = p[0];
    for (let i = 0; i < 255; i++) inner = inner.a as typeof inner;
    inner.x = 42;
    expect(util.inspect(p, { depth: Infinity })).toContain('x: 42');
    expect(f.dump(p)).toMatch(/a\.a\.a\.x = 42$/);
    expect(f.callback('int(struct s255)', (v: { a: unknown }) => { let c = v as { a: unknown; x: number }; for (let i = 0; i < 255; i++) c = c.a as typeof c; return c.x; })(p[0])).toBe(42);
    expect(f.typescriptDeclarations()).toContain('export interface struct_s255 extends CData {');
    expect(() => f.cdef('struct s256 { struct s255 a; };')).toThrow(/nesting too deep: 'struct s256' holds structs, unions and arrays by value more than 256 levels deep/);
  });

  test('fields read and write through the struct and through a pointer to it', () => {
    const p = ffi.new('struct pt *');
    p.x = 3;
    p.y = 1.25;
    expect(p.x).toBe(3);
    const s = p[0];
    expect(s.y).toBe(1.25);
    s.x = 7;
    expect(p.x).toBe(7);
    expect(ffi.typeof(s).cname).toBe('struct pt');
  });

  test('nested structs and array fields are views into the same memory', () => {
    const o = ffi.new('struct outer *');
    o.p.x = 4;
    o.arr[2] = 11;
    expect(o.p.x).toBe(4);
    expect(o.arr[2]).toBe(11);
    const inner = o.p;
    inner.y = 9.5;
    expect(o.p.y).toBe(9.5);
    expectThrow(() => o.arr[4], RangeError, "cdata 'int[4]': index 4 is out of bounds (length 4)");
  });

  test('assigning a struct or array field copies it', () => {
    const o = ffi.new('struct outer *');
    o.p = { x: 1, y: 2 };
    const src = ffi.new('struct pt *', { x: 5, y: 6 });
    o.p = src[0];
    expect([o.p.x, o.p.y]).toEqual([5, 6]);
    src.x = 99;
    expect(o.p.x).toBe(5);
    o.arr = [9, 8];
    expect([...o.arr]).toEqual([9, 8, 0, 0]);
  });

  test('pointer fields hold cdata or null; linked structures work', () => {
    const a = ffi.new('struct node *', { value: 1 });
    const b = ffi.new('struct node *', { value: 2, next: a });
    expect(b.next.value).toBe(1);
    expect(b.next.next).toBeNull();
    a.next = b;
    expect(a.next.next.value).toBe(1);
  });

  test('unknown fields throw naming the field', () => {
    const p = ffi.new('struct pt *');
    expect(() => p.z).toThrow(/cdata 'struct pt \*' has no field or method 'z'/);
    expect(() => {
      p.z = 1;
    }).toThrow(/cannot set 'z'/);
    expect(() => p[0].nope).toThrow(/cdata 'struct pt' has no field or method 'nope'/);
  });

  test('field writes are range-checked and type-checked', () => {
    const p = ffi.new('struct pt *');
    expect(() => {
      p.x = 2 ** 31;
    }).toThrow(/field 'x' of 'struct pt': 2147483648 does not fit in 'int'/);
    expectThrow(() => {
      p.y = 'no';
    }, TypeError, 'field \'y\' of \'struct pt\': expected a number for \'double\', got string "no"');
  });

  test('64-bit fields: numbers when safe, bigints otherwise', () => {
    const s = ffi.new('struct s64 *');
    s.a = -5;
    s.b = 2n ** 64n - 1n;
    expect(s.a).toBe(-5);
    expect(s.b).toBe(2n ** 64n - 1n);
    s.a = -(2n ** 63n);
    expect(s.a).toBe(-(2n ** 63n));
  });

  test('unions share their memory', () => {
    const u = ffi.new('union num *');
    u.f = 1;
    expect(u.i).toBe(0x3f800000);
    expect(u.bytes[3]).toBe(0x3f);
  });

  test('fields named like methods win over the methods', () => {
    const h = ffi.new('struct has_get *', { get: 3, length: 4 });
    expect(h.get).toBe(3);
    expect(h.length).toBe(4);
    expect(h[0].get).toBe(3);
  });

  test('a struct cannot be indexed', () => {
    const p = ffi.new('struct pt *');
    expect(() => p[0][0]).toThrow(/cannot be indexed/);
  });
});

describe('bitfields', () => {
  test('read, write, sign, and range checks', () => {
    const b = ffi.new('struct bits *');
    b.a = 5;
    b.b = -7;
    b.c = 4095;
    b.d = true;
    b.big = 2 ** 39 + 1;
    expect([b.a, b.b, b.c, b.d, b.big]).toEqual([5, -7, 4095, true, 2 ** 39 + 1]);
    expect(() => {
      b.a = 8;
    }).toThrow(/does not fit in a 3-bit field of 'unsigned int' \(0 to 7\)/);
    expectThrow(() => {
      b.b = 16;
    }, RangeError, "field 'b' of 'struct bits': 16 does not fit in a 5-bit field of 'int' (-16 to 15)");
    expectThrow(() => {
      b.b = -17;
    }, RangeError, "field 'b' of 'struct bits': -17 does not fit in a 5-bit field of 'int' (-16 to 15)");
    b.b = -16;
    expect([b.a, b.b, b.c]).toEqual([5, -16, 4095]); // neighbours untouched
  });
});
