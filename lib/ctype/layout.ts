// Struct and union layout as GCC and Clang compute it for LP64 System V / AAPCS64: offsets, bitfields, packing.
import { CDefError } from '../errors';
import { CField, CType, StructType, isInteger } from './model';
import type { SourcePos } from './registry';

/** One member as declared, before layout. */
export interface MemberDecl {
  /** '' for an anonymous struct/union member or an unnamed bitfield. */
  readonly name: string;
  readonly type: CType;
  readonly quals: number;
  /** Bitfield width; -1 for an ordinary member. */
  readonly bitsize: number;
  readonly pos: SourcePos;
}

/**
 * The ABI whose layout rules apply. They differ in one point only: on aarch64 (AAPCS64) an unnamed
 * bit-field, zero-width ones included, gives the struct its type's alignment; on x86-64 it does not.
 */
export type LayoutArch = 'x64' | 'arm64';

const HOST_ARCH: LayoutArch = process.arch === 'arm64' ? 'arm64' : 'x64';

function fail(pos: SourcePos, what: string): never {
  throw new CDefError(`cdef:${pos.line}:${pos.column}: ${what}`, pos.line, pos.column);
}

const roundUp = (n: number, a: number): number => Math.ceil(n / a) * a;

const bitfieldName = (m: MemberDecl): string => m.name || '(unnamed)';

/** Rejects what C rejects in a bit-field declaration. */
function checkBitfield(m: MemberDecl): void {
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
 * member to its type's alignment whatever the packing.
 */
export function completeStruct(t: StructType, members: readonly MemberDecl[], pack: number, arch: LayoutArch = HOST_ARCH): void {
  const isUnion = t.kind === 'union';
  const fields: CField[] = [];
  const byName = new Map<string, CField>();
  let bits = 0; // structs: the next free bit; unions: the largest member extent, in bits
  let align = 1;
  const capped = (a: number): number => (pack > 0 ? Math.min(a, pack) : a);

  const add = (f: CField, pos: SourcePos): void => {
    if (byName.has(f.name)) fail(pos, `duplicate member '${f.name}' in '${t.cname}'`);
    fields.push(f);
    byName.set(f.name, f);
  };

  const placeBitfield = (m: MemberDecl): void => {
    checkBitfield(m);
    const ty = m.type;
    if (m.bitsize === 0) {
      if (!isUnion) bits = roundUp(bits, ty.align * 8);
      if (arch === 'arm64') align = Math.max(align, ty.align);
      return;
    }
    let start = isUnion ? 0 : bits;
    if (pack === 0 && straddles(start, m.bitsize, ty)) start = roundUp(start, ty.align * 8);
    if (m.name !== '' || arch === 'arm64') align = Math.max(align, capped(ty.align));
    if (m.name !== '') {
      const f = { name: m.name, type: ty, offset: Math.floor(start / 8), bitshift: start % 8, bitsize: m.bitsize, quals: m.quals };
      add(f, m.pos);
    }
    bits = isUnion ? Math.max(bits, m.bitsize) : start + m.bitsize;
  };

  const placeMember = (m: MemberDecl, isLast: boolean): void => {
    const ty = m.type;
    const flexible = ty.kind === 'array' && ty.length === null;
    if (flexible) {
      if (isUnion || !isLast) fail(m.pos, `flexible array member '${m.name}' must be the last member of a struct`);
      if (fields.length === 0) fail(m.pos, `flexible array member '${m.name}' needs a named member before it`);
      if (ty.item.size < 0) fail(m.pos, `member '${m.name}' has incomplete element type '${ty.item.cname}'`);
    } else if (ty.size < 0) {
      fail(m.pos, `member '${m.name || '(anonymous)'}' has incomplete type '${ty.cname}'`);
    }
    const a = capped(ty.align);
    align = Math.max(align, a);
    const offset = isUnion ? 0 : roundUp(Math.ceil(bits / 8), a);
    const size = flexible ? 0 : ty.size;

    if (m.name === '') {
      // An anonymous struct or union: its members become members of this one.
      if (ty.kind !== 'struct' && ty.kind !== 'union') fail(m.pos, `a member of type '${ty.cname}' needs a name`);
      for (const f of ty.fields ?? []) add({ ...f, offset: f.offset + offset }, m.pos);
    } else {
      add({ name: m.name, type: ty, offset, bitshift: -1, bitsize: -1, quals: m.quals }, m.pos);
    }
    bits = isUnion ? Math.max(bits, size * 8) : (offset + size) * 8;
  };

  members.forEach((m, index) => {
    if (m.bitsize >= 0) placeBitfield(m);
    else placeMember(m, index === members.length - 1);
  });

  t.fields = fields;
  t.fieldMap = byName;
  t.align = align;
  t.size = roundUp(Math.ceil(bits / 8), align);
  t.pack = pack;
}
