// `using p = ffi.new(...)`: a cdata is released when its block ends, as CFFI's `with ffi.new(...) as p:` releases it (TypeScript 5.2's explicit resource management, compiled for Node 20).
import { CData, FFI } from '../../lib';
import { expectThrow } from '../helpers/throws';

const ffi = new FFI();
ffi.cdef('void *malloc(size_t); void free(void *);');
const libc = ffi.dlopen(null);

test('an ffi.new() cdata is released when its block ends, however it ends', () => {
  let kept: CData | undefined;
  {
    using p = ffi.new('int[4]', [1, 2, 3, 4]);
    expect(p[3]).toBe(4);
    kept = p;
  }
  expectThrow(() => kept![0], TypeError, "cdata 'int[4]' was released");
  // An exception leaves the block: released all the same, and the exception is the one that propagates.
  expect(() => {
    using q = ffi.new('int *');
    kept = q;
    throw new RangeError('inside');
  }).toThrow(new RangeError('inside'));
  expectThrow(() => kept![0], TypeError, 'was released');
});

test("an ffi.gc() cdata's destructor runs when the block ends, once", () => {
  const freed: number[] = [];
  {
    using p = ffi.gc(ffi.cast('int *', libc.malloc(16)) as CData, (q: CData) => {
      freed.push(1);
      libc.free(q);
    });
    p[0] = 7;
    expect(freed).toEqual([]);
  }
  expect(freed).toEqual([1]);
});

test('ffi.fromBuffer() and newAllocator() cdata too; the buffer stays its owner\'s', () => {
  const buf = Buffer.from([1, 2, 3]);
  let view: CData | undefined;
  {
    using b = ffi.fromBuffer(buf);
    view = b;
    expect(b[2]).toBe(3);
  }
  expectThrow(() => view![0], TypeError, 'was released');
  expect([...buf]).toEqual([1, 2, 3]);
  const frees: number[] = [];
  const allocate = ffi.newAllocator({ alloc: libc.malloc, free: (raw: CData) => { frees.push(1); libc.free(raw); } });
  {
    using a = allocate('int[8]');
    a[7] = 1;
  }
  expect(frees).toEqual([1]);
});

test('a cdata that owns nothing is refused when its block ends, as ffi.release() refuses it (CFFI: ValueError on leaving with)', () => {
  const p = ffi.new('int *');
  expectThrow(() => {
    using q = ffi.cast('int *', p);
    expect(q![0]).toBe(0);
  }, TypeError, 'ffi.release(): ');
});
