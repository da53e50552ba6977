// CFFI's testing/cffi0/test_function.py, ported: calling C through ffi.dlopen() (ABI mode), callbacks and library globals, one test per CFFI test, in CFFI's order.
//
// Not ported:
// test_tlsalloc: Windows only (KERNEL32.DLL's TlsAlloc; py.test.skip elsewhere).
// test_fputs_custom_FILE: passes a Python file object where a FILE * is expected; JavaScript has no file object for a FILE *.
// test_windows_stdcall: Windows only (Kernel32.dll's QueryPerformanceFrequency; py.test.skip elsewhere).
// test_explicit_cdecl_stdcall: Windows only (__stdcall and WINAPI on 32-bit Windows; py.test.skip elsewhere).
//
// Translation notes:
// - CFFI runs TestFunction twice: with the ctypes backend (this file's class) and with _cffi_backend
//   (test_ffi_backend.py's subclass). node-cffi stands where _cffi_backend does, so what CFFI checks or
//   skips only under CTypesBackend is left out here, and its "not supported by the ctypes backend"
//   skips are tests here.
// - lib_m is 'm' (Linux with glibc); ctypes.util.find_library('m') is the libm.so.6 of the dynamic
//   linker's cache, read from `ldconfig -p` as ctypes reads it.
// - Python bytes passed for a `char *` are JavaScript strings; `ffi.string()` gives a string; a
//   Python `None` result is `undefined`; `ffi.NULL` is `null`.
// - cdata `==` compares addresses: `ffi.cast('uintptr_t', p)` on both sides (an object is only `===` to itself).
// - `ffi.cast("int", 42)` passed through `...` is node-cffi's `['int', 42]` pair (a cast to a number
//   type is a plain number, which carries no C type: docs/cffi-differences.md, "A cast to a number type is a number").
// - `hasattr(lib, name)` is "reading lib[name] does not throw".
// - FdWriteCapture / StdErrCapture: the C calls run in a child process (test/helpers/child.ts) and its
//   standard error is compared; so does every test that changes a C library global of the process (stdout).
// - gc.collect(): V8's collector (exposed through --expose-gc), with turns of the event loop for
//   finalizers; a WeakRef is read after the collection, never in the same job as it.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { CData, FFI, FFIError } from '../../lib';
import { addr, gc, nextTurn } from '../helpers/cffiport';
import { ending, runChild } from '../helpers/child';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** CFFI's lib_m on Linux with glibc. */
const lib_m = 'm';

/**
 * ctypes.util.find_library(name) on Linux: the library of that name in the dynamic linker's cache, for
 * this process's architecture (here its full path, so that both a path and its basename are opened).
 */
function find_library(name: string): string | null {
  const tag = process.arch === 'arm64' ? 'AArch64' : 'x86-64';
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    const r = spawnSync(ldconfig, ['-p'], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*(lib\S+\.so\S*) \(([^)]*)\) => (\S+)$/.exec(line);
      if (m && m[1].startsWith(`lib${name}.so`) && m[2].includes(tag)) return m[3];
    }
  }
  return null;
}

/**
 * Runs `script` in a child process, where C may write to standard error (CFFI's FdWriteCapture);
 * the script prints one JSON line last on standard output. Asserts that the child ended normally.
 */
function inChild(script: string): { out: Any; stderr: string } {
  const r = runChild(`const { FFI } = require(LIB);\n${script}`);
  expect({ ending: ending(r), stdout: r.stdout.length > 0 }).toEqual({ ending: 'exit 0', stdout: true });
  const lines = r.stdout.trim().split('\n');
  return { out: JSON.parse(lines[lines.length - 1]), stderr: r.stderr };
}

test('test_sin', () => {
  const ffi = new FFI();
  ffi.cdef(`
            double sin(double x);
        `);
  const m = ffi.dlopen(lib_m);
  const x = m.sin(1.23);
  expect(x).toBe(Math.sin(1.23));
});

test('test_sinf', () => {
  const ffi = new FFI();
  ffi.cdef(`
            float sinf(float x);
        `);
  const m = ffi.dlopen(lib_m);
  const x = m.sinf(1.23);
  expect(typeof x).toBe('number'); // type(x) is float
  expect(x).not.toBe(Math.sin(1.23)); // rounding effects
  expect(Math.abs(x - Math.sin(1.23))).toBeLessThan(1e-6);
});

test('test_getenv_no_return_value', () => {
  // check that 'void'-returning functions work too
  const ffi = new FFI();
  ffi.cdef(`
            void getenv(char *);
        `);
  const m = ffi.dlopen(null);
  const x = m.getenv('FOO');
  expect(x).toBeUndefined();
});

test('test_dlopen_filename', () => {
  const p = find_library(lib_m);
  if (!p) throw new Error(`${lib_m} not found in the dynamic linker's cache (ldconfig -p)`);
  const ffi = new FFI();
  ffi.cdef(`
            double cos(double x);
        `);
  let m = ffi.dlopen(p);
  let x = m.cos(1.23);
  expect(x).toBe(Math.cos(1.23));

  m = ffi.dlopen(path.basename(p));
  x = m.cos(1.23);
  expect(x).toBe(Math.cos(1.23));
});

test('test_dlopen_flags', () => {
  const ffi = new FFI();
  ffi.cdef(`
            double cos(double x);
        `);
  const m = ffi.dlopen(lib_m, ffi.RTLD_LAZY | ffi.RTLD_LOCAL);
  const x = m.cos(1.23);
  expect(x).toBe(Math.cos(1.23));
});

test('test_dlopen_constant', () => {
  const ffi = new FFI();
  ffi.cdef(`
            #define FOOBAR 42
            static const float baz = 42.5;   /* not visible */
            double sin(double x);
        `);
  const m = ffi.dlopen(lib_m);
  expect(m.FOOBAR).toBe(42);
  // CFFI: NotImplementedError, "non-integer constant 'baz' cannot be accessed from a dlopen() library"
  expect(() => m.baz).toThrow(FFIError);
  expect(() => m.baz).toThrow(/baz/);
});

test('test_fputs', () => {
  const { stderr } = inChild(`
    const ffi = new FFI();
    ffi.cdef(\`
            int fputs(const char *, void *);
            extern void *stderr;
        \`);
    const C = ffi.dlopen(null);
    C.fputs; // fetch before capturing, for easier debugging
    C.fputs('hello\\n', C.stderr);
    C.fputs('  world\\n', C.stderr);
    console.log(JSON.stringify(null));
  `);
  expect(stderr).toBe('hello\n  world\n');
});

test('test_fputs_without_const', () => {
  const { stderr } = inChild(`
    const ffi = new FFI();
    ffi.cdef(\`
            int fputs(char *, void *);
            extern void *stderr;
        \`);
    const C = ffi.dlopen(null);
    C.fputs; // fetch before capturing, for easier debugging
    C.fputs('hello\\n', C.stderr);
    C.fputs('  world\\n', C.stderr);
    console.log(JSON.stringify(null));
  `);
  expect(stderr).toBe('hello\n  world\n');
});

test('test_vararg', () => {
  const { stderr } = inChild(`
    const ffi = new FFI();
    ffi.cdef(\`
           int fprintf(void *, const char *format, ...);
           extern void *stderr;
        \`);
    const C = ffi.dlopen(null);
    C.fprintf(C.stderr, 'hello with no arguments\\n');
    C.fprintf(C.stderr, 'hello, %s!\\n', ffi.new('char[]', 'world'));
    C.fprintf(C.stderr, ffi.new('char[]', 'hello, %s!\\n'), ffi.new('char[]', 'world2'));
    C.fprintf(C.stderr, 'hello int %d long %ld long long %lld\\n', ['int', 42], ['long', 84], ['long long', 168]);
    C.fprintf(C.stderr, 'hello %p\\n', ffi.NULL);
    console.log(JSON.stringify(null));
  `);
  const nil_repr = '(nil)'; // glibc
  expect(stderr).toBe(
    'hello with no arguments\n' +
      'hello, world!\n' +
      'hello, world2!\n' +
      'hello int 42 long 84 long long 168\n' +
      'hello ' + nil_repr + '\n',
  );
});

test('test_must_specify_type_of_vararg', () => {
  const ffi = new FFI();
  ffi.cdef(`
           int printf(const char *format, ...);
        `);
  const C = ffi.dlopen(null);
  // CFFI: "argument 2 passed in the variadic part needs to be a cdata object (got int)"
  expect(() => C.printf('hello %d\n', 42)).toThrow(TypeError);
  expect(() => C.printf('hello %d\n', 42)).toThrow(/argument 2\b.*variadic/);
});

test('test_function_has_a_c_type', () => {
  const ffi = new FFI();
  ffi.cdef(`
            int puts(const char *);
        `);
  const C = ffi.dlopen(null);
  const fptr = C.puts;
  expect(ffi.typeof(fptr)).toBe(ffi.typeof('int(*)(const char*)'));
});

test('test_function_pointer', () => {
  const ffi = new FFI();
  const seen: string[] = [];
  function cb(charp: CData): number {
    seen.push(String(charp)); // assert repr(charp).startswith("<cdata 'char *' 0x"), below
    return 42;
  }
  const fptr = ffi.callback('int(*)(const char *txt)', cb);
  expect(addr(ffi, fptr)).not.toBe(addr(ffi, ffi.callback('int(*)(const char *)', cb)));
  // "<cdata 'int(*)(char *)' calling %r>" % (cb,): JavaScript's repr of cb names it
  expect(String(fptr)).toMatch(/^<cdata 'int\(\*\)\(char \*\)' calling .*\bcb\b.*>$/);
  const res = fptr('Hello');
  expect(res).toBe(42);
  expect(seen).toHaveLength(1);
  expect(seen[0].startsWith("<cdata 'char *' 0x")).toBe(true);
  //
  const { out, stderr } = inChild(`
    const ffi = new FFI();
    ffi.cdef(\`
            int fputs(const char *, void *);
            extern void *stderr;
        \`);
    const C = ffi.dlopen(null);
    const fptr = ffi.cast('int(*)(const char *txt, void *)', C.fputs);
    const same = ffi.cast('uintptr_t', fptr) === ffi.cast('uintptr_t', C.fputs);
    const repr = String(fptr);
    fptr('world\\n', C.stderr);
    console.log(JSON.stringify({ same, repr }));
  `);
  expect(out.same).toBe(true);
  expect(out.repr.startsWith("<cdata 'int(*)(char *, void *)' 0x")).toBe(true);
  expect(stderr).toBe('world\n');
});

test('test_callback_returning_void', () => {
  // differs from CFFI: see docs/cffi-differences.md, "What a function returns for a C function of
  // result type void is ignored" (CFFI prints "callback with the return type 'void' must return None"
  // for 42; node-cffi reports nothing in either case).
  const { out, stderr } = inChild(`
    const ffi = new FFI();
    const returned = [];
    for (const returnvalue of [undefined, 42]) {
      const cb = () => returnvalue;
      const fptr = ffi.callback('void(*)(void)', cb);
      const r = fptr();
      returned.push(r === undefined ? 'undefined' : String(r));
    }
    setImmediate(() => console.log(JSON.stringify(returned))); // after any warning is printed
  `);
  expect(out).toEqual(['undefined', 'undefined']);
  expect(stderr).toBe('');
});

test('test_callback_returning_struct_three_bytes', () => {
  const ffi = new FFI();
  ffi.cdef(`
            typedef struct {
                unsigned char a, b, c;
            } THREEBYTES;
        `);
  const cb = (): number[] => [12, 34, 56];
  const fptr = ffi.callback('THREEBYTES(*)(void)', cb);
  const tb = fptr();
  expect(tb.a).toBe(12);
  expect(tb.b).toBe(34);
  expect(tb.c).toBe(56);
});

test('test_passing_array', () => {
  const ffi = new FFI();
  ffi.cdef(`
            int strlen(char[]);
        `);
  const C = ffi.dlopen(null);
  const p = ffi.new('char[]', 'hello');
  const res = C.strlen(p);
  expect(res).toBe(5);
});

test('test_write_variable', () => {
  // In a child process: C's stdout is NULL for a moment.
  const { out } = inChild(`
    const ffi = new FFI();
    ffi.cdef(\`
            extern void *stdout;
        \`);
    const C = ffi.dlopen(null);
    const pout = C.stdout;
    C.stdout = ffi.NULL;
    const isNull = C.stdout === ffi.NULL;
    C.stdout = pout;
    const restored = ffi.cast('uintptr_t', C.stdout) === ffi.cast('uintptr_t', pout);
    console.log(JSON.stringify({ isNull, restored }));
  `);
  expect(out).toEqual({ isNull: true, restored: true });
});

test('test_strchr', () => {
  const ffi = new FFI();
  ffi.cdef(`
            char *strchr(const char *s, int c);
        `);
  const C = ffi.dlopen(null);
  const p = ffi.new('char[]', 'hello world!');
  const q = C.strchr(p, 'w'.charCodeAt(0));
  expect(ffi.string(q)).toBe('world!');
});

test('test_function_with_struct_argument', () => {
  const ffi = new FFI();
  ffi.cdef(`
            struct in_addr { unsigned int s_addr; };
            char *inet_ntoa(struct in_addr in);
        `);
  const C = ffi.dlopen(null);
  const ina = ffi.new('struct in_addr *', [0x04040404]);
  const a = C.inet_ntoa(ina[0]);
  expect(ffi.string(a)).toBe('4.4.4.4');
});

test('test_function_typedef', () => {
  const ffi = new FFI();
  ffi.cdef(`
            typedef double func_t(double);
            func_t sin;
        `);
  const m = ffi.dlopen(lib_m);
  const x = m.sin(1.23);
  expect(x).toBe(Math.sin(1.23));
});

test('test_constants_on_lib', () => {
  const ffi = new FFI();
  ffi.cdef(`enum foo_e { AA, BB, CC=5, DD };
                    typedef enum { EE=-5, FF } some_enum_t;`);
  const lib = ffi.dlopen(null);
  expect(lib.AA).toBe(0);
  expect(lib.BB).toBe(1);
  expect(lib.CC).toBe(5);
  expect(lib.DD).toBe(6);
  expect(lib.EE).toBe(-5);
  expect(lib.FF).toBe(-4);
});

test('test_void_star_accepts_string', () => {
  const ffi = new FFI();
  ffi.cdef(`int strlen(const void *);`);
  const lib = ffi.dlopen(null);
  const res = lib.strlen('hello');
  expect(res).toBe(5);
});

test('test_signed_char_star_accepts_string', () => {
  const ffi = new FFI();
  ffi.cdef(`int strlen(signed char *);`);
  const lib = ffi.dlopen(null);
  const res = lib.strlen('hello');
  expect(res).toBe(5);
});

test('test_unsigned_char_star_accepts_string', () => {
  const ffi = new FFI();
  ffi.cdef(`int strlen(unsigned char *);`);
  const lib = ffi.dlopen(null);
  const res = lib.strlen('hello');
  expect(res).toBe(5);
});

test('test_missing_function', () => {
  const ffi = new FFI();
  ffi.cdef(`
            int nonexistent();
        `);
  const m = ffi.dlopen(lib_m);
  // assert not hasattr(m, 'nonexistent') (CFFI: AttributeError)
  expect(() => m.nonexistent).toThrow(FFIError);
});

test('test_wraps_from_stdlib', () => {
  const ffi = new FFI();
  ffi.cdef(`
            double sin(double x);
        `);
  // functools.wraps(f): the wrapper takes the wrapped function's name and arity
  function my_decorator(f: (...args: Any[]) => number): (...args: Any[]) => number {
    const wrapper = (...args: Any[]): number => f(...args) + 100;
    Object.defineProperty(wrapper, 'name', { value: f.name });
    Object.defineProperty(wrapper, 'length', { value: f.length });
    return wrapper;
  }
  const m = ffi.dlopen(lib_m);
  const sin100 = my_decorator(m.sin);
  const x = sin100(1.23);
  expect(x).toBe(Math.sin(1.23) + 100);
});

test('test_free_callback_cycle', async () => {
  const ffi = new FFI();
  function make_callback(data: object): CData {
    const container: unknown[] = [data];
    const callback = ffi.callback('int()', () => container.length);
    container.push(callback);
    // Ref cycle: callback -> lambda (closure) -> container -> callback
    return callback;
  }
  class Data {}
  // In a function of its own, so that `data` and `callback` are really gone afterwards (Python's `del`).
  const wr = ((): WeakRef<Data> => {
    const data = new Data();
    make_callback(data); // callback = make_callback(data); del callback, data
    return new WeakRef(data);
  })();
  // CFFI collects up to 3 times; V8 runs finalizers on later turns of the event loop, one
  // FinalizationRegistry per task, so this counts up to 1000 rounds (not time).
  for (let i = 0; i < 1000; i++) {
    await nextTurn();
    gc();
    await nextTurn();
    if (wr.deref() === undefined) break;
  }
  expect(wr.deref()).toBeUndefined(); // 'data' does not leak
});

// Not in CFFI: the same cycle once C has called the callback (qsort calls its comparator), which
// holds the function for the rest of the job that called it, and lets go of it afterwards.
test('test_free_callback_cycle, after C has called the callback', async () => {
  const ffi = new FFI();
  ffi.cdef('void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *));');
  const C = ffi.dlopen(null);
  class Data {}
  let calls = 0;
  const wr = ((): WeakRef<Data> => {
    const container: unknown[] = [new Data()];
    const callback = ffi.callback('int(const void *, const void *)', () => (calls++, container.length - 2));
    container.push(callback);
    C.qsort(ffi.new('int[3]', [3, 1, 2]), 3, ffi.sizeof('int'), callback);
    return new WeakRef(container[0] as Data);
  })();
  expect(calls).toBeGreaterThan(0);
  for (let i = 0; i < 1000; i++) {
    await nextTurn();
    gc();
    await nextTurn();
    if (wr.deref() === undefined) break;
  }
  expect(wr.deref()).toBeUndefined();
});

test('test_stdcall_only_on_windows', () => {
  const ffi = new FFI();
  ffi.cdef('double __stdcall sin(double x);'); // stdcall ignored
  const m = ffi.dlopen(lib_m);
  expect(String(ffi.typeof(m.sin))).toContain('double(*)(double)');
  const x = m.sin(1.23);
  expect(x).toBe(Math.sin(1.23));
});

test('test_dir_on_dlopen_lib', () => {
  const ffi = new FFI();
  ffi.cdef(`
            typedef enum { MYE1, MYE2 } myenum_t;
            double myfunc(double);
            extern double myvar;
            const double myconst;
            #define MYFOO 42
        `);
  const m = ffi.dlopen(lib_m);
  expect(Object.keys(m).sort()).toEqual(['MYE1', 'MYE2', 'MYFOO', 'myconst', 'myfunc', 'myvar']);
});

test('test_dlclose', () => {
  const ffi = new FFI();
  ffi.cdef('int foobar(void); extern int foobaz;');
  const lib = ffi.dlopen(lib_m);
  ffi.dlclose(lib);
  // CFFI: ValueError, "library '...' has already been closed"
  expect(() => lib.foobar).toThrow(FFIError);
  expect(() => lib.foobar).toThrow(/library '[^']+' .*closed/);
  expect(() => lib.foobaz).toThrow(FFIError);
  expect(() => lib.foobaz).toThrow(/library '[^']+' .*closed/);
  expect(() => {
    lib.foobaz = 42;
  }).toThrow(FFIError);
  expect(() => {
    lib.foobaz = 42;
  }).toThrow(/library '[^']+' .*closed/);
  ffi.dlclose(lib); // does not raise
});

test('test_passing_large_list', () => {
  const ffi = new FFI();
  ffi.cdef(`
            void getenv(char *);
        `);
  const m = ffi.dlopen(null);
  const arg: string[] = ['F', 'O', 'O'];
  for (let i = 0; i < 20000000; i++) arg.push('\x00');
  const x = m.getenv(arg);
  expect(x).toBeUndefined();
});
