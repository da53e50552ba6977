// A preprocessed header's declarations as cdef text: the table read, the header's selection made, each item checked, its function-like macros typed.
import { CDefError } from '../errors';
import { parseCdef, parseTypeName } from '../cparser/parser';
import { cWord } from '../cparser/keywords';
import { Decl, MacroValue, Registry } from '../ctype/registry';
import { leadsToMember } from '../ctype/aliases';
import type { CType } from '../ctype/model';
import { CdefChunk, check } from '../cc/check';
import { readDeclarations } from '../cc/declarations';
import { Notes, Skipped } from '../cc/select';
import { MacroWrapper, macroWrappers } from './macros';
import { HeaderPart, selectHeader } from './select';

export interface HeaderExtractOptions {
  /** True for the files (as the line markers spell them) whose declarations are bound. */
  readonly own: (file: string) => boolean;
  /** The files that are parts of those (see HeaderPart), and what of them is bound. */
  readonly part?: (file: string) => HeaderPart | null;
  /** Only names this accepts are bound (the types they need come along). */
  readonly only: ((name: string) => boolean) | null;
  /** Makes plain data of the declarations the cdef text declares, for a reader that rebuilds them without parsing. */
  readonly snapshot?: (decls: readonly Decl[]) => unknown;
}

/** A name declared for verify() only, with why a library from dlopen() cannot have it. */
export interface ApiOnly {
  readonly name: string;
  readonly where: string;
  readonly reason: string;
  /** A function some library defines (one passing a long double): referred to weakly, as the others are; not a macro or a static inline. */
  readonly symbol?: true;
  /**
   * A macro that is only another name for a function some library defines (see
   * MacroWrapper.renames): the symbol a library from dlopen() binds under the macro's name.
   * verify() calls it through its wrapper, as any macro.
   */
  readonly renames?: string;
}

/** The value of a macro cdef has no constant for (see MacroValue). */
export type HeaderValue = MacroValue;

/** What a header declares, as cdef text and values: plain data, remembered in the cache. */
export interface HeaderExtract {
  /** The cdef text, in order; each chunk goes to one ffi.cdef call, with its `pack` and `override` (see CdefChunk). */
  readonly cdefs: readonly CdefChunk[];
  /** String and floating-point macros, by name: the value of their literal; pointer constants as the type and integer cast. */
  readonly values: Readonly<Record<string, HeaderValue>>;
  /** Declared names only API mode reaches: static inline functions, macros called through a wrapper. */
  readonly apiOnly: readonly ApiOnly[];
  /** What was left out, and why. */
  readonly skipped: readonly Skipped[];
  /** The symbol of each function and global whose asm label names another one than its name (glibc's `__isoc99_fscanf`): what dlopen() binds. */
  readonly symbols: Readonly<Record<string, string>>;
  /**
   * The const globals the header declares with external linkage (`extern const char *const
   * __gmp_version;`), which cdef declares as constants (a const object that is no array is one,
   * as in CFFI): a library defines them, so a library from dlopen() reads them from its symbol,
   * and the probe library, which links none, leaves them out.
   */
  readonly linkedConstants?: readonly string[];
  /**
   * The functions the header defines `inline` and not `static` (GNU `extern inline`, as
   * emmintrin.h's `_mm_stream_si32`; C99 `inline`), which no symbol need stand for: verify()
   * calls them through a wrapper, and a library from dlopen() has them only where it exports them.
   */
  readonly inline?: readonly { readonly name: string; readonly where: string }[];
  /** The files whose declarations were bound (the header, and those options.headers names). */
  readonly headerFiles: readonly string[];
  /** Every file the preprocessor read, as the line markers spell them. */
  readonly files: readonly string[];
  /** Names macros give members of members, with their paths of field names (see ctype/aliases.ts): signal.h's sa_handler. */
  readonly aliases: Readonly<Record<string, readonly string[]>>;
  /** What options.snapshot made of the declarations (JSON-safe), when asked. */
  readonly snapshot?: unknown;
}

const VA_LIST = /^it passes '\w*va_list' by value/;
const VA_LIST_REASON = "it takes a 'va_list', which only C code can make; call the function's variadic form ('...') instead";

/** The parser's reasons said in terms of the header: va_list, GCC's own types, types left out themselves. */
function explained(skipped: readonly Skipped[]): Skipped[] {
  const why = new Map(skipped.map((s) => [s.name, s.reason]));
  return skipped.map((s) => {
    if (VA_LIST.test(s.reason)) return { ...s, reason: VA_LIST_REASON };
    const unknown = /^unknown type name '([^']+)'$/.exec(s.reason)?.[1];
    if (unknown === undefined) return s;
    if (cWord(unknown)?.role === 'type') return { ...s, reason: `it uses '${unknown}', a GCC type cdef has no equivalent for` };
    const left = why.get(unknown);
    return left === undefined ? s : { ...s, reason: `${s.reason} (its declaration was left out: ${left})` };
  });
}

/** Turns the output of `cc -E -dD` over `#include <header>` into cdef text for what the header declares. */
export function extractHeader(preprocessed: string, options: HeaderExtractOptions): HeaderExtract {
  const table = readDeclarations(preprocessed);
  const mine = new Set(table.files.flatMap((f, i) => (options.own(f) ? [i] : [])));
  const part = options.part;
  const parts = part ? table.files.map((f, i) => (mine.has(i) ? null : part(f))) : [];
  const notes = new Notes();
  const selected = selectHeader(table, { own: (file) => mine.has(file), part: (file) => parts[file] ?? null, only: options.only }, notes);
  // The macros' wrappers take the types of the functions they call: the checked declarations have them.
  const checked: { registry?: Registry } = {};
  const cdefs = [...check(selected.items, notes, checked)];
  const registry = checked.registry as Registry;
  const values: Record<string, HeaderValue> = {};
  // Casts of integers: a pointer constant is a value; an integer constant, what cdef makes of the cast (a bigint past a double's integers).
  let integers = '';
  let overriding = '';
  for (const [name, c] of selected.casts) {
    const cast = castMacro(name, c.type, c.value, registry);
    if (typeof cast === 'string') notes.skip(name, c.where, cast, c.pos);
    else if ('define' in cast) {
      if (cast.override) overriding += cast.define;
      else integers += cast.define;
    } else values[name] = cast;
  }
  if (integers) cdefs.push({ source: integers, pack: 0 });
  if (overriding) cdefs.push({ source: overriding, pack: 0, override: true });
  const wrappers = macroWrappers(selected.macros, registry, table, notes);
  if (wrappers.length) cdefs.push({ source: wrappers.map((w) => w.text).join(''), pack: 0 });
  const apiOnly: ApiOnly[] = [];
  for (const [name, { where, reason }] of selected.apiOnly) if (registry.get(name)?.kind === 'function') apiOnly.push({ name, where, reason });
  for (const [name, { where, reason }] of notes.apiOnly) apiOnly.push({ name, where, reason, symbol: true });
  const renames = renamedFunctions(wrappers, registry, new Set([...selected.apiOnly.keys(), ...notes.apiOnly.keys()]), selected.symbols);
  for (const w of wrappers) {
    const symbol = renames.get(w.names[0]);
    apiOnly.push({ name: w.names[0], where: w.where, reason: 'it is a macro; only verify() calls it, through a wrapper the C compiler expands it in', ...(symbol ? { renames: symbol } : {}) });
  }
  const aliases: Record<string, string[]> = {};
  const types = [...registry.values()].flatMap((d) => (d.kind === 'tag' || d.kind === 'typedef' ? [d.type] : []));
  /** Macros whose value is one name the unit declares nothing by, and no member has: that name. */
  const nameless = new Map<string, string>();
  for (const [name, { path, where, pos, maybe }] of selected.members) {
    if (leadsToMember(types, path)) aliases[name] = path;
    else if (!maybe) notes.skip(name, where, `its value, '${path.join('.')}', names a member no struct or union of the header has; only a member's name by its path is an alias`, pos);
    else nameless.set(name, path[0]);
  }
  // The check's words for such a value ("not a known integer constant") said in the header's terms.
  const named = (x: Skipped): Skipped => {
    const value = nameless.get(x.name);
    if (value === undefined || !/is not a known integer constant$/.test(x.reason)) return x;
    return {
      ...x,
      reason: `its value, '${value}', names nothing the header declares as the preprocessor read it (no function, global, ` +
        'constant, type or member; what the header declares only under an #if not taken here is not read)',
    };
  };
  for (const [name, { value: v }] of selected.values) values[name] = typeof v === 'number' && !Number.isFinite(v) ? { float: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' } : v;
  return {
    ...(options.snapshot ? { snapshot: options.snapshot([...registry.values()]) } : {}),
    cdefs,
    values,
    apiOnly,
    // A macro that is another name for a member was checked as a constant too, in vain: it is an alias.
    skipped: explained(notes.skipped()).filter((x) => !Object.hasOwn(aliases, x.name)).map(named),
    symbols: Object.fromEntries(selected.symbols),
    linkedConstants: [...selected.objects.keys()].filter((n) => registry.get(n)?.kind === 'constant'),
    inline: [...selected.inline].flatMap(([name, where]) => (registry.get(name)?.kind === 'function' ? [{ name, where }] : [])),
    aliases,
    headerFiles: table.files.filter((_, i) => mine.has(i)),
    files: table.files.filter((f) => !f.startsWith('<')),
  };
}

/**
 * The wrapped macros that are only other names for a function some library defines, through
 * other such macros (gmp.h's `mpz_init` is `__gmpz_init`), with that function's symbol (its asm
 * label's, if any). Not one ending at a function only verify() reaches (`apiOnly`: a static
 * inline one, one passing a long double) or at a macro that does more than rename.
 */
function renamedFunctions(
  wrappers: readonly MacroWrapper[], registry: Registry, apiOnly: ReadonlySet<string>, symbols: ReadonlyMap<string, string>,
): Map<string, string> {
  const step = new Map(wrappers.map((w) => [w.names[0], w.renames]));
  const out = new Map<string, string>();
  for (const w of wrappers) {
    let name: string | null = w.names[0];
    const seen = new Set<string>();
    while (name !== null && step.has(name) && !seen.has(name)) {
      seen.add(name);
      name = step.get(name) ?? null;
    }
    if (name === null || step.has(name) || apiOnly.has(name) || registry.get(name)?.kind !== 'function') continue;
    out.set(w.names[0], symbols.get(name) ?? name);
  }
  return out;
}

/**
 * What becomes of the macro `name` that casts an integer to a type the header's declarations know:
 * for a pointer type, a pointer constant (made on use); for an integer type, a `#define` of the cast,
 * checked into `registry`, which cdef declares as it declares any integer macro (time.h's
 * `CLOCKS_PER_SEC` is `((__clock_t) 1000000)`, sys/resource.h's `RLIM_INFINITY` `((__rlim_t) -1)`,
 * a bigint); why not, for any other type.
 */
function castMacro(
  name: string, type: string, value: number, registry: Registry,
): { readonly cast: string; readonly value: number } | { readonly define: string; readonly override?: true } | string {
  let t: CType;
  try {
    t = parseTypeName(type, registry);
  } catch (e) {
    if (!(e instanceof CDefError)) throw e;
    return `it casts to '${type}', which was not declared: ${e.message}`;
  }
  if (t.kind === 'pointer') return { cast: type, value };
  const repr = t.kind === 'enum' ? t.base.repr : t.kind === 'primitive' ? t.repr : null;
  if (repr === null || !/^[iu](8|16|32|64)$/.test(repr)) {
    return `it casts to '${type}', which is neither an integer nor a pointer type; only integer and pointer constants are declared`;
  }
  const define = `#define ${name} ((${type}) ${value})\n`;
  // One of an enumerator's name replaces the enumerator's constant where its value is another (see Item.redefines).
  const old = registry.get(name);
  const enumerator = old?.kind === 'constant' && old.origin === 'enum';
  let refused: CDefError | undefined;
  for (const override of enumerator ? [false, true] : [false]) {
    try {
      parseCdef(define, registry, { override });
      return override ? { define, override: true } : { define };
    } catch (e) {
      if (!(e instanceof CDefError)) throw e;
      refused ??= e;
    }
  }
  return (refused as CDefError).message.replace(/^cdef:\d+:\d+: /, '');
}
