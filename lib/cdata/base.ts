// The CData base class: the fields every cdata carries, its repr, and p[i] through the prototype chain.
import { DESCRIBE } from '../errors';
import type { CType } from '../ctype/model';
import { Address, Memory, addressHex } from './memory';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A cdata is a typed reference to native memory. Every cdata refers to the memory at address `$a`,
 * read through its Memory `$m` (the view `$m.v`) at offset `$o`: for a pointer, the memory it points
 * to; for an array, struct or union, its own memory. Generated subclasses (one per C type, see
 * classes.ts) add accessors. Internal names start with '$' so that they never collide with C field names.
 */
export class CData {
  // The fields are declared and set by each generated class (classes.ts), not here: one
  // initializer shared by every cdata class would see hundreds of shapes and go megamorphic
  // (measured: ~800 ns per construction instead of ~20). Constructors take (m, a, o, n, own).

  /** The memory this cdata reads and writes, shared by every cdata derived from the same allocation; keeps it alive. */
  declare $m: Memory;
  /** Address of the referenced memory (a pointer's value; an array's or struct's own address). */
  declare $a: Address;
  /** Offset in `$m.v` of the referenced memory. */
  declare $o: number;
  /** Number of elements, for arrays (open arrays get theirs at creation); 0 otherwise. */
  declare $n: number;
  /** Bytes this object owns (ffi.new, ffi.gc); 0 for views and pointers into memory owned elsewhere. */
  declare $own: number;

  /** The C type of this cdata (each generated class defines it on its prototype). */
  get $t(): CType {
    throw new Error('internal: cdata class without a type');
  }

  /** Element read behind `p[i]`; pointer and array classes replace it. */
  $get(_i: number): unknown {
    throw new TypeError(`${this[DESCRIBE]()} cannot be indexed`);
  }

  /** Element write behind `p[i] = v`; pointer and array classes replace it. */
  $set(_i: number, _v: unknown): void {
    throw new TypeError(`${this[DESCRIBE]()} cannot be indexed`);
  }

  toString(): string {
    if (this.$own > 0) return `<cdata '${this.$name()}' owning ${this.$own} bytes>`;
    // As CFFI shows them: a struct or union cdata that does not own its memory is a reference ('struct foo &'),
    // an open array that does not (a slice, a flexible array member) shows its length.
    const t = this.$t;
    if (t.kind === 'array' && t.length === null) return `<cdata '${this.$name()}' sliced length ${this.$n}>`;
    const name = t.kind === 'struct' || t.kind === 'union' ? t.nameMarker.replace('&', ' &') : this.$name();
    return `<cdata '${name}' ${addressHex(this.$a)}>`;
  }

  /** The type's name as CFFI spells it ('int[]' for an open array, whatever its length). */
  $name(): string {
    return this.$t.cname;
  }

  [INSPECT](): string {
    return this.toString();
  }

  [DESCRIBE](): string {
    return `cdata '${this.$name()}'`;
  }
}

/** Names that tools probe on any object (promises, JSON, test matchers): answered undefined, never an error. */
const PROBES = new Set([
  'then', 'toJSON', 'asymmetricMatch', 'nodeType', 'tagName', 'inspect', 'length', 'size', 'entries',
  'message', 'stack', 'name', 'prototype',
]);

const isIndex = (key: string): boolean => {
  const c = key.charCodeAt(0);
  return (c >= 48 && c <= 57) || (c === 45 && key.length > 1);
};

/**
 * The last link of every cdata's prototype chain. Ordinary lookups (fields, methods) are answered
 * by the generated classes before reaching it, so it costs nothing on fast paths; what reaches it is
 * `p[i]` (turned into $get(i) / $set(i, v)) or a name the type does not have.
 */
const tail = new Proxy(Object.prototype, {
  get(target, key, receiver) {
    if (typeof key === 'string' && isIndex(key)) return (receiver as CData).$get(Number(key));
    if (typeof key === 'symbol' || key in target || PROBES.has(key) || key.startsWith('@@') || key.startsWith('$')) {
      return Reflect.get(target, key, receiver);
    }
    throw new TypeError(`${(receiver as CData)[DESCRIBE]()} has no field or method '${key}'`);
  },
  set(_target, key, value, receiver) {
    if (typeof key === 'string' && isIndex(key)) {
      (receiver as CData).$set(Number(key), value);
      return true;
    }
    throw new TypeError(`${(receiver as CData)[DESCRIBE]()}: cannot set '${String(key)}', it has no such field`);
  },
});
Object.setPrototypeOf(CData.prototype, tail);

/**
 * Brand of every cdata, on CData.prototype. `isCData` checks it instead of `instanceof`, which V8
 * cannot make fast past the Proxy that ends every cdata's prototype chain (~40 ns against ~2 ns).
 */
const BRAND = Symbol('node-cffi.cdata');
Object.defineProperty(CData.prototype, BRAND, { value: true });

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
