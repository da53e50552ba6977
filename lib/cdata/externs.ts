// extern "Python" functions: the JavaScript functions ffi.defExtern() attaches, and the pointers in each library's C they are called through.
import { FFIError, show, TypeError } from '../errors';
import { CType, FunctionType, VOID, primitive } from '../ctype/model';
import { functionType } from '../ctype/intern';
import { LoadedLibrary } from '../backend/koffi';
import { readCString } from '../backend/calls';
import { writeAt } from './access';
import { toC_f80, toCScalar } from './convert';
import { Address, placeRaw, toAddress } from './memory';
import { CallbackOptions, Trampoline, registerTrampoline } from './callback';

/**
 * An extern "Python" function as one library has it (see codegen/glue.ts, `ExternBinding`): the
 * addresses of the pointer its C function calls through and of its error value (null: void).
 */
export interface ExternSlot {
  readonly name: string;
  readonly type: FunctionType;
  readonly lowered: FunctionType | null;
  readonly slot: number;
  readonly error: number | null;
}

/** The extern "Python" functions of one library, while the library is open. */
export interface LibraryExterns {
  readonly loaded: LoadedLibrary;
  /** Set (to why) once the library is closed: its memory is no longer written. */
  readonly guard: { readonly why: string };
  readonly slots: ReadonlyMap<string, ExternSlot>;
  /** The address of the pointer its extern functions report through when nothing is attached yet. */
  readonly report: number;
}

/**
 * A JavaScript function attached by ffi.defExtern(): its C address (a trampoline of the lowered
 * type) and what C returns when it throws. The trampoline is freed once nothing holds this
 * object: neither the FFI (until another function replaces it) nor a library still loaded whose
 * C may call it.
 */
interface Attached {
  readonly address: number;
  /** The bytes of the error value for the library's error slot (null: void). */
  readonly error: Uint8Array | null;
}

const trampolines = new FinalizationRegistry<Trampoline>((t) => t.release());

/** ffi.defExtern()'s arguments: `(fn)`, `(fn, options)`, `(name, fn)` or `(name, fn, options)`. */
export interface ExternDefinition {
  readonly name: string;
  readonly fn: (...args: unknown[]) => unknown;
  readonly options: CallbackOptions;
}

/** Reads ffi.defExtern()'s arguments as CFFI's def_extern(name=None, error=None, onerror=None) reads them, the function given along. */
export function externArguments(args: readonly unknown[]): ExternDefinition {
  const where = 'ffi.defExtern()';
  let name: unknown;
  let fn: unknown;
  let options: unknown;
  if (typeof args[0] === 'function') {
    if (args.length > 2) throw new TypeError(`${where}: expected (fn, options?) or (name, fn, options?), got ${args.length} arguments`);
    [fn, options] = args;
    name = (fn as { name?: unknown }).name;
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(`${where}: the function has no name to find its extern "Python" declaration by; pass the name first: ffi.defExtern('name', fn)`);
    }
  } else if (typeof args[0] === 'string') {
    if (args.length > 3) throw new TypeError(`${where}: expected (fn, options?) or (name, fn, options?), got ${args.length} arguments`);
    [name, fn, options] = args;
    if (typeof fn !== 'function') throw new TypeError(`ffi.defExtern('${name}'): expected the JavaScript function to attach, got ${show(fn)}`);
  } else {
    throw new TypeError(`${where}: expected a function, or the name of an extern "Python" function and a function, got ${show(args[0])}`);
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`ffi.defExtern('${name}'): expected options { error, onerror } as an object, got ${show(options)}`);
  }
  return { name: name as string, fn: fn as (...a: unknown[]) => unknown, options: (options ?? {}) as CallbackOptions };
}

/**
 * The extern "Python" functions of one FFI: the JavaScript function attached to each name, and the
 * libraries (held weakly) whose C calls them. Attaching writes the function's C address into every
 * open library that has the name, and libraries made later get it as they open.
 */
export class ExternTable {
  readonly #attached = new Map<string, Attached>();
  readonly #libraries = new Set<WeakRef<LibraryExterns>>();

  /**
   * Attaches `fn` to the extern "Python" function `type` (declared as `name`, whose generated C
   * passes structs, unions and long doubles by pointer when `lowered`); a function attached
   * before is replaced.
   */
  define(name: string, type: FunctionType, lowered: FunctionType | null, language: string, fn: (...args: unknown[]) => unknown, options: CallbackOptions): void {
    const label = `extern "${language}" function ${name}()`;
    const trampoline = registerTrampoline(type, fn, options, label, lowered);
    let error: Uint8Array | null;
    try {
      error = errorBytes(type.result, options.error, `ffi.defExtern('${name}'): options.error`);
    } catch (e) {
      trampoline.release();
      throw e;
    }
    const attached: Attached = { address: trampoline.address, error };
    trampolines.register(attached, trampoline);
    this.#attached.set(name, attached);
    for (const ref of this.#libraries) {
      const lib = ref.deref();
      if (lib === undefined) this.#libraries.delete(ref);
      else attach(lib, name, attached);
    }
  }

  /** Takes in a library just opened: the functions attached so far go into its C, and later ones will. */
  adopt(lib: LibraryExterns): void {
    // The library keeps its record for this FFI (and so its entry here) alive while it is loaded.
    lib.loaded.hold(this, lib);
    if (lib.report !== 0) writePointer(lib.report, reportAddress());
    for (const [name, attached] of this.#attached) attach(lib, name, attached);
    for (const ref of this.#libraries) if (ref.deref() === undefined) this.#libraries.delete(ref);
    this.#libraries.add(new WeakRef(lib));
  }
}

/** Stores `attached` in the library's slot for `name` (if it has one and is open): the error value first, then the function. */
function attach(lib: LibraryExterns, name: string, attached: Attached): void {
  const s = lib.slots.get(name);
  if (s === undefined || lib.guard.why !== '') return;
  if (s.error !== null && attached.error !== null) {
    const to = placeRaw(s.error, attached.error.length);
    for (let i = 0; i < attached.error.length; i++) to.view.setUint8(to.offset + i, attached.error[i]);
  }
  lib.loaded.hold(`extern "Python" ${name}`, attached);
  writePointer(s.slot, attached.address);
}

/** Stores a code address in a pointer C reads from other threads too: one 64-bit store. */
function writePointer(at: number, value: number): void {
  const p = placeRaw(at, 8);
  Atomics.store(new BigInt64Array(p.view.buffer, p.view.byteOffset + p.offset, 1), 0, BigInt(value));
}

/** The bytes of the error value a C function of result type `t` returns when a call is refused (zero by default). */
function errorBytes(t: CType, value: unknown, where: string): Uint8Array | null {
  if (t.kind === 'void') return null;
  const bytes = new Uint8Array(t.size);
  if (value === undefined) return bytes;
  const view = new DataView(bytes.buffer);
  if (t.kind === 'primitive' && t.repr === 'f80') toC_f80(view, 0, typeof value === 'number' ? value : (toCScalar(t, value, where) as number | bigint));
  else writeAt(t, view, 0, value, where);
  return bytes;
}

/** The one trampoline every library's extern functions report through when called before ffi.defExtern(). */
let reporter: Trampoline | null = null;

function reportAddress(): number {
  reporter ??= registerTrampoline(
    REPORT_TYPE,
    (message: unknown) => {
      const text = readCString(typeof message === 'bigint' ? Number(message) : (message as number));
      process.emitWarning(text, 'CallbackError');
    },
    {},
    'the report of an extern "Python" function called before ffi.defExtern()',
  );
  return reporter.address;
}
const REPORT_TYPE = functionType([primitive('uintptr_t')], VOID, false);

/** The address of an extern "Python" function's C code, read from the glue's constant holding it. */
export function externAddress(at: number): Address {
  const p = placeRaw(at, 8);
  return toAddress(p.view.getBigInt64(p.offset, true));
}

/** The FFIError of ffi.defExtern() for a name no cdef declared extern "Python". */
export function notExtern(name: string): FFIError {
  return new FFIError(
    `ffi.defExtern('${name}'): no 'extern "Python"' function with this name; declare one in a cdef first ` +
      `(extern "Python" int ${name}(int);) and define nothing for it in the source`,
  );
}
