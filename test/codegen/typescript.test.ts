// Generated TypeScript declarations: they type-check with the TypeScript compiler, accept right calls and reject wrong ones.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { typescriptDeclarations } from '../../lib/codegen/typescript';
import { parseCdef } from '../../lib/cparser/parser';
import { Registry } from '../../lib/ctype/registry';

const LIB = path.resolve(__dirname, '..', '..', 'lib');

const CDEF = `
typedef struct { int x; double y; } point;
struct node { struct node *next; const int id; unsigned flag : 1; char name[8]; point at; };
enum color { RED, GREEN = 5, BLUE };
typedef enum color color_t;
#define BUFSIZE (4 * 1024)
#define NEGATIVE (-3)
static const long LIMIT;
int add(int a, int b);
long long widen(unsigned long long x, int);
size_t length(const char *s);
void fill(char *buf, size_t n, int *out, double *d, void *any, struct node *n2);
_Bool is_even(int class);
point make(int x, double y);
double norm(const point *p);
int logf_(const char *fmt, ...);
color_t pick(enum color c);
int counter;
const int version;
point origin;
int table[4];
struct opaque;
struct opaque *open_it(void);
`;

function generate(cdef: string, importFrom = LIB): string {
  const r = new Registry();
  parseCdef(cdef, r);
  return typescriptDeclarations(r, { source: 'demo.h', importFrom });
}

/** Type-checks `consumer` against the generated declarations; returns the diagnostics of those two files. */
function check(consumer: string): string[] {
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
  return diagnostics.map((d) => {
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return `${d.file ? path.basename(d.file.fileName) : '?'}:${pos ? pos.line + 1 : 0}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('typescriptDeclarations', () => {
  test('the interface types every function, constant and global', () => {
    const text = generate(CDEF, 'node-cffi');
    expect(text).toContain("import type { CData } from 'node-cffi';");
    expect(text).toContain('  add(a: number, b: number): number;');
    expect(text).toContain('  widen(x: number | bigint, arg1: number): number | bigint;');
    expect(text).toContain('  length(s: string | Buffer | CData | null): number | bigint;');
    expect(text).toContain('  is_even(class_: number): boolean;');
    expect(text).toContain('  logf_(fmt: string | Buffer | CData | null, ...rest: unknown[]): number;');
    expect(text).toContain('  readonly BUFSIZE: 4096;');
    expect(text).toContain('  readonly NEGATIVE: -3;');
    expect(text).toContain('  readonly GREEN: 5;');
    expect(text).toContain('  readonly LIMIT: number | bigint;');
    expect(text).toContain('export type enum_color = 0 | 5 | 6;');
    expect(text).toContain('export type color_t = enum_color;');
    expect(text).toContain('export interface point extends CData {');
    expect(text).toContain('export interface struct_node extends CData {');
  });

  test('right calls type-check; wrong calls are each rejected', () => {
    const consumer = `
import type { CData } from ${JSON.stringify(LIB)};
import type { Lib, point, struct_node, enum_color } from './demo';
declare const lib: Lib;
declare const p: CData;

const sum: number = lib.add(1, 2);
const wide: number | bigint = lib.widen(2n ** 60n, 1);
lib.widen(5, 0);
lib.length('text'); lib.length(Buffer.from('x')); lib.length(null); lib.length(p);
lib.fill(new Uint8Array(4), 4, new Int32Array(1), new Float64Array(2), new ArrayBuffer(8), null);
const even: boolean = lib.is_even(3);
const made: point = lib.make(1, 2.5);
const y: number = made.y;
lib.norm(p);
lib.logf_('%d %s', 1, 'x');
const four: 4096 = lib.BUFSIZE;
const c: enum_color = lib.GREEN;
lib.counter = 3;
const v: number = lib.version;
lib.origin = { x: 1 };
lib.origin = made;
const o: point = lib.origin;
lib.table = [1, 2, 3, 4];
const n = p as struct_node;
n.name = 'abc';
n.at = { y: 2 };
const opaque: CData | null = lib.open_it();

// @ts-expect-error: too few arguments
lib.add(1);
// @ts-expect-error: a string is not an int
lib.add('1', 2);
// @ts-expect-error: bigint for a 32-bit int
lib.add(1n, 2);
// @ts-expect-error: an int pointer takes Int32Array, not Float64Array
lib.fill(null, 0, new Float64Array(1), null, null, null);
// @ts-expect-error: a non-const char pointer takes no string
lib.fill('x', 0, null, null, null, null);
// @ts-expect-error: a struct pointer takes no number
lib.norm(3);
// @ts-expect-error: no such function
lib.nope();
// @ts-expect-error: a constant cannot be assigned
lib.BUFSIZE = 1;
// @ts-expect-error: the literal type is 4096
const wrong: 4097 = lib.BUFSIZE;
// @ts-expect-error: a const global is read-only
lib.version = 2;
// @ts-expect-error: _Bool results are booleans
const notNumber: number = lib.is_even(1);
// @ts-expect-error: an unknown field in an initialiser
lib.origin = { z: 1 };
// @ts-expect-error: const fields are read-only
n.id = 3;
export { sum, wide, even, y, four, c, v, o, opaque, wrong, notNumber };
`;
    expect(check(consumer)).toEqual([]);
  });

  test('names TypeScript reserves are avoided', () => {
    const text = generate('typedef struct { int v; } string; int f(int new, int delete, int arg3, int);');
    expect(text).toContain('export interface string_t extends CData {');
    expect(text).toContain('f(new_: number, delete_: number, arg3: number, arg3_: number): number;');
  });
});

test('a typedef the compiler sizes (int...) is typed for any width until verify() settles it', () => {
  const r = new Registry();
  parseCdef('typedef int... ticks_t; typedef float... real_t; ticks_t now(real_t scale);', r);
  const d = typescriptDeclarations(r);
  expect(d).toContain('now(scale: number): number | bigint;');
});
