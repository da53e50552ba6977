// How the glue reaches each cdef declaration, decided before any of its text: the symbols of functions, extern "Python" functions, globals and constants, and which functions go by pointer.
import { FFIError } from '../errors';
import { CType, FunctionType, VOID, pendingLayout } from '../ctype/model';
import { functionType, pointerTo } from '../ctype/intern';
import type { Decl } from '../ctype/registry';
import { isIntegerConstant } from './probes';

/** The prefix of every name the glue defines. */
export const PREFIX = '_ncffi_';

/**
 * How one cdef function is reached in the compiled library: through `symbol`, whose C type is
 * `lowered` when it differs from the declared one. Lowering passes structs, unions and long
 * doubles by pointer: a by-value argument becomes a pointer to it, and a by-value result a leading
 * pointer the wrapper stores it through (koffi's own by-value path is several times slower, and
 * koffi has no long double at all).
 */
export interface Binding {
  readonly symbol: string;
  /**
   * When `symbol` is the function table (FUNCTION_TABLE), the index of the function's entry in it:
   * the address of the function itself where the source gives it the cdef's very C type, else of
   * its wrapper. Null when `symbol` is what is called.
   */
  readonly entry: number | null;
  readonly lowered: FunctionType | null;
}

/**
 * The exported table of function addresses (`void (*const [])(void)`) through which verify()
 * reaches the cdef functions that need no lowering. A wrapper is one more function for the
 * compiler to optimise (at header scale, as long as the source's own): the table lets the
 * compiler keep the function itself wherever its type is the cdef's, and drop its wrapper unused.
 */
export const FUNCTION_TABLE = '_ncffi_functions';

/**
 * How the glue defines an extern "Python" function (see `externFunction`), by names derived from
 * the function's own, so that an ahead-of-time module finds them without a table: the C function
 * with the declared signature calls through `slot` (null until ffi.defExtern() stores the
 * JavaScript function's C address there), whose C type is `lowered` when structs, unions or long
 * doubles travel by pointer; `error` holds what it returns while nothing is attached and, for a
 * result returned through a pointer, the error value C keeps when the call is refused (null for
 * void); `address` holds the C function's own address; `wrapper` is how JavaScript calls it.
 */
export interface ExternBinding {
  readonly slot: string;
  readonly lowered: FunctionType | null;
  readonly error: string | null;
  readonly address: string;
  readonly wrapper: Binding;
}

/** The exported pointer every extern "Python" function of a library reports through when called before ffi.defExtern(): `void (*)(const char *message)`. */
export const EXTERN_REPORT = '_ncffi_xreport';

/** The glue's names for the extern "Python" function `d`. */
export function externBinding(d: { readonly name: string; readonly type: FunctionType }): ExternBinding {
  const lowered = lowerByValue(d.type);
  return {
    slot: `${PREFIX}x_${d.name}`,
    lowered,
    error: d.type.result.kind === 'void' ? null : `${PREFIX}xe_${d.name}`,
    address: `${PREFIX}xa_${d.name}`,
    wrapper: { symbol: `${PREFIX}f_${d.name}`, entry: null, lowered },
  };
}

/**
 * The exported function, for a function whose wrapper passes structs by pointer, that has the
 * cdef's own C type (structs by value) and calls it: its address is the function's as a function
 * pointer of the cdef's type (`ffi.addressof(lib, name)`, `lib.f` given as a function pointer).
 */
export function directSymbol(name: string): string {
  return `${PREFIX}d_${name}`;
}

/** An exported function that exists only when the global `name` is a macro, whose address must be taken anew at each access. */
export function macroGlobalSymbol(name: string): string {
  return `${PREFIX}m_${name}`;
}

/** Whether values of type `t` travel between JavaScript and a wrapper by pointer: structs, unions and long doubles. */
export const byPointer = (t: CType): boolean => t.kind === 'struct' || t.kind === 'union' || (t.kind === 'primitive' && t.repr === 'f80');

/** The wrapper's C type when structs, unions and long doubles travel by pointer; null when nothing needs lowering. */
export function lowerByValue(t: FunctionType): FunctionType | null {
  if (!byPointer(t.result) && !t.args.some(byPointer)) return null;
  const args = t.args.map((a) => (byPointer(a) ? pointerTo(a) : a));
  return byPointer(t.result) ? functionType([pointerTo(t.result), ...args], VOID, false) : functionType(args, t.result, false);
}

/** What bindingsOf() decides. */
export interface Bindings {
  /** How to bind each cdef function (its wrapper, the function table's entry, or itself when variadic). */
  readonly functions: ReadonlyMap<string, Binding>;
  /** The extern "Python" functions the glue defines, by name. */
  readonly externs: ReadonlyMap<string, ExternBinding>;
  /**
   * The exported glue function for each cdef global (`T *f(void)`, returning its address) and for
   * each constant read by value (`void f(void *out)`, storing its value): which one is said by the
   * declaration's kind.
   */
  readonly globals: ReadonlyMap<string, string>;
}

/**
 * How the glue reaches each declaration, decided before any of its text: each function's binding
 * (its exported wrapper when lowered, else the next entry of the function table, in the order of
 * `decls`: a variadic function's entry is the function itself, static ones included), each extern "Python" function's names, and the
 * reader of each global and of each constant read by value (a `static const` of a type with a
 * size, not an integer: integers are probed).
 */
export function bindingsOf(decls: readonly Decl[]): Bindings {
  const functions = new Map<string, Binding>();
  const externs = new Map<string, ExternBinding>();
  const globals = new Map<string, string>();
  let entries = 0;
  for (const d of decls) {
    switch (d.kind) {
      case 'function': {
        const lowered = d.type.ellipsis ? null : lowerByValue(d.type);
        if (lowered) functions.set(d.name, { symbol: `${PREFIX}f_${d.name}`, entry: null, lowered });
        else functions.set(d.name, { symbol: FUNCTION_TABLE, entry: entries++, lowered: null });
        break;
      }
      case 'extern-callback':
        if (d.type.ellipsis) {
          throw new FFIError(
            `extern "${d.language}" function ${d.name}(): a variadic function cannot be extern "${d.language}": JavaScript cannot receive C's '...'; declare its fixed parameters only`,
          );
        }
        externs.set(d.name, externBinding(d));
        break;
      case 'variable':
        globals.set(d.name, `${PREFIX}g_${d.name}`);
        break;
      case 'constant':
        // A type without a size (an opaque one) cannot be read: the library says so when it is used.
        if (!isIntegerConstant(d.type) && d.origin === 'static const' && (d.type.size >= 0 || pendingLayout(d.type))) globals.set(d.name, `${PREFIX}k_${d.name}`);
        break;
      case 'tag':
      case 'typedef':
        break;
    }
  }
  return { functions, externs, globals };
}
