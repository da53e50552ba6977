// Whether a cdata's memory can be used now, and the node-cffi error saying why not (never an engine's raw message).
import { DESCRIBE, FFIError, RangeError, TypeError } from '../errors';
import { type CData, MEM, ADDR, OFF, OWN } from './base';
import { Memory, NO_MEMORY, ReadOnlyView, addressHex } from './memory';

/**
 * The error for using the memory of `c` (at `where`: '.x', '[3]', 'ffi.string()'), or null when it
 * can be used: memory released or closed, a JavaScript ArrayBuffer detached or shrunk under it, an
 * address no view reaches. `bytes` past the cdata's offset are checked against its bounds when given;
 * 0 bytes reach no memory, so that no address is refused for them (an empty array's, ffi.buffer(p, 0)).
 */
export function memoryError(c: CData, where: string, bytes?: number): Error | null {
  const gone = goneError(c, where);
  if (gone) return gone;
  const m = c[MEM];
  if (m.v === NO_MEMORY && bytes !== 0) {
    return new RangeError(
      `${described(c, where)}: address ${addressHex(c[ADDR])} is not valid memory (the first page, a sentinel such as (void *)-1, a kernel-space or a tagged address); ` +
        'such a pointer can be compared, cast and passed to C, not read or written',
    );
  }
  if (bytes !== undefined && bytes > 0 && m.bounded) {
    const [lo, hi] = boundsOf(c);
    if (c[OFF] < lo || c[OFF] + bytes > hi) {
      return new RangeError(`${described(c, where)}: ${bytes} bytes at ${addressHex(c[ADDR])} run past the ${hi - lo} bytes of the memory it points into${ownerWords(m)}`);
    }
  }
  return null;
}

/** `cdata 'int *'` with where it was used: `cdata 'int *'[3]`, `cdata 'struct s *': field 'x'`. */
function described(c: CData, where: string): string {
  const d = c[DESCRIBE]();
  if (where === '') return d;
  return where.startsWith('[') ? `${d}${where}` : `${d}: ${where}`;
}

/**
 * The error for handing C an address in the memory of `c`, or null: memory released or closed, or a
 * JavaScript ArrayBuffer detached or shrunk under it. (Addresses no view reaches are valid to pass.)
 */
export function goneError(c: CData, where: string): Error | null {
  const m = c[MEM];
  if (m.why !== '') {
    const what = described(c, where);
    return m.fault === 'FFIError' ? new FFIError(`${what}: ${m.why}`) : new TypeError(`${what}: ${m.why}`);
  }
  const under = m.under;
  if (under !== null && under.why !== '') {
    const what = described(c, where);
    const why = `the memory its allocator's alloc() returned is gone: ${under.why}`;
    return under.fault === 'FFIError' ? new FFIError(`${what}: ${why}`) : new TypeError(`${what}: ${why}`);
  }
  if (m.buffer !== null) {
    const what = described(c, where);
    const have = m.buffer.byteLength;
    // A detached buffer has no bytes and no maximum; a resizable one shrunk to nothing keeps its maximum.
    const detached = have === 0 && (m.buffer as { maxByteLength?: number }).maxByteLength === 0;
    if (detached && m.hi > 0) {
      return new TypeError(
        `${what}: the ArrayBuffer under it was detached (transferred with postMessage() or structuredClone()), so its memory is gone; ` +
          'memory from ffi.fromBuffer() lives only while its ArrayBuffer holds it',
      );
    }
    if (have < m.hi) {
      return new RangeError(`${what}: the ArrayBuffer under it was resized to ${have} bytes and no longer holds the bytes this cdata refers to`);
    }
  }
  return null;
}

/** Who owns a bounded memory, for messages. */
function ownerWords(m: Memory): string {
  switch (m.kind) {
    case 'slab':
    case 'owned':
      return ' (from ffi.new())';
    case 'js':
      return ' (a JavaScript buffer)';
    default:
      return '';
  }
}

/** Throws memoryError's error, if any. */
export function checkMemory(c: CData, where: string, bytes?: number): void {
  const e = memoryError(c, where, bytes);
  if (e) throw e;
}

/** True for what DataView throws when memory is not there: out of its bounds, detached, or read-only. */
function isViewFault(e: unknown): boolean {
  if (e instanceof globalThis.RangeError) return /outside the bounds of the DataView|Offset is outside/.test(e.message);
  if (e instanceof globalThis.TypeError) return /detached ArrayBuffer|^read-only memory$/.test(e.message);
  return false;
}

/**
 * What generated accessors throw when an access failed with `e`: the engine's memory errors become
 * node-cffi's, saying what happened and what to do; every other error (a value that does not fit)
 * is thrown as it is.
 */
export function fault(c: CData, e: unknown, where: string): unknown {
  if (!isViewFault(e)) return e;
  const m = c[MEM];
  if ((e as Error).message === 'read-only memory' && m.v instanceof ReadOnlyView) {
    return new TypeError(`${described(c, where)}: the memory is read-only (a const global, which C keeps in read-only pages); it cannot be written`);
  }
  const known = memoryError(c, where);
  if (known) return known;
  return new RangeError(`${described(c, where)}: the access lies outside the ${m.hi - m.lo} bytes of the memory it refers to`);
}

/** Refuses a byte-wise write into read-only memory (a copy that bypasses the view's own refusal). */
export function refuseReadOnly(view: DataView, where: string): void {
  if (view instanceof ReadOnlyView) throw new TypeError(`${where}: the memory is read-only (a const global, which C keeps in read-only pages); it cannot be written`);
}

/** A Memory's usable bytes as [from, to) offsets of its view, for the cdata `c` (a slab piece's are its own size). */
export function boundsOf(c: CData): [number, number] {
  const m: Memory = c[MEM];
  if (m.kind === 'slab') return [c[OFF], c[OFF] + c[OWN]];
  return [m.lo, m.hi];
}
