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
