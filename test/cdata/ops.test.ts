// cast, addressof, string, unpack, buffer, fromBuffer, memmove, view, gc and release.
import { spawnSync } from 'child_process';
import * as util from 'util';
import { CFunction, EnumValue, FFI, FFIError } from '../../lib';
import { expectThrow } from '../helpers/throws';

const ffi = new FFI();
ffi.cdef(`
struct pt { int x; double y; };
struct outer { char tag; struct pt p; int arr[4]; };
enum color { RED, GREEN = 5, BLUE };
`);
const addr = (p: unknown) => ffi.cast('uintptr_t', p) as number;

describe('ffi.cast', () => {
  test('integers wrap to the target width as C does', () => {
    expect(ffi.cast('unsigned char', 300)).toBe(44);
    expect(ffi.cast('int8_t', 200)).toBe(-56);
    expect(ffi.cast('int', 3.9)).toBe(3);
    expect(ffi.cast('int', -3.9)).toBe(-3);
    expect(ffi.cast('unsigned int', -1)).toBe(4294967295);
    expect(ffi.cast('uint64_t', -1)).toBe(2n ** 64n - 1n);
    expect(ffi.cast('int64_t', 2n ** 64n + 5n)).toBe(5);
    expect(ffi.cast('_Bool', 7)).toBe(true);
    expect(ffi.cast('float', 0.1)).toBe(Math.fround(0.1));
    expect(ffi.cast('double', 5n)).toBe(5);
    expect(ffi.cast('int', 'A')).toBe(65);
    expectThrow(() => ffi.cast('int', NaN), RangeError, "ffi.cast('int'): NaN has no integer value");
    expectThrow(() => ffi.cast('int', {}), TypeError, "ffi.cast('int'): cannot cast object to 'int'");
  });

  test('pointers: to and from addresses, and between pointer types', () => {
    const a = ffi.new('int[2]', [1, 2]);
    const p = ffi.cast('int *', a)!;
    expect(p[1]).toBe(2);
    const n = ffi.cast('uintptr_t', p);
    expect(typeof n).toBe('number');
    expect(ffi.cast('int *', n)![0]).toBe(1);
    expect(ffi.cast('int *', BigInt(n as number))![1]).toBe(2);
    expect(ffi.cast('int *', 0)).toBeNull();
    expect(ffi.cast('int *', null)).toBeNull();
    const bytes = ffi.cast('unsigned char *', p)!;
    expect(bytes[4]).toBe(2);
    expectThrow(() => ffi.cast('int *', 1.5), TypeError, "ffi.cast('int *'): address must be a safe integer, got 1.5; pass a bigint for addresses beyond 2^53");
    // As CFFI: a cast to an array type is the array at that address, not owning it.
    const arr = ffi.cast('int[2]', p)!;
    expect([String(arr).startsWith("<cdata 'int[2]' 0x"), arr.length, arr[1]]).toEqual([true, 2, 2]);
    expect(() => ffi.cast('int[]', p)).toThrow(/cannot cast to an array of unknown length; cast to 'int \*'/);
    expect(() => ffi.cast('struct pt', p)).toThrow(/cannot cast to 'struct pt'/);
    expect(() => ffi.cast('int *', ffi.new('struct pt *')[0])).toThrow(/ffi.addressof/);
  });

  test('enum casts keep their type, so ffi.string names them', () => {
    const g = ffi.cast('enum color', 5) as EnumValue;
    expect(Number(g)).toBe(5);
    expect(ffi.string(g)).toBe('GREEN');
    expect(ffi.string(ffi.cast('enum color', 42))).toBe('42');
  });
});

describe('ffi.addressof', () => {
  test('of a struct, a nested field, an element', () => {
    const o = ffi.new('struct outer *');
    const s = o[0];
    const base = addr(ffi.addressof(s));
    expect(base).toBe(addr(o));
    expect(addr(ffi.addressof(s, 'p'))).toBe(base + ffi.offsetof('struct outer', 'p'));
    expect(addr(ffi.addressof(s, 'p', 'y'))).toBe(base + ffi.offsetof('struct outer', 'p', 'y'));
    const a2 = ffi.addressof(s, 'arr', 2);
    expect(addr(a2)).toBe(base + ffi.offsetof('struct outer', 'arr', 2));
    a2[0] = 77;
    expect(o.arr[2]).toBe(77);
    expect(ffi.typeof(a2).cname).toBe('int *');
    expect(addr(ffi.addressof(o, 'arr'))).toBe(base + 24);
    expect(() => ffi.addressof(s, 'nope')).toThrow(/has no field 'nope'/);
    expectThrow(() => ffi.addressof(s, 'arr', 5), RangeError, "ffi.addressof(): index 5 is out of bounds for cdata 'struct outer' (length 4)");
    expectThrow(() => ffi.addressof(ffi.new('int *')), TypeError, "ffi.addressof(): expected a struct, union or array cdata, got cdata 'int *'");
  });
});

describe('strings and bytes', () => {
  test('ffi.string stops at NUL, honours maxlen, decodes UTF-8', () => {
    const s = ffi.new('char[16]', 'héllo');
    expect(ffi.string(s)).toBe('héllo');
    expect(ffi.string(s, 2)).toBe('h\ufffd');
    const p = ffi.cast('char *', s)!;
    expect(ffi.string(p)).toBe('héllo');
    expect(ffi.string(p, 1)).toBe('h');
    const full = ffi.new('char[3]', 'abc');
    expect(ffi.string(full)).toBe('abc');
    expect(() => ffi.string(ffi.new('int[2]'))).toThrow(/expected a char array or pointer/);
    expect(() => ffi.string(null)).toThrow(/NULL/);
  });

  test('wide strings', () => {
    const w = ffi.new('wchar_t[]', ['h', '😀', '\0']);
    expect(ffi.string(w)).toBe('h😀');
    expect([w.length, w[1]]).toEqual([3, '😀']);
    const u = ffi.new('char16_t[]', 'ab');
    expect([u.length, u[0], u[2]]).toEqual([3, 'a', '\0']);
    expect(ffi.string(u)).toBe('ab');
    // char16_t holds UTF-16 units: a character outside the BMP takes two
    expect(ffi.new('char16_t[]', '😀').length).toBe(3);
    expect(ffi.unpack(ffi.new('wchar_t[]', 'a\0b'), 3)).toBe('a\0b');
    expectThrow(() => ffi.new('wchar_t[]', [0x68]), TypeError, "expected a string of one character for 'wchar_t', got 104");
  });

  test('wide strings of 200,000 characters, through arrays and pointers (was: RangeError, their units spread into one call)', () => {
    // A character outside the BMP across 8192 units (two UTF-16 units in char16_t), and a lone surrogate, kept as it is.
    const text = `${'x'.repeat(8191)}😀${'y'.repeat(100000)}\ud800${'z'.repeat(91806)}`;
    for (const type of ['wchar_t', 'char16_t', 'char32_t']) {
      const a = ffi.new(`${type}[]`, text);
      expect(ffi.string(a) === text).toBe(true);
      expect(ffi.string(ffi.cast(`${type} *`, a)!) === text).toBe(true);
      expect(ffi.unpack(a, a.length - 1) === text).toBe(true);
    }
    const bad = ffi.new('wchar_t[]', text);
    ffi.cast('int *', bad)![150000] = -5;
    expectThrow(() => ffi.string(bad), RangeError, 'ffi.string(): -5 is not a Unicode code point (0 to 0x10ffff)');
  });

  test('ffi.unpack copies items out', () => {
    const a = ffi.new('int[4]', [1, 2, 3, 4]);
    expect(ffi.unpack(a, 3)).toEqual([1, 2, 3]);
    const c = ffi.new('char[]', 'xyz');
    expect(ffi.unpack(c, 3)).toEqual(Buffer.from('xyz'));
    expectThrow(() => ffi.unpack(a, 5), RangeError, "ffi.unpack(): 5 items asked from cdata 'int[4]', which has 4");
  });

  test('ffi.buffer is zero-copy both ways', () => {
    const a = ffi.new('int[2]');
    const b = ffi.buffer(a);
    expect(b.length).toBe(8);
    b.writeInt32LE(123, 4);
    expect(a[1]).toBe(123);
    a[0] = -1;
    expect(b.readInt32LE(0)).toBe(-1);
    expect(ffi.buffer(a, 4).length).toBe(4);
  });

  test('ffi.fromBuffer points into JS memory without copying and keeps it alive', () => {
    const buf = Buffer.from([1, 0, 0, 0, 2, 0, 0, 0]);
    const ints = ffi.fromBuffer(buf, 'int[]');
    expect(ints.length).toBe(2);
    expect(ints[1]).toBe(2);
    ints[0] = 7;
    expect(buf[0]).toBe(7);
    const chars = ffi.fromBuffer(new Uint8Array([104, 105, 0]));
    expect(ffi.string(chars)).toBe('hi');
    expectThrow(() => ffi.fromBuffer('nope' as never), TypeError, 'ffi.fromBuffer(): expected a Buffer, typed array or ArrayBuffer, got string "nope"');
    // a pointer type gives a pointer to the buffer's start, which reaches the buffer and no further
    const p = ffi.fromBuffer(buf, 'int *');
    expect([String(p), p[0], p[1]]).toEqual(["<cdata 'int *' buffer from 'Buffer' object>", 7, 2]);
    expect(() => p[2]).toThrow(RangeError);
    // CFFI's order, (cdecl, buffer, options), takes the same
    expect(ffi.fromBuffer('int[]', buf, { requireWritable: true })[0]).toBe(7);
    expectThrow(() => ffi.fromBuffer(buf, true as never), TypeError, "ffi.fromBuffer(): expected options such as { requireWritable: true } or a C type such as 'char[]', got true");
    expectThrow(() => ffi.fromBuffer(buf, 'int(*)(int)'), TypeError, "ffi.fromBuffer(): expected an array or pointer type such as 'char[]' or 'struct foo *', got 'int(*)(int)'");
  });

  test('0 bytes reach no memory: empty arrays and pointers no view reaches give empty results, as in CFFI', () => {
    const empty = ffi.new('int[0]');
    const chars = ffi.new('char[]', 0);
    const nowhere = ffi.cast('char *', -1)!; // a sentinel: no view reaches it
    expect([ffi.buffer(empty).length, ffi.buffer(chars).length, ffi.buffer(nowhere, 0).length]).toEqual([0, 0, 0]);
    expect([ffi.unpack(empty, 0), ffi.unpack(ffi.cast('int *', nowhere)!, 0)]).toEqual([[], []]);
    expect([ffi.string(ffi.new('char[0]')), ffi.string(chars), ffi.string(nowhere, 0)]).toEqual(['', '', '']);
    expect([(ffi.view(empty) as Int32Array).length, [...empty], String(empty.slice(0, 0))]).toEqual([0, [], "<cdata 'int[]' sliced length 0>"]);
    ffi.memmove(empty, Buffer.alloc(0), 0);
    ffi.memmove(Buffer.alloc(0), empty, 0);
    ffi.memmove(nowhere, nowhere, 0);
    expect(ffi.dump(empty)).toMatch(/^'int\[0\]': 0 bytes at 0x/);
    // One byte is memory: refused.
    expectThrow(() => ffi.buffer(nowhere, 1), RangeError, /is not valid memory/);
    expectThrow(() => ffi.string(nowhere, 1), RangeError, /is not valid memory/);
  });

  test('ffi.buffer() of what has no bytes to show: a function pointer, a pointer to a type without a size', () => {
    const f = new FFI();
    f.cdef('struct opaque;');
    const cb = f.callback('int(*)(int)', (x: number) => x);
    expectThrow(() => f.buffer(cb), TypeError, "ffi.buffer(): expected a pointer to data or an array cdata, got cdata 'int(*)(int)', a function pointer");
    expectThrow(() => f.buffer(f.cast('void *', 0x1000)!), FFIError, "ffi.buffer(): 'void' has no size; pass the number of bytes as ffi.buffer(p, n)");
    expectThrow(() => f.buffer(f.cast('struct opaque *', 0x1000)!), FFIError, /'struct opaque' is declared but never defined.*; pass the number of bytes/);
    // A function pointer in a message is the cdata it is.
    expectThrow(() => f.new('int *', cb), TypeError, "ffi.new('int *'): expected an integer for 'int', got cdata 'int(*)(int)'");
  });

  test('ffi.memmove copies between cdata and buffers, overlap included', () => {
    const a = ffi.new('char[]', 'abcdef');
    ffi.memmove(ffi.addressof(a, 1), a, 4);
    expect(ffi.string(a)).toBe('aabcdf');
    const b = Buffer.alloc(3);
    ffi.memmove(b, a, 3);
    expect(b.toString()).toBe('aab');
    ffi.memmove(a, Buffer.from('XY'), 2);
    expect(ffi.string(a)).toBe('XYbcdf');
    expectThrow(() => ffi.memmove(a, b, 10), RangeError, "ffi.memmove(): 10 bytes do not fit in dest cdata 'char[]' (7 bytes)");
  });

  test('ffi.view gives a typed array over the same memory', () => {
    const a = ffi.new('double[3]', [1, 2, 3]);
    const v = ffi.view(a) as Float64Array;
    expect(v).toBeInstanceOf(Float64Array);
    expect(Array.from(v)).toEqual([1, 2, 3]);
    v[2] = 30;
    expect(a[2]).toBe(30);
    const p = ffi.cast('double *', a)!;
    expect(() => ffi.view(p)).toThrow(/pass a length/);
    expect((ffi.view(p, 2) as Float64Array).length).toBe(2);
    expect(ffi.view(ffi.new('long long[1]'))).toBeInstanceOf(BigInt64Array);
  });
});

describe('lifetimes', () => {
  test('ffi.gc calls the destructor once, at release', () => {
    const calls: unknown[] = [];
    const p = ffi.new('int *', 5);
    const g = ffi.gc(p, (c) => calls.push(c));
    expect(g[0]).toBe(5);
    ffi.release(g);
    expect(calls).toEqual([p]);
    expect(() => g[0]).toThrow(/released by ffi.release\(\)/);
    ffi.release(g); // as CFFI: releasing again does nothing
    expect(calls.length).toBe(1);
  });

  test('ffi.gc calls the destructor when the object is collected', () => {
    // Collection needs --expose-gc: run the check in a child process that has it.
    const script = `
      const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
      const ffi = new FFI(); let n = 0; let kept;
      (() => { ffi.gc(ffi.new('int *'), () => n++); kept = ffi.gc(ffi.new('int *'), () => n += 100); })();
      // Finalizers run some turns after the collection: collect and wait a turn until the destructor ran (or 100 rounds passed).
      (async () => {
        for (let round = 0; round < 100 && n === 0; round++) { global.gc(); await new Promise((r) => setTimeout(r, 10)); }
        console.log(n, kept[0]);
      })();`;
    const r = spawnSync(process.execPath, ['--expose-gc', '-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1 0'); // the dropped one ran once; the kept one has not run
  });

  test('each destructor runs once, given its own cdata, also after earlier ones ran; removed and released ones never run at collection', () => {
    // Three waves of 300, each made after the one before has run: the first keeps none (all its
    // places are given back), the others keep a third; each removes a sixth and releases a sixth of
    // its destructors. One destructor throws.
    const script = `
      const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
      const ffi = new FFI();
      const runs = new Map(); // id -> [times run, whether it was given its own original]
      const warnings = [];
      process.on('warning', (w) => warnings.push(w.message));
      const settle = async () => {
        for (let round = 0; round < 5; round++) { global.gc(); await new Promise((r) => setTimeout(r, 10)); }
      };
      (async () => {
        const kept = [];
        const expected = new Map(); // id -> runs expected at the end
        for (let wave = 0; wave < 3; wave++) {
          (() => {
            for (let k = 0; k < 300; k++) {
              const id = wave * 1000 + k;
              const original = ffi.new('int *', id);
              const q = ffi.gc(original, (o) => {
                const r = runs.get(id) ?? [0, true];
                runs.set(id, [r[0] + 1, r[1] && o === original && o[0] === id]);
                if (id === 4) throw new Error('destructor 4 fails');
              });
              const share = k % 6;
              if (wave > 0 && (share === 0 || share === 1)) { kept.push(q); expected.set(id, 0); }
              else if (share === 2) { ffi.gc(q, null); expected.set(id, 0); }
              else if (share === 3) { ffi.release(q); expected.set(id, 1); }
              else expected.set(id, 1);
            }
          })();
          await settle();
        }
        await settle();
        const wrong = [...expected].filter(([id, n]) => (runs.get(id)?.[0] ?? 0) !== n || (n > 0 && !runs.get(id)[1]));
        const ran = [...runs.values()].reduce((s, r) => s + r[0], 0);
        console.log(JSON.stringify({ ran, wrong: wrong.length, kept: kept.length, warnings }));
      })();`;
    const r = spawnSync(process.execPath, ['--expose-gc', '-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { ran: number; wrong: number; kept: number; warnings: string[] };
    // Per wave of 300: 50 removed, 50 released (run at once), 100 kept in the later waves, the others dropped (run when collected).
    expect(out).toEqual({ ran: 250 + 2 * 150, wrong: 0, kept: 2 * 100, warnings: ["ffi.gc(): the destructor of cdata 'int *' threw: destructor 4 fails"] });
  });

  test('a cdata whose destructor was removed keeps its original alive (and the original its own destructor waiting) until it is collected', () => {
    const script = `
      const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
      const ffi = new FFI();
      let freed = 0, ran = 0;
      const make = ffi.newAllocator({ alloc: (n) => ffi.new('char[]', n), free: () => { freed++; } });
      const settle = async () => {
        for (let round = 0; round < 5; round++) { global.gc(); await new Promise((r) => setTimeout(r, 10)); }
      };
      (async () => {
        let kept = [];
        (() => {
          for (let k = 0; k < 50; k++) {
            const q = ffi.gc(make('int *', k), () => { ran++; });
            ffi.gc(q, null);
            kept.push(q);
          }
        })();
        await settle();
        const whileKept = [freed, ran, kept.every((q, k) => q[0] === k)];
        kept = null;
        await settle();
        console.log(JSON.stringify({ whileKept, after: [freed, ran] }));
      })();`;
    const r = spawnSync(process.execPath, ['--expose-gc', '-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ whileKept: [0, 0, true], after: [50, 0] });
  });

  test('a view derived from an ffi.gc() cdata keeps its destructor waiting; the cdata itself makes no Memory until one is derived', () => {
    // Each kind of view is made from its own copy, which is then dropped: no destructor may run
    // while the view is reachable, and each runs once it is not. The views are read after junk
    // has been written over any memory freed meanwhile.
    const script = `
      const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
      const { MEM } = require(${JSON.stringify(require.resolve('../../lib/cdata/base'))});
      const ffi = new FFI();
      ffi.cdef('struct s { int a; int arr[3]; };');
      const ran = new Set();
      const settle = async () => {
        for (let round = 0; round < 5; round++) { global.gc(); await new Promise((r) => setTimeout(r, 10)); }
      };
      const kinds = {
        field: (q) => q.arr, element: (q) => q[0], cast: (q) => ffi.cast('int *', q), add: (q) => q.add(0),
        addressof: (q) => ffi.addressof(q, 'a'), buffer: (q) => ffi.buffer(q), view: (q) => ffi.view(ffi.cast('int *', q), 4),
      };
      const read = { field: (v) => v[2], element: (v) => v.arr[1], cast: (v) => v[0], add: (v) => v.a, addressof: (v) => v[0],
        buffer: (v) => v.readInt32LE(12), view: (v) => v[3] };
      (async () => {
        const shared = [];
        const views = {};
        (() => {
          for (const kind of Object.keys(kinds)) {
            const original = ffi.new('struct s *', { a: 7, arr: [7, 8, 9] });
            const q = ffi.gc(original, () => ran.add(kind));
            shared.push(q[MEM] === original[MEM]);
            views[kind] = kinds[kind](q);
          }
        })();
        await settle();
        for (let i = 0; i < 300; i++) new Uint8Array(65536).fill(255);
        const whileViewed = { ran: [...ran], values: Object.keys(kinds).map((k) => read[k](views[k])) };
        for (const k of Object.keys(views)) delete views[k];
        await settle();
        console.log(JSON.stringify({ shared, whileViewed, after: [...ran].sort() }));
      })();`;
    const r = spawnSync(process.execPath, ['--expose-gc', '-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const kinds = ['field', 'element', 'cast', 'add', 'addressof', 'buffer', 'view'];
    expect(JSON.parse(r.stdout)).toEqual({
      shared: kinds.map(() => true),
      whileViewed: { ran: [], values: [9, 8, 7, 7, 7, 9, 9] },
      after: [...kinds].sort(),
    });
  });

  test("ffi.gc() and pointer arithmetic on a struct with a field named 'constructor'", () => {
    const f = new FFI();
    f.cdef('struct k { int constructor; int x; };');
    const a = f.new('struct k[2]', [{ constructor: 1, x: 2 }, { constructor: 3, x: 4 }]);
    const p = f.cast('struct k *', a)!;
    const calls: unknown[] = [];
    const g = f.gc(p, (c) => calls.push(c));
    expect([g.constructor, g.x, g.add(1).constructor, p.add(1).x, p.sub(-1).constructor]).toEqual([1, 2, 3, 4, 3]);
    expect((f.unpack(g, 2) as { x: number }[]).map((s) => s.x)).toEqual([2, 4]);
    f.release(g);
    expect(calls).toEqual([p]);
  });

  test("fields named like Object.prototype's methods are fields; the cdata still shows itself", () => {
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'toLocaleString', 'isPrototypeOf']) {
      const f = new FFI();
      f.cdef(`struct k { int ${name}; };`);
      const p = f.new('struct k *', { [name]: 5 });
      p[name] = 6;
      const g = f.gc(p, () => undefined);
      const shown = `<cdata 'struct k *' owning 4 bytes>`;
      expect([p[name], p[0][name], g[name]]).toEqual([6, 6, 6]);
      const reference = `<cdata 'struct k' owning 4 bytes>`; // item 0 of an owning pointer is the struct it owns, as CFFI shows it
      expect([String(p), `${p}`, util.inspect(p), `${p[0]}`, util.inspect(p[0])]).toEqual([
        shown, shown, `${shown} { ${name}: 6 }`, reference, `${reference} { ${name}: 6 }`,
      ]);
    }
  });

  test('ffi.gc() of a function pointer: a callable copy answering to the same callback, its destructor run once', () => {
    const f = new FFI();
    const cb = f.callback('int(*)(int)', (x: number) => x * 2) as CFunction;
    const calls: unknown[] = [];
    const g = f.gc(cb, (c) => calls.push(c)) as CFunction;
    expect(f.cast('uintptr_t', g)).toBe(f.cast('uintptr_t', cb));
    expect(g(21)).toBe(42);
    expect((f.cast('int(*)(int)', g) as CFunction)(4)).toBe(8);
    f.release(g);
    expect(calls).toEqual([cb]);
    expect(cb(1)).toBe(2); // the callback itself is not released
    // ...but the copy is: calls through it are refused, synchronous or not.
    expectThrow(() => g(1), FFIError, /^'int\(\*\)\(int\)': .*released/);
    return expect((g as unknown as { async(x: number): Promise<number> }).async(1)).rejects.toThrow(/released/);
  });

  test('ffi.gc() of a library function: releasing the copy refuses calls through it, not through the library', () => {
    const f = new FFI();
    f.cdef('size_t strlen(const char *);');
    const C = f.dlopen(null);
    const p = f.addressof(C, 'strlen') as CFunction;
    const g = f.gc(p, () => undefined) as CFunction;
    expect([g('abc'), p('abcd'), C.strlen('ab')]).toEqual([3, 4, 2]);
    f.release(g);
    expectThrow(() => g('abc'), FFIError, /^'size_t\(\*\)\(char \*\)': .*released/);
    expect([p('abcd'), C.strlen('ab')]).toEqual([4, 2]);
  });

  test('ffi.gc() of a released callback', () => {
    const f = new FFI();
    const cb = f.callback('int(*)(int)', (x: number) => x * 2) as CFunction;
    const h = f.gc(cb, () => undefined) as CFunction;
    f.release(cb);
    expectThrow(() => h(1), FFIError, "'int(*)(int)': the callback was released with ffi.release()");
  });

  test('memory stays alive while anything derived from its owner is reachable', () => {
    const script = `
      const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
      const ffi = new FFI();
      ffi.cdef('struct s { int a; int arr[3]; };');
      const kept = [];
      for (let k = 0; k < 200; k++) {
        const o = ffi.new('struct s *', { a: k, arr: [k, k + 1, k + 2] });
        kept.push([k, o.arr, ffi.addressof(o, 'a'), o[0]]); // a field view, an addressof pointer, an element
      }
      global.gc();
      for (let i = 0; i < 3000; i++) new Uint8Array(65536).fill(255); // reuse any freed memory with junk
      global.gc();
      const bad = kept.filter(([k, arr, pa, s]) => arr[2] !== k + 2 || pa[0] !== k || s.arr[0] !== k);
      console.log(bad.length);`;
    const r = spawnSync(process.execPath, ['--expose-gc', '-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('0');
  });

  test('ffi.release of ffi.new memory: the cdata is dead afterwards', () => {
    const big = ffi.new('char[100000]');
    const view = ffi.cast('char *', big)!;
    ffi.release(big);
    expect(() => big[0]).toThrow(/released/);
    expect(String(big)).toBe("<cdata 'char[100000]' released>");
    // A view derived from the memory refuses too: the memory is gone, not silently reused.
    expectThrow(() => view[0], TypeError, "cdata 'char *'[0]: its memory was released by ffi.release() and can no longer be used");
    const small = ffi.new('int *');
    const neighbour = ffi.new('int *', 7); // carved from the same slab
    ffi.release(small);
    expect(() => small[0]).toThrow(/released/);
    expect(neighbour[0]).toBe(7); // releasing a piece never takes its slab with it
    expect(ffi.new('int *', 8)[0]).toBe(8);
    expect(() => ffi.release(ffi.cast('int *', 4096)!)).toThrow(/does not own what it refers to/);
  });
});
