// Benchmark of the native helper's candidates against their koffi/JavaScript equivalents: ns per call and ratio.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as koffi from 'koffi';
import { native, nativeStatus, type NativeHelper } from '../lib/backend/native';
import { Loop, ROUNDS, keep, printTable, timeAll } from './timing';

/** The ratio a candidate must reach in the cases that matter to stay in the addon. */
const BAR = 1.3;

/** The helpers of native/candidates.c: measured against koffi and left out of the addon (LEFT_OUT says why). */
interface Candidates {
  view(address: number, length: number): ArrayBuffer;
  memmove(dst: number, src: number, n: number): void;
  load_i32(address: number): number;
  store_i32(address: number, value: number): void;
  noop(): void;
}

interface Case {
  helper: string;
  what: string;
  native: Loop;
  baselines: Record<string, Loop>;
}

/** Times every case and prints one table row per (case, baseline), under `title`. */
function report(title: string, cases: Case[]): void {
  const rows: string[][] = [['helper', 'case', 'native ns', 'koffi/JS way', 'its ns', 'ratio']];
  for (const c of cases) {
    const names = Object.keys(c.baselines);
    const [own, ...theirs] = timeAll([c.native, ...names.map((name) => c.baselines[name])]);
    names.forEach((name, i) => {
      const ratio = theirs[i] / own;
      const mark = ratio >= BAR ? '' : ' <bar';
      rows.push([c.helper, c.what, own.toFixed(1), name, theirs[i].toFixed(1), `${ratio.toFixed(2)}x${mark}`]);
    });
  }
  printTable(title, rows, [2, 4, 5]);
}

/** Why each helper of native/candidates.c stays out of the addon; the rows above it carry the evidence. */
const LEFT_OUT: Record<keyof Omit<Candidates, 'noop'>, string> = {
  view: 'no faster than koffi.view: both pay for V8 creating an external backing store',
  memmove: 'a koffi-bound libc memmove declared with uintptr_t arguments is as fast, and views at hand are faster still',
  load_i32: 'beats koffi.decode.int32 by a margin that varies from run to run; the cdata layer reads through its DataViews',
  store_i32: 'beats koffi.encode, but the cdata layer writes through its DataViews, with no call at all',
};

/** Compiles native/candidates.c into a throw-away addon, the way the addon itself is built (cc -O3 against node_api.h). */
function loadCandidates(): Candidates | string {
  const headers = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')]
    .filter((dir): dir is string => !!dir)
    .map((dir) => path.join(dir, 'include', 'node'))
    .find((dir) => fs.existsSync(path.join(dir, 'node_api.h')));
  if (headers === undefined) return 'node_api.h not found next to node nor under npm_config_nodedir';
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-bench-')), 'candidates.node');
  const source = path.join(__dirname, '..', 'native', 'candidates.c');
  const cc = spawnSync(process.env.CC || 'cc', ['-std=c11', '-O3', '-shared', '-fPIC', `-I${headers}`, source, '-o', out], {
    encoding: 'utf8',
  });
  if (cc.status !== 0) return `cc failed: ${cc.error?.message ?? cc.stderr}`;
  const mod = { exports: {} };
  process.dlopen(mod, out);
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return mod.exports as Candidates;
}

/** Buffer's undocumented utf8Slice: toString('utf8', start, end) without the argument checks, the fastest decode. */
type Utf8Sliceable = Buffer & { utf8Slice(start: number, end: number): string };

/** Writes `text` NUL-terminated at the start of `bytes`. */
function put(bytes: Uint8Array, text: string): void {
  const { written } = new TextEncoder().encodeInto(text, bytes);
  bytes[written] = 0;
}

/** `length` bytes of text: ASCII, or two-byte UTF-8 characters after one ASCII letter when the length is odd. */
function sample(length: number, ascii: boolean): string {
  return ascii ? 'a'.repeat(length) : 'h'.repeat(length % 2) + 'é'.repeat(length >> 1);
}

function cstringCases(n: NativeHelper, memory: ArrayBuffer): Case[] {
  const bytes = new Uint8Array(memory);
  const buf = Buffer.from(memory) as Utf8Sliceable;
  const ptr = koffi.address(memory);
  const addr = Number(ptr);
  const cases: Case[] = [];
  for (const length of [5, 100, 10_000]) {
    for (const ascii of [true, false]) {
      const text = sample(length, ascii);
      const prepare = () => put(bytes, text);
      const wrap = (loop: Loop): Loop => (k) => {
        prepare();
        loop(k);
      };
      const kind = ascii ? 'ASCII' : 'UTF-8';
      cases.push({
        helper: 'cstring',
        what: `${length} B ${kind}, maxlen -1`,
        native: wrap((k) => { for (let i = 0; i < k; i++) keep(n.cstring(addr, -1)); }),
        baselines: {
          'koffi.decode.string(BigInt(addr))': wrap((k) => {
            for (let i = 0; i < k; i++) keep(koffi.decode.string(BigInt(addr)));
          }),
          'koffi.decode.string(ptr), bigint at hand': wrap((k) => {
            for (let i = 0; i < k; i++) keep(koffi.decode.string(ptr));
          }),
        },
      });
      const maxlen = length + 16;
      cases.push({
        helper: 'cstring',
        what: `${length} B ${kind}, maxlen ${maxlen}`,
        native: wrap((k) => { for (let i = 0; i < k; i++) keep(n.cstring(addr, maxlen)); }),
        baselines: {
          "koffi.decode(ptr, 'char', maxlen)": wrap((k) => {
            for (let i = 0; i < k; i++) keep(koffi.decode(BigInt(addr), 'char', maxlen));
          }),
          'view at hand: indexOf(0) + utf8Slice': wrap((k) => {
            for (let i = 0; i < k; i++) {
              const end = buf.indexOf(0);
              keep(buf.utf8Slice(0, end < 0 || end > maxlen ? maxlen : end));
            }
          }),
          'koffi.view + indexOf(0) + utf8Slice': wrap((k) => {
            for (let i = 0; i < k; i++) {
              const b = Buffer.from(koffi.view(BigInt(addr), maxlen)) as Utf8Sliceable;
              const end = b.indexOf(0);
              keep(b.utf8Slice(0, end < 0 ? maxlen : end));
            }
          }),
        },
      });
    }
  }
  return cases;
}

function addressCases(n: NativeHelper, memory: ArrayBuffer): Case[] {
  const subjects: [string, ArrayBuffer | ArrayBufferView][] = [
    ['ArrayBuffer', memory],
    ['Uint8Array at offset 8', new Uint8Array(memory, 8, 64)],
    ['DataView at offset 8', new DataView(memory, 8, 64)],
  ];
  const cases: Case[] = subjects.map(([what, subject]) => ({
    helper: 'address',
    what,
    native: (k) => { for (let i = 0; i < k; i++) keep(n.address(subject)); },
    baselines: {
      'Number(koffi.address(buf))': (k) => { for (let i = 0; i < k; i++) keep(Number(koffi.address(subject))); },
      'koffi.address(buf) (bigint)': (k) => { for (let i = 0; i < k; i++) keep(koffi.address(subject)); },
    },
  }));
  cases.push({
    helper: 'address',
    what: 'ArrayBuffer, wanted as bigint',
    native: (k) => { for (let i = 0; i < k; i++) keep(BigInt(n.address(memory))); },
    baselines: { 'koffi.address(buf)': (k) => { for (let i = 0; i < k; i++) keep(koffi.address(memory)); } },
  });
  return cases;
}

function rejectedCases(c: Candidates, memory: ArrayBuffer): Case[] {
  const ptr = koffi.address(memory);
  const addr = Number(ptr);
  const half = memory.byteLength / 2;
  const libc = koffi.load('libc.so.6');
  const memmovePtr = libc.func('void *memmove(void *dst, const void *src, size_t n)');
  const memmoveInt = libc.func('void memmove(uintptr_t dst, uintptr_t src, size_t n)');
  const cases: Case[] = [
    {
      helper: 'view',
      what: '64 B over raw memory',
      native: (k) => { for (let i = 0; i < k; i++) keep(c.view(addr, 64)); },
      baselines: { 'koffi.view(BigInt(addr), 64)': (k) => { for (let i = 0; i < k; i++) keep(koffi.view(BigInt(addr), 64)); } },
    },
  ];
  for (const length of [5, 100, 10_000]) {
    const dst = addr + half;
    const to = new Uint8Array(memory, half, length);
    const from = new Uint8Array(memory, 0, length);
    cases.push({
      helper: 'memmove',
      what: `${length} B between raw addresses`,
      native: (k) => { for (let i = 0; i < k; i++) c.memmove(dst, addr, length); },
      baselines: {
        'koffi libc memmove(void *, ...)': (k) => { for (let i = 0; i < k; i++) memmovePtr(BigInt(dst), BigInt(addr), length); },
        'koffi libc memmove(uintptr_t, ...)': (k) => { for (let i = 0; i < k; i++) memmoveInt(dst, addr, length); },
        'views at hand: to.set(from)': (k) => { for (let i = 0; i < k; i++) to.set(from); },
        'koffi.view x2 + set': (k) => {
          for (let i = 0; i < k; i++)
            new Uint8Array(koffi.view(BigInt(dst), length)).set(new Uint8Array(koffi.view(BigInt(addr), length)));
        },
      },
    });
  }
  const dv = new DataView(memory);
  cases.push({
    helper: 'load_i32',
    what: 'int32 at a raw address',
    native: (k) => { for (let i = 0; i < k; i++) keep(c.load_i32(addr)); },
    baselines: {
      'koffi.decode.int32(BigInt(addr))': (k) => { for (let i = 0; i < k; i++) keep(koffi.decode.int32(BigInt(addr))); },
      'koffi.decode.int32(ptr), bigint at hand': (k) => { for (let i = 0; i < k; i++) keep(koffi.decode.int32(ptr)); },
      'view at hand: DataView.getInt32': (k) => { for (let i = 0; i < k; i++) keep(dv.getInt32(0, true)); },
    },
  }, {
    helper: 'store_i32',
    what: 'int32 at a raw address',
    native: (k) => { for (let i = 0; i < k; i++) c.store_i32(addr, i); },
    baselines: {
      "koffi.encode(BigInt(addr), 'int32_t', v)": (k) => {
        for (let i = 0; i < k; i++) koffi.encode(BigInt(addr), 'int32_t', i);
      },
      "koffi.encode(ptr, 'int32_t', v), bigint at hand": (k) => { for (let i = 0; i < k; i++) koffi.encode(ptr, 'int32_t', i); },
      'view at hand: DataView.setInt32': (k) => { for (let i = 0; i < k; i++) dv.setInt32(0, i, true); },
    },
  });
  return cases;
}

function errnoCases(n: NativeHelper): Case[] {
  return [{
    helper: 'errno',
    what: 'read',
    native: (k) => { for (let i = 0; i < k; i++) keep(n.errno()); },
    baselines: { 'koffi.errno()': (k) => { for (let i = 0; i < k; i++) keep(koffi.errno()); } },
  }];
}

function main(): void {
  if (native === null) {
    console.error(`bench/native: the addon is not loaded (${nativeStatus}); build it with npm run install`);
    process.exit(1);
  }
  const memory = new ArrayBuffer(1 << 16);
  console.log(`node ${process.version}, koffi ${koffi.version}, ${os.cpus().length} cores; ` +
    `median of ${ROUNDS} rounds; ratio = koffi/JS ns / native ns (the bar to stay in the addon: ${BAR}x)`);
  const kept = [...cstringCases(native, memory), ...addressCases(native, memory), ...errnoCases(native)];
  report('In the addon (native/node_cffi.c):', kept);
  const candidates = loadCandidates();
  if (typeof candidates === 'string') {
    console.log(`\nthe candidates left out were not measured: ${candidates}`);
    return;
  }
  report('Left out of the addon (native/candidates.c, compiled here for the comparison):', rejectedCases(candidates, memory));
  for (const [helper, why] of Object.entries(LEFT_OUT)) console.log(`  ${helper}: ${why}`);
  const [floor] = timeAll([(k) => { for (let i = 0; i < k; i++) keep(candidates.noop()); }]);
  console.log(`\nfloor: a call to an addon function that does nothing costs ${floor.toFixed(1)} ns`);
}

main();
