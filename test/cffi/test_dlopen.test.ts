// CFFI's testing/cffi1/test_dlopen.py, ported where node-cffi has a counterpart: ABI mode's refusals, one test per CFFI test, in CFFI's order.
//
// Not ported (each asserts the exact text of the Python module that cffi.recompiler.make_py_source
// writes for an out-of-line ABI-mode FFI: `_cffi_backend.FFI(...)` with its _types, _globals,
// _struct_unions, _enums, _typenames and _includes encoded as bytes. node-cffi's out-of-line ABI
// mode, setSource(name, null) + compile(), writes a JavaScript loader with the declarations as data,
// not such an encoded table; what its modules do is tested in test/ffi/aot.test.ts):
// test_simple: the module text for a function, a static const and a global.
// test_global_constant: the module text for two static consts without values.
// test_typename: the module text for a typedef.
// test_enum: the module text for an enum.
// test_struct: the module text for a struct with a flexible array member and an opaque struct.
// test_include: the module text for an FFI with a #define, then for one including it (an import of the other module).
// test_negative_constant: the module text for a negative static const.
// test_struct_included: the module text for an FFI including another's struct.
// test_no_cross_include: an ABI-mode module cannot import the module of an FFI given C source
//   (set_source with source); node-cffi's modules bake the included FFI's types into their own data,
//   and its dlopen() of an FFI that includes another is documented to work (docs/cffi-differences.md, "ffi.include()").
// test_array: the module text for an array typedef.
// test_array_overflow: OverflowError from the type table's encoding (a length of 3000000000 does not
//   fit its format); the type itself is valid in-line, in CFFI (ffi.sizeof gives 12000000000) as in node-cffi.
// test_global_var: the module text for a global variable.
// test_bitfield: the module text for a struct with bit-fields.
//
// Translation notes:
// - make_py_source() is where CFFI's out-of-line ABI mode refuses what it cannot do without a
//   compiler; node-cffi's ABI mode is ffi.dlopen(), which refuses the same things when they are used.
import { CDefError, FFI, FFIError } from '../../lib';

test('test_invalid_global_constant_3', () => {
  const ffi = new FFI();
  // CFFI: CDefError, "only supports one of the following syntax: ..." (an integer or '...')
  expect(() => ffi.cdef('#define BB 12.34')).toThrow(CDefError);
  expect(() => ffi.cdef('#define BB 12.34')).toThrow(/#define BB/);
});

test('test_invalid_dotdotdot_in_macro', () => {
  const ffi = new FFI();
  ffi.cdef('#define FOO ...');
  // CFFI: make_py_source raises VerificationError, "macro FOO: cannot use the syntax '...' in
  // '#define FOO ...' when using the ABI mode". ABI mode here is dlopen(): the value is refused where it is read.
  const lib = ffi.dlopen(null);
  expect(() => lib.FOO).toThrow(FFIError);
  expect(() => lib.FOO).toThrow(/\bFOO\b.*verify\(\)/);
});
