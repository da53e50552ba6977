// Structs passed by value to a library from dlopen(): a struct cdata is read in place by its type's compiled reader, a plain object goes through the general conversion; both give C the same fields and the same errors.
import { FFI, FFIError, Lib } from '../../lib';
import type { StructType } from '../../lib/ctype/model';
import { argumentSpec } from '../../lib/backend/calls';
import { sharedLibrary } from '../helpers/fixtures';
import { expectThrow } from '../helpers/throws';
import { countFieldReads } from '../helpers/work';

const CDEF = `
struct pt { int x; double y; };
struct inner { short s; unsigned char c; };
struct rec { int i; double d; int64_t big; const char *p; int arr[3]; struct inner in; bool b; float f; uint32_t u; };
struct many { int n[20]; };
double pt_len2(struct pt p);
double rec_sum(struct rec r);
long many_sum(struct many m);
double pt_then(struct pt p, double (*f)(void));
`;

let ffi: FFI;
let L: Lib;
beforeAll(() => {
  ffi = new FFI();
  ffi.cdef(CDEF);
  L = ffi.dlopen(sharedLibrary('byvalue.c'));
});

interface RecInit {
  i: number; d: number; big: number; p: unknown; arr: number[]; in: { s: number; c: number }; b: boolean; f: number; u: number;
}

/** What rec_sum computes, from the values given (the char behind p is 'A'). */
function recSum(r: RecInit): number {
  return r.i + r.d * 2 + r.big * 3 + 65 * 5 + r.arr[0] * 7 + r.arr[1] * 11 + r.arr[2] * 13 + r.in.s * 17 + r.in.c * 19 + (r.b ? 23 : 0) + r.f * 29 + r.u * 31;
}

describe('a struct cdata and a plain object give C the same fields', () => {
  test('every kind of member: integers of each width, double, float, bool, a pointer, an array, a nested struct', () => {
    const init: RecInit = { i: 1, d: 2.5, big: 2 ** 40, p: ffi.new('char[]', 'A'), arr: [4, 5, 6], in: { s: -7, c: 200 }, b: true, f: 1.5, u: 4000000000 };
    const s = ffi.new('struct rec *', init)[0];
    expect(L.rec_sum(s)).toBe(recSum(init));
    expect(L.rec_sum(init)).toBe(recSum(init));
  });

  test('a struct cdata is read when the call is made, not when it was first passed', () => {
    const s = ffi.new('struct pt *', { x: 3, y: 4 })[0];
    expect(L.pt_len2(s)).toBe(25);
    s.x = 5;
    s.y = 0.5;
    expect(L.pt_len2(s)).toBe(25.25);
    expect(L.pt_len2({ x: 5, y: 0.5 })).toBe(25.25);
  });

  test('an array member longer than a record literal is unrolled for goes through the general reader', () => {
    const n = Array.from({ length: 20 }, (_, i) => (i * 7) % 11 - 5);
    const want = n.reduce((s, v, i) => s + v * (i + 1), 0);
    expect(L.many_sum(ffi.new('struct many *', { n })[0])).toBe(want);
    expect(L.many_sum({ n })).toBe(want);
  });

  test('a struct in a struct array, in memory from ffi.fromBuffer(), and through .async', async () => {
    const arr = ffi.new('struct pt[2]', [{ x: 1, y: 2 }, { x: 2, y: 3 }]);
    expect([L.pt_len2(arr[0]), L.pt_len2(arr[1])]).toEqual([5, 13]);
    const bytes = new ArrayBuffer(ffi.sizeof('struct pt'));
    const fb = ffi.fromBuffer('struct pt[]', bytes);
    fb[0].x = 6;
    fb[0].y = 8;
    expect(L.pt_len2(fb[0])).toBe(100);
    await expect(L.pt_len2.async(arr[1])).resolves.toBe(13);
  });
});

describe('each call passes its own values, though a call site fills one record for its struct argument', () => {
  test('calls made again from a callback inside the call, and .async calls that overlap', async () => {
    const a = ffi.new('struct pt *', { x: 1, y: 0.5 })[0];
    const b = ffi.new('struct pt *', { x: 2, y: 0.25 })[0];
    const inner = ffi.callback('double(*)(void)', () => 0);
    const outer = ffi.callback('double(*)(void)', () => L.pt_then(b, inner));
    expect(L.pt_then(a, outer)).toBe(1000.5 + 2000.25);
    const calls = [a, b, a, b].map((s) => L.pt_then.async(s, inner));
    a.x = 9; // after the calls were made: none of them sees it
    await expect(Promise.all(calls)).resolves.toEqual([1000.5, 2000.25, 1000.5, 2000.25]);
  });
});

describe('bad values are refused as before, naming the argument', () => {
  test('values of the wrong kind', () => {
    expectThrow(() => L.pt_len2(5), TypeError, "pt_len2() argument 1 ('p'): expected an object of fields, a list or a cdata 'struct pt', got 5");
    expectThrow(() => L.pt_len2(null), TypeError, "pt_len2() argument 1 ('p'): expected an object of fields, a list or a cdata 'struct pt', got null");
    expectThrow(() => L.pt_len2({ z: 1 }), TypeError, "pt_len2() argument 1 ('p'): 'struct pt' has no field 'z'");
    expectThrow(() => L.pt_len2({ x: 2 ** 31, y: 0 }), RangeError, 'does not fit');
    expectThrow(() => L.pt_len2(ffi.new('struct pt *')), TypeError, "pt_len2() argument 1 ('p'): expected 'struct pt', got cdata 'struct pt *'");
    expectThrow(() => L.pt_len2(ffi.new('struct rec *')[0]), TypeError, "expected 'struct pt', got cdata 'struct rec'");
  });

  test("a struct of another FFI's type of the same name", () => {
    const other = new FFI();
    other.cdef('struct pt { int x; double y; };');
    expectThrow(() => L.pt_len2(other.new('struct pt *', { x: 1, y: 2 })[0]), TypeError, "pt_len2() argument 1 ('p'): expected 'struct pt', got cdata 'struct pt'");
  });

  test('memory that is gone: released, or a detached ArrayBuffer', () => {
    const p = ffi.new('struct pt *', { x: 3, y: 4 });
    const s = p[0];
    ffi.release(p);
    expectThrow(() => L.pt_len2(s), TypeError, "cdata 'struct pt': pt_len2() argument 1 ('p'): its memory was released by ffi.release()");
    const bytes = new ArrayBuffer(ffi.sizeof('struct pt'));
    const fb = ffi.fromBuffer('struct pt[]', bytes);
    structuredClone(bytes, { transfer: [bytes] });
    expectThrow(() => L.pt_len2(fb[0]), TypeError, 'the ArrayBuffer under it was detached');
  });

  test('a closed library refuses the call before reading the struct', () => {
    const f = new FFI();
    f.cdef(CDEF);
    const lib = f.dlopen(sharedLibrary('byvalue.c'));
    const fn = lib.pt_len2;
    f.dlclose(lib);
    expectThrow(() => fn(f.new('struct pt *')[0]), FFIError, 'pt_len2()');
  });
});

describe('nested structs and unions are looked into once per type, not once per path down to it', () => {
  /**
   * An FFI declaring `t0`, a struct of one int, and each `tN` a union of two `tN-1` members (2^depth
   * paths down to `t0`) or a struct of one (depth levels), with `abs` taking the outermost.
   */
  function nested(kind: 'union' | 'struct', depth: number): { f: FFI; types: StructType[] } {
    let text = 'typedef struct { int x; } t0;';
    for (let i = 1; i <= depth; i++) text += kind === 'union' ? `typedef union { t${i - 1} a; t${i - 1} b; } t${i};` : `typedef struct { t${i - 1} a; } t${i};`;
    const f = new FFI();
    f.cdef(`${text} int abs(t${depth});`);
    return { f, types: Array.from({ length: depth + 1 }, (_, i) => f.typeof(`t${i}`) as StructType) };
  }

  /** The reads of the types' fields that binding `abs`, calling it and a callback of its type, and calling that, make. */
  function work(kind: 'union' | 'struct', depth: number): { reads: number; value: number[] } {
    const { f, types } = nested(kind, depth);
    return countFieldReads(types, () => {
      const abs = f.dlopen(null).abs;
      const v = f.new(`t${depth} *`);
      f.cast('int *', v)![0] = -7;
      const twice = f.callback(`int(t${depth})`, (u: unknown) => 2 * (f.cast('int *', f.addressof(u as never))![0] as number));
      return [abs(v[0]) as number, twice(v[0]) as number];
    });
  }

  test('unions of two members of one union type, nested (was: 2^depth walks, minutes at depth 30)', () => {
    const small = work('union', 8);
    const large = work('union', 16);
    expect([small.value, large.value]).toEqual([[7, -14], [7, -14]]);
    // Twice the types, about twice the reads (at most a few per type); a walk per path would be 256 times as many.
    expect(large.reads).toBeLessThanOrEqual(2 * small.reads + 20);
    expect(large.reads).toBeLessThan(30 * 17);
  });

  test("koffi's record of such a union holds one member of each type: koffi walks every member to pass it, down every path", () => {
    /** The members of koffi record `spec` down every path, counted up to `cap`. */
    const paths = (spec: unknown, cap: number): number => {
      let n = 0;
      for (const m of Object.values((spec as { members?: Record<string, { type: unknown }> }).members ?? {})) {
        if (n >= cap) break;
        n += 1 + paths(m.type, cap - n);
      }
      return n;
    };
    const { types } = nested('union', 16);
    // t16 to t1 each one member, t0 its int: 17 (was 2^17 - 1).
    expect(paths(argumentSpec(types[16], 'abs()'), 1000)).toBe(17);
  });

  test('structs of one struct, nested (was: cubic in the depth, seconds at 1000 levels)', () => {
    const small = work('struct', 100);
    const large = work('struct', 200);
    expect([small.value, large.value]).toEqual([[7, -14], [7, -14]]);
    expect(large.reads).toBeLessThanOrEqual(2 * small.reads + 20);
    expect(large.reads).toBeLessThan(30 * 201);
  });
});
