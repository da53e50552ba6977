// Files of the cache directory: content hashes, private temporary files and directories, atomic replacement, and reading without trusting what stands there.
import type * as Crypto from 'crypto';
import path = require('path');
import { FileStat, Host, isErrno } from '../host';
import { HostTasks, Task } from '../tasks';
import { native } from '../backend/native';

// Loaded on first hash, where the native helper cannot hash: the start-up code cache writes through this file without hashing anything.
let cryptoModule: typeof Crypto | undefined;

/** The SHA-256 of `data` (a string as UTF-8), in hex: the native helper's, else node:crypto's (the same digest). */
export function sha256(data: string | Uint8Array): string {
  if (native?.sha256) return native.sha256(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  return (cryptoModule ??= require('crypto') as typeof Crypto).createHash('sha256').update(data).digest('hex');
}

/** Hashes a list of strings; each is framed by its length, so no two lists give the same input. */
export function hashParts(parts: readonly string[]): string {
  return sha256(parts.map((p) => `${p.length}:${p}`).join(''));
}

/** A short tag for this machine that is safe inside a file name. */
export function hostTag(host: Host): string {
  return host.hostname().replace(/[^A-Za-z0-9]/g, '').slice(0, 32) || 'host';
}

/** The prefix of a private temporary file or directory (mkdtemp) inside the cache. */
export function tempPrefix(dir: string, host: Host): string {
  return path.join(dir, `.tmp-${hostTag(host)}-${host.pid()}-`);
}

/** The name of a file or directory made from tempPrefix: the machine's tag and the process id. */
export const TEMP_NAME = /^\.tmp-([A-Za-z0-9]*)-(\d+)-[^-]+$/;

/** Numbers the temporary files of this thread's writeAtomic() calls (with a random part: threads share the process id). */
let tempCount = 0;

/**
 * Writes `file` so that readers see either the old contents or all of the new ones: the data goes
 * to a new private file beside it (created exclusively, so nothing standing there is followed or
 * reused), which then replaces it. A directory standing at `file` (damage: a rename cannot replace
 * it) is removed first.
 */
export function* writeAtomic(dir: string, file: string, data: string | Uint8Array, host: Host, io: HostTasks): Task<void> {
  const prefix = tempPrefix(dir, host);
  let tmp = '';
  for (let attempt = 0; tmp === ''; attempt++) {
    const name = `${prefix}${(tempCount++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    try {
      yield* io.writeFile(name, data, { mode: 0o600, flag: 'wx' });
      tmp = name;
    } catch (e) {
      // Another thread's file of the same name is left alone; a file this call created is removed.
      if (isErrno(e, 'EEXIST') && attempt < 8) continue;
      if (!isErrno(e, 'EEXIST')) {
        try {
          yield* io.rm(name);
        } catch {
          // The write's error is the one to report.
        }
      }
      throw e;
    }
  }
  try {
    if ((yield* io.lstat(file))?.isDirectory()) yield* io.rm(file);
    yield* io.rename(tmp, file);
    tmp = '';
  } finally {
    if (tmp !== '') yield* io.rm(tmp);
  }
}

/** A regular file opened for reading, with its status (taken through the descriptor). */
export interface OpenFile {
  readonly fd: number;
  readonly st: FileStat;
}

/**
 * Opens what is at `file` if it is a regular file; 'missing' when nothing is there, 'damaged' for
 * anything else (a directory, FIFO, device, socket or symbolic link), which is closed again
 * without a byte read: the open neither follows a link nor waits for a FIFO's writer.
 */
export function* openRegular(file: string, io: HostTasks): Task<OpenFile | 'missing' | 'damaged'> {
  let fd: number;
  try {
    fd = yield* io.open(file);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return 'missing';
    if (isErrno(e, 'ELOOP') || isErrno(e, 'ENXIO') || isErrno(e, 'EISDIR') || isErrno(e, 'ENODEV') || isErrno(e, 'EOPNOTSUPP')) return 'damaged';
    throw e;
  }
  let st: FileStat;
  try {
    st = yield* io.fstat(fd);
  } catch (e) {
    yield* io.close(fd);
    throw e;
  }
  if (st.isFile()) return { fd, st };
  yield* io.close(fd);
  return 'damaged';
}

/** The contents of a small regular file (at most `max` bytes); 'missing', or 'damaged' for anything else or anything larger. */
export function* readSmall(file: string, max: number, io: HostTasks): Task<{ bytes: Buffer; st: FileStat } | 'missing' | 'damaged'> {
  const f = yield* openRegular(file, io);
  if (typeof f === 'string') return f;
  try {
    if (f.st.size > max) return 'damaged';
    // As many bytes as the file has, and one more to see it grow (a cache file is replaced whole,
    // never written in place): not `max`, which Buffer.allocUnsafe would count in V8's external
    // memory (256 MiB for a remembered preprocessor run), enough to start a full collection.
    const bytes = yield* io.read(f.fd, f.st.size + 1, 0);
    return bytes.length > f.st.size ? 'damaged' : { bytes, st: f.st };
  } finally {
    yield* io.close(f.fd);
  }
}

