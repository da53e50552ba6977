// The glue's function table: a cdef function needing no lowering is reached through it, as the function itself where the source gives it the cdef's very type and through its wrapper otherwise (a macro, other types), with gcc, clang and tcc; the compiler keeps only the wrappers the table uses.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, FFIError } from '../../lib';
import { FUNCTION_TABLE, generateGlue } from '../../lib/codegen/glue';
import { parseCdef } from '../../lib/cparser/parser';
import { Registry } from '../../lib/ctype/registry';
import { bakeModule } from '../../lib/aot/data';

/** Whether `name` runs (`-v` answers for gcc, clang, tcc and nm). */
const runs = (name: string): boolean => spawnSync(name, ['-v'], { encoding: 'utf8' }).error === undefined;
const COMPILERS = ['gcc', 'clang', 'tcc'].map((cc) => ({ cc, present: runs(cc) }));

function declsOf(cdef: string) {
  const r = new Registry();
  parseCdef(cdef, r);
  return [...r.values()];
}

const CDEF = `
  typedef void (*fp)(void);
  struct big { int a[4]; };
  int same(int a, int b);
  long widened(long a);
  int hidden_fn(int a);
  int twice(int x);
  int first(struct big b);
  int sum(int n, ...);
  fp addr_same(void);
  fp addr_widened(void);
  fp addr_hidden(void);
`;

const SOURCE = `
#include <stdarg.h>
typedef void (*fp)(void);
struct big { int a[4]; };
int same(int a, int b) { return a + b; }
int widened(int a) { return a * 2; }
static int hidden_fn(int a) { return a - 1; }
#define twice(x) ((x) * 2)
int first(struct big b) { return b.a[0]; }
int sum(int n, ...) { va_list ap; int s = 0; va_start(ap, n); while (n-- > 0) s += va_arg(ap, int); va_end(ap); return s; }
fp addr_same(void) { return (fp)same; }
fp addr_widened(void) { return (fp)widened; }
fp addr_hidden(void) { return (fp)hidden_fn; }
`;

describe('the bindings generateGlue gives', () => {
  const glue = generateGlue(declsOf(CDEF), SOURCE, 'source.c');

  test('a function of plain arguments is an entry of the function table, in the order of the cdef', () => {
    expect(['same', 'widened', 'hidden_fn', 'twice'].map((n) => glue.functions.get(n))).toEqual([
      { symbol: FUNCTION_TABLE, entry: 0, lowered: null },
      { symbol: FUNCTION_TABLE, entry: 1, lowered: null },
      { symbol: FUNCTION_TABLE, entry: 2, lowered: null },
      { symbol: FUNCTION_TABLE, entry: 3, lowered: null },
    ]);
    expect(glue.unit).toContain(`_NCFFI_EXPORT _ncffi_fnptr const ${FUNCTION_TABLE}[8] = {`);
  });

  test('a function passing a struct by value keeps its exported wrapper; a variadic one is an entry that is the function itself (a static one has no symbol)', () => {
    expect(glue.functions.get('first')).toMatchObject({ symbol: '_ncffi_f_first', entry: null });
    expect(glue.functions.get('first')?.lowered?.cname).toBe('int(struct big *)');
    expect(glue.functions.get('sum')).toEqual({ symbol: FUNCTION_TABLE, entry: 4, lowered: null });
    expect(glue.unit).toContain('#ifdef sum\n  (_ncffi_fnptr)sum,\n#else\n  _NCFFI_ENTRY(sum, int(int, ...), sum),\n#endif');
    expect(glue.unit).toMatch(/^_NCFFI_EXPORT int _ncffi_f_first\(struct big \* _ncffi_a0\)/m);
  });

  test('the wrappers of table entries are static, and a macro is always reached through its wrapper', () => {
    expect(glue.unit).toMatch(/^_NCFFI_UNUSED static int _ncffi_f_same\(int _ncffi_a0, int _ncffi_a1\) \{ return same\(_ncffi_a0, _ncffi_a1\); \}/m);
    expect(glue.unit).toContain(
      '#ifdef twice\n  (_ncffi_fnptr)_ncffi_f_twice,\n#elif _NCFFI_ADDRESSLESS(twice)\n  (_ncffi_fnptr)_ncffi_f_twice,\n#else\n  _NCFFI_ENTRY(twice, int(int), _ncffi_f_twice),\n#endif',
    );
  });

  test('a cdef without such functions has no table', () => {
    const only = generateGlue(declsOf('struct big { int a[4]; }; int first(struct big b);'), '', 'source.c');
    expect(only.unit).not.toContain(FUNCTION_TABLE);
    expect(only.unit).not.toContain('_NCFFI_ENTRY');
  });
});

describe.each(COMPILERS)('a library built by $cc', ({ cc, present }) => {
  const run = present ? test : test.skip;
  if (!present) test(`skipped: ${cc} is not installed`, () => undefined);
  let dir = '';
  let ffi: FFI;
  let lib: {
    same(a: number, b: number): number; widened(a: number): number; hidden_fn(a: number): number; twice(a: number): number;
    first(b: { a: number[] }): number; sum(n: number, ...rest: [string, number][]): number; addr_same(): unknown; addr_widened(): unknown; addr_hidden(): unknown;
  };

  beforeAll(() => {
    if (!present) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-table-'));
    ffi = new FFI();
    ffi.cdef(CDEF);
    lib = ffi.verify(SOURCE, { compiler: cc, tmpdir: dir, moduleName: 'table' });
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const address = (p: unknown): number => ffi.cast('uintptr_t', p) as number;

  run('every function is called with the cdef types, converted where the source declares others', () => {
    expect([lib.same(2, 3), lib.widened(21), lib.hidden_fn(43), lib.twice(21), lib.first({ a: [7, 0, 0, 0] }), lib.sum(2, ['int', 40], ['int', 2])])
      .toEqual([5, 42, 42, 42, 7, 42]);
  });

  run("a function the source gives the cdef's very type is reached at its own address, even a static one", () => {
    expect(address(ffi.addressof(lib, 'same'))).toBe(address(lib.addr_same()));
    expect(address(ffi.addressof(lib, 'hidden_fn'))).toBe(address(lib.addr_hidden()));
  });

  run('a function whose source type differs is reached through its wrapper, which converts', () => {
    const p = ffi.addressof(lib, 'widened');
    expect(address(p)).not.toBe(address(lib.addr_widened()));
    expect(address(p)).not.toBe(0);
    expect((p as unknown as (a: number) => number)(21)).toBe(42);
  });

  run("a C99 inline definition (no external one of its own) is given one by the glue's extern declaration, so the library loads", () => {
    const own = new FFI();
    own.cdef('int bumped(int x); int (*addr_bumped(void))(int);');
    const l = own.verify('inline int bumped(int x) { return x + 1; }\nint (*addr_bumped(void))(int) { return bumped; }\n', { compiler: cc, tmpdir: dir, moduleName: 'inline' });
    expect(l.bumped(41)).toBe(42);
    expect(own.cast('uintptr_t', own.addressof(l, 'bumped'))).toBe(own.cast('uintptr_t', l.addr_bumped()));
  });

  // clang builds _mm_pause and _mm_mfence in without an address ("builtin functions must be directly
  // called"); gcc's are GNU extern inline functions, with no symbol of their own. memcpy is built in
  // too, but has an address, which the table keeps.
  if (cc !== 'tcc' && process.arch === 'x64') run("an intrinsic the compiler builds in is reached through its wrapper, a library builtin at its own address", () => {
    const own = new FFI();
    own.cdef('void _mm_pause(void); void _mm_mfence(void); void *memcpy(void *, const void *, size_t); void *(*addr_memcpy(void))(void *, const void *, size_t);');
    const l = own.verify('#include <emmintrin.h>\n#include <string.h>\nvoid *(*addr_memcpy(void))(void *, const void *, size_t) { return memcpy; }\n', { compiler: cc, tmpdir: dir, moduleName: 'intrinsics' });
    l._mm_pause();
    l._mm_mfence();
    const to = own.new('char[4]');
    l.memcpy(to, own.new('char[]', 'abc'), 4);
    expect(own.string(to)).toBe('abc');
    expect(own.cast('uintptr_t', own.addressof(l, 'memcpy'))).toBe(own.cast('uintptr_t', l.addr_memcpy()));
  });

  // clang builds strerror and memccpy in too, with an address but no __builtin_ twin; glibc's stdlib.h
  // defines atoi GNU extern inline when optimising: the C library has their symbols, which the table takes.
  // (tcc's table holds the library's PLT entry, as for memcpy above.)
  if (cc !== 'tcc') run('a C library function the compiler builds in without a __builtin_ twin, or inlines, is reached at its own address', () => {
    const own = new FFI();
    const names = ['strerror', 'memccpy', 'atoi'];
    own.cdef(`char *strerror(int); void *memccpy(void *, const void *, int, size_t); int atoi(const char *);\ntypedef void (*fp)(void);\n${names.map((n) => `fp addr_${n}(void);`).join(' ')}`);
    const source = `#include <stdlib.h>\n#include <string.h>\ntypedef void (*fp)(void);\n${names.map((n) => `fp addr_${n}(void) { return (fp)${n}; }`).join('\n')}\n`;
    const l = own.verify(source, { compiler: cc, tmpdir: dir, moduleName: 'libbuiltins', extraCompileArgs: ['-O2'] });
    expect(l.atoi('42')).toBe(42);
    for (const n of names) expect([n, own.cast('uintptr_t', own.addressof(l, n))]).toEqual([n, own.cast('uintptr_t', l[`addr_${n}`]())]);
  });

  // tcc compiles every function it reads (the table then holds the same addresses): there is nothing to count.
  if (cc === 'tcc') return;
  const withNm = runs('nm') ? run : (name: string, fn: () => void) => test.skip(`${name} (skipped: nm is not installed)`, fn);
  withNm('only the wrappers the table uses are in the library', () => {
    const built = fs.readdirSync(dir).filter((f) => f.startsWith('table-') && f.endsWith('.so'));
    expect(built).toHaveLength(1);
    const r = spawnSync('nm', [path.join(dir, built[0])], { encoding: 'utf8' });
    const wrappers = r.stdout.split('\n').map((l) => /\b(_ncffi_f_\w+)$/.exec(l)?.[1]).filter((s) => s !== undefined).sort();
    expect(wrappers).toEqual(['_ncffi_f_first', '_ncffi_f_twice', '_ncffi_f_widened']);
  });
});

describe('a module from ffi.compile()', () => {
  let work = '';
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-table-module-'));
  });
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('calls through the function table, whose entries its data keeps', () => {
    const ffi = new FFI();
    ffi.cdef('int f(int); long g(long);');
    ffi.setSource('tbl', 'int f(int a) { return a + 1; }\nint g(int a) { return a + 2; }');
    const dir = ffi.compile({ tmpdir: work });
    const text = /^const \$module = (.*?);\n\nconst \$loaded/ms.exec(fs.readFileSync(path.join(dir, 'tbl.js'), 'utf8'))?.[1];
    const data = new Function(`return ${text};`)() as { functions: unknown; entries: unknown };
    expect([data.functions, data.entries]).toEqual([{ f: FUNCTION_TABLE, g: FUNCTION_TABLE }, { f: 0, g: 1 }]);
    const { lib } = FFI.loadModule<{ f(a: number): number; g(a: number): number }>(dir, data);
    expect([lib.f(41), lib.g(40)]).toEqual([42, 42]);
  });

  test('data with a damaged function table entry is refused', () => {
    const data = bakeModule('tbl', 'tbl.so', declsOf('int f(int);'), new Map([['f', { symbol: FUNCTION_TABLE, entry: -1 }]]), new Map());
    expect(() => FFI.loadModule(work, data)).toThrow(
      new FFIError("module 'tbl': the function table entry of 'f' is -1, not an index; rebuild it with ffi.compile()"),
    );
  });
});
