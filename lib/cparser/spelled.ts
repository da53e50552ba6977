// cdef text whose tokens its spelling gave (declarations spelled from the preprocessor's tokens): the token table lex() would make of it, without reading it.
import { ignoredInCdef } from './keywords';
import { emptyTokens } from './lexer';
import { CdefTokens, DROPPED_KIND, EOF, EOL, HASH, NUMBER, PUNCT_KIND, PUNCT_TEXTS, wordHash, wordKind } from './tokens';

export { HASH } from './tokens';

/**
 * The tokens of a one-line cdef text (ending with its only newline) that whoever spelled it
 * already knows, as a token table stores them: kinds (see spelledKind) and offsets into the text.
 * A header's declarations are spelled from the preprocessor's tokens; the check takes these
 * instead of reading the text again.
 */
export interface SpelledTokens {
  readonly kinds: readonly number[];
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

const PUNCT_KIND_BY_TEXT = new Map(PUNCT_TEXTS.map((p, k) => [p, PUNCT_KIND + k]));

/**
 * The kind lex() gives a token of preprocessed text of kind `kind` ('ident', 'number', 'punct')
 * and text `text`, or -1 where only lex() can say: literals, '#' and '##', words with a '$' (which
 * cdef refuses), words cdef drops (see keywords.ts) and anything else.
 */
export function spelledKind(kind: string, text: string): number {
  if (kind === 'punct') return text === '#' || text === '##' ? -1 : (PUNCT_KIND_BY_TEXT.get(text) ?? -1);
  if (kind === 'ident') {
    if (text.includes('$') || ignoredInCdef(text)) return -1;
    const k = wordKind(text, 0, text.length, wordHash(text, 0, text.length)); // a keyword's own kind, or IDENT
    return k >= DROPPED_KIND ? -1 : k;
  }
  if (kind === 'number') return text.includes('$') ? -1 : NUMBER;
  return -1;
}

/**
 * What lex(source) returns, made from the tokens the text was spelled from instead of reading it:
 * `source` is one line ending with its only newline, `spelled` its tokens in order (a directive's
 * first is HASH). Give the table back with releaseTokens(), as lex()'s.
 */
export function lexSpelled(source: string, spelled: SpelledTokens): CdefTokens {
  const { kinds, starts, ends } = spelled;
  const n = kinds.length;
  const nl = source.length - 1;
  if (source.charCodeAt(nl) !== 10 || source.indexOf('\n') !== nl) {
    throw new Error('internal: a spelled cdef text is one line ending with a newline');
  }
  const table = emptyTokens(source, n + 16);
  while (table.kinds.length < n + 2) table.grow();
  // Copied by the typed arrays' own set() and fill(), but the columns, which the starts give.
  table.kinds.set(kinds);
  table.starts.set(starts);
  table.ends.set(ends);
  table.lines.fill(1, 0, n);
  for (let i = 0; i < n; i++) table.columns[i] = starts[i] + 1; // the text is one line
  table.files.fill(-1, 0, n);
  table.count = n;
  if (n > 0 && kinds[0] === HASH) table.push(EOL, nl, nl, 1, nl + 1, -1);
  table.push(EOF, nl + 1, nl + 1, 2, 1, -1);
  return table;
}
