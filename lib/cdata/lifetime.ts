// Lifetimes of cdata that hold more than memory: gc() destructors, callback slots, handles, and release() of any of them.
import { DESCRIBE, FFIError, RangeError, show, TypeError } from '../errors';
import { CType, PointerType, VOID } from '../ctype/model';
import { pointerTo } from '../ctype/intern';
import { bufferAddress, onCallbacksExhausted } from '../backend/calls';
import { native } from '../backend/native';
import { ADDR, BRAND, CData, CLASS, releasedNames, DESTRUCTOR, fromBuffers, isCData, LEN, MEM, OFF, OWN, ownsNoBytes, REPR, TYPE, useReleaseOnDispose } from './base';
import { inspect } from 'util';
import { CDataClass, classOf, ownMemory } from './classes';
import { knownBytes } from './access';
import { began, callbackCData, heldByCallInFlight, makeFunctionPointer, settled } from './call';
import { acceptsPointer, standIn } from './pointers';
import type { CallbackOptions, Trampoline } from './callback';
import { Block, Memory, addressHex, allocate, guardedMemory, placeMemory, wholeBuffer } from './memory';
import { newCData } from './api';
import { goneError } from './faults';

/** What ffi.release() must do first for callbacks and handles (destructors are found through their cdata's Memory). */
const releasers = new WeakMap<object, () => void>();

/**
 * Destructors JavaScript calls, waiting for their cdata (one ffi.gc() returned, or one an allocator
 * made) to be collected: three entries a slot in `slots` — the destructor (null once run, or
 * removed by ffi.gc(q, null)), what it is given (kept until the cdata is collected), and its weight
 * (see `waitFor`). The FinalizationRegistry holds only the slot's number, which the cdata keeps too
 * (an ffi.gc() copy in its DESTRUCTOR field, an allocator's cdata in its Memory's `gc`), for
 * ffi.gc(q, null) and ffi.release(). A small integer is no object to allocate, to copy at each
 * young collection or to trace: measured in Node 20, ffi.gc() allocated 330 bytes in the young
 * generation with a record object per destructor, and 200 (the cdata and its Memory) with a
 * number. An ffi.gc() copy now makes no Memory until a view derives from it (copyClassOf):
 * about 180 bytes a call kept until the copy is collected, the registry's cell included, against
 * 300 before (heap growth of 100,000 kept copies). A slot is reused only once its finalizer has
 * run: no number outlives its registration. (An unregister token per cdata, or a WeakMap from the
 * cdata to its slot, cost the collector more than they save: measured, ffi.gc() took about 1.4 and
 * 2.5 times as long.)
 */
const slots: unknown[] = [];
const SLOT = 3;
/** Slots whose finalizer has run, to reuse. */
const freeSlots: number[] = [];
/** The slots made so far (a counter, not `slots.length / SLOT`, which V8 computes as a double, to box). */
let slotCount = 0;

const finalizers = new FinalizationRegistry<number>((slot) => {
  unweigh(slot);
  runSlot(slot);
  slots[slot * SLOT + 1] = null;
  freeSlots.push(slot);
  if (freeSlots.length === slotCount) {
    // None waits: the table a burst of destructors grew is given back.
    slots.length = 0;
    freeSlots.length = 0;
    slotCount = 0;
  }
});

/** Runs the destructor of a slot if it has not run nor been removed, once. */
function runSlot(slot: number): void {
  const at = slot * SLOT;
  const destructor = slots[at] as ((c: CData) => unknown) | null;
  slots[at] = null;
  if (destructor !== null) callDestructor(destructor, slots[at + 1] as CData);
}

function callDestructor(destructor: (c: CData) => unknown, original: CData): void {
  try {
    destructor(original);
  } catch (e) {
    process.emitWarning(`ffi.gc(): the destructor of ${show(original)} threw: ${(e as Error)?.message ?? String(e)}`);
  }
}

/**
 * What a destructor JavaScript calls counts for in V8's external memory while it waits, besides
 * ffi.gc()'s `size`. V8 keeps an object a FinalizationRegistry watches through every young
 * collection, until a full one: without a charge, a program that makes many small cdata with
 * destructors grows by all of them (about 180 bytes each, and what they free) before V8 sees a
 * reason to collect. At this charge, 32,768 waiting destructors make the 64 MiB of external
 * memory growth at which V8 starts a full collection, which runs them on a later turn of the event
 * loop. (Half of it made about 14% fewer instructions per ffi.gc() but nearly doubled the
 * bench's RSS row: 45-49 MiB against 21-26, bound 64.)
 */
const DESTRUCTOR_CHARGE = 2048;
/**
 * The most the waiting destructors count for together (131,072 of them). Destructors can only run
 * on a turn of the event loop: a synchronous loop that makes more would otherwise have V8 collect
 * again at each 64 MiB step, in vain, for as long as it runs.
 */
const DESTRUCTORS_CHARGED = 256 * 1024 * 1024;
let destructorsCharged = 0;

/** Charges not yet told to V8: told once they reach UNREPORTED_LIMIT either way, so that ffi.gc() does not cross into C each time. */
let unreported = 0;
const UNREPORTED_LIMIT = 64 * 1024;

/** Counts `delta` bytes more (or less, when negative) in V8's external memory. */
function charge(delta: number): void {
  unreported += delta;
  if (unreported >= UNREPORTED_LIMIT || unreported <= -UNREPORTED_LIMIT) {
    const n = unreported;
    unreported = 0;
    native!.adjustExternalMemory(n);
  }
}

/** Gives back the external memory a slot reported (its weight, see `waitFor`), once. */
function unweigh(slot: number): void {
  const at = slot * SLOT + 2;
  const weight = slots[at] as number;
  slots[at] = 0;
  if (weight < 0) {
    destructorsCharged -= DESTRUCTOR_CHARGE;
    charge(weight + 1 - DESTRUCTOR_CHARGE);
  } else if (weight > 0) {
    charge(-weight);
  }
}

/**
 * A slot for `destructor(original)`, called once the collector has taken `c`, waiting from now:
 * counted in V8's external memory (with the native helper) for its `size`, and DESTRUCTOR_CHARGE
 * while the waiting ones count for less than DESTRUCTORS_CHARGED. The slot's weight is what it
 * counts for: `size`, or -1 - `size` when DESTRUCTOR_CHARGE too.
 */
function waitFor(c: CData, destructor: (c: CData) => unknown, original: CData, size: number): number {
  let weight = 0;
  if (native !== null) {
    if (destructorsCharged < DESTRUCTORS_CHARGED) {
      destructorsCharged += DESTRUCTOR_CHARGE;
      charge(size + DESTRUCTOR_CHARGE);
      weight = -1 - size;
    } else if (size > 0) {
      charge(size);
      weight = size;
    }
  }
  const slot = freeSlots.length > 0 ? freeSlots.pop()! : slotCount++;
  const at = slot * SLOT;
  slots[at] = destructor;
  slots[at + 1] = original;
  slots[at + 2] = weight;
  finalizers.register(c, slot);
  return slot;
}

/**
 * A destructor the garbage collector calls itself (a C function, see `cDestructor`), held by the
 * native helper: what ffi.gc(q, null) and ffi.release() need to take it back.
 */
interface CRecord {
  /** null once run or taken back. */
  destructor: ((c: CData) => unknown) | null;
  readonly original: CData;
  /** The cdata ffi.gc() returned, which the helper watches. */
  readonly copy: CData;
  /** The destructor as a function pointer (its library stays loaded while the helper may call it). */
  readonly pointer: CData;
}

/** A cdata's destructor: its slot, or its record when the collector calls it itself. */
type Destructor = number | CRecord;

/** The destructor of `c` when c is a cdata ffi.gc() returned or an allocator made (also once its destructor was removed). */
function destructorOf(c: CData): Destructor | null {
  const own = c[DESTRUCTOR] as Destructor | null;
  if (own !== null) return own;
  const m = c[MEM];
  const d = m.gc as Destructor | null;
  return d !== null && m.keep === c ? d : null;
}

/**
 * The class of the cdata ffi.gc() returns for cdata of class `Cls`: Cls with the destructor as a
 * field of its own (DESTRUCTOR), made once per class. Such a copy reads through the Memory of
 * the cdata it copies until a view derives from it (ownMemory in classes.ts gives it its own then),
 * so that a destructor costs no Memory of its own: a Memory is most of what ffi.gc() allocated,
 * and each byte of it stays through every young collection until the copy is collected.
 */
function copyClassOf(Cls: CDataClass): CDataClass {
  const made = (Cls as { [COPY_CLASS]?: CDataClass })[COPY_CLASS];
  if (made !== undefined) return made;
  const Copy = class extends Cls {
    override [DESTRUCTOR]: Destructor | null = null;
  };
  // Its prototype's `constructor` would hide a struct field of that name that Cls answers.
  delete (Copy.prototype as { constructor?: unknown }).constructor;
  Object.defineProperty(Cls, COPY_CLASS, { value: Copy });
  return Copy;
}
const COPY_CLASS = Symbol('node-cffi.gcCopyClass');

/** Takes a destructor away without running it (ffi.gc(q, null)), or runs it now (ffi.release). */
function endDestructor(d: Destructor, run: boolean): void {
  if (typeof d === 'number') {
    // What the destructor was given stays in the slot until the cdata is collected: a cdata whose
    // destructor was removed still reads the original's memory, which the original may own.
    unweigh(d);
    if (run) runSlot(d);
    slots[d * SLOT] = null;
    return;
  }
  const pending = gcFree!.gcCancel!(d.copy);
  if (pending) settled(d.pointer[MEM]);
  const destructor = d.destructor;
  d.destructor = null;
  if (pending && run && destructor !== null) callDestructor(destructor, d.original);
}

/** What a C destructor the collector calls keeps alive until it has run: its library (through `pointer`), and the cdata it is given. */
interface CKeep {
  readonly pointer: CData;
  readonly original: CData;
}

// The native helper tells, on the JavaScript thread, of each C destructor the collector has run:
// its library may unload from then on (ffi.dlclose() waits for it, as for .async calls).
const gcFree = native?.gcFree ? native : null;
gcFree?.gcNotify!((keep) => settled((keep as CKeep).pointer[MEM]));

/**
 * The function pointer of a destructor the garbage collector can call itself: a library function
 * (whose code stays loaded meanwhile) taking one pointer that `c` can be passed as, for a cdata
 * whose address the helper takes (0 to 2^53). Otherwise null: JavaScript calls the destructor,
 * on a turn of the event loop after the collection.
 */
function cDestructor(destructor: unknown, c: CData): CData | null {
  const p = standIn(destructor);
  if (p === undefined || typeof p[ADDR] !== 'number' || typeof c[ADDR] !== 'number' || c[ADDR] < 0 || !p[MEM].ok) return null;
  const f = (p[TYPE] as PointerType).item;
  if (f.kind !== 'function' || f.ellipsis || f.args.length !== 1) return null;
  const arg = f.args[0];
  const ct = c[TYPE];
  if (arg.kind !== 'pointer' || !(ct.kind === 'pointer' || ct.kind === 'array') || !acceptsPointer(arg, ct)) return null;
  return p;
}

/** The most bytes an ArrayBuffer stands for when there is no native helper to report external memory. */
const MAX_WEIGHT = 2 ** 30;

/**
 * ffi.gc: a new cdata for the same memory whose collection calls `destructor(original)` once, or
 * (destructor null) removes the destructor of a cdata ffi.gc() returned. `size` bytes are reported
 * to V8 as memory outside its heap while the destructor waits, so that it collects sooner; and
 * when `destructor` is a library function taking one pointer and the native helper is loaded, the
 * garbage collector calls it itself, even while a synchronous loop runs.
 */
export function gcAttach(c: CData, destructor: ((c: CData) => unknown) | null, size = 0): CData | undefined {
  if (destructor === null) {
    const d = destructorOf(c);
    if (d === null) throw new TypeError(`ffi.gc(): ${show(c)} was not returned by ffi.gc(), so it has no destructor to remove`);
    endDestructor(d, false);
    return undefined;
  }
  if (typeof destructor !== 'function') throw new TypeError(`ffi.gc(): expected a destructor function or null, got ${show(destructor)}`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new TypeError(`ffi.gc(): expected size as a number of bytes (a non-negative integer), got ${show(size)}`);
  }
  // The copy reads through c's Memory; the first view derived from it gets a Memory of its own,
  // which keeps the copy, and so the destructor, waiting while any such view lives; releasing the
  // copy closes that Memory for all of them (classes.ts, ownMemory).
  const memory = ownMemory(c);
  const copy =
    typeof c === 'function'
      ? functionPointerCopy(c, memory)
      : new (copyClassOf(c[CLASS]))(memory, c[ADDR], c[OFF], c[LEN], Math.max(c[OWN], knownBytes(c)));
  const pointer = size > 0 && gcFree ? cDestructor(destructor, c) : null;
  if (pointer !== null) {
    const keep: CKeep = { pointer, original: c };
    gcFree!.gcFree!(copy, pointer[ADDR] as number, c[ADDR] as number, size, keep);
    began(pointer[MEM]);
    copy[DESTRUCTOR] = { destructor, original: c, copy, pointer } satisfies CRecord;
    return copy;
  }
  copy[DESTRUCTOR] = waitFor(copy, destructor, c, native ? size : 0);
  if (size > 0 && !native) copy[MEM] = guardedMemory(memory, { copy, weight: weight(size) });
  return copy;
}

/**
 * ffi.gc() of a function pointer: another function pointer to the same code, answering to the
 * same library or callback (its guard), with a destructor field of its own and a Memory of its
 * own (its gate), which releasing the copy closes: calls through the copy are refused from then on,
 * while the original stays callable.
 */
function functionPointerCopy(c: CData, guard: Memory): CData {
  const gate = guardedMemory(guard, null);
  const copy = makeFunctionPointer(c[TYPE] as PointerType, c[ADDR], guard, undefined, gate);
  gate.keep = copy;
  Object.defineProperty(copy, DESTRUCTOR, { value: null, writable: true, enumerable: false });
  return copy;
}

/**
 * Memory V8 counts outside its heap, standing for `size` bytes a destructor will free, where no
 * native helper can report them: an ArrayBuffer of that size (at most 1 GiB), which the system
 * backs with pages only when written (never, here). Null when even that is refused.
 */
function weight(size: number): ArrayBuffer | null {
  try {
    return new ArrayBuffer(Math.min(size, MAX_WEIGHT));
  } catch {
    return null;
  }
}

/** The options of ffi.newAllocator() (CFFI's new_allocator). */
export interface AllocatorOptions {
  /** Gives the memory: called with a size in bytes, returns a cdata pointer (or array) to at least that many, or NULL (a RangeError). */
  alloc?: ((size: number) => unknown) | null;
  /** Called with what `alloc` returned once the cdata made in it is garbage-collected (or released); needs `alloc`. */
  free?: ((raw: CData) => unknown) | null;
  /** Zero the memory before it is initialised (default true); false takes it as `alloc` gives it. */
  shouldClearAfterAlloc?: boolean;
}

/** An allocator of ffi.newAllocator(), for a type already resolved. */
export type Allocate = (t: CType, init: unknown) => CData;

/**
 * CFFI's new_allocator: a function that makes cdata as ffi.new() does, in memory that `alloc`
 * gives (JavaScript or C functions alike: `lib.malloc`), handed to `free` once the cdata is
 * collected; without `alloc`, ffi.new()'s own memory, left unzeroed when `shouldClearAfterAlloc`
 * is false.
 */
export function newAllocator(options: AllocatorOptions): Allocate {
  const where = 'ffi.newAllocator()';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: expected options as an object, got ${show(options)}`);
  const { alloc = null, free = null, shouldClearAfterAlloc = true } = options;
  if (alloc !== null && typeof alloc !== 'function') throw new TypeError(`${where}: options.alloc: expected a function, got ${show(alloc)}`);
  if (free !== null && typeof free !== 'function') throw new TypeError(`${where}: options.free: expected a function, got ${show(free)}`);
  if (free !== null && alloc === null) throw new TypeError(`${where}: options.free needs options.alloc: free() receives what alloc() returned`);
  if (typeof shouldClearAfterAlloc !== 'boolean') {
    throw new TypeError(`${where}: options.shouldClearAfterAlloc: expected a boolean, got ${show(shouldClearAfterAlloc)}`);
  }
  if (alloc === null) return shouldClearAfterAlloc ? (t, init) => newCData(t, init) : (t, init) => newCData(t, init, unzeroed);
  return (t, init) => {
    let raw: CData | null = null;
    const place = (size: number): Block => {
      const r: unknown = alloc(size);
      if (r === null) throw new RangeError(`allocator: alloc() returned NULL for ${size} bytes`);
      if (!isCData(r) || (r[TYPE].kind !== 'pointer' && r[TYPE].kind !== 'array')) {
        throw new TypeError(`allocator: alloc() must return a cdata pointer to ${size} bytes, got ${show(r)}`);
      }
      raw = r;
      return blockIn(r, size, shouldClearAfterAlloc);
    };
    const c = newCData(t, init, place);
    const given = raw as unknown as CData;
    if (free === null) {
      c[MEM].keep = given; // the memory is the raw cdata's: it lives as long as this cdata, or a view of it
      return c;
    }
    c[MEM].keep = c; // a view derived from c keeps c, and so the call of free(), waiting
    c[MEM].gc = waitFor(c, free as (raw: CData) => unknown, given, 0);
    return c;
  };
}

/** ffi.new()'s memory, not zeroed: a fresh ArrayBuffer whose bytes are whatever malloc() gave. */
function unzeroed(size: number): Block {
  const buffer = Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
  return { memory: new Memory('owned', new DataView(buffer), 0, size, buffer, buffer), offset: 0, address: bufferAddress(buffer) };
}

/** `size` bytes at the memory of `raw` (an allocator's alloc() result), zeroed when asked, as a Block of their own. */
function blockIn(raw: CData, size: number, clear: boolean): Block {
  const where = 'allocator';
  const have = knownBytes(raw);
  if (raw[MEM].kind !== 'c' && have < size) throw new RangeError(`${where}: alloc() returned ${show(raw)}, ${have} bytes, for ${size} bytes`);
  let view: DataView;
  let offset: number;
  if (raw[MEM].kind === 'c') {
    const place = placeMemory(raw[ADDR], size);
    if (place.memory.v.byteLength < place.offset + size) throw new RangeError(`${where}: alloc() returned ${show(raw)}, where no memory can be read`);
    view = place.memory.v;
    offset = place.offset;
  } else {
    const own = ownMemory(raw);
    const e = goneError(raw, where);
    if (e) throw e;
    view = own.v;
    offset = raw[OFF];
  }
  if (clear) new Uint8Array(view.buffer, view.byteOffset + offset, size).fill(0);
  const memory = new Memory('guarded', view, offset, offset + size, raw, raw[MEM].kind === 'c' ? null : ownMemory(raw).buffer);
  if (raw[MEM].kind !== 'c') {
    // Checked before C gets its address: the alloc() result may be released, or its ArrayBuffer detached, meanwhile.
    memory.under = ownMemory(raw);
    memory.ok = false;
  }
  return { memory, offset, address: raw[ADDR] as number };
}

interface LiveCallback {
  readonly ref: WeakRef<object>;
  readonly trampoline: Trampoline;
}
/** Every live ffi.callback, weakly: when koffi's slots run out, the collected ones are freed at once. */
const liveCallbacks = new Set<LiveCallback>();
const callbackSlots = new FinalizationRegistry<LiveCallback>((entry) => freeSlot(entry));

/**
 * What a callback's slot counts for in V8's external memory while the callback lives. koffi has
 * 8,192 slots, and a dropped callback's slot comes back only after V8 collects its cdata, which a
 * program of small objects may not do for a long time. At this charge, 512 callbacks make the
 * 64 MiB of external memory growth at which V8 starts collecting, and each one made after that
 * moves the collection on. It shows in the count napi_adjust_external_memory returns (1 GiB for all
 * 8,192 slots), which Node 20's process.memoryUsage().external leaves out.
 */
const SLOT_CHARGE = 128 * 1024;

/** Gives a callback's slot back to koffi and its charge back to V8; once, whichever of release, finalizer or exhaustion comes first. */
function freeSlot(entry: LiveCallback): void {
  if (!liveCallbacks.delete(entry)) return;
  entry.trampoline.release();
  native?.adjustExternalMemory(-SLOT_CHARGE);
}

onCallbacksExhausted(() => {
  collectGarbage();
  let freed = 0;
  for (const entry of liveCallbacks) {
    if (entry.ref.deref() === undefined) {
      freeSlot(entry); // its finalizer has not run yet, and will find it freed
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
  native?.adjustExternalMemory(SLOT_CHARGE);
  releasers.set(cdata, () => {
    if (trampoline.running() > 0) {
      throw new FFIError(`ffi.release(): ${show(cdata)} is running (C called it and has not returned); release it once it has`);
    }
    callbackSlots.unregister(cdata);
    guard.close('the callback was released with ffi.release()', 'FFIError');
    freeSlot(entry);
  });
  return cdata;
}

/**
 * Live handles: the handle cdata at each handle's address, weakly, until it is released or
 * collected. The cdata holds its object (HANDLED), so that an object holding its own handle is
 * collected with it, as CFFI collects the cycle.
 */
const handles = new Map<number, WeakRef<CData>>();
const HANDLED = Symbol('node-cffi.handled');
const handleSlots = new FinalizationRegistry<{ address: number; entry: object }>(({ address, entry }) => {
  if (handles.get(address) === entry) handles.delete(address);
});

/** How a handle's repr shows its object: on one line, shortened. */
const HANDLE_SHOWN = { depth: 0, maxArrayLength: 5, maxStringLength: 40, breakLength: Infinity };

/** ffi.newHandle: a 'void *' standing for `object`, which C can carry around and give back. */
export function newHandle(object: unknown): CData {
  const t = pointerTo(VOID);
  const b = allocate(1, 1); // one byte of our own: a unique address for as long as the handle lives
  const c = new (classOf(t))(b.memory, b.address, b.offset, 0, 1);
  const entry = new WeakRef(c);
  Object.defineProperty(c, HANDLED, { value: object });
  // As CFFI shows a handle: what it stands for.
  Object.defineProperty(c, REPR, { value: function (this: CData) { return `<cdata 'void *' handle to ${inspect(this[HANDLED as never], HANDLE_SHOWN)}>`; } });
  handles.set(b.address, entry);
  handleSlots.register(c, { address: b.address, entry }, c);
  releasers.set(c, () => {
    handleSlots.unregister(c);
    if (handles.get(b.address) === entry) handles.delete(b.address);
  });
  return c;
}

/** ffi.fromHandle: the object a live handle stands for, given as a 'void *' or (as CFFI takes it) a 'char *'. */
export function fromHandle(p: unknown): unknown {
  if (p === null) throw new FFIError('ffi.fromHandle(): the handle is NULL; pass a pointer from ffi.newHandle()');
  const item = isCData(p) && p[TYPE].kind === 'pointer' ? (p[TYPE] as PointerType).item : null;
  if (item === null || !(item.kind === 'void' || (item.kind === 'primitive' && item.name === 'char'))) {
    throw new TypeError(`ffi.fromHandle(): expected a 'void *' from ffi.newHandle(), got ${show(p)}`);
  }
  const a = (p as CData)[ADDR];
  const handle = typeof a === 'number' ? handles.get(a)?.deref() : undefined;
  if (!handle) throw new FFIError(`ffi.fromHandle(): ${addressHex(a)} is not a live handle (never made by ffi.newHandle(), or released)`);
  return handle[HANDLED as never];
}

const released = new Proxy(Object.create(null) as object, {
  get(_t, key, receiver) {
    const name = releasedNames.get(receiver) ?? 'cdata';
    if (key === Symbol.for('nodejs.util.inspect.custom') || key === 'toString') return () => `<${name} released>`;
    // In a message (show()): "… got cdata 'int[2]', released by ffi.release()", after the call and argument it was given to.
    if (key === DESCRIBE) return () => `${name}, released by ffi.release()`;
    // No longer a cdata to isCData(), so that what it is given to refuses it as a value of the wrong kind, in its own words.
    if (key === BRAND || key === TYPE || key === Symbol.toStringTag) return undefined;
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
  if (releasedNames.has(c as object)) return; // as CFFI: releasing again does nothing
  if (!isCData(c)) throw new TypeError(`ffi.release(): expected a cdata from ffi.new(), ffi.gc(), ffi.callback() or ffi.newHandle(), got ${show(c)}`);
  if (heldByCallInFlight(c)) {
    throw new FFIError(`ffi.release(): ${show(c)} is an argument of an .async call that has not settled, and C may still use it; release it once the call's promise settles`);
  }
  const destructor = destructorOf(c);
  const releaser = destructor === null ? releasers.get(c) : undefined;
  if (destructor !== null) {
    endDestructor(destructor, true);
    ownMemory(c).close(RELEASED);
  } else if (releaser) {
    releaser(); // may refuse (a callback C is running): then nothing is released
    releasers.delete(c);
  } else if (fromBuffers.has(c)) {
    c[MEM].close(RELEASED); // as CFFI: the cdata ends; the buffer stays its owner's
  } else if (ownsNoBytes.has(c)) {
    // An allocation of 0 bytes: nothing to give back (its place in a slab is shared with others).
  } else if (c[OWN] === 0 || c[TYPE].kind === 'struct' || c[TYPE].kind === 'union') {
    // (Item 0 of an owning struct pointer shows what the pointer owns, but the pointer is what ffi.new() returned.)
    throw new TypeError(`ffi.release(): ${show(c)} does not own what it refers to (ffi.new(), ffi.gc(), ffi.callback() and ffi.newHandle() results do)`);
  } else {
    releaseMemory(c[MEM]);
  }
  releasedNames.set(c, `cdata '${c[TYPE].cname}'${fromBuffers.has(c) ? ' buffer' : ''}`);
  c[ADDR] = 0;
  Object.setPrototypeOf(c, released);
}

useReleaseOnDispose(release);

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
