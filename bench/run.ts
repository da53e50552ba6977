// `npm run bench`: node-cffi against raw koffi, a bare compiler run, and Python CFFI where present, as ratios.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import koffi from 'koffi';
import { FFI, Lib } from '../lib';
import { packageRoot } from '../lib/package';
import { benchCc } from './cc';
import { benchCdef } from './cdef';
import { benchCdefPeer } from './cdefpeer';
import { benchCli } from './cli';
import { benchHeader } from './header';
import { ROWS_CDEF, ROWS_SOURCE, RuntimePeer, STRDUP_GC_COUNT, benchRuntime } from './runtime';
import { benchVerify } from './verify';
import { Loop, Row, keep, pageWriteMicros, printTable, timeAll, timeEach, timeTurns } from './timing';

const SOURCE = 'int add(int a, int b) { return a + b; }\n';
const CDEF = 'int add(int a, int b);';
const PYTHON = '/usr/bin/python3';
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-bench-'));
const cache = path.join(scratch, 'cache');
const cc = process.env.CC ?? 'cc';

const rows: Row[] = [];

function verifyAdd(source: string): Lib {
  return declared().verify(source, { tmpdir: cache, extraCompileArgs: ['-O3'] });
}

/** An FFI with the cdef done: timings cover verify() alone, as Python CFFI's do. */
function declared(): FFI {
  const ffi = new FFI();
  ffi.cdef(CDEF);
  return ffi;
}

/** Python CFFI's numbers for the same operations, or null when python3-cffi is not installed. */
function pythonPeer(): ({ version: string; verify_cold_ms: number; verify_warm_ms: number; ops_ns: Record<string, number> } & RuntimePeer) | null {
  if (!fs.existsSync(PYTHON)) return null;
  const probe = spawnSync(PYTHON, ['-c', 'import cffi'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const r = spawnSync(PYTHON, [path.join(packageRoot, 'bench', 'peer_cffi.py'), String(RUNS), ROWS_SOURCE, ROWS_CDEF, String(STRDUP_GC_COUNT)], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`Python CFFI run failed:\n${r.stderr}`);
    return null;
  }
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------------------------------------
// Building: cold verify() vs a bare compiler run; warm verify() vs koffi.load + func.

function benchBuild(): void {
  // Prime the compiler-version memo of the cache directory once, as any earlier use would have.
  verifyAdd(`${SOURCE}/* prime */\n`);
  const fresh = Array.from({ length: RUNS * 5 }, declared);
  const verifyWith = (i: number, source: string) => fresh[i].verify(source, { tmpdir: cache, extraCompileArgs: ['-O3'] });
  const cfile = path.join(scratch, 'bare.c');
  fs.writeFileSync(cfile, SOURCE);
  const [cold, bare] = timeTurns(RUNS, [
    (i) => verifyWith(i, `${SOURCE}/* cold ${process.pid} ${i} */\n`),
    (i) => {
      const r = spawnSync(cc, ['-O3', '-fPIC', '-shared', '-o', path.join(scratch, `bare${i}.so`), cfile]);
      if (r.status !== 0) throw new Error(`bare compile failed: ${r.stderr}`);
    },
  ]);
  rows.push({ what: 'verify(), cold (new source)', ours: cold, versus: `bare ${cc} -O3 -shared -fPIC`, theirs: bare, unit: 'ms', target: '<= 1.3x' });

  const warmSource = `${SOURCE}/* warm ${process.pid} */\n`;
  verifyAdd(warmSource);
  const warm = timeEach(RUNS * 5, (i) => keep(verifyWith(i, warmSource).add));
  const lib = path.join(scratch, 'bare0.so');
  const load = timeEach(RUNS * 5, () => keep(koffi.load(lib).func('int add(int a, int b)')));
  rows.push({ what: 'verify(), warm (cached)', ours: warm, versus: 'koffi.load + func', theirs: load, unit: 'ms' });

  // What deep binding (every library node-cffi loads) costs at load time: libz.so.1 mapped and unmapped each time.
  const deep = timeEach(RUNS * 5, () => koffi.load('libz.so.1', { deep: true }).unload());
  const plain = timeEach(RUNS * 5, () => koffi.load('libz.so.1').unload());
  rows.push({ what: 'load + unload libz.so.1, deep binding', ours: deep, versus: 'default binding', theirs: plain, unit: 'ms' });
}

// ---------------------------------------------------------------------------------------------
// Calls and the memory model.

interface Ops {
  [name: string]: Loop;
}

/** More C for the call benchmarks: a struct by value, and a loop calling a callback. */
const OPS_SOURCE = `${SOURCE}struct pt { int x; double y; };
double pt_len2(struct pt p) { return p.x * p.x + p.y * p.y; }
int drive(int (*f)(int, int), int n) { int s = 0; for (int i = 0; i < n; i++) s += f(i, 1); return s; }
`;
const OPS_CDEF = `${CDEF} struct pt { int x; double y; }; double pt_len2(struct pt p); int drive(int (*f)(int, int), int n);`;

/** The same loop calling an extern "Python" function: C calls it by name, ffi.defExtern() gave its body. */
const EXTERN_SOURCE = 'static int ext_add(int a, int b);\nint drive_extern(int n) { int s = 0; for (int i = 0; i < n; i++) s += ext_add(i, 1); return s; }\n';
const EXTERN_CDEF = 'extern "Python" int ext_add(int a, int b); int drive_extern(int n);';

function benchOps(): Record<string, number> {
  const ffi = new FFI();
  ffi.cdef(OPS_CDEF);
  const C = ffi.verify(`${OPS_SOURCE}/* ops ${process.pid} */\n`, { tmpdir: cache, extraCompileArgs: ['-O3'] });
  const so = path.join(scratch, 'ops.so');
  const cfile = path.join(scratch, 'ops.c');
  fs.writeFileSync(cfile, OPS_SOURCE);
  const r = spawnSync(cc, ['-O3', '-fPIC', '-shared', '-o', so, cfile]);
  if (r.status !== 0) throw new Error(`compiling ${cfile} failed: ${r.stderr}`);
  // node-cffi's dlopen() first: loaded by raw koffi first, the library would be one that other code
  // loaded, which dlopen() warns of (its deep binding cannot apply to a copy already loaded).
  const abi = new FFI();
  abi.cdef(OPS_CDEF);
  const A = abi.dlopen(so);
  const raw = koffi.load(so);
  const rawAdd = raw.func('int add(int a, int b)');
  const rawPt = koffi.struct('bench_pt', { x: 'int', y: 'double' });
  const rawLen2 = raw.func('pt_len2', 'double', [rawPt]);
  const cb = ffi.callback('int(int, int)', (a: number, b: number) => a + b);
  const xffi = new FFI();
  xffi.cdef(EXTERN_CDEF);
  const X = xffi.verify(`${EXTERN_SOURCE}/* extern ${process.pid} */\n`, { tmpdir: cache, extraCompileArgs: ['-O3'] });
  xffi.defExtern(function ext_add(a: number, b: number) {
    return a + b;
  });
  const pt = ffi.new('struct pt *', { x: 3, y: 4 })[0];
  const apt = abi.new('struct pt *', { x: 3, y: 4 })[0];
  const plainPt = { x: 3, y: 4 };
  const add = C.add;
  const p = ffi.new('int[4]');
  const s = ffi.new('struct pt *');
  // Four structs read in turn, so that V8 cannot hoist a load of one unchanging field out of the loop.
  const ss = [s, ffi.new('struct pt *'), ffi.new('struct pt *'), ffi.new('struct pt *')];
  const chars = ffi.new('char[]', 'hello, world');
  const q = ffi.cast('int *', p)!;
  const ops: Ops = {
    'empty loop': (n) => { let t = 0; for (let i = 0; i < n; i++) t += i; keep(t); },
    'struct loop': (n) => { let t = 0; for (let i = 0; i < n; i++) t += ss[i & 3] === undefined ? 0 : i; keep(t); },
    'call add': (n) => { let t = 0; for (let i = 0; i < n; i++) t += add(i & 1023, 1); keep(t); },
    'call add, raw koffi': (n) => { let t = 0; for (let i = 0; i < n; i++) t += rawAdd(i & 1023, 1); keep(t); },
    'new int[4]': (n) => { let x; for (let i = 0; i < n; i++) x = ffi.new('int[4]'); keep(x); },
    'p.get(i)': (n) => { let t = 0; for (let i = 0; i < n; i++) t += p.get(i & 3); keep(t); },
    'p.set(i, v)': (n) => { for (let i = 0; i < n; i++) p.set(i & 3, i & 1023); },
    'p[i] read': (n) => { let t = 0; for (let i = 0; i < n; i++) t += p[i & 3]; keep(t); },
    'p[i] write': (n) => { for (let i = 0; i < n; i++) p[i & 3] = i & 1023; },
    'ptr.get(i)': (n) => { let t = 0; for (let i = 0; i < n; i++) t += q.get(i & 3); keep(t); },
    's.x read': (n) => { let t = 0; for (let i = 0; i < n; i++) t += ss[i & 3].x; keep(t); },
    's.y write': (n) => { for (let i = 0; i < n; i++) ss[i & 3].y = i; },
    'cast int *': (n) => { let x; for (let i = 0; i < n; i++) x = ffi.cast('int *', p); keep(x); },
    'addressof s[0].y': (n) => { let x; for (let i = 0; i < n; i++) x = ffi.addressof(s[0], 'y'); keep(x); },
    'string char[]': (n) => { let x; for (let i = 0; i < n; i++) x = ffi.string(chars); keep(x); },
    'callback round trip': (n) => keep(C.drive(cb, n)),
    'extern "Python" round trip': (n) => keep(X.drive_extern(n)),
    'struct by value, verify() wrapper': (n) => { let t = 0; for (let i = 0; i < n; i++) t += C.pt_len2(pt); keep(t); },
    'struct by value, dlopen (koffi record)': (n) => { let t = 0; for (let i = 0; i < n; i++) t += A.pt_len2(apt); keep(t); },
    'struct by value, raw koffi': (n) => { let t = 0; for (let i = 0; i < n; i++) t += rawLen2(plainPt); keep(t); },
  };
  const names = Object.keys(ops);
  const times = timeAll(names.map((n) => ops[n]));
  const [loop, structLoop] = times;
  const net: Record<string, number> = {};
  // The callback loops run in C: nothing of the JavaScript loop to take away.
  const base = (n: string) => (n.startsWith('s.') ? structLoop : n.endsWith('round trip') ? 0 : loop);
  names.forEach((n, i) => (net[n] = Math.max(times[i] - base(n), 0.01)));
  return net;
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`node-cffi benchmark — ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, koffi ${koffi.version}, ${os.platform()} ${os.arch()}`);
  const ccVersion = spawnSync(cc, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  console.log(`compiler: ${cc} (${ccVersion})`);
  const pages = pageWriteMicros();
  console.log(`memory: the first write to a page ${pages.first.toFixed(2)} us, a later write ${pages.again.toFixed(3)} us (64 MiB, one write per 4 KiB page)`);

  benchBuild();
  const ours = benchOps();
  const py = pythonPeer();
  rows.push(...benchRuntime(cache, py));
  rows.push(...benchCli());
  rows.push(...benchCc());
  rows.push(...benchVerify());
  rows.push(...benchHeader());
  rows.push(...benchCdefPeer());
  rows.push(...benchCdef());

  rows.push({ what: 'call add(int, int)', ours: ours['call add'], versus: 'raw koffi func', theirs: ours['call add, raw koffi'], unit: 'ns', target: '<= 1.2x' });
  const byValue = ours['struct by value, verify() wrapper'];
  rows.push({ what: 'struct by value, verify() wrapper', ours: byValue, versus: 'raw koffi, koffi.struct', theirs: ours['struct by value, raw koffi'], unit: 'ns' });
  rows.push({ what: 'struct by value, dlopen', ours: ours['struct by value, dlopen (koffi record)'], versus: 'raw koffi, koffi.struct', theirs: ours['struct by value, raw koffi'], unit: 'ns', target: '<= 1.1x' });
  rows.push({ what: 'extern "Python" round trip (defExtern)', ours: ours['extern "Python" round trip'], versus: 'ffi.callback round trip', theirs: ours['callback round trip'], unit: 'ns' });
  if (py) {
    rows.push({ what: 'verify(), cold', ours: rows[0].ours, versus: `Python CFFI ${py.version} verify()`, theirs: py.verify_cold_ms, unit: 'ms' });
    rows.push({ what: 'verify(), warm', ours: rows[1].ours, versus: 'Python CFFI verify()', theirs: py.verify_warm_ms, unit: 'ms' });
    const pairs: [string, string, string?][] = [
      ['call add', 'call add'],
      ['new int[4]', 'new int[4]', '>= 2x faster'],
      ['p.get(i)', 'p[i] read', '>= 3x faster'],
      ['p.set(i, v)', 'p[i] write', '>= 3x faster'],
      ['p[i] read', 'p[i] read', '< 200 ns, <= 6x'],
      ['p[i] write', 'p[i] write', '< 200 ns, <= 6x'],
      ['s.x read', 's.x read', '>= 3x faster'],
      ['s.y write', 's.y write', '>= 3x faster'],
      ['cast int *', 'cast int *', '>= 5x faster'],
      ['addressof s[0].y', 'addressof s[0].y'],
      ['string char[]', 'string char[]'],
      ['callback round trip', 'callback round trip'],
      ['extern "Python" round trip', 'extern "Python" round trip'],
      ['struct by value, verify() wrapper', 'struct by value'],
    ];
    for (const [mine, theirs, target] of pairs) {
      rows.push({ what: mine, ours: ours[mine], versus: `Python CFFI ${theirs}`, theirs: py.ops_ns[theirs], unit: 'ns', target });
    }
  } else {
    console.log('\n(Python CFFI not found: install python3-cffi to compare with it)');
    for (const name of ['new int[4]', 'p.get(i)', 'p.set(i, v)', 'p[i] read', 'p[i] write', 's.x read', 's.y write', 'cast int *']) {
      rows.push({ what: name, ours: ours[name], versus: '-', theirs: NaN, unit: 'ns' });
    }
  }

  const fmt = (x: number, unit: string) => (Number.isNaN(x) ? '-' : unit === 'ms' ? x.toFixed(2) : x.toFixed(1));
  const table = [['operation', 'node-cffi', 'compared with', 'it', 'unit', 'ratio (ours/theirs)', 'target']];
  for (const r of rows) {
    const ratio = r.ours / r.theirs;
    table.push([r.what, fmt(r.ours, r.unit), r.versus, fmt(r.theirs, r.unit), r.unit, Number.isNaN(ratio) ? '-' : `${ratio.toFixed(2)}x`, r.target ?? '']);
  }
  printTable('median of repeated runs; ns figures are net of the loop; lower ratio is better for node-cffi', table, [1, 3, 5]);
  fs.rmSync(scratch, { recursive: true, force: true });
}

main();
