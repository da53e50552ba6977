// Library namespaces: the object verify() and dlopen() return, with a property per declared function, global and constant.
import { FFIError } from './errors';
import type { Decl } from './ctype/registry';
import { CType, FunctionType, Q_CONST, functionType, pendingIn, pendingReason, pointerTo } from './ctype/model';
import type { Binding } from './codegen/glue';
import type { LoadedLibrary } from './backend/koffi';
import { Caller, functionGuard, makeCaller, whenSettled } from './cdata/call';
import { classOf, readAt, wrapPointer, writeAt } from './cdata/classes';
import type { CData } from './cdata/base';
import { Memory, ReadOnlyView, placeMemory } from './cdata/memory';
import { callbacksRunning } from './cdata/callback';

/** What a library object exposes: functions, globals and constants by name (typed loosely; see `cffi types`). */
export type Lib = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface LibState {
  readonly loaded: LoadedLibrary;
  readonly guard: { why: string };
  readonly spec: LibSpec;
  /** Each global's place, found on first use (shared by its value, its views and ffi.addressof). */
  readonly globals: Map<string, () => GlobalPlace>;
  /** The Memory of function pointers taken with ffi.addressof(): closed with the library. */
  readonly functions: Memory;
  /** The Memory of every global placed so far: closed with the library. */
  readonly memories: Memory[];
}

/** Where a global lives: its own Memory (bounded by its size, read-only when const), offset and address. */
interface GlobalPlace {
  readonly memory: Memory;
  readonly offset: number;
  readonly address: number;
}
const states = new WeakMap<object, LibState>();

/** Names tools probe on any object (promises, JSON, test matchers): answered undefined, never an error. */
const PROBES = new Set(['then', 'toJSON', 'asymmetricMatch', 'nodeType', 'tagName', 'inspect', 'constructor', 'length']);

/** Names a library knows of but does not export, with the reason (a static function of the source). */
const hidden = new WeakMap<object, ReadonlyMap<string, string>>();

function missingNames(label: string): object {
  return new Proxy(Object.prototype, {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key in target || PROBES.has(key) || key.startsWith('@@') || key.startsWith('$$')) {
        return Reflect.get(target, key, receiver);
      }
      const why = hidden.get(receiver)?.get(key);
      if (why !== undefined) throw new FFIError(`${label}: '${key}' ${why}`);
      throw new FFIError(`${label}: no function, global or constant named '${key}' was declared (declare it with ffi.cdef())`);
    },
  });
}

/**
 * Marks names that the library must refuse with a reason rather than as undeclared, e.g.
 * `is a static function of the source, not visible outside it`.
 */
export function hideNames(lib: object, reasons: ReadonlyMap<string, string>): void {
  if (!states.has(lib)) throw new TypeError('hideNames(): expected a library returned by ffi.dlopen() or ffi.verify()');
  hidden.set(lib, reasons);
}

export interface LibSpec {
  /** Shown in messages: `'libm.so.6'`, `the verify() library`. */
  readonly label: string;
  readonly loaded: LoadedLibrary;
  readonly decls: readonly Decl[];
  /** For verify() libraries, how to bind each function (its wrapper; see codegen/glue.ts). */
  readonly functions?: ReadonlyMap<string, Binding>;
  /** For verify() libraries, the accessor returning each global's address. */
  readonly globals?: ReadonlyMap<string, string>;
  /** Resolves type names given to variadic functions (`['long', 5]`). */
  readonly resolveType: (text: string) => CType;
  /** Constant values the compiler reported, overriding or completing the cdef's. */
  readonly constants?: ReadonlyMap<string, number | bigint>;
  /** Bind every function now (verify) rather than on first use (dlopen). */
  readonly eager: boolean;
}

/** Builds the library object for the declarations in `spec`. */
export function makeLib(spec: LibSpec): Lib {
  const lib: Lib = Object.create(missingNames(spec.label));
  const guard = { why: '' };
  const state: LibState = { loaded: spec.loaded, guard, spec, globals: new Map(), functions: functionGuard(lib), memories: [] };
  states.set(lib, state);

  for (const d of spec.decls) {
    switch (d.kind) {
      case 'function': {
        const bind = () => {
          refusePending(spec, d.name, d.type);
          const binding = spec.functions?.get(d.name) ?? { symbol: d.name, lowered: null };
          const raw = spec.loaded.bind(binding.symbol, binding.lowered ?? d.type, `${d.name}()`);
          return makeCaller(`${d.name}()`, d.type, d.argNames, { raw, lowered: binding.lowered, resolveType: spec.resolveType }, guard);
        };
        if (spec.eager) {
          Object.defineProperty(lib, d.name, { value: bindOrRefuse(bind), enumerable: true });
        } else {
          Object.defineProperty(lib, d.name, {
            configurable: true,
            enumerable: true,
            get() {
              const fn = bind();
              Object.defineProperty(lib, d.name, { value: fn, enumerable: true });
              return fn;
            },
          });
        }
        break;
      }
      case 'constant': {
        const known = spec.constants?.get(d.name) ?? d.value;
        Object.defineProperty(lib, d.name, {
          enumerable: true,
          get() {
            // An enumerator whose value comes from the compiler is known to its enum once a verify() settled it.
            const value = known ?? (d.type.kind === 'enum' ? d.type.relements[d.name] : undefined);
            if (value === undefined) {
              throw new FFIError(`${spec.label}: constant '${d.name}' has no value here; its value comes from the compiler, so use verify()`);
            }
            return value;
          },
        });
        break;
      }
      case 'variable':
        defineGlobal(lib, d, state);
        break;
      case 'typedef':
      case 'tag':
        break;
    }
  }
  return lib;
}

/**
 * Binds now; a function whose signature cannot cross the call boundary (a `long double`) does not
 * fail the whole library: calling it throws the reason instead.
 */
function bindOrRefuse(bind: () => Caller): Caller {
  try {
    return bind();
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    const message = e.message;
    const refuse = (): never => {
      throw new TypeError(message);
    };
    return Object.assign(refuse, { async: async () => refuse() });
  }
}

/**
 * A global variable as a property: scalars read and write their value; arrays and structs read as
 * cdata views and are assigned like initialisers (a list, an object of fields, or a cdata of the
 * same type). A const global is read-only: C keeps it in read-only pages, so assigning it, or
 * writing through a view of it, is refused. Views of a global refuse access once the library is closed.
 */
function defineGlobal(lib: Lib, d: Decl & { kind: 'variable' }, state: LibState): void {
  const { spec, guard } = state;
  let place: GlobalPlace | null = null;
  const where = `global '${d.name}'`;
  const accessor = spec.globals?.get(d.name);
  const readonly = (d.quals & Q_CONST) !== 0;
  const locate = (): GlobalPlace => {
    if (guard.why !== '') throw new FFIError(`${where}: ${guard.why}`);
    if (!place) {
      refusePending(spec, d.name, d.type);
      if (d.lengthFromCompiler && d.type.kind === 'array' && d.type.length === null) {
        throw new FFIError(`${spec.label}: global '${d.name}': its length comes from the compiler ('[...]'), so use verify()`);
      }
      const address = accessor === undefined ? spec.loaded.symbolAddress(d.name) : (spec.loaded.bind(accessor, addressGetter(d.type))() as number);
      const size = d.type.size > 0 ? d.type.size : 1;
      const window = placeMemory(address, size);
      const hi = d.type.size > 0 ? window.offset + size : window.memory.hi;
      const memory = new Memory('guarded', window.memory.v, window.offset, hi, lib, null, false, d.type.size > 0);
      place = { memory: readonly ? readOnly(memory) : memory, offset: window.offset, address };
      state.memories.push(place.memory);
    }
    return place;
  };
  state.globals.set(d.name, locate);
  Object.defineProperty(lib, d.name, {
    enumerable: true,
    get() {
      const p = locate();
      return readAt(d.type, p.memory, p.offset, p.address);
    },
    set(value: unknown) {
      const p = locate();
      if (readonly) throw new TypeError(`${where}: it is declared const, so C keeps it in read-only memory; it cannot be assigned`);
      writeAt(d.type, p.memory.v, p.offset, value, where);
    },
  });
}

/** The same memory through a view whose writes are refused. */
function readOnly(m: Memory): Memory {
  const v = m.v;
  return new Memory(m.kind, new ReadOnlyView(v.buffer, v.byteOffset, v.byteLength), m.lo, m.hi, m.keep, null, true, m.bounded);
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
 * library's code may be on the stack below it).
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

/** True for the objects verify() and dlopen() return. */
export function isLib(x: unknown): x is Lib {
  return typeof x === 'object' && x !== null && states.has(x);
}

/**
 * ffi.addressof(lib, name): the address of a declared function (a callable function pointer) or
 * global (a pointer to it), as C's `&name`.
 */
export function libAddress(lib: Lib, name: string): CData {
  const state = states.get(lib)!;
  const { spec, guard } = state;
  if (guard.why !== '') throw new FFIError(`ffi.addressof(lib, '${name}'): ${guard.why}`);
  const d = spec.decls.find((x) => (x.kind === 'function' || x.kind === 'variable') && x.name === name);
  if (!d || (d.kind !== 'function' && d.kind !== 'variable')) {
    throw new FFIError(`ffi.addressof(lib, '${name}'): ${spec.label} declares no function or global named '${name}'`);
  }
  if (d.kind === 'variable') {
    // The global's own Memory: the pointer (and its casts) refuse access once the library is closed.
    const p = state.globals.get(name)!();
    return new (classOf(pointerTo(d.type)))(p.memory, p.address, p.offset, 0, 0);
  }
  return wrapPointer(pointerTo(d.type), spec.loaded.symbolAddress(name), state.functions)!;
}
