// Library namespaces: the object verify() and dlopen() return, with a property per declared function, global and constant.
import { FFIError, TypeError, closestName } from './errors';
import type { Decl } from './ctype/registry';
import { CType, FunctionType, Q_CONST, VOID, functionType, pendingIn, pendingReason, pointerTo, whyNoSize } from './ctype/model';
import { Binding, EXTERN_REPORT, ExternBinding, directSymbol, macroGlobalSymbol } from './codegen/glue';
import type { LoadedLibrary } from './backend/koffi';
import { Caller, functionGuard, makeCaller, makeFunctionPointer, whenSettled } from './cdata/call';
import { ExternSlot, ExternTable, LibraryExterns, externAddress } from './cdata/externs';
import { classOf, readAt, wrapPointer } from './cdata/classes';
import { writeAt } from './cdata/access';
import type { CData } from './cdata/base';
import { Hold, Memory, ReadOnlyView, allocate, heldWindow, placeMemory, placeRaw } from './cdata/memory';
import { standFor } from './cdata/pointers';
import { callbacksRunning } from './cdata/callback';

/**
 * A library object without an interface of its own: functions, globals and constants by name,
 * each typed `any` (typed `unknown`, every call and every global would need a cast). For checked
 * types, give verify(), cc() or dlopen() the interface `cffi types` writes: `ffi.verify<Lib>(…)`.
 */
export type Lib = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface LibState {
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

/** Where a global lives: its own Memory (bounded by its size, read-only when const), offset and address. */
interface GlobalPlace {
  readonly memory: Memory;
  readonly offset: number;
  readonly address: number;
}
/** A global's place, or the error saying why it has none now. */
type Locate = () => GlobalPlace;
const states = new WeakMap<object, LibState>();

/** Names a library knows of but does not export, with the reason (a static function of the source). */
const hidden = new WeakMap<object, ReadonlyMap<string, string>>();

// ---------------------------------------------------------------------------------------------
// What tools and people see of a library object. A library is an ordinary object: its C names are
// own enumerable properties (so keys, spreading, JSON and deep equality see them), its prototype
// prints it (util.inspect, console.log, the REPL), and the end of its prototype chain answers a
// name the library lacks: with an error naming it (a misspelled C name), or with undefined for the
// names tools look up on any object to learn what it is.

/**
 * Names tools read from any object they are given, each answered undefined: `then` (Promise
 * resolution, `await`), `toJSON` (JSON.stringify, util.format('%j'), pretty-format), `href`
 * (util.inspect and assert ask whether it is a URL), `asymmetricMatch`, `nodeType`, `message`
 * (jest's expect and pretty-format), `default` (module interop; a C keyword, so never a C name),
 * and older conventions still probed (`inspect`, `tagName`, `length`, `size`, `entries`).
 */
const PROBES = new Set([
  'then', 'toJSON', 'href', 'asymmetricMatch', 'nodeType', 'message', 'default', 'inspect', 'tagName', 'length', 'size', 'entries',
]);

/**
 * Whether an absent name is a tool's question rather than a C name: one of PROBES, a name that is
 * not a C identifier (`$$typeof`, `@@__IMMUTABLE_ITERABLE__@@`), or one starting with `__`, which C
 * reserves and JavaScript tools use for markers (`__esModule`, read by every CommonJS/ESM interop).
 */
function isProbe(key: string): boolean {
  return PROBES.has(key) || key.startsWith('__') || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key);
}

/**
 * The end of every library's prototype chain. Its target is an ordinary object, so that
 * `lib instanceof Object` holds and Object.prototype's methods are found as usual.
 */
const missingNames: object = new Proxy(Object.create(Object.prototype) as object, {
  get(target, key, receiver) {
    if (typeof key === 'symbol' || key in target || isProbe(key)) return Reflect.get(target, key, receiver);
    const state = states.get(receiver);
    if (!state) return undefined; // an object made from a library with Object.create(): not ours to judge
    const why = hidden.get(receiver)?.get(key);
    if (why !== undefined) throw new FFIError(`${state.spec.label}: '${key}' ${why}`);
    const near = closestName(key, [...state.names.keys(), ...(hidden.get(receiver)?.keys() ?? [])]);
    const hint = near === null ? 'declare it with ffi.cdef()' : `did you mean '${near}'?`;
    throw new FFIError(`${state.spec.label}: no function, global or constant named '${key}' was declared; ${hint}`);
  },
});

/** Whether a declaration is a name of library objects (a function, global or constant). */
function isLibName(d: Decl): d is Decl & { kind: 'function' | 'variable' | 'constant' | 'extern-callback' } {
  return d.kind === 'function' || d.kind === 'variable' || d.kind === 'constant' || d.kind === 'extern-callback';
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** A function's C declaration: `int add(int, int)`, `char *name(void)`. */
function declaration(name: string, t: FunctionType): string {
  const marker = t.marker;
  const before = marker[marker.indexOf('&') - 1];
  return marker.replace('&', before === '*' || before === '(' ? name : ` ${name}`);
}

type Inspect = (value: unknown, options?: object) => string;
interface InspectOptions {
  readonly depth?: number | null;
  readonly stylize?: (text: string, style: string) => string;
}

/** How a value that cannot be read is shown: what reading it says, in the style of a special value. */
function shownAs(text: string, options: InspectOptions): { [INSPECT](): string } {
  return { [INSPECT]: () => (options.stylize ? options.stylize(text, 'special') : text) };
}

/**
 * The prototype of every library object: util.inspect (so console.log and the REPL) shows
 * `[Lib: <label>] { add: [Function: int add(int, int)], counter: 4, K: 3 }`: each function by its
 * C declaration (a function of a dlopen() library is not looked up for it), each global and
 * constant by its value, or by the reason it has none.
 */
const libPrototype: object = Object.create(missingNames, {
  [INSPECT]: {
    value(this: object, depth: number, options: InspectOptions, inspect: Inspect): string {
      const state = states.get(this);
      if (!state) return '[Lib]';
      const head = `[Lib: ${state.spec.label}]`;
      if (depth < 0) return options.stylize ? options.stylize(head, 'special') : head;
      const shown: Record<string, unknown> = {};
      for (const d of state.names.values()) {
        if (d.kind === 'function') {
          shown[d.name] = shownAs(`[Function: ${declaration(d.name, d.type)}]`, options);
        } else if (d.kind === 'variable' || d.kind === 'constant' || d.kind === 'extern-callback') {
          try {
            shown[d.name] = (this as Lib)[d.name];
          } catch (e) {
            shown[d.name] = shownAs(`[${e instanceof Error ? e.message : String(e)}]`, options);
          }
        }
      }
      // `shown` stands for the library itself: it is inspected at the library's own depth.
      const body = Object.keys(shown).length === 0 ? '{}' : inspect(shown, { ...options, depth });
      return `${head} ${body}`;
    },
  },
  // CFFI's repr of a library, for String(lib) and template strings.
  toString: {
    value(this: object): string {
      const state = states.get(this);
      return state ? `<Lib object for '${state.spec.name}'>` : '[object Object]';
    },
    writable: true,
    configurable: true,
  },
});

/**
 * Marks names that the library must refuse with a reason rather than as undeclared, e.g.
 * `is a static function of the source, not visible outside it`.
 * @internal
 */
export function hideNames(lib: object, reasons: ReadonlyMap<string, string>): void {
  if (!states.has(lib)) throw new TypeError('hideNames(): expected a library returned by ffi.dlopen() or ffi.verify()');
  hidden.set(lib, reasons);
}

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
  /** For verify() libraries: how the glue defines each extern "Python" function, and the FFI's table of the JavaScript functions attached. */
  readonly externs?: { readonly bindings: ReadonlyMap<string, ExternBinding>; readonly table: ExternTable };
}

/** Builds the library object for the declarations in `spec`. @internal */
export function makeLib(spec: LibSpec): Lib {
  const lib: Lib = Object.create(libPrototype);
  const guard = { why: '' };
  const functions = functionGuard(lib);
  const state: LibState = {
    loaded: spec.loaded, guard, spec, names: new Map(), forwarded: new Set(), pointers: new Map(), results: { guard: functions, windows: new WeakMap(), from: null, to: null },
    globals: new Map(), functions, memories: [], externs: null,
  };
  states.set(lib, state);
  const externSlots = new Map<string, ExternSlot>();
  for (const d of spec.decls) if (isLibName(d)) define(lib, d, state, externSlots);
  for (const d of spec.included?.decls ?? []) if (isLibName(d) && !state.names.has(d.name)) defineIncluded(lib, d, state);
  if (externSlots.size > 0 && spec.externs) {
    state.externs = { loaded: spec.loaded, guard, slots: externSlots, report: spec.loaded.symbolAddress(EXTERN_REPORT) };
    spec.externs.table.adopt(state.externs);
  }
  return lib;
}

/** Defines the property of a function, global or constant (replacing one of the same name in a library from dlopen()). */
function define(lib: Lib, d: Decl & { kind: 'function' | 'variable' | 'constant' | 'extern-callback' }, state: LibState, externSlots: Map<string, ExternSlot>): void {
  const { spec } = state;
  state.names.set(d.name, d);
  state.pointers.delete(d.name);
  state.globals.delete(d.name);
  switch (d.kind) {
    case 'function': {
      const bind = () => {
        refusePending(spec, d.name, d.type);
        const binding = spec.functions?.get(d.name) ?? { symbol: d.name, lowered: null };
        const raw = spec.loaded.bind(binding.symbol, binding.lowered ?? d.type, `${d.name}()`);
        const target = { raw, lowered: binding.lowered, resolveType: spec.resolveType, results: state.results };
        return makeCaller(`${d.name}()`, d.type, d.argNames, target, state.guard);
      };
      if (spec.eager && !spec.bindOnUse) {
        Object.defineProperty(lib, d.name, { value: standingFor(bindOrRefuse(bind), d, state), enumerable: true });
      } else {
        if (spec.eager) refusePending(spec, d.name, d.type);
        Object.defineProperty(lib, d.name, {
          configurable: true,
          enumerable: true,
          get() {
            const fn = standingFor(spec.eager ? bindOrRefuse(bind) : bind(), d, state);
            Object.defineProperty(lib, d.name, { value: fn, enumerable: true, configurable: !spec.eager });
            return fn;
          },
        });
      }
      break;
    }
    case 'constant':
      defineConstant(lib, d, spec, state.guard);
      break;
    case 'variable':
      defineGlobal(lib, d, state);
      break;
    case 'extern-callback':
      defineExtern(lib, d, state, externSlots);
      break;
  }
}

/**
 * A library from dlopen() learns the declarations its FFI makes after it was opened (as CFFI's
 * does): new names, and those a cdef with `override` replaced. @internal
 */
export function declareLater(lib: Lib, decls: Iterable<Decl>): void {
  const state = states.get(lib);
  if (!state || state.spec.eager || state.guard.why !== '') return;
  for (const d of decls) if (isLibName(d) && state.names.get(d.name) !== d) define(lib, d, state, new Map()); // no extern "Python" function in a dlopen() library
}

/**
 * A name an included FFI declares, in a verify() library: the value of that FFI's library, read
 * (and, for a global, written) through it; a constant whose value its declaration carries is that value.
 */
function defineIncluded(lib: Lib, d: Decl & { kind: 'function' | 'variable' | 'constant' | 'extern-callback' }, state: LibState): void {
  const { spec } = state;
  state.names.set(d.name, d);
  state.forwarded.add(d.name);
  const from = (): Lib => includedLibrary(state, d.name);
  Object.defineProperty(lib, d.name, {
    enumerable: true,
    get() {
      if (d.kind === 'constant') {
        if (d.value !== undefined) return d.value;
        if (d.type.kind === 'enum' && d.type.relements[d.name] !== undefined) return d.type.relements[d.name];
      }
      return from()[d.name];
    },
    set(value: unknown) {
      if (d.kind !== 'variable') throw new FFIError(`${spec.label}: '${d.name}' is not a global variable; it cannot be assigned`);
      from()[d.name] = value;
    },
  });
}

/** The library of the included FFI that declares `name`, or the error saying it has none. */
function includedLibrary(state: LibState, name: string): Lib {
  const other = state.spec.included?.libraryOf(name) ?? null;
  if (other === null) {
    throw new FFIError(
      `${state.spec.label}: '${name}' is declared by an FFI given to ffi.include(), which had no library in use when this one was ` +
        "made (none from its verify() yet, or the last was dropped); that library is what this name refers to: verify() that FFI, and keep its library, first",
    );
  }
  return other;
}

/**
 * A library function, as CFFI's API-mode functions are: a JavaScript function, not a cdata, that
 * stands for its function pointer wherever one is expected (an argument, ffi.cast, ffi.typeof). It
 * keeps its library object alive.
 */
function standingFor(fn: Caller, d: Decl & { kind: 'function' }, state: LibState): Caller {
  standFor(fn, pointerTo(d.type), () => functionPointer(state, d));
  return fn;
}

/**
 * A function of the library as a function pointer cdata (made once): the address of its wrapper in a
 * verify() library, which has the cdef's type whatever the source's (CFFI's API mode gives its
 * wrapper's too); of a function taking or returning a struct by value, its direct wrapper; of the
 * function itself in a library from dlopen() and for variadic functions. It refuses calls once the
 * library is closed.
 */
function functionPointer(state: LibState, d: Decl & { kind: 'function' }): CData {
  const known = state.pointers.get(d.name);
  if (known) return known;
  const { spec } = state;
  if (state.guard.why !== '') throw new FFIError(`'${d.name}': ${state.guard.why}`);
  const binding = spec.functions?.get(d.name);
  const symbol = binding === undefined || binding.symbol === d.name ? d.name : binding.lowered ? directSymbol(d.name) : binding.symbol;
  let address: number;
  try {
    address = spec.loaded.symbolAddress(symbol);
  } catch (e) {
    if (!(e instanceof FFIError) || symbol === d.name) throw e;
    throw new FFIError(`${spec.label}: the address of '${d.name}' is not known: ${e.message} (a module compiled by an older node-cffi; compile it again)`);
  }
  const p = wrapPointer(pointerTo(d.type), address, state.functions)!;
  state.pointers.set(d.name, p);
  return p;
}

// ---------------------------------------------------------------------------------------------
// extern "Python" functions

/**
 * An extern "Python" function as a property: the function pointer to its C function (as CFFI
 * gives it), called through its wrapper; its slot is recorded in `slots` for ffi.defExtern(). A
 * library from dlopen() has no such function (only the glue of verify() defines them).
 */
function defineExtern(lib: Lib, d: Decl & { kind: 'extern-callback' }, state: LibState, slots: Map<string, ExternSlot>): void {
  const { spec } = state;
  const b = spec.externs?.bindings.get(d.name);
  if (b === undefined) {
    Object.defineProperty(lib, d.name, {
      configurable: !spec.eager,
      enumerable: true,
      get() {
        throw new FFIError(
          `${spec.label}: '${d.name}' is declared extern "${d.language}", a C function that the code verify() generates defines; ` +
            `a library from dlopen() has none; use verify() (or setSource() and compile())`,
        );
      },
    });
    return;
  }
  const { loaded } = spec;
  slots.set(d.name, {
    name: d.name, type: d.type, lowered: b.lowered, slot: loaded.symbolAddress(b.slot),
    error: b.error === null ? null : loaded.symbolAddress(b.error),
  });
  const label = `${d.name}()`;
  const raw = loaded.bind(b.wrapper.symbol, b.wrapper.lowered ?? d.type, label);
  const fp = makeFunctionPointer(pointerTo(d.type), externAddress(loaded.symbolAddress(b.address)), state.functions, {
    raw, lowered: b.wrapper.lowered, resolveType: spec.resolveType, label, argNames: d.argNames,
  });
  Object.defineProperty(lib, d.name, { value: fp, enumerable: true });
}

/**
 * Binds now; a function whose signature cannot cross the call boundary (a `long double`) does not
 * fail the whole library: calling it throws the reason instead.
 */
function bindOrRefuse(bind: () => Caller): Caller {
  try {
    return bind();
  } catch (e) {
    if (!(e instanceof globalThis.TypeError)) throw e;
    const message = e.message;
    const refuse = (): never => {
      throw new TypeError(message);
    };
    return Object.assign(refuse, { async: async () => refuse() });
  }
}

/**
 * A constant as a read-only property. An integer constant has its value already (the cdef's, or
 * the compiler's from the probes); any other (`static const double D;`, `char *const p;`,
 * `const struct s S;`) is read once, when first used: through the glue function storing its
 * value (verify()), or from the library's symbol (dlopen()). Assigning one is an FFIError.
 */
function defineConstant(lib: Lib, d: Decl & { kind: 'constant' }, spec: LibSpec, guard: { readonly why: string }): void {
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
      address = spec.loaded.symbolAddress(d.name);
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
 */
function defineGlobal(lib: Lib, d: Decl & { kind: 'variable' }, state: LibState): void {
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
      macro = getter !== null && hasSymbol(spec.loaded, macroGlobalSymbol(d.name)) ? getter : null;
      if (macro === null) {
        const address = getter === null ? spec.loaded.symbolAddress(d.name) : (getter() as number);
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
    const memory = heldWindow(window.memory, state.results);
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
      writeAt(d.type, p.memory.v, p.offset, value, where);
    },
  });
}

/** Whether the library has the symbol `name`. */
function hasSymbol(loaded: LoadedLibrary, name: string): boolean {
  try {
    loaded.symbolAddress(name);
    return true;
  } catch (e) {
    if (e instanceof FFIError) return false;
    throw e;
  }
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
 */
function refusePending(spec: LibSpec, name: string, t: CType): void {
  const p = pendingIn(t);
  if (p) throw new FFIError(`${spec.label}: '${name}': ${pendingReason(p)}`);
}

/** The C type of a glue accessor returning the address of a global of type `t`. */
function addressGetter(t: CType): FunctionType {
  return functionType([], pointerTo(t), false);
}

/**
 * Closes a library from dlopen()/verify(): its functions, its globals and every view of them, and
 * the function pointers ffi.addressof() took from it refuse to be used from now on. The library is
 * unloaded once no `.async` call into it is in flight. Refused inside a callback C is running (the
 * library's code may be on the stack below it). @internal
 */
export function closeLib(lib: unknown): void {
  const state = typeof lib === 'object' && lib !== null ? states.get(lib) : undefined;
  if (!state) throw new TypeError(`ffi.dlclose(): expected a library returned by ffi.dlopen() or ffi.verify()`);
  if (state.guard.why !== '') return;
  if (callbacksRunning() > 0) {
    throw new FFIError(
      `ffi.dlclose(${state.spec.label}): called inside a callback that C is running, whose caller's code may be in this library; ` +
        'close it once the C call has returned (for example in setImmediate())',
    );
  }
  const why = `the library ${state.spec.label} was closed with ffi.dlclose()`;
  state.guard.why = why;
  state.functions.close(why, 'FFIError');
  for (const m of state.memories) m.close(why, 'FFIError');
  whenSettled([state.guard, state.functions], () => state.loaded.close());
}

/** True for the objects verify() and dlopen() return. @internal */
export function isLib(x: unknown): x is Lib {
  return typeof x === 'object' && x !== null && states.has(x);
}

/**
 * ffi.addressof(lib, name): the address of a declared function (a callable function pointer) or
 * global (a pointer to it), as C's `&name`.
 * @internal
 */
export function libAddress(lib: Lib, name: string): CData {
  const state = states.get(lib)!;
  const { spec, guard } = state;
  if (guard.why !== '') throw new FFIError(`ffi.addressof(lib, '${name}'): ${guard.why}`);
  const d = state.names.get(name);
  if (d?.kind === 'extern-callback') return (lib as Record<string, CData>)[name]; // its function pointer (dlopen() refuses it)
  if (!d || (d.kind !== 'function' && d.kind !== 'variable')) {
    if (d?.kind === 'constant') {
      throw new FFIError(`ffi.addressof(lib, '${name}'): '${name}' is a constant (a const global is one: a value read once, as in CFFI), which has no address here`);
    }
    throw new FFIError(`ffi.addressof(lib, '${name}'): ${spec.label} declares no function or global named '${name}'`);
  }
  if (state.forwarded.has(name)) return libAddress(includedLibrary(state, name), name);
  if (d.kind === 'variable') {
    // The global's own Memory: the pointer (and its casts) refuse access once the library is closed.
    const p = state.globals.get(name)!();
    return new (classOf(pointerTo(d.type)))(p.memory, p.address, p.offset, 0, 0);
  }
  return functionPointer(state, d);
}
