// A library object's globals and constants (placed on first use, read-only when const, a macro's evaluated at each access; constants read once), and the types a library object is made from (Lib, LibSpec, its state).
import { FFIError, TypeError } from './errors';
import type { Decl } from './ctype/registry';
import { CType, FunctionType, Q_CONST, VOID, pendingIn, pendingReason, settledPending } from './ctype/model';
import { whyNoSize } from './ctype/sizes';
import { functionType, pointerTo } from './ctype/intern';
import type { Binding, ExternBinding } from './codegen/glue';
import type * as Glue from './codegen/glue';
import type { LoadedLibrary } from './backend/koffi';
import { ExternTable, LibraryExterns } from './cdata/externs';
import { readAt } from './cdata/classes';
import { writeAt, writeOpenArray } from './cdata/access';
import type { CData } from './cdata/base';
import { Hold, Memory, ReadOnlyView, allocate, heldWindow, placeMemory, placeRaw } from './cdata/memory';

// The glue's symbol names, read when a global is first used: loading node-cffi does not load the code generator.
const glueNames = (): typeof Glue => require('./codegen/glue') as typeof Glue;

/**
 * A library object without an interface of its own: functions, globals and constants by name,
 * each typed `any` (typed `unknown`, every call and every global would need a cast). For checked
 * types, give verify(), cc() or dlopen() the interface `cffi types` writes: `ffi.verify<Lib>(…)`.
 */
export type Lib = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a library object knows of itself (see makeLib). @internal */
export interface LibState {
  readonly loaded: LoadedLibrary;
  readonly guard: { why: string };
  readonly spec: LibSpec;
  /** The functions, globals and constants the library has, by name, in the order declared (a library from dlopen() learns later ones). */
  readonly names: Map<string, Decl>;
  /** The names an included FFI's library answers for (verify libraries; see LibSpec.included). */
  readonly forwarded: Set<string>;
  /** Each function as a function pointer cdata (its address as C takes it), made on first use. */
  readonly pointers: Map<string, CData>;
  /** What the pointers its functions return, and those read from its globals, keep loaded: the library (see cdata/memory.ts). */
  readonly results: Hold;
  /** Each global's place, found on first use (shared by its value, its views and ffi.addressof). */
  readonly globals: Map<string, Locate>;
  /** The Memory of function pointers taken with ffi.addressof(): closed with the library. */
  readonly functions: Memory;
  /** The Memory of every global placed so far: closed with the library. */
  readonly memories: Memory[];
  /** The slots of its extern "Python" functions (null: none). */
  externs: LibraryExterns | null;
}

/** Where a global lives: its own Memory (bounded by its size, read-only when const), offset and address. @internal */
export interface GlobalPlace {
  readonly memory: Memory;
  readonly offset: number;
  readonly address: number;
}
/** A global's place, or the error saying why it has none now. @internal */
export type Locate = () => GlobalPlace;

/** @internal */
export interface LibSpec {
  /** Shown in messages: `'libm.so.6'`, `the verify() library`. */
  readonly label: string;
  /** What String(lib) names, as CFFI's repr does (`<Lib object for '...'>`): the module's name, or the path given to dlopen(). */
  readonly name: string;
  readonly loaded: LoadedLibrary;
  readonly decls: readonly Decl[];
  /** For verify() libraries, how to bind each function (its wrapper; see codegen/glue.ts). */
  readonly functions?: ReadonlyMap<string, Binding>;
  /** For dlopen() libraries, the symbol of each function or global an asm label renames (ffi.cdefHeader() finds them); others are looked up by name. */
  readonly symbols?: ReadonlyMap<string, string>;
  /**
   * For verify() libraries, the glue function of each global (returning its address) and of each
   * constant read by value (storing it: `void f(void *out)`); the declaration's kind says which.
   */
  readonly globals?: ReadonlyMap<string, string>;
  /** Resolves type names given to variadic functions (`['long', 5]`). */
  readonly resolveType: (text: string) => CType;
  /** Constant values the compiler reported, overriding or completing the cdef's. */
  readonly constants?: ReadonlyMap<string, number | bigint>;
  /**
   * Bind every function now (verify): the library is what was built. Otherwise (dlopen) functions
   * are bound on first use, and the library learns declarations made later (`declareLater`).
   */
  readonly eager: boolean;
  /**
   * With `eager`: each function is bound when first used rather than now (a koffi function per
   * use, not hundreds for a header), its type checked now, and what binding refuses with a
   * TypeError refused when it is called, as binding now would.
   */
  readonly bindOnUse?: boolean;
  /**
   * The functions, globals and constants of FFIs given to ffi.include() (verify libraries): each
   * is that FFI's own library's, reached through `libraryOf(name)` (null when it has none);
   * constants whose value the declaration carries need none.
   */
  readonly included?: { readonly decls: readonly Decl[]; readonly libraryOf: (name: string) => Lib | null };
  /**
   * Names the caller defines on the library itself once it is made (a header's macro values: see
   * headerlib's defineValues), whose declarations are left to it: an enumerator a later
   * `#define X "text"` or `#define X ((void *) 0)` redefines is the macro's value, as C reads it.
   */
  readonly replaced?: { has(name: string): boolean };
  /** For verify() libraries: how the glue defines each extern "Python" function, and the FFI's table of the JavaScript functions attached. */
  readonly externs?: { readonly bindings: ReadonlyMap<string, ExternBinding>; readonly table: ExternTable };
  /**
   * For dlopen() libraries: what to add to the message of a function whose symbol the library
   * lacks ('' for nothing), such as why no shared library can have it.
   */
  readonly missingHint?: (name: string) => string;
}

/**
 * A constant as a read-only property. An integer constant has its value already (the cdef's, or
 * the compiler's from the probes); any other (`static const double D;`, `char *const p;`,
 * `const struct s S;`) is read once, when first used: through the glue function storing its
 * value (verify()), or from the library's symbol (dlopen()). Assigning one is an FFIError.
 * @internal
 */
export function defineConstant(lib: Lib, d: Decl & { kind: 'constant' }, spec: LibSpec, guard: { readonly why: string }): void {
  const known = spec.constants?.get(d.name) ?? d.value;
  let read: { value: unknown } | null = null;
  Object.defineProperty(lib, d.name, {
    configurable: !spec.eager,
    enumerable: true,
    get() {
      if (known !== undefined) return known;
      // An enumerator whose value comes from the compiler is known to its enum once a verify() settled it.
      if (d.type.kind === 'enum' && d.type.relements[d.name] !== undefined) return d.type.relements[d.name];
      read ??= { value: readConstant(d, spec, guard) };
      return read.value;
    },
    set() {
      throw new FFIError(`${spec.label}: '${d.name}' is a constant; it cannot be assigned`);
    },
  });
}

function readConstant(d: Decl & { kind: 'constant' }, spec: LibSpec, guard: { readonly why: string }): unknown {
  const noValue = (): FFIError =>
    new FFIError(`${spec.label}: constant '${d.name}' has no value here; its value comes from the compiler, so use verify()`);
  if (d.origin !== 'static const') throw noValue();
  if (guard.why !== '') throw new FFIError(`constant '${d.name}': ${guard.why}`);
  refusePending(spec, d.name, d.type);
  const t = d.type;
  if (t.size < 0) throw new FFIError(`${spec.label}: constant '${d.name}' is of type '${t.cname}', whose size is not known`);
  // A copy of its own: a constant is a value, and C never sees this memory again.
  const block = allocate(t.size, t.align);
  const reader = spec.globals?.get(d.name);
  if (reader !== undefined) {
    (spec.loaded.bind(reader, READER_FN, `constant '${d.name}'`) as (out: number) => void)(block.address);
  } else {
    let address: number;
    try {
      address = spec.loaded.symbolAddress(symbolOf(spec, d.name));
    } catch (e) {
      if (e instanceof FFIError) throw noValue();
      throw e;
    }
    const from = placeRaw(address, t.size);
    for (let i = 0; i < t.size; i++) block.memory.v.setUint8(block.offset + i, from.view.getUint8(from.offset + i));
  }
  return readAt(t, block.memory, block.offset, block.address);
}

/**
 * A global of a struct or union type without a layout here (opaque, or declared and never
 * defined) is neither read nor written, as in CFFI: nothing says what its bytes are. Its address
 * (ffi.addressof) is still known.
 */
function refuseOpaque(d: Decl & { kind: 'variable' }, where: string): void {
  const t = d.type;
  if ((t.kind === 'struct' || t.kind === 'union') && t.size < 0 && !pendingIn(t)) {
    // FFIError, as for every use of a type without a size (docs/cffi-differences.md, "A type without a size").
    throw new FFIError(`${where}: ${whyNoSize(t)}; ffi.addressof(lib, '${d.name}') is its address`);
  }
}

/** The C type of a glue function storing a constant's value: `void f(void *out)`. */
const READER_FN = functionType([pointerTo(VOID)], VOID, false);

/**
 * A global variable as a property: scalars read and write their value; arrays and structs read as
 * cdata views and are assigned like initialisers (a list, an object of fields, or a cdata of the
 * same type). A const global is read-only: C keeps it in read-only pages, so assigning it, or
 * writing through a view of it, is refused. Views of a global refuse access once the library is
 * closed. A global the source defines as a macro (`#define my_value (*get_my_value())`) is
 * evaluated at each access, as C would: its address is taken anew (an FFIError when it is NULL).
 * @internal
 */
export function defineGlobal(lib: Lib, d: Decl & { kind: 'variable' }, state: LibState): void {
  const { spec, guard } = state;
  let place: GlobalPlace | null = null;
  const where = `global '${d.name}'`;
  const accessor = spec.globals?.get(d.name);
  const readonly = (d.quals & Q_CONST) !== 0;
  /** The accessor (verify) when the global is a macro, found on first use; null for a variable, whose address never changes. */
  let macro: (() => number | bigint) | null | undefined;
  const locate: Locate = () => {
    if (guard.why !== '') throw new FFIError(`${where}: ${guard.why}`);
    if (place && macro === null) return place;
    refusePending(spec, d.name, d.type);
    if (d.lengthFromCompiler && d.type.kind === 'array' && d.type.length === null) {
      throw new FFIError(`${spec.label}: global '${d.name}': its length comes from the compiler ('[...]'), so use verify()`);
    }
    const size = d.type.size > 0 ? d.type.size : 1;
    if (macro === undefined) {
      const getter = accessor === undefined ? null : (spec.loaded.bind(accessor, addressGetter(d.type)) as () => number | bigint);
      macro = getter !== null && spec.loaded.hasSymbol(glueNames().macroGlobalSymbol(d.name)) ? getter : null;
      if (macro === null) {
        const address = getter === null ? spec.loaded.symbolAddress(symbolOf(spec, d.name)) : (getter() as number);
        const window = placeMemory(address, size);
        const hi = d.type.size > 0 ? window.offset + size : window.memory.hi;
        const memory = new Memory('guarded', window.memory.v, window.offset, hi, lib, null, false, d.type.size > 0);
        memory.holds = state.results; // a pointer read from it may point into the library's own data
        place = { memory: readonly ? readOnly(memory) : memory, offset: window.offset, address };
        state.memories.push(place.memory);
        return place;
      }
    }
    // A macro: wherever its expression says now, C memory like any pointer C gives.
    const address = macro!();
    if (address === 0) throw new FFIError(`${where}: its address is NULL now (the source defines '${d.name}' as a macro, which gave no object)`);
    if (place?.address === address) return place;
    const window = placeMemory(address, size);
    const memory = heldWindow(window.memory, state.results, address);
    place = { memory: readonly ? readOnly(memory) : memory, offset: window.offset, address: address as number };
    return place;
  };
  state.globals.set(d.name, locate);
  Object.defineProperty(lib, d.name, {
    configurable: !spec.eager,
    enumerable: true,
    get() {
      const p = locate();
      refuseOpaque(d, where);
      return readAt(d.type, p.memory, p.offset, p.address);
    },
    set(value: unknown) {
      const p = locate();
      refuseOpaque(d, where);
      if (readonly) throw new TypeError(`${where}: it is declared const, so C keeps it in read-only memory; it cannot be assigned`);
      // An open array ('extern int a[];') takes as many items as it is given, as CFFI writes them: C says how many fit.
      if (d.type.kind === 'array' && d.type.length === null) writeOpenArray(d.type, p.memory.v, p.offset, value, where);
      else writeAt(d.type, p.memory.v, p.offset, value, where);
    },
  });
}

/**
 * The address entry `entry` of the function table `table` holds (see Binding.entry in codegen/glue.ts):
 * the function's own address, or its wrapper's. @internal
 */
export function entryAddress(loaded: LoadedLibrary, table: string, entry: number): number {
  const place = placeRaw(loaded.symbolAddress(table) + entry * 8, 8);
  return Number(place.view.getBigUint64(place.offset, true));
}

/** The symbol a dlopen() library looks `name` up by: its asm label's, or the name itself. @internal */
export function symbolOf(spec: LibSpec, name: string): string {
  return spec.symbols?.get(name) ?? name;
}

/** The same memory through a view whose writes are refused. */
function readOnly(m: Memory): Memory {
  const v = m.v;
  const r = new Memory(m.kind, new ReadOnlyView(v.buffer, v.byteOffset, v.byteLength), m.lo, m.hi, m.keep, null, true, m.bounded);
  r.holds = m.holds;
  return r;
}

/**
 * Refuses a function or global whose type mentions a layout still waiting for verify() (a library
 * from dlopen() made before verify() settled the types).
 * @internal
 */
export function refusePending(spec: LibSpec, name: string, t: CType): void {
  const p = settledPending(t);
  if (p) throw new FFIError(`${spec.label}: '${name}': ${pendingReason(p)}`);
}

/** The C type of a glue accessor returning the address of a global of type `t`. */
function addressGetter(t: CType): FunctionType {
  return functionType([], pointerTo(t), false);
}
