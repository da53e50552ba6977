// C99 complex numbers ('float _Complex', 'double _Complex'): parsed, laid out as C lays them out, read and written as { real, imag }, cast, passed by value in both modes.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CData, FFI, FFIError, cc } from '../../lib';
import { expectThrow } from '../helpers/throws';

const INF = Infinity;

describe('the types', () => {
  test('every spelling C allows, CFFI\'s own names, and the layouts C gives (the verify() probes compare them)', () => {
    const ffi = new FFI();
    for (const t of ['float _Complex', '_Complex float', 'float __complex__', '_cffi_float_complex_t']) {
      expect([ffi.typeof(t).cname, ffi.sizeof(t), ffi.alignof(t), ffi.typeof(t).kind]).toEqual(['float _Complex', 8, 4, 'primitive']);
    }
    for (const t of ['double _Complex', '_Complex double', '__complex__ double', '_cffi_double_complex_t']) {
      expect([ffi.typeof(t).cname, ffi.sizeof(t), ffi.alignof(t)]).toEqual(['double _Complex', 16, 8]);
    }
    ffi.cdef('struct zz { char tag; float _Complex f; double _Complex d[2]; }; typedef double _Complex zt; size_t c_layout(int);');
    const C = ffi.verify(`#include <stddef.h>
      struct zz { char tag; float _Complex f; double _Complex d[2]; };
      typedef double _Complex zt;
      size_t c_layout(int w) { return w == 0 ? offsetof(struct zz, f) : w == 1 ? offsetof(struct zz, d) : w == 2 ? sizeof(struct zz) : _Alignof(zt); }`);
    expect([ffi.offsetof('struct zz', 'f'), ffi.offsetof('struct zz', 'd'), ffi.sizeof('struct zz'), ffi.alignof('zt')]).toEqual([0, 1, 2, 3].map((w) => Number(C.c_layout(w))));
  });

  test('long double _Complex and complex integers are refused with the reason, as CFFI refuses them', () => {
    const ffi = new FFI();
    expectThrow(() => ffi.typeof('long double _Complex'), FFIError, "'long double _Complex' is not supported: JavaScript has no long double to hold its parts");
    expectThrow(() => ffi.cdef('int _Complex z;'), FFIError, "invalid type 'int _Complex'; the complex types are 'float _Complex' and 'double _Complex'");
    expectThrow(() => ffi.typeof('_Complex'), FFIError, "invalid type '_Complex'");
  });
});

describe('values in memory', () => {
  const ffi = new FFI();

  test('read as { real, imag }; written from one, or from a real number (imaginary part 0); float parts rounded', () => {
    const a = ffi.new('double _Complex[3]', [1.5, { real: 2, imag: -3 }]);
    expect([a[0], a[1], a[2]]).toEqual([{ real: 1.5, imag: 0 }, { real: 2, imag: -3 }, { real: 0, imag: 0 }]);
    a[2] = { real: INF, imag: -0 };
    expect(Object.is(a[2].imag, -0) && a[2].real === INF).toBe(true);
    const f = ffi.new('float _Complex *', { real: 1.1, imag: 2 });
    expect(f[0]).toEqual({ real: Math.fround(1.1), imag: 2 });
    // The object read is a copy: changing it changes nothing in memory.
    const v = f[0];
    v.real = 7;
    expect(f[0].real).toBe(Math.fround(1.1));
    // Its bytes are the parts', real first (test_c.py's test_unaligned_types, at an odd address).
    const bytes = ffi.new('unsigned char[40]');
    const odd = ffi.cast('double _Complex *', (ffi.cast('char *', bytes) as CData).add(1)) as CData;
    odd[0] = { real: 1.23, imag: -4.56 };
    expect(odd[0]).toEqual({ real: 1.23, imag: -4.56 });
    expect([bytes[0], bytes[17]]).toEqual([0, 0]);
    expect(Buffer.from(ffi.buffer(bytes, 17)).subarray(1).equals(Buffer.from(new Float64Array([1.23, -4.56]).buffer))).toBe(true);
  });

  test('what is no complex number is a TypeError naming the type; a bigint converts when exact', () => {
    const p = ffi.new('double _Complex *');
    expectThrow(() => (p[0] = 'x'), TypeError, "expected a complex number { real, imag } or a number for 'double _Complex', got string");
    expectThrow(() => (p[0] = { real: 1 }), TypeError, "got object (both its real and imag must be numbers)");
    expectThrow(() => (p[0] = null), TypeError, "for 'double _Complex', got null");
    p[0] = 5n;
    expect(p[0]).toEqual({ real: 5, imag: 0 });
    expectThrow(() => (p[0] = 2n ** 60n + 1n), RangeError, "has no exact 'double _Complex' value");
  });

  test('struct fields, initialisers and the annotated dump', () => {
    ffi.cdef('struct pt3 { int n; double _Complex z; float _Complex w[2]; };');
    const s = ffi.new('struct pt3 *', { n: 1, z: { real: 1, imag: -1 }, w: [2, { real: 0, imag: 0.5 }] });
    expect([s.z, s.w[0], s.w[1]]).toEqual([{ real: 1, imag: -1 }, { real: 2, imag: 0 }, { real: 0, imag: 0.5 }]);
    expect(ffi.dump(s)).toContain('z = { real: 1, imag: -1 }');
  });
});

describe('ffi.cast', () => {
  // test_c.py's test_complex_types, with { real, imag } for Python's complex.
  test.each(['float', 'double'])('to %s _Complex: a number is the real part, a complex number keeps both, within the type\'s range', (name) => {
    const ffi = new FFI();
    const p = `${name} _Complex`;
    expect(ffi.cast(p, 0)).toEqual({ real: 0, imag: 0 });
    expect(ffi.cast(p, 1.25)).toEqual({ real: 1.25, imag: 0 });
    expect(ffi.cast(p, { real: 0, imag: 1.25 })).toEqual({ real: 0, imag: 1.25 });
    expect(ffi.cast(p, { real: 0, imag: INF })).toEqual({ real: 0, imag: INF });
    expect(ffi.cast(p, -INF)).toEqual({ real: -INF, imag: 0 });
    if (name === 'float') {
      expect(ffi.cast(p, { real: 0, imag: 1.1 }).imag).not.toBe(1.1); // rounding error
      expect(ffi.cast(p, { real: 1e200, imag: 3 })).toEqual({ real: INF, imag: 3 }); // limited range
      expect(ffi.cast(p, { real: 3, imag: 1e200 })).toEqual({ real: 3, imag: INF });
    }
    expect(Object.is(ffi.cast(p, -0).real, -0)).toBe(true);
    expect(ffi.cast(p, '\x09')).toEqual({ real: 9, imag: 0 });
    expect(ffi.cast(p, true)).toEqual({ real: 1, imag: 0 });
    expect(() => ffi.cast(p, undefined)).toThrow(TypeError);
    // A complex number casts to no real type (CFFI: "can't convert complex to float").
    for (const base of ['char', 'int', 'uint64_t', 'float', 'double', 'long double']) {
      expectThrow(() => ffi.cast(base, { real: 1, imag: 0 }), TypeError, `cannot cast a complex number to '${base}'; cast its real part ('.real')`);
    }
  });
});

describe('calls', () => {
  const SOURCE = `#include <complex.h>
#include <stdarg.h>
double _Complex zmul(double _Complex a, double _Complex b) { return a * b; }
float _Complex fconj(float _Complex z) { return conjf(z); }
struct zz { char tag; double _Complex z; float _Complex w[2]; };
double _Complex zsum(struct zz s) { return s.z + s.w[0] + s.w[1]; }
struct zz zmake(double re) { struct zz s = { 'a', re + I, { 1, 2*I } }; return s; }
double _Complex apply(double _Complex (*f)(double _Complex), double _Complex x) { return f(x) * 2; }
double _Complex gz = 1.5 - 2.5*I;
double vsum(int n, ...) { va_list ap; va_start(ap, n); double s = 0; for (int i = 0; i < n; i++) { double _Complex z = va_arg(ap, double _Complex); s += creal(z) * 10 + cimag(z); } va_end(ap); return s; }
`;
  const CDEF = `double _Complex zmul(double _Complex a, double _Complex b); float _Complex fconj(float _Complex z);
struct zz { char tag; double _Complex z; float _Complex w[2]; };
double _Complex zsum(struct zz s); struct zz zmake(double re);
double _Complex apply(double _Complex (*f)(double _Complex), double _Complex x);
extern double _Complex gz;
double vsum(int n, ...);`;

  test('by value, in and out, in structs, through callbacks, globals and variadic arguments: verify() and, beyond CFFI, dlopen() alike', () => {
    const api = new FFI();
    api.cdef(CDEF);
    const abi = new FFI();
    abi.cdef(CDEF);
    // The same source as a library of its own for dlopen(), built by the compiler alone.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-complex-'));
    fs.writeFileSync(path.join(dir, 'complex.c'), SOURCE);
    const cc = spawnSync(process.env.CC || 'cc', ['-O2', '-shared', '-fPIC', '-o', path.join(dir, 'complex.so'), path.join(dir, 'complex.c')], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    const libs: [FFI, Record<string, any>][] = [[api, api.verify(SOURCE, { filename: 'complex.c' })], [abi, abi.dlopen(path.join(dir, 'complex.so'))]]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const results = libs.map(([ffi, C]) => {
      const made = C.zmake(3);
      const cb = ffi.callback('double _Complex(double _Complex)', (z: { real: number; imag: number }) => ({ real: z.real + 1, imag: -z.imag }));
      const before = C.gz;
      C.gz = { real: 9, imag: 8 };
      return [
        C.zmul({ real: 1, imag: 2 }, { real: 3, imag: -1 }), C.zmul(2, { real: 0, imag: 1 }), C.fconj({ real: 1.5, imag: 2 }),
        [made.tag, made.z, made.w[0], made.w[1]], C.zsum(made), C.zsum({ tag: 0, z: 1, w: [{ real: 0, imag: 1 }, 2] }),
        C.apply(cb, { real: 1, imag: 1 }), before, C.gz,
        C.vsum(2, ['double _Complex', { real: 1, imag: 2 }], ['double _Complex', 3]),
      ];
    });
    expect(results[0]).toEqual([
      { real: 5, imag: 5 }, { real: 0, imag: 2 }, { real: 1.5, imag: -2 },
      [97, { real: 3, imag: 1 }, { real: 1, imag: 0 }, { real: 0, imag: 2 }], { real: 4, imag: 3 }, { real: 3, imag: 1 },
      { real: 4, imag: -2 }, { real: 1.5, imag: -2.5 }, { real: 9, imag: 8 },
      12 + 30,
    ]);
    expect(results[1]).toEqual(results[0]);
  });

  test("the C library's own: libm's cabs, csqrt, cexp through dlopen()", () => {
    const ffi = new FFI();
    ffi.cdef('double cabs(double _Complex z); double _Complex csqrt(double _Complex z); double _Complex cexp(double _Complex z); float crealf(float _Complex z);');
    const m = ffi.dlopen('libm.so.6');
    expect(m.cabs({ real: 3, imag: 4 })).toBe(5);
    expect(m.csqrt(-4)).toEqual({ real: 0, imag: 2 });
    const e = m.cexp({ real: 0, imag: Math.PI });
    expect([e.real, Math.abs(e.imag) < 1e-15]).toEqual([-1, true]);
    expect(m.crealf({ real: 1.5, imag: 2 })).toBe(1.5);
    expectThrow(() => m.cabs('3'), TypeError, "cabs() argument 1 ('z'): expected a complex number { real, imag } or a number for 'double _Complex', got string");
  });
});

test("cc(): a source's complex functions and globals", () => {
  const m = cc(`#include <complex.h>
double _Complex twice(double _Complex z) { return 2 * z; }
float _Complex fz = 1.0f + 2.0f * I;`) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  expect([m.twice({ real: 1, imag: -1 }), m.fz]).toEqual([{ real: 2, imag: -2 }, { real: 1, imag: 2 }]);
});

test("TypeScript declarations: a complex number reads as Complex and is written from one or a number", () => {
  const ffi = new FFI();
  ffi.cdef('double _Complex zmul(double _Complex a, float _Complex b); struct zz { double _Complex z; };');
  const text = ffi.typescriptDeclarations();
  expect(text).toContain("import type { CData, Complex } from 'node-cffi';");
  expect(text).toContain('zmul(a: Complex | number | bigint, b: Complex | number | bigint): Complex;');
});
