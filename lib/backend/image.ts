// Where loaded libraries lie in the address space, from the host's list of the process's mappings: the files mapped, and one library's image.
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
