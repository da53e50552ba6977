// Soak: a million calls, a million allocations, 100,000 callbacks, 10,000 cached verify() calls and 20,000 discarded FFIs in one process.
import { spawnSync } from 'child_process';
import { ending, runChild } from '../helpers/child';

const LONG = process.env.NODE_CFFI_LONG === '1';
const SCALE = LONG ? 10 : 1;
/** The bound this test states: RSS after a final GC stays within this many MiB of where the run began. */
const RSS_BOUND_MIB = 150;
/** The bound docs/reliability.md states for FFIs made and dropped: the JavaScript heap after GC grows by less than this. */
const DISCARDED_HEAP_BOUND_MIB = 10;

const SCRIPT = `
  const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
  const { callbackSlotsInUse } = require(${JSON.stringify(require.resolve('../../lib/backend/koffi'))});
  const MiB = 2 ** 20;
  const rss = () => process.memoryUsage().rss / MiB;
  const settle = async () => { global.gc(); await new Promise((r) => setTimeout(r, 20)); global.gc(); };
  const SOURCE = 'int add(int a, int b) { return a + b; } int apply(int (*f)(int, int), int a, int b) { return f(a, b); }';
  const CDEF = 'int add(int a, int b); int apply(int (*f)(int, int), int a, int b);';
  // Struct types in function signatures: nothing may keep a dropped FFI's types alive.
  const STRUCT_CDEF = 'struct pt { int x, y; }; struct box { struct pt a, b; }; ' +
    'int area(struct box *b, struct pt (*f)(struct pt)); typedef void (*visit_t)(struct pt *, int);';
  // Counts the struct types of dropped FFIs still alive (held here, so that it outlives the run).
  let structsAlive = 0;
  const collected = new FinalizationRegistry(() => structsAlive--);
  (async () => {
    const ffi = new FFI();
    ffi.cdef(CDEF);
    const C = ffi.verify(SOURCE);
    const scale = ${SCALE};
    await settle();
    const start = rss();
    const phases = {};
    const mark = async (name, t0) => { await settle(); phases[name] = { mib: +(rss() - start).toFixed(1), ms: Date.now() - t0 }; };

    let t0 = Date.now(), sum = 0, want = 0;
    for (let i = 0; i < 1e6 * scale; i++) { sum += C.add(i & 1023, 1); want += (i & 1023) + 1; }
    if (sum !== want) throw new Error('wrong sum ' + sum);
    await mark('calls', t0);

    t0 = Date.now(); sum = 0;
    for (let i = 0; i < 1e6 * scale; i++) { const p = ffi.new('int[4]'); p[i & 3] = 1; sum += p[i & 3]; }
    if (sum !== 1e6 * scale) throw new Error('wrong allocations ' + sum);
    await mark('new', t0);

    t0 = Date.now(); sum = 0;
    for (let i = 0; i < 1e5 * scale; i++) {
      const cb = ffi.callback('int(int, int)', (a, b) => a + b + 1);
      sum += C.apply(cb, i & 7, 1);
      // A program that gives the event loop a turn now and then: dropped callbacks can only be
      // told dead (and their slots freed) once the synchronous job that made them has ended.
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
    }
    if (sum !== 1e5 * scale * 5.5) throw new Error('wrong callbacks ' + sum);
    await mark('callbacks', t0);
    const slots = callbackSlotsInUse();

    t0 = Date.now();
    for (let i = 0; i < 1e4 * scale; i++) { const f = new FFI(); f.cdef(CDEF); if (f.verify(SOURCE).add(i, 1) !== i + 1) throw new Error('wrong verify'); }
    await mark('verify hits', t0);

    t0 = Date.now();
    const heap = () => process.memoryUsage().heapUsed / MiB;
    const heapBefore = heap();
    for (let i = 0; i < 2e4 * scale; i++) {
      const f = new FFI();
      f.cdef(STRUCT_CDEF);
      collected.register(f.typeof('struct pt'), 0);
      structsAlive++;
    }
    await mark('discarded FFIs', t0);
    await settle();
    const discarded = { heapMiB: +(heap() - heapBefore).toFixed(1), structsAlive };

    console.log(JSON.stringify({ phases, slots, discarded, total: +(rss() - start).toFixed(1) }));
  })().catch((e) => { console.error(e); process.exit(1); });
`;

test(`soak (scale ${SCALE}): RSS stays within ${RSS_BOUND_MIB} MiB after GC, callback slots are reclaimed, dropped FFIs free their types`, () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', require.resolve('tsx/cjs'), '-e', SCRIPT], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  expect(r.stderr).toBe('');
  const report = JSON.parse(r.stdout) as {
    phases: Record<string, { mib: number; ms: number }>;
    slots: number;
    discarded: { heapMiB: number; structsAlive: number };
    total: number;
  };
  if (process.env.NODE_CFFI_REPORT === '1') process.stdout.write(`soak: ${r.stdout}`);
  for (const [name, p] of Object.entries(report.phases)) expect({ name, within: p.mib < RSS_BOUND_MIB }).toEqual({ name, within: true });
  expect(report.total).toBeLessThan(RSS_BOUND_MIB);
  // 100,000 callbacks went through koffi's 8192 slots: the dropped ones were given back.
  expect(report.slots).toBeLessThan(8192);
  // 20,000 FFIs with struct types in their signatures, dropped: their types went with them.
  expect(report.discarded.heapMiB).toBeLessThan(DISCARDED_HEAP_BOUND_MIB);
  expect(report.discarded.structsAlive).toBe(0);
}, 600_000);

test('running out of callback slots leaves the process as it was: no V8 flag is turned on', () => {
  // 9,000 callbacks made in one synchronous job: none can be collected before the job ends, so
  // koffi's 8,192 slots run out. Without --expose-gc given to the process, node-cffi must not
  // expose gc itself (a context made afterwards would then see a gc() function).
  const r = runChild(`
    const { FFI } = require(LIB);
    const vm = require('vm');
    const ffi = new FFI();
    let error = null;
    try {
      for (let i = 0; i < 9000; i++) ffi.callback('int(int)', (x) => x);
    } catch (e) {
      error = e;
    }
    console.log(JSON.stringify({ name: error?.name ?? null, message: error?.message ?? null, gc: vm.runInNewContext('typeof gc') }));
  `);
  expect(ending(r)).toBe('exit 0');
  const report = JSON.parse(r.stdout) as { name: string | null; message: string | null; gc: string };
  expect(report.name).toBe('FFIError');
  expect(report.message).toContain('ffi.callback(): koffi could not create the callback');
  expect(report.gc).toBe('undefined');
});
