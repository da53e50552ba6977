// How the package's entry started the library: whether V8's code cache for each bundle was used or written, or why not (for `cffi doctor` and the tests).

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
