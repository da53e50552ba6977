// A type without a size is refused the same way by every operation that needs one: an FFIError naming the type and why.
import { FFI, FFIError } from '../../lib';

const ffi = new FFI();
ffi.cdef('struct opaque; typedef ... handle_t; struct e { int n; };');

/** The error `fn` throws (the test fails when it throws none). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}

const VOID_REASON = "'void' has no size";
const OPAQUE_REASON = "'struct opaque' is declared but never defined (opaque)";

test.each([
  ['ffi.sizeof', () => ffi.sizeof('void'), `ffi.sizeof('void'): ${VOID_REASON}`],
  ['ffi.sizeof of a typedef ... type', () => ffi.sizeof('handle_t'), "ffi.sizeof('handle_t'): 'handle_t' is opaque ('typedef ... handle_t;'); use pointers to it"],
  ['ffi.sizeof of a function type', () => ffi.sizeof('int(int)'), "ffi.sizeof('int(int)'): 'int(int)' is a function type, which has no size"],
  ['ffi.sizeof of an open array', () => ffi.sizeof('int[]'), "ffi.sizeof('int[]'): 'int[]' is an array of unknown length, which has no size"],
  ['ffi.alignof', () => ffi.alignof('struct opaque'), `ffi.alignof('struct opaque'): ${OPAQUE_REASON}`],
  ['ffi.offsetof of a field', () => ffi.offsetof('struct opaque', 'x'), `ffi.offsetof('struct opaque'): ${OPAQUE_REASON}`],
  ['ffi.offsetof of an index', () => ffi.offsetof('void *', 1), `ffi.offsetof('void *'): ${VOID_REASON}`],
  ['ffi.new of a pointer', () => ffi.new('struct opaque *'), `ffi.new('struct opaque *'): ${OPAQUE_REASON}`],
  ['ffi.unpack', () => ffi.unpack(ffi.cast('void *', 4096)!, 1), `ffi.unpack(): ${VOID_REASON}`],
  ['ffi.fromBuffer', () => ffi.fromBuffer(Buffer.alloc(4), 'struct e[][0]'), "ffi.fromBuffer(): the length of 'struct e[][0]' cannot be computed from the buffer, as its items have size 0; give the length in the type"],
  ['pointer arithmetic', () => ffi.cast('void *', 4096)!.add(1), `void *.add(): ${VOID_REASON}`],
  ['pointer indexing', () => ffi.cast('struct opaque *', 4096)![1], `struct opaque *[1]: ${OPAQUE_REASON}`],
  ['pointer element writes', () => { ffi.cast('void *', 4096)![0] = 1; }, `void *[0]: ${VOID_REASON}`],
])('%s', (_name, fn, message) => {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(FFIError);
  expect((e as Error).message).toBe(message);
});

test('items of size 0 (arrays of no items, an empty struct as GCC lays it out) are allocated, one byte their cdata share, as CFFI allocates them', () => {
  const a = ffi.new('struct e[2][0]');
  expect(String(a)).toBe("<cdata 'struct e[2][0]' owning 1 bytes>");
  expect(ffi.typeof(a[1])).toBe(ffi.typeof('struct e[0]'));
  const f = new FFI();
  f.cdef('struct empty {};');
  expect(f.sizeof('struct empty')).toBe(0); // GCC's size (CFFI's own layout says 1)
  expect(String(f.new('struct empty *'))).toBe("<cdata 'struct empty *' owning 1 bytes>");
  expect(String(f.new('struct empty[3]'))).toBe("<cdata 'struct empty[3]' owning 1 bytes>");
});
