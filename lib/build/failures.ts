// Compiles the compiler refused, remembered in the cache directory by content key and a stamp of the files they read, so that a caller with a fallback does not pay for them again.
import * as path from 'path';
import { FFIError, VerificationError } from '../errors';
import { Host } from '../host';
import { HostTasks, Task } from '../tasks';
import { readSmall, writeAtomic } from './files';

/** A remembered failure is the compiler's message and diagnostics: far below this. */
const FAILURE_MAX = 4 * 1024 * 1024;

/** The file a refused compile of `key` is remembered in (a dot file, as the other memos: cleanCache() removes it, listCache() does not list it). */
const failureFile = (dir: string, key: string): string => path.join(dir, `.failed-${key.slice(0, 32)}.json`);

interface Remembered {
  readonly key: string;
  readonly stamp: string;
  readonly message: string;
  readonly diagnostics: string;
}

/**
 * The error a compile of `key` failed with, when it was remembered with the same `stamp` (the
 * files it read are as they were): the VerificationError the compiler's refusal gave. Undefined
 * when nothing is remembered, or for another stamp, or a damaged file.
 */
export function* recallFailure(dir: string, key: string, stamp: string, io: HostTasks): Task<VerificationError | undefined> {
  const read = yield* readSmall(failureFile(dir, key), FAILURE_MAX, io);
  if (typeof read === 'string') return undefined;
  let saved: Partial<Remembered> | null;
  try {
    saved = JSON.parse(read.bytes.toString('utf8')) as Partial<Remembered> | null;
  } catch {
    return undefined;
  }
  if (saved?.key !== key || saved.stamp !== stamp || typeof saved.message !== 'string' || typeof saved.diagnostics !== 'string') return undefined;
  return new VerificationError(saved.message, saved.diagnostics);
}

/**
 * Remembers that the compile of `key` failed with `error` while the files it read had `stamp`. A
 * cache directory that cannot be written is left as it is: the memo only saves a compile.
 */
export function* rememberFailure(dir: string, key: string, stamp: string, error: VerificationError, host: Host, io: HostTasks): Task<void> {
  const saved: Remembered = { key, stamp, message: error.message, diagnostics: error.diagnostics };
  try {
    yield* writeAtomic(dir, failureFile(dir, key), JSON.stringify(saved), host, io);
  } catch (e) {
    if (e instanceof FFIError || !(e instanceof Error) || typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
  }
}
