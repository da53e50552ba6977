// Run-time costs beyond single calls: ffi.gc, callbacks that read C strings, memory under strdup + ffi.gc, and require().
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import koffi from 'koffi';
import { CData, FFI } from '../lib';
import { packageRoot } from '../lib/package';
import { Row, keep, median, timeAll } from './timing';

/** The sqlite3_exec pattern: C calls back once per row with the row's values and the column names as `char **`. */
export const ROWS_SOURCE = `#include <stdlib.h>
#include <string.h>
typedef int (*row_cb)(void *, int, char **, char **);
int each_row(row_cb cb, void *arg, int rows) {
  char *values[2] = { "42", "hello, world" };
  char *names[2] = { "id", "name" };
  int s = 0;
  for (int i = 0; i < rows; i++) s += cb(arg, 2, values, names);
  return s;
}
`;
export const ROWS_CDEF = 'typedef int (*row_cb)(void *, int, char **, char **); int each_row(row_cb cb, void *arg, int rows); char *strdup(const char *); void free(void *);';

/** What Python CFFI measured for the same operations (bench/peer_cffi.py), when it ran. */
export interface RuntimePeer {
  readonly gc_ns: number;
  readonly rows_ns: number;
  readonly strdup_gc_mib: number;
}

/** How many strdup + ffi.gc pairs the memory row makes, across event-loop turns. */
export const STRDUP_GC_COUNT = 300_000;

/**
 * ns per callback of the rows loop (two ffi.string reads each), with the row's pointers read as
 * CFFI code does (`values[1]`) and with `values.get(1)`.
 */
function timeRows(cache: string): { rows: number; rowsGet: number; rowsRaw: number } {
  const ffi = new FFI();
  ffi.cdef(ROWS_CDEF);
  const C = ffi.verify(`${ROWS_SOURCE}/* runtime ${process.pid} */\n`, { tmpdir: cache, extraCompileArgs: ['-O3'] });
  let total = 0;
  const cb = ffi.callback('row_cb', (_arg: unknown, _n: number, values: { [i: number]: unknown }, names: { [i: number]: unknown }) => {
    total += (ffi.string(values[1] as never) as string).length + (ffi.string(names[1] as never) as string).length;
    return 0;
  });
  const cbGet = ffi.callback('row_cb', (_arg: unknown, _n: number, values: CData, names: CData) => {
    total += (ffi.string(values.get(1) as never) as string).length + (ffi.string(names.get(1) as never) as string).length;
    return 0;
  });
  // The same callback through koffi alone: the same source compiled by a bare compiler run, the
  // two strings read with koffi.decode (what koffi itself costs per call, the floor of the rows above).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-bench-rows-'));
  try {
    const so = path.join(dir, 'rows.so');
    const cfile = path.join(dir, 'rows.c');
    fs.writeFileSync(cfile, ROWS_SOURCE);
    const r = spawnSync(process.env.CC ?? 'cc', ['-O3', '-fPIC', '-shared', '-o', so, cfile], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench/runtime: compiling ${cfile} failed: ${r.stderr}`);
    const raw = koffi.load(so);
    const rowCb = koffi.proto('int bench_row_cb(void *, int, char **, char **)');
    const rawEach = raw.func('int each_row(bench_row_cb *cb, void *arg, int rows)');
    const rawCb = koffi.register((_arg: unknown, _n: number, values: unknown, names: unknown) => {
      total += (koffi.decode(values, 8, 'char *') as string).length + (koffi.decode(names, 8, 'char *') as string).length;
      return 0;
    }, koffi.pointer(rowCb));
    const [rows, rowsGet, rowsRaw] = timeAll([
      (n) => keep(C.each_row(cb, null, n)),
      (n) => keep(C.each_row(cbGet, null, n)),
      (n) => keep(rawEach(rawCb, null, n)),
    ]);
    koffi.unregister(rawCb);
    keep(total);
    return { rows, rowsGet, rowsRaw };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * ns per read of `o[1]` through an index getter on a plain class's prototype, and per `o.get(1)`,
 * the method the getter calls: V8's own price of an index getter (it takes the element lookup's
 * slow path, as any object's index accessors and a Proxy do), which every `values[1]` pays.
 */
function timeIndexGetter(): { getter: number; method: number } {
  class Row {
    constructor(readonly base: number) {}
    get(i: number): number {
      return this.base + i;
    }
  }
  for (let i = 0; i < 16; i++) Object.defineProperty(Row.prototype, i, { get(this: Row): number { return this.get(i); } });
  const rows = Array.from({ length: 64 }, (_, i) => new Row(i)) as (Row & { [i: number]: number })[];
  let total = 0;
  const [getter, method] = timeAll([
    (n) => {
      for (let i = 0; i < n; i++) total += rows[i & 63][1];
    },
    (n) => {
      for (let i = 0; i < n; i++) total += rows[i & 63].get(1);
    },
  ]);
  keep(total);
  return { getter, method };
}

/** How many event-loop turns the ffi.gc() and register() rows time, and the calls made in each. */
const GC_TURNS = 1000;
const GC_PER_TURN = 1000;

/** ns per call of ffi.gc() and of FinalizationRegistry.register(), made across turns of the event loop and in one synchronous loop. */
interface GcTimes {
  readonly gc: number;
  readonly register: number;
  readonly gcLoop: number;
  readonly registerLoop: number;
}

/**
 * ns per ffi.gc() and per FinalizationRegistry.register() of a small object. As a program makes
 * them: GC_PER_TURN calls per turn of the event loop, for GC_TURNS turns (after 100 to warm up),
 * the wall time of it all (the collections and finalizers in between included) net of as many
 * empty turns. And in one synchronous loop (timeAll's rounds, their mean), where no destructor
 * can run. Each loop runs in processes of its own, taking turns, the median of `runs`: in one
 * process, the collections one loop brings (ffi.gc()'s charge starts one per 32,768 waiting
 * destructors, see lib/cdata/lifetime.ts) would land in whichever loop ran at the time.
 */
function timeGc(runs: number): GcTimes {
  const alone = (body: string, turns: boolean): number => {
    const script = `
      const { FFI } = require(${JSON.stringify(packageRoot)});
      const { timeAll, keep } = require(${JSON.stringify(require.resolve('./timing'))});
      const ffi = new FFI();
      const base = ffi.cast('void *', 0x1000);
      const noop = () => undefined;
      const registry = new FinalizationRegistry(noop);
      let x;
      const calls = (n) => { for (let i = 0; i < n; i++) { ${body} } keep(x); };
      const turn = () => new Promise((resolve) => setImmediate(resolve));
      (async () => {
        if (!${turns}) return console.log(timeAll([calls], { mean: true })[0]);
        for (let k = 0; k < 100; k++) { calls(${GC_PER_TURN}); await turn(); }
        const t0 = process.hrtime.bigint();
        for (let k = 0; k < ${GC_TURNS}; k++) { calls(${GC_PER_TURN}); await turn(); }
        console.log(Number(process.hrtime.bigint() - t0) / ${GC_TURNS * GC_PER_TURN});
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench/runtime: the loop '${body}' failed:\n${r.stderr}`);
    return Number(r.stdout);
  };
  const GC = 'x = ffi.gc(base, noop);';
  const REGISTER = 'x = { i }; registry.register(x, i);';
  const t: Record<keyof GcTimes, number[]> = { gc: [], register: [], gcLoop: [], registerLoop: [] };
  for (let i = 0; i < runs; i++) {
    const empty = alone('', true);
    t.gc.push(alone(GC, true) - empty);
    t.register.push(alone(REGISTER, true) - empty);
    t.gcLoop.push(alone(GC, false));
    t.registerLoop.push(alone(REGISTER, false));
  }
  return { gc: median(t.gc), register: median(t.register), gcLoop: median(t.gcLoop), registerLoop: median(t.registerLoop) };
}

/** RSS growth in MiB (peak over the run, against the start) of STRDUP_GC_COUNT strdup + ffi.gc(p, free), 1,000 per event-loop turn, in a fresh process. */
function strdupGcMib(cache: string): number {
  const script = `
    const { FFI } = require(${JSON.stringify(packageRoot)});
    const ffi = new FFI();
    ffi.cdef(${JSON.stringify(ROWS_CDEF)});
    const C = ffi.verify(${JSON.stringify(ROWS_SOURCE)}, { tmpdir: ${JSON.stringify(cache)} });
    const rss = () => process.memoryUsage().rss / 2 ** 20;
    (async () => {
      await new Promise((r) => setTimeout(r, 10));
      const start = rss();
      let peak = 0;
      for (let i = 0; i < ${STRDUP_GC_COUNT}; i += 1000) {
        for (let k = 0; k < 1000; k++) ffi.gc(C.strdup('a string of some length, as a row would hold'), C.free);
        await new Promise((r) => setImmediate(r));
        peak = Math.max(peak, rss() - start);
      }
      console.log(JSON.stringify({ peak }));
    })();`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`strdup + ffi.gc run failed:\n${r.stderr}`);
  return (JSON.parse(r.stdout) as { peak: number }).peak;
}

/**
 * Median wall ms of each program, the programs taking turns `runs` times: run as `node -e <code>`
 * ('eval'), or from a file ('file'), as programs are run (node -e loads modules such as crypto
 * before the code runs, which then costs the code nothing).
 */
function nodeRuns(programs: readonly string[], how: 'eval' | 'file', runs: number, env: NodeJS.ProcessEnv = process.env): number[] {
  const dir = how === 'file' ? fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-bench-start-')) : null;
  const args = programs.map((code, i): string[] => {
    if (dir === null) return ['-e', code || '0'];
    const file = path.join(dir, `start-${i}.js`);
    fs.writeFileSync(file, `${code}\n`);
    return [file];
  });
  const times: number[][] = programs.map(() => []);
  for (let r = 0; r < runs; r++) {
    // Each round starts with another program, so that whatever slows a round's first start (or
    // last) falls on each program alike.
    for (let k = 0; k < args.length; k++) {
      const i = (r + k) % args.length;
      const t0 = process.hrtime.bigint();
      const s = spawnSync(process.execPath, args[i], { cwd: packageRoot, encoding: 'utf8', env });
      times[i].push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (s.status !== 0) throw new Error(`node ${args[i].join(' ')} failed:\n${s.stderr}`);
    }
  }
  if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
  return times.map(median);
}

/** A cache directory of its own holding the code cache that one run of `program` leaves, and the environment naming it. */
function codeCacheLeftBy(program: string): { env: NodeJS.ProcessEnv; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-bench-code-cache-'));
  const env = { ...process.env, NODE_CFFI_CACHE: dir };
  const r = spawnSync(process.execPath, ['-e', program], { cwd: packageRoot, encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`bench/runtime: the program priming the code cache failed:\n${r.stderr}`);
  if (!fs.readdirSync(dir).some((f) => f.endsWith('.v8cache'))) throw new Error('bench/runtime: the priming program left no code cache');
  return { env, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The rows; `peer` adds Python CFFI's figures where it ran. */
export function benchRuntime(cache: string, peer: RuntimePeer | null, runs = Number(process.env.BENCH_RUNS ?? 7)): Row[] {
  const t = { ...timeRows(cache), ...timeGc(runs) };
  const rows: Row[] = [
    { what: 'ffi.gc(p, destructor), 1,000 per turn', ours: t.gc, versus: 'FinalizationRegistry.register, the same', theirs: t.register, unit: 'ns', target: '<= 3x' },
    { what: 'ffi.gc(p, destructor), one synchronous loop', ours: t.gcLoop, versus: 'FinalizationRegistry.register, the same', theirs: t.registerLoop, unit: 'ns' },
  ];
  if (peer) {
    rows.push({ what: 'ffi.gc(p, destructor), 1,000 per turn', ours: t.gc, versus: 'Python CFFI ffi.gc', theirs: peer.gc_ns, unit: 'ns' });
    rows.push({ what: 'callback, char ** row (2 ffi.string)', ours: t.rows, versus: 'Python CFFI, the same callback', theirs: peer.rows_ns, unit: 'ns', target: '<= 1x' });
    rows.push({ what: 'callback, char ** row, values.get(1)', ours: t.rowsGet, versus: 'Python CFFI, the same callback', theirs: peer.rows_ns, unit: 'ns', target: '<= 1x' });
  }
  rows.push({ what: 'callback, char ** row, values.get(1)', ours: t.rowsGet, versus: 'raw koffi, koffi.decode of the two strings', theirs: t.rowsRaw, unit: 'ns' });
  const index = timeIndexGetter();
  rows.push({ what: 'V8 alone: o[1] through an index getter on a class prototype', ours: index.getter, versus: 'o.get(1), the method it calls', theirs: index.method, unit: 'ns' });
  if (peer) rows.push({ what: 'callback, char ** row, raw koffi', ours: t.rowsRaw, versus: 'Python CFFI, the same callback', theirs: peer.rows_ns, unit: 'ns' });
  const mib = strdupGcMib(cache);
  rows.push({ what: `RSS growth, ${STRDUP_GC_COUNT.toLocaleString('en')} strdup + ffi.gc`, ours: mib, versus: peer ? 'Python CFFI, the same' : '-', theirs: peer ? peer.strdup_gc_mib : NaN, unit: 'MiB', target: '< 64 MiB' });
  // The package by its directory (package.json's main, the entry with its code cache), as koffi. The
  // code cache grows with what the programs using it ran (lib/loader.ts), and its size is part of
  // the start: each row names the program whose run left the cache it loads, in a directory of its own.
  const programs = ['', `require(${JSON.stringify(packageRoot)});`, `require(${JSON.stringify(require.resolve('koffi'))});`];
  const used = codeCacheLeftBy(`const { FFI } = require(${JSON.stringify(packageRoot)}); const ffi = new FFI();
    ffi.cdef('int abs(int); struct pt { int x, y; };'); ffi.dlopen(null).abs(-3); ffi.new('struct pt *').x = 1; ffi.string(ffi.new('char[]', 'hi'));`);
  const required = codeCacheLeftBy(programs[1]);
  // A net time at or below zero says the run was noisier than what it measures: no figure, rather than a negative ratio.
  const net = (t: number, bare: number): number => (t - bare > 0 ? t - bare : NaN);
  const koffiNet = (t: number, bare: number): string => (t - bare > 0 ? "require('koffi'), net" : `require('koffi'), net: below this run's noise (${(t - bare).toFixed(1)} ms)`);
  try {
    const [bareE, oursE, koffiE] = nodeRuns(programs, 'eval', runs * 3, used.env);
    rows.push({ what: "require('node-cffi'), net of node -e 0 (code cache of a program using it)", ours: net(oursE, bareE), versus: koffiNet(koffiE, bareE), theirs: net(koffiE, bareE), unit: 'ms', target: '<= 2x' });
    const [bare, ours, koffi] = nodeRuns(programs, 'file', runs * 3, used.env);
    rows.push({ what: "require('node-cffi') in a file, net of an empty one (the same cache)", ours: net(ours, bare), versus: koffiNet(koffi, bare), theirs: net(koffi, bare), unit: 'ms', target: '<= 2x' });
    const [bareR, oursR, koffiR] = nodeRuns(programs, 'file', runs * 3, required.env);
    rows.push({ what: "require('node-cffi') in a file, net (code cache of a program only requiring it)", ours: net(oursR, bareR), versus: koffiNet(koffiR, bareR), theirs: net(koffiR, bareR), unit: 'ms' });
  } finally {
    used.remove();
    required.remove();
  }
  return rows;
}
