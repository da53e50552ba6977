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

function startChild(req: BuildRequest, barrier = '', detached = false): ChildProcess {
  return spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD, JSON.stringify(req), barrier], {
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

/** Waits until `condition` holds; fails at once if one of `children` ends first (nothing would change then). */
async function until(condition: () => boolean, what: string, children: readonly ChildProcess[]): Promise<void> {
  while (!condition()) {
    const ended = children.find((c) => c.exitCode !== null || c.signalCode !== null);
    if (ended) throw new Error(`a child ended (${ended.exitCode ?? ended.signalCode}) before ${what}`);
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
  // Every child waits at a barrier, which opens once all of them are ready.
  const barrier = path.join(dir, 'barrier');
  fs.mkdirSync(barrier);
  const children = Array.from({ length: 6 }, () => startChild(req, barrier));
  const finished = Promise.all(children.map(outcome));
  await until(() => fs.readdirSync(barrier).length === 6, 'all six were ready', children);
  fs.writeFileSync(path.join(barrier, 'go'), '');
  const results = await finished;
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
  const warm = await outcome(startChild(req));
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
  const child = startChild(req, '', true);
  const done = outcome(child);
  await until(() => logLines(log).length === 1, 'the compile started', [child]);
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
