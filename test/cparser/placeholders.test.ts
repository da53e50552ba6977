// Tests of the cdef parser: API mode's '...' placeholders, which leave layouts, lengths and values to the compiler.
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
    ['typedef ... o; struct s { o v; };', "cdef:1:29: member 'v' has incomplete type 'o'"],
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
