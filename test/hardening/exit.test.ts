// Ending the process while C runs: process.exit() in callbacks (sync, .async, threads of C's own), with .async calls pending, on an uncaught exception.
import { spawnSync } from 'child_process';
import { LIB } from '../helpers/child';
import { sharedLibrary } from '../helpers/fixtures';

const CDEF = `
  int noisy_apply(int (*f)(int), int x);
  int wait_forever(void);
  int call_later(int (*f)(int), int x, int ms);
  int call_from_thread(int (*f)(int), int x);
  int start_later(int (*f)(int), int x, int ms);
`;

/** What the child prints before anything else, then in its 'exit' handler: the test looks for both. */
const BULK = 'o'.repeat(4000);

let library = '';
beforeAll(() => {
  library = sharedLibrary('exits.c');
});

interface Ended {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Still running after the bound below: it hung (and was killed). */
  readonly hung: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `body` in a child with the fixture library as `C` and `ffi`, an 'exit' handler that prints
 * `exit handler <status>`, and BULK written to stdout first. The bound is a failure bound for a
 * hang (the child is killed), not a measure of speed: every case here ends in about a second.
 */
function ending(body: string): Ended {
  const script = `
    const { FFI } = require(${JSON.stringify(LIB)});
    const ffi = new FFI();
    ffi.cdef(${JSON.stringify(CDEF)});
    const C = ffi.dlopen(${JSON.stringify(library)});
    process.on('exit', (status) => require('fs').writeSync(1, 'exit handler ' + status + '\\n'));
    process.stdout.write(${JSON.stringify(BULK)} + '\\n');
    ${body}
  `;
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script], {
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  const hung = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (r.error && !hung) throw r.error;
  return { status: r.status, signal: r.signal, hung, stdout: r.stdout, stderr: r.stderr };
}

/** The child ended by itself with `status`, its 'exit' handler run and its first output whole. */
function expectEnded(r: Ended, status: number): void {
  expect({ hung: r.hung, signal: r.signal, status: r.status, stderr: r.hung ? r.stderr : '(not shown)' }).toEqual({
    hung: false, signal: null, status, stderr: '(not shown)',
  });
  expect(r.stdout.startsWith(`${BULK}\n`)).toBe(true);
  expect(r.stdout).toContain(`exit handler ${status}\n`);
}

describe('process.exit() inside a callback', () => {
  test('during an .async call: the process ends with its status, C\'s output before it flushed, its own after it never written', () => {
    const r = ending(`
      const cb = ffi.callback('int(int)', (x) => { console.log('in the callback', x); process.exit(7); });
      C.noisy_apply.async(cb, 3).then((v) => console.log('settled', v));
    `);
    expectEnded(r, 7);
    expect(r.stdout).toContain('C before the callback\n');
    expect(r.stdout).toContain('in the callback 3\n');
    expect(r.stdout).not.toContain('C after the callback');
    expect(r.stdout).not.toContain('settled');
  });

  test('during a synchronous call: the same', () => {
    const r = ending(`
      const cb = ffi.callback('int(int)', (x) => { console.log('in the callback', x); process.exit(7); });
      console.log('returned', C.noisy_apply(cb, 3));
    `);
    expectEnded(r, 7);
    expect(r.stdout).toContain('C before the callback\n');
    expect(r.stdout).toContain('in the callback 3\n');
    expect(r.stdout).not.toContain('returned');
  });

  test('in the onerror handler of a callback that threw during an .async call', () => {
    const r = ending(`
      const cb = ffi.callback('int(int)', () => { throw new Error('thrown in C\\'s callback'); }, { onerror: () => process.exit(5) });
      C.noisy_apply.async(cb, 3);
    `);
    expectEnded(r, 5);
  });

  test('called by a thread of C\'s own during an .async call that waits for that thread', () => {
    const r = ending(`
      const cb = ffi.callback('int(int)', (x) => { console.log('in the callback', x); process.exit(7); });
      C.call_from_thread.async(cb, 3);
    `);
    expectEnded(r, 7);
    expect(r.stdout).toContain('in the callback 3\n');
  });

  test('called by a detached thread of C\'s own while the event loop is idle', () => {
    const r = ending(`
      globalThis.cb = ffi.callback('int(int)', (x) => { console.log('in the callback', x); process.exit(7); });
      C.start_later(globalThis.cb, 3, 10);
      setTimeout(() => {}, 600_000);
    `);
    expectEnded(r, 7);
    expect(r.stdout).toContain('in the callback 3\n');
  });
});

test('an exception thrown in a callback during an .async call: reported, C gets the error value, the program goes on', () => {
  const r = ending(`
    const cb = ffi.callback('int(int)', () => { throw new Error('thrown in the callback'); }, { error: -1 });
    C.noisy_apply.async(cb, 3).then((v) => { console.log('settled', v); process.exitCode = 3; });
  `);
  expectEnded(r, 3);
  expect(r.stdout).toContain('settled -1\n');
  expect(r.stdout).toContain('C after the callback\n');
  expect(r.stderr).toMatch(/CallbackError: an exception in ffi\.callback\('int\(int\)'\) was not handled .*thrown in the callback/);
});

describe('the process ends while .async calls are still in C', () => {
  test('process.exit() while a call never returns', () => {
    const r = ending(`
      C.wait_forever.async().then(() => console.log('returned'));
      setTimeout(() => process.exit(6), 20);
    `);
    expectEnded(r, 6);
    expect(r.stdout).not.toContain('returned');
  });

  test('process.exit() while a call will call back later, when the process is ending', () => {
    const r = ending(`
      globalThis.cb = ffi.callback('int(int)', (x) => { console.log('in the callback', x); return x; });
      C.call_later.async(globalThis.cb, 3, 200);
      setTimeout(() => process.exit(6), 20);
    `);
    expectEnded(r, 6);
    expect(r.stdout).not.toContain('in the callback');
  });

  test('an exception nobody handles while a call never returns: Node reports it, the process ends with status 1', () => {
    const r = ending(`
      C.wait_forever.async();
      setTimeout(() => { throw new Error('nobody catches this'); }, 20);
    `);
    expectEnded(r, 1);
    expect(r.stderr).toContain('Error: nobody catches this');
  });

  test('a promise rejection nobody handles, with process.exitCode changed by an exit handler: the status Node would end with', () => {
    const r = ending(`
      process.on('exit', () => { process.exitCode = 4; });
      C.wait_forever.async();
      setTimeout(() => Promise.reject(new Error('nobody handles this rejection')), 20);
    `);
    expect({ hung: r.hung, signal: r.signal, status: r.status }).toEqual({ hung: false, signal: null, status: 4 });
    expect(r.stdout).toContain('exit handler 1\n'); // the status the 'exit' handlers were given
    expect(r.stderr).toContain('Error: nobody handles this rejection');
  });
});

test('process.exit() on the main thread while a detached thread of C\'s own waits for its callback to run', () => {
  const r = ending(`
    globalThis.cb = ffi.callback('int(int)', (x) => { console.log('in the callback', x); return x; });
    C.start_later(globalThis.cb, 3, 0);
    const until = Date.now() + 100;
    while (Date.now() < until); // the thread calls back meanwhile: its call waits for the event loop
    process.exit(7);
  `);
  expectEnded(r, 7);
  expect(r.stdout).not.toContain('in the callback');
});

test('process.exit() inside a callback of an .async call in a worker thread ends the worker, and the process goes on', () => {
  const worker = `
    require(${JSON.stringify(require.resolve('tsx/cjs'))});
    const { FFI } = require(${JSON.stringify(LIB)});
    const ffi = new FFI();
    ffi.cdef(${JSON.stringify(CDEF)});
    const C = ffi.dlopen(${JSON.stringify(library)});
    C.noisy_apply.async(ffi.callback('int(int)', () => process.exit(5)), 3);
  `;
  const r = ending(`
    const { Worker } = require('worker_threads');
    const w = new Worker(${JSON.stringify(worker)}, { eval: true });
    w.on('exit', (code) => { console.log('worker ended', code); process.exitCode = 2; });
  `);
  expectEnded(r, 2);
  expect(r.stdout).toContain('worker ended 5\n');
});

describe("the process ends while a worker thread's .async call is still in C", () => {
  /** The main thread's body: a worker that starts a call that never returns and says so, after which the main thread runs `then`. */
  const withWorkerInC = (then: string) => {
    const worker = `
      require(${JSON.stringify(require.resolve('tsx/cjs'))});
      const { FFI } = require(${JSON.stringify(LIB)});
      const ffi = new FFI();
      ffi.cdef(${JSON.stringify(CDEF)});
      const C = ffi.dlopen(${JSON.stringify(library)});
      C.wait_forever.async().then(() => console.log('returned'));
      require('worker_threads').parentPort.postMessage('in C');
    `;
    return `
      const { Worker } = require('worker_threads');
      new Worker(${JSON.stringify(worker)}, { eval: true }).on('message', (m) => { console.log('worker:', m); ${then} });
    `;
  };

  test('process.exit() on the main thread ends the process with its status', () => {
    const r = ending(withWorkerInC('process.exit(6);'));
    expectEnded(r, 6);
    expect(r.stdout).toContain('worker: in C\n');
    expect(r.stdout).not.toContain('returned');
  });

  test('an exception nobody handles on the main thread: Node reports it, the process ends with status 1', () => {
    const r = ending(withWorkerInC("throw new Error('nobody catches this');"));
    expectEnded(r, 1);
    expect(r.stderr).toContain('Error: nobody catches this');
  });
});
