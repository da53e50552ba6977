// CFFI's set_unicode() and set_source_pkgconfig(): ffi.setUnicode() declares Windows' text types and defines UNICODE in builds; ffi.setSourcePkgconfig() runs pkg-config when called and builds with its flags.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, FFIError } from '../../lib';
import { fakePkgConfig } from '../helpers/pkgconfig';
import { expectThrow } from '../helpers/throws';

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-setsource-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const UNICODE_PROBE = `
#include <wchar.h>
int unicode_defined(void) {
#if defined(UNICODE) && defined(_UNICODE)
  return UNICODE + _UNICODE;
#else
  return 0;
#endif
}
size_t text_length(const wchar_t *s) { return wcslen(s); }
`;

describe('ffi.setUnicode()', () => {
  test("true: TCHAR and its pointer types are wchar_t's, and verify() defines UNICODE and _UNICODE", () => {
    const ffi = new FFI();
    ffi.setUnicode(true);
    expect(ffi.typeof('TCHAR')).toBe(ffi.typeof('wchar_t'));
    expect(ffi.typeof('TBYTE')).toBe(ffi.typeof('wchar_t'));
    for (const t of ['LPTSTR', 'PTSTR', 'PTBYTE', 'PTCHAR']) expect(ffi.typeof(t)).toBe(ffi.typeof('wchar_t *'));
    for (const t of ['LPCTSTR', 'PCTSTR']) expect(ffi.typeof(t)).toBe(ffi.typeof('const wchar_t *'));
    ffi.cdef('int unicode_defined(void); size_t text_length(LPCTSTR s);');
    const lib = ffi.verify(UNICODE_PROBE, { tmpdir: path.join(work, 'cache'), defineMacros: [['OWN', null]] });
    expect(lib.unicode_defined()).toBe(2);
    expect(lib.text_length(ffi.new('TCHAR[]', 'héllo'))).toBe(5);
  });

  test("false: they are char's, and builds define nothing", () => {
    const ffi = new FFI();
    ffi.setUnicode(false);
    expect(ffi.typeof('TCHAR')).toBe(ffi.typeof('char'));
    expect(ffi.typeof('LPTSTR')).toBe(ffi.typeof('char *'));
    expect(ffi.typeof('PCTSTR')).toBe(ffi.typeof('const char *'));
    ffi.cdef('int unicode_defined(void);');
    expect(ffi.verify(UNICODE_PROBE, { tmpdir: path.join(work, 'cache') }).unicode_defined()).toBe(0);
  });

  test('setSource() builds define them too, as compile() builds', () => {
    const ffi = new FFI();
    ffi.setUnicode(true);
    ffi.cdef('int unicode_defined(void);');
    ffi.setSource('_unicode', UNICODE_PROBE, { tmpdir: path.join(work, 'cache') });
    const dir = ffi.compile({ tmpdir: path.join(work, 'built') });
    // The module's library, loaded as verify() loads one: its function says what the build defined.
    const check = new FFI();
    check.cdef('int unicode_defined(void);');
    expect(check.dlopen(path.join(dir, '_unicode.so')).unicode_defined()).toBe(2);
  });

  test('once per FFI, with a boolean', () => {
    const ffi = new FFI();
    expectThrow(() => ffi.setUnicode(1 as unknown as boolean), TypeError, 'ffi.setUnicode(): expected true (TCHAR is wchar_t) or false (TCHAR is char), got 1');
    ffi.setUnicode(false);
    expectThrow(() => ffi.setUnicode(true), FFIError, 'ffi.setUnicode(): already called on this FFI (with false)');
    expect(ffi.typeof('TCHAR')).toBe(ffi.typeof('char'));
  });
});

describe('ffi.setSourcePkgconfig()', () => {
  let fake: string;
  let calls: string;
  beforeAll(() => {
    const include = path.join(work, 'include');
    fs.mkdirSync(include, { recursive: true });
    fs.writeFileSync(path.join(include, 'pcpkg.h'), '#define PC_VALUE 40\n');
    ({ program: fake, calls } = fakePkgConfig(work, 'pcpkg', { cflags: `-I${include} -DPC_EXTRA=2`, libs: '-lm' }));
    process.env.PKG_CONFIG = fake;
  });
  afterAll(() => {
    delete process.env.PKG_CONFIG;
  });

  test("pkg-config runs when it is called, and compile() builds with its flags after the options' own", () => {
    const ffi = new FFI();
    ffi.cdef('int value(void); double root(double);');
    ffi.setSourcePkgconfig('_pc', ['pcpkg'], '#include <pcpkg.h>\n#include <math.h>\nint value(void) { return PC_VALUE + PC_EXTRA + OWN; }\ndouble root(double x) { return sqrt(x); }', {
      defineMacros: [['OWN', '100']],
      tmpdir: path.join(work, 'cache'),
    });
    expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toEqual(['--print-errors --cflags pcpkg', '--print-errors --libs pcpkg']);
    const dir = ffi.compile({ tmpdir: path.join(work, 'built') });
    const check = new FFI();
    check.cdef('int value(void); double root(double);');
    const lib = check.dlopen(path.join(dir, '_pc.so'));
    expect([lib.value(), lib.root(6.25)]).toEqual([142, 2.5]);
  });

  test("a package pkg-config does not know is refused when it is called, with pkg-config's words; the packages must be an array", () => {
    const ffi = new FFI();
    expectThrow(() => ffi.setSourcePkgconfig('_pc', ['nosuchpkg'], 'int x;'), FFIError, `options.pkgconfig: ${fake} --print-errors --cflags nosuchpkg failed: Package nosuchpkg was not found`);
    expectThrow(() => ffi.compile(), FFIError, 'ffi.compile(): no source to build; call ffi.setSource(moduleName, source, options) first');
    expectThrow(() => ffi.setSourcePkgconfig('_pc', 'pcpkg' as unknown as string[], 'int x;'), TypeError, "ffi.setSourcePkgconfig(): expected an array of package names (such as ['libpng', 'zlib']), got");
    expectThrow(() => ffi.setSourcePkgconfig('_pc', ['pcpkg'], 'int x;', { pkgconfig: 'zlib' as unknown as string[] }), TypeError, 'options.pkgconfig: expected an array of package names');
  });
});
