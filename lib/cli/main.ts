#!/usr/bin/env node
// The `cffi` command: dispatches to run, repl, types, cache and doctor, each loaded only when used so that startup stays fast.
import { nodeHost } from '../host';
import { UsageError, versionLine } from './args';

const HELP = `Usage: cffi <command> [options]

Quick C experiments with node-cffi: compile a C file and call it from JavaScript.

Commands:
  run FILE.c         compile FILE.c, then evaluate -e expressions with it (or run its main)
  repl [FILE.c]      an interactive JavaScript session with the C names in scope
  types FILE.h       TypeScript declarations for a cdef header (or a C file)
  cache [ls|clean]   list or empty the cache of compiled libraries
  doctor             check the compiler, koffi, the native helper and the cache

Options:
  -h, --help         show this help; 'cffi <command> --help' shows a command's
  -v, --version      print the version

Example:
  cffi run add.c -e 'add(1, 2)'`;

type Command = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run')).runCommand,
  repl: async () => (await import('./repl')).replCommand,
  types: async () => (await import('./types')).typesCommand,
  cache: async () => (await import('./cache')).cacheCommand,
  doctor: async () => (await import('./doctor')).doctorCommand,
};

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === 'help' && rest.length > 0) return main([rest[0], '--help']);
    nodeHost.write(first === undefined ? 'stderr' : 'stdout', `${HELP}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === '-v' || first === '--version') {
    nodeHost.write('stdout', versionLine());
    return 0;
  }
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!load) throw new UsageError(first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`);
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      const command = process.argv[2];
      const help = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? `cffi ${command} --help` : 'cffi --help';
      nodeHost.write('stderr', `cffi: ${e.message}\nSee '${help}'.\n`);
      process.exitCode = 2;
      return;
    }
    // Anything else is unexpected: say what, and show where only when asked to.
    const err = e instanceof Error ? e : new Error(String(e));
    nodeHost.write('stderr', `cffi: ${nodeHost.env('NODE_CFFI_DEBUG') ? err.stack : `${err.name}: ${err.message}`}\n`);
    process.exitCode = 1;
  },
);
