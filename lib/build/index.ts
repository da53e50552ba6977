// The build stage's public surface: libraries built and cached, the preprocessor's view of a source, remembered translation units, the compiler and the cache as they stand.
import * as path from 'path';
import { FFIError } from '../errors';
import { Host, nodeHost } from '../host';
import { hostTasks, runSync } from '../tasks';
import { cacheDirectory, ensureCacheDir } from './cache';
import { BuildOptions, CompilerInfo, compileArgs, compilerInfo, findCompiler, timeoutOf } from './compiler';
import { archiveDefinitions, librarySearchDirs, sharedLibraryFile } from './archives';

export type { BuildRequest, BuildResult, LibraryDescriptor } from './library';
export { buildAsync, buildSync } from './library';
export type { BuildOptions, CompilerInfo } from './compiler';
export { BUILD_OPTION_NAMES, featureLines, isCxxFile } from './compiler';
export { macroDefinition, shellWords, withPkgconfig } from './pkgconfig';
export type { CacheEntry } from './cache';
export { cacheDirectory, cleanCache, listCache, listCodeCaches } from './cache';
export type { Derivation, Derived, Preprocessed, PreprocessOptions } from './preprocess';
export { preprocess } from './preprocess';
export type { RememberedUnit } from './memo';
export { recallUnit, rememberUnit } from './memo';

/**
 * The compiler a build with `options` runs (options.compiler, else $CC, else cc): its real path,
 * version and family. Throws the VerificationError verify() would when there is none; probing
 * remembers the version in the cache directory, as a build does.
 */
export function probeCompiler(options: BuildOptions = {}, host: Host = nodeHost): CompilerInfo {
  const io = hostTasks(host);
  const dir = cacheDirectory(options, host);
  runSync(ensureCacheDir(dir, 'verify()', host, io));
  return runSync(compilerInfo(runSync(findCompiler(options, host, io)), dir, timeoutOf(options), host, io));
}

/**
 * The names the static archives of a build with `options` define (its -l libraries found as
 * `.a` files, its `.a` objects, the C library's own archives): a reference to one of them must be
 * strong for the linker to take it in. None for tcc, whose weak references are looked up by name.
 */
export function staticDefinitions(options: BuildOptions = {}, host: Host = nodeHost): ReadonlySet<string> {
  if (probeCompiler(options, host).family === 'tcc') return new Set();
  const io = hostTasks(host);
  const found = runSync(findCompiler(options, host, io));
  const dirs = runSync(librarySearchDirs(found, cacheDirectory(options, host), host, io));
  return archiveDefinitions(compileArgs(options, host), dirs, host);
}

/**
 * The shared library a link with `-l<name>` takes ('yaml': the `libyaml.so` development link to
 * libyaml-0.so.2), found in the compiler's library search directories, as ctypes' find_library asks
 * gcc when the dynamic linker's cache has no `lib<name>.so`; `libX.so` names X. Null when none has
 * it or there is no compiler to ask.
 */
export function linkerLibrary(name: string, options: BuildOptions = {}, host: Host = nodeHost): string | null {
  const lib = /^lib(.+)\.so$/.exec(name)?.[1] ?? name;
  if (!/^[\w.+-]+$/.test(lib)) return null;
  try {
    const io = hostTasks(host);
    const found = runSync(findCompiler(options, host, io));
    return sharedLibraryFile(lib, runSync(librarySearchDirs(found, cacheDirectory(options, host), host, io)), host);
  } catch {
    return null; // no compiler, no cache directory: the dynamic linker's answer stands
  }
}

/** Whether the cache directory is usable: `problem` says why not (unsafe, not writable), null when it is. */
export interface CacheStatus {
  readonly directory: string;
  readonly problem: string | null;
}

/** Creates the cache directory when missing, checks that only its owner can write to it, and writes a file there. */
export function cacheStatus(options: { readonly tmpdir?: string } = {}, host: Host = nodeHost): CacheStatus {
  const directory = cacheDirectory(options, host);
  try {
    runSync(ensureCacheDir(directory, 'cacheStatus()', host, hostTasks(host)));
    const probe = path.join(directory, `.probe-${host.pid()}`);
    host.writeFileSync(probe, 'ok', { mode: 0o600 });
    host.rmSync(probe);
    return { directory, problem: null };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { directory, problem: e instanceof FFIError ? message.replace(/^cacheStatus\(\): /, '') : message };
  }
}
