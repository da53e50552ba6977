// CFFI's testing/cffi0/test_model.py, ported: the C names of the type model (cffi.model's get_c_name) through ffi.getctype, one test per CFFI test, in CFFI's order.
//
// Not ported: none.
//
// How the model is translated. CFFI's test builds cffi.model objects directly and asks each for its C name with a
// declarator inserted (`t.get_c_name('*foo')`); node-cffi's model is internal, and its public counterpart is
// `ffi.getctype(type, declarator)`, CFFI's own `ffi.getctype(cdecl, replace_with)`. Each model object becomes the type
// string cffi's parser builds it from (PrimitiveType('int') → 'int', ConstPointerType(int) → 'const int *',
// PointerType(long long, Q_RESTRICT) → 'long long restrict *', unknown_type('foo_t') → `typedef ... foo_t;`,
// unknown_ptr_type('foo_p') → `typedef ... *foo_p;`), and the expected names are what CFFI's `ffi.getctype` gives for
// it (CFFI 1.15.1): CFFI's public names are not the model's. They drop qualifiers ('int const * x' is 'int * x'), name
// no parameters '()' where the model writes '(void)', and name a `typedef ... *foo_p;` by its hidden struct,
// 'struct $$foo_p *'.
//
// test_raw_function_type: CFFI's ffi.getctype refuses a function type (CDefError "is a function type, not a
// pointer-to-function type"); node-cffi's model has function types (docs/cffi-differences.md, "A function pointer's
// ctype is a pointer"). The names without a declarator are checked as CFFI's backend spells a function type ('int()',
// as in its ffi.error message "the type 'int()' is a function type"); a name with a declarator is checked by reading
// it back: the model's 'int( *foo)(void)' is, read by CFFI's parser, the type 'int(*)(void)', so
// `ffi.typeof(ffi.getctype('int(void)', '*foo'))` must be `ffi.typeof('int(*)(void)')`.
import { FFI, FFIError } from '../../lib';

/** A C name with a declarator, read back as a type name, is the type `expected` (its CFFI name first, for a readable failure). */
function readBack(ffi: FFI, name: string, expected: string): void {
  const t = ffi.typeof(name);
  expect(t.cname).toBe(ffi.typeof(expected).cname);
  expect(t).toBe(ffi.typeof(expected));
}

test('test_void_type', () => {
  const ffi = new FFI();
  expect(ffi.getctype('void')).toBe('void');
  expect(ffi.getctype('void', 'foo')).toBe('void foo');
  expect(ffi.getctype('void', '*foo')).toBe('void *foo');
});

test('test_primitive_type', () => {
  const ffi = new FFI();
  expect(ffi.getctype('int')).toBe('int');
  expect(ffi.getctype('int', 'foo')).toBe('int foo');
  expect(ffi.getctype('int', '*foo')).toBe('int *foo');
  expect(ffi.getctype('int', '[5]')).toBe('int[5]');
});

test('test_raw_function_type', () => {
  const ffi = new FFI();
  // differs from CFFI: see docs/cffi-differences.md, "A function pointer's ctype is a pointer" (function types)
  let fnType = 'int(void)';
  expect(ffi.getctype(fnType)).toBe('int()'); // model: 'int()(void)'
  readBack(ffi, ffi.getctype(fnType, '*'), 'int(*)(void)'); // model: 'int( *)(void)'
  readBack(ffi, ffi.getctype(fnType, '*foo'), 'int(*)(void)'); // model: 'int( *foo)(void)'
  fnType = 'int(int)';
  expect(ffi.getctype(fnType)).toBe('int(int)');
  fnType = 'int(int, int)';
  expect(ffi.getctype(fnType)).toBe('int(int, int)');
  //
  fnType = 'int(int, ...)';
  expect(ffi.getctype(fnType)).toBe('int(int, ...)');
  readBack(ffi, ffi.getctype(fnType, '*foo'), 'int(*)(int, ...)'); // model: 'int( *foo)(int, ...)'
  //
  // RawFunctionType([int], FunctionPtrType([int], int, True), True)
  fnType = 'int(*(int, ...))(int, ...)';
  expect(ffi.typeof(fnType).kind).toBe('function');
  readBack(ffi, ffi.getctype(fnType, 'x'), fnType); // model: 'int(*( x)(int, ...))(int, ...)'
});

test('test_function_ptr_type', () => {
  const ffi = new FFI();
  let fnType = 'int(*)(void)';
  expect(ffi.getctype(fnType)).toBe('int(*)()');
  expect(ffi.getctype(fnType, '*')).toBe('int(* *)()');
  expect(ffi.getctype(fnType, '*foo')).toBe('int(* *foo)()');
  fnType = 'int(*)(int)';
  expect(ffi.getctype(fnType)).toBe('int(*)(int)');
  fnType = 'int(*)(int, int)';
  expect(ffi.getctype(fnType)).toBe('int(*)(int, int)');
  //
  fnType = 'int(*)(int, ...)';
  expect(ffi.getctype(fnType)).toBe('int(*)(int, ...)');
});

test('test_pointer_type', () => {
  const ffi = new FFI();
  expect(ffi.getctype('int *', 'x')).toBe('int * x');
});

test('test_const_pointer_type', () => {
  const ffi = new FFI();
  // CFFI's names drop qualifiers (model: 'int const * x', 'int const (*)[5]', ...)
  expect(ffi.getctype('const int *', 'x')).toBe('int * x');
  expect(ffi.getctype('const int(*)[5]', '')).toBe('int(*)[5]');
  expect(ffi.getctype('const int(*)[5]', '*x')).toBe('int(* *x)[5]');
  expect(ffi.getctype('int const * const (*)[5]', 'x')).toBe('int *(* x)[5]');
  expect(ffi.getctype('int const *(*)[5]', 'x')).toBe('int *(* x)[5]');
  expect(ffi.getctype('int * const (*)[5]', 'x')).toBe('int *(* x)[5]');
});

test('test_qual_pointer_type', () => {
  const ffi = new FFI();
  expect(ffi.getctype('long long restrict *', '')).toBe('long long *'); // model: 'long long __restrict *'
  expect(ffi.getctype('const void *', '')).toBe('void *'); // model: 'void const *'
});

test('test_unknown_pointer_type', () => {
  const ffi = new FFI();
  ffi.cdef('typedef ... *foo_p;');
  expect(ffi.getctype('foo_p', '')).toBe('struct $$foo_p *'); // model: 'foo_p'
  expect(ffi.getctype('foo_p', 'x')).toBe('struct $$foo_p * x'); // model: 'foo_p x'
});

test('test_unknown_type', () => {
  const ffi = new FFI();
  ffi.cdef('typedef ... foo_t;');
  expect(ffi.getctype('foo_t', '')).toBe('foo_t');
  expect(ffi.getctype('foo_t', 'x')).toBe('foo_t x');
});

test('test_array_type', () => {
  const ffi = new FFI();
  ffi.cdef('typedef ... foo_t; typedef ... *foo_p;');
  let aType = 'int[]';
  expect(ffi.getctype(aType, '')).toBe('int[]');
  expect(ffi.getctype(aType, 'x')).toBe('int x[]');
  expect(ffi.getctype(aType, '*x')).toBe('int(*x)[]');
  expect(ffi.getctype(aType, ' *x')).toBe('int(*x)[]');
  expect(ffi.getctype(aType, '[5]')).toBe('int[5][]');
  // ArrayType(unknown_type('foo_t'), 5): CFFI's ffi.getctype raises ValueError ("array item of unknown size:
  // 'foo_t'"), an FFIError here (docs/cffi-differences.md, "A type without a size: one error, `FFIError`"; the
  // parser's CDefError is one). Model: 'foo_t[5]', 'foo_t x[5]', 'foo_t(*x)[5]'.
  aType = 'foo_t[5]';
  expect(() => ffi.getctype(aType, '')).toThrow(FFIError);
  expect(() => ffi.getctype(aType, '')).toThrow(/foo_t/);
  expect(() => ffi.getctype(aType, 'x')).toThrow(FFIError);
  expect(() => ffi.getctype(aType, '*x')).toThrow(FFIError);
  aType = 'foo_p[]';
  expect(ffi.getctype(aType, '')).toBe('struct $$foo_p *[]'); // model: 'foo_p[]'
  expect(ffi.getctype(aType, 'x')).toBe('struct $$foo_p * x[]'); // model: 'foo_p x[]'
  expect(ffi.getctype(aType, '*x')).toBe('struct $$foo_p *(*x)[]'); // model: 'foo_p(*x)[]'
  aType = 'const int *[]';
  expect(ffi.getctype(aType, '')).toBe('int *[]');
  expect(ffi.getctype(aType, 'x')).toBe('int * x[]');
  expect(ffi.getctype(aType, '*x')).toBe('int *(*x)[]');
  aType = 'int(*[5])(void)';
  expect(ffi.getctype(aType, '')).toBe('int(*[5])()');
  expect(ffi.getctype(aType, 'x')).toBe('int(* x[5])()');
  expect(ffi.getctype(aType, '*x')).toBe('int(*(*x)[5])()');
});

test('test_struct_type', () => {
  const ffi = new FFI();
  ffi.cdef('struct foo_s;');
  expect(ffi.getctype('struct foo_s')).toBe('struct foo_s');
  expect(ffi.getctype('struct foo_s', '*x')).toBe('struct foo_s *x');
});

test('test_union_type', () => {
  const ffi = new FFI();
  ffi.cdef('union foo_s;');
  expect(ffi.getctype('union foo_s')).toBe('union foo_s');
});

test('test_enum_type', () => {
  const ffi = new FFI();
  // EnumType('foo_e', [], []): an enum with no enumerators, as an undeclared 'enum foo_e' is in CFFI's parser
  expect(ffi.getctype('enum foo_e')).toBe('enum foo_e');
});
