// This package's own files: the root directory (package.json, build/ of the native helper) and the version.
import path = require('path');
import { nodeHost } from './host';

/**
 * The directory of node-cffi's package.json, walking up from this file, so that the same answer
 * comes from lib/ (run through tsx or ts-jest) and from the compiled dist/lib/.
 */
function findRoot(): { root: string; version: string } {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (nodeHost.statSync(file)?.isFile()) {
      try {
        const pkg = JSON.parse(nodeHost.readTextSync(file)) as { name?: string; version?: string };
        if (pkg.name === 'node-cffi') return { root: dir, version: String(pkg.version) };
      } catch {
        // not ours: keep walking
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`node-cffi: cannot find its package.json above ${__dirname}`);
  }
}

const found = findRoot();
export const packageRoot: string = found.root;
export const packageVersion: string = found.version;
