// Tests of the optional native helper: same results as koffi, TypeErrors on bad arguments, and a loader that never throws.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as koffi from 'koffi';
import * as ts from 'typescript';
import { native, nativeStatus, type NativeHelper } from '../../lib/backend/native';
import { prng } from '../helpers/random';
import { createHash } from 'crypto';
import { sha256 } from '../../lib/build/files';

const ROOT = path.resolve(__dirname, '..', '..');
const ADDON = path.join(ROOT, 'build', 'Release', 'node_cffi.node');

/** The helper; a missing addon makes the first test say why, and every other test fail on null. */
const n = native as NativeHelper;

/** The independent decoder: WHATWG UTF-8, keeping a leading BOM as C strings do. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Every buffer cmem() made: a bare address does not keep its memory alive, this list does. */
const keepAlive: ArrayBuffer[] = [];

/** Memory holding `bytes`, NUL-terminated unless `terminate` is false, and its address as koffi reports it. */
function cmem(bytes: Uint8Array | string, terminate = true): { addr: number; length: number } {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const buffer = new ArrayBuffer(data.length + (terminate ? 1 : 0));
  new Uint8Array(buffer).set(data);
  keepAlive.push(buffer);
  return { addr: Number(koffi.address(buffer)), length: data.length };
}

/**
 * Asserts that `fn` throws a TypeError with exactly `message`. The addon creates its errors in Node's
 * main realm, not in jest's sandbox, so `instanceof TypeError` cannot be used here; the name can.
 */
function expectTypeError(fn: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeDefined();
  const { name, message: got } = thrown as Error;
  expect({ name, message: got }).toEqual({ name: 'TypeError', message });
}

test('the addon is built and loads', () => {
  expect(nativeStatus).toMatch(/^loaded from /);
  expect(native).not.toBeNull();
});

describe('cstring', () => {
  const texts: [string, string][] = [
    ['empty', ''],
    ['ASCII', 'hello'],
    ['two-byte UTF-8', 'héllo wörld'],
    ['three-byte UTF-8', '日本語のテキスト'],
    ['four-byte UTF-8 (surrogate pairs)', 'smile 😀, rocket 🚀'],
    ['long ASCII', 'a'.repeat(10_000)],
    ['long two-byte UTF-8 (decoded off the stack)', 'é'.repeat(5_000)],
    ['long mixed', 'ab日😀é'.repeat(1_000)],
  ];

  test.each(texts)('reads %s text like koffi.decode.string, unbounded and bounded', (_, text) => {
    const { addr, length } = cmem(text);
    expect(n.cstring(addr, -1)).toBe(text);
    expect(n.cstring(addr, -1)).toBe(koffi.decode.string(BigInt(addr)));
    expect(n.cstring(addr, length)).toBe(text);
    expect(n.cstring(addr, length + 100)).toBe(text);
  });

  test('stops at the first NUL, bounded or not', () => {
    const { addr } = cmem('ab\0cd');
    expect(n.cstring(addr, -1)).toBe('ab');
    expect(n.cstring(addr, 5)).toBe('ab');
    expect(n.cstring(addr, 1)).toBe('a');
  });

  test('reads exactly maxlen bytes of memory that holds no NUL', () => {
    const { addr } = cmem('abcdef', false);
    expect(n.cstring(addr, 6)).toBe('abcdef');
    expect(n.cstring(addr, 3)).toBe('abc');
    expect(n.cstring(addr, 0)).toBe('');
  });

  test('a maxlen that cuts a character yields U+FFFD for the cut part, like koffi and TextDecoder', () => {
    expect(n.cstring(cmem('é').addr, 1)).toBe('\uFFFD');
    expect(n.cstring(cmem('x日').addr, 3)).toBe('x\uFFFD');
    expect(n.cstring(cmem('😀!').addr, 3)).toBe('\uFFFD');
    const text = 'aé日😀b';
    const { addr, length } = cmem(text);
    const bytes = new TextEncoder().encode(text);
    for (let cut = 0; cut <= length; cut++) {
      const got = n.cstring(addr, cut);
      expect([cut, got]).toEqual([cut, koffi.decode.string(BigInt(addr), cut)]);
      expect([cut, got]).toEqual([cut, decoder.decode(bytes.subarray(0, cut))]);
    }
  });

  // Expected strings follow the WHATWG decoder by hand: one U+FFFD per maximal invalid subsequence.
  const invalid: [string, number[], string][] = [
    ['a lone high byte', [0xff], '\uFFFD'],
    ['Latin-1 é, not UTF-8', [0x41, 0xe9, 0x42], 'A\uFFFDB'],
    ['a stray continuation byte', [0x80, 0x41], '\uFFFDA'],
    ['an overlong form', [0xc0, 0xaf], '\uFFFD\uFFFD'],
    ['an overlong three-byte form', [0xe0, 0x80, 0x80], '\uFFFD\uFFFD\uFFFD'],
    ['an encoded surrogate', [0xed, 0xa0, 0x80], '\uFFFD\uFFFD\uFFFD'],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], '\uFFFD\uFFFD\uFFFD\uFFFD'],
    ['a sequence cut short by ASCII', [0xe6, 0x97, 0x41], '\uFFFDA'],
    ['a lead byte at the end', [0x41, 0xf0], 'A\uFFFD'],
    ['the largest code point', [0xf4, 0x8f, 0xbf, 0xbf], '\u{10FFFF}'],
    ['a four-byte character', [0xf0, 0x9f, 0x98, 0x80], '\uD83D\uDE00'],
    ['a leading byte order mark, kept', [0xef, 0xbb, 0xbf, 0x41], '\uFEFFA'],
  ];

  test.each(invalid)('decodes %s as V8 does', (_, bytes, expected) => {
    const { addr, length } = cmem(Uint8Array.from(bytes));
    expect(n.cstring(addr, -1)).toBe(expected);
    expect(n.cstring(addr, length)).toBe(expected);
    expect(n.cstring(addr, -1)).toBe(koffi.decode.string(BigInt(addr)));
  });

  test('agrees with koffi and TextDecoder on random bytes, short and long, whole and cut', () => {
    const next = prng(20240611);
    const common = [0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x9f, 0xa0, 0x8f, 0x90, 0x41];
    for (let round = 0; round < 3000; round++) {
      const length = 1 + Math.floor(next() * (round % 50 === 0 ? 2000 : 16));
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++)
        bytes[i] = next() < 0.6 ? common[Math.floor(next() * common.length)] : 1 + Math.floor(next() * 255);
      const { addr } = cmem(bytes);
      const cut = Math.floor(next() * (length + 1));
      const whole = n.cstring(addr, -1);
      const part = n.cstring(addr, cut);
      const agree = whole === koffi.decode.string(BigInt(addr)) && whole === decoder.decode(bytes);
      const agreeCut = part === decoder.decode(bytes.subarray(0, cut));
      if (!agree || !agreeCut)
        throw new Error(`round ${round}: cstring disagrees on bytes [${Array.from(bytes, (b) => b.toString(16))}] cut at ${cut}`);
    }
  });

  const { addr: good } = cmem('ok');
  const badAddresses: [string, unknown, string][] = [
    ['NaN', NaN, 'NaN'],
    ['a negative number', -1, '-1'],
    ['a fraction', 1.5, '1.5'],
    ['NULL', 0, '0'],
    ['2^53', 2 ** 53, '9007199254740992'],
    ['Infinity', Infinity, 'Infinity'],
    ['a string', '4096', 'string "4096"'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['an object', {}, 'object'],
    ['a bigint', 4096n, '4096n; convert it with Number()'],
  ];

  test.each(badAddresses)('throws a TypeError for %s as address', (_, bad, shown) => {
    const expected = `cstring: address must be a positive integer below 2^53 (a non-NULL address), got ${shown}`;
    expectTypeError(() => n.cstring(bad as number, -1), expected);
  });

  const badMaxlens: [string, unknown, string][] = [
    ['NaN', NaN, 'NaN'],
    ['-2', -2, '-2'],
    ['a fraction', 0.5, '0.5'],
    ['Infinity', Infinity, 'Infinity'],
    ['a string', '5', 'string "5"'],
    ['undefined', undefined, 'undefined'],
  ];

  test.each(badMaxlens)('throws a TypeError for %s as maxlen', (_, bad, shown) => {
    const expected = `cstring: maxlen must be -1 (no bound) or a non-negative integer, got ${shown}`;
    expectTypeError(() => n.cstring(good, bad as number), expected);
  });

  test('throws a TypeError for a wrong number of arguments', () => {
    const loose = n.cstring as unknown as (...args: unknown[]) => string;
    expectTypeError(() => loose(good), 'cstring: expected 2 arguments, got 1');
    expectTypeError(() => loose(good, -1, 0), 'cstring: expected 2 arguments, got 3');
  });
});

describe('address', () => {
  test('of an ArrayBuffer is koffi.address as a number', () => {
    const buffer = new ArrayBuffer(64);
    expect(n.address(buffer)).toBe(Number(koffi.address(buffer)));
    expect(n.address(buffer)).toBeGreaterThan(0);
  });

  test('of a view adds its byteOffset, for every kind of view, like koffi.address', () => {
    const buffer = new ArrayBuffer(64);
    const base = n.address(buffer);
    const views: [ArrayBufferView, number][] = [
      [new Uint8Array(buffer, 5, 10), 5],
      [new Int32Array(buffer, 12), 12],
      [new Float64Array(buffer, 8, 2), 8],
      [new BigUint64Array(buffer, 16), 16],
      [new DataView(buffer, 7), 7],
      [Buffer.from(buffer, 3, 4), 3],
    ];
    for (const [view, offset] of views) {
      expect(n.address(view)).toBe(base + offset);
      expect(n.address(view)).toBe(Number(koffi.address(view)));
    }
  });

  test('of a pooled Buffer points at its bytes', () => {
    const buf = Buffer.from('pooled text\0');
    expect(n.address(buf)).toBe(n.address(buf.buffer) + buf.byteOffset);
    expect(n.cstring(n.address(buf), -1)).toBe('pooled text');
  });

  test('of a small TypedArray is stable and is where its bytes are', () => {
    const small = new Uint8Array([0x68, 0x69, 0, 0]);
    const addr = n.address(small);
    expect(n.address(small)).toBe(addr);
    expect(addr).toBe(Number(koffi.address(small)));
    koffi.encode(BigInt(addr), 'uint8_t', 0x6f);
    expect(small[0]).toBe(0x6f);
    expect(n.cstring(addr, -1)).toBe('oi');
  });

  test('of an empty buffer is what koffi reports', () => {
    const empty = new ArrayBuffer(0);
    expect(n.address(empty)).toBe(Number(koffi.address(empty)));
  });

  test('of a detached buffer, or of a view over one, throws a TypeError', () => {
    const buffer = new ArrayBuffer(16);
    const view = new Uint8Array(buffer, 4);
    const dataView = new DataView(buffer, 2);
    structuredClone(buffer, { transfer: [buffer] });
    const expected = 'address: buffer is detached (its memory was transferred away); it has no address';
    for (const subject of [buffer, view, dataView]) expectTypeError(() => n.address(subject), expected);
  });

  const badBuffers: [string, unknown, string][] = [
    ['a number', 4096, '4096'],
    ['a string', 'bytes', 'string "bytes"'],
    ['a plain object', {}, 'object'],
    ['an array', [1, 2], 'array of length 2'],
    ['a SharedArrayBuffer', new SharedArrayBuffer(8), 'SharedArrayBuffer object'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a bigint', 8n, '8n'],
    ['an object whose constructor getter throws', { get constructor() { throw new Error('boom'); } }, 'object'],
  ];

  test.each(badBuffers)('throws a TypeError for %s', (_, bad, shown) => {
    const expected = `address: buffer must be an ArrayBuffer, a TypedArray or a DataView, got ${shown}`;
    expectTypeError(() => n.address(bad as ArrayBuffer), expected);
  });
});

describe('asyncCalls', () => {
  test("counts what it is given, in one count the process's threads share", async () => {
    const n = native as NativeHelper;
    const before = n.asyncCalls!(0);
    expect(n.asyncCalls!(1)).toBe(before + 1);
    // A worker thread loads the same addon and sees, and changes, the same count.
    const { Worker } = await import('worker_threads');
    const script = `const { parentPort, workerData } = require('worker_threads');
      const n = require(workerData);
      parentPort.postMessage([n.asyncCalls(0), n.asyncCalls(1)]);`;
    const seen = await new Promise<number[]>((resolve, reject) => {
      const w = new Worker(script, { eval: true, workerData: require.resolve('../../build/Release/node_cffi.node') });
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(seen).toEqual([before + 1, before + 2]);
    expect(n.asyncCalls!(-1)).toBe(before + 1);
    expect(n.asyncCalls!(-1)).toBe(before);
  });

  test.each([[2, '2'], [-2, '-2'], [0.5, '0.5'], ['1', 'string "1"']] as [unknown, string][])('throws a TypeError for %s', (bad, shown) => {
    expectTypeError(() => (native as NativeHelper).asyncCalls!(bad as 1), `asyncCalls: delta must be 1, -1 or 0, got ${shown}`);
  });
});

describe('checksum', () => {
  const M64 = (x: bigint): bigint => BigInt.asUintN(64, x);
  const rotl = (x: bigint, r: bigint): bigint => M64((x << r) | (x >> (64n - r)));
  /** The checksum as native/node_cffi.c documents it, in BigInt arithmetic: MurmurHash3 x64's body (one lane) and finaliser, the length folded in. */
  function reference(bytes: Uint8Array): string {
    const c1 = 0x87c37b91114253d5n;
    const c2 = 0x4cf5ad432745937fn;
    const n = BigInt(bytes.length);
    let h = M64(0x6e6f64652d636666n ^ n);
    const word = (at: number, count: number): bigint => {
      let k = 0n;
      for (let j = 0; j < count; j++) k |= BigInt(bytes[at + j]) << BigInt(8 * j);
      return k;
    };
    let i = 0;
    for (; i + 8 <= bytes.length; i += 8) {
      const k = M64(rotl(M64(word(i, 8) * c1), 31n) * c2);
      h = M64(rotl(h ^ k, 27n) * 5n + 0x52dce729n);
    }
    const tail = M64(rotl(M64(word(i, bytes.length - i) * c1), 31n) * c2);
    h ^= tail ^ n;
    h ^= h >> 33n;
    h = M64(h * 0xff51afd7ed558ccdn);
    h ^= h >> 33n;
    h = M64(h * 0xc4ceb9fe1a85ec53n);
    h ^= h >> 33n;
    return h.toString(16).padStart(16, '0');
  }

  test('equals the documented algorithm, computed here in BigInt arithmetic, for every length from 0 to 80 and random bytes', () => {
    const rand = prng(77);
    for (let length = 0; length <= 80; length++) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(rand() * 256));
      expect(n.checksum!(bytes)).toBe(reference(bytes));
    }
  });

  test('reads the bytes a view shows, whatever its kind and offset', () => {
    const buffer = new ArrayBuffer(64);
    new Uint8Array(buffer).forEach((_, i, a) => (a[i] = (i * 37) & 255));
    const window = new Uint8Array(buffer, 8, 48);
    const expected = reference(window);
    for (const view of [window, new Uint32Array(buffer, 8, 12), new Float64Array(buffer, 8, 6), new DataView(buffer, 8, 48), Buffer.from(buffer, 8, 48)]) {
      expect(n.checksum!(view)).toBe(expected);
    }
    expect(n.checksum!(buffer)).toBe(reference(new Uint8Array(buffer)));
  });

  test('every single-bit flip of a 1 KiB buffer changes it', () => {
    const bytes = Uint8Array.from({ length: 1024 }, (_, i) => (i * 131) & 255);
    const whole = n.checksum!(bytes);
    let unchanged = 0;
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      bytes[bit >> 3] ^= 1 << (bit & 7);
      if (n.checksum!(bytes) === whole) unchanged++;
      bytes[bit >> 3] ^= 1 << (bit & 7);
    }
    expect(unchanged).toBe(0);
  });

  test('throws a TypeError for what is not a buffer', () => {
    expectTypeError(() => n.checksum!('bytes' as unknown as ArrayBuffer), 'checksum: buffer must be an ArrayBuffer, a TypedArray or a DataView, got string "bytes"');
  });
});

describe('sha256', () => {
  const crypto = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

  test('is exported where Node exports OpenSSL (this Node does)', () => {
    expect(typeof n.sha256).toBe('function');
  });

  test("equals node:crypto's for every length from 0 to 200 (the block boundaries), random bytes, and 3 MiB", () => {
    const rand = prng(91);
    for (let length = 0; length <= 200; length++) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(rand() * 256));
      expect(n.sha256!(bytes)).toBe(crypto(bytes));
    }
    const big = Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 7919) & 255);
    expect(n.sha256!(big)).toBe(crypto(big));
  });

  test('reads the bytes a view shows, whatever its kind and offset', () => {
    const buffer = new ArrayBuffer(64);
    new Uint8Array(buffer).forEach((_, i, a) => (a[i] = (i * 37) & 255));
    const expected = crypto(new Uint8Array(buffer, 8, 48));
    for (const view of [new Uint8Array(buffer, 8, 48), new Uint32Array(buffer, 8, 12), new DataView(buffer, 8, 48), Buffer.from(buffer, 8, 48)]) {
      expect(n.sha256!(view)).toBe(expected);
    }
  });

  test("the build's sha256() of a string is node:crypto's of the same string, lone surrogates and all", () => {
    for (const text of ['', 'int add(int a, int b);', 'é ü 中 😀', 'half \ud800 a pair', '\udfff', 'x'.repeat(100_000)]) {
      expect(sha256(text)).toBe(crypto(text));
    }
  });

  test('spares a program node:crypto: compiling and then finding a library loads it only without the helper', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-sha-'));
    try {
      // A file, not node -e (which loads node:crypto before the code runs), through the package's entry.
      const program = path.join(dir, 'prog.js');
      fs.writeFileSync(program, `
        const { FFI } = require(${JSON.stringify(ROOT)});
        const ffi = new FFI();
        ffi.cdef('int add(int a, int b);');
        const lib = ffi.verify('int add(int a, int b) { return a + b; }', { tmpdir: ${JSON.stringify(path.join(dir, 'cache'))} });
        console.log(JSON.stringify([lib.add(2, 3), process.moduleLoadList.includes('NativeModule crypto')]));`);
      const run = (env: NodeJS.ProcessEnv): unknown => JSON.parse(spawnSync(process.execPath, [program], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout);
      expect([run({}), run({}), run({ NODE_CFFI_NO_NATIVE: '1' })]).toEqual([[5, false], [5, false], [5, true]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('throws a TypeError for what is not a buffer', () => {
    expectTypeError(() => n.sha256!('bytes' as unknown as ArrayBuffer), 'sha256: buffer must be an ArrayBuffer, a TypedArray or a DataView, got string "bytes"');
  });
});

describe('errno', () => {
  test('reads the errno koffi.errno() sets', () => {
    koffi.errno(1234);
    expect(n.errno()).toBe(1234);
    koffi.errno(0);
    expect(n.errno()).toBe(0);
  });

  test('takes no argument: it reads errno, it never sets it', () => {
    const loose = n.errno as unknown as (...args: unknown[]) => number;
    expectTypeError(() => loose(5), 'errno: expected 0 arguments, got 1');
  });

  test('reads the errno a failed C call left, as koffi.errno() does', () => {
    const close = koffi.load('libc.so.6').func('int close(int fd)');
    expect(close(-1)).toBe(-1);
    const seen = n.errno();
    expect(seen).toBe(koffi.os.errno.EBADF);
    expect(seen).toBe(koffi.errno());
  });
});

describe('loading', () => {
  /** Runs `script` in a fresh node (with tsx when `tsx`), from `cwd`, and returns what it printed. */
  function run(script: string, cwd: string, env: NodeJS.ProcessEnv, tsx: boolean): string {
    const args = tsx ? ['--require', require.resolve('tsx/cjs'), '-e', script] : ['-e', script];
    const child = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`child node failed (${child.status}): ${child.stderr}`);
    return child.stdout;
  }

  const probe = (file: string) =>
    `const m = require(${JSON.stringify(file)}); ` +
    'process.stdout.write(JSON.stringify({ loaded: m.native !== null, status: m.nativeStatus }));';
  const cleanEnv = () => {
    const env = { ...process.env };
    delete env.NODE_CFFI_NO_NATIVE;
    return env;
  };

  test('NODE_CFFI_NO_NATIVE=1 makes native null; without it the same script loads the addon', () => {
    const script = probe(path.join(ROOT, 'lib', 'backend', 'native'));
    expect(JSON.parse(run(script, ROOT, { ...cleanEnv(), NODE_CFFI_NO_NATIVE: '1' }, true))).toEqual({
      loaded: false,
      status: 'disabled by NODE_CFFI_NO_NATIVE=1',
    });
    expect(JSON.parse(run(script, ROOT, cleanEnv(), true))).toEqual({ loaded: true, status: `loaded from ${ADDON}` });
  });

  describe('from a compiled dist/lib/backend of an installed package', () => {
    let pkg: string;
    let compiled: string;
    let installed: string;

    beforeAll(() => {
      pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-native-'));
      fs.writeFileSync(path.join(pkg, 'package.json'), '{"name": "node-cffi"}\n');
      compiled = path.join(pkg, 'dist', 'lib', 'backend', 'native.js');
      // native.ts and the modules it imports, compiled to where an installed package keeps them.
      for (const file of ['backend/native', 'package', 'host']) {
        const source = fs.readFileSync(path.join(ROOT, 'lib', `${file}.ts`), 'utf8');
        const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
        const out = path.join(pkg, 'dist', 'lib', `${file}.js`);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, ts.transpileModule(source, { compilerOptions }).outputText);
      }
      installed = path.join(pkg, 'build', 'Release', 'node_cffi.node');
      fs.mkdirSync(path.dirname(installed), { recursive: true });
    });

    afterAll(() => fs.rmSync(pkg, { recursive: true, force: true }));

    test('finds the addon at the package root', () => {
      fs.copyFileSync(ADDON, installed);
      const result = JSON.parse(run(probe(compiled), pkg, cleanEnv(), false));
      expect(result).toEqual({ loaded: true, status: `loaded from ${installed}` });
    });

    test('yields null, without throwing, when the build never ran', () => {
      fs.rmSync(installed, { force: true });
      const { loaded, status } = JSON.parse(run(probe(compiled), pkg, cleanEnv(), false));
      expect(loaded).toBe(false);
      expect(status).toMatch(/^not built: no build\/Release\/node_cffi\.node at the package root/);
    });

    test('yields null, without throwing, when the file is not a loadable addon', () => {
      fs.writeFileSync(installed, 'not a shared library');
      const { loaded, status } = JSON.parse(run(probe(compiled), pkg, cleanEnv(), false));
      expect(loaded).toBe(false);
      expect(status).toMatch(/^unusable: .*node_cffi\.node failed to load \(.+\); rebuild it$/);
    });

    describe('the views helper', () => {
      const views = path.join(ROOT, 'build', 'Release', 'node_cffi_views.node');
      const probeViews = (file: string) =>
        `const m = require(${JSON.stringify(file)}); ` +
        'process.stdout.write(JSON.stringify({ loaded: m.views() !== null, status: m.viewsStatus() }));';
      const installedViews = () => path.join(pkg, 'build', 'Release', 'node_cffi_views.node');

      test('is found at the package root, and loaded at its first use', () => {
        fs.copyFileSync(views, installedViews());
        expect(JSON.parse(run(probeViews(compiled), pkg, cleanEnv(), false))).toEqual({ loaded: true, status: `loaded from ${installedViews()}` });
      });

      test('yields null, without throwing, when it was not built or is not a loadable addon (built for another Node.js)', () => {
        fs.rmSync(installedViews(), { force: true });
        const missing = JSON.parse(run(probeViews(compiled), pkg, cleanEnv(), false));
        expect(missing.loaded).toBe(false);
        expect(missing.status).toMatch(/^not built: no build\/Release\/node_cffi_views\.node at the package root/);
        fs.writeFileSync(installedViews(), 'not a shared library');
        const broken = JSON.parse(run(probeViews(compiled), pkg, cleanEnv(), false));
        expect(broken.loaded).toBe(false);
        expect(broken.status).toMatch(/^unusable: .*node_cffi_views\.node failed to load \(.+\); rebuild it$/);
      });

      test('NODE_CFFI_NO_NATIVE=1 leaves it out too', () => {
        fs.copyFileSync(views, installedViews());
        expect(JSON.parse(run(probeViews(compiled), pkg, { ...cleanEnv(), NODE_CFFI_NO_NATIVE: '1' }, false))).toEqual({
          loaded: false,
          status: 'disabled by NODE_CFFI_NO_NATIVE=1',
        });
      });
    });
  });
});
