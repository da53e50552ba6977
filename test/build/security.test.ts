// The cache against other users: directories above it, directories it creates, and the library checked being the library loaded.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from '../../lib/build';
import { FFIError } from '../../lib/errors';
import { Host, nodeHost } from '../../lib/host';
import { ending, runChild } from '../helpers/child';
import { removeTempDirs, request, tempDir } from './fixtures/helpers';

afterEach(removeTempDirs);

const ADD = 'int add(int a, int b) { return a + b; }\n';

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to throw');
}

/** A Host whose lstat and stat report `uid` as the owner of `dir` (what a chown by root would do). */
function ownedBy(dir: string, uid: number): Host {
  const as = <T extends { uid: number } | undefined>(p: string, st: T): T =>
    st && path.resolve(p) === dir ? Object.assign(Object.create(Object.getPrototypeOf(st)), st, { uid }) : st;
  return {
    ...nodeHost,
    lstatSync: (p) => as(p, nodeHost.lstatSync(p)),
    statSync: (p) => as(p, nodeHost.statSync(p)),
  };
}

describe('the directories above the cache', () => {
  test('one that group or others can write to, and that is not sticky, is refused by name, before anything is created', () => {
    const base = tempDir();
    const shared = path.join(base, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o777);
    const cache = path.join(shared, 'a', 'cache');
    const e = thrown(() => buildSync(request(ADD, { tmpdir: cache })));
    expect(e).toBeInstanceOf(FFIError);
    expect(e.message).toContain(`verify(): the cache directory ${cache} lies under ${shared}, which group or others can write to`);
    expect(e.message).toContain('(mode 0777)');
    expect(e.message).toContain(`chmod go-w ${shared}`);
    expect(fs.readdirSync(shared)).toEqual([]);
  });

  test('a sticky one (as /tmp) is allowed', () => {
    const base = tempDir();
    const sticky = path.join(base, 'sticky');
    fs.mkdirSync(sticky);
    fs.chmodSync(sticky, 0o1777);
    const r = buildSync(request(ADD, { tmpdir: path.join(sticky, 'cache') }));
    expect(r.cached).toBe(false);
  });

  test('one owned by another user than root or the current one is refused', () => {
    const base = tempDir();
    const theirs = path.join(base, 'theirs');
    fs.mkdirSync(theirs, { mode: 0o755 });
    const cache = path.join(theirs, 'cache');
    const uid = nodeHost.uid() === 4242 ? 4243 : 4242;
    const e = thrown(() => buildSync(request(ADD, { tmpdir: cache }), ownedBy(theirs, uid)));
    expect(e).toBeInstanceOf(FFIError);
    expect(e.message).toContain(`the cache directory ${cache} lies under ${theirs}, owned by uid ${uid}, neither root nor the current user`);
  });

  test('a symbolic link on the way owned by another user is refused; the directories it leads to are checked too', () => {
    const base = tempDir();
    const real = path.join(base, 'real');
    fs.mkdirSync(real, { mode: 0o700 });
    const link = path.join(base, 'link');
    fs.symlinkSync(real, link);
    const cache = path.join(link, 'cache');
    const uid = nodeHost.uid() === 4242 ? 4243 : 4242;
    const e = thrown(() => buildSync(request(ADD, { tmpdir: cache }), ownedBy(link, uid)));
    expect(e.message).toContain(`lies under ${link}, a symbolic link owned by uid ${uid}`);

    // A link of one's own to a directory others can write to: the target is what counts.
    const open = path.join(base, 'open');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    const toOpen = path.join(base, 'to-open');
    fs.symlinkSync(open, toOpen);
    const e2 = thrown(() => buildSync(request(ADD, { tmpdir: path.join(toOpen, 'sub', 'cache') })));
    expect(e2.message).toContain(`lies under ${open}, which group or others can write to`);
  });

  test('a cache path that is a symbolic link to nothing is refused by name', () => {
    const base = tempDir();
    const cache = path.join(base, 'cache');
    fs.symlinkSync(path.join(base, 'gone'), cache);
    const e = thrown(() => buildSync(request(ADD, { tmpdir: cache })));
    expect(e).toBeInstanceOf(FFIError);
    expect(e.message).toBe(`verify(): the cache path ${cache} is a symbolic link to nothing; remove it, create its target, or pass options.tmpdir`);
  });
});

describe('directories the cache creates', () => {
  test.each(['0000', '0022', '0077', '0277'])('are mode 0700 whatever the umask (%s)', (umask) => {
    const mask = parseInt(umask, 8);
    const base = tempDir();
    const cache = path.join(base, 'a', 'b', 'cache');
    const before = process.umask(mask);
    try {
      buildSync(request(ADD, { tmpdir: cache }));
    } finally {
      process.umask(before);
    }
    for (const d of [path.join(base, 'a'), path.join(base, 'a', 'b'), cache]) {
      expect({ d, mode: (fs.statSync(d).mode & 0o7777).toString(8) }).toEqual({ d, mode: '700' });
    }
  });
});

describe('the library loaded is the library checked', () => {
  test('replacing the file right after its check changes nothing: the checked file is loaded, then the replacement is found damaged', () => {
    const dir = tempDir();
    const cache = path.join(dir, 'cache');
    const other = path.join(dir, 'other');
    // Another library with the same declarations (so the same glue), answering 666: in another
    // process, so that this one has loaded nothing yet.
    const made = runChild(`
      const { FFI } = require(LIB);
      const ffi = new FFI(); ffi.cdef('int twice(int x);');
      ffi.verify('int twice(int x) { return 666; }', { tmpdir: ${JSON.stringify(other)}, moduleName: 'm' });
      const ok = new FFI(); ok.cdef('int twice(int x);');
      ok.verify('int twice(int x) { return 2 * x; }', { tmpdir: ${JSON.stringify(cache)}, moduleName: 'm' });
    `);
    expect({ end: ending(made), err: made.stderr }).toEqual({ end: 'exit 0', err: '' });
    const evil = path.join(other, fs.readdirSync(other).find((n) => n.endsWith('.so'))!);
    const entry = path.join(cache, fs.readdirSync(cache).find((n) => n.endsWith('.so'))!);

    // In a fresh process: as soon as the library's bytes have been read for the check, the next
    // call to the host (whatever it is) renames the other library over the entry.
    const r = runChild(`
      const fs = require('fs');
      const { nodeHost } = require(LIB + '/host');
      const entry = ${JSON.stringify(entry)};
      const fds = new Map();
      let armed = false, swapped = false;
      for (const name of Object.keys(nodeHost)) {
        const f = nodeHost[name];
        if (typeof f !== 'function') continue;
        nodeHost[name] = function (...args) {
          if (armed && !swapped) {
            swapped = true;
            fs.copyFileSync(${JSON.stringify(evil)}, entry + '.swap');
            fs.renameSync(entry + '.swap', entry);
          }
          const out = f.apply(this, args);
          if (name === 'openSync') fds.set(out, args[0]);
          if ((name === 'readSync' && fds.get(args[0]) === entry) || (name === 'readFileSync' && args[0] === entry)) armed = true;
          return out;
        };
      }
      const { FFI } = require(LIB);
      const ffi = new FFI(); ffi.cdef('int twice(int x);');
      const first = ffi.verify('int twice(int x) { return 2 * x; }', { tmpdir: ${JSON.stringify(cache)}, moduleName: 'm' }).twice(3);
      const again = new FFI(); again.cdef('int twice(int x);');
      const second = again.verify('int twice(int x) { return 2 * x; }', { tmpdir: ${JSON.stringify(cache)}, moduleName: 'm' }).twice(3);
      console.log(JSON.stringify({ swapped, first, second }));
    `);
    expect({ end: ending(r), err: r.stderr }).toEqual({ end: 'exit 0', err: '' });
    expect(JSON.parse(r.stdout)).toEqual({ swapped: true, first: 6, second: 6 });
  });

  test('a library file that others can write to, or that is not the current user\'s, is rebuilt rather than loaded', () => {
    const cache = path.join(tempDir(), 'cache');
    const first = buildSync(request(ADD, { tmpdir: cache }));
    expect(fs.statSync(first.path).mode & 0o777).toBe(0o700);
    fs.chmodSync(first.path, 0o722);
    const again = buildSync(request(ADD, { tmpdir: cache }));
    expect(again.cached).toBe(false);
    expect(fs.statSync(again.path).mode & 0o777).toBe(0o700);

    const uid = nodeHost.uid() === 4242 ? 4243 : 4242;
    const third = buildSync(request(ADD, { tmpdir: cache }), ownedByFile(again.path, uid));
    expect(third.cached).toBe(false);
    expect(buildSync(request(ADD, { tmpdir: cache })).cached).toBe(true);
  });
});

/** A Host whose fstat reports `uid` as the owner of the file at `file` (matched by inode). */
function ownedByFile(file: string, uid: number): Host {
  const { dev, ino } = fs.statSync(file);
  return {
    ...nodeHost,
    fstatSync: (fd) => {
      const st = nodeHost.fstatSync(fd);
      return st.dev === dev && st.ino === ino ? Object.assign(Object.create(Object.getPrototypeOf(st)), st, { uid }) : st;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Two users: root builds, another user races to make root load their library.

const ROOT = nodeHost.uid() === 0;
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
const NOBODY = 65534;
const twoUsers = ROOT && SETPRIV !== undefined ? test : test.skip;
if (!ROOT || !SETPRIV) {
  process.stdout.write(
    `skipped: the two-user race needs ${!ROOT ? 'root (to run the other user with setpriv)' : 'setpriv (util-linux)'}\n`,
  );
}

twoUsers('another user who can write to a directory above the cache never gets root to load their library (30 races)', async () => {
  const base = tempDir();
  fs.chmodSync(base, 0o755);
  const SOURCE = 'int twice(int x) { return 2 * x; }';
  // The other user's library for the very entry root will look for: built by root elsewhere with
  // the same inputs (so the same file names), then made to answer 666, with a sidecar that
  // vouches for it, and handed to the other user.
  const forge = path.join(base, 'forge');
  const made = runChild(`
    const { FFI } = require(LIB);
    const ffi = new FFI(); ffi.cdef('int twice(int x);');
    ffi.verify('int twice(int x) { return 666; }', { tmpdir: ${JSON.stringify(path.join(base, 'evil-build'))}, moduleName: 'm' });
    const ok = new FFI(); ok.cdef('int twice(int x);');
    ok.verify(${JSON.stringify(SOURCE)}, { tmpdir: ${JSON.stringify(forge)}, moduleName: 'm' });
  `);
  expect({ end: ending(made), err: made.stderr }).toEqual({ end: 'exit 0', err: '' });
  const evilSo = fs.readdirSync(path.join(base, 'evil-build')).find((n) => n.endsWith('.so'))!;
  const stem = fs.readdirSync(forge).find((n) => n.endsWith('.so'))!.slice(0, -3);
  const evilBytes = fs.readFileSync(path.join(base, 'evil-build', evilSo));
  const sidecar = JSON.parse(fs.readFileSync(path.join(forge, `${stem}.json`), 'utf8'));
  const crypto = await import('crypto');
  const forged = { ...sidecar, size: evilBytes.length, sha256: crypto.createHash('sha256').update(evilBytes).digest('hex') };
  const lair = path.join(base, 'lair');
  fs.mkdirSync(lair, { mode: 0o755 });
  for (let i = 0; i < 30; i++) {
    const d = path.join(lair, `t${i}`, 'cache');
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `${stem}.so`), evilBytes, { mode: 0o755 });
    fs.writeFileSync(path.join(d, `${stem}.json`), JSON.stringify(forged));
  }
  spawnSync('chown', ['-R', `${NOBODY}:${NOBODY}`, lair]);
  fs.chmodSync(path.join(base, 'forge'), 0o700);

  // The directory root builds under: writable by the other user (not sticky).
  const shared = path.join(base, 'shared');
  fs.mkdirSync(shared);
  fs.chmodSync(shared, 0o777);
  // The other user: as soon as root has made shared/t<i>/cache, swaps shared/t<i> (which a
  // permissive umask would leave writable) for a link to their own copy, until told to stop.
  const stop = path.join(base, 'stop');
  const attacker = `
    const fs = require('fs');
    const shared = ${JSON.stringify(shared)}, lair = ${JSON.stringify(lair)}, stop = ${JSON.stringify(stop)};
    const done = new Set();
    let n = 0;
    while (!fs.existsSync(stop) && done.size < 30) {
      for (let i = 0; i < 30; i++) {
        if (done.has(i)) continue;
        const t = shared + '/t' + i;
        try {
          if (!fs.lstatSync(t).isDirectory() || !fs.existsSync(t + '/cache')) continue;
          fs.renameSync(t, t + '.moved' + (n++));
          fs.symlinkSync(lair + '/t' + i, t);
          done.add(i);
        } catch {}
      }
    }`;
  fs.writeFileSync(path.join(base, 'attacker.js'), attacker, { mode: 0o644 });
  const other = spawn(SETPRIV!, [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, path.join(base, 'attacker.js')], {
    stdio: 'ignore',
  });
  try {
    // Root, with a permissive umask (as the reported attack had), verifies 30 times, each in a
    // cache below shared/t<i>.
    const r = runChild(`
      process.umask(0);
      const { FFI } = require(LIB);
      const outcomes = [];
      for (let i = 0; i < 30; i++) {
        const ffi = new FFI(); ffi.cdef('int twice(int x);');
        try {
          outcomes.push(String(ffi.verify(${JSON.stringify(SOURCE)}, { tmpdir: ${JSON.stringify(shared)} + '/t' + i + '/cache', moduleName: 'm' }).twice(3)));
        } catch (e) {
          outcomes.push(e.name + ': ' + e.message);
        }
      }
      console.log(JSON.stringify(outcomes));
    `);
    expect({ end: ending(r), err: r.stderr }).toEqual({ end: 'exit 0', err: '' });
    const outcomes = JSON.parse(r.stdout) as string[];
    if (process.env.NODE_CFFI_REPORT === '1') {
      const won = outcomes.filter((o) => o === '666').length;
      const refused = outcomes.filter((o) => o.startsWith('FFIError')).length;
      process.stdout.write(`two-user race: ${outcomes.length} attempts, the other user won ${won}, refused ${refused}\n`);
    }
    expect(outcomes.filter((o) => o === '666')).toEqual([]);
    // What root gets instead: the refusal naming the directory the other user can write to.
    for (const o of outcomes) expect(o).toContain(`FFIError: verify(): the cache directory ${shared}/t`);
    for (const o of outcomes) expect(o).toContain(`lies under ${shared}, which group or others can write to`);
  } finally {
    fs.writeFileSync(stop, '');
    await new Promise((resolve) => other.on('close', resolve));
  }
}, 300_000);
