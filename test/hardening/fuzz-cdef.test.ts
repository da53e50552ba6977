// cdef fuzzing: 100,000+ random and mutated inputs each parse or throw a positioned CDefError, with work linear in their size.
import { CDefError } from '../../lib';
import { NESTING_LIMIT, tokenize } from '../../lib/cparser/lexer';
import { parseCdef, parseTypeName } from '../../lib/cparser/parser';
import { Registry } from '../../lib/ctype/registry';
import { MB, MEGABYTE_INPUTS, SHAPES } from '../../bench/cdef';
import { prng, testSeed } from '../helpers/random';
import { countWork } from '../helpers/work';

const LONG = process.env.NODE_CFFI_LONG === '1';
const SEED = testSeed(20261125);
const COUNT = LONG ? 1_000_000 : 100_000;
/**
 * The parser's budget: tokens looked at per character of input. The parser never backtracks and
 * looks at most a few tokens ahead, so this holds for any input; a super-linear path breaks it on
 * the long inputs below. (Measured: at most 4.5 on the generated inputs, 3.5 on 1 MB inputs.)
 */
const TOKENS_PER_CHAR = 8;
/**
 * Type-model queries (size, alignment, spelling) per token looked at: a query may walk down the
 * nesting of a type, which the parser bounds by NESTING_LIMIT, so no input can exceed this; the
 * nested array sizes that once cost 2^depth would.
 */
const QUERIES_PER_TOKEN = NESTING_LIMIT;

/** Valid declarations the mutations start from: every construct the cdef language has. */
const VALID = [
  'int add(int a, int b);',
  'unsigned long long f(void);',
  'double g(const char *s, ...);',
  'struct pt { int x; double y; };',
  'struct list { struct list *next; int v[4]; };',
  'union u { int i; float f; unsigned char b[4]; };',
  'struct bits { unsigned a : 3; int : 0; signed b : 5; };',
  'struct flex { int n; double data[]; };',
  'struct outer { struct { int a; }; union { short s; char c; }; };',
  'typedef int myint_t, *pint_t, arr_t[3];',
  'typedef int (*op_t)(int, int);',
  'typedef struct { int w, h; } size2;',
  'enum color { RED, GREEN = 5, BLUE = GREEN << 2 | 1 };',
  'enum e { A = -1, B = 0x7fffffff, C = (A + 2) * 3 };',
  '#define N 16',
  '#define M (N * 2 + 0x10)',
  '#define C_ \'x\'',
  'static const int LIMIT;',
  'static const unsigned long MASK = ~0UL >> 4;',
  'extern int counter;',
  'int table[N][2];',
  'int (*get_op(int which))(int, int);',
  'void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));',
  'const char *const names[3];',
  'volatile int *restrict p;',
  'wchar_t w; char16_t c16; uint64_t u; int_least8_t l; intptr_t ip; _Bool b; bool b2;',
  '/* a comment */ int x; // another\nint y;',
  'long double ld; float f; signed char sc;',
];

/** C-ish tokens to splice in: keywords, punctuation, literals, names. */
const TOKENS = [
  'int', 'char', 'struct', 'union', 'enum', 'typedef', 'static', 'const', 'volatile', 'unsigned', 'signed', 'long',
  'short', 'void', 'double', 'float', '_Bool', 'extern', 'restrict', '*', '(', ')', '[', ']', '{', '}', ';', ',',
  ':', '=', '...', '<<', '>>', '+', '-', '~', '!', '?', '#define', '#include', '0', '1', '0x7f', '077', "'a'", '"s"',
  'x', 'y', 'name', 'size_t', 'uint8_t', '__attribute__', 'sizeof', '\n', '/*', '*/', '//', '\\',
];

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/** Splits into tokens (approximately: enough for drop/swap/duplicate/replace mutations). */
function tokens(text: string): string[] {
  return text.match(/\/\*|\*\/|\/\/|\.\.\.|<<|>>|0x[0-9a-f]+|'[^']*'|"[^"]*"|#\w+|\w+|\s+|./gi) ?? [];
}

function mutateTokens(rng: Rng, text: string): string {
  const t = tokens(text);
  if (t.length === 0) return text;
  const i = Math.floor(rng() * t.length);
  switch (Math.floor(rng() * 4)) {
    case 0:
      t.splice(i, 1); // drop
      break;
    case 1: {
      const j = Math.floor(rng() * t.length); // swap
      [t[i], t[j]] = [t[j], t[i]];
      break;
    }
    case 2:
      t.splice(i, 0, t[i]); // duplicate
      break;
    default:
      t[i] = pick(rng, TOKENS); // replace
  }
  return t.join('');
}

function randomBytes(rng: Rng): string {
  return String.fromCharCode(...Array.from({ length: Math.floor(rng() * 120) }, () => Math.floor(rng() * 256)));
}

function nonAscii(rng: Rng, text: string): string {
  const odd = ['é', '😀', '\u0000', '\u200b', '\ufeff', 'ß', '\u2028', '漢', '\ud800'];
  const at = Math.floor(rng() * (text.length + 1));
  return text.slice(0, at) + pick(rng, odd) + text.slice(at);
}

function unterminatedComment(rng: Rng, text: string): string {
  const at = Math.floor(rng() * (text.length + 1));
  return `${text.slice(0, at)}/* never closed ${text.slice(at)}`;
}

function deepNesting(rng: Rng): string {
  const n = 1 + Math.floor(rng() * 3000);
  switch (Math.floor(rng() * 5)) {
    case 0: return `int ${'('.repeat(n)}x${')'.repeat(n)};`;
    case 1: return `int ${'*'.repeat(n)}p;`;
    case 2: return `enum e { A = ${'('.repeat(n)}1${')'.repeat(n)} };`;
    case 3: return `int a${'[1]'.repeat(n)};`;
    default: return `struct s { ${'struct { '.repeat(n)}int x;${' };'.repeat(n)} };`;
  }
}

/** One input of the mix: mostly mutated valid declarations, then random bytes, non-ASCII and NUL, unterminated comments, deep nesting and keyword soup. */
function input(rng: Rng): string {
  const r = rng();
  if (r < 0.55) {
    let s = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => pick(rng, VALID)).join('\n');
    for (let m = Math.floor(rng() * 4); m > 0; m--) s = mutateTokens(rng, s);
    return s;
  }
  if (r < 0.7) return randomBytes(rng);
  if (r < 0.8) return nonAscii(rng, pick(rng, VALID));
  if (r < 0.9) return unterminatedComment(rng, pick(rng, VALID));
  if (r < 0.95) return deepNesting(rng);
  return Array.from({ length: 1 + Math.floor(rng() * 20) }, () => pick(rng, TOKENS)).join(' ');
}

/** The outcome of parsing: 'ok', 'error' (a well-formed CDefError), or a description of what went wrong. */
function parse(source: string, asType: boolean): string {
  try {
    if (asType) parseTypeName(source, new Registry());
    else parseCdef(source, new Registry());
    return 'ok';
  } catch (e) {
    if (!(e instanceof CDefError)) return `not a CDefError: ${String(e)}`;
    if (asType) return e.message.startsWith('type ') ? 'error' : `bad message: ${e.message}`;
    const placed = Number.isInteger(e.line) && Number.isInteger(e.column) && e.line! >= 1 && e.column! >= 1;
    return placed && e.message.startsWith(`cdef:${e.line}:${e.column}: `) ? 'error' : `no position: ${e.message}`;
  }
}


/** The work parsing `source` took, and whether it stayed within the budgets above. */
function workOf(source: string): { outcome: string; tokens: number; typeQueries: number; within: boolean } {
  const w = countWork(() => parse(source, false));
  const outcome = 'value' in w.outcome ? w.outcome.value : `threw ${String(w.outcome.error)}`;
  const within = w.tokens <= TOKENS_PER_CHAR * (source.length + 1) && w.typeQueries <= QUERIES_PER_TOKEN * (w.tokens + 1);
  return { outcome, tokens: w.tokens, typeQueries: w.typeQueries, within };
}

test(`${COUNT} generated inputs each parse or throw a positioned CDefError, with work within the budget (seed ${SEED})`, () => {
  const rng = prng(SEED);
  const problems: string[] = [];
  const counts = { ok: 0, error: 0 };
  let mostTokensPerChar = 0;
  for (let i = 0; i < COUNT; i++) {
    const source = input(rng);
    const work = workOf(source);
    const outcome = work.outcome;
    if (outcome === 'ok' || outcome === 'error') counts[outcome]++;
    else problems.push(`input ${i} ${JSON.stringify(source.slice(0, 200))}: ${outcome}`);
    mostTokensPerChar = Math.max(mostTokensPerChar, work.tokens / (source.length + 1));
    if (!work.within) problems.push(`input ${i} took ${work.tokens} token looks and ${work.typeQueries} type queries: ${JSON.stringify(source.slice(0, 200))}`);
    if (i % 10 === 0) {
      const asType = parse(source, true);
      if (asType !== 'ok' && asType !== 'error') problems.push(`input ${i} as a type name: ${asType}`);
    }
    if (problems.length > 20) break;
  }
  expect(problems).toEqual([]);
  // Both outcomes are well represented, so the generator is not trivially failing or passing.
  expect(counts.ok).toBeGreaterThan(COUNT / 50);
  expect(counts.error).toBeGreaterThan(COUNT / 4);
  reportFigures('cdef fuzz', { inputs: COUNT, parsed: counts.ok, refused: counts.error, mostTokensPerChar: Number(mostTokensPerChar.toFixed(2)) });
});

describe('1 MB inputs: parsed or refused, with work within the budget', () => {
  const made = new Map<string, string>();
  const source = (m: (typeof MEGABYTE_INPUTS)[number]): string => {
    if (!made.has(m.name)) made.set(m.name, m.make(prng(SEED)));
    return made.get(m.name)!;
  };

  test.each(MEGABYTE_INPUTS.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    const text = source(m);
    expect(text.length).toBeGreaterThanOrEqual(MB);
    const work = workOf(text);
    expect(work).toEqual({ outcome: m.valid ? 'ok' : 'error', tokens: work.tokens, typeQueries: work.typeQueries, within: true });
    reportFigures(`cdef 1 MB, ${m.name}`, { chars: text.length, tokenLooks: work.tokens, typeQueries: work.typeQueries });
  });

  test('random token characters are read in full by the lexer before the parser refuses them', () => {
    const text = source(MEGABYTE_INPUTS.find((x) => x.name === 'random token characters')!);
    const tokens = tokenize(text, () => '');
    // The last real token ends within a few characters of the end: nothing was skipped.
    expect(tokens[tokens.length - 2].end).toBeGreaterThan(text.length - 16);
    expect(tokens.length).toBeGreaterThan(text.length / 4);
  });
});

describe('no super-linear work: 16 times the input costs about 16 times the work', () => {
  test.each(SHAPES.map((s) => [s.name, s] as const))('%s', (_name, shape) => {
    // Nested shapes stay under the nesting limit, so that the whole input is parsed.
    const [small, large] = shape.nested ? [15, 240] : [1000, 16000];
    const a = countWork(() => parse(shape.make(small), false));
    const b = countWork(() => parse(shape.make(large), false));
    expect([a.outcome, b.outcome]).toEqual([{ value: 'ok' }, { value: 'ok' }]);
    // Linear is 16x the tokens looked at (a fixed part makes it a little less); quadratic would be 256x.
    expect(b.tokens / a.tokens).toBeLessThanOrEqual(17);
    expect(b.typeQueries).toBeLessThanOrEqual(QUERIES_PER_TOKEN * (b.tokens + 1));
    // And so do the type model's queries: each array of 'int a[1][1]...' once asked for the size of
    // all the arrays inside it (273x the queries for 16x the input).
    expect(b.typeQueries).toBeLessThanOrEqual(17 * Math.max(1, a.typeQueries));
    reportFigures(`cdef growth, ${shape.name} x${small} -> x${large}`, {
      tokenLooks: Number((b.tokens / a.tokens).toFixed(2)),
      typeQueries: a.typeQueries === 0 ? b.typeQueries : Number((b.typeQueries / a.typeQueries).toFixed(2)),
    });
  });

  test('nesting past the limit is refused after work bounded by the limit, however deep the input', () => {
    for (const shape of SHAPES.filter((s) => s.nested)) {
      const deep = countWork(() => parse(shape.make(1000), false));
      const deeper = countWork(() => parse(shape.make(16000), false));
      expect({ shape: shape.name, outcome: deep.outcome }).toEqual({ shape: shape.name, outcome: { value: 'error' } });
      expect({ shape: shape.name, same: deeper.total === deep.total }).toEqual({ shape: shape.name, same: true });
    }
  });
});

/** Figures for docs/reliability.md, printed when NODE_CFFI_REPORT=1. */
function reportFigures(what: string, figures: Record<string, number>): void {
  if (process.env.NODE_CFFI_REPORT === '1') process.stdout.write(`${what}: ${JSON.stringify(figures)}\n`);
}
