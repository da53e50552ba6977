// cc() end to end: declarations from the source itself, with system headers, statics, structs, globals, defines, $CC and tcc.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, FFIError, Lib, VerificationError } from '../../lib';
import { cc, ccInto, declarationsOf, ffiOf } from '../../lib/cc';
import { CC, describeIfInstalled } from '../helpers/compiler';
import { expectThrow, thrown } from '../helpers/throws';

const SOURCE = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stdint.h>
#include <stdbool.h>

#define GREETING_MAX 32
#define FLAGS (1u << 3 | 1)
#define NAME "not a number"

typedef struct { int x; double y; } point;
struct node { struct node *next; int value; };
enum shape { CIRCLE, SQUARE = 4, TRIANGLE };

int counter = 7;
static const long BIG_LIMIT = 1L << 40;
double ratios[] = { 0.5, 0.25 };
char banner[] = "hello";
static int calls;

static int twice(int v) { calls++; return 2 * v; }
int quadruple(int v) { return twice(twice(v)); }
int call_count(void) { return calls; }
size_t length(const char *s) { return strlen(s); }
uint8_t low_byte(uint64_t v) { return (uint8_t)v; }
bool is_even(int64_t v) { return v % 2 == 0; }
double hyp(const point *p) { return sqrt(p->x * p->x + p->y * p->y); }
int sum_list(const struct node *n) { int s = 0; for (; n; n = n->next) s += n->value; return s; }
int corners(enum shape s) { return s == SQUARE ? 4 : s == TRIANGLE ? 3 : 0; }
int write_to(FILE *f, const char *text) { return f ? fputs(text, f) : -1; }
FILE *null_file(void) { return NULL; }
div_t divide(int a, int b) { return div(a, b); }
`;

/** The tests of one compiler: the one under test ($CC, else cc), and tcc. */
function withCompiler(compiler: string): void {
  let lib: Lib;
  let ffi: FFI;
  beforeAll(() => {
    lib = cc(SOURCE, { filename: 'experiment.c', compiler });
    ffi = ffiOf(lib);
  });

  test('functions are callable with size_t, uint8_t, bool and 64-bit signatures', () => {
    expect(lib.quadruple(3)).toBe(12);
    expect(lib.length('hello')).toBe(5);
    expect(lib.low_byte(0x1234n)).toBe(0x34);
    expect(lib.is_even(2n ** 40n)).toBe(true);
    expect(lib.is_even(7)).toBe(false);
  });

  test('struct, typedef and enum types of the source are known to its FFI', () => {
    expect(ffi.sizeof('point')).toBe(16);
    expect(ffi.offsetof('struct node', 'value')).toBe(8);
    const p = ffi.new('point *', { x: 3, y: 4 });
    expect(lib.hyp(p)).toBe(5);
    const b = ffi.new('struct node *', { value: 2 });
    const a = ffi.new('struct node *', { next: b, value: 40 });
    expect(lib.sum_list(a)).toBe(42);
    expect(lib.corners('SQUARE')).toBe(4);
    expect(lib.corners(lib.TRIANGLE)).toBe(3);
    expect(ffi.typeof('enum shape').kind).toBe('enum');
  });

  test('globals read and write through; initialised open arrays have their length', () => {
    expect(lib.counter).toBe(7);
    lib.counter = 9;
    expect(lib.counter).toBe(9);
    expect(ffi.sizeof(lib.ratios)).toBe(16);
    expect(lib.ratios[1]).toBe(0.25);
    expect(ffi.string(lib.banner)).toBe('hello');
  });

  test('integer #defines and enumerators are constants; a string #define is refused with its reason', () => {
    expect(lib.GREETING_MAX).toBe(32);
    expect(lib.FLAGS).toBe(9);
    expect(lib.SQUARE).toBe(4);
    expect(lib.BIG_LIMIT).toBe(2 ** 40); // a static const integer: its value comes from the compiler
    expectThrow(() => lib.NAME, FFIError, "the verify() library for experiment.c: 'NAME' was left out of the declarations (experiment.c:11): '#define NAME' has a string value, which is not supported; cdef takes '#define NAME <integer constant expression>'");
    expect(() => lib.NAME).toThrow(/'NAME' was left out of the declarations \(experiment\.c:\d+\): '#define NAME' has a string value/);
  });

  test('static functions and variables are private, and saying so names them', () => {
    const before = lib.call_count();
    expect(lib.quadruple(5)).toBe(20); // twice() runs inside the library, twice
    expect(lib.call_count()).toBe(before + 2);
    expectThrow(() => lib.twice(1), FFIError, "the verify() library for experiment.c: 'twice' is a static function of experiment.c, visible only to its C code; remove 'static' to call it from JavaScript");
    expect(() => lib.twice(1)).toThrow("'twice' is a static function of experiment.c, visible only to its C code; remove 'static' to call it from JavaScript");
    expect(() => lib.calls).toThrow(/'calls' is a static variable of experiment\.c/);
    expect(declarationsOf(lib).statics).toEqual({ twice: 'function', calls: 'variable' });
  });

  test('FILE * works as an opaque pointer; header structs passed by value are declared', () => {
    expect(lib.write_to(null, 'x')).toBe(-1);
    expect(lib.null_file()).toBeNull();
    expect(() => ffi.sizeof('FILE')).toThrow(/opaque/);
    expect(ffi.sizeof('div_t')).toBe(8);
    expect(ffi.offsetof('div_t', 'rem')).toBe(4);
  });
}

describe(`cc() with ${CC}`, () => withCompiler(CC));
describeIfInstalled('tcc')('cc() with tcc', () => withCompiler('tcc'));

describe('cc() around the source', () => {
  function scratch(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-cc-'));
  }

  test('a header next to the file is found through includeDirs, and a change to it is noticed', () => {
    const dir = scratch();
    const header = path.join(dir, 'config.h');
    const source = '#include "config.h"\nint scale(int v) { return v * FACTOR; }\n';
    fs.writeFileSync(header, '#define FACTOR 2\n');
    const options = { filename: path.join(dir, 'scale.c'), includeDirs: [dir], tmpdir: path.join(dir, 'cache') };
    expect(cc(source, options).scale(5)).toBe(10);
    fs.writeFileSync(header, '#define FACTOR 3 /* changed */\n');
    expect(cc(source, options).scale(5)).toBe(15);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a #define in the source is declared too, and the build options reach the preprocessor', () => {
    const lib = cc('#ifdef WIDE\n#define WIDTH 64\n#else\n#define WIDTH 8\n#endif\nint width(void) { return WIDTH; }\n', {
      defineMacros: [['WIDE', null]],
    });
    expect(lib.WIDTH).toBe(64);
    expect(lib.width()).toBe(64);
  });

  test('a compile error carries the compiler diagnostics with the file name and line', () => {
    const err = thrown(() => cc('int fine(void) { return 0; }\nint broken(void) { return undeclared_thing; }\n', { filename: 'oops.c' }));
    expect(err).toBeInstanceOf(VerificationError);
    expect((err as VerificationError).diagnostics).toMatch(/oops\.c:2:\d+: error: .*undeclared_thing/);
    // The error names cc(), whose options it speaks of, not the verify() it runs.
    expect((err as Error).message).toMatch(/^cc\(\): the C compiler failed \(/);
  });

  test('a function the source only declares names cc() and the library to link', () => {
    const err = thrown(() => cc('int elsewhere(int);\nint calls(void) { return elsewhere(1); }\n', { filename: 'needs.c' }));
    expect(err).toBeInstanceOf(FFIError);
    expect((err as Error).message).toMatch(/^cc\(\): the library built from needs\.c refers to 'elsewhere', which neither needs\.c nor a library linked defines/);
  });

  test("a source ending inside a declaration is reported at its own last line, not at the line cc() adds after it", () => {
    const err = thrown(() => cc('int fine(void) { return 0; }\nint broken(int x', { filename: 'open.c' }));
    expect(err).toBeInstanceOf(VerificationError);
    expect((err as VerificationError).diagnostics.trim()).toBe("open.c:2:17: error: the source ends inside a function body or a declaration (a '}' or ';' missing at its end?)");
  });

  test('a missing header fails in the preprocessor, naming the file and line', () => {
    // gcc: "fatal error: no-such-header.h: No such file…"; clang: "fatal error: 'no-such-header.h' file not found".
    expectThrow(
      () => cc('#include "no-such-header.h"\nint f(void) { return 0; }\n', { filename: 'inc.c' }),
      VerificationError,
      /^cc\(\): the C preprocessor failed[^]*inc\.c:1:\d+: fatal error: '?no-such-header\.h/,
    );
  });

  test('a second cc() of the same source reuses the declarations and the library', () => {
    const dir = scratch();
    const tmpdir = path.join(dir, 'cache');
    const source = '#include <stdint.h>\nint64_t twice(int64_t v) { return 2 * v; }\n';
    cc(source, { tmpdir });
    const files = fs.readdirSync(tmpdir).sort();
    const again = cc(source, { tmpdir });
    expect(again.twice(21)).toBe(42);
    expect(fs.readdirSync(tmpdir).sort()).toEqual(files);
    expect(files.filter((f) => f.startsWith('.cc-'))).toHaveLength(1);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a macro redefining an enumerator of its name is the name's value, as C code after it reads it; the enum keeps the enumerator", () => {
    const lib = cc(
      'enum rd { RA = 5, RB = 7, RC = 9 };\n#define RA (RA - 1)\n#define RC (RC + RA)\n#define RP (RA * 2)\n' +
        'int get_a(void) { return RA; }\nint get_c(void) { return RC; }\nint get_p(void) { return RP; }\n',
      { filename: 'rd.c' },
    );
    expect([lib.RA, lib.RB, lib.RC, lib.RP]).toEqual([lib.get_a(), 7, lib.get_c(), lib.get_p()]);
    expect([lib.RA, lib.RC, lib.RP]).toEqual([4, 13, 8]);
    expect(declarationsOf(lib).skipped).toEqual([]);
    const ffi = ffiOf(lib);
    expect([ffi.string(ffi.cast('enum rd', 9)), ffi.string(ffi.cast('enum rd', 4))]).toEqual(['RC', '4']);
  });

  test('what was left out is listed with where and why', () => {
    const lib = cc('#define SQ(x) ((x) * (x))\nlong double half(long double x) { return x / 2; }\nint one(void) { return 1; }\n', { filename: 'skip.c' });
    expect(lib.one()).toBe(1);
    expect(declarationsOf(lib).skipped).toEqual([
      { name: 'SQ', where: 'skip.c:1', reason: 'it is a function-like macro; only object-like integer macros are declared' },
    ]);
    expect(() => lib.SQ).toThrow(/'SQ' was left out of the declarations \(skip\.c:1\)/);
    // A long double goes through the wrapper by address.
    expect(lib.half(3)).toBe(1.5);
  });

  test('ccInto() grows one FFI: cdata made for the first library work with the functions of the next', () => {
    const ffi = new FFI();
    const first = 'typedef struct { int w, h; } box;\nint area(const box *b) { return b->w * b->h; }\n';
    const one = ccInto(ffi, first);
    const b = ffi.new('box *', { w: 6, h: 7 });
    expect(one.area(b)).toBe(42);
    const two = ccInto(ffi, `${first}int perimeter(const box *b) { return 2 * (b->w + b->h); }\n`);
    expect(two.perimeter(b)).toBe(26);
    expect(two.area(b)).toBe(42);
    expect(ffiOf(two)).toBe(ffi);
    // With a new FFI the same source makes new types, which are not the old ones.
    expectThrow(() => cc(`${first}int perimeter(const box *b) { return 2 * (b->w + b->h); }\n`).perimeter(b), TypeError, "perimeter() argument 1 ('b'): expected 'box *', got cdata 'box *' (the same name, declared by two different FFI instances");
    expect(() => ccInto({} as FFI, first)).toThrow(/ccInto\(\): expected an FFI/);
  });

  test('cc() refuses what is not C source, and ffiOf/declarationsOf refuse other objects', () => {
    expect(() => cc(42 as unknown as string)).toThrow(new TypeError('cc(): expected C source as a string, got 42'));
    expect(() => ffiOf({})).toThrow(/ffiOf\(\): expected a library returned by cc\(\)/);
    expect(() => declarationsOf({})).toThrow(/declarationsOf\(\): expected a library returned by cc\(\)/);
  });
});
