// The translation unit verify() compiles: its shape (standard headers, the source under its own name, C names for every type), its cleanliness under strict warning flags with gcc and clang, and how the compiler's diagnostics about it are told.
import { spawnSync } from 'child_process';
import { FFI, VerificationError } from '../../lib';
import type { CompilerWarning } from '../../lib';
import { GLUE_FILE, PRELUDE_HEADERS, generateGlue, planGlue } from '../../lib/codegen/glue';
import { tellDiagnostics } from '../../lib/codegen/diagnostics';
import { parseCdef } from '../../lib/cparser/parser';
import { Registry } from '../../lib/ctype/registry';

/** Whether `name` runs as a C compiler here. */
function have(name: string): boolean {
  const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}
const COMPILERS = ['gcc', 'clang'].map((cc) => ({ cc, present: have(cc) }));

/** The declarations of a cdef, in table order. */
function declsOf(cdef: string) {
  const r = new Registry();
  parseCdef(cdef, r);
  return [...r.values()];
}

/** The 1-based line of the unit holding `fragment`. */
function lineOf(unit: string, fragment: string): number {
  const i = unit.split('\n').findIndex((l) => l.includes(fragment));
  if (i < 0) throw new Error(`no line holds ${fragment}`);
  return i + 1;
}

// A cdef using every kind of declaration the glue writes code for, and a source that matches it.
const CDEF = `
struct pt { int x; float y; int *p; char tag; unsigned flags : 3; int arr[3]; const char *name; };
struct part { long id; ...; };
typedef struct { int a; } anon_t;
typedef struct { int v; } *anon_p;
enum color { RED, GREEN, BLUE };
enum more { M1, M2, ... };
typedef int... count_t;
typedef float... real_t;
#define LIMIT ...
#define KNOWN 42
static const int SCI;
static const unsigned long ULONG_C;
static const double HALF;
static char *const GREETING;
const struct pt ORIGIN;
int (*const twice_p)(int);
int values[...];
extern int counter;
extern const char *label;
int add(int, int);
double scale(double, float);
struct pt make_pt(int);
int pt_x(struct pt);
anon_p touch(anon_p);
anon_t anon_make(int);
int sum(int, ...);
count_t count_up(count_t);
real_t half(real_t);
enum color next_color(enum color);
char16_t c16(char16_t);
char32_t c32(char32_t);
extern long double ldval;
long double ld_mul(long double, double);
extern "Python" int ext_cb(int, struct pt);
extern "Python+C" long double ext_ld(long double);
extern "JS" { void ext_v(void); anon_t ext_anon(anon_p); }
int use_ext(int);
`;

const SOURCE = `
typedef unsigned short char16_t;
typedef unsigned int char32_t;
struct pt { int x; float y; int *p; char tag; unsigned flags : 3; int arr[3]; const char *name; };
struct part { char pad[3]; long id; };
typedef struct { int a; } anon_t;
typedef struct { int v; } *anon_p;
enum color { RED, GREEN, BLUE };
enum more { M0, M1, M2 };
typedef unsigned long count_t;
typedef double real_t;
#define LIMIT (1u << 31)
#define KNOWN 42
static const int SCI = -7;
static const unsigned long ULONG_C = 18446744073709551615UL;
static const double HALF = 0.5;
static char *const GREETING = "hello";
static const struct pt ORIGIN = { 1, 2.0f, 0, 'o', 5, { 1, 2, 3 }, "origin" };
static int twice(int x) { return 2 * x; }
#define twice_p twice
int values[7];
int counter;
const char *label = "label";
int add(int a, int b);
int add(int a, int b) { return a + b; }
double scale(double x, float k);
double scale(double x, float k) { return x * k; }
struct pt make_pt(int x);
struct pt make_pt(int x) { struct pt p = ORIGIN; p.x = x; return p; }
int pt_x(struct pt p);
int pt_x(struct pt p) { return p.x; }
anon_p touch(anon_p p);
anon_p touch(anon_p p) { p->v++; return p; }
anon_t anon_make(int a);
anon_t anon_make(int a) { anon_t t; t.a = a; return t; }
int sum(int n, ...);
int sum(int n, ...) { va_list ap; int s = 0; va_start(ap, n); while (n-- > 0) s += va_arg(ap, int); va_end(ap); return s; }
count_t count_up(count_t c);
count_t count_up(count_t c) { return c + 1; }
real_t half(real_t r);
real_t half(real_t r) { return r / 2; }
enum color next_color(enum color c);
enum color next_color(enum color c) { return (enum color)((int)c + 1); }
char16_t c16(char16_t c);
char16_t c16(char16_t c) { return c; }
char32_t c32(char32_t c);
char32_t c32(char32_t c) { return c; }
long double ldval = 0.25L;
long double ld_mul(long double a, double b);
long double ld_mul(long double a, double b) { return a * b; }
static int ext_cb(int a, struct pt p);
long double ext_ld(long double);
static void ext_v(void);
static anon_t ext_anon(anon_p p);
int use_ext(int x);
int use_ext(int x) { ext_v(); return ext_cb(x, ORIGIN) + (int)ext_ld(1.0L) + ext_anon((anon_p)0).a; }
`;

/** Flags beyond CFFI's own test flags that a careful project compiles with. */
const STRICT = [
  '-Werror', '-Wall', '-Wextra', '-Wconversion', '-Wsign-conversion', '-Wpedantic', '-Wmissing-prototypes', '-Wstrict-prototypes',
  '-Wshadow', '-Wcast-qual', '-Wredundant-decls', '-Wfloat-equal', '-Wundef', '-Wold-style-definition',
];

describe('the translation unit', () => {
  const glue = generateGlue(declsOf(CDEF), SOURCE, 'things.c');

  test("CFFI's standard headers come before the source, which keeps its own name and line numbers", () => {
    const lines = glue.unit.split('\n');
    const at = lines.indexOf('#line 1 "things.c"');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(0, at).filter((l) => l.startsWith('#include'))).toEqual(PRELUDE_HEADERS.map((h) => `#include <${h}>`));
    expect(lines.slice(0, at)).toContain('#define _CFFI_');
    expect(lines.slice(at + 1, at + 1 + SOURCE.split('\n').length - 1).join('\n')).toBe(SOURCE.slice(0, -1));
    // the glue after it names itself, with the unit's own line numbers
    const directive = at + SOURCE.split('\n').length; // its index: the next line is the unit's line directive + 2
    expect(lines[directive]).toBe(`#line ${directive + 2} "${GLUE_FILE}"`);
    expect(glue.companion).toEqual({ name: 'things.c', text: SOURCE });
  });

  test("no type is spelled with a '$' (anonymous structs go by their typedef names) and <uchar.h> is not included", () => {
    const code = glue.unit.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
    expect(code.split('\n').filter((l) => l.includes('$'))).toEqual([]);
    expect(code).toContain('anon_p _ncffi_f_touch(anon_p _ncffi_a0)');
    expect(code).toContain('sizeof(__typeof__(*(anon_p)0))');
    expect(code).not.toMatch(/uchar\.h/);
    expect(code).toMatch(/_ncffi_char16_t _ncffi_f_c16\(_ncffi_char16_t _ncffi_a0\)/);
  });

  test('a path as the file name gets no companion copy (the compiler reads the file itself)', () => {
    expect(generateGlue(declsOf('int f(void);'), 'int f(void) { return 1; }', '/some/dir/f.c').companion).toBeNull();
  });

  test('an anonymous struct nothing names is refused before compiling, naming the declaration', () => {
    expect(() => generateGlue(declsOf('typedef struct { int x; } **sp; void foo(sp);'), '', 'source.c')).toThrow(VerificationError);
    expect(() => generateGlue(declsOf('typedef struct { int x; } **sp; void foo(sp);'), '', 'source.c')).toThrow(
      /^foo\(\): the glue cannot spell 'struct \$1' in C/,
    );
  });
});

describe('the glue of a unit whose hash is known (planGlue)', () => {
  test('reaches every declaration as generateGlue does, and makes the same unit when asked', () => {
    for (const strictPrototypes of [false, true]) {
      const decls = declsOf(CDEF);
      const whole = generateGlue(decls, SOURCE, 'things.c', { strictPrototypes });
      const plan = planGlue(decls, SOURCE, 'things.c', { strictPrototypes });
      expect(plan.functions.size).toBeGreaterThan(10);
      expect(plan.externs.size).toBe(4);
      expect(plan.probes.length).toBeGreaterThan(20);
      const reached = (g: typeof plan) => ({
        functions: g.functions, externs: g.externs, globals: g.globals, probeSymbol: g.probeSymbol, probes: g.probes,
        companion: g.companion, sourceName: g.sourceName, strict: g.strict,
      });
      expect(reached(plan)).toEqual(reached(whole));
      // The unit and what refers to its lines, made when asked for: the same as generateGlue's.
      expect(plan.unit).toBe(whole.unit);
      expect([plan.glueStart, plan.sourceEnd, plan.owners]).toEqual([whole.glueStart, whole.sourceEnd, whole.owners]);
    }
  });

  test('refuses what generateGlue refuses before any text: a variadic extern "Python" function', () => {
    const decls = declsOf('extern "Python" int cb(int, ...);');
    expect(() => planGlue(decls, '', 'source.c')).toThrow(/^extern "Python" function cb\(\): a variadic function cannot be extern "Python"/);
    expect(() => generateGlue(decls, '', 'source.c')).toThrow(/^extern "Python" function cb\(\): a variadic function cannot be extern "Python"/);
  });
});

describe.each(COMPILERS)('compiled by $cc under strict warning flags', ({ cc, present }) => {
  const run = present ? test : test.skip;
  if (!present) test(`skipped: ${cc} is not installed`, () => undefined);

  run('the glue draws no warning, and the library works', () => {
    const ffi = new FFI();
    ffi.cdef(CDEF);
    const warnings: CompilerWarning[] = [];
    const lib = ffi.verify(SOURCE, { compiler: cc, extraCompileArgs: STRICT, filename: 'things.c', onWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => w.message)).toEqual([]);
    expect([lib.add(2, 3), lib.scale(3, 0.5), lib.pt_x(lib.make_pt(9)), lib.sum(3, ['int', 1], ['int', 2], ['int', 3])]).toEqual([5, 1.5, 9, 6]);
    expect([lib.LIMIT, lib.KNOWN, lib.SCI, lib.ULONG_C, lib.HALF, lib.RED, lib.M2]).toEqual([2 ** 31, 42, -7, 2n ** 64n - 1n, 0.5, 0, 2]);
    expect(ffi.string(lib.GREETING)).toBe('hello');
    expect([lib.ORIGIN.x, lib.ORIGIN.tag, ffi.string(lib.ORIGIN.name)]).toEqual([1, 'o'.charCodeAt(0), 'origin']);
    expect(lib.twice_p(21)).toBe(42);
    expect(ffi.sizeof('count_t')).toBe(8);
    expect([lib.count_up(41), lib.half(3), lib.next_color(lib.RED), lib.c16('A'), lib.c32('😀')]).toEqual([42, 1.5, 1, 'A', '😀']);
    expect(ffi.offsetof('struct part', 'id')).toBe(8);
    const p = ffi.new('anon_p', [1]);
    expect(lib.touch(p).v).toBe(2);
    expect(lib.anon_make(7).a).toBe(7);
    expect(ffi.string(lib.label)).toBe('label');
    expect(lib.values.length).toBe(7);
    expect([lib.ld_mul(3, 0.5), lib.ldval]).toEqual([1.5, 0.25]);
    let v = 0;
    ffi.defExtern('ext_cb', (a: number, p: { x: number }) => a + p.x);
    ffi.defExtern('ext_ld', (d: number) => d * 2);
    ffi.defExtern('ext_v', () => void v++);
    ffi.defExtern('ext_anon', () => ({ a: 10 }));
    expect([lib.use_ext(5), v]).toEqual([5 + 1 + 2 + 10, 1]);
  });

  run('with strictPrototypes too', () => {
    const ffi = new FFI();
    ffi.cdef(CDEF);
    const warnings: CompilerWarning[] = [];
    const lib = ffi.verify(SOURCE, { compiler: cc, extraCompileArgs: STRICT, strictPrototypes: true, onWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => w.message)).toEqual([]);
    expect(lib.add(40, 2)).toBe(42);
  });

  run('with -fvisibility=hidden the glue stays visible', () => {
    const ffi = new FFI();
    ffi.cdef('int f(int); extern int g; static const double D;');
    const lib = ffi.verify('int f(int a) { return a + 40; }\nint g = 2;\n#define D 2.5\n', { compiler: cc, extraCompileArgs: ['-fvisibility=hidden'] });
    expect([lib.f(2), lib.g, lib.D]).toEqual([42, 2, 2.5]);
  });
});

describe('diagnostics about the glue are told as the cdef declarations they are about', () => {
  const cdef = '\nint sub(int, int);\nstruct s { int x; int y; };\nextern int g;';
  const source = 'int add(int a, int b) {\n  return a + b;\n}\n';
  const glue = generateGlue(declsOf(cdef), source, 'source.c');
  const at = (fragment: string): number => lineOf(glue.unit, fragment);

  test('an undeclared function (gcc and clang 14 and 16 wordings) is one the source does not define', () => {
    const line = at('_ncffi_f_sub');
    for (const said of [
      `node-cffi-glue.c:${line}:72: error: implicit declaration of function ‘sub’ [-Werror=implicit-function-declaration]`,
      `node-cffi-glue.c:${line}:72: error: implicit declaration of function 'sub' is invalid in C99 [-Werror,-Wimplicit-function-declaration]`,
      `node-cffi-glue.c:${line}:72: error: call to undeclared function 'sub'; ISO C99 and later do not support implicit function declarations [-Wimplicit-function-declaration]`,
    ]) {
      const told = tellDiagnostics(`node-cffi-glue.c: In function ‘_ncffi_f_sub’:\n${said}\n  ${line} | _NCFFI_EXPORT ...\n      |   ^~~\n`, glue);
      expect(told.headlines).toEqual(["sub(): the cdef declares 'sub' but source.c does not define it; define it there, or include the header that declares it"]);
      expect(told.text).toBe(`cdef:2:5: error: ${told.headlines[0]}`);
      expect(told.text).not.toContain(GLUE_FILE);
    }
  });

  test("an error that cannot be told as a cdef declaration's (a conflict with the glue's own line) keeps the compiler's words", () => {
    const strict = generateGlue(declsOf(cdef), source, 'source.c', { strictPrototypes: true });
    const line = lineOf(strict.unit, 'int sub(int, int); /* cdef');
    const out = [
      `node-cffi-glue.c:${line}:5: error: conflicting types for 'sub'`,
      `node-cffi-glue.c:${line - 1}:24: note: previous declaration is here`,
      '1 error generated.',
    ].join('\n');
    const told = tellDiagnostics(out, strict);
    expect(told.failed).toBe(true);
    expect(told.text).toBe(`node-cffi-glue.c:${line}:5: error: conflicting types for 'sub'\nnode-cffi-glue.c:${line - 1}:24: note: previous declaration is here`);
  });

  test('a field the source lacks, said three times (check, offset, size), is told once', () => {
    const check = at("(void)((p->y) | 0)");
    const probe = at("offsetof(struct s, y)");
    const out = [
      `node-cffi-glue.c:${check}:14: error: ‘struct s’ has no member named ‘y’`,
      `node-cffi-glue.c:${probe}:30: error: ‘struct s’ has no member named ‘y’`,
      `In file included from /usr/include/x86_64-linux-gnu/sys/types.h:144,`,
      `                 from node-cffi-glue.c:6:`,
      `/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h:406:36: note: in expansion of macro ‘offsetof’`,
      `node-cffi-glue.c:${probe}:90: error: ‘struct s’ has no member named ‘y’`,
    ].join('\n');
    const told = tellDiagnostics(out, glue);
    expect(told.headlines).toEqual(["struct s: field 'y': the cdef declares 'y' but source.c's struct s has no such field"]);
    expect(told.text).toBe(`cdef:3:8: error: ${told.headlines[0]}`);
  });

  test("an error on the first line after the source means the source ends inside a block: told at its last line, the rest left out", () => {
    const out = [
      'source.c: In function ‘add’:',
      `node-cffi-glue.c:${at('_ncffi_end_of_source')}:27: error: invalid storage class for function ‘_ncffi_end_of_source’`,
      `node-cffi-glue.c:${at('_ncffi_f_sub')}:1: error: expected declaration or statement at end of input`,
    ].join('\n');
    const told = tellDiagnostics(out, glue);
    expect(told.headlines).toEqual(["source.c:3: the source ends inside a function body or a declaration (a '}' or ';' missing at its end?)"]);
    expect(told.text).toBe(`source.c: In function ‘add’:\nsource.c:3:2: error: ${told.headlines[0].replace(/^source\.c:3: /, '')}`);
  });

  test("the source's own diagnostics stay as written; each warning is delivered with its position, option and quote", () => {
    const out = [
      'source.c: In function ‘add’:',
      'source.c:2:7: warning: unused variable ‘t’ [-Wunused-variable]',
      '    2 |   int t;',
      '      |       ^',
      'source.c:3:1: warning: control reaches end of non-void function [-Wreturn-type]',
    ].join('\n');
    const told = tellDiagnostics(out, glue);
    expect(told.text).toBe(out);
    expect(told.headlines).toEqual([]);
    expect(told.failed).toBe(false);
    expect(told.warnings.map((w) => [w.name, w.message, w.file, w.line, w.column, w.option])).toEqual([
      ['NodeCffiCompilerWarning', 'source.c:2:7: unused variable ‘t’ [-Wunused-variable]', 'source.c', 2, 7, '-Wunused-variable'],
      ['NodeCffiCompilerWarning', 'source.c:3:1: control reaches end of non-void function [-Wreturn-type]', 'source.c', 3, 1, '-Wreturn-type'],
    ]);
    expect(told.warnings[0].text).toBe(['source.c:2:7: warning: unused variable ‘t’ [-Wunused-variable]', '    2 |   int t;', '      |       ^'].join('\n'));
    expect(told.warnings[0].detail).toBe('    2 |   int t;\n      |       ^');
  });

  test('a warning in the glue is delivered at the cdef declaration, with the notes that point into the source', () => {
    const out = [
      `node-cffi-glue.c:${at('_ncffi_g_g')}:50: warning: return discards ‘const’ qualifier from pointer target type [-Wdiscarded-qualifiers]`,
      'source.c:9:11: note: declared here',
    ].join('\n');
    const told = tellDiagnostics(out, glue);
    expect(told.warnings.map((w) => [w.message, w.file, w.line, w.column])).toEqual([
      ["cdef:4:12: global 'g': source.c makes it const; declare it const in the cdef too (a constant: read, never written) [-Wdiscarded-qualifiers]", 'cdef', 4, 12],
    ]);
    expect(told.warnings[0].detail).toBe('source.c:9:11: note: declared here');
  });

  test("a compiler that only warns (tcc) is held to verify()'s errors when asked to promote", () => {
    const out = `source.c:2: warning: implicit declaration of function 'g'\nnode-cffi-glue.c:${at('_ncffi_f_sub')}: warning: implicit declaration of function 'sub'`;
    expect(tellDiagnostics(out, glue).failed).toBe(false);
    const told = tellDiagnostics(out, glue, { promote: true });
    expect(told.failed).toBe(true);
    expect(told.warnings).toEqual([]);
    expect(told.text.split('\n')[0]).toBe("source.c:2: error: implicit declaration of function 'g'");
  });
});
