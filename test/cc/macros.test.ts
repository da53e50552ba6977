// Macro values expanded as C's preprocessor expands them: object-like and function-like macros, '#', '##', variadic arguments, and the reasons a value cannot be expanded.
import { expandMacro, runtimeValue } from '../../lib/cc/macros';
import { MacroDef } from '../../lib/cparser/preprocessed';

/** The macros of `#define` lines ('NAME body' or 'NAME(a, b) body'), by name. */
function macros(...lines: string[]): Map<string, MacroDef> {
  const out = new Map<string, MacroDef>();
  for (const line of lines) {
    const m = /^(\w+)(?:\(([^)]*)\))?\s*(.*)$/.exec(line) as RegExpExecArray;
    const params = m[2] === undefined ? null : m[2].split(',').map((p) => p.trim()).filter((p) => p !== '');
    out.set(m[1], { name: m[1], params, body: m[3], file: 0, line: 1, at: 0 });
  }
  return out;
}

/** The expansion of the value of the last macro of `lines`. */
function expand(...lines: string[]): string | { error: string } {
  const table = macros(...lines);
  return expandMacro([...table.values()][lines.length - 1], table);
}

describe('expandMacro', () => {
  test('a value no macro touches comes back as written', () => {
    expect(expand('X  (1 <<  3)')).toBe('(1 <<  3)');
  });

  test("function-like macros with '##' pasting a suffix, as stdint.h's UINT64_MAX and INT64_MIN are written", () => {
    const c = ['__UINT64_C(c) c ## UL', '__INT64_C(c) c ## L', 'INT64_MAX (__INT64_C(9223372036854775807))'];
    expect(expand(...c, 'UINT64_MAX (__UINT64_C(18446744073709551615))')).toBe('(18446744073709551615UL)');
    expect(expand(...c, 'INT64_MIN (-INT64_MAX-1)')).toBe('(-(9223372036854775807L)-1)');
  });

  test("arguments are expanded before substitution, except next to '##' and '#'", () => {
    expect(expand('N 4', 'TWICE(x) ((x) * 2)', 'V TWICE(N + 1)')).toBe('((4 + 1) * 2)');
    expect(expand('N 4', 'CAT(a, b) a ## b', 'N2 7', 'V CAT(N, 2)')).toBe('7');
    expect(expand('N 4', 'STR(x) #x', 'V STR(N  +  "a\\b")')).toBe('"N + \\"a\\\\b\\""');
    expect(expand('N 4', 'STR(x) #x', 'XSTR(x) STR(x)', 'V XSTR(N)')).toBe('"4"');
  });

  test('a macro naming a function-like macro is called with the parentheses that follow it', () => {
    expect(expand('F(x) (x + 1)', 'G F', 'V G(2)')).toBe('(2 + 1)');
    expect(expand('F(x) (x + 1)', 'V F')).toBe('F');
  });

  test('variadic macros, named or not, and empty arguments', () => {
    expect(expand('SUM(a, ...) (a + __VA_ARGS__)', 'V SUM(1, 2, 3)')).toBe('(1 + 2, 3)');
    expect(expand('FIRST(a, rest...) a', 'V FIRST(5)')).toBe('5');
    expect(expand('NONE() 9', 'V NONE()')).toBe('9');
    expect(expand('GLUE(a, b) a ## b', 'V GLUE(, 12)')).toBe('12');
  });

  test('a macro is not expanded inside its own expansion, directly or through another', () => {
    expect(expand('f(x) (f(x) + 1)', 'V f(2)')).toBe('(f(2) + 1)');
    expect(expand('A (B + 1)', 'B (A * 2)', 'V A')).toBe('((A * 2) + 1)');
  });

  test('tokens that would read as one are kept apart', () => {
    expect(expand('NEG -1', 'V (-NEG)')).toBe('(- -1)');
  });

  test('calls the preprocessor would refuse are reasons, naming the macro', () => {
    expect(expand('F(a, b) (a + b)', 'V F(1)')).toEqual({ error: "its value calls the macro 'F' with 1 argument; it takes 2 arguments" });
    expect(expand('F(a, b, ...) a', 'V F(1)')).toEqual({ error: "its value calls the macro 'F' with 1 argument; it takes at least 2 arguments" });
    expect(expand('F(a) a', 'V F((1)')).toEqual({ error: "its value calls the macro 'F' without closing its parentheses" });
    expect(expand('CAT(a, b) a ## b', 'V CAT(+, /)')).toEqual({ error: "its value pastes '+' and '/' (in the macro 'CAT'), which do not form one token" });
    expect(expand('F(...) __VA_OPT__(,) 1', 'V F()')).toEqual({ error: "its value uses '__VA_OPT__' (through 'F'), which is not expanded here" });
    expect(expand('V')).toEqual({ error: 'it has no value; only macros with an integer value are declared' });
  });

  test('a value whose expansion doubles at each level is stopped by counting expansions, with the reason', () => {
    const lines = Array.from({ length: 16 }, (_, i) => `M${i} (M${i + 1} + M${i + 1})`);
    expect(expand(...lines.reverse().concat('M16 1'), 'V M0')).toEqual({ error: 'its value expands macros more than 10000 times; it is left out' });
  });

  test('a value of 200,000 tokens, through an object-like macro, an argument and variadic arguments (was: RangeError, the tokens spread into one call)', () => {
    const ones = `1${'+1'.repeat(100000)}`;
    expect(expand(`ONES ${ones}`, 'V (ONES)')).toBe(`(${ones})`);
    expect(expand(`ONES ${ones}`, 'ID(x) x', 'V ID(ONES)')).toBe(ones);
    expect(expand('SUM(...) (__VA_ARGS__)', `V SUM(${ones.replace(/\+/g, ',')})`)).toBe(`(${ones.replace(/\+/g, ',')})`);
  });
});

describe('runtimeValue', () => {
  const types = { isTypeName: (name: string) => name === 'my_t' };
  test('member reads and calls are named; casts, sizeof, keywords and builtins are not calls', () => {
    expect(runtimeValue('_sifields._kill.si_pid', types)).toMatch(/^its value, '_sifields._kill.si_pid', reads a member/);
    expect(runtimeValue('(p)->x', types)).toMatch(/reads a member/);
    expect(runtimeValue('a[1].b', types)).toMatch(/reads a member/);
    expect(runtimeValue('(__ctype_get_mb_cur_max ())', types)).toMatch(/^its value calls '__ctype_get_mb_cur_max\(\)'/);
    for (const v of ['((my_t)(3))', '(sizeof (my_t) * 2)', '(__extension__ (1 + 2))', '__builtin_offsetof (struct s, x)', '(1.5 + 2)', '((unsigned long)(1) << 3)']) {
      expect(runtimeValue(v, types)).toBeNull();
    }
  });
});
