// The cdef token table: token kinds as numbers (names, each keyword, each punctuator), the tables from a kind to its role and text, and CdefTokens, a text's tokens as columns of numbers.
import { KeywordRole, LEXER_WORDS } from './keywords';

export type TokenKind =
  /** A name or keyword. */
  | 'ident'
  /** A preprocessing number: any digits, letters, dots and exponent signs; checked when it is used. */
  | 'number'
  /** A character constant with its quotes and prefix ('a', L'x'). */
  | 'char'
  /** A string literal with its quotes and prefix. */
  | 'string'
  | 'punct'
  /** The '#' that starts a directive line. */
  | 'hash'
  /** The end of a directive line (only directive lines have one). */
  | 'eol'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Offsets into the source; `end` is exclusive. */
  readonly start: number;
  readonly end: number;
  /** 1-based position of the first character; `line` counts from the last line marker ('# 12 "file.h"'), if any. */
  readonly line: number;
  readonly column: number;
  /** The file the last line marker named; undefined before any (the cdef text itself). */
  readonly file: string | undefined;
}

/** Every punctuator of C, and the preprocessor's '#' and '##'. */
export const PUNCTUATORS = [
  '...', '<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=',
  '|=', '^=', '##', ...'{}[]();,:=*&|^~!?+-/%<>.#',
];

/**
 * Token kinds as a token table stores them: indexes into KIND_NAMES, and for punctuators PUNCT_KIND
 * and above (see punctuatorText). IDENT is a name (keywords have kinds of their own, see
 * KEYWORD_KIND), HASH a preprocessing directive's '#', EOF the end of the text.
 */
export const IDENT = 0;
export const NUMBER = 1;
export const CHAR = 2;
export const STRING = 3;
export const HASH = 5;
export const EOL = 6;
export const EOF = 7;
export const KIND_NAMES: readonly TokenKind[] = ['ident', 'number', 'char', 'string', 'punct', 'hash', 'eol', 'eof'];
/** The kind of the punctuator PUNCTUATORS[0]; the others follow in order, so that a punctuator's kind names its text. */
export const PUNCT_KIND = 16;
/** The text of the punctuator of kind k is PUNCT_TEXTS[k - PUNCT_KIND]: one string per punctuator, so that texts compare at once. */
export const PUNCT_TEXTS: readonly string[] = PUNCTUATORS;
/**
 * The kind of the keyword LEXER_WORDS[0]; the others follow in order. The lexer tells keywords
 * from names as it reads them (see wordKind), so that the parser asks a table, not a map of
 * strings, what a word is, and never cuts a keyword's text from the source.
 */
export const KEYWORD_KIND = 128;
/** The kinds from here on are words the lexer drops ('__cdecl'): they never reach a token table. */
export const DROPPED_KIND = KEYWORD_KIND + LEXER_WORDS.findIndex(([, role]) => role === undefined);
/** By token kind: the role of a keyword; undefined for every other kind. */
export const KEYWORD_ROLES: readonly (KeywordRole | undefined)[] = Array.from({ length: 256 }, (_, k) => LEXER_WORDS[k - KEYWORD_KIND]?.[1]);
/** By token kind: the text every token of that kind has (punctuators, keywords); undefined where it varies. */
export const FIXED_TEXTS: readonly (string | undefined)[] = Array.from({ length: 256 }, (_, k) =>
  k >= KEYWORD_KIND ? LEXER_WORDS[k - KEYWORD_KIND]?.[0] : k >= PUNCT_KIND ? PUNCTUATORS[k - PUNCT_KIND] : undefined,
);
/** By token kind: the punctuator's text, null for any other kind (so that one lookup tests a token for a punctuator). */
export const PUNCT_BY_KIND: readonly (string | null)[] = Array.from({ length: 256 }, (_, k) =>
  k >= PUNCT_KIND && k < KEYWORD_KIND ? PUNCTUATORS[k - PUNCT_KIND] ?? null : null,
);
/** The kind of the punctuator `text` in a token table. */
export function punctKind(text: string): number {
  const k = PUNCTUATORS.indexOf(text);
  if (k < 0) throw new Error(`internal: '${text}' is no punctuator`);
  return PUNCT_KIND + k;
}

/** By token kind: the TokenKind a Token of it has. */
export const KIND_OF: readonly TokenKind[] = Array.from({ length: 256 }, (_, k) => (k >= KEYWORD_KIND ? 'ident' : k >= PUNCT_KIND ? 'punct' : KIND_NAMES[k]));

/** Slots of the words of LEXER_WORDS by their hash (see wordHash), open addressing: the word's kind, 0 for an empty slot. */
const WORD_BITS = 12;
export const WORD_MASK = (1 << WORD_BITS) - 1;
export const WORD_SLOTS = new Uint8Array(1 << WORD_BITS);
/** One step of the hash of a word, as the lexer computes it while it reads the word (small integers only). */
const hashStep = (h: number, c: number): number => (h * 31 + c) & WORD_MASK;
export function wordHash(src: string, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = hashStep(h, src.charCodeAt(i));
  return h;
}
LEXER_WORDS.forEach(([w], k) => {
  let s = wordHash(w, 0, w.length);
  while (WORD_SLOTS[s] !== 0) s = (s + 1) & WORD_MASK;
  WORD_SLOTS[s] = KEYWORD_KIND + k;
});

/** The kind of the word src[start, end), whose hash is `h`: a keyword's, a dropped word's, or IDENT for a name. */
export function wordKind(src: string, start: number, end: number, h: number): number {
  for (let s = h; ; s = (s + 1) & WORD_MASK) {
    const k = WORD_SLOTS[s];
    if (k === 0) return IDENT;
    const w = FIXED_TEXTS[k] as string;
    if (w.length === end - start && src.startsWith(w, start)) return k;
  }
}

/** The kind of a token table row for an identifier token `text` made elsewhere: a keyword's, or IDENT. */
function identKind(text: string): number {
  const k = wordKind(text, 0, text.length, wordHash(text, 0, text.length));
  return k >= DROPPED_KIND ? IDENT : k;
}

/** The largest line number a token table holds in its array of lines. */
export const LINE_MAX = 0x7fffffff;

/**
 * The tokens of a cdef text as columns of numbers (a struct of arrays), one row per token, each
 * made into a Token when the parser looks at it. A large cdef has tens of thousands of tokens:
 * as objects alive for the whole parse they kept the garbage collector copying them; made on
 * demand they die young, which costs it nothing.
 */
export class CdefTokens {
  count = 0;
  src = '';
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  /**
   * Line numbers, small integers (Float64Array values would become heap numbers in every Token
   * made). Line markers may name any line up to 2^53: those past LINE_MAX are -1 here and kept
   * in bigLines.
   */
  lines: Int32Array;
  private bigLines: Map<number, number> | null = null;
  columns: Int32Array;
  /** Index into fileNames of the file the last line marker named; -1 before any. */
  files: Int32Array;
  readonly fileNames: string[] = [];
  /** The texts of tokens made elsewhere (see CdefTokens.of); null: cut from src. */
  private texts: readonly string[] | null = null;

  constructor(capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.lines = new Int32Array(capacity);
    this.columns = new Int32Array(capacity);
    this.files = new Int32Array(capacity);
  }

  /** A table of tokens made already (by tokenize(), or by hand in tests). */
  static of(tokens: readonly Token[]): CdefTokens {
    const table = new CdefTokens(tokens.length + 1);
    for (const t of tokens) {
      const kind = t.kind === 'punct' ? PUNCT_KIND + PUNCTUATORS.indexOf(t.text) : t.kind === 'ident' ? identKind(t.text) : KIND_NAMES.indexOf(t.kind);
      if (kind < 0 || kind === PUNCT_KIND - 1) throw new Error(`internal: '${t.text}' is no ${t.kind} token`);
      let file = t.file === undefined ? -1 : table.fileNames.indexOf(t.file);
      if (t.file !== undefined && file < 0) file = table.fileNames.push(t.file) - 1;
      table.push(kind, t.start, t.end, t.line, t.column, file);
    }
    table.texts = tokens.map((t) => t.text);
    return table;
  }

  /** Empties the table for the tokens of `src`. */
  reset(src: string): void {
    this.src = src;
    this.texts = null;
    this.bigLines = null;
    this.count = 0;
    if (this.fileNames.length !== 0) this.fileNames.length = 0;
  }

  push(kind: number, start: number, end: number, line: number, column: number, file: number): void {
    const i = this.count;
    if (i === this.kinds.length) this.grow();
    this.kinds[i] = kind;
    this.starts[i] = start;
    this.ends[i] = end;
    if (line <= LINE_MAX) this.lines[i] = line;
    else {
      this.lines[i] = -1;
      (this.bigLines ??= new Map()).set(i, line);
    }
    this.columns[i] = column;
    this.files[i] = file;
    this.count = i + 1;
  }

  /**
   * The value of token `i` when it is a plain decimal integer constant of at most nine digits
   * ('0', '16', not '016', '0x10', '16u'), which is its value whatever C's rules; -1 otherwise.
   */
  decimalValue(i: number): number {
    if (this.kinds[i] !== NUMBER) return -1;
    const text = this.texts !== null ? this.texts[i] : this.src;
    const start = this.texts !== null ? 0 : this.starts[i];
    const end = this.texts !== null ? text.length : this.ends[i];
    if (end - start > 9 || (end - start > 1 && text.charCodeAt(start) === 48)) return -1;
    let v = 0;
    for (let at = start; at < end; at++) {
      const c = text.charCodeAt(at);
      if (c < 48 || c > 57) return -1;
      v = v * 10 + (c - 48);
    }
    return v;
  }

  /** A new Token object for token `i`. */
  make(i: number): Token {
    const f = this.files[i];
    return {
      kind: KIND_OF[this.kinds[i]],
      text: this.text(i),
      start: this.starts[i],
      end: this.ends[i],
      line: this.line(i),
      column: this.columns[i],
      file: f < 0 ? undefined : this.fileNames[f],
    };
  }

  /** The text of token `i` (make(i).text without the Token). */
  text(i: number): string {
    if (this.texts !== null) return this.texts[i];
    const start = this.starts[i];
    const end = this.ends[i];
    return FIXED_TEXTS[this.kinds[i]] ?? (start === end ? '' : this.src.slice(start, end));
  }

  /** The line of token `i`. */
  line(i: number): number {
    return this.lines[i] >= 0 ? this.lines[i] : (this.bigLines?.get(i) as number);
  }

  /** Where token `i` starts, as declarations record it: posOf(make(i)) without the Token. */
  pos(i: number): { readonly line: number; readonly column: number; readonly file?: string } {
    const f = this.files[i];
    return f < 0 ? { line: this.line(i), column: this.columns[i] } : { line: this.line(i), column: this.columns[i], file: this.fileNames[f] };
  }

  /** Doubles the capacity of the arrays (new arrays: take them again after a call). */
  grow(): void {
    const n = this.kinds.length * 2;
    const grown = <T extends Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.kinds = grown(this.kinds, (k) => new Uint8Array(k));
    this.starts = grown(this.starts, (k) => new Int32Array(k));
    this.ends = grown(this.ends, (k) => new Int32Array(k));
    this.lines = grown(this.lines, (k) => new Int32Array(k));
    this.columns = grown(this.columns, (k) => new Int32Array(k));
    this.files = grown(this.files, (k) => new Int32Array(k));
  }
}
