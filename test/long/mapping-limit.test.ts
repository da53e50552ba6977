// The kernel's real limit on memory mappings, reached: a long test (minutes, 400 MiB), run by `npm run test:long` (NODE_CFFI_LONG=1).
import { spawnSync } from 'child_process';
import { ending } from '../helpers/child';

/**
 * Loading copies of one library until refused, with the kernel's real limit: some 11,000 libraries,
 * 300 MiB or more. Loaded through the backend itself: ffi.dlopen() also reads the process's
 * mappings on every load (to warn about libraries loaded by other code), which at this count
 * would take most of the time.
 */
test('the real mapping limit: loads are refused with an FFIError before the process would abort, and it carries on', () => {
  const script = `
    const fs = require('fs');
    const os = require('os');
    const path = require('path');
    const { spawnSync } = require('child_process');
    const { FFIError } = require(${JSON.stringify(require.resolve('../../lib'))});
    const { librariesLoaded, loadLibrary } = require(${JSON.stringify(require.resolve('../../lib/backend/koffi'))});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-soak-limit-'));
    fs.writeFileSync(path.join(dir, 'one.c'), 'int one(void) { return 1; }\\n');
    if (spawnSync('cc', ['-shared', '-fPIC', '-o', path.join(dir, 'one.so'), path.join(dir, 'one.c')]).status !== 0) throw new Error('cc failed');
    const bytes = fs.readFileSync(path.join(dir, 'one.so'));
    (async () => {
      let libs = [];
      let error = null;
      for (let i = 0; !error && i < 100000; i++) {
        const file = path.join(dir, 'c' + i + '.so');
        fs.writeFileSync(file, bytes);
        try { libs.push(loadLibrary(file)); } catch (e) { error = e; }
      }
      const limit = Number(fs.readFileSync('/proc/sys/vm/max_map_count', 'utf8'));
      const maps = fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').length - 1;
      const found = libs.filter((l) => l.symbolAddress('one') !== 0).length;
      const mib = Math.round(process.memoryUsage().rss / 2 ** 20);
      const big = Buffer.alloc(256 * 2 ** 20, 1); // the process still maps and allocates
      libs = null;
      for (let i = 0; i < 4; i++) { global.gc(); await new Promise((r) => setTimeout(r, 20)); }
      const loadedAfterDrop = librariesLoaded();
      const again = loadLibrary(path.join(dir, 'c0.so')).symbolAddress('one') !== 0;
      fs.rmSync(dir, { recursive: true, force: true });
      console.log(JSON.stringify({
        isFFIError: error instanceof FFIError, message: error && error.message, limit, maps, found, mib, big: big[big.length - 1], loadedAfterDrop, again,
      }));
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8', timeout: 1_800_000 });
  expect({ end: ending({ ...r }), err: r.stderr }).toEqual({ end: 'exit 0', err: '' });
  const out = JSON.parse(r.stdout) as {
    isFFIError: boolean; message: string; limit: number; maps: number; found: number; mib: number; big: number; loadedAfterDrop: number; again: boolean;
  };
  if (process.env.NODE_CFFI_REPORT === '1') process.stdout.write(`soak, mapping limit: ${r.stdout}`);
  expect(out.isFFIError).toBe(true);
  expect(out.message).toContain(`memory mappings of the ${out.limit} the kernel allows (vm.max_map_count), with ${out.found} libraries loaded by node-cffi`);
  // Refused with an eighth of the limit still free, for Node itself; and not long before that.
  expect(out.maps).toBeLessThan(out.limit - out.limit / 8);
  expect(out.maps).toBeGreaterThan(out.limit - out.limit / 8 - 200);
  expect(out.big).toBe(1);
  expect(out.loadedAfterDrop).toBe(0);
  expect(out.again).toBe(true);
}, 1_800_000);
