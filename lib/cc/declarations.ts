// The declaration table of preprocessed C: its top-level declarations with kind, names, origin, references and what keeps each out of cdef.
import { isBuiltinTypeName } from '../cparser/parser';
import { MacroDef, PackChange, TargetChange, TokenTable, readPreprocessed } from '../cparser/preprocessed';
import { CRole, cWord } from '../cparser/keywords';
import { AsmLabels, Attributes, clean, targetOf } from './noise';
import { featureProblem, missingFeatures, requiredFeatures } from './features';

export type TagKind = 'struct' | 'union' | 'enum';
/** How a type is used: behind a pointer (a declaration of it is enough), or by value (its definition is needed). */
export type Mode = 'ptr' | 'value';

/** A use of a typedef name or a struct/union/enum tag inside a declaration. */
export interface Ref {
  readonly kind: 'typedef' | TagKind;
  readonly name: string;
  /** 'inherit': a plain typedef of it (`typedef struct s s_t;`), which needs it as the typedef is needed. */
  readonly mode: Mode | 'inherit';
}

/** One declarator of a declaration, as token positions in the table. */
export interface Declarator {
  /** Token range without the initialiser. */
  readonly start: number;
  readonly end: number;
  /** Token range of the initialiser (after the '='), or null. */
  readonly init: readonly [number, number] | null;
  readonly name: string | null;
  readonly nameAt: number;
  /** The name is followed by a parameter list: a function. */
  readonly isFunction: boolean;
  /** Nothing but the name. */
  readonly plain: boolean;
  /** The symbol an asm label gives it (`f(void) __asm__("f64")`), or null: its name is its symbol. */
  readonly symbol: string | null;
}

/**
 * What a declaration declares: functions (a definition, or prototypes), variables (maybe with a
 * struct defined alongside), typedef names, or only a struct, union or enum.
 */
export type DeclKind = 'function' | 'variable' | 'typedef' | 'tag';

/** One top-level declaration (or function definition) of the source. */
export interface Decl {
  /** Its position in the table, in source order. */
  readonly index: number;
  readonly kind: DeclKind;
  /** The names it declares: its declarators' names, then the tags it defines ('struct pt'). */
  readonly names: readonly string[];
  /** Index of its file in the table's file names, and its line there. */
  readonly file: number;
  readonly line: number;
  /** 'file:line', as messages show it. */
  readonly where: string;
  /** The typedef names and tags it uses (outside initialisers). */
  readonly refs: readonly Ref[];
  /** The tags it defines a body for ('struct pt'). */
  readonly defines: readonly string[];
  /**
   * Why cdef cannot say what the compiler makes of it (a layout attribute), or why a wrapper cannot
   * call it (an inline function compiled for CPU features the build does not turn on: see
   * features.ts); null when it can.
   */
  readonly problem: string | null;
  /**
   * The union it defines is a transparent union (`__attribute__((transparent_union))`, as
   * sys/socket.h's `__CONST_SOCKADDR_ARG` with _GNU_SOURCE): C passes it as its first member.
   */
  readonly transparent: boolean;
  /** The `pack` value its structs are laid out with (0: natural alignment). */
  readonly pack: number;
  /** Its specifiers say `inline` (`__inline`, `__inline__`). */
  readonly inline: boolean;

  // Where its parts stand in the table's tokens, for re-spelling it.
  readonly start: number;
  /** Index of the ';' ending it, or of the '{' starting the function body. */
  readonly end: number;
  readonly hasBody: boolean;
  /** The first storage-class word ('typedef', 'static', '__thread'…), or null. */
  readonly storage: string | null;
  /** Index after the declaration specifiers. */
  readonly specEnd: number;
  /** The specifiers name or define a struct, union or enum. */
  readonly specTag: boolean;
  readonly declarators: readonly Declarator[];
}

const roleOf = (text: string): CRole | undefined => cWord(text)?.role;

/** Reads the output of `cc -E -dD` into its declaration table. */
export function readDeclarations(preprocessed: string): DeclTable {
  return new DeclTable(preprocessed);
}

/**
 * The declarations of a translation unit, in source order, and its macros. Segmenting the tokens
 * finds every declaration; the ones that declare types are analysed at once (later declarations
 * need their typedef names and tags), the others only when asked for, since a program uses few of
 * the functions its headers declare.
 */
export class DeclTable {
  /** The tokens without GNU noise. */
  readonly tokens: TokenTable;
  /** File names as the line markers spell them. */
  readonly files: readonly string[];
  /** The macros still defined at the end of the translation unit, by name. */
  readonly macros: ReadonlyMap<string, MacroDef>;
  private readonly attributes: Attributes;
  private readonly labels: AsmLabels;
  private readonly packs: readonly PackChange[];
  private readonly targets: readonly TargetChange[];
  private readonly match: Int32Array;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly bodies: boolean[] = [];
  private readonly analysed: (Decl | undefined)[] = [];
  /** The first declaration of each typedef name, and the first definition of each tag. */
  private readonly typedefs = new Map<string, number>();
  private readonly tags = new Map<string, number>();
  /** Each enumerator's declaration, made at the first enumeratorDecl(). */
  private enumerators: Map<string, number> | null = null;

  constructor(preprocessed: string) {
    const read = readPreprocessed(preprocessed);
    ({ attributes: this.attributes, labels: this.labels } = clean(read.tokens));
    this.tokens = read.tokens;
    this.files = read.files;
    this.macros = read.macros;
    this.packs = read.packs;
    this.targets = read.targets;
    this.match = matchBrackets(this.tokens);
    this.segment();
  }

  /** The number of declarations. */
  get length(): number {
    return this.starts.length;
  }

  /** The file (an index into `files`) declaration `i` comes from, without analysing it. */
  fileOf(i: number): number {
    return this.tokens.files[this.starts[i]];
  }

  /** Declaration `i`, analysed. */
  decl(i: number): Decl {
    return (this.analysed[i] ??= this.analyse(i));
  }

  /** The declaration that first declares typedef `name`. */
  typedefDecl(name: string): Decl | undefined {
    const i = this.typedefs.get(name);
    return i === undefined ? undefined : this.decl(i);
  }

  /** Whether `name` names a type: a typedef of the unit, or one of C's and cdef's own type names. */
  isTypeName(name: string): boolean {
    return this.typedefs.has(name) || isBuiltinTypeName(name);
  }

  /** The declaration that first defines the tag `key` ('struct pt'). */
  tagDecl(key: string): Decl | undefined {
    const i = this.tags.get(key);
    return i === undefined ? undefined : this.decl(i);
  }

  /**
   * The declaration whose enum defines the enumerator `name` (linux/quota.h's `QIF_BLIMITS_B`,
   * which sys/quota.h's `QIF_BLIMITS` names), found by its tokens without analysing the others.
   */
  enumeratorDecl(name: string): Decl | undefined {
    if (this.enumerators === null) {
      this.enumerators = new Map();
      const { texts } = this.tokens;
      for (let d = 0; d < this.starts.length; d++) {
        for (let i = this.starts[d]; i < this.ends[d]; i++) {
          if (texts[i] !== 'enum') continue;
          const open = texts[i + 1] === '{' ? i + 1 : texts[i + 2] === '{' ? i + 2 : -1;
          if (open < 0) continue;
          const close = this.after(open) - 1;
          for (let j = open + 1; j < close; j++) {
            const t = texts[j];
            if (t === '(' || t === '[' || t === '{') j = this.after(j) - 1;
            else if ((texts[j - 1] === '{' || texts[j - 1] === ',') && this.tokens.kinds[j] === 'ident' && !this.enumerators.has(t)) this.enumerators.set(t, d);
          }
          i = close;
        }
      }
    }
    const d = this.enumerators.get(name);
    return d === undefined ? undefined : this.decl(d);
  }

  /** Index after the bracket group opened at token `i`. */
  after(i: number): number {
    const m = this.match[i];
    return m < 0 ? this.tokens.length : m + 1;
  }

  // ---- segmentation -------------------------------------------------------------------------

  private isPunct(i: number, text: string): boolean {
    return this.tokens.isPunct(i, text);
  }

  /** Records the declaration [start, end); one that may declare a type is analysed now. */
  private declaration(start: number, end: number, hasBody: boolean): void {
    const index = this.starts.length;
    this.starts.push(start);
    this.ends.push(end);
    this.bodies.push(hasBody);
    const { kinds, texts } = this.tokens;
    for (let i = start; i < end; i++) {
      if ((kinds[i] === 'ident' && texts[i] === 'typedef') || (kinds[i] === 'punct' && texts[i] === '{')) {
        this.decl(index);
        return;
      }
    }
  }

  /** Splits the tokens into declarations: each ends at a ';' outside brackets, or before a function body. */
  private segment(): void {
    const { kinds, texts } = this.tokens;
    const n = this.tokens.length;
    let i = 0;
    while (i < n) {
      if (this.isPunct(i, ';')) {
        i++;
        continue;
      }
      if (this.isPunct(i, '{') || this.isPunct(i, '}') || this.isPunct(i, ')') || this.isPunct(i, ']')) {
        i = this.isPunct(i, '{') ? this.after(i) : i + 1; // stray block (K&R parameter lists) or bracket
        continue;
      }
      const start = i;
      let inInit = false;
      let prev = '';
      for (;;) {
        if (i >= n) {
          this.declaration(start, n, false);
          break;
        }
        const p = kinds[i] === 'punct' ? texts[i] : '';
        if (p === '(' || p === '[') {
          i = this.after(i);
          prev = ')';
          continue;
        }
        if (p === '{') {
          if (!inInit && prev === ')') {
            this.declaration(start, i, true);
            i = this.after(i);
            break;
          }
          i = this.after(i);
          prev = '}';
          continue;
        }
        if (p === '=') inInit = true;
        if (p === ',') inInit = false;
        if (p === ';') {
          this.declaration(start, i, false);
          i++;
          break;
        }
        prev = p || texts[i];
        i++;
      }
    }
  }

  // ---- one declaration ----------------------------------------------------------------------

  /** True when `name` is a typedef name where declaration `index` stands. */
  private isTypedefBefore(name: string, index: number): boolean {
    const at = this.typedefs.get(name);
    return at !== undefined && at < index;
  }

  private analyse(index: number): Decl {
    const start = this.starts[index];
    const end = this.ends[index];
    const hasBody = this.bodies[index];
    const { kinds, texts } = this.tokens;
    let storage: string | null = null;
    let typeSeen = false;
    let specTag = false;
    let i = start;
    while (i < end && kinds[i] === 'ident') {
      const w = texts[i];
      const role = roleOf(w);
      if (role === 'storage') storage ??= w;
      else if (role === 'qualifier') {
        if (w === '_Atomic' && this.isPunct(i + 1, '(')) {
          i = this.after(i + 1);
          typeSeen = true;
          continue;
        }
      } else if (role === 'type') typeSeen = true;
      else if (role === 'tag') {
        typeSeen = specTag = true;
        i++;
        if (kinds[i] === 'ident') i++;
        if (this.isPunct(i, '{')) i = this.after(i);
        continue;
      } else if (role === 'typeof') {
        typeSeen = true;
        i = this.isPunct(i + 1, '(') ? this.after(i + 1) : i + 1;
        continue;
      } else if (!typeSeen && this.isTypedefBefore(w, index)) typeSeen = true;
      else break;
      i++;
    }
    const specEnd = i;
    const declarators = this.declarators(specEnd, end);
    const isTypedef = storage === 'typedef';
    const named = declarators.flatMap((d) => (d.name === null ? [] : [d.name]));
    const { refs, defines } = this.references(index, start, end, declarators, isTypedef ? new Set(named) : new Set());
    if (isTypedef) for (const n of named) if (!this.typedefs.has(n)) this.typedefs.set(n, index);
    for (const tag of defines) if (!this.tags.has(tag)) this.tags.set(tag, index);
    const kind: DeclKind = isTypedef
      ? 'typedef'
      : hasBody || (named.length > 0 && declarators.every((d) => d.name === null || d.isFunction))
        ? 'function'
        : named.length > 0
          ? 'variable'
          : 'tag';
    const file = this.tokens.files[start];
    const line = this.tokens.lines[start];
    const layout = this.layoutOf(start, end);
    const { pack, transparent, inline } = layout;
    // An inline function is inlined into its wrapper, which must be compiled for its features.
    const problem = layout.problem ?? (kind === 'function' && inline ? this.featuresProblem(start, layout.targets) : null);
    return {
      index, kind, names: [...named, ...defines], file, line, where: `${this.files[file]}:${line}`, refs, defines, problem, pack, transparent, inline,
      start, end, hasBody, storage, specEnd, specTag, declarators,
    };
  }

  /** The declarators after the specifiers, split at top-level commas, without initialisers. */
  private declarators(from: number, end: number): Declarator[] {
    const out: Declarator[] = [];
    let start = from;
    let init = -1;
    const finish = (at: number) => {
      const stop = init >= 0 ? init : at;
      if (stop > start || init >= 0) out.push(this.declarator(start, stop, init >= 0 ? [init + 1, at] : null));
    };
    for (let i = from; i < end; ) {
      if (this.isPunct(i, '(') || this.isPunct(i, '[') || this.isPunct(i, '{')) {
        i = this.after(i);
        continue;
      }
      if (this.isPunct(i, '=') && init < 0) init = i;
      if (this.isPunct(i, ',')) {
        finish(i);
        start = i + 1;
        init = -1;
      }
      i++;
    }
    if (start < end) finish(end);
    return out;
  }

  private declarator(start: number, end: number, init: readonly [number, number] | null): Declarator {
    let nameAt = -1;
    for (let i = start; i < end; i++) {
      if (this.tokens.isIdent(i) && roleOf(this.tokens.texts[i]) !== 'qualifier') {
        nameAt = i;
        break;
      }
    }
    return {
      start,
      end,
      init,
      name: nameAt >= 0 ? this.tokens.texts[nameAt] : null,
      nameAt,
      isFunction: nameAt >= 0 && this.isPunct(nameAt + 1, '('),
      plain: nameAt === start && end === start + 1,
      // A label stands after the declarator, before its initialiser or the ',' or ';' ending it.
      symbol: this.labels.get(end) ?? null,
    };
  }

  /** Typedef names and tags declaration `index` uses (outside initialisers), and the tags it defines. */
  private references(index: number, start: number, end: number, declarators: readonly Declarator[], ownTypedefs: ReadonlySet<string>) {
    const { kinds, texts } = this.tokens;
    const skip = new Map<number, number>();
    for (const d of declarators) if (d.init) skip.set(d.init[0] - 1, d.init[1]);
    const refs: Ref[] = [];
    const defines: string[] = [];
    let depth = 0;
    const modeAfter = (i: number, inBody: boolean): Mode | 'inherit' => {
      let j = i;
      while (kinds[j] === 'ident' && roleOf(texts[j]) === 'qualifier') j++;
      if (this.isPunct(j, '*')) return 'ptr';
      const declared = kinds[j] === 'ident' && ownTypedefs.has(texts[j]);
      const last = j + 1 >= end || this.isPunct(j + 1, ',');
      return !inBody && declared && last ? 'inherit' : 'value';
    };
    for (let i = start; i < end; i++) {
      const stop = skip.get(i);
      if (stop !== undefined) {
        i = stop - 1;
        continue;
      }
      const text = texts[i];
      if (kinds[i] === 'punct') {
        if (text === '{') depth++;
        else if (text === '}') depth--;
        continue;
      }
      if (kinds[i] !== 'ident') continue;
      if (kinds[i + 1] === 'ident' && roleOf(text) === 'tag') {
        const kind = text as TagKind;
        const name = texts[i + 1];
        if (this.isPunct(i + 2, '{')) defines.push(`${kind} ${name}`);
        else refs.push({ kind, name, mode: modeAfter(i + 2, depth > 0) });
        i++;
      } else if (this.isTypedefBefore(text, index)) {
        refs.push({ kind: 'typedef', name: text, mode: modeAfter(i + 1, depth > 0) });
      }
    }
    return { refs, defines };
  }

  /** The `#pragma pack` value in force at token `tokenIndex`. */
  private packAt(tokenIndex: number): number {
    return lastAt(this.packs, this.tokens.raws[tokenIndex] ?? Infinity)?.pack ?? 0;
  }

  /** The `#pragma GCC target` strings in force at token `tokenIndex`. */
  private targetsAt(tokenIndex: number): readonly string[] {
    return lastAt(this.targets, this.tokens.raws[tokenIndex] ?? Infinity)?.targets ?? [];
  }

  /**
   * Why a function compiled for CPU features (its `target` attributes, else the `#pragma GCC
   * target` region it stands in) that the unit's predefined macros do not show turned on is left
   * out; null when it needs none, or only features turned on or of no established macro.
   */
  private featuresProblem(start: number, attributeTargets: readonly string[]): string | null {
    const how = attributeTargets.length > 0 ? 'attribute' : 'pragma';
    const targets = how === 'attribute' ? attributeTargets : this.targetsAt(start);
    const missing = missingFeatures(targets.flatMap(requiredFeatures), (m) => this.macros.has(m));
    return missing.length === 0 ? null : featureProblem(missing, how);
  }

  /**
   * The pack value for the declaration's structs, or why cdef cannot express its layout: `packed`
   * on a struct maps to pack 1, but aligned members, vector types and packed members do not map.
   * And whether a union it defines is transparent, whether it says `inline`, and the target
   * strings of its `target` attributes.
   */
  private layoutOf(start: number, end: number): { pack: number; problem: string | null; transparent: boolean; inline: boolean; targets: string[] } {
    let pack = this.packAt(start);
    let problem: string | null = null;
    let transparent = false;
    let inline = false;
    const targets: string[] = [];
    const { texts } = this.tokens;
    const tagWord = (i: number) => this.tokens.isIdent(i) && (texts[i] === 'struct' || texts[i] === 'union');
    // `packed` packs the struct it is written on, not those defined inside it; cdef's pack applies
    // to every body of a declaration (as `#pragma pack` does), so only the outermost may have it.
    let depth = 0;
    let nested = false;
    let packedInside = false;
    for (let k = start; k <= end; k++) {
      if (this.isPunct(k, '{') && depth++ > 0) nested = true;
      else if (this.isPunct(k, '}')) depth--;
      for (const word of this.attributes.get(k) ?? []) {
        const structLevel = tagWord(k - 1) || (this.tokens.isIdent(k - 1) && tagWord(k - 2)) || this.isPunct(k - 1, '}');
        const target = targetOf(word);
        if (target !== null) targets.push(target);
        else if (word === 'inline') inline ||= depth === 0;
        else if (word === 'packed' && structLevel && depth === 0) pack = 1;
        else if (word === 'packed' && structLevel) packedInside = true;
        else if (word === 'transparent_union') transparent = true;
        else if (word === 'overloadable') problem ??= "it is overloaded (clang's __attribute__((overloadable))): its name stands for several functions of different types, where cdef declares one";
        else problem ??= `it uses __attribute__((${word})) or _Alignas, which cdef cannot express`;
      }
    }
    if (packedInside) problem ??= 'a struct or union inside it is packed and the one holding it is not, which cdef cannot express (its packing applies to a whole declaration)';
    else if (pack === 1 && nested && this.packAt(start) !== 1) {
      problem ??= 'it is packed and defines structs or unions inside it, which GCC does not pack, and cdef cannot express (its packing applies to a whole declaration)';
    }
    return { pack, problem, transparent, inline, targets };
  }
}

/** For each bracket token, the index of its partner; -1 for unmatched ones and other tokens. */
function matchBrackets(toks: TokenTable): Int32Array {
  const match = new Int32Array(toks.length).fill(-1);
  const stack: number[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const { kinds, texts } = toks;
  for (let i = 0; i < toks.length; i++) {
    if (kinds[i] !== 'punct') continue;
    const t = texts[i];
    if (t === '(' || t === '[' || t === '{') stack.push(i);
    else if (t === ')' || t === ']' || t === '}') {
      // Unwind to the matching opener: a stray closer in broken input costs only its own group.
      let at = stack.length - 1;
      while (at >= 0 && texts[stack[at]] !== pairs[t]) at--;
      if (at < 0) continue;
      const open = stack[at];
      stack.length = at;
      match[open] = i;
      match[i] = open;
    }
  }
  return match;
}

/** Of events in order of position, the last one at or before `raw` (a binary search: a header has thousands of them). */
function lastAt<E extends { readonly at: number }>(events: readonly E[], raw: number): E | undefined {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].at <= raw) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : events[lo - 1];
}
