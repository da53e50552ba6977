// ffi.cdefHeader() of the x86 intrinsics headers: functions compiled for CPU features the build does not turn on are left out with the reason; verify() compiles; -mavx2 binds them.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { FFI } from '../../lib/ffi';

const x86 = process.arch === 'x64';
const cpuFlags = new Set(fs.existsSync('/proc/cpuinfo') ? (/^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/) : []);
const has = (c: string): boolean => spawnSync(c, ['-v']).error === undefined;

const compilers: [string, string | null][] = [
  ['cc', x86 ? null : 'not x86-64'],
  ['clang', !x86 ? 'not x86-64' : has('clang') ? null : 'clang is not installed'],
];

describe.each(compilers)('immintrin.h with *intrin.h (%s)', (compiler, skip) => {
  const t = (title: string, body: () => void) => (skip === null ? test(title, body) : test.skip(`${title} (skipped: ${skip})`, body));
  const header = (extra: string[]) => {
    const ffi = new FFI();
    const options = { compiler, ...(extra.length ? { extraCompileArgs: extra } : {}) };
    ffi.cdefHeader('immintrin.h', { headers: ['*intrin.h'], ...options });
    return { ffi, lib: ffi.verify('#include <immintrin.h>', options) as unknown as Record<string, (...a: number[]) => number> };
  };
  const reasonOf = (ffi: FFI, name: string) => ffi.skipped().find((s) => s.name === name)?.reason;

  t('verify() compiles; avx2 functions are left out with the reason, scalar ones of features always on are called', () => {
    const { ffi, lib } = header([]);
    expect(reasonOf(ffi, '_mm256_movemask_epi8')).toBe(
      "it is compiled for the CPU feature 'avx2' (its header's " + (compiler === 'clang' ? 'target attribute' : '#pragma GCC target') +
        "), which this build does not turn on; pass extraCompileArgs: ['-mavx2'] (or '-march=native') to cdefHeader() and verify() (or to cc())",
    );
    expect(reasonOf(ffi, '_mm_crc32_u8')).toContain("the CPU feature 'crc32'");
    expect(reasonOf(ffi, '_bextr_u32')).toContain("the CPU feature 'bmi'");
    expect(() => lib._mm_crc32_u8).toThrow("CPU feature 'crc32'");
    // SSE is always on on x86-64: the MXCSR is read through its wrapper (its default: exceptions masked, 0x1f80).
    expect(lib._mm_getcsr() & 0x1f80).toBe(0x1f80);
  });

  t('with -mavx2 the functions of avx2 and what it implies (crc32) are bound', () => {
    const { ffi, lib } = header(['-mavx2']);
    // Bound as far as cdef goes: its vector types are left out, no longer its CPU feature.
    expect(reasonOf(ffi, '_mm256_movemask_epi8')).not.toContain('CPU feature');
    expect(reasonOf(ffi, '_mm_crc32_u8') ?? '').not.toContain('CPU feature');
    expect(typeof lib._mm_crc32_u8).toBe('function');
    if (cpuFlags.has('sse4_2')) expect(lib._mm_crc32_u8(0, 1)).toBe(0xf26b8303);
    expect(reasonOf(ffi, '_bextr_u32')).toContain("the CPU feature 'bmi'");
  });

  t('with -mbmi a bmi function is bound', () => {
    const { lib } = header(['-mbmi']);
    expect(typeof lib._bextr_u32).toBe('function');
    if (cpuFlags.has('bmi1')) expect(lib._bextr_u32(0xabcd, 4, 8)).toBe(0xbc);
  });
});
