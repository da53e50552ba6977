// extern "Python" functions: C in the source calls them by name, ffi.defExtern() gives their bodies; values of every kind, errors, reports, threads, lifetimes, modules.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CData, FFI, FFIError, Lib, VerificationError } from '../../lib';
import { ending, runChild } from '../helpers/child';
import { expectThrow } from '../helpers/throws';
import { CC, ccFamily } from '../helpers/compiler';

const CDEF = `
struct pt { int x; int y; };
extern "Python" int add(int a, int b);
extern "JS" {
  struct pt flip(struct pt p);
  long double scale(long double v, int k);
  void note(const char *what);
}
extern "Python+C" double halve(double);
int call_add(int, int);
struct pt call_flip(int x, int y);
long double call_scale(long double v, int k);
void call_note(void);
double call_halve_elsewhere(double);
`;

const SOURCE = `
struct pt { int x; int y; };
static int add(int a, int b);
static struct pt flip(struct pt p);
static long double scale(long double v, int k);
static void note(const char *what);
double call_halve_elsewhere(double);
int call_add(int a, int b) { return add(a, b); }
struct pt call_flip(int x, int y) { struct pt p = { x, y }; return flip(p); }
long double call_scale(long double v, int k) { return scale(v, k) + 1; }
void call_note(void) { note("from C"); }
`;

/** Another C file of the same library: it calls the "Python+C" function, as any C may. */
const OTHER = `
double halve(double);
double call_halve_elsewhere(double d);
double call_halve_elsewhere(double d) { return halve(d) * 10; }
`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-extern-'));
  fs.writeFileSync(path.join(dir, 'other.c'), OTHER);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * A library of CDEF and SOURCE of its own: the same cdef and source give the same library file,
 * loaded once per process with one copy of its C (see the test of that below), so each test
 * makes its source differ by `tag`.
 */
function build(tag: string): { ffi: FFI; lib: Lib } {
  const ffi = new FFI();
  ffi.cdef(CDEF);
  const lib = ffi.verify(`${SOURCE}/* ${tag} */\n`, { filename: 'externs.c', sources: [path.join(dir, 'other.c')] });
  return { ffi, lib };
}

/**
 * The warnings emitted while `fn` runs, as 'Type: message' (jest's sandbox does not deliver
 * 'warning' events to the test's listeners: the process.emitWarning calls are recorded).
 */
async function warningsDuring(fn: () => unknown): Promise<{ value: unknown; warnings: string[] }> {
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const value = fn();
    await new Promise((r) => setImmediate(r));
    const warnings = spy.mock.calls.map(([w, type]) => `${typeof type === 'string' ? type : 'Warning'}: ${String(w)}`);
    return { value, warnings };
  } finally {
    spy.mockRestore();
  }
}

describe('C calls the JavaScript function attached to an extern "Python" function', () => {
  test('scalars: C in the source calls add() by name, JavaScript through lib.add, a function pointer to it', () => {
    const { ffi, lib } = build('t1');
    const seen: number[][] = [];
    expect(ffi.defExtern(function add(a: number, b: number) {
      seen.push([a, b]);
      return a * 100 + b;
    })).toBeInstanceOf(Function);
    expect(lib.call_add(3, 4)).toBe(304);
    expect(lib.add(5, 6)).toBe(506);
    expect(seen).toEqual([[3, 4], [5, 6]]);
    expect(ffi.typeof(lib.add)).toBe(ffi.typeof('int(*)(int, int)'));
    expect(String(lib.add)).toMatch(/^<cdata 'int\(\*\)\(int, int\)' 0x[0-9a-f]+>$/);
    expect(ffi.addressof(lib, 'add')).toBe(lib.add);
  });

  test('structs and long doubles cross by value both ways (the generated C passes them by pointer)', () => {
    const { ffi, lib } = build('t2');
    ffi.defExtern('flip', (p: CData) => ({ x: p.y, y: -p.x }));
    ffi.defExtern('scale', (v: number, k: number) => v * k);
    const f = lib.call_flip(2, 9);
    expect([f.x, f.y]).toEqual([9, -2]);
    const g = lib.flip({ x: 1, y: 5 });
    expect([g.x, g.y]).toEqual([5, -1]);
    expect(lib.call_scale(1.25, 4)).toBe(6);
    expect(lib.scale(0.5, 3)).toBe(1.5);
  });

  test('a struct argument is a copy the function may keep; C\'s own is gone once the call returns', () => {
    const { ffi, lib } = build('t3');
    let kept: CData | null = null;
    ffi.defExtern('flip', (p: CData) => {
      kept = p;
      return p;
    });
    lib.call_flip(7, 8);
    lib.call_flip(1, 1); // reuses the C stack the first call's argument was on
    expect([kept!.x, kept!.y]).toEqual([1, 1]);
    const first = kept!;
    lib.call_flip(3, 3);
    expect([first.x, first.y]).toEqual([1, 1]);
    expect(String(first)).toMatch(/owning 8 bytes/);
  });

  test('"Python+C" makes the C function visible to the other C files of the library', () => {
    const { ffi, lib } = build('t4');
    ffi.defExtern(function halve(d: number) {
      return d / 2;
    });
    expect(lib.call_halve_elsewhere(3)).toBe(15);
    expect(lib.halve(8)).toBe(4);
  });

  test('void functions: what the function returns is ignored, and pointers arrive as cdata', () => {
    const { ffi, lib } = build('t5');
    const notes: string[] = [];
    ffi.defExtern('note', (what: CData) => notes.push(ffi.string(what)));
    expect(lib.call_note()).toBeUndefined();
    expect(notes).toEqual(['from C']);
  });

  test('before any function is attached, C gets 0 and each call is reported, naming the function', async () => {
    const { lib } = build('t6');
    const r = await warningsDuring(() => [lib.call_add(1, 2), lib.add(3, 4), lib.call_flip(5, 6).x, lib.call_scale(2, 2)]);
    expect(r.value).toEqual([0, 0, 0, 1]);
    const told = (name: string, lang: string, result = '; returning 0') =>
      `CallbackError: extern "${lang}" function ${name}() called, but no code was attached to it yet with ffi.defExtern()${result}`;
    expect(r.warnings).toEqual([told('add', 'Python'), told('add', 'Python'), told('flip', 'JS'), told('scale', 'JS')]);
    const v = await warningsDuring(() => lib.call_note());
    expect(v.warnings).toEqual([told('note', 'JS', '')]);
  });

  test('the error value and onerror, as for ffi.callback', async () => {
    const { ffi, lib } = build('t7');
    const errors: unknown[] = [];
    ffi.defExtern('add', () => {
      throw new RangeError('no');
    }, { error: -7, onerror: (e: unknown) => void errors.push(e) });
    expect(lib.call_add(1, 1)).toBe(-7);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('no');
    ffi.defExtern('add', () => {
      throw new Error('again');
    }, { onerror: () => 99 });
    expect(lib.call_add(1, 1)).toBe(99);
    // A struct result: the error value given, else zeros; a result the type cannot hold is an error too.
    ffi.defExtern('flip', () => 'not a struct', { error: { x: -1, y: -2 } });
    const r = await warningsDuring(() => lib.call_flip(1, 2));
    expect([(r.value as CData).x, (r.value as CData).y]).toEqual([-1, -2]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^CallbackError: an exception in extern "JS" function flip\(\) was not handled \(pass onerror to handle it\): TypeError: extern "JS" function flip\(\): the result/);
    ffi.defExtern('scale', () => {
      throw new Error('x');
    }, { error: 2.5, onerror: () => undefined });
    expect(lib.call_scale(1, 1)).toBe(3.5);
  });

  test('attaching again replaces the function; libraries made before and after defExtern() call it', () => {
    const ffi = new FFI();
    ffi.cdef(CDEF);
    ffi.defExtern('add', (a: number, b: number) => a + b);
    const early = ffi.verify(`${SOURCE}/* early */`, { filename: 'externs.c', sources: [path.join(dir, 'other.c')] });
    expect(early.call_add(2, 3)).toBe(5);
    ffi.defExtern('add', (a: number, b: number) => a - b);
    const late = ffi.verify(`${SOURCE}/* late */`, { filename: 'externs.c', sources: [path.join(dir, 'other.c')] });
    expect([early.call_add(2, 3), late.call_add(2, 3)]).toEqual([-1, -1]);
    // Another FFI's libraries are its own.
    const other = build('other FFI');
    other.ffi.defExtern('add', (a: number, b: number) => a * b);
    expect([early.call_add(2, 3), other.lib.call_add(2, 3)]).toEqual([-1, 6]);
  });

  test('two FFIs verifying the same cdef and source share one library, and so its C function: the last defExtern() is the one C calls', () => {
    const a = build('shared');
    const b = build('shared');
    a.ffi.defExtern('add', (x: number, y: number) => x + y);
    expect([a.lib.call_add(2, 3), b.lib.call_add(2, 3)]).toEqual([5, 5]);
    b.ffi.defExtern('add', (x: number, y: number) => x * y);
    expect([a.lib.call_add(2, 3), b.lib.call_add(2, 3)]).toEqual([6, 6]);
  });

  test('a closed library is left alone; calling it is refused', () => {
    const { ffi, lib } = build('t9');
    ffi.defExtern('add', (a: number, b: number) => a + b);
    const add = lib.add;
    ffi.dlclose(lib);
    ffi.defExtern('add', (a: number, b: number) => a * b);
    expectThrow(() => add(1, 2), FFIError, 'add(): the verify() library for externs.c was closed with ffi.dlclose()');
  });
});

describe('what ffi.defExtern() refuses', () => {
  const ffi = new FFI();
  ffi.cdef('extern "Python" int cb(int); int plain(int); extern int glob;');

  test('names that are no extern "Python" function', () => {
    expectThrow(() => ffi.defExtern('nothing', () => 0), FFIError, `ffi.defExtern('nothing'): no 'extern "Python"' function with this name`);
    expectThrow(() => ffi.defExtern('plain', () => 0), FFIError, `ffi.defExtern('plain'): no 'extern "Python"' function with this name`);
    expectThrow(() => ffi.defExtern(function glob() {}), FFIError, `ffi.defExtern('glob'): no 'extern "Python"' function`);
  });

  test('arguments of the wrong kind', () => {
    expectThrow(() => (ffi.defExtern as (...a: unknown[]) => unknown)('cb'), TypeError, "ffi.defExtern('cb'): expected the JavaScript function to attach, got undefined");
    expectThrow(() => (ffi.defExtern as (...a: unknown[]) => unknown)(42, () => 0), TypeError, 'ffi.defExtern(): expected a function, or the name');
    expectThrow(() => ffi.defExtern('cb', () => 0, { onerror: 42 } as never), TypeError, "extern \"Python\" function cb(): options.onerror must be a function, got 42");
    expectThrow(() => ffi.defExtern('cb', () => 0, { error: 'x' }), TypeError, 'expected an integer');
    expectThrow(() => (ffi.defExtern as (...a: unknown[]) => unknown)('cb', () => 0, {}, 4), TypeError, 'got 4 arguments');
    expectThrow(() => ffi.defExtern(() => 0), TypeError, "ffi.defExtern(): the function has no name to find its extern \"Python\" declaration by; pass the name first: ffi.defExtern('name', fn)");
  });

  test('a variadic extern function, which C\'s ... cannot reach JavaScript through, and one a library from dlopen() has not', () => {
    const v = new FFI();
    v.cdef('extern "Python" int logf(const char *, ...);');
    expectThrow(() => v.verify(''), FFIError, `extern "Python" function logf(): a variadic function cannot be extern "Python"`);
    const lib = ffi.dlopen(null);
    expectThrow(() => lib.cb, FFIError, `the C library: 'cb' is declared extern "Python", a C function that the code verify() generates defines; a library from dlopen() has none`);
  });

  // tcc accepts a static definition after a declaration that is not static.
  const strictC = ccFamily() === 'gcc' || ccFamily() === 'clang' ? test : test.skip;
  strictC(`a source that declares the function otherwise than the cdef is told at the cdef declaration${strictC === test ? '' : ` (skipped: ${CC} accepts it)`}`, () => {
    const f = new FFI();
    f.cdef('extern "Python" int cb(int);');
    expectThrow(() => f.verify('int cb(int);'), VerificationError,
      `extern "Python" function cb(): source.c:1 declares it differently from the cdef; declare it there as 'static int cb(int);'; or declare it extern "Python+C"`);
    expectThrow(() => f.verify('static int cb(int x) { return x; }'), VerificationError,
      `extern "Python" function cb(): source.c:1 defines it, but the glue defines it (its body is the JavaScript function given to ffi.defExtern()); declare it there as 'static int cb(int);' instead`);
  });
});

describe('threads, lifetimes, modules', () => {
  /** Runs `body` in a child (with `ffi` and a library `lib` of THREADS) that a watchdog ends after 60 s; returns what it told. */
  function inChild(body: string, flags: string[] = []): { told: unknown; warnings: string[]; ended: string; stderr: string } {
    const THREADS_CDEF = `
      struct pt { int x; int y; };
      extern "Python" int twice(int);
      extern "Python" struct pt swap(struct pt);
      int twice_in_thread(int x);
      int swap_in_thread(int x);
    `;
    const THREADS = `
      #include <pthread.h>
      struct pt { int x; int y; };
      static int twice(int);
      static struct pt swap(struct pt);
      struct job { int x; int result; };
      static void *run_twice(void *arg) { struct job *j = arg; j->result = twice(j->x); return 0; }
      static void *run_swap(void *arg) { struct job *j = arg; struct pt p = { j->x, 1 }; p = swap(p); j->result = p.x * 1000 + p.y; return 0; }
      static int in_thread(void *(*run)(void *), int x) {
        struct job j = { x, -12345 };
        pthread_t t;
        if (pthread_create(&t, 0, run, &j) != 0) return -1;
        pthread_join(t, 0);
        return j.result;
      }
      int twice_in_thread(int x) { return in_thread(run_twice, x); }
      int swap_in_thread(int x) { return in_thread(run_swap, x); }
    `;
    const child = spawnSync(process.execPath, [...flags, '-r', require.resolve('tsx/cjs'), '-e', `
      const { Worker } = require('worker_threads');
      new Worker("setTimeout(() => { require('fs').writeSync(2, 'watchdog: still running after 60 s\\\\n'); process.kill(process.pid, 'SIGKILL'); }, 60000)", { eval: true }).unref();
      const warnings = [];
      process.on('warning', (w) => warnings.push(w.name + ': ' + w.message));
      const { FFI } = require(${JSON.stringify(path.resolve(__dirname, '..', '..', 'lib'))});
      const { callbackSlotsInUse } = require(${JSON.stringify(require.resolve('../../lib/backend/calls'))});
      const ffi = new FFI();
      ffi.cdef(${JSON.stringify(THREADS_CDEF)});
      let lib = ffi.verify(${JSON.stringify(THREADS)}, { libraries: ['pthread'] });
      const tell = (x) => setImmediate(() => console.log(JSON.stringify({ told: x, warnings })));
      ${body}
    `], { encoding: 'utf8', timeout: 120_000 });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    const parsed = line.startsWith('{') ? (JSON.parse(line) as { told: unknown; warnings: string[] }) : { told: null, warnings: [] };
    return { ...parsed, ended: ending({ status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr }), stderr: child.stderr };
  }

  test('called by a thread of C\'s own inside a synchronous call: the error value and a warning, as ffi.callback; through .async it runs', () => {
    const r = inChild(`
      ffi.defExtern('twice', (x) => 2 * x, { error: -1 });
      ffi.defExtern('swap', (p) => ({ x: p.y, y: p.x }), { error: { x: -3, y: -4 } });
      const sync = [lib.twice_in_thread(5), lib.swap_in_thread(7)];
      Promise.all([lib.twice_in_thread.async(5), lib.swap_in_thread.async(7)]).then((viaAsync) => tell([...sync, ...viaAsync]));
    `);
    expect(r.stderr).not.toMatch(/watchdog/);
    expect(r.ended).toBe('exit 0');
    // A struct result too: its error value is the C function's own, which ffi.defExtern() stored.
    expect(r.told).toEqual([-1, -3 * 1000 - 4, 10, 1 * 1000 + 7]);
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toMatch(/^CallbackError: extern "Python" function twice\(\) was called once by a thread of C's own while the JavaScript thread was inside the synchronous call twice_in_thread\(\)/);
    expect(r.warnings[1]).toMatch(/^CallbackError: extern "Python" function swap\(\) was called once by a thread of C's own .* swap_in_thread\(\)/);
  });

  test('a replaced function keeps its slot until it is collected; a library\'s functions are freed once the library and the FFI are gone', () => {
    const r = inChild(`
      const settle = async () => { for (let i = 0; i < 3; i++) { global.gc(); await new Promise((r) => setTimeout(r, 20)); } };
      (async () => {
        lib.twice(1); // unattached: the report of such calls takes its slot now, once per process
        await settle();
        const before = callbackSlotsInUse();
        const counts = await (async () => {
          const f = new FFI();
          f.cdef(${JSON.stringify('struct pt { int x; int y; }; extern "Python" int twice(int); extern "Python" struct pt swap(struct pt);')});
          let l = f.verify('struct pt { int x; int y; }; static int twice(int); static struct pt swap(struct pt); int unused(void); int unused(void) { return twice(1) + swap((struct pt){ 0, 0 }).x; }');
          f.defExtern('twice', (x) => 2 * x);
          f.defExtern('swap', (p) => p);
          const afterDefine = callbackSlotsInUse() - before;
          for (let i = 0; i < 100; i++) f.defExtern('twice', (x) => x + i);
          const ran = l.twice(1);
          await settle();
          const afterReplacing = callbackSlotsInUse() - before;
          l = null;
          await settle();
          const libraryGone = callbackSlotsInUse() - before;
          return [afterDefine, ran, afterReplacing, libraryGone];
        })();
        await settle();
        tell([...counts, callbackSlotsInUse() - before]);
      })();
    `, ['--expose-gc']);
    expect(r.stderr).not.toMatch(/watchdog/);
    expect(r.ended).toBe('exit 0');
    const [afterDefine, ran, afterReplacing, libraryGone, allGone] = r.told as number[];
    // Each attached function takes a slot.
    expect(afterDefine).toBe(2);
    expect(ran).toBe(100);
    // The 100 replaced functions were collected: the last 'twice' and 'swap' remain.
    expect(afterReplacing).toBe(2);
    // The FFI holds its functions for libraries it may make later; once it is gone too, so are they.
    expect(libraryGone).toBe(2);
    expect(allGone).toBe(0);
  });

  test('an ahead-of-time module has its extern functions, attached through the FFI it exports', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-extern-module-'));
    try {
      const ffi = new FFI();
      ffi.cdef('extern "Python" int cb(int); int call_cb(int);');
      ffi.setSource('_extmod', 'static int cb(int);\nint call_cb(int x) { return cb(x) + 1; }');
      const dirOut = ffi.compile({ tmpdir: out });
      const child = runChild(`
        // The loader requires the package by its name: here, the source tree.
        const Module = require('module');
        const resolve = Module._resolveFilename;
        Module._resolveFilename = function (request, ...rest) { return resolve.call(this, request === 'node-cffi' ? LIB : request, ...rest); };
        const { ffi, lib } = require(${JSON.stringify(path.join(dirOut, '_extmod.js'))});
        ffi.defExtern(function cb(x) { return x * 3; });
        console.log(JSON.stringify([lib.call_cb(4), lib.cb(5), String(ffi.typeof(lib.cb))]));
      `);
      expect(child.stderr).toBe('');
      expect(JSON.parse(child.stdout)).toEqual([13, 15, "<ctype 'int(*)(int)'>"]);
      expect(fs.readFileSync(path.join(dirOut, '_extmod.d.ts'), 'utf8')).toMatch(/readonly cb: CFunctionOf<\(arg0: [^)]*\) => number>;/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
