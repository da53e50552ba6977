// cdef fuzzing: 100,000+ random and mutated inputs each parse or throw a positioned CDefError, in bounded time.
import { CDefError } from '../../lib';
import { parseCdef, parseTypeName } from '../../lib/cparser/parser';
import { Registry } from '../../lib/ctype/registry';
import { prng } from '../helpers/random';

const LONG = process.env.NODE_CFFI_LONG === '1';
const SEED = Number(process.env.NODE_CFFI_SEED ?? 20261125);
const COUNT = LONG ? 1_000_000 : 100_000;
/** No single small input may take longer than this (ms): the parser has no super-linear paths. */
const SMALL_INPUT_MS = 250;

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

/** One input of the mix: mostly mutated valid declarations, then the other kinds the issue lists. */
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

test(`${COUNT} generated inputs each parse or throw a positioned CDefError, none slowly (seed ${SEED})`, () => {
  const rng = prng(SEED);
  const problems: string[] = [];
  const counts = { ok: 0, error: 0 };
  let slowest = 0;
  for (let i = 0; i < COUNT; i++) {
    const source = input(rng);
    const t0 = process.hrtime.bigint();
    const outcome = parse(source, false);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    slowest = Math.max(slowest, ms);
    if (outcome === 'ok' || outcome === 'error') counts[outcome]++;
    else problems.push(`input ${i} ${JSON.stringify(source.slice(0, 200))}: ${outcome}`);
    if (ms > SMALL_INPUT_MS) problems.push(`input ${i} took ${ms.toFixed(0)} ms: ${JSON.stringify(source.slice(0, 200))}`);
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
  reportFigures('cdef fuzz', { inputs: COUNT, parsed: counts.ok, refused: counts.error, slowestMs: Number(slowest.toFixed(1)) });
});

describe('1 MB inputs', () => {
  const MB = 1 << 20;
  const cases: [string, () => string][] = [
    ['valid declarations', () => validMegabyte(MB)],
    ['random bytes', () => randomBytes(prng(1)).repeat(Math.ceil(MB / 60)).slice(0, MB)],
    ['an unterminated comment', () => `int x; /*${'x'.repeat(MB)}`],
    ['one long identifier', () => `int ${'a'.repeat(MB)};`],
    ['a long expression', () => `enum e { A = 1${' + 1'.repeat(MB / 4)} };`],
  ];
  test.each(cases)('%s: parsed or refused within 2 s', (name, make) => {
    const source = make();
    expect(source.length).toBeGreaterThanOrEqual(MB - 100);
    const t0 = Date.now();
    const outcome = parse(source, false);
    const ms = Date.now() - t0;
    expect(name === 'valid declarations' ? ['ok'] : ['ok', 'error']).toContain(outcome);
    expect(ms).toBeLessThan(2000);
  });
});

/** Distinct valid declarations of every kind, numbered, up to `size` characters. */
function validMegabyte(size: number): string {
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

test('no super-linear time: 16 times the nested or repeated input takes far less than 256 times as long', () => {
  const shapes: [string, (n: number) => string][] = [
    ['nested parentheses', (n) => `int ${'('.repeat(n)}x${')'.repeat(n)};`],
    ['pointer chains', (n) => `int ${'*'.repeat(n)}p;`],
    ['long expressions', (n) => `enum e { A = ${Array.from({ length: n }, (_, i) => `(${i} + 1)`).join(' * ')} };`],
    ['many declarations', (n) => Array.from({ length: n }, (_, i) => `int f${i}(int a, char *b);`).join('\n')],
    ['ambiguous casts', (n) => `enum e { A = ${'(int)'.repeat(n)}1 };`],
  ];
  for (const [name, make] of shapes) {
    const time = (n: number) => {
      const source = make(n);
      const runs: number[] = [];
      for (let k = 0; k < 5; k++) {
        const t0 = process.hrtime.bigint();
        parse(source, false);
        runs.push(Number(process.hrtime.bigint() - t0));
      }
      return runs.sort((a, b) => a - b)[2];
    };
    const small = time(1000);
    const large = time(16000);
    // 16x the input: linear is 16x, quadratic 256x; allow for noise on a shared machine.
    expect({ name, ratio: large / Math.max(small, 1) < 64 }).toEqual({ name, ratio: true });
  }
});

/** Figures for docs/reliability.md, printed when NODE_CFFI_REPORT=1. */
function reportFigures(what: string, figures: Record<string, number>): void {
  if (process.env.NODE_CFFI_REPORT === '1') process.stdout.write(`${what}: ${JSON.stringify(figures)}\n`);
}
