// Damage at the cache's paths: FIFOs, devices, directories and malformed files where libraries, sidecars, locks and memos (the compiler's version, verify()'s units) belong are rebuilt over, never waited on or thrown raw.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from '../../lib/build';
import { nodeHost } from '../../lib/host';
import { ChildResult, LIB, ending } from '../helpers/child';
import { removeTempDirs, request, tempDir } from './fixtures/helpers';

afterEach(removeTempDirs);

const ADD = 'int add(int a, int b) { return a + b; }\n';
const ROOT = nodeHost.uid() === 0;

/**
 * Runs `script` in a child process. A build that waits on a FIFO never returns; the kill after
 * two minutes only keeps such a hang from stopping the whole suite (the test then fails on it).
 */
function inChild(script: string): ChildResult {
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', `const LIB = ${JSON.stringify(LIB)};\n${script}`], {
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

type Kind = 'fifo' | 'directory' | 'device';
const kinds: Kind[] = ['fifo', 'directory', 'device'];

/** Puts a FIFO, a directory (with a file in it) or a character device (root only: mknod) at `file`. */
function plant(kind: Kind, file: string): void {
  fs.rmSync(file, { recursive: true, force: true });
  if (kind === 'directory') {
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'x'), 'x');
  } else {
    const args = kind === 'fifo' ? ['mkfifo', file] : ['mknod', file, 'c', '1', '3']; // 1,3: /dev/null's numbers
    const r = spawnSync(args[0], args.slice(1));
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  }
}

function entryFiles(cache: string): { library: string; sidecar: string; lock: string; memo: string } {
  const names = fs.readdirSync(cache);
  const so = names.find((n) => n.endsWith('.so'))!;
  const stem = so.slice(0, -'.so'.length);
  return {
    library: path.join(cache, so),
    sidecar: path.join(cache, `${stem}.json`),
    lock: path.join(cache, `${stem}.lock`),
    memo: path.join(cache, names.find((n) => n.startsWith('.compiler-'))!),
  };
}

describe.each(kinds)('a %s', (kind) => {
  const maybe = kind === 'device' && !ROOT ? test.skip : test;
  if (kind === 'device' && !ROOT) process.stdout.write('skipped: planting a device node needs root (mknod)\n');

  maybe.each(['library', 'sidecar', 'lock', 'memo'] as const)(`where the %s belongs is damage: the build goes on and rebuilds over it`, (what) => {
    const cache = path.join(tempDir(), 'cache');
    buildSync(request(ADD, { tmpdir: cache }));
    const files = entryFiles(cache);
    plant(kind, files[what]);
    // A lock is only looked at when the library must be built: take the library away too.
    if (what === 'lock') fs.unlinkSync(files.library);
    // A fresh process, so that nothing about the entry is remembered.
    const r = inChild(`
      const { buildSync } = require(LIB + '/build');
      const koffi = require('koffi');
      const req = { code: ${JSON.stringify(ADD)}, fileName: 'source.c', moduleName: 'testmod', keyParts: [], options: { tmpdir: ${JSON.stringify(cache)} } };
      const first = buildSync(req);
      const second = buildSync(req);
      console.log(JSON.stringify({ first: first.cached, second: second.cached, sum: koffi.load(first.path).func('int add(int, int)')(2, 3) }));
    `);
    expect({ end: ending(r), err: r.stderr }).toEqual({ end: 'exit 0', err: '' });
    const out = JSON.parse(r.stdout) as { first: boolean; second: boolean; sum: number };
    expect(out.sum).toBe(5);
    // A damaged memo only means asking the compiler its version again; the rest means a build.
    expect(out.first).toBe(what === 'memo');
    expect(out.second).toBe(true);
    for (const f of [files.library, files.sidecar, files.memo]) expect({ f, file: fs.lstatSync(f).isFile() }).toEqual({ f, file: true });
    expect(fs.existsSync(files.lock)).toBe(false);
  });
});

describe.each(kinds)("a %s where verify()'s remembered unit belongs", (kind) => {
  const maybe = kind === 'device' && !ROOT ? test.skip : test;

  maybe('is damage: the glue is made again, the cached library found, and the memo written over it', () => {
    const cache = path.join(tempDir(), 'cache');
    const script = `
      const { FFI } = require(LIB);
      const ffi = new FFI(); ffi.cdef('int add(int a, int b);');
      console.log(ffi.verify(${JSON.stringify(ADD)}, { tmpdir: ${JSON.stringify(cache)} }).add(2, 3));`;
    expect(inChild(script).stdout).toBe('5\n');
    const memo = path.join(cache, fs.readdirSync(cache).find((n) => n.startsWith('.unit-'))!);
    const good = fs.readFileSync(memo, 'utf8');
    const library = fs.readdirSync(cache).find((n) => n.endsWith('.so'))!;
    const built = fs.statSync(path.join(cache, library)).mtimeMs;
    plant(kind, memo);
    const r = inChild(script);
    expect({ end: ending(r), err: r.stderr, out: r.stdout }).toEqual({ end: 'exit 0', err: '', out: '5\n' });
    expect(fs.readFileSync(memo, 'utf8')).toBe(good);
    expect(fs.statSync(path.join(cache, library)).mtimeMs).toBe(built); // found, not compiled again
  });
});

describe('a malformed sidecar', () => {
  const bad: [string, (good: Record<string, unknown>) => unknown][] = [
    ['an array', () => []],
    ['null', () => null],
    ['a number', () => 42],
    ['deps that is not a list', (g) => ({ ...g, deps: 5 })],
    ['a dependency without a path', (g) => ({ ...g, deps: [{ size: 1, mtimeMs: 1 }] })],
    ['a dependency path that is a number', (g) => ({ ...g, deps: [{ path: 7, size: 1, mtimeMs: 1 }] })],
    ['a size that is a string', (g) => ({ ...g, size: String(g.size) })],
    ['a checksum that is not hex', (g) => ({ ...g, sha256: 'zz' })],
    ['a compiler that is a string', (g) => ({ ...g, compiler: 'gcc' })],
    ['deps of null entries', (g) => ({ ...g, deps: [null] })],
  ];
  test.each(bad)('(%s) means a rebuild, not a TypeError', (_, make) => {
    const options = { tmpdir: path.join(tempDir(), 'cache') };
    buildSync(request(ADD, options));
    const { sidecar } = entryFiles(options.tmpdir);
    const good = JSON.parse(fs.readFileSync(sidecar, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(sidecar, JSON.stringify(make(good)));
    const r = buildSync(request(ADD, options));
    expect(r.cached).toBe(false);
    expect(JSON.parse(fs.readFileSync(sidecar, 'utf8'))).toMatchObject({ key: good.key, sha256: good.sha256 });
  });

  test('one larger than any sidecar is damage too', () => {
    const options = { tmpdir: path.join(tempDir(), 'cache') };
    buildSync(request(ADD, options));
    const { sidecar } = entryFiles(options.tmpdir);
    const good = JSON.parse(fs.readFileSync(sidecar, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(sidecar, JSON.stringify({ ...good, padding: 'x'.repeat(2 * 1024 * 1024) }));
    expect(buildSync(request(ADD, options)).cached).toBe(false);
  });
});

describe('listCache and cleanCache over damage', () => {
  test('skip a FIFO sidecar and a directory library, and remove both', () => {
    const cache = path.join(tempDir(), 'cache');
    buildSync(request(ADD, { tmpdir: cache }));
    const { library, sidecar } = entryFiles(cache);
    plant('fifo', sidecar);
    plant('directory', library);
    fs.writeFileSync(path.join(cache, 'other-0123456789abcdef.json'), '[1, 2]');
    const r = inChild(`
      const { listCache, cleanCache } = require(LIB + '/build');
      const opts = { tmpdir: ${JSON.stringify(cache)} };
      console.log(JSON.stringify({ list: listCache(opts), removed: cleanCache(opts).removed }));
    `);
    expect({ end: ending(r), err: r.stderr }).toEqual({ end: 'exit 0', err: '' });
    expect(JSON.parse(r.stdout)).toEqual({ list: [], removed: 4 });
    expect(fs.readdirSync(cache)).toEqual([]);
  });
});

describe('the preprocessor memo', () => {
  test('a FIFO or a malformed memo where cc() remembers a result is damage: derived again', () => {
    const cache = path.join(tempDir(), 'cache');
    const r = inChild(`
      const fs = require('fs');
      const path = require('path');
      const { spawnSync } = require('child_process');
      const { preprocess } = require(LIB + '/build');
      const opts = { tmpdir: ${JSON.stringify(cache)} };
      let runs = 0;
      const derivation = { where: 'test', name: 'memo-test', keyParts: [], derive: (p) => (runs++, { value: { n: p.output.length }, files: [] }) };
      const source = '#define N 3\\nint f(void);\\n';
      const first = preprocess(source, opts, derivation).value;
      const memo = path.join(opts.tmpdir, fs.readdirSync(opts.tmpdir).find((n) => n.startsWith('.memo-test-')));
      const damage = [
        () => spawnSync('mkfifo', [memo]),
        () => fs.mkdirSync(memo),
        () => fs.writeFileSync(memo, JSON.stringify({ key: 'k', stamps: [5], value: {} })),
      ];
      const seen = [];
      for (const d of damage) {
        fs.rmSync(memo, { recursive: true, force: true });
        d();
        seen.push(preprocess(source, opts, derivation).value.n === first.n);
      }
      console.log(JSON.stringify({ seen, runs }));
    `);
    expect({ end: ending(r), err: r.stderr }).toEqual({ end: 'exit 0', err: '' });
    expect(JSON.parse(r.stdout)).toEqual({ seen: [true, true, true], runs: 4 });
  });
});

describe('extra sources', () => {
  test('a directory is refused by name', () => {
    const dir = tempDir();
    const e = (() => {
      try {
        buildSync(request(ADD, { tmpdir: path.join(dir, 'cache'), sources: [dir] }));
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected the build to fail');
    })();
    expect(e.name).toBe('VerificationError');
    expect(e.message).toBe(`options.sources[0]: ${dir} is a directory, not a C source file; list the files in it one by one`);
  });

  test('a FIFO is refused by name, not read (which would wait for a writer)', () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'pipe.c');
    plant('fifo', fifo);
    const r = inChild(`
      const { buildSync } = require(LIB + '/build');
      try {
        buildSync({ code: ${JSON.stringify(ADD)}, fileName: 'source.c', moduleName: 'm', keyParts: [],
          options: { tmpdir: ${JSON.stringify(path.join(dir, 'cache'))}, sources: [${JSON.stringify(fifo)}] } });
        console.log('built');
      } catch (e) { console.log(e.name + ': ' + e.message); }
    `);
    expect(ending(r)).toBe('exit 0');
    expect(r.stdout.trim()).toBe(
      `VerificationError: options.sources[0]: ${fifo} is not a regular file (a FIFO, device or socket); give the C source file itself`,
    );
  });
});
