// Errors at the public surface: unknown option names refused with a suggestion, stacks that start at the caller's line.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import { spawnSync } from 'child_process';
import { CDefError, FFI, FFIError, VerificationError, cc } from '../../lib';
import { calledAs } from '../../lib/errors';
import { expectReject, expectThrow, thrown } from '../helpers/throws';

const THIS_FILE = path.basename(__filename);

/** The first `at` line of a stack. */
function topFrame(e: unknown): string {
  const stack = (e as Error).stack ?? '';
  return stack.split('\n').find((l) => l.trimStart().startsWith('at ')) ?? '';
}

describe('unknown option names', () => {
  const ffi = new FFI();
  ffi.cdef('int f(int);');

  test.each([
    ['ffi.verify()', () => ffi.verify('int f(int x) { return x; }', { extraCompileArg: ['-O2'] } as never), 'extraCompileArg', 'extraCompileArgs'],
    ['ffi.verify()', () => ffi.verify('int f(int x) { return x; }', { define_macros: [] } as never), 'define_macros', 'defineMacros'],
    ['ffi.setSource()', () => ffi.setSource('m', '', { modulename: 'x' } as never), 'modulename', 'moduleName'],
    ['ffi.compile()', () => ffi.compile({ tmpDir: '/tmp' } as never), 'tmpDir', 'tmpdir'],
    ['ffi.cdef()', () => ffi.cdef('int g;', { packd: true } as never), 'packd', 'packed'],
    ['ffi.cdefHeader()', () => ffi.cdefHeader('stddef.h', { onlyy: /x/ } as never), 'onlyy', 'only'],
    ['ffi.dump()', () => ffi.dump(ffi.new('int *'), { byte: 4 } as never), 'byte', 'bytes'],
    ["ffi.callback('int(int)')", () => ffi.callback('int(int)', (x: number) => x, { onError: () => 0 } as never), 'onError', 'onerror'],
    ['cc()', () => cc('int x;', { header: ['zlib.h'] } as never), 'header', 'headers'],
  ])('%s refuses a misspelt option before doing anything', (where, call, given, meant) => {
    const e = expectThrow(call, TypeError, `${where}: unknown option '${given}'; did you mean '${meant}'?`);
    expect(e.message).toContain(`'${meant}'`);
    expect(e.message).toMatch(/the options are '/);
  });

  test('ffi.verifyAsync() rejects with the same error', async () => {
    const e = await expectReject(ffi.verifyAsync('', { include_dirs: [] } as never), TypeError, "ffi.verifyAsync(): unknown option 'include_dirs'; did you mean 'includeDirs'?");
    expect(e.message).toContain("'onWarning'");
  });

  test('a name far from every option gets the list without a guess', () => {
    const e = expectThrow(() => ffi.cdef('int h;', { colour: 'red' } as never), TypeError, "ffi.cdef(): unknown option 'colour'; the options are 'override', 'packed', 'pack'");
    expect(e.message).not.toContain('did you mean');
  });

  test('options that are not an object are refused as such', () => {
    expectThrow(() => ffi.verify('', 'quiet' as never), TypeError, 'ffi.verify(): expected options as an object, got string "quiet"');
  });
});

describe('an error thrown by a public function points at the caller', () => {
  const ffi = new FFI();
  ffi.cdef('int twice(int); int table[2];');
  let lib: { twice(x: number): number; table: unknown; nothere?: unknown };
  beforeAll(() => {
    lib = ffi.verify('int twice(int x) { return 2 * x; } int table[2];');
  });

  test.each([
    ['a type name cdef does not know', () => ffi.cast('no_such_type', 1), CDefError],
    ['an argument of the wrong type', () => lib.twice('x' as never), TypeError],
    ['an index out of bounds', () => (ffi.new('int[2]') as unknown as number[])[5], RangeError],
    ['a name the library does not have', () => lib.nothere, FFIError],
    ['a source the compiler refuses', () => ffi.verify('int twice(int x) { return y; }', { onWarning: () => undefined }), VerificationError],
  ])('%s: the first frame is this file', (_what, call, cls) => {
    const e = thrown(call);
    expect(e).toBeInstanceOf(cls);
    expect(topFrame(e)).toContain(THIS_FILE);
    // The header is the error's own name and message.
    expect((e as Error).stack!.startsWith(`${(e as Error).name}: ${(e as Error).message}`)).toBe(true);
  });

  test('the errors are still the standard classes to everyone', () => {
    const e = thrown(() => lib.twice('x' as never)) as Error;
    expect(e).toBeInstanceOf(TypeError);
    expect(e.constructor.name).toBe('TypeError');
    expect(Object.prototype.toString.call(e)).toBe('[object Error]');
  });

  test("code typed in Node's REPL: nothing below the typed line's frame, as the REPL trims its own errors", () => {
    // A function compiled under the name the REPL gives a typed line, called from this file.
    const typed = vm.runInThisContext('(function (f) { return function typedLine() { return f.cast("no_such_type", 1); }; })', { filename: 'REPL7' });
    const e = thrown(typed(ffi)) as Error;
    const frames = e.stack!.split('\n').filter((l) => l.trimStart().startsWith('at '));
    expect(frames).toEqual([expect.stringMatching(/^ {4}at typedLine \(REPL7:1:\d+\)$/)]);
    // Elsewhere the callers stay.
    const elsewhere = thrown(() => ffi.cast('no_such_type', 1)) as Error;
    expect(elsewhere.stack!.split('\n').filter((l) => l.trimStart().startsWith('at ')).length).toBeGreaterThan(1);
  });

  test('a stack can still be replaced by whoever catches the error', () => {
    const e = thrown(() => ffi.cast('no_such_type', 1)) as Error;
    e.stack = 'replaced';
    expect(e.stack).toBe('replaced');
  });

  test('compiler diagnostics are in the message once; the property that holds them too is not enumerable', () => {
    const e = expectThrow(() => ffi.verify('int twice(int x) { return y; }', { onWarning: () => undefined }), VerificationError, 'the C compiler failed');
    expect(e.diagnostics).toMatch(/\by\b/);
    expect(Object.keys(e)).not.toContain('diagnostics');
  });

  test('NODE_CFFI_DEBUG keeps node-cffi\'s own frames; without it, an uncaught error shows the caller first', () => {
    const script = `
      const { FFI } = require(${JSON.stringify(path.resolve(__dirname, '../../lib'))});
      try { new FFI().cast('no_such_type', 1); } catch (e) { console.log(e.stack.split('\\n')[1]); }`;
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
    const plain = run({ NODE_CFFI_DEBUG: '' });
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toContain('[eval]');
    const debug = run({ NODE_CFFI_DEBUG: '1' });
    expect(debug.stdout).toMatch(/lib[/\\]cparser[/\\]/);
  });
});

describe('errors of the calls that share verify()\'s build name the call made', () => {
  test('the compiler\'s failure says cc() or ffi.compile(), on the line after the headline of its first error too', () => {
    const told = (e: Error): string => e.message.split('\n').find((l) => /the C compiler failed/.test(l)) ?? '';
    expect(told(thrown(() => cc('int f(void) { return nowhere; }\n')) as Error)).toMatch(/^cc\(\): the C compiler failed \(/);
    const other = new FFI();
    other.cdef('int f(void);');
    other.setSource('_labelled', 'int f(void) { return nowhere; }\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-labelled-'));
    try {
      expect(told(thrown(() => other.compile({ tmpdir: dir })) as Error)).toMatch(/^ffi\.compile\(\): the C compiler failed \(/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a message whose headline comes first is relabelled on its own line, and only there', () => {
    const e = new VerificationError("#define X: use of undeclared identifier 'y'\nverify(): the C compiler failed (cc exited with status 1):\nverify(): not a label here");
    expect(() => calledAs('ffi.dlopen()', () => { throw e; })).toThrow(e);
    expect(e.message).toBe("#define X: use of undeclared identifier 'y'\nffi.dlopen(): the C compiler failed (cc exited with status 1):\nverify(): not a label here");
  });
});
