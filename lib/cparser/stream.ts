// The parser's cursor over cdef tokens, shared by the parser and the expression evaluator, with the error helpers that name what was found.
import { CDefError } from '../errors';
import { CdefTokens, NESTING_LIMIT, Token, Where, describe, keyword } from './lexer';

/** The message for a '...' where API mode has no use for one. */
export const MISPLACED_ELLIPSIS =
  "'...' cannot stand here; cdef takes it as a struct member ('...;'), an array length ('[...]'), a '#define' value, " +
  "the last enumerator ('enum e { A, B, ... }') or an enumerator's value ('B = ...'), and in 'typedef int... t;', " +
  "'typedef float... t;', 'typedef ... t;' and 'typedef ... *t;'";

/** The current token of a stream over no tokens at all. */
const NOTHING: Token = { kind: 'eof', text: '', start: 0, end: 0, line: 1, column: 1, file: undefined };

/** A cursor over tokens, shared by the parser and the expression evaluator, with their error helpers. */
export class TokenStream {
  /** The cursor: the index of the current token. Moved by next() and accept() only. */
  index = 0;
  private depth = 0;
  /** The tokens as a lexer's table (made into objects as they are looked at), or as objects already made. */
  private readonly table: CdefTokens | null;
  private readonly list: readonly Token[];
  /** The index of the last token (the 'eof'), where looking further stays. */
  private readonly last: number;
  /** The token at the cursor: the parser looks at it several times before it moves on. */
  private current: Token;

  constructor(tokens: readonly Token[] | CdefTokens, private readonly where: Where) {
    if (tokens instanceof CdefTokens) {
      this.table = tokens;
      this.list = [];
      this.last = tokens.count - 1;
    } else {
      this.table = null;
      this.list = tokens;
      this.last = tokens.length - 1;
    }
    this.current = this.last >= 0 ? this.token(0) : NOTHING;
  }

  // The four ways to look at a token (peek, next, is, accept): a count of their calls is a count
  // of the parser's work (see test/helpers/work.ts).

  /** The token `ahead` tokens after the cursor (the 'eof' past the end). */
  peek(ahead = 0): Token {
    if (ahead === 0) return this.current;
    const at = this.index + ahead;
    return this.token(at < this.last ? at : this.last);
  }

  /** The current token; the cursor moves past it unless it is the 'eof'. */
  next(): Token {
    const t = this.current;
    if (t.kind !== 'eof') this.advance();
    return t;
  }

  /** True when the current token is the punctuator `text`. */
  is(text: string): boolean {
    const t = this.current;
    return t.kind === 'punct' && t.text === text;
  }

  /** Moves past the current token when it is the punctuator `text`. */
  accept(text: string): boolean {
    const t = this.current;
    if (t.kind !== 'punct' || t.text !== text) return false;
    this.advance();
    return true;
  }

  /** Token `i` of the text (0 <= i <= the index of the 'eof'), for messages that quote from an earlier token. */
  token(i: number): Token {
    return this.table !== null ? this.table.at(i) : this.list[i];
  }

  private advance(): void {
    const i = ++this.index;
    this.current = this.token(i < this.last ? i : this.last);
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

  /** Enters one level of nesting at `tok`; fails beyond NESTING_LIMIT so that no input can exhaust the stack. */
  enter(tok: Token): void {
    if (++this.depth > NESTING_LIMIT) this.fail(tok, `nesting too deep (more than ${NESTING_LIMIT} levels)`);
  }

  leave(levels = 1): void {
    this.depth -= levels;
  }
}
