// verify() end to end: compiler diagnostics, the cache across objects and processes, checks against the compiler, verifyAsync, dlopen.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, FFIError, VerificationError } from '../../lib';
import { fixture } from '../helpers/fixtures';
import { expectReject, expectThrow, thrown } from '../helpers/throws';
import { logLines, loggingCompiler, shellScript } from '../build/fixtures/helpers';
import { CC } from '../helpers/compiler';

/** A fresh cache directory and a compiler that logs each compile there, so counts are exact. */
function isolated(): { tmpdir: string; compiler: string; runs: () => number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-verify-'));
  const log = path.join(dir, 'compiles.log');
  return { tmpdir: path.join(dir, 'cache'), compiler: loggingCompiler(dir, log), runs: () => logLines(log).length };
}

describe('compiler diagnostics', () => {
  test('a compile error is a VerificationError pointing into the user source', () => {
    const ffi = new FFI();
    ffi.cdef('int add(int a, int b);');
    const err = thrown(() => ffi.verify(fixture('errors.c'), { filename: 'errors.c' }));
    expect(err).toBeInstanceOf(VerificationError);
    const v = err as VerificationError;
    // gcc: "'undeclared_name' undeclared"; clang: "use of undeclared identifier 'undeclared_name'".
    expect(v.diagnostics).toMatch(/errors\.c:4:\d+: error: (['‘]undeclared_name['’] undeclared|use of undeclared identifier 'undeclared_name')/);
    expect(v.message).toContain('errors.c:4');
    expect(v.message).not.toMatch(/\/tmp\/|\.tmp-/);
  });

  test('a cdef function the source lacks is named in the error', () => {
    const ffi = new FFI();
    ffi.cdef('int missing_fn(int);');
    expect(() => ffi.verify('int other(void) { return 1; }')).toThrow(/missing_fn/);
  });

  test('a missing compiler is a VerificationError saying what to do', () => {
    const ffi = new FFI();
    ffi.cdef('int f(void);');
    expectThrow(() => ffi.verify('int f(void) { return 1; }', { compiler: 'no-such-cc-here' }), VerificationError, "verify(): the C compiler 'no-such-cc-here' is not on PATH (named by options.compiler); install a C compiler (gcc, clang or tcc), or name one with options.compiler or $CC");
    expect(() => ffi.verify('int f(void) { return 1; }', { compiler: 'no-such-cc-here' })).toThrow(/no-such-cc-here/);
  });
});

describe('build options', () => {
  test('libraries, defines and extra sources reach the compiler', () => {
    const { tmpdir } = isolated();
    const extra = path.join(tmpdir, '..', 'extra.c');
    fs.writeFileSync(extra, 'int extra_value(void) { return 40; }\n');
    const ffi = new FFI();
    ffi.cdef('double cosine(double x); int answer(void);');
    const lib = ffi.verify(
      '#include <math.h>\nint extra_value(void);\ndouble cosine(double x) { return cos(x); }\nint answer(void) { return extra_value() + BONUS; }',
      { tmpdir, libraries: ['m'], defineMacros: [['BONUS', '2']], sources: [extra] },
    );
    expect(lib.cosine(0)).toBe(1);
    expect(lib.answer()).toBe(42);
  });
});

describe('checks against the compiler', () => {
  test('a struct whose cdef layout disagrees with the source fails verify()', () => {
    const ffi = new FFI();
    ffi.cdef('struct foo_s { int x; int y; }; int get_y(struct foo_s *p);');
    expect(() => ffi.verify('struct foo_s { int y; int x; }; int get_y(struct foo_s *p) { return p->y; }')).toThrow(
      "struct foo_s: wrong offset for field 'x' (cdef says 0, but the C compiler says 4)",
    );
  });

  test('an anonymous struct named by a typedef is checked too', () => {
    const ffi = new FFI();
    ffi.cdef('typedef struct { int a; int b; } pair;');
    expect(() => ffi.verify('typedef struct { int b; int a; } pair;')).toThrow("pair: wrong offset for field 'a' (cdef says 0, but the C compiler says 4)");
  });

  test('a #define whose value differs from the source fails verify()', () => {
    const ffi = new FFI();
    ffi.cdef('#define FOO 123');
    expect(() => ffi.verify('#define FOO 124')).toThrow('#define FOO: wrong value (cdef says 123, but the C compiler says 124)');
  });

  test('an enumerator whose value differs fails verify(), naming it', () => {
    const ffi = new FFI();
    ffi.cdef('enum ee { EE1, EE2 };');
    expect(() => ffi.verify('enum ee { EE1, EE2 = 7 };')).toThrow(/enum ee: enumerator EE2: wrong value \(cdef says 1, but the C compiler says 7\)/);
  });
});

describe('the cache', () => {
  const source = 'int twice(int x) { return 2 * x; }';

  test('a second FFI verifying the same thing compiles nothing', () => {
    const { tmpdir, compiler, runs } = isolated();
    for (let i = 0; i < 3; i++) {
      const ffi = new FFI();
      ffi.cdef('int twice(int x);');
      expect(ffi.verify(source, { tmpdir, compiler }).twice(21)).toBe(42);
    }
    expect(runs()).toBe(1);
    const ffi = new FFI();
    ffi.cdef('int twice(int x);');
    ffi.verify(source, { tmpdir, compiler, extraCompileArgs: ['-O1'] });
    expect(runs()).toBe(2); // options are part of the key
  });

  test('a second process verifying the same thing compiles nothing', () => {
    const { tmpdir, compiler, runs } = isolated();
    const script = `
      const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
      const ffi = new FFI(); ffi.cdef('int twice(int x);');
      console.log(ffi.verify(${JSON.stringify(source)}, { tmpdir: ${JSON.stringify(tmpdir)}, compiler: ${JSON.stringify(compiler)} }).twice(5));`;
    for (let i = 0; i < 2; i++) {
      const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('10');
    }
    expect(runs()).toBe(1);
  });

  test('a header the source includes is part of what makes the cache fresh, in the same process too', () => {
    const { tmpdir } = isolated();
    const inc = path.join(tmpdir, '..', 'inc');
    fs.mkdirSync(inc);
    fs.writeFileSync(path.join(inc, 'limits_here.h'), '#define LIMIT_HERE 10\n');
    const build = () => {
      const ffi = new FFI();
      ffi.cdef('int limit(void);');
      return ffi.verify('#include "limits_here.h"\nint limit(void) { return LIMIT_HERE; }', { tmpdir, includeDirs: [inc] });
    };
    expect(build().limit()).toBe(10);
    fs.writeFileSync(path.join(inc, 'limits_here.h'), '#define LIMIT_HERE 20\n');
    fs.utimesSync(path.join(inc, 'limits_here.h'), new Date(), new Date(Date.now() + 5000));
    expect(build().limit()).toBe(20);
  });

  test('the cache directory is private to the user', () => {
    const { tmpdir } = isolated();
    const ffi = new FFI();
    ffi.cdef('int twice(int x);');
    ffi.verify(source, { tmpdir });
    expect(fs.statSync(tmpdir).mode & 0o777).toBe(0o700);
  });
});

describe('verifyAsync', () => {
  test('compiles without blocking the event loop', async () => {
    // The compiler waits for a file that only a timer of this process creates: were the event loop
    // blocked during the compile, the timer could not run and the test would time out.
    const { tmpdir } = isolated();
    const dir = path.dirname(tmpdir);
    const go = path.join(dir, 'go');
    const compiler = shellScript(dir, 'waitcc', `case " $* " in *" -shared "*) while [ ! -e '${go}' ]; do sleep 0.01; done ;; esac\nexec ${CC} "$@"`);
    const ffi = new FFI();
    ffi.cdef('int thrice(int x);');
    let ticks = 0;
    const timer = setInterval(() => {
      if (++ticks === 3) fs.writeFileSync(go, '');
    }, 2);
    const lib = await ffi.verifyAsync('int thrice(int x) { return 3 * x; }', { tmpdir, compiler });
    clearInterval(timer);
    expect(lib.thrice(4)).toBe(12);
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  test('rejects with the same VerificationError', async () => {
    const ffi = new FFI();
    await expectReject(ffi.verifyAsync('int x = ;'), VerificationError, /^verify\(\): the C compiler failed \(.* exited with status 1\):\nsource\.c:1:\d+: error: /);
  });
});

describe('dlopen (ABI mode)', () => {
  test('null opens the C library already in the process', () => {
    const ffi = new FFI();
    ffi.cdef('size_t strlen(const char *s); int abs(int x);');
    const libc = ffi.dlopen(null);
    expect(libc.strlen('hello')).toBe(5);
    expect(libc.abs(-3)).toBe(3);
  });

  test('a library by name, symbols looked up on first use', () => {
    const ffi = new FFI();
    ffi.cdef('double cos(double x); double no_such_function_anywhere(double);');
    const m = ffi.dlopen('libm.so.6');
    expect(m.cos(0)).toBe(1);
    expectThrow(() => m.no_such_function_anywhere(1), FFIError, "symbol 'no_such_function_anywhere': not found in 'libm.so.6'");
    expect(() => m.no_such_function_anywhere).toThrow(/symbol 'no_such_function_anywhere': not found in 'libm.so.6'/);
  });

  test('constants: cdef values are there; compiler-only values need verify()', () => {
    const ffi = new FFI();
    ffi.cdef('#define SEVEN 7\nstatic const int FROM_C;');
    const lib = ffi.dlopen(null);
    expect(lib.SEVEN).toBe(7);
    expect(() => lib.FROM_C).toThrow(/use verify\(\)/);
  });

  test('a missing library is an FFIError naming the path', () => {
    const ffi = new FFI();
    expectThrow(() => ffi.dlopen('/nonexistent/libnothing.so'), FFIError, 'dlopen("/nonexistent/libnothing.so"): Failed to load shared library: cannot open shared object file: No such file or directory');
    expect(() => ffi.dlopen('/nonexistent/libnothing.so')).toThrow(/\/nonexistent\/libnothing\.so/);
  });
});
