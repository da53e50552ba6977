// Declarations spelled from the preprocessor's tokens carry those tokens, as the cdef lexer would read them (an integer macro its name and value); the check then reads no item's text again.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lexer from '../../lib/cparser/lexer';
import { Token } from '../../lib/cparser/lexer';
import { CdefTokens } from '../../lib/cparser/tokens';
import { lexSpelled } from '../../lib/cparser/spelled';
import { readDeclarations } from '../../lib/cc/declarations';
import { Item, macroItem } from '../../lib/cc/emit';
import { check } from '../../lib/cc/check';
import { Notes, selectSource } from '../../lib/cc/select';
import { selectHeader } from '../../lib/header/select';
import { Registry } from '../../lib/ctype/registry';
import { CC } from '../helpers/compiler';

/** A header of the declarations and macros that can be spelled with their tokens, and of the ones only reading the text can tell. */
const HEADER = [
  '# 1 "h.h"',
  '#define N_ITEMS 12',
  '#define SHIFTED (1 << 4)',
  '#define NEG (-(N_ITEMS))',
  'typedef unsigned long sz;',
  'struct pt { int x, y; } __attribute__((packed));',
  'extern int f(const char *__restrict s, ...) __attribute__((__nothrow__)) __asm__("" "f64");',
  'int g(struct pt *p, int n), h(void);',
  'enum e { A = 1 << 2, B, C = \'c\' };',
  'extern int table[N_ITEMS];',
  'const char text[] = "abc";',
  'int a$b(int);',
  'int __stdcall win(int);',
  'typedef int (*cb)(sz, struct pt);',
  '',
].join('\n');

/** The header's items, as a whole-header binding selects them. */
function headerItems(text: string, own: (file: string) => boolean): Item[] {
  const table = readDeclarations(text);
  const mine = new Set(table.files.flatMap((f, i) => (own(f) ? [i] : [])));
  return selectHeader(table, { own: (i) => mine.has(i), only: null }, new Notes()).items;
}

/** The table's tokens, each with the kind number the parser compares (a keyword's own, a punctuator's, IDENT...). */
function tokensOfTable(t: CdefTokens): (Token & { code: number })[] {
  const out: (Token & { code: number })[] = [];
  for (let i = 0; i < t.count; i++) out.push({ ...t.make(i), code: t.kinds[i] });
  lexer.releaseTokens(t);
  return out;
}

const where: lexer.Where = (line, column) => `cdef:${line}:${column}: `;

/** For each item carrying tokens: what lexSpelled() makes of them, and what lex() reads from the text. */
function bothWays(items: readonly Item[]): { text: string; spelled: Token[]; read: Token[] }[] {
  return items.flatMap((it) => (it.tokens === undefined ? [] : [{ text: it.text, spelled: tokensOfTable(lexSpelled(it.text, it.tokens)), read: tokensOfTable(lexer.lex(it.text, where)) }]));
}

describe('spelled tokens', () => {
  const items = headerItems(HEADER, (f) => f === 'h.h');

  test('are the tokens the cdef lexer reads from the text, directives included', () => {
    const pairs = bothWays(items);
    expect(pairs.length).toBeGreaterThan(7);
    for (const p of pairs) expect(p.spelled).toEqual(p.read);
    expect(pairs.map((p) => p.text)).toEqual(expect.arrayContaining(['#define SHIFTED (1 << 4)\n', 'int g(struct pt *p, int n), h(void);\n']));
    // A macro whose value is one integer constant carries no tokens: its name and value, which the check declares without a lexer.
    expect(items.filter((it) => it.define !== undefined).map((it) => [it.text, it.define, it.tokens])).toEqual([['#define N_ITEMS 12\n', { name: 'N_ITEMS', value: '12' }, undefined]]);
  });

  test('are left out where only reading the text can tell them: literals, sized arrays, words cdef drops or refuses', () => {
    const unspelled = items.filter((it) => it.tokens === undefined && it.define === undefined).map((it) => it.text);
    expect(unspelled.sort()).toEqual(
      ["enum e { A = 1 << 2, B, C = 'c' };\n", 'extern const char text[4];\n', 'extern int __stdcall win(int);\n', 'int a$b(int);\n'].sort(),
    );
  });

  test("of the system's <stdio.h> are the tokens the cdef lexer reads", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-spelled-'));
    let out: string;
    try {
      fs.writeFileSync(path.join(dir, 'x.c'), '#include <stdio.h>\n');
      const r = spawnSync(CC, ['-E', '-dD', 'x.c'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
      expect(r.status).toBe(0);
      out = r.stdout;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const all = headerItems(out, (f) => f.endsWith('/stdio.h'));
    const pairs = bothWays(all);
    expect(pairs.length).toBeGreaterThan(all.length / 2);
    for (const p of pairs) expect(p.spelled).toEqual(p.read);
  });

  test("of a macro whose value holds a comment or a newline are left out: the text is read, as it always was", () => {
    const m = { name: 'V', params: null, body: '', file: 0, line: 1, at: 0 };
    expect(macroItem(m, '1 /* one */', 'h.h:1').tokens).toBeUndefined();
    expect(macroItem(m, '1 \n 2', 'h.h:1').tokens).toBeUndefined();
    expect(macroItem(m, '(1 << 2)', 'h.h:1').tokens?.kinds.length).toBe(8);
  });

  test('a text of more than one line is refused', () => {
    const spelled = { kinds: [], starts: [], ends: [] };
    expect(() => lexSpelled('int a;\nint b;\n', spelled)).toThrow(/^internal: a spelled cdef text is one line/);
  });
});

describe('the check', () => {
  const items = headerItems(HEADER, (f) => f === 'h.h');

  /** What check() makes of the items: the chunks, the notes and the names declared, and how many texts it read. */
  function checked(of: readonly Item[]) {
    const lex = jest.spyOn(lexer, 'lex');
    try {
      const notes = new Notes();
      const out: { registry?: Registry } = {};
      const chunks = check(of, notes, out);
      return { chunks, skipped: notes.skipped(), dropped: [...notes.dropped], names: [...(out.registry as Registry).values()].map((d) => `${d.kind} ${d.name}`), reads: lex.mock.calls.length };
    } finally {
      lex.mockRestore();
    }
  }

  test('reads the text of only the items without tokens (and the type names of static consts)', () => {
    const r = checked(items);
    const expected = items.filter((it) => it.tokens === undefined && it.define === undefined).length + items.filter((it) => it.integerType !== undefined).length;
    expect(r.reads).toBe(expected);
    expect(r.reads).toBeLessThan(items.length / 2);
  });

  test('declares, refuses and notes what it does when it reads every text', () => {
    const withTokens = checked(items);
    const read = checked(items.map(({ tokens: _tokens, define: _define, ...rest }) => rest));
    expect(read.reads).toBe(items.length + items.filter((it) => it.integerType !== undefined).length);
    expect({ ...withTokens, reads: 0 }).toEqual({ ...read, reads: 0 });
    expect(withTokens.names).toEqual(expect.arrayContaining(['function g', 'function h', 'constant N_ITEMS', 'constant NEG', 'typedef cb']));
    expect(withTokens.names).toContain('function a$b'); // '$' is a letter to GCC and to cdef
  });

  test("of cc()'s items reads no declaration's text again either", () => {
    const table = readDeclarations('# 1 "source.c"\n#define K 3\nstruct s { int a; };\nint use(struct s *p) { return p->a; }\n');
    const own = selectSource(table, { own: () => true, externals: false }, new Notes());
    expect(own.every((it) => it.tokens !== undefined || it.define !== undefined)).toBe(true);
    expect(own.some((it) => it.define !== undefined)).toBe(true);
    expect(checked(own).reads).toBe(0);
  });
});
