// GNU C's extra words in preprocessed tokens: dropped, respelled as standard C, or kept aside as attribute words.
import { TokenTable } from '../cparser/lexer';
import { cWord } from '../cparser/keywords';

/** Attribute words that stood before a token of the cleaned table, by its index. */
export type Attributes = ReadonlyMap<number, readonly string[]>;

export interface Cleaned {
  /** The tokens without the noise; `raws` gives each one's index in the reader's table. */
  readonly tokens: TokenTable;
  readonly attributes: Attributes;
}

/**
 * The tokens without what changes nothing cdef needs to know: '__extension__', 'inline' and the
 * like go, '__attribute__((…))', '_Alignas(…)' and asm labels go with their parenthesised part
 * (their attribute words are kept aside, for the layouts they change), and GNU spellings of
 * standard words ('__const', '__restrict', '__signed__') become the standard words.
 */
export function clean(tokens: TokenTable): Cleaned {
  const out = new TokenTable();
  const attributes = new Map<number, string[]>();
  const note = (words: string[]) => {
    if (words.length) attributes.set(out.length, [...(attributes.get(out.length) ?? []), ...words]);
  };
  const { kinds, texts } = tokens;
  for (let i = 0; i < tokens.length; i++) {
    let text = texts[i];
    const word = kinds[i] === 'ident' ? cWord(text) : undefined;
    if (word !== undefined) {
      const role = word.role;
      if (role === 'noise') continue;
      if (role === 'attribute' || role === 'alignas' || role === 'asm') {
        let j = i + 1;
        if (role === 'asm') while (kinds[j] === 'ident' && isAsmQualifier(texts[j])) j++;
        if (!tokens.isPunct(j, '(')) continue;
        const close = closeParen(tokens, j);
        if (word.standard === '__attribute__') note(attributeWords(tokens, j, close));
        else if (role === 'alignas') note(['aligned']);
        i = close;
        continue;
      }
      text = word.standard;
    }
    out.push(kinds[i], text, tokens.files[i], tokens.lines[i], tokens.spaced[i], i);
  }
  return { tokens: out, attributes };
}

/** Words between 'asm' and its parenthesised part ('asm volatile goto (…)'). */
function isAsmQualifier(text: string): boolean {
  const standard = cWord(text)?.standard;
  return standard === 'volatile' || standard === 'inline' || standard === 'goto';
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
