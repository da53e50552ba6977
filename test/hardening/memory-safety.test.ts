// Mistakes node-cffi can catch are caught with an error, never a crash: NULL, bounds, release, wrong types.
import { FFI, Lib } from '../../lib';
import { verifyFixture } from '../helpers/fixtures';
import { expectThrow } from '../helpers/throws';

const CDEF = `
struct pt { int x; double y; };
struct outer { char tag; struct pt p; int arr[4]; struct pt *next; };
double pt_sum(const struct pt *p, int n);
int *make_ints(int n);
void free_ints(int *p);
`;

let ffi: FFI;
let C: Lib;
beforeAll(() => {
  ({ ffi, lib: C } = verifyFixture('memory.c', CDEF));
  ffi.cdef('struct other { int a; };');
});

test('NULL: reading or writing through it throws', () => {
  const none = ffi.cast('int *', 0);
  expect(none).toBeNull();
  expectThrow(() => (none as unknown as number[])[0], TypeError, "Cannot read properties of null (reading '0')");
  const nearNull = ffi.cast('int *', 16)!;
  expect(() => nearNull[0]).toThrow(/not valid memory/);
  expect(() => {
    nearNull[0] = 1;
  }).toThrow(/not valid memory/);
  expect(() => ffi.string(ffi.cast('char *', 8))).toThrow(/not valid memory/);
  expectThrow(() => ffi.cast('struct pt *', 24)!.x, RangeError, 'Offset is outside the bounds of the DataView');
});

test('out-of-bounds array indexes throw, in both directions', () => {
  const a = ffi.new('int[4]');
  for (const i of [4, 5, 1000, -1, 2 ** 32]) {
    expectThrow(() => a[i], RangeError, `cdata 'int[4]': index ${i} is out of bounds (length 4)`);
    expectThrow(() => a.set(i, 1), RangeError, `cdata 'int[4]': index ${i} is out of bounds (length 4)`);
  }
  const o = ffi.new('struct outer *');
  expect(() => o.arr[4]).toThrow(/index 4 is out of bounds \(length 4\)/);
  expectThrow(() => ffi.addressof(a, 5), RangeError, "ffi.addressof(): index 5 is out of bounds for cdata 'int[4]' (length 4)");
  expectThrow(() => ffi.unpack(a, 5), RangeError, "ffi.unpack(): 5 items asked from cdata 'int[4]', which has 4");
  expectThrow(() => ffi.memmove(a, Buffer.alloc(32), 32), RangeError, "ffi.memmove(): 32 bytes do not fit in dest cdata 'int[4]' (16 bytes)");
});

test('use after ffi.release throws, for the cdata and for what C owned behind ffi.gc', () => {
  const p = ffi.new('struct pt *', { x: 1 });
  ffi.release(p);
  expect(() => p.x).toThrow(/released/);
  expect(() => C.pt_sum(p, 1)).toThrow(/released/);
  const ints = ffi.gc(C.make_ints(3), C.free_ints);
  ffi.release(ints);
  expect(() => ints[0]).toThrow(/released/);
  expectThrow(() => ffi.release(ints), TypeError, "cdata 'int *' was released by ffi.release() and can no longer be used");
});

test('a struct field read through a pointer of the wrong type throws naming the field', () => {
  const o = ffi.new('struct other *');
  const wrong = ffi.cast('struct other *', ffi.new('struct pt *'))!;
  expect(() => wrong.y).toThrow(/'struct other \*' has no field or method 'y'/);
  expect(o.a).toBe(0);
});

test('ffi.string on a pointer that is not a char pointer throws', () => {
  expect(() => ffi.string(ffi.new('int[4]'))).toThrow(/expected a char array or pointer/);
  expectThrow(() => ffi.string(ffi.new('double *')), TypeError, "ffi.string(): expected a char array or pointer, or an enum value, got cdata 'double *'");
  expectThrow(() => ffi.string(ffi.new('struct pt *')), TypeError, "ffi.string(): expected a char array or pointer, or an enum value, got cdata 'struct pt *'");
});

test('a pointer of the wrong type passed to a function throws before C runs', () => {
  expect(() => C.pt_sum(ffi.new('int[3]'), 3)).toThrow(/expected 'const struct pt \*'/);
  expectThrow(() => C.pt_sum(ffi.new('struct other *'), 1), TypeError, "pt_sum() argument 1 ('p'): expected 'const struct pt *', got cdata 'struct other *'");
  expectThrow(() => C.pt_sum(123456, 1), TypeError, "pt_sum() argument 1 ('p'): expected a cdata 'const struct pt *' or null, got 123456; make a pointer from an address with ffi.cast('const struct pt *', address)");
  expectThrow(() => C.free_ints(ffi.new('double *')), TypeError, "free_ints() argument 1 ('p'): expected 'int *', got cdata 'double *'");
});

test('a closed library throws instead of calling unmapped code', () => {
  const f = new FFI();
  f.cdef('double pt_sum(const void *p, int n);');
  const lib = f.dlopen(require('../helpers/fixtures').sharedLibrary('memory.c'));
  const sum = lib.pt_sum;
  f.dlclose(lib);
  expect(() => sum(null, 0)).toThrow(/closed with ffi.dlclose/);
});
