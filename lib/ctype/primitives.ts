// The C primitive types of the target platform (LP64: x86-64 System V and aarch64 Linux): sizes, alignments, ranges.
import { TypeError } from '../errors';

/** How a primitive's value travels between JavaScript and memory; every primitive has exactly one. */
export type Repr =
  | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64'
  | 'f32' | 'f64' | 'bool' | 'f80'
  /** C99's complex numbers: a float or double real part, then the imaginary part. */
  | 'c32' | 'c64';

export interface PrimitiveSpec {
  /** Canonical C spelling, as shown in cnames ('unsigned int', 'size_t'). */
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly repr: Repr;
}

const isArm64 = process.arch === 'arm64';
const x64Like = process.arch === 'x64' || isArm64;

/**
 * Plain `char` travels as its byte value, 0 to 255, on every platform: JavaScript has no bytes type,
 * and CFFI reads a `char` as a one-byte `bytes`, never as a signed number. In C it is signed on
 * x86-64 and unsigned on aarch64 (`C_CHAR_SIGNED`): the same bits either way.
 */
const charRepr: Repr = 'u8';
/** Whether C's plain `char` is signed on this platform (x86-64: yes; aarch64: no), for C's own arithmetic on it. */
export const C_CHAR_SIGNED = !isArm64;
/** `wchar_t` is a signed 32-bit int on x86-64 Linux and unsigned on aarch64 Linux. */
const wcharRepr: Repr = isArm64 ? 'u32' : 'i32';

function p(name: string, repr: Repr, size = reprSize(repr), align = size): PrimitiveSpec {
  return { name, size, align, repr };
}

export function reprSize(repr: Repr): number {
  switch (repr) {
    case 'i8': case 'u8': case 'bool': return 1;
    case 'i16': case 'u16': return 2;
    case 'i32': case 'u32': case 'f32': return 4;
    case 'i64': case 'u64': case 'f64': case 'c32': return 8;
    case 'f80': case 'c64': return 16;
  }
}

/** Every primitive name CFFI knows, in canonical spelling. */
export const PRIMITIVES: readonly PrimitiveSpec[] = [
  p('char', charRepr),
  p('signed char', 'i8'),
  p('unsigned char', 'u8'),
  p('short', 'i16'),
  p('unsigned short', 'u16'),
  p('int', 'i32'),
  p('unsigned int', 'u32'),
  p('long', 'i64'),
  p('unsigned long', 'u64'),
  p('long long', 'i64'),
  p('unsigned long long', 'u64'),
  p('float', 'f32'),
  p('double', 'f64'),
  p('long double', 'f80', 16, 16),
  // Laid out as an array of two of its parts (C11 6.2.5): aligned as one part.
  p('float _Complex', 'c32', 8, 4),
  p('double _Complex', 'c64', 16, 8),
  p('_Bool', 'bool'),
  p('wchar_t', wcharRepr),
  p('char16_t', 'u16'),
  p('char32_t', 'u32'),
  p('int8_t', 'i8'),
  p('uint8_t', 'u8'),
  p('int16_t', 'i16'),
  p('uint16_t', 'u16'),
  p('int32_t', 'i32'),
  p('uint32_t', 'u32'),
  p('int64_t', 'i64'),
  p('uint64_t', 'u64'),
  p('int_least8_t', 'i8'),
  p('uint_least8_t', 'u8'),
  p('int_least16_t', 'i16'),
  p('uint_least16_t', 'u16'),
  p('int_least32_t', 'i32'),
  p('uint_least32_t', 'u32'),
  p('int_least64_t', 'i64'),
  p('uint_least64_t', 'u64'),
  // glibc: the fast 16- and 32-bit types are `long` on 64-bit targets.
  p('int_fast8_t', 'i8'),
  p('uint_fast8_t', 'u8'),
  p('int_fast16_t', 'i64'),
  p('uint_fast16_t', 'u64'),
  p('int_fast32_t', 'i64'),
  p('uint_fast32_t', 'u64'),
  p('int_fast64_t', 'i64'),
  p('uint_fast64_t', 'u64'),
  p('intptr_t', 'i64'),
  p('uintptr_t', 'u64'),
  p('intmax_t', 'i64'),
  p('uintmax_t', 'u64'),
  p('ptrdiff_t', 'i64'),
  p('size_t', 'u64'),
  p('ssize_t', 'i64'),
];

/** Other spellings accepted in declarations, mapped to the canonical name. */
export const PRIMITIVE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['bool', '_Bool'],
  // CFFI's own names of the complex types (what its ctypes' cname shows).
  ['_cffi_float_complex_t', 'float _Complex'],
  ['_cffi_double_complex_t', 'double _Complex'],
]);

if (!x64Like) {
  // Only LP64 little-endian targets are described above; refuse to guess elsewhere.
  throw new Error(`node-cffi: unsupported architecture '${process.arch}' (x64 and arm64 are supported)`);
}

export function isIntegerRepr(r: Repr): boolean {
  return r !== 'f32' && r !== 'f64' && r !== 'f80' && r !== 'bool' && r !== 'c32' && r !== 'c64';
}

/** The complex representations: a pair of floats or doubles. */
export const isComplexRepr = (r: Repr): r is 'c32' | 'c64' => r === 'c32' || r === 'c64';

/** The representations of one integer value, _Bool's included: neither floating nor complex. */
export const isIntegralRepr = (r: Repr): boolean => isIntegerRepr(r) || r === 'bool';

export function isSignedRepr(r: Repr): boolean {
  return r === 'i8' || r === 'i16' || r === 'i32' || r === 'i64';
}

/** Inclusive integer range of an integer representation, as bigints. */
export function reprRange(r: Repr): readonly [bigint, bigint] {
  switch (r) {
    case 'i8': return [-128n, 127n];
    case 'u8': return [0n, 255n];
    case 'i16': return [-32768n, 32767n];
    case 'u16': return [0n, 65535n];
    case 'i32': return [-2147483648n, 2147483647n];
    case 'u32': return [0n, 4294967295n];
    case 'i64': return [-(2n ** 63n), 2n ** 63n - 1n];
    case 'u64': return [0n, 2n ** 64n - 1n];
    case 'bool': return [0n, 1n];
    case 'f32': case 'f64': case 'f80': case 'c32': case 'c64':
      throw new TypeError(`no integer range for '${r}'`);
  }
}
