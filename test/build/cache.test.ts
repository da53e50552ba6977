// The build cache: hits and misses, keys, damage, locks, the cache directory, listCache and cleanCache.
import * as fs from 'fs';
import * as path from 'path';
import { buildAsync, buildSync, cacheDirectory, cleanCache, listCache } from '../../lib/build';
import { FFIError } from '../../lib/errors';
import { nodeHost } from '../../lib/host';
import {
  ADD, cacheOptions, callAdd, countingHost, deadPid, hostTag, logLines, loggingCompiler, removeTempDirs, request, tempDir,
} from './fixtures/helpers';
import { CC } from '../helpers/compiler';
import { thrown as thrownValue } from '../helpers/throws';

afterEach(removeTempDirs);

const thrown = (f: () => unknown): Error => thrownValue(f) as Error;

describe('the cache', () => {
  test('a second build is cached and starts no process at all', () => {
    const options = cacheOptions();
    const first = countingHost();
    const r1 = buildSync(request(ADD, options), first.host);
    expect(first.spawns()).toBe(2); // version probe + compile
    const second = countingHost();
    const r2 = buildSync(request(ADD, options), second.host);
    expect(r2).toEqual({ ...r1, cached: true });
    expect(second.spawns()).toBe(0);
  });

  test('the compiler version is remembered on disk: new code in the same cache spawns only the compile', () => {
    const options = cacheOptions();
    buildSync(request(ADD, options));
    const counting = countingHost();
    const r = buildSync(request(`${ADD}int one(void) { return 1; }\n`, options), counting.host);
    expect(r.cached).toBe(false);
    expect(counting.spawns()).toBe(1);
  });

  test('buildAsync finds what buildSync built, and the reverse', async () => {
    const options = cacheOptions();
    const a = buildSync(request(ADD, options));
    const counting = countingHost();
    await expect(buildAsync(request(ADD, options), counting.host)).resolves.toEqual({ ...a, cached: true });
    const b = await buildAsync(request(`${ADD}\n`, options));
    expect(b.cached).toBe(false);
    expect(callAdd(b.path, 7, 8)).toBe(15);
    expect(buildSync(request(`${ADD}\n`, options), counting.host)).toEqual({ ...b, cached: true });
    expect(counting.spawns()).toBe(0);
  });

  test('every input that shapes the library changes the key', () => {
    const dir = tempDir();
    const extra = path.join(dir, 'extra.c');
    fs.writeFileSync(extra, 'int two(void) { return 2; }\n');
    const options = cacheOptions({ sources: [extra] });
    const base = buildSync(request(ADD, options));
    const keys = new Set([base.key]);
    const variants: [string, () => string][] = [
      ['code', () => buildSync(request(`${ADD} `, options)).key],
      ['file name', () => buildSync(request(ADD, options, { fileName: 'other.c' })).key],
      ['keyParts', () => buildSync(request(ADD, options, { keyParts: ['int add(int, int);'] })).key],
      ['compile args', () => buildSync(request(ADD, { ...options, extraCompileArgs: ['-O1'] })).key],
      ['link args', () => buildSync(request(ADD, { ...options, extraLinkArgs: ['-Wl,--as-needed'] })).key],
      ['macro', () => buildSync(request(ADD, { ...options, defineMacros: [['N', '1']] })).key],
      ['macro value', () => buildSync(request(ADD, { ...options, defineMacros: [['N', '2']] })).key],
      ['include dir', () => buildSync(request(ADD, { ...options, includeDirs: [dir] })).key],
      ['library', () => buildSync(request(ADD, { ...options, libraries: ['m'] })).key],
      ['library dir', () => buildSync(request(ADD, { ...options, libraryDirs: [dir] })).key],
      ['compiler', () => buildSync(request(ADD, { ...options, compiler: `env ${CC}` })).key],
      [
        'source contents',
        () => {
          fs.writeFileSync(extra, 'int two(void) { return 22; }\n');
          return buildSync(request(ADD, options)).key;
        },
      ],
    ];
    for (const [what, build] of variants) {
      const key = build();
      if (keys.has(key)) throw new Error(`changing the ${what} did not change the key`);
      keys.add(key);
    }
    // The module name only names the file; the cache directory is not an input.
    expect(buildSync(request(ADD, { ...options, sources: [extra] }, { moduleName: 'other' })).key).toBe(
      buildSync(request(ADD, { ...options, tmpdir: path.join(dir, 'cache2') })).key,
    );
  });

  test('extra sources are compiled into the same library', () => {
    const dir = tempDir();
    const extra = path.join(dir, 'extra.c');
    fs.writeFileSync(extra, 'int twice(int x) { return 2 * x; }\n');
    const r = buildSync(request(`int twice(int);\nint add(int a, int b) { return twice(a) + b; }\n`, cacheOptions({ sources: [extra] })));
    expect(callAdd(r.path, 10, 1)).toBe(21);
  });

  test('a truncated library is rebuilt, not returned', () => {
    const options = cacheOptions();
    const r = buildSync(request(ADD, options));
    fs.truncateSync(r.path, Math.floor(fs.statSync(r.path).size / 2));
    const counting = countingHost();
    const again = buildSync(request(ADD, options), counting.host);
    expect(again.cached).toBe(false);
    expect(counting.spawns()).toBe(1);
    expect(callAdd(again.path, 1, 2)).toBe(3);
  });

  test('a library with a changed byte is rebuilt', () => {
    const options = cacheOptions();
    const r = buildSync(request(ADD, options));
    const bytes = fs.readFileSync(r.path);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(r.path, bytes);
    const again = buildSync(request(ADD, options));
    expect(again.cached).toBe(false);
    expect(fs.readFileSync(again.path).equals(bytes)).toBe(false);
    expect(buildSync(request(ADD, options)).cached).toBe(true);
  });

  test('a missing or unreadable sidecar means a rebuild', () => {
    const options = cacheOptions();
    const r = buildSync(request(ADD, options));
    const sidecar = r.path.replace(/\.so$/, '.json');
    fs.writeFileSync(sidecar, '{"key": "trunc');
    expect(buildSync(request(ADD, options)).cached).toBe(false);
    fs.unlinkSync(sidecar);
    expect(buildSync(request(ADD, options)).cached).toBe(false);
    expect(buildSync(request(ADD, options)).cached).toBe(true);
  });

  test('a stale lock of a dead process and its temporary directory are cleaned up', () => {
    const options = cacheOptions();
    const { key } = buildSync(request(ADD, cacheOptions()));
    fs.mkdirSync(options.tmpdir!, { mode: 0o700 });
    const pid = deadPid();
    const lock = path.join(options.tmpdir!, `testmod-${key.slice(0, 16)}.lock`);
    fs.writeFileSync(lock, JSON.stringify({ pid, host: hostTag(), time: Date.now(), token: 'x' }));
    const temp = path.join(options.tmpdir!, `.tmp-${hostTag()}-${pid}-AbCdEf`);
    fs.mkdirSync(temp);
    fs.writeFileSync(path.join(temp, 'testmod.so'), 'half a library');
    const r = buildSync(request(ADD, options));
    expect(r.cached).toBe(false);
    expect(fs.existsSync(lock)).toBe(false);
    expect(fs.existsSync(temp)).toBe(false);
    expect(callAdd(r.path, 1, 1)).toBe(2);
  });

  test('a lock of a live process is broken once it is older than the timeout plus a margin', () => {
    const options = cacheOptions({ timeout: 1000 });
    const { key } = buildSync(request(ADD, cacheOptions()));
    fs.mkdirSync(options.tmpdir!, { mode: 0o700 });
    const lock = path.join(options.tmpdir!, `testmod-${key.slice(0, 16)}.lock`);
    fs.writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostTag(), time: Date.now(), token: 'x' }));
    // An hour from now the lock is far past 1000 ms + margin.
    const { host } = countingHost({ now: () => Date.now() + 3600_000 });
    const r = buildSync(request(ADD, options), host);
    expect(r.cached).toBe(false);
    expect(fs.existsSync(lock)).toBe(false);
  });

  test('a build waits for a live lock and then compiles', async () => {
    const options = cacheOptions();
    const { key } = buildSync(request(ADD, cacheOptions()));
    fs.mkdirSync(options.tmpdir!, { mode: 0o700 });
    const lock = path.join(options.tmpdir!, `testmod-${key.slice(0, 16)}.lock`);
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostTag(), time: Date.now(), token: 'x' }));
    let removed = false;
    setTimeout(() => {
      fs.unlinkSync(lock);
      removed = true;
    }, 300);
    // What the build saw when it started the compiler: the lock already gone, so it had waited.
    const seen: boolean[] = [];
    const { host } = countingHost({
      spawn: (file, args, o) => {
        if (args.includes('-shared')) seen.push(removed);
        return nodeHost.spawn(file, args, o);
      },
    });
    const r = await buildAsync(request(ADD, options), host);
    expect(seen).toEqual([true]);
    expect(r.cached).toBe(false);
  });

  test('two concurrent buildAsync calls of one key compile once', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'log');
    const options = cacheOptions({ compiler: loggingCompiler(dir, log, 0.3) });
    const [a, b] = await Promise.all([buildAsync(request(ADD, options)), buildAsync(request(ADD, options))]);
    expect(logLines(log)).toHaveLength(1);
    expect(a.path).toBe(b.path);
    expect([a.cached, b.cached].sort()).toEqual([false, true]);
  });
});

describe('the cache directory', () => {
  test('is options.tmpdir, else $NODE_CFFI_CACHE, else $XDG_CACHE_HOME/node-cffi, else ~/.cache/node-cffi', () => {
    const env: Record<string, string> = {};
    const host = { ...nodeHost, env: (n: string) => env[n], homedir: () => '/home/u', cwd: () => '/work' };
    expect(cacheDirectory({}, host)).toBe('/home/u/.cache/node-cffi');
    env.XDG_CACHE_HOME = 'relative/is/ignored';
    expect(cacheDirectory({}, host)).toBe('/home/u/.cache/node-cffi');
    env.XDG_CACHE_HOME = '/xdg';
    expect(cacheDirectory({}, host)).toBe('/xdg/node-cffi');
    env.NODE_CFFI_CACHE = 'mine';
    expect(cacheDirectory({}, host)).toBe('/work/mine');
    expect(cacheDirectory({ tmpdir: '/opt/c' }, host)).toBe('/opt/c');
  });

  test('writable by group or others is refused', () => {
    for (const mode of [0o777, 0o770, 0o702]) {
      const options = cacheOptions();
      fs.mkdirSync(options.tmpdir!);
      fs.chmodSync(options.tmpdir!, mode);
      const e = thrown(() => buildSync(request(ADD, options)));
      expect(e).toBeInstanceOf(FFIError);
      expect(e.message).toContain(options.tmpdir!);
      expect(e.message).toContain(`writable by group or others (mode 0${mode.toString(8)})`);
      expect(e.message).toContain(`chmod 700 ${options.tmpdir}`);
      expect(fs.readdirSync(options.tmpdir!)).toEqual([]);
    }
  });

  test('owned by another user is refused', () => {
    const options = cacheOptions();
    fs.mkdirSync(options.tmpdir!, { mode: 0o700 });
    const realUid = nodeHost.uid();
    const { host } = countingHost({ uid: () => realUid + 1 });
    const e = thrown(() => buildSync(request(ADD, options), host));
    expect(e).toBeInstanceOf(FFIError);
    expect(e.message).toContain(`${options.tmpdir} is owned by uid ${realUid}, not by the current user (uid ${realUid + 1})`);
    expect(fs.readdirSync(options.tmpdir!)).toEqual([]);
  });

  test('a file in place of the directory is refused', () => {
    const options = cacheOptions();
    fs.mkdirSync(path.dirname(options.tmpdir!), { recursive: true });
    fs.writeFileSync(options.tmpdir!, '');
    expect(() => buildSync(request(ADD, options))).toThrow(`${options.tmpdir} is not a directory`);
  });
});

describe('listCache and cleanCache', () => {
  test('list what was built and remove everything, leaving live builds alone', () => {
    const options = cacheOptions();
    const before = Date.now();
    const a = buildSync(request(ADD, options, { moduleName: 'alpha' }));
    const b = buildSync(request('int one(void) { return 1; }\n', options, { moduleName: 'beta', fileName: 'b.c' }));
    const list = listCache(options);
    expect(list.map((e) => [e.name, e.path, e.size, e.source, e.key])).toEqual([
      ['alpha', a.path, fs.statSync(a.path).size, 'source.c', a.key],
      ['beta', b.path, fs.statSync(b.path).size, 'b.c', b.key],
    ]);
    for (const e of list) {
      expect(e.created.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(e.created.getTime()).toBeLessThanOrEqual(Date.now());
      expect(e.compiler).toEqual(a.compiler);
    }

    const dir = options.tmpdir!;
    const dead = deadPid();
    const deadTemp = path.join(dir, `.tmp-${hostTag()}-${dead}-AAAAAA`);
    fs.mkdirSync(deadTemp);
    fs.writeFileSync(path.join(deadTemp, 'x.so'), '12345');
    const liveTemp = path.join(dir, `.tmp-${hostTag()}-${process.pid}-BBBBBB`);
    fs.mkdirSync(liveTemp);
    const deadLock = path.join(dir, 'gamma-0000000000000000.lock');
    fs.writeFileSync(deadLock, JSON.stringify({ pid: dead, host: hostTag(), time: Date.now(), token: 't' }));
    const liveLock = path.join(dir, 'delta-0000000000000000.lock');
    fs.writeFileSync(liveLock, JSON.stringify({ pid: process.pid, host: hostTag(), time: Date.now(), token: 't' }));

    const doomed = fs.readdirSync(dir).filter((n) => ![path.basename(liveTemp), path.basename(liveLock)].includes(n));
    expect(doomed).toHaveLength(7); // 2 libraries, 2 sidecars, 1 remembered compiler, dead temp dir, dead lock
    const bytes = doomed.reduce((sum, n) => {
      const p = path.join(dir, n);
      return sum + (fs.statSync(p).isDirectory() ? 5 : fs.statSync(p).size);
    }, 0);
    expect(cleanCache(options)).toEqual({ removed: 7, bytes });
    expect(fs.readdirSync(dir).sort()).toEqual([path.basename(liveLock), path.basename(liveTemp)].sort());
    expect(listCache(options)).toEqual([]);
  });

  test('a missing cache directory lists empty and cleans nothing, without creating it', () => {
    const options = cacheOptions();
    expect(listCache(options)).toEqual([]);
    expect(cleanCache(options)).toEqual({ removed: 0, bytes: 0 });
    expect(fs.existsSync(options.tmpdir!)).toBe(false);
  });

  test('refuse an unsafe directory', () => {
    const options = cacheOptions();
    fs.mkdirSync(options.tmpdir!);
    fs.chmodSync(options.tmpdir!, 0o777);
    expect(() => listCache(options)).toThrow(`listCache(): the cache directory ${options.tmpdir} is writable by group or others`);
    expect(() => cleanCache(options)).toThrow(`cleanCache(): the cache directory ${options.tmpdir} is writable by group or others`);
  });
});
