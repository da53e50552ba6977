// Library namespaces: the object verify() and dlopen() return, with a property per declared function, global and constant.
import { FFIError } from './errors';
import type { Decl } from './ctype/registry';
import type { LoadedLibrary } from './backend/koffi';
import { CallGuard, makeCaller } from './cdata/call';
import { readAt, writeAt } from './cdata/classes';
import { placeRaw } from './cdata/memory';

/** What a library object exposes: functions, globals and constants by name (typed loosely; see `cffi types`). */
export type Lib = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface LibState {
  readonly loaded: LoadedLibrary;
  readonly guard: CallGuard;
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
  /** For verify() libraries, the exported symbol to call for each function (its wrapper). */
  readonly symbols?: ReadonlyMap<string, string>;
  /** Constant values the compiler reported, overriding or completing the cdef's. */
  readonly constants?: ReadonlyMap<string, number | bigint>;
  /** Bind every function now (verify) rather than on first use (dlopen). */
  readonly eager: boolean;
}

/** Builds the library object for the declarations in `spec`. */
export function makeLib(spec: LibSpec): Lib {
  const lib: Lib = Object.create(missingNames(spec.label));
  const guard: CallGuard = { closed: false, name: spec.label };
  states.set(lib, { loaded: spec.loaded, guard });

  for (const d of spec.decls) {
    switch (d.kind) {
      case 'function': {
        const bind = () => makeCaller(d.name, d.type, d.argNames, spec.loaded.bind(spec.symbols?.get(d.name) ?? d.name, d.type), guard);
        if (spec.eager) {
          Object.defineProperty(lib, d.name, { value: bind(), enumerable: true });
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
        const value = spec.constants?.get(d.name) ?? d.value;
        Object.defineProperty(lib, d.name, {
          enumerable: true,
          get() {
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
      case 'typedef':
      case 'tag':
        break;
    }
  }
  return lib;
}

/** A global variable as a property: scalars read and write their value; arrays and structs read as cdata views
 * and are assigned like initialisers (a list, an object of fields, or a cdata of the same type). */
function defineGlobal(lib: Lib, d: Decl & { kind: 'variable' }, spec: LibSpec, guard: CallGuard): void {
  let place: { view: DataView; offset: number; address: number } | null = null;
  const where = `global '${d.name}'`;
  const locate = () => {
    if (guard.closed) throw new FFIError(`${where}: the library ${guard.name} was closed with ffi.dlclose()`);
    if (!place) {
      const address = spec.loaded.symbolAddress(d.name);
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

/** Closes a library from dlopen()/verify(): its functions and globals throw from now on. */
export function closeLib(lib: unknown): void {
  const state = typeof lib === 'object' && lib !== null ? states.get(lib) : undefined;
  if (!state) throw new TypeError(`ffi.dlclose(): expected a library returned by ffi.dlopen() or ffi.verify()`);
  if (state.guard.closed) return;
  state.guard.closed = true;
  state.loaded.close();
}

/** The loaded library behind a library object (for addressof(lib, name)). */
export function loadedOf(lib: unknown): LoadedLibrary | undefined {
  return typeof lib === 'object' && lib !== null ? states.get(lib)?.loaded : undefined;
}
