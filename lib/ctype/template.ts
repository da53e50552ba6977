// cdef templates: a text's declarations kept apart from every FFI and copied into a new table (what parsing the text again would give, without the parse), and the process's bounded memo of them by text.
import { CField, CType, EnumType, StructType } from './model';
import { arrayOf, functionType, pointerTo } from './intern';
import { Decl, Registry, keyOf } from './registry';

/**
 * The declarations one cdef text made in an empty table, on types of their own that no FFI holds
 * (so that no verify() settles them and no later cdef completes them). Only declarations whose
 * types need nothing from the compiler are kept this way: a layout, length, integer type or
 * enumerator the compiler gives is completed in place by verify(), which a copy made before it
 * must not miss; such texts are parsed every time.
 */
export class Template {
  /** The table's key of each declaration (see keyOf), made once: a tag's is a new string each time. */
  private readonly keys: readonly string[];

  private constructor(
    private readonly decls: readonly Decl[],
    /** How many anonymous types ('$N') the table had named. */
    private readonly anonymous: number,
  ) {
    this.keys = decls.map(keyOf);
  }

  /** A template of what `registry` holds (filled by one cdef call from empty), or null when some of it waits for the compiler. */
  static of(registry: Registry): Template | null {
    const decls = copyDecls([...registry.values()]);
    return decls === null ? null : new Template(decls, registry.anonymousCount);
  }

  /** Declares a copy of the template in `registry`, which must be empty: new struct, union and enum types, the same names, order and positions. */
  copyInto(registry: Registry): void {
    const decls = copyDecls(this.decls);
    if (decls === null) throw new Error('internal: a cdef template holds a type that waits for the compiler');
    registry.declareFresh(decls, this.keys);
    registry.skipAnonymous(this.anonymous);
  }
}

/** Copies of `decls` on new struct, union and enum types (derived types interned on the copies), or null when one waits for the compiler. */
function copyDecls(decls: readonly Decl[]): Decl[] | null {
  const copies = new Map<CType, CType>();
  const copy = (t: CType): CType | null => {
    switch (t.kind) {
      case 'void':
        return t;
      case 'primitive':
        return t.deferred === null ? t : null; // `typedef int... t;`: its size comes from the compiler
      case 'pointer': {
        const item = copy(t.item);
        return item === null ? null : item === t.item ? t : settled(pointerTo(item, t.quals));
      }
      case 'array': {
        if (t.deferred !== null) return null; // `typedef int t[...];`
        const item = copy(t.item);
        return item === null ? null : item === t.item ? t : settled(arrayOf(item, t.length));
      }
      case 'function': {
        let same = true;
        const args: CType[] = [];
        for (const a of t.args) {
          const c = copy(a);
          if (c === null) return null;
          same &&= c === a;
          args.push(c);
        }
        const result = copy(t.result);
        if (result === null) return null;
        return same && result === t.result ? t : settled(functionType(args, result, t.ellipsis));
      }
      case 'struct':
      case 'union':
        return copies.get(t) ?? copyStruct(t, copies, copy);
      case 'enum':
        return copies.get(t) ?? copyEnum(t, copies);
    }
  };
  const out: Decl[] = [];
  for (const d of decls) {
    if (d.kind === 'variable' && (d.lengthFromCompiler || d.innerLengthsFromCompiler !== undefined)) return null;
    const type = copy(d.type);
    if (type === null) return null;
    out.push(withType(d, type));
  }
  return out;
}

/**
 * `t`, known to wait for nothing from the compiler (see settledPending): a copy leaves out every
 * declaration that could, so that what copies make is settled from the start, not searched again.
 */
function settled<T extends CType>(t: T): T {
  t._settled = true;
  return t;
}

/** `d` with `type` for its type: each kind's fields written out (a spread of declarations of six shapes is several times slower). */
function withType(d: Decl, type: CType): Decl {
  switch (d.kind) {
    case 'function':
      return { kind: d.kind, name: d.name, type: type as typeof d.type, argNames: d.argNames, pos: d.pos };
    case 'extern-callback':
      return { kind: d.kind, name: d.name, type: type as typeof d.type, argNames: d.argNames, language: d.language, exportedToC: d.exportedToC, pos: d.pos };
    case 'variable':
      return d.lengthFromCompiler === undefined
        ? { kind: d.kind, name: d.name, type, quals: d.quals, pos: d.pos }
        : { kind: d.kind, name: d.name, type, quals: d.quals, pos: d.pos, lengthFromCompiler: d.lengthFromCompiler };
    case 'constant':
      return { kind: d.kind, name: d.name, type, value: d.value, origin: d.origin, pos: d.pos };
    case 'typedef':
      return { kind: d.kind, name: d.name, type, quals: d.quals, pos: d.pos };
    case 'tag':
      return { kind: d.kind, name: d.name, type: type as typeof d.type, pos: d.pos };
  }
}

function copyStruct(t: StructType, copies: Map<CType, CType>, copy: (t: CType) => CType | null): StructType | null {
  if (t.partial || t.members !== null || t.waiting !== null) return null; // its layout comes from the compiler, or from a later definition
  const c = settled(new StructType(t.kind, t.name, t.namedByTypedef));
  copies.set(t, c); // before the fields: a field may point back to the struct
  c.cSpelling = t.cSpelling;
  if (t.fields === null) return c; // opaque
  // Fields are never written once laid out: one whose type is the same (a built-in type, a type
  // of no struct) is shared, and so is the array when every field is.
  const fields: CField[] = [];
  let same = true;
  for (const f of t.fields) {
    const type = copy(f.type);
    if (type === null) return null;
    if (type === f.type) fields.push(f);
    else {
      same = false;
      fields.push({ name: f.name, type, offset: f.offset, bitshift: f.bitshift, bitsize: f.bitsize, quals: f.quals, flags: f.flags });
    }
  }
  c.fields = same ? t.fields : fields;
  c.size = t.size;
  c.align = t.align;
  c.pack = t.pack;
  return c;
}

function copyEnum(t: EnumType, copies: Map<CType, CType>): EnumType | null {
  if (t.partial || !t.settled) return null; // its values or integer type come from the compiler
  const c = settled(new EnumType(t.name, t.namedByTypedef));
  // The enumerator tables are never written once an enum is settled: the copy shares them.
  c.relements = t.relements;
  c.elements = t.elements;
  c.base = t.base;
  copies.set(t, c);
  return c;
}

/** At most this many texts are remembered, and at most this many characters of them. */
const MEMO_TEXTS = 16;
const MEMO_CHARS = 4 << 20;

/**
 * The cdef texts parsed into an empty table in this process, by text and options: the first parse
 * of a text only notes it (a program that parses each text once pays nothing more), the second
 * keeps its template, and later ones copy the template instead of parsing. The least recently
 * used text is forgotten past MEMO_TEXTS texts or MEMO_CHARS characters.
 */
export class TemplateMemo {
  private readonly texts = new Map<string, { readonly byOptions: Map<string, Template | null | 'seen'>; used: number }>();
  private chars = 0;
  private uses = 0;

  /**
   * The template of `source` parsed with the options spelled `options`, when one is kept. A text
   * found is marked used in place: storing the caller's string again, a new one of the same
   * text, would keep it from this long-lived table through every young-generation collection.
   */
  recall(source: string, options: string): Template | undefined {
    const entry = this.texts.get(source);
    const t = entry?.byOptions.get(options);
    if (t === undefined) return undefined;
    entry!.used = ++this.uses;
    return t instanceof Template ? t : undefined;
  }

  /** Notes that `source` (with `options`) has just filled the empty table `registry`. */
  note(source: string, options: string, registry: Registry): void {
    let entry = this.texts.get(source);
    if (entry === undefined) {
      if (source.length > MEMO_CHARS) return;
      entry = { byOptions: new Map(), used: ++this.uses };
      this.texts.set(source, entry);
      this.chars += source.length;
      while (this.texts.size > MEMO_TEXTS || this.chars > MEMO_CHARS) {
        let oldest: string | undefined;
        let when = Infinity;
        for (const [text, { used }] of this.texts) if (used < when) [oldest, when] = [text, used];
        if (oldest === undefined || oldest === source) break;
        this.texts.delete(oldest);
        this.chars -= oldest.length;
      }
    } else entry.used = ++this.uses;
    const known = entry.byOptions.get(options);
    if (known === undefined) entry.byOptions.set(options, 'seen');
    else if (known === 'seen') entry.byOptions.set(options, Template.of(registry));
  }
}
