// Mistakes node-cffi can catch are caught with an error, never a crash: NULL, bounds, release, wrong types.
import { FFI, Lib } from '../../lib';
import { verifyFixture } from '../helpers/fixtures';

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
  expect(() => (none as unknown as number[])[0]).toThrow(TypeError);
  const nearNull = ffi.cast('int *', 16)!;
  expect(() => nearNull[0]).toThrow(/not valid memory/);
  expect(() => {
    nearNull[0] = 1;
  }).toThrow(/not valid memory/);
  expect(() => ffi.string(ffi.cast('char *', 8))).toThrow(/not valid memory/);
  expect(() => ffi.cast('struct pt *', 24)!.x).toThrow(RangeError);
});

test('out-of-bounds array indexes throw, in both directions', () => {
  const a = ffi.new('int[4]');
  for (const i of [4, 5, 1000, -1, 2 ** 32]) {
    expect(() => a[i]).toThrow(RangeError);
    expect(() => a.set(i, 1)).toThrow(RangeError);
  }
  const o = ffi.new('struct outer *');
  expect(() => o.arr[4]).toThrow(/index 4 is out of bounds \(length 4\)/);
  expect(() => ffi.addressof(a, 5)).toThrow(RangeError);
  expect(() => ffi.unpack(a, 5)).toThrow(RangeError);
  expect(() => ffi.memmove(a, Buffer.alloc(32), 32)).toThrow(RangeError);
});

test('use after ffi.release throws, for the cdata and for what C owned behind ffi.gc', () => {
  const p = ffi.new('struct pt *', { x: 1 });
  ffi.release(p);
  expect(() => p.x).toThrow(/released/);
  expect(() => C.pt_sum(p, 1)).toThrow(/released/);
  const ints = ffi.gc(C.make_ints(3), C.free_ints);
  ffi.release(ints);
  expect(() => ints[0]).toThrow(/released/);
  expect(() => ffi.release(ints)).toThrow(TypeError);
});

test('a struct field read through a pointer of the wrong type throws naming the field', () => {
  const o = ffi.new('struct other *');
  const wrong = ffi.cast('struct other *', ffi.new('struct pt *'))!;
  expect(() => wrong.y).toThrow(/'struct other \*' has no field or method 'y'/);
  expect(o.a).toBe(0);
});

test('ffi.string on a pointer that is not a char pointer throws', () => {
  expect(() => ffi.string(ffi.new('int[4]'))).toThrow(/expected a char array or pointer/);
  expect(() => ffi.string(ffi.new('double *'))).toThrow(TypeError);
  expect(() => ffi.string(ffi.new('struct pt *'))).toThrow(TypeError);
});

test('a pointer of the wrong type passed to a function throws before C runs', () => {
  expect(() => C.pt_sum(ffi.new('int[3]'), 3)).toThrow(/expected 'const struct pt \*'/);
  expect(() => C.pt_sum(ffi.new('struct other *'), 1)).toThrow(TypeError);
  expect(() => C.pt_sum(123456, 1)).toThrow(TypeError);
  expect(() => C.free_ints(ffi.new('double *'))).toThrow(TypeError);
});

test('a closed library throws instead of calling unmapped code', () => {
  const f = new FFI();
  f.cdef('double pt_sum(const void *p, int n);');
  const lib = f.dlopen(require('../helpers/fixtures').sharedLibrary('memory.c'));
  const sum = lib.pt_sum;
  f.dlclose(lib);
  expect(() => sum(null, 0)).toThrow(/closed with ffi.dlclose/);
});
