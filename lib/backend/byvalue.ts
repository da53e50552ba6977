// Which structs and unions koffi passes by value as C does, and why the others not.
import { CType, StructType } from '../ctype/model';

/**
 * Why koffi cannot pass the struct or union `t` by value as C does, or null when it can: its own
 * records have no unions, bit-fields or empty arrays, and classify a struct for the calling
 * convention by its members alone, so a packed struct with misaligned members (which x86-64 passes
 * in memory) or a struct whose cdef leaves members out ('...;') would travel in the wrong registers.
 */
export function byValueRefusal(t: StructType): string | null {
  if (t.kind === 'union') return 'it is a union';
  if (t.partial) return "it is declared with '...;', and the members the cdef leaves out decide how C passes it";
  const fields = t.fields ?? [];
  let end = 0;
  for (const f of fields) {
    // koffi takes a record's members from a JavaScript object, where '__proto__' names the prototype.
    if (f.name === '__proto__') return "it has a member named '__proto__', which koffi's records cannot hold";
    if (f.bitsize >= 0) return 'it has bit-fields';
    if (f.offset < end) return 'it holds an anonymous union (members sharing their bytes)';
    if (f.type.kind === 'array' && (f.type.length === null || f.type.length === 0)) {
      return `it has a zero-length or flexible array member ('${f.name}')`;
    }
    if (f.offset % Math.max(1, naturalAlign(f.type)) !== 0) return `it is packed: member '${f.name}' is not at its natural alignment`;
    if (f.type.kind === 'struct' || f.type.kind === 'union') {
      const inner = byValueRefusal(f.type);
      if (inner !== null) return `its member '${f.name}' is a '${f.type.cname}', and ${inner.replace(/^it /, 'that ')}`;
    }
    end = f.offset + Math.max(0, f.type.size);
  }
  return null;
}

/** The alignment C gives `t` outside a packed struct (the items' for arrays). */
function naturalAlign(t: CType): number {
  if (t.kind === 'array') return naturalAlign(t.item);
  if (t.kind === 'struct' || t.kind === 'union') return Math.max(1, ...(t.fields ?? []).map((f) => naturalAlign(f.type)));
  return t.align;
}
