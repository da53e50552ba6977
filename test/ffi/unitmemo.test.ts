// verify()'s translation unit remembered by what it is made of: a later FFI with the same cdef and source binds its cached library without making the unit, and whatever changes the unit, or the declarations, makes it again.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CompilerWarning, FFI } from '../../lib';
import * as glueModule from '../../lib/codegen/glue';
import * as probesModule from '../../lib/codegen/probes';
import { codeIdentity } from '../../lib/units';
import { nodeHost } from '../../lib/host';
import { buildSync } from '../../lib/build';
import { ADD, cacheOptions, callAdd, logLines, loggingCompiler, removeTempDirs, request } from '../build/fixtures/helpers';
import { ending, runChild } from '../helpers/child';

afterEach(() => {
  jest.restoreAllMocks();
  removeTempDirs();
});

const CDEF = `
struct pt { int y; ...; };
typedef int... count_t;
#define LIMIT ...
static const double HALF;
extern int counter;
int dist(struct pt *p);
struct pt mid(struct pt a, struct pt b);
count_t twice(count_t);
int sum(int n, ...);
extern "Python" int cb(int);
int call_cb(int);
`;

const SOURCE = `
#include <stdarg.h>
struct pt { char pad[5]; int y; long x; };
typedef short count_t;
#define LIMIT (40 + 2)
static const double HALF = 0.5;
int counter = 7;
int dist(struct pt *p) { return (int)p->x + p->y; }
struct pt mid(struct pt a, struct pt b) { struct pt m = a; m.x = (a.x + b.x) / 2; m.y = (a.y + b.y) / 2; return m; }
count_t twice(count_t v) { return (count_t)(2 * v); }
int sum(int n, ...) { va_list ap; int s = 0; va_start(ap, n); while (n-- > 0) s += va_arg(ap, int); va_end(ap); return s; }
static int cb(int);
int call_cb(int v) { return cb(v) + 1; }
struct extra { int z; };
`;

/** A fresh cache directory and a compiler that logs each compile, so that compiles are counted exactly. */
function isolated(): { tmpdir: string; compiler: string; compiles: () => number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-unitmemo-'));
  const log = path.join(dir, 'compiles.log');
  return { tmpdir: path.join(dir, 'cache'), compiler: loggingCompiler(dir, log), compiles: () => logLines(log).length };
}

/** The memos of units in a cache directory. */
const memos = (tmpdir: string): string[] => fs.readdirSync(tmpdir).filter((n) => /^\.unit-[0-9a-f]{32}\.json$/.test(n)).sort();

/** What the library of CDEF and SOURCE computes, and the layouts and values the compiler gave the cdef. */
function exercise(ffi: FFI, lib: Record<string, any>): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
  ffi.defExtern('cb', (v: number) => v * 10);
  const p = ffi.new('struct pt *');
  p.y = 3;
  const a = ffi.new('struct pt *', { y: 2 });
  const b = ffi.new('struct pt *', { y: 6 });
  return {
    size: ffi.sizeof('struct pt'), y: ffi.offsetof('struct pt', 'y'), count: ffi.sizeof('count_t'),
    limit: lib.LIMIT, half: lib.HALF, counter: lib.counter, dist: lib.dist(p), mid: lib.mid(a[0], b[0]).y,
    twice: lib.twice(21), sum: lib.sum(3, ['int', 1], ['int', 2], ['int', 3]), cb: lib.call_cb(4),
  };
}

const EXPECTED = { size: 24, y: 8, count: 2, limit: 42, half: 0.5, counter: 7, dist: 3, mid: 4, twice: 42, sum: 6, cb: 41 };

/** A new FFI with CDEF, verifying `source` with `options`. */
function verified(source: string, options: object): { ffi: FFI; lib: Record<string, any> } { // eslint-disable-line @typescript-eslint/no-explicit-any
  const ffi = new FFI();
  ffi.cdef(CDEF);
  return { ffi, lib: ffi.verify(source, options) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * In a new process (which knows nothing this one read or remembered): a new FFI with `cdef`
 * verifies `source` with `options`, and `measure` (run there as text) says what it computes;
 * by default CDEF, SOURCE and exercise().
 */
function inAnotherProcess(options: object, cdef = CDEF, source = SOURCE, measure: (ffi: FFI, lib: Record<string, any>) => unknown = exercise): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = runChild(`
    const { FFI } = require(LIB);
    const ffi = new FFI();
    ffi.cdef(${JSON.stringify(cdef)});
    const lib = ffi.verify(${JSON.stringify(source)}, ${JSON.stringify(options)});
    console.log(JSON.stringify((${measure.toString()})(ffi, lib)));`);
  expect({ end: ending(r), err: r.stderr }).toEqual({ end: 'exit 0', err: '' });
  return JSON.parse(r.stdout);
}

describe('a unit remembered by what it is made of', () => {
  test('a second FFI with the same cdef and source makes no glue and compiles nothing, and gets the same library, layouts and values', () => {
    const iso = isolated();
    const made = jest.spyOn(glueModule, 'generateGlue');
    const first = verified(SOURCE, { tmpdir: iso.tmpdir, compiler: iso.compiler });
    expect(exercise(first.ffi, first.lib)).toEqual(EXPECTED);
    expect([made.mock.calls.length, iso.compiles(), memos(iso.tmpdir).length]).toEqual([1, 1, 1]);
    for (let i = 0; i < 2; i++) {
      const again = verified(SOURCE, { tmpdir: iso.tmpdir, compiler: iso.compiler });
      expect(exercise(again.ffi, again.lib)).toEqual(EXPECTED);
    }
    expect([made.mock.calls.length, iso.compiles(), memos(iso.tmpdir).length]).toEqual([1, 1, 1]);
  });

  test('verifyAsync() and compile() remember and find it too', async () => {
    const iso = isolated();
    const made = jest.spyOn(glueModule, 'generateGlue');
    const ffi = new FFI();
    ffi.cdef(CDEF);
    const lib = await ffi.verifyAsync(SOURCE, { tmpdir: iso.tmpdir, compiler: iso.compiler });
    expect(exercise(ffi, lib as Record<string, unknown>)).toEqual(EXPECTED);
    const again = verified(SOURCE, { tmpdir: iso.tmpdir, compiler: iso.compiler });
    expect(exercise(again.ffi, again.lib)).toEqual(EXPECTED);
    expect([made.mock.calls.length, iso.compiles()]).toEqual([1, 1]);
    const out = path.join(path.dirname(iso.tmpdir), 'aot');
    const modules = [0, 1].map(() => {
      const f = new FFI();
      f.cdef('int twice(int);');
      f.setSource('_twice', 'int twice(int v) { return 2 * v; }', { tmpdir: iso.tmpdir, compiler: iso.compiler });
      return f.compile({ tmpdir: out });
    });
    expect(modules[1]).toBe(modules[0]);
    expect([made.mock.calls.length, iso.compiles()]).toEqual([2, 2]);
  });

  test('when its library is gone from the cache, the unit is made and compiled again', () => {
    const iso = isolated();
    const made = jest.spyOn(glueModule, 'generateGlue');
    verified(SOURCE, { tmpdir: iso.tmpdir, compiler: iso.compiler });
    for (const name of fs.readdirSync(iso.tmpdir)) if (/\.(so|json)$/.test(name) && !name.startsWith('.')) fs.rmSync(path.join(iso.tmpdir, name));
    const again = verified(SOURCE, { tmpdir: iso.tmpdir, compiler: iso.compiler });
    expect(exercise(again.ffi, again.lib)).toEqual(EXPECTED);
    // The unit was found by its hash, then made by the plan (not through the module's export) to compile it.
    expect([made.mock.calls.length, iso.compiles()]).toEqual([1, 2]);
  });

  test("a cached build's warnings are told as the first build told them", () => {
    const iso = isolated();
    const source = `${SOURCE}\nint noisy(void) {\n  int unused;\n  return 1;\n}\n`;
    const told = [0, 1].map(() => {
      const got: CompilerWarning[] = [];
      const ffi = new FFI();
      ffi.cdef(CDEF);
      ffi.verify(source, { tmpdir: iso.tmpdir, compiler: iso.compiler, extraCompileArgs: ['-Wall'], onWarning: (w) => got.push(w) });
      return got.map((w) => [w.message, w.file, w.line, w.column]);
    });
    expect(told[0]).toHaveLength(1);
    expect(told[0][0][0]).toMatch(/unused variable/);
    expect(told[1]).toEqual(told[0]);
    expect(iso.compiles()).toBe(1);
  });

  test('another source, cdef, file name or strictPrototypes makes its own unit', () => {
    const iso = isolated();
    const made = jest.spyOn(glueModule, 'generateGlue');
    const base = { tmpdir: iso.tmpdir, compiler: iso.compiler };
    verified(SOURCE, base);
    verified(`${SOURCE}/* another */\n`, base);
    verified(SOURCE, { ...base, filename: 'other.c' });
    verified(SOURCE, { ...base, strictPrototypes: true });
    const ffi = new FFI();
    ffi.cdef(`${CDEF}int twice_again(int);`);
    ffi.verify(`${SOURCE}int twice_again(int v) { return 2 * v; }\n`, base);
    const pack = new FFI();
    pack.cdef(CDEF, { pack: 1 });
    pack.verify(SOURCE, base); // the cdef's options are part of it
    expect(made.mock.calls.length).toBe(6);
    expect(memos(iso.tmpdir)).toHaveLength(6);
  });

  test('declarations that are not just what the cdef text made (a type name declared one; a library settled them) make the unit again', () => {
    const iso = isolated();
    const made = jest.spyOn(glueModule, 'generateGlue');
    const base = { tmpdir: iso.tmpdir, compiler: iso.compiler };
    verified(SOURCE, base);
    const named = new FFI();
    named.cdef(CDEF);
    named.typeof('struct extra { int z; } *'); // declares struct extra, whose layout the unit then probes
    const lib = named.verify(SOURCE, base);
    expect(lib).toBeDefined();
    expect(named.sizeof('struct extra')).toBe(4);
    const twice = new FFI();
    twice.cdef(CDEF);
    twice.verify(SOURCE, base);
    twice.verify(SOURCE, base); // its types were settled by the first
    expect(made.mock.calls.length).toBe(3);
  });

  test('a damaged memo, or one made with another plan, is not used by the next process and is written again', () => {
    const iso = isolated();
    const made = jest.spyOn(glueModule, 'generateGlue');
    const base = { tmpdir: iso.tmpdir, compiler: iso.compiler };
    verified(SOURCE, base);
    const [name] = memos(iso.tmpdir);
    const file = path.join(iso.tmpdir, name);
    const good = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(made.mock.calls.length).toBe(1);
    for (const damage of ['{"key":', JSON.stringify({ ...good, key: 'f'.repeat(64) }), JSON.stringify({ ...good, value: { ...good.value, plan: 'another' } })]) {
      fs.writeFileSync(file, damage);
      expect(inAnotherProcess(base)).toEqual(EXPECTED);
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(good);
    }
    expect(iso.compiles()).toBe(1);
  });

  test('a memo naming another unit: the unit is made and found under its own key, and the memo corrected', () => {
    const iso = isolated();
    const base = { tmpdir: iso.tmpdir, compiler: iso.compiler };
    verified(SOURCE, base);
    const [name] = memos(iso.tmpdir);
    const file = path.join(iso.tmpdir, name);
    const good = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...good, value: { ...good.value, code: createHash('sha256').update('another unit').digest('hex') } }));
    expect(inAnotherProcess(base)).toEqual(EXPECTED);
    expect(iso.compiles()).toBe(1); // the library of the unit made is the first FFI's
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(good);
  });
});

/** A cdef whose layouts, values and types are all stated: its probes only check, so a library of it that agreed is not probed again. */
const STATED_CDEF = `
struct pt2 { int x; double y; char tag[3]; };
enum shade { DARK = 1, LIGHT = 4 };
#define STATED 12
typedef struct pt2 pt2_t;
int area(pt2_t *p, enum shade s);
extern long total;
`;
const STATED_SOURCE = `
struct pt2 { int x; double y; char tag[3]; };
enum shade { DARK = 1, LIGHT = 4 };
#define STATED 12
typedef struct pt2 pt2_t;
long total = 99;
int area(pt2_t *p, enum shade s) { return p->x * (int)p->y + (int)s + p->tag[2]; }
`;

/** What an FFI with STATED_CDEF computes through its library of STATED_SOURCE, its layouts and values (also run in a child, as text). */
function measureStated(ffi: FFI, lib: Record<string, any>): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
  const p = ffi.new('pt2_t *', { x: 3, y: 2.5, tag: [0, 0, 7] });
  return { area: lib.area(p, lib.LIGHT), total: lib.total, stated: lib.STATED, size: ffi.sizeof('struct pt2'), tag: ffi.offsetof('struct pt2', 'tag'), shade: ffi.sizeof('enum shade') };
}

/** A new FFI with STATED_CDEF verifies STATED_SOURCE with `options`; measureStated() of it. */
function stated(options: object): unknown {
  const ffi = new FFI();
  ffi.cdef(STATED_CDEF);
  return measureStated(ffi, ffi.verify(STATED_SOURCE, options) as Record<string, unknown>);
}

/** stated() in a new process. */
const inAnotherProcessStated = (options: object): unknown => inAnotherProcess(options, STATED_CDEF, STATED_SOURCE, measureStated);

/**
 * A fresh cache where stated() built and settled its library, and its unit's memo (`good`) with
 * `file` rewritten to hold `changes` in its value: what the next process finds.
 */
function statedMemoChanged(changes: object): { iso: ReturnType<typeof isolated>; base: object; file: string; good: unknown } {
  const iso = isolated();
  const base = { tmpdir: iso.tmpdir, compiler: iso.compiler };
  expect(stated(base)).toEqual(STATED_EXPECTED);
  const file = path.join(iso.tmpdir, memos(iso.tmpdir)[0]);
  const good = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify({ ...good, value: { ...good.value, ...changes } }));
  return { iso, base, file, good };
}
const STATED_EXPECTED = { area: 17, total: 99, stated: 12, size: 24, tag: 16, shade: 4 };

describe('a library whose probes agreed with nothing left open', () => {
  test('is not probed again: later FFIs read neither its probe table nor make the probes, and compute the same', () => {
    const iso = isolated();
    const base = { tmpdir: iso.tmpdir, compiler: iso.compiler };
    const settles = jest.spyOn(probesModule, 'settle');
    const rows = jest.spyOn(probesModule, 'probeRows');
    for (let i = 0; i < 3; i++) expect(stated(base)).toEqual(STATED_EXPECTED);
    expect([settles.mock.calls.length, rows.mock.calls.length, iso.compiles()]).toEqual([1, 1, 1]);
    const memo = JSON.parse(fs.readFileSync(path.join(iso.tmpdir, memos(iso.tmpdir)[0]), 'utf8'));
    expect(memo.value.settled).toMatch(/^[0-9a-f]{64}$/);
    expect(inAnotherProcessStated(base)).toEqual(STATED_EXPECTED);
  });

  test('a cdef that leaves something to the compiler is probed every time, and its memo names no library', () => {
    const iso = isolated();
    const base = { tmpdir: iso.tmpdir, compiler: iso.compiler };
    const settles = jest.spyOn(probesModule, 'settle');
    for (let i = 0; i < 3; i++) expect(exercise(...Object.values(verified(SOURCE, base)) as [FFI, Record<string, unknown>])).toEqual(EXPECTED);
    expect(settles.mock.calls.length).toBe(3);
    const memo = JSON.parse(fs.readFileSync(path.join(iso.tmpdir, memos(iso.tmpdir)[0]), 'utf8'));
    expect(memo.value.settled).toBeUndefined();
  });

  test('a library whose probes disagree is refused every time, and its memo names no library', () => {
    const iso = isolated();
    const base = { tmpdir: iso.tmpdir, compiler: iso.compiler };
    const wrong = STATED_SOURCE.replace('struct pt2 { int x; double y; char tag[3]; };', 'struct pt2 { long x; double y; char tag[3]; };');
    for (let i = 0; i < 3; i++) {
      const ffi = new FFI();
      ffi.cdef(STATED_CDEF);
      expect(() => ffi.verify(wrong, base)).toThrow("struct pt2: wrong size for field 'x' (cdef says 4, but the C compiler says 8)");
    }
    expect(iso.compiles()).toBe(1);
    const memo = JSON.parse(fs.readFileSync(path.join(iso.tmpdir, memos(iso.tmpdir)[0]), 'utf8'));
    expect(memo.value.settled).toBeUndefined();
  });

  test('a memo naming another library of the unit: the one found is probed, and named instead', () => {
    const { iso, base, file, good } = statedMemoChanged({ settled: 'e'.repeat(64) });
    const settles = jest.spyOn(probesModule, 'settle');
    expect(inAnotherProcessStated(base)).toEqual(STATED_EXPECTED);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(good);
    expect(settles.mock.calls.length).toBe(0); // the child probed it, not this process
    expect(iso.compiles()).toBe(1);
  });

  test('a memo naming another library of the unit with another plan: the unit is made and built, not read by the wrong plan', () => {
    const { iso, base, file, good } = statedMemoChanged({ settled: 'e'.repeat(64), plan: 'd'.repeat(64) });
    expect(inAnotherProcessStated(base)).toEqual(STATED_EXPECTED);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(good);
    expect(iso.compiles()).toBe(1); // the unit made is the one the library was built from
  });

  test('a memo whose bindings are not this plan\'s is not used: the unit is made', () => {
    const { iso, base, file, good } = statedMemoChanged({ bindings: 'c'.repeat(64) });
    expect(inAnotherProcessStated(base)).toEqual(STATED_EXPECTED);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(good); // made again, and remembered with its own digests
    expect(iso.compiles()).toBe(1);
  });
});

describe("the probes of a header's types before dlopen()", () => {
  test('are found by what they are made of too: the second FFI makes no glue, and its layouts and values are the compiler\'s', () => {
    const iso = isolated();
    const dir = path.dirname(iso.tmpdir);
    fs.writeFileSync(path.join(dir, 'thing.h'), 'typedef struct { char tag; double v; } thing_t;\n#define THING_MAX (6 * 7)\nenum mode { M_A = 3, M_B };\n');
    const made = jest.spyOn(glueModule, 'generateGlue');
    const seen = [0, 1].map(() => {
      const ffi = new FFI();
      ffi.cdefHeader('thing.h', { includeDirs: [dir], tmpdir: iso.tmpdir, compiler: iso.compiler });
      const lib = ffi.dlopen(null) as Record<string, unknown>;
      return [ffi.sizeof('thing_t'), ffi.offsetof('thing_t', 'v'), lib.THING_MAX, lib.M_B];
    });
    expect(seen).toEqual([[16, 8, 42, 4], [16, 8, 42, 4]]);
    expect([made.mock.calls.length, iso.compiles()]).toEqual([1, 1]);
  });
});

describe("the code's identity in the unit's key", () => {
  test('changes with any module of the code (one level of directories deep), counts only the bundles when bundled, and is null where the files cannot be known', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-identity-'));
    try {
      fs.mkdirSync(path.join(dir, 'codegen'));
      fs.writeFileSync(path.join(dir, 'codegen', 'glue.js'), 'a');
      fs.writeFileSync(path.join(dir, 'node-cffi.bundle.js'), 'b');
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'c');
      const first = codeIdentity(dir, false);
      expect(codeIdentity(dir, false)).toBe(first);
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'not code');
      expect(codeIdentity(dir, false)).toBe(first);
      fs.writeFileSync(path.join(dir, 'codegen', 'glue.js'), 'a changed module');
      const edited = codeIdentity(dir, false);
      expect(edited).not.toBe(first);
      // One level of directories, as lib/ has: nothing deeper is walked.
      fs.mkdirSync(path.join(dir, 'codegen', 'deeper'));
      fs.writeFileSync(path.join(dir, 'codegen', 'deeper', 'x.js'), 'not walked');
      expect(codeIdentity(dir, false)).toBe(edited);
      const bundled = codeIdentity(dir, true);
      fs.writeFileSync(path.join(dir, 'codegen', 'glue.js'), 'not part of a bundled build');
      expect(codeIdentity(dir, true)).toBe(bundled);
      fs.writeFileSync(path.join(dir, 'node-cffi.bundle.js'), 'another bundle');
      expect(codeIdentity(dir, true)).not.toBe(bundled);
      // No identity, so no memo, where the code's files cannot be listed or none is there.
      expect(codeIdentity(path.join(dir, 'codegen'), true)).toBeNull();
      expect(codeIdentity(path.join(dir, 'missing'), false)).toBeNull();
      const unreadable = { ...nodeHost, readdirSync: (): string[] => { throw Object.assign(new Error('EACCES: permission denied, scandir'), { code: 'EACCES' }); } };
      expect(codeIdentity(dir, false, unreadable)).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a build request with the hash of its unit', () => {
  const hash = (code: string): string => createHash('sha256').update(code).digest('hex');

  test('makes the unit only when the compiler must run, and then builds what it made', () => {
    const options = cacheOptions();
    let asked = 0;
    const code = (): string => {
      asked++;
      return ADD;
    };
    const first = buildSync(request(ADD, options, { code, codeHash: hash(ADD) }));
    expect([asked, first.cached, first.codeHash, callAdd(first.path, 2, 3)]).toEqual([1, false, hash(ADD), 5]);
    const again = buildSync(request(ADD, options, { code, codeHash: hash(ADD) }));
    expect([asked, again.cached, again.key]).toEqual([1, true, first.key]);
    expect(buildSync(request(ADD, options)).key).toBe(first.key);
  });

  test('whose unit turns out to be another is built under that unit\'s own key', () => {
    const options = cacheOptions();
    const r = buildSync(request(ADD, options, { code: () => ADD, codeHash: hash('something else') }));
    expect(r.codeHash).toBe(hash(ADD));
    expect(r.key).toBe(buildSync(request(ADD, options)).key);
    expect(callAdd(r.path, 1, 1)).toBe(2);
  });

  test('is refused without a hash for a unit made by a function, or with a hash that is not one', () => {
    const options = cacheOptions();
    expect(() => buildSync(request(ADD, options, { code: () => ADD }))).toThrow(/^build request codeHash: expected the code's sha256 in hex/);
    expect(() => buildSync(request(ADD, options, { codeHash: 'abc' }))).toThrow(/^build request codeHash: expected the code's sha256 in hex/);
    expect(() => buildSync(request(ADD, options, { code: 42 as never }))).toThrow(/^build request code: expected a string or a function making it, got 42/);
  });
});
