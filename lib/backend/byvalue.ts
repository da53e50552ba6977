// Which structs and unions koffi passes by value as C does, why the others not, and the member a union travels as.
import { CField, CType, StructType } from '../ctype/model';

/**
 * Why koffi cannot pass the struct or union `t` by value as C does, or null when it can: its own
 * records have no bit-fields, empty arrays or anonymous members, classify a struct for the calling
 * convention by its members alone (so a packed struct with misaligned members, which x86-64 passes
 * in memory, or a struct whose cdef leaves members out ('...;') would travel in the wrong
 * registers), and take and give a union as one of its members (see unionCarrier).
 */
export function byValueRefusal(t: StructType): string | null {
  if (t.partial) return "it is declared with '...;', and the members the cdef leaves out decide how C passes it";
  const fields = t.fields ?? [];
  let end = 0;
  for (const f of fields) {
    // koffi takes a record's members from a JavaScript object, where '__proto__' names the prototype.
    if (f.name === '__proto__') return "it has a member named '__proto__', which koffi's records cannot hold";
    if (f.bitsize >= 0) return 'it has bit-fields';
    if (t.kind === 'struct' && f.offset < end) return 'it holds an anonymous union (members sharing their bytes)';
    if (t.kind === 'union' && f.offset !== 0) return 'it holds an anonymous struct (members at different offsets)';
    if (f.type.kind === 'array' && (f.type.length === null || f.type.length === 0)) {
      return `it has a zero-length or flexible array member ('${f.name}')`;
    }
    if (f.offset % Math.max(1, naturalAlign(f.type)) !== 0) return `it is packed: member '${f.name}' is not at its natural alignment`;
    if (f.type.kind === 'struct' || f.type.kind === 'union') {
      const inner = byValueRefusal(f.type);
      if (inner !== null) return `its member '${f.name}' is a '${f.type.cname}', and ${inner.replace(/^it /, 'that ')}`;
    }
    end = Math.max(end, f.offset + Math.max(0, f.type.size));
  }
  if (t.kind === 'union' && fields.length > 0 && unionCarrier(t) === null) {
    const largest = fields.reduce((a, b) => (b.type.size > a.type.size ? b : a));
    return `no member of it holds all its bytes as a value (its largest, '${largest.name}', has padding or a _Bool), and koffi passes a union as one of its members`;
  }
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
 * member, and gives one whose members each read all of it): one of the largest members, whose
 * value holds every one of its bytes, so that the union's bytes travel whole, whichever member C
 * reads. An integer, pointer or array of them where there is one; else one with floating-point
 * numbers, whose bits travel too (but for a signalling NaN, which the processor makes quiet).
 * null when no largest member holds all its bytes (a struct with padding, a _Bool).
 */
export function unionCarrier(t: StructType): CField | null {
  let carrier = carriers.get(t);
  if (carrier !== undefined) return carrier;
  carrier = null;
  let best = 0;
  const size = Math.max(0, ...(t.fields ?? []).map((f) => f.type.size));
  for (const f of t.fields ?? []) {
    if (f.type.size !== size) continue;
    const rank = wholeValue(f.type);
    if (rank > best) [carrier, best] = [f, rank];
  }
  carriers.set(t, carrier);
  return carrier;
}

/** Whether a value of `t` read from memory holds all its bytes: 2 bit for bit, 1 with floating point numbers, 0 not (padding, a _Bool). */
function wholeValue(t: CType): number {
  switch (t.kind) {
    case 'pointer':
    case 'enum':
      return 2;
    case 'primitive':
      return t.repr === 'bool' || t.repr === 'f80' ? 0 : t.repr === 'f32' || t.repr === 'f64' || t.repr === 'c32' || t.repr === 'c64' ? 1 : 2;
    case 'array':
      return t.length === null || t.length === 0 ? 0 : wholeValue(t.item);
    case 'struct': {
      let at = 0;
      let rank = 2;
      for (const f of t.fields ?? []) {
        if (f.offset !== at || f.bitsize >= 0) return 0;
        rank = Math.min(rank, wholeValue(f.type));
        at += f.type.size;
      }
      return at === t.size && t.fields !== null ? rank : 0;
    }
    case 'union': {
      const c = unionCarrier(t);
      return c !== null && c.type.size === t.size ? wholeValue(c.type) : 0;
    }
    default:
      return 0;
  }
}
