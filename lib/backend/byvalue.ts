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
    let align = 1;
    let bits = -Infinity;
    for (const f of run) {
      align = Math.max(align, f.type.align);
      bits = Math.max(bits, bitEnd(f));
    }
    const end = Math.ceil(bits / 8) - start;
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
  let refusal = refusals.get(t);
  if (refusal === undefined) {
    refusal = refusalOf(t);
    if (t.fields !== null) refusals.set(t, refusal);
  }
  return refusal;
}

/** What byValueRefusal() says of each defined struct and union, found once: a member type's is its own, not found again per holder. */
const refusals = new WeakMap<StructType, string | null>();

function refusalOf(t: StructType): string | null {
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

/** The alignment C gives `t` outside a packed struct (the items' for arrays); a defined struct's or union's found once. */
function naturalAlign(t: CType): number {
  if (t.kind === 'array') return naturalAlign(t.item);
  if (t.kind !== 'struct' && t.kind !== 'union') return t.align;
  let align = naturalAligns.get(t);
  if (align === undefined) {
    align = 1;
    for (const f of t.fields ?? []) align = Math.max(align, naturalAlign(f.type));
    if (t.fields !== null) naturalAligns.set(t, align);
  }
  return align;
}
const naturalAligns = new WeakMap<StructType, number>();

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
  const data = marksOf(DATA, fields, 0);
  let carrier: CField | null = null;
  let best = 0;
  for (const f of fields) {
    const bytes = marksOf(KEPT, [f], 0);
    let rank = 2;
    for (let b = 0; b < data.length && rank > 0; b++) if (data[b] !== 0) rank = Math.min(rank, bytes[b] ?? 0);
    if (rank > best) [carrier, best] = [f, rank];
  }
  return carrier;
}

/**
 * The member among `members` (a union's, see unionMembers) that can write bytes the
 * floating-point numbers of its `carrier` read as a NaN, or null: an integer, a pointer, an enum or
 * a bit-field over the exponent of one of them. koffi takes and gives those numbers as JavaScript
 * numbers, which keep no NaN's bits (V8 makes every NaN in an array of numbers the same one), so
 * that member's bytes would not arrive whole.
 */
function nanWriter(carrier: CField, members: readonly CField[]): CField | null {
  const exponent = marksOf(EXPONENTS, [carrier], 0);
  if (!exponent.includes(1)) return null;
  const overlaps = (writes: Uint8Array): boolean => {
    for (let b = 0; b < writes.length && b < exponent.length; b++) if (writes[b] !== 0 && exponent[b] !== 0) return true;
    return false;
  };
  return members.find((m) => m !== carrier && overlaps(marksOf(WRITES, [m], 0))) ?? null;
}

/**
 * A walk over the bytes of values, marking each with a number (0: not marked; see marksOf): what
 * it marks in the bytes of a scalar, which fields of a struct or union it walks, what it marks in
 * a bit-field's bytes (those its bits fall in; 0: what its type marks, as for any other field),
 * and the marks of each struct and union type, made once: a type held by many (a union's members
 * of one type, nested) is walked once, not once per path down to it.
 */
interface ByteWalk {
  readonly scalar: (t: CType, out: Uint8Array, at: number) => void;
  readonly fields: (t: StructType) => readonly CField[];
  readonly bitField: number;
  readonly memo: WeakMap<StructType, Uint8Array>;
}

/** The bytes a value holds data in: all of a scalar's but padding; a bit-field's, those its bits fall in. */
const DATA: ByteWalk = {
  scalar: (t, out, at) => {
    out.fill(1, at, at + Math.max(0, t.size));
  },
  fields: (t) => t.fields ?? [],
  bitField: 1,
  memo: new WeakMap(),
};

/**
 * The bytes a value keeps, read from memory into a koffi record and written back from one: 2 bit
 * for bit, 1 as floating-point numbers (see nanWriter); a _Bool's byte (read as true or false) and
 * padding not. A struct's through its record's members, a union's through its carrier.
 */
const KEPT: ByteWalk = {
  scalar: (t, out, at) => {
    if (t.kind === 'pointer' || t.kind === 'enum') out.fill(2, at, at + t.size);
    // Integers keep their bits, floating-point numbers theirs but a NaN's; a _Bool and a long double (koffi has none) not.
    else if (t.kind === 'primitive' && t.repr !== 'bool' && t.repr !== 'f80') out.fill(isIntegerRepr(t.repr) ? 2 : 1, at, at + t.size);
  },
  fields: (t) => {
    if (t.kind === 'union') {
      const c = unionCarrier(t);
      return c === null ? [] : [c];
    }
    const out: CField[] = [];
    for (const m of recordMembers(t)) {
      const f = m.kind === 'field' ? m.field : m.carrier;
      if (f !== null) out.push(f);
    }
    return out;
  },
  bitField: 0,
  memo: new WeakMap(),
};

/** The bytes holding the exponents of a value's floating-point numbers: each float's or double's last two (a complex number is two of them); bit-fields' none. */
const EXPONENTS: ByteWalk = {
  scalar: (t, out, at) => {
    if (t.kind !== 'primitive' || !(t.repr === 'f32' || t.repr === 'f64' || t.repr === 'c32' || t.repr === 'c64')) return;
    const part = t.repr === 'f32' || t.repr === 'c32' ? 4 : 8;
    for (let p = at; p < at + t.size; p += part) out[p + part - 2] = out[p + part - 1] = 1;
  },
  fields: (t) => (t.fields ?? []).filter((f) => f.bitsize < 0),
  bitField: 0,
  memo: new WeakMap(),
};

/** The bytes a value's integers, pointers, enums and bit-fields write: what can make another member's floating-point number a NaN (see nanWriter). */
const WRITES: ByteWalk = {
  scalar: (t, out, at) => {
    if ((t.kind === 'primitive' && isIntegralRepr(t.repr)) || t.kind === 'pointer' || t.kind === 'enum') out.fill(1, at, at + t.size);
  },
  fields: (t) => t.fields ?? [],
  bitField: 1,
  memo: new WeakMap(),
};

/** The marks `walk` makes in the bytes of `fields`, each at its offset, over at least `size` bytes from 0. */
function marksOf(walk: ByteWalk, fields: readonly CField[], size: number): Uint8Array {
  const whole = (f: CField): boolean => f.bitsize >= 0 && walk.bitField !== 0;
  let end = Math.max(0, size);
  for (const f of fields) end = Math.max(end, f.offset + (whole(f) ? bitBytes(f) : span(walk, f.type)));
  const out = new Uint8Array(end);
  for (const f of fields) {
    if (whole(f)) out.fill(walk.bitField, f.offset, f.offset + bitBytes(f));
    else mark(walk, f.type, out, f.offset);
  }
  return out;
}

/** The marks `walk` makes in the bytes of struct or union `t` (see marksOf), made once per type. */
function structMarks(walk: ByteWalk, t: StructType): Uint8Array {
  let marks = walk.memo.get(t);
  if (marks === undefined) walk.memo.set(t, (marks = marksOf(walk, walk.fields(t), t.size)));
  return marks;
}

/** How many bytes from its start `walk` may mark in a value of `t`. */
function span(walk: ByteWalk, t: CType): number {
  if (t.kind === 'struct' || t.kind === 'union') return structMarks(walk, t).length;
  if (t.kind === 'array') return (t.length ?? 0) > 0 ? (t.length! - 1) * t.item.size + span(walk, t.item) : 0;
  return Math.max(0, t.size);
}

/** Marks the bytes of a value of `t` at `at` in `out`: a struct's or union's marks over those there (its unmarked bytes leave them). */
function mark(walk: ByteWalk, t: CType, out: Uint8Array, at: number): void {
  if (t.kind === 'array') {
    for (let i = 0; i < (t.length ?? 0); i++) mark(walk, t.item, out, at + i * t.item.size);
  } else if (t.kind === 'struct' || t.kind === 'union') {
    const own = structMarks(walk, t);
    for (let b = 0; b < own.length; b++) if (own[b] !== 0) out[at + b] = own[b];
  } else {
    walk.scalar(t, out, at);
  }
}

/** Why a union (`t`, or an anonymous union of it) whose `carrier` is floating point cannot go through koffi with its bytes whole (see nanWriter), or null. */
function nanRefusal(carrier: CField | null, members: readonly CField[], own: readonly CField[]): string | null {
  const w = carrier === null ? null : nanWriter(carrier, members);
  if (w === null) return null;
  const shown = (f: CField): string => (own.includes(f) ? `'${f.name}'` : 'an anonymous struct of it');
  return `its member ${shown(w)} writes bytes that ${shown(carrier!)}, the member koffi passes it as, reads as floating-point numbers, ` +
    'whose NaNs koffi does not keep bit for bit';
}

