// What the facade adds for headers bound with ffi.cdefHeader(): their declarations as cacheable data, their macro values on libraries, linking with weak references.
import { Decl } from './ctype/registry';
import { MacroValue, bakeModule, macroValue } from './aot/data';
import type { Lib } from './clib';
import type { VerifyOptions, WeakFunctions } from './apimode';

/**
 * A header's declarations as plain data the cache can hold (FFI's #adopt rebuilds them): a module's
 * data, with the bigints it may hold (enum values, constant values) spelled out as { $bigint: digits }.
 * Only those two places are converted: a generic walk over every type and declaration costs more
 * than the rest of the snapshot.
 */
export function snapshotOf(decls: readonly Decl[]): unknown {
  const data = bakeModule('header', '', decls, new Map(), new Map());
  return {
    ...data,
    types: data.types.map((t) => (t.kind === 'enum' && t.values.some(([, v]) => typeof v === 'bigint') ? { ...t, values: t.values.map(([n, v]) => [n, bigToJson(v)]) } : t)),
    decls: data.decls.map((d) => (d.kind === 'constant' && typeof d.value === 'bigint' ? { ...d, value: bigToJson(d.value) } : d)),
  };
}

const bigToJson = (v: number | bigint): unknown => (typeof v === 'bigint' ? { $bigint: String(v) } : v);

const bigFromJson = (v: unknown): unknown =>
  typeof v === 'object' && v !== null && typeof (v as { $bigint?: unknown }).$bigint === 'string' ? BigInt((v as { $bigint: string }).$bigint) : v;

/**
 * A snapshot as snapshotOf() made it (or as the cache read it back): the module data with its
 * bigints restored where snapshotOf() spelled them out. Anything of another shape is returned as
 * it is, for readModule() to refuse.
 */
export function fromSnapshot(x: unknown): unknown {
  if (typeof x !== 'object' || x === null) return x;
  const { types, decls } = x as { types?: unknown; decls?: unknown };
  if (!Array.isArray(types) || !Array.isArray(decls)) return x;
  return {
    ...x,
    types: types.map((t: unknown) => {
      const row = t as { kind?: unknown; values?: unknown } | null;
      if (row?.kind !== 'enum' || !Array.isArray(row.values)) return t;
      return { ...row, values: row.values.map((e: unknown) => (Array.isArray(e) && e.length === 2 ? [e[0], bigFromJson(e[1])] : e)) };
    }),
    decls: decls.map((d: unknown) => {
      const row = d as { kind?: unknown; value?: unknown } | null;
      return row?.kind === 'constant' ? { ...row, value: bigFromJson(row.value) } : d;
    }),
  };
}

/** The header macros cdef has no constant for, as properties of a library: plain values, pointer casts made on use. */
export function defineValues(cast: (type: string, value: number) => unknown, lib: Lib, values: ReadonlyMap<string, MacroValue>): void {
  for (const [name, v] of values) {
    // A pointer or a complex value is an object: a new one at each read, as reading memory gives.
    if (typeof v === 'object' && ('cast' in v || 'complex' in v)) Object.defineProperty(lib, name, { enumerable: true, get: () => macroValue(v, cast) });
    else Object.defineProperty(lib, name, { value: macroValue(v, cast), enumerable: true });
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
