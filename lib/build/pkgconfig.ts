// options.pkgconfig (CFFI's `pkgconfig=[...]`): the flags `pkg-config` gives for the named packages, merged into the build's options.
import { FFIError, show, TypeError } from '../errors';
import { Host } from '../host';

/** The options pkg-config's flags fill, as CFFI's flags_from_pkgconfig() sorts them (BuildOptions' fields of those names). */
interface Flags {
  readonly includeDirs: readonly string[];
  readonly defineMacros: readonly (readonly [string, string | null])[];
  readonly extraCompileArgs: readonly string[];
  readonly libraryDirs: readonly string[];
  readonly libraries: readonly string[];
  readonly extraLinkArgs: readonly string[];
}

/** The build options this module reads and fills. */
type PkgconfigOptions = Partial<Flags> & { readonly pkgconfig?: readonly string[] };

/** pkg-config's answers in this process, by package list: a package's flags do not change while a program runs. */
const answers = new Map<string, Flags>();

/**
 * `options` with the flags of the packages options.pkgconfig names appended to its own, as CFFI
 * merges them: `--cflags` gives includeDirs (-I), defineMacros (-D) and extraCompileArgs (the rest),
 * `--libs` gives libraryDirs (-L), libraries (-l) and extraLinkArgs (the rest). No packages: `options` itself.
 */
export function withPkgconfig<O extends PkgconfigOptions>(options: O, host: Host): O {
  const packages = options.pkgconfig;
  if (packages === undefined) return options;
  if (!Array.isArray(packages) || !packages.every((p) => typeof p === 'string' && p !== '' && !p.startsWith('-'))) {
    throw new TypeError(`options.pkgconfig: expected an array of package names (such as ['libpng', 'zlib']), got ${show(packages)}`);
  }
  if (packages.length === 0) return options;
  const key = packages.join('\0');
  let flags = answers.get(key);
  if (flags === undefined) answers.set(key, (flags = flagsOf(packages, host)));
  const merged: Record<string, unknown> = { ...options };
  for (const [name, values] of Object.entries(flags) as [keyof Flags, readonly unknown[]][]) {
    if (values.length === 0) continue;
    const own = (options[name] ?? []) as readonly unknown[];
    merged[name] = [...own, ...values];
  }
  return merged as O;
}

/** A definition as -D takes it, `NAME` or `NAME=VALUE`, as a defineMacros pair: ['NAME', null] or ['NAME', 'VALUE']. */
export function macroDefinition(text: string): [string, string | null] {
  const eq = text.indexOf('=');
  return eq < 0 ? [text, null] : [text.slice(0, eq), text.slice(eq + 1)];
}

function flagsOf(packages: readonly string[], host: Host): Flags {
  const cflags = run(packages, '--cflags', host);
  const libs = run(packages, '--libs', host);
  const mutable = { includeDirs: [] as string[], defineMacros: [] as [string, string | null][], extraCompileArgs: [] as string[], libraryDirs: [] as string[], libraries: [] as string[], extraLinkArgs: [] as string[] };
  for (const arg of cflags) {
    if (arg.startsWith('-I') && arg.length > 2) mutable.includeDirs.push(arg.slice(2));
    else if (arg.startsWith('-D') && arg.length > 2) mutable.defineMacros.push(macroDefinition(arg.slice(2)));
    else mutable.extraCompileArgs.push(arg);
  }
  for (const arg of libs) {
    if (arg.startsWith('-L') && arg.length > 2) mutable.libraryDirs.push(arg.slice(2));
    else if (arg.startsWith('-l') && arg.length > 2) mutable.libraries.push(arg.slice(2));
    else mutable.extraLinkArgs.push(arg);
  }
  return mutable;
}

/** pkg-config's words for `what` ('--cflags' or '--libs') of the packages, split on blanks as CFFI splits them; $PKG_CONFIG names the program if set. */
function run(packages: readonly string[], what: string, host: Host): string[] {
  const args = ['--print-errors', what, ...packages];
  // $PKG_CONFIG names another program, as autotools and meson take it (a cross build's pkg-config).
  const program = host.env('PKG_CONFIG') || 'pkg-config';
  const r = host.spawnSync(program, args);
  if (r.error !== undefined) {
    throw new FFIError(
      `options.pkgconfig: ${program} could not be run (${r.error.message}); install pkg-config (Debian: apt-get install pkg-config) ` +
        'or give the flags yourself (includeDirs, libraries, defineMacros…)',
    );
  }
  if (r.status !== 0) {
    const why = r.stderr.trim() || r.stdout.trim() || `it exited with status ${String(r.status ?? r.signal)}`;
    throw new FFIError(`options.pkgconfig: ${program} ${args.join(' ')} failed: ${why}`);
  }
  if (r.stdout.includes('\uFFFD')) {
    throw new FFIError(`options.pkgconfig: ${program} ${args.join(' ')} printed bytes that are not UTF-8: ${JSON.stringify(r.stdout.trim())}`);
  }
  const words = shellWords(r.stdout);
  if (typeof words === 'string') throw new FFIError(`options.pkgconfig: ${program} ${args.join(' ')} printed ${JSON.stringify(r.stdout.trim())}, ${words}`);
  return words;
}

/**
 * The words of pkg-config's output as a shell splits them, which is how pkg-config writes them:
 * blanks separate words, a backslash takes the next character as it is (pkg-config writes `a\ b`
 * for `"a b"` in a .pc file), single quotes take everything up to the next one, double quotes
 * everything up to the next unescaped one. Why not, for an unclosed quote or a trailing backslash.
 */
export function shellWords(text: string): string[] | string {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (word !== null) words.push(word);
      word = null;
      continue;
    }
    word ??= '';
    if (c === '\\') {
      if (i + 1 >= text.length) return 'which ends in a backslash';
      const next = text[++i];
      if (next !== '\n') word += next; // a backslash before a newline joins the lines
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return 'whose single quote is not closed';
      word += text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        // Inside double quotes a backslash escapes only what the shell says it does.
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`\n'.includes(text[j + 1])) {
          if (text[++j] !== '\n') word += text[j];
        } else word += text[j];
      }
      if (j >= text.length) return 'whose double quote is not closed';
      i = j;
    } else word += c;
  }
  if (word !== null) words.push(word);
  return words;
}
