// What the ports of CFFI's tests (test/cffi) share: Python's int, id and gc.collect() in JavaScript, and the sizes CFFI's tests ask ctypes for.
import * as os from 'os';
import * as v8 from 'v8';
import * as vm from 'vm';
import type { FFI } from '../../lib';

// The sizes ctypes reports on 64-bit Linux (LP64, 4-byte wchar_t), the only platform node-cffi supports.
/** ctypes.sizeof(ctypes.c_int). */
export const SIZE_OF_INT = 4;
/** ctypes.sizeof(ctypes.c_long). */
export const SIZE_OF_LONG = 8;
/** ctypes.sizeof(ctypes.c_short). */
export const SIZE_OF_SHORT = 2;
/** ctypes.sizeof(ctypes.c_void_p). */
export const SIZE_OF_PTR = 8;
/** ctypes.sizeof(ctypes.c_wchar) (typed number, so that tests may compare it with 2). */
export const SIZE_OF_WCHAR: number = 4;
/** sys.byteorder == 'little'. */
export const LITTLE_ENDIAN = os.endianness() === 'LE';

/** Python's `p == q` (or id()) for cdata pointers: the address, which is what cdata `==` compares. */
export const addr = (ffi: FFI, p: unknown): number | bigint => ffi.cast('uintptr_t', p);

/** Python int → JavaScript: a number when it is a safe integer, else a bigint. */
export const js = (b: bigint): number | bigint =>
  b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;

// Under jest, `new Uint16Array([...])` gets its buffer from another realm, which is not what the tests are about.
/** Python's array.array('H', values), over an ArrayBuffer of the test's own realm. */
export const u16 = (values: number[]): Uint16Array => {
  const a = new Uint16Array(new ArrayBuffer(values.length * 2));
  a.set(values);
  return a;
};
/** Python's array.array('h', values), over an ArrayBuffer of the test's own realm (as u16). */
export const i16 = (values: number[]): Int16Array => {
  const a = new Int16Array(new ArrayBuffer(values.length * 2));
  a.set(values);
  return a;
};

let collector: (() => void) | null = null;
/** V8's full collection, synchronous (exposed through --expose-gc at the first call): the collecting part of gc.collect(). */
export function gc(): void {
  if (!collector) {
    v8.setFlagsFromString('--expose-gc');
    collector = vm.runInNewContext('gc') as () => void;
  }
  collector();
}

/** A turn of the event loop: finalizers and WeakRef clearing run, the current job having ended. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Python's gc.collect(), `times` times: a full collection, then two turns of the event loop for finalizers to run. */
export async function collect(times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    gc();
    await nextTurn();
    await nextTurn();
  }
}

/** Python's gc.collect() after WeakRefs were read in the current job: a turn of the event loop (so that they may be emptied) first, then collect(). */
export async function collectAfterTurn(): Promise<void> {
  await nextTurn();
  gc();
  await nextTurn();
  await nextTurn();
}

/** The most rounds collectUntil() runs. */
export const COLLECT_ROUNDS = 1000;

// V8 runs the finalizers of one FinalizationRegistry per task, a turn of the event loop each, and the registries of
// the module instances of the test files this jest worker ran before are there too: a destructor may wait behind as
// many turns as there are registries with dead objects, and which files a worker ran before depends on how the
// machine's load spread them (100 rounds fell short on a loaded machine). Counting rounds, not time.
/** `round()` (collect() unless given) until `done()` holds, for at most COLLECT_ROUNDS rounds; the number of rounds run. */
export async function collectUntil(done: () => boolean, round: () => Promise<void> = collect): Promise<number> {
  let rounds = 0;
  for (; rounds < COLLECT_ROUNDS && !done(); rounds++) await round();
  return rounds;
}
