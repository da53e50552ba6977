// The library cache: content keys, entries with sidecars checked through one descriptor, locks, listing and cleaning.
import * as path from 'path';
import { FFIError } from '../errors';
import { FileStat, Host, isErrno, nodeHost } from '../host';
import { HostTasks, Task, hostTasks, runSync } from '../tasks';
import { cacheDirectory, checkPathAbove, checkSafe, isCodeCacheName } from './cachedir';
import type { CompilerInfo } from './compiler';
import { OpenFile, TEMP_NAME, hashParts, hostTag, openRegular, readSmall, sha256 } from './files';
import { packageVersion } from '../package';

/** How long a lock or temporary file or directory may live when nothing else says it is abandoned. */
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;

export { cacheDirectory, ensureCacheDir } from './cachedir';

/** Everything that decides the bytes of the library; equal inputs give equal keys. */
export interface KeyInputs {
  readonly compiler: CompilerInfo;
  /** The sha256 of the translation unit. */
  readonly codeHash: string;
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
    'code',
    k.codeHash,
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

const isString = (x: unknown): x is string => typeof x === 'string';
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function isCompilerInfo(c: unknown): c is CompilerInfo {
  if (typeof c !== 'object' || c === null) return false;
  const x = c as Partial<CompilerInfo>;
  return Array.isArray(x.command) && x.command.every(isString) && isString(x.path) && isString(x.version) && isString(x.family);
}

function isDependency(d: unknown): d is Dependency {
  if (typeof d !== 'object' || d === null) return false;
  const x = d as Partial<Dependency>;
  return isString(x.path) && isCount(x.size) && typeof x.mtimeMs === 'number';
}

/** A sidecar's text as a Sidecar; undefined for anything else (damage, by whatever cause). */
function parseSidecar(text: Buffer | undefined): Sidecar | undefined {
  if (text === undefined) return undefined;
  let s: Partial<Sidecar> | null;
  try {
    s = JSON.parse(text.toString('utf8')) as Partial<Sidecar> | null;
  } catch {
    return undefined;
  }
  const ok =
    typeof s === 'object' && s !== null && !Array.isArray(s) &&
    isString(s.key) && isString(s.module) && isString(s.source) && isString(s.created) &&
    isCount(s.size) && isString(s.sha256) && /^[0-9a-f]{64}$/.test(s.sha256) && isCompilerInfo(s.compiler) &&
    (s.deps === undefined || (Array.isArray(s.deps) && s.deps.every(isDependency)));
  return ok ? (s as Sidecar) : undefined;
}

/** A sidecar is a few hundred bytes (a thousand headers fit in this); anything larger is damage. */
const SIDECAR_MAX = 1024 * 1024;
/** A lock body is under a hundred bytes. */
const LOCK_MAX = 4096;

/** The library of a complete entry, open: what is loaded must be this descriptor, not the path again. */
export interface Verified {
  readonly fd: number;
  readonly st: FileStat;
}

/** Whether a library file belongs to the current user and no one else can write to it. */
function ownedPrivately(st: FileStat, host: Host): boolean {
  const uid = host.uid();
  return uid < 0 || (st.uid === uid && (st.mode & 0o022) === 0);
}

/** Whether two statuses are of the same file, unchanged. */
function sameFile(a: Checked, b: FileStat): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/**
 * Opens the entry's library when the entry is complete for `key`: a regular file of the current
 * user that no one else can write to, whose bytes, read through the descriptor returned, match
 * the size and sha256 its sidecar states, and whose headers are unchanged. Anything else (missing,
 * damaged, stale, of someone else) gives undefined: the entry is to be rebuilt.
 */
export function* openComplete(entry: Entry, key: string, host: Host, io: HostTasks): Task<Verified | undefined> {
  const lib = yield* openRegular(entry.library, io);
  if (typeof lib === 'string') return undefined;
  let ok = false;
  try {
    ok = yield* verifiedOpen(entry, key, lib, host, io);
  } finally {
    if (!ok) yield* io.close(lib.fd);
  }
  return ok ? lib : undefined;
}

function* verifiedOpen(entry: Entry, key: string, lib: OpenFile, host: Host, io: HostTasks): Task<boolean> {
  if (!ownedPrivately(lib.st, host)) return false;
  const seen = checked.get(entry.library);
  // Checked earlier in this process: the same inode, unchanged (size, mtime, ctime), holds the same bytes.
  if (seen && seen.key === key && sameFile(seen, lib.st)) return yield* depsUnchanged(seen.deps, io);
  checked.delete(entry.library);
  const text = yield* readSmall(entry.sidecar, SIDECAR_MAX, io);
  const side = parseSidecar(typeof text === 'string' ? undefined : text.bytes);
  if (!side || side.key !== key || side.size !== lib.st.size) return false;
  const bytes = yield* io.read(lib.fd, side.size + 1, 0);
  if (bytes.length !== side.size || sha256(bytes) !== side.sha256) return false;
  if (!(yield* depsUnchanged(side.deps, io))) return false;
  remember(entry.library, key, lib.st, side.deps);
  return true;
}

/** Notes that the library at `file`, with status `st`, was checked against its sidecar for `key`. */
function remember(file: string, key: string, st: FileStat, deps: readonly Dependency[] | undefined): void {
  checked.set(file, { key, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, deps });
}

interface Checked {
  readonly key: string;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly deps: readonly Dependency[] | undefined;
}

/** Libraries this process has checked against their sidecar's sha256, by path, with the file they were then. */
const checked = new Map<string, Checked>();

/** Removes a directory standing where a cache file belongs (a rename cannot replace it); other damage is replaced by the rename itself. */
export function* clearDirectory(file: string, io: HostTasks): Task<void> {
  const st = yield* io.lstat(file);
  if (st?.isDirectory()) yield* io.rm(file);
}

/** Whether a process that left a file behind is gone: it ran on this machine and has exited. */
function ownerGone(host: Host, tag: string | undefined, pid: number): boolean {
  return tag === hostTag(host) && pid !== host.pid() && !host.processAlive(pid);
}

/** A lock file's contents. Its age is taken from the file's mtime; `time` is there for people reading it. */
interface LockBody {
  readonly pid: number;
  /** The JavaScript thread of the process (see Host.threadId). */
  readonly tid: number;
  readonly host: string;
  readonly time: number;
  readonly token: string;
}

/** A held lock; `token` tells it apart from a later lock on the same entry. */
export interface Lock {
  readonly file: string;
  readonly token: string;
}

/** The locks this thread holds, by file, with their tokens. */
const heldHere = new Map<string, string>();

/** Errors of link() that mean the file system has no hard links, not that the lock is taken. */
const NO_LINKS = ['EPERM', 'EOPNOTSUPP', 'ENOTSUP', 'ENOSYS'];

/**
 * Takes the entry's lock; undefined when someone else holds it. The body is written in the private
 * directory `work` first and linked into place (link() fails when the name exists), so a lock is
 * never seen incomplete: a full disk fails the write, and leaves no lock behind.
 */
export function* tryLock(entry: Entry, work: string, host: Host, io: HostTasks): Task<Lock | undefined> {
  const token = `${host.now()}-${Math.random().toString(36).slice(2)}`;
  const body: LockBody = { pid: host.pid(), tid: host.threadId(), host: hostTag(host), time: host.now(), token };
  const text = JSON.stringify(body);
  const draft = path.join(work, '.lock');
  yield* io.writeFile(draft, text, { mode: 0o600 });
  try {
    yield* io.link(draft, entry.lock);
  } catch (e) {
    if (isErrno(e, 'EEXIST')) return undefined;
    if (!NO_LINKS.some((c) => isErrno(e, c))) throw e;
    if (!(yield* createLock(entry.lock, text, io))) return undefined;
  } finally {
    yield* unlinkIfPresent(draft, io);
  }
  heldHere.set(entry.lock, token);
  return { file: entry.lock, token };
}

/** Where link() is not available: create with O_EXCL, and remove what a failed write left. */
function* createLock(file: string, text: string, io: HostTasks): Task<boolean> {
  try {
    yield* io.writeFile(file, text, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (e) {
    if (isErrno(e, 'EEXIST')) return false;
    const left = yield* readSmall(file, LOCK_MAX, io);
    if (typeof left !== 'string' && !lockBody(left.bytes)) yield* unlinkIfPresent(file, io);
    throw e;
  }
}

/** A complete lock body, or undefined (cut short by a crash, or not a lock at all). */
function lockBody(bytes: Buffer): LockBody | undefined {
  let b: Partial<LockBody> | null;
  try {
    b = JSON.parse(bytes.toString('utf8')) as Partial<LockBody> | null;
  } catch {
    return undefined;
  }
  const ok = typeof b === 'object' && b !== null && isCount(b.pid) && isString(b.host) && isString(b.token) && typeof b.time === 'number';
  return ok ? (b as LockBody) : undefined;
}

function* readLock(file: string, io: HostTasks): Task<{ body: LockBody | undefined; st: FileStat } | 'missing' | 'damaged'> {
  const r = yield* readSmall(file, LOCK_MAX, io);
  return typeof r === 'string' ? r : { body: lockBody(r.bytes), st: r.st };
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
  if (heldHere.get(lock.file) === lock.token) heldHere.delete(lock.file);
  const r = yield* readLock(lock.file, io);
  if (typeof r !== 'string' && r.body?.token === lock.token) yield* unlinkIfPresent(lock.file, io);
}

/**
 * 'own': held by this thread (a build of this thread that is still running); 'stale': its holder
 * died on this machine, it was never completed (or is not a lock file at all), or it is older than
 * `staleAfterMs`; 'held' otherwise.
 */
export function* lockState(file: string, staleAfterMs: number, host: Host, io: HostTasks): Task<'absent' | 'held' | 'own' | 'stale'> {
  const r = yield* readLock(file, io);
  if (r === 'missing') return 'absent';
  if (r === 'damaged' || !r.body) return 'stale';
  const body = r.body;
  if (body.host === hostTag(host) && body.pid === host.pid() && body.tid === host.threadId()) {
    // This very thread wrote it: either a build of ours is running, or a former process with our pid left it.
    return heldHere.get(file) === body.token ? 'own' : 'stale';
  }
  if (ownerGone(host, body.host, body.pid)) return 'stale';
  return host.now() - r.st.mtimeMs > staleAfterMs ? 'stale' : 'held';
}

/** Removes a stale lock (whatever stands there). Two waiters may both break it and both compile: wasted work, never a broken library. */
export function* breakLock(file: string, io: HostTasks): Task<void> {
  yield* io.rm(file);
}

/** Removes temporary files and directories and locks that crashed or killed processes left behind. */
export function* sweepAbandoned(dir: string, host: Host, io: HostTasks): Task<void> {
  for (const name of yield* io.readdir(dir)) {
    const file = path.join(dir, name);
    if (yield* isAbandoned(name, file, host, io)) yield* io.rm(file);
  }
}

function* isAbandoned(name: string, file: string, host: Host, io: HostTasks): Task<boolean> {
  const temp = TEMP_NAME.exec(name);
  if (!temp && !name.endsWith('.lock')) return false;
  const st = yield* io.lstat(file);
  if (!st) return false;
  if (host.now() - st.mtimeMs > ABANDONED_AFTER_MS) return true;
  if (temp) return ownerGone(host, temp[1], Number(temp[2]));
  const r = yield* readLock(file, io);
  if (r === 'missing') return false;
  if (r === 'damaged' || !r.body) return true;
  return ownerGone(host, r.body.host, r.body.pid);
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
  yield* checkPathAbove(dir, where, host, io);
  checkSafe(dir, st, where, host);
  return yield* io.readdir(dir);
}

function* listTask(dir: string, host: Host, io: HostTasks): Task<CacheEntry[]> {
  const names = (yield* directoryIfPresent(dir, 'listCache()', host, io)) ?? [];
  const entries: CacheEntry[] = [];
  for (const name of names.filter(isSidecarName).sort()) {
    const text = yield* readSmall(path.join(dir, name), SIDECAR_MAX, io);
    const side = parseSidecar(typeof text === 'string' ? undefined : text.bytes);
    if (!side) continue;
    const library = path.join(dir, `${name.slice(0, -'.json'.length)}.so`);
    const st = yield* io.lstat(library);
    if (!st?.isFile()) continue;
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

function* codeCacheTask(dir: string, host: Host, io: HostTasks): Task<{ path: string; size: number }[]> {
  const names = (yield* directoryIfPresent(dir, 'listCodeCaches()', host, io)) ?? [];
  const files: { path: string; size: number }[] = [];
  for (const name of names.filter(isCodeCacheName).sort()) {
    const st = yield* io.lstat(path.join(dir, name));
    if (st?.isFile()) files.push({ path: path.join(dir, name), size: st.size });
  }
  return files;
}

/** The start-up code caches in the cache directory (see lib/loader.ts), sorted by file name. */
export function listCodeCaches(options: { readonly tmpdir?: string } = {}, host: Host = nodeHost): { path: string; size: number }[] {
  return runSync(codeCacheTask(cacheDirectory(options, host), host, hostTasks(host)));
}

/** Bytes held by a file, or by the files directly inside a directory; 0 for what vanished meanwhile. */
function* bytesOf(file: string, io: HostTasks): Task<number> {
  const st = yield* io.lstat(file);
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
    const ours = name.endsWith('.so') || name.endsWith('.json') || isCodeCacheName(name);
    if (!ours && !(yield* isAbandoned(name, file, host, io))) continue;
    bytes += yield* bytesOf(file, io);
    yield* io.rm(file);
    removed++;
  }
  return { removed, bytes };
}

/**
 * Empties the cache: libraries, sidecars, remembered compiler versions, start-up code caches, and the temporary
 * directories and locks of processes that are gone (those of running builds stay).
 * `removed` counts directory entries removed, `bytes` the bytes they held.
 */
export function cleanCache(options: { readonly tmpdir?: string } = {}, host: Host = nodeHost): { removed: number; bytes: number } {
  return runSync(cleanTask(cacheDirectory(options, host), host, hostTasks(host)));
}
