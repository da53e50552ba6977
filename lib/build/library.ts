// Building a library: C translation unit in, path of a cached shared library out, compiled at most once per content key.
import * as path from 'path';
import { VerificationError, show } from '../errors';
import { Host, HostTasks, Task, hostTasks, isErrno, nodeHost, runAsync, runSync } from '../host';
import {
  Dependency, Entry, Sidecar, breakLock, cacheDirectory, cacheKey, ensureCacheDir, entryFor, isComplete, lockState,
  sanitizeName, sweepAbandoned, tryLock, unlock,
} from './cache';
import { sha256, tempPrefix } from './files';
import {
  BuildOptions, CompileArgs, CompilerInfo, DEPS_FILE, FoundCompiler, compileArgs, compilerInfo, findCompiler, runCompiler, timeoutOf,
  userDependencies,
} from './compiler';

export interface BuildRequest {
  /** The complete translation unit, #line directives included. */
  code: string;
  /** Base name the translation unit is written as, e.g. 'source.c'. */
  fileName: string;
  /** Readable name for the cache entry; reduced to safe file-name characters. */
  moduleName: string;
  /** More inputs to the content key (the cdef sources, for instance). */
  keyParts: readonly string[];
  options: BuildOptions;
  /**
   * Files written next to the translation unit, by plain file name, and not compiled: the text of
   * files its `#line` directives name, so that the compiler's diagnostics quote their lines. Their
   * text must come from `code` (it is not part of the key).
   */
  companions?: Readonly<Record<string, string>>;
  /** The source's name as the cache lists it (the sidecar's `source`), when it is not `fileName`. */
  sourceName?: string;
}

export interface BuildResult {
  /** Absolute path of the shared library. */
  path: string;
  /** True when no compiler ran in this call (the library was there, or another process built it). */
  cached: boolean;
  /** The full sha256 content key. */
  key: string;
  compiler: CompilerInfo;
  /**
   * What the compiler wrote when it built this library (its warnings), '' when nothing; kept in
   * the sidecar, so that a build found in the cache reports what its compile reported.
   */
  diagnostics: string;
}

/** Lock holders get the compile timeout plus this much before waiters call their lock abandoned. */
const LOCK_MARGIN_MS = 30_000;
/** When there is no timeout, a lock this old is abandoned even if its holder still runs. */
const LOCK_DEFAULT_MS = 10 * 60 * 1000;
const WAIT_FIRST_MS = 5;
const WAIT_MAX_MS = 100;

function checkRequest(req: BuildRequest): void {
  if (typeof req.code !== 'string') throw new TypeError(`build request code: expected a string, got ${show(req.code)}`);
  const f = req.fileName;
  if (typeof f !== 'string' || f === '' || f === '.' || f === '..' || f !== path.basename(f) || f.includes('\0')) {
    throw new TypeError(`build request fileName: expected a plain file name such as 'source.c', got ${show(f)}`);
  }
  if (typeof req.moduleName !== 'string') {
    throw new TypeError(`build request moduleName: expected a string, got ${show(req.moduleName)}`);
  }
  req.keyParts.forEach((p, i) => {
    if (typeof p !== 'string') throw new TypeError(`build request keyParts[${i}]: expected a string, got ${show(p)}`);
  });
  for (const [name, text] of Object.entries(req.companions ?? {})) {
    if (name === '' || name === '.' || name === '..' || name !== path.basename(name) || name.includes('\0') || name === f || typeof text !== 'string') {
      throw new TypeError(`build request companions: expected plain file names other than ${show(f)} with text, got ${show(name)}`);
    }
  }
}

/** Everything decided before the cache is consulted. */
interface Plan {
  readonly req: BuildRequest;
  readonly dir: string;
  readonly entry: Entry;
  readonly key: string;
  readonly found: FoundCompiler;
  readonly info: CompilerInfo;
  readonly args: CompileArgs;
  readonly timeout: number | undefined;
}

function* hashSources(sources: readonly string[], io: HostTasks): Task<string[]> {
  const hashes: string[] = [];
  for (const file of sources) {
    try {
      hashes.push(sha256(yield* io.readFile(file)));
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
      throw new VerificationError(`options.sources: the file ${file} does not exist; check the path (relative ones start at the working directory)`);
    }
  }
  return hashes;
}

function* plan(req: BuildRequest, host: Host, io: HostTasks): Task<Plan> {
  checkRequest(req);
  const options = req.options;
  const args = compileArgs(options, host);
  const timeout = timeoutOf(options);
  const dir = cacheDirectory(options, host);
  yield* ensureCacheDir(dir, 'verify()', host, io);
  const found = yield* findCompiler(options, host, io);
  const info = yield* compilerInfo(found, dir, host, io);
  const key = cacheKey({
    compiler: info,
    code: req.code,
    fileName: req.fileName,
    args: [...args.before, ...args.sources, ...args.after],
    sourceHashes: yield* hashSources(args.sources, io),
    keyParts: req.keyParts,
  });
  return { req, dir, entry: entryFor(dir, req.moduleName, key), key, found, info, args, timeout };
}

/** Compiles in a private directory, then renames library and sidecar into place (each rename is atomic). */
function* compileEntry(p: Plan, host: Host, io: HostTasks): Task<void> {
  const work = yield* io.mkdtemp(tempPrefix(p.dir, host));
  try {
    const out = `${sanitizeName(p.req.moduleName)}.so`;
    yield* io.writeFile(path.join(work, p.req.fileName), p.req.code);
    for (const [name, text] of Object.entries(p.req.companions ?? {})) yield* io.writeFile(path.join(work, name), text);
    const diagnostics = yield* runCompiler(
      { compiler: p.found, args: p.args, fileName: p.req.fileName, out, work, realWork: yield* io.realpath(work), timeout: p.timeout },
      io,
    );
    let lib: Buffer;
    try {
      lib = yield* io.readFile(path.join(work, out));
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
      throw new VerificationError(
        `verify(): the C compiler (${p.found.command.join(' ')}) reported success but wrote no library; ` +
          `check options.extraCompileArgs for flags such as -c or -E`,
      );
    }
    const sidecar: Sidecar = {
      key: p.key,
      module: p.req.moduleName,
      source: p.req.sourceName ?? p.req.fileName,
      created: new Date(host.now()).toISOString(),
      size: lib.length,
      sha256: sha256(lib),
      compiler: p.info,
      deps: yield* dependenciesOf(work, p.req.fileName, io),
      diagnostics,
    };
    reported.set(p.key, diagnostics);
    const sidecarTmp = path.join(work, '.sidecar.json');
    yield* io.writeFile(sidecarTmp, JSON.stringify(sidecar, null, 2));
    yield* io.rename(path.join(work, out), p.entry.library);
    yield* io.rename(sidecarTmp, p.entry.sidecar);
  } finally {
    yield* io.rm(work);
  }
}

/** Errors that mean the cache directory cannot be written (not that it is unsafe: that is refused). */
const UNWRITABLE = ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT'];

/** Private directories used instead of unwritable caches in this process, by cache directory. */
const fallbacks = new Map<string, string>();

/**
 * Builds in the cache; when the cache directory cannot be written (read-only, full, no permission),
 * builds in a private temporary directory instead (mode 0700, used for the rest of the process),
 * with a warning that nothing is cached.
 */
function* build(req: BuildRequest, host: Host): Task<BuildResult> {
  const io = hostTasks(host);
  const dir = cacheDirectory(req.options, host);
  const fallback = fallbacks.get(dir);
  if (fallback) return yield* buildIn({ ...req, options: { ...req.options, tmpdir: fallback } }, host, io);
  try {
    return yield* buildIn(req, host, io);
  } catch (e) {
    const code = UNWRITABLE.find((c) => isErrno(e, c));
    if (!code) throw e;
    const own = yield* io.mkdtemp(path.join(host.tmpdir(), 'node-cffi-private-'));
    fallbacks.set(dir, own);
    process.emitWarning(
      `the library cache ${dir} cannot be written (${code}); compiling in the private directory ${own} instead, ` +
        'so nothing is cached across processes (fix the cache directory, or set NODE_CFFI_CACHE)',
      'NodeCffiCacheWarning',
    );
    return yield* buildIn({ ...req, options: { ...req.options, tmpdir: own } }, host, io);
  }
}

/** The user headers the compile read, with their size and mtime (none when the compiler wrote no list). */
function* dependenciesOf(work: string, fileName: string, io: HostTasks): Task<Dependency[]> {
  let text: string;
  try {
    text = (yield* io.readFile(path.join(work, DEPS_FILE))).toString('utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return [];
    throw e;
  }
  const deps: Dependency[] = [];
  for (const file of userDependencies(text, work, [fileName])) {
    const st = yield* io.stat(file);
    if (st) deps.push({ path: file, size: st.size, mtimeMs: st.mtimeMs });
  }
  return deps;
}

/** What the compile of each key reported, for the builds this process made or read from the cache. */
const reported = new Map<string, string>();

/** The diagnostics the sidecar of a cached library keeps ('' when it keeps none). */
function* cachedDiagnostics(p: Plan, io: HostTasks): Task<string> {
  const known = reported.get(p.key);
  if (known !== undefined) return known;
  let diagnostics = '';
  try {
    const side = JSON.parse((yield* io.readFile(p.entry.sidecar)).toString('utf8')) as Partial<Sidecar> | null;
    if (side && side.key === p.key && typeof side.diagnostics === 'string') diagnostics = side.diagnostics;
  } catch (e) {
    if (!isErrno(e, 'ENOENT') && !(e instanceof SyntaxError)) throw e;
  }
  reported.set(p.key, diagnostics);
  return diagnostics;
}

function* buildIn(req: BuildRequest, host: Host, io: HostTasks): Task<BuildResult> {
  const p = yield* plan(req, host, io);
  const result = (cached: boolean, diagnostics: string): BuildResult => ({ path: p.entry.library, cached, key: p.key, compiler: p.info, diagnostics });
  const staleAfter = (p.timeout ?? LOCK_DEFAULT_MS) + LOCK_MARGIN_MS;
  let pause = WAIT_FIRST_MS;
  for (;;) {
    if (yield* isComplete(p.entry, p.key, io)) return result(true, yield* cachedDiagnostics(p, io));
    const lock = yield* tryLock(p.entry, host, io);
    if (lock) {
      try {
        // Whoever held the lock before may have just finished this very library.
        if (yield* isComplete(p.entry, p.key, io)) return result(true, yield* cachedDiagnostics(p, io));
        yield* sweepAbandoned(p.dir, host, io);
        yield* compileEntry(p, host, io);
        return result(false, reported.get(p.key) ?? '');
      } finally {
        yield* unlock(lock, io);
      }
    }
    const state = yield* lockState(p.entry.lock, staleAfter, host, io);
    if (state === 'stale') yield* breakLock(p.entry.lock, io);
    if (state === 'held') {
      yield* io.sleep(pause);
      pause = Math.min(pause * 2, WAIT_MAX_MS);
    }
  }
}

/** Builds (or finds in the cache) the shared library for `req`, blocking until it is there. */
export function buildSync(req: BuildRequest, host: Host = nodeHost): BuildResult {
  return runSync(build(req, host));
}

/** As buildSync, with asynchronous file access and compiler process: the event loop keeps running. */
export function buildAsync(req: BuildRequest, host: Host = nodeHost): Promise<BuildResult> {
  return runAsync(build(req, host));
}
