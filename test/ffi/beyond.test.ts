// Calls beyond scalars against real C: callbacks, function pointers, structs by value, varargs, globals, errno, handles, async.
import { spawnSync } from 'child_process';
import { CData, CFunction, FFI, FFIError, Lib } from '../../lib';
import { ending, runChild } from '../helpers/child';
import { sharedLibrary, verifyFixture } from '../helpers/fixtures';
import { expectReject, expectThrow } from '../helpers/throws';

const CDEF = `
typedef int (*binop_t)(int, int);
void store_op(binop_t f);
int call_stored(int a, int b);
int apply(int (*f)(int, int), int a, int b);
int (*get_op(int which))(int, int);
struct ops { binop_t op; int bias; };
int run_ops(const struct ops *o, int a, int b);
struct ops default_ops;
void sort_ints(int *v, size_t n, int (*cmp)(const void *, const void *));
typedef void (*visit_t)(const char *name, int value, void *ctx);
void visit_all(visit_t cb, void *ctx);
double call_double(double (*f)(double, float), double a);
long long call_wide(long long (*f)(long long));

struct pt { int x; double y; };
struct mixed { char c; short s; int i; long long l; float f; double d; };
struct three { unsigned char a, b, c; };
union num { int i; float f; };
struct pt make_pt(int x, double y);
double pt_len2(struct pt p);
struct mixed mixed_double(struct mixed m);
struct three three_rot(struct three t);
union num num_from_int(int i);
struct pt pt_via_cb(struct pt (*f)(struct pt), struct pt p);

int counter;
int table[4];
struct cfg { int level; double ratio; char name[8]; } ;
struct cfg settings;
int sum_table(void);
int bump(void);

int fail_with(int e);
int read_errno(void);
void *keep_handle(void *h);
int slow_add(int a, int b, int ms);
int wait_for_flag(volatile int *flag, int limit_ms);
int snprintf(char *buf, size_t n, const char *fmt, ...);
`;

let ffi: FFI;
let C: Lib;
beforeAll(() => ({ ffi, lib: C } = verifyFixture('beyond.c', CDEF)));

describe('callbacks', () => {
  test('a callback that throws something without a prototype still gives C its error value, with a warning', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const thrower = ffi.callback('int(int, int)', () => {
        throw Object.create(null);
      }, { error: -5 });
      expect(C.apply(thrower, 1, 2)).toBe(-5);
      expect(C.apply((() => { throw Object.create(null); }) as never, 1, 2)).toBe(0);
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[0][0])).toMatch(/an exception in ffi\.callback\('int\(int, int\)'\) was not handled/);
    } finally {
      warn.mockRestore();
    }
  });

  test('a callback C stores and calls later', () => {
    const mul = ffi.callback('int(int, int)', (a: number, b: number) => a * b);
    C.store_op(mul);
    expect(C.call_stored(6, 7)).toBe(42);
    expect(C.call_stored(3, 3)).toBe(9);
    expect(ffi.typeof(mul).cname).toBe('int(*)(int, int)');
    expect(mul(2, 5)).toBe(10); // a callback is a function pointer: callable from JS too
  });

  test('typedef names and pointer types are accepted as the callback type', () => {
    const sub = ffi.callback('binop_t', (a: number, b: number) => a - b);
    expect(C.apply(sub, 10, 4)).toBe(6);
    const add = ffi.callback('int(*)(int, int)', (a: number, b: number) => a + b);
    expect(C.apply(add, 10, 4)).toBe(14);
  });

  test('qsort with a JavaScript comparator', () => {
    const v = ffi.new('int[]', [5, 3, 9, 1, 7]);
    const cmp = ffi.callback('int(const void *, const void *)', (a, b) => ffi.cast('int *', a)![0] - ffi.cast('int *', b)![0]);
    C.sort_ints(v, 5, cmp);
    expect([...v]).toEqual([1, 3, 5, 7, 9]);
    // A plain function works for the duration of one call.
    C.sort_ints(v, 5, (a: unknown, b: unknown) => ffi.cast('int *', b)![0] - ffi.cast('int *', a)![0]);
    expect([...v]).toEqual([9, 7, 5, 3, 1]);
    const libc = new FFI();
    libc.cdef('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));');
    const words = ffi.new('int[]', [30, 10, 20]);
    libc.dlopen(null).qsort(words, 3, 4, cmp);
    expect([...words]).toEqual([10, 20, 30]);
  });

  test('arguments arrive converted (strings as char pointers, handles as void pointers)', () => {
    const seen: [string, number, unknown][] = [];
    const bag = { name: 'bag' };
    const h = ffi.newHandle(bag);
    const visit = ffi.callback('visit_t', (name, value, ctx) => {
      seen.push([ffi.string(name), value, ffi.fromHandle(ctx)]);
    });
    C.visit_all(visit, h);
    expect(seen).toEqual([['one', 1, bag], ['two', 2, bag]]);
  });

  test('floats, doubles and 64-bit integers cross in both directions', () => {
    const f = ffi.callback('double(double, float)', (a: number, b: number) => a + b);
    expect(C.call_double(f, 1.25)).toBe(1.75);
    const w = ffi.callback('long long(long long)', (x: number) => x * 2);
    expect(C.call_wide(w)).toBe(2 ** 33);
  });

  test('a callback that throws: C gets the error value, onerror sees the error, the process goes on', () => {
    const errors: unknown[] = [];
    const bad = ffi.callback('int(int, int)', () => {
      throw new Error('boom');
    }, { error: -1, onerror: (e) => void errors.push(e) });
    expect(C.apply(bad, 1, 2)).toBe(-1);
    expect((errors[0] as Error).message).toBe('boom');
    const rescued = ffi.callback('int(int, int)', () => {
      throw new Error('x');
    }, { onerror: () => 77 });
    expect(C.apply(rescued, 1, 2)).toBe(77);
    const wrongResult = ffi.callback('int(int, int)', () => 'not a number', { error: 5, onerror: (e) => void errors.push(e) });
    expect(C.apply(wrongResult, 1, 2)).toBe(5);
    expect(String(errors[1])).toMatch(/expected an integer for 'int'/);
  });

  test('without onerror an exception is reported as a warning, and C gets 0', () => {
    const script = `
      const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
      const ffi = new FFI();
      ffi.cdef('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));');
      const v = ffi.new('int[]', [2, 1]);
      ffi.dlopen(null).qsort(v, 2, 4, ffi.callback('int(const void *, const void *)', () => { throw new Error('unhandled here'); }));
      console.log('still running', [...v].join(','));`;
    const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('still running 2,1'); // the comparator "returned" 0 both times: nothing moved
    expect(r.stderr).toMatch(/CallbackError: an exception in ffi.callback\('int\(void \*, void \*\)'\) was not handled/);
    expect(r.stderr).toMatch(/unhandled here/);
  });

  test('bad callback arguments are refused up front', () => {
    expect(() => ffi.callback('int', () => 0)).toThrow(/expected a function type/);
    expect(() => ffi.callback('int(int)', 5 as never)).toThrow(/expected a JavaScript function/);
    expectThrow(() => ffi.callback('int(int)', () => 0, { error: 'x' }), TypeError, 'ffi.callback(\'int(int)\'): the result: expected an integer for \'int\', got string "x"');
  });

  test('ffi.release frees the slot now; the callback cannot be called afterwards', () => {
    const cb = ffi.callback('int(int, int)', (a: number) => a);
    expect(C.apply(cb, 8, 0)).toBe(8);
    ffi.release(cb);
    expect(() => cb(1, 2)).toThrow(/released/);
    expect(() => C.apply(cb, 1, 2)).toThrow(/released/);
  });
});

describe('function pointers', () => {
  test('returned by C, called from JS with the same checks', () => {
    const plus = C.get_op(0);
    const minus = C.get_op(1);
    expect(plus(2, 3)).toBe(5);
    expect(minus(2, 3)).toBe(-1);
    expect(() => plus(1)).toThrow(/expected 2 arguments, got 1/);
    expectThrow(() => plus(1, 'x'), TypeError, '\'int(*)(int, int)\' argument 2: expected an integer for \'int\', got string "x"');
    expect(ffi.typeof(plus).cname).toBe('int(*)(int, int)');
    expect(C.apply(minus, 10, 1)).toBe(9); // and passed back to C
  });

  test('read from a struct field or a global, and set from JS', () => {
    expect(C.default_ops.op(4, 5)).toBe(9);
    expect(C.run_ops(ffi.addressof(C.default_ops), 1, 1)).toBe(102);
    const o = ffi.new('struct ops *', { bias: 1 });
    o.op = ffi.callback('binop_t', (a: number, b: number) => a * b);
    expect(C.run_ops(o, 3, 4)).toBe(13);
    expect(o.op(3, 4)).toBe(12);
  });

  test('made by ffi.cast from an address, and ffi.addressof(lib, name)', () => {
    const addr = ffi.cast('uintptr_t', C.get_op(0));
    const again = ffi.cast('int(*)(int, int)', addr)!;
    expect(again(20, 22)).toBe(42);
    const bump = ffi.addressof(C, 'bump') as CFunction;
    expect(ffi.typeof(bump).cname).toBe('int(*)()');
    const before = C.counter;
    expect(bump()).toBe(before + 1);
    const counterPtr = ffi.addressof(C, 'counter');
    expect(counterPtr[0]).toBe(before + 1);
    expect(() => ffi.addressof(C, 'nosuch')).toThrow(/declares no function or global named 'nosuch'/);
  });
});

describe('structs and unions by value', () => {
  test('results are owned struct cdata; arguments take cdata or plain objects', () => {
    const p = C.make_pt(3, 4);
    expect(ffi.typeof(p).cname).toBe('struct pt');
    expect([p.x, p.y]).toEqual([3, 4]);
    expect(String(p)).toMatch(/owning 16 bytes/);
    expect(C.pt_len2(p)).toBe(25);
    expect(C.pt_len2({ x: 1, y: 1.25 })).toBe(1 + 1.5625);
    expect(C.pt_len2([2, 0])).toBe(4);
    expect(() => C.pt_len2({ z: 1 })).toThrow(/'struct pt' has no field 'z'/);
    expectThrow(() => C.pt_len2(ffi.new('struct three *')[0]), TypeError, "pt_len2() argument 1 ('p'): expected 'struct pt', got cdata 'struct three'");
  });

  test('a struct with fields of every size, and one of 3 bytes', () => {
    const m = C.mixed_double({ c: 1, s: 2, i: 3, l: 4n, f: 1.5, d: 2.25 });
    expect([m.c, m.s, m.i, m.l, m.f, m.d]).toEqual([2, 4, 6, 8, 3, 4.5]);
    const t = C.three_rot({ a: 1, b: 2, c: 3 });
    expect([t.a, t.b, t.c]).toEqual([2, 3, 1]);
  });

  test('unions by value', () => {
    const n = C.num_from_int(0x3f800000);
    expect(n.f).toBe(1);
  });

  test('the argument is a copy: C writing to its parameter leaves the caller struct alone', () => {
    const m = ffi.new('struct mixed *', { c: 1, s: 2, i: 3, l: 4n, f: 1.5, d: 2.25 });
    const r = C.mixed_double(m[0]); // doubles each field of its parameter, then returns it
    expect([r.c, r.s, r.i, r.l, r.f, r.d]).toEqual([2, 4, 6, 8, 3, 4.5]);
    expect([m.c, m.s, m.i, m.l, m.f, m.d]).toEqual([1, 2, 3, 4, 1.5, 2.25]);
  });

  test('callbacks taking and returning structs by value', () => {
    const flip = ffi.callback('struct pt(struct pt)', (p) => ({ x: -p.x, y: -p.y }));
    const r = C.pt_via_cb(flip, { x: 2, y: 0.5 });
    expect([r.x, r.y]).toEqual([-2, -0.5]);
  });

  test('through dlopen (koffi records) as well as through the verify() wrappers', () => {
    const abi = new FFI();
    abi.cdef('struct pt { int x; double y; }; struct pt make_pt(int x, double y); double pt_len2(struct pt p); union num { int i; float f; }; union num num_from_int(int i);');
    const lib = abi.dlopen(sharedLibrary('beyond.c'));
    const p = lib.make_pt(6, 8);
    expect([p.x, p.y]).toEqual([6, 8]);
    expect(lib.pt_len2(p)).toBe(100);
    expect(lib.pt_len2({ x: 1, y: 0 })).toBe(1);
    expect(lib.num_from_int(0x3f800000).f).toBe(1);
  });

  test('unions by value through dlopen (koffi unions), integer, floating point and in memory, in and out, in structs and callbacks, as verify() passes them', () => {
    const DECLS = `union num { int i; float f; }; union fd { float f[2]; double d; }; union big { unsigned char b[24]; double d[3]; };
      struct tagged { int tag; union num v; double weight; };
      int num_bits(union num n, int shift); double fd_sum(union fd u, double more); union fd fd_of(double d);
      int big_sum(int before, union big u, int after); union big big_of(unsigned char first);
      struct tagged tagged_flip(struct tagged t); int num_via_cb(int (*f)(union num, struct tagged), int i);
      union num num_cb_result(union num (*f)(int), int i);`;
    const abi = new FFI();
    abi.cdef(DECLS);
    const api = verifyFixture('beyond.c', DECLS);
    const libs: [FFI, Lib][] = [[abi, abi.dlopen(sharedLibrary('beyond.c'))], [api.ffi, api.lib]];
    const results = libs.map(([f, lib]) => {
      // The union's bytes travel whole whichever member wrote them: a float read back as its bits.
      const n = f.new('union num *', { f: 1 });
      const fd = f.new('union fd *', { f: [0.25, 0.5] });
      const big = lib.big_of(10);
      const t = lib.tagged_flip({ tag: 3, v: { i: 5 }, weight: 1.5 });
      const seen: unknown[] = [];
      const cb = f.callback('int(union num, struct tagged)', (u: CData, tt: CData) => (seen.push([u.i, tt.tag, tt.v.i, tt.weight]), u.i * 2));
      const make = f.callback('union num(int)', (i: number) => ({ i: i + 100 }));
      return [
        lib.num_bits(n[0], 16), lib.num_bits({ i: 0x70000 }, 16), lib.fd_sum(fd[0], 1), lib.fd_of(2.5).d, [...lib.fd_of(2).f],
        lib.big_sum(1, big, 2), [big.b[0], big.b[23]], lib.big_sum(0, { d: [0, 0, 0] }, 5), [t.tag, t.v.i, t.weight],
        lib.num_via_cb(cb, 21), seen, lib.num_cb_result(make, 5).i,
      ];
    });
    expect(results[0]).toEqual([0x3f80, 7, 1.75, 2.5, [0, 2], 1000 + 2 + 24 * 10 + 276, [10, 33], 5, [-3, ~5, 3], 42, [[21, 7, 22, 0.5]], 105]);
    expect(results[1]).toEqual(results[0]);
  });

  test("a struct's anonymous union by value through dlopen, in and out and through callbacks, as verify() passes it", () => {
    const DECLS = `struct anon { int tag; union { int i; float f; void *p; }; double w; };
      struct anon anon_flip(struct anon a); int anon_via_cb(int (*f)(struct anon), int i);`;
    const abi = new FFI();
    abi.cdef(DECLS);
    const api = verifyFixture('beyond.c', DECLS);
    const results = ([[abi, abi.dlopen(sharedLibrary('beyond.c'))], [api.ffi, api.lib]] as [FFI, Lib][]).map(([f, lib]) => {
      const a = lib.anon_flip({ tag: 3, i: 5, w: 0.25 });
      // Written through the float, read back as the int: the union's bytes travel whole.
      const b = lib.anon_flip(f.new('struct anon *', { tag: 1, f: 1, w: 1 })[0]);
      const seen: unknown[] = [];
      const cb = f.callback('int(struct anon)', (s: CData) => (seen.push([s.tag, s.i, s.w]), s.i + 1));
      return [[a.tag, a.i, a.w], [b.tag, b.i], lib.anon_via_cb(cb, 41), seen];
    });
    expect(results[0]).toEqual([[-3, ~5, 0.5], [-1, ~0x3f800000], 42, [[5, 41, 1.5]]]);
    expect(results[1]).toEqual(results[0]);
  });

  test("a struct's bit-fields by value through dlopen, carried by integers: in registers of both classes, in memory, aligned by their type, in and out and through callbacks, as verify() passes them", () => {
    const DECLS = `struct flags { unsigned a : 3; unsigned b : 5; int c : 12; unsigned char tail; };
      struct fbits { float f; unsigned k : 4; float g; };
      struct wide { long long w : 40; unsigned short s : 9; double d; char name[9]; };
      struct lone { char c; long long x : 5; };
      struct flags flags_next(struct flags v); double fbits_sum(struct fbits v); struct fbits fbits_of(float f, unsigned k, float g);
      long long wide_mix(int before, struct wide v, int after); struct wide wide_of(long long w);
      long long lone_x(struct lone l); struct lone lone_of(char c, int x);
      int bits_via_cb(int (*f)(struct flags, struct fbits, struct wide), int i); struct flags flags_cb_result(struct flags (*f)(int), int i);`;
    const abi = new FFI();
    abi.cdef(DECLS);
    const api = verifyFixture('beyond.c', DECLS);
    const results = ([[abi, abi.dlopen(sharedLibrary('beyond.c'))], [api.ffi, api.lib]] as [FFI, Lib][]).map(([f, lib]) => {
      const n = lib.flags_next({ a: 6, b: 30, c: 2047, tail: 0x0f });
      const fb = lib.fbits_of(0.25, 13, 2);
      const w = lib.wide_of(-(2 ** 39));
      const l = lib.lone_of(3, -16);
      const seen: unknown[] = [];
      const cb = f.callback('int(struct flags, struct fbits, struct wide)', (a: CData, b: CData, c: CData) => {
        seen.push([a.a, a.b, a.c, a.tail, b.f, b.k, b.g, c.w, c.s, c.d, c.name[0]]);
        return a.c + b.k + Number(c.w);
      });
      const make = f.callback('struct flags(int)', (i: number) => ({ a: i & 7, b: 31, c: -i, tail: 200 }));
      const made = lib.flags_cb_result(make, 13);
      return [
        [n.a, n.b, n.c, n.tail], lib.fbits_sum({ f: 1.5, k: 15, g: 0.5 }), [fb.f, fb.k, fb.g], lib.fbits_sum(fb),
        lib.wide_mix(1, { w: 2 ** 39 - 1, s: 511, d: 7.75, name: [0, 0, 0, 0, 0, 0, 0, 0, 50] }, 2), [w.w, w.s, w.d, w.name[8]], lib.wide_mix(0, w, 0),
        lib.lone_x({ c: 2, x: 15 }), [l.c, l.x], f.sizeof('struct lone'), f.alignof('struct lone'),
        lib.bits_via_cb(cb, 4), seen, [made.a, made.b, made.c, made.tail],
      ];
    });
    expect(results[0]).toEqual([
      [7, 0, -2047, 0xf0], 150 + 150 + 0.5, [0.25, 13, 2], 25 + 130 + 2,
      1 + 2 ** 39 - 1 + 511000 + 7 + 50 + 2, [-(2 ** 39), 300, 2.5, 9], -(2 ** 39) + 300000 + 2 + 9,
      215, [3, -16], 8, 8,
      -100 + 9 - 4, [[5, 17, -100, 7, 0.5, 9, 1.5, -4, 511, 0.25, 120]], [5, 31, -13, 200],
    ]);
    expect(results[1]).toEqual(results[0]);
  });

  test('bit-fields in unions by value through dlopen, each in a struct of its own: as a member, in a struct\'s anonymous union, in an anonymous struct, in and out and through callbacks, as verify() passes them', () => {
    const DECLS = `union ub { unsigned a : 3; int b; }; struct sb { int t; union { unsigned a : 3; int b; }; double w; };
      union ubs { struct { unsigned lo : 4; unsigned hi : 4; }; unsigned char byte; };
      int ub_bits(union ub u); union ub ub_of(unsigned a); struct sb sb_next(struct sb s); union ubs ubs_swap(union ubs u);
      int ubs_via_cb(int (*f)(union ubs, union ub), int i);`;
    const abi = new FFI();
    abi.cdef(DECLS);
    const api = verifyFixture('beyond.c', DECLS);
    const results = ([[abi, abi.dlopen(sharedLibrary('beyond.c'))], [api.ffi, api.lib]] as [FFI, Lib][]).map(([f, lib]) => {
      const of = lib.ub_of(6);
      const s = lib.sb_next({ t: 1, a: 7, w: 0.5 });
      const u = lib.ubs_swap({ lo: 1, hi: 10 });
      const seen: unknown[] = [];
      const cb = f.callback('int(union ubs, union ub)', (x: CData, y: CData) => (seen.push([x.lo, x.hi, x.byte, y.a, y.b]), x.byte + y.b));
      return [lib.ub_bits({ a: 5 }), [of.a, of.b], [s.t, s.a, s.b, s.w], [u.lo, u.hi, u.byte], lib.ubs_via_cb(cb, 0x4c), seen];
    });
    expect(results[0]).toEqual([5, [6, 6], [2, 0, 0, 1], [10, 1, 0x1a], 0x4c + 5, [[12, 4, 0x4c, 5, 5]]]);
    expect(results[1]).toEqual(results[0]);
  });

  test('anonymous structs in unions by value through dlopen, as members of the koffi union: integer, floating point, in memory, in a struct, in and out and through callbacks, as verify() passes them', () => {
    const DECLS = `union hidden { struct { int a, b; }; long l; }; union vec2 { struct { float x, y; }; double d; };
      union mem3 { struct { double p, q; int r; }; char raw[24]; }; struct odd { int t; union { struct { short a, b; }; int c; }; };
      union hidden hidden_swap(union hidden h); float vec2_sum(union vec2 v); union vec2 vec2_of(float x, float y);
      double mem3_sum(int before, union mem3 m, int after); union mem3 mem3_of(double p); struct odd odd_next(struct odd o);
      int odd_via_cb(int (*f)(struct odd, union hidden, union vec2), int i);`;
    const abi = new FFI();
    abi.cdef(DECLS);
    const api = verifyFixture('beyond.c', DECLS);
    const results = ([[abi, abi.dlopen(sharedLibrary('beyond.c'))], [api.ffi, api.lib]] as [FFI, Lib][]).map(([f, lib]) => {
      const h = lib.hidden_swap({ a: 1, b: 2 });
      const v = lib.vec2_of(1.5, -2);
      const m = lib.mem3_of(8);
      const o = lib.odd_next({ t: 1, a: 10, b: 20 });
      // Written as the long, read back as the two ints: the union's bytes travel whole.
      const whole = lib.hidden_swap(f.new('union hidden *', { l: 0x300000004 })[0]);
      const seen: unknown[] = [];
      const cb = f.callback('int(struct odd, union hidden, union vec2)', (a: CData, b: CData, c: CData) => (seen.push([a.t, a.a, a.b, a.c, b.a, b.b, c.x, c.y]), a.t + b.b));
      return [
        [h.a, h.b, h.l], lib.vec2_sum({ x: 2, y: 0.5 }), [v.x, v.y], lib.vec2_sum(v), lib.mem3_sum(1, { p: 2, q: 3, r: 4 }, 5), [m.p, m.q, m.r], lib.mem3_sum(0, m, 0),
        [o.t, o.a, o.b, o.c], [whole.a, whole.b], lib.odd_via_cb(cb, 40), seen,
      ];
    });
    expect(results[0]).toEqual([
      [2, 1, 0x100000002], 20.5, [1.5, -2], 13, 1 + 200 + 30 + 4 + 5, [8, 4, 7], 800 + 40 + 7,
      [2, 11, 19, 11 + 19 * 65536], [3, 4], 46, [[40, 3, 4, 3 + 4 * 65536, 5, 6, 0.5, 2.5]],
    ]);
    expect(results[1]).toEqual(results[0]);
  });

  test('a union is refused by value through koffi only where no member of it holds all its bytes, or its members cannot be told apart, with the reason', () => {
    const abi = new FFI();
    abi.cdef(`union padded { struct { char c; int i; } s; float f; }; union fine { struct { char c; int i; } s; long l; };
      union gapped { struct { char c; int i; }; float f; }; union deep { struct { int t; union { int i; float f; }; }; long l[2]; };
      struct deeper { int t; union { struct { int k; union { int i; float f; }; }; long l; }; };`);
    expectThrow(() => abi.cast('int(*)(union padded)', 4096)!(0), FFIError,
      "ctype 'union padded' not supported as argument 1 of a call through a function pointer: no member of it holds all its bytes as a value (its largest, 's', has padding or a _Bool), and koffi passes a union as one of its members");
    expectThrow(() => abi.cast('int(*)(union gapped)', 4096)!(0), FFIError,
      "ctype 'union gapped' not supported as argument 1 of a call through a function pointer: no member of it holds all its bytes as a value (its largest, an anonymous struct of it, has padding or a _Bool), and koffi passes a union as one of its members");
    expectThrow(() => abi.cast('union deep(*)(void)', 4096)!(), FFIError,
      "ctype 'union deep' not supported as return value of a call through a function pointer: it holds an anonymous struct whose members cannot be told apart (an anonymous union in it)");
    expectThrow(() => abi.cast('int(*)(struct deeper)', 4096)!(0), FFIError,
      "ctype 'struct deeper' not supported as argument 1 of a call through a function pointer: it holds an anonymous union whose members ('k', 'l', 'i', 'f') cannot be told apart (an anonymous union in an anonymous struct of it)");
    // A member of the same size without padding carries it: the type passes, and the call goes on to the address (no code at 4096).
    expectThrow(() => abi.cast('int(*)(union fine)', 4096)!('x'), RangeError, /^'int\(\*\)\(union fine\)' at 0x1000: no code there: /);
    // A floating-point carrier whose exponent bytes an integer member writes: a NaN's bits would not arrive (V8 keeps one NaN).
    abi.cdef('union nanny { long long a; double d[3]; }; union low { int i; double d; }; struct holds { int t; union { void *p; double d[2]; }; };');
    expectThrow(() => abi.cast('int(*)(union nanny)', 4096)!(0), FFIError,
      "ctype 'union nanny' not supported as argument 1 of a call through a function pointer: its member 'a' writes bytes that 'd', the member koffi passes it as, reads as floating-point numbers, whose NaNs koffi does not keep bit for bit");
    expectThrow(() => abi.cast('struct holds(*)(void)', 4096)!(), FFIError,
      "ctype 'struct holds' not supported as return value of a call through a function pointer: in its anonymous union ('p', 'd'), its member 'p' writes bytes that 'd', the member koffi passes it as, reads as floating-point numbers, whose NaNs koffi does not keep bit for bit");
    // An int writes the low half of the double, never its exponent: the double carries it.
    expectThrow(() => abi.cast('int(*)(union low)', 4096)!('x'), RangeError, /^'int\(\*\)\(union low\)' at 0x1000: no code there: /);
  });
});

describe('variadic functions', () => {
  test('snprintf with typed varargs', () => {
    const buf = ffi.new('char[64]');
    const n = C.snprintf(buf, 64, '%d %.2f %s %ld %c', ['int', 42], ['double', 2.5], 'str', 123456789012n, ['char', 65]);
    expect(ffi.string(buf)).toBe('42 2.50 str 123456789012 A');
    expect(n).toBe(26);
    C.snprintf(buf, 64, '%.1f|%u|%p', ['float', 0.5], ['unsigned int', 4000000000], null);
    expect(ffi.string(buf)).toBe('0.5|4000000000|(nil)');
    const e = new FFI();
    e.cdef('enum level { LOW = 3, HIGH = 9 };');
    C.snprintf(buf, 64, '%s-%d-%d', ffi.new('char[]', 'cdata'), e.cast('enum level', 'HIGH'), true);
    expect(ffi.string(buf)).toBe('cdata-9-1');
  });

  test('a bare number through ... is a TypeError that says how to pass it', () => {
    const buf = ffi.new('char[8]');
    expect(() => C.snprintf(buf, 8, '%d', 42)).toThrow(/\['int', 42\] or \['double', 42\]/);
    expect(() => C.snprintf(buf, 8)).toThrow(/at least 3 arguments, got 2/);
  });

  test('every count of extra arguments up to the limit passes intact; past it, a RangeError before C runs', () => {
    // koffi passes a variadic call 64 values: snprintf's 3 fixed ones and a (type, value) pair per extra one.
    const limit = Math.floor((64 - 3) / 2);
    const buf = ffi.new('char[1024]');
    for (let n = 1; n <= limit; n++) {
      const pairs = Array.from({ length: n }, (_, i) => ['int', i + 1]);
      const format = '%d '.repeat(n);
      C.snprintf(buf, 1024, format, ...pairs);
      expect(ffi.string(buf)).toBe(pairs.map(([, v]) => `${v} `).join(''));
    }
    // Past the limit, koffi read values that were not there (wrong output, or a crash): in a child process.
    const r = runChild(`
      const { FFI } = require(LIB);
      const ffi = new FFI();
      ffi.cdef('int snprintf(char *buf, size_t n, const char *fmt, ...);');
      const C = ffi.dlopen(null);
      const buf = ffi.new('char[1024]', 'untouched');
      const out = [${limit + 1}, ${limit + 2}, 100].map((n) => {
        const pairs = Array.from({ length: n }, (_, i) => ['int', i + 1]);
        try { C.snprintf(buf, 1024, '%d '.repeat(n), ...pairs); return 'called'; } catch (e) { return e.constructor.name + ': ' + e.message; }
      });
      console.log(JSON.stringify([out, ffi.string(buf)]));
    `);
    expect(ending(r)).toBe('exit 0');
    const [outcomes, after] = JSON.parse(r.stdout) as [string[], string];
    expect(outcomes).toEqual([limit + 1, limit + 2, 100].map((n) => expect.stringMatching(new RegExp(`^RangeError: snprintf\\(\\): ${n} arguments after the fixed ones .* at most ${limit}`))));
    expect(after).toBe('untouched'); // C never ran
  });
});

describe('globals', () => {
  test('scalars read and write, visible to C, range-checked', () => {
    C.counter = 9;
    expect(C.bump()).toBe(10);
    expect(C.counter).toBe(10);
    expectThrow(() => {
      C.counter = 2 ** 40;
    }, RangeError, "global 'counter': 1099511627776 does not fit in 'int' (-2147483648 to 2147483647)");
    expect(C.counter).toBe(10);
  });

  test('arrays and structs are views into the library memory', () => {
    C.table[0] = 1;
    C.table[3] = 10;
    expect(C.sum_table()).toBe(11);
    C.table = [1, 2, 3, 4];
    expect(C.sum_table()).toBe(10);
    expect(C.settings.level).toBe(3);
    expect(ffi.string(C.settings.name)).toBe('dflt');
    C.settings.ratio = 0.25;
    expect(C.settings.ratio).toBe(0.25);
  });
});

describe('errno', () => {
  test('reads what the last call left, and is restored before the next call', () => {
    expect(C.fail_with(34)).toBe(-1);
    const junk = Array.from({ length: 10000 }, (_, i) => ({ i })); // JS work in between does not disturb it
    expect(junk.length).toBe(10000);
    expect(ffi.errno).toBe(34);
    ffi.errno = 12;
    expect(C.read_errno()).toBe(12);
  });

  test('after an .async call, what the call left on its worker thread, for the code awaiting it', async () => {
    ffi.errno = 0;
    expect(await C.fail_with.async(35)).toBe(-1);
    expect(ffi.errno).toBe(35);
    const seen = await C.fail_with.async(36).then(() => ffi.errno);
    expect(seen).toBe(36);
  });
});

describe('handles', () => {
  test('round-trip through C; releasing invalidates', () => {
    const obj = { answer: 42 };
    const h = ffi.newHandle(obj);
    expect(ffi.typeof(h).cname).toBe('void *');
    const back = C.keep_handle(h);
    expect(ffi.fromHandle(back)).toBe(obj);
    expect(ffi.fromHandle(C.keep_handle(null))).toBe(obj);
    ffi.release(h);
    expectThrow(() => ffi.fromHandle(back), FFIError, 'is not a live handle (never made by ffi.newHandle(), or released)');
    expect(() => ffi.fromHandle(ffi.cast('void *', ffi.new('int *')))).toThrow(/not a live handle/);
    // As CFFI: only a 'void *' can be a handle.
    expectThrow(() => ffi.fromHandle(ffi.new('int *')), TypeError, "ffi.fromHandle(): expected a 'void *' from ffi.newHandle(), got cdata 'int *'");
    expect(String(ffi.newHandle([1, 'two']))).toBe("<cdata 'void *' handle to [ 1, 'two' ]>");
  });
});

describe('calls off the main thread', () => {
  test('.async keeps the event loop running while C waits', async () => {
    // C waits for a flag that only the event loop sets: were the loop blocked, C would give up (-1).
    const flag = ffi.new('int *');
    const waiting = C.wait_for_flag.async(flag, 50_000);
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (++ticks === 3) {
          flag[0] = 1;
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    expect(await waiting).toBeGreaterThanOrEqual(0);
    expect(ticks).toBe(3);
  });

  test('.async checks arguments like the call itself, rejecting', async () => {
    await expectReject(C.slow_add.async(1, 'x', 0), TypeError, 'slow_add() argument 2 (\'b\'): expected an integer for \'int\', got string "x"');
    await expect(C.slow_add.async(1)).rejects.toThrow(/expected 3 arguments/);
  });

  test('.async with struct results and arguments; variadic calls stay synchronous', async () => {
    const p = await C.make_pt.async(1, 2);
    expect([p.x, p.y]).toEqual([1, 2]);
    expect(await C.pt_len2.async({ x: 3, y: 4 })).toBe(25); // the temporary struct lives until the call ends
    await expect(C.snprintf.async(ffi.new('char[8]'), 8, '%d', ['int', 1])).rejects.toThrow(/variadic functions on a worker thread/);
  });

  test('a callback invoked from another thread is delivered on the main thread', async () => {
    const seen: number[] = [];
    const cb = ffi.callback('int(int, int)', (a: number, b: number) => {
      seen.push(a + b);
      return a * b;
    });
    C.store_op(cb);
    const r = await C.call_stored.async(6, 7);
    expect(r).toBe(42);
    expect(seen).toEqual([13]);
  });
});
