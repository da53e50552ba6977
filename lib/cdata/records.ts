// Structs and unions by value: owned struct cdata, and plain records for koffi's own by-value path (read by a reader compiled per type).
import { CField, CType, StructType } from '../ctype/model';
import { recordMembers, unionCarrier } from '../backend/byvalue';
import { CData, MEM, ADDR, OFF, TYPE } from './base';
import { classOf } from './classes';
import { readAddress, readCode, writeAt, writeCode } from './access';
import { allocate } from './memory';
import { passable } from './pointers';
import { goneError } from './faults';
import { TypeError } from '../errors';
import { codeHelpers, loadCode, reprOf } from './convert';

/** A new owned, zero-filled struct or union cdata (what a by-value result becomes). */
export function newStruct(t: StructType): CData {
  const b = allocate(t.size, t.align);
  return new (classOf(t))(b.memory, b.address, b.offset, 0, t.size);
}

/**
 * The address of a struct argument for a wrapper that takes it by pointer: a cdata of the same type
 * is passed in place (C receives a copy, made by the wrapper); an initialiser (an object of fields
 * or a list) is written to a new struct, which `keep` holds until the call is over.
 */
export function toCStructAddress(t: StructType, value: unknown, where: string, keep: unknown[]): number {
  if (value !== null && typeof value === 'object' && (value as CData)[TYPE] === t) return passable(value as CData, where) as number;
  const s = newStruct(t);
  writeAt(t, s[MEM].v, s[OFF], value, where);
  keep.push(s);
  return s[ADDR] as number;
}

/** A plain record for koffi (fields by name, a union by its carrier; pointers as integer addresses) from a cdata or an initialiser. */
export function toKoffiRecord(t: StructType, value: unknown, where: string): object {
  let s = value as CData;
  if (value === null || typeof value !== 'object' || s[TYPE] !== t) {
    // Validate through the same initialisation rules as everywhere else, then read back.
    s = newStruct(t);
    writeAt(t, s[MEM].v, s[OFF], value, where);
  }
  // Read here, before the call: memory that may shrink later (a resizable ArrayBuffer's) is no danger.
  const gone = goneError(s, where);
  if (gone) throw gone;
  return recordFiller(t)(s[MEM].v, s[OFF], {});
}

/** Fills a koffi record of a struct or union with its members read out of memory, and returns it. */
export type RecordFiller = (view: DataView, off: number, record: object) => object;

const recordFillers = new WeakMap<StructType, RecordFiller>();

/**
 * The record filler of `t`, compiled once per type: its members read straight from the view (what
 * `plain` builds by walking the type). A call's by-value argument that is a cdata of the type is
 * filled into a record the call site keeps, at each call, instead of a new object. koffi reads the
 * record's members before the C function runs (and before an .async call leaves the JavaScript
 * thread), so one record per parameter of a caller is enough, and the call allocates nothing for
 * its struct (members that are themselves aggregates are still made).
 */
export function recordFiller(t: StructType): RecordFiller {
  let fill = recordFillers.get(t);
  if (!fill) {
    const constants: unknown[] = [];
    const stores = memberSources(t, '0', constants).map(([name, value]) => `r[${name}] = ${value};`);
    const source = `return (v, o, r) => { ${stores.join(' ')} return r; };`;
    const names = ['readAddress', 'readCode', 'plain', ...Object.keys(codeHelpers), ...constants.map((_, i) => `c${i}`)];
    fill = new Function(...names, source)(readAddress, readCode, plain, ...Object.values(codeHelpers), ...constants) as RecordFiller;
    recordFillers.set(t, fill);
  }
  return fill;
}

/**
 * The members of the record of `t` at offset `o + at`, as [quoted name, JavaScript for its value]:
 * a struct's fields (an anonymous union among them by its carrier), a union's carrier.
 */
function memberSources(t: StructType, at: string, constants: unknown[]): [string, string][] {
  const source = (f: CField): string => recordSource(f.type, String(Number(at) + f.offset), constants);
  if (t.kind === 'union') {
    const f = carried(t, unionCarrier(t));
    return [[JSON.stringify(f.name), recordSource(f.type, at, constants)]];
  }
  return recordMembers(t).map((m): [string, string] => {
    if (m.kind === 'field') return [JSON.stringify(m.field.name), source(m.field)];
    const c = carried(t, m.carrier);
    return [JSON.stringify(m.name), `{ ${JSON.stringify(c.name)}: ${source(c)} }`];
  });
}

/** Arrays up to this many items are read as an array literal; longer ones by `plain`. */
const UNROLLED_ITEMS = 16;

/** JavaScript for the record value of type `t` at view `v`, offset `o + at` (as `plain` reads it). */
function recordSource(t: CType, at: string, constants: unknown[]): string {
  const off = at === '0' ? 'o' : `o + ${at}`;
  switch (t.kind) {
    case 'pointer':
      return `readAddress(v, ${off})`;
    case 'array': {
      const n = t.length ?? 0;
      if (n > UNROLLED_ITEMS) return `plain(c${constants.push(t) - 1}, v, ${off})`;
      return `[${Array.from({ length: n }, (_, i) => recordSource(t.item, String(Number(at) + i * t.item.size), constants)).join(', ')}]`;
    }
    case 'struct':
    case 'union':
      return `{ ${memberSources(t, at, constants).map(([name, value]) => `${name}: ${value}`).join(', ')} }`;
    case 'primitive':
    case 'enum': {
      const repr = reprOf(t);
      return repr === 'f80' ? `readCode(c${constants.push(t) - 1}, v, ${off})` : loadCode(repr, 'v', off);
    }
    default:
      return `plain(c${constants.push(t) - 1}, v, ${off})`; // throws: a record cannot hold it
  }
}

/**
 * The member a union of `t` (`t` itself, or an anonymous union of it) travels to and from koffi as
 * (see unionCarrier): byValueRefusal() refuses a type with a union that has none before any record is made.
 */
function carried(t: StructType, carrier: CField | null): CField {
  if (carrier === null) throw new Error(`internal: a union of '${t.cname}' has no member to pass it by value as; byValueRefusal() refuses it`);
  return carrier;
}

/** An owned struct cdata holding the record koffi returned. */
export function fromKoffiRecord(t: StructType, record: Record<string, unknown>): CData {
  const s = newStruct(t);
  writeRecord(t, s[MEM].v, s[OFF], record);
  return s;
}

function plain(t: CType, view: DataView, off: number): unknown {
  switch (t.kind) {
    case 'pointer':
      return readAddress(view, off);
    case 'array':
      return Array.from({ length: t.length ?? 0 }, (_, i) => plain(t.item, view, off + i * t.item.size));
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const m of recordMembers(t)) {
        if (m.kind === 'field') out[m.field.name] = plain(m.field.type, view, off + m.field.offset);
        else {
          const c = carried(t, m.carrier);
          out[m.name] = { [c.name]: plain(c.type, view, off + c.offset) };
        }
      }
      return out;
    }
    case 'union': {
      const f = carried(t, unionCarrier(t));
      return { [f.name]: plain(f.type, view, off) };
    }
    case 'primitive':
    case 'enum':
      return readCode(t, view, off); // koffi's record holds a wide character's code
    default:
      throw new TypeError(`a record cannot hold a value of type '${t.cname}'`);
  }
}

function writeRecord(t: CType, view: DataView, off: number, v: unknown): void {
  switch (t.kind) {
    case 'pointer':
      // koffi gives intptr_t members as numbers, or bigints beyond ±2^53
      view.setBigInt64(off, BigInt.asIntN(64, BigInt(v as number | bigint)), true);
      return;
    case 'array':
      (v as unknown[]).forEach((x, i) => writeRecord(t.item, view, off + i * t.item.size, x));
      return;
    case 'struct':
      for (const m of recordMembers(t)) {
        if (m.kind === 'field') writeRecord(m.field.type, view, off + m.field.offset, (v as Record<string, unknown>)[m.field.name]);
        else {
          // An anonymous union's bytes, whole through its carrier (koffi's union value reads all of them through any member).
          const c = carried(t, m.carrier);
          writeRecord(c.type, view, off + c.offset, ((v as Record<string, Record<string, unknown>>)[m.name])[c.name]);
        }
      }
      return;
    case 'union': {
      // koffi's union value reads all of its bytes through any member: through the carrier, they arrive whole.
      const f = carried(t, unionCarrier(t));
      writeRecord(f.type, view, off, (v as Record<string, unknown>)[f.name]);
      return;
    }
    case 'primitive':
    case 'enum':
      writeCode(t, view, off, v as number | bigint | boolean);
      return;
    default:
      writeAt(t, view, off, v, 'a record returned by C');
  }
}
