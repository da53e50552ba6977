// C's tokens in cdef text: the token grammar, and cdef text as positioned tokens (the preprocessor's output is preprocessed.ts).
import { CDefError } from '../errors';
import { keyword } from './keywords';
import * as tokenTable from './tokens';
import { CdefTokens, Token } from './tokens';

export { keyword } from './keywords';
export type { KeywordRole } from './keywords';
export type { Token, TokenKind } from './tokens';
export { PUNCT_TEXTS } from './tokens';

// The token table's kinds and tables as this module's own constants, read once: a name imported
// from another module is a property of its exports at every use (a load the first run interprets,
// and a deoptimisation where optimised code meets it first).
const { CHAR, DROPPED_KIND, EOF, EOL, HASH, IDENT, LINE_MAX, NUMBER, PUNCTUATORS, PUNCT_KIND, STRING, WORD_MASK, WORD_SLOTS, wordHash, wordKind } = tokenTable;

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

/** The prefixes of string literals and character constants ('L"x"', "u8'a'"). */
export const LITERAL_PREFIXES = new Set(['u8', 'L', 'u', 'U']);

/** Letters, '_' and '$' (GCC's default, as in CFFI's cdef). */
export const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
export const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 12 || c === 11 || c === 13;

// ---------------------------------------------------------------------------------------------
// cdef text



/** Character classes of ASCII, for the lexer's loops: bits of a table lookup instead of comparisons. */
const C_IDENT = 1;
const C_DIGIT = 2;
const C_BLANK = 4;
/** Starts a punctuator and nothing else: not '.' (a number may start so), '/' (a comment), '#' (a directive). */
const C_PUNCT = 8;
const CHAR_CLASS = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) t[c] = (isIdentStart(c) ? C_IDENT : 0) | (isDigit(c) ? C_DIGIT : 0) | (isBlank(c) ? C_BLANK : 0);
  // Built at every require: one pass over the punctuators, not one per character.
  for (const p of PUNCTUATORS) if (!'./#'.includes(p[0])) t[p.charCodeAt(0)] |= C_PUNCT;
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
  const table = spareFor(source.length >> 1) ?? new CdefTokens((source.length >> 1) + 16);
  table.reset(source);
  try {
    return new Lexer(source, table, where).run();
  } catch (e) {
    releaseTokens(table);
    throw e;
  }
}

/** An empty token table for `source` (the one given back last, or a new one): give it back with releaseTokens(). */
export function emptyTokens(source: string, capacity: number): CdefTokens {
  const table = spareFor(capacity) ?? new CdefTokens(capacity);
  table.reset(source);
  return table;
}

/** A token table no longer used, kept for the next text; at most SPARE_CAPACITY tokens. */
let spare: CdefTokens | null = null;
const SPARE_CAPACITY = 1 << 16;
/**
 * A larger table no longer used (21 bytes a token: 4.5 MB for a 430 KB text), kept until the
 * collector next reclaims it: memory that a program parsing one large text does not keep, and
 * that one parsing several reuses instead of taking fresh pages, whose first writes cost more
 * than the lexing itself (measured: 17 against 5.4 ms to lex 16,000 declarations).
 */
let largeSpare: WeakRef<CdefTokens> | null = null;

/** A spare table for about `tokens` tokens, taken from the spares (null: none at hand). */
function spareFor(tokens: number): CdefTokens | null {
  if (tokens > SPARE_CAPACITY) {
    const large = largeSpare?.deref() ?? null;
    largeSpare = null;
    return large;
  }
  const small = spare;
  spare = null;
  return small;
}

/** Gives back a table from lex() once nothing reads it any more. */
export function releaseTokens(table: CdefTokens): void {
  table.reset('');
  if (table.kinds.length <= SPARE_CAPACITY) spare = table;
  else largeSpare = new WeakRef(table);
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
