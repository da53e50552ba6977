// Mistakes node-cffi can catch are caught with an error, never a crash: NULL, bounds, release, wrong types.
import * as fs from 'fs';
import { FFI, Lib } from '../../lib';
import { ending, runChild } from '../helpers/child';
import { sharedLibrary, verifyFixture } from '../helpers/fixtures';
import { expectThrow } from '../helpers/throws';

const CDEF = `
struct pt { int x; double y; };
struct outer { char tag; struct pt p; int arr[4]; struct pt *next; };
double pt_sum(const struct pt *p, int n);
int *make_ints(int n);
void free_ints(int *p);
`;

let ffi: FFI;
let C: Lib;
beforeAll(() => {
  ({ ffi, lib: C } = verifyFixture('memory.c', CDEF));
  ffi.cdef('struct other { int a; };');
});

test('NULL: reading or writing through it throws', () => {
  const none = ffi.cast('int *', 0);
  expect(none).toBeNull();
  expectThrow(() => (none as unknown as number[])[0], TypeError, "Cannot read properties of null (reading '0')");
  const nearNull = ffi.cast('int *', 16)!;
  expect(() => nearNull[0]).toThrow(/not valid memory/);
  expect(() => {
    nearNull[0] = 1;
  }).toThrow(/not valid memory/);
  expect(() => ffi.string(ffi.cast('char *', 8))).toThrow(/not valid memory/);
  expectThrow(() => ffi.cast('struct pt *', 24)!.x, RangeError, 'address 0x18 is not valid memory');
});

test('out-of-bounds array indexes throw, in both directions', () => {
  const a = ffi.new('int[4]');
  for (const i of [4, 5, 1000, -1, 2 ** 32]) {
    expectThrow(() => a[i], RangeError, `cdata 'int[4]': index ${i} is out of bounds (length 4)`);
    expectThrow(() => a.set(i, 1), RangeError, `cdata 'int[4]': index ${i} is out of bounds (length 4)`);
  }
  const o = ffi.new('struct outer *');
  expect(() => o.arr[4]).toThrow(/index 4 is out of bounds \(length 4\)/);
  expectThrow(() => ffi.addressof(a, 5), RangeError, "ffi.addressof(): index 5 is out of bounds for cdata 'int[4]' (length 4)");
  expectThrow(() => ffi.unpack(a, 5), RangeError, "ffi.unpack(): 5 items asked from cdata 'int[4]', which has 4");
  expectThrow(() => ffi.memmove(a, Buffer.alloc(32), 32), RangeError, "ffi.memmove(): 32 bytes do not fit in dest cdata 'int[4]' (16 bytes)");
});

test('use after ffi.release throws, for the cdata and for what C owned behind ffi.gc', () => {
  const p = ffi.new('struct pt *', { x: 1 });
  ffi.release(p);
  expect(() => p.x).toThrow(/released/);
  expect(() => C.pt_sum(p, 1)).toThrow(/released/);
  const ints = ffi.gc(C.make_ints(3), C.free_ints);
  ffi.release(ints);
  expect(() => ints[0]).toThrow(/released/);
  ffi.release(ints); // as CFFI: releasing again does nothing (free_ints is not called twice)
  expect(() => ints[0]).toThrow(/released/);
});

// Before: each said only "cdata '…' was released by ffi.release() and can no longer be used", naming
// no call; a released callback given for a function pointer was taken for a JavaScript function.
test('a released cdata given to a call, a cast or an initialiser is refused by it, naming the call and the argument', () => {
  const p = ffi.new('struct pt[2]');
  ffi.release(p);
  const released = "got cdata 'struct pt[2]', released by ffi.release()";
  expectThrow(() => C.pt_sum(p, 2), TypeError, `pt_sum() argument 1 ('p'): expected a cdata 'struct pt *' or null, ${released}`);
  expectThrow(() => ffi.new('struct outer *', { p }), TypeError, `ffi.new('struct outer *'): field 'p': expected an object of fields, a list or a cdata 'struct pt', ${released}`);
  expectThrow(() => ffi.new('int *', p), TypeError, `ffi.new('int *'): expected an integer for 'int', ${released}`);
  expectThrow(() => ffi.cast('int *', p), TypeError, `ffi.cast('int *'): cannot cast cdata 'struct pt[2]', released by ffi.release() to a pointer`);
  expectThrow(() => ffi.typeof(p), TypeError, `ffi.typeof(): expected a C type name or a ctype, ${released}`);
  expectThrow(() => p[0], TypeError, "cdata 'struct pt[2]' was released by ffi.release() and can no longer be used");
  const f = new FFI();
  f.cdef('int apply(int (*f)(int), int x);');
  const L = f.verify('int apply(int (*f)(int), int x) { return f(x); }') as Lib;
  const cb = f.callback('int(int)', (x: number) => x + 1);
  expect(L.apply(cb, 1)).toBe(2);
  f.release(cb);
  expectThrow(() => L.apply(cb, 1), TypeError, "apply() argument 1 ('f'): expected a cdata 'int(*)(int)' or null, got cdata 'int(*)(int)', released by ffi.release()");
  expectThrow(() => f.callback('int(int)', cb as never), TypeError, "expected a JavaScript function, got cdata 'int(*)(int)', released by ffi.release()");
});

test('a struct field read through a pointer of the wrong type throws naming the field', () => {
  const o = ffi.new('struct other *');
  const wrong = ffi.cast('struct other *', ffi.new('struct pt *'))!;
  expect(() => wrong.y).toThrow(/'struct other \*' has no field or method 'y'/);
  expect(o.a).toBe(0);
});

test('ffi.string on a pointer that is not a char pointer throws', () => {
  expect(() => ffi.string(ffi.new('int[4]'))).toThrow(/expected a char array or pointer/);
  expectThrow(() => ffi.string(ffi.new('double *')), TypeError, "ffi.string(): expected a char array or pointer, or an enum value, got cdata 'double *'");
  expectThrow(() => ffi.string(ffi.new('struct pt *')), TypeError, "ffi.string(): expected a char array or pointer, or an enum value, got cdata 'struct pt *'");
});

test('a pointer of the wrong type passed to a function throws before C runs', () => {
  expect(() => C.pt_sum(ffi.new('int[3]'), 3)).toThrow(/expected 'struct pt \*'/);
  expectThrow(() => C.pt_sum(ffi.new('struct other *'), 1), TypeError, "pt_sum() argument 1 ('p'): expected 'struct pt *', got cdata 'struct other *'");
  expectThrow(() => C.pt_sum(123456, 1), TypeError, "pt_sum() argument 1 ('p'): expected a cdata 'struct pt *' or null, got 123456; make a pointer from an address with ffi.cast('struct pt *', address)");
  expectThrow(() => C.free_ints(ffi.new('double *')), TypeError, "free_ints() argument 1 ('p'): expected 'int *', got cdata 'double *'");
});

test('a closed library throws instead of calling unmapped code', () => {
  const f = new FFI();
  f.cdef('double pt_sum(const void *p, int n);');
  const lib = f.dlopen(require('../helpers/fixtures').sharedLibrary('memory.c'));
  const sum = lib.pt_sum;
  f.dlclose(lib);
  expect(() => sum(null, 0)).toThrow(/closed with ffi.dlclose/);
});

test("errors say what happened and what to do, never the engine's own words or a negative address", () => {
  const messageOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  const engine = /Offset is outside the bounds|detached ArrayBuffer|0x-/;
  // A field read through an address in the first page (the engine: "Offset is outside the bounds of the DataView").
  const field = messageOf(() => ffi.cast('struct pt *', 24)!.x);
  expect(field).toMatch(/cdata 'struct pt \*': field 'x': address 0x18 is not valid memory/);
  // An item below address 0 (the engine's hex of a negative number: "0x-170").
  const below = messageOf(() => ffi.cast('int *', 16)![-100]);
  expect(below).toContain(`address 0x${BigInt.asUintN(64, 16n - 400n).toString(16)} is not valid memory`);
  // A struct cast over a large block, read past the block's end.
  const big = ffi.new('char[4096]');
  const past = messageOf(() => ffi.cast('struct pt *', ffi.addressof(big, 4090))!.y);
  expect(past).toMatch(/field 'y': the access lies outside the 4096 bytes of the memory it refers to/);
  // Memory whose ArrayBuffer was transferred away (the engine: "Cannot perform ... on a detached ArrayBuffer").
  const ab = new ArrayBuffer(8);
  const onAb = ffi.fromBuffer(ab, 'int[]');
  structuredClone(ab, { transfer: [ab] });
  const detached = messageOf(() => onAb[0]);
  expect(detached).toMatch(/cdata 'int\[\]'\[0\]: the ArrayBuffer under it was detached/);
  // The same struct name from two FFIs ("expected 'struct pt *', got cdata 'struct pt *'" said nothing).
  const other = new FFI();
  other.cdef('struct pt { int x; double y; };');
  const foreign = messageOf(() => C.pt_sum(other.new('struct pt *'), 1));
  expect(foreign).toMatch(/expected 'struct pt \*', got cdata 'struct pt \*' \(the same name, declared by two different FFI instances/);
  for (const m of [field, below, past, detached, foreign]) expect(m).not.toMatch(engine);
});

// ---------------------------------------------------------------------------------------------
// Holes reachable from JavaScript alone. Each of these crashed the process (or read freed memory)
// before node-cffi closed it, so each runs in a child process and reports what happened as JSON.

const LIFETIMES_CDEF = `
struct pt { int x; double y; };
long long sum_later(const int *v, int n, int ms);
int call_later(int (*f)(int), int x, int ms);
int *make_block(int n);
void free_block(int *p);
int counter;
int garr[4];
const int K;
const int carr[3];
int twice(int x);
int slow_twice(int x, int ms);
int apply(int (*f)(int), int x);
struct job { int (*f)(int); int x; int result; };
size_t c_strlen(const char *s);
const char *own_name(void);
int *own_table_at(void);
int *own_zeroed_at(void);
`;

/** Copies of the fixture library, one per test that closes a library: each is then really unloaded. */
let libraries: string[] = [];
beforeAll(() => {
  const first = sharedLibrary('lifetimes.c');
  libraries = [first];
  for (let i = 1; i < 6; i++) {
    const copy = first.replace(/\.so$/, `-${i}.so`);
    fs.copyFileSync(first, copy);
    libraries.push(copy);
  }
});

/** Runs `body` in a child with `ffi`, the fixture library `C`, `gc()`, `attempt(f)` and `tell(x)`; returns what it told. */
function inChild(body: string, library = 0): unknown {
  const r = runChild(`
    require('v8').setFlagsFromString('--expose-gc');
    const gc = require('vm').runInNewContext('gc');
    const { FFI } = require(LIB);
    const ffi = new FFI();
    ffi.cdef(${JSON.stringify(LIFETIMES_CDEF)});
    const C = ffi.dlopen(${JSON.stringify(libraries[library])});
    const tell = (x) => console.log(JSON.stringify(x));
    const attempt = (f) => { try { const v = f(); return ['ok', typeof v === 'bigint' ? String(v) : v === undefined ? null : typeof v === 'object' && v !== null ? String(v) : v]; } catch (e) { return [e && e.constructor ? e.constructor.name : typeof e, String(e && e.message)]; } };
    const collect = async (rounds) => { for (let i = 0; i < rounds; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); } };
    ${body}
  `);
  expect(r.stderr).not.toMatch(/Error|Segmentation/);
  expect(ending(r)).toBe('exit 0');
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

describe('holes reachable from JavaScript alone', () => {
  test('.async keeps its cdata, ffi.gc and ffi.callback arguments alive until the promise settles', () => {
    const N = 1 << 24;
    const told = inChild(`
      (async () => {
        const N = ${N};
        // Each argument is referenced by nothing but the call once the arrow function returns.
        const owned = (() => { const a = ffi.new('int[]', new Int32Array(N).fill(1)); return C.sum_later.async(a, N, 300); })();
        const collected = (() => { const b = ffi.gc(C.make_block(N), C.free_block); return C.sum_later.async(b, N, 300); })();
        const callback = (() => { const cb = ffi.callback('int(int)', (x) => x + 1); return C.call_later.async(cb, 41, 300); })();
        await collect(10);
        const junk = [new Int32Array(N).fill(-7), new Int32Array(N).fill(-7)]; // reuses freed memory, if any was freed
        tell([await owned, await collected, await callback, junk.length]);
      })();
    `);
    expect(told).toEqual([N, N, 42, 2]);
  });

  test('ffi.release reaches every view derived from the memory: casts, elements, fields, ffi.addressof, and ffi.gc memory', () => {
    const told = inChild(`
      const small = ffi.new('int[4]', [1, 2, 3, 4]);
      const smallView = ffi.cast('int *', small);
      ffi.release(small);
      const big = ffi.new('char[]', 1 << 20);
      big[0] = 65;
      const bigView = ffi.cast('char *', big);
      const inside = ffi.addressof(big, 10);
      ffi.release(big);
      const s = ffi.new('struct pt *', { x: 3 });
      const item = s[0];
      ffi.release(s);
      const block = ffi.gc(C.make_block(4), C.free_block);
      const blockView = ffi.cast('int *', block);
      ffi.release(block);
      tell([
        attempt(() => smallView[0]), attempt(() => bigView[0]), attempt(() => ffi.string(bigView)),
        attempt(() => C.c_strlen(bigView)), attempt(() => inside[0]), attempt(() => item.x), attempt(() => blockView[1]),
        attempt(() => ffi.cast('char *', smallView).add(1)[0]),
      ]);
    `);
    expect(told).toHaveLength(8);
    for (const outcome of told as [string, string][]) {
      expect(outcome[0]).toBe('TypeError');
      expect(outcome[1]).toMatch(/its memory was released by ffi\.release\(\) and can no longer be used/);
    }
  });

  test('ffi.dlclose: views of its globals and function pointers from ffi.addressof (and their casts) refuse to be used', () => {
    const told = inChild(
      `
      const view = C.garr;
      const pointer = ffi.addressof(C, 'garr');
      const fp = ffi.addressof(C, 'twice');
      const cast = ffi.cast('int(*)(int)', fp);
      const f = C.twice;
      const before = [view[1], pointer[0][2], fp(2), cast(3), f(4)];
      ffi.dlclose(C);
      tell([before, attempt(() => view[1]), attempt(() => pointer[0][2]), attempt(() => fp(2)), attempt(() => cast(3)),
        attempt(() => f(4)), attempt(() => C.counter), attempt(() => ffi.cast('int *', pointer)[0])]);
    `,
      1,
    );
    const [before, ...after] = told as [unknown, ...[string, string][]];
    expect(before).toEqual([2, 3, 4, 6, 8]);
    expect(after).toHaveLength(7);
    for (const outcome of after) {
      expect(outcome[0]).toBe('FFIError');
      expect(outcome[1]).toMatch(/lifetimes-1\.so' was closed with ffi\.dlclose\(\)/);
    }
  });

  // Before: SIGSEGV at the first read after ffi.dlclose() unmapped the library.
  test("ffi.dlclose: pointers its functions returned into its own data refuse to be used; pointers into memory it allocated do not", () => {
    const told = inChild(
      `
      const name = C.own_name(), table = C.own_table_at(), zeroed = C.own_zeroed_at(), block = C.make_block(4);
      const before = [ffi.string(name), table[2], zeroed[1], block[3]];
      ffi.dlclose(C);
      tell([before, attempt(() => ffi.string(name)), attempt(() => table[2]), attempt(() => table.add(1)[0]), attempt(() => ffi.cast('char *', table)[0]),
        attempt(() => zeroed[0]), attempt(() => block[3])]);
    `,
      4,
    );
    const [before, ...after] = told as [unknown, ...[string, unknown][]];
    expect(before).toEqual(['lifetimes', 30, 0, 1]);
    expect(after.pop()).toEqual(['ok', 1]);
    expect(after).toHaveLength(5);
    for (const outcome of after) {
      expect(outcome[0]).toBe('FFIError');
      expect(outcome[1]).toMatch(/lifetimes-4\.so' was closed with ffi\.dlclose\(\)$/);
    }
  });

  // Before: SIGSEGV, in C calling the data it was given, or in the call from JavaScript.
  test('a function pointer to no code is refused: passed for one as a void *, stored as one, or called', () => {
    const told = inChild(
      `
      const data = ffi.cast('void *', ffi.new('int *')), handle = ffi.newHandle({});
      const raw = ffi.cast('int(*)(int)', ffi.cast('uintptr_t', C.twice)); // an address: nothing holds the library
      const code = ffi.cast('void *', C.twice), job = ffi.new('struct job *');
      const before = [C.apply(code, 5), C.apply(ffi.callback('int(int)', (x) => x + 3), 5), raw(6), ffi.cast('int(*)(int)', code)(7)];
      const refused = [attempt(() => C.apply(data, 1)), attempt(() => C.apply(handle, 1)), attempt(() => { job.f = handle; }),
        attempt(() => ffi.new('struct job *', { f: data })), attempt(() => ffi.cast('int(*)(int)', data)(1))];
      ffi.cast('int(*)(int)', handle).async(1).then((v) => ['ok', v], (e) => [e.constructor.name, e.message]).then((async) => {
        ffi.dlclose(C);
        tell([before, job.f === null, [...refused, async], attempt(() => raw(6))]);
      });
    `,
      5,
    );
    const [before, untouched, refused, closed] = told as [unknown, boolean, [string, string][], [string, string]];
    expect(before).toEqual([10, 8, 12, 14]);
    expect(untouched).toBe(true);
    const noCode = /no executable mapping of the process holds it \(it is data, such as memory from ffi\.new\(\) or a handle, or code since unloaded\)/;
    for (const [name, message] of refused.slice(0, 4)) {
      expect(name).toBe('TypeError');
      expect(message).toMatch(/expected 'int\(\*\)\(int\)', got cdata 'void \*' at 0x[0-9a-f]+, which points to no code: /);
      expect(message).toMatch(noCode);
    }
    expect(refused[0][1]).toMatch(/^apply\(\) argument 1 \('f'\): /);
    expect(refused[2][1]).toMatch(/^field 'f' of 'struct job': /);
    for (const [name, message] of [...refused.slice(4), closed]) {
      expect(name).toBe('RangeError');
      expect(message).toMatch(/^'int\(\*\)\(int\)' at 0x[0-9a-f]+: no code there: /);
      expect(message).toMatch(noCode);
    }
  });

  test('ffi.dlclose with .async calls in flight unloads once they settle; inside a callback it is refused', () => {
    const told = inChild(
      `
      (async () => {
        const pending = C.slow_twice.async(21, 200);
        ffi.dlclose(C);
        const refused = attempt(() => C.twice(1));
        const result = await pending;
        const D = ffi.dlopen(${JSON.stringify('LIBRARY_3')});
        let inside;
        const cb = ffi.callback('int(int)', (x) => { inside = attempt(() => ffi.dlclose(D)); return x + 1; });
        const through = D.apply(cb, 5);
        const stillOpen = D.twice(8);
        ffi.dlclose(D);
        tell([result, refused[0], inside, through, stillOpen, attempt(() => D.twice(1))[0]]);
      })();
    `.replace('"LIBRARY_3"', JSON.stringify(libraries[3])),
      2,
    );
    expect(told).toEqual([
      42,
      'FFIError',
      ['FFIError', expect.stringMatching(/called inside a callback that C is running.*close it once the C call has returned/)],
      6,
      16,
      'FFIError',
    ]);
  });

  test('writing a const global, or through a view of one, is refused: C keeps it in read-only memory', () => {
    const told = inChild(`
      const carr = C.carr;
      tell([
        C.K, carr[2],
        attempt(() => { C.K = 6; }), attempt(() => { carr[0] = 1; }), attempt(() => { C.carr = [1, 2, 3]; }),
        attempt(() => ffi.memmove(carr, Buffer.alloc(4), 4)), attempt(() => ffi.buffer(carr)),
        attempt(() => { ffi.cast('int *', ffi.addressof(C, 'K'))[0] = 1; }),
        C.K, carr[0],
      ]);
    `);
    const [k, c2, ...rest] = told as [number, number, ...unknown[]];
    expect([k, c2]).toEqual([5, 9]);
    expect(rest.slice(-2)).toEqual([5, 7]);
    const [assignK, ...others] = rest.slice(0, -2) as [string, string][];
    // A const global that is not an array is a constant (as in CFFI): assigning it is refused, and it has no address.
    expect(assignK).toEqual(['FFIError', expect.stringMatching(/'K' is a constant; it cannot be assigned/)]);
    expect(others.pop()).toEqual(['FFIError', expect.stringMatching(/'K' is a constant .* which has no address here/)]);
    // A const array stays a global whose memory is read-only.
    for (const outcome of others) {
      expect(outcome[0]).toBe('TypeError');
      expect(outcome[1]).toMatch(/const|read-only/);
    }
  });

  test('memory detached (transferred) or shrunk (resized) under ffi.fromBuffer() cdata is refused with a clear error', () => {
    const told = inChild(`
      const uses = (c) => [attempt(() => ffi.string(c)), attempt(() => c[0]), attempt(() => ffi.unpack(c, 2)),
        attempt(() => ffi.memmove(c, Buffer.from('x'), 1)), attempt(() => C.c_strlen(c)), attempt(() => C.c_strlen(ffi.cast('char *', c)))];
      const ab = new ArrayBuffer(16);
      new Uint8Array(ab).set([104, 105, 0]);
      const moved = ffi.fromBuffer(ab, 'char[]');
      const before = ffi.string(moved);
      structuredClone(ab, { transfer: [ab] });
      const rb = new ArrayBuffer(16, { maxByteLength: 64 });
      new Uint8Array(rb).set([104, 105, 0]);
      const shrunk = ffi.fromBuffer(rb, 'char[]');
      rb.resize(0);
      tell([before, uses(moved), uses(shrunk)]);
    `);
    const [before, moved, shrunk] = told as [string, [string, string][], [string, string][]];
    expect(before).toBe('hi');
    for (const outcome of moved) expect(outcome).toEqual(['TypeError', expect.stringMatching(/ArrayBuffer under it was detached/)]);
    for (const outcome of shrunk) expect(outcome).toEqual(['RangeError', expect.stringMatching(/ArrayBuffer under it was resized to 0 bytes/)]);
  });

  test('memory of a resizable ArrayBuffer is refused to C: a callback C calls could shrink it under C (was: SIGSEGV)', () => {
    const r = runChild(`
      const { FFI } = require(LIB);
      const ffi = new FFI();
      ffi.cdef('void qsort(void *, size_t, size_t, int (*)(const void *, const void *));');
      const C = ffi.dlopen(null);
      const attempt = (f) => { try { f(); return ['ok']; } catch (e) { return [e.constructor.name, e.message]; } };
      const N = 1 << 16;
      const rb = new ArrayBuffer(N * 4, { maxByteLength: N * 8 });
      new Int32Array(rb).forEach((_, i, a) => (a[i] = N - i));
      const shrink = ffi.callback('int(const void *, const void *)', (a, b) => { rb.resize(0); return 0; });
      const tries = [
        attempt(() => C.qsort(ffi.fromBuffer('int[]', rb), N, 4, shrink)),
        attempt(() => C.qsort(new Int32Array(rb), N, 4, shrink)),
        attempt(() => C.qsort(rb, N, 4, shrink)),
        attempt(() => C.qsort(ffi.cast('void *', ffi.fromBuffer('int[]', rb)), N, 4, shrink)),
      ];
      // Growing only: a growable SharedArrayBuffer never moves or gives memory back; a fixed one sorts.
      const sab = new SharedArrayBuffer(16, { maxByteLength: 64 });
      new Int32Array(sab).set([4, 3, 2, 1]);
      const fixed = new Int32Array([2, 1]);
      const cmp = ffi.callback('int(const void *, const void *)', (a, b) => ffi.cast('int *', a)[0] - ffi.cast('int *', b)[0]);
      C.qsort(new Int32Array(sab), 4, 4, cmp);
      C.qsort(fixed, 2, 4, cmp);
      console.log(JSON.stringify([tries, rb.byteLength, [...new Int32Array(sab)], [...fixed]]));
    `);
    expect(ending(r)).toBe('exit 0');
    const [tries, left, shared, fixed] = JSON.parse(r.stdout.trim()) as [[string, string][], number, number[], number[]];
    for (const [kind, message] of tries) {
      expect(kind).toBe('TypeError');
      expect(message).toMatch(/^qsort\(\) argument 1.*is memory of a resizable ArrayBuffer, which could be shrunk while C uses it .*; pass memory of a fixed-length ArrayBuffer, or copy it into ffi\.new\(\) memory$/);
    }
    expect([left, shared, fixed]).toEqual([1 << 18, [1, 2, 3, 4], [1, 2]]);
  });

  test('an empty JavaScript buffer passes an address of its own; a detached one is refused; a 0-byte allocation is memory', () => {
    const told = inChild(`
      // The process's first allocation, of 0 bytes: an address C can read a terminator at.
      const none = ffi.new('char[]', 0);
      const first = C.c_strlen(none);
      const u = new Uint8Array([104, 105, 0]);
      structuredClone(u.buffer, { transfer: [u.buffer] });
      const ints = new Int32Array(2);
      structuredClone(ints.buffer, { transfer: [ints.buffer] });
      tell([first, C.c_strlen(new Uint8Array(0)), C.c_strlen(new ArrayBuffer(0)), C.c_strlen(new DataView(new ArrayBuffer(0))), C.c_strlen([]),
        attempt(() => C.c_strlen(u)), attempt(() => C.sum_later(ints, 0, 0))]);
    `);
    const detached = ['TypeError', expect.stringMatching(/argument 1 \('\w+'\): the ArrayBuffer under (Uint8Array|Int32Array) was detached .* so it has no memory to pass/)];
    expect(told).toEqual([0, 0, 0, 0, 0, detached, detached]);
  });

  test('ffi.release refuses what C is using: an argument of an .async call in flight, a callback C is running', () => {
    const told = inChild(`
      (async () => {
        const N = 1 << 20;
        const a = ffi.new('int[]', new Int32Array(N).fill(1));
        const view = ffi.cast('int *', a);
        const cb = ffi.callback('int(int)', (x) => x + 1);
        const sum = C.sum_later.async(view, N, 200);
        const called = C.call_later.async(cb, 41, 200);
        const during = [attempt(() => ffi.release(a)), attempt(() => ffi.release(cb))];
        const results = [await sum, await called];
        const after = [attempt(() => ffi.release(a)), attempt(() => ffi.release(cb))];
        let inside;
        const self = ffi.callback('int(int)', (x) => { inside = attempt(() => ffi.release(self)); return x * 2; });
        const applied = C.apply(self, 21);
        tell([during, results, after, inside, applied, attempt(() => ffi.release(self)), attempt(() => C.apply(self, 1))]);
      })();
    `);
    const [during, results, after, inside, applied, released, callAfter] = told as unknown[];
    expect(during).toEqual([
      ['FFIError', "ffi.release(): cdata 'int[]' is an argument of an .async call that has not settled, and C may still use it; release it once the call's promise settles"],
      ['FFIError', expect.stringMatching(/^ffi\.release\(\): cdata 'int\(\*\)\(int\)' .*is an argument of an \.async call that has not settled/)],
    ]);
    expect(results).toEqual([1 << 20, 42]);
    expect(after).toEqual([['ok', null], ['ok', null]]);
    expect(inside).toEqual(['FFIError', expect.stringMatching(/^ffi\.release\(\): cdata 'int\(\*\)\(int\)'.* is running \(C called it and has not returned\); release it once it has$/)]);
    expect([applied, released]).toEqual([42, ['ok', null]]);
    expect(callAfter).toEqual(['TypeError', expect.stringMatching(/released/)]);
  });

  test('memory from a custom allocator is refused to C once what alloc() returned is released or detached', () => {
    const told = inChild(`
      const N = 1 << 16;
      let raw;
      const fromNew = ffi.newAllocator({ alloc: (n) => (raw = ffi.new('char[]', n)) });
      const p = fromNew('char[]', N);
      ffi.release(raw);
      let ab = new ArrayBuffer(N);
      const fromBuffer = ffi.newAllocator({ alloc: () => ffi.fromBuffer(ab) });
      const q = fromBuffer('char[]', N);
      structuredClone(ab, { transfer: [ab] });
      tell([attempt(() => C.c_strlen(p)), attempt(() => C.c_strlen(q)), attempt(() => C.c_strlen(ffi.cast('char *', p)))]);
    `);
    const [p, q, cast] = told as [string, string][];
    expect(p).toEqual(['TypeError', expect.stringMatching(/the memory its allocator's alloc\(\) returned is gone: its memory was released by ffi\.release\(\)/)]);
    expect(q).toEqual(['TypeError', expect.stringMatching(/the ArrayBuffer under it was detached/)]);
    expect(cast).toEqual(['TypeError', p[1].replace("cdata 'char[]'", "cdata 'char *'")]);
  });

  test('ffi.buffer() of a small allocation is a view of that allocation alone: transferring it detaches nothing else', () => {
    const told = inChild(`
      const a = ffi.new('int[4]', [1, 2, 3, 4]);
      const b = ffi.new('int[4]', [5, 6, 7, 8]);
      const buf = ffi.buffer(a);
      const view = ffi.view(b);
      const sizes = [buf.buffer.byteLength, view.buffer.byteLength, structuredClone(buf).buffer.byteLength];
      structuredClone(buf.buffer, { transfer: [buf.buffer] });
      buf[0] = 9; // still the same memory as a[0]
      tell([sizes, a[0], b[0], a[1], view[3]]);
    `);
    expect(told).toEqual([[16, 16, 16], 9, 5, 2, 8]);
  });

  test('structuredClone, v8.serialize and postMessage of a cdata are a DataCloneError saying why, and copy nothing of its memory', () => {
    const told = inChild(`
      const v8 = require('v8');
      const { MessageChannel } = require('worker_threads');
      const c = C.make_block(4); // C memory: a 3 GiB window behind it
      const owned = ffi.new('int[4]'); // a slab holding other allocations behind it
      const port = new MessageChannel().port1;
      // What a copy holds: its own property names and symbols, recursively (a cdata keeps all of its state under symbols).
      const out = [c, owned, C.garr, ffi.cast('void(*)(void)', 4096)].map((x) => [
        attempt(() => structuredClone(x)), attempt(() => structuredClone({ ptr: x })), attempt(() => v8.serialize(x)), attempt(() => port.postMessage({ ptr: x })),
      ]);
      port.close();
      tell([out, JSON.stringify({ ptr: owned })]);
    `);
    const [out, json] = told as [[string, string][][], string];
    const tries = out.flat();
    expect(tries).toHaveLength(16);
    for (const [cls, message] of tries) {
      expect(['DOMException', 'Error']).toContain(cls);
      expect(message).toMatch(/could not be cloned/);
    }
    // Data cdata say why; a function pointer is a function, which no clone takes either.
    for (const [, message] of out.slice(0, 3).flat()) expect(message).toContain('a node-cffi cdata refers to this process\'s memory and cannot be cloned');
    // JSON leaves the guard out: it shows no internals.
    expect(json).toBe('{"ptr":{}}');
  });

  test('ffi.memmove, ffi.unpack, ffi.buffer and ffi.view on owned memory refuse lengths past what it owns', () => {
    const told = inChild(`
      const p = ffi.new('int *');
      const q = ffi.cast('char *', ffi.new('char[8]'));
      const tries = [
        attempt(() => ffi.memmove(p, Buffer.alloc(1 << 20), 1 << 20)), attempt(() => ffi.memmove(Buffer.alloc(1 << 20), p, 1 << 20)),
        attempt(() => ffi.unpack(p, 1000)), attempt(() => ffi.buffer(p, 1 << 20)), attempt(() => ffi.view(p, 1 << 18)),
        attempt(() => ffi.memmove(q, Buffer.alloc(100), 100)), attempt(() => ffi.string(q.add(4), 100)),
      ];
      ffi.memmove(p, Buffer.from([1, 0, 0, 0]), 4);
      tell([tries, p[0], ffi.unpack(q, 8).length]);
    `);
    const [tries, p0, unpacked] = told as [[string, string][], number, number];
    expect([p0, unpacked]).toEqual([1, 8]);
    const overflows = tries.slice(0, 6);
    for (const outcome of overflows) expect(outcome).toEqual(['RangeError', expect.stringMatching(/run past the (4|8) bytes of the memory it points into \(from ffi\.new\(\)\)/)]);
    expect(tries[6]).toEqual(['ok', '']); // a bounded string read stops at the allocation's end (its bytes are zero)
  });
});
