// Object-like macros expanded as the preprocessor would at the end of the source, down to text cdef can evaluate.
import { MacroDef, pieceKind, preprocessedPieces } from '../cparser/preprocessed';

/**
 * An object-like macro's body with the object-like macros in it replaced, or why it cannot be: it
 * has no value, or it uses a function-like macro (which is not expanded here).
 */
export function expandMacro(m: MacroDef, macros: ReadonlyMap<string, MacroDef>): string | { error: string } {
  if (m.body === '') return { error: 'it has no value; only macros with an integer value are declared' };
  const expand = (body: string, active: ReadonlySet<string>): string => {
    const pieces = preprocessedPieces(body);
    let out = '';
    pieces.forEach((p, i) => {
      const def = pieceKind(p) === 'ident' ? macros.get(p) : undefined;
      if (!def || active.has(p)) {
        out += p;
        return;
      }
      if (def.params !== null) {
        const next = pieces.slice(i + 1).find((x) => pieceKind(x) !== null);
        if (next === '(') throw new Error(`its value uses the function-like macro '${p}', which is not expanded here`);
        out += p;
        return;
      }
      out += expand(def.body, new Set([...active, p]));
    });
    return out;
  };
  try {
    return expand(m.body, new Set([m.name])).trim();
  } catch (e) {
    return { error: (e as Error).message };
  }
}
