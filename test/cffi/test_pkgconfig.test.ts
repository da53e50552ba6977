// CFFI's testing/cffi1/test_pkgconfig.py, ported: pkg-config's flags sorted into a build's options and merged after the caller's, and pkg-config's failures, one test per CFFI test, in CFFI's order.
//
// Not ported: none.
//
// Translation notes:
// - CFFI's tests call its module's helpers (pkgconfig.merge_flags, flags_from_pkgconfig, call) with
//   pkg-config or subprocess replaced by a mock. node-cffi's counterpart of all three is build's
//   withPkgconfig(options, host), which runs pkg-config through the Host it is given: the mock is a
//   Host whose spawnSync answers as CFFI's mock does and records each command.
// - Option names are node-cffi's (include_dirs → includeDirs, define_macros → defineMacros, …), and
//   a definition without a value is ['ABCD', null], as defineMacros takes it.
// - withPkgconfig remembers the answer for a list of packages for the process (docs/cffi-differences.md,
//   "pkgconfig: one pkg-config run per flag kind"), so each case of test_call names a package of its own.
// - PkgConfigError is FFIError (the same difference). Its messages carry pkg-config's own words, prefixed
//   with the command that failed, rather than being those words alone.
// - A backslash in pkg-config's output: CFFI refuses it ("unsupported backslash-escaped output");
//   node-cffi splits the output as a shell does, which is how pkg-config writes it (pkgconf writes
//   `-DX="a b"` from a .pc file as `-DX=a\ b`), so `abc\def` is the word `abcdef`
//   (docs/cffi-differences.md, "pkgconfig"). Bytes that are not UTF-8 are refused, as CFFI refuses
//   what its encoding cannot decode; the strings a Host gives carry them as U+FFFD.
import { FFIError } from '../../lib';
import type { BuildOptions } from '../../lib/build';
import type { Host, SpawnResult } from '../../lib/host';
import { withPkgconfig } from '../../lib/build/pkgconfig';
import { expectThrow } from '../helpers/throws';

type BuildFlags = Pick<BuildOptions, 'pkgconfig' | 'extraCompileArgs' | 'defineMacros'>;
type Answer = { stdout: string; stderr?: string; status?: number } | Error;

/** A Host whose pkg-config gives `answer(args)` and which records every command it was asked to run. */
function mockHost(answer: (args: readonly string[]) => Answer): { host: Host; commands: string[][] } {
  const commands: string[][] = [];
  const spawnSync = (file: string, args: readonly string[]): SpawnResult => {
    commands.push([file, ...args]);
    const a = answer(args);
    const ran = { signal: null, timedOut: false, overflowed: false };
    if (a instanceof Error) return { ...ran, status: null, stdout: '', stderr: '', error: a };
    return { ...ran, status: a.status ?? 0, stdout: a.stdout, stderr: a.stderr ?? '', error: undefined };
  };
  const host = { env: () => undefined, spawnSync } as unknown as Host;
  return { host, commands };
}

test('test_merge_flags', () => {
  // CFFI's merge_flags appends each list of the second set to the first's list of that name, and adds the names the first lacks.
  const { host } = mockHost(([, what]) => ({ stdout: what === '--cflags' ? '-Ispam -DSPAM=spam -spam\n' : '-Lbaz -lz\n' }));
  const merged = withPkgconfig({ pkgconfig: ['merged'], includeDirs: ['a', 'b', 'c'], libraries: [], extraCompileArgs: ['-O1'] }, host);
  expect(merged).toEqual({
    pkgconfig: ['merged'],
    includeDirs: ['a', 'b', 'c', 'spam'],
    defineMacros: [['SPAM', 'spam']],
    extraCompileArgs: ['-O1', '-spam'],
    libraryDirs: ['baz'],
    libraries: ['z'],
  });
});

test('test_pkgconfig', () => {
  const none = mockHost(() => {
    throw new Error('pkg-config must not run for no packages');
  });
  const options = { pkgconfig: [] as string[] };
  expect(withPkgconfig(options, none.host)).toBe(options);
  expect(none.commands).toEqual([]);

  const flags: Record<string, string> = {
    '--cflags': '-I/usr/include/python3.6m -DABCD -DCFFI_TEST=1 -O42\n',
    '--libs': '-L/usr/lib64 -lpython3.6 -shared\n',
  };
  const { host, commands } = mockHost(([, what, libname]) => {
    expect(libname).toBe('foobarbaz');
    return { stdout: flags[what] };
  });
  expect(withPkgconfig({ pkgconfig: ['foobarbaz'] }, host)).toEqual({
    pkgconfig: ['foobarbaz'],
    includeDirs: ['/usr/include/python3.6m'],
    libraryDirs: ['/usr/lib64'],
    libraries: ['python3.6'],
    defineMacros: [['ABCD', null], ['CFFI_TEST', '1']],
    extraCompileArgs: ['-O42'],
    extraLinkArgs: ['-shared'],
  });
  expect(commands).toEqual([
    ['pkg-config', '--print-errors', '--cflags', 'foobarbaz'],
    ['pkg-config', '--print-errors', '--libs', 'foobarbaz'],
  ]);
});

test('test_call', () => {
  /** The flags withPkgconfig() gives for `libname` when pkg-config answers `answer`. */
  const flags = (libname: string, answer: Answer) => withPkgconfig({ pkgconfig: [libname] } as BuildFlags, mockHost(() => answer).host);
  const call = (libname: string, answer: Answer) => {
    const { host, commands } = mockHost(() => answer);
    const run = () => withPkgconfig({ pkgconfig: [libname] }, host);
    return { run, commands };
  };

  // CFFI: "cannot run pkg-config: oops can't run".
  const cannot = call('libfoo-1', new Error("oops can't run"));
  expectThrow(cannot.run, FFIError, "options.pkgconfig: pkg-config could not be run (oops can't run); install pkg-config");
  expect(cannot.commands).toEqual([['pkg-config', '--print-errors', '--cflags', 'libfoo-1']]);

  // CFFI: "Foo error!", pkg-config's own words.
  expectThrow(call('libfoo-2', { stdout: '', stderr: 'Foo error!\n', status: 1 }).run, FFIError, 'options.pkgconfig: pkg-config --print-errors --cflags libfoo-2 failed: Foo error!');

  // CFFI refuses a backslash; pkg-config's escapes are read as a shell reads them.
  expect(flags('libfoo-3', { stdout: 'abc\\def\n' }).extraCompileArgs).toEqual(['abcdef']);
  expect(flags('libfoo-4', { stdout: '-DX=a\\ b -DY=\\"q\\" \'-DZ=c d\'\n' }).defineMacros)
    .toEqual([['X', 'a b'], ['Y', '"q"'], ['Z', 'c d']]);
  expectThrow(call('libfoo-5', { stdout: '-DX="a b\n' }).run, FFIError, `options.pkgconfig: pkg-config --print-errors --cflags libfoo-5 printed "-DX=\\"a b", whose double quote is not closed`);

  // CFFI: result == "abc def\n", twice.
  for (const libname of ['libfoo-6', 'libfoo-7']) {
    expect(flags(libname, { stdout: 'abc def\n' }).extraCompileArgs).toEqual(['abc', 'def']);
  }

  // CFFI: "pkg-config --cflags libfoo returned bytes that cannot be decoded with encoding 'utf-8'".
  expectThrow(call('libfoo-8', { stdout: Buffer.from([0xff, 0x0a]).toString('utf8') }).run, FFIError, 'options.pkgconfig: pkg-config --print-errors --cflags libfoo-8 printed bytes that are not UTF-8');
});
