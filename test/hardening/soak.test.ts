// Soak: a million calls, a million allocations, 100,000 callbacks and 10,000 cached verify() calls in one process.
import { spawnSync } from 'child_process';

const LONG = process.env.NODE_CFFI_LONG === '1';
const SCALE = LONG ? 10 : 1;
/** The bound this test states: RSS after a final GC stays within this many MiB of where the run began. */
const RSS_BOUND_MIB = 150;

const SCRIPT = `
  const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
  const { callbackSlotsInUse } = require(${JSON.stringify(require.resolve('../../lib/backend/koffi'))});
  const MiB = 2 ** 20;
  const rss = () => process.memoryUsage().rss / MiB;
  const settle = async () => { global.gc(); await new Promise((r) => setTimeout(r, 20)); global.gc(); };
  const SOURCE = 'int add(int a, int b) { return a + b; } int apply(int (*f)(int, int), int a, int b) { return f(a, b); }';
  const CDEF = 'int add(int a, int b); int apply(int (*f)(int, int), int a, int b);';
  (async () => {
    const ffi = new FFI();
    ffi.cdef(CDEF);
    const C = ffi.verify(SOURCE);
    const scale = ${SCALE};
    await settle();
    const start = rss();
    const phases = {};
    let slotsBefore;
    const mark = async (name, t0) => { await settle(); phases[name] = { mib: +(rss() - start).toFixed(1), ms: Date.now() - t0 }; };

    let t0 = Date.now(), sum = 0, want = 0;
    for (let i = 0; i < 1e6 * scale; i++) { sum += C.add(i & 1023, 1); want += (i & 1023) + 1; }
    if (sum !== want) throw new Error('wrong sum ' + sum);
    await mark('calls', t0);

    t0 = Date.now(); sum = 0;
    for (let i = 0; i < 1e6 * scale; i++) { const p = ffi.new('int[4]'); p[i & 3] = 1; sum += p[i & 3]; }
    if (sum !== 1e6 * scale) throw new Error('wrong allocations ' + sum);
    await mark('new', t0);

    t0 = Date.now();
    slotsBefore = callbackSlotsInUse();
    // In a function of its own, so that no suspended frame of the loop still holds the last callback.
    const makeCallbacks = async () => {
      let total = 0;
      for (let i = 0; i < 1e5 * scale; i++) {
        const cb = ffi.callback('int(int, int)', (a, b) => a + b + 1);
        total += C.apply(cb, i & 7, 1);
        // A program that gives the event loop a turn now and then: dropped callbacks can only be
        // told dead (and their slots freed) once the synchronous job that made them has ended.
        if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
      }
      return total;
    };
    sum = await makeCallbacks();
    if (sum !== 1e5 * scale * 5.5) throw new Error('wrong callbacks ' + sum);
    await mark('callbacks', t0);
    const slots = callbackSlotsInUse();

    t0 = Date.now();
    for (let i = 0; i < 1e4 * scale; i++) { const f = new FFI(); f.cdef(CDEF); if (f.verify(SOURCE).add(i, 1) !== i + 1) throw new Error('wrong verify'); }
    await mark('verify hits', t0);

    console.log(JSON.stringify({ phases, slotsBefore, slots, total: +(rss() - start).toFixed(1) }));
  })().catch((e) => { console.error(e); process.exit(1); });
`;

test(`soak (scale ${SCALE}): RSS stays within ${RSS_BOUND_MIB} MiB after GC, and callback slots are reclaimed`, () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', require.resolve('tsx/cjs'), '-e', SCRIPT], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  expect(r.stderr).toBe('');
  const report = JSON.parse(r.stdout) as { phases: Record<string, { mib: number; ms: number }>; slotsBefore: number; slots: number; total: number };
  if (process.env.NODE_CFFI_REPORT === '1') process.stdout.write(`soak: ${r.stdout}`);
  for (const [name, p] of Object.entries(report.phases)) expect({ name, within: p.mib < RSS_BOUND_MIB }).toEqual({ name, within: true });
  expect(report.total).toBeLessThan(RSS_BOUND_MIB);
  // 100,000 callbacks went through koffi's 8192 slots (more than it has, so dropped ones were given
  // back along the way), and once they are all dropped every slot they took is free again.
  expect({ before: report.slotsBefore, after: report.slots }).toEqual({ before: 0, after: 0 });
}, 600_000);
