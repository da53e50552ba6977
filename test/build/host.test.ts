// Tests of the Node-backed Host the build stage runs on, and of the runners that drive one routine sync or async.
import * as fs from 'fs';
import * as path from 'path';
import { WriteOptions, isErrno, nodeHost, useProgramRunner } from '../../lib/host';
import { native } from '../../lib/backend/native';
import { Task, hostTasks, runAsync, runSync, step } from '../../lib/tasks';
import { TEMP_NAME, readSmall, writeAtomic } from '../../lib/build/files';
import { deadPid, removeTempDirs, tempDir } from './fixtures/helpers';
import { runChild } from '../helpers/child';

afterEach(removeTempDirs);

const TRICKY = ['a b', '$(touch CANARY)', '`touch CANARY`', "it's", '"q"', ';', '|', '*', '', '\\'];

/** The ways spawnSync runs a program: Node's child_process, and the native helper's runner when it is built. */
const RUNNERS = [['child_process', null], ['the native runner', native?.runProgram ?? null]] as const;

describe.each(RUNNERS)('spawnSync through %s', (name, runner) => {
  beforeAll(() => {
    if (name !== 'child_process' && runner === null) throw new Error('the native helper is not built, or lacks runProgram: build it with npm rebuild');
    useProgramRunner(runner);
  });
  afterAll(() => useProgramRunner(native?.runProgram ?? null));

  test('passes every argument literally, with no shell, and nothing on standard input', () => {
    const dir = tempDir();
    const r = nodeHost.spawnSync('/usr/bin/printf', ['%s\\n', ...TRICKY], { cwd: dir });
    expect(r).toEqual({ status: 0, signal: null, error: undefined, timedOut: false, overflowed: false, stderr: '', stdout: TRICKY.map((a) => `${a}\n`).join('') });
    expect(fs.readdirSync(dir)).toEqual([]);
    // Standard input is /dev/null (named, not read: on some machines /dev/null is a plain file that holds what was written to it).
    expect(nodeHost.spawnSync('/bin/sh', ['-c', 'readlink /proc/self/fd/0; echo "$0"'])).toMatchObject({ status: 0, stdout: '/dev/null\n/bin/sh\n' });
  });

  test('cwd and extra environment reach the child; status, both outputs and a signal come back', () => {
    const dir = tempDir();
    const opts = { cwd: dir, extraEnv: { NODE_CFFI_PROBE: 'hello' } };
    expect(nodeHost.spawnSync('/bin/sh', ['-c', 'pwd; echo "$NODE_CFFI_PROBE $HOME"; echo oops >&2; exit 3'], opts)).toEqual({
      status: 3, signal: null, stdout: `${fs.realpathSync(dir)}\nhello ${process.env.HOME}\n`, stderr: 'oops\n', error: undefined, timedOut: false, overflowed: false,
    });
    expect(nodeHost.spawnSync('/bin/sh', ['-c', 'echo part; kill -SEGV $$'])).toEqual({
      status: null, signal: 'SIGSEGV', stdout: 'part\n', stderr: '', error: undefined, timedOut: false, overflowed: false,
    });
  });

  test('output past the limit stops the child and keeps the limit', () => {
    const r = nodeHost.spawnSync('/bin/sh', ['-c', 'head -c 70000000 /dev/zero; echo never >&2']);
    expect([r.overflowed, r.timedOut, r.signal, r.stdout.length, r.stderr, r.error]).toEqual([true, false, 'SIGKILL', 64 * 1024 * 1024, '', undefined]);
  });

  test('a missing program is an error result in the words of Node, not a throw', () => {
    const s = nodeHost.spawnSync('/nonexistent/prog', ['a']);
    expect(isErrno(s.error, 'ENOENT')).toBe(true);
    expect([s.error?.message, s.status, s.signal, s.stdout]).toEqual(['spawnSync /nonexistent/prog ENOENT', null, null, '']);
    expect(s.error).toMatchObject({ syscall: 'spawnSync /nonexistent/prog', path: '/nonexistent/prog', spawnargs: ['a'] });
  });

  test('a notice is written to standard error once the child has run that long, and not for a short run', () => {
    // In a child process, whose standard error is read here.
    const script = `
      const { nodeHost, useProgramRunner } = require(LIB + '/host');
      const { native } = require(LIB + '/backend/native');
      useProgramRunner(${name === 'child_process' ? 'null' : 'native.runProgram'});
      const quick = nodeHost.spawnSync('/bin/true', [], { notice: { afterMs: 5000, text: 'NOT SAID' } });
      const slow = nodeHost.spawnSync('/bin/sh', ['-c', 'sleep 1; echo done'], { notice: { afterMs: 100, text: 'still compiling' } });
      process.stdout.write(JSON.stringify([quick.status, slow.stdout]));`;
    const r = runChild(script);
    expect(r.stderr).not.toContain('NOT SAID');
    expect([r.status, r.stdout, r.stderr.trim()]).toEqual([0, '[0,"done\\n"]', 'still compiling']);
  });
});

describe('spawning', () => {
  test('spawnSync passes every argument literally, with no shell', () => {
    const dir = tempDir();
    const r = nodeHost.spawnSync('/usr/bin/printf', ['%s\\n', ...TRICKY], { cwd: dir });
    expect(r).toMatchObject({ status: 0, signal: null, error: undefined, timedOut: false, stderr: '' });
    expect(r.stdout).toBe(TRICKY.map((a) => `${a}\n`).join(''));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('spawn passes every argument literally, with no shell', async () => {
    const dir = tempDir();
    const r = await nodeHost.spawn('/usr/bin/printf', ['%s\\n', ...TRICKY], { cwd: dir });
    expect(r).toMatchObject({ status: 0, signal: null, error: undefined, timedOut: false });
    expect(r.stdout).toBe(TRICKY.map((a) => `${a}\n`).join(''));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('cwd and extra environment reach the child', async () => {
    const dir = tempDir();
    const script = ['-c', 'pwd; echo "$NODE_CFFI_PROBE"; echo oops >&2; exit 3'];
    const expected = { status: 3, stdout: `${fs.realpathSync(dir)}\nhello\n`, stderr: 'oops\n', timedOut: false };
    const opts = { cwd: dir, extraEnv: { NODE_CFFI_PROBE: 'hello' } };
    expect(nodeHost.spawnSync('/bin/sh', script, opts)).toMatchObject(expected);
    expect(await nodeHost.spawn('/bin/sh', script, opts)).toMatchObject(expected);
  });

  test('a timeout kills the child and says so, not waiting for grandchildren that hold its pipes', async () => {
    // Child and grandchild sleep past this test's own timeout: waiting for either would fail the test.
    const dir = tempDir();
    const script = (name: string) => ['-c', `sleep 120 & echo $! > ${name}; exec sleep 120`];
    const grandchildren: number[] = [];
    try {
      const s = nodeHost.spawnSync('/bin/sh', script('sync.pid'), { cwd: dir, timeout: 200 });
      grandchildren.push(Number(fs.readFileSync(path.join(dir, 'sync.pid'), 'utf8')));
      expect(s).toMatchObject({ status: null, signal: 'SIGKILL', timedOut: true, error: undefined });
      const a = await nodeHost.spawn('/bin/sh', script('async.pid'), { cwd: dir, timeout: 200 });
      grandchildren.push(Number(fs.readFileSync(path.join(dir, 'async.pid'), 'utf8')));
      expect(a).toMatchObject({ status: null, signal: 'SIGKILL', timedOut: true, error: undefined });
      // The grandchildren were still running when the calls returned: nothing waited for them.
      expect(grandchildren.map((pid) => nodeHost.processAlive(pid))).toEqual([true, true]);
    } finally {
      for (const pid of grandchildren) if (nodeHost.processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 300_000);

  test('a missing program is an error result, not a throw', async () => {
    const s = nodeHost.spawnSync('/nonexistent/prog', []);
    expect(isErrno(s.error, 'ENOENT')).toBe(true);
    const a = await nodeHost.spawn('/nonexistent/prog', []);
    expect(isErrno(a.error, 'ENOENT')).toBe(true);
    expect(a.status).toBeNull();
  });
});

describe('process and clock', () => {
  test('sleep blocks for the time asked: a wait that times out after it', () => {
    const wait = jest.spyOn(Atomics, 'wait');
    try {
      nodeHost.sleep(50);
      expect(wait).toHaveBeenCalledTimes(1);
      expect(wait.mock.calls[0][3]).toBe(50);
      expect(wait.mock.results[0]).toEqual({ type: 'return', value: 'timed-out' });
    } finally {
      wait.mockRestore();
    }
  });

  test('processAlive tells running processes from exited ones', () => {
    expect(nodeHost.processAlive(process.pid)).toBe(true);
    expect(nodeHost.processAlive(deadPid())).toBe(false);
  });

  test('the identity calls answer as Node does', () => {
    expect(nodeHost.pid()).toBe(process.pid);
    expect(nodeHost.uid()).toBe(process.getuid!());
    expect(nodeHost.env('PATH')).toBe(process.env.PATH);
  });
});

describe('tasks run sync and async alike', () => {
  function* copyUpper(from: string, to: string): Task<string> {
    const io = hostTasks(nodeHost);
    let text: string;
    try {
      text = (yield* io.readFile(from)).toString('utf8');
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
      text = 'missing';
    }
    yield* io.writeFile(to, text.toUpperCase(), { flag: 'wx' });
    return text;
  }

  test('results and caught errors are the same both ways', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'in'), 'abc');
    expect(runSync(copyUpper(path.join(dir, 'in'), path.join(dir, 'out1')))).toBe('abc');
    expect(await runAsync(copyUpper(path.join(dir, 'in'), path.join(dir, 'out2')))).toBe('abc');
    expect(runSync(copyUpper(path.join(dir, 'nope'), path.join(dir, 'out3')))).toBe('missing');
    expect(await runAsync(copyUpper(path.join(dir, 'nope'), path.join(dir, 'out4')))).toBe('missing');
    expect(['out1', 'out2', 'out3', 'out4'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))).toEqual([
      'ABC', 'ABC', 'MISSING', 'MISSING',
    ]);
  });

  test('uncaught errors leave the task: thrown by runSync, rejected by runAsync', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'out'), 'taken');
    expect(() => runSync(copyUpper(path.join(dir, 'nope'), path.join(dir, 'out')))).toThrow(/EEXIST/);
    await expect(runAsync(copyUpper(path.join(dir, 'nope'), path.join(dir, 'out')))).rejects.toThrow(/EEXIST/);
  });

  test('the runner picks the form: sync never touches the promise side, async never the blocking side', async () => {
    const calls: string[] = [];
    const both = (): Task<number> => step(() => (calls.push('sync'), 1), async () => (calls.push('async'), 2));
    expect(runSync(both())).toBe(1);
    expect(await runAsync(both())).toBe(2);
    expect(calls).toEqual(['sync', 'async']);
  });
});

describe('files by descriptor', () => {
  test('open refuses a symbolic link and opens a FIFO without waiting for a writer; fstat and read go through the descriptor', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, 'hello world');
    fs.symlinkSync(file, path.join(dir, 'link'));
    expect(() => nodeHost.openSync(path.join(dir, 'link'))).toThrow(/ELOOP/);
    await expect(nodeHost.open(path.join(dir, 'link'))).rejects.toThrow(/ELOOP/);
    const fifo = path.join(dir, 'fifo');
    expect(require('child_process').spawnSync('mkfifo', [fifo]).status).toBe(0);
    const f1 = nodeHost.openSync(fifo);
    expect(nodeHost.fstatSync(f1).isFile()).toBe(false);
    nodeHost.closeSync(f1);
    const fd = nodeHost.openSync(file);
    try {
      const st = nodeHost.fstatSync(fd);
      expect({ size: st.size, ino: st.ino, dev: st.dev }).toEqual({ size: 11, ino: fs.statSync(file).ino, dev: fs.statSync(file).dev });
      expect(nodeHost.readSync(fd, 100, 6).toString()).toBe('world');
      expect((await nodeHost.read(fd, 5, 0)).toString()).toBe('hello');
    } finally {
      nodeHost.closeSync(fd);
    }
    expect(nodeHost.lstatSync(path.join(dir, 'link'))!.isSymbolicLink()).toBe(true);
    expect(nodeHost.lstatSync(path.join(dir, 'none'))).toBeUndefined();
  });

  test('readSmall reads as many bytes as the file has, whatever its bound: a 256 MiB buffer would count in V8 as external memory', () => {
    const dir = tempDir();
    const file = path.join(dir, 'memo.json');
    fs.writeFileSync(file, '{"value":1}');
    const asked: number[] = [];
    const io = hostTasks({ ...nodeHost, readSync: (fd: number, length: number, position: number) => (asked.push(length), nodeHost.readSync(fd, length, position)) });
    const r = runSync(readSmall(file, 256 * 1024 * 1024, io));
    expect(r !== 'missing' && r !== 'damaged' ? r.bytes.toString() : r).toBe('{"value":1}');
    expect(asked).toEqual([12]);
    // Past the bound, or grown between fstat and read, the file is damaged.
    expect(runSync(readSmall(file, 10, io))).toBe('damaged');
    const grows = hostTasks({ ...nodeHost, readSync: (fd: number, length: number, position: number) => Buffer.concat([nodeHost.readSync(fd, length, position), Buffer.from('x')]) });
    expect(runSync(readSmall(file, 1024, grows))).toBe('damaged');
  });

  test('writeAtomic replaces a file through a new private file beside it, and leaves nothing behind, written or failed', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'memo.json');
    fs.writeFileSync(file, 'old');
    for (const run of [runSync, runAsync] as const) {
      const seen: string[] = [];
      const io = hostTasks({ ...nodeHost, renameSync: (from: string, to: string) => (seen.push(from), nodeHost.renameSync(from, to)), rename: async (from: string, to: string) => (seen.push(from), nodeHost.rename(from, to)) });
      await run(writeAtomic(dir, file, 'new', nodeHost, io));
      expect(fs.readFileSync(file, 'utf8')).toBe('new');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      // The new file was made beside the old one, under a name the sweep of abandoned files knows.
      expect(path.dirname(seen[0])).toBe(dir);
      expect(TEMP_NAME.test(path.basename(seen[0]))).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['memo.json']);
    }
    // A write that fails (the disk full, say) leaves the old contents and no temporary file.
    const full = hostTasks({ ...nodeHost, writeFileSync: (p: string, data: string | Uint8Array, o?: WriteOptions) => {
      nodeHost.writeFileSync(p, String(data).slice(0, 2), o);
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    } });
    expect(() => runSync(writeAtomic(dir, file, 'lost', nodeHost, full))).toThrow(/ENOSPC/);
    expect(fs.readdirSync(dir)).toEqual(['memo.json']);
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    // A name taken already (by another thread's file, or a link planted there) is neither followed nor removed: the next name is tried.
    const target = path.join(dir, 'target');
    fs.writeFileSync(target, 'untouched');
    let planted = '';
    const racing = hostTasks({ ...nodeHost, writeFileSync: (p: string, data: string | Uint8Array, o?: WriteOptions) => {
      if (planted === '') fs.symlinkSync(target, (planted = p));
      nodeHost.writeFileSync(p, data, o);
    } });
    runSync(writeAtomic(dir, file, 'raced', nodeHost, racing));
    expect(fs.readFileSync(file, 'utf8')).toBe('raced');
    expect(fs.readFileSync(target, 'utf8')).toBe('untouched');
    expect(fs.lstatSync(planted).isSymbolicLink()).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['memo.json', path.basename(planted), 'target'].sort());
  });

  test('chmod sets the bits exactly; statfs reports free space', () => {
    const dir = tempDir();
    const before = process.umask(0o777);
    try {
      nodeHost.chmodSync(dir, 0o705);
    } finally {
      process.umask(before);
    }
    expect(fs.statSync(dir).mode & 0o777).toBe(0o705);
    const space = nodeHost.statfsSync(dir)!;
    expect(space.bsize).toBeGreaterThan(0);
    expect(space.bavail).toBeGreaterThanOrEqual(0);
  });
});

describe('output and mappings', () => {
  test('a child writing more than 64 MiB is stopped and flagged, keeping what came first', async () => {
    const script = ['-c', 'head -c 70000000 /dev/zero | tr "\\0" "x" >&2; echo done'];
    const s = nodeHost.spawnSync('/bin/sh', script);
    const a = await nodeHost.spawn('/bin/sh', script);
    for (const r of [s, a]) {
      expect(r).toMatchObject({ overflowed: true, timedOut: false, error: undefined });
      expect(r.stderr.length).toBeLessThanOrEqual(64 * 1024 * 1024);
      expect(r.stderr.slice(0, 10)).toBe('xxxxxxxxxx');
      expect(r.stdout).toBe('');
    }
  });

  test('mapping count and limit are those of /proc', () => {
    const limit = Number(fs.readFileSync('/proc/sys/vm/max_map_count', 'utf8'));
    expect(nodeHost.mappingLimit()).toBe(limit);
    // The collector's threads map and unmap pages at any moment, so the
    // count is compared with the file's lines on a reading where the count
    // taken before and after them agree; a wrong count never agrees.
    const lines = () => fs.readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => l !== '').length;
    const readings: number[][] = [];
    for (let i = 0; i < 200; i++) {
      const reading = [nodeHost.mappingCount(), lines(), nodeHost.mappingCount()];
      readings.push(reading);
      if (reading[0] === reading[1] && reading[1] === reading[2]) break;
    }
    const last = readings[readings.length - 1];
    expect(last[0]).toBeGreaterThan(0);
    expect(last).toEqual([last[1], last[1], last[1]]);
  });
});

test('mkdtemp makes a directory of mode 0700 whatever the umask', async () => {
  const base = tempDir();
  const before = process.umask(0o277);
  let dirs: string[];
  try {
    dirs = [nodeHost.mkdtempSync(path.join(base, 'a-')), await nodeHost.mkdtemp(path.join(base, 'b-'))];
  } finally {
    process.umask(before);
  }
  for (const d of dirs) expect((fs.statSync(d).mode & 0o7777).toString(8)).toBe('700');
});

test('rmSync removes a file or a whole tree, a missing path quietly, and a symbolic link without following it', () => {
  const dir = tempDir();
  const outside = path.join(dir, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'kept');
  const tree = path.join(dir, 'tree');
  fs.mkdirSync(path.join(tree, 'sub', 'deeper'), { recursive: true });
  for (const f of ['a.c', 'sub/b.o', 'sub/deeper/c.d']) fs.writeFileSync(path.join(tree, f), f);
  fs.symlinkSync(outside, path.join(tree, 'link-to-dir'));
  fs.symlinkSync(path.join(outside, 'keep.txt'), path.join(tree, 'sub', 'link-to-file'));
  nodeHost.rmSync(tree);
  expect(fs.existsSync(tree)).toBe(false);
  expect(fs.readdirSync(outside)).toEqual(['keep.txt']);
  expect(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8')).toBe('kept');

  const top = path.join(dir, 'top-link');
  fs.symlinkSync(outside, top);
  nodeHost.rmSync(top);
  expect(fs.lstatSync(top, { throwIfNoEntry: false })).toBeUndefined();
  expect(fs.readdirSync(outside)).toEqual(['keep.txt']);

  const file = path.join(dir, 'file.txt');
  fs.writeFileSync(file, 'x');
  nodeHost.rmSync(file);
  expect(fs.existsSync(file)).toBe(false);
  nodeHost.rmSync(path.join(dir, 'never-there')); // no error
  expect(fs.readdirSync(dir).sort()).toEqual(['outside']);
});
