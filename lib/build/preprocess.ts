// The C preprocessor's view of a source as a build would see it, and results derived from it, remembered in the cache by content and headers.
import * as path from 'path';
import { VerificationError } from '../errors';
import { Host, SPAWN_OUTPUT_LIMIT, nodeHost } from '../host';
import { hostTasks, runSync } from '../tasks';
import { packageVersion } from '../package';
import { cacheDirectory, ensureCacheDir } from './cache';
import { BuildOptions, compileArgs, compilerInfo, findCompiler, scrubPaths, timeoutOf } from './compiler';
import { hashParts, tempPrefix, writeAtomic } from './files';
import { Recalled, memoText, recall, stampOf } from './memo';

export interface PreprocessOptions extends BuildOptions {
  /** The name the source goes by in line markers and diagnostics (default 'source.c'). */
  readonly filename?: string;
}

/** What a derivation is given: the preprocessor's output, and the include directories it searched. */
export interface Preprocessed {
  /** The output of `-E -dD`: line markers, macro definitions and the declarations of the source and its headers. */
  readonly output: string;
  /** options.includeDirs made absolute, as the line markers name the headers found there. */
  readonly includeDirs: readonly string[];
}

/** A result computed from a preprocessed source (see preprocess). */
export interface Derivation<T> {
  /** Who asks, for messages ('cc()'). */
  readonly where: string;
  /** Names the result in its cache file ('.<name>-<key>.json'): letters, digits and '-'. */
  readonly name: string;
  /** The rest of what decides the result besides the source, the compiler and its arguments (a version of the derivation, say). */
  readonly keyParts: readonly string[];
  /** The result, and the files it depends on: a later change to one of them (absolute paths) makes it stale. */
  derive(p: Preprocessed): { readonly value: T; readonly files: readonly string[] };
  /**
   * The result depends on nothing but the preprocessor's output (and the key parts): it is also
   * remembered under the output's content hash, so that a header touched, reinstalled unchanged
   * or reached with other options that change nothing costs one preprocessor run, not a derivation.
   */
  readonly byContent?: boolean;
}

/** A derived value, with a hash of the files it depends on as they were (path, size, modification time). */
export type Derived<T> = Recalled<T>;

/**
 * Runs the C preprocessor over `source` as a build with `options` would (the same compiler, defines
 * and include directories, with `-E -dD`) and returns what `derivation` makes of its output. The
 * value is remembered in the cache directory: a later call with the same source, options, compiler
 * and derivation reads it back, and only checks that none of its files changed.
 */
export function preprocess<T>(source: string, options: PreprocessOptions, derivation: Derivation<T>, host: Host = nodeHost): Derived<T> {
  const io = hostTasks(host);
  const filename = options.filename ?? 'source.c';
  const dir = cacheDirectory(options, host);
  runSync(ensureCacheDir(dir, derivation.where, host, io));
  const found = runSync(findCompiler(options, host, io));
  const info = runSync(compilerInfo(found, dir, timeoutOf(options), host, io));
  const args = [...compileArgs(options, host).before.filter((a) => a !== '-shared'), '-E', '-dD'];
  const key = hashParts([
    derivation.name, ...derivation.keyParts, packageVersion, info.path, info.version, ...found.command, filename,
    String(args.length), ...args, source,
  ]);
  const memo = path.join(dir, `.${derivation.name}-${key.slice(0, 32)}.json`);
  const known = recall<T>(memo, key, host);
  if (known) return known;

  const output = needsPreprocessor(source, options)
    ? run(source, filename, { program: found.file, args: [...found.command.slice(1), ...args], name: found.command.join(' ') }, options, dir, derivation.where, host)
    : `# 1 "${quoteFile(filename)}"\n${source}\n`;
  const includeDirs = (Array.isArray(options.includeDirs) ? options.includeDirs : []).map((d) => path.resolve(host.cwd(), d));
  const contentKey = derivation.byContent ? hashParts([derivation.name, ...derivation.keyParts, packageVersion, 'content', output]) : '';
  const contentMemo = path.join(dir, `.${derivation.name}-c${contentKey.slice(0, 32)}.json`);
  const byContent = derivation.byContent ? recall<{ value: T; files: string[] }>(contentMemo, contentKey, host)?.value : undefined;
  const { value, files } = byContent ?? derivation.derive({ output, includeDirs });
  const stamps = files.filter((f) => path.isAbsolute(f)).flatMap((f) => stampOf(f, host));
  // The value is written into both memos as one JSON text, made once (a header's is hundreds of KiB).
  const valueText = JSON.stringify(value);
  runSync(writeAtomic(dir, memo, memoText(key, stamps, valueText), host, io));
  if (derivation.byContent && !byContent) {
    runSync(writeAtomic(dir, contentMemo, memoText(contentKey, [], `{"value":${valueText},"files":${JSON.stringify(files)}}`), host, io));
  }
  return { value, files: hashParts(stamps.flat().map(String)) };
}

const quoteFile = (name: string): string => name.replace(/[\\"]/g, '\\$&');

/**
 * A source without directives needs no preprocessor run (which costs a process): nothing in it
 * can change unless a macro comes from the command line.
 */
function needsPreprocessor(source: string, options: PreprocessOptions): boolean {
  const defines = (options.defineMacros?.length ?? 0) > 0 || (options.extraCompileArgs ?? []).some((a) => /^-[DU]/.test(a));
  return defines || /^[ \t]*(#|%:)/m.test(source) || source.includes('_Pragma') || source.includes('\\\n');
}

/** How to run the preprocessor: the program, its arguments before the file (ending with -E -dD), its name for messages. */
interface Preprocessor {
  readonly program: string;
  readonly args: readonly string[];
  readonly name: string;
}

/**
 * The file the source is written to for the preprocessor. Its #line first line names the source
 * as the user knows it; the file itself has another name, so that a compiler quoting source
 * lines in a diagnostic finds none to quote rather than quoting this file's, one line off.
 */
const SOURCE_COPY = 'node-cffi-source.c';

/** Headers of the C++ standard library, which have no '.h' and which no C compiler's include path holds. */
const CXX_HEADERS = new Set([
  'algorithm', 'array', 'atomic', 'bitset', 'cassert', 'cctype', 'cerrno', 'cfloat', 'chrono', 'climits', 'cmath', 'complex', 'cstdarg',
  'cstddef', 'cstdint', 'cstdio', 'cstdlib', 'cstring', 'ctime', 'deque', 'exception', 'fstream', 'functional', 'iomanip', 'ios', 'iosfwd',
  'iostream', 'istream', 'iterator', 'limits', 'list', 'map', 'memory', 'mutex', 'new', 'numeric', 'optional', 'ostream', 'set', 'sstream',
  'stdexcept', 'streambuf', 'string', 'string_view', 'thread', 'tuple', 'type_traits', 'typeinfo', 'unordered_map', 'unordered_set',
  'utility', 'variant', 'vector',
]);

/**
 * What to say after a preprocessor's diagnostics that name a missing header of the C++ standard
 * library: the header read is C++ (cursesw.h includes <iostream>, gmpxx.h <iosfwd>), and the
 * path a C compiler searches has none of C++'s headers. '' otherwise.
 */
function cxxHint(diagnostics: string): string {
  // gcc's, clang's and tcc's words for a header not found.
  const m = /fatal error: (\w+): No such file or directory|fatal error: '(\w+)' file not found|include file '(\w+)' not found/.exec(diagnostics);
  const missing = m === null ? undefined : (m[1] ?? m[2] ?? m[3]);
  if (missing === undefined || !CXX_HEADERS.has(missing)) return '';
  return `\n<${missing}> is a header of the C++ standard library: what was read is C++, which the C preprocessor cannot read and cdef cannot declare; ` +
    "read the library's C header instead, or declare the functions it exports with extern \"C\" in a cdef";
}

/** The preprocessor's output for the source, written in a private directory. */
function run(source: string, filename: string, cpp: Preprocessor, options: PreprocessOptions, dir: string, where: string, host: Host): string {
  const work = host.mkdtempSync(tempPrefix(dir, host));
  try {
    host.writeFileSync(path.join(work, SOURCE_COPY), `#line 1 "${quoteFile(filename)}"\n${source}\n`);
    const r = host.spawnSync(cpp.program, [...cpp.args, SOURCE_COPY], { cwd: work, timeout: timeoutOf(options) });
    const diagnostics = scrubPaths(r.stderr, [work, host.realpathSync(work)]);
    if (r.overflowed) {
      throw new VerificationError(
        `${where}: the C preprocessor wrote more than ${SPAWN_OUTPUT_LIMIT / 2 ** 20} MiB of output, so ${cpp.name} was stopped; ` +
          'include fewer headers, or read the declarations you need from a smaller source',
      );
    }
    if (r.error) throw new VerificationError(`${where}: could not start the C preprocessor '${cpp.name}' (${cpp.program}): ${r.error.message}`);
    if (r.timedOut || r.status !== 0) {
      const how = r.timedOut ? `was killed after ${options.timeout} ms` : `exited with status ${r.status ?? r.signal}`;
      throw new VerificationError(`${where}: the C preprocessor failed (${cpp.name} ${how}):\n${diagnostics}${cxxHint(diagnostics)}`, diagnostics);
    }
    return r.stdout;
  } finally {
    host.rmSync(work);
  }
}

