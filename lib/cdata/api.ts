// The memory-model operations behind the facade: new, cast, addressof, string, unpack, buffer, fromBuffer, memmove, view.
import { memberOf } from '../ctype/aliases';
import { types } from 'util';
import { FFIError, RangeError, show, TypeError } from '../errors';
import { ArrayType, CType, PointerType, isByteLike, isCType } from '../ctype/model';
import { noSizeError, requireSize } from '../ctype/sizes';
import { pointerTo } from '../ctype/intern';
import { isComplexRepr, isIntegralRepr, isSignedRepr } from '../ctype/primitives';
import { bufferAddress, rawView, readCString, readCStringBounded } from '../backend/calls';
import { CData, CLASS, CSTRING, isCData, MEM, ADDR, OFF, LEN, OWN, TYPE, ownsNoBytes, fromBuffers } from './base';
import { classOf, ownMemory, readAt, wrapPointer } from './classes';
import { extentOf, knownBytes, readCode, writeArray, writeAt } from './access';
import { varSizeOf, wideCodes } from './layout';
import { Complex, ScalarType, fromC_wchar, isComplex, isWideChar, reprOf } from './convert';
import { boundsOf, checkMemory, refuseReadOnly } from './faults';
import { EnumValue, warnGuessedEnum } from './scalar';
import { Address, Block, Memory, NO_MEMORY, addressHex, allocate, offsetAddress, placeMemory, toAddress, wholeBuffer } from './memory';

// ---------------------------------------------------------------------------------------------
// ffi.new

/**
 * Allocates zero-filled memory for a pointer's item or an array, initialised from `init`; `place`
 * gives the memory instead (an allocator of ffi.newAllocator(); its memory is what it is).
 */
export function newCData(t: CType, given: unknown, place: (size: number, align: number) => Block = allocate): CData {
  const init = given === null ? undefined : given; // as CFFI's None: the memory stays zeroed
  switch (t.kind) {
    case 'pointer': {
      const item = t.item;
      const where = `ffi.new('${t.cname}')`;
      requireSize(item, where); // an empty struct (size 0, as gcc lays it out) is allocated as CFFI allocates it
      // A struct with an open array member gets the bytes its initialiser needs (CFFI: [1, [10, 20, 30]] or [1, 3]).
      // An empty struct (size 0) gets one byte of its own, as CFFI gives it: its view has an address to read at.
      const size = init !== undefined && (item.kind === 'struct' || item.kind === 'union') ? varSizeOf(item, init, where) : item.size || 1;
      const b = place(size, item.align);
      const c = new (classOf(t))(b.memory, b.address, b.offset, 0, size);
      if (size === 0) ownsNoBytes.add(c);
      if (init !== undefined) writeAt(item, b.memory.v, b.offset, init, where, size);
      return c;
    }
    case 'array': {
      const item = t.item;
      requireSize(item, `ffi.new('${t.cname}')`);
      const n = t.length ?? openLength(t, init);
      const size = item.size === 0 && n > 0 ? 1 : n * item.size; // empty structs: one byte they all share
      const b = place(size, item.align);
      const c = new (classOf(t))(b.memory, b.address, b.offset, n, size);
      if (size === 0) ownsNoBytes.add(c);
      if (init !== undefined && (t.length !== null || (typeof init !== 'number' && typeof init !== 'bigint'))) {
        writeArray(t, b.memory.v, b.offset, init, `ffi.new('${t.cname}')`, n);
      }
      return c;
    }
    default:
      throw new TypeError(
        `ffi.new('${t.cname}'): expected a pointer or array type; ffi.new returns memory it owns, ` +
          `so write '${t.cname} *' (or '${t.cname}[1]') to allocate one '${t.cname}'`,
      );
  }
}

/** The error for a count that is no non-negative integer: a TypeError for what is no integer, a RangeError for a negative or huge one (CFFI's ValueError). */
function countError(what: string, given: unknown, also = ''): Error {
  const integer = typeof given === 'bigint' || Number.isInteger(given);
  const message = `${what} must be a non-negative integer${also}, got ${show(given)}`;
  return integer ? new RangeError(message) : new TypeError(message);
}

/** The length of an open array (`int[]`) from its initialiser: a count, a list, a string, a typed array. */
function openLength(t: ArrayType, init: unknown): number {
  const where = `ffi.new('${t.cname}')`;
  if (typeof init === 'number' || typeof init === 'bigint') {
    const n = Number(init);
    // As CFFI: a number that is no integer is the wrong type (TypeError), a negative or huge one a wrong value.
    if (!Number.isSafeInteger(n) || n < 0) throw countError(`${where}: length`, init);
    return n + 0; // -0 is 0: a length of -0 would show in the type's size and the cdata's length
  }
  if (Array.isArray(init)) return init.length;
  if (typeof init === 'string' && isByteLike(t.item)) return Buffer.byteLength(init, 'utf8') + 1;
  if (typeof init === 'string' && isWideChar(t.item)) return wideCodes(init, t.item.size).length + 1;
  if (types.isTypedArray(init)) return init.byteLength / t.item.size;
  if (typeof init === 'string') {
    throw new TypeError(`${where}: a string initialises an array of char (or another one-byte integer) or of wide characters, not of '${t.item.cname}'; give a list of items`);
  }
  throw new TypeError(`${where}: an open array needs a length or an initialiser list, got ${show(init)}`);
}

// ---------------------------------------------------------------------------------------------
// ffi.cast

/** C's cast: integers wrap to the target width, floats truncate to integers, pointers retype. */
export function castTo(t: CType, value: unknown): unknown {
  switch (t.kind) {
    case 'primitive':
      return castScalar(t, value, t.cname);
    case 'enum': {
      warnGuessedEnum(t);
      const named = typeof value === 'string' && Object.hasOwn(t.relements, value) ? t.relements[value] : undefined;
      return new EnumValue(t, named ?? (castScalar(t, value, t.cname) as number | bigint));
    }
    case 'pointer':
      return castPointer(t, value);
    case 'array':
      return castArray(t, value);
    default:
      throw new TypeError(`ffi.cast('${t.cname}'): cannot cast to '${t.cname}'; cast to a scalar, pointer or array type`);
  }
}

function scalarInput(value: unknown, cname: string): number | bigint | boolean {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value;
  if (isComplex(value)) throw new TypeError(`ffi.cast('${cname}'): cannot cast a complex number to '${cname}'; cast its real part ('.real')`);
  if (value === null) return 0; // NULL
  if (isCData(value) && (value[TYPE].kind === 'pointer' || value[TYPE].kind === 'array')) return value[ADDR];
  if (value instanceof EnumValue) return value.value;
  if (typeof value === 'object' && value !== null && !isCData(value)) {
    // An object that converts itself to a number (valueOf; Python's __int__ / __float__)
    const v = (value as { valueOf(): unknown }).valueOf();
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  }
  // A character is its code: a one-byte string its byte, any one-character string its code point (CFFI: bytes or str of length 1).
  if (typeof value === 'string' && value.length > 0 && value.length === (value.codePointAt(0) as number > 0xffff ? 2 : 1)) {
    return value.codePointAt(0) as number;
  }
  throw new TypeError(`ffi.cast('${cname}'): cannot cast ${show(value)} to '${cname}'${typeof value === 'string' ? ' (only a string of one character casts, to its code)' : ''}`);
}

function castScalar(t: CType & { kind: 'primitive' | 'enum' }, value: unknown, cname: string): number | bigint | boolean | Complex {
  const repr = reprOf(t);
  if (!isIntegralRepr(repr) && (value === null || (isCData(value) && (value[TYPE].kind === 'pointer' || value[TYPE].kind === 'array')))) {
    // As CFFI (and C): an address, NULL included, is an integer; cast it to 'uintptr_t' first for its number.
    throw new TypeError(`ffi.cast('${cname}'): cannot cast ${show(value)} to a floating-point type; cast it to 'uintptr_t' for its address`);
  }
  if (isComplexRepr(repr)) {
    // A complex number keeps both parts; anything a real number casts from is the real part (CFFI: complex(x)).
    const round = repr === 'c32' ? Math.fround : Number;
    if (isComplex(value)) return { real: round(value.real), imag: round(value.imag) };
    return { real: round(Number(scalarInput(value, cname))), imag: 0 };
  }
  const v = scalarInput(value, cname);
  switch (repr) {
    case 'f32':
      return Math.fround(Number(v));
    case 'f64':
    case 'f80': // JavaScript holds a long double as the nearest double
      return Number(v);
    case 'bool':
      return typeof v === 'boolean' ? v : Number(v) !== 0;
  }
  let big: bigint;
  if (typeof v === 'bigint') big = v;
  else if (typeof v === 'boolean') big = v ? 1n : 0n;
  else if (Number.isFinite(v)) big = BigInt(Math.trunc(v));
  else throw new RangeError(`ffi.cast('${cname}'): ${show(v)} has no integer value`);
  const bits = t.size * 8;
  const wrapped = isSignedRepr(repr) ? BigInt.asIntN(bits, big) : BigInt.asUintN(bits, big);
  return Number.isSafeInteger(Number(wrapped)) && BigInt(Number(wrapped)) === wrapped ? Number(wrapped) : wrapped;
}

/** As CFFI: the array of type `t` at the address `value` stands for (a pointer, an array or an integer), not owning it. */
function castArray(t: ArrayType, value: unknown): CData | null {
  if (t.length === null) {
    throw new TypeError(`ffi.cast('${t.cname}'): cannot cast to an array of unknown length; cast to '${pointerTo(t.item).cname}' or give the length`);
  }
  const p = castPointer(pointerTo(t), value);
  return p === null ? null : (p[0] as CData);
}

function castPointer(t: PointerType, value: unknown): CData | null {
  if (value === null || value === undefined) {
    if (value === undefined) throw new TypeError(`ffi.cast('${t.cname}'): got undefined`);
    return null;
  }
  if (isCData(value)) {
    const vt = value[TYPE];
    if (vt.kind !== 'pointer' && vt.kind !== 'array') {
      throw new TypeError(`ffi.cast('${t.cname}'): cannot cast ${show(value)}; take its address with ffi.addressof() first`);
    }
    // The same memory, seen as another type: every view of an allocation shares its Memory (and its release).
    const m = ownMemory(value);
    if (t.item.kind === 'function') return wrapPointer(t, value[ADDR], m.kind === 'c' ? null : m, m.holds);
    if (m.kind !== 'c' || value[OFF] + extentOf(t.item) <= m.hi) return new (classOf(t))(m, value[ADDR], value[OFF], 0, 0);
    return wrapPointer(t, value[ADDR], null, m.holds);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new TypeError(`ffi.cast('${t.cname}'): address must be a safe integer, got ${show(value)}; pass a bigint for addresses beyond 2^53`);
    }
    return wrapPointer(t, value > 0 && value < 2 ** 52 ? value : toAddress(BigInt(value)));
  }
  if (typeof value === 'bigint') return wrapPointer(t, toAddress(value));
  if (value instanceof EnumValue) return castPointer(t, value.value);
  throw new TypeError(`ffi.cast('${t.cname}'): cannot cast ${show(value)} to a pointer`);
}

// ---------------------------------------------------------------------------------------------
// ffi.addressof

/** A pointer to a cdata struct/union/array, or to a field or element inside it (C's `&`). */
export function addressOf(c: CData, path: readonly (string | number)[]): CData {
  let t = c[TYPE];
  let delta = 0;
  const steps = [...path];
  if (t.kind === 'pointer') {
    if (steps.length === 0) throw new TypeError(`ffi.addressof(): expected a struct, union or array cdata, got ${show(c)}`);
    // A pointer is dereferenced first: its first step indexes it (a field name applies to item 0).
    if (typeof steps[0] === 'number') delta = indexStep(t.item, steps.shift() as number, null, c);
    t = t.item;
  } else if (t.kind !== 'struct' && t.kind !== 'union' && t.kind !== 'array') {
    throw new TypeError(`ffi.addressof(): expected a struct, union or array cdata, got ${show(c)}`);
  }
  let length: number | null = t.kind === 'array' ? (t.length ?? c[LEN]) : null;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (t.kind !== 'array') throw new TypeError(`ffi.addressof(): cannot index '${t.cname}' with ${step}`);
      delta += indexStep(t.item, step, length, c);
      t = t.item;
    } else if (typeof step === 'string') {
      if (t.kind !== 'struct' && t.kind !== 'union') throw new TypeError(`ffi.addressof(): '${t.cname}' has no fields (asked for '${step}')`);
      const f = memberOf(t, step);
      if (!f) throw new TypeError(`ffi.addressof(): '${t.cname}' has no field '${step}'`);
      if (f.bitsize >= 0) throw new TypeError(`ffi.addressof(): field '${step}' of '${t.cname}' is a bit-field and has no address`);
      delta += f.offset;
      t = f.type;
    } else {
      throw new TypeError(`ffi.addressof(): expected field names and indexes, got ${show(step)}`);
    }
    length = t.kind === 'array' ? t.length : null;
  }
  const p = pointerTo(t);
  const address = offsetAddress(c[ADDR], delta);
  if (p.item.kind === 'function') return wrapPointer(p, address, c[MEM]) as CData;
  return new (classOf(p))(ownMemory(c), address, c[OFF] + delta, 0, 0);
}

function indexStep(item: CType, i: number, length: number | null, c: CData): number {
  if (!Number.isSafeInteger(i)) throw new TypeError(`ffi.addressof(): index must be an integer, got ${show(i)}`);
  if (length !== null && (i < 0 || i > length)) {
    throw new RangeError(`ffi.addressof(): index ${i} is out of bounds for ${show(c)} (length ${length})`);
  }
  requireSize(item, 'ffi.addressof()', true);
  return i * item.size;
}

// ---------------------------------------------------------------------------------------------
// Reading memory out: string, unpack, buffer, view

/**
 * Where `bytes` bytes of the memory a cdata refers to are: its Memory and offset, or for C memory
 * past the cdata's window, the window onto its address. Refuses memory that is gone (released,
 * closed, detached), addresses no view reaches, and lengths past what an allocation owns.
 */
function placeOf(c: CData, bytes: number, what: string): { m: Memory; o: number } {
  checkMemory(c, what, bytes);
  const m = c[MEM];
  if (m.v === NO_MEMORY) return { m, o: 0 }; // 0 bytes (checkMemory refuses more), at no address a view reaches
  if (m.kind !== 'c' || (c[OFF] >= m.lo && c[OFF] + bytes <= m.hi)) return { m, o: c[OFF] };
  const place = placeMemory(c[ADDR], bytes);
  if (place.offset + bytes > place.memory.hi) {
    throw new RangeError(`${what}: ${bytes} bytes at ${addressHex(c[ADDR])} (${show(c)}) are not valid memory`);
  }
  return { m: place.memory, o: place.offset };
}

/** A Uint8Array over `bytes` bytes of the memory a cdata refers to, for node-cffi's own use (never handed out). */
function bytesOf(c: CData, bytes: number, what: string): Uint8Array {
  const { m, o } = placeOf(c, bytes, what);
  return new Uint8Array(m.v.buffer, m.v.byteOffset + o, bytes);
}

/** How far a string may be read at a cdata: to the end of the memory it points into when that is known, else unbounded (-1). */
function stringLimit(c: CData): number {
  const m = c[MEM];
  if (!m.bounded) return -1;
  return Math.max((m.kind === 'slab' ? c[OFF] + c[OWN] : m.hi) - c[OFF], 0);
}

const utf8 = new TextDecoder('utf-8');

/** ffi.string: text from a char array or pointer (UTF-8, or UTF-16/32 for wide chars), or an enum's name. */
export function stringOf(value: unknown, given: number | undefined): string {
  const maxlen = given === -1 ? undefined : given; // as CFFI: -1 for no limit
  if (maxlen === undefined && isCData(value)) {
    // A char pointer or array answers the common cases itself, with the reads of its own class (see classes.ts).
    const text = value[CSTRING]();
    if (text !== undefined) return text;
  }
  if (!isCData(value)) {
    if (value instanceof EnumValue) return value.type.elements[String(value.value)] ?? String(value.value);
    const what = value === null ? 'null (a NULL pointer)' : show(value);
    throw new TypeError(`ffi.string(): expected a char array or pointer, or an enum value, got ${what}`);
  }
  const t = value[TYPE];
  const item = t.kind === 'pointer' || t.kind === 'array' ? t.item : null;
  if (maxlen !== undefined && (!Number.isSafeInteger(maxlen) || maxlen < 0)) {
    throw new TypeError(`ffi.string(): maxlen must be a non-negative integer (or -1: no limit), got ${show(maxlen)}`);
  }
  if (item && isByteLike(item)) {
    // An array's bytes, or for a pointer the rest of the memory it points into (unbounded for C's).
    const m = value[MEM];
    if (m.why !== '' || m.v === NO_MEMORY || m.buffer !== null) {
      checkMemory(value, 'ffi.string()', maxlen === 0 || (t.kind === 'array' && value[LEN] === 0) ? 0 : undefined);
    }
    let limit = t.kind === 'array' ? value[LEN] : stringLimit(value);
    if (maxlen !== undefined) limit = limit < 0 ? maxlen : Math.min(limit, maxlen);
    if (limit < 0) return readCString(value[ADDR] as number);
    if (readCStringBounded && limit > 0) {
      if (t.kind !== 'array') placeOf(value, limit, 'ffi.string()'); // an array's bytes are there by construction
      return readCStringBounded(value[ADDR] as number, limit);
    }
    const bytes = bytesOf(value, limit, 'ffi.string()');
    const end = bytes.indexOf(0);
    return utf8.decode(end < 0 ? bytes : bytes.subarray(0, end));
  }
  if (item && item.kind === 'primitive' && (item.name === 'wchar_t' || item.name === 'char16_t' || item.name === 'char32_t')) {
    let length = t.kind === 'array' ? value[LEN] : -1;
    const room = stringLimit(value);
    if (length < 0 && room >= 0) length = Math.floor(room / item.size);
    return wideString(value, item.size, length, maxlen);
  }
  throw new TypeError(`ffi.string(): expected a char array or pointer, or an enum value, got ${show(value)}`);
}

function wideString(c: CData, unit: number, length: number, maxlen: number | undefined): string {
  let n = length;
  if (maxlen !== undefined) n = n < 0 ? maxlen : Math.min(n, maxlen);
  if (n < 0) {
    // Unbounded: find the terminating zero unit first.
    n = 0;
    for (;;) {
      const u = bytesOf(wrapAt(c, n * unit), unit, 'ffi.string()');
      if (u.every((b) => b === 0)) break;
      n++;
    }
  }
  const bytes = bytesOf(c, n * unit, 'ffi.string()');
  const units = unit === 2 ? new Uint16Array(bytes.slice().buffer) : new Uint32Array(bytes.slice().buffer);
  let end = units.indexOf(0);
  if (end < 0) end = units.length;
  if (unit === 2) return textOf(String.fromCharCode, units.subarray(0, end));
  // A unit past Unicode is refused with the value C has (wchar_t is signed), as reading it by index does.
  const signed = isSignedRepr(reprOf((c[TYPE] as PointerType | ArrayType).item as ScalarType));
  for (let i = 0; i < end; i++) if (units[i] > 0x10ffff) fromC_wchar(signed ? units[i] | 0 : units[i], 4, 'ffi.string()');
  return textOf(String.fromCodePoint, units.subarray(0, end));
}

/** How many codes one call of String.fromCharCode or fromCodePoint takes: a call's arguments are on the stack, which a long text's would overflow. */
const CODES_PER_CALL = 8192;

/**
 * The text of `codes` as `from` makes it (String.fromCharCode: UTF-16 units, lone surrogates
 * kept; String.fromCodePoint: code points), a piece of CODES_PER_CALL at a time.
 */
function textOf(from: (...codes: number[]) => string, codes: Uint16Array | Uint32Array): string {
  if (codes.length <= CODES_PER_CALL) return from(...codes);
  const pieces: string[] = [];
  for (let i = 0; i < codes.length; i += CODES_PER_CALL) pieces.push(from(...codes.subarray(i, i + CODES_PER_CALL)));
  return pieces.join('');
}

function wrapAt(c: CData, delta: number): CData {
  const Cls = c[CLASS] as new (m: Memory, a: Address, o: number, n: number, own: number) => CData;
  return new Cls(c[MEM], offsetAddress(c[ADDR], delta), c[OFF] + delta, c[LEN], 0);
}

/** ffi.unpack: `n` items from a pointer or array, as a list (a Buffer copy for chars). */
export function unpack(c: CData, n: number): unknown[] | Buffer | string {
  const t = c[TYPE];
  if (t.kind !== 'pointer' && t.kind !== 'array') throw new TypeError(`ffi.unpack(): expected a pointer or array cdata, got ${show(c)}`);
  if (!Number.isSafeInteger(n) || n < 0) throw countError('ffi.unpack(): length', n);
  if (t.kind === 'array' && n > c[LEN]) throw new RangeError(`ffi.unpack(): ${n} items asked from ${show(c)}, which has ${c[LEN]}`);
  const item = t.item;
  requireSize(item, 'ffi.unpack()', true);
  const { m, o } = placeOf(c, n * item.size, 'ffi.unpack()');
  // As CFFI: chars are bytes; signed and unsigned chars are small integers, a list like any other.
  if (item.kind === 'primitive' && item.name === 'char') return Buffer.from(new Uint8Array(m.v.buffer, m.v.byteOffset + o, n));
  if (isWideChar(item)) {
    // As CFFI: the n characters as one string, zeros included.
    if (item.size === 2) return textOf(String.fromCharCode, Uint16Array.from({ length: n }, (_, i) => readCode(item, m.v, o + i * item.size) as number));
    return Array.from({ length: n }, (_, i) => fromC_wchar(readCode(item, m.v, o + i * item.size) as number, 4, 'ffi.unpack()')).join('');
  }
  // Struct and array items are views sharing the memory they are in (and its release).
  const shared = m === c[MEM] ? ownMemory(c) : m;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = readAt(item, shared, o + i * item.size, offsetAddress(c[ADDR], i * item.size));
  return out;
}

const KEEP = Symbol('node-cffi.keep');

/**
 * A view of its own over `bytes` bytes at a cdata, to hand out: never a slab (other allocations) or
 * a window (the whole address space). A JavaScript buffer's own memory and a large block (its own
 * ArrayBuffer, detached by ffi.release) are viewed directly; other memory through an external
 * ArrayBuffer of exactly those bytes, which keeps the memory alive and cannot be detached.
 */
function handOut(c: CData, bytes: number, what: string): { buffer: ArrayBuffer; offset: number } {
  const { m, o } = placeOf(c, bytes, what);
  if (m.readonly) throw new TypeError(`${what}: ${show(c)} is read-only memory (a const global, which C keeps in read-only pages); copy it with ffi.unpack()`);
  if (m.kind === 'js') return { buffer: m.v.buffer as ArrayBuffer, offset: m.v.byteOffset + o };
  const whole = wholeBuffer(m);
  if (whole) {
    // Whoever holds the buffer can now detach it (postMessage): addresses in it are checked before C gets them.
    m.ok = false;
    return { buffer: whole, offset: o };
  }
  if (bytes === 0) return { buffer: new ArrayBuffer(0), offset: 0 };
  return { buffer: rawView(offsetAddress(c[ADDR], 0) as number, bytes), offset: 0 };
}

/** ffi.buffer: a Buffer over the cdata's memory (no copy); it keeps that memory alive. */
export function bufferOf(c: CData, given: number | undefined): Buffer {
  const size = given === -1 ? undefined : given; // as CFFI: -1 for the cdata's own size
  const t = c[TYPE];
  if (t.kind === 'pointer' && t.item.kind === 'function') {
    throw new TypeError(`ffi.buffer(): expected a pointer to data or an array cdata, got ${show(c)}, a function pointer`);
  }
  // Without a size, a pointer is over one item, which must have a size (a 'void *' has none).
  if (size === undefined && t.kind === 'pointer' && c[OWN] === 0 && t.item.size < 0) {
    throw noSizeError('ffi.buffer()', t.item, 'pass the number of bytes as ffi.buffer(p, n)');
  }
  const n = size ?? knownBytes(c);
  if (!Number.isSafeInteger(n) || n < 0) throw countError("ffi.buffer(): size", size, " (or -1: the cdata's own size)");
  const place = handOut(c, n, 'ffi.buffer()');
  const buf = Buffer.from(place.buffer, place.offset, n);
  Object.defineProperty(buf, KEEP, { value: ownMemory(c).keep ?? c });
  return buf;
}

const TYPED: Record<string, new (b: ArrayBufferLike, o: number, n: number) => ArrayBufferView> = {
  i8: Int8Array, u8: Uint8Array, i16: Int16Array, u16: Uint16Array, i32: Int32Array, u32: Uint32Array,
  i64: BigInt64Array, u64: BigUint64Array, f32: Float32Array, f64: Float64Array, bool: Uint8Array,
};

/** ffi.view: a typed array of the item type over an array's or pointer's memory (no copy). */
export function typedView(c: CData, length: number | undefined): ArrayBufferView {
  const t = c[TYPE];
  const item = t.kind === 'pointer' || t.kind === 'array' ? t.item : null;
  if (!item || (item.kind !== 'primitive' && item.kind !== 'enum')) {
    throw new TypeError(`ffi.view(): expected a pointer to or array of numbers, got ${show(c)}`);
  }
  const Typed = TYPED[reprOf(item)];
  if (!Typed) throw new TypeError(`ffi.view(): no typed array holds '${item.cname}'`);
  let n = length;
  if (n === undefined) {
    if (t.kind === 'array') n = c[LEN];
    else if (c[OWN] > 0) n = c[OWN] / item.size;
    else throw new TypeError(`ffi.view(): ${show(c)} does not know how many items it points to; pass a length`);
  }
  if (!Number.isSafeInteger(n) || n < 0) throw countError('ffi.view(): length', length);
  if (t.kind === 'array' && n > c[LEN]) throw new RangeError(`ffi.view(): ${n} items asked from ${show(c)}, which has ${c[LEN]}`);
  checkMemory(c, 'ffi.view()', n * item.size);
  if (typeof c[ADDR] === 'number' && c[ADDR] % item.size !== 0) throw new RangeError(`ffi.view(): ${show(c)} is not aligned for '${item.cname}'`);
  const place = handOut(c, n * item.size, 'ffi.view()');
  const view = new Typed(place.buffer, place.offset, n);
  Object.defineProperty(view, KEEP, { value: ownMemory(c).keep ?? c });
  return view;
}

// ---------------------------------------------------------------------------------------------
// Writing memory in: fromBuffer, memmove

const viewsOfBuffers = new WeakMap<ArrayBuffer, { view: DataView; address: number }>();

/** ffi.fromBuffer's options (CFFI's keyword argument). */
export interface FromBufferOptions {
  /** CFFI refuses a read-only buffer then; every JavaScript buffer is writable, so it asks for nothing more. */
  requireWritable?: boolean;
}

/**
 * The buffer and type of an ffi.fromBuffer call in either order: CFFI's `(cdecl, buffer, options)`
 * or `(buffer, cdecl?, options?)`, the type 'char[]' when none is given.
 */
export function fromBufferArguments(a: unknown, b?: unknown, c?: unknown): { buffer: unknown; cdecl: string | CType } {
  const isDecl = (x: unknown): x is string | CType => typeof x === 'string' || isCType(x);
  let buffer: unknown;
  let cdecl: string | CType = 'char[]';
  let options: unknown;
  if (isDecl(a) && b !== undefined) [cdecl, buffer, options] = [a, b, c];
  else if (isDecl(b) || b === undefined) [buffer, cdecl, options] = [a, b ?? cdecl, c];
  else if (c === undefined) [buffer, options] = [a, b];
  else throw new TypeError(`ffi.fromBuffer(): expected a C type such as 'char[]' after the buffer, got ${show(b)}`);
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`ffi.fromBuffer(): expected options such as { requireWritable: true }${buffer === a ? " or a C type such as 'char[]'" : ''}, got ${show(options)}`);
  }
  const writable = (options as FromBufferOptions | undefined)?.requireWritable;
  if (writable !== undefined && typeof writable !== 'boolean') {
    throw new TypeError(`ffi.fromBuffer(): options.requireWritable must be a boolean, got ${show(writable)}`);
  }
  return { buffer, cdecl };
}

/**
 * ffi.fromBuffer: an array cdata (or a pointer cdata to its start) over the memory of a Buffer,
 * typed array or ArrayBuffer (from any realm), without copying.
 */
export function fromBuffer(buf: unknown, t: CType, cdecl: string): CData {
  if (t.kind !== 'array' && (t.kind !== 'pointer' || t.item.kind === 'function')) {
    throw new TypeError(`ffi.fromBuffer(): expected an array or pointer type such as 'char[]' or 'struct foo *', got '${cdecl}'`);
  }
  let ab: ArrayBuffer;
  let start = 0;
  let bytes: number;
  if (types.isArrayBuffer(buf)) {
    ab = buf;
    bytes = buf.byteLength;
  } else if (ArrayBuffer.isView(buf) && types.isArrayBuffer(buf.buffer)) {
    ab = buf.buffer; // reading .buffer moves small on-heap typed arrays off the heap, to a fixed address
    start = buf.byteOffset;
    bytes = buf.byteLength;
  } else {
    throw new TypeError(`ffi.fromBuffer(): expected a Buffer, typed array or ArrayBuffer, got ${show(buf)}`);
  }
  const item = t.item;
  let n = 0;
  if (t.kind === 'array') {
    requireSize(item, 'ffi.fromBuffer()');
    if (t.length === null && item.size === 0) {
      throw new FFIError(`ffi.fromBuffer(): the length of '${cdecl}' cannot be computed from the buffer, as its items have size 0; give the length in the type`);
    }
    n = t.length ?? Math.floor(bytes / item.size);
    if (n * item.size > bytes) throw new RangeError(`ffi.fromBuffer(): '${cdecl}' needs ${n * item.size} bytes, the buffer has ${bytes}`);
    bytes = n * item.size;
  } else if (item.size > bytes) {
    // A pointer to the first item: the buffer must hold one.
    throw new RangeError(`ffi.fromBuffer(): '${cdecl}' needs ${item.size} bytes, the buffer has ${bytes}`);
  }
  let entry = viewsOfBuffers.get(ab);
  if (!entry) viewsOfBuffers.set(ab, (entry = { view: new DataView(ab), address: bufferAddress(ab) }));
  if ((entry.address + start) % Math.max(1, item.align) !== 0) {
    throw new RangeError(`ffi.fromBuffer(): the buffer's memory is not aligned for '${item.cname}'`);
  }
  // The owner may detach (transfer) or shrink (resize) the buffer at any time: its Memory is checked before C gets an address in it.
  // A pointer reaches the whole buffer, and no further.
  const m = new Memory('js', entry.view, start, start + bytes, buf, ab);
  const c = new (classOf(t))(m, entry.address + start, start, n, 0);
  fromBuffers.set(c, (buf as object).constructor?.name ?? 'buffer');
  return c;
}

/** A byte range of a memmove operand: a cdata (from its address) or JS memory. */
function operand(x: unknown, n: number, which: string): { bytes: Uint8Array; address: number } {
  if (x === null) {
    // As CFFI: NULL for no bytes at all.
    if (n === 0) return { bytes: new Uint8Array(0), address: -1 };
    throw new TypeError(`ffi.memmove(): ${which} is NULL (null), which no bytes can be ${which === 'dest' ? 'written to' : 'read from'}`);
  }
  if (isCData(x)) {
    const t = x[TYPE];
    if (t.kind === 'array' && n > knownBytes(x)) {
      throw new RangeError(`ffi.memmove(): ${n} bytes do not fit in ${which} ${show(x)} (${knownBytes(x)} bytes)`);
    }
    const { m, o } = placeOf(x, n, `ffi.memmove() ${which}`);
    if (which === 'dest') refuseReadOnly(m.v, `ffi.memmove(): dest ${show(x)}`);
    return { bytes: new Uint8Array(m.v.buffer, m.v.byteOffset + o, n), address: x[ADDR] as number };
  }
  let u8: Uint8Array;
  // A string is read-only bytes (CFFI's bytes): its UTF-8, a source only.
  if (typeof x === 'string' && which === 'src') u8 = Buffer.from(x, 'utf8');
  else if (types.isArrayBuffer(x)) u8 = x.byteLength === 0 ? new Uint8Array(0) : new Uint8Array(x);
  else if (ArrayBuffer.isView(x)) u8 = x.byteLength === 0 ? new Uint8Array(0) : new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  else throw new TypeError(`ffi.memmove(): ${which} must be a cdata, Buffer, typed array or ArrayBuffer${which === 'src' ? ', or a string' : ''}, got ${show(x)}`);
  if (n > u8.byteLength) throw new RangeError(`ffi.memmove(): ${n} bytes do not fit in ${which} (${u8.byteLength} bytes${u8.byteLength === 0 ? ': empty, or its ArrayBuffer was detached' : ''})`);
  return { bytes: u8.subarray(0, n), address: -1 };
}

/** ffi.memmove: copies n bytes from src to dest; overlapping ranges copy as if through a temporary. */
export function memmove(dest: unknown, src: unknown, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw countError('ffi.memmove(): size', n);
  const d = operand(dest, n, 'dest');
  const s = operand(src, n, 'src');
  // Two different ArrayBuffers may still alias the same C memory: copy through a temporary then.
  const alias = d.address >= 0 && s.address >= 0 && d.bytes.buffer !== s.bytes.buffer && d.address < s.address + n && s.address < d.address + n;
  d.bytes.set(alias ? s.bytes.slice() : s.bytes);
}

/** Used by the facade: what ffi.sizeof says of a cdata (an array's bytes, else its type's size). */
export function sizeOfCData(c: CData): number {
  const t = c[TYPE];
  if (t.kind === 'array') return c[LEN] * t.item.size;
  if (t.kind === 'struct' || t.kind === 'union') return Math.max(c[LEN], t.size); // sized for its open array member by ffi.new
  return t.size;
}
