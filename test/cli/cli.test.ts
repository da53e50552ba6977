// The real `cffi` binary in a child process: every command, its help, and its error paths.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MAIN, ROOT, cffi, childEnv, ensureBuilt, workspace } from './binary';
import { CC, ccFamilyByName, installed, testIfInstalled } from '../helpers/compiler';

const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const FILES = {
  'add.c': 'int add(int a, int b) { return a + b; }\n',
  'exp.c': '#include <stdio.h>\n#include <stdint.h>\n#define LIMIT 8\ntypedef struct { int x; double y; } pt;\n' +
    'int counter = 1;\nstatic int hidden(void) { return 0; }\n' +
    'int64_t wide(int64_t v) { return v * 2; }\nint shout(const char *s) { printf("C says %s\\n", s); return 7; }\n' +
    'double norm(const pt *p) { return p->x * p->y; }\n',
  'hello.c': '#include <stdio.h>\nint main(int argc, char **argv) {\n  printf("hello %s (%d)\\n", argc > 1 ? argv[1] : "?", argc);\n  return 5;\n}\n',
  'broken.c': 'int add(int a, int b) {\n  return a + bb;\n}\n',
  'sub/inc/scale.h': '#define SCALE 3\n',
  'sub/scaled.c': '#include "scale.h"\nint scaled(int v) { return v * SCALE * FACTOR; }\n',
  'sub/local.h': 'struct pair { int a, b; };\n',
  'sub/uses_local.c': '#include "local.h"\nint sum(const struct pair *p) { return p->a + p->b; }\n',
  'math.c': 'double cos(double);\ndouble cosine(double x) { return cos(x); }\n',
  'decls.h': 'struct pt { int x; double y; };\nenum mode { OFF, ON = 3 };\n#define SIZE 16\nint add(int a, int b);\nlong long big(void);\n',
  'bad.h': 'int add(int a, int b);\nfoo_t f(void);\n',
  'clash.c': 'int Map(int x) { return x + 1; }\nint lib(void) { return 2; }\nint ok(void) { return 3; }\n',
  'warns.c': 'int widen(int x) {\n  long *p = &x;\n  return (int)*p;\n}\n',
  'flags.c': 'int extra(void) { return EXTRA; }\nconst char *label(void) { return LABEL; }\n',
};

let ws: { dir: string; cache: string };

beforeAll(() => {
  ensureBuilt();
  ws = workspace(FILES);
});

afterAll(() => {
  fs.rmSync(ws.dir, { recursive: true, force: true });
});

/** Whether text looks like a JavaScript stack trace. */
const hasStack = (text: string): boolean => /^\s+at .+(\.js|\.ts|<anonymous>|node:)/m.test(text);

describe('help and version', () => {
  test('--help, -h and help print the usage to stdout and exit 0', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = cffi(args, ws);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: cffi <command> \[options\]/);
      for (const command of ['run FILE.c', 'repl [FILE.c]', 'types FILE.h', 'cache [ls|clean]', 'doctor']) expect(r.stdout).toContain(command);
    }
  });

  test('no arguments: the usage goes to stderr, exit 2', () => {
    const r = cffi([], ws);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: cffi/);
  });

  test('--version and -v print the package version', () => {
    for (const flag of ['--version', '-v']) {
      const r = cffi([flag], ws);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`cffi (node-cffi) ${VERSION}\n`);
    }
  });

  test.each(['run', 'repl', 'types', 'cache', 'doctor'])('cffi %s --version (and -v) print the version too', (command) => {
    for (const flag of ['--version', '-v']) {
      const r = cffi([command, flag], ws);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`cffi (node-cffi) ${VERSION}\n`);
    }
  });

  test.each(['run', 'repl', 'types', 'cache', 'doctor'])('cffi %s --help (and help %s) describe the command', (command) => {
    for (const args of [[command, '--help'], ['help', command]]) {
      const r = cffi(args, ws);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: cffi ${command}`));
    }
  });

  test('an unknown command or option exits 2 and points to the right help', () => {
    const command = cffi(['frobnicate'], ws);
    expect(command.status).toBe(2);
    expect(command.stderr).toBe("cffi: unknown command 'frobnicate'\nSee 'cffi --help'.\n");
    const option = cffi(['run', '--frob', 'add.c'], ws);
    expect(option.status).toBe(2);
    expect(option.stderr).toBe("cffi: unknown option '--frob'\nSee 'cffi run --help'.\n");
    const level = cffi(['run', 'add.c', '-O', '9'], ws);
    expect(level.status).toBe(2);
    expect(level.stderr).toMatch(/-O 9: the optimisation level is one of/);
  });
});

describe('cffi run', () => {
  test('each -e is evaluated in order with the file\'s names and ffi in scope, and its result printed', () => {
    const r = cffi([
      'run', 'exp.c',
      '-e', 'typeof shout',
      '-e', 'wide(2n ** 60n)',
      '-e', 'LIMIT',
      '-e', 'counter = 41; counter + 1',
      '-e', 'ffi.new("pt *", { x: 2, y: 1.5 })',
      '-e', 'norm(ffi.new("pt *", { x: 2, y: 1.5 }))',
      '-e', '"a string prints as is"',
    ], ws);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(['function', '2305843009213693952n', '8', '42', "<cdata 'pt *' owning 16 bytes> { x: 2, y: 1.5 }", '3', 'a string prints as is', ''].join('\n'));
  });

  test("C's output comes out in order with JavaScript's", () => {
    const r = cffi(['run', 'exp.c', '-e', 'shout("one")', '-e', 'console.log("js")', '-e', 'shout("two")'], ws);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('C says one\n7\njs\nC says two\n7\n');
  });

  test("without -e, main() runs with the file and the arguments after '--', and its result is the exit status", () => {
    const r = cffi(['run', 'hello.c', '--', 'world'], ws);
    expect(r.stdout).toBe('hello world (2)\n');
    expect(r.status).toBe(5);
  });

  test('without -e or main(), it says what the file declares, exit 2', () => {
    const r = cffi(['run', 'add.c'], ws);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('add.c has no main() and no -e was given; it declares add');
  });

  test('a compile error prints the diagnostics with the file name and line, no stack trace, exit 1', () => {
    for (const file of ['broken.c', path.join(ws.dir, 'broken.c')]) {
      const r = cffi(['run', file, '-e', 'add(1, 2)'], ws);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${file}:2:14: error:`);
      expect(r.stderr).toMatch(/bb/);
      expect(hasStack(r.stderr)).toBe(false);
    }
  });

  test('a source that ends early is said once, then the call that failed (was: said twice)', () => {
    fs.writeFileSync(path.join(ws.dir, 'unfinished.c'), 'int f(');
    const r = cffi(['run', 'unfinished.c', '-e', 'f()'], ws);
    expect(r.status).toBe(1);
    const said = "the source ends inside a function body or a declaration (a '}' or ';' missing at its end?)";
    expect(r.stderr.split(said)).toHaveLength(2);
    expect(r.stderr.trimEnd()).toMatch(/^unfinished\.c:1:\d+: error: .*\ncc\(\): the C compiler failed \(\S+ exited with status 1\)$/);
    // Any other error: the diagnostics, then that line, once.
    const broken = cffi(['run', 'broken.c', '-e', 'add(1, 2)'], ws);
    expect(broken.stderr.split('the C compiler failed')).toHaveLength(2);
    expect(broken.stderr.trimEnd()).toMatch(/^broken\.c[^]*\ncc\(\): the C compiler failed \(\S+ exited with status 1\)$/);
  });

  test("the compiler's warnings are printed on stderr as it wrote them, also when the library comes from the cache", () => {
    for (let i = 0; i < 2; i++) {
      const r = cffi(['run', 'warns.c', '-e', 'widen(4)'], ws);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('4\n');
      // As the compiler wrote it: gcc points at column 13 and quotes '    2 |   long *p = &x;', clang at column 9 and quotes the line as it is.
      expect(r.stderr).toMatch(/^warns\.c:2:(13|9): warning: .*incompatible pointer type.* \[-Wincompatible-pointer-types\]\n( {4}2 \| {3}| {2})long \*p = &x;\n/);
      expect(r.stderr).not.toMatch(/NodeCffiCompilerWarning|node-cffi-glue/);
    }
  });

  test('a JavaScript error prints the message, no stack trace, exit 1; later expressions do not run', () => {
    const r = cffi(['run', 'add.c', '-e', 'add(1)', '-e', 'console.log("not reached")'], ws);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("cffi run: -e 'add(1)': TypeError: add(): expected 2 arguments, got 1\n");
    const syntax = cffi(['run', 'add.c', '-e', 'add(1,'], ws);
    expect(syntax.status).toBe(1);
    expect(syntax.stderr).toMatch(/^cffi run: -e 'add\(1,': SyntaxError: /);
    expect(hasStack(syntax.stderr)).toBe(false);
  });

  test('a C name JavaScript already has keeps its JavaScript meaning; the C one is lib.NAME', () => {
    const r = cffi(['run', 'clash.c', '-e', 'ok() + lib.Map(1) + new Map().size + (typeof lib === "object" ? 0 : 100)'], ws);
    expect(r.stdout).toBe('5\n');
    expect(r.stderr).toBe(
      "cffi run: 'Map' of clash.c is reachable as lib.Map (the global keeps its JavaScript meaning)\n" +
        "cffi run: 'lib' of clash.c is reachable as lib.lib (the global keeps its JavaScript meaning)\n",
    );
  });

  test('a static function is refused by name, as lib.NAME or as a global, with the reason the library gives', () => {
    const why = "the verify() library for exp.c: 'hidden' is a static function of exp.c, visible only to its C code; remove 'static' to call it from JavaScript";
    for (const expr of ['lib.hidden()', 'hidden()']) {
      const r = cffi(['run', 'exp.c', '-e', expr], ws);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`cffi run: -e '${expr}': FFIError: ${why}\n`);
    }
  });

  test('a misspelled name of the library says which declared name is close', () => {
    const r = cffi(['run', 'exp.c', '-e', 'lib.shuot("x")'], ws);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("cffi run: -e 'lib.shuot(\"x\")': FFIError: the verify() library for exp.c: no function, global or constant named 'shuot' was declared; did you mean 'shout'?\n");
  });

  test('-e lib prints the library: its functions by their C declarations, its globals and constants by value', () => {
    const r = cffi(['run', 'add.c', '-e', 'lib'], ws);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('[Lib: the verify() library for add.c] { add: [Function: int add(int, int)] }\n');
  });

  test('--cflags and --ldflags pass flags through, split at spaces (quotes keep a word whole)', () => {
    const r = cffi(['run', 'flags.c', '--cflags', '-O1 -DEXTRA=4 \'-DLABEL="a b"\'', '-e', 'extra()', '-e', 'ffi.string(label())'], ws);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('4\na b\n');
    const linked = cffi(['run', 'math.c', '--ldflags', '-lm', '-e', 'cosine(0)'], ws);
    expect(linked.stderr).toBe('');
    expect(linked.stdout).toBe('1\n');
  });

  test('--pkg-config PKG adds the flags pkg-config gives for PKG, as a shell splits them ($PKG_CONFIG names the program)', () => {
    const fake = path.join(ws.dir, 'fake-pkg-config');
    fs.writeFileSync(fake, `#!/bin/sh\n[ "$3" = fakepkg ] || { echo "Package $3 was not found" >&2; exit 1; }\ncase "$2" in --cflags) printf '%s\\n' '-DEXTRA=9 -DLABEL=\\"p\\ c\\"' ;; --libs) echo '-lm' ;; esac\n`, { mode: 0o755 });
    process.env.PKG_CONFIG = fake;
    try {
      const r = cffi(['run', 'flags.c', '--pkg-config', 'fakepkg', '-e', 'extra()', '-e', 'ffi.string(label())'], ws);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('9\np c\n');
      const linked = cffi(['run', 'math.c', '--pkg-config', 'fakepkg', '-e', 'cosine(0)'], ws);
      expect(linked.stderr).toBe('');
      expect(linked.stdout).toBe('1\n');
      const unknown = cffi(['run', 'math.c', '--pkg-config', 'nosuchpkg', '-e', 'cosine(0)'], ws);
      expect(unknown.status).not.toBe(0);
      expect(unknown.stderr).toContain(`options.pkgconfig: ${fake} --print-errors --cflags nosuchpkg failed: Package nosuchpkg was not found`);
    } finally {
      delete process.env.PKG_CONFIG;
    }
  });

  test('results are coloured on a terminal, and not when NO_COLOR is set', () => {
    const onTerminal = (env: NodeJS.ProcessEnv): string => {
      const command = [process.execPath, MAIN, 'run', 'add.c', '-e', 'add(1, 2)'].map((s) => `'${s}'`).join(' ');
      const r = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd: ws.dir, env: { ...env, TERM: 'xterm' }, encoding: 'utf8' });
      return r.stdout;
    };
    const { NO_COLOR: _unset, ...colourful } = childEnv(ws.cache);
    expect(onTerminal(colourful)).toContain('\x1b[33m3\x1b[39m');
    expect(onTerminal({ ...colourful, NO_COLOR: '1' })).toBe('3\r\n');
  });

  test('a missing file, or no file, is said plainly', () => {
    const missing = cffi(['run', 'nope.c'], ws);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('cffi run: cannot read nope.c: no such file\n');
    const none = cffi(['run', '-e', '1'], ws);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^cffi: run: name the C file to compile/);
  });

  testIfInstalled('tcc')('--cc tcc: the compiler named is the one that runs', () => {
    const tcc = cffi(['run', '--cc', 'tcc', 'add.c', '-e', 'add(20, 22)'], ws);
    expect(tcc.stderr).toBe('');
    expect(tcc.stdout).toBe('42\n');
    const ls = cffi(['cache', 'ls'], ws);
    expect(ls.stdout).toMatch(/ add\.c +add +tcc \(tcc version /);
  });

  test('-O, -D, -I, -l: the compile options reach the compiler', () => {
    const defined = cffi(['run', '-O0', 'sub/scaled.c', '-I', 'sub/inc', '-DFACTOR=5', '-e', 'scaled(2)'], ws);
    expect(defined.stderr).toBe('');
    expect(defined.stdout).toBe('30\n');
    const local = cffi(['run', 'sub/uses_local.c', '-e', 'sum(ffi.new("struct pair *", { a: 2, b: 3 }))'], ws);
    expect(local.stdout).toBe('5\n');
    const linked = cffi(['run', 'math.c', '-l', 'm', '-e', 'cosine(0)'], ws);
    expect(linked.stderr).toBe('');
    expect(linked.stdout).toBe('1\n');
  });

  test('-U undefines after the -D options; --rpath lets the library find a shared library of yours when it loads', () => {
    const undefined_ = cffi(['run', 'flags.c', '-DEXTRA=4', '-DLABEL="x"', '-U', 'EXTRA', '-e', 'extra()'], ws);
    expect(undefined_.status).not.toBe(0);
    expect(undefined_.stderr).toMatch(/flags\.c:1:\d+: error: (.EXTRA. undeclared|use of undeclared identifier .EXTRA.)/); // gcc's words, clang's
    const libs = path.join(ws.dir, 'rpath-libs');
    fs.mkdirSync(libs, { recursive: true });
    fs.writeFileSync(path.join(ws.dir, 'rpathdep.c'), 'int rpathdep(void) { return 9; }\n');
    expect(spawnSync(CC, ['-shared', '-fPIC', path.join(ws.dir, 'rpathdep.c'), '-o', path.join(libs, 'libncffirpath.so')]).status).toBe(0);
    fs.writeFileSync(path.join(ws.dir, 'userpath.c'), 'int rpathdep(void);\nint nine(void) { return rpathdep(); }\n');
    const without = cffi(['run', 'userpath.c', '-L', libs, '-l', 'ncffirpath', '-e', 'nine()'], ws);
    expect(without.stderr).toContain('needs libncffirpath.so, which the dynamic linker does not find');
    const found = cffi(['run', 'userpath.c', '-L', libs, '--rpath', libs, '-l', 'ncffirpath', '-e', 'nine()'], ws);
    expect(found.stderr).toBe('');
    expect(found.stdout).toBe('9\n');
  });
});

describe('cffi run: a name defined nowhere', () => {
  test('says so in the command\'s terms (-l)', () => {
    fs.writeFileSync(path.join(ws.dir, 'needs_m.c'), '#include <math.h>\nextern double cbrt(double);\ndouble root(double x) { return cbrt(x); }\nextern int not_anywhere(void);\nint other(void) { return not_anywhere(); }\n');
    const r = cffi(['run', 'needs_m.c', '-e', 'root(27)'], ws);
    expect([r.status, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toBe("cffi run: needs_m.c refers to 'not_anywhere', which neither needs_m.c nor a library linked defines; define it there, or link the library that defines it with -l NAME (-l m for libm.so)\n");
  });
});

describe('cffi types', () => {
  test('prints TypeScript declarations for a cdef file', () => {
    const r = cffi(['types', 'decls.h'], ws);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("import type { CData } from 'node-cffi';\n");
    expect(r.stdout).toContain('export interface struct_pt extends CData {');
    expect(r.stdout).toContain('export type enum_mode = 0 | 3;');
    expect(r.stdout).toContain('  add(a: number | bigint, b: number | bigint): number;');
    expect(r.stdout).toContain('  big(): number | bigint;');
    expect(r.stdout).toContain('  readonly SIZE: 16;');
  });

  test('-o writes a file; --name and --from shape it', () => {
    const r = cffi(['types', 'decls.h', '-o', 'decls.d.ts', '--name', 'Decls', '--from', '../lib'], ws);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const text = fs.readFileSync(path.join(ws.dir, 'decls.d.ts'), 'utf8');
    expect(text).toContain('export interface Decls {');
    expect(text).toContain("import type { CData } from '../lib';\n");
  });

  test('a --name that is no TypeScript identifier is a usage error (was: written into the interface)', () => {
    for (const name of ['a-b c', '9lives', 'interface']) {
      const r = cffi(['types', 'decls.h', '--name', name], ws);
      expect([r.status, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toContain(`cffi: --name ${JSON.stringify(name)} is `);
    }
    expect(cffi(['types', 'decls.h', '--name', 'a-b c'], ws).stderr).toContain('is not a TypeScript identifier; give letters, digits');
  });

  test('a header file here that cdef cannot read says how to read it as a C header (--header)', () => {
    fs.writeFileSync(path.join(ws.dir, 'guarded.h'), '#ifndef GUARDED_H\n#define GUARDED_H\nint guarded(int);\n#endif\n');
    const r = cffi(['types', 'guarded.h'], ws);
    expect([r.status, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toBe(
      "guarded.h:1:1: '#ifndef' is not supported in cdef; the only directive it takes is '#define NAME <integer constant expression>'\n" +
        '(guarded.h is read as cdef; to read it as a C header, as ffi.cdefHeader() does, run: cffi types --header guarded.h)\n',
    );
    const header = cffi(['types', '--header', 'guarded.h', '-I', '.'], ws);
    expect(header.status).toBe(0);
    expect(header.stdout).toContain('  guarded(arg0: number | bigint): number;');
  });

  test('a C file is read as cc() reads it', () => {
    const r = cffi(['types', 'exp.c'], ws);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  wide(v: number | bigint): number | bigint;');
    expect(r.stdout).toContain('  readonly LIMIT: 8;');
    expect(r.stdout).not.toContain('hidden');
  });

  const sqlite = ['/usr/include/sqlite3.h', '/usr/local/include/sqlite3.h'].some((f) => fs.existsSync(f));
  const headerTitle = 'a header that is not a file here is read whole, as ffi.cdefHeader() reads it';
  (sqlite ? test : test.skip)(sqlite ? headerTitle : `${headerTitle} (skipped: sqlite3.h is not installed; Debian: libsqlite3-dev)`, () => {
    const r = cffi(['types', 'sqlite3.h'], ws);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('// TypeScript declarations for sqlite3.h, generated by `cffi types`.');
    expect(r.stdout).toContain('  sqlite3_libversion(): CData | null;');
    expect(r.stdout).toContain('  readonly SQLITE_ROW: 100;');
    expect(r.stdout).toMatch(/readonly SQLITE_VERSION: string;/);
    expect(r.stderr).toMatch(/^cffi types: \d+ declarations of sqlite3.h were left out/);
    const only = cffi(['types', 'sqlite3.h', '--only', '^sqlite3_libversion$'], ws);
    expect(only.stdout).toMatch(/export interface Lib \{\n {2}sqlite3_libversion\(\): CData \| null;\n\}/);
  });

  test('a mistake in the declarations names the file, line and column; exit 1', () => {
    const r = cffi(['types', 'bad.h'], ws);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("bad.h:2:1: unknown type name 'foo_t'\n");
  });
});

describe('cffi cache', () => {
  test('ls lists the libraries with size, age and source; clean empties the cache', () => {
    const own = workspace({ 'listed.c': 'int one(void) { return 1; }\n' });
    const empty = cffi(['cache'], own);
    expect(empty.status).toBe(0);
    expect(empty.stdout).toBe(`${own.cache}: no compiled libraries\n`);
    expect(cffi(['run', 'listed.c', '-e', 'one()'], own).stdout).toBe('1\n');
    const ls = cffi(['cache', 'ls'], own);
    expect(ls.status).toBe(0);
    const lines = ls.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${own.cache}: 1 library, ${lines[2].trim().split(/\s+/).slice(0, 2).join(' ')}`);
    expect(lines[1].split(/\s+/).filter(Boolean)).toEqual(['SIZE', 'AGE', 'SOURCE', 'NAME', 'COMPILER']);
    expect(lines[2]).toMatch(new RegExp(`^\\s*\\d+\\.\\d KiB {2}\\d+ s {2,}listed\\.c {2}listed {2}${ccFamilyByName()} \\(`));
    const clean = cffi(['cache', 'clean'], own);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(new RegExp(`^${own.cache.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: removed \\d+ entries \\(\\d+\\.\\d KiB\\)\\n$`));
    expect(cffi(['cache'], own).stdout).toBe(`${own.cache}: no compiled libraries\n`);
    expect(cffi(['cache', 'prune'], own).status).toBe(2);
    fs.rmSync(own.dir, { recursive: true, force: true });
  });
});

describe('cffi doctor', () => {
  test('one line per check, each OK here, exit 0', () => {
    const r = cffi(['doctor'], ws);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const status = Object.fromEntries(lines.map((l) => [l.slice(6, l.indexOf(':')), l.slice(0, 4).trim()]));
    expect(status).toMatchObject({ 'C compiler': 'OK', koffi: 'OK', cache: 'OK', 'compile and call': 'OK' });
    // Optional compilers are OK when installed and '--' (not installed) otherwise.
    expect([status.tcc, status.clang]).toEqual([installed('tcc') ? 'OK' : '--', installed('clang') ? 'OK' : '--']);
    expect(['OK', 'WARN']).toContain(status['native helper']);
    expect(r.stdout).toMatch(/compile and call: add\(1, 2\) = 3 \(\d+ ms\)/);
  });

  test('a missing compiler is a FAIL line saying what to do, exit 1', () => {
    const r = spawnDoctorWith({ CC: 'no-such-compiler-here' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}C compiler: the C compiler 'no-such-compiler-here' is not on PATH .*install a C compiler/m);
  });
});

function spawnDoctorWith(env: Record<string, string>) {
  return spawnSync(process.execPath, [MAIN, 'doctor'], { cwd: ws.dir, env: { ...childEnv(ws.cache), ...env }, encoding: 'utf8' });
}
