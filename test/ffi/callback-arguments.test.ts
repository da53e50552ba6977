// What callbacks receive, argument by argument (each trampoline is generated for its signature), and p[i] on the pointers they get, through the index accessors and past them.
import { FFI, Lib } from '../../lib';
import { expectThrow } from '../helpers/throws';
import { ROWS_CDEF, ROWS_SOURCE } from '../../bench/runtime';

// The sqlite3_exec pattern exactly as the benchmark times it (each_row), and more shapes.
const CDEF = `${ROWS_CDEF}
int many(int (*cb)(int, char **), int n);
typedef double (*mixed_cb)(int, const char *, double, void *, unsigned char, long long, float, short, _Bool);
double call_mixed(mixed_cb cb);
void call_void(void (*cb)(int *), int *p);
int sparse_row(row_cb cb, int n);
int odd_pointers(int (*cb)(char **, char **, char **));
const char *row_value(int i);
`;

const SOURCE = `${ROWS_SOURCE}
#include <stdio.h>
static char texts[1100][8];
static char *items[1100];
int many(int (*cb)(int, char **), int n) {
  for (int i = 0; i < n; i++) { snprintf(texts[i], sizeof texts[i], "v%d", i); items[i] = texts[i]; }
  return cb(n, items);
}
typedef double (*mixed_cb)(int, const char *, double, void *, unsigned char, long long, float, short, _Bool);
double call_mixed(mixed_cb cb) { return cb(-5, "text", 2.5, (void *)0x1234, 200, 1LL << 40, 0.5f, -300, 1); }
void call_void(void (*cb)(int *), int *p) { cb(p); }
#include <stdint.h>
static char *sparse_values[40];
static char *sparse_names[40];
static char sparse_texts[40][8];
/* A row of n columns whose odd ones are NULL (an SQL NULL's value); the callback may replace values. */
int sparse_row(row_cb cb, int n) {
  for (int i = 0; i < n; i++) {
    snprintf(sparse_texts[i], sizeof sparse_texts[i], "c%d", i);
    sparse_values[i] = i % 2 ? NULL : sparse_texts[i];
    sparse_names[i] = sparse_texts[i];
  }
  return cb((void *)0, n, sparse_values, sparse_names);
}
const char *row_value(int i) { return sparse_values[i]; }
/* NULL, the (char **)-1 sentinel and a tagged pointer (top byte set) */
int odd_pointers(int (*cb)(char **, char **, char **)) {
  return cb((char **)0, (char **)-1, (char **)(((uintptr_t)0x5a << 56) | 0x1000));
}
`;

let ffi: FFI;
let C: Lib;
beforeAll(() => {
  ffi = new FFI();
  ffi.cdef(CDEF);
  C = ffi.verify(SOURCE, { filename: 'callbacks.c' });
});

describe("a callback's arguments", () => {
  test("the sqlite3_exec pattern: char ** rows read by index, by .get(), and as strings", () => {
    const seen: unknown[] = [];
    const cb = ffi.callback('row_cb', (arg: unknown, n: number, values: any, names: any) => {
      seen.push(arg, n, ffi.string(values[0]), ffi.string(values[1]), ffi.string(names.get(0)), ffi.string(names.get(1)));
      seen.push(String(ffi.typeof(values)), String(ffi.typeof(values[1])), ffi.string(values[1]) === ffi.string(values.get(1)));
      return n;
    });
    expect(C.each_row(cb, null, 3)).toBe(6);
    expect(seen.slice(0, 9)).toEqual([null, 2, '42', 'hello, world', 'id', 'name', "<ctype 'char * *'>", "<ctype 'char *'>", true]);
    expect(seen.length).toBe(27);
  });

  test('every kind of scalar and pointer argument arrives in its place', () => {
    let got: unknown[] = [];
    const cb = ffi.callback('mixed_cb', (...args: unknown[]) => {
      got = args;
      return 1.25;
    });
    expect(C.call_mixed(cb)).toBe(1.25);
    expect(got.length).toBe(9);
    expect([got[0], ffi.string(got[1] as never), got[2], Number(ffi.cast('uintptr_t', got[3] as never)), got[4], got[5], got[6], got[7], got[8]])
      .toEqual([-5, 'text', 2.5, 0x1234, 200, 2 ** 40, 0.5, -300, true]);
  });

  test('a void callback receives a pointer it can write through', () => {
    const cb = ffi.callback('void(int *)', (p: any) => {
      p[0] = 41;
      p[0] += 1;
    });
    const box = ffi.new('int *', 0);
    C.call_void(cb, box);
    expect(box[0]).toBe(42);
  });

  test('items past the index accessors read the same, through the Proxy', () => {
    const read: string[] = [];
    const cb = ffi.callback('int(int, char **)', (n: number, v: any) => {
      for (const i of [0, 1, 1023, 1024, 1025, n - 1]) read.push(ffi.string(v[i]), ffi.string(v.get(i)));
      return 0;
    });
    C.many(cb, 1100);
    expect(read).toEqual(['v0', 'v0', 'v1', 'v1', 'v1023', 'v1023', 'v1024', 'v1024', 'v1025', 'v1025', 'v1099', 'v1099']);
  });
});

describe('a char ** a callback receives', () => {
  test('NULL entries read as null by index and by get, inside and past the indices its class answers itself', () => {
    const read: unknown[] = [];
    const cb = ffi.callback('row_cb', (_arg: unknown, n: number, values: any, names: any) => {
      for (let i = 0; i < n; i++) {
        const v = values[i];
        read.push(v === null ? null : ffi.string(v), values.get(i) === null ? null : ffi.string(values.get(i)), ffi.string(names[i]));
      }
      return 0;
    });
    C.sparse_row(cb, 40);
    const expected: unknown[] = [];
    for (let i = 0; i < 40; i++) expected.push(i % 2 ? null : `c${i}`, i % 2 ? null : `c${i}`, `c${i}`);
    expect(read).toEqual(expected);
  });

  test('writes by index and by set reach C memory, and reads see them', () => {
    const text = ffi.new('char[]', 'replaced');
    const seen: unknown[] = [];
    const cb = ffi.callback('row_cb', (_arg: unknown, _n: number, values: any) => {
      values[1] = text;
      values.set(17, text);
      values[3] = null;
      seen.push(ffi.string(values.get(1)), ffi.string(values[17]), values[3], values.get(3));
      return 0;
    });
    C.sparse_row(cb, 20);
    expect(seen).toEqual(['replaced', 'replaced', null, null]);
    expect([ffi.string(C.row_value(1)), ffi.string(C.row_value(17)), C.row_value(3)]).toEqual(['replaced', 'replaced', null]);
  });

  test('an index or a value of the wrong kind is refused as p.get() and p.set() refuse it', () => {
    const errors: unknown[] = [];
    const cb = ffi.callback('row_cb', (_arg: unknown, _n: number, values: any) => {
      for (const f of [() => values[1.5], () => values.get(1.5), () => { values[2] = 5; }, () => values.set(2, 5)]) {
        try {
          f();
          errors.push('no error');
        } catch (e) {
          errors.push(`${(e as Error).constructor.name}: ${(e as Error).message}`);
        }
      }
      return 0;
    });
    C.sparse_row(cb, 4);
    expect(errors).toEqual([
      "TypeError: cdata 'char * *': index must be an integer, got 1.5",
      "TypeError: cdata 'char * *': index must be an integer, got 1.5",
      expect.stringMatching(/^TypeError: .*expected a cdata 'char \*' or null, got 5/),
      expect.stringMatching(/^TypeError: .*expected a cdata 'char \*' or null, got 5/),
    ]);
  });

  test('NULL, a sentinel and a tagged pointer arrive as null and as pointers that keep their address but refuse reads', () => {
    const got: unknown[] = [];
    const cb = ffi.callback('int(char **, char **, char **)', (a: any, b: any, c: any) => {
      got.push(a, String(ffi.cast('intptr_t', b)), BigInt.asUintN(64, BigInt(ffi.cast('intptr_t', c) as number | bigint)).toString(16));
      for (const p of [b, c]) {
        try {
          p[0];
          got.push('read');
        } catch (e) {
          got.push(`${(e as Error).constructor.name}: ${/is not valid memory/.test((e as Error).message)}`);
        }
      }
      return 0;
    });
    C.odd_pointers(cb);
    expect(got).toEqual([null, '-1', '5a00000000001000', 'RangeError: true', 'RangeError: true']);
  });

});

describe('the index accessors a class defines for itself', () => {
  test('a pointer or array class answers indices 0 to 15 with accessors of its own once one of its objects is indexed, then the shared ones', () => {
    const ownIndices = (proto: object) => Array.from({ length: 20 }, (_, i) => i).filter((i) => Object.getOwnPropertyDescriptor(proto, i) !== undefined);
    // types no other test of this file indexes
    const pp = ffi.cast('short * *', ffi.new('short *[4]'))!;
    const ints = ffi.new('int[7]');
    const [ppClass, intsClass] = [Object.getPrototypeOf(pp), Object.getPrototypeOf(ints)];
    expect([ownIndices(ppClass), ownIndices(intsClass)]).toEqual([[], []]);
    expect(pp[3]).toBe(null);
    ints[2] = 5;
    const sixteen = Array.from({ length: 16 }, (_, i) => i);
    expect([ownIndices(ppClass), ownIndices(intsClass)]).toEqual([sixteen, sixteen]);
    expect(Object.getOwnPropertyDescriptor(ppClass, 1)!.get).not.toBe(Object.getOwnPropertyDescriptor(intsClass, 1)!.get);
    const listed: string[] = [];
    for (const key in ints) listed.push(key); // eslint-disable-line guard-for-in
    // the accessors are not enumerable: only the guard every cdata has is listed
    expect([ints[2], ints.get(2), pp[3], pp.get(3), listed]).toEqual([5, 5, null, null, ['(not cloneable)']]);
    // past the first 16 indices the shared accessors answer and define nothing; a write below defines them too
    const later = ffi.new('int[20]');
    later[16] = 9;
    expect([later[16], ownIndices(Object.getPrototypeOf(later))]).toEqual([9, []]);
    later[15] = 4;
    expect([later[15], later.get(15), ownIndices(Object.getPrototypeOf(later))]).toEqual([4, 4, sixteen]);
  });
  test("a struct pointer whose struct has a field named 'constructor' is indexed as any other", () => {
    const own = new FFI();
    own.cdef('struct has_ctor { int constructor; int x; };');
    const p = own.cast('struct has_ctor *', own.new('struct has_ctor[3]'))!;
    p[2].x = 7;
    p[1].constructor = 4;
    const proto = Object.getPrototypeOf(p);
    expect([p[2].x, p.get(2).x, p[1].constructor, p.constructor, Object.getOwnPropertyDescriptor(proto, 2) !== undefined]).toEqual([7, 7, 4, 0, true]);
  });
});

describe('ffi.string of char pointers and arrays', () => {
  test('C memory, a char array in full and cut by its NUL, maxlen, and an empty array', () => {
    const full = ffi.new('char[5]', 'abcde'.split('').map((ch) => ch.charCodeAt(0)));
    const cut = ffi.new('char[8]', 'ab');
    expect([ffi.string(full), ffi.string(cut), ffi.string(full, 2), ffi.string(ffi.new('char[]', 0))]).toEqual(['abcde', 'ab', 'ab', '']);
    C.sparse_row(ffi.callback('row_cb', () => 0), 2);
    const c = C.row_value(0);
    expect([ffi.string(c), ffi.string(c, 1)]).toEqual(['c0', 'c']);
    const u = ffi.new('char[]', 'h\u00e9llo \u4e16');
    expect(ffi.string(u)).toBe('h\u00e9llo \u4e16');
    expect(ffi.string(ffi.cast('char *', u))).toBe('h\u00e9llo \u4e16');
  });

  test('memory that is gone, and addresses no view reaches, are refused', () => {
    const a = ffi.new('char[]', 'gone soon');
    const p = ffi.cast('char *', a);
    ffi.release(a);
    expectThrow(() => ffi.string(p), TypeError, 'released');
    expectThrow(() => ffi.string(ffi.cast('char *', -1)), RangeError, 'is not valid memory');
    expectThrow(() => ffi.string(null), TypeError, 'null (a NULL pointer)');
  });
});

describe('p[i] below and past the index accessors', () => {
  test('reads and writes agree with get and set, and so do their errors', () => {
    const a = ffi.new('int[2000]');
    for (const i of [0, 5, 1023, 1024, 1999]) a[i] = i * 3;
    expect([0, 5, 1023, 1024, 1999].map((i) => [a[i], a.get(i)])).toEqual([[0, 0], [15, 15], [3069, 3069], [3072, 3072], [5997, 5997]]);
    const p = ffi.cast('int *', a)!;
    p[1500] = 7;
    p[3] = 8;
    expect([a[1500], a[3], p[1500], p[3]]).toEqual([7, 8, 7, 8]);
    const small = ffi.new('int[4]');
    expectThrow(() => small[4], RangeError, "cdata 'int[4]': index 4 is out of bounds (length 4)");
    expectThrow(() => small[2000], RangeError, "cdata 'int[4]': index 2000 is out of bounds (length 4)");
    expectThrow(() => small[-1], RangeError, "cdata 'int[4]': index -1 is out of bounds (length 4)");
    expectThrow(() => { small[4] = 1; }, RangeError, "cdata 'int[4]': index 4 is out of bounds (length 4)");
    expectThrow(() => { small[1] = 'x'; }, TypeError, "expected an integer for 'int', got string \"x\"");
  });

  test('a struct is not indexed, whatever the index', () => {
    const s = ffi.new('struct { int x; } *')[0];
    expectThrow(() => s[0], TypeError, 'cannot be indexed');
    expectThrow(() => s[5000], TypeError, 'cannot be indexed');
  });
});
