// Why a type has no size where one is needed: the one sentence for it, and the check that throws it.
import { FFIError } from '../errors';
import { CType, FILE_TYPE, pendingLayout, pendingReason } from './model';

/**
 * Why `t` has no size, naming it, as the end of a sentence: "'void' has no size", "'struct s' is
 * declared but never defined (opaque)", or why its layout waits for verify().
 */
export function whyNoSize(t: CType): string {
  const pending = pendingLayout(t);
  if (pending) return pendingReason(pending);
  if (t.size === 0) return `'${t.cname}' has size 0`;
  switch (t.kind) {
    case 'function':
      return `'${t.cname}' is a function type, which has no size`;
    case 'array':
      if (t.length !== null) return `'${t.cname}' holds items of type '${t.item.cname}', and ${whyNoSize(t.item)}`;
      return `'${t.cname}' is an array of unknown length, which has no size`;
    case 'struct':
    case 'union':
      if (t === FILE_TYPE) return "'FILE' is the C library's opaque stream type; use 'FILE *'";
      if (t.waiting !== null) {
        const { member, on } = t.waiting;
        return `'${t.cname}' is not laid out: its member '${member.name}' is of type '${member.type.cname}', and ${whyNoSize(on)}`;
      }
      return t.namedByTypedef && t.members === null
        ? `'${t.cname}' is opaque ('typedef ... ${t.name};'); use pointers to it`
        : `'${t.cname}' is declared but never defined (opaque)`;
    default:
      return `'${t.cname}' has no size`;
  }
}

/** The one error for a type without a size where one is needed: an FFIError "<where>: <why>[; <what to do>]". */
export function noSizeError(where: string, t: CType, todo?: string): FFIError {
  return new FFIError(`${where}: ${whyNoSize(t)}${todo ? `; ${todo}` : ''}`);
}

/**
 * The size of `t`, or the FFIError saying why it has none. With `positive` (allocating it, or
 * stepping over items of it), a size of 0 is refused too.
 */
export function requireSize(t: CType, where: string, positive = false): number {
  const size = t.size;
  if (size > 0 || (size === 0 && !positive)) return size;
  throw noSizeError(where, t);
}
