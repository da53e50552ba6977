// verify() end to end: compiler diagnostics, the cache across objects and processes, checks against the compiler, verifyAsync, dlopen.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CompilerWarning, FFI, FFIError, VerificationError } from '../../lib';
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

/** What `fn` threw; a test fails when it throws nothing. */
function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
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

  test('a cdef function the source does not define is said so, at the cdef line, never in the glue', () => {
    const ffi = new FFI();
    ffi.cdef('int add(int, int);\nint sub(int, int);');
    const e = failure(() => ffi.verify('int add(int a, int b) { return a + b; }\n', { filename: 'calc.c' }));
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.message.split('\n')[0]).toBe("sub(): the cdef declares 'sub' but calc.c does not define it; define it there, or include the header that declares it");
    expect((e as VerificationError).diagnostics).toMatch(/^cdef:2:5: error: sub\(\): the cdef declares 'sub'/m);
    expect(e.message).not.toContain('node-cffi-glue.c');
  });

  test("a '}' missing at the end of the source is reported in the source, at its last line", () => {
    const ffi = new FFI();
    ffi.cdef('int add(int, int);');
    const e = failure(() => ffi.verify('int add(int a, int b) {\n  return a + b;\n', { filename: 'calc.c' }));
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.message.split('\n')[0]).toBe("calc.c:2: the source ends inside a function body or a declaration (a '}' or ';' missing at its end?)");
    expect((e as VerificationError).diagnostics).toMatch(/^calc\.c:2:16: error: the source ends inside/m);
    expect(e.message).not.toContain('node-cffi-glue.c');
  });

  // Inside a parameter list, the glue's first #pragma or typedef drew an error of its own, which came first.
  test.each([
    ['int f(void);', 'int f(void) { return 1; }\nint broken(int x\n', 'calc.c:2:17'],
    ['int f(int);', 'int broken(', 'calc.c:1:12'],
    ['int f(int);', 'struct s { int a;\n/* trailing comment */\n\n', 'calc.c:1:18'],
    // gcc: "expected '}' before '__attribute__'" at a macro's definition in the glue, and
    // "expected ')' before ..." at the source's last token.
    ['int f(int);', 'int a[3] = { 1, 2', 'calc.c:1:18'],
    ['int f(int);', 'int x = (1 + 2\n', 'calc.c:1:15'],
    ['int f(int);', 'int f(int x) { if (x', 'calc.c:1:21'],
  ])('a source ending inside a declaration (cdef %j, source %j) is reported at its end, and only that', (cdef, source, at) => {
    const ffi = new FFI();
    ffi.cdef(cdef);
    const e = failure(() => ffi.verify(source, { filename: 'calc.c' }));
    expect(e).toBeInstanceOf(VerificationError);
    const line = at.split(':').slice(0, 2).join(':');
    expect(e.message.split('\n')[0]).toBe(`${line}: the source ends inside a function body or a declaration (a '}' or ';' missing at its end?)`);
    expect((e as VerificationError).diagnostics.trim()).toBe(`${at}: error: the source ends inside a function body or a declaration (a '}' or ';' missing at its end?)`);
  });

  // jpegint.h without jpeglib.h before it: its EXTERN(type) macros are undefined, and gcc reads
  // the rest of the unit as the parameter declarations of an old-style function definition.
  test('a header that fails first is what the message starts with, not the end of the source nor the code verify() adds', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-broken-'));
    try {
      fs.writeFileSync(path.join(dir, 'broken.h'), 'EXTERN(int) first_call(int x);\nint second_call(void);\n');
      const ffi = new FFI();
      ffi.cdef('int h(void);');
      const e = failure(() => ffi.verify('#include "broken.h"\nint h(void) { return 1; }\n', { includeDirs: [dir] }));
      expect(e).toBeInstanceOf(VerificationError);
      expect(e.message).toMatch(/^verify\(\): the C compiler failed/);
      expect(e.message).not.toMatch(/the source ends inside/);
      expect(e.message.split('\n').find((l) => / error: /.test(l))).toMatch(/broken\.h:1:\d+: error: /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a call of an undeclared function is an error (a forgotten #include would truncate its pointer result)', () => {
    const ffi = new FFI();
    ffi.cdef('char *name(void);');
    const source = 'char *name(void) {\n  return get_name();\n}\nchar *get_name(void) { return "x"; }\n';
    const e = failure(() => ffi.verify(source, { filename: 'name.c' })) as VerificationError;
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.diagnostics).toMatch(/name\.c:2:10: error: (implicit declaration of function|call to undeclared function) ['‘]get_name['’]/);
    // gcc, clang
    expect(e.diagnostics).toMatch(/name\.c:2:10: error: (returning ['‘]int['’] from a function with return type ['‘]char \*['’] makes pointer from integer|incompatible integer to pointer conversion returning 'int')/);
  });

  test("CFFI's standard headers come before the source (int8_t, va_list, errno, NULL, ssize_t) and its lines keep their numbers", () => {
    const ffi = new FFI();
    ffi.cdef('int first(int n, ...); int8_t small(void); ssize_t minus(void); int err(void); void *nothing(void);');
    const source = [
      'int first(int n, ...) { va_list ap; va_start(ap, n); int x = va_arg(ap, int); va_end(ap); return x; }',
      'int8_t small(void) { return -3; }',
      'ssize_t minus(void) { return -1; }',
      'int err(void) { errno = 0; return errno; }',
      'void *nothing(void) { return NULL; }',
    ].join('\n');
    const lib = ffi.verify(source);
    expect([lib.first(1, ['int', 42]), lib.small(), lib.minus(), lib.err(), lib.nothing()]).toEqual([42, -3, -1, 0, null]);
    const bad = new FFI();
    const e = failure(() => bad.verify('int a;\nint b;\nint c = nope;\n', { filename: 'lines.c' })) as VerificationError;
    expect(e.diagnostics).toMatch(/lines\.c:3:9: error: (['‘]nope['’] undeclared|use of undeclared identifier 'nope')/);
    expect(e.diagnostics).toMatch(/\n( {4}3 \| )?int c = nope;/); // the quote is of the source's own line 3 (gcc numbers it)
  });

  // CFFI's C starts with Python.h, whose pyconfig.h defines _GNU_SOURCE: code calling the C
  // library's GNU functions compiles there whether or not it defines the macro itself.
  test("the C library's GNU extensions are declared, as in CFFI, with or without the source's own #define _GNU_SOURCE, and without a warning", () => {
    const warnings: CompilerWarning[] = [];
    const body = '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n' +
      'int show(char **out, int x) { return asprintf(out, "%d!", x); }\n' +
      'int found(void) { return memmem("abcdef", 6, "cd", 2) != NULL; }\n';
    for (const source of [body, `#define _GNU_SOURCE\n${body}`]) {
      const ffi = new FFI();
      ffi.cdef('int show(char **out, int x); int found(void); void free(void *);');
      const lib = ffi.verify(source, { onWarning: (w) => warnings.push(w) });
      const out = ffi.new('char *[1]');
      expect(lib.show(out, 42)).toBe(3);
      expect(ffi.string(out[0])).toBe('42!');
      lib.free(out[0]);
      expect(lib.found()).toBe(1);
    }
    expect(warnings.map((w) => w.message)).toEqual([]);
  });

  test('an option that defines or undefines _GNU_SOURCE leaves the macro to the caller', () => {
    // 0: not defined; 1: defined empty; else its value.
    const source = 'int gnu(void) {\n#if !defined _GNU_SOURCE\n  return 0;\n#elif (_GNU_SOURCE + 0) == 0\n  return 1;\n#else\n  return _GNU_SOURCE;\n#endif\n}\n';
    const gnu = (options: Parameters<FFI['verify']>[1]): number => {
      const ffi = new FFI();
      ffi.cdef('int gnu(void);');
      return ffi.verify(source, options).gnu() as number;
    };
    expect(gnu({})).toBe(1); // defined, empty
    expect(gnu({ extraCompileArgs: ['-U_GNU_SOURCE'] })).toBe(0);
    expect(gnu({ defineMacros: [['_GNU_SOURCE', '2']] })).toBe(2);
  });
});

describe("the compiler's warnings", () => {
  const source = 'int twice(int x) {\n  int unused;\n  return 2 * x;\n}\n';
  const where = (w: CompilerWarning): unknown[] => [w.name, w.file, w.line, w.column, w.option];

  test('go to options.onWarning, one per diagnostic, with the position in the source', () => {
    const ffi = new FFI();
    ffi.cdef('int twice(int);');
    const got: CompilerWarning[] = [];
    ffi.verify(source, { filename: 'twice.c', extraCompileArgs: ['-Wall'], onWarning: (w) => got.push(w) });
    expect(got.map(where)).toEqual([['NodeCffiCompilerWarning', 'twice.c', 2, 7, '-Wunused-variable']]);
    expect(got[0].message).toMatch(/^twice\.c:2:7: unused variable ['‘]unused['’] \[-Wunused-variable\]$/);
    expect(got[0]).toBeInstanceOf(CompilerWarning);
  });

  test('what verify() adds draws none of its own: the field checks of a packed struct take addresses no code uses', () => {
    const warnings: string[] = [];
    const ffi = new FFI();
    // As sys/epoll.h's struct epoll_event on x86-64: packed, a field that is no integer.
    ffi.cdef('struct ev { unsigned int events; double data; }; double get(struct ev *e);', { pack: 1 });
    const lib = ffi.verify(
      'struct __attribute__((packed)) ev { unsigned int events; double data; };\ndouble get(struct ev *e) { return e->data; }\n',
      { onWarning: (w) => warnings.push(w.message) },
    );
    expect(lib.get(ffi.new('struct ev *', { events: 1, data: 7.5 }))).toBe(7.5);
    expect(ffi.offsetof('struct ev', 'data')).toBe(4);
    expect(warnings).toEqual([]);
  });

  test('go through process.emitWarning when no onWarning is given: Node prints them on stderr, with the quote', () => {
    // In a process of its own: Node's 'warning' event and its printing are the process's.
    const script = `
      const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
      process.on('warning', (w) => { if (w.name === 'NodeCffiCompilerWarning') console.log(JSON.stringify([w.message, w.detail])); });
      const ffi = new FFI(); ffi.cdef('int twice(int);');
      ffi.verify(${JSON.stringify(source)}, { filename: 'twice.c', extraCompileArgs: ['-Wall'] });`;
    const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
    const [message, detail] = JSON.parse(r.stdout.trim()) as [string, string];
    expect(message).toMatch(/^twice\.c:2:7: unused variable ['‘]unused['’] \[-Wunused-variable\]$/);
    expect(detail).toMatch(/int unused;/);
    expect(r.stderr).toMatch(/\(node:\d+\) NodeCffiCompilerWarning: twice\.c:2:7: unused variable/);
  });

  test('a conversion the cdef asks of the wrapper is a warning at the cdef line', () => {
    const ffi = new FFI();
    ffi.cdef('\nshort narrow(void);');
    const got: CompilerWarning[] = [];
    const lib = ffi.verify('long long narrow(void) { return 1; }', { extraCompileArgs: ['-Wconversion'], onWarning: (w) => got.push(w) });
    expect(lib.narrow()).toBe(1);
    expect(got.map(where)).toEqual([['NodeCffiCompilerWarning', 'cdef', 2, 7, expect.stringMatching(/^-W(implicit-int-)?conversion$/)]]); // gcc, clang
    expect(got[0].message).toMatch(/^cdef:2:7: narrow\(\): calling it as the cdef declares it \('short narrow\(void\)'\): (conversion from|implicit conversion loses)/);
  });

  test('an error by default can be turned back into a warning, which is delivered', () => {
    const ffi = new FFI();
    ffi.cdef('int g(void); int f(void);');
    const got: CompilerWarning[] = [];
    const lib = ffi.verify('int f(void) { return g(); }\nint g(void) { return 7; }\n', {
      extraCompileArgs: ['-Wno-error=implicit-function-declaration'], onWarning: (w) => got.push(w),
    });
    expect(lib.f()).toBe(7);
    expect(got.map((w) => w.option)).toEqual(['-Wimplicit-function-declaration']);
  });

  test('a build served from the cache reports the warnings of the compile that made it, in this process and in another', () => {
    const { tmpdir, compiler, runs } = isolated();
    const options = { tmpdir, compiler, filename: 'twice.c', extraCompileArgs: ['-Wall'] };
    const messages: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const ffi = new FFI();
      ffi.cdef('int twice(int);');
      const got: string[] = [];
      ffi.verify(source, { ...options, onWarning: (w) => got.push(w.message) });
      messages.push(got);
    }
    expect(runs()).toBe(1);
    expect(messages[0]).toHaveLength(1);
    expect(messages[1]).toEqual(messages[0]);
    const script = `
      const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
      const ffi = new FFI(); ffi.cdef('int twice(int);');
      const got = [];
      ffi.verify(${JSON.stringify(source)}, { ...${JSON.stringify(options)}, onWarning: (w) => got.push(w.message) });
      console.log(JSON.stringify(got));`;
    const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(messages[0]);
    expect(runs()).toBe(1);
  });

  test("options.filename must be a file name, and not the glue's own", () => {
    const ffi = new FFI();
    expect(() => ffi.verify('', { filename: 42 as never })).toThrow("options.filename: expected a file name such as 'source.c', got 42");
    expect(() => ffi.verify('', { filename: 'dir/node-cffi-glue.c' })).toThrow(
      "options.filename: 'node-cffi-glue.c' is the name of the code verify() adds to the source; name the source otherwise",
    );
  });

  test('options.onWarning must be a function', () => {
    const ffi = new FFI();
    expect(() => ffi.verify('', { onWarning: 'print' as never })).toThrow(TypeError);
    expect(() => ffi.verify('', { onWarning: 'print' as never })).toThrow('options.onWarning: expected a function receiving each CompilerWarning, got string "print"');
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

describe('a library that does not load', () => {
  test('for a name defined nowhere says which, and what to do', () => {
    const ffi = new FFI();
    ffi.cdef('extern int nowhere; int get(void);');
    const e = failure(() => ffi.verify('extern int nowhere;\nint get(void) { return nowhere; }\n', { filename: 'g.c' }));
    expect(e).toBeInstanceOf(FFIError);
    expect(e.message).toMatch(/^verify\(\): the library built from g\.c refers to 'nowhere', which neither g\.c nor a library linked defines; define it in the source, or name the library that defines it in options\.libraries \(dlopen\(.*undefined symbol: nowhere/);
    // The name, for a program to act on (not enumerable: an uncaught error prints the message only).
    expect((e as FFIError).undefinedSymbol).toBe('nowhere');
    expect(Object.keys(e)).not.toContain('undefinedSymbol');
    // A function of a library of the test's own, not linked, then linked.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-unresolved-'));
    try {
      fs.writeFileSync(path.join(dir, 'helper.c'), 'int helper_value(void) { return 41; }\n');
      const r = spawnSync(CC, ['-shared', '-fPIC', '-o', path.join(dir, 'libhelper.so'), path.join(dir, 'helper.c')], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const q = new FFI();
      q.cdef('int next(void);');
      const source = 'int helper_value(void);\nint next(void) { return helper_value() + 1; }\n';
      expect(() => q.verify(source)).toThrow(/refers to 'helper_value', which neither source\.c nor a library linked defines/);
      const linked = q.verify(source, { libraries: ['helper'], libraryDirs: [dir], extraLinkArgs: [`-Wl,-rpath,${dir}`] });
      expect(linked.next()).toBe(42);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
    // Another modification time than the first write's (the size is the same): a fixed one, 2001-09-09.
    fs.utimesSync(path.join(inc, 'limits_here.h'), new Date(1e12), new Date(1e12));
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
