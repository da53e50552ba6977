// Tests of the cdef parser on globals, constants, #define, what cdef refuses, and API mode's '...' placeholders.
import { Q_CONST, Q_VOLATILE, StructType, arrayOf, functionType, pendingLayout, pointerTo, primitive } from '../../lib/ctype/model';
import { Registry } from '../../lib/ctype/registry';
import { MISPLACED_ELLIPSIS } from '../../lib/cparser/lexer';
import { int, char, cdef, cdefError, errorOf, get, structOf, enumOf, fieldsOf } from '../helpers/cdef';

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

  test('const globals without a value are variables', () => {
    expect(get(cdef('extern const int version;'), 'version', 'variable').quals).toBe(Q_CONST);
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
    ['static int x;', "cdef:1:1: 'static' is not allowed on 'x'; cdef only accepts 'static const' constants ('static const int NAME;')"],
    ['static const char *p;', "cdef:1:1: 'static' is not allowed on 'p'"],
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

  test('constants feed later expressions with their types', () => {
    const r = cdef('static const unsigned char C = 200;\n#define D (C + C)\nstatic const unsigned long U = 1;\n#define V (U - 2)');
    expect(get(r, 'D', 'constant')).toMatchObject({ value: 400, type: int });
    expect(get(r, 'V', 'constant')).toMatchObject({ value: 18446744073709551615n, type: primitive('unsigned long') });
  });

  test('static const arrays are variables (as in CFFI)', () => {
    expect(get(cdef('static const int primes[3];'), 'primes', 'variable')).toMatchObject({ type: arrayOf(int, 3), quals: Q_CONST });
  });

  test.each([
    ['static const double PI = 3;', "cdef:1:21: the constant 'PI' has type 'double'; only integer constants may have a value in cdef"],
    ['static const char *const S = 0;', "cdef:1:26: the constant 'S' has type 'const char *'; only integer constants may have a value in cdef"],
    ['static const int A[2] = 0;', "cdef:1:18: the constant 'A' has type 'int[2]'; only integer constants may have a value in cdef"],
    ['struct s; static const struct s X;', "cdef:1:33: the constant 'X' has the incomplete type 'struct s'"],
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
});

describe('what cdef refuses', () => {
  test.each([
    ['#include <stdio.h>', "cdef:1:1: '#include' is not supported: cdef takes declarations, not headers; put the #include in the source given to verify() and declare here what you use from it"],
    ['int x;\n  #ifdef FOO', "cdef:2:3: '#ifdef' is not supported in cdef; the only directive it takes is '#define NAME <integer constant expression>'"],
    ['#if 1', "cdef:1:1: '#if' is not supported in cdef; the only directive it takes is '#define NAME <integer constant expression>'"],
    ['#undef X', "cdef:1:1: '#undef' is not supported in cdef; the only directive it takes is '#define NAME <integer constant expression>'"],
    ['#endif', "cdef:1:1: '#endif' is not supported in cdef; the only directive it takes is '#define NAME <integer constant expression>'"],
    ['#pragma once', "cdef:1:1: '#pragma' is not supported in cdef"],
    ['#pragma pack(1)', "cdef:1:1: '#pragma' is not supported in cdef; instead of '#pragma pack', pass the 'pack' (or 'packed') option"],
    ['#frobnicate', "cdef:1:1: '#frobnicate' is not a preprocessor directive"],
    ['# 1 "file.h"', "cdef:1:1: line markers ('# 1 \"file\"') are not supported in cdef"],
    ['#"x"', "cdef:1:2: expected a directive name after '#', found '\"x\"'"],
    ['foo_t x;', "cdef:1:1: unknown type name 'foo_t'"],
    ['int f(foo_t *p);', "cdef:1:7: unknown type name 'foo_t'"],
    ['const foo_t *p;', "cdef:1:7: unknown type name 'foo_t'"],
    ['__attribute__((packed)) struct s { int x; };', "cdef:1:1: '__attribute__' is not supported in cdef; leave it out here (the source given to verify() keeps it)"],
    ['int f(void) __attribute__((noreturn));', "cdef:1:13: '__attribute__' is not supported in cdef; leave it out here (the source given to verify() keeps it)"],
    ['struct s { int x; } __attribute__((packed));', "cdef:1:21: '__attribute__' is not supported in cdef; leave it out here (the source given to verify() keeps it)"],
    ['__declspec(dllimport) int f(void);', "cdef:1:1: '__declspec' is not supported in cdef; leave it out here (the source given to verify() keeps it)"],
    ['_Complex double z;', "cdef:1:1: '_Complex' (complex number types) is not supported in cdef"],
    ['double _Complex z;', "cdef:1:8: '_Complex' (complex number types) is not supported in cdef"],
    ['_Atomic int a;', "cdef:1:1: '_Atomic' (atomic types) is not supported in cdef"],
    ['inline int f(void);', "cdef:1:1: 'inline' functions are not allowed in cdef; declare the prototype here and define the function in the source given to verify()"],
    ['static inline int f(void) { return 0; }', "cdef:1:8: 'inline' functions are not allowed in cdef"],
    ['register int r;', "cdef:1:1: the storage class 'register' is not supported in cdef"],
    ['__thread int t;', "cdef:1:1: the storage class '__thread' is not supported in cdef"],
    ['int f(void) __asm__("g");', "cdef:1:13: '__asm__' is not supported in cdef"],
    ['_Static_assert(1, "x");', "cdef:1:1: '_Static_assert' is not supported in cdef"],
    ['extern "C" { int f(void); }', "cdef:1:8: expected a declaration, found '\"C\"'"],
    ['int x;}', "cdef:1:7: expected a declaration, found '}'"],
    ['if (x) y;', "cdef:1:1: expected a declaration, found 'if'"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source).startsWith(message)).toBe(true);
  });

  test.each([
    ['enum e { A = ... };', 1, 14],
    ['static const int X = ...;', 1, 22],
    ['int a[2 + ...];', 1, 11],
  ])("a misplaced '...' in %s is refused at %i:%i, saying where '...' may stand", (source, line, column) => {
    const e = cdefError(source);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message).toBe(`cdef:${line}:${column}: ${MISPLACED_ELLIPSIS}`);
  });
});

describe("API mode: '...' placeholders", () => {
  const pending = (r: Registry, key: string) => {
    const d = r.get(key);
    return d?.kind === 'tag' || d?.kind === 'typedef' ? pendingLayout(d.type) : undefined;
  };

  test('a partial struct keeps its members as declared; its layout waits for the compiler', () => {
    const r = cdef('struct s { int x; ...; char *name; };\nint get(struct s *p);');
    const t = structOf(r, 'struct', 's');
    expect(t.partial).toBe(true);
    expect(t.complete).toBe(false);
    expect([t.size, t.align]).toEqual([-1, -1]);
    expect(t.members?.map((m) => `${m.name}:${m.type.cname}`)).toEqual(['x:int', 'name:char *']);
    expect(pending(r, 'struct s')).toBe(t);
    expect(get(r, 'get', 'function').type.args[0]).toBe(pointerTo(t));
  });

  test('a struct holding a pending type by value is laid out by the compiler too; through a pointer it is not', () => {
    const r = cdef(`
      struct in { int x; ...; };
      typedef int... count_t;
      struct by_value { int a; struct in inner[2]; };
      struct by_count { count_t n; char c; };
      struct by_pointer { struct in *p; int a; };
      struct with_length { char c; int v[...]; };`);
    for (const name of ['by_value', 'by_count', 'with_length']) {
      const t = structOf(r, 'struct', name);
      expect([t.partial, t.members !== null, t.complete]).toEqual([false, true, false]);
    }
    expect(fieldsOf(structOf(r, 'struct', 'by_pointer'))).toEqual(['p:struct in *@0', 'a:int@8']);
    const v = structOf(r, 'struct', 'with_length').members?.[1];
    expect([v?.type.cname, v?.lengthFromCompiler]).toEqual(['int[]', true]);
  });

  test("'sizeof' and casts of a pending type are refused in cdef's constant expressions", () => {
    expect(errorOf('struct s { int x; ...; };\nint a[sizeof(struct s)];')).toBe(
      "cdef:2:13: sizeof is applied to 'struct s': the layout of 'struct s' is not known until verify() compiles it " +
        "(the cdef leaves it to the C compiler with '...')",
    );
    expect(errorOf('typedef int... n_t;\n#define K ((n_t)1)')).toMatch(/^cdef:2:13: cannot cast to 'n_t' here: the size of 'n_t' is not known/);
  });

  test.each([
    ['struct s { int x : 3; ...; };', "cdef:1:16: bit-field 'x' in 'struct s', whose layout comes from the C compiler: bit-fields are not supported there"],
    ['struct s { int x; ...; int x; };', "cdef:1:28: duplicate member 'x' in 'struct s'"],
    ['struct o; struct s { struct o v; ...; };', "cdef:1:31: member 'v' has incomplete type 'struct o'"],
    ['struct s { int v[]; ...; int y; };', "cdef:1:16: flexible array member 'v' must be the last member of a struct"],
    ['struct s { struct { int a; ...; } in; };', "cdef:1:12: this anonymous struct gets its layout from the C compiler, which needs a name"],
    ['struct s { struct { int a; ...; }; };', "cdef:1:12: an anonymous member of 'struct s', whose layout comes from the C compiler, must have a complete layout itself; give the member a name"],
    ['struct s { union { int a : 2; }; ...; };', "cdef:1:12: an anonymous member of 'struct s', whose layout comes from the C compiler, needs a field"],
  ])('%s fails: %s', (source, message) => {
    expect(errorOf(source).startsWith(message)).toBe(true);
  });

  test('anonymous members with a complete layout are kept whole; a typedef names an anonymous partial struct', () => {
    const r = cdef('typedef struct { union { int i; float f; }; int tag; ...; } value_t;');
    const t = get(r, 'value_t', 'typedef').type as StructType;
    expect([t.cname, t.partial]).toEqual(['value_t', true]);
    expect(t.members?.map((m) => m.name)).toEqual(['', 'tag']);
  });

  test('identical partial redefinitions keep the type; different members need override', () => {
    const r = cdef('struct s { int x; ...; };');
    const t = structOf(r, 'struct', 's');
    cdef('struct s { int x; ...; };', undefined, r);
    expect(structOf(r, 'struct', 's')).toBe(t);
    expect(errorOf('struct s { int x; };', r)).toMatch(/^cdef:1:8: 'struct s' is already defined with different members/);
    expect(errorOf('struct s { long x; ...; };', r)).toMatch(/^cdef:1:8: 'struct s' is already defined with different members/);
    cdef('struct s { long x; ...; };', { override: true }, r);
    expect(structOf(r, 'struct', 's')).not.toBe(t);
  });

  test('a failing cdef leaves a forward-declared struct as it was', () => {
    const r = cdef('struct s;');
    const t = structOf(r, 'struct', 's');
    cdefError('struct s { int x; ...; };\nint broken(', r);
    expect([t.partial, t.members, t.fields, t.complete]).toEqual([false, null, null, false]);
  });

  test("'[...]' gives a global an open array until the compiler gives the length", () => {
    const r = cdef('int table[...];\nextern double grid[...][4];');
    const table = get(r, 'table', 'variable');
    expect([table.type.cname, table.lengthFromCompiler]).toEqual(['int[]', true]);
    expect(get(r, 'grid', 'variable').type).toBe(arrayOf(arrayOf(primitive('double'), 4), null));
    expect(get(cdef('int open[];'), 'open', 'variable').lengthFromCompiler).toBeUndefined();
  });

  test.each([
    ['int m[4][...];', "cdef:1:9: '[...]' (a length the compiler gives) can only be the outermost length"],
    ['typedef int row_t[...];', "cdef:1:18: '[...]' (a length the compiler gives) cannot stand in a typedef; only struct members and global variables take it"],
    ['void f(int a[...]);', "cdef:1:13: '[...]' (a length the compiler gives) cannot stand in a parameter"],
    ['static const int K[...];', "cdef:1:19: '[...]' (a length the compiler gives) cannot stand in a constant"],
    ['int a[...;', "cdef:1:10: expected ']' after '[...', found ';'"],
  ])('%s fails: %s', (source, message) => {
    expect(errorOf(source).startsWith(message)).toBe(true);
  });

  test("'#define X ...' declares a constant whose value comes from the compiler", () => {
    const r = cdef('#define LIMIT ...\n#define LIMIT ...');
    const d = get(r, 'LIMIT', 'constant');
    expect([d.value, d.origin]).toEqual([undefined, 'define']);
    expect(errorOf('#define N (LIMIT + 1)', r)).toBe(
      "cdef:1:12: the value of 'LIMIT' comes from the compiler, so cdef cannot use it in a constant expression",
    );
    expect(errorOf('#define X ... 1')).toBe("cdef:1:15: expected the end of the line after '#define X ...', found '1'");
  });

  test('a partial enum: values written are kept (and checked later), the others come from the compiler', () => {
    const r = cdef('enum e { A, B = 5, C, ... };');
    const t = enumOf(r, 'e');
    expect([t.partial, t.settled, t.size, t.relements]).toEqual([true, false, -1, {}]);
    expect(pending(r, 'enum e')).toBe(t);
    expect(['A', 'B', 'C'].map((n) => get(r, n, 'constant').value)).toEqual([undefined, 5, undefined]);
    expect(['A', 'B', 'C'].every((n) => get(r, n, 'constant').type === t)).toBe(true);
    cdef('enum e { A, B = 5, C, ... };', undefined, r);
    expect(enumOf(r, 'e')).toBe(t);
    expect(errorOf('enum e { A, B, C };', r)).toMatch(/^cdef:1:6: 'enum e' is already defined with different enumerators/);
    expect(errorOf('enum e { A, B = 6, C, ... };', r)).toMatch(/^cdef:1:6: 'enum e' is already defined with different enumerators/);
  });

  test.each([
    ['enum e { ... };', "cdef:1:10: a partial enum needs at least one enumerator before '...'"],
    ['enum e { A, ..., B };', "cdef:1:16: expected '}' after '...' (it ends a partial enum), found ','"],
    ['enum e { A, ... }; int x[A];', "cdef:1:26: the value of 'A' comes from the compiler, so cdef cannot use it in a constant expression"],
  ])('%s fails: %s', (source, message) => {
    expect(errorOf(source)).toBe(message);
  });

  test("'typedef int... t;' and 'typedef float... t;' name types whose size and sign come from the compiler", () => {
    const r = cdef('typedef int... count_t;\ntypedef float... real_t;\ntypedef int... count_t;\ncount_t next(count_t *c, real_t r);');
    const count = get(r, 'count_t', 'typedef').type;
    const real = get(r, 'real_t', 'typedef').type;
    expect([count.kind, count.cname, count.size]).toEqual(['primitive', 'count_t', -1]);
    expect(count.kind === 'primitive' && [count.deferred, real.kind === 'primitive' && real.deferred]).toEqual(['int', 'float']);
    expect(pending(r, 'count_t')).toBe(count);
    expect(get(r, 'next', 'function').type.cname).toBe('count_t(count_t *, real_t)');
    // The C library's types are known already: a placeholder for one changes nothing.
    cdef('typedef int... size_t;', undefined, r);
    expect(r.get('size_t')).toBeUndefined();
  });

  test.each([
    ['typedef long... t;', "cdef:1:13: 'long...' is not a placeholder cdef knows; write 'typedef int... name;' (any integer type) or 'typedef float... name;' (any floating type)"],
    ['typedef const int... t;', "cdef:1:18: 'int...' is not a placeholder cdef knows"],
    ['int... t;', "cdef:1:4: '...' after a type makes a typedef the compiler completes"],
    ['typedef int... *t;', "cdef:1:16: expected the name of the typedef after 'int...', found '*'"],
    ['typedef int... a, b;', "cdef:1:17: expected ';' after 'typedef int... a', found ','"],
    ['typedef int... double_t; typedef float... double_t;', "cdef:1:43: 'double_t' is already declared as a typedef for 'double_t'"],
    ['typedef float... size_t;', "cdef:1:18: 'size_t' is a built-in type (an unsigned 8-byte integer), not a floating type"],
  ])('%s fails: %s', (source, message) => {
    expect(errorOf(source).startsWith(message)).toBe(true);
  });

  test("'typedef ... t;' is an opaque type, usable through pointers only", () => {
    const r = cdef('typedef ... handle_t;\ntypedef ... handle_t;\nhandle_t *open_handle(void);\nvoid close_handle(handle_t *h);');
    const t = get(r, 'handle_t', 'typedef').type as StructType;
    expect([t.kind, t.cname, t.complete, t.members]).toEqual(['struct', 'handle_t', false, null]);
    expect(get(r, 'open_handle', 'function').type.result).toBe(pointerTo(t));
    expect(errorOf('struct s { handle_t h; };', r)).toBe("cdef:1:21: member 'h' has incomplete type 'handle_t'");
    expect(errorOf('typedef ... int;')).toBe("cdef:1:13: expected the name of the opaque type after 'typedef ...', found 'int'");
    expect(errorOf('typedef ... t')).toBe("cdef:1:14: expected ';' after 'typedef ... t', found end of input");
    expect(errorOf('typedef ... size_t;')).toBe("cdef:1:13: 'size_t' is a built-in type and cannot be redefined as an opaque type");
  });
});
