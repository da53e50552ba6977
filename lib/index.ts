// Public entry of node-cffi: the FFI class, cc(), the errors, and the types users see (its declarations reach nothing of koffi's).
import { backendStatus as koffiStatus } from './backend/koffi';
import type { CData } from './cdata/base';
import type { EnumValue } from './cdata/scalar';
import type { CType } from './ctype/model';
import { StartupStatus, startupStatus } from './startup';

export { FFI, CompilerWarning } from './ffi';
export type { VerifyOptions, CompileOptions, CastResult, TypeScriptOptions, HeaderOptions, HeaderSkipped } from './ffi';
export type { CdefOptions } from './cparser/parser';
export type { CallbackOptions } from './cdata/callback';
export type { DumpOptions } from './cdata/dump';
export type { FromBufferOptions } from './cdata/api';
export type { AllocatorOptions } from './cdata/lifetime';
export type { Lib } from './clib';
import type * as Cc from './cc';
// cc() reads whole C sources: loaded when first called, not by require('node-cffi').
let ccModule: typeof Cc | undefined;
const ccStage = (): typeof Cc => (ccModule ??= require('./cc') as typeof Cc);
/** Compiles C source as ffi.verify() does and returns its library, declaring what the source defines (see lib/cc/index.ts). */
export const cc: typeof Cc.cc = (source, options) => ccStage().cc(source, options);
/** cc() into an FFI of yours: its types and earlier declarations are shared with the library. */
export const ccInto: typeof Cc.ccInto = (ffi, source, options) => ccStage().ccInto(ffi, source, options);
/** What cc() would declare for a source, without compiling it into a library. */
export const ccDeclarations: typeof Cc.ccDeclarations = (source, options) => ccStage().ccDeclarations(source, options);
/** The FFI a cc() library was verified with. */
export const ffiOf: typeof Cc.ffiOf = (lib) => ccStage().ffiOf(lib);
/** What cc() declared for a library, and what it left out. */
export const declarationsOf: typeof Cc.declarationsOf = (lib) => ccStage().declarationsOf(lib);
export type { CcOptions, CcDeclarations, Skipped, CdefChunk } from './cc';
export { FFIError, CDefError, VerificationError } from './errors';
export { CData } from './cdata/base';
export type { CFunction } from './cdata/base';
export { EnumValue } from './cdata/scalar';
export type { Complex } from './cdata/convert';
export type {
  CType, CTypeKind, CField, PrimitiveType, VoidType, PointerType, ArrayType, StructType, EnumType, FunctionType,
} from './ctype/model';

/**
 * A function pointer cdata typed by its C signature, as `cffi types` writes it for function
 * pointers returned by C or read from a struct or a global: call it, or `.async(...)` it.
 */
export type CFunctionOf<F extends (...args: any[]) => any> = CData & F & { // eslint-disable-line @typescript-eslint/no-explicit-any
  async(...args: Parameters<F>): Promise<ReturnType<F>>;
};

/**
 * An argument past a variadic function's fixed ones. It must carry its C type, since a number's
 * is ambiguous: a pair such as `['int', 42]` or `['double', 2.5]`, a string (`char *`), a cdata
 * pointer or array, an enum value from ffi.cast, a boolean (as `int`), a bigint (64 bits), null.
 */
export type VariadicArgument = readonly [string | CType, unknown] | string | CData | EnumValue | boolean | bigint | null;

/** What carries C calls here, for diagnostics (`cffi doctor`). */
export interface BackendStatus {
  /** koffi's version: koffi has just loaded the C library, so its binary works here. */
  readonly koffi: string;
  /** Whether the optional native helper is loaded, and where from or why not. */
  readonly native: { readonly loaded: boolean; readonly detail: string };
  /** The same for the views helper (views of C memory V8 does not count as its own; without it each new region read costs a full collection). */
  readonly views: { readonly loaded: boolean; readonly detail: string };
  /**
   * How the package's entry compiled node-cffi in this process: 'used' (from V8's code cache, the
   * file in `detail`), 'compiled' (from its text; `detail` says why and where the cache is written
   * at exit) or 'off' (no code cache: `detail` says why). See docs/reliability.md.
   */
  readonly codeCache: StartupStatus;
}

/**
 * Loads the C library through koffi (throws when koffi cannot) and reports koffi's version and the
 * native helper's state. (Declared here, with its result type, so that the public declarations
 * never import the backend's, which import koffi's.)
 */
export const backendStatus = (): BackendStatus => ({ ...koffiStatus(), codeCache: startupStatus() });
