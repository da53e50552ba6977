// Struct layouts as values meet them: the fields a list fills (brace elision), flexible array members, bit-fields, wide character codes.
import { memberOf } from '../ctype/aliases';
import { types } from 'util';
import { RangeError, show } from '../errors';
import { ArrayType, CField, CType, StructType, isByteLike } from '../ctype/model';
import { isSignedRepr } from '../ctype/primitives';
import { isCData } from './base';
import { ScalarType, isWideChar, reprOf, toCScalar } from './convert';

/** The codes of a string as items of a wide character type of `size` bytes: UTF-16 units, or code points. */
export function wideCodes(s: string, size: number): number[] {
  const codes: number[] = [];
  if (size === 2) for (let i = 0; i < s.length; i++) codes.push(s.charCodeAt(i));
  else for (const c of s) codes.push(c.codePointAt(0) as number);
  return codes;
}

const positionalMemo = new WeakMap<readonly CField[], readonly CField[]>();

/** The fields a list initialiser fills, in order: all but those positional initialisers skip (`flags` 1). */
export function positionalFields(t: StructType): readonly CField[] {
  const fields = t.fields ?? [];
  let p = positionalMemo.get(fields);
  if (!p) positionalMemo.set(fields, (p = fields.filter((f) => (f.flags & 1) === 0)));
  return p;
}

// ---------------------------------------------------------------------------------------------
// Structs with a flexible array member (`struct s { int n; int a[]; }`): ffi.new sizes them to fit.

/** True for a struct or union with an open array member, directly or in a struct member (CFFI's CT_WITH_VAR_ARRAY). */
export function hasVarArray(t: CType): boolean {
  if (t.kind !== 'struct' && t.kind !== 'union') return false;
  const memo = varArrays.get(t);
  if (memo !== undefined) return memo;
  const has = (t.fields ?? []).some((f) => (f.type.kind === 'array' && f.type.length === null) || hasVarArray(f.type));
  if (t.fields !== null) varArrays.set(t, has);
  return has;
}
const varArrays = new WeakMap<StructType, boolean>();

/** The length an integer initialiser gives an open array member, or null when the initialiser is not an integer. */
export function openLengthOf(t: ArrayType, value: unknown, where: string): number | null {
  if (typeof value !== 'number' && typeof value !== 'bigint') return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${where}: the length of '${t.cname}' must be a non-negative integer, got ${show(value)}`);
  return n + 0; // -0 is 0
}

/** The items an initialiser gives an open array (a list, a string, a typed array), or its length when it is an integer. */
export function itemsOf(t: ArrayType, value: unknown, where: string): number {
  const n = openLengthOf(t, value, where);
  if (n !== null) return n;
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'string' && isByteLike(t.item)) return Buffer.byteLength(value, 'utf8') + 1;
  if (typeof value === 'string' && isWideChar(t.item)) return wideCodes(value, t.item.size).length + 1;
  if (types.isTypedArray(value) && t.item.size > 0) return Math.ceil(value.byteLength / t.item.size);
  return 0; // not an initialiser of items: writing it says why
}

/**
 * The bytes `ffi.new` gives a struct of type `t` initialised with `init`: its size, or more when
 * the initialiser gives its open array member more items than that holds (CFFI sizes the struct so).
 */
export function varSizeOf(t: StructType, init: unknown, where: string): number {
  let size = t.size;
  if (!hasVarArray(t) || init === null || typeof init !== 'object' || isCData(init)) return size;
  const given: [CField, unknown][] = Array.isArray(init)
    ? init.slice(0, positionalFields(t).length).map((v, i) => [positionalFields(t)[i], v])
    : Object.entries(init).flatMap(([name, v]) => {
        const f = memberOf(t, name);
        return f ? [[f, v] as [CField, unknown]] : [];
      });
  for (const [f, v] of given) {
    const ft = f.type;
    if (ft.kind === 'array' && ft.length === null) size = Math.max(size, f.offset + itemsOf(ft, v, `${where}: field '${f.name}'`) * ft.item.size);
    else if ((ft.kind === 'struct' || ft.kind === 'union') && hasVarArray(ft)) size = Math.max(size, f.offset + varSizeOf(ft, v, where));
  }
  return size;
}

// ---------------------------------------------------------------------------------------------
// Bitfields: koffi has none, so they are read and written byte by byte.

function bitsSigned(f: CField): boolean {
  const t = f.type as ScalarType;
  return isSignedRepr(reprOf(t));
}

/** Reads bitfield `f` whose storage starts at view/off. */
export function readBits(view: DataView, off: number, f: CField): number | bigint | boolean {
  const span = (f.bitshift + f.bitsize + 7) >> 3;
  let raw = 0n;
  for (let i = span - 1; i >= 0; i--) raw = (raw << 8n) | BigInt(view.getUint8(off + i));
  let v = (raw >> BigInt(f.bitshift)) & ((1n << BigInt(f.bitsize)) - 1n);
  if (bitsSigned(f) && v >> BigInt(f.bitsize - 1) === 1n) v -= 1n << BigInt(f.bitsize);
  if (f.type.kind === 'primitive' && f.type.repr === 'bool') return v !== 0n;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Writes bitfield `f` whose storage starts at view/off, after checking that `value` fits its width. */
export function writeBits(view: DataView, off: number, f: CField, value: unknown, where: string): void {
  // An integer is checked against the field's own range (not its type's, which may be narrower in
  // sign: -1 for a 'char' field of 4 bits is refused as 0 to 15); anything else converts as the type does.
  const integer = typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value));
  const converted = integer ? value : toCScalar(f.type as ScalarType, value, where);
  const v = typeof converted === 'boolean' ? (converted ? 1n : 0n) : BigInt(converted as number | bigint); // bit-fields are integers
  const bits = BigInt(f.bitsize);
  // As CFFI: a signed field of one bit takes 1 too (-1 to 1), stored as its one bit set (reading back -1).
  const [min, max] = bitsSigned(f) ? [-(1n << (bits - 1n)), bits === 1n ? 1n : (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
  if (v < min || v > max) {
    throw new RangeError(`${where}: ${show(value)} does not fit in a ${f.bitsize}-bit field of '${f.type.cname}' (${min} to ${max})`);
  }
  const span = (f.bitshift + f.bitsize + 7) >> 3;
  let raw = 0n;
  for (let i = span - 1; i >= 0; i--) raw = (raw << 8n) | BigInt(view.getUint8(off + i));
  const mask = ((1n << bits) - 1n) << BigInt(f.bitshift);
  raw = (raw & ~mask) | ((BigInt.asUintN(f.bitsize, v) << BigInt(f.bitshift)) & mask);
  for (let i = 0; i < span; i++) view.setUint8(off + i, Number((raw >> BigInt(8 * i)) & 255n));
}
