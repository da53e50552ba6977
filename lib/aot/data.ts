// The baked form of a compiled module: declarations and final layouts as plain data, written by ffi.compile() and rebuilt into model objects when loaded.
import { FFIError, show, TypeError } from '../errors';
import { CField, CType, EnumType, StructType, VOID, deferredPrimitive, primitive, settlePrimitive } from '../ctype/model';
import { arrayOf, functionType, pointerTo } from '../ctype/intern';
import { Repr, reprSize } from '../ctype/primitives';
import { Decl, MacroValue, Registry } from '../ctype/registry';

/** Bumped whenever the shape below changes; data of another format is refused. */
export const MODULE_FORMAT = 1;

/** One type; types refer to each other by their index in `ModuleData.types`. */
export type TypeData =
  | { readonly kind: 'primitive'; readonly name: string }
  /** A `typedef int... t;` / `typedef float... t;` with the representation the compiler gave. */
  | { readonly kind: 'deferred'; readonly name: string; readonly family: 'int' | 'float'; readonly repr: Repr }
  | { readonly kind: 'void' }
  | { readonly kind: 'pointer'; readonly item: number; readonly quals: number }
  | { readonly kind: 'array'; readonly item: number; readonly length: number | null }
  | { readonly kind: 'function'; readonly result: number; readonly args: readonly number[]; readonly ellipsis: boolean }
  | {
      readonly kind: 'struct' | 'union';
      readonly name: string;
      readonly namedByTypedef: boolean;
      readonly partial: boolean;
      /** null for an incomplete (opaque) type. */
      readonly layout: {
        readonly size: number;
        readonly align: number;
        readonly pack: number;
        /** name, type, offset, bitshift, bitsize, qualifiers, flags (1: skipped by positional initialisers). */
        readonly fields: readonly (readonly [string, number, number, number, number, number, number?])[];
      } | null;
    }
  | {
      readonly kind: 'enum';
      readonly name: string;
      readonly namedByTypedef: boolean;
      readonly partial: boolean;
      readonly base: string;
      readonly values: readonly (readonly [string, number | bigint])[];
    };

/** One declaration, its type by index, its cdef position as [line, column]. */
export type DeclData =
  | {
      readonly kind: 'function';
      readonly name: string;
      readonly type: number;
      readonly argNames: readonly (string | null)[];
      readonly pos: readonly [number, number];
    }
  | {
      readonly kind: 'extern-callback';
      readonly name: string;
      readonly type: number;
      readonly argNames: readonly (string | null)[];
      readonly language: 'Python' | 'JS';
      readonly exportedToC: boolean;
      readonly pos: readonly [number, number];
    }
  | { readonly kind: 'variable' | 'typedef'; readonly name: string; readonly type: number; readonly quals: number; readonly pos: readonly [number, number] }
  | {
      readonly kind: 'constant';
      readonly name: string;
      readonly type: number;
      /** null: read from the library by value (a floating, pointer or struct constant). */
      readonly value: number | bigint | null;
      readonly origin: 'define' | 'enum' | 'static const';
      readonly pos: readonly [number, number];
    }
  | { readonly kind: 'tag'; readonly name: string; readonly type: number; readonly pos: readonly [number, number] };

export interface ModuleData {
  readonly format: number;
  readonly module: string;
  /** The shared library's file name, next to the loader; null for an ABI-mode module (setSource(name, null)), which has none. */
  readonly library: string | null;
  readonly types: readonly TypeData[];
  readonly decls: readonly DeclData[];
  /** The symbol each function is called through (its wrapper, itself when variadic, or the function table). */
  readonly functions: Readonly<Record<string, string>>;
  /** For each function called through the function table, its entry there (absent: none is). */
  readonly entries?: Readonly<Record<string, number>>;
  /** The accessor returning each global's address, and the reader storing each constant read by value. */
  readonly globals: Readonly<Record<string, string>>;
  /** Macros of headers bound with ffi.cdefHeader() that cdef has no constant for: strings, numbers, integers cast to a pointer type. */
  readonly values?: Readonly<Record<string, MacroValue>>;
  /** Names macros of those headers give members of members, with their paths of field names (see ctype/aliases.ts). */
  readonly aliases?: Readonly<Record<string, readonly string[]>>;
  /** The symbols a library from dlopen() looks up for those headers' functions and globals not of their own name (asm labels, macros renaming one). */
  readonly symbols?: Readonly<Record<string, string>>;
  /** What those headers left out, with where and why: 'dlopen' for names only a compiled library has (see ffi.skipped()). */
  readonly skipped?: readonly BakedSkipped[];
  /** The functions those headers define inline, with where: a library from dlopen() has them only where it exports them. */
  readonly inline?: Readonly<Record<string, string>>;
}

/** A declaration ffi.cdefHeader() left out, as a module keeps it. */
export interface BakedSkipped {
  readonly name: string;
  readonly where: string;
  readonly reason: string;
  readonly mode: 'all' | 'dlopen';
}

/** What a module keeps of the headers bound with ffi.cdefHeader() besides their declarations (see ModuleData). */
export type BakedHeaders = Pick<ModuleData, 'values' | 'aliases' | 'symbols' | 'skipped' | 'inline'>;

export type { MacroValue };

/** The library interface's member for a macro value, as TypeScript text. */
export function macroValueMember(name: string, v: MacroValue): string {
  if (typeof v !== 'object') return `/** ${JSON.stringify(v)}: a macro of the header */ readonly ${name}: ${typeof v};`;
  if ('float' in v) return `/** ${v.float}: a macro of the header */ readonly ${name}: number;`;
  if ('complex' in v) return `/** ${v.complex[0]}${v.complex[1] < 0 ? '-' : '+'}${Math.abs(v.complex[1])}i: a macro of the header */ readonly ${name}: Complex;`;
  return `/** (${v.cast})${v.value}: a macro of the header */ readonly ${name}: CData | null;`;
}

/** A macro value as a library gives it: numbers JSON has none for made again, a new `{ real, imag }` for a complex one. Pointer casts are the caller's (`cast`). */
export function macroValue(v: MacroValue, cast: (type: string, value: number) => unknown): unknown {
  if (typeof v !== 'object') return v;
  if ('float' in v) return Number(v.float);
  if ('complex' in v) return { real: v.complex[0], imag: v.complex[1] };
  return cast(v.cast, v.value);
}

// ---------------------------------------------------------------------------------------------
// Baking: model objects to data.

/** Numbers the types reachable from the declarations and describes each; every pending type must be settled. */
class TypeTable {
  readonly rows: TypeData[] = [];
  private readonly index = new Map<CType, number>();

  add(t: CType): number {
    const known = this.index.get(t);
    if (known !== undefined) return known;
    const at = this.rows.length;
    this.index.set(t, at);
    this.rows.push({ kind: 'void' }); // a placeholder: the parts described next may refer back to `at`
    this.rows[at] = this.describe(t);
    return at;
  }

  private describe(t: CType): TypeData {
    switch (t.kind) {
      case 'primitive':
        if (t.deferred === null) return { kind: 'primitive', name: t.name };
        if (t.size < 0) throw new Error(`internal: '${t.name}' is baked before the compiler settled it`);
        return { kind: 'deferred', name: t.name, family: t.deferred, repr: t.repr };
      case 'void':
        return { kind: 'void' };
      case 'pointer':
        return { kind: 'pointer', item: this.add(t.item), quals: t.quals };
      case 'array':
        return { kind: 'array', item: this.add(t.item), length: t.length };
      case 'function':
        return { kind: 'function', result: this.add(t.result), args: t.args.map((a) => this.add(a)), ellipsis: t.ellipsis };
      case 'struct':
      case 'union': {
        if (t.members !== null && t.fields === null) throw new Error(`internal: '${t.cname}' is baked before the compiler laid it out`);
        const layout = t.fields && {
          size: t.size,
          align: t.align,
          pack: t.pack,
          fields: t.fields.map((f) => [f.name, this.add(f.type), f.offset, f.bitshift, f.bitsize, f.quals, f.flags] as const),
        };
        return { kind: t.kind, name: t.name, namedByTypedef: t.namedByTypedef, partial: t.partial, layout };
      }
      case 'enum':
        if (!t.settled) throw new Error(`internal: '${t.cname}' is baked before the compiler gave its values`);
        return {
          kind: 'enum', name: t.name, namedByTypedef: t.namedByTypedef, partial: t.partial, base: t.base.name,
          values: Object.entries(t.relements),
        };
    }
  }
}

/** The data of a module whose declarations are `decls`, settled (constants with values, `[...]` globals with lengths). */
export function bakeModule(
  module: string,
  library: string | null,
  decls: readonly Decl[],
  functions: ReadonlyMap<string, { readonly symbol: string; readonly entry: number | null }>,
  globals: ReadonlyMap<string, string>,
  headers: BakedHeaders = {},
): ModuleData {
  const entries = [...functions].flatMap(([name, f]) => (f.entry === null ? [] : [[name, f.entry] as const]));
  const types = new TypeTable();
  const rows = decls.map((d): DeclData => {
    const pos = [d.pos.line, d.pos.column] as const;
    const type = types.add(d.type);
    switch (d.kind) {
      case 'function':
        return { kind: 'function', name: d.name, type, argNames: d.argNames, pos };
      case 'extern-callback':
        return { kind: 'extern-callback', name: d.name, type, argNames: d.argNames, language: d.language, exportedToC: d.exportedToC, pos };
      case 'variable':
      case 'typedef':
        return { kind: d.kind, name: d.name, type, quals: d.quals, pos };
      case 'constant':
        if (d.value === undefined && d.origin !== 'static const') throw new Error(`internal: constant '${d.name}' is baked without its value`);
        return { kind: 'constant', name: d.name, type, value: d.value ?? null, origin: d.origin, pos };
      case 'tag':
        return { kind: 'tag', name: d.name, type, pos };
    }
  });
  return {
    format: MODULE_FORMAT, module, library, types: types.rows, decls: rows,
    functions: Object.fromEntries([...functions].map(([name, f]) => [name, f.symbol])), globals: Object.fromEntries(globals),
    ...(entries.length ? { entries: Object.fromEntries(entries) } : {}),
    ...(headers.values && Object.keys(headers.values).length ? { values: headers.values } : {}),
    ...(headers.aliases && Object.keys(headers.aliases).length ? { aliases: headers.aliases } : {}),
    ...(headers.symbols && Object.keys(headers.symbols).length ? { symbols: headers.symbols } : {}),
    ...(headers.skipped?.length ? { skipped: headers.skipped } : {}),
    ...(headers.inline && Object.keys(headers.inline).length ? { inline: headers.inline } : {}),
  };
}

/** The key a bigint is written under in a module's JSON: '#' is in no C name, so no name of the data can be it. */
const BIGINT_KEY = '#bigint';

/**
 * JavaScript source for `data`: a JSON text that JSON.parse() reads, as a string literal. V8 reads
 * a string and JSON.parse() much faster than it compiles an object literal of the same data (a
 * cdef of 3,000 declarations: some 800 KB). Bigints are written as { "#bigint": "digits" } and
 * read back by a reviver, which only data that holds one is given.
 */
export function dataSource(data: unknown): string {
  let bigints = false;
  const json = JSON.stringify(data, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    bigints = true;
    return { [BIGINT_KEY]: String(v) };
  });
  if (!bigints) return `JSON.parse(${JSON.stringify(json)})`;
  const revive = `(_k, v) => (v !== null && typeof v === 'object' && typeof v[${JSON.stringify(BIGINT_KEY)}] === 'string' ? BigInt(v[${JSON.stringify(BIGINT_KEY)}]) : v)`;
  return `JSON.parse(${JSON.stringify(json)}, ${revive})`;
}

// ---------------------------------------------------------------------------------------------
// Loading: data back to model objects.

function damaged(module: string, what: string): FFIError {
  return new FFIError(`module '${module}': ${what}; rebuild it with ffi.compile()`);
}

/** Rebuilds the types of `data`: structs and enums first, as shells, so that references (to themselves too) resolve. */
function rebuildTypes(data: ModuleData): CType[] {
  const built: (CType | undefined)[] = new Array(data.types.length);
  const shells: [StructType, TypeData & { kind: 'struct' | 'union' }][] = [];
  data.types.forEach((row, i) => {
    if (row.kind === 'struct' || row.kind === 'union') {
      const t = new StructType(row.kind, row.name, row.namedByTypedef);
      t.partial = row.partial;
      built[i] = t;
      shells.push([t, row]);
    } else if (row.kind === 'enum') {
      const t = new EnumType(row.name, row.namedByTypedef);
      const relements: Record<string, number | bigint> = Object.create(null);
      const elements: Record<string, string> = Object.create(null);
      for (const [name, v] of row.values) {
        relements[name] = v;
        elements[String(v)] ??= name;
      }
      Object.assign(t, { relements, elements, base: primitive(row.base), partial: row.partial, settled: true });
      built[i] = t;
    }
  });
  const resolve = (i: number, depth = 0): CType => {
    const have = built[i];
    if (have) return have;
    const row = data.types[i];
    if (!row || depth > 1000) throw damaged(data.module, `its type table is damaged at entry ${i}`);
    let t: CType;
    switch (row.kind) {
      case 'primitive':
        t = primitive(row.name);
        break;
      case 'deferred':
        t = deferredPrimitive(row.name, row.family);
        settlePrimitive(t, row.repr, reprSize(row.repr));
        break;
      case 'void':
        t = VOID;
        break;
      case 'pointer':
        t = pointerTo(resolve(row.item, depth + 1), row.quals);
        break;
      case 'array':
        t = arrayOf(resolve(row.item, depth + 1), row.length);
        break;
      case 'function':
        t = functionType(row.args.map((a) => resolve(a, depth + 1)), resolve(row.result, depth + 1), row.ellipsis);
        break;
      case 'struct':
      case 'union':
      case 'enum':
        throw new Error('internal: shells are built first');
    }
    built[i] = t;
    return t;
  };
  for (const [t, row] of shells) {
    if (!row.layout) continue;
    const fields: CField[] = row.layout.fields.map(([name, type, offset, bitshift, bitsize, quals, flags]) => ({
      name, type: resolve(type), offset, bitshift, bitsize, quals, flags: flags ?? 0,
    }));
    Object.assign(t, { fields, size: row.layout.size, align: row.layout.align, pack: row.layout.pack });
  }
  return data.types.map((_, i) => resolve(i));
}

/** A module's declarations rebuilt, in order and as a Registry, after checking the data's format. */
export function readModule(data: unknown): { data: ModuleData; registry: Registry; decls: Decl[] } {
  const d = data as ModuleData;
  if (typeof data !== 'object' || data === null || typeof d.module !== 'string') {
    throw new TypeError(`FFI.loadModule(): expected the data of a module written by ffi.compile(), got ${show(data)}`);
  }
  if (d.format !== MODULE_FORMAT) throw damaged(d.module, `its data has format ${show(d.format)}, this node-cffi reads format ${MODULE_FORMAT}`);
  if (d.library !== null && typeof d.library !== 'string') throw damaged(d.module, `its library is ${show(d.library)}, not a file name`);
  const types = rebuildTypes(d);
  for (const [name, entry] of Object.entries(d.entries ?? {})) {
    if (!Number.isSafeInteger(entry) || entry < 0) throw damaged(d.module, `the function table entry of '${name}' is ${show(entry)}, not an index`);
  }
  const decls = d.decls.map((row): Decl => {
    const pos = { line: row.pos[0], column: row.pos[1] };
    const type = types[row.type];
    switch (row.kind) {
      case 'function':
        if (type.kind !== 'function') throw damaged(d.module, `'${row.name}' is not declared with a function type`);
        return { kind: 'function', name: row.name, type, argNames: row.argNames, pos };
      case 'extern-callback':
        if (type.kind !== 'function') throw damaged(d.module, `'${row.name}' is not declared with a function type`);
        return { kind: 'extern-callback', name: row.name, type, argNames: row.argNames, language: row.language, exportedToC: row.exportedToC, pos };
      case 'variable':
      case 'typedef':
        return { kind: row.kind, name: row.name, type, quals: row.quals, pos };
      case 'constant':
        return { kind: 'constant', name: row.name, type, value: row.value ?? undefined, origin: row.origin, pos };
      case 'tag':
        if (type.kind !== 'struct' && type.kind !== 'union' && type.kind !== 'enum') {
          throw damaged(d.module, `the tag '${row.name}' is not a struct, union or enum`);
        }
        return { kind: 'tag', name: row.name, type, pos };
    }
  });
  const registry = new Registry();
  for (const decl of decls) registry.declare(decl, true);
  return { data: d, registry, decls };
}
