// Test helper: reads C fixtures and builds FFIs over them, so integration tests pair a .ts with a .c.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI, Lib, VerifyOptions } from '../../lib';
import { CC } from './compiler';

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

/** The fixture `file` compiled by the system compiler into a shared library of its own (for dlopen tests). */
export function sharedLibrary(file: string): string {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-so-')), file.replace(/\.c$/, '.so'));
  const r = spawnSync(CC, ['-O2', '-shared', '-fPIC', '-o', out, path.join(FIXTURES, file)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`compiling ${file} failed:\n${r.stderr}`);
  return out;
}
