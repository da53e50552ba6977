// Declarations from a preprocessed C source: the user's functions, globals, types and integer #defines as cdef text.
import { CDefError } from '../errors';
import { parseCdef } from '../cparser/parser';
import { keyword } from '../cparser/lexer';
import { FunctionType } from '../ctype/model';
import { PRIMITIVES, PRIMITIVE_ALIASES } from '../ctype/primitives';
import { Registry } from '../ctype/registry';
import { MacroDef, Scanned, TokenTable, scanPreprocessed } from './scan';

export interface ExtractOptions {
  /** File names, as the line markers spell them, whose declarations are the user's (the source and its #line names). */
  readonly userFiles: readonly string[];
  /**
   * Directories whose headers are the user's too (the include directories the user gave): their
   * declarations are declared as the source's are, not only as far as the source needs them.
   */
  readonly userDirs?: readonly string[];
  /**
   * Also declare functions and variables the source declares without defining them (their
   * definitions come from options.sources or a library); otherwise they are listed as skipped.
   */
  readonly externals: boolean;
}

/** A piece of cdef text and the `pack` option it needs (0: natural alignment). */
export interface CdefChunk {
  readonly source: string;
  readonly pack: number;
}

/** A declaration of the user's source that was not declared, and why. */
export interface Skipped {
  readonly name: string;
  /** 'file:line' of the declaration. */
  readonly where: string;
  readonly reason: string;
}

export interface Extracted {
  /** The cdef text, in order; each chunk goes to one ffi.cdef call. */
  readonly cdefs: readonly CdefChunk[];
  /** Names the source gives internal linkage: callable only from C. */
  readonly statics: Readonly<Record<string, 'function' | 'variable'>>;
  readonly skipped: readonly Skipped[];
  /** Every file the preprocessor read (headers included), as the line markers spell them. */
  readonly files: readonly string[];
}

/** Turns the output of `cc -E -dD` into cdef text for the user's declarations and the header types they need. */
export function extractDeclarations(preprocessed: string, options: ExtractOptions): Extracted {
  return new Extractor(scanPreprocessed(preprocessed), options).run();
}

// ---------------------------------------------------------------------------------------------
// Tokens without GNU noise

/** Words dropped wherever they stand: they change nothing the cdef needs to know. */
const DROPPED = new Set([
  '__extension__', 'inline', '__inline', '__inline__', '_Noreturn', '__noreturn__', '_Nullable', '_Nonnull',
  '_Null_unspecified', '__unaligned',
]);
/** GNU spellings of standard words. */
const RENAMED = new Map([
  ['__const', 'const'], ['__const__', 'const'], ['__volatile', 'volatile'], ['__volatile__', 'volatile'],
  ['__signed', 'signed'], ['__signed__', 'signed'], ['__restrict', 'restrict'], ['__restrict__', 'restrict'],
  ['__typeof', 'typeof'], ['__typeof__', 'typeof'],
]);
/** Words followed by a parenthesised part that goes with them. */
const WITH_PARENS = new Set(['__attribute__', '__attribute', '__declspec', '_Alignas', 'alignas', '__asm__', '__asm', 'asm']);
const ASM_QUALIFIERS = new Set(['volatile', '__volatile__', '__volatile', 'goto', 'inline', '__inline']);
/** Attributes that change a layout in ways cdef cannot say. */
const LAYOUT_ATTRIBUTES = new Set(['aligned', 'packed', 'vector_size', 'mode', 'designated_init']);

/** Attribute words in force before a token, by token index. */
type Attributes = Map<number, string[]>;

/** The tokens without the noise, and the attribute words that stood before each kept token. */
function clean(tokens: TokenTable): { toks: TokenTable; attrs: Attributes } {
  const toks = new TokenTable();
  const attrs: Attributes = new Map();
  const note = (words: string[]) => {
    if (words.length) attrs.set(toks.length, [...(attrs.get(toks.length) ?? []), ...words]);
  };
  const { kinds, texts } = tokens;
  for (let i = 0; i < tokens.length; i++) {
    const text = texts[i];
    if (kinds[i] === 'ident') {
      if (DROPPED.has(text)) continue;
      if (WITH_PARENS.has(text)) {
        let j = i + 1;
        if (text.includes('asm')) while (kinds[j] === 'ident' && ASM_QUALIFIERS.has(texts[j])) j++;
        if (!tokens.isPunct(j, '(')) continue;
        const close = closeParen(tokens, j);
        if (text.startsWith('__attribute')) note(attributeWords(tokens, j, close));
        else if (text === '_Alignas' || text === 'alignas') note(['aligned']);
        i = close;
        continue;
      }
    }
    const renamed = kinds[i] === 'ident' ? RENAMED.get(text) : undefined;
    toks.push(kinds[i], renamed ?? text, tokens.files[i], tokens.lines[i], tokens.spaced[i], i);
  }
  return { toks, attrs };
}

/** The index of the ')' closing the '(' at `open` (the last token when it never closes). */
function closeParen(tokens: TokenTable, open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens.isPunct(i, '(')) depth++;
    else if (tokens.isPunct(i, ')') && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/** The attribute names in `__attribute__((a, b(x)))`, without GNU underscores. */
function attributeWords(tokens: TokenTable, open: number, close: number): string[] {
  const words: string[] = [];
  let depth = 0;
  for (let i = open; i <= close; i++) {
    if (tokens.isPunct(i, '(')) depth++;
    else if (tokens.isPunct(i, ')')) depth--;
    else if (depth === 2 && tokens.isIdent(i)) words.push(tokens.texts[i].replace(/^__(.*)__$/, '$1'));
  }
  return words;
}

// ---------------------------------------------------------------------------------------------
// Declarations

const STORAGE = new Set(['typedef', 'extern', 'static', 'auto', 'register', '_Thread_local', 'thread_local', '__thread']);
const QUALIFIERS = new Set(['const', 'volatile', 'restrict', '_Atomic']);
const TYPE_WORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', '_Complex', '__complex__',
  '_Imaginary', '__int128', '_Float16', '_Float32', '_Float64', '_Float128', '_Float32x', '_Float64x', '_Float128x',
  '__float128', '__float80', '__fp16', '__bf16', '_Decimal32', '_Decimal64', '_Decimal128', '__builtin_va_list', '_BitInt',
]);
const INTEGER_WORDS = new Set(['char', 'short', 'int', 'long', 'signed', 'unsigned', '_Bool', 'const', 'volatile', 'static']);
const TAGS = new Set(['struct', 'union', 'enum']);

/** The names the cdef parser knows without a declaration ('size_t', 'uint8_t', 'bool'…). */
const BUILTIN_TYPES = new Set([
  ...PRIMITIVES.map((p) => p.name).filter((n) => !n.includes(' ') && keyword(n) === undefined),
  ...PRIMITIVE_ALIASES.keys(),
]);
const BUILTIN_INTEGERS = new Set(
  PRIMITIVES.filter((p) => !p.name.includes(' ') && !['f32', 'f64', 'f80'].includes(p.repr)).map((p) => p.name),
);

type TagKind = 'struct' | 'union' | 'enum';
/** How a type is used: behind a pointer, by value, or as the declaration that uses it is (plain typedefs). */
type Mode = 'ptr' | 'value';

/** A use of a typedef name or struct/union/enum tag inside a declaration. */
interface Ref {
  readonly kind: 'typedef' | TagKind;
  readonly name: string;
  readonly mode: Mode | 'inherit';
}

interface Declarator {
  /** Token range without the initialiser. */
  readonly start: number;
  readonly end: number;
  readonly init: readonly [number, number] | null;
  readonly name: string | null;
  readonly nameAt: number;
  /** The name is followed by a parameter list: a function. */
  readonly isFunction: boolean;
  /** Nothing but the name. */
  readonly plain: boolean;
}

interface Decl {
  readonly start: number;
  /** Index of the ';' ending it, or of the '{' starting the function body. */
  readonly end: number;
  readonly hasBody: boolean;
  readonly user: boolean;
  readonly where: string;
  readonly storage: string | null;
  /** Index after the declaration specifiers. */
  readonly specEnd: number;
  /** The specifiers name or define a struct, union or enum. */
  readonly specTag: boolean;
  readonly declarators: readonly Declarator[];
  readonly refs: readonly Ref[];
  /** Tags this declaration defines a body for ('struct pt'). */
  readonly defines: readonly string[];
  readonly pack: number;
  /** Why cdef cannot say what the compiler does with this declaration (layout attributes); null when it can. */
  readonly unsupported: string | null;
  /** The specifiers are integer words only (for `static const int X = …`). */
  readonly integerSpecs: boolean;
}

interface Item {
  readonly pos: number;
  readonly text: string;
  readonly pack: number;
  readonly user: boolean;
  /** Ordinary names (functions, variables, constants) and typedef names it declares. */
  readonly names: readonly string[];
  readonly where: string;
}

class Extractor {
  private readonly toks: TokenTable;
  private readonly attrs: Attributes;
  private readonly match: Int32Array;
  private readonly userFiles: Set<number>;
  private readonly decls: Decl[] = [];
  private readonly typedefNames = new Set<string>();
  private readonly typedefDecl = new Map<string, number>();
  private readonly tagDecl = new Map<string, number>();
  private readonly skipped: (Skipped & { pos: number })[] = [];
  private readonly statics: Record<string, 'function' | 'variable'> = {};
  /** Header declarations left out, by the names they declare, with the reason. */
  private readonly dropped = new Map<string, string>();

  constructor(private readonly scanned: Scanned, private readonly options: ExtractOptions) {
    ({ toks: this.toks, attrs: this.attrs } = clean(scanned.tokens));
    this.match = matchBrackets(this.toks);
    const names = new Set(options.userFiles);
    const dirs = (options.userDirs ?? []).map((d) => (d.endsWith('/') ? d : `${d}/`));
    const mine = (f: string): boolean => names.has(f) || dirs.some((d) => f.startsWith(d));
    this.userFiles = new Set(scanned.files.flatMap((f, i) => (mine(f) ? [i] : [])));
  }

  run(): Extracted {
    this.segment();
    const items = [...this.userItems(), ...this.headerItems(), ...this.defineItems()];
    // Directives sort before the declaration starting at the same token.
    items.sort((a, b) => a.pos - b.pos);
    const cdefs = this.check(items);
    const skipped = [...this.skipped].sort((a, b) => a.pos - b.pos).map(({ name, where, reason }) => ({ name, where, reason }));
    return { cdefs, statics: this.statics, skipped, files: this.scanned.files.filter((f) => !f.startsWith('<')) };
  }

  // ---- segmentation -------------------------------------------------------------------------

  private isPunct(i: number, text: string): boolean {
    return this.toks.isPunct(i, text);
  }

  private isIdent(i: number): boolean {
    return this.toks.isIdent(i);
  }

  private text(i: number): string | undefined {
    return this.toks.texts[i];
  }

  /** Index after the bracket group opened at `i`. */
  private after(i: number): number {
    const m = this.match[i];
    return m < 0 ? this.toks.length : m + 1;
  }

  /** Records the declaration [start, end) unless it is a header's function or variable, which nothing needs. */
  private declaration(start: number, end: number, hasBody: boolean): void {
    if (!this.userFiles.has(this.toks.files[start])) {
      if (hasBody) return;
      let relevant = false;
      const texts = this.toks.texts;
      for (let i = start; i < end && !relevant; i++) relevant = texts[i] === 'typedef' || this.isPunct(i, '{');
      if (!relevant) return;
    }
    this.decls.push(this.analyse(start, end, hasBody));
  }

  private segment(): void {
    const n = this.toks.length;
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
        const p = this.toks.kinds[i] === 'punct' ? this.toks.texts[i] : '';
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
        prev = p || this.toks.texts[i];
        i++;
      }
    }
  }

  // ---- one declaration ----------------------------------------------------------------------

  private packAt(tokenIndex: number): number {
    const raw = this.toks.raws[tokenIndex] ?? Infinity;
    let pack = 0;
    for (const p of this.scanned.packs) {
      if (p.at > raw) break;
      pack = p.pack;
    }
    return pack;
  }

  private analyse(start: number, end: number, hasBody: boolean): Decl {
    let storage: string | null = null;
    let typeSeen = false;
    let specTag = false;
    let integerSpecs = true;
    let i = start;
    while (i < end && this.isIdent(i)) {
      const w = this.toks.texts[i];
      if (STORAGE.has(w)) storage ??= w;
      else if (QUALIFIERS.has(w)) {
        if (w === '_Atomic' && this.isPunct(i + 1, '(')) {
          i = this.after(i + 1);
          typeSeen = true;
          integerSpecs = false;
          continue;
        }
      } else if (TYPE_WORDS.has(w)) typeSeen = true;
      else if (TAGS.has(w)) {
        typeSeen = true;
        specTag = true;
        integerSpecs &&= w === 'enum';
        i++;
        if (this.isIdent(i)) i++;
        if (this.isPunct(i, '{')) i = this.after(i);
        continue;
      } else if (w === 'typeof') {
        typeSeen = true;
        integerSpecs = false;
        i = this.isPunct(i + 1, '(') ? this.after(i + 1) : i + 1;
        continue;
      } else if (!typeSeen && this.typedefNames.has(w)) {
        typeSeen = true;
        integerSpecs &&= BUILTIN_INTEGERS.has(w);
      } else break;
      if (!INTEGER_WORDS.has(w) && !TAGS.has(w) && !BUILTIN_INTEGERS.has(w)) integerSpecs = false;
      i++;
    }
    const specEnd = i;
    const declarators = this.declarators(specEnd, end);
    const isTypedef = storage === 'typedef';
    const names = new Set(declarators.map((d) => d.name).filter((n): n is string => n !== null));
    const { refs, defines } = this.references(start, end, declarators, isTypedef ? names : new Set());
    // The declaration is about to be this.decls[index]: later ones find its typedef names and tags there.
    const index = this.decls.length;
    if (isTypedef) {
      for (const n of names) {
        this.typedefNames.add(n);
        if (!this.typedefDecl.has(n)) this.typedefDecl.set(n, index);
      }
    }
    for (const tag of defines) if (!this.tagDecl.has(tag)) this.tagDecl.set(tag, index);
    const { pack, unsupported } = this.layoutOf(start, end);
    return {
      start,
      end,
      hasBody,
      user: this.userFiles.has(this.toks.files[start]),
      where: `${this.scanned.files[this.toks.files[start]]}:${this.toks.lines[start]}`,
      storage,
      specEnd,
      specTag,
      declarators,
      refs,
      defines,
      pack,
      unsupported,
      integerSpecs,
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
      if (this.isIdent(i) && !QUALIFIERS.has(this.toks.texts[i])) {
        nameAt = i;
        break;
      }
    }
    const name = nameAt >= 0 ? this.toks.texts[nameAt] : null;
    return {
      start,
      end,
      init,
      name,
      nameAt,
      isFunction: nameAt >= 0 && this.isPunct(nameAt + 1, '('),
      plain: nameAt === start && end === start + 1,
    };
  }

  /** Typedef names and tags the declaration uses (outside initialisers), and the tags it defines. */
  private references(start: number, end: number, declarators: readonly Declarator[], typedefNames: ReadonlySet<string>) {
    const { kinds, texts } = this.toks;
    const skip = new Map<number, number>();
    for (const d of declarators) if (d.init) skip.set(d.init[0] - 1, d.init[1]);
    const refs: Ref[] = [];
    const defines: string[] = [];
    let depth = 0;
    const modeAfter = (i: number, inBody: boolean): Mode | 'inherit' => {
      let j = i;
      while (kinds[j] === 'ident' && QUALIFIERS.has(texts[j])) j++;
      if (this.isPunct(j, '*')) return 'ptr';
      const declared = kinds[j] === 'ident' && typedefNames.has(texts[j]);
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
      if (TAGS.has(text) && kinds[i + 1] === 'ident') {
        const kind = text as TagKind;
        const name = texts[i + 1];
        if (this.isPunct(i + 2, '{')) defines.push(`${kind} ${name}`);
        else refs.push({ kind, name, mode: modeAfter(i + 2, depth > 0) });
        i++;
      } else if (this.typedefNames.has(text) && !BUILTIN_TYPES.has(text)) {
        refs.push({ kind: 'typedef', name: text, mode: modeAfter(i + 1, depth > 0) });
      }
    }
    return { refs, defines };
  }

  /**
   * The pack value for the declaration's structs, or why cdef cannot express its layout: `packed`
   * on a struct maps to pack 1, but aligned members, vector types and packed members do not map.
   */
  private layoutOf(start: number, end: number): { pack: number; unsupported: string | null } {
    let pack = this.packAt(start);
    let unsupported: string | null = null;
    for (let k = start; k <= end; k++) {
      for (const word of this.attrs.get(k) ?? []) {
        if (!LAYOUT_ATTRIBUTES.has(word)) continue;
        const tagWord = (i: number) => this.isIdent(i) && (this.text(i) === 'struct' || this.text(i) === 'union');
        const structLevel = tagWord(k - 1) || (this.isIdent(k - 1) && tagWord(k - 2)) || this.isPunct(k - 1, '}');
        if (word === 'packed' && structLevel) pack = 1;
        else unsupported ??= `it uses __attribute__((${word})) or _Alignas, which cdef cannot express`;
      }
    }
    return { pack, unsupported };
  }

  // ---- emission -----------------------------------------------------------------------------

  /** Source text of tokens, one space where the output had any or where two words meet. */
  private spell(indexes: Iterable<number>, extra: ReadonlyMap<number, string> = new Map()): string {
    let out = '';
    let prevWord = false;
    const { kinds, texts, spaced } = this.toks;
    for (const i of indexes) {
      const text = extra.get(i) ?? texts[i];
      const word = kinds[i] === 'ident' || kinds[i] === 'number';
      if (out !== '' && (spaced[i] || (prevWord && word))) out += ' ';
      out += text;
      prevWord = word;
    }
    return out;
  }

  private *range(from: number, to: number): Generator<number> {
    for (let i = from; i < to; i++) yield i;
  }

  /** The specifier tokens without storage-class words (and without 'static' unless kept). */
  private specTokens(d: Decl, keepStatic = false): number[] {
    return [...this.range(d.start, d.specEnd)].filter((i) => {
      const w = this.toks.texts[i];
      return !(this.isIdent(i) && STORAGE.has(w) && !(keepStatic && w === 'static'));
    });
  }

  /** Declarator tokens, with an open outer array dimension sized from its initialiser. */
  private declaratorText(d: Declarator): { indexes: number[]; extra: Map<number, string> } {
    const indexes = [...this.range(d.start, d.end)];
    const extra = new Map<number, string>();
    if (d.init && d.nameAt >= 0 && this.isPunct(d.nameAt + 1, '[') && this.isPunct(d.nameAt + 2, ']')) {
      const n = this.initialiserCount(d.init[0], d.init[1]);
      if (n !== null) extra.set(d.nameAt + 1, `[${n}`);
    }
    return { indexes, extra };
  }

  /** Elements of a brace list or characters of string literals (plus the NUL); null when it cannot tell. */
  private initialiserCount(from: number, to: number): number | null {
    const { kinds, texts } = this.toks;
    if (from < to && kinds.slice(from, to).every((k) => k === 'string')) {
      return texts.slice(from, to).reduce((n, t) => n + literalUnits(t), 0) + 1;
    }
    if (!this.isPunct(from, '{') || this.after(from) !== to) return null;
    let count = 0;
    let empty = true;
    for (let i = from + 1; i < to - 1; ) {
      if (empty && (this.isPunct(i, '[') || this.isPunct(i, '.'))) return null; // designators
      if (this.isPunct(i, ',')) {
        count++;
        empty = true;
        i++;
        continue;
      }
      empty = false;
      i = this.isPunct(i, '(') || this.isPunct(i, '[') || this.isPunct(i, '{') ? this.after(i) : i + 1;
    }
    return empty ? count : count + 1;
  }

  private item(d: Decl, text: string, names: readonly string[]): Item {
    return { pos: this.toks.raws[d.start], text: `${text}\n`, pack: d.pack, user: d.user, names, where: d.where };
  }

  /** Notes that `name` is left out; `pos` (a scanner token index) orders the notes as the source does. */
  private skip(name: string, where: string, reason: string, pos: number): void {
    this.skipped.push({ name, where, reason, pos });
  }

  /** The user's declarations, as cdef items; statics and unsupported ones are noted instead. */
  private *userItems(): Generator<Item> {
    const user = this.decls.filter((d) => d.user);
    const statics = new Set<string>();
    const definedFunctions = new Set<string>();
    const definedVariables = new Set<string>();
    for (const d of user) {
      for (const dec of d.declarators) {
        if (!dec.name || d.storage === 'typedef') continue;
        if (d.storage === 'static') statics.add(dec.name);
        if (d.hasBody) definedFunctions.add(dec.name);
        else if (!dec.isFunction && (d.storage !== 'extern' || dec.init)) definedVariables.add(dec.name);
      }
    }
    const emitted = new Set<string>();
    for (const d of user) {
      if (d.unsupported) {
        for (const name of this.declaredNames(d)) this.skip(name, d.where, d.unsupported, this.toks.raws[d.start]);
        continue;
      }
      if (d.storage === 'typedef') {
        yield this.item(d, `${this.spell(this.range(d.start, d.end))};`, d.declarators.flatMap((x) => (x.name ? [x.name] : [])));
        continue;
      }
      if (d.storage === '_Thread_local' || d.storage === 'thread_local' || d.storage === '__thread') {
        for (const dec of d.declarators) if (dec.name) this.skip(dec.name, d.where, 'it is thread-local, and JavaScript cannot reach thread-local variables', this.toks.raws[d.start]);
        continue;
      }
      const kept: Declarator[] = [];
      const constants: Declarator[] = [];
      for (const dec of d.declarators) {
        const name = dec.name;
        if (!name) continue;
        if (statics.has(name)) {
          const constant = !dec.isFunction && dec.plain && d.storage === 'static' && d.integerSpecs && this.hasConst(d);
          if (constant) constants.push(dec);
          else this.statics[name] = dec.isFunction || d.hasBody ? 'function' : 'variable';
          continue;
        }
        const defined = d.hasBody || (!dec.isFunction && (d.storage !== 'extern' || dec.init !== null));
        if (!defined) {
          // Declared here, defined further down (declared there) or elsewhere (declared when allowed).
          if ((dec.isFunction ? definedFunctions : definedVariables).has(name)) continue;
          if (!this.options.externals) {
            this.skip(
              name,
              d.where,
              'it is declared but not defined in the source; pass the C file that defines it in options.sources or its library in options.libraries',
              this.toks.raws[d.start],
            );
            continue;
          }
        }
        if (emitted.has(name)) continue;
        emitted.add(name);
        kept.push(dec);
      }
      const specs = this.specTokens(d);
      if (kept.length) {
        const parts = kept.map((dec) => {
          const { indexes, extra } = this.declaratorText(dec);
          return this.spell(indexes, extra);
        });
        yield this.item(d, `${this.spell(specs)} ${parts.join(', ')};`, kept.map((k) => k.name as string));
      } else if (d.specTag) {
        yield this.item(d, `${this.spell(specs)};`, []);
      }
      for (const c of constants) {
        yield this.item(d, `${this.spell(this.specTokens(d, true))} ${c.name};`, [c.name as string]);
      }
    }
  }

  /** Names a declaration declares: its declarators' names, and the tags it defines. */
  private declaredNames(d: Decl): string[] {
    return [...d.declarators.flatMap((x) => (x.name ? [x.name] : [])), ...d.defines];
  }

  private hasConst(d: Decl): boolean {
    for (let i = d.start; i < d.specEnd; i++) if (this.toks.texts[i] === 'const') return true;
    return false;
  }

  /** Header declarations the user's declarations need: typedefs always, struct bodies where used by value. */
  private *headerItems(): Generator<Item> {
    const needed = new Map<number, Mode>();
    const demandDecl = (index: number, mode: Mode): void => {
      const d = this.decls[index];
      if (d.user) return;
      const had = needed.get(index);
      if (had === 'value' || had === mode) return;
      needed.set(index, mode);
      for (const r of d.refs) demandRef(r, mode);
    };
    const demandRef = (r: Ref, inherited: Mode): void => {
      const mode = r.mode === 'inherit' ? inherited : r.mode;
      if (r.kind === 'typedef') {
        const index = this.typedefDecl.get(r.name);
        if (index !== undefined) demandDecl(index, mode);
      } else if (mode === 'value') {
        const index = this.tagDecl.get(`${r.kind} ${r.name}`);
        if (index !== undefined) demandDecl(index, 'value');
      }
    };
    for (const d of this.decls) if (d.user) for (const r of d.refs) demandRef(r, 'value');
    for (const index of [...needed.keys()].sort((a, b) => a - b)) {
      const d = this.decls[index];
      if (d.unsupported) {
        for (const name of this.declaredNames(d)) this.dropped.set(name, d.unsupported);
        continue;
      }
      if (d.storage === 'typedef') {
        yield this.item(d, `${this.spell(this.range(d.start, d.end))};`, d.declarators.flatMap((x) => (x.name ? [x.name] : [])));
      } else if (d.specTag) {
        yield this.item(d, `${this.spell(this.specTokens(d))};`, []);
      }
    }
  }

  /** The user's object-like macros still defined at the end, expanded down to what cdef can evaluate. */
  private *defineItems(): Generator<Item> {
    const macros = this.scanned.macros;
    for (const m of macros.values()) {
      if (!this.userFiles.has(m.file)) continue;
      const where = `${this.scanned.files[m.file]}:${m.line}`;
      if (m.params !== null) {
        this.skip(m.name, where, 'it is a function-like macro; only object-like integer macros are declared', m.at);
        continue;
      }
      const expanded = expandMacro(m, macros);
      if (typeof expanded !== 'string') {
        this.skip(m.name, where, expanded.error, m.at);
        continue;
      }
      yield { pos: m.at - 0.5, text: `#define ${m.name} ${expanded}\n`, pack: 0, user: true, names: [m.name], where };
    }
  }

  // ---- checking -----------------------------------------------------------------------------

  /**
   * Parses the items one by one into a scratch table, as ffi.cdef will: an item the parser refuses
   * is left out (and, for the user's, listed as skipped with the parser's reason), so one
   * unsupported declaration never costs the others.
   */
  private check(items: readonly Item[]): CdefChunk[] {
    let registry = new Registry();
    const accepted: Item[] = [];
    for (const it of items) {
      let reason: string | null = null;
      try {
        parseCdef(it.text, registry, it.pack ? { pack: it.pack } : {});
        reason = valueProblem(registry, it.names);
        if (reason !== null) {
          // Parsed and committed, but unusable: rebuild the table without it.
          registry = new Registry();
          for (const ok of accepted) parseCdef(ok.text, registry, ok.pack ? { pack: ok.pack } : {});
        }
      } catch (e) {
        if (!(e instanceof CDefError) && !(e instanceof TypeError)) throw e;
        reason = (e as Error).message.replace(/^cdef:\d+:\d+: /, '');
      }
      if (reason === null) accepted.push(it);
      else if (!it.user) for (const n of it.names) this.dropped.set(n, reason);
      else {
        const cause = /unknown type name '([^']+)'/.exec(reason)?.[1];
        const left = cause === undefined ? undefined : this.dropped.get(cause);
        const why = left === undefined ? reason : `${reason} (its declaration in a header was left out: ${left})`;
        this.skip(it.names.join(', ') || it.text.trim().slice(0, 40), it.where, why, it.pos);
      }
    }
    return groupByPack(accepted);
  }
}

/** Why a just-declared function cannot be called from JavaScript, or null. */
function valueProblem(registry: Registry, names: readonly string[]): string | null {
  for (const name of names) {
    const d = registry.get(name);
    if (d?.kind !== 'function') continue;
    const t: FunctionType = d.type;
    for (const v of [t.result, ...t.args]) {
      if (v.kind === 'primitive' && v.repr === 'f80') return "it passes 'long double', which cannot travel between JavaScript and C";
      if ((v.kind === 'struct' || v.kind === 'union') && !v.complete) {
        return `it passes '${v.cname}' by value, but that type's definition was left out or is not in the source`;
      }
    }
  }
  return null;
}

function groupByPack(items: readonly Item[]): CdefChunk[] {
  const chunks: { source: string; pack: number }[] = [];
  for (const it of items) {
    const last = chunks[chunks.length - 1];
    if (last && last.pack === it.pack) last.source += it.text;
    else chunks.push({ source: it.text, pack: it.pack });
  }
  return chunks;
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

/** Code units of a string literal's contents ('"ab\n"' → 3), by its prefix: bytes, UTF-16 units or code points. */
function literalUnits(text: string): number {
  const q = text.indexOf('"');
  const prefix = text.slice(0, q);
  const body = text.slice(q + 1, -1);
  const points: (number | 'unit')[] = [];
  for (let i = 0; i < body.length; ) {
    if (body[i] !== '\\') {
      const cp = body.codePointAt(i) as number;
      points.push(cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = body[i + 1];
    if (e === 'x') {
      const m = /^[0-9a-fA-F]+/.exec(body.slice(i + 2));
      i += 2 + (m ? m[0].length : 0);
      points.push('unit');
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i + 1)) as RegExpExecArray;
      i += 1 + m[0].length;
      points.push('unit');
    } else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      points.push(parseInt(body.slice(i + 2, i + 2 + len), 16) || 0);
      i += 2 + len;
    } else {
      points.push(0);
      i += 2;
    }
  }
  return points.reduce<number>((n, p) => {
    if (p === 'unit' || prefix === 'L' || prefix === 'U') return n + 1;
    if (prefix === 'u') return n + (p > 0xffff ? 2 : 1);
    return n + (p < 0x80 ? 1 : p < 0x800 ? 2 : p < 0x10000 ? 3 : 4);
  }, 0);
}

const MACRO_TOKEN = /\.?[0-9](?:[eEpP][+-]|[\w.$])*|[A-Za-z_$][\w$]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\s+|[^]/g;

/** An object-like macro's body with the object-like macros in it replaced, as the preprocessor would at the end of the file. */
function expandMacro(m: MacroDef, macros: ReadonlyMap<string, MacroDef>): string | { error: string } {
  if (m.body === '') return { error: 'it has no value; only macros with an integer value are declared' };
  const expand = (body: string, active: ReadonlySet<string>): string => {
    const parts = body.match(MACRO_TOKEN) ?? [];
    let out = '';
    parts.forEach((p, i) => {
      const def = /^[A-Za-z_$]/.test(p) ? macros.get(p) : undefined;
      if (!def || active.has(p)) {
        out += p;
        return;
      }
      if (def.params !== null) {
        const next = parts.slice(i + 1).find((x) => !/^\s+$/.test(x));
        if (next === '(') throw new Error(`its value uses the function-like macro '${p}', which is not expanded here`);
        out += p;
        return;
      }
      out += expand(def.body, new Set([...active, p]));
    });
    return out;
  };
  try {
    return expand(m.body, new Set([m.name])).trim();
  } catch (e) {
    return { error: (e as Error).message };
  }
}
