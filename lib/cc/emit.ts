// cdef text for declarations of the table: their tokens re-spelled without storage classes, bodies or initialisers, open arrays sized.
import { cWord } from '../cparser/keywords';
import { IntValue, literalDefine } from '../cparser/constexpr';
import { HASH, SpelledTokens, spelledKind } from '../cparser/spelled';
import { MacroDef, pieceKind, preprocessedPieces } from '../cparser/preprocessed';
import { Decl, DeclTable, Declarator } from './declarations';

/** A piece of cdef text, with where it came from and what it declares. */
export interface Item {
  /** Orders the items as the source does: the index in the reader's tokens of where it starts. */
  readonly pos: number;
  /** One line of cdef, ending with a newline. */
  readonly text: string;
  /** The tokens of `text`, known from its spelling (see lexSpelled); absent when only reading the text can say. */
  readonly tokens?: SpelledTokens;
  /** The `pack` option it needs (0: natural alignment). */
  readonly pack: number;
  /** It is the user's: the parser's refusal is reported, not only remembered. */
  readonly user: boolean;
  /** Ordinary names (functions, variables, constants) and typedef names it declares. */
  readonly names: readonly string[];
  readonly where: string;
  /** For a `static const` that is a constant only if its type is an integer: that type's name. */
  readonly integerType?: string;
  /** For `#define NAME value` whose value is one integer constant: the two, which the check declares without reading the text (CdefBatch.addDefine). */
  readonly define?: { readonly name: string; readonly value: string };
  /** With `define`: the value's reading (literalDefine), made once. */
  readonly constant?: IntValue;
  /**
   * A macro of the name of an enumerator (`enum { X = 5 }; #define X (X - 1)`): where their values
   * differ, the macro's replaces the enumerator's constant, as C code using the name after the
   * #define reads the macro (see check); the enum keeps its enumerator.
   */
  readonly redefines?: 'enumerator';
}

/** cdef text (without its newline) spelled from the table's tokens, and those tokens when the cdef lexer would read the same ones. */
export interface Spelled {
  readonly text: string;
  readonly tokens: SpelledTokens | null;
}

/** An item for `text` (without its newline), made from declaration `d`. */
export function item(table: DeclTable, d: Decl, text: string | Spelled, names: readonly string[], user: boolean): Item {
  const pos = table.tokens.raws[d.start];
  if (typeof text === 'string') return { pos, text: `${text}\n`, pack: d.pack, user, names, where: d.where };
  return { pos, text: `${text.text}\n`, tokens: text.tokens ?? undefined, pack: d.pack, user, names, where: d.where };
}

/** The declaration as written, storage class included (for typedefs). */
export function wholeText(table: DeclTable, d: Decl): Spelled {
  return (d.transparent && d.kind === 'typedef' && transparentText(table, d)) || new Spelling(table).tokens(range(d.start, d.end)).punct(';').done();
}

/**
 * A typedef of a transparent union as the type of its first member, which is how C passes it
 * (`typedef const struct sockaddr *__CONST_SOCKADDR_ARG;`); null when its shape is not the plain
 * one (a single name, a first member of one declarator ending with its name).
 */
function transparentText(table: DeclTable, d: Decl): Spelled | null {
  const { texts, kinds } = table.tokens;
  const [dec] = d.declarators;
  if (d.declarators.length !== 1 || !dec.plain || dec.name === null) return null;
  let open = d.start;
  while (open < d.specEnd && texts[open] !== '{') open++;
  if (texts[open] !== '{') return null;
  const member: number[] = [];
  let depth = 0;
  for (let i = open + 1; i < d.specEnd; i++) {
    const t = texts[i];
    if (depth === 0 && (t === ';' || t === ',' || t === ':')) {
      if (t !== ';') return null;
      break;
    }
    if (t === '(' || t === '[' || t === '{') depth++;
    else if (t === ')' || t === ']' || t === '}') depth--;
    member.push(i);
  }
  const last = member[member.length - 1];
  if (member.length < 2 || kinds[last] !== 'ident') return null;
  return new Spelling(table).word('typedef').blank().tokens(member, new Map([[last, dec.name]])).punct(';').done();
}

/** Only the struct, union or enum the specifiers declare or define ('struct pt { int x; };'). */
export function tagText(table: DeclTable, d: Decl): Spelled {
  return new Spelling(table).tokens(specTokens(table, d)).punct(';').done();
}

/**
 * The specifiers with the chosen declarators: prototypes for definitions, initialisers dropped, open
 * arrays sized; variables declared 'extern', as cdef asks of a global.
 */
export function declaratorsText(table: DeclTable, d: Decl, chosen: readonly Declarator[]): Spelled {
  const s = new Spelling(table);
  if (chosen.some((dec) => !dec.isFunction)) s.word('extern').blank();
  s.tokens(specTokens(table, d)).blank();
  chosen.forEach((dec, k) => {
    if (k > 0) s.punct(',').blank();
    s.tokens(range(dec.start, dec.end), sizedArray(table, dec));
  });
  return s.punct(';').done();
}

/** `extern <type> NAME;`: global `dec` of declaration `d` under another name (a macro renaming it), its struct bodies left out. */
export function renamedText(table: DeclTable, d: Decl, dec: Declarator, name: string): Spelled {
  const extra = sizedArray(table, dec);
  extra.set(dec.nameAt, name);
  return new Spelling(table).word('extern').blank().tokens(specTokens(table, d, { bodies: false })).blank().tokens(range(dec.start, dec.end), extra).punct(';').done();
}

/** `static const <type> NAME;`: a constant whose value the compiler supplies. */
export function constantText(table: DeclTable, d: Decl, dec: Declarator): Spelled {
  return new Spelling(table).tokens(specTokens(table, d, { keepStatic: true })).blank().word(dec.name as string).punct(';').done();
}

/** The specifiers as a type name, without storage class or struct bodies ('const enum color'). */
export function typeNameText(table: DeclTable, d: Decl): string {
  return new Spelling(table).tokens(specTokens(table, d, { bodies: false })).done().text;
}

/**
 * The item `#define NAME value` for object-like macro `m` with its expanded value (`pieces`: the
 * value's pieces, when read already); it sorts before the declaration at the same token.
 */
export function macroItem(m: MacroDef, value: string, where: string, pieces: readonly string[] = preprocessedPieces(value)): Item {
  const s = new Spelling(null).hash().word('define').blank().word(m.name).blank();
  for (const piece of pieces) {
    const kind = pieceKind(piece);
    if (kind === null && piece.charCodeAt(0) !== 47 && piece !== '\n') s.raw(piece); // blanks (a newline or comment: the text is read instead)
    else s.piece(piece, kind === null ? -1 : spelledKind(kind, piece));
  }
  return { pos: m.at - 0.5, text: `${s.text}\n`, tokens: s.spelled() ?? undefined, pack: 0, user: true, names: [m.name], where };
}

/**
 * The item of object-like macro `m` when its value is one integer constant (most of a header's
 * constants; see literalDefine): the line macroItem would make, and the name, value and its
 * reading for the check to declare without reading the line. Null for any other value.
 */
export function integerMacroItem(m: MacroDef, where: string): Item | null {
  const constant = literalDefine(m.body);
  if (constant === null) return null;
  return { pos: m.at - 0.5, text: `#define ${m.name} ${m.body}\n`, define: { name: m.name, value: m.body }, constant, pack: 0, user: true, names: [m.name], where };
}

/**
 * cdef text built from the table's tokens and a few words of its own, with the offsets and kinds
 * of its tokens as the cdef lexer would find them, so that the check need not read it again. A
 * token the lexer might read otherwise (a literal, a replaced one) gives up the tokens: the text
 * is then read as any cdef text is.
 */
class Spelling {
  text = '';
  private readonly kinds: number[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private known = true;

  constructor(private readonly table: DeclTable | null) {}

  /**
   * Tokens of the table, one space between two where the output had any or where two words meet
   * (none before the first); `extra` replaces the text of some.
   */
  tokens(indexes: readonly number[], extra: ReadonlyMap<number, string> = NO_EXTRA): this {
    const { kinds, texts, spaced } = (this.table as DeclTable).tokens;
    let prevWord = false;
    for (let k = 0; k < indexes.length; k++) {
      const i = indexes[k];
      const replaced = extra.size === 0 ? undefined : extra.get(i);
      const text = replaced ?? texts[i];
      const word = kinds[i] === 'ident' || kinds[i] === 'number';
      if (k > 0 && (spaced[i] || (prevWord && word))) this.text += ' ';
      this.add(text, replaced === undefined ? spelledKind(kinds[i], text) : -1);
      prevWord = word;
    }
    return this;
  }

  /** A name or keyword of its own. */
  word(text: string): this {
    return this.add(text, spelledKind('ident', text));
  }

  /** The '#' starting a directive: the only one, at the start of the text. */
  hash(): this {
    return this.add('#', this.text === '' ? HASH : -1);
  }

  /** A token of other text, of the cdef kind `kind` (-1: unknown, see spelledKind). */
  piece(text: string, kind: number): this {
    return this.add(text, kind);
  }

  /** Text that makes no token (blanks). */
  raw(text: string): this {
    this.text += text;
    return this;
  }

  punct(text: string): this {
    return this.add(text, spelledKind('punct', text));
  }

  blank(): this {
    return this.raw(' ');
  }

  done(): Spelled {
    return { text: this.text, tokens: this.spelled() };
  }

  /** The tokens of the text so far; null when only reading it can tell them. */
  spelled(): SpelledTokens | null {
    return this.known ? { kinds: this.kinds, starts: this.starts, ends: this.ends } : null;
  }

  private add(text: string, kind: number): this {
    if (kind < 0) this.known = false;
    else if (this.known) {
      this.kinds.push(kind);
      this.starts.push(this.text.length);
      this.ends.push(this.text.length + text.length);
    }
    this.text += text;
    return this;
  }
}

const NO_EXTRA: ReadonlyMap<number, string> = new Map();

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

/** The specifier tokens without storage-class words (but 'static' when kept), with or without '{…}' bodies. */
function specTokens(table: DeclTable, d: Decl, options: { keepStatic?: boolean; bodies?: boolean } = {}): number[] {
  const { kinds, texts } = table.tokens;
  const out: number[] = [];
  for (let i = d.start; i < d.specEnd; i++) {
    if (options.bodies === false && table.tokens.isPunct(i, '{')) {
      i = table.after(i) - 1;
      continue;
    }
    const storage = kinds[i] === 'ident' && cWord(texts[i])?.role === 'storage';
    if (!storage || (options.keepStatic && texts[i] === 'static')) out.push(i);
  }
  return out;
}

/** For a declarator `name[] = init`, the dimension its initialiser gives, as a replacement for the '[' token. */
function sizedArray(table: DeclTable, d: Declarator): Map<number, string> {
  const extra = new Map<number, string>();
  const { tokens } = table;
  if (d.init && d.nameAt >= 0 && tokens.isPunct(d.nameAt + 1, '[') && tokens.isPunct(d.nameAt + 2, ']')) {
    const n = initialiserCount(table, d.init[0], d.init[1]);
    if (n !== null) extra.set(d.nameAt + 1, `[${n}`);
  }
  return extra;
}

/** Elements of a brace list or characters of string literals (plus the NUL); null when it cannot tell. */
function initialiserCount(table: DeclTable, from: number, to: number): number | null {
  const { tokens } = table;
  const { kinds, texts } = tokens;
  if (from < to && kinds.slice(from, to).every((k) => k === 'string')) {
    return texts.slice(from, to).reduce((n, t) => n + literalUnits(t), 0) + 1;
  }
  if (!tokens.isPunct(from, '{') || table.after(from) !== to) return null;
  let count = 0;
  let empty = true;
  for (let i = from + 1; i < to - 1; ) {
    if (empty && (tokens.isPunct(i, '[') || tokens.isPunct(i, '.'))) return null; // designators
    if (tokens.isPunct(i, ',')) {
      count++;
      empty = true;
      i++;
      continue;
    }
    empty = false;
    i = tokens.isPunct(i, '(') || tokens.isPunct(i, '[') || tokens.isPunct(i, '{') ? table.after(i) : i + 1;
  }
  return empty ? count : count + 1;
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
