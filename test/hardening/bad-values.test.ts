// The bad-value matrix: every C primitive × every awkward JavaScript value × every way a value reaches C memory.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, Lib } from '../../lib';
import { PRIMITIVES } from '../../lib/ctype/primitives';
import { CC } from '../helpers/compiler';

const TYPES = PRIMITIVES.map((p) => p);
type CPrimitive = (typeof TYPES)[number];

/** What the C compiler says of a type: the expectations below derive from this, not from node-cffi's tables. */
interface Facts {
  readonly size: number;
  readonly signed: boolean;
  readonly floating: boolean;
  readonly bool: boolean;
  /** A complex type: its real part is half its size (GNU C's `__real__`). */
  readonly complex: boolean;
}

const HEADERS = '#include <stddef.h>\n#include <stdint.h>\n#include <uchar.h>\n#include <sys/types.h>\n';

/** Compiles and runs a program printing sizeof, signedness, floating-ness and bool-ness of every type. */
function compilerFacts(): Map<string, Facts> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-bad-values-'));
  try {
    // C orders no complex numbers: their sign is printed as 0 (and their complexity, for every type, by the compiler).
    const lines = TYPES.map((t) => {
      const sign = t.name.includes('_Complex') ? '0' : `(${t.name})-1 < 0`;
      return `  printf("%d %d %d %d %d\\n", (int)sizeof(${t.name}), ${sign}, (${t.name})0.5 != 0, (${t.name})2 == (${t.name})1, 2 * sizeof(__real__ (${t.name})0) == sizeof(${t.name}));`;
    });
    const file = path.join(dir, 'facts.c');
    // Last, the significand bits of long double (64 on x86-64, 113 on aarch64), which say which bigints it holds exactly.
    lines.push('  printf("%d\\n", LDBL_MANT_DIG);');
    fs.writeFileSync(file, `${HEADERS}#include <stdio.h>\n#include <float.h>\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`);
    const exe = path.join(dir, 'facts');
    const cc = spawnSync(CC, ['-w', '-o', exe, file], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`${CC} failed:\n${cc.stderr}`);
    const out = spawnSync(exe, [], { encoding: 'utf8' }).stdout.trim().split('\n');
    longDoubleDigits = Number(out[TYPES.length]);
    return new Map(
      TYPES.map((t, i) => {
        const [size, signed, floating, bool, complex] = out[i].split(' ').map(Number);
        return [t.name, { size, signed: signed === 1, floating: floating === 1, bool: bool === 1, complex: complex === 1 }];
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** LDBL_MANT_DIG, as the compiler prints it. */
let longDoubleDigits = 0;

/** Whether the integer `b` is exactly a long double: its significant bits, trailing zeros aside, fit LDBL_MANT_DIG. */
function longDoubleHolds(b: bigint): boolean {
  let m = b < 0n ? -b : b;
  if (m === 0n) return true;
  while (m % 2n === 0n) m /= 2n;
  return m.toString(2).length <= longDoubleDigits;
}

/** The inclusive range of an integer type of `f.size` bytes, from its size and signedness alone. */
function integerRange(f: Facts): [bigint, bigint] {
  const bits = BigInt(f.size * 8);
  return f.signed ? [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n] : [0n, 2n ** bits - 1n];
}

const VALUES: [string, () => unknown][] = [
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-Infinity', () => -Infinity],
  ['-0', () => -0],
  ['2^53+1', () => 2 ** 53 + 1], // arrives as 9007199254740992: JavaScript rounded it already
  ['bigint beyond range', () => null], // filled per type below
  ['-1 (negative)', () => -1],
  ['string', () => 'abc'],
  ['one-byte string', () => 'A'],
  ['object', () => ({})],
  ['undefined', () => undefined],
  ['null', () => null],
  ['symbol', () => Symbol('s')],
  ['boolean', () => true],
];

type Expected = { ok: unknown } | { error: 'TypeError' | 'RangeError' };

/** Whether two values read back are the same: numbers by Object.is (-0, NaN), complex numbers part by part. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const [x, y] = [a as { real: unknown; imag: unknown }, b as { real: unknown; imag: unknown }];
    return Object.keys(a).join() === 'real,imag' && Object.keys(b).join() === 'real,imag' && Object.is(x.real, y.real) && Object.is(x.imag, y.imag);
  }
  return Object.is(a, b);
}

/**
 * What node-cffi promises (README, docs/reliability.md) for `value` stored as C type `t` in
 * `context`. An undefined or null ffi.new initialiser means "no initialiser": the memory stays zero.
 */
function expected(name: string, f: Facts, value: unknown, context: string): Expected {
  const wide = name === 'wchar_t' || name === 'char16_t' || name === 'char32_t';
  // null too, as CFFI's None.
  if ((value === undefined || value === null) && context === 'ffi.new initialiser') return { ok: f.complex ? { real: 0, imag: 0 } : f.bool ? false : wide ? '\0' : 0 };
  if (f.complex) {
    // A complex number takes a real number (a number, or a bigint a double holds exactly), each part rounded as the type's parts are.
    const round = (x: number) => (f.size === 8 ? Math.fround(x) : x);
    if (typeof value === 'number') return { ok: { real: round(value), imag: 0 } };
    if (typeof value === 'bigint') {
      const n = Number(value);
      return Number.isFinite(n) && BigInt(n) === value ? { ok: { real: round(n), imag: 0 } } : { error: 'RangeError' };
    }
    return { error: 'TypeError' };
  }
  if (f.floating && f.size > 8) {
    // long double: a number is written exactly and read back as itself; a bigint is written only
    // when the long double holds it exactly, and read back as the nearest double.
    if (typeof value === 'number') return { ok: value };
    if (typeof value === 'bigint') return longDoubleHolds(value) ? { ok: Number(value) } : { error: 'RangeError' };
    return { error: 'TypeError' };
  }
  if (f.bool) {
    if (value === true || value === false) return { ok: value };
    if (value === 0 || value === 1) return { ok: value === 1 }; // -0 === 0
    if (Number.isInteger(value) || typeof value === 'bigint') return { error: 'RangeError' }; // an integer that is not 0 or 1
    return { error: 'TypeError' };
  }
  if (wide) {
    // A wide character is a string of one character (one code point, one UTF-16 unit for 2-byte types), read back as one.
    if (typeof value === 'string' && [...value].length === 1 && (f.size > 2 || value.length === 1)) return { ok: value };
    return { error: 'TypeError' };
  }
  // A plain char is its byte value, 0 to 255, whatever the C compiler's signedness.
  if (name === 'char') f = { ...f, signed: false };
  if (f.floating) {
    const round = (x: number) => (f.size === 4 ? Math.fround(x) : x);
    if (typeof value === 'number') return { ok: round(value) };
    if (typeof value === 'bigint') {
      const n = Number(value);
      return Number.isFinite(n) && BigInt(n) === value ? { ok: round(n) } : { error: 'RangeError' };
    }
    return { error: 'TypeError' };
  }
  const [min, max] = integerRange(f);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value);
    if (f.size === 1 && bytes.length === 1) return { ok: f.signed ? (bytes[0] << 24) >> 24 : bytes[0] };
    return { error: 'TypeError' };
  }
  if (typeof value === 'bigint') {
    if (value < min || value > max) return { error: 'RangeError' };
    return { ok: value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value };
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) return { error: 'TypeError' };
  if (BigInt(value) < min || BigInt(value) > max) return { error: 'RangeError' };
  if (!Number.isSafeInteger(value)) return { error: 'RangeError' }; // in range but possibly rounded: refused
  return { ok: value === 0 ? 0 : value };
}

/** A value one past the type's range, as a bigint. */
function beyond(f: Facts): bigint {
  if (f.floating && f.size > 8 && !f.complex) return 2n ** BigInt(longDoubleDigits) + 1n; // one significant bit more than a long double holds
  if (f.floating) return 2n ** 1100n; // no double holds it
  if (f.bool) return 2n;
  return integerRange(f)[1] + 1n;
}

const ident = (t: CPrimitive, i: number) => `${t.name === '_Bool' ? '_Bool' : t.name} id${i}(${t.name} x)`;
const cdef =
  TYPES.map((t, i) => `${ident(t, i)};`).join('\n') +
  `\nstruct all { ${TYPES.map((t, i) => `${t.name} f${i};`).join(' ')} };`;
const source =
  HEADERS +
  TYPES.map((t, i) => `${ident(t, i)} { return x; }`).join('\n') +
  `\nstruct all { ${TYPES.map((t, i) => `${t.name} f${i};`).join(' ')} };\n`;

let facts: Map<string, Facts>;
let ffi: FFI;
let C: Lib;
beforeAll(() => {
  facts = compilerFacts();
  ffi = new FFI();
  ffi.cdef(cdef);
  C = ffi.verify(source, { filename: 'identities.c' });
});

/** Four ways a value reaches C memory, each returning what C then holds, read back. */
const CONTEXTS: [string, (t: CPrimitive, i: number, v: unknown) => unknown][] = [
  ['argument', (_t, i, v) => C[`id${i}`](v)],
  ['ffi.new initialiser', (t, _i, v) => ffi.new(`${t.name} *`, v)[0]],
  ['field write', (_t, i, v) => {
    const s = ffi.new('struct all *');
    s[`f${i}`] = v;
    return s[`f${i}`];
  }],
  ['array write', (t, _i, v) => {
    const a = ffi.new(`${t.name}[2]`);
    a[1] = v;
    return a[1];
  }],
];

describe.each(CONTEXTS)('as %s', (context, store) => {
  test.each(TYPES.map((t, i) => [t.name, t, i] as const))("'%s' takes what it should and refuses the rest, naming the type", (_n, t, i) => {
    const mismatches: string[] = [];
    const f = facts.get(t.name)!;
    for (const [name, make] of VALUES) {
      const value = name === 'bigint beyond range' ? beyond(f) : make();
      const want = expected(t.name, f, value, context);
      let got: Expected;
      try {
        got = { ok: store(t, i, value) };
      } catch (e) {
        const err = e as Error;
        if ((err.name !== 'TypeError' && err.name !== 'RangeError') || !err.message.includes(`'${t.name}'`)) {
          mismatches.push(`${name}: unexpected ${err.name}: ${err.message}`);
          continue;
        }
        got = { error: err.name as 'TypeError' | 'RangeError' };
      }
      const same = 'ok' in want && 'ok' in got ? sameValue(want.ok, got.ok) : JSON.stringify(want) === JSON.stringify(got);
      if (!same) mismatches.push(`${name}: expected ${fmt(want)}, got ${fmt(got)}`);
    }
    expect(mismatches).toEqual([]);
  });
});

function fmt(x: Expected): string {
  if ('error' in x) return x.error;
  const v = x.ok as { real?: number; imag?: number } | unknown;
  if (typeof v === 'object' && v !== null) return `ok ${JSON.stringify(v)}`;
  return `ok ${typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? '-0' : String(v)}`;
}

describe('values JavaScript allows and C does not', () => {
  test('ffi.errno takes what a C int holds and refuses the rest (2 ** 40 would become 0)', () => {
    const f = new FFI();
    f.errno = 2 ** 31 - 1;
    expect(f.errno).toBe(2 ** 31 - 1);
    f.errno = -(2 ** 31);
    expect(f.errno).toBe(-(2 ** 31));
    for (const bad of [2 ** 40, 2 ** 31, -(2 ** 31) - 1]) {
      expect(() => {
        f.errno = bad;
      }).toThrow(RangeError);
      expect(() => {
        f.errno = bad;
      }).toThrow(/ffi\.errno: \d+ does not fit in 'int'|ffi\.errno: -\d+ does not fit in 'int'/);
    }
    f.errno = 5;
    let refused: unknown = null;
    try {
      f.errno = 2 ** 40;
    } catch (e) {
      refused = e;
    }
    const after = f.errno;
    expect(refused).toBeInstanceOf(RangeError);
    expect(after).toBe(5); // the refused assignment changed nothing
  });

  test("enumerators named like Object.prototype's members are enumerators; other such names are refused as any unknown name", () => {
    const f = new FFI();
    f.cdef("enum odd { toString, constructor, __proto__, valueOf = 7 }; struct holder { enum odd e; };");
    const names: [string, number][] = [['toString', 0], ['constructor', 1], ['__proto__', 2], ['valueOf', 7]];
    for (const [name, value] of names) {
      expect(f.cast('enum odd', name).valueOf()).toBe(value);
      expect(f.new('enum odd *', name)[0]).toBe(value);
      const h = f.new('struct holder *');
      h.e = name;
      expect(h.e).toBe(value);
      expect(f.string(f.cast('enum odd', value))).toBe(name);
    }
    for (const name of ['hasOwnProperty', 'isPrototypeOf', '__defineGetter__']) {
      expect(() => f.new('enum odd *', name)).toThrow(TypeError);
      expect(() => f.new('enum odd *', name)).toThrow(`'${name}' is not an enumerator of 'enum odd'`);
      expect(() => f.cast('enum odd', name)).toThrow(TypeError);
    }
  });
});
