// Memory made visible: ffi.dump's annotated hex dump of a cdata, and what util.inspect shows of struct, array and pointer cdata.
import type { InspectOptions } from 'util';
import { checkOptions, RangeError, show, TypeError } from '../errors';
import { CField, CType, StructType, isCharLike } from '../ctype/model';
import { noSizeError } from '../ctype/sizes';
import type { Complex, ScalarType } from './convert';
import { CData, isCData, MEM, ADDR, OFF, LEN, OWN, TYPE } from './base';
import { readValue } from './classes';
import { readAddress } from './access';
import { hasVarArray, readBits } from './layout';
import { checkMemory } from './faults';
import { addressHex, placeMemory } from './memory';

export interface DumpOptions {
  /** How many bytes to show from the cdata's address (default: its size, at most 1024). */
  readonly bytes?: number;
}

const DUMP_OPTION_NAMES: Readonly<Record<keyof DumpOptions, true>> = { bytes: true };

/** Bytes dump() shows when not told: enough for a screenful of a large object. */
const DEFAULT_LIMIT = 1024;
const ROW_BYTES = 8;
/**
 * The most annotated ranges (leaves) dump() shows per byte, and at least: members of unions share
 * their bytes, and nested unions of two members of one type would have a leaf for every path
 * down (2^depth of them on the same few bytes). Past the limit the walk stops and says so.
 */
const LEAVES_PER_BYTE = 16;
const MIN_LEAVES = 1024;

/** A range of the dumped memory and what it holds. */
interface Leaf {
  readonly offset: number;
  readonly length: number;
  readonly note: string;
}

/** How many more leaves the walk takes, and whether it left some out. */
interface Budget {
  left: number;
  cut: boolean;
}

/** Where the dumped memory is: a view and offset for address `address`, and what its items are. */
interface Region {
  readonly view: DataView;
  readonly offset: number;
  readonly address: number;
  /** The type of each item, or null when the memory is untyped (void *). */
  readonly item: CType | null;
  /** Items the cdata covers (1 for a struct or a pointer's target). */
  readonly count: number;
  /** Annotate each item with its index (arrays, and pointers shown past their first item). */
  readonly indexed: boolean;
  /** The bytes the cdata itself spans. */
  readonly natural: number;
}

/**
 * A hex dump of the memory of `cdata` with addresses, one row per field (structs and unions,
 * nested ones flattened), element (arrays) or bit-field group, each annotated with its value;
 * bytes no member covers are marked as padding. Pointers show the memory they point to. Past
 * LEAVES_PER_BYTE rows a byte (MIN_LEAVES at least), members are left out, and a last row says so.
 *
 *     'struct pt *': 16 bytes at 0x55d0c8a0
 *     0x55d0c8a0  2a 00 00 00              x = 42
 *     0x55d0c8a4  00 00 00 00              (padding)
 *     0x55d0c8a8  00 00 00 00 00 00 f8 3f  y = 1.5
 */
export function dump(cdata: unknown, options: DumpOptions = {}): string {
  if (!isCData(cdata)) throw new TypeError(`ffi.dump(): expected a cdata, got ${show(cdata)}`);
  checkOptions('ffi.dump()', options, DUMP_OPTION_NAMES);
  const bytes = options?.bytes;
  if (bytes !== undefined && !(Number.isSafeInteger(bytes) && bytes >= 0)) {
    throw new RangeError(`ffi.dump(): options.bytes must be a non-negative integer, got ${show(bytes)}`);
  }
  const where = 'ffi.dump()';
  const region = regionOf(cdata, bytes, where);
  const total = bytes ?? Math.min(region.natural, DEFAULT_LIMIT);
  const place = readable(cdata, region, total, where);
  const budget: Budget = { left: Math.max(LEAVES_PER_BYTE * total, MIN_LEAVES), cut: false };
  const leaves = region.item === null ? [] : itemLeaves(region, place.view, place.offset, total, budget);
  const lines = [`'${cdata[TYPE].cname}': ${total} bytes at ${hex(region.address)}`, ...rows(leaves, place.view, place.offset, region.address, total)];
  if (budget.cut) {
    lines.push(`... members past the first ${leaves.length} left out: the unions here overlap more of them on these bytes than dump() shows`);
  }
  if (bytes === undefined && region.natural > total) {
    lines.push(`... ${region.natural - total} more bytes; pass { bytes: ${region.natural} } to see them all`);
  }
  return lines.join('\n');
}

function regionOf(c: CData, bytes: number | undefined, where: string): Region {
  const t = c[TYPE];
  const base = { view: c[MEM].v, offset: c[OFF], address: c[ADDR] as number };
  switch (t.kind) {
    case 'array':
      return { ...base, item: t.item, count: c[LEN], indexed: true, natural: c[LEN] * t.item.size };
    case 'struct':
    case 'union':
      // A struct ffi.new sized for its flexible array member spans the bytes it was given.
      return { ...base, item: t, count: 1, indexed: false, natural: hasVarArray(t) ? Math.max(t.size, c[OWN] || c[LEN]) : t.size };
    case 'pointer': {
      const size = t.item.size;
      if (size <= 0) {
        if (bytes === undefined) {
          throw noSizeError(where, t.item, 'pass { bytes: n } to say how much to show');
        }
        return { ...base, item: null, count: 0, indexed: false, natural: 0 };
      }
      const count = bytes === undefined ? 1 : Math.ceil(bytes / size);
      const natural = count === 1 && hasVarArray(t.item) ? Math.max(size, c[OWN]) : size;
      return { ...base, item: t.item, count, indexed: count > 1, natural };
    }
    default:
      throw new TypeError(`${where}: cannot dump ${show(c)}; pass a pointer, array, struct or union`);
  }
}

/**
 * A view covering `total` bytes of the region: the cdata's own memory (refusing bytes past an
 * allocation), or for C memory past its window, a window onto its address.
 */
function readable(c: CData, r: Region, total: number, where: string): { view: DataView; offset: number } {
  checkMemory(c, where, total);
  const m = c[MEM];
  if (m.kind !== 'c' || (r.offset >= m.lo && r.offset + total <= m.hi)) return { view: r.view, offset: r.offset };
  const place = placeMemory(r.address, total);
  if (place.offset + total > place.memory.hi) {
    throw new RangeError(`${where}: ${show(c)} refers to no readable memory (address ${hex(r.address)})`);
  }
  return { view: place.memory.v, offset: place.offset };
}

function itemLeaves(r: Region, view: DataView, offset: number, total: number, budget: Budget): Leaf[] {
  const item = r.item as CType;
  const out: Leaf[] = [];
  for (let i = 0; i < r.count && i * item.size < total; i++) {
    const name = r.indexed ? `[${i}]` : '';
    leavesOf(item, view, offset, i * item.size, r.address, name, total, out, budget, r.count === 1 ? r.natural : item.size);
  }
  return out;
}

/** Adds `leaf` to `out` while the budget lasts. */
function take(out: Leaf[], leaf: Leaf, budget: Budget): void {
  if (budget.left > 0) {
    out.push(leaf);
    budget.left--;
  } else {
    budget.cut = true;
  }
}

const join = (name: string, field: string): string => (name === '' ? field : `${name}.${field}`);

/**
 * The annotated ranges of an object of type `t` at `at` bytes into the dump (view offset `base + at`),
 * while the budget lasts: once it is spent, the walk goes no further down. `room`: the bytes the
 * object has, which a flexible array member at its end shares out as items.
 */
function leavesOf(t: CType, view: DataView, base: number, at: number, address: number, name: string, total: number, out: Leaf[], budget: Budget, room: number): void {
  if (at >= total) return;
  if (budget.left === 0) {
    budget.cut ||= t.size !== 0; // a type of no bytes has nothing to leave out but an empty char array's text
    return;
  }
  const label = name === '' ? '' : `${name} = `;
  switch (t.kind) {
    case 'primitive':
    case 'enum':
    case 'pointer':
      take(out, { offset: at, length: t.size, note: label + scalarNote(t, view, base + at) }, budget);
      return;
    case 'array': {
      const length = t.length ?? (t.item.size > 0 ? Math.max(0, Math.floor(room / t.item.size)) : 0);
      if (isCharLike(t.item)) {
        take(out, { offset: at, length, note: label + JSON.stringify(shorten(charsAt(view, base + at, Math.min(length, total - at)))) }, budget);
        return;
      }
      for (let i = 0; i < length && at + i * t.item.size < total; i++) {
        leavesOf(t.item, view, base, at + i * t.item.size, address, `${name}[${i}]`, total, out, budget, t.item.size);
      }
      return;
    }
    case 'struct':
    case 'union':
      structLeaves(t, view, base, at, address, name, total, out, budget, room);
      return;
    case 'void':
    case 'function':
      return;
  }
}

function structLeaves(t: StructType, view: DataView, base: number, at: number, address: number, name: string, total: number, out: Leaf[], budget: Budget, room: number): void {
  if (!t.fields) {
    take(out, { offset: at, length: 0, note: `${name || t.cname}: opaque '${t.cname}' (declared but never defined)` }, budget);
    return;
  }
  const own: Leaf[] = [];
  const fields = t.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.bitsize < 0) {
      leavesOf(f.type, view, base, at + f.offset, address, join(name, f.name), total, own, budget, Math.max(room, t.size) - f.offset);
      continue;
    }
    // Bit-fields sharing storage bytes are shown together on their bytes.
    const group: CField[] = [f];
    let end = f.offset + storageBytes(f);
    while (i + 1 < fields.length && fields[i + 1].bitsize >= 0 && fields[i + 1].offset < end) {
      const g = fields[++i];
      group.push(g);
      end = Math.max(end, g.offset + storageBytes(g));
    }
    const notes = group.map((g) => `${join(name, g.name)}:${g.bitsize} = ${valueNote(readBits(view, base + at + g.offset, g))}`);
    if (at + f.offset < total) take(own, { offset: at + f.offset, length: end - f.offset, note: notes.join(', ') }, budget);
  }
  for (const leaf of own) out.push(leaf);
  // With members left out, the bytes they cover are no padding: they are shown bare.
  if (!budget.cut) for (const leaf of padding(own, at, t.size, total)) take(out, leaf, budget);
}

const storageBytes = (f: CField): number => Math.ceil((f.bitshift + f.bitsize) / 8);

/** Ranges inside [at, at + size) that no member covers. */
function padding(members: readonly Leaf[], at: number, size: number, total: number): Leaf[] {
  const covered = new Uint8Array(size);
  for (const m of members) covered.fill(1, Math.max(m.offset - at, 0), Math.min(m.offset - at + m.length, size));
  const out: Leaf[] = [];
  for (let i = 0; i < size && at + i < total; ) {
    if (covered[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < size && !covered[j]) j++;
    out.push({ offset: at + i, length: j - i, note: '(padding)' });
    i = j;
  }
  return out;
}

/** The rows of the dump: each leaf on rows of up to 8 bytes (its note on the first), bare bytes for the rest. */
function rows(leaves: readonly Leaf[], view: DataView, base: number, address: number, total: number): string[] {
  const sorted = [...leaves].sort((a, b) => a.offset - b.offset);
  const width = hex(address + total).length;
  const out: string[] = [];
  const emit = (offset: number, length: number, note: string) => {
    for (let o = offset; o < offset + length && o < total; o += ROW_BYTES) {
      const n = Math.min(ROW_BYTES, offset + length - o, total - o);
      const bytes: string[] = [];
      for (let k = 0; k < n; k++) bytes.push(view.getUint8(base + o + k).toString(16).padStart(2, '0'));
      const line = `${hex(address + o).padStart(width)}  ${bytes.join(' ').padEnd(ROW_BYTES * 3 - 1)}  ${o === offset ? note : ''}`;
      out.push(line.trimEnd());
    }
  };
  let reached = 0;
  for (const leaf of sorted) {
    if (leaf.offset > reached) emit(reached, leaf.offset - reached, '');
    emit(leaf.offset, leaf.length, leaf.note);
    reached = Math.max(reached, leaf.offset + leaf.length);
  }
  if (reached < total) emit(reached, total - reached, '');
  return out;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** The text of a char array: its bytes up to the first NUL, as UTF-8. */
function charsAt(view: DataView, offset: number, length: number): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, length);
  const nul = bytes.indexOf(0);
  return Buffer.from(bytes.subarray(0, nul < 0 ? length : nul)).toString('utf8');
}

/** A scalar or pointer value as a note: '42', '65 'A'', 'GREEN (5)', '0x55d0c8a0', 'NULL'. */
function scalarNote(t: CType, view: DataView, offset: number): string {
  if (t.kind === 'pointer') {
    const a = readAddress(view, offset);
    return a === 0 ? 'NULL' : addressHex(a);
  }
  const v = readValue(t as ScalarType, view, offset) as number | bigint | boolean | Complex;
  if (typeof v === 'object') return `{ real: ${valueNote(v.real)}, imag: ${valueNote(v.imag)} }`; // a complex number
  if (t.kind === 'enum') {
    const name = t.elements[String(v)];
    return name === undefined ? String(v) : `${name} (${v})`;
  }
  if (isCharLike(t) && typeof v === 'number' && v >= 32 && v < 127) return `${v} '${String.fromCharCode(v)}'`;
  return valueNote(v);
}

const valueNote = (v: number | bigint | boolean): string => (Object.is(v, -0) ? '-0' : String(v));

// ---------------------------------------------------------------------------------------------
// util.inspect

/** util.inspect's third argument. */
export type Inspect = (value: unknown, options?: InspectOptions) => string;

/**
 * What util.inspect shows of a cdata: its repr, then for structs and unions their fields and
 * values (nested ones as objects, char arrays as text), for arrays their elements (as many as
 * options.maxArrayLength allows), for a pointer that owns its memory (ffi.new) what it points to.
 * Other pointers show the repr alone: their memory may not be there any more.
 */
export function inspectCData(cdata: CData, depth: number, options: InspectOptions, inspect: Inspect): string {
  const repr = String(cdata);
  if (depth !== null && depth !== undefined && depth < 0) return repr;
  const t = cdata[TYPE];
  const limit = options.maxArrayLength ?? 100;
  const reader = new Reader(limit === null ? Infinity : limit, depth ?? Infinity);
  let contents: unknown;
  try {
    switch (t.kind) {
      case 'struct':
      case 'union':
        // The bytes a flexible array member may show: those ffi.new sized the struct for, as p.data reads.
        contents = reader.struct(t, cdata[MEM].v, cdata[OFF], cdata[ADDR] as number, 0, cdata[OWN] || cdata[LEN] || null);
        break;
      case 'array':
        contents = isCharLike(t.item)
          ? charsAt(cdata[MEM].v, cdata[OFF], cdata[LEN])
          : reader.array(t.item, cdata[LEN], cdata[MEM].v, cdata[OFF], cdata[ADDR] as number, 0);
        break;
      case 'pointer':
        if (cdata[OWN] === 0 || t.item.size <= 0) return repr;
        contents = reader.value(t.item, cdata[MEM].v, cdata[OFF], cdata[ADDR] as number, 0, cdata[OWN]);
        break;
      default:
        return repr;
    }
  } catch {
    return repr; // released memory, or memory that went away
  }
  return `${repr} ${inspect(contents, { ...options, depth: depth ?? null })}`;
}

/**
 * Reads C memory into plain JavaScript values for util.inspect, down to the depth it shows (the
 * values it is given are at level 0): a struct or an array below that is not read but stood for
 * by an object with its field names, or an array of its length, which util.inspect shows as it
 * would the values ('[Object]', '[Array]', or '{}' and '[]' when empty). Nested unions of two
 * members of one type would otherwise be read down every path, 2^depth of them.
 */
class Reader {
  constructor(private readonly limit: number, private readonly depth: number) {}

  /**
   * `room`: the bytes known to be there from `offset` on, which a flexible array member (`int
   * data[];`) at the end of a struct may take; null when unknown (a pointer C gave), and then its
   * items are not read: only the fixed part of a struct is known to be there.
   */
  value(t: CType, view: DataView, offset: number, address: number, level: number, room: number | null): unknown {
    switch (t.kind) {
      case 'primitive':
        return readValue(t, view, offset);
      case 'enum': {
        const v = readValue(t, view, offset) as number;
        const name = t.elements[String(v)];
        return name === undefined ? v : new Opaque(`${name} (${v})`);
      }
      case 'pointer':
        return readValue(t, view, offset);
      case 'array': {
        if (t.length === null && room === null) return new Opaque(`[${t.cname} of unknown length]`);
        const length = t.length ?? (t.item.size > 0 ? Math.max(0, Math.floor((room as number) / t.item.size)) : 0);
        if (isCharLike(t.item)) return charsAt(view, offset, length);
        return this.array(t.item, length, view, offset, address, level);
      }
      case 'struct':
      case 'union':
        return this.struct(t, view, offset, address, level, room);
      case 'void':
      case 'function':
        return new Opaque(`[${t.cname}]`);
    }
  }

  /** A sparse array with the first `limit` items: util.inspect then reports how many more there are. */
  array(item: CType, length: number, view: DataView, offset: number, address: number, level: number): unknown[] {
    const out: unknown[] = new Array(length);
    if (level > this.depth) return this.unread(out, view, offset, length * item.size);
    for (let i = 0; i < Math.min(length, this.limit); i++) {
      out[i] = this.value(item, view, offset + i * item.size, address + i * item.size, level + 1, item.size);
    }
    return out;
  }

  struct(t: StructType, view: DataView, offset: number, address: number, level: number, room: number | null): object {
    if (!t.fields) return new Opaque(`[opaque ${t.cname}]`);
    const out = {};
    const unread = level > this.depth;
    for (const f of t.fields) {
      const v =
        unread ? undefined
        : f.bitsize >= 0 ? readBits(view, offset + f.offset, f)
        : this.value(f.type, view, offset + f.offset, address + f.offset, level + 1, room === null ? null : Math.max(room, t.size) - f.offset);
      Object.defineProperty(out, f.name, { value: v, enumerable: true });
    }
    return unread ? this.unread(out, view, offset, t.size) : out;
  }

  /**
   * `out`, standing for the `size` bytes at `offset` unread: their first and last read, so that
   * memory that is not there (released, detached, shrunk) fails here as reading the values would.
   */
  private unread<T>(out: T, view: DataView, offset: number, size: number): T {
    if (size > 0) {
      view.getUint8(offset);
      view.getUint8(offset + size - 1);
    }
    return out;
  }
}

/** A value util.inspect prints as the given text, unquoted. */
class Opaque {
  constructor(private readonly text: string) {}
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.text;
  }
}
