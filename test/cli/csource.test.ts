// The C of a REPL session: its top-level items, a definition replaced by a later one, diagnostics with their source line.
import { replaceRedefined, topLevelItems, withSourceLines } from '../../lib/cli/csource';

const SESSION = `#include <stdio.h>
// a helper
int sq(int x) { return x * x; }
struct box { int w, h; };
int (*pick(int which))(int, int) { return 0; }
int counter = 1;
char label[8] = "a;}b";
int quad(int x) {
  return sq(sq(x));
}
int a, b;
typedef int myint;
static inline int __attribute__((unused)) cube(int x) { return x * x * x; }
`;

test('top-level items: directives, definitions ending at their body, declarations at their semicolon', () => {
  const items = topLevelItems(SESSION).map((i) => [SESSION.slice(i.start, i.end).trim(), i.defines, i.variable]);
  expect(items).toEqual([
    ['#include <stdio.h>', null, null],
    ['// a helper\nint sq(int x) { return x * x; }', 'sq', null],
    ['struct box { int w, h; };', null, null],
    ['int (*pick(int which))(int, int) { return 0; }', 'pick', null],
    ['int counter = 1;', null, 'counter'],
    ['char label[8] = "a;}b";', null, 'label'],
    ['int quad(int x) {\n  return sq(sq(x));\n}', 'quad', null],
    ['int a, b;', null, null],
    ['typedef int myint;', null, null],
    ['static inline int __attribute__((unused)) cube(int x) { return x * x * x; }', 'cube', null],
  ]);
});

test('a function or variable defined again: the old definition becomes the new declaration, on as many lines', () => {
  const r = replaceRedefined(SESSION, 'double sq(double x) { return x + 1; }\nlong counter = 5;\nint unrelated(void) { return 0; }\n');
  expect(r.replaced).toEqual(['sq', 'counter']);
  expect(r.text.split('\n')).toHaveLength(SESSION.split('\n').length);
  expect(r.text).toContain('\ndouble sq(double x);\n\nstruct box');
  expect(r.text).toContain('\nextern long counter;\n');
  expect(r.text).toContain('int quad(int x) {\n  return sq(sq(x));\n}');
  expect(replaceRedefined(SESSION, 'int other(void) { return 1; }\n')).toEqual({ text: SESSION, replaced: [] });
});

test("diagnostics get the line they name and a caret, in GCC's layout, unless the compiler printed them", () => {
  const sources = new Map([['<c 2>', 'int f(void) {\n\treturn missing;\n}']]);
  expect(withSourceLines("<c 2>: In function 'f':\n<c 2>:2:9: error: 'missing' undeclared\n<c 2>:2:9: note: reported once", sources)).toBe(
    "<c 2>: In function 'f':\n<c 2>:2:9: error: 'missing' undeclared\n    2 | \treturn missing;\n      | \t       ^\n<c 2>:2:9: note: reported once",
  );
  const printed = 'f.c:1:5: error: oops\n    1 | int x\n      |     ^';
  expect(withSourceLines(printed, new Map([['f.c', 'int x']]))).toBe(printed);
  expect(withSourceLines('other.c:1:1: error: x', sources)).toBe('other.c:1:1: error: x');
});
