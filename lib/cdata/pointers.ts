// Pointer values going to C: which cdata a pointer type accepts, and the address it stands for.
import { types } from 'util';
import { show, TypeError } from '../errors';
import { CType, PointerType, isByteLike } from '../ctype/model';
import { CData, isCData, ADDR, MEM, TYPE } from './base';
import { goneError } from './faults';
import { Address, NOT_CODE, addressHex, placeable } from './memory';
import { isCode } from '../backend/image';

/** The item type a cdata points to or holds (T for 'T *' and 'T[n]'), or null for other cdata. */
function itemOf(t: CType): CType | null {
  return t.kind === 'pointer' || t.kind === 'array' ? t.item : null;
}

/**
 * Whether memory holding items of `have` may be used where items of `want` are expected: the same
 * type, primitives with the same representation (int and int32_t), or two one-byte integer types
 * (a 'signed char[]' or 'uint8_t[]' for a 'char *', as CFFI passes them), recursively through
 * pointers and arrays. Qualifiers do not matter here.
 */
function sameItems(want: CType, have: CType): boolean {
  if (want === have) return true;
  if (want.kind === 'primitive' && have.kind === 'primitive') return want.repr === have.repr || (isByteLike(want) && isByteLike(have));
  if (want.kind === 'enum' && have.kind === 'enum') return want.base.repr === have.base.repr && want.name === have.name;
  if (want.kind === 'pointer' && have.kind === 'pointer') return sameItems(want.item, have.item);
  if (want.kind === 'array' && have.kind === 'array') return want.length === have.length && sameItems(want.item, have.item);
  return false;
}

/** True when a cdata of type `have` can be passed or stored where a `want` pointer goes (C's rules, plus void *). */
export function acceptsPointer(want: PointerType, have: CType): boolean {
  const item = itemOf(have);
  if (item === null) return false;
  if (want.item.kind === 'void' || item.kind === 'void') return true;
  return sameItems(want.item, item);
}

/**
 * The address a pointer of type `want` gets from `value` (null → 0); throws TypeError for anything
 * else, and for memory that is gone (released, closed, detached): C must never get its address.
 */
export function toCPointer(want: PointerType, value: unknown, where: string): Address {
  if (value === null) return 0;
  if (isCData(value)) {
    const have = value[TYPE];
    if (!acceptsPointer(want, have)) throw new TypeError(`${where}: expected '${want.cname}', got ${show(value)}${sameNameHint(want, have)}`);
    const address = passable(value, where);
    // A data pointer ('void *') given for a function pointer: C will call it, so it must point to code.
    if (want.item.kind === 'function' && !(have.kind === 'pointer' && have.item.kind === 'function') && placeable(address) && !isCode(address)) {
      throw new TypeError(
        `${where}: expected '${want.cname}', got ${show(value)} at ${addressHex(address)}, which points to no code: ${NOT_CODE}; ` +
          `C would call it and crash (ffi.cast('${want.cname}', p) passes it all the same)`,
      );
    }
    return address;
  }
  const stood = standIn(value);
  if (stood !== undefined) return toCPointer(want, stood, where);
  const hint = typeof value === 'number' || typeof value === 'bigint' ? `; make a pointer from an address with ffi.cast('${want.cname}', address)` : '';
  throw new TypeError(`${where}: expected a cdata '${want.cname}' or null, got ${show(value)}${hint}`);
}

/** For call arguments: JS memory that koffi passes by address, when its element type fits `want`. */
export function fitsJsMemory(want: PointerType, value: object): boolean {
  const item = want.item;
  // Checked by kind, not by constructor: a buffer from another realm (a vm context, jest's sandbox) is the same memory.
  if (types.isArrayBuffer(value) || types.isDataView(value)) return item.kind === 'void' || (item.kind === 'primitive' && item.size === 1);
  if (!types.isTypedArray(value)) return false;
  if (item.kind === 'void') return true;
  if (item.kind !== 'primitive' && item.kind !== 'enum') return false;
  const repr = item.kind === 'enum' ? item.base.repr : item.repr;
  switch ((value as { [Symbol.toStringTag]: string })[Symbol.toStringTag]) {
    case 'Uint8Array':
    case 'Uint8ClampedArray':
      return repr === 'u8' || repr === 'i8' || repr === 'bool';
    case 'Int8Array': return repr === 'i8' || repr === 'u8';
    case 'Int16Array': return repr === 'i16';
    case 'Uint16Array': return repr === 'u16';
    case 'Int32Array': return repr === 'i32';
    case 'Uint32Array': return repr === 'u32';
    case 'BigInt64Array': return repr === 'i64';
    case 'BigUint64Array': return repr === 'u64';
    case 'Float32Array': return repr === 'f32';
    case 'Float64Array': return repr === 'f64';
    default: return false;
  }
}

/** The address of a cdata C may be given, or the error saying why its memory is gone or may go while C uses it. */
export function passable(c: CData, where: string): Address {
  const e = goneError(c, where);
  if (e) throw e;
  const buffer = c[MEM].buffer;
  if (buffer !== null && isShrinkable(buffer)) throw shrinkableError(show(c), where);
  return c[ADDR];
}

/**
 * Whether `buffer` is an ArrayBuffer that can shrink (`new ArrayBuffer(n, { maxByteLength })`).
 * V8 takes back the pages a shrink gives up: C holding an address in them (a callback it calls
 * resized the buffer, or JavaScript did during an `.async` call) would write to memory that is
 * gone, and the process would die. A growable SharedArrayBuffer only grows, in place: it can be passed.
 */
export function isShrinkable(buffer: ArrayBufferLike): boolean {
  return (buffer as { resizable?: boolean }).resizable === true;
}

/** The error for passing C memory of a resizable ArrayBuffer (`what`, shown). */
export function shrinkableError(what: string, where: string): TypeError {
  return new TypeError(
    `${where}: ${what} is memory of a resizable ArrayBuffer, which could be shrunk while C uses it (by a callback, or during an .async call); ` +
      'pass memory of a fixed-length ArrayBuffer, or copy it into ffi.new() memory',
  );
}

/**
 * Why a pointer is refused when its item prints like the one wanted: the two types come from two
 * FFI instances (each has its own declarations, so its own 'struct s').
 */
export function sameNameHint(want: PointerType, have: CType): string {
  const item = itemOf(have);
  return item !== null && item !== want.item && item.cname === want.item.cname ? differentFFIs : '';
}

const differentFFIs =
  ' (the same name, declared by two different FFI instances: each FFI has its own types; ' +
  "make the cdata with the FFI that declared the function, or ffi.cast() it to this FFI's type)";

// ---------------------------------------------------------------------------------------------
// Functions standing for function pointers

/** What a JavaScript function standing for a function pointer cdata (a library function) stands for. */
interface StandIn {
  readonly type: PointerType;
  readonly pointer: () => CData;
}

/**
 * The property under which a function keeps what it stands for (see standFor): a property of the
 * function, not a WeakMap entry, since the maker refers to the library, which refers to the
 * function, and V8's young-generation collector keeps a WeakMap entry whose value refers to its
 * key, so that every library outlived all collections but full ones.
 */
const STAND_IN = Symbol('node-cffi function pointer');

/**
 * Makes `fn` stand for the function pointer `pointer()` of type `type` wherever a pointer is
 * expected (as CFFI's API-mode library functions, which are no cdata, do). What `pointer`
 * refers to stays alive as long as `fn` does.
 */
export function standFor(fn: object, type: PointerType, pointer: () => CData): void {
  Object.defineProperty(fn, STAND_IN, { value: { type, pointer } satisfies StandIn });
}

const standInOf = (x: unknown): StandIn | undefined =>
  typeof x === 'function' && Object.hasOwn(x, STAND_IN) ? (x as unknown as { [STAND_IN]: StandIn })[STAND_IN] : undefined;

/** The function pointer cdata `x` stands for, if it is a function standing for one. */
export function standIn(x: unknown): CData | undefined {
  return standInOf(x)?.pointer();
}

/** The type of the function pointer `x` stands for, if it is a function standing for one (no cdata made). */
export function standInType(x: unknown): PointerType | undefined {
  return standInOf(x)?.type;
}
