// The C type model: one object per type, with the memos of the types derived from it (intern.ts fills them); C names; the pending-layout checks; `ffi.CType` (one file, long because the classes and the pending checks refer to each other: a type fixes its name only once settledPending finds nothing pending, so a cut between them is an import cycle).
import { DESCRIBE, TypeError } from '../errors';
import { PRIMITIVES, PrimitiveSpec, Repr, isIntegerRepr } from './primitives';

export type CTypeKind = 'primitive' | 'void' | 'pointer' | 'array' | 'struct' | 'union' | 'enum' | 'function';

/** Qualifier bits, as carried by pointers (on their pointee), fields, typedefs and globals. */
export const Q_CONST = 1;
export const Q_VOLATILE = 2;
export const Q_RESTRICT = 4;

export type CType =
  | PrimitiveType | VoidType | PointerType | ArrayType | StructType | EnumType | FunctionType;

/** A part's table of the function types it holds (see functionType in intern.ts), by their parts' ids. */
export type FunctionMemo = Map<string, FunctionType | WeakRef<FunctionType>>;

let nextId = 1;
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

// Fields are declared here and set in the constructors, not written as class field initialisers:
// V8 (Node 20) runs initialisers as a separate define step per class, several times slower than
// assignments, and a large cdef creates thousands of types.
/** The class every ctype is an instance of (the facade's `ffi.CType`). */
const FIXED_PRIMITIVE = ['kind', 'name', 'repr', 'size', 'align', 'deferred'];
const ARRAY_KEYS = ['item', 'length', 'kind'];

export abstract class TypeBase {
  /** Unique per type object (names the koffi record of a struct passed by value). */
  declare readonly id: number;
  abstract readonly kind: CTypeKind;
  /**
   * The C spelling for generated code, with '&' where a declarator's name would go: qualifiers
   * kept, '(void)' for no parameters ('const char *&', 'int(*&)(void)', 'int(*&)[3]').
   */
  abstract get marker(): string;
  /**
   * CFFI's spelling, with '&' where a declarator's name would go: no qualifiers, one ' *' per
   * pointer, '()' for no parameters ('char * *&', 'int(*&)()'). What `cname` and `ffi.getctype` show.
   */
  abstract get nameMarker(): string;
  /** Size in bytes; -1 when C gives it none (void, functions, open arrays, incomplete structs). */
  abstract get size(): number;
  /** Alignment in bytes; -1 when the size is unknown. */
  abstract get align(): number;

  // Each type owns the memos of the types derived from it, so that types die with the last
  // holder of their parts (a discarded FFI's types go with it; no table outlives them). As in
  // CFFI, a derived type also dies once nothing refers to it: the memos hold it weakly, except
  // the pointer and open array of a type of depth 0 (what an array decays to), held strongly
  // because they are few and made on every decay; 'int **' or 'char[77]' derived from a built-in
  // type, which lives forever, would otherwise live forever too. (Function types: see functionType.)
  /** @internal the unqualified pointer type to this type (weakly past depth 0). */
  declare _ptr: PointerType | WeakRef<PointerType> | undefined;
  /** @internal the other pointer types to this type, indexed by pointee qualifiers (weakly past depth 0). */
  declare _ptrs: (PointerType | WeakRef<PointerType> | undefined)[] | undefined;
  /** @internal array types of this item type, by length (-1: open; weakly but the open array of a depth-0 type). */
  declare _arrays: Map<number, ArrayType | WeakRef<ArrayType>> | undefined;
  /** @internal function types of which this type is the newest part, by their parts' ids (see functionType). */
  declare _fns: FunctionType | FunctionMemo | undefined;
  /** @internal memo slot owned by the cdata layer (its generated accessor class). */
  declare _cdata: unknown;
  /** @internal memo of settledPending: known to need nothing more from the compiler; set once, never reset. */
  declare _settled: boolean;
  /** @internal how many derivations (pointer, array, function) deep the type is; struct bodies do not count. */
  declare readonly _depth: number;

  private declare _cname: string | undefined;
  private declare _spelling: string | undefined;

  constructor(depth: number) {
    this.id = nextId++;
    this._ptr = undefined;
    this._ptrs = undefined;
    this._arrays = undefined;
    this._fns = undefined;
    this._cdata = undefined;
    this._settled = false;
    this._depth = depth;
    this._cname = undefined;
    this._spelling = undefined;
  }

  /** The name of the type as CFFI spells it: 'int *', 'int * *', 'int[5]', 'struct pt', 'int(*)(int, int)', 'int(*)()'. */
  get cname(): string {
    if (this._cname !== undefined) return this._cname;
    const name = this.nameMarker.replace('&', '').trim();
    // A type holding an array whose length verify() gives ('int[...]') is renamed then ('int[50]').
    if (settledPending(this as unknown as CType) === null) this._cname = name;
    return name;
  }

  /** The type as generated C spells it: 'const char *', 'int **', 'int(*)(void)'. */
  get spelling(): string {
    return (this._spelling ??= this.marker.replace('&', '').trim());
  }

  toString(): string {
    return `<ctype '${this.cname}'>`;
  }

  [INSPECT](): string {
    return this.toString();
  }

  /** How messages show a ctype where another value was expected ("got ctype 'int'"). */
  [DESCRIBE](): string {
    return `ctype '${this.cname}'`;
  }
}

export class PrimitiveType extends TypeBase {
  declare readonly kind: 'primitive';
  declare readonly name: string;
  /** Fixed for C's own types; a deferred type gets its real values once, from the compiler (`settlePrimitive`). */
  declare repr: Repr;
  declare size: number;
  declare align: number;
  /**
   * 'int' or 'float' for a typedef whose real type the C compiler gives (`typedef int... t;`,
   * `typedef float... t;`): named by the typedef, with size -1 until verify() settles it.
   * null for C's own types.
   */
  declare readonly deferred: 'int' | 'float' | null;
  constructor(spec: PrimitiveSpec, deferred: 'int' | 'float' | null = null) {
    super(0);
    this.kind = 'primitive';
    this.name = spec.name;
    this.repr = spec.repr;
    this.size = spec.size;
    this.align = spec.align;
    this.deferred = deferred;
    lockProperties(this, deferred === null ? FIXED_PRIMITIVE : ['kind', 'name', 'deferred']);
  }
  get marker(): string {
    return `${this.name}&`;
  }
  get nameMarker(): string {
    return `${this.name}&`;
  }
}

/**
 * Makes properties of a type object read-only once final: type objects are shared by every cdata
 * (and built-in ones by every FFI) and give the layouts memory is read and written by, so a
 * program assigning `ffi.typeof('int').size` must not change them (CFFI's ctypes are read-only too).
 * Only primitive and array types are locked: a lock is slow in V8, too slow for the thousands of
 * pointer and function types and struct fields a large cdef makes (docs/cffi-differences.md,
 * "Type objects").
 */
export function lockProperties(t: object, keys: readonly string[]): void {
  for (const k of keys) Object.defineProperty(t, k, { writable: false, configurable: false });
}

/** A new deferred primitive named `name` (`typedef int... name;`): its size is unknown until settled. */
export function deferredPrimitive(name: string, family: 'int' | 'float'): PrimitiveType {
  return new PrimitiveType({ name, repr: family === 'int' ? 'i32' : 'f64', size: -1, align: -1 }, family);
}

/**
 * A new array of `item` whose length the compiler gives (`typedef int t[...];`), spelled `spelling`
 * in generated C: pending until `settleArray`, not interned (each typedef has its own).
 */
export function deferredArray(item: CType, spelling: string): ArrayType {
  const t = new ArrayType(item, null);
  (t as { deferred: string | null }).deferred = spelling;
  return t;
}

/** Gives a deferred array the length the compiler reported; every holder of it sees the change. */
export function settleArray(t: ArrayType, length: number): void {
  if (t.deferred === null || t.length !== null) throw new Error(`internal: '${t.cname}' is not a deferred array waiting for its length`);
  t.length = length;
  lockProperties(t, ['length']);
}

/** Gives a deferred primitive the representation the compiler reported; every holder of it sees the change. */
export function settlePrimitive(t: PrimitiveType, repr: Repr, size: number): void {
  if (t.deferred === null) throw new Error(`internal: '${t.name}' is not a deferred type`);
  t.repr = repr;
  t.size = size;
  t.align = size;
  lockProperties(t, ['repr', 'size', 'align']);
}

export class VoidType extends TypeBase {
  declare readonly kind: 'void';
  constructor() {
    super(0);
    this.kind = 'void';
  }
  get marker(): string {
    return 'void&';
  }
  get nameMarker(): string {
    return 'void&';
  }
  get size(): number {
    return -1;
  }
  get align(): number {
    return -1;
  }
}

export class PointerType extends TypeBase {
  declare readonly item: CType;
  declare readonly quals: number;
  declare readonly kind: 'pointer';
  declare readonly size: 8;
  declare readonly align: 8;
  /** Use `pointerTo()`: pointer types are interned. */
  constructor(item: CType, quals: number) {
    super(item._depth + 1);
    this.item = item;
    this.quals = quals;
    this.kind = 'pointer';
    this.size = 8;
    this.align = 8;
  }
  get marker(): string {
    const inner = qualifiedMarker(this.item, this.quals);
    if (this.item.kind === 'array' || this.item.kind === 'function') return inner.replace('&', '(*&)');
    const at = inner.indexOf('&');
    return inner.slice(0, at) + (inner[at - 1] === '*' ? '*&' : ' *&') + inner.slice(at + 1);
  }
  get nameMarker(): string {
    const inner = this.item.nameMarker;
    return inner.replace('&', this.item.kind === 'array' || this.item.kind === 'function' ? '(*&)' : ' *&');
  }
  /** For a function pointer, the function's parameter types (CFFI's ctype.args); undefined otherwise. */
  get args(): readonly CType[] | undefined {
    return this.item.kind === 'function' ? this.item.args : undefined;
  }
  /** For a function pointer, the function's result type (CFFI's ctype.result); undefined otherwise. */
  get result(): CType | undefined {
    return this.item.kind === 'function' ? this.item.result : undefined;
  }
  /** For a function pointer, whether the function takes '...' (CFFI's ctype.ellipsis); undefined otherwise. */
  get ellipsis(): boolean | undefined {
    return this.item.kind === 'function' ? this.item.ellipsis : undefined;
  }
}

export class ArrayType extends TypeBase {
  declare readonly item: CType;
  declare length: number | null;
  declare readonly kind: 'array';
  /**
   * How generated C spells an array whose length the compiler gives (`typedef int foo_t[...];`:
   * 'foo_t'); null for C's own arrays. Such an array is not interned (see `deferredArray`).
   */
  declare readonly deferred: string | null;
  /**
   * Use `arrayOf()`: array types are interned. `length` is null for an open array (`int[]`); a
   * deferred array's is null until verify() gives it (`settleArray`), then fixed like any other.
   */
  constructor(item: CType, length: number | null) {
    super(item._depth + 1);
    this.item = item;
    this.length = length;
    this.kind = 'array';
    this.deferred = null;
    // A deferred array (see deferredArray) gets its length later; an open one keeps none.
    lockProperties(this, length === null ? ['item', 'kind'] : ARRAY_KEYS);
  }
  get marker(): string {
    if (this.deferred !== null) return `${this.deferred}&`;
    return this.item.marker.replace('&', `&[${this.length ?? ''}]`);
  }
  get nameMarker(): string {
    return this.item.nameMarker.replace('&', `&[${this.length ?? (this.deferred !== null ? '...' : '')}]`);
  }
  get size(): number {
    // item.size once: nested arrays would otherwise cost 2^depth
    const item = this.item.size;
    return this.length === null || item < 0 ? -1 : item * this.length;
  }
  get align(): number {
    return this.item.align;
  }
}

/** One member of a struct or union as declared, before layout. */
export interface MemberDecl {
  /** '' for an anonymous struct/union member or an unnamed bitfield. */
  readonly name: string;
  readonly type: CType;
  readonly quals: number;
  /** Bitfield width; -1 for an ordinary member. */
  readonly bitsize: number;
  readonly pos: { readonly line: number; readonly column: number };
  /** `int a[...]`: `type` is the open array until the compiler gives the length. */
  readonly lengthFromCompiler?: boolean;
  /** `int a[...][...]`, `int a[][...]`: the depths below the outermost array (1: its items) whose lengths the compiler gives; open arrays in `type` until then. */
  readonly innerLengthsFromCompiler?: readonly number[];
}

/**
 * A struct or union body whose layout waits for a struct or union it holds by value (directly or in
 * an array) to be defined, as CFFI lays out a struct only when it is used: `struct a { struct b x; };`
 * before `struct b { ... };`. The body was checked but for that size; it is laid out when `on` is
 * defined, and a use before then fails, naming the member.
 */
export interface WaitingLayout {
  readonly members: readonly MemberDecl[];
  readonly pack: number;
  /** The member that has no size yet. */
  readonly member: MemberDecl;
  /** The struct or union (declared, not defined; or itself waiting) whose definition it waits for. */
  readonly on: StructType;
}

/** One member of a struct or union, anonymous members flattened into their parent. */
export interface CField {
  readonly name: string;
  readonly type: CType;
  /** Byte offset from the start of the outermost struct. */
  readonly offset: number;
  /** For bitfields: the bit position inside the storage unit starting at `offset`; otherwise -1 (-2 for an open array member, as CFFI). */
  readonly bitshift: number;
  /** For bitfields: the width in bits; otherwise -1. */
  readonly bitsize: number;
  readonly quals: number;
  /**
   * CFFI's field flags: 1 (CFFI's BF_IGNORE_IN_CTOR) for a field that positional initialisers skip,
   * because it belongs to a member of a union other than its first (C's brace elision); otherwise 0.
   */
  readonly flags: number;
}

/** The field map of a struct without a layout (yet): empty, shared, never written. */
const NO_FIELDS: ReadonlyMap<string, CField> = new Map();

export class StructType extends TypeBase {
  declare readonly kind: 'struct' | 'union';
  /** The tag, a typedef name for an anonymous struct, or `$N` for an anonymous member. */
  declare name: string;
  /** True when `name` came from a typedef (`typedef struct { … } pt_t;` is spelled 'pt_t'). */
  declare namedByTypedef: boolean;
  /** null until the body is known (`struct foo;` alone leaves it incomplete). */
  declare fields: readonly CField[] | null;
  /** The map fieldMap made of `fields`, and those fields (another array: made again). */
  private declare _fieldMap: ReadonlyMap<string, CField>;
  private declare _fieldMapOf: readonly CField[] | null;
  declare size: number;
  declare align: number;
  /** Alignment cap the layout was computed with (0: natural, 1: packed, n: `#pragma pack(n)`). */
  declare pack: number;
  /** Declared with '...' (`struct s { int x; ...; };`): the C compiler gives the layout. */
  declare partial: boolean;
  /**
   * The members as declared when the layout comes from the C compiler (a partial struct, or one
   * holding such a type or an `[...]` array by value); `fields` stays null until verify() lays it
   * out from its probes. null when cdef computes the layout.
   */
  declare members: readonly MemberDecl[] | null;
  /**
   * How generated C spells the type when its name cannot: the pointee of `typedef ... *p;`
   * ('struct $$p' to CFFI) is `__typeof__(*(p)0)`. null: its name.
   */
  declare cSpelling: string | null;
  /**
   * Names a header's macros give members of members (signal.h's `sa_handler` is
   * `__sigaction_handler.sa_handler`), each with its path of field names: null when none does.
   */
  declare aliases: Map<string, readonly string[]> | null;
  /** A body whose layout waits for another struct or union's definition (see WaitingLayout); null otherwise. */
  declare waiting: WaitingLayout | null;
  /** The structs and unions whose layouts wait for this one's definition (see WaitingLayout); null when none does. */
  declare waiters: StructType[] | null;
  constructor(kind: 'struct' | 'union', name: string, namedByTypedef = false) {
    super(0);
    this.kind = kind;
    this.name = name;
    this.namedByTypedef = namedByTypedef;
    this.fields = null;
    this._fieldMap = NO_FIELDS;
    this._fieldMapOf = null;
    this.size = -1;
    this.align = -1;
    this.pack = 0;
    this.partial = false;
    this.members = null;
    this.cSpelling = null;
    this.aliases = null;
    this.waiting = null;
    this.waiters = null;
  }
  get marker(): string {
    return this.cSpelling === null ? this.nameMarker : `${this.cSpelling}&`;
  }
  get nameMarker(): string {
    return this.namedByTypedef ? `${this.name}&` : `${this.kind} ${this.name}&`;
  }
  get complete(): boolean {
    return this.fields !== null;
  }
  /**
   * Fields by name, anonymous members flattened: made of `fields` at the first look (most of a
   * large cdef's structs are never looked into by name), and again once `fields` is another array.
   */
  get fieldMap(): ReadonlyMap<string, CField> {
    const fields = this.fields;
    if (fields !== this._fieldMapOf) {
      this._fieldMap = fields === null ? NO_FIELDS : new Map(fields.map((f) => [f.name, f]));
      this._fieldMapOf = fields;
    }
    return this._fieldMap;
  }
}

export class EnumType extends TypeBase {
  declare name: string;
  declare namedByTypedef: boolean;
  declare readonly kind: 'enum';
  /** Enumerator values by name, in declaration order (no prototype: any name may be an enumerator's); frozen. */
  get relements(): Readonly<Record<string, number | bigint>> {
    return this._relements;
  }
  set relements(v: Readonly<Record<string, number | bigint>>) {
    this._relements = Object.freeze(v);
  }
  /** Enumerator names by value (the first name given to a value wins); frozen, as the type's own table. */
  get elements(): Readonly<Record<string, string>> {
    return this._elements;
  }
  set elements(v: Readonly<Record<string, string>>) {
    this._elements = Object.freeze(v);
  }
  private declare _relements: Readonly<Record<string, number | bigint>>;
  private declare _elements: Readonly<Record<string, string>>;
  /** The integer type the compiler stores this enum as (int, unsigned int, long or unsigned long). */
  declare base: PrimitiveType;
  /** Declared with '...' (`enum e { A, B, ... };`): the values and the integer type come from the compiler. */
  declare partial: boolean;
  /** False while a partial enum waits for verify(): its values are empty and its size is -1. */
  declare settled: boolean;
  constructor(name: string, namedByTypedef = false) {
    super(0);
    this.name = name;
    this.namedByTypedef = namedByTypedef;
    this.kind = 'enum';
    this.relements = Object.create(null);
    this.elements = Object.create(null);
    this.base = primitive('unsigned int');
    this.partial = false;
    this.settled = true;
  }
  get marker(): string {
    return this.namedByTypedef ? `${this.name}&` : `enum ${this.name}&`;
  }
  get nameMarker(): string {
    return this.marker;
  }
  get size(): number {
    return this.settled ? this.base.size : -1;
  }
  get align(): number {
    return this.settled ? this.base.align : -1;
  }
}

export class FunctionType extends TypeBase {
  declare readonly args: readonly CType[];
  declare readonly result: CType;
  declare readonly ellipsis: boolean;
  declare readonly kind: 'function';
  /** Use `functionType()`: function types are interned. */
  constructor(args: readonly CType[], result: CType, ellipsis: boolean) {
    let depth = result._depth;
    for (let i = 0; i < args.length; i++) if (args[i]._depth > depth) depth = args[i]._depth;
    super(depth + 1);
    this.args = args;
    this.result = result;
    this.ellipsis = ellipsis;
    this.kind = 'function';
  }
  get marker(): string {
    const parts = this.args.map((a) => a.spelling);
    if (this.ellipsis) parts.push('...');
    const list = parts.length ? parts.join(', ') : 'void';
    return this.result.marker.replace('&', `&(${list})`);
  }
  get nameMarker(): string {
    const parts = this.args.map((a) => a.cname);
    if (this.ellipsis) parts.push('...');
    return this.result.nameMarker.replace('&', `&(${parts.join(', ')})`);
  }
  get size(): number {
    return -1;
  }
  get align(): number {
    return -1;
  }
}

function qualifiedMarker(t: CType, quals: number): string {
  const words = [quals & Q_CONST ? 'const' : '', quals & Q_VOLATILE ? 'volatile' : '', quals & Q_RESTRICT ? 'restrict' : '']
    .filter(Boolean)
    .join(' ');
  if (!words) return t.marker;
  // A qualified pointer is spelled with the qualifier after its star: 'char *const'.
  if (t.kind === 'pointer') return t.marker.replace('&', `${words}&`);
  // A qualified array is an array of qualified items: 'int *const(*)[3]'.
  if (t.kind === 'array') return qualifiedMarker(t.item, quals).replace('&', `&[${t.length ?? ''}]`);
  return `${words} ${t.marker}`;
}

const primitiveTable = new Map<string, PrimitiveType>(PRIMITIVES.map((s) => [s.name, new PrimitiveType(s)]));

/** The interned primitive type of a canonical name; throws on an unknown name. */
export function primitive(name: string): PrimitiveType {
  const t = primitiveTable.get(name);
  if (!t) throw new Error(`internal: unknown primitive '${name}'`);
  return t;
}

export function findPrimitive(name: string): PrimitiveType | undefined {
  return primitiveTable.get(name);
}

export function allPrimitives(): IterableIterator<PrimitiveType> {
  return primitiveTable.values();
}

export const VOID = new VoidType();

/**
 * `ffi.CType`, and every ctype's `constructor`: a function that refuses to make a type, as CFFI
 * refuses `ffi.CType()`. Its prototype is the types' own, so that `t instanceof ffi.CType` holds
 * for every ctype; the classes themselves are never exported.
 */
function CType(): never {
  throw new TypeError("ctypes are made by ffi.typeof(), ffi.cdef() and the other declarations, not with 'new'");
}
export const CTypeClass = CType as unknown as abstract new () => TypeBase;
CTypeClass.prototype = TypeBase.prototype;
for (const cls of [TypeBase, PrimitiveType, VoidType, PointerType, ArrayType, StructType, EnumType, FunctionType]) {
  Object.defineProperty(cls.prototype, 'constructor', { value: CTypeClass, writable: true, configurable: true });
}

/**
 * The C library's `FILE`, built in as CFFI has it: one opaque struct type for every FFI (it is
 * used through `FILE *` only), named 'FILE'.
 */
export const FILE_TYPE = new StructType('struct', 'FILE', true);

/** True for the type objects of this model (what ffi.typeof returns), false for anything else. */
export function isCType(x: unknown): x is CType {
  return x instanceof TypeBase;
}

/** True for the types a value of which is one integer (primitives other than floats, complex numbers and bool, and enums). */
export function isInteger(t: CType): boolean {
  if (t.kind === 'enum') return true;
  if (t.kind !== 'primitive') return false;
  return isIntegerRepr(t.repr);
}

/** True for the char types by name (char, signed char, unsigned char), whose bytes `ffi.dump` shows as characters; see isByteLike for what takes strings. */
export function isCharLike(t: CType): boolean {
  return t.kind === 'primitive' && (t.name === 'char' || t.name === 'signed char' || t.name === 'unsigned char');
}

/** A one-byte integer type: the char types, int8_t and uint8_t (not _Bool), whose memory CFFI reads as bytes (ffi.string) and passes for each other. */
export function isByteLike(t: CType): boolean {
  return t.kind === 'primitive' && (t.repr === 'i8' || t.repr === 'u8');
}

/** A type whose layout the C compiler gives and verify() has not given yet. */
export type PendingType = PrimitiveType | StructType | EnumType | ArrayType;

/**
 * The type waiting for verify() that `t` is or holds by value (an array's items), or null:
 * a deferred typedef, a struct laid out by the compiler, a partial enum, an array whose length the
 * compiler gives, each until settled.
 */
/**
 * Whether `t` is a struct or union a later cdef may still define: a tag declared without a body, or
 * a body waiting for another's definition (see WaitingLayout). An opaque typedef
 * (`typedef ... t;`), FILE and anonymous structs never get a body later.
 */
export function definedLater(t: CType): t is StructType {
  return (t.kind === 'struct' || t.kind === 'union') && t.fields === null && t.members === null && !t.namedByTypedef && !t.name.startsWith('$');
}

export function pendingLayout(t: CType): PendingType | null {
  switch (t.kind) {
    case 'primitive':
      return t.deferred !== null && t.size < 0 ? t : null;
    case 'enum':
      return t.settled ? null : t;
    case 'struct':
    case 'union':
      return t.members !== null && t.fields === null ? t : null;
    case 'array':
      return t.deferred !== null && t.length === null ? t : pendingLayout(t.item);
    case 'pointer':
    case 'function':
    case 'void':
      return null;
  }
}

/**
 * The pending type `t` mentions anywhere a value of it can reach (by value, through pointers,
 * arrays and function signatures; not through struct fields), or null.
 */
export function pendingIn(t: CType, seen?: Set<CType>): PendingType | null {
  switch (t.kind) {
    case 'pointer':
    case 'array':
      return pendingLayout(t) ?? pendingIn(t.item, seen);
    case 'function': {
      // Function types are the only types of several parts, which may share parts: each function
      // type is visited once. A signature none of whose parts leads to a function type shares
      // nothing worth the set (its parts are chains of pointers and arrays).
      if (seen === undefined && !leadsToFunction(t.result) && !t.args.some(leadsToFunction)) {
        return pendingIn(t.result) ?? partPending(t.args, undefined);
      }
      seen ??= new Set();
      if (seen.has(t)) return null;
      seen.add(t);
      return pendingIn(t.result, seen) ?? partPending(t.args, seen);
    }
    default:
      return pendingLayout(t);
  }
}

/** The first pending type among the parameter types `args` (see pendingIn). */
function partPending(args: readonly CType[], seen: Set<CType> | undefined): PendingType | null {
  for (let i = 0; i < args.length; i++) {
    const p = pendingIn(args[i], seen);
    if (p) return p;
  }
  return null;
}

/** Whether `t` is a function type, or pointers and arrays of one. */
function leadsToFunction(t: CType): boolean {
  while (t.kind === 'pointer' || t.kind === 'array') t = t.item;
  return t.kind === 'function';
}

/**
 * pendingIn(t), remembered once it is null: pending is a state types leave once (verify() settles
 * them) and never re-enter, so a type found settled is not searched again.
 */
export function settledPending(t: CType): PendingType | null {
  if (t._settled) return null;
  const p = pendingIn(t);
  if (!p) t._settled = true;
  return p;
}

/** Why a pending type cannot be used yet, for messages: "the layout of 'struct s' is not known …". */
export function pendingReason(t: PendingType): string {
  const what = t.kind === 'primitive' ? 'size' : t.kind === 'enum' ? 'values and size' : t.kind === 'array' ? 'length' : 'layout';
  return `the ${what} of '${t.cname}' ${t.kind === 'enum' ? 'are' : 'is'} not known until verify() compiles it (the cdef leaves ${t.kind === 'enum' ? 'them' : 'it'} to the C compiler with '...')`;
}
