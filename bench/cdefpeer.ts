// cdef() at header scale against Python CFFI's cdef(): the same 115 KiB of declarations, cold (a new process, also with one V8 background thread), warm (parsed in a process that has parsed others), copied from its template, and next to a bare scan of the text.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI } from '../lib/ffi';
import { packageRoot } from '../lib/package';
import { distinctTexts } from './cdef';
import { Row, coldFigures, median, printTable, timeEach } from './timing';

/** `n` structs of three members and `n` functions taking a pointer to one: at n = 1,500, 115 KiB of cdef. */
export function structsAndFunctions(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`struct s${i} { int a; double b; char c[${(i % 7) + 1}]; };\n`);
  for (let i = 0; i < n; i++) parts.push(`int f${i}(int x, struct s${i} *p);\n`);
  return parts.join('');
}

const PYTHON = '/usr/bin/python3';
const N = 1500;

/** The first cdef() of a new process on a new FFI, module loading left out: what a program pays once. */
const COLD_CHILD = `
const { FFI } = require(process.argv[1]);
const text = require('fs').readFileSync(process.argv[2], 'utf8');
const ffi = new FFI();
const f0 = process.resourceUsage().minorPageFault;
const t0 = process.hrtime.bigint();
ffi.cdef(text);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(ms, process.resourceUsage().minorPageFault - f0);
`;

/**
 * The least any front end written in JavaScript does with the text: one pass finding its tokens
 * (names, numbers, one-character punctuators; blanks skipped) into typed arrays, and every name
 * interned in a Map. Run once in a new process (cold), then 15 more times (warm, the median).
 * What the cold run costs over the warm ones is V8's, not the parser's: no parse, no type, no
 * declaration, so it is the least a cold cdef() pays over a warm one.
 */
const SCAN_CHILD = `
const text = require('fs').readFileSync(process.argv[1], 'utf8');
function scan(src) {
  const n = src.length;
  const kinds = new Uint8Array(n), starts = new Int32Array(n), ends = new Int32Array(n);
  const names = new Map();
  let count = 0;
  for (let i = 0; i < n;) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) { i++; continue; }
    let j = i + 1, kind = 3;
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
      for (; j < n; j++) {
        const d = src.charCodeAt(j);
        if (!((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || d === 95 || (d >= 48 && d <= 57))) break;
      }
      const name = src.slice(i, j);
      if (!names.has(name)) names.set(name, names.size);
      kind = 1;
    } else if (c >= 48 && c <= 57) {
      while (j < n && src.charCodeAt(j) >= 48 && src.charCodeAt(j) <= 57) j++;
      kind = 2;
    }
    kinds[count] = kind; starts[count] = i; ends[count] = j; count++;
    i = j;
  }
  return count + names.size;
}
let t0 = process.hrtime.bigint();
const found = scan(text);
const cold = Number(process.hrtime.bigint() - t0) / 1e6;
const warm = [];
for (let k = 0; k < 15; k++) {
  t0 = process.hrtime.bigint();
  if (scan(text) !== found) throw new Error('the scan found another count');
  warm.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
warm.sort((a, b) => a - b);
console.log(JSON.stringify({ cold, warm: warm[warm.length >> 1], found }));
`;

/** The first require() of a compiled ABI-mode module's loader in a new process, node-cffi already loaded: what a module saves over its cdef. */
const MODULE_CHILD = `
require('node-cffi');
const f0 = process.resourceUsage().minorPageFault;
const t0 = process.hrtime.bigint();
require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(ms, process.resourceUsage().minorPageFault - f0);
`;

/**
 * cdef() of structsAndFunctions(1500) next to Python CFFI's cdef() of the same file, each call on
 * a new FFI: cold (the first call of a new process, median over `runs` processes each side, the
 * two sides taking turns) and warm (later calls in one process). Needs the compiled library
 * (npm run prepare); without python3-cffi the rows say so.
 */
export function benchCdefPeer(runs = Number(process.env.BENCH_RUNS ?? 7)): Row[] {
  // The package's entry, as a program loads it (its code cache written by the first child).
  const dist = packageRoot;
  if (!fs.existsSync(path.join(dist, 'dist', 'node-cffi.js'))) throw new Error(`bench/cdefpeer: ${dist}/dist/node-cffi.js is missing; build it with 'npm run prepare'`);
  const text = structsAndFunctions(N);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-bench-cdef-'));
  const file = path.join(dir, 'decls.h');
  fs.writeFileSync(file, text);
  try {
    const python = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import cffi']).status === 0;
    const cold: number[] = [];
    // The pages the process wrote for the first time during the cdef() (minor page faults, all threads).
    const coldFaults: number[] = [];
    const peer = { cold: [] as number[], warm: [] as number[], version: '' };
    // The same declarations as an ABI-mode module (setSource(name, null) + compile()), in a project
    // with node-cffi installed as a link, loaded by a cold child in turn with the cold cdef().
    const project = path.join(dir, 'project');
    fs.mkdirSync(path.join(project, 'node_modules'), { recursive: true });
    fs.symlinkSync(dist, path.join(project, 'node_modules', 'node-cffi'));
    const abi = new FFI();
    abi.cdef(text);
    abi.setSource('_decls', null);
    const loader = path.join(abi.compile({ tmpdir: project }), '_decls.js');
    const moduleCold: number[] = [];
    const scanCold: number[] = [];
    const scanWarm: number[] = [];
    // The same cold cdef() with V8's background threads (its optimising compiler's among them) cut
    // from Node's default of 4 to 1: on a machine of few cores they run beside the parse.
    const coldOneThread: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, ['-e', COLD_CHILD, dist, file], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`bench/cdefpeer: the cold cdef() failed:\n${r.stderr}`);
      const { ms, pages } = coldFigures(r.stdout);
      cold.push(ms);
      coldFaults.push(pages);
      const one = spawnSync(process.execPath, ['--v8-pool-size=1', '-e', COLD_CHILD, dist, file], { encoding: 'utf8' });
      if (one.status !== 0) throw new Error(`bench/cdefpeer: the cold cdef() with --v8-pool-size=1 failed:\n${one.stderr}`);
      coldOneThread.push(coldFigures(one.stdout).ms);
      const m = spawnSync(process.execPath, ['-e', MODULE_CHILD, loader], { cwd: project, encoding: 'utf8' });
      if (m.status !== 0) throw new Error(`bench/cdefpeer: the cold module load failed:\n${m.stderr}`);
      moduleCold.push(coldFigures(m.stdout).ms);
      const f = spawnSync(process.execPath, ['-e', SCAN_CHILD, file], { encoding: 'utf8' });
      if (f.status !== 0) throw new Error(`bench/cdefpeer: the bare scan failed:\n${f.stderr}`);
      const figures = JSON.parse(f.stdout) as { cold: number; warm: number };
      scanCold.push(figures.cold);
      scanWarm.push(figures.warm);
      if (!python) continue;
      const p = spawnSync(PYTHON, [path.join(packageRoot, 'bench', 'peer_cffi.py'), 'cdef', file, '3'], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`bench/cdefpeer: Python CFFI's cdef() failed:\n${p.stderr}`);
      const out = JSON.parse(p.stdout) as { version: string; cold_ms: number; warm_ms: number };
      peer.cold.push(out.cold_ms);
      peer.warm.push(out.warm_ms);
      peer.version = out.version;
    }
    // Warm: a parse of the text in a process that has parsed others (each run's text has a comment
    // of its own: the same text a third time would be copied from its template, the next row).
    for (const t of distinctTexts(text, 3)) new FFI().cdef(t);
    const texts = distinctTexts(text, runs * 3);
    const fresh = Array.from({ length: runs * 3 }, () => new FFI());
    const warm = timeEach(runs * 3, (i) => fresh[i].cdef(texts[i]));
    for (let i = 0; i < 2; i++) new FFI().cdef(text); // parsed twice: its template is kept
    const again = Array.from({ length: runs * 3 }, () => new FFI());
    const copied = timeEach(runs * 3, (i) => again[i].cdef(text));
    const what = `cdef() of ${N} structs + ${N} functions (${Math.round(text.length / 1024)} KiB)`;
    const versus = python ? `Python CFFI ${peer.version} cdef()` : 'Python CFFI (not installed)';
    const target = '>= 20x faster';
    return [
      { what: `${what}, cold`, ours: median(cold), versus: `${versus}, cold`, theirs: python ? median(peer.cold) : NaN, unit: 'ms', target },
      { what: `${what}, cold: pages written first (minor faults)`, ours: median(coldFaults), versus: '-', theirs: NaN, unit: 'pages' },
      { what: `${what}, cold, node --v8-pool-size=1 (${os.cpus().length} cores)`, ours: median(coldOneThread), versus: 'the same, V8\'s default 4 threads', theirs: median(cold), unit: 'ms' },
      { what: `${what}, warm`, ours: warm, versus: `${versus}, warm`, theirs: python ? median(peer.warm) : NaN, unit: 'ms', target },
      { what: `${what}, the same text again (a template's copy)`, ours: copied, versus: `${versus}, warm`, theirs: python ? median(peer.warm) : NaN, unit: 'ms' },
      { what: `the least a front end in JavaScript does: a bare scan of the same text (tokens found, names interned), cold`, ours: median(scanCold), versus: 'the same scan, warm (the same process)', theirs: median(scanWarm), unit: 'ms' },
      { what: 'the same bare scan, cold', ours: median(scanCold), versus: `${versus}, cold`, theirs: python ? median(peer.cold) : NaN, unit: 'ms' },
      { what: 'the same declarations as an ABI-mode module: its loader required, cold', ours: median(moduleCold), versus: 'node-cffi cdef() of the text, cold', theirs: median(cold), unit: 'ms', target: '<= 1x' },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const rows = benchCdefPeer();
  const table = [['operation', 'node-cffi', 'compared with', 'it', 'unit', 'ratio', 'faster', 'target']];
  const fmt = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(2));
  for (const r of rows) {
    const ratio = r.ours / r.theirs;
    table.push([r.what, fmt(r.ours), r.versus, fmt(r.theirs), r.unit, Number.isNaN(ratio) ? '-' : `${ratio.toFixed(3)}x`, Number.isNaN(ratio) ? '-' : `${(1 / ratio).toFixed(1)}x`, r.target ?? '']);
  }
  printTable('median of repeated runs; cold: the first cdef() of a new process', table, [1, 3, 5, 6]);
}
