// ffi.cdefHeader() on a header of the test's own: options, what verify() and dlopen() make of it, and the cache (counted preprocessor runs).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI } from '../../lib/ffi';
import { FFIError, VerificationError } from '../../lib/errors';
import { cc, ffiOf } from '../../lib/cc';
import * as extract from '../../lib/header/extract';
import * as aotData from '../../lib/aot/data';
import { readHeader } from '../../lib/header';
import { chunkOptions } from '../../lib/headerlib';
import { loadHere } from '../helpers/loader';
import { runChild } from '../helpers/child';
import { CC } from '../helpers/compiler';

let dir = '';
let counter = '';
let log = '';
const runs = (): number => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => / -E /.test(` ${l} `)).length : 0);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-header-'));
  fs.writeFileSync(
    path.join(dir, 'geo.h'),
    '#include <stddef.h>\n#include "geo_types.h"\ntypedef struct point point_t;\ndouble geo_norm2(const point_t *p);\n' +
      'size_t geo_count(const point_t *ps, size_t n, double limit);\n#define GEO_VERSION "1.0"\n#define GEO_SCALE 2.5\n#define GEO_MAX 16\n' +
      '#define geo_scaled(p) geo_norm2((p))\n#define geo_within(ps, n) geo_count((ps), (n), GEO_SCALE)\nstatic inline double geo_twice(double x) { return 2 * x; }\n' +
      '#ifdef GEO_EXTRA\nint geo_extra(void);\n#endif\n',
  );
  fs.writeFileSync(path.join(dir, 'geo_types.h'), 'struct point { double x, y; };\nint geo_types_helper(void);\n');
  fs.writeFileSync(
    path.join(dir, 'geo.c'),
    '#include "geo.h"\ndouble geo_norm2(const point_t *p) { return p->x * p->x + p->y * p->y; }\n' +
      'size_t geo_count(const point_t *ps, size_t n, double limit) { size_t c = 0; for (size_t i = 0; i < n; i++) c += geo_norm2(&ps[i]) <= limit; return c; }\n' +
      'int geo_types_helper(void) { return 7; }\n',
  );
  log = path.join(dir, 'cc.log');
  counter = path.join(dir, 'counting-cc');
  fs.writeFileSync(counter, `#!/bin/sh\necho "$@" >> '${log}'\nexec cc "$@"\n`, { mode: 0o755 });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a header of its own: functions, types from the headers it includes, values, macros and static inline through verify()', () => {
  const ffi = new FFI();
  ffi.cdefHeader('geo.h', { includeDirs: [dir] });
  const lib = ffi.verify('#include "geo.h"', { includeDirs: [dir], sources: [path.join(dir, 'geo.c')] });
  const ps = ffi.new('point_t[]', [{ x: 3, y: 4 }, { x: 1, y: 1 }, { x: 10, y: 0 }]);
  expect(lib.geo_norm2(ps)).toBe(25);
  expect(lib.geo_scaled(ffi.addressof(ps, 1))).toBe(2);
  expect(lib.geo_count(ps, 3, 25)).toBe(2);
  expect(lib.geo_twice(1.25)).toBe(2.5);
  expect([lib.GEO_VERSION, lib.GEO_SCALE, lib.GEO_MAX]).toEqual(['1.0', 2.5, 16]);
  expect(ffi.sizeof('struct point')).toBe(16);
  // geo_types.h is another header: its function is not the binding's...
  expect(() => lib.geo_types_helper).toThrow(/no function, global or constant named 'geo_types_helper'/);
  // ...unless options.headers names it.
  const both = new FFI();
  both.cdefHeader('geo.h', { includeDirs: [dir], headers: ['geo_*.h'] });
  const lib2 = both.verify('#include "geo.h"', { includeDirs: [dir], sources: [path.join(dir, 'geo.c')] });
  expect(lib2.geo_types_helper()).toBe(7);
});

test('a header function no library defines is refused when used, not at load', () => {
  const ffi = new FFI();
  ffi.cdefHeader('geo.h', { includeDirs: [dir], defineMacros: [['GEO_EXTRA', null]] });
  const lib = ffi.verify('#include "geo.h"', { includeDirs: [dir], defineMacros: [['GEO_EXTRA', null]], sources: [path.join(dir, 'geo.c')] });
  expect(lib.geo_norm2(ffi.new('point_t *', { x: 1, y: 2 }))).toBe(5);
  expect(() => lib.geo_extra).toThrow(FFIError);
  expect(() => lib.geo_extra).toThrow(/'geo_extra' is declared by the header, but none of the libraries linked defines it/);
});

// openssl/ebcdic.h's `#define ebcdic2ascii _openssl_ebcdic2ascii`, whose function libcrypto defines only on
// EBCDIC systems: the wrapper verify() calls the macro through would call the missing function (at address 0).
test('a macro renaming a header function no library defines is refused when used, as that function is', () => {
  fs.writeFileSync(path.join(dir, 'renamed.h'), '#define gone _gone_impl\n#define here _here_impl\nint gone(int);\nint here(int);\n');
  const script = `const { FFI } = require(LIB);\nconst ffi = new FFI();\nffi.cdefHeader('renamed.h', { includeDirs: [${JSON.stringify(dir)}] });\n` +
    `const lib = ffi.verify('#include "renamed.h"\\nint _here_impl(int x) { return x + 1; }\\n', { includeDirs: [${JSON.stringify(dir)}] });\n` +
    'const refused = (name) => { try { return String(lib[name](1)); } catch (e) { return e.name + ": " + e.message; } };\n' +
    "console.log(JSON.stringify({ here: lib.here(41), gone: refused('gone'), impl: refused('_gone_impl'), keys: Object.keys(lib).sort() }));\n";
  const r = runChild(script);
  expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  expect(JSON.parse(r.stdout)).toEqual({
    here: 42,
    gone: "FFIError: the verify() library for source.c: 'gone' is the header's macro for '_gone_impl', which none of the libraries linked defines (options.libraries names them)",
    impl: "FFIError: the verify() library for source.c: '_gone_impl' is declared by the header, but none of the libraries linked defines it (options.libraries names them)",
    keys: ['_here_impl', 'here'],
  });
});

// A weak reference takes no member out of an archive: such functions looked missing.
test("a static library's functions, bound through its header, are taken in from the archive, and so are the C library's own (atexit)", () => {
  const lib = path.join(dir, 'static');
  fs.mkdirSync(lib, { recursive: true });
  fs.writeFileSync(path.join(lib, 'arch.h'), 'int arch_add(int a, int b);\nint arch_mul(int a, int b);\nint arch_absent(void);\n');
  fs.writeFileSync(path.join(lib, 'arch_add.c'), 'int arch_add(int a, int b) { return a + b; }\n');
  fs.writeFileSync(path.join(lib, 'arch_mul.c'), 'int arch_mul(int a, int b) { return a * b; }\n');
  for (const part of ['arch_add', 'arch_mul']) {
    const r = spawnSync(CC, ['-c', '-fPIC', '-o', path.join(lib, `${part}.o`), path.join(lib, `${part}.c`)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
  }
  const ar = spawnSync('ar', ['rcs', path.join(lib, 'libarch.a'), path.join(lib, 'arch_add.o'), path.join(lib, 'arch_mul.o')], { encoding: 'utf8' });
  expect([ar.status, ar.stderr]).toEqual([0, '']);
  // By -l, found as libarch.a in a directory given; and as an object file of the link.
  for (const options of [{ libraryDirs: [lib], libraries: ['arch'] }, { extraObjects: [path.join(lib, 'libarch.a')] }]) {
    const ffi = new FFI();
    ffi.cdefHeader('arch.h', { includeDirs: [lib] });
    const bound = ffi.verify('#include "arch.h"', { includeDirs: [lib], ...options });
    expect([bound.arch_add(2, 3), bound.arch_mul(4, 5)]).toEqual([5, 20]);
    expect(() => bound.arch_absent).toThrow(/'arch_absent' is declared by the header, but none of the libraries linked defines it/);
  }
  // glibc's atexit is in libc_nonshared.a, which its libc.so linker script adds to every link.
  const ffi = new FFI();
  ffi.cdefHeader('stdlib.h', { only: /^(atexit|abs)$/ });
  const c = ffi.verify('#include <stdlib.h>');
  expect([typeof c.atexit, c.abs(-4)]).toEqual(['function', 4]);
});

const tcc = spawnSync('tcc', ['-v']).status === 0;
const tccTitle = 'with tcc too: a header function no library defines is found out by name';
(tcc ? test : test.skip)(tcc ? tccTitle : `${tccTitle} (skipped: tcc is not installed)`, () => {
  const ffi = new FFI();
  const options = { includeDirs: [dir], defineMacros: [['GEO_EXTRA', null]] as [string, null][], compiler: 'tcc' };
  ffi.cdefHeader('geo.h', options);
  const lib = ffi.verify('#include "geo.h"', { ...options, sources: [path.join(dir, 'geo.c')] });
  expect(lib.geo_norm2(ffi.new('point_t *', { x: 3, y: 4 }))).toBe(25);
  expect(lib.geo_twice(2)).toBe(4);
  expect(() => lib.geo_extra).toThrow(/'geo_extra' is declared by the header, but none of the libraries linked defines it/);
});

// A header may declare globals the program itself is meant to define (arpa/telnet.h's slc_names).
test(`a header global no library defines is refused when used, not at load; the others are read and written${tcc ? '' : ' (tcc part skipped: tcc is not installed)'}`, () => {
  fs.writeFileSync(
    path.join(dir, 'globals.h'),
    'extern int made_by_program;\nextern int made_here;\nextern int shadowed;\n#define shadowed (*shadowed_location())\nint *shadowed_location(void);\n',
  );
  const source = '#include "globals.h"\nint made_here = 5;\nint *shadowed_location(void) { static int v = 9; return &v; }\n';
  for (const compiler of tcc ? [undefined, 'tcc'] : [undefined]) {
    const ffi = new FFI();
    ffi.cdefHeader('globals.h', { includeDirs: [dir], compiler });
    const lib = ffi.verify(source, { includeDirs: [dir], compiler });
    expect(lib.made_here).toBe(5);
    lib.made_here = 6;
    expect(lib.made_here).toBe(6);
    // A global that is also a macro is reached through the macro, as C reaches it.
    expect(lib.shadowed).toBe(9);
    expect(() => lib.made_by_program).toThrow(FFIError);
    expect(() => lib.made_by_program).toThrow(/'made_by_program' is declared by the header, but none of the libraries linked defines it/);
  }
});

test('a header function passing a long double, which only verify() calls, is referred to weakly too', () => {
  fs.writeFileSync(path.join(dir, 'ld.h'), 'long double ld_missing(long double x);\nlong double ld_twice(long double x);\n');
  const ffi = new FFI();
  ffi.cdefHeader('ld.h', { includeDirs: [dir] });
  const lib = ffi.verify('#include "ld.h"\nlong double ld_twice(long double x) { return 2 * x; }\n', { includeDirs: [dir] });
  expect(lib.ld_twice(1.25)).toBe(2.5);
  expect(() => lib.ld_missing).toThrow(/'ld_missing' is declared by the header, but none of the libraries linked defines it/);
});

test("the header's deprecated declarations draw no warning from what verify() adds; the source's own use of one still does", () => {
  fs.writeFileSync(path.join(dir, 'old.h'), '__attribute__((deprecated("use new_way"))) int old_way(void);\nint new_way(void);\n');
  const build = (body: string) => {
    const warnings: string[] = [];
    const ffi = new FFI();
    ffi.cdefHeader('old.h', { includeDirs: [dir] });
    const lib = ffi.verify(`#include "old.h"\nint old_way(void) { return 1; }\n${body}`, { includeDirs: [dir], onWarning: (w) => warnings.push(w.message) });
    return { lib, warnings };
  };
  const quiet = build('int new_way(void) { return 2; }\n');
  expect(quiet.warnings).toEqual([]);
  expect([quiet.lib.old_way(), quiet.lib.new_way()]).toEqual([1, 2]);
  const using = build('int new_way(void) { return old_way() + 1; }\n');
  expect(using.warnings).toHaveLength(1);
  expect(using.warnings[0]).toMatch(/^source\.c:3:\d+: .*old_way.* is deprecated.*\[-Wdeprecated-declarations\]$/);
  expect(using.lib.new_way()).toBe(2);
});

test("a type's deprecated name, a macro of a _Pragma that only warns and the type, is a typedef of the type", () => {
  fs.writeFileSync(
    path.join(dir, 'renamed.h'),
    'typedef struct node_st { int v; } node_t;\nint node_v(node_t *n);\n' +
      '#define old_node _Pragma ("GCC warning \\"old_node is deprecated, use node_t\\"") node_t\n' +
      '#define old_node_st _Pragma ("message \\"use struct node_st\\"") struct node_st\n' +
      '#define OLD_LIMIT _Pragma ("message \\"use NEW_LIMIT\\"") 42\n' +
      '#define PACKED_NODE _Pragma ("pack(1)") node_t\n',
  );
  const ffi = new FFI();
  ffi.cdefHeader('renamed.h', { includeDirs: [dir] });
  expect(ffi.typeof('old_node')).toBe(ffi.typeof('node_t'));
  expect(ffi.typeof('old_node_st')).toBe(ffi.typeof('struct node_st'));
  const lib = ffi.verify('#include "renamed.h"\nint node_v(node_t *n) { return n->v; }\n', { includeDirs: [dir] });
  expect(lib.node_v(ffi.new('old_node *', { v: 7 }))).toBe(7);
  // In an expression C refuses the pragma, and another pragma changes what the code means: both left out, with their reasons.
  const only = "which C takes before a declaration, never in a value; only a type name after a pragma that warns (a deprecated name) is declared, as a typedef";
  expect(ffi.skipped().map((x) => [x.name, x.reason]).sort()).toEqual([
    ['OLD_LIMIT', `its value begins with _Pragma("message \\"use NEW_LIMIT\\""), ${only}`],
    ['PACKED_NODE', `its value begins with _Pragma("pack(1)"), ${only}`],
  ]);
});

test('the declarations are remembered: the same header again runs no preprocessor until an option or a header file changes', () => {
  const options = { includeDirs: [dir], compiler: counter };
  const before = runs();
  new FFI().cdefHeader('geo.h', options);
  expect(runs()).toBe(before + 1);
  const warm = new FFI();
  warm.cdefHeader('geo.h', options);
  expect(runs()).toBe(before + 1);
  expect(warm.sizeof('point_t')).toBe(16);
  new FFI().cdefHeader('geo.h', { ...options, defineMacros: [['GEO_EXTRA', null]] });
  expect(runs()).toBe(before + 2);
  // A header the first one includes changes: read again, and the new field is there.
  const types = path.join(dir, 'geo_types.h');
  const old = fs.readFileSync(types, 'utf8');
  fs.writeFileSync(types, 'struct point { double x, y, z; };\nint geo_types_helper(void);\n');
  try {
    const changed = new FFI();
    changed.cdefHeader('geo.h', options);
    expect(runs()).toBe(before + 3);
    expect(changed.sizeof('point_t')).toBe(24);
  } finally {
    fs.writeFileSync(types, old);
  }
});

test('a header touched but unchanged is preprocessed again, but its declarations are not derived again (remembered by content)', () => {
  const options = { includeDirs: [dir], compiler: counter, defineMacros: [['GEO_TOUCHED', '1']] as [string, string][] };
  new FFI().cdefHeader('geo.h', options);
  const before = runs();
  const types = path.join(dir, 'geo_types.h');
  // Another modification time (a fixed one, far from now), the same bytes.
  const other = new Date('2001-09-09T01:46:40Z');
  fs.utimesSync(types, other, other);
  const derive = jest.spyOn(extract, 'extractHeader');
  try {
    const again = new FFI();
    again.cdefHeader('geo.h', options);
    expect(runs()).toBe(before + 1);
    expect(derive).not.toHaveBeenCalled();
    expect(again.sizeof('point_t')).toBe(16);
  } finally {
    derive.mockRestore();
  }
});

test('dlopen() checks the layouts with a probe library and refuses what only verify() can call', () => {
  const so = path.join(dir, 'libgeo.so');
  const c = spawnSync('cc', ['-shared', '-fPIC', '-I', dir, '-o', so, path.join(dir, 'geo.c')], { encoding: 'utf8' });
  expect(c.status).toBe(0);
  const ffi = new FFI();
  ffi.cdefHeader('geo.h', { includeDirs: [dir] });
  const lib = ffi.dlopen(so);
  expect(lib.geo_norm2(ffi.new('point_t *', { x: 2, y: 2 }))).toBe(8);
  expect(() => lib.geo_twice).toThrow(/'geo_twice' is not in libraries from dlopen\(\) \(.*geo\.h:\d+\): it is a static inline function/);
  // A macro passing its parameters on to a function unchanged is that function; one that adds an argument is C's to expand.
  expect(lib.geo_scaled(ffi.new('point_t *', { x: 1, y: 2 }))).toBe(5);
  expect(() => lib.geo_within).toThrow(/'geo_within' is not in libraries from dlopen\(\).*it is a macro/);
  expect(lib.GEO_VERSION).toBe('1.0');
  expect(ffi.skipped().filter((s) => s.mode === 'dlopen').map((s) => s.name).sort()).toEqual(['geo_twice', 'geo_within']);
});

test("dlopen() binds the symbol an asm label names, as C code calling the header's name does", () => {
  // glibc does this for fscanf (__isoc99_fscanf) and, with _FILE_OFFSET_BITS=64, for fopen (fopen64).
  fs.writeFileSync(
    path.join(dir, 'labels.h'),
    'int answer(void) __asm__("" "real_answer");\nextern int level __asm__("real_level");\nint plain(void);\n',
  );
  fs.writeFileSync(
    path.join(dir, 'labels.c'),
    'int real_answer(void) { return 42; }\nint answer(void) __asm__("old_answer");\nint answer(void) { return 7; }\n' +
      'int real_level = 5;\nint plain(void) { return 1; }\n',
  );
  const so = path.join(dir, 'liblabels.so');
  const c = spawnSync('cc', ['-shared', '-fPIC', '-o', so, path.join(dir, 'labels.c')], { encoding: 'utf8' });
  expect(c.stderr).toBe('');
  const ffi = new FFI();
  ffi.cdefHeader('labels.h', { includeDirs: [dir] });
  const lib = ffi.dlopen(so);
  expect([lib.answer(), lib.level, lib.plain()]).toEqual([42, 5, 1]);
  lib.level = 6;
  const check = new FFI();
  check.cdef('int real_level;');
  expect(check.dlopen(so).real_level).toBe(6);
  // verify() needs no help: the compiler reads the label from the header itself.
  const api = ffi.verify('#include "labels.h"', { includeDirs: [dir], sources: [path.join(dir, 'labels.c')] });
  expect(api.answer()).toBe(42);
});

test("macros that rename a global or a function (gmp.h's mpz_init is __gmpz_init) are those, through dlopen() and verify()", () => {
  fs.writeFileSync(
    path.join(dir, 'renames.h'),
    'extern int __rn_counter;\n#define rn_counter __rn_counter\nstruct rn_pt { int x, y; };\nextern struct rn_pt __rn_origin;\n' +
      '#define rn_origin __rn_origin\nint __rn_add(int a, int b);\n#define rn_add __rn_add\n#define rn_add2(a, b) __rn_add((a), (b))\n' +
      '#define rn_twice(a) __rn_add((a), (a))\n#define rn_sum rn_add2\n',
  );
  fs.writeFileSync(
    path.join(dir, 'renames.c'),
    '#include "renames.h"\nint __rn_counter = 41;\nstruct rn_pt __rn_origin = { 3, 4 };\nint __rn_add(int a, int b) { return a + b; }\n',
  );
  const so = path.join(dir, 'librenames.so');
  const c = spawnSync('cc', ['-shared', '-fPIC', '-o', so, path.join(dir, 'renames.c')], { encoding: 'utf8' });
  expect(c.stderr).toBe('');
  const ffi = new FFI();
  ffi.cdefHeader('renames.h', { includeDirs: [dir] });
  const lib = ffi.dlopen(so);
  expect([lib.rn_counter, lib.rn_origin.y, lib.rn_add(2, 3), lib.rn_add2(4, 5), lib.rn_sum(6, 7)]).toEqual([41, 4, 5, 9, 13]);
  lib.rn_counter = 7;
  expect(lib.__rn_counter).toBe(7);
  // One that passes a parameter twice is not the function: C expands it.
  expect(() => lib.rn_twice).toThrow(/'rn_twice' is not in libraries from dlopen\(\).*it is a macro/);
  expect(ffi.skipped().map((s) => s.name)).toEqual(['rn_twice']);
  const api = ffi.verify('#include "renames.h"', { includeDirs: [dir], sources: [path.join(dir, 'renames.c')] });
  expect([api.rn_counter, api.rn_origin.x, api.rn_add(2, 3), api.rn_add2(4, 5), api.rn_sum(6, 7), api.rn_twice(8)]).toEqual([41, 3, 5, 9, 13, 16]);
  api.rn_counter = 9;
  expect(api.__rn_counter).toBe(9);
  expect(ffi.typeof(lib.rn_sum).cname).toBe('int(*)(int, int)');
});

test("dlopen() probes a header that needs others included first (as jpeglib.h wants stdio.h) after verify()'s standard headers", () => {
  // No #include: size_t and FILE are the includer's to declare, and the macro casts to ssize_t.
  fs.writeFileSync(path.join(dir, 'needy.h'), 'struct needy { size_t n; FILE *f; char c; };\n#define NEEDY_MAX ((ssize_t) 77)\n');
  const alone = spawnSync('cc', ['-fsyntax-only', '-x', 'c', path.join(dir, 'needy.h')], { encoding: 'utf8' });
  expect(alone.status).not.toBe(0);
  const ffi = new FFI();
  ffi.cdefHeader('needy.h', { includeDirs: [dir] });
  const lib = ffi.dlopen(null);
  expect([ffi.sizeof('struct needy'), ffi.offsetof('struct needy', 'c'), lib.NEEDY_MAX]).toEqual([24, 16, 77]);
  // One that fails after them too (char16_t is uchar.h's) says what the compiler said of it alone.
  fs.writeFileSync(path.join(dir, 'broken.h'), '#define BROKEN_ONE ((char16_t) 1)\n');
  const other = new FFI();
  other.cdefHeader('broken.h', { includeDirs: [dir] });
  expect(() => other.dlopen(null)).toThrow(VerificationError);
  expect(() => other.dlopen(null)).toThrow(/BROKEN_ONE.*char16_t/);
  // The error is dlopen()'s, names the header and says how such a header is bound.
  expect(() => other.dlopen(null)).toThrow(/^ffi\.dlopen\(\): the probe library checking the layouts of <broken\.h> did not compile, alone or after the standard headers\. A header that needs others included first is bound through one that includes them: .*\.[^]*The C compiler failed \(.* exited with status 1\):\n/);
});

test('a header that does not compile alone is remembered so: a new process probes it after the standard headers at once, until the header changes', () => {
  // Compiles of the probe library's unit, counted through a compiler that logs its arguments.
  const tmpdir = fs.mkdtempSync(path.join(dir, 'alone-'));
  const logged = path.join(tmpdir, 'compiles.log');
  const compiler = path.join(tmpdir, 'logging-cc');
  fs.writeFileSync(compiler, `#!/bin/sh\necho "$@" >> '${logged}'\nexec ${CC} "$@"\n`, { mode: 0o755 });
  const compiles = (): number => (fs.existsSync(logged) ? fs.readFileSync(logged, 'utf8').split('\n').filter((l) => l.includes('node-cffi-glue.c')).length : 0);
  // size_t is the includer's to declare (cdef knows it: the declarations do not change when the header includes stddef.h).
  const header = path.join(tmpdir, 'sized.h');
  fs.writeFileSync(header, 'struct sized { size_t n; char c; };\n#define SIZED_MAX 12\n');
  const options = { includeDirs: [tmpdir], tmpdir, compiler };
  const script = `const { FFI } = require(LIB);\nconst ffi = new FFI();\nffi.cdefHeader('sized.h', ${JSON.stringify(options)});\n` +
    "console.log(JSON.stringify([ffi.sizeof('struct sized'), ffi.dlopen(null).SIZED_MAX]));\n";
  const probe = (): number => {
    const before = compiles();
    const r = runChild(script);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([16, 12]);
    return compiles() - before;
  };
  // Cold: the header alone fails, then the unit after the standard headers compiles.
  expect(probe()).toBe(2);
  // Warm: both remembered, no compile at all.
  expect(probe()).toBe(0);
  // The header includes what it needs now: alone, it compiles (the same unit, the same key, another stamp).
  fs.writeFileSync(header, `#include <stddef.h>\n${fs.readFileSync(header, 'utf8')}`);
  expect(probe()).toBe(1);
  expect(probe()).toBe(0);
});

test("a macro's value may use types declared after it or in another header, as C expands it where it is used", () => {
  fs.writeFileSync(path.join(dir, 'late_other.h'), 'typedef unsigned int other_u32;\n');
  fs.writeFileSync(
    path.join(dir, 'late.h'),
    '#include "late_other.h"\n#define LATE_MASK ((late_t) 0x1ff)\n#define LATE_SIZE (sizeof(struct later) + 1)\n#define OTHER_BIG ((other_u32) 1 << 31)\n' +
      '#define LATE_MISSING not_declared_here\ntypedef unsigned char late_t;\nstruct later { int a; double b; };\n',
  );
  const ffi = new FFI();
  ffi.cdefHeader('late.h', { includeDirs: [dir] });
  const lib = ffi.dlopen(null);
  // 0x1ff cast to an unsigned char is 0xff, as C has it.
  expect([lib.LATE_MASK, lib.LATE_SIZE, lib.OTHER_BIG, ffi.sizeof('other_u32')]).toEqual([0xff, 17, 2 ** 31, 4]);
  expect(ffi.skipped()).toEqual([{
    name: 'LATE_MISSING', where: expect.stringMatching(/late\.h:5$/), mode: 'all',
    reason: expect.stringMatching(/^its value, 'not_declared_here', names nothing the header declares as the preprocessor read it/),
  }]);
});

test("a header's static const integers have the values the probe library read, in dlopen() libraries and ABI-mode modules", () => {
  fs.writeFileSync(path.join(dir, 'consts.h'), 'static const int SC_A = 5;\nstatic const unsigned long SC_B = 1ul << 40;\n');
  const ffi = new FFI();
  ffi.cdefHeader('consts.h', { includeDirs: [dir] });
  const lib = ffi.dlopen(null);
  expect([lib.SC_A, lib.SC_B]).toEqual([5, 2 ** 40]);
  ffi.setSource('_consts', null);
  const module = ffi.compile({ tmpdir: dir });
  const again = loadHere<{ ffi: FFI }>(module, '_consts').ffi.dlopen(null);
  expect([again.SC_A, again.SC_B]).toEqual([5, 2 ** 40]);
});

test("a macro redefining an enumerator is the name's value, as C reads it after the #define, through verify() and dlopen(); `#define X X` keeps the enumerator", () => {
  fs.writeFileSync(
    path.join(dir, 'redef.h'),
    'enum redef { RD_A = 5, RD_B = 7, RD_C = 9, RD_D = 1 };\n#define RD_A (RD_A - 1)\n#define RD_B RD_B\n#define RD_C (RD_C)\n#define RD_D 3\n',
  );
  const ffi = new FFI();
  ffi.cdefHeader('redef.h', { includeDirs: [dir] });
  ffi.cdef('int rd_used(void);');
  expect(ffi.skipped()).toEqual([]);
  const names = ['RD_A', 'RD_B', 'RD_C', 'RD_D'] as const;
  const dl = ffi.dlopen(null);
  expect(names.map((n) => dl[n])).toEqual([4, 7, 9, 3]);
  // C code after the header reads the same: 4 + 7 + 9 + 3.
  const api = ffi.verify('#include "redef.h"\nint rd_used(void) { return RD_A + RD_B + RD_C + RD_D; }\n', { includeDirs: [dir] });
  expect(names.map((n) => api[n])).toEqual([4, 7, 9, 3]);
  expect(api.rd_used()).toBe(23);
  // The enum keeps its enumerators.
  expect([ffi.string(ffi.cast('enum redef', 5)), ffi.string(ffi.cast('enum redef', 1)), Number(ffi.cast('enum redef', 'RD_A'))]).toEqual(['RD_A', 'RD_D', 5]);
});

test('bad arguments are refused with the culprit named', () => {
  const ffi = new FFI();
  expect(() => ffi.cdefHeader(42 as unknown as string)).toThrow(TypeError);
  expect(() => ffi.cdefHeader('')).toThrow(/ffi.cdefHeader\(\): expected a header name such as 'zlib.h' or a path, got string ""/);
  expect(() => ffi.cdefHeader('zlib.h', { only: 'deflate' as unknown as RegExp })).toThrow(/options.only must be a RegExp/);
  expect(() => ffi.cdefHeader('zlib.h', { headers: 'x.h' as unknown as string[] })).toThrow(/options.headers must be an array/);
  expect(() => ffi.cdefHeader('no-such-header-here.h')).toThrow(/ffi.cdefHeader\(\): the C preprocessor failed.*no-such-header-here.h/s);
});

test('an umbrella header, which declares nothing itself, binds what it includes from its own place', () => {
  const root = fs.mkdtempSync(path.join(dir, 'umbrella-'));
  fs.mkdirSync(path.join(root, 'umb'));
  fs.mkdirSync(path.join(root, 'lib2'));
  fs.mkdirSync(path.join(root, 'own'));
  // umb.h: includes only, from umb/ (one of them includes a third there) and from elsewhere.
  fs.writeFileSync(path.join(root, 'umb.h'), '#ifndef UMB_H\n#define UMB_H\n#include <stdint.h>\n#include "umb/a.h"\n#include "umb/b.h"\n#endif\n');
  fs.writeFileSync(path.join(root, 'umb', 'a.h'), 'int umb_a(int x);\n#define UMB_A 7\n');
  fs.writeFileSync(path.join(root, 'umb', 'b.h'), '#include "c.h"\nstruct umb_pt { int x, y; };\nint umb_b(struct umb_pt *p);\n');
  fs.writeFileSync(path.join(root, 'umb', 'c.h'), 'int umb_c(void);\n');
  fs.writeFileSync(path.join(root, 'umb.c'), '#include "umb.h"\nint umb_a(int x) { return x + UMB_A; }\nint umb_b(struct umb_pt *p) { return p->x * p->y; }\nint umb_c(void) { return 3; }\n');
  // lib2/all.h, named with its directory: its siblings are its place.
  fs.writeFileSync(path.join(root, 'lib2', 'all.h'), '#include "one.h"\n');
  fs.writeFileSync(path.join(root, 'lib2', 'one.h'), 'int lib2_one(void);\n');
  // own.h declares something itself: what it includes from own/ is another header's, as before.
  fs.writeFileSync(path.join(root, 'own.h'), '#include "own/extra.h"\nint own_f(void);\n');
  fs.writeFileSync(path.join(root, 'own', 'extra.h'), 'int own_extra(void);\n');
  const declared = (header: string, options: { only?: RegExp } = {}): string[] => {
    const ffi = new FFI();
    ffi.cdefHeader(header, { includeDirs: [root], ...options });
    return Object.keys(ffi.dlopen(null)).sort();
  };
  // umb/c.h comes through umb/b.h; stdint.h is not umb.h's place, so none of its macros (INT8_MAX…) come.
  expect(declared('umb.h')).toEqual(['UMB_A', 'umb_a', 'umb_b', 'umb_c']);
  expect(declared('lib2/all.h')).toEqual(['lib2_one']);
  expect(declared('own.h')).toEqual(['own_f']);
  // options.only picks among the umbrella's names; the types they use come along.
  expect(declared('umb.h', { only: /^umb_b$/ })).toEqual(['umb_b']);
  // A header that binds something is no umbrella, whatever options.only leaves of it.
  expect(declared('own.h', { only: /^own_extra$/ })).toEqual([]);
  // And they are the header's in verify(), as any header's own.
  const ffi = new FFI();
  ffi.cdefHeader('umb.h', { includeDirs: [root] });
  const lib = ffi.verify('#include "umb.h"', { includeDirs: [root], sources: [path.join(root, 'umb.c')] });
  expect([lib.umb_a(1), lib.umb_b(ffi.new('struct umb_pt *', { x: 3, y: 4 })), lib.umb_c(), lib.UMB_A]).toEqual([8, 12, 3, 7]);
});

test('a C++ header is named as one: C has none of the C++ headers it includes', () => {
  fs.writeFileSync(path.join(dir, 'wrapper.hh'), '#include <iosfwd>\nclass Wrapper;\n');
  const ffi = new FFI();
  let message = '';
  try {
    ffi.cdefHeader(path.join(dir, 'wrapper.hh'));
  } catch (e) {
    message = (e as Error).message;
  }
  // The compiler's own words first (each compiler's), then what they mean.
  expect(message).toMatch(/^ffi.cdefHeader\(\): the C preprocessor failed[^]*iosfwd/);
  expect(message).toMatch(/\n<iosfwd> is a header of the C\+\+ standard library: what was read is C\+\+, which the C preprocessor cannot read and cdef cannot declare; read the library's C header instead/);
  // A C header that is missing draws no such words.
  expect(() => ffi.cdefHeader('no-such-header-here.h')).toThrow(/^(?![^]*C\+\+ standard library)/);
});

const zlib = ['/usr/include/zlib.h', '/usr/local/include/zlib.h'].some((f) => fs.existsSync(f));
const ccTitle = "cc() exposes a header the source includes with options.headers";
(zlib ? test : test.skip)(zlib ? ccTitle : `${ccTitle} (skipped: zlib.h is not installed; Debian: zlib1g-dev)`, () => {
  const source = '#include <zlib.h>\nint fastest(void) { return Z_BEST_SPEED; }\n';
  const lib = cc(source, { headers: ['zlib.h'], libraries: ['z'] });
  expect(lib.fastest()).toBe(1);
  expect(lib.compressBound(1000)).toBe(1013);
  expect(lib.ZLIB_VERSION).toBe(ffiOf(lib).string(lib.zlibVersion()));
  // Without the option, only the source's own declarations.
  const own = cc(source, { libraries: ['z'] });
  expect(own.fastest()).toBe(1);
  expect(() => own.compressBound).toThrow(/no function, global or constant named 'compressBound'/);
  expect(() => cc(source, { headers: 'zlib.h' as unknown as string[] })).toThrow(/cc\(\): options.headers must be a non-empty array/);
});

test('remembered declarations are rebuilt without parsing, into the same table the cdef text gives', () => {
  const rebuild = jest.spyOn(aotData, 'readModule');
  try {
    const fast = new FFI();
    fast.cdefHeader('geo.h', { includeDirs: [dir] });
    expect(rebuild).toHaveBeenCalledTimes(1);
    const parsed = new FFI();
    for (const c of readHeader('geo.h', { includeDirs: [dir] }).cdefs) parsed.cdef(c.source, chunkOptions(c));
    const members = (f: FFI) => f.typescriptDeclarations().split('\n').filter((l) => !l.includes('a macro of the header'));
    expect(members(fast)).toEqual(members(parsed));
    expect(fast.listTypes()).toEqual(parsed.listTypes());
    // A name the FFI already declares: the text is parsed, and the same declaration is accepted.
    const mixed = new FFI();
    mixed.cdef('struct point { double x, y; };');
    const parse = jest.spyOn(mixed, 'cdef');
    mixed.cdefHeader('geo.h', { includeDirs: [dir] });
    expect(parse).toHaveBeenCalled();
    expect(mixed.sizeof('point_t')).toBe(16);
  } finally {
    rebuild.mockRestore();
  }
});

test('a header read afresh is declared from what its check parsed, not rebuilt from the snapshot; a remembered one is rebuilt, to the same table', () => {
  const tmpdir = fs.mkdtempSync(path.join(dir, 'fresh-'));
  const rebuild = jest.spyOn(aotData, 'readModule');
  try {
    const first = new FFI();
    first.cdefHeader('geo.h', { includeDirs: [dir], tmpdir });
    expect(rebuild).toHaveBeenCalledTimes(0);
    const second = new FFI();
    second.cdefHeader('geo.h', { includeDirs: [dir], tmpdir });
    expect(rebuild).toHaveBeenCalledTimes(1);
    const parsed = new FFI();
    for (const c of readHeader('geo.h', { includeDirs: [dir], tmpdir }).cdefs) parsed.cdef(c.source, chunkOptions(c));
    const members = (f: FFI) => f.typescriptDeclarations().split('\n').filter((l) => !l.includes('a macro of the header'));
    expect(members(first)).toEqual(members(parsed));
    expect(members(second)).toEqual(members(parsed));
    expect(first.listTypes()).toEqual(parsed.listTypes());
    expect(first.sizeof('point_t')).toBe(16);
    // Each binding has its own types: completing or using one FFI's never touches the other's.
    expect(first.typeof('point_t')).not.toBe(second.typeof('point_t'));
    const lib = first.verify('#include "geo.h"', { includeDirs: [dir], sources: [path.join(dir, 'geo.c')], tmpdir });
    expect(lib.geo_norm2(first.new('point_t *', { x: 3, y: 4 }))).toBe(25);
  } finally {
    rebuild.mockRestore();
  }
});
