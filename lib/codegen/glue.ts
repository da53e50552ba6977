// The translation unit verify() compiles: CFFI's standard headers, the user's source, then the glue (a wrapper per cdef function and the function table, accessors, constant readers, type checks, the probe table), each glue line tagged with the cdef declaration it is about.
import { FFIError, VerificationError } from '../errors';
import { CType, FunctionType, Q_CONST, Q_VOLATILE } from '../ctype/model';
import { pointerTo } from '../ctype/intern';
import type { Decl, SourcePos } from '../ctype/registry';
import { Probe, ProbeRow, constantRow, enumeratorOf, probeRows } from './probes';
import { Bindings, ExternBinding, FUNCTION_TABLE, EXTERN_REPORT, PREFIX, bindingsOf, byPointer, directSymbol, macroGlobalSymbol } from './bindings';
import { CHAR_TYPES, Speller, Unnamable } from './spell';
import { commentText, fieldChecks } from './checks';
import { ADDRESSLESS_DEFINITION, TableEntry, functionTable } from './addresses';

export type { Binding, ExternBinding } from './bindings';
export { EXTERN_REPORT, FUNCTION_TABLE, byPointer, directSymbol, externBinding, lowerByValue, macroGlobalSymbol } from './bindings';

/** The name the translation unit is compiled as, which the glue's diagnostics carry. */
export const GLUE_FILE = 'node-cffi-glue.c';
/** The name the unit is compiled under when the source is C++ (build's isCxxFile): its extension makes the compiler read it as C++. */
export const GLUE_FILE_CXX = 'node-cffi-glue.cpp';

/** The first token after the source (the end of source marker's): an error before it, wherever the compiler places it, means the source ends inside a declaration. */
export const END_TOKEN = 'static';

/**
 * The headers CFFI's verify() puts before the source, so that a source written for CFFI may use
 * `int8_t`, `va_list`, `errno`, `NULL` or `ssize_t` without including them.
 */
export const PRELUDE_HEADERS: readonly string[] = ['stdio.h', 'stddef.h', 'stdarg.h', 'errno.h', 'sys/types.h', 'stdint.h'];

/** What a line of the glue is about, so that a diagnostic there is told in terms of the cdef. */
export interface Owner {
  /** The role of the line: a function's wrapper, its strict prototype check, a variadic function's type check, an extern "Python" function's definition, a global's accessor, a constant's reader, a field's type check, a probe row, or the line just after the source. */
  readonly role: 'wrapper' | 'prototype' | 'variadic' | 'extern' | 'accessor' | 'reader' | 'field' | 'probe' | 'end';
  /** Who it is about, as messages name it: "add()", "global 'g'", "struct foo_s: field 'x'". */
  readonly subject: string;
  /** The C name the line uses (the function, global, constant, struct or field). */
  readonly name: string;
  /** Where the cdef declares it (null for the end of the source). */
  readonly pos: SourcePos | null;
  /** The cdef function, for the wrapper, prototype, variadic and extern roles. */
  readonly decl?: Decl & { kind: 'function' | 'extern-callback' };
  /** For the probe role: the probe's kind ('struct', 'constant', ...). */
  readonly probe?: Probe['kind'];
}

export interface Glue extends Bindings {
  /** The whole translation unit: the standard headers, the user's source under `#line 1 "<sourceName>"`, then the glue. */
  readonly unit: string;
  /** The name the source is given in diagnostics (options.filename, default 'source.c'). */
  readonly sourceName: string;
  /** The standard headers included before the source, the first on the unit's line 2 (none without GlueOptions.prelude). */
  readonly prelude: readonly string[];
  /** The unit's first line after the source (the glue's `#line` directive): lines before it are the prelude's or the source's. */
  readonly glueStart: number;
  /** Where the source ends: its last line that is not blank, and the column after its last character. */
  readonly sourceEnd: { readonly line: number; readonly column: number };
  /** The source's own text, which the compiler's quotes of `sourceName` read (null when the name is a path). */
  readonly companion: { readonly name: string; readonly text: string } | null;
  /** The symbol of the probe table function, and what each of its 64-bit slots holds (two per probe). */
  readonly probeSymbol: string;
  readonly probes: readonly Probe[];
  /** What each line of the glue is about, by the unit's line number. */
  readonly owners: ReadonlyMap<number, Owner>;
  /** Whether the cdef prototypes are checked for the very same C types (options.strictPrototypes). */
  readonly strict: boolean;
}

export interface GlueOptions {
  /** Redeclare each cdef function with its cdef prototype, so that the compiler refuses any other C types. */
  readonly strictPrototypes?: boolean;
  /**
   * Declarations the glue only spells types by (typedef names of anonymous structs), generating
   * nothing for them: those an FFI took from another with ffi.include(), whose own build checks them.
   */
  readonly spellingOnly?: readonly Decl[];
  /**
   * false: no CFFI standard headers before the source, for a unit of node-cffi's own whose source
   * includes headers ffi.cdefHeader() read alone (the dlopen() probe library), so that the compiler
   * reads them as cdefHeader() did; the glue then includes the one header it needs after the source.
   */
  readonly prelude?: boolean;
  /** Functions reached through their wrappers only (a header's GNU `extern inline` ones may have no symbol), which are optimised as the source is. */
  readonly wrapped?: ReadonlySet<string>;
  /**
   * Whether the C library exports a symbol of this name: a function of that name has an address,
   * which its table entry takes where the types agree, even one the compiler builds in or inlines
   * (see addresses.ts's TableEntry.addressed). Absent: none is taken to.
   */
  readonly addressed?: (name: string) => boolean;
}

/** A C declaration of `name` with type `t` as cdef spells it ('int (*cb)(int)' for function pointers); for messages. */
export function declarator(t: CType, name: string): string {
  return t.marker.replace('&', ` ${name}`).replace(/ {2,}/g, ' ').trim();
}

/** A C string literal's contents for a file name in #line. */
const quoteFile = (name: string): string => name.replace(/\\/g, '\\\\').replace(/"/g, '\\"');


/** The glue's lines, each with what it is about; numbered as the unit's lines once the source is placed before them. */
class Lines {
  readonly text: string[] = [];
  readonly owners: (Owner | undefined)[] = [];
  add(line: string, owner?: Owner): void {
    this.text.push(line);
    this.owners.push(owner);
  }
}

/** Why a declaration cannot be spelled in C, as a VerificationError naming it. */
function unnamable(e: Unnamable, what: string): VerificationError {
  return new VerificationError(
    `${what}: the glue cannot spell '${e.type.cname}' in C: it has no tag, and no typedef names it or a pointer to it; ` +
      'give it a tag or a typedef name in the cdef and in the source',
  );
}

/**
 * Builds the translation unit for verify(): CFFI's standard headers, the user's source as
 * `sourceName`, then the glue. The glue has a wrapper (`_ncffi_f_<name>`) calling each cdef
 * function with the cdef's types, so that macros and static inline functions become callable
 * and the compiler converts what the cdef declares approximately (as CFFI's wrappers do; with
 * `strictPrototypes` it also redeclares each function with the cdef's prototype, which the
 * compiler refuses when the source's types differ): exported for a function passing structs by
 * value, else reached through the function table, which holds the function itself instead
 * wherever the source gives it the cdef's very type; an accessor per global and a reader per
 * constant read by value; a type check per struct field; then the probe table: sizes, offsets
 * and enumerators as static data, the values of `#define`s and `static const`s (which need not be
 * constant expressions) stored when the loader first asks.
 */
export function generateGlue(decls: readonly Decl[], source: string, sourceName: string, options: GlueOptions = {}): Glue {
  const strict = options.strictPrototypes === true;
  const spell = spellerOf(decls, options);
  const { functions, externs, globals } = bindingsOf(decls);
  const body = new Lines(); // wrappers and readers
  const inlined = new Lines(); // the wrappers of options.wrapped, optimised as the source is
  const wrapped = options.wrapped ?? new Set<string>();
  const accessors = new Lines();
  const prototypes = new Lines();
  const checks = new Lines();
  const entries: TableEntry<Owner>[] = [];

  const named = (t: CType, name: string, what: string, quals = 0): string => {
    try {
      return spell.declare(t, name, quals);
    } catch (e) {
      if (e instanceof Unnamable) throw unnamable(e, what);
      throw e;
    }
  };

  for (const d of decls) {
    switch (d.kind) {
      case 'function': {
        const what = `${d.name}()`;
        const binding = functions.get(d.name)!;
        if (d.type.ellipsis) {
          // A wrapper cannot forward '...': the function's entry is the function itself (a static one
          // too, which has no symbol), its type checked exactly.
          const owner: Owner = { role: 'variadic', subject: what, name: d.name, pos: d.pos, decl: d };
          const check = named(pointerTo(d.type), `const ${PREFIX}v_${d.name}`, what);
          body.add(`_NCFFI_UNUSED static ${check} = ${d.name}; /* cdef ${d.pos.line}:${d.pos.column} */`, owner);
          if (binding.entry !== entries.length) throw new FFIError(`internal: ${what} is entry ${binding.entry} of the function table, but ${entries.length} entries come before it`);
          entries.push({ name: d.name, type: named(d.type, '', what), wrapper: d.name, owner });
        } else {
          const lowered = binding.lowered;
          const owner: Owner = { role: 'wrapper', subject: what, name: d.name, pos: d.pos, decl: d };
          const only = wrapped.has(d.name), lines = only ? inlined : body;
          if (lowered) {
            lines.add(wrapper(d, lowered, (t, name) => named(t, name, what), '_NCFFI_EXPORT'), owner);
            lines.add(direct(d, (t, name) => named(t, name, what)), owner);
          } else {
            // Reached through the function table (at the entry bindingsOf numbered in this order):
            // the function itself when the source gives it the cdef's very type (gcc and clang then
            // leave its static wrapper out), else the wrapper.
            lines.add(wrapper(d, null, (t, name) => named(t, name, what), '_NCFFI_UNUSED static'), owner);
            if (binding.entry !== entries.length) throw new FFIError(`internal: ${what} is entry ${binding.entry} of the function table, but ${entries.length} entries come before it`);
            const addressed = options.addressed?.(d.name) === true;
            entries.push({ name: d.name, type: named(d.type, '', what), wrapper: `${PREFIX}f_${d.name}`, owner, ...(only ? { wrapperOnly: true } : {}), ...(addressed ? { addressed } : {}) });
          }
        }
        if (strict) {
          prototypes.add(`#ifndef ${d.name}`);
          prototypes.add(`${named(d.type, d.name, what)}; /* cdef ${d.pos.line}:${d.pos.column} */`, {
            role: 'prototype', subject: what, name: d.name, pos: d.pos, decl: d,
          });
          prototypes.add('#endif');
        }
        break;
      }
      case 'extern-callback': {
        const what = `extern "${d.language}" function ${d.name}()`;
        const binding = externs.get(d.name)!;
        const owner: Owner = { role: 'extern', subject: what, name: d.name, pos: d.pos, decl: d };
        for (const line of externFunction(d, binding, (t, name, quals) => named(t, name, what, quals))) body.add(line, owner);
        body.add(wrapper(d, binding.wrapper.lowered, (t, name) => named(t, name, what), '_NCFFI_EXPORT'), { role: 'wrapper', subject: what, name: d.name, pos: d.pos, decl: d });
        break;
      }
      case 'variable': {
        const what = `global '${d.name}'`;
        const symbol = globals.get(d.name)!;
        // Typed as the global itself where the cdef leaves lengths inside its type to the compiler
        // ('int a[...][...]', which C cannot spell before knowing them).
        const own = `__typeof__(${d.name}) *${symbol}(void)`;
        const head = d.innerLengthsFromCompiler !== undefined ? own : named(pointerTo(d.type, d.quals), `${symbol}(void)`, what);
        const owner: Owner = { role: 'accessor', subject: what, name: d.name, pos: d.pos };
        const line = (h: string): string => `_NCFFI_EXPORT ${h} { return &${d.name}; } /* cdef ${d.pos.line}:${d.pos.column} */`;
        if (d.type.kind === 'array' && d.type.length === null && head !== own) {
          // An array of open length ('int a[]', 'int a[...]'): C converts a pointer to 'int[41]' into one to 'int[]', C++ before C++20 does not.
          accessors.add('#ifdef __cplusplus');
          accessors.add(line(own), owner);
          accessors.add('#else');
          accessors.add(line(head), owner);
          accessors.add('#endif');
        } else accessors.add(line(head), owner);
        accessors.add(`#ifdef ${d.name}`);
        accessors.add(`_NCFFI_EXPORT void ${macroGlobalSymbol(d.name)}(void) {} /* a macro: its address is taken at each access */`);
        accessors.add('#endif');
        break;
      }
      case 'constant': {
        const symbol = globals.get(d.name);
        if (symbol === undefined) break; // probed, or not readable (see bindingsOf)
        const what = `constant '${d.name}'`;
        const target = named(pointerTo(d.type), '', what);
        body.add(`_NCFFI_EXPORT void ${symbol}(void *out) { *(${target})out = (${d.name}); } /* cdef ${d.pos.line}:${d.pos.column} */`, {
          role: 'reader', subject: what, name: d.name, pos: d.pos,
        });
        break;
      }
      case 'tag':
      case 'typedef':
        break;
    }
  }

  const rows = probeRows(decls, spell);
  for (const line of fieldChecks(decls, spell)) {
    const a = line.about;
    checks.add(line.text, a && { role: 'field', subject: a.field ? `${a.type.cname}: field '${a.field}'` : a.type.cname, name: a.field || a.type.cname, pos: a.pos });
  }

  const glue = new Lines();
  glue.add('#line 0 "GLUE"'); // numbered below, once the glue's first line in the unit is known
  if (options.prelude === false) glue.add('#include <stddef.h>'); // offsetof, which the probes use
  glue.add('#if defined(__GNUC__) || defined(__clang__)');
  glue.add('# define _NCFFI_VISIBLE __attribute__((visibility("default")))');
  glue.add('# define _NCFFI_UNUSED __attribute__((unused))');
  glue.add('# define _NCFFI_ALIGNOF(t) __alignof__(t)');
  glue.add('#else');
  glue.add('# define _NCFFI_VISIBLE');
  glue.add('# define _NCFFI_UNUSED');
  glue.add('# define _NCFFI_ALIGNOF(t) _Alignof(t)');
  glue.add('#endif');
  // What node-cffi looks up by name: exported, and compiled as C++ (a '.cpp' source) under its C
  // name. A variable without an initialiser is a definition in C, and in C++ inside extern "C" { }.
  glue.add('#ifdef __cplusplus');
  glue.add('# define _NCFFI_EXPORT extern "C" _NCFFI_VISIBLE');
  glue.add('# define _NCFFI_DATA(...) extern "C" { _NCFFI_VISIBLE __VA_ARGS__; }');
  glue.add('#else');
  glue.add('# define _NCFFI_EXPORT _NCFFI_VISIBLE');
  glue.add('# define _NCFFI_DATA(...) _NCFFI_VISIBLE __VA_ARGS__;');
  glue.add('#endif');
  // C's spellings the glue writes, in C++ (here, after the source, whose own uses they leave alone).
  glue.add('#ifdef __cplusplus');
  glue.add('# define _Bool bool');
  glue.add('# define restrict __restrict');
  glue.add('#endif');
  // The first tokens after the source: a definition only file scope accepts (a static function
  // cannot nest), which fails to compile when the source ends inside a function body or a
  // declaration; verify() then reports that in the source. Only directives come before it (a
  // #pragma or a typedef inside a declaration would draw an error of its own first), and its first
  // token is END_TOKEN itself, not a macro: gcc places an error at a macro's first token at the
  // macro's definition, and some ("expected ')' before 'static'") at the source's last token.
  const end: Owner = { role: 'end', subject: sourceName, name: '', pos: null };
  glue.add(`${END_TOKEN} _NCFFI_UNUSED void ${PREFIX}end_of_source(void) {}`, end);
  glue.add('#if defined(__GNUC__) || defined(__clang__)');
  // The glue refers to every declaration of the cdef, used or not (a whole header's): one the
  // headers deprecate is the source's concern only where the source uses it, which still warns.
  glue.add('# pragma GCC diagnostic ignored "-Wdeprecated-declarations"');
  // The field checks take each field's address, never used: a packed struct's (sys/epoll.h's
  // struct epoll_event) would warn of unaligned pointers that no code makes.
  glue.add('# pragma GCC diagnostic ignored "-Waddress-of-packed-member"');
  glue.add('#endif');
  if (entries.length > 0) {
    // A function table entry: the function `f` itself when its type is `t`, else its wrapper `w`
    // (a compiler without these builtins, or C++, which has neither, always takes the wrapper).
    // _NCFFI_ENTRY_LIB is that for a function the C library has a symbol for (TableEntry.addressed),
    // inline or not; _NCFFI_ENTRY for any other, where with gcc a GNU extern inline function (gcc's
    // own intrinsics, _mm_pause) is no symbol of its own: its wrapper too.
    glue.add('#if (defined(__GNUC__) || defined(__clang__) || defined(__TINYC__)) && !defined(__cplusplus)');
    glue.add('# define _NCFFI_ENTRY_LIB(f, t, w) (_ncffi_fnptr)__builtin_choose_expr(__builtin_types_compatible_p(__typeof__(f), t), f, w)');
    glue.add('#else');
    glue.add('# define _NCFFI_ENTRY_LIB(f, t, w) (_ncffi_fnptr)w');
    glue.add('#endif');
    glue.add('#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 9 && !defined(__cplusplus)');
    glue.add('# define _NCFFI_ENTRY(f, t, w) (_ncffi_fnptr)__builtin_choose_expr(__builtin_types_compatible_p(__typeof__(f), t) && !__builtin_has_attribute(f, __gnu_inline__), f, w)');
    glue.add('#else');
    glue.add('# define _NCFFI_ENTRY _NCFFI_ENTRY_LIB');
    glue.add('#endif');
    glue.add('typedef void (*_ncffi_fnptr)(void);');
    for (const line of ADDRESSLESS_DEFINITION) glue.add(line);
  }
  // The glue's own checks rely on these being errors (gcc 14 makes them errors too); the
  // conversions the cdef asks for stay warnings. clang's group of incompatible pointer types
  // holds discarded qualifiers, which gcc (and CFFI) only warn about in calls: a warning here too.
  glue.add('#if defined(__clang__)', end);
  glue.add('# pragma clang diagnostic error "-Wincompatible-pointer-types"', end);
  glue.add('# pragma clang diagnostic warning "-Wincompatible-pointer-types-discards-qualifiers"', end);
  glue.add('#endif', end);
  glue.add('#if defined(__GNUC__) || defined(__clang__)', end);
  // C++ makes the first three errors itself, and gcc says the options are C's.
  glue.add('# ifndef __cplusplus', end);
  glue.add('#  pragma GCC diagnostic error "-Wimplicit-function-declaration"', end);
  glue.add('#  pragma GCC diagnostic error "-Wincompatible-pointer-types"', end);
  glue.add('#  pragma GCC diagnostic error "-Wint-conversion"', end);
  // Exported glue functions have no separate prototypes, and strict checks redeclare on purpose.
  glue.add('#  pragma GCC diagnostic ignored "-Wmissing-prototypes"', end);
  glue.add('# endif', end);
  glue.add('# pragma GCC diagnostic ignored "-Wmissing-declarations"', end);
  glue.add('# pragma GCC diagnostic ignored "-Wredundant-decls"', end);
  glue.add('#endif', end);
  for (const [cname, own] of CHAR_TYPES) {
    if (!spell.charTypes.has(cname)) continue;
    const macro = `__${cname.replace('_t', '').toUpperCase()}_TYPE__`; // __CHAR16_TYPE__, __CHAR32_TYPE__
    const fallback = cname === 'char16_t' ? 'uint_least16_t' : 'uint_least32_t';
    glue.add(`#ifdef ${macro}`);
    glue.add(`typedef ${macro} ${own};`);
    glue.add('#else');
    glue.add(`typedef ${fallback} ${own};`);
    glue.add('#endif');
  }
  const place = (part: Lines): void => part.text.forEach((line, i) => glue.add(line, part.owners[i]));
  if (externs.size > 0) {
    // What an extern "Python" function calls when nothing is attached to it yet: node-cffi's report, once it has set it.
    glue.add(`_NCFFI_DATA(void (*volatile ${EXTERN_REPORT})(const char *))`);
    glue.add(`_NCFFI_UNUSED static void ${PREFIX}unattached(const char *${PREFIX}m) { void (*${PREFIX}r)(const char *) = ${EXTERN_REPORT}; if (${PREFIX}r) ${PREFIX}r(${PREFIX}m); }`);
  }
  // The wrappers are thousands of one-line functions whose speed is the call's: optimising them as
  // hard as the source (-O3) would cost more than compiling the source itself. The source keeps the
  // flags it was given; the wrappers are optimised lightly when anything is optimised. (The
  // strict prototypes after them redeclare the source's functions, which must keep their options.)
  glue.add('#if defined(__OPTIMIZE__) && defined(__clang__)');
  glue.add('# pragma clang optimize off');
  glue.add('#elif defined(__OPTIMIZE__) && defined(__GNUC__)');
  glue.add('# pragma GCC push_options');
  glue.add('# pragma GCC optimize ("O1")');
  glue.add('#endif');
  place(body);
  glue.add('#if defined(__OPTIMIZE__) && defined(__clang__)');
  glue.add('# pragma clang optimize on');
  glue.add('#elif defined(__OPTIMIZE__) && defined(__GNUC__)');
  glue.add('# pragma GCC pop_options');
  glue.add('#endif');
  place(inlined);
  // The strict prototypes come before the table's own declarations, so that a conflict with the
  // source is reported against the source's line.
  place(prototypes);
  for (const [line, owner] of functionTable(entries)) glue.add(line, owner);
  place(checks);
  if (accessors.text.length) {
    // A global the source makes const and the cdef does not would be written in read-only memory.
    glue.add('#if defined(__clang__)');
    glue.add('# pragma clang diagnostic error "-Wincompatible-pointer-types-discards-qualifiers"');
    glue.add('#elif defined(__GNUC__) && !defined(__cplusplus)'); // an error in C++ already
    glue.add('# pragma GCC diagnostic error "-Wdiscarded-qualifiers"');
    glue.add('#endif');
    place(accessors);
  }
  probeTable(glue, PROBE_SYMBOL, rows);

  // The unit: prelude, source, glue; every line number below is the unit's own.
  const prelude = options.prelude === false ? [] : ['#define _CFFI_', ...PRELUDE_HEADERS.map((h) => `#include <${h}>`)];
  const sourceText = source.endsWith('\n') ? source.slice(0, -1) : source;
  const sourceLength = sourceText === '' ? 0 : sourceText.split('\n').length;
  const glueStart = prelude.length + 2 + sourceLength; // the line of the glue's #line directive, after the prelude, the source's #line and the source
  glue.text[0] = `#line ${glueStart + 1} "${GLUE_FILE}"`;
  const unitLines = [...prelude, `#line 1 "${quoteFile(sourceName)}"`, ...(sourceLength ? [sourceText] : []), ...glue.text];
  const owners = new Map<number, Owner>();
  glue.owners.forEach((o, i) => {
    if (o) owners.set(glueStart + i, o);
  });
  return {
    unit: `${unitLines.join('\n')}\n`,
    sourceName,
    prelude: preludeOf(options),
    glueStart,
    sourceEnd: endOf(sourceText),
    companion: companionOf(source, sourceName),
    functions,
    externs,
    globals,
    probeSymbol: PROBE_SYMBOL,
    probes: rows.map((r) => r.probe),
    owners,
    strict,
  };
}

/** The standard headers a unit includes before the source. */
const preludeOf = (options: GlueOptions): readonly string[] => (options.prelude === false ? [] : PRELUDE_HEADERS);

/** The symbol of the probe table function. */
const PROBE_SYMBOL = `${PREFIX}probes`;

/** The Speller of the glue for `decls`, which also knows the names of options.spellingOnly. */
const spellerOf = (decls: readonly Decl[], options: GlueOptions): Speller => new Speller(options.spellingOnly ? [...decls, ...options.spellingOnly] : decls);

/** The source's own text for the compiler's quotes of it, when `sourceName` is a plain file name. */
function companionOf(source: string, sourceName: string): Glue['companion'] {
  return !/[\\/]/.test(sourceName) && sourceName !== GLUE_FILE && sourceName !== '' ? { name: sourceName, text: source } : null;
}

/**
 * The glue for a translation unit whose hash is known (remembered from an earlier build of the
 * same inputs): what loading the library needs now (the bindings, exactly as generateGlue makes
 * them); the probes, made when first asked for (a library settled before is not probed again);
 * and the unit with what refers to its lines (glueStart, sourceEnd, owners) made by generateGlue
 * only when first asked for, to compile the unit again or to tell its compiler's warnings.
 */
export function planGlue(decls: readonly Decl[], source: string, sourceName: string, options: GlueOptions = {}): Glue {
  return new PlannedGlue(decls, source, sourceName, options);
}

/**
 * planGlue()'s glue. A class, not an object literal with getters: each literal's getters are new
 * closures, which V8 keeps in a map the literals share, so that the declarations they close over
 * (a whole FFI's types) outlived every young-generation collection until a full one.
 */
class PlannedGlue implements Glue {
  readonly functions: Bindings['functions'];
  readonly externs: Bindings['externs'];
  readonly globals: Bindings['globals'];
  readonly companion: Glue['companion'];
  readonly probeSymbol = PROBE_SYMBOL;
  readonly strict: boolean;
  readonly prelude: readonly string[];
  #probes: Probe[] | undefined;
  #whole: Glue | undefined;

  constructor(
    private readonly decls: readonly Decl[],
    private readonly source: string,
    readonly sourceName: string,
    private readonly options: GlueOptions,
  ) {
    ({ functions: this.functions, externs: this.externs, globals: this.globals } = bindingsOf(decls));
    this.companion = companionOf(source, sourceName);
    this.strict = options.strictPrototypes === true;
    this.prelude = preludeOf(options);
  }

  #made(): Glue {
    return (this.#whole ??= generateGlue(this.decls, this.source, this.sourceName, this.options));
  }

  get unit(): string {
    return this.#made().unit;
  }

  get glueStart(): number {
    return this.#made().glueStart;
  }

  get sourceEnd(): Glue['sourceEnd'] {
    return this.#made().sourceEnd;
  }

  get owners(): Glue['owners'] {
    return this.#made().owners;
  }

  get probes(): readonly Probe[] {
    return (this.#probes ??= probeRows(this.decls, spellerOf(this.decls, this.options)).map((r) => r.probe));
  }
}

/** A C string literal of `text` (ASCII apart from what is escaped). */
const cString = (text: string): string => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * The C definition of an extern "Python" function, as CFFI's recompiler gives one: the declared
 * signature, static unless the cdef said "Python+C" (which lets other C files call it too),
 * placed after the source, which declares it before calling it. It calls through `slot`, which
 * ffi.defExtern() fills with the JavaScript function's C address (structs, unions and long doubles
 * passed by pointer when `lowered`); until then it reports the call and returns the zero value
 * of its result (`error`, zero until ffi.defExtern() stores the error value there). The slot and
 * the error value are exported for node-cffi, and so is the function's address (it may be static).
 */
function externFunction(
  d: Decl & { kind: 'extern-callback' },
  b: ExternBinding,
  declare: (t: CType, name: string, quals?: number) => string,
): string[] {
  const t = d.type;
  const sig = b.lowered ?? t;
  const at = `/* cdef ${d.pos.line}:${d.pos.column} */`;
  const lines: string[] = [];
  lines.push(`_NCFFI_DATA(${declare(pointerTo(sig), b.slot, Q_VOLATILE)}) ${at}`);
  if (b.error !== null) lines.push(`_NCFFI_DATA(${declare(t.result, b.error)}) ${at}`);
  const params = t.args.map((a, i) => declare(a, `${PREFIX}a${i}`));
  const head = declare(t.result, `${d.name}(${params.length ? params.join(', ') : 'void'})`);
  const byPtr = b.lowered !== null && byPointer(t.result);
  const args = t.args.map((a, i) => (b.lowered !== null && byPointer(a) ? `&${PREFIX}a${i}` : `${PREFIX}a${i}`));
  const fn = `${PREFIX}fn`;
  const report = `${PREFIX}unattached(${cString(`${`extern "${d.language}" function ${d.name}()`} called, but no code was attached to it yet with ffi.defExtern()${t.result.kind === 'void' ? '' : '; returning 0'}`)});`;
  const body: string[] = [`${declare(pointerTo(sig), fn)} = ${b.slot};`];
  if (t.result.kind === 'void') {
    body.push(`if (${fn}) { ${fn}(${args.join(', ')}); return; }`, report);
  } else if (byPtr) {
    const r = `${PREFIX}r`;
    body.push(`${declare(t.result, r)} = ${b.error};`, `if (${fn}) { ${fn}(${[`&${r}`, ...args].join(', ')}); return ${r}; }`, report, `return ${r};`);
  } else {
    body.push(`if (${fn}) return ${fn}(${args.join(', ')});`, report, `return ${b.error};`);
  }
  lines.push(`${d.exportedToC ? '' : 'static '}${head} { ${body.join(' ')} } ${at}`);
  lines.push(`_NCFFI_EXPORT ${declare(pointerTo(t), b.address, Q_CONST)} = ${d.name}; ${at}`);
  return lines;
}

/** The wrapper of a non-variadic function, with `linkage` ('_NCFFI_EXPORT', or static for one in the function table): it calls the function with the cdef's types, by-value structs and long doubles passed by pointer. */
function wrapper(
  d: { readonly name: string; readonly type: FunctionType; readonly pos: SourcePos }, lowered: FunctionType | null, declare: (t: CType, name: string) => string, linkage: string,
): string {
  const t = d.type;
  const sig = lowered ?? t;
  const params = sig.args.map((a, i) => declare(a, `${PREFIX}a${i}`));
  const shift = lowered && byPointer(t.result) ? 1 : 0; // a lowered result is the first parameter
  const arg = (i: number): string => `${PREFIX}a${i + shift}`;
  const call = `${d.name}(${t.args.map((a, i) => (byPointer(a) ? `*${arg(i)}` : arg(i))).join(', ')})`;
  const head = declare(sig.result, `${PREFIX}f_${d.name}(${params.length ? params.join(', ') : 'void'})`);
  const run = shift ? `*${PREFIX}a0 = ${call};` : t.result.kind === 'void' ? `${call};` : `return ${call};`;
  return `${linkage} ${head} { ${run} } /* cdef ${d.pos.line}:${d.pos.column} */`;
}

/** The function of a lowered function with the cdef's own type, structs by value (see directSymbol). */
function direct(d: Decl & { kind: 'function' }, declare: (t: CType, name: string) => string): string {
  const t = d.type;
  const params = t.args.map((a, i) => declare(a, `${PREFIX}a${i}`));
  const call = `${d.name}(${t.args.map((_, i) => `${PREFIX}a${i}`).join(', ')})`;
  const head = declare(t.result, `${directSymbol(d.name)}(${params.length ? params.join(', ') : 'void'})`);
  return `_NCFFI_EXPORT ${head} { ${t.result.kind === 'void' ? `${call};` : `return ${call};`} } /* cdef ${d.pos.line}:${d.pos.column} */`;
}

/**
 * The probe table: an exported function returning two 64-bit values per probe. The constant rows
 * are the initialiser of a static array (data, not code: thousands of assignments in one
 * function cost an optimising compiler seconds), one row a line and without a comment (what
 * each is about is in the owners: at header scale, comments made a third of the glue's text);
 * the function stores the other rows when called.
 */
function probeTable(out: Lines, symbol: string, rows: readonly ProbeRow[]): void {
  const stored = rows.filter((r) => !constantRow(r));
  const owner = (r: ProbeRow): Owner => ({ role: 'probe', subject: r.subject, name: r.name, pos: r.pos, probe: r.probe.kind });
  out.add(`_NCFFI_EXPORT const unsigned long long *${symbol}(void) {`);
  out.add(`  static ${stored.length ? '' : 'const '}unsigned long long ${PREFIX}t[${2 * rows.length + 2}] = {`);
  for (const r of rows) {
    // An enumerator a macro of the same name later stands for (linux/pkt_sched.h's __TC_MQPRIO_MODE_MAX) is read as itself.
    const name = enumeratorOf(r);
    for (const line of name === null ? [] : [`#pragma push_macro("${name}")`, `#undef ${name}`]) out.add(line);
    if (constantRow(r)) out.add(`    ${r.values[0]}, ${r.values[1]},`, owner(r));
    else out.add(`    0, 0, /* ${commentText(r.about)}: stored below */`);
    if (name !== null) out.add(`#pragma pop_macro("${name}")`);
  }
  out.add('    0, 0 };');
  rows.forEach((r, i) => {
    if (constantRow(r)) return;
    out.add(`  ${PREFIX}t[${2 * i}] = ${r.values[0]}; ${PREFIX}t[${2 * i + 1}] = ${r.values[1]}; /* ${commentText(r.about)} */`, owner(r));
  });
  out.add(`  return ${PREFIX}t;`);
  out.add('}');
}

/** The last line of `text` that is neither blank nor only a comment (1 when none) and the column after its last character. */
function endOf(text: string): { line: number; column: number } {
  const lines = text.split('\n');
  let i = lines.length - 1;
  // (cc() stamps a comment line after the source.)
  while (i > 0 && /^\s*(?:\/\*(?:[^*]|\*(?!\/))*\*\/\s*|\/\/.*)?$/.test(lines[i])) i--;
  return { line: i + 1, column: lines[i].trimEnd().length + 1 };
}
