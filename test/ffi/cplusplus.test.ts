// C++ sources (CFFI's source_extension='.cpp'): verify() and compile() build a source named as C++, glue and all, as C++, and reach its functions, globals, constants and extern "Python" functions by their C names.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, VerificationError, cc } from '../../lib';
import { CC, ccFamily, testIfInstalled } from '../helpers/compiler';
import { expectThrow } from '../helpers/throws';
import { ensureBuilt, withPackageLinked } from '../cli/binary';

/** Why the C compiler cannot build C++ here (no cc1plus: Debian's g++ package), or null. */
const noCxx = ((): string | null => {
  if (ccFamily() === 'tcc') return 'the compiler is tcc, which compiles C only';
  const r = spawnSync(CC, ['-x', 'c++', '-fsyntax-only', '-'], { input: 'int main() { return 0; }\n' });
  return r.status === 0 ? null : `${CC} cannot compile C++ (install g++ or clang)`;
})();
if (noCxx) console.warn(`the C++ tests skipped: ${noCxx}`);
const cxxTest = noCxx ? test.skip : test;

let work: string;
beforeAll(() => {
  ensureBuilt();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-cxx-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const CDEF = `
struct pt { int x; int y; ...; };
typedef int (*binop)(int, int);
int add(int, int);
double norm(struct pt *p);
struct pt shifted(struct pt p, int by);
int apply(binop f, int a, int b);
int sum_all(int n, ...);
enum color { RED, GREEN, ... };
#define K ...
extern int counter;
const char *greeting(void);
extern "Python" int from_js(int);
int call_js(int);
size_t vec_size(int n);
bool is_even(int);
int *restrict first(int *restrict p);
`;

/** C++ with C++ linkage: templates, a class, overloads, the standard library, exceptions caught inside. */
const SOURCE = `
#include <cmath>
#include <cstdarg>
#include <string>
#include <vector>
#include <stdexcept>
struct pt { int y; int x; };
enum color { BLUE = -1, RED = 10, GREEN = 20 };
static const int K = 3;
int counter = 7;
template <typename T> T twice(T v) { return v + v; }
class Adder { public: explicit Adder(int base) : base_(base) {} int operator()(int v) const { return base_ + v; } private: int base_; };
int add(int a, int b) { return Adder(twice(a) - a)(b); }
int add(int a, int b, int c) { return a + b + c; } // an overload the cdef does not name
double norm(pt *p) { return std::sqrt(double(p->x * p->x + p->y * p->y)); }
pt shifted(pt p, int by) { p.x += by; p.y += by; return p; }
int apply(int (*f)(int, int), int a, int b) { return f(a, b); }
int sum_all(int n, ...) { va_list ap; va_start(ap, n); int s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, int); va_end(ap); return s; }
static std::string g = std::string("hello ") + "world";
const char *greeting(void) { return g.c_str(); }
static int from_js(int);
int call_js(int v) { try { if (v < 0) throw std::runtime_error("negative"); return from_js(v) + 1; } catch (const std::exception &) { return -1; } }
size_t vec_size(int n) { std::vector<int> v(static_cast<size_t>(n), 1); return v.size(); }
bool is_even(int v) { return v % 2 == 0; }
int *first(int *p) { return p; }
`;

/** Everything the library does, as plain data. */
function exercise(ffi: FFI, lib: Record<string, any>): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
  const p = ffi.new('struct pt *', { x: 3, y: 4 });
  const s = lib.shifted(p[0], 1);
  const a = ffi.new('int[2]', [5, 6]);
  return {
    add: lib.add(2, 3), norm: lib.norm(p), shifted: [s.x, s.y], apply: lib.apply(ffi.callback('binop', (x: number, y: number) => x * y), 6, 7),
    sum: lib.sum_all(3, ['int', 1], ['int', 2], ['int', 3]), enums: [lib.RED, lib.GREEN], K: lib.K, counter: lib.counter,
    greeting: ffi.string(lib.greeting()), js: [lib.call_js(2), lib.call_js(-1)], vec: lib.vec_size(1000), even: [lib.is_even(4), lib.is_even(5)],
    first: lib.first(a)[1], y: ffi.offsetof('struct pt', 'y'),
  };
}

const EXPECTED = {
  add: 5, norm: 5, shifted: [4, 5], apply: 42, sum: 6, enums: [10, 20], K: 3, counter: 7, greeting: 'hello world', js: [201, -1], vec: 1000, even: [true, false], first: 6, y: 0,
};

cxxTest("verify() with sourceExtension '.cpp' builds C++: functions of C++ linkage, by-value structs, callbacks, variadics, globals, constants, extern \"Python\"", () => {
  const ffi = new FFI();
  ffi.cdef(CDEF);
  const lib = ffi.verify(SOURCE, { sourceExtension: '.cpp', tmpdir: path.join(work, 'cache') });
  ffi.defExtern('from_js', (x: number) => x * 100);
  expect(exercise(ffi, lib)).toEqual(EXPECTED);
  // The same as a C++ file name.
  const named = new FFI();
  named.cdef('int add(int, int);');
  expect(named.verify(SOURCE.replace('static int from_js(int);', '').replace(/int call_js[^\n]*\n/, ''), { filename: 'geometry.cc', tmpdir: path.join(work, 'cache') }).add(1, 1)).toBe(2);
});

cxxTest("a C++ compile error names the C++ file and line; the compiler's C-only flags are not passed", () => {
  const ffi = new FFI();
  ffi.cdef('int f(int);');
  const e = expectThrow(() => ffi.verify('int f(int x) {\n  std::nosuch<int> v;\n  return x;\n}', { filename: 'broken.cpp', tmpdir: path.join(work, 'cache') }), VerificationError, 'broken.cpp:2:');
  expect(e.message).not.toMatch(/not valid for C\+\+|-Werror=implicit/);
  // No warning from the build either (the glue's own pragmas and definitions are C++'s too).
  const warnings: string[] = [];
  const quiet = new FFI();
  quiet.cdef(CDEF);
  quiet.verify(`${SOURCE}/* again */`, { sourceExtension: '.cpp', tmpdir: path.join(work, 'cache'), onWarning: (w) => warnings.push(w.message) });
  expect(warnings).toEqual([]);
});

cxxTest('compile() builds a C++ module, which a program loads by its C names', () => {
  const ffi = new FFI();
  ffi.cdef(CDEF);
  ffi.setSource('_cxx', SOURCE, { sourceExtension: '.cpp', tmpdir: path.join(work, 'cache') });
  const dir = ffi.compile({ tmpdir: path.join(work, 'built') });
  expect(fs.readdirSync(dir).sort()).toEqual(['_cxx.d.ts', '_cxx.js', '_cxx.so', 'package.json']);
  expect(fs.readFileSync(path.join(dir, '_cxx.js'), 'utf8').split('\n')[0]).toContain('from _cxx.cpp');
  // A program requires the loader (node-cffi linked as a package): the symbols it looks up keep their C names.
  const user = path.join(work, 'user');
  withPackageLinked(user);
  fs.cpSync(dir, path.join(user, '_cxx'), { recursive: true });
  fs.writeFileSync(
    path.join(user, 'consumer.js'),
    "const { ffi, lib } = require('./_cxx/_cxx.js');\nffi.defExtern('from_js', (x) => x * 100);\n" +
      `console.log(JSON.stringify((${exercise.toString()})(ffi, lib)));\n`,
  );
  const r = spawnSync(process.execPath, ['consumer.js'], { cwd: user, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual(EXPECTED);
});

test('sourceExtension is a C or C++ extension', () => {
  const ffi = new FFI();
  for (const bad of ['cpp', '.java', '', 3]) {
    expectThrow(() => ffi.verify('', { sourceExtension: bad as string }), TypeError, "options.sourceExtension: expected '.c' or a C++ extension ('.cpp', '.cc', '.cxx'), got");
  }
});

testIfInstalled('tcc')('tcc is refused for a C++ source, naming it and what to use', () => {
  const ffi = new FFI();
  ffi.cdef('int f(void);');
  expectThrow(
    () => ffi.verify('int f(void) { return 1; }', { filename: 'x.cpp', compiler: 'tcc', tmpdir: path.join(work, 'cache') }),
    VerificationError,
    'verify(): x.cpp is C++, and tcc (tcc) compiles C only; name gcc or clang in options.compiler',
  );
});

test("cc() reads C: a C++ source is refused, saying what to do instead", () => {
  for (const options of [{ sourceExtension: '.cpp' }, { filename: 'x.cc' }]) {
    expectThrow(() => cc('int f(void) { return 1; }', options), TypeError, "cc(): reads the declarations of C sources, and '");
  }
  expectThrow(() => cc('', { filename: 'x.cxx' }), TypeError, "'x.cxx' names C++; declare what the C++ source defines with ffi.cdef() and build it with ffi.verify()");
});
