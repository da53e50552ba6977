// How the glue spells cdef types in C: anonymous structs through the typedef names that reach them, char16_t and char32_t without <uchar.h>.
import { CType, EnumType, PointerType, Q_CONST, Q_RESTRICT, Q_VOLATILE, StructType, pendingLayout } from '../ctype/model';
import type { Decl } from '../ctype/registry';

/** The glue's own names for char16_t and char32_t (typedefs in the glue, so that a source may define its own). */
export const CHAR_TYPES: ReadonlyMap<string, string> = new Map([
  ['char16_t', '_ncffi_char16_t'],
  ['char32_t', '_ncffi_char32_t'],
]);

/** A struct, union or enum the glue cannot name: anonymous, and no typedef names it or a pointer to it. */
export class Unnamable extends Error {
  constructor(readonly type: StructType | EnumType) {
    super(`the anonymous ${type.kind} '${type.cname}' has no name in C`);
  }
}

type Tagged = StructType | EnumType;

const isAnonymous = (t: Tagged): boolean => !t.namedByTypedef && t.name.startsWith('$');

/**
 * Spells types for the C compiler. cdef spells an anonymous struct `struct $1`, which C has no
 * word for; the glue names it by the typedef that names it, or, when a typedef names only a
 * pointer to it (`typedef struct { int x; } *foo_p;`), spells that pointer `foo_p` and the struct
 * itself `__typeof__(*(foo_p)0)`. One that nothing names throws `Unnamable`.
 */
export class Speller {
  /** Typedef names of anonymous types (`typedef struct {...} a, b;` names one type twice: the first wins). */
  private readonly names = new Map<Tagged, string>();
  /** Typedef names of pointers to anonymous types. */
  private readonly pointers = new Map<PointerType, string>();
  /** The C names of CHAR_TYPES spelled so far by their glue names ('char16_t'), whose typedefs the glue needs. */
  readonly charTypes = new Set<string>();
  /** What marker() gave for each type (types do not change while one glue is generated). */
  private readonly markers = new Map<CType, string>();

  constructor(decls: readonly Decl[]) {
    for (const d of decls) {
      if (d.kind !== 'typedef') continue;
      const t = d.type;
      if ((t.kind === 'struct' || t.kind === 'union' || t.kind === 'enum') && isAnonymous(t) && !this.names.has(t)) {
        this.names.set(t, d.name);
      } else if (t.kind === 'pointer' && d.quals === 0) {
        const item = t.item;
        if ((item.kind === 'struct' || item.kind === 'union' || item.kind === 'enum') && isAnonymous(item) && !this.pointers.has(t)) {
          this.pointers.set(t, d.name);
        }
      }
    }
  }

  /**
   * A declaration of `name` (a declarator such as 'x' or '*tmp', or '' for the type name alone) of
   * type `t` qualified by `quals`: 'int (*cb)(int)', 'foo_p p', 'const int (*tmp)[3]'.
   */
  declare(t: CType, name: string, quals = 0): string {
    const marker = this.qualified(t, quals);
    const inner = name.startsWith('*') && marker.includes('&[') ? `(${name})` : name;
    return marker.replace('&', inner === '' ? '' : ` ${inner}`).replace(/ {2,}/g, ' ').trim();
  }

  /** The type name alone: 'struct foo_s *', '__typeof__(*(foo_p)0)'. */
  name(t: CType): string {
    return this.declare(t, '');
  }

  /** Whether every struct, union and enum in `t` has a name the glue can write. */
  canName(t: CType): boolean {
    try {
      this.marker(t);
      return true;
    } catch (e) {
      if (e instanceof Unnamable) return false;
      throw e;
    }
  }

  /** As the model's `marker`, with the glue's names: the C spelling with '&' where the declarator goes (once per type: a header spells the same few types thousands of times). */
  private marker(t: CType): string {
    let m = this.markers.get(t);
    if (m === undefined) this.markers.set(t, (m = this.spelled(t)));
    return m;
  }

  private spelled(t: CType): string {
    switch (t.kind) {
      case 'primitive': {
        const own = CHAR_TYPES.get(t.name);
        if (own === undefined) return `${t.name}&`;
        this.charTypes.add(t.name);
        return `${own}&`;
      }
      case 'void':
        return 'void&';
      case 'pointer': {
        const named = this.pointers.get(t);
        if (named !== undefined) return `${named}&`;
        const inner = this.qualified(t.item, t.quals);
        if (t.item.kind === 'array' || t.item.kind === 'function') return inner.replace('&', '(*&)');
        const at = inner.indexOf('&');
        return inner.slice(0, at) + (inner[at - 1] === '*' ? '*&' : ' *&') + inner.slice(at + 1);
      }
      case 'array':
        return this.marker(t.item).replace('&', `&[${t.length ?? ''}]`);
      case 'function': {
        const parts = t.args.map((a) => this.name(a));
        if (t.ellipsis) parts.push('...');
        return this.marker(t.result).replace('&', `&(${parts.length ? parts.join(', ') : 'void'})`);
      }
      case 'struct':
      case 'union':
      case 'enum': {
        if (!isAnonymous(t)) return t.marker;
        const named = this.names.get(t);
        if (named !== undefined) return `${named}&`;
        for (const [p, n] of this.pointers) if (p.item === t) return `__typeof__(*(${n})0)&`;
        throw new Unnamable(t);
      }
    }
  }

  private qualified(t: CType, quals: number): string {
    if (quals === 0) return this.marker(t);
    const words = [quals & Q_CONST ? 'const' : '', quals & Q_VOLATILE ? 'volatile' : '', quals & Q_RESTRICT ? 'restrict' : '']
      .filter(Boolean)
      .join(' ');
    if (!words) return this.marker(t);
    if (t.kind === 'pointer') return this.marker(t).replace('&', `${words}&`);
    if (t.kind === 'array') return this.qualified(t.item, quals).replace('&', `&[${t.length ?? ''}]`);
    return `${words} ${this.marker(t)}`;
  }
}

/** The structs and unions the glue checks and probes, each once, with the declaration that names it. */
export function checkedStructs(decls: readonly Decl[], spell: Speller): { type: StructType; decl: Decl }[] {
  const seen = new Set<StructType>();
  const out: { type: StructType; decl: Decl }[] = [];
  for (const d of decls) {
    if (d.kind !== 'tag' && d.kind !== 'typedef') continue;
    // A typedef of a pointer names an anonymous struct only through that pointer (`typedef struct {...} *foo_p;`).
    const item = d.type.kind === 'pointer' ? d.type.item : null;
    const t = item && (item.kind === 'struct' || item.kind === 'union') && isAnonymous(item) ? item : d.type;
    if ((t.kind !== 'struct' && t.kind !== 'union') || seen.has(t)) continue;
    if (!(t.complete || pendingLayout(t)) || !spell.canName(t)) continue;
    seen.add(t);
    out.push({ type: t, decl: d });
  }
  return out;
}
