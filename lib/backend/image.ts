// Where loaded libraries lie in the address space, from the host's list of the process's mappings: the files mapped, one library's image, and whether an address can hold code.
import { nodeHost } from '../host';

/** The files mapped into this process right now (shared libraries, the executable), by the path the kernel reports. */
export function mappedFiles(): Set<string> {
  const files = new Set<string>();
  for (const m of nodeHost.mappings()) if (m.file !== null) files.add(m.file);
  return files;
}

/**
 * The address ranges of the library loaded from `path`, [start, end) pairs: each mapping of its
 * file, and the anonymous mapping that follows its writable data when it starts where the data
 * ends (the zeroed data, .bss, past the file's last page). Empty when the file is not found mapped
 * (or for the process itself, `path` null).
 */
export function imageOf(path: string | null): number[] {
  if (path === null) return [];
  const isFile = fileNamed(path);
  const maps = nodeHost.mappings();
  const out: number[] = [];
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i];
    if (m.file === null || !isFile(m.file)) continue;
    out.push(m.start, m.end);
    const next = maps[i + 1];
    if (m.writable && next !== undefined && next.file === null && next.writable && next.start === m.end) out.push(next.start, next.end);
  }
  return out;
}

/**
 * Whether a mapped file is the library dlopen() was given `name` for: the same file for a path, or
 * for a bare name (found through the linker's cache) a file of that name or of a version of it.
 */
export function fileNamed(name: string): (file: string) => boolean {
  if (name.includes('/')) {
    let real = name;
    try {
      real = nodeHost.realpathSync(name);
    } catch {
      // compared as given
    }
    return (file) => file === real || file === name;
  }
  return (file) => {
    const base = file.slice(file.lastIndexOf('/') + 1);
    return base === name || base.startsWith(`${name}.`);
  };
}

/** Whether `address` is in one of `ranges` ([start, end) pairs in address order, as the kernel lists mappings). */
export function inRanges(ranges: readonly number[], address: number): boolean {
  if (address < ranges[0] || address >= ranges[ranges.length - 1]) return false;
  for (let i = 0; i < ranges.length; i += 2) if (address >= ranges[i] && address < ranges[i + 1]) return true;
  return false;
}

/** The process's executable mappings as last read, [start, end) pairs; null when they are to be read again. */
let code: number[] | null = null;

/**
 * Whether machine code can lie at `address`: an executable mapping of the process holds it. The
 * mappings read last answer first; when they say no, they are read again (code mapped since).
 * True where the platform does not list its mappings.
 */
export function isCode(address: number): boolean {
  if (code !== null && code.length > 0 && inRanges(code, address)) return true;
  code = [];
  for (const m of nodeHost.mappings()) if (m.executable) code.push(m.start, m.end);
  return code.length === 0 || inRanges(code, address);
}

/** How many times the executable mappings were forgotten: an address found code stays code until this changes. */
export let codeEpoch = 0;

/** Forgets the executable mappings read last: a library was unloaded, and its code with it. */
export function forgetCode(): void {
  code = null;
  codeEpoch++;
}
