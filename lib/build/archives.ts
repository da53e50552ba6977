// What a link's -l options find: the names its static archives define (found before a shared library, given as objects, or added by the C library's linker script: glibc's libc_nonshared.a, atexit), and the shared library -l<name> takes.
import * as path from 'path';
import { FileStat, Host } from '../host';
import { HostTasks, Task } from '../tasks';
import { CompileArgs, FoundCompiler } from './compiler';
import { hashParts, readSmall, writeAtomic } from './files';

/*
 * A weak reference never takes a member out of an archive: the linker pulls a member in for a
 * strong undefined reference only. The code verify() adds after a source refers to a header's
 * functions weakly (a header declares what libraries may lack), so a function only a static
 * library defines stayed undefined, and looked missing. These are the names to refer to strongly.
 */

/** What an archive's symbol index holds, by path, with the file state it was read in. */
const indexes = new Map<string, { readonly state: string; readonly names: readonly string[] }>();

/** An archive's symbol index is read up to this size (libcrypto.a's is under 1 MiB). */
const INDEX_MAX = 64 * 1024 * 1024;

/**
 * The names defined by the static archives a link with `args` (compileArgs()) uses, its linker
 * searching `searchDirs` after the link's own -L directories: each -l library it finds as
 * `libX.a` before any `libX.so`, each `.a` among the objects and link arguments, and the archives
 * of the C library's linker script. An archive that cannot be read is left out (the linker then
 * says why).
 */
export function archiveDefinitions(args: CompileArgs, searchDirs: readonly string[], host: Host): Set<string> {
  const after = args.after;
  const userDirs = after.filter((a) => a.startsWith('-L')).map((a) => a.slice(2));
  const libraries = after.filter((a) => a.startsWith('-l')).map((a) => a.slice(2));
  const given = [...args.objects, ...after.filter((a) => !a.startsWith('-') && a.endsWith('.a'))];
  const out = new Set<string>();
  const dirs = [...userDirs, ...searchDirs];
  const archives = new Set<string>(given);
  for (const lib of [...libraries, 'c']) {
    const found = findLibrary(lib, dirs, host);
    if (found === null) continue;
    if (found.endsWith('.a')) archives.add(found);
    else for (const a of scriptArchives(found, host)) archives.add(a);
  }
  for (const a of archives) for (const name of symbolIndex(a, host)) out.add(name);
  return out;
}

/** The search directories read this process, by memo file. */
const dirsRead = new Map<string, { readonly identity: string; readonly dirs: readonly string[] }>();

/**
 * The directories the compiler's linker searches for -l libraries, in order (`cc
 * -print-search-dirs`; none when the compiler cannot say). Asked once per compiler binary and
 * remembered in the cache directory beside its version, so that a build found in the cache spawns nothing.
 */
export function* librarySearchDirs(found: FoundCompiler, cacheDir: string, host: Host, io: HostTasks): Task<readonly string[]> {
  const identity = hashParts(['search dirs', ...found.command, found.real, String(found.size), String(found.mtimeMs)]);
  const memo = path.join(cacheDir, `.searchdirs-${identity.slice(0, 16)}.json`);
  const known = dirsRead.get(memo);
  if (known?.identity === identity) return known.dirs;
  const saved = yield* readSmall(memo, 64 * 1024, io);
  if (typeof saved !== 'string') {
    try {
      const r = JSON.parse(saved.bytes.toString('utf8')) as { identity?: unknown; dirs?: unknown };
      if (r.identity === identity && Array.isArray(r.dirs) && r.dirs.every((d) => typeof d === 'string')) {
        dirsRead.set(memo, { identity, dirs: r.dirs as string[] });
        return r.dirs as string[];
      }
    } catch {
      // damaged: asked again
    }
  }
  const r = yield* io.spawn(found.file, [...found.command.slice(1), '-print-search-dirs'], { timeout: 10_000 });
  const line = r.status === 0 ? r.stdout.split('\n').find((l) => l.startsWith('libraries:')) : undefined;
  const dirs = line === undefined ? [] : line.slice('libraries:'.length).trim().replace(/^=/, '').split(':').filter((d) => d !== '').map((d) => path.normalize(d));
  try {
    yield* writeAtomic(cacheDir, memo, JSON.stringify({ identity, dirs }), host, io);
  } catch {
    // not remembered on disk: asked again by the next process
  }
  dirsRead.set(memo, { identity, dirs });
  return dirs;
}

/** The shared library `-l<lib>` links: the first `lib<lib>.so` in `dirs` (a development link to a versioned file, as a rule), or null. */
export function sharedLibraryFile(lib: string, dirs: readonly string[], host: Host): string | null {
  return findLibrary(lib, dirs, host, [`lib${lib}.so`]);
}

/**
 * Where the linker finds `-l<lib>`: in the first directory that has `lib<lib>.so` or `lib<lib>.a`,
 * the shared one first (as GNU ld and lld look); `-l:file` names the file. Null when none has it.
 */
function findLibrary(lib: string, dirs: readonly string[], host: Host, names = lib.startsWith(':') ? [lib.slice(1)] : [`lib${lib}.so`, `lib${lib}.a`]): string | null {
  for (const dir of dirs) {
    for (const name of names) {
      const file = path.join(dir, name);
      if (host.statSync(file)?.isFile()) return file;
    }
  }
  return null;
}

/**
 * The archives a shared library's file names when it is a linker script rather than a library
 * (glibc's libc.so: `GROUP ( /lib/.../libc.so.6 /usr/lib/.../libc_nonshared.a AS_NEEDED (...) )`).
 */
function scriptArchives(file: string, host: Host): string[] {
  let head: Buffer;
  try {
    const fd = host.openSync(file);
    try {
      head = host.readSync(fd, 4096, 0);
    } finally {
      host.closeSync(fd);
    }
  } catch {
    return [];
  }
  // An ELF file is a library; a script is text.
  if (head.length < 4 || head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return [];
  const text = head.toString('latin1').replace(/\/\*[^]*?\*\//g, ' ');
  const group = /\b(?:GROUP|INPUT)\s*\(([^]*)\)/.exec(text);
  if (group === null) return [];
  return group[1].split(/[\s(),]+/).filter((w) => w.endsWith('.a') && path.isAbsolute(w));
}

/** The names an archive's symbol index lists (GNU and System V format, 32- or 64-bit offsets; thin archives too); none when it has no index. */
function symbolIndex(file: string, host: Host): readonly string[] {
  let st: FileStat | undefined;
  try {
    st = host.statSync(file);
  } catch {
    return [];
  }
  if (!st?.isFile()) return [];
  const state = `${st.size} ${st.mtimeMs}`;
  const known = indexes.get(file);
  if (known?.state === state) return known.names;
  let names: readonly string[] = [];
  try {
    names = readIndex(file, host);
  } catch {
    names = [];
  }
  indexes.set(file, { state, names });
  return names;
}

function readIndex(file: string, host: Host): string[] {
  const fd = host.openSync(file);
  try {
    const magic = host.readSync(fd, 8 + 60, 0);
    const text = magic.toString('latin1');
    if (magic.length < 68 || (text.slice(0, 8) !== '!<arch>\n' && text.slice(0, 8) !== '!<thin>\n')) return [];
    const name = text.slice(8, 24).trimEnd();
    const wide = name === '/SYM64/';
    if (name !== '/' && !wide) return [];
    const size = Number(text.slice(56, 66).trim());
    if (!Number.isSafeInteger(size) || size <= 0 || size > INDEX_MAX) return [];
    const body = host.readSync(fd, size, 68);
    const width = wide ? 8 : 4;
    if (body.length < width) return [];
    const count = wide ? Number(body.readBigUInt64BE(0)) : body.readUInt32BE(0);
    let at = width + count * width;
    if (!Number.isSafeInteger(at) || at > body.length) return [];
    const names: string[] = [];
    for (let i = 0; i < count && at < body.length; i++) {
      const end = body.indexOf(0, at);
      const stop = end === -1 ? body.length : end;
      names.push(body.toString('latin1', at, stop));
      at = stop + 1;
    }
    return names;
  } finally {
    host.closeSync(fd);
  }
}
