// Builds the optional native helper (binding.gyp) at install time with npm's own node-gyp; a failed or impossible build is a warning, not an error.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const gyp = findNodeGyp();
if (gyp === null) {
  warn('node-gyp was not found: run this through npm (npm rebuild node-cffi), which brings its own');
  process.exit(0);
}
const r = spawnSync(process.execPath, [gyp, 'rebuild', '--loglevel=warn', ...localHeaders()], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) warn(r.error ? r.error.message : `node-gyp exited with status ${r.status}`);

function warn(why) {
  process.stderr.write(
    `node-cffi: the optional native helper was not built (${why}).\n` +
      'node-cffi works without it, through koffi; to build it later run: npm rebuild node-cffi\n',
  );
}

// npm hands node-gyp its configured nodedir; run directly, node-gyp would try to download headers.
// Node installed from a distribution or an official tarball ships them next to its binary: use those.
function localHeaders() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const headers = path.join(prefix, 'include', 'node');
  const complete = ['node_api.h', 'common.gypi'].every((file) => fs.existsSync(path.join(headers, file)));
  return complete ? [`--nodedir=${prefix}`] : [];
}

// npm runs install scripts with npm_config_node_gyp naming the node-gyp it bundles (as for every
// package with a binding.gyp), so node-cffi needs no node-gyp of its own; outside npm, one
// installed next to node-cffi (a development checkout's) is used if there is one.
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && fs.existsSync(fromNpm)) return fromNpm;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  } catch {
    return null;
  }
}
