// The class of a compiler warning that verify() delivers (apart, so that loading node-cffi does not load the code generator).
/**
 * A compiler warning, delivered by verify() through `process.emitWarning` (its name is
 * 'NodeCffiCompilerWarning') or to `options.onWarning`. `file`, `line` and `column` locate it in
 * the source, or in the cdef (`file` 'cdef') when the glue's call of a cdef declaration drew it.
 */
export class CompilerWarning extends Error {
  override readonly name = 'NodeCffiCompilerWarning';
  constructor(
    /** 'source.c:3:9: unused variable 'x' [-Wunused-variable]' */
    message: string,
    readonly file: string | null,
    readonly line: number,
    readonly column: number,
    /** The compiler option that controls it ('-Wunused-variable'), null when it names none. */
    readonly option: string | null,
    /** Everything the compiler wrote about it: the warning line, its quotes and notes. */
    readonly text: string,
    /** `text` without its first line (what `process.emitWarning` prints under the message). */
    readonly detail: string,
  ) {
    super(message);
  }
}
