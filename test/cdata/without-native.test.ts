// Without the native helper (never built, or NODE_CFFI_NO_NATIVE=1) the memory model gives the same answers through koffi.
import { spawnSync } from 'child_process';

const SCRIPT = `
  const { FFI } = require(${JSON.stringify(require.resolve('../../lib'))});
  const { nativeStatus } = require(${JSON.stringify(require.resolve('../../lib/backend/native'))});
  const ffi = new FFI();
  const s = ffi.new('char[16]', 'héllo');
  const p = ffi.cast('char *', s);
  const buf = Buffer.from([1, 0, 0, 0, 2, 0, 0, 0]);
  const ints = ffi.fromBuffer(buf, 'int[]');
  const tail = ffi.new('char[]', 'ab'); // a string right at the end of its memory: bounded reads must stop at the NUL
  console.log(JSON.stringify({
    status: nativeStatus,
    whole: ffi.string(s),
    cut: ffi.string(s, 2),
    viaPointer: ffi.string(p),
    viaPointerBounded: ffi.string(p, 3),
    boundedPastNul: ffi.string(ffi.cast('char *', tail), 1000),
    fromBuffer: [ints[0], ints[1], ffi.cast('uintptr_t', ints) > 4096],
  }));
`;

test('strings and buffer addresses work through koffi alone', () => {
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', SCRIPT], {
    encoding: 'utf8',
    env: { ...process.env, NODE_CFFI_NO_NATIVE: '1' },
  });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({
    status: 'disabled by NODE_CFFI_NO_NATIVE=1',
    whole: 'héllo',
    cut: 'h\ufffd',
    viaPointer: 'héllo',
    viaPointerBounded: 'hé',
    boundedPastNul: 'ab',
    fromBuffer: [1, 2, true],
  });
});
