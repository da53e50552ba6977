// verify() at header scale: N structs and N functions, cold (a new source) against a bare compile of the source, warm (cdef + verify() of a cached library) against koffi.load.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import koffi from 'koffi';
import { FFI } from '../lib/ffi';
import { probeCompiler } from '../lib/build';
import { Row, keep, printTable, timeEach, timeTurns } from './timing';

/** The sizes measured: one declaration of each kind, a small header, a large one. */
export const SIZES: readonly number[] = [1, 300, 1500];
/** The size whose warm verify() is measured. */
const WARM_SIZE = 300;

/** A cdef of `n` structs (`struct sI { int a; double b; char c[I % 7 + 1]; }`) and `n` functions taking one of them by pointer. */
export function headerCdef(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`struct s${i} { int a; double b; char c[${(i % 7) + 1}]; };`, `int f${i}(int x, struct s${i} *p);`);
  return `${out.join('\n')}\n`;
}

/** The C source defining what headerCdef(n) declares. */
export function headerSource(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(`struct s${i} { int a; double b; char c[${(i % 7) + 1}]; };`, `int f${i}(int x, struct s${i} *p) { return x + p->a + p->c[0] + (int)p->b; }`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Rows: for each size, the first verify() of a new source (the cdef made before the clock starts;
 * the compiler's version already known, as after any earlier use of the cache directory) against
 * `cc -O3 -shared -fPIC` of the source alone; and at WARM_SIZE, a new FFI's cdef() and verify()
 * of a library in the cache against koffi.load() of a copy of that library (a dlopen of its own),
 * as the median of single calls and as the mean of many in a row (the collector's work included).
 */
export function benchVerify(runs = Number(process.env.BENCH_RUNS ?? 7)): Row[] {
  const cc = process.env.CC ?? 'cc';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-bench-verify-'));
  const options = { tmpdir: path.join(dir, 'cache') };
  const rows: Row[] = [];
  try {
    probeCompiler(options);
    for (const n of SIZES) {
      const cdef = headerCdef(n);
      const source = headerSource(n);
      const file = path.join(dir, `n${n}.c`);
      fs.writeFileSync(file, source);
      const coldRuns = n >= 1000 ? Math.max(3, runs >> 1) : runs;
      const ffis = Array.from({ length: coldRuns }, () => {
        const ffi = new FFI();
        ffi.cdef(cdef);
        return ffi;
      });
      const [cold, bare] = timeTurns(coldRuns, [
        (i) => keep(ffis[i].verify(`${source}/* cold ${process.pid} ${i} */\n`, { ...options, moduleName: `cold${n}` })),
        (i) => {
          const r = spawnSync(cc, ['-O3', '-shared', '-fPIC', '-o', path.join(dir, `bare${n}-${i}.so`), file]);
          if (r.status !== 0) throw new Error(`bench/verify: the bare compile failed:\n${r.stderr}`);
        },
      ]);
      rows.push({ what: `verify(), cold, ${n} structs + ${n} functions`, ours: cold, versus: `bare ${cc} -O3 -shared -fPIC`, theirs: bare, unit: 'ms', target: '<= 1.3x' });
      if (n !== WARM_SIZE) continue;
      const warmOptions = { ...options, moduleName: `warm${n}` };
      const first = new FFI();
      first.cdef(cdef);
      keep(first.verify(source, warmOptions));
      const built = fs.readdirSync(options.tmpdir).filter((f) => f.startsWith(`warm${n}-`) && f.endsWith('.so'));
      if (built.length !== 1) throw new Error(`bench/verify: expected one warm${n} library in the cache, found ${built.length}`);
      const lib = path.join(options.tmpdir, built[0]);
      const warm = timeEach(runs * 5, () => {
        const ffi = new FFI();
        ffi.cdef(cdef);
        keep(ffi.verify(source, warmOptions));
      });
      // The process has the library open already (verify() loaded it): koffi.load of that path
      // would only count a reference. Each load is of a copy at a path of its own: a real dlopen.
      const copies = Array.from({ length: runs * 5 }, (_, i) => {
        const copy = path.join(dir, `copy${n}-${i}.so`);
        fs.copyFileSync(lib, copy);
        return copy;
      });
      const load = timeEach(runs * 5, (i) => keep(koffi.load(copies[i])));
      rows.push({ what: `cdef + verify(), warm, ${n} structs + ${n} functions`, ours: warm, versus: 'koffi.load of a copy of the library', theirs: load, unit: 'ms', target: '<= 20x' });
      // The same, as a program making libraries one after another sees it: the mean of many in a
      // row, the garbage collector's work included (a median of single calls leaves most of it out).
      const inRow = runs * 50;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < inRow; i++) {
        const ffi = new FFI();
        ffi.cdef(cdef);
        keep(ffi.verify(source, warmOptions));
      }
      const rowMean = Number(process.hrtime.bigint() - t0) / 1e6 / inRow;
      const loads = Array.from({ length: inRow }, (_, i) => {
        const copy = path.join(dir, `row${n}-${i}.so`);
        fs.copyFileSync(lib, copy);
        return copy;
      });
      const t1 = process.hrtime.bigint();
      for (const copy of loads) keep(koffi.load(copy));
      const loadMean = Number(process.hrtime.bigint() - t1) / 1e6 / inRow;
      rows.push({ what: `cdef + verify(), warm, ${n} + ${n}, ${inRow} in a row (mean)`, ours: rowMean, versus: `koffi.load of ${inRow} copies in a row (mean)`, theirs: loadMean, unit: 'ms', target: '<= 20x' });
    }
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const rows = benchVerify();
  const table = [['operation', 'node-cffi', 'compared with', 'it', 'unit', 'ratio', 'target']];
  for (const r of rows) table.push([r.what, r.ours.toFixed(2), r.versus, r.theirs.toFixed(2), r.unit, `${(r.ours / r.theirs).toFixed(2)}x`, r.target ?? '']);
  printTable('median of repeated runs; cold: a new source in a cache directory already used', table, [1, 3, 5]);
}
