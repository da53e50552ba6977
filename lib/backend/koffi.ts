// Libraries through koffi: loading them (a checked one from its descriptor, with dlopen()'s RTLD_* flags; a bare name through the linker's cache), unloading those nothing refers to, what a loaded library holds alive, binding its symbols to koffi functions; errno, kept across that work; the backend's status.
import type { LibraryHandle } from 'koffi';
import { FFIError, show } from '../errors';
import { FunctionType, StructType } from '../ctype/model';
import { native, nativeStatus, views, viewsStatus } from './native';
import { byValueRefusal } from './byvalue';
import { RawFunction, argumentSpec, functionAt, keepingErrno, koffi, resultSpec, specName, toAddress } from './calls';
import { nodeHost } from '../host';
import { fileNamed, forgetCode, imageOf, mappedFiles } from './image';

export interface LoadedLibrary {
  /** The path given to dlopen (for a library loaded from a descriptor, the path it was opened at), or null for the process itself. */
  readonly path: string | null;
  /**
   * Binds symbol `name` with the C signature `type`; throws FFIError when the library has no such
   * symbol, TypeError when a type cannot cross (long double). `label` names it in messages.
   */
  bind(name: string, type: FunctionType, label?: string): RawFunction;
  /** As bind(), for the function of this library at `address` (an address a table of the library holds). */
  bindAt(address: number, type: FunctionType, label?: string): RawFunction;
  /** The address of a symbol (function or variable); throws FFIError when it is missing. */
  symbolAddress(name: string): number;
  /** Whether the library has symbol `name` (what symbolAddress finds without throwing). */
  hasSymbol(name: string): boolean;
  /**
   * Keeps `value` reachable for as long as the library stays loaded (what its C code may call, such
   * as the JavaScript functions behind extern "Python" functions); a later value under the same
   * `key` replaces it. Shared by every LoadedLibrary of the same file, as its C memory is.
   */
  hold(key: unknown, value: unknown): void;
  /** The address ranges the library is mapped at, [start, end) pairs (see imageOf); empty for the process itself or when unknown. */
  image(): number[];
  close(): void;
}

/**
 * A library opened by koffi, shared by every LoadedLibrary of the same file, with its bound
 * functions. It stays loaded while any LoadedLibrary of it or any function bound from it is
 * reachable (each holds this record), and is unloaded when none is (see `unloader`) or when the
 * last LoadedLibrary is closed.
 */
interface Opened {
  readonly handle: LibraryHandle;
  refs: number;
  readonly functions: Map<string, RawFunction>;
  readonly release: Release;
  /** What `hold` keeps reachable while the library is loaded. */
  readonly held: Map<unknown, unknown>;
}

/** What unloading an Opened needs, kept apart from it: the registry holds this, and must not hold the Opened. */
interface Release {
  readonly key: string;
  readonly handle: LibraryHandle;
  /** Handles of later loads that changed how the library is loaded (RTLD_GLOBAL), unloaded with it. */
  readonly more: LibraryHandle[];
  /** Loaded into the global scope (RTLD_GLOBAL). */
  global: boolean;
  /** Never unloaded (RTLD_NODELETE): its code and data stay mapped for the life of the process. */
  pinned: boolean;
  unloaded: boolean;
  /** The path it was loaded by (not through a descriptor), or null. */
  path: string | null;
}

/** Libraries loaded, by file identity; weak, so that an unreferenced library can go. */
const opened = new Map<string, WeakRef<Opened>>();

/** The process itself (dlopen(NULL)): never unloaded. */
let processLibrary: Opened | undefined;

/** How many libraries this module holds loaded right now. */
let live = 0;

function unload(r: Release): void {
  if (r.unloaded) return;
  r.unloaded = true;
  live--;
  const current = opened.get(r.key)?.deref();
  if (current === undefined || current.release === r) opened.delete(r.key);
  if (r.pinned) return;
  if (r.path !== null) loadedBy.get(r.path)?.delete(r);
  for (const h of r.more) h.unload();
  r.handle.unload();
  forgetCode();
}

/** Unloads the libraries no JavaScript object refers to any more (after V8 collected their records). */
const unloader = new FinalizationRegistry<Release>(unload);

/** Marks a function bound from a library: it keeps the library loaded. */
const KEEPS = Symbol('node-cffi library');

/** The libraries loaded by each path and still mapped (or pinned): what dlopen() of that name would hand back. */
const loadedBy = new Map<string, Set<Release>>();
let links = 0;

/**
 * Files that loads made by node-cffi brought into the process (as far as it looked). Kept on the
 * process, not the module: a module loaded twice into one process (a test runner's fresh module
 * registry, two copies of the package) must still know what node-cffi itself loaded, which stays.
 */
const ownMappings: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('node-cffi.ownMappings')] ??= new Set<string>()) as Set<string>;

/**
 * Loads a library so that it and the libraries it brings with it resolve their symbols among
 * themselves first (glibc's RTLD_DEEPBIND). Without it, the dynamic linker resolves every
 * reference in the process's global scope first, where node exports its bundled zlib and OpenSSL:
 * `-lz` or `dlopen('libz.so.1')` would then run node's deflate inside the system's compress2.
 */
function load(path: string | null, how: LoadFlags = DEFAULT_FLAGS): LibraryHandle {
  return path === null ? koffi().load(null) : koffi().load(path, { deep: true, lazy: how.lazy, global: how.global });
}

/**
 * dlopen()'s flags as glibc numbers them: CFFI's `ffi.RTLD_*`. node-cffi always loads with deep
 * binding (see `load`), so RTLD_DEEPBIND changes nothing.
 */
export const RTLD = Object.freeze({
  RTLD_LAZY: 0x1,
  RTLD_NOW: 0x2,
  RTLD_NOLOAD: 0x4,
  RTLD_DEEPBIND: 0x8,
  RTLD_GLOBAL: 0x100,
  RTLD_LOCAL: 0,
  RTLD_NODELETE: 0x1000,
});

/** What dlopen()'s flags ask for. */
interface LoadFlags {
  /** RTLD_LAZY: functions are bound on first call, not all at load (RTLD_NOW, the default). */
  readonly lazy: boolean;
  /** RTLD_GLOBAL: the library's symbols serve the libraries loaded after it. */
  readonly global: boolean;
  /** RTLD_NOLOAD: only a library already in the process is opened. */
  readonly noload: boolean;
  /** RTLD_NODELETE: the library is never unloaded. */
  readonly nodelete: boolean;
}
const DEFAULT_FLAGS: LoadFlags = { lazy: false, global: false, noload: false, nodelete: false };

/** Reads dlopen() flags (a sum of RTLD_* values; 0 means RTLD_NOW, as in CFFI). */
function loadFlags(flags: unknown, where: string): LoadFlags {
  if (flags === undefined) return DEFAULT_FLAGS;
  if (typeof flags !== 'number' || !Number.isSafeInteger(flags) || flags < 0) {
    throw new TypeError(`${where}: expected flags as a sum of ffi.RTLD_* values, got ${show(flags)}`);
  }
  // CFFI takes a C int; the bit test below sees only the low 32 bits of a larger number.
  if (flags > 0x7fffffff) {
    throw new RangeError(`${where}: flags 0x${flags.toString(16)} are more than a C int holds; give a sum of ffi.RTLD_* values`);
  }
  const known = Object.values(RTLD).reduce((a: number, b: number) => a | b, 0);
  if ((flags & ~known) !== 0) {
    throw new RangeError(`${where}: flags 0x${flags.toString(16)} hold bits (0x${(flags & ~known).toString(16)}) that are no RTLD_* value`);
  }
  if ((flags & RTLD.RTLD_LAZY) !== 0 && (flags & RTLD.RTLD_NOW) !== 0) {
    throw new RangeError(`${where}: flags ask for both RTLD_LAZY and RTLD_NOW; give one`);
  }
  return {
    lazy: (flags & RTLD.RTLD_LAZY) !== 0,
    global: (flags & RTLD.RTLD_GLOBAL) !== 0,
    noload: (flags & RTLD.RTLD_NOLOAD) !== 0,
    nodelete: (flags & RTLD.RTLD_NODELETE) !== 0,
  };
}

/**
 * koffi.load, except for a path by which another file (`key` tells files apart) is still loaded,
 * the file at the path having been replaced since: dlopen() matches loaded libraries by the name it
 * is given and would hand back the old code, so the new file is loaded through a fresh hard link
 * next to it (removed once loaded). A bare name (no '/') is one the dynamic linker searches for.
 */
function openFresh(path: string | null, key: string, how: LoadFlags): LibraryHandle {
  if (path === null || !path.includes('/') || ![...(loadedBy.get(path) ?? [])].some((r) => r.key !== key)) return load(path, how);
  const link = `${path}.${nodeHost.pid()}.${++links}.so`;
  nodeHost.linkSync(path, link);
  try {
    return load(link, how);
  } finally {
    nodeHost.unlinkSync(link);
  }
}

/** A library file open for reading, which its reader checked: device, inode and descriptor. */
export interface OpenLibraryFile {
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
}

let procFd: boolean | undefined;

/** Whether /proc/self/fd/N names the file open as descriptor N (Linux with /proc mounted). */
function hasProcFd(): boolean {
  procFd ??= process.platform === 'linux' && nodeHost.statSync('/proc/self/fd') !== undefined;
  return procFd;
}

/**
 * The name to dlopen() the file open as `file.fd` by: /proc/self/fd/N, which reaches the very
 * inode open there, however the path has changed since. dlopen() first compares a name with the
 * names of every library loaded (and remembers each name a library was loaded by), and
 * /proc/self/fd/N names another file once descriptor N is reused: so the name also spells the
 * file's device and inode, four path steps per character of 'dev:ino', '/' for a 0 bit and './'
 * for a 1 (steps that lead nowhere else). Equal names then always mean the same file.
 */
function descriptorName(file: OpenLibraryFile): string {
  let steps = '';
  for (const ch of `${file.dev}:${file.ino}`) {
    const v = ch === ':' ? 10 : ch.charCodeAt(0) - 48;
    for (let bit = 3; bit >= 0; bit--) steps += (v >> bit) & 1 ? './' : '/';
  }
  return `/proc/self/fd/${steps}${file.fd}`;
}

/** The kernel's limit on memory mappings, read once; -1 when unknown. */
let mappingLimit: number | undefined;
/** Loads left before the mappings are counted again. */
let loadsBeforeCount = 0;
/** What one more library may cost in mappings: a small one takes 5; libraries it links add theirs. */
const MAPPINGS_PER_LIBRARY = 16;

/** The mappings kept free of libraries: V8's heap, thread stacks and malloc need their own. */
function reserveOf(limit: number): number {
  return Math.ceil(limit / 8);
}

/**
 * Refuses a load that would bring the process near the kernel's limit on memory mappings
 * (vm.max_map_count, 65,530 by default; a library takes about 5): past it, the next mmap of V8 or
 * malloc fails and the process aborts. Counting mappings reads /proc/self/maps, so it is done
 * again only once the loads since the last count could have used half the room left.
 */
function admitLibrary(where: string): void {
  mappingLimit ??= nodeHost.mappingLimit();
  if (mappingLimit < 0 || --loadsBeforeCount > 0) return;
  const count = nodeHost.mappingCount();
  if (count < 0) {
    mappingLimit = -1;
    return;
  }
  const room = mappingLimit - reserveOf(mappingLimit) - count;
  if (room < MAPPINGS_PER_LIBRARY) {
    loadsBeforeCount = 0;
    throw new FFIError(
      `${where}: this process has ${count} memory mappings of the ${mappingLimit} the kernel allows (vm.max_map_count), ` +
        `with ${live} libraries loaded by node-cffi; one more could leave too few for Node itself, which would then abort; ` +
        'drop the libraries you no longer use and let the event loop turn so that they are unloaded (ffi.dlclose() unloads at once), ' +
        'or raise vm.max_map_count',
    );
  }
  loadsBeforeCount = Math.max(1, Math.floor(room / (2 * MAPPINGS_PER_LIBRARY)));
}

/** How many libraries node-cffi holds loaded right now (the process itself not counted). */
export function librariesLoaded(): number {
  return live;
}

export interface LoadOptions {
  /**
   * Library names to look for in the process before loading (a dlopen() path or soname, or
   * 'libz.so' for `-lz`): one that other code loaded earlier keeps the bindings that load gave
   * it, so deep binding cannot apply to it; a warning says so.
   */
  readonly watch?: readonly string[];
  /**
   * The library open as a descriptor, checked by whoever opened it: loaded from the descriptor, not
   * by path, so that what was checked is what is loaded (where /proc/self/fd exists; by path
   * elsewhere). The caller still owns the descriptor.
   */
  readonly file?: OpenLibraryFile;
  /** dlopen()'s flags: a sum of RTLD_* values (0 or absent: RTLD_NOW). */
  readonly flags?: number;
}

/**
 * The C runtime every process starts with: shared by the whole process by design (node links it
 * too), so finding it loaded already is normal, not a copy with someone else's bindings.
 */
const C_RUNTIME = /^(libc|libm|libdl|libpthread|librt|libgcc_s|libstdc\+\+|ld-linux[\w.-]*)\.so/;

function warnPreloaded(watch: readonly string[], before: ReadonlySet<string>): void {
  for (const name of watch) {
    const named = fileNamed(name);
    const file = [...before].find((f) => !ownMappings.has(f) && named(f) && !C_RUNTIME.test(f.slice(f.lastIndexOf('/') + 1)));
    if (file === undefined) continue;
    process.emitWarning(
      `${name}: ${file} was already loaded into this process by other code, so the dynamic linker reuses that copy ` +
        'with the symbol bindings it got then, without deep binding: calls inside it may run functions node itself ' +
        'exports (node bundles zlib and OpenSSL); load it through node-cffi before anything else loads it',
      'NodeCffiLibraryWarning',
    );
  }
}

/** The identity a loaded library is shared by: its file (a rebuilt cache entry is a new file), or null for the process. */
function identityOf(path: string | null, file: OpenLibraryFile | undefined): string | null {
  if (path === null) return null;
  if (file) return `inode ${file.dev}:${file.ino}`;
  const st = nodeHost.statSync(path);
  return st ? `path ${path}\0${st.size}\0${st.mtimeMs}\0${st.dev}:${st.ino}` : `path ${path}`;
}

function openLibrary(path: string | null, key: string | null, options: LoadOptions): Opened {
  const where = `dlopen(${JSON.stringify(path)})`;
  const how = loadFlags(options.flags, where);
  if (key === null) {
    if (!processLibrary) {
      const handle = load(null);
      processLibrary = { handle, refs: 0, functions: new Map(), release: { key: '', handle, more: [], global: true, pinned: true, unloaded: false, path: null }, held: new Map() };
    }
    return processLibrary;
  }
  const known = opened.get(key)?.deref();
  if (known) {
    const r = known.release;
    if (how.global && !r.global) {
      // dlopen() of a loaded library with RTLD_GLOBAL moves it into the global scope.
      try {
        r.more.push(options.file && hasProcFd() ? load(descriptorName(options.file), how) : load(path, how));
      } catch (e) {
        throw new FFIError(`${where}: ${(e as Error).message}`);
      }
      r.global = true;
    }
    if (how.nodelete) r.pinned = true;
    return known;
  }
  if (how.noload && path !== null && imageOf(path).length === 0) {
    throw new FFIError(`${where}: the library is not loaded in this process, and RTLD_NOLOAD asks to open it only if it is`);
  }
  admitLibrary(where);
  const watch = options.watch ?? [];
  const before = watch.length > 0 ? mappedFiles() : undefined;
  let handle: LibraryHandle;
  try {
    handle = options.file && hasProcFd() ? load(descriptorName(options.file), how) : openFresh(path, key, how);
  } catch (e) {
    throw new FFIError(`${where}: ${(e as Error).message}`);
  }
  if (before) {
    warnPreloaded(watch, before);
    for (const f of mappedFiles()) if (!before.has(f)) ownMappings.add(f);
  }
  const byPath = path !== null && !options.file ? path : null;
  const release: Release = { key, handle, more: [], global: how.global, pinned: how.nodelete, unloaded: false, path: byPath };
  const lib: Opened = { handle, refs: 0, functions: new Map(), release, held: new Map() };
  opened.set(key, new WeakRef(lib));
  unloader.register(lib, release, release);
  live++;
  if (byPath !== null) {
    let set = loadedBy.get(byPath);
    if (set === undefined) loadedBy.set(byPath, (set = new Set()));
    set.add(release);
  }
  return lib;
}

/**
 * Loads a shared library (null: the C library and everything already in the process) with deep
 * binding (see `load`). Loading a file that is already open shares it (as dlopen does, with a
 * reference count); each result closes once. A library no JavaScript object refers to any more
 * (no LoadedLibrary, no function bound from it) is unloaded after V8 collects them.
 */
export function loadLibrary(path: string | null, options: LoadOptions = {}): LoadedLibrary {
  const key = identityOf(path, options.file);
  const shared = openLibrary(path, key, options);
  shared.refs++;
  const where = path === null ? 'the running process' : `'${path}'`;
  let closed = false;
  return {
    path,
    bind(name, type, label = `${name}()`) {
      return keepingErrno(() => bindNow(name, type, label));
    },
    bindAt(address, type, label = `'${type.cname}'`) {
      const refusal = variadicRecordRefusal(type);
      if (refusal !== null) return refusedVariadic(label, type.result as StructType, refusal);
      const key = `${address} ${type.cname}`;
      let fn = shared.functions.get(key);
      if (!fn) shared.functions.set(key, (fn = keepingErrno(() => keepingLoaded(functionAt(address, type), shared))));
      return fn;
    },
    symbolAddress(name) {
      return keepingErrno(() => {
        try {
          return toAddress(shared.handle.symbol(name) as bigint);
        } catch (e) {
          throw missing(e, name, where);
        }
      });
    },
    hasSymbol(name) {
      return keepingErrno(() => {
        try {
          shared.handle.symbol(name);
          return true;
        } catch {
          return false; // every failure is one symbolAddress reports as missing
        }
      });
    },
    hold(key, value) {
      if (!shared.release.unloaded) shared.held.set(key, value);
    },
    image() {
      return shared === processLibrary || shared.release.unloaded ? [] : imageOf(path);
    },
    close() {
      if (closed) return;
      closed = true;
      if (--shared.refs === 0 && shared !== processLibrary) {
        unloader.unregister(shared.release);
        unload(shared.release);
        shared.held.clear();
      }
    },
  };

  function bindNow(name: string, type: FunctionType, label: string): RawFunction {
    const refusal = variadicRecordRefusal(type);
    if (refusal !== null) {
      try {
        shared.handle.symbol(name); // a missing symbol is said first
      } catch (e) {
        throw missing(e, name, where);
      }
      return refusedVariadic(label, type.result as StructType, refusal);
    }
    const args = type.args.map((a) => argumentSpec(a, `argument of ${label}`));
    const result = resultSpec(type.result, `result of ${label}`);
    const specs = type.ellipsis ? [...args, '...'] : args;
    const signature = `${specName(result)} ${name}(${specs.map(specName).join(', ')})`;
    let fn = shared.functions.get(signature);
    if (!fn) {
      try {
        fn = keepingLoaded(shared.handle.func(name, result, specs) as RawFunction, shared);
      } catch (e) {
        throw missing(e, name, where);
      }
      shared.functions.set(signature, fn);
    }
    return fn;
  }
}

/**
 * A variadic function returning a struct koffi cannot return as C does: no wrapper can forward
 * '...', so every call is refused (an FFIError naming the reason) before any C runs. The symbol
 * must still exist.
 */
/** Why koffi cannot return the struct or union a variadic function `t` returns by value as C does, or null. */
function variadicRecordRefusal(t: FunctionType): string | null {
  return t.ellipsis && (t.result.kind === 'struct' || t.result.kind === 'union') && t.result.fields ? byValueRefusal(t.result) : null;
}

/** A function refusing each call, saying why koffi cannot return the record `t` of variadic function `label`. */
function refusedVariadic(label: string, t: StructType, refusal: string): RawFunction {
  return (): never => {
    throw new FFIError(
      `${label}: '${t.cname}' cannot be returned through a variadic call: ${refusal}, so koffi cannot return it as C does, ` +
        "and no wrapper can forward '...'; only non-variadic functions of verify() libraries return it (their wrappers pass it by pointer)",
    );
  };
}

/**
 * Makes a bound function keep its library loaded: it refers to the library's record, and so does
 * the completion of each of its `.async` calls, which koffi holds until the call returns.
 */
function keepingLoaded(fn: RawFunction, lib: Opened): RawFunction {
  Object.defineProperty(fn, KEEPS, { value: lib });
  const f = fn as RawFunction & { async?: (...args: unknown[]) => unknown };
  const koffiAsync = f.async;
  if (typeof koffiAsync === 'function') {
    f.async = function (this: unknown, ...args: unknown[]) {
      const done = args[args.length - 1] as (err: unknown, result: unknown) => void;
      args[args.length - 1] = (err: unknown, result: unknown) => {
        void lib; // in flight, the library stays loaded
        done(err, result);
      };
      return koffiAsync.apply(this, args);
    };
  }
  return fn;
}

function missing(e: unknown, name: string, where: string): FFIError {
  const msg = (e as Error).message ?? String(e);
  if (/cannot find/i.test(msg)) {
    const error = new FFIError(`symbol '${name}': not found in ${where}`);
    Object.defineProperty(error, 'missingSymbol', { value: name });
    return error;
  }
  return new FFIError(`symbol '${name}' in ${where}: ${msg}`);
}

/** Where Linux distributions keep ldconfig, which prints the dynamic linker's cache. */
const LDCONFIGS = ['/sbin/ldconfig', '/usr/sbin/ldconfig'];

/** The tag ldconfig gives this process's libraries ('libc6,x86-64'), or null where it gives none (32-bit). */
function abiTag(): string | null {
  return ({ x64: 'x86-64', arm64: 'AArch64', riscv64: 'RISC-V' } as Record<string, string>)[process.arch] ?? null;
}

/**
 * The name findLibrary() looks for in the dynamic linker's cache: `name` itself when it is a
 * library's file name ('libsqlite3.so': any version of it), else `lib<name>.so` ('m': libm.so).
 */
export function cachedName(name: string): string {
  return /^lib.*\.so$/.test(name) ? name : `lib${name}.so`;
}

/**
 * What dlopen() of a bare name ('m', 'z', 'c', 'libsqlite3.so') opens when no file has that name,
 * as CFFI does through ctypes' find_library: the library of that name (cachedName) in the dynamic
 * linker's cache built for this machine, a versioned soname ('libm.so.6') before a development
 * link ('libm.so'); null when the cache has none or cannot be read.
 */
export function findLibrary(name: string): string | null {
  if (!/^[\w.+-]+$/.test(name)) return null;
  const ldconfig = LDCONFIGS.find((f) => nodeHost.statSync(f)?.isFile());
  if (ldconfig === undefined) return null;
  const r = nodeHost.spawnSync(ldconfig, ['-p'], { timeout: 10_000 });
  if (r.status !== 0) return null;
  const tag = abiTag();
  const escaped = cachedName(name).replace(/[.+]/g, '\\$&');
  const entry = new RegExp(`^\\s+(${escaped}(\\.[\\d.]+)?) \\(([^)]*)\\)`);
  let plain: string | null = null;
  for (const line of r.stdout.split('\n')) {
    const m = entry.exec(line);
    if (m === null || (tag === null ? /64/.test(m[3]) : !m[3].split(',').includes(tag))) continue;
    if (m[2] !== undefined) return m[1];
    plain ??= m[1];
  }
  return plain;
}

export { keepingErrno }; // (calls.ts has it, for the views helper too; the facade takes it from here)

/** errno as the last C call on this thread left it / set it. */
export function getErrno(): number {
  return koffi().errno();
}

export function setErrno(value: number): void {
  koffi().errno(value);
}

/** What carries C calls here, for diagnostics (`cffi doctor`). */
export interface BackendStatus {
  /** koffi's version: koffi has just loaded the C library, so its binary works here. */
  readonly koffi: string;
  /** Whether the optional native helper is loaded, and where from or why not. */
  readonly native: { readonly loaded: boolean; readonly detail: string };
  /** The same for the views helper (views of C memory V8 does not count as its own). */
  readonly views: { readonly loaded: boolean; readonly detail: string };
}

/** Loads the C library through koffi (throws when koffi cannot) and reports koffi's version and the native helper's state. */
export function backendStatus(): BackendStatus {
  loadLibrary(null).close();
  return { koffi: koffi().version, native: { loaded: native !== null, detail: nativeStatus }, views: { loaded: views() !== null, detail: viewsStatus() } };
}
