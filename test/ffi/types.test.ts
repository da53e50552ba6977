// The type model through the facade: sizeof, alignof, offsetof, typeof, getctype, listTypes.
import { CDefError, FFI, FFIError } from '../../lib';
import { expectThrow } from '../helpers/throws';

const ffi = new FFI();
ffi.cdef(`
typedef int myint_t, *pmyint_t, arr3_t[3];
struct pt { int x; double y; };
struct outer { char c; struct pt p; int arr[5]; struct { short s; } inner; };
union u { int i; double d; char c[3]; };
typedef struct { long a; } anon_t;
enum e { E0, E1 = 0x10, E2 };
typedef int (*op_t)(int, int);
struct opaque;
struct flex { int n; double data[]; };
`);

test('sizeof and alignof of types and typedefs', () => {
  expect(ffi.sizeof('int')).toBe(4);
  expect(ffi.sizeof('long')).toBe(8);
  expect(ffi.sizeof('long double')).toBe(16);
  expect(ffi.sizeof('myint_t')).toBe(4);
  expect(ffi.sizeof('pmyint_t')).toBe(8);
  expect(ffi.sizeof('arr3_t')).toBe(12);
  expect(ffi.sizeof('struct pt')).toBe(16);
  expect(ffi.alignof('struct pt')).toBe(8);
  expect(ffi.sizeof('union u')).toBe(8);
  expect(ffi.sizeof('enum e')).toBe(4);
  expect(ffi.sizeof('op_t')).toBe(8);
  expect(ffi.sizeof('struct flex')).toBe(8);
  expect(ffi.sizeof('int[2][3]')).toBe(24);
  expect(ffi.sizeof(ffi.typeof('struct pt'))).toBe(16);
  expectThrow(() => ffi.sizeof('void'), FFIError, "ffi.sizeof('void'): 'void' has no size");
  expect(() => ffi.sizeof('struct opaque')).toThrow(/declared but never defined/);
  expect(() => ffi.sizeof('int[]')).toThrow(/unknown length/);
  expectThrow(() => ffi.sizeof('nosuch'), CDefError, "type 'nosuch': column 1: unknown type name 'nosuch'");
});

test('offsetof, nested and through arrays', () => {
  expect(ffi.offsetof('struct pt', 'y')).toBe(8);
  expect(ffi.offsetof('struct outer', 'p', 'y')).toBe(16);
  expect(ffi.offsetof('struct outer', 'arr', 2)).toBe(32);
  expect(ffi.offsetof('struct outer', 'inner', 's')).toBe(44);
  expect(() => ffi.offsetof('struct outer', 'nope')).toThrow(/has no field 'nope'/);
  expectThrow(() => ffi.offsetof('struct outer', 'arr', 6), RangeError, "ffi.offsetof('struct outer'): index 6 is out of bounds for 'int[5]'");
  expect(() => ffi.offsetof('int', 'x')).toThrow(/has no fields/);
});

test('typeof gives interned ctypes with CFFI attributes', () => {
  const p = ffi.typeof('int *');
  expect(p).toBe(ffi.typeof('int*'));
  expect(p.kind).toBe('pointer');
  expect(p.kind === 'pointer' && p.item).toBe(ffi.typeof('int'));
  const a = ffi.typeof('int[5]');
  expect(a.kind === 'array' && a.length).toBe(5);
  const s = ffi.typeof('struct pt');
  expect(s.kind).toBe('struct');
  expect(s.kind === 'struct' && s.fields!.map((f) => [f.name, f.type.cname, f.offset])).toEqual([
    ['x', 'int', 0],
    ['y', 'double', 8],
  ]);
  const f = ffi.typeof('op_t');
  expect(f.cname).toBe('int(*)(int, int)');
  const fn = f.kind === 'pointer' ? f.item : null;
  expect(fn?.kind).toBe('function');
  expect(fn?.kind === 'function' && [fn.args.map((x) => x.cname), fn.result.cname, fn.ellipsis]).toEqual([['int', 'int'], 'int', false]);
  const e = ffi.typeof('enum e');
  expect(e.kind === 'enum' && e.elements).toEqual({ 0: 'E0', 16: 'E1', 17: 'E2' });
  expect(ffi.typeof('anon_t').cname).toBe('anon_t');
  expect(ffi.typeof('void').kind).toBe('void');
  expect(ffi.typeof('union u').kind).toBe('union');
  expect(ffi.typeof('double').kind).toBe('primitive');
  expect(String(p)).toBe("<ctype 'int *'>");
});

test('primitive and array types are read-only: a write cannot change the layouts every FFI uses', () => {
  const ffi = new FFI();
  const int = ffi.typeof('int') as unknown as Record<string, unknown>;
  const four = ffi.typeof('int[4]') as unknown as Record<string, unknown>;
  for (const [t, key, value] of [[int, 'size', 1], [int, 'align', 1], [int, 'repr', 'i8'], [four, 'length', 99], [four, 'item', ffi.typeof('char')]] as const) {
    expect(() => {
      t[key] = value;
    }).toThrow(TypeError);
  }
  expect([new FFI().sizeof('int'), ffi.sizeof('int[4]'), ffi.new('int[4]', [1, 2, 3, 4])[3]]).toEqual([4, 16, 4]);
});

test('getctype inserts at the declarator position', () => {
  expect(ffi.getctype('int', '*')).toBe('int *');
  expect(ffi.getctype('int', '[5]')).toBe('int[5]');
  expect(ffi.getctype('int[5]', '*')).toBe('int(*)[5]');
  expect(ffi.getctype('struct pt', '*')).toBe('struct pt *');
  expect(ffi.getctype('int *')).toBe('int *');
  expect(ffi.getctype('char *', '*')).toBe('char * *');
});

test('listTypes names typedefs, structs and unions', () => {
  const t = ffi.listTypes();
  expect(t.typedefs).toEqual(['anon_t', 'arr3_t', 'myint_t', 'op_t', 'pmyint_t']);
  expect(t.structs).toEqual(['flex', 'opaque', 'outer', 'pt']);
  expect(t.unions).toEqual(['u']);
});

test('a type name asked for again after a cdef changed what it names is the new type, whichever call asks', () => {
  const f = new FFI();
  f.cdef('typedef int num_t;');
  expect(f.typeof('num_t')).toBe(f.typeof('int'));
  expect(f.typeof('num_t')).toBe(f.typeof('int'));
  f.cdef('typedef double num_t;', { override: true });
  expect(f.typeof('num_t')).toBe(f.typeof('double'));
  expect(f.sizeof('num_t')).toBe(8);
  expect(f.cast('num_t', 1.5)).toBe(1.5);
  // A type name that declares a tag ('struct later *') changes the table too.
  const p = f.cast('struct later *', 4096);
  expect(f.typeof(p)).toBe(f.typeof('struct later *'));
  f.cdef('struct later { int x; };');
  expect(f.sizeof('struct later')).toBe(4);
  expect(f.typeof('struct later *')).toBe(f.typeof(p));
});
