// The callback guard stubs: their bytes are their assembly's, and they behave as documented on x86-64 and (under qemu) aarch64.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARM64_SOURCE, LAYOUT, X64_SOURCE, codeImage } from '../../lib/backend/threadguard';
import { FIXTURES } from '../helpers/fixtures';

const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-guard-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** The .text bytes `as` makes of `source`, through the given compiler driver or assembler and objcopy. */
function assemble(source: string, assembler: string[], objcopy: string, name: string): Buffer {
  const src = path.join(scratch, `${name}.S`);
  const obj = path.join(scratch, `${name}.o`);
  const bin = path.join(scratch, `${name}.bin`);
  fs.writeFileSync(src, source);
  const a = spawnSync(assembler[0], [...assembler.slice(1), src, '-o', obj], { encoding: 'utf8' });
  if (a.status !== 0) throw new Error(`assembling ${name} failed: ${a.stderr}`);
  const c = spawnSync(objcopy, ['-O', 'binary', '-j', '.text', obj, bin], { encoding: 'utf8' });
  if (c.status !== 0) throw new Error(`objcopy of ${name} failed: ${c.stderr}`);
  return fs.readFileSync(bin);
}

const CROSS = ['aarch64-linux-gnu-as', 'aarch64-linux-gnu-objcopy', 'aarch64-linux-gnu-gcc', 'qemu-aarch64'];
const crossMissing = CROSS.filter((t) => !have(t));
const x64 = process.arch === 'x64' && process.platform === 'linux';

describe('the bytes are the assembly of the source shown next to them', () => {
  (x64 ? test : test.skip)('x86-64 (gcc -c)', () => {
    const bytes = assemble(X64_SOURCE, ['gcc', '-c', '-x', 'assembler'], 'objcopy', 'x64');
    expect(Buffer.from(codeImage('x64').subarray(0, bytes.length)).toString('hex')).toBe(bytes.toString('hex'));
  });

  if (crossMissing.length > 0) {
    test.skip(`aarch64: skipped, ${crossMissing.join(', ')} not installed (apt-get install gcc-aarch64-linux-gnu qemu-user)`, () => {});
  } else {
    test('aarch64 (aarch64-linux-gnu-as)', () => {
      const bytes = assemble(ARM64_SOURCE, ['aarch64-linux-gnu-as', '-march=armv8.5-a'], 'aarch64-linux-gnu-objcopy', 'arm64');
      expect(Buffer.from(codeImage('arm64').subarray(0, bytes.length)).toString('hex')).toBe(bytes.toString('hex'));
    });
  }
});

/**
 * What the harness prints: the JavaScript thread's own call goes through during a synchronous call
 * (42); another thread goes through when no call is in progress (42); during a call that never
 * returns, it gets the error value (-7) after its waits, and the refusal is counted (1) with the
 * call (3) and the callback (11); a double result gets its error value (-2.5); during a call that
 * returns while it waits, it goes through (100); doubles go through (4.5); 2 refusals in all; and
 * another thread's pointer differs from the JavaScript thread's (1).
 */
const EXPECTED = '42 42 -7 1 3 11 -2.5 100 4.5 2 1';
const layout = Object.entries(LAYOUT).map(([k, v]) => `-D${k}=${v}`);

describe('the stubs, run in front of C functions by a harness', () => {
  (x64 ? test : test.skip)('x86-64, natively', () => {
    const image = path.join(scratch, 'x64.img');
    fs.writeFileSync(image, codeImage('x64'));
    const exe = path.join(scratch, 'harness-x64');
    const cc = spawnSync('gcc', ['-O1', '-pthread', ...layout, '-o', exe, path.join(FIXTURES, 'threadguard-harness.c')], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    const r = spawnSync(exe, [image], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(EXPECTED);
  });

  if (crossMissing.length > 0) {
    test.skip(`aarch64 under qemu: skipped, ${crossMissing.join(', ')} not installed (apt-get install gcc-aarch64-linux-gnu qemu-user)`, () => {});
  } else {
    test('aarch64, under qemu-aarch64', () => {
      const image = path.join(scratch, 'arm64.img');
      fs.writeFileSync(image, codeImage('arm64'));
      const exe = path.join(scratch, 'harness-arm64');
      const cc = spawnSync('aarch64-linux-gnu-gcc', ['-O1', '-pthread', '-static', ...layout, '-o', exe, path.join(FIXTURES, 'threadguard-harness.c')], {
        encoding: 'utf8',
      });
      expect(cc.stderr).toBe('');
      const r = spawnSync('qemu-aarch64', [exe, image], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(EXPECTED);
    });
  }
});
