// The only door to koffi: loading libraries, binding symbols to koffi functions, raw memory views.
import koffi, { LibraryHandle } from 'koffi';
import { FFIError } from '../errors';
import { CType, FunctionType, isCharLike } from '../ctype/model';
import type { Repr } from '../ctype/primitives';
import { native } from './native';

/** A koffi-bound C function: call with already-converted values. */
export type RawFunction = (...args: unknown[]) => unknown;

export interface LoadedLibrary {
  /** The path given to dlopen, or null for the process itself. */
  readonly path: string | null;
  /** Binds `name` with the C signature `type`; throws FFIError when the library has no such symbol. */
  bind(name: string, type: FunctionType): RawFunction;
  /** The address of a symbol (function or variable); throws FFIError when it is missing. */
  symbolAddress(name: string): number;
  close(): void;
}

/** A library opened by koffi, shared by every LoadedLibrary of the same path, with its bound functions. */
interface Opened {
  readonly handle: LibraryHandle;
  refs: number;
  readonly functions: Map<string, RawFunction>;
}
const opened = new Map<string | null, Opened>();

/**
 * Loads a shared library (null: the C library and everything already in the process). Loading a path
 * that is already open shares it (as dlopen does, with a reference count); each result closes once.
 */
export function loadLibrary(path: string | null): LoadedLibrary {
  let lib = opened.get(path);
  if (!lib) {
    let handle: LibraryHandle;
    try {
      handle = koffi.load(path);
    } catch (e) {
      throw new FFIError(`dlopen(${path === null ? 'null' : JSON.stringify(path)}): ${(e as Error).message}`);
    }
    lib = { handle, refs: 0, functions: new Map() };
    opened.set(path, lib);
  }
  lib.refs++;
  const shared = lib;
  const where = path === null ? 'the running process' : `'${path}'`;
  let closed = false;
  return {
    path,
    bind(name, type) {
      const args = type.args.map((a) => argumentSpec(a, `argument of ${name}()`));
      const result = resultSpec(type.result, `result of ${name}()`);
      const specs = type.ellipsis ? [...args, '...'] : args;
      const key = `${result} ${name}(${specs.join(', ')})`;
      let fn = shared.functions.get(key);
      if (!fn) {
        try {
          fn = shared.handle.func(name, result, specs) as RawFunction;
        } catch (e) {
          throw missing(e, name, where);
        }
        shared.functions.set(key, fn);
      }
      return fn;
    },
    symbolAddress(name) {
      try {
        return toAddress(shared.handle.symbol(name) as bigint);
      } catch (e) {
        throw missing(e, name, where);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      if (--shared.refs === 0) {
        opened.delete(path);
        shared.handle.unload();
      }
    },
  };
}

function missing(e: unknown, name: string, where: string): FFIError {
  const msg = (e as Error).message ?? String(e);
  if (/cannot find/i.test(msg)) return new FFIError(`symbol '${name}': not found in ${where}`);
  return new FFIError(`symbol '${name}' in ${where}: ${msg}`);
}

/** koffi's name for the value representation of a primitive. */
function reprSpec(repr: Repr, what: string): string {
  switch (repr) {
    case 'i8': return 'int8_t';
    case 'u8': return 'uint8_t';
    case 'i16': return 'int16_t';
    case 'u16': return 'uint16_t';
    case 'i32': return 'int32_t';
    case 'u32': return 'uint32_t';
    case 'i64': return 'int64_t';
    case 'u64': return 'uint64_t';
    case 'f32': return 'float';
    case 'f64': return 'double';
    case 'bool': return 'bool';
    case 'f80':
      throw new TypeError(`${what}: 'long double' values cannot be passed to or from C functions (koffi has no long double)`);
  }
}

/**
 * How an argument of C type `t` is handed to koffi. Pointers to char-like items go as
 * 'const char *' so koffi turns JS strings into temporary NUL-terminated copies; every other
 * pointer goes as 'void *' (addresses as numbers, or Buffers and typed arrays).
 */
function argumentSpec(t: CType, what: string): string {
  switch (t.kind) {
    case 'primitive':
      return reprSpec(t.repr, what);
    case 'enum':
      return reprSpec(t.base.repr, what);
    case 'pointer':
      return isCharLike(t.item) ? 'const char *' : 'void *';
    case 'array':
    case 'function':
      return 'void *'; // decayed by the parser already; kept for safety
    case 'void':
      throw new TypeError(`${what}: 'void' is not a parameter type`);
    case 'struct':
    case 'union':
      throw new TypeError(`${what}: passing '${t.cname}' by value is not supported yet; pass a pointer`);
  }
}

/** How a result of C type `t` comes back from koffi: pointers as integer addresses (numbers). */
function resultSpec(t: CType, what: string): string {
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'pointer':
      return 'uintptr_t';
    default:
      return argumentSpec(t, what);
  }
}

/** A koffi pointer (bigint) or integer as a JS number address. */
export function toAddress(p: bigint | number): number {
  return typeof p === 'number' ? p : Number(p);
}

/** An ArrayBuffer over raw memory at `address`, `length` bytes (at most 4 GiB); nothing is copied. */
export function rawView(address: number, length: number): ArrayBuffer {
  return koffi.view(address, length);
}

/** The address of the first byte of an ArrayBuffer's memory (stable: ArrayBuffer memory never moves). */
export const bufferAddress: (buffer: ArrayBuffer) => number = native
  ? native.address
  : (buffer) => Number(koffi.address(buffer));

/** Reads the NUL-terminated UTF-8 string at `address`. */
export const readCString: (address: number) => string = native
  ? (address) => native!.cstring(address, -1)
  : (address) => koffi.decode.string(BigInt(address));

/**
 * Reads the UTF-8 string at `address` up to its NUL or `maxlen` bytes, never reading past either;
 * null without the native helper (koffi has no bounded read that stops at NUL: callers scan first).
 */
export const readCStringBounded: ((address: number, maxlen: number) => string) | null = native ? native.cstring : null;

/** errno as the last C call on this thread left it / set it. */
export function getErrno(): number {
  return koffi.errno();
}

export function setErrno(value: number): void {
  koffi.errno(value);
}
