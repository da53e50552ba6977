// The library cache: where it lives and whether it is safe, content keys, entries with sidecars, locks, listing and cleaning.
import * as path from 'path';
import { FFIError, show } from '../errors';
import { Host, HostTasks, Task, hostTasks, isErrno, nodeHost, runSync } from '../host';
import type { CompilerInfo } from './compiler';
import { TEMP_NAME, hashParts, hostTag, sha256 } from './files';
import { packageVersion } from '../package';

/** How long a lock or temporary directory may live when nothing else says it is abandoned. */
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;

/** Where the cache lives: options.tmpdir, $NODE_CFFI_CACHE, $XDG_CACHE_HOME/node-cffi, ~/.cache/node-cffi. */
export function cacheDirectory(options: { readonly tmpdir?: string }, host: Host = nodeHost): string {
  if (options.tmpdir !== undefined) {
    if (typeof options.tmpdir !== 'string' || options.tmpdir === '') {
      throw new TypeError(`options.tmpdir: expected a non-empty string, got ${show(options.tmpdir)}`);
    }
    return path.resolve(host.cwd(), options.tmpdir);
  }
  const own = host.env('NODE_CFFI_CACHE');
  if (own) return path.resolve(host.cwd(), own);
  const xdg = host.env('XDG_CACHE_HOME');
  // The XDG spec says relative values are to be ignored.
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'node-cffi');
  return path.join(host.homedir(), '.cache', 'node-cffi');
}

/** Refuses a directory that another user could write into: its libraries would be loaded blindly. */
function checkSafe(dir: string, st: { uid: number; mode: number; isDirectory(): boolean }, where: string, host: Host): void {
  if (!st.isDirectory()) {
    throw new FFIError(`${where}: the cache path ${dir} is not a directory; remove it or pass options.tmpdir`);
  }
  const uid = host.uid();
  if (uid < 0) return; // no POSIX ownership on this platform
  if (st.uid !== uid) {
    throw new FFIError(
      `${where}: the cache directory ${dir} is owned by uid ${st.uid}, not by the current user (uid ${uid}); ` +
        `another user could plant libraries there, so use a directory of your own (options.tmpdir or $NODE_CFFI_CACHE)`,
    );
  }
  if ((st.mode & 0o022) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new FFIError(
      `${where}: the cache directory ${dir} is writable by group or others (mode ${mode}); ` +
        `other users could plant libraries there, so run 'chmod 700 ${dir}' or pass options.tmpdir`,
    );
  }
}

/** Creates the cache directory (mode 0700) when missing and checks that only its owner can write to it. */
export function* ensureCacheDir(dir: string, where: string, host: Host, io: HostTasks): Task<void> {
  let st = yield* io.stat(dir);
  if (!st) {
    yield* io.mkdir(path.dirname(dir), { recursive: true });
    try {
      yield* io.mkdir(dir, { mode: 0o700 });
    } catch (e2) {
      if (!isErrno(e2, 'EEXIST')) throw e2;
    }
    st = yield* io.stat(dir);
    if (!st) throw new FFIError(`${where}: the cache directory ${dir} vanished right after it was created; check what removes it`);
  }
  checkSafe(dir, st, where, host);
}

/** Everything that decides the bytes of the library; equal inputs give equal keys. */
export interface KeyInputs {
  readonly compiler: CompilerInfo;
  readonly code: string;
  readonly fileName: string;
  /** The complete argument list given to the compiler, except its temporary output name. */
  readonly args: readonly string[];
  /** sha256 of each extra source file's contents, in order. */
  readonly sourceHashes: readonly string[];
  readonly keyParts: readonly string[];
}

export function cacheKey(k: KeyInputs): string {
  return hashParts([
    'node-cffi',
    packageVersion,
    process.platform,
    process.arch,
    k.compiler.path,
    k.compiler.version,
    k.compiler.family,
    String(k.compiler.command.length),
    ...k.compiler.command,
    k.fileName,
    String(k.args.length),
    ...k.args,
    String(k.sourceHashes.length),
    ...k.sourceHashes,
    String(k.keyParts.length),
    ...k.keyParts,
    k.code,
  ]);
}

/** The files of one cache entry: '<module>-<first 16 hex digits of the key>' plus an extension. */
export interface Entry {
  readonly library: string;
  readonly sidecar: string;
  readonly lock: string;
}

/** A module name reduced to characters that are safe in a file name everywhere. */
export function sanitizeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '').slice(0, 64);
  return s === '' ? 'module' : s;
}

export function entryFor(dir: string, moduleName: string, key: string): Entry {
  const base = path.join(dir, `${sanitizeName(moduleName)}-${key.slice(0, 16)}`);
  return { library: `${base}.so`, sidecar: `${base}.json`, lock: `${base}.lock` };
}

/** The JSON written next to each library. */
export interface Sidecar {
  readonly key: string;
  readonly module: string;
  /** The file name of the source it was compiled from (the translation unit's, unless the request names it). */
  readonly source: string;
  /** ISO 8601. */
  readonly created: string;
  readonly size: number;
  readonly sha256: string;
  readonly compiler: CompilerInfo;
  /**
   * The headers the compile read outside the system's directories (a changed one makes the entry
   * stale: the source's text, in the key, does not show it), with the size and mtime they had.
   */
  readonly deps?: readonly Dependency[];
  /** What the compiler wrote while building it (its warnings), as the build reported it; '' for nothing. */
  readonly diagnostics?: string;
}

export interface Dependency {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Whether every dependency is still as it was when the library was built. */
function* depsUnchanged(deps: readonly Dependency[] | undefined, io: HostTasks): Task<boolean> {
  for (const d of deps ?? []) {
    const st = yield* io.stat(d.path);
    if (!st || st.size !== d.size || st.mtimeMs !== d.mtimeMs) return false;
  }
  return true;
}

function parseSidecar(text: string): Sidecar | undefined {
  try {
    const s = JSON.parse(text) as Partial<Sidecar> | null;
    const ok =
      typeof s === 'object' && s !== null &&
      typeof s.key === 'string' && typeof s.module === 'string' && typeof s.source === 'string' &&
      typeof s.created === 'string' && typeof s.size === 'number' && typeof s.sha256 === 'string' &&
      typeof s.compiler === 'object' && s.compiler !== null;
    return ok ? (s as Sidecar) : undefined;
  } catch {
    return undefined;
  }
}

function* readIfPresent(io: HostTasks, file: string): Task<Buffer | undefined> {
  try {
    return yield* io.readFile(file);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
}

/** Whether the entry holds a complete library for `key`: the sidecar agrees on key, size and sha256. */
export function* isComplete(entry: Entry, key: string, io: HostTasks): Task<boolean> {
  const seen = checked.get(entry.library);
  if (seen && seen.key === key) {
    // Checked earlier in this process: unchanged size and mtime mean the same bytes.
    const st = yield* io.stat(entry.library);
    if (st && st.size === seen.size && st.mtimeMs === seen.mtimeMs && (yield* depsUnchanged(seen.deps, io))) return true;
    checked.delete(entry.library);
  }
  const text = yield* readIfPresent(io, entry.sidecar);
  const side = text && parseSidecar(text.toString('utf8'));
  if (!side || side.key !== key) return false;
  const lib = yield* readIfPresent(io, entry.library);
  if (lib === undefined || lib.length !== side.size || sha256(lib) !== side.sha256) return false;
  if (!(yield* depsUnchanged(side.deps, io))) return false;
  const st = yield* io.stat(entry.library);
  if (st) checked.set(entry.library, { key, size: st.size, mtimeMs: st.mtimeMs, deps: side.deps });
  return true;
}

/** Libraries this process has checked against their sidecar's sha256, with the stat they had then. */
const checked = new Map<string, { key: string; size: number; mtimeMs: number; deps: readonly Dependency[] | undefined }>();

/** Whether a process that left a file behind is gone: it ran on this machine and has exited. */
function ownerGone(host: Host, tag: string | undefined, pid: number): boolean {
  return tag === hostTag(host) && pid !== host.pid() && !host.processAlive(pid);
}

/** A lock file's contents. Its age is taken from the file's mtime; `time` is there for people reading it. */
interface LockBody {
  readonly pid: number;
  readonly host: string;
  readonly time: number;
  readonly token: string;
}

/** A held lock; `token` tells it apart from a later lock on the same entry. */
export interface Lock {
  readonly file: string;
  readonly token: string;
}

/** Takes the entry's lock with O_EXCL; undefined when someone else holds it. */
export function* tryLock(entry: Entry, host: Host, io: HostTasks): Task<Lock | undefined> {
  const token = `${host.now()}-${Math.random().toString(36).slice(2)}`;
  const body: LockBody = { pid: host.pid(), host: hostTag(host), time: host.now(), token };
  try {
    yield* io.writeFile(entry.lock, JSON.stringify(body), { flag: 'wx', mode: 0o600 });
    return { file: entry.lock, token };
  } catch (e) {
    if (isErrno(e, 'EEXIST')) return undefined;
    throw e;
  }
}

function* readLock(file: string, io: HostTasks): Task<Partial<LockBody> | undefined> {
  const text = yield* readIfPresent(io, file);
  if (text === undefined) return undefined;
  try {
    return (JSON.parse(text.toString('utf8')) as Partial<LockBody> | null) ?? {};
  } catch {
    return {}; // being written right now, or torn by a crash: judged by its age alone
  }
}

function* unlinkIfPresent(file: string, io: HostTasks): Task<void> {
  try {
    yield* io.unlink(file);
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw e;
  }
}

/** Releases a lock unless it was broken and taken over by someone else meanwhile. */
export function* unlock(lock: Lock, io: HostTasks): Task<void> {
  const body = yield* readLock(lock.file, io);
  if (body?.token === lock.token) yield* unlinkIfPresent(lock.file, io);
}

/** 'stale': the holder died on this machine, or the lock is older than `staleAfterMs`. */
export function* lockState(file: string, staleAfterMs: number, host: Host, io: HostTasks): Task<'absent' | 'held' | 'stale'> {
  const st = yield* io.stat(file);
  if (!st) return 'absent';
  const body = yield* readLock(file, io);
  if (body === undefined) return 'absent';
  if (typeof body.pid === 'number' && ownerGone(host, body.host, body.pid)) return 'stale';
  return host.now() - st.mtimeMs > staleAfterMs ? 'stale' : 'held';
}

/** Removes a stale lock. Two waiters may both break it and both compile: wasted work, never a broken library. */
export function* breakLock(file: string, io: HostTasks): Task<void> {
  yield* unlinkIfPresent(file, io);
}

/** Removes temporary directories and locks that crashed or killed processes left behind. */
export function* sweepAbandoned(dir: string, host: Host, io: HostTasks): Task<void> {
  for (const name of yield* io.readdir(dir)) {
    const file = path.join(dir, name);
    if (yield* isAbandoned(name, file, host, io)) yield* io.rm(file);
  }
}

function* isAbandoned(name: string, file: string, host: Host, io: HostTasks): Task<boolean> {
  const temp = TEMP_NAME.exec(name);
  if (!temp && !name.endsWith('.lock')) return false;
  const st = yield* io.stat(file);
  if (!st) return false;
  if (host.now() - st.mtimeMs > ABANDONED_AFTER_MS) return true;
  if (temp) return ownerGone(host, temp[1], Number(temp[2]));
  const body = yield* readLock(file, io);
  return typeof body?.pid === 'number' && ownerGone(host, body.host, body.pid);
}

/** One library in the cache, as listCache() reports it. */
export interface CacheEntry {
  /** The module name the library was built for. */
  readonly name: string;
  readonly path: string;
  /** Size of the library in bytes. */
  readonly size: number;
  readonly created: Date;
  /** The file name its C source was compiled as. */
  readonly source: string;
  readonly compiler: CompilerInfo;
  readonly key: string;
}

function isSidecarName(name: string): boolean {
  return name.endsWith('.json') && !name.startsWith('.');
}

function* directoryIfPresent(dir: string, where: string, host: Host, io: HostTasks): Task<string[] | undefined> {
  const st = yield* io.stat(dir);
  if (!st) return undefined;
  checkSafe(dir, st, where, host);
  return yield* io.readdir(dir);
}

function* listTask(dir: string, host: Host, io: HostTasks): Task<CacheEntry[]> {
  const names = (yield* directoryIfPresent(dir, 'listCache()', host, io)) ?? [];
  const entries: CacheEntry[] = [];
  for (const name of names.filter(isSidecarName).sort()) {
    const text = yield* readIfPresent(io, path.join(dir, name));
    const side = text && parseSidecar(text.toString('utf8'));
    if (!side) continue;
    const library = path.join(dir, `${name.slice(0, -'.json'.length)}.so`);
    const st = yield* io.stat(library);
    if (!st) continue;
    entries.push({
      name: side.module,
      path: library,
      size: st.size,
      created: new Date(side.created),
      source: side.source,
      compiler: side.compiler,
      key: side.key,
    });
  }
  return entries;
}

/** The libraries in the cache directory (options.tmpdir or the default), sorted by file name. */
export function listCache(options: { readonly tmpdir?: string } = {}, host: Host = nodeHost): CacheEntry[] {
  return runSync(listTask(cacheDirectory(options, host), host, hostTasks(host)));
}

/** Bytes held by a file, or by the files directly inside a directory; 0 for what vanished meanwhile. */
function* bytesOf(file: string, io: HostTasks): Task<number> {
  const st = yield* io.stat(file);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  try {
    for (const name of yield* io.readdir(file)) total += yield* bytesOf(path.join(file, name), io);
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw e;
  }
  return total;
}

function* cleanTask(dir: string, host: Host, io: HostTasks): Task<{ removed: number; bytes: number }> {
  const names = yield* directoryIfPresent(dir, 'cleanCache()', host, io);
  let removed = 0;
  let bytes = 0;
  for (const name of names ?? []) {
    const file = path.join(dir, name);
    const ours = name.endsWith('.so') || name.endsWith('.json');
    if (!ours && !(yield* isAbandoned(name, file, host, io))) continue;
    bytes += yield* bytesOf(file, io);
    yield* io.rm(file);
    removed++;
  }
  return { removed, bytes };
}

/**
 * Empties the cache: libraries, sidecars, remembered compiler versions, and the temporary
 * directories and locks of processes that are gone (those of running builds stay).
 * `removed` counts directory entries removed, `bytes` the bytes they held.
 */
export function cleanCache(options: { readonly tmpdir?: string } = {}, host: Host = nodeHost): { removed: number; bytes: number } {
  return runSync(cleanTask(cacheDirectory(options, host), host, hostTasks(host)));
}
