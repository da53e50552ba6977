// The package's entry, built into dist/node-cffi.js: runs the bundled library (dist/node-cffi.bundle.js, and dist/node-cffi.stages.js at its first use) from V8's code cache when a whole one is at hand, and the `cffi` command when run as a program.
import path = require('path');
import * as nativeModule from './backend/native';
import { native } from './backend/native';
import * as cachedirModule from './build/cachedir';
import { cacheDirectory, checkPathAbove, checkSafe, codeCacheName, ensureCacheDir } from './build/cachedir';
import * as filesModule from './build/files';
import { openRegular, writeAtomic } from './build/files';
import * as errorsModule from './errors';
import * as hostModule from './host';
import { FileStat, nodeHost } from './host';
import * as packageModule from './package';
import * as startupModule from './startup';
import { BundleStatus, noteUse, recordStartup, usesNoted, whenUsed } from './startup';
import * as tasksModule from './tasks';
import { hostTasks, runSync } from './tasks';
import type * as Bundle from './bundle';

/** The bundled library, next to this file once built: what require('node-cffi') runs. */
const BUNDLE = path.join(__dirname, 'node-cffi.bundle.js');
/** The second bundle (scripts/bundle.js): the compiler's stages, whole headers, ahead-of-time modules, cc() and the command, run at their first use. */
const STAGES = path.join(__dirname, 'node-cffi.stages.js');

/** Which bundle: the library's, or the stages'. */
type Part = 'library' | 'stages';
/** Each bundle's modules by name, for the other bundle (scripts/bundle.js writes the table). */
type Modules = Readonly<Record<string, () => unknown>>;

/** The first bytes of a code cache file, and its format's version. */
const MAGIC = 'node-cffi code cache 1\n';
/** A header longer than this is damage (it holds three paths). */
const HEADER_MAX = 64 * 1024;
/** A cache file larger than this is damage (V8's cache of the bundle is well under 1 MiB). */
const FILE_MAX = 64 * 1024 * 1024;

/** Everything a code cache depends on besides its own bytes: the bundle file as it stands, and this V8. */
interface Identity {
  readonly bundle: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly dev: number;
  readonly node: string;
  readonly v8: string;
  readonly arch: string;
}

/**
 * Where `require('koffi')` from the bundle's directory led when the cache was written. Node finds
 * it by walking up the node_modules directories and reading the package's `exports`, which costs
 * ~2 ms at start-up; it leads to the same file while the places Node looks first are still empty
 * and the package.json found is the same file, unchanged (checked by stillLeadsTo).
 */
interface Resolution {
  readonly file: string;
  readonly manifest: string;
  /** The package.json's device, inode, size and modification time. */
  readonly manifestId: string;
}

/** The header line of a cache file: the identity it was made for, its data's length and checksum, koffi's resolution, the uses it holds the code of, and a checksum of the rest of the header. */
interface Header extends Identity {
  readonly length: number;
  readonly checksum: string;
  readonly koffi: Resolution | null;
  /** The uses (lib/startup.ts) of the processes that wrote the cache, whose functions it holds; absent: none. */
  readonly uses?: readonly string[];
  readonly headerChecksum?: string;
}

const KOFFI = 'koffi';

const statId = (st: FileStat): string => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;

/**
 * Walks the directories Node's require looks in for `koffi`, as it does (each `<dir>/koffi` with
 * each extension require knows, then the package directory `<dir>/koffi/package.json`), and
 * returns the package.json found first, or undefined when something else comes first (a file, a
 * directory without package.json) or under --preserve-symlinks: no shortcut is taken then.
 */
function koffiManifest(): { manifest: string; st: FileStat } | undefined {
  if (nodeHost.runtimeVersions().preserveSymlinks) return undefined;
  for (const dir of require.resolve.paths(KOFFI) ?? []) {
    const manifest = path.join(dir, KOFFI, 'package.json');
    const st = nodeHost.statSync(manifest);
    if (st?.isFile()) return { manifest, st };
    for (const ext of ['', ...Object.keys(require.extensions)]) if (nodeHost.lstatSync(path.join(dir, KOFFI + ext))) return undefined;
  }
  return undefined;
}

/** koffi's resolution now, to remember in the cache; null when it cannot be remembered safely. */
function resolveKoffi(): Resolution | null {
  const found = koffiManifest();
  if (!found) return null;
  const file = require.resolve(KOFFI);
  return { file, manifest: found.manifest, manifestId: statId(found.st) };
}

/** Whether a remembered resolution of koffi still leads where Node's require would lead now. */
function stillLeadsTo(r: unknown): r is Resolution {
  if (typeof r !== 'object' || r === null) return false;
  const { file, manifest, manifestId } = r as Partial<Resolution>;
  if (typeof file !== 'string' || typeof manifest !== 'string' || typeof manifestId !== 'string') return false;
  const found = koffiManifest();
  return found !== undefined && found.manifest === manifest && statId(found.st) === manifestId && nodeHost.statSync(file)?.isFile() === true;
}

/** The header's checksum: of its text without this field. */
function headerChecksum(header: Header): string {
  const { headerChecksum: _, ...rest } = header;
  return native!.checksum!(Buffer.from(JSON.stringify(rest), 'utf8'));
}

function identityOf(bundle: string, st: FileStat): Identity {
  const { node, v8 } = nodeHost.runtimeVersions();
  return { bundle, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, dev: st.dev, node, v8, arch: process.arch };
}

/** 32 bits of FNV-1a of a short text, in hex: tells the cache files of different installations apart. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Whether this process is the `cffi` command (this file run as the program) rather than a program that requires node-cffi. */
const AS_COMMAND = require.main !== undefined && require.main.filename === __filename;

/**
 * The cache file of a bundle under this V8, in the cache directory (lib/build/cachedir.ts): one
 * for the `cffi` command and one for programs, as each holds the functions its first run ran.
 */
function cacheFile(dir: string, bundle: string, part: Part): string {
  const v8 = nodeHost.runtimeVersions().v8.replace(/[^0-9A-Za-z.]/g, '_');
  return path.join(dir, codeCacheName(`${AS_COMMAND ? 'cli' : 'lib'}${part === 'stages' ? '-stages' : ''}-${shortHash(bundle)}-${v8}-${process.arch}`));
}

/** The text of a file opened without following a link, with its status; undefined when it is not a regular file. */
function readRegular(file: string): { bytes: Buffer; st: FileStat } | undefined {
  const io = hostTasks(nodeHost);
  const f = runSync(openRegular(file, io));
  if (typeof f === 'string') return undefined;
  try {
    if (f.st.size > FILE_MAX) return undefined;
    const bytes = nodeHost.readSync(f.fd, f.st.size + 1, 0);
    return bytes.length === f.st.size ? { bytes, st: f.st } : undefined;
  } finally {
    nodeHost.closeSync(f.fd);
  }
}

/**
 * The data of a whole code cache made for `identity` and the resolution of koffi it remembers
 * (checked by stillLeadsTo when the bundle first requires koffi, not at start-up), or why there is none.
 */
function readCache(file: string, dir: string, identity: Identity): { data: Buffer; koffi: unknown; uses: readonly string[] } | string {
  if (!native?.checksum) return 'off: needs the native helper (its checksum)';
  const dirStat = nodeHost.statSync(dir);
  if (!dirStat) return 'missing';
  runSync(checkPathAbove(dir, 'the start-up code cache', nodeHost, hostTasks(nodeHost)));
  checkSafe(dir, dirStat, 'the start-up code cache', nodeHost);
  const read = readRegular(file);
  if (!read) return 'missing';
  const { bytes, st } = read;
  if (st.uid !== nodeHost.uid() && nodeHost.uid() >= 0) return 'not owned by the current user';
  const end = bytes.indexOf(10, MAGIC.length);
  if (bytes.toString('latin1', 0, MAGIC.length) !== MAGIC || end < 0 || end > HEADER_MAX) return 'damaged (header)';
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', MAGIC.length, end)) as Header;
  } catch {
    return 'damaged (header)';
  }
  if (typeof header !== 'object' || header === null || header.headerChecksum !== headerChecksum(header)) return 'damaged (header)';
  for (const key of Object.keys(identity) as (keyof Identity)[]) {
    if (header[key] !== identity[key]) return `made for another ${key === 'bundle' || key === 'size' || key === 'mtimeMs' || key === 'ino' || key === 'dev' ? 'build of the bundle' : 'Node.js'}`;
  }
  const data = bytes.subarray(end + 1);
  if (header.length !== data.length) return 'damaged (length)';
  if (header.checksum !== native.checksum(data)) return 'damaged (checksum)';
  const uses = header.uses ?? [];
  if (!Array.isArray(uses) || !uses.every((u) => typeof u === 'string')) return 'damaged (header)';
  return { data, koffi: header.koffi, uses };
}

/** Writes the code cache of `script` for `identity`, holding the code of `uses`, whole or not at all (a temporary file renamed over the old one). */
function writeCache(file: string, dir: string, identity: Identity, data: Buffer, uses: readonly string[]): void {
  if (!native?.checksum) return;
  const io = hostTasks(nodeHost);
  runSync(ensureCacheDir(dir, 'the start-up code cache', nodeHost, io));
  const header: Header = { ...identity, length: data.length, checksum: native.checksum(data), koffi: resolveKoffi(), uses };
  const whole: Header = { ...header, headerChecksum: headerChecksum(header) };
  const bytes = Buffer.concat([Buffer.from(`${MAGIC}${JSON.stringify(whole)}\n`, 'utf8'), data]);
  runSync(writeAtomic(dir, file, bytes, nodeHost, io));
}

/**
 * The modules the bundles take from this file instead of holding copies of their own
 * (scripts/bundle.js makes the bundles require them as `node-cffi/entry:<name>`): one host, one
 * native helper, one set of error classes in the process, and their module bodies run once. This
 * file is bundled from lib/*.ts (scripts/bundle.js), its modules' code at its own top level rather
 * than in a function per module: each is given as a plain object of its exports (none of them is
 * reassigned after the module ran).
 */
const SHARED: Readonly<Record<string, unknown>> = {
  'node-cffi/entry:host': { ...hostModule },
  'node-cffi/entry:tasks': { ...tasksModule },
  'node-cffi/entry:errors': { ...errorsModule },
  'node-cffi/entry:package': { ...packageModule },
  'node-cffi/entry:backend/native': { ...nativeModule },
  'node-cffi/entry:build/cachedir': { ...cachedirModule },
  'node-cffi/entry:build/files': { ...filesModule },
  'node-cffi/entry:startup': { ...startupModule },
};

/** The prefixes by which one bundle requires the other's modules (scripts/bundle.js). */
const OTHER: Readonly<Record<Part, string>> = { library: 'node-cffi/stages:', stages: 'node-cffi/core:' };

/**
 * A bundle's require: this file's (they are in one directory) for Node's modules and koffi, the
 * shared modules from this file, the other bundle's modules from `other`; and with a resolution a
 * whole cache remembers (see Resolution) that still holds when koffi is first required (koffi is
 * loaded at first use, so the check waits too), koffi from that file, by name should the file be
 * gone meanwhile.
 */
function requireFor(part: Part, remembered: unknown, other: () => Modules): NodeRequire {
  let koffi: Resolution | null | undefined = remembered === undefined || remembered === null ? null : undefined;
  const prefix = OTHER[part];
  // This file's require, for Node's modules and koffi (they are found from the bundles' directory as from this file's).
  const plain: NodeRequire = require;
  const load = (id: string): unknown => {
    if (Object.prototype.hasOwnProperty.call(SHARED, id)) return SHARED[id];
    if (id.startsWith(prefix)) {
      const name = id.slice(prefix.length);
      if (part === 'library') noteUse(`stage:${name}`);
      const modules = other();
      if (!Object.prototype.hasOwnProperty.call(modules, name)) throw new Error(`node-cffi: ${id} is in neither bundle; rebuild node-cffi (npm run build)`);
      return modules[name]();
    }
    if (id !== KOFFI) return plain(id);
    koffi ??= stillLeadsTo(remembered) ? remembered : null;
    if (koffi === null) return plain(KOFFI);
    const fromBundle = nodeHost.requireFrom(BUNDLE);
    try {
      return fromBundle(koffi.file);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'MODULE_NOT_FOUND' && nodeHost.statSync(koffi.file) === undefined) return fromBundle(KOFFI);
      throw e;
    }
  };
  return Object.assign(load, plain);
}

/** The words of an error for a status line. */
const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Checks, each for a bundle this process ran, that its code cache holds the code of the uses noted so far, and writes it if not. */
const writers: (() => void)[] = [];
let pending: NodeJS.Immediate | null = null;
let watching = false;

/** Runs the writers at the event loop's next turn (or at exit, whichever comes first). */
function scheduleWriters(): void {
  if (!watching) {
    // From the first bundle run on, a new use schedules the writers, and so does the exit.
    watching = true;
    whenUsed(scheduleWriters);
    nodeHost.atExit(runWriters);
  }
  if (pending !== null) return;
  pending = setImmediate(runWriters);
  pending.unref();
}

function runWriters(): void {
  if (pending !== null) clearImmediate(pending);
  pending = null;
  for (const w of writers) w();
}

/**
 * Runs a bundle, from V8's code cache when a whole one is at hand, with `exports` as its exports;
 * `record` is told how (and told again when the cache is written).
 */
function runBundle(file: string, part: Part, exports: object, other: () => Modules, record: (s: BundleStatus) => void): void {
  const source = readRegular(file);
  if (!source) throw new Error(`node-cffi: ${file} is missing or not a regular file; reinstall node-cffi (or run npm run build in a checkout)`);
  const identity = identityOf(file, source.st);
  const off = nodeHost.env('NODE_CFFI_CODE_CACHE');
  const enabled = off !== '0' && native?.checksum !== undefined;
  let dir = '';
  let cache = '';
  let cached: { data: Buffer; koffi: unknown; uses: readonly string[] } | string = enabled ? '' : off === '0' ? 'off: NODE_CFFI_CODE_CACHE=0' : 'off: needs the native helper (its checksum)';
  if (enabled) {
    try {
      dir = cacheDirectory({});
      cache = cacheFile(dir, file, part);
      cached = readCache(cache, dir, identity);
    } catch (e) {
      cached = `off: ${reason(e)}`;
    }
  }
  // The bundle is a CommonJS module body already wrapped in its function (scripts/bundle.js), all ASCII.
  const script = nodeHost.compileScript(source.bytes.toString('latin1'), file, typeof cached === 'string' ? undefined : cached.data);
  const body = script.run() as (exports: object, req: NodeRequire, module: object, filename: string, dirname: string) => void;
  body.call(exports, exports, requireFor(part, typeof cached === 'string' ? null : cached.koffi, other), { exports }, file, path.dirname(file));
  const used = typeof cached !== 'string' && !script.cachedDataRejected;
  const why = typeof cached === 'string' ? cached : script.cachedDataRejected ? 'rejected by V8' : '';
  let status: BundleStatus;
  if (used) status = { state: 'used', detail: cache };
  else if (why.startsWith('off')) status = { state: 'off', detail: why.replace(/^off: /, '') };
  else status = { state: 'compiled', detail: `${why}: ${cache} is written at the event loop's first turn or at exit` };
  record(status);
  if (status.state === 'off') return;
  // Written at exit or at the event loop's first turn, whichever comes first: then it holds the
  // functions the program's first synchronous run ran (the parser's, for one), not only the
  // bundle's top level. Not later: V8 drops the bytecode of functions that have not run for a few
  // full collections, and a cache written after them would lack the start-up's own functions
  // (the bundle's outer function among them, whose lazy compile parses the whole bundle).
  // Written again, by a process that ran from it, when that process used a part of the library
  // (lib/startup.ts) that the processes which wrote it did not: a first run that only required
  // the library, or only compiled, would otherwise leave every later start compiling the parser's
  // or the header reader's functions from the text. A cache that V8 compiled from holds what it
  // held (less what V8 dropped since) and what this process ran; the uses only grow.
  let covered: ReadonlySet<string> | null = used ? new Set((cached as { uses: readonly string[] }).uses) : null;
  let failed = false;
  writers.push(() => {
    if (failed) return;
    // The stages' code runs for stage uses only; the library's for all (a whole header is parsed by the library's parser).
    const now = part === 'stages' ? usesNoted().filter((u) => u.startsWith('stage:')) : usesNoted();
    if (covered !== null && now.every((u) => covered!.has(u))) return;
    const added = covered === null ? now : now.filter((u) => !covered!.has(u));
    const all = [...new Set([...(covered ?? []), ...now])].sort();
    try {
      writeCache(cache, dir, identity, script.createCachedData(), all);
      covered = new Set(all);
      record(used ? { state: 'used', detail: `${cache}, written again to hold ${added.join(', ')}` } : { state: 'compiled', detail: `${why}: written to ${cache}` });
    } catch (e) {
      failed = true;
      record({ state: status.state, detail: `${used ? cache : why}; not written: ${reason(e)}` });
    }
  });
  scheduleWriters();
}

/** What the library's bundle exports: lib/bundle.ts, and its modules the stages take from it. */
interface Library {
  readonly modules: Modules;
  readonly main: typeof Bundle;
}

function load(): typeof Bundle {
  const library = {} as Library;
  let stages: { modules?: Modules } | undefined;
  const stagesModules = (): Modules => {
    if (stages === undefined) {
      stages = {};
      runBundle(STAGES, 'stages', stages, () => library.modules, (s) => recordStartup(s, 'stages'));
    }
    // Requested while the stages bundle itself starts (a cycle between the bundles): scripts/bundle.js puts the table first.
    if (stages.modules === undefined) throw new Error(`node-cffi: ${STAGES} was required while it started; rebuild node-cffi (npm run build)`);
    return stages.modules;
  };
  runBundle(BUNDLE, 'library', library, stagesModules, (s) => recordStartup(s));
  return library.main;
}

const bundle = load();
module.exports = bundle.api;
if (AS_COMMAND) bundle.command();
