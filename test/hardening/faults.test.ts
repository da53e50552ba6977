// Compiler and cache faults through verify(): missing, killed or slow compilers, damaged or unwritable caches, races.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FFI, FFIError, VerificationError } from '../../lib';
import { buildSync } from '../../lib/build';
import { nodeHost } from '../../lib/host';
import { logLines, loggingCompiler, removeTempDirs, shellScript, tempDir } from '../build/fixtures/helpers';
import { CC } from '../helpers/compiler';
import { expectThrow } from '../helpers/throws';

afterAll(removeTempDirs);

const SOURCE = 'int twice(int x) { return 2 * x; }';

function declared(): FFI {
  const ffi = new FFI();
  ffi.cdef('int twice(int x);');
  return ffi;
}

describe('the compiler', () => {
  test('$CC pointing nowhere is a VerificationError naming it and where it came from', () => {
    const saved = process.env.CC;
    process.env.CC = '/nonexistent/bin/cc-9';
    try {
      const run = () => declared().verify(`${SOURCE} /* cc nowhere */`, { tmpdir: tempDir() });
      expectThrow(run, VerificationError, "'/nonexistent/bin/cc-9' does not exist or is not executable (named by $CC)");
    } finally {
      if (saved === undefined) delete process.env.CC;
      else process.env.CC = saved;
    }
  });

  test('a compiler killed mid-run is reported as killed, and leaves nothing behind', () => {
    const dir = tempDir();
    const suicidal = shellScript(dir, 'killedcc', `case " $* " in *" -shared "*) kill -KILL $$ ;; esac\nexec ${CC} "$@"`);
    const cache = path.join(dir, 'cache');
    expect(() => declared().verify(`${SOURCE} /* killed */`, { tmpdir: cache, compiler: suicidal })).toThrow(/SIGKILL/);
    expect(fs.readdirSync(cache).filter((n) => n.endsWith('.so') || n.startsWith('.tmp-'))).toEqual([]);
    // The next attempt, with a working compiler, builds normally.
    expect(declared().verify(`${SOURCE} /* killed */`, { tmpdir: cache }).twice(4)).toBe(8);
  });

  test('a compile that outlasts the timeout option is stopped and reported', () => {
    const dir = tempDir();
    // It would compile after 120 s, past this test's own timeout: the test passes only if it is stopped.
    // The timeout bounds the compiler's --version too, which a loaded machine has taken over 500 ms to answer.
    const slow = shellScript(dir, 'slowcc', `case " $* " in *" -shared "*) exec sleep 120 ;; esac\nexec ${CC} "$@"`);
    expectThrow(
      () => declared().verify(`${SOURCE} /* slow */`, { tmpdir: path.join(dir, 'cache'), compiler: slow, timeout: 5000 }),
      VerificationError,
      /timed out \(.*was killed after 5000 ms\)/,
    );
  });

  test('shell metacharacters in the source, defines and file name reach the compiler literally', () => {
    const dir = tempDir();
    const canary = path.join(dir, 'canary');
    const ffi = new FFI();
    ffi.cdef('const char *msg(void);');
    const lib = ffi.verify('const char *msg(void) { return MSG "`echo nope` $(x)"; }', {
      tmpdir: path.join(dir, 'cache'),
      defineMacros: [['MSG', `"a;b $(touch ${canary}) \`touch ${canary}\` | & > <"`]],
      filename: 'we;ird $(name).c',
    });
    expect(ffi.string(lib.msg())).toBe(`a;b $(touch ${canary}) \`touch ${canary}\` | & > <\`echo nope\` $(x)`);
    expect(fs.existsSync(canary)).toBe(false);
  });
});

describe('the cache', () => {
  test('a truncated or corrupted library is detected by its checksum and rebuilt', () => {
    const dir = tempDir();
    const cache = path.join(dir, 'cache');
    const log = path.join(dir, 'log');
    const cc = loggingCompiler(dir, log);
    // Each verify() runs in a child process: damaging a library this process has loaded would
    // damage its mapped code (truncating a mapped file raises SIGBUS), which is not the case tested.
    const verifyInChild = () => {
      const script = `
        const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
        const ffi = new FFI(); ffi.cdef('int twice(int x);');
        console.log(ffi.verify(${JSON.stringify(`${SOURCE} /* damage */`)}, { tmpdir: ${JSON.stringify(cache)}, compiler: ${JSON.stringify(cc)} }).twice(3));`;
      const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return r.stdout.trim();
    };
    expect(verifyInChild()).toBe('6');
    const file = path.join(cache, fs.readdirSync(cache).find((n) => n.endsWith('.so'))!);
    const bytes = fs.readFileSync(file);
    const damaged = [bytes.subarray(0, bytes.length >> 1), Buffer.from(bytes.map((b, i) => (i === 100 ? b ^ 0xff : b)))];
    for (const damage of damaged) {
      fs.writeFileSync(file, damage);
      const before = logLines(log).length;
      expect(verifyInChild()).toBe('6');
      expect(logLines(log).length).toBe(before + 1); // compiled again, not loaded damaged
      expect(fs.readFileSync(file).length).toBe(bytes.length);
    }
  });

  test('a cache directory writable by others is refused', () => {
    const dir = path.join(tempDir(), 'shared');
    fs.mkdirSync(dir, { mode: 0o777 });
    fs.chmodSync(dir, 0o777);
    expectThrow(() => declared().verify(SOURCE, { tmpdir: dir }), FFIError, 'writable by group or others (mode 0777)');
  });

  test.each(['EROFS', 'ENOSPC'])('an unwritable cache (%s) falls back to a private temporary directory', (code) => {
    const cache = path.join(tempDir(), 'cache');
    fs.mkdirSync(cache, { mode: 0o700 });
    const refuse = (p: string) => {
      if (p.startsWith(cache)) throw Object.assign(new Error(`${code}: simulated`), { code });
    };
    const host = {
      ...nodeHost,
      mkdtempSync: (prefix: string) => (refuse(prefix), nodeHost.mkdtempSync(prefix)),
      writeFileSync: (p: string, d: string | Uint8Array, o?: object) => (refuse(p), nodeHost.writeFileSync(p, d, o)),
    };
    const r = buildSync(
        { code: `${SOURCE} /* ${code} */`, fileName: 'source.c', moduleName: 'fallback', keyParts: [], options: { tmpdir: cache } },
      host,
    );
    expect(r.path.startsWith(cache)).toBe(false);
    expect(path.basename(path.dirname(r.path))).toMatch(/^node-cffi-private-/);
    expect((fs.statSync(path.dirname(r.path)).mode & 0o777).toString(8)).toBe('700');
    expect(fs.existsSync(r.path)).toBe(true);
  });

  test('when the private directory cannot be written either (a full disk holding both), an FFIError says so', () => {
    const base = tempDir();
    const cache = path.join(base, 'cache');
    const tmp = path.join(base, 'tmp');
    fs.mkdirSync(cache, { mode: 0o700 });
    fs.mkdirSync(tmp, { mode: 0o700 });
    const full = (p: string) => {
      if (p.startsWith(cache) || p.startsWith(tmp)) throw Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC' });
    };
    const host = {
      ...nodeHost,
      tmpdir: () => tmp,
      writeFileSync: (p: string, d: string | Uint8Array, o?: object) => (full(p), nodeHost.writeFileSync(p, d, o)),
    };
    const run = () =>
      buildSync({ code: `${SOURCE} /* both full */`, fileName: 'source.c', moduleName: 'm', keyParts: [], options: { tmpdir: cache } }, host);
    expect(run).toThrow(FFIError);
    expect(run).toThrow(
      new RegExp(`^verify\\(\\): neither the library cache ${cache} nor the private directory ${tmp}/node-cffi-private-\\w+ can be written \\(ENOSPC: `),
    );
  });

  test('8 processes verifying the same new source at once: one compile, all succeed', async () => {
    const dir = tempDir();
    const cache = path.join(dir, 'cache');
    const log = path.join(dir, 'log');
    const cc = loggingCompiler(dir, log, 1); // a slow compile, so that all eight overlap
    const script = `
      const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
      const ffi = new FFI(); ffi.cdef('int twice(int x);');
      console.log(ffi.verify(${JSON.stringify(`${SOURCE} /* race */`)}, { tmpdir: ${JSON.stringify(cache)}, compiler: ${JSON.stringify(cc)} }).twice(21));`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script]);
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (status) => (status === 0 ? resolve(out.trim()) : reject(new Error(`exit ${status}: ${err}`))));
      });
    const results = await Promise.all(Array.from({ length: 8 }, run));
    expect(results).toEqual(new Array(8).fill('42'));
    expect(logLines(log)).toHaveLength(1);
  });
});

describe('a full disk, for real', () => {
  const ROOT = nodeHost.uid() === 0;
  const canMount = ROOT && spawnSync('mount', ['--version']).status === 0;
  if (!canMount) process.stdout.write('skipped: the real full-disk cases need root to mount a small tmpfs\n');

  /** Runs `script` in a child; the kill after two minutes only keeps a build stuck on a lock from stopping the suite. */
  const inChild = (script: string) =>
    spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', `const LIB = ${JSON.stringify(require.resolve('../../lib'))};\n${script}`], {
      encoding: 'utf8',
      timeout: 120_000,
      killSignal: 'SIGKILL',
    });

  /** A verify() of a source new to the cache, in a fresh process that counts how often it waited. */
  const verifyCounting = (cache: string) =>
    inChild(`
      const { nodeHost } = require(${JSON.stringify(require.resolve('../../lib/host'))});
      let waits = 0;
      const sleep = nodeHost.sleep;
      nodeHost.sleep = (ms) => { waits++; sleep(ms); };
      const { FFI } = require(LIB);
      const ffi = new FFI(); ffi.cdef('int twice(int x);');
      const lib = ffi.verify(${JSON.stringify(SOURCE)} + ' /* while full */', { tmpdir: ${JSON.stringify(cache)} });
      console.log(JSON.stringify({ result: lib.twice(21), waits }));
    `);

  (canMount ? test : test.skip).each([
    ['full', 0],
    ['nearly full (room for the lock, not for the compiler\'s output)', 12 * 1024],
  ])('%s: each process falls back to a private directory at once, leaving no lock behind', (_, room) => {
    const mnt = tempDir();
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mnt]).status).toBe(0);
    try {
      const cache = path.join(mnt, 'cache');
      // While there is room: the cache is made and the compiler's version remembered in it (built,
      // not loaded: a library mapped from the file system would keep it from being unmounted).
      const before = buildSync({ code: `${SOURCE} /* before full */`, fileName: 'source.c', moduleName: 'm', keyParts: [], options: { tmpdir: cache } });
      expect(before.cached).toBe(false);
      const reserve = path.join(mnt, 'reserve');
      fs.writeFileSync(reserve, Buffer.alloc(room));
      const filler = fs.openSync(path.join(mnt, 'filler'), 'w');
      try {
        const block = Buffer.alloc(4096, 1);
        for (;;) fs.writeSync(filler, block);
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        fs.closeSync(filler);
      }
      fs.unlinkSync(reserve);
      // Two processes in a row, the same source: the second must not wait for anything the first left.
      const outcomes = [verifyCounting(cache), verifyCounting(cache)];
      for (const r of outcomes) {
        expect({ signal: r.signal, status: r.status }).toEqual({ signal: null, status: 0 });
        expect(JSON.parse(r.stdout)).toEqual({ result: 42, waits: 0 });
        expect(r.stderr).toContain(`NodeCffiCacheWarning: the library cache ${cache} cannot be written (ENOSPC)`);
      }
      expect(fs.readdirSync(cache).filter((n) => n.endsWith('.lock') || n.startsWith('.tmp-'))).toEqual([]);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});
