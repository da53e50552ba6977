// dlopen() of a path again: the file at the path now, whether the library it held before is still loaded, unloaded, or was found by a bare name; and of a handle C's dlopen() gave.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { CData, FFI } from '../../lib';
import { nodeHost } from '../../lib/host';
import { CC } from '../helpers/compiler';

let dir: string;
let collect: () => void;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-reopen-'));
  v8.setFlagsFromString('--expose-gc');
  collect = vm.runInNewContext('gc') as () => void;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Builds a library whose version() returns `v` and puts it at `file` by renaming (a new inode, as a rebuild gives). */
function build(file: string, v: number): void {
  const c = path.join(dir, `v${v}.c`);
  fs.writeFileSync(c, `int version(void) { return ${v}; }\n`);
  const r = spawnSync(CC, ['-shared', '-fPIC', '-o', `${file}.tmp`, c], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  fs.renameSync(`${file}.tmp`, file);
}

const open = (p: string): { version(): number } => {
  const ffi = new FFI();
  ffi.cdef('int version(void);');
  return ffi.dlopen(p) as unknown as { version(): number };
};

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a file replaced while the old one is loaded: the new code, through a link made for the load', () => {
  const file = path.join(dir, 'replaced.so');
  build(file, 1);
  const first = open(file);
  build(file, 2);
  const link = jest.spyOn(nodeHost, 'linkSync');
  try {
    const second = open(file);
    expect([first.version(), second.version()]).toEqual([1, 2]);
    expect(link).toHaveBeenCalledTimes(1);
  } finally {
    link.mockRestore();
  }
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('replaced.so.'))).toEqual([]); // the link is gone
});

test('the same file again, its library unloaded meanwhile: loaded by its path, with no link', async () => {
  const file = path.join(dir, 'same.so');
  build(file, 3);
  expect(open(file).version()).toBe(3);
  for (let i = 0; i < 5; i++) {
    collect();
    await turn();
  }
  const link = jest.spyOn(nodeHost, 'linkSync');
  try {
    expect(open(file).version()).toBe(3);
    expect(link).not.toHaveBeenCalled();
  } finally {
    link.mockRestore();
  }
});

test('a bare name (searched by the dynamic linker) opens again after its library was unloaded', async () => {
  const cos = (): number => {
    const ffi = new FFI();
    ffi.cdef('double cos(double);');
    return (ffi.dlopen('libm.so.6') as unknown as { cos(x: number): number }).cos(0);
  };
  expect(cos()).toBe(1);
  for (let i = 0; i < 5; i++) {
    collect();
    await turn();
  }
  expect(cos()).toBe(1);
});

test("a handle from C's dlopen(): its library, found in C's list of loaded libraries; another address is refused", () => {
  const file = path.join(dir, 'handle.so');
  build(file, 4);
  const sys = new FFI();
  sys.cdef('void *dlopen(const char *, int); int dlclose(void *); size_t strlen(const char *);');
  const C = sys.dlopen(null) as unknown as { dlopen(p: string | null, f: number): CData; dlclose(h: CData): number };
  const handle = C.dlopen(file, sys.RTLD_NOW);
  const ffi = new FFI();
  ffi.cdef('int version(void); size_t strlen(const char *);');
  expect((ffi.dlopen(handle) as unknown as { version(): number }).version()).toBe(4);
  // The program's own handle (dlopen(NULL)) is the C library and the running process.
  expect((ffi.dlopen(C.dlopen(null, sys.RTLD_NOW)) as unknown as { strlen(s: string): number }).strlen('abc')).toBe(3);
  expect(() => ffi.dlopen(ffi.cast('void *', 0x1234) as CData)).toThrow(
    "ffi.dlopen(): cdata 'void *' 0x1234 is not a handle C's dlopen() gave for a library loaded in this process",
  );
  expect(() => ffi.dlopen(42 as unknown as string)).toThrow(TypeError);
  expect(C.dlclose(handle)).toBe(0);
});
