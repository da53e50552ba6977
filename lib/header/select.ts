// What a whole-header binding declares from the declaration table: the header's declarations as roots, the types they need from other headers, its object-like macros.
import { Decl, DeclTable, Declarator } from '../cc/declarations';
import { Item, constantText, declaratorsText, integerMacroItem, item, macroItem, renamedText, tagText, typeNameText, wholeText } from '../cc/emit';
import { expandMacro, runtimeValue } from '../cc/macros';
import { Notes } from '../cc/select';
import { isBuiltinTypeName } from '../cparser/parser';
import { cWord } from '../cparser/keywords';
import { MacroDef, pieceKind, preprocessedPieces } from '../cparser/preprocessed';
import { ComplexValue, afterWarning, castConstant, literalValue, tokensOf } from './macros';

/**
 * What a file the header includes is to its binding: a part of it rather than a header of its own,
 * whose functions, globals, enums and macros are bound ('calls': the C library's `bits/` files), or whose
 * macros are ('macros': the kernel's `linux/`, `asm/` and `asm-generic/` files those include).
 * fcntl.h's O_RDONLY is in bits/fcntl-linux.h, signal.h's pthread_kill in bits/sigthread.h,
 * errno.h's EINVAL in asm-generic/errno-base.h, sys/socket.h's SOCK_STREAM in bits/socket_type.h's
 * enum. Their other types come as the others' do, when used.
 */
export type HeaderPart = 'calls' | 'macros';

export interface HeaderSelection {
  /** The files (indexes into the table's file names) whose declarations are bound. */
  readonly own: (file: number) => boolean;
  /** The files that are parts of those, and what of them is bound (see HeaderPart); none when absent. */
  readonly part?: (file: number) => HeaderPart | null;
  /** Only the declarations and macros with a matching name (the types they need come along). */
  readonly only: ((name: string) => boolean) | null;
}

/** What a whole-header selection hands on: the items, the values of string, floating and complex macros, the names only API mode reaches. */
export interface HeaderItems {
  readonly items: Item[];
  /** String and floating-point macros, with the value of their literal. */
  readonly values: Map<string, { value: string | number | ComplexValue; where: string }>;
  /** Names declared for API mode only (static inline functions), with the reason ABI mode cannot reach them. */
  readonly apiOnly: Map<string, { where: string; reason: string }>;
  /** Macros casting an integer to a type (pointer constants such as SQLITE_TRANSIENT), checked once the types are known. */
  readonly casts: Map<string, { type: string; value: number; where: string; pos: number }>;
  /** The function-like macros (and the object-like ones naming a function) of the header, for wrappers. */
  readonly macros: MacroDef[];
  /** The symbols of the functions and globals whose asm label names another symbol than their name. */
  readonly symbols: Map<string, string>;
  /**
   * The objects the header declares with external linkage (not static), what some library defines,
   * by name, with their declaration: the names macros give them too (gmp.h's `gmp_version`).
   */
  readonly objects: Map<string, HeaderObject>;
  /**
   * The functions the header defines `inline` without `static` (GNU `extern inline`, C99 `inline`),
   * by name, with where: the compiler need not make a symbol of them, so verify() calls them
   * through a wrapper; a library may define them all the same (glibc's bsearch).
   */
  readonly inline: Map<string, string>;
  /**
   * Macros naming a member of a member by its path of field names (`#define sa_handler
   * __sigaction_handler.sa_handler`), or perhaps a member by its name alone (`#define d_fileno d_ino`):
   * `maybe` when the macro is also an item, whose check says why it is left out if no struct has the member.
   */
  readonly members: Map<string, { path: string[]; where: string; pos: number; maybe?: true }>;
}

/** An object a header declares: declarator `dec` of declaration `d`. */
export interface HeaderObject {
  readonly d: Decl;
  readonly dec: Declarator;
}

/**
 * Macro names of the implementation's own, which a header's binding leaves out: helpers (`__` and
 * then anything: `__GLIBC__`, `__need_size_t`) and guards (`_STDIO_H`, `_SQLITE3_H_`,
 * `_VA_LIST_DEFINED`). Other names C reserves (an underscore, then a capital) are often the
 * header's API, and are bound: stdio.h's `_IONBF`, unistd.h's `_POSIX_VERSION`, paths.h's `_PATH_BSHELL`.
 */
export const isReserved = (name: string): boolean => /^__/.test(name) || (/^_[A-Z]/.test(name) && /_H$|_H_|_DEFINED$|_INCLUDED$/i.test(name));

/**
 * The cdef items for the header's files: every declaration and object-like macro there (those
 * `only` refuses left out silently), and the declarations of other files those need. A type
 * needed from another header is declared as far as it is needed (behind a pointer, its name).
 */
export function selectHeader(table: DeclTable, selection: HeaderSelection, notes: Notes): HeaderItems {
  const roots: Decl[] = [];
  const only = selection.only === null ? null : withCallees(table, selection);
  const wanted = (d: Decl): boolean => only === null || d.names.some((n) => only(n) || only(n.replace(/^(struct|union|enum) /, '')));
  const part = selection.part ?? (() => null);
  for (let i = 0; i < table.length; i++) {
    const file = table.fileOf(i);
    const own = selection.own(file);
    if (!own && part(file) !== 'calls') continue;
    const d = table.decl(i);
    if ((own || partRoot(table, d)) && wanted(d)) roots.push(d);
  }
  const apiOnly = new Map<string, { where: string; reason: string }>();
  const rootItems = [...headerItems(table, roots, notes, apiOnly)];
  // Types the roots use, wherever they are declared (the header's own ones too, when `only` left them out).
  const rootIndexes = new Set(roots.map((d) => d.index));
  const needed = referencedTypes(table, roots).filter((i) => !rootIndexes.has(i));
  const items = [...rootItems, ...neededItems(table, needed, notes)];
  const declared = new Set(items.flatMap((it) => it.names));
  const functions = new Set(roots.flatMap((d) => (d.kind === 'function' ? d.declarators.flatMap((x) => (x.isFunction && x.name ? [x.name] : [])) : [])));
  const symbols = new Map<string, string>();
  const objects = new Map<string, HeaderObject>();
  const inline = new Map<string, string>();
  for (const d of roots) {
    if (d.kind !== 'function' && d.kind !== 'variable') continue;
    if (d.hasBody && d.inline && d.storage !== 'static' && d.declarators[0]?.name) inline.set(d.declarators[0].name, d.where);
    for (const x of d.declarators) {
      if (x.name !== null && x.symbol !== null && x.symbol !== x.name) symbols.set(x.name, x.symbol);
      if (x.name !== null && !x.isFunction && d.storage !== 'static') objects.set(x.name, { d, dec: x });
    }
  }
  const values = new Map<string, { value: string | number | ComplexValue; where: string }>();
  const macros: MacroDef[] = [];
  const casts = new Map<string, { type: string; value: number; where: string; pos: number }>();
  /** Declarations of other files the macros need: enums whose enumerators they name, types they name. */
  const extra = new Set<number>();
  const members = new Map<string, { path: string[]; where: string; pos: number; maybe?: true }>();
  const neededIndexes = new Set(needed);
  /** Brings along the types that macro tokens name (typedef names, tags), with those they need. */
  const typesAlong = (tokens: readonly string[]): void => {
    const named = tokens.flatMap((t, i) => {
      if (pieceKind(t) !== 'ident' || declared.has(t)) return [];
      const d = cWord(tokens[i - 1] ?? '')?.role === 'tag' ? table.tagDecl(`${tokens[i - 1]} ${t}`) : table.typedefDecl(t);
      return d === undefined ? [] : [d];
    });
    if (named.length === 0) return;
    for (const i of [...named.map((d) => d.index), ...referencedTypes(table, named)]) if (!rootIndexes.has(i) && !neededIndexes.has(i)) extra.add(i);
  };
  for (const m of table.macros.values()) {
    if (!isBound(selection, m.file) || declared.has(m.name)) continue;
    if (only !== null && !only(m.name)) continue;
    const where = `${table.files[m.file]}:${m.line}`;
    if (isReserved(m.name)) {
      // A part's guards and helpers are many (stdio.h's bits/ files hold over a hundred) and none is API: not listed.
      if (selection.own(m.file)) notes.skip(m.name, where, 'its name is reserved for the implementation (a guard or a helper of the header)', m.at);
      continue;
    }
    if (m.params !== null) {
      macros.push(m);
      continue;
    }
    // A macro of an enumerator's name (`#define X (X - 1)` after `enum { X = 5 }`) is what C code
    // after it reads by the name: where its value is another, the check lets it replace the enumerator's constant.
    const enumerator = table.enumeratorDecl(m.name) !== undefined;
    const integer = integerMacroItem(m, where);
    if (integer !== null) {
      items.push(enumerator ? { ...integer, redefines: 'enumerator' } : integer);
      continue;
    }
    const full = expandMacro(m, table.macros);
    if (typeof full !== 'string') {
      notes.skip(m.name, where, full.error.replace('only macros with an integer value', 'only macros with a value'), m.at);
      continue;
    }
    let expanded = full;
    let pieces = preprocessedPieces(expanded);
    let tokens = tokensOf(expanded, pieces);
    if (tokens[0] === '_Pragma') {
      // Only a type name may follow such a _Pragma: in an expression, C refuses the pragma it becomes.
      const typeName = afterWarning(tokens);
      if (typeName === null || !namesType(typeName, table)) {
        notes.skip(m.name, where, `its value begins with ${tokens.slice(0, 4).join('')}, which C takes before a declaration, never in a value; ` +
          'only a type name after a pragma that warns (a deprecated name) is declared, as a typedef', m.at);
        continue;
      }
      expanded = typeName.join(' ');
      pieces = preprocessedPieces(expanded);
      tokens = tokensOf(expanded, pieces);
    }
    const literal = literalValue(expanded, tokens);
    if (literal !== null && typeof literal === 'object' && 'error' in literal) {
      notes.skip(m.name, where, literal.error, m.at);
      continue;
    }
    if (literal !== null) {
      values.set(m.name, { value: literal, where });
      continue;
    }
    const cast = castConstant(expanded, tokens);
    if (cast !== null) {
      casts.set(m.name, { ...cast, where, pos: m.at });
      continue;
    }
    if (functions.has(expanded) || (table.macros.get(expanded)?.params ?? null) !== null) {
      macros.push(m); // another name for a function, or for a function-like macro: wrapped as a function-like macro is
      continue;
    }
    const global = objects.get(expanded);
    if (global !== undefined && global.d.kind === 'variable' && !definesBody(table, global.d)) {
      // Another name for a global (gmp.h's `#define gmp_version __gmp_version`): the global under
      // that name, which dlopen() looks up by the global's symbol, and C code reaches through the macro.
      const { d, dec } = global;
      items.push({ ...item(table, d, renamedText(table, d, dec, m.name), [m.name], true), pos: Math.max(m.at, table.tokens.raws[d.end]) + 0.25, where });
      symbols.set(m.name, symbols.get(expanded) ?? expanded);
      objects.set(m.name, global);
      continue;
    }
    if (tokens.length >= 3 && tokens.every((t, i) => (i % 2 === 0 ? pieceKind(t) === 'ident' : t === '.'))) {
      // A name for a member of a member (signal.h's sa_handler): an alias, if some struct has that path (see extract.ts).
      members.set(m.name, { path: tokens.filter((_, i) => i % 2 === 0), where, pos: m.at });
      continue;
    }
    const runtime = runtimeValue(expanded, table, tokens);
    if (runtime !== null) {
      notes.skip(m.name, where, runtime, m.at);
      continue;
    }
    if (namesType(tokens, table)) {
      // Another name for a type (zconf.h's z_off_t is off_t, openssl/bn.h's BN_ULONG unsigned long): a typedef, as C code uses it.
      items.push({ pos: m.at - 0.5, text: `typedef ${tokens.join(' ')} ${m.name};\n`, pack: 0, user: true, names: [m.name], where });
      // The types it names come along, as a declaration's do.
      typesAlong(tokens);
      continue;
    }
    // After every declaration: C expands a macro where it is used, so its value may cast to a type
    // declared further on (gmp.h's GMP_NUMB_MASK casts to mp_limb_t, typedef'd 90 lines below).
    items.push({ ...macroItem(m, expanded, where, pieces), pos: AFTER_DECLARATIONS + m.at, ...(enumerator ? { redefines: 'enumerator' as const } : {}) });
    // The types it casts to or takes the size of come along (linux/videodev2.h's v4l2_fourcc casts to __u32).
    typesAlong(tokens);
    if (tokens.length === 1 && (tokens[0] === m.name || namesNothing(tokens[0], table))) {
      // A name the header declares nothing by (dirent.h's `#define d_fileno d_ino`): a member's other name, if some struct has the
      // member; or the macro's own name (sched.h's `#define sched_priority sched_priority`), which marks the member as there.
      members.set(m.name, { path: [tokens[0]], where, pos: m.at, maybe: true });
    }
    for (const p of pieces) {
      // An enumerator of another header's enum (sys/quota.h's QIF_BLIMITS shifts linux/quota.h's QIF_BLIMITS_B): its enum comes along.
      if (declared.has(p) || pieceKind(p) !== 'ident') continue;
      const e = table.enumeratorDecl(p);
      if (e !== undefined && !rootIndexes.has(e.index) && !neededIndexes.has(e.index)) extra.add(e.index);
    }
  }
  for (const item of neededItems(table, [...extra].sort((a, b) => a - b), notes)) items.push(item);
  return { items: items.sort((a, b) => a.pos - b.pos), values, apiOnly, macros, casts, symbols, objects, inline, members };
}

/** Whether the declaration's specifiers hold a struct, union or enum body (which a second declaration of its globals could not repeat). */
function definesBody(table: DeclTable, d: Decl): boolean {
  for (let i = d.start; i < d.specEnd; i++) if (table.tokens.isPunct(i, '{')) return true;
  return false;
}

/** Added to the position of a macro's item (an index of the table's tokens) to sort it after every declaration. */
const AFTER_DECLARATIONS = 2 ** 40;

/** Whether `word` is an identifier the unit declares nothing by: no keyword, macro, type, tag or enumerator (a member's name, perhaps). */
function namesNothing(word: string, table: DeclTable): boolean {
  return pieceKind(word) === 'ident' && cWord(word) === undefined && !table.macros.has(word) && !table.isTypeName(word) && table.enumeratorDecl(word) === undefined;
}

/**
 * Whether macro text is a type name: type words, qualifiers, typedef names of the unit and tags,
 * with pointers after them (`unsigned long`, `off_t`, `struct termios`, `unsigned char *`).
 */
function namesType(tokens: readonly string[], table: DeclTable): boolean {
  let type = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '*') {
      if (!type) return false;
      continue;
    }
    if (pieceKind(t) !== 'ident') return false;
    const role = cWord(t)?.role;
    if (role === 'tag') {
      if (tokens[i + 1] === undefined || pieceKind(tokens[i + 1]) !== 'ident' || cWord(tokens[i + 1]) !== undefined) return false;
      i++;
      type = true;
    } else if (role === 'type' || (role === undefined && table.isTypeName(t))) type = true;
    else if (role !== 'qualifier') return false;
  }
  return type;
}

/** Whether the macros of `file` are bound: the header's own files and all its parts. */
const isBound = (selection: HeaderSelection, file: number): boolean => selection.own(file) || (selection.part?.(file) ?? null) !== null;

/**
 * Whether a declaration of a part's file (HeaderPart 'calls') is bound: its functions, globals and
 * enums, and the structs and unions it defines by tag (fcntl.h's `struct flock`, in bits/fcntl.h,
 * which no declaration names: `fcntl()` takes it through its `...`), but not its own helpers
 * (math.h's __acos beside acos, declared by one macro; `struct __pthread_mutex_s`), which are the
 * implementation's, not the header's.
 */
function partRoot(table: DeclTable, d: Decl): boolean {
  if (d.kind === 'tag' && d.defines.length > 0 && !definesEnum(table, d)) return d.defines.some((t) => !/^(struct|union) __/.test(t));
  if (d.kind !== 'function' && d.kind !== 'variable' && !definesEnum(table, d)) return false;
  return d.names.length === 0 || !d.names.every((n) => n.startsWith('__'));
}

/** True when the declaration's specifiers define an enum, named or not (bits/confname.h's enum of `_SC_*` names). */
function definesEnum(table: DeclTable, d: Decl): boolean {
  if (!d.specTag) return false;
  const texts = table.tokens.texts;
  for (let i = d.start; i < d.specEnd; i++) {
    if (texts[i] !== 'enum') continue;
    const next = texts[i + 1] === '{' ? i + 1 : i + 2;
    if (texts[next] === '{') return true;
  }
  return false;
}

/**
 * The name filter, widened to the functions the macros it accepts call (`deflateInit` brings
 * `deflateInit_`), through macros calling macros.
 */
function withCallees(table: DeclTable, selection: HeaderSelection): (name: string) => boolean {
  const only = selection.only as (name: string) => boolean;
  const extra = new Set<string>();
  const accepts = (name: string) => only(name) || extra.has(name);
  for (let grew = true; grew; ) {
    grew = false;
    for (const m of table.macros.values()) {
      if (!isBound(selection, m.file) || !accepts(m.name)) continue;
      const callee = /^[\s(]*([A-Za-z_]\w*)/.exec(m.body)?.[1];
      if (callee !== undefined && !accepts(callee)) {
        extra.add(callee);
        grew = true;
      }
    }
  }
  return accepts;
}

/**
 * The typedefs and struct, union and enum definitions the roots use, transitively, by table index
 * in source order. Unlike cc(), which declares a header's struct only where the source uses it by
 * value, a binding takes the definition of every struct it names when one is in sight, so that a
 * `struct tm *` parameter comes with a `struct tm` JavaScript can allocate.
 */
function referencedTypes(table: DeclTable, roots: readonly Decl[]): number[] {
  const seen = new Set<number>();
  const queue = [...roots];
  const visit = (d: Decl | undefined) => {
    if (d === undefined || seen.has(d.index)) return;
    seen.add(d.index);
    queue.push(d);
  };
  while (queue.length) {
    const d = queue.pop() as Decl;
    for (const r of d.refs) {
      if (r.kind === 'typedef') {
        if (!isBuiltinTypeName(r.name)) visit(table.typedefDecl(r.name));
      } else visit(table.tagDecl(`${r.kind} ${r.name}`));
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/** The header's declarations as items: static inline functions for API mode only, thread-local and static variables noted instead. */
function* headerItems(table: DeclTable, decls: readonly Decl[], notes: Notes, apiOnly: Map<string, { where: string; reason: string }>): Generator<Item> {
  const emitted = new Set<string>();
  const pos = (d: Decl) => table.tokens.raws[d.start];
  for (const d of decls) {
    if (d.problem !== null) {
      for (const name of d.names) notes.skip(name, d.where, d.problem, pos(d));
      continue;
    }
    if (d.kind === 'typedef') {
      yield typedefItem(table, d, true);
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
      if (!name || emitted.has(name)) continue;
      const builtin = d.hasBody ? constantBuiltin(table, d) : null;
      if (builtin !== null) {
        // Its wrapper would not compile, and would take verify() with it (xmmintrin.h's _mm_prefetch).
        notes.skip(name, d.where, `its body passes an argument to ${builtin}, which takes constants only: a wrapper, whose arguments are variables, cannot call it`, pos(d));
        emitted.add(name);
        continue;
      }
      if (d.storage === 'static') {
        if (dec.isFunction) {
          apiOnly.set(name, { where: d.where, reason: 'it is a static inline function of the header, with no symbol in any library; only verify() reaches it, through a wrapper' });
        } else if (dec.plain && hasConst(table, d)) {
          constants.push(dec);
          emitted.add(name);
          continue;
        } else {
          notes.skip(name, d.where, 'it is a static variable of the header: each file including it has its own copy, which no library exports', pos(d));
          continue;
        }
      }
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

/** GCC's builtins that refuse any argument but a constant (in the places a header's inline function passes its parameters). */
const CONSTANT_BUILTINS: ReadonlySet<string> = new Set(['__builtin_prefetch']);

/** The first of CONSTANT_BUILTINS that function definition `d`'s body calls, or null. */
function constantBuiltin(table: DeclTable, d: Decl): string | null {
  const end = d.index + 1 < table.length ? table.decl(d.index + 1).start : table.tokens.length;
  for (let i = d.end; i < end; i++) if (CONSTANT_BUILTINS.has(table.tokens.texts[i])) return table.tokens.texts[i];
  return null;
}

function hasConst(table: DeclTable, d: Decl): boolean {
  for (let i = d.start; i < d.specEnd; i++) if (table.tokens.texts[i] === 'const') return true;
  return false;
}

/**
 * A typedef as written; a typedef of GCC's `__builtin_va_list` becomes an opaque type (cdef has
 * no va_list: functions taking one by value are then refused, pointers to one still work).
 */
function typedefItem(table: DeclTable, d: Decl, user: boolean): Item {
  const names = d.declarators.flatMap((x) => (x.name ? [x.name] : []));
  const { texts } = table.tokens;
  if (d.declarators.length === 1 && d.declarators[0].plain && d.specEnd === d.start + 2 && texts[d.start + 1] === '__builtin_va_list') {
    return item(table, d, `typedef ... ${names[0]};`, names, user);
  }
  return item(table, d, wholeText(table, d), names, user);
}

/** The declarations of other files the roots need (typedefs, and definitions where used by value). */
function* neededItems(table: DeclTable, indexes: readonly number[], notes: Notes): Generator<Item> {
  for (const index of indexes) {
    const d = table.decl(index);
    if (d.problem !== null) {
      for (const name of d.names) notes.dropped.set(name, d.problem);
      continue;
    }
    if (d.kind === 'typedef') yield typedefItem(table, d, false);
    else if (d.specTag) yield item(table, d, tagText(table, d), [], false);
  }
}
