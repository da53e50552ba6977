// The package's entry and its start-up code cache: written once, used when whole, and any damaged, stale or unsafe cache ignored (each case in a fresh process).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { native } from '../../lib/backend/native';
import { MAIN, ensureBuilt } from '../cli/binary';

/** What the child reports: how start-up went, and a C call made through the library. */
interface Report {
  readonly state: string;
  readonly detail: string;
  readonly abs: number;
}

const PROGRAM = `
const { FFI, backendStatus } = require(${JSON.stringify(MAIN)});
const ffi = new FFI();
ffi.cdef('int abs(int);');
const abs = ffi.dlopen(null).abs(-3);
console.log(JSON.stringify({ ...backendStatus().codeCache, abs }));
`;

let work: string;
let program: string;

beforeAll(() => {
  ensureBuilt();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-code-cache-'));
  program = path.join(work, 'program.js');
  fs.writeFileSync(program, PROGRAM);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** A new, empty cache directory of the current user, mode 0700. */
function freshCache(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  return dir;
}

function run(cache: string, extra: NodeJS.ProcessEnv = {}): Report {
  const r = spawnSync(process.execPath, [program], { env: { ...process.env, NODE_CFFI_CACHE: cache, ...extra }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

/** The code cache files in a cache directory. */
function codeCaches(cache: string): string[] {
  return fs.readdirSync(cache).filter((n) => n.endsWith('.v8cache')).map((n) => path.join(cache, n));
}

/** A cache directory holding a whole code cache, written by a first run; returns it and the file. */
function primed(name: string): { cache: string; file: string } {
  const cache = freshCache(name);
  expect(run(cache).state).toBe('compiled');
  const files = codeCaches(cache);
  expect(files).toHaveLength(1);
  expect(run(cache)).toEqual({ state: 'used', detail: files[0], abs: 3 });
  return { cache, file: files[0] };
}

test('the first run compiles the bundle and writes the cache (mode 0600); the next runs use it', () => {
  const cache = freshCache('first');
  const first = run(cache);
  expect(first).toEqual({ state: 'compiled', detail: expect.stringContaining('missing: ') as string, abs: 3 });
  const files = codeCaches(cache);
  expect(files.map((f) => path.basename(f))).toEqual([expect.stringMatching(/^startup-lib-[0-9a-f]{8}-[0-9A-Za-z._]+-(x64|arm64)\.v8cache$/)]);
  expect(fs.statSync(files[0]).mode & 0o777).toBe(0o600);
  expect(first.detail).toBe(`missing: ${files[0]} is written at the event loop's first turn or at exit`);
  const bytes = fs.readFileSync(files[0]);
  expect(run(cache)).toEqual({ state: 'used', detail: files[0], abs: 3 });
  expect(run(cache)).toEqual({ state: 'used', detail: files[0], abs: 3 });
  // A cache that was used is not written again.
  expect(fs.readFileSync(files[0]).equals(bytes)).toBe(true);
});

test('a flipped byte anywhere in the data is caught by the checksum before V8 sees it; the cache is written anew', () => {
  const { cache, file } = primed('flipped');
  const whole = fs.readFileSync(file);
  const dataStart = whole.indexOf(10, whole.indexOf(10) + 1) + 1;
  for (const at of [dataStart, dataStart + 100, Math.floor((dataStart + whole.length) / 2), whole.length - 1]) {
    const bad = Buffer.from(whole);
    bad[at] ^= 0x10;
    fs.writeFileSync(file, bad);
    expect(run(cache)).toEqual({ state: 'compiled', detail: `damaged (checksum): ${file} is written at the event loop's first turn or at exit`, abs: 3 });
    expect(run(cache)).toEqual({ state: 'used', detail: file, abs: 3 });
  }
});

test('a truncated file, an empty one and one with a damaged header are ignored and replaced', () => {
  const { cache, file } = primed('truncated');
  const whole = fs.readFileSync(file);
  const cases: [Buffer, string][] = [
    [whole.subarray(0, whole.length - 1), 'damaged (length)'],
    [whole.subarray(0, Math.floor(whole.length / 2)), 'damaged (length)'],
    [Buffer.alloc(0), 'damaged (header)'],
    [whole.subarray(0, 30), 'damaged (header)'],
    [Buffer.concat([Buffer.from('node-cffi code cache 1\n{"size": '), whole.subarray(60)]), 'damaged (header)'],
    [Buffer.concat([Buffer.from('not a code cache\n'), whole]), 'damaged (header)'],
  ];
  for (const [bytes, why] of cases) {
    fs.writeFileSync(file, bytes);
    expect(run(cache)).toEqual({ state: 'compiled', detail: `${why}: ${file} is written at the event loop's first turn or at exit`, abs: 3 });
    expect(run(cache)).toEqual({ state: 'used', detail: file, abs: 3 });
  }
});

/** A cache file's parts: the magic line, the header (parsed), the data. */
function parts(file: string): { magic: Buffer; header: Record<string, unknown>; data: Buffer } {
  const whole = fs.readFileSync(file);
  const first = whole.indexOf(10) + 1;
  const end = whole.indexOf(10, first);
  return { magic: whole.subarray(0, first), header: JSON.parse(whole.subarray(first, end).toString('utf8')) as Record<string, unknown>, data: whole.subarray(end + 1) };
}

/** Writes a cache file with `header`, its header checksum made anew (as a writer would) unless `keepChecksum`. */
function writeWithHeader(file: string, p: ReturnType<typeof parts>, header: Record<string, unknown>, keepChecksum = false): void {
  const { headerChecksum, ...rest } = header;
  const sum = keepChecksum ? headerChecksum : native!.checksum!(Buffer.from(JSON.stringify(rest), 'utf8'));
  fs.writeFileSync(file, Buffer.concat([p.magic, Buffer.from(JSON.stringify({ ...rest, headerChecksum: sum })), Buffer.from('\n'), p.data]));
}

(native?.checksum ? test : test.skip)('a cache made for another V8 or another build of the bundle (its header says so) is replaced, not given to V8; an edited header is damage', () => {
  const { cache, file } = primed('stale');
  const p = parts(file);
  const { header } = p;
  const cases: [Record<string, unknown>, string, boolean?][] = [
    [{ ...header, v8: `${String(header.v8)}.1` }, 'made for another Node.js'],
    [{ ...header, node: 'v99.0.0' }, 'made for another Node.js'],
    [{ ...header, mtimeMs: Number(header.mtimeMs) - 1000 }, 'made for another build of the bundle'],
    [{ ...header, size: Number(header.size) + 1 }, 'made for another build of the bundle'],
    [{ ...header, node: 'v99.0.0' }, 'damaged (header)', true],
    [{ ...header, checksum: '0000000000000000' }, 'damaged (checksum)'],
  ];
  for (const [h, why, keepChecksum] of cases) {
    writeWithHeader(file, p, h, keepChecksum);
    expect(run(cache)).toEqual({ state: 'compiled', detail: `${why}: ${file} is written at the event loop's first turn or at exit`, abs: 3 });
    expect(run(cache)).toEqual({ state: 'used', detail: file, abs: 3 });
  }
});

(native?.checksum ? test : test.skip)("koffi is loaded from the file the cache remembers while Node's lookup would still lead there, by name otherwise", () => {
  const { cache, file } = primed('koffi');
  const p = parts(file);
  const koffi = p.header.koffi as { file: string; manifest: string; manifestId: string };
  // What Node's require finds from the bundle's directory, found here independently.
  expect(koffi.file).toBe(require.resolve('koffi', { paths: [path.dirname(MAIN)] }));
  expect(koffi.manifestId).toBe((({ dev, ino, size, mtimeMs }: fs.Stats) => `${dev}:${ino}:${size}:${mtimeMs}`)(fs.statSync(koffi.manifest)));
  // A stand-in that marks itself and passes koffi on: loaded only if the remembered file is used.
  const standIn = path.join(work, 'stand-in.js');
  fs.writeFileSync(standIn, `globalThis.standIn = true;\nmodule.exports = require(${JSON.stringify(koffi.file)});\n`);
  const marked = path.join(work, 'marked.js');
  fs.writeFileSync(marked, `${PROGRAM.replace('abs }', 'abs, standIn: globalThis.standIn === true }')}`);
  const runMarked = () => {
    const r = spawnSync(process.execPath, [marked], { env: { ...process.env, NODE_CFFI_CACHE: cache }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as Report & { standIn: boolean };
  };
  writeWithHeader(file, p, { ...p.header, koffi: { ...koffi, file: standIn } });
  expect(runMarked()).toEqual({ state: 'used', detail: file, abs: 3, standIn: true });
  // The package.json found is not the one remembered (another inode, size or time): by name.
  writeWithHeader(file, p, { ...p.header, koffi: { ...koffi, file: standIn, manifestId: `${koffi.manifestId}1` } });
  expect(runMarked()).toEqual({ state: 'used', detail: file, abs: 3, standIn: false });
  // A remembered file that is gone: by name.
  writeWithHeader(file, p, { ...p.header, koffi: { ...koffi, file: path.join(work, 'gone.js') } });
  expect(runMarked()).toEqual({ state: 'used', detail: file, abs: 3, standIn: false });
  // Under --preserve-symlinks, by name.
  writeWithHeader(file, p, { ...p.header, koffi: { ...koffi, file: standIn } });
  const preserved = spawnSync(process.execPath, ['--preserve-symlinks', marked], { env: { ...process.env, NODE_CFFI_CACHE: cache }, encoding: 'utf8' });
  expect(JSON.parse(preserved.stdout)).toEqual({ state: 'used', detail: file, abs: 3, standIn: false });
});

test('a cache directory others can write to is not read nor written; NODE_CFFI_CODE_CACHE=0 turns the cache off', () => {
  const open = freshCache('open');
  fs.chmodSync(open, 0o777);
  const r = run(open);
  expect(r.state).toBe('off');
  expect(r.detail).toContain(`the start-up code cache: the cache directory ${open} is writable by group or others (mode 0777)`);
  expect(r.abs).toBe(3);
  expect(codeCaches(open)).toEqual([]);
  const { cache } = primed('disabled');
  expect(run(cache, { NODE_CFFI_CODE_CACHE: '0' })).toEqual({ state: 'off', detail: 'NODE_CFFI_CODE_CACHE=0', abs: 3 });
});

test('a symbolic link or a directory where the cache file belongs is not followed nor loaded', () => {
  const { cache, file } = primed('link');
  const elsewhere = path.join(work, 'elsewhere.v8cache');
  fs.renameSync(file, elsewhere);
  fs.symlinkSync(elsewhere, file);
  expect(run(cache).state).toBe('compiled');
  // The write replaced the link with a file of its own.
  expect(fs.lstatSync(file).isFile()).toBe(true);
  fs.rmSync(file);
  fs.mkdirSync(file);
  expect(run(cache).detail).toBe(`missing: ${file} is written at the event loop's first turn or at exit`);
});

test('the cffi command keeps a code cache of its own, used by its next runs', () => {
  const cache = freshCache('command');
  const doctor = () => spawnSync(process.execPath, [MAIN, 'doctor'], { env: { ...process.env, NODE_CFFI_CACHE: cache }, encoding: 'utf8' });
  const first = doctor().stdout.split('\n').find((l) => l.includes('start-up code cache'));
  expect(first).toMatch(/^OK {4}start-up code cache: compiled from the text \(missing: .*startup-cli-[^ ]*\.v8cache is written at the event loop's first turn or at exit\)$/);
  // The first run wrote both caches: the library's, and the stages' that the command runs from.
  const file = codeCaches(cache).find((f) => path.basename(f).startsWith('startup-cli-') && !path.basename(f).startsWith('startup-cli-stages-'));
  const stages = codeCaches(cache).find((f) => path.basename(f).startsWith('startup-cli-stages-'));
  expect(file).toBeDefined();
  expect(stages).toBeDefined();
  const second = doctor().stdout;
  expect(second).toContain(`OK    start-up code cache: used: ${file}\n`);
  expect(second).toContain(`OK    start-up code cache of the stages: used: ${stages}\n`);
});

test("errors thrown from the bundle keep their classes' names (the bundle's one scope renames classes that shadow globals)", () => {
  const r = spawnSync(process.execPath, ['-e', `
    const util = require('util');
    const { FFI } = require(${JSON.stringify(MAIN)});
    const ffi = new FFI();
    ffi.cdef('int abs(int);');
    const caught = (f) => { try { f(); } catch (e) { return e; } };
    const t = caught(() => ffi.dlopen(null).abs('x'));
    const r = caught(() => ffi.new('char[2]', 'abc'));
    console.log(JSON.stringify([t.constructor.name, t instanceof TypeError, util.inspect(t).split('\\n')[0], r.constructor.name, r instanceof RangeError, util.inspect(r).split('\\n')[0]]));
  `], { env: { ...process.env, NODE_CFFI_CODE_CACHE: '0' }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const [tName, tIs, tShown, rName, rIs, rShown] = JSON.parse(r.stdout) as [string, boolean, string, string, boolean, string];
  expect([tName, tIs, rName, rIs]).toEqual(['TypeError', true, 'RangeError', true]);
  expect(tShown).toMatch(/^TypeError: abs\(\) argument 1: expected an integer for 'int', got string "x"$/);
  expect(rShown).toMatch(/^RangeError: /);
});

(native?.gcFree ? test : test.skip)("destructors ffi.gc() left pending at exit run before koffi unloads their library, whichever of koffi and the native helper loaded first", () => {
  // Through the entry the native helper loads before koffi, so Node tears koffi down first: the
  // helper runs what is pending before that (it used to run it after, in an unloaded library).
  const script = `
    const { FFI } = require(${JSON.stringify(MAIN)});
    const ffi = new FFI();
    ffi.cdef('void *counted_alloc(size_t n); void noisy_free(void *p);');
    const lib = ffi.verify('#include <stdio.h>\\n#include <stdlib.h>\\nvoid *counted_alloc(size_t n) { return malloc(n); }\\nvoid noisy_free(void *p) { fputs("freed\\\\n", stderr); free(p); }');
    globalThis.kept = [];
    for (let i = 0; i < 5; i++) globalThis.kept.push(ffi.gc(ffi.cast('char *', lib.counted_alloc(64)), lib.noisy_free, 64));
    console.log('done');`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_CFFI_CODE_CACHE: '0' }, encoding: 'utf8' });
  expect({ status: r.status, signal: r.signal, stdout: r.stdout }).toEqual({ status: 0, signal: null, stdout: 'done\n' });
  expect(r.stderr).toBe('freed\n'.repeat(5));
});

test('a cache path that cannot be a directory (a file stands there, or above it) is neither read nor written, and the library works', () => {
  const file = path.join(work, 'not-a-directory');
  fs.writeFileSync(file, 'x');
  const there = run(file);
  expect(there.state).toBe('off');
  expect(there.detail).toContain(`the start-up code cache: the cache path ${file} is not a directory`);
  expect(there.abs).toBe(3);
  // Under a file: the cache cannot even be looked for.
  const under = path.join(file, 'cache');
  const r = spawnSync(process.execPath, [program], { env: { ...process.env, NODE_CFFI_CACHE: under }, encoding: 'utf8' });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(JSON.parse(r.stdout)).toEqual({ state: 'off', detail: `ENOTDIR: not a directory, stat '${under}'`, abs: 3 });
  expect(fs.readFileSync(file, 'utf8')).toBe('x');
});


test('an uncaught error thrown in the bundle shows a short line of it, not a whole minified module', () => {
  const failing = path.join(work, 'failing.js');
  fs.writeFileSync(failing, `const { FFI } = require(${JSON.stringify(MAIN)});\nnew FFI().cdef('int f(int, );');\n`);
  const r = spawnSync(process.execPath, [failing], { env: { ...process.env, NODE_CFFI_CACHE: freshCache('uncaught') }, encoding: 'utf8' });
  expect(r.status).toBe(1);
  // Node prints where the error was thrown (file:line, that line of the file, a caret), then the error.
  const [where, line] = r.stderr.split('\n');
  expect(where).toMatch(/node-cffi\.bundle\.js:\d+$/);
  expect(line.length).toBeGreaterThan(0);
  expect(line.length).toBeLessThanOrEqual(400);
  expect(r.stderr).toContain('CDefError: ');
});

test('the stages bundle (loaded by the first verify()) keeps a code cache of its own, checked as the library\'s before V8 sees it', () => {
  const cache = freshCache('stages');
  const verifying = path.join(work, 'verifying.js');
  fs.writeFileSync(verifying, `
    const { FFI, backendStatus } = require(${JSON.stringify(MAIN)});
    const before = backendStatus().codeCache.stages;
    const ffi = new FFI();
    ffi.cdef('int twice(int);');
    const twice = ffi.verify('int twice(int x) { return 2 * x; }', { tmpdir: process.env.NODE_CFFI_CACHE }).twice(21);
    console.log(JSON.stringify({ before: before === undefined, ...backendStatus().codeCache.stages, twice }));`);
  const runVerifying = (): { before: boolean; state: string; detail: string; twice: number } => {
    const r = spawnSync(process.execPath, [verifying], { env: { ...process.env, NODE_CFFI_CACHE: cache }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as { before: boolean; state: string; detail: string; twice: number };
  };
  const first = runVerifying();
  expect(first).toEqual({ before: true, state: 'compiled', detail: expect.stringMatching(/^missing: .*startup-lib-stages-[0-9a-f]{8}-.*\.v8cache is written at the event loop's first turn or at exit$/) as string, twice: 42 });
  const file = codeCaches(cache).find((f) => path.basename(f).startsWith('startup-lib-stages-'));
  expect(file).toBeDefined();
  expect(runVerifying()).toEqual({ before: true, state: 'used', detail: file, twice: 42 });
  const whole = fs.readFileSync(file!);
  const bad = Buffer.from(whole);
  bad[whole.length - 1] ^= 0x10;
  fs.writeFileSync(file!, bad);
  expect(runVerifying()).toEqual({ before: true, state: 'compiled', detail: `damaged (checksum): ${file} is written at the event loop's first turn or at exit`, twice: 42 });
  expect(runVerifying()).toEqual({ before: true, state: 'used', detail: file, twice: 42 });
});

test("the cache is written at the event loop's first turn, not left for exit (where a long-running program's work would have dropped the start-up's functions from it)", () => {
  const cache = freshCache('first-turn');
  const waiting = path.join(work, 'waiting.js');
  // The entry's write was queued while require() ran, so it runs before this program's own setImmediate.
  fs.writeFileSync(waiting, `
    const { backendStatus } = require(${JSON.stringify(MAIN)});
    const fs = require('fs');
    setImmediate(() => {
      const files = fs.readdirSync(process.env.NODE_CFFI_CACHE).filter((n) => n.endsWith('.v8cache'));
      console.log(JSON.stringify({ files, detail: backendStatus().codeCache.detail }));
    });`);
  const r = spawnSync(process.execPath, [waiting], { env: { ...process.env, NODE_CFFI_CACHE: cache }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const seen = JSON.parse(r.stdout) as { files: string[]; detail: string };
  expect(seen.files).toEqual([expect.stringMatching(/^startup-lib-[0-9a-f]{8}-/)]);
  expect(seen.detail).toBe(`missing: written to ${path.join(cache, seen.files[0])}`);
});

test('a process that used a part of the library the cache lacks (a cdef parsed, a library bound, a stage loaded) writes it again, holding that part too; the uses only grow', () => {
  const cache = freshCache('uses');
  const script = (name: string, body: string): string => {
    const file = path.join(work, `${name}.js`);
    fs.writeFileSync(file, `const { FFI, backendStatus } = require(${JSON.stringify(MAIN)});\n${body}`);
    return file;
  };
  const runScript = (file: string): string => {
    const r = spawnSync(process.execPath, [file], { env: { ...process.env, NODE_CFFI_CACHE: cache }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };
  const cacheOf = (prefix: string): string => {
    const found = codeCaches(cache).filter((f) => path.basename(f).startsWith(prefix) && !path.basename(f).startsWith(`${prefix}stages-`));
    expect(found).toHaveLength(1);
    return found[0];
  };
  // Told at exit, after the entry's own exit hook (registered first) has written what it writes.
  const atExit = "process.on('exit', () => console.log(JSON.stringify(backendStatus().codeCache)));\n";
  const requiring = script('requiring', '');
  runScript(requiring);
  const file = cacheOf('startup-lib-');
  expect(parts(file).header.uses).toEqual([]);
  const bare = parts(file).data.length;

  // cdef() and dlopen() run the parser's and the binder's functions, which a require alone never compiled.
  const calling = script('calling', `${atExit}const ffi = new FFI();\nffi.cdef('int abs(int);');\nffi.dlopen(null).abs(-3);\n`);
  expect(JSON.parse(runScript(calling))).toEqual({ state: 'used', detail: `${file}, written again to hold cdef, library` });
  expect(parts(file).header.uses).toEqual(['cdef', 'library']);
  expect(parts(file).data.length).toBeGreaterThan(bare);
  const grown = fs.readFileSync(file);
  // Nothing new: neither run writes it again, and a lesser use does not shrink what it holds.
  expect(JSON.parse(runScript(calling))).toEqual({ state: 'used', detail: file });
  runScript(requiring);
  expect(fs.readFileSync(file).equals(grown)).toBe(true);

  // The stages bundle's cache grows with the stages used: a verify(), then a whole header.
  fs.writeFileSync(path.join(work, 'uses.h'), 'struct point { int x, y; };\nint area(struct point *p);\n#define SIDES 4\n');
  const options = `{ tmpdir: ${JSON.stringify(path.join(work, 'uses-libraries'))}, includeDirs: [${JSON.stringify(work)}] }`;
  const verifying = script('verifying-uses', `const ffi = new FFI();\nffi.cdef('int twice(int);');\nconsole.log(ffi.verify('int twice(int x) { return 2 * x; }', ${options}).twice(21));\n`);
  expect(runScript(verifying)).toBe('42\n');
  const stages = cacheOf('startup-lib-stages-');
  const verified = parts(stages);
  expect(verified.header.uses).toEqual(expect.arrayContaining(['stage:apimode']));
  expect((verified.header.uses as string[]).every((u) => u.startsWith('stage:'))).toBe(true);
  const reading = script('reading', `${atExit}const ffi = new FFI();\nffi.cdefHeader('uses.h', ${options});\nconsole.log(JSON.stringify(ffi.integerConst('SIDES')));\n`);
  const [sides, status] = runScript(reading).trim().split('\n');
  expect(sides).toBe('4');
  const { stages: stagesStatus } = JSON.parse(status) as { stages: { state: string; detail: string } };
  expect(stagesStatus).toEqual({ state: 'used', detail: expect.stringMatching(new RegExp(`^${stages.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, written again to hold .*stage:header/index`)) as string });
  expect(parts(stages).header.uses).toEqual(expect.arrayContaining([...(verified.header.uses as string[]), 'stage:header/index']));
  expect(parts(stages).data.length).toBeGreaterThan(verified.data.length);
  expect(parts(file).header.uses).toEqual(expect.arrayContaining(['cdef', 'library', 'stage:header/index']));
});

test('a header whose uses are not a list of names is damage', () => {
  const { cache, file } = primed('bad-uses');
  const p = parts(file);
  for (const uses of ['cdef', [1], { cdef: true }]) {
    writeWithHeader(file, p, { ...p.header, uses });
    expect(run(cache)).toEqual({ state: 'compiled', detail: `damaged (header): ${file} is written at the event loop's first turn or at exit`, abs: 3 });
    expect(run(cache)).toEqual({ state: 'used', detail: file, abs: 3 });
  }
});
