// Tests of the cdef parser: comments, prototypes, primitive types, type names, qualifiers, pointers and arrays.
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

describe('comments', () => {
  test('line and block comments are ignored, positions stay right', () => {
    const r = cdef('// a comment\n/* one\n   two */ int /* inline */ x; // trailing\nint y;');
    expect(get(r, 'x', 'variable').pos).toEqual({ line: 3, column: 28 });
    expect(get(r, 'y', 'variable').pos).toEqual({ line: 4, column: 5 });
  });

  test('an unterminated comment is an error at its start', () => {
    expect(errorOf('int x;\n int y; /* no end\n')).toBe("cdef:2:9: unterminated comment: '/*' has no '*/'");
  });
});

describe('function prototypes', () => {
  test('keep the function type and the parameter names', () => {
    const r = cdef('int add(int a, int b);');
    const f = get(r, 'add', 'function');
    expect(f.type).toBe(functionType([int, int], int, false));
    expect(f.type.cname).toBe('int(int, int)');
    expect(f.argNames).toEqual(['a', 'b']);
    expect(f.pos).toEqual({ line: 1, column: 5 });
  });

  test("'extern' is allowed and ignored", () => {
    const r = cdef('extern double sqrt(double);');
    expect(get(r, 'sqrt', 'function').type).toBe(functionType([primitive('double')], primitive('double'), false));
  });

  test('f() means f(void)', () => {
    const r = cdef('int f(); int g(void);');
    expect(get(r, 'f', 'function').type).toBe(functionType([], int, false));
    expect(get(r, 'f', 'function').type).toBe(get(r, 'g', 'function').type);
    expect(get(r, 'g', 'function').type.spelling).toBe('int(void)');
    expect(get(r, 'g', 'function').type.cname).toBe('int()');
    expect(get(r, 'g', 'function').argNames).toEqual([]);
  });

  test('variadic functions', () => {
    const r = cdef('int printf(const char *fmt, ...);');
    const f = get(r, 'printf', 'function');
    expect(f.type).toBe(functionType([pointerTo(char, Q_CONST)], int, true));
    expect(f.type.spelling).toBe('int(const char *, ...)');
    expect(f.type.cname).toBe('int(char *, ...)');
    expect(f.argNames).toEqual(['fmt']);
  });

  test('parameter names are optional (null where absent)', () => {
    const f = get(cdef('void f(int, char *name, double);'), 'f', 'function');
    expect(f.argNames).toEqual([null, 'name', null]);
    expect(f.type.cname).toBe('void(int, char *, double)');
  });

  test('array parameters decay to pointers, function parameters to function pointers', () => {
    const f = get(cdef('void f(int a[], const char b[10], int m[][3], int cb(int), int (*fp)(int));'), 'f', 'function');
    const fnInt = functionType([int], int, false);
    expect(f.type.args).toEqual([pointerTo(int), pointerTo(char, Q_CONST), pointerTo(arrayOf(int, 3)), pointerTo(fnInt), pointerTo(fnInt)]);
    expect(f.argNames).toEqual(['a', 'b', 'm', 'cb', 'fp']);
  });

  test("a parameter's outermost array may hold qualifiers, 'static' and a variable length, as C99 allows: a pointer still", () => {
    const r = cdef(
      'int f1(char *const a[restrict]); int f2(int a[static 4]); int f3(int a[const]); int f4(int a[const volatile static 4]); ' +
        'int f5(int n, int a[n]); int f6(int n, int a[*]); int f7(int n, int a[static 2 * n + 1]); int f8(int n, int (a)[n]); ' +
        'int f9(int a[__restrict][3]); int f10(int n, void (*g)(int m, int b[n][3])); int f11(int a[static sizeof(int)]); ' +
        'int f12(int (*a[static 3])); void f13(struct later a[static 2]); int f14(int n, int a[restrict n]); int f15(int a[*][3]);',
    );
    const args = (n: string): readonly unknown[] => get(r, n, 'function').type.args;
    for (const n of ['f2', 'f3', 'f4', 'f11']) expect(args(n)).toEqual([pointerTo(int)]);
    for (const n of ['f5', 'f6', 'f7', 'f8', 'f14']) expect(args(n)).toEqual([int, pointerTo(int)]);
    // Qualifiers in '[]' qualify the parameter itself, which the function's type does not show.
    expect(args('f1')).toEqual([pointerTo(pointerTo(char), Q_CONST)]);
    for (const n of ['f9', 'f15']) expect(args(n)).toEqual([pointerTo(arrayOf(int, 3))]);
    expect(args('f10')).toEqual([int, pointerTo(functionType([int, pointerTo(arrayOf(int, 3))], VOID, false))]);
    expect(args('f12')).toEqual([pointerTo(pointerTo(int))]);
    expect(get(r, 'f13', 'function').type.args[0].kind).toBe('pointer');
    expect(get(r, 'f5', 'function').argNames).toEqual(['n', 'a']);
  });

  test.each([
    // Anywhere but a parameter's outermost array, these are no array length.
    ['int x[restrict];', "cdef:1:7: expected an integer constant expression, found 'restrict'"],
    ['int y[static 3];', "cdef:1:7: expected an integer constant expression, found 'static'"],
    ['typedef int t[const];', "cdef:1:15: expected an integer constant expression, found 'const'"],
    ['struct s { int a[restrict]; };', "cdef:1:18: expected an integer constant expression, found 'restrict'"],
    ['int f(int (*a)[static 3]);', "cdef:1:16: expected an integer constant expression, found 'static'"],
    ['int f(int a[3][restrict]);', "cdef:1:16: expected an integer constant expression, found 'restrict'"],
    ['int (*f(int n))[n];', "cdef:1:17: 'n' is not a known integer constant"],
    // A variable length elsewhere is one cdef cannot represent; a name no parameter has is no length.
    ['int f(int n, int a[][n]);', "cdef:1:22: 'n' is not a known integer constant"],
    ['int f(int a[n], int n);', "cdef:1:13: 'n' is not a known integer constant"],
    ['int f(int a[FOO]);', "cdef:1:13: 'FOO' is not a known integer constant"],
    ['int f(int a[static]);', "cdef:1:19: expected the array's least length after 'static', found ']'"],
    ['int f(int a[static -1]);', "cdef:1:20: the array size -1 is negative"],
    ['int f(int a[*3]);', "cdef:1:13: expected an integer constant expression, found '*'"],
    ['int f(int a[static ...]);', "cdef:1:12: '[...]' (a length the compiler gives) cannot stand in a parameter; only struct members, global variables and typedefs take it"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source)).toBe(message);
  });

  test('functions returning function pointers and pointers to arrays', () => {
    const r = cdef('int (*getop(char c))(int, int); int (*rows(void))[4];');
    expect(get(r, 'getop', 'function').type.cname).toBe('int(*(char))(int, int)');
    expect(get(r, 'getop', 'function').argNames).toEqual(['c']);
    expect(get(r, 'rows', 'function').type.result).toBe(pointerTo(arrayOf(int, 4)));
  });

  test('a function declared through a function typedef, and several on one line', () => {
    const r = cdef('typedef int handler_t(int code); handler_t on_a, on_b; int x, f(void);');
    expect(get(r, 'on_a', 'function').type).toBe(functionType([int], int, false));
    expect(get(r, 'on_a', 'function').argNames).toEqual([null]);
    expect(get(r, 'on_b', 'function').type).toBe(get(r, 'on_a', 'function').type);
    expect(get(r, 'x', 'variable').type).toBe(int);
    expect(get(r, 'f', 'function').type.spelling).toBe('int(void)');
  });

  test('parameter names may be typedef names and shadow them', () => {
    const r = cdef('typedef int t; void f(t t, t); void g(t);');
    expect(get(r, 'f', 'function').type.cname).toBe('void(int, int)');
    expect(get(r, 'f', 'function').argNames).toEqual(['t', null]);
    expect(get(r, 'g', 'function').argNames).toEqual([null]);
  });

  test.each([
    ['int f(...);', "cdef:1:7: 'f(...)' has only '...' as parameters, which C does not allow; '...' needs at least one parameter before it"],
    ['int (*f)(...);', "cdef:1:10: 'f(...)' has only '...' as parameters, which C does not allow; '...' needs at least one parameter before it"],
    ['typedef int t(int, int(...));', "cdef:1:24: a parameter list of only '...', which C does not allow; '...' needs at least one parameter before it"],
    ['int f(int, ..., int);', "cdef:1:15: expected ')' after '...', found ','"],
    ['int f(void, int);', "cdef:1:7: 'void' must be the only parameter"],
    ['int f(int, void);', "cdef:1:12: 'void' must be the only parameter"],
    ['int f(void x);', "cdef:1:7: a 'void' parameter cannot have a name or qualifiers"],
    ['int f(const void);', "cdef:1:7: a 'void' parameter cannot have a name or qualifiers"],
    ['int f(int a, int a);', "cdef:1:18: the parameter name 'a' appears twice"],
    ['int f(void)[3];', "cdef:1:6: a function cannot return an array ('int[3]')"],
    ['int f(void)(int);', "cdef:1:6: a function cannot return a function ('int(int)')"],
    ['int f(int x', "cdef:1:12: expected ',' or ')' in the parameter list, found end of input"],
    ['int f(static int x);', "cdef:1:7: 'static' is not allowed on a parameter"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source)).toBe(message);
  });

  test('a function body is refused, quoting the prototype to declare instead', () => {
    expect(errorOf('int f(int x) { return x; }')).toBe(
      "cdef:1:14: function bodies are not allowed in cdef; declare 'int f(int x);' here and put the body in the source given to verify()",
    );
    expect(errorOf('static\nunsigned   long\nhash(const char *s,\n  int n)\n{\n}')).toBe(
      "cdef:5:1: function bodies are not allowed in cdef; declare 'static unsigned long hash(const char *s, int n);' here and put the body in the source given to verify()",
    );
  });

  test('K&R-style parameter lists are refused', () => {
    const message = errorOf('int f(a, b)\nint a; int b;\n{ }');
    expect(message).toBe(
      "cdef:1:7: unknown type name 'a', or a K&R-style parameter without a type, which cdef does not support; give each parameter its type, as in 'int f(int a)'",
    );
  });

  test('static functions are the source\'s own, which the code verify() appends reaches: taken, as CFFI does', () => {
    expect(get(cdef('static int f(int);'), 'f', 'function').type).toBe(functionType([int], int, false));
  });
});

describe('primitive types', () => {
  test('every primitive parses to its interned type, by its canonical name', () => {
    const r = new Registry();
    for (const spec of PRIMITIVES) {
      const t = parseTypeName(spec.name, r);
      expect(t).toBe(primitive(spec.name));
      expect(t.cname).toBe(spec.name);
    }
    expect(parseTypeName('void', r)).toBe(VOID);
  });

  test.each([
    ['unsigned', 'unsigned int'],
    ['signed', 'int'],
    ['signed int', 'int'],
    ['int signed', 'int'],
    ['short int', 'short'],
    ['signed short', 'short'],
    ['short signed int', 'short'],
    ['unsigned short int', 'unsigned short'],
    ['long int', 'long'],
    ['signed long', 'long'],
    ['unsigned long int', 'unsigned long'],
    ['int unsigned long', 'unsigned long'],
    ['long unsigned', 'unsigned long'],
    ['long long int', 'long long'],
    ['long int long', 'long long'],
    ['signed long long', 'long long'],
    ['unsigned long long int', 'unsigned long long'],
    ['long long unsigned int', 'unsigned long long'],
    ['signed char', 'signed char'],
    ['char signed', 'signed char'],
    ['unsigned char', 'unsigned char'],
    ['long double', 'long double'],
    ['double long', 'long double'],
    ['bool', '_Bool'],
    ['_Bool', '_Bool'],
    ['size_t', 'size_t'],
    ['uint8_t', 'uint8_t'],
    ['const volatile int', 'int'],
  ])("'%s' is %s", (text, name) => {
    expect(parseTypeName(text, new Registry())).toBe(primitive(name));
  });

  // Refused at the first word that no valid spelling has room for after the ones before it, as CFFI points there.
  test.each([
    ['short long', 7],
    ['unsigned float', 10],
    ['signed _Bool', 8],
    ['long char', 6],
    ['long long long', 11],
    ['signed unsigned', 8],
    ['int int', 5],
    ['char short', 6],
    ['double float', 8],
    ['long long double', 11],
    ['unsigned double', 10],
    ['void int', 6],
    ['short short', 7],
  ])("'%s' is invalid, from column %d", (text, column) => {
    expect(errorOf(`${text} x;`)).toBe(`cdef:1:${column}: invalid type '${text}'`);
  });

  test('a built-in or typedef name cannot combine with type words', () => {
    expect(errorOf('size_t unsigned x;')).toBe("cdef:1:8: 'unsigned' cannot be combined with 'size_t' in one type");
    expect(errorOf('int struct s x;')).toBe("cdef:1:5: 'struct' cannot be combined with 'int' in one type");
    // A tag names the type too: what follows it, or a typedef name before it, is refused naming it.
    expect(errorOf('struct s int x;')).toBe("cdef:1:10: 'int' cannot be combined with 'struct' in one type");
    expect(errorOf('struct s { int a; } union u x;')).toBe("cdef:1:21: 'union' cannot be combined with 'struct' in one type");
    expect(errorOf('size_t enum e x;')).toBe("cdef:1:8: 'enum' cannot be combined with 'size_t' in one type");
    expect(errorOf('struct;')).toBe("cdef:1:7: expected a name or '{' after 'struct', found ';'");
    expect(errorOf('struct s { struct s { int a; } in; };')).toBe("cdef:1:19: nested redefinition of 'struct s'");
  });

  test('pages of repeated type words fail fast', () => {
    expect(errorOf(`${'int '.repeat(100000)}x;`)).toBe("cdef:1:1: invalid type 'int int int int int'");
  });
});

describe('parseTypeName', () => {
  test('returns the interned types', () => {
    const r = cdef('struct pt { int x, y; }; typedef int myint_t; enum color { RED };');
    expect(parseTypeName('int *', r)).toBe(pointerTo(int));
    expect(parseTypeName('struct pt[3]', r)).toBe(arrayOf(structOf(r, 'struct', 'pt'), 3));
    expect(parseTypeName('int(*)(int, int)', r)).toBe(pointerTo(functionType([int, int], int, false)));
    expect(parseTypeName('const char *', r)).toBe(pointerTo(char, Q_CONST));
    expect(parseTypeName('int[]', r)).toBe(arrayOf(int, null));
    expect(parseTypeName('myint_t', r)).toBe(int);
    expect(parseTypeName('enum color', r)).toBe(enumOf(r, 'color'));
    expect(parseTypeName('int[2][3]', r)).toBe(arrayOf(arrayOf(int, 3), 2));
    expect(parseTypeName('int (*)[3]', r)).toBe(pointerTo(arrayOf(int, 3)));
    expect(parseTypeName('int (*[2])(void)', r)).toBe(arrayOf(pointerTo(functionType([], int, false)), 2));
    expect(parseTypeName('int(int)', r)).toBe(functionType([int], int, false));
    expect(parseTypeName('char * const *', r)).toBe(pointerTo(pointerTo(char), Q_CONST));
    expect(parseTypeName('  unsigned\tlong  ', r)).toBe(primitive('unsigned long'));
  });

  test('drops qualifiers of the type itself but keeps those of pointees', () => {
    const r = new Registry();
    expect(parseTypeName('const int', r)).toBe(int);
    expect(parseTypeName('int * const', r)).toBe(pointerTo(int));
    expect(parseTypeName('volatile int *', r)).toBe(pointerTo(int, Q_VOLATILE));
  });

  test('caches results by text in registry.typeCache', () => {
    const r = cdef('typedef int t;');
    const t = parseTypeName('t *', r);
    expect(r.typeCache.get('t *')).toBe(t);
    expect(parseTypeName('t *', r)).toBe(t);
    // A declaration that changes meaning drops the cache.
    cdef('typedef long t;', { override: true }, r);
    expect(r.typeCache.size).toBe(0);
    expect(parseTypeName('t *', r)).toBe(pointerTo(primitive('long')));
  });

  test('array sizes may use constants', () => {
    const r = cdef('#define N 4\nenum { M = N * 2 };');
    expect(parseTypeName('char[N][M + 1]', r)).toBe(arrayOf(arrayOf(char, 9), 4));
  });

  test.each([
    ['foo_t *', "type 'foo_t *': column 1: unknown type name 'foo_t'"],
    ['int x y', "type 'int x y': column 7: expected the end of the type, found 'y'"],
    ['', "type '': column 1: expected a type, found end of input"],
    ['int [3', "type 'int [3': column 7: expected ']' after the array size, found end of input"],
    ['struct { int x; ...; } *', "type 'struct { int x; ...; } *': column 1: this anonymous struct gets its layout from the C compiler"],
    ['union { void v; }', "type 'union { void v; }': column 14: member 'v' has incomplete type 'void'"],
    ['static int', "type 'static int': column 1: 'static' is not allowed in a type name"],
    ['int[-1]', "type 'int[-1]': column 5: the array size -1 is negative"],
    ['void[2]', "type 'void[2]': column 5: an array cannot hold items of type 'void', which has no size"],
    ['int\n*\n@', "type 'int\n*\n@': line 3, column 1: unexpected character '@'"],
    ['int ...', "type 'int ...': column 5: '...' cannot stand here; cdef takes it as a struct member ('...;'), an array length ('[...]'), " +
      "a '#define' value, the last enumerator ('enum e { A, B, ... }') or an enumerator's value ('B = ...'), and in 'typedef int... t;', " +
      "'typedef float... t;', 'typedef ... t;' and 'typedef ... *t;'"],
    ['int[...]', "type 'int[...]': column 4: '[...]' (a length the compiler gives) cannot stand in a type name; only struct members, global variables and typedefs take it"],
  ])("'%s' fails", (text, message) => {
    expect(typeError(text).startsWith(message)).toBe(true);
  });

  test('a type name may name its declarator (ignored) and declare tags, as C and CFFI do', () => {
    const r = new Registry();
    expect(parseTypeName('int x', r)).toBe(int);
    expect(parseTypeName('int (*callback)(bool is_valid)', r)).toBe(pointerTo(functionType([primitive('_Bool')], int, false)));
    expect(parseTypeName('char cb(char, char)', r)).toBe(functionType([char, char], char, false));
    const nope = parseTypeName('struct nope *', r);
    expect(nope).toBe(parseTypeName('struct nope*', r));
    expect(r.tag('struct', 'nope')).toBe((nope as PointerType).item);
    expect(parseTypeName('enum e', r)).toBe(r.tag('enum', 'e'));
    expect(parseTypeName('union nope', r)).not.toBe((nope as PointerType).item);
    const anonymous = parseTypeName('struct { int x; char c; }', r) as StructType;
    expect([anonymous.cname, anonymous.size]).toEqual(['struct $1', 8]);
    expect(parseTypeName('struct pt { int x, y; } *', r)).toBe(pointerTo(r.tag('struct', 'pt') as StructType));
  });

  test('failures set line and column and leave no trace in the cache', () => {
    const r = new Registry();
    const e = expectThrow(() => parseTypeName('int\n  foo bar', r), CDefError, "line 2, column 7: expected the end of the type, found 'bar'");
    expect([e.line, e.column]).toEqual([2, 7]);
    expect(r.typeCache.size).toBe(0);
    expect(() => parseTypeName(42 as unknown as string, r)).toThrow(TypeError);
  });
});

describe('qualifiers', () => {
  test('on pointees and on pointers', () => {
    const r = cdef(
      'const char *a; char *const b; const volatile int *restrict c; int *__restrict d; int *__restrict__ e; ' +
        'int const *const volatile f; volatile int g;',
    );
    const v = (n: string): Extract<Decl, { kind: 'variable' }> => get(r, n, 'variable');
    expect([v('a').type, v('a').quals]).toEqual([pointerTo(char, Q_CONST), 0]);
    // A const pointer is a constant (as in CFFI): read once, never written.
    expect(get(r, 'b', 'constant').type).toBe(pointerTo(char));
    expect([v('c').type, v('c').quals]).toEqual([pointerTo(int, Q_CONST | Q_VOLATILE), Q_RESTRICT]);
    expect([v('d').type, v('d').quals]).toEqual([pointerTo(int), Q_RESTRICT]);
    expect([v('e').type, v('e').quals]).toEqual([pointerTo(int), Q_RESTRICT]);
    expect(get(r, 'f', 'constant').type).toBe(pointerTo(int, Q_CONST));
    expect([v('g').type, v('g').quals]).toEqual([int, Q_VOLATILE]);
    expect(v('c').type.spelling).toBe('const volatile int *');
    expect(v('c').type.cname).toBe('int *');
  });

  test('typedef qualifiers carry over to uses', () => {
    const r = cdef('typedef const int cint; cint x; cint *p;');
    expect(get(r, 'cint', 'typedef').quals).toBe(Q_CONST);
    expect(get(r, 'x', 'constant')).toMatchObject({ type: int, value: undefined, origin: 'static const' });
    expect(get(r, 'p', 'variable').type).toBe(pointerTo(int, Q_CONST));
  });

  test('qualified pointers as array items keep their qualifiers where C puts them', () => {
    const r = cdef('int *const (*p)[3]; const int (*q)[2]; void f(int *const m[2][3]); int *restrict a[3];');
    expect(get(r, 'p', 'variable').type).toBe(pointerTo(arrayOf(pointerTo(int), 3), Q_CONST));
    expect(get(r, 'p', 'variable').type.spelling).toBe('int *const(*)[3]');
    expect(get(r, 'q', 'variable').type.spelling).toBe('const int(*)[2]');
    expect(get(r, 'f', 'function').type.spelling).toBe('void(int *const(*)[3])');
    expect(get(r, 'a', 'variable')).toMatchObject({ type: arrayOf(pointerTo(int), 3), quals: Q_RESTRICT });
  });

  test("'restrict' where C does not allow it is taken, as CFFI does, and dropped (generated C stays valid)", () => {
    const r = cdef(
      'extern restrict int x; int (*restrict fp)(void); typedef void (*cb)(void); void g(restrict cb f); ' +
        'struct s { restrict int a[2]; }; restrict int *p; int *restrict q;',
    );
    expect([get(r, 'x', 'variable').type, get(r, 'x', 'variable').quals]).toEqual([int, 0]);
    expect(get(r, 'fp', 'variable').quals).toBe(0);
    expect(get(r, 'g', 'function').type.args[0]).toBe(pointerTo(functionType([], VOID, false)));
    expect(structOf(r, 'struct', 's').fieldMap.get('a')?.quals).toBe(0);
    expect(get(r, 'p', 'variable').type).toBe(pointerTo(int));
    expect(get(r, 'q', 'variable').quals).toBe(Q_RESTRICT);
  });

  test('a pointer to pointer to const', () => {
    expect(get(cdef('const char **argv;'), 'argv', 'variable').type.spelling).toBe('const char **');
    expect(get(cdef('const char **argv;'), 'argv', 'variable').type.cname).toBe('char * *');
  });
});

describe('pointers and arrays', () => {
  test('multi-dimensional arrays nest the right way round', () => {
    const r = cdef('int m[2][3]; int (*pm)[3]; int *ap[4]; char grid[2][3][4];');
    expect(get(r, 'm', 'variable').type).toBe(arrayOf(arrayOf(int, 3), 2));
    expect(get(r, 'm', 'variable').type.cname).toBe('int[2][3]');
    expect(get(r, 'm', 'variable').type.size).toBe(24);
    expect(get(r, 'pm', 'variable').type).toBe(pointerTo(arrayOf(int, 3)));
    expect(get(r, 'ap', 'variable').type).toBe(arrayOf(pointerTo(int), 4));
    expect(get(r, 'grid', 'variable').type.cname).toBe('char[2][3][4]');
  });

  test('sizes are integer constant expressions over earlier constants and enumerators', () => {
    const r = cdef(
      '#define N 4\nenum { A = 2, B };\nstatic const int K = 5;\n' +
        'int a[N * 2]; int b[B]; int c[K - 1]; int d[sizeof(int) * 2]; int e[(unsigned char)300]; int f[1 ? 2 : 1/0];',
    );
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => get(r, n, 'variable').type.cname)).toEqual([
      'int[8]', 'int[3]', 'int[4]', 'int[8]', 'int[44]', 'int[2]',
    ]);
  });

  test('sizes may take the size of declared structs', () => {
    const r = cdef('struct pt { int x, y; }; char buf[sizeof(struct pt) * 2];');
    expect(get(r, 'buf', 'variable').type).toBe(arrayOf(char, 16));
  });

  test("a zero-length array ending a struct is its flexible array member (GNU C's, as GCC and CFFI read it); elsewhere an array of length 0", () => {
    const r = cdef('struct v { int len; short data[0]; }; struct z { short d[0]; int x; }; union u { int i; char c[0]; };');
    expect(fieldsOf(structOf(r, 'struct', 'v'))).toEqual(['len:int@0', 'data:short[]@4']);
    expect(structOf(r, 'struct', 'v').size).toBe(4);
    expect(fieldsOf(structOf(r, 'struct', 'z'))).toEqual(['d:short[0]@0', 'x:int@0']);
    expect(fieldsOf(structOf(r, 'union', 'u'))).toEqual(['i:int@0', 'c:char[0]@0']);
  });

  test('open arrays where C allows them', () => {
    const r = cdef('extern int table[]; typedef char name_t[]; struct msg { int n; char text[]; };');
    expect(get(r, 'table', 'variable').type).toBe(arrayOf(int, null));
    expect(get(r, 'name_t', 'typedef').type.cname).toBe('char[]');
    expect(fieldsOf(structOf(r, 'struct', 'msg'))).toEqual(['n:int@0', 'text:char[]@4']);
  });

  test.each([
    ['int a[-1];', 'cdef:1:7: the array size -1 is negative'],
    ['int a[1/0];', "cdef:1:7: division by zero in '1/0'"],
    ['int a[N];', "cdef:1:7: 'N' is not a known integer constant"],
    ['int a[3][];', "cdef:1:6: an array cannot hold items of type 'int[]', which has no size"],
    ['void v[2];', "cdef:1:7: an array cannot hold items of type 'void', which has no size"],
    ['typedef ... s; s a[2];', "cdef:1:19: an array cannot hold items of type 's', which has no size"],
    ['int (a[2])(int);', "cdef:1:7: an array cannot hold items of type 'int(int)', which has no size"],
    ['int a[1.5];', "cdef:1:7: the floating-point constant '1.5' is not allowed in an integer constant expression"],
    ['int a[3;', "cdef:1:8: expected ']' after the array size, found ';'"],
    ['char a[0x7fffffffffffffff];', 'cdef:1:8: the array size 9223372036854775807 is too large'],
    ['double a[1000000000000][1000000000000];', "cdef:1:9: the array of 1000000000000 'double[1000000000000]' is too large"],
    ['int x; int a[x];', "cdef:1:14: 'x' is a variable, not an integer constant"],
    ['typedef int t; int a[t];', "cdef:1:22: 't' is a type, not an integer constant"],
    ['static const int K; int a[K];', "cdef:1:27: the value of 'K' comes from the compiler, so cdef cannot use it in a constant expression"],
    ['int a[size_t];', "cdef:1:7: 'size_t' is a type, not an integer constant"],
    ['int a[sizeof(struct nope)];', "cdef:1:13: sizeof is applied to 'struct nope', which has no size"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source)).toBe(message);
  });
});
