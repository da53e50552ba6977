// Behaviours checked against Python CFFI 1.15.1 (Debian's python3-cffi), one per case, with what CFFI gives in a comment.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import { FFI, FFIError, StructType } from '../../lib';
import { CC, ccFamily } from '../helpers/compiler';
import { expectThrow } from '../helpers/throws';

const ffi = new FFI();
ffi.cdef(`
struct named { char name[8]; };
struct flags { int e:1; char a:4; };
struct holder { char *p; };
size_t strlen(const char *);
`);
const C = ffi.dlopen(null);

describe('char arrays take strings as CFFI stores bytes', () => {
  test('a shorter string ends with its NUL: the array reads back as that string', () => {
    const p = ffi.new('struct named *', { name: 'abcdefg' });
    p.name = 'xy';
    expect(ffi.string(p.name)).toBe('xy'); // CFFI: b'xy'
    expect(ffi.buffer(p.name).toString('latin1')).toBe('xy\0defg\0'); // CFFI: b'xy\x00defg\x00'
    const rows = ffi.new('char[2][4]', ['abc', 'def']);
    rows[0] = 'x';
    expect([ffi.string(rows[0]), ffi.string(rows[1])]).toEqual(['x', 'def']); // CFFI: b'x', b'def'
    rows[1] = 'wxyz'; // exactly the length: no room, and no NUL
    expect(ffi.buffer(rows).toString('latin1')).toBe('x\0c\0wxyz');
  });

  test('a message names an array of arrays as C spells it', () => {
    expectThrow(() => ffi.new('int[2][3]', [[1], [2], [3]]), RangeError, "ffi.new('int[2][3]'): 3 items do not fit in 'int[2][3]'");
    expectThrow(() => ffi.new('char[][3]', ['abcd']), RangeError, "ffi.new('char[][3]')[0]: string of 4 bytes does not fit in 'char[3]'");
  });
});

describe('one-byte integers', () => {
  test('a signed char, int8_t or uint8_t array passes where a char pointer goes', () => {
    for (const t of ['char', 'signed char', 'unsigned char', 'int8_t', 'uint8_t']) {
      expect(C.strlen(ffi.new(`${t}[]`, [65, 66, 0]))).toBe(2); // CFFI: 2
      expect(ffi.string(ffi.new(`${t}[]`, [65, 0]))).toBe('A'); // CFFI: b'A'
    }
    expect(String(ffi.new('struct holder *', { p: ffi.new('signed char[]', [65, 0]) }).p)).toMatch(/^<cdata 'char \*' 0x/);
    expectThrow(() => C.strlen(ffi.new('short[]', [65, 0])), TypeError, "strlen() argument 1: expected 'char *', got cdata 'short[]'");
  });

  // CFFI takes bytes for an array of, or a pointer to, any one-byte integer; int8_t and uint8_t
  // refused a string where signed and unsigned char took it.
  test('a string initialises arrays and passes for pointers of every one-byte integer type, as CFFI takes bytes', () => {
    const bytes = new FFI();
    bytes.cdef('size_t strlen(const uint8_t *); struct b { int8_t s[4]; uint8_t u[4]; };');
    for (const t of ['char', 'signed char', 'unsigned char', 'int8_t', 'uint8_t']) {
      expect(ffi.unpack(ffi.new(`${t}[]`, 'hi'), 3)).toEqual(t === 'char' ? Buffer.from('hi\0') : [104, 105, 0]); // CFFI: b'hi\x00' / [104, 105, 0]
      expect(ffi.string(ffi.new(`${t}[4]`, 'hey'))).toBe('hey'); // CFFI: b'hey'
    }
    expect(bytes.dlopen(null).strlen('abc')).toBe(3); // CFFI: 3
    const p = bytes.new('struct b *');
    p.s = 'ab';
    p.u = 'xy';
    expect([[...p.s], [...p.u]]).toEqual([[97, 98, 0, 0], [120, 121, 0, 0]]); // CFFI: [97, 98, 0, 0], [120, 121, 0, 0]
    // Wider items, and _Bool, take no string (CFFI: TypeError for bytes).
    expectThrow(() => ffi.new('short[]', 'ab'), TypeError, "ffi.new('short[]'): a string initialises an array of char (or another one-byte integer) or of wide characters, not of 'short'; give a list of items");
    expectThrow(() => ffi.new('_Bool[]', 'a'), TypeError, /not of '_Bool'/);
  });

  test('ffi.unpack gives bytes for char only; signed and unsigned chars are numbers', () => {
    expect(ffi.unpack(ffi.new('char[]', 'A'), 2)).toEqual(Buffer.from('A\0', 'latin1')); // CFFI: b'A\x00'
    expect(ffi.unpack(ffi.new('signed char[]', [-1, 2]), 2)).toEqual([-1, 2]); // CFFI: [-1, 2]
    expect(ffi.unpack(ffi.new('unsigned char[]', [255, 2]), 2)).toEqual([255, 2]); // CFFI: [255, 2]
  });
});

describe('bit-fields', () => {
  test('a signed field of one bit takes 1, which reads back as -1', () => {
    const p = ffi.new('struct flags *', { e: 1 });
    expect(p.e).toBe(-1); // CFFI: -1
    p.e = 0;
    p.e = 1;
    expect(p.e).toBe(-1);
    expectThrow(() => { p.e = 2; }, RangeError, "field 'e' of 'struct flags': 2 does not fit in a 1-bit field of 'int' (-1 to 1)");
  });

  test("an integer is checked against the field's range, not its type's", () => {
    const p = ffi.new('struct flags *');
    expectThrow(() => { p.a = -1; }, RangeError, "field 'a' of 'struct flags': -1 does not fit in a 4-bit field of 'char' (0 to 15)");
    p.a = 15;
    expect(p.a).toBe(15);
  });
});

describe('pointers', () => {
  test('subtracting pointers that are not a whole number of items apart is refused', () => {
    const a = ffi.new('int[4]');
    const q = ffi.cast('int *', ffi.cast('char *', a)!.add(2))!;
    // CFFI: ValueError, the distance between the two pointers is not a multiple of the item size
    expectThrow(() => q.sub(a), RangeError, "int *.sub(): the two pointers are 2 bytes apart, not a whole number of 'int' items (4 bytes each)");
    expect(ffi.cast('int *', a)!.add(3).sub(a)).toBe(3);
  });

  test('a step past 2^53 items says why', () => {
    expectThrow(() => ffi.new('int[2]').add(2 ** 62), RangeError, /2\^53, where JavaScript numbers are no longer exact/);
  });

  test('an address does not cast to a floating-point type', () => {
    // CFFI: TypeError, cannot cast ctype 'void *' to ctype 'double'
    expectThrow(() => ffi.cast('double', ffi.cast('void *', 16)), TypeError, "ffi.cast('double'): cannot cast cdata 'void *' to a floating-point type; cast it to 'uintptr_t' for its address");
    expect(ffi.cast('double', ffi.cast('uintptr_t', ffi.cast('void *', 16)))).toBe(16);
  });

  test('a cast to an array type is the array at that address, where memory holds it (docs/cffi-differences.md)', () => {
    const a = ffi.new('int[4]', [1, 2, 3, 4]);
    const three = ffi.cast('int[3]', ffi.cast('int *', a)!.add(1))!; // CFFI: <cdata 'int[3]' 0x...>
    expect([ffi.typeof(three).cname, [...three]]).toEqual(['int[3]', [2, 3, 4]]);
    expect(ffi.cast('int[3]', null)).toBeNull(); // CFFI: <cdata 'int[3]' NULL>
    expectThrow(() => ffi.cast('int[3]', ffi.new('int *')), RangeError, 'lies outside the 4 bytes of the memory');
    expectThrow(() => ffi.cast('int[3]', 16), RangeError, 'address 0x10 is not valid memory');
  });

  test('a library object given where a value is expected is named as one (was: "no function named \'real\'")', () => {
    expectThrow(() => ffi.cast('int', C), TypeError, "ffi.cast('int'): cannot cast the library object of the C library to 'int'");
    expectThrow(() => ffi.new('double _Complex *', C), TypeError, 'got the library object of the C library');
  });
});

describe('open array members', () => {
  const fam = new FFI();
  fam.cdef('struct fam { int n; int data[]; };');

  test("an array's struct has no items of its own: its open array member is a pointer", () => {
    const q = fam.new('struct fam[2]');
    q[1].n = 7;
    expect(fam.typeof(q[0].data).cname).toBe('int *'); // CFFI: <ctype 'int *'>
    expect(q[0].data[0]).toBe(7); // CFFI: 7 (q[1].n, as C reads it)
    expectThrow(() => q[0].data[1], RangeError, /outside the 8 bytes/); // CFFI reads past the array
    expect(fam.typeof(fam.new('struct fam[1]')[0].data).cname).toBe('int *'); // CFFI: <ctype 'int *'>
  });

  test('the struct ffi.new() sized keeps its items, through the pointer and through item 0', () => {
    const p = fam.new('struct fam *', { n: 3, data: [1, 2, 3] });
    expect([fam.typeof(p.data).cname, p.data.length]).toEqual(['int[]', 3]); // CFFI: <ctype 'int[]'>, 3
    expect([fam.typeof(p[0].data).cname, p[0].data.length]).toEqual(['int[]', 3]); // CFFI: <ctype 'int[]'>, 3
    expect(fam.new('struct fam *').data.length).toBe(0); // CFFI: 0
    expect(fam.typeof(fam.cast('struct fam *', p)!.data).cname).toBe('int *'); // CFFI: <ctype 'int *'>
  });
});

describe("CFFI's defaults", () => {
  test('-1 for no limit in ffi.string and the whole cdata in ffi.buffer; null initialises nothing', () => {
    const s = ffi.new('char[]', 'hi');
    expect(ffi.string(s, -1)).toBe('hi'); // CFFI: b'hi'
    expect(ffi.buffer(s, -1).length).toBe(3); // CFFI: 3
    expect([...ffi.new('int[3]', null)]).toEqual([0, 0, 0]); // CFFI (None): [0, 0, 0]
    expect(ffi.new('int *', null)[0]).toBe(0);
    expectThrow(() => ffi.string(s, -2), TypeError, 'ffi.string(): maxlen must be a non-negative integer (or -1: no limit), got -2');
  });

  test('releasing twice does nothing more', () => {
    const p = ffi.new('int *');
    ffi.release(p);
    ffi.release(p); // CFFI: None
    expectThrow(() => p[0], TypeError, /released/);
  });
});

describe('reprs', () => {
  test('an ffi.gc() cdata shows its address; a handle what it stands for', () => {
    expect(String(ffi.gc(ffi.cast('int *', 0x1000)!, () => null))).toBe("<cdata 'int *' 0x1000>"); // CFFI: the same
    const owned = ffi.new('int *');
    expect(String(ffi.gc(owned, () => null))).toBe(`<cdata 'int *' 0x${(ffi.cast('uintptr_t', owned) as number).toString(16)}>`);
    expect(String(ffi.newHandle({}))).toBe("<cdata 'void *' handle to {}>"); // CFFI: <cdata 'void *' handle to {}>
    expect(util.inspect(ffi.newHandle('text'))).toBe("<cdata 'void *' handle to 'text'>");
  });

  test('a wide string with a unit past Unicode names the value C holds', () => {
    expectThrow(() => ffi.string(ffi.cast('wchar_t *', ffi.new('int32_t[]', [-5, 0]))!), RangeError, 'ffi.string(): -5 is not a Unicode code point (0 to 0x10ffff)');
    expectThrow(() => ffi.string(ffi.cast('char32_t *', ffi.new('uint32_t[]', [0x110000, 0]))!), RangeError, 'ffi.string(): 1114112 is not a Unicode code point (0 to 0x10ffff)');
  });
});

describe('cdef', () => {
  test('an empty member declaration in a struct is nothing, as GCC and CFFI take it', () => {
    const f = new FFI();
    f.cdef('struct s { int a;; ; int b; };');
    expect([f.sizeof('struct s'), (f.typeof('struct s') as StructType).fields!.map((m) => m.name)]).toEqual([8, ['a', 'b']]); // CFFI: 8, a and b
  });
});

describe('libraries and calls', () => {
  test("ffi.errno is what the program's C calls left: loading a library or binding a function at its first use keeps it", () => {
    const f = new FFI();
    f.cdef('int set_errno(int); int get_errno(void); int other(void);');
    const L = f.verify('#include <errno.h>\nint set_errno(int e) { errno = e; return -1; }\nint get_errno(void) { return errno; }\nint other(void) { return 0; }');
    L.set_errno(15);
    f.dlopen(null);
    f.dlopen('m');
    expect(f.errno).toBe(15); // CFFI: 15
    const g = new FFI();
    g.cdef('int one(void);');
    g.verify('int one(void) { return 1; }');
    expect(f.errno).toBe(15);
    f.errno = 5;
    expect(L.get_errno()).toBe(5); // its first call binds it: CFFI: 5
    L.set_errno(7);
    expect(L.other()).toBe(0); // binding other() on the way
    expect(f.errno).toBe(7);
  });

  test("a function the C library links into each program statically is missing from dlopen(), with why and what does have it", () => {
    const f = new FFI();
    f.cdef('int atexit(void (*)(void)); int no_such_function_here(void); int abs(int);');
    const C = f.dlopen(null);
    expect(C.abs(-3)).toBe(3);
    const plain = "symbol 'atexit': not found in the running process";
    // glibc's libc_nonshared.a holds atexit: the compiler's library directories say where (tcc names none).
    const why = ccFamily() === 'tcc' ? '$' : "; the C library links 'atexit' into each program from a static archive \\(glibc's libc_nonshared\\.a\\), so no shared library exports it: call it from C built by verify\\(\\) or cc\\(\\), whose link takes it in$";
    expectThrow(() => C.atexit, FFIError, new RegExp(`^${plain}${why}`));
    // Any other missing name keeps the plain message.
    expectThrow(() => C.no_such_function_here, FFIError, /^symbol 'no_such_function_here': not found in the running process$/);
    // verify() links it.
    const g = new FFI();
    g.cdef('int atexit(void (*)(void));');
    expect(typeof g.verify('#include <stdlib.h>').atexit).toBe('function');
  });

  test("a bare name no file has is found in the dynamic linker's cache, as CFFI finds it", () => {
    const f = new FFI();
    f.cdef('double cos(double); int abs(int);');
    expect(f.dlopen('m').cos(0)).toBe(1); // CFFI: ffi.dlopen('m') opens libm
    expect(f.dlopen('c').abs(-3)).toBe(3);
    expectThrow(() => f.dlopen('no-such-library-here'), Error, /nor has the dynamic linker's cache \(ldconfig -p\) a 'libno-such-library-here\.so', nor the C compiler's library directories$/);
    // A library's file name is looked for as it is, in any version ('libgcc_s.so': libgcc_s.so.1, which has no development link).
    expectThrow(() => f.dlopen('libno-such-library-here.so'), Error, /nor has the dynamic linker's cache \(ldconfig -p\) a 'libno-such-library-here\.so', nor the C compiler's library directories$/);
    expect(f.dlopen('libgcc_s.so')).toBeDefined();
  });

  test('a static library or a linker script given to dlopen() says what it is and what to do (CFFI: "invalid ELF header")', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-notelf-'));
    try {
      fs.writeFileSync(path.join(dir, 'one.c'), 'int one(void) { return 1; }\n');
      expect(spawnSync(CC, ['-c', '-fPIC', 'one.c', '-o', 'one.o'], { cwd: dir, encoding: 'utf8' }).status).toBe(0);
      expect(spawnSync('ar', ['rcs', 'libone.a', 'one.o'], { cwd: dir, encoding: 'utf8' }).status).toBe(0);
      fs.writeFileSync(path.join(dir, 'libscript.so'), '/* GNU ld script */\nGROUP ( /lib/libreal.so.6 )\n');
      const f = new FFI();
      f.cdef('int one(void);');
      const archive = path.join(dir, 'libone.a');
      expectThrow(() => f.dlopen(archive), FFIError, `ffi.dlopen(): ${archive} is a static library (an ar archive), which a link takes in and dlopen() cannot load; build a library with it: ffi.verify(source, { extraObjects: ['${archive}'] }), or libraries and libraryDirs as for -l (`);
      expect(f.verify('int one(void);', { extraObjects: [archive] }).one()).toBe(1);
      const script = path.join(dir, 'libscript.so');
      expectThrow(() => f.dlopen(script), FFIError, `ffi.dlopen(): ${script} is a linker script (text the linker reads), not a library; ffi.dlopen() the library it names (/lib/libreal.so.6) (`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a library whose own dependency the dynamic linker does not find says which, and what to do', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-dependency-'));
    try {
      const cc = (args: string[]) => expect(spawnSync(CC, args, { cwd: dir, encoding: 'utf8' }).status).toBe(0);
      fs.writeFileSync(path.join(dir, 'dep.c'), 'int dep(void) { return 5; }\n');
      fs.writeFileSync(path.join(dir, 'user.c'), 'int dep(void);\nint via(void) { return dep(); }\n');
      cc(['-shared', '-fPIC', '-Wl,-soname,libncffidepfid.so', 'dep.c', '-o', 'libncffidepfid.so']);
      cc(['-shared', '-fPIC', 'user.c', '-L.', '-lncffidepfid', '-o', 'libuser.so']);
      const f = new FFI();
      f.cdef('int via(void);');
      const user = path.join(dir, 'libuser.so');
      expectThrow(
        () => f.dlopen(user),
        FFIError,
        `ffi.dlopen(): ${user} needs libncffidepfid.so, which the dynamic linker does not find; give its directory in LD_LIBRARY_PATH before node starts, ` +
          'or ffi.dlopen() libncffidepfid.so by its path first (a library loaded under that name serves the others)',
      );
      // As it says: the dependency opened by its path first, the library opens.
      f.dlopen(path.join(dir, 'libncffidepfid.so'));
      expect(f.dlopen(user).via()).toBe(5);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a function first called after ffi.dlclose() says the library was closed', () => {
    const f = new FFI();
    f.cdef('int one(void); int two(void);');
    const V = f.verify('int one(void) { return 1; } int two(void) { return 2; }', { filename: 'closing.c' });
    expect(V.one()).toBe(1);
    f.dlclose(V);
    for (const call of [() => V.one(), () => V.two()]) expectThrow(call, Error, /^(one|two)\(\): the verify\(\) library for closing\.c was closed with ffi\.dlclose\(\)$/);
  });

  test('through a function pointer, a variadic argument may name a built-in type', () => {
    const f = new FFI();
    f.cdef('int snprintf(char *, size_t, const char *, ...);');
    const l = f.dlopen(null);
    const p = f.cast('int(*)(char *, size_t, const char *, ...)', f.addressof(l, 'snprintf')) as (...a: unknown[]) => number;
    const out = f.new('char[64]');
    p(out, 64, '%d %s %.1f %lu', ['int', 7], ['const char *', f.new('char[]', 'hi')], ['double', 1.5], ['unsigned long', 9]);
    expect(f.string(out)).toBe('7 hi 1.5 9');
    expectThrow(
      () => p(out, 64, '%d', ['my_t', 7]),
      TypeError,
      "'int(*)(char *, size_t, char *, ...)' argument 4 (variadic): type 'my_t' is not one of C's own, which are all a call through a function pointer knows: pass a ctype (ffi.typeof('my_t'))",
    );
    // Through the library's own function, the pair's type is read with its cdef; a wrong one says which argument gave it.
    expectThrow(() => l.snprintf(out, 64, '%d', ['nonsense', 7]), Error, /^snprintf\(\) argument 4 \(variadic\): .*unknown type name 'nonsense'/);
  });

  test('NULL and a library function have the size of a pointer; memmove of 0 bytes takes NULL', () => {
    expect(ffi.sizeof(null)).toBe(8); // CFFI: 8
    expect(ffi.sizeof(C.strlen)).toBe(8); // CFFI: 8
    ffi.memmove(null, null, 0); // CFFI: accepted
    expectThrow(() => ffi.memmove(null, Buffer.alloc(4), 4), TypeError, 'ffi.memmove(): dest is NULL (null), which no bytes can be written to');
  });

  test("a void callback's error value is refused, as CFFI refuses it", () => {
    expectThrow(() => ffi.callback('void(*)(int)', () => undefined, { error: 5 }), TypeError, /options\.error is of no use for a callback whose result type is 'void'/);
    expect(ffi.callback('void(*)(int)', () => undefined, { error: null })).not.toBeNull();
  });
});

describe('cdef takes the C that CFFI takes', () => {
  test("'register' on a parameter, and '$' in names, in both modes", () => {
    const f = new FFI();
    f.cdef('int add$1(register int x, register const char *s); extern int $count;'); // CFFI: accepted
    expect(String(f.typeof('int(*)(register int)'))).toBe("<ctype 'int(*)(int)'>"); // CFFI: <ctype 'int(*)(int)'>
    const lib = f.verify('int add$1(register int x, register const char *s) { return x + (int)s[0]; } int $count = 7;') as unknown as Record<string, (...a: unknown[]) => number> & { $count: number };
    expect([lib['add$1'](1, 'A'), lib.$count]).toEqual([66, 7]);
  });
});
