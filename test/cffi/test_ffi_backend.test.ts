// CFFI's testing/cffi0/test_ffi_backend.py, ported: the tests it defines itself (TestFFI's own, TestBitfield's), one test per CFFI test, in CFFI's order (the BackendTests it extends are backend_tests.test.ts).
//
// Not ported:
//   test_bitfield_anonymous_align_arm: CFFI runs it only on ARM Linux (skipif off arm/aarch64, and on macOS arm64); its expected layouts are the ARM ABI's, which x86-64's compiler does not give
//   test_bitfield_zero_arm: the same (ARM Linux only)
//   test_getwinerror: Windows only (skipif sys.platform != 'win32'; ffi.getwinerror and Kernel32.dll)
//
// Translation (as in backend_tests.test.ts and test_ffi_obj.test.ts): a keyword argument naming a
// positional parameter stays positional (`ffi.memmove(dest=ba, src=p, n=3)`); from_buffer's require_writable,
// positional or keyword, goes in the options object; `array.array('H'/'h')` → Uint16Array/Int16Array; immutable
// `bytes` given to memmove → a string, `bytearray` → a Buffer; a Python `bytes` object given to from_buffer → a Buffer;
// a list_types() tuple → `{ typedefs, structs, unions }`; cdata `==` compares addresses (`ffi.cast('uintptr_t', p)`);
// MemoryError → RangeError (what Node throws when an allocation fails); RuntimeError, CFFI's own error, → FFIError;
// Python's `type(x)` → `x`'s constructor, and calling it → `new`; `del x[i]` → `delete x[i]` (strict mode);
// gc.collect() → a full collection and turns of the event loop; warnings.catch_warnings → a spy on
// process.emitWarning. TestBitfield.check is CFFI's: each call verify()s a small library, as CFFI does, and
// compares the layout and the bytes each bit-field value leaves with the compiler's. The tests targeting x86-64 and
// the other non-ARM platforms (test_bitfield_anonymous_no_align, test_bitfield_zero) run on this platform, as in CFFI.
import * as os from 'os';
import { CData, CDefError, FFI, FFIError } from '../../lib';
import type { CField, CType, Lib } from '../../lib';
import { COLLECT_ROUNDS, addr, collectAfterTurn, collectUntil, i16, u16 } from '../helpers/cffiport';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** Python's exceptions that the tests raise themselves. */
class LookupError extends Error {}

/** The stack frames of an error, innermost first ('at f (file:line:col)'). */
const framesOf = (e: unknown): string[] =>
  ((e as Error).stack ?? '').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('at '));

describe('TestFFI', () => {
  test('test_not_supported_bitfield_in_result', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int a,b,c,d,e; int x:1; };');
    // differs from CFFI: see docs/cffi-differences.md, "Bit-fields by value through `dlopen()`"
    // (CFFI raises NotImplementedError, "struct foo_s(*)(): callback with unsupported argument or return type or
    // with '...'"; koffi carries the bit-fields' bytes, so node-cffi makes the callback.)
    const cb = ffi.callback('struct foo_s foo(void)', () => 42);
    expect(cb).toBeInstanceOf(CData);
    expect(ffi.typeof(cb)).toBe(ffi.typeof('struct foo_s(*)(void)'));
  });

  test('test_inspecttype', () => {
    const ffi = new FFI();
    expect(ffi.typeof('long').kind).toBe('primitive');
    expect(ffi.typeof('long(*)(long, long**, ...)').cname).toBe('long(*)(long, long * *, ...)');
    expect((ffi.typeof('long(*)(long, long**, ...)') as Any).ellipsis).toBe(true);
  });

  test('test_new_handle', () => {
    const ffi = new FFI();
    const o = [2, 3, 4];
    const p = ffi.newHandle(o);
    expect(ffi.typeof(p)).toBe(ffi.typeof('void *'));
    expect(ffi.fromHandle(p)).toBe(o);
    expect(ffi.fromHandle(ffi.cast('char *', p))).toBe(o);
    // CFFI raises RuntimeError ("cannot use from_handle() on NULL pointer"): CFFI's own error, FFIError here.
    expect(() => ffi.fromHandle(ffi.NULL)).toThrow(FFIError);
  });

  test('test_callback_onerror', () => {
    const ffi = new FFI();
    const seen: unknown[][] = [];
    // Python's onerror(exc, val, tb) is onerror(error) here: the class is its constructor, the traceback its stack.
    const oops = (...args: unknown[]) => {
      seen.push(args);
    };
    function otherfunc(): void {
      throw new LookupError();
    }
    function cb(n: number): number {
      otherfunc();
      return n;
    }
    const a = ffi.callback('int(*)(int)', cb, { error: 42, onerror: oops });
    const res = a(234);
    expect(res).toBe(42);
    expect(seen.length).toBe(1);
    const [val] = seen[0];
    expect((val as Error).constructor).toBe(LookupError);
    expect(val).toBeInstanceOf(LookupError);
    // tb.tb_frame.f_code.co_name == 'cb': the traceback's outermost frame is the callback's; its next frame in
    // JavaScript's innermost-first stack is otherfunc's, where the error was thrown.
    const frames = framesOf(val);
    expect(frames[0]).toMatch(/^at otherfunc\b/);
    expect(frames[1]).toMatch(/^at cb\b/);
    // no counterpart: tb.tb_frame.f_locals['n'] == 234 (JavaScript exposes no frame's local variables)
  });

  test('test_ffi_new_allocator_2', async () => {
    const ffi = new FFI() as Any;
    const seen: unknown[] = [];
    const myalloc = (size: number) => {
      seen.push(size);
      return ffi.new('char[]', 'X'.repeat(size));
    };
    const myfree = (raw: unknown) => {
      seen.push(raw);
    };
    const alloc1 = ffi.newAllocator({ alloc: myalloc, free: myfree });
    const alloc2 = ffi.newAllocator({ alloc: myalloc, free: myfree, shouldClearAfterAlloc: false });
    // p1 and p2 live in this function only, so that they are unreachable once it returns (Python's `del p1, p2`).
    const make = () => {
      const p1 = alloc1('int[10]');
      const p2 = alloc2('int[]', 10);
      expect(seen).toEqual([40, 40]);
      expect(ffi.typeof(p1)).toBe(ffi.typeof('int[10]'));
      expect(ffi.sizeof(p1)).toBe(40);
      expect(ffi.typeof(p2)).toBe(ffi.typeof('int[]'));
      expect(ffi.sizeof(p2)).toBe(40);
      expect(p1[5]).toBe(0);
      expect(p2[6]).toBe('X'.charCodeAt(0) * 0x01010101);
      // differs from CFFI: see docs/cffi-differences.md, "A pointer cast from owned memory keeps it alive"
      // (CFFI's raw1 = ffi.cast("char *", p1) would keep p1's memory from being freed: the addresses are what the
      // test compares.)
      return { raw1: addr(ffi, p1), raw2: addr(ffi, p2) };
    };
    const { raw1, raw2 } = make();
    let retries = 0;
    while (seen.length !== 4) {
      retries += 1;
      // a count of rounds, not time (see collectUntil)
      expect(retries).toBeLessThanOrEqual(COLLECT_ROUNDS);
      await collectAfterTurn();
    }
    const freed = [addr(ffi, seen[2]), addr(ffi, seen[3])];
    expect([freed, [freed[1], freed[0]]]).toContainEqual([raw1, raw2]);
    expect(seen.slice(0, 2)).toEqual([40, 40]);
    expect(String(seen[2])).toBe("<cdata 'char[]' owning 41 bytes>");
    expect(String(seen[3])).toBe("<cdata 'char[]' owning 41 bytes>");
  });

  test('test_ffi_new_allocator_3', () => {
    const ffi = new FFI() as Any;
    const seen: unknown[] = [];
    const myalloc = (size: number) => {
      seen.push(size);
      return ffi.new('char[]', 'X'.repeat(size));
    };
    const alloc1 = ffi.newAllocator({ alloc: myalloc }); // no 'free'
    const p1 = alloc1('int[10]');
    expect(seen).toEqual([40]);
    expect(ffi.typeof(p1)).toBe(ffi.typeof('int[10]'));
    expect(ffi.sizeof(p1)).toBe(40);
    expect(p1[5]).toBe(0);
  });

  test('test_ffi_new_allocator_4', () => {
    const ffi = new FFI() as Any;
    expect(() => ffi.newAllocator({ free: () => null })).toThrow(TypeError);
    //
    const myalloc2 = (_size: number) => {
      throw new LookupError();
    };
    const alloc2 = ffi.newAllocator({ alloc: myalloc2 });
    expect(() => alloc2('int[5]')).toThrow(LookupError);
    //
    const myalloc3 = (_size: number) => 42;
    const alloc3 = ffi.newAllocator({ alloc: myalloc3 });
    // CFFI's message: "alloc() must return a cdata object (got int)"
    expect(() => alloc3('int[5]')).toThrow(TypeError);
    expect(() => alloc3('int[5]')).toThrow(/alloc\(\) must return a cdata/);
    //
    // ffi.cast("int", 42) is the number 42 here (docs/cffi-differences.md, "A cast to a number type is a number"),
    // so this is myalloc3's case again; CFFI's message: "alloc() must return a cdata pointer, not 'int'"
    const myalloc4 = (_size: number) => ffi.cast('int', 42);
    const alloc4 = ffi.newAllocator({ alloc: myalloc4 });
    expect(() => alloc4('int[5]')).toThrow(TypeError);
    expect(() => alloc4('int[5]')).toThrow(/alloc\(\) must return a cdata pointer/);
    //
    const myalloc5 = (_size: number) => ffi.NULL;
    const alloc5 = ffi.newAllocator({ alloc: myalloc5 });
    expect(() => alloc5('int[5]')).toThrow(RangeError);
  });

  test('test_new_struct_containing_struct_containing_array_varsize', () => {
    const ffi = new FFI();
    ffi.cdef(`
            struct foo_s { int len[100]; short data[]; };
            struct bar_s { int abc[100]; struct foo_s tail; };
        `);
    // loop to try to detect heap overwrites, if the size allocated
    // is too small
    for (let i = 1; i < 501; i += 100) {
      const data: number[] = [];
      for (let k = 0; k < i; k++) data.push(3, 4, 5, 6, 7, 8, 9);
      const p = ffi.new('struct bar_s *', [[10], [[20], data]]);
      expect(p.abc[0]).toBe(10);
      expect(p.tail.len[0]).toBe(20);
      expect(p.tail.data[0]).toBe(3);
      expect(p.tail.data[6]).toBe(9);
      expect(p.tail.data[7 * i - 1]).toBe(9);
    }
  });

  test('test_bogus_struct_containing_struct_containing_array_varsize', () => {
    const ffi = new FFI();
    ffi.cdef(`
            struct foo_s { signed char len; signed char data[]; };
            struct bar_s { struct foo_s foo; int bcd; };
        `);
    const p = ffi.new('struct bar_s *', [[123, [45, 56, 67, 78]], 9999999]);
    expect(p.foo.len).toBe(123);
    expect(p.foo.data[0]).toBe(45);
    expect(p.foo.data[1]).toBe(56);
    expect(p.foo.data[2]).toBe(67);
    expect(p.bcd).toBe(9999999);
    expect(p.foo.data[3]).not.toBe(78); // has been overwritten with 9999999
  });

  test('test_issue553', async () => {
    const ffi = new FFI();
    const p = ffi.new('int *', 123);
    const warn = jest.spyOn(process, 'emitWarning');
    try {
      // The destructor records that it ran, so that the collection is known to have reached it (CFFI's lambda x: None).
      let ran = false;
      (() => {
        ffi.gc(p, () => {
          ran = true;
        });
      })();
      await collectUntil(() => ran, collectAfterTurn);
      expect(ran).toBe(true);
      expect(warn.mock.calls).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  test('test_issue553_from_buffer', async () => {
    const ffi = new FFI();
    const buf = Buffer.from('123');
    const warn = jest.spyOn(process, 'emitWarning');
    try {
      ffi.fromBuffer(buf);
      await collectAfterTurn();
      expect(warn.mock.calls).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('TestBitfield', () => {
  /** TestBitfield._fieldcheck */
  function fieldcheck(ffi: FFI, ffi1: FFI, lib: Lib, fnames: string[], name: string, value: number): void {
    const s = ffi.new('struct s1 *') as Any;
    s[name] = value; // setattr(s, name, value)
    expect(s[name]).toBe(value);
    const raw1 = Buffer.from(ffi.buffer(s)); // ffi.buffer(s)[:]
    const buff1 = ffi.buffer(s);
    const t = lib.try_with_value(fnames.indexOf(name), value) as CData;
    const raw2 = Buffer.from(ffi1.buffer(t, raw1.length));
    expect(raw1).toEqual(raw2);
    const buff2 = ffi1.buffer(t, buff1.length);
    expect(buff1.equals(buff2)).toBe(true);
  }

  /** TestBitfield.check: 'expected_*' are the numbers expected from GCC. */
  function check(source: string, expectedOfsY: number, expectedAlign: number, expectedSize: number): void {
    const ffi = new FFI();
    ffi.cdef(`struct s1 { ${source} };`);
    const ctype = ffi.typeof('struct s1') as CType & { fields: CField[] };
    // verify the information with gcc
    const ffi1 = new FFI();
    ffi1.cdef(`
            static const int Gofs_y, Galign, Gsize;
            struct s1 *try_with_value(int fieldnum, long long value);
        `);
    const fnames = ctype.fields.filter((f) => f.name && f.bitsize > 0).map((f) => f.name);
    const setters = fnames.map((name, i) => `case ${i}: s.${name} = value; break;`);
    const lib = ffi1.verify(`
            #include <string.h>
            struct s1 { ${source} };
            struct sa { char a; struct s1 b; };
            #define Gofs_y  offsetof(struct s1, y)
            #define Galign  offsetof(struct sa, b)
            #define Gsize   sizeof(struct s1)
            struct s1 *try_with_value(int fieldnum, long long value)
            {
                static struct s1 s;
                memset(&s, 0, sizeof(s));
                switch (fieldnum) { ${setters.join(' ')} }
                return &s;
            }
        `);
    // (CFFI takes the expected numbers from the compiler on win32; this platform is not.)
    expect([lib.Gofs_y, lib.Galign, lib.Gsize]).toEqual([expectedOfsY, expectedAlign, expectedSize]);
    // the real test follows
    expect(ffi.offsetof('struct s1', 'y')).toBe(expectedOfsY);
    expect(ffi.alignof('struct s1')).toBe(expectedAlign);
    expect(ffi.sizeof('struct s1')).toBe(expectedSize);
    // compare the actual storage of the two
    for (const cfield of ctype.fields) {
      const name = cfield.name;
      if (cfield.bitsize < 0 || !name) continue;
      let minValue: number;
      let maxValue: number;
      if (Number(ffi.cast(cfield.type, -1)) === -1) {
        // signed
        minValue = -(2 ** (cfield.bitsize - 1));
        maxValue = 2 ** (cfield.bitsize - 1) - 1;
      } else {
        minValue = 0;
        maxValue = 2 ** cfield.bitsize - 1;
      }
      for (const t of [1, 2, 4, 8, 16, 128, 2813, 89728, 981729, -1, -2, -4, -8, -16, -128, -2813, -89728, -981729]) {
        if (minValue <= t && t <= maxValue) fieldcheck(ffi, ffi1, lib, fnames, name, t);
      }
    }
  }

  test('test_bitfield_basic', () => {
    check('int a; int b:9; int c:20; int y;', 8, 4, 12);
    check('int a; short b:9; short c:7; int y;', 8, 4, 12);
    check('int a; short b:9; short c:9; int y;', 8, 4, 12);
  });

  test('test_bitfield_reuse_if_enough_space', () => {
    check('int a:2; char y;', 1, 4, 4);
    check('int a:1; char b  ; int c:1; char y;', 3, 4, 4);
    check('int a:1; char b:8; int c:1; char y;', 3, 4, 4);
    check('char a; int b:9; char y;', 3, 4, 4);
    check('char a; short b:9; char y;', 4, 2, 6);
    check('int a:2; char b:6; char y;', 1, 4, 4);
    check('int a:2; char b:7; char y;', 2, 4, 4);
    check('int a:2; short b:15; char c:2; char y;', 5, 4, 8);
    check('int a:2; char b:1; char c:1; char y;', 1, 4, 4);
  });

  test('test_bitfield_anonymous_no_align', () => {
    const L = new FFI().alignof('long long');
    check('char y; int :1;', 0, 1, 2);
    check('char x; int z:1; char y;', 2, 4, 4);
    check('char x; int  :1; char y;', 2, 1, 3);
    check('char x; long long z:48; char y;', 7, L, 8);
    check('char x; long long  :48; char y;', 7, 1, 8);
    check('char x; long long z:56; char y;', 8, L, 8 + L);
    check('char x; long long  :56; char y;', 8, 1, 9);
    check('char x; long long z:57; char y;', L + 8, L, L + 8 + L);
    check('char x; long long  :57; char y;', L + 8, 1, L + 9);
  });

  test('test_bitfield_zero', () => {
    const L = new FFI().alignof('long long');
    check('char y; int :0;', 0, 1, 4);
    check('char x; int :0; char y;', 4, 1, 5);
    check('char x; int :0; int :0; char y;', 4, 1, 5);
    check('char x; long long :0; char y;', L, 1, L + 1);
    check('short x, y; int :0; int :0;', 2, 2, 4);
    check('char x; int :0; short b:1; char y;', 5, 2, 6);
    check('int a:1; int :0; int b:1; char y;', 5, 4, 8);
  });

  test('test_error_cases', () => {
    const ffi = new FFI();
    // differs from CFFI: see docs/cffi-differences.md, "A type string that is no C type is a `CDefError`"
    // (CFFI takes each cdef and raises TypeError at ffi.new(); node-cffi's parser refuses a type C refuses where it
    // reads it. The struct, never defined, then has no size: "A type without a size: one error, `FFIError`".)
    expect(() => ffi.cdef('struct s1 { float x:1; };')).toThrow(CDefError);
    expect(() => ffi.new('struct s1 *')).toThrow(FFIError);
    expect(() => ffi.cdef('struct s2 { char x:0; };')).toThrow(CDefError);
    expect(() => ffi.new('struct s2 *')).toThrow(FFIError);
    expect(() => ffi.cdef('struct s3 { char x:9; };')).toThrow(CDefError);
    expect(() => ffi.new('struct s3 *')).toThrow(FFIError);
  });

  test('test_struct_with_typedef', () => {
    const ffi = new FFI();
    ffi.cdef('typedef struct { float x; } foo_t;');
    const p = ffi.new('foo_t *', [5.2]);
    expect(String(p).startsWith("<cdata 'foo_t *' ")).toBe(true);
  });

  test('test_struct_array_no_length', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int x; int a[]; };');
    const p = ffi.new('struct foo_s *', [100, [200, 300, 400]]);
    expect(p.x).toBe(100);
    expect(ffi.typeof(p.a)).toBe(ffi.typeof('int[]'));
    expect(p.a.length).toBe(3); // length recorded
    expect(p.a[0]).toBe(200);
    expect(p.a[1]).toBe(300);
    expect(p.a[2]).toBe(400);
    expect([...p.a]).toEqual([200, 300, 400]);
    const q = ffi.cast('struct foo_s *', p) as Any;
    expect(q.x).toBe(100);
    expect(ffi.typeof(q.a)).toBe(ffi.typeof('int *')); // no length recorded
    // differs from CFFI: see docs/cffi-differences.md, "A pointer has no length: undefined" (CFFI: len() raises TypeError)
    expect(q.a.length).toBeUndefined();
    expect(q.a[0]).toBe(200);
    expect(q.a[1]).toBe(300);
    expect(q.a[2]).toBe(400);
    expect(() => [...q.a]).toThrow(TypeError);
  });

  test('test_from_buffer', () => {
    const ffi = new FFI();
    const a = u16([10000, 20000, 30000]);
    let c = ffi.fromBuffer(a) as Any;
    expect(ffi.typeof(c)).toBe(ffi.typeof('char[]'));
    expect(c.length).toBe(6);
    (ffi.cast('unsigned short *', c) as Any)[1] += 500;
    expect([...a]).toEqual([10000, 20500, 30000]);
    expect(addr(ffi, c)).toBe(addr(ffi, ffi.fromBuffer('char[]', a, { requireWritable: true })));
    expect(addr(ffi, c)).toBe(addr(ffi, ffi.fromBuffer(a, { requireWritable: true })));
    //
    c = ffi.fromBuffer('unsigned short[]', a);
    expect(c.length).toBe(3);
    expect(c[1]).toBe(20500);
    //
    // Python's b"abcd" literals are one object; one Buffer stands for it here.
    const abcd = Buffer.from('abcd');
    const p = ffi.fromBuffer(abcd) as Any;
    expect(p[2]).toBe('c'.charCodeAt(0)); // a char is its byte value (docs/cffi-differences.md)
    //
    expect(addr(ffi, p)).toBe(addr(ffi, ffi.fromBuffer(abcd, { requireWritable: false })));
    // no counterpart: the two pytest.raises((TypeError, BufferError)) that require_writable=True refuses an immutable
    // bytes object (JavaScript has no read-only byte buffer: every Buffer, typed array and ArrayBuffer is writable)
  });

  test('test_release', () => {
    const ffi = new FFI();
    const p = ffi.new('int[]', 123);
    ffi.release(p);
    // here, reading p[0] might give garbage or segfault...
    expect(() => ffi.release(p)).not.toThrow(); // no effect
  });

  test('test_memmove', () => {
    const ffi = new FFI();
    const p = ffi.new('short[]', [-1234, -2345, -3456, -4567, -5678]);
    ffi.memmove(p, p.add(1), 4);
    expect([...p]).toEqual([-2345, -3456, -3456, -4567, -5678]);
    p[2] = 999;
    ffi.memmove(p.add(2), p, 6);
    expect([...p]).toEqual([-2345, -3456, -2345, -3456, 999]);
    ffi.memmove(p.add(4), ffi.new('char[]', '\x71\x72'), 2);
    if (os.endianness() === 'LE') {
      expect([...p]).toEqual([-2345, -3456, -2345, -3456, 0x7271]);
    } else {
      expect([...p]).toEqual([-2345, -3456, -2345, -3456, 0x7172]);
    }
  });

  test('test_memmove_buffer', () => {
    const ffi = new FFI();
    const a = u16([10000, 20000, 30000]);
    const p = ffi.new('short[]', 5);
    ffi.memmove(p, a, 6);
    expect([...p]).toEqual([10000, 20000, 30000, 0, 0]);
    ffi.memmove(p.add(1), a, 6);
    expect([...p]).toEqual([10000, 10000, 20000, 30000, 0]);
    const b = i16([-1000, -2000, -3000]);
    ffi.memmove(b, a, 4);
    expect([...b]).toEqual([10000, 20000, -3000]);
    expect([...a]).toEqual([10000, 20000, 30000]);
    p[0] = 999;
    p[1] = 998;
    p[2] = 997;
    p[3] = 996;
    p[4] = 995;
    ffi.memmove(b, p, 2);
    expect([...b]).toEqual([999, 20000, -3000]);
    ffi.memmove(b, p.add(2), 4);
    expect([...b]).toEqual([997, 996, -3000]);
    p[2] = -p[2];
    p[3] = -p[3];
    ffi.memmove(b, p.add(2), 6);
    expect([...b]).toEqual([-997, -996, 995]);
  });

  test('test_memmove_readonly_readwrite', () => {
    const ffi = new FFI();
    const p = ffi.new('signed char[]', 5);
    ffi.memmove(p, 'abcde', 3);
    expect([...p]).toEqual(['a', 'b', 'c'].map((ch) => ch.charCodeAt(0)).concat([0, 0]));
    ffi.memmove(p, Buffer.from('ABCDE'), 2);
    expect([...p]).toEqual(['A', 'B', 'c'].map((ch) => ch.charCodeAt(0)).concat([0, 0]));
    expect(() => ffi.memmove('abcde', p, 3)).toThrow(TypeError);
    const ba = Buffer.from('xxxxx');
    ffi.memmove(ba, p, 3);
    expect(ba).toEqual(Buffer.from('ABcxx'));
  });

  test('test_all_primitives', () => {
    const ffi = new FFI();
    for (const name of [
      'char',
      'short',
      'int',
      'long',
      'long long',
      'signed char',
      'unsigned char',
      'unsigned short',
      'unsigned int',
      'unsigned long',
      'unsigned long long',
      'float',
      'double',
      'long double',
      'wchar_t',
      'char16_t',
      'char32_t',
      '_Bool',
      'int8_t',
      'uint8_t',
      'int16_t',
      'uint16_t',
      'int32_t',
      'uint32_t',
      'int64_t',
      'uint64_t',
      'int_least8_t',
      'uint_least8_t',
      'int_least16_t',
      'uint_least16_t',
      'int_least32_t',
      'uint_least32_t',
      'int_least64_t',
      'uint_least64_t',
      'int_fast8_t',
      'uint_fast8_t',
      'int_fast16_t',
      'uint_fast16_t',
      'int_fast32_t',
      'uint_fast32_t',
      'int_fast64_t',
      'uint_fast64_t',
      'intptr_t',
      'uintptr_t',
      'intmax_t',
      'uintmax_t',
      'ptrdiff_t',
      'size_t',
      'ssize_t',
    ]) {
      const x = ffi.sizeof(name);
      expect(x).toBeGreaterThanOrEqual(1);
      expect(x).toBeLessThanOrEqual(16);
    }
  });

  test('test_ffi_def_extern', () => {
    const ffi = new FFI();
    // differs from CFFI: see docs/cffi-differences.md, "extern "Python": attached per FFI, reported as warnings"
    // (CFFI's ffi.def_extern() raises ValueError: it is "only available on API-mode FFI objects". node-cffi's has
    // one kind of FFI and attaches the function to the FFI, refusing at once a name its cdef does not declare
    // extern "Python": here, with nothing declared, the decorator's use ffi.defExtern(fn) is that FFIError.)
    expect(() => ffi.defExtern(function foo() {})).toThrow(FFIError);
  });

  test('test_introspect_typedef', () => {
    const ffi = new FFI();
    ffi.cdef('typedef int foo_t;');
    expect(ffi.listTypes()).toEqual({ typedefs: ['foo_t'], structs: [], unions: [] });
    expect(ffi.typeof('foo_t').kind).toBe('primitive');
    expect(ffi.typeof('foo_t').cname).toBe('int');
    //
    ffi.cdef('typedef signed char a_t, c_t, g_t, b_t;');
    expect(ffi.listTypes()).toEqual({ typedefs: ['a_t', 'b_t', 'c_t', 'foo_t', 'g_t'], structs: [], unions: [] });
  });

  test('test_introspect_struct', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int a; };');
    expect(ffi.listTypes()).toEqual({ typedefs: [], structs: ['foo_s'], unions: [] });
    expect(ffi.typeof('struct foo_s').kind).toBe('struct');
    expect(ffi.typeof('struct foo_s').cname).toBe('struct foo_s');
  });

  test('test_introspect_union', () => {
    const ffi = new FFI();
    ffi.cdef('union foo_s { int a; };');
    expect(ffi.listTypes()).toEqual({ typedefs: [], structs: [], unions: ['foo_s'] });
    expect(ffi.typeof('union foo_s').kind).toBe('union');
    expect(ffi.typeof('union foo_s').cname).toBe('union foo_s');
  });

  test('test_introspect_struct_and_typedef', () => {
    const ffi = new FFI();
    ffi.cdef('typedef struct { int a; } foo_t;');
    expect(ffi.listTypes()).toEqual({ typedefs: ['foo_t'], structs: [], unions: [] });
    expect(ffi.typeof('foo_t').kind).toBe('struct');
    expect(ffi.typeof('foo_t').cname).toBe('foo_t');
  });

  test('test_introspect_included_type', () => {
    const ffi1 = new FFI();
    const ffi2 = new FFI();
    ffi1.cdef('typedef signed char schar_t; struct sint_t { int x; };');
    ffi2.include(ffi1);
    expect(ffi1.listTypes()).toEqual(ffi2.listTypes());
    expect(ffi2.listTypes()).toEqual({ typedefs: ['schar_t'], structs: ['sint_t'], unions: [] });
  });

  test('test_introspect_order', () => {
    const ffi = new FFI();
    ffi.cdef('union CFFIaaa { int a; }; typedef struct CFFIccc { int a; } CFFIb;');
    ffi.cdef('union CFFIg   { int a; }; typedef struct CFFIcc  { int a; } CFFIbbb;');
    ffi.cdef('union CFFIaa  { int a; }; typedef struct CFFIa   { int a; } CFFIbb;');
    expect(ffi.listTypes()).toEqual({
      typedefs: ['CFFIb', 'CFFIbb', 'CFFIbbb'],
      structs: ['CFFIa', 'CFFIcc', 'CFFIccc'],
      unions: ['CFFIaa', 'CFFIaaa', 'CFFIg'],
    });
  });

  test('test_unpack', () => {
    const ffi = new FFI();
    let p: CData = ffi.new('char[]', 'abc\x00def');
    expect(ffi.unpack(p.add(1), 7)).toEqual(Buffer.from('bc\x00def\x00', 'latin1'));
    p = ffi.new('int[]', [-123456789]);
    expect(ffi.unpack(p, 1)).toEqual([-123456789]);
  });

  test('test_delitem_raises', () => {
    const ffi = new FFI();
    const arr = ffi.new('int[5]') as Any;
    const buf = ffi.buffer(arr) as Any;
    arr[0] = 7;
    // del arr[0]: changes nothing (docs/cffi-differences.md, "Deleting a field or an item changes nothing")
    expect(delete arr[0]).toBe(true);
    expect(arr[0]).toBe(7);
    expect(() => delete buf[0]).toThrow(TypeError); // del buf[0]
    // no counterpart: del obj[1:3] (JavaScript has no slice deletion)
  });

  test('test_negative_array_size', () => {
    const ffi = new FFI();
    // CFFI's ValueError: FFIError here (test_ffi_obj.test.ts's test_negative_array_size)
    expect(() => ffi.cast('int[-5]', 0)).toThrow(FFIError);
  });

  test('test_cannot_instantiate_manually', () => {
    const ffi = new FFI();
    const classOf = (x: object): new (...args: unknown[]) => unknown => Object.getPrototypeOf(x).constructor;
    const ct = classOf(ffi.typeof('void *'));
    // The class of a ctype (ffi.CType too, one function for every ctype) refuses as CFFI's does, by name.
    expect(ct).toBe(ffi.CType);
    for (const make of [() => new ct(), () => new ct(ffi.NULL), () => new (ffi.CType as unknown as new () => unknown)(), () => (ffi.CType as unknown as () => unknown)()]) {
      expect(make).toThrow(new TypeError("ctypes are made by ffi.typeof(), ffi.cdef() and the other declarations, not with 'new'"));
    }
    expect(ffi.typeof('void *')).toBeInstanceOf(ffi.CType);
    // ffi.cast("void *", 0) and ffi.gc(ffi.NULL, ...) are null here (docs/cffi-differences.md, "NULL is null"),
    // which has no class: the class of a non-NULL pointer stands for them. ffi.CData is the base class of
    // every cdata, exported for `instanceof`: what `new` makes of it is refused at its first use.
    const bare = new (CData as unknown as new () => CData)();
    expect(() => String(bare)).toThrow(/^this object was made with 'new CData\(\)': cdata are made by ffi\.new\(\)/);
    for (const cd of [
      classOf(ffi.cast('void *', 1) as CData),
      classOf(ffi.new('char[]', 3)),
      classOf(ffi.gc(ffi.cast('void *', 1) as CData, () => undefined)),
    ]) {
      expect(() => new cd()).toThrow(TypeError);
      expect(() => new cd(ffi.NULL)).toThrow(TypeError);
      expect(() => new cd(ffi.typeof('void *'))).toThrow("cdata are made by ffi.new(), ffi.cast() and node-cffi's other functions, not with 'new'");
    }
  });

  test('test_explicitly_defined_char16_t', () => {
    const ffi = new FFI();
    ffi.cdef('typedef uint16_t char16_t;');
    const x = ffi.cast('char16_t', 1234);
    // ffi.typeof(x) is ffi.typeof("uint16_t"): x is a number here (docs/cffi-differences.md, "A cast to a number type
    // is a number"), so the type is asked by name: the cdef's char16_t is uint16_t, and casts to it give integers.
    expect(ffi.typeof('char16_t')).toBe(ffi.typeof('uint16_t'));
    expect(x).toBe(1234);
  });

  test('test_char16_t', () => {
    const ffi = new FFI();
    const x = ffi.new('char16_t[]', 5);
    expect(x.length).toBe(5);
    expect(ffi.sizeof(x)).toBe(10);
    x[2] = '\u1324';
    expect(x[2]).toBe('\u1324');
    const y = ffi.new('char16_t[]', '\u1234\u5678');
    expect(y.length).toBe(3);
    expect([...y]).toEqual(['\u1234', '\u5678', '\x00']);
    expect(ffi.string(y)).toBe('\u1234\u5678');
    const z = ffi.new('char16_t[]', '\u{12345}');
    expect(z.length).toBe(3);
    expect([...z]).toEqual(['\ud808', '\udf45', '\x00']);
    expect(ffi.string(z)).toBe('\u{12345}');
  });

  test('test_char32_t', () => {
    const ffi = new FFI();
    const x = ffi.new('char32_t[]', 5);
    expect(x.length).toBe(5);
    expect(ffi.sizeof(x)).toBe(20);
    x[3] = '\u{13245}';
    expect(x[3]).toBe('\u{13245}');
    const y = ffi.new('char32_t[]', '\u1234\u5678');
    expect(y.length).toBe(3);
    expect([...y]).toEqual(['\u1234', '\u5678', '\x00']);
    const pyUni = '\u{12345}';
    const z = ffi.new('char32_t[]', pyUni);
    expect(z.length).toBe(2);
    expect([...z]).toEqual([pyUni, '\x00']); // maybe a 2-unichars string
    expect(ffi.string(z)).toBe(pyUni);
    // no counterpart: the `if len(py_uni) == 1` block (Pythons whose strings hold code points), which stores the
    // two lone surrogates u'\ud808\udf00'; a JavaScript string is UTF-16, where '\ud808\udf00' is one code point,
    // U+12300, and len(py_uni) is 2 (CFFI's narrow-build case, where the block does not run)
  });
});
