// Why the dynamic linker refused a library, in words: a library it needs that it does not find, or a file that is no library (a static archive, a linker script).
import { nodeHost } from '../host';

/**
 * The library a dlopen() error says the dynamic linker did not find among those `file` needs
 * ('libfoo.so.1: cannot open shared object file'); null when the error is about `file` itself or
 * about anything else.
 */
export function missingDependency(e: unknown, file: string | null): string | null {
  const m = e instanceof Error ? /:\s*([^\s:/]+\.so[.\d]*): cannot open shared object file/.exec(e.message) : null;
  if (m === null || (file !== null && file.slice(file.lastIndexOf('/') + 1) === m[1])) return null;
  return m[1];
}

/**
 * What `file` is when dlopen() refused it as no ELF file: a static library (an ar archive) or a
 * linker script (glibc's libc.so), with what to do; null for anything else.
 */
export function notAnElfLibrary(e: unknown, file: string | null): string | null {
  if (file === null || !(e instanceof Error) || !/invalid ELF header|file too short/.test(e.message)) return null;
  let text: string;
  try {
    // An error path: the whole file (an archive's size), of which the start says what it is.
    text = nodeHost.readFileSync(file).toString('latin1', 0, 512);
  } catch {
    return null;
  }
  if (text.startsWith('!<arch>\n') || text.startsWith('!<thin>\n')) {
    return `${file} is a static library (an ar archive), which a link takes in and dlopen() cannot load; ` +
      `build a library with it: ffi.verify(source, { extraObjects: ['${file}'] }), or libraries and libraryDirs as for -l`;
  }
  const group = /\b(?:GROUP|INPUT)\s*\(\s*([^\s()]+)/.exec(text.replace(/\/\*[^]*?\*\//g, ' '));
  if (group !== null) return `${file} is a linker script (text the linker reads), not a library; ffi.dlopen() the library it names (${group[1]})`;
  return null;
}
