// The C compiler: which one to run, its remembered version, its argument list, running it and reporting its failures.
import * as path from 'path';
import { RangeError, show, TypeError, VerificationError } from '../errors';
import { FileStat, Host, SPAWN_OUTPUT_LIMIT, isErrno } from '../host';
import { HostTasks, Task } from '../tasks';
import { hashParts, readSmall, writeAtomic } from './files';
import { withPkgconfig } from './pkgconfig';

/** How to compile, as CFFI's verify() keywords. */
export interface BuildOptions {
  /** Command name or path ('gcc', 'clang', 'tcc', '/usr/bin/cc'), possibly with words ('ccache gcc'): split on whitespace, no shell. */
  compiler?: string;
  extraCompileArgs?: readonly string[];
  extraLinkArgs?: readonly string[];
  /** ['N', '1'] gives -DN=1, ['N', null] gives -DN. */
  defineMacros?: readonly (readonly [string, string | null])[];
  includeDirs?: readonly string[];
  /** Names given to -l. */
  libraries?: readonly string[];
  /** Directories given to -L. */
  libraryDirs?: readonly string[];
  /** More C files compiled into the same library. */
  sources?: readonly string[];
  /** Macro names given to -U, after defineMacros' -D (distutils' `undef_macros`): ['NDEBUG']. */
  undefMacros?: readonly string[];
  /** Directories the library looks for its shared libraries in when it is loaded (-Wl,-rpath; distutils' `runtime_library_dirs`). */
  runtimeLibraryDirs?: readonly string[];
  /** Object files and static libraries linked into the library as they are (distutils' `extra_objects`): ['libfoo.a']. */
  extraObjects?: readonly string[];
  /** Files the build depends on besides the source and the headers it includes (distutils' `depends`): a change to one builds again. */
  depends?: readonly string[];
  /** Packages whose `pkg-config --cflags --libs` flags are added to these options (CFFI's `pkgconfig`): ['libpng']. */
  pkgconfig?: readonly string[];
  /** The cache directory to use instead of the default. */
  tmpdir?: string;
  /** Milliseconds after which the compiler is killed. */
  timeout?: number;
  /**
   * No "compiling…" line on a terminal when a compile takes more than a second (also
   * NODE_CFFI_QUIET=1 in the environment).
   */
  quiet?: boolean;
}

/** Every BuildOptions name, for checkOptions(). */
export const BUILD_OPTION_NAMES: Readonly<Record<keyof BuildOptions, true>> = {
  compiler: true, extraCompileArgs: true, extraLinkArgs: true, defineMacros: true, includeDirs: true, libraries: true,
  libraryDirs: true, sources: true, undefMacros: true, runtimeLibraryDirs: true, extraObjects: true, depends: true, pkgconfig: true,
  tmpdir: true, timeout: true, quiet: true,
};

export interface CompilerInfo {
  /** The command as given, split into words. */
  readonly command: readonly string[];
  /** The real path of the program that runs (its first word). */
  readonly path: string;
  /** First line of its version banner. */
  readonly version: string;
  readonly family: 'gcc' | 'clang' | 'tcc' | 'unknown';
}

/** A compiler found on disk, before its version is known. */
export interface FoundCompiler {
  readonly command: readonly string[];
  /** The executable as found (spawned under this name, so multi-call programs such as ccache see it). */
  readonly file: string;
  /** Its real path, symbolic links resolved. */
  readonly real: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The version probe answers at once; a compiler silent for this long is broken (options.timeout, when given, applies instead). */
const PROBE_TIMEOUT_MS = 30_000;

type Origin = 'option' | 'env' | 'default';

function originText(origin: Origin): string {
  switch (origin) {
    case 'option':
      return 'named by options.compiler';
    case 'env':
      return 'named by $CC';
    case 'default':
      return 'the default, as neither options.compiler nor $CC is set';
  }
}

function chosenCommand(options: BuildOptions, host: Host): { words: string[]; origin: Origin } {
  if (options.compiler !== undefined) {
    if (typeof options.compiler !== 'string') {
      throw new TypeError(`options.compiler: expected a string, got ${show(options.compiler)}`);
    }
    const words = options.compiler.split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) {
      throw new TypeError(`options.compiler: ${show(options.compiler)} names no program; give a compiler such as 'gcc'`);
    }
    return { words, origin: 'option' };
  }
  const words = (host.env('CC') ?? '').split(/\s+/).filter((w) => w !== '');
  return words.length > 0 ? { words, origin: 'env' } : { words: ['cc'], origin: 'default' };
}

/** Places to look for a program: the name itself when it holds a slash, else each PATH entry. */
function candidates(name: string, host: Host): string[] {
  const cwd = host.cwd();
  if (name.includes('/')) return [path.resolve(cwd, name)];
  return (host.env('PATH') ?? '').split(path.delimiter).map((dir) => path.resolve(cwd, dir, name));
}

/**
 * Where each program was last found, keyed by its candidate list (which reflects cwd, PATH and
 * name). Like a shell's command hash, it lets a warm build stat one file instead of all of PATH;
 * a program that later appears earlier on PATH is noticed once the remembered one is gone.
 */
const lastFound = new Map<string, string>();

/** Real paths of compilers found, by file, size and mtime (the target a link resolves to shows in both). */
const realPaths = new Map<string, string>();

function* executable(file: string, io: HostTasks): Task<FileStat | undefined> {
  let st;
  try {
    st = yield* io.stat(file);
  } catch (e) {
    if (isErrno(e, 'ENOTDIR') || isErrno(e, 'EACCES')) return undefined;
    throw e;
  }
  return st && st.isFile() && (st.mode & 0o111) !== 0 ? st : undefined;
}

/** Finds the compiler from options.compiler, else $CC, else 'cc', by looking at each candidate file. */
export function* findCompiler(options: BuildOptions, host: Host, io: HostTasks): Task<FoundCompiler> {
  const { words, origin } = chosenCommand(options, host);
  const list = candidates(words[0], host);
  const memoKey = list.join('\0');
  const known = lastFound.get(memoKey);
  for (const file of known === undefined ? list : [known, ...list]) {
    const st = yield* executable(file, io);
    if (st) {
      lastFound.set(memoKey, file);
      const stamp = `${file}\0${st.size}\0${st.mtimeMs}`;
      let real = realPaths.get(stamp);
      if (real === undefined) realPaths.set(stamp, (real = yield* io.realpath(file)));
      return { command: words, file, real, size: st.size, mtimeMs: st.mtimeMs };
    }
  }
  const where = words[0].includes('/') ? 'does not exist or is not executable' : 'is not on PATH';
  throw new VerificationError(
    `verify(): the C compiler '${words[0]}' ${where} (${originText(origin)}); ` +
      `install a C compiler (gcc, clang or tcc), or name one with options.compiler or $CC`,
  );
}

function familyOf(banner: string): CompilerInfo['family'] {
  if (/clang/i.test(banner)) return 'clang';
  if (/\btcc\b/i.test(banner)) return 'tcc';
  if (/\bgcc\b|free software foundation/i.test(banner)) return 'gcc';
  return 'unknown';
}

/** The remembered-version files this process has read or written, by path: a warm build reads none. */
const probed = new Map<string, Remembered>();

interface Remembered {
  readonly identity: string;
  readonly info: CompilerInfo;
}

/**
 * The compiler's version and family. Probed once per command and binary (real path, size, mtime) and
 * remembered in the cache directory, so that a build whose library is cached spawns nothing. The
 * probe, like every compiler run, is killed after `timeout` ms when given.
 */
export function* compilerInfo(found: FoundCompiler, cacheDir: string, timeout: number | undefined, host: Host, io: HostTasks): Task<CompilerInfo> {
  const identity = hashParts(['compiler', ...found.command, found.real, String(found.size), String(found.mtimeMs)]);
  const memo = path.join(cacheDir, `.compiler-${identity.slice(0, 16)}.json`);
  const known = probed.get(memo);
  if (known?.identity === identity) return known.info;
  const saved = yield* readRemembered(memo, io);
  if (saved?.identity === identity) {
    probed.set(memo, saved);
    return saved.info;
  }
  const info = yield* probe(found, timeout, io);
  const remembered: Remembered = { identity, info };
  yield* writeAtomic(cacheDir, memo, JSON.stringify(remembered), host, io);
  probed.set(memo, remembered);
  return info;
}

/** The remembered version at `memo`; undefined when missing or damaged (not a small regular file of the right shape). */
function* readRemembered(memo: string, io: HostTasks): Task<Remembered | undefined> {
  const read = yield* readSmall(memo, 64 * 1024, io);
  if (typeof read === 'string') return undefined;
  try {
    const r = JSON.parse(read.bytes.toString('utf8')) as Partial<Remembered> | null;
    const info = r?.info as Partial<CompilerInfo> | undefined;
    const ok = typeof r?.identity === 'string' && typeof info === 'object' && info !== null && Array.isArray(info.command) &&
      typeof info.path === 'string' && typeof info.version === 'string' && typeof info.family === 'string';
    return ok ? (r as Remembered) : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the compiler for its banner: `--version`, or `-v` for tcc. */
function* probe(found: FoundCompiler, timeout: number | undefined, io: HostTasks): Task<CompilerInfo> {
  const tcc = /tcc/.test(path.basename(found.real)) || /tcc/.test(path.basename(found.command[0]));
  const flag = tcc ? '-v' : '--version';
  const name = found.command.join(' ');
  const limit = timeout ?? PROBE_TIMEOUT_MS;
  const r = yield* io.spawn(found.file, [...found.command.slice(1), flag], { timeout: limit });
  if (r.error) {
    throw new VerificationError(`verify(): could not start the C compiler '${name}' (${found.file}): ${r.error.message}`);
  }
  if (r.timedOut) {
    throw new VerificationError(
      `verify(): the C compiler '${name}' did not answer ${flag} within ${limit} ms ` +
        `(${timeout === undefined ? 'the limit for the version probe' : 'options.timeout'}); check that it is a C compiler`,
    );
  }
  const banner = `${r.stdout}\n${r.stderr}`;
  const first = banner.split('\n').map((l) => l.trim()).find((l) => l !== '');
  return { command: found.command, path: found.real, version: first ?? 'unknown', family: familyOf(banner) };
}

function stringList(value: unknown, name: string, nonEmpty: boolean): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`options.${name}: expected an array of strings, got ${show(value)}`);
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'string' || (nonEmpty && v === '')) {
      throw new TypeError(`options.${name}[${i}]: expected a ${nonEmpty ? 'non-empty ' : ''}string, got ${show(v)}`);
    }
  });
  return value as string[];
}

/** A macro name, optionally with a parameter list as gcc accepts it ('MAX(a,b)'). */
const MACRO_NAME = /^[A-Za-z_]\w*(\([^()]*\))?$/;

function defineArgs(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`options.defineMacros: expected an array of [name, value] pairs, got ${show(value)}`);
  return value.map((pair: unknown, i) => {
    const where = `options.defineMacros[${i}]`;
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError(`${where}: expected a [name, value] pair, got ${show(pair)}`);
    const [name, val] = pair as unknown[];
    if (typeof name !== 'string' || !MACRO_NAME.test(name)) {
      throw new TypeError(`${where}: the macro name ${show(name)} is not a C identifier`);
    }
    if (val !== null && typeof val !== 'string') throw new TypeError(`${where}: the value must be a string or null, got ${show(val)}`);
    return val === null ? `-D${name}` : `-D${name}=${val}`;
  });
}

/**
 * `_GNU_SOURCE`, defined as CFFI's builds have it (Python.h, which CFFI's C includes first,
 * defines it through pyconfig.h): the C library's extensions (`asprintf`, `memmem`, `qsort_r`…)
 * declared whatever the source defines, since the standard headers verify() puts before the source
 * have fixed the feature set before its first line (a source's own `#define _GNU_SOURCE` would come
 * too late). Defined empty, so that a source's `#define _GNU_SOURCE` is the same definition and
 * draws no warning; left to the caller when its arguments define or undefine it (`-U_GNU_SOURCE`).
 */
function featureArgs(args: readonly string[]): string[] {
  return args.some((a) => /^(?:-[DU])?_GNU_SOURCE(?:=|$)/.test(a)) ? [] : ['-D_GNU_SOURCE='];
}

/**
 * The definitions a build makes that a C file built elsewhere must make itself (ffi.emitCCode()):
 * `_GNU_SOURCE` (see featureArgs), as lines to put first, or '' when the options leave it to the caller.
 */
export function featureLines(options: BuildOptions): string {
  return featureArgs(callerArgs(options)).length > 0 ? '#ifndef _GNU_SOURCE\n#define _GNU_SOURCE\n#endif\n' : '';
}

/** The caller's own compile arguments: options.extraCompileArgs, then options.defineMacros as -D and options.undefMacros as -U. */
function callerArgs(options: BuildOptions): string[] {
  return [...stringList(options.extraCompileArgs, 'extraCompileArgs', false), ...defineArgs(options.defineMacros), ...undefArgs(options.undefMacros)];
}

function undefArgs(value: unknown): string[] {
  return stringList(value, 'undefMacros', true).map((name, i) => {
    if (!/^[A-Za-z_]\w*$/.test(name)) throw new TypeError(`options.undefMacros[${i}]: the macro name ${show(name)} is not a C identifier`);
    return `-U${name}`;
  });
}

/** The extensions gcc and clang read as C++ (what CFFI's source_extension='.cpp' asks for). */
const CXX_EXTENSION = /\.(?:cpp|cc|cxx|c\+\+|C|CPP|cp)$/;

/** True for a file named as C++ ('geometry.cpp', 'x.cc'): the compiler reads it, and verify() builds its unit, as C++. */
export const isCxxFile = (name: string): boolean => CXX_EXTENSION.test(name);

/** The compiler's arguments around `-o <out> <file>`; paths are absolute, as the compiler runs elsewhere. */
export interface CompileArgs {
  readonly before: readonly string[];
  /** More C files to compile. */
  readonly sources: readonly string[];
  /** Object files and static libraries, linked as they are after the sources. */
  readonly objects: readonly string[];
  readonly after: readonly string[];
  /** Files whose content the build depends on but the compiler is not given. */
  readonly depends: readonly string[];
}

/**
 * Checks the options and turns them into arguments: later flags win, so the user's -O0 beats our
 * -O3. A C++ unit (`cxx`) gets no `_GNU_SOURCE` (g++ and clang++ define it themselves) and links
 * the C++ library, which a C compiler's driver (`cc`) leaves out.
 */
export function compileArgs(given: BuildOptions, host: Host, cxx = false): CompileArgs {
  const options = withPkgconfig(given, host);
  const abs = (p: string): string => path.resolve(host.cwd(), p);
  const caller = callerArgs(options);
  return {
    before: [
      '-shared',
      '-fPIC',
      '-O3',
      ...(cxx ? [] : featureArgs(caller)),
      ...caller,
      ...stringList(options.includeDirs, 'includeDirs', true).map((d) => `-I${abs(d)}`),
    ],
    sources: stringList(options.sources, 'sources', true).map(abs),
    objects: stringList(options.extraObjects, 'extraObjects', true).map(abs),
    after: [
      // A library's calls to its own functions stay inside it, even when the process (node exports
      // some 75,000 symbols: main, crc32, compress…) defines a function of the same name.
      '-Wl,-Bsymbolic',
      ...stringList(options.libraryDirs, 'libraryDirs', true).map((d) => `-L${abs(d)}`),
      ...stringList(options.runtimeLibraryDirs, 'runtimeLibraryDirs', true).map((d) => `-Wl,-rpath,${abs(d)}`),
      ...stringList(options.libraries, 'libraries', true).map((l) => `-l${l}`),
      ...stringList(options.extraLinkArgs, 'extraLinkArgs', false),
      ...(cxx ? ['-lstdc++'] : []),
    ],
    depends: stringList(options.depends, 'depends', true).map(abs),
  };
}

/** Checks options.timeout; undefined means no limit. */
export function timeoutOf(options: BuildOptions): number | undefined {
  const t = options.timeout;
  if (t === undefined) return undefined;
  if (typeof t !== 'number' || !(t > 0) || !Number.isFinite(t)) {
    throw new RangeError(`options.timeout: expected a positive number of milliseconds, got ${show(t)}`);
  }
  return t;
}

/** Removes the private directory from compiler output, leaving the rest as the compiler wrote it. */
export function scrubPaths(text: string, dirs: readonly string[]): string {
  let out = text;
  for (const dir of [...new Set(dirs)].sort((a, b) => b.length - a.length)) {
    out = out.split(`${dir}${path.sep}`).join('').split(dir).join('.');
  }
  return out;
}

/**
 * Flags that make gcc build the same library in less time, put before all others: `-pipe` (the
 * assembler reads the compiler's output as it comes, instead of a temporary file written and read
 * back), and `-fno-canonical-system-headers` (gcc otherwise resolves every directory of every
 * system header's path, a readlink each: some thousand for the six standard headers of the
 * prelude). Neither changes the code built nor which headers the dependency list names (the
 * second only how a system header's path may be spelled: as its include directory names it), so
 * neither is part of the cache key. None for other compilers (clang refuses the second, tcc
 * assembles in process), nor `-pipe` with `-save-temps`, which gcc ignores it for with a warning.
 */
export function quickerArgs(family: CompilerInfo['family'], args: CompileArgs): string[] {
  if (family !== 'gcc') return [];
  const saveTemps = [...args.before, ...args.after].some((a) => a.startsWith('-save-temps'));
  return [...(saveTemps ? [] : ['-pipe']), '-fno-canonical-system-headers'];
}

/** One compilation in a private directory `work` (its real path `realWork`), writing `out` there. */
export interface Compilation {
  readonly compiler: FoundCompiler;
  /** The compiler's family, for the flags that make it quicker (see quickerArgs). */
  readonly family: CompilerInfo['family'];
  readonly args: CompileArgs;
  readonly fileName: string;
  readonly out: string;
  readonly work: string;
  readonly realWork: string;
  readonly timeout: number | undefined;
  /** A line for standard error if the compile runs longer than a second (undefined: say nothing). */
  readonly notice?: string;
}

/** A compile running longer than this says so on a terminal. */
const NOTICE_AFTER_MS = 1000;

/**
 * The "compiling…" line for a compile of `what`, or undefined where it must say nothing: standard
 * error is not a terminal, options.quiet is set, or NODE_CFFI_QUIET is (to anything but '' and '0').
 */
export function compileNotice(options: BuildOptions, what: string, host: Host): string | undefined {
  if (options.quiet !== undefined && typeof options.quiet !== 'boolean') {
    throw new TypeError(`options.quiet: expected true or false, got ${show(options.quiet)}`);
  }
  const env = host.env('NODE_CFFI_QUIET');
  if (options.quiet === true || (env !== undefined && env !== '' && env !== '0') || !host.isTerminal('stderr')) return undefined;
  return `node-cffi: compiling ${what}…`;
}

/** The dependency list the compiler writes into the private work directory. */
export const DEPS_FILE = 'deps.d';

/**
 * The headers a make-style dependency list names outside the system's directories ('/usr/…'),
 * resolved against `work` (the compiler's working directory); `skip` (the source itself) is left out.
 */
export function userDependencies(depsText: string, work: string, skip: readonly string[]): string[] {
  const words = depsText
    .replace(/\\\r?\n/g, ' ')
    .split(/(?<!\\)\s+/)
    .map((w) => w.replace(/\\ /g, ' '))
    .filter((w) => w !== '' && !w.endsWith(':'));
  const files = words.map((w) => path.resolve(work, w));
  const excluded = new Set(skip.map((f) => path.resolve(work, f)));
  return [...new Set(files)].filter((f) => !excluded.has(f) && !f.startsWith('/usr/'));
}

/** A file name as an argument that no compiler takes for an option: './-x.c' for '-x.c'. */
export function fileArgument(name: string): string {
  return name.startsWith('-') ? `./${name}` : name;
}

/** How much of an overflowing output an error shows. */
const OVERFLOW_SHOWN = 64 * 1024;

/** The compiler wrote more than the host collects: say so, with the beginning of it, not all of it. */
function overflowError(name: string, r: { stdout: string; stderr: string }, dirs: readonly string[]): VerificationError {
  const head = scrubPaths((r.stderr + r.stdout).slice(0, OVERFLOW_SHOWN), dirs);
  return new VerificationError(
    `verify(): the C compiler wrote more than ${SPAWN_OUTPUT_LIMIT / 2 ** 20} MiB of output, so ${name} was stopped; ` +
      `its first ${OVERFLOW_SHOWN / 1024} KiB follow (fix the first errors, or silence warnings with -w in options.extraCompileArgs):\n${head}`,
    head,
  );
}

/**
 * Runs the compiler; any failure becomes a VerificationError carrying the diagnostics. On success,
 * returns what the compiler wrote (its warnings; '' when it wrote nothing), private paths removed.
 */
export function* runCompiler(c: Compilation, io: HostTasks): Task<string> {
  const { before, sources, objects, after } = c.args;
  // -MD -MF: the compiler lists the headers it read, so that a changed one is noticed later.
  const args = [
    ...c.compiler.command.slice(1), ...quickerArgs(c.family, c.args), ...before, '-MD', '-MF', DEPS_FILE, '-o', c.out, fileArgument(c.fileName), ...sources, ...objects, ...after,
  ];
  // TMPDIR sends the compiler's own temporaries (named in linker messages) into the private directory too.
  const notice = c.notice === undefined ? undefined : { afterMs: NOTICE_AFTER_MS, text: c.notice };
  const r = yield* io.spawn(c.compiler.file, args, { cwd: c.work, extraEnv: { TMPDIR: c.work }, timeout: c.timeout, notice });
  if (r.overflowed) throw overflowError(c.compiler.command.join(' '), r, [c.work, c.realWork]);
  const diagnostics = scrubPaths(r.stdout + r.stderr, [c.work, c.realWork]);
  const name = c.compiler.command.join(' ');
  const withDiagnostics = (head: string): never => {
    throw new VerificationError(diagnostics.trim() === '' ? head : `${head}:\n${diagnostics}`, diagnostics);
  };
  if (r.error) withDiagnostics(`verify(): could not start the C compiler '${name}' (${c.compiler.file}): ${r.error.message}`);
  if (r.timedOut) {
    withDiagnostics(
      `verify(): the C compiler timed out (${name} was killed after ${c.timeout} ms); raise options.timeout or reduce the source`,
    );
  }
  if (r.signal !== null) withDiagnostics(`verify(): the C compiler failed (${name} was killed by signal ${r.signal})`);
  if (r.status !== 0) {
    const refusal = new VerificationError(`verify(): the C compiler failed (${name} exited with status ${r.status}):\n${diagnostics}`, diagnostics);
    refusals.add(refusal);
    throw refusal;
  }
  return diagnostics.trim() === '' ? '' : diagnostics;
}

/** The errors of compiles the compiler ran to the end and refused (see isRefusal). */
const refusals = new WeakSet<Error>();

/**
 * Whether `e` is runCompiler()'s error for a compile the compiler ran to its end and refused, with
 * an exit status: what the same unit, compiler and files would give again. Not a timeout, a
 * signal, a compiler that did not start, or output past the limit.
 */
export const isRefusal = (e: unknown): e is VerificationError => e instanceof VerificationError && refusals.has(e);
