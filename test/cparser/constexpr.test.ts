// Tests of integer constant expressions: literal types, C's conversions, errors, and agreement with the C compiler.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CDefError } from '../../lib/errors';
import { PrimitiveType, primitive } from '../../lib/ctype/model';
import { ExprContext, IntValue, convertInt, evaluate, isFloatLiteral } from '../../lib/cparser/constexpr';
import { Token, Where, keyword, tokenize } from '../../lib/cparser/lexer';
import { TokenStream } from '../../lib/cparser/stream';
import { CC, noErrorLimit } from '../helpers/compiler';
import { prng, testSeed } from '../helpers/random';
import { thrown } from '../helpers/throws';

const where: Where = (line, column) => `expr:${line}:${column}: `;

/**
 * Evaluates `text` alone. Names resolve through `constants`; a cast or sizeof takes a type spelled by
 * type keywords in canonical order ('unsigned char'), enough for these tests (the parser's own
 * tests cover casts to typedefs, structs and enums).
 */
function calc(text: string, constants: Record<string, IntValue> = {}): IntValue {
  const ts = new TokenStream(tokenize(text, where), where);
  const ctx: ExprContext = {
    constant: (tok: Token) => constants[tok.text] ?? ts.fail(tok, `no constant '${tok.text}'`),
    startsType: (tok: Token) => tok.kind === 'ident' && keyword(tok.text)?.kind === 'type',
    typeName: () => {
      const words: string[] = [];
      while (ts.peek().kind === 'ident' && keyword(ts.peek().text)?.kind === 'type') words.push(ts.next().text);
      return primitive(words.join(' '));
    },
  };
  const v = evaluate(ts, ctx);
  if (ts.peek().kind !== 'eof') ts.unexpected(ts.peek(), 'the end');
  return v;
}

/** "value:type" of an expression, for compact expectations. */
const show = (text: string): string => {
  const v = calc(text);
  return `${v.value}:${v.type.name}`;
};

function failure(text: string): CDefError {
  const e = thrown(() => calc(text));
  expect(e).toBeInstanceOf(CDefError);
  return e as CDefError;
}

const charIsSigned = process.arch !== 'arm64';

describe('integer literals take the first type of their list that fits (LP64)', () => {
  test.each([
    ['0', '0:int'],
    ['2147483647', '2147483647:int'],
    ['2147483648', '2147483648:long'],
    ['9223372036854775807', '9223372036854775807:long'],
    ['0x7fffffff', '2147483647:int'],
    ['0x80000000', '2147483648:unsigned int'],
    ['0xFFFFFFFF', '4294967295:unsigned int'],
    ['0x100000000', '4294967296:long'],
    ['0x8000000000000000', '9223372036854775808:unsigned long'],
    ['017777777777', '2147483647:int'],
    ['020000000000', '2147483648:unsigned int'],
    ['010', '8:int'],
    ['0b101', '5:int'],
    ['1u', '1:unsigned int'],
    ['4294967296U', '4294967296:unsigned long'],
    ['1l', '1:long'],
    ['1L', '1:long'],
    ['0xffffffffL', '4294967295:long'],
    ['0xffffffffffffffffL', '18446744073709551615:unsigned long'],
    ['1ul', '1:unsigned long'],
    ['1LU', '1:unsigned long'],
    ['1ll', '1:long long'],
    ['0x8000000000000000LL', '9223372036854775808:unsigned long long'],
    ['1uLL', '1:unsigned long long'],
    ['1llu', '1:unsigned long long'],
    ['18446744073709551615u', '18446744073709551615:unsigned long'],
    ['000000000000000000000000000001', '1:int'],
  ])('%s → %s', (text, expected) => {
    expect(show(text)).toBe(expected);
  });

  test.each([['1lL'], ['1uu'], ['1lul'], ['09'], ['0x'], ['1abc'], ['0b2'], ['1_000']])('%s is invalid', (text) => {
    expect(failure(text).message).toBe(`expr:1:1: invalid integer constant '${text}'`);
  });

  test('a decimal constant past every signed type but within 64 bits is unsigned, as Clang and CFFI take it', () => {
    expect(show('9223372036854775808')).toBe('9223372036854775808:unsigned long');
    expect(show('18446744073709551615')).toBe('18446744073709551615:unsigned long');
    expect(show('18446744073709551615ll')).toBe('18446744073709551615:unsigned long long');
  });

  test('too large constants say so', () => {
    expect(failure('18446744073709551616').message).toBe(
      "expr:1:1: the integer constant '18446744073709551616' is too large for any integer type",
    );
    expect(failure('18446744073709551616u').message).toBe(
      "expr:1:1: the integer constant '18446744073709551616u' is too large for any integer type",
    );
    expect(failure('0x10000000000000000').message).toBe(
      "expr:1:1: the integer constant '0x10000000000000000' is too large for any integer type",
    );
    expect(failure('1' + '0'.repeat(5000)).message).toMatch(/is too large for any integer type$/);
  });

  test('floating constants are named and refused', () => {
    for (const text of ['1.5', '1e3', '.5', '0x1p3', '2.f']) {
      expect(isFloatLiteral(text)).toBe(true);
      expect(failure(`1 + ${text}`).message).toBe(
        `expr:1:5: the floating-point constant '${text}' is not allowed in an integer constant expression`,
      );
    }
    expect(isFloatLiteral('0xe')).toBe(false);
    expect(isFloatLiteral('12')).toBe(false);
  });
});

describe('character constants', () => {
  test.each([
    ["'a'", 97n],
    ["'\\n'", 10n],
    ["'\\x41'", 65n],
    ["'\\101'", 65n],
    ["'\\0'", 0n],
    ["'\\''", 39n],
    ["'\"'", 34n],
    ["'\\\\'", 92n],
    ["'\\e'", 27n],
    ["'\\x7f'", 127n],
    ["'\\u0041'", 65n],
  ])('%s is the int %s', (text, value) => {
    expect(calc(text)).toEqual({ value, type: primitive('int') });
  });

  test("a char above 127 takes the sign of plain char ('\\xff' is -1 on x86-64, 255 on aarch64)", () => {
    expect(calc("'\\xff'").value).toBe(charIsSigned ? -1n : 255n);
    expect(calc("'\\377'").value).toBe(charIsSigned ? -1n : 255n);
  });

  test('wide and unicode constants have their own types', () => {
    expect(calc("L'é'")).toEqual({ value: 233n, type: primitive('wchar_t') });
    expect(calc("u'\\u20ac'")).toEqual({ value: 0x20acn, type: primitive('char16_t') });
    expect(calc("U'\\U0001F600'")).toEqual({ value: 0x1f600n, type: primitive('char32_t') });
    expect(calc("U'😀'")).toEqual({ value: 0x1f600n, type: primitive('char32_t') });
    expect(calc("u8'a'")).toEqual({ value: 97n, type: primitive('unsigned char') });
  });

  test.each([
    ["''", "expr:1:1: empty character constant ''''"],
    ["'ab'", "expr:1:1: multi-character constant ''ab'' is not supported"],
    ["'\\q'", "expr:1:1: unknown escape sequence '\\q' in ''\\q''"],
    ["'é'", "expr:1:1: the character 'é' does not fit one unit in ''é''"],
    ["'\\x100'", "expr:1:1: the escape sequence value 256 does not fit one unit in ''\\x100''"],
    ["'\\x'", "expr:1:1: the escape '\\x' lacks its hex digits in ''\\x''"],
    ["'\\u00e9'", "expr:1:1: the character '\\u00e9' does not fit one byte in ''\\u00e9''"],
    ["u'😀'", "expr:1:1: the character '😀' does not fit one unit in 'u'😀''"],
  ])('%s is refused', (text, message) => {
    expect(failure(text).message).toBe(message);
  });
});

describe('operators follow C on LP64', () => {
  test.each([
    ['1 + 2 * 3', '7:int'],
    ['(1 + 2) * 3', '9:int'],
    ['10 - 4 - 3', '3:int'],
    ['7 / 2', '3:int'],
    ['-7 / 2', '-3:int'],
    ['7 / -2', '-3:int'],
    ['-7 % 2', '-1:int'],
    ['7 % -2', '1:int'],
    ['1 << 4 | 1', '17:int'],
    ['6 & 3 ^ 1', '3:int'],
    ['1 < 2 == 1', '1:int'],
    ['3 > 2 > 1', '0:int'],
    ['2 <= 2 && 3 >= 4', '0:int'],
    ['0 || 5', '1:int'],
    ['!5', '0:int'],
    ['!0L', '1:int'],
    ['~0', '-1:int'],
    ['~0u', '4294967295:unsigned int'],
    ['-1u', '4294967295:unsigned int'],
    ['+\'a\'', '97:int'],
    ['-2147483647 - 1', '-2147483648:int'],
    ['1u - 2', '4294967295:unsigned int'],
    ['4294967295u + 1', '0:unsigned int'],
    ['0ul - 1', '18446744073709551615:unsigned long'],
    ['-1 < 0u', '0:int'],
    ['-1L < 0u', '1:int'],
    ['-1 < 0ul', '0:int'],
    ['1u + 1L', '2:long'],
    ['1L + 1LL', '2:long long'],
    ['1UL + 1LL', '2:unsigned long long'],
    ['1ULL + 1L', '2:unsigned long long'],
    ['-1 >> 1', '-1:int'],
    ['-16 >> 2', '-4:int'],
    ['0x80000000 >> 31', '1:unsigned int'],
    ['1 << 31', '-2147483648:int'],
    ['1L << 63', '-9223372036854775808:long'],
    ['-1 << 2', '-4:int'],
    ['1u << 31', '2147483648:unsigned int'],
    ['3u << 31', '2147483648:unsigned int'],
    ['1 << 2L', '4:int'],
    ['1 ? 2 : 3', '2:int'],
    ['0 ? 2 : 3L', '3:long'],
    ['1 ? -1 : 0u', '4294967295:unsigned int'],
    ['1 ? 1 : 0 ? 2 : 3', '1:int'],
    ['(unsigned char)300', '44:unsigned char'],
    ['(signed char)200', '-56:signed char'],
    ['(_Bool)5', '1:_Bool'],
    ['(unsigned int)-1', '4294967295:unsigned int'],
    ['(long)(unsigned int)-1', '4294967295:long'],
    ['(unsigned char)255 + 1', '256:int'],
    ['-(unsigned short)1', '-1:int'],
    ['sizeof(int)', '4:unsigned long'],
    ['sizeof(long double) * 2', '32:unsigned long'],
    ['sizeof 1L', '8:unsigned long'],
    ['sizeof (char) + sizeof 2', '5:unsigned long'],
    ['sizeof(1 ? (char)1 : (char)2)', '4:unsigned long'],
  ])('%s → %s', (text, expected) => {
    expect(show(text)).toBe(expected);
  });

  test('names resolve to the values and types the context gives', () => {
    const constants = { N: { value: 3n, type: primitive('unsigned char') }, M: { value: -1n, type: primitive('long') } };
    expect(calc('N * 2', constants)).toEqual({ value: 6n, type: primitive('int') });
    expect(calc('N', constants)).toEqual({ value: 3n, type: primitive('unsigned char') });
    expect(calc('M + N', constants)).toEqual({ value: 2n, type: primitive('long') });
  });

  test('the untaken sides of ?:, && and || and the operand of sizeof are not evaluated', () => {
    expect(show('0 ? 1 / 0 : 2')).toBe('2:int');
    expect(show('1 ? 2 : 1 / 0')).toBe('2:int');
    expect(show('0 && 1 / 0')).toBe('0:int');
    expect(show('1 || 2147483647 + 1')).toBe('1:int');
    expect(show('sizeof(1 / 0)')).toBe('4:unsigned long');
    expect(show('0 ? 1 << 99 : 0')).toBe('0:int');
    // ... but their types still count.
    expect(show('0 ? 1 / 0 : 2u')).toBe('2:unsigned int');
  });
});

describe('arithmetic errors name the expression', () => {
  test.each([
    ['1 / 0', "expr:1:1: division by zero in '1 / 0'"],
    ['2 + 5 % (3 - 3)', "expr:1:5: modulo by zero in '5 % (3 - 3)'"],
    ['2147483647 + 1', "expr:1:1: integer overflow ('int') in '2147483647 + 1'"],
    ['-(-2147483647 - 1)', "expr:1:1: integer overflow ('int') in '-(-2147483647 - 1)'"],
    ['(-2147483647 - 1) / -1', "expr:1:1: integer overflow ('int') in '(-2147483647 - 1) / -1'"],
    ['(-2147483647 - 1) % -1', "expr:1:1: integer overflow ('int') in '(-2147483647 - 1) % -1'"],
    ['9223372036854775807L * 2', "expr:1:1: integer overflow ('long') in '9223372036854775807L * 2'"],
    ['65536 * 65536', "expr:1:1: integer overflow ('int') in '65536 * 65536'"],
    ['1 << 32', "expr:1:1: shift count 32 is out of range for 'int' (0 to 31) in '1 << 32'"],
    ['1 >> -1', "expr:1:1: shift count -1 is out of range for 'int' (0 to 31) in '1 >> -1'"],
    ['1L << 64', "expr:1:1: shift count 64 is out of range for 'long' (0 to 63) in '1L << 64'"],
    ['3 << 31', "expr:1:1: integer overflow ('int') in '3 << 31'"],
    ['-1 << 31 << 1', "expr:1:1: integer overflow ('int') in '-1 << 31 << 1'"],
  ])('%s', (text, message) => {
    const e = failure(text);
    expect(e.message).toBe(message);
    expect(e.line).toBe(1);
  });

  test('syntax errors say what was expected', () => {
    expect(failure('1 +').message).toBe('expr:1:4: expected an integer constant expression, found end of input');
    expect(failure('(1').message).toBe("expr:1:3: expected ')', found end of input");
    expect(failure('1 ? 2').message).toBe("expr:1:6: expected ':' in the conditional expression, found end of input");
    expect(failure('1 = 2').message).toBe("expr:1:3: expected the end, found '='");
    expect(failure('x++').message).toBe("expr:1:1: no constant 'x'");
    expect(failure('"s"').message).toBe("expr:1:1: expected an integer constant expression, found '\"s\"'");
    expect(failure('...').message).toMatch(/^expr:1:1: '\.\.\.' cannot stand here; /);
    expect(failure('(float)1').message).toBe("expr:1:2: cannot cast to 'float' in an integer constant expression");
    // 'sizeof (type)' is complete in itself, as in C.
    expect(failure('sizeof (char)1').message).toBe("expr:1:14: expected the end, found '1'");
  });

  test('deep nesting fails cleanly instead of exhausting the stack', () => {
    expect(failure('('.repeat(10000) + '1' + ')'.repeat(10000)).message).toMatch(/nesting too deep/);
    expect(failure('- '.repeat(10000) + '1').message).toMatch(/nesting too deep/);
    expect(failure('1?'.repeat(10000) + '1' + ':1'.repeat(10000)).message).toMatch(/nesting too deep/);
    // Long flat chains are fine.
    expect(calc('1' + '+1'.repeat(20000)).value).toBe(20001n);
  });
});

describe('convertInt', () => {
  test('wraps modulo 2^N into the target type; _Bool keeps truth', () => {
    expect(convertInt(300n, primitive('unsigned char'))).toBe(44n);
    expect(convertInt(-1n, primitive('unsigned long'))).toBe(2n ** 64n - 1n);
    expect(convertInt(2n ** 31n, primitive('int'))).toBe(-(2n ** 31n));
    expect(convertInt(-7n, primitive('_Bool'))).toBe(1n);
    expect(convertInt(0n, primitive('_Bool'))).toBe(0n);
    expect(convertInt(65537n, primitive('int16_t'))).toBe(1n);
  });
});

// ---- agreement with the C compiler ----------------------------------------------------------

const LITERALS = [
  '0', '1', '2', '3', '7', '31', '32', '63', '64', '100', '255', '256', '65535', '2147483647', '2147483648', '4294967295',
  '0x7fffffff', '0x80000000', '0xffffffff', '0x100000000', '9223372036854775807', '0x8000000000000000', '0xffffffffffffffff',
  '017', "'a'", "'\\xff'", "'\\0'", "'\\377'",
];
const SUFFIXES = ['', '', '', 'u', 'l', 'ul', 'll', 'ull', 'U', 'L', 'LL', 'LLU'];
const CASTS = [
  'char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned int', 'long', 'unsigned long',
  'long long', 'unsigned long long', '_Bool',
];
const BINARY = ['+', '-', '*', '/', '%', '<<', '>>', '<', '>', '<=', '>=', '==', '!=', '&', '^', '|', '&&', '||'];

function randomExpr(rng: () => number, depth: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
  const r = rng();
  if (depth === 0 || r < 0.25) {
    const lit = pick(LITERALS);
    return lit.startsWith("'") ? lit : lit + pick(SUFFIXES);
  }
  const sub = (): string => randomExpr(rng, depth - 1);
  if (r < 0.4) return `${pick(['-', '~', '!', '+'])}(${sub()})`;
  if (r < 0.5) return `((${pick(CASTS)})(${sub()}))`;
  if (r < 0.55) return `(${sub()} ? ${sub()} : ${sub()})`;
  if (r < 0.58) return `sizeof(${sub()})`;
  return `(${sub()} ${pick(BINARY)} ${sub()})`;
}

/** Compiles and runs a C file; returns its standard output and the compiler's diagnostics. */
function runC(dir: string, name: string, source: string, run: boolean): { out: string; diagnostics: string } {
  const file = path.join(dir, `${name}.c`);
  const exe = path.join(dir, name);
  fs.writeFileSync(file, source);
  const args = run ? ['-std=gnu11', '-w', '-o', exe, file] : ['-std=gnu11', '-fsyntax-only', ...noErrorLimit(), file];
  const compiled = spawnSync(CC, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run && compiled.status !== 0) throw new Error(`${CC} failed:\n${compiled.stderr}`);
  const out = run ? spawnSync(exe, [], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout : '';
  return { out, diagnostics: compiled.stderr };
}

const TYPE_NAME = `#define T(e) _Generic((e), char: "char", signed char: "signed char", unsigned char: "unsigned char", \\
  short: "short", unsigned short: "unsigned short", int: "int", unsigned int: "unsigned int", long: "long", \\
  unsigned long: "unsigned long", long long: "long long", unsigned long long: "unsigned long long", _Bool: "_Bool")`;

describe('agreement with the C compiler', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-constexpr-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const seed = testSeed(20240611);
  const count = process.env.NODE_CFFI_LONG === '1' ? 20000 : 1500;

  test(`random expressions evaluate to the compiler's values and types (seed ${seed}, ${count} expressions)`, () => {
    const rng = prng(seed);
    const accepted: { text: string; v: IntValue }[] = [];
    const refused: { text: string; message: string }[] = [];
    const fixed = ['(char)200', "'\\xff' + 0", '(short)-1 < (unsigned short)1', '1 ? (char)1 : 2L', 'sizeof((char)1 + (char)1)'];
    for (const text of [...fixed, ...Array.from({ length: count }, () => randomExpr(rng, 4))]) {
      try {
        accepted.push({ text, v: calc(text) });
      } catch (e) {
        if (!(e instanceof CDefError)) throw e;
        // Literal errors (too large for its type) are not arithmetic; leave them out of the comparison.
        if (!/too large/.test(e.message)) refused.push({ text, message: e.message });
      }
    }
    expect(accepted.length).toBeGreaterThan(count / 3);
    expect(refused.length).toBeGreaterThan(count / 20);

    const lines = accepted.map(({ text }) => `  printf("%s|%lld|%llu\\n", T(${text}), (long long)(${text}), (unsigned long long)(${text}));`);
    const program = `#include <stdio.h>\n${TYPE_NAME}\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`;
    const out = runC(dir, 'values', program, true).out.trim().split('\n');
    expect(out).toHaveLength(accepted.length);
    const mismatches: string[] = [];
    accepted.forEach(({ text, v }, i) => {
      const [type, signed, unsigned] = out[i].split("|");
      const expected = `${type} ${/^(unsigned|_Bool)/.test(type) || (type === 'char' && !charIsSigned) ? unsigned : signed}`;
      const got = `${v.type.name} ${v.value}`;
      if (got !== expected) mismatches.push(`seed ${seed}: ${text}: cdef says ${got}, the compiler ${expected}`);
    });
    expect(mismatches).toEqual([]);

    // Expressions refused for overflow, division by zero or a bad shift draw a diagnostic from the compiler.
    // (Rarely GCC stays silent: it does not fold operands that left-shift a negative value, which C
    // leaves undefined and cdef accepts as GCC's value; hence the 1% allowance.)
    const decls = refused.map(({ text }, i) => `long long v${i} = (long long)(${text});`);
    const { diagnostics } = runC(dir, 'refused', `${decls.join('\n')}\n`, false);
    const flagged = new Set([...diagnostics.matchAll(/refused\.c:(\d+):/g)].map((m) => Number(m[1]) - 1));
    const missed = refused.filter((_, i) => !flagged.has(i)).map((r) => `seed ${seed}: ${r.text}: ${r.message}`);
    expect({ missed: missed.length <= refused.length / 100 ? [] : missed }).toEqual({ missed: [] });
  });

  test('the types of wide character constants match', () => {
    const texts = ["L'a'", "u'a'", "U'a'", "L'\\xff'"];
    const program = `#include <stdio.h>\n#include <uchar.h>\n#include <wchar.h>\n${TYPE_NAME.replace('_Bool: "_Bool"', '_Bool: "_Bool"')}
int main(void) {\n${texts.map((t) => `  printf("%d %lld\\n", (int)sizeof(${t}), (long long)(${t}));`).join('\n')}\n  return 0;\n}\n`;
    const out = runC(dir, 'wide', program, true).out.trim().split('\n');
    texts.forEach((t, i) => {
      const v = calc(t);
      expect(`${(v.type as PrimitiveType).size} ${v.value}`).toBe(out[i]);
    });
  });
});
