// Threads: .async calls, a thousand at a time, from several worker_threads each with node-cffi loaded.
import { spawnSync } from 'child_process';

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
