// What cc() reads from a C source: its declarations as the preprocessor shows them (see build's preprocess), remembered by content and headers.
import { PreprocessOptions, preprocess } from '../build';
import { Extracted, extractDeclarations } from './extract';

/** Bumped whenever the extractor's output for the same input changes. */
const EXTRACTOR_VERSION = '7';

export type { PreprocessOptions } from '../build';

export interface ExtractedSource extends Extracted {
  /** A hash of every header the source included (path, size, modification time). */
  readonly headers: string;
}

/** The file names whose declarations are the user's: the source's own name and those its #line directives give. */
export function userFileNames(source: string, filename: string): string[] {
  const names = new Set([filename]);
  for (const m of source.matchAll(/^[ \t]*#[ \t]*line[ \t]+\d+[ \t]+"((?:[^"\\\n]|\\.)*)"/gm)) names.add(m[1].replace(/\\(.)/g, '$1'));
  return [...names];
}

/** The system's own header directories: given with -I, they do not make the C library the user's. */
const SYSTEM_DIRS = new Set(['/usr/include', '/usr/local/include']);

/**
 * The declarations of `source` (see extractDeclarations), preprocessed with the compiler, defines
 * and include directories a build with `options` uses. Remembered in the cache directory: a second
 * call with the same source, options and compiler only checks that no included header changed.
 */
export function extractSource(source: string, options: PreprocessOptions): ExtractedSource {
  const filename = options.filename ?? 'source.c';
  const externals = (options.sources?.length ?? 0) > 0 || (options.libraries?.length ?? 0) > 0;
  const { value, files } = preprocess<Extracted>(source, options, {
    where: 'cc()',
    name: 'cc',
    keyParts: ['extract', EXTRACTOR_VERSION, externals ? 'externals' : 'own'],
    derive: ({ output, includeDirs }) => {
      const extracted = extractDeclarations(output, {
        userFiles: userFileNames(source, filename),
        userDirs: includeDirs.filter((d) => !SYSTEM_DIRS.has(d.replace(/\/+$/, ''))),
        externals,
      });
      return { value: extracted, files: extracted.files };
    },
  });
  return { ...value, headers: files };
}
