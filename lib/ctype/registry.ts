// The declaration table of one FFI: every name a cdef declared, in one flat map, with redeclaration rules.
import { CDefError, FFIError } from '../errors';
import { CType, EnumType, FunctionType, StructType } from './model';

/** Where a declaration came from, for error messages. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
  /** The file a line marker in the cdef named ('# 12 "file.h"'); undefined for the cdef text itself. */
  readonly file?: string;
}

/** A position as an error message starts: 'cdef:3:5', or 'file.h:12:5' after a line marker. */
export function showWhere(pos: SourcePos): string {
  return `${pos.file ?? 'cdef'}:${pos.line}:${pos.column}`;
}

/** An earlier position as a message at `from` refers back to it: '3:5' in the same file, else 'file.h:12:5'. */
export function showAt(pos: SourcePos, from: SourcePos): string {
  return pos.file === from.file ? `${pos.line}:${pos.column}` : showWhere(pos);
}

export type Decl =
  | {
      readonly kind: 'function';
      readonly name: string;
      readonly type: FunctionType;
      /** Parameter names as written (null where the prototype gave none). */
      readonly argNames: readonly (string | null)[];
      readonly pos: SourcePos;
    }
  | {
      /**
       * `extern "Python" int cb(int);` (or "JS"): a C function whose body JavaScript gives, which C
       * code calls by name. `type` is its C signature; `exportedToC` is set by `extern "Python+C"`
       * (or "C+Python"), whose C function other C files may call too (not static).
       */
      readonly kind: 'extern-callback';
      readonly name: string;
      readonly type: FunctionType;
      /** Parameter names as written (null where the prototype gave none). */
      readonly argNames: readonly (string | null)[];
      /** The language word written: 'Python' (CFFI's) or 'JS'; they mean the same. */
      readonly language: 'Python' | 'JS';
      readonly exportedToC: boolean;
      readonly pos: SourcePos;
    }
  | {
      readonly kind: 'variable';
      readonly name: string;
      /** For `int a[...];`, the open array `int[]` until the compiler gives the length. */
      readonly type: CType;
      readonly quals: number;
      readonly pos: SourcePos;
      /** `int a[...];`: the array's length comes from the compiler. */
      readonly lengthFromCompiler?: boolean;
      /** `int a[...][...];`, `int a[][...];`: the depths below the outermost array (1: its items) whose lengths come from the compiler. */
      readonly innerLengthsFromCompiler?: readonly number[];
    }
  | {
      readonly kind: 'constant';
      readonly name: string;
      readonly type: CType;
      /** undefined: the value comes from the compiler (`static const int X;`, `#define X ...`). */
      readonly value: number | bigint | undefined;
      /** How it was declared, which decides how verify() obtains or checks it. */
      readonly origin: 'define' | 'enum' | 'static const';
      readonly pos: SourcePos;
    }
  | { readonly kind: 'typedef'; readonly name: string; readonly type: CType; readonly quals: number; readonly pos: SourcePos }
  | { readonly kind: 'tag'; readonly name: string; readonly type: StructType | EnumType; readonly pos: SourcePos };

/**
 * The value of a header macro cdef has no constant for (see ffi.cdefHeader), as plain JSON-safe
 * data: a string, a finite number, a floating value JSON has no number for (`HUGE_VAL`, `NAN`),
 * a complex value's real and imaginary parts (complex.h's `I`), made on use, or an integer cast to
 * a pointer type, made on use.
 */
export type MacroValue =
  | string
  | number
  | { readonly float: 'Infinity' | '-Infinity' | 'NaN' }
  | { readonly complex: readonly [number, number] }
  | { readonly cast: string; readonly value: number };

/** Table key: ordinary identifiers by name, tags as 'struct x' / 'union x' / 'enum x' (no clash: keys with spaces). */
export function keyOf(d: Decl): string {
  return d.kind === 'tag' ? `${d.type.kind} ${d.name}` : d.name;
}

/**
 * Throws the CDefError of declaring `d` over `old` (the declaration under the same key, if any):
 * a different meaning needs `override`. Lets a caller stage declarations and check them first.
 */
export function checkRedeclaration(old: Decl | undefined, d: Decl, override: boolean, fail = cdefFail): void {
  if (!override && repeatsConstant(old, d)) return;
  if (old && !override && !sameMeaning(old, d)) {
    fail(d.pos, `'${keyOf(d)}' is already declared as ${describeDecl(old)} (at ${showAt(old.pos, d.pos)}); pass { override: true } to replace it`);
  }
}

/**
 * True when `d` declares again, with the same value, the integer constant `old` declared: CFFI
 * ignores such a repetition, whatever the two declarations are (math.h's `FP_NAN` is an
 * enumerator and a `#define` of 0). The first declaration stays.
 */
export function repeatsConstant(old: Decl | undefined, d: Decl): boolean {
  if (old?.kind !== 'constant' || d.kind !== 'constant' || old.value === undefined || d.value === undefined) return false;
  return typeof old.value === typeof d.value ? old.value === d.value : BigInt(old.value) === BigInt(d.value);
}

function cdefFail(pos: SourcePos, message: string): never {
  throw new CDefError(`${showWhere(pos)}: ${message}`, pos.line, pos.column);
}

export class Registry {
  private table = new Map<string, Decl>();
  /** Keys of the declarations include() took from another table and this one has not declared itself. */
  private readonly included = new Set<string>();
  /** Parsed cdecl strings ('int *', 'struct pt[3]'), dropped whenever a declaration changes meaning. */
  readonly typeCache = new Map<string, CType>();
  /** Told of each declaration added or replaced (by declare() or include()), while someone listens. */
  onDeclare: ((d: Decl) => void) | null = null;
  private anonymous = 0;
  private changeCount = 0;

  /**
   * How many times the table has changed (a declaration added or declared again, which may have
   * completed a type in place; an FFI included; a function forgotten): equal counts, equal table.
   */
  get changes(): number {
    return this.changeCount;
  }

  get(name: string): Decl | undefined {
    return this.table.get(name);
  }

  tag(kind: 'struct' | 'union' | 'enum', name: string): StructType | EnumType | undefined {
    const d = this.table.get(`${kind} ${name}`);
    return d?.kind === 'tag' ? d.type : undefined;
  }

  /** The name an anonymous struct, union or enum is given until a typedef names it. */
  anonymousName(): string {
    return `$${++this.anonymous}`;
  }

  /** How many anonymous names ('$N') were given. */
  get anonymousCount(): number {
    return this.anonymous;
  }

  /** Gives no anonymous name up to '$n' (names a copied table's types hold already). */
  skipAnonymous(n: number): void {
    if (n > this.anonymous) this.anonymous = n;
  }

  /** True while nothing was declared, included or named here: what a new FFI's table is. */
  get pristine(): boolean {
    return this.changeCount === 0 && this.anonymous === 0;
  }

  /**
   * Adds a declaration. Declaring the same name again with the same meaning is allowed (C allows
   * repeated prototypes); with a different meaning it is a CDefError unless `override` is set.
   * `key` is keyOf(d), given by a caller that has it already.
   */
  declare(d: Decl, override: boolean, key = keyOf(d)): void {
    const old = this.table.get(key);
    checkRedeclaration(old, d, override);
    if (!override && old !== d && repeatsConstant(old, d)) return;
    this.changeCount++;
    this.table.set(key, d);
    this.included.delete(key);
    if (this.typeCache.size !== 0) this.typeCache.clear(); // clear() allocates a new table, even for an empty map
    if (old !== d) this.onDeclare?.(d);
  }

  /**
   * Declares what one cdef call staged, in order, as declare() of each would (`staged` is checked
   * against itself already). Into a table that holds nothing, there is nothing to check against:
   * the table becomes `staged`, which the caller hands over and no longer uses.
   */
  declareStaged(staged: Map<string, Decl>, override: boolean): void {
    if (this.table.size !== 0 || this.included.size !== 0) staged.forEach((d, key) => this.declare(d, override, key));
    else this.adopt(staged);
  }

  /**
   * Declares `decls` in this empty table (see pristine), which one cdef call made before, each name
   * once: nothing to check against, so it is what declaring each in turn would do, in one step.
   * `keys` are their keys (keyOf), in the same order.
   */
  declareFresh(decls: readonly Decl[], keys: readonly string[]): void {
    if (!this.pristine) throw new Error('internal: declareFresh() into a table that is not empty');
    const table = new Map<string, Decl>();
    for (let i = 0; i < decls.length; i++) {
      const d = decls[i];
      const key = keys[i];
      if (table.has(key)) throw new Error(`internal: declareFresh() of '${key}' twice`);
      table.set(key, d);
    }
    this.adopt(table);
  }

  /** Makes `table` (declarations that need no check) this empty table's, as declaring each in turn would. */
  private adopt(table: Map<string, Decl>): void {
    if (table.size === 0) return;
    this.table = table;
    this.changeCount++;
    if (this.typeCache.size !== 0) this.typeCache.clear();
    const told = this.onDeclare;
    if (told !== null) table.forEach((d) => told(d));
  }

  /**
   * CFFI's ffi.include(): declares here what `other` declares now, as it stands: its very
   * declarations, so the same type objects on both sides. A name both declare must mean the same
   * (FFIError otherwise, naming it); this table keeps its own declaration then. Tags of anonymous
   * types are left out: their '$N' names are the other table's, and the typedefs naming them come
   * along. extern "Python" functions belong to the other FFI's library and are left out too.
   */
  include(other: Registry): void {
    if (other === this) throw new TypeError('ffi.include(): an FFI cannot include itself');
    const fresh: Decl[] = [];
    for (const d of other.table.values()) {
      if (d.kind === 'extern-callback' || (d.kind === 'tag' && d.name.startsWith('$'))) continue;
      const key = keyOf(d);
      const old = this.table.get(key);
      if (old === undefined) fresh.push(d);
      else if (old !== d && !sameMeaning(old, d) && !repeatsConstant(old, d)) {
        throw new FFIError(`ffi.include(): '${key}' is declared here as ${describeDecl(old)}, and as ${describeDecl(d)} in the FFI included`);
      }
    }
    this.changeCount++;
    for (const d of fresh) {
      const key = keyOf(d);
      this.table.set(key, d);
      this.included.add(key);
      this.onDeclare?.(d);
    }
    if (fresh.length) this.typeCache.clear();
  }

  /** Whether the declaration under `key` came from an included table (and was not declared here too). */
  isIncluded(key: string): boolean {
    return this.included.has(key);
  }

  /** Removes the function `name` again (a checker undoing a declaration it will not keep); types are never removed. */
  forgetFunction(name: string): void {
    if (this.table.get(name)?.kind !== 'function') throw new Error(`internal: '${name}' is not a function of the table`);
    this.changeCount++;
    this.table.delete(name);
  }

  /** Every declaration, in the order first declared. */
  values(): IterableIterator<Decl> {
    return this.table.values();
  }

  /** CFFI's list_types(): typedef names, struct tags and union tags, each sorted. */
  listTypes(): { typedefs: string[]; structs: string[]; unions: string[] } {
    const typedefs: string[] = [];
    const structs: string[] = [];
    const unions: string[] = [];
    for (const d of this.table.values()) {
      if (d.kind === 'typedef') typedefs.push(d.name);
      else if (d.kind === 'tag' && !d.name.startsWith('$')) {
        if (d.type.kind === 'struct') structs.push(d.name);
        else if (d.type.kind === 'union') unions.push(d.name);
      }
    }
    return { typedefs: typedefs.sort(), structs: structs.sort(), unions: unions.sort() };
  }
}

function sameMeaning(a: Decl, b: Decl): boolean {
  if (a.kind !== b.kind || a.type !== b.type) return false;
  switch (a.kind) {
    case 'constant':
      return b.kind === 'constant' && a.value === b.value;
    case 'variable':
      return (
        b.kind === 'variable' && b.quals === a.quals && b.lengthFromCompiler === a.lengthFromCompiler &&
        String(b.innerLengthsFromCompiler ?? '') === String(a.innerLengthsFromCompiler ?? '')
      );
    case 'typedef':
      return b.kind === 'typedef' && b.quals === a.quals;
    case 'extern-callback':
      return b.kind === 'extern-callback' && b.exportedToC === a.exportedToC;
    case 'function':
    case 'tag':
      return true;
  }
}

export function describeDecl(d: Decl): string {
  switch (d.kind) {
    case 'function':
      return `function '${d.type.cname}'`;
    case 'extern-callback':
      return `extern "${d.language}${d.exportedToC ? '+C' : ''}" function '${d.type.cname}'`;
    case 'variable':
      return `a variable of type '${d.type.cname}'`;
    case 'constant':
      return d.value === undefined ? `a constant of type '${d.type.cname}'` : `the constant ${d.value}`;
    case 'typedef':
      return `a typedef for '${d.type.cname}'`;
    case 'tag':
      return `'${d.type.cname}'`;
  }
}
