// cdef text for declarations of the table: their tokens re-spelled without storage classes, bodies or initialisers, open arrays sized.
import { cWord } from '../cparser/keywords';
import { Decl, DeclTable, Declarator } from './declarations';

/** A piece of cdef text, with where it came from and what it declares. */
export interface Item {
  /** Orders the items as the source does: the index in the reader's tokens of where it starts. */
  readonly pos: number;
  /** One line of cdef, ending with a newline. */
  readonly text: string;
  /** The `pack` option it needs (0: natural alignment). */
  readonly pack: number;
  /** It is the user's: the parser's refusal is reported, not only remembered. */
  readonly user: boolean;
  /** Ordinary names (functions, variables, constants) and typedef names it declares. */
  readonly names: readonly string[];
  readonly where: string;
  /** For a `static const` that is a constant only if its type is an integer: that type's name. */
  readonly integerType?: string;
}

/** An item for `text` (without its newline), made from declaration `d`. */
export function item(table: DeclTable, d: Decl, text: string, names: readonly string[], user: boolean): Item {
  return { pos: table.tokens.raws[d.start], text: `${text}\n`, pack: d.pack, user, names, where: d.where };
}

/** The declaration as written, storage class included (for typedefs). */
export function wholeText(table: DeclTable, d: Decl): string {
  return `${spell(table, range(d.start, d.end))};`;
}

/** Only the struct, union or enum the specifiers declare or define ('struct pt { int x; };'). */
export function tagText(table: DeclTable, d: Decl): string {
  return `${spell(table, specTokens(table, d))};`;
}

/**
 * The specifiers with the chosen declarators: prototypes for definitions, initialisers dropped, open
 * arrays sized; variables declared 'extern', as cdef asks of a global.
 */
export function declaratorsText(table: DeclTable, d: Decl, chosen: readonly Declarator[]): string {
  const parts = chosen.map((dec) => spell(table, range(dec.start, dec.end), sizedArray(table, dec)));
  const storage = chosen.some((dec) => !dec.isFunction) ? 'extern ' : '';
  return `${storage}${spell(table, specTokens(table, d))} ${parts.join(', ')};`;
}

/** `static const <type> NAME;`: a constant whose value the compiler supplies. */
export function constantText(table: DeclTable, d: Decl, dec: Declarator): string {
  return `${spell(table, specTokens(table, d, { keepStatic: true }))} ${dec.name};`;
}

/** The specifiers as a type name, without storage class or struct bodies ('const enum color'). */
export function typeNameText(table: DeclTable, d: Decl): string {
  return spell(table, specTokens(table, d, { bodies: false }));
}

/** Source text of tokens, one space where the output had any or where two words meet. */
function spell(table: DeclTable, indexes: Iterable<number>, extra: ReadonlyMap<number, string> = new Map()): string {
  let out = '';
  let prevWord = false;
  const { kinds, texts, spaced } = table.tokens;
  for (const i of indexes) {
    const text = extra.get(i) ?? texts[i];
    const word = kinds[i] === 'ident' || kinds[i] === 'number';
    if (out !== '' && (spaced[i] || (prevWord && word))) out += ' ';
    out += text;
    prevWord = word;
  }
  return out;
}

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
