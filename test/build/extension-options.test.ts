// distutils' Extension options that CFFI's verify() and set_source() pass on: undefMacros (-U), extraObjects (linked as they are), runtimeLibraryDirs (-Wl,-rpath) and depends (a change builds again).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, FFIError, VerificationError } from '../../lib';
import { listCache } from '../../lib/build';
import { CC } from '../helpers/compiler';
import { expectThrow } from '../helpers/throws';

let work: string;
let tmpdir: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-extension-options-'));
  tmpdir = path.join(work, 'cache');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Runs the C compiler (or ar) in `work`, failing the test with its output if it fails. */
function run(program: string, args: string[]): void {
  const r = spawnSync(program, args, { cwd: work, encoding: 'utf8' });
  expect({ status: r.status, output: r.status === 0 ? '' : r.stdout + r.stderr }).toEqual({ status: 0, output: '' });
}

test('undefMacros: -U after defineMacros\' -D, so that the name ends undefined; a name that is not an identifier is refused', () => {
  const ffi = new FFI();
  ffi.cdef('int debugging(void);');
  const source = 'int debugging(void) {\n#ifdef NDEBUG\n  return 0;\n#else\n  return 1;\n#endif\n}';
  expect(ffi.verify(source, { defineMacros: [['NDEBUG', null]], tmpdir }).debugging()).toBe(0);
  expect(ffi.verify(source, { defineMacros: [['NDEBUG', null]], undefMacros: ['NDEBUG'], tmpdir }).debugging()).toBe(1);
  expectThrow(() => ffi.verify(source, { undefMacros: ['NOT A NAME'], tmpdir }), TypeError, "options.undefMacros[0]: the macro name string \"NOT A NAME\" is not a C identifier");
  expectThrow(() => ffi.verify(source, { undefMacros: 'NDEBUG' as unknown as string[], tmpdir }), TypeError, 'options.undefMacros: expected an array of strings');
});

test('extraObjects: an object file and a static library are linked in; a changed one builds again; a missing one is named', () => {
  fs.writeFileSync(path.join(work, 'part.c'), 'int part(int x) { return x * 3; }\n');
  fs.writeFileSync(path.join(work, 'archived.c'), 'int archived(int x) { return x + 100; }\n');
  run(CC, ['-c', '-fPIC', 'part.c', '-o', 'part.o']);
  run(CC, ['-c', '-fPIC', 'archived.c', '-o', 'archived.o']);
  run('ar', ['rcs', 'libarchived.a', 'archived.o']);
  const source = 'int part(int); int archived(int);\nint both(int x) { return archived(part(x)); }';
  const ffi = new FFI();
  ffi.cdef('int both(int);');
  const options = { extraObjects: ['part.o', 'libarchived.a'], relativeTo: path.join(work, 'program.js'), tmpdir };
  expect(ffi.verify(source, options).both(2)).toBe(106);
  // The same source and options with the object rebuilt from other code: a library of its own.
  fs.writeFileSync(path.join(work, 'part.c'), 'int part(int x) { return x * 5; }\n');
  run(CC, ['-c', '-fPIC', 'part.c', '-o', 'part.o']);
  const again = new FFI();
  again.cdef('int both(int);');
  expect(again.verify(source, options).both(2)).toBe(110);
  expectThrow(() => new FFI().verify(source, { extraObjects: [path.join(work, 'missing.o')], tmpdir }), VerificationError, `options.extraObjects[0]: the file ${path.join(work, 'missing.o')} does not exist`);
});

test('runtimeLibraryDirs: a library of yours outside the system directories is found when the built one loads (without it, it is not)', () => {
  const libs = path.join(work, 'libs');
  fs.mkdirSync(libs);
  fs.writeFileSync(path.join(work, 'dep.c'), 'int dep(void) { return 77; }\n');
  run(CC, ['-shared', '-fPIC', 'dep.c', '-o', path.join(libs, 'libncffidep.so')]);
  const source = 'int dep(void);\nint via_dep(void) { return dep(); }';
  // Without it first: once loaded, the library would be found by its name in the process.
  const without = new FFI();
  without.cdef('int via_dep(void);');
  expectThrow(
    () => without.verify(`${source}\n/* no rpath */`, { libraries: ['ncffidep'], libraryDirs: [libs], tmpdir }),
    FFIError,
    `verify(): the library built from source.c needs libncffidep.so, which the dynamic linker does not find when it loads (it is in ${libs}, ` +
      'a directory of options.libraryDirs, which serves the link only); give its directory in options.runtimeLibraryDirs (-Wl,-rpath), or in LD_LIBRARY_PATH before node starts',
  );
  const ffi = new FFI();
  ffi.cdef('int via_dep(void);');
  expect(ffi.verify(source, { libraries: ['ncffidep'], libraryDirs: [libs], runtimeLibraryDirs: [libs], tmpdir }).via_dep()).toBe(77);
});

test('depends: a change to a file listed builds again, though the compiler never reads it', () => {
  const spec = path.join(work, 'spec.txt');
  fs.writeFileSync(spec, 'one');
  const own = path.join(work, 'depends-cache');
  const build = () => {
    const ffi = new FFI();
    ffi.cdef('int one(void);');
    return ffi.verify('int one(void) { return 1; }', { depends: [spec], tmpdir: own }).one();
  };
  expect(build()).toBe(1);
  expect(build()).toBe(1);
  expect(listCache({ tmpdir: own })).toHaveLength(1);
  fs.writeFileSync(spec, 'two');
  expect(build()).toBe(1);
  expect(listCache({ tmpdir: own })).toHaveLength(2);
  expectThrow(() => new FFI().verify('', { depends: [work], tmpdir }), VerificationError, `options.depends[0]: ${work} is a directory`);
  expectThrow(() => new FFI().verify('', { depends: [1 as unknown as string], tmpdir }), TypeError, 'options.depends[0]: expected a non-empty string, got 1');
});
