// Addresses anywhere in the 64-bit space: sentinels, kernel-half and tagged pointers round-trip through casts, memory, calls and callbacks.
import { CFunction, FFI, Lib } from '../../lib';
import { ending, runChild } from '../helpers/child';
import { fixture, sharedLibrary } from '../helpers/fixtures';

const CDEF = `
typedef void (*destructor_t)(void *);
void *from_bits(intptr_t v);
intptr_t to_bits(void *p);
uintptr_t to_ubits(void *p);
int is_transient(destructor_t d);
void *map_nothing(void);
int is_map_failed(void *p);
struct holder { void *p; int tag; };
intptr_t holder_bits(struct holder h);
struct holder holder_of(intptr_t v);
void *through(void *(*f)(void *), void *p);
`;

const MINUS_ONE = 2n ** 64n - 1n; // (void *)-1 as an unsigned 64-bit value
const KERNEL = 0xffff800000000000n; // the first address of x86-64's kernel half
const TAGGED = 0x0100000000001234n; // a pointer with a tag in its top byte (beyond 2^53)

let ffi: FFI;
let C: Lib;
let abi: FFI;
let D: Lib;
beforeAll(() => {
  ffi = new FFI();
  ffi.cdef(CDEF);
  C = ffi.verify(fixture('addresses.c'), { filename: 'addresses.c' });
  // The same functions through dlopen(): structs by value go through koffi's records there.
  abi = new FFI();
  abi.cdef(CDEF);
  D = abi.dlopen(sharedLibrary('addresses.c'));
});

describe('casts', () => {
  test("sqlite3's SQLITE_TRANSIENT: ffi.cast of -1 to a function pointer is a cdata C recognises", () => {
    const transient = ffi.cast('void(*)(void *)', -1) as CFunction;
    expect(String(transient)).toBe("<cdata 'void(*)(void *)' 0xffffffffffffffff>");
    expect(C.is_transient(transient)).toBe(1);
    expect(C.is_transient(ffi.cast('destructor_t', MINUS_ONE))).toBe(1);
  });

  test.each([
    ['(void *)-1', -1n],
    ['a kernel-half address', KERNEL],
    ['a tagged pointer', TAGGED],
    ['the highest address', MINUS_ONE],
    ['2^53, just beyond a safe integer', 2n ** 53n],
  ])('%s: cast from an integer, to intptr_t and uintptr_t, and back, keeps every bit', (_what, bits) => {
    const signed = BigInt.asIntN(64, bits);
    const unsigned = BigInt.asUintN(64, bits);
    const asNumber = (b: bigint) => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b);
    for (const given of [signed, unsigned, asNumber(signed)]) {
      const p = ffi.cast('char *', given)!;
      expect(String(p)).toBe(`<cdata 'char *' 0x${unsigned.toString(16)}>`);
      expect(ffi.cast('intptr_t', p)).toBe(asNumber(signed));
      expect(ffi.cast('uintptr_t', p)).toBe(asNumber(unsigned));
      expect(ffi.cast('void *', ffi.cast('intptr_t', p))!.equals(p)).toBe(true);
      expect(ffi.cast('int *', p)!.equals(ffi.cast('void *', unsigned))).toBe(true);
    }
  });

  test('pointer arithmetic wraps modulo 2^64 and differences are exact', () => {
    const top = ffi.cast('char *', -1)!;
    expect(top.add(1)).toBeNull(); // (char *)-1 + 1 is NULL
    expect(ffi.cast('intptr_t', top.sub(1))).toBe(-2);
    const tagged = ffi.cast('int *', TAGGED)!;
    expect(ffi.cast('uintptr_t', tagged.add(2))).toBe(TAGGED + 8n);
    expect(tagged.add(3).sub(tagged)).toBe(3);
    expect(ffi.cast('char *', KERNEL)!.sub(ffi.cast('char *', KERNEL - 16n)!)).toBe(16);
  });

  test('reading or writing through such a pointer is refused with an error saying what it is', () => {
    for (const bits of [-1n, KERNEL, TAGGED]) {
      const p = ffi.cast('int *', bits)!;
      expect(() => p[0]).toThrow(RangeError);
      expect(() => p[0]).toThrow(/is not valid memory .*sentinel.*compared, cast and passed to C/);
      expect(() => {
        p[1] = 5;
      }).toThrow(/is not valid memory/);
      expect(() => ffi.string(ffi.cast('char *', bits))).toThrow(/ffi.string\(\).*is not valid memory/);
      expect(() => ffi.unpack(p, 2)).toThrow(/ffi.unpack\(\).*is not valid memory/);
    }
    ffi.cdef('struct two { int a, b; };');
    const s = ffi.cast('struct two *', -1)!;
    expect(() => s.b).toThrow(/field 'b': address 0xffffffffffffffff is not valid memory/);
  });

  test('a function pointer at such an address, or in the first page, is refused when called, before any C runs', () => {
    // In a child process: calling one would crash the process.
    const r = runChild(`
      const { FFI } = require(LIB);
      const ffi = new FFI();
      const out = [];
      for (const bits of [16n, -1n, ${TAGGED}n]) {
        const f = ffi.cast('int(*)(int)', bits);
        try { f(1); out.push('called'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
      }
      ffi.cast('int(*)(int)', 16).async(1).then(
        () => console.log(JSON.stringify([...out, 'called'])),
        (e) => console.log(JSON.stringify([...out, e.constructor.name + ': ' + e.message])),
      );
    `);
    expect(ending(r)).toBe('exit 0');
    const out = JSON.parse(r.stdout) as string[];
    expect(out).toHaveLength(4);
    for (const line of out) expect(line).toMatch(/^RangeError: 'int\(\*\)\(int\)' at 0x[0-9a-f]+: not a callable address/);
  });
});

describe('through C', () => {
  test('MAP_FAILED returned by C arrives as a usable pointer (errno set), and goes back to C intact', () => {
    const p = C.map_nothing();
    expect(ffi.errno).toBe(22); // EINVAL: mmap of 0 bytes
    expect(p).not.toBeNull();
    expect(ffi.cast('intptr_t', p)).toBe(-1);
    expect(C.is_map_failed(p)).toBe(1);
    expect(p.equals(ffi.cast('void *', -1))).toBe(true);
  });

  test.each([
    ['(void *)-1', -1n],
    ['a kernel-half address', KERNEL],
    ['a tagged pointer', TAGGED],
  ])('%s: results, arguments, struct fields, records by value and callbacks all keep it', (_what, bits) => {
    const signed = BigInt.asIntN(64, bits);
    const n = signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed;
    const p = C.from_bits(n);
    expect(ffi.cast('intptr_t', p)).toBe(n);
    expect(C.to_bits(p)).toBe(n);
    expect(BigInt(C.to_ubits(p))).toBe(BigInt.asUintN(64, bits));
    const h = ffi.new('struct holder *', { p, tag: 1 });
    expect(h.p.equals(p)).toBe(true);
    expect(C.holder_bits(h[0])).toBe(n);
    const back = C.holder_of(n);
    expect(ffi.cast('intptr_t', back.p)).toBe(n);
    let seen: unknown = null;
    const echo = ffi.callback('void *(*)(void *)', (q: unknown) => {
      seen = q;
      return q;
    });
    expect(ffi.cast('intptr_t', C.through(echo, p))).toBe(n);
    expect(ffi.cast('intptr_t', seen)).toBe(n);
  });

  test.each([
    ['(void *)-1', -1],
    ['a kernel-half address', -(2 ** 47)],
    ['a tagged pointer', TAGGED],
  ])('%s: through dlopen(), in arguments, results and struct records by value (koffi records)', (_what, n) => {
    const p = abi.cast('void *', n)!;
    expect(D.to_bits(p)).toBe(n);
    expect(ffi.cast('intptr_t', D.from_bits(n))).toBe(n);
    expect(D.holder_bits({ p, tag: 1 })).toBe(n);
    const back = D.holder_of(n);
    expect(abi.cast('intptr_t', back.p)).toBe(n);
    expect(back.tag).toBe(7);
  });
});
