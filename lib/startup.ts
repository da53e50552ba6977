// How the package's entry started the library (the code cache of each bundle used, written, or off, and why), and what the process has used of it that runs code of its own.

/** What the entry (lib/loader.ts) did with the code cache of a bundle. */
export interface BundleStatus {
  /** 'used': compiled from a whole code cache; 'compiled': from the text (the cache is written at the event loop's first turn or at exit when `detail` says so); 'off': no code cache at all. */
  readonly state: 'used' | 'compiled' | 'off';
  /** The cache file, or why there is none, in words. */
  readonly detail: string;
}

/** The library's bundle (what require('node-cffi') runs); with `stages` once the second bundle (the compiler's stages, headers, cc(), the command) has been loaded. */
export interface StartupStatus extends BundleStatus {
  readonly stages?: BundleStatus;
}

let status: BundleStatus = { state: 'off', detail: 'the library was not loaded through the package entry (dist/node-cffi.js)' };
let stages: BundleStatus | undefined;

export function startupStatus(): StartupStatus {
  return stages === undefined ? status : { ...status, stages };
}

/** Called by the entry once a bundle has run, and again when it writes its cache. */
export function recordStartup(s: BundleStatus, part: 'library' | 'stages' = 'library'): void {
  if (part === 'stages') stages = { state: s.state, detail: s.detail };
  else status = { state: s.state, detail: s.detail };
}

/**
 * A part of the library that runs much code no other part runs, and so must be in a bundle's code
 * cache for a process that uses it to start without compiling that code: declarations parsed by
 * cdef(), a library's functions bound (dlopen(), verify()), a callback made, or a module of the
 * stages bundle loaded (`stage:build/index`, noted by the entry).
 */
export type Use = 'cdef' | 'library' | 'callback' | `stage:${string}`;

const uses = new Set<Use>();
let onNewUse: (() => void) | null = null;

/** Notes that the process used `use`; the first time, the entry is told (it may write its caches again). */
export function noteUse(use: Use): void {
  if (uses.has(use)) return;
  uses.add(use);
  if (onNewUse !== null) onNewUse();
}

/** The uses noted so far, sorted. */
export function usesNoted(): Use[] {
  return [...uses].sort();
}

/** Has the entry told of each new use (one listener: the entry's). */
export function whenUsed(listener: () => void): void {
  onNewUse = listener;
}
