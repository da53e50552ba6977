// CFFI's APIs beyond the memory model against real C: include, initOnce, integerConst, newAllocator, gc with a size, dlopen flags, library functions as function pointers, globals that are macros, libraries that learn later declarations.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CData, CDefError, CFunction, FFI, FFIError, Lib } from '../../lib';
import { native } from '../../lib/backend/native';
import { ending, runChild } from '../helpers/child';
import { fixture, sharedLibrary, verifyFixture } from '../helpers/fixtures';
import { expectThrow } from '../helpers/throws';

const CDEF = `
struct pair { int a, b; };
int twice(int x);
int apply(int (*f)(int), int x);
int apply_void(void *f, int x);
struct pair swap(struct pair p);
int apply_swap(struct pair (*f)(struct pair), int a, int b);
const char *greeting(void);
extern int current_counter;
void select_counter(int w);
int read_counter(int w);
extern int nowhere;
extern int allocations, frees;
void *counted_alloc(size_t n);
void counted_free(void *p);
#define ANSWER ...
static const int LIMIT;
`;

let ffi: FFI;
let C: Lib;
beforeAll(() => ({ ffi, lib: C } = verifyFixture('apis.c', CDEF)));

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-apis-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The address a pointer cdata or a function standing for one holds. */
const addr = (f: FFI, p: unknown): number | bigint => f.cast('uintptr_t', p);

/** Runs `script` in a child with gc() exposed; `settle()` collects garbage and lets finalizers run; prints one JSON line. */
function inChild(script: string, env: Record<string, string> = {}): unknown {
  const r = runChild(
    `const settle = async () => { for (let i = 0; i < 4; i++) { global.gc(); await new Promise((r) => setTimeout(r, 10)); } };
     require('v8').setFlagsFromString('--expose-gc'); global.gc = require('vm').runInNewContext('gc');
     ${script}`,
    { env },
  );
  expect({ end: ending(r), err: r.stderr }).toEqual({ end: 'exit 0', err: '' });
  return JSON.parse(r.stdout);
}

describe('library functions stand for their function pointers', () => {
  test('ffi.typeof(lib.f) is the function pointer type, the one ffi.addressof gives', () => {
    expect(ffi.typeof(C.twice)).toBe(ffi.typeof('int(*)(int)'));
    expect(ffi.typeof(C.swap)).toBe(ffi.typeof('struct pair(*)(struct pair)'));
    expect(ffi.typeof(ffi.addressof(C, 'twice'))).toBe(ffi.typeof(C.twice));
    expect(C.twice).not.toBeInstanceOf(ffi.CData);
    expect(C.twice.name).toBe('twice');
    expectThrow(() => ffi.typeof((() => 1) as never), TypeError, 'ffi.typeof(): expected a C type name or a ctype');
  });

  test('a static function is passed where a function pointer or a void * goes, and C calls it', () => {
    expect(C.apply(C.twice, 21)).toBe(42);
    expect(C.apply_void(C.twice, 4)).toBe(8);
    // by value structs: the pointer is a function with the cdef's own type, not the wrapper taking pointers
    expect(C.apply_swap(C.swap, 1, 2)).toBe(21);
    const s = ffi.new('struct pair *', { a: 3, b: 4 });
    const viaPointer = (ffi.addressof(C, 'swap') as CFunction)(s[0]);
    expect([viaPointer.a, viaPointer.b]).toEqual([4, 3]);
  });

  test('ffi.cast takes a library function as its pointer; the addresses agree', () => {
    const p = ffi.cast('void *', C.twice);
    expect(addr(ffi, p)).toBe(addr(ffi, ffi.addressof(C, 'twice')));
    expect(addr(ffi, C.twice)).toBe(addr(ffi, p));
    expect(ffi.cast('int(*)(int)', p)!(5)).toBe(10);
  });

  test('in a struct field, a library function is stored as its address', () => {
    const f = new FFI();
    f.cdef('struct cb { int (*f)(int); }; int twice(int x); int apply(int (*f)(int), int x);');
    const lib = f.verify(`${fixture('apis.c')}\nstruct cb { int (*f)(int); };`, { filename: 'apis.c' });
    const s = f.new('struct cb *');
    s.f = lib.twice;
    expect(lib.apply(s.f, 8)).toBe(16);
  });

  test('a function of a closed library is refused as a pointer, like the library', () => {
    const f = new FFI();
    f.cdef('int twice(int x); int apply(int (*f)(int), int x);');
    const a = f.verify(fixture('apis.c'), { filename: 'apis.c' });
    const twice = a.twice;
    f.dlclose(a);
    expectThrow(() => C.apply(twice, 1), FFIError, 'was closed with ffi.dlclose()');
  });
});

describe('globals that are macros are evaluated at each access', () => {
  test('reads, writes and addresses follow the object the macro names now', () => {
    C.select_counter(0);
    C.current_counter = 5;
    expect(C.read_counter(0)).toBe(5);
    const first = addr(ffi, ffi.addressof(C, 'current_counter'));
    C.select_counter(1);
    C.current_counter = 9;
    expect([C.read_counter(0), C.read_counter(1), C.current_counter]).toEqual([5, 9, 9]);
    expect(addr(ffi, ffi.addressof(C, 'current_counter'))).not.toBe(first);
    C.select_counter(0);
    expect(C.current_counter).toBe(5);
  });

  test('a macro that names no object (its address is NULL) is an FFIError, never a crash', () => {
    expectThrow(() => C.nowhere, FFIError, "global 'nowhere': its address is NULL now");
    expectThrow(() => {
      C.nowhere = 1;
    }, FFIError, "global 'nowhere': its address is NULL now");
    expectThrow(() => ffi.addressof(C, 'nowhere'), FFIError, "global 'nowhere': its address is NULL now");
  });

  test('a plain global keeps one place: its views share the library\'s Memory', () => {
    C.allocations = 0;
    const p = ffi.addressof(C, 'allocations');
    C.allocations = 3;
    expect(p[0]).toBe(3);
    expect(addr(ffi, ffi.addressof(C, 'allocations'))).toBe(addr(ffi, p));
  });

  test('a global of a struct with no layout here is neither read nor written; its address is known', () => {
    const f = new FFI();
    f.cdef('struct hidden; extern struct hidden secret;');
    const lib = f.verify('struct hidden { int x; }; struct hidden secret = { 41 };');
    const why = "global 'secret': 'struct hidden' is declared but never defined (opaque); ffi.addressof(lib, 'secret') is its address";
    expectThrow(() => lib.secret, FFIError, why);
    expectThrow(() => {
      lib.secret = {};
    }, FFIError, why);
    expect(f.cast('int *', f.addressof(lib, 'secret'))![0]).toBe(41);
  });
});

describe('ffi.include()', () => {
  test('the types of the included FFI are the same type objects here; its constants are constants here', () => {
    const base = new FFI();
    base.cdef('typedef signed char schar_t; struct s { int x; }; union u { int i; float f; }; enum e { E0, E1 = 7 };\n#define LIMIT 12');
    const f = new FFI();
    f.include(base);
    for (const name of ['schar_t', 'struct s', 'union u', 'enum e', 'struct s *', 'schar_t[3]']) expect(f.typeof(name)).toBe(base.typeof(name));
    expect(f.cast('schar_t', 200)).toBe(200 - 256);
    expect(f.new('struct s *', [5]).x).toBe(5);
    expect(f.integerConst('LIMIT')).toBe(12);
    expect(f.integerConst('E1')).toBe(7);
    expect(f.sizeof('char[E1]')).toBe(7);
    expect(f.listTypes()).toEqual(base.listTypes());
    const lib = f.dlopen(null);
    expect([lib.LIMIT, lib.E1]).toEqual([12, 7]);
  });

  test('in a library from dlopen(), the included functions are looked up in the library opened', () => {
    const base = new FFI();
    base.cdef('size_t strlen(const char *s);');
    const f = new FFI();
    f.include(base);
    expect(f.dlopen(null).strlen('four')).toBe(4);
  });

  test('in a verify() library, the included functions and globals are those of the included FFI\'s library', () => {
    const base = new FFI();
    base.cdef('int twice(int x); extern int frees;\n#define ANSWER ...');
    const baseLib = base.verify(fixture('apis.c'), { filename: 'apis.c' });
    const f = new FFI();
    f.include(base);
    f.cdef('int thrice(int x);');
    const lib = f.verify('int thrice(int x) { return 3 * x; }'); // defines neither twice nor frees
    expect(lib.thrice(2)).toBe(6);
    expect(lib.twice).toBe(baseLib.twice);
    lib.frees = 17;
    expect(baseLib.frees).toBe(17);
    expect(lib.ANSWER).toBe(42);
    expect(f.integerConst('ANSWER')).toBe(42);
    expect(addr(f, ffi.addressof(lib, 'frees'))).toBe(addr(f, ffi.addressof(baseLib, 'frees')));
    expect(Object.keys(lib).sort()).toEqual(['ANSWER', 'frees', 'thrice', 'twice']);
  });

  test('the included functions need the included FFI to have a library', () => {
    const base = new FFI();
    base.cdef('int twice(int x);');
    const f = new FFI();
    f.include(base);
    const lib = f.verify('');
    expectThrow(() => lib.twice, FFIError, "'twice' is declared by an FFI given to ffi.include(), which had no library in use when this one was made");
  });

  test('what it refuses: itself, anything but an FFI, a name declared otherwise here, completing an included incomplete type', () => {
    const f = new FFI();
    expectThrow(() => f.include(f), TypeError, 'ffi.include(): an FFI cannot include itself');
    expectThrow(() => f.include({} as FFI), TypeError, 'ffi.include(): expected another FFI, got object');
    const base = new FFI();
    base.cdef('typedef int num_t; struct later;');
    f.cdef('typedef long num_t;');
    expectThrow(() => f.include(base), FFIError, "ffi.include(): 'num_t' is declared here as a typedef for 'long', and as a typedef for 'int' in the FFI included");
    const g = new FFI();
    g.cdef('typedef int num_t;'); // the same meaning: no conflict
    g.include(base);
    expectThrow(() => g.cdef('struct later { int x; };'), CDefError, "'struct later' is incomplete in an FFI given to ffi.include()");
    base.cdef('struct later { int x; };'); // the FFI that owns it may complete it, for both
    expect(g.sizeof('struct later')).toBe(4);
  });

  test('the included declarations are part of verify()\'s cache key', () => {
    const a = new FFI();
    a.cdef('typedef int num_t;');
    const b = new FFI();
    b.cdef('typedef short num_t;');
    const f1 = new FFI();
    f1.include(a);
    f1.cdef('num_t size_of_num(void);');
    const f2 = new FFI();
    f2.include(b);
    f2.cdef('num_t size_of_num(void);');
    const source = (t: string) => `typedef ${t} num_t; num_t size_of_num(void) { return (num_t)sizeof(num_t); }`;
    expect(f1.verify(source('int')).size_of_num()).toBe(4);
    expect(f2.verify(source('short')).size_of_num()).toBe(2);
  });
});

describe('ffi.initOnce() and ffi.integerConst()', () => {
  test('initOnce runs its function once per tag; a throw is not remembered; a call from inside is refused', () => {
    const f = new FFI();
    let runs = 0;
    const init = () => ++runs * 10;
    expect([f.initOnce(init, 'a'), f.initOnce(init, 'a'), f.initOnce(init, 'b'), f.initOnce(init, 'a')]).toEqual([10, 10, 20, 10]);
    let fails = 0;
    const failing = () => {
      fails++;
      throw new RangeError('not yet');
    };
    expectThrow(() => f.initOnce(failing, 'c'), RangeError, 'not yet');
    expectThrow(() => f.initOnce(failing, 'c'), RangeError, 'not yet');
    expect(fails).toBe(2);
    expectThrow(() => f.initOnce(() => f.initOnce(() => 1, 'd'), 'd'), FFIError, 'ffi.initOnce(): the function for tag string "d" asked for its own result while running');
    expect(f.initOnce(() => 5, 'd')).toBe(5);
    expectThrow(() => f.initOnce(42 as never, 'e'), TypeError, 'ffi.initOnce(): expected a function to run once, got 42');
  });

  test('integerConst gives #define, enum and static const values, the compiler\'s after verify()', () => {
    const f = new FFI();
    f.cdef('#define ANSWER ...\nstatic const int LIMIT;\nenum e { A = 3 };\nint twice(int x);');
    expectThrow(() => f.integerConst('ANSWER'), FFIError, "ffi.integerConst('ANSWER'): its value comes from the compiler, which has not given it yet; call verify() first");
    expect(f.integerConst('A')).toBe(3);
    f.verify(`${fixture('apis.c')}\nenum e { A = 3 };`, { filename: 'apis.c' });
    expect([f.integerConst('ANSWER'), f.integerConst('LIMIT')]).toEqual([42, 7]);
    expectThrow(() => f.integerConst('twice'), FFIError, "ffi.integerConst('twice'): 'twice' is function 'int(int)', not an integer constant");
    expectThrow(() => f.integerConst('nope'), FFIError, "ffi.integerConst('nope'): no integer constant named 'nope' is declared");
  });
});

describe('ffi.newAllocator()', () => {
  test('alloc and free are C functions: the cdata lives in their memory, and free() gets it once it is released', () => {
    C.allocations = 0;
    C.frees = 0;
    const allocate = ffi.newAllocator({ alloc: C.counted_alloc, free: C.counted_free });
    const p = allocate('int[4]', [1, 2, 3, 4]);
    expect([...p]).toEqual([1, 2, 3, 4]);
    expect(ffi.sizeof(p)).toBe(16);
    expect(C.allocations).toBe(1);
    ffi.release(p);
    expect(C.frees).toBe(1);
    expectThrow(() => p[0], TypeError, 'was released by ffi.release()');
  });

  test('memory is cleared unless shouldClearAfterAlloc is false', () => {
    const dirty = (size: number) => ffi.new('char[]', Array(size).fill(0x7f));
    const cleared = ffi.newAllocator({ alloc: dirty })('int[2]');
    expect([...cleared]).toEqual([0, 0]);
    const kept = ffi.newAllocator({ alloc: dirty, shouldClearAfterAlloc: false })('int[2]');
    expect([...kept]).toEqual([0x7f7f7f7f, 0x7f7f7f7f]);
  });

  test('what alloc() must give: a cdata pointer to enough memory, not NULL', () => {
    expectThrow(() => ffi.newAllocator({ free: () => null }), TypeError, 'ffi.newAllocator(): options.free needs options.alloc');
    expectThrow(() => ffi.newAllocator({ alloc: () => null })('int[5]'), RangeError, 'allocator: alloc() returned NULL for 20 bytes');
    expectThrow(() => ffi.newAllocator({ alloc: () => 42 })('int[5]'), TypeError, 'allocator: alloc() must return a cdata pointer to 20 bytes, got 42');
    expectThrow(() => ffi.newAllocator({ alloc: () => ffi.new('char[8]') })('int[5]'), RangeError, "allocator: alloc() returned cdata 'char[8]'");
  });
});

describe('ffi.gc()', () => {
  test('ffi.gc(q, null) removes the destructor of a cdata ffi.gc() returned (again: no error), and refuses any other cdata', () => {
    const p = ffi.new('int *');
    expectThrow(() => ffi.gc(p, null), TypeError, "ffi.gc(): cdata 'int *' was not returned by ffi.gc(), so it has no destructor to remove");
    let runs = 0;
    const q = ffi.gc(p, () => runs++);
    expect(ffi.gc(q, null)).toBeUndefined();
    expect(ffi.gc(q, null)).toBeUndefined();
    ffi.release(q);
    expect(runs).toBe(0);
  });

  test('the size is a number of bytes', () => {
    const p = ffi.new('int *');
    expectThrow(() => ffi.gc(p, () => 0, -1), TypeError, 'ffi.gc(): expected size as a number of bytes (a non-negative integer), got -1');
    expectThrow(() => ffi.gc(p, () => 0, 1.5), TypeError, 'got 1.5');
  });

  test('release() runs a C destructor given with a size once, at once', () => {
    C.frees = 0;
    const q = ffi.gc(C.counted_alloc(64), C.counted_free, 64);
    ffi.release(q);
    expect(C.frees).toBe(1);
  });

  const withNative = native?.gcFree ? test : test.skip;
  if (!native?.gcFree) console.warn('ffi.gc() inside a synchronous loop: skipped, the native helper (with Node 20.10 or later) is not loaded');

  withNative('with a size, the collector frees C memory inside a synchronous loop (the native helper)', () => {
    const out = inChild(`
      const { FFI } = require(LIB);
      const ffi = new FFI();
      ffi.cdef(${JSON.stringify(CDEF)});
      const lib = ffi.verify(require('fs').readFileSync(${JSON.stringify(path.join(__dirname, '..', 'fixtures', 'apis.c'))}, 'utf8'));
      const SIZE = 16 * 1024 * 1024;
      let peak = 0;
      for (let i = 0; i < 200; i++) {
        const p = ffi.cast('char *', lib.counted_alloc(SIZE));
        for (let j = 0; j < SIZE; j += 4096) p[j] = 1;
        ffi.gc(p, lib.counted_free, SIZE);
        peak = Math.max(peak, process.memoryUsage().rss);
      }
      console.log(JSON.stringify({ allocations: lib.allocations, freedInLoop: lib.frees > 150, under1GiB: peak < 2 ** 30 }));
    `);
    expect(out).toEqual({ allocations: 200, freedInLoop: true, under1GiB: true });
  });

  test('without the native helper, a loop that lets the event loop turn stays bounded; a synchronous one frees after it', () => {
    const out = inChild(`
      const { FFI } = require(LIB);
      const ffi = new FFI();
      ffi.cdef(${JSON.stringify(CDEF)});
      const lib = ffi.verify(require('fs').readFileSync(${JSON.stringify(path.join(__dirname, '..', 'fixtures', 'apis.c'))}, 'utf8'));
      const SIZE = 16 * 1024 * 1024;
      const one = (i) => {
        const p = ffi.cast('char *', lib.counted_alloc(SIZE));
        for (let j = 0; j < SIZE; j += 4096) p[j] = 1;
        ffi.gc(p, lib.counted_free, SIZE);
      };
      (async () => {
        let peak = 0;
        for (let i = 0; i < 200; i++) {
          one(i);
          peak = Math.max(peak, process.memoryUsage().rss);
          await new Promise((r) => setImmediate(r));
        }
        const freesBefore = lib.frees;
        for (let i = 0; i < 10; i++) one(i);
        const freedInSyncLoop = lib.frees - freesBefore;
        await settle();
        console.log(JSON.stringify({ under1GiB: peak < 2 ** 30, freedInSyncLoop, allFreed: lib.frees === lib.allocations }));
      })();
    `, { NODE_CFFI_NO_NATIVE: '1' });
    expect(out).toEqual({ under1GiB: true, freedInSyncLoop: 0, allFreed: true });
  });

  withNative('ffi.dlclose() waits for the C destructors of its library the collector has yet to run', () => {
    const base = tempDir();
    const out = inChild(`
      const fs = require('fs');
      const { FFI } = require(LIB);
      const base = ${JSON.stringify(base)};
      const mapped = () => fs.readFileSync('/proc/self/maps', 'utf8').includes(base + '/');
      const ffi = new FFI();
      ffi.cdef('void *counted_alloc(size_t n); void counted_free(void *p);');
      const lib = ffi.verify(fs.readFileSync(${JSON.stringify(path.join(__dirname, '..', 'fixtures', 'apis.c'))}, 'utf8'), { tmpdir: base });
      (async () => {
        let p = ffi.gc(lib.counted_alloc(1024), lib.counted_free, 1024);
        ffi.dlclose(lib);
        await settle();
        const whilePending = mapped();
        p = null;
        await settle();
        console.log(JSON.stringify({ whilePending, afterwards: mapped() }));
      })();
    `);
    expect(out).toEqual({ whilePending: true, afterwards: false });
  });
});

describe('libraries from dlopen()', () => {
  test('learn the declarations made after them, and the replacements of override', () => {
    const f = new FFI();
    const c = f.dlopen(null);
    expect('strlen' in c).toBe(false);
    f.cdef('size_t strlen(const char *s); int abs(int x);');
    expect(c.strlen('hello')).toBe(5);
    expect(Object.keys(c)).toEqual(['strlen', 'abs']);
    expect(f.typeof(c.abs)).toBe(f.typeof('int(*)(int)'));
    f.cdef('long abs(long x);', { override: true });
    expect(f.typeof(c.abs)).toBe(f.typeof('long(*)(long)'));
    expect(c.abs(-5)).toBe(5);
  });

  test('flags: the RTLD_* values, and what they do', () => {
    const f = new FFI();
    expect([FFI.RTLD_LAZY, FFI.RTLD_NOW, FFI.RTLD_GLOBAL, FFI.RTLD_LOCAL, FFI.RTLD_NODELETE, FFI.RTLD_NOLOAD, FFI.RTLD_DEEPBIND])
      .toEqual([1, 2, 0x100, 0, 0x1000, 4, 8]);
    expect(f.RTLD_NOW).toBe(FFI.RTLD_NOW);
    expect(f.dlopen('libm.so.6', f.RTLD_NOLOAD)).toBeDefined(); // node links libm
    // In a fresh process, where nothing has loaded libz (other test files in this one may have).
    const noload = inChild(`
      const f = new (require(LIB).FFI)();
      try { f.dlopen('libz.so.1', f.RTLD_NOLOAD); console.log(JSON.stringify('opened')); } catch (e) { console.log(JSON.stringify([e.constructor.name, e.message])); }
    `) as string[];
    expect(noload[0]).toBe('FFIError');
    expect(noload[1]).toContain('RTLD_NOLOAD asks to open it only if it is');
    expectThrow(() => f.dlopen(null, 0x40000), RangeError, 'hold bits (0x40000) that are no RTLD_* value');
    expectThrow(() => f.dlopen(null, f.RTLD_LAZY | f.RTLD_NOW), RangeError, 'both RTLD_LAZY and RTLD_NOW');
    expectThrow(() => f.dlopen(null, -1), TypeError, 'expected flags as a sum of ffi.RTLD_* values, got -1');
    // Past 32 bits, the unknown bits are not lost to the bit test.
    expectThrow(() => f.dlopen(null, 2 ** 40), RangeError, 'flags 0x10000000000 are more than a C int holds');
    expectThrow(() => f.dlopen(null, 2 ** 32 + 2), RangeError, 'more than a C int holds');
    expectThrow(() => f.dlopen(null, 0x80000000), RangeError, 'more than a C int holds');
    for (const bad of [1.5, NaN, Infinity, '2', null, 2n]) {
      expect(() => f.dlopen(null, bad as number)).toThrow(TypeError);
    }
    expect(f.dlopen(null, -0)).toBeDefined();
  });

  test('RTLD_GLOBAL serves later libraries; RTLD_LAZY loads one whose symbols are missing until a call needs them', () => {
    const base = tempDir();
    const out = inChild(`
      const { FFI } = require(LIB);
      const provider = new FFI();
      provider.cdef('int provided(void);');
      const user = new FFI();
      user.cdef('int uses(void);');
      const userSource = 'int provided_${process.pid}(void); int uses(void) { return provided_${process.pid}() + 1; }';
      const tmpdir = ${JSON.stringify(base)};
      const attempt = (flags) => { try { user.verify(userSource, { tmpdir, flags }).uses; return 'loaded'; } catch (e) { return e.constructor.name; } };
      const before = attempt(0);
      const lazy = attempt(user.RTLD_LAZY);
      const lib = provider.verify('int provided_${process.pid}(void) { return 41; } int provided(void) { return provided_${process.pid}(); }', { tmpdir, flags: provider.RTLD_GLOBAL });
      const u = user.verify(userSource, { tmpdir });
      console.log(JSON.stringify({ before, lazy, after: u.uses(), provided: lib.provided() }));
    `);
    expect(out).toEqual({ before: 'FFIError', lazy: 'loaded', after: 42, provided: 41 });
  });
});

describe('lifetimes', () => {
  test('a pointer a library function returns into its own data keeps the library loaded (reading it would crash otherwise)', () => {
    const base = tempDir();
    const out = inChild(`
      const fs = require('fs');
      const { FFI } = require(LIB);
      const base = ${JSON.stringify(base)};
      const mapped = () => fs.readFileSync('/proc/self/maps', 'utf8').includes(base + '/');
      (async () => {
        const ffi = new FFI();
        ffi.cdef('const char *greeting(void);');
        let lib = ffi.verify(fs.readFileSync(${JSON.stringify(path.join(__dirname, '..', 'fixtures', 'apis.c'))}, 'utf8'), { tmpdir: base });
        let p = lib.greeting();
        const q = ffi.cast('char *', p).add(6); // derived from it
        p = null;
        lib = null;
        await settle();
        const whileHeld = mapped();
        const text = ffi.string(q);
        console.log(JSON.stringify({ whileHeld, text }));
      })();
    `);
    expect(out).toEqual({ whileHeld: true, text: 'from the library' });
  });

  test('and once no pointer is left, the library is unloaded', () => {
    const base = tempDir();
    const out = inChild(`
      const fs = require('fs');
      const { FFI } = require(LIB);
      const base = ${JSON.stringify(base)};
      const mapped = () => fs.readFileSync('/proc/self/maps', 'utf8').includes(base + '/');
      (async () => {
        const ffi = new FFI();
        ffi.cdef('const char *greeting(void);');
        let lib = ffi.verify(fs.readFileSync(${JSON.stringify(path.join(__dirname, '..', 'fixtures', 'apis.c'))}, 'utf8'), { tmpdir: base });
        let p = lib.greeting();
        lib = null;
        await settle();
        const withPointer = mapped();
        p = null;
        await settle();
        console.log(JSON.stringify({ withPointer, afterwards: mapped() }));
      })();
    `);
    expect(out).toEqual({ withPointer: true, afterwards: false });
  });

  const HELD_CDEF = 'extern const char *global_message; struct named { int n; const char *name; }; struct named named_value(void); const char *const *names(void);';

  /**
   * A child script that loads the fixture (`open(ffi)`), takes one pointer into its static data
   * other than a returned one (`way`: a global's value, a returned struct whose field is read
   * later, an element read through a returned pointer that is dropped), drops the library and
   * everything else, collects, reads the text, then drops that too and collects again; it prints
   * whether the library stayed mapped each time.
   */
  const heldScript = (open: string, mappedPath: string, way: string): string => `
    const fs = require('fs');
    const { FFI } = require(LIB);
    const mapped = () => fs.readFileSync('/proc/self/maps', 'utf8').includes(${JSON.stringify(mappedPath)});
    (async () => {
      const ffi = new FFI();
      ffi.cdef(${JSON.stringify(HELD_CDEF)});
      let lib = (${open})(ffi);
      let held = ${JSON.stringify(way)} === 'global' ? lib.global_message : ${JSON.stringify(way)} === 'struct' ? lib.named_value() : lib.names()[1];
      lib = null;
      await settle();
      const whileHeld = mapped();
      const text = ffi.string(${JSON.stringify(way)} === 'struct' ? held.name : held);
      held = null;
      await settle();
      console.log(JSON.stringify({ whileHeld, text, afterwards: mapped() }));
    })();
  `;
  const HELD: [string, string][] = [
    ['global', "a global's string"],
    ['struct', "a returned struct's string"],
    ['element', 'second'],
  ];

  test.each(HELD)("a pointer read from a library's memory keeps it loaded: %s (verify)", (way, text) => {
    const base = tempDir();
    const source = path.join(__dirname, '..', 'fixtures', 'apis.c');
    const out = inChild(heldScript(`(f) => f.verify(fs.readFileSync(${JSON.stringify(source)}, 'utf8'), { tmpdir: ${JSON.stringify(base)} })`, base + '/', way));
    expect(out).toEqual({ whileHeld: true, text, afterwards: false });
  });

  describe('the same for a library from dlopen(), whose structs koffi returns', () => {
    let so: string;
    beforeAll(() => {
      so = sharedLibrary('apis.c');
      dirs.push(path.dirname(so));
    });
    test.each(HELD)('%s', (way, text) => {
      const out = inChild(heldScript('(f) => f.dlopen(' + JSON.stringify(so) + ')', so, way));
      expect(out).toEqual({ whileHeld: true, text, afterwards: false });
    });
  });

  test('a library function keeps its library object (and so its library) alive', () => {
    const out = inChild(`
      const { FFI } = require(LIB);
      (async () => {
        const ffi = new FFI();
        ffi.cdef('int twice(int x);');
        let lib = ffi.verify(require('fs').readFileSync(${JSON.stringify(path.join(__dirname, '..', 'fixtures', 'apis.c'))}, 'utf8'));
        const f = lib.twice;
        const ref = new WeakRef(lib);
        lib = null;
        await settle();
        console.log(JSON.stringify({ alive: ref.deref() !== undefined, value: f(21) }));
      })();
    `);
    expect(out).toEqual({ alive: true, value: 42 });
  });
});

describe('the FFI object', () => {
  test('NULL, CData and CType on the class and on each FFI; ffi.typeof(null) is void *', () => {
    const f = new FFI();
    expect([FFI.NULL, f.NULL]).toEqual([null, null]);
    expect(f.typeof(null)).toBe(f.typeof('void *'));
    expect(FFI.CData).toBe(CData);
    expect(f.new('int *')).toBeInstanceOf(f.CData);
    expect(f.typeof('int')).toBeInstanceOf(FFI.CType);
    expect(f.new('int *')).not.toBeInstanceOf(f.CType);
    expect(f.typeof('int')).not.toBeInstanceOf(f.CData);
  });

  test('new FFI() takes no arguments (CFFI\'s backend has no counterpart)', () => {
    const Ctor = FFI as unknown as new (arg?: unknown) => FFI;
    expectThrow(() => new Ctor(42), TypeError, 'new FFI(): takes no arguments (node-cffi has one backend), got 42');
    expect(new Ctor(undefined)).toBeInstanceOf(FFI);
  });

  test("fromBuffer() takes CFFI's order and options, and pointer types (a pointer to the first item)", () => {
    const f = new FFI();
    f.cdef('struct pt { int x, y; };');
    const words = new Int32Array(new ArrayBuffer(12)); // made from a list, its buffer fails instanceof ArrayBuffer under jest's module realm (not in Node)
    words.set([5, -6, 7]);
    const base = addr(f, f.fromBuffer(words));
    const pt = f.fromBuffer('struct pt *', words, { requireWritable: true });
    expect([f.typeof(pt), addr(f, pt), pt.x, pt.y]).toEqual([f.typeof('struct pt *'), base, 5, -6]);
    pt.y = 60;
    expect(words[1]).toBe(60);
    expectThrow(() => pt[1], RangeError, "item 1 lies outside the 12 bytes");
    expect(addr(f, f.fromBuffer(words, { requireWritable: false }))).toBe(base);
    expect(f.fromBuffer(words, 'int[]', {}).length).toBe(3);
    expectThrow(() => f.fromBuffer('struct pt *', new Int32Array(new ArrayBuffer(4))), RangeError, "ffi.fromBuffer(): 'struct pt *' needs 8 bytes, the buffer has 4");
    expectThrow(() => f.fromBuffer(words, { requireWritable: 1 } as never), TypeError, 'ffi.fromBuffer(): options.requireWritable must be a boolean, got 1');
    expectThrow(() => f.fromBuffer('int', words), TypeError, "ffi.fromBuffer(): expected an array or pointer type such as 'char[]' or 'struct foo *', got 'int'");
  });

  test('verify()\'s relativeTo takes relative include directories from that file\'s directory', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'inc'));
    fs.writeFileSync(path.join(dir, 'inc', 'seven.h'), 'static int seven(void) { return 7; }\n');
    const f = new FFI();
    f.cdef('int seven(void);');
    expect(f.verify('#include "seven.h"', { includeDirs: ['inc'], relativeTo: path.join(dir, 'main.js') }).seven()).toBe(7);
    expectThrow(() => f.verify('', { relativeTo: 42 as never }), TypeError, 'options.relativeTo: expected the path of a file');
  });

  test('setSource() takes a dotted module name: the module goes in the package directory', () => {
    const dir = tempDir();
    const f = new FFI();
    f.cdef('int twice(int x);');
    f.setSource('pkg.sub.doubler', fixture('apis.c'));
    const moduleDir = f.compile({ tmpdir: dir });
    expect(moduleDir).toBe(path.join(dir, 'pkg', 'sub', 'doubler'));
    expect(fs.readdirSync(moduleDir).sort()).toEqual(['doubler.d.ts', 'doubler.js', 'doubler.so', 'package.json']);
    jest.doMock('node-cffi', () => jest.requireActual('../../lib'), { virtual: true });
    const { lib } = require(path.join(moduleDir, 'doubler.js')); // eslint-disable-line @typescript-eslint/no-require-imports
    expect(lib.twice(4)).toBe(8);
    expect(String(lib)).toBe("<Lib object for 'doubler'>");
  });
});
