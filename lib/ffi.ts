// The FFI facade: CFFI's API over the stages (parser, type model, code generation, build, backend, memory model, library objects); verify() and compile() run apimode.ts (long because it is CFFI's whole API in one class, each method a few lines handing over to a stage: cut in two, the class a user reads would be too).
import { addAliases, memberOf } from './ctype/aliases';
import path = require('path');
import { calledAs, CDefError, checkOptions, FFIError, RangeError, show, TypeError, VerificationError } from './errors';
import type { CdefOptions } from './cparser/parser';
import { CType, CTypeClass, TypeBase, VOID, isCType, pendingReason, settledPending } from './ctype/model';
import { noSizeError, requireSize } from './ctype/sizes';
import { toJs } from './ctype/declarations';
import { pointerTo } from './ctype/intern';
import { Decl, Registry, keyOf } from './ctype/registry';
import { LoadedLibrary, RTLD, cachedName, findLibrary, getErrno, keepingErrno, loadLibrary, setErrno } from './backend/koffi';
import { missingDependency, notAnElfLibrary } from './backend/loaderrors';
import { useBuiltinTypes } from './cdata/call';
import { watchOtherThreads } from './backend/ending';
import { nodeHost } from './host';
import type { CompileOptions } from './aot/loader';
import { CData, CFunction, TYPE, isCData } from './cdata/base';
import {
  FromBufferOptions, addressOf, bufferOf, castTo, fromBuffer, fromBufferArguments, memmove, newCData, sizeOfCData, stringOf, typedView, unpack,
} from './cdata/api';
import { AllocatorOptions, callback, fromHandle, gcAttach, newAllocator, newHandle, release } from './cdata/lifetime';
import { standIn, standInType } from './cdata/pointers';
import { ExternTable, externArguments, notExtern } from './cdata/externs';
import { EnumValue } from './cdata/scalar';
import { DumpOptions, dump, inspectCData } from './cdata/dump';
import { Lib, closeLib, declareLater, hideNames, isLib, libAddress, makeLib } from './clib';
import type { CallbackOptions } from './cdata/callback';
import type { TypeScriptOptions } from './codegen/typescript';
import { Links } from './links';
import type { LibParts, VerifyOptions, WeakFunctions } from './apimode';
import type { CdefRecord } from './units';
import { noteUse } from './startup';
import { aotData, aotLoader, apiMode, buildStage, dlHandle, glueStage, headerLib, headerStage, parser, typeScript } from './stages';
import type { BoundHeaders } from './headerlib';
import type { CdefChunk, HeaderOptions, HeaderSkipped } from './header';

/** For cc(): a library refuses these names with a reason (a static function of the source) instead of as undeclared. @internal */
export { hideNames } from './clib';
export type { TypeScriptOptions } from './codegen/typescript';
export type { Lib } from './clib';
export type { VerifyOptions } from './apimode';
export { CompilerWarning } from './codegen/warning';

export type { HeaderOptions } from './header';

/** The names of verify()'s options, for cc()'s check of its own. @internal */
export function verifyOptionNames(): Readonly<Record<keyof VerifyOptions, true>> {
  return apiMode().VERIFY_OPTION_NAMES;
}

export type { HeaderSkipped } from './header';

type TypeArg = string | CType;

/** Integer types up to 32 bits: ffi.cast gives a number. */
type SmallInt =
  | 'char' | 'signed char' | 'unsigned char' | 'short' | 'unsigned short' | 'int' | 'unsigned int' | 'unsigned'
  | 'int8_t' | 'uint8_t' | 'int16_t' | 'uint16_t' | 'int32_t' | 'uint32_t' | 'wchar_t' | 'char16_t' | 'char32_t';
/** 64-bit integer types: ffi.cast gives a number when it is a safe integer, else a bigint. */
type WideInt =
  | 'long' | 'unsigned long' | 'long long' | 'unsigned long long' | 'int64_t' | 'uint64_t' | 'size_t' | 'ssize_t'
  | 'intptr_t' | 'uintptr_t' | 'ptrdiff_t' | 'intmax_t' | 'uintmax_t';

/** What ffi.cast returns for a type written as a string literal (typedef names are only known at run time). */
export type CastResult<T> = T extends `${string}(*)${string}` ? CFunction | null
  : T extends `${string}*` ? CData | null
  : T extends 'float' | 'double' ? number
  : T extends '_Bool' | 'bool' ? boolean
  : T extends `enum ${string}` ? EnumValue
  : T extends SmallInt ? number
  : T extends WideInt ? number | bigint
  : any; // eslint-disable-line @typescript-eslint/no-explicit-any

export type { CompileOptions } from './aot/loader';

/** What ffi.setSource() remembered for compile() and emitCCode(). */
interface SourceSet {
  /** As given: 'mymod', or 'pkg.mymod' for a module in the package directory 'pkg'. */
  readonly moduleName: string;
  /** Its last part: the module's own name, which its directory and files take. */
  readonly base: string;
  /** null: an ABI-mode module (CFFI's `set_source(name, None)`), its declarations only. */
  readonly source: string | null;
  readonly options: VerifyOptions;
}

/** Gives an FFI made by loadModule() its rebuilt declarations (the one way in to the private field). */
let adoptRegistry: (ffi: FFI, registry: Registry) => void;

/** The names staticOnlyHint() knows, asked once per process (each ask reads the archives' indexes again). */
let staticOnly: ReadonlySet<string> | undefined;

/**
 * Why a function no library from dlopen() has may be none's: the C library links some of its
 * functions into each program from a static archive (glibc's libc_nonshared.a: `atexit`,
 * `at_quick_exit`, `pthread_atfork`), so no shared library exports them. '' for other names, and
 * where no C compiler can say which names those are.
 */
function staticOnlyHint(name: string): string {
  if (staticOnly === undefined) {
    try {
      staticOnly = buildStage().staticDefinitions();
    } catch {
      staticOnly = new Set(); // no compiler to ask: no hint
    }
  }
  return staticOnly.has(name)
    ? `; the C library links '${name}' into each program from a static archive (glibc's libc_nonshared.a), so no shared library exports it: ` +
        'call it from C built by verify() or cc(), whose link takes it in'
    : '';
}

/** What ffi.gc() returns: a cdata, or nothing for `null` (a destructor removed); a destructor typed `any` (a library function) gives a cdata. */
type GcResult<D> = 0 extends 1 & D ? CData : D extends null ? void : CData;

export class FFI {
  /** C's NULL, as JavaScript spells it (CFFI's FFI.NULL). */
  static readonly NULL = null;
  /** C's NULL, as JavaScript spells it. */
  readonly NULL = null;
  /** The class of every cdata (CFFI's ffi.CData): `x instanceof ffi.CData`. */
  static readonly CData = CData;
  /** The class of every ctype (CFFI's ffi.CType): `ffi.typeof('int') instanceof ffi.CType`. */
  static readonly CType = CTypeClass;
  get CData(): typeof CData {
    return CData;
  }
  get CType(): typeof CTypeClass {
    return CTypeClass;
  }
  static readonly RTLD_LAZY = RTLD.RTLD_LAZY;
  static readonly RTLD_NOW = RTLD.RTLD_NOW;
  static readonly RTLD_GLOBAL = RTLD.RTLD_GLOBAL;
  static readonly RTLD_LOCAL = RTLD.RTLD_LOCAL;
  static readonly RTLD_NODELETE = RTLD.RTLD_NODELETE;
  static readonly RTLD_NOLOAD = RTLD.RTLD_NOLOAD;
  static readonly RTLD_DEEPBIND = RTLD.RTLD_DEEPBIND;
  readonly RTLD_LAZY = RTLD.RTLD_LAZY;
  readonly RTLD_NOW = RTLD.RTLD_NOW;
  readonly RTLD_GLOBAL = RTLD.RTLD_GLOBAL;
  readonly RTLD_LOCAL = RTLD.RTLD_LOCAL;
  readonly RTLD_NODELETE = RTLD.RTLD_NODELETE;
  readonly RTLD_NOLOAD = RTLD.RTLD_NOLOAD;
  readonly RTLD_DEEPBIND = RTLD.RTLD_DEEPBIND;
  #registry = new Registry();
  /** The type name #type() was last given, what it named, and the table's change count then. */
  #lastName: string | undefined = undefined;
  #lastType: CType | undefined = undefined;
  #lastChanges = -1;
  /** Every cdef call's source and options, in order: part of the verify() cache key. */
  readonly #cdefs: CdefRecord[] = [];
  /**
   * Whether a library may have settled this FFI's types in place (a verify(), compile() or a
   * header's probes was attempted): its declarations are then no longer just what its cdef text
   * makes, and a build's unit is made rather than looked up by that text (see apimode's unitKey).
   */
  #settled = false;
  /** The registry's change count after the last cdef(), cdefHeader() or include(): a type name parsed since may have declared or completed a type. */
  #declared = 0;
  #source: SourceSet | null = null;
  /** ffi.setUnicode()'s choice (null: not called): TCHAR is wchar_t, and builds define UNICODE and _UNICODE. */
  #unicode: boolean | null = null;
  /** What ffi.cdefHeader() bound besides declarations, or a loaded module's macro values and aliases (null: neither). */
  #bound: BoundHeaders | null = null;
  /** The FFIs included, the last verify() library, the libraries from dlopen() that learn later declarations. */
  #links = new Links(this.#registry);
  /** ffi.initOnce(): each tag's result, or that its function is running. */
  readonly #inits = new Map<unknown, { readonly value: unknown } | null>();
  /** The JavaScript functions ffi.defExtern() attached to extern "Python" functions, and the libraries that call them. */
  readonly #externs = new ExternTable();

  static {
    adoptRegistry = (ffi, registry) => {
      ffi.#registry = registry;
      ffi.#links = new Links(registry);
    };
  }

  /**
   * A new FFI, with no declarations. It takes no arguments: CFFI's one, its backend, has no
   * counterpart here, so an argument is refused rather than silently ignored.
   */
  constructor(...args: never[]) {
    if (args.length > 0 && args[0] !== undefined) {
      throw new TypeError(`new FFI(): takes no arguments (node-cffi has one backend), got ${show(args[0])}`);
    }
    watchOtherThreads(); // the main thread's ending, so that worker threads' .async calls in C do not hold it
  }

  /** Declares C types, functions, globals and constants (CFFI's cdef language). */
  cdef(source: string, options: CdefOptions = {}): void {
    if (typeof source !== 'string') throw new TypeError(`ffi.cdef(): expected a string of C declarations, got ${show(source)}`);
    noteUse('cdef');
    parser().parseCdef(source, this.#registry, options);
    this.#cdefs.push({ text: source, options: JSON.stringify(options) });
    this.#declared = this.#registry.changes;
    this.#giveAliases();
    this.#teach();
  }

  /**
   * Gives the headers' member aliases (see cdefHeader) to the structs that have come to hold their
   * paths since: declared by a later cdef, or laid out by verify() ('...;'). Nothing without aliases.
   */
  #giveAliases(): void {
    const aliases = this.#bound?.aliases;
    if (aliases !== undefined && Object.keys(aliases).length > 0) addAliases(this.#registryTypes(), aliases);
  }

  /**
   * CFFI's ffi.include(): what `other` declares (as it stands now) is declared here too: its
   * types are the same type objects on both sides; its constants are this FFI's constants; in a
   * library from dlopen(), its functions and globals are looked up like those declared here; in a
   * library from verify(), they are those of `other`'s own library (the last its verify() made),
   * so that this FFI's source need not define them. A name both declare must mean the same.
   */
  include(other: FFI): void {
    if (typeof other !== 'object' || other === null || !(#registry in other)) {
      throw new TypeError(`ffi.include(): expected another FFI, got ${show(other)}`);
    }
    if (other === this) throw new TypeError('ffi.include(): an FFI cannot include itself');
    this.#links.include(other.#links);
    this.#cdefs.push({ text: JSON.stringify(other.#cdefs), options: 'ffi.include()' });
    // Its types come with their aliases; a module compiled here keeps them.
    if (other.#bound !== null && Object.keys(other.#bound.aliases).length > 0) Object.assign(this.#headersBound().aliases, other.#bound.aliases);
    this.#teach();
  }

  /** Tells the libraries from dlopen() still in use of the declarations made since (but those only API mode reaches). */
  #teach(): void {
    this.#links.teach(this.#bound?.notInDlopen() ?? new Set());
  }

  /**
   * Runs `fn` once per `tag` and remembers its result: later calls with the same tag return it
   * without running `fn` (CFFI's init_once). When `fn` throws, nothing is remembered: the next call
   * runs it again. (An async function's promise is what is remembered.)
   */
  initOnce<T>(fn: () => T, tag: unknown): T {
    if (typeof fn !== 'function') throw new TypeError(`ffi.initOnce(): expected a function to run once, got ${show(fn)}`);
    const known = this.#inits.get(tag);
    if (known) return known.value as T;
    if (known === null) throw new FFIError(`ffi.initOnce(): the function for tag ${show(tag)} asked for its own result while running`);
    this.#inits.set(tag, null);
    try {
      const value = fn();
      this.#inits.set(tag, { value });
      return value;
    } catch (e) {
      this.#inits.delete(tag);
      throw e;
    }
  }

  /**
   * The value of an integer constant (a `#define`, an enumerator, a `static const` integer), as a
   * library object would give it, for code that has the FFI but no library: declared here, or by
   * an included FFI. A value the compiler gives needs a verify() first.
   */
  integerConst(name: string): number | bigint {
    if (typeof name !== 'string') throw new TypeError(`ffi.integerConst(): expected a constant's name, got ${show(name)}`);
    const v = this.#links.integerConst(name);
    if (v === undefined) throw new FFIError(`ffi.integerConst('${name}'): no integer constant named '${name}' is declared`);
    return v;
  }

  /**
   * Declares what a C header declares, read from the header itself through the system
   * preprocessor (with options.compiler, includeDirs, defineMacros): its functions, globals,
   * typedefs, structs, unions and enums, the types from other headers they use, its integer
   * macros as constants, its string and floating macros as values of the library objects, and
   * its function-like macros as functions verify() wraps. options.headers binds more headers,
   * options.only only the names it matches. What cannot be declared is listed by ffi.skipped().
   * Remembered in the cache directory: reading the same header again only checks its files.
   */
  cdefHeader(header: string, options: HeaderOptions = {}): void {
    const h = headerStage().readHeader(header, options, 'ffi.cdefHeader()', headerLib().snapshotOf);
    const bound = this.#headersBound();
    const before = new Set([...this.#registry.values()].map(keyOf));
    if (!this.#adopt(h.snapshot, h.cdefs, h.parsed)) {
      for (const chunk of h.cdefs) {
        const fresh = bound.fresh(chunk);
        if (fresh.length === 0) continue;
        this.cdef(`${fresh.join('\n')}\n`, headerLib().chunkOptions(chunk));
        bound.given(chunk.pack, fresh);
      }
    }
    bound.record(h, options, new Set([...this.#registry.values()].map(keyOf).filter((k) => !before.has(k))));
    // Names the header's macros give members of members (sa_handler) become aliases of the structs that have them.
    addAliases(this.#registryTypes(), h.aliases ?? {});
    this.#declared = this.#registry.changes;
    this.#teach();
  }

  /** What the headers bound, made at the first need. */
  #headersBound(): BoundHeaders {
    return (this.#bound ??= new (headerLib().BoundHeaders)());
  }

  /**
   * Declares a header's remembered declarations without parsing their cdef text (several times
   * faster), when this FFI declares none of their names yet: the result is what parsing `cdefs`
   * would give. `parsed`, the declarations of a header read just now, are taken as they are;
   * otherwise they are rebuilt from the snapshot. Returns false when the text must be parsed instead.
   */
  /** The struct, union and other types the table declares by name or tag. */
  #registryTypes(): CType[] {
    return [...this.#registry.values()].flatMap((d) => (d.kind === 'tag' || d.kind === 'typedef' ? [d.type] : []));
  }

  #adopt(snapshot: unknown, cdefs: readonly CdefChunk[], parsed?: readonly Decl[]): boolean {
    if (snapshot === undefined) return false;
    let decls: readonly Decl[];
    if (parsed !== undefined) decls = parsed; // the header was read just now: the declarations its check parsed
    else {
      try {
        decls = aotData().readModule(headerLib().fromSnapshot(snapshot)).decls;
      } catch (e) {
        if (e instanceof FFIError || e instanceof globalThis.TypeError) return false; // a damaged memo: parse the text
        throw e;
      }
    }
    if (decls.some((d) => this.#registry.get(keyOf(d)) !== undefined)) return false;
    for (const d of decls) this.#registry.declare(d, false);
    // Anonymous types are '$N': this table's next one must not take a name the rebuilt ones have.
    let anonymous = 0;
    for (const d of decls) anonymous = Math.max(anonymous, Number(/^\$(\d+)$/.exec(d.name)?.[1] ?? '0'));
    this.#registry.skipAnonymous(anonymous);
    for (const chunk of cdefs) {
      this.#cdefs.push({ text: chunk.source, options: JSON.stringify(headerLib().chunkOptions(chunk)) });
      this.#headersBound().given(chunk.pack, chunk.source.split('\n'));
    }
    return true;
  }

  /** The declarations ffi.cdefHeader() left out, with where and why, in the order of the headers. */
  skipped(): HeaderSkipped[] {
    return this.#bound?.skipped() ?? [];
  }

  /**
   * Compiles `source` with the glue for every cdef declaration, loads it, and returns its library
   * object. The compiler checks what the cdef states (prototypes, layouts, values) and fills in
   * what it leaves open with '...' (layouts, lengths, values, integer types), in place.
   */
  verify<L extends object = Lib>(source: string, given: VerifyOptions = {}): L {
    checkOptions('ffi.verify()', given, apiMode().VERIFY_OPTION_NAMES);
    const options = this.#withUnicode(given);
    return keepingErrno(() => {
      const { source: unit, weak } = this.#withWeakReferences(source, options);
      const p = this.#prepare(unit, headerLib().linkAll(options, weak), 'ffi.verify()', true);
      return this.#built(apiMode().open(p, apiMode().build(p), this.#libParts(), weak), weak) as L;
    });
  }

  /** verify() without blocking the event loop while the compiler runs. */
  async verifyAsync<L extends object = Lib>(source: string, given: VerifyOptions = {}): Promise<L> {
    checkOptions('ffi.verifyAsync()', given, apiMode().VERIFY_OPTION_NAMES);
    const options = this.#withUnicode(given);
    const { source: unit, weak } = this.#withWeakReferences(source, options);
    const p = this.#prepare(unit, headerLib().linkAll(options, weak), 'ffi.verifyAsync()', true);
    const parts = this.#libParts();
    return this.#built(apiMode().open(p, await apiMode().buildWithoutBlocking(p), parts, weak), weak) as L;
  }

  /** What a verify() library needs of this FFI besides its build. */
  #libParts(): LibParts {
    return { resolveType: this.#resolve, included: this.#links.includedNames(), externs: this.#externs, replaced: this.#bound?.values };
  }

  /** A verify() library just made: the one FFIs including this one reach, with what the headers add. */
  #built(made: { lib: Lib; constants: ReadonlyMap<string, number | bigint> }, weak?: WeakFunctions): Lib {
    this.#links.built(made.lib, made.constants);
    this.#giveAliases();
    return this.#withHeaders(made.lib, 'verify', weak);
  }

  // -------------------------------------------------------------------------------------------
  // Ahead of time (CFFI's set_source + compile)

  /**
   * Names the module that compile() builds and the C source it is built from, with the options
   * verify() takes (compiler, flags, include directories, libraries, filename, ...). Diagnostics
   * name the source `<moduleName>.c` unless `filename` says otherwise. The source is compiled in
   * a directory of its own: headers of yours are found through `includeDirs` (relative
   * directories are taken from the working directory).
   */
  setSource(moduleName: string, source: string | null, options: VerifyOptions = {}): void {
    if (typeof moduleName !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(moduleName)) {
      throw new TypeError(
        `ffi.setSource(): the module name must be a C identifier such as '_example', or a dotted path of them ('pkg._example'), got ${show(moduleName)}`,
      );
    }
    if (typeof source !== 'string' && source !== null) {
      throw new TypeError(`ffi.setSource(): expected C source as a string (or null for an ABI-mode module, which ffi.dlopen() opens), got ${show(source)}`);
    }
    checkOptions('ffi.setSource()', options, apiMode().VERIFY_OPTION_NAMES);
    const base = moduleName.slice(moduleName.lastIndexOf('.') + 1);
    this.#source = { moduleName, base, source, options: { ...this.#withUnicode(options), filename: apiMode().sourceFileName(options, base) } };
  }

  /**
   * setSource() with the flags pkg-config gives for `packages` (CFFI's `set_source_pkgconfig()`):
   * pkg-config runs now, as CFFI runs it, and its flags are appended after the options' own
   * (includeDirs, defineMacros, libraries, …); a package it does not know is an FFIError here.
   */
  setSourcePkgconfig(moduleName: string, packages: readonly string[], source: string | null, options: VerifyOptions = {}): void {
    if (!Array.isArray(packages)) throw new TypeError(`ffi.setSourcePkgconfig(): expected an array of package names (such as ['libpng', 'zlib']), got ${show(packages)}`);
    checkOptions('ffi.setSourcePkgconfig()', options, apiMode().VERIFY_OPTION_NAMES);
    const own = options.pkgconfig;
    const { pkgconfig: _ran, ...merged } = buildStage().withPkgconfig({ ...options, pkgconfig: Array.isArray(own) ? [...packages, ...own] : own ?? packages }, nodeHost);
    this.setSource(moduleName, source, merged);
  }

  /**
   * The C translation unit compile() builds: the source and the generated glue, after the
   * definitions compile() makes on the command line (`_GNU_SOURCE`), so that it builds the same elsewhere.
   */
  emitCCode(file: string): void {
    if (typeof file !== 'string' || file === '') throw new TypeError(`ffi.emitCCode(): expected a file name, got ${show(file)}`);
    const set = this.#builtSourceSet('ffi.emitCCode()');
    const { source, weak } = this.#withWeakReferences(set.source, set.options);
    const unit = this.#prepare(source, headerLib().linkAll(set.options, weak), 'ffi.emitCCode()').glue.unit;
    nodeHost.writeFileSync(file, `${buildStage().featureLines(set.options)}${unit}`);
  }

  /**
   * Builds the module named by setSource() into `<tmpdir>/<moduleName>/`: the shared library,
   * `<moduleName>.js` (a CommonJS loader with the declarations, final layouts and constant values
   * baked in, which ES modules import by name too), `<moduleName>.d.ts` (TypeScript types for all
   * of them) and a package.json keeping the loader CommonJS in any project. Loading it needs
   * neither a cdef nor a C compiler: `import { ffi, lib } from './<moduleName>/<moduleName>.js'`.
   * Returns the module directory.
   */
  compile(options: CompileOptions = {}): string {
    aotLoader().checkCompileOptions(options);
    const set = this.#sourceSet('ffi.compile()');
    const out = aotLoader().compileOptions(options, set.base);
    if (set.source === null) return aotLoader().writeModule(out.dir(set.moduleName), this.#declarationFiles(set, 'ffi.compile()'), out.report);
    const own = out.debug ? { ...set.options, extraCompileArgs: [...(set.options.extraCompileArgs ?? []), '-g'] } : set.options;
    const { source, weak } = this.#withWeakReferences(set.source, own);
    const p = this.#prepare(source, headerLib().linkAll({ moduleName: set.base, ...own }, weak), 'ffi.compile()', true);
    const { built, settled } = calledAs('ffi.compile()', () => {
      const made = apiMode().build(p);
      out.report?.(made.cached ? `${made.path}: built before from the same source and options, taken from the cache` : `compiled ${made.path} with ${made.compiler.command.join(' ')}`);
      return { built: made, settled: apiMode().loadAndSettle(p, made) };
    });
    const missing = new Set(weak ? apiMode().missingFunctions(settled.loaded, weak) : []);
    settled.loaded.close();
    // The types and constants of included FFIs are the module's too (their functions and globals are their own libraries').
    const included = [...this.#registry.values()].filter((d) => d.kind !== 'function' && d.kind !== 'variable' && this.#links.isIncluded(d));
    const decls = [...included, ...apiMode().withoutMissing(settled.decls, missing)];
    const { glue } = p;
    const functions = new Map([...glue.functions].filter(([name]) => !missing.has(name)));
    const globals = new Map([...glue.globals].filter(([name]) => !missing.has(name)));
    const data = aotData().bakeModule(set.base, out.library, decls, functions, globals, this.#bound?.baked());
    return aotLoader().writeModule(out.dir(set.moduleName), {
      [out.library]: nodeHost.readFileSync(built.path),
      ...aotLoader().moduleFiles(data, declarationsRegistry(decls), apiMode().sourceFileName(set.options, set.base)),
    }, out.report);
  }

  /**
   * Writes an ABI-mode module's loader (setSource(name, null)) to `file` alone, with its TypeScript
   * declarations next to it (`x.d.ts` for `x.js`, `x.d.cts` for `x.cjs`): CFFI's
   * `emit_python_code()`. The loader is CommonJS; in a `"type": "module"` package, name it `.cjs`.
   */
  emitJsCode(file: string): void {
    if (typeof file !== 'string' || file === '') throw new TypeError(`ffi.emitJsCode(): expected a file name, got ${show(file)}`);
    const set = this.#sourceSet('ffi.emitJsCode()');
    if (set.source !== null) {
      throw new TypeError(
        `ffi.emitJsCode(): the module '${set.moduleName}' has C source: emitJsCode() writes ABI-mode modules (setSource(name, null)) only; ` +
          'compile() builds this one, with its library, and emitCCode() writes its C',
      );
    }
    aotLoader().emitLoader(file, this.#declarationFiles(set, 'ffi.emitJsCode()'), set.base);
  }

  /**
   * An ABI-mode module's files (setSource(name, null)): its loader and TypeScript declarations,
   * with the cdef's declarations baked in and no library; the program opens one with
   * `ffi.dlopen()`. What only a compiler can tell (`...`) is refused here, naming it, rather than
   * when the module is used; the layouts of headers bound are checked by their probe library first.
   */
  #declarationFiles(set: SourceSet, where: string): Record<string, string> {
    // The layouts of the headers bound are the compiler's, as dlopen() would check them first.
    this.#probeHeaders();
    // The header's constants have the values its probes read (a module has no compiler to ask).
    const probed = this.#bound?.probedConstants ?? new Map<string, number | bigint>();
    const decls = [...this.#registry.values()].map((d) => (d.kind === 'constant' && d.value === undefined && probed.has(d.name) ? { ...d, value: probed.get(d.name) } : d));
    for (const d of decls) {
      const waiting = settledPending(d.type);
      const pending = d.kind === 'constant' && d.value === undefined && d.origin === 'define' ? "its value is '...'" : waiting && pendingReason(waiting);
      if (pending) {
        throw new FFIError(
          `${where}: '${d.kind === 'tag' ? keyOf(d) : d.name}' needs a C compiler (${pending}), and the module '${set.moduleName}' is an ABI-mode one ` +
            "(setSource(name, null)), which builds no C: state it in the cdef, or give setSource() a C source",
        );
      }
    }
    const data = aotData().bakeModule(set.base, null, decls, new Map(), new Map(), this.#bound?.baked());
    return aotLoader().moduleFiles(data, declarationsRegistry(decls), 'its cdef');
  }

  /**
   * The FFI and library object of a module built by ffi.compile(), from its baked `data` and the
   * shared library in `directory`: no cdef is parsed and no compiler runs. An ABI-mode module
   * (setSource(name, null)) has no library: `lib` is null, and the program opens one with
   * `ffi.dlopen()`. The generated loader calls this; programs import the loader.
   */
  static loadModule<L extends object = Lib>(directory: string, data: unknown): { ffi: FFI; lib: L } {
    if (typeof directory !== 'string') throw new TypeError(`FFI.loadModule(): expected the module's directory, got ${show(directory)}`);
    const { data: d, registry, decls } = aotData().readModule(data);
    const ffi = new FFI();
    adoptRegistry(ffi, registry);
    const bound = d.values !== undefined || d.aliases !== undefined || d.symbols !== undefined || d.skipped !== undefined || d.inline !== undefined ? ffi.#headersBound() : null;
    bound?.adopt(d);
    if (d.aliases !== undefined) addAliases(ffi.#registryTypes(), d.aliases);
    if (d.library === null) return { ffi, lib: null as unknown as L };
    ffi.#settled = true; // the module's layouts, not its cdef's
    const loaded = loadLibrary(path.join(directory, d.library));
    const functions = new Map(
      decls.flatMap((x) => (x.kind === 'function' && d.functions[x.name] !== undefined
        ? [[x.name, { symbol: d.functions[x.name], entry: d.entries?.[x.name] ?? null, lowered: x.type.ellipsis ? null : glueStage().lowerByValue(x.type) }] as const]
        : [])),
    );
    const externs = new Map(decls.flatMap((x) => (x.kind === 'extern-callback' ? [[x.name, glueStage().externBinding(x)] as const] : [])));
    const lib = makeLib({
      label: `module '${d.module}'`, name: d.module, loaded, decls, functions, globals: new Map(Object.entries(d.globals)), eager: true,
      resolveType: ffi.#resolve, replaced: ffi.#bound?.values, externs: { bindings: externs, table: ffi.#externs },
    });
    ffi.#links.built(lib, new Map());
    return { ffi, lib: ffi.#withHeaders(lib, 'verify') as L };
  }

  #sourceSet(where: string): SourceSet {
    if (!this.#source) throw new FFIError(`${where}: no source to build; call ffi.setSource(moduleName, source, options) first`);
    return this.#source;
  }

  /** The source set, which must have C source (CFFI's emit_c_code() refuses an ABI-mode module alike). */
  #builtSourceSet(where: string): SourceSet & { source: string } {
    const set = this.#sourceSet(where);
    if (set.source === null) {
      throw new TypeError(`${where}: the module '${set.moduleName}' is an ABI-mode one (setSource(name, null)): it has no C to emit; compile() writes its loader`);
    }
    return set as SourceSet & { source: string };
  }

  /**
   * Opens an existing shared library (null: the C library and the running process) in ABI mode,
   * with dlopen()'s `flags` (a sum of `ffi.RTLD_*` values; 0: RTLD_NOW). Functions are bound on
   * first use; the library also knows the functions, globals and constants this FFI declares later.
   */
  dlopen<L extends object = Lib>(path: string | CData | null, flags = 0): L {
    if (isCData(path) && path[TYPE].kind === 'pointer') {
      return keepingErrno(() => this.#dlopen<L>(dlHandle().libraryOfHandle(path, () => new FFI()), flags));
    }
    if (path !== null && typeof path !== 'string') {
      throw new TypeError(`ffi.dlopen(): expected a path, null, or a handle from C's dlopen() (a pointer cdata), got ${show(path)}`);
    }
    return keepingErrno(() => this.#dlopen<L>(path, flags));
  }

  #dlopen<L extends object>(path: string | null, flags: number): L {
    this.#probeHeaders();
    let loaded: LoadedLibrary;
    try {
      loaded = loadLibrary(path, path === null ? { flags } : { watch: [path], flags });
    } catch (e) {
      const needed = missingDependency(e, path);
      if (needed !== null) {
        throw new FFIError(
          `ffi.dlopen(): ${path} needs ${needed}, which the dynamic linker does not find; give its directory in LD_LIBRARY_PATH ` +
            `before node starts, or ffi.dlopen() ${needed} by its path first (a library loaded under that name serves the others) (${(e as Error).message})`,
        );
      }
      const what = notAnElfLibrary(e, path);
      if (what !== null) throw new FFIError(`ffi.dlopen(): ${what} (${(e as Error).message})`);
      // As CFFI: a bare name no file has ('m', 'z') is looked up in the dynamic linker's cache, then
      // where the linker finds -l<name> ('yaml': libyaml.so, a link to libyaml-0.so.2).
      const bare = path !== null && !path.includes('/') && e instanceof FFIError;
      const found = bare ? (findLibrary(path) ?? buildStage().linkerLibrary(path)) : null;
      if (found === null) {
        throw bare ? new FFIError(`${(e as Error).message}; nor has the dynamic linker's cache (ldconfig -p) a '${cachedName(path)}', nor the C compiler's library directories`) : e;
      }
      loaded = loadLibrary(found, { watch: [found], flags });
    }
    const label = path === null ? 'the C library' : `'${path}'`;
    const leftOut = this.#bound?.notInDlopen() ?? new Set();
    // A header's inline function is the library's where it exports one (glibc's bsearch), as C code calling it may bind it.
    const absent = this.#bound?.absentInline((name) => loaded.hasSymbol(name)) ?? new Set<string>();
    const decls = [...this.#registry.values()].filter((d) => d.kind !== 'function' || (!leftOut.has(d.name) && !absent.has(d.name)));
    const lib = makeLib({
      label, name: path ?? 'the C library', loaded, decls, eager: false, resolveType: this.#resolve, constants: this.#bound === null ? this.#links.includedConstants() : new Map([...this.#links.includedConstants(), ...this.#bound.probedConstants]),
      symbols: this.#bound?.symbols, replaced: this.#bound?.values, missingHint: staticOnlyHint,
    });
    this.#links.opening(lib);
    return this.#withHeaders(lib, 'dlopen', undefined, absent) as L;
  }

  /**
   * The layouts of the types a header declared are the compiler's: before the first dlopen() after
   * ffi.cdefHeader(), a probe library (the header and a table of sizes, offsets and values, cached
   * like any build) checks them, as verify() does. Nothing of the header's library is linked. The
   * header is compiled as cdefHeader() read it, alone: without the standard headers verify() puts
   * before a user's source, which may change what it declares (linux/stat.h's S_IFMT is defined
   * only where glibc is not) or conflict with it (linux/time.h's struct timeval). A header that
   * does not compile alone is compiled after them, as verify() compiles it; that it does not is
   * remembered in the cache, while the header's files are unchanged, and not tried again. A const global of
   * the header (gmp.h's `__gmp_version`) is a library's: the library opened has it, read from its
   * symbol as any global is; the probe library leaves it out.
   */
  #probeHeaders(): void {
    const linked = this.#bound?.linkedConstants ?? new Set<string>();
    for (const h of this.#bound?.headers ?? []) {
      if (h.probed) continue;
      const probed = (d: Decl): boolean => d.kind === 'tag' || d.kind === 'typedef' || (d.kind === 'constant' && !linked.has(d.name));
      const decls = [...this.#registry.values()].filter((d) => probed(d) && h.keys.has(keyOf(d)));
      const { libraries, sources, ...options } = h.options; // eslint-disable-line @typescript-eslint/no-unused-vars
      // Nothing runs but the probe table: -O0 compiles it fastest.
      const extra = [...(Array.isArray(options.extraCompileArgs) ? options.extraCompileArgs : []), '-O0'];
      // The header's part of the declarations, by their keys, for the unit's memo.
      const part = this.#pristine() ? `header probes\n${[...h.keys].join('\n')}` : undefined;
      const probes = (prelude: boolean) => {
        const p = apiMode().prepare(decls, this.#cdefs, h.include, { ...options, extraCompileArgs: extra, filename: 'node-cffi-probes.c' }, 'ffi.dlopen()', [], part, prelude);
        // The compile of the header alone may fail: a failure is remembered, and the fallback taken at once while the header is unchanged.
        return { p, built: calledAs('ffi.dlopen()', () => apiMode().build(prelude ? p : { ...p, request: { ...p.request, failureStamp: h.stamp } })) };
      };
      let made: ReturnType<typeof probes>;
      try {
        made = probes(false);
      } catch (e) {
        // A header that does not compile alone (jpeglib.h uses size_t and FILE, and says to include
        // stdio.h first) is compiled after the standard headers verify() puts before a source.
        if (!(e instanceof VerificationError) || !e.diagnostics) throw e;
        try {
          made = probes(true);
        } catch {
          // The first failure's diagnostics (the header alone) name the header's own lines.
          throw new VerificationError(
            `ffi.dlopen(): the probe library checking the layouts of ${h.include.trim().replace(/#include /g, '').replace(/\n/g, ', ')} did not compile, alone or after the standard headers. ` +
              `A header that needs others included first is bound through one that includes them: ffi.cdefHeader('jpeglib.h', { headers: ['jpegint.h'] }). ` +
              e.message.replace('ffi.dlopen(): the C compiler', 'The C compiler'),
            e.diagnostics,
          );
        }
      }
      this.#settled = true;
      const settled = calledAs('ffi.dlopen()', () => apiMode().loadAndSettle(made.p, made.built));
      settled.loaded.close();
      // The values the compiler gave the header's constants (`static const int X = 5;`), for the libraries dlopen() opens.
      for (const [name, value] of settled.constants) this.#bound?.probedConstants.set(name, value);
      h.probed = true;
    }
  }

  /** The source as verify(), compile() and emitCCode() build it: with weak references to the functions and globals of headers bound. */
  #withWeakReferences(source: string, options: VerifyOptions): { source: string; weak: WeakFunctions | undefined } {
    if (this.#bound === null) return { source, weak: undefined };
    return this.#bound.withWeakReferences(source, options, (key) => this.#registry.get(key)?.kind);
  }

  /** A library with what the headers bound beyond cdef: macro values, and the reasons for names left out. */
  #withHeaders(lib: Lib, mode: 'verify' | 'dlopen', weak?: WeakFunctions, absent?: ReadonlySet<string>): Lib {
    if (this.#bound === null) return lib;
    return this.#bound.finish(lib, mode, (t, v) => this.cast(t, v), weak, absent);
  }

  /** Closes a library from dlopen() or verify(); its functions throw afterwards. */
  dlclose(lib: object): void {
    closeLib(lib);
  }

  /**
   * The API-mode pipeline's first step for this FFI's declarations (see apimode.ts): its own; those
   * of included FFIs only spell types (their own builds check them).
   */
  #prepare(source: string, options: VerifyOptions, where: string, settles = false) {
    const own: Decl[] = [];
    const included: Decl[] = [];
    for (const d of this.#registry.values()) (this.#links.isIncluded(d) ? included : own).push(d);
    const pristine = settles && this.#pristine() ? '' : undefined;
    if (settles) this.#settled = true;
    // A header's inline functions are reached through their wrappers (GNU extern inline ones have no symbol).
    const wrapped = new Set([...(this.#bound?.inline.keys() ?? [])].filter((name) => this.#registry.get(name)?.kind === 'function'));
    return apiMode().prepare(own, this.#cdefs, source, options, where, included, pristine, true, wrapped);
  }

  /** Whether the declarations are still just what the cdef calls' text made (see apimode's prepare). */
  #pristine(): boolean {
    return !this.#settled && this.#declared === this.#registry.changes;
  }

  // -------------------------------------------------------------------------------------------
  // Types

  /** Resolves a type name in this FFI (for variadic arguments' `[type, value]` pairs). */
  readonly #resolve = (text: string): CType => this.#type(text, 'variadic argument type');

  #type(x: TypeArg, where: string): CType {
    if (typeof x === 'string') {
      // The last name asked for, while the table is unchanged: a loop casting to one type finds it
      // without a lookup by text (the registry's type cache is emptied at every change it counts).
      const registry = this.#registry;
      if (x === this.#lastName && registry.changes === this.#lastChanges) return this.#lastType!;
      const t = registry.typeCache.get(x) ?? parser().parseTypeName(x, registry);
      this.#lastName = x;
      this.#lastType = t;
      this.#lastChanges = registry.changes;
      return t;
    }
    if (isCType(x)) return x;
    throw new TypeError(`${where}: expected a C type name or a ctype, got ${show(x)}`);
  }

  /**
   * The ctype of a C type name, of a cdata, or of a library function (its function pointer type,
   * 'int(*)(int)'); `ffi.typeof(null)` is 'void *', the type of NULL.
   */
  typeof(x: TypeArg | CData | null | ((...args: any[]) => unknown)): CType { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (x === null) return pointerTo(VOID);
    if (isCData(x)) return x[TYPE];
    return standInType(x) ?? this.#type(x as TypeArg, 'ffi.typeof()');
  }

  /** Size in bytes of a type, or of the memory a cdata owns or refers to (an array's whole length). */
  sizeof(x: TypeArg | CData | null | ((...args: any[]) => unknown)): number { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (isCData(x)) return sizeOfCData(x);
    // As CFFI: NULL and a library function are pointers.
    const pointer = x === null ? pointerTo(VOID) : standInType(x);
    if (pointer !== undefined) return pointer.size;
    const t = this.#type(x as TypeArg, 'ffi.sizeof()');
    return requireSize(t, `ffi.sizeof('${t.cname}')`);
  }

  alignof(x: TypeArg | CData): number {
    const t = isCData(x) ? x[TYPE] : this.#type(x, 'ffi.alignof()');
    if (t.align < 0) throw noSizeError(`ffi.alignof('${t.cname}')`, t);
    return t.align;
  }

  /**
   * Byte offset of a (nested) field or element: offsetof('struct outer', 'p', 'y'), offsetof(t, 'arr', 2).
   * An index may be a bigint; an offset beyond 2^53 is then a bigint (past 2^63, a RangeError).
   */
  offsetof(type: TypeArg, ...path: (string | number)[]): number;
  offsetof(type: TypeArg, ...path: (string | number | bigint)[]): number | bigint;
  offsetof(type: TypeArg, ...path: (string | number | bigint)[]): number | bigint {
    let t = this.#type(type, 'ffi.offsetof()');
    const where = `ffi.offsetof('${t.cname}')`;
    if (path.length === 0) throw new TypeError(`${where}: name a field (or an index) to give the offset of`);
    // As CFFI: a field named first of a pointer type is a field of the item it points to.
    if (t.kind === 'pointer' && typeof path[0] === 'string') t = t.item;
    let offset = 0n;
    for (const step of path) {
      if (typeof step === 'string') {
        if (t.kind !== 'struct' && t.kind !== 'union') throw new TypeError(`${where}: '${t.cname}' has no fields (asked for '${step}')`);
        if (!t.complete) throw noSizeError(where, t);
        const f = memberOf(t, step);
        if (!f) throw new TypeError(`${where}: '${t.cname}' has no field '${step}'`);
        if (f.bitsize >= 0) throw new TypeError(`${where}: field '${step}' is a bit-field and has no byte offset`);
        offset += BigInt(f.offset);
        t = f.type;
      } else if (typeof step === 'number' || typeof step === 'bigint') {
        if (t.kind !== 'array' && t.kind !== 'pointer') throw new TypeError(`${where}: cannot index '${t.cname}' with ${step}`);
        if (typeof step === 'number' && !Number.isSafeInteger(step)) throw new TypeError(`${where}: index must be an integer, got ${show(step)}`);
        if (t.kind === 'array' && t.length !== null && (step < 0 || step > t.length)) {
          throw new RangeError(`${where}: index ${step} is out of bounds for '${t.cname}'`);
        }
        requireSize(t.item, where, true);
        offset += BigInt(step) * BigInt(t.item.size);
        t = t.item;
      } else {
        throw new TypeError(`${where}: expected field names and indexes, got ${show(step)}`);
      }
    }
    // As CFFI: an offset is a C ssize_t.
    if (offset !== BigInt.asIntN(64, offset)) throw new RangeError(`${where}: the offset ${offset} does not fit in a 64-bit signed integer`);
    return toJs(offset);
  }

  /** The type's name as CFFI spells it, with `extra` at the declarator position: ('int', '*') → 'int *', ('int *', '*') → 'int * *'. */
  getctype(type: TypeArg, extra = ''): string {
    const t = this.#type(type, 'ffi.getctype()');
    if (typeof extra !== 'string') throw new TypeError(`ffi.getctype(): expected a string to insert, got ${show(extra)}`);
    const marker = t.nameMarker;
    let r = extra.trim();
    // A pointer declarator before an array's or a function's suffix needs parentheses ('int(*p)[5]', 'int(*f)()').
    if (r.startsWith('*') && (marker.includes('&[') || marker.includes('&('))) r = `(${r})`;
    else if (r && r[0] !== '[' && r[0] !== '(') r = ` ${r}`;
    return marker.replace('&', r);
  }

  /**
   * TypeScript declarations for what this FFI's cdefs declared: an interface (`Lib`, or
   * options.name) with a typed method per function and a property per global and constant, an
   * interface per struct and union, a literal type per enum. Give the interface to verify():
   * `ffi.verify<Lib>(source)`. (`cffi types` prints the same for a header.)
   */
  typescriptDeclarations(options: TypeScriptOptions = {}): string {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`ffi.typescriptDeclarations(): expected options as an object, got ${show(options)}`);
    }
    for (const key of ['name', 'importFrom', 'source'] as const) {
      const value = options[key];
      if (value !== undefined && typeof value !== 'string') {
        throw new TypeError(`ffi.typescriptDeclarations(): expected options.${key} as a string, got ${show(value)}`);
      }
    }
    const problem = options.name === undefined ? undefined : typeScript().interfaceNameProblem(options.name);
    if (problem) throw new TypeError(`ffi.typescriptDeclarations(): options.name ${JSON.stringify(options.name)} ${problem}`);
    const values = [...(this.#bound?.values ?? [])].map(([name, v]) => aotData().macroValueMember(name, v));
    return typeScript().typescriptDeclarations(this.#registry, values.length ? { ...options, members: [...(options.members ?? []), ...values] } : options);
  }

  /**
   * Declares Windows' text types (TBYTE, TCHAR, LPCTSTR, PCTSTR, LPTSTR, PTSTR, PTBYTE, PTCHAR) as
   * `wchar_t` and pointers to it (true; and verify() and setSource() builds then define UNICODE
   * and _UNICODE), or as `char` and pointers to it (false): CFFI's `set_unicode()`, once per FFI.
   */
  setUnicode(enabled: boolean): void {
    if (typeof enabled !== 'boolean') throw new TypeError(`ffi.setUnicode(): expected true (TCHAR is wchar_t) or false (TCHAR is char), got ${show(enabled)}`);
    if (this.#unicode !== null) throw new FFIError(`ffi.setUnicode(): already called on this FFI (with ${this.#unicode}); the types it declares are declared once`);
    const c = enabled ? 'wchar_t' : 'char';
    this.cdef(
      `typedef ${c} TBYTE; typedef ${c} TCHAR; typedef const ${c} *LPCTSTR; typedef const ${c} *PCTSTR; ` +
        `typedef ${c} *LPTSTR; typedef ${c} *PTSTR; typedef TBYTE *PTBYTE; typedef TCHAR *PTCHAR;`,
    );
    this.#unicode = enabled;
  }

  /** A build's options with UNICODE and _UNICODE defined after its own, when setUnicode(true) was called. */
  #withUnicode<O extends VerifyOptions>(options: O): O {
    if (this.#unicode !== true || (options.defineMacros !== undefined && !Array.isArray(options.defineMacros))) return options;
    return { ...options, defineMacros: [...(options.defineMacros ?? []), ['UNICODE', '1'], ['_UNICODE', '1']] };
  }

  /** Declared type names: typedefs, struct tags and union tags. */
  listTypes(): { typedefs: string[]; structs: string[]; unions: string[] } {
    return this.#registry.listTypes();
  }

  // -------------------------------------------------------------------------------------------
  // Memory

  /** Allocates owned, zero-filled memory for a pointer's item or an array, optionally initialised. */
  new(cdecl: TypeArg, init?: unknown): CData {
    const t = this.#type(cdecl, 'ffi.new()');
    return newCData(usable(t, 'ffi.new'), init);
  }

  /**
   * CFFI's new_allocator: a function `(cdecl, init?) => cdata` that makes cdata as ffi.new() does,
   * in memory `options.alloc(size)` gives (a cdata pointer; JavaScript or C functions alike, such as
   * `lib.malloc`), handed to `options.free(raw)` once the cdata is garbage-collected or released.
   * `shouldClearAfterAlloc: false` leaves the memory as it comes (without `alloc` too).
   */
  newAllocator(options: AllocatorOptions = {}): (cdecl: TypeArg, init?: unknown) => CData {
    const allocate = newAllocator(options);
    return (cdecl, init) => allocate(usable(this.#type(cdecl, 'allocator'), 'allocator'), init);
  }

  /** C's cast: integers wrap to the target width; pointers retype; an address becomes a pointer. */
  cast<T extends TypeArg>(cdecl: T, value: unknown): CastResult<T> {
    const t = this.#type(cdecl, 'ffi.cast()');
    if (t.kind === 'function') {
      throw new CDefError(`ffi.cast('${t.cname}'): '${t.cname}' is a function type, not a pointer-to-function type; cast to '${pointerTo(t).cname}'`);
    }
    // A library function stands for its function pointer.
    return castTo(usable(t, 'ffi.cast'), standIn(value) ?? value) as CastResult<T>;
  }

  /**
   * A pointer to a struct/array cdata, or to a field or element inside it (C's &); or, given a
   * library and a name, the address of that function or global.
   */
  addressof(cdata: CData | Lib, ...path: (string | number)[]): CData {
    if (isLib(cdata)) {
      if (path.length !== 1 || typeof path[0] !== 'string') throw new TypeError('ffi.addressof(lib, name): name one function or global');
      return libAddress(cdata, path[0]);
    }
    if (!isCData(cdata)) throw new TypeError(`ffi.addressof(): expected a cdata or a library, got ${show(cdata)}`);
    return addressOf(cdata, path);
  }

  /**
   * A C function pointer running `fn`: `cdecl` is a function type ('int(int, int)'), a function
   * pointer type, or a typedef of either. If `fn` throws, C receives `options.error` (default 0)
   * and `options.onerror(err)` is called. It stays valid while the returned cdata is reachable;
   * ffi.release() frees it now.
   */
  callback(cdecl: TypeArg, fn: (...args: any[]) => unknown, options: CallbackOptions = {}): CFunction { // eslint-disable-line @typescript-eslint/no-explicit-any
    noteUse('callback');
    const t = this.#type(cdecl, 'ffi.callback()');
    const pt = t.kind === 'function' ? pointerTo(t) : t;
    if (pt.kind !== 'pointer' || pt.item.kind !== 'function') {
      throw new TypeError(`ffi.callback('${t.cname}'): expected a function type such as 'int(int, int)'`);
    }
    usable(pt, 'ffi.callback');
    return callback(pt, fn, options, `ffi.callback('${pt.item.cname}')`) as CFunction;
  }

  /**
   * Attaches a JavaScript function to an extern "Python" (or "JS") function of the cdef: the C
   * function the code verify() generates defines, which C in the source calls by name and which
   * calls `fn`. Call it as `defExtern(fn)` (the function's own name is the C function's),
   * `defExtern(name, fn)`, with `options` ({ error, onerror }, as ffi.callback's) last. Every
   * library of this FFI calls `fn` from now on, those built later too; attaching another function
   * to the name replaces it. Until a function is attached, the C function reports each call and
   * returns 0. Returns `fn`.
   */
  defExtern<F extends (...args: any[]) => unknown>(fn: F, options?: CallbackOptions): F; // eslint-disable-line @typescript-eslint/no-explicit-any
  defExtern<F extends (...args: any[]) => unknown>(name: string, fn: F, options?: CallbackOptions): F; // eslint-disable-line @typescript-eslint/no-explicit-any
  defExtern(...args: unknown[]): unknown {
    const { name, fn, options } = externArguments(args);
    const d = this.#registry.get(name);
    if (d?.kind !== 'extern-callback') throw notExtern(name);
    usable(pointerTo(d.type), `ffi.defExtern`);
    this.#externs.define(name, d.type, glueStage().lowerByValue(d.type), d.language, fn, options);
    return fn;
  }

  /** A 'void *' standing for any JavaScript object, which C can carry and give back to ffi.fromHandle(). */
  newHandle(object: unknown): CData {
    return newHandle(object);
  }

  /** The object behind a handle made by ffi.newHandle() and still alive. */
  fromHandle(handle: unknown): unknown {
    return fromHandle(handle);
  }

  /** Text from a char array or pointer (stops at NUL or maxlen bytes), or an enum value's name. */
  string(cdata: unknown, maxlen?: number): string {
    return stringOf(cdata, maxlen);
  }

  /** The first n items of a pointer or array, copied out (a Buffer for chars, a string for wide chars, else an array). */
  unpack(cdata: CData, n: number): unknown[] | Buffer | string {
    if (!isCData(cdata)) throw new TypeError(`ffi.unpack(): expected a cdata, got ${show(cdata)}`);
    return unpack(cdata, n);
  }

  /** A Buffer over a cdata's memory, without copying. */
  buffer(cdata: CData, size?: number): Buffer {
    if (!isCData(cdata)) throw new TypeError(`ffi.buffer(): expected a cdata, got ${show(cdata)}`);
    return bufferOf(cdata, size);
  }

  /**
   * An array cdata ('char[]' unless a type is given), or a pointer to its start, over the memory of
   * a Buffer, typed array or ArrayBuffer, without copying: CFFI's order (cdecl, buffer, options) or
   * (buffer, cdecl, options).
   */
  fromBuffer(cdecl: TypeArg, buf: ArrayBufferView | ArrayBuffer, options?: FromBufferOptions): CData;
  fromBuffer(buf: ArrayBufferView | ArrayBuffer, cdecl?: TypeArg | FromBufferOptions, options?: FromBufferOptions): CData;
  fromBuffer(a: unknown, b?: unknown, c?: unknown): CData {
    const { buffer, cdecl } = fromBufferArguments(a, b, c);
    const t = this.#type(cdecl, 'ffi.fromBuffer()');
    return fromBuffer(buffer, usable(t, 'ffi.fromBuffer'), typeof cdecl === 'string' ? cdecl : cdecl.cname);
  }

  /** Copies n bytes between cdata and/or JS buffers; overlapping ranges are handled. */
  memmove(dest: unknown, src: unknown, n: number): void {
    memmove(dest, src, n);
  }

  /** A typed array over the items of an array or pointer cdata, without copying (fastest for loops). */
  view(cdata: CData, length?: number): ArrayBufferView {
    if (!isCData(cdata)) throw new TypeError(`ffi.view(): expected a cdata, got ${show(cdata)}`);
    return typedView(cdata, length);
  }

  /**
   * A new cdata for the same memory that calls destructor(cdata) once when garbage-collected.
   * `size` is how many bytes the destructor frees: reported to V8 as memory outside its heap, so
   * that it collects sooner; with a size, a library function taking one pointer (`lib.free`) is
   * called by the garbage collector itself when the native helper is loaded, even inside a
   * synchronous loop (such a function must not call back into JavaScript). `ffi.gc(q, null)`
   * removes the destructor of a cdata ffi.gc() returned.
   */
  gc<D extends ((c: CData) => unknown) | null>(cdata: CData, destructor: D, size = 0): GcResult<D> {
    if (!isCData(cdata)) throw new TypeError(`ffi.gc(): expected a cdata, got ${show(cdata)}`);
    return gcAttach(cdata, destructor, size) as GcResult<D>;
  }

  /** Frees ffi.new() memory or runs an ffi.gc() destructor now; the cdata cannot be used afterwards. */
  release(cdata: CData): void {
    release(cdata);
  }

  /**
   * A hex dump of a cdata's memory with addresses, annotated per field (structs) or element
   * (arrays), padding marked: the layout, endianness and values at a glance. `bytes` shows more or
   * less (and is needed for a 'void *').
   */
  dump(cdata: CData, options?: DumpOptions): string {
    return dump(cdata, options);
  }

  /** errno as the last C call left it; assign to set it before the next call. */
  get errno(): number {
    return getErrno();
  }

  set errno(value: number) {
    if (!Number.isInteger(value)) throw new TypeError(`ffi.errno: expected an integer, got ${show(value)}`);
    // errno is a C int: a larger value would be cut to its low 32 bits (2 ** 40 would become 0)
    if (value < -(2 ** 31) || value >= 2 ** 31) throw new RangeError(`ffi.errno: ${show(value)} does not fit in 'int' (-2147483648 to 2147483647)`);
    setErrno(value);
  }
}


/** Refuses a type that mentions one whose layout waits for verify(), with the reason. */
function usable(t: CType, fn: string): CType {
  const p = settledPending(t);
  if (p) throw new FFIError(`${fn}('${t.cname}'): ${pendingReason(p)}`);
  return t;
}

/** A registry holding `decls` (already checked elsewhere), for generators that read one. */
function declarationsRegistry(decls: readonly Decl[]): Registry {
  const r = new Registry();
  for (const d of decls) r.declare(d, true);
  return r;
}

// A function pointer has no FFI whose declarations its variadic arguments' type names could use:
// it reads the names C itself defines ('int', 'const char *') with the cdef parser, over none.
const builtinNames = new Registry();
useBuiltinTypes((text) => parser().parseTypeName(text, builtinNames));

// util.inspect of a cdata: its repr, then the values of memory node-cffi owns (fields, elements).
// Defined here, not in cdata/base.ts, which dump.ts depends on through classes.ts.
Object.defineProperty(CData.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: CData, depth: number, options: object, inspect: (v: unknown, o?: object) => string): string {
    return inspectCData(this, depth, options as Parameters<typeof inspectCData>[2], inspect);
  },
  configurable: true,
  writable: true,
});
