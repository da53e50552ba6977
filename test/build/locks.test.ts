// Locks that must not be waited on: never completed, left by a process that is gone (or by a former process with this pid), held by this very thread.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from '../../lib/build';
import { Host, nodeHost } from '../../lib/host';
import { ChildResult, LIB, ending } from '../helpers/child';
import { hostTag, logLines, loggingCompiler, removeTempDirs, request, tempDir } from './fixtures/helpers';

afterEach(removeTempDirs);

const ADD = 'int add(int a, int b) { return a + b; }\n';

/** A Host on which waiting is an error: a build that would wait for a lock throws instead. */
const impatient: Host = {
  ...nodeHost,
  sleep: () => {
    throw new Error('waited for the lock');
  },
  delay: () => Promise.reject(new Error('waited for the lock')),
};

/** The lock file of the entry `req` builds, found by building it once in a scratch cache. */
function lockOf(cache: string): string {
  const { key } = buildSync(request(ADD, { tmpdir: path.join(tempDir(), 'scratch') }));
  fs.mkdirSync(cache, { recursive: true, mode: 0o700 });
  return path.join(cache, `testmod-${key.slice(0, 16)}.lock`);
}

/** Runs `script` in a child; the kill after two minutes only keeps a build stuck on a lock from stopping the suite. */
function inChild(script: string): ChildResult {
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', `const LIB = ${JSON.stringify(LIB)};\n${script}`], {
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('a lock that was never completed', () => {
  test.each([
    ['empty', ''],
    ['cut short', '{"pid": 12'],
    ['not a lock', '[]'],
  ])('(%s) is broken at once, not waited on', (_, body) => {
    const cache = path.join(tempDir(), 'cache');
    const lock = lockOf(cache);
    fs.writeFileSync(lock, body);
    const r = buildSync(request(ADD, { tmpdir: cache }), impatient);
    expect(r.cached).toBe(false);
    expect(fs.existsSync(lock)).toBe(false);
  });
});

describe('a full disk', () => {
  test('while taking the lock leaves no lock behind, so the next process neither waits nor fails', () => {
    const cache = path.join(tempDir(), 'cache');
    // Something built while the disk had room: the compiler's version is remembered there.
    buildSync(request('int one(void) { return 1; }\n', { tmpdir: cache }));
    // As a full disk does: the file is created, writing its bytes fails.
    const full = (impatientToo: boolean) => `
      const fs = require('fs');
      const { nodeHost } = require(LIB + '/host');
      if (${impatientToo}) nodeHost.sleep = () => { throw new Error('waited for the lock'); };
      const cache = ${JSON.stringify(cache)};
      for (const name of ['writeFileSync', 'writeFile']) {
        const f = nodeHost[name];
        nodeHost[name] = function (p, data, o) {
          if (String(p).startsWith(cache + '/')) {
            fs.writeFileSync(p, '', o);
            const e = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            if (name === 'writeFile') return Promise.reject(e);
            throw e;
          }
          return f.apply(this, arguments);
        };
      }
      const { buildSync } = require(LIB + '/build');
      const r = buildSync({ code: ${JSON.stringify(ADD)}, fileName: 'source.c', moduleName: 'm', keyParts: [], options: { tmpdir: cache } });
      console.log(r.path.startsWith(cache) ? 'cache' : 'private');
    `;
    const first = inChild(full(false));
    expect(ending(first)).toBe('exit 0');
    expect(first.stderr).toContain(`NodeCffiCacheWarning: the library cache ${cache} cannot be written (ENOSPC)`);
    expect(first.stdout.trim()).toBe('private');
    expect(fs.readdirSync(cache).filter((n) => n.endsWith('.lock'))).toEqual([]);

    // The next process, disk still full, must not wait for anything.
    const second = inChild(full(true));
    expect(ending(second)).toBe('exit 0');
    expect(second.stderr).toContain(`NodeCffiCacheWarning: the library cache ${cache} cannot be written (ENOSPC)`);
    expect(second.stdout.trim()).toBe('private');
  });
});

describe('a lock of this very process and thread', () => {
  test('left by a former process that had the same pid is stale at once', () => {
    const cache = path.join(tempDir(), 'cache');
    const lock = lockOf(cache);
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, tid: nodeHost.threadId(), host: hostTag(), time: Date.now(), token: 'former' }));
    const r = buildSync(request(ADD, { tmpdir: cache }), impatient);
    expect(r.cached).toBe(false);
  });

  test('held by a verifyAsync() still compiling: a blocking verify() of the same source does not wait for it, and both get one library', () => {
    const dir = tempDir();
    const log = path.join(dir, 'log');
    const cc = loggingCompiler(dir, log, 1);
    const cache = path.join(dir, 'cache');
    const r = inChild(`
      const fs = require('fs');
      const { FFI } = require(LIB);
      const opts = { tmpdir: ${JSON.stringify(cache)}, compiler: ${JSON.stringify(cc)} };
      const SOURCE = 'int twice(int x) { return 2 * x; } int counter;';
      const declared = () => { const f = new FFI(); f.cdef('int twice(int x); int counter;'); return f; };
      (async () => {
        const pending = declared().verifyAsync(SOURCE, opts);
        // Wait (turning the event loop) until the asynchronous build's compiler runs.
        while (!fs.existsSync(${JSON.stringify(log)})) await new Promise((r) => setTimeout(r, 10));
        const order = [];
        const sync = declared().verify(SOURCE, opts);
        order.push('sync');
        const later = await pending;
        order.push('async');
        sync.counter = 41;
        later.counter += 1;
        const maps = fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((l) => l.includes(opts.tmpdir));
        const inodes = new Set(maps.map((l) => l.split(/\\s+/)[4]));
        console.log(JSON.stringify({ order, results: [sync.twice(2), later.twice(3)], counter: sync.counter, inodes: inodes.size }));
      })().catch((e) => { console.error(e); process.exit(1); });
    `);
    expect({ end: ending(r), err: r.stderr }).toEqual({ end: 'exit 0', err: '' });
    // One library in the process: the global written through one library object is the other's.
    expect(JSON.parse(r.stdout)).toEqual({ order: ['sync', 'async'], results: [4, 6], counter: 42, inodes: 1 });
    expect(logLines(log).length).toBeLessThanOrEqual(2);
  });
});
