// Building a library: C translation unit in, path of a cached shared library out, compiled at most once per content key.
import * as path from 'path';
import { FFIError, show, TypeError, VerificationError } from '../errors';
import { Host, isErrno, nodeHost } from '../host';
import { HostTasks, Task, hostTasks, runAsync, runSync, uninterrupted } from '../tasks';
import {
  Dependency, Entry, Sidecar, Verified, breakLock, cacheDirectory, cacheKey, clearDirectory, ensureCacheDir, entryFor, lockState,
  openComplete, sanitizeName, sweepAbandoned, tryLock, unlock,
} from './cache';
import { openRegular, sha256, tempPrefix } from './files';
import {
  BuildOptions, CompileArgs, CompilerInfo, DEPS_FILE, FoundCompiler, compileArgs, isCxxFile, compileNotice, compilerInfo, findCompiler, isRefusal, runCompiler,
  timeoutOf, userDependencies,
} from './compiler';
import { recallFailure, rememberFailure } from './failures';

export interface BuildRequest {
  /**
   * The complete translation unit, #line directives included; or a function making it, called
   * only when the compiler must run, when `codeHash` is its sha256 (see BuildResult.codeHash).
   */
  code: string | (() => string);
  /** The sha256 of the translation unit (hex), when known without it: required when `code` is a function. */
  codeHash?: string;
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
  /** What the compile is made of, for the line a long compile prints ('12 functions'). */
  progress?: string;
  /**
   * Return the library as a descriptor too (see BuildResult.descriptor), to load exactly the file
   * that was checked; the caller then owns the descriptor and must close it.
   */
  descriptor?: boolean;
  /**
   * Remember a compile the compiler refuses, in the cache directory under the content key with
   * this stamp of the files the unit reads that the key does not hold (a hash of the headers it
   * includes, as they are): a later request with the same key and stamp fails with the same
   * VerificationError without running the compiler. For a caller that has a fallback for the
   * failure (the dlopen() probe library of a header that does not compile alone).
   */
  failureStamp?: string;
}

/** The library file a build checked, held open: loading it by descriptor loads these very bytes. */
export interface LibraryDescriptor {
  readonly fd: number;
  /** Its device and inode. */
  readonly dev: number;
  readonly ino: number;
}

export interface BuildResult {
  /** Absolute path of the shared library. */
  path: string;
  /** True when no compiler ran in this call (the library was there, or another process built it). */
  cached: boolean;
  /** The full sha256 content key. */
  key: string;
  /** The sha256 of the translation unit (hex): a later request may give it instead of the unit (BuildRequest.codeHash). */
  codeHash: string;
  compiler: CompilerInfo;
  /**
   * What the compiler wrote when it built this library (its warnings), '' when nothing; kept in
   * the sidecar, so that a build found in the cache reports what its compile reported.
   */
  diagnostics: string;
  /** When the request asked for it: an open descriptor on the library whose bytes were checked. */
  descriptor?: LibraryDescriptor;
}

/** Lock holders get the compile timeout plus this much before waiters call their lock abandoned. */
const LOCK_MARGIN_MS = 30_000;
/** When there is no timeout, a lock this old is abandoned even if its holder still runs. */
const LOCK_DEFAULT_MS = 10 * 60 * 1000;
const WAIT_FIRST_MS = 5;
const WAIT_MAX_MS = 100;

function checkRequest(req: BuildRequest): void {
  if (typeof req.code !== 'string' && typeof req.code !== 'function') {
    throw new TypeError(`build request code: expected a string or a function making it, got ${show(req.code)}`);
  }
  if (req.codeHash !== undefined ? typeof req.codeHash !== 'string' || !/^[0-9a-f]{64}$/.test(req.codeHash) : typeof req.code === 'function') {
    throw new TypeError(`build request codeHash: expected the code's sha256 in hex (64 digits, required with code as a function), got ${show(req.codeHash)}`);
  }
  const f = req.fileName;
  if (typeof f !== 'string' || f === '' || f === '.' || f === '..' || f !== path.basename(f) || f.includes('\0')) {
    throw new TypeError(`build request fileName: expected a plain file name such as 'source.c', got ${show(f)}`);
  }
  if (typeof req.moduleName !== 'string') {
    throw new TypeError(`build request moduleName: expected a string, got ${show(req.moduleName)}`);
  }
  if (req.failureStamp !== undefined && typeof req.failureStamp !== 'string') {
    throw new TypeError(`build request failureStamp: expected a string (a hash of the files the unit reads), got ${show(req.failureStamp)}`);
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
  readonly codeHash: string;
  readonly found: FoundCompiler;
  readonly info: CompilerInfo;
  readonly args: CompileArgs;
  readonly timeout: number | undefined;
}

/**
 * The sha256 of each extra source, object and dependency (`files`, by option name); a missing one,
 * a directory or anything but a regular file is refused by name.
 */
function* hashSources(files: Readonly<Record<'sources' | 'extraObjects' | 'depends', readonly string[]>>, io: HostTasks): Task<string[]> {
  const hashes: string[] = [];
  for (const [option, file, i] of Object.entries(files).flatMap(([option, list]) => list.map((f, i) => [option, f, i] as const))) {
    const where = `options.${option}[${i}]`;
    const st = yield* io.stat(file);
    if (!st) {
      throw new VerificationError(`${where}: the file ${file} does not exist; check the path (relative ones start at the working directory)`);
    }
    if (st.isDirectory()) {
      throw new VerificationError(`${where}: ${file} is a directory, not a C source file; list the files in it one by one`);
    }
    const f = yield* openRegular(file, io);
    if (typeof f === 'string') {
      throw new VerificationError(`${where}: ${file} is not a regular file (a FIFO, device or socket); give the C source file itself`);
    }
    try {
      hashes.push(sha256(yield* io.read(f.fd, f.st.size + 1, 0)));
    } finally {
      yield* io.close(f.fd);
    }
  }
  return hashes;
}

function* plan(req: BuildRequest, host: Host, io: HostTasks): Task<Plan> {
  checkRequest(req);
  const options = req.options;
  const cxx = isCxxFile(req.fileName);
  const args = compileArgs(options, host, cxx);
  const timeout = timeoutOf(options);
  const dir = cacheDirectory(options, host);
  yield* ensureCacheDir(dir, 'verify()', host, io);
  const found = yield* findCompiler(options, host, io);
  const info = yield* compilerInfo(found, dir, timeout, host, io);
  if (cxx && info.family === 'tcc') {
    throw new VerificationError(`verify(): ${req.sourceName ?? req.fileName} is C++, and tcc (${found.command.join(' ')}) compiles C only; name gcc or clang in options.compiler`);
  }
  const codeHash = req.codeHash ?? sha256(req.code as string);
  const key = cacheKey({
    compiler: info,
    codeHash,
    fileName: req.fileName,
    args: [...args.before, ...args.sources, ...args.objects, ...args.after],
    sourceHashes: yield* hashSources({ sources: args.sources, extraObjects: args.objects, depends: args.depends }, io),
    keyParts: req.keyParts,
  });
  return { req, dir, entry: entryFor(dir, req.moduleName, key), key, codeHash, found, info, args, timeout };
}

/**
 * Compiles in the private directory `work`, checks the library it wrote through one descriptor,
 * and renames library and sidecar into place (each rename is atomic). Returns that descriptor.
 */
function* compileEntry(p: Plan, work: string, host: Host, io: HostTasks): Task<Verified> {
  const out = `${sanitizeName(p.req.moduleName)}.so`;
  yield* io.writeFile(path.join(work, p.req.fileName), p.req.code as string, { mode: 0o600 });
  let diagnostics = '';
  try {
    for (const [name, text] of Object.entries(p.req.companions ?? {})) yield* io.writeFile(path.join(work, name), text, { mode: 0o600 });
    diagnostics = yield* runCompiler(
      {
        compiler: p.found, family: p.info.family, args: p.args, fileName: p.req.fileName, out, work, realWork: yield* io.realpath(work), timeout: p.timeout,
        notice: compileNotice(p.req.options, `${p.req.sourceName ?? p.req.fileName}${p.req.progress ? ` (${p.req.progress})` : ''}`, host),
      },
      io,
    );
  } catch (e) {
    const full = yield* fullDisk(e, work, io);
    if (full) throw full;
    if (p.req.failureStamp !== undefined && isRefusal(e)) yield* rememberFailure(p.dir, p.key, p.req.failureStamp, e, host, io);
    throw e;
  }
  const built = path.join(work, out);
  const lib = yield* openRegular(built, io);
  if (typeof lib === 'string') {
    throw new VerificationError(
      `verify(): the C compiler (${p.found.command.join(' ')}) reported success but wrote no library; ` +
        `check options.extraCompileArgs for flags such as -c or -E`,
    );
  }
  let installed: Verified | undefined;
  try {
    // Whatever the umask made of it: the library is its owner's alone.
    yield* io.chmod(built, 0o700);
    const bytes = yield* io.read(lib.fd, lib.st.size + 1, 0);
    const deps = yield* dependenciesOf(work, p.req.fileName, io);
    const sidecar: Sidecar = {
      key: p.key,
      module: p.req.moduleName,
      source: p.req.sourceName ?? p.req.fileName,
      created: new Date(host.now()).toISOString(),
      size: bytes.length,
      sha256: sha256(bytes),
      compiler: p.info,
      deps,
      diagnostics,
    };
    reported.set(p.key, diagnostics);
    const sidecarTmp = path.join(work, '.sidecar.json');
    yield* io.writeFile(sidecarTmp, JSON.stringify(sidecar, null, 2), { mode: 0o600 });
    installed = yield* uninterrupted(install(p, lib, built, sidecarTmp, host, io));
    return installed;
  } finally {
    if (installed?.fd !== lib.fd) yield* io.close(lib.fd);
  }
}

/**
 * Puts a checked library and its sidecar in place, unless a build of this same thread completed
 * the entry meanwhile (a blocking verify() while a verifyAsync() of the same source compiled):
 * then that library is used, so that the process loads one copy. Runs uninterrupted.
 */
function* install(p: Plan, lib: Verified, built: string, sidecarTmp: string, host: Host, io: HostTasks): Task<Verified> {
  const there = yield* openComplete(p.entry, p.key, host, io);
  if (there) return there;
  yield* clearDirectory(p.entry.library, io);
  yield* clearDirectory(p.entry.sidecar, io);
  yield* io.rename(built, p.entry.library);
  yield* io.rename(sidecarTmp, p.entry.sidecar);
  // Not remembered as checked: the next use reads the sidecar as written, and so notices its damage.
  return { fd: lib.fd, st: yield* io.fstat(lib.fd) };
}

/** Below this many free bytes, a failed compile is taken for a full disk. */
const FULL_DISK_BYTES = 1024 * 1024;

/**
 * A compiler failure caused by a full file system, as an ENOSPC error (so that the build falls
 * back as for an unwritable cache): the compiler says so ("No space left on device", in C's
 * words), or the file system of `work` has almost no space or no inodes left.
 */
function* fullDisk(e: unknown, work: string, io: HostTasks): Task<Error | undefined> {
  if (!(e instanceof VerificationError)) return undefined;
  const space = yield* io.statfs(work);
  const full = space !== undefined && (space.bavail * space.bsize < FULL_DISK_BYTES || space.ffree === 0);
  if (!full && !/No space left on device/i.test(e.message)) return undefined;
  return Object.assign(new Error(`ENOSPC: no space left on device for the compile in ${work}`), { code: 'ENOSPC', cause: e });
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
  if (fallback) return yield* buildPrivately(req, dir, fallback, host, io);
  try {
    return yield* buildIn(req, host, io);
  } catch (e) {
    const code = UNWRITABLE.find((c) => isErrno(e, c));
    if (!code) throw e;
    let own: string;
    try {
      own = yield* io.mkdtemp(path.join(host.tmpdir(), 'node-cffi-private-'));
    } catch (e2) {
      throw unbuildable(dir, host.tmpdir(), e2, e);
    }
    fallbacks.set(dir, own);
    process.emitWarning(
      `the library cache ${dir} cannot be written (${code}); compiling in the private directory ${own} instead, ` +
        'so nothing is cached across processes (fix the cache directory, or set NODE_CFFI_CACHE)',
      'NodeCffiCacheWarning',
    );
    return yield* buildPrivately(req, dir, own, host, io);
  }
}

function* buildPrivately(req: BuildRequest, dir: string, own: string, host: Host, io: HostTasks): Task<BuildResult> {
  try {
    return yield* buildIn({ ...req, options: { ...req.options, tmpdir: own } }, host, io);
  } catch (e) {
    if (!UNWRITABLE.some((c) => isErrno(e, c))) throw e;
    throw unbuildable(dir, own, e, e);
  }
}

/** Neither the cache nor a private directory can be written (a full disk holding both, say). */
function unbuildable(dir: string, own: string, e: unknown, cause: unknown): FFIError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return Object.assign(
    new FFIError(
      `verify(): neither the library cache ${dir} nor the private directory ${own} can be written (${code}: ` +
        `${(e as Error).message}); free some space or fix the permissions, or set NODE_CFFI_CACHE to a writable directory`,
    ),
    { cause },
  );
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
  let p = yield* plan(req, host, io);
  const staleAfter = (p.timeout ?? LOCK_DEFAULT_MS) + LOCK_MARGIN_MS;
  let pause = WAIT_FIRST_MS;
  let work: string | undefined;
  let found: Verified | undefined;
  let cached = true;
  try {
    for (;;) {
      found = yield* openComplete(p.entry, p.key, host, io);
      if (found) break;
      if (p.req.failureStamp !== undefined) {
        // The compiler refused this very unit before, the files it read unchanged: it would again.
        const failed = yield* recallFailure(p.dir, p.key, p.req.failureStamp, io);
        if (failed) throw failed;
      }
      if (typeof p.req.code === 'function') {
        // The compiler must run: the unit is made now. One that is not what its hash was given for
        // (a memo gone wrong) is built as itself, under its own key.
        const code = p.req.code();
        if (typeof code !== 'string') throw new TypeError(`build request code: the function gave ${show(code)}, not the translation unit`);
        const made: BuildRequest = { ...p.req, code, codeHash: undefined };
        if (sha256(code) !== p.codeHash) return yield* buildIn(made, host, io);
        p = { ...p, req: made };
      }
      work ??= yield* io.mkdtemp(tempPrefix(p.dir, host));
      const lock = yield* tryLock(p.entry, work, host, io);
      if (lock) {
        try {
          // Whoever held the lock before may have just finished this very library.
          found = yield* openComplete(p.entry, p.key, host, io);
          if (found) break;
          yield* sweepAbandoned(p.dir, host, io);
          found = yield* compileEntry(p, work, host, io);
          cached = false;
          break;
        } finally {
          yield* unlock(lock, io);
        }
      }
      const state = yield* lockState(p.entry.lock, staleAfter, host, io);
      if (state === 'stale') yield* breakLock(p.entry.lock, io);
      if (state === 'own' && (yield* io.mode()) === 'sync') {
        // A build of this very thread holds the lock and waits for its compiler; blocking here, it
        // would never get the turn to finish. Compile without the lock (the install step keeps
        // whichever library lands first).
        found = yield* compileEntry(p, work, host, io);
        cached = false;
        break;
      }
      if (state === 'held' || state === 'own') {
        yield* io.sleep(pause);
        pause = Math.min(pause * 2, WAIT_MAX_MS);
      }
    }
  } finally {
    if (work) yield* io.rm(work);
  }
  const diagnostics = cached ? yield* cachedDiagnostics(p, io) : reported.get(p.key) ?? '';
  const r: BuildResult = { path: p.entry.library, cached, key: p.key, codeHash: p.codeHash, compiler: p.info, diagnostics };
  if (!req.descriptor) {
    yield* io.close(found.fd);
    return r;
  }
  return { ...r, descriptor: { fd: found.fd, dev: found.st.dev, ino: found.st.ino } };
}

/** Builds (or finds in the cache) the shared library for `req`, blocking until it is there. */
export function buildSync(req: BuildRequest, host: Host = nodeHost): BuildResult {
  return runSync(build(req, host));
}

/** As buildSync, with asynchronous file access and compiler process: the event loop keeps running. */
export function buildAsync(req: BuildRequest, host: Host = nodeHost): Promise<BuildResult> {
  return runAsync(build(req, host));
}
