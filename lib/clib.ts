// Library namespaces: the object verify() and dlopen() return, with a property per declared function, global and constant; its functions, included names, how it prints, closing it (globals and constants: clibglobals.ts).
import { DESCRIBE, FFIError, TypeError, closestName } from './errors';
import type { Decl } from './ctype/registry';
import { FunctionType } from './ctype/model';
import type { RawFunction } from './backend/calls';
import { pointerTo } from './ctype/intern';
import type * as Glue from './codegen/glue';
import { Caller, functionGuard, makeCaller, makeFunctionPointer, whenSettled } from './cdata/call';
import { ExternSlot, externAddress } from './cdata/externs';
import { classOf, wrapPointer } from './cdata/classes';
import type { CData } from './cdata/base';
import { standFor } from './cdata/pointers';
import { callbacksRunning } from './cdata/callback';
import { Lib, LibSpec, LibState, defineConstant, defineGlobal, entryAddress, refusePending, symbolOf } from './clibglobals';
import { noteUse } from './startup';

// The glue's symbol names, read when a library is made: loading node-cffi does not load the code generator.
const glueNames = (): typeof Glue => require('./codegen/glue') as typeof Glue;

export type { Lib } from './clibglobals';

/**
 * Each library's state, in a property under this module's own symbol rather than in a WeakMap:
 * V8's young-generation collector keeps a WeakMap entry's value while the value refers to its
 * key, as a state refers to its library, so that every library and its FFI's types survived each
 * collection but a full one. Not enumerable, and found on the library itself only, never on an
 * object made from it with Object.create().
 */
const STATE = Symbol('node-cffi library state');

function stateOf(x: object): LibState | undefined {
  return Object.hasOwn(x, STATE) ? (x as { [STATE]: LibState })[STATE] : undefined;
}

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
    const state = stateOf(receiver);
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
  // In messages (show()): "got the library object of 'z'", where a library was not expected.
  [DESCRIBE]: {
    value(this: object): string {
      const state = stateOf(this);
      return state ? `the library object of ${state.spec.label}` : 'a library object';
    },
  },
  [INSPECT]: {
    value(this: object, depth: number, options: InspectOptions, inspect: Inspect): string {
      const state = stateOf(this);
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
      const state = stateOf(this);
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
  if (stateOf(lib) === undefined) throw new TypeError('hideNames(): expected a library returned by ffi.dlopen() or ffi.verify()');
  hidden.set(lib, reasons);
}


/** Builds the library object for the declarations in `spec`. @internal */
export function makeLib(spec: LibSpec): Lib {
  noteUse('library');
  const lib: Lib = Object.create(libPrototype);
  const guard = { why: '' };
  const functions = functionGuard(lib);
  const state: LibState = {
    loaded: spec.loaded, guard, spec, names: new Map(), forwarded: new Set(), pointers: new Map(), results: { guard: functions, windows: new WeakMap(), from: null, to: null, inside: new Map(), image: null, imageOf: () => spec.loaded.image() },
    globals: new Map(), functions, memories: [], externs: null,
  };
  Object.defineProperty(lib, STATE, { value: state });
  const externSlots = new Map<string, ExternSlot>();
  for (const d of spec.decls) if (isLibName(d) && spec.replaced?.has(d.name) !== true) define(lib, d, state, externSlots);
  for (const d of spec.included?.decls ?? []) if (isLibName(d) && !state.names.has(d.name)) defineIncluded(lib, d, state);
  if (externSlots.size > 0 && spec.externs) {
    state.externs = { loaded: spec.loaded, guard, slots: externSlots, report: spec.loaded.symbolAddress(glueNames().EXTERN_REPORT) };
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
    case 'function':
      if (spec.eager && !spec.bindOnUse) {
        Object.defineProperty(lib, d.name, { value: standingFor(bindOrRefuse(() => bindFunction(state, d)), d, state), enumerable: true });
      } else {
        if (spec.eager) refusePending(spec, d.name, d.type);
        Object.defineProperty(lib, d.name, functionAccessor(d.name));
      }
      break;
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

/** The caller of function `d` of a library, bound now. */
function bindFunction(state: LibState, d: Decl & { kind: 'function' }): Caller {
  const { spec } = state;
  // A closed library has no symbols to look up: say so, as its bound functions do.
  if (state.guard.why !== '') throw new FFIError(`${d.name}(): ${state.guard.why}`);
  refusePending(spec, d.name, d.type);
  const binding = spec.functions?.get(d.name) ?? { symbol: symbolOf(spec, d.name), entry: null, lowered: null };
  const raw = binding.entry === null
    ? bindSymbol(spec, d.name, binding.symbol, binding.lowered ?? d.type)
    : spec.loaded.bindAt(entryAddress(spec.loaded, binding.symbol, binding.entry), d.type, `${d.name}()`);
  const target = { raw, lowered: binding.lowered, resolveType: spec.resolveType, results: state.results };
  return makeCaller(`${d.name}()`, d.type, d.argNames, target, state.guard);
}

/** The function `name` bound by its symbol; a symbol the library lacks is an FFIError with the spec's hint (see LibSpec.missingHint). */
function bindSymbol(spec: LibSpec, name: string, symbol: string, type: FunctionType): RawFunction {
  try {
    return spec.loaded.bind(symbol, type, `${name}()`);
  } catch (e) {
    const hint = e instanceof FFIError && e.missingSymbol !== undefined && spec.missingHint !== undefined ? spec.missingHint(name) : '';
    if (hint === '') throw e;
    throw new FFIError(`${(e as FFIError).message}${hint}`);
  }
}

/**
 * The property of a function bound at its first use, by name: one getter and one descriptor for
 * that name in every library, so that libraries of the same names share V8's object shapes (a
 * getter of each library's own made each library's hundreds of properties a shape of their own).
 * The getter finds its library from the receiver, and replaces itself with the bound function.
 */
const functionAccessors = new Map<string, PropertyDescriptor>();
function functionAccessor(name: string): PropertyDescriptor {
  let accessor = functionAccessors.get(name);
  if (accessor === undefined) {
    accessor = { configurable: true, enumerable: true, get(this: object) { return bindOnUse(this, name); } };
    functionAccessors.set(name, accessor);
  }
  return accessor;
}

function bindOnUse(receiver: object, name: string): Caller {
  // The receiver is the library, or an object made from it with Object.create().
  let lib: object | null = receiver;
  while (lib !== null && !(stateOf(lib) !== undefined && Object.prototype.hasOwnProperty.call(lib, name))) lib = Object.getPrototypeOf(lib);
  const state = lib === null ? undefined : stateOf(lib);
  const d = state?.names.get(name);
  if (lib === null || state === undefined || d?.kind !== 'function') throw new TypeError(`'${name}': not a function of a library made by verify() or dlopen()`);
  const fn = standingFor(state.spec.eager ? bindOrRefuse(() => bindFunction(state, d)) : bindFunction(state, d), d, state);
  Object.defineProperty(lib, name, { value: fn, enumerable: true, configurable: !state.spec.eager });
  return fn;
}

/**
 * A library from dlopen() learns the declarations its FFI makes after it was opened (as CFFI's
 * does): new names, and those a cdef with `override` replaced. @internal
 */
export function declareLater(lib: Lib, decls: Iterable<Decl>): void {
  const state = stateOf(lib);
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
 * A function of the library as a function pointer cdata (made once): in a verify() library, its
 * function table entry, which has the cdef's type whatever the source's (the function itself
 * where the source gives it that type, else its wrapper: CFFI's API mode gives its wrapper's
 * too); of a function taking or returning a struct by value, its direct wrapper; of the
 * function itself in a library from dlopen() and for variadic functions. It refuses calls once the
 * library is closed.
 */
function functionPointer(state: LibState, d: Decl & { kind: 'function' }): CData {
  const known = state.pointers.get(d.name);
  if (known) return known;
  const { spec } = state;
  if (state.guard.why !== '') throw new FFIError(`'${d.name}': ${state.guard.why}`);
  const binding = spec.functions?.get(d.name);
  const symbol = binding === undefined ? symbolOf(spec, d.name) : binding.symbol === d.name ? d.name : binding.lowered ? glueNames().directSymbol(d.name) : binding.symbol;
  let address: number;
  try {
    address = binding !== undefined && binding.entry !== null ? entryAddress(spec.loaded, symbol, binding.entry) : spec.loaded.symbolAddress(symbol);
  } catch (e) {
    if (!(e instanceof FFIError) || binding === undefined || symbol === d.name) throw e;
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
 * Closes a library from dlopen()/verify(): its functions, its globals and every view of them, and
 * the function pointers ffi.addressof() took from it refuse to be used from now on. The library is
 * unloaded once no `.async` call into it is in flight. Refused inside a callback C is running (the
 * library's code may be on the stack below it). @internal
 */
export function closeLib(lib: unknown): void {
  const state = typeof lib === 'object' && lib !== null ? stateOf(lib) : undefined;
  if (!state) throw new TypeError(`ffi.dlclose(): expected a library returned by ffi.dlopen() or ffi.verify()`);
  if (state.guard.why !== '') return;
  if (callbacksRunning() > 0) {
    throw new FFIError(
      `ffi.dlclose(${state.spec.label}): called inside a callback that C is running, whose caller's code may be in this library; ` +
        'close it once the C call has returned (for example in setImmediate())',
    );
  }
  const label = state.spec.label;
  const why = `${label.startsWith('the ') ? label : `the library ${label}`} was closed with ffi.dlclose()`;
  state.guard.why = why;
  state.functions.close(why, 'FFIError');
  for (const m of state.memories) m.close(why, 'FFIError');
  // Pointers into the library's own data (a string literal it returned, a table) lose it now.
  for (const m of state.results.inside.values()) m.close(why, 'FFIError');
  whenSettled([state.guard, state.functions], () => state.loaded.close());
}

/** True for the objects verify() and dlopen() return. @internal */
export function isLib(x: unknown): x is Lib {
  return typeof x === 'object' && x !== null && stateOf(x) !== undefined;
}

/**
 * ffi.addressof(lib, name): the address of a declared function (a callable function pointer) or
 * global (a pointer to it), as C's `&name`.
 * @internal
 */
export function libAddress(lib: Lib, name: string): CData {
  const state = stateOf(lib)!;
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
