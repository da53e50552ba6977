// ffi.new: what it allocates, how it initialises, what it refuses, and how cdata show themselves.
import * as util from 'util';
import { FFI, FFIError } from '../../lib';
import { expectThrow } from '../helpers/throws';

const ffi = new FFI();
ffi.cdef(`
struct pt { int x; double y; };
struct line { struct pt a, b; int tags[3]; };
union num { int i; float f; unsigned char bytes[4]; };
typedef struct { int w, h; } size_t2;
struct opaque;
enum color { RED, GREEN, BLUE };
`);

describe('ffi.new', () => {
  test('pointers own one item, zero-filled, optionally initialised', () => {
    const p = ffi.new('int *');
    expect(p[0]).toBe(0);
    const q = ffi.new('int *', 42);
    expect(q[0]).toBe(42);
    expect(ffi.sizeof(q)).toBe(8);
    expect(String(q)).toBe("<cdata 'int *' owning 4 bytes>");
    expect(util.inspect(q)).toBe("<cdata 'int *' owning 4 bytes> 42"); // inspect adds the value it owns
  });

  test('arrays: fixed length, or open with a length, a list or a string', () => {
    const a = ffi.new('int[10]');
    expect(a.length).toBe(10);
    expect([...a]).toEqual(new Array(10).fill(0));
    expect(ffi.sizeof(a)).toBe(40);
    expect(String(a)).toBe("<cdata 'int[10]' owning 40 bytes>");

    const b = ffi.new('int[]', 5);
    expect(b.length).toBe(5);
    expect(String(b)).toBe("<cdata 'int[]' owning 20 bytes>"); // as CFFI shows it: the length is b.length
    expect(ffi.typeof(b).cname).toBe('int[]');

    const c = ffi.new('int[]', [1, 2, 3]);
    expect([...c]).toEqual([1, 2, 3]);

    const s = ffi.new('char[]', 'héllo');
    expect(s.length).toBe(7); // 6 UTF-8 bytes and the NUL
    expect(ffi.string(s)).toBe('héllo');

    const partial = ffi.new('int[4]', [7, 8]);
    expect([...partial]).toEqual([7, 8, 0, 0]);
  });

  test('structs from objects, lists, and nested objects', () => {
    const p = ffi.new('struct pt *', { x: 1, y: 2.5 });
    expect(p.x).toBe(1);
    expect(p.y).toBe(2.5);
    const q = ffi.new('struct pt *', [3, 4.5]);
    expect([q.x, q.y]).toEqual([3, 4.5]);
    const l = ffi.new('struct line *', { a: { x: 1 }, b: [2, 3], tags: [7, 8, 9] });
    expect(l.a.x).toBe(1);
    expect(l.b.y).toBe(3);
    expect([...l.tags]).toEqual([7, 8, 9]);
    const arr = ffi.new('struct pt[2]', [{ x: 1, y: 1 }, { x: 2, y: 2 }]);
    expect(arr[1].x).toBe(2);
    const anon = ffi.new('size_t2 *', { w: 3, h: 4 });
    expect(anon.w * anon.h).toBe(12);
  });

  test('unions from an object with one field, or a list for the first field', () => {
    const u = ffi.new('union num *', { f: 1.0 });
    expect(u.i).toBe(0x3f800000);
    const v = ffi.new('union num *', [0x01020304]);
    expect([...v.bytes]).toEqual([4, 3, 2, 1]);
  });

  test('what ffi.new refuses, and why', () => {
    expect(() => ffi.new('int', 1)).toThrow(/expected a pointer or array type.*'int \*'/);
    // A type without a size is refused with an FFIError wherever it is met (see whyNoSize).
    expect(() => ffi.new('void *')).toThrow(FFIError);
    expect(() => ffi.new('void *')).toThrow("ffi.new('void *'): 'void' has no size");
    expect(() => ffi.new('struct opaque *')).toThrow(FFIError);
    expect(() => ffi.new('struct opaque *')).toThrow("ffi.new('struct opaque *'): 'struct opaque' is declared but never defined (opaque)");
    expect(() => ffi.new('int[]')).toThrow(/needs a length/);
    expectThrow(() => ffi.new('int[]', -1), RangeError, "ffi.new('int[]'): length must be a non-negative integer, got -1");
    expectThrow(() => ffi.new('int[2]', [1, 2, 3]), RangeError, "ffi.new('int[2]'): 3 items do not fit in 'int[2]'");
    expectThrow(() => ffi.new('char[3]', 'abcd'), RangeError, "ffi.new('char[3]'): string of 4 bytes does not fit in 'char[3]'");
    expect(() => ffi.new('struct pt *', { z: 1 })).toThrow(/'struct pt' has no field 'z'/);
    expectThrow(() => ffi.new('struct pt *', 5), TypeError, "ffi.new('struct pt *'): expected an object of fields, a list or a cdata 'struct pt', got 5");
    expectThrow(() => ffi.new('unsigned char *', 300), RangeError, "ffi.new('unsigned char *'): 300 does not fit in 'unsigned char' (0 to 255)");
    expect(() => ffi.new('unsigned char *', 300)).toThrow(/300 does not fit in 'unsigned char' \(0 to 255\)/);
    expectThrow(() => ffi.new('int *', 1.5), TypeError, "ffi.new('int *'): expected an integer for 'int', got 1.5");
    expect(() => ffi.new('nosuch_t *')).toThrow(/unknown type name 'nosuch_t'/);
  });

  test('a size or length of -0 is 0 everywhere: in the cdata, its type and what derives from it (was: length and sizeof -0)', () => {
    const f = new FFI();
    f.cdef('struct fa { int n; int d[]; }; void *memmove(void *, const void *, size_t);');
    const zero = (v: unknown) => expect(Object.is(v, 0)).toBe(true);
    for (const type of ['char[]', 'int[]', 'wchar_t[]', 'struct fa[]', 'int[][2]']) {
      const a = f.new(type, -0);
      zero(a.length);
      zero(f.sizeof(a));
      expect(util.inspect(a)).not.toContain('-0');
    }
    const alloc = f.newAllocator({ alloc: (n: number) => f.new('char[]', n) });
    zero(alloc('char[]', -0).length);
    zero(f.newAllocator()('char[]', -0).length);
    const s = f.new('struct fa *', { n: 1, d: -0 });
    zero(s.d.length);
    expect(f.sizeof(s[0])).toBe(4);
    const p = f.new('char[4]', 'ab');
    zero(f.buffer(p, -0).length);
    zero(f.unpack(p, -0).length);
    zero(f.view(p, -0).byteLength);
    expect(f.string(p, -0)).toBe('');
    expect(f.string(f.new('wchar_t[3]', 'ab'), -0)).toBe('');
    expect(f.memmove(p, f.new('char[4]', 'xy'), -0)).toBeUndefined();
    expect(f.string(p)).toBe('ab');
    zero(f.new('char[]', 0).length); // and 0 itself
  });

  test('enums take values or enumerator names', () => {
    const e = ffi.new('enum color *', 'BLUE');
    expect(e[0]).toBe(2);
  });

  test('separate allocations do not overlap, and are aligned for their type (16 bytes from 16 up)', () => {
    const kinds: [string, number, number][] = [
      ['char *', 1, 1], ['short *', 2, 2], ['int *', 4, 4], ['double *', 8, 8], ['char[33]', 33, 16], ['struct line *', 48, 16],
    ];
    const seen: [number, number][] = [];
    const alive: unknown[] = []; // memory that is collected may be handed out again
    for (let i = 0; i < 300; i++) {
      const [t, size, align] = kinds[i % kinds.length];
      const p = ffi.new(t);
      alive.push(p);
      const addr = ffi.cast('uintptr_t', p) as number;
      expect(addr % align).toBe(0);
      for (const [a, n] of seen) expect(addr >= a + n || addr + size <= a).toBe(true);
      seen.push([addr, size]);
    }
  });
});
