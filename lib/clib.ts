// Library namespaces: the object verify() and dlopen() return, with a property per declared function, global and constant.
import { FFIError } from './errors';
import type { Decl } from './ctype/registry';
import { CType, FunctionType, functionType, pendingIn, pendingReason, pointerTo } from './ctype/model';
import type { Binding } from './codegen/glue';
import type { LoadedLibrary } from './backend/koffi';
import { CallGuard, Caller, makeCaller } from './cdata/call';
import { readAt, wrapPointer, writeAt } from './cdata/classes';
import type { CData } from './cdata/base';
import { placeRaw } from './cdata/memory';

/** What a library object exposes: functions, globals and constants by name (typed loosely; see `cffi types`). */
export type Lib = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface LibState {
  readonly loaded: LoadedLibrary;
  readonly guard: CallGuard;
  readonly spec: LibSpec;
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
  const guard: CallGuard = { closed: false, why: `the library ${spec.label} was closed with ffi.dlclose()` };
  states.set(lib, { loaded: spec.loaded, guard, spec });

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
        defineGlobal(lib, d, spec, guard);
        break;
      case 'extern-callback':
        // Recorded by cdef; the C function it declares and ffi.defExtern() are not implemented yet: say so by name.
        Object.defineProperty(lib, d.name, {
          get() {
            throw new FFIError(
              `${spec.label}: '${d.name}' is declared extern "${d.language}", a C function whose body JavaScript gives; ` +
                'node-cffi does not generate such functions yet',
            );
          },
        });
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

/** A global variable as a property: scalars read and write their value; arrays and structs read as cdata views
 * and are assigned like initialisers (a list, an object of fields, or a cdata of the same type). */
function defineGlobal(lib: Lib, d: Decl & { kind: 'variable' }, spec: LibSpec, guard: CallGuard): void {
  let place: { view: DataView; offset: number; address: number } | null = null;
  const where = `global '${d.name}'`;
  const accessor = spec.globals?.get(d.name);
  const locate = () => {
    if (guard.closed) throw new FFIError(`${where}: ${guard.why}`);
    if (!place) {
      refusePending(spec, d.name, d.type);
      if (d.lengthFromCompiler && d.type.kind === 'array' && d.type.length === null) {
        throw new FFIError(`${spec.label}: global '${d.name}': its length comes from the compiler ('[...]'), so use verify()`);
      }
      const address = accessor === undefined ? spec.loaded.symbolAddress(d.name) : (spec.loaded.bind(accessor, addressGetter(d.type))() as number);
      const size = d.type.size > 0 ? d.type.size : 1;
      const p = placeRaw(address, size);
      place = { view: p.view, offset: p.offset, address };
    }
    return place;
  };
  Object.defineProperty(lib, d.name, {
    enumerable: true,
    get() {
      const p = locate();
      return readAt(d.type, p.view, p.offset, p.address, lib);
    },
    set(value: unknown) {
      const p = locate();
      writeAt(d.type, p.view, p.offset, value, where);
    },
  });
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

/** Closes a library from dlopen()/verify(): its functions and globals throw from now on. */
export function closeLib(lib: unknown): void {
  const state = typeof lib === 'object' && lib !== null ? states.get(lib) : undefined;
  if (!state) throw new TypeError(`ffi.dlclose(): expected a library returned by ffi.dlopen() or ffi.verify()`);
  if (state.guard.closed) return;
  state.guard.closed = true;
  state.loaded.close();
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
  if (guard.closed) throw new FFIError(`ffi.addressof(lib, '${name}'): ${guard.why}`);
  const d = spec.decls.find((x) => (x.kind === 'function' || x.kind === 'variable') && x.name === name);
  if (!d || (d.kind !== 'function' && d.kind !== 'variable')) {
    throw new FFIError(`ffi.addressof(lib, '${name}'): ${spec.label} declares no function or global named '${name}'`);
  }
  const accessor = d.kind === 'variable' ? spec.globals?.get(name) : undefined;
  const address = accessor === undefined ? spec.loaded.symbolAddress(name) : (spec.loaded.bind(accessor, addressGetter(d.type))() as number);
  return wrapPointer(pointerTo(d.type), address, lib)!;
}
