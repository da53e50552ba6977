// The examples run as a newcomer runs them (npx tsx examples/<name>.ts) and print what they promise.
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

function runExample(name: string): string {
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), path.join(ROOT, 'examples', name)], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

test('seed.ts: two native addresses and the sum from the runtime-compiled add', () => {
  const lines = runExample('seed.ts').trim().split('\n');
  expect(lines).toHaveLength(3);
  const [, a] = lines[0].match(/^Memory address of num1: (\d+)$/) ?? [];
  const [, b] = lines[1].match(/^Memory address of num2: (\d+)$/) ?? [];
  expect(Number(a)).toBeGreaterThan(4096);
  expect(Number(b)).toBeGreaterThan(4096);
  expect(Math.abs(Number(b) - Number(a))).toBeGreaterThanOrEqual(4); // two distinct ints
  expect(lines[2]).toBe('The result of adding 10 and 20 is: 30');
});

test('memory.ts: the tour runs and shows addresses, layouts and C writing into JS memory', () => {
  const out = runExample('memory.ts');
  expect(out).toMatch(/<cdata 'int\[4\]' owning 16 bytes>/);
  expect(out).toMatch(/0x[0-9a-f]+/);
  expect(out).toMatch(/C filled: \[ 0, 1, 4, 9 \]/);
  expect(out).toMatch(/offset of y: 8/);
});

test('callbacks.ts: qsort with JavaScript comparators, and a callback C keeps', () => {
  expect(runExample('callbacks.ts')).toBe(
    'sorted ints: 3, 7, 19, 42, 88\nby age: Linus (21), Ada (36), Grace (85)\nC logged: even, odd, even\n',
  );
});

test('async.ts: the event loop keeps ticking while C runs on worker threads', () => {
  const out = runExample('async.ts');
  const [, slept, sum] = out.match(/^slept (\d+) ms and summed to (\d+) in \d+ ms on worker threads$/m) ?? [];
  expect(Number(slept)).toBe(300);
  expect(Number(sum)).toBe(599999998);
  const [, ticks] = out.match(/the event loop ran (\d+) timer ticks/) ?? [];
  expect(Number(ticks)).toBeGreaterThanOrEqual(1); // the loop ran while C worked (how often depends on the machine)
});
