// Deliberate struct/union layouts checked against the system C compiler, plus completeStruct's error paths and AAPCS64 rules.
import { CDefError } from '../../lib/errors';
import { completeStruct, LayoutArch, MemberDecl } from '../../lib/ctype/layout';
import { allPrimitives, CType, EnumType, isInteger, primitive, StructType, VOID } from '../../lib/ctype/model';
import { arrayOf, functionType, pointerTo } from '../../lib/ctype/intern';
import { compilerAccepts, define, expectCompilerLayout, member as m, ProbeOptions, struct } from '../helpers/layoutprobe';

const char = primitive('char');
const uchar = primitive('unsigned char');
const short = primitive('short');
const int = primitive('int');
const long = primitive('long');
const ulong = primitive('unsigned long');
const llong = primitive('long long');
const double = primitive('double');
const ldouble = primitive('long double');
const bool = primitive('_Bool');

let serial = 0;
const S = (members: readonly MemberDecl[], pack = 0): StructType => struct('struct', `s${++serial}`, members, pack);
const U = (members: readonly MemberDecl[], pack = 0): StructType => struct('union', `u${++serial}`, members, pack);

/** Asserts that the compiler lays out every type as the model did. */
function expectAgrees(types: readonly StructType[], options?: ProbeOptions): void {
  expectCompilerLayout(types, expect.getState().currentTestName ?? 'layout', options);
}

function enumType(name: string, base: string, values: Record<string, number | bigint>): EnumType {
  const e = new EnumType(name);
  e.base = primitive(base);
  e.relements = values;
  return e;
}

const ENUMS = [
  enumType('eu', 'unsigned int', { A: 0, B: 7 }),
  enumType('es', 'int', { A: -1, B: 7 }),
  enumType('eul', 'unsigned long', { A: 0, B: 2n ** 40n }),
  enumType('el', 'long', { A: -1, B: 2n ** 40n }),
];

/** Every type a bit-field may have: the integer primitives, _Bool and enums. */
const BITFIELD_TYPES: CType[] = [...allPrimitives()].filter((t) => isInteger(t) || t.repr === 'bool');
BITFIELD_TYPES.push(...ENUMS);

const widthOf = (t: CType): number => (t.kind === 'primitive' && t.repr === 'bool' ? 1 : t.size * 8);

describe('completeStruct agrees with the C compiler', () => {
  test('every primitive alone and after a char', () => {
    const types = [...allPrimitives()].flatMap((p) => [S([m('x', p)]), S([m('c', char), m('x', p)])]);
    expectAgrees(types);
  });

  test('pointers, function pointers and enums as members', () => {
    const fn = functionType([int, pointerTo(char)], VOID, false);
    const node = new StructType('struct', 'node');
    define(node, [m('c', char), m('next', pointerTo(node)), m('cb', pointerTo(fn)), m('vp', pointerTo(VOID))]);
    const types = [
      node,
      S([m('c', char), m('p', pointerTo(int)), m('pa', pointerTo(arrayOf(int, 3))), m('f', pointerTo(fn))]),
      ...ENUMS.map((e) => S([m('c', char), m('e', e), m('d', char)])),
    ];
    expectAgrees(types);
  });

  test('nested structs', () => {
    const inner = S([m('c', char), m('d', double)]);
    const small = S([m('a', short), m('b', char)]);
    const types = [
      inner,
      small,
      S([m('a', char), m('in', inner), m('z', char)]),
      S([m('a', char), m('s', small), m('t', small), m('z', char)]),
      S([m('a', char), m('deep', S([m('b', char), m('in', inner)])), m('z', int)]),
      S([m('a', char), m('ld', S([m('x', ldouble)])), m('z', char)]),
    ];
    expectAgrees(types);
  });

  test('arrays and multi-dimensional arrays', () => {
    const pair = S([m('a', int), m('b', char)]);
    const types = [
      S([m('a', char), m('b', arrayOf(char, 3)), m('c', short)]),
      S([m('a', char), m('b', arrayOf(arrayOf(int, 3), 2)), m('c', char)]),
      S([m('a', char), m('b', arrayOf(arrayOf(arrayOf(short, 2), 3), 4)), m('c', char)]),
      S([m('a', char), m('b', arrayOf(pair, 3)), m('c', char)]),
      S([m('a', char), m('b', arrayOf(ldouble, 2)), m('c', char)]),
      S([m('a', char), m('b', arrayOf(pointerTo(char), 2)), m('c', char)]),
      U([m('a', arrayOf(char, 5)), m('b', arrayOf(short, 2))]),
    ];
    expectAgrees(types);
  });

  test('unions, including unions of structs', () => {
    const a = S([m('x', char), m('y', int)]);
    const b = S([m('p', double), m('q', char)]);
    const types = [
      U([m('c', char), m('i', int), m('d', double)]),
      U([m('c', arrayOf(char, 9)), m('l', long)]),
      U([m('a', a), m('b', b)]),
      U([m('a', a), m('arr', arrayOf(b, 2)), m('c', char)]),
      S([m('c', char), m('u', U([m('a', a), m('s', short)])), m('z', char)]),
    ];
    expectAgrees(types);
  });

  test('anonymous struct and union members are flattened into their parent', () => {
    const outer = S([
      m('a', int),
      m('', S([m('b', char), m('c', double)])),
      m('', U([m('d', int), m('e', arrayOf(char, 3))])),
      m('f', char),
    ]);
    expect(outer.fields?.map((f) => f.name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(outer.fieldMap.get('c')?.type).toBe(double);
    expect(outer.fieldMap.get('e')?.offset).toBe(24);

    const nested = U([m('x', long), m('', S([m('y', char), m('', U([m('z', short), m('w', char, 3)]))]))]);
    expect([...nested.fieldMap.keys()]).toEqual(['x', 'y', 'z', 'w']);

    const types = [
      outer,
      nested,
      S([m('a', char), m('', S([m('b', char), m('bits', int, 5)])), m('c', char, 2)]),
      S([m('a', char), m('', S([m('b', char), m('c', int)], 1)), m('d', int)]),
      S([m('a', char), m('', S([m('b', char), m('c', long)], 2)), m('d', int)], 4),
      S([m('a', char), m('', S([m('b', char), m('c', long)])), m('d', int)], 2),
    ];
    expectAgrees(types);
  });

  test('flexible array members (size and alignment)', () => {
    const withInts = S([m('c', char), m('x', arrayOf(int, null))]);
    expect([withInts.size, withInts.align, withInts.fieldMap.get('x')?.offset]).toEqual([4, 4, 4]);
    const types = [
      withInts,
      S([m('n', int), m('d', arrayOf(double, null))]),
      S([m('c', char), m('ld', arrayOf(ldouble, null))]),
      S([m('d', double), m('c', arrayOf(char, null))]),
      S([m('c', char), m('a', arrayOf(arrayOf(short, 3), null))]),
      S([m('c', char), m('b', int, 3), m('x', arrayOf(char, null))]),
      S([m('c', char), m('d', double), m('x', arrayOf(int, null))], 1),
      S([m('c', char), m('d', double), m('x', arrayOf(int, null))], 2),
    ];
    expectAgrees(types);
  });

  test('bit-fields of every integer type, _Bool and enums', () => {
    const types = BITFIELD_TYPES.flatMap((t) => {
      const w = widthOf(t);
      return [
        S([m('c', char), m('x', t, 1), m('d', char)]),
        S([m('a', t, Math.max(1, w - 1)), m('b', t, Math.min(2, w)), m('c', t, w)]),
        S([m('c', char), m('x', t, w)]),
        U([m('c', char), m('x', t, w), m('y', t, 1)]),
      ];
    });
    expectAgrees(types);
  });

  test('bit-fields straddling a unit boundary and exactly filling one', () => {
    const straddle = S([m('a', int, 30), m('b', int, 5)]);
    expect([straddle.fieldMap.get('b')?.offset, straddle.fieldMap.get('b')?.bitshift, straddle.size]).toEqual([4, 0, 8]);
    const types = [
      straddle,
      S([m('c', char), m('a', short, 9)]),
      S([m('a', char, 5), m('b', char, 4)]),
      S([m('a', short, 10), m('b', short, 10), m('c', short, 10)]),
      S([m('a', long, 60), m('b', long, 10)]),
      S([m('a', char), m('b', int, 17), m('c', int, 15)]),
      S([m('a', int, 16), m('b', int, 16), m('c', char)]),
      S([m('a', char, 4), m('b', char, 4), m('c', char, 8)]),
      S([m('a', long, 32), m('b', long, 32)]),
      S([m('a', short, 8), m('b', int, 24), m('c', char)]),
    ];
    expectAgrees(types);
  });

  test('unnamed and zero-width bit-fields, in structs and unions', () => {
    const zero = S([m('a', char), m('', int, 0), m('b', char)]);
    expect([zero.fieldMap.get('b')?.offset, zero.size, zero.align]).toEqual([4, 5, 1]);
    const types = [
      zero,
      S([m('a', int, 3), m('', int, 5), m('b', int, 4)]),
      S([m('c', char), m('', int, 20)]),
      S([m('a', char), m('', long, 0), m('b', char)]),
      S([m('a', int, 3), m('', char, 0), m('b', int, 3)]),
      S([m('', int, 0), m('a', char)]),
      S([m('a', short, 9), m('', int, 0)]),
      S([m('a', char), m('', short, 0), m('', long, 0), m('b', char)]),
      U([m('x', char), m('', int, 0), m('y', char)]),
      U([m('x', char), m('', int, 20)]),
      U([m('', long, 0)]),
      S([m('', int, 7)]),
    ];
    expectAgrees(types);
  });

  test('bit-fields followed by ordinary members, and 64-bit bit-fields', () => {
    const types = [
      S([m('a', int, 3), m('b', char)]),
      S([m('a', int, 9), m('b', char)]),
      S([m('a', int, 17), m('b', short)]),
      S([m('a', char, 3), m('b', int)]),
      S([m('a', int, 3), m('b', double), m('c', short, 1)]),
      S([m('a', llong, 40), m('b', llong, 30)]),
      S([m('a', ulong, 64), m('b', char, 1)]),
      S([m('c', char), m('a', long, 57)]),
      S([m('c', char), m('a', long, 56), m('b', int, 8)]),
      U([m('a', llong, 33), m('b', char)]),
    ];
    expectAgrees(types);
  });

  test('pack 1, 2, 4 and 8 with ordinary members and with bit-fields', () => {
    const inner = S([m('c', char), m('d', double)]);
    const lists: MemberDecl[][] = [
      [m('a', char), m('b', int), m('c', short), m('d', double), m('e', char)],
      [m('a', char), m('b', ldouble), m('c', char)],
      [m('a', char), m('b', arrayOf(long, 2)), m('in', inner), m('c', char)],
      [m('a', char), m('b', int, 30), m('c', char)],
      [m('a', char, 4), m('b', int, 30), m('c', long, 40), m('d', short)],
      [m('a', char), m('', long, 0), m('b', char), m('', int, 3), m('c', char)],
      [m('a', short, 9), m('', int, 0)],
      [m('a', char), m('b', llong, 64), m('c', bool, 1)],
    ];
    const types = [1, 2, 4, 8].flatMap((pack) => [
      ...lists.map((members) => S(members, pack)),
      U([m('a', char), m('b', double), m('c', int, 20)], pack),
      U([m('a', char), m('', long, 0)], pack),
    ]);
    expectAgrees(types);
  });

  test('packed structs nested in unpacked ones and the other way round', () => {
    const packed = S([m('c', char), m('i', int), m('b', int, 3)], 1);
    const natural = S([m('c', char), m('d', double)]);
    const pack2 = S([m('c', char), m('l', long)], 2);
    const types = [
      packed,
      natural,
      pack2,
      S([m('a', char), m('p', packed), m('z', int)]),
      S([m('a', char), m('n', natural), m('z', int)], 1),
      S([m('a', char), m('p', pack2), m('n', natural), m('z', char)], 4),
      S([m('a', char), m('arr', arrayOf(packed, 3)), m('z', short)]),
      U([m('p', packed), m('n', natural)], 2),
    ];
    expectAgrees(types);
  });

  test('empty structs and unions have size 0', () => {
    const empty = S([]);
    expect([empty.size, empty.align]).toEqual([0, 1]);
    const types = [empty, U([]), S([m('c', char), m('e', empty), m('i', int)]), S([m('e', empty)])];
    expectAgrees(types);
  });

  test('__attribute__((packed)) and #pragma pack(1) lay out the same', () => {
    const inner = S([m('c', char), m('x', int, 12)], 1);
    const types = [
      S([m('a', char), m('b', int), m('c', double)], 1),
      S([m('a', char, 4), m('b', uchar, 8), m('c', char, 6), m('d', short, 9)], 1),
      S([m('a', char), m('', int, 0), m('b', char), m('', long, 0)], 1),
      S([m('a', int, 3), m('', int, 30), m('b', long, 50), m('c', bool, 1)], 1),
      S([m('a', char), m('in', inner), m('', S([m('x2', char), m('y2', long, 33)], 1))], 1),
      U([m('a', char), m('b', long, 40), m('', int, 0)], 1),
    ];
    expectAgrees(types, { packedAs: 'attribute' });
    expectAgrees(types, { packedAs: 'pragma' });
  });
});

describe('completeStruct errors', () => {
  const opaque = new StructType('struct', 'opaque');
  const hidden = new StructType('struct', 'hidden_t', true);
  const at = (line: number, column: number) => ({ line, column });
  const bad = (kind: 'struct' | 'union', members: MemberDecl[]) => () => completeStruct(new StructType(kind, 'bad'), members, 0);

  const cases: { what: string; run: () => void; pos: [number, number]; message: RegExp; c: string }[] = [
    {
      what: 'a bit-field of a floating type',
      run: bad('struct', [m('a', int), m('f', double, 3, at(2, 5))]),
      pos: [2, 5],
      message: /bit-field 'f' has type 'double'; bit-fields need an integer type/,
      c: 'struct bad { int a; double f : 3; };',
    },
    {
      what: 'a bit-field of a pointer type',
      run: bad('struct', [m('p', pointerTo(int), 1, at(1, 9))]),
      pos: [1, 9],
      message: /bit-field 'p' has type 'int \*'/,
      c: 'struct bad { int *p : 1; };',
    },
    {
      what: 'a bit-field of a struct type',
      run: bad('struct', [m('s', S([m('x', int)]), 2, at(3, 1))]),
      pos: [3, 1],
      message: /bit-field 's' has type 'struct s\d+'/,
      c: 'struct in { int x; }; struct bad { struct in s : 2; };',
    },
    {
      what: 'a bit-field wider than its type',
      run: bad('struct', [m('w', int, 33, at(4, 2))]),
      pos: [4, 2],
      message: /bit-field 'w' is 33 bits wide, more than its type 'int' \(32\)/,
      c: 'struct bad { int w : 33; };',
    },
    {
      what: 'an unnamed bit-field wider than its type',
      run: bad('union', [m('', char, 9, at(1, 20))]),
      pos: [1, 20],
      message: /bit-field '\(unnamed\)' is 9 bits wide, more than its type 'char' \(8\)/,
      c: 'union bad { char : 9; };',
    },
    {
      what: 'a _Bool bit-field wider than one bit',
      run: bad('struct', [m('b', bool, 2, at(2, 3))]),
      pos: [2, 3],
      message: /bit-field 'b' is 2 bits wide, more than its type '_Bool' \(1\)/,
      c: 'struct bad { _Bool b : 2; };',
    },
    {
      what: 'a named zero-width bit-field',
      run: bad('struct', [m('a', int), m('z', int, 0, at(5, 7))]),
      pos: [5, 7],
      message: /bit-field 'z' has zero width; only unnamed bit-fields may/,
      c: 'struct bad { int a; int z : 0; };',
    },
    {
      what: 'a flexible array member that is not last',
      run: bad('struct', [m('n', int), m('x', arrayOf(int, null), -1, at(2, 8)), m('y', int)]),
      pos: [2, 8],
      message: /flexible array member 'x' must be the last member of a struct/,
      c: 'struct bad { int n; int x[]; int y; };',
    },
    {
      what: 'a flexible array member in a union',
      run: bad('union', [m('n', int), m('x', arrayOf(int, null), -1, at(1, 30))]),
      pos: [1, 30],
      message: /flexible array member 'x' must be the last member of a struct/,
      c: 'union bad { int n; int x[]; };',
    },
    {
      what: 'a flexible array member with no named member before it',
      run: bad('struct', [m('', int, 3), m('x', arrayOf(int, null), -1, at(3, 3))]),
      pos: [3, 3],
      message: /flexible array member 'x' needs a named member before it/,
      c: 'struct bad { int : 3; int x[]; };',
    },
    {
      what: 'a member of an opaque typedef, which no cdef defines later',
      run: bad('struct', [m('o', hidden, -1, at(6, 4))]),
      pos: [6, 4],
      message: /member 'o' has incomplete type 'hidden_t'/,
      c: 'typedef struct hidden hidden_t; struct bad { hidden_t o; };',
    },
    {
      what: 'an array of an opaque typedef',
      run: bad('union', [m('a', arrayOf(hidden, 2), -1, at(1, 2))]),
      pos: [1, 2],
      message: /member 'a' has incomplete type 'hidden_t\[2\]'/,
      c: 'typedef struct hidden hidden_t; union bad { hidden_t a[2]; };',
    },
    {
      what: 'a struct holding itself',
      run: () => {
        const self = new StructType('struct', 'self');
        completeStruct(self, [m('n', int), m('me', self, -1, at(2, 5))], 0);
      },
      pos: [2, 5],
      message: /member 'me' has incomplete type 'struct self'/,
      c: 'struct self { int n; struct self me; };',
    },
    {
      what: 'a member of type void',
      run: bad('struct', [m('v', VOID, -1, at(2, 2))]),
      pos: [2, 2],
      message: /member 'v' has incomplete type 'void'/,
      c: 'struct bad { void v; };',
    },
    {
      what: 'a flexible array of an incomplete type no cdef defines later',
      run: bad('struct', [m('n', int), m('x', arrayOf(hidden, null), -1, at(2, 9))]),
      pos: [2, 9],
      message: /member 'x' has incomplete element type 'hidden_t'/,
      c: 'typedef struct hidden hidden_t; struct bad { int n; hidden_t x[]; };',
    },
    {
      what: 'a duplicate name in a struct that waits for another',
      run: bad('struct', [m('o', opaque), m('o', int, -1, at(4, 7))]),
      pos: [4, 7],
      message: /duplicate member 'o' in 'struct bad'/,
      c: 'struct opaque { int i; }; struct bad { struct opaque o; int o; };',
    },
    {
      what: 'duplicate member names',
      run: bad('struct', [m('a', int), m('a', char, -1, at(3, 6))]),
      pos: [3, 6],
      message: /duplicate member 'a' in 'struct bad'/,
      c: 'struct bad { int a; char a; };',
    },
    {
      what: 'duplicate bit-field names',
      run: bad('union', [m('a', int, 3), m('a', int, 4, at(1, 40))]),
      pos: [1, 40],
      message: /duplicate member 'a' in 'union bad'/,
      c: 'union bad { int a : 3; int a : 4; };',
    },
    {
      what: 'a duplicate name brought in by an anonymous member',
      run: bad('struct', [m('x', int), m('', S([m('y', char), m('x', char)]), -1, at(4, 3))]),
      pos: [4, 3],
      message: /duplicate member 'x' in 'struct bad'/,
      c: 'struct bad { int x; struct { char y; char x; }; };',
    },
    {
      what: 'a duplicate name between two anonymous members',
      run: bad('union', [m('', S([m('p', char)])), m('', U([m('q', int), m('p', int)]), -1, at(2, 1))]),
      pos: [2, 1],
      message: /duplicate member 'p' in 'union bad'/,
      c: 'union bad { struct { char p; }; union { int q; int p; }; };',
    },
  ];

  test.each(cases)('$what', ({ run, pos, message, c }) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CDefError);
    const err = error as CDefError;
    expect(err.message.startsWith(`cdef:${pos[0]}:${pos[1]}: `)).toBe(true);
    expect(err.message).toMatch(message);
    expect([err.line, err.column]).toEqual(pos);
    // The compiler refuses the same declaration.
    expect(compilerAccepts(c)).toBe(false);
  });

  test('the compiler accepts the corrected declarations', () => {
    expect(compilerAccepts('struct ok { int a; int : 0; int f : 3; _Bool b : 1; struct { char y; }; int x[]; };')).toBe(true);
  });
});

describe('completeStruct waits for a struct or union defined later', () => {
  // As CFFI, which lays a struct out at its first use: 'struct a { struct b x; }; struct b { ... };'.
  const later = (name: string) => new StructType('struct', name);
  test.each([
    ['a member', (b: StructType) => b],
    ['an array member', (b: StructType) => arrayOf(b, 3)],
    ['an array of arrays', (b: StructType) => arrayOf(arrayOf(b, 2), 3)],
  ])('%s of a tag declared without a body: no layout, the member and the tag noted', (_what, typeOf) => {
    const b = later('b');
    const a = later('a');
    const members = [m('n', int), m('x', typeOf(b)), m('z', char)];
    completeStruct(a, members, 0);
    expect([a.fields, a.size, a.align, a.members]).toEqual([null, -1, -1, null]);
    expect(a.waiting?.on).toBe(b);
    expect(a.waiting?.member).toBe(members[1]);
    expect(a.waiting?.members).toBe(members);
  });

  test('a flexible array member of such a tag waits too; the first member without a size is the one noted', () => {
    const b = later('b');
    const c = later('c');
    const a = later('a');
    completeStruct(a, [m('n', int), m('y', c), m('x', arrayOf(b, null))], 0);
    expect(a.waiting?.on).toBe(c);
  });

  test('a struct waiting itself is a tag defined later; one waiting for the struct being laid out is refused', () => {
    const b = later('b');
    const a = later('a');
    completeStruct(a, [m('x', b)], 0);
    const c = later('c');
    completeStruct(c, [m('y', a)], 0);
    expect(c.waiting?.on).toBe(a);
    expect(() => completeStruct(b, [m('q', c, -1, { line: 1, column: 9 })], 0)).toThrow("cdef:1:9: member 'q' has incomplete type 'struct c'");
  });

  test('laid out once the tag has a body, as if it had come first', () => {
    const b = later('b');
    const a = later('a');
    const members = [m('n', char), m('x', arrayOf(b, 2)), m('z', char)];
    completeStruct(a, members, 0);
    completeStruct(b, [m('d', primitive('double'))], 0);
    completeStruct(a, members, 0);
    expect(a.waiting).toBeNull();
    expect(a.fields?.map((f) => [f.name, f.offset])).toEqual([['n', 0], ['x', 8], ['z', 24]]);
    expect([a.size, a.align]).toEqual([32, 8]);
  });
});

describe('unnamed bit-fields per ABI', () => {
  // Expected values from Clang's bitfield-layout test suite (aarch64-linux-gnu vs x86_64-linux-gnu)
  // and GCC's aarch64 port, which sets TARGET_ALIGN_ANON_BITFIELD: AAPCS64 lets unnamed bit-fields,
  // zero-width ones included, give the struct their type's alignment; x86-64 ignores them.
  const layout = (kind: 'struct' | 'union', members: MemberDecl[], pack: number, arch: LayoutArch) => {
    const t = new StructType(kind, 'abi');
    completeStruct(t, members, pack, arch);
    const last = t.fields?.[t.fields.length - 1];
    return { size: t.size, align: t.align, lastOffset: last?.offset };
  };
  const cases: { what: string; kind: 'struct' | 'union'; members: MemberDecl[]; pack: number; x64: object; arm64: object }[] = [
    {
      what: 'struct { char x; int : 0; char y; }',
      kind: 'struct',
      members: [m('x', char), m('', int, 0), m('y', char)],
      pack: 0,
      x64: { size: 5, align: 1, lastOffset: 4 },
      arm64: { size: 8, align: 4, lastOffset: 4 },
    },
    {
      what: 'union { char x; int : 0; char y; }',
      kind: 'union',
      members: [m('x', char), m('', int, 0), m('y', char)],
      pack: 0,
      x64: { size: 1, align: 1, lastOffset: 0 },
      arm64: { size: 4, align: 4, lastOffset: 0 },
    },
    {
      what: 'struct { char x; int : 20; }',
      kind: 'struct',
      members: [m('x', char), m('', int, 20)],
      pack: 0,
      x64: { size: 4, align: 1, lastOffset: 0 },
      arm64: { size: 4, align: 4, lastOffset: 0 },
    },
    {
      what: 'union { char x; int : 20; }',
      kind: 'union',
      members: [m('x', char), m('', int, 20)],
      pack: 0,
      x64: { size: 3, align: 1, lastOffset: 0 },
      arm64: { size: 4, align: 4, lastOffset: 0 },
    },
    {
      what: 'packed struct { short x : 9; int : 0; }',
      kind: 'struct',
      members: [m('x', short, 9), m('', int, 0)],
      pack: 1,
      x64: { size: 4, align: 1, lastOffset: 0 },
      arm64: { size: 4, align: 4, lastOffset: 0 },
    },
    {
      what: 'packed struct { short x : 9; int : 1; }',
      kind: 'struct',
      members: [m('x', short, 9), m('', int, 1)],
      pack: 1,
      x64: { size: 2, align: 1, lastOffset: 0 },
      arm64: { size: 2, align: 1, lastOffset: 0 },
    },
    {
      what: 'packed struct { char a; long long : 0; char c; }',
      kind: 'struct',
      members: [m('a', char), m('', llong, 0), m('c', char)],
      pack: 1,
      x64: { size: 9, align: 1, lastOffset: 8 },
      arm64: { size: 16, align: 8, lastOffset: 8 },
    },
  ];

  test.each(cases)('$what', ({ kind, members, pack, x64, arm64 }) => {
    expect(layout(kind, members, pack, 'x64')).toEqual(x64);
    expect(layout(kind, members, pack, 'arm64')).toEqual(arm64);
  });
});

describe('fields by name', () => {
  test("a struct's field map is made of its fields at the first look, and again when they are other fields", () => {
    const t = new StructType('struct', `fm${++serial}`);
    expect(t.fieldMap.size).toBe(0);
    completeStruct(t, [m('a', int), m('b', double), m('', S([m('c', char)]))], 0);
    const map = t.fieldMap;
    expect([...map.keys()]).toEqual(['a', 'b', 'c']);
    expect(map.get('b')).toBe(t.fields?.[1]);
    expect(t.fieldMap).toBe(map);
    // Fields set anew (a layout from the compiler, an undone cdef): the map follows them.
    const fields = [{ ...t.fields![0], name: 'x' }];
    t.fields = fields;
    expect([...t.fieldMap.keys()]).toEqual(['x']);
    expect(t.fieldMap.get('x')).toBe(fields[0]);
    t.fields = null;
    expect(t.fieldMap.size).toBe(0);
  });
});
