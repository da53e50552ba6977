// Loads the optional native helper (build/Release/node_cffi.node); null when it was never built or is disabled.
import path = require('path');
import { ProgramRunner, nodeHost, useProgramRunner } from '../host';
import { packageRoot } from '../package';

/**
 * The helpers of the addon, each measured clearly faster than its koffi/JavaScript equivalent
 * (bench/native.ts). Addresses are plain numbers: user-space addresses fit in 2^53.
 * Bad arguments throw a TypeError naming the function and the argument; an address that is
 * well-formed but points nowhere is the caller's responsibility, as in C.
 */
export interface NativeHelper {
  /**
   * The NUL-terminated UTF-8 text at `address`, reading at most `maxlen` bytes (`-1`: up to the NUL
   * however far it is). A multi-byte character cut by `maxlen` becomes U+FFFD, as do invalid bytes.
   * Throws a TypeError for an address that is not a positive integer below 2^53 (NULL included) or
   * a maxlen that is neither -1 nor a non-negative integer.
   */
  cstring(address: number, maxlen: number): string;
  /**
   * The address of the first byte of an ArrayBuffer, or of a TypedArray's / DataView's window into
   * its buffer (byteOffset included). A small TypedArray that V8 kept on its heap is moved off it
   * for good by this call, so the address stays valid as long as the buffer is alive. 0 for an
   * empty buffer that owns no memory. Throws a TypeError for anything else, and for a detached buffer.
   */
  address(buffer: ArrayBuffer | ArrayBufferView): number;
  /**
   * The calling thread's `errno`: the variable koffi.errno() reads, at half the cost. Like it, it
   * reports the last C call's failure only if nothing ran in between that changed errno.
   */
  errno(): number;
  /**
   * Tells V8 that JavaScript objects now keep `delta` more bytes (or fewer, when negative) of
   * memory outside its heap alive, so that it collects them sooner; returns the new total.
   */
  adjustExternalMemory(delta: number): number;
  /**
   * 16 hexadecimal digits of a 64-bit checksum of the bytes of an ArrayBuffer or a view
   * (MurmurHash3 x64's body and finaliser, the length folded in): it tells a damaged file from a
   * whole one, not a forged one. Absent from an addon built before it existed.
   */
  checksum?(buffer: ArrayBuffer | ArrayBufferView): string;
  /**
   * The SHA-256 of the bytes of an ArrayBuffer or a view, 64 hexadecimal digits, computed by the
   * OpenSSL that Node links: the same digest as node:crypto's, without loading node:crypto (about
   * 2.5 ms of a fresh process). Absent where Node does not export OpenSSL's functions, and from an
   * addon built before it existed.
   */
  sha256?(buffer: ArrayBuffer | ArrayBufferView): string;
  /**
   * When `cdata` is garbage-collected, the collector itself calls the C function at `destructor`
   * (`void f(void *)`) with `pointer`, at once, even inside a synchronous loop; meanwhile `size`
   * bytes are reported to V8 as external memory, and `keep` stays alive (until `gcNotify`'s
   * function has been told, on the JavaScript thread). The function must not call JavaScript.
   * Absent where Node runs finalizers only on a later turn of the event loop (before Node 20.10).
   */
  gcFree?(cdata: object, destructor: number, pointer: number, size: number, keep: object): void;
  /** Forgets the destructor gcFree gave `cdata`, without running it; false when it had none. */
  gcCancel?(cdata: object): boolean;
  /** The function told of each gcFree record done, with its `keep`. */
  gcNotify?(fn: (keep: object) => void): void;
  /**
   * Adds `delta` (1: an .async call begun, -1: one settled, 0: nothing) to the count of .async calls
   * in C in every thread of the process (one count per process, which the main thread reads as the
   * process ends: see backend/ending.ts), and returns the count. Absent from an addon built before
   * it existed.
   */
  asyncCalls?(delta: 1 | -1 | 0): number;
  /**
   * Runs a program to its end (native/spawn.c; see ProgramRunner in lib/host.ts), which the host's
   * spawnSync then uses instead of Node's child_process. Absent from an addon built before it existed.
   */
  runProgram?: ProgramRunner;
}

/** Every function NativeHelper always has, checked on load so that an addon from another version is refused. */
const HELPERS: readonly (keyof NativeHelper)[] = ['cstring', 'address', 'errno', 'adjustExternalMemory'];

/** The addon's file, relative to the package root. */
const ADDON = path.join('build', 'Release', 'node_cffi.node');

/** A helper as loaded, or null, and why it is what it is. */
interface Loaded<H> {
  helper: H | null;
  status: string;
}

/**
 * The exports of the addon at `relative` (from the package root), or why there are none: disabled
 * by NODE_CFFI_NO_NATIVE (anything but '' and '0'), never built, or failing to load.
 */
function openAddon(relative: string): { file: string; exports: Record<string, unknown> } | Loaded<never> {
  const disabled = nodeHost.env('NODE_CFFI_NO_NATIVE');
  if (disabled !== undefined && disabled !== '' && disabled !== '0') return { helper: null, status: `disabled by NODE_CFFI_NO_NATIVE=${disabled}` };
  const file = path.join(packageRoot, relative);
  if (nodeHost.statSync(file) === undefined) return { helper: null, status: `not built: no ${relative} at the package root; build it with npm rebuild node-cffi` };
  try {
    return { file, exports: nodeHost.loadAddon(file) };
  } catch (err) {
    return { helper: null, status: `unusable: ${file} failed to load (${(err as Error).message}); rebuild it` };
  }
}

const loaded = load();

/**
 * The native helper, or null when it was never built, fails to load, or NODE_CFFI_NO_NATIVE is set
 * (to anything but '' and '0'): then every caller takes its koffi/JavaScript path.
 */
export const native: NativeHelper | null = loaded.helper;
if (typeof native?.runProgram === 'function') useProgramRunner(native.runProgram);

/** Why `native` is what it is: the file it came from, or why it is null. For diagnostics. */
export const nativeStatus: string = loaded.status;

function load(): Loaded<NativeHelper> {
  const opened = openAddon(ADDON);
  if (!('exports' in opened)) return opened;
  const { file, exports } = opened;
  const missing = HELPERS.filter((name) => typeof exports[name] !== 'function');
  if (missing.length > 0)
    return { helper: null, status: `unusable: ${file} lacks ${missing.join(', ')}, it is from another version; rebuild it` };
  if (typeof exports.checksum !== 'function' && typeof exports.gcFree === 'function') {
    // Built before checksum() and before its destructors pending at exit ran ahead of koffi's
    // teardown: loaded before koffi (as the package's entry loads it), they would run in unloaded
    // libraries at exit. Its gc helpers are left out (JavaScript's path serves) until it is rebuilt.
    const { gcFree: _free, gcCancel: _cancel, gcNotify: _notify, ...older } = exports;
    return { helper: older as unknown as NativeHelper, status: `loaded from ${file} (built by an older version: rebuild it for ffi.gc() in the collector and the start-up code cache)` };
  }
  return { helper: exports as unknown as NativeHelper, status: `loaded from ${file}` };
}

/**
 * The second optional addon (native/views.cc, against V8's own API): ArrayBuffers over C memory
 * that V8 does not count as external memory. Through Node-API (koffi.view) each 3 GiB window onto
 * C memory counted as 3 GiB and started a full, compacting collection at once.
 */
export interface ViewsHelper {
  /**
   * An ArrayBuffer over the `length` bytes (at most 4 GiB) at `address` (a positive integer below
   * 2^53); nothing is copied or ever freed. Like koffi's views (and Node's buffers over external
   * memory), it is marked untransferable: postMessage and structuredClone copy it rather than
   * detach it and hand the memory to another thread, which does not own it.
   */
  view(address: number, length: number): ArrayBuffer;
}

/** The views addon's file, relative to the package root. */
const VIEWS_ADDON = path.join('build', 'Release', 'node_cffi_views.node');

let viewsLoaded: Loaded<ViewsHelper> | null = null;

/**
 * The views helper, loaded at its first use (a program that never reads C memory does not load
 * it); null when it was not built, fails to load (built for another Node.js: it is tied to V8's
 * ABI), or NODE_CFFI_NO_NATIVE is set.
 */
export function views(): ViewsHelper | null {
  return (viewsLoaded ??= loadViews()).helper;
}

/** Why views() is what it is, loading it if it was not yet. For diagnostics. */
export function viewsStatus(): string {
  return (viewsLoaded ??= loadViews()).status;
}

function loadViews(): Loaded<ViewsHelper> {
  const opened = openAddon(VIEWS_ADDON);
  if (!('exports' in opened)) return opened;
  const { file, exports } = opened;
  const view = exports.view as ViewsHelper['view'];
  if (typeof view !== 'function') return { helper: null, status: `unusable: ${file} lacks view(), it is from another version; rebuild it` };
  // Node's own mark (a private symbol only its JavaScript reaches): the addon cannot set it.
  const helper: ViewsHelper = {
    view(address, length) {
      const buffer = view(address, length);
      nodeHost.markUntransferable(buffer);
      return buffer;
    },
  };
  return { helper, status: `loaded from ${file}` };
}
