// The files of a compiled module: its loader (CommonJS JavaScript with the baked data, whatever the project's module system), its TypeScript declarations, and their writing.
import * as path from 'path';
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
