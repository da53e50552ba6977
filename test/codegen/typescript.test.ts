// Generated TypeScript declarations: they type-check with the TypeScript compiler, and accept exactly the calls and stores the run time accepts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { FFI, FFIError, Lib } from '../../lib';
import { typescriptDeclarations } from '../../lib/codegen/typescript';
import { parseCdef } from '../../lib/cparser/parser';
import { Registry } from '../../lib/ctype/registry';

const LIB = path.resolve(__dirname, '..', '..', 'lib');

const CDEF = `
typedef struct { int x; double y; } point;
struct node { struct node *next; const int id; unsigned flag : 1; char name[8]; point at; };
enum color { RED, GREEN = 5, BLUE };
typedef enum color color_t;
union num { int i; float f; };
#define BUFSIZE (4 * 1024)
#define NEGATIVE (-3)
int add(int a, int b);
long long widen(unsigned long long x, int);
size_t length(const char *s);
void fill(char *buf, size_t n);
int sum_ints(const int *p, int n);
int first_byte(const void *p);
int first_u8(const uint8_t *p);
_Bool is_even(int class);
int truth(_Bool b);
int code_of(char c);
point make(int x, double y);
double norm(const point *p);
double by_value(point p);
int union_int(union num u);
int apply(int (*f)(int, int), int a, int b);
int (*pick(int which))(int, int);
color_t next_color(enum color c);
int sum_va(int n, ...);
int counter;
const int version;
point origin;
int table[4];
char label[8];
int (*op)(int, int);
struct opaque;
struct opaque *open_it(void);
`;

const SOURCE = `
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
typedef struct { int x; double y; } point;
struct node { struct node *next; const int id; unsigned flag : 1; char name[8]; point at; };
enum color { RED, GREEN = 5, BLUE };
typedef enum color color_t;
union num { int i; float f; };
#define BUFSIZE (4 * 1024)
#define NEGATIVE (-3)
int add(int a, int b) { return a + b; }
long long widen(unsigned long long x, int k) { return (long long)x + k; }
size_t length(const char *s) { return s ? strlen(s) : 0; }
void fill(char *buf, size_t n) { if (buf) memset(buf, 'x', n); }
int sum_ints(const int *p, int n) { int s = 0; for (int i = 0; p && i < n; i++) s += p[i]; return s; }
int first_byte(const void *p) { return p ? *(const unsigned char *)p : -1; }
int first_u8(const uint8_t *p) { return p ? p[0] : -1; }
_Bool is_even(int class) { return class % 2 == 0; }
int truth(_Bool b) { return b; }
int code_of(char c) { return c; }
point make(int x, double y) { point p = { x, y }; return p; }
double norm(const point *p) { return p ? p->x * p->y : 0; }
double by_value(point p) { return p.x + p.y; }
int union_int(union num u) { return u.i; }
int apply(int (*f)(int, int), int a, int b) { return f ? f(a, b) : -1; }
static int sub(int a, int b) { return a - b; }
int (*pick(int which))(int, int) { return which ? add : sub; }
color_t next_color(enum color c) { return c == RED ? GREEN : BLUE; }
int sum_va(int n, ...) { va_list ap; va_start(ap, n); int s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, int); va_end(ap); return s; }
int counter;
const int version = 2;
point origin;
int table[4];
char label[8];
int (*op)(int, int);
struct opaque { int hidden; };
struct opaque *open_it(void) { return NULL; }
`;

function generate(cdef: string, importFrom = LIB): string {
  const r = new Registry();
  parseCdef(cdef, r);
  return typescriptDeclarations(r, { source: 'demo.h', importFrom });
}

/** Type-checks `consumer` against the generated declarations; returns the diagnostics of those two files. */
function check(consumer: string): ts.Diagnostic[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-ts-'));
  const decls = path.join(dir, 'demo.d.ts');
  const use = path.join(dir, 'use.ts');
  fs.writeFileSync(decls, generate(CDEF));
  fs.writeFileSync(use, consumer);
  const program = ts.createProgram([use], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10, types: ['node'], typeRoots: [path.resolve(LIB, '..', 'node_modules', '@types')],
    skipLibCheck: true, esModuleInterop: true,
  });
  const ours = [decls, use].map((f) => program.getSourceFile(f)).filter((f): f is ts.SourceFile => f !== undefined);
  expect(ours).toHaveLength(2);
  const diagnostics = ours.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]);
  fs.rmSync(dir, { recursive: true, force: true });
  return diagnostics;
}

const where = (d: ts.Diagnostic): string => {
  const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
  return `${d.file ? path.basename(d.file.fileName) : '?'}:${pos ? pos.line + 1 : 0}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
};

describe('typescriptDeclarations', () => {
  test('the interface types every function, constant and global', () => {
    const text = generate(CDEF, 'node-cffi');
    expect(text).toContain("import type { CData, CFunctionOf, VariadicArgument } from 'node-cffi';");
    expect(text).toContain('  add(a: number | bigint, b: number | bigint): number;');
    expect(text).toContain('  widen(x: number | bigint, arg1: number | bigint): number | bigint;');
    expect(text).toContain('  length(s: string | CData | readonly (number | bigint | string)[] | Uint8Array | Uint8ClampedArray | Int8Array | ArrayBuffer | DataView | null): number | bigint;');
    expect(text).toContain('  sum_ints(p: CData | readonly (number | bigint)[] | Int32Array | null, n: number | bigint): number;');
    expect(text).toContain('  first_byte(p: CData | string | ArrayBuffer | ArrayBufferView | null): number;');
    expect(text).toContain('  is_even(class_: number | bigint): boolean;');
    expect(text).toContain('  truth(b: boolean | 0 | 1 | 0n | 1n): number;');
    expect(text).toContain('  code_of(c: number | bigint | string): number;');
    expect(text).toContain('  by_value(p: point | point_init): number;');
    expect(text).toContain('  apply(f: CData | ((arg0: number, arg1: number) => number | bigint) | null, a: number | bigint, b: number | bigint): number;');
    expect(text).toContain('  pick(which: number | bigint): CFunctionOf<(arg0: number | bigint, arg1: number | bigint) => number> | null;');
    expect(text).toContain('  next_color(c: number | bigint | enum_color_name): number;');
    expect(text).toContain('  sum_va(n: number | bigint, ...rest: VariadicArgument[]): number;');
    expect(text).toContain('  readonly BUFSIZE: 4096;');
    expect(text).toContain('  readonly NEGATIVE: -3;');
    expect(text).toContain('  readonly GREEN: 5;');
    expect(text).toContain('export type enum_color = 0 | 5 | 6;');
    expect(text).toContain("export type enum_color_name = 'RED' | 'GREEN' | 'BLUE';");
    expect(text).toContain('export type color_t = enum_color;');
    expect(text).toContain('export interface point extends CData {');
    expect(text).toContain('} | readonly [x?: number | bigint, y?: number | bigint];');
    expect(text).toContain('export interface struct_node extends CData {');
    expect(text).toContain('  readonly version: number;');
    expect(text).toContain('  get op(): CFunctionOf<(arg0: number | bigint, arg1: number | bigint) => number> | null;\n  set op(value: CData | null);');
  });

  test('names TypeScript reserves are avoided', () => {
    const text = generate('typedef struct { int v; } string; int f(int new, int delete, int arg3, int);');
    expect(text).toContain('export interface string_t extends CData {');
    expect(text).toContain('f(new_: number | bigint, delete_: number | bigint, arg3: number | bigint, arg3_: number | bigint): number;');
  });

  test("the interface's name must be an identifier the file can declare; the module name is quoted", () => {
    const ffi = new FFI();
    ffi.cdef('struct pt { int x; }; int f(struct pt *);');
    for (const name of ['a-b c', '1st', '', 'x.y', 'class', 'string', 'CData']) {
      expect(() => ffi.typescriptDeclarations({ name })).toThrow(TypeError);
    }
    expect(() => ffi.typescriptDeclarations({ name: 'a-b c' })).toThrow(`options.name "a-b c" is not a TypeScript identifier`);
    expect(() => ffi.typescriptDeclarations({ name: 7 as unknown as string })).toThrow('expected options.name as a string, got 7');
    expect(ffi.typescriptDeclarations({ name: '$Lib_2' })).toContain('export interface $Lib_2 {');
    expect(ffi.typescriptDeclarations({ name: 'Bibliothèque' })).toContain('export interface Bibliothèque {');
    expect(ffi.typescriptDeclarations({ importFrom: "it's\\" })).toContain("import type { CData } from 'it\\'s\\\\';");
  });

  test('a struct of 130,000 fields and an enum of as many enumerators (was: RangeError, their lines spread into one call)', () => {
    const n = 130000;
    const fields = Array.from({ length: n }, (_, i) => `int f${i};`).join(' ');
    const text = generate(`struct wide { ${fields} }; enum many { ${Array.from({ length: n }, (_, i) => `E${i}`).join(', ')} };`);
    expect([text.includes(`  get f${n - 1}(): number;`), text.includes(`'E${n - 1}'`)]).toEqual([true, true]);
  });
});

test('an extern "Python" function is typed as the function pointer a library has for it; long double values as numbers', () => {
  const text = generate('extern "Python" long double cb(int, long double); long double f(long double x); extern long double g;');
  expect(text).toContain('  readonly cb: CFunctionOf<(arg0: number | bigint, arg1: number | bigint) => number>;');
  expect(text).toContain('  f(x: number | bigint): number;');
  expect(text).toContain('  get g(): number;\n  set g(value: number | bigint);');
});

test('a typedef the compiler sizes (int...) is typed for any width until verify() settles it', () => {
  const r = new Registry();
  parseCdef('typedef int... ticks_t; typedef float... real_t; ticks_t now(real_t scale);', r);
  const d = typescriptDeclarations(r);
  expect(d).toContain('now(scale: number | bigint): number | bigint;');
});

/**
 * Each case is run against the compiled library and type-checked against the generated
 * declarations. `ok` cases must run and type-check; `TypeError` cases must throw a TypeError at
 * run time and fail to type-check: the two sides agree on what a call or a store accepts. (Values
 * the types cannot tell apart, such as 1.5 for an int, are left out: the run time refuses them
 * with a TypeError that no type could predict.)
 */
const CASES: readonly (readonly [string, 'ok' | 'TypeError' | 'RangeError' | 'FFIError'])[] = [
  ['lib.add(1, 2)', 'ok'],
  ['lib.add(1n, 2)', 'ok'],
  ["lib.add('1', 2)", 'TypeError'],
  ['lib.add(1)', 'TypeError'],
  ['lib.widen(2n ** 60n, 1)', 'ok'],
  ["lib.length('text')", 'ok'],
  ["lib.length(Buffer.from('ab\\0'))", 'ok'],
  ['lib.length(null)', 'ok'],
  ['lib.length(42)', 'TypeError'],
  ["lib.fill('abc', 0)", 'ok'],
  ['lib.fill(Buffer.alloc(4), 4)', 'ok'],
  ['lib.fill(new ArrayBuffer(4), 4)', 'ok'],
  ['lib.fill(new Uint16Array(2), 0)', 'TypeError'],
  ['lib.sum_ints(new Int32Array([1, 2]), 2)', 'ok'],
  ['lib.sum_ints(ints, 2)', 'ok'],
  ['lib.sum_ints(new Float64Array(2), 2)', 'TypeError'],
  ['lib.sum_ints([1, 2], 2)', 'ok'],
  ["lib.sum_ints([1, 'x'], 2)", 'TypeError'],
  ["lib.sum_ints('ab', 2)", 'TypeError'],
  ['lib.first_byte(new ArrayBuffer(4))', 'ok'],
  ['lib.first_byte(new Float64Array(1))', 'ok'],
  ['lib.first_byte(ints)', 'ok'],
  ["lib.first_byte('s')", 'ok'],
  ['lib.first_byte(42)', 'TypeError'],
  ['lib.first_u8(new Uint8Array(1))', 'ok'],
  ["lib.first_u8('s')", 'ok'],
  ['lib.is_even(3)', 'ok'],
  ['lib.truth(true)', 'ok'],
  ['lib.truth(1)', 'ok'],
  ['lib.truth(2)', 'RangeError'],
  ["lib.truth('yes')", 'TypeError'],
  ["lib.code_of('a')", 'ok'],
  ['lib.code_of(97)', 'ok'],
  ['lib.code_of(true)', 'TypeError'],
  ['lib.norm(pp)', 'ok'],
  ['lib.norm(null)', 'ok'],
  ['lib.norm({ x: 1, y: 2 })', 'TypeError'],
  ['lib.by_value({ x: 1, y: 2 })', 'ok'],
  ['lib.by_value([1, 2])', 'ok'],
  ['lib.by_value(pt)', 'ok'],
  ['lib.by_value(lib.make(1, 2))', 'ok'],
  ['lib.by_value({ z: 1 })', 'TypeError'],
  ['lib.by_value(5)', 'TypeError'],
  ['lib.union_int({ i: 7 })', 'ok'],
  ['lib.union_int([7])', 'ok'],
  ['lib.apply((a, b) => a * b, 6, 7)', 'ok'],
  ['lib.apply(cb, 6, 7)', 'ok'],
  ['lib.apply(lib.pick(1), 6, 7)', 'ok'],
  ['lib.apply(42, 6, 7)', 'TypeError'],
  ['picked(2, 3)', 'ok'],
  ['picked.async(2, 3)', 'ok'],
  ["picked('2', 3)", 'TypeError'],
  ['picked(2)', 'TypeError'],
  ["lib.next_color('GREEN')", 'ok'],
  ['lib.next_color(5)', 'ok'],
  ["lib.next_color('PURPLE')", 'TypeError'],
  ["lib.sum_va(2, ['int', 3], ['int', 4])", 'ok'],
  ['lib.sum_va(1, 3)', 'TypeError'],
  ['lib.counter = 3', 'ok'],
  ['lib.counter = 3n', 'ok'],
  ["lib.counter = 'x'", 'TypeError'],
  ['lib.origin = { x: 1 }', 'ok'],
  ['lib.origin = [1, 2]', 'ok'],
  ['lib.origin = lib.make(1, 2)', 'ok'],
  ['lib.origin = { z: 1 }', 'TypeError'],
  ['lib.table = [1, 2]', 'ok'],
  ['lib.table = new Int32Array(4)', 'ok'],
  ['lib.table = new Int16Array(4)', 'TypeError'],
  ["lib.label = 'abc'", 'ok'],
  ['lib.label = 42', 'TypeError'],
  ['lib.op = lib.pick(0)', 'ok'],
  ['lib.op = jsfn', 'TypeError'],
  ['lib.BUFSIZE = 1', 'FFIError'],
  ['pt.x = 3', 'ok'],
  ["pt.x = 'a'", 'TypeError'],
  ["node.name = 'abc'", 'ok'],
  ['node.at = { y: 2 }', 'ok'],
  ['node.next = null', 'ok'],
  ['node.next = {}', 'TypeError'],
];

describe('the declarations accept what the run time accepts, and refuse what it refuses', () => {
  let env: Record<string, unknown>;
  let diagnostics: ts.Diagnostic[];
  /** The line of the type-checked file each case is on. */
  const firstCaseLine = 12;

  beforeAll(() => {
    const ffi = new FFI();
    ffi.cdef(CDEF);
    const lib: Lib = ffi.verify(SOURCE, { filename: 'demo.c' });
    env = {
      lib,
      ffi,
      ints: ffi.new('int[2]', [1, 2]),
      pp: ffi.new('point *', { x: 2, y: 3 }),
      pt: ffi.new('point *')[0],
      node: ffi.new('struct node *')[0],
      cb: ffi.callback('int(int, int)', (a: number, b: number) => a - b),
      picked: lib.pick(1),
      jsfn: (a: number, b: number) => a + b,
    };
    const consumer = [
      `import type { CData, FFI } from ${JSON.stringify(LIB)};`,
      "import type { Lib, point, struct_node } from './demo';",
      'declare const lib: Lib;',
      'declare const ffi: FFI;',
      'declare const ints: CData;',
      'declare const pp: CData;',
      'declare const pt: point;',
      'declare const node: struct_node;',
      'declare const cb: CData;',
      "declare const picked: NonNullable<ReturnType<Lib['pick']>>;",
      'declare const jsfn: (a: number, b: number) => number;',
      ...CASES.map(([code], i) => `export function case${i}() { ${code}; }`),
      'void ffi;',
    ];
    expect(consumer[firstCaseLine - 1]).toMatch(/^export function case0\(\)/);
    diagnostics = check(consumer.join('\n'));
  });

  test('the generated declarations themselves have no errors', () => {
    expect(diagnostics.filter((d) => d.file?.fileName.endsWith('demo.d.ts')).map(where)).toEqual([]);
  });

  test.each(CASES.map(([code, want], i) => [code, want, i] as const))('%s: %s', (code, want, i) => {
    // The run time.
    const run = new Function(...Object.keys(env), `'use strict'; ${code};`);
    let thrown: unknown = null;
    try {
      run(...Object.values(env));
    } catch (e) {
      thrown = e;
    }
    if (want === 'ok') expect(thrown).toBeNull();
    else expect(thrown).toBeInstanceOf(want === 'FFIError' ? FFIError : want === 'RangeError' ? RangeError : TypeError);
    // The type checker, on the case's own line.
    const line = firstCaseLine + i;
    const here = diagnostics.filter((d) => d.file?.fileName.endsWith('use.ts') && d.start !== undefined && d.file.getLineAndCharacterOfPosition(d.start).line + 1 === line);
    if (want === 'ok') expect(here.map(where)).toEqual([]);
    else expect(here.length).toBeGreaterThan(0);
  });

  test('results are typed as the run time gives them', () => {
    const consumer = `
import type { CData, CFunctionOf } from ${JSON.stringify(LIB)};
import type { Lib, point } from './demo';
declare const lib: Lib;
const sum: number = lib.add(1, 2);
const wide: number | bigint = lib.widen(1, 2);
const even: boolean = lib.is_even(2);
const made: point = lib.make(1, 2.5);
const y: number = made.y;
const fn: CFunctionOf<(a: number | bigint, b: number | bigint) => number> | null = lib.pick(1);
const r: number = lib.pick(1)!(2, 3);
const later: Promise<number> = lib.pick(1)!.async(2, 3);
const op = lib.op;
const opaque: CData | null = lib.open_it();
const four: 4096 = lib.BUFSIZE;
// @ts-expect-error: _Bool results are booleans
const notNumber: number = lib.is_even(1);
// @ts-expect-error: the literal type is 4096
const wrong: 4097 = lib.BUFSIZE;
// @ts-expect-error: no such function
lib.nope();
export { sum, wide, even, y, fn, r, later, op, opaque, four, notNumber, wrong };
`;
    expect(check(consumer).map(where)).toEqual([]);
  });
});
