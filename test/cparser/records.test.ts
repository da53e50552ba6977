// Tests of the cdef parser: structs and unions, typedefs, enums and tags.
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
    // Found by a look through the first eight fields, and by the set of names after them.
    ['struct s { int a, b, c, d, e, f, g, h; char h; };', "cdef:1:45: duplicate member 'h' in 'struct s'"],
    ['struct s { int a, b, c, d, e, f, g, h, i; char a; };', "cdef:1:48: duplicate member 'a' in 'struct s'"],
    ['struct s { int a, b, c, d, e, f, g, h, i, j; char j; };', "cdef:1:51: duplicate member 'j' in 'struct s'"],
    ['union u { struct { int a, b, c, d, e, f, g, h, i; }; int i; };', "cdef:1:58: duplicate member 'i' in 'union u'"],
    ['struct s { float f : 3; };', "cdef:1:18: bit-field 'f' has type 'float'; bit-fields need an integer type"],
    ['struct s { char c : 9; };', "cdef:1:17: bit-field 'c' is 9 bits wide, more than its type 'char' (8)"],
    ['struct s { int x : 0; };', "cdef:1:16: bit-field 'x' has zero width; only unnamed bit-fields may"],
    ['struct s { int x : -1; };', "cdef:1:18: the bit-field 'x' has a negative width (-1)"],
    ['struct s { int : -2; };', "cdef:1:16: the bit-field '(unnamed)' has a negative width (-2)"],
    ['struct s { int d[]; int n; };', "cdef:1:16: flexible array member 'd' must be the last member of a struct"],
    ['typedef ... t; struct s { t x; };', "cdef:1:29: member 'x' has incomplete type 't'"],
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
    ['enum a { X }; enum b { X = 1 };', "cdef:1:24: 'X' is already declared as the constant 0 (at 1:10); pass { override: true } to replace it"],
    ['int X; enum { X };', "cdef:1:15: 'X' is already declared as a variable of type 'int' (at 1:5); pass { override: true } to replace it"],
    ['enum e { size_t };', "cdef:1:10: 'size_t' is a built-in type name and cannot name a constant"],
  ])('%s → %s', (source, message) => {
    expect(errorOf(source)).toBe(message);
  });
});

describe('tags', () => {
  test("'struct s', 'union s' and 'enum s' are three tags, as CFFI keeps them (C has one namespace; verify()'s compiler reports a clash)", () => {
    const r = cdef('struct s { int a; short b; }; union s { int a; short b; }; enum s { S1 }; union s *p;');
    expect([structOf(r, 'struct', 's').size, structOf(r, 'union', 's').size, enumOf(r, 's').cname]).toEqual([8, 4, 'enum s']);
    expect(get(r, 'p', 'variable').type).toBe(pointerTo(structOf(r, 'union', 's')));
  });
});
