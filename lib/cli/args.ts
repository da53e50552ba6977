// Command-line arguments of the cffi commands: options with values (attached or separate), flags, positionals, and `--`.
import { shellWords } from '../build';
import { packageVersion } from '../package';

/** A mistake in the command line: printed with a pointer to --help, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OptionSpec {
  /** The long name without dashes ('eval'); single letters are short options ('-e'). */
  readonly names: readonly string[];
  /** Takes a value: `-e EXPR`, `-eEXPR`, `--eval=EXPR`. */
  readonly value: boolean;
}

export interface Parsed {
  readonly positionals: readonly string[];
  /** Arguments after `--`, untouched. */
  readonly rest: readonly string[];
  /** Every value given to an option, under its first name, in order. */
  all(name: string): string[];
  /** The last value given to an option. */
  get(name: string): string | undefined;
  /** Whether a flag (or an option) was given. */
  has(name: string): boolean;
}

/** Parses `argv` against `specs`; options may come before or after positionals. Throws UsageError. */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): Parsed {
  const byName = new Map<string, OptionSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  let rest: string[] = [];
  const add = (spec: OptionSpec, value: string) => {
    const key = spec.names[0];
    values.set(key, [...(values.get(key) ?? []), value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const eq = long ? arg.indexOf('=') : -1;
    const name = long ? arg.slice(2, eq < 0 ? undefined : eq) : arg[1];
    const spec = byName.get(name);
    if (!spec || (long && name.length === 1) || (!long && name.length !== 1)) throw new UsageError(`unknown option '${long ? `--${name}` : arg}'`);
    const attached = long ? (eq < 0 ? undefined : arg.slice(eq + 1)) : arg.length > 2 ? arg.slice(2) : undefined;
    if (!spec.value) {
      if (attached !== undefined) throw new UsageError(`option '${long ? `--${name}` : `-${name}`}' takes no value`);
      add(spec, '');
      continue;
    }
    if (attached !== undefined) {
      add(spec, attached);
      continue;
    }
    if (i + 1 >= argv.length) throw new UsageError(`option '${arg}' needs a value`);
    add(spec, argv[++i]);
  }
  return {
    positionals,
    rest,
    all: (name) => values.get(byName.get(name)?.names[0] ?? name) ?? [],
    get(name) {
      const list = this.all(name);
      return list[list.length - 1];
    },
    has: (name) => values.has(byName.get(name)?.names[0] ?? name),
  };
}

/** -h/--help, shared by every command. */
export const HELP: OptionSpec = { names: ['help', 'h'], value: false };

/** -v/--version, shared by every command. */
export const VERSION: OptionSpec = { names: ['version', 'v'], value: false };

/** The line `--version` prints. */
export function versionLine(): string {
  return `cffi (node-cffi) ${packageVersion}\n`;
}

/** The compile options of `run`, `repl` and `types` (for .c files). */
export const COMPILE_OPTIONS: readonly OptionSpec[] = [
  { names: ['cc'], value: true },
  { names: ['O'], value: true },
  { names: ['l'], value: true },
  { names: ['L'], value: true },
  { names: ['I'], value: true },
  { names: ['D'], value: true },
  { names: ['U'], value: true },
  { names: ['rpath'], value: true },
  { names: ['cflags'], value: true },
  { names: ['ldflags'], value: true },
  { names: ['pkg-config'], value: true },
];

/**
 * The words of a --cflags/--ldflags value, as a shell splits them: white space separates words;
 * quotes keep white space inside one (`-DNAME="a b"`), a backslash the next character (`a\\ b`).
 */
export function splitFlags(option: string, text: string): string[] {
  const words = shellWords(text);
  if (typeof words === 'string') throw new UsageError(`--${option} ${JSON.stringify(text)}: a value ${words}`);
  return words;
}
