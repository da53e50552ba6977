// The CData base class: the fields every cdata carries, its repr, and p[i] through the prototype chain.
import { DESCRIBE, TypeError } from '../errors';
import type { CType } from '../ctype/model';
import { Address, Memory, addressHex } from './memory';

// The internals of every cdata are keyed by symbols: a symbol-keyed property costs what a named one
// costs to read and write, and stays out of Object.keys, for...in, JSON.stringify, object spread
// of names, editor completion and the REPL's Tab completion (which list string names only), and
// it can never collide with a C field name.

/** The Memory a cdata reads and writes, shared by every cdata derived from the same allocation; keeps it alive. */
export const MEM: unique symbol = Symbol('node-cffi.memory');
/** The address of the referenced memory (a pointer's value; an array's or struct's own address). */
export const ADDR: unique symbol = Symbol('node-cffi.address');
/** The offset in the Memory's view of the referenced memory. */
export const OFF: unique symbol = Symbol('node-cffi.offset');
/** An array's number of elements; for a struct ffi.new sized for its open array member, its bytes; 0 otherwise. */
export const LEN: unique symbol = Symbol('node-cffi.length');
/** Bytes this object owns (ffi.new, ffi.gc); 0 for views and pointers into memory owned elsewhere. */
export const OWN: unique symbol = Symbol('node-cffi.owned');
/** The C type of a cdata (on each generated class's prototype). */
export const TYPE: unique symbol = Symbol('node-cffi.type');
/** Element read behind `p[i]`. */
export const GET: unique symbol = Symbol('node-cffi.get');
/** Element write behind `p[i] = v`. */
export const SET: unique symbol = Symbol('node-cffi.set');
/** ffi.string's fast path: the text a char pointer or array refers to, or undefined where ffi.string's general path must answer. */
export const CSTRING: unique symbol = Symbol('node-cffi.cstring');
/** The repr of a cdata (CData.prototype[REPR]), which toString(), String() and inspection give. */
export const REPR: unique symbol = Symbol('node-cffi.repr');
/** The generated class of a cdata, on its prototype (`constructor` can be a struct field's name). */
export const CLASS: unique symbol = Symbol('node-cffi.class');
/** An ffi.gc() cdata's destructor (lifetime.ts); null, from CData.prototype, on every other cdata. */
export const DESTRUCTOR: unique symbol = Symbol('node-cffi.destructor');

/**
 * A cdata is a typed reference to native memory. Every cdata refers to the memory at address
 * `[ADDR]`, read through its Memory `[MEM]` (the view `[MEM].v`) at offset `[OFF]`: for a pointer,
 * the memory it points to; for an array, struct or union, its own memory. Generated subclasses (one
 * per C type, see classes.ts) add accessors.
 */
/**
 * The one string-keyed property of every cdata, first of its own properties: structuredClone,
 * v8.serialize and postMessage copy an object's own enumerable string-keyed properties in order,
 * and stop with a DataCloneError at a symbol value, whose description is the error's message. (The
 * name is no identifier, so editors and the REPL do not offer it; JSON leaves symbol values out.)
 */
export const CLONE_GUARD = '(not cloneable)';
export const NOT_CLONEABLE = Symbol(
  "a node-cffi cdata refers to this process's memory and cannot be cloned, serialised or sent to another thread; " +
    "send its address instead (ffi.cast('uintptr_t', p)) and ffi.cast() it back where that memory is valid",
);

/** Cdata ffi.release() ended, with the name their messages give them (`cdata 'int[2]'`). */
export const releasedNames = new WeakMap<object, string>();

/** Cdata from ffi.new() that own an allocation of 0 bytes (`ffi.new('int[]', 0)`): they own, though [OWN] is 0. */
export const ownsNoBytes = new WeakSet<CData>();

/** Cdata from ffi.fromBuffer(), with what CFFI's repr names: the class of the object whose memory they are. ffi.release() ends them. */
export const fromBuffers = new WeakMap<CData, string>();

/** ffi.release(), given by lifetime.ts (which imports this module): what a cdata's Symbol.dispose runs. */
let releaseOnDispose: (c: CData) => void = () => {
  throw new Error('internal: lib/cdata/lifetime.ts gives cdata their release (useReleaseOnDispose) when it loads');
};

/** Gives Symbol.dispose its release (lifetime.ts). */
export function useReleaseOnDispose(f: (c: CData) => void): void {
  releaseOnDispose = f;
}

export class CData {
  // The fields are declared and set by each generated class (classes.ts), not here: one
  // initializer shared by every cdata class would see hundreds of shapes and go megamorphic
  // (measured: ~800 ns per construction instead of ~20). Constructors take (m, a, o, n, own).

  declare [MEM]: Memory;
  declare [ADDR]: Address;
  declare [OFF]: number;
  declare [LEN]: number;
  declare [OWN]: number;
  /** Set on each generated class's prototype (classes.ts). */
  declare readonly [CLASS]: new (m: Memory, a: Address, o: number, n: number, own: number) => CData;
  /** An own field of ffi.gc() copies only (lifetime.ts). */
  declare [DESTRUCTOR]: unknown;

  /** The C type of this cdata (each generated class defines it on its prototype). */
  get [TYPE](): CType {
    // Only an object made with `new CData()` has no class of a type.
    throw new TypeError("this object was made with 'new CData()': cdata are made by ffi.new(), ffi.cast() and node-cffi's other functions");
  }

  /**
   * `using p = ffi.new(...)` (TypeScript 5.2's explicit resource management): ffi.release(p) when
   * the block ends, as CFFI's `with ffi.new(...) as p:`; refused as ffi.release() refuses.
   */
  [Symbol.dispose](): void {
    releaseOnDispose(this);
  }

  /** Element read behind `p[i]`; pointer and array classes replace it. */
  [GET](_i: number): unknown {
    throw new TypeError(`${this[DESCRIBE]()} cannot be indexed`);
  }

  /** Element write behind `p[i] = v`; pointer and array classes replace it. */
  [SET](_i: number, _v: unknown): void {
    throw new TypeError(`${this[DESCRIBE]()} cannot be indexed`);
  }

  /** ffi.string's fast path; char pointer and array classes replace it (classes.ts). */
  [CSTRING](): string | undefined {
    return undefined;
  }

  /**
   * As CFFI shows the cdata: what toString(), String() and template literals give, and what
   * util.inspect starts with (ffi.ts). String() goes through this symbol (Symbol.toPrimitive), so
   * that a struct field named `toString` or `valueOf` (which pointers to the struct answer with the
   * field) does not stand in for it.
   */
  [REPR](): string {
    // An ffi.gc() copy shows its address, as CFFI shows it, whatever it copies.
    if ((this[OWN] > 0 && this[DESTRUCTOR] === null) || ownsNoBytes.has(this)) return `<cdata '${this[TYPE].cname}' owning ${this[OWN]} bytes>`;
    const from = fromBuffers.get(this);
    if (from !== undefined) return `<cdata '${this[TYPE].cname}' buffer ${this[TYPE].kind === 'array' ? `len ${this[LEN]} ` : ''}from '${from}' object>`;
    // As CFFI shows them: a struct or union cdata that does not own its memory is a reference ('struct foo &'),
    // an open array that does not (a slice, a flexible array member) shows its length.
    const t = this[TYPE];
    if (t.kind === 'array' && t.length === null) return `<cdata '${this[TYPE].cname}' sliced length ${this[LEN]}>`;
    const name = t.kind === 'struct' || t.kind === 'union' ? t.nameMarker.replace('&', ' &') : this[TYPE].cname;
    return `<cdata '${name}' ${addressHex(this[ADDR])}>`;
  }

  toString(): string {
    return this[REPR]();
  }

  [Symbol.toPrimitive](): string {
    return this[REPR]();
  }

  [DESCRIBE](): string {
    return `cdata '${this[TYPE].cname}'`;
  }
}

/** Names that tools probe on any object (promises, JSON, test matchers): answered undefined, never an error. */
const PROBES = new Set([
  'then', 'toJSON', 'asymmetricMatch', 'nodeType', 'tagName', 'inspect', 'length', 'size', 'entries',
  'message', 'stack', 'name', 'prototype',
]);

/** The names the internals had when they were string-keyed: code reading one is out of date, and is told so. */
const FORMER = new Set(['$m', '$a', '$o', '$n', '$own', '$t', '$get', '$set', '$name']);

const isIndex = (key: string): boolean => {
  const c = key.charCodeAt(0);
  return (c >= 48 && c <= 57) || (c === 45 && key.length > 1);
};

/** The path of fields an alias names (see ctype/aliases.ts) on a struct or union cdata, or on a pointer to one. */
function aliasPath(c: CData, key: string): readonly string[] | undefined {
  let t = c[TYPE];
  if (t.kind === 'pointer') t = t.item;
  return t.kind === 'struct' || t.kind === 'union' ? t.aliases?.get(key) : undefined;
}

/** The prototype of `c`'s class as its type is now, when `c` was made before its struct got its body (classes.ts); else null. */
let freshPrototype: (c: CData) => object | null = () => null;

/** Gives the tail the way to find a cdata's current class (classes.ts, which imports this module). */
export function useFreshPrototypes(f: (c: CData) => object | null): void {
  freshPrototype = f;
}

/**
 * Moves `c` made while its struct was opaque to the class its type has since the cdef gave the
 * body, so that its fields answer as those of cdata made later; true when it moved.
 */
function migrated(c: CData): boolean {
  const proto = freshPrototype(c);
  if (proto === null) return false;
  Object.setPrototypeOf(c, proto);
  return true;
}

/** ' points to an opaque type' when `c` is a pointer to a struct or union declared without a body (CFFI's words), else ''. */
function opaqueTarget(c: CData): string {
  const t = c[TYPE];
  const item = t.kind === 'pointer' ? t.item : null;
  return item !== null && (item.kind === 'struct' || item.kind === 'union') && item.fields === null && item.members === null ? ' points to an opaque type' : '';
}

/**
 * The last link of every cdata's prototype chain. Ordinary lookups (fields, methods) are answered
 * by the generated classes before reaching it, so it costs nothing on fast paths; what reaches it is
 * `p[i]` (turned into [GET](i) / [SET](i, v)) past the index accessors of pointers and arrays
 * (classes.ts, ACCESSOR_INDICES), `s[i]` on other cdata, or a name the type does not have.
 */
const tail = new Proxy(Object.prototype, {
  get(target, key, receiver) {
    if (typeof key === 'string' && isIndex(key)) return (receiver as CData)[GET](Number(key));
    if (typeof key === 'string' && FORMER.has(key)) {
      throw new Error(`internal: cdata keep their internals under symbols (MEM, ADDR, OFF, LEN, OWN, TYPE in lib/cdata/base.ts); '${key}' is not one of their names`);
    }
    if (typeof key === 'symbol' || key in target || PROBES.has(key) || key.startsWith('@@') || key.startsWith('$')) {
      return Reflect.get(target, key, receiver);
    }
    if (migrated(receiver as CData)) return Reflect.get(receiver as object, key, receiver);
    const path = aliasPath(receiver as CData, key);
    if (path !== undefined) return path.reduce((o: Record<string, unknown>, step) => o[step] as Record<string, unknown>, receiver);
    const opaque = opaqueTarget(receiver as CData);
    if (opaque !== '') throw new TypeError(`${(receiver as CData)[DESCRIBE]()}${opaque}: cannot read fields ('${key}'); declare the struct's fields in the cdef`);
    throw new TypeError(`${(receiver as CData)[DESCRIBE]()} has no field or method '${key}'`);
  },
  set(_target, key, value, receiver) {
    if (typeof key === 'string' && isIndex(key)) {
      (receiver as CData)[SET](Number(key), value);
      return true;
    }
    if (migrated(receiver as CData)) return Reflect.set(receiver as object, key, value, receiver);
    const path = typeof key === 'string' ? aliasPath(receiver as CData, key) : undefined;
    if (path !== undefined) {
      const parent = path.slice(0, -1).reduce((o: Record<string, unknown>, step) => o[step] as Record<string, unknown>, receiver);
      parent[path[path.length - 1]] = value;
      return true;
    }
    const opaque = opaqueTarget(receiver as CData);
    if (opaque !== '') throw new TypeError(`${(receiver as CData)[DESCRIBE]()}${opaque}: cannot write fields ('${String(key)}'); declare the struct's fields in the cdef`);
    throw new TypeError(`${(receiver as CData)[DESCRIBE]()}: cannot set '${String(key)}', it has no such field`);
  },
});
Object.setPrototypeOf(CData.prototype, tail);

/**
 * Brand of every cdata, on CData.prototype. `isCData` checks it instead of `instanceof`, which V8
 * cannot make fast past the Proxy that ends every cdata's prototype chain (~40 ns against ~2 ns).
 * A released cdata's prototype answers it undefined: it is no cdata any more.
 */
export const BRAND = Symbol('node-cffi.cdata');
Object.defineProperty(CData.prototype, BRAND, { value: true });
// Found here rather than by the Proxy past CData.prototype, which answers a missing name slowly.
Object.defineProperty(CData.prototype, DESTRUCTOR, { value: null });

export function isCData(x: unknown): x is CData {
  // Function pointer cdata are functions (callable), every other cdata is an object.
  return ((typeof x === 'object' && x !== null) || typeof x === 'function') && (x as { [BRAND]?: boolean })[BRAND] === true;
}

/**
 * What TypeScript sees of any cdata: elements by index (`p[0]`) and fields by name (`s.x`), typed
 * loosely because their types come from C declarations parsed at run time.
 */
export interface CData {
  [index: number]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  [field: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Arrays iterate over their elements; other cdata throw when iterated. */
  [Symbol.iterator](): Iterator<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A function pointer cdata (ffi.callback(), a function pointer from C): call it, or `.async(...)` it. */
export type CFunction = CData &
  ((...args: any[]) => any) & { async: (...args: any[]) => Promise<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
