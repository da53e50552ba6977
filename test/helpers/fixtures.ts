// Test helper: reads C fixtures and builds FFIs over them, so integration tests pair a .ts with a .c.
import * as fs from 'fs';
import * as path from 'path';
import { FFI, Lib, VerifyOptions } from '../../lib';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** An FFI with `cdef` declared and the fixture `file` verified; returns both. */
export function verifyFixture(file: string, cdef: string, options: VerifyOptions = {}): { ffi: FFI; lib: Lib } {
  const ffi = new FFI();
  ffi.cdef(cdef);
  const lib = ffi.verify(fixture(file), { filename: file, ...options });
  return { ffi, lib };
}
