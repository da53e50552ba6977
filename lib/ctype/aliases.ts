// Member aliases: names a header's macros give members of members (signal.h's `sa_handler`) or members (dirent.h's `d_fileno`), resolved to fields at their offsets.
import { CField, CType, StructType } from './model';

/**
 * A field of `t` by name, or the member an alias of `t` names, as a field of `t`: the member's
 * type and bits at its offset from the start of `t`. undefined for neither.
 */
export function memberOf(t: StructType, name: string): CField | undefined {
  return t.fieldMap.get(name) ?? (t.aliases === null ? undefined : memberAt(t, name, t.aliases.get(name)));
}

/**
 * Gives each struct and union of `types` the aliases whose path leads to a member of it, where
 * no field has the alias's name (C's macro would rewrite any use of the name; a field so named
 * would not compile). Returns how many aliases it gave.
 */
export function addAliases(types: Iterable<CType>, aliases: Readonly<Record<string, readonly string[]>>): number {
  const entries = Object.entries(aliases);
  let given = 0;
  if (entries.length === 0) return given;
  for (const t of types) {
    if ((t.kind !== 'struct' && t.kind !== 'union') || t.fields === null) continue;
    for (const [name, path] of entries) {
      if (t.fieldMap.has(name) || memberAt(t, name, path) === undefined) continue;
      (t.aliases ??= new Map()).set(name, path);
      given++;
    }
  }
  return given;
}

/** Whether `path` (field names, from one struct or union into the next) leads to a member of some struct or union of `types`. */
export function leadsToMember(types: Iterable<CType>, path: readonly string[]): boolean {
  for (const t of types) if ((t.kind === 'struct' || t.kind === 'union') && t.fields !== null && memberAt(t, '', path) !== undefined) return true;
  return false;
}

/** The member at `path` of `t` (field names, from one struct or union into the next) as a field of `t` named `name`. */
function memberAt(t: StructType, name: string, path: readonly string[] | undefined): CField | undefined {
  if (path === undefined || path.length === 0) return undefined;
  let at: CType = t;
  let offset = 0;
  let f: CField | undefined;
  for (let i = 0; i < path.length; i++) {
    if (at.kind !== 'struct' && at.kind !== 'union') return undefined;
    f = at.fieldMap.get(path[i]);
    if (f === undefined || (f.bitsize >= 0 && i < path.length - 1)) return undefined;
    offset += f.offset;
    at = f.type;
  }
  const leaf = f as CField;
  // Positional initialisers never reach it: it names a member, it is not one more.
  return { name, type: leaf.type, offset, bitshift: leaf.bitshift, bitsize: leaf.bitsize, quals: leaf.quals, flags: 1 };
}
