// Values as CFFI converts them: temporary arrays for pointer arguments, wide characters, structs through '...', flexible array members, hidden internals.
import * as repl from 'repl';
import { PassThrough } from 'stream';
import * as vm from 'vm';
import { CData, FFI, FFIError, Lib } from '../../lib';
import { expectThrow } from '../helpers/throws';

const CDEF = `
struct pt { int x; int y; };
union gap { struct { char c; int i; } s; float f; };
union u { int i; float f; };
struct partial { int x; ...; };
struct vs { int n; int items[]; };
int sum(const int *p, int n);
double sum_pts(const struct pt *p, int n);
int first_char(const void *p);
int wlen(const wchar_t *s);
int u16len(const char16_t *s);
long sum_pairs(int n, ...);
int vs_total(const struct vs *v);
char32_t next_char(char32_t c);
`;

const SOURCE = `
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
typedef uint_least16_t char16_t;
typedef uint_least32_t char32_t;
struct pt { int x; int y; };
union gap { struct { char c; int i; } s; float f; };
union u { int i; float f; };
struct partial { int before; int x; };
struct vs { int n; int items[]; };
int sum(const int *p, int n) { int s = 0; for (int i = 0; i < n; i++) s += p[i]; return s; }
double sum_pts(const struct pt *p, int n) { double s = 0; for (int i = 0; i < n; i++) s += p[i].x * 10 + p[i].y; return s; }
int first_char(const void *p) { return ((const unsigned char *)p)[0]; }
int wlen(const wchar_t *s) { int n = 0; while (s[n]) n++; return n; }
int u16len(const char16_t *s) { int n = 0; while (s[n]) n++; return n; }
long sum_pairs(int n, ...) {
  va_list ap; long s = 0; va_start(ap, n);
  for (int i = 0; i < n; i++) { struct pt p = va_arg(ap, struct pt); s += p.x * 10 + p.y; }
  va_end(ap); return s;
}
int vs_total(const struct vs *v) { int s = 0; for (int i = 0; i < v->n; i++) s += v->items[i]; return s; }
char32_t next_char(char32_t c) { return c + 1; }
`;

let ffi: FFI;
let C: Lib;
beforeAll(() => {
  ffi = new FFI();
  ffi.cdef(CDEF);
  C = ffi.verify(SOURCE, { filename: 'values.c' });
});

describe('pointer arguments', () => {
  test('a list is a temporary C array of the items, for the call', () => {
    expect(C.sum([1, 2, 3, 4], 4)).toBe(10);
    expect(C.sum_pts([[1, 2], { x: 3, y: 4 }], 2)).toBe(12 + 34);
    expectThrow(() => C.sum([1, 'x'], 2), TypeError, "sum() argument 1 ('p')[1]: expected an integer for 'int', got string \"x\"");
    expectThrow(() => C.sum([1, 2 ** 40], 2), RangeError, 'does not fit');
  });

  test('.async keeps the temporary array alive until the call settles', async () => {
    const n = 100000;
    const pending = C.sum.async(Array.from({ length: n }, () => 1), n);
    for (let i = 0; i < 20; i++) ffi.new('int[]', 4096); // churn the allocator while the call runs
    await expect(pending).resolves.toBe(n);
  });

  test("a string for a 'void *' is its UTF-8 bytes, NUL-terminated; for a wide character pointer its UTF-16/32 units", () => {
    expect(C.first_char('é')).toBe(0xc3);
    expect(C.wlen('h😀é')).toBe(3); // wchar_t holds code points
    expect(C.u16len('h😀é')).toBe(4); // char16_t holds UTF-16 units: the emoji takes two
    expectThrow(() => C.sum('abc', 3), TypeError, "a string can only be passed as a pointer to char (or another one-byte integer), to a wide character or to void, not as 'int *'");
  });

  test('buffers from another realm are JavaScript memory all the same', () => {
    const ints = vm.runInNewContext('new Int32Array([5, 6, 7])') as Int32Array;
    expect(ints instanceof Int32Array).toBe(false);
    expect(C.sum(ints, 3)).toBe(18);
    const bytes = vm.runInNewContext('new Uint16Array([0x1234, 0x5678]).buffer') as ArrayBuffer;
    const view = ffi.fromBuffer('unsigned short[]', bytes);
    expect([view.length, view[1]]).toEqual([2, 0x5678]);
  });
});

describe("structs through '...'", () => {
  test('a struct cdata passes by value, as libffi passes it', () => {
    const a = ffi.new('struct pt *', [1, 2])[0];
    const b = ffi.new('struct pt *', [3, 4])[0];
    expect(C.sum_pairs(2, a, b)).toBe(12 + 34);
    expect(C.sum_pairs(1, ['struct pt', { x: 5, y: 6 }])).toBe(56);
  });

  test("a struct C's calling convention cannot be known for is an FFIError, as CFFI's NotImplementedError", () => {
    expectThrow(() => C.sum_pairs(1, ffi.new('union gap *')[0]), FFIError, 'no member of it holds all its bytes');
    expectThrow(() => C.sum_pairs(1, ffi.new('struct partial *')[0]), FFIError, "'struct partial' is declared with '...;'");
  });
});

describe('flexible array members', () => {
  test('ffi.new sizes the struct for the items given, and the owning pointer knows it', () => {
    const v = ffi.new('struct vs *', [3, [10, 20, 30]]);
    const size = ffi.sizeof('int') * 4;
    expect(String(v)).toBe(`<cdata 'struct vs *' owning ${size} bytes>`);
    expect([v.items.length, ffi.sizeof(v[0]), ffi.buffer(v[0]).length]).toEqual([3, size, size]);
    expect(String(v.items)).toBe("<cdata 'int[]' sliced length 3>");
    expect(C.vs_total(v)).toBe(60);
    expectThrow(() => v[1], RangeError, 'can only be indexed by 0');
    expectThrow(() => v.items[3], RangeError, 'out of bounds');
    const counted = ffi.new('struct vs *', { n: 2, items: 5 }); // an integer: the length, items zero
    expect([counted.items.length, counted.items[4]]).toEqual([5, 0]);
    // through a pointer whose memory's size is not known, the member is a pointer to its first item
    const seen = ffi.cast('struct vs *', ffi.cast('void *', v))!;
    expect(String(seen.items).startsWith("<cdata 'int *' 0x")).toBe(true);
  });
});

describe('wide characters and chars', () => {
  test('wide characters are one-character strings both ways', () => {
    expect(C.next_char('a')).toBe('b');
    expect(C.next_char('😀')).toBe('😁');
    const w = ffi.new('wchar_t[]', 'a😀');
    expect([w.length, w[0], w[1], w[2]]).toEqual([3, 'a', '😀', '\0']);
    expectThrow(() => C.next_char('ab'), TypeError, "expected a string of one character for 'char32_t'");
  });

  test('a plain char is its byte value', () => {
    const c = ffi.new('char[]', [0xff, 'A']);
    expect([c[0], c[1], ffi.cast('char', -1), ffi.cast('int', ffi.cast('char', 0x80))]).toEqual([255, 65, 255, 128]);
    expectThrow(() => ffi.new('char *', -1), RangeError, "-1 does not fit in 'char' (0 to 255)");
  });
});

describe('enum values', () => {
  test('an enum value from ffi.cast goes wherever an integer goes, and prints as CFFI prints it', () => {
    const f = new FFI();
    f.cdef('enum color { RED, GREEN = 5 }; struct s { enum color c; int i; };');
    const s = f.new('struct s *');
    s.c = f.cast('enum color', 5);
    s.i = f.cast('enum color', 0);
    expect([s.c, s.i]).toEqual([5, 0]);
    expect(String(f.cast('enum color', 5))).toBe("<cdata 'enum color' 5: GREEN>");
    expect(String(f.cast('enum color', 7))).toBe("<cdata 'enum color' 7>");
  });
});

describe('the internals of a cdata are hidden', () => {
  const kinds = (): [string, CData][] => [
    ['array', ffi.new('int[2]', [1, 2])],
    ['pointer', ffi.new('struct pt *', [1, 2])],
    ['struct', ffi.new('struct pt *', [1, 2])[0]],
  ];

  test('from Object.keys, for...in, JSON.stringify and own property names: only the guard that stops a clone is there', () => {
    for (const [kind, c] of kinds()) {
      const names: string[] = [];
      for (const k in c) names.push(k);
      const guard = ['(not cloneable)'];
      expect([kind, Object.keys(c), names, JSON.stringify(c), Object.getOwnPropertyNames(c)]).toEqual([kind, guard, guard, '{}', guard]);
      expect(typeof (c as unknown as Record<string, unknown>)['(not cloneable)']).toBe('symbol');
      expect(Reflect.ownKeys(c).filter((k) => typeof k !== 'symbol')).toEqual(guard);
    }
  });

  test("from the REPL's Tab completion, which still offers fields and methods", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const server = repl.start({ input, output, prompt: '', terminal: false, useGlobal: false });
    const p = ffi.new('struct pt *', [1, 2]);
    server.context.p = p;
    const completions = await new Promise<string[]>((resolve, reject) => {
      // the completer the REPL runs on Tab
      (server.completer as (line: string, cb: (err: Error | null, result: [string[], string]) => void) => void)('p.', (err, result) =>
        err ? reject(err) : resolve(result[0]),
      );
    });
    server.close();
    expect(completions).toEqual(expect.arrayContaining(['p.x', 'p.y', 'p.add', 'p.slice']));
    expect(completions.filter((c) => c.startsWith('p.$') || c.includes('cloneable'))).toEqual([]);
  });

  test('code reading an internal by its former name is told, not given undefined', () => {
    const p = ffi.new('int *') as unknown as Record<string, unknown>;
    expectThrow(() => p.$a, Error, "'$a' is not one of their names");
  });
});

describe('ownership', () => {
  test('an allocation of 0 bytes owns them, and releasing it leaves the memory around it alone', () => {
    const before = ffi.new('int[2]', [7, 8]);
    const z = ffi.new('int[]', 0);
    const after = ffi.new('int[2]', [9, 10]);
    expect(String(z)).toBe("<cdata 'int[]' owning 0 bytes>");
    ffi.release(z);
    expect([...before, ...after]).toEqual([7, 8, 9, 10]);
    expectThrow(() => z[0], TypeError, 'released by ffi.release()');
  });

  test('ffi.gc(x, null) removes the destructor of an ffi.gc() result, and refuses any other cdata', () => {
    const p = ffi.new('int *');
    expectThrow(() => ffi.gc(p, null), TypeError, "ffi.gc(): cdata 'int *' was not returned by ffi.gc(), so it has no destructor to remove");
    const q = ffi.gc(p, () => undefined);
    expect(ffi.gc(q, null)).toBeUndefined();
    // Again: nothing to remove, and no error (as in CFFI).
    expect(ffi.gc(q, null)).toBeUndefined();
    expect([p instanceof ffi.CData, ffi.typeof(p) instanceof ffi.CType, FFI.CData === ffi.CData]).toEqual([true, true, true]);
  });
});

describe('functions', () => {
  test('ffi.typeof() of a library function is the pointer to its function type', () => {
    expect(ffi.typeof(C.sum)).toBe(ffi.typeof('int(*)(const int *, int)'));
    expectThrow(() => ffi.typeof((() => 0) as never), TypeError, 'ffi.typeof(): expected a C type name or a ctype');
  });

  test("a call through a function pointer passing a struct declared with '...;' by value is an FFIError before any argument is looked at", async () => {
    const fp = ffi.cast('int(*)(int, struct partial)', 4096)!;
    expectThrow(() => fp('not an int'), FFIError, "ctype 'struct partial' not supported as argument 2 of a call through a function pointer: it is declared with '...;'");
    await expect(fp.async()).rejects.toThrow(/not supported as argument 2/);
    const ret = ffi.cast('union gap(*)(void)', 4096)!;
    expectThrow(() => ret(), FFIError, "ctype 'union gap' not supported as return value of a call through a function pointer: no member of it holds all its bytes as a value (its largest, 's', has padding or a _Bool)");
  });
});
