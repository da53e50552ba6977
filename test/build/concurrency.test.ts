// Tests of the build stage across processes: one compile for many simultaneous builders, and recovery after a crash.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import koffi from 'koffi';
import { BuildRequest, BuildResult, buildSync } from '../../lib/build';
import { logLines, loggingCompiler, removeTempDirs, request, shellScript, tempDir } from './fixtures/helpers';
import { CC } from '../helpers/compiler';

const CHILD = path.join(__dirname, 'fixtures', 'build-child.ts');

afterEach(removeTempDirs);

function startChild(req: BuildRequest, startAt: number, detached = false): ChildProcess {
  return spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD, JSON.stringify(req), String(startAt)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
}

function outcome(child: ChildProcess): Promise<{ status: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, out, err })));
}

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('six processes building one new key at once compile it exactly once, and all succeed', async () => {
  const dir = tempDir();
  const log = path.join(dir, 'compiles.log');
  const probes = path.join(dir, 'probes.log');
  const req = request('int add(int a, int b) { return a + b; }\n', {
    compiler: loggingCompiler(dir, log, 0.3, probes),
    tmpdir: path.join(dir, 'cache'),
  });
  // Every child waits for the same instant, well after all of them have started.
  const startAt = Date.now() + 3000;
  const results = await Promise.all(Array.from({ length: 6 }, () => outcome(startChild(req, startAt))));
  for (const r of results) expect({ status: r.status, err: r.err }).toEqual({ status: 0, err: '' });
  const built = results.map((r) => JSON.parse(r.out) as BuildResult);

  expect(logLines(log)).toHaveLength(1);
  expect(new Set(built.map((b) => b.path)).size).toBe(1);
  expect(built.filter((b) => !b.cached)).toHaveLength(1);
  expect(koffi.load(built[0].path).func('int add(int, int)')(10, 20)).toBe(30);
  expect(fs.readdirSync(path.join(dir, 'cache')).filter((n) => n.endsWith('.lock') || n.startsWith('.tmp-'))).toEqual([]);

  // A later process finds library and compiler version on disk: it starts the compiler not even for --version.
  const probesBefore = logLines(probes).length;
  expect(probesBefore).toBeGreaterThanOrEqual(1);
  const warm = await outcome(startChild(req, 0));
  expect(JSON.parse(warm.out)).toEqual({ ...built[0], cached: true });
  expect(logLines(probes)).toHaveLength(probesBefore);
  expect(logLines(log)).toHaveLength(1);
});

test('a builder killed mid-compile leaves no library; the next build recovers and cleans up', async () => {
  const dir = tempDir();
  const log = path.join(dir, 'compiles.log');
  const cache = path.join(dir, 'cache');
  const slow = path.join(dir, 'slow');
  fs.writeFileSync(slow, '');
  // Compiles hang while the file `slow` exists, so that the builder can be killed in the middle.
  const compiler = shellScript(
    dir,
    'slowcc',
    `case " $* " in *" -shared "*) echo "$$" >> '${log}'; while [ -e '${slow}' ]; do sleep 0.05; done ;; esac\nexec ${CC} "$@"`,
  );
  const req = request('int add(int a, int b) { return a + b; }\n', { compiler, tmpdir: cache });
  const child = startChild(req, 0, true);
  const done = outcome(child);
  await until(() => logLines(log).length === 1, 'the compile to start');
  process.kill(-child.pid!, 'SIGKILL'); // the child and its compiler
  await done;

  const left = fs.readdirSync(cache);
  expect(left.filter((n) => n.endsWith('.so') || (n.endsWith('.json') && !n.startsWith('.')))).toEqual([]);
  expect(left.filter((n) => n.endsWith('.lock'))).toHaveLength(1);
  expect(left.filter((n) => n.startsWith('.tmp-'))).toHaveLength(1);

  // Same key: the dead builder's lock is found stale and broken; its temporary directory is swept.
  fs.unlinkSync(slow);
  const r = buildSync(req);
  expect(r.cached).toBe(false);
  expect(logLines(log)).toHaveLength(2);
  expect(koffi.load(r.path).func('int add(int, int)')(2, 40)).toBe(42);
  expect(fs.readdirSync(cache).filter((n) => n.endsWith('.lock') || n.startsWith('.tmp-'))).toEqual([]);
});
