// The glue's field type checks: a function per struct that the compiler checks and never runs, each line saying which field it is about.
import { CType, StructType } from '../ctype/model';
import { isIntegralRepr } from '../ctype/primitives';
import type { Decl, SourcePos } from '../ctype/registry';
import { Speller, checkedStructs } from './spell';

/** Text made safe to stand inside a C comment (no early end). */
export const commentText = (text: string): string => text.replace(/\*\//g, '* /');

/** A line of the checks, and what it is about: the struct (field '') or one of its fields, where the cdef declares it; nothing for a line of no diagnostic. */
export interface CheckLine {
  readonly text: string;
  readonly about?: { readonly type: StructType; readonly field: string; readonly pos: SourcePos };
}

/** Integer types, which a field check accepts whatever their size and sign (as CFFI's does); chars are checked exactly. */
function isIntegerField(t: CType): boolean {
  if (t.kind !== 'primitive') return false;
  if (t.deferred !== null) return t.deferred === 'int';
  return isIntegralRepr(t.repr) && !CHAR_LIKE.has(t.name);
}
const CHAR_LIKE = new Set(['char', 'wchar_t', 'char16_t', 'char32_t']);

interface FieldToCheck {
  readonly name: string;
  readonly type: CType;
  readonly quals: number;
  readonly bitsize: number;
  readonly pos: SourcePos | null;
}

/** The named fields of a struct or union, anonymous members flattened, as the cdef declares them. */
function fieldsOf(t: StructType): FieldToCheck[] {
  if (t.fields) return t.fields.map((f) => ({ name: f.name, type: f.type, quals: f.quals, bitsize: f.bitsize, pos: null }));
  const out: FieldToCheck[] = [];
  for (const m of t.members ?? []) {
    if (m.name === '' && (m.type.kind === 'struct' || m.type.kind === 'union')) for (const f of fieldsOf(m.type)) out.push(f);
    else out.push({ name: m.name, type: m.type, quals: m.quals, bitsize: m.bitsize, pos: m.pos });
  }
  return out;
}

/**
 * A function per struct that the compiler checks and never runs (as CFFI's): an integer field
 * must be an integer (`(p->x) | 0`), any other field must have the very type the cdef declares
 * (`T *tmp = &p->x`), so that `int *` against `long *`, or `float` against `int`, fails even
 * where sizes and offsets agree.
 */
export function fieldChecks(decls: readonly Decl[], spell: Speller): CheckLine[] {
  const out: CheckLine[] = [];
  checkedStructs(decls, spell).forEach(({ type: t, decl }, n) => {
    const add = (text: string, about?: { field: string; pos: SourcePos | null }): void => {
      out.push(about ? { text, about: { type: t, field: about.field, pos: about.pos ?? decl.pos } } : { text });
    };
    add(`_NCFFI_UNUSED static void _ncffi_check_${n}(${spell.declare(t, '*p')}) { /* cdef ${decl.pos.line}:${decl.pos.column}: ${commentText(t.cname)} */`, { field: '', pos: null });
    add('  (void)p;');
    for (const f of fieldsOf(t)) {
      if (f.name === '') continue;
      if (isIntegerField(f.type) || f.bitsize >= 0) {
        add(`  (void)((p->${f.name}) | 0);`, { field: f.name, pos: f.pos });
        continue;
      }
      let type = f.type;
      let access = `p->${f.name}`;
      // '[]' and '[...]' match any length: compare the items.
      while (type.kind === 'array' && type.length === null) {
        type = type.item;
        access += '[0]';
      }
      if (!spell.canName(type)) {
        add(`  /* field '${f.name}': its type '${commentText(type.cname)}' has no name in C, so it is not checked */`);
        continue;
      }
      add(`  { ${spell.declare(type, '*tmp', f.quals)} = &${access}; (void)tmp; }`, { field: f.name, pos: f.pos });
    }
    add('}');
  });
  return out;
}
