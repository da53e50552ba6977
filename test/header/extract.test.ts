// What a whole-header binding declares from preprocessed text: GNU C met in headers, the types from other headers, macros, filters, and what is left out and why.
import { HeaderExtract, extractHeader } from '../../lib/header/extract';
import { literalValue } from '../../lib/header/macros';
import { parseCdef } from '../../lib/cparser/parser';
import { Registry } from '../../lib/ctype/registry';
import { StructType } from '../../lib/ctype/model';
import { chunkOptions } from '../../lib/headerlib';

const OTHER =
  '# 1 "other.h"\ntypedef unsigned long size_t;\ntypedef long __off_t;\ntypedef __off_t off_t;\n' +
  'struct timeval { long tv_sec; long tv_usec; };\ntypedef struct _IO_FILE FILE;\nstruct _IO_FILE { int _flags; };\n' +
  'struct unused_t { int x; };\ntypedef __builtin_va_list __gnuc_va_list;\nint other_function(void);\n';

function extract(header: string, only: RegExp | null = null): HeaderExtract {
  return extractHeader(`${OTHER}# 1 "h.h"\n${header}\n`, { own: (f) => f === 'h.h', only: only && ((n) => only.test(n)) });
}

const cdef = (x: HeaderExtract): string => x.cdefs.map((c) => c.source).join('');
const reasons = (x: HeaderExtract): Record<string, string> => Object.fromEntries(x.skipped.map((s) => [s.name, s.reason]));

/** Every chunk must parse, in order, as ffi.cdefHeader gives them to ffi.cdef. */
function registryOf(x: HeaderExtract): Registry {
  const r = new Registry();
  for (const c of x.cdefs) parseCdef(c.source, r, chunkOptions(c));
  return r;
}

describe('GNU C in headers never stops the header', () => {
  const x = extract(
    '__attribute__((visibility("default"))) extern int f(int __x) __attribute__((__nothrow__)) __asm__("" "f64");\n' +
      '__extension__ typedef long long ll;\nint g(char *__restrict s, const __signed__ char c);\n' +
      'static __inline int sq(int x) { return x * x; }\nextern _Float128 q(_Float128 x);\nextern __int128 big(void);\n' +
      'typedef int v4si __attribute__((vector_size(16)));\nv4si add4(v4si a);\nint vf(const char *fmt, __gnuc_va_list ap);\n' +
      'struct bits { unsigned a : 3; unsigned b : 5; };\nstruct __attribute__((packed)) pk { char c; int i; };\n' +
      'struct anon { union { int i; float f; }; struct { int x, y; }; };\nint old();\nint after(void);',
  );

  test('attributes, __extension__, asm labels and GNU spellings go; the declarations stay', () => {
    expect(cdef(x)).toContain('int f(int __x);\ntypedef long long ll;\nint g(char *restrict s, const signed char c);\n');
    const r = registryOf(x);
    for (const name of ['f', 'g', 'old', 'after']) expect(r.get(name)?.kind).toBe('function');
  });

  test('bit-fields, packed structs and anonymous members keep the layout GCC gives them', () => {
    const r = registryOf(x);
    expect((r.tag('struct', 'bits') as StructType).size).toBe(4);
    expect((r.tag('struct', 'pk') as StructType).size).toBe(5);
    const anon = r.tag('struct', 'anon') as StructType;
    expect(anon.size).toBe(12);
    expect(anon.fieldMap.get('y')?.offset).toBe(8);
  });

  test('static inline functions are declared for verify() only, with the reason', () => {
    expect(x.apiOnly).toEqual([{ name: 'sq', where: 'h.h:4', reason: expect.stringContaining('static inline function') }]);
    expect(cdef(x)).toContain('int sq(int x);\n');
  });

  test("_Float128, __int128, vector types and va_list leave out only what uses them, saying why", () => {
    expect(reasons(x)).toEqual({
      q: "it uses '_Float128', a GCC type cdef has no equivalent for",
      big: "'__int128' is not supported in cdef",
      v4si: 'it uses __attribute__((vector_size)) or _Alignas, which cdef cannot express',
      add4: "unknown type name 'v4si' (its declaration was left out: it uses __attribute__((vector_size)) or _Alignas, which cdef cannot express)",
      vf: "it takes a 'va_list', which only C code can make; call the function's variadic form ('...') instead",
    });
    // va_list itself is declared, as an opaque type.
    expect(cdef(x)).toContain('typedef ... __gnuc_va_list;\n');
  });
});

describe('types from other headers', () => {
  test('come along as far as the header uses them: typedef chains, and the definition of every struct it names', () => {
    const x = extract('int uses(FILE *f, off_t o, struct timeval *tv, size_t n);\nstruct opaque;\nstruct opaque *make(void);\nextern int counter;');
    expect(cdef(x)).toBe(
      // FILE is built into cdef (opaque, as in CFFI): the header's own definition of it stays out.
      'typedef long __off_t;\ntypedef __off_t off_t;\nstruct timeval { long tv_sec; long tv_usec; };\n' +
        'int uses(FILE *f, off_t o, struct timeval *tv, size_t n);\nstruct opaque;\n' +
        'struct opaque *make(void);\nextern int counter;\n',
    );
    const r = registryOf(x);
    expect((r.tag('struct', 'opaque') as StructType).complete).toBe(false);
    // Other headers' functions and unused types stay out.
    expect(r.get('other_function')).toBeUndefined();
    expect(r.tag('struct', 'unused_t')).toBeUndefined();
  });
});

describe('macros', () => {
  const x = extract(
    'enum color { RED, GREEN = 5 };\nFILE *open_it(void);\nint g(char *s, int n);\nstatic inline int sq(int v) { return v * v; }\n' +
      '#define H_INT (GREEN + 1)\n#define H_STR "a" "b\\n" u8"\\u00e9"\n#define H_FLT 1.5f\n#define H_HEX (-0x1.8p1)\n' +
      '#define H_NULL ((FILE *)0)\n#define H_BAD ((FILE *)-1)\n#define h_g(s, n) g((s), (n))\n#define h_sq(v) sq((v))\n' +
      '#define h_twice(s) g((s), 2)\n#define h_expr(v) ((v) + 1)\n#define h_alias g\n#define _H_GUARD 1\n#define H_EMPTY\n#define g_same g',
  );

  test('integer macros are constants; string, floating and pointer macros are values', () => {
    expect(registryOf(x).get('H_INT')).toMatchObject({ kind: 'constant', value: 6 });
    // H_BAD is (FILE *)-1: a sentinel address, which a pointer cdata holds as it is.
    expect(x.values).toEqual({ H_STR: 'ab\né', H_FLT: 1.5, H_HEX: -3, H_NULL: { cast: 'FILE *', value: 0 }, H_BAD: { cast: 'FILE *', value: -1 } });
  });

  test('function-like macros calling a declared function with their parameters become functions of its parameter types', () => {
    const r = registryOf(x);
    expect(r.get('h_g')?.type.cname).toBe('int(char *, int)');
    expect(r.get('h_sq')?.type.cname).toBe('int(int)');
    expect(r.get('h_twice')?.type.cname).toBe('int(char *)');
    expect(r.get('h_alias')?.type.cname).toBe('int(char *, int)');
    expect(x.apiOnly.map((a) => a.name)).toEqual(['sq', 'h_g', 'h_sq', 'h_twice', 'h_alias', 'g_same']);
  });

  test('the rest are listed with the reason', () => {
    const why = reasons(x);
    expect(Object.keys(why).sort()).toEqual(['H_EMPTY', '_H_GUARD', 'h_expr']);
    expect(why.h_expr).toMatch(/parameter types cannot be told from its body/);
    expect(why.H_EMPTY).toMatch(/no value/);
    expect(why._H_GUARD).toMatch(/reserved/);
  });

  test("a macro of an enumerator's name is the name's value where it is another (C reads the macro after the #define); the enum keeps its enumerator", () => {
    const y = extract(
      'enum redef { RD_A = 5, RD_B = 7, RD_C = 9, RD_D = 1, RD_E = 2, RD_F = 4 };\n#define RD_A (RD_A - 1)\n#define RD_B RD_B\n#define RD_C (RD_C)\n' +
        '#define RD_D 3\n#define RD_E ((unsigned char) 0x1ff)\n#define RD_F ((unsigned char) 4)\n',
    );
    expect(y.skipped).toEqual([]);
    const r = registryOf(y);
    expect(['RD_A', 'RD_B', 'RD_C', 'RD_D', 'RD_E', 'RD_F'].map((n) => r.get(n))).toMatchObject([
      { kind: 'constant', value: 4, origin: 'define' },
      { kind: 'constant', value: 7, origin: 'enum' },
      { kind: 'constant', value: 9, origin: 'enum' },
      { kind: 'constant', value: 3, origin: 'define' },
      { kind: 'constant', value: 0xff, origin: 'define' },
      { kind: 'constant', value: 4, origin: 'enum' },
    ]);
    const t = r.get('enum redef');
    expect(t?.kind === 'tag' && t.type.kind === 'enum' ? { ...t.type.relements } : null).toEqual({ RD_A: 5, RD_B: 7, RD_C: 9, RD_D: 1, RD_E: 2, RD_F: 4 });
    // Only the macros replacing an enumerator's constant are declared with override, last and as
    // their values (the RD_A left in `(RD_A - 1)` is the enumerator, which other macros may read too).
    expect(y.cdefs.filter((c) => c.override).map((c) => c.source).join('')).toBe('#define RD_D 3\n#define RD_A 4\n#define RD_E ((unsigned char) 511)\n');
  });

  // obstack.h's obstack_init(h) passes obstack_chunk_alloc, a macro the program defines before it includes the header.
  test("a wrapper is made only when the names its expansion refers to are declared somewhere in the unit; one the program is meant to define leaves the macro out", () => {
    const y = extract(
      'enum mode { FAST = 1 };\nstruct ctx { int size; };\nint begin(struct ctx *c, int size, void *(*alloc)(size_t));\n' +
        '#define CAST(t, e) ((t) (e))\n#define h_init(c) begin((c), 0, CAST(void *(*)(size_t), chunk_alloc))\n' +
        '#define h_fast(c) begin((c), FAST + (int)sizeof(((struct ctx *)0)->size) + (int)sizeof(struct timeval), CAST(void *(*)(size_t), 0))\n' +
        '#define h_paste(c) begin((c), FAST, pre_ ## fix)\n',
    );
    const r = registryOf(y);
    expect(r.get('h_fast')?.type.cname).toBe('int(struct ctx *)');
    expect(r.get('h_paste')?.type.cname).toBe('int(struct ctx *)'); // pasted names: only the compiler can tell
    expect(r.get('h_init')).toBeUndefined();
    expect(reasons(y).h_init).toBe("its expansion refers to 'chunk_alloc', which nothing the header includes declares (the program is meant to define it)");
  });

  // C reserves names that start with an underscore and a capital, yet headers spell API so:
  // stdio.h's _IONBF (setvbuf's modes), paths.h's _PATH_BSHELL, unistd.h's _POSIX_VERSION.
  test('reserved macro names are left out only as helpers (__) and guards; the others are the header\'s API', () => {
    const y = extract('#define _H2_H 1\n#define _LIST_DEFINED\n#define _H2_INCLUDED 1\n#define __helper 3\n#define _IONBF 2\n#define _PATH_SH "/bin/sh"\n');
    expect(registryOf(y).get('_IONBF')).toMatchObject({ kind: 'constant', value: 2 });
    expect(y.values).toEqual({ _PATH_SH: '/bin/sh' });
    const why = reasons(y);
    expect(Object.keys(why).sort()).toEqual(['_H2_H', '_H2_INCLUDED', '_LIST_DEFINED', '__helper']);
    for (const name of Object.keys(why)) expect(why[name]).toMatch(/reserved for the implementation/);
  });

  test('an integer cast to an integer type is an integer constant as C converts it (a bigint past a double\'s integers); to another type, left out with the reason', () => {
    const y = extract(
      'typedef long clock_like;\ntypedef float real;\ntypedef unsigned long rlim_like;\nclock_like ticks(real);\n#define H_CLOCKS ((clock_like) 1000000)\n' +
        '#define H_BYTE ((unsigned char)-1)\n#define H_REAL ((real) 3)\n#define H_ALL ((unsigned long) -1)\n#define H_INF ((rlim_like) -1)\n#define H_LL ((long long) -2)\n',
    );
    expect(y.values).toEqual({});
    const r = registryOf(y);
    const constant = (name: string) => r.get(name) as { kind: string; value: unknown; type: { cname: string } };
    expect(['H_CLOCKS', 'H_BYTE', 'H_ALL', 'H_INF', 'H_LL'].map((n) => [constant(n).kind, constant(n).value, constant(n).type.cname])).toEqual([
      ['constant', 1000000, 'long'], ['constant', 255, 'unsigned char'], ['constant', 2n ** 64n - 1n, 'unsigned long'],
      ['constant', 2n ** 64n - 1n, 'unsigned long'], ['constant', -2, 'long long'],
    ]);
    expect(Object.keys(reasons(y))).toEqual(['H_REAL']);
    expect(reasons(y).H_REAL).toBe("it casts to 'real', which is neither an integer nor a pointer type; only integer and pointer constants are declared");
  });

  test("a macro naming another header's enumerator brings that enum along (sys/quota.h's QIF_BLIMITS is linux/quota.h's QIF_BLIMITS_B shifted)", () => {
    const x = extractHeader(
      `${OTHER}# 1 "quota_enums.h"\nenum { Q_SPACE_B = 0, Q_INODES_B = (1 << 2) - 3, Q_LIMIT_B };\nenum unrelated { U_ONE = 1 };\n` +
        '# 1 "h.h"\n#define Q_SPACE (1 << Q_SPACE_B)\n#define Q_LIMIT (1 << Q_LIMIT_B)\n',
      { own: (f) => f === 'h.h', only: null },
    );
    const r = registryOf(x);
    expect([r.get('Q_SPACE'), r.get('Q_LIMIT')].map((d) => (d?.kind === 'constant' ? d.value : d?.kind))).toEqual([1, 4]);
    expect(r.get('U_ONE')).toBeUndefined();
    expect(x.skipped).toEqual([]);
  });

  test('a value that reads memory or calls a function is left out with that reason, not as an unknown constant', () => {
    const y = extract(
      'struct si { union { struct { int pid; } kill; } fields; };\nstruct api { int (*open)(void); };\nextern struct api *the_api;\nlong sysconf(int);\n' +
        'typedef long my_long;\n#define si_pid fields.kill.pid\n#define api_open the_api->open\n#define STACK_MIN (sysconf (75) + 1)\n' +
        '#define CAST_OK ((my_long)(3))\n#define SIZE_OK (sizeof (my_long) * 2)\n#define no_such nowhere.pid\n',
    );
    const why = reasons(y);
    // A member's name by its path is an alias (see the aliases tests); one no struct has, a reason.
    expect(y.aliases).toEqual({ si_pid: ['fields', 'kill', 'pid'] });
    expect(why.no_such).toBe("its value, 'nowhere.pid', names a member no struct or union of the header has; only a member's name by its path is an alias");
    expect(why.api_open).toMatch(/^its value, 'the_api->open', reads a member/);
    expect(why.STACK_MIN).toBe("its value calls 'sysconf()' each time C uses it, which no constant can hold; call the function from JavaScript instead");
    const r = registryOf(y);
    expect(r.get('CAST_OK')).toMatchObject({ kind: 'constant', value: 3 });
    expect(r.get('SIZE_OK')).toMatchObject({ kind: 'constant', value: 16 });
  });

  test("a macro naming a type is a typedef, as C code uses it (zconf.h's z_off_t is off_t), with the types it names", () => {
    const x = extract(
      'typedef long my_off;\n#define off_alias my_off\n#define u4 unsigned int\n#define bytep const unsigned char *\n#define tv_t struct timeval\n' +
        '#define off_t_alias off_t\n#define not_type my_off + 1\n#define star_first * my_off\n',
    );
    const r = registryOf(x);
    const typedef = (name: string) => r.get(name)?.kind;
    expect(['off_alias', 'u4', 'bytep', 'tv_t', 'off_t_alias'].map(typedef)).toEqual(['typedef', 'typedef', 'typedef', 'typedef', 'typedef']);
    const tv = r.get('tv_t');
    expect(tv?.kind === 'typedef' && tv.type.kind === 'struct' ? tv.type.fields?.map((f) => f.name) : null).toEqual(['tv_sec', 'tv_usec']);
    expect([typedef('not_type'), typedef('star_first')]).toEqual([undefined, undefined]);
    expect(Object.keys(reasons(x)).sort()).toEqual(['not_type', 'star_first']);
  });

  test('literal values are what the compiler makes of the text', () => {
    expect(literalValue('"\\x41\\101\\t" "\\u20ac"')).toBe('AA\t€');
    expect(literalValue('(1e3)')).toBe(1000);
    expect(literalValue('0.1f')).toBe(Math.fround(0.1));
    expect(literalValue('0x1p-2')).toBe(0.25);
    expect(literalValue('L"wide"')).toBeNull();
    expect(literalValue('1 + 2.0')).toBeNull();
    expect(literalValue('42')).toBeNull();
  });

  test("floating values: casts to a floating type, GCC's infinity and NaN builtins, and long doubles beyond a double refused", () => {
    expect(literalValue('((double)1.79769313486231570814527423731704357e+308L)')).toBe(Number.MAX_VALUE);
    expect(literalValue('((float)0.1)')).toBe(Math.fround(0.1));
    expect(literalValue('((long double) 3)')).toBe(3);
    expect(literalValue('((double) 010)')).toBe(8);
    expect(literalValue('(__builtin_huge_val ())')).toBe(Infinity);
    expect(literalValue('(-(__builtin_inff ()))')).toBe(-Infinity);
    expect(literalValue('(__builtin_nanf (""))')).toBeNaN();
    expect([literalValue('(__builtin_huge_valf32 ())'), literalValue('(__builtin_huge_valf64x ())')]).toEqual([Infinity, Infinity]);
    expect(literalValue('(__builtin_nans (""))')).toBeNaN();
    expect(literalValue('(__builtin_nansf128 (""))')).toBeNaN();
    expect(literalValue('__builtin_nan ("0x7")')).toBeNull();
    expect(literalValue('__builtin_huge_val (1)')).toBeNull();
    expect(literalValue('((int) 1.5)')).toBeNull();
    expect(literalValue('0.0L')).toBe(0);
    expect(literalValue('0x0p-20000L')).toBe(0);
    // _FloatN suffixes (glibc's __f32(x) is x##f32): f32 is a float, f64 and f32x doubles, f64x and f128 wider.
    expect(literalValue('(0.1f32)')).toBe(Math.fround(0.1));
    expect([literalValue('0.1f64'), literalValue('0.1F32x'), literalValue('0.1f64x'), literalValue('0.1f128')]).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect(literalValue('0.1f16')).toBeNull();
    expect(literalValue('1e5000f128')).toEqual({ error: 'its value, 1e5000f128, is beyond the range of a double, the widest floating type JavaScript holds' });
    const beyond = (text: string) => `its value, ${text}, is beyond the range of a double, the widest floating type JavaScript holds`;
    expect(literalValue('1.18973149535723176502126385303097021e+4932L')).toEqual({ error: beyond('1.18973149535723176502126385303097021e+4932L') });
    expect(literalValue('3.36210314311209350626267781732175260e-4932L')).toEqual({ error: beyond('3.36210314311209350626267781732175260e-4932L') });
    expect(literalValue('0x8p-16446L')).toEqual({ error: beyond('0x8p-16446L') });
  });

  test("GCC's imaginary constants are complex values of real part 0; integer and long double ones are refused", () => {
    // What gcc gives: complex.h's `_Complex_I` is `(__extension__ 1.0iF)`.
    expect(literalValue('(__extension__ 1.0iF)')).toEqual({ complex: [0, 1] });
    expect(literalValue('2.5fi')).toEqual({ complex: [0, 2.5] });
    expect(literalValue('0.1fi')).toEqual({ complex: [0, Math.fround(0.1)] });
    expect(literalValue('0x1p-1j')).toEqual({ complex: [0, 0.5] });
    expect(literalValue('-(__extension__ 0.1i)')).toEqual({ complex: [-0, -0.1] });
    expect(literalValue('3i')).toEqual({ error: "its value, 3i, is an imaginary integer ('_Complex int'); only complex floating values are declared" });
    expect(literalValue('1.5Li')).toEqual({ error: "its value, 1.5Li, is a 'long double _Complex', which has no equivalent here" });
    expect(literalValue('1e999i')).toEqual({ error: 'its value, 1e999i, is beyond the range of a double, the widest floating type JavaScript holds' });
    expect(literalValue('__extension__ 1.5')).toBe(1.5);
    expect(literalValue('1.0i + 1')).toBeNull();
  });
});

describe('transparent unions', () => {
  test('a typedef of one is the type of its first member, which is how C passes it', () => {
    const x = extract(
      'struct pt { int x; };\ntypedef union { const struct pt *__restrict first; int *second; } arg_t __attribute__((__transparent_union__));\nint use(arg_t a);\n',
    );
    const r = registryOf(x);
    const use = r.get('use');
    const arg = use?.kind === 'function' ? use.type.args[0] : undefined;
    expect(arg?.kind).toBe('pointer');
    expect(arg?.kind === 'pointer' ? arg.item.cname : null).toBe('struct pt');
    expect(x.skipped).toEqual([]);
  });
});

describe("clang's overloadable functions", () => {
  test('are left out with the reason, every declaration of the name (clang tgmath.h); the others stay', () => {
    const x = extract(
      'static __inline__ float __attribute__((__overloadable__, __always_inline__)) __tg_sqrt(float __x) { return __x; }\n' +
        'static __inline__ double __attribute__((__overloadable__, __always_inline__)) __tg_sqrt(double __x) { return __x; }\n' +
        'double __attribute__((overloadable)) tg_pick(int);\ndouble __attribute__((overloadable)) tg_pick(double);\nint plain(int);\n',
    );
    const r = registryOf(x);
    expect([r.get('__tg_sqrt'), r.get('tg_pick'), r.get('plain')?.kind]).toEqual([undefined, undefined, 'function']);
    const overloaded = x.skipped.filter((s) => s.reason.includes("overloaded (clang's __attribute__((overloadable)))"));
    expect(overloaded.map((s) => s.name)).toEqual(['__tg_sqrt', '__tg_sqrt', 'tg_pick', 'tg_pick']);
  });
});

describe('CPU features a function is compiled for', () => {
  /** `extract` of a unit whose predefined macros (`cc -E -dD`'s `<built-in>` ones) are `defined`. */
  const built = (defined: readonly string[], header: string): HeaderExtract =>
    extractHeader(`# 1 "<built-in>"\n${defined.map((m) => `#define ${m} 1\n`).join('')}${OTHER}# 1 "h.h"\n${header}\n`, { own: (f) => f === 'h.h', only: null });
  const fn = (name: string) => `extern __inline int __attribute__((__gnu_inline__, __always_inline__)) ${name}(int a) { return a; }\n`;
  const pragmas =
    '#pragma GCC push_options\n#pragma GCC target("avx2")\n' + fn('in_avx2') +
    '#pragma GCC push_options\n#pragma GCC target ("bmi,lzcnt")\n' + fn('in_both') + '#pragma GCC pop_options\n' + fn('back_in_avx2') +
    '#pragma GCC pop_options\n' + fn('outside') +
    '#pragma GCC push_options\n#pragma GCC target("general-regs-only", "no-sse", "arch=haswell")\n' + fn('general') + '#pragma GCC pop_options\n' +
    '#pragma GCC push_options\n#pragma GCC target("newfeature99")\n' + fn('unknown') + '#pragma GCC pop_options\n' +
    '#pragma GCC push_options\n#pragma GCC target("avx2")\nint not_inline(int);\n#pragma GCC pop_options\n';
  const attributes =
    'static __inline__ int __attribute__((__always_inline__, __target__("avx512vl,avx512bw"))) two(int a) { return a; }\n' +
    'static __inline__ int __attribute__((__always_inline__, __target__("sse4.1"))) sse41(int a) { return a; }\n' +
    'static __inline__ int __attribute__((__always_inline__, __target__("amx-tile"))) amx(int a) { return a; }\n';
  const left = (x: HeaderExtract) => Object.fromEntries(x.skipped.filter((s) => s.reason.includes('CPU feature')).map((s) => [s.name, s.reason]));

  test("#pragma GCC target regions: push/pop nesting, comma lists require all, general-regs-only/no-/arch= and unknown names require nothing", () => {
    const x = built(['__x86_64__', '__SSE2__', '__BMI__'], pragmas);
    expect(left(x)).toEqual({
      in_avx2: expect.stringContaining("the CPU feature 'avx2' (its header's #pragma GCC target), which this build does not turn on; pass extraCompileArgs: ['-mavx2'] (or '-march=native')"),
      in_both: expect.stringContaining("the CPU features 'avx2' and 'lzcnt' (its header's #pragma GCC target)"),
      back_in_avx2: expect.stringContaining("'avx2'"),
    });
    expect(cdef(x)).toMatch(/int outside\(int a\);[\s\S]*int general\(int a\);[\s\S]*int unknown\(int a\);[\s\S]*int not_inline\(int\);/);
    expect(left(built(['__x86_64__', '__AVX2__', '__BMI__', '__LZCNT__'], pragmas))).toEqual({});
  });

  test('target attributes (clang), with the macros the rule and its exceptions give', () => {
    expect(Object.keys(left(built(['__x86_64__'], attributes)))).toEqual(['two', 'sse41', 'amx']);
    expect(left(built(['__x86_64__'], attributes)).two).toContain("the CPU features 'avx512vl' and 'avx512bw' (its header's target attribute)");
    expect(left(built(['__x86_64__', '__AVX512VL__', '__AVX512BW__', '__SSE4_1__', '__AMXTILE__'], attributes))).toEqual({});
    expect(Object.keys(left(built(['__x86_64__', '__AVX512VL__', '__SSE4_1__', '__AMX_TILE__'], attributes)))).toEqual(['two']);
  });

  test('off x86 the x86 names require nothing', () => {
    expect(left(built(['__aarch64__'], pragmas + attributes))).toEqual({});
  });
});

describe('filters', () => {
  test('only the names a filter accepts, the types they use, and the functions their macros call', () => {
    const x = extract(
      'int uses(FILE *f, off_t o);\nint skipped_fn(struct timeval *tv);\nint impl_(int a, int b);\n#define wrap(a) impl_((a), 0)\n#define OTHER_CONST 3',
      /^(uses|wrap)$/,
    );
    expect(cdef(x)).toBe(
      'typedef long __off_t;\ntypedef __off_t off_t;\n' +
        'int uses(FILE *f, off_t o);\nint impl_(int a, int b);\nint wrap(int);\n',
    );
    expect(x.skipped).toEqual([]);
  });
});
