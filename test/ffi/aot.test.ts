// The ahead-of-time build: setSource + compile write a module (library, loader, types) that CommonJS, ESM and TypeScript programs load with no cdef and no compiler.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, FFIError, VerificationError } from '../../lib';
import { fixture } from '../helpers/fixtures';
import { ROOT, ensureBuilt, withPackageLinked } from '../cli/binary';
import { CC } from '../helpers/compiler';
import { expectThrow } from '../helpers/throws';
import { typecheck } from '../helpers/typecheck';

const CDEF = `
struct point { int x; int y; ...; };
typedef int... ticks_t;
#define ALL_ONES ...
#define SCALE 3
enum mode { OFF, ON, ... };
int add(int a, int b);
ticks_t later(ticks_t t, int n);
double norm(const struct point *p);
struct point shifted(struct point p, int by);
int counter;
int primes[...];
int twice(int x);
`;

let work: string;
let ffi: FFI;
let moduleDir: string;

/** A consumer project elsewhere, with the module directory copied into it and node-cffi installed as a link to this checkout. */
function project(name: string, packageJson: object): string {
  const dir = path.join(work, name);
  withPackageLinked(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, ...packageJson }));
  fs.cpSync(moduleDir, path.join(dir, '_geometry'), { recursive: true });
  return dir;
}

/** Runs `file` with node where no C compiler can be found: $CC names none and PATH holds only node's own directory. */
function runWithoutCompiler(dir: string, file: string) {
  return spawnSync(process.execPath, [file], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CC: path.join(work, 'no-such-cc'), PATH: path.dirname(process.execPath) },
  });
}

/** What every consumer prints: the module's functions, constants, globals and layouts at work. */
const USE = `
const p = ffi.new('struct point *', { x: 3, y: 4 });
const moved = lib.shifted(p[0], 1);
lib.counter = lib.counter + 1;
console.log(JSON.stringify({
  sum: lib.add(20, 22), ones: String(lib.ALL_ONES), scale: lib.SCALE, mode: lib.ON, off: lib.OFF, auto: 'AUTO' in lib,
  later: String(lib.later(2n ** 40n, 2)), norm: lib.norm(p), moved: [moved.x, moved.y], counter: lib.counter,
  primes: [...lib.primes], twice: lib.twice(21),
  size: ffi.sizeof('struct point'), offsets: [ffi.offsetof('struct point', 'x'), ffi.offsetof('struct point', 'y')],
  ticks: ffi.sizeof('ticks_t'),
}));
`;

const EXPECTED = {
  sum: 42, ones: '18446744073709551615', scale: 3, mode: 7, off: -1, auto: false,
  later: String(2 ** 40 + 6), norm: 5, moved: [4, 5], counter: 8, primes: [2, 3, 5, 7, 11], twice: 42,
  size: 16, offsets: [8, 12], ticks: 8,
};

/** The TypeScript consumer: the same, with the module's types in use. */
const TS_USE = `
import { ffi, lib } from './_geometry/_geometry.js';
import type { struct_point, enum_mode } from './_geometry/_geometry.js';

const p = ffi.new('struct point *', { x: 3, y: 4 });
const value: struct_point = p[0];
const sum: number = lib.add(20, 22);
const ones: 18446744073709551615n = lib.ALL_ONES;
const scale: 3 = lib.SCALE;
const mode: enum_mode = lib.ON;
const moved: struct_point = lib.shifted(value, 1);
lib.counter = lib.counter + 1;
console.log(JSON.stringify({
  sum, ones: String(ones), scale, mode, off: lib.OFF, auto: 'AUTO' in lib,
  later: String(lib.later(2n ** 40n, 2)), norm: lib.norm(p), moved: [moved.x, moved.y], counter: lib.counter,
  primes: [...lib.primes], twice: lib.twice(21),
  size: ffi.sizeof('struct point'), offsets: [ffi.offsetof('struct point', 'x'), ffi.offsetof('struct point', 'y')],
  ticks: ffi.sizeof('ticks_t'),
}));
`;

beforeAll(() => {
  ensureBuilt();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-aot-'));
  ffi = new FFI();
  ffi.cdef(CDEF);
  ffi.setSource('_geometry', fixture('aot.c'), { filename: 'aot.c', libraries: ['m'], extraCompileArgs: ['-O2'] });
  moduleDir = ffi.compile({ tmpdir: path.join(work, 'built') });
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('ffi.compile()', () => {
  test('writes the module directory: the library, a CommonJS loader, its declarations and a package.json', () => {
    expect(moduleDir).toBe(path.join(work, 'built', '_geometry'));
    expect(fs.readdirSync(moduleDir).sort()).toEqual(['_geometry.d.ts', '_geometry.js', '_geometry.so', 'package.json']);
    const loader = fs.readFileSync(path.join(moduleDir, '_geometry.js'), 'utf8');
    expect(loader.split('\n')[0]).toMatch(/^\/\/ _geometry: a node-cffi module compiled ahead of time from aot\.c/);
    expect(loader).toContain("require('node-cffi')");
    expect(loader).not.toMatch(/cdef\(|verify\(/);
    // The data is a JSON text that JSON.parse() reads (V8 compiles an object literal of it several times slower), its bigints revived.
    expect(loader).toMatch(/^const \$module = JSON\.parse\(".*", \(_k, v\) => .*BigInt\(v\["#bigint"\]\) : v\)\);$/m);
    const types = fs.readFileSync(path.join(moduleDir, '_geometry.d.ts'), 'utf8');
    expect(types).toContain('add(a: number | bigint, b: number | bigint): number;');
    expect(types).toContain('export declare const lib: Lib;');
    expect(JSON.parse(fs.readFileSync(path.join(moduleDir, 'package.json'), 'utf8'))).toMatchObject({ type: 'commonjs', main: './_geometry.js' });
  });

  test('settles the FFI it runs on, as verify() does', () => {
    expect(ffi.sizeof('struct point')).toBe(16);
    expect(ffi.offsetof('struct point', 'y')).toBe(12);
    expect(ffi.sizeof('ticks_t')).toBe(8);
  });

  test('a plain CommonJS program requires the module and uses it, parsing no cdef and compiling nothing', () => {
    const dir = project('cjs', {});
    fs.writeFileSync(
      path.join(dir, 'consumer.js'),
      // Nothing in this process may parse a cdef or compile: those methods throw if called.
      "const { FFI } = require('node-cffi');\n" +
        "for (const name of ['cdef', 'verify', 'verifyAsync', 'compile']) FFI.prototype[name] = () => { throw new Error(name + ' was called'); };\n" +
        `const { ffi, lib } = require('./_geometry/_geometry.js');\n${USE}`,
    );
    const r = runWithoutCompiler(dir, 'consumer.js');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(EXPECTED);
  });

  test('an ES module of a "type": "module" project imports it by name', () => {
    const dir = project('esm', { type: 'module' });
    fs.writeFileSync(path.join(dir, 'consumer.js'), `import { ffi, lib } from './_geometry/_geometry.js';\n${USE}`);
    const r = runWithoutCompiler(dir, 'consumer.js');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(EXPECTED);
  });

  test.each([
    ['CommonJS, module node16', {}, { module: 'node16', moduleResolution: 'node16' }],
    ['ESM, module nodenext', { type: 'module' }, { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['ESM, moduleResolution bundler', { type: 'module' }, { module: 'es2022', moduleResolution: 'bundler' }],
  ])('TypeScript (%s): the types check without skipLibCheck, the compiled program runs, a wrong use is refused', (name, pkg, options) => {
    const dir = project(`ts-${name.replace(/\W+/g, '-')}`, pkg);
    fs.writeFileSync(path.join(dir, 'consumer.ts'), TS_USE);
    fs.writeFileSync(
      path.join(dir, 'wrong.ts'),
      "import { lib } from './_geometry/_geometry.js';\nlib.add('20', 22);\nconst s: string = lib.norm(null);\nlib.nosuch(1);\nexport { s };\n",
    );
    // One program with both files: tsc still emits consumer.js, and reports only wrong.ts.
    const built = typecheck(dir, ['consumer.ts', 'wrong.ts'], options);
    const errors = built.output.trim().split('\n').map((line) => line.replace(/: error (TS\d+):.*/, ' $1'));
    expect(errors).toEqual(['wrong.ts(2,9) TS2345', 'wrong.ts(3,7) TS2322', 'wrong.ts(4,5) TS2339']);
    const r = runWithoutCompiler(dir, 'consumer.js');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(EXPECTED);
  });
});

describe("compile()'s options: target, verbose, debug (CFFI's compile(tmpdir, verbose, target, debug))", () => {
  /** A compile of the geometry module with `options`, its stderr captured, in a child process (verbose writes to the process's stderr). */
  function compileInChild(tmpdir: string, options: object): { stderr: string; dir: string } {
    const script =
      `const { FFI } = require(${JSON.stringify(ROOT)});\nconst ffi = new FFI();\nffi.cdef(${JSON.stringify(CDEF)});\n` +
      `ffi.setSource('_geometry', ${JSON.stringify(fixture('aot.c'))}, { filename: 'aot.c', libraries: ['m'], tmpdir: ${JSON.stringify(path.join(work, 'cache'))} });\n` +
      `console.log(ffi.compile({ tmpdir: ${JSON.stringify(tmpdir)}, ...${JSON.stringify(options)} }));\n`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    return { stderr: r.stderr, dir: r.stdout.trim() };
  }

  test("target names the library ('*' standing for 'so'); the loader loads it by that name", () => {
    const { dir } = compileInChild(path.join(work, 'targeted'), { target: 'libgeometry.*' });
    expect(fs.readdirSync(dir).sort()).toEqual(['_geometry.d.ts', '_geometry.js', 'libgeometry.so', 'package.json']);
    const user = project('targeted-user', {});
    fs.rmSync(path.join(user, '_geometry'), { recursive: true });
    fs.cpSync(dir, path.join(user, '_geometry'), { recursive: true });
    fs.writeFileSync(path.join(user, 'consumer.js'), `const { ffi, lib } = require('./_geometry/_geometry.js');\n${USE}`);
    const r = runWithoutCompiler(user, 'consumer.js');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(EXPECTED);
  });

  test('verbose says each file written and whether the library was compiled or taken from the cache', () => {
    const first = compileInChild(path.join(work, 'verbose'), { verbose: true });
    const lines = first.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^(compiled \/.*\.so with \S+|\/.*\.so: built before from the same source and options, taken from the cache)$/);
    expect(lines.slice(1)).toEqual(['_geometry.so', '_geometry.js', '_geometry.d.ts', 'package.json'].map((f) => `generating ${path.join(first.dir, f)}`));
    const again = compileInChild(path.join(work, 'verbose'), { verbose: true });
    expect(again.stderr.split('\n')[0]).toMatch(/^\/.*\.so: built before from the same source and options, taken from the cache$/);
    expect(compileInChild(path.join(work, 'quiet'), {}).stderr).toBe('');
  });

  test('debug compiles with debugging information (-g), a build of its own', () => {
    const plain = compileInChild(path.join(work, 'plain'), {});
    const debug = compileInChild(path.join(work, 'debug'), { debug: true });
    const sections = (dir: string) => fs.readFileSync(path.join(dir, '_geometry.so')).includes('.debug_info');
    expect([sections(plain.dir), sections(debug.dir)]).toEqual([false, true]);
  });

  test('bad options are refused, naming them', () => {
    expectThrow(() => ffi.compile({ target: 'a/b.so' }), TypeError, "ffi.compile(): options.target must be a file name for the library in the module directory ('lib_geometry.*', '*' standing for 'so'), not a path nor one of the loader's files (_geometry.js, _geometry.d.ts, package.json), got");
    expectThrow(() => ffi.compile({ target: '_geometry.js' }), TypeError, 'options.target must be a file name');
    expectThrow(() => ffi.compile({ verbose: 1 as unknown as boolean }), TypeError, 'ffi.compile(): options.verbose must be true or false, got 1');
    expectThrow(() => ffi.compile({ debug: 'yes' as unknown as boolean }), TypeError, 'ffi.compile(): options.debug must be true or false');
    expectThrow(() => ffi.compile({ tmpdir: '' }), TypeError, 'ffi.compile(): options.tmpdir must be a directory name');
  });
});

describe('the module source', () => {
  test("diagnostics name the module's source file, <moduleName>.c", () => {
    const f = new FFI();
    f.cdef('int broken(void);');
    f.setSource('_broken', 'int broken(void) { return missing_name; }\n');
    expect(() => f.compile({ tmpdir: path.join(work, 'broken') })).toThrow(VerificationError);
    expect(() => f.compile({ tmpdir: path.join(work, 'broken') })).toThrow(/_broken\.c:1:\d+: error: .*missing_name/);
    // The error names the call made, not the verify() whose build it shares.
    expect(() => f.compile({ tmpdir: path.join(work, 'broken') })).toThrow(/^ffi\.compile\(\): the C compiler failed \(/);
  });

  test('a header of yours is found through includeDirs (relative to the working directory)', () => {
    const headers = path.join(work, 'headers');
    fs.mkdirSync(headers);
    fs.writeFileSync(path.join(headers, 'scale.h'), '#define FACTOR 6\nstatic inline int scaled(int v) { return v * FACTOR; }\n');
    const f = new FFI();
    f.cdef('#define FACTOR ...\nint scaled(int v);');
    f.setSource('_scaled', '#include "scale.h"', { includeDirs: [path.relative(process.cwd(), headers)] });
    const user = path.join(work, 'scaled');
    withPackageLinked(user);
    f.compile({ tmpdir: user });
    fs.writeFileSync(path.join(user, 'use.js'), "const { lib } = require('./_scaled/_scaled.js');\nconsole.log(lib.scaled(7), lib.FACTOR);\n");
    const r = runWithoutCompiler(user, 'use.js');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('42 6\n');
  });
});

describe('ffi.emitCCode()', () => {
  test('writes the translation unit compile() builds, which the compiler accepts as it is', () => {
    const file = path.join(work, '_geometry.c');
    ffi.emitCCode(file);
    const c = fs.readFileSync(file, 'utf8');
    expect(c).toContain(`#line 1 "aot.c"\n${fixture('aot.c')}`); // after the standard headers CFFI's verify() includes
    expect(c).toContain('const unsigned long long *_ncffi_probes(void)');
    // What compile() defines on the command line comes first, as CFFI's Python.h defines it.
    expect(c.startsWith('#ifndef _GNU_SOURCE\n#define _GNU_SOURCE\n#endif\n')).toBe(true);
    const r = spawnSync(CC, ['-shared', '-fPIC', '-o', path.join(work, 'emitted.so'), file, '-lm'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('ABI-mode modules: setSource(name, null)', () => {
  const ABI_CDEF = `
struct point { int x; int y; };
int abs(int);
size_t strlen(const char *);
#define ANSWER 42
enum color { RED, GREEN = 5, BLUE };
typedef int (*cmp_t)(const void *, const void *);
void qsort(void *, size_t, size_t, cmp_t);
`;
  let abiDir: string;
  beforeAll(() => {
    const f = new FFI();
    f.cdef(ABI_CDEF);
    f.setSource('_libc', null);
    abiDir = f.compile({ tmpdir: path.join(work, 'abi') });
  });

  test('compile() writes the declarations alone: a loader giving `ffi` (no library, no compiler run), its types and a package.json', () => {
    expect(abiDir).toBe(path.join(work, 'abi', '_libc'));
    expect(fs.readdirSync(abiDir).sort()).toEqual(['_libc.d.ts', '_libc.js', 'package.json']);
    const loader = fs.readFileSync(path.join(abiDir, '_libc.js'), 'utf8');
    expect(loader.split('\n')[0]).toMatch(/^\/\/ _libc: the declarations of a node-cffi ABI-mode module, compiled ahead of time from its cdef/);
    expect(loader).toContain('exports.ffi = $loaded.ffi;');
    expect(loader).not.toContain('exports.lib');
    const types = fs.readFileSync(path.join(abiDir, '_libc.d.ts'), 'utf8');
    expect(types).toContain('export interface Lib {');
    expect(types).toContain('abs(arg0: number | bigint): number;');
    expect(types).toContain('export declare const ffi: FFI;');
    expect(types).not.toContain('export declare const lib');
  });

  test("a program requires it and opens a library with its ffi, parsing no cdef and compiling nothing (CFFI's out-of-line ABI mode)", () => {
    const dir = path.join(work, 'abi-user');
    withPackageLinked(dir);
    fs.cpSync(abiDir, path.join(dir, '_libc'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'consumer.js'),
      "const { FFI } = require('node-cffi');\n" +
        "for (const name of ['cdef', 'verify', 'verifyAsync', 'compile']) FFI.prototype[name] = () => { throw new Error(name + ' was called'); };\n" +
        "const m = require('./_libc/_libc.js');\n" +
        'const { ffi } = m;\n' +
        'const lib = ffi.dlopen(null);\n' +
        "const a = ffi.new('int[]', [5, 1, 4]);\n" +
        "lib.qsort(a, 3, ffi.sizeof('int'), ffi.callback('cmp_t', (p, q) => ffi.cast('int *', p)[0] - ffi.cast('int *', q)[0]));\n" +
        'console.log(JSON.stringify({ exports: Object.keys(m), abs: lib.abs(-3), len: lib.strlen(\'hello\'), answer: lib.ANSWER, blue: lib.BLUE,\n' +
        "  sorted: [...ffi.unpack(a, 3)], size: ffi.sizeof('struct point'), y: ffi.offsetof('struct point', 'y') }));\n",
    );
    const r = runWithoutCompiler(dir, 'consumer.js');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ exports: ['ffi'], abs: 3, len: 5, answer: 42, blue: 6, sorted: [1, 4, 5], size: 8, y: 4 });
  });

  test('its types check: ffi.dlopen<Lib>() gives the typed library, and a wrong use is refused', () => {
    const dir = path.join(work, 'abi-ts');
    withPackageLinked(dir);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'abi-ts', private: true }));
    fs.cpSync(abiDir, path.join(dir, '_libc'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'consumer.ts'),
      "import { ffi } from './_libc/_libc.js';\nimport type { Lib, struct_point } from './_libc/_libc.js';\n" +
        "const lib = ffi.dlopen<Lib>(null);\nconst n: number = lib.abs(-3);\nconst answer: 42 = lib.ANSWER;\n" +
        "const p: struct_point = ffi.new('struct point *', { x: 1, y: 2 })[0];\nconsole.log(JSON.stringify([n, answer, p.y]));\n",
    );
    fs.writeFileSync(path.join(dir, 'wrong.ts'), "import { ffi } from './_libc/_libc.js';\nimport type { Lib } from './_libc/_libc.js';\nffi.dlopen<Lib>(null).abs('3');\n");
    const built = typecheck(dir, ['consumer.ts', 'wrong.ts'], { module: 'node16', moduleResolution: 'node16' });
    expect(built.output.trim().split('\n').map((line) => line.replace(/: error (TS\d+):.*/, ' $1'))).toEqual(['wrong.ts(3,27) TS2345']);
    const r = runWithoutCompiler(dir, 'consumer.js');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([3, 42, 2]);
  });

  test("emitJsCode() writes the loader alone, with its types next to it (CFFI's emit_python_code()); a program requires it", () => {
    const f = new FFI();
    f.cdef(ABI_CDEF);
    f.setSource('_libc', null);
    const dir = path.join(work, 'emitted');
    withPackageLinked(dir);
    f.emitJsCode(path.join(dir, 'libc_decls.js'));
    f.emitJsCode(path.join(dir, 'libc_decls.cjs'));
    expect(fs.readdirSync(dir).sort()).toEqual(['libc_decls.cjs', 'libc_decls.d.cts', 'libc_decls.d.ts', 'libc_decls.js', 'node_modules']);
    expect(fs.readFileSync(path.join(dir, 'libc_decls.js'), 'utf8')).toBe(fs.readFileSync(path.join(abiDir, '_libc.js'), 'utf8'));
    expect(fs.readFileSync(path.join(dir, 'libc_decls.d.cts'), 'utf8')).toBe(fs.readFileSync(path.join(abiDir, '_libc.d.ts'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'consumer.js'), "const { ffi } = require('./libc_decls.cjs');\nconsole.log(ffi.dlopen(null).abs(-7), ffi.sizeof('struct point'));\n");
    const r = runWithoutCompiler(dir, 'consumer.js');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('7 8\n');
    // A module with C source is compile()'s; a missing directory is named.
    const api = new FFI();
    api.setSource('_api', 'int x;');
    expectThrow(() => api.emitJsCode(path.join(dir, 'api.js')), TypeError, "ffi.emitJsCode(): the module '_api' has C source: emitJsCode() writes ABI-mode modules (setSource(name, null)) only");
    expect(() => f.emitJsCode(path.join(dir, 'missing', 'x.js'))).toThrow(`cannot write ${path.join(dir, 'missing', 'x.js')}: ENOENT`);
    expectThrow(() => f.emitJsCode(''), TypeError, 'ffi.emitJsCode(): expected a file name');
  });

  test("what only a compiler can tell is refused when compiling, naming it; emitCCode() has no C to write (CFFI's emit_c_code() refuses alike)", () => {
    const cases: [string, string][] = [
      ['#define FOO ...', "ffi.compile(): 'FOO' needs a C compiler (its value is '...')"],
      ['struct s { int a; ...; };', "ffi.compile(): 'struct s' needs a C compiler (the layout of 'struct s' is not known until verify() compiles it"],
      ['typedef int... t_t;', "ffi.compile(): 't_t' needs a C compiler (the size of 't_t' is not known until verify() compiles it"],
    ];
    for (const [cdef, message] of cases) {
      const f = new FFI();
      f.cdef(cdef);
      f.setSource('_bad', null);
      expect(() => f.compile({ tmpdir: path.join(work, 'abi-bad') })).toThrow(message);
      expect(() => f.compile({ tmpdir: path.join(work, 'abi-bad') })).toThrow(FFIError);
    }
    expect(fs.existsSync(path.join(work, 'abi-bad'))).toBe(false);
    const f = new FFI();
    f.setSource('_none', null);
    expectThrow(() => f.emitCCode(path.join(work, 'none.c')), TypeError, "ffi.emitCCode(): the module '_none' is an ABI-mode one (setSource(name, null)): it has no C to emit; compile() writes its loader");
  });
});

describe('misuse', () => {
  test('compile() and emitCCode() need setSource() first', () => {
    const f = new FFI();
    expect(() => f.compile()).toThrow(new FFIError('ffi.compile(): no source to build; call ffi.setSource(moduleName, source, options) first'));
    expectThrow(() => f.emitCCode('x.c'), FFIError, 'ffi.emitCCode(): no source to build; call ffi.setSource(moduleName, source, options) first');
  });

  test('setSource() checks its arguments', () => {
    const f = new FFI();
    expectThrow(() => f.setSource('my-module', ''), TypeError, 'ffi.setSource(): the module name must be a C identifier such as \'_example\', or a dotted path of them (\'pkg._example\'), got string "my-module"');
    expect(() => f.setSource('../escape', '')).toThrow(/the module name must be a C identifier/);
    expect(() => f.setSource('m', 42 as unknown as string)).toThrow(/expected C source as a string \(or null for an ABI-mode module, which ffi.dlopen\(\) opens\), got 42/);
  });

  test('loadModule() refuses data it cannot read', () => {
    expectThrow(() => FFI.loadModule(work, null), TypeError, 'FFI.loadModule(): expected the data of a module written by ffi.compile(), got null');
    expect(() => FFI.loadModule(work, { module: 'm', format: 99 })).toThrow(
      new FFIError("module 'm': its data has format 99, this node-cffi reads format 1; rebuild it with ffi.compile()"),
    );
  });
});
