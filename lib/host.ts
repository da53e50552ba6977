// The Host, the one gateway to environment, files, processes and clock (routines over it run sync or async through lib/tasks.ts).
import type * as ChildProcess from 'child_process';
import fs = require('fs');
import type * as Module from 'module';
import type * as Os from 'os';
import path = require('path');
import { getSystemErrorName, promisify } from 'util';
import vm = require('vm');
import type * as WorkerThreads from 'worker_threads';

// Loaded on first use: a program that never compiles nor spawns does not pay for them at require().
let osModule: typeof Os | undefined, moduleModule: typeof Module | undefined;
const os = (): typeof Os => (osModule ??= require('os') as typeof Os);
const nodeModule = (): typeof Module => (moduleModule ??= require('module') as typeof Module);
let childProcessModule: typeof ChildProcess | undefined;
let workerThreadsModule: typeof WorkerThreads | undefined;
const childProcess = (): typeof ChildProcess => (childProcessModule ??= require('child_process') as typeof ChildProcess);
const workerThreads = (): typeof WorkerThreads => (workerThreadsModule ??= require('worker_threads') as typeof WorkerThreads);

/** The parts of a file status the library reads; Node's `fs.Stats` has this shape. */
export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
  /** When the inode last changed (contents, mode, owner, links, rename): its owner cannot set it back. */
  readonly ctimeMs: number;
  /** Permission and type bits, as in `st_mode`. */
  readonly mode: number;
  readonly uid: number;
  /** The device and inode: together, which file this is. */
  readonly dev: number;
  readonly ino: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** A script compiled by Host.compileScript: whether V8 refused the cached data given, running it, and V8's code cache of it as it stands (the functions compiled so far included). */
export interface CompiledScript {
  readonly cachedDataRejected: boolean;
  run(): unknown;
  createCachedData(): Buffer;
}

/** Free space of a file system, as `statfs` reports it. */
export interface FsSpace {
  /** Blocks an unprivileged user may still use, and their size in bytes. */
  readonly bavail: number;
  readonly bsize: number;
  /** Free inodes. */
  readonly ffree: number;
}

/**
 * How `open` opens a file for reading: never through a symbolic link at the last component
 * (O_NOFOLLOW) and without blocking (O_NONBLOCK: a FIFO with no writer opens at once, where a
 * blocking open would wait forever), close-on-exec.
 */
const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/** What a child may write to stdout, or to stderr, before it is stopped. */
export const SPAWN_OUTPUT_LIMIT = 64 * 1024 * 1024;

export interface WriteOptions {
  /** Node's open flag: 'w' (default) truncates, 'wx' fails with EEXIST when the file exists (O_EXCL). */
  readonly flag?: 'w' | 'wx';
  readonly mode?: number;
}

/** A memory mapping of the process: [start, end), and the file it maps (null for anonymous memory). */
export type Mapping = { readonly start: number; readonly end: number; readonly writable: boolean; readonly executable: boolean; readonly file: string | null };

export interface SpawnOptions {
  readonly cwd?: string;
  /** Variables set on top of the host's own environment for the child. */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Milliseconds after which the child is killed with SIGKILL. */
  readonly timeout?: number;
  /** A line written to standard error if the child still runs after `afterMs` milliseconds (a long compile says so). */
  readonly notice?: { readonly afterMs: number; readonly text: string };
}

export interface SpawnResult {
  /** Exit status; null when a signal ended the child or it never started. */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be started (ENOENT, EACCES, ...). */
  readonly error: Error | undefined;
  /** The child ran past `timeout` and was killed. */
  readonly timedOut: boolean;
  /**
   * The child wrote more than SPAWN_OUTPUT_LIMIT bytes to stdout or to stderr and was killed;
   * `stdout` and `stderr` hold at most that much each, from the beginning.
   */
  readonly overflowed: boolean;
}

/**
 * Everything the library needs from its surroundings. Programs are always started with an
 * argument array, never through a shell. Failing fs calls throw Node's errors (with `code`).
 */
export interface Host {
  env(name: string): string | undefined;
  homedir(): string;
  tmpdir(): string;
  cwd(): string;
  /** The effective user id; -1 where the platform has none. */
  uid(): number;
  pid(): number;
  /** The id of this JavaScript thread within the process (0 on the main thread, a worker's own id otherwise). */
  threadId(): number;
  hostname(): string;
  /** Whether a process with this id exists on this machine (one we may not signal counts). */
  processAlive(pid: number): boolean;
  /** Milliseconds since the epoch. */
  now(): number;
  /** Blocks the thread for `ms` milliseconds. */
  sleep(ms: number): void;
  /** Resolves after `ms` milliseconds without blocking. */
  delay(ms: number): Promise<void>;

  /** The status of what is at `path` (symbolic links followed); undefined when nothing is there. */
  statSync(path: string): FileStat | undefined;
  /** The status of `path` itself (a symbolic link is not followed); undefined when nothing is there. */
  lstatSync(path: string): FileStat | undefined;
  /** Opens a file for reading (see READ_FLAGS: no symbolic link, no blocking); returns its descriptor. */
  openSync(path: string): number;
  fstatSync(fd: number): FileStat;
  /** Reads up to `length` bytes at `position` (fewer at the end of the file). */
  readSync(fd: number, length: number, position: number): Buffer;
  closeSync(fd: number): void;
  /** Sets the permission bits exactly (the umask plays no part). */
  chmodSync(path: string, mode: number): void;
  /** Free space of the file system holding `path`; undefined where the platform does not say. */
  statfsSync(path: string): FsSpace | undefined;
  readFileSync(path: string): Buffer;
  /** A file's text as UTF-8 (Node reads it in one native call, where the Buffer form runs through JavaScript). */
  readTextSync(path: string): string;
  writeFileSync(path: string, data: string | Uint8Array, options?: WriteOptions): void;
  mkdirSync(path: string, options?: { recursive?: boolean; mode?: number }): void;
  /** Creates a fresh directory named `prefix` plus six random characters, mode 0700 whatever the umask; returns its path. */
  mkdtempSync(prefix: string): string;
  readdirSync(path: string): string[];
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  linkSync(existing: string, link: string): void;
  /** Removes a file or a directory tree; a missing path is not an error. */
  rmSync(path: string): void;
  realpathSync(path: string): string;
  /** The memory mappings of this process right now, in address order; empty where the platform does not say (no /proc/self/maps). */
  mappings(): Mapping[];
  /** How many memory mappings the process has right now; -1 where the platform does not say. */
  mappingCount(): number;
  /** The most memory mappings the kernel lets a process have (vm.max_map_count); -1 where unknown. */
  mappingLimit(): number;
  spawnSync(file: string, args: readonly string[], options?: SpawnOptions): SpawnResult;

  stat(path: string): Promise<FileStat | undefined>;
  lstat(path: string): Promise<FileStat | undefined>;
  open(path: string): Promise<number>;
  fstat(fd: number): Promise<FileStat>;
  read(fd: number, length: number, position: number): Promise<Buffer>;
  close(fd: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  statfs(path: string): Promise<FsSpace | undefined>;
  link(existing: string, link: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: string | Uint8Array, options?: WriteOptions): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean; mode?: number }): Promise<void>;
  mkdtemp(prefix: string): Promise<string>;
  readdir(path: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rm(path: string): Promise<void>;
  realpath(path: string): Promise<string>;
  spawn(file: string, args: readonly string[], options?: SpawnOptions): Promise<SpawnResult>;

  /** Loads a Node addon (a `.node` file) into the process and returns its exports. */
  loadAddon(file: string): Record<string, unknown>;
  /**
   * Marks an ArrayBuffer over memory it does not own as Node marks its buffers over external memory:
   * postMessage and structuredClone copy it instead of detaching it and handing the memory on.
   */
  markUntransferable(buffer: ArrayBuffer): void;

  /** Writes text to the process's standard output or standard error. */
  write(stream: 'stdout' | 'stderr', text: string): void;
  /** Whether the process's standard input, output or error is a terminal. */
  isTerminal(stream: 'stdin' | 'stdout' | 'stderr'): boolean;
  /** Runs JavaScript in this realm with its globals, as `node -e` does, and returns its value; `filename` names it in stack traces. */
  runScript(code: string, filename: string): unknown;
  /** A require() that resolves modules as a file at `file` would. */
  requireFrom(file: string): NodeRequire;
  /** This Node.js and its V8 (`process.version`, `process.versions.v8`); whether it resolves modules without realpath (--preserve-symlinks). */
  runtimeVersions(): { readonly node: string; readonly v8: string; readonly preserveSymlinks: boolean };
  /** Calls `fn` when the process exits normally; returns what takes it back. */
  atExit(fn: () => void): () => void;
  /**
   * Calls `fn(status, how, mainThread)` as this thread ends, its 'exit' handlers run: by process.exit() ('exit'; Node's own ending
   * follows if `fn` returns) or an exception nobody handles ('fatal'; Node then reports it and ends). `mainThread()` tells whether
   * that ends the process (a worker's ends the worker); it is asked only when needed, as knowing it costs a module load.
   */
  onEnding(fn: (status: number, how: 'exit' | 'fatal', mainThread: () => boolean) => void): void;
  /** Compiles `code` with V8's code cache `cachedData` if given (V8 checks its version and the code's length only: the caller must know the bytes are whole). */
  compileScript(code: string, filename: string, cachedData?: Uint8Array): CompiledScript;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** Where the process keeps the functions Host.onEnding was given: one hook per process, however many copies of this module (a test runner's registries). */
const ENDINGS = Symbol.for('node-cffi.endings');

/**
 * Removes a file or a directory tree as `fs.rmSync(p, { recursive: true, force: true })` does, in
 * fewer calls for a directory of plain files (a build's private directory): its entries are read
 * with their types, so a file costs one unlink, where Node's own walk first tries rmdir, then
 * lstats each entry. A symbolic link is removed, never followed; anything unexpected (an entry of
 * unknown type, a failure) is left to fs.rmSync.
 */
function removeTreeSync(p: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return;
    throw e;
  }
  if (!st.isDirectory()) {
    fs.rmSync(p, { force: true });
    return;
  }
  try {
    for (const d of fs.readdirSync(p, { withFileTypes: true })) {
      const child = path.join(p, d.name);
      if (d.isDirectory()) removeTreeSync(child);
      else fs.unlinkSync(child); // a directory of unknown type fails here (EISDIR): fs.rmSync takes over
    }
    fs.rmdirSync(p);
  } catch {
    fs.rmSync(p, { recursive: true, force: true });
  }
}

/**
 * The environment a child gets: process.env as this code sees it, named explicitly (Node's default
 * is its own process.env, which a test runner's sandbox does not share with the code it runs).
 */
function childEnv(options: SpawnOptions | undefined): NodeJS.ProcessEnv {
  return options?.extraEnv ? { ...process.env, ...options.extraEnv } : process.env;
}

function spawnAsync(file: string, args: readonly string[], options?: SpawnOptions): Promise<SpawnResult> {
  return new Promise((resolve) => {
    const child = childProcess().spawn(file, args, {
      cwd: options?.cwd,
      env: childEnv(options),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let overflowed = false;
    let settled = false;
    const notice = options?.notice;
    const noticeTimer = notice ? setTimeout(() => process.stderr.write(`${notice.text}\n`), notice.afterMs) : undefined;
    const finish = (status: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(noticeTimer);
      const [stdout, stderr] = [Buffer.concat(out).toString('utf8'), Buffer.concat(err).toString('utf8')];
      resolve({ status, signal, stdout, stderr, error, timedOut, overflowed });
    };
    const timer = options?.timeout === undefined ? undefined : setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), options.timeout);
    const collect = (into: Buffer[]) => {
      let bytes = 0;
      return (b: Buffer) => {
        if (overflowed) return;
        const room = SPAWN_OUTPUT_LIMIT - bytes;
        into.push(b.length > room ? b.subarray(0, room) : b);
        bytes += b.length;
        if (bytes > SPAWN_OUTPUT_LIMIT) {
          overflowed = true;
          child.kill('SIGKILL');
        }
      };
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (e) => finish(null, null, e));
    // After a kill, grandchildren may still hold the pipes open: do not wait for them.
    child.on('exit', (status, signal) => {
      if (timedOut || overflowed) {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(status, signal);
      }
    });
    child.on('close', (status, signal) => finish(status, signal));
  });
}

// The descriptor forms of Node's fs calls (fs.promises deals in FileHandle objects, not descriptors).
const openAsync = promisify(fs.open);
const fstatAsync = promisify(fs.fstat);
const readAsync = promisify(fs.read);
const closeAsync = promisify(fs.close);

/**
 * Runs `run` (a blocking spawn) with a line on standard error once it has taken `notice.afterMs`.
 * This thread blocks meanwhile, so no timer of its own can fire: a timer process (a shell waiting
 * on `sleep`) writes the line to this process's standard error unless it is stopped first, as it
 * is the moment `run` returns (SIGTERM: the shell stops its sleep and leaves without a word). It
 * stays in this process's group, so that an interrupt from the terminal ends it too, and runs at
 * the lowest priority. (A worker thread as the timer would start a JavaScript engine beside the
 * compiler: some 25 ms of every cold compile on a terminal.) Where no timer can start (no
 * /bin/sh), the line is not written.
 */
function withNotice<T>(run: () => T, notice: { afterMs: number; text: string }): T {
  let timer: ChildProcess.ChildProcess | undefined;
  try {
    timer = childProcess().spawn(
      '/bin/sh',
      ['-c', 'trap \'kill $! 2>/dev/null; exit 0\' TERM; sleep "$1" & wait $! && printf \'%s\\n\' "$2" >&2', 'node-cffi-notice', String(notice.afterMs / 1000), notice.text],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    timer.on('error', () => {}); // the shell did not start: no line
    timer.unref();
  } catch {
    timer = undefined;
  }
  try {
    // At the lowest priority, its start (a shell, then sleep) takes what the compiler leaves idle.
    if (timer?.pid !== undefined) os().setPriority(timer.pid, 19);
  } catch {
    // gone already, or not allowed: it runs as it is
  }
  try {
    return run();
  } finally {
    // Not reaped before this thread's event loop runs again, so its pid cannot name another process.
    timer?.kill('SIGTERM');
  }
}

/**
 * The native helper's runProgram (native/spawn.c): a program run to its end through posix_spawn,
 * its two pipes read in one poll loop. Status -1: it did not exit; signal 0: no signal ended it;
 * errno nonzero: it could not start.
 */
export type ProgramRunner = (
  file: string, argv: readonly string[], cwd: string | null, env: readonly string[] | null,
  timeoutMs: number, limit: number, noticeMs: number, notice: string | null,
) => { status: number; signal: number; stdout: string; stderr: string; errno: number; timedOut: boolean; overflowed: boolean };

let programRunner: ProgramRunner | null = null;

/**
 * Gives spawnSync the native helper's runner (lib/backend/native.ts, when the addon loads; null
 * takes it back). A program named by a path then runs without Node's child_process, whose loading
 * is some 5 ms of a fresh process (and each spawnSync a new event loop), and a notice needs no
 * timer process. A program named without a '/' still goes through child_process, which looks it
 * up in the child's PATH.
 */
export function useProgramRunner(run: ProgramRunner | null): void {
  programRunner = run;
}

/** spawnSync through the native runner: the same options and result as spawnBlocking's (Node's), its error included. */
function spawnNatively(run: ProgramRunner, file: string, args: readonly string[], options?: SpawnOptions): SpawnResult {
  // process.env as it stands, as Node passes it: not necessarily C's environ (a test runner's sandbox has a copy of its own).
  const env = Object.entries(childEnv(options)).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const notice = options?.notice;
  const r = run(file, [file, ...args], options?.cwd ?? null, env, options?.timeout ?? 0, SPAWN_OUTPUT_LIMIT, notice?.afterMs ?? 0, notice?.text ?? null);
  let error: Error | undefined;
  if (r.errno !== 0) {
    // As Node words it: 'spawnSync /usr/bin/cc ENOENT', with code, errno, syscall, path and arguments.
    const code = getSystemErrorName(-r.errno);
    error = Object.assign(new Error(`spawnSync ${file} ${code}`), { errno: -r.errno, code, syscall: `spawnSync ${file}`, path: file, spawnargs: [...args] });
  }
  const signals = r.signal === 0 ? undefined : (os().constants.signals as Record<string, number>);
  const signal = signals === undefined ? null : ((Object.keys(signals).find((k) => signals[k] === r.signal) ?? null) as NodeJS.Signals | null);
  return { status: r.status >= 0 ? r.status : null, signal, stdout: r.stdout, stderr: r.stderr, error, timedOut: r.timedOut, overflowed: r.overflowed };
}

/** child_process.spawnSync with the Host's options and result. */
function spawnBlocking(file: string, args: readonly string[], options?: SpawnOptions): SpawnResult {
  const r = childProcess().spawnSync(file, args, {
    cwd: options?.cwd,
    env: childEnv(options),
    timeout: options?.timeout,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: SPAWN_OUTPUT_LIMIT,
  });
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  const timedOut = code === 'ETIMEDOUT';
  const overflowed = code === 'ENOBUFS';
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout ? r.stdout.subarray(0, SPAWN_OUTPUT_LIMIT).toString('utf8') : '',
    stderr: r.stderr ? r.stderr.subarray(0, SPAWN_OUTPUT_LIMIT).toString('utf8') : '',
    error: timedOut || overflowed ? undefined : r.error,
    timedOut,
    overflowed,
  };
}

/** The Host backed by Node's own modules. */
export const nodeHost: Host = {
  env: (name) => process.env[name],
  homedir: () => process.env.HOME || os().homedir(), // $HOME as libuv's os.homedir() reads it, without loading os

  tmpdir: () => os().tmpdir(),
  cwd: () => process.cwd(),
  uid: () => (process.getuid ? process.getuid() : -1),
  pid: () => process.pid,
  threadId: () => workerThreads().threadId,
  hostname: () => os().hostname(),
  processAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  now: () => Date.now(),
  sleep(ms) {
    Atomics.wait(sleepCell, 0, 0, ms);
  },
  delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),

  // A missing file is an answer, not an exception: throwing costs more than the stat itself.
  statSync: (path) => fs.statSync(path, { throwIfNoEntry: false }),
  lstatSync: (path) => fs.lstatSync(path, { throwIfNoEntry: false }),
  openSync: (path) => fs.openSync(path, READ_FLAGS),
  fstatSync: (fd) => fs.fstatSync(fd),
  readSync(fd, length, position) {
    const buffer = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(fd, buffer, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return buffer.subarray(0, got);
  },
  closeSync: (fd) => fs.closeSync(fd),
  chmodSync: (path, mode) => fs.chmodSync(path, mode),
  statfsSync: (path) => (typeof fs.statfsSync === 'function' ? fs.statfsSync(path) : undefined),
  readFileSync: (path) => fs.readFileSync(path),
  readTextSync: (path) => fs.readFileSync(path, 'utf8'),
  writeFileSync: (path, data, options) => fs.writeFileSync(path, data, options),
  mkdirSync(path, options) {
    fs.mkdirSync(path, options);
  },
  mkdtempSync(prefix) {
    const dir = fs.mkdtempSync(prefix);
    fs.chmodSync(dir, 0o700);
    return dir;
  },
  readdirSync: (path) => fs.readdirSync(path),
  renameSync: (from, to) => fs.renameSync(from, to),
  unlinkSync: (path) => fs.unlinkSync(path),
  linkSync: (existing, link) => fs.linkSync(existing, link),
  rmSync: removeTreeSync,
  realpathSync: (path) => fs.realpathSync.native(path),
  mappings() {
    let text: string;
    try {
      text = fs.readFileSync('/proc/self/maps', 'utf8');
    } catch {
      return [];
    }
    // "start-end perms offset dev inode [path]": a file's path starts at the first '/' after the inode.
    return text.split('\n').filter((line) => line !== '').map((line) => {
      const [range, perms] = line.split(' ', 2);
      const [start, end] = range.split('-').map((x) => parseInt(x, 16));
      const at = line.indexOf(' /');
      return { start, end, writable: perms[1] === 'w', executable: perms[2] === 'x', file: at >= 0 ? line.slice(at + 1).replace(/ \(deleted\)$/, '') : null };
    });
  },
  mappingCount() {
    let text: string;
    try {
      text = fs.readFileSync('/proc/self/maps', 'latin1');
    } catch {
      return -1;
    }
    let n = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
    return n;
  },
  mappingLimit() {
    try {
      const n = Number(fs.readFileSync('/proc/sys/vm/max_map_count', 'latin1').trim());
      return Number.isSafeInteger(n) && n > 0 ? n : -1;
    } catch {
      return -1;
    }
  },
  spawnSync(file, args, options) {
    if (programRunner !== null && file.includes('/')) return spawnNatively(programRunner, file, args, options);
    return options?.notice ? withNotice(() => spawnBlocking(file, args, options), options.notice) : spawnBlocking(file, args, options);
  },

  stat: (path) =>
    fs.promises.stat(path).catch((e: unknown) => {
      if (isErrno(e, 'ENOENT')) return undefined;
      throw e;
    }),
  lstat: (path) =>
    fs.promises.lstat(path).catch((e: unknown) => {
      if (isErrno(e, 'ENOENT')) return undefined;
      throw e;
    }),
  open: (path) => openAsync(path, READ_FLAGS),
  fstat: (fd) => fstatAsync(fd),
  async read(fd, length, position) {
    const buffer = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await readAsync(fd, buffer, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buffer.subarray(0, got);
  },
  close: (fd) => closeAsync(fd),
  chmod: (path, mode) => fs.promises.chmod(path, mode),
  statfs: async (path) => (typeof fs.promises.statfs === 'function' ? fs.promises.statfs(path) : undefined),
  link: (existing, link) => fs.promises.link(existing, link),
  readFile: (path) => fs.promises.readFile(path),
  writeFile: (path, data, options) => fs.promises.writeFile(path, data, options),
  async mkdir(path, options) {
    await fs.promises.mkdir(path, options);
  },
  async mkdtemp(prefix) {
    const dir = await fs.promises.mkdtemp(prefix);
    await fs.promises.chmod(dir, 0o700);
    return dir;
  },
  readdir: (path) => fs.promises.readdir(path),
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (path) => fs.promises.unlink(path),
  rm: (path) => fs.promises.rm(path, { recursive: true, force: true }),
  realpath: (path) => fs.promises.realpath(path),
  spawn: spawnAsync,

  markUntransferable: (buffer) => workerThreads().markAsUntransferable(buffer),

  loadAddon(file) {
    const mod = { exports: {} as Record<string, unknown> };
    process.dlopen(mod, file);
    return mod.exports;
  },

  write(stream, text) {
    (stream === 'stdout' ? process.stdout : process.stderr).write(text);
  },
  isTerminal: (stream) => (stream === 'stdin' ? process.stdin : stream === 'stdout' ? process.stdout : process.stderr).isTTY === true,
  runScript: (code, filename) => vm.runInThisContext(code, { filename }),
  requireFrom: (file) => nodeModule().createRequire(file),
  runtimeVersions: () => ({ node: process.version, v8: process.versions.v8, preserveSymlinks: [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes('--preserve-symlinks') }),
  atExit: (fn) => (process.on('exit', fn), () => process.removeListener('exit', fn)),
  onEnding(fn) {
    const p = process as unknown as { reallyExit(status: number): void; _exiting: boolean; [ENDINGS]?: Set<typeof fn> };
    if (p[ENDINGS] === undefined) {
      const fns = (p[ENDINGS] = new Set());
      const run = (status: number, how: 'exit' | 'fatal'): void => fns.forEach((f) => f(status, how, () => workerThreads().isMainThread));
      const really = p.reallyExit; // process.exit()'s last step, which Node looks up at each call (and programs wrap)
      p.reallyExit = function (status) { run(status, 'exit'); really.call(this, status); };
      // Unhandled, it emits 'exit' (unless exiting already), reports the error, then ends: listened to from here, 'exit' runs `last` last.
      const last = (): void => run(Number(process.exitCode ?? 1), 'fatal');
      process.on('uncaughtExceptionMonitor', () => {
        if (process.listenerCount('uncaughtException') > 0 || process.hasUncaughtExceptionCaptureCallback()) return;
        if (p._exiting) return last();
        process.removeListener('exit', last);
        process.on('exit', last);
      });
    }
    p[ENDINGS].add(fn);
  },
  compileScript(code, filename, cachedData) {
    const script = new vm.Script(code, { filename, cachedData });
    return {
      cachedDataRejected: cachedData !== undefined && script.cachedDataRejected === true,
      run: () => script.runInThisContext(),
      createCachedData: () => script.createCachedData(),
    };
  },
};

/** True when `e` is a Node system error with this code ('ENOENT', 'EEXIST', ...). */
export function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === code;
}
