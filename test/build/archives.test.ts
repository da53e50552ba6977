// The names a link's static archives define: -l libraries found as archives (and not where a shared library comes first), -l:file, .a objects, linker scripts' archives.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { archiveDefinitions, librarySearchDirs } from '../../lib/build/archives';
import { CompileArgs, findCompiler } from '../../lib/build/compiler';
import { nodeHost } from '../../lib/host';
import { hostTasks, runSync } from '../../lib/tasks';
import { CC } from '../helpers/compiler';

let dir = '';
/** The compiler's own library directories (librarySearchDirs, remembered in a cache directory of the test's). */
let SEARCH: readonly string[] = [];

/** An archive at `file` of one object per function name (each `int name(void)`). */
function archive(file: string, names: readonly string[]): void {
  const objects = names.map((n) => {
    const c = path.join(dir, `${n}.c`);
    fs.writeFileSync(c, `int ${n}(void) { return 1; }\n`);
    const o = path.join(dir, `${n}.o`);
    const r = spawnSync(CC, ['-c', '-fPIC', '-o', o, c], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return o;
  });
  const r = spawnSync('ar', ['rcs', file, ...objects], { encoding: 'utf8' });
  expect([r.status, r.stderr]).toEqual([0, '']);
}

const link = (after: string[], objects: string[] = []): CompileArgs => ({ before: [], sources: [], objects, after, depends: [] });
const ours = (names: Set<string>): string[] => [...names].filter((n) => n.startsWith('arc_')).sort();

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-archives-'));
  fs.mkdirSync(path.join(dir, 'cache'), { mode: 0o700 });
  const io = hostTasks(nodeHost);
  SEARCH = runSync(librarySearchDirs(runSync(findCompiler({ compiler: CC }, nodeHost, io)), path.join(dir, 'cache'), nodeHost, io));
  for (const d of ['a', 'b', 'both']) fs.mkdirSync(path.join(dir, d));
  archive(path.join(dir, 'a', 'libone.a'), ['arc_one_x', 'arc_one_y']);
  archive(path.join(dir, 'b', 'libtwo.a'), ['arc_two']);
  archive(path.join(dir, 'both', 'libone.a'), ['arc_shadowed']);
  // A shared library beside an archive of the same name: the linker takes the shared one.
  const so = spawnSync(CC, ['-shared', '-fPIC', '-o', path.join(dir, 'both', 'libone.so'), '-x', 'c', '-'], { input: 'int arc_shared(void) { return 2; }\n', encoding: 'utf8' });
  expect(so.stderr).toBe('');
  // A linker script naming an archive, as glibc's libc.so names libc_nonshared.a.
  fs.writeFileSync(path.join(dir, 'b', 'libscript.so'), `/* GNU ld script */\nOUTPUT_FORMAT(elf64-x86-64)\nGROUP ( ${path.join(dir, 'b', 'libtwo.a')} AS_NEEDED ( /nonexistent/ld.so ) )\n`);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test("the compiler's search directories hold its C library, and are remembered in the cache directory", () => {
  const libc = spawnSync(CC, ['-print-file-name=libc.so'], { encoding: 'utf8' }).stdout.trim();
  expect(SEARCH.filter((d) => fs.existsSync(d)).map((d) => fs.realpathSync(d))).toContain(fs.realpathSync(path.dirname(libc)));
  const memos = fs.readdirSync(path.join(dir, 'cache')).filter((f) => f.startsWith('.searchdirs-'));
  expect(memos).toHaveLength(1);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'cache', memos[0]), 'utf8')).dirs).toEqual(SEARCH);
});

test('-l libraries found as archives give their symbol indexes, in the order of the directories', () => {
  const names = archiveDefinitions(link([`-L${path.join(dir, 'a')}`, `-L${path.join(dir, 'b')}`, '-lone', '-ltwo']), SEARCH, nodeHost);
  expect(ours(names)).toEqual(['arc_one_x', 'arc_one_y', 'arc_two']);
});

test('a directory with the shared library first gives nothing: the linker takes the shared one', () => {
  expect(ours(archiveDefinitions(link([`-L${path.join(dir, 'both')}`, `-L${path.join(dir, 'a')}`, '-lone']), SEARCH, nodeHost))).toEqual([]);
  expect(ours(archiveDefinitions(link([`-L${path.join(dir, 'a')}`, `-L${path.join(dir, 'both')}`, '-lone']), SEARCH, nodeHost))).toEqual(['arc_one_x', 'arc_one_y']);
});

test('-l:file, .a objects and link arguments, and the archives a linker script groups', () => {
  expect(ours(archiveDefinitions(link([`-L${path.join(dir, 'both')}`, '-l:libone.a']), SEARCH, nodeHost))).toEqual(['arc_shadowed']);
  expect(ours(archiveDefinitions(link([], [path.join(dir, 'b', 'libtwo.a')]), SEARCH, nodeHost))).toEqual(['arc_two']);
  expect(ours(archiveDefinitions(link([path.join(dir, 'a', 'libone.a')]), SEARCH, nodeHost))).toEqual(['arc_one_x', 'arc_one_y']);
  expect(ours(archiveDefinitions(link([`-L${path.join(dir, 'b')}`, '-lscript']), SEARCH, nodeHost))).toEqual(['arc_two']);
});

test('what is not an archive with an index gives nothing, and says nothing', () => {
  const notArchive = path.join(dir, 'libfake.a');
  fs.writeFileSync(notArchive, 'not an archive');
  const noIndex = path.join(dir, 'noindex.a');
  const r = spawnSync('ar', ['rcS', noIndex, path.join(dir, 'arc_two.o')], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(ours(archiveDefinitions(link([notArchive, noIndex, '-lno_such_library_here']), SEARCH, nodeHost))).toEqual([]);
});
