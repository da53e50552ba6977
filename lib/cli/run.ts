// `cffi run FILE.c`: compile the file as cc() does, then evaluate each -e expression against it, or run its main.
import * as path from 'path';
import { nodeHost } from '../host';
import { Lib, cc, ffiOf } from '../index';
import { COMPILE_OPTIONS, HELP, UsageError, VERSION, parseArgs, versionLine } from './args';
import { colorsFor, compileOptions, describeFailure, flushC, formatValue, installGlobals } from './session';

const RUN_HELP = `Usage: cffi run FILE.c [options] [-- ARGS...]

Compiles FILE.c (its functions, globals, types and integer #defines are declared
from the file itself) and evaluates each JavaScript expression with them, and
\`ffi\`, in scope, printing each result. Without -e, runs the file's main() with
ARGS and exits with its status.

Options:
  -e, --eval EXPR   evaluate EXPR (repeatable; evaluated in order)
  --cc COMPILER     gcc, clang, tcc or a path (default: $CC, else cc)
  -O LEVEL          optimisation level: 0, 1, 2, 3 (default), s, g, z, fast
  -l LIB            link with library LIB (repeatable)
  -L DIR            search DIR for libraries (repeatable)
  --rpath DIR       the library finds its shared libraries in DIR when loaded (repeatable)
  -I DIR            search DIR for headers (repeatable; FILE.c's directory always is)
  -D NAME[=VALUE]   define a macro (repeatable)
  -U NAME           undefine a macro, after the -D options (repeatable)
  --cflags FLAGS    more compiler flags, split at spaces: --cflags '-O2 -march=native'
  --ldflags FLAGS   more linker flags, split at spaces: --ldflags '-Wl,--as-needed'
  --pkg-config PKG  add the flags pkg-config gives for PKG (repeatable): --pkg-config libpng
  -h, --help        show this help
  -v, --version     print the version

Examples:
  cffi run add.c -e 'add(1, 2)'
  cffi run --cc tcc stats.c -e 'const a = ffi.new("acc_t *"); add_sample(a, 2); mean(a)' -e 'a'
  cffi run hello.c -- world`;

/** Runs the command; resolves to the exit status. */
export async function runCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [HELP, VERSION, { names: ['eval', 'e'], value: true }, ...COMPILE_OPTIONS]);
  if (args.has('help')) {
    nodeHost.write('stdout', `${RUN_HELP}\n`);
    return 0;
  }
  if (args.has('version')) {
    nodeHost.write('stdout', versionLine());
    return 0;
  }
  if (args.positionals.length !== 1) {
    throw new UsageError(args.positionals.length === 0 ? 'run: name the C file to compile' : `run: one C file at a time (got ${args.positionals.join(', ')})`);
  }
  const file = args.positionals[0];
  let source: string;
  try {
    source = nodeHost.readFileSync(file).toString('utf8');
  } catch (e) {
    nodeHost.write('stderr', `cffi run: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
    return 1;
  }
  let lib: Lib;
  try {
    lib = cc(source, compileOptions(args, file));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    nodeHost.write('stderr', `${describeFailure(e, { name: 'cffi run', file })}\n`);
    return 1;
  }
  // As in `node -e`, expressions may require modules (relative to the working directory).
  (globalThis as { require?: NodeRequire }).require ??= nodeHost.requireFrom(path.join(nodeHost.cwd(), '[eval]'));
  const clashes = installGlobals(lib, ffiOf(lib));
  for (const name of clashes) nodeHost.write('stderr', `cffi run: '${name}' of ${file} is reachable as lib.${name} (the global keeps its JavaScript meaning)\n`);
  const expressions = args.all('eval');
  if (expressions.length === 0) return runMain(lib, file, args.rest);
  const colors = colorsFor('stdout');
  for (const expr of expressions) {
    let value: unknown;
    try {
      value = nodeHost.runScript(expr, '-e');
      if (isThenable(value)) value = await value;
    } catch (e) {
      flushC();
      nodeHost.write('stderr', `cffi run: -e '${expr}': ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
      return 1;
    }
    flushC();
    if (value === undefined) continue;
    nodeHost.write('stdout', `${typeof value === 'string' ? value : formatValue(value, colors)}\n`);
  }
  return 0;
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/** Calls main(argc, argv) (or main()) with FILE and ARGS as argv; its result is the exit status. */
function runMain(lib: Lib, file: string, rest: readonly string[]): number {
  if (!Object.keys(lib).includes('main')) {
    const names = Object.keys(lib);
    nodeHost.write(
      'stderr',
      `cffi run: ${file} has no main() and no -e was given; it declares ${names.length ? names.join(', ') : 'nothing callable'}\n` +
        `  evaluate something with it: cffi run ${file} -e '${names.find((n) => typeof lib[n] === 'function') ?? 'ffi'}'\n`,
    );
    return 2;
  }
  const main = lib.main as (...args: unknown[]) => unknown;
  const ffi = ffiOf(lib);
  let status: unknown;
  if (main.length >= 2) {
    const strings = [file, ...rest].map((s) => ffi.new('char[]', s));
    const argv = ffi.new('char *[]', [...strings, null]);
    status = main(strings.length, argv, ...Array(main.length - 2).fill(null));
  } else {
    status = main(...Array(main.length).fill(0));
  }
  flushC();
  return typeof status === 'number' ? status & 0xff : 0;
}
