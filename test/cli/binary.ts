// Test helper: the compiled package and its `cffi` binary (rebuilt when lib/ is newer than dist/), run in a child process with a private cache.
import { SpawnSyncReturns, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');
/** The package's entry, which is also the `cffi` command (package.json's main and bin). */
export const MAIN = path.join(ROOT, 'dist', 'node-cffi.js');
/** The ESM entry, written after the CommonJS build. */
export const ESM = path.join(ROOT, 'dist', 'esm', 'index.mjs');

/** Makes `dir` (and its node_modules) a project with node-cffi installed as a link to this checkout, as a module's loader requires it by name; returns `dir`. */
export function withPackageLinked(dir: string): string {
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'node-cffi'));
  return dir;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

/**
 * Makes sure dist/ holds the build of the current sources, the ESM entry included (npm test
 * builds it first; a lone `jest test/cli` may find it stale). Type errors elsewhere do not stop
 * tsc from emitting.
 */
export function ensureBuilt(): void {
  const built = fs.existsSync(MAIN) && fs.existsSync(ESM) ? Math.min(fs.statSync(MAIN).mtimeMs, fs.statSync(ESM).mtimeMs) : 0;
  if (built >= newestSource(path.join(ROOT, 'lib'))) return;
  spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  const bundle = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle.js')], { cwd: ROOT, encoding: 'utf8' });
  if (bundle.status !== 0 || !fs.existsSync(MAIN)) throw new Error(`cannot build ${MAIN}: run 'npm run build' and look at its errors\n${bundle.stderr}`);
  const esm = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'esm-entry.js')], { cwd: ROOT, encoding: 'utf8' });
  if (esm.status !== 0) throw new Error(`cannot write ${ESM}: ${esm.stderr}`);
}

/** A scratch directory with the given files, and a cache directory of its own. */
export function workspace(files: Record<string, string>): { dir: string; cache: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-cli-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return { dir, cache: path.join(dir, '.cache') };
}

/** Environment for the child: its own cache, no colours, no REPL history file. */
export function childEnv(cache: string): NodeJS.ProcessEnv {
  return { ...process.env, NODE_CFFI_CACHE: cache, NO_COLOR: '1', NODE_CFFI_REPL_HISTORY: '', NODE_CFFI_DEBUG: '' };
}

/** Runs `cffi ARGS` in `cwd`. */
export function cffi(args: readonly string[], where: { dir: string; cache: string }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [MAIN, ...args], { cwd: where.dir, env: childEnv(where.cache), encoding: 'utf8', timeout: 60_000 });
}
