// Each chosen declaration through the cdef parser, as ffi.cdef will take it: what the parser refuses is left out with its reason.
import { CDefError } from '../errors';
import { CdefBatch } from '../cparser/batch';
import { CType, FunctionType } from '../ctype/model';
import { isIntegralRepr } from '../ctype/primitives';
import { Registry } from '../ctype/registry';
import { Item } from './emit';
import { Notes } from './select';

/** A piece of cdef text and the `pack` option it needs (0: natural alignment). */
export interface CdefChunk {
  readonly source: string;
  readonly pack: number;
  /** It replaces constants declared before it (the `override` option): macros redefining an enumerator (see Item.redefines). */
  readonly override?: true;
}

/**
 * Parses the items one by one into a scratch table, as ffi.cdef will: an item the parser refuses
 * is left out (and, for the user's, listed as skipped with the parser's reason), so one
 * unsupported declaration never costs the others. A `static const` whose type is no integer is
 * not a constant: it is noted as a static variable. `out.registry` receives the scratch table,
 * which then holds the accepted declarations. The items go through one CdefBatch, each undone
 * alone when refused: what a parseCdef() call per item gives, without a parse of its own for each.
 * An item's text is read again only when its spelling did not give its tokens.
 */
export function check(items: readonly Item[], notes: Notes, out?: { registry?: Registry }): CdefChunk[] {
  const registry = new Registry();
  const batch = new CdefBatch(registry);
  const accepted: Item[] = [];
  const overriding = new Set<Item>();
  /** Macros redefining an enumerator with another value, as their values read with every enumerator as itself. */
  const redefining: Item[] = [];
  for (const it of items) {
    if (it.integerType !== undefined && !isIntegerType(it.integerType, batch)) {
      for (const n of it.names) notes.statics[n] = 'variable';
      continue;
    }
    let reason: string | null;
    let refused = add(batch, it, false);
    if (refused !== null && it.redefines === 'enumerator' && isEnumerator(batch, it.names)) {
      // A value other than the enumerator's: the name is the macro's, as in C after the #define.
      // But a name an expansion leaves (`RA` in `(RA - 1)`, and in every macro expanding RA) is the
      // enumerator in C: each is read now, every enumerator still itself, and declared after all
      // the others as its value, so that neither a later macro nor another of these reads it.
      const value = add(batch, it, true) === null ? literalOf(batch, it.names[0]) : null;
      if (value !== null) batch.undo();
      if (value !== null) {
        redefining.push({ ...it, text: `#define ${it.names[0]} ${value}\n`, tokens: undefined, define: undefined, constant: undefined });
        continue;
      }
    }
    if (refused !== null) reason = refused.message.replace(/^cdef:\d+:\d+: /, '');
    else {
      // Parsed, but unusable from JavaScript: left out as if refused.
      reason = valueProblem(batch, it.names);
      if (reason === null) {
        batch.keep();
        for (const name of longDoubleFunctions(batch, it.names)) notes.apiOnly.set(name, { where: it.where, reason: LONG_DOUBLE_REASON });
      } else batch.undo();
    }
    if (reason === null) accepted.push(it);
    else if (!it.user) for (const n of it.names) notes.dropped.set(n, reason);
    else {
      const cause = /unknown type name '([^']+)'/.exec(reason)?.[1];
      const left = cause === undefined ? undefined : notes.dropped.get(cause);
      const why = left === undefined ? reason : `${reason} (its declaration in a header was left out: ${left})`;
      notes.skip(it.names.join(', ') || it.text.trim().slice(0, 40), it.where, why, it.pos);
    }
  }
  for (const it of redefining) {
    const refused = add(batch, it, true);
    if (refused !== null) throw new Error(`internal: the value of ${it.text.trim()} was refused: ${refused.message}`);
    batch.keep();
    accepted.push(it);
    overriding.add(it);
  }
  batch.commit();
  if (out) out.registry = registry; // the accepted declarations, parsed
  return groupByPack(accepted, overriding);
}

/** Adds the item to the batch as a piece of its own (replacing what it declares again, with `override`): null, or why the parser refused it. */
function add(batch: CdefBatch, it: Item, override: boolean): Error | null {
  if (it.define !== undefined) return batch.addDefine(it.define.name, it.define.value, it.constant, override);
  return batch.add(it.text, override ? { pack: it.pack, override } : it.pack ? { pack: it.pack } : {}, it.tokens);
}

/** Whether the one name of a macro's item is an enumerator's constant in the batch (see Item.redefines). */
function isEnumerator(batch: CdefBatch, names: readonly string[]): boolean {
  const d = names.length === 1 ? batch.get(names[0]) : undefined;
  return d?.kind === 'constant' && d.origin === 'enum';
}

/**
 * The value of the constant `name` the open piece declared, as cdef text of the same value and
 * type (a cast unless an int), the piece still open; null when it declared no integer constant.
 */
function literalOf(batch: CdefBatch, name: string): string | null {
  const d = batch.get(name);
  if (d?.kind !== 'constant' || d.value === undefined || (d.type.kind !== 'enum' && (d.type.kind !== 'primitive' || !isIntegralRepr(d.type.repr)))) {
    batch.undo();
    return null;
  }
  const v = BigInt(d.value);
  const text = v < 0n ? `(${v})` : `${v}`;
  return d.type.cname === 'int' && v >= 0n ? text : `((${d.type.cname}) ${text})`;
}

/** True when `typeName` names an integer type (or an enum, or _Bool) in the batch. */
function isIntegerType(typeName: string, batch: CdefBatch): boolean {
  let t: CType;
  try {
    t = batch.typeName(typeName);
  } catch (e) {
    if (e instanceof CDefError) return false;
    throw e;
  }
  return t.kind === 'enum' || (t.kind === 'primitive' && isIntegralRepr(t.repr));
}

const LONG_DOUBLE_REASON = "it passes a 'long double', which koffi cannot; only verify() calls it, through a wrapper that passes it by address";

/** The just-declared functions among `names` that pass a long double (as an argument or result). */
function longDoubleFunctions(batch: CdefBatch, names: readonly string[]): string[] {
  return names.filter((name) => {
    const d = batch.get(name);
    return d?.kind === 'function' && [d.type.result, ...d.type.args].some((v) => v.kind === 'primitive' && v.repr === 'f80');
  });
}

/** Why a just-declared function cannot be called from JavaScript, or null. */
function valueProblem(batch: CdefBatch, names: readonly string[]): string | null {
  for (const name of names) {
    const d = batch.get(name);
    if (d?.kind !== 'function') continue;
    const t: FunctionType = d.type;
    for (const v of [t.result, ...t.args]) {
      if ((v.kind === 'struct' || v.kind === 'union') && !v.complete) {
        return `it passes '${v.cname}' by value, but that type's definition was left out or is not in the source`;
      }
    }
  }
  return null;
}

/** The items as chunks of consecutive items with the same packing, those in `overriding` in chunks of their own with `override`. */
function groupByPack(items: readonly Item[], overriding: ReadonlySet<Item>): CdefChunk[] {
  const chunks: { source: string; pack: number; override?: true }[] = [];
  for (const it of items) {
    const last = chunks[chunks.length - 1];
    const override = overriding.has(it);
    if (last && last.pack === it.pack && (last.override === true) === override) last.source += it.text;
    else chunks.push(override ? { source: it.text, pack: it.pack, override: true } : { source: it.text, pack: it.pack });
  }
  return chunks;
}
