// A struct that holds another by value before that one is defined ('struct a { struct b x; }; struct b { ... };'): laid out when it is, as CFFI lays structs out at their first use.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CDefError, FFI, FFIError } from '../../lib';
import type { StructType } from '../../lib/ctype/model';
import { expectThrow } from '../helpers/throws';

const B = 'struct b { int y; double d; };';
const A = 'struct a { char n; struct b x[2]; int z; };';
const C = 'struct c { struct a q; char k; };';

/** Each struct's size, alignment and field offsets. */
function layouts(ffi: FFI, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    names.map((name) => {
      const t = ffi.typeof(name) as StructType;
      return [name, { size: ffi.sizeof(t), align: ffi.alignof(t), fields: (t.fields ?? []).map((f) => [f.name, f.offset]) }];
    }),
  );
}

const inOrder = (): Record<string, unknown> => {
  const ffi = new FFI();
  ffi.cdef(`${B} ${A} ${C}`);
  return layouts(ffi, ['struct a', 'struct b', 'struct c']);
};

describe('defined after a struct holds it', () => {
  test('in one cdef, in any order: the layouts of the definitions in C order', () => {
    const expected = inOrder();
    for (const text of [`${C} ${A} ${B}`, `${A} ${C} ${B}`, `${C} ${B} ${A}`]) {
      const ffi = new FFI();
      ffi.cdef(text);
      expect(layouts(ffi, ['struct a', 'struct b', 'struct c'])).toEqual(expected);
    }
    // The values CFFI 1.15.1 gives for the same cdef.
    expect(expected).toMatchObject({ 'struct a': { size: 48, align: 8 }, 'struct c': { size: 56, fields: [['q', 0], ['k', 48]] } });
  });

  test('across cdef calls, through typedefs, arrays of arrays and flexible array members', () => {
    const ffi = new FFI();
    ffi.cdef('typedef struct b b_t; struct a { b_t m[2][3]; char z; }; struct f { int n; struct b items[]; };');
    expect((ffi.typeof('struct a') as StructType).fields).toBeNull();
    ffi.cdef('struct b { short s; };');
    expect(layouts(ffi, ['struct a', 'struct f'])).toEqual({
      'struct a': { size: 14, align: 2, fields: [['m', 0], ['z', 12]] },
      'struct f': { size: 4, align: 4, fields: [['n', 0], ['items', 4]] },
    });
    const f = ffi.new('struct f *', [2, [[7], [9]]]);
    expect(f.items[1].s).toBe(9);
  });

  test('a cdata made before the definition reads the fields after it', () => {
    const ffi = new FFI();
    ffi.cdef(`${A} int abs(int);`);
    const mem = ffi.new('char[64]');
    const p = ffi.cast('struct a *', mem)!;
    expectThrow(() => p.z, TypeError, "points to an opaque type: cannot read fields ('z')");
    ffi.cdef(B);
    p.z = 7;
    expect(p.z).toBe(7);
    expect(ffi.cast('int *', ffi.addressof(mem, ffi.offsetof('struct a', 'z')))![0]).toBe(7);
  });

  test('used before: the error names the member and the struct it waits for', () => {
    const ffi = new FFI();
    ffi.cdef(`struct b; ${C} ${A}`);
    const waits = "'struct a' is not laid out: its member 'x' is of type 'struct b[2]', and 'struct b' is declared but never defined (opaque)";
    expectThrow(() => ffi.new('struct a *'), FFIError, `ffi.new('struct a *'): ${waits}`);
    expectThrow(() => ffi.sizeof('struct c'), FFIError, `ffi.sizeof('struct c'): 'struct c' is not laid out: its member 'q' is of type 'struct a', and ${waits}`);
    expectThrow(() => ffi.offsetof('struct a', 'z'), FFIError, "'struct a'");
    expect((ffi.typeof('struct a') as StructType).fields).toBeNull();
    // Pointers to it are fine, as to any incomplete struct.
    expect(ffi.sizeof('struct a *')).toBe(8);
  });

  test('a cdef that fails after defining the struct leaves the holders waiting', () => {
    const ffi = new FFI();
    ffi.cdef(A);
    expectThrow(() => ffi.cdef(`${B} int broken(;`), CDefError, 'cdef:1:');
    expectThrow(() => ffi.sizeof('struct a'), FFIError, "'struct b' is declared but never defined");
    ffi.cdef('struct b { char c; };');
    expect(ffi.sizeof('struct a')).toBe(8);
  });

  test('declared again: the same body is the same struct; another body is a conflict, as for any struct', () => {
    const ffi = new FFI();
    ffi.cdef(A);
    const a = ffi.typeof('struct a');
    ffi.cdef(A);
    expect(ffi.typeof('struct a')).toBe(a);
    expectThrow(() => ffi.cdef('struct a { char n; struct b x[3]; int z; };'), CDefError, "'struct a' is already defined with different members");
    ffi.cdef(B);
    expect(ffi.sizeof(a)).toBe(48);
  });

  test('each FFI lays out its own: a text parsed before is not taken with another FFI\'s layout', () => {
    const first = new FFI();
    first.cdef(A);
    first.cdef(B);
    const second = new FFI();
    second.cdef(A);
    expectThrow(() => second.sizeof('struct a'), FFIError, "'struct b' is declared but never defined");
    second.cdef('struct b { char c; };');
    expect([first.sizeof('struct a'), second.sizeof('struct a')]).toEqual([48, 8]);
  });

  test('what can never be laid out is refused at once: a struct holding itself, a cycle, an opaque typedef', () => {
    expectThrow(() => new FFI().cdef('struct s { int n; struct s self; };'), CDefError, "cdef:1:28: member 'self' has incomplete type 'struct s'");
    expectThrow(() => new FFI().cdef('struct p { struct q x; }; struct q { struct p y[2]; };'), CDefError, "cdef:1:47: member 'y' has incomplete type 'struct p[2]'");
    expectThrow(() => new FFI().cdef('typedef ... h_t; struct s { h_t h; };'), CDefError, "cdef:1:33: member 'h' has incomplete type 'h_t'");
  });

  test('a definition whose layout the compiler gives (...) leaves the holder to verify() too', () => {
    const ffi = new FFI();
    ffi.cdef('struct b; struct a { char n; struct b x; int z; };');
    ffi.cdef('struct b { int y; ...; };');
    expectThrow(() => ffi.sizeof('struct a'), FFIError, 'not known until verify() compiles it');
    const tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-later-'));
    try {
      ffi.verify('struct b { long pad; int y; }; struct a { char n; struct b x; int z; };', { tmpdir });
      expect(layouts(ffi, ['struct a'])).toEqual({ 'struct a': { size: 32, align: 8, fields: [['n', 0], ['x', 8], ['z', 24]] } });
    } finally {
      fs.rmSync(tmpdir, { recursive: true, force: true });
    }
  });
});
