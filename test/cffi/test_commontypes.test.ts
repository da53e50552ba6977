// CFFI's testing/cffi1/test_commontypes.py, ported: the common type names CFFI knows without a cdef, one test per CFFI test, in CFFI's order.
//
// Not ported:
//   test_alphabetical_order: reads CFFI's own C source, c/commontypes.c, and checks that its table of EQ(...) lines is sorted (the table is binary-searched); node-cffi has no such file or table (pytest.skip in CFFI where the file is not installed, as with Debian's CFFI 1.15.1)
//   test_dependencies: reads the same C file and checks that each name an entry refers to has an entry of its own; the same
//
// Translation notes: `_cffi_backend._get_common_types(d)` fills `d` with the common names and the C type each stands
// for; node-cffi has no such table in its API, so the name is asked of a fresh FFI (no cdef): `ffi.typeof(name)` is
// the type it stands for.
import { FFI } from '../../lib';

test('test_get_common_types', () => {
  const ffi = new FFI();
  expect(ffi.typeof('bool')).toBe(ffi.typeof('_Bool'));
  expect(ffi.typeof('bool').cname).toBe('_Bool');
});
