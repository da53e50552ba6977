// The C appended to the user's source for verify(): a wrapper per cdef function and probes of layouts and constants.
import { CType, FunctionType, StructType, VOID, functionType, pointerTo } from '../ctype/model';
import type { Decl } from '../ctype/registry';

/** The file name the appended code reports in compiler diagnostics. */
export const GLUE_FILE = 'node-cffi-glue.c';

/** One value the compiled library reports about the declarations, in table order. */
export type Probe =
  | { readonly kind: 'size' | 'align'; readonly type: StructType }
  | { readonly kind: 'offset'; readonly type: StructType; readonly field: string }
  | { readonly kind: 'constant'; readonly decl: Decl & { kind: 'constant' } };

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

/** An accessor returning the address of global `name`, typed so that the compiler checks the cdef's type. */
function accessor(name: string, t: CType, pos: { line: number; column: number }): string {
  const head = declarator(pointerTo(t), `${PREFIX}g_${name}(void)`);
  return `/* cdef ${pos.line}:${pos.column}: global '${name}' */\n${head} { return &${name}; }`;
}

/** C names a struct can be probed under: tagged or typedef-named, not anonymous members. */
const probeable = (t: StructType): boolean => t.complete && !t.name.startsWith('$');

/**
 * Builds the translation unit for verify(): the user's source as `sourceName`, then wrappers
 * (exported, named `_ncffi_f_<name>`) calling each cdef function, so that macros and static
 * inline functions become callable, and a table of probes the loader compares with the cdef.
 */
export function generateGlue(decls: readonly Decl[], source: string, sourceName: string): Glue {
  const functions = new Map<string, Binding>();
  const globals = new Map<string, string>();
  const probes: Probe[] = [];
  const parts: string[] = [];
  const rows: string[] = [];

  for (const d of decls) {
    switch (d.kind) {
      case 'function':
        if (d.type.ellipsis) {
          functions.set(d.name, { symbol: d.name, lowered: null }); // a wrapper cannot forward '...'
        } else {
          const lowered = lowerStructs(d.type);
          functions.set(d.name, { symbol: `${PREFIX}f_${d.name}`, lowered });
          parts.push(wrapper(d.name, d.type, lowered, d.pos));
        }
        break;
      case 'variable':
        globals.set(d.name, `${PREFIX}g_${d.name}`);
        parts.push(accessor(d.name, d.type, d.pos));
        break;
      case 'tag':
      case 'typedef': {
        // Tagged structs and unions, and anonymous ones named by their (first) typedef.
        const t = d.type;
        if (t.kind !== 'struct' && t.kind !== 'union') break;
        if (d.kind === 'typedef' ? !(t.namedByTypedef && t.name === d.name) : t.namedByTypedef) break;
        if (!probeable(t)) break;
        const c = t.cname;
        probes.push({ kind: 'size', type: t }, { kind: 'align', type: t });
        rows.push(`/* ${c} */ sizeof(${c}), 0`, `_Alignof(${c}), 0`);
        for (const f of t.fields ?? []) {
          if (f.bitsize >= 0 || f.name === '') continue;
          probes.push({ kind: 'offset', type: t, field: f.name });
          rows.push(`offsetof(${c}, ${f.name}), 0`);
        }
        break;
      }
      case 'constant':
        if (d.type.kind === 'primitive' && (d.type.repr === 'f32' || d.type.repr === 'f64' || d.type.repr === 'f80')) break;
        probes.push({ kind: 'constant', decl: d });
        rows.push(`/* ${d.name} */ (unsigned long long)(${d.name}), ((${d.name}) < 0)`);
        break;
    }
  }

  const probeSymbol = `${PREFIX}probes`;
  const glue = [
    `#line 1 "${GLUE_FILE}"`,
    '#if defined(__GNUC__) || defined(__clang__)',
    '#pragma GCC diagnostic error "-Wimplicit-function-declaration"',
    '#pragma GCC diagnostic error "-Wincompatible-pointer-types"',
    '#endif',
    ...headersFor(decls).map((h) => `#include <${h}>`),
    ...parts,
    `static const unsigned long long ${PREFIX}probe_table[] = {\n  ${[...rows, '0, 0'].join(',\n  ')}\n};`,
    `const unsigned long long *${probeSymbol}(void) { return ${PREFIX}probe_table; }`,
    '',
  ].join('\n');
  const unit = `#line 1 "${quoteFile(sourceName)}"\n${source}\n${glue}`;
  return { unit, functions, globals, probeSymbol, probes };
}
