// Conversions of scalar values between JavaScript and C, named by direction: toC (checked) and fromC.
import { show } from '../errors';
import { CType, EnumType, PrimitiveType } from '../ctype/model';
import { Repr, isSignedRepr, reprRange } from '../ctype/primitives';
import { EnumValue } from './scalar';

/** A scalar C type: what a single number/bigint/boolean converts to. */
export type ScalarType = PrimitiveType | EnumType;

export const reprOf = (t: ScalarType): Repr => (t.kind === 'enum' ? t.base.repr : t.repr);

/**
 * The wide character types: their values are one-character strings in JavaScript, as CFFI's are
 * one-character `str`s (written from a string of one character, read back as one).
 */
export function isWideChar(t: CType): t is PrimitiveType {
  return t.kind === 'primitive' && (t.name === 'wchar_t' || t.name === 'char16_t' || t.name === 'char32_t');
}

/** The one-character string of a wide character's code: a UTF-16 unit for 2-byte types, a code point for 4-byte ones. */
export function fromC_wchar(code: number, size: number, where = 'a wide character'): string {
  if (size === 2) return String.fromCharCode(code);
  if (code < 0 || code > 0x10ffff) throw new RangeError(`${where}: ${code} is not a Unicode code point (0 to 0x10ffff)`);
  return String.fromCodePoint(code);
}

/** The code of a one-character string for a wide character type: one UTF-16 unit for 2-byte types, one code point otherwise. */
function toCWideChar(t: PrimitiveType, value: unknown, where: string): number {
  if (typeof value === 'string') {
    if (t.size === 2 ? value.length === 1 : value.length === 1 || (value.length === 2 && (value.codePointAt(0) as number) > 0xffff)) {
      return t.size === 2 ? value.charCodeAt(0) : (value.codePointAt(0) as number);
    }
    const more = t.size === 2 && value.length === 2 && (value.codePointAt(0) as number) > 0xffff ? ` (outside the BMP: two UTF-16 units)` : '';
    throw new TypeError(`${where}: expected a string of one character for '${t.cname}', got ${show(value)}${more}`);
  }
  throw new TypeError(`${where}: expected a string of one character for '${t.cname}', got ${show(value)}`);
}

const TWO32 = 4294967296;

/**
 * The inline fast-path test, as JavaScript source, that `v` (an identifier) already is a valid
 * value of `repr` needing no conversion. Anything failing it goes to the slow converter, which
 * converts (bigint, enum names, booleans for _Bool) or throws.
 */
export function fastCheck(repr: Repr, v: string): string {
  switch (repr) {
    case 'i8': return `typeof ${v} === 'number' && ((${v} << 24) >> 24) === ${v}`;
    case 'u8': return `typeof ${v} === 'number' && (${v} & 255) === ${v}`;
    case 'i16': return `typeof ${v} === 'number' && ((${v} << 16) >> 16) === ${v}`;
    case 'u16': return `typeof ${v} === 'number' && (${v} & 65535) === ${v}`;
    case 'i32': return `typeof ${v} === 'number' && (${v} | 0) === ${v}`;
    case 'u32': return `typeof ${v} === 'number' && ${v} >>> 0 === ${v}`;
    case 'i64': return `Number.isSafeInteger(${v})`;
    case 'u64': return `(Number.isSafeInteger(${v}) && ${v} >= 0)`;
    case 'f32':
    case 'f64': return `typeof ${v} === 'number'`;
    case 'bool': return `typeof ${v} === 'boolean'`;
    case 'f80': return 'false';
  }
}

/**
 * The slow converter for a value of type `t` written to `where` (words for messages:
 * "argument 2 of add()", "field 'x' of 'struct pt'"). Returns what the fast path stores:
 * a number for 32-bit and smaller integers and floats, a number or bigint for 64-bit integers,
 * a boolean for _Bool. Throws TypeError for a value of the wrong kind, RangeError when it does not fit.
 */
export function toCScalar(t: ScalarType, value: unknown, where: string): number | bigint | boolean {
  if (isWideChar(t)) return toCWideChar(t, value, where);
  const repr = reprOf(t);
  switch (repr) {
    case 'f32':
    case 'f64':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') {
        // A bigint converts only when the double holds it exactly: rounding it would be silent.
        const n = Number(value);
        if (Number.isFinite(n) && BigInt(n) === value) return n;
        throw new RangeError(`${where}: ${value}n has no exact '${t.cname}' value; convert it with Number() to accept rounding`);
      }
      throw new TypeError(`${where}: expected a number for '${t.cname}', got ${show(value)}`);
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      if (value === 0n || value === 1n) return value === 1n;
      if (Number.isInteger(value) || typeof value === 'bigint') {
        throw new RangeError(`${where}: ${show(value)} does not fit in '${t.cname}' (true, false, 0 or 1)`);
      }
      throw new TypeError(`${where}: expected true, false, 0 or 1 for '${t.cname}', got ${show(value)}`);
    case 'f80':
      throw new TypeError(`${where}: 'long double' values cannot be read or written from JavaScript`);
    default:
      return toCInteger(t, repr, value, where);
  }
}

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);

function toCInteger(t: ScalarType, repr: Repr, value: unknown, where: string): number | bigint {
  const [min, max] = reprRange(repr);
  const fit = (b: bigint, shown: string): number | bigint => {
    if (b < min || b > max) {
      throw new RangeError(`${where}: ${shown} does not fit in '${t.cname}' (${min} to ${max})`);
    }
    return b > SAFE_MAX || b < SAFE_MIN ? b : Number(b);
  };
  switch (typeof value) {
    case 'number':
      if (!Number.isInteger(value)) {
        throw new TypeError(`${where}: expected an integer for '${t.cname}', got ${show(value)}`);
      }
      if (!Number.isSafeInteger(value) && value >= Number(min) && value <= Number(max)) {
        throw new RangeError(
          `${where}: ${show(value)} is beyond 2^53 and may already be rounded; pass a bigint for '${t.cname}'`,
        );
      }
      return fit(BigInt(value), show(value));
    case 'bigint':
      return fit(value, show(value));
    case 'string':
      if (t.kind === 'enum') {
        const v = Object.hasOwn(t.relements, value) ? t.relements[value] : undefined;
        if (v === undefined) throw new TypeError(`${where}: '${value}' is not an enumerator of '${t.cname}'`);
        return fit(BigInt(v), value);
      }
      if (t.size === 1) {
        const bytes = Buffer.from(value, 'utf8');
        if (bytes.length === 1) return fit(BigInt(isSignedRepr(repr) ? (bytes[0] << 24) >> 24 : bytes[0]), show(value));
        throw new TypeError(`${where}: expected a number or a one-byte string for '${t.cname}', got ${show(value)}`);
      }
      break;
    case 'object':
      // An enum value from ffi.cast() is its integer, for any integer type (CFFI converts any integer-like cdata).
      if (value instanceof EnumValue) return toCInteger(t, repr, value.value, where);
  }
  throw new TypeError(`${where}: expected an integer for '${t.cname}', got ${show(value)}`);
}

/** JavaScript source reading a `repr` at `view`/`off` (expressions); 64-bit reads call helpers. */
export function loadCode(repr: Repr, view: string, off: string): string {
  switch (repr) {
    case 'i8': return `${view}.getInt8(${off})`;
    case 'u8': return `${view}.getUint8(${off})`;
    case 'i16': return `${view}.getInt16(${off}, true)`;
    case 'u16': return `${view}.getUint16(${off}, true)`;
    case 'i32': return `${view}.getInt32(${off}, true)`;
    case 'u32': return `${view}.getUint32(${off}, true)`;
    case 'i64': return `fromC_i64(${view}, ${off})`;
    case 'u64': return `fromC_u64(${view}, ${off})`;
    case 'f32': return `${view}.getFloat32(${off}, true)`;
    case 'f64': return `${view}.getFloat64(${off}, true)`;
    case 'bool': return `(${view}.getUint8(${off}) !== 0)`;
    case 'f80': return `fromC_f80()`;
  }
}

/** JavaScript source storing the already-checked value `val` as a `repr`. */
export function storeCode(repr: Repr, view: string, off: string, val: string): string {
  switch (repr) {
    case 'i8': return `${view}.setInt8(${off}, ${val})`;
    case 'u8': return `${view}.setUint8(${off}, ${val})`;
    case 'i16': return `${view}.setInt16(${off}, ${val}, true)`;
    case 'u16': return `${view}.setUint16(${off}, ${val}, true)`;
    case 'i32': return `${view}.setInt32(${off}, ${val}, true)`;
    case 'u32': return `${view}.setUint32(${off}, ${val}, true)`;
    case 'i64':
    case 'u64': return `toC_64(${view}, ${off}, ${val})`;
    case 'f32': return `${view}.setFloat32(${off}, ${val}, true)`;
    case 'f64': return `${view}.setFloat64(${off}, ${val}, true)`;
    case 'bool': return `${view}.setUint8(${off}, ${val} ? 1 : 0)`;
    case 'f80': return `fromC_f80()`;
  }
}

/** A signed 64-bit integer from memory: a number when it is a safe integer, else a bigint. */
export function fromC_i64(view: DataView, off: number): number | bigint {
  const hi = view.getInt32(off + 4, true);
  if (hi >= -2097152 && hi < 2097152) {
    const v = hi * TWO32 + view.getUint32(off, true);
    if (Number.isSafeInteger(v)) return v;
  }
  return view.getBigInt64(off, true);
}

/** An unsigned 64-bit integer from memory: a number when it is a safe integer, else a bigint. */
export function fromC_u64(view: DataView, off: number): number | bigint {
  const hi = view.getUint32(off + 4, true);
  if (hi < 2097152) return hi * TWO32 + view.getUint32(off, true);
  return view.getBigUint64(off, true);
}

/** Stores a checked 64-bit value (a safe-integer number or an in-range bigint). */
export function toC_64(view: DataView, off: number, v: number | bigint): void {
  if (typeof v === 'bigint') {
    view.setBigUint64(off, BigInt.asUintN(64, v), true);
    return;
  }
  const lo = v % TWO32;
  const hi = (v - lo) / TWO32;
  view.setUint32(off, lo < 0 ? lo + TWO32 : lo, true);
  view.setInt32(off + 4, lo < 0 ? hi - 1 : hi, true);
}

export function fromC_f80(): never {
  throw new TypeError(`'long double' values cannot be read or written from JavaScript`);
}

/** The helpers generated code refers to by name. */
export const codeHelpers = { fromC_i64, fromC_u64, toC_64, fromC_f80 } as const;
