// Random struct/union declarations from a seeded generator, laid out by completeStruct and by the C compiler, compared.
import { MemberDecl } from '../../lib/ctype/layout';
import { allPrimitives, CType, EnumType, isInteger, primitive, StructType } from '../../lib/ctype/model';
import { arrayOf, pointerTo } from '../../lib/ctype/intern';
import { layoutMismatches, member as m, ProbeOptions, reportMismatches, struct } from '../helpers/layoutprobe';
import { Random, testSeed } from '../helpers/random';

const LONG = process.env.NODE_CFFI_LONG === '1';
/** How many types one run generates: 400, or 5,000 with NODE_CFFI_LONG=1. */
const COUNT = LONG ? 5000 : 400;
/** Types per compiled probe program. */
const BATCH = 1000;
/** NODE_CFFI_SEED=<n> replays a run; otherwise every run draws a new seed (in the test names). */
const SEED = testSeed();

function enumType(name: string, base: string, values: Record<string, number | bigint>): EnumType {
  const e = new EnumType(name);
  e.base = primitive(base);
  e.relements = values;
  return e;
}

const PRIMITIVES = [...allPrimitives()];
const ENUMS = [
  enumType('ru', 'unsigned int', { A: 0, B: 3 }),
  enumType('rs', 'int', { A: -2, B: 3 }),
  enumType('rul', 'unsigned long', { A: 1, B: 2n ** 36n }),
];
const BITFIELD_TYPES: CType[] = [...PRIMITIVES.filter((t) => isInteger(t) || t.repr === 'bool'), ...ENUMS];
const widthOf = (t: CType): number => (t.kind === 'primitive' && t.repr === 'bool' ? 1 : t.size * 8);
const PACKS = [0, 0, 0, 1, 2, 4, 8];
/** Types bigger than this are not nested by value, so that sizes stay small. */
const MAX_NESTED_SIZE = 256;

/** What a generated set contains, to make sure the generator exercises every feature. */
interface Coverage {
  unions: number;
  bitfields: number;
  unnamedBitfields: number;
  zeroWidth: number;
  anonymous: number;
  flexible: number;
  nested: number;
  arrays: number;
  packs: Set<number>;
}

class Generator {
  readonly types: StructType[] = [];
  readonly coverage: Coverage = {
    unions: 0, bitfields: 0, unnamedBitfields: 0, zeroWidth: 0, anonymous: 0, flexible: 0, nested: 0, arrays: 0, packs: new Set(),
  };
  /** Earlier types that may be nested by value. */
  private readonly pool: StructType[] = [];
  private readonly opaque = new StructType('struct', 'opaque');
  private names = 0;

  constructor(private readonly rnd: Random) {}

  private name(): string {
    return `f${++this.names}`;
  }

  /** A new random struct or union; `depth` counts enclosing anonymous members. */
  type(depth = 0): StructType {
    const rnd = this.rnd;
    const kind = rnd.chance(0.3) ? 'union' : 'struct';
    const pack = rnd.pick(PACKS);
    const members: MemberDecl[] = [];
    for (let n = rnd.int(0, 8); n > 0; n--) members.push(this.member(depth));
    const flexible = kind === 'struct' && members.some((x) => x.name !== '') && rnd.chance(0.08);
    if (flexible) members.push(m(this.name(), arrayOf(this.item(), null)));
    const t = struct(kind, `r${this.types.length}`, members, pack);
    this.types.push(t);
    if (!flexible && t.size <= MAX_NESTED_SIZE) this.pool.push(t);
    this.coverage.unions += kind === 'union' ? 1 : 0;
    this.coverage.flexible += flexible ? 1 : 0;
    this.coverage.packs.add(pack);
    return t;
  }

  /** An earlier generated type, an enum or a primitive. */
  private item(): CType {
    const r = this.rnd.next();
    if (r < 0.3 && this.pool.length > 0) {
      this.coverage.nested++;
      return this.rnd.pick(this.pool);
    }
    return r < 0.35 ? this.rnd.pick(ENUMS) : this.rnd.pick(PRIMITIVES);
  }

  private member(depth: number): MemberDecl {
    const rnd = this.rnd;
    const r = rnd.next();
    if (r < 0.35) return m(this.name(), this.item());
    if (r < 0.45) {
      this.coverage.arrays++;
      const inner = arrayOf(this.item(), rnd.int(1, 4));
      return m(this.name(), rnd.chance(0.3) ? arrayOf(inner, rnd.int(1, 3)) : inner);
    }
    if (r < 0.5) return m(this.name(), pointerTo(rnd.chance(0.2) ? this.opaque : this.item()));
    if (r < 0.9 || depth >= 2) return this.bitfield();
    this.coverage.anonymous++;
    return m('', this.type(depth + 1));
  }

  private bitfield(): MemberDecl {
    const rnd = this.rnd;
    const type = rnd.pick(BITFIELD_TYPES);
    this.coverage.bitfields++;
    if (rnd.chance(0.1)) {
      this.coverage.zeroWidth++;
      return m('', type, 0);
    }
    const width = rnd.chance(0.15) ? widthOf(type) : rnd.int(1, widthOf(type));
    if (rnd.chance(0.2)) {
      this.coverage.unnamedBitfields++;
      return m('', type, width);
    }
    return m(this.name(), type, width);
  }
}

/** The mismatches of `types` against the compiler, compiling BATCH types at a time. */
function mismatches(types: readonly StructType[], options: ProbeOptions): ReturnType<typeof layoutMismatches> {
  const out: ReturnType<typeof layoutMismatches> = [];
  for (let i = 0; i < types.length; i += BATCH) out.push(...layoutMismatches(types.slice(i, i + BATCH), options));
  return out;
}

describe(`random layouts (seed ${SEED}, ${COUNT} types)`, () => {
  const gen = new Generator(new Random(SEED));
  while (gen.types.length < COUNT) gen.type();
  const replay = `seed ${SEED} (replay with NODE_CFFI_SEED=${SEED})`;

  test('the generator covers every feature', () => {
    const c = gen.coverage;
    const counts = [c.unions, c.bitfields, c.unnamedBitfields, c.zeroWidth, c.anonymous, c.flexible, c.nested, c.arrays];
    expect({ replay, zeroCounts: counts.filter((n) => n === 0).length, packs: [...c.packs].sort() }).toEqual({
      replay,
      zeroCounts: 0,
      packs: [0, 1, 2, 4, 8],
    });
  });

  test('completeStruct matches the compiler, pack 1 spelled __attribute__((packed))', () => {
    const found = mismatches(gen.types, { packedAs: 'attribute' });
    if (found.length) throw new Error(reportMismatches(found, replay, { packedAs: 'attribute' }));
  });

  test('completeStruct matches the compiler, pack 1 spelled #pragma pack(1)', () => {
    const packed = gen.types.filter((t) => t.pack === 1);
    const found = mismatches(packed, { packedAs: 'pragma' });
    if (found.length) throw new Error(reportMismatches(found, replay, { packedAs: 'pragma' }));
  });
});
