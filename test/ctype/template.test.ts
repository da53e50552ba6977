// Tests of cdef templates: a text parsed again into an empty table is copied, with the very declarations a parse gives, on types of its own.
import * as lexer from '../../lib/cparser/lexer';
import { parseCdef } from '../../lib/cparser/parser';
import { CType, StructType, primitive, settledPending } from '../../lib/ctype/model';
import { functionType, pointerTo } from '../../lib/ctype/intern';
import { Registry } from '../../lib/ctype/registry';
import { Template, TemplateMemo } from '../../lib/ctype/template';
import { FFI } from '../../lib';
import { runChild, ending } from '../helpers/child';

/**
 * Everything a table holds, as plain data: each declaration with all its properties, its types
 * spelled out (struct, union and enum types by their number in order of first use, so that a copy
 * and its original dump the same, and two uses of one type are seen to be one).
 */
function dump(r: Registry): unknown {
  const numbers = new Map<CType, number>();
  const bodies: unknown[] = [];
  const type = (t: CType): unknown => {
    switch (t.kind) {
      case 'void':
        return 'void';
      case 'primitive':
        return { primitive: t.name, deferred: t.deferred, size: t.size };
      case 'pointer':
        return { pointer: type(t.item), quals: t.quals };
      case 'array':
        return { array: type(t.item), length: t.length, deferred: t.deferred };
      case 'function':
        return { fn: t.args.map(type), result: type(t.result), ellipsis: t.ellipsis };
      case 'struct':
      case 'union':
      case 'enum': {
        const known = numbers.get(t);
        if (known !== undefined) return { ref: known };
        const n = numbers.size;
        numbers.set(t, n);
        bodies[n] = null;
        bodies[n] = t.kind === 'enum'
          ? { enum: t.name, byTypedef: t.namedByTypedef, values: { ...t.relements }, names: { ...t.elements }, base: t.base.name, partial: t.partial, settled: t.settled }
          : {
              [t.kind]: t.name, byTypedef: t.namedByTypedef, size: t.size, align: t.align, pack: t.pack, partial: t.partial, spelling: t.cSpelling,
              members: t.members, fields: t.fields?.map((f) => ({ ...f, type: type(f.type) })) ?? null, byName: [...t.fieldMap.keys()],
            };
        return { ref: n };
      }
    }
  };
  const decls = [...r.values()].map((d) => ({ ...d, type: type(d.type) }));
  return { decls, bodies, anonymous: r.anonymousCount };
}

/** Texts of every kind a cdef declares, none of which waits for the compiler. */
const TEXTS = [
  'int add(int a, int b); double scale(double, int *out); void nothing(void); int printf(const char *, ...);',
  'struct pt { int x, y; }; struct box { struct pt a, b; char tag[3]; }; int area(struct box *b);',
  'typedef struct { int a; union { short s; char c; }; struct { long l; }; } anon_t; typedef anon_t *anon_p;',
  'struct list { struct list *next; int value; }; typedef struct list list_t; list_t *head(list_t *l);',
  'struct opaque; typedef struct opaque opaque_t; opaque_t *open_it(const char *name);',
  'enum color { RED, GREEN = 5, BLUE }; typedef enum { A = -1, B } signed_e; enum color pick(signed_e s);',
  'struct bits { unsigned a : 3; unsigned : 0; int b : 5; char c; }; struct flex { int n; double d[]; };',
  '#define N 5\n#define M 0x10\nstatic const int K = 7; int table[N]; extern const char *names[3];',
  'typedef int (*cmp_t)(const void *, const void *); void sort(void *base, size_t n, size_t size, cmp_t cmp);',
  'extern "Python" int visit(int, void *); int walk(int (*cb)(int, void *), void *data);',
  'struct node; struct tree { struct node *root; struct node *(*find)(struct tree *, int); }; struct node { int key; struct tree *owner; };',
  'typedef union { int i; float f; unsigned char b[4]; } word_t; typedef word_t words_t[8]; words_t *all(void);',
  'struct packed_s { char c; int i; }; typedef struct { char c; double d; } plain_s; int pick_plain(plain_s, struct packed_s *);',
  'typedef struct { int x; } *handle_t; handle_t make(void); typedef enum { Q1, Q2 } *qp; typedef ... *opaque_h; opaque_h make_opaque(void);',
];

/** Options that change what a text declares: each makes a template of its own. */
const OPTIONS = [{}, { pack: 2 }, { packed: true }, { override: true }];

/** `text` declared into a new table by parseCdef (through the memo, as ffi.cdef() does). */
function parsed(text: string, options = {}): Registry {
  const r = new Registry();
  parseCdef(text, r, options);
  return r;
}

describe('cdef templates', () => {
  test.each(TEXTS.flatMap((t, i) => OPTIONS.map((o) => [i, JSON.stringify(o), t, o] as const)))(
    'text %i with options %s: a copy dumps as the parse does, and its struct, union and enum types are its own',
    (_, _shown, text, options) => {
      const original = new Registry();
      parseCdef(text, original, options);
      const template = Template.of(original);
      expect(template).not.toBeNull();
      const copy = new Registry();
      template!.copyInto(copy);
      expect(dump(copy)).toStrictEqual(dump(original));
      const own = (t: CType): boolean => {
        switch (t.kind) {
          case 'struct':
          case 'union':
          case 'enum':
            return true;
          case 'pointer':
          case 'array':
            return own(t.item);
          case 'function':
            return own(t.result) || t.args.some(own);
          default:
            return false;
        }
      };
      for (const d of original.values()) {
        const other = copy.get(d.kind === 'tag' ? `${d.type.kind} ${d.name}` : d.name)!;
        expect(other).toBeDefined();
        if (own(d.type)) {
          expect(other.type).not.toBe(d.type);
          // Nothing in a template waits for the compiler: its copies are known settled from the start.
          expect(other.type._settled).toBe(true);
          expect(settledPending(other.type)).toBeNull();
        } else expect(other.type).toBe(d.type); // built-in types, and types made of them only, are every FFI's
        if ((other.type.kind === 'struct' || other.type.kind === 'union') && d.type !== other.type && other.type.fields !== null) {
          // Fields are never written: one of a type every FFI shares is shared; one of the FFI's own types is the copy's.
          const fields = (d.type as StructType).fields!;
          other.type.fields.forEach((f, i) => expect(f === fields[i]).toBe(f.type === fields[i].type));
        }
      }
    },
  );

  test('ffi.cdef() of a text the third time gives what the first gave', () => {
    for (const text of TEXTS) {
      const [first, second, third] = [0, 1, 2].map(() => parsed(text));
      expect(dump(third)).toStrictEqual(dump(first));
      expect(dump(second)).toStrictEqual(dump(first));
    }
  });

  test('a type the compiler gives makes no template: partial structs, [...] lengths, int... typedefs, partial enums', () => {
    for (const text of ['struct s { int a; ...; };', 'int a[...];', 'typedef int... t;', 'enum e { X, ... };', 'typedef int v[...];', 'struct t { int n[...]; };']) {
      expect(Template.of(parsed(text))).toBeNull();
    }
  });

  test('the memo: parsed twice, then copied; each text and option set on its own; only into empty tables', () => {
    const lex = jest.spyOn(lexer, 'lex');
    try {
      const text = 'struct memo_a { int x; }; int memo_f(struct memo_a *);';
      const runs = () => lex.mock.calls.filter(([s]) => s === text).length;
      for (let i = 0; i < 5; i++) parseCdef(text, new Registry(), {});
      expect(runs()).toBe(2);
      parseCdef(text, new Registry(), { pack: 1 });
      parseCdef(text, new Registry(), { pack: 1 });
      expect(runs()).toBe(4); // other options: parsed twice again
      parseCdef(text, new Registry(), { pack: 1 });
      expect(runs()).toBe(4);
      const busy = new Registry();
      parseCdef('int other_name;', busy, {});
      parseCdef(text, busy, {});
      expect(runs()).toBe(5); // a table with declarations: parsed
      const named = new Registry();
      named.anonymousName();
      parseCdef(text, named, {});
      expect(runs()).toBe(6); // a table that named an anonymous type: parsed
    } finally {
      lex.mockRestore();
    }
  });

  test('a text that fails is never copied: each cdef of it fails with the same error', () => {
    const text = 'struct fails_s { int x; }; int fails_f(int;';
    const errors = Array.from({ length: 4 }, () => {
      try {
        parseCdef(text, new Registry(), {});
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(new Set(errors).size).toBe(1);
    expect(errors[0]).toMatch(/^cdef:1:/);
  });

  test('the memo forgets the least recently used text past 16 texts', () => {
    const memo = new TemplateMemo();
    const texts = Array.from({ length: 18 }, (_, i) => `int evict_${i};`);
    for (const t of texts) for (let k = 0; k < 2; k++) memo.note(t, '', parsed(t));
    expect(memo.recall(texts[0], '')).toBeUndefined(); // the two oldest are gone
    expect(memo.recall(texts[1], '')).toBeUndefined();
    for (const t of texts.slice(2)) expect(memo.recall(t, '')).toBeInstanceOf(Template);
    memo.note(texts[0], '', parsed(texts[0])); // texts[2] was recalled first, so it is the oldest now
    expect(memo.recall(texts[2], '')).toBeUndefined();
    expect(memo.recall(texts[3], '')).toBeInstanceOf(Template);
  });

  test('the memo keeps at most 4 MiB of text: older texts are forgotten past it, and a longer text is never kept', () => {
    const memo = new TemplateMemo();
    const big = (i: number): string => `int big_${i};${' '.repeat(1.5 * 2 ** 20)}`; // 1.5 MiB each
    for (let i = 0; i < 3; i++) for (let k = 0; k < 2; k++) memo.note(big(i), '', parsed(`int big_${i};`));
    expect(memo.recall(big(0), '')).toBeUndefined(); // 4.5 MiB: the oldest went
    expect(memo.recall(big(1), '')).toBeInstanceOf(Template);
    expect(memo.recall(big(2), '')).toBeInstanceOf(Template);
    const huge = `int huge;${' '.repeat(4 * 2 ** 20)}`;
    for (let k = 0; k < 3; k++) memo.note(huge, '', parsed('int huge;'));
    expect(memo.recall(huge, '')).toBeUndefined();
    expect(memo.recall(big(2), '')).toBeInstanceOf(Template); // and nothing was forgotten for it
  });

  test('FFIs of one text: a later cdef completing one FFI\'s opaque struct leaves the others and the template alone', () => {
    const text = 'struct later; struct holder { struct later *p; int n; }; int use_holder(struct holder *);';
    const ffis = Array.from({ length: 4 }, () => {
      const ffi = new FFI();
      ffi.cdef(text);
      return ffi;
    });
    ffis[2].cdef('struct later { double d[4]; };');
    expect(ffis[2].sizeof('struct later')).toBe(32);
    for (const i of [0, 1, 3]) expect(() => ffis[i].sizeof('struct later')).toThrow(/opaque|incomplete|unknown size/);
    const fresh = new FFI();
    fresh.cdef(text);
    expect(() => fresh.sizeof('struct later')).toThrow(/opaque|incomplete|unknown size/);
    expect(ffis[3].typeof('struct holder')).not.toBe(ffis[0].typeof('struct holder'));
    expect(ffis[3].typeof('struct holder *')).not.toBe(ffis[0].typeof('struct holder *'));
  });
});

describe('function types, interned on their newest part', () => {
  test('the same parts give the same type; built-in ones are shared by every FFI', () => {
    const s = new StructType('struct', 'fnparts');
    s.fields = []; // a complete struct of its own
    const int = primitive('int');
    const p = pointerTo(s);
    expect(functionType([int, p], int, false)).toBe(functionType([int, p], int, false));
    expect(functionType([int, p], int, true)).not.toBe(functionType([int, p], int, false));
    expect(functionType([p, int], int, false)).not.toBe(functionType([int, p], int, false));
    expect(functionType([], p, false)).toBe(functionType([], p, false));
    const a = new FFI();
    const b = new FFI();
    expect(a.typeof('int(*)(int, char *)')).toBe(b.typeof('int(*)(int, char *)'));
  });

  test('a part that holds one function type, then others, strongly or weakly, keeps giving each the same type', () => {
    const older = new StructType('struct', 'older');
    older.fields = [];
    const s = new StructType('struct', 'holder');
    s.fields = [];
    const int = primitive('int');
    const p = pointerTo(s);
    expect(pointerTo(s)).toBe(p);
    expect(pointerTo(s, 1)).not.toBe(p);
    expect(pointerTo(s, 1)).toBe(pointerTo(s, 1));
    const first = functionType([int, p], int, false); // p's only one: held without a table
    expect(functionType([int, p], int, false)).toBe(first);
    const second = functionType([p], int, false); // a second: both go into a table
    const third = functionType([pointerTo(older), p], int, false); // another type's part: held weakly
    const all = [first, second, third];
    const again = [functionType([int, p], int, false), functionType([p], int, false), functionType([pointerTo(older), p], int, false)];
    expect(again).toEqual(all);
    again.forEach((t, i) => expect(t).toBe(all[i]));
    expect(new Set(all).size).toBe(3);
    expect(all.map((t) => t.cname)).toEqual(['int(*)(int, struct holder *)', 'int(*)(struct holder *)', 'int(*)(struct older *, struct holder *)'].map((n) => n.replace('(*)', '')));
  });

  test('function types of a discarded FFI are collected with it, even those whose newest part is a type of an FFI that lives on', () => {
    const r = runChild(`
      const { FFI } = require(LIB);
      let collected = 0, made = 0;
      const gone = new FinalizationRegistry(() => { collected++; });
      const keeper = new FFI();
      (() => {
        for (let i = 0; i < 100; i++) {
          const f = new FFI();
          f.cdef('struct mine { int a; }; struct other { int b; }; int both(struct mine *, struct other *); int one(int, struct mine *);');
          keeper.cdef('struct kept' + i + ' { int k; };'); // newer than f's types
          f.include(keeper);
          f.cdef('int mixed(struct kept' + i + ' *, struct mine *);');
          for (const t of ['struct mine', 'int(*)(struct mine *, struct other *)', 'int(*)(int, struct mine *)', 'int(*)(struct kept' + i + ' *, struct mine *)']) {
            const type = f.typeof(t);
            gone.register(type.kind === 'pointer' ? type.item : type, 0);
            made++;
          }
        }
      })();
      (async () => {
        for (let i = 0; i < 50 && collected < made; i++) { global.gc(); await new Promise((r) => setImmediate(r)); }
        console.log(JSON.stringify({ made, collected, kept: keeper.sizeof('struct kept99') }));
      })();
    `, { env: { NODE_OPTIONS: '--expose-gc' } });
    expect(ending(r)).toBe('exit 0');
    expect(JSON.parse(r.stdout.trim())).toEqual({ made: 400, collected: 400, kept: 4 });
  });
});
