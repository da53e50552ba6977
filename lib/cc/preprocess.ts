// Runs the C preprocessor over a cc() source and remembers what the extractor made of it, keyed by content and headers.
import * as path from 'path';
import { VerificationError } from '../errors';
import { Host, hostTasks, isErrno, nodeHost, runSync } from '../host';
import { packageVersion } from '../package';
import { cacheDirectory, ensureCacheDir, hashParts, tempPrefix, writeAtomic } from '../build/cache';
import { BuildOptions, compileArgs, compilerInfo, findCompiler, scrubPaths, timeoutOf } from '../build/compiler';
import { Extracted, extractDeclarations } from './extract';

/** Bumped whenever the extractor's output for the same input changes. */
const EXTRACTOR_VERSION = '2';

export interface PreprocessOptions extends BuildOptions {
  /** The name the source goes by in line markers and diagnostics (default 'source.c'). */
  readonly filename?: string;
}

export interface ExtractedSource extends Extracted {
  /** A hash of every header the source included (path, size, modification time). */
  readonly headers: string;
}

/** One header as it was when the source was preprocessed. */
type Stamp = readonly [file: string, size: number, mtimeMs: number];

interface Remembered {
  readonly key: string;
  readonly stamps: readonly Stamp[];
  readonly extracted: Extracted;
}

/** The file names whose declarations are the user's: the source's own name and those its #line directives give. */
export function userFileNames(source: string, filename: string): string[] {
  const names = new Set([filename]);
  for (const m of source.matchAll(/^[ \t]*#[ \t]*line[ \t]+\d+[ \t]+"((?:[^"\\\n]|\\.)*)"/gm)) names.add(m[1].replace(/\\(.)/g, '$1'));
  return [...names];
}

/**
 * The declarations of `source` (see extractDeclarations), preprocessed with the compiler, defines
 * and include directories a build with `options` uses. Remembered in the cache directory: a second
 * call with the same source, options and compiler only checks that no included header changed.
 */
export function extractSource(source: string, options: PreprocessOptions, host: Host = nodeHost): ExtractedSource {
  const io = hostTasks(host);
  const filename = options.filename ?? 'source.c';
  const dir = cacheDirectory(options, host);
  runSync(ensureCacheDir(dir, 'cc()', host, io));
  const found = runSync(findCompiler(options, host, io));
  const info = runSync(compilerInfo(found, dir, host, io));
  const args = [...compileArgs(options, host).before.filter((a) => a !== '-shared'), '-E', '-dD'];
  const externals = (options.sources?.length ?? 0) > 0 || (options.libraries?.length ?? 0) > 0;
  const key = hashParts([
    'cc-extract', EXTRACTOR_VERSION, packageVersion, info.path, info.version, ...found.command, filename,
    String(args.length), ...args, externals ? 'externals' : 'own', source,
  ]);
  const memo = path.join(dir, `.cc-${key.slice(0, 32)}.json`);
  const known = recall(memo, key, host);
  if (known) return known;

  const output = needsPreprocessor(source, options)
    ? preprocess(source, filename, { program: found.file, args: [...found.command.slice(1), ...args], name: found.command.join(' ') }, options, dir, host)
    : `# 1 "${quoteFile(filename)}"\n${source}\n`;
  const extracted = extractDeclarations(output, {
    userFiles: userFileNames(source, filename),
    userDirs: userDirectories(options, host),
    externals,
  });
  const stamps = extracted.files.filter((f) => path.isAbsolute(f)).flatMap((f) => stampOf(f, host));
  runSync(writeAtomic(dir, memo, JSON.stringify({ key, stamps, extracted } satisfies Remembered), host, io));
  return { ...extracted, headers: hashParts(stamps.flat().map(String)) };
}

/** The system's own header directories: given with -I, they do not make the C library the user's. */
const SYSTEM_DIRS = new Set(['/usr/include', '/usr/local/include']);

/** The include directories the user gave, absolute as the preprocessor prints the headers it finds there. */
function userDirectories(options: PreprocessOptions, host: Host): string[] {
  const dirs = Array.isArray(options.includeDirs) ? options.includeDirs : [];
  return dirs.map((d) => path.resolve(host.cwd(), d)).filter((d) => !SYSTEM_DIRS.has(d.replace(/\/+$/, '')));
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

/** The preprocessor's output for the source, written in a private directory. */
function preprocess(source: string, filename: string, cpp: Preprocessor, options: PreprocessOptions, dir: string, host: Host): string {
  const work = host.mkdtempSync(tempPrefix(dir, host));
  try {
    host.writeFileSync(path.join(work, SOURCE_COPY), `#line 1 "${quoteFile(filename)}"\n${source}\n`);
    const r = host.spawnSync(cpp.program, [...cpp.args, SOURCE_COPY], { cwd: work, timeout: timeoutOf(options) });
    const diagnostics = scrubPaths(r.stderr, [work, host.realpathSync(work)]);
    if (r.error) throw new VerificationError(`cc(): could not start the C preprocessor '${cpp.name}' (${cpp.program}): ${r.error.message}`);
    if (r.timedOut || r.status !== 0) {
      const how = r.timedOut ? `was killed after ${options.timeout} ms` : `exited with status ${r.status ?? r.signal}`;
      throw new VerificationError(`cc(): the C preprocessor failed (${cpp.name} ${how}):\n${diagnostics}`, diagnostics);
    }
    return r.stdout;
  } finally {
    host.rmSync(work);
  }
}

function stampOf(file: string, host: Host): Stamp[] {
  const st = host.statSync(file);
  return st ? [[file, st.size, st.mtimeMs]] : [];
}

/** The remembered extraction for `key`, unless it is missing, damaged, or a header changed since. */
function recall(memo: string, key: string, host: Host): ExtractedSource | undefined {
  let saved: Remembered;
  try {
    saved = JSON.parse(host.readFileSync(memo).toString('utf8')) as Remembered;
  } catch (e) {
    if (isErrno(e, 'ENOENT') || e instanceof SyntaxError) return undefined;
    throw e;
  }
  if (saved?.key !== key || !Array.isArray(saved.stamps) || typeof saved.extracted !== 'object') return undefined;
  for (const [file, size, mtimeMs] of saved.stamps) {
    const st = host.statSync(file);
    if (!st || st.size !== size || st.mtimeMs !== mtimeMs) return undefined;
  }
  return { ...saved.extracted, headers: hashParts(saved.stamps.flat().map(String)) };
}

