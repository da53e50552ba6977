// GNU C's extra words in preprocessed tokens: dropped, respelled as standard C, or kept aside when they change a layout or what a function is compiled for.
import { TokenTable } from '../cparser/preprocessed';
import { cWord } from '../cparser/keywords';

/**
 * The only attribute words kept: those that change a layout, some in ways cdef cannot say;
 * `transparent_union`, which changes how a union is passed (as its first member); and clang's
 * `overloadable`, which gives one name several functions (clang's tgmath.h), where cdef declares one;
 * and `target("avx2")` (clang's intrinsics headers), kept as 'target=avx2' (see targetWord).
 */
export const KEPT_ATTRIBUTES: ReadonlySet<string> = new Set(['aligned', 'packed', 'vector_size', 'mode', 'designated_init', 'transparent_union', 'overloadable']);

/**
 * Kept attribute words (see KEPT_ATTRIBUTES) that stood before a token of the cleaned table, by
 * its index; and `inline` (any spelling), which the table drops, where it stood.
 */
export type Attributes = ReadonlyMap<number, readonly string[]>;

/** The symbol names of asm labels (`f(void) __asm__("f64")`), by the index of the token of the cleaned table they stood before. */
export type AsmLabels = ReadonlyMap<number, string>;

/**
 * Removes from the table, in place, what changes nothing cdef needs to know: '__extension__',
 * 'inline' and the like go, '__attribute__((…))', '_Alignas(…)' and asm labels go with their
 * parenthesised part (the kept attributes among them, and where `inline` stood, are returned, by
 * the index of the token they stood before), and GNU spellings of standard words ('__const', '__restrict', '__signed__')
 * become the standard words. `raws` keeps each token's index in the table as read. The symbol
 * names asm labels give are returned too.
 */
export function clean(tokens: TokenTable): { attributes: Attributes; labels: AsmLabels } {
  const attributes = new Map<number, string[]>();
  const labels = new Map<number, string>();
  const note = (at: number, words: readonly string[]) => {
    if (words.length) attributes.set(at, [...(attributes.get(at) ?? []), ...words]);
  };
  const { kinds, texts, files, lines, spaced, raws } = tokens;
  const n = tokens.length;
  let w = 0;
  for (let i = 0; i < n; i++) {
    let text = texts[i];
    const word = kinds[i] === 'ident' ? cWord(text) : undefined;
    if (word !== undefined) {
      const role = word.role;
      if (role === 'noise') {
        if (word.standard === 'inline') note(w, ['inline']); // an inline definition may have no symbol (see Decl.inline)
        continue;
      }
      if (role === 'attribute' || role === 'alignas' || role === 'asm') {
        let j = i + 1;
        if (role === 'asm') while (kinds[j] === 'ident' && isAsmQualifier(texts[j])) j++;
        if (!tokens.isPunct(j, '(')) continue;
        const close = closeParen(tokens, j);
        if (word.standard === '__attribute__') note(w, keptWords(tokens, j, close));
        else if (role === 'alignas') note(w, ['aligned']);
        else if (role === 'asm') {
          const label = asmLabel(tokens, j, close);
          if (label !== null) labels.set(w, label);
        }
        i = close;
        continue;
      }
      text = word.standard;
    }
    // w <= i: the tokens still to read are never overwritten.
    kinds[w] = kinds[i];
    texts[w] = text;
    files[w] = files[i];
    lines[w] = lines[i];
    spaced[w] = spaced[i];
    raws[w] = raws[i];
    w++;
  }
  tokens.truncate(w);
  return { attributes, labels };
}

/**
 * The symbol name of `asm("" "name")` between `open` and `close`: its string literals joined, or
 * null when it holds anything else (an asm statement's code and operands).
 */
function asmLabel(tokens: TokenTable, open: number, close: number): string | null {
  let label = '';
  for (let i = open + 1; i < close; i++) {
    const text = tokens.texts[i];
    if (tokens.kinds[i] !== 'string' || !/^"[^"\\]*"$/.test(text)) return null;
    label += text.slice(1, -1);
  }
  return label === '' ? null : label;
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

/** The kept attributes named in `__attribute__((a, b(x)))`, without GNU underscores. */
function keptWords(tokens: TokenTable, open: number, close: number): string[] {
  const words: string[] = [];
  let depth = 0;
  for (let i = open; i <= close; i++) {
    if (tokens.isPunct(i, '(')) depth++;
    else if (tokens.isPunct(i, ')')) depth--;
    else if (depth === 2 && tokens.isIdent(i)) {
      const t = tokens.texts[i];
      const name = t.length > 4 && t.startsWith('__') && t.endsWith('__') ? t.slice(2, -2) : t;
      if (name === 'target') {
        const target = targetString(tokens, i + 1);
        if (target !== null) words.push(targetWord(target));
      } else if (KEPT_ATTRIBUTES.has(name)) words.push(name);
    }
  }
  return words;
}

const TARGET = 'target=';

/** The kept word of `target("…")` (a comma list of the CPU features a function is compiled for). */
export function targetWord(target: string): string {
  return TARGET + target;
}

/** The target string of a kept word, or null when it is no `target(…)`. */
export function targetOf(word: string): string | null {
  return word.startsWith(TARGET) ? word.slice(TARGET.length) : null;
}

/** The string of `("a" "b")` from the '(' at `open`: its literals joined, or null when it holds anything else. */
function targetString(tokens: TokenTable, open: number): string | null {
  if (!tokens.isPunct(open, '(')) return null;
  let text = '';
  let i = open + 1;
  for (; tokens.kinds[i] === 'string'; i++) {
    const m = /^"([^"\\]*)"$/.exec(tokens.texts[i]);
    if (m === null) return null;
    text += m[1];
  }
  return i > open + 1 && tokens.isPunct(i, ')') ? text : null;
}
