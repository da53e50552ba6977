// Native memory as DataViews: owned allocations carved from slabs, and windows onto any C address.
import { bufferAddress, rawView } from '../backend/koffi';

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

const windows = new Map<number, DataView>();

/** A view and an offset such that view[offset … offset + extent) is the memory at [address …). */
export interface Placement {
  view: DataView;
  offset: number;
}

/** An empty view: reads through it always fail with a RangeError. */
export const NO_MEMORY = new DataView(new ArrayBuffer(0));

/** Places `extent` bytes at a raw C address. Addresses in page zero get NO_MEMORY. */
export function placeRaw(address: number, extent: number): Placement {
  if (address < FIRST_VALID || !Number.isFinite(address)) return { view: NO_MEMORY, offset: 0 };
  if (extent > MAX_WINDOWED) {
    if (extent > 2 ** 32) throw new RangeError(`memory at 0x${address.toString(16)}: ${extent} bytes is more than one view can cover (4 GiB)`);
    return { view: new DataView(rawView(address, extent)), offset: 0 };
  }
  const k = Math.floor(address / WINDOW_STEP);
  const base = k === 0 ? FIRST_VALID : k * WINDOW_STEP;
  let view = windows.get(k);
  if (!view) {
    view = new DataView(rawView(base, WINDOW_SPAN - (base - k * WINDOW_STEP)));
    windows.set(k, view);
  }
  return { view, offset: address - base };
}

/**
 * Small allocations share slabs: one ArrayBuffer cut into consecutive pieces, as Node's Buffer pool
 * does. An ArrayBuffer's memory never moves and is zero-filled; the slab is freed by the garbage
 * collector once no cdata carved from it is reachable (every piece keeps its slab alive).
 */
const SLAB_SIZE = 64 * 1024;
const SLAB_MAX_PIECE = 2048;

let slab: ArrayBuffer = new ArrayBuffer(0);
let slabView: DataView = NO_MEMORY;
let slabAddress = 0;
let slabUsed = SLAB_SIZE;

/** A fresh, zero-filled, owned block of memory. */
export interface Block {
  view: DataView;
  offset: number;
  address: number;
  /** What must stay reachable for the memory to stay alive (and be freed when it is not). */
  owner: ArrayBuffer;
}

/** Allocates `size` bytes aligned to `align`; large blocks get an ArrayBuffer of their own. */
export function allocate(size: number, align: number): Block {
  if (size > SLAB_MAX_PIECE) return allocateAlone(size);
  // Blocks of 16 bytes or more get malloc's 16-byte alignment; small scalars pack tightly.
  const a = size >= 16 ? 16 : align;
  let at = (slabUsed + a - 1) & -a;
  if (at + size > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabView = new DataView(slab);
    slabAddress = bufferAddress(slab);
    at = 0;
  }
  slabUsed = at + size;
  return { view: slabView, offset: at, address: slabAddress + at, owner: slab };
}

function allocateAlone(size: number): Block {
  let buffer: ArrayBuffer;
  try {
    buffer = new ArrayBuffer(size);
  } catch {
    throw new RangeError(`ffi.new(): cannot allocate ${size} bytes`);
  }
  return { view: new DataView(buffer), offset: 0, address: bufferAddress(buffer), owner: buffer };
}

/**
 * True when `bytes` at `offset` of `view` are the whole of `owner`, an ArrayBuffer of their own (so
 * releasing them may free it); false for a piece of a shared slab, which must never be detached.
 */
export function ownsWholeBuffer(owner: unknown, view: DataView, offset: number, bytes: number): owner is ArrayBuffer {
  return owner instanceof ArrayBuffer && view.buffer === owner && offset === 0 && bytes === owner.byteLength && bytes > SLAB_MAX_PIECE;
}
