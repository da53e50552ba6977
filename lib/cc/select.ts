// What cc() declares from the declaration table: the source's own declarations and macros, the header types they need, and what it leaves out.
import { isBuiltinTypeName } from '../cparser/parser';
import { Decl, DeclTable, Declarator, Mode, Ref } from './declarations';
import { Item, constantText, declaratorsText, integerMacroItem, item, macroItem, tagText, typeNameText, wholeText } from './emit';
import { expandMacro, runtimeValue } from './macros';

/** A declaration of the user's source that was not declared, and why. */
export interface Skipped {
  readonly name: string;
  /** 'file:line' of the declaration. */
  readonly where: string;
  readonly reason: string;
}

/** What was left out and kept private, noted as the selection and the check go. */
export class Notes {
  /** Names the source gives internal linkage: callable only from C. */
  readonly statics: Record<string, 'function' | 'variable'> = {};
  /** Header declarations left out, by the names they declare, with the reason. */
  readonly dropped = new Map<string, string>();
  /** Functions declared that only verify()'s wrappers can call (they pass a long double), with where and why. */
  readonly apiOnly = new Map<string, { where: string; reason: string }>();
  private readonly notes: (Skipped & { pos: number })[] = [];

  /** Notes that `name` is left out; `pos` (an index in the reader's tokens) orders the notes as the source does. */
  skip(name: string, where: string, reason: string, pos: number): void {
    this.notes.push({ name, where, reason, pos });
  }

  /** The notes in source order. */
  skipped(): Skipped[] {
    return [...this.notes].sort((a, b) => a.pos - b.pos).map(({ name, where, reason }) => ({ name, where, reason }));
  }
}

export interface SourceSelection {
  /** The files (indexes into the table's file names) that are the user's. */
  readonly own: (file: number) => boolean;
  /** Declare functions and variables the source declares without defining them. */
  readonly externals: boolean;
}

/**
 * The cdef items for a C source, in source order: every declaration and object-like macro of the
 * user's files (statics noted instead, except `static const` integers), and the declarations of
 * other files that those need. Items may still be refused by the check.
 */
export function selectSource(table: DeclTable, selection: SourceSelection, notes: Notes): Item[] {
  const own: Decl[] = [];
  for (let i = 0; i < table.length; i++) if (selection.own(table.fileOf(i))) own.push(table.decl(i));
  const items = [...ownItems(table, own, selection.externals, notes), ...neededItems(table, own, selection.own, notes), ...macroItems(table, selection.own, notes)];
  // Directives sort before the declaration starting at the same token.
  return items.sort((a, b) => a.pos - b.pos);
}

/** The user's declarations as cdef items; statics and the ones cdef cannot take are noted instead. */
function* ownItems(table: DeclTable, decls: readonly Decl[], externals: boolean, notes: Notes): Generator<Item> {
  const statics = new Set<string>();
  const definedFunctions = new Set<string>();
  const definedVariables = new Set<string>();
  for (const d of decls) {
    for (const dec of d.declarators) {
      if (!dec.name || d.kind === 'typedef') continue;
      if (d.storage === 'static') statics.add(dec.name);
      if (d.hasBody) definedFunctions.add(dec.name);
      else if (!dec.isFunction && (d.storage !== 'extern' || dec.init)) definedVariables.add(dec.name);
    }
  }
  const emitted = new Set<string>();
  const pos = (d: Decl) => table.tokens.raws[d.start];
  for (const d of decls) {
    if (d.problem !== null) {
      for (const name of d.names) notes.skip(name, d.where, d.problem, pos(d));
      continue;
    }
    if (d.kind === 'typedef') {
      yield item(table, d, wholeText(table, d), d.declarators.flatMap((x) => (x.name ? [x.name] : [])), true);
      continue;
    }
    if (d.storage === '_Thread_local' || d.storage === 'thread_local' || d.storage === '__thread') {
      for (const dec of d.declarators) if (dec.name) notes.skip(dec.name, d.where, 'it is thread-local, and JavaScript cannot reach thread-local variables', pos(d));
      continue;
    }
    const kept: Declarator[] = [];
    const constants: Declarator[] = [];
    for (const dec of d.declarators) {
      const name = dec.name;
      if (!name) continue;
      if (statics.has(name)) {
        // A constant if its type is an integer, which the check asks the parser.
        if (!dec.isFunction && dec.plain && d.storage === 'static' && hasConst(table, d)) constants.push(dec);
        else notes.statics[name] = dec.isFunction || d.hasBody ? 'function' : 'variable';
        continue;
      }
      const defined = d.hasBody || (!dec.isFunction && (d.storage !== 'extern' || dec.init !== null));
      if (!defined) {
        // Declared here, defined further down (declared there) or elsewhere (declared when allowed).
        if ((dec.isFunction ? definedFunctions : definedVariables).has(name)) continue;
        if (!externals) {
          notes.skip(
            name,
            d.where,
            'it is declared but not defined in the source; pass the C file that defines it in options.sources or its library in options.libraries',
            pos(d),
          );
          continue;
        }
      }
      if (emitted.has(name)) continue;
      emitted.add(name);
      kept.push(dec);
    }
    if (kept.length) yield item(table, d, declaratorsText(table, d, kept), kept.map((k) => k.name as string), true);
    else if (d.specTag) yield item(table, d, tagText(table, d), [], true);
    for (const c of constants) {
      yield { ...item(table, d, constantText(table, d, c), [c.name as string], true), integerType: typeNameText(table, d) };
    }
  }
}

function hasConst(table: DeclTable, d: Decl): boolean {
  for (let i = d.start; i < d.specEnd; i++) if (table.tokens.texts[i] === 'const') return true;
  return false;
}

/**
 * The declarations of files other than the roots' own that the roots need, by table index, with
 * how: typedefs always, struct/union/enum definitions where used by value (transitively).
 */
export function neededTypes(table: DeclTable, roots: Iterable<Decl>, own: (file: number) => boolean): Map<number, Mode> {
  const needed = new Map<number, Mode>();
  const demandDecl = (d: Decl | undefined, mode: Mode): void => {
    if (d === undefined || own(d.file)) return;
    const had = needed.get(d.index);
    if (had === 'value' || had === mode) return;
    needed.set(d.index, mode);
    for (const r of d.refs) demandRef(r, mode);
  };
  const demandRef = (r: Ref, inherited: Mode): void => {
    const mode = r.mode === 'inherit' ? inherited : r.mode;
    if (r.kind === 'typedef') {
      if (!isBuiltinTypeName(r.name)) demandDecl(table.typedefDecl(r.name), mode);
    } else if (mode === 'value') {
      demandDecl(table.tagDecl(`${r.kind} ${r.name}`), 'value');
    }
  };
  for (const d of roots) for (const r of d.refs) demandRef(r, 'value');
  return needed;
}

/** The header declarations the user's need, as items; the ones cdef cannot take are remembered as dropped. */
function* neededItems(table: DeclTable, roots: readonly Decl[], own: (file: number) => boolean, notes: Notes): Generator<Item> {
  for (const index of [...neededTypes(table, roots, own).keys()].sort((a, b) => a - b)) {
    const d = table.decl(index);
    if (d.problem !== null) {
      for (const name of d.names) notes.dropped.set(name, d.problem);
      continue;
    }
    if (d.kind === 'typedef') yield item(table, d, wholeText(table, d), d.declarators.flatMap((x) => (x.name ? [x.name] : [])), false);
    else if (d.specTag) yield item(table, d, tagText(table, d), [], false);
  }
}

/** The user's object-like macros still defined at the end, expanded down to what cdef can evaluate. */
function* macroItems(table: DeclTable, own: (file: number) => boolean, notes: Notes): Generator<Item> {
  for (const m of table.macros.values()) {
    if (!own(m.file)) continue;
    const where = `${table.files[m.file]}:${m.line}`;
    if (m.params !== null) {
      notes.skip(m.name, where, 'it is a function-like macro; only object-like integer macros are declared', m.at);
      continue;
    }
    // One of an enumerator's name is what C code after it reads by the name: where its value is
    // another, the check lets it replace the enumerator's constant, as ffi.cdefHeader() does.
    const redefines = table.enumeratorDecl(m.name) !== undefined ? { redefines: 'enumerator' as const } : {};
    const integer = integerMacroItem(m, where);
    if (integer !== null) {
      yield { ...integer, ...redefines };
      continue;
    }
    const expanded = expandMacro(m, table.macros);
    if (typeof expanded !== 'string') {
      notes.skip(m.name, where, expanded.error, m.at);
      continue;
    }
    const runtime = runtimeValue(expanded, table);
    if (runtime !== null) {
      notes.skip(m.name, where, runtime, m.at);
      continue;
    }
    yield { ...macroItem(m, expanded, where), ...redefines };
  }
}
