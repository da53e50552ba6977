// long double in memory: JavaScript's conversions between doubles and the platform's 16-byte format, against the C compiler's own (bytes, values, %La).
import { CData, FFI, Lib } from '../../lib';
import { LONG_DOUBLE, LongDoubleFormat, exactInLongDouble, fromC_f80, toC_f80 } from '../../lib/cdata/convert';
import { Random, testSeed } from '../helpers/random';
import { CC, ccFamily } from '../helpers/compiler';

const CDEF = `
void ld_from_doubles(const double *in, long double *out, int n);
void ld_to_doubles(const long double *in, double *out, int n);
void ld_from_u64(unsigned long long v, long double *out);
void ld_from_i64(long long v, long double *out);
int ld_print(const long double *p, char *buf, int n);
int ld_print_of_double(double d, char *buf, int n);
int q_available(void);
void q_from_doubles(const double *in, unsigned char *out, int n);
void q_to_doubles(const unsigned char *in, double *out, int n);
`;

const SOURCE = `
#include <string.h>
void ld_from_doubles(const double *in, long double *out, int n) { for (int i = 0; i < n; i++) out[i] = (long double)in[i]; }
void ld_to_doubles(const long double *in, double *out, int n) { for (int i = 0; i < n; i++) out[i] = (double)in[i]; }
void ld_from_u64(unsigned long long v, long double *out) { *out = (long double)v; }
void ld_from_i64(long long v, long double *out) { *out = (long double)v; }
int ld_print(const long double *p, char *buf, int n) { return snprintf(buf, (size_t)n, "%La", *p); }
int ld_print_of_double(double d, char *buf, int n) { return snprintf(buf, (size_t)n, "%La", (long double)d); }
#if defined(__SIZEOF_FLOAT128__) && !defined(__aarch64__)
int q_available(void) { return 1; }
void q_from_doubles(const double *in, unsigned char *out, int n) {
  for (int i = 0; i < n; i++) { __float128 q = (__float128)in[i]; memcpy(out + 16 * i, &q, 16); }
}
void q_to_doubles(const unsigned char *in, double *out, int n) {
  for (int i = 0; i < n; i++) { __float128 q; memcpy(&q, in + 16 * i, 16); out[i] = (double)q; }
}
#elif defined(__aarch64__)
int q_available(void) { return 1; }
void q_from_doubles(const double *in, unsigned char *out, int n) {
  for (int i = 0; i < n; i++) { long double q = (long double)in[i]; memcpy(out + 16 * i, &q, 16); }
}
void q_to_doubles(const unsigned char *in, double *out, int n) {
  for (int i = 0; i < n; i++) { long double q; memcpy(&q, in + 16 * i, 16); out[i] = (double)q; }
}
#else
int q_available(void) { return 0; }
void q_from_doubles(const double *in, unsigned char *out, int n) { (void)in; (void)out; (void)n; }
void q_to_doubles(const unsigned char *in, double *out, int n) { (void)in; (void)out; (void)n; }
#endif
`;

let ffi: FFI;
let C: Lib;
beforeAll(() => {
  ffi = new FFI();
  ffi.cdef(CDEF);
  C = ffi.verify(SOURCE, { filename: 'longdouble.c' });
});

/** Bytes that matter in a format: x87 leaves 6 bytes of padding, which C does not define. */
const significant = (f: LongDoubleFormat): number => (f === 'x87' ? 10 : 16);

/** A DataView over a cdata's memory. */
function viewOf(c: CData): DataView {
  const b = ffi.buffer(c);
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Doubles that stress a conversion: zeros, the ends of the range, subnormals, infinities, and random bit patterns. */
function doubles(rnd: Random, n: number): number[] {
  const out = [0, -0, 1, -1, 0.1, 1 / 3, Math.PI, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308,
    2.225073858507201e-308, Infinity, -Infinity, NaN, 2 ** 53 + 2, -(2 ** 63), 1e300, 1e-300];
  const scratch = new DataView(new ArrayBuffer(8));
  while (out.length < n) {
    scratch.setUint32(0, (rnd.next() * 2 ** 32) >>> 0, true);
    scratch.setUint32(4, (rnd.next() * 2 ** 32) >>> 0, true);
    const d = scratch.getFloat64(0, true);
    if (!Number.isNaN(d)) out.push(d); // JavaScript may change a NaN's payload; the canonical NaN is above
  }
  return out;
}

/** Sign, exponent and 64-bit significand of an x87 value, built as bytes. */
function x87Bytes(view: DataView, off: number, neg: boolean, exp: number, hi: number, lo: number): void {
  view.setUint32(off, lo >>> 0, true);
  view.setUint32(off + 4, hi >>> 0, true);
  view.setUint16(off + 8, (neg ? 0x8000 : 0) | exp, true);
  view.setUint16(off + 10, 0, true);
  view.setUint32(off + 12, 0, true);
}

/** Random long doubles of the format: exponents everywhere, and concentrated where doubles end (rounding to subnormals, overflow). */
function randomLongDoubles(rnd: Random, view: DataView, n: number, format: LongDoubleFormat): void {
  const bias = 16383;
  for (let i = 0; i < n; i++) {
    const off = 16 * i;
    const exp = rnd.pick([
      () => rnd.int(0, 0x7fff),
      () => rnd.int(bias - 1080, bias - 1015), // double subnormals and the smallest normals
      () => rnd.int(bias + 1015, bias + 1030), // the largest doubles and overflow
      () => rnd.int(bias - 60, bias + 60),
      () => rnd.pick([0, 1, 0x7fff, bias - 1075, bias - 1074, bias - 1023, bias - 1022, bias + 1023, bias + 1024]),
    ])();
    const neg = rnd.chance(0.5);
    const word = (): number => (rnd.chance(0.1) ? rnd.pick([0, 0xffffffff, 0x80000000, 0x400, 0x7ff, 0x800]) : (rnd.next() * 2 ** 32) >>> 0);
    // Some exact ties for a normal double: the bits below its last place are 100…0.
    const tie = rnd.chance(0.2);
    if (format === 'x87') {
      // Mostly normal (integer bit set); some pseudo-denormals (exponent 0, integer bit set) and unnormals.
      let hi = word();
      if (rnd.chance(0.9)) hi = (hi | 0x80000000) >>> 0;
      const lo = tie ? ((word() & ~0x7ff) | 0x400) >>> 0 : word();
      x87Bytes(view, off, neg, exp, hi, lo);
    } else {
      // 60 bits below a double's last place: all of the first word, and the low 28 of the second.
      view.setUint32(off, tie ? 0 : word(), true);
      view.setUint32(off + 4, tie ? ((word() & ~0xfffffff) | 0x8000000) >>> 0 : word(), true);
      view.setUint32(off + 8, word(), true);
      view.setUint32(off + 12, ((neg ? 0x80000000 : 0) | (exp << 16) | (word() & 0xffff)) >>> 0, true);
    }
  }
}

/** Object.is, but any NaN equals any NaN. */
const same = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

const formats: { format: LongDoubleFormat; to: string; from: string; available: () => boolean }[] = [
  { format: 'x87', to: 'ld_from_doubles', from: 'ld_to_doubles', available: () => LONG_DOUBLE === 'x87' },
  { format: 'binary128', to: 'q_from_doubles', from: 'q_to_doubles', available: () => C.q_available() === 1 },
];

test("x87's pseudo-infinities, pseudo-NaNs and unnormals (integer bit 0, exponent not 0) read as NaN, as C converts them", () => {
  if (LONG_DOUBLE !== 'x87') return; // no x87 conversion to compare with here
  // [sign, exponent, high word, low word]: pseudo-infinity, pseudo-NaN, unnormal; then infinity and a real NaN.
  const cases: [boolean, number, number, number][] = [
    [false, 0x7fff, 0, 0],
    [true, 0x7fff, 0x40000000, 1],
    [false, 0x3fff, 0x40000000, 0],
    [true, 0x7fff, 0x80000000, 0],
    [false, 0x7fff, 0xc0000000, 0],
  ];
  const bytes = ffi.new('long double[]', cases.length);
  const view = viewOf(bytes);
  cases.forEach(([neg, exp, hi, lo], i) => x87Bytes(view, 16 * i, neg, exp, hi, lo));
  const out = ffi.new('double[]', cases.length);
  C.ld_to_doubles(bytes, out, cases.length);
  const js = cases.map((_, i) => fromC_f80(view, 16 * i, 'x87'));
  expect(js).toEqual([NaN, NaN, NaN, -Infinity, NaN]);
  expect(cases.map((_, i) => out[i])).toEqual(js);
});

describe.each(formats)('$format', ({ format, to, from, available }) => {
  const seed = testSeed();

  test(`a double written by JavaScript has the bytes of C's (long double) conversion (seed ${seed})`, () => {
    if (!available()) return; // the other format, with no compiler type for it here (checked by the test below)
    const ds = doubles(new Random(seed), 5000);
    const input = ffi.new('double[]', ds);
    const byC = ffi.new('long double[]', ds.length);
    C[to](input, format === 'x87' ? byC : ffi.cast('unsigned char *', byC), ds.length);
    const c = viewOf(byC);
    const js = new DataView(new ArrayBuffer(16 * ds.length));
    ds.forEach((d, i) => toC_f80(js, 16 * i, d, format));
    const mismatches: string[] = [];
    ds.forEach((d, i) => {
      for (let b = 0; b < significant(format); b++) {
        if (js.getUint8(16 * i + b) !== c.getUint8(16 * i + b)) {
          mismatches.push(`${d}: byte ${b}`);
          break;
        }
      }
    });
    expect(mismatches).toEqual([]);
  });

  test(`a long double read by JavaScript is the double C's (double) conversion gives (seed ${seed})`, () => {
    if (!available()) return;
    const n = 20000;
    const bytes = ffi.new('long double[]', n);
    randomLongDoubles(new Random(seed), viewOf(bytes), n, format);
    const out = ffi.new('double[]', n);
    C[from](format === 'x87' ? bytes : ffi.cast('unsigned char *', bytes), out, n);
    const view = viewOf(bytes);
    const mismatches: string[] = [];
    for (let i = 0; i < n; i++) {
      const js = fromC_f80(view, 16 * i, format);
      if (!same(js, out[i])) mismatches.push(`${Buffer.from(ffi.buffer(bytes)).subarray(16 * i, 16 * i + 16).toString('hex')}: C ${out[i]}, JS ${js}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

// gcc and clang have __float128 on x86-64; aarch64's long double is binary128 itself; tcc has neither.
const quad = ccFamily() === 'tcc' && process.arch === 'x64' ? test.skip : test;
quad(`the binary128 format (aarch64) is checked against a compiler type, here or where long double is binary128${quad === test ? '' : ` (skipped: ${CC} has no __float128)`}`, () => {
  expect(C.q_available()).toBe(1);
});

test("C prints (%La) what JavaScript wrote exactly as it prints its own conversion of the same double", () => {
  const p = ffi.new('long double *');
  const a = ffi.new('char[64]');
  const b = ffi.new('char[64]');
  for (const d of [1, -2.5, 0.1, Math.PI, 1e-310, -Number.MAX_VALUE, 2 ** -1074, Infinity, -0]) {
    p[0] = d;
    C.ld_print(p, a, 64);
    C.ld_print_of_double(d, b, 64);
    expect(ffi.string(a)).toBe(ffi.string(b));
  }
});

test('integers beyond 2^53 are written exactly when the long double holds them, and refused otherwise', () => {
  const p = ffi.new('long double *');
  const byC = ffi.new('long double *');
  const bits = LONG_DOUBLE === 'x87' ? 64 : 113;
  const fits = [2n ** 63n + 1n, 2n ** 64n - 1n, -(2n ** 62n) - 3n, 2n ** 53n + 1n];
  for (const v of fits) {
    if (v >= 2n ** 64n || v < -(2n ** 63n)) continue;
    p[0] = v;
    if (v >= 0n) C.ld_from_u64(v, byC);
    else C.ld_from_i64(v, byC);
    expect(Buffer.from(ffi.buffer(p)).subarray(0, significant(LONG_DOUBLE))).toEqual(Buffer.from(ffi.buffer(byC)).subarray(0, significant(LONG_DOUBLE)));
  }
  // One significant bit too many for the format: rounding would be silent, so it is refused.
  const tooMany = 2n ** BigInt(bits) + 1n;
  expect(exactInLongDouble(tooMany, LONG_DOUBLE)).toBe(false);
  expect(() => {
    p[0] = tooMany;
  }).toThrow(RangeError);
  expect(() => {
    p[0] = tooMany;
  }).toThrow(/no exact 'long double' value/);
  // Trailing zero bits cost nothing.
  expect(exactInLongDouble((2n ** BigInt(bits) - 1n) << 200n, LONG_DOUBLE)).toBe(true);
});

test('fields and arrays of long double read as the nearest double, keep all their bytes when copied, and print in dumps', () => {
  ffi.cdef('struct ldpair { char tag; long double v[2]; };');
  expect(ffi.offsetof('struct ldpair', 'v')).toBe(16);
  const s = ffi.new('struct ldpair *', { tag: 1, v: [0.5, -3] });
  expect([s.v[0], s.v[1]]).toEqual([0.5, -3]);
  // A value a double cannot hold, made in C memory: 1 + 2^-60.
  x87OrQuad(viewOf(s), 16, 1, 60);
  expect(s.v[0]).toBe(1);
  const copy = ffi.new('struct ldpair *', s[0]);
  expect(Buffer.from(ffi.buffer(copy)).subarray(16, 16 + significant(LONG_DOUBLE))).toEqual(
    Buffer.from(ffi.buffer(s)).subarray(16, 16 + significant(LONG_DOUBLE)),
  );
  expect(ffi.cast('long double', 7)).toBe(7);
  expect(ffi.dump(copy)).toMatch(/v\[1\].*-3/);
});

/** Writes 1 + 2^-k (not a double for k > 52) at off, in this machine's format. */
function x87OrQuad(view: DataView, off: number, _one: number, k: number): void {
  if (LONG_DOUBLE === 'x87') {
    const sig = (1n << 63n) | (1n << BigInt(63 - k));
    view.setBigUint64(off, sig, true);
    view.setUint16(off + 8, 16383, true);
  } else {
    view.setBigUint64(off, 1n << BigInt(112 - k), true);
    view.setBigUint64(off + 8, 16383n << 48n, true);
  }
}
