// The files of a compiled module: its loader (CommonJS JavaScript with the baked data, whatever the project's module system), its TypeScript declarations, and their writing.
import * as path from 'path';
import { checkOptions, show, TypeError } from '../errors';
import { nodeHost } from '../host';
import type { Registry } from '../ctype/registry';
import { typescriptDeclarations } from '../codegen/typescript';
import { ModuleData, dataSource, macroValueMember } from './data';

/**
 * The files of a module directory besides the library (an ABI-mode module has none): `<module>.js`, `<module>.d.ts` and a
 * `package.json` that makes the loader CommonJS even inside a `"type": "module"` project. The
 * loader imports node-cffi by its package name, as the program using it does (so both share one
 * node-cffi); from ESM it is imported by name (`import { ffi, lib } from './_m/_m.js'`), from
 * CommonJS required. It exports `ffi` (the module's declarations: new, cast, sizeof, …) and `lib`
 * (an ABI-mode module: `ffi` alone, whose dlopen() opens a library); the declarations type `lib`
 * (or what dlopen<Lib>() returns) by the `Lib` interface, with an interface per struct and union.
 */
export function moduleFiles(data: ModuleData, registry: Registry, sourceName: string): Record<string, string> {
  const name = data.module;
  // An ABI-mode module (no library) gives its declarations alone, as CFFI's gives `ffi` alone: ffi.dlopen() opens a library with them.
  const abi = data.library === null;
  const heading = abi
    ? `// ${name}: the declarations of a node-cffi ABI-mode module, compiled ahead of time from ${sourceName}; loading it parses no cdef. Open a library with ffi.dlopen<Lib>(name).`
    : `// ${name}: a node-cffi module compiled ahead of time from ${sourceName}; loading it parses no cdef and runs no compiler.`;
  const FFI_DOC = '/** The declarations of the module, for ffi.new(), ffi.cast(), ffi.sizeof() and the rest. */';
  const LIB_DOC = '/** The compiled library: its functions, globals and constants. */';
  const loader = [
    heading,
    "'use strict';",
    "const { FFI } = require('node-cffi');",
    '',
    `const $module = ${dataSource(data)};`,
    '',
    'const $loaded = FFI.loadModule(__dirname, $module);',
    abi ? FFI_DOC.replace(' and the rest.', ', ffi.dlopen() and the rest.') : FFI_DOC,
    'exports.ffi = $loaded.ffi;',
    ...(abi ? [] : [LIB_DOC, 'exports.lib = $loaded.lib;']),
    '',
  ].join('\n');
  const members = Object.entries(data.values ?? {}).map(([key, v]) => macroValueMember(key, v));
  const declarations = typescriptDeclarations(registry, { source: sourceName, members })
    .split('\n')
    .filter((line, i) => !(i === 0 && line.startsWith('//'))); // the generator's own heading
  const types = [
    heading,
    "import type { FFI } from 'node-cffi';",
    ...declarations,
    abi ? FFI_DOC.replace(' and the rest.', ', ffi.dlopen<Lib>() and the rest.') : FFI_DOC,
    'export declare const ffi: FFI;',
    ...(abi ? [] : [LIB_DOC, 'export declare const lib: Lib;']),
    '',
  ].join('\n');
  const pkg = { name, private: true, type: 'commonjs', main: `./${name}.js`, types: `./${name}.d.ts` };
  return { [`${name}.js`]: loader, [`${name}.d.ts`]: types, 'package.json': `${JSON.stringify(pkg, null, 2)}\n` };
}

/** What ffi.compile() takes (CFFI's `compile(tmpdir='.', verbose=0, target=None, debug=None)`). */
export interface CompileOptions {
  /** The directory the module directory is created in (default: the working directory). */
  tmpdir?: string;
  /**
   * The file name of the shared library in the module directory, `*` standing for `so`
   * ('libgeometry.*'); default `<module>.so`. An ABI-mode module has no library, and ignores it, as CFFI does.
   */
  target?: string;
  /** Says on stderr each file written, and whether the library was compiled or found in the cache. */
  verbose?: boolean;
  /** Compiles with debugging information (`-g`), after the source's own flags. */
  debug?: boolean;
}
const COMPILE_OPTION_NAMES: Readonly<Record<keyof CompileOptions, true>> = { tmpdir: true, target: true, verbose: true, debug: true };

/** Refuses an option compile() does not know, or a value of the wrong kind, before anything is done. */
export function checkCompileOptions(options: CompileOptions): void {
  checkOptions('ffi.compile()', options, COMPILE_OPTION_NAMES);
  const { tmpdir, verbose, debug } = options;
  if (tmpdir !== undefined && (typeof tmpdir !== 'string' || tmpdir === '')) throw new TypeError(`ffi.compile(): options.tmpdir must be a directory name, got ${show(tmpdir)}`);
  for (const [name, v] of [['verbose', verbose], ['debug', debug]] as const) {
    if (v !== undefined && typeof v !== 'boolean') throw new TypeError(`ffi.compile(): options.${name} must be true or false, got ${show(v)}`);
  }
}

/** compile()'s options (checked by checkCompileOptions), with the library's file name and what verbose output goes to (null: none). */
export function compileOptions(options: CompileOptions, base: string): { dir: (moduleName: string) => string; library: string; report: ((line: string) => void) | null; debug: boolean } {
  const { tmpdir, target, verbose, debug } = options;
  const library = target === undefined ? `${base}.so` : target.replace(/\*/g, 'so');
  const loaderFiles = [`${base}.js`, `${base}.d.ts`, 'package.json'];
  if (target !== undefined && (typeof target !== 'string' || library === '' || library === '.' || library === '..' || /[/\\\0]/.test(library) || loaderFiles.includes(library))) {
    throw new TypeError(
      `ffi.compile(): options.target must be a file name for the library in the module directory ('lib${base}.*', '*' standing for 'so'), ` +
        `not a path nor one of the loader's files (${loaderFiles.join(', ')}), got ${show(target)}`,
    );
  }
  const report = verbose ? (line: string) => nodeHost.write('stderr', `${line}\n`) : null;
  return { dir: (moduleName) => path.resolve(tmpdir ?? '.', ...moduleName.split('.')), library, report, debug: debug === true };
}

/** Writes the files of a module directory, each through a temporary name and a rename; returns the directory. */
export function writeModule(dir: string, files: Readonly<Record<string, string | Uint8Array>>, report: ((line: string) => void) | null = null): string {
  nodeHost.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeThrough(path.join(dir, name), content, report);
  return dir;
}

/** Writes `file` through a temporary name next to it and a rename, so that no reader sees half of it. */
function writeThrough(file: string, content: string | Uint8Array, report: ((line: string) => void) | null): void {
  report?.(`generating ${file}`);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${nodeHost.pid()}.tmp`);
  try {
    nodeHost.writeFileSync(tmp, content);
  } catch (e) {
    // Node's error names the temporary file; the caller named `file`.
    const { code, message } = e as NodeJS.ErrnoException;
    throw Object.assign(new Error(`cannot write ${file}: ${message.split(tmp).join(file)}`), { code });
  }
  nodeHost.renameSync(tmp, file);
}

/**
 * An ABI-mode module's loader written to `file` alone (CFFI's `emit_python_code()`), with its
 * TypeScript declarations next to a `.js` (`.d.ts`) or `.cjs` (`.d.cts`) one. The loader is
 * CommonJS: in a `"type": "module"` package, name it `.cjs`.
 */
export function emitLoader(file: string, files: Readonly<Record<string, string>>, base: string): void {
  writeThrough(file, files[`${base}.js`], null);
  const stem = /\.c?js$/.exec(file);
  if (stem) writeThrough(`${file.slice(0, stem.index)}${stem[0] === '.cjs' ? '.d.cts' : '.d.ts'}`, files[`${base}.d.ts`], null);
}
