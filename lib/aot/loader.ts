// The files of a compiled module: its TypeScript loader (types, baked data, the call that loads the library without a cdef or a compiler), and their writing.
import * as path from 'path';
import { nodeHost } from '../host';
import type { Registry } from '../ctype/registry';
import { typescriptDeclarations } from '../codegen/typescript';
import { ModuleData, dataSource, macroValueMember } from './data';

/**
 * The source of `<module>.ts`. It imports node-cffi by its package name, as a program using the
 * module does; it exports `ffi` (the module's declarations: new, cast, sizeof, …), `lib` (typed by
 * the `Lib` interface) and an interface per struct and union, with types generated from `registry`.
 */
export function loaderSource(data: ModuleData, registry: Registry, sourceName: string): string {
  const members = Object.entries(data.values ?? {}).map(([name, v]) => macroValueMember(name, v));
  const declarations = typescriptDeclarations(registry, { source: sourceName, members })
    .split('\n')
    .filter((line, i) => !(i === 0 && line.startsWith('//'))); // the generator's own heading
  return [
    `// ${data.module}: a node-cffi module compiled ahead of time from ${sourceName}; loading it parses no cdef and runs no compiler.`,
    "import * as $cffi from 'node-cffi';",
    ...declarations,
    `const $module = ${dataSource(data)};`,
    '',
    'const $loaded = $cffi.FFI.loadModule<Lib>(__dirname, $module);',
    '/** The declarations of the module, for ffi.new(), ffi.cast(), ffi.sizeof() and the rest. */',
    'export const ffi: $cffi.FFI = $loaded.ffi;',
    '/** The compiled library: its functions, globals and constants. */',
    'export const lib: Lib = $loaded.lib;',
    '',
  ].join('\n');
}

/** Writes the files of a module directory, each through a temporary name and a rename; returns the directory. */
export function writeModule(dir: string, files: Readonly<Record<string, string | Uint8Array>>): string {
  nodeHost.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const tmp = path.join(dir, `.${name}.${nodeHost.pid()}.tmp`);
    nodeHost.writeFileSync(tmp, content);
    nodeHost.renameSync(tmp, path.join(dir, name));
  }
  return dir;
}
