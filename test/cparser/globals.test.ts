// Tests of the cdef parser: extern "Python", globals, constants, #define, line markers and pragmas, and what cdef refuses.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CDefError } from '../../lib/errors';
import { ArrayType, EnumType, PointerType, PrimitiveType, Q_CONST, Q_RESTRICT, Q_VOLATILE, StructType, VOID, pendingLayout, primitive } from '../../lib/ctype/model';
import { arrayOf, functionType, pointerTo } from '../../lib/ctype/intern';
import { PRIMITIVES } from '../../lib/ctype/primitives';
import { probedMembers } from '../../lib/ctype/layout';
import { Decl, Registry } from '../../lib/ctype/registry';
import { CdefOptions, parseCdef, parseTypeName } from '../../lib/cparser/parser';
import { MISPLACED_ELLIPSIS } from '../../lib/cparser/stream';
import { prng } from '../helpers/random';
import { int, char, cdef, cdefError, errorOf, typeError, get, structOf, enumOf, fieldsOf } from '../helpers/cdef';
import { expectThrow } from '../helpers/throws';

describe('extern "Python"', () => {
  test("functions whose body JavaScript gives are recorded as 'extern-callback' declarations, alone or in a group", () => {
    const r = cdef(
      'int bok(int, int);\nextern "Python" int foobar(int a, int b);\nextern "JS" { int f1(int); void f2(void); }\n' +
        'extern "Python+C" long g1(long); extern "C + Python" { char g2(char); }\nextern "JS+C" short g3(short);',
    );
    expect(get(r, 'foobar', 'extern-callback')).toEqual({
      kind: 'extern-callback', name: 'foobar', type: functionType([int, int], int, false), argNames: ['a', 'b'],
      language: 'Python', exportedToC: false, pos: { line: 2, column: 21 },
    });
    expect(get(r, 'bok', 'function').type).toBe(get(r, 'foobar', 'extern-callback').type);
    expect(['f1', 'f2', 'g1', 'g2', 'g3'].map((n) => {
      const d = get(r, n, 'extern-callback');
      return [d.type.cname, d.language, d.exportedToC];
    })).toEqual([
      ['int(int)', 'JS', false], ['void()', 'JS', false], ['long(long)', 'Python', true], ['char(char)', 'Python', true],
      ['short(short)', 'JS', true],
    ]);
  });

  test.each([
    ['extern "Python" int x;', "cdef:1:21: 'extern \"Python\"' declares functions only, and 'x' is no function declaration"],
    ['extern "Python" { int f(int); int *p; }', "cdef:1:36: 'extern \"Python\"' declares functions only, and 'p' is no function declaration"],
    ['extern "Python" static int f(int);', "cdef:1:17: 'static' cannot stand in 'extern \"Python\"'; it declares functions only"],
    ['extern "Python" { struct s { int a; } f(void); }', "cdef:1:19: 'extern \"Python\"' declares functions only; define the struct before it"],
    ['extern "Python" { int f(int);', "cdef:1:17: 'extern \"Python\" {' has no '}'"],
    ['extern "C" int f(int);', "cdef:1:8: 'extern \"C\"' is not supported in cdef; it takes 'extern \"Python\"' (or \"JS\")"],
    ['int f(int); extern "Python" long f(int);', "cdef:1:34: 'f' is already declared as function 'int(int)' (at 1:5)"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source).startsWith(message)).toBe(true);
  });
});

describe('global variables', () => {
  test('become variable Decls with their type and qualifiers', () => {
    const r = cdef(
      'struct cfg { int level; };\nint counter;\nextern int shared;\nint table[4];\nstruct cfg settings;\n' +
        'int (*callback)(int);\nconst char *const names[2];\nextern volatile unsigned ticks;',
    );
    expect(get(r, 'counter', 'variable')).toEqual({ kind: 'variable', name: 'counter', type: int, quals: 0, pos: { line: 2, column: 5 } });
    expect(get(r, 'shared', 'variable').type).toBe(int);
    expect(get(r, 'table', 'variable').type).toBe(arrayOf(int, 4));
    expect(get(r, 'settings', 'variable').type).toBe(structOf(r, 'struct', 'cfg'));
    expect(get(r, 'callback', 'variable').type).toBe(pointerTo(functionType([int], int, false)));
    expect(get(r, 'names', 'variable')).toMatchObject({ type: arrayOf(pointerTo(char, Q_CONST), 2), quals: Q_CONST });
    expect(get(r, 'ticks', 'variable')).toMatchObject({ type: primitive('unsigned int'), quals: Q_VOLATILE });
  });

  test('const globals are constants (as in CFFI): the compiler gives their value, nothing writes them', () => {
    expect(get(cdef('extern const int version;'), 'version', 'constant')).toMatchObject({ type: int, value: undefined, origin: 'static const' });
    expect(get(cdef('int (*const cb)(int);'), 'cb', 'constant').type.cname).toBe('int(*)(int)');
    // one of a type without a size is declared; reading it is refused
    const r = cdef('struct s; static const struct s X;');
    expect(get(r, 'X', 'constant').type).toBe(structOf(r, 'struct', 's'));
  });

  test("'static' globals are variables (the source's own, which verify()'s appended code reaches); const ones are constants, const arrays variables", () => {
    const r = cdef('static int x; static const char *p; static const int K[...]; static const int N;');
    expect(get(r, 'x', 'variable').type).toBe(int);
    expect(get(r, 'p', 'variable').type).toBe(pointerTo(char, Q_CONST));
    expect(get(r, 'K', 'variable')).toMatchObject({ type: arrayOf(int, null), quals: Q_CONST, lengthFromCompiler: true });
    expect(get(r, 'N', 'constant')).toMatchObject({ type: int, value: undefined, origin: 'static const' });
  });

  test('an extern of an incomplete struct is allowed (its address is usable)', () => {
    const r = cdef('struct opaque; extern struct opaque the_one;');
    expect(get(r, 'the_one', 'variable').type).toBe(structOf(r, 'struct', 'opaque'));
  });

  test.each([
    ['int x = 5;', "cdef:1:5: the variable 'x' has an initialiser, which cdef does not allow; declare it without one and initialise it in the source given to verify() (only 'static const' integers may have a value here)"],
    ['int *p = 0;', "cdef:1:6: the variable 'p' has an initialiser"],
    ['void v;', "cdef:1:6: the variable 'v' has type 'void'"],
    ['int f(void) = 0;', "cdef:1:13: the function 'f' cannot have an initialiser"],
    ['extern static int x;', "cdef:1:8: 'static' cannot be combined with 'extern'"],
    ['int x int;', "cdef:1:7: expected ';' after the declaration of 'x', found 'int'"],
    ['int x, int y;', "cdef:1:8: expected a name, found 'int'"],
    ['int if;', "cdef:1:5: expected a name, found 'if'"],
    ['int 3;', "cdef:1:5: expected a name, found '3'"],
    ['*p;', "cdef:1:1: expected a declaration, found '*'"],
    ['x;', "cdef:1:1: unknown type name 'x'"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source)).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});

describe('static const constants', () => {
  test('without a value: the compiler provides it', () => {
    const r = cdef('static const int LIMIT;\nstatic const double PI;');
    expect(get(r, 'LIMIT', 'constant')).toEqual({
      kind: 'constant', name: 'LIMIT', type: int, value: undefined, origin: 'static const', pos: { line: 1, column: 18 },
    });
    expect(get(r, 'PI', 'constant').type).toBe(primitive('double'));
  });

  test('with a value: evaluated and converted to the declared type', () => {
    const r = cdef(
      'static const int LIMIT = 5 * 4;\nstatic const unsigned char BYTE = 300;\nstatic const unsigned ALL = -1;\n' +
        'static const long BIG = 1L << 40;\nstatic const bool YES = 7;\nconst int PLAIN = 3;\nenum e { A };\nstatic const enum e E = 2;',
    );
    expect(get(r, 'LIMIT', 'constant')).toMatchObject({ value: 20, type: int, origin: 'static const' });
    expect(get(r, 'BYTE', 'constant')).toMatchObject({ value: 44, type: primitive('unsigned char') });
    expect(get(r, 'ALL', 'constant').value).toBe(4294967295);
    expect(get(r, 'BIG', 'constant').value).toBe(2 ** 40);
    expect(get(r, 'YES', 'constant')).toMatchObject({ value: 1, type: primitive('_Bool') });
    expect(get(r, 'PLAIN', 'constant').value).toBe(3);
    expect(get(r, 'E', 'constant')).toMatchObject({ value: 2, type: enumOf(r, 'e') });
  });

  test('a floating one: its initialiser passed over, the value the compiler\'s (as in CFFI)', () => {
    const r = cdef('static const float F = 42.5, G = (1.0 + 2) * 3;\nstatic const double H = 1e3;\nint after;');
    for (const n of ['F', 'G']) expect(get(r, n, 'constant')).toMatchObject({ value: undefined, type: primitive('float') });
    expect(get(r, 'H', 'constant')).toMatchObject({ value: undefined, type: primitive('double') });
    expect(get(r, 'after', 'variable').type).toBe(int);
  });

  test('constants feed later expressions with their types', () => {
    const r = cdef('static const unsigned char C = 200;\n#define D (C + C)\nstatic const unsigned long U = 1;\n#define V (U - 2)');
    expect(get(r, 'D', 'constant')).toMatchObject({ value: 400, type: int });
    expect(get(r, 'V', 'constant')).toMatchObject({ value: 18446744073709551615n, type: primitive('unsigned long') });
  });

  test('static const arrays are variables (as in CFFI)', () => {
    expect(get(cdef('static const int primes[3];'), 'primes', 'variable')).toMatchObject({ type: arrayOf(int, 3), quals: Q_CONST });
  });

  test.each([
    ['static const double PI = ;', "cdef:1:26: expected an initialiser after '=', found ';'"],
    ['static const char *const S = 0;', "cdef:1:26: the constant 'S' has type 'char *'; only integer constants may have a value in cdef"],
    ['static const int A[2] = 0;', "cdef:1:18: the constant 'A' has type 'int[2]'; only integer constants may have a value in cdef"],
    ['static const int X = ;', "cdef:1:22: expected an integer constant expression, found ';'"],
    ['static const int X = 1 2;', "cdef:1:24: expected ';' after the declaration of 'X', found '2'"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source)).toBe(message);
  });
});

describe('#define', () => {
  test('integer constant expressions, typed as C types them', () => {
    const r = cdef(
      '#define A 10\n#define B (A * 2 + \\\n   1)\n#define C 1u\n#define D 0x80000000\n#define E (1L << 40)\n' +
        "#define F 'x'\n  #  define G -1\n#define H ((unsigned char)300)\n#define I sizeof(long double)",
    );
    const c = (n: string): [unknown, string, string] => {
      const d = get(r, n, 'constant');
      return [d.value, d.type.cname, d.origin];
    };
    expect(c('A')).toEqual([10, 'int', 'define']);
    expect(c('B')).toEqual([21, 'int', 'define']);
    expect(c('C')).toEqual([1, 'unsigned int', 'define']);
    expect(c('D')).toEqual([2147483648, 'unsigned int', 'define']);
    expect(c('E')).toEqual([2 ** 40, 'long', 'define']);
    expect(c('F')).toEqual([120, 'int', 'define']);
    expect(c('G')).toEqual([-1, 'int', 'define']);
    expect(c('H')).toEqual([44, 'unsigned char', 'define']);
    expect(c('I')).toEqual([16, 'unsigned long', 'define']);
    expect(get(r, 'B', 'constant').pos).toEqual({ line: 2, column: 9 });
  });

  test('large values are bigints', () => {
    expect(get(cdef('#define M 0xffffffffffffffff'), 'M', 'constant').value).toBe(18446744073709551615n);
  });

  test('the null directive is allowed', () => {
    expect([...cdef('#\nint x;').values()].map((d) => d.name)).toEqual(['x']);
  });

  test.each([
    ['#define X', "cdef:1:9: '#define X' has no value; cdef takes '#define NAME <integer constant expression>'"],
    ['#define X "abc"', "cdef:1:11: '#define X' has a string value, which is not supported; cdef takes '#define NAME <integer constant expression>'"],
    ['#define X 1.5', "cdef:1:11: '#define X' has a floating-point value, which is not supported; cdef takes '#define NAME <integer constant expression>'"],
    ['#define F(x) ((x) * 2)', "cdef:1:9: function-like macros ('#define F(...)') are not supported; cdef takes '#define NAME <integer constant expression>'"],
    ['#define X 1 2', "cdef:1:13: expected the end of the line after the value of '#define X', found '2'"],
    ['#define X (1 +\n2)', 'cdef:1:15: expected an integer constant expression, found end of line'],
    ['#define X Y', "cdef:1:11: 'Y' is not a known integer constant"],
    ['#define', "cdef:1:8: expected the name of the macro after '#define', found end of line"],
    ['#define int 4', "cdef:1:9: expected the name of the macro after '#define', found 'int'"],
    ['#define X 1\n#define X 2', "cdef:2:9: 'X' is already declared as the constant 1 (at 1:9); pass { override: true } to replace it"],
    ['int x; #define X 1', "cdef:1:8: expected a declaration, found '#'"],
    ['struct s {\n#define X 1\n int x; };', "cdef:2:1: expected a member declaration or '}', found a preprocessor directive; directives must stand between declarations"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source)).toBe(message);
  });

  test("'#define F (x)' with a space is object-like: its value is the expression '(x)'", () => {
    expect(errorOf('#define F (x)')).toBe("cdef:1:12: 'x' is not a known integer constant");
  });

  test('identical #defines may repeat, as in C', () => {
    expect(get(cdef('#define X 1\n#define X (0 + 1)'), 'X', 'constant').value).toBe(1);
  });

  test('a constant declared again with the same value is ignored, whatever declares it, as CFFI ignores it; the first declaration stays', () => {
    // math.h: enum { FP_NAN = 0, ... } and #define FP_NAN 0.
    const r = cdef('enum { FP_NAN = 0, FP_INF };\n#define FP_NAN 0\n#define FP_INF (2 - 1)\nenum other { FP_INF = 1 };');
    expect(get(r, 'FP_NAN', 'constant')).toMatchObject({ origin: 'enum', value: 0 });
    expect(get(r, 'FP_INF', 'constant').type.kind).toBe('enum');
    // Across cdef calls, and a 64-bit value read as a bigint against a number-sized one.
    const first = get(r, 'FP_INF', 'constant');
    parseCdef('#define FP_INF 1\n#define BIG 0x7fffffffffffffff', r);
    parseCdef('#define BIG 9223372036854775807LL', r);
    expect(get(r, 'FP_INF', 'constant')).toBe(first);
    expect(get(r, 'BIG', 'constant').value).toBe(2n ** 63n - 1n);
    // Another value is still refused; override replaces.
    expect(() => parseCdef('#define FP_NAN 1', r)).toThrow("cdef:1:9: 'FP_NAN' is already declared as the constant 0 (at 1:8); pass { override: true } to replace it");
    parseCdef('#define FP_NAN 0', r, { override: true });
    expect(get(r, 'FP_NAN', 'constant').origin).toBe('define');
    // ffi.include() of a table declaring the same value another way is no conflict.
    const other = cdef('#define FP_INF 1');
    r.include(other);
    expect(get(r, 'FP_INF', 'constant')).toBe(first);
  });
});

describe('line markers and pragmas, as preprocessed headers have them', () => {
  test("'# N \"file\"' and '#line N \"file\"' set the file and line that messages name", () => {
    expect(errorOf('int x;\n# 42 "foo.h" 1 3\n\n  bad;')).toBe("foo.h:43:3: unknown type name 'bad'");
    expect(errorOf('#line 7 "foo//bar.c"\nbad;')).toBe("foo//bar.c:7:1: unknown type name 'bad'");
    expect(errorOf('\t # \t line \t 8 \t "baz.c" \t\n\nbad;')).toBe("baz.c:9:1: unknown type name 'bad'");
    // without a file name, only the line changes; in a comment, a marker is a comment
    expect(errorOf('#line 100\n/*\n# 5 "no.h"\n*/ bad;')).toBe("cdef:102:4: unknown type name 'bad'");
    expect(errorOf('# 3 "a.h"\nint x;\n# 9 "b.h"\nlong x;')).toBe(
      "b.h:9:6: 'x' is already declared as a variable of type 'int' (at a.h:3:5); pass { override: true } to replace it",
    );
    expect(errorOf('#line\nint x;')).toBe("cdef:1:1: expected a line number after '#line'");
    expect(get(cdef('# 1 "<built-in>"\n# 1 "x.h"\nint x;'), 'x', 'variable').pos).toEqual({ line: 1, column: 5, file: 'x.h' });
  });

  test("'#pragma pack' packs the structs after it as GCC does; other pragmas are skipped", () => {
    const r = cdef(
      '#pragma once\n#pragma GCC visibility push(default)\nstruct a { char c; int i; };\n#pragma pack(push, 1)\n' +
        'struct b { char c; int i; };\n#pragma pack(2)\nstruct c { char c; int i; };\n#pragma pack(pop)\nstruct d { char c; int i; };\n' +
        '#pragma pack(4)\n#pragma pack()\nstruct e { char c; double d; };',
    );
    expect(['a', 'b', 'c', 'd', 'e'].map((t) => structOf(r, 'struct', t).size)).toEqual([8, 5, 6, 8, 16]);
    expect(structOf(cdef('#pragma pack()\nstruct p { char c; int i; };', { pack: 2 }), 'struct', 'p').size).toBe(6);
  });

  test.each([
    ['#pragma pack(3)', "cdef:1:14: '#pragma pack' takes (n), (), (push), (push, n) or (pop), with n 1, 2, 4, 8 or 16, not '3'"],
    ['#pragma pack(pop)', "cdef:1:14: '#pragma pack(pop)' has no '#pragma pack(push)' before it in this cdef"],
    ['#pragma pack 1', "cdef:1:14: expected '(' after '#pragma pack'"],
    ['#pragma pack(1) x', "cdef:1:17: expected the end of the line after '#pragma pack(...)', found 'x'"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source).startsWith(message)).toBe(true);
  });

  test("'__stdcall', '__cdecl' and 'WINAPI' are dropped, as off 32-bit Windows", () => {
    const r = cdef('int __stdcall f(int); long (__cdecl *g)(void); short (WINAPI *h)(short); typedef int (__stdcall *cb)(int);');
    expect(get(r, 'f', 'function').type).toBe(functionType([int], int, false));
    expect(get(r, 'g', 'variable').type.cname).toBe('long(*)()');
    expect(get(r, 'h', 'variable').type.cname).toBe('short(*)(short)');
    expect(parseTypeName('int(*)(int __stdcall x(int))', new Registry()).cname).toBe('int(*)(int(*)(int))');
  });
});

describe('what cdef refuses', () => {
  test.each([
    ['#include <stdio.h>', "cdef:1:1: '#include' is not supported: cdef takes declarations, not headers; put the #include in the source given to verify() and declare here what you use from it"],
    ['int x;\n  #ifdef FOO', "cdef:2:3: '#ifdef' is not supported in cdef; the only directive it takes is '#define NAME <integer constant expression>'"],
    ['#if 1', "cdef:1:1: '#if' is not supported in cdef; the only directive it takes is '#define NAME <integer constant expression>'"],
    ['#undef X', "cdef:1:1: '#undef' is not supported in cdef; the only directive it takes is '#define NAME <integer constant expression>'"],
    ['#endif', "cdef:1:1: '#endif' is not supported in cdef; the only directive it takes is '#define NAME <integer constant expression>'"],
    ['#frobnicate', "cdef:1:1: '#frobnicate' is not a preprocessor directive"],
    ['#"x"', "cdef:1:2: expected a directive name after '#', found '\"x\"'"],
    ['foo_t x;', "cdef:1:1: unknown type name 'foo_t'"],
    ['int f(foo_t *p);', "cdef:1:7: unknown type name 'foo_t'"],
    ['const foo_t *p;', "cdef:1:7: unknown type name 'foo_t'"],
    ['__attribute__((packed)) struct s { int x; };', "cdef:1:1: '__attribute__' is not supported in cdef; leave it out here (the source given to verify() keeps it)"],
    ['int f(void) __attribute__((noreturn));', "cdef:1:13: '__attribute__' is not supported in cdef; leave it out here (the source given to verify() keeps it)"],
    ['struct s { int x; } __attribute__((packed));', "cdef:1:21: '__attribute__' is not supported in cdef; leave it out here (the source given to verify() keeps it)"],
    ['__declspec(dllimport) int f(void);', "cdef:1:1: '__declspec' is not supported in cdef; leave it out here (the source given to verify() keeps it)"],
    ['long double _Complex z;', "cdef:1:13: 'long double _Complex' is not supported: JavaScript has no long double to hold its parts (CFFI does not support it either); use 'double _Complex'"],
    ['int _Complex z;', "cdef:1:5: invalid type 'int _Complex'; the complex types are 'float _Complex' and 'double _Complex'"],
    ['_Imaginary double z;', "cdef:1:1: '_Imaginary' (imaginary number types) is not supported in cdef"],
    ['_Atomic int a;', "cdef:1:1: '_Atomic' (atomic types) is not supported in cdef"],
    ['inline int f(void);', "cdef:1:1: 'inline' functions are not allowed in cdef; declare the prototype here and define the function in the source given to verify()"],
    ['static inline int f(void) { return 0; }', "cdef:1:8: 'inline' functions are not allowed in cdef"],
    ['register int r;', "cdef:1:1: 'register' is not allowed here: C takes it on function parameters only"],
    ['struct s { register int a; };', "cdef:1:12: 'register' is not allowed on a struct member"],
    ['int f(register register int x);', "cdef:1:16: 'register' cannot be repeated"],
    ['int f(auto int x);', "cdef:1:7: the storage class 'auto' is not supported in cdef"],
    ['__thread int t;', "cdef:1:1: the storage class '__thread' is not supported in cdef"],
    ['int f(void) __asm__("g");', "cdef:1:13: '__asm__' is not supported in cdef"],
    ['_Static_assert(1, "x");', "cdef:1:1: '_Static_assert' is not supported in cdef"],
    ['extern "C" { int f(void); }', "cdef:1:8: 'extern \"C\"' is not supported in cdef"],
    ['int x;}', "cdef:1:7: expected a declaration, found '}'"],
    ['if (x) y;', "cdef:1:1: expected a declaration, found 'if'"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source).startsWith(message)).toBe(true);
  });

  test.each([
    ['enum e { A = 1 + ... };', 1, 18],
    ['static const int X = ...;', 1, 22],
    ['int a[2 + ...];', 1, 11],
  ])("a misplaced '...' in %s is refused at %i:%i, saying where '...' may stand", (source, line, column) => {
    const e = cdefError(source);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message).toBe(`cdef:${line}:${column}: ${MISPLACED_ELLIPSIS}`);
  });
});
