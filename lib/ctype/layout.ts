// Struct and union layout as GCC and Clang compute it for LP64 System V / AAPCS64 (offsets, bitfields, packing), or as the compiler reports it.
import { CDefError } from '../errors';
import { CField, CType, MemberDecl, StructType, definedLater, isInteger, pendingLayout } from './model';
import { arrayOf } from './intern';
import { SourcePos, showWhere } from './registry';

/** Throws the CDefError of a declaration refused at `pos` (callers that parse give their own spelling of positions). */
export type LayoutFail = (pos: SourcePos, what: string) => never;

export type { MemberDecl } from './model';

/**
 * The ABI whose layout rules apply. They differ in one point only: on aarch64 (AAPCS64) an unnamed
 * bit-field, zero-width ones included, gives the struct its type's alignment; on x86-64 it does not.
 */
export type LayoutArch = 'x64' | 'arm64';

const HOST_ARCH: LayoutArch = process.arch === 'arm64' ? 'arm64' : 'x64';

function cdefFail(pos: SourcePos, what: string): never {
  throw new CDefError(`${showWhere(pos)}: ${what}`, pos.line, pos.column);
}

const roundUp = (n: number, a: number): number => Math.ceil(n / a) * a;

const bitfieldName = (m: MemberDecl): string => m.name || '(unnamed)';

/** Rejects what C rejects in a bit-field declaration. */
function checkBitfield(m: MemberDecl, fail: LayoutFail): void {
  const ty = m.type;
  const isBool = ty.kind === 'primitive' && ty.repr === 'bool';
  if (!isInteger(ty) && !isBool) {
    fail(m.pos, `bit-field '${bitfieldName(m)}' has type '${ty.cname}'; bit-fields need an integer type`);
  }
  // A _Bool holds one value bit; the compilers refuse wider _Bool bit-fields.
  const typeBits = isBool ? 1 : ty.size * 8;
  if (m.bitsize > typeBits) {
    fail(m.pos, `bit-field '${bitfieldName(m)}' is ${m.bitsize} bits wide, more than its type '${ty.cname}' (${typeBits})`);
  }
  if (m.bitsize === 0 && m.name !== '') {
    fail(m.pos, `bit-field '${m.name}' has zero width; only unnamed bit-fields may`);
  }
}

/** True when a bit-field at `start` would span more alignment units of its type than the type itself does. */
function straddles(start: number, bits: number, ty: CType): boolean {
  const unit = ty.align * 8;
  return Math.ceil(((start % unit) + bits) / unit) > (ty.size * 8) / unit;
}

/**
 * Lays out `t` from its members and marks it complete. `pack` caps member alignment:
 * 0 keeps natural alignment, 1 is `packed`, n is `#pragma pack(n)` (GCC lays out
 * `__attribute__((packed))` and `#pragma pack(1)` identically, bit-fields included).
 * Bit-fields are placed as on GCC/Clang: packed ones (pack > 0) at the next free bit, others so that
 * they do not straddle an extra unit of their type's alignment; a zero-width one aligns the next
 * member to its type's alignment whatever the packing. A member of a struct or union type not
 * defined yet leaves `t` waiting for that definition instead (t.waiting; see WaitingLayout).
 */
export function completeStruct(t: StructType, members: readonly MemberDecl[], pack: number, arch: LayoutArch = HOST_ARCH, fail: LayoutFail = cdefFail): void {
  t.waiting = null;
  let deferred = t.partial;
  for (let i = 0; !deferred && i < members.length; i++) {
    const m = members[i];
    deferred = m.lengthFromCompiler === true || m.innerLengthsFromCompiler !== undefined || pendingLayout(m.type) !== null;
  }
  if (deferred) return deferLayout(t, members, pack, fail);
  const p = new Placement(t, pack, arch, fail, members);
  for (let i = 0; i < members.length; i++) {
    const m = members[i];
    if (m.bitsize >= 0) p.placeBitfield(m);
    else p.placeMember(m, i === members.length - 1);
  }
  if (p.waits !== null) {
    const { member, on } = p.waits;
    // A struct that would hold itself, directly or through the structs it waits for, never has a size.
    for (let x: StructType | null = on; x !== null; x = x.waiting?.on ?? null) {
      if (x === t) fail(member.pos, `member '${member.name}' has incomplete type '${member.type.cname}'`);
    }
    t.fields = null;
    t.size = -1;
    t.align = -1;
    t.pack = pack;
    t.members = null;
    t.waiting = { members, pack, member, on };
    return;
  }
  checkNesting(t, members, fail);
  t.fields = p.fields;
  t.align = p.align;
  t.size = roundUp(Math.ceil(p.bits / 8), p.align);
  t.pack = pack;
  t.members = null;
}

/**
 * The layout of one struct or union as its members are placed in order (see completeStruct). Its
 * fields are set in the constructor, not by class field initialisers, which V8 (Node 20) runs as a
 * separate, slower step: a large cdef places thousands of structs.
 */
class Placement {
  declare readonly fields: CField[];
  /** The fields' names, once there are more than eight (see add). */
  declare private names: Set<string> | null;
  /** Structs: the next free bit; unions: the largest member extent, in bits. */
  declare bits: number;
  declare align: number;
  declare private readonly t: StructType;
  declare private readonly pack: number;
  declare private readonly arch: LayoutArch;
  declare private readonly fail: LayoutFail;
  declare private readonly isUnion: boolean;
  /** In a union, only the first member takes a positional initialiser (with brace elision, all of its fields). */
  declare private readonly firstMember: MemberDecl | undefined;
  /** The first member whose struct or union type is not defined yet, and that type: the layout waits for it (see WaitingLayout). */
  declare waits: { readonly member: MemberDecl; readonly on: StructType } | null;

  constructor(t: StructType, pack: number, arch: LayoutArch, fail: LayoutFail, members: readonly MemberDecl[]) {
    this.fields = [];
    this.names = null;
    this.bits = 0;
    this.align = 1;
    this.t = t;
    this.pack = pack;
    this.arch = arch;
    this.fail = fail;
    this.isUnion = t.kind === 'union';
    this.firstMember = this.isUnion ? members.find((x) => x.name !== '' || x.bitsize < 0) : undefined;
    this.waits = null;
  }

  /** The flags of a field of member `m`: a union's members after its first are skipped by positional initialisers. */
  private skipped(m: MemberDecl): number {
    return this.isUnion && m !== this.firstMember ? IGNORED_IN_INITIALISERS : 0;
  }

  private capped(a: number): number {
    return this.pack > 0 ? Math.min(a, this.pack) : a;
  }

  private add(f: CField, pos: SourcePos): void {
    const fields = this.fields;
    // Most structs have a few fields: looked through; a set of their names from the ninth on.
    let twice: boolean;
    if (this.names !== null) twice = this.names.has(f.name);
    else {
      twice = false;
      for (let i = 0; i < fields.length; i++) if (fields[i].name === f.name) twice = true;
      if (fields.length === 8) this.names = new Set(fields.map((g) => g.name));
    }
    if (twice) this.fail(pos, `duplicate member '${f.name}' in '${this.t.cname}'`);
    fields.push(f);
    this.names?.add(f.name);
  }

  placeBitfield(m: MemberDecl): void {
    checkBitfield(m, this.fail);
    const ty = m.type;
    if (m.bitsize === 0) {
      if (!this.isUnion) this.bits = roundUp(this.bits, ty.align * 8);
      if (this.arch === 'arm64') this.align = Math.max(this.align, ty.align);
      return;
    }
    let start = this.isUnion ? 0 : this.bits;
    if (this.pack === 0 && straddles(start, m.bitsize, ty)) start = roundUp(start, ty.align * 8);
    if (m.name !== '' || this.arch === 'arm64') this.align = Math.max(this.align, this.capped(ty.align));
    if (m.name !== '') {
      const f = { name: m.name, type: ty, offset: Math.floor(start / 8), bitshift: start % 8, bitsize: m.bitsize, quals: m.quals, flags: this.skipped(m) };
      this.add(f, m.pos);
    }
    this.bits = this.isUnion ? Math.max(this.bits, m.bitsize) : start + m.bitsize;
  }

  placeMember(m: MemberDecl, isLast: boolean): void {
    const { isUnion, fields } = this;
    const fail: LayoutFail = this.fail;
    // GNU C's zero-length array ending a struct ('short data[0];') is its flexible array member, as GCC and CFFI read it.
    const zeroLength = !isUnion && isLast && fields.length > 0 && m.type.kind === 'array' && m.type.length === 0;
    const ty = zeroLength && m.type.kind === 'array' ? arrayOf(m.type.item, null) : m.type;
    const flexible = ty.kind === 'array' && ty.length === null;
    let sizeless = false;
    if (flexible) {
      if (isUnion || !isLast) fail(m.pos, `flexible array member '${m.name}' must be the last member of a struct`);
      if (fields.length === 0) fail(m.pos, `flexible array member '${m.name}' needs a named member before it`);
      sizeless = ty.item.size < 0;
      if (sizeless && !this.waitFor(m, ty.item)) fail(m.pos, `member '${m.name}' has incomplete element type '${ty.item.cname}'`);
    } else if (ty.size < 0) {
      sizeless = true;
      if (m.name === '' || !this.waitFor(m, ty)) fail(m.pos, `member '${m.name || '(anonymous)'}' has incomplete type '${ty.cname}'`);
    }
    if (sizeless || this.waits !== null) {
      // Checked for its name only: the layout is made when the struct it waits for is defined.
      if (m.name !== '') this.add({ name: m.name, type: ty, offset: 0, bitshift: -1, bitsize: -1, quals: m.quals, flags: 0 }, m.pos);
      else if (ty.kind === 'struct' || ty.kind === 'union') for (const f of ty.fields ?? []) this.add(f, m.pos);
      else fail(m.pos, `a member of type '${ty.cname}' needs a name`);
      return;
    }
    const a = this.capped(ty.align);
    this.align = Math.max(this.align, a);
    const offset = isUnion ? 0 : roundUp(Math.ceil(this.bits / 8), a);
    const size = flexible ? 0 : ty.size;

    if (m.name === '') {
      // An anonymous struct or union: its members become members of this one.
      if (ty.kind !== 'struct' && ty.kind !== 'union') fail(m.pos, `a member of type '${ty.cname}' needs a name`);
      for (const f of ty.fields ?? []) this.add({ ...f, offset: f.offset + offset, flags: f.flags | this.skipped(m) }, m.pos);
    } else {
      this.add({ name: m.name, type: ty, offset, bitshift: openArrayShift(ty), bitsize: -1, quals: m.quals, flags: this.skipped(m) }, m.pos);
    }
    this.bits = isUnion ? Math.max(this.bits, size * 8) : (offset + size) * 8;
  }

  /**
   * Notes that member `m` waits for the definition of the struct or union `t` (or of its arrays'
   * items) when a later cdef may still define it: a tag declared without a body, or a body itself
   * waiting. False for what no cdef defines later (an opaque typedef, FILE, void, an open array).
   */
  private waitFor(m: MemberDecl, t: CType): boolean {
    let item = t;
    while (item.kind === 'array' && item.length !== null) item = item.item;
    if (!definedLater(item)) return false;
    this.waits ??= { member: m, on: item };
    return true;
  }
}

/**
 * `members` with each anonymous member whose own layout the compiler gives ('struct { char b; ...; };')
 * replaced by its members, recursively: the compiler is asked about their offsets through the
 * enclosing struct ('offsetof(struct s, b)'), as C reaches them.
 */
function expandAnonymous(members: readonly MemberDecl[]): MemberDecl[] {
  return members.flatMap((m) => {
    const ty = m.type;
    const pending = m.name === '' && (ty.kind === 'struct' || ty.kind === 'union') && ty.fields === null && ty.members !== null;
    return pending ? expandAnonymous(ty.members ?? []) : [m];
  });
}

/** Where the compiler is asked for the offset of an anonymous member: its first field with a byte offset. */
function anchorOf(m: MemberDecl): CField | undefined {
  return (m.type as StructType).fields?.find((f) => f.bitsize < 0);
}

/**
 * Keeps `members` on `t` for a layout that the compiler gives (see `layOutFromCompiler`), after
 * refusing what its probes cannot measure: bit-fields, anonymous members that are neither partial
 * nor complete with a member at a byte offset, members of unknown size. In a partial struct
 * (`...;`), as in CFFI, an open array may stand before other members ('int a[]; int y; ...;': the
 * compiler says where it starts) and a member may be a struct or union declared but not (yet) defined.
 */
function deferLayout(t: StructType, members: readonly MemberDecl[], pack: number, fail: LayoutFail): void {
  const names = new Set<string>();
  // Spelled only on failure: a typedef may still name an anonymous struct (and fix its cname).
  const fromCompiler = (): string => `'${t.cname}', whose layout comes from the C compiler`;
  const claim = (name: string, pos: SourcePos): void => {
    if (names.has(name)) fail(pos, `duplicate member '${name}' in '${t.cname}'`);
    names.add(name);
  };
  const expanded = expandAnonymous(members);
  expanded.forEach((m, index) => {
    const ty = m.type;
    if (m.bitsize >= 0) {
      fail(m.pos, `bit-field '${bitfieldName(m)}' in ${fromCompiler()}: bit-fields are not supported there; declare the struct without '...' and with every member`);
    }
    if (m.name === '') {
      if (ty.kind !== 'struct' && ty.kind !== 'union') fail(m.pos, `a member of type '${ty.cname}' needs a name`);
      if (ty.fields === null) {
        fail(m.pos, `an anonymous member of ${fromCompiler()}, must have a complete layout itself; give the member a name`);
      }
      if (!anchorOf(m)) fail(m.pos, `an anonymous member of ${fromCompiler()}, needs a field that is not a bit-field`);
      for (const f of ty.fields) claim(f.name, m.pos);
      return;
    }
    claim(m.name, m.pos);
    const sized = m.lengthFromCompiler || m.innerLengthsFromCompiler || pendingLayout(ty);
    const flexible = ty.kind === 'array' && ty.length === null && !m.lengthFromCompiler && !pendingLayout(ty);
    if (flexible && !t.partial && (t.kind === 'union' || index !== expanded.length - 1)) {
      fail(m.pos, `flexible array member '${m.name}' must be the last member of a struct`);
    }
    const undefinedTag = (ty.kind === 'struct' || ty.kind === 'union') && ty.fields === null && ty.members === null;
    if (!flexible && !sized && ty.size < 0 && !(t.partial && undefinedTag)) {
      fail(m.pos, `member '${m.name}' has incomplete type '${ty.cname}'`);
    }
  });
  checkNesting(t, members, fail);
  t.fields = null;
  t.size = -1;
  t.align = -1;
  t.pack = pack;
  t.members = members;
}

/**
 * The most levels of structs, unions and arrays one object holds by value, one inside the next
 * (a struct of ints is 1 level; the parser's limit on a type's derivations is the same number).
 * Reading, writing, showing and passing such an object walk it level by level: past this, a walk
 * could run out of stack.
 */
export const VALUE_NESTING_LIMIT = 256;

/** Levels of structs, unions and arrays by value in each laid-out struct or union (see nestingOf). */
const nestings = new WeakMap<StructType, number>();

/** The levels an object of type `t` holds by value: 0 for scalars and pointers, 1 + its members' for the rest. */
function levelsOf(t: CType): number {
  let levels = 0;
  for (; t.kind === 'array'; t = t.item) levels++;
  if (t.kind !== 'struct' && t.kind !== 'union') return levels;
  return levels + (nestings.get(t) ?? nestingOf(t));
}

/**
 * How many levels of structs, unions and arrays `root` nests by value, its own level counted;
 * found without recursion (a walk with its own stack), remembered for laid-out types.
 */
function nestingOf(root: StructType): number {
  const stack: StructType[] = [root];
  const found = new Map<StructType, number>();
  const entered = new Set<StructType>([root]); // C has no struct inside itself: one met again counts as none
  while (stack.length > 0) {
    const s = stack[stack.length - 1];
    let deepest = 0;
    let waits = false;
    for (const m of s.fields ?? s.members ?? []) {
      let ty = m.type;
      let levels = 0;
      for (; ty.kind === 'array'; ty = ty.item) levels++;
      const inner = ty.kind === 'struct' || ty.kind === 'union' ? nestings.get(ty) ?? found.get(ty) ?? (entered.has(ty) ? 0 : undefined) : 0;
      if (inner === undefined) {
        stack.push(ty as StructType);
        entered.add(ty as StructType);
        waits = true;
        break;
      }
      deepest = Math.max(deepest, levels + inner);
    }
    if (waits) continue;
    stack.pop();
    found.set(s, deepest + 1);
    if (s.fields !== null) nestings.set(s, deepest + 1);
  }
  return found.get(root) as number;
}

/** Refuses a struct or union with `members` that nests more than VALUE_NESTING_LIMIT levels by value. */
function checkNesting(t: StructType, members: readonly MemberDecl[], fail: LayoutFail): void {
  let deepest: MemberDecl | null = null;
  let levels = 0;
  for (const m of members) {
    const n = levelsOf(m.type);
    if (n > levels) {
      levels = n;
      deepest = m;
    }
  }
  if (deepest !== null && levels + 1 > VALUE_NESTING_LIMIT) {
    fail(
      deepest.pos,
      `nesting too deep: '${t.cname}' holds structs, unions and arrays by value more than ${VALUE_NESTING_LIMIT} levels deep ` +
        `(member '${deepest.name}' of type '${deepest.type.cname}'); hold an inner one through a pointer`,
    );
  }
}

/** What the compiler reported about a struct laid out by it (see `deferLayout`). */
export interface CompilerLayout {
  readonly size: number;
  readonly align: number;
  /** The byte offset of a named member, or of a named field of an anonymous member. */
  offset(name: string): number;
  /** The length of an `[...]` member. */
  length(name: string): number;
  /** The length at `depth` (1: of its items…) of a member declared with an `[...]` there. */
  innerLength(name: string, depth: number): number;
}

/** A member `layOutFromCompiler` asks about: its offset, and its lengths that the compiler gives. */
export interface ProbedMember {
  readonly name: string;
  readonly type: CType;
  readonly lengthFromCompiler: boolean;
  readonly innerLengthsFromCompiler: readonly number[];
}

/** The names `layOutFromCompiler` asks `offset` about, in member order. */
export function probedMembers(t: StructType): ProbedMember[] {
  const out: ProbedMember[] = [];
  for (const m of expandAnonymous(t.members ?? [])) {
    if (m.name !== '') {
      out.push({ name: m.name, type: m.type, lengthFromCompiler: m.lengthFromCompiler === true, innerLengthsFromCompiler: m.innerLengthsFromCompiler ?? [] });
    } else {
      const f = anchorOf(m) as CField;
      out.push({ name: f.name, type: f.type, lengthFromCompiler: false, innerLengthsFromCompiler: [] });
    }
  }
  return out;
}

/** `t` with the array lengths the compiler gives filled in: `length(depth)` for each depth listed (0: the outermost). */
export function withCompilerLengths(t: CType, depths: readonly number[], length: (depth: number) => number, depth = 0): CType {
  if (t.kind !== 'array' || !depths.some((d) => d >= depth)) return t;
  const item = withCompilerLengths(t.item, depths, length, depth + 1);
  return arrayOf(item, depths.includes(depth) ? length(depth) : t.length);
}

/** CFFI's flag for a field that positional initialisers skip (BF_IGNORE_IN_CTOR). */
const IGNORED_IN_INITIALISERS = 1;

/**
 * The flags of the fields of `t` (by name) as its declared members give them: a field inside a
 * member of a union other than its first is skipped by positional initialisers.
 */
function initialiserFlags(t: StructType): Map<string, number> {
  const flags = new Map<string, number>();
  const walk = (s: StructType, members: readonly MemberDecl[], inherited: number): void => {
    const first = members.find((x) => x.name !== '' || x.bitsize < 0);
    for (const m of members) {
      const flag = inherited | (s.kind === 'union' && m !== first ? IGNORED_IN_INITIALISERS : 0);
      const ty = m.type;
      if (m.name !== '') flags.set(m.name, flag);
      else if (m.bitsize < 0 && (ty.kind === 'struct' || ty.kind === 'union')) {
        if (ty.fields !== null) for (const f of ty.fields) flags.set(f.name, f.flags | flag);
        else walk(ty, ty.members ?? [], flag);
      }
    }
  };
  walk(t, t.members ?? [], 0);
  return flags;
}

/**
 * Completes a struct laid out by the compiler from what it reported: fields at the reported
 * offsets, `[...]` members as arrays of the reported length, anonymous members' fields placed
 * around their first field's reported offset. Every holder of `t` sees the layout.
 */
export function layOutFromCompiler(t: StructType, layout: CompilerLayout): void {
  const fields: CField[] = [];
  const members = expandAnonymous(t.members ?? []);
  const last = members[members.length - 1];
  const skipped = initialiserFlags(t);
  for (const m of members) {
    if (m.name === '') {
      const anchor = anchorOf(m) as CField;
      const base = layout.offset(anchor.name) - anchor.offset;
      for (const f of (m.type as StructType).fields ?? []) fields.push({ ...f, offset: f.offset + base, flags: skipped.get(f.name) ?? 0 });
      continue;
    }
    const depths = [...(m.lengthFromCompiler ? [0] : []), ...(m.innerLengthsFromCompiler ?? [])];
    let type = withCompilerLengths(m.type, depths, (depth) => (depth === 0 ? layout.length(m.name) : layout.innerLength(m.name, depth)));
    // A zero-length array ending the struct is its flexible array member, as where cdef lays out structs itself.
    if (type.kind === 'array' && type.length === 0 && t.kind === 'struct' && m === last && fields.length > 0) type = arrayOf(type.item, null);
    fields.push({ name: m.name, type, offset: layout.offset(m.name), bitshift: openArrayShift(type), bitsize: -1, quals: m.quals, flags: skipped.get(m.name) ?? 0 });
  }
  t.fields = fields;
  t.size = layout.size;
  t.align = layout.align;
}

/** The bitshift of a field that is no bit-field: -1, or -2 for an open array member (a flexible one), as CFFI marks it. */
function openArrayShift(t: CType): number {
  return t.kind === 'array' && t.length === null ? -2 : -1;
}
