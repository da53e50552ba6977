// Test helper: seeded random calls of C functions of every parameter kind with awkward JavaScript values, run in a child process by test/hardening/fuzz-calls.test.ts.
import { CData, FFI } from '../../lib';
import { Random } from './random';

const CDEF = `
struct pt { int x; double y; }; union u { int i; float f; }; enum color { RED, GREEN = 5 }; typedef int (*cb_t)(int);
typedef struct { char buf[4]; } small_t;
int f_int(int); unsigned char f_uc(unsigned char); long long f_ll(long long); double f_d(double); float f_f(float);
_Bool f_b(_Bool); char f_c(char); const char *f_s(const char *); void *f_vp(void *); int *f_ip(int *);
struct pt f_pt(struct pt); struct pt *f_ptp(struct pt *); union u f_u(union u); enum color f_e(enum color);
int f_cb(cb_t, int); int f_arr(int a[3]); int f_var(int n, ...); void f_void(void); size_t f_sz(size_t);
wchar_t f_wc(wchar_t); char16_t f_c16(char16_t); int f_many(int, double, char *, struct pt, float);
small_t f_small(small_t); int f_fnp(int (*)(double)); int f_first(const int *p, int n);
`;

const SOURCE = `#include <stddef.h>
#include <stdarg.h>
#include <wchar.h>
#include <uchar.h>
struct pt { int x; double y; }; union u { int i; float f; }; enum color { RED, GREEN = 5 }; typedef int (*cb_t)(int);
typedef struct { char buf[4]; } small_t;
int f_int(int a) { return a; } unsigned char f_uc(unsigned char a) { return a; } long long f_ll(long long a) { return a; }
double f_d(double a) { return a; } float f_f(float a) { return a; } _Bool f_b(_Bool a) { return a; } char f_c(char a) { return a; }
const char *f_s(const char *a) { return a; } void *f_vp(void *a) { return a; } int *f_ip(int *a) { return a; }
struct pt f_pt(struct pt a) { return a; } struct pt *f_ptp(struct pt *a) { return a; } union u f_u(union u a) { return a; }
enum color f_e(enum color a) { return a; } int f_cb(cb_t f, int a) { return f ? f(a) : -1; } int f_arr(int a[3]) { return a ? a[0] : -1; }
int f_var(int n, ...) { va_list ap; va_start(ap, n); int s = 0; for (int i = 0; i < n && i < 4; i++) s += va_arg(ap, int); va_end(ap); return s; }
void f_void(void) {} size_t f_sz(size_t a) { return a; } wchar_t f_wc(wchar_t a) { return a; } char16_t f_c16(char16_t a) { return a; }
int f_many(int a, double b, char *c, struct pt d, float e) { return a + (c ? c[0] : 0) + d.x; }
small_t f_small(small_t a) { return a; } int f_fnp(int (*f)(double)) { return f ? f(2.5) : -1; }
int f_first(const int *p, int n) { return p && n > 0 ? p[0] : -1; }
`;

/** Messages that are the engine's own words about node-cffi's code, not an error a caller was meant to read. */
const ENGINE_WORDS = /Cannot read prop|Cannot set prop|is not a function|of undefined|of null|internal|Maximum call stack|is not iterable|Cannot convert/;

/**
 * Makes `calls` random calls (from `seed`) and returns the throws that were not a TypeError,
 * RangeError or FFIError naming the function called, each with the call that threw it. Every
 * value C receives is memory node-cffi knows or NULL: what C then does with it is C's.
 */
export function fuzzCalls(seed: number, calls: number): string[] {
  const ffi = new FFI();
  ffi.cdef(CDEF);
  const lib = ffi.verify(SOURCE) as unknown as Record<string, ((...a: unknown[]) => unknown) & { length: number }>;
  const names = Object.keys(lib).filter((k) => k.startsWith('f_'));
  const r = new Random(seed);
  const released = (): CData => {
    const p = ffi.new('int[2]');
    ffi.release(p);
    return p;
  };
  const pool: (() => unknown)[] = [
    () => 0, () => -1, () => 2 ** 31, () => 2 ** 63, () => NaN, () => -Infinity, () => 1.5, () => -0, () => 10n, () => -(2n ** 70n), () => 2n ** 64n - 1n,
    () => '', () => 'abc', () => '\u00e9', () => '\u{1F600}', () => null, () => undefined, () => true, () => ({}), () => [], () => [1, 2, 3], () => [1, 2, 3, 4, 5],
    () => ({ x: 1, y: 2 }), () => ({ x: 'a' }), () => ({ i: 1, f: 2 }), () => ({ buf: 'ab' }), () => ({ buf: 'abcdef' }), () => Symbol('s'),
    () => (x: number) => x, () => () => { throw new Error('thrown by a callback'); }, () => () => 'str', () => () => 2 ** 40,
    () => Buffer.from('hi'), () => new ArrayBuffer(8), () => new Uint8Array(4), () => new Int32Array(3), () => new Float64Array(2),
    () => ffi.new('int *', 5), () => ffi.new('struct pt *'), () => ffi.new('struct pt *')[0], () => ffi.new('char[]', 'abc'), () => ffi.new('int[3]'),
    () => ffi.new('union u *'), () => ffi.cast('void *', 0), () => ffi.cast('void *', ffi.new('int[4]')), () => ffi.cast('enum color', 5), () => 'RED', () => 'BLUE',
    () => ffi.callback('int(int)', (x: number) => x), () => ffi.callback('int(double)', () => 3), () => ffi.cast('char', 65), () => ffi.cast('double', 1.5),
    () => ffi.cast('long long', -5), released, () => ffi.newHandle({}), () => ({ valueOf: () => 3 }),
    () => ['int', 3], () => ['double', 1.5], () => ['char *', 'abc'], () => ['float', 1], () => ['nonsense', 1],
  ];
  const bad: string[] = [];
  for (let i = 0; i < calls; i++) {
    const name = r.pick(names);
    const n = r.chance(0.2) ? r.int(0, 5) : lib[name].length;
    const args = Array.from({ length: n }, () => r.pick(pool)());
    try {
      lib[name](...args);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const cls = e instanceof Error ? e.constructor.name : typeof e;
      // A released cdata refuses every use, whatever takes it, in one sentence of its own.
      const named = message.startsWith(`${name}()`) || /^cdata '[^']+' was released by ffi\.release\(\) and can no longer be used$/.test(message);
      if (!['TypeError', 'RangeError', 'FFIError'].includes(cls) || !named || ENGINE_WORDS.test(message)) {
        bad.push(`${name}(${args.map((a) => show(ffi, a)).join(', ')}) threw ${cls}: ${message}`);
      }
    }
  }
  return bad;
}

function show(ffi: FFI, v: unknown): string {
  if (v instanceof CData) return `<cdata '${ffi.typeof(v).cname}'>`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v); // a ctype (its types refer to each other) or a released cdata
  }
}
