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

function fail(pos: SourcePos, what: string): never {
  throw new CDefError(`cdef:${pos.line}:${pos.column}: ${what}`, pos.line, pos.column);
}

const roundUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/**
 * Lays out `t` from its members and marks it complete. `pack` caps member alignment:
 * 0 keeps natural alignment, 1 is `packed`, n is `#pragma pack(n)`.
 */
export function completeStruct(t: StructType, members: readonly MemberDecl[], pack: number): void {
  const isUnion = t.kind === 'union';
  const fields: CField[] = [];
  const byName = new Map<string, CField>();
  let bitpos = 0; // next free bit (structs)
  let sizeBits = 0; // largest extent seen (unions)
  let align = 1;

  const add = (f: CField, pos: SourcePos): void => {
    if (f.name !== '' && byName.has(f.name)) fail(pos, `duplicate member '${f.name}' in '${t.cname}'`);
    fields.push(f);
    if (f.name !== '') byName.set(f.name, f);
  };

  members.forEach((m, index) => {
    const ty = m.type;
    const capped = (a: number): number => (pack > 0 ? Math.min(a, pack) : a);

    if (m.bitsize >= 0) {
      if (!isInteger(ty) && !(ty.kind === 'primitive' && ty.repr === 'bool')) {
        fail(m.pos, `bit-field '${m.name || '(unnamed)'}' has type '${ty.cname}'; bit-fields need an integer type`);
      }
      const typeBits = ty.size * 8;
      if (m.bitsize > typeBits) {
        fail(m.pos, `bit-field '${m.name || '(unnamed)'}' is ${m.bitsize} bits wide, more than its type '${ty.cname}' (${typeBits})`);
      }
      if (m.bitsize === 0) {
        if (m.name !== '') fail(m.pos, `bit-field '${m.name}' has zero width; only unnamed bit-fields may`);
        // An unnamed zero-width bit-field moves the next member to its type's alignment boundary.
        if (!isUnion) bitpos = roundUp(bitpos, capped(ty.align) * 8);
        return;
      }
      let start = isUnion ? 0 : bitpos;
      if (pack === 0) {
        // A bit-field may not straddle more units of its type's alignment than the type itself does.
        const unit = ty.align * 8;
        const within = start % unit;
        if (Math.ceil((within + m.bitsize) / unit) > Math.ceil(typeBits / unit)) start = roundUp(start, unit);
      }
      // Named bit-fields give the struct their type's alignment; unnamed ones do not (System V).
      if (m.name !== '') align = Math.max(align, capped(ty.align));
      if (m.name !== '') {
        add(
          { name: m.name, type: ty, offset: Math.floor(start / 8), bitshift: start % 8, bitsize: m.bitsize, quals: m.quals },
          m.pos,
        );
      }
      if (isUnion) sizeBits = Math.max(sizeBits, m.bitsize);
      else bitpos = start + m.bitsize;
      return;
    }

    const isLast = index === members.length - 1;
    const flexible = ty.kind === 'array' && ty.length === null;
    if (flexible && (!isLast || isUnion)) {
      fail(m.pos, `flexible array member '${m.name}' must be the last member of a struct`);
    }
    if (!flexible && ty.size < 0) {
      fail(m.pos, `member '${m.name || '(anonymous)'}' has incomplete type '${ty.cname}'`);
    }
    if (flexible && ty.item.size < 0) {
      fail(m.pos, `member '${m.name}' has incomplete element type '${ty.item.cname}'`);
    }
    const a = capped(ty.align);
    align = Math.max(align, a);
    const offset = isUnion ? 0 : roundUp(Math.ceil(bitpos / 8), a);
    const size = flexible ? 0 : ty.size;

    if (m.name === '') {
      // An anonymous struct or union: its members become members of this one.
      if (ty.kind !== 'struct' && ty.kind !== 'union') fail(m.pos, `a member of type '${ty.cname}' needs a name`);
      for (const f of ty.fields ?? []) add({ ...f, offset: f.offset + offset }, m.pos);
    } else {
      add({ name: m.name, type: ty, offset, bitshift: -1, bitsize: -1, quals: m.quals }, m.pos);
    }
    if (isUnion) sizeBits = Math.max(sizeBits, size * 8);
    else bitpos = (offset + size) * 8;
  });

  const used = isUnion ? sizeBits : bitpos;
  t.fields = fields;
  t.fieldMap = byName;
  t.align = align;
  t.size = roundUp(Math.ceil(used / 8), align);
  t.pack = pack;
}
