// The C appended to the user's source for verify(): a wrapper per cdef function, checks of prototypes, and the probe table.
import * as path from 'path';
import { VerificationError } from '../errors';
import { CType, FunctionType, VOID, functionType, pointerTo } from '../ctype/model';
import type { Decl } from '../ctype/registry';
import { Probe, probeRows } from './probes';

/** The file name the appended code reports in compiler diagnostics. */
export const GLUE_FILE = 'node-cffi-glue.c';

/**
 * How one cdef function is reached in the compiled library: through `symbol`, whose C type is
 * `lowered` when it differs from the declared one. Lowering passes structs and unions by pointer:
 * a by-value argument becomes a pointer to it, and a by-value result a leading pointer the
 * wrapper stores it through (koffi's own by-value path is several times slower).
 */
export interface Binding {
  readonly symbol: string;
  readonly lowered: FunctionType | null;
}

export interface Glue {
  /** The whole translation unit: the user's source, then the glue, with #line directives. */
  readonly unit: string;
  /** How to bind each cdef function (its wrapper, or itself when variadic). */
  readonly functions: ReadonlyMap<string, Binding>;
  /** For each cdef global, the exported function returning its address (typed: the compiler checks it). */
  readonly globals: ReadonlyMap<string, string>;
  /** The symbol of the probe table function, and what each of its 64-bit slots holds (two per probe). */
  readonly probeSymbol: string;
  readonly probes: readonly Probe[];
  /** The line of the glue file that redeclares each cdef function, so that the compiler compares it with the source's. */
  readonly prototypeLines: ReadonlyMap<number, Decl & { kind: 'function' }>;
}

const PREFIX = '_ncffi_';

/** A C declaration of `name` with type `t` ('int (*cb)(int)' for function pointers). */
export function declarator(t: CType, name: string): string {
  return t.marker.replace('&', ` ${name}`).replace(/ {2,}/g, ' ').trim();
}

/** Headers the glue needs for the standard type names it spells. */
function headersFor(decls: readonly Decl[]): string[] {
  const text = decls.map((d) => (d.kind === 'function' || d.kind === 'variable' ? d.type.cname : '')).join(' ');
  const headers = ['stddef.h']; // offsetof, size_t, ptrdiff_t, wchar_t
  if (/\b(u?int(_least|_fast)?\d+_t|u?intptr_t|u?intmax_t)\b/.test(text)) headers.push('stdint.h');
  if (/\bssize_t\b/.test(text)) headers.push('sys/types.h');
  if (/\bchar(16|32)_t\b/.test(text)) headers.push('uchar.h');
  return headers;
}

/** A C string literal's contents for a file name in #line. */
const quoteFile = (name: string): string => name.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

const byValue = (t: CType): boolean => t.kind === 'struct' || t.kind === 'union';

/** The wrapper's C type when structs travel by pointer; null when nothing needs lowering. */
export function lowerStructs(t: FunctionType): FunctionType | null {
  if (!byValue(t.result) && !t.args.some(byValue)) return null;
  const args = t.args.map((a) => (byValue(a) ? pointerTo(a) : a));
  return byValue(t.result) ? functionType([pointerTo(t.result), ...args], VOID, false) : functionType(args, t.result, false);
}

function wrapper(name: string, t: FunctionType, lowered: FunctionType | null, pos: { line: number; column: number }): string {
  const sig = lowered ?? t;
  const params = sig.args.map((a, i) => declarator(a, `a${i}`));
  const shift = lowered && byValue(t.result) ? 1 : 0; // a lowered struct result is the first parameter
  const call = `${name}(${t.args.map((a, i) => (byValue(a) ? `*a${i + shift}` : `a${i + shift}`)).join(', ')})`;
  const head = declarator(sig.result, `${PREFIX}f_${name}(${params.length ? params.join(', ') : 'void'})`);
  const body = shift ? `{ *a0 = ${call}; }` : t.result.kind === 'void' ? `{ ${call}; }` : `{ return ${call}; }`;
  return `/* cdef ${pos.line}:${pos.column}: function '${name}' */\n${head} ${body}`;
}

/**
 * An accessor returning the address of global `name`, typed so that the compiler checks the cdef's
 * type, qualifiers included (`const int a[5]` is returned as a `const int (*)[5]`).
 */
function accessor(name: string, t: CType, quals: number, pos: { line: number; column: number }): string {
  const head = declarator(pointerTo(t, quals), `${PREFIX}g_${name}(void)`);
  return `/* cdef ${pos.line}:${pos.column}: global '${name}' */\n${head} { return &${name}; }`;
}

/** Text made safe to stand inside a C comment (no early end). */
const commentText = (text: string): string => text.replace(/\*\//g, '* /');

/**
 * Builds the translation unit for verify(): the user's source as `sourceName`, then the glue.
 * The glue has a wrapper (exported, named `_ncffi_f_<name>`) calling each cdef function, so that
 * macros and static inline functions become callable; then the cdef's prototype of each function
 * that is not a macro, which the compiler refuses when the source defines the function with other
 * types ("conflicting types", with a note pointing at the source's line); then the probe table,
 * filled when the loader first asks, so that the values need not be constant expressions.
 */
export function generateGlue(decls: readonly Decl[], source: string, sourceName: string): Glue {
  const functions = new Map<string, Binding>();
  const globals = new Map<string, string>();
  const wrappers: string[] = [];
  const prototypes: (Decl & { kind: 'function' })[] = [];

  for (const d of decls) {
    switch (d.kind) {
      case 'function':
        prototypes.push(d);
        if (d.type.ellipsis) {
          functions.set(d.name, { symbol: d.name, lowered: null }); // a wrapper cannot forward '...'
        } else {
          const lowered = lowerStructs(d.type);
          functions.set(d.name, { symbol: `${PREFIX}f_${d.name}`, lowered });
          wrappers.push(wrapper(d.name, d.type, lowered, d.pos));
        }
        break;
      case 'variable':
        globals.set(d.name, `${PREFIX}g_${d.name}`);
        wrappers.push(accessor(d.name, d.type, d.quals, d.pos));
        break;
      case 'constant':
      case 'tag':
      case 'typedef':
        break;
    }
  }

  const lines: string[] = [
    `#line 1 "${GLUE_FILE}"`,
    '#if defined(__GNUC__) || defined(__clang__)',
    '#pragma GCC diagnostic error "-Wimplicit-function-declaration"',
    '#pragma GCC diagnostic error "-Wincompatible-pointer-types"',
    '#endif',
    ...headersFor(decls).map((h) => `#include <${h}>`),
    ...wrappers.join('\n').split('\n').filter((l) => l !== ''),
  ];
  // Line numbers of the glue file: the first line after '#line 1' is line 1.
  const prototypeLines = new Map<number, Decl & { kind: 'function' }>();
  for (const d of prototypes) {
    lines.push(`#ifndef ${d.name}`);
    prototypeLines.set(lines.length, d);
    lines.push(`${declarator(d.type, d.name)}; /* cdef ${d.pos.line}:${d.pos.column} */`, '#endif');
  }
  const rows = probeRows(decls);
  const probeSymbol = `${PREFIX}probes`;
  lines.push(
    `const unsigned long long *${probeSymbol}(void) {`,
    `  static unsigned long long ${PREFIX}t[${2 * rows.length + 2}];`,
    ...rows.map((r, i) => `  ${PREFIX}t[${2 * i}] = ${r.values[0]}; ${PREFIX}t[${2 * i + 1}] = ${r.values[1]}; /* ${commentText(r.about)} */`),
    `  return ${PREFIX}t;`,
    '}',
    '',
  );
  // The build writes the unit under the source's base name: a plain name needs no #line (with one,
  // the compiler would quote the unit's lines, one off, under the source's line numbers).
  const head = /[\\/]/.test(sourceName) ? `#line 1 "${quoteFile(sourceName)}"\n` : '';
  const unit = `${head}${source}\n${lines.join('\n')}`;
  return { unit, functions, globals, probeSymbol, probes: rows.map((r) => r.probe), prototypeLines };
}

const ERROR_LINE = /^(.*?):(\d+):(?:\d+:)? (?:fatal )?error: /;
const NOTE_LINE = /^(.*?):(\d+):(?:\d+:)? note: (.*)$/;

/**
 * When the compiler refused a cdef prototype of the glue ("conflicting types for 'add'"), the
 * VerificationError starts with a line per function naming it and the source line that defines
 * it, as the compiler's note says ("cdef declares 'int add(int, int)' but source.c:1 defines it
 * differently (as 'double(double, double)')"); the compiler's diagnostics follow unchanged.
 */
export function explainPrototypes(e: unknown, glue: Glue): unknown {
  if (!(e instanceof VerificationError) || !e.diagnostics) return e;
  const lines = e.diagnostics.split('\n');
  const found: string[] = [];
  lines.forEach((line, i) => {
    const m = ERROR_LINE.exec(line);
    const d = m && path.basename(m[1]) === GLUE_FILE ? glue.prototypeLines.get(Number(m[2])) : undefined;
    if (!d) return;
    let where = '';
    let as = '';
    for (const next of lines.slice(i + 1)) {
      if (ERROR_LINE.test(next)) break;
      const note = NOTE_LINE.exec(next);
      if (!note || path.basename(note[1]) === GLUE_FILE) continue;
      const verb = /declaration/.test(note[3]) ? 'declares' : 'defines';
      where = `${note[1]}:${note[2]} ${verb} it differently`;
      const type = /with type ['‘](.*)['’]\s*$/.exec(note[3]);
      if (type) as = ` (as '${type[1].replace(/\s+/g, ' ').replace(/,\s*/g, ', ')}')`;
      break;
    }
    const line0 = `${d.name}(): cdef declares '${declarator(d.type, d.name)}' but ${where || 'the source declares it differently'}${as}`;
    if (!found.includes(line0)) found.push(line0);
  });
  if (!found.length) return e;
  const advice = 'make the cdef prototype match the source (the same C types, not only the same sizes)';
  return new VerificationError(`${found.join('\n')}; ${advice}\n${e.message}`, e.diagnostics);
}
