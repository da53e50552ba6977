// Tests of the build stage with the real C compiler: compiling, caching, keys, failures and their diagnostics.
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import koffi from 'koffi';
import { BuildOptions, buildAsync, buildSync, cacheDirectory, cleanCache, listCache } from '../../lib/build';
import { FFIError, VerificationError } from '../../lib/errors';
import { nodeHost } from '../../lib/host';
import {
  countingHost, deadPid, hostTag, logLines, loggingCompiler, removeTempDirs, request, shellScript, tempDir,
} from './fixtures/helpers';
import { CC, ccFamilyByName, testIfInstalled, which } from '../helpers/compiler';

const ADD = 'int add(int a, int b) { return a + b; }\n';

afterEach(removeTempDirs);

function callAdd(libPath: string, a: number, b: number): number {
  return koffi.load(libPath).func('int add(int, int)')(a, b) as number;
}

function cacheOptions(more: BuildOptions = {}): BuildOptions {
  return { tmpdir: path.join(tempDir(), 'cache'), ...more };
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to throw');
}

async function rejected(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('a successful build', () => {
  test('writes a library that loads and computes', () => {
    const options = cacheOptions();
    const r = buildSync(request(ADD, options));
    expect(r.cached).toBe(false);
    expect(path.dirname(r.path)).toBe(options.tmpdir);
    expect(path.basename(r.path)).toBe(`testmod-${r.key.slice(0, 16)}.so`);
    expect(r.key).toMatch(/^[0-9a-f]{64}$/);
    expect(callAdd(r.path, 10, 20)).toBe(30);
    // The compiler under test ($CC, else cc).
    const words = CC.split(/\s+/);
    const real = fs.realpathSync(which(words[0])!);
    expect(r.compiler.command).toEqual(words);
    expect(r.compiler.path).toBe(real);
    expect(r.compiler.family).toBe(ccFamilyByName());
    expect(r.compiler.version).toBe(execFileSync(words[0], [...words.slice(1), '--version']).toString().split('\n')[0]);
  });

  test('leaves only the library, its sidecar and the remembered compiler in the cache directory', () => {
    const options = cacheOptions();
    const r = buildSync(request(ADD, options));
    const names = fs.readdirSync(options.tmpdir!).sort();
    const stem = path.basename(r.path, '.so');
    expect(names).toHaveLength(3);
    expect(names).toEqual(expect.arrayContaining([`${stem}.so`, `${stem}.json`]));
    expect(names.filter((n) => /^\.compiler-[0-9a-f]{16}\.json$/.test(n))).toHaveLength(1);
    const side = JSON.parse(fs.readFileSync(path.join(options.tmpdir!, `${stem}.json`), 'utf8'));
    const lib = fs.readFileSync(r.path);
    expect(side).toMatchObject({ key: r.key, module: 'testmod', source: 'source.c', size: lib.length });
    expect(side.sha256).toBe(createHash('sha256').update(lib).digest('hex'));
  });

  test('creates the cache directory with mode 0700', () => {
    const options = cacheOptions();
    buildSync(request(ADD, options));
    expect(fs.statSync(options.tmpdir!).mode & 0o777).toBe(0o700);
  });

  testIfInstalled('tcc')('works with tcc, probed with -v', () => {
    const r = buildSync(request(ADD, cacheOptions({ compiler: 'tcc' })));
    expect(r.compiler.family).toBe('tcc');
    expect(r.compiler.version).toMatch(/^tcc version /);
    expect(callAdd(r.path, 2, 3)).toBe(5);
  });

  test('takes a compiler command with several words and no shell', () => {
    const dir = tempDir();
    const log = path.join(dir, 'log');
    const wrapper = loggingCompiler(dir, log);
    // `env` as the program and the wrapper as its argument: the first word is resolved on PATH.
    const r = buildSync(request(ADD, cacheOptions({ compiler: `env  ${wrapper}` })));
    expect(r.compiler.command).toEqual(['env', wrapper]);
    expect(r.compiler.path).toBe(fs.realpathSync('/usr/bin/env'));
    expect(logLines(log)).toHaveLength(1);
    expect(callAdd(r.path, 4, 5)).toBe(9);
  });
});

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

describe('compile errors', () => {
  const BAD = ['int ok(void) { return 1; }', 'int bad(void) {', '  return undeclared_thing;', '}', ''].join('\n');

  test('become a VerificationError naming source.c:<line> and leaking no temporary path', () => {
    const options = cacheOptions();
    const e = thrown(() => buildSync(request(BAD, options))) as VerificationError;
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.message.startsWith(`verify(): the C compiler failed (${CC} exited with status 1):\n`)).toBe(true);
    expect(e.diagnostics).toMatch(/^source\.c:3:\d+: error: .*undeclared_thing/m);
    expect(e.message.endsWith(e.diagnostics)).toBe(true);
    expect(e.message).not.toContain(options.tmpdir!);
    expect(e.message).not.toContain('.tmp-');
    // Nothing is left behind: no library, no lock, no temporary directory.
    expect(fs.readdirSync(options.tmpdir!).filter((n) => !n.startsWith('.compiler-'))).toEqual([]);
  });

  test('the same from buildAsync', async () => {
    const e = (await rejected(buildAsync(request(BAD, cacheOptions())))) as VerificationError;
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.diagnostics).toMatch(/^source\.c:3:\d+: error: .*undeclared_thing/m);
  });

  test('#line directives in the code map errors to the user\'s file and line', () => {
    const code = [
      '#line 1 "mylib.c"',
      '#include <stddef.h>',
      'int twice(int x) {',
      '  return x * 2',
      '}',
      '#line 1 "generated.c"',
      'int call_twice(int x) { return twice(x); }',
      '',
    ].join('\n');
    const e = thrown(() => buildSync(request(code, cacheOptions()))) as VerificationError;
    // gcc quotes with ‘’ in UTF-8 locales and with '' otherwise; gcc says 'before', clang 'after'.
    expect(e.diagnostics).toMatch(/^mylib\.c:3:\d+: error: expected .;. (before|after)/m);
    expect(e.diagnostics).not.toContain('generated.c');
    expect(e.diagnostics).not.toContain('source.c');
  });

  test('linker messages, which name the compiler\'s temporary objects, leak no temporary path', () => {
    const options = cacheOptions({ extraLinkArgs: ['-Wl,-z,defs'] });
    const code = 'int missing(void);\nint add(int a, int b) { return missing() + a + b; }\n';
    const e = thrown(() => buildSync(request(code, options))) as VerificationError;
    expect(e.diagnostics).toMatch(/undefined reference to .missing/);
    expect(e.diagnostics).toMatch(/: in function .add/);
    expect(e.message).not.toContain(options.tmpdir!);
    expect(e.message).not.toContain(fs.realpathSync(path.dirname(options.tmpdir!)));
  });
});

describe('the compiler is found', () => {
  test('named by options.compiler, missing: a VerificationError saying so', () => {
    const e = thrown(() => buildSync(request(ADD, cacheOptions({ compiler: 'no-such-compiler-xyz' }))));
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.message).toBe(
      "verify(): the C compiler 'no-such-compiler-xyz' is not on PATH (named by options.compiler); " +
        'install a C compiler (gcc, clang or tcc), or name one with options.compiler or $CC',
    );
  });

  test('named by $CC, missing', () => {
    const { host, spawns } = countingHost({ env: (n) => (n === 'CC' ? 'no-such-cc-abc -O2' : nodeHost.env(n)) });
    const e = thrown(() => buildSync(request(ADD, cacheOptions()), host));
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.message).toContain("'no-such-cc-abc' is not on PATH (named by $CC)");
    expect(spawns()).toBe(0);
  });

  testIfInstalled('tcc')('$CC is used when set', () => {
    const { host } = countingHost({ env: (n) => (n === 'CC' ? 'tcc' : nodeHost.env(n)) });
    expect(buildSync(request(ADD, cacheOptions()), host).compiler.family).toBe('tcc');
  });

  test('the default cc, missing from PATH', () => {
    const empty = tempDir();
    const { host } = countingHost({ env: (n) => (n === 'PATH' ? empty : n === 'CC' ? undefined : nodeHost.env(n)) });
    const e = thrown(() => buildSync(request(ADD, cacheOptions()), host));
    expect(e.message).toContain("'cc' is not on PATH (the default, as neither options.compiler nor $CC is set)");
  });

  test('a path that does not exist, or is not executable', () => {
    const dir = tempDir();
    const plain = path.join(dir, 'notexec');
    fs.writeFileSync(plain, '#!/bin/sh\n', { mode: 0o644 });
    for (const compiler of [path.join(dir, 'nope'), plain]) {
      const e = thrown(() => buildSync(request(ADD, cacheOptions({ compiler }))));
      expect(e).toBeInstanceOf(VerificationError);
      expect(e.message).toContain(`'${compiler}' does not exist or is not executable (named by options.compiler)`);
    }
  });
});

describe('the compiler process', () => {
  /** A fake compiler that answers --version and misbehaves otherwise. */
  function fake(body: string): string {
    return shellScript(tempDir(), 'fakecc', `case "$1" in --version) echo "fakecc 1.0"; exit 0 ;; esac\n${body}`);
  }

  // The fake compilers sleep longer than the test's own timeout: were they not killed, the test would fail.
  test('is killed after options.timeout (buildSync)', () => {
    const compiler = fake('exec sleep 120');
    const options = cacheOptions({ compiler, timeout: 300 });
    const e = thrown(() => buildSync(request(ADD, options)));
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.message).toBe(
      `verify(): the C compiler timed out (${compiler} was killed after 300 ms); raise options.timeout or reduce the source`,
    );
    expect(fs.readdirSync(options.tmpdir!).filter((n) => !n.startsWith('.compiler-'))).toEqual([]);
  });

  test('is killed after options.timeout (buildAsync)', async () => {
    const compiler = fake('echo "working on it" >&2; exec sleep 120');
    const e = (await rejected(buildAsync(request(ADD, cacheOptions({ compiler, timeout: 300 }))))) as VerificationError;
    expect(e.message).toContain(`timed out (${compiler} was killed after 300 ms)`);
    expect(e.diagnostics).toBe('working on it\n');
  });

  test('killed by a signal: the error says which', () => {
    const compiler = fake('echo "internal compiler error" >&2; kill -SEGV $$');
    const e = thrown(() => buildSync(request(ADD, cacheOptions({ compiler })))) as VerificationError;
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.message).toBe(`verify(): the C compiler failed (${compiler} was killed by signal SIGSEGV):\ninternal compiler error\n`);
    expect(e.diagnostics).toBe('internal compiler error\n');
  });

  test('reporting success without writing a library', () => {
    const e = thrown(() => buildSync(request(ADD, cacheOptions({ compiler: fake('exit 0') }))));
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.message).toContain('reported success but wrote no library');
  });

  test('gets its arguments in the documented order, paths made absolute', () => {
    const dir = tempDir();
    const log = path.join(dir, 'args');
    const compiler = shellScript(dir, 'argcc', `printf '%s\\n' "$@" > '${log}'\nexec ${CC} "$@"`);
    fs.writeFileSync(path.join(dir, 'extra.c'), 'int two(void) { return 2; }\n');
    fs.mkdirSync(path.join(dir, 'inc'));
    const { host } = countingHost({ cwd: () => dir });
    buildSync(
      request(ADD, cacheOptions({
        compiler,
        extraCompileArgs: ['-O0', '-g'],
        defineMacros: [['N', '1'], ['FLAG', null], ['MAX(a,b)', '((a)>(b)?(a):(b))']],
        includeDirs: ['inc'],
        sources: ['extra.c'],
        libraryDirs: ['.'],
        libraries: ['m'],
        extraLinkArgs: ['-Wl,--as-needed'],
      }), { moduleName: 'my mod' }),
      host,
    );
    const real = fs.realpathSync(dir);
    const args = fs.readFileSync(log, 'utf8').split('\n').slice(0, -1).map((a) => a.replace(real, '<dir>').replace(dir, '<dir>'));
    expect(args).toEqual([
      '-shared', '-fPIC', '-O3', '-O0', '-g',
      '-DN=1', '-DFLAG', '-DMAX(a,b)=((a)>(b)?(a):(b))',
      '-I<dir>/inc',
      '-MD', '-MF', 'deps.d',
      '-o', 'my_mod.so', 'source.c', '<dir>/extra.c',
      '-Wl,-Bsymbolic',
      '-L<dir>', '-lm', '-Wl,--as-needed',
    ]);
  });

  test('a changed user header makes the cached library stale; system headers are not tracked', () => {
    const dir = tempDir();
    const header = path.join(dir, 'inc', 'value.h');
    fs.mkdirSync(path.dirname(header));
    fs.writeFileSync(header, '#define VALUE 1\n');
    const options = { tmpdir: path.join(dir, 'cache'), includeDirs: [path.dirname(header)] };
    const code = '#include <stdio.h>\n#include "value.h"\nint value(void) { return VALUE; }\n';
    const first = buildSync(request(code, options));
    expect(buildSync(request(code, options)).cached).toBe(true);
    const side = JSON.parse(fs.readFileSync(first.path.replace(/\.so$/, '.json'), 'utf8'));
    expect(side.deps.map((d: { path: string }) => d.path)).toEqual([header]); // not stdio.h and friends
    fs.writeFileSync(header, '#define VALUE 22\n');
    fs.utimesSync(header, new Date(), new Date(Date.now() + 5000));
    const again = buildSync(request(code, options));
    expect(again.cached).toBe(false);
    expect(again.path).toBe(first.path);
    expect(buildSync(request(code, options)).cached).toBe(true);
  });

  test('the library binds its own functions first, even when the process exports the same name', () => {
    const dir = tempDir();
    // node exports zlib's crc32; a library defining its own must call its own.
    const code = 'unsigned long crc32(unsigned long c, const unsigned char *b, unsigned n) { return 7; }\n' +
      'unsigned long call_crc(void) { return crc32(0, 0, 0); }\n';
    const r = buildSync(request(code, { tmpdir: path.join(dir, 'cache') }));
    const lib = koffi.load(r.path);
    expect(lib.func('unsigned long call_crc(void)')()).toBe(7);
  });

  test('shell metacharacters in a define value reach the code literally', () => {
    const dir = tempDir();
    const canary = path.join(dir, 'canary');
    const value = `a;b $(touch ${canary}) \`touch ${canary}\` | & > 'q' \\n`;
    const r = buildSync(
      request('const char *msg(void) { return MSG; }\n', cacheOptions({ defineMacros: [['MSG', JSON.stringify(value)]] }), {
        fileName: 'we ird;$(x).c',
      }),
    );
    const msg = koffi.load(r.path).func('const char *msg(void)')() as string;
    expect(msg).toBe(value);
    expect(fs.existsSync(canary)).toBe(false);
  });
});

describe('option checks', () => {
  const cases: [string, BuildOptions, string][] = [
    ['compiler', { compiler: '  ' }, 'options.compiler: string "  " names no program'],
    ['timeout', { timeout: -5 }, 'options.timeout: expected a positive number of milliseconds, got -5'],
    ['includeDirs', { includeDirs: ['ok', 3 as unknown as string] }, 'options.includeDirs[1]: expected a non-empty string, got 3'],
    ['libraries', { libraries: [''] }, 'options.libraries[0]: expected a non-empty string, got string ""'],
    ['defineMacros', { defineMacros: [['N', '1'], ['2bad', null]] }, 'options.defineMacros[1]: the macro name string "2bad" is not a C identifier'],
  ];
  test.each(cases)('%s', (_, options, message) => {
    expect(() => buildSync(request(ADD, cacheOptions(options)))).toThrow(message);
  });

  test('fileName must be a plain file name', () => {
    expect(() => buildSync(request(ADD, cacheOptions(), { fileName: '../x.c' }))).toThrow(
      `build request fileName: expected a plain file name such as 'source.c', got string "../x.c"`,
    );
  });

  test('a missing extra source', () => {
    const e = thrown(() => buildSync(request(ADD, cacheOptions({ sources: ['/nonexistent/x.c'] }))));
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.message).toContain('options.sources: the file /nonexistent/x.c does not exist');
  });
});

describe('buildAsync', () => {
  test('keeps the event loop running during a compile, where buildSync blocks it', async () => {
    const dir = tempDir();
    // This compiler waits for a file that only a timer of this process creates: buildAsync can
    // finish only if the event loop runs during the compile.
    const go = path.join(dir, 'go');
    const waiting = shellScript(dir, 'waitcc', `case " $* " in *" -shared "*) while [ ! -e '${go}' ]; do sleep 0.01; done ;; esac\nexec ${CC} "$@"`);
    let ticks = 0;
    const timer = setInterval(() => {
      if (++ticks === 3) fs.writeFileSync(go, '');
    }, 5);
    try {
      await buildAsync(request(ADD, cacheOptions({ compiler: waiting })));
      expect(ticks).toBeGreaterThanOrEqual(3);
      // buildSync holds the thread for the whole compile: not one tick runs meanwhile.
      const before = ticks;
      buildSync(request(ADD, cacheOptions({ compiler: loggingCompiler(dir, path.join(dir, 'log'), 0.2) })));
      expect(ticks - before).toBe(0);
    } finally {
      clearInterval(timer);
    }
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
