// Tests of the views helper (native/views.cc): views over C memory that read and write it in place, TypeErrors on bad arguments, and no garbage collection started by a window.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { native, views, viewsStatus, type NativeHelper, type ViewsHelper } from '../../lib/backend/native';

const ROOT = path.resolve(__dirname, '..', '..');
const ADDON = path.join(ROOT, 'build', 'Release', 'node_cffi_views.node');

test('the addon is built and loads', () => {
  expect(viewsStatus()).toBe(`loaded from ${ADDON}`);
  expect(views()).not.toBeNull();
});

describe('view', () => {
  const v = () => views() as ViewsHelper;

  test('reads and writes the memory at the address, in place', () => {
    const bytes = new Uint8Array(64);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 255;
    const at = (native as NativeHelper).address(bytes);
    const seen = new Uint8Array(v().view(at + 8, 16));
    expect(Array.from(seen)).toEqual(Array.from(bytes.subarray(8, 24)));
    seen[3] = 200;
    expect(bytes[11]).toBe(200);
    expect(v().view(at, 0).byteLength).toBe(0);
  });

  test('a 3 GiB window has its length', () => {
    expect(v().view(2 ** 31, 2 ** 31 + 2 ** 30).byteLength).toBe(2 ** 31 + 2 ** 30);
  });

  test.each([
    [[0, 1], 'view(): the address must be a positive integer below 2^53'],
    [[1.5, 1], 'view(): the address must be a positive integer below 2^53'],
    [[2 ** 53, 1], 'view(): the address must be a positive integer below 2^53'],
    [[NaN, 1], 'view(): the address must be a positive integer below 2^53'],
    [[4096, -1], 'view(): the length must be an integer from 0 to 4 GiB'],
    [[4096, 2 ** 32 + 1], 'view(): the length must be an integer from 0 to 4 GiB'],
    [[4096, 0.5], 'view(): the length must be an integer from 0 to 4 GiB'],
    [['4096', 1], 'view(address, length): expected two numbers'],
    [[4096], 'view(address, length): expected two numbers'],
  ] as [unknown[], string][])('view(%p) throws a TypeError', (args, message) => {
    let thrown: unknown;
    try {
      (v().view as (...a: unknown[]) => unknown)(...args);
    } catch (err) {
      thrown = err;
    }
    // Made in Node's main realm, not jest's: compared by name.
    expect({ name: (thrown as Error)?.name, message: (thrown as Error)?.message }).toEqual({ name: 'TypeError', message });
  });
});

describe('C memory read through windows', () => {
  /**
   * A program reading C memory in three regions (a global of a built library, memory from malloc,
   * and a JavaScript buffer through a cast pointer), each through a window onto its 2 GiB of
   * addresses, with V8 reporting its collections: what it printed, and its collections started
   * by external memory.
   */
  function run(env: NodeJS.ProcessEnv): { out: string; pressure: number } {
    const script = `
      const { FFI, backendStatus } = require(${JSON.stringify(path.join(ROOT, 'lib', 'index'))});
      const ffi = new FFI();
      ffi.cdef('extern int counter; char *strdup(const char *); void free(void *);');
      const C = ffi.verify('#include <string.h>\\n#include <stdlib.h>\\nint counter = 41;', { tmpdir: process.argv[1] });
      const s = C.strdup('window');
      const buf = ffi.new('int[2]', [7, 9]);
      const p = ffi.cast('int *', ffi.cast('uintptr_t', buf));
      const got = [C.counter + 1, s[0], p[1]];
      C.free(s);
      console.log('RESULT ' + JSON.stringify({ got, views: backendStatus().views.loaded }));
    `;
    const cache = path.join(require('os').tmpdir(), `node-cffi-views-test-${process.pid}`);
    const child = spawnSync(process.execPath, ['--trace-gc', '--require', require.resolve('tsx/cjs'), '-e', script, cache], { cwd: ROOT, env, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`child node failed (${child.status}): ${child.stderr}`);
    return { out: child.stdout, pressure: child.stdout.split('\n').filter((l) => l.includes('external memory pressure')).length };
  }

  const cleanEnv = () => {
    const env = { ...process.env };
    delete env.NODE_CFFI_NO_NATIVE;
    return env;
  };

  test('start no garbage collection through the views helper', () => {
    const { out, pressure } = run(cleanEnv());
    expect(out).toContain(`RESULT ${JSON.stringify({ got: [42, 'w'.charCodeAt(0), 9], views: true })}`);
    expect(pressure).toBe(0);
  });

  test('each start a full collection without it (through koffi.view)', () => {
    const { out, pressure } = run({ ...cleanEnv(), NODE_CFFI_NO_NATIVE: '1' });
    expect(out).toContain(`RESULT ${JSON.stringify({ got: [42, 'w'.charCodeAt(0), 9], views: false })}`);
    expect(pressure).toBeGreaterThanOrEqual(2);
  });
});

describe('views and other threads', () => {
  /** Runs `script` in a fresh node with tsx, and returns what it printed. */
  function run(script: string): string {
    const child = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd: ROOT, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`child node failed (${child.status}): ${child.stderr}`);
    return child.stdout;
  }

  test('a view in a transfer list is copied, not detached: the memory stays with its owner', () => {
    const out = run(`
      const { native, views } = require(${JSON.stringify(path.join(ROOT, 'lib', 'backend', 'native'))});
      const { MessageChannel } = require('worker_threads');
      const owner = new Uint8Array(16);
      const at = native.address(owner);
      const a = views().view(at, 16);
      const copy = structuredClone(a, { transfer: [a] });
      const b = views().view(at, 16);
      const { port1 } = new MessageChannel();
      port1.postMessage(b, [b]);
      port1.close();
      new Uint8Array(a)[0] = 7;
      new Uint8Array(b)[1] = 8;
      console.log(JSON.stringify([a.byteLength, b.byteLength, copy.byteLength, owner[0], owner[1], new Uint8Array(copy)[0]]));
    `);
    expect(JSON.parse(out)).toEqual([16, 16, 16, 7, 8, 0]);
  });
});
