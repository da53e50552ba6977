// C's tokens in cdef text: the token grammar, and cdef text as positioned tokens (the preprocessor's output is preprocessed.ts).
import { CDefError } from '../errors';
import { KeywordRole, LEXER_WORDS, keyword } from './keywords';

export { keyword } from './keywords';
export type { KeywordRole } from './keywords';

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

/** Renders the position prefix of an error message, such as 'cdef:3:5: ' (or 'file.h:12:5: ' after a line marker). */
export type Where = (line: number, column: number, file?: string) => string;

/** Deepest nesting of declarators, parentheses, bodies and operators that the parser follows. */
export const NESTING_LIMIT = 256;

/** True for an identifier token that is not a keyword (it can name something). */
export function isName(tok: Token): boolean {
  return tok.kind === 'ident' && keyword(tok.text) === undefined;
}

/** How a token is shown in a message: quoted text, or 'end of input' / 'end of line'. */
export function describe(tok: Token): string {
  switch (tok.kind) {
    case 'eof':
      return 'end of input';
    case 'eol':
      return 'end of line';
    default:
      return quote(tok.text);
  }
}

export function quote(text: string): string {
  return `'${text.length > 40 ? `${text.slice(0, 37)}...` : text}'`;
}

// ---------------------------------------------------------------------------------------------
// The token grammar: one definition, walked character by character for cdef text (exact
// positions, an error at the first bad character) and matched as one regular expression over
// preprocessed text (read once, tolerant of anything a compiler accepts; see preprocessed.ts)

/** Every punctuator of C, and the preprocessor's '#' and '##'. */
const PUNCTUATORS = [
  '...', '<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=',
  '|=', '^=', '##', ...'{}[]();,:=*&|^~!?+-/%<>.#',
];
/** The prefixes of string literals and character constants ('L"x"', "u8'a'"). */
export const LITERAL_PREFIXES = new Set(['u8', 'L', 'u', 'U']);

export const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
export const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 12 || c === 11 || c === 13;

// ---------------------------------------------------------------------------------------------
// cdef text

/** Token kinds as a token table stores them: indexes into KIND_NAMES, and for punctuators PUNCT_KIND and above (see punctuatorText). */
const IDENT = 0;
/** The kind of identifier tokens in a token table (names: keywords have kinds of their own, see KEYWORD_KIND). */
export const IDENT_KIND = IDENT;
const NUMBER = 1;
const CHAR = 2;
const STRING = 3;
const HASH = 5;
const EOL = 6;
const EOF = 7;
/** The kinds of a preprocessing directive's '#' and of the end of the text in a token table. */
export const HASH_KIND = HASH;
export const EOF_KIND = EOF;
const KIND_NAMES: readonly TokenKind[] = ['ident', 'number', 'char', 'string', 'punct', 'hash', 'eol', 'eof'];
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
const DROPPED_KIND = KEYWORD_KIND + LEXER_WORDS.findIndex(([, role]) => role === undefined);
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
const WORD_MASK = (1 << WORD_BITS) - 1;
const WORD_SLOTS = new Uint8Array(1 << WORD_BITS);
/** One step of the hash of a word, as the lexer computes it while it reads the word (small integers only). */
const hashStep = (h: number, c: number): number => (h * 31 + c) & WORD_MASK;
function wordHash(src: string, start: number, end: number): number {
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
function wordKind(src: string, start: number, end: number, h: number): number {
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



/** Character classes of ASCII, for the lexer's loops: bits of a table lookup instead of comparisons. */
const C_IDENT = 1;
const C_DIGIT = 2;
const C_BLANK = 4;
/** Starts a punctuator and nothing else: not '.' (a number may start so), '/' (a comment), '#' (a directive). */
const C_PUNCT = 8;
const CHAR_CLASS = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const plain = PUNCTUATORS.some((p) => p.charCodeAt(0) === c) && !'./#'.includes(String.fromCharCode(c));
    t[c] = (isIdentStart(c) ? C_IDENT : 0) | (isDigit(c) ? C_DIGIT : 0) | (isBlank(c) ? C_BLANK : 0) | (plain ? C_PUNCT : 0);
  }
  return t;
})();
/**
 * The kinds of the punctuators of two characters by their character codes (c * 128 + d; 0: none),
 * and of the three-character ones by their first two (each two begin one at most: '...', '<<=',
 * '>>='), with the third character in PUNCT3_LAST: tables, so that no string is cut to look one up.
 */
const PUNCT2_KINDS = new Uint8Array(128 * 128);
const PUNCT3_KINDS = new Uint8Array(128 * 128);
const PUNCT3_LAST = new Uint8Array(128 * 128);
/** The kinds of the one-character punctuators by character code (0: none). */
const PUNCT1_KINDS = new Uint8Array(128);
PUNCTUATORS.forEach((p, k) => {
  const codes = [...p].map((ch) => ch.charCodeAt(0));
  const kind = PUNCT_KIND + k;
  if (codes.length === 1) PUNCT1_KINDS[codes[0]] = kind;
  else {
    const two = codes[0] * 128 + codes[1];
    if (codes.length === 2) PUNCT2_KINDS[two] = kind;
    else {
      if (PUNCT3_KINDS[two] !== 0) throw new Error(`internal: two punctuators of three characters begin '${p.slice(0, 2)}'`);
      PUNCT3_KINDS[two] = kind;
      PUNCT3_LAST[two] = codes[2];
    }
  }
});

/** The kind of the longest punctuator at `at`, whose first character is `c`; 0 when none starts there. */
function punctuatorKind(src: string, at: number, c: number): number {
  if (c >= 128) return 0;
  // The same steps whatever the characters (0: no longer punctuator): code that a first run leaves
  // unexercised costs a deoptimisation when it is reached, which here is the whole lexer's.
  const d = src.charCodeAt(at + 1);
  const two = d < 128 ? c * 128 + d : 0;
  const three = PUNCT3_KINDS[two];
  if (three !== 0 && src.charCodeAt(at + 2) === PUNCT3_LAST[two]) return three;
  const kind = PUNCT2_KINDS[two];
  return kind !== 0 ? kind : PUNCT1_KINDS[c];
}

/** Splits `source` into tokens ending with one 'eof'; throws CDefError on text that is no C token. */
export function tokenize(source: string, where: Where): Token[] {
  const table = lex(source, where);
  const tokens: Token[] = [];
  for (let i = 0; i < table.count; i++) tokens.push(table.make(i));
  releaseTokens(table);
  return tokens;
}

/**
 * Reads `source` into a token table ending with one 'eof'; throws CDefError on text that is no C
 * token. Give the table back with releaseTokens() when done with it (and its TokenStream), so
 * that the next text reuses its arrays: a header is checked one declaration at a time, and
 * typed arrays cost more to allocate than a short text takes to read.
 */
export function lex(source: string, where: Where): CdefTokens {
  const table = spare ?? new CdefTokens((source.length >> 1) + 16);
  spare = null;
  table.reset(source);
  try {
    return new Lexer(source, table, where).run();
  } catch (e) {
    releaseTokens(table);
    throw e;
  }
}

/** A token table no longer used, kept for the next text unless it is large. */
let spare: CdefTokens | null = null;
const SPARE_CAPACITY = 1 << 16;

/** Gives back a table from lex() once nothing reads it any more. */
export function releaseTokens(table: CdefTokens): void {
  table.reset('');
  if (table.kinds.length <= SPARE_CAPACITY) spare = table;
}

/** The largest line number a token table holds in its array of lines. */
const LINE_MAX = 0x7fffffff;

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
    this.fileNames.length = 0;
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

/**
 * A line marker as the preprocessor writes it, or a '#line' directive, from its '#': the line number
 * of the next line and, optionally, a file name (a marker's trailing flags are ignored, as GCC does).
 */
const LINE_MARKER = /#[ \t]*(?:line(?![\w$])[ \t]*)?(\d*)(?:[ \t]*"((?:[^"\\\n]|\\.)*)")?[^\n]*/y;
/** At a '#': true when a line marker or '#line' follows (CFFI's test: '#line' or '#' and a digit). */
const STARTS_MARKER = /#[ \t]*(?:line(?![\w$])|\d)/y;

class Lexer {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  /** Nothing but blanks and comments seen yet on this line: a '#' here starts a directive. */
  private atLineStart = true;
  private inDirective = false;
  /** The file named by the last line marker, as an index into out.fileNames; -1 before any. */
  private file = -1;

  constructor(private readonly src: string, private readonly out: CdefTokens, private readonly where: Where) {}

  /**
   * Reads the whole text. Blanks, newlines, plain names and punctuators, most of any cdef, are
   * read in this one loop with the state in local variables (the first cdef runs it unoptimised);
   * anything else goes through step() with the state written back to the fields.
   */
  run(): CdefTokens {
    const src = this.src;
    const n = src.length;
    const out = this.out;
    let { kinds, starts, ends, lines, columns, files } = out;
    let count = out.count;
    let i = this.i;
    let line = this.line;
    let lineStart = this.lineStart;
    let atLineStart = this.atLineStart;
    let inDirective = this.inDirective;
    let file = this.file;
    while (i < n) {
      const c = src.charCodeAt(i);
      const cls = c < 128 ? CHAR_CLASS[c] : 0;
      const start = i;
      let kind: number;
      if (cls === C_BLANK) {
        i++;
        continue;
      } else if (c === 10 && !inDirective) {
        i++;
        line++;
        lineStart = i;
        atLineStart = true;
        continue;
      } else if (cls === C_IDENT) {
        let end = i + 1;
        let h = c;
        for (let d = src.charCodeAt(end); (CHAR_CLASS[d] & (C_IDENT | C_DIGIT)) !== 0; d = src.charCodeAt(++end)) h = (h * 31 + d) & WORD_MASK;
        const q = src.charCodeAt(end);
        if (q === 39 || q === 34) kind = -1; // perhaps a literal's prefix ('L"x"'): the long way
        else {
          i = end;
          kind = WORD_SLOTS[h] === 0 ? IDENT : wordKind(src, start, end, h);
          if (kind >= DROPPED_KIND) {
            atLineStart = false;
            continue;
          }
        }
      } else if (cls === C_PUNCT) {
        kind = punctuatorKind(src, i, c);
        i += PUNCTUATORS[kind - PUNCT_KIND].length;
      } else kind = -1;
      if (kind < 0) {
        this.i = i;
        this.line = line;
        this.lineStart = lineStart;
        this.atLineStart = atLineStart;
        this.inDirective = inDirective;
        this.file = file;
        out.count = count;
        this.step(c);
        ({ kinds, starts, ends, lines, columns, files } = out);
        count = out.count;
        i = this.i;
        line = this.line;
        lineStart = this.lineStart;
        atLineStart = this.atLineStart;
        inDirective = this.inDirective;
        file = this.file;
        continue;
      }
      atLineStart = false;
      if (count === kinds.length || line > LINE_MAX) {
        out.count = count;
        out.push(kind, start, i, line, start - lineStart + 1, file);
        ({ kinds, starts, ends, lines, columns, files } = out);
        count = out.count;
        continue;
      }
      kinds[count] = kind;
      starts[count] = start;
      ends[count] = i;
      lines[count] = line;
      columns[count] = start - lineStart + 1;
      files[count] = file;
      count++;
    }
    out.count = count;
    this.i = i;
    this.line = line;
    this.lineStart = lineStart;
    if (inDirective) this.push(EOL, i, i);
    this.push(EOF, i, i);
    return out;
  }

  /** Reads what starts at the current character `c`, whatever it is. */
  private step(c: number): void {
    const src = this.src;
    if (c === 10) this.newline();
    else if (isBlank(c)) this.i++;
    else if (isIdentStart(c)) this.word();
    else if (c === 92) this.splice();
    else if (c === 47 && src.charCodeAt(this.i + 1) === 47) this.lineComment();
    else if (c === 47 && src.charCodeAt(this.i + 1) === 42) this.blockComment();
    else this.token(c);
  }

  private fail(offset: number, line: number, lineStart: number, message: string): never {
    const column = offset - lineStart + 1;
    throw new CDefError(this.where(line, column, this.file < 0 ? undefined : this.out.fileNames[this.file]) + message, line, column);
  }

  private push(kind: number, start: number, end: number): void {
    this.out.push(kind, start, end, this.line, start - this.lineStart + 1, this.file);
  }

  private newline(): void {
    if (this.inDirective) this.push(EOL, this.i, this.i);
    this.inDirective = false;
    this.i++;
    this.line++;
    this.lineStart = this.i;
    this.atLineStart = true;
  }

  /** Length of a backslash-newline at `at` (2 or 3 with '\r'), or 0. */
  private spliceAt(at: number): number {
    if (this.src.charCodeAt(at) !== 92) return 0;
    if (this.src.charCodeAt(at + 1) === 10) return 2;
    return this.src.charCodeAt(at + 1) === 13 && this.src.charCodeAt(at + 2) === 10 ? 3 : 0;
  }

  /** A backslash-newline joins two lines (directives continue); any other backslash is stray. */
  private splice(): void {
    const n = this.spliceAt(this.i);
    if (n === 0) this.fail(this.i, this.line, this.lineStart, "stray '\\' in the source");
    this.i += n;
    this.line++;
    this.lineStart = this.i;
  }

  /**
   * A '//' comment. A backslash-newline continues it on the next line; as in CFFI, a backslash
   * escapes the character after it, so '\\' at the end of a line does not (C would splice there).
   */
  private lineComment(): void {
    const src = this.src;
    this.i += 2;
    while (this.i < src.length && src.charCodeAt(this.i) !== 10) {
      const n = this.spliceAt(this.i);
      if (n > 0) {
        this.i += n;
        this.line++;
        this.lineStart = this.i;
      } else this.i += src.charCodeAt(this.i) === 92 && src.charCodeAt(this.i + 1) !== 10 ? 2 : 1;
    }
  }

  /**
   * A line marker ('# 12 "file.h"') or '#line 12 "file.h"': the next line is line 12 (of file.h).
   * It makes no tokens: what follows is read as the preprocessor's output would be, and messages
   * name that file and line.
   */
  private lineMarker(start: number): void {
    LINE_MARKER.lastIndex = start;
    const m = LINE_MARKER.exec(this.src) as RegExpExecArray;
    if (m[1] === '') this.fail(start, this.line, this.lineStart, "expected a line number after '#line'");
    const next = Number(m[1]);
    if (!Number.isSafeInteger(next) || next < 1) this.fail(start, this.line, this.lineStart, `the line number ${m[1]} is out of range`);
    if (m[2] !== undefined) this.file = this.out.fileNames.push(m[2].replace(/\\(.)/g, '$1')) - 1;
    this.line = next - 1; // the newline ending the marker counts one
    this.i = start + m[0].length;
  }

  private blockComment(): void {
    const close = this.src.indexOf('*/', this.i + 2);
    if (close < 0) this.fail(this.i, this.line, this.lineStart, "unterminated comment: '/*' has no '*/'");
    for (let at = this.src.indexOf('\n', this.i); at >= 0 && at < close; at = this.src.indexOf('\n', at + 1)) {
      this.line++;
      this.lineStart = at + 1;
    }
    this.i = close + 2;
  }

  /** A name, a keyword, a literal's prefix or a word cdef drops, at the current character. */
  private word(): void {
    const src = this.src;
    const start = this.i;
    let end = start + 1;
    while ((CHAR_CLASS[src.charCodeAt(end)] & (C_IDENT | C_DIGIT)) !== 0) end++;
    this.atLineStart = false;
    this.i = end;
    const q = src.charCodeAt(end);
    if ((q === 39 || q === 34) && end - start <= 2 && LITERAL_PREFIXES.has(src.slice(start, end))) this.literal(start, q);
    else {
      const kind = wordKind(src, start, end, wordHash(src, start, end));
      if (kind < DROPPED_KIND) this.push(kind, start, end);
    }
  }

  private token(c: number): void {
    const src = this.src;
    const start = this.i;
    if (c === 35 && this.atLineStart) {
      this.atLineStart = false;
      STARTS_MARKER.lastIndex = start;
      if (STARTS_MARKER.test(src)) return this.lineMarker(start);
      this.inDirective = true;
      this.i++;
      this.push(HASH, start, this.i);
      return;
    }
    this.atLineStart = false;
    if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(this.i + 1)))) {
      this.number(start);
    } else if (c === 39 || c === 34) {
      this.literal(start, c);
    } else {
      const kind = punctuatorKind(src, start, c);
      if (kind === 0) this.fail(start, this.line, this.lineStart, `unexpected character ${showChar(src, start)}`);
      this.i += PUNCTUATORS[kind - PUNCT_KIND].length;
      this.push(kind, start, this.i);
    }
  }

  /** A preprocessing number: digits, letters, '_', '.', and a sign right after an exponent letter. */
  private number(start: number): void {
    const src = this.src;
    this.i++;
    while (this.i < src.length) {
      const c = src.charCodeAt(this.i);
      const prev = src.charCodeAt(this.i - 1) | 32; // lower-cased letter
      if (isIdentPart(c) || c === 46) this.i++;
      else if ((c === 43 || c === 45) && (prev === 101 || prev === 112)) this.i++;
      else break;
    }
    this.push(NUMBER, start, this.i);
  }

  /** A character constant or string literal from `start` (its prefix included) to the closing quote. */
  private literal(start: number, q: number): void {
    const src = this.src;
    const what = q === 39 ? 'character constant' : 'string literal';
    let at = src.indexOf(String.fromCharCode(q), start) + 1;
    for (;;) {
      const c = src.charCodeAt(at);
      if (at >= src.length || c === 10) this.fail(start, this.line, this.lineStart, `unterminated ${what}`);
      if (c === q) break;
      at += c === 92 && src.charCodeAt(at + 1) !== 10 ? 2 : 1;
    }
    this.i = at + 1;
    this.push(q === 39 ? CHAR : STRING, start, this.i);
  }
}

/** A character for a message: quoted when printable ASCII, with its code point otherwise. */
function showChar(src: string, at: number): string {
  const cp = src.codePointAt(at) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp > 32 && cp < 127) return `'${String.fromCodePoint(cp)}'`;
  if (cp > 160 && !(cp >= 0xd800 && cp <= 0xdfff)) return `'${String.fromCodePoint(cp)}' (${hex})`;
  return hex;
}
