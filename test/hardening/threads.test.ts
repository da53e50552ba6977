// Threads: .async calls, a thousand at a time, from several worker_threads each with node-cffi loaded.
import { spawnSync } from 'child_process';
import { ending, runChild } from '../helpers/child';
import { sharedLibrary } from '../helpers/fixtures';

const WORKERS = 4;
const IN_FLIGHT = 1000;

/** What each worker runs: node-cffi loaded in the worker itself, then a thousand calls of each kind at once. */
const WORKER = `
  require(${JSON.stringify(require.resolve('tsx/cjs'))});
  const { parentPort, workerData: w } = require('worker_threads');
  const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
  const ffi = new FFI();
  ffi.cdef('long long mix(long long a, int b); double scale(const double *v, int n, double k);');
  const C = ffi.verify(
    'long long mix(long long a, int b) { return a * 1000 + b; }' +
    'double scale(const double *v, int n, double k) { double s = 0; for (int i = 0; i < n; i++) s += v[i] * k; return s; }');
  (async () => {
    const calls = [];
    for (let i = 0; i < ${IN_FLIGHT}; i++) {
      const v = ffi.new('double[]', [i, 1, 2]); // JS-owned memory the call reads while in flight
      calls.push(C.mix.async(w, i).then((r) => r === w * 1000 + i));
      calls.push(C.scale.async(v, 3, 2).then((r) => r === (i + 3) * 2));
    }
    const ok = (await Promise.all(calls)).filter(Boolean).length;
    parentPort.postMessage({ worker: w, ok, of: calls.length });
  })();
`;

const SCRIPT = `
  const { Worker } = require('worker_threads');
  const runs = [];
  for (let w = 0; w < ${WORKERS}; w++) {
    runs.push(new Promise((resolve, reject) => {
      const worker = new Worker(process.env.NODE_CFFI_WORKER, { eval: true, workerData: w });
      worker.on('message', resolve);
      worker.on('error', reject);
      worker.on('exit', (code) => code !== 0 && reject(new Error('worker exited with ' + code)));
    }));
  }
  Promise.all(runs).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });
`;

test(`${WORKERS} worker threads, ${IN_FLIGHT * 2} async calls each in flight at once: every result correct, no crash`, () => {
  const r = spawnSync(process.execPath, ['-e', SCRIPT], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NODE_CFFI_WORKER: WORKER },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const results = JSON.parse(r.stdout) as { worker: number; ok: number; of: number }[];
  expect(results.sort((a, b) => a.worker - b.worker)).toEqual(
    Array.from({ length: WORKERS }, (_, w) => ({ worker: w, ok: IN_FLIGHT * 2, of: IN_FLIGHT * 2 })),
  );
});

describe('a callback from a thread of C\'s own while the JavaScript thread is inside a synchronous call', () => {
  const CDEF = `
    int call_from_thread(int (*f)(int), int x);
    int start_later(int (*f)(int), int x, int ms);
    int later_result(void);
    void sleep_ms(int ms);
  `;
  let library = '';
  beforeAll(() => {
    library = sharedLibrary('lifetimes.c');
  });

  /**
   * Runs `body` in a child that ends itself: a watchdog thread kills the process after 60 s, so
   * a hang shows as SIGKILL and a line on stderr, never as a test that waits forever.
   */
  function inChild(body: string): { told: unknown; warnings: string[]; ending: string; stderr: string } {
    const r = runChild(`
      const { Worker } = require('worker_threads');
      new Worker("setTimeout(() => { require('fs').writeSync(2, 'watchdog: still running after 60 s\\\\n'); process.kill(process.pid, 'SIGKILL'); }, 60000)", { eval: true }).unref();
      const warnings = [];
      process.on('warning', (w) => warnings.push(w.name + ': ' + w.message));
      const { FFI } = require(LIB);
      const ffi = new FFI();
      ffi.cdef(${JSON.stringify(CDEF)});
      const C = ffi.dlopen(${JSON.stringify(library)});
      const tell = (x) => setImmediate(() => console.log(JSON.stringify({ told: x, warnings })));
      ${body}
    `);
    const line = r.stdout.trim().split('\n').pop() ?? '';
    const parsed = line.startsWith('{') ? (JSON.parse(line) as { told: unknown; warnings: string[] }) : { told: null, warnings: [] };
    return { ...parsed, ending: ending(r), stderr: r.stderr };
  }

  test('C starts a thread that calls back and joins it: the callback gives C its error value, and a warning names the call and .async', () => {
    const r = inChild(`
      const cb = ffi.callback('int(int)', (x) => x + 1, { error: -1 });
      const start = process.hrtime.bigint();
      const registered = C.call_from_thread(cb, 5);
      const waited = Number(process.hrtime.bigint() - start) / 1e6;
      const transient = C.call_from_thread((x) => x * 2, 5);
      C.call_from_thread.async(cb, 5).then((viaAsync) => tell([registered, transient, viaAsync, waited]));
    `);
    expect(r.stderr).not.toMatch(/watchdog/);
    expect(r.ending).toBe('exit 0');
    // Synchronously, each callback gave its error value (-1, and 0 for a plain function); through .async it ran.
    const [registered, transient, viaAsync, waited] = r.told as number[];
    expect([registered, transient, viaAsync]).toEqual([-1, 0, 6]);
    if (process.env.NODE_CFFI_REPORT === '1') process.stdout.write(`thread callback refused after ${waited.toFixed(0)} ms inside call_from_thread()\n`);
    expect(r.warnings).toHaveLength(2);
    for (const w of r.warnings) {
      expect(w).toMatch(/^CallbackError: .* was called once by a thread of C's own while the JavaScript thread was inside the synchronous call call_from_thread\(\)/);
      expect(w).toMatch(/gave C the callback's error value instead of running it\. Call call_from_thread\.async\(\.\.\.\)/);
    }
    expect(r.warnings[0]).toMatch(/^CallbackError: ffi\.callback\('int\(int\)'\)/);
  });

  test('a thread of C\'s own that calls back while a short synchronous call runs is delayed, not refused', () => {
    const r = inChild(`
      const cb = ffi.callback('int(int)', (x) => x + 1, { error: -1 });
      C.start_later(cb, 7, 20);
      C.sleep_ms(100); // the thread calls back while this call runs: it waits for the call to return
      const poll = () => (C.later_result() === -12345 ? setTimeout(poll, 5) : tell(C.later_result()));
      poll();
    `);
    expect(r.stderr).not.toMatch(/watchdog/);
    expect(r.ending).toBe('exit 0');
    expect(r.told).toBe(8);
    expect(r.warnings).toEqual([]);
  });
});
