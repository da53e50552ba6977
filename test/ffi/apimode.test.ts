// API mode against real C: what the cdef leaves open ('...') comes from the compiler, what it states is checked, macros and inline functions are called.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CData, CType, FFI, FFIError, Lib, StructType, VerificationError } from '../../lib';
import { fixture } from '../helpers/fixtures';
import { ending, runChild } from '../helpers/child';
import { ccFamilyByName } from '../helpers/compiler';
import { expectThrow } from '../helpers/throws';
import { ADDR } from '../../lib/cdata/base';

const CDEF = `
struct foo_s { int x; ...; };
size_t foo_size(void);
size_t foo_x_offset(void);
int foo_get_x(const struct foo_s *p);
void foo_fill(struct foo_s *p);
struct foo_s foo_make(int x);
int foo_x_of(struct foo_s s);

struct outer { char tag; struct foo_s inner; };
size_t outer_inner_offset(void);
size_t outer_size(void);

struct samples { int values[...]; short tail; ...; };
int samples_sum(const struct samples *s);
void samples_fill(struct samples *s);

int primes[...];

#define ALL_ONES ...
#define MINUS_44 ...
#define ANSWER 42
static const int LIMIT;

enum level { LOWEST, LOWER, LOW, ... };
int level_of(enum level l);

typedef int... big_t;
big_t big_twice(big_t v);
typedef int... small_t;
small_t small_next(small_t v);
typedef float... real_t;
real_t real_half(real_t v);

int square(int x);
int cube(int x);

typedef ... handle_t;
handle_t *handle_open(int secret);
int handle_secret(const handle_t *h);

struct holder { struct foo_s *p; };
`;

/** An FFI with the API-mode cdef, not verified yet. */
function declared(): FFI {
  const ffi = new FFI();
  ffi.cdef(CDEF);
  return ffi;
}

/** `t` as the struct it must be. */
function struct(t: CType): StructType {
  expect(t.kind).toBe('struct');
  return t as StructType;
}

function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** The start of the message for a type whose layout (size, values) the compiler has not given yet. */
const notYet = (what: string, type: string): string =>
  `the ${what} of '${type}' ${what.includes(' and ') ? 'are' : 'is'} not known until verify() compiles it`;

describe('before verify()', () => {
  const ffi = declared();

  test.each([
    ['sizeof', () => ffi.sizeof('struct foo_s'), 'layout', 'struct foo_s'],
    ['alignof', () => ffi.alignof('struct outer'), 'layout', 'struct outer'],
    ['offsetof', () => ffi.offsetof('struct foo_s', 'x'), 'layout', 'struct foo_s'],
    ['new', () => ffi.new('struct foo_s *'), 'layout', 'struct foo_s'],
    ['new of an array of them', () => ffi.new('struct samples[2]'), 'layout', 'struct samples'],
    ['cast to a pointer', () => ffi.cast('struct foo_s *', 0), 'layout', 'struct foo_s'],
    ['sizeof a deferred integer', () => ffi.sizeof('big_t'), 'size', 'big_t'],
    ['new of a deferred integer', () => ffi.new('big_t[4]'), 'size', 'big_t'],
    ['cast to a partial enum', () => ffi.cast('enum level', 1), 'values and size', 'enum level'],
    ['a callback taking it', () => ffi.callback('int(struct foo_s *)', () => 0), 'layout', 'struct foo_s'],
    ['fromBuffer', () => ffi.fromBuffer(Buffer.alloc(64), 'struct foo_s[]'), 'layout', 'struct foo_s'],
  ])('%s throws an FFIError saying the layout is not known yet', (_what, use, what, type) => {
    const e = failure(use);
    expect(e).toBeInstanceOf(FFIError);
    expect(e.message).toContain(notYet(what, type));
  });

  test('an opaque type has no size', () => {
    expect(failure(() => ffi.sizeof('handle_t')).message).toBe("ffi.sizeof('handle_t'): 'handle_t' is opaque ('typedef ... handle_t;'); use pointers to it");
    expect(() => ffi.new('handle_t *')).toThrow(/handle_t/);
  });

  test('a dlopen() library refuses functions and globals whose types wait for verify()', () => {
    const lib = ffi.dlopen(null);
    expect(failure(() => lib.foo_get_x).message).toBe(
      `the C library: 'foo_get_x': ${notYet('layout', 'struct foo_s')} (the cdef leaves it to the C compiler with '...')`,
    );
    expect(failure(() => lib.big_twice).message).toContain(notYet('size', 'big_t'));
    expect(failure(() => lib.primes).message).toBe("the C library: global 'primes': its length comes from the compiler ('[...]'), so use verify()");
    expect(failure(() => lib.ALL_ONES).message).toMatch(/constant 'ALL_ONES' has no value here; its value comes from the compiler/);
  });
});

describe('after verify()', () => {
  let ffi: FFI;
  let holder: CData;
  let early: CData;
  let beforeVerify: Error;
  let C: Lib;
  beforeAll(() => {
    ffi = declared();
    // A pointer to a partial struct read before verify() makes its cdata class, without fields (the layout is unknown).
    const memory = ffi.new('char[64]');
    holder = ffi.cast('struct holder *', ffi.new('uintptr_t *', ffi.cast('uintptr_t', memory)))!;
    early = holder.p;
    beforeVerify = failure(() => early.x); // the fields are not known yet, and it says so
    C = ffi.verify(fixture('apimode.c'), { filename: 'apimode.c' });
  });

  test('a partial struct gets the compiler layout: the field at offset 8 of 24 bytes', () => {
    expect(C.foo_size()).toBe(24);
    expect(C.foo_x_offset()).toBe(8);
    expect(ffi.sizeof('struct foo_s')).toBe(24);
    expect(ffi.alignof('struct foo_s')).toBe(8);
    expect(ffi.offsetof('struct foo_s', 'x')).toBe(8);
    expect(struct(ffi.typeof('struct foo_s')).fields?.map((f) => [f.name, f.offset])).toEqual([['x', 8]]);
  });

  test('ffi.new, field access and C agree on the layout', () => {
    const p = ffi.new('struct foo_s *', { x: 77 });
    expect(ffi.sizeof(p[0])).toBe(24);
    expect(C.foo_get_x(p)).toBe(77);
    C.foo_fill(p);
    expect(p.x).toBe(1234);
    expect(ffi.cast('long *', p)![0]).toBe(-1);
  });

  test('structs by value through the wrappers use the compiler layout', () => {
    const s = C.foo_make(31);
    expect(s.x).toBe(31);
    expect(C.foo_x_of(s)).toBe(31);
    expect(C.foo_x_of({ x: 5 })).toBe(5);
  });

  test('a struct holding a partial struct by value is laid out by the compiler', () => {
    expect(ffi.offsetof('struct outer', 'inner')).toBe(C.outer_inner_offset());
    expect(ffi.sizeof('struct outer')).toBe(C.outer_size());
    expect([ffi.offsetof('struct outer', 'inner'), ffi.sizeof('struct outer')]).toEqual([8, 32]);
    const o = ffi.new('struct outer *', { tag: 1, inner: { x: 9 } });
    expect(C.foo_get_x(ffi.addressof(o, 'inner'))).toBe(9);
  });

  test('the cdata class of a pointer made before verify() is made again with the fields once the layout is known', () => {
    expect(beforeVerify.message).toBe(`'struct foo_s': ${notYet('layout', 'struct foo_s')} (the cdef leaves it to the C compiler with '...')`);
    early.x = 54; // a pointer made before verify() reaches the fields too, now that they are known
    expect(early.x).toBe(54);
    const again = holder.p;
    again.x = 55;
    expect(again[ADDR]).toBe(early[ADDR]);
    expect(C.foo_get_x(again)).toBe(55);
  });

  test('a 17-element [...] array field gets its length, bounds checks included', () => {
    expect(struct(ffi.typeof('struct samples')).fields?.map((f) => f.type.cname)).toEqual(['int[17]', 'short']);
    const s = ffi.new('struct samples *');
    expect(s.values.length).toBe(17);
    C.samples_fill(s);
    expect(s.values[16]).toBe(256);
    expect(s.tail).toBe(-3);
    s.values[0] = 1000;
    expect(C.samples_sum(s)).toBe(1000 + [...Array(17).keys()].slice(1).reduce((a, i) => a + i * i, 0));
    expectThrow(() => s.values[17], RangeError, "cdata 'int[17]': index 17 is out of bounds (length 17)");
    expectThrow(() => ffi.new('struct samples *', { values: new Array(18).fill(0) }), RangeError, "ffi.new('struct samples *'): field 'values': 18 items do not fit in 'int[17]'");
  });

  test('a [...] global gets its length', () => {
    expect(C.primes.length).toBe(6);
    expect([...C.primes]).toEqual([2, 3, 5, 7, 11, 13]);
    expectThrow(() => C.primes[6], RangeError, "cdata 'int[6]': index 6 is out of bounds (length 6)");
  });

  test("'#define X ...' takes the value whatever its type or sign; stated values and static consts are checked or read", () => {
    expect(C.ALL_ONES).toBe(18446744073709551615n);
    expect(C.MINUS_44).toBe(-44);
    expect(C.ANSWER).toBe(42);
    expect(C.LIMIT).toBe(99);
  });

  test('a partial enum takes the values of the names it lists, negative ones included', () => {
    expect([C.LOWEST, C.LOWER, C.LOW]).toEqual([-20, -19, -1]);
    const t = ffi.typeof('enum level');
    expect(t.kind === 'enum' && [t.relements, t.base.name]).toEqual([{ LOWEST: -20, LOWER: -19, LOW: -1 }, 'int']);
    expect(ffi.sizeof('enum level')).toBe(4);
    expect(C.level_of('LOWER')).toBe(-38);
    expect(ffi.string(ffi.cast('enum level', -1))).toBe('LOW');
  });

  test("'typedef int...' becomes the real size and signedness ('long' and 'unsigned short'); 'typedef float...' the real floating type", () => {
    expect([ffi.sizeof('big_t'), ffi.sizeof('small_t'), ffi.sizeof('real_t')]).toEqual([8, 2, 8]);
    expect(C.big_twice(2n ** 40n)).toBe(2 ** 41);
    expect(C.big_twice(-(2n ** 60n))).toBe(-(2n ** 61n));
    expect(C.small_next(65535)).toBe(0);
    expectThrow(() => C.small_next(-1), RangeError, "small_next() argument 1 ('v'): -1 does not fit in 'small_t' (0 to 65535)");
    expect(C.real_half(1)).toBe(0.5);
    expect(ffi.cast('small_t', 70000)).toBe(70000 - 65536);
    const v = ffi.new('big_t[2]', [1, -(2n ** 62n)]);
    expect(v[1]).toBe(-(2n ** 62n));
  });

  test('a function-like macro and a static inline function are callable through the wrappers', () => {
    expect(C.square(7)).toBe(49);
    expect(C.square(-12)).toBe(144);
    expect(C.cube(5)).toBe(125);
    expectThrow(() => C.cube(1.5), TypeError, "cube() argument 1 ('x'): expected an integer for 'int', got 1.5");
  });

  test('a dlopen() library made before verify() knows the enumerators verify() settled', () => {
    const other = new FFI();
    other.cdef('enum level { LOWEST, LOWER, LOW, ... };');
    const early = other.dlopen(null);
    expect(() => early.LOWER).toThrow(/has no value here/);
    other.verify(fixture('apimode.c'), { filename: 'apimode.c' });
    expect(early.LOWER).toBe(-19);
  });

  test('an opaque type travels through pointers', () => {
    const h = C.handle_open(4242);
    expect(ffi.typeof(h).cname).toBe('handle_t *');
    expect(C.handle_secret(h)).toBe(4242);
    expect(() => ffi.sizeof('handle_t')).toThrow(/opaque/);
  });
});

describe('checks against the compiler', () => {
  test('an exact struct whose layout differs fails verify(), naming the field and both offsets', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int x; int y; };');
    expect(() => ffi.verify('struct foo_s { int y; int x; };')).toThrow(
      new VerificationError("struct foo_s: wrong offset for field 'x' (cdef says 0, but the C compiler says 4)"),
    );
  });

  test('a field of the wrong size fails verify() even where the offsets agree, in exact and partial structs', () => {
    const exact = new FFI();
    exact.cdef('struct m { int a; signed char b; };'); // integers of any size pass the type check: the size check catches this
    expect(() => exact.verify('struct m { int a; short b; };')).toThrow("struct m: wrong size for field 'b' (cdef says 1, but the C compiler says 2)");
    const partial = new FFI();
    partial.cdef('struct p { short x; ...; };');
    expect(() => partial.verify('struct p { long a; int x; };')).toThrow("struct p: wrong size for field 'x' (cdef says 2, but the C compiler says 4)");
  });

  test('a field of another type fails verify() even where size and offset agree (int * against long *, float against int)', () => {
    const pointers = new FFI();
    pointers.cdef('struct s { int *p; };');
    expect(() => pointers.verify('struct s { long *p; };')).toThrow(VerificationError);
    expect(() => pointers.verify('struct s { long *p; };')).toThrow(/^struct s: field 'p': its type in source\.c is not the cdef's: .*incompatible pointer type/);
    const floats = new FFI();
    floats.cdef('struct s { float x; };');
    expect(() => floats.verify('struct s { int x; };')).toThrow(/^struct s: field 'x': its type in source\.c is not the cdef's/);
    const ints = new FFI();
    ints.cdef('struct s { int x; };');
    expect(() => ints.verify('struct s { float x; };')).toThrow(/^struct s: field 'x': its type in source\.c is not the cdef's: invalid operands to binary (\||expression)/); // gcc, clang
    // integers differing only in sign pass (as in CFFI), and so do matching types
    const ok = new FFI();
    ok.cdef('struct s { unsigned int a; int *p; const char *name; double d[2]; };');
    ok.verify('struct s { int a; int *p; const char *name; double d[2]; };');
    expect(ok.offsetof('struct s', 'd')).toBe(24); // a (4), padding (4), p (8), name (8)
  });

  test('a field the source lacks, or a struct it does not define, is said so', () => {
    const ffi = new FFI();
    ffi.cdef('struct s { int x; int y; };');
    expect(() => ffi.verify('struct s { int x; };')).toThrow(/^struct s: field 'y': the cdef declares 'y' but source\.c's struct s has no such field\n/);
    expect(() => ffi.verify('')).toThrow(/^struct s: the cdef declares its fields but source\.c does not define it\n/);
  });

  test('a #define whose value differs fails verify(), naming both values; a floating one is refused', () => {
    const ffi = new FFI();
    ffi.cdef('#define FOO 123');
    expect(() => ffi.verify('#define FOO 124')).toThrow('#define FOO: wrong value (cdef says 123, but the C compiler says 124)');
    const f2 = new FFI();
    f2.cdef('#define HALF ...');
    expect(() => f2.verify('#define HALF 0.5')).toThrow('#define HALF: the C compiler says its value is not an integer; cdef takes integer constants only');
  });

  test('a value a partial enum states is checked', () => {
    const ffi = new FFI();
    ffi.cdef('enum e { A, B = 5, ... };');
    expect(() => ffi.verify('enum e { Z, A, B };')).toThrow('enum e: enumerator B: wrong value (cdef says 5, but the C compiler says 2)');
  });

  test("'typedef int...' over a floating type, and 'typedef float...' over an integer, are refused", () => {
    const a = new FFI();
    a.cdef('typedef int... t;');
    expect(() => a.verify('typedef double t;')).toThrow("typedef int... t: the C compiler says it is a floating type; declare it 'typedef float... t;'");
    const b = new FFI();
    b.cdef('typedef float... t;');
    expect(() => b.verify('typedef int t;')).toThrow("typedef float... t: the C compiler says it is an integer type; declare it 'typedef int... t;'");
  });

  test('a failed verify() settles nothing; a later one settles, and checks against what it settled', () => {
    const ffi = new FFI();
    ffi.cdef('struct s { int x; ...; };\nstruct bad { int a; };');
    expectThrow(() => ffi.verify('struct s { long p; int x; };\nstruct bad { long a; };'), VerificationError, 'struct bad: wrong size (cdef says 4, but the C compiler says 8)');
    expect(() => ffi.sizeof('struct s')).toThrow(/not known until verify\(\)/);
    ffi.verify('struct s { long p; int x; };\nstruct bad { int a; };');
    expect(ffi.offsetof('struct s', 'x')).toBe(8);
    expect(() => ffi.verify('struct s { int x; };\nstruct bad { int a; };')).toThrow('struct s: wrong size (cdef says 16, but the C compiler says 4)');
  });
});

describe('prototype checks', () => {
  const source = '#include <stddef.h>\ndouble add(double a, double b) { return a + b; }\nint ok(int x) { return x; }\n';

  test('by default the wrapper calls with the cdef types and the compiler converts (as CFFI does)', () => {
    const ffi = new FFI();
    ffi.cdef('short widen(signed char); long same(long);\nint add(int a, int b);');
    const lib = ffi.verify('signed char widen(signed char x) { return x; }\nlong long same(long long x) { return x; }\n' + source);
    expect([lib.widen(-128), lib.widen(127), lib.same(2 ** 40), lib.add(1, 2)]).toEqual([-128, 127, 2 ** 40, 3]);
  });

  test('with strictPrototypes, a prototype that disagrees with the source fails verify(), naming the function and the source line', () => {
    const ffi = new FFI();
    ffi.cdef('int ok(int x);\nint add(int a, int b);');
    const e = failure(() => ffi.verify(source, { filename: 'proto.c', strictPrototypes: true })) as VerificationError;
    expect(e).toBeInstanceOf(VerificationError);
    const first = e.message.split('\n')[0];
    // gcc's note gives the type the source declares; clang's note only points at the line.
    const as = ccFamilyByName() === 'gcc' ? " (as 'double(double, double)')" : '';
    expect(first).toBe(
      `add(): cdef declares 'int add(int, int)' but proto.c:2 defines it differently${as}; ` +
        'make the cdef prototype match the source (the same C types, not only the same sizes), or leave strictPrototypes off to let the compiler convert',
    );
    expect(first).not.toMatch(/\bok\(\)/);
    expect(e.diagnostics).toMatch(/proto\.c:2:\d+: note: /);
    expect(e.diagnostics).toMatch(/^cdef:2:5: error: add\(\): cdef declares/m);
    expect(e.message).not.toMatch(/\/tmp\/|node-cffi-glue/);
    // long and long long differ to the compiler even where both have 64 bits
    const sizes = new FFI();
    sizes.cdef('long same(long);');
    expect(() => sizes.verify('long long same(long long x) { return x; }', { strictPrototypes: true })).toThrow(/^same\(\): cdef declares 'long same\(long\)'/);
  });

  const installed = ['gcc', 'clang'].filter((c) => spawnSync(c, ['-v']).error === undefined);
  test.each(installed)('with strictPrototypes (%s), a prototype that disagrees with a system header says so, beside another error too', (compiler) => {
    const ffi = new FFI();
    ffi.cdef('double atof(char *);');
    const header = /^atof\(\): cdef declares 'double atof\(char \*\)' but \/\S+\.h:\d+ (?:declares|defines) it differently/;
    const alone = failure(() => ffi.verify('#include <stdlib.h>\n', { compiler, strictPrototypes: true })) as VerificationError;
    expect(alone.message).toMatch(header);
    expect(alone.message).not.toMatch(/node-cffi-glue/);
    const two = new FFI();
    two.cdef('double atof(char *);\nint other(void *);');
    const both = failure(() => two.verify('#include <stdlib.h>\nint other(const void *p) { return 0; }\n', { compiler, strictPrototypes: true })) as VerificationError;
    expect(both.message).toMatch(/atof\(\): /);
    expect(both.message).toMatch(/other\(\): cdef declares/);
  });

  test('verifyAsync explains it the same way', async () => {
    const ffi = new FFI();
    ffi.cdef('int add(int a, int b);');
    await expect(ffi.verifyAsync(source, { filename: 'proto.c', strictPrototypes: true })).rejects.toThrow(
      /^add\(\): cdef declares 'int add\(int, int\)' but proto\.c:2 defines it differently/,
    );
  });

  test('a matching prototype, a macro, and a library function declared in a header pass', () => {
    const ffi = new FFI();
    ffi.cdef('double add(double, double);\nint twice(int);\nsize_t strlen(const char *s);');
    const C = ffi.verify(`${source}#include <string.h>\n#define twice(x) (2 * (x))\n`);
    expect([C.add(1, 2), C.twice(21), C.strlen('four')]).toEqual([3, 42, 4]);
  });
});

describe('constants and const globals', () => {
  test('a const global is a constant: read by value, never written (as in CFFI)', () => {
    const ffi = new FFI();
    ffi.cdef('const int version; int *const counter_p; int (*const cb)(int); typedef const int const_t; const_t limit;');
    const lib = ffi.verify('const int version = 3;\nstatic int counter;\n#define counter_p (&counter)\nstatic int twice(int x) { return 2 * x; }\n#define cb twice\ntypedef const int const_t;\n#define limit 9\n');
    expect([lib.version, lib.cb(21), lib.limit]).toEqual([3, 42, 9]);
    lib.counter_p[0] = 5;
    expect(lib.counter_p[0]).toBe(5);
    expect(() => {
      lib.limit = 10;
    }).toThrow(FFIError);
    expect(() => {
      lib.limit = 10;
    }).toThrow("the verify() library for source.c: 'limit' is a constant; it cannot be assigned");
  });

  test('assigning a const global never writes its read-only memory (it used to crash the process)', () => {
    const r = runChild(`
      const { FFI } = require(LIB);
      const ffi = new FFI();
      ffi.cdef('const int a;');
      const lib = ffi.verify('const int a = 4;');
      try { lib.a = 5; } catch (e) { console.log(e.name + ': ' + e.message); }
      console.log(lib.a);`);
    expect({ ending: ending(r), stdout: r.stdout }).toEqual({
      ending: 'exit 0',
      stdout: "FFIError: the verify() library for source.c: 'a' is a constant; it cannot be assigned\n4\n",
    });
  });

  test("constants of other types than integers: a 'char *' cdata (or null), a number, a struct, a function pointer", () => {
    const ffi = new FFI();
    ffi.cdef('static char *const PP; static char *const NP; static const double D; static const float F; struct pt { int x, y; }; const struct pt ORIGIN;');
    const lib = ffi.verify('static char *const PP = "testing!";\n#define NP NULL\nstatic const double D = -2.25;\nstatic float f(void) { return 1.5f; }\n#define F (f())\nstruct pt { int x, y; };\nconst struct pt ORIGIN = { 4, 2 };\n');
    expect(ffi.typeof(lib.PP)).toBe(ffi.typeof('char *'));
    expect(ffi.string(lib.PP)).toBe('testing!');
    expect([lib.NP, lib.D, lib.F]).toEqual([null, -2.25, 1.5]);
    expect([lib.ORIGIN.x, lib.ORIGIN.y]).toEqual([4, 2]);
    expect(lib.PP).toBe(lib.PP); // read once
  });

  test('a constant of a type without a size is refused when used', () => {
    const ffi = new FFI();
    ffi.cdef('typedef ... opaque_t; const opaque_t CONSTANT;');
    const lib = ffi.verify('typedef int opaque_t;\nconst opaque_t CONSTANT = 42;\n');
    expect(() => lib.CONSTANT).toThrow(FFIError);
    expect(() => lib.CONSTANT).toThrow("the verify() library for source.c: constant 'CONSTANT' is of type 'opaque_t', whose size is not known");
  });

  test('from dlopen(), a const global is read from its symbol', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-const-'));
    fs.writeFileSync(path.join(dir, 'v.c'), 'const int version = 12;\n');
    const so = path.join(dir, 'libv.so');
    expect(spawnSync(process.env.CC ?? 'cc', ['-shared', '-fPIC', '-o', so, path.join(dir, 'v.c')]).status).toBe(0);
    const ffi = new FFI();
    ffi.cdef('const int version; static const int FROM_C;');
    const lib = ffi.dlopen(so);
    expect(lib.version).toBe(12);
    expect(() => lib.FROM_C).toThrow("'" + so + "': constant 'FROM_C' has no value here; its value comes from the compiler, so use verify()");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('what the glue cannot do is refused before compiling', () => {
  test('a struct without fields passed or returned by value (CFFI: opaque)', () => {
    const result = new FFI();
    result.cdef('struct a foo(int);');
    expect(() => result.verify('')).toThrow(TypeError);
    expect(() => result.verify('')).toThrow("ffi.verify(): function foo: 'struct a' is used as result type, but is opaque");
    const arg = new FFI();
    arg.cdef('typedef ... foo_t; int use(int, foo_t);');
    expect(() => arg.verify('')).toThrow("ffi.verify(): function use: 'foo_t' is used as argument 2 type, but is opaque");
  });

  test('an anonymous struct is named through the typedef of a pointer to it; one nothing names is refused', () => {
    const ffi = new FFI();
    ffi.cdef('typedef struct { int x; } *mystruct_p; mystruct_p ff5a(mystruct_p);');
    const lib = ffi.verify('typedef struct { int x; } *mystruct_p;\nmystruct_p ff5a(mystruct_p p) { p->x += 40; return p; }\n');
    const p = ffi.new('mystruct_p', [2]);
    expect(lib.ff5a(p).x).toBe(42);
    const bad = new FFI();
    bad.cdef('typedef struct { int x; } **sp; void foo(sp);');
    expect(() => bad.verify('')).toThrow(VerificationError);
    expect(() => bad.verify('')).toThrow(/^foo\(\): the glue cannot spell 'struct \$1' in C: it has no tag, and no typedef names it or a pointer to it/);
  });

  test('C functions named like JavaScript keywords, or like names the caller uses, are called', () => {
    const ffi = new FFI();
    ffi.cdef('int function(int); int delete(int); int new(int); int class(int); int this(int); int raw(int); int guard(int);');
    const lib = ffi.verify(['function', 'delete', 'new', 'class', 'this', 'raw', 'guard'].map((n, i) => `int ${n}(int x) { return x + ${i}; }`).join('\n'));
    expect([lib.function(10), lib.delete(10), lib.new(10), lib.class(10), lib.this(10), lib.raw(10), lib.guard(10)]).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(lib.delete.name).toBe('delete');
  });
});

describe('the generated probes under strict warnings', () => {
  test('compile under -Werror -Wall -Wextra -Wconversion: unsigned and signed constants, enums and typedefs', () => {
    // gcc's -Wtype-limits (in -Wextra) once rejected the probes' '< 0' on unsigned values.
    const ffi = new FFI();
    ffi.cdef(
      '#define BIG ...\n#define NEG ...\nenum flags { F1, F2, ... };\ntypedef int... ushort_t;\ntypedef int... schar_t;\n' +
        'static const unsigned long K;\nstatic const long L;',
    );
    const C = ffi.verify(
      '#define BIG 0xffffffffffffffffULL\n#define NEG (-44)\nenum flags { F1 = 1, F2 = 7 };\n' +
        'typedef unsigned short ushort_t;\ntypedef signed char schar_t;\nstatic const unsigned long K = 5;\nstatic const long L = -5;\n',
      { extraCompileArgs: ['-Werror', '-Wall', '-Wextra', '-Wconversion', '-Wno-unused-parameter'] },
    );
    expect([C.BIG, C.NEG, C.F1, C.F2, C.K, C.L]).toEqual([2n ** 64n - 1n, -44, 1, 7, 5, -5]);
    // Signedness as C has it: the enum (values 1 and 7) and ushort_t unsigned, schar_t signed.
    expect([ffi.cast('ushort_t', -1), ffi.cast('schar_t', -1), ffi.sizeof('enum flags'), ffi.typeof('enum flags').cname]).toEqual([
      65535, -1, 4, 'enum flags',
    ]);
    expect(Number(ffi.cast('unsigned int', ffi.cast('enum flags', -1)))).toBe(4294967295);
  });
});

describe('const globals', () => {
  test('a cdef that declares the const of the source verifies, whatever the compiler', () => {
    // The accessor returning a global's address is typed with the global's qualifiers: clang
    // refuses to drop a 'const' there (gcc only warns), so without them it refused these cdefs.
    const ffi = new FFI();
    ffi.cdef('extern const int a[];\nextern const int b;\nextern const char *const names[2];\nstruct s { int x; };\nextern const struct s k;');
    const C = ffi.verify(
      'const int a[5] = { 1, 2, 3, 4, 5 };\nconst int b = 3;\nconst char *const names[2] = { "x", "y" };\n' +
        'struct s { int x; };\nconst struct s k = { 4 };\n',
      { extraCompileArgs: ['-Werror'] },
    );
    expect([C.a[4], C.b, ffi.string(C.names[1]), C.k.x]).toEqual([5, 3, 'y', 4]);
    expect(String(ffi.typeof(C.names))).toBe("<ctype 'char *[2]'>"); // CFFI's spelling: no qualifiers
  });
});
