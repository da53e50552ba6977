// Native memory: addresses as JavaScript holds them, Memory records (what cdata read through), slabs, and windows onto C memory.
import { bufferAddress, rawView } from '../backend/calls';
import { inRanges } from '../backend/image';
import { RangeError, TypeError } from '../errors';

// ---------------------------------------------------------------------------------------------
// Addresses

/**
 * A C address as JavaScript holds it: the 64 bits read as a signed integer, a number when it is a
 * safe integer and a bigint beyond. x86-64 and aarch64 user-space addresses, NULL, sentinels such as
 * `(void *)-1` (MAP_FAILED, SQLITE_TRANSIENT) and kernel-half addresses are all numbers; tagged
 * pointers (top byte set) are bigints. Each address has exactly one form, so `===` compares them.
 */
export type Address = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** The Address of any integer, taken modulo 2^64 as C's conversion to a pointer does. */
export function toAddress(x: bigint): Address {
  const s = BigInt.asIntN(64, x);
  return s >= MIN_SAFE && s <= MAX_SAFE ? Number(s) : s;
}

/** An address as C prints it: 0x and the unsigned 64-bit value in hex (0xffffffffffffffff for -1). */
export function addressHex(a: Address): string {
  return `0x${typeof a === 'number' && a >= 0 ? a.toString(16) : BigInt.asUintN(64, BigInt(a)).toString(16)}`;
}

/** `a + delta` bytes, wrapping modulo 2^64 as C's pointer arithmetic does on these machines. */
export function offsetAddress(a: Address, delta: number): Address {
  if (typeof a === 'number') {
    const r = a + delta;
    if (Number.isSafeInteger(r)) return r;
  }
  return toAddress(BigInt(a) + BigInt(delta));
}

/** `a - b` in bytes (a number when it is a safe integer, else a bigint). */
export function addressDistance(a: Address, b: Address): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  const d = BigInt.asIntN(64, BigInt(a) - BigInt(b));
  return d >= MIN_SAFE && d <= MAX_SAFE ? Number(d) : d;
}

// ---------------------------------------------------------------------------------------------
// Memory records

/** What a Memory is, which decides what derived cdata, releases and bounds do with it. */
export type MemoryKind =
  /** The allocations of one slab, shared until a view derives from one of them (see `ownMemory`). */
  | 'slab'
  /** One ffi.new allocation (a slab piece split off its slab, or a large block with its own ArrayBuffer). */
  | 'owned'
  /** A window onto C memory: never released, unbounded (C's pointers are trusted). */
  | 'c'
  /** C memory a node-cffi object answers for (an ffi.gc cdata, a library's global, a callback): closes with it. */
  | 'guarded'
  /** The memory of a JavaScript ArrayBuffer (ffi.fromBuffer), which its owner may detach or shrink. */
  | 'js';

/**
 * What cdata read their memory through: `v` (bytes [lo, hi) belong to this memory) and what keeps
 * it alive. Every cdata derived from an allocation (casts, fields, elements, addressof, p.add)
 * shares its Memory, so that closing the Memory (ffi.release, ffi.dlclose) makes all of them refuse
 * access: `v` becomes an empty view and `why` says why.
 */
export class Memory {
  v: DataView;
  lo: number;
  hi: number;
  /** What must stay reachable for the memory to stay alive: an ArrayBuffer, a Buffer, a cdata, a library. */
  keep: unknown;
  readonly kind: MemoryKind;
  /** True while an address in this memory may be handed to C without further checks. */
  ok: boolean;
  /** Why the memory refuses access ('' while it is usable), and the error class to refuse with. */
  why: string;
  fault: 'TypeError' | 'FFIError';
  /** C keeps this memory read-only (a const global): writes are refused. */
  readonly readonly: boolean;
  /** The ArrayBuffer the memory lives in when it can be detached or shrunk (a 'js' memory, an owned block): checked before use. */
  readonly buffer: ArrayBuffer | null;
  /** Indexes and lengths past [lo, hi) are refused rather than trusted (every memory but C's own). */
  readonly bounded: boolean;
  /** The destructor of the ffi.gc() cdata this memory was made for (its `keep`): its slot or record (see lifetime.ts), or null. */
  gc: unknown;
  /** The library that pointers read from this memory keep loaded (a library's global, data it returned), or null. */
  holds: Hold | null;
  /** The memory this one lies within (what an allocator's alloc() returned), which C must not get once it is gone; or null. */
  under: Memory | null;

  constructor(kind: MemoryKind, v: DataView, lo: number, hi: number, keep: unknown, buffer: ArrayBuffer | null = null, readonly = false, bounded = kind !== 'c') {
    this.v = v;
    this.lo = lo;
    this.hi = hi;
    this.keep = keep;
    this.kind = kind;
    this.ok = kind !== 'js';
    this.why = '';
    this.fault = 'TypeError';
    this.readonly = readonly;
    this.buffer = buffer;
    this.bounded = bounded;
    this.gc = null;
    this.holds = null;
    this.under = null;
  }

  /**
   * Makes the memory refuse access from now on, through every cdata sharing it. `fault` is the class
   * of the errors that say so. Returns the view it had.
   */
  close(why: string, fault: 'TypeError' | 'FFIError' = 'TypeError'): DataView {
    const had = this.v;
    this.v = NO_MEMORY;
    this.lo = this.hi = 0;
    this.ok = false;
    this.why = why;
    this.fault = fault;
    return had;
  }
}

/** An empty view: every access through it fails (and is turned into an error saying why). */
export const NO_MEMORY = new DataView(new ArrayBuffer(0));

/**
 * A library as the pointers it gives answer to: `guard`, its Memory for function pointers (which
 * keeps the library object, so the library, alive, and closes with it), and the copies of the
 * windows that data pointers into it were placed in, each keeping `guard` (see `heldWindow`). A
 * pointer into the library's own static data (a string literal, a table) then keeps the library
 * loaded for as long as it, or a cdata derived from it, is reachable; and is placed in a copy of
 * `inside`, which ffi.dlclose() closes, since that data goes with the library.
 */
export interface Hold {
  readonly guard: Memory;
  readonly windows: WeakMap<Memory, Memory>;
  /** The window of the last pointer placed, and its copy (most land in one window). */
  from: Memory | null;
  to: Memory | null;
  /** The copies, by window, that pointers into the library's own image are placed in. */
  readonly inside: Map<Memory, Memory>;
  /** The library's image, [start, end) pairs, asked of `imageOf` when the first pointer is placed (null until then). */
  image: readonly number[] | null;
  readonly imageOf: () => readonly number[];
}

/**
 * The copy of window `m` that keeps `h`'s library loaded, as do the pointers read through it (one per
 * window), for a pointer to `address`: one of `h.inside` when the address is in the library's image.
 */
export function heldWindow(m: Memory, h: Hold, address: Address): Memory {
  if (m.holds === h || m.v === NO_MEMORY) return m;
  const image = (h.image ??= h.imageOf());
  if (image.length > 0 && typeof address === 'number' && inRanges(image, address)) {
    let kept = h.inside.get(m);
    if (kept === undefined) h.inside.set(m, (kept = keptCopy(m, h)));
    return kept;
  }
  let kept = m === h.from ? h.to! : h.windows.get(m);
  if (kept === undefined) h.windows.set(m, (kept = keptCopy(m, h)));
  h.from = m;
  h.to = kept;
  return kept;
}

function keptCopy(m: Memory, h: Hold): Memory {
  const kept = new Memory(m.kind, m.v, m.lo, m.hi, h.guard, m.buffer, m.readonly, m.bounded);
  kept.holds = h;
  return kept;
}

/**
 * The Memory of addresses no view can reach: NULL's page, negative addresses (sentinels such as
 * (void *)-1, the kernel half), bigints (tagged pointers). Pointers there are valid cdata — compared,
 * cast, printed and passed to C — but reading or writing through them is refused.
 */
export const NOWHERE = new Memory('c', NO_MEMORY, 0, 0, null);

/** A DataView whose writes fail: C keeps what it views in read-only memory (writing there would crash). */
export class ReadOnlyView extends DataView<ArrayBufferLike> {}
for (const name of Object.getOwnPropertyNames(DataView.prototype)) {
  if (!name.startsWith('set')) continue;
  Object.defineProperty(ReadOnlyView.prototype, name, {
    value() {
      throw new TypeError('read-only memory');
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Windows onto C memory

/**
 * Any C address is read through a "window": an external ArrayBuffer over [base, base + WINDOW_SPAN).
 * Windows start every 2 GiB and span 3 GiB, so any object under 1 GiB that starts inside a window's
 * first 2 GiB lies entirely inside it. The first window starts at 4096: page zero is never memory,
 * so NULL-ish addresses fall outside every view and reads through them throw instead of crashing.
 */
const WINDOW_STEP = 2 ** 31;
const WINDOW_SPAN = 2 ** 31 + 2 ** 30;
const MAX_WINDOWED = 2 ** 30;
const FIRST_VALID = 4096;

const windows = new Map<number, Memory>();

/** A view and an offset such that view[offset … offset + extent) is the memory at [address …). */
export interface Placement {
  view: DataView;
  offset: number;
}

/** The window Memory and offset for `extent` bytes at `address`; NOWHERE for addresses no view reaches. */
export function placeMemory(address: Address, extent: number): { memory: Memory; offset: number } {
  if (!placeable(address)) return { memory: NOWHERE, offset: 0 };
  if (extent > MAX_WINDOWED) {
    if (extent > 2 ** 32) throw new RangeError(`memory at ${addressHex(address)}: ${extent} bytes is more than one view can cover (4 GiB)`);
    const v = new DataView(rawView(address, extent));
    return { memory: new Memory('c', v, 0, extent, null), offset: 0 };
  }
  return { memory: windowOf(address), offset: windowOffset(address) };
}

/** The window last looked up, by its number: most addresses a program meets lie in one window. */
let lastWindowNumber = -1;
let lastWindow: Memory = NOWHERE;

/**
 * The window Memory onto a placeable `address` (see `placeable`) for an object of at most
 * MAX_WINDOWED bytes: placeMemory's answer, without the record it allocates.
 */
export function windowOf(address: number): Memory {
  const k = Math.floor(address / WINDOW_STEP);
  if (k === lastWindowNumber) return lastWindow;
  let memory = windows.get(k);
  if (!memory) {
    const base = k === 0 ? FIRST_VALID : k * WINDOW_STEP;
    const v = new DataView(rawView(base, WINDOW_SPAN - (base - k * WINDOW_STEP)));
    memory = new Memory('c', v, 0, v.byteLength, null);
    windows.set(k, memory);
  }
  lastWindowNumber = k;
  lastWindow = memory;
  return memory;
}

/** The offset of a placeable `address` in the view of windowOf(address). */
export function windowOffset(address: number): number {
  const k = Math.floor(address / WINDOW_STEP);
  return address - (k === 0 ? FIRST_VALID : k * WINDOW_STEP);
}

/** Whether an object of `extent` bytes is placed in a window (larger ones get a view of their own, see placeMemory). */
export function windowed(extent: number): boolean {
  return extent <= MAX_WINDOWED;
}

/** True for addresses a view can reach: past the first page, below 2^53. */
export function placeable(address: Address): address is number {
  return typeof address === 'number' && address >= FIRST_VALID;
}

/** Why an address that is no sentinel holds no code, for messages. */
export const NOT_CODE = 'no executable mapping of the process holds it (it is data, such as memory from ffi.new() or a handle, or code since unloaded)';

/** placeMemory() for a pointer derived from one in `from`: a window that keeps what `from` keeps loaded (see Hold). */
export function placeFrom(from: Memory, address: Address, extent: number): { memory: Memory; offset: number } {
  const place = placeMemory(address, extent);
  return from.holds === null ? place : { memory: heldWindow(place.memory, from.holds, address), offset: place.offset };
}

/** Places `extent` bytes at a raw C address. Addresses no view reaches get NO_MEMORY. */
export function placeRaw(address: Address, extent: number): Placement {
  const p = placeMemory(address, extent);
  return { view: p.memory.v, offset: p.offset };
}

// ---------------------------------------------------------------------------------------------
// Owned memory

/**
 * Small allocations share slabs: one ArrayBuffer cut into consecutive pieces, as Node's Buffer pool
 * does. An ArrayBuffer's memory never moves and is zero-filled; the slab is freed by the garbage
 * collector once no cdata carved from it is reachable (every piece keeps its slab alive). A slab is
 * never handed out: ffi.buffer() and ffi.view() give views of their own over one allocation.
 */
const SLAB_SIZE = 64 * 1024;
const SLAB_MAX_PIECE = 2048;

let slabMemory: Memory = new Memory('slab', NO_MEMORY, 0, 0, null);
let slabAddress = 0;
let slabUsed = SLAB_SIZE;

/** A fresh, zero-filled, owned block of memory. */
export interface Block {
  memory: Memory;
  offset: number;
  address: number;
}

/**
 * Allocates `size` bytes aligned to `align`; large blocks get an ArrayBuffer of their own. A block
 * of 0 bytes takes one (zero) byte of a slab, as malloc(0) gives a pointer of its own: its address
 * is one C may read a terminator at, never the end of a slab or no memory.
 */
export function allocate(size: number, align: number): Block {
  if (size > SLAB_MAX_PIECE) return allocateAlone(size);
  // Blocks of 16 bytes or more get malloc's 16-byte alignment; small scalars pack tightly.
  const a = size >= 16 ? 16 : align;
  const taken = size === 0 ? 1 : size;
  let at = (slabUsed + a - 1) & -a;
  if (at + taken > SLAB_SIZE) {
    const slab = new ArrayBuffer(SLAB_SIZE);
    // lo = hi = 0: a slab's pieces are bounded by their cdata's own size, read by `ownMemory`.
    slabMemory = new Memory('slab', new DataView(slab), 0, 0, slab);
    slabAddress = bufferAddress(slab);
    at = 0;
  }
  slabUsed = at + taken;
  return { memory: slabMemory, offset: at, address: slabAddress + at };
}

function allocateAlone(size: number): Block {
  let buffer: ArrayBuffer;
  try {
    buffer = new ArrayBuffer(size);
  } catch {
    throw new RangeError(`ffi.new(): cannot allocate ${size} bytes`);
  }
  return { memory: new Memory('owned', new DataView(buffer), 0, size, buffer, buffer), offset: 0, address: bufferAddress(buffer) };
}

/**
 * The Memory of one allocation whose bytes are [offset, offset + size) of a slab's view: what an
 * allocation gets once a view derives from it, so that releasing it reaches that view too.
 */
export function splitSlab(slab: Memory, offset: number, size: number): Memory {
  return new Memory('owned', slab.v, offset, offset + size, slab.keep);
}

/** The ArrayBuffer a large owned block is the whole of (releasing it may free it), or null. */
export function wholeBuffer(m: Memory): ArrayBuffer | null {
  return m.kind === 'owned' && m.buffer !== null && m.lo === 0 && m.hi === m.buffer.byteLength ? m.buffer : null;
}

/** The object a Memory stands for: its `keep`, or the ffi.gc() copy behind a weight (lifetime.ts, gcAttach). */
export function keeperOf(m: Memory): unknown {
  const k = m.keep as { copy?: unknown } | null;
  return k !== null && typeof k === 'object' && 'copy' in k ? k.copy : k;
}

/**
 * A Memory a node-cffi object answers for (an ffi.gc cdata, a library's global): the same view and
 * bounds as `over` (whose slab pieces must have been split off first), closed with that object.
 */
export function guardedMemory(over: Memory, keep: unknown, readonly = over.readonly): Memory {
  const v = readonly && !(over.v instanceof ReadOnlyView) ? new ReadOnlyView(over.v.buffer, over.v.byteOffset, over.v.byteLength) : over.v;
  const m = new Memory('guarded', v, over.lo, over.hi, keep, over.buffer, readonly, over.bounded);
  m.ok = over.ok;
  return m;
}
