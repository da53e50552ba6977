// Declarations from a preprocessed C source as cdef text: the table read, the source's selection made, each item checked by the parser.
import { CdefChunk, check } from './check';
import { readDeclarations } from './declarations';
import { Notes, Skipped, selectSource } from './select';

export type { CdefChunk } from './check';
export type { Skipped } from './select';

export interface ExtractOptions {
  /** File names, as the line markers spell them, whose declarations are the user's (the source and its #line names). */
  readonly userFiles: readonly string[];
  /**
   * Directories whose headers are the user's too (the include directories the user gave): their
   * declarations are declared as the source's are, not only as far as the source needs them.
   */
  readonly userDirs?: readonly string[];
  /**
   * Also declare functions and variables the source declares without defining them (their
   * definitions come from options.sources or a library); otherwise they are listed as skipped.
   */
  readonly externals: boolean;
}

export interface Extracted {
  /** The cdef text, in order; each chunk goes to one ffi.cdef call. */
  readonly cdefs: readonly CdefChunk[];
  /** Names the source gives internal linkage: callable only from C. */
  readonly statics: Readonly<Record<string, 'function' | 'variable'>>;
  readonly skipped: readonly Skipped[];
  /** Every file the preprocessor read (headers included), as the line markers spell them. */
  readonly files: readonly string[];
}

/** Turns the output of `cc -E -dD` into cdef text for the user's declarations and the header types they need. */
export function extractDeclarations(preprocessed: string, options: ExtractOptions): Extracted {
  const table = readDeclarations(preprocessed);
  const names = new Set(options.userFiles);
  const dirs = (options.userDirs ?? []).map((d) => (d.endsWith('/') ? d : `${d}/`));
  const mine = new Set(table.files.flatMap((f, i) => (names.has(f) || dirs.some((d) => f.startsWith(d)) ? [i] : [])));
  const notes = new Notes();
  const cdefs = check(selectSource(table, { own: (file) => mine.has(file), externals: options.externals }, notes), notes);
  return { cdefs, statics: notes.statics, skipped: notes.skipped(), files: table.files.filter((f) => !f.startsWith('<')) };
}
