// Tests of the cdef parser: every construct of the dialect, its refusals and messages, atomicity, and robustness.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CDefError } from '../../lib/errors';
import {
  ArrayType, EnumType, PointerType, PrimitiveType, Q_CONST, Q_RESTRICT, Q_VOLATILE, StructType, VOID, arrayOf, functionType, pendingLayout, pointerTo, primitive,
} from '../../lib/ctype/model';
import { PRIMITIVES } from '../../lib/ctype/primitives';
import { probedMembers } from '../../lib/ctype/layout';
import { Decl, Registry } from '../../lib/ctype/registry';
import { CdefOptions, parseCdef, parseTypeName } from '../../lib/cparser/parser';
import { MISPLACED_ELLIPSIS } from '../../lib/cparser/stream';
import { prng } from '../helpers/random';

const int = primitive('int');
const char = primitive('char');

function cdef(source: string, options?: CdefOptions, registry = new Registry()): Registry {
  parseCdef(source, registry, options);
  return registry;
}

function cdefError(source: string, registry = new Registry(), options?: CdefOptions): CDefError {
  try {
    parseCdef(source, registry, options);
  } catch (e) {
    expect(e).toBeInstanceOf(CDefError);
    const err = e as CDefError;
    // Every error carries its position, and the message starts with it ('cdef:' or the file a line marker names).
    expect(err.message).toMatch(new RegExp(`^(cdef|.+):${err.line}:${err.column}: `));
    return err;
  }
  throw new Error(`no error for ${JSON.stringify(source)}`);
}

/** The message without its 'cdef:L:C: ' prefix, and the position, as one string. */
const errorOf = (source: string, registry?: Registry, options?: CdefOptions): string => cdefError(source, registry, options).message;

function typeError(text: string, registry = new Registry()): string {
  try {
    parseTypeName(text, registry);
  } catch (e) {
    expect(e).toBeInstanceOf(CDefError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${text}`);
}

function get<K extends Decl['kind']>(r: Registry, key: string, kind: K): Extract<Decl, { kind: K }> {
  const d = r.get(key);
  expect(d?.kind).toBe(kind);
  return d as Extract<Decl, { kind: K }>;
}

const structOf = (r: Registry, kind: 'struct' | 'union', name: string): StructType => r.tag(kind, name) as StructType;
const enumOf = (r: Registry, name: string): EnumType => r.tag('enum', name) as EnumType;
const fieldsOf = (t: StructType): string[] =>
  (t.fields ?? []).map((f) => `${f.name}:${f.type.cname}@${f.offset}${f.bitsize >= 0 ? `.${f.bitshift}/${f.bitsize}` : ''}`);

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

  test.each([
    ['short long', 'short long'],
    ['unsigned float', 'unsigned float'],
    ['signed _Bool', 'signed _Bool'],
    ['long char', 'long char'],
    ['long long long', 'long long long'],
    ['signed unsigned', 'signed unsigned'],
    ['int int', 'int int'],
    ['char short', 'char short'],
    ['double float', 'double float'],
    ['long long double', 'long long double'],
    ['unsigned double', 'unsigned double'],
    ['void int', 'void int'],
    ['short short', 'short short'],
  ])("'%s' is invalid", (text, shown) => {
    expect(errorOf(`${text} x;`)).toBe(`cdef:1:1: invalid type '${shown}'`);
  });

  test('a built-in or typedef name cannot combine with type words', () => {
    expect(errorOf('size_t unsigned x;')).toBe("cdef:1:8: 'unsigned' cannot be combined with 'size_t' in one type");
    expect(errorOf('int struct s x;')).toBe("cdef:1:5: 'struct' cannot be combined with 'int' in one type");
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
    try {
      parseTypeName('int\n  foo bar', r);
    } catch (e) {
      expect((e as CDefError).line).toBe(2);
      expect((e as CDefError).column).toBe(7);
    }
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
    ['struct s; struct s a[2];', "cdef:1:21: an array cannot hold items of type 'struct s', which has no size"],
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

describe('structs and unions', () => {
  test('a definition declares the tag and lays the members out', () => {
    const r = cdef('struct pt { int x; double y; char tag; };\nunion num { int i; float f; char bytes[8]; };');
    const pt = structOf(r, 'struct', 'pt');
    expect(get(r, 'struct pt', 'tag')).toMatchObject({ name: 'pt', type: pt, pos: { line: 1, column: 8 } });
    expect(pt.cname).toBe('struct pt');
    expect(fieldsOf(pt)).toEqual(['x:int@0', 'y:double@8', 'tag:char@16']);
    expect([pt.size, pt.align]).toEqual([24, 8]);
    const num = structOf(r, 'union', 'num');
    expect(num.kind).toBe('union');
    expect(fieldsOf(num)).toEqual(['i:int@0', 'f:float@0', 'bytes:char[8]@0']);
    expect(num.size).toBe(8);
  });

  test('several declarators per member, with pointers and arrays, and member quals', () => {
    const pt = structOf(cdef('struct s { int a, *b, c[2]; const char *name; volatile int v; };'), 'struct', 's');
    expect(fieldsOf(pt)).toEqual(['a:int@0', 'b:int *@8', 'c:int[2]@16', 'name:char *@24', 'v:int@32']);
    expect(pt.fieldMap.get('v')?.quals).toBe(Q_VOLATILE);
  });

  test('forward declaration, use through pointers, later definition: one type', () => {
    const r = cdef('struct node;\nstruct node *head;\ntypedef struct node node_t;\nstruct node { int value; struct node *next; node_t *prev; };');
    const node = structOf(r, 'struct', 'node');
    expect(get(r, 'head', 'variable').type).toBe(pointerTo(node));
    expect(get(r, 'node_t', 'typedef').type).toBe(node);
    expect(node.complete).toBe(true);
    expect(node.fieldMap.get('next')?.type).toBe(pointerTo(node));
    expect(node.fieldMap.get('prev')?.type).toBe(pointerTo(node));
  });

  test('a forward declaration from an earlier cdef is completed in place', () => {
    const r = cdef('struct opaque; struct opaque *make(void);');
    const before = structOf(r, 'struct', 'opaque');
    expect(before.complete).toBe(false);
    cdef('struct opaque { long id; };', undefined, r);
    expect(structOf(r, 'struct', 'opaque')).toBe(before);
    expect(before.size).toBe(8);
    expect(get(r, 'make', 'function').type.result).toBe(pointerTo(before));
  });

  test('a struct used before any declaration is declared (incomplete) at file scope', () => {
    const r = cdef('void f(struct later *p); struct later { int x; };');
    const later = structOf(r, 'struct', 'later');
    expect(get(r, 'f', 'function').type.args[0]).toBe(pointerTo(later));
    expect(later.complete).toBe(true);
  });

  test('nested definitions are declared at file scope', () => {
    const r = cdef('struct outer { struct inner { int y; } in; union u { int a; } un; enum e { E1 } kind; }; struct inner spare;');
    const inner = structOf(r, 'struct', 'inner');
    expect(structOf(r, 'struct', 'outer').fieldMap.get('in')?.type).toBe(inner);
    expect(get(r, 'spare', 'variable').type).toBe(inner);
    expect(structOf(r, 'union', 'u').complete).toBe(true);
    expect(get(r, 'E1', 'constant').value).toBe(0);
  });

  test('anonymous struct and union members are flattened into their parent', () => {
    const r = cdef('struct v { int kind; union { int i; struct { short lo, hi; }; }; double d; };');
    const v = structOf(r, 'struct', 'v');
    expect(fieldsOf(v)).toEqual(['kind:int@0', 'i:int@4', 'lo:short@4', 'hi:short@6', 'd:double@8']);
    // Anonymous members never reach the registry's tags.
    expect([...r.values()].map((d) => d.name)).toEqual(['v']);
  });

  test('bitfields: named, unnamed and zero-width', () => {
    const r = cdef('struct flags { unsigned a : 3; int : 4; unsigned b : 5; int : 0; unsigned c : 1; _Bool d : 1; };');
    const f = structOf(r, 'struct', 'flags');
    expect(fieldsOf(f)).toEqual([
      'a:unsigned int@0.0/3', 'b:unsigned int@0.7/5', 'c:unsigned int@4.0/1', 'd:_Bool@4.1/1',
    ]);
    expect(f.size).toBe(8);
  });

  test('bitfield widths are constant expressions', () => {
    const f = structOf(cdef('#define W 2\nstruct s { int a : W * 2, b : sizeof(char); };'), 'struct', 's');
    expect(fieldsOf(f)).toEqual(['a:int@0.0/4', 'b:int@0.4/1']);
  });

  test('flexible array member', () => {
    const s = structOf(cdef('struct buf { long len; char data[]; };'), 'struct', 'buf');
    expect(fieldsOf(s)).toEqual(['len:long@0', 'data:char[]@8']);
    expect(s.size).toBe(8);
  });

  test('an empty struct is complete with size 0 (as GCC)', () => {
    const s = structOf(cdef('struct empty {};'), 'struct', 'empty');
    expect([s.complete, s.size]).toEqual([true, 0]);
  });

  test('identical redefinition keeps the type; a different one needs override', () => {
    const r = cdef('struct s { int x; struct s *next; };');
    const s = structOf(r, 'struct', 's');
    cdef('struct s { int x; struct s *next; };', undefined, r);
    expect(structOf(r, 'struct', 's')).toBe(s);
    expect(errorOf('struct s { long x; struct s *next; };', r)).toBe(
      "cdef:1:8: 'struct s' is already defined with different members (at 1:8); pass { override: true } to replace it",
    );
    expect(errorOf('struct s { int x; };', r)).toMatch(/already defined with different members/);
    expect(errorOf('struct s { int x : 3; struct s *next; };', r)).toMatch(/already defined with different members/);
    expect(errorOf('struct s { int y; struct s *next; };', r)).toMatch(/already defined with different members/);
  });

  test('identical redefinitions with anonymous members, in one source too', () => {
    const src = 'struct s { union { int a; char b; }; int c; };';
    const r = cdef(`${src}\n${src}`);
    cdef(src, undefined, r);
    expect(fieldsOf(structOf(r, 'struct', 's'))).toEqual(['a:int@0', 'b:char@0', 'c:int@4']);
  });

  test('override gives the tag a new type; what used the old one keeps it', () => {
    const r = cdef('struct s { int x; struct s *self; }; typedef struct s s_t; struct s *global;');
    const old = structOf(r, 'struct', 's');
    cdef('struct s { long x; double y; struct s *self; };', { override: true }, r);
    const now = structOf(r, 'struct', 's');
    expect(now).not.toBe(old);
    expect(fieldsOf(now)).toEqual(['x:long@0', 'y:double@8', 'self:struct s *@16']);
    expect(now.fieldMap.get('self')?.type).toBe(pointerTo(now));
    expect(get(r, 's_t', 'typedef').type).toBe(old);
    expect(get(r, 'global', 'variable').type).toBe(pointerTo(old));
    expect(fieldsOf(old)).toEqual(['x:int@0', 'self:struct s *@8']);
    expect(parseTypeName('struct s', r)).toBe(now);
  });

  test('packed and pack options', () => {
    const src = 'struct p { char c; int i; short s; };';
    expect(structOf(cdef(src), 'struct', 'p').size).toBe(12);
    const packed = structOf(cdef(src, { packed: true }), 'struct', 'p');
    expect([packed.size, packed.align, packed.pack]).toEqual([7, 1, 1]);
    expect(fieldsOf(packed)).toEqual(['c:char@0', 'i:int@1', 's:short@5']);
    const pack2 = structOf(cdef(src, { pack: 2 }), 'struct', 'p');
    expect([pack2.size, pack2.align, pack2.pack]).toEqual([8, 2, 2]);
    expect(structOf(cdef(src, { pack: 0 }), 'struct', 'p').size).toBe(12);
  });

  test.each([3, -1, 32, 1.5, NaN, '4'])('pack %p is refused with a TypeError naming the option', (pack) => {
    const r = new Registry();
    expect(() => parseCdef('int x;', r, { pack: pack as number })).toThrow(
      new TypeError(`cdef: option 'pack' must be 0 or a power of two from 1 to 16, not ${typeof pack === 'string' ? `string "${pack}"` : pack}`),
    );
    expect([...r.values()]).toEqual([]);
  });

  test.each([
    ['struct s { int x; int x; };', "cdef:1:23: duplicate member 'x' in 'struct s'"],
    ['struct s { float f : 3; };', "cdef:1:18: bit-field 'f' has type 'float'; bit-fields need an integer type"],
    ['struct s { char c : 9; };', "cdef:1:17: bit-field 'c' is 9 bits wide, more than its type 'char' (8)"],
    ['struct s { int x : 0; };', "cdef:1:16: bit-field 'x' has zero width; only unnamed bit-fields may"],
    ['struct s { int x : -1; };', "cdef:1:18: the bit-field 'x' has a negative width (-1)"],
    ['struct s { int : -2; };', "cdef:1:16: the bit-field '(unnamed)' has a negative width (-2)"],
    ['struct s { int d[]; int n; };', "cdef:1:16: flexible array member 'd' must be the last member of a struct"],
    ['struct t; struct s { struct t x; };', "cdef:1:31: member 'x' has incomplete type 'struct t'"],
    ['struct s { struct s self; };', "cdef:1:21: member 'self' has incomplete type 'struct s'"],
    ['struct s { int f(int); };', "cdef:1:16: the member 'f' has the function type 'int(int)'; use a pointer to a function"],
    ['struct s { static int x; };', "cdef:1:12: 'static' is not allowed on a struct member"],
    ['struct s { typedef int t; };', "cdef:1:12: 'typedef' is not allowed on a struct member"],
    ['struct s { int; };', 'cdef:1:12: this member declaration declares nothing'],
    ['struct s { int x };', "cdef:1:18: expected ';' after the member, found '}'"],
    ['struct s { int x;', "cdef:1:18: expected a member declaration or '}', found end of input"],
    ['struct s { struct s { int y; } in; };', "cdef:1:19: nested redefinition of 'struct s'"],
    ['struct { int x; };', 'cdef:1:1: this anonymous struct declares nothing; give it a tag or a typedef name'],
    ['struct;', "cdef:1:7: expected a name or '{' after 'struct', found ';'"],
    ['int;', 'cdef:1:1: this declaration declares nothing'],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source)).toBe(message);
  });
});

describe('typedefs', () => {
  test('several declarators in one typedef', () => {
    const r = cdef('typedef int a_t, *pa_t, arr_t[3], (*fn_t)(a_t);');
    expect(get(r, 'a_t', 'typedef').type).toBe(int);
    expect(get(r, 'pa_t', 'typedef').type).toBe(pointerTo(int));
    expect(get(r, 'arr_t', 'typedef').type).toBe(arrayOf(int, 3));
    expect(get(r, 'fn_t', 'typedef').type).toBe(pointerTo(functionType([int], int, false)));
    expect(get(r, 'a_t', 'typedef').pos).toEqual({ line: 1, column: 13 });
  });

  test('typedefs of function types and function pointers, and their use', () => {
    const r = cdef('typedef void cb_t(void *); typedef cb_t *cbp_t; cbp_t handlers[4]; void on(cb_t *f, cbp_t g);');
    const cb = functionType([pointerTo(VOID)], VOID, false);
    expect(get(r, 'cb_t', 'typedef').type).toBe(cb);
    expect(get(r, 'cbp_t', 'typedef').type).toBe(pointerTo(cb));
    expect(get(r, 'handlers', 'variable').type).toBe(arrayOf(pointerTo(cb), 4));
    expect(get(r, 'on', 'function').type.args).toEqual([pointerTo(cb), pointerTo(cb)]);
  });

  test('an anonymous struct takes the name of the first typedef naming it', () => {
    const r = cdef('typedef struct { int x, y; } pt_t, point_t, *pt_p;');
    const pt = get(r, 'pt_t', 'typedef').type as StructType;
    expect(pt).toBeInstanceOf(StructType);
    expect([pt.name, pt.namedByTypedef, pt.cname]).toEqual(['pt_t', true, 'pt_t']);
    expect(get(r, 'point_t', 'typedef').type).toBe(pt);
    expect(get(r, 'pt_p', 'typedef').type.cname).toBe('pt_t *');
    expect(parseTypeName('pt_t[2]', r).cname).toBe('pt_t[2]');
    expect(r.get('struct pt_t')).toBeUndefined();
  });

  test('anonymous unions and enums are named the same way', () => {
    const r = cdef('typedef union { int i; float f; } num_t; typedef enum { RED, GREEN } color_t;');
    expect(get(r, 'num_t', 'typedef').type.cname).toBe('num_t');
    const color = get(r, 'color_t', 'typedef').type as EnumType;
    expect([color.name, color.namedByTypedef, color.cname]).toEqual(['color_t', true, 'color_t']);
    expect(get(r, 'GREEN', 'constant').type).toBe(color);
  });

  test("an anonymous type no typedef names gets the registry's '$N' names, in order", () => {
    const r = cdef(
      'typedef struct { int a; } *only_ptr_t; struct { int b; } global; typedef struct { int c; } named_t; ' +
        'struct h { union { int d; } u; };',
    );
    expect(get(r, 'only_ptr_t', 'typedef').type.cname).toBe('struct $1 *');
    expect(get(r, 'global', 'variable').type.cname).toBe('struct $2');
    expect(structOf(r, 'struct', 'h').fieldMap.get('u')?.type.cname).toBe('union $3');
    expect(r.anonymousName()).toBe('$4');
  });

  test('the lexer hack: a typedef name is a type until a type specifier is seen', () => {
    const r = cdef('typedef int t; struct s { t t; unsigned t2; }; t *p; void f(t);');
    expect(fieldsOf(structOf(r, 'struct', 's'))).toEqual(['t:int@0', 't2:unsigned int@4']);
    expect(get(r, 'p', 'variable').type).toBe(pointerTo(int));
  });

  test('a typedef name becomes an ordinary name only with override', () => {
    const r = cdef('typedef int t;');
    expect(errorOf('unsigned t;', r)).toBe(
      "cdef:1:10: 't' is already declared as a typedef for 'int' (at 1:13); pass { override: true } to replace it",
    );
    cdef('long t;', { override: true }, r);
    expect(get(r, 't', 'variable').type).toBe(primitive('long'));
    expect(errorOf('t x;', r)).toBe("cdef:1:1: unknown type name 't'");
  });

  test('a typedef earlier in the same source is a type name', () => {
    const r = cdef('typedef struct pt pt_t; pt_t *origin(void); struct pt { pt_t *next; };');
    expect(get(r, 'origin', 'function').type.result).toBe(pointerTo(structOf(r, 'struct', 'pt')));
  });

  test('identical typedefs may repeat; different ones conflict', () => {
    const r = cdef('typedef int t; typedef int t;');
    expect(get(r, 't', 'typedef').type).toBe(int);
    expect(errorOf('typedef long t;', r)).toMatch(/^cdef:1:14: 't' is already declared as a typedef for 'int'/);
    expect(errorOf('typedef const int t;', r)).toMatch(/already declared/);
  });

  test('a typedef of a built-in name replaces it for this registry, as in CFFI; repeating it changes nothing', () => {
    const r = cdef('typedef size_t size_t; typedef _Bool bool;');
    expect([...r.values()]).toEqual([]);
    expect(parseTypeName('size_t', r)).toBe(primitive('size_t'));
    const s = cdef('typedef unsigned long size_t; typedef char int32_t; typedef int bool, *FILE; int32_t f(bool, FILE);');
    expect(parseTypeName('size_t', s)).toBe(primitive('unsigned long'));
    expect(get(s, 'f', 'function').type).toBe(functionType([int, pointerTo(int)], char, false));
    expect(parseTypeName('int32_t', new Registry())).toBe(primitive('int32_t'));
    expect(parseTypeName('FILE *', new Registry()).cname).toBe('FILE *');
    expect(parseTypeName('FILE', new Registry())).toBe(parseTypeName('FILE', new Registry()));
    expect(errorOf('int uint32_t;')).toBe("cdef:1:5: 'uint32_t' is a built-in type name and cannot name a variable");
    expect(errorOf('#define size_t 4')).toBe("cdef:1:9: 'size_t' is a built-in type name and cannot name a constant");
  });

  test('a typedef cannot have an initialiser', () => {
    expect(errorOf('typedef int t = 3;')).toBe("cdef:1:15: the typedef 't' cannot have an initialiser");
  });
});

describe('enums', () => {
  test('enumerators become constants of the enum type, with C values', () => {
    const r = cdef('enum color { RED, GREEN = 5, BLUE, ALIAS = GREEN, LAST = BLUE * 2 + 1, };');
    const color = enumOf(r, 'color');
    expect(get(r, 'BLUE', 'constant')).toEqual({
      kind: 'constant', name: 'BLUE', type: color, value: 6, origin: 'enum', pos: { line: 1, column: 30 },
    });
    expect(color.relements).toEqual({ RED: 0, GREEN: 5, BLUE: 6, ALIAS: 5, LAST: 13 });
    expect(Object.keys(color.relements)).toEqual(['RED', 'GREEN', 'BLUE', 'ALIAS', 'LAST']);
    expect(color.elements).toEqual({ 0: 'RED', 5: 'GREEN', 6: 'BLUE', 13: 'LAST' });
    expect(color.base).toBe(primitive('unsigned int'));
    expect(color.cname).toBe('enum color');
  });

  test('values may use enumerators of other enums, #defines and static consts', () => {
    const r = cdef('#define BASE 100\nstatic const int STEP = 10;\nenum a { A1 = BASE };\nenum b { B1 = A1 + STEP, B2 = sizeof(enum a) };');
    expect(get(r, 'B1', 'constant').value).toBe(110);
    expect(get(r, 'B2', 'constant').value).toBe(4);
  });

  test('the base type follows GCC', () => {
    const r = cdef(
      'enum u32 { U = 0xffffffff }; enum u64 { W = 0x100000000 }; enum i32 { N = -1, P = 0x7fffffff }; ' +
        'enum i64 { M = -1, Q = 0x80000000 }; enum neg64 { X = -0x7fffffffffffffff - 1 }; enum big { Z = 0xffffffffffffffff };',
    );
    expect(['u32', 'u64', 'i32', 'i64', 'neg64', 'big'].map((n) => enumOf(r, n).base.name)).toEqual([
      'unsigned int', 'unsigned long', 'int', 'long', 'long', 'unsigned long',
    ]);
  });

  test('values beyond 2^53 are bigints, others numbers', () => {
    const r = cdef('enum big { SMALL = 9007199254740991, LARGE, HUGE = 0xffffffffffffffff }; enum neg { NEG = -1 - 0x7fffffffffffffff };');
    expect(enumOf(r, 'big').relements).toEqual({ SMALL: 9007199254740991, LARGE: 9007199254740992n, HUGE: 18446744073709551615n });
    expect(enumOf(r, 'big').elements).toEqual({ '9007199254740991': 'SMALL', '9007199254740992': 'LARGE', '18446744073709551615': 'HUGE' });
    expect(get(r, 'NEG', 'constant').value).toBe(-9223372036854775808n);
  });

  test('an anonymous enum declares its constants', () => {
    const r = cdef('enum { ONE = 1, TWO }; int a[TWO];');
    expect(get(r, 'TWO', 'constant').type.cname).toBe('enum $1');
    expect(get(r, 'a', 'variable').type).toBe(arrayOf(int, 2));
  });

  test("'enum e;' alone is usable with base unsigned int, and a later body completes it in place", () => {
    const r = cdef('enum e; enum e *p;');
    const e = enumOf(r, 'e');
    expect([e.base.name, e.size, Object.keys(e.relements)]).toEqual(['unsigned int', 4, []]);
    expect(get(r, 'p', 'variable').type).toBe(pointerTo(e));
    cdef('enum e { NEG = -5 };', undefined, r);
    expect(enumOf(r, 'e')).toBe(e);
    expect([e.base.name, e.relements]).toEqual(['int', { NEG: -5 }]);
  });

  test('identical redefinition is fine; a different one needs override', () => {
    const r = cdef('enum e { A, B };');
    const e = enumOf(r, 'e');
    cdef('enum e { A, B = 1 };', undefined, r);
    expect(enumOf(r, 'e')).toBe(e);
    expect(errorOf('enum e { A, B, C };', r)).toBe(
      "cdef:1:6: 'enum e' is already defined with different enumerators (at 1:6); pass { override: true } to replace it",
    );
    cdef('enum e { A = 7 };', { override: true }, r);
    expect(enumOf(r, 'e')).not.toBe(e);
    expect(get(r, 'A', 'constant')).toMatchObject({ value: 7, type: enumOf(r, 'e') });
    expect(e.relements).toEqual({ A: 0, B: 1 });
  });

  test.each([
    ['enum e {};', 'cdef:1:9: an enum needs at least one enumerator'],
    ['enum e { A, A };', "cdef:1:13: the enumerator 'A' appears twice"],
    ['enum e { A = 1.0 };', "cdef:1:14: the floating-point constant '1.0' is not allowed in an integer constant expression"],
    ['enum e { A = -1, B = 0xffffffffffffffff };', "cdef:1:6: the values of 'enum e' do not fit one 64-bit integer type"],
    ['enum e { A = 0xffffffffffffffff, B };', "cdef:1:34: the value of the enumerator 'B' does not fit 64 bits"],
    ['enum e { A B };', "cdef:1:12: expected ',' or '}' after the enumerator, found 'B'"],
    ['enum e { 1 };', "cdef:1:10: expected an enumerator name, found '1'"],
    ['enum a { X }; enum b { X };', "cdef:1:24: 'X' is already declared as the constant 0 (at 1:10); pass { override: true } to replace it"],
    ['int X; enum { X };', "cdef:1:15: 'X' is already declared as a variable of type 'int' (at 1:5); pass { override: true } to replace it"],
    ['enum e { size_t };', "cdef:1:10: 'size_t' is a built-in type name and cannot name a constant"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source)).toBe(message);
  });
});

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

describe('tags', () => {
  test("'struct s', 'union s' and 'enum s' are three tags, as CFFI keeps them (C has one namespace; verify()'s compiler reports a clash)", () => {
    const r = cdef('struct s { int a; short b; }; union s { int a; short b; }; enum s { S1 }; union s *p;');
    expect([structOf(r, 'struct', 's').size, structOf(r, 'union', 's').size, enumOf(r, 's').cname]).toEqual([8, 4, 'enum s']);
    expect(get(r, 'p', 'variable').type).toBe(pointerTo(structOf(r, 'union', 's')));
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
    ['_Complex double z;', "cdef:1:1: '_Complex' (complex number types) is not supported in cdef"],
    ['double _Complex z;', "cdef:1:8: '_Complex' (complex number types) is not supported in cdef"],
    ['_Atomic int a;', "cdef:1:1: '_Atomic' (atomic types) is not supported in cdef"],
    ['inline int f(void);', "cdef:1:1: 'inline' functions are not allowed in cdef; declare the prototype here and define the function in the source given to verify()"],
    ['static inline int f(void) { return 0; }', "cdef:1:8: 'inline' functions are not allowed in cdef"],
    ['register int r;', "cdef:1:1: the storage class 'register' is not supported in cdef"],
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
    ['struct o; struct s { struct o v; };', "cdef:1:31: member 'v' has incomplete type 'struct o'"],
    ['struct s { int v[]; int y; };', "cdef:1:16: flexible array member 'v' must be the last member of a struct"],
    ['struct s { struct { int a; ...; } in; };', "cdef:1:12: this anonymous struct gets its layout from the C compiler, which needs a name"],
    ['struct s { union { int a : 2; }; ...; };', "cdef:1:12: an anonymous member of 'struct s', whose layout comes from the C compiler, needs a field"],
  ])('%s fails: %s', (source, message) => {
    expect(errorOf(source).startsWith(message)).toBe(true);
  });

  test('in a partial struct, as in CFFI, an open array may stand before other members and a member may be a struct defined later', () => {
    const r = cdef('struct s { int v[]; int y; ...; }; struct t { struct later l; int n; ...; }; struct later { ...; };');
    expect(structOf(r, 'struct', 's').members?.map((m) => `${m.name}:${m.type.cname}`)).toEqual(['v:int[]', 'y:int']);
    expect(structOf(r, 'struct', 't').members?.[0].type).toBe(structOf(r, 'struct', 'later'));
    expect(pending(r, 'struct t')).toBe(structOf(r, 'struct', 't'));
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
    ['extern int (*p)[...];', "cdef:1:16: '[...]' (a length the compiler gives) can only stand in the outer arrays of a declaration ('int a[...][...]'), not inside a pointer or function"],
    ['struct s { int *m[2][...]; int (*n[2])[...]; };', "cdef:1:39: '[...]' (a length the compiler gives) can only stand in the outer arrays"],
    ['void f(int a[...]);', "cdef:1:13: '[...]' (a length the compiler gives) cannot stand in a parameter"],
    ['int a[...;', "cdef:1:10: expected ']' after '[...', found ';'"],
  ])('%s fails: %s', (source, message) => {
    expect(errorOf(source).startsWith(message)).toBe(true);
  });

  test("'[...]' may stand at any depth of the outer arrays of a global or member: open arrays until the compiler gives the lengths", () => {
    const r = cdef('extern int a[...][...]; extern int b[][...]; extern int c[10][...][2]; struct s { int m[...][...]; char n[][...]; };');
    const vars = ['a', 'b', 'c'].map((n) => get(r, n, 'variable'));
    expect(vars.map((d) => [d.type.cname, d.lengthFromCompiler, d.innerLengthsFromCompiler])).toEqual([
      ['int[][]', true, [1]], ['int[][]', undefined, [1]], ['int[10][][2]', undefined, [1]],
    ]);
    const t = structOf(r, 'struct', 's');
    expect(pending(r, 'struct s')).toBe(t);
    expect(t.members?.map((m) => [m.name, m.type.cname, m.lengthFromCompiler, m.innerLengthsFromCompiler])).toEqual([
      ['m', 'int[][]', true, [1]], ['n', 'char[][]', undefined, [1]],
    ]);
  });

  test("a typedef's '[...]' arrays are its own, completed in place by verify(); generated C spells them through the typedef", () => {
    const r = cdef('typedef int foo_t[...]; typedef int mat_t[...][...]; typedef int vmat_t[][...]; typedef int foo_t[...]; struct s { foo_t a; foo_t *b; };');
    const foo = get(r, 'foo_t', 'typedef').type as ArrayType;
    expect([foo.cname, foo.spelling, foo.deferred, pending(r, 'foo_t')]).toEqual(['int[...]', 'foo_t', 'foo_t', foo]);
    expect(foo).not.toBe(arrayOf(int, null));
    const mat = get(r, 'mat_t', 'typedef').type as ArrayType;
    expect([mat.cname, (mat.item as ArrayType).spelling]).toEqual(['int[...][...]', '__typeof__((*(mat_t *)0)[0])']);
    const vmat = get(r, 'vmat_t', 'typedef').type as ArrayType;
    expect([vmat.cname, vmat.deferred, pending(r, 'vmat_t')]).toEqual(['int[][...]', null, vmat.item]);
    expect(pending(r, 'struct s')).toBe(structOf(r, 'struct', 's'));
    expect(pointerTo(foo).spelling).toBe('foo_t(*)');
    expect(errorOf('typedef int foo_t[...][2];', r)).toMatch(/^cdef:1:13: 'foo_t' is already declared as a typedef for 'int\[\.\.\.\]'/);
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

  test("as in CFFI, any integer keywords before '...' mean 'int...', and 'double...' means 'float...'", () => {
    const r = cdef('typedef unsigned long... a_t; typedef signed char... b_t; typedef short int... c_t; typedef double... d_t;');
    expect(['a_t', 'b_t', 'c_t', 'd_t'].map((n) => (get(r, n, 'typedef').type as PrimitiveType).deferred)).toEqual(['int', 'int', 'int', 'float']);
    expect(errorOf('typedef long double... t;')).toMatch(/^cdef:1:20: 'long double\.\.\.' is not a placeholder cdef knows/);
    expect(errorOf('typedef _Bool... t;')).toMatch(/^cdef:1:14: '_Bool\.\.\.' is not a placeholder cdef knows/);
    expect(errorOf('typedef int i_t; typedef i_t... t;')).toMatch(/^cdef:1:29: 'int\.\.\.' is not a placeholder cdef knows/);
  });

  test("'typedef ... *t;' is a pointer to an opaque type only the typedef names, spelled through it in generated C", () => {
    const r = cdef('typedef ... *token_p; typedef ... *token_p; token_p next(token_p);');
    const t = get(r, 'token_p', 'typedef').type as PointerType;
    expect([t.cname, t.spelling, pointerTo(t).spelling]).toEqual(['struct $$token_p *', '__typeof__(*(token_p)0) *', '__typeof__(*(token_p)0) **']);
    expect(get(r, 'next', 'function').type).toBe(functionType([t], t, false));
    expect(errorOf('typedef ... *;')).toBe("cdef:1:14: expected the name of the opaque pointer type after 'typedef ... *', found ';'");
  });

  test("an enumerator's value may be '...': the compiler gives it and the ones after it until one is written", () => {
    const r = cdef('enum e { A, B = ..., C, D = 7, E };');
    const t = enumOf(r, 'e');
    expect([t.partial, t.settled]).toEqual([true, false]);
    expect(['A', 'B', 'C', 'D', 'E'].map((n) => get(r, n, 'constant').value)).toEqual([undefined, undefined, undefined, 7, undefined]);
    expect(errorOf('enum f { X = ..., Y = X + 1 };')).toBe(
      "cdef:1:23: the value of 'X' comes from the compiler, so cdef cannot use it in a constant expression",
    );
  });

  test('an anonymous partial member is reached through its struct: its fields are probed there', () => {
    const r = cdef('struct s { struct { char b; ...; }; union { char c, d; }; int n; };');
    const t = structOf(r, 'struct', 's');
    expect(pending(r, 'struct s')).toBe(t);
    expect(probedMembers(t).map((m) => m.name)).toEqual(['b', 'c', 'n']);
  });

  test.each([
    ['typedef void... t;', "cdef:1:13: 'void...' is not a placeholder cdef knows; write 'typedef int... name;' (any integer type) or 'typedef float... name;' (any floating type)"],
    ['typedef const int... t;', "cdef:1:18: 'int...' is not a placeholder cdef knows"],
    ['int... t;', "cdef:1:4: '...' after a type makes a typedef the compiler completes"],
    ['typedef int... *t;', "cdef:1:16: expected the name of the typedef after 'int...', found '*'"],
    ['typedef int... a, b;', "cdef:1:17: expected ';' after 'typedef int... a', found ','"],
    ['typedef int... double_t; typedef float... double_t;', "cdef:1:43: 'double_t' is already declared as a typedef for 'double_t'"],
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
    expect((get(cdef('typedef ... size_t;'), 'size_t', 'typedef').type as StructType).members).toBe(null);
  });
});

describe('redeclaration', () => {
  test('identical redeclarations are fine, in one source and across calls', () => {
    const r = cdef('int f(int); int f(int x); extern int v; int v;\n#define N 1\n#define N 1');
    cdef('int f(int y); int v; static const int K = 2; static const int K = 2;', undefined, r);
    expect(get(r, 'f', 'function').argNames).toEqual(['y']);
  });

  test('a different meaning needs override, whose declaration then wins', () => {
    const r = cdef('int f(int);');
    expect(errorOf('long f(int);', r)).toBe(
      "cdef:1:6: 'f' is already declared as function 'int(int)' (at 1:5); pass { override: true } to replace it",
    );
    expect(errorOf('int f;', r)).toMatch(/^cdef:1:5: 'f' is already declared as function/);
    cdef('long f(int);', { override: true }, r);
    expect(get(r, 'f', 'function').type.cname).toBe('long(int)');
  });
});

describe('atomicity: a failing cdef changes nothing', () => {
  function snapshot(r: Registry): unknown {
    return [...r.values()].map((d) => {
      const t = d.type;
      const body = t instanceof StructType ? [t.fields, t.size, t.align] : t instanceof EnumType ? [t.relements, t.base] : [];
      return [d, t.cname, ...body];
    });
  }

  test('declarations before the error are not added', () => {
    const r = cdef('int keep;');
    const before = snapshot(r);
    cdefError('int a; typedef int t; struct s { int x; }; enum e { A }; #define N 1\nbogus_t y;', r);
    expect(snapshot(r)).toEqual(before);
    expect(r.get('t')).toBeUndefined();
    expect(r.tag('struct', 's')).toBeUndefined();
  });

  test('forward-declared structs and enums are not completed', () => {
    const r = cdef('struct s; enum e;');
    const s = structOf(r, 'struct', 's');
    const e = enumOf(r, 'e');
    const before = snapshot(r);
    cdefError('struct s { int x; }; enum e { A = -1 }; int z = 1;', r);
    expect(s.complete).toBe(false);
    expect([s.size, s.align, s.fieldMap.size]).toEqual([-1, -1, 0]);
    expect([e.relements, e.elements, e.base]).toEqual([{}, {}, primitive('unsigned int')]);
    expect(snapshot(r)).toEqual(before);
    // ... and can still be completed afterwards.
    cdef('struct s { int x; };', undefined, r);
    expect(s.size).toBe(4);
  });

  test('anonymous names are not used up', () => {
    const r = new Registry();
    cdefError('struct { int a; } g1; struct { int b; } g2; int bad = 1;', r);
    cdef('struct { int c; } g3;', undefined, r);
    expect(get(r, 'g3', 'variable').type.cname).toBe('struct $1');
  });

  test('overrides and cached type names survive a failure', () => {
    const r = cdef('typedef int t; struct s { int x; };');
    const t = parseTypeName('t', r);
    cdefError('typedef long t; struct s { char c; }; oops;', r, { override: true });
    expect(r.typeCache.get('t')).toBe(t);
    expect(get(r, 't', 'typedef').type).toBe(int);
    expect(fieldsOf(structOf(r, 'struct', 's'))).toEqual(['x:int@0']);
  });
});

describe('error positions', () => {
  test('line and column point at the culprit across lines', () => {
    const e = cdefError('int a;\nint b;\n\n    foo_t c;');
    expect([e.line, e.column, e.message]).toEqual([4, 5, "cdef:4:5: unknown type name 'foo_t'"]);
    expect(errorOf('int x\n\nint y;')).toBe("cdef:3:1: expected ';' after the declaration of 'x', found 'int'");
  });

  test('a source that is not a string is a TypeError', () => {
    expect(() => parseCdef(undefined as unknown as string, new Registry())).toThrow(TypeError);
  });
});

describe('robustness', () => {
  test.each([
    ['parenthesised declarators', `int ${'('.repeat(300)}x${')'.repeat(300)};`],
    ['pointers', `int ${'*'.repeat(300)}x;`],
    ['array suffixes', `int x${'[1]'.repeat(300)};`],
    ['expression parentheses', `int a[${'('.repeat(300)}1${')'.repeat(300)}];`],
    ['unary operators', `int a[${'- '.repeat(300)}1];`],
    ['nested structs', `${'struct { '.repeat(300)}int x;${' } y;'.repeat(300)}`],
    ['function pointer parameters', `void f(${'void (*)('.repeat(300)}void${')'.repeat(300)});`],
    ['sizeof of nested types', `int a[${'sizeof(int['.repeat(200)}1${'])'.repeat(200)}];`],
  ])('deep %s: nesting too deep', (_, source) => {
    expect(errorOf(source)).toMatch(/^cdef:1:\d+: nesting too deep/);
  });

  test('types built up through typedefs cannot get too deep either', () => {
    const typedefs = Array.from({ length: 300 }, (_, i) => `typedef t${i} *t${i + 1};`).join('\n');
    expect(errorOf(`typedef int t0;\n${typedefs}`)).toMatch(/^cdef:\d+:\d+: nesting too deep \(a type more than 256 levels deep\)/);
  });

  test('moderate nesting is fine', () => {
    const r = cdef(`int ${'*'.repeat(100)}x; int (${'('.repeat(50)}y${')'.repeat(50)});`);
    expect(get(r, 'y', 'variable').type).toBe(int);
  });

  test('non-ASCII and NUL bytes are errors with positions, or fine inside comments', () => {
    expect(errorOf('int x; // ok: é\nint é;')).toBe("cdef:2:5: unexpected character 'é' (U+00E9)");
    expect(errorOf('int\0x;')).toBe('cdef:1:4: unexpected character U+0000');
    expect([...cdef('/* \0 ☃ */ int x;').values()]).toHaveLength(1);
  });

  // How fast is npm run bench's business (the cc() rows parse big cdefs); here, that it parses at all.
  test('a 1 MB cdef parses', () => {
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 1 << 20; i++) {
      const part =
        `/* item ${i} */\nint func_${i}(const char *name, int count, double *values, struct s${i % 50} *p);\n` +
        `typedef struct { int a; unsigned b : 3; char c[${(i % 7) + 1}]; } t${i}_t;\n#define K${i} (${i} * 2 + 1)\n` +
        `enum e${i} { A${i} = K${i}, B${i}, C${i} = 1 << 3 };\n`;
      parts.push(part);
      size += part.length;
    }
    const source = parts.join('');
    cdef(parts.slice(0, 100).join('')); // warm up
    const r = new Registry();
    parseCdef(source, r);
    expect(get(r, `K${parts.length - 1}`, 'constant').value).toBe((parts.length - 1) * 2 + 1);
  });

  test('a 1 MB pathological input is a CDefError or a declaration, not a stack overflow or a hang', () => {
    for (const source of ['('.repeat(1 << 20), 'x'.repeat(1 << 20), `/*${' '.repeat(1 << 20)}`]) {
      expect(() => parseCdef(source, new Registry())).toThrow(CDefError);
    }
    expect((get(cdef(`int x[${'1+'.repeat(1 << 19)}1];`), 'x', 'variable').type as ArrayType).length).toBe((1 << 19) + 1);
  });
});

// ---- fuzzing --------------------------------------------------------------------------------

const CORPUS = [
  'int add(int a, int b);',
  'typedef struct { int x, y; } pt_t; pt_t *make(int, int);',
  'struct node { struct node *next; int v[3]; unsigned f : 3; };',
  'enum color { RED, GREEN = 5, BLUE = GREEN << 2 };',
  '#define N (4 * sizeof(long))\nint table[N];',
  'union u { int i; struct { char a, b; }; float f; };',
  'typedef int (*cb_t)(void *, const char *, ...);',
  'static const unsigned long MASK = ~0ul >> 3;',
  'extern volatile int *const ptrs[2][3];',
  "int f(void); char c[(unsigned char)'\\xff'];",
  'struct s; enum e; struct s *g(enum e *);',
];
const VOCABULARY = [
  'int', 'char', 'long', 'unsigned', 'short', 'double', 'void', 'const', 'volatile', 'restrict', 'struct', 'union', 'enum',
  'typedef', 'extern', 'static', 'sizeof', 'x', 'y', 's', 'f', 't', 'size_t', 'N', '0', '1', '3', '0x10', "'a'", '"s"',
  '(', ')', '[', ']', '{', '}', ';', ',', ':', '*', '=', '+', '-', '<<', '?', '...', '#define', '#include', '\n', '/*', '*/',
  '//', '\\', '__attribute__', 'inline', 'é', '\0', '1.5', 'if',
];

function mutate(rng: () => number, text: string): string {
  const at = Math.floor(rng() * (text.length + 1));
  const pick = VOCABULARY[Math.floor(rng() * VOCABULARY.length)];
  switch (Math.floor(rng() * 5)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rng() * 4));
    case 1:
      return `${text.slice(0, at)} ${pick} ${text.slice(at)}`;
    case 2:
      return text.slice(0, at) + String.fromCharCode(Math.floor(rng() * 128)) + text.slice(at);
    case 3: {
      const from = Math.floor(rng() * text.length);
      return text.slice(0, at) + text.slice(from, from + 1 + Math.floor(rng() * 10)) + text.slice(at);
    }
    default:
      return text.slice(0, at) + text.slice(at).replace(/\w+/, pick);
  }
}

describe('fuzz smoke test', () => {
  const seed = Number(process.env.NODE_CFFI_SEED ?? 424242);
  const count = process.env.NODE_CFFI_LONG === '1' ? 100000 : 4000;

  test(`random and mutated inputs either parse or throw a positioned CDefError (seed ${seed}, ${count} inputs)`, () => {
    const rng = prng(seed);
    const baseSource = 'typedef int t; struct s { int x; }; enum e { A };\n#define N 2\nstruct fwd; enum fe;';
    let parsed = 0;
    const problems: string[] = [];
    for (let i = 0; i < count; i++) {
      let source: string;
      if (rng() < 0.3) {
        source = Array.from({ length: 1 + Math.floor(rng() * 30) }, () => VOCABULARY[Math.floor(rng() * VOCABULARY.length)]).join(' ');
      } else {
        source = CORPUS[Math.floor(rng() * CORPUS.length)];
        for (let m = Math.floor(rng() * 3); m > 0; m--) source = mutate(rng, source);
      }
      const where = `seed ${seed}, input ${i} ${JSON.stringify(source)}`;
      const r = cdef(baseSource);
      const before = [...r.values()];
      const cached = parseTypeName('t *', r);
      try {
        parseCdef(source, r, { override: rng() < 0.2 });
        parsed++;
      } catch (e) {
        const ok =
          e instanceof CDefError && Number.isInteger(e.line) && Number.isInteger(e.column) && e.line! >= 1 && e.column! >= 1 &&
          e.message.startsWith(`cdef:${e.line}:${e.column}: `);
        if (!ok) problems.push(`${where}: ${String(e)}`);
        // Atomicity: nothing declared, nothing completed, the cache intact.
        const same = [...r.values()].every((d, k) => d === before[k]) && r.typeCache.get('t *') === cached;
        const fwd = r.tag('struct', 'fwd') as StructType;
        const fe = r.tag('enum', 'fe') as EnumType;
        if (!same || fwd.complete || Object.keys(fe.relements).length) problems.push(`${where}: the failed cdef changed the registry`);
      }
      try {
        parseTypeName(source, r);
      } catch (e) {
        if (!(e instanceof CDefError && e.message.startsWith('type '))) problems.push(`${where} as a type: ${String(e)}`);
      }
    }
    expect(problems).toEqual([]);
    // The mutations keep a fair share of inputs valid, so the success paths are exercised too.
    expect(parsed).toBeGreaterThan(count / 20);
  });
});

// ---- agreement with the C compiler ----------------------------------------------------------

describe('agreement with the C compiler', () => {
  test('enum base types: size and signedness', () => {
    const source =
      'enum a { A1 = 1 }; enum b { B1 = -1 }; enum c { C1 = 0xffffffff }; enum d { D1 = 0x100000000 }; ' +
      'enum f { F1 = -1, F2 = 0x7fffffff }; enum g { G1 = -1, G2 = 0x80000000 }; enum h { H1 = -2147483648 }; ' +
      'enum i { I1 = -2147483649 }; enum j { J1 = 0x8000000000000000 };';
    const r = cdef(source);
    const names = ['a', 'b', 'c', 'd', 'f', 'g', 'h', 'i', 'j'];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-enum-'));
    try {
      const file = path.join(dir, 'enums.c');
      const checks = names.map((n) => `  printf("%d %d\\n", (int)sizeof(enum ${n}), (enum ${n})-1 < 0);`).join('\n');
      fs.writeFileSync(file, `#include <stdio.h>\n${source}\nint main(void) {\n${checks}\n  return 0;\n}\n`);
      const exe = path.join(dir, 'enums');
      const cc = spawnSync(process.env.CC || 'cc', ['-w', '-o', exe, file], { encoding: 'utf8' });
      expect(cc.stderr).toBe('');
      const out = spawnSync(exe, [], { encoding: 'utf8' }).stdout.trim().split('\n');
      const ours = names.map((n) => {
        const base = enumOf(r, n).base;
        return `${base.size} ${base.repr.startsWith('i') ? 1 : 0}`;
      });
      expect(ours).toEqual(out);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('random declarators: the parsed types are the types the compiler sees, and the refusals its errors', () => {
    const seed = Number(process.env.NODE_CFFI_SEED ?? 77);
    const rng = prng(seed);
    const prelude = 'struct S { int a; }; typedef int fn_t(int); typedef char arr_t[4];';
    const bases = ['int', 'const char', 'double', 'unsigned long', 'struct S', 'fn_t', 'arr_t', 'void', 'volatile short'];
    // No 'restrict': cdef takes it where C refuses it (and drops it there), as CFFI does; the
    // 'restrict' tests above cover where it stays.
    const quals = ['', '', 'const ', 'volatile ', 'const volatile '];
    /** A declarator for `name`, built from the name outwards, as C reads it. */
    const declarator = (name: string, depth: number): string => {
      let s = name;
      for (let n = Math.floor(rng() * 5); n > 0; n--) {
        const r = rng();
        if (r < 0.4) s = `*${quals[Math.floor(rng() * quals.length)]}${s}`;
        else {
          if (s.startsWith('*')) s = `(${s})`;
          if (r < 0.7) s += `[${Math.floor(rng() * 4)}]`;
          else {
            const count = depth > 0 ? Math.floor(rng() * 3) : 0;
            const params = Array.from({ length: count }, () => `${bases[Math.floor(rng() * bases.length)]} ${declarator(rng() < 0.5 ? '' : 'p', depth - 1)}`);
            s += `(${params.join(', ') || 'void'}${params.length && rng() < 0.2 ? ', ...' : ''})`;
          }
        }
      }
      return s;
    };
    const accepted: string[] = [];
    const refused: string[] = [];
    const count = process.env.NODE_CFFI_LONG === '1' ? 5000 : 400;
    for (let i = 0; i < count; i++) {
      const decl = `extern ${bases[Math.floor(rng() * bases.length)]} ${declarator(`v${i}`, 2)};`;
      const r = cdef(prelude);
      try {
        parseCdef(decl, r);
        const d = r.get(`v${i}`) as Extract<Decl, { kind: 'function' | 'variable' }>;
        accepted.push(`${decl}\n_Static_assert(__builtin_types_compatible_p(__typeof__(v${i}), ${d.type.spelling}), "v${i}");`);
      } catch (e) {
        expect(e).toBeInstanceOf(CDefError);
        // cdef refuses a void variable, which GCC lets an extern declaration have.
        if (!/^extern void v\d+;$/.test(decl)) refused.push(decl);
      }
    }
    expect(accepted.length).toBeGreaterThan(100);
    expect(refused.length).toBeGreaterThan(20);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-decl-'));
    try {
      const compile = (name: string, text: string): string => {
        const file = path.join(dir, `${name}.c`);
        fs.writeFileSync(file, text);
        // -Werror: a named 'void' parameter is only a warning for GCC; cdef refuses it.
        const args = ['-std=gnu11', '-Werror', '-fsyntax-only', '-fno-diagnostics-show-caret', file];
        return spawnSync(process.env.CC || 'cc', args, { encoding: 'utf8', maxBuffer: 1 << 26 }).stderr;
      };
      expect(compile('accepted', `${prelude}\n${accepted.join('\n')}\n`)).toBe('');
      // Each refused declaration draws an error from the compiler too.
      const errors = compile('refused', `${prelude}\n${refused.join('\n')}\n`);
      const lines = new Set([...errors.matchAll(/refused\.c:(\d+):\d+: error/g)].map((m) => Number(m[1]) - 2));
      expect(refused.filter((_, i) => !lines.has(i)).map((d) => `seed ${seed}: ${d}`)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('sizes of parsed types agree for simple declarations', () => {
    const decls = 'struct pt { char c; double d; short s[3]; }; typedef int (*fp_t)(int); union u { char c[5]; int i; };';
    const r = cdef(decls);
    const types = ['struct pt', 'fp_t', 'union u', 'long double[2]', 'unsigned short[3][5]', 'fp_t[4]', 'char *(*)[2]'];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-sizes-'));
    try {
      const file = path.join(dir, 'sizes.c');
      const lines = types.map((t) => `  printf("%d\\n", (int)sizeof(${t}));`);
      fs.writeFileSync(file, `#include <stdio.h>\n${decls}\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`);
      const exe = path.join(dir, 'sizes');
      const cc = spawnSync(process.env.CC || 'cc', ['-w', '-o', exe, file], { encoding: 'utf8' });
      expect(cc.stderr).toBe('');
      const out = spawnSync(exe, [], { encoding: 'utf8' }).stdout.trim().split('\n').map(Number);
      expect(types.map((t) => parseTypeName(t, r).size)).toEqual(out);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
