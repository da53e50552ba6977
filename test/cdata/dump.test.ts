// ffi.dump's annotated hex dump (layout checked against the C compiler) and what util.inspect shows of cdata.
import * as util from 'util';
import { CData, FFI, FFIError, Lib } from '../../lib';
import { dump, inspectCData } from '../../lib/cdata/dump';
import { cc, ffiOf } from '../../lib/cc';
import { expectThrow } from '../helpers/throws';
import { ADDR } from '../../lib/cdata/base';
import type { StructType } from '../../lib/ctype/model';
import { countFieldReads } from '../helpers/work';

/** Little-endian bytes of a value as two-digit hex, the way the dump prints them. */
function le(kind: 'i32' | 'f64' | 'i16' | 'u64', v: number | bigint): string {
  const b = Buffer.alloc(kind === 'i16' ? 2 : kind === 'i32' ? 4 : 8);
  if (kind === 'i32') b.writeInt32LE(v as number);
  else if (kind === 'i16') b.writeInt16LE(v as number);
  else if (kind === 'f64') b.writeDoubleLE(v as number);
  else b.writeBigUInt64LE(v as bigint);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** The rows of a dump without their addresses: [bytes, note]. */
function rows(text: string): [string, string][] {
  return text
    .split('\n')
    .slice(1)
    .filter((l) => l.startsWith('0x'))
    .map((l) => {
      const m = /^0x[0-9a-f]+ {2}((?:[0-9a-f]{2} ?)+?) *(?: {2}(.*))?$/.exec(l) as RegExpExecArray;
      return [m[1].trim(), m[2] ?? ''];
    });
}

const inspect = (x: unknown): string => inspectCData(x as never, 2, { maxArrayLength: 100 }, util.inspect);

describe('dump: layout as the C compiler makes it', () => {
  // The compiler reports the offsets itself, so padding rows are checked against C, not against our layout code.
  let lib: Lib;
  let ffi: FFI;
  beforeAll(() => {
    lib = cc(`
    #include <stddef.h>
    struct rec { char tag; int count; double ratio; short code; };
    size_t rec_offset(int i) {
      switch (i) {
        case 0: return offsetof(struct rec, tag);
        case 1: return offsetof(struct rec, count);
        case 2: return offsetof(struct rec, ratio);
        case 3: return offsetof(struct rec, code);
        default: return sizeof(struct rec);
      }
    }
    void fill(struct rec *r) { r->tag = 'Q'; r->count = -2; r->ratio = 0.75; r->code = 513; }
  `);
    ffi = ffiOf(lib);
  });

  test('one row per field, in place, with padding rows exactly where C leaves gaps', () => {
    const r = ffi.new('struct rec *');
    lib.fill(r);
    const offsets = [0, 1, 2, 3].map((i) => lib.rec_offset(i) as number);
    const size = lib.rec_offset(4) as number;
    const text = dump(r);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`'struct rec *': ${size} bytes at 0x${r[ADDR].toString(16)}`);
    // Each row's address is the field's own: the start address plus the compiler's offset.
    const at = (note: string) => {
      const line = lines.find((l) => l.endsWith(note)) as string;
      return parseInt(line.split(' ')[0], 16) - (r[ADDR] as number);
    };
    expect([at("tag = 81 'Q'"), at('count = -2'), at('ratio = 0.75'), at('code = 513')]).toEqual(offsets);
    expect(rows(text)).toEqual([
      ['51', "tag = 81 'Q'"],
      ['00 00 00', '(padding)'],
      [le('i32', -2), 'count = -2'],
      [le('f64', 0.75), 'ratio = 0.75'],
      [le('i16', 513), 'code = 513'],
      ['00 00 00 00 00 00', '(padding)'],
    ]);
  });
});

describe('dump', () => {
  const ffi = new FFI();
  ffi.cdef(`
    struct bits { unsigned a : 3; unsigned b : 5; int c; };
    enum color { RED, GREEN = 5 };
    union num { int i; float f; };
    struct outer { char name[12]; struct { short x, y; } at; union num n; enum color col; void *next; unsigned long long big; };
  `);

  test('bit-fields sharing storage bytes are shown together on those bytes', () => {
    const b = ffi.new('struct bits *', { a: 5, b: 17, c: 1 });
    // a occupies bits 0-2 and b bits 3-7 of the first byte: 5 | 17 << 3 = 0x8d.
    expect(rows(dump(b))).toEqual([
      ['8d', 'a:3 = 5, b:5 = 17'],
      ['00 00 00', '(padding)'],
      [le('i32', 1), 'c = 1'],
    ]);
  });

  test('nested structs are flattened with dotted names; union members share their bytes; enums show their name', () => {
    const o = ffi.new('struct outer *', { name: 'hello', at: { x: 1, y: -1 }, n: { f: 1 }, col: 'GREEN', big: 2n ** 63n });
    const text = dump(o);
    expect(rows(text)).toEqual([
      ['68 65 6c 6c 6f 00 00 00', 'name = "hello"'],
      ['00 00 00 00', ''],
      [le('i16', 1), 'at.x = 1'],
      [le('i16', -1), 'at.y = -1'],
      ['00 00 80 3f', 'n.i = 1065353216'],
      ['00 00 80 3f', 'n.f = 1'],
      ['05 00 00 00', 'col = GREEN (5)'],
      ['00 00 00 00 00 00 00 00', 'next = NULL'],
      [le('u64', 2n ** 63n), 'big = 9223372036854775808'],
    ]);
    // The union's two rows carry the same address.
    const [ni, nf] = text.split('\n').filter((l) => l.includes(' n.'));
    expect(ni.split(' ')[0]).toBe(nf.split(' ')[0]);
  });

  test('arrays get a row per element; pointers are shown as addresses', () => {
    const a = ffi.new('int[3]', [1, -1, 256]);
    expect(rows(dump(a))).toEqual([
      [le('i32', 1), '[0] = 1'],
      [le('i32', -1), '[1] = -1'],
      [le('i32', 256), '[2] = 256'],
    ]);
    const p = ffi.new('void *[1]', [a]);
    expect(rows(dump(p))).toEqual([[le('u64', BigInt(a[ADDR])), `[0] = 0x${a[ADDR].toString(16)}`]]);
  });

  test('{ bytes } shows less or more, and is needed for pointers to void', () => {
    const a = ffi.new('short[4]', [1, 2, 3, 4]);
    expect(rows(dump(a, { bytes: 4 }))).toEqual([
      [le('i16', 1), '[0] = 1'],
      [le('i16', 2), '[1] = 2'],
    ]);
    const p = ffi.cast('short *', a);
    expect(rows(dump(p))).toEqual([[le('i16', 1), '1']]);
    expect(rows(dump(p, { bytes: 6 })).map((r) => r[1])).toEqual(['[0] = 1', '[1] = 2', '[2] = 3']);
    const v = ffi.cast('void *', a);
    expect(rows(dump(v, { bytes: 8 }))).toEqual([['01 00 02 00 03 00 04 00', '']]);
    expect(() => dump(v)).toThrow(FFIError);
    expect(() => dump(v)).toThrow("ffi.dump(): 'void' has no size; pass { bytes: n } to say how much to show");
  });

  test('a large object shows its first 1024 bytes and says how to see the rest', () => {
    const big = ffi.new('int[1000]');
    const lines = dump(big).split('\n');
    expect(lines).toHaveLength(1 + 256 + 1);
    expect(lines[lines.length - 1]).toBe('... 2976 more bytes; pass { bytes: 4000 } to see them all');
  });

  test('a dump of 2 MB, a row per 8 bytes (was: RangeError, the rows spread into one call)', () => {
    const f = new FFI();
    f.cdef('struct text { char chars[2000000]; };');
    const text = f.new('struct text *', { chars: 'a' });
    const lines = dump(text, { bytes: 2000000 }).split('\n');
    expect(lines).toHaveLength(1 + 250000);
    expect(lines[1]).toMatch(/ {2}61 00 00 00 00 00 00 00 {2}chars = "a"$/);
  });

  test('nested unions of two members of one type: a row per path down to the first 16 a byte (1024 at least), and what was left out said', () => {
    const f = new FFI();
    let text = 'typedef struct { int x; } t0;';
    for (let i = 1; i <= 20; i++) text += `typedef union { t${i - 1} a; t${i - 1} b; } t${i};`;
    f.cdef(text);
    const types = Array.from({ length: 21 }, (_, i) => f.typeof(`t${i}`) as StructType);
    const p = f.new('t20 *');
    f.cast('int *', p)![0] = 7;
    // The walk stops with its rows: it looked into a few unions per row, not into each of the 2^21 - 1 (was: RangeError from their rows).
    const w = countFieldReads(types, () => dump(p));
    const lines = w.value.split('\n');
    expect(lines).toHaveLength(1 + 1024 + 1);
    expect(lines[1]).toMatch(/ {2}07 00 00 00 +a(\.a){19}\.x = 7$/);
    expect(lines[2]).toMatch(/ {2}07 00 00 00 +a(\.a){18}\.b\.x = 7$/);
    expect(lines[lines.length - 1]).toBe('... members past the first 1024 left out: the unions here overlap more of them on these bytes than dump() shows');
    expect(w.reads).toBeLessThanOrEqual(8 * 1024);
  });

  test('refuses what is not cdata, and negative sizes', () => {
    expect(() => dump(42)).toThrow(new TypeError('ffi.dump(): expected a cdata, got 42'));
    expectThrow(() => dump(ffi.new('int[1]'), { bytes: -1 }), RangeError, 'ffi.dump(): options.bytes must be a non-negative integer, got -1');
  });

  test('a single pointed-to scalar has no index', () => {
    const p = ffi.new('int *', 7);
    expect(rows(dump(p))).toEqual([[le('i32', 7), '7']]);
  });
});

describe('inspectCData', () => {
  const ffi = new FFI();
  ffi.cdef('struct pt { int x; double y; }; struct line { struct pt a, b; char label[8]; struct pt *next; unsigned flag : 1; };');

  test('structs show their fields; nested structs as objects; char arrays as text; pointers as their repr', () => {
    const a = ffi.new('struct pt *', { x: 1, y: 2.5 });
    const l = ffi.new('struct line *', { a: { x: 1, y: 2 }, b: [3, 4], label: 'ab', next: a, flag: 1 });
    expect(inspect(a)).toBe(`<cdata 'struct pt *' owning 16 bytes> { x: 1, y: 2.5 }`);
    expect(inspect(l[0])).toBe(
      `<cdata 'struct line' owning 56 bytes> {\n  a: { x: 1, y: 2 },\n  b: { x: 3, y: 4 },\n  label: 'ab',\n  next: <cdata 'struct pt *' 0x${a[ADDR].toString(16)}>,\n  flag: 1\n}`,
    );
  });

  test('arrays show their elements, truncated as util.inspect truncates', () => {
    expect(inspect(ffi.new('int[3]', [1, 2, 3]))).toBe(`<cdata 'int[3]' owning 12 bytes> [ 1, 2, 3 ]`);
    expect(inspect(ffi.new('int[150]'))).toMatch(/\.\.\. 50 more items\n\]$/);
  });

  test('pointers that do not own their memory show only their repr', () => {
    const a = ffi.new('int[2]');
    const p = ffi.cast('int *', a);
    expect(inspect(p)).toBe(`<cdata 'int *' 0x${a[ADDR].toString(16)}>`);
  });

  test('beyond the depth util.inspect asks for, only the repr', () => {
    const a = ffi.new('struct pt *');
    expect(inspectCData(a, -1, {}, util.inspect)).toBe(String(a));
  });

  test('a flexible array member shows the items ffi.new sized it for; of memory C or a cast gave, its length is unknown and nothing past the struct is read', () => {
    const f = new FFI();
    f.cdef('struct s { int n; int data[]; }; struct t { int n; struct s inner; }; struct c { short n; char name[]; };');
    const p = f.new('struct s *', { n: 3, data: [1, 2, 3] });
    // Was: data: [] (the items ffi.new wrote not shown), though p.data reads them.
    expect(inspect(p)).toBe(`<cdata 'struct s *' owning 16 bytes> { n: 3, data: [ 1, 2, 3 ] }`);
    expect(inspect(p[0])).toBe(`<cdata 'struct s' owning 16 bytes> { n: 3, data: [ 1, 2, 3 ] }`);
    expect(inspect(f.new('struct t *', { n: 1, inner: { n: 2, data: [7, 8] } }))).toBe(`<cdata 'struct t *' owning 16 bytes> { n: 1, inner: { n: 2, data: [ 7, 8 ] } }`);
    expect(inspect(f.new('struct c *', { n: 1, name: 'hi' }))).toBe(`<cdata 'struct c *' owning 5 bytes> { n: 1, name: 'hi' }`);
    expect(inspect(f.new('struct s *', { n: 0 }))).toBe(`<cdata 'struct s *' owning 4 bytes> { n: 0, data: [] }`);
    // An array's structs are sizeof apart: their flexible members have no items.
    expect(inspect(f.new('struct s[2]'))).toBe(`<cdata 'struct s[2]' owning 8 bytes> [ { n: 0, data: [] }, { n: 0, data: [] } ]`);
    // A struct over memory whose extent is not known: its n (a million here) says nothing of what is there.
    const small = f.new('int[1]', [1000000]);
    const sp = f.cast('struct s *', small) as CData;
    const cast = sp[0];
    expect(inspect(cast)).toBe(`${String(cast)} { n: 1000000, data: [int[] of unknown length] }`);
    expect(f.dump(p).split('\n').slice(1).map((l) => l.replace(/^0x[0-9a-f]+ +/, ''))).toEqual([
      '03 00 00 00              n = 3', '01 00 00 00              data[0] = 1', '02 00 00 00              data[1] = 2', '03 00 00 00              data[2] = 3',
    ]);
    expect(f.dump(sp)).toMatch(/^'struct s \*': 4 bytes at 0x[0-9a-f]+\n0x[0-9a-f]+ {2}40 42 0f 00 +n = 1000000$/);
  });

  test('only what util.inspect shows is read: nested unions of two members of one type (was: every path, 2^depth, even at depth 0)', () => {
    const f = new FFI();
    let text = 'typedef struct { int x; } t0;';
    for (let i = 1; i <= 16; i++) text += `typedef union { t${i - 1} a; t${i - 1} b; } t${i};`;
    f.cdef(text);
    const types = Array.from({ length: 17 }, (_, i) => f.typeof(`t${i}`) as StructType);
    const p = f.new('t16 *');
    const top = countFieldReads(types, () => util.inspect(p, { depth: 0 }));
    expect(top.value).toBe(`${String(p)} { a: [Object], b: [Object] }`);
    // Two looks into each union shown (the top one and its two members), of the 2^17 - 1 there are.
    expect(top.reads).toBeLessThanOrEqual(2 * 3);
    // Depth 2 (util.inspect's default): the union, its members and theirs, and the fields of those, which show as [Object].
    const shown = countFieldReads(types, () => util.inspect(p));
    expect(shown.value).toBe(`${String(p)} {\n  a: { a: { a: [Object], b: [Object] }, b: { a: [Object], b: [Object] } },\n  b: { a: { a: [Object], b: [Object] }, b: { a: [Object], b: [Object] } }\n}`);
    expect(shown.reads).toBeLessThanOrEqual(2 * 15);
    // Memory that is gone still shows as the repr alone, though no value below the depth is read.
    const u = p[0];
    f.release(p);
    expect(util.inspect(u, { depth: 0 })).toBe(String(u));
  });
});
