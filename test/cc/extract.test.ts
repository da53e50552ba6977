// The declaration extractor on preprocessed text: what it declares, what it keeps private, what it leaves out and why.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Decl, readDeclarations } from '../../lib/cc/declarations';
import { Extracted, extractDeclarations } from '../../lib/cc/extract';
import { neededTypes } from '../../lib/cc/select';
import { userFileNames } from '../../lib/cc/preprocess';
import { parseCdef } from '../../lib/cparser/parser';
import { Registry } from '../../lib/ctype/registry';
import { StructType } from '../../lib/ctype/model';

/** Extracts from `user` (the source `u.c`), after optional header text `header` (from `h.h`). */
function extract(user: string, header = '', options: { externals?: boolean } = {}): Extracted {
  const text = `# 1 "h.h"\n${header}\n# 1 "u.c"\n${user}\n`;
  return extractDeclarations(text, { userFiles: ['u.c'], externals: options.externals ?? false });
}

/** All the cdef text, in one string. */
const cdef = (x: Extracted): string => x.cdefs.map((c) => c.source).join('');

/** The declarations as the parser sees them: every chunk must parse, in order. */
function registryOf(x: Extracted): Registry {
  const r = new Registry();
  for (const c of x.cdefs) parseCdef(c.source, r, c.pack ? { pack: c.pack } : {});
  return r;
}

const skippedNames = (x: Extracted): string[] => x.skipped.map((s) => s.name);

describe('functions', () => {
  test('a definition becomes its prototype; its body is gone', () => {
    const x = extract('int add(int a, int b) { int c = a + b; { return c; } }\ndouble half(double x) { return x / 2; }');
    expect(cdef(x)).toBe('int add(int a, int b);\ndouble half(double x);\n');
  });

  test('static functions are collected by name, also when only a prior declaration says static', () => {
    const x = extract('static int helper(int);\nint helper(int a) { return a; }\nstatic inline int sq(int x) { return x * x; }\nint pub(void) { return 1; }');
    expect(x.statics).toEqual({ helper: 'function', sq: 'function' });
    expect(cdef(x)).toBe('int pub(void);\n');
  });

  test('a prototype defined further down is declared once, at its definition', () => {
    const x = extract('int later(int);\nint use(void) { return later(1); }\nint later(int v) { return v; }');
    expect(cdef(x)).toBe('int use(void);\nint later(int v);\n');
  });

  test('a prototype without a definition is left out with a reason, unless other sources may define it', () => {
    const own = extract('int elsewhere(int);\nint here(void) { return 0; }');
    expect(cdef(own)).toBe('int here(void);\n');
    expect(own.skipped).toEqual([{ name: 'elsewhere', where: 'u.c:1', reason: expect.stringMatching(/declared but not defined.*options\.sources/) }]);
    const ext = extract('int elsewhere(int);\nint here(void) { return 0; }', '', { externals: true });
    expect(cdef(ext)).toBe('int elsewhere(int);\nint here(void);\n');
  });

  test('a function returning a function pointer keeps its declarator', () => {
    const x = extract('int add(int a, int b) { return a + b; }\nint (*pick(int w))(int, int) { return add; }');
    const r = registryOf(x);
    expect(r.get('pick')?.type.cname).toBe('int(*(int))(int, int)');
  });

  test("functions passing 'long double' are declared: verify()'s wrappers pass it by address", () => {
    const x = extract('long double ld(long double x) { return x; }\nint ok(void) { return 0; }');
    expect(cdef(x)).toBe('long double ld(long double x);\nint ok(void);\n');
    expect(x.skipped).toEqual([]);
  });

  test('variadic definitions are declared with their ellipsis', () => {
    expect(cdef(extract('int sum(int n, ...) { return n; }'))).toBe('int sum(int n, ...);\n');
  });
});

describe('globals', () => {
  test('initialisers are dropped; open arrays take their length from them', () => {
    const x = extract(
      'int counter = 3;\nint xs[] = {1, 2, (3), 4,};\nchar msg[] = "hi\\n" "there";\nconst char *names[] = { "a", "b" };\n' +
        'int sparse[] = { [4] = 1 };\nint grid[][2] = { {1, 2}, {3, 4}, {5, 6} };\nstruct pt { int x, y; } origin = { 0, 0 }, *cursor;',
    );
    expect(cdef(x)).toBe(
      'extern int counter;\nextern int xs[4];\nextern char msg[9];\nextern const char *names[2];\nextern int sparse[];\nextern int grid[3][2];\nextern struct pt { int x, y; } origin, *cursor;\n',
    );
    registryOf(x);
  });

  test('static globals are private; static const integers become constants the compiler supplies', () => {
    const x = extract('static int hidden = 1;\nstatic const int LIMIT = 42;\nstatic const double RATIO = 0.5;\nconst int VISIBLE = 7;');
    expect(x.statics).toEqual({ hidden: 'variable', RATIO: 'variable' });
    expect(cdef(x)).toBe('static const int LIMIT;\nextern const int VISIBLE;\n');
    const r = registryOf(x);
    expect(r.get('LIMIT')).toMatchObject({ kind: 'constant', value: undefined });
    expect(r.get('VISIBLE')).toMatchObject({ kind: 'constant', value: undefined }); // a const global is a constant, as in CFFI
  });

  test('extern declarations wait for their definition; thread-local variables are left out', () => {
    const x = extract('extern int shared;\nint shared = 2;\n_Thread_local int per_thread;\n__thread int per_thread2;');
    expect(cdef(x)).toBe('extern int shared;\n');
    expect(skippedNames(x)).toEqual(['per_thread', 'per_thread2']);
  });
});

describe('types', () => {
  test('structs, unions, enums and typedefs of the source are declared as written', () => {
    const src =
      'typedef struct { int x; double y; } pt;\nstruct node { struct node *next; int v : 4; unsigned : 0; char name[8]; };\n' +
      'union num { int i; float f; };\nenum color { RED, GREEN = 5, BLUE };\ntypedef enum color color_t;\nstruct fwd;';
    const x = extract(src);
    expect(cdef(x)).toBe(`${src.split('\n').join('\n')}\n`);
    const r = registryOf(x);
    expect((r.tag('struct', 'node') as StructType).size).toBe(24);
    expect(r.get('GREEN')).toMatchObject({ kind: 'constant', value: 5 });
  });

  test('__attribute__((packed)) on a struct gives it pack 1; #pragma pack gives its value until popped', () => {
    const text =
      '# 1 "u.c"\nstruct __attribute__((packed)) a { char c; int i; };\nstruct b { char c; int i; } __attribute__((__packed__));\n' +
      '#pragma pack(push, 2)\nstruct c { char c; int i; };\n#pragma pack(pop)\nstruct d { char c; int i; };\n';
    const x = extractDeclarations(text, { userFiles: ['u.c'], externals: false });
    expect(x.cdefs).toEqual([
      { source: 'struct a { char c; int i; };\nstruct b { char c; int i; };\n', pack: 1 },
      { source: 'struct c { char c; int i; };\n', pack: 2 },
      { source: 'struct d { char c; int i; };\n', pack: 0 },
    ]);
    const r = registryOf(x);
    expect(['a', 'b', 'c', 'd'].map((t) => (r.tag('struct', t) as StructType).size)).toEqual([5, 5, 6, 8]);
  });

  test('packed on a struct packs it alone (as GCC): one defining structs inside, or holding a packed one, is left out; #pragma pack packs all', () => {
    const text =
      '# 1 "u.c"\nstruct outer { char c; struct inner { int a; char b; } in; } __attribute__((packed));\n' +
      'struct holder { char c; long l; union { short x; short y; } __attribute__((packed)); short z; };\n' +
      '#pragma pack(push, 1)\nstruct all { char c; struct in2 { int a; char b; } in; } __attribute__((packed));\n#pragma pack(pop)\n' +
      'struct flat { char c; int i; } __attribute__((packed));\n';
    const x = extractDeclarations(text, { userFiles: ['u.c'], externals: false });
    const nested = 'it is packed and defines structs or unions inside it, which GCC does not pack, and cdef cannot express (its packing applies to a whole declaration)';
    expect(x.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['struct outer', nested],
      ['struct inner', nested],
      ['struct holder', 'a struct or union inside it is packed and the one holding it is not, which cdef cannot express (its packing applies to a whole declaration)'],
    ]);
    const r = registryOf(x);
    // As GCC lays them out: #pragma pack(1) packs the inner struct too.
    expect(['all', 'in2', 'flat'].map((t) => (r.tag('struct', t) as StructType).size)).toEqual([6, 5, 5]);
  });

  test('layouts cdef cannot express (aligned members, vector types) are left out, and what uses them too', () => {
    const x = extract('struct al { char c; int i __attribute__((aligned(8))); };\ntypedef struct al al_t;\nal_t make(void) { al_t a = {0}; return a; }\nint ok(void) { return 1; }');
    expect(x.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['struct al', 'it uses __attribute__((aligned)) or _Alignas, which cdef cannot express'],
      ['make', "it passes 'struct al' by value, but that type's definition was left out or is not in the source"],
    ]);
    // Pointers to it remain possible: the typedef names an opaque struct.
    expect(cdef(x)).toBe('typedef struct al al_t;\nint ok(void);\n');
  });
});

describe('GNU noise', () => {
  test('attributes, __extension__, asm labels, inline words and GNU spellings are dropped or mapped', () => {
    const x = extract(
      '__extension__ typedef long long ll;\n' +
        'extern int f (int __x) __attribute__ ((__nothrow__ , __leaf__)) __asm__ ("" "f64");\n' +
        'int f(int x) { return x; }\n' +
        '__attribute__((visibility("default"))) __inline__ int g(char *__restrict s, const __signed__ char c) { return c; }\n' +
        'int __attribute__((noinline)) h(void) { __asm__ volatile ("" ::: "memory"); return 0; }',
    );
    expect(cdef(x)).toBe('typedef long long ll;\nint f(int x);\nint g(char *restrict s, const signed char c);\nint h(void);\n');
    registryOf(x);
  });

  test('a stray block (a K&R definition) does not swallow the declarations after it', () => {
    const x = extract('int old(a) int a; { return a; }\nint fine(void) { return 0; }');
    expect(cdef(x)).toContain('int fine(void);\n');
  });
});

describe('#define', () => {
  test('integer macros are declared, expanded through the macros they use; others are listed as skipped', () => {
    const text =
      '# 1 "h.h"\n#define HDR_BASE 100\n#define TWICE(x) ((x) * 2)\n# 1 "u.c"\n#define N 10\n#define M (N * 2 + HDR_BASE)\n' +
      '#define STR "x"\n#define PI 3.14\n#define SQ(x) ((x) * (x))\n#define USES_FN TWICE(3)\n#define GUARD_H\n#define GONE 1\n#undef GONE\n' +
      '#define MASK (1u << 4)\nint x;\n';
    const x = extractDeclarations(text, { userFiles: ['u.c'], externals: false });
    expect(cdef(x)).toBe('#define N 10\n#define M (10 * 2 + 100)\n#define USES_FN ((3) * 2)\n#define MASK (1u << 4)\nextern int x;\n');
    const reasons = Object.fromEntries(x.skipped.map((s) => [s.name, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['GUARD_H', 'PI', 'SQ', 'STR']);
    expect(reasons.STR).toMatch(/string value/);
    expect(reasons.PI).toMatch(/floating-point/);
    expect(reasons.SQ).toMatch(/function-like/);
    expect(reasons.GUARD_H).toMatch(/no value/);
    expect(registryOf(x).get('M')).toMatchObject({ kind: 'constant', value: 120 });
    expect(registryOf(x).get('USES_FN')).toMatchObject({ kind: 'constant', value: 6 });
  });

  test('a macro comes before the declarations after it, so they may use it', () => {
    const x = extract('#define LEN 4\nint buf[LEN];');
    expect(cdef(x)).toBe('#define LEN 4\nextern int buf[LEN];\n');
    registryOf(x);
  });
});

describe('header types', () => {
  const header =
    'typedef unsigned long size_t;\ntypedef struct _IO_FILE FILE;\nstruct _IO_FILE { int _flags; char *_IO_read_ptr; };\n' +
    'typedef long __time_t;\ntypedef __time_t time_t;\nstruct tm { int tm_sec; time_t stamp; };\n' +
    'typedef struct { int quot; int rem; } div_t;\ntypedef __builtin_va_list va_list;\nextern int printf (const char *__restrict __format, ...);\n' +
    'extern FILE *stdout;\ntypedef struct { unsigned char bytes[16]; } unused_t;';

  test('types used behind pointers stay opaque; types used by value come with their definitions, transitively', () => {
    const x = extract('size_t len(const char *s, FILE *f) { return 0; }\ndiv_t dv(int a) { div_t d = {a, 0}; return d; }\nvoid stamp(struct tm t) {}', header);
    // FILE is built into cdef (opaque, as in CFFI): the header's typedef of it is not needed.
    expect(cdef(x)).toBe(
      'typedef long __time_t;\ntypedef __time_t time_t;\nstruct tm { int tm_sec; time_t stamp; };\n' +
        'typedef struct { int quot; int rem; } div_t;\nsize_t len(const char *s, FILE *f);\ndiv_t dv(int a);\nvoid stamp(struct tm t);\n',
    );
    const len = registryOf(x).get('len');
    const file = len?.kind === 'function' && len.type.args[1].kind === 'pointer' ? (len.type.args[1].item as StructType) : null;
    expect([file?.cname, file?.complete]).toEqual(['FILE', false]);
    expect(registryOf(x).tag('struct', '_IO_FILE')).toBeUndefined();
  });

  test("a header type the parser cannot take leaves out only what uses it, saying why", () => {
    const x = extract('int vfmt(const char *f, va_list ap) { return 0; }\nint fine(void) { return 0; }', header);
    expect(cdef(x)).toBe('int fine(void);\n');
    expect(x.skipped).toHaveLength(1);
    expect(x.skipped[0]).toMatchObject({ name: 'vfmt', where: 'u.c:1' });
    expect(x.skipped[0].reason).toMatch(/unknown type name 'va_list'.*header.*__builtin_va_list/);
  });

  test('header functions and variables are never declared', () => {
    expect(cdef(extract('int main(void) { printf("x"); return 0; }', header))).toBe('int main(void);\n');
  });
});

describe('reading a source without the preprocessor', () => {
  test('comments are skipped and lines still count', () => {
    const text = '# 1 "u.c"\n/* a\n   comment */ int a(void) { return 0; } // trailing\nint b(void) { return 1; /* } */ }\nint c[] = { 1 /* , 2 */ };\nextern int nope(void);\n';
    const x = extractDeclarations(text, { userFiles: ['u.c'], externals: false });
    expect(cdef(x)).toBe('int a(void);\nint b(void);\nextern int c[1];\n');
    expect(x.skipped).toEqual([expect.objectContaining({ name: 'nope', where: 'u.c:5' })]);
  });

  test('#line names in the source are the user\'s files too', () => {
    expect(userFileNames('int a;\n#line 1 "<c 1>"\nint b;\n  # line 7 "dir/x\\"y.c"\n', 'main.c')).toEqual(['main.c', '<c 1>', 'dir/x"y.c']);
  });
});

describe('real headers through gcc -E', () => {
  test('a source using stdio, stdlib, string, math, stdint and stdbool types: every cdef chunk parses', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-extract-'));
    const file = path.join(dir, 'real.c');
    fs.writeFileSync(
      file,
      '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <math.h>\n#include <stdint.h>\n#include <stdbool.h>\n' +
        'size_t count(FILE *f, const char *s) { return strlen(s); }\nuint8_t low(uint64_t v) { return (uint8_t)v; }\n' +
        'bool even(int v) { return v % 2 == 0; }\ndiv_t split(int a, int b) { return div(a, b); }\nldiv_t lsplit(long a) { return ldiv(a, 2); }\n' +
        'double hyp(double a, double b) { return sqrt(a * a + b * b); }\n#define LIMIT 10\n',
    );
    const r = spawnSync('cc', ['-E', '-dD', file], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const x = extractDeclarations(r.stdout, { userFiles: [file], externals: false });
    expect(x.skipped).toEqual([]);
    const reg = registryOf(x);
    for (const name of ['count', 'low', 'even', 'split', 'lsplit', 'hyp', 'LIMIT']) expect(reg.get(name)).toBeDefined();
    expect(reg.get('printf')).toBeUndefined();
    expect(x.files.some((f) => f.endsWith('/stdio.h'))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('a whole header as the user\'s', () => {
  // zlib.h stands for the headers a whole-header binding reads: GNU C through glibc's headers included.
  const installed = ['/usr/include/zlib.h', '/usr/local/include/zlib.h'].some((f) => fs.existsSync(f));
  const title = 'every declaration and integer macro of zlib.h is declared; what is left out says why';
  let output = '';
  let header = '';
  beforeAll(() => {
    if (!installed) return;
    const r = spawnSync('cc', ['-E', '-dD', '-x', 'c', '-'], { input: '#include <zlib.h>\n', encoding: 'utf8' });
    expect(r.status).toBe(0);
    output = r.stdout;
    header = (/^# \d+ "([^"]*\/zlib\.h)"/m.exec(output) as RegExpExecArray)[1];
  });
  (installed ? test : test.skip)(installed ? title : `${title} (skipped: zlib.h is not installed; Debian: zlib1g-dev)`, () => {
    const x = extractDeclarations(output, { userFiles: [header], externals: true });
    const r = registryOf(x);
    for (const name of ['deflate', 'inflate', 'deflateInit_', 'crc32', 'adler32', 'zlibVersion', 'gzopen', 'gzclose']) {
      expect(r.get(name)?.kind).toBe('function');
    }
    expect((r.tag('struct', 'z_stream_s') as StructType).complete).toBe(true);
    expect(r.get('z_stream')?.kind).toBe('typedef');
    // The values zlib.h documents.
    expect([r.get('Z_OK'), r.get('Z_STREAM_END'), r.get('Z_DEFLATED'), r.get('Z_BEST_COMPRESSION')]).toEqual([
      expect.objectContaining({ kind: 'constant', value: 0 }),
      expect.objectContaining({ kind: 'constant', value: 1 }),
      expect.objectContaining({ kind: 'constant', value: 8 }),
      expect.objectContaining({ kind: 'constant', value: 9 }),
    ]);
    const reasons = Object.fromEntries(x.skipped.map((s) => [s.name, s.reason]));
    expect(reasons.deflateInit).toMatch(/function-like macro/);
    expect(reasons.ZLIB_VERSION).toMatch(/string value/);
    expect(reasons.gzvprintf).toMatch(/unknown type name 'va_list'.*left out/);
    for (const s of x.skipped) expect(s.where.startsWith(`${header}:`)).toBe(true);
  });
});

describe('static const', () => {
  test("a static const is a constant when the parser finds its type an integer, through the source's and the headers' typedefs", () => {
    const x = extract(
      'typedef long my_long;\nstatic const my_long A = 1;\nstatic const mode_t B = 2;\nenum e { E0 };\nstatic const enum e C = E0;\nstatic const float D = 1;',
      'typedef unsigned int __mode_t;\ntypedef __mode_t mode_t;',
    );
    expect(x.statics).toEqual({ D: 'variable' });
    const r = registryOf(x);
    for (const name of ['A', 'B', 'C']) expect(r.get(name)).toMatchObject({ kind: 'constant', value: undefined });
    expect(cdef(x)).toContain('typedef __mode_t mode_t;\n');
  });
});

describe('the declaration table', () => {
  const header =
    '# 1 "/inc/h.h"\ntypedef unsigned long size_t;\ntypedef struct node node_t;\nstruct node { node_t *next; struct leaf *leaf; struct val v; };\n' +
    'extern int h_count;\nint h_walk(node_t *n, size_t limit);\nstruct al { int i __attribute__((aligned(8))); };\n#define H_MAX 10\n';
  const source = '# 1 "u.c"\nnode_t *first(node_t n) { return n.next; }\nstruct pt { int x; } origin, *cursor;\n';
  const table = readDeclarations(header + source);
  const all = Array.from({ length: table.length }, (_, i) => table.decl(i));
  const byName = (name: string): Decl => all.find((d) => d.names.includes(name)) as Decl;

  test('holds every declaration of every file with its kind, names and origin', () => {
    expect(all.map((d) => [d.kind, d.names, d.where])).toEqual([
      ['typedef', ['size_t'], '/inc/h.h:1'],
      ['typedef', ['node_t'], '/inc/h.h:2'],
      ['tag', ['struct node'], '/inc/h.h:3'],
      ['variable', ['h_count'], '/inc/h.h:4'],
      ['function', ['h_walk'], '/inc/h.h:5'],
      ['tag', ['struct al'], '/inc/h.h:6'],
      ['function', ['first'], 'u.c:1'],
      ['variable', ['origin', 'cursor', 'struct pt'], 'u.c:2'],
    ]);
    expect(table.files[byName('first').file]).toBe('u.c');
    expect(table.macros.get('H_MAX')).toMatchObject({ body: '10', line: 7, file: byName('h_walk').file });
  });

  test('knows what each declaration refers to, and how', () => {
    expect(byName('struct node').refs).toEqual([
      { kind: 'typedef', name: 'node_t', mode: 'ptr' },
      { kind: 'struct', name: 'leaf', mode: 'ptr' },
      { kind: 'struct', name: 'val', mode: 'value' },
    ]);
    expect(byName('node_t').refs).toEqual([{ kind: 'struct', name: 'node', mode: 'inherit' }]);
    expect(byName('h_walk').refs).toEqual([
      { kind: 'typedef', name: 'node_t', mode: 'ptr' },
      { kind: 'typedef', name: 'size_t', mode: 'value' },
    ]);
    expect(table.typedefDecl('node_t')).toBe(byName('node_t'));
    expect(table.tagDecl('struct node')).toBe(byName('struct node'));
    expect(table.tagDecl('struct leaf')).toBeUndefined();
  });

  test('says why a declaration cannot be declared', () => {
    expect(byName('struct al').problem).toBe('it uses __attribute__((aligned)) or _Alignas, which cdef cannot express');
    expect(all.filter((d) => d.problem !== null)).toHaveLength(1);
  });

  test('finds the header types a declaration needs: typedefs always, definitions where used by value', () => {
    const own = (file: number) => table.files[file] === 'u.c';
    const needed = neededTypes(table, [byName('first')], own);
    const names = [...needed].map(([i, mode]) => `${table.decl(i).names.join()}:${mode}`);
    // 'node_t n' by value needs the struct's body; size_t (built into cdef) is not asked for.
    expect(names.sort()).toEqual(['node_t:value', 'struct node:value']);
    // Behind a pointer, the typedef is enough; the roots' own files are never asked for.
    expect([...neededTypes(table, [byName('h_walk')], () => false)].map(([i, mode]) => `${table.decl(i).names}:${mode}`)).toEqual(['node_t:ptr']);
    expect(neededTypes(table, [byName('h_walk')], () => true).size).toBe(0);
  });
});
