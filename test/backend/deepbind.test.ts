// Libraries run their own code: deep binding keeps node's exported zlib and OpenSSL out of the libraries node-cffi loads (each case in a fresh process).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { deflateSync } from 'zlib';
import { FIXTURES } from '../helpers/fixtures';
import { ending, runChild } from '../helpers/child';

const hasHeader = (h: string): boolean => fs.existsSync(path.join('/usr/include', h));
const zlibDev = hasHeader('zlib.h');
const sslDev = hasHeader('openssl/evp.h');
if (!zlibDev) console.warn('deepbind tests of zlib skipped: zlib.h is not installed (apt-get install zlib1g-dev)');
if (!sslDev) console.warn('deepbind tests of OpenSSL skipped: openssl/evp.h is not installed (apt-get install libssl-dev)');

/** The test input, built the same way as in zlib-truth.c. */
function input(): Buffer {
  const src = Buffer.alloc(100000);
  for (let i = 0; i < src.length; i++) src[i] = ((i * 7919 + (i >> 5)) & 0xff) ^ (i % 251);
  return src;
}

/** JavaScript for a child: compresses the input with `compress2` (a function value) and prints the output in hex. */
const COMPRESS = `
function input() { const s = Buffer.alloc(100000); for (let i = 0; i < s.length; i++) s[i] = ((i * 7919 + (i >> 5)) & 0xff) ^ (i % 251); return s; }
function compressWith(ffi, compress2) {
  const src = input();
  const dest = ffi.new('unsigned char[]', 200000);
  const len = ffi.new('unsigned long *', 200000);
  if (compress2(dest, len, src, src.length, 6) !== 0) throw new Error('compress2 failed');
  console.log(ffi.buffer(dest, len[0]).toString('hex'));
}
`;

let systemOutput = '';
beforeAll(() => {
  if (!zlibDev) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-zlib-'));
  const exe = path.join(dir, 'truth');
  const c = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', exe, path.join(FIXTURES, 'zlib-truth.c'), '-lz'], { encoding: 'utf8' });
  if (c.status !== 0) throw new Error(`compiling zlib-truth.c failed:\n${c.stderr}`);
  systemOutput = spawnSync(exe, { encoding: 'utf8' }).stdout.trim();
});
(zlibDev ? describe : describe.skip)('zlib', () => {
  test("the system zlib and node's bundled zlib compress the test input differently (else these tests prove nothing)", () => {
    expect(systemOutput.length).toBeGreaterThan(1000);
    expect(deflateSync(input(), { level: 6 }).toString('hex')).not.toBe(systemOutput);
  });

  test("dlopen('libz.so.1'): compress2 runs the system zlib's deflate, not node's", () => {
    const r = runChild(`${COMPRESS}
const { FFI } = require(LIB);
const ffi = new FFI();
ffi.cdef('int compress2(unsigned char *dest, unsigned long *destLen, const unsigned char *src, unsigned long srcLen, int level);');
compressWith(ffi, ffi.dlopen('libz.so.1').compress2);`);
    expect(ending(r)).toBe('exit 0');
    expect(r.stdout.trim()).toBe(systemOutput);
  });

  test("verify() with libraries: ['z']: the source's compress2 call reaches the system zlib", () => {
    const r = runChild(`${COMPRESS}
const { FFI } = require(LIB);
const ffi = new FFI();
ffi.cdef('int squeeze(unsigned char *dest, unsigned long *destLen, const unsigned char *src, unsigned long srcLen, int level);');
const lib = ffi.verify('#include <zlib.h>\\nint squeeze(unsigned char *d, unsigned long *dl, const unsigned char *s, unsigned long sl, int level) { return compress2(d, dl, s, sl, level); }', { libraries: ['z'] });
compressWith(ffi, lib.squeeze);`);
    expect(ending(r)).toBe('exit 0');
    expect(r.stdout.trim()).toBe(systemOutput);
  });

  test('a zlib that other code loaded first keeps its old bindings, and a warning says so', () => {
    const r = runChild(`${COMPRESS}
require('koffi').load('libz.so.1');
const { FFI } = require(LIB);
const ffi = new FFI();
ffi.cdef('int compress2(unsigned char *dest, unsigned long *destLen, const unsigned char *src, unsigned long srcLen, int level);');
compressWith(ffi, ffi.dlopen('libz.so.1').compress2);`);
    expect(ending(r)).toBe('exit 0');
    expect(r.stderr).toMatch(/NodeCffiLibraryWarning: libz\.so\.1: \S*libz\.so\.1[.\d]* was already loaded into this process by other code/);
    expect(r.stdout.trim()).toBe(deflateSync(input(), { level: 6 }).toString('hex'));
  });
});

/** JavaScript for a child: the file of the mapping that holds `address` in /proc/self/maps. */
const MAPPED = `
function mappedFile(address) {
  for (const line of require('fs').readFileSync('/proc/self/maps', 'utf8').split('\\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \\S+ \\S+ \\S+ \\S+\\s*(.*)$/.exec(line);
    if (m && BigInt('0x' + m[1]) <= BigInt(address) && BigInt(address) < BigInt('0x' + m[2])) return m[3];
  }
  return '(unmapped)';
}
`;

(sslDev ? describe : describe.skip)('OpenSSL libcrypto', () => {
  test("dlopen('libcrypto.so.3'): the library's own lookups (EVP_get_digestbyname) find its own digest table, not node's", () => {
    const r = runChild(`${MAPPED}
const { FFI } = require(LIB);
const ffi = new FFI();
ffi.cdef('typedef struct evp_md_st EVP_MD; const EVP_MD *EVP_get_digestbyname(const char *name);');
console.log(mappedFile(ffi.cast('uintptr_t', ffi.dlopen('libcrypto.so.3').EVP_get_digestbyname('SHA256'))));`);
    expect(ending(r)).toBe('exit 0');
    expect(r.stdout.trim()).toMatch(/\/libcrypto\.so\.3$/);
  });

  test("verify() with libraries: ['crypto']: the source's EVP calls reach libcrypto, and its SHA-256 is right", () => {
    const r = runChild(`${MAPPED}
const { FFI } = require(LIB);
const ffi = new FFI();
ffi.cdef('const void *sha256_table(void); int sha256(const unsigned char *data, unsigned long n, unsigned char *out);');
const lib = ffi.verify(\`#include <openssl/evp.h>
const void *sha256_table(void) { return EVP_sha256(); }
int sha256(const unsigned char *data, unsigned long n, unsigned char *out) {
  unsigned int len = 0;
  return EVP_Digest(data, n, out, &len, EVP_sha256(), NULL) == 1 ? (int)len : -1;
}\`, { libraries: ['crypto'] });
const out = ffi.new('unsigned char[32]');
const data = Buffer.from('node-cffi deep binding');
console.log(mappedFile(ffi.cast('uintptr_t', lib.sha256_table())));
console.log(lib.sha256(data, data.length, out), ffi.buffer(out).toString('hex'));`);
    expect(ending(r)).toBe('exit 0');
    const [file, digest] = r.stdout.trim().split('\n');
    expect(file).toMatch(/\/libcrypto\.so\.3$/);
    const expected = require('crypto').createHash('sha256').update('node-cffi deep binding').digest('hex');
    expect(digest).toBe(`32 ${expected}`);
  });
});

(zlibDev ? describe : describe.skip)('ahead-of-time modules', () => {
  test("a module compiled with libraries: ['z'] calls the system zlib when another process loads it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-zmod-'));
    const build = runChild(`
const { FFI } = require(LIB);
const ffi = new FFI();
ffi.cdef('int squeeze(unsigned char *dest, unsigned long *destLen, const unsigned char *src, unsigned long srcLen, int level);');
ffi.setSource('_zmod', '#include <zlib.h>\\nint squeeze(unsigned char *d, unsigned long *dl, const unsigned char *s, unsigned long sl, int level) { return compress2(d, dl, s, sl, level); }', { libraries: ['z'] });
console.log(ffi.compile({ tmpdir: ${JSON.stringify(dir)} }));`);
    expect(ending(build)).toBe('exit 0');
    const moduleDir = build.stdout.trim();
    // The loader imports the package by name: in the child, that name resolves to this checkout's sources.
    const r = runChild(`${COMPRESS}
const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return resolve.call(this, request === 'node-cffi' ? LIB : request, ...rest); };
const { ffi, lib } = require(${JSON.stringify(path.join(moduleDir, '_zmod'))});
compressWith(ffi, lib.squeeze);`);
    expect(r.stderr).toBe('');
    expect(ending(r)).toBe('exit 0');
    expect(r.stdout.trim()).toBe(systemOutput);
  });
});
