// The C appended to the user's source for verify(): a wrapper per cdef function and probes of layouts and constants.
import { CType, FunctionType, StructType } from '../ctype/model';
import type { Decl } from '../ctype/registry';

/** The file name the appended code reports in compiler diagnostics. */
export const GLUE_FILE = 'node-cffi-glue.c';

/** One value the compiled library reports about the declarations, in table order. */
export type Probe =
  | { readonly kind: 'size' | 'align'; readonly type: StructType }
  | { readonly kind: 'offset'; readonly type: StructType; readonly field: string }
  | { readonly kind: 'constant'; readonly decl: Decl & { kind: 'constant' } };

export interface Glue {
  /** The whole translation unit: the user's source, then the glue, with #line directives. */
  readonly unit: string;
  /** The exported symbol to bind for each cdef function (its wrapper, or itself when variadic). */
  readonly symbols: ReadonlyMap<string, string>;
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
  const text = decls.map((d) => (d.kind === 'function' ? d.type.cname : '')).join(' ');
  const headers = ['stddef.h']; // offsetof, size_t, ptrdiff_t, wchar_t
  if (/\b(u?int(_least|_fast)?\d+_t|u?intptr_t|u?intmax_t)\b/.test(text)) headers.push('stdint.h');
  if (/\bssize_t\b/.test(text)) headers.push('sys/types.h');
  if (/\bchar(16|32)_t\b/.test(text)) headers.push('uchar.h');
  return headers;
}

/** A C string literal's contents for a file name in #line. */
const quoteFile = (name: string): string => name.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

function wrapper(name: string, t: FunctionType, pos: { line: number; column: number }): string {
  const params = t.args.map((a, i) => declarator(a, `a${i}`));
  const call = `${name}(${t.args.map((_, i) => `a${i}`).join(', ')})`;
  const head = declarator(t.result, `${PREFIX}f_${name}(${params.length ? params.join(', ') : 'void'})`);
  const body = t.result.kind === 'void' ? `{ ${call}; }` : `{ return ${call}; }`;
  return `/* cdef ${pos.line}:${pos.column}: function '${name}' */\n${head} ${body}`;
}

/** C names a struct can be probed under: tagged or typedef-named, not anonymous members. */
const probeable = (t: StructType): boolean => t.complete && !t.name.startsWith('$');

/**
 * Builds the translation unit for verify(): the user's source as `sourceName`, then wrappers
 * (exported, named `_ncffi_f_<name>`) calling each cdef function, so that macros and static
 * inline functions become callable, and a table of probes the loader compares with the cdef.
 */
export function generateGlue(decls: readonly Decl[], source: string, sourceName: string): Glue {
  const symbols = new Map<string, string>();
  const probes: Probe[] = [];
  const parts: string[] = [];
  const rows: string[] = [];

  for (const d of decls) {
    switch (d.kind) {
      case 'function':
        if (d.type.ellipsis) {
          symbols.set(d.name, d.name); // a wrapper cannot forward '...': bind the function itself
        } else {
          symbols.set(d.name, `${PREFIX}f_${d.name}`);
          parts.push(wrapper(d.name, d.type, d.pos));
        }
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
      case 'variable':
        break;
    }
  }

  const probeSymbol = `${PREFIX}probes`;
  const glue = [
    `#line 1 "${GLUE_FILE}"`,
    '#if defined(__GNUC__) || defined(__clang__)',
    '#pragma GCC diagnostic error "-Wimplicit-function-declaration"',
    '#endif',
    ...headersFor(decls).map((h) => `#include <${h}>`),
    ...parts,
    `static const unsigned long long ${PREFIX}probe_table[] = {\n  ${[...rows, '0, 0'].join(',\n  ')}\n};`,
    `const unsigned long long *${probeSymbol}(void) { return ${PREFIX}probe_table; }`,
    '',
  ].join('\n');
  const unit = `#line 1 "${quoteFile(sourceName)}"\n${source}\n${glue}`;
  return { unit, symbols, probeSymbol, probes };
}
