// API mode's one pipeline, for verify(), verifyAsync() and compile(): the translation unit, its build, loading it, settling the cdef with its probes, the library object.
import * as path from 'path';
import { FFIError, show, TypeError, VerificationError } from './errors';
import { nodeHost } from './host';
import { CType, pendingLayout, primitive } from './ctype/model';
import { functionType, pointerTo } from './ctype/intern';
import type { Decl } from './ctype/registry';
import { GLUE_FILE, GLUE_FILE_CXX, Glue, generateGlue, planGlue } from './codegen/glue';
import { tellDiagnostics } from './codegen/diagnostics';
import { CompilerWarning } from './codegen/warning';
import { Settlement, settle } from './codegen/probes';
import { BUILD_OPTION_NAMES, isCxxFile, buildAsync, BuildOptions, BuildRequest, BuildResult, buildSync, recallUnit, RememberedUnit, rememberUnit } from './build';
import { CdefRecord, bindingsDigest, cdefHash, planDigest, unitKey } from './units';
import { LoadedLibrary, loadLibrary } from './backend/koffi';
import { missingDependency } from './backend/loaderrors';
import { placeRaw } from './cdata/memory';
import type { ExternTable } from './cdata/externs';
import { Lib, makeLib } from './clib';
import type { LibSpec } from './clibglobals';

export { CompilerWarning } from './codegen/warning';

export interface VerifyOptions extends BuildOptions {
  /**
   * The file name compiler diagnostics give the source (default 'source.c', or 'source' with
   * sourceExtension). A C++ name ('geometry.cpp', '.cc', '.cxx') builds the source and the glue as C++.
   */
  filename?: string;
  /** The default file name's extension, CFFI's `source_extension`: '.cpp' builds the source as C++ (default '.c'). */
  sourceExtension?: string;
  /** A readable name for the cached library (default: from the file name). */
  moduleName?: string;
  /**
   * Check each cdef prototype for the very C types the source declares (`long` and `long long`
   * differ even where both have 64 bits). Off by default: the generated wrapper calls the
   * function with the cdef's types and the compiler converts, as CFFI's wrappers do.
   */
  strictPrototypes?: boolean;
  /**
   * Receives each compiler warning (a `CompilerWarning`) instead of `process.emitWarning`:
   * collect them, print them, or pass `() => {}` to silence them.
   */
  onWarning?: (warning: CompilerWarning) => void;
  /** How the built library is loaded: dlopen()'s flags, a sum of `ffi.RTLD_*` values (default: RTLD_NOW). */
  flags?: number;
  /**
   * A file (usually the calling module's own, `__filename`) whose directory the relative paths of
   * includeDirs, libraryDirs, runtimeLibraryDirs, sources, extraObjects and depends are taken from,
   * instead of the working directory.
   */
  relativeTo?: string;
}

/** Every VerifyOptions name, for checkOptions(). */
export const VERIFY_OPTION_NAMES: Readonly<Record<keyof VerifyOptions, true>> = {
  ...BUILD_OPTION_NAMES, filename: true, sourceExtension: true, moduleName: true, strictPrototypes: true, onWarning: true, flags: true, relativeTo: true,
};

/** The file name a source goes by: options.filename, else `stem` with options.sourceExtension (CFFI's default '.c'). */
export function sourceFileName(options: VerifyOptions, stem: string): string {
  const ext = options.sourceExtension;
  if (ext !== undefined && (typeof ext !== 'string' || !/^\.[\w+]+$/.test(ext) || !(ext === '.c' || isCxxFile(ext)))) {
    throw new TypeError(`options.sourceExtension: expected '.c' or a C++ extension ('.cpp', '.cc', '.cxx'), got ${show(ext)}`);
  }
  return options.filename ?? `${stem}${ext ?? '.c'}`;
}

/**
 * Errors by default, as gcc 14 and clang 16 make them: a call of an undeclared function (a
 * forgotten #include, whose pointer result would be truncated to an int), a declaration without
 * a type, and int/pointer conversions. They come before the user's flags, which may turn them
 * back into warnings (`-Wno-error=int-conversion`).
 */
const DEFAULT_ERRORS: readonly string[] = ['-Werror=implicit-function-declaration', '-Werror=implicit-int', '-Werror=int-conversion'];

/** A translation unit ready to build: the cdef's declarations, the glue for them, and the build request. @internal */
export interface Prepared {
  readonly decls: readonly Decl[];
  readonly glue: Glue;
  readonly request: BuildRequest;
  readonly options: VerifyOptions;
  /**
   * The key the unit is remembered under once built (see unitKey), and what was remembered under
   * it when the build was asked for by that (`known`); undefined when the declarations may not be
   * what their cdef text makes.
   */
  readonly remember?: { readonly key: string; known?: RememberedUnit };
}

/** A built library, loaded, with the cdef settled by its probes (types completed in place). @internal */
export interface Settled {
  readonly loaded: LoadedLibrary;
  /** The declarations as the library has them: constants with values, `[...]` globals with lengths. */
  readonly decls: readonly Decl[];
  readonly constants: ReadonlyMap<string, number | bigint>;
}

/**
 * The translation unit for `source` and the declarations (CFFI's standard headers, `source` under
 * `#line 1 "<filename>"`, then the glue), and the request that builds it; `cdefs` (every cdef
 * call's text and options) are part of the cache key. `where` names the caller in messages.
 * `included` are the declarations taken from other FFIs by ffi.include(): their own builds
 * check them, so the glue only spells types by them. `pristine`, when given: the declarations
 * are exactly what `cdefs` make (no library settled them, no type name declared a type since),
 * or the part of them it names ('' for all), so that the unit's hash may be looked up by what it
 * is made of (unitKey) and the unit made only if the compiler must run. `prelude` false: no
 * standard headers before the source (see GlueOptions.prelude), for the dlopen() probe library.
 * `wrapped`: the functions reached through their wrappers only (see GlueOptions.wrapped).
 * @internal
 */
export function prepare(
  decls: readonly Decl[], cdefs: readonly CdefRecord[], source: unknown, given: VerifyOptions, where: string, included: readonly Decl[] = [], pristine?: string,
  prelude = true, wrapped: ReadonlySet<string> = new Set(),
): Prepared {
  if (source === undefined) source = ''; // CFFI's default: the cdef's names come from the libraries linked
  if (typeof source !== 'string') throw new TypeError(`${where}: expected C source as a string, got ${show(source)}`);
  const options = relativePaths(given);
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
    throw new TypeError(`options.onWarning: expected a function receiving each CompilerWarning, got ${show(options.onWarning)}`);
  }
  refuseOpaqueByValue(decls, where);
  const filename = sourceFileName(options, 'source');
  if (typeof filename !== 'string' || filename === '') throw new TypeError(`options.filename: expected a file name such as 'source.c', got ${show(filename)}`);
  const base = filename.split(/[\\/]/).pop();
  if (base === GLUE_FILE || base === GLUE_FILE_CXX) {
    throw new TypeError(`options.filename: '${base}' is the name of the code verify() adds to the source; name the source otherwise`);
  }
  const cxx = isCxxFile(filename);
  const glueOptions = { strictPrototypes: options.strictPrototypes === true, spellingOnly: included, prelude, wrapped, addressed: exportedByCLibrary };
  const cdefHashes = cdefs.map(cdefHash); // for the unit's key and the library's
  const key = pristine !== undefined && included.length === 0 ? unitKey(cdefHashes, pristine, source, filename, glueOptions.strictPrototypes, prelude, wrapped) : undefined;
  const known = key === undefined ? undefined : recallUnit(options, key, 'verify()');
  const planned = known === undefined ? undefined : planGlue(decls, source, filename, glueOptions);
  // The library is read by the plan: it must be the one its unit was made with, or the unit is made
  // again. Where a library of the unit was settled with nothing left open, the probes are read only
  // if the build finds another library (see agreed()): the bindings are checked now, the rest then.
  const bindings = planned === undefined ? undefined : bindingsDigest(planned);
  const agrees = bindings !== undefined && bindings === known!.bindings && (known!.settled !== undefined || planDigest(planned!, bindings) === known!.plan);
  const codeHash = agrees ? known!.code : undefined;
  const glue = codeHash !== undefined ? planned! : generateGlue(decls, source, filename, glueOptions);
  const extra = options.extraCompileArgs;
  const request: BuildRequest = {
    code: codeHash === undefined ? glue.unit : () => glue.unit,
    codeHash,
    fileName: cxx ? GLUE_FILE_CXX : GLUE_FILE,
    moduleName: options.moduleName ?? filename.replace(/\.[^.]*$/, ''),
    keyParts: cdefHashes,
    // C++ makes those errors itself (and refuses the flags, which name C's diagnostics).
    options: cxx ? options : { ...options, extraCompileArgs: extra === undefined ? DEFAULT_ERRORS : Array.isArray(extra) ? [...DEFAULT_ERRORS, ...extra] : extra },
    companions: glue.companion ? { [glue.companion.name]: glue.companion.text } : {},
    sourceName: filename.split(/[\\/]/).pop() || 'source.c',
    progress: progressOf(decls),
    descriptor: true,
  };
  return { decls, glue, request, options, remember: key === undefined ? undefined : { key, known: agrees ? known : undefined } };
}


/** The options with the relative paths of includeDirs, libraryDirs, runtimeLibraryDirs, sources, extraObjects and depends taken from options.relativeTo's directory. */
function relativePaths(options: VerifyOptions): VerifyOptions {
  const file = options.relativeTo;
  if (file === undefined) return options;
  if (typeof file !== 'string' || file === '') {
    throw new TypeError(`options.relativeTo: expected the path of a file whose directory relative paths are taken from, got ${show(file)}`);
  }
  const dir = path.dirname(file);
  const under = (list: readonly string[] | undefined): readonly string[] | undefined =>
    Array.isArray(list) ? list.map((x: unknown) => (typeof x === 'string' && !path.isAbsolute(x) ? path.join(dir, x) : x) as string) : list;
  const { relativeTo: _relativeTo, ...rest } = options; // eslint-disable-line @typescript-eslint/no-unused-vars
  return {
    ...rest,
    includeDirs: under(options.includeDirs),
    libraryDirs: under(options.libraryDirs),
    sources: under(options.sources),
    runtimeLibraryDirs: under(options.runtimeLibraryDirs),
    extraObjects: under(options.extraObjects),
    depends: under(options.depends),
  };
}

/**
 * A struct or union without fields cannot be passed or returned by value: refused before
 * compiling (as CFFI refuses it), where the call would otherwise read or write memory of no size.
 */
function refuseOpaqueByValue(decls: readonly Decl[], where: string): void {
  const opaque = (t: CType): boolean => (t.kind === 'struct' || t.kind === 'union') && !t.complete && !pendingLayout(t);
  for (const d of decls) {
    if (d.kind !== 'function' && d.kind !== 'extern-callback') continue;
    const fix = `declare its fields (or '...;' for the compiler to fill in) in the cdef, or pass a pointer`;
    if (opaque(d.type.result)) {
      throw new TypeError(`${where}: function ${d.name}: '${d.type.result.cname}' is used as result type, but is opaque; ${fix}`);
    }
    const i = d.type.args.findIndex(opaque);
    if (i >= 0) throw new TypeError(`${where}: function ${d.name}: '${d.type.args[i].cname}' is used as argument ${i + 1} type, but is opaque; ${fix}`);
  }
}

/** Builds (or finds in the cache) the library, and delivers the compiler's warnings; a compiler failure is told in terms of the source and the cdef. @internal */
export function build(p: Prepared): BuildResult {
  let built: BuildResult;
  try {
    built = buildSync(p.request);
    if (!agreed(p, built)) built = buildSync(unitItself(p));
  } catch (e) {
    throw tell(e, p.glue);
  }
  deliverWarnings(built, p);
  return built;
}

/** build() without blocking the event loop while the compiler runs. @internal */
export async function buildWithoutBlocking(p: Prepared): Promise<BuildResult> {
  let built: BuildResult;
  try {
    built = await buildAsync(p.request);
    if (!agreed(p, built)) built = await buildAsync(unitItself(p));
  } catch (e) {
    throw tell(e, p.glue);
  }
  deliverWarnings(built, p);
  return built;
}

/**
 * Whether the library a remembered unit led to may be read by this plan: a library built from the
 * unit made now, the library whose probes agreed before (nothing of it is read but its bindings,
 * which prepare() checked), or any library of the unit when the whole plan is the one remembered.
 */
function agreed(p: Prepared, built: BuildResult): boolean {
  const known = p.remember?.known;
  if (known === undefined || known.settled === undefined) return true; // prepare() checked the whole plan
  return built.codeHash !== known.code || built.key === known.settled || planDigest(p.glue, known.bindings) === known.plan;
}

/** The build request of `p` with its unit made, not looked up by a remembered hash (which is forgotten: its plan was not this one). */
function unitItself(p: Prepared): BuildRequest {
  p.remember!.known = undefined;
  return { ...p.request, code: p.glue.unit, codeHash: undefined };
}

/** Whether a library is one whose probes agreed with these declarations before, with nothing left open: it is loaded without reading them. */
function settledBefore(p: Prepared, built: BuildResult): boolean {
  const known = p.remember?.known;
  return known !== undefined && known.settled === built.key && built.codeHash === known.code;
}

/**
 * Remembers what a build of the unit is, under the key prepare() gave, for later builds of the same
 * inputs: its hash, the digests of its plan and, once its probes agreed with nothing left open,
 * the library's build key. Nothing is written when that is what was remembered already.
 */
function remember(p: Prepared, built: BuildResult, settled: boolean): void {
  const r = p.remember;
  if (r === undefined) return;
  const known = r.known?.code === built.codeHash ? r.known : undefined;
  if (known !== undefined && (known.settled === built.key || !settled)) return;
  const bindings = known?.bindings ?? bindingsDigest(p.glue);
  const plan = known?.plan ?? planDigest(p.glue, bindings);
  rememberUnit(p.options, r.key, settled ? { code: built.codeHash, plan, bindings, settled: built.key } : { code: built.codeHash, plan, bindings });
}

/**
 * The compiler's warnings of a build (a cached build keeps those of the compile that made it),
 * one by one: to options.onWarning, else through process.emitWarning.
 */
function deliverWarnings(built: BuildResult, p: Prepared): void {
  if (built.diagnostics.trim() === '') return;
  // gcc and clang stop on what verify() treats as errors; a compiler that only warns (tcc) is held to the same.
  const promote = built.compiler.family !== 'gcc' && built.compiler.family !== 'clang';
  const told = tellDiagnostics(built.diagnostics, p.glue, { promote });
  if (told.failed) {
    const first = told.headlines.length ? `${told.headlines.join('\n')}\n` : '';
    throw new VerificationError(
      `${first}verify(): the C compiler (${built.compiler.command.join(' ')}) only warned about what verify() treats as errors:\n${told.text}`,
      told.text,
    );
  }
  for (const w of told.warnings) {
    if (p.options.onWarning) p.options.onWarning(w);
    else process.emitWarning(w.message, { type: w.name, detail: w.detail });
  }
}

/**
 * A compiler failure as the user should read it: diagnostics in the glue are restated at the
 * cdef declarations they are about, and their sentences come first ("sub(): the cdef declares
 * 'sub' but source.c does not define it; …"); the rest stays as the compiler wrote it.
 */
function tell(e: unknown, glue: Glue): unknown {
  if (!(e instanceof VerificationError) || !e.diagnostics) return e;
  const told = tellDiagnostics(e.diagnostics, glue);
  const head = e.message.endsWith(e.diagnostics) ? e.message.slice(0, -e.diagnostics.length).replace(/:\n$/, '') : e.message.split('\n')[0];
  const first = told.headlines.length ? `${told.headlines.join('\n')}\n` : '';
  return new VerificationError(`${first}${head}:\n${told.text}`, told.text);
}

/**
 * Loads a built library (from the descriptor the build checked it through, which this closes) and
 * reads its probe table against the cdef: what the cdef states is checked, what it leaves open is
 * filled in (in place, in the types). Closes the library when the probes disagree with the cdef.
 * @internal
 */
export function loadAndSettle(p: Prepared, built: BuildResult): Settled {
  let loaded: LoadedLibrary;
  try {
    loaded = loadLibrary(built.path, { watch: linkedLibraries(p.options), file: built.descriptor, flags: p.options.flags });
  } catch (e) {
    throw unresolved(e, p);
  } finally {
    if (built.descriptor) nodeHost.closeSync(built.descriptor.fd);
  }
  try {
    if (settledBefore(p, built)) return { loaded, decls: p.decls, constants: new Map() };
    let settled: Settlement;
    try {
      settled = readProbes(loaded, p.glue);
    } catch (e) {
      remember(p, built, false);
      throw e;
    }
    settled.apply();
    remember(p, built, !settled.filled);
    return { loaded, decls: settledDecls(p.decls, settled), constants: settled.constants };
  } catch (e) {
    loaded.close();
    throw e;
  }
}

/**
 * A library that does not load because a name it refers to is defined nowhere (a global the cdef
 * and the source only declare, a function of a library not linked) is said in those terms, with
 * what to do; the loader's own words follow. Other errors pass unchanged.
 */
function unresolved(e: unknown, p: Prepared): unknown {
  const source = sourceFileName(p.options, 'source');
  const needed = missingDependency(e, null);
  if (needed !== null) {
    // A library -l linked, which the dynamic linker does not find when this one loads: not in its directories, nor in an rpath.
    const dirs = Array.isArray(p.options.libraryDirs) ? p.options.libraryDirs.filter((d): d is string => typeof d === 'string') : [];
    const found = dirs.map((d) => path.resolve(nodeHost.cwd(), d)).find((d) => nodeHost.statSync(path.join(d, needed)) !== undefined);
    return new FFIError(
      `verify(): the library built from ${source} needs ${needed}, which the dynamic linker does not find when it loads` +
        `${found ? ` (it is in ${found}, a directory of options.libraryDirs, which serves the link only)` : ''}; ` +
        `give its directory in options.runtimeLibraryDirs (-Wl,-rpath), or in LD_LIBRARY_PATH before node starts (${(e as Error).message})`,
    );
  }
  const name = e instanceof Error ? /\bundefined symbol: ([^\s,)]+)/.exec(e.message)?.[1] : undefined;
  if (name === undefined) return e;
  const error = new FFIError(
    `verify(): the library built from ${source} refers to '${name}', which neither ${source} nor a library linked defines; ` +
      `define it in the source, or name the library that defines it in options.libraries (${(e as Error).message})`,
  );
  // The name, for a program (and the command line, which says the same in its own terms: -l).
  Object.defineProperty(error, 'undefinedSymbol', { value: name });
  return error;
}

/** What a build is made of, for the line a long compile prints: '1,500 functions, 3 globals'. */
function progressOf(decls: readonly Decl[]): string | undefined {
  const count = (kind: Decl['kind']): number => decls.reduce((n, d) => n + (d.kind === kind ? 1 : 0), 0);
  const parts = ([['function', 'functions'], ['variable', 'globals']] as const)
    .map(([kind, noun]) => [count(kind), noun] as const)
    .filter(([n]) => n > 0)
    .map(([n, noun]) => `${grouped(n)} ${n === 1 ? noun.slice(0, -1) : noun}`);
  return parts.length ? parts.join(', ') : undefined;
}

/** `n` with its thousands grouped ('1,500'), as toLocaleString('en-US') would write it, without the ~10 ms that loading ICU's locale data costs its first call. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** The file names of the libraries `-l` links (`libz.so` for 'z'), to look for copies loaded earlier by other code. */
function linkedLibraries(options: VerifyOptions): string[] {
  return Array.isArray(options.libraries) ? options.libraries.filter((l) => typeof l === 'string').map((l) => `lib${l}.so`) : [];
}

/**
 * Functions a header declares that the libraries linked may not define: the source refers to them
 * weakly, and `symbol` names a table of their addresses (in the order of `names`), 0 for those
 * no library defined. open() leaves those out and lists them in `missing`.
 * @internal
 */
export interface WeakFunctions {
  readonly symbol: string;
  /** Functions and globals, in the table's order. */
  readonly names: readonly string[];
  /** Which of `names` are globals. */
  readonly variables: ReadonlySet<string>;
  /** Which of `names` a static archive of the link defines: referred to strongly, for the linker to take them in. */
  readonly strong: ReadonlySet<string>;
  readonly missing: string[];
  /**
   * The macros that only rename one of `names`' functions, with its name (`#define f _real_f`):
   * verify() calls them through wrappers, which call that function, so they are missing with it.
   */
  readonly renames: ReadonlyMap<string, string>;
  /**
   * 'table': the addresses the compiled code resolved (the compiler honours weak references);
   * 'symbols': the library and its dependencies are asked for each function's name (tcc, whose
   * code takes a weak function's address through a stub that is never 0); globals are read from
   * the table.
   */
  readonly lookup: 'table' | 'symbols';
}

/** The declarations but the functions and globals of `missing` (those no library linked defines). @internal */
export function withoutMissing(decls: readonly Decl[], missing: ReadonlySet<string>): Decl[] {
  return decls.filter((d) => (d.kind !== 'function' && d.kind !== 'variable') || !missing.has(d.name));
}

/** The functions of `weak` that no library linked defines: their addresses in the table are 0. @internal */
export function missingFunctions(loaded: LoadedLibrary, weak: WeakFunctions): string[] {
  if (weak.names.length === 0) return [];
  const place = placeRaw(loaded.symbolAddress(weak.symbol), weak.names.length * 8);
  // tcc's weak data is 0 when undefined, as other compilers' is, and a global that is a macro has
  // no symbol of its name: globals are read from the table with every compiler.
  const byName = (name: string): boolean => weak.lookup === 'symbols' && !weak.variables.has(name);
  const missing = weak.names.filter((name, i) => (byName(name) ? !loaded.hasSymbol(name) : place.view.getBigUint64(place.offset + i * 8, true) === 0n));
  if (missing.length === 0 || weak.renames.size === 0) return missing;
  const gone = new Set(missing);
  for (const [alias, target] of weak.renames) if (gone.has(target)) missing.push(alias);
  return missing;
}

/**
 * What a library object needs beyond the build: how variadic type names resolve, what included
 * FFIs declare, and the FFI's table of JavaScript functions for extern "Python" ones. Its functions
 * are checked now and bound when first used (a koffi function per use, not hundreds for a header). @internal
 */
export type LibParts = Pick<LibSpec, 'resolveType' | 'included' | 'replaced'> & { readonly externs: ExternTable };

/**
 * The library object of a built library: loaded, settled, every function bound now; its extern
 * "Python" functions call what `parts.externs` (the FFI's) has attached, now and later; and the
 * constants the compiler gave their values. @internal
 */
export function open(p: Prepared, built: BuildResult, parts: LibParts, weak?: WeakFunctions): { lib: Lib; constants: ReadonlyMap<string, number | bigint> } {
  const s = loadAndSettle(p, built);
  try {
    const label = `the verify() library for ${sourceFileName(p.options, 'source')}`;
    let decls = s.decls;
    if (weak) {
      for (const name of missingFunctions(s.loaded, weak)) weak.missing.push(name);
      const missing = new Set(weak.missing);
      decls = withoutMissing(decls, missing);
    }
    const lib = makeLib({
      label, name: p.request.moduleName, loaded: s.loaded, decls, functions: p.glue.functions, globals: p.glue.globals,
      constants: s.constants, eager: true, bindOnUse: true, resolveType: parts.resolveType, included: parts.included, replaced: parts.replaced,
      externs: { bindings: p.glue.externs, table: parts.externs },
    });
    return { lib, constants: s.constants };
  } catch (e) {
    s.loaded.close();
    throw e;
  }
}

/** The process's C library and the libraries loaded with it, once asked (null: koffi cannot load it). */
let cLibrary: LoadedLibrary | null | undefined;

/** Whether the C library (or another library the process loaded) exports a symbol `name`: see GlueOptions.addressed. */
function exportedByCLibrary(name: string): boolean {
  if (cLibrary === undefined) {
    try {
      cLibrary = loadLibrary(null);
    } catch {
      cLibrary = null;
    }
  }
  return cLibrary?.hasSymbol(name) ?? false;
}

/** The probe values of a freshly built library, read against the cdef (see codegen/probes.ts). */
function readProbes(loaded: LoadedLibrary, glue: Glue): Settlement {
  if (glue.probes.length === 0) return settle([], () => [0n, 0n]);
  const table = loaded.bind(glue.probeSymbol, PROBE_FN) as () => number;
  const place = placeRaw(table(), glue.probes.length * 16);
  const at = (i: number): bigint => place.view.getBigUint64(place.offset + i * 8, true);
  return settle(glue.probes, (i) => [at(2 * i), at(2 * i + 1)]);
}

/** The declarations as a library sees them once the compiler settled them: constants with values, `[...]` globals with lengths. */
function settledDecls(decls: readonly Decl[], settled: Settlement): Decl[] {
  return decls.map((d): Decl => {
    if (d.kind === 'constant' && d.value === undefined) {
      const value = settled.constants.get(d.name);
      return value === undefined ? d : { ...d, value, type: d.origin === 'define' ? typeOfValue(value) : d.type };
    }
    const type = d.kind === 'variable' ? settled.globals.get(d.name) : undefined;
    return d.kind === 'variable' && type ? { ...d, type } : d;
  });
}

/** The C type of a `#define X ...` once its value is known: int when it fits, else a 64-bit type. */
function typeOfValue(v: number | bigint): CType {
  const b = BigInt(v);
  if (b >= -(2n ** 31n) && b < 2n ** 31n) return primitive('int');
  return primitive(b < 2n ** 63n ? 'long long' : 'unsigned long long');
}

const PROBE_FN = functionType([], pointerTo(primitive('unsigned long long')), false);
