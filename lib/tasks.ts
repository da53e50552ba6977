// Routines written once for both worlds: a generator Task yields host calls, driven blocking (runSync) or without blocking the event loop (runAsync); the host's calls as Tasks.
import type { Host, SpawnOptions, WriteOptions } from './host';

/** One host call in its blocking and its promise form; a Task yields these and its runner picks one. */
export interface Step {
  sync(): unknown;
  async(): Promise<unknown>;
}

/**
 * A routine written once for both worlds: it `yield*`s host calls and is driven either
 * synchronously (`runSync`) or without blocking the event loop (`runAsync`).
 */
export type Task<T> = Generator<Step, T, unknown>;

/** Lifts a host call, given in both forms, into a Task. */
export function* step<T>(sync: () => T, async: () => Promise<T>): Task<T> {
  return (yield { sync, async }) as T;
}

export function runSync<T>(task: Task<T>): T {
  let next = task.next();
  while (!next.done) {
    let value: unknown;
    try {
      value = next.value.sync();
    } catch (e) {
      next = task.throw(e);
      continue;
    }
    next = task.next(value);
  }
  return next.value;
}

export async function runAsync<T>(task: Task<T>): Promise<T> {
  let next = task.next();
  while (!next.done) {
    let value: unknown;
    try {
      value = await next.value.async();
    } catch (e) {
      next = task.throw(e);
      continue;
    }
    next = task.next(value);
  }
  return next.value;
}

/** The host's calls as Tasks, for routines that run both ways. */
export function hostTasks(host: Host) {
  return {
    stat: (p: string) => step(() => host.statSync(p), () => host.stat(p)),
    lstat: (p: string) => step(() => host.lstatSync(p), () => host.lstat(p)),
    open: (p: string) => step(() => host.openSync(p), () => host.open(p)),
    fstat: (fd: number) => step(() => host.fstatSync(fd), () => host.fstat(fd)),
    read: (fd: number, length: number, position: number) =>
      step(() => host.readSync(fd, length, position), () => host.read(fd, length, position)),
    close: (fd: number) => step(() => host.closeSync(fd), () => host.close(fd)),
    chmod: (p: string, mode: number) => step(() => host.chmodSync(p, mode), () => host.chmod(p, mode)),
    statfs: (p: string) => step(() => host.statfsSync(p), () => host.statfs(p)),
    link: (existing: string, link: string) => step(() => host.linkSync(existing, link), () => host.link(existing, link)),
    readFile: (p: string) => step(() => host.readFileSync(p), () => host.readFile(p)),
    writeFile: (p: string, data: string | Uint8Array, o?: WriteOptions) =>
      step(() => host.writeFileSync(p, data, o), () => host.writeFile(p, data, o)),
    mkdir: (p: string, o?: { recursive?: boolean; mode?: number }) =>
      step(() => host.mkdirSync(p, o), () => host.mkdir(p, o)),
    mkdtemp: (prefix: string) => step(() => host.mkdtempSync(prefix), () => host.mkdtemp(prefix)),
    readdir: (p: string) => step(() => host.readdirSync(p), () => host.readdir(p)),
    rename: (from: string, to: string) => step(() => host.renameSync(from, to), () => host.rename(from, to)),
    unlink: (p: string) => step(() => host.unlinkSync(p), () => host.unlink(p)),
    rm: (p: string) => step(() => host.rmSync(p), () => host.rm(p)),
    realpath: (p: string) => step(() => host.realpathSync(p), () => host.realpath(p)),
    spawn: (file: string, args: readonly string[], o?: SpawnOptions) =>
      step(() => host.spawnSync(file, args, o), () => host.spawn(file, args, o)),
    sleep: (ms: number) => step(() => host.sleep(ms), () => host.delay(ms)),
    /** Whether the routine is being driven by runSync (it blocks the thread) or by runAsync. */
    mode: () => step((): 'sync' | 'async' => 'sync', async (): Promise<'sync' | 'async'> => 'async'),
  };
}

/**
 * Runs `task` to its end without giving other routines of this thread a turn, even under
 * runAsync: its host calls are made in their blocking form. For short sequences that must not
 * interleave with another build in the same thread (a check and the renames that follow it).
 */
export function* uninterrupted<T>(task: Task<T>): Task<T> {
  return (yield { sync: () => runSync(task), async: async () => runSync(task) }) as T;
}

export type HostTasks = ReturnType<typeof hostTasks>;
