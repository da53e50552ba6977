// Bundles the built CommonJS library (dist/lib) into the package's entry: dist/node-cffi.bundle.js (what require('node-cffi') runs), dist/node-cffi.stages.js (the compiler's stages, whole headers, ahead-of-time modules, cc() and the `cffi` command, loaded at their first use), koffi left outside, and dist/node-cffi.js (lib/loader.ts, which runs both from V8's code cache).
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const lib = path.join(dist, 'lib');

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

/**
 * The modules of the second bundle: what require('node-cffi') never loads (lib/ffi.ts, lib/clib.ts,
 * lib/index.ts and lib/bundle.ts require them where first needed). Every module is in one bundle
 * only; the other bundle reaches it through the entry (lib/loader.ts), so a module put on the wrong
 * side costs start-up time, never a second copy.
 */
const STAGES = /^(apimode|headerlib)$|^(build|header|aot|cc|cli)\/|^codegen\/(?!warning$)/;

// Modules the entry holds already (lib/loader.ts imports them): the bundles take them from the
// entry, which answers their names (its SHARED table, read here from the built entry), instead of
// holding copies of their own.
const SHARED = [...fs.readFileSync(path.join(lib, 'loader.js'), 'utf8').matchAll(/'node-cffi\/entry:([\w/]+)'/g)].map((m) => m[1]);
if (SHARED.length === 0) throw new Error('dist/lib/loader.js names no module it shares with the bundle (node-cffi/entry:...): build it first');
const shared = new Set(SHARED);

/** A module's name ('ctype/model') from the file a relative require leads to, as Node resolves it. */
function moduleName(resolveDir, request) {
  const full = path.resolve(resolveDir, request);
  const file = [full, `${full}.js`, path.join(full, 'index.js')].find((f) => f.endsWith('.js') && fs.statSync(f, { throwIfNoEntry: false })?.isFile());
  return file === undefined ? undefined : path.relative(lib, file).replace(/\.js$/, '').split(path.sep).join('/');
}

/** Sends a relative require to the entry (shared modules) or to the other bundle ('core' or 'stages' is the side being built). */
function splitter(side) {
  return {
    name: 'split',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const name = moduleName(args.resolveDir, args.path);
        if (name === undefined) return undefined;
        if (shared.has(name)) return { path: `node-cffi/entry:${name}`, external: true };
        if (side === 'core' && STAGES.test(name)) return { path: `node-cffi/stages:${name}`, external: true };
        if (side === 'stages' && !STAGES.test(name)) return { path: `node-cffi/core:${name}`, external: true };
        return undefined;
      });
    },
  };
}

/** Every module under lib/ (from the sources, so that a stale file in dist/lib is never bundled). */
function libModules(dir = path.join(root, 'lib'), prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.isDirectory()) return libModules(path.join(dir, d.name), `${prefix}${d.name}/`);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [`${prefix}${d.name.replace(/\.ts$/, '')}`] : [];
  });
}

/** A registry of modules by name, each run at its first request (a bundle's modules, for the other bundle). */
const registry = (names) => `exports.modules = {\n${names.map((n) => `  ${JSON.stringify(n)}: () => require(${JSON.stringify(`./${n}.js`)}),`).join('\n')}\n};\n`;

/** The ids starting with `prefix` that a build's output requires. */
const requiredIds = (result, prefix) =>
  [...new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.path.startsWith(prefix)).map((i) => i.path.slice(prefix.length))))].sort();

/** Each bundle is one function expression, a CommonJS module body as Node wraps one, so that the entry compiles the file's text as it stands (no copy of it with the wrapper around). */
async function bundle(side, contents, outfile) {
  const result = await esbuild.build({
    ...common,
    plugins: [splitter(side)],
    metafile: true,
    stdin: { contents, resolveDir: lib, sourcefile: `<${side} bundle>`, loader: 'js' },
    outfile,
    // The text is ASCII (esbuild escapes the rest), which the entry reads as Latin-1, V8's one-byte strings.
    charset: 'ascii',
    banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
    footer: { js: '})' },
  });
  const text = fs.readFileSync(outfile);
  const wide = text.findIndex((byte) => byte > 0x7f);
  if (wide >= 0) {
    const line = text.subarray(0, wide).toString('latin1').split('\n').length;
    throw new Error(`${path.relative(root, outfile)}: a byte past ASCII on line ${line} (write it as an escape in lib/, e.g. \\u2018 in a regular expression): the entry reads the bundles as Latin-1`);
  }
  return result;
}

async function main() {
  const stagesNames = libModules().filter((n) => STAGES.test(n) && !shared.has(n)).sort();
  const stages = await bundle('stages', registry(stagesNames), path.join(dist, 'node-cffi.stages.js'));
  // The core bundle answers the modules the stages take from it; lib/bundle.ts runs after the
  // registry is in place, so that a stage loaded while the core starts finds it.
  const core = await bundle('core', `${registry(requiredIds(stages, 'node-cffi/core:'))}exports.main = require('./bundle.js');\n`, path.join(dist, 'node-cffi.bundle.js'));
  const unknown = requiredIds(core, 'node-cffi/stages:').filter((n) => !stagesNames.includes(n));
  if (unknown.length > 0) throw new Error(`dist/node-cffi.bundle.js: requires ${unknown.join(', ')} from the stages bundle, which does not hold them`);
  const taken = new Set([...requiredIds(core, 'node-cffi/entry:'), ...requiredIds(stages, 'node-cffi/entry:')]);
  const missing = SHARED.filter((name) => !taken.has(name));
  if (missing.length > 0) throw new Error(`the bundles take no ${missing.join(', ')} from the entry; remove them from SHARED in lib/loader.ts`);
  const both = Object.keys(core.metafile.inputs).filter((input) => !input.startsWith('<') && input in stages.metafile.inputs);
  if (both.length > 0) throw new Error(`dist/node-cffi.bundle.js and dist/node-cffi.stages.js both hold ${both.join(', ')}`);
  // The entry from the TypeScript sources: esbuild puts their modules' code at the file's top level,
  // compiled as the file is, where tsc's CommonJS output would have it in one function per module,
  // which V8 parses a second time when it first runs (the entry has no code cache).
  const entry = await esbuild.build({
    ...common,
    metafile: true,
    entryPoints: [path.join(root, 'lib', 'loader.ts')],
    outfile: path.join(dist, 'node-cffi.js'),
    sourcemap: 'linked',
    banner: { js: '#!/usr/bin/env node' },
  });
  if (/\b__(commonJS|esm)\(/.test(fs.readFileSync(path.join(dist, 'node-cffi.js'), 'latin1'))) {
    throw new Error("dist/node-cffi.js: esbuild wrapped a module in a function (a relative require() in lib/loader.ts or what it imports?); import it instead");
  }
  // A module in the entry and a bundle would run twice, with two copies of its state: each must be in SHARED.
  const asBuilt = (input) => input.replace(/^lib\/(.*)\.ts$/, 'dist/lib/$1.js');
  const twice = Object.keys(entry.metafile.inputs).map(asBuilt).filter((input) => input in core.metafile.inputs || input in stages.metafile.inputs);
  if (twice.length > 0) throw new Error(`dist/node-cffi.js and a bundle both hold ${twice.join(', ')}: add them to SHARED in lib/loader.ts`);
  fs.chmodSync(path.join(dist, 'node-cffi.js'), 0o755);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
