// `cffi run` start-up: warm against `node -e 0`, cold against the compiler's own time, and tcc's compile time where installed.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packageRoot } from '../lib/package';
import { Row, median, printTable } from './timing';


const MAIN = path.join(packageRoot, 'dist', 'node-cffi.js');
const SOURCE = 'int add(int a, int b) { return a + b; }\n';

/** Median wall time in ms of running `file args` `runs` times; `prepare(i)` runs untimed before each. */
function wall(runs: number, file: string, args: (i: number) => string[], env: NodeJS.ProcessEnv, cwd: string, prepare?: (i: number) => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    prepare?.(i);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(file, args(i), { cwd, env, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${file} ${args(i).join(' ')} failed (status ${r.status}):\n${r.stderr}`);
  }
  return median(times);
}

function installed(program: string): boolean {
  return spawnSync(program, ['-v'], { encoding: 'utf8' }).error === undefined;
}

/**
 * Two ratios: a warm `cffi run add.c -e 'add(1, 2)'` against `node -e 0` (target: at
 * most 2x), and a cold one (a new source each time, so the compiler runs) against the compiler's
 * own time plus that 2x budget (target: at most 1x). With tcc installed, the same cold run with
 * --cc tcc against tcc's own compile time. Needs the compiled binary (npm run prepare).
 */
export function benchCli(runs = Number(process.env.BENCH_RUNS ?? 7)): Row[] {
  if (!fs.existsSync(MAIN)) throw new Error(`bench/cli: ${MAIN} is missing; build it with 'npm run prepare'`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-bench-cli-'));
  const env = { ...process.env, NODE_CFFI_CACHE: path.join(dir, 'cache') };
  const node = process.execPath;
  const cc = process.env.CC ?? 'cc';
  try {
    fs.writeFileSync(path.join(dir, 'add.c'), SOURCE);
    const bare = wall(runs * 2, node, () => ['-e', '0'], env, dir);
    const run = (file: string, extra: string[] = []) => [MAIN, 'run', ...extra, file, '-e', 'add(1, 2)'];
    wall(1, node, () => run('add.c'), env, dir); // fills the cache (and the compiler's remembered version)
    const warm = wall(runs, node, () => run('add.c'), env, dir);
    const fresh = (i: number, tag: string) => fs.writeFileSync(path.join(dir, `${tag}${i}.c`), `${SOURCE}/* ${tag} ${i} */\n`);
    const cold = wall(runs, node, (i) => run(`cold${i}.c`), env, dir, (i) => fresh(i, 'cold'));
    const compile = wall(runs, cc, () => ['-O3', '-shared', '-fPIC', '-o', 'bare.so', 'add.c'], env, dir);
    const rows: Row[] = [
      { what: "cffi run add.c -e 'add(1, 2)', warm", ours: warm, versus: 'node -e 0', theirs: bare, unit: 'ms', target: '<= 2x' },
      { what: 'cffi run, cold (compiles)', ours: cold, versus: `${cc} -O3 (${compile.toFixed(1)} ms) + 2 x node -e 0`, theirs: compile + 2 * bare, unit: 'ms', target: '<= 1x' },
    ];
    if (installed('tcc')) {
      wall(1, node, () => run('add.c', ['--cc', 'tcc']), env, dir); // remembers tcc's version
      const tccCold = wall(runs, node, (i) => run(`tcc${i}.c`, ['--cc', 'tcc']), env, dir, (i) => fresh(i, 'tcc'));
      const tcc = wall(runs, 'tcc', () => ['-shared', '-o', 'bare-tcc.so', 'add.c'], env, dir);
      rows.push({ what: 'cffi run --cc tcc, cold', ours: tccCold, versus: `tcc -shared (${tcc.toFixed(1)} ms) + 2 x node -e 0`, theirs: tcc + 2 * bare, unit: 'ms', target: '<= 1x' });
      rows.push({ what: 'tcc -shared add.c', ours: tcc, versus: `${cc} -O3 -shared -fPIC`, theirs: compile, unit: 'ms' });
    } else {
      console.log('(tcc not found: install it, e.g. apt-get install tcc, for ~3 ms compiles with cffi run --cc tcc)');
    }
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const rows = benchCli();
  const table = [['operation', 'node-cffi', 'compared with', 'it', 'unit', 'ratio', 'target']];
  for (const r of rows) table.push([r.what, r.ours.toFixed(1), r.versus, r.theirs.toFixed(1), r.unit, `${(r.ours / r.theirs).toFixed(2)}x`, r.target ?? '']);
  printTable('cffi start-up, median wall time of repeated runs', table, [1, 3, 5]);
}
