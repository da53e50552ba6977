// Tests of the cdef parser: redeclaration, atomicity, error positions, robustness and a fuzz smoke test.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CDefError } from '../../lib/errors';
import { ArrayType, EnumType, PointerType, PrimitiveType, Q_CONST, Q_RESTRICT, Q_VOLATILE, StructType, VOID, pendingLayout, primitive } from '../../lib/ctype/model';
import { arrayOf, functionType, pointerTo } from '../../lib/ctype/intern';
import { PRIMITIVES } from '../../lib/ctype/primitives';
import { probedMembers } from '../../lib/ctype/layout';
import { Decl, Registry } from '../../lib/ctype/registry';
import { CdefOptions, parseCdef, parseTypeName } from '../../lib/cparser/parser';
import { MISPLACED_ELLIPSIS } from '../../lib/cparser/stream';
import { prng } from '../helpers/random';
import { int, char, cdef, cdefError, errorOf, typeError, get, structOf, enumOf, fieldsOf } from '../helpers/cdef';
import { expectThrow } from '../helpers/throws';

describe('redeclaration', () => {
  test('identical redeclarations are fine, in one source and across calls', () => {
    const r = cdef('int f(int); int f(int x); extern int v; int v;\n#define N 1\n#define N 1');
    cdef('int f(int y); int v; static const int K = 2; static const int K = 2;', undefined, r);
    expect(get(r, 'f', 'function').argNames).toEqual(['y']);
  });

  test('a different meaning needs override, whose declaration then wins', () => {
    const r = cdef('int f(int);');
    expect(errorOf('long f(int);', r)).toBe(
      "cdef:1:6: 'f' is already declared as function 'int(int)' (at 1:5); pass { override: true } to replace it",
    );
    expect(errorOf('int f;', r)).toMatch(/^cdef:1:5: 'f' is already declared as function/);
    cdef('long f(int);', { override: true }, r);
    expect(get(r, 'f', 'function').type.cname).toBe('long(int)');
  });
});

describe('atomicity: a failing cdef changes nothing', () => {
  function snapshot(r: Registry): unknown {
    return [...r.values()].map((d) => {
      const t = d.type;
      const body = t instanceof StructType ? [t.fields, t.size, t.align] : t instanceof EnumType ? [t.relements, t.base] : [];
      return [d, t.cname, ...body];
    });
  }

  test('declarations before the error are not added', () => {
    const r = cdef('int keep;');
    const before = snapshot(r);
    cdefError('int a; typedef int t; struct s { int x; }; enum e { A }; #define N 1\nbogus_t y;', r);
    expect(snapshot(r)).toEqual(before);
    expect(r.get('t')).toBeUndefined();
    expect(r.tag('struct', 's')).toBeUndefined();
  });

  test('forward-declared structs and enums are not completed', () => {
    const r = cdef('struct s; enum e;');
    const s = structOf(r, 'struct', 's');
    const e = enumOf(r, 'e');
    const before = snapshot(r);
    cdefError('struct s { int x; }; enum e { A = -1 }; int z = 1;', r);
    expect(s.complete).toBe(false);
    expect([s.size, s.align, s.fieldMap.size]).toEqual([-1, -1, 0]);
    expect([e.relements, e.elements, e.base]).toEqual([{}, {}, primitive('unsigned int')]);
    expect(snapshot(r)).toEqual(before);
    // ... and can still be completed afterwards.
    cdef('struct s { int x; };', undefined, r);
    expect(s.size).toBe(4);
  });

  test('anonymous names are not used up', () => {
    const r = new Registry();
    cdefError('struct { int a; } g1; struct { int b; } g2; int bad = 1;', r);
    cdef('struct { int c; } g3;', undefined, r);
    expect(get(r, 'g3', 'variable').type.cname).toBe('struct $1');
  });

  test('overrides and cached type names survive a failure', () => {
    const r = cdef('typedef int t; struct s { int x; };');
    const t = parseTypeName('t', r);
    cdefError('typedef long t; struct s { char c; }; oops;', r, { override: true });
    expect(r.typeCache.get('t')).toBe(t);
    expect(get(r, 't', 'typedef').type).toBe(int);
    expect(fieldsOf(structOf(r, 'struct', 's'))).toEqual(['x:int@0']);
  });
});

describe('error positions', () => {
  test('line and column point at the culprit across lines', () => {
    const e = cdefError('int a;\nint b;\n\n    foo_t c;');
    expect([e.line, e.column, e.message]).toEqual([4, 5, "cdef:4:5: unknown type name 'foo_t'"]);
    expect(errorOf('int x\n\nint y;')).toBe("cdef:3:1: expected ';' after the declaration of 'x', found 'int'");
  });

  test('a source that is not a string is a TypeError', () => {
    expect(() => parseCdef(undefined as unknown as string, new Registry())).toThrow(TypeError);
  });
});

describe('robustness', () => {
  test.each([
    ['parenthesised declarators', `int ${'('.repeat(300)}x${')'.repeat(300)};`],
    ['pointers', `int ${'*'.repeat(300)}x;`],
    ['array suffixes', `int x${'[1]'.repeat(300)};`],
    ['expression parentheses', `int a[${'('.repeat(300)}1${')'.repeat(300)}];`],
    ['unary operators', `int a[${'- '.repeat(300)}1];`],
    ['nested structs', `${'struct { '.repeat(300)}int x;${' } y;'.repeat(300)}`],
    ['function pointer parameters', `void f(${'void (*)('.repeat(300)}void${')'.repeat(300)});`],
    ['sizeof of nested types', `int a[${'sizeof(int['.repeat(200)}1${'])'.repeat(200)}];`],
  ])('deep %s: nesting too deep', (_, source) => {
    expect(errorOf(source)).toMatch(/^cdef:1:\d+: nesting too deep/);
  });

  test('types built up through typedefs cannot get too deep either', () => {
    const typedefs = Array.from({ length: 300 }, (_, i) => `typedef t${i} *t${i + 1};`).join('\n');
    expect(errorOf(`typedef int t0;\n${typedefs}`)).toMatch(/^cdef:\d+:\d+: nesting too deep \(a type more than 256 levels deep\)/);
  });

  test('structs held by value more than 256 levels deep are refused at their definition, in any order (was: a stack overflow at first use)', () => {
    const chain = (n: number, reverse = false): string[] => {
      const defs = ['struct s0 { int x; };', ...Array.from({ length: n }, (_, i) => `struct s${i + 1} { int pad; struct s${i} a; };`)];
      return reverse ? defs.reverse() : defs;
    };
    const deep = 'nesting too deep: \'struct s256\' holds structs, unions and arrays by value more than 256 levels deep ' +
      "(member 'a' of type 'struct s255'); hold an inner one through a pointer";
    expect(cdefError(chain(3000).join('\n')).message).toBe(`cdef:257:36: ${deep}`);
    // Defined innermost last, the outer ones are laid out as it arrives: refused all the same.
    expect(cdefError(chain(3000, true).join('\n')).message).toContain(deep);
    // Arrays count as levels; a partial struct ('...') is refused before the compiler lays it out.
    expect(cdefError(`${chain(250).join('')} struct w { struct s250 a[1][1][1][1][1][1]; };`).message).toMatch(/'struct w' holds .* more than 256 levels deep \(member 'a' of type 'struct s250\[1\]/);
    expect(cdefError(`${chain(255).join('')} struct p { struct s255 a; ...; };`).message).toContain("'struct p' holds structs");
    // 256 levels are fine.
    const r = cdef(`${chain(255).join('')} struct w { struct s250 a[1][1][1][1]; };`);
    expect([structOf(r, 'struct', 's255').size, structOf(r, 'struct', 'w').size]).toEqual([4 * 256, 4 * 251]);
  });

  test('moderate nesting is fine', () => {
    const r = cdef(`int ${'*'.repeat(100)}x; int (${'('.repeat(50)}y${')'.repeat(50)});`);
    expect(get(r, 'y', 'variable').type).toBe(int);
  });

  test('non-ASCII and NUL bytes are errors with positions, or fine inside comments', () => {
    expect(errorOf('int x; // ok: é\nint é;')).toBe("cdef:2:5: unexpected character 'é' (U+00E9)");
    expect(errorOf('int\0x;')).toBe('cdef:1:4: unexpected character U+0000');
    expect([...cdef('/* \0 ☃ */ int x;').values()]).toHaveLength(1);
  });

  // How fast is npm run bench's business (the cc() rows parse big cdefs); here, that it parses at all.
  test('a 1 MB cdef parses', () => {
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 1 << 20; i++) {
      const part =
        `/* item ${i} */\nint func_${i}(const char *name, int count, double *values, struct s${i % 50} *p);\n` +
        `typedef struct { int a; unsigned b : 3; char c[${(i % 7) + 1}]; } t${i}_t;\n#define K${i} (${i} * 2 + 1)\n` +
        `enum e${i} { A${i} = K${i}, B${i}, C${i} = 1 << 3 };\n`;
      parts.push(part);
      size += part.length;
    }
    const source = parts.join('');
    cdef(parts.slice(0, 100).join('')); // warm up
    const r = new Registry();
    parseCdef(source, r);
    expect(get(r, `K${parts.length - 1}`, 'constant').value).toBe((parts.length - 1) * 2 + 1);
  });

  test('a 1 MB pathological input is a CDefError or a declaration, not a stack overflow or a hang', () => {
    for (const source of ['('.repeat(1 << 20), 'x'.repeat(1 << 20), `/*${' '.repeat(1 << 20)}`]) {
      expect(() => parseCdef(source, new Registry())).toThrow(CDefError);
    }
    expect((get(cdef(`int x[${'1+'.repeat(1 << 19)}1];`), 'x', 'variable').type as ArrayType).length).toBe((1 << 19) + 1);
  });
});

// ---- fuzzing --------------------------------------------------------------------------------

const CORPUS = [
  'int add(int a, int b);',
  'typedef struct { int x, y; } pt_t; pt_t *make(int, int);',
  'struct node { struct node *next; int v[3]; unsigned f : 3; };',
  'enum color { RED, GREEN = 5, BLUE = GREEN << 2 };',
  '#define N (4 * sizeof(long))\nint table[N];',
  'union u { int i; struct { char a, b; }; float f; };',
  'typedef int (*cb_t)(void *, const char *, ...);',
  'static const unsigned long MASK = ~0ul >> 3;',
  'extern volatile int *const ptrs[2][3];',
  "int f(void); char c[(unsigned char)'\\xff'];",
  'struct s; enum e; struct s *g(enum e *);',
];
const VOCABULARY = [
  'int', 'char', 'long', 'unsigned', 'short', 'double', 'void', 'const', 'volatile', 'restrict', 'struct', 'union', 'enum',
  'typedef', 'extern', 'static', 'sizeof', 'x', 'y', 's', 'f', 't', 'size_t', 'N', '0', '1', '3', '0x10', "'a'", '"s"',
  '(', ')', '[', ']', '{', '}', ';', ',', ':', '*', '=', '+', '-', '<<', '?', '...', '#define', '#include', '\n', '/*', '*/',
  '//', '\\', '__attribute__', 'inline', 'é', '\0', '1.5', 'if',
];

function mutate(rng: () => number, text: string): string {
  const at = Math.floor(rng() * (text.length + 1));
  const pick = VOCABULARY[Math.floor(rng() * VOCABULARY.length)];
  switch (Math.floor(rng() * 5)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rng() * 4));
    case 1:
      return `${text.slice(0, at)} ${pick} ${text.slice(at)}`;
    case 2:
      return text.slice(0, at) + String.fromCharCode(Math.floor(rng() * 128)) + text.slice(at);
    case 3: {
      const from = Math.floor(rng() * text.length);
      return text.slice(0, at) + text.slice(from, from + 1 + Math.floor(rng() * 10)) + text.slice(at);
    }
    default:
      return text.slice(0, at) + text.slice(at).replace(/\w+/, pick);
  }
}

describe('fuzz smoke test', () => {
  const seed = Number(process.env.NODE_CFFI_SEED ?? 424242);
  const count = process.env.NODE_CFFI_LONG === '1' ? 100000 : 4000;

  test(`random and mutated inputs either parse or throw a positioned CDefError (seed ${seed}, ${count} inputs)`, () => {
    const rng = prng(seed);
    const baseSource = 'typedef int t; struct s { int x; }; enum e { A };\n#define N 2\nstruct fwd; enum fe;';
    let parsed = 0;
    const problems: string[] = [];
    for (let i = 0; i < count; i++) {
      let source: string;
      if (rng() < 0.3) {
        source = Array.from({ length: 1 + Math.floor(rng() * 30) }, () => VOCABULARY[Math.floor(rng() * VOCABULARY.length)]).join(' ');
      } else {
        source = CORPUS[Math.floor(rng() * CORPUS.length)];
        for (let m = Math.floor(rng() * 3); m > 0; m--) source = mutate(rng, source);
      }
      const where = `seed ${seed}, input ${i} ${JSON.stringify(source)}`;
      const r = cdef(baseSource);
      const before = [...r.values()];
      const cached = parseTypeName('t *', r);
      try {
        parseCdef(source, r, { override: rng() < 0.2 });
        parsed++;
      } catch (e) {
        const ok =
          e instanceof CDefError && Number.isInteger(e.line) && Number.isInteger(e.column) && e.line! >= 1 && e.column! >= 1 &&
          e.message.startsWith(`cdef:${e.line}:${e.column}: `);
        if (!ok) problems.push(`${where}: ${String(e)}`);
        // Atomicity: nothing declared, nothing completed, the cache intact.
        const same = [...r.values()].every((d, k) => d === before[k]) && r.typeCache.get('t *') === cached;
        const fwd = r.tag('struct', 'fwd') as StructType;
        const fe = r.tag('enum', 'fe') as EnumType;
        if (!same || fwd.complete || Object.keys(fe.relements).length) problems.push(`${where}: the failed cdef changed the registry`);
      }
      try {
        parseTypeName(source, r);
      } catch (e) {
        if (!(e instanceof CDefError && e.message.startsWith('type '))) problems.push(`${where} as a type: ${String(e)}`);
      }
    }
    expect(problems).toEqual([]);
    // The mutations keep a fair share of inputs valid, so the success paths are exercised too.
    expect(parsed).toBeGreaterThan(count / 20);
  });
});
