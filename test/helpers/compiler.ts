// Test helper: the C compiler under test ($CC, else cc, as verify() chooses), its family and the flags that differ by family, and optional tools.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

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

const present = new Map<string, boolean>();

/** True when `program` runs (`-v` is enough for every compiler and tcc). */
export function installed(program: string): boolean {
  let yes = present.get(program);
  if (yes === undefined) present.set(program, (yes = spawnSync(program, ['-v'], { encoding: 'utf8' }).error === undefined));
  return yes;
}

const warned = new Set<string>();

function missing(program: string): string {
  const why = `skipped: ${program} not installed`;
  if (!warned.has(program)) {
    warned.add(program);
    console.warn(`${why} (install it, e.g. apt-get install ${program}, to run these tests)`);
  }
  return why;
}

/** `test`, or, when `program` is missing, `test.skip` with the reason in the test's name. */
export function testIfInstalled(program: string): (name: string, fn: jest.ProvidesCallback, timeout?: number) => void {
  if (installed(program)) return test;
  const why = missing(program);
  return (name, fn, timeout) => test.skip(`${name} (${why})`, fn, timeout);
}

/** `describe`, or, when `program` is missing, `describe.skip` with the reason in its name. */
export function describeIfInstalled(program: string): (name: string, fn: () => void) => void {
  if (installed(program)) return describe;
  const why = missing(program);
  return (name, fn) => describe.skip(`${name} (${why})`, fn);
}

/** The file `program` names on PATH (or itself, when it holds a slash), or undefined. */
export function which(program: string): string | undefined {
  const dirs = program.includes('/') ? [''] : (process.env.PATH ?? '').split(path.delimiter);
  for (const dir of dirs) {
    const file = path.resolve(dir, program);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The family of CC as the name of the program it resolves to says ('gcc' for
 * /usr/bin/x86_64-linux-gnu-gcc-12, 'clang' for /usr/lib/llvm-14/bin/clang): an expectation
 * found without reading the version banner, as the library does.
 */
export function ccFamilyByName(): 'gcc' | 'clang' | 'tcc' | 'unknown' {
  const file = which(CC.split(/\s+/)[0]);
  const name = file === undefined ? '' : path.basename(fs.realpathSync(file));
  return /clang/.test(name) ? 'clang' : /tcc/.test(name) ? 'tcc' : /gcc/.test(name) ? 'gcc' : 'unknown';
}
