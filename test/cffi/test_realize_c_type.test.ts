// CFFI's testing/cffi1/test_realize_c_type.py, ported: type strings parsed and named back (ffi.typeof(s).cname), one test per CFFI test, in CFFI's order.
//
// Not ported: none.
//
// Translation notes:
// - `check(input, expected)` builds a fresh `_cffi_backend.FFI()` and compares `ffi.typeof(input).cname`; here a fresh
//   node-cffi FFI does the same. `ffi.error` is FFIError.
// - test_all_primitives walks cffi_opcode.PRIMITIVE_TO_INDEX. CFFI's current list (the one ported) names the complex
//   types '_cffi_float_complex_t' and '_cffi_double_complex_t'; CFFI 1.15.1's named them 'float _Complex' and
//   'double _Complex'. node-cffi accepts both and names them as C spells them (docs/cffi-differences.md, "Complex
//   numbers are `{ real, imag }`"), so both spellings are checked.
// - check_func's '__stdcall *' → '*' rewrite is CFFI's own for every platform but 32-bit Windows, node-cffi's only case.
import { FFI, FFIError } from '../../lib';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** CFFI's check(input, expected_output): a fresh FFI reads `input` as a ctype named `expected` (`input` itself by default). */
function check(input: string, expected?: string): void {
  const ffi = new FFI();
  const ct = ffi.typeof(input);
  expect(ct).toBeInstanceOf(ffi.CType);
  expect(ct.cname).toBe(expected ?? input);
}

/** CFFI's check_func(input, expected_output): the ctype of a callback of type `input` is named `expected`. */
function checkFunc(input: string, expected: string): void {
  const ffi = new FFI();
  const ct = ffi.typeof(ffi.callback(input, () => undefined));
  expect(ct).toBeInstanceOf(ffi.CType);
  // not 32-bit Windows: CFFI drops __stdcall from the name
  expect(ct.cname).toBe(expected.split('__stdcall *').join('*'));
}

test('test_void', () => {
  check('void', 'void');
  check('  void  ', 'void');
});

test('test_int_star', () => {
  check('int');
  check('int *');
  check('int*', 'int *');
  check('long int', 'long');
  check('long');
});

test('test_noop', () => {
  check('int(*)', 'int *');
});

test('test_array', () => {
  check('int[6]');
});

test('test_funcptr', () => {
  check('int(*)(long)');
  // differs from CFFI: see docs/cffi-differences.md, "A function pointer's ctype is a pointer" (node-cffi's type
  // model has function types, and pointers to them, as C has). CFFI's ffi.typeof raises ffi.error "the type
  // 'int(long)' is a function type, not a pointer-to-function type" (and names 'int(void)' 'int()'); here each is
  // the function type of that name, and using one where a pointer-to-function is needed is the error CFFI gives.
  const ffi = new FFI();
  const t1 = ffi.typeof('int(long)');
  expect(t1.kind).toBe('function');
  expect(t1.cname).toBe('int(long)');
  expect((ffi.typeof('int(*)(long)') as Any).item).toBe(t1);
  const t2 = ffi.typeof('int(void)');
  expect(t2.kind).toBe('function');
  expect(t2.cname).toBe('int()');
  expect(() => ffi.cast('int(long)', 0)).toThrow(FFIError);
  expect(() => ffi.cast('int(long)', 0)).toThrow("'int(long)' is a function type, not a pointer-to-function type");
  expect(() => ffi.cast('int(void)', 0)).toThrow(FFIError);
  expect(() => ffi.cast('int(void)', 0)).toThrow("'int()' is a function type, not a pointer-to-function type");
});

test('test_funcptr_rewrite_args', () => {
  check('int(*)(int(int))', 'int(*)(int(*)(int))');
  check('int(*)(long[])', 'int(*)(long *)');
  check('int(*)(long[5])', 'int(*)(long *)');
});

test('test_all_primitives', () => {
  // cffi_opcode.PRIMITIVE_TO_INDEX, in its order
  const names = [
    'char', 'short', 'int', 'long', 'long long', 'signed char', 'unsigned char', 'unsigned short', 'unsigned int',
    'unsigned long', 'unsigned long long', 'float', 'double', 'long double', '_cffi_float_complex_t',
    '_cffi_double_complex_t', '_Bool', 'wchar_t', 'char16_t', 'char32_t', 'int8_t', 'uint8_t', 'int16_t', 'uint16_t',
    'int32_t', 'uint32_t', 'int64_t', 'uint64_t', 'intptr_t', 'uintptr_t', 'ptrdiff_t', 'size_t', 'ssize_t',
    'int_least8_t', 'uint_least8_t', 'int_least16_t', 'uint_least16_t', 'int_least32_t', 'uint_least32_t',
    'int_least64_t', 'uint_least64_t', 'int_fast8_t', 'uint_fast8_t', 'int_fast16_t', 'uint_fast16_t',
    'int_fast32_t', 'uint_fast32_t', 'int_fast64_t', 'uint_fast64_t', 'intmax_t', 'uintmax_t',
  ];
  // differs from CFFI: see docs/cffi-differences.md, "Complex numbers are `{ real, imag }`" (the complex types are
  // named as C spells them; both names are accepted)
  const cSpelling: Record<string, string> = {
    _cffi_float_complex_t: 'float _Complex',
    _cffi_double_complex_t: 'double _Complex',
  };
  for (const name of names) check(name, cSpelling[name] ?? name);
  // CFFI 1.15.1's names of the same two entries
  check('float _Complex', 'float _Complex');
  check('double _Complex', 'double _Complex');
});

test('test_funcptr_stdcall', () => {
  checkFunc('int(int)', 'int(*)(int)');
  checkFunc('int foobar(int)', 'int(*)(int)');
  checkFunc('int __stdcall(int)', 'int(__stdcall *)(int)');
  checkFunc('int __stdcall foobar(int)', 'int(__stdcall *)(int)');
  checkFunc('void __cdecl(void)', 'void(*)()');
  checkFunc('void __cdecl foobar(void)', 'void(*)()');
  checkFunc('void __stdcall(void)', 'void(__stdcall *)()');
  checkFunc('void __stdcall foobar(long, short)', 'void(__stdcall *)(long, short)');
  checkFunc('void(void __cdecl(void), void __stdcall(void))', 'void(*)(void(*)(), void(__stdcall *)())');
});

test('test_variadic_overrides_stdcall', () => {
  check('void (__stdcall*)(int, ...)', 'void(*)(int, ...)');
});
