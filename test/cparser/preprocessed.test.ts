// Tests of the lexer's reading of preprocessed C (line markers, directives as events, file-tagged tokens) and of the GNU C keyword roles.
import { Preprocessed, pieceKind, preprocessedPieces, readPreprocessed } from '../../lib/cparser/preprocessed';
import { cWord, keyword } from '../../lib/cparser/keywords';

/** Token `i` as 'kind:text@file:line'. */
function shown(p: Preprocessed): string[] {
  const t = p.tokens;
  return t.kinds.map((k, i) => `${k}:${t.texts[i]}@${p.files[t.files[i]]}:${t.lines[i]}`);
}

describe('readPreprocessed', () => {
  test('tags each token with the file and line the line markers give', () => {
    const p = readPreprocessed('# 1 "a.c"\nint a;\n# 1 "/usr/include/h.h" 1 3 4\n\ntypedef int t;\n# 3 "a.c" 2\nt b;\n');
    expect(shown(p)).toEqual([
      'ident:int@a.c:1', 'ident:a@a.c:1', 'punct:;@a.c:1',
      'ident:typedef@/usr/include/h.h:2', 'ident:int@/usr/include/h.h:2', 'ident:t@/usr/include/h.h:2', 'punct:;@/usr/include/h.h:2',
      'ident:t@a.c:3', 'ident:b@a.c:3', 'punct:;@a.c:3',
    ]);
    // Files in order of first appearance; text before any marker is '<stdin>''s.
    expect(p.files).toEqual(['<stdin>', 'a.c', '/usr/include/h.h']);
  });

  test('reads #line directives and escaped quotes in file names', () => {
    const p = readPreprocessed('x\n#line 10 "dir/q\\"uote.c"\ny\n  #  line 20 "z.c"\nz\n');
    expect(shown(p)).toEqual(['ident:x@<stdin>:1', 'ident:y@dir/q"uote.c:10', 'ident:z@z.c:20']);
  });

  test('macro definitions are events at the token they precede; #undef removes them', () => {
    const p = readPreprocessed('# 1 "m.h"\n#define N  (1 + 2) \n#define F(a, b) a##b\nint x;\n#define GONE 1\n#undef GONE\n#define EMPTY\n');
    expect([...p.macros.keys()]).toEqual(['N', 'F', 'EMPTY']);
    expect(p.macros.get('N')).toEqual({ name: 'N', params: null, body: '(1 + 2)', file: 1, line: 1, at: 0 });
    expect(p.macros.get('F')).toMatchObject({ params: ['a', 'b'], body: 'a##b', line: 2, at: 0 });
    expect(p.macros.get('EMPTY')).toMatchObject({ params: null, body: '', line: 6, at: 3 });
  });

  test('#pragma pack changes are events, with push and pop as GCC reads them', () => {
    const p = readPreprocessed('a;\n#pragma pack(push, 2)\nb;\n#pragma pack(4)\nc;\n#pragma pack(pop)\nd;\n#pragma pack()\n#pragma once\n');
    expect(p.packs).toEqual([
      { at: 2, pack: 2 },
      { at: 4, pack: 4 },
      { at: 6, pack: 0 },
      { at: 8, pack: 0 },
    ]);
  });

  test("takes '$' in names, prefixed literals and preprocessing numbers whole", () => {
    const p = readPreprocessed(`a$b $x u8"s" L'c' U"w" 1.5e+3f .5 0x1p-2 u8 L`);
    expect(p.tokens.kinds).toEqual(['ident', 'ident', 'string', 'char', 'string', 'number', 'number', 'number', 'ident', 'ident']);
    expect(p.tokens.texts).toEqual(['a$b', '$x', 'u8"s"', "L'c'", 'U"w"', '1.5e+3f', '.5', '0x1p-2', 'u8', 'L']);
  });

  test('never throws: stray characters are other tokens, an unterminated literal ends at its line', () => {
    const p = readPreprocessed('int @ x; char *s = "open\nint y;\n\\');
    expect(p.tokens.kinds.filter((k) => k === 'other')).toHaveLength(2);
    expect(p.tokens.texts).toContain('"open');
    expect(p.tokens.texts.slice(-3)).toEqual(['y', ';', '\\']);
  });

  test('marks tokens that followed whitespace; comments count their lines', () => {
    const p = readPreprocessed('a(b) /* one\ntwo */c//x\nd');
    expect([...p.tokens.spaced]).toEqual([1, 0, 0, 0, 1, 1]);
    expect([...p.tokens.lines]).toEqual([1, 1, 1, 1, 2, 3]);
    // Each number array ends at the last token: past it is undefined, as in an array.
    expect([p.tokens.lines.length, p.tokens.raws[6], p.tokens.files[6]]).toEqual([6, undefined, undefined]);
  });

  test('interns names and punctuators: equal texts are one string', () => {
    const p = readPreprocessed('foo(foo);');
    expect(p.tokens.texts[0]).toBe(p.tokens.texts[2]);
    expect([...p.tokens.raws]).toEqual([0, 1, 2, 3, 4]);
  });

  test('splits a macro body into pieces and says which are names', () => {
    const pieces = preprocessedPieces('(N  * 0x10) + L"x"');
    expect(pieces).toEqual(['(', 'N', '  ', '*', ' ', '0x10', ')', ' ', '+', ' ', 'L"x"']);
    expect(pieces.map(pieceKind)).toEqual(['punct', 'ident', null, 'punct', null, 'number', 'punct', null, 'punct', null, 'string']);
  });
});

describe('cWord', () => {
  test("GNU spellings name the standard word; cdef's view of them is unchanged", () => {
    expect(cWord('__const')).toEqual({ role: 'qualifier', standard: 'const', cdef: undefined });
    expect(cWord('__restrict__')).toMatchObject({ role: 'qualifier', standard: 'restrict', cdef: keyword('__restrict__') });
    expect(cWord('__signed__')).toMatchObject({ role: 'type', standard: 'signed' });
    expect(cWord('__typeof__')).toMatchObject({ role: 'typeof', standard: 'typeof' });
    expect(cWord('__inline__')).toMatchObject({ role: 'noise', standard: 'inline' });
    expect(keyword('__const')).toBeUndefined();
  });

  test('knows what each word is to GNU C, whatever cdef makes of it', () => {
    const roles = (words: string[]) => words.map((w) => cWord(w)?.role);
    expect(roles(['int', '_Float128', '__int128', '__builtin_va_list', '_Complex'])).toEqual(['type', 'type', 'type', 'type', 'type']);
    expect(roles(['typedef', 'static', '__thread', '_Thread_local'])).toEqual(['storage', 'storage', 'storage', 'storage']);
    expect(roles(['__attribute__', '__declspec', '_Alignas', '__asm__', '__extension__', '_Nullable'])).toEqual([
      'attribute', 'attribute', 'alignas', 'asm', 'noise', 'noise',
    ]);
    expect(roles(['struct', 'enum', 'sizeof', 'size_t'])).toEqual(['tag', 'tag', 'other', undefined]);
    // cdef refuses some of them, takes others for names, and has no opinion on ordinary identifiers.
    expect(cWord('__thread')?.cdef?.kind).toBe('refused');
    expect(cWord('_Float128')?.cdef).toBeUndefined();
    expect(cWord('int')?.cdef).toBe(keyword('int'));
  });
});
