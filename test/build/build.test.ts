// The build stage: a successful build, compile errors, finding and running the compiler, option checks, buildAsync.
import { execFileSync, spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import koffi from 'koffi';
import { BuildOptions, buildAsync, buildSync, preprocess } from '../../lib/build';
import { compileNotice, quickerArgs } from '../../lib/build/compiler';
import { VerificationError } from '../../lib/errors';
import { nodeHost } from '../../lib/host';
import {
  ADD, cacheOptions, callAdd, countingHost, logLines, loggingCompiler, removeTempDirs, request, shellScript, tempDir,
} from './fixtures/helpers';
import { CC, ccFamily, ccFamilyByName, testIfInstalled, which } from '../helpers/compiler';
import { thrown as thrownValue, rejection } from '../helpers/throws';
import { LIB } from '../helpers/child';

afterEach(removeTempDirs);

const thrown = (f: () => unknown): Error => thrownValue(f) as Error;
const rejected = async (p: Promise<unknown>): Promise<Error> => (await rejection(p)) as Error;

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
    // gcc alone gets the flags that only make it quicker, first (see quickerArgs).
    const quicker = ccFamily() === 'gcc' ? ['-pipe', '-fno-canonical-system-headers'] : [];
    expect(args).toEqual([
      ...quicker,
      '-shared', '-fPIC', '-O3', '-D_GNU_SOURCE=', '-O0', '-g',
      '-DN=1', '-DFLAG', '-DMAX(a,b)=((a)>(b)?(a):(b))',
      '-I<dir>/inc',
      '-MD', '-MF', 'deps.d',
      '-o', 'my_mod.so', 'source.c', '<dir>/extra.c',
      '-Wl,-Bsymbolic',
      '-L<dir>', '-lm', '-Wl,--as-needed',
    ]);
  });

  test('gcc alone is given -pipe and -fno-canonical-system-headers, and no -pipe beside -save-temps', () => {
    const none = { before: [], sources: [], objects: [], after: [], depends: [] };
    expect(quickerArgs('gcc', none)).toEqual(['-pipe', '-fno-canonical-system-headers']);
    expect(quickerArgs('gcc', { ...none, before: ['-O0', '-save-temps=obj'] })).toEqual(['-fno-canonical-system-headers']);
    expect(quickerArgs('gcc', { ...none, after: ['-save-temps'] })).toEqual(['-fno-canonical-system-headers']);
    for (const family of ['clang', 'tcc', 'unknown'] as const) expect(quickerArgs(family, none)).toEqual([]);
  });

  // tcc has no -save-temps; gcc and clang take it.
  (ccFamily() === 'tcc' ? test.skip : test)(`-save-temps builds without a warning about -pipe${ccFamily() === 'tcc' ? ' (skipped: tcc has no -save-temps)' : ''}`, () => {
    // gcc warns "'-pipe' ignored because '-save-temps' specified" when given both.
    const r = buildSync(request(ADD, cacheOptions({ extraCompileArgs: ['-save-temps'] })));
    expect(r.diagnostics).toBe('');
    expect(callAdd(r.path, 2, 3)).toBe(5);
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
    expect(e.message).toContain('options.sources[0]: the file /nonexistent/x.c does not exist');
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

describe('every compiler run is bounded', () => {
  test('options.timeout covers the --version probe too', async () => {
    const dir = tempDir();
    const compiler = shellScript(dir, 'mutecc', 'case "$1" in --version) exec sleep 30 ;; esac\nexec cc "$@"');
    const e = thrown(() => buildSync(request(ADD, cacheOptions({ compiler, timeout: 300 }))));
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.message).toBe(
      `verify(): the C compiler '${compiler}' did not answer --version within 300 ms (options.timeout); check that it is a C compiler`,
    );
    const a = (await rejected(buildAsync(request(ADD, cacheOptions({ compiler, timeout: 300 }))))) as VerificationError;
    expect(a.message).toContain('did not answer --version within 300 ms (options.timeout)');
  });

  test('more than 64 MiB of output is reported as such, with its beginning only (buildSync and buildAsync)', async () => {
    const dir = tempDir();
    // 70 MiB of diagnostics on stderr, then failure.
    const compiler = shellScript(
      dir,
      'loudcc',
      'case "$1" in --version) echo "loudcc 1.0"; exit 0 ;; esac\nhead -c 73400320 /dev/zero | tr "\\0" "w" >&2\nexit 1',
    );
    const check = (e: Error) => {
      expect(e).toBeInstanceOf(VerificationError);
      expect(e.message).toContain(`verify(): the C compiler wrote more than 64 MiB of output, so ${compiler} was stopped; its first 64 KiB follow`);
      expect(e.message.length).toBeLessThan(70 * 1024);
      expect((e as VerificationError).diagnostics).toBe('w'.repeat(64 * 1024));
    };
    check(thrown(() => buildSync(request(ADD, cacheOptions({ compiler })))));
    check(await rejected(buildAsync(request(ADD, cacheOptions({ compiler })))));
  });

  test('the preprocessor run (cc()) is bounded the same way: its probe by options.timeout, its output at 64 MiB', () => {
    const dir = tempDir();
    const derivation = { where: 'cc()', name: 'bounded', keyParts: [], derive: () => ({ value: {}, files: [] }) };
    const source = '#define N 1\nint f(void);\n';
    const mute = shellScript(dir, 'mutecc', 'case "$1" in --version) exec sleep 30 ;; esac\nexec cc "$@"');
    const e1 = thrown(() => preprocess(source, cacheOptions({ compiler: mute, timeout: 300 }), derivation));
    expect(e1).toBeInstanceOf(VerificationError);
    expect(e1.message).toContain('did not answer --version within 300 ms (options.timeout)');
    const loud = shellScript(dir, 'loudcc', 'case "$1" in --version) echo "loudcc 1.0"; exit 0 ;; esac\nhead -c 73400320 /dev/zero | tr "\\0" "w"');
    const e2 = thrown(() => preprocess(source, cacheOptions({ compiler: loud }), derivation));
    expect(e2).toBeInstanceOf(VerificationError);
    expect(e2.message).toBe(
      `cc(): the C preprocessor wrote more than 64 MiB of output, so ${loud} was stopped; include fewer headers, or read the declarations you need from a smaller source`,
    );
  });
});

describe('file names that look like options', () => {
  test("a file name starting with '-' reaches the compiler as './-…', never as an option", () => {
    const dir = tempDir();
    const log = path.join(dir, 'args');
    const compiler = shellScript(dir, 'argcc', `printf '%s\\n' "$@" > '${log}'\nexec cc "$@"`);
    for (const fileName of ['--version.c', '-E.c', '-o.c']) {
      const r = buildSync(request(ADD, cacheOptions({ compiler }), { fileName }));
      expect(callAdd(r.path, 20, 22)).toBe(42);
      const args = fs.readFileSync(log, 'utf8').split('\n');
      expect(args).toContain(`./${fileName}`);
      expect(args).not.toContain(fileName);
    }
  });

  test("an extra source whose path starts with '-' is passed as an absolute path", () => {
    const dir = tempDir();
    const log = path.join(dir, 'args');
    const compiler = shellScript(dir, 'argcc', `printf '%s\\n' "$@" > '${log}'\nexec cc "$@"`);
    fs.writeFileSync(path.join(dir, '-two.c'), 'int two(void) { return 2; }\n');
    const { host } = countingHost({ cwd: () => dir });
    buildSync(request(ADD, cacheOptions({ compiler, sources: ['-two.c'] })), host);
    expect(fs.readFileSync(log, 'utf8').split('\n')).toContain(path.join(dir, '-two.c'));
  });
});

describe('a long compile says so on a terminal', () => {
  // The compiler waits until the notice has been written (the spy on stderr drops a flag file), so
  // the test proves the notice comes while the compiler runs, whatever the machine's speed.
  const slowCompiler = (dir: string, flag: string) =>
    // Only the compile of the library waits (not the version probe or other quick runs).
    shellScript(dir, 'waitcc', `case " $* " in *" -shared "*) n=0; while [ ! -f '${flag}' ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done ;; esac\nexec ${CC} "$@"`);

  const withNoticeSpy = async (run: (host: ReturnType<typeof countingHost>['host']) => unknown, flag: string) => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      if (String(chunk).startsWith('node-cffi: compiling')) fs.writeFileSync(flag, '');
      return true;
    });
    try {
      const { host } = countingHost({ isTerminal: () => true, env: (name) => (name === 'NODE_CFFI_QUIET' ? undefined : process.env[name]) });
      await run(host);
    } finally {
      spy.mockRestore();
    }
    return written;
  };

  test('async: one line naming the source and what it holds, while the compiler runs', async () => {
    const dir = tempDir();
    const flag = path.join(dir, 'noticed');
    const compiler = slowCompiler(dir, flag);
    const req = request(ADD, cacheOptions({ compiler }), { sourceName: 'slow.c', progress: '1 function' });
    const written = await withNoticeSpy((host) => buildAsync(req, host), flag);
    expect(written.filter((w) => w.startsWith('node-cffi:'))).toEqual(['node-cffi: compiling slow.c (1 function)…\n']);
    expect(fs.existsSync(flag)).toBe(true);
  });

  /**
   * Runs `script` in a child node (lib/ loaded through tsx) whose standard error is the file
   * `errFile`; its status and standard output, and that file's text. Not blocking this thread, so
   * that a child which never ends fails the test at jest's own limit.
   */
  const runWithStderrFile = async (script: string[], errFile: string): Promise<{ status: number | null; stdout: string; stderr: string }> => {
    const fd = fs.openSync(errFile, 'w');
    try {
      const child = spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script.join('\n')], { stdio: ['ignore', 'pipe', fd] });
      let stdout = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      return { status, stdout, stderr: fs.readFileSync(errFile, 'utf8') };
    } finally {
      fs.closeSync(fd);
    }
  };
  const terminalHost = [
    `const { nodeHost } = require(${JSON.stringify(path.join(LIB, 'host'))});`,
    "const host = { ...nodeHost, isTerminal: () => true, env: (n) => (n === 'NODE_CFFI_QUIET' ? undefined : process.env[n]) };",
  ];

  test('sync: one line naming the source and what it holds, while the compiler runs', async () => {
    // The thread blocks in the compile, so a timer process writes the line, to the process's
    // standard error itself (descriptor 2, not process.stderr): the build runs in a child whose
    // standard error is a file, and the compiler waits until the line is in that file.
    const dir = tempDir();
    const errFile = path.join(dir, 'stderr.txt');
    const seen = path.join(dir, 'seen');
    const compiler = shellScript(
      dir,
      'waitcc',
      `case " $* " in *" -shared "*) n=0; while ! grep -q 'node-cffi: compiling' '${errFile}' && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done; ` +
        `if grep -q 'node-cffi: compiling' '${errFile}'; then : > '${seen}'; fi ;; esac\nexec ${CC} "$@"`,
    );
    const req = request(ADD, cacheOptions({ compiler }), { sourceName: 'slow.c', progress: '1 function' });
    const r = await runWithStderrFile(
      [
        `const { buildSync } = require(${JSON.stringify(path.join(LIB, 'build'))});`,
        ...terminalHost,
        `process.stdout.write(buildSync(${JSON.stringify(req)}, host).cached ? 'cached' : 'built');`,
      ],
      errFile,
    );
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'built' });
    expect(r.stderr.split('\n').filter((l) => l.startsWith('node-cffi:'))).toEqual(['node-cffi: compiling slow.c (1 function)…']);
    expect(fs.existsSync(seen)).toBe(true);
  });

  test('sync: the timer of the line is stopped the moment the blocking spawn returns, before it writes anything', async () => {
    // No clock in it: the line is due after ten days. The moment spawnSync returns, the timer must
    // have been sent its TERM (child.killed); one that was not is killed here and reported at once,
    // so that the test never waits on a limit. A stopped one then ends through its TERM trap, which
    // stops its sleep, with status 0 — or, when the TERM comes before the shell has set its trap (a
    // busy machine), by the signal itself, before any sleep was started — and the child waits for
    // that exit event (no polling) before it ends, so that the line would be in the file by then.
    const dir = tempDir();
    const errFile = path.join(dir, 'stderr.txt');
    const r = await runWithStderrFile(
      [
        ...terminalHost,
        // The timer process, as the host starts it: kept referenced, so that this child waits for it.
        "const childProcess = require('child_process');",
        'const spawn = childProcess.spawn;',
        'let timer;',
        'childProcess.spawn = (...args) => (timer = spawn(...args));',
        "const result = host.spawnSync('true', [], { notice: { afterMs: 864000000, text: 'node-cffi: compiling quick.c' } });",
        'childProcess.spawn = spawn;',
        'timer.ref();',
        "const stopped = (code, signal) => (code === 0 && signal === null) || (code === null && signal === 'SIGTERM');",
        "if (!timer.killed) { timer.kill('SIGKILL'); process.stdout.write('not stopped'); }",
        "else timer.on('exit', (code, signal) => process.stdout.write(stopped(code, signal) ? `stopped ${result.status}` : `ended ${code} ${signal}`));",
      ],
      errFile,
    );
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'stopped 0' });
    expect(r.stderr).not.toContain('node-cffi: compiling');
  });

  test('silenced by options.quiet and NODE_CFFI_QUIET, and never printed where stderr is not a terminal', () => {
    const { host } = countingHost({ isTerminal: () => true, env: () => undefined });
    expect(compileNotice({}, 'a.c (2 functions)', host)).toBe('node-cffi: compiling a.c (2 functions)…');
    expect(compileNotice({ quiet: true }, 'a.c', host)).toBeUndefined();
    const quietEnv = countingHost({ isTerminal: () => true, env: (n) => (n === 'NODE_CFFI_QUIET' ? '1' : undefined) }).host;
    expect(compileNotice({}, 'a.c', quietEnv)).toBeUndefined();
    const pipe = countingHost({ isTerminal: () => false, env: () => undefined }).host;
    expect(compileNotice({}, 'a.c', pipe)).toBeUndefined();
    expect(() => compileNotice({ quiet: 'yes' as never }, 'a.c', host)).toThrow("options.quiet: expected true or false, got string \"yes\"");
  });
});
