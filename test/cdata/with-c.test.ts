// The memory model against real C (fixtures/memory.c): out-parameters, arrays of structs, C's pointers, zero-copy buffers.
import { FFI, Lib } from '../../lib';
import { verifyFixture } from '../helpers/fixtures';
import { expectThrow } from '../helpers/throws';

const CDEF = `
struct pt { int x; double y; };
struct outer { char tag; struct pt p; int arr[4]; struct pt *next; };
struct bits { unsigned a : 3; signed b : 5; unsigned c : 12; _Bool d : 1; };
union num { int i; float f; unsigned char bytes[4]; };
double pt_sum(const struct pt *p, int n);
void pt_set(struct pt *p, int x, double y);
int outer_check(const struct outer *o);
int bits_pack(const struct bits *b);
void bits_set(struct bits *b, unsigned a, int bb, unsigned c, int d);
int num_int(const union num *u);
void get_pair(int *a, int *b);
struct pt *pt_static(void);
const char **get_names(void);
void fill_bytes(unsigned char *p, size_t n, unsigned char v);
uintptr_t addr_of(const void *p);
int *make_ints(int n);
void free_ints(int *p);
`;

let ffi: FFI;
let C: Lib;
beforeAll(() => ({ ffi, lib: C } = verifyFixture('memory.c', CDEF)));

test('out-parameters filled by C', () => {
  const a = ffi.new('int *');
  const b = ffi.new('int *');
  C.get_pair(a, b);
  expect([a[0], b[0]]).toEqual([11, 22]);
  const p = ffi.new('struct pt *');
  C.pt_set(p, 5, 0.25);
  expect([p.x, p.y]).toEqual([5, 0.25]);
});

test('arrays of structs passed to C', () => {
  const pts = ffi.new('struct pt[3]', [{ x: 1, y: 0.5 }, { x: 2, y: 0.25 }, { x: 3 }]);
  expect(C.pt_sum(pts, 3)).toBe(6.75);
  pts[1].x = 10;
  expect(C.pt_sum(pts, 2)).toBe(11.75);
});

test('nested structs, arrays in structs and pointers in structs, as C sees them', () => {
  const next = ffi.new('struct pt *', { x: 100 });
  const o = ffi.new('struct outer *', { tag: 1, p: { x: 2 }, arr: [3, 0, 0, 4], next });
  expect(C.outer_check(o)).toBe(1 + 2 + 3 + 4 + 100);
  o.next = null;
  expect(C.outer_check(o)).toBe(10);
});

test('bitfields agree with the compiler in both directions', () => {
  const b = ffi.new('struct bits *');
  b.a = 5;
  b.b = -3;
  b.c = 0xabc;
  b.d = true;
  const expected = (5 | ((-3 & 31) << 3) | (0xabc << 8)) ^ (1 << 30);
  expect(C.bits_pack(b)).toBe(expected);
  C.bits_set(b, 2, -16, 7, 0);
  expect([b.a, b.b, b.c, b.d]).toEqual([2, -16, 7, false]);
});

test('unions as C reads them', () => {
  const u = ffi.new('union num *', { bytes: [1, 2, 3, 4] });
  expect(C.num_int(u)).toBe(0x04030201);
});

test('pointers returned by C read C memory, and write it', () => {
  const s = C.pt_static();
  expect([s.x, s.y]).toEqual([7, 2.5]);
  s.x = 8;
  expect(C.pt_static().x).toBe(8);
  const names = C.get_names();
  expect([0, 1, 2].map((i) => ffi.string(names[i]))).toEqual(['zero', 'one', 'two']);
  expect(names[3]).toBeNull();
});

test('memory C allocates, released through ffi.gc', () => {
  const freed: unknown[] = [];
  const ints = ffi.gc(C.make_ints(4), (p) => {
    freed.push(p);
    C.free_ints(p);
  });
  expect(ffi.unpack(ints, 4)).toEqual([0, 10, 20, 30]);
  ffi.release(ints);
  expect(freed.length).toBe(1);
});

test('zero-copy buffers: C writes into a Buffer and a typed array, JS sees it', () => {
  const buf = Buffer.alloc(16);
  C.fill_bytes(ffi.fromBuffer(buf, 'unsigned char[]'), 8, 0xaa);
  expect([...buf]).toEqual([...new Array(8).fill(0xaa), ...new Array(8).fill(0)]);
  const arr = ffi.new('unsigned char[32]');
  const view = ffi.buffer(arr);
  C.fill_bytes(arr, 32, 7);
  expect(view.every((b) => b === 7)).toBe(true);
});

test('addresses JS reports are the addresses C sees', () => {
  const a = ffi.new('double[4]');
  expect(C.addr_of(a)).toBe(ffi.cast('uintptr_t', a));
  expect(C.addr_of(ffi.addressof(a, 2))).toBe((ffi.cast('uintptr_t', a) as number) + 16);
  const o = ffi.new('struct outer *');
  expect(C.addr_of(ffi.addressof(o, 'arr', 1))).toBe((ffi.cast('uintptr_t', o) as number) + ffi.offsetof('struct outer', 'arr', 1));
  const buf = Buffer.alloc(8);
  expect(C.addr_of(ffi.fromBuffer(buf))).toBe(ffi.cast('uintptr_t', ffi.fromBuffer(buf)));
});

test('a pointer of the wrong type is refused before C sees it', () => {
  expect(() => C.pt_sum(ffi.new('int[3]'), 3)).toThrow(/pt_sum\(\) argument 1 \('p'\): expected 'struct pt \*', got cdata 'int\[3\]'/);
  expectThrow(() => C.num_int(ffi.new('struct pt *')), TypeError, "num_int() argument 1 ('u'): expected 'union num *', got cdata 'struct pt *'");
});
