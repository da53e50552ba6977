// What `run` and `repl` share: compile options from the command line, a compiled source's names as globals, printing results.
import * as path from 'path';
import * as util from 'util';
import { CcOptions, FFI, FFIError, Lib, VerificationError, declarationsOf } from '../index';
import { nodeHost } from '../host';
import { macroDefinition } from '../build';
import { Parsed, UsageError, splitFlags } from './args';

const OPT_LEVEL = /^(0|1|2|3|s|g|z|fast)$/;

/** cc() options for FILE from the compile options of the command line; FILE's directory is an include directory. */
export function compileOptions(args: Parsed, file: string | null): CcOptions {
  const levels = args.all('O');
  for (const level of levels) {
    if (!OPT_LEVEL.test(level)) throw new UsageError(`-O ${level}: the optimisation level is one of 0, 1, 2, 3, s, g, z, fast`);
  }
  const defines = args.all('D').map(macroDefinition);
  // A session compiles its growing source again and again: each warning is printed once.
  const printed = new Set<string>();
  return {
    ...(file === null ? {} : { filename: file }),
    ...(args.has('cc') ? { compiler: args.get('cc') } : {}),
    // -O first: a level in --cflags comes later and wins, as the compiler takes the last one.
    extraCompileArgs: [...levels.map((l) => `-O${l}`), ...args.all('cflags').flatMap((v) => splitFlags('cflags', v))],
    extraLinkArgs: args.all('ldflags').flatMap((v) => splitFlags('ldflags', v)),
    defineMacros: defines,
    undefMacros: args.all('U'),
    includeDirs: [...(file === null ? [] : [path.dirname(file)]), ...args.all('I')],
    libraries: args.all('l'),
    libraryDirs: args.all('L'),
    runtimeLibraryDirs: args.all('rpath'),
    ...(args.has('pkg-config') ? { pkgconfig: args.all('pkg-config') } : {}),
    // The compiler's warnings, as it wrote them (positions in the file), where a compiler writes them.
    onWarning: (w) => {
      if (printed.has(w.text)) return;
      printed.add(w.text);
      nodeHost.write('stderr', `${w.text}\n`);
    },
  };
}

/**
 * A failure the user should read without a stack trace: compiler diagnostics as the compiler
 * wrote them (positions in the user's file), else the message. With the `command` that built
 * `file`, a name defined nowhere is said with the command's own way out (-l).
 */
export function describeFailure(e: unknown, command?: { readonly name: string; readonly file: string }): string {
  if (command !== undefined && e instanceof FFIError && e.undefinedSymbol !== undefined) {
    // The library API's advice names options.libraries; the command's is -l.
    const { name, file } = command;
    return `${name}: ${file} refers to '${e.undefinedSymbol}', which neither ${file} nor a library linked defines; ` +
      'define it there, or link the library that defines it with -l NAME (-l m for libm.so)';
  }
  if (e instanceof VerificationError && e.diagnostics.trim() !== '') {
    // The message's line naming the call ('cc(): the C compiler failed …'), after a headline when
    // one is first (a source ending early), which the diagnostics say already.
    const lines = e.message.split('\n');
    const line = lines.find((l) => /^[\w.]+\(\): /.test(l)) ?? lines[0];
    const headline = lines[0] !== line && !e.diagnostics.includes(lines[0].replace(/^[^:]*:\d+: /, '')) ? `${lines[0]}\n` : '';
    return `${headline}${e.diagnostics.trimEnd()}\n${line.replace(/:$/, '')}`;
  }
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** The C names this process made globals (a session installs a grown library's names again). */
const installed = new Set<string>();

/**
 * Makes the library's names globals of this realm (live: a C global reads and writes through),
 * with `ffi` and `lib`. A name JavaScript already has (Object, Map, fetch, process…) keeps its
 * JavaScript meaning, since code here uses it too; those names are returned, reachable as lib.NAME.
 * The names the library refuses with a reason (a static function of the source, a declaration
 * left out) are globals too, which say that reason when used, as lib.NAME does.
 */
export function installGlobals(lib: Lib | null, ffi: FFI): string[] {
  const g = globalThis as Record<string, unknown>;
  Object.defineProperty(g, 'ffi', { value: ffi, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(g, 'lib', { value: lib, writable: true, configurable: true, enumerable: false });
  const clashes: string[] = [];
  const refused = lib === null ? [] : refusedNames(lib);
  for (const name of lib === null ? [] : [...Object.keys(lib), ...refused]) {
    if (!installed.has(name) && name in g) {
      if (!refused.includes(name)) clashes.push(name);
      continue;
    }
    installed.add(name);
    Object.defineProperty(g, name, {
      get: () => lib![name],
      set: (v: unknown) => {
        lib![name] = v;
      },
      configurable: true,
      enumerable: false,
    });
  }
  return clashes;
}

/** Removes the C names installGlobals() made globals (`ffi` and `lib` stay, for the next session to replace). */
export function uninstallGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  for (const name of installed) delete g[name];
  installed.clear();
}

/** The names cc() knows of but refuses: static functions and variables, declarations left out. */
function refusedNames(lib: Lib): string[] {
  const d = declarationsOf(lib);
  return [...Object.keys(d.statics), ...d.skipped.map((s) => s.name)].filter((n) => !Object.prototype.hasOwnProperty.call(lib, n));
}

/** Whether output to `stream` is coloured: a terminal, unless NO_COLOR or NODE_DISABLE_COLORS is set (to anything but ''). */
export function colorsFor(stream: 'stdout'): boolean {
  return nodeHost.isTerminal(stream) && !nodeHost.env('NO_COLOR') && !nodeHost.env('NODE_DISABLE_COLORS');
}

/** How a result is shown: as util.inspect shows it, which shows cdata with their fields or elements. */
export function formatValue(value: unknown, colors: boolean): string {
  return util.inspect(value, { colors, depth: 4 });
}

let flusher: (() => void) | null = null;

/** Flushes C's stdio buffers, so that what C printed appears before what JavaScript prints next. */
export function flushC(): void {
  if (!flusher) {
    const ffi = new FFI();
    ffi.cdef('int fflush(void *stream);');
    const libc = ffi.dlopen(null);
    flusher = () => libc.fflush(null);
  }
  flusher();
}
