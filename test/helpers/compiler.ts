// Test helper: the C compiler under test ($CC, else cc, as verify() chooses), its family and the flags that differ by family, and optional tools.
import { spawnSync } from 'child_process';

/** The compiler command verify() runs when neither options.compiler nor $CC says otherwise. */
export const CC = process.env.CC?.trim() || 'cc';

let family: 'gcc' | 'clang' | 'tcc' | 'unknown' | undefined;

/** The family of CC, from its version banner (asked once, when first needed). */
export function ccFamily(): 'gcc' | 'clang' | 'tcc' | 'unknown' {
  if (family === undefined) {
    const r = spawnSync(CC, ['--version'], { encoding: 'utf8' });
    const banner = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    family = /clang/i.test(banner) ? 'clang' : /\btcc\b/i.test(banner) ? 'tcc' : /\bgcc\b|free software foundation/i.test(banner) ? 'gcc' : 'unknown';
  }
  return family;
}

/** Flags that make CC report every error instead of stopping after a limit (clang stops at 20). */
export function noErrorLimit(): string[] {
  return ccFamily() === 'clang' ? ['-ferror-limit=0'] : ['-fmax-errors=0'];
}

/** True when `program` runs (`-v` is enough for every compiler and tcc). */
export function installed(program: string): boolean {
  return spawnSync(program, ['-v'], { encoding: 'utf8' }).error === undefined;
}
