// Removes the private library cache that global-setup created for the test run.
const fs = require('fs');

module.exports = async function globalTeardown() {
  const dir = process.env.NODE_CFFI_TEST_CACHE_OWNED;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
