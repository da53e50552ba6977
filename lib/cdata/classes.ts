// One generated accessor class per pointer, array, struct and union type, plus generic reads and writes.
import { types } from 'util';
import { DESCRIBE, FFIError, RangeError, show, TypeError } from '../errors';
import { ArrayType, CField, CType, PointerType, StructType, arrayOf, isCharLike, pendingLayout, pendingReason, pointerTo, requireSize } from '../ctype/model';
import { Repr, reprSize } from '../ctype/primitives';
import { ADDR, CData, CLONE_GUARD, GET, isCData, LEN, MEM, NOT_CLONEABLE, OFF, OWN, SET, TYPE } from './base';
import { ScalarType, codeHelpers, fastCheck, fromC_i64, fromC_wchar, isWideChar, loadCode, reprOf, storeCode, toCScalar } from './convert';
import { Address, Hold, Memory, NO_MEMORY, addressDistance, addressHex, heldWindow, offsetAddress, placeFrom, placeMemory, splitSlab } from './memory';
import { checkMemory, fault, refuseReadOnly } from './faults';
import { toCPointer } from './pointers';
import { hasVarArray, openLengthOf, positionalFields, readBits, wideCodes, writeBits } from './layout';

/** Constructors take (m, a, o, n, own): the Memory, the address, the offset in m.v, the length of an array, the bytes owned. */
export type CDataClass = new (m: Memory, a: Address, o: number, n: number, own: number) => CData;
export type Aggregate = PointerType | ArrayType | StructType;

/** Bytes that must be readable behind a cdata of type `t` (0 when C gives no size). */
export function extentOf(t: CType): number {
  return t.size > 0 ? t.size : 0;
}

/** Bytes readable behind a cdata: an array's elements, a struct's size, a pointer's one item. */
export function knownBytes(c: CData): number {
  const t = c[TYPE];
  if (t.kind === 'array') return c[LEN] * t.item.size;
  if (t.kind === 'pointer') return c[OWN] > 0 ? c[OWN] : extentOf(t.item);
  return Math.max(c[LEN], extentOf(t)); // a struct ffi.new sized for its open array member: all of it
}

// ---------------------------------------------------------------------------------------------
// Generic access: used by slow paths, ffi.new initialisers, unpack, and non-scalar elements.

/** The JavaScript value of the C object of type `t` at offset `off` of memory `m` (address `addr`). */
export function readAt(t: CType, m: Memory, off: number, addr: Address, varBytes = 0): unknown {
  switch (t.kind) {
    case 'primitive':
    case 'enum':
      return readValue(t, m.v, off);
    case 'pointer':
      return wrapPointer(t, readAddress(m.v, off), null, m.holds);
    case 'array':
      if (t.length === null) return new (classOf(pointerToItem(t)))(m, addr, off, 0, 0);
      return new (classOf(t))(m, addr, off, t.length, 0);
    case 'struct':
    case 'union':
      return new (classOf(t))(m, addr, off, hasVarArray(t) ? varBytes : 0, 0);
    case 'void':
    case 'function':
      throw new TypeError(`cannot read a value of type '${t.cname}'`);
  }
}

/** A scalar's value, or a pointer's (a cdata onto C memory, or null), read from a plain view. */
export function readValue(t: ScalarType | PointerType, view: DataView, off: number): unknown {
  return t.kind === 'pointer' ? wrapPointer(t, readAddress(view, off)) : readScalar(t, view, off);
}

function readScalar(t: ScalarType, view: DataView, off: number): number | bigint | boolean | string {
  return isWideChar(t) ? fromC_wchar(readCode(t, view, off) as number, t.size) : readCode(t, view, off);
}

/** A scalar as it is in memory: a wide character's code, not its string. */
export function readCode(t: ScalarType, view: DataView, off: number): number | bigint | boolean {
  switch (reprOf(t)) {
    case 'i8': return view.getInt8(off);
    case 'u8': return view.getUint8(off);
    case 'i16': return view.getInt16(off, true);
    case 'u16': return view.getUint16(off, true);
    case 'i32': return view.getInt32(off, true);
    case 'u32': return view.getUint32(off, true);
    case 'i64': return codeHelpers.fromC_i64(view, off);
    case 'u64': return codeHelpers.fromC_u64(view, off);
    case 'f32': return view.getFloat32(off, true);
    case 'f64': return view.getFloat64(off, true);
    case 'bool': return view.getUint8(off) !== 0;
    case 'f80': return codeHelpers.fromC_f80(view, off);
  }
}

function writeScalar(t: ScalarType, view: DataView, off: number, value: unknown, where: string): void {
  writeCode(t, view, off, toCScalar(t, value, where));
}

/** Stores a scalar already converted (toCScalar's result, or a code C gave): a wide character as its code. */
export function writeCode(t: ScalarType, view: DataView, off: number, v: number | bigint | boolean): void {
  switch (reprOf(t)) {
    case 'i8': view.setInt8(off, v as number); return;
    case 'u8': view.setUint8(off, v as number); return;
    case 'i16': view.setInt16(off, v as number, true); return;
    case 'u16': view.setUint16(off, v as number, true); return;
    case 'i32': view.setInt32(off, v as number, true); return;
    case 'u32': view.setUint32(off, v as number, true); return;
    case 'i64':
    case 'u64': codeHelpers.toC_64(view, off, v as number | bigint); return;
    case 'f32': view.setFloat32(off, v as number, true); return;
    case 'f64': view.setFloat64(off, v as number, true); return;
    case 'bool': view.setUint8(off, v ? 1 : 0); return;
    case 'f80': codeHelpers.toC_f80(view, off, v as number | bigint);
  }
}

/** A pointer read from memory: its Address (the 64 bits as a signed integer, a number when safe). */
export const readAddress: (view: DataView, off: number) => Address = fromC_i64;

/**
 * Stores `value` into the C object of type `t` at view/off, as C assignment or initialisation does:
 * scalars are converted and checked; arrays take a list, a string (char arrays), a typed array or an
 * array cdata of the same type; structs take an object of fields, a list in field order, or a cdata
 * of the same type (copied). Members not mentioned keep their bytes (zero after ffi.new).
 */
export function writeAt(t: CType, view: DataView, off: number, value: unknown, where: string, avail = t.size): void {
  switch (t.kind) {
    case 'primitive':
    case 'enum':
      writeScalar(t, view, off, value, where);
      return;
    case 'pointer':
      codeHelpers.toC_64(view, off, toCPointer(t, value, where));
      return;
    case 'array':
      writeArray(t, view, off, value, where);
      return;
    case 'struct':
    case 'union':
      writeStruct(t, view, off, value, where, avail);
      return;
    case 'void':
    case 'function':
      throw new TypeError(`${where}: cannot store a value of type '${t.cname}'`);
  }
}

/** Copies the bytes of a cdata of the same type (struct assignment). */
function copyFrom(src: CData, view: DataView, off: number, size: number, where: string): void {
  refuseReadOnly(view, where);
  checkMemory(src, 'copied from', size);
  const from = src[MEM].v;
  new Uint8Array(view.buffer, view.byteOffset + off, size).set(new Uint8Array(from.buffer, from.byteOffset + src[OFF], size));
}

/** Initialises an array of `length` items (an open array's actual length) from a list, string, typed array or cdata. */
export function writeArray(t: ArrayType, view: DataView, off: number, value: unknown, where: string, length = t.length ?? 0): void {
  const item = t.item;
  const size = item.size;
  if (isCData(value)) {
    // As CFFI: a cdata initialises an array of exactly its own type (a copy of 'int[4]' for 'int[4]').
    const vt = value[TYPE];
    if (vt.kind === 'array' && vt.item === item && vt.length !== null && vt.length === t.length) {
      copyFrom(value, view, off, value[LEN] * size, where);
      return;
    }
    throw new TypeError(`${where}: expected a list${t.length !== null ? ` or a cdata '${t.cname}'` : ''}, got ${show(value)}`);
  }
  if (typeof value === 'string' && isCharLike(item)) {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > length) {
      throw new RangeError(`${where}: string of ${bytes.length} bytes does not fit in '${t.item.cname}[${length}]'`);
    }
    refuseReadOnly(view, where);
    new Uint8Array(view.buffer, view.byteOffset + off, bytes.length).set(bytes);
    return;
  }
  if (typeof value === 'string' && isWideChar(item)) {
    const codes = wideCodes(value, size);
    if (codes.length > length) {
      throw new RangeError(`${where}: string of ${codes.length} ${size === 2 ? 'UTF-16 units' : 'characters'} does not fit in '${t.item.cname}[${length}]'`);
    }
    refuseReadOnly(view, where);
    for (let i = 0; i < codes.length; i++) writeCode(item, view, off + i * size, codes[i]);
    return;
  }
  if (types.isTypedArray(value) && (item.kind === 'primitive' || item.kind === 'enum')) {
    const width = (value as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    if (width !== size) {
      throw new TypeError(`${where}: a ${show(value)} has ${width}-byte elements, '${item.cname}' has ${size}`);
    }
    const bytes = value.byteLength;
    if (bytes > length * size) throw new RangeError(`${where}: ${bytes / width} elements do not fit in '${t.item.cname}[${length}]'`);
    refuseReadOnly(view, where);
    new Uint8Array(view.buffer, view.byteOffset + off, bytes).set(new Uint8Array(value.buffer, value.byteOffset, bytes));
    return;
  }
  if (!Array.isArray(value)) {
    throw new TypeError(`${where}: expected a list${isCharLike(item) || isWideChar(item) ? ' or a string' : ''} for '${t.cname}', got ${show(value)}`);
  }
  if (value.length > length) {
    throw new RangeError(`${where}: ${value.length} items do not fit in '${t.item.cname}[${length}]'`);
  }
  if ((item.kind === 'primitive' || item.kind === 'enum') && !isWideChar(item)) {
    listWriter(reprOf(item))(view, off, value, item, where);
    return;
  }
  for (let i = 0; i < value.length; i++) writeAt(item, view, off + i * size, value[i], `${where}[${i}]`);
}

type ListWriter = (view: DataView, off: number, list: unknown[], item: ScalarType, where: string) => void;
const listWriters = new Map<Repr, ListWriter>();

/** A loop storing a list of numbers as items of representation `repr`, each checked inline as the generated accessors do. */
function listWriter(repr: Repr): ListWriter {
  let w = listWriters.get(repr);
  if (!w) {
    const size = reprSize(repr);
    const body =
      'return function (view, off, list, item, where) {\n' +
      '  for (let i = 0; i < list.length; i++) {\n' +
      `    let v = list[i];\n    if (!(${fastCheck(repr, 'v')})) v = toCScalar(item, v, where + '[' + i + ']');\n` +
      `    ${storeCode(repr, 'view', `off + i * ${size}`, 'v')};\n  }\n};`;
    w = new Function('toCScalar', ...Object.keys(codeHelpers), body)(toCScalar, ...Object.values(codeHelpers)) as ListWriter;
    listWriters.set(repr, w);
  }
  return w;
}

/**
 * `avail` is the bytes the struct has (more than its size when ffi.new sized it for its flexible
 * array member): the items an open array member may take.
 */
function writeStruct(t: StructType, view: DataView, off: number, value: unknown, where: string, avail: number): void {
  if (t.fields === null) throw new TypeError(`${where}: '${t.cname}' is incomplete (declared but never defined)`);
  if (isCData(value)) {
    if (value[TYPE] !== t) throw new TypeError(`${where}: expected '${t.cname}', got ${show(value)}`);
    copyFrom(value, view, off, t.size, where);
    return;
  }
  if (Array.isArray(value)) {
    // C's brace elision, as CFFI does it: the fields in order, skipping those of a union's later members.
    const positional = positionalFields(t);
    if (value.length > positional.length) {
      throw new RangeError(`${where}: ${value.length} initialisers for '${t.cname}', which takes ${positional.length}`);
    }
    value.forEach((v, i) => writeField(positional[i], view, off, v, where, avail));
    return;
  }
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`${where}: expected an object of fields, a list or a cdata '${t.cname}', got ${show(value)}`);
  }
  for (const [name, v] of Object.entries(value)) {
    const f = t.fieldMap.get(name);
    if (!f) throw new TypeError(`${where}: '${t.cname}' has no field '${name}'`);
    writeField(f, view, off, v, where, avail);
  }
}

function writeField(f: CField, view: DataView, base: number, value: unknown, where: string, avail: number): void {
  const w = `${where}: field '${f.name}'`;
  const t = f.type;
  if (f.bitsize >= 0) writeBits(view, base + f.offset, f, value, w);
  else if (t.kind === 'array' && t.length === null) {
    // An open array member (C99's flexible array member): an integer is its length (the items stay
    // zero, as CFFI takes it), anything else its items, as many as the struct's bytes hold.
    if (openLengthOf(t, value, w) !== null) return;
    writeArray(t, view, base + f.offset, value, w, Math.max(0, Math.floor((avail - f.offset) / t.item.size)));
  } else writeAt(t, view, base + f.offset, value, w, hasVarArray(t) ? avail - f.offset : t.size);
}

// ---------------------------------------------------------------------------------------------
// Pointers as cdata.

export function pointerToItem(t: ArrayType): PointerType {
  return pointerTo(t.item);
}

/**
 * A pointer cdata of type `t` to a C address (null for 0), read through the window onto it (or
 * NOWHERE when no view reaches it). A function pointer answers to `guard` (the library or callback
 * it comes from) when given. With `holds` (read from a library's memory, or given by its
 * function), the pointer keeps that library loaded (see Hold).
 */
export function wrapPointer(t: PointerType, address: Address, guard: Memory | null = null, holds: Hold | null = null): CData | null {
  if (address === 0) return null;
  if (t.item.kind === 'function') return functionPointers(t, address, guard ?? holds?.guard ?? null);
  const place = placeMemory(address, extentOf(t.item));
  return new (classOf(t))(holds === null ? place.memory : heldWindow(place.memory, holds), address, place.offset, 0, 0);
}

type FunctionPointerMaker = (t: PointerType, address: Address, guard: Memory | null) => CData;
let functionPointers: FunctionPointerMaker = () => {
  throw new Error('internal: function pointers are made by cdata/call.ts, which was not loaded');
};

/**
 * Function pointers are callable cdata, made by the call layer (which imports this module): it
 * registers its maker here once, at load.
 */
export function useFunctionPointers(make: FunctionPointerMaker): void {
  functionPointers = make;
}

/**
 * The Memory that views derived from `c` share: its own, or for an ffi.new allocation still sharing
 * its slab's, a Memory of the allocation alone, made now (once), so that releasing the allocation
 * reaches every view derived from it.
 */
export function ownMemory(c: CData): Memory {
  const m = c[MEM];
  if (m.kind !== 'slab') return m;
  return (c[MEM] = splitSlab(m, c[OFF], c[OWN]));
}

/**
 * A cdata of class `cls` at `bytes` past `c`'s address, `extent` bytes long (`n`: an array's
 * length): in `c`'s memory, or for C memory past `c`'s window, through the window onto its address.
 */
function derivedAt(c: CData, cls: CDataClass, bytes: number, extent: number, n: number): CData {
  const a = offsetAddress(c[ADDR], bytes);
  const m = ownMemory(c);
  const o = c[OFF] + bytes;
  if (m.kind !== 'c' || (o >= m.lo && o + extent <= m.hi)) return new cls(m, a, o, n, 0);
  const place = placeFrom(m, a, extent);
  return new cls(place.memory, a, place.offset, n, 0);
}

/** The same pointer moved by `bytes`: in the same memory, or for C memory, through the window onto its new address. */
export function movePointer(p: CData, bytes: number): CData | null {
  if (offsetAddress(p[ADDR], bytes) === 0) return null;
  return derivedAt(p, p.constructor as CDataClass, bytes, extentOf((p[TYPE] as PointerType).item), 0);
}

/** C's `p + n` on a pointer or an array (`op` names the method for messages): a pointer to the item n further. */
function addItems(c: CData, n: unknown, op: string): CData | null {
  const bytes = stepOf(c, n, op);
  const t = c[TYPE] as PointerType | ArrayType;
  if (t.kind === 'pointer') return movePointer(c, bytes);
  if (offsetAddress(c[ADDR], bytes) === 0) return null;
  return derivedAt(c, classOf(pointerTo(t.item)), bytes, extentOf(t.item), 0);
}

/** C's `p - q` for pointers or arrays of the same item type: the distance in items. */
function itemsBetween(c: CData, x: CData, op: string): number {
  const size = itemSize(c, op);
  if (x[TYPE].kind !== 'pointer' && x[TYPE].kind !== 'array') throw new TypeError(`${c[TYPE].cname}.${op}(): expected a pointer, got ${show(x)}`);
  const item = (x[TYPE] as PointerType | ArrayType).item;
  if (item !== (c[TYPE] as PointerType | ArrayType).item) {
    throw new TypeError(`${c[TYPE].cname}.${op}(): pointers to different types ('${c[TYPE].cname}' and '${x[TYPE].cname}')`);
  }
  const d = addressDistance(c[ADDR], x[ADDR]);
  return typeof d === 'number' ? d / size : Number(d / BigInt(size));
}

/**
 * CFFI's `p[start:stop]`: the items [start, stop) of a pointer or an array as an array cdata of
 * type 'T[]' and length stop - start, over the same memory. Both bounds must be given; an array's
 * must lie inside it, and so must any slice of memory node-cffi knows the size of.
 */
function sliceOf(c: CData, start: unknown, stop: unknown): CData {
  const what = `${c[DESCRIBE]()}.slice(${show(start)}, ${show(stop)})`;
  if (start === undefined || stop === undefined) throw new RangeError(`${what}: give both the start and the stop of the slice`);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(stop)) throw new TypeError(`${what}: the start and the stop must be integers`);
  const [from, to] = [start as number, stop as number];
  if (from > to) throw new RangeError(`${what}: the start is past the stop`);
  const t = c[TYPE] as PointerType | ArrayType;
  if (t.kind === 'array') {
    if (from < 0) throw new RangeError(`${what}: negative index`);
    if (to > c[LEN]) throw new RangeError(`${what}: index too large (expected ${to} <= ${c[LEN]})`);
  }
  const size = itemSize(c, 'slice');
  const n = to - from;
  const view = derivedAt(c, classOf(arrayOf(t.item, null)), from * size, n * size, n);
  const m = view[MEM];
  if (m.kind !== 'c') {
    checkMemory(view, what);
    if (m.bounded && (view[OFF] < m.lo || view[OFF] + n * size > m.hi)) {
      throw new RangeError(`${what}: the slice lies outside the ${m.hi - m.lo} bytes of the memory it is in`);
    }
  }
  return view;
}

// ---------------------------------------------------------------------------------------------
// Generated classes.

/** The cdata class of `t`, generated on first use (and again once an incomplete struct gets its body). */
export function classOf(t: Aggregate): CDataClass {
  const memo = t._cdata as { cls: CDataClass; complete: boolean } | undefined;
  const complete = structOf(t)?.complete ?? true;
  if (memo && memo.complete === complete) return memo.cls;
  const cls = generate(t);
  t._cdata = { cls, complete };
  return cls;
}

/** The struct whose fields a cdata of type `t` exposes (itself, or the pointee of a struct pointer). */
function structOf(t: Aggregate): StructType | null {
  if (t.kind === 'struct' || t.kind === 'union') return t;
  if (t.kind === 'pointer' && (t.item.kind === 'struct' || t.item.kind === 'union')) return t.item;
  return null;
}

/** Shared behaviour of pointer cdata. */
export class PointerData extends CData {
  /** C's `p + n`: the pointer moved by n items. */
  add(n: number): CData | null {
    return addItems(this, n, 'add');
  }
  /** C's `p - n` (a number) or `p - q` (another pointer: the element difference). */
  sub(x: number | CData): CData | null | number {
    return isCData(x) ? itemsBetween(this, x, 'sub') : addItems(this, typeof x === 'number' ? -x : x, 'sub');
  }
  /** CFFI's `p[start:stop]`: items start to stop - 1 as an array cdata ('T[]') over the same memory. */
  slice(start: number, stop: number): CData {
    return sliceOf(this, start, stop);
  }
  /** True when both point to the same address. */
  equals(q: unknown): boolean {
    return isCData(q) && q[ADDR] === this[ADDR];
  }
}

function itemSize(p: CData, op: string): number {
  const item = (p[TYPE] as PointerType | ArrayType).item;
  return requireSize(item, `${p[TYPE].cname}.${op}()`, true);
}

function stepOf(p: CData, n: unknown, op: string): number {
  if (!Number.isSafeInteger(n)) throw new TypeError(`${p[TYPE].cname}.${op}(): expected an integer, got ${show(n)}`);
  return (n as number) * itemSize(p, op);
}

/**
 * Shared behaviour of function pointer cdata, which are JavaScript functions (calling them calls
 * the C function): Function.prototype's methods, which their prototype chain would otherwise miss.
 */
export class FunctionPointerData extends CData {
  /** As CFFI shows a callback: the JavaScript function it calls (`<cdata 'int(*)(int)' calling <function cb>>`). */
  override toString(): string {
    const fn = (this as { [CALLING]?: { name: string } })[CALLING];
    if (fn === undefined) return super.toString();
    return `<cdata '${this[TYPE].cname}' calling <function${fn.name ? ` ${fn.name}` : ''}>>`;
  }
}

/** The JavaScript function behind a callback cdata (ffi.callback), for its repr. */
export const CALLING = Symbol('node-cffi.calling');
for (const name of ['call', 'apply', 'bind'] as const) {
  Object.defineProperty(FunctionPointerData.prototype, name, { value: Function.prototype[name], writable: true, configurable: true });
}

/** Shared behaviour of array cdata. */
export class ArrayData extends CData {
  get length(): number {
    return this[LEN];
  }
  /** C's `a + n` on an array: a pointer to item n ('T *'). */
  add(n: number): CData | null {
    return addItems(this, n, 'add');
  }
  /** C's `a - n` (a pointer n items before the array) or `a - q` (the element difference). */
  sub(x: number | CData): CData | null | number {
    return isCData(x) ? itemsBetween(this, x, 'sub') : addItems(this, typeof x === 'number' ? -x : x, 'sub');
  }
  /** CFFI's `a[start:stop]`: items start to stop - 1 as an array cdata ('T[]') over the same memory. */
  slice(start: number, stop: number): CData {
    return sliceOf(this, start, stop);
  }
  override *[Symbol.iterator](): IterableIterator<unknown> {
    for (let i = 0; i < this[LEN]; i++) yield this[GET](i);
  }
}

/** Shared behaviour of struct and union cdata. */
export class StructData extends CData {}

/** The error for an index that is not an integer (TypeError) or out of bounds (RangeError). */
export function badIndex(c: CData, i: unknown): Error {
  if (typeof i !== 'number' || !Number.isInteger(i)) return new TypeError(`${c[DESCRIBE]()}: index must be an integer, got ${show(i)}`);
  return new RangeError(`${c[DESCRIBE]()}: index ${i} is out of bounds (length ${c[LEN]})`);
}

/**
 * Slow path of pointer indexing: any integer index. In bounded memory (ffi.new, ffi.fromBuffer) an
 * item past the memory is refused; C memory is placed anew at the item's address.
 */
function pointerSlot(p: CData, i: unknown): { m: Memory; off: number; addr: Address } {
  if (!Number.isSafeInteger(i)) throw badIndex(p, i);
  const item = (p[TYPE] as PointerType).item;
  requireSize(item, `${p[TYPE].cname}[${i}]`, true);
  if (i !== 0 && p[OWN] > 0 && hasVarArray(item)) {
    // Its bytes are one struct and its items, not several structs (CFFI: an owning pointer is indexed by 0 only).
    throw new RangeError(`${p[DESCRIBE]()}[${i}]: a pointer that ffi.new() sized for its struct's open array member can only be indexed by 0`);
  }
  const step = (i as number) * item.size;
  const addr = offsetAddress(p[ADDR], step);
  const m = ownMemory(p);
  const where = `[${i}]`;
  const off = p[OFF] + step;
  if (m.kind !== 'c') {
    checkMemory(p, where);
    if (m.bounded && (off < m.lo || off + item.size > m.hi)) {
      throw new RangeError(`${p[DESCRIBE]()}[${i}]: item ${i} lies outside the ${m.hi - m.lo} bytes of the memory this pointer points into`);
    }
    return { m, off, addr };
  }
  if (off >= m.lo && off + item.size <= m.hi) return { m, off, addr };
  const place = placeFrom(m, addr, item.size);
  if (place.memory.v === NO_MEMORY || place.offset + item.size > place.memory.hi) {
    throw new RangeError(
      `${p[DESCRIBE]()}[${i}]: address ${addressHex(addr)} is not valid memory (the first page, a sentinel such as (void *)-1, ` +
        'a kernel-space or a tagged address); such a pointer can be compared, cast and passed to C, not read or written',
    );
  }
  return { m: place.memory, off: place.offset, addr };
}

function slowGet(p: CData, i: unknown): unknown {
  const s = pointerSlot(p, i);
  try {
    const item = (p[TYPE] as PointerType).item;
    return readAt(item, s.m, s.off, s.addr, Math.max(0, p[OWN] - (i as number) * item.size));
  } catch (e) {
    throw fault(p, e, `[${i}]`);
  }
}

function slowSet(p: CData, i: unknown, v: unknown): void {
  const s = pointerSlot(p, i);
  try {
    writeAt((p[TYPE] as PointerType).item, s.m.v, s.off, v, `${p[TYPE].cname}[${i}]`);
  } catch (e) {
    throw fault(p, e, `[${i}]`);
  }
}

/**
 * A field of a cdata whose class was made while its struct's layout was pending: read (or written,
 * when `value` is given) through the class of the type as it is now, or an FFIError saying why not.
 */
function settledField(c: CData, name: string, why: string, ...value: unknown[]): unknown {
  const t = c[TYPE] as Aggregate;
  const s = structOf(t);
  if (!s || !s.complete) throw new FFIError(why);
  const proto = classOf(t).prototype;
  if (value.length === 0) return Reflect.get(proto, name, c);
  Reflect.set(proto, name, value[0], c);
  return undefined;
}

/**
 * An open array member (`int a[]`) of the struct `c` is or points to, `delta` bytes into it: an
 * array of the items the bytes ffi.new gave the struct hold ('int[]', CFFI's "implicit max
 * length"), or where that size is not known (memory from C, a cast), a pointer to the first item.
 */
function openMember(c: CData, pointerClass: CDataClass, arrayClass: CDataClass, delta: number, off: number, itemSize: number): CData {
  const bytes = c[OWN] || c[LEN];
  const address = offsetAddress(c[ADDR], delta);
  if (bytes > 0 && itemSize > 0) return new arrayClass(ownMemory(c), address, off, Math.max(0, Math.floor((bytes - delta) / itemSize)), 0);
  return new pointerClass(ownMemory(c), address, off, 0, 0);
}

/** Names the generated code can use; everything it needs arrives through these. */
const runtime = {
  MEM, ADDR, OFF, LEN, OWN, TYPE, GET, SET, NOT_CLONEABLE,
  ...codeHelpers,
  fromC_wchar,
  settledField,
  openMember,
  fault,
  ownMemory,
  offsetAddress,
  readAt,
  writeAt,
  readBits,
  writeBits,
  wrapPointer,
  readAddress,
  toCPointer,
  toCScalar,
  classOf,
  badIndex,
  slowGet,
  slowSet,
  pointerToItem,
};

/** JavaScript source for reading an item of type `t` at offset `off` of view `view`, address `this[ADDR] + delta`. */
function itemRead(t: CType, view: string, off: string, delta: string, k: Constants): string {
  // The bytes behind `this` that ffi.new gave a struct with an open array member ([OWN] for the
  // owning pointer, [LEN] for the struct it points to), minus the item's offset: the item's share.
  const varBytes = `Math.max(0, (this[OWN] || this[LEN]) - (${delta}))`;
  switch (t.kind) {
    case 'primitive':
    case 'enum':
      if (isWideChar(t)) return `fromC_wchar(${loadCode(reprOf(t), view, off)}, ${t.size})`;
      return loadCode(reprOf(t), view, off);
    case 'pointer':
      return `wrapPointer(${k.add(t)}, readAddress(${view}, ${off}), null, this[MEM].holds)`;
    case 'array':
      if (t.length === null) return `openMember(this, ${k.cls(pointerToItem(t))}, ${k.cls(t)}, ${delta}, ${off}, ${t.item.size})`;
      return `new (${k.cls(t)})(ownMemory(this), offsetAddress(this[ADDR], ${delta}), ${off}, ${t.length}, 0)`;
    case 'struct':
    case 'union':
      return `new (${k.cls(t)})(ownMemory(this), offsetAddress(this[ADDR], ${delta}), ${off}, ${hasVarArray(t) ? varBytes : 0}, 0)`;
    case 'void':
    case 'function':
      return `readAt(${k.add(t)}, this[MEM], ${off}, 0)`;
  }
}

/** JavaScript statements storing `v` as an item of type `t` at offset `off` of view `view`. */
function itemWrite(t: CType, view: string, off: string, where: string, k: Constants): string {
  if (t.kind === 'primitive' || t.kind === 'enum') {
    const repr = reprOf(t);
    // A wide character is a string in JavaScript: always converted to its code.
    const check = isWideChar(t) ? 'false' : fastCheck(repr, 'v');
    return `if (!(${check})) v = toCScalar(${k.add(t)}, v, ${k.add(where)});\n${storeCode(repr, view, off, 'v')};`;
  }
  return `writeAt(${k.add(t)}, ${view}, ${off}, v, ${k.add(where)});`;
}

/** `body` (statements) with the engine's memory errors turned into node-cffi's, naming `where` (a JS expression). */
function guarded(body: string, where: string): string {
  return `try { ${body} } catch (e) { throw fault(this, e, ${where}); }`;
}

/** Constants a generated class closes over (types, strings), named c0, c1, …; item classes resolved lazily. */
class Constants {
  readonly values: unknown[] = [];
  private readonly lazy: string[] = [];
  add(x: unknown): string {
    let i = this.values.indexOf(x);
    if (i < 0) i = this.values.push(x) - 1;
    return `c${i}`;
  }
  /** An expression giving the class of `t`, resolved on first use (types may refer to themselves). */
  cls(t: Aggregate): string {
    const c = this.add(t);
    const name = `k_${c}`;
    if (!this.lazy.includes(name)) this.lazy.push(name);
    return `(${name} || (${name} = classOf(${c})))`;
  }
  preamble(): string {
    return this.lazy.length ? `let ${this.lazy.join(', ')};\n` : '';
  }
}

function fieldAccessors(s: StructType, k: Constants): string {
  const out: string[] = [];
  const pending = pendingLayout(s);
  if (pending) {
    // Laid out by the compiler, not verified when this class was made: once verify() has given the
    // layout, the declared names reach the fields through the class made since; before, they say why not.
    const why = k.add(`'${s.cname}': ${pendingReason(pending)}`);
    for (const m of s.members ?? []) {
      if (m.name === '') continue;
      const name = JSON.stringify(m.name);
      out.push(`get [${name}]() { return settledField(this, ${name}, ${why}); }`);
      out.push(`set [${name}](v) { settledField(this, ${name}, ${why}, v); }`);
    }
    return out.join('\n');
  }
  for (const f of s.fields ?? []) {
    const name = JSON.stringify(f.name);
    const where = `field '${f.name}' of '${s.cname}'`;
    const field = k.add(`field '${f.name}'`);
    const off = `this[OFF] + ${f.offset}`;
    if (f.bitsize >= 0) {
      out.push(`get [${name}]() { ${guarded(`return readBits(this[MEM].v, ${off}, ${k.add(f)});`, field)} }`);
      out.push(`set [${name}](v) { ${guarded(`writeBits(this[MEM].v, ${off}, ${k.add(f)}, v, ${k.add(where)});`, field)} }`);
      continue;
    }
    out.push(`get [${name}]() { ${guarded(`return ${itemRead(f.type, 'this[MEM].v', off, String(f.offset), k)};`, field)} }`);
    out.push(`set [${name}](v) { ${guarded(itemWrite(f.type, 'this[MEM].v', off, where, k), field)} }`);
  }
  return out.join('\n');
}

function generate(t: Aggregate): CDataClass {
  const k = new Constants();
  let base: string;
  let body: string;
  switch (t.kind) {
    case 'pointer': {
      base = t.item.kind === 'function' ? 'FunctionPointerData' : 'PointerData';
      const item = t.item;
      const size = item.size;
      const members: string[] = [];
      if (size > 0) {
        const where = `element of '${t.cname}'`;
        // In the memory's bounds: read here; otherwise (another window, a slab piece not split yet, an error) the slow path.
        // The owning pointer of a struct ffi.new sized for its open array member reaches its item 0 only (the slow path says so).
        const owned = hasVarArray(item) ? `(i === 0 || this[OWN] === 0) && ` : '';
        const inside = `const m = this[MEM], o = this[OFF] + i * ${size}; if (${owned}o >= m.lo && o + ${size} <= m.hi)`;
        members.push(
          `[GET](i) { if ((i | 0) === i) { ${inside} { ${guarded(`return ${itemRead(item, 'm.v', 'o', `i * ${size}`, k)};`, '`[${i}]`')} } } return slowGet(this, i); }`,
          `[SET](i, v) { if ((i | 0) === i) { ${inside} { ${guarded(`${itemWrite(item, 'm.v', 'o', where, k)} return;`, '`[${i}]`')} } } slowSet(this, i, v); }`,
        );
      } else if (item.kind !== 'function') {
        // No size to step by: the slow path refuses the index with the error of every sizeless type.
        members.push('[GET](i) { return slowGet(this, i); }', '[SET](i, v) { slowSet(this, i, v); }');
      }
      const s = structOf(t);
      if (s) members.push(fieldAccessors(s, k));
      body = members.join('\n');
      break;
    }
    case 'array': {
      base = 'ArrayData';
      const item = t.item;
      const size = item.size;
      const len = t.length === null ? 'this[LEN]' : String(t.length);
      const where = `element of '${t.cname}'`;
      const index = `if (i >>> 0 !== i || i >= ${len}) throw badIndex(this, i); const o = this[OFF] + i * ${size};`;
      body = [
        `[GET](i) { ${index} ${guarded(`return ${itemRead(item, 'this[MEM].v', 'o', `i * ${size}`, k)};`, '`[${i}]`')} }`,
        `[SET](i, v) { ${index} ${guarded(itemWrite(item, 'this[MEM].v', 'o', where, k), '`[${i}]`')} }`,
      ].join('\n');
      break;
    }
    case 'struct':
    case 'union':
      base = 'StructData';
      body = fieldAccessors(t, k);
      break;
  }
  // Each class defines (not assigns: the prototype chain ends in a Proxy) its own fields.
  const fields =
    `${JSON.stringify(CLONE_GUARD)} = NOT_CLONEABLE; [MEM]; [ADDR]; [OFF]; [LEN]; [OWN];\n` +
    'constructor(m, a, o, n, own) { super(); this[MEM] = m; this[ADDR] = a; this[OFF] = o; this[LEN] = n; this[OWN] = own; }';
  const source =
    `${k.preamble()}` +
    `const C = class extends ${base} {\n${fields}\n${body}\n};\n` +
    `Object.defineProperty(C.prototype, TYPE, { value: T });\n` +
    // Public get/set mirror [GET]/[SET] unless a field of the same name claims the name.
    `for (const [pub, own] of [['get', GET], ['set', SET]]) {\n` +
    `  if (Object.prototype.hasOwnProperty.call(C.prototype, own) && !Object.prototype.hasOwnProperty.call(C.prototype, pub)) {\n` +
    `    Object.defineProperty(C.prototype, pub, { value: C.prototype[own], writable: true, configurable: true });\n` +
    `  }\n` +
    `}\n` +
    `return C;`;
  // Compiled for each type: classes sharing code would share inline caches, which then see many shapes.
  const factory = new Function(base, 'T', ...RUNTIME_NAMES, ...k.values.map((_, i) => `c${i}`), source) as ClassFactory;
  const baseClass = { PointerData, FunctionPointerData, ArrayData, StructData }[base];
  return factory(baseClass, t, ...RUNTIME_VALUES, ...k.values);
}

type ClassFactory = (...args: unknown[]) => CDataClass;
const RUNTIME_NAMES = Object.keys(runtime);
const RUNTIME_VALUES = Object.values(runtime);
