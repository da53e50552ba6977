// Files of the cache directory that no one may see half-written: content hashes, private temporary directories, atomic replacement.
import { createHash } from 'crypto';
import * as path from 'path';
import { Host, HostTasks, Task } from '../host';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hashes a list of strings; each is framed by its length, so no two lists give the same input. */
export function hashParts(parts: readonly string[]): string {
  return sha256(parts.map((p) => `${p.length}:${p}`).join(''));
}

/** A short tag for this machine that is safe inside a file name. */
export function hostTag(host: Host): string {
  return host.hostname().replace(/[^A-Za-z0-9]/g, '').slice(0, 32) || 'host';
}

/** The prefix for mkdtemp of a private temporary directory inside the cache. */
export function tempPrefix(dir: string, host: Host): string {
  return path.join(dir, `.tmp-${hostTag(host)}-${host.pid()}-`);
}

/** The name of a directory made from tempPrefix: the machine's tag and the process id. */
export const TEMP_NAME = /^\.tmp-([A-Za-z0-9]*)-(\d+)-[^-]+$/;

/** Writes `file` so that readers see either the old contents or all of the new ones. */
export function* writeAtomic(dir: string, file: string, data: string, host: Host, io: HostTasks): Task<void> {
  const work = yield* io.mkdtemp(tempPrefix(dir, host));
  try {
    const tmp = path.join(work, 'data');
    yield* io.writeFile(tmp, data);
    yield* io.rename(tmp, file);
  } finally {
    yield* io.rm(work);
  }
}
