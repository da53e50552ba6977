// Test helper: tsc in-process for consumer projects, every declaration file but @types and TypeScript's own lib checked, parsed files shared between runs.
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Source files of declarations that no test writes (TypeScript's lib, @types), kept between
 * programs: parsing and binding them is most of a small program's cost. Sharing them is what
 * TypeScript's language service does with its document registry: binding is per file, checking
 * per program.
 */
const shared = new Map<string, ts.SourceFile>();
const isShared = (fileName: string): boolean => /[\\/]node_modules[\\/](typescript[\\/]lib|@types)[\\/]/.test(fileName);

function host(options: ts.CompilerOptions): ts.CompilerHost {
  const base = ts.createCompilerHost(options, true);
  return {
    ...base,
    getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate) {
      if (!isShared(fileName)) return base.getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
      const format = typeof languageVersionOrOptions === 'object' ? `${languageVersionOrOptions.languageVersion}/${languageVersionOrOptions.impliedNodeFormat}` : `${languageVersionOrOptions}`;
      const key = `${format}:${fileName}`;
      let file = shared.get(key);
      if (file === undefined) {
        file = base.getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
        if (file !== undefined) shared.set(key, file);
      }
      return file;
    },
  };
}

/**
 * Compiles (or, with `noEmit`, only type-checks) `files` of `dir` under `options` (tsconfig's JSON
 * spelling, over `target: ES2022, strict, types: [node]`), as `tsc -p` with those options would,
 * and returns an exit status and the diagnostics as tsc prints them (`file(line,col): error TSn: …`).
 *
 * Diagnostics are asked for file by file, so the checker checks what it is asked about: every
 * file of the program (declaration files too, as without `skipLibCheck`: node-cffi's own, those
 * `cffi types` or compile() wrote, any other package's) except TypeScript's lib and @types, which
 * are not the package's and whose check is the same in every test.
 */
export function typecheck(dir: string, files: readonly string[], options: Record<string, unknown>): { status: number; output: string } {
  const json = { target: 'ES2022', strict: true, types: ['node'], typeRoots: [path.join(__dirname, '..', '..', 'node_modules', '@types')], ...options };
  const converted = ts.convertCompilerOptionsFromJson(json, dir);
  if (converted.errors.length > 0) throw new Error(ts.formatDiagnostics(converted.errors, formatHost(dir)));
  const compilerOptions = converted.options;
  const program = ts.createProgram({ rootNames: files.map((f) => path.resolve(dir, f)), options: compilerOptions, host: host(compilerOptions) });
  const diagnostics: ts.Diagnostic[] = [
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
  ];
  for (const file of program.getSourceFiles()) {
    if (program.isSourceFileDefaultLibrary(file) || isShared(file.fileName)) continue;
    diagnostics.push(...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file));
  }
  if (!compilerOptions.noEmit) diagnostics.push(...program.emit().diagnostics);
  const sorted = ts.sortAndDeduplicateDiagnostics(diagnostics);
  return { status: sorted.length > 0 ? 1 : 0, output: ts.formatDiagnostics(sorted, formatHost(dir)) };
}

function formatHost(dir: string): ts.FormatDiagnosticsHost {
  return { getCurrentDirectory: () => dir, getCanonicalFileName: (f) => f, getNewLine: () => '\n' };
}
