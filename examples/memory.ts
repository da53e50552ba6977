// A tour of the memory model: allocate, look at addresses and layouts, point into memory, let C write into it.
import { FFI } from '../lib';

const ffi = new FFI();
ffi.cdef(`
  struct point { int x; double y; };
  void squares(int *out, int n);
  double total(const struct point *pts, int n);
`);
const C = ffi.verify(`
  struct point { int x; double y; };
  void squares(int *out, int n) { for (int i = 0; i < n; i++) out[i] = i * i; }
  double total(const struct point *pts, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += pts[i].x + pts[i].y;
    return s;
  }
`);

const hex = (p: unknown) => `0x${(ffi.cast('uintptr_t', p) as number).toString(16)}`;

// 1. Owned memory: zero-filled, freed by the garbage collector when nothing refers to it.
const ints = ffi.new('int[4]');
console.log(ints, 'at', hex(ints));
for (let i = 0; i < ints.length; i++) console.log(`  ints[${i}] at ${hex(ffi.addressof(ints, i))} = ${ints[i]}`);

// 2. C writes into it through a pointer.
C.squares(ints, 4);
console.log('C filled:', [...ints]);

// 3. Structs: the layout the compiler uses, padding included.
console.log(`struct point: size ${ffi.sizeof('struct point')}, align ${ffi.alignof('struct point')}, offset of y: ${ffi.offsetof('struct point', 'y')}`);
const pts = ffi.new('struct point[2]', [{ x: 1, y: 0.5 }, { x: 2, y: 0.25 }]);
console.log(`pts[1] at ${hex(ffi.addressof(pts, 1))}, pts[1].y at ${hex(ffi.addressof(pts, 1, 'y'))}`);
console.log('C sums them:', C.total(pts, 2));

// 4. Pointers move by items, as in C.
const p = ffi.cast('int *', ints)!;
console.log(`p = ${hex(p)}, p + 3 = ${hex(p.add(3))}, *(p + 3) = ${p.add(3)![0]}`);

// 5. The same bytes, three ways: a cdata, a zero-copy Buffer, a typed array.
const bytes = ffi.buffer(ints);
const view = ffi.view(ints) as Int32Array;
view[0] = 0x01020304;
console.log('little-endian bytes of ints[0]:', [...bytes.subarray(0, 4)], '=', ints[0].toString(16));
