// Where the cache directory lives and whether it is safe: owned by the current user, writable by nobody else, under directories nobody else can swap; the names of the start-up code caches in it.
import path = require('path');
import { FFIError, show, TypeError } from '../errors';
import { FileStat, Host, isErrno, nodeHost } from '../host';
import { HostTasks, Task } from '../tasks';

const CODE_CACHE_PREFIX = 'startup-';
const CODE_CACHE_SUFFIX = '.v8cache';

/**
 * The name of a start-up code cache of the package's entry (lib/loader.ts) in the cache directory:
 * V8's compiled bundle, one file per use (`part`: the library or the command) and V8.
 */
export function codeCacheName(part: string): string {
  return `${CODE_CACHE_PREFIX}${part}${CODE_CACHE_SUFFIX}`;
}

export function isCodeCacheName(name: string): boolean {
  return name.startsWith(CODE_CACHE_PREFIX) && name.endsWith(CODE_CACHE_SUFFIX);
}

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

/** The permission bits of a mode as `chmod` spells them ('0755'). */
function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** Refuses a cache directory that another user could write into: its libraries would be loaded blindly. */
export function checkSafe(dir: string, st: FileStat, where: string, host: Host): void {
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
    throw new FFIError(
      `${where}: the cache directory ${dir} is writable by group or others (mode ${modeText(st.mode)}); ` +
        `other users could plant libraries there, so run 'chmod 700 ${dir}' or pass options.tmpdir`,
    );
  }
}

/** '/', '/a', '/a/b' for '/a/b/c': the directories above `p`, outermost first. */
function ancestorsOf(p: string): string[] {
  const list: string[] = [];
  for (let up = path.dirname(p); ; up = path.dirname(up)) {
    list.unshift(up);
    if (path.dirname(up) === up) return list;
  }
}

/**
 * The rule for a directory above the cache (as ssh's for the directories above its keys): owned
 * by root or the current user, and not writable by group or others unless it is sticky (as /tmp
 * is: there nobody can rename or remove what another user made). A symbolic link on the way must
 * belong to root or the current user too.
 */
function checkAbove(dir: string, above: string, st: FileStat, where: string, uid: number): void {
  const what = st.isSymbolicLink() ? `${above} is a symbolic link` : `${above}`;
  if (st.uid !== 0 && st.uid !== uid) {
    throw new FFIError(
      `${where}: the cache directory ${dir} lies under ${above}, ${st.isSymbolicLink() ? 'a symbolic link ' : ''}owned by uid ${st.uid}, ` +
        `neither root nor the current user (uid ${uid}): that user could swap the cache for one holding their own libraries; ` +
        `use a cache under directories only you or root own (options.tmpdir or $NODE_CFFI_CACHE)`,
    );
  }
  if (!st.isSymbolicLink() && (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
    throw new FFIError(
      `${where}: the cache directory ${dir} lies under ${what}, which group or others can write to and which is not sticky ` +
        `(mode ${modeText(st.mode)}): another user could swap the cache for one holding their own libraries; ` +
        `run 'chmod go-w ${above}' (or 'chmod +t ${above}'), or use a cache under directories only you can write ` +
        '(options.tmpdir or $NODE_CFFI_CACHE)',
    );
  }
}

/**
 * Checks every directory above `dir` that exists, as the path spells it and, when a symbolic link
 * is on the way, as it resolves (see checkAbove).
 */
export function* checkPathAbove(dir: string, where: string, host: Host, io: HostTasks, own?: FileStat): Task<void> {
  const uid = host.uid();
  if (uid < 0) return;
  let linked = false;
  for (const above of ancestorsOf(dir)) {
    const st = yield* io.lstat(above);
    if (!st) return; // the rest is missing: created below, 0700
    linked ||= st.isSymbolicLink();
    checkAbove(dir, above, st, where, uid);
  }
  own ??= yield* io.lstat(dir);
  if (own?.isSymbolicLink()) {
    linked = true;
    checkAbove(dir, dir, own, where, uid);
  }
  if (!linked || !own) return;
  const real = yield* io.realpath(dir);
  for (const above of ancestorsOf(real)) {
    const st = yield* io.stat(above);
    if (st) checkAbove(dir, above, st, where, uid);
  }
}

/**
 * Cache directories whose path this process has checked, with the directory's device and inode
 * then. Only root or their owner can make the directories above writable to others later, so a
 * directory checked once is not walked again while it is the same directory.
 */
const checkedPaths = new Map<string, string>();

/**
 * Creates the cache directory when missing (and every missing directory above it, each mode 0700
 * whatever the umask), and checks that only its owner can write to it and that no other user can
 * write to a directory above it.
 */
export function* ensureCacheDir(dir: string, where: string, host: Host, io: HostTasks): Task<void> {
  // The directory itself as it stands (a symbolic link is judged as one, then followed).
  const own = yield* io.lstat(dir);
  let st = own?.isSymbolicLink() ? yield* io.stat(dir) : own;
  if (own && !st) {
    throw new FFIError(`${where}: the cache path ${dir} is a symbolic link to nothing; remove it, create its target, or pass options.tmpdir`);
  }
  if (!st) {
    yield* checkPathAbove(dir, where, host, io); // before creating anything under an unsafe directory
    const missing: string[] = [];
    for (let d = dir; !(yield* io.lstat(d)); d = path.dirname(d)) {
      missing.unshift(d);
      if (path.dirname(d) === d) break;
    }
    for (const d of missing) {
      try {
        yield* io.mkdir(d, { mode: 0o700 });
      } catch (e) {
        if (!isErrno(e, 'EEXIST')) throw e;
        continue; // made by someone else meanwhile: checked below like any other
      }
      yield* io.chmod(d, 0o700);
    }
    st = yield* io.stat(dir);
    if (!st) throw new FFIError(`${where}: the cache directory ${dir} vanished right after it was created; check what removes it`);
    yield* checkPathAbove(dir, where, host, io);
  } else if (checkedPaths.get(dir) !== `${st.dev}:${st.ino}`) {
    yield* checkPathAbove(dir, where, host, io, own);
  }
  checkSafe(dir, st, where, host);
  checkedPaths.set(dir, `${st.dev}:${st.ino}`);
}
