// CFFI's testing/cffi1/test_zdist.py, ported: the files setSource() + emitJsCode() / emitCCode() / compile() write, and where, one test per CFFI test, in CFFI's order.
//
// Not ported: test_api_distutils_extension_1/2, test_distutils_api_1/2, test_setuptools_abi_1/2 and
// test_setuptools_api_1/2: they build modules through Python's distutils and setuptools
// (ffi.distutils_extension(), setup.py with cffi_modules), which have no counterpart; a node-cffi
// module is built by compile() and shipped as its directory.
//
// Translation notes:
// - `@chdir_to_tmp` tests run in a new temporary directory (process.chdir, restored afterwards);
//   `@from_outside` tests give paths inside one. check_produced_files() is producedFiles(): every
//   file and directory under the test's directory, as a tree.
// - emit_python_code() is emitJsCode() (the loader is JavaScript), which writes the loader and its
//   TypeScript declarations next to it ('xyz.js' and 'xyz.d.ts'); IOError for a missing directory is
//   Node's Error with code 'ENOENT'.
// - compile() writes a module directory (`mod_name_in_package/mymod/`): the library (API mode), the
//   loader `mymod.js`, its `mymod.d.ts` and a package.json keeping the loader CommonJS; CFFI writes
//   `mod_name_in_package/mymod.py` (ABI mode) or the extension with its `.c` and `.o` (API mode). It
//   returns that directory, as an absolute path, where CFFI returns the `.py` or extension's path.
// - target='foo.bar.*' names the library in the module directory, `*` standing for 'so' (CFFI's
//   extension suffix, '.cpython-311-x86_64-linux-gnu.so' on this machine).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI } from '../../lib';

type Tree = { [name: string]: Tree | null };

/** Every file (null) and directory (its tree) under `dir`. */
function producedFiles(dir: string): Tree {
  const tree: Tree = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) tree[e.name] = e.isDirectory() ? producedFiles(path.join(dir, e.name)) : null;
  return tree;
}

let udir: string;
let savedCwd: string;
let root: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-zdist-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

beforeEach(() => {
  udir = fs.mkdtempSync(path.join(root, 'test-'));
  savedCwd = process.cwd();
});
afterEach(() => process.chdir(savedCwd));

/** @chdir_to_tmp: the test runs in its own directory. */
const chdirToTmp = (): void => process.chdir(udir);

/** A loader directory's files, besides the library. */
const loaderFiles = (name: string): Tree => ({ [`${name}.js`]: null, [`${name}.d.ts`]: null, 'package.json': null });

/** A built module's directory, with its library named `library`. */
const builtModule = (name: string, library = `${name}.so`): Tree => ({ ...loaderFiles(name), [library]: null });

/** The cache directory of the compiles: outside the directories the tests look into. */
const cache = (): { tmpdir: string } => ({ tmpdir: path.join(root, 'cache') });

test('test_empty', () => {
  chdirToTmp();
  new FFI().cdef('int f(int);');
  expect(producedFiles(udir)).toEqual({});
});

test('test_abi_emit_python_code_1', () => {
  chdirToTmp();
  const ffi = new FFI();
  ffi.setSource('package_name_1.mymod', null);
  ffi.emitJsCode('xyz.js');
  expect(producedFiles(udir)).toEqual({ 'xyz.js': null, 'xyz.d.ts': null });
});

test('test_abi_emit_python_code_2', () => {
  chdirToTmp();
  const ffi = new FFI();
  ffi.setSource('package_name_1.mymod', null);
  expect(() => ffi.emitJsCode('unexisting/xyz.js')).toThrow(expect.objectContaining({ code: 'ENOENT', message: expect.stringContaining('cannot write unexisting/xyz.js: ENOENT') }));
  expect(producedFiles(udir)).toEqual({});
});

test('test_abi_emit_python_code_3', () => {
  const ffi = new FFI();
  ffi.setSource('package_name_1.mymod', null);
  ffi.emitJsCode(path.join(udir, 'xyt.js'));
  expect(producedFiles(udir)).toEqual({ 'xyt.js': null, 'xyt.d.ts': null });
});

test('test_abi_compile_1', () => {
  chdirToTmp();
  const ffi = new FFI();
  ffi.setSource('mod_name_in_package.mymod', null);
  const x = ffi.compile();
  expect(producedFiles(udir)).toEqual({ mod_name_in_package: { mymod: loaderFiles('mymod') } });
  expect(x).toBe(path.join(fs.realpathSync(udir), 'mod_name_in_package', 'mymod'));
});

test('test_abi_compile_2', () => {
  chdirToTmp();
  const ffi = new FFI();
  ffi.setSource('mod_name_in_package.mymod', null);
  const x = ffi.compile({ tmpdir: 'build2' });
  expect(producedFiles(udir)).toEqual({ build2: { mod_name_in_package: { mymod: loaderFiles('mymod') } } });
  expect(x).toBe(path.join(fs.realpathSync(udir), 'build2', 'mod_name_in_package', 'mymod'));
});

test('test_abi_compile_3', () => {
  const ffi = new FFI();
  ffi.setSource('mod_name_in_package.mymod', null);
  const tmpdir = path.join(udir, 'build3');
  const x = ffi.compile({ tmpdir });
  expect(producedFiles(udir)).toEqual({ build3: { mod_name_in_package: { mymod: loaderFiles('mymod') } } });
  expect(x).toBe(path.join(tmpdir, 'mod_name_in_package', 'mymod'));
});

test('test_api_emit_c_code_1', () => {
  chdirToTmp();
  const ffi = new FFI();
  ffi.setSource('package_name_1.mymod', '/*code would be here*/');
  ffi.emitCCode('xyz.c');
  expect(producedFiles(udir)).toEqual({ 'xyz.c': null });
  expect(fs.readFileSync(path.join(udir, 'xyz.c'), 'utf8')).toContain('/*code would be here*/');
});

test('test_api_emit_c_code_2', () => {
  chdirToTmp();
  const ffi = new FFI();
  ffi.setSource('package_name_1.mymod', '/*code would be here*/');
  expect(() => ffi.emitCCode('unexisting/xyz.c')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  expect(producedFiles(udir)).toEqual({});
});

test('test_api_emit_c_code_3', () => {
  const ffi = new FFI();
  ffi.setSource('package_name_1.mymod', '/*code would be here*/');
  ffi.emitCCode(path.join(udir, 'xyu.c'));
  expect(producedFiles(udir)).toEqual({ 'xyu.c': null });
});

test('test_api_compile_1', () => {
  chdirToTmp();
  const ffi = new FFI();
  ffi.setSource('mod_name_in_package.mymod', '/*code would be here*/', cache());
  const x = ffi.compile();
  expect(producedFiles(udir)).toEqual({ mod_name_in_package: { mymod: builtModule('mymod') } });
  expect(path.isAbsolute(x) && fs.realpathSync(x) === path.join(fs.realpathSync(udir), 'mod_name_in_package', 'mymod')).toBe(true);
});

test('test_api_compile_2', () => {
  chdirToTmp();
  const ffi = new FFI();
  ffi.setSource('mod_name_in_package.mymod', '/*code would be here*/', cache());
  const x = ffi.compile({ tmpdir: 'output' });
  expect(producedFiles(udir)).toEqual({ output: { mod_name_in_package: { mymod: builtModule('mymod') } } });
  expect(path.isAbsolute(x) && fs.realpathSync(x) === path.join(fs.realpathSync(udir), 'output', 'mod_name_in_package', 'mymod')).toBe(true);
});

test('test_api_compile_3', () => {
  const ffi = new FFI();
  ffi.setSource('mod_name_in_package.mymod', '/*code would be here*/', cache());
  const x = ffi.compile({ tmpdir: path.join(udir, 'foo') });
  expect(producedFiles(udir)).toEqual({ foo: { mod_name_in_package: { mymod: builtModule('mymod') } } });
  expect(x).toBe(path.join(udir, 'foo', 'mod_name_in_package', 'mymod'));
});

test('test_api_compile_explicit_target_1', () => {
  chdirToTmp();
  const ffi = new FFI();
  ffi.setSource('mod_name_in_package.mymod', '/*code would be here*/', cache());
  const x = ffi.compile({ target: 'foo.bar.*' });
  expect(producedFiles(udir)).toEqual({ mod_name_in_package: { mymod: builtModule('mymod', 'foo.bar.so') } });
  expect(fs.realpathSync(x)).toBe(path.join(fs.realpathSync(udir), 'mod_name_in_package', 'mymod'));
});

test('test_api_compile_explicit_target_3', () => {
  chdirToTmp();
  const ffi = new FFI();
  ffi.setSource('mod_name_in_package.mymod', '/*code would be here*/', cache());
  const x = ffi.compile({ target: 'foo.bar.baz' });
  expect(producedFiles(udir)).toEqual({ mod_name_in_package: { mymod: builtModule('mymod', 'foo.bar.baz') } });
  expect(fs.realpathSync(x)).toBe(path.join(fs.realpathSync(udir), 'mod_name_in_package', 'mymod'));
});
