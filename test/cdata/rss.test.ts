// Owned memory is given back: 1.6 GiB allocated as 400,000 ffi.new('char[4096]') in a loop, RSS stays bounded.
import { spawnSync } from 'child_process';

/** Runs in a child with --expose-gc; prints the RSS growth in MiB at its peak and after a final GC. */
const SCRIPT = `
  const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
  const ffi = new FFI();
  const MiB = 2 ** 20;
  for (let i = 0; i < 1000; i++) ffi.new('char[4096]'); // warm up the code paths first
  global.gc();
  const before = process.memoryUsage().rss;
  let peak = before;
  let sum = 0;
  for (let i = 0; i < 400000; i++) {
    const p = ffi.new('char[4096]');
    p[i & 4095] = 1;
    sum += p[i & 4095];
    if ((i & 8191) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  global.gc();
  const after = process.memoryUsage().rss;
  console.log(JSON.stringify({ sum, peak: (peak - before) / MiB, after: (after - before) / MiB }));
`;

test('400,000 char[4096] allocations (1.6 GiB) keep RSS within a few hundred MiB', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', require.resolve('tsx/cjs'), '-e', SCRIPT], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const { sum, peak, after } = JSON.parse(r.stdout) as { sum: number; peak: number; after: number };
  expect(sum).toBe(400000); // every allocation was really written and read
  if (process.env.NODE_CFFI_REPORT === '1') process.stdout.write(`rss: ${JSON.stringify({ peakMiB: +peak.toFixed(1), afterMiB: +after.toFixed(1) })}\n`);
  expect(peak).toBeLessThan(300);
  expect(after).toBeLessThan(100);
});
