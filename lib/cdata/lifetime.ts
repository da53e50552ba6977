// Lifetimes of cdata that hold more than memory: gc() destructors, callback slots, handles, and release() of any of them.
import { DESCRIBE, FFIError, show, TypeError } from '../errors';
import { PointerType, VOID, pointerTo } from '../ctype/model';
import { onCallbacksExhausted } from '../backend/koffi';
import { CData, isCData, MEM, ADDR, OFF, LEN, OWN, TYPE, ownsNoBytes } from './base';
import { CDataClass, classOf, knownBytes, ownMemory } from './classes';
import { callbackCData } from './call';
import type { CallbackOptions, Trampoline } from './callback';
import { Memory, NOWHERE, addressHex, allocate, guardedMemory, wholeBuffer } from './memory';

/** What ffi.release() must do first for cdata that hold more than memory: a destructor, a callback slot, a handle. */
const releasers = new WeakMap<object, () => void>();

interface GcRecord {
  readonly destructor: (c: CData) => unknown;
  readonly original: CData;
  /** Run, or removed by ffi.gc(x, null): the finalizer that comes later does nothing. */
  done: boolean;
}

// One registration per ffi.gc() cdata, with no unregister token and no side table: a removed or
// run destructor is marked done instead (a token or a WeakMap entry per cdata costs the garbage
// collector more than the registration itself).
const finalizers = new FinalizationRegistry<GcRecord>((r) => runDestructor(r));

function runDestructor(r: GcRecord): void {
  if (r.done) return;
  r.done = true;
  try {
    r.destructor(r.original);
  } catch (e) {
    process.emitWarning(`ffi.gc(): the destructor of ${show(r.original)} threw: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** The destructor record of `c` when c is a cdata ffi.gc() returned and its destructor is still to run. */
function gcRecordOf(c: CData): GcRecord | null {
  const m = c[MEM];
  const r = m.gc as GcRecord | null;
  return r !== null && m.keep === c && !r.done ? r : null;
}

/**
 * ffi.gc: a new cdata for the same memory whose collection calls `destructor(original)` once; with
 * `null`, removes the destructor of a cdata ffi.gc() returned (nothing is returned, as in CFFI).
 */
export function gcAttach(c: CData, destructor: ((c: CData) => unknown) | null): CData | undefined {
  if (destructor === null) {
    const r = gcRecordOf(c);
    if (r === null) throw new TypeError(`ffi.gc(): ${show(c)} has no destructor to remove; only a cdata returned by ffi.gc() has one`);
    r.done = true;
    c[MEM].gc = null;
    return undefined;
  }
  if (typeof destructor !== 'function') throw new TypeError(`ffi.gc(): expected a destructor function or null, got ${show(destructor)}`);
  const Cls = c.constructor as CDataClass;
  const copy = new Cls(NOWHERE, c[ADDR], c[OFF], c[LEN], Math.max(c[OWN], knownBytes(c)));
  // The copy's own Memory (the same bytes) keeps the copy, and so the destructor, waiting while any
  // view derived from it lives; releasing the copy closes it for all of them.
  const memory = guardedMemory(ownMemory(c), null);
  memory.keep = copy;
  const record: GcRecord = { destructor, original: c, done: false };
  memory.gc = record;
  copy[MEM] = memory;
  finalizers.register(copy, record);
  return copy;
}

interface LiveCallback {
  readonly ref: WeakRef<object>;
  readonly trampoline: Trampoline;
}
/** Every live ffi.callback, weakly: when koffi's slots run out, the collected ones are freed at once. */
const liveCallbacks = new Set<LiveCallback>();
const callbackSlots = new FinalizationRegistry<LiveCallback>((entry) => {
  entry.trampoline.release();
  liveCallbacks.delete(entry);
});

onCallbacksExhausted(() => {
  collectGarbage();
  let freed = 0;
  for (const entry of liveCallbacks) {
    if (entry.ref.deref() === undefined) {
      entry.trampoline.release(); // its finalizer may not have run yet: releasing twice is harmless
      liveCallbacks.delete(entry);
      freed++;
    }
  }
  return freed > 0;
});

/**
 * A full garbage collection, so that callbacks nobody references can be told apart from live ones,
 * when the program allows one: a process started with --expose-gc has `gc()`. node-cffi does not
 * turn the flag on itself (a library leaves the process it is loaded into as it found it). Without
 * it, the slots freed now are those of callbacks V8 has collected already; the others come back
 * through their finalizers after a collection that follows the current job.
 */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: unknown }).gc;
  if (typeof gc === 'function') gc();
}

/**
 * ffi.callback: a C function pointer of type `t` (a function pointer type) running `fn`. Its slot
 * is freed when the cdata is garbage-collected, or now by ffi.release(); C must not call it after.
 */
export function callback(t: PointerType, fn: (...args: unknown[]) => unknown, options: CallbackOptions, label: string): CData {
  const { cdata, trampoline, guard } = callbackCData(t, fn, options, label);
  const entry = { ref: new WeakRef(cdata), trampoline };
  callbackSlots.register(cdata, entry, cdata);
  liveCallbacks.add(entry);
  releasers.set(cdata, () => {
    callbackSlots.unregister(cdata);
    liveCallbacks.delete(entry);
    guard.close('the callback was released with ffi.release()', 'FFIError');
    trampoline.release();
  });
  return cdata;
}

/** Live handles: the object behind each handle's address, until the handle is released or collected. */
const handles = new Map<number, { readonly object: unknown }>();
const handleSlots = new FinalizationRegistry<{ address: number; entry: object }>(({ address, entry }) => {
  if (handles.get(address) === entry) handles.delete(address);
});

/** ffi.newHandle: a 'void *' standing for `object`, which C can carry around and give back. */
export function newHandle(object: unknown): CData {
  const t = pointerTo(VOID);
  const b = allocate(1, 1); // one byte of our own: a unique address for as long as the handle lives
  const c = new (classOf(t))(b.memory, b.address, b.offset, 0, 1);
  const entry = { object };
  handles.set(b.address, entry);
  handleSlots.register(c, { address: b.address, entry }, c);
  releasers.set(c, () => {
    handleSlots.unregister(c);
    if (handles.get(b.address) === entry) handles.delete(b.address);
  });
  return c;
}

/** ffi.fromHandle: the object a live handle stands for. */
export function fromHandle(p: unknown): unknown {
  if (!isCData(p) || p[TYPE].kind !== 'pointer') throw new TypeError(`ffi.fromHandle(): expected a 'void *' from ffi.newHandle(), got ${show(p)}`);
  const entry = typeof p[ADDR] === 'number' ? handles.get(p[ADDR]) : undefined;
  if (!entry) throw new FFIError(`ffi.fromHandle(): ${addressHex(p[ADDR])} is not a live handle (never made by ffi.newHandle(), or released)`);
  return entry.object;
}

const releasedNames = new WeakMap<object, string>();
const released = new Proxy(Object.create(null) as object, {
  get(_t, key, receiver) {
    const name = releasedNames.get(receiver) ?? 'cdata';
    if (key === Symbol.for('nodejs.util.inspect.custom') || key === 'toString' || key === DESCRIBE) {
      return () => `<${name} released>`;
    }
    if (key === Symbol.toPrimitive || key === 'then' || key === 'toJSON' || key === 'asymmetricMatch') return undefined;
    throw new TypeError(`${name} was released by ffi.release() and can no longer be used`);
  },
  set(_t, _key, _v, receiver) {
    throw new TypeError(`${releasedNames.get(receiver) ?? 'cdata'} was released by ffi.release() and can no longer be used`);
  },
});

const RELEASED = 'its memory was released by ffi.release() and can no longer be used';

/**
 * ffi.release: runs a gc() destructor now, frees a callback's slot or a handle now, or gives
 * ffi.new memory back now. The cdata cannot be used afterwards, nor any view derived from it
 * (casts, fields, elements, pointers from ffi.addressof or p.add), which share its Memory.
 */
export function release(c: unknown): void {
  if (!isCData(c)) throw new TypeError(`ffi.release(): expected a cdata from ffi.new(), ffi.gc(), ffi.callback() or ffi.newHandle(), got ${show(c)}`);
  const record = gcRecordOf(c);
  const releaser = record === null ? releasers.get(c) : undefined;
  if (record !== null) {
    c[MEM].gc = null;
    runDestructor(record);
    c[MEM].close(RELEASED);
  } else if (releaser) {
    releasers.delete(c);
    releaser();
  } else if (ownsNoBytes.has(c)) {
    // An allocation of 0 bytes: nothing to give back (its place in a slab is shared with others).
  } else if (c[OWN] === 0) {
    throw new TypeError(`ffi.release(): ${show(c)} does not own what it refers to (ffi.new(), ffi.gc(), ffi.callback() and ffi.newHandle() results do)`);
  } else {
    releaseMemory(c[MEM]);
  }
  releasedNames.set(c, `cdata '${c[TYPE].cname}'`);
  c[ADDR] = 0;
  Object.setPrototypeOf(c, released);
}

/**
 * Closes an allocation's Memory (a slab piece no view derived from keeps sharing its slab's: nothing
 * else reads it), and frees a block with an ArrayBuffer of its own now by detaching it: Buffers
 * from ffi.buffer() over it become empty.
 */
function releaseMemory(m: Memory): void {
  if (m.kind === 'slab') return;
  const whole = wholeBuffer(m);
  m.close(RELEASED);
  if (whole && whole.byteLength > 0) structuredClone(whole, { transfer: [whole] });
}
