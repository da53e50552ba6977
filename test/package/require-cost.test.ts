// What require('node-cffi') loads: the stages a program may never use wait until first used (counted, not timed).
import { spawnSync } from 'child_process';
import * as path from 'path';
import { MAIN, ensureBuilt } from '../cli/binary';

const LIB = path.resolve(__dirname, '../../lib');

/** The lib/ files a fresh process has loaded after running `code` (with `lib` the package's entry); `builtins`: node's own modules instead. */
function loadedAfter(code: string, builtins = false, env: NodeJS.ProcessEnv = {}): string[] {
  const script = `
    const Module = require('module');
    const seen = new Set();
    const load = Module._load;
    Module._load = function (request, parent) {
      try { seen.add(Module._resolveFilename(request, parent)); } catch {}
      return load.apply(this, arguments);
    };
    const lib = require(${JSON.stringify(LIB)});
    ${code}
    const builtins = ${builtins};
    console.log(JSON.stringify(builtins
      ? [...seen].filter((f) => require('module').isBuiltin(f)).map((f) => f.replace(/^node:/, ''))
      : [...seen].filter((f) => f.startsWith(${JSON.stringify(LIB + path.sep)})).map((f) => path.relative(${JSON.stringify(LIB)}, f))));`;
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', `const path = require('path');${script}`], { encoding: 'utf8', env: { ...process.env, ...env } });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as string[];
}

const LATER = /^(apimode|headerlib)\.ts$|^(build|header|aot|cc)\/|^codegen\/(glue|probes|spell|diagnostics|typescript)\.ts$/;

test("require('node-cffi') loads the type model, the memory model and koffi's backend, not the cdef parser nor the compiler's stages", () => {
  const loaded = loadedAfter('');
  expect(loaded.filter((f) => LATER.test(f) || f.startsWith('cparser/'))).toEqual([]);
  expect(loaded).toEqual(expect.arrayContaining(['index.ts', 'ffi.ts', 'ctype/model.ts', 'cdata/api.ts', 'backend/koffi.ts']));
});

test('the first cdef loads the parser; cdef, new and cast load nothing more of those stages; verify() loads what compiling needs', () => {
  const noCompile = loadedAfter("const ffi = new lib.FFI(); ffi.cdef('struct p { int x; };'); ffi.new('struct p *'); ffi.cast('int', 1);");
  expect(noCompile).toEqual(expect.arrayContaining(['cparser/parser.ts', 'cparser/lexer.ts']));
  expect(noCompile.filter((f) => LATER.test(f))).toEqual([]);
  const compiled = loadedAfter("const ffi = new lib.FFI(); ffi.cdef('int f(int);'); ffi.verify('int f(int x) { return x; }').f(1);");
  expect(compiled).toEqual(expect.arrayContaining(['apimode.ts', 'build/index.ts', 'codegen/glue.ts']));
});

test('cc() loads its reader when first called', () => {
  expect(loadedAfter('').filter((f) => f.startsWith('cc/'))).toEqual([]);
  expect(loadedAfter("lib.ccDeclarations('int x;');")).toEqual(expect.arrayContaining(['cc/index.ts']));
});

test("node's crypto module: require, cdef, new and cast do not load it, and a build only without the native helper (which hashes through Node's OpenSSL)", () => {
  expect(loadedAfter("const ffi = new lib.FFI(); ffi.cdef('struct p { int x; }; int f(struct p);'); ffi.new('struct p *'); ffi.cast('int', 1);", true)).not.toContain('crypto');
  const build = "const ffi = new lib.FFI(); ffi.cdef('int f(int);'); ffi.verify('int f(int x) { return x; }').f(1);";
  expect(loadedAfter(build, true)).not.toContain('crypto');
  expect(loadedAfter(build, true, { NODE_CFFI_NO_NATIVE: '1' })).toContain('crypto');
});

test("node's child_process module: a compile and a header's preprocessor run load it only without the native helper (which runs them through posix_spawn)", () => {
  // A new source and an empty cache directory each time: the compiler and the preprocessor do run.
  const run = `
    const dir = require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'node-cffi-spawn-'));
    try {
      const ffi = new lib.FFI();
      ffi.cdef('int f(int);');
      if (ffi.verify('int f(int x) { return x + 1; } /* ' + process.pid + ' ' + Date.now() + ' */', { tmpdir: dir }).f(1) !== 2) throw new Error('f');
      new lib.FFI().cdefHeader('stdio.h', { tmpdir: dir, only: /^puts$/ });
    } finally {
      require('fs').rmSync(dir, { recursive: true, force: true });
    }`;
  expect(loadedAfter(run, true)).not.toContain('child_process');
  expect(loadedAfter(run, true, { NODE_CFFI_NO_NATIVE: '1' })).toContain('child_process');
});

test('koffi is loaded at its first use: not by require nor cdef, by the first library opened', () => {
  const koffiLoaded = (code: string): boolean => {
    const script = `
      const Module = require('module');
      let koffi = false;
      const load = Module._load;
      Module._load = function (request) {
        if (request === 'koffi' || /[\\/]koffi[\\/]index\\.cjs$/.test(request)) koffi = true;
        return load.apply(this, arguments);
      };
      const lib = require(${JSON.stringify(MAIN)});
      ${code}
      console.log(JSON.stringify(koffi));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as boolean;
  };
  ensureBuilt();
  expect(koffiLoaded('')).toBe(false);
  expect(koffiLoaded("new lib.FFI().cdef('struct p { int x; }; int abs(int);');")).toBe(false);
  expect(koffiLoaded("const ffi = new lib.FFI(); ffi.cdef('int abs(int);'); ffi.dlopen(null).abs(-1);")).toBe(true);
});

test("the package's entry (the bundle, from its code cache or not) keeps them waiting too: require, cdef, new, cast and a call load neither crypto, child_process nor worker_threads", () => {
  ensureBuilt();
  for (const codeCache of ['0', '1']) {
    const script = `
      const Module = require('module');
      const seen = new Set();
      const load = Module._load;
      Module._load = function (request) {
        if (Module.isBuiltin(request)) seen.add(request.replace(/^node:/, ''));
        return load.apply(this, arguments);
      };
      const lib = require(${JSON.stringify(MAIN)});
      const ffi = new lib.FFI();
      ffi.cdef('struct p { int x; }; int abs(int);');
      ffi.new('struct p *');
      ffi.cast('int', 1);
      if (ffi.dlopen(null).abs(-2) !== 2) throw new Error('abs');
      console.log(JSON.stringify([...seen]));`;
    const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_CFFI_CODE_CACHE: codeCache }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const seen = JSON.parse(r.stdout) as string[];
    expect(seen).toContain('fs');
    expect(seen.filter((m) => ['crypto', 'child_process', 'worker_threads'].includes(m))).toEqual([]);
  }
});
