// Tests of CdefBatch: pieces parsed into one scope, each all or nothing, give what one parseCdef() per piece gives.
import { CDefError } from '../../lib/errors';
import { CType, StructType } from '../../lib/ctype/model';
import { Registry, keyOf } from '../../lib/ctype/registry';
import { CdefBatch } from '../../lib/cparser/batch';
import { parseCdef, parseTypeName } from '../../lib/cparser/parser';
import { literalDefine } from '../../lib/cparser/constexpr';
import { Random, testSeed } from '../helpers/random';

/** Pieces that interact: forward declarations completed later, redefinitions, conflicts, anonymous types, packs, refusals. */
const PIECES: readonly string[] = [
  'struct s;',
  'struct s { int x; double y; };',
  'struct s { int x; double y; }; int bad(;',
  'struct s { char c; };',
  'struct t { struct s inner; int n; };',
  'struct u { struct u *next; int v[3]; };',
  'union w { int i; float f; };',
  'enum e;',
  'enum e { A, B = 5, C };',
  'enum e { A, B = 5, C }; int oops = 1;',
  'enum f { D = A + 1, E };',
  'enum { K1 = 7, K2 };',
  'typedef int myint;',
  'typedef long myint;',
  'typedef struct { int a; } anon_t;',
  'typedef struct { int a; } *anon_p;',
  'typedef struct { int a; char b; } anon2_t; struct { int z; } refused_anon;',
  'struct { int q; } lone;',
  'typedef struct s s_t;',
  'typedef struct s *s_p;',
  'int f(int a, struct s *p);',
  'int f(int a, struct s *p);',
  'long f(int a);',
  'int g(struct s v);',
  'void h(struct nowhere *p);',
  'double k(myint x, anon_t *p);',
  'int arr[N];',
  '#define N 4',
  '#define N 5',
  'static const int LIMIT = N * 2;',
  'typedef int... dint_t;',
  'struct part { int x; ...; };',
  'typedef ... opaque_t;',
  'typedef ... *opaque_p;',
  'extern int counter;',
  'struct s { int x; double y; }; struct s2 { struct s a; long z; };',
  'int __attribute__((unused)) attr;',
  'struct bits { unsigned a : 3; int : 0; signed b : 5; };',
  'int bits(struct bits *b);',
  'struct $bad;',
  'void *make(size_t n);',
];

/** What a registry holds, with the layout of its structs, as comparable text. */
function describeRegistry(r: Registry): string[] {
  const layout = (t: CType): string => {
    if (t.kind !== 'struct' && t.kind !== 'union') return '';
    const s = t as StructType;
    const fields = s.fields?.map((f) => `${f.name}:${f.type.cname}@${f.offset}/${f.bitshift}/${f.bitsize}`).join(',') ?? 'incomplete';
    return ` {${fields}} ${s.size}/${s.align} ${s.members === null ? '' : 'members'}`;
  };
  const out: string[] = [];
  for (const d of r.values()) {
    const type = 'type' in d ? `${d.type.cname}${layout(d.type)}` : '';
    const value = d.kind === 'constant' ? ` = ${String(d.value)}` : '';
    out.push(`${keyOf(d)} ${d.kind} ${type}${value} @${d.pos.line}:${d.pos.column}`);
  }
  return out;
}

/** Each piece through its own parseCdef() into one registry: the outcome of each (null or the message), and the registry. */
function oneByOne(pieces: readonly string[]): { outcomes: (string | null)[]; registry: Registry } {
  const registry = new Registry();
  const outcomes = pieces.map((p) => {
    try {
      parseCdef(p, registry);
      return null;
    } catch (e) {
      if (!(e instanceof CDefError)) throw e;
      return e.message;
    }
  });
  return { outcomes, registry };
}

/** The same pieces through one batch, every parsed piece kept. */
function batched(pieces: readonly string[]): { outcomes: (string | null)[]; registry: Registry } {
  const registry = new Registry();
  const batch = new CdefBatch(registry);
  const outcomes = pieces.map((p) => {
    const refused = batch.add(p);
    if (refused === null) batch.keep();
    return refused === null ? null : refused.message;
  });
  batch.commit();
  return { outcomes, registry };
}

describe('CdefBatch', () => {
  const seed = testSeed(20261202);

  test(`random sequences of interacting pieces give what one parseCdef() per piece gives (seed ${seed})`, () => {
    const rng = new Random(seed);
    let refusals = 0;
    for (let run = 0; run < 300; run++) {
      const pieces = Array.from({ length: rng.int(1, 14) }, () => rng.pick(PIECES));
      const a = oneByOne(pieces);
      const b = batched(pieces);
      expect({ pieces, outcomes: b.outcomes }).toEqual({ pieces, outcomes: a.outcomes });
      expect({ pieces, registry: describeRegistry(b.registry) }).toEqual({ pieces, registry: describeRegistry(a.registry) });
      refusals += a.outcomes.filter((o) => o !== null).length;
    }
    // The sequences do exercise refusals, and their undoing.
    expect(refusals).toBeGreaterThan(100);
  });

  test('a commit into an empty table declares each name in order, tells each, and leaves the table alone afterwards', () => {
    const registry = new Registry();
    const told: string[] = [];
    registry.onDeclare = (d) => told.push(keyOf(d));
    const batch = new CdefBatch(registry);
    expect(batch.add('struct s { int x; }; typedef struct s s_t;')).toBeNull();
    batch.keep();
    expect(batch.add('int f(s_t *p); enum e { A, B };')).toBeNull();
    batch.keep();
    batch.commit();
    const order = ['struct s', 's_t', 'f', 'enum e', 'A', 'B'];
    expect(told).toEqual(order);
    expect([...registry.values()].map(keyOf)).toEqual(order);
    const count = registry.changes;
    // Pieces after the commit are the scope's own until the next commit: undone, they never reach the table.
    expect(batch.add('int g(void);')).toBeNull();
    expect(registry.get('g')).toBeUndefined();
    batch.undo();
    expect(batch.add('int f(double);')).toBeInstanceOf(CDefError);
    expect([registry.changes, [...registry.values()].map(keyOf)]).toEqual([count, order]);
    // A second commit goes through the declarations' checks, one by one.
    expect(batch.add('int h(int);')).toBeNull();
    batch.keep();
    batch.commit();
    expect(told).toEqual([...order, 'h']);
    expect(() => parseCdef('int f(double);', registry)).toThrow(CDefError);
  });

  test('a refused piece that completed a forward-declared struct leaves it incomplete', () => {
    const registry = new Registry();
    const batch = new CdefBatch(registry);
    expect(batch.add('struct s;')).toBeNull();
    batch.keep();
    const refused = batch.add('struct s { int x; }; int bad(;');
    expect(refused).toBeInstanceOf(CDefError);
    expect(refused?.message).toBe("cdef:1:30: expected a parameter type, found ';'");
    batch.commit();
    const s = registry.tag('struct', 's') as StructType;
    expect([s.complete, s.size, s.fields]).toEqual([false, -1, null]);
  });

  test('undo() takes back a parsed piece, its types and the completion of earlier ones', () => {
    const registry = new Registry();
    const batch = new CdefBatch(registry);
    expect(batch.add('struct s; enum e;')).toBeNull();
    batch.keep();
    expect(batch.add('struct s { int x; }; enum e { A, B }; typedef struct { int y; } anon_t; int f(struct s v);')).toBeNull();
    expect(batch.get('f')?.kind).toBe('function');
    batch.undo();
    expect([batch.get('f'), batch.get('anon_t'), batch.get('A')]).toEqual([undefined, undefined, undefined]);
    expect(batch.add('typedef struct { int z; } other_t;')).toBeNull();
    batch.keep();
    batch.commit();
    expect((registry.tag('struct', 's') as StructType).complete).toBe(false);
    expect(Object.keys(registry.get('enum e')?.type.kind === 'enum' ? (registry.tag('enum', 'e') as { relements: object }).relements : {})).toEqual([]);
    // The undone piece's anonymous struct took no name: the next one is the first.
    expect([...registry.values()].map(keyOf)).toEqual(['struct s', 'enum e', 'other_t']);
    expect(registry.anonymousName()).toBe('$1');
  });

  test('anonymous types of kept pieces are named as each piece is kept, in order', () => {
    const registry = new Registry();
    const batch = new CdefBatch(registry);
    expect(batch.add('typedef struct { int a; } *p1;')).toBeNull();
    batch.keep();
    // A refused piece names nothing; its message already sees the name of the first.
    const refused = batch.add('typedef struct { int b; } *p2; long p1;');
    expect(refused?.message).toBe("cdef:1:37: 'p1' is already declared as a typedef for 'struct $1 *' (at 1:28); pass { override: true } to replace it");
    expect(batch.add('typedef struct { int c; } *p3;')).toBeNull();
    batch.keep();
    batch.commit();
    expect(parseTypeName('p3', registry).cname).toBe('struct $2 *');
  });

  test('each piece has its own pack, and a bad pack is refused as parseCdef() refuses it', () => {
    const registry = new Registry();
    const batch = new CdefBatch(registry);
    expect(batch.add('struct a { char c; int i; };', { pack: 1 })).toBeNull();
    batch.keep();
    expect(batch.add('struct b { char c; int i; };')).toBeNull();
    batch.keep();
    const bad = batch.add('struct c { char c; };', { pack: 3 });
    expect(bad).toBeInstanceOf(TypeError);
    expect(bad?.message).toBe("cdef: option 'pack' must be 0 or a power of two from 1 to 16, not 3");
    batch.commit();
    expect([(registry.tag('struct', 'a') as StructType).size, (registry.tag('struct', 'b') as StructType).size]).toEqual([5, 8]);
    expect(registry.tag('struct', 'c')).toBeUndefined();
  });

  test('typeName() reads a type name over the batch and keeps the tags it declares', () => {
    const registry = new Registry();
    const batch = new CdefBatch(registry);
    expect(batch.add('typedef unsigned short u16;')).toBeNull();
    batch.keep();
    expect(batch.typeName('u16').cname).toBe('unsigned short');
    expect(batch.typeName('struct later *').cname).toBe('struct later *');
    expect(() => batch.typeName('u17')).toThrow(new CDefError("type 'u17': column 1: unknown type name 'u17'", 1, 1));
    batch.commit();
    expect([...registry.values()].map(keyOf)).toEqual(['u16', 'struct later']);
  });

  test('a piece must be kept or undone before the next', () => {
    const batch = new CdefBatch(new Registry());
    expect(batch.add('int x;')).toBeNull();
    expect(() => batch.add('int y;')).toThrow(/^internal: keep\(\) or undo\(\) the last piece/);
  });
  test('addDefine() declares what add() of the same #define line declares, and refuses what it refuses, with its message', () => {
    const values = [
      '0', '7', '(1)', '(-1)', '-1', '-0', '2147483647', '-2147483647', '2147483648', '-2147483648', '(-2147483648)', '0x7fffffff',
      '0x80000000', '-0x80000000', '0xffffffffu', '4294967296', '0x100000000', '9223372036854775807', '9223372036854775808',
      '18446744073709551615', '18446744073709551616', '0x10UL', '10ll', '10uLL', '10lul', '077', '08', '0b101', '1e5', '0x1p3',
      '(1', '1)', '((1))', '(-(1))', '- 1', '1 + 1', '-1u', '-5L', '(0x0)', '00', 'N', '(N)',
    ];
    const names = ['A', 'B', 'int', 'N', 'size_t', 'f'];
    const rng = new Random(seed);
    for (let run = 0; run < 200; run++) {
      const steps = Array.from({ length: rng.int(1, 6) }, () => ({ name: rng.pick(names), value: rng.pick(values), keep: rng.int(0, 3) > 0 }));
      const byDefine = new Registry();
      const byAdd = new Registry();
      const a = new CdefBatch(byDefine);
      const b = new CdefBatch(byAdd);
      for (const s of [a, b]) {
        expect(s.add('#define N 3\nint f(int);')).toBeNull();
        s.keep();
      }
      const outcomes = steps.map((step) => {
        const one = a.addDefine(step.name, step.value);
        const two = b.add(`#define ${step.name} ${step.value}\n`);
        for (const [batch, refused] of [[a, one], [b, two]] as const) if (refused === null) (step.keep ? batch.keep() : batch.undo());
        return [one?.message ?? null, two?.message ?? null];
      });
      expect({ steps, outcomes }).toEqual({ steps, outcomes: outcomes.map(([, two]) => [two, two]) });
      a.commit();
      b.commit();
      expect({ steps, registry: describeRegistry(byDefine) }).toEqual({ steps, registry: describeRegistry(byAdd) });
    }
  });

  test('addDefine() reads a lone integer constant itself, and leaves every other value to the parser', () => {
    const read = ['0', '(1)', '(-1)', '-2147483647', '0x10UL', '2147483648', '18446744073709551615', '077', '0b101'].map((v) => [v, literalDefine(v)?.type.name]);
    expect(read).toEqual([
      ['0', 'int'], ['(1)', 'int'], ['(-1)', 'int'], ['-2147483647', 'int'], ['0x10UL', 'unsigned long'], ['2147483648', 'long'],
      ['18446744073709551615', 'unsigned long'], ['077', 'int'], ['0b101', 'int'],
    ]);
    expect(['1 + 1', '(1', '((1))', '-1u', '-2147483648', '08', '1e5', 'N', ''].map(literalDefine)).toEqual(Array(9).fill(null));
  });
});
