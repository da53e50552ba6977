// Test helper: asks the system C compiler for the layout of model struct/union types, to compare with completeStruct.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { completeStruct, MemberDecl } from '../../lib/ctype/layout';
import { CType, EnumType, StructType } from '../../lib/ctype/model';
import type { SourcePos } from '../../lib/ctype/registry';

/** Where a member declaration came from when a test does not care. */
const NOWHERE: SourcePos = { line: 1, column: 1 };

/** One member declaration; `bits` makes it a bit-field, an empty `name` makes it unnamed or anonymous. */
export function member(name: string, type: CType, bits = -1, pos: SourcePos = NOWHERE): MemberDecl {
  return { name, type, quals: 0, bitsize: bits, pos };
}

interface Declaration {
  readonly members: readonly MemberDecl[];
  readonly pack: number;
}

/** The declarations behind the types built by `define`; the probe turns them back into C. */
const declarations = new WeakMap<StructType, Declaration>();

/** Lays out `t` with completeStruct and remembers its members so that the probe can declare it in C. */
export function define(t: StructType, members: readonly MemberDecl[], pack = 0): StructType {
  completeStruct(t, members, pack);
  declarations.set(t, { members, pack });
  return t;
}

/** A new struct or union named `name`, laid out from `members` (see `define`). */
export function struct(kind: 'struct' | 'union', name: string, members: readonly MemberDecl[], pack = 0): StructType {
  return define(new StructType(kind, name), members, pack);
}

/** One named member as laid out: bit-fields as the bit they start at (offset * 8 + bitshift) and their width. */
export interface FieldRecord {
  readonly name: string;
  readonly offset: number;
  /** -1 for an ordinary member. */
  readonly bitshift: number;
  /** -1 for an ordinary member. */
  readonly bitsize: number;
}

/** What a layout is compared on: size, alignment and every named member, anonymous members flattened. */
export interface LayoutRecord {
  readonly size: number;
  readonly align: number;
  readonly fields: readonly FieldRecord[];
}

/** The layout the model computed for `t`. */
export function modelLayout(t: StructType): LayoutRecord {
  const fields = (t.fields ?? []).map(({ name, offset, bitshift, bitsize }) => ({ name, offset, bitshift, bitsize }));
  return { size: t.size, align: t.align, fields };
}

export interface ProbeOptions {
  /** How pack = 1 is spelled in C: `__attribute__((packed))` (the default) or `#pragma pack(1)`. */
  readonly packedAs?: 'attribute' | 'pragma';
}

function declarationOf(t: StructType): Declaration {
  const d = declarations.get(t);
  if (!d) throw new Error(`layoutprobe: '${t.cname}' has no recorded members; build it with define() or struct()`);
  return d;
}

/** The named members of `t` in declaration order, anonymous members flattened, from the declarations alone. */
function namedMembers(t: StructType): MemberDecl[] {
  return declarationOf(t).members.flatMap((m) =>
    m.name === '' && m.bitsize < 0 ? namedMembers(m.type as StructType) : m.name === '' ? [] : [m],
  );
}

const isAggregate = (t: CType): t is StructType => t.kind === 'struct' || t.kind === 'union';
const tagOf = (t: StructType | EnumType): string => `${t.kind} ${t.kind === 'enum' ? 'E' : 'T'}${t.id}`;

/** C text declaring `inner` (a name, or '' for an abstract declarator) with type `t`. */
function declarator(t: CType, inner: string): string {
  switch (t.kind) {
    case 'primitive':
      return `${t.name} ${inner}`;
    case 'void':
      return `void ${inner}`;
    case 'struct':
    case 'union':
    case 'enum':
      return `${tagOf(t)} ${inner}`;
    case 'pointer': {
      const wrap = t.item.kind === 'array' || t.item.kind === 'function';
      return declarator(t.item, wrap ? `(*${inner})` : `*${inner}`);
    }
    case 'array':
      return declarator(t.item, `${inner}[${t.length ?? ''}]`);
    case 'function': {
      const args = t.args.map((a) => declarator(a, '').trim());
      if (t.ellipsis) args.push('...');
      return declarator(t.result, `${inner}(${args.length ? args.join(', ') : 'void'})`);
    }
  }
}

function enumConstant(v: number | bigint): string {
  const n = BigInt(v);
  // -2**63 has no literal of its own in C.
  if (n === -(2n ** 63n)) return '(-9223372036854775807L - 1)';
  return `${n}${n >= 2n ** 63n ? 'UL' : n > 0x7fffffffn || n < -0x80000000n ? 'L' : ''}`;
}

function enumDefinition(t: EnumType): string {
  const entries = Object.entries(t.relements).map(([name, v]) => `E${t.id}_${name} = ${enumConstant(v)}`);
  return `${tagOf(t)} { ${entries.length ? entries.join(', ') : `E${t.id}_0`} };`;
}

/** Emits struct definitions with the packing each one asks for, tracking the `#pragma pack` in effect. */
class Emitter {
  readonly lines: string[] = [];
  private pragma = 0; // the #pragma pack in effect; 0 for none
  private indent = '';

  constructor(private readonly packedAs: 'attribute' | 'pragma') {}

  /** `struct Tn { … }` (or an untagged body for an anonymous member) followed by `suffix`. */
  definition(t: StructType, tagged: boolean, suffix: string): void {
    const { members, pack } = declarationOf(t);
    const attribute = pack === 1 && this.packedAs === 'attribute';
    const wanted = pack === 0 || attribute ? 0 : pack;
    const outer = this.pragma;
    if (wanted !== outer) this.lines.push(...(wanted ? [`#pragma pack(push, ${wanted})`] : ['#pragma pack(push)', '#pragma pack()']));
    this.pragma = wanted;
    this.lines.push(`${this.indent}${tagged ? tagOf(t) : t.kind} {`);
    this.indent += '  ';
    for (const m of members) this.member(m);
    this.indent = this.indent.slice(2);
    this.lines.push(`${this.indent}}${attribute ? ' __attribute__((packed))' : ''}${suffix}`);
    this.pragma = outer;
    if (wanted !== outer) this.lines.push('#pragma pack(pop)');
  }

  private member(m: MemberDecl): void {
    if (m.name === '' && m.bitsize < 0) {
      if (!isAggregate(m.type)) throw new Error(`layoutprobe: anonymous member of type '${m.type.cname}'`);
      this.definition(m.type, false, ';');
    } else {
      this.lines.push(`${this.indent}${declarator(m.type, m.name).trim()}${m.bitsize >= 0 ? ` : ${m.bitsize}` : ''};`);
    }
  }
}

/** What a probe program must declare: every enum, every aggregate (forward), and the definitions needed, dependencies first. */
interface Needs {
  readonly enums: Set<EnumType>;
  readonly aggregates: Set<StructType>;
  readonly definitions: StructType[];
}

function collect(roots: readonly StructType[]): Needs {
  const needs: Needs = { enums: new Set(), aggregates: new Set(), definitions: [] };
  const defined = new Set<StructType>();
  const visit = (t: CType, byValue: boolean): void => {
    switch (t.kind) {
      case 'pointer':
        return visit(t.item, false);
      case 'array':
        return visit(t.item, byValue);
      case 'function':
        t.args.forEach((a) => visit(a, false));
        return visit(t.result, false);
      case 'enum':
        needs.enums.add(t);
        return;
      case 'struct':
      case 'union':
        needs.aggregates.add(t);
        if (!byValue || defined.has(t)) return;
        defined.add(t);
        for (const m of declarationOf(t).members) visit(m.type, true);
        needs.definitions.push(t);
        return;
      case 'primitive':
      case 'void':
        return;
    }
  };
  roots.forEach((t) => visit(t, true));
  return needs;
}

const PRELUDE = `#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <uchar.h>
#include <wchar.h>

/* Prints where the set bits of p[0..n) start, how many there are and where they end. */
static void bits(int t, int f, const unsigned char *p, size_t n) {
  long first = -1, last = -1, count = 0;
  for (size_t b = 0; b < n * 8; b++) {
    if ((p[b / 8] >> (b % 8)) & 1) {
      if (first < 0) first = (long)b;
      last = (long)b;
      count++;
    }
  }
  printf("B %d %d %ld %ld %ld\\n", t, f, first, count, last);
}
`;

/** One C program that defines `types` and prints their layouts, as `layoutsFromCompiler` reads them. */
export function probeSource(types: readonly StructType[], options: ProbeOptions = {}): string {
  const emitter = new Emitter(options.packedAs ?? 'attribute');
  const needs = collect(types);
  const out = [PRELUDE, ...[...needs.enums].map(enumDefinition), ...[...needs.aggregates].map((t) => `${tagOf(t)};`)];
  for (const t of needs.definitions) emitter.definition(t, true, ';');
  out.push(...emitter.lines);
  types.forEach((t, i) => {
    const tag = tagOf(t);
    out.push(`static void probe${i}(void) {`, `  printf("T ${i} %zu %zu\\n", sizeof(${tag}), _Alignof(${tag}));`);
    namedMembers(t).forEach((m, j) => {
      if (m.bitsize < 0) out.push(`  printf("F ${i} ${j} %zu\\n", offsetof(${tag}, ${m.name}));`);
      else out.push(`  { ${tag} s; memset(&s, 0, sizeof s); s.${m.name} = -1; bits(${i}, ${j}, (const unsigned char *)&s, sizeof s); }`);
    });
    out.push('}');
  });
  out.push('int main(void) {', ...types.map((_, i) => `  probe${i}();`), '  return 0;', '}', '');
  return out.join('\n');
}

/** The compiler command: $CC split on blanks (it may carry flags), else `cc`. */
function compilerCommand(): string[] {
  const words = (process.env.CC ?? '').split(/\s+/).filter(Boolean);
  return words.length ? words : ['cc'];
}

function spawn(argv: readonly string[], what: string): SpawnSyncReturns<string> {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`layoutprobe: cannot run ${what} '${argv[0]}': ${r.error.message}`);
  return r;
}

function run(argv: readonly string[], what: string): string {
  const r = spawn(argv, what);
  if (r.status !== 0) throw new Error(`layoutprobe: ${what} failed (status ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** Runs `fn` with `probe.c` (holding `source`) in a fresh temporary directory, removed afterwards. */
function withSourceFile<T>(source: string, fn: (src: string, dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-layoutprobe-'));
  try {
    const src = path.join(dir, 'probe.c');
    fs.writeFileSync(src, source);
    return fn(src, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Compiles and runs `source`, returning what it printed. */
function compileAndRun(source: string): string {
  return withSourceFile(source, (src, dir) => {
    const exe = path.join(dir, 'probe');
    run([...compilerCommand(), '-w', '-O0', '-o', exe, src], 'the C compiler');
    return run([exe], 'the probe program');
  });
}

/** True when the C compiler accepts `source` (checked for errors only, not compiled to code). */
export function compilerAccepts(source: string): boolean {
  return withSourceFile(source, (src) => spawn([...compilerCommand(), '-fsyntax-only', '-w', src], 'the C compiler').status === 0);
}

/** Reads the probe program's output back into one record per type. */
function parseOutput(output: string, types: readonly StructType[]): LayoutRecord[] {
  const records = types.map(() => ({ size: -1, align: -1, fields: [] as FieldRecord[] }));
  const names = types.map(namedMembers);
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const [tag, ...nums] = line.split(' ');
    const [t, f, a, b, c] = nums.map(Number);
    const rec = records[t];
    if (tag === 'T') {
      rec.size = f;
      rec.align = a;
    } else if (tag === 'F') {
      // The compiler gives offsets; -2 marks a flexible array member, as CFFI's field records do (and the model's).
      const m = names[t][f];
      const open = m.type.kind === 'array' && m.type.length === null;
      rec.fields[f] = { name: m.name, offset: a, bitshift: open ? -2 : -1, bitsize: -1 };
    } else if (tag === 'B') {
      // a = first set bit, b = how many, c = last set bit; a bit-field's bits are contiguous.
      const name = names[t][f].name;
      if (b === 0 || c - a + 1 !== b) throw new Error(`layoutprobe: bit-field '${name}' of '${types[t].cname}' set bits ${a}..${c} (${b} set)`);
      rec.fields[f] = { name, offset: Math.floor(a / 8), bitshift: a % 8, bitsize: b };
    } else {
      throw new Error(`layoutprobe: unexpected probe output line ${JSON.stringify(line)}`);
    }
  }
  return records;
}

/** The layouts the system C compiler gives `types` (built with `define`), in one compile. */
export function layoutsFromCompiler(types: readonly StructType[], options: ProbeOptions = {}): LayoutRecord[] {
  return parseOutput(compileAndRun(probeSource(types, options)), types);
}

/** The C definition of `t` itself (nested types appear by their `Tn` tags), for failure messages. */
export function describeInC(t: StructType, options: ProbeOptions = {}): string {
  const emitter = new Emitter(options.packedAs ?? 'attribute');
  emitter.definition(t, true, ';');
  return [`/* ${t.cname} */`, ...emitter.lines].join('\n');
}

/** One type whose model layout differs from the compiler's. */
export interface Mismatch {
  readonly type: StructType;
  readonly model: LayoutRecord;
  readonly compiler: LayoutRecord;
}

/** Compares the model with the compiler for every type; returns the types that differ. */
export function layoutMismatches(types: readonly StructType[], options: ProbeOptions = {}): Mismatch[] {
  const compiled = layoutsFromCompiler(types, options);
  const out: Mismatch[] = [];
  types.forEach((type, i) => {
    const model = modelLayout(type);
    if (JSON.stringify(model) !== JSON.stringify(compiled[i])) out.push({ type, model, compiler: compiled[i] });
  });
  return out;
}

/** A readable report of mismatches (the first `limit`), each with its C declaration; `context` heads it (e.g. a seed). */
export function reportMismatches(mismatches: readonly Mismatch[], context: string, options: ProbeOptions = {}, limit = 5): string {
  const shown = mismatches.slice(0, limit).map(
    (m) =>
      `${describeInC(m.type, options)}\n  model:    ${JSON.stringify(m.model)}\n  compiler: ${JSON.stringify(m.compiler)}`,
  );
  return [`${context}: ${mismatches.length} type(s) laid out unlike the C compiler`, ...shown].join('\n\n');
}

/** Throws, with a report, unless the model and the compiler agree on every type. */
export function expectCompilerLayout(types: readonly StructType[], context: string, options: ProbeOptions = {}): void {
  const mismatches = layoutMismatches(types, options);
  if (mismatches.length) throw new Error(reportMismatches(mismatches, context, options));
}
