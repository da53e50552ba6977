// ffi.cdefHeader() on what a header's prototypes do not say: const globals a library defines, GNU and C99 inline functions, enumerators a later macro redefines, structs of its bits/ parts no declaration names, clang's builtins without an address and overloadable functions.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI } from '../../lib/ffi';

let dir = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-linkage-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` into the test's directory and builds `lib<name>.so` from the `.c` ones; its path. */
function library(name: string, files: Record<string, string>): string {
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  const so = path.join(dir, `lib${name}.so`);
  const sources = Object.keys(files).filter((f) => f.endsWith('.c')).map((f) => path.join(dir, f));
  const c = spawnSync('cc', ['-shared', '-fPIC', '-I', dir, '-o', so, ...sources], { encoding: 'utf8' });
  expect(c.stderr).toBe('');
  return so;
}

/** verify() options linking the test's library `name`. */
const linking = (name: string) => ({ includeDirs: [dir], libraries: [name], libraryDirs: [dir], runtimeLibraryDirs: [dir] });

/** Whether the system has the header. */
const installedHeader = (name: string): boolean => ['/usr/include', '/usr/local/include', '/usr/include/x86_64-linux-gnu', '/usr/include/aarch64-linux-gnu'].some((d) => fs.existsSync(path.join(d, name)));

describe('const globals a library defines', () => {
  const header =
    'struct cg_pt { int x, y; };\nextern const char *const cg_version;\nextern const int cg_answer;\n' +
    'extern const struct cg_pt cg_origin;\nextern const double cg_ratio;\nstatic const int cg_local = 7;\nint cg_get(void);\n';
  const source =
    '#include "cg.h"\nconst char *const cg_version = "6.2.1";\nconst int cg_answer = 42;\nconst struct cg_pt cg_origin = { 3, 4 };\n' +
    'const double cg_ratio = 1.5;\nint cg_get(void) { return cg_answer; }\n';

  test('dlopen(): read from the library opened, which the probe library does not refer to; verify() reads them too', () => {
    const so = library('cg', { 'cg.h': header, 'cg.c': source });
    const ffi = new FFI();
    ffi.cdefHeader('cg.h', { includeDirs: [dir] });
    expect(ffi.skipped()).toEqual([]);
    const lib = ffi.dlopen(so);
    expect([ffi.string(lib.cg_version), lib.cg_answer, lib.cg_origin.y, lib.cg_ratio, lib.cg_get()]).toEqual(['6.2.1', 42, 4, 1.5, 42]);
    const api = ffi.verify('#include "cg.h"', linking('cg'));
    expect([ffi.string(api.cg_version), api.cg_answer, api.cg_origin.x, api.cg_ratio, api.cg_local]).toEqual(['6.2.1', 42, 3, 1.5, 7]);
  });

  test('a library without them: dlopen() opens it, and reading one says it has no value there', () => {
    const ffi = new FFI();
    ffi.cdefHeader('cg.h', { includeDirs: [dir] });
    const lib = ffi.dlopen(null);
    expect(() => lib.cg_answer).toThrow(/constant 'cg_answer' has no value here/);
  });

  const gmp = installedHeader('gmp.h');
  const gmpTitle = "gmp.h: __gmp_version and __gmp_bits_per_limb, and the macros renaming them and gmp's functions, through dlopen() and verify()";
  (gmp ? test : test.skip)(gmp ? gmpTitle : `${gmpTitle} (skipped: gmp.h is not installed; Debian: libgmp-dev)`, () => {
    const ffi = new FFI();
    ffi.cdefHeader('gmp.h');
    const lib = ffi.dlopen('gmp');
    const version = ffi.string(lib.__gmp_version);
    expect(version).toMatch(/^\d+\.\d+/);
    expect(lib.__gmp_bits_per_limb).toBe(8 * ffi.sizeof('mp_limb_t'));
    const api = ffi.verify('#include <gmp.h>', { libraries: ['gmp'] });
    expect(ffi.string(api.__gmp_version)).toBe(version);
    expect(api.__gmp_bits_per_limb).toBe(lib.__gmp_bits_per_limb);
    // gmp's API is macros naming its symbols: `#define gmp_version __gmp_version`, `#define mpz_init __gmpz_init`.
    expect([ffi.string(lib.gmp_version), ffi.string(api.gmp_version), lib.mp_bits_per_limb]).toEqual([version, version, lib.__gmp_bits_per_limb]);
    for (const g of [lib, api]) {
      const z = ffi.new('mpz_t');
      g.mpz_init(z);
      g.mpz_set_ui(z, 7);
      g.mpz_pow_ui(z, z, 30);
      expect(ffi.string(g.mpz_get_str(null, 10, z))).toBe(String(7n ** 30n));
      g.mpz_clear(z);
    }
  });
});

describe('inline functions of a header that no symbol need stand for', () => {
  const header =
    'extern __inline __attribute__((__gnu_inline__, __always_inline__)) int in_gnu(int x) { return x + 1; }\n' +
    'extern inline __attribute__((gnu_inline)) int in_exported(int x) { return x + 2; }\n' +
    'inline int in_c99(int x) { return x * 3; }\nstatic inline int in_static(int x) { return x * 5; }\n';
  // The external definition GNU extern inline stands beside, in a library: a file that does not include the header.
  const exported = 'int in_exported(int x) { return x + 2; }\n';

  test('verify() calls GNU extern inline and C99 inline functions through their wrappers', () => {
    library('in', { 'in.h': header, 'in.c': exported });
    const ffi = new FFI();
    ffi.cdefHeader('in.h', { includeDirs: [dir] });
    const lib = ffi.verify('#include "in.h"', { includeDirs: [dir] });
    expect([lib.in_gnu(1), lib.in_exported(1), lib.in_c99(2), lib.in_static(2)]).toEqual([2, 3, 6, 10]);
    // Their function pointers are the wrappers', which C can call too.
    const p = ffi.cast('int (*)(int)', lib.in_gnu) as unknown as (x: number) => number;
    expect(p(41)).toBe(42);
    // Not left out: only static inline functions are never in a dlopen() library.
    expect(ffi.skipped().map((s) => s.name)).toEqual(['in_static']);
  });

  test('dlopen(): bound by symbol where the library exports one, else refused saying why', () => {
    const so = path.join(dir, 'libin.so');
    const ffi = new FFI();
    ffi.cdefHeader('in.h', { includeDirs: [dir] });
    const lib = ffi.dlopen(so);
    expect(lib.in_exported(5)).toBe(7);
    expect(() => lib.in_gnu).toThrow(/'in_gnu' is not in this library \(.*in\.h:1\): it is an inline function of the header, which no symbol need stand for/);
    expect(() => lib.in_c99).toThrow(/'in_c99' is not in this library .*verify\(\) calls it, through a wrapper/);
    expect(() => lib.in_static).toThrow(/'in_static' is not in libraries from dlopen\(\)/);
  });

  // clang builds some of emmintrin.h's functions in (_mm_clflush, _mm_lfence, _mm_mfence), declared by its
  // header without a body and without an address: verify() reaches them through their wrappers.
  const intrinsics = "emmintrin.h's non-vector intrinsics through verify(); xmmintrin.h's _mm_prefetch, which takes constants only, left out";
  (process.arch === 'x64' ? test : test.skip)(
    process.arch === 'x64' ? intrinsics : `${intrinsics} (skipped: not an x86-64 machine)`,
    () => {
      const ffi = new FFI();
      ffi.cdefHeader('emmintrin.h');
      const lib = ffi.verify('#include <emmintrin.h>');
      const cell = ffi.new('int *');
      lib._mm_stream_si32(cell, 1234);
      lib._mm_mfence();
      lib._mm_lfence();
      lib._mm_clflush(cell);
      expect(cell[0]).toBe(1234);
      expect(ffi.typeof(lib._mm_lfence).cname).toBe('void(*)()');
      const xmm = new FFI();
      xmm.cdefHeader('xmmintrin.h');
      // gcc's is an inline function passing an argument on to __builtin_prefetch; clang's a macro calling it.
      expect(xmm.skipped().find((s) => s.name === '_mm_prefetch')).toMatchObject({
        mode: 'all', reason: expect.stringMatching(/__builtin_prefetch, which takes constants only|'__builtin_prefetch' is not a function the header declares/),
      });
      expect(xmm.verify('#include <xmmintrin.h>')._mm_getcsr() & 0x1f80).toBe(0x1f80); // the exception masks, all set by default
    },
  );
});

describe('functions whose name a later macro of the header redefines as an expression', () => {
  // `#define wm_one (wm_one)`: C code calling wm_one() calls it through the macro. The weak reference
  // verify() adds for each function a header declares must not give clang's __has_builtin a '('.
  const header = 'int wm_one(int);\n#define wm_one (wm_one)\nint wm_two(int);\n#define wm_two wm_two\nint wm_gone(int);\n#define wm_gone (wm_gone)\n';
  const compilers = ['cc', 'clang', 'tcc'].filter((c) => spawnSync(c, ['-v']).error === undefined);
  test.each(compilers)('verify() (%s) binds them, and one the library lacks says so', (compiler) => {
    library('wm', { 'wm.h': header, 'wm.c': '#include "wm.h"\nint (wm_one)(int x) { return x + 1; }\nint wm_two(int x) { return x + 2; }\n' });
    const ffi = new FFI();
    ffi.cdefHeader('wm.h', { includeDirs: [dir], compiler });
    const lib = ffi.verify('#include "wm.h"', { ...linking('wm'), compiler });
    expect([lib.wm_one(1), lib.wm_two(1)]).toEqual([2, 3]);
    expect(() => lib.wm_gone(1)).toThrow(/wm_gone/);
  });
});

describe("clang's own headers", () => {
  const clang = spawnSync('clang', ['-v']).error === undefined;
  const title = "tgmath.h: its overloadable functions are left out, the rest goes through verify()";
  (clang ? test : test.skip)(clang ? title : `${title} (skipped: clang is not installed)`, () => {
    const ffi = new FFI();
    ffi.cdefHeader('tgmath.h', { compiler: 'clang' });
    const overloaded = ffi.skipped().filter((s) => s.reason.includes("overloaded (clang's __attribute__((overloadable)))"));
    expect(overloaded.length).toBeGreaterThan(50);
    expect(overloaded.every((s) => s.name.startsWith('__tg_'))).toBe(true);
    ffi.cdef('float root2f(void);');
    const lib = ffi.verify('#include <tgmath.h>\nfloat root2f(void) { return sqrt(2.0f); }', { compiler: 'clang', libraries: ['m'] });
    expect(lib.root2f()).toBe(Math.fround(Math.SQRT2)); // the type-generic macro, in the source
  });
});

describe('an enumerator a later macro of its name stands for', () => {
  // linux/pkt_sched.h: enum { ..., __TC_MQPRIO_MODE_MAX }; #define __TC_MQPRIO_MODE_MAX (__TC_MQPRIO_MODE_MAX - 1)
  const header =
    'enum qm_mode { QM_DCB, QM_CHANNEL, __QM_MODE_MAX };\n#define __QM_MODE_MAX (__QM_MODE_MAX - 1)\n' +
    'enum qm_level { QM_LOW, QM_HIGH, QM_LEVEL_MAX };\n#define QM_LEVEL_MAX (QM_LEVEL_MAX - 1)\nint qm_levels(void);\n';

  test("the name is the macro's, as C code after it reads it, the enum's value the enumerator's: through dlopen() and verify()", () => {
    fs.writeFileSync(path.join(dir, 'qm.h'), header);
    const ffi = new FFI();
    ffi.cdefHeader('qm.h', { includeDirs: [dir] });
    const lib = ffi.dlopen(null);
    // __QM_MODE_MAX's macro has a reserved name, the implementation's: left out, the name stays the enumerator's (read as itself).
    expect([lib.QM_CHANNEL, lib.__QM_MODE_MAX, lib.QM_LEVEL_MAX]).toEqual([1, 2, 1]);
    const api = ffi.verify('#include "qm.h"\nint qm_levels(void) { return QM_LEVEL_MAX; }', { includeDirs: [dir] });
    expect([api.__QM_MODE_MAX, api.QM_LEVEL_MAX]).toEqual([2, 1]);
    expect(api.qm_levels()).toBe(1); // C code after the macro sees the macro
    expect([ffi.string(ffi.cast('enum qm_level', 2)), ffi.string(ffi.cast('enum qm_mode', 2))]).toEqual(['QM_LEVEL_MAX', '__QM_MODE_MAX']);
  });

  test("other macros read an enumerator their expansion leaves as the enumerator, as C does, whichever macro comes first", () => {
    // C reads P2 as ((RA - 1) * 2) = 8, RC as (RC + (RA - 1)) = 13, RB as (RB + (RC + (RA - 1))) = 20: each left-over name is the enumerator.
    fs.writeFileSync(path.join(dir, 'rq.h'),
      'enum rq { RA = 5, RB = 7, RC = 9, RD = 11 };\n#define P1 (RA * 2)\n#define RA (RA - 1)\n#define P2 (RA * 2)\n' +
      '#define RB (RB + RC)\n#define RC (RC + RA)\n#define RD ((int) 3)\nint rq_values(int *out);\n');
    const values = { P1: 8, P2: 8, RA: 4, RB: 20, RC: 13, RD: 3 };
    const ffi = new FFI();
    ffi.cdefHeader('rq.h', { includeDirs: [dir] });
    const lib = ffi.dlopen(null);
    const api = ffi.verify('#include "rq.h"', { includeDirs: [dir] });
    for (const l of [lib, api]) expect(Object.fromEntries(Object.keys(values).map((k) => [k, l[k]]))).toEqual(values);
    expect(['RA', 'RB', 'RC', 'RD'].map((n) => Number(ffi.cast('int', ffi.cast('enum rq', n))))).toEqual([5, 7, 9, 11]);
    expect(ffi.string(ffi.cast('enum rq', 9))).toBe('RC');
  });

  test('a macro redefining an enumerator with a string, a float or a pointer: the name is the value, in verify() and dlopen() libraries and their types', () => {
    fs.writeFileSync(path.join(dir, 'sv.h'), 'enum sv { SV_S = 1, SV_F = 2, SV_P = 3, SV_K = 4 };\n#define SV_S "text"\n#define SV_F 1.5\n#define SV_P ((void *) 0)\n');
    const ffi = new FFI();
    ffi.cdefHeader('sv.h', { includeDirs: [dir] });
    for (const lib of [ffi.verify('#include "sv.h"', { includeDirs: [dir] }), ffi.dlopen(null)]) {
      expect([lib.SV_S, lib.SV_F, lib.SV_P, lib.SV_K]).toEqual(['text', 1.5, null, 4]);
    }
    expect(ffi.string(ffi.cast('enum sv', 3))).toBe('SV_P');
    const members = ffi.typescriptDeclarations().split('\n').filter((l) => /readonly SV_/.test(l)).map((l) => l.trim());
    expect(members).toEqual([
      'readonly SV_K: 4;',
      '/** (void *)0: a macro of the header */ readonly SV_P: CData | null;',
      '/** "text": a macro of the header */ readonly SV_S: string;',
      '/** 1.5: a macro of the header */ readonly SV_F: number;',
    ]);
  });

  const compilers = ['cc', 'clang', 'tcc'].filter((c) => spawnSync(c, ['-v']).error === undefined);
  test.each(compilers)('a cdef of the enum, verified against a source with the macro (%s)', (compiler) => {
    const ffi = new FFI();
    ffi.cdef('enum qm_level { QM_LOW, QM_HIGH, QM_LEVEL_MAX };');
    const lib = ffi.verify(header, { compiler });
    expect(lib.QM_LEVEL_MAX).toBe(2);
  });
});

test("a struct a bits/ part defines is bound though no declaration names it; the part's own '__' ones are not", () => {
  fs.mkdirSync(path.join(dir, 'bits'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'bits', 'pt_lock.h'), 'struct pt_lock { short kind; long start; };\nstruct __pt_private { int hidden; };\n');
  fs.writeFileSync(path.join(dir, 'pt.h'), '#include "bits/pt_lock.h"\nint pt_ctl(int cmd, ...);\n');
  const ffi = new FFI();
  ffi.cdefHeader('pt.h', { includeDirs: [dir] });
  expect(ffi.listTypes().structs).toEqual(['pt_lock']);
  ffi.dlopen(null); // the probe library checks the layout
  expect([ffi.sizeof('struct pt_lock'), ffi.offsetof('struct pt_lock', 'start')]).toEqual([16, 8].map((n) => (n * ffi.sizeof('long')) / 8));
});
