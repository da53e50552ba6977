// Test helper: runs a TypeScript snippet in a child Node process, so a crash is reported as a result instead of ending the suite.
import { spawnSync } from 'child_process';
import * as path from 'path';

/** The library's entry, for snippets: `const { FFI } = require(LIB);`. */
export const LIB = path.resolve(__dirname, '..', '..', 'lib');

export interface ChildResult {
  /** Exit status; null when a signal ended the child. */
  readonly status: number | null;
  /** The signal that ended the child ('SIGSEGV', 'SIGABRT'…), or null. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `script` (TypeScript, CommonJS: `require(LIB)` reaches the library) in a fresh Node process
 * with the same environment and library cache, and returns how it ended.
 */
export function runChild(script: string, options: { env?: Record<string, string>; cwd?: string } = {}): ChildResult {
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', `const LIB = ${JSON.stringify(LIB)};\n${script}`], {
    encoding: 'utf8',
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** How a child ended, for assertion messages: 'exit 0', 'signal SIGSEGV'. */
export function ending(r: ChildResult): string {
  return r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
}
