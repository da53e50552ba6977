// Generic access below the cdata classes: scalar codes read and written by representation, values of any type stored as C assignment and initialisation do.
import { memberOf } from '../ctype/aliases';
import { types } from 'util';
import { RangeError, show, TypeError } from '../errors';
import { ArrayType, CField, CType, StructType, isByteLike } from '../ctype/model';
import { arrayOf } from '../ctype/intern';
import { Repr, reprSize } from '../ctype/primitives';
import { CData, LEN, MEM, OFF, OWN, TYPE, isCData, releasedNames } from './base';
import { Complex, ScalarType, codeHelpers, fastCheck, fromC_i64, fromC_wchar, isWideChar, reprOf, storeCode, toCScalar } from './convert';
import { Address } from './memory';
import { checkMemory, refuseReadOnly } from './faults';
import { toCPointer } from './pointers';
import { hasVarArray, itemsOf, openLengthOf, positionalFields, wideCodes, writeBits } from './layout';

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

/** A scalar's value read from a plain view: a wide character as its string. */
export function readScalar(t: ScalarType, view: DataView, off: number): number | bigint | boolean | string | Complex {
  return isWideChar(t) ? fromC_wchar(readCode(t, view, off) as number, t.size) : readCode(t, view, off);
}

/** A scalar as it is in memory: a wide character's code, not its string. */
export function readCode(t: ScalarType, view: DataView, off: number): number | bigint | boolean | Complex {
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
    case 'c32': return codeHelpers.fromC_c32(view, off);
    case 'c64': return codeHelpers.fromC_c64(view, off);
  }
}

function writeScalar(t: ScalarType, view: DataView, off: number, value: unknown, where: string): void {
  writeCode(t, view, off, toCScalar(t, value, where));
}

/** Stores a scalar already converted (toCScalar's result, or a code C gave): a wide character as its code. */
export function writeCode(t: ScalarType, view: DataView, off: number, v: number | bigint | boolean | Complex): void {
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
    case 'f80': codeHelpers.toC_f80(view, off, v as number | bigint); return;
    case 'c32': codeHelpers.toC_c32(view, off, v as Complex); return;
    case 'c64': codeHelpers.toC_c64(view, off, v as Complex);
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

/**
 * Writes `value` to an open array ('int[]': a struct's flexible member, an 'extern int a[];' global)
 * as CFFI writes it: as many items as it gives, C's memory trusted to hold them (ffi.new's bounds
 * still refuse past its bytes).
 */
export function writeOpenArray(t: ArrayType, view: DataView, off: number, value: unknown, where: string): void {
  writeArray(t, view, off, value, where, itemsOf(t, value, where));
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
  if (typeof value === 'string' && isByteLike(item)) {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > length) {
      throw new RangeError(`${where}: string of ${bytes.length} bytes does not fit in '${arrayName(t, length)}'`);
    }
    refuseReadOnly(view, where);
    new Uint8Array(view.buffer, view.byteOffset + off, bytes.length).set(bytes);
    // As CFFI: a shorter string ends with its NUL, so that the array reads back as that string.
    if (bytes.length < length) view.setUint8(off + bytes.length, 0);
    return;
  }
  if (typeof value === 'string' && isWideChar(item)) {
    const codes = wideCodes(value, size);
    if (codes.length > length) {
      throw new RangeError(`${where}: string of ${codes.length} ${size === 2 ? 'UTF-16 units' : 'characters'} does not fit in '${arrayName(t, length)}'`);
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
    if (bytes > length * size) throw new RangeError(`${where}: ${bytes / width} elements do not fit in '${arrayName(t, length)}'`);
    refuseReadOnly(view, where);
    new Uint8Array(view.buffer, view.byteOffset + off, bytes).set(new Uint8Array(value.buffer, value.byteOffset, bytes));
    return;
  }
  if (!Array.isArray(value)) {
    throw new TypeError(`${where}: expected a list${isByteLike(item) || isWideChar(item) ? ' or a string' : ''} for '${t.cname}', got ${show(value)}`);
  }
  if (value.length > length) {
    throw new RangeError(`${where}: ${value.length} items do not fit in '${arrayName(t, length)}'`);
  }
  if ((item.kind === 'primitive' || item.kind === 'enum') && !isWideChar(item)) {
    listWriter(reprOf(item))(view, off, value, item, where);
    return;
  }
  for (let i = 0; i < value.length; i++) writeAt(item, view, off + i * size, value[i], `${where}[${i}]`);
}

/** The C name of array type `t` with `length` items (an open array's actual length): 'int[2][3]' for two 'int[3]'. */
function arrayName(t: ArrayType, length: number): string {
  return t.length === length ? t.cname : arrayOf(t.item, length).cname;
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
  if (value === null || typeof value !== 'object' || releasedNames.has(value)) {
    throw new TypeError(`${where}: expected an object of fields, a list or a cdata '${t.cname}', got ${show(value)}`);
  }
  for (const [name, v] of Object.entries(value)) {
    const f = memberOf(t, name);
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
