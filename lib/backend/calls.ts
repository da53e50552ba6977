// koffi's side of crossing into C and back: C types as koffi types (structs by value as records), calls through function pointers, callbacks, raw memory views and string reads.
import type Koffi from 'koffi';
import type { TypeObject } from 'koffi';
import { FFIError, TypeError } from '../errors';
import { CField, CType, FunctionType, StructType, isByteLike } from '../ctype/model';
import type { Repr } from '../ctype/primitives';
import { native, views } from './native';
import { byValueRefusal, partOwner, recordMembers, unionCarrier } from './byvalue';

let koffiModule: typeof Koffi | undefined;

/**
 * koffi, loaded at its first use (a library opened, a type made, a call, a callback), not by
 * require('node-cffi'), of which it was the larger part: a program that only parses declarations
 * never loads it.
 */
export function koffi(): typeof Koffi {
  if (koffiModule !== undefined) return koffiModule;
  const k = require('koffi') as typeof Koffi;
  // koffi queues at most 256 asynchronous calls by default; allow its maximum, 4096, so that a
  // program can have a thousand `.async` calls in flight. koffi accepts this only before it loads
  // its first library: when something else loaded one first, its setting stays.
  try {
    k.config({ ...k.config(), max_async_calls: 4096 });
  } catch {
    // a library was already loaded in this thread
  }
  return (koffiModule = k);
}

/** A koffi-bound C function: call with already-converted values. */
export type RawFunction = (...args: unknown[]) => unknown;

/** koffi's name for the value representation of a primitive. */
function reprSpec(repr: Repr, what: string): Spec {
  switch (repr) {
    case 'i8': return 'int8_t';
    case 'u8': return 'uint8_t';
    case 'i16': return 'int16_t';
    case 'u16': return 'uint16_t';
    case 'i32': return 'int32_t';
    case 'u32': return 'uint32_t';
    case 'i64': return 'int64_t';
    case 'u64': return 'uint64_t';
    case 'f32': return 'float';
    case 'f64': return 'double';
    case 'bool': return 'bool';
    case 'f80':
      throw new TypeError(
        `${what}: 'long double' values cannot be passed to or from C functions through koffi, which has no long double; ` +
          'the functions and extern "Python" callbacks of a verify() library take and return them (their generated C passes them by pointer)',
      );
    case 'c32':
    case 'c64':
      return complexRecord(repr);
  }
}

/**
 * A complex number for koffi: a record of its two parts, `{ real, imag }`, which is how the C
 * calling conventions pass one (x86-64 System V: "as if struct { T real; T imag; }"; aarch64: a
 * homogeneous aggregate of two), and how JavaScript holds it.
 */
function complexRecord(repr: 'c32' | 'c64'): TypeObject {
  let record = complexRecords.get(repr);
  if (record === undefined) {
    const part = repr === 'c32' ? 'float' : 'double';
    complexRecords.set(repr, (record = koffi().struct(recordName('complex'), { real: part, imag: part })));
  }
  return record;
}
const complexRecords = new Map<Repr, TypeObject>();

/** A koffi type: a name koffi knows, or a type object (structs and unions passed by value). */
export type Spec = string | TypeObject;

export const specName = (s: Spec): string => (typeof s === 'string' ? s : s.name);

/**
 * How an argument of C type `t` is handed to koffi. Pointers to char-like items go as
 * 'const char *' so koffi turns JS strings into temporary NUL-terminated copies; every other
 * pointer goes as 'void *' (addresses as numbers, or Buffers and typed arrays). Structs and
 * unions go by value as koffi records, converted from plain objects.
 */
export function argumentSpec(t: CType, what: string): Spec {
  switch (t.kind) {
    case 'primitive':
      return reprSpec(t.repr, what);
    case 'enum':
      return reprSpec(t.base.repr, what);
    case 'pointer':
      return isByteLike(t.item) ? 'const char *' : 'void *';
    case 'array':
    case 'function':
      return 'void *'; // decayed by the parser already; kept for safety
    case 'void':
      throw new TypeError(`${what}: 'void' is not a parameter type`);
    case 'struct':
    case 'union':
      return recordType(t, what);
  }
}

/**
 * How a result of C type `t` comes back from koffi: pointers as intptr_t, a number (a bigint only
 * beyond ±2^53), so that every address C can produce arrives intact: (void *)-1 as -1, a kernel-half
 * address as a negative number, a tagged pointer as a bigint. Nothing about it can fail after the call.
 */
export function resultSpec(t: CType, what: string): Spec {
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'pointer':
      return 'intptr_t';
    case 'primitive':
      // A _Bool result as its whole byte (koffi would read one bit of it): the caller makes it a
      // boolean as a read from memory does, any byte but 0 being true.
      return t.repr === 'bool' ? 'uint8_t' : argumentSpec(t, what);
    default:
      return argumentSpec(t, what);
  }
}

/** How a callback receives an argument of type `t` (pointers as intptr_t addresses, made cdata by the caller). */
function callbackArgumentSpec(t: CType, what: string): Spec {
  return t.kind === 'pointer' || t.kind === 'array' || t.kind === 'function' ? 'intptr_t' : argumentSpec(t, what);
}

// koffi's type names are the process's, shared by every copy of node-cffi loaded into it (and by
// every module instance a test runner makes, each with globals of its own): a random prefix per
// copy, then a count, names no record twice. The prefix need not be secret, only distinct:
// Math.random's 48 bits spare loading node's crypto module (~3 ms) into programs that build nothing.
const RECORD_PREFIX = `ncffi_${Math.floor(Math.random() * 2 ** 48).toString(16).padStart(12, '0')}`;
let recordsNamed = 0;

/** A koffi type name no other record of this process has. */
function recordName(kind: string): string {
  return `${RECORD_PREFIX}_${kind}_${++recordsNamed}`;
}

/** A koffi record (a struct or union) with the layout of `t`, for passing it by value (pointer members as intptr_t addresses). */
function recordType(t: StructType, what: string): TypeObject {
  const memo = records.get(t);
  if (memo) return memo;
  if (!t.fields) throw new TypeError(`${what}: '${t.cname}' is declared but never defined, so it cannot be passed by value`);
  const refusal = byValueRefusal(t);
  if (refusal !== null) {
    throw new TypeError(`${what}: koffi cannot pass '${t.cname}' by value as C does: ${refusal}; use verify(), whose wrappers pass it by pointer`);
  }
  let members: Record<string, Spec | [number, Spec]> = {};
  const placed: [string, number][] = [];
  if (t.kind === 'union') {
    members = unionSpecs(recordMembers(t).flatMap((m) => (m.kind === 'field' ? [m.field] : [])), unionCarrier(t), what);
  } else {
    for (const m of recordMembers(t)) {
      if (m.kind === 'field') {
        members[m.field.name] = memberSpec(m.field.type, what);
        placed.push([m.field.name, m.field.offset]);
      } else {
        // An anonymous union's fields, as a koffi union of its own.
        members[m.name] = koffi().union(recordName('union'), unionSpecs(m.parts!, m.carrier, what));
        placed.push([m.name, m.offset]);
      }
    }
  }
  if (t.kind === 'struct' && t.pack !== 1) alignAsC(t, members, placed);
  const name = recordName(t.kind);
  const record = t.kind === 'union' ? koffi().union(name, members) : t.pack === 1 ? koffi().pack(name, members) : koffi().struct(name, members);
  // koffi lays records out itself: refuse any that it lays out differently (pack(n)).
  const offsets = t.kind === 'union' || placed.every(([member, offset]) => koffi().offsetof(record, member) === offset); // a union's members are all at 0
  if (!offsets || koffi().sizeof(record) !== t.size || koffi().alignof(record) !== t.align) {
    const owner = partOwner(t);
    const shown = owner === undefined ? `'${t.cname}'` : `'${owner.cname}' (an anonymous struct or bit-field in a union of it)`;
    throw new TypeError(`${what}: koffi cannot reproduce the layout of ${shown} to pass it by value; use verify(), whose wrappers pass it by pointer`);
  }
  records.set(t, record);
  return record;
}
const records = new WeakMap<StructType, TypeObject>();

/**
 * The members of the koffi union of `fields` (a union's members, or an anonymous union's parts)
 * that travels as `carrier`: the carrier, and each other member whose koffi type neither the
 * carrier nor a member before it has. koffi lays a union out and classes it for the calling
 * convention by the types of its members, where one type twice counts as once, but it walks every
 * member: a union of two members of one union type, nested, would double its work at each level.
 */
function unionSpecs(fields: readonly CField[], carrier: CField | null, what: string): Record<string, Spec> {
  const specs = fields.map((f) => memberSpec(f.type, what));
  const carried = carrier === null ? -1 : fields.indexOf(carrier);
  const seen = new Set<Spec>(carried < 0 ? [] : [specs[carried]]);
  const out: Record<string, Spec> = {};
  fields.forEach((f, i) => {
    if (i !== carried) {
      if (seen.has(specs[i])) return;
      seen.add(specs[i]);
    }
    out[f.name] = specs[i];
  });
  return out;
}

/**
 * Raises the alignment of the members of struct `t`'s record that koffi would otherwise place
 * before their offset in C, which adds no byte (so the calling convention classes the record as
 * before): the first member of an anonymous struct flattened into `t` sits where that struct's
 * alignment puts it (`struct { int a; struct { char b; long long c; }; }` has `b` at 8), and a
 * bit-field's declared type aligns the struct ('long long x : 3') where the bytes carrying it
 * (see bitCarriers) may not. Each such member takes the alignment of its offset, at most the
 * struct's; the caller checks the layout koffi then makes.
 */
function alignAsC(t: StructType, members: Record<string, Spec | [number, Spec]>, placed: readonly [string, number][]): void {
  const specs = placed.map(([name]) => members[name] as Spec);
  const naturals = specs.map((spec) => koffi().alignof(spec));
  const largest = naturals.reduce((a, b) => Math.max(a, b), -Infinity);
  let end = 0;
  placed.forEach(([name, offset], i) => {
    const natural = naturals[i];
    if (i === 0 && largest < t.align) members[name] = [t.align, specs[i]]; // the struct's alignment, at offset 0: moves nothing
    else if (Math.ceil(end / natural) * natural !== offset) {
      const align = Math.min(offset & -offset, t.align); // the largest power of two dividing the offset, at most the struct's
      if (align > natural) members[name] = [align, specs[i]];
    }
    end = offset + koffi().sizeof(specs[i]);
  });
}

function memberSpec(t: CType, what: string): Spec {
  switch (t.kind) {
    case 'pointer':
      return 'intptr_t';
    case 'array':
      if (t.length === null) throw new TypeError(`${what}: a struct with a flexible array member cannot be passed by value`);
      return koffi().array(memberSpec(t.item, what), t.length, 'Array');
    default:
      return argumentSpec(t, what);
  }
}

/** koffi's prototype (function type) for calls through a pointer (decoded) or for callbacks (registered). */
function prototype(t: FunctionType, forCallback: boolean): TypeObject {
  const memo = forCallback ? callbackProtos : calleeProtos;
  let proto = memo.get(t);
  if (!proto) {
    const what = `function type '${t.cname}'`;
    const arg = forCallback ? callbackArgumentSpec : argumentSpec;
    const r = t.result;
    const result = forCallback && r.kind === 'pointer' ? 'intptr_t' : forCallback && r.kind === 'primitive' && r.repr === 'bool' ? 'bool' : resultSpec(r, what);
    if (forCallback && t.ellipsis) throw new TypeError(`${what}: a JavaScript callback cannot take variadic arguments`);
    const args = t.args.map((a) => arg(a, what));
    proto = koffi().proto(result, t.ellipsis ? [...args, '...'] : args);
    memo.set(t, proto);
  }
  return proto;
}
const calleeProtos = new WeakMap<FunctionType, TypeObject>();
const callbackProtos = new WeakMap<FunctionType, TypeObject>();

/** A koffi function calling the C function at `address`, of type `t` (as `bind` would for a symbol). */
export function functionAt(address: number, t: FunctionType): RawFunction {
  return koffi().decode(BigInt(address), prototype(t, false)) as RawFunction;
}

/**
 * Makes a C function pointer of type `t` that runs `fn` (koffi's registered callbacks: at most 8192
 * at once, valid until released). `fn` receives pointers as integer addresses.
 */
export function registerCallback(fn: (...args: unknown[]) => unknown, t: FunctionType): number {
  let type = callbackPointers.get(t);
  if (type === undefined) callbackPointers.set(t, (type = koffi().pointer(prototype(t, true))));
  try {
    return toAddress(koffi().register(fn, type));
  } catch (e) {
    if (!/too many callbacks/i.test((e as Error).message) || !reclaimCallbacks()) {
      throw new FFIError(
        `ffi.callback(): koffi could not create the callback (${(e as Error).message}); ` +
          'release the callbacks C no longer needs with ffi.release(), or let the event loop turn so that dropped ones can be collected',
      );
    }
    return toAddress(koffi().register(fn, type));
  }
}

const callbackPointers = new WeakMap<FunctionType, TypeObject>();

/**
 * What frees callback slots whose cdata are no longer reachable (set by the cdata layer). Returns
 * true when it freed some. Called when koffi's 8192 slots are all taken.
 */
let reclaimCallbacks: () => boolean = () => false;
export function onCallbacksExhausted(reclaim: () => boolean): void {
  reclaimCallbacks = reclaim;
}

export function unregisterCallback(address: number): void {
  koffi().unregister(BigInt(address));
}

/** The koffi type of a variadic argument of C type `t` (after C's default promotions). */
export function variadicSpec(t: CType, what: string): Spec {
  return argumentSpec(t, what);
}

/** A koffi pointer (bigint) or integer as a JS number address. */
export function toAddress(p: bigint | number): number {
  return typeof p === 'number' ? p : Number(p);
}

/**
 * An ArrayBuffer over raw memory at `address`, `length` bytes (at most 4 GiB); nothing is copied.
 * Made by the views helper where it is built, which V8 does not count as memory of its own;
 * koffi's would start a full collection for each large view (see native.ts, views()).
 */
export function rawView(address: number, length: number): ArrayBuffer {
  const helper = address >= 1 ? viewsHelper() : null;
  return helper !== null ? helper.view(address, length) : koffi().view(address, length);
}

let viewsTried = false;

/** views(), whose first call (loading the helper) keeps errno. */
function viewsHelper(): ReturnType<typeof views> {
  if (viewsTried) return views();
  viewsTried = true;
  return keepingErrno(views);
}

/**
 * Runs `f`, node-cffi's own work between the program's C calls (ffi.dlopen() and ffi.verify() in
 * the facade, binding a function at its first use in koffi.ts, loading the views helper here),
 * leaving the thread's errno as it found it: `ffi.errno = 0; lib.f(); ffi.errno` must see what f()
 * did, not what a dlsym() or an open() on the way did.
 */
export function keepingErrno<T>(f: () => T): T {
  const saved = koffi().errno();
  try {
    return f();
  } finally {
    koffi().errno(saved);
  }
}

/** The address of the first byte of an ArrayBuffer's memory (stable: ArrayBuffer memory never moves). */
export const bufferAddress: (buffer: ArrayBuffer) => number = native
  ? native.address
  : (buffer) => Number(koffi().address(buffer));

/** Reads the NUL-terminated UTF-8 string at `address`. */
export const readCString: (address: number) => string = native
  ? (address) => native!.cstring(address, -1)
  : (address) => koffi().decode.string(BigInt(address));

/**
 * Reads the UTF-8 string at `address` up to its NUL or `maxlen` bytes, never reading past either;
 * null without the native helper (koffi has no bounded read that stops at NUL: callers scan first).
 */
export const readCStringBounded: ((address: number, maxlen: number) => string) | null = native ? native.cstring : null;
/** How many callback slots (of koffi's 8192) are registered right now. */
export function callbackSlotsInUse(): number {
  return koffi().stats().callbacks;
}
