// Conversions of scalar values between JavaScript and C, named by direction: toC (checked) and fromC.
import { RangeError, show, TypeError } from '../errors';
import { CType, EnumType, PrimitiveType } from '../ctype/model';
import { Repr, isSignedRepr, reprRange } from '../ctype/primitives';
import { EnumValue } from './scalar';
import { isCData } from './base';

/**
 * A complex number as JavaScript holds it: what a `float _Complex` or `double _Complex` reads as
 * (CFFI's Python complex), a plain object of its two parts.
 */
export interface Complex {
  real: number;
  imag: number;
}

/** A scalar C type: what a single number/bigint/boolean (or complex number) converts to. */
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
const TWO53 = 9007199254740992;

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
    case 'f64':
    case 'f80': return `typeof ${v} === 'number'`;
    case 'bool': return `typeof ${v} === 'boolean'`;
    // A complex number is always copied (toCComplex): nothing of the caller's object is kept, and a cdata is never read as one.
    case 'c32':
    case 'c64': return 'false';
  }
}

/** Whether `v` is a complex number as node-cffi gives them: an object whose `real` and `imag` are numbers. */
export function isComplex(v: unknown): v is Complex {
  if (typeof v !== 'object' || v === null || isCData(v)) return false;
  try {
    return typeof (v as Complex).real === 'number' && typeof (v as Complex).imag === 'number';
  } catch {
    return false; // an object refusing names it lacks (a library object): no complex number
  }
}

/**
 * A complex number of type `t` from a JavaScript value: a complex number (`{ real, imag }`), or a
 * real number (a number, or a bigint the double holds exactly), whose imaginary part is 0. A new
 * object: what is stored never changes with the caller's object.
 */
function toCComplex(t: ScalarType, value: unknown, where: string): Complex {
  if (typeof value === 'number') return { real: value, imag: 0 };
  if (isComplex(value)) return { real: value.real, imag: value.imag };
  if (typeof value === 'bigint') {
    const n = Number(value);
    if (Number.isFinite(n) && BigInt(n) === value) return { real: n, imag: 0 };
    throw new RangeError(`${where}: ${value}n has no exact '${t.cname}' value; convert it with Number() to accept rounding`);
  }
  const parts = typeof value === 'object' && value !== null && !isCData(value) && ('real' in value || 'imag' in value) ? ' (both its real and imag must be numbers)' : '';
  throw new TypeError(`${where}: expected a complex number { real, imag } or a number for '${t.cname}', got ${show(value)}${parts}`);
}

/**
 * The slow converter for a value of type `t` written to `where` (words for messages:
 * "argument 2 of add()", "field 'x' of 'struct pt'"). Returns what the fast path stores:
 * a number for 32-bit and smaller integers and floats, a number or bigint for 64-bit integers,
 * a boolean for _Bool, a new Complex for complex numbers. Throws TypeError for a value of the wrong kind, RangeError when it does not fit.
 */
export function toCScalar(t: ScalarType, value: unknown, where: string): number | bigint | boolean | Complex {
  if (isWideChar(t)) return toCWideChar(t, value, where);
  const repr = reprOf(t);
  switch (repr) {
    case 'c32':
    case 'c64':
      return toCComplex(t, value, where);
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
      if (typeof value === 'number') return value;
      // A bigint converts exactly when the long double holds it (up to 64 significant bits on x86-64).
      if (typeof value === 'bigint') {
        if (exactInLongDouble(value, LONG_DOUBLE)) return value;
        throw new RangeError(`${where}: ${value}n has no exact '${t.cname}' value; convert it with Number() to accept rounding`);
      }
      throw new TypeError(`${where}: expected a number for '${t.cname}', got ${show(value)}`);
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
        // An ASCII character is the same byte signed or unsigned: no range to check.
        if (value.length === 1 && value.charCodeAt(0) < 0x80) return value.charCodeAt(0);
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
    case 'f80': return `fromC_f80(${view}, ${off})`;
    case 'c32': return `fromC_c32(${view}, ${off})`;
    case 'c64': return `fromC_c64(${view}, ${off})`;
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
    case 'f80': return `toC_f80(${view}, ${off}, ${val})`;
    case 'c32': return `toC_c32(${view}, ${off}, ${val})`;
    case 'c64': return `toC_c64(${view}, ${off}, ${val})`;
  }
}

/** A `float _Complex` from memory: its real part, then its imaginary part. */
export function fromC_c32(view: DataView, off: number): Complex {
  return { real: view.getFloat32(off, true), imag: view.getFloat32(off + 4, true) };
}

/** A `double _Complex` from memory. */
export function fromC_c64(view: DataView, off: number): Complex {
  return { real: view.getFloat64(off, true), imag: view.getFloat64(off + 8, true) };
}

/** Stores a checked `float _Complex` (each part rounded to a float). */
export function toC_c32(view: DataView, off: number, v: Complex): void {
  view.setFloat32(off, v.real, true);
  view.setFloat32(off + 4, v.imag, true);
}

/** Stores a checked `double _Complex`. */
export function toC_c64(view: DataView, off: number, v: Complex): void {
  view.setFloat64(off, v.real, true);
  view.setFloat64(off + 8, v.imag, true);
}

/**
 * A signed 64-bit integer as koffi gives it (a call's result, a callback's argument): a number up to 2^53 in magnitude, else a
 * bigint. 2^53 itself is not a safe integer (2^53 + 1 reads as the same number), so it is a
 * bigint here, as a read of memory gives it.
 */
export const fromKoffi64 = (v: number | bigint): number | bigint => (v === TWO53 || v === -TWO53 ? BigInt(v) : v);

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

// ---------------------------------------------------------------------------------------------
// long double: JavaScript numbers are doubles; memory keeps the platform's own 16 bytes.

/**
 * How C stores a `long double` in its 16 bytes: x86-64's 80-bit extended precision (a 64-bit
 * significand with an explicit integer bit, then sign and 15-bit exponent; 6 bytes of padding), or
 * aarch64's IEEE binary128 (a 112-bit fraction with an implicit integer bit, 15-bit exponent, sign).
 */
export type LongDoubleFormat = 'x87' | 'binary128';

/** This machine's long double. */
export const LONG_DOUBLE: LongDoubleFormat = process.arch === 'arm64' ? 'binary128' : 'x87';

const EXP_BIAS = 16383;
/** The significand bits a format keeps, its integer bit included. */
const precision = (f: LongDoubleFormat): number => (f === 'x87' ? 64 : 113);

const f64 = new Float64Array(1);
const f64Bits = new Uint32Array(f64.buffer);

function bitLength(b: bigint): number {
  return b.toString(2).length;
}

/**
 * The long double at view/off as the nearest double (ties to even, as C's conversion rounds),
 * Infinity past the double range, a signed zero below it.
 */
export function fromC_f80(view: DataView, off: number, format: LongDoubleFormat = LONG_DOUBLE): number {
  let neg: boolean;
  let exp: number;
  let sig: bigint;
  if (format === 'x87') {
    const se = view.getUint16(off + 8, true);
    neg = se >= 0x8000;
    exp = se & 0x7fff;
    const hi = view.getUint32(off + 4, true);
    const lo = view.getUint32(off, true);
    // An integer bit of 0 with a nonzero exponent is an "unnormal" (with the largest exponent, a
    // "pseudo-infinity" or "pseudo-NaN"), which x87 refuses as invalid: NaN.
    if (exp === 0x7fff) {
      if (hi < 0x80000000 || ((hi & 0x7fffffff) | lo) !== 0) return NaN;
      return neg ? -Infinity : Infinity;
    }
    if (exp !== 0 && hi < 0x80000000) return NaN;
    if (exp >= EXP_BIAS - 1022 && exp < EXP_BIAS + 1024) {
      // A normal double (the usual case), rounded without bigints: 53 bits of the 64, ties to even.
      const rest = lo & 0x7ff;
      let top = hi * 2097152 + (lo >>> 11);
      if (rest > 0x400 || (rest === 0x400 && top % 2 === 1)) top += 1;
      const r = top * 2 ** (exp - EXP_BIAS - 52);
      return neg ? -r : r;
    }
    sig = (BigInt(hi) << 32n) | BigInt(lo);
  } else {
    const hi = view.getBigUint64(off + 8, true);
    neg = hi >> 63n === 1n;
    exp = Number((hi >> 48n) & 0x7fffn);
    const frac = ((hi & 0xffffffffffffn) << 64n) | view.getBigUint64(off, true);
    if (exp === 0x7fff) {
      if (frac !== 0n) return NaN;
      return neg ? -Infinity : Infinity;
    }
    sig = exp === 0 ? frac : frac | (1n << 112n);
  }
  if (sig === 0n) return neg ? -0 : 0;
  // value = sig × 2^e
  let e = Math.max(exp, 1) - EXP_BIAS - (precision(format) - 1);
  const len = bitLength(sig);
  if (len - 1 + e > 1023) return neg ? -Infinity : Infinity;
  // Bits below the double's last place: 53 significant bits, and never a place below 2^-1074.
  const drop = Math.max(len - 53, -1074 - e);
  if (drop > 0) {
    const d = BigInt(drop);
    const rest = sig & ((1n << d) - 1n);
    const half = 1n << (d - 1n);
    sig >>= d;
    if (rest > half || (rest === half && (sig & 1n) === 1n)) sig += 1n;
    e += drop;
  }
  const r = Number(sig) * 2 ** e; // exact: sig has at most 53 bits and 2^e is at least 2^-1074
  return neg ? -r : r;
}

/**
 * Stores a number (exactly: every double is a long double) or an integer bigint that
 * `exactInLongDouble` accepted as a long double at view/off; the padding bytes of x86-64's format
 * are zeroed.
 */
export function toC_f80(view: DataView, off: number, v: number | bigint, format: LongDoubleFormat = LONG_DOUBLE): void {
  let neg: boolean;
  let sig: bigint; // value = sig × 2^e, sig > 0
  let e: number;
  if (typeof v === 'bigint') {
    if (v === 0n) return storeLongDouble(view, off, false, 0, 0n, format);
    neg = v < 0n;
    sig = neg ? -v : v;
    e = 0;
  } else {
    f64[0] = v;
    const hi = f64Bits[1];
    const lo = f64Bits[0];
    neg = hi >= 0x80000000;
    const exp11 = (hi >>> 20) & 0x7ff;
    const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (exp11 === 0x7ff) {
      // Infinity, or a NaN keeping its payload (quiet, as C's conversion makes it)
      const payload = frac === 0n ? 0n : frac | (1n << 51n);
      return storeLongDouble(view, off, neg, 0x7fff, format === 'x87' ? (1n << 63n) | (payload << 11n) : payload << 60n, format);
    }
    if (exp11 === 0 && frac === 0n) return storeLongDouble(view, off, neg, 0, 0n, format);
    sig = exp11 === 0 ? frac : frac | (1n << 52n);
    e = exp11 === 0 ? -1074 : exp11 - 1075;
  }
  // Normalise: the leading bit becomes the format's integer bit.
  const len = bitLength(sig);
  const p = precision(format);
  const shift = p - len;
  const bits = shift >= 0 ? sig << BigInt(shift) : sig >> BigInt(-shift); // a bigint is checked to lose nothing here
  const exp = e + len - 1 + EXP_BIAS;
  storeLongDouble(view, off, neg, exp, format === 'x87' ? bits : bits - (1n << 112n), format);
}

/** Writes sign, biased exponent and stored significand (x87: with its integer bit; binary128: the fraction). */
function storeLongDouble(view: DataView, off: number, neg: boolean, exp: number, stored: bigint, format: LongDoubleFormat): void {
  if (format === 'x87') {
    view.setBigUint64(off, stored, true);
    view.setUint16(off + 8, (neg ? 0x8000 : 0) | exp, true);
    view.setUint16(off + 10, 0, true);
    view.setUint32(off + 12, 0, true);
  } else {
    view.setBigUint64(off, stored & 0xffffffffffffffffn, true);
    view.setBigUint64(off + 8, (neg ? 1n << 63n : 0n) | (BigInt(exp) << 48n) | (stored >> 64n), true);
  }
}

/** Whether the integer `b` is a long double value exactly: its significant bits fit the format's significand. */
export function exactInLongDouble(b: bigint, format: LongDoubleFormat): boolean {
  let m = b < 0n ? -b : b;
  if (m === 0n) return true;
  while ((m & 0xffffffffn) === 0n) m >>= 32n;
  while ((m & 1n) === 0n) m >>= 1n;
  return bitLength(m) <= precision(format) && bitLength(b < 0n ? -b : b) - 1 <= EXP_BIAS;
}

/** The helpers generated code refers to by name. */
export const codeHelpers = { fromC_i64, fromC_u64, toC_64, fromC_f80, toC_f80, fromC_c32, fromC_c64, toC_c32, toC_c64 } as const;
