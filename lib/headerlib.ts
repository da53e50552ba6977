// What the facade adds for headers bound with ffi.cdefHeader(): their declarations as cacheable data, their macro values on libraries, linking with weak references.
import { Decl } from './ctype/registry';
import { MacroValue, bakeModule } from './aot/data';
import type { Lib } from './clib';
import type { VerifyOptions, WeakFunctions } from './apimode';

/** A header's declarations as plain data the cache can hold (FFI's #adopt rebuilds them): a module's data, bigints spelled out. */
export function snapshotOf(decls: readonly Decl[]): unknown {
  return toJson(bakeModule('header', '', decls, new Map(), new Map()));
}

const toJson = (x: unknown): unknown =>
  typeof x === 'bigint' ? { $bigint: String(x) }
    : Array.isArray(x) ? x.map(toJson)
    : typeof x === 'object' && x !== null ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, toJson(v)]))
    : x;

export const fromJson = (x: unknown): unknown =>
  Array.isArray(x) ? x.map(fromJson)
    : typeof x === 'object' && x !== null
      ? typeof (x as { $bigint?: unknown }).$bigint === 'string' ? BigInt((x as { $bigint: string }).$bigint)
        : Object.fromEntries(Object.entries(x).map(([k, v]) => [k, fromJson(v)]))
      : x;

/** The header macros cdef has no constant for, as properties of a library: plain values, pointer casts made on use. */
export function defineValues(cast: (type: string, value: number) => unknown, lib: Lib, values: ReadonlyMap<string, MacroValue>): void {
  for (const [name, v] of values) {
    if (typeof v !== 'object') Object.defineProperty(lib, name, { value: v, enumerable: true });
    else Object.defineProperty(lib, name, { enumerable: true, get: () => cast(v.cast, v.value) });
  }
}

/**
 * With every reference to a header's functions weak, a linker that drops unneeded libraries
 * (`--as-needed`) would drop them all: the libraries are linked whatever they define.
 */
export function linkAll(options: VerifyOptions, weak: WeakFunctions | undefined): VerifyOptions {
  if (!weak || weak.names.length === 0 || typeof options !== 'object' || options === null) return options;
  if (weak.lookup === 'symbols') return options; // tcc links every library it is given
  return { ...options, extraCompileArgs: ['-Wl,--no-as-needed', ...(Array.isArray(options.extraCompileArgs) ? options.extraCompileArgs : [])] };
}
