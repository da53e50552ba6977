// API mode's one pipeline, for verify(), verifyAsync() and compile(): the translation unit, its build, loading it, settling the cdef with its probes, the library object.
import { show } from './errors';
import { nodeHost } from './host';
import { CType, functionType, pointerTo, primitive } from './ctype/model';
import type { Decl } from './ctype/registry';
import { Glue, explainPrototypes, generateGlue } from './codegen/glue';
import { Settlement, settle } from './codegen/probes';
import { BuildOptions, BuildRequest, BuildResult, buildAsync, buildSync } from './build';
import { LoadedLibrary, loadLibrary } from './backend/koffi';
import { placeRaw } from './cdata/memory';
import { Lib, makeLib } from './clib';

export interface VerifyOptions extends BuildOptions {
  /** The file name compiler diagnostics give the source (default 'source.c'). */
  filename?: string;
  /** A readable name for the cached library (default: from the file name). */
  moduleName?: string;
}

/** A translation unit ready to build: the cdef's declarations, the glue for them, and the build request. */
export interface Prepared {
  readonly decls: readonly Decl[];
  readonly glue: Glue;
  readonly request: BuildRequest;
  readonly options: VerifyOptions;
}

/** A built library, loaded, with the cdef settled by its probes (types completed in place). */
export interface Settled {
  readonly loaded: LoadedLibrary;
  /** The declarations as the library has them: constants with values, `[...]` globals with lengths. */
  readonly decls: readonly Decl[];
  readonly constants: ReadonlyMap<string, number | bigint>;
}

/**
 * The translation unit for `source` and the declarations (`source` under `#line 1 "<filename>"`,
 * then the glue), and the request that builds it; `cdefs` (every cdef call's text and options)
 * are part of the cache key. `where` names the caller in messages.
 */
export function prepare(decls: readonly Decl[], cdefs: readonly string[], source: unknown, options: VerifyOptions, where: string): Prepared {
  if (typeof source !== 'string') throw new TypeError(`${where}: expected C source as a string, got ${show(source)}`);
  const filename = options.filename ?? 'source.c';
  const glue = generateGlue(decls, source, filename);
  const request: BuildRequest = {
    code: glue.unit,
    fileName: filename.split(/[\\/]/).pop() || 'source.c',
    moduleName: options.moduleName ?? filename.replace(/\.[^.]*$/, ''),
    keyParts: cdefs,
    options,
    descriptor: true,
  };
  return { decls, glue, request, options };
}

/** Builds (or finds in the cache) the library; a compiler failure on the glue's prototypes is explained (see explainPrototypes). */
export function build(p: Prepared): BuildResult {
  try {
    return buildSync(p.request);
  } catch (e) {
    throw explainPrototypes(e, p.glue);
  }
}

/** build() without blocking the event loop while the compiler runs. */
export async function buildWithoutBlocking(p: Prepared): Promise<BuildResult> {
  try {
    return await buildAsync(p.request);
  } catch (e) {
    throw explainPrototypes(e, p.glue);
  }
}

/**
 * Loads a built library (from the descriptor the build checked it through, which this closes) and
 * reads its probe table against the cdef: what the cdef states is checked, what it leaves open is
 * filled in (in place, in the types). Closes the library when the probes disagree with the cdef.
 */
export function loadAndSettle(p: Prepared, built: BuildResult): Settled {
  let loaded: LoadedLibrary;
  try {
    loaded = loadLibrary(built.path, { watch: linkedLibraries(p.options), file: built.descriptor });
  } finally {
    if (built.descriptor) nodeHost.closeSync(built.descriptor.fd);
  }
  try {
    const settled = readProbes(loaded, p.glue);
    settled.apply();
    return { loaded, decls: settledDecls(p.decls, settled), constants: settled.constants };
  } catch (e) {
    loaded.close();
    throw e;
  }
}

/** The file names of the libraries `-l` links (`libz.so` for 'z'), to look for copies loaded earlier by other code. */
function linkedLibraries(options: VerifyOptions): string[] {
  return Array.isArray(options.libraries) ? options.libraries.filter((l) => typeof l === 'string').map((l) => `lib${l}.so`) : [];
}

/** The library object of a built library: loaded, settled, every function bound now. */
export function open(p: Prepared, built: BuildResult, resolveType: (text: string) => CType): Lib {
  const s = loadAndSettle(p, built);
  try {
    const label = `the verify() library for ${p.options.filename ?? 'source.c'}`;
    return makeLib({
      label, loaded: s.loaded, decls: s.decls, functions: p.glue.functions, globals: p.glue.globals, constants: s.constants, eager: true,
      resolveType,
    });
  } catch (e) {
    s.loaded.close();
    throw e;
  }
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
