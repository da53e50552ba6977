// The cdef parser against the C compiler: enum base types, random declarators and sizes agree.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CDefError } from '../../lib/errors';
import { Decl } from '../../lib/ctype/registry';
import { parseCdef, parseTypeName } from '../../lib/cparser/parser';
import { cdef, enumOf } from '../helpers/cdef';
import { CC, ccFamily, noErrorLimit } from '../helpers/compiler';
import { prng, testSeed } from '../helpers/random';

describe('agreement with the C compiler', () => {
  test('enum base types: size and signedness', () => {
    const source =
      'enum a { A1 = 1 }; enum b { B1 = -1 }; enum c { C1 = 0xffffffff }; enum d { D1 = 0x100000000 }; ' +
      'enum f { F1 = -1, F2 = 0x7fffffff }; enum g { G1 = -1, G2 = 0x80000000 }; enum h { H1 = -2147483648 }; ' +
      'enum i { I1 = -2147483649 }; enum j { J1 = 0x8000000000000000 };';
    const r = cdef(source);
    const names = ['a', 'b', 'c', 'd', 'f', 'g', 'h', 'i', 'j'];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-enum-'));
    try {
      const file = path.join(dir, 'enums.c');
      const checks = names.map((n) => `  printf("%d %d\\n", (int)sizeof(enum ${n}), (enum ${n})-1 < 0);`).join('\n');
      fs.writeFileSync(file, `#include <stdio.h>\n${source}\nint main(void) {\n${checks}\n  return 0;\n}\n`);
      const exe = path.join(dir, 'enums');
      const cc = spawnSync(CC, ['-w', '-o', exe, file], { encoding: 'utf8' });
      expect(cc.stderr).toBe('');
      const out = spawnSync(exe, [], { encoding: 'utf8' }).stdout.trim().split('\n');
      const ours = names.map((n) => {
        const base = enumOf(r, n).base;
        return `${base.size} ${base.repr.startsWith('i') ? 1 : 0}`;
      });
      expect(ours).toEqual(out);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const seed = testSeed(77);
  test(`random declarators: the parsed types are the types the compiler sees, and the refusals its errors (seed ${seed})`, () => {
    const rng = prng(seed);
    const prelude = 'struct S { int a; }; typedef int fn_t(int); typedef char arr_t[4];';
    const bases = ['int', 'const char', 'double', 'unsigned long', 'struct S', 'fn_t', 'arr_t', 'void', 'volatile short'];
    const quals = ['', '', 'const ', 'volatile ', 'restrict ', 'const volatile '];
    // C17 (6.7.6.3) drops the qualifiers of a function's return type, as cdef and gcc do; clang 14
    // keeps them in the function's type. With clang, no function returns a qualified type here.
    const plainReturns = ccFamily() === 'clang';
    const unqualified = (base: string): boolean => !/^(const|volatile) /.test(base);
    /** A base type and a declarator for `name`, built from the name outwards, as C reads it. */
    const declaration = (name: string, depth: number): string => {
      let s = name;
      let returns = false; // the declarator so far is a function: what comes next is its return type
      for (let n = Math.floor(rng() * 5); n > 0; n--) {
        const r = rng();
        if (r < 0.4) {
          const q = quals[Math.floor(rng() * quals.length)];
          s = `*${plainReturns && returns ? '' : q}${s}`;
          returns = false;
        } else {
          if (s.startsWith('*')) s = `(${s})`;
          if (r < 0.7) s += `[${Math.floor(rng() * 4)}]`;
          else {
            const count = depth > 0 ? Math.floor(rng() * 3) : 0;
            const params = Array.from({ length: count }, () => declaration(rng() < 0.5 ? '' : 'p', depth - 1));
            s += `(${params.join(', ') || 'void'}${params.length && rng() < 0.2 ? ', ...' : ''})`;
          }
          returns = r >= 0.7;
        }
      }
      let base = bases[Math.floor(rng() * bases.length)];
      while (plainReturns && returns && !unqualified(base)) base = bases[Math.floor(rng() * bases.length)];
      return `${base} ${s}`;
    };
    const accepted: string[] = [];
    const refused: string[] = [];
    /** Anything thrown that is not a CDefError. */
    const others: string[] = [];
    const count = process.env.NODE_CFFI_LONG === '1' ? 5000 : 400;
    for (let i = 0; i < count; i++) {
      const decl = `extern ${declaration(`v${i}`, 2)};`;
      const r = cdef(prelude);
      try {
        parseCdef(decl, r);
        const d = r.get(`v${i}`) as Extract<Decl, { kind: 'function' | 'variable' }>;
        // cdef accepts 'restrict' where C refuses it (on a pointer to a function) and drops it, as CFFI
        // does: the comparison leaves 'restrict' out on both sides, and checks everything else.
        const plain = (text: string): string => text.replace(/\brestrict\b ?/g, '');
        accepted.push(`${plain(decl)}\n_Static_assert(__builtin_types_compatible_p(__typeof__(v${i}), ${plain(d.type.spelling)}), "v${i}");`);
      } catch (e) {
        if (!(e instanceof CDefError)) others.push(`${decl}: ${String(e)}`);
        // cdef refuses a void variable, which GCC lets an extern declaration have.
        if (!/^extern void v\d+;$/.test(decl)) refused.push(decl);
      }
    }
    expect(others).toEqual([]);
    expect(accepted.length).toBeGreaterThan(100);
    expect(refused.length).toBeGreaterThan(20);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-decl-'));
    try {
      const compile = (name: string, text: string): string => {
        const file = path.join(dir, `${name}.c`);
        fs.writeFileSync(file, text);
        // -Werror: a named 'void' parameter is only a warning for GCC; cdef refuses it.
        const args = ['-std=gnu11', '-Werror', '-fsyntax-only', ...noErrorLimit(), file];
        return spawnSync(CC, args, { encoding: 'utf8', maxBuffer: 1 << 26 }).stderr;
      };
      expect(compile('accepted', `${prelude}\n${accepted.join('\n')}\n`)).toBe('');
      // Each refused declaration draws an error from the compiler too.
      const errors = compile('refused', `${prelude}\n${refused.join('\n')}\n`);
      const lines = new Set([...errors.matchAll(/refused\.c:(\d+):\d+: error/g)].map((m) => Number(m[1]) - 2));
      expect(refused.filter((_, i) => !lines.has(i)).map((d) => `seed ${seed}: ${d}`)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('sizes of parsed types agree for simple declarations', () => {
    const decls = 'struct pt { char c; double d; short s[3]; }; typedef int (*fp_t)(int); union u { char c[5]; int i; };';
    const r = cdef(decls);
    const types = ['struct pt', 'fp_t', 'union u', 'long double[2]', 'unsigned short[3][5]', 'fp_t[4]', 'char *(*)[2]'];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-sizes-'));
    try {
      const file = path.join(dir, 'sizes.c');
      const lines = types.map((t) => `  printf("%d\\n", (int)sizeof(${t}));`);
      fs.writeFileSync(file, `#include <stdio.h>\n${decls}\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`);
      const exe = path.join(dir, 'sizes');
      const cc = spawnSync(CC, ['-w', '-o', exe, file], { encoding: 'utf8' });
      expect(cc.stderr).toBe('');
      const out = spawnSync(exe, [], { encoding: 'utf8' }).stdout.trim().split('\n').map(Number);
      expect(types.map((t) => parseTypeName(t, r).size)).toEqual(out);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
