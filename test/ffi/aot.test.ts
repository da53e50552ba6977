// The ahead-of-time build: setSource + compile write a module (library and typed loader) that another process loads with no cdef and no compiler.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, FFIError } from '../../lib';
import { fixture } from '../helpers/fixtures';
import { CC } from '../helpers/compiler';
import { expectThrow } from '../helpers/throws';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = require.resolve('tsx/cjs');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

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
/**
 * A consumer project elsewhere, with the module directory copied into it: its tsconfig maps the
 * package name 'node-cffi' (which the loader imports) to this checkout, for tsc and for tsx alike.
 */
let project: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-aot-'));
  ffi = new FFI();
  ffi.cdef(CDEF);
  ffi.setSource('_geometry', fixture('aot.c'), { filename: 'aot.c', libraries: ['m'], extraCompileArgs: ['-O2'] });
  moduleDir = ffi.compile({ tmpdir: path.join(work, 'built') });
  project = path.join(work, 'consumer');
  fs.mkdirSync(project);
  fs.cpSync(moduleDir, path.join(project, '_geometry'), { recursive: true });
  fs.writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, esModuleInterop: true, skipLibCheck: true,
        noEmit: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        baseUrl: '.', paths: { 'node-cffi': [path.join(ROOT, 'lib', 'index.ts')] },
      },
    }),
  );
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Type-checks `file` of the consumer project with tsc; returns its exit status and output. */
function typecheck(file: string, text: string): { status: number | null; output: string } {
  fs.writeFileSync(path.join(project, file), text);
  const config = path.join(project, `tsconfig.${file}.json`);
  fs.writeFileSync(config, JSON.stringify({ extends: './tsconfig.json', files: [file] }));
  const r = spawnSync(process.execPath, [TSC, '-p', config], { cwd: project, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

const CONSUMER = `
import { FFI } from 'node-cffi';
// Nothing in this process may parse a cdef or compile: those methods throw if called.
for (const name of ['cdef', 'verify', 'verifyAsync', 'compile'] as const) {
  (FFI.prototype as unknown as Record<string, () => never>)[name] = () => { throw new Error(name + ' was called'); };
}
import { ffi, lib, struct_point, enum_mode } from './_geometry/_geometry';

const p = ffi.new('struct point *', { x: 3, y: 4 });
const value: struct_point = p[0];
const sum: number = lib.add(20, 22);
const ones: 18446744073709551615n = lib.ALL_ONES;
const scale: 3 = lib.SCALE;
const mode: enum_mode = lib.ON;
const moved = lib.shifted(value, 1);
lib.counter = lib.counter + 1;
console.log(JSON.stringify({
  sum, ones: String(ones), scale, mode, off: lib.OFF, auto: 'AUTO' in lib,
  later: String(lib.later(2n ** 40n, 2)), norm: lib.norm(p), moved: [moved.x, moved.y], counter: lib.counter,
  primes: [...lib.primes], twice: lib.twice(21),
  size: ffi.sizeof('struct point'), offsets: [ffi.offsetof('struct point', 'x'), ffi.offsetof('struct point', 'y')],
  ticks: ffi.sizeof('ticks_t'),
}));
`;

describe('ffi.compile()', () => {
  test('writes the module directory: the shared library and the TypeScript loader', () => {
    expect(moduleDir).toBe(path.join(work, 'built', '_geometry'));
    expect(fs.readdirSync(moduleDir).sort()).toEqual(['_geometry.so', '_geometry.ts']);
    const loader = fs.readFileSync(path.join(moduleDir, '_geometry.ts'), 'utf8');
    expect(loader.split('\n')[0]).toMatch(/^\/\/ _geometry: a node-cffi module compiled ahead of time from aot\.c/);
    expect(loader).toContain("from 'node-cffi'");
    expect(loader).not.toMatch(/cdef\(|verify\(/);
    expect(loader).toContain('add(a: number, b: number): number;');
  });

  test('settles the FFI it runs on, as verify() does', () => {
    expect(ffi.sizeof('struct point')).toBe(16);
    expect(ffi.offsetof('struct point', 'y')).toBe(12);
    expect(ffi.sizeof('ticks_t')).toBe(8);
  });

  test('the module loads in another process with no cdef and no compiler, and works', () => {
    fs.writeFileSync(path.join(project, 'consumer.ts'), CONSUMER);
    const r = spawnSync(process.execPath, ['-r', TSX, 'consumer.ts'], {
      cwd: project,
      encoding: 'utf8',
      // No compiler can be found: $CC names none and PATH holds only node's own directory.
      env: { ...process.env, CC: path.join(work, 'no-such-cc'), PATH: path.dirname(process.execPath) },
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      sum: 42, ones: '18446744073709551615', scale: 3, mode: 7, off: -1, auto: false,
      later: String(2 ** 40 + 6), norm: 5, moved: [4, 5], counter: 8, primes: [2, 3, 5, 7, 11], twice: 42,
      size: 16, offsets: [8, 12], ticks: 8,
    });
  });

  test('the loader types check with tsc, and a wrongly typed call does not', () => {
    const good = typecheck('consumer.ts', CONSUMER);
    expect(good.output).toBe('');
    expect(good.status).toBe(0);
    const bad = typecheck(
      'wrong.ts',
      "import { lib } from './_geometry/_geometry';\nlib.add('20', 22);\nconst s: string = lib.norm(null);\nlib.nosuch(1);\n",
    );
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/wrong\.ts\(2,9\): error TS2345/);
    expect(bad.output).toMatch(/wrong\.ts\(3,7\): error TS2322/);
    expect(bad.output).toMatch(/wrong\.ts\(4,5\): error TS2339/);
  });
});

describe('ffi.emitCCode()', () => {
  test('writes the translation unit compile() builds, which the compiler accepts as it is', () => {
    const file = path.join(work, '_geometry.c');
    ffi.emitCCode(file);
    const c = fs.readFileSync(file, 'utf8');
    expect(c.startsWith(fixture('aot.c'))).toBe(true);
    expect(c).toContain('const unsigned long long *_ncffi_probes(void)');
    const r = spawnSync(CC, ['-shared', '-fPIC', '-o', path.join(work, 'emitted.so'), file, '-lm'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
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
    expectThrow(() => f.setSource('my-module', ''), TypeError, 'ffi.setSource(): the module name must be a C identifier such as \'_example\', got string "my-module"');
    expect(() => f.setSource('../escape', '')).toThrow(/the module name must be a C identifier/);
    expect(() => f.setSource('m', 42 as unknown as string)).toThrow(/expected C source as a string, got 42/);
  });

  test('loadModule() refuses data it cannot read', () => {
    expectThrow(() => FFI.loadModule(work, null), TypeError, 'FFI.loadModule(): expected the data of a module written by ffi.compile(), got null');
    expect(() => FFI.loadModule(work, { module: 'm', format: 99 })).toThrow(
      new FFIError("module 'm': its data has format 99, this node-cffi reads format 1; rebuild it with ffi.compile()"),
    );
  });
});
