// Test helper: runs the loader of a module compiled by ffi.compile() in this process, with this checkout standing for the package.
import * as fs from 'fs';
import * as path from 'path';

/** The exports of the loader of module `name` in directory `module`. */
export function loadHere<T extends object>(module: string, name: string): T {
  const loaded = {} as T;
  const text = fs.readFileSync(path.join(module, `${name}.js`), 'utf8');
  new Function('require', 'exports', '__dirname', text)((id: string) => (id === 'node-cffi' ? require('../../lib') : require(id)), loaded, module);
  return loaded;
}
