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
    const slow = shellScript(dir, 'slowcc', `case " $* " in *" -shared "*) exec sleep 120 ;; esac\nexec ${CC} "$@"`);
    expectThrow(
      () => declared().verify(`${SOURCE} /* slow */`, { tmpdir: path.join(dir, 'cache'), compiler: slow, timeout: 500 }),
      VerificationError,
      /timed out \(.*was killed after 500 ms\)/,
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
