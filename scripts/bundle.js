// Bundles the built CommonJS library (dist/lib) into the package's entry: dist/node-cffi.bundle.js (the library and the `cffi` command, koffi left outside) and dist/node-cffi.js (lib/loader.ts, which runs the bundle from V8's code cache).
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

// Comments and spaces go (less to read at every start); names stay, as errors and util.inspect show them.
// Lines stay short: Node prints the line an uncaught error was thrown from, which would otherwise
// be a whole module of minified code above the error's message.
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['koffi'],
  minifyWhitespace: true,
  lineLimit: 160,
  minifySyntax: true,
  legalComments: 'none',
  // Mapped back to lib/*.ts through tsc's own maps.
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

// Modules the entry holds already (lib/loader.ts imports them): the bundle takes them from the
// entry, which answers their names (its SHARED table, read here from the built entry), instead of
// holding copies of its own.
const SHARED = [...fs.readFileSync(path.join(dist, 'lib', 'loader.js'), 'utf8').matchAll(/'node-cffi\/entry:([\w/]+)'/g)].map((m) => m[1]);
if (SHARED.length === 0) throw new Error('dist/lib/loader.js names no module it shares with the bundle (node-cffi/entry:...): build it first');
const shared = new Map(SHARED.map((name) => [path.join(dist, 'lib', `${name}.js`), `node-cffi/entry:${name}`]));
const fromEntry = {
  name: 'from-entry',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const full = path.resolve(args.resolveDir, args.path);
      const id = shared.get(full) ?? shared.get(`${full}.js`);
      return id === undefined ? undefined : { path: id, external: true };
    });
  },
};

async function main() {
  // The bundle is one function expression, a CommonJS module body as Node wraps one, so that the
  // entry compiles the file's text as it stands (no copy of it with the wrapper around). The text
  // is ASCII (esbuild escapes the rest), which the entry reads as Latin-1, V8's one-byte strings.
  const result = await esbuild.build({
    ...common,
    plugins: [fromEntry],
    metafile: true,
    entryPoints: [path.join(dist, 'lib', 'bundle.js')],
    outfile: path.join(dist, 'node-cffi.bundle.js'),
    charset: 'ascii',
    banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
    footer: { js: '})' },
  });
  const taken = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.path.startsWith('node-cffi/entry:')).map((i) => i.path));
  const missing = [...shared.values()].filter((id) => !taken.includes(id));
  if (missing.length > 0) throw new Error(`dist/node-cffi.bundle.js: takes no ${missing.join(', ')} from the entry; remove them from SHARED in lib/loader.ts`);
  const text = fs.readFileSync(path.join(dist, 'node-cffi.bundle.js'));
  const wide = text.findIndex((byte) => byte > 0x7f);
  if (wide >= 0) {
    const line = text.subarray(0, wide).toString('latin1').split('\n').length;
    throw new Error(`dist/node-cffi.bundle.js: a byte past ASCII on line ${line} (write it as an escape in lib/, e.g. \\u2018 in a regular expression): the entry reads the bundle as Latin-1`);
  }
  const entry = await esbuild.build({
    ...common,
    metafile: true,
    entryPoints: [path.join(dist, 'lib', 'loader.js')],
    outfile: path.join(dist, 'node-cffi.js'),
    banner: { js: '#!/usr/bin/env node' },
  });
  // A module in both files would run twice, with two copies of its state: each must be in SHARED.
  const twice = Object.keys(entry.metafile.inputs).filter((input) => input in result.metafile.inputs);
  if (twice.length > 0) throw new Error(`dist/node-cffi.js and dist/node-cffi.bundle.js both hold ${twice.join(', ')}: add them to SHARED in lib/loader.ts`);
  fs.chmodSync(path.join(dist, 'node-cffi.js'), 0o755);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
