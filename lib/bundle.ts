// What the package's entry (lib/loader.ts) runs, bundled into dist/node-cffi.bundle.js: the public API and the `cffi` command.
import type * as Index from './index';

/** The public API: the very exports object of lib/index.ts, so that CommonJS and ESM share it. */
export const api = require('./index') as typeof Index;

/** Runs the `cffi` command (its module reads process.argv and sets process.exitCode). */
export function command(): void {
  require('./cli/main');
}
