// Which structs and unions koffi passes by value as C does, why the others not, the member a union travels as, and the members of a struct's or a union's record.
import { CField, CType, StructType, primitive } from '../ctype/model';
import { isIntegerRepr, isIntegralRepr } from '../ctype/primitives';

/**
 * A member of the koffi record of a struct: one of its fields, or the fields an anonymous union
 * of it flattened into it (`struct { int tag; union { int i; float f; }; }`), which go as one
 * koffi union named `name` (no field's name), carried by `carrier`.
 */
export type RecordMember =
  | { readonly kind: 'field'; readonly field: CField }
  | {
      readonly kind: 'shared';
      readonly name: string;
      readonly offset: number;
      /** The fields sharing the bits, by where their bits begin. */
      readonly fields: readonly CField[];
      /** The koffi union's members (see unionParts), or null when they cannot be told. */
      readonly parts: readonly CField[] | null;
      readonly carrier: CField | null;
    };

const recordMembersOf = new WeakMap<StructType, readonly RecordMember[]>();

/** Where a field's bits begin and end in its struct: a bit-field's own, every bit of its bytes for any other. */
const bitStart = (f: CField): number => f.offset * 8 + (f.bitsize >= 0 ? f.bitshift : 0);
const bitEnd = (f: CField): number => (f.bitsize >= 0 ? bitStart(f) + f.bitsize : (f.offset + Math.max(0, f.type.size)) * 8);
/** How many bytes from its offset a bit-field's bits fall in. */
const bitBytes = (f: CField): number => Math.ceil((f.bitshift + f.bitsize) / 8);

/**
 * The members of the koffi record of `t`: its fields, those sharing their bits (an anonymous
 * union's) grouped, a struct's other bit-fields as the integers that carry their bytes (see
 * bitCarriers). A union's members are its parts (see unionParts), koffi's union taking them all.
 */
export function recordMembers(t: StructType): readonly RecordMember[] {
  let members = recordMembersOf.get(t);
  if (members !== undefined) return members;
  const own = t.fields ?? [];
  if (t.kind === 'union') {
    members = unionMembers(t).map((field) => ({ kind: 'field', field }));
    recordMembersOf.set(t, members);
    return members;
  }
  const out: RecordMember[] = [];
  const loose: CField[] = [];
  // By their first bit (an anonymous struct in an anonymous union puts later fields before earlier
  // ones): the fields whose bits begin before the end of those before them share them (a union).
  const fields = [...own].sort((a, b) => bitStart(a) - bitStart(b));
  for (let i = 0; i < fields.length; ) {
    let end = bitEnd(fields[i]);
    let j = i + 1;
    for (; j < fields.length && bitStart(fields[j]) < end; j++) end = Math.max(end, bitEnd(fields[j]));
    if (j === i + 1) {
      if (fields[i].bitsize >= 0) loose.push(fields[i]);
      else out.push({ kind: 'field', field: fields[i] });
    } else {
      const group = fields.slice(i, j);
      const inGroup = new Set(group);
      const offset = Math.floor(bitStart(group[0]) / 8);
      const parts = unionParts(t, own.filter((f) => inGroup.has(f)), offset);
      const name = freeName(t, `ncffi_shared_${out.length}`);
      out.push({ kind: 'shared', name, offset, fields: group, parts, carrier: parts === null ? null : carrierAmong(parts) });
    }
    i = j;
  }
  for (const field of bitCarriers(t, loose)) out.push({ kind: 'field', field });
  // In order of offset, as koffi lays members out.
  members = out.sort((a, b) => (a.kind === 'field' ? a.field.offset : a.offset) - (b.kind === 'field' ? b.field.offset : b.offset));
  recordMembersOf.set(t, members);
  return members;
}

/** `name`, or it with '_' added until no field of `t` has it: koffi takes identifiers only, and none of the struct's own names. */
function freeName(t: StructType, name: string): string {
  while (t.fieldMap.has(name)) name += '_';
  return name;
}

const partsOf = new WeakMap<StructType, Map<number, readonly CField[] | null>>();
/** The struct or union each struct unionParts() made stands in (a part of). */
const partOwners = new WeakMap<StructType, StructType>();

/** The struct or union a struct of unionParts() is a part of, or undefined for any other type: what messages name. */
export function partOwner(t: StructType): StructType | undefined {
  return partOwners.get(t);
}

/**
 * The members of a union (`t` itself, or an anonymous union of `t` at `start`) as koffi takes
 * them, all at its start: each of `fields` (in declaration order) that is a member of its own,
 * and each anonymous struct of it as one member, a struct of its fields, which anonymous members
 * flattened into the union; a bit-field as a struct of it alone (its bytes carried by integers,
 * see bitCarriers). A field past the start continues the anonymous struct of the field before it,
 * when its bits begin at or after that one's end; one at the start begins a member. Null when a
 * run of fields does not begin at the start (an anonymous union in an anonymous struct of it): its
 * members cannot be told apart. The same objects for the same union every time.
 */
function unionParts(t: StructType, fields: readonly CField[], start: number): readonly CField[] | null {
  let memo = partsOf.get(t);
  if (memo === undefined) partsOf.set(t, (memo = new Map()));
  if (memo.has(start)) return memo.get(start)!;
  const runs: CField[][] = [];
  for (const f of fields) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    if (last !== undefined && bitStart(f) > start * 8 && bitStart(f) >= bitEnd(last)) run.push(f);
    else runs.push([f]);
  }
  let parts: CField[] | null = [];
  for (const run of runs) {
    if (bitStart(run[0]) !== start * 8) {
      parts = null;
      break;
    }
    if (run.length === 1 && run[0].bitsize < 0) {
      parts.push(run[0]);
      continue;
    }
    const align = Math.max(1, ...run.map((f) => f.type.align));
    const end = Math.ceil(Math.max(...run.map(bitEnd)) / 8) - start;
    const part = new StructType('struct', `${t.name}$${parts.length}`);
    partOwners.set(part, partOwner(t) ?? t);
    part.fields = run.map((f) => ({ ...f, offset: f.offset - start }));
    part.align = t.pack > 0 ? Math.min(align, t.pack) : align;
    part.size = Math.ceil(end / part.align) * part.align;
    part.pack = t.pack;
    parts.push({ name: freeName(t, `ncffi_part_${start}_${parts.length}`), type: part, offset: start, bitshift: -1, bitsize: -1, quals: 0, flags: 0 });
  }
  memo.set(start, parts);
  return parts;
}

/** The members of union `t` as koffi takes them (see unionParts), or its fields when they cannot be told (byValueRefusal refuses it then). */
function unionMembers(t: StructType): readonly CField[] {
  const fields = t.fields ?? [];
  return unionParts(t, fields, 0) ?? fields;
}

/**
 * The bytes `bitFields` of struct `t` occupy, as koffi members: unsigned integers of 1, 2 or 4
 * bytes at their natural alignment, covering each run of bytes some bit-field's bits fall in (as
 * the layout places bits: from the least significant of each byte). koffi's records have no
 * bit-fields, but neither convention looks into them: x86-64 classes each eightbyte holding some of
 * a bit-field's bits as integer (GCC's classify_argument), as it classes these integers, and
 * AArch64 makes no floating-point aggregate of a struct holding either. So the record travels in
 * the registers the struct does, its bytes whole. Named so as to clash with no field of `t`.
 */
function bitCarriers(t: StructType, bitFields: readonly CField[]): CField[] {
  const covered = new Uint8Array(Math.max(0, t.size));
  for (const f of bitFields) {
    if (f.bitsize <= 0) continue;
    const end = f.offset + bitBytes(f);
    for (let b = f.offset; b < end && b < covered.length; b++) covered[b] = 1;
  }
  const out: CField[] = [];
  for (let at = 0; at < covered.length; ) {
    if (!covered[at]) {
      at++;
      continue;
    }
    const bytes = [4, 2, 1].find((n) => at % n === 0 && at + n <= covered.length && covered.subarray(at, at + n).every((c) => c === 1)) as number;
    out.push({ name: freeName(t, `ncffi_bits_${at}`), type: primitive(`uint${bytes * 8}_t`), offset: at, bitshift: -1, bitsize: -1, quals: 0, flags: 0 });
    at += bytes;
  }
  return out;
}

/**
 * Why koffi cannot pass the struct or union `t` by value as C does, or null when it can: its own
 * records have no bit-fields (they travel as the integers that carry their bytes, see bitCarriers,
 * a union's in a struct of their own) or empty arrays, classify a struct for the calling convention by its members alone
 * (so a packed struct with misaligned members, which x86-64 passes in memory, or a struct whose
 * cdef leaves members out ('...;') would travel in the wrong registers), and take and give a union
 * as one of its members (see unionCarrier); an anonymous union of a struct goes as a union member
 * of its record (see recordMembers).
 */
export function byValueRefusal(t: StructType): string | null {
  if (t.partial) return "it is declared with '...;', and the members the cdef leaves out decide how C passes it";
  const fields = t.fields ?? [];
  // GCC gives an empty struct or union size 0; koffi refuses a record type without members.
  if (t.fields !== null && fields.length === 0) return 'it has no members (size 0), and koffi has no record without members to pass';
  for (const f of fields) {
    // koffi takes a record's members from a JavaScript object, where '__proto__' names the prototype.
    if (f.name === '__proto__') return "it has a member named '__proto__', which koffi's records cannot hold";
    if (f.bitsize >= 0) continue; // carried by integers, whatever its offset (bitCarriers)
    if (f.type.kind === 'array' && (f.type.length === null || f.type.length === 0)) {
      return `it has a zero-length or flexible array member ('${f.name}')`;
    }
    if (f.offset % Math.max(1, naturalAlign(f.type)) !== 0) return `it is packed: member '${f.name}' is not at its natural alignment`;
    if (f.type.kind === 'struct' || f.type.kind === 'union') {
      const inner = byValueRefusal(f.type);
      if (inner !== null) return `its member '${f.name}' is a '${f.type.cname}', and ${inner.replace(/^it /, 'that ')}`;
    }
  }
  for (const m of t.kind === 'struct' ? recordMembers(t) : []) {
    if (m.kind !== 'shared') continue;
    const names = m.fields.map((f) => `'${f.name}'`).join(', ');
    if (m.parts === null) return `it holds an anonymous union whose members (${names}) cannot be told apart (an anonymous union in an anonymous struct of it)`;
    if (m.carrier === null) return `no member of its anonymous union (${names}) holds all the union's bytes as a value (padding, a _Bool), and koffi passes a union as one of its members`;
    const nan = nanRefusal(m.carrier, m.parts!, fields);
    if (nan !== null) return `in its anonymous union (${names}), ${nan.replace(/ of it/g, '')}`;
  }
  if (t.kind === 'union' && unionParts(t, fields, 0) === null) {
    return 'it holds an anonymous struct whose members cannot be told apart (an anonymous union in it)';
  }
  if (t.kind === 'union' && fields.length > 0 && unionCarrier(t) === null) {
    const largest = unionMembers(t).reduce((a, b) => (b.type.size > a.type.size ? b : a));
    const which = largest.type.kind === 'struct' && !fields.includes(largest) ? 'an anonymous struct of it' : `'${largest.name}'`;
    return `no member of it holds all its bytes as a value (its largest, ${which}, has padding or a _Bool), and koffi passes a union as one of its members`;
  }
  if (t.kind === 'union') return nanRefusal(unionCarrier(t), unionMembers(t), fields);
  return null;
}

/** The alignment C gives `t` outside a packed struct (the items' for arrays). */
function naturalAlign(t: CType): number {
  if (t.kind === 'array') return naturalAlign(t.item);
  if (t.kind === 'struct' || t.kind === 'union') return Math.max(1, ...(t.fields ?? []).map((f) => naturalAlign(f.type)));
  return t.align;
}

const carriers = new WeakMap<StructType, CField | null>();

/**
 * The member a union goes to and comes from koffi as (koffi takes a union as an object with one
 * member, and gives one whose members each read all of it): one whose value keeps every byte any
 * member holds data in (see kept), so that the union's bytes travel whole, whichever member C
 * reads. One keeping them bit for bit (integers, pointers, bit-fields' bytes) where there is one;
 * else one with floating-point numbers (see nanWriter). Null when no member keeps them all (the
 * largest a struct with padding where another member holds data, or a _Bool).
 */
export function unionCarrier(t: StructType): CField | null {
  let carrier = carriers.get(t);
  if (carrier === undefined) carriers.set(t, (carrier = carrierAmong(unionMembers(t))));
  return carrier;
}

/** The carrier among the members of a union (see unionCarrier), or null for none. */
function carrierAmong(fields: readonly CField[]): CField | null {
  const data = new Set<number>();
  for (const f of fields) dataBytes(f, f.offset, data);
  let carrier: CField | null = null;
  let best = 0;
  for (const f of fields) {
    const bytes = new Map<number, number>();
    kept(f.type, f.offset, bytes);
    let rank = 2;
    for (const b of data) rank = Math.min(rank, bytes.get(b) ?? 0);
    if (rank > best) [carrier, best] = [f, rank];
  }
  return carrier;
}

/** Adds the bytes field `f` (at `at`) holds data in: all of its value's but padding; a bit-field's, those its bits fall in. */
function dataBytes(f: CField, at: number, out: Set<number>): void {
  const add = (from: number, to: number): void => {
    for (let b = from; b < to; b++) out.add(b);
  };
  if (f.bitsize >= 0) return add(at, at + bitBytes(f));
  const t = f.type;
  if (t.kind === 'array') for (let i = 0; i < (t.length ?? 0); i++) dataBytes({ ...f, type: t.item }, at + i * t.item.size, out);
  else if (t.kind === 'struct' || t.kind === 'union') for (const g of t.fields ?? []) dataBytes(g, at + g.offset, out);
  else add(at, at + Math.max(0, t.size));
}

/**
 * Adds the bytes a value of `t` at `at` keeps, read from memory into a koffi record and written back
 * from one: 2 bit for bit, 1 as floating-point numbers (see nanWriter); a _Bool's byte (read as
 * true or false) and padding not. A struct's through its record's members, a union's through its
 * carrier.
 */
function kept(t: CType, at: number, out: Map<number, number>): void {
  const fill = (size: number, rank: number): void => {
    for (let b = at; b < at + size; b++) out.set(b, rank);
  };
  switch (t.kind) {
    case 'pointer':
    case 'enum':
      return fill(t.size, 2);
    case 'primitive':
      // Integers keep their bits, floating-point numbers theirs but a NaN's; a _Bool and a long double (koffi has none) not.
      if (t.repr !== 'bool' && t.repr !== 'f80') fill(t.size, isIntegerRepr(t.repr) ? 2 : 1);
      return;
    case 'array':
      for (let i = 0; i < (t.length ?? 0); i++) kept(t.item, at + i * t.item.size, out);
      return;
    case 'struct':
      for (const m of recordMembers(t)) {
        const f = m.kind === 'field' ? m.field : m.carrier;
        if (f !== null) kept(f.type, at + f.offset, out);
      }
      return;
    case 'union': {
      const c = unionCarrier(t);
      if (c !== null) kept(c.type, at + c.offset, out);
      return;
    }
    default:
      return;
  }
}

/**
 * The member among `members` (a union's, see unionMembers) that can write bytes the
 * floating-point numbers of its `carrier` read as a NaN, or null: an integer, a pointer, an enum or
 * a bit-field over the exponent of one of them. koffi takes and gives those numbers as JavaScript
 * numbers, which keep no NaN's bits (V8 makes every NaN in an array of numbers the same one), so
 * that member's bytes would not arrive whole.
 */
function nanWriter(carrier: CField, members: readonly CField[]): CField | null {
  const exponent = new Set<number>();
  const floats = (t: CType, at: number): void => {
    if (t.kind === 'array') {
      for (let i = 0; i < (t.length ?? 0); i++) floats(t.item, at + i * t.item.size);
    } else if (t.kind === 'struct' || t.kind === 'union') {
      for (const f of t.fields ?? []) if (f.bitsize < 0) floats(f.type, at + f.offset);
    } else if (t.kind === 'primitive' && (t.repr === 'f32' || t.repr === 'f64' || t.repr === 'c32' || t.repr === 'c64')) {
      // Each float's or double's last two bytes hold its exponent (a complex number is two of them).
      const part = t.repr === 'f32' || t.repr === 'c32' ? 4 : 8;
      for (let p = at; p < at + t.size; p += part) exponent.add(p + part - 2).add(p + part - 1);
    }
  };
  floats(carrier.type, carrier.offset);
  const writes = (t: CType, at: number, f?: CField): boolean => {
    if (f !== undefined && f.bitsize >= 0) return overlaps(at, at + bitBytes(f));
    switch (t.kind) {
      case 'array':
        return Array.from({ length: t.length ?? 0 }).some((_, i) => writes(t.item, at + i * t.item.size));
      case 'struct':
      case 'union':
        return (t.fields ?? []).some((g) => writes(g.type, at + g.offset, g));
      case 'primitive':
        return isIntegralRepr(t.repr) && overlaps(at, at + t.size);
      case 'pointer':
      case 'enum':
        return overlaps(at, at + t.size);
      default:
        return false;
    }
  };
  const overlaps = (from: number, to: number): boolean => {
    for (let b = from; b < to; b++) if (exponent.has(b)) return true;
    return false;
  };
  if (exponent.size === 0) return null;
  return members.find((m) => m !== carrier && writes(m.type, m.offset, m)) ?? null;
}

/** Why a union (`t`, or an anonymous union of it) whose `carrier` is floating point cannot go through koffi with its bytes whole (see nanWriter), or null. */
function nanRefusal(carrier: CField | null, members: readonly CField[], own: readonly CField[]): string | null {
  const w = carrier === null ? null : nanWriter(carrier, members);
  if (w === null) return null;
  const shown = (f: CField): string => (own.includes(f) ? `'${f.name}'` : 'an anonymous struct of it');
  return `its member ${shown(w)} writes bytes that ${shown(carrier!)}, the member koffi passes it as, reads as floating-point numbers, ` +
    'whose NaNs koffi does not keep bit for bit';
}

