// CFFI's testing/cffi0/test_ownlib.py, ported: ffi.dlopen() of a small C library compiled here, one test per CFFI test, in CFFI's order.
//
// Not ported: none.
//
// Translation notes:
// - CFFI runs TestOwnLib twice: with the ctypes backend (this file's class) and with _cffi_backend
//   (test_ffi_backend.py's subclass). node-cffi stands where _cffi_backend does, so its "not supported
//   by the ctypes backend" skips are tests here, and the library is named as _cffi_backend's run names
//   it, with a non-ASCII character ('testownlibcafé.so').
// - setup_class: SOURCE is written to a temporary directory and compiled there with the system C
//   compiler (`cc`, or $CC), `cc testownlib.c -shared -fPIC -o 'testownlibcafé.so'`, as CFFI does on Linux.
// - cdata `==` compares addresses: `ffi.cast('uintptr_t', p)` on both sides.
// - Python's `len(p)` of a pointer (TypeError) is `p.length`, undefined (docs/cffi-differences.md,
//   "A pointer has no length: undefined").
// - char16_t / char32_t values are one-character JavaScript strings, as CFFI's are one-character
//   Python strings.
// - `del x; gc.collect()`: the variable lives in a function of its own that has returned; V8's collector
//   (exposed through --expose-gc) runs between turns of the event loop, and a WeakRef is read after it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, Lib } from '../../lib';
import { addr, gc, nextTurn } from '../helpers/cffiport';
import { CC } from '../helpers/compiler';

const SOURCE = `\
#include <errno.h>

#ifdef _WIN32
#define EXPORT __declspec(dllexport)
#else
#define EXPORT
#endif

EXPORT int test_getting_errno(void) {
    errno = 123;
    return -1;
}

EXPORT int test_setting_errno(void) {
    return errno;
};

typedef struct {
    long x;
    long y;
} POINT;

typedef struct {
    long left;
    long top;
    long right;
    long bottom;
} RECT;

typedef struct {
    unsigned char a, b, c;
} THREEBYTES;


EXPORT int PointInRect(RECT *prc, POINT pt)
{
    if (pt.x < prc->left)
        return 0;
    if (pt.x > prc->right)
        return 0;
    if (pt.y < prc->top)
        return 0;
    if (pt.y > prc->bottom)
        return 0;
    return 1;
};

EXPORT long left = 10;
EXPORT long top = 20;
EXPORT long right = 30;
EXPORT long bottom = 40;

EXPORT RECT ReturnRect(int i, RECT ar, RECT* br, POINT cp, RECT dr,
                        RECT *er, POINT fp, RECT gr)
{
    /*Check input */
    if (ar.left + br->left + dr.left + er->left + gr.left != left * 5)
    {
        ar.left = 100;
        return ar;
    }
    if (ar.right + br->right + dr.right + er->right + gr.right != right * 5)
    {
        ar.right = 100;
        return ar;
    }
    if (cp.x != fp.x)
    {
        ar.left = -100;
    }
    if (cp.y != fp.y)
    {
        ar.left = -200;
    }
    switch(i)
    {
    case 0:
        return ar;
        break;
    case 1:
        return dr;
        break;
    case 2:
        return gr;
        break;

    }
    return ar;
}

EXPORT int my_array[7] = {0, 1, 2, 3, 4, 5, 6};

EXPORT unsigned short foo_2bytes(unsigned short a)
{
    return (unsigned short)(a + 42);
}
EXPORT unsigned int foo_4bytes(unsigned int a)
{
    return (unsigned int)(a + 42);
}

EXPORT void modify_struct_value(RECT r)
{
    r.left = r.right = r.top = r.bottom = 500;
}

EXPORT THREEBYTES return_three_bytes(void)
{
    THREEBYTES result;
    result.a = 12;
    result.b = 34;
    result.c = 56;
    return result;
}
`;

/** TestOwnLib.module: the library setup_class builds. */
let module_: string;
let udir: string;

beforeAll(() => {
  udir = fs.mkdtempSync(path.join(os.tmpdir(), 'cffi-test-ownlib-'));
  fs.writeFileSync(path.join(udir, 'testownlib.c'), SOURCE);
  const unicode_name = 'testownlibcaf\u00e9';
  const r = spawnSync(CC, ['testownlib.c', '-shared', '-fPIC', '-o', `${unicode_name}.so`], { cwd: udir, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`compiling testownlib.c failed:\n${r.stderr}`);
  module_ = path.join(udir, `${unicode_name}.so`);
});

afterAll(() => {
  fs.rmSync(udir, { recursive: true, force: true });
});

/** gc.collect(): a full collection between turns of the event loop, so that no WeakRef read earlier in the job holds its target. */
async function collect(): Promise<void> {
  await nextTurn();
  gc();
  await nextTurn();
}

test('test_getting_errno', () => {
  const ffi = new FFI();
  ffi.cdef(`
            int test_getting_errno(void);
        `);
  const ownlib = ffi.dlopen(module_);
  const res = ownlib.test_getting_errno();
  expect(res).toBe(-1);
  expect(ffi.errno).toBe(123);
});

test('test_setting_errno', () => {
  const ffi = new FFI();
  ffi.cdef(`
            int test_setting_errno(void);
        `);
  const ownlib = ffi.dlopen(module_);
  ffi.errno = 42;
  const res = ownlib.test_setting_errno();
  expect(res).toBe(42);
  expect(ffi.errno).toBe(42);
});

test('test_my_array_7', () => {
  const ffi = new FFI();
  ffi.cdef(`
            extern int my_array[7];
        `);
  const ownlib = ffi.dlopen(module_);
  for (let i = 0; i < 7; i++) expect(ownlib.my_array[i]).toBe(i);
  expect(ownlib.my_array.length).toBe(7);
  ownlib.my_array = [10, 11, 12, 13, 14, 15, 16];
  for (let i = 0; i < 7; i++) expect(ownlib.my_array[i]).toBe(10 + i);
  ownlib.my_array = [0, 1, 2, 3, 4, 5, 6];
  for (let i = 0; i < 7; i++) expect(ownlib.my_array[i]).toBe(i);
});

test('test_my_array_no_length', () => {
  const ffi = new FFI();
  ffi.cdef(`
            extern int my_array[];
        `);
  const ownlib = ffi.dlopen(module_);
  for (let i = 0; i < 7; i++) expect(ownlib.my_array[i]).toBe(i);
  // pytest.raises(TypeError, len, ownlib.my_array): docs/cffi-differences.md, "A pointer has no length: undefined"
  expect(ownlib.my_array.length).toBeUndefined();
  ownlib.my_array = [10, 11, 12, 13, 14, 15, 16];
  for (let i = 0; i < 7; i++) expect(ownlib.my_array[i]).toBe(10 + i);
  ownlib.my_array = [0, 1, 2, 3, 4, 5, 6];
  for (let i = 0; i < 7; i++) expect(ownlib.my_array[i]).toBe(i);
});

test('test_keepalive_lib', async () => {
  let ownlib: Lib;
  let func: () => number;
  // `del ffi`: the FFI is a local of this function, which returns
  const { ffi_r, ownlib_r } = ((): { ffi_r: WeakRef<FFI>; ownlib_r: WeakRef<Lib> } => {
    const ffi = new FFI();
    ffi.cdef(`
            int test_getting_errno(void);
        `);
    ownlib = ffi.dlopen(module_);
    func = ownlib.test_getting_errno;
    return { ffi_r: new WeakRef(ffi), ownlib_r: new WeakRef(ownlib) };
  })();
  await collect(); // ownlib stays alive
  expect(ownlib_r.deref()).not.toBeUndefined();
  expect(ffi_r.deref()).not.toBeUndefined(); // kept alive by ownlib
  const res = func!();
  expect(res).toBe(-1);
});

test('test_keepalive_ffi', async () => {
  let ffi: FFI;
  let func: () => number;
  // `del ownlib`: the library object is a local of this function, which returns
  const { ffi_r, ownlib_r } = ((): { ffi_r: WeakRef<FFI>; ownlib_r: WeakRef<Lib> } => {
    ffi = new FFI();
    ffi.cdef(`
            int test_getting_errno(void);
        `);
    const ownlib = ffi.dlopen(module_);
    func = ownlib.test_getting_errno;
    return { ffi_r: new WeakRef(ffi), ownlib_r: new WeakRef(ownlib) };
  })();
  await collect(); // ffi stays alive
  expect(ffi_r.deref()).not.toBeUndefined();
  // kept alive by ffi in CFFI; in node-cffi an FFI does not keep its libraries (docs/cffi-differences.md,
  // "Libraries nothing refers to are unloaded"), `func`, a function taken from it, does
  expect(ownlib_r.deref()).not.toBeUndefined();
  const res = func!();
  expect(res).toBe(-1);
  expect(ffi!.errno).toBe(123);
});

test('test_struct_by_value', () => {
  const ffi = new FFI();
  ffi.cdef(`
            typedef struct {
                long x;
                long y;
            } POINT;

            typedef struct {
                long left;
                long top;
                long right;
                long bottom;
            } RECT;
            
            extern long left, top, right, bottom;

            RECT ReturnRect(int i, RECT ar, RECT* br, POINT cp, RECT dr,
                        RECT *er, POINT fp, RECT gr);
        `);
  const ownlib = ffi.dlopen(module_);

  const rect = ffi.new('RECT[1]');
  const pt = ffi.new('POINT[1]');
  pt[0].x = 15;
  pt[0].y = 25;
  rect[0].left = ownlib.left;
  rect[0].right = ownlib.right;
  rect[0].top = ownlib.top;
  rect[0].bottom = ownlib.bottom;

  for (let i = 0; i < 4; i++) {
    const ret = ownlib.ReturnRect(i, rect[0], rect, pt[0], rect[0], rect, pt[0], rect[0]);
    expect(ret.left).toBe(ownlib.left);
    expect(ret.right).toBe(ownlib.right);
    expect(ret.top).toBe(ownlib.top);
    expect(ret.bottom).toBe(ownlib.bottom);
  }
});

test('test_addressof_lib', () => {
  const ffi = new FFI();
  ffi.cdef('extern long left; int test_getting_errno(void);');
  const lib = ffi.dlopen(module_);
  lib.left = 123456;
  const p = ffi.addressof(lib, 'left');
  expect(ffi.typeof(p)).toBe(ffi.typeof('long *'));
  expect(p[0]).toBe(123456);
  p[0] += 1;
  expect(lib.left).toBe(123457);
  const pfn = ffi.addressof(lib, 'test_getting_errno');
  expect(ffi.typeof(pfn)).toBe(ffi.typeof('int(*)(void)'));
  expect(addr(ffi, pfn)).toBe(addr(ffi, lib.test_getting_errno));
});

test('test_char16_char32_t', () => {
  const ffi = new FFI();
  ffi.cdef(`
            char16_t foo_2bytes(char16_t);
            char32_t foo_4bytes(char32_t);
        `);
  const lib = ffi.dlopen(module_);
  expect(lib.foo_2bytes('\u1234')).toBe('\u125e');
  expect(lib.foo_4bytes('\u1234')).toBe('\u125e');
  expect(lib.foo_4bytes('\u{12345}')).toBe('\u{1236f}');
});

test('test_modify_struct_value', () => {
  const ffi = new FFI();
  ffi.cdef(`
            typedef struct {
                long left;
                long top;
                long right;
                long bottom;
            } RECT;

            void modify_struct_value(RECT r);
        `);
  const lib = ffi.dlopen(module_);
  const s = ffi.new('RECT *', [11, 22, 33, 44]);
  lib.modify_struct_value(s[0]);
  expect(s.left).toBe(11);
  expect(s.top).toBe(22);
  expect(s.right).toBe(33);
  expect(s.bottom).toBe(44);
});

test('test_dlopen_handle', () => {
  const ffi1 = new FFI();
  ffi1.cdef(`void *dlopen(const char *filename, int flags);
                     int dlclose(void *handle);`);
  const lib1 = ffi1.dlopen('dl');
  const handle = lib1.dlopen(module_, ffi1.RTLD_LAZY);
  expect(ffi1.typeof(handle)).toBe(ffi1.typeof('void *'));
  expect(handle).toBeTruthy();

  const ffi = new FFI();
  ffi.cdef(`unsigned short foo_2bytes(unsigned short a);`);
  // ffi.dlopen() of a handle that C's dlopen() returned (a 'void *' cdata)
  const lib = ffi.dlopen(handle as unknown as string);
  const x = lib.foo_2bytes(1000);
  expect(x).toBe(1042);

  const err = lib1.dlclose(handle);
  expect(err).toBe(0);
});

test('test_return_three_bytes', () => {
  const ffi = new FFI();
  ffi.cdef(`
            typedef struct {
                unsigned char a, b, c;
            } THREEBYTES;

            THREEBYTES return_three_bytes(void);
        `);
  const lib = ffi.dlopen(module_);
  const tb = lib.return_three_bytes();
  expect(tb.a).toBe(12);
  expect(tb.b).toBe(34);
  expect(tb.c).toBe(56);
});
