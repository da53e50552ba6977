// Splits cdef text into tokens (directive lines marked), knows C's keywords, and raises positioned CDefErrors.
import { CDefError } from '../errors';
import { Q_CONST, Q_RESTRICT, Q_VOLATILE } from '../ctype/model';

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
  /** 1-based position of the first character. */
  readonly line: number;
  readonly column: number;
}

/** Renders the position prefix of an error message, such as 'cdef:3:5: '. */
export type Where = (line: number, column: number) => string;

/** Deepest nesting of declarators, parentheses, bodies and operators that the parser follows. */
export const NESTING_LIMIT = 256;

export type KeywordRole =
  | { readonly kind: 'type' }
  | { readonly kind: 'qualifier'; readonly bit: number }
  | { readonly kind: 'storage' }
  | { readonly kind: 'tag' }
  /** Known to C or GCC, deliberately not accepted by cdef; `reason` is the whole message. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** Other C keywords (statements, operators): never a name, never part of a declaration. */
  | { readonly kind: 'reserved' };

const TYPE: KeywordRole = { kind: 'type' };
const STORAGE: KeywordRole = { kind: 'storage' };
const TAG: KeywordRole = { kind: 'tag' };
const RESERVED: KeywordRole = { kind: 'reserved' };
const qualifier = (bit: number): KeywordRole => ({ kind: 'qualifier', bit });
const refused = (reason: string): KeywordRole => ({ kind: 'refused', reason });

const attributes = (word: string): KeywordRole =>
  refused(`'${word}' is not supported in cdef; leave it out here (the source given to verify() keeps it)`);
const inline = (word: string): KeywordRole =>
  refused(
    `'${word}' functions are not allowed in cdef; declare the prototype here and define the function ` +
      'in the source given to verify()',
  );
const unsupported = (word: string, what = `'${word}'`): KeywordRole => refused(`${what} is not supported in cdef`);

const KEYWORDS = new Map<string, KeywordRole>([
  ...['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool'].map(
    (w) => [w, TYPE] as const,
  ),
  ['const', qualifier(Q_CONST)],
  ['volatile', qualifier(Q_VOLATILE)],
  ['restrict', qualifier(Q_RESTRICT)],
  ['__restrict', qualifier(Q_RESTRICT)],
  ['__restrict__', qualifier(Q_RESTRICT)],
  ['typedef', STORAGE],
  ['extern', STORAGE],
  ['static', STORAGE],
  ['struct', TAG],
  ['union', TAG],
  ['enum', TAG],
  ['__attribute__', attributes('__attribute__')],
  ['__attribute', attributes('__attribute')],
  ['__declspec', attributes('__declspec')],
  ['inline', inline('inline')],
  ['__inline', inline('__inline')],
  ['__inline__', inline('__inline__')],
  ['_Complex', unsupported('_Complex', "'_Complex' (complex number types)")],
  ['__complex__', unsupported('__complex__', "'__complex__' (complex number types)")],
  ['_Imaginary', unsupported('_Imaginary', "'_Imaginary' (imaginary number types)")],
  ['_Atomic', unsupported('_Atomic', "'_Atomic' (atomic types)")],
  ...['auto', 'register', '_Thread_local', 'thread_local', '__thread'].map(
    (w) => [w, unsupported(w, `the storage class '${w}'`)] as const,
  ),
  ...['_Noreturn', '_Alignas', 'alignas', '_Static_assert', 'static_assert', '_Generic', '__extension__'].map(
    (w) => [w, unsupported(w)] as const,
  ),
  ...['asm', '__asm', '__asm__', 'typeof', '__typeof', '__typeof__', '__int128', '_BitInt'].map(
    (w) => [w, unsupported(w)] as const,
  ),
  ...[
    'break', 'case', 'continue', 'default', 'do', 'else', 'for', 'goto', 'if', 'return', 'switch', 'while',
    'sizeof', '_Alignof', 'alignof', '__alignof__',
  ].map((w) => [w, RESERVED] as const),
]);

/** The role of a C keyword, or undefined for an ordinary identifier. */
export function keyword(text: string): KeywordRole | undefined {
  return KEYWORDS.get(text);
}

/** True for an identifier token that is not a keyword (it can name something). */
export function isName(tok: Token): boolean {
  return tok.kind === 'ident' && !KEYWORDS.has(tok.text);
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

const PUNCT3 = new Set(['...', '<<=', '>>=']);
const PUNCT2 = new Set([
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '##',
]);
const PUNCT1 = new Set('{}[]();,:=*&|^~!?+-/%<>.#');

const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
const LITERAL_PREFIXES = new Set(['L', 'u', 'U', 'u8']);

/** Splits `source` into tokens ending with one 'eof'; throws CDefError on text that is no C token. */
export function tokenize(source: string, where: Where): Token[] {
  return new Lexer(source, where).run();
}

class Lexer {
  private readonly tokens: Token[] = [];
  private i = 0;
  private line = 1;
  private lineStart = 0;
  /** Nothing but blanks and comments seen yet on this line: a '#' here starts a directive. */
  private atLineStart = true;
  private inDirective = false;

  constructor(private readonly src: string, private readonly where: Where) {}

  run(): Token[] {
    const src = this.src;
    while (this.i < src.length) {
      const c = src.charCodeAt(this.i);
      if (c === 10) this.newline();
      else if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) this.i++;
      else if (c === 92) this.splice();
      else if (c === 47 && src.charCodeAt(this.i + 1) === 47) this.lineComment();
      else if (c === 47 && src.charCodeAt(this.i + 1) === 42) this.blockComment();
      else this.token(c);
    }
    if (this.inDirective) this.push('eol', this.i, this.i);
    this.push('eof', this.i, this.i);
    return this.tokens;
  }

  private fail(offset: number, line: number, lineStart: number, message: string): never {
    const column = offset - lineStart + 1;
    throw new CDefError(this.where(line, column) + message, line, column);
  }

  private push(kind: TokenKind, start: number, end: number): void {
    const text = this.src.slice(start, end);
    this.tokens.push({ kind, text, start, end, line: this.line, column: start - this.lineStart + 1 });
  }

  private newline(): void {
    if (this.inDirective) this.push('eol', this.i, this.i);
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

  private lineComment(): void {
    const src = this.src;
    this.i += 2;
    while (this.i < src.length && src.charCodeAt(this.i) !== 10) {
      const n = this.spliceAt(this.i);
      if (n > 0) {
        this.i += n;
        this.line++;
        this.lineStart = this.i;
      } else this.i++;
    }
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

  private token(c: number): void {
    const src = this.src;
    const start = this.i;
    if (c === 35 && this.atLineStart) {
      this.atLineStart = false;
      this.inDirective = true;
      this.i++;
      this.push('hash', start, this.i);
      return;
    }
    this.atLineStart = false;
    if (isIdentStart(c)) {
      while (this.i < src.length && isIdentPart(src.charCodeAt(this.i))) this.i++;
      const q = src.charCodeAt(this.i);
      if ((q === 39 || q === 34) && LITERAL_PREFIXES.has(src.slice(start, this.i))) this.literal(start, q);
      else this.push('ident', start, this.i);
    } else if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(this.i + 1)))) {
      this.number(start);
    } else if (c === 39 || c === 34) {
      this.literal(start, c);
    } else {
      const three = src.slice(start, start + 3);
      const two = src.slice(start, start + 2);
      const len = PUNCT3.has(three) ? 3 : PUNCT2.has(two) ? 2 : PUNCT1.has(src[start]) ? 1 : 0;
      if (len === 0) this.fail(start, this.line, this.lineStart, `unexpected character ${showChar(src, start)}`);
      this.i += len;
      this.push('punct', start, this.i);
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
    this.push('number', start, this.i);
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
    this.push(q === 39 ? 'char' : 'string', start, this.i);
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

/** The message for a '...' where API mode has no use for one. */
export const MISPLACED_ELLIPSIS =
  "'...' cannot stand here; cdef takes it as a struct member ('...;'), an array length ('[...]'), a '#define' value, " +
  "the last enumerator ('enum e { A, B, ... }'), and in 'typedef int... t;', 'typedef float... t;' and 'typedef ... t;'";

/** A cursor over tokens, shared by the parser and the expression evaluator, with their error helpers. */
export class TokenStream {
  index = 0;
  private depth = 0;

  constructor(readonly tokens: readonly Token[], private readonly where: Where) {}

  peek(ahead = 0): Token {
    const at = this.index + ahead;
    const last = this.tokens.length - 1;
    return this.tokens[at < last ? at : last];
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.index++;
    return t;
  }

  /** True when the current token is the punctuator `text`. */
  is(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.index++;
    return true;
  }

  /** Consumes the punctuator `text`, or fails saying what was `expected` instead of what was found. */
  expect(text: string, expected: string): void {
    if (!this.accept(text)) this.unexpected(this.peek(), expected);
  }

  fail(tok: Token, message: string): never {
    throw new CDefError(this.where(tok.line, tok.column) + message, tok.line, tok.column);
  }

  /**
   * Fails at a token the grammar has no place for. This is the one place that explains a misplaced
   * API-mode '...' placeholder and the C/GCC features cdef refuses, so their messages are the same everywhere.
   */
  unexpected(tok: Token, expected: string): never {
    if (tok.kind === 'punct' && tok.text === '...') this.fail(tok, MISPLACED_ELLIPSIS);
    const role = tok.kind === 'ident' ? keyword(tok.text) : undefined;
    if (role?.kind === 'refused') this.fail(tok, role.reason);
    if (tok.kind === 'hash') {
      this.fail(tok, `expected ${expected}, found a preprocessor directive; directives must stand between declarations`);
    }
    this.fail(tok, `expected ${expected}, found ${describe(tok)}`);
  }

  /** The source text of tokens [from, to), one space where the source had any gap, as a message quotes it. */
  spell(from: number, to: number): string {
    let out = '';
    for (let i = from; i < to && i < this.tokens.length; i++) {
      const t = this.tokens[i];
      if (t.kind === 'eol' || t.kind === 'eof') break;
      if (i > from && t.start > this.tokens[i - 1].end) out += ' ';
      out += t.text;
    }
    return out;
  }

  /** Enters one level of nesting at `tok`; fails beyond NESTING_LIMIT so that no input can exhaust the stack. */
  enter(tok: Token): void {
    if (++this.depth > NESTING_LIMIT) this.fail(tok, `nesting too deep (more than ${NESTING_LIMIT} levels)`);
  }

  leave(levels = 1): void {
    this.depth -= levels;
  }
}
