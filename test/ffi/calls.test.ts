// Calls into verify()-compiled C: argument and result conversions, and every way a call can be refused.
import { FFI, FFIError, Lib } from '../../lib';
import { verifyFixture } from '../helpers/fixtures';
import { expectThrow } from '../helpers/throws';

const CDEF = `
int add(int a, int b);
signed char id_i8(signed char x);
unsigned char id_u8(unsigned char x);
short id_i16(short x);
unsigned short id_u16(unsigned short x);
int id_i32(int x);
unsigned int id_u32(unsigned int x);
long id_long(long x);
unsigned long id_ulong(unsigned long x);
long long id_ll(long long x);
unsigned long long id_ull(unsigned long long x);
int64_t id_i64(int64_t x);
uint64_t id_u64(uint64_t x);
size_t id_size(size_t x);
ssize_t id_ssize(ssize_t x);
intptr_t id_intptr(intptr_t x);
float id_f32(float x);
double id_f64(double x);
_Bool negate(_Bool b);
char id_char(char c);
double mix(int a, double b, long long c, float d);
size_t c_strlen(const char *s);
int sum_bytes(const unsigned char *p, int n);
int sum_ints(const int *p, int n);
double sum_doubles(const double *p, int n);
const char *greet(void);
int *counts(void);
void *null_ptr(void);
void fill_squares(int *out, int n);
void upcase(char *s);
enum color { RED, GREEN = 5, BLUE };
enum color next_color(enum color c);
#define ANSWER 42
#define BIG 0x7fffffffffffffff
static const int LIMIT;
`;

let ffi: FFI;
let C: Lib;
beforeAll(() => ({ ffi, lib: C } = verifyFixture('calls.c', CDEF)));

describe('scalar conversions', () => {
  test('the seed function adds', () => {
    expect(C.add(10, 20)).toBe(30);
    expect(C.add(-5, 2)).toBe(-3);
    expect(C.add(2147483647, 1)).toBe(-2147483648); // C's int wraps in C, not in the conversion
  });

  test.each([
    ['id_i8', -128, 127],
    ['id_u8', 0, 255],
    ['id_i16', -32768, 32767],
    ['id_u16', 0, 65535],
    ['id_i32', -2147483648, 2147483647],
    ['id_u32', 0, 4294967295],
  ])('%s accepts its whole range and nothing beyond', (name, min, max) => {
    expect(C[name](min)).toBe(min);
    expect(C[name](max)).toBe(max);
    expect(C[name](BigInt(max))).toBe(max);
    expectThrow(() => C[name](max + 1), RangeError, `${name}() argument 1 ('x'): ${max + 1} does not fit in`);
    expectThrow(() => C[name](min - 1), RangeError, `${name}() argument 1 ('x'): ${min - 1} does not fit in`);
  });

  test.each(['id_long', 'id_ll', 'id_i64', 'id_ssize', 'id_intptr'])('%s: 64-bit signed, number when safe, else bigint', (name) => {
    expect(C[name](-1)).toBe(-1);
    expect(C[name](Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(C[name](2n ** 62n)).toBe(2n ** 62n);
    expect(C[name](-(2n ** 63n))).toBe(-(2n ** 63n));
    expect(C[name](2n ** 63n - 1n)).toBe(2n ** 63n - 1n);
    expect(C[name](5n)).toBe(5);
    // 2^53 is the first integer that is not safe (2^53 + 1 reads as the same number): a bigint, as memory gives it.
    expect(C[name](2n ** 53n)).toBe(2n ** 53n);
    expect(C[name](-(2n ** 53n))).toBe(-(2n ** 53n));
    expect(C[name](-(2n ** 53n) + 1n)).toBe(-Number.MAX_SAFE_INTEGER);
    expectThrow(() => C[name](2n ** 63n), RangeError, `${name}() argument 1 ('x'): 9223372036854775808n does not fit in`);
    expect(() => C[name](2 ** 53 + 2)).toThrow(/pass a bigint/);
  });

  test.each(['id_ulong', 'id_ull', 'id_u64', 'id_size'])('%s: 64-bit unsigned', (name) => {
    expect(C[name](0)).toBe(0);
    expect(C[name](2n ** 64n - 1n)).toBe(2n ** 64n - 1n);
    expect(C[name](2 ** 40)).toBe(2 ** 40);
    expect(C[name](2n ** 53n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(C[name](2n ** 53n)).toBe(2n ** 53n);
    expectThrow(() => C[name](-1), RangeError, `${name}() argument 1 ('x'): -1 does not fit in`);
    expectThrow(() => C[name](2n ** 64n), RangeError, `${name}() argument 1 ('x'): 18446744073709551616n does not fit in`);
  });

  test('floats and doubles', () => {
    expect(C.id_f64(1.5)).toBe(1.5);
    expect(C.id_f64(-0)).toBe(-0);
    expect(C.id_f64(Infinity)).toBe(Infinity);
    expect(C.id_f64(NaN)).toBeNaN();
    expect(C.id_f32(0.1)).toBe(Math.fround(0.1));
    expect(C.id_f64(3n)).toBe(3);
    expect(C.mix(1, 0.5, 10n, 0.25)).toBe(11.75);
  });

  test('_Bool takes booleans (and 0/1), returns booleans', () => {
    expect(C.negate(true)).toBe(false);
    expect(C.negate(false)).toBe(true);
    expect(C.negate(0)).toBe(true);
    expectThrow(() => C.negate(2), RangeError, "negate() argument 1 ('b'): 2 does not fit in '_Bool' (true, false, 0 or 1)");
    expect(() => C.negate('yes')).toThrow(/negate\(\) argument 1 \('b'\): expected true, false, 0 or 1 for '_Bool'/);
  });

  test('char takes its byte value (0 to 255) and one-byte strings', () => {
    expect(C.id_char(65)).toBe(65);
    expect(C.id_char('A')).toBe(65);
    expect(C.id_char(200)).toBe(200);
    expectThrow(() => C.id_char('AB'), TypeError, 'id_char() argument 1 (\'c\'): expected a number or a one-byte string for \'char\', got string "AB"');
    expectThrow(() => C.id_char(-1), RangeError, "id_char() argument 1 ('c'): -1 does not fit in 'char' (0 to 255)");
  });

  test('enums: numbers or enumerator names in, numbers out', () => {
    expect(C.next_color(C.RED)).toBe(5);
    expect(C.next_color('GREEN')).toBe(6);
    expect(() => C.next_color('PURPLE')).toThrow(/'PURPLE' is not an enumerator of 'enum color'/);
  });
});

describe('bad calls fail loudly', () => {
  test('wrong argument count', () => {
    expect(() => C.add(1)).toThrow(new TypeError('add(): expected 2 arguments, got 1'));
    expect(() => C.add(1, 2, 3)).toThrow(new TypeError('add(): expected 2 arguments, got 3'));
  });

  test.each([
    ['a string', '3'],
    ['an object', {}],
    ['undefined', undefined],
    ['null', null],
    ['a symbol', Symbol('s')],
    ['1.5', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a boolean', true],
  ])('a number parameter refuses %s with a TypeError naming the argument', (_what, bad) => {
    expectThrow(() => C.add(1, bad), TypeError, /^add\(\) argument 2 \('b'\): expected an integer for 'int', got /);
  });

  test('a name never declared is an Error naming it', () => {
    expectThrow(() => C.nosuch, FFIError, "the verify() library for calls.c: no function, global or constant named 'nosuch' was declared; declare it with ffi.cdef()");
    expect(() => C.nosuch).toThrow(/no function, global or constant named 'nosuch'/);
  });

  test('functions are read-only properties', () => {
    expectThrow(() => {
      C.add = () => 0;
    }, TypeError, "read only property 'add'");
  });
});

describe('pointers', () => {
  test('char * takes a JS string, a Buffer, a typed array, or null', () => {
    expect(C.c_strlen('héllo')).toBe(6);
    expect(C.c_strlen(Buffer.from('abc\0'))).toBe(3);
    expect(C.c_strlen(new Uint8Array([104, 105, 0]))).toBe(2);
    expect(C.c_strlen(null)).toBe(2n ** 64n - 1n);
    expect(C.c_strlen(ffi.new('char[]', 'four'))).toBe(4);
  });

  test('typed arrays of the right element type pass zero-copy', () => {
    expect(C.sum_ints(new Int32Array([1, 2, 3]), 3)).toBe(6);
    expect(C.sum_doubles(new Float64Array([0.5, 0.25]), 2)).toBe(0.75);
    expect(C.sum_bytes(Buffer.from([1, 2, 250]), 3)).toBe(253);
    expect(() => C.sum_ints(new Float64Array(2), 2)).toThrow(/does not hold 'int' items/);
  });

  test('cdata pointers and arrays are accepted where their type fits', () => {
    const a = ffi.new('int[4]', [1, 2, 3, 4]);
    expect(C.sum_ints(a, 4)).toBe(10);
    const p = ffi.new('int32_t *', 9);
    expect(C.sum_ints(p, 1)).toBe(9);
    expect(() => C.sum_ints(ffi.new('double[2]'), 2)).toThrow(/sum_ints\(\) argument 1 \('p'\): expected 'int \*', got cdata 'double\[2\]'/);
    expect(() => C.sum_ints(12345, 1)).toThrow(/ffi.cast\('int \*', address\)/);
  });

  test('pointer results come back as cdata that read C memory; NULL is null', () => {
    expect(ffi.string(C.greet())).toBe('hello, world');
    const c = C.counts();
    expect(c[2]).toBe(3);
    expect(c.get(3)).toBe(5);
    expect(C.null_ptr()).toBeNull();
  });

  test('out-parameters: C fills memory that JS owns', () => {
    const out = ffi.new('int[5]');
    C.fill_squares(out, 5);
    expect([...out]).toEqual([0, 1, 4, 9, 16]);
    const s = ffi.new('char[]', 'shout');
    C.upcase(s);
    expect(ffi.string(s)).toBe('SHOUT');
  });
});

describe('constants', () => {
  test('#define and enum values are read-only lib properties', () => {
    expect(C.ANSWER).toBe(42);
    expect(C.BIG).toBe(2n ** 63n - 1n);
    expect(C.RED).toBe(0);
    expect(C.BLUE).toBe(6);
    expectThrow(() => {
      C.ANSWER = 1;
    }, FFIError, "'ANSWER' is a constant; it cannot be assigned"); // CFFI: AttributeError
  });

  test('static const values come from the compiler', () => {
    expect(C.LIMIT).toBe(1000);
  });
});

describe('library lifetime', () => {
  test('after dlclose, functions throw instead of crashing', () => {
    const { ffi: f2, lib } = verifyFixture('calls.c', 'int add(int a, int b);');
    const add = lib.add;
    expect(add(1, 2)).toBe(3);
    f2.dlclose(lib);
    expect(() => add(1, 2)).toThrow(/closed with ffi.dlclose\(\)/);
    expectThrow(() => f2.dlclose({}), TypeError, 'ffi.dlclose(): expected a library returned by ffi.dlopen() or ffi.verify()');
  });

  test('a declared symbol the library lacks is an error naming it', () => {
    const f = new FFI();
    f.cdef('int add(int a, int b); int not_there(int);');
    expect(() => f.verify('int add(int a, int b) { return a + b; }')).toThrow(/not_there/);
  });
});
