// A module compiled ahead of time from a header bound with ffi.cdefHeader(): its functions, macros and values load in another process with no compiler.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI } from '../../lib';
import { ensureBuilt, withPackageLinked } from '../cli/binary';
import { loadHere } from '../helpers/loader';

const TSX = require.resolve('tsx/cjs');
const zlib = ['/usr/include/zlib.h', '/usr/local/include/zlib.h'].some((f) => fs.existsSync(f));
const title = 'setSource + compile after cdefHeader(zlib.h): the loader has the header\'s API, its macros and values';

let work = '';
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

(zlib ? test : test.skip)(zlib ? title : `${title} (skipped: zlib.h is not installed; Debian: zlib1g-dev)`, () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-header-aot-'));
  const ffi = new FFI();
  ffi.cdefHeader('zlib.h', { only: /^(compressBound|zlibVersion|deflateInit|deflate|deflateEnd|ZLIB_VERSION|Z_OK|Z_FINISH|Z_STREAM_END)$/ });
  ffi.setSource('_zlibapi', '#include <zlib.h>\n', { libraries: ['z'] });
  const dir = ffi.compile({ tmpdir: work });
  const types = fs.readFileSync(path.join(dir, '_zlibapi.d.ts'), 'utf8');
  expect(types).toContain('readonly ZLIB_VERSION: string;');
  expect(types).toMatch(/deflateInit\(\w*: CData \| readonly \(struct_z_stream_s \| struct_z_stream_s_init\)\[\] \| null, \w*: number \| bigint\): number;/);
  // The loader requires the package by name: this checkout, built, stands for it.
  ensureBuilt();
  withPackageLinked(work);
  fs.writeFileSync(
    path.join(work, 'use.ts'),
    "import { ffi, lib } from './_zlibapi/_zlibapi.js';\n" +
      "const s = ffi.new('z_stream *');\nconst init = lib.deflateInit(s, 6);\n" +
      'console.log(JSON.stringify({ bound: lib.compressBound(1000), version: lib.ZLIB_VERSION, same: lib.ZLIB_VERSION === ffi.string(lib.zlibVersion()), init, end: lib.deflateEnd(s) }));\n',
  );
  const r = spawnSync(process.execPath, ['-r', TSX, 'use.ts'], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, CC: path.join(work, 'no-such-cc'), PATH: path.dirname(process.execPath) },
  });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ bound: 1013, version: expect.stringMatching(/^\d+\.\d+/), same: true, init: 0, end: 0 });
});

// A header may declare a global only the program defines (arpa/telnet.h's slc_names): the module
// leaves it out, as verify() does; emitCCode() writes the weak references compile() builds with.
test("compile() and emitCCode() of a header with a global no library defines: the module leaves it out, the emitted C refers to it weakly", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-header-aot-globals-'));
  try {
    fs.writeFileSync(path.join(dir, 'g.h'), 'extern int made_by_program;\nextern int made_here;\nint get_here(void);\n');
    const ffi = new FFI();
    ffi.cdefHeader('g.h', { includeDirs: [dir] });
    ffi.setSource('_globals', '#include "g.h"\nint made_here = 5;\nint get_here(void) { return made_here; }\n', { includeDirs: [dir] });
    const module = ffi.compile({ tmpdir: dir });
    const data = fs.readFileSync(path.join(module, '_globals.js'), 'utf8');
    expect(data).toContain('made_here');
    expect(data).not.toContain('made_by_program');
    const emitted = path.join(dir, '_globals.c');
    ffi.emitCCode(emitted);
    const c = fs.readFileSync(emitted, 'utf8');
    expect(c).toContain('extern __typeof__(made_by_program) made_by_program __attribute((weak));');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// A header's macros naming members of members (signal.h's sa_handler) are aliases of the struct:
// the module keeps them, so that its loader's structs answer to them as the header's C does.
test('a module compiled after cdefHeader() keeps the aliases a header\'s macros give members of members', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-header-aot-aliases-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'o.h'),
      'struct inner { int a; int b; };\nstruct outer { int tag; union { struct inner in; long l; } u; };\n' +
        '#define out_a u.in.a\n#define out_b u.in.b\nint sum(struct outer *o);\n',
    );
    const ffi = new FFI();
    ffi.cdefHeader('o.h', { includeDirs: [dir] });
    // The source uses the same macros: C's own view of the member.
    ffi.setSource('_aliases', '#include "o.h"\nint sum(struct outer *o) { return o->out_a * 10 + o->out_b; }\n', { includeDirs: [dir] });
    const module = ffi.compile({ tmpdir: dir });
    expect(fs.readFileSync(path.join(module, '_aliases.d.ts'), 'utf8')).toContain('/** u.in.a, named by a macro of the header. */');
    const loaded = loadHere<{ ffi?: FFI; lib?: { sum(o: unknown): number } }>(module, '_aliases');
    const o = loaded.ffi!.new('struct outer *', { tag: 1, out_b: 2 } as never) as unknown as Record<string, number>;
    o.out_a = 4;
    // u is aligned for its long: at 8, and u.in.b 4 bytes into it.
    expect([loaded.lib!.sum(o), o.out_a, o.out_b, loaded.ffi!.offsetof('struct outer', 'out_b')]).toEqual([42, 4, 2, 12]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// A header's complex macro values (complex.h's I) are plain data in the module: its loader gives them as { real, imag }.
test("a module compiled after cdefHeader() keeps a header's complex values, typed Complex", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-header-aot-complex-'));
  try {
    fs.writeFileSync(path.join(dir, 'c.h'), '#define HALF_I (__extension__ 0.5fi)\n#define MINUS_I (-(__extension__ 1.0i))\ndouble imag_of(double _Complex z);\n');
    const ffi = new FFI();
    ffi.cdefHeader('c.h', { includeDirs: [dir] });
    ffi.setSource('_complexvalues', '#include "c.h"\ndouble imag_of(double _Complex z) { return __imag__ z; }\n', { includeDirs: [dir] });
    const module = ffi.compile({ tmpdir: dir });
    const types = fs.readFileSync(path.join(module, '_complexvalues.d.ts'), 'utf8');
    expect(types).toContain('/** 0+0.5i: a macro of the header */ readonly HALF_I: Complex;');
    expect(types).toMatch(/import type \{[^}]*\bComplex\b[^}]*\} from 'node-cffi';/);
    const loaded = loadHere<{ lib?: { HALF_I: unknown; MINUS_I: unknown; imag_of(z: unknown): number } }>(module, '_complexvalues');
    expect(loaded.lib!.HALF_I).toEqual({ real: 0, imag: 0.5 });
    expect(loaded.lib!.MINUS_I).toEqual({ real: 0, imag: -1 });
    expect(loaded.lib!.imag_of(loaded.lib!.HALF_I)).toBe(0.5);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// An ABI-mode module (setSource(name, null)) after cdefHeader(): its ffi.dlopen() opens the library as
// the FFI that read the header would: string values, asm labels, renaming macros, and reasons.
test('an ABI-mode module compiled after cdefHeader() opens libraries as its FFI would: values, asm labels, renames, what dlopen() cannot have', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-header-aot-abi-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'm.h'),
      '#define M_NAME "m 1.0"\nint m_real(int x) __asm__("m_real_v2");\nint __m_twice(int x);\n#define m_twice __m_twice\n' +
        'static inline int m_inline(int x) { return x + 1; }\nint m_add(int a, int b);\n#define m_plus(x) m_add((x), 1)\n',
    );
    fs.writeFileSync(path.join(dir, 'm.c'), 'int m_real_v2(int x) { return x * 100; }\nint m_real(int x) { return -1; }\nint __m_twice(int x) { return 2 * x; }\nint m_add(int a, int b) { return a + b; }\n');
    const so = path.join(dir, 'libm_abi.so');
    expect(spawnSync('cc', ['-shared', '-fPIC', '-o', so, path.join(dir, 'm.c')], { encoding: 'utf8' }).status).toBe(0);
    const ffi = new FFI();
    ffi.cdefHeader('m.h', { includeDirs: [dir] });
    ffi.setSource('_mabi', null);
    const module = ffi.compile({ tmpdir: dir });
    const loaded = loadHere<{ ffi?: FFI }>(module, '_mabi');
    const lib = loaded.ffi!.dlopen(so) as unknown as Record<string, (x: number) => number> & { M_NAME: string };
    expect([lib.M_NAME, lib.m_real(3), lib.m_twice(4)]).toEqual(['m 1.0', 300, 8]);
    expect(() => lib.m_inline).toThrow(/'m_inline' is not in libraries from dlopen\(\) \(.*m\.h:\d+\): it is a static inline function/);
    expect(() => lib.m_plus).toThrow(/'m_plus' is not in libraries from dlopen\(\).*it is a macro/);
    expect(loaded.ffi!.skipped()).toEqual(ffi.skipped());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// A header's `#define SV_P ((void *) 0)` after `enum { SV_P = 3 }`: the module's library has the macro's value, as C reads it.
test('a module compiled after cdefHeader() gives a name a macro redefines from an enumerator to a string or a pointer the macro\'s value', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-header-aot-redefined-'));
  try {
    fs.writeFileSync(path.join(dir, 'sv.h'), 'enum sv { SV_S = 1, SV_P = 3, SV_K = 4 };\n#define SV_S "text"\n#define SV_P ((void *) 0)\n');
    const ffi = new FFI();
    ffi.cdefHeader('sv.h', { includeDirs: [dir] });
    ffi.setSource('_redefined', '#include "sv.h"\n', { includeDirs: [dir] });
    const module = ffi.compile({ tmpdir: dir });
    const loaded = loadHere<{ lib?: Record<string, unknown> }>(module, '_redefined');
    expect([loaded.lib!.SV_S, loaded.lib!.SV_P, loaded.lib!.SV_K]).toEqual(['text', null, 4]);
    expect(fs.readFileSync(path.join(module, '_redefined.d.ts'), 'utf8').match(/readonly SV_P\b/g)).toHaveLength(1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
