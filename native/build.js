// Builds the optional native helper (binding.gyp) at install time; a failed build is a warning, not an error.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
} catch {
  warn('node-gyp is not installed');
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
