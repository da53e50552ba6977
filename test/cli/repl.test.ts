// `cffi repl` in a pseudo-terminal (util-linux script): what a person typing .c, expressions, .dump and .cdef sees.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import { MAIN, childEnv, ensureBuilt, workspace } from './binary';
import { ccFamily, testIfInstalled } from '../helpers/compiler';

/** Terminal output as a person reads it: colour and cursor sequences removed, CRLF as LF. */
const visible = (raw: string): string =>
  raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n/g, '\n').replace(/\r/g, '');

interface Terminal {
  /** Types a line (or keys without Enter when `enter` is false) once the next prompt is on the screen. */
  type(text: string, enter?: boolean): Promise<void>;
  /** Sends keys now, whatever the screen shows (Tab, continuation lines). */
  write(keys: string): void;
  /** Waits until the screen has shown `text` `times` times in all. */
  waitFor(text: string, times?: number): Promise<void>;
  /**
   * Presses Tab and waits until readline has inserted `rest`, the completion of the word before
   * the cursor: the text as inserted, not as the preview (' // rest', which may come before or
   * after the Tab) shows it, and however the screen then draws the line.
   */
  complete(rest: string): Promise<void>;
  screen(): string;
  closed: Promise<number | null>;
}

/** Terminals still open, with their screens: a failed test must not leave its session running. */
const running = new Map<ChildProcess, () => string>();

afterEach(() => {
  // A session still open here belongs to a test that failed or timed out: show what it showed.
  for (const [child, screen] of running) {
    console.error(`cffi repl was still running; its screen:\n${screen()}`);
    child.kill('SIGKILL');
  }
});

/** Starts `cffi ARGS` on a pseudo-terminal. */
function terminal(args: readonly string[], where: { dir: string; cache: string }): Terminal {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, MAIN, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: where.dir, env: { ...childEnv(where.cache), TERM: 'xterm' } });
  let raw = '';
  let ended = false;
  running.set(child, () => visible(raw));
  child.on('close', () => {
    ended = true;
    running.delete(child);
  });
  child.stdout.on('data', (d: Buffer) => (raw += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (raw += d.toString('utf8')));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const count = (text: string) => visible(raw).split(text).length - 1;
  /** Waits for `seen()`; a session that has ended will show nothing more, so that fails at once. (A hang is the test's timeout.) */
  const until = async (seen: () => boolean, what: string) => {
    while (!seen()) {
      if (ended) throw new Error(`the session ended while waiting for ${what}; the screen shows:\n${visible(raw)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const waitFor = (text: string, times = 1) => until(() => count(text) >= times, `${JSON.stringify(text)} x${times}`);
  const inserted = (rest: string) => (visible(raw).match(new RegExp(`(?<!// )${rest}`, 'g')) ?? []).length;
  const complete = async (rest: string) => {
    const before = inserted(rest);
    child.stdin.write('\t');
    await until(() => inserted(rest) > before, `the completion ${JSON.stringify(rest)}`);
  };
  // Each line is typed at a fresh prompt: one shown after everything the previous line printed.
  let mark = 0;
  return {
    async type(text, enter = true) {
      await until(() => visible(raw).slice(mark).includes('cffi> '), `a prompt to type ${JSON.stringify(text)}`);
      mark = visible(raw).length;
      child.stdin.write(enter ? `${text}\r` : text);
    },
    write: (keys) => child.stdin.write(keys),
    waitFor,
    complete,
    screen: () => visible(raw),
    closed,
  };
}

let ws: { dir: string; cache: string };

beforeAll(() => {
  ensureBuilt();
  ws = workspace({
    'start.c': '#include <stdint.h>\nint add(int a, int b) { return a + b; }\nint64_t quadruple(int64_t v) { return 4 * v; }\n',
  });
});

afterAll(() => fs.rmSync(ws.dir, { recursive: true, force: true }));

test('a session: .c adds a function, expressions use old and new names, .dump shows memory, .cdef lists declarations', async () => {
  const t = terminal(['repl', 'start.c'], ws);
  await t.waitFor('start.c: declared: add, quadruple');
  await t.type('.c int sq(int x) { return x * x; }');
  await t.waitFor('declared: sq');
  await t.type('sq(7) + add(1, 2)');
  await t.waitFor('\n52\n');
  // Tab completion knows the library's names: 'quad' completes to 'quadruple'.
  await t.type('quadr', false);
  await t.complete('uple');
  t.write('(10)\r');
  await t.waitFor('\n40\n');
  await t.type('const p = ffi.new("int[2]", [1, 258])');
  await t.type('.dump p');
  await t.waitFor("'int[2]': 8 bytes at 0x");
  await t.type('p');
  await t.waitFor("<cdata 'int[2]' owning 8 bytes> [ 1, 258 ]");
  await t.type('.cdef');
  await t.waitFor('int sq(int x);');
  // A struct made before a .c works with a function the .c adds: the session keeps one FFI.
  await t.type('.c struct box { int w, h; };');
  await t.type('const b = ffi.new("struct box *", { w: 6, h: 7 })');
  await t.type('.c int area(const struct box *b) { return b->w * b->h; }');
  await t.waitFor('declared: area');
  await t.type('area(b)');
  await t.waitFor('\n42\n');
  await t.type('.c int broken(void) { return missing_name; }');
  await t.waitFor('error:');
  await t.type('sq(3)');
  await t.waitFor('\n9\n');
  // The failed .c left nothing behind: the next one compiles.
  await t.type('.c int fine(void) { return 11; }');
  await t.waitFor('declared: fine');
  await t.type('fine() + area(b)');
  await t.waitFor('\n53\n');
  await t.type('.exit');
  expect(await t.closed).toBe(0);

  const screen = t.screen();
  // What a person sees, in order: the dump rows with bytes and values, and the compiler's own message.
  expect(screen).toMatch(/0x[0-9a-f]+ {2}01 00 00 00 {14}\[0\] = 1\n0x[0-9a-f]+ {2}02 01 00 00 {14}\[1\] = 258\n/);
  expect(screen).toContain('int add(int a, int b);\nint64_t quadruple(int64_t v);\nint sq(int x);\n');
  expect(screen).toMatch(/<c 4>:1:\d+: error: .*missing_name/);
  expect(screen).not.toMatch(/\n\s+at .*\.js:\d+/);
});

testIfInstalled('tcc')('a block of C over several lines, .load, .types, and a non-cdata given to .dump (with --cc tcc)', async () => {
  fs.writeFileSync(`${ws.dir}/more.c`, 'struct pt { int x, y; };\nint dot(const struct pt *a) { return a->x * a->y; }\n');
  const t = terminal(['repl', '--cc', 'tcc'], ws);
  await t.type('.c int cube(int x) {');
  await t.waitFor('c... ');
  t.write('  return x * x * x;\r');
  t.write('}\r');
  await t.waitFor('declared: cube');
  await t.type('cube(3)');
  await t.waitFor('\n27\n');
  await t.type('.load more.c');
  await t.waitFor('declared: dot');
  await t.type('dot(ffi.new("struct pt *", { x: 6, y: 7 }))');
  await t.waitFor('\n42\n');
  await t.type('.types');
  await t.waitFor('  dot(a: CData | readonly (struct_pt | struct_pt_init)[] | null): number;');
  await t.type('.dump 42');
  await t.waitFor('TypeError: .dump 42: expected a cdata, got 42');
  await t.type('.exit');
  expect(await t.closed).toBe(0);
  expect(t.screen()).toContain('  cube(x: number | bigint): number;');
});

test('C mode: Ctrl+C and .break drop a block, a function defined again replaces the old one, .reset starts over', async () => {
  const t = terminal(['repl', 'start.c'], ws);
  await t.waitFor('start.c: declared: add, quadruple');
  // Ctrl+C in the middle of a block drops it: nothing is compiled, and the session goes on.
  await t.type('.c int half(int x) {');
  await t.waitFor('c... ');
  t.write('  return x / 2;\r');
  t.write('\x03');
  await t.waitFor('(the C block was abandoned; nothing was compiled)');
  await t.type('typeof half');
  await t.waitFor("'undefined'");
  // .break does the same.
  await t.type('.c int third(int x) {');
  await t.waitFor('c... ', 2);
  t.write('.break\r');
  await t.waitFor('(the C block was abandoned; nothing was compiled)', 2);
  // Defining a function again replaces it, and earlier C calling it calls the new one.
  await t.type('.c int sq(int x) { return x * x; }');
  await t.waitFor('declared: sq');
  await t.type('.c int quad(int x) { return sq(sq(x)); }');
  await t.waitFor('declared: quad');
  await t.type('.c int sq(int x) { return x + x; }');
  await t.waitFor('redefined: sq');
  await t.type('quad(3) + sq(10)');
  await t.waitFor('\n32\n');
  // A compile error shows the line it names and a caret under the column.
  await t.type('.c int broken(void) { return missing_name; }');
  await t.waitFor('cc(): the C compiler failed');
  // .reset forgets the C added since the start and reads start.c again.
  await t.type('.reset');
  await t.waitFor('a fresh session\nstart.c: declared: add, quadruple');
  await t.type('typeof quad + " " + typeof sq + " " + add(2, 3)');
  await t.waitFor("'undefined undefined 5'");
  await t.type('.exit');
  expect(await t.closed).toBe(0);
  // The source line and a caret under the column, in the compiler's own layout.
  expect(t.screen()).toContain(
    ccFamily() === 'clang'
      ? 'int broken(void) { return missing_name; }\n                          ^'
      : '    1 | int broken(void) { return missing_name; }\n      |                           ^',
  );
});

test('JavaScript completion and preview are off while C is typed; errors show no frames of node-cffi; lib prints its names', async () => {
  const t = terminal(['repl', 'start.c'], ws);
  await t.waitFor('start.c: declared: add, quadruple');
  // In JavaScript, Tab completes a C name.
  await t.type('quadr', false);
  await t.complete('uple');
  t.write('(1)\r');
  await t.waitFor('\n4\n');
  // In C, Tab is a Tab and nothing is completed: the compiler sees 'quadr', a Tab, then 'uple'.
  await t.type('.c int twice(int x) {');
  await t.waitFor('c... ');
  t.write('\treturn quadr');
  t.write('\t');
  t.write('uple(x) / 2; }\r');
  await t.waitFor(ccFamily() === 'clang' ? "use of undeclared identifier 'quadr'" : '‘quadr’ undeclared');
  await t.type('.c int twice(int x) { return quadruple(x) / 2; }');
  await t.waitFor('declared: twice');
  await t.type('twice(5)');
  await t.waitFor('\n10\n');
  await t.type("add('x', 1)");
  await t.waitFor("TypeError: add() argument 1 ('a'): expected an integer for 'int', got string \"x\"");
  await t.type('lib');
  await t.waitFor('[Lib: the verify() library for start.c]');
  // Tab completion looks into the library object too.
  await t.type('lib.quadr', false);
  // The completion inserts the rest of the name; the call's result shows it completed.
  await t.complete('uple');
  t.write('(2)\r');
  await t.waitFor('\n8\n');
  await t.type('.exit');
  expect(await t.closed).toBe(0);
  const screen = t.screen();
  expect(screen).not.toMatch(/^\s+at .*(node-cffi|dist\/lib|eval at makeCaller)/m);
  // Nor frames of the REPL's machinery below the line typed, as Node shows its own errors.
  expect(screen).not.toMatch(/^\s+at .*\((node:repl|node:vm|node:domain):/m);
  expect(screen).toContain('add: [Function: int add(int, int)]');
  // The C line shows what was typed, with no completion inserted after 'quadr'.
  expect(screen).toContain('c... \treturn quadr\tuple(x) / 2; }\n');
});
