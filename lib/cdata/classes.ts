// One generated accessor class per pointer, array, struct and union type; values read as cdata (readAt, wrapPointer); pointer arithmetic and slicing.
import { DESCRIBE, FFIError, RangeError, show, TypeError } from '../errors';
import { ArrayType, CType, PointerType, StructType, isByteLike } from '../ctype/model';
import { requireSize } from '../ctype/sizes';
import { arrayOf, pointerTo } from '../ctype/intern';
import { readCString, readCStringBounded } from '../backend/calls';
import { ADDR, CData, CLASS, CLONE_GUARD, DESTRUCTOR, CSTRING, REPR, GET, isCData, LEN, MEM, NOT_CLONEABLE, OFF, OWN, SET, TYPE, useFreshPrototypes } from './base';
import { ScalarType, codeHelpers, fromC_wchar, toCScalar } from './convert';
import {
  Address, Hold, Memory, NO_MEMORY, addressDistance, addressHex, guardedMemory, heldWindow, keeperOf, offsetAddress, placeFrom, placeMemory, placeable, splitSlab, windowOf, windowOffset,
  windowed,
} from './memory';
import { checkMemory, fault } from './faults';
import { toCPointer } from './pointers';
import { hasVarArray, readBits, writeBits } from './layout';
import { extentOf, readAddress, readScalar, writeAt, writeOpenArray } from './access';
import { Constants, accessorCount, fieldAccessors, fieldMembers, guarded, hasMaker, itemRead, itemWrite, structOf } from './accessors';

/** Constructors take (m, a, o, n, own): the Memory, the address, the offset in m.v, the length of an array, the bytes owned. */
export type CDataClass = new (m: Memory, a: Address, o: number, n: number, own: number) => CData;
export type Aggregate = PointerType | ArrayType | StructType;

// ---------------------------------------------------------------------------------------------
// Generic reads: used by slow paths, unpack, and non-scalar elements (writes are in access.ts).

/** The JavaScript value of the C object of type `t` at offset `off` of memory `m` (address `addr`); a struct or union read owns `own` bytes (item 0 of an owning pointer). */
export function readAt(t: CType, m: Memory, off: number, addr: Address, varBytes = 0, own = 0): unknown {
  switch (t.kind) {
    case 'primitive':
    case 'enum':
      return readValue(t, m.v, off);
    case 'pointer':
      return wrapPointer(t, readAddress(m.v, off), null, m.holds);
    case 'array':
      if (t.length === null) return new (classOf(pointerToItem(t)))(m, addr, off, 0, 0);
      return new (classOf(t))(m, addr, off, t.length, 0);
    case 'struct':
    case 'union':
      return new (classOf(t))(m, addr, off, hasVarArray(t) ? varBytes : 0, own);
    case 'void':
    case 'function':
      throw new TypeError(`cannot read a value of type '${t.cname}'`);
  }
}

/** A scalar's value, or a pointer's (a cdata onto C memory, or null), read from a plain view. */
export function readValue(t: ScalarType | PointerType, view: DataView, off: number): unknown {
  return t.kind === 'pointer' ? wrapPointer(t, readAddress(view, off)) : readScalar(t, view, off);
}

// ---------------------------------------------------------------------------------------------
// Pointers as cdata.

export function pointerToItem(t: ArrayType): PointerType {
  return pointerTo(t.item);
}

/**
 * A pointer cdata of type `t` to a C address (null for 0), read through the window onto it (or
 * NOWHERE when no view reaches it). A function pointer answers to `guard` (the library or callback
 * it comes from) when given. With `holds` (read from a library's memory, or given by its
 * function), the pointer keeps that library loaded (see Hold).
 */
export function wrapPointer(t: PointerType, address: Address, guard: Memory | null = null, holds: Hold | null = null): CData | null {
  if (address === 0) return null;
  const item = t.item;
  if (item.kind === 'function') return functionPointers(t, address, guard ?? holds?.guard ?? null);
  if (placeable(address) && windowed(item.size)) {
    const m = windowOf(address);
    return new (classOf(t))(holds === null ? m : heldWindow(m, holds, address), address, windowOffset(address), 0, 0);
  }
  const place = placeMemory(address, extentOf(item));
  return new (classOf(t))(holds === null ? place.memory : heldWindow(place.memory, holds, address), address, place.offset, 0, 0);
}

/** The static method of a pointer class that makes its cdata from an address: `wrapPointer(t, address)` with no guard and no library held. */
const MAKE = Symbol('node-cffi.make');
type MakerClass = CDataClass & { [MAKE]: (address: Address) => CData | null };

/**
 * `wrapPointer(t, address)` (no guard, no library held) as a function of the address alone, for
 * the pointers made most often (a callback's arguments): the class's own MAKE, compiled with it,
 * which makes an address a window reaches (nearly all) into a cdata without wrapPointer's general
 * steps. A pointer to a struct changes class once the struct gets its body: its class is looked up
 * at each call.
 */
export function pointerMaker(t: PointerType): (address: Address) => CData | null {
  if (!hasMaker(t)) return (a) => wrapPointer(t, a);
  if (structOf(t) !== null) return (a) => (classOf(t) as MakerClass)[MAKE](a);
  return (classOf(t) as MakerClass)[MAKE];
}

type FunctionPointerMaker = (t: PointerType, address: Address, guard: Memory | null) => CData;
let functionPointers: FunctionPointerMaker = () => {
  throw new Error('internal: function pointers are made by cdata/call.ts, which was not loaded');
};

/**
 * Function pointers are callable cdata, made by the call layer (which imports this module): it
 * registers its maker here once, at load.
 */
export function useFunctionPointers(make: FunctionPointerMaker): void {
  functionPointers = make;
}

/**
 * The Memory that views derived from `c` share: its own, made now (once) where c still reads
 * through another's: for an ffi.new allocation sharing its slab's, a Memory of the allocation
 * alone, so that releasing the allocation reaches every view derived from it; for an ffi.gc() copy
 * reading through the memory of what it copies, a Memory that keeps the copy (and so its
 * destructor waiting) while any such view lives, closed when the copy is released.
 */
export function ownMemory(c: CData): Memory {
  const m = c[MEM];
  if (m.kind === 'slab') return (c[MEM] = splitSlab(m, c[OFF], c[OWN]));
  if (c[DESTRUCTOR] !== null && keeperOf(m) !== c) return (c[MEM] = guardedMemory(m, c));
  return m;
}

/**
 * A cdata of class `cls` at `bytes` past `c`'s address, `extent` bytes long (`n`: an array's
 * length): in `c`'s memory, or for C memory past `c`'s window, through the window onto its address.
 */
function derivedAt(c: CData, cls: CDataClass, bytes: number, extent: number, n: number): CData {
  const a = offsetAddress(c[ADDR], bytes);
  const m = ownMemory(c);
  const o = c[OFF] + bytes;
  if (m.kind !== 'c' || (o >= m.lo && o + extent <= m.hi)) return new cls(m, a, o, n, 0);
  const place = placeFrom(m, a, extent);
  return new cls(place.memory, a, place.offset, n, 0);
}

/** The same pointer moved by `bytes`: in the same memory, or for C memory, through the window onto its new address. */
export function movePointer(p: CData, bytes: number): CData | null {
  if (offsetAddress(p[ADDR], bytes) === 0) return null;
  return derivedAt(p, p[CLASS] as CDataClass, bytes, extentOf((p[TYPE] as PointerType).item), 0);
}

/** C's `p + n` on a pointer or an array (`op` names the method for messages): a pointer to the item n further. */
function addItems(c: CData, n: unknown, op: string): CData | null {
  const bytes = stepOf(c, n, op);
  const t = c[TYPE] as PointerType | ArrayType;
  if (t.kind === 'pointer') return movePointer(c, bytes);
  if (offsetAddress(c[ADDR], bytes) === 0) return null;
  return derivedAt(c, classOf(pointerTo(t.item)), bytes, extentOf(t.item), 0);
}

/** C's `p - q` for pointers or arrays of the same item type: the distance in items. */
function itemsBetween(c: CData, x: CData, op: string): number {
  const size = itemSize(c, op);
  if (x[TYPE].kind !== 'pointer' && x[TYPE].kind !== 'array') throw new TypeError(`${c[TYPE].cname}.${op}(): expected a pointer, got ${show(x)}`);
  const item = (x[TYPE] as PointerType | ArrayType).item;
  if (item !== (c[TYPE] as PointerType | ArrayType).item) {
    throw new TypeError(`${c[TYPE].cname}.${op}(): pointers to different types ('${c[TYPE].cname}' and '${x[TYPE].cname}')`);
  }
  const d = addressDistance(c[ADDR], x[ADDR]);
  const rest = typeof d === 'number' ? d % size : d % BigInt(size);
  if (rest !== 0 && rest !== 0n) {
    throw new RangeError(
      `${c[TYPE].cname}.${op}(): the two pointers are ${d} bytes apart, not a whole number of '${(c[TYPE] as PointerType | ArrayType).item.cname}' items (${size} bytes each)`,
    );
  }
  return typeof d === 'number' ? d / size : Number(d / BigInt(size));
}

/**
 * CFFI's `p[start:stop]`: the items [start, stop) of a pointer or an array as an array cdata of
 * type 'T[]' and length stop - start, over the same memory. Both bounds must be given; an array's
 * must lie inside it, and so must any slice of memory node-cffi knows the size of.
 */
function sliceOf(c: CData, start: unknown, stop: unknown): CData {
  const what = `${c[DESCRIBE]()}.slice(${show(start)}, ${show(stop)})`;
  if (start === undefined || stop === undefined) throw new RangeError(`${what}: give both the start and the stop of the slice`);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(stop)) throw new TypeError(`${what}: the start and the stop must be integers`);
  const [from, to] = [start as number, stop as number];
  if (from > to) throw new RangeError(`${what}: the start is past the stop`);
  const t = c[TYPE] as PointerType | ArrayType;
  if (t.kind === 'array') {
    if (from < 0) throw new RangeError(`${what}: negative index`);
    if (to > c[LEN]) throw new RangeError(`${what}: index too large (expected ${to} <= ${c[LEN]})`);
  }
  const size = itemSize(c, 'slice');
  const n = to - from;
  const view = derivedAt(c, classOf(arrayOf(t.item, null)), from * size, n * size, n);
  const m = view[MEM];
  if (m.kind !== 'c') {
    checkMemory(view, what, n * size);
    if (m.bounded && (view[OFF] < m.lo || view[OFF] + n * size > m.hi)) {
      throw new RangeError(`${what}: the slice lies outside the ${m.hi - m.lo} bytes of the memory it is in`);
    }
  }
  return view;
}

// ---------------------------------------------------------------------------------------------
// Generated classes.

// A cdata made while its struct was opaque moves to its type's current class at its first field
// lookup (base.ts, the tail): cdata made before and after the struct's body read alike.
useFreshPrototypes((c) => {
  const t = c[TYPE];
  if (!(t.kind === 'pointer' || t.kind === 'struct' || t.kind === 'union') || structOf(t) === null) return null;
  const cls = classOf(t);
  return c[CLASS] === cls ? null : cls.prototype;
});

/** The cdata class of `t`, generated on first use (and again once an incomplete struct gets its body). */
export function classOf(t: Aggregate): CDataClass {
  const memo = t._cdata as { cls: CDataClass; complete: boolean } | undefined;
  const complete = structOf(t)?.complete ?? true;
  if (memo && memo.complete === complete) return memo.cls;
  const cls = generate(t);
  t._cdata = { cls, complete };
  return cls;
}

/** Shared behaviour of pointer and array cdata: C's arithmetic on items, and CFFI's slices. */
export class ItemsData extends CData {
  /** C's `p + n` (on an array, `a + n`): a pointer n items on ('T *'). */
  add(n: number): CData | null {
    return addItems(this, n, 'add');
  }
  /** C's `p - n` (a number: a pointer n items before) or `p - q` (another pointer: the element difference). */
  sub(x: number | CData): CData | null | number {
    return isCData(x) ? itemsBetween(this, x, 'sub') : addItems(this, typeof x === 'number' ? -x : x, 'sub');
  }
  /** CFFI's `p[start:stop]`: items start to stop - 1 as an array cdata ('T[]') over the same memory. */
  slice(start: number, stop: number): CData {
    return sliceOf(this, start, stop);
  }
}

/**
 * How many indices `p[i]` reaches through accessors on ItemsData's prototype rather than through
 * the Proxy that ends every cdata's prototype chain (base.ts). V8 answers an integer key on an
 * object without elements in its own runtime either way, but it calls an accessor with fewer
 * steps than a Proxy trap (no trap lookup, no key turned into a string and back, no check of the
 * trap's result against its target): measured ~80 against ~130 ns per access. Larger indices, and
 * negative ones, still reach the Proxy, which does the same ([GET], [SET]).
 */
const ACCESSOR_INDICES = 1024;
let indexAccessors = false;

/**
 * How many indices, from 0, a pointer or array class answers with accessors of its own, in front of
 * ItemsData's, once one of its objects has been indexed that way. ItemsData's are shared by every
 * class, so their `this[GET]` sees every class's objects and reaches [GET] through a lookup and a
 * call V8 cannot inline once a program has used more than a few types; a class's own accessors
 * (compiled with it) see its objects only, and V8 makes [GET] part of them (measured on the char **
 * row callback after other types were indexed: ~35-65 ns less per callback with two `values[1]`
 * reads). They are defined at the first `p[i]` below this bound on an object of the class (2
 * functions and a dictionary entry per index), so that classes never indexed so cost nothing more.
 */
const OWN_ACCESSOR_INDICES = 16;

/** The prototypes of the pointer and array classes whose own index accessors are not defined yet. */
const withoutOwnIndices = new WeakSet<object>();

/**
 * Defines the own index accessors of the class of `c` (one of its objects) on its prototype,
 * compiled for it alone so that they see its objects only; false when they are defined already.
 * (The prototype, not `constructor`, which a struct pointer's field of that name would answer.)
 */
function defineOwnIndexAccessors(c: CData): boolean {
  const proto = Object.getPrototypeOf(c) as object;
  if (!withoutOwnIndices.delete(proto)) return false;
  const define = new Function(
    'proto', 'GET', 'SET',
    `for (let i = 0; i < ${OWN_ACCESSOR_INDICES}; i++) Object.defineProperty(proto, i, { get() { return this[GET](i); }, set(v) { this[SET](i, v); } });`,
  ) as (proto: object, get: symbol, set: symbol) => void;
  define(proto, GET, SET);
  return true;
}

/** Defines the index accessors, once, when the first pointer or array class is made. */
function defineIndexAccessors(): void {
  if (indexAccessors) return;
  indexAccessors = true;
  const proto = ItemsData.prototype;
  for (let i = 0; i < ACCESSOR_INDICES; i++) {
    // Below OWN_ACCESSOR_INDICES, the first use on a class defines the class's own accessors, which answer from then on.
    const own = i < OWN_ACCESSOR_INDICES;
    Object.defineProperty(proto, i, {
      get(this: CData): unknown {
        if (own && defineOwnIndexAccessors(this)) return this[i];
        return this[GET](i);
      },
      set(this: CData, v: unknown): void {
        if (own && defineOwnIndexAccessors(this)) this[i] = v;
        else this[SET](i, v);
      },
    });
  }
}

/**
 * What a cdata's `constructor` is (`Object.getPrototypeOf(p).constructor`): a function that refuses
 * to make one, as CFFI refuses `type(p)(...)`. node-cffi finds a cdata's class through [CLASS]; a
 * check in the classes' own constructors would cost every cdata made (measured: ~4%).
 */
function NotConstructible(): never {
  throw new TypeError("cdata are made by ffi.new(), ffi.cast() and node-cffi's other functions, not with 'new'");
}

/** Makes `proto.constructor` refuse, unless a struct field of that name has the name (field accessors). */
function refuseConstruction(proto: object): void {
  const own = Object.getOwnPropertyDescriptor(proto, 'constructor');
  if (own === undefined || 'value' in own) Object.defineProperty(proto, 'constructor', { value: NotConstructible, writable: true, configurable: true });
}

/** Shared behaviour of pointer cdata. */
export class PointerData extends ItemsData {
  /** True when both point to the same address. */
  equals(q: unknown): boolean {
    return isCData(q) && q[ADDR] === this[ADDR];
  }
}

function itemSize(p: CData, op: string): number {
  const item = (p[TYPE] as PointerType | ArrayType).item;
  return requireSize(item, `${p[TYPE].cname}.${op}()`, true);
}

function stepOf(p: CData, n: unknown, op: string): number {
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
    throw new RangeError(`${p[TYPE].cname}.${op}(): ${show(n)} items is past 2^53, where JavaScript numbers are no longer exact; no memory is that large`);
  }
  if (!Number.isSafeInteger(n)) throw new TypeError(`${p[TYPE].cname}.${op}(): expected an integer, got ${show(n)}`);
  return (n as number) * itemSize(p, op);
}

/**
 * Shared behaviour of function pointer cdata, which are JavaScript functions (calling them calls
 * the C function): Function.prototype's methods, which their prototype chain would otherwise miss.
 */
export class FunctionPointerData extends CData {
  /** As CFFI shows a callback: the JavaScript function it calls (`<cdata 'int(*)(int)' calling <function cb>>`). */
  override [REPR](): string {
    const fn = (this as { [CALLING]?: { name: string } })[CALLING];
    if (fn === undefined) return super[REPR]();
    return `<cdata '${this[TYPE].cname}' calling <function${fn.name ? ` ${fn.name}` : ''}>>`;
  }
}

/** The JavaScript function behind a callback cdata (ffi.callback), for its repr. */
export const CALLING = Symbol('node-cffi.calling');
for (const name of ['call', 'apply', 'bind'] as const) {
  Object.defineProperty(FunctionPointerData.prototype, name, { value: Function.prototype[name], writable: true, configurable: true });
}

/** Shared behaviour of array cdata. */
export class ArrayData extends ItemsData {
  get length(): number {
    return this[LEN];
  }
  override *[Symbol.iterator](): IterableIterator<unknown> {
    for (let i = 0; i < this[LEN]; i++) yield this[GET](i);
  }
}

/** Shared behaviour of struct and union cdata. */
export class StructData extends CData {}

for (const base of [CData, ItemsData, PointerData, FunctionPointerData, ArrayData, StructData]) refuseConstruction(base.prototype);

/** The error for an index that is not an integer (TypeError) or out of bounds (RangeError). */
export function badIndex(c: CData, i: unknown): Error {
  if (typeof i !== 'number' || !Number.isInteger(i)) return new TypeError(`${c[DESCRIBE]()}: index must be an integer, got ${show(i)}`);
  return new RangeError(`${c[DESCRIBE]()}: index ${i} is out of bounds (length ${c[LEN]})`);
}

/**
 * Slow path of pointer indexing: any integer index. In bounded memory (ffi.new, ffi.fromBuffer) an
 * item past the memory is refused; C memory is placed anew at the item's address.
 */
function pointerSlot(p: CData, i: unknown): { m: Memory; off: number; addr: Address } {
  if (!Number.isSafeInteger(i)) throw badIndex(p, i);
  const item = (p[TYPE] as PointerType).item;
  requireSize(item, `${p[TYPE].cname}[${i}]`);
  if (i !== 0 && p[OWN] > 0 && hasVarArray(item)) {
    // Its bytes are one struct and its items, not several structs (CFFI: an owning pointer is indexed by 0 only).
    throw new RangeError(`${p[DESCRIBE]()}[${i}]: a pointer that ffi.new() sized for its struct's open array member can only be indexed by 0`);
  }
  const step = (i as number) * item.size;
  const addr = offsetAddress(p[ADDR], step);
  const m = ownMemory(p);
  const where = `[${i}]`;
  const off = p[OFF] + step;
  if (m.kind !== 'c') {
    checkMemory(p, where);
    if (m.bounded && (off < m.lo || off + item.size > m.hi)) {
      throw new RangeError(`${p[DESCRIBE]()}[${i}]: item ${i} lies outside the ${m.hi - m.lo} bytes of the memory this pointer points into`);
    }
    return { m, off, addr };
  }
  if (off >= m.lo && off + item.size <= m.hi) return { m, off, addr };
  if (m.why !== '') checkMemory(p, where); // closed: a pointer into a library's data, closed with it
  const place = placeFrom(m, addr, item.size);
  if (place.memory.v === NO_MEMORY || place.offset + item.size > place.memory.hi) {
    throw new RangeError(
      `${p[DESCRIBE]()}[${i}]: address ${addressHex(addr)} is not valid memory (the first page, a sentinel such as (void *)-1, ` +
        'a kernel-space or a tagged address); such a pointer can be compared, cast and passed to C, not read or written',
    );
  }
  return { m: place.memory, off: place.offset, addr };
}

function slowGet(p: CData, i: unknown): unknown {
  const s = pointerSlot(p, i);
  try {
    const item = (p[TYPE] as PointerType).item;
    // As the fast path: item 0 of the pointer ffi.new() made to a struct or union owns what the pointer owns.
    return readAt(item, s.m, s.off, s.addr, Math.max(0, p[OWN] - (i as number) * item.size), i === 0 ? p[OWN] : 0);
  } catch (e) {
    throw fault(p, e, `[${i}]`);
  }
}

function slowSet(p: CData, i: unknown, v: unknown): void {
  const s = pointerSlot(p, i);
  try {
    writeAt((p[TYPE] as PointerType).item, s.m.v, s.off, v, `${p[TYPE].cname}[${i}]`);
  } catch (e) {
    throw fault(p, e, `[${i}]`);
  }
}

/**
 * A field of a cdata whose class was made while its struct's layout was pending: read (or written,
 * when `value` is given) through the class of the type as it is now, or an FFIError saying why not.
 */
function settledField(c: CData, name: string, why: string, ...value: unknown[]): unknown {
  const t = c[TYPE] as Aggregate;
  const s = structOf(t);
  if (!s || !s.complete) throw new FFIError(why);
  const proto = classOf(t).prototype;
  if (value.length === 0) return Reflect.get(proto, name, c);
  Reflect.set(proto, name, value[0], c);
  return undefined;
}

/**
 * An open array member (`int a[]`) of the struct `c` is or points to, `delta` bytes into it: an
 * array of the items the bytes ffi.new gave the struct hold ('int[]', CFFI's "implicit max
 * length"), or where that size is not known (memory from C, a cast), a pointer to the first item.
 */
function openMember(c: CData, pointerClass: CDataClass, arrayClass: CDataClass, delta: number, off: number, itemSize: number): CData {
  const bytes = c[OWN] || c[LEN];
  const address = offsetAddress(c[ADDR], delta);
  if (bytes > 0 && itemSize > 0) return new arrayClass(ownMemory(c), address, off, Math.max(0, Math.floor((bytes - delta) / itemSize)), 0);
  return new pointerClass(ownMemory(c), address, off, 0, 0);
}

/** Names the generated code can use; everything it needs arrives through these. */
const runtime = {
  MEM, ADDR, OFF, LEN, OWN, TYPE, GET, SET, CSTRING, NOT_CLONEABLE, NO_MEMORY,
  readCString,
  readCStringBounded,
  ...codeHelpers,
  fromC_wchar,
  settledField,
  openMember,
  fault,
  ownMemory,
  offsetAddress,
  readAt,
  writeAt,
  writeOpenArray,
  readBits,
  writeBits,
  wrapPointer,
  placeable,
  windowOf,
  windowOffset,
  MAKE,
  readAddress,
  toCPointer,
  toCScalar,
  classOf,
  badIndex,
  slowGet,
  slowSet,
  pointerToItem,
};

function generate(t: Aggregate): CDataClass {
  if (t.kind !== 'struct' && t.kind !== 'union') defineIndexAccessors();
  const k = new Constants();
  let base: string;
  let body: string;
  switch (t.kind) {
    case 'pointer': {
      base = t.item.kind === 'function' ? 'FunctionPointerData' : 'PointerData';
      const item = t.item;
      const size = item.size;
      const members: string[] = [];
      if (size > 0) {
        const where = `element of '${t.cname}'`;
        // In the memory's bounds: read here; otherwise (another window, a slab piece not split yet, an error) the slow path.
        // The owning pointer of a struct ffi.new sized for its open array member reaches its item 0 only (the slow path says so).
        const owned = hasVarArray(item) ? `(i === 0 || this[OWN] === 0) && ` : '';
        const inside = `const m = this[MEM], o = this[OFF] + i * ${size}; if (${owned}o >= m.lo && o + ${size} <= m.hi)`;
        // As CFFI: item 0 of the pointer ffi.new() made to a struct or union is that struct, owning what the pointer owns.
        const own = item.kind === 'struct' || item.kind === 'union' ? '(i === 0 ? this[OWN] : 0)' : '0';
        members.push(
          `[GET](i) { if ((i | 0) === i) { ${inside} { ${guarded(`return ${itemRead(item, 'm.v', 'o', `i * ${size}`, k, own)};`, '`[${i}]`')} } } return slowGet(this, i); }`,
          `[SET](i, v) { if ((i | 0) === i) { ${inside} { ${guarded(`${itemWrite(item, 'm.v', 'o', where, k)} return;`, '`[${i}]`')} } } slowSet(this, i, v); }`,
        );
      } else if (item.kind !== 'function') {
        // No size to step by: the slow path refuses the index with the error of every sizeless type.
        members.push('[GET](i) { return slowGet(this, i); }', '[SET](i, v) { slowSet(this, i, v); }');
      }
      if (isByteLike(item)) {
        // ffi.string()'s common case, C memory whose size is unknown (unbounded): up to the NUL (api.ts's stringOf does the rest).
        members.push(`[CSTRING]() { const m = this[MEM]; if (!m.bounded && m.why === '' && m.buffer === null && m.v !== NO_MEMORY) return readCString(this[ADDR]); return undefined; }`);
      }
      const s = structOf(t);
      if (s && accessorCount(s) <= FIELDS_IN_CLASS) members.push(fieldAccessors(s, k));
      body = members.join('\n');
      break;
    }
    case 'array': {
      base = 'ArrayData';
      const item = t.item;
      const size = item.size;
      const len = t.length === null ? 'this[LEN]' : String(t.length);
      const where = `element of '${t.cname}'`;
      // An index past 2^32 - 1 (a char array over 4 GiB) fails the quick integer check only.
      const index = `if ((i >>> 0 !== i && !(i > 0 && i % 1 === 0)) || i >= ${len}) throw badIndex(this, i); const o = this[OFF] + i * ${size};`;
      body = [
        `[GET](i) { ${index} ${guarded(`return ${itemRead(item, 'this[MEM].v', 'o', `i * ${size}`, k, '0', false)};`, '`[${i}]`')} }`,
        `[SET](i, v) { ${index} ${guarded(itemWrite(item, 'this[MEM].v', 'o', where, k), '`[${i}]`')} }`,
      ].join('\n');
      if (isByteLike(item)) {
        // ffi.string()'s common case: the array's bytes, up to the first NUL, read by the native helper where it is built.
        body += `\n[CSTRING]() { const m = this[MEM], n = this[LEN]; if (n > 0 && readCStringBounded !== null && m.why === '' && m.buffer === null && m.v !== NO_MEMORY) return readCStringBounded(this[ADDR], n); return undefined; }`;
      }
      break;
    }
    case 'struct':
    case 'union':
      base = 'StructData';
      body = accessorCount(t) <= FIELDS_IN_CLASS ? fieldAccessors(t, k) : '';
      break;
  }
  // Each class defines (not assigns: the prototype chain ends in a Proxy) its own fields.
  const fields =
    `${JSON.stringify(CLONE_GUARD)} = NOT_CLONEABLE; [MEM]; [ADDR]; [OFF]; [LEN]; [OWN];\n` +
    'constructor(m, a, o, n, own) { super(); this[MEM] = m; this[ADDR] = a; this[OFF] = o; this[LEN] = n; this[OWN] = own; }';
  const source =
    `${k.preamble()}` +
    `const C = class extends ${base} {\n${fields}\n${body}\n};\n` +
    `Object.defineProperty(C.prototype, TYPE, { value: T });\n` +
    (t.kind === 'pointer' && hasMaker(t)
      ? 'Object.defineProperty(C, MAKE, { value: (a) => (placeable(a) ? new C(windowOf(a), a, windowOffset(a), 0, 0) : wrapPointer(T, a)) });\n'
      : '') +

    // Public get/set mirror [GET]/[SET] unless a field of the same name claims the name.
    `for (const [pub, own] of [['get', GET], ['set', SET]]) {\n` +
    `  if (Object.prototype.hasOwnProperty.call(C.prototype, own) && !Object.prototype.hasOwnProperty.call(C.prototype, pub)) {\n` +
    `    Object.defineProperty(C.prototype, pub, { value: C.prototype[own], writable: true, configurable: true });\n` +
    `  }\n` +
    `}\n` +
    `return C;`;
  // Compiled for each type: classes sharing code would share inline caches, which then see many shapes.
  const factory = new Function(base, 'T', ...RUNTIME_NAMES, 'K', source) as ClassFactory;
  const baseClass = { PointerData, FunctionPointerData, ArrayData, StructData }[base];
  const cls = factory(baseClass, t, ...RUNTIME_VALUES, k.values);
  Object.defineProperty(cls.prototype, CLASS, { value: cls });
  const s = structOf(t);
  if (s && accessorCount(s) > FIELDS_IN_CLASS) defineFieldsInParts(cls.prototype, s);
  refuseConstruction(cls.prototype);
  if (base === 'PointerData' || base === 'ArrayData') withoutOwnIndices.add(cls.prototype);
  return cls;
}

/**
 * The most fields whose accessors go in the class's own source. V8 compiles a class or an object
 * literal of some 80,000 accessors (a struct of 40,000 fields) no more: it runs out of stack.
 */
const FIELDS_IN_CLASS = 4096;

/** Past FIELDS_IN_CLASS fields, their accessors (the same code) from object literals of that many each. */
function defineFieldsInParts(proto: object, s: StructType): void {
  for (let from = 0, n = accessorCount(s); from < n; from += FIELDS_IN_CLASS) {
    const k = new Constants();
    const members = fieldMembers(s, k, from, from + FIELDS_IN_CLASS);
    const source = `'use strict';\n${k.preamble()}return {\n${members.join(',\n')}\n};`;
    const part = (new Function(...RUNTIME_NAMES, 'K', source) as (...args: unknown[]) => object)(...RUNTIME_VALUES, k.values);
    const descriptors = Object.getOwnPropertyDescriptors(part);
    for (const key of Object.keys(descriptors)) descriptors[key].enumerable = false; // as a class's own
    Object.defineProperties(proto, descriptors);
  }
}

type ClassFactory = (...args: unknown[]) => CDataClass;
const RUNTIME_NAMES = Object.keys(runtime);
const RUNTIME_VALUES = Object.values(runtime);
