// options.pkgconfig (CFFI's `pkgconfig=[...]`): pkg-config's flags sorted into the build's options and merged after the caller's; its failures named.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, FFIError } from '../../lib';
import { fakePkgConfig } from '../helpers/pkgconfig';
import { expectThrow } from '../helpers/throws';

let work: string;
let fake: string;
let calls: string;

/**
 * A stand-in pkg-config named by $PKG_CONFIG (as autotools and meson take it): it logs each call and answers for 'fakepkg' (an include
 * directory with a header, two definitions and a compile flag; a library directory, libm and a
 * link flag), and fails for any other package as pkg-config does.
 */
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-pkgconfig-'));
  const include = path.join(work, 'include');
  fs.mkdirSync(include);
  fs.writeFileSync(path.join(include, 'fakepkg.h'), '#define FAKE_VALUE 41\n');
  ({ program: fake, calls } = fakePkgConfig(work, 'fakepkg', { cflags: `-I${include} -DABCD -DCFFI_TEST=7 -Wno-unused-variable`, libs: `-L${work} -lm -Wl,--as-needed` }));
  process.env.PKG_CONFIG = fake;
});

afterAll(() => {
  delete process.env.PKG_CONFIG;
  fs.rmSync(work, { recursive: true, force: true });
});

const SOURCE = `
#include <fakepkg.h>
#include <math.h>
int value(void) { return FAKE_VALUE + CFFI_TEST; }
int abcd(void) {
#ifdef ABCD
  return 1;
#else
  return 0;
#endif
}
double root(double x) { return sqrt(x); }
`;

test("pkg-config's -I, -D and other flags reach the compiler, its -L, -l and others the linker, after the caller's own", () => {
  const ffi = new FFI();
  ffi.cdef('int value(void); int abcd(void); double root(double);');
  const lib = ffi.verify(SOURCE, { pkgconfig: ['fakepkg'], defineMacros: [['OWN', '1']], tmpdir: path.join(work, 'cache') });
  expect([lib.value(), lib.abcd(), lib.root(2.25)]).toEqual([48, 1, 1.5]);
  expect(fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean)).toEqual(['--print-errors --cflags fakepkg', '--print-errors --libs fakepkg']);
  // Asked once per process: a second build of another source with the same packages runs pkg-config no more.
  const again = new FFI();
  again.cdef('int value(void);');
  expect(again.verify(`${SOURCE}/* again */`, { pkgconfig: ['fakepkg'], tmpdir: path.join(work, 'cache') }).value()).toBe(48);
  expect(fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
});

test('a whole header is read with the flags too: its include directory and definitions', () => {
  const ffi = new FFI();
  ffi.cdefHeader('fakepkg.h', { pkgconfig: ['fakepkg'], tmpdir: path.join(work, 'cache') });
  expect(ffi.integerConst('FAKE_VALUE')).toBe(41);
});

test("a package pkg-config does not know is an FFIError with pkg-config's own words; a missing pkg-config says to install it", () => {
  const ffi = new FFI();
  ffi.cdef('int value(void);');
  expectThrow(
    () => ffi.verify(SOURCE, { pkgconfig: ['nosuchpkg'], tmpdir: path.join(work, 'cache') }),
    FFIError,
    `options.pkgconfig: ${fake} --print-errors --cflags nosuchpkg failed: Package nosuchpkg was not found in the pkg-config search path.`,
  );
  process.env.PKG_CONFIG = path.join(work, 'no-such-pkg-config');
  try {
    expect(() => ffi.verify(SOURCE, { pkgconfig: ['otherpkg'], tmpdir: path.join(work, 'cache') })).toThrow(
      /^options\.pkgconfig: \/.*\/no-such-pkg-config could not be run \(.*ENOENT.*\); install pkg-config \(Debian: apt-get install pkg-config\) or give the flags yourself/,
    );
  } finally {
    process.env.PKG_CONFIG = fake;
  }
});

test('options.pkgconfig must be a list of package names', () => {
  const ffi = new FFI();
  for (const bad of ['fakepkg', [1], [''], ['--cflags']]) {
    expect(() => ffi.verify(SOURCE, { pkgconfig: bad as unknown as string[] })).toThrow(
      /^options\.pkgconfig: expected an array of package names \(such as \['libpng', 'zlib'\]\), got /,
    );
  }
});

/** The real pkg-config and zlib's .pc file, or why the test skips (both install with Debian's pkg-config and zlib1g-dev). */
const realZlib = ((): string | null => {
  const r = spawnSync('pkg-config', ['--exists', 'zlib']);
  if (r.error) return 'pkg-config is not installed';
  return r.status === 0 ? null : "pkg-config knows no 'zlib' (install zlib1g-dev)";
})();
if (realZlib) console.warn(`the real pkg-config test skipped: ${realZlib}`);

(realZlib ? test.skip : test)(`the real pkg-config: zlib's flags build and link a library that calls it${realZlib ? ` (skipped: ${realZlib})` : ''}`, () => {
  delete process.env.PKG_CONFIG;
  try {
    const ffi = new FFI();
    ffi.cdef('unsigned long bound(unsigned long n);');
    const lib = ffi.verify('#include <zlib.h>\nunsigned long bound(unsigned long n) { return compressBound(n); }', { pkgconfig: ['zlib'], tmpdir: path.join(work, 'cache') });
    expect(lib.bound(1000)).toBeGreaterThan(1000);
  } finally {
    process.env.PKG_CONFIG = fake;
  }
});

const realPkgConfig = spawnSync('pkg-config', ['--version']).error ? 'pkg-config is not installed' : null;
if (realPkgConfig) console.warn(`the real pkg-config escapes test skipped: ${realPkgConfig}`);

(realPkgConfig ? test.skip : test)(`the real pkg-config: a .pc file's quoted and escaped flags arrive as the words a shell makes of them${realPkgConfig ? ` (skipped: ${realPkgConfig})` : ''}`, () => {
  // pkg-config writes `-DSUM="1 + 2"` as `-DSUM=1\ +\ 2`, and keeps `\"` as it is: its output is meant for a shell.
  const pcdir = path.join(work, 'pc');
  fs.mkdirSync(pcdir, { recursive: true });
  fs.writeFileSync(path.join(pcdir, 'quoted.pc'), 'Name: quoted\nDescription: flags with spaces\nVersion: 1\nCflags: -DLABEL=\\"a\\ b\\" -DSUM="1 + 2"\nLibs:\n');
  delete process.env.PKG_CONFIG;
  const saved = process.env.PKG_CONFIG_PATH;
  process.env.PKG_CONFIG_PATH = pcdir;
  try {
    const ffi = new FFI();
    ffi.cdef('const char *label(void); int sum(void);');
    const lib = ffi.verify('const char *label(void) { return LABEL; }\nint sum(void) { return SUM; }', { pkgconfig: ['quoted'], tmpdir: path.join(work, 'cache') });
    expect([ffi.string(lib.label()), lib.sum()]).toEqual(['a b', 3]);
  } finally {
    process.env.PKG_CONFIG = fake;
    if (saved === undefined) delete process.env.PKG_CONFIG_PATH;
    else process.env.PKG_CONFIG_PATH = saved;
  }
});
