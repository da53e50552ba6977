// The values of calls into C: arguments converted for koffi (pointer arguments from lists, strings and JS memory, per-call callbacks, long doubles by address, variadic arguments and their limit), results made cdata that keep their library loaded.
import { isComplexRepr } from '../ctype/primitives';
import { types } from 'util';
import { FFIError, RangeError, show, TypeError } from '../errors';
import { CType, FunctionType, PointerType, StructType, isByteLike, isCType } from '../ctype/model';
import { arrayOf } from '../ctype/intern';
import { variadicSpec } from '../backend/calls';
import { CData, TYPE, isCData, releasedNames } from './base';
import { EnumValue } from './scalar';
import { registerTrampoline, Trampoline } from './callback';
import { ownMemory, wrapPointer } from './classes';
import { writeArray } from './access';
import { wideCodes } from './layout';
import { ScalarType, isWideChar, reprOf, toCScalar, toC_f80 } from './convert';
import { Block, Hold, allocate, toAddress } from './memory';
import { fitsJsMemory, isShrinkable, passable, shrinkableError, standIn, toCPointer } from './pointers';
import { toKoffiRecord } from './records';

// ---------------------------------------------------------------------------------------------
// Argument values: what a pointer parameter takes besides a cdata (lists, strings, JS memory).

/**
 * A pointer argument: a cdata of a fitting type, null, JS memory that koffi passes by address, a
 * string (UTF-8 and NUL-terminated for a char or void pointer, UTF-16/32 for a wide character
 * pointer), or a list, which becomes a temporary C array of the items (as CFFI's `T *` parameters
 * take a list) that lives for the call.
 */
export function toCPointerArgument(t: PointerType, value: unknown, where: string): unknown {
  if (typeof value === 'string') {
    const item = t.item;
    if (isByteLike(item) || item.kind === 'void') return value; // koffi makes a NUL-terminated UTF-8 copy for the call
    if (isWideChar(item)) return temporaryArray(t, value, where);
    throw new TypeError(`${where}: a string can only be passed as a pointer to char (or another one-byte integer), to a wide character or to void, not as '${t.cname}'`);
  }
  if (Array.isArray(value)) return temporaryArray(t, value, where);
  if (value !== null && typeof value === 'object' && !isCData(value) && (ArrayBuffer.isView(value) || types.isArrayBuffer(value))) {
    if (!fitsJsMemory(t, value)) throw new TypeError(`${where}: a ${show(value)} does not hold '${t.item.cname}' items for '${t.cname}'`);
    if (isShrinkable(types.isArrayBuffer(value) ? value : (value as ArrayBufferView).buffer)) throw shrinkableError(`a ${show(value)}`, where);
    // V8 gives an empty or detached buffer no address: koffi would pass NULL.
    return (value as ArrayBuffer | ArrayBufferView).byteLength === 0 ? emptyMemory(t, value, where) : value;
  }
  return toCPointer(t, value, where);
}

/**
 * What an empty JavaScript buffer passes: a zeroed item of its own for the call, as CFFI passes an
 * empty buffer's address (a read finds a terminator there). A detached buffer is refused: its
 * memory is gone, and a value C writes through the pointer would be lost.
 */
function emptyMemory(t: PointerType, value: object, where: string): Uint8Array {
  const buffer = types.isArrayBuffer(value) ? value : (value as ArrayBufferView).buffer;
  if (types.isArrayBuffer(buffer)) {
    try {
      new Uint8Array(buffer, 0, 0); // eslint-disable-line no-new
    } catch {
      throw new TypeError(
        `${where}: the ArrayBuffer under ${show(value)} was detached (transferred with postMessage() or structuredClone()), so it has no memory to pass; pass a buffer that holds the memory`,
      );
    }
  }
  return temporaryBytes(Math.max(t.item.size, 1), Math.max(t.item.align, 1)).bytes;
}

/** Fresh zeroed memory of `size` bytes for one call: a block (to write into) and its bytes, as koffi passes them by address. */
function temporaryBytes(size: number, align: number): { block: Block; bytes: Uint8Array } {
  const block = allocate(size, align);
  return { block, bytes: new Uint8Array(block.memory.v.buffer, block.memory.v.byteOffset + block.offset, size) };
}

/**
 * The C array of `t`'s items that a list (or a wide string, NUL added) stands for, initialised as
 * `ffi.new('T[]', value)` would be, as the bytes koffi passes by address. It lives as long as the
 * typed array does, which the call holds (its argument) until C returns.
 */
function temporaryArray(t: PointerType, value: unknown[] | string, where: string): Uint8Array {
  const item = t.item;
  if (item.kind === 'void' || item.kind === 'function' || item.size <= 0) {
    throw new TypeError(`${where}: a list cannot be passed as '${t.cname}' (no C array of '${item.cname}' items); pass a cdata`);
  }
  const n = typeof value === 'string' ? wideCodes(value, item.size).length + 1 : value.length;
  // An empty list is one zeroed item: a typed array of no bytes would reach C as NULL.
  const { block, bytes } = temporaryBytes(Math.max(n, 1) * item.size, item.align);
  writeArray(arrayOf(item, null), block.memory.v, block.offset, value, where, n);
  return bytes;
}

/**
 * A function pointer argument: a function pointer cdata, null, or a plain JavaScript function,
 * which becomes a callback valid for this call only (released in `temps` when the call is over;
 * use ffi.callback() for a function C keeps).
 */
export function toCFunctionArgument(t: PointerType, value: unknown, where: string, temps: unknown[]): unknown {
  // (A released function pointer cdata is a function too, but no JavaScript function to call back.)
  if (typeof value === 'function' && !isCData(value) && !releasedNames.has(value) && standIn(value) === undefined) {
    const tramp = registerTrampoline(t.item as FunctionType, value as (...a: unknown[]) => unknown, {}, `a callback passed as ${where}`);
    temps.push(tramp);
    return tramp.address;
  }
  return toCPointer(t, value, where);
}

/**
 * The address of a long double argument for a wrapper that takes it by pointer: the value (a
 * number, or an integer bigint the long double holds exactly) written to a block of its own, which
 * `keep` holds until the call is over.
 */
export function toCLongDoubleAddress(t: ScalarType, value: unknown, where: string, keep: unknown[]): number {
  const v = typeof value === 'number' ? value : (toCScalar(t, value, where) as number | bigint);
  const b = allocate(16, 16);
  toC_f80(b.memory.v, b.offset, v);
  keep.push(b);
  return b.address;
}

/** Frees the per-call callbacks of a finished call. */
export function releaseTemporaries(temps: unknown[]): void {
  for (const t of temps) if (!isCData(t)) (t as Trampoline).release(); // the others are struct copies, freed by GC
}


/** The pointer a C function returned (koffi gives it as intptr_t), as a cdata (null for NULL). Never throws: C has run. */
export function fromCPointer(t: PointerType, r: number | bigint): CData | null {
  return wrapPointer(t, typeof r === 'bigint' ? toAddress(r) : r);
}

/** fromCPointer for a library's function: the cdata keeps the library loaded (see Hold). */
export function fromLibraryPointer(t: PointerType, r: number | bigint, results: Hold): CData | null {
  return wrapPointer(t, typeof r === 'bigint' ? toAddress(r) : r, null, results);
}

/** Whether a value of type `t` holds a pointer (a struct or union member, an array element, at any depth). */
export function hasPointers(t: CType): boolean {
  if (t.kind === 'pointer') return true;
  if (t.kind === 'array') return hasPointers(t.item);
  if (t.kind === 'struct' || t.kind === 'union') return (t.fields ?? []).some((f) => hasPointers(f.type));
  return false;
}

/** A struct or union a library's function returned: the pointers read from it keep the library loaded (see Hold). */
export function fromLibraryRecord(c: CData, results: Hold): CData {
  ownMemory(c).holds = results;
  return c;
}

/**
 * The koffi type/value pairs of the arguments past a variadic function's fixed ones. Each must
 * carry its C type, since a number's is ambiguous: a cdata (pointers as 'void *'), a string (as
 * 'const char *'), an enum value from ffi.cast, a boolean (as 'int'), a bigint (as a 64-bit
 * integer), null (NULL), or a pair `[type, value]` such as `['int', 42]` or `['double', 2.5]`.
 */
export function variadicArguments(args: IArguments, from: number, label: string, resolve: (text: string) => CType): unknown[] {
  const out: unknown[] = [];
  for (let i = from; i < args.length; i++) {
    const v: unknown = args[i];
    const where = `${label} argument ${i + 1} (variadic)`;
    if (Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || isCType(v[0]))) {
      const t = typeof v[0] === 'string' ? variadicType(v[0], resolve, where) : (v[0] as CType);
      out.push(...typedVariadic(t, v[1], where));
    } else if (typeof v === 'string') {
      out.push('const char *', v);
    } else if (v !== null && isCData(v) && ((v as CData)[TYPE].kind === 'struct' || (v as CData)[TYPE].kind === 'union')) {
      out.push(...typedVariadic((v as CData)[TYPE], v, where));
    } else if (v === null || isCData(v)) {
      if (v !== null && (v as CData)[TYPE].kind !== 'pointer' && (v as CData)[TYPE].kind !== 'array') {
        throw new TypeError(`${where}: ${show(v)} cannot pass through '...'; pass a pointer to it (ffi.addressof)`);
      }
      out.push('void *', v === null ? null : passable(v as CData, where));
    } else if (v instanceof EnumValue) {
      out.push(...typedVariadic(v.type, v.value, where));
    } else if (typeof v === 'boolean') {
      out.push('int', v ? 1 : 0);
    } else if (typeof v === 'bigint') {
      if (v < -(2n ** 63n) || v >= 2n ** 64n) throw new RangeError(`${where}: ${v}n does not fit in 64 bits`);
      out.push(v < 0n ? 'int64_t' : 'uint64_t', v);
    } else if (typeof v === 'number') {
      throw new TypeError(
        `${where}: the C type of a number passed through '...' is ambiguous; ` +
          `write ['int', ${v}] or ['double', ${v}] (any C type: ['long', n], ['unsigned int', n], ...)`,
      );
    } else {
      throw new TypeError(`${where}: ${show(v)} cannot pass through '...'`);
    }
  }
  return out;
}

/** The type a variadic pair names; an error in the name says which argument gave it. */
function variadicType(text: string, resolve: (text: string) => CType, where: string): CType {
  try {
    return resolve(text);
  } catch (e) {
    if (e instanceof Error) e.message = `${where}: ${e.message}`;
    throw e;
  }
}

/** One typed variadic argument, after C's default argument promotions (float → double, small ints → int). */
function typedVariadic(t: CType, value: unknown, where: string): unknown[] {
  switch (t.kind) {
    case 'primitive':
    case 'enum': {
      const v = toCScalar(t, value, where);
      const repr = reprOf(t);
      if (repr === 'f32' || repr === 'f64') return ['double', v];
      if (repr === 'f80') throw new TypeError(`${where}: a 'long double' cannot pass through '...' (koffi has no long double); pass a pointer to it`);
      // A 64-bit integer, or a complex number (not promoted: it passes as a struct of its two parts does).
      if (repr === 'i64' || repr === 'u64' || isComplexRepr(repr)) return [variadicSpec(t, where), v];
      if (repr === 'bool') return ['int', v ? 1 : 0];
      return ['int', Number(v)]; // promoted: the callee reads an int (or unsigned int: same bits)
    }
    case 'pointer':
      return [variadicSpec(t, where), toCPointerArgument(t, value, where)];
    case 'struct':
    case 'union':
      return [structVariadicSpec(t, where), toKoffiRecord(t, value, where)];
    default:
      throw new TypeError(`${where}: a '${t.cname}' cannot pass through '...'`);
  }
}

/**
 * koffi's record type for a struct passed by value through '...' (as CFFI passes one through libffi),
 * or the FFIError (CFFI's NotImplementedError) for the structs whose C layout it cannot reproduce:
 * declared with '...;' (the calling convention may depend on the fields left out), bit-fields, and
 * the others byValueRefusal() names.
 */
function structVariadicSpec(t: StructType, where: string): unknown {
  if (t.partial) {
    throw new FFIError(
      `${where}: '${t.cname}' is declared with '...;', and the C calling convention may depend on the fields the cdef leaves out, ` +
        'so it cannot pass by value through a variadic call; pass a pointer to it',
    );
  }
  try {
    return variadicSpec(t, where);
  } catch (e) {
    if (e instanceof globalThis.TypeError) throw new FFIError(`${e.message.replace(/; use verify\(\).*$/, '')}, so it cannot pass through a variadic call; pass a pointer to it`);
    throw e;
  }
}

/** The most extra arguments koffi passes to a variadic function with `fixed` parameters: 64 values, two per extra (type, value). */
export function maxVariadic(fixed: number): number {
  return Math.floor((KOFFI_MAX_VALUES - fixed) / 2);
}
const KOFFI_MAX_VALUES = 64;

export function tooManyVariadic(label: string, fixed: number, extra: number): RangeError {
  return new RangeError(
    `${label}: ${extra} arguments after the fixed ones is more than can be passed through '...' here: at most ${maxVariadic(fixed)} ` +
      `(koffi passes a variadic call 64 values: the ${fixed} fixed arguments and a type and a value for each extra one)`,
  );
}
