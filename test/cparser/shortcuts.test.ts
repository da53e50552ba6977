// Tests of the cdef parser's short cuts: keywords told apart by the lexer, the plain-declarator step, the looks at tokens a large cdef takes, and the token tables reused.
import * as v8 from 'v8';
import * as vm from 'vm';
import { LEXER_WORDS, keyword } from '../../lib/cparser/keywords';
import { Where, lex, releaseTokens, tokenize } from '../../lib/cparser/lexer';
import { CdefTokens } from '../../lib/cparser/tokens';
import { parseCdef } from '../../lib/cparser/parser';
import { TokenStream } from '../../lib/cparser/stream';
import { Q_RESTRICT } from '../../lib/ctype/model';
import { Registry } from '../../lib/ctype/registry';
import { cdef, errorOf, fieldsOf, get, structOf } from '../helpers/cdef';
import { countWork } from '../helpers/work';

const where: Where = (line, column) => `${line}:${column}: `;

/** What the stream says of the first token of `text`, read by the lexer. */
function firstToken(text: string): { text: string; isName: boolean; isIdent: boolean; role: unknown } {
  const table = lex(text, where);
  try {
    const ts = new TokenStream(table, where);
    return { text: ts.peek().text, isName: ts.isName(), isIdent: ts.isIdent(), role: ts.keywordAhead() };
  } finally {
    releaseTokens(table);
  }
}

/** The lexer's hash of a word (its table has 4096 slots), computed here from its definition: h = h * 31 + c, modulo 4096. */
function slotOf(word: string): number {
  let h = 0;
  for (const ch of word) h = (h * 31 + ch.charCodeAt(0)) % 4096;
  return h;
}

describe('keywords, as the lexer reads them', () => {
  const keywords = LEXER_WORDS.filter(([, role]) => role !== undefined).map(([w]) => w);

  test('every keyword has its role and is no name', () => {
    expect(keywords.length).toBeGreaterThan(50);
    for (const w of keywords) {
      expect(firstToken(`${w} x`)).toEqual({ text: w, isName: false, isIdent: true, role: keyword(w) });
    }
  });

  test('words in a keyword\'s slot of the table, and words that begin or extend a keyword, are names', () => {
    // Three-letter words whose hash is the slot of a keyword, found here independently of the lexer.
    const letters = 'abcdefghijklmnopqrstuvwxyz_';
    const slots = new Map(keywords.map((w) => [slotOf(w), w]));
    const colliding: string[] = [];
    for (const a of letters) for (const b of letters) for (const c of letters) {
      const w = a + b + c;
      if (slots.has(slotOf(w)) && !keywords.includes(w)) colliding.push(w);
    }
    expect(colliding.length).toBeGreaterThan(3);
    for (const w of [...colliding, 'in', 'intx', 'int_', 'Int', 'structs', 'struc', '_Bool_', 'unsigned1', 'typedef_t']) {
      expect(firstToken(`${w} x`)).toEqual({ text: w, isName: true, isIdent: true, role: undefined });
    }
  });

  test('the words cdef drops are dropped, and words like them are kept', () => {
    const texts = tokenize('int __cdecl f(void); int __stdcall g(void); WINAPI int __cdecl_x, WINAPIs;', where).map((t) => t.text);
    expect(texts).toEqual(['int', 'f', '(', 'void', ')', ';', 'int', 'g', '(', 'void', ')', ';', 'int', '__cdecl_x', ',', 'WINAPIs', ';', '']);
  });

  test('a table of tokens made elsewhere tells keywords from names as the lexer does', () => {
    const table = CdefTokens.of(tokenize('const int x;', where));
    const ts = new TokenStream(table, where);
    expect(ts.keywordAhead()).toBe(keyword('const'));
    expect(ts.keywordAhead(1)).toBe(keyword('int'));
    expect(ts.isName(2)).toBe(true);
    expect(ts.keywordAhead(2)).toBeUndefined();
  });
});

describe('plain declarators (pointers, a name, one array of a decimal length)', () => {
  // The same declarators with the names in parentheses, which only the general path reads.
  const members = 'int a; char *b; double c[4]; unsigned long **d, e[2]; struct t *f; const char *g; signed char h[1000000000];';
  const general = 'int (a); char *(b); double (c)[4]; unsigned long **(d), (e)[2]; struct t *(f); const char *(g); signed char (h)[1000000000];';

  test('members read by the short cut are those the general path reads', () => {
    const a = structOf(cdef(`struct s { ${members} };`), 'struct', 's');
    const b = structOf(cdef(`struct s { ${general} };`), 'struct', 's');
    expect(fieldsOf(a)).toEqual([
      'a:int@0', 'b:char *@8', 'c:double[4]@16', 'd:unsigned long * *@48', 'e:unsigned long[2]@56', 'f:struct t *@72', 'g:char *@80',
      'h:signed char[1000000000]@88',
    ]);
    expect(fieldsOf(b)).toEqual(fieldsOf(a));
    expect((a.fields ?? []).map((f) => f.quals)).toEqual((b.fields ?? []).map((f) => f.quals));
    expect((a.fields ?? []).find((f) => f.name === 'g')?.type.cname).toBe('char *');
  });

  test('parameters read by the short cut are those the general path reads, names and positions included', () => {
    const plain = get(cdef('int f(int x, char *s, double v[4], struct t *p, const int c);'), 'f', 'function');
    const parenthesised = get(cdef('int f(int (x), char *(s), double (v)[4], struct t *(p), const int (c));'), 'f', 'function');
    expect(plain.type.cname).toBe('int(int, char *, double *, struct t *, int)');
    expect(parenthesised.type.cname).toBe(plain.type.cname);
    expect(plain.argNames).toEqual(['x', 's', 'v', 'p', 'c']);
    expect(parenthesised.argNames).toEqual(plain.argNames);
    // A member's position, which messages about it give, is its name's.
    expect(errorOf('struct s {\n  int a;\n    char *b[2];\n    int a;\n};')).toBe("cdef:4:9: duplicate member 'a' in 'struct s'");
  });

  test('array lengths other than plain decimals are read by the general path, with C\'s values', () => {
    const t = structOf(cdef('struct s { char a[010]; char b[0x10]; char c[16u]; char d[1234567890]; char e[0]; };'), 'struct', 's');
    expect(fieldsOf(t)).toEqual(['a:char[8]@0', 'b:char[16]@8', 'c:char[16]@24', 'd:char[1234567890]@40', 'e:char[]@1234567930']);
  });

  test('what the short cut leaves to the general path keeps its checks and messages', () => {
    expect(errorOf('typedef ... t;\nstruct s { t a[2]; };')).toBe("cdef:2:15: an array cannot hold items of type 't', which has no size");
    expect(errorOf('int f(void x);')).toBe("cdef:1:7: a 'void' parameter cannot have a name or qualifiers");
    expect(errorOf('int f(int a, char *a);')).toBe("cdef:1:20: the parameter name 'a' appears twice");
    const many = Array.from({ length: 9 }, (_, i) => `int p${i}`).join(', ');
    expect(errorOf(`int f(${many}, char *p3);`)).toBe(`cdef:1:${`int f(${many}, char *`.length + 1}: the parameter name 'p3' appears twice`);
    expect(errorOf('struct s { int a[-1]; };')).toBe('cdef:1:18: the array size -1 is negative');
    // restrict: dropped where C does not allow it, kept on a pointer.
    const q = structOf(cdef('struct s { restrict int a; int *restrict p; };'), 'struct', 's');
    expect((q.fields ?? []).map((f) => [f.name, f.quals])).toEqual([['a', 0], ['p', Q_RESTRICT]]);
  });
});

describe('looks at tokens', () => {
  test('a cdef of structs and prototypes looks at each of its tokens fewer than 2.5 times', () => {
    const parts: string[] = [];
    for (let i = 0; i < 300; i++) parts.push(`struct s${i} { int a; double b; char c[${(i % 7) + 1}]; };\n`);
    for (let i = 0; i < 300; i++) parts.push(`int f${i}(int x, struct s${i} *p);\n`);
    const text = parts.join('');
    const tokens = tokenize(text, where).length;
    const w = countWork(() => parseCdef(text, new Registry()));
    expect(w.outcome).toEqual({ value: undefined });
    expect(tokens).toBe(300 * 17 + 300 * 12 + 1);
    expect(w.tokens).toBeLessThan(2.5 * tokens);
  });

  test('tags, defined or named, make no Token objects: of those prototypes, only the function names do', () => {
    const parts: string[] = [];
    for (let i = 0; i < 300; i++) parts.push(`struct s${i} { int a; double b; char c[${(i % 7) + 1}]; };\n`);
    for (let i = 0; i < 300; i++) parts.push(`union u${i} *g${i}(int x, struct s${i} *p, enum e *q);\n`);
    const made = jest.spyOn(CdefTokens.prototype, 'make');
    try {
      parseCdef(`enum e { E };\n${parts.join('')}`, new Registry());
      // The function names (declarators keep their Token), and at most a few more.
      expect(made.mock.calls.length).toBeGreaterThanOrEqual(300);
      expect(made.mock.calls.length).toBeLessThan(310);
    } finally {
      made.mockRestore();
    }
  });
});

describe('token tables given back', () => {
  /** A text of `n` declarations, the lexer's first guess at its tokens being n * 13. */
  const declarations = (n: number, tag: string): string => Array.from({ length: n }, (_, i) => `int ${tag}${i}(int a);`).join('\n');

  test('a small table is reused by the next text, small or large, and a large one by the next large text', () => {
    const small = lex(declarations(10, 'a'), where);
    releaseTokens(small);
    const again = lex(declarations(10, 'b'), where);
    expect(again).toBe(small);
    releaseTokens(again);
    // More than 65,536 tokens: a table of its own, kept (while the collector leaves it) for the next large text.
    const large = lex(declarations(12000, 'c'), where);
    expect(large).not.toBe(small);
    expect(large.count).toBe(12000 * 7 + 1);
    releaseTokens(large);
    const small2 = lex(declarations(10, 'd'), where);
    expect(small2).toBe(small);
    releaseTokens(small2);
    const large2 = lex(declarations(11000, 'e'), where);
    expect(large2).toBe(large);
    expect(large2.count).toBe(11000 * 7 + 1);
    expect(large2.text(large2.count - 4)).toBe('a');
    releaseTokens(large2);
    // The reused table reads as a new one would.
    const text = declarations(11000, 'f');
    const reread = lex(text, where);
    expect(reread).toBe(large);
    const dump = (t: CdefTokens) => Array.from({ length: t.count }, (_, i) => t.make(i));
    expect(dump(reread)).toEqual(dump(CdefTokens.of(tokenize(text, where))));
    releaseTokens(reread);
  });

  test('a large table given back is not kept from the collector', async () => {
    v8.setFlagsFromString('--expose-gc');
    const collect = vm.runInNewContext('gc') as () => void;
    let collected = false;
    const watch = new FinalizationRegistry(() => (collected = true));
    (() => {
      const large = lex(declarations(12000, 'g'), where);
      watch.register(large, 'large');
      releaseTokens(large);
    })();
    // The WeakRef holds its target until the job that made it ends; then a full collection frees it.
    for (let round = 0; round < 20 && !collected; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      collect();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(collected).toBe(true);
    // The next large text gets a new table, read as any other.
    const next = lex(declarations(12000, 'h'), where);
    expect(next.count).toBe(12000 * 7 + 1);
    releaseTokens(next);
  });
});
