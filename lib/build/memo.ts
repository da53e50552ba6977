// Small results remembered in the cache directory under a key, with the files they depend on, read back whole and current or not at all; verify()'s translation units among them, kept for the process once read.
import * as path from 'path';
import { FFIError } from '../errors';
import { Host, nodeHost } from '../host';
import { hostTasks, runSync } from '../tasks';
import { cacheDirectory, ensureCacheDir } from './cachedir';
import { hashParts, readSmall, writeAtomic } from './files';

/** One file as it was when the value was made: [path, size, modification time]. */
export type Stamp = readonly [file: string, size: number, mtimeMs: number];

interface Remembered<T> {
  readonly key: string;
  readonly stamps: readonly Stamp[];
  readonly value: T;
}

/** A value read back, with a hash of the files it depends on as they were (path, size, modification time). */
export interface Recalled<T> {
  readonly value: T;
  readonly files: string;
}

/** The text of a memo file whose `value` is already the JSON text `valueText`. */
export function memoText(key: string, stamps: readonly Stamp[], valueText: string): string {
  return `{"key":${JSON.stringify(key)},"stamps":${JSON.stringify(stamps)},"value":${valueText}}`;
}

/** The stamp of `file` as it is now; none when it is missing. */
export function stampOf(file: string, host: Host): Stamp[] {
  const st = host.statSync(file);
  return st ? [[file, st.size, st.mtimeMs]] : [];
}

/** One remembered file stamp: [path, size, mtime]. */
function isStamp(x: unknown): x is Stamp {
  return Array.isArray(x) && x.length === 3 && typeof x[0] === 'string' && typeof x[1] === 'number' && typeof x[2] === 'number';
}

/** A memo larger than this is damage, not a result (cc() of the biggest headers stays far below). */
const MEMO_MAX = 256 * 1024 * 1024;

/** The object remembered in `memo` for `key`, unless it is missing, damaged (not a regular file, not of this shape), or one of its files changed since. */
export function recall<T>(memo: string, key: string, host: Host): Recalled<T> | undefined {
  const read = runSync(readSmall(memo, MEMO_MAX, hostTasks(host)));
  if (typeof read === 'string') return undefined;
  let saved: Remembered<T> | null;
  try {
    saved = JSON.parse(read.bytes.toString('utf8')) as Remembered<T> | null;
  } catch {
    return undefined;
  }
  if (saved?.key !== key || !Array.isArray(saved.stamps) || !saved.stamps.every(isStamp)) return undefined;
  if (typeof saved.value !== 'object' || saved.value === null) return undefined;
  for (const [file, size, mtimeMs] of saved.stamps) {
    const st = host.statSync(file);
    if (!st || st.size !== size || st.mtimeMs !== mtimeMs) return undefined;
  }
  return { value: saved.value, files: hashParts(saved.stamps.flat().map(String)) };
}

/** The memo file of a translation unit's hash remembered under `key`. */
const unitMemo = (dir: string, key: string): string => path.join(dir, `.unit-${key.slice(0, 32)}.json`);

/** What is remembered of a built translation unit: its sha256, and the caller's digests of what it holds (for a check before use). */
export interface RememberedUnit {
  readonly code: string;
  /** The digest of everything the library is read by (its bindings and its probe table). */
  readonly plan: string;
  /** The digest of its bindings alone (what a library is read by when its probes are not read). */
  readonly bindings: string;
  /**
   * The build key of a library of this unit whose probes agreed with the declarations, which left
   * nothing for the compiler to fill in: loading that library again has nothing to check or to learn.
   */
  readonly settled?: string;
}

const isDigest = (x: unknown): x is string => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);

/** The fields of a RememberedUnit, in a new object (a memo read back may hold more). */
const unitOf = (u: RememberedUnit): RememberedUnit =>
  u.settled === undefined ? { code: u.code, plan: u.plan, bindings: u.bindings } : { code: u.code, plan: u.plan, bindings: u.bindings, settled: u.settled };

/**
 * The translation unit remembered under `key` in the cache directory of `options` (see
 * rememberUnit), unless missing or damaged. The directory is checked first, as a build checks
 * it: what a memo says decides which library is loaded.
 */
export function recallUnit(options: { readonly tmpdir?: string }, key: string, where: string, host: Host = nodeHost): RememberedUnit | undefined {
  const dir = cacheDirectory(options, host);
  const file = unitMemo(dir, key);
  const known = units.get(file);
  if (known?.key === key) return known.unit;
  runSync(ensureCacheDir(dir, where, host, hostTasks(host)));
  const unit = recall<{ code?: unknown; plan?: unknown; bindings?: unknown; settled?: unknown }>(file, key, host)?.value;
  if (!isDigest(unit?.code) || !isDigest(unit.plan) || !isDigest(unit.bindings) || !(unit.settled === undefined || isDigest(unit.settled))) return undefined;
  const found = unitOf(unit as RememberedUnit);
  units.set(file, { key, unit: found });
  return found;
}

/**
 * The units this process read or remembered, by memo file: a later verify() of the same inputs
 * does not read the file again. (One that names a library since gone only means a compile, and a
 * unit made anew is remembered here too.)
 */
const units = new Map<string, { readonly key: string; readonly unit: RememberedUnit }>();

/**
 * Remembers a built translation unit under `key`, the hash of everything it is made from, so that
 * a later build of the same inputs can give its hash instead of making it (BuildRequest.codeHash).
 * A cache directory that cannot be written is left as it is: the build said so already, and the
 * memo only saves time.
 */
export function rememberUnit(options: { readonly tmpdir?: string }, key: string, unit: RememberedUnit, host: Host = nodeHost): void {
  const dir = cacheDirectory(options, host);
  const kept = unitOf(unit);
  units.set(unitMemo(dir, key), { key, unit: kept });
  try {
    runSync(writeAtomic(dir, unitMemo(dir, key), memoText(key, [], JSON.stringify(kept)), host, hostTasks(host)));
  } catch (e) {
    if (e instanceof FFIError || !(e instanceof Error) || typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
  }
}
