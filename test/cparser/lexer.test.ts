// Tests of the cdef tokenizer and token stream: tokens, positions, comments, directive lines, errors.
import { CDefError } from '../../lib/errors';
import { Q_CONST, Q_RESTRICT, Q_VOLATILE } from '../../lib/ctype/model';
import { NESTING_LIMIT, Token, Where, describe as describeToken, keyword, tokenize } from '../../lib/cparser/lexer';
import { MISPLACED_ELLIPSIS, TokenStream } from '../../lib/cparser/stream';
import { thrown } from '../helpers/throws';

const where: Where = (line, column) => `t:${line}:${column}: `;
const lex = (src: string): Token[] => tokenize(src, where);
const brief = (src: string): string[] => lex(src).map((t) => `${t.kind}:${t.text}@${t.line}:${t.column}`);

function lexError(src: string): CDefError {
  const e = thrown(() => lex(src));
  expect(e).toBeInstanceOf(CDefError);
  return e as CDefError;
}

describe('tokenize', () => {
  test('splits names, numbers, literals and punctuators with 1-based positions', () => {
    expect(brief('int x = 0x1Fu;\n  char *p;')).toEqual([
      'ident:int@1:1', 'ident:x@1:5', 'punct:=@1:7', 'number:0x1Fu@1:9', 'punct:;@1:14',
      'ident:char@2:3', 'punct:*@2:8', 'ident:p@2:9', 'punct:;@2:10', 'eof:@2:11',
    ]);
  });

  test('takes the longest punctuator', () => {
    expect(lex('a...b<<=c->d<<e>>=f&&g||h==i!=j').filter((t) => t.kind === 'punct').map((t) => t.text)).toEqual([
      '...', '<<=', '->', '<<', '>>=', '&&', '||', '==', '!=',
    ]);
    expect(lex('. .. ...').map((t) => t.text)).toEqual(['.', '.', '.', '...', '']);
  });

  test('reads preprocessing numbers whole, exponent signs included', () => {
    expect(lex('1e+5 0x1p-3 .5 12abc 1.2.3 077').filter((t) => t.kind === 'number').map((t) => t.text)).toEqual([
      '1e+5', '0x1p-3', '.5', '12abc', '1.2.3', '077',
    ]);
    // A sign after anything but an exponent letter is an operator.
    expect(lex('1+2').map((t) => t.text)).toEqual(['1', '+', '2', '']);
  });

  test('reads character constants and strings with prefixes and escaped quotes', () => {
    expect(lex(`'a' '\\'' L'x' u'y' U'z' u8"s" "a\\"b"`).map((t) => `${t.kind}:${t.text}`)).toEqual([
      "char:'a'", "char:'\\''", "char:L'x'", "char:u'y'", "char:U'z'", 'string:u8"s"', 'string:"a\\"b"', 'eof:',
    ]);
    // 'L' alone, not followed by a quote, is a name.
    expect(lex('L x').map((t) => t.kind)).toEqual(['ident', 'ident', 'eof']);
  });

  test('skips comments and counts the lines inside them', () => {
    expect(brief('a // one\n/* two\nthree */ b /**/c')).toEqual(['ident:a@1:1', 'ident:b@3:10', 'ident:c@3:16', 'eof:@3:17']);
  });

  test("a '//' comment ends at the end of its line unless a backslash-newline continues it; '\\\\' escapes the backslash, as CFFI reads it", () => {
    expect(brief('a // x \\\nstill comment\nb')).toEqual(['ident:a@1:1', 'ident:b@3:1', 'eof:@3:2']);
    // C would splice at the second backslash; CFFI (and cdef) take '\\\\' as one escaped backslash.
    expect(brief('a // x\\\\\nb')).toEqual(['ident:a@1:1', 'ident:b@2:1', 'eof:@2:2']);
    expect(brief('a // x\\ y\nb')).toEqual(['ident:a@1:1', 'ident:b@2:1', 'eof:@2:2']);
  });

  test('line markers make no tokens: they set the line and file of what follows', () => {
    const toks = lex('a\n# 10 "x.h" 1 3\nb\n#line 20\nc\n  #  line 5 "y\\"z.h"\nd');
    expect(toks.map((t) => `${t.text}@${t.file ?? '-'}:${t.line}:${t.column}`)).toEqual([
      'a@-:1:1', 'b@x.h:10:1', 'c@x.h:20:1', 'd@y"z.h:5:1', '@y"z.h:5:2',
    ]);
    expect(lexError('#line x').message).toBe("t:1:1: expected a line number after '#line'");
    expect(lex('#lines\n').map((t) => t.kind)).toEqual(['hash', 'ident', 'eol', 'eof']);
  });

  test("'__stdcall', '__cdecl' and 'WINAPI' make no tokens", () => {
    expect(lex('int __stdcall f(WINAPI __cdecl);').map((t) => t.text)).toEqual(['int', 'f', '(', ')', ';', '']);
  });

  test('counts CRLF line ends once', () => {
    expect(brief('a\r\n b')).toEqual(['ident:a@1:1', 'ident:b@2:2', 'eof:@2:3']);
  });

  test("marks a '#' that starts a line as a directive, ended by an 'eol' token", () => {
    expect(lex('  #define X 1\nint').map((t) => t.kind)).toEqual(['hash', 'ident', 'ident', 'number', 'eol', 'ident', 'eof']);
    // A comment before '#' does not stop it from starting the directive.
    expect(lex('/* c */ # define X').map((t) => t.kind)).toEqual(['hash', 'ident', 'ident', 'eol', 'eof']);
  });

  test("a '#' inside a line is an ordinary punctuator", () => {
    expect(lex('int x; #define').map((t) => t.kind)).toEqual(['ident', 'ident', 'punct', 'punct', 'ident', 'eof']);
  });

  test('backslash-newline continues a directive onto the next line', () => {
    const toks = lex('#define X (1 + \\\n  2)\nint');
    expect(toks.map((t) => t.text)).toEqual(['#', 'define', 'X', '(', '1', '+', '2', ')', '', 'int', '']);
    expect(toks[6]).toMatchObject({ text: '2', line: 2, column: 3 });
    expect(toks[8].kind).toBe('eol');
    expect(toks[9]).toMatchObject({ text: 'int', line: 3, column: 1 });
  });

  test('a block comment spanning lines does not end a directive; a line comment does', () => {
    expect(lex('#define X /* a\n b */ 1\nint').map((t) => t.kind)).toEqual(['hash', 'ident', 'ident', 'number', 'eol', 'ident', 'eof']);
    expect(lex('#define X 1 // c\nint').map((t) => t.kind)).toEqual(['hash', 'ident', 'ident', 'number', 'eol', 'ident', 'eof']);
    // A line comment continued by a backslash swallows the next line too.
    expect(lex('// a \\\n b\nc').map((t) => t.text)).toEqual(['c', '']);
  });

  test('a directive at the end of the input still gets its eol', () => {
    expect(lex('#define X 1').map((t) => t.kind)).toEqual(['hash', 'ident', 'ident', 'number', 'eol', 'eof']);
  });

  test('an unterminated comment is reported at its start', () => {
    const e = lexError('int x;\n  /* never\nclosed');
    expect(e.message).toBe("t:2:3: unterminated comment: '/*' has no '*/'");
    expect([e.line, e.column]).toEqual([2, 3]);
  });

  test('unterminated literals are reported at their start', () => {
    expect(lexError("x 'a").message).toBe('t:1:3: unterminated character constant');
    expect(lexError('x "abc\n"').message).toBe('t:1:3: unterminated string literal');
    expect(lexError("'\\").message).toBe('t:1:1: unterminated character constant');
  });

  test('characters outside C are named, with their code point when not printable ASCII', () => {
    expect(lexError('int @;').message).toBe("t:1:5: unexpected character '@'");
    expect(lexError('a\0b').message).toBe('t:1:2: unexpected character U+0000');
    expect(lexError('int é;').message).toBe("t:1:5: unexpected character 'é' (U+00E9)");
    expect(lexError('x\n 😀').message).toBe("t:2:2: unexpected character '😀' (U+1F600)");
    expect(lexError('`').message).toBe("t:1:1: unexpected character '`'");
  });

  test("'$' is a letter, as GCC and CFFI take it", () => {
    expect(lex('$x a$b _$').map((t) => [t.kind, t.text])).toEqual([['ident', '$x'], ['ident', 'a$b'], ['ident', '_$'], ['eof', '']]);
  });

  test('non-ASCII text and NUL bytes are fine inside comments and literals', () => {
    expect(lex('/* é\0😀 */ // ü\n"ß\0"').map((t) => t.kind)).toEqual(['string', 'eof']);
  });

  test('a backslash not ending a line is stray', () => {
    expect(lexError('int \\ x;').message).toBe("t:1:5: stray '\\' in the source");
  });
});

describe('keyword', () => {
  test('classifies type words, qualifiers, storage classes and tags', () => {
    expect(keyword('unsigned')).toEqual({ kind: 'type' });
    expect(keyword('_Bool')).toEqual({ kind: 'type' });
    expect(keyword('const')).toEqual({ kind: 'qualifier', bit: Q_CONST });
    expect(keyword('volatile')).toEqual({ kind: 'qualifier', bit: Q_VOLATILE });
    for (const r of ['restrict', '__restrict', '__restrict__']) expect(keyword(r)).toEqual({ kind: 'qualifier', bit: Q_RESTRICT });
    expect(keyword('typedef')).toEqual({ kind: 'storage' });
    expect(keyword('register')).toEqual({ kind: 'storage' }); // taken on parameters only (specifiers.ts)
    expect(keyword('enum')).toEqual({ kind: 'tag' });
    expect(keyword('while')).toEqual({ kind: 'reserved' });
    expect(keyword('size_t')).toBeUndefined();
    expect(keyword('foo')).toBeUndefined();
  });

  test('names the features cdef refuses', () => {
    for (const w of ['__attribute__', '__declspec', '_Imaginary', '_Atomic', 'inline', '__inline__', 'auto', '__asm__']) {
      const role = keyword(w);
      expect(role?.kind).toBe('refused');
      expect(role?.kind === 'refused' && role.reason).toContain(`'${w}'`);
    }
  });
});

describe('TokenStream', () => {
  const stream = (src: string): TokenStream => new TokenStream(lex(src), where);
  const failure = (f: () => void): string => {
    const e = thrown(f);
    expect(e).toBeInstanceOf(CDefError);
    return (e as Error).message;
  };

  test('peeks, accepts and stays at eof', () => {
    const ts = stream('( x');
    expect(ts.peek(1).text).toBe('x');
    expect(ts.accept(')')).toBe(false);
    expect(ts.accept('(')).toBe(true);
    expect(ts.next().text).toBe('x');
    expect(ts.next().kind).toBe('eof');
    expect(ts.next().kind).toBe('eof');
    expect(ts.peek(5).kind).toBe('eof');
  });

  test('is() matches punctuators only', () => {
    const ts = stream('"("');
    expect(ts.is('(')).toBe(false);
  });

  test('unexpected() says what was expected and what was found', () => {
    expect(failure(() => stream('int x').unexpected(stream('int x').peek(1), "';'"))).toBe("t:1:5: expected ';', found 'x'");
    const ts = stream('a');
    ts.next();
    expect(failure(() => ts.expect(';', "';'"))).toBe("t:1:2: expected ';', found end of input");
  });

  test("unexpected() is the one place that explains misplaced '...' placeholders and refused keywords", () => {
    const ts = stream('  ... __attribute__');
    expect(failure(() => ts.unexpected(ts.peek(), 'a name'))).toBe(`t:1:3: ${MISPLACED_ELLIPSIS}`);
    expect(MISPLACED_ELLIPSIS).toMatch(/^'\.\.\.' cannot stand here; cdef takes it as a struct member/);
    expect(failure(() => ts.unexpected(ts.peek(1), 'a name'))).toMatch(/^t:1:7: '__attribute__' is not supported in cdef/);
  });

  test('unexpected() explains a directive in the middle of a declaration', () => {
    const ts = stream('int\n#define X 1');
    expect(failure(() => ts.unexpected(ts.peek(1), 'a name'))).toBe(
      't:2:1: expected a name, found a preprocessor directive; directives must stand between declarations',
    );
  });

  test('long tokens are shortened in messages', () => {
    const long = 'x'.repeat(100);
    expect(describeToken(lex(long)[0])).toBe(`'${'x'.repeat(37)}...'`);
    expect(describeToken(lex('#a')[2])).toBe('end of line');
  });

  test('spell() quotes source text with single spaces where the source had gaps', () => {
    const ts = stream('int  f( int /* c */ x )\n{');
    expect(ts.spell(0, 6)).toBe('int f( int x )');
    expect(ts.spell(2, 4)).toBe('( int');
  });

  test(`enter() fails past ${NESTING_LIMIT} levels`, () => {
    const ts = stream('x');
    for (let i = 0; i < NESTING_LIMIT; i++) ts.enter(ts.peek());
    expect(failure(() => ts.enter(ts.peek()))).toBe(`t:1:1: nesting too deep (more than ${NESTING_LIMIT} levels)`);
    ts.leave(NESTING_LIMIT + 1);
    expect(() => ts.enter(ts.peek())).not.toThrow();
  });
});
