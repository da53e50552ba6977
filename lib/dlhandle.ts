// Which library a handle from C's own dlopen() stands for (ffi.dlopen(handle)): its path, found in the C library's list of loaded libraries.
import { FFIError, show } from './errors';
import type { CData } from './cdata/base';

type CFunctions = Record<string, (...args: unknown[]) => unknown>;

/** What of an FFI reads the list (the facade's class, which imports this module). */
interface Reader {
  cdef(source: string): void;
  dlopen(path: null): object;
  'new'(type: string): CData;
  cast(type: string, value: unknown): unknown;
  string(p: unknown): unknown;
  readonly RTLD_LAZY: number;
}

/** What reads the list: an FFI of its own and the C library through it, made at the first use. */
let linkMaps: { ffi: Reader; C: CFunctions } | undefined;

/** glibc's dlinfo() request for a library's entry in the list (`struct link_map *`). */
const RTLD_DI_LINKMAP = 2;

/**
 * The path C's dlopen() loaded the library of `handle` by (null: the program itself), as glibc
 * keeps it: a handle is the library's entry in the list of loaded libraries, which is walked from
 * its head, so that an address that is no such entry is refused rather than read. `make` gives
 * the FFI that reads it (the facade's class, which this module cannot import).
 */
export function libraryOfHandle(handle: CData, make: () => Reader): string | null {
  linkMaps ??= (() => {
    const ffi = make();
    ffi.cdef(`struct link_map { uintptr_t l_addr; char *l_name; void *l_ld; struct link_map *l_next, *l_prev; };
      void *dlopen(const char *, int); int dlinfo(void *, int, void *);`);
    return { ffi, C: ffi.dlopen(null) as CFunctions };
  })();
  const { ffi, C } = linkMaps;
  const head = ffi.new('struct link_map **');
  if (C.dlinfo(C.dlopen(null, ffi.RTLD_LAZY), RTLD_DI_LINKMAP, head) !== 0) throw new FFIError("ffi.dlopen(): C's dlinfo() cannot list the libraries loaded");
  const wanted = ffi.cast('uintptr_t', handle) as number | bigint;
  for (let m = head[0] as CData | null; m !== null; m = m.l_next as CData | null) {
    if (ffi.cast('uintptr_t', m) !== wanted) continue;
    const name = m.l_name === null ? '' : (ffi.string(m.l_name) as string);
    return name === '' ? null : name;
  }
  throw new FFIError(`ffi.dlopen(): ${show(handle)} 0x${wanted.toString(16)} is not a handle C's dlopen() gave for a library loaded in this process`);
}
