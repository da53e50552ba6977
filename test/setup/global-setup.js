// Gives the whole test run a private, empty library cache so that tests see cold and warm paths honestly.
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async function globalSetup() {
  if (!process.env.NODE_CFFI_CACHE) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-test-cache-'));
    process.env.NODE_CFFI_CACHE = dir;
    process.env.NODE_CFFI_TEST_CACHE_OWNED = dir;
  }
};
