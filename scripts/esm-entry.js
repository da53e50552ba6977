// Writes the ESM entry (dist/esm/index.mjs and its .d.mts): the CommonJS entry's (dist/node-cffi.js) exports re-exported by name, so both module systems share one copy of node-cffi.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const cjs = path.join(root, 'dist', 'node-cffi.js');
const out = path.join(root, 'dist', 'esm');

// The names are read from the built CommonJS entry itself, so the two entries cannot drift apart.
const names = Object.keys(require(cjs)).filter((name) => name !== '__esModule' && name !== 'default').sort();
if (names.length === 0) throw new Error(`${cjs} exports nothing: build it first (tsc -p tsconfig.build.json && node scripts/bundle.js)`);

const heading = '// node-cffi as an ES module: the CommonJS entry\'s exports by name (one copy of the library, whichever way it is loaded).';
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(
  path.join(out, 'index.mjs'),
  `${heading}\nimport cffi from '../node-cffi.js';\n\nexport const {\n${names.map((n) => `  ${n},`).join('\n')}\n} = cffi;\n`,
);
fs.writeFileSync(path.join(out, 'index.d.mts'), `${heading}\nexport * from '../lib/index.js';\n`);
