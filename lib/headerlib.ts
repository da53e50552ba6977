// What the facade adds for headers bound with ffi.cdefHeader(): what one FFI bound (BoundHeaders), their declarations as cacheable data, their macro values on libraries, linking with weak references.
import { Decl } from './ctype/registry';
import { BakedHeaders, MacroValue, bakeModule, macroValue } from './aot/data';
import { Lib, hideNames } from './clib';
import type { VerifyOptions, WeakFunctions } from './apimode';
import { probeCompiler, staticDefinitions } from './build';
import { CdefChunk, HeaderDeclarations, HeaderOptions, HeaderSkipped } from './header';
import { WEAK_TABLE, weakReferences } from './codegen/addresses';
import type { CdefOptions } from './cparser/parser';

/** A header bound by ffi.cdefHeader(): how to include it, and whether a compiler has checked its layouts yet. */
export interface BoundHeader {
  readonly include: string;
  readonly options: HeaderOptions;
  /** A hash of the files reading it read, as they were (HeaderDeclarations.stamp). */
  readonly stamp: string;
  /** The registry keys its declarations added. */
  readonly keys: ReadonlySet<string>;
  probed: boolean;
}

/** The ffi.cdef() options of a header's chunk of cdef text: its packing, and `override` for the macros that redefine an enumerator. */
export function chunkOptions(chunk: CdefChunk): CdefOptions {
  const pack = chunk.pack ? { pack: chunk.pack } : {};
  return chunk.override ? { ...pack, override: true } : pack;
}

/** A cdef line declared with packing `pack`, as BoundHeaders remembers it. */
const givenKey = (pack: number, line: string): string => `${pack} ${line}`;

/**
 * What one FFI's ffi.cdefHeader() calls bound beyond their declarations: the headers, the values of
 * macros cdef has no constant for, member aliases, asm labels, and what was left out. A module
 * loaded by FFI.loadModule() brings values and aliases of its own.
 */
export class BoundHeaders {
  readonly headers: BoundHeader[] = [];
  readonly values = new Map<string, MacroValue>();
  /** Names the headers' macros give members of members, with their paths (see ctype/aliases.ts). */
  readonly aliases: Record<string, readonly string[]> = {};
  /**
   * The symbols dlopen() libraries look up for functions and globals not of their own name: those
   * asm labels in the headers give, and those of the functions macros only rename (see ApiOnly.renames).
   */
  readonly symbols = new Map<string, string>();
  /** The macros only renaming a function: verify() calls them through wrappers, dlopen() binds the function. */
  readonly #renames = new Set<string>();
  /** The headers' const globals with external linkage: constants a library defines, read from it, never probed (see HeaderExtract). */
  readonly linkedConstants = new Set<string>();
  /** The functions the headers define inline, no symbol standing for them, by name, with where (see HeaderExtract.inline). */
  readonly inline = new Map<string, string>();
  /** The values the probe libraries read for the headers' constants that only a compiler can tell (`static const int X = 5;`). */
  readonly probedConstants = new Map<string, number | bigint>();
  readonly #skipped: HeaderSkipped[] = [];
  /** Of the names only verify() reaches, the functions a library defines (they pass a long double): referred to weakly too. */
  readonly #linkedApiOnly = new Set<string>();
  /** The cdef lines declared already, with their packing: a declaration two headers give (a shared typedef) is declared once. */
  readonly #given = new Set<string>();

  /** The lines of a header's cdef chunk that no header gave before. */
  fresh(chunk: { readonly source: string; readonly pack: number }): string[] {
    return chunk.source.split('\n').filter((line) => line !== '' && !this.#given.has(givenKey(chunk.pack, line)));
  }

  /** Notes `lines` of a chunk with packing `pack` as declared. */
  given(pack: number, lines: readonly string[]): void {
    for (const line of lines) if (line !== '') this.#given.add(givenKey(pack, line));
  }

  /** Takes in what reading a header gave besides its declarations (which added the registry keys `keys`). */
  record(h: HeaderDeclarations, options: HeaderOptions, keys: ReadonlySet<string>): void {
    for (const [name, v] of Object.entries(h.values)) this.values.set(name, v);
    for (const [name, symbol] of Object.entries(h.symbols ?? {})) this.symbols.set(name, symbol);
    for (const name of h.linkedConstants ?? []) this.linkedConstants.add(name);
    for (const { name, where } of h.inline ?? []) this.inline.set(name, where);
    Object.assign(this.aliases, h.aliases ?? {});
    const known = new Set(this.#skipped.map((s) => `${s.mode} ${s.name} ${s.where}`));
    const left: HeaderSkipped[] = [
      ...h.skipped.map((s) => ({ ...s, mode: 'all' as const })),
      ...h.apiOnly.flatMap(({ name, where, reason, renames }) => (renames === undefined ? [{ name, where, reason, mode: 'dlopen' as const }] : [])),
    ];
    for (const a of h.apiOnly) {
      if (a.symbol) this.#linkedApiOnly.add(a.name);
      if (a.renames === undefined) continue;
      this.#renames.add(a.name);
      this.symbols.set(a.name, a.renames);
    }
    for (const s of left) if (!known.has(`${s.mode} ${s.name} ${s.where}`)) this.#skipped.push(s);
    this.headers.push({ include: h.include, options: { ...options }, stamp: h.stamp, keys, probed: false });
  }

  /** What a compiled module keeps of these headers besides their declarations. */
  baked(): BakedHeaders {
    return {
      values: Object.fromEntries(this.values), aliases: this.aliases, symbols: Object.fromEntries(this.symbols), skipped: this.skipped(),
      inline: Object.fromEntries(this.inline),
    };
  }

  /** Takes in what a module kept (see baked()): a library its FFI makes or opens has the values, and refuses what was left out, saying why. */
  adopt(baked: BakedHeaders): void {
    for (const [name, v] of Object.entries(baked.values ?? {})) this.values.set(name, v);
    Object.assign(this.aliases, baked.aliases ?? {});
    for (const [name, symbol] of Object.entries(baked.symbols ?? {})) this.symbols.set(name, symbol);
    for (const s of baked.skipped ?? []) this.#skipped.push({ name: s.name, where: s.where, reason: s.reason, mode: s.mode });
    for (const [name, where] of Object.entries(baked.inline ?? {})) this.inline.set(name, where);
  }

  /** The declarations left out, with where and why, in the order of the headers (copies). */
  skipped(): HeaderSkipped[] {
    return this.#skipped.map((s) => ({ ...s }));
  }

  /** The names not in libraries from dlopen(): static inline functions, macros that do more than rename a function. */
  notInDlopen(): Set<string> {
    return new Set(this.#skipped.filter((s) => s.mode === 'dlopen').map((s) => s.name));
  }

  /** The names verify() reaches through wrappers, not by their symbols: those not in dlopen() libraries, and the macros renaming a function. */
  apiOnly(): Set<string> {
    const names = this.notInDlopen();
    for (const name of this.#renames) names.add(name);
    return names;
  }

  /**
   * The functions and globals the headers declared that some library must define (not macros, not
   * inline definitions; those passing a long double too), referred to weakly: a header declares what
   * the program itself may be meant to define (arpa/telnet.h's `slc_names`), and what a library
   * was built without. `kindOf` gives the kind of the declaration under a registry key.
   */
  weakFunctions(kindOf: (key: string) => Decl['kind'] | undefined, options: VerifyOptions): WeakFunctions | undefined {
    if (this.headers.length === 0) return undefined;
    const apiOnly = this.apiOnly();
    const names: string[] = [];
    const variables = new Set<string>();
    for (const h of this.headers) {
      for (const key of h.keys) {
        const kind = kindOf(key);
        if (kind === 'variable') {
          variables.add(key);
          names.push(key);
        } else if (kind === 'function' && !this.inline.has(key) && (!apiOnly.has(key) || this.#linkedApiOnly.has(key))) names.push(key);
      }
    }
    const tcc = names.length > 0 && typeof options === 'object' && options !== null && probeCompiler(options).family === 'tcc';
    // What a static archive of the link defines is referred to strongly: a weak reference takes no member out of an archive.
    const archived = names.length > 0 && typeof options === 'object' && options !== null ? staticDefinitions(options) : new Set<string>();
    const strong = new Set(names.filter((n) => archived.has(this.symbols.get(n) ?? n)));
    return { symbol: WEAK_TABLE, names, variables, strong, missing: [], renames: this.#renameTargets(new Set(names)), lookup: tcc ? 'symbols' : 'table' };
  }

  /**
   * The macros only renaming a function, with that function's name where `checked` has it. A
   * rename's symbol is the function's own name, or its asm label (looked up the other way).
   */
  #renameTargets(checked: ReadonlySet<string>): Map<string, string> {
    const out = new Map<string, string>();
    if (this.#renames.size === 0) return out;
    const byLabel = new Map<string, string>();
    for (const [name, symbol] of this.symbols) if (!this.#renames.has(name)) byLabel.set(symbol, name);
    for (const alias of this.#renames) {
      const symbol = this.symbols.get(alias);
      const target = symbol === undefined ? undefined : (byLabel.get(symbol) ?? symbol);
      if (target !== undefined && checked.has(target)) out.set(alias, target);
    }
    return out;
  }

  /** The source as verify(), compile() and emitCCode() build it: with the weak references to the headers' functions and globals. */
  withWeakReferences(source: string, options: VerifyOptions, kindOf: (key: string) => Decl['kind'] | undefined): { source: string; weak: WeakFunctions | undefined } {
    const weak = this.weakFunctions(kindOf, options);
    return { source: typeof source === 'string' && weak ? source + weakReferences(weak.names, weak.variables, weak.strong) : source, weak };
  }

  /** Of the functions the headers define inline, those a library from dlopen() has no symbol for (`has` says whether it has one). */
  absentInline(has: (name: string) => boolean): Set<string> {
    return new Set([...this.inline.keys()].filter((name) => !has(this.symbols.get(name) ?? name)));
  }

  /**
   * `lib` with what the headers bound beyond cdef: macro values (made with `cast`), and the reasons
   * for names left out (`absent`: the inline functions a library from dlopen() has no symbol for).
   * A library from verify() has had every layout checked by its probes.
   */
  finish(lib: Lib, mode: 'verify' | 'dlopen', cast: (type: string, value: number) => unknown, weak?: WeakFunctions, absent?: ReadonlySet<string>): Lib {
    if (mode === 'verify') for (const h of this.headers) h.probed = true;
    defineValues(cast, lib, this.values);
    const reasons = new Map<string, string>();
    for (const s of this.#skipped) {
      if (s.mode === 'all') reasons.set(s.name, `was left out of the header's declarations (${s.where}): ${s.reason}`);
      else if (mode === 'dlopen') reasons.set(s.name, `is not in libraries from dlopen() (${s.where}): ${s.reason}`);
    }
    for (const name of absent ?? []) {
      reasons.set(name, `is not in this library (${this.inline.get(name)}): it is an inline function of the header, which no symbol need stand for, and the library exports none; verify() calls it, through a wrapper`);
    }
    for (const name of weak?.missing ?? []) {
      const target = weak?.renames.get(name);
      reasons.set(name, target === undefined
        ? 'is declared by the header, but none of the libraries linked defines it (options.libraries names them)'
        : `is the header's macro for '${target}', which none of the libraries linked defines (options.libraries names them)`);
    }
    hideNames(lib, reasons);
    return lib;
  }
}

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
