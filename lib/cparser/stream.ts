// The parser's cursor over cdef tokens, shared by the parser and the expression evaluator, with the error helpers that name what was found.
import { CDefError } from '../errors';
import { SourcePos } from '../ctype/registry';
import { KeywordRole, keyword } from './keywords';
import { NESTING_LIMIT, Where, describe } from './lexer';
import * as tokenTable from './tokens';
import { CdefTokens, Token, TokenKind } from './tokens';

// The token kinds and tables the cursor reads as this module's own constants, read once: a name imported
// from another module is a property of its exports at every use (a load the first run interprets,
// and a deoptimisation where optimised code meets it first).
const { IDENT, KEYWORD_KIND, KEYWORD_ROLES, KIND_OF, PUNCT_BY_KIND, punctKind } = tokenTable;

/** The message for a '...' where API mode has no use for one. */
export const MISPLACED_ELLIPSIS =
  "'...' cannot stand here; cdef takes it as a struct member ('...;'), an array length ('[...]'), a '#define' value, " +
  "the last enumerator ('enum e { A, B, ... }') or an enumerator's value ('B = ...'), and in 'typedef int... t;', " +
  "'typedef float... t;', 'typedef ... t;' and 'typedef ... *t;'";

/** Kinds of the punctuators the parser asks about most, to compare with TokenStream.cur. */
export const P_SEMI = punctKind(';');
export const P_COMMA = punctKind(',');
export const P_STAR = punctKind('*');
export const P_LPAREN = punctKind('(');
export const P_RPAREN = punctKind(')');
export const P_LBRACKET = punctKind('[');
export const P_RBRACKET = punctKind(']');
export const P_LBRACE = punctKind('{');
export const P_RBRACE = punctKind('}');
export const P_COLON = punctKind(':');
export const P_ASSIGN = punctKind('=');
export const P_ELLIPSIS = punctKind('...');

/** A cursor over tokens, shared by the parser and the expression evaluator, with their error helpers. */
export class TokenStream {
  /** The cursor: the index of the current token. Moved by next(), skip() and accept() only. */
  index = 0;
  /**
   * The kind of the current token in the token table (IDENT, a keyword's or a punctuator's
   * kind, P_* below), kept with the cursor: the parser's most frequent questions ('is it a ;?') are
   * this field compared with a number, without a call.
   */
  cur: number;
  /**
   * Levels of nesting entered (see enter); the busiest paths count them here themselves
   * (`if (++ts.depth > NESTING_LIMIT) ts.tooDeep(at)`, `ts.depth -= n`), as enter() and leave() do.
   */
  depth = 0;
  /** The tokens: a lexer's table, whose rows become Token objects when looked at. */
  private readonly table: CdefTokens;
  private readonly kinds: Uint8Array;
  /** The index of the last token (the 'eof'), where looking further stays. */
  private readonly last: number;
  /** The token looked at last, and its index: the parser looks at a token several times. */
  private seen: Token | null = null;
  private seenAt = -1;

  constructor(tokens: readonly Token[] | CdefTokens, private readonly where: Where) {
    this.table = tokens instanceof CdefTokens ? tokens : CdefTokens.of(tokens);
    this.kinds = this.table.kinds;
    this.last = this.table.count - 1;
    this.cur = this.kinds[0];
  }

  // The ways to look at a token (peek, next, skip, kindAt, decimalAt, isIdent, isName, keywordAhead,
  // kindIs, punctAhead, is, accept): a count of their calls is a count of the parser's work (see test/helpers/work.ts).
  // All but peek() and next() read the table without making a Token.

  /** The token `ahead` tokens after the cursor (the 'eof' past the end). */
  peek(ahead = 0): Token {
    const at = this.index + ahead;
    const i = at < this.last ? at : this.last;
    if (i === this.seenAt) return this.seen as Token;
    const t = this.table.make(i);
    this.seen = t;
    this.seenAt = i;
    return t;
  }

  /** The current token; the cursor moves past it unless it is the 'eof'. */
  next(): Token {
    const at = this.index;
    const i = at < this.last ? at : this.last;
    let t = this.seen as Token;
    if (i !== this.seenAt) {
      t = this.table.make(i);
      this.seen = t;
      this.seenAt = i;
    }
    if (t.kind !== 'eof') {
      this.index = at + 1;
      this.cur = this.kinds[at + 1 < this.last ? at + 1 : this.last];
    }
    return t;
  }

  /** Moves past the current token unless it is the 'eof' (next() without making its Token). */
  skip(): void {
    const at = this.index;
    if (at < this.last) {
      this.index = at + 1;
      this.cur = this.kinds[at + 1 < this.last ? at + 1 : this.last];
    }
  }

  /** The kind in the token table of the token `ahead` tokens after the cursor (`cur` for 0). */
  kindAt(ahead: number): number {
    const at = this.index + ahead;
    return this.kinds[at < this.last ? at : this.last];
  }

  /** The value of the token `ahead` tokens after the cursor when it is a plain decimal constant (see CdefTokens.decimalValue); -1 otherwise. */
  decimalAt(ahead: number): number {
    const at = this.index + ahead;
    return this.table.decimalValue(at < this.last ? at : this.last);
  }

  /** True when the current token is an identifier (a name or a keyword). */
  isIdent(): boolean {
    const at = this.index;
    const k = this.kinds[at < this.last ? at : this.last];
    return k === IDENT || k >= KEYWORD_KIND;
  }

  /** True when the token `ahead` tokens after the cursor is a name: an identifier that is no keyword (isName() of it). */
  isName(ahead = 0): boolean {
    const at = this.index + ahead;
    return this.kinds[at < this.last ? at : this.last] === IDENT;
  }

  /** The role of the keyword `ahead` tokens after the cursor (keyword() of its text); undefined when it is no keyword. */
  keywordAhead(ahead = 0): KeywordRole | undefined {
    const at = this.index + ahead;
    return KEYWORD_ROLES[this.kinds[at < this.last ? at : this.last]];
  }

  /** True when the token `ahead` tokens after the cursor is of kind `kind`. */
  kindIs(kind: TokenKind, ahead = 0): boolean {
    const at = this.index + ahead;
    return KIND_OF[this.kinds[at < this.last ? at : this.last]] === kind;
  }

  /** The text of the punctuator `ahead` tokens after the cursor; null when that token is no punctuator. */
  punctAhead(ahead: number): string | null {
    const at = this.index + ahead;
    return PUNCT_BY_KIND[this.kinds[at < this.last ? at : this.last]];
  }

  /** True when the current token is the punctuator `text`. */
  is(text: string): boolean {
    return PUNCT_BY_KIND[this.cur] === text;
  }

  /** Moves past the current token when it is the punctuator `text`. */
  accept(text: string): boolean {
    if (PUNCT_BY_KIND[this.cur] !== text) return false;
    this.skip();
    return true;
  }

  /** The text of token `i` (0 <= i <= the index of the 'eof'), without making its Token. */
  textAt(i: number): string {
    return i === this.seenAt ? (this.seen as Token).text : this.table.text(i);
  }

  /** Where token `i` starts, as declarations record it (posOf() of the token), without making its Token. */
  posAt(i: number): SourcePos {
    return this.table.pos(i);
  }

  /** Token `i` of the text (0 <= i <= the index of the 'eof'), for messages that quote from an earlier token. */
  token(i: number): Token {
    return i === this.seenAt ? (this.seen as Token) : this.table.make(i);
  }

  /** Consumes the punctuator `text`, or fails saying what was `expected` instead of what was found. */
  expect(text: string, expected: string): void {
    if (!this.accept(text)) this.unexpected(this.peek(), expected);
  }

  fail(tok: Token, message: string): never {
    throw new CDefError(this.where(tok.line, tok.column, tok.file) + message, tok.line, tok.column);
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
    for (let i = from; i < to && i <= this.last; i++) {
      const t = this.token(i);
      if (t.kind === 'eol' || t.kind === 'eof') break;
      if (i > from && t.start > this.token(i - 1).end) out += ' ';
      out += t.text;
    }
    return out;
  }

  /**
   * Enters one level of nesting at `tok` (a token, or its index; by default the current token); fails beyond
   * NESTING_LIMIT so that no input can exhaust the stack.
   */
  enter(tok?: Token | number): void {
    if (++this.depth > NESTING_LIMIT) this.tooDeep(tok);
  }

  /** Fails at `tok` (a token, or its index; by default the current token): one level of nesting more than NESTING_LIMIT. */
  tooDeep(tok?: Token | number): never {
    return this.fail(typeof tok === 'number' ? this.token(tok) : (tok ?? this.peek()), `nesting too deep (more than ${NESTING_LIMIT} levels)`);
  }

  leave(levels = 1): void {
    this.depth -= levels;
  }
}
