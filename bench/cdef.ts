// cdef parsing speed: 1 MB inputs of each kind and the growth of time with input size; the inputs are shared with the fuzz tests.
import { CDefError } from '../lib/errors';
import { parseCdef } from '../lib/cparser/parser';
import { Registry } from '../lib/ctype/registry';
import { Row, printTable, timeEach, timeTurns } from './timing';

export const MB = 1 << 20;

/** Distinct valid declarations of every kind, numbered, up to `size` characters. */
export function validDeclarations(size: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const d =
      `int f${i}(int a, const char *b, ...);\n` +
      `struct s${i} { int x; double y[${(i % 7) + 1}]; struct s${i} *next; unsigned bits : ${(i % 31) + 1}; };\n` +
      `typedef struct s${i} t${i}, *pt${i};\n` +
      `enum e${i} { A${i} = ${i}, B${i} = A${i} << 2, C${i} };\n` +
      `#define D${i} (${i} + 1)\n` +
      `static const int K${i};\n`;
    parts.push(d);
    length += d.length;
  }
  return parts.join('');
}

/** Characters the lexer accepts outside literals and comments: every byte of such text becomes part of a token. */
const TOKEN_CHARS = 'abcxyz_ABC019 \t\n;,:*+-~!?&|^%<>=()[]{}.';

/**
 * `size` characters drawn at random (by `rng`) from the characters that make C tokens, so that the
 * lexer reads all of them and the parser meets random tokens.
 */
export function randomTokenText(size: number, rng: () => number): string {
  const out: string[] = [];
  for (let i = 0; i < size; i++) out.push(TOKEN_CHARS[Math.floor(rng() * TOKEN_CHARS.length)]);
  return out.join('');
}

/** The 1 MB inputs: each must be parsed (valid ones) or refused (the rest) with work linear in its size. */
export const MEGABYTE_INPUTS: readonly { readonly name: string; readonly valid: boolean; readonly make: (rng: () => number) => string }[] = [
  { name: 'valid declarations', valid: true, make: () => validDeclarations(MB) },
  { name: 'random token characters', valid: false, make: (rng) => randomTokenText(MB, rng) },
  { name: 'an unterminated comment', valid: false, make: () => `int x; /*${'x'.repeat(MB)}` },
  { name: 'one long identifier', valid: true, make: () => `int ${'a'.repeat(MB)};` },
  { name: 'a long expression', valid: true, make: () => `enum e { A = 1${' + 1'.repeat(MB / 4)} };` },
  { name: 'an unclosed parenthesis', valid: false, make: () => '('.repeat(MB) },
  { name: 'a long array size', valid: true, make: () => `int x[${'1+'.repeat(MB / 2)}1];` },
];

/**
 * Input shapes whose size is `n` (nesting depth, chain length, terms, declarations): work, and
 * time, must grow linearly with `n`. Nesting shapes stay under the parser's nesting limit (256)
 * for n up to 240, so that the whole input is parsed.
 */
export const SHAPES: readonly { readonly name: string; readonly nested: boolean; readonly make: (n: number) => string }[] = [
  { name: 'nested parentheses', nested: true, make: (n) => `int ${'('.repeat(n)}x${')'.repeat(n)};` },
  { name: 'pointer chains', nested: true, make: (n) => `int ${'*'.repeat(n)}p;` },
  { name: 'nested arrays', nested: true, make: (n) => `int a${'[1]'.repeat(n)};` },
  { name: 'nested structs', nested: true, make: (n) => `struct s { ${'struct { '.repeat(n)}int x;${' };'.repeat(n)} };` },
  { name: 'ambiguous casts', nested: true, make: (n) => `enum e { A = ${'(int)'.repeat(n)}1 };` },
  { name: 'parenthesised terms', nested: false, make: (n) => `enum e { A = ${Array.from({ length: n }, (_, i) => `(${i} - ${i})`).join(' + ')} };` },
  { name: 'many declarations', nested: false, make: (n) => Array.from({ length: n }, (_, i) => `int f${i}(int a, char *b);`).join('\n') },
  { name: 'many enumerators', nested: false, make: (n) => `enum e { ${Array.from({ length: n }, (_, i) => `E${i} = ${i} << 1`).join(', ')} };` },
];

/** Parses `source` into a new registry: 'ok', or 'error' for a CDefError (anything else is thrown). */
export function parseOutcome(source: string): 'ok' | 'error' {
  try {
    parseCdef(source, new Registry());
    return 'ok';
  } catch (e) {
    if (e instanceof CDefError) return 'error';
    throw e;
  }
}

/** A fixed generator for the random inputs (mulberry32), so every run times the same text. */
function fixedRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` texts that are `source` under a comment of their own: each run parses its text, where the
 * same text parsed again would be copied from its template (see ctype/template.ts), which is not
 * what these rows time. (A comment before the text: one after it could close an open comment.)
 */
export function distinctTexts(source: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `/* run ${i} */\n${source}`);
}

/**
 * Rows: each 1 MB input's parse time (target: under a second), and for each shape, the parse of
 * the input 16 times larger against 16 parses of the small one in a row (linear: 1x). Sixteen
 * small parses, not one: a single small parse usually falls between two collections, so that its
 * median leaves out the collector's share of the work, which the large parse pays in full.
 */
export function benchCdef(runs = Number(process.env.BENCH_RUNS ?? 7)): Row[] {
  const rows: Row[] = [];
  parseOutcome(validDeclarations(MB / 16)); // warm up the parser
  for (const input of MEGABYTE_INPUTS) {
    const n = Math.max(3, runs >> 1);
    const texts = distinctTexts(input.make(fixedRng(1)), n);
    const ms = timeEach(n, (i) => parseOutcome(texts[i]));
    rows.push({ what: `cdef, 1 MB: ${input.name}`, ours: ms, versus: '-', theirs: NaN, unit: 'ms', target: '< 1000 ms' });
  }
  for (const shape of SHAPES) {
    const [small, large] = shape.nested ? [15, 240] : [1000, 16000];
    const a = distinctTexts(shape.make(small), runs * 16);
    const b = distinctTexts(shape.make(large), runs);
    const [tLarge, tSmall] = timeTurns(runs, [
      (i) => parseOutcome(b[i]),
      (i) => {
        for (let k = 0; k < 16; k++) parseOutcome(a[i * 16 + k]);
      },
    ]);
    rows.push({ what: `cdef, ${shape.name} x${large}`, ours: tLarge, versus: `16 texts x${small}, in a row`, theirs: tSmall, unit: 'ms', target: '<= 2x (linear: 1x)' });
  }
  return rows;
}

if (require.main === module) {
  const rows = benchCdef();
  const table = [['operation', 'node-cffi', 'compared with', 'it', 'unit', 'ratio', 'target']];
  const fmt = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(2));
  for (const r of rows) {
    const ratio = r.ours / r.theirs;
    table.push([r.what, fmt(r.ours), r.versus, fmt(r.theirs), r.unit, Number.isNaN(ratio) ? '-' : `${ratio.toFixed(1)}x`, r.target ?? '']);
  }
  printTable('cdef parsing, median wall time of repeated runs', table, [1, 3, 5]);
}
