// How the package's entry started the library: whether V8's code cache for the bundle was used or written, or why not (for `cffi doctor` and the tests).

/** What the entry (lib/loader.ts) did with the code cache of the bundled library. */
export interface StartupStatus {
  /** 'used': compiled from a whole code cache; 'compiled': from the text (the cache is written at exit when `detail` says so); 'off': no code cache at all. */
  readonly state: 'used' | 'compiled' | 'off';
  /** The cache file, or why there is none, in words. */
  readonly detail: string;
}

let status: StartupStatus = { state: 'off', detail: 'the library was not loaded through the package entry (dist/node-cffi.js)' };

export function startupStatus(): StartupStatus {
  return status;
}

/** Called by the entry once the bundle has run, and again when it writes the cache. */
export function recordStartup(s: StartupStatus): void {
  status = s;
}
