// The addresses C code around the source takes: the glue's function table, the weak references to a header's functions and globals, and the test for the compiler's builtins that have none.
import { FUNCTION_TABLE } from './bindings';

/**
 * A preprocessor test, true for a function the compiler builds in without an address (clang's
 * x86 intrinsics `_mm_pause`, `_mm_mfence`, `_mm_clflush`, which emmintrin.h declares without a
 * body): neither a weak reference nor a function table entry may name it, only a call. clang
 * answers `__has_builtin` for library functions too (`memcpy`), which have an address and a
 * `__builtin_` twin; these have no twin. Some library functions have none either (`strerror`,
 * `fopen`, `_exit`): the function table does not ask for a name the C library exports (TableEntry.addressed).
 * 0 with every other compiler, whose intrinsics are inline functions. An argument that is a macro
 * is expanded before the test, as a use of the name would be.
 */
export const ADDRESSLESS = '_NCFFI_ADDRESSLESS';

/** The definition of ADDRESSLESS, guarded: the weak references and the glue each start with it. */
export const ADDRESSLESS_DEFINITION = [
  `#ifndef ${ADDRESSLESS}`,
  '# if defined(__clang__) && defined(__has_builtin)',
  `#  define ${ADDRESSLESS}(f) ${ADDRESSLESS}_(f)`,
  `#  define ${ADDRESSLESS}_(f) (__has_builtin(f) && !__has_builtin(__builtin_##f))`,
  '# else',
  `#  define ${ADDRESSLESS}(f) 0`,
  '# endif',
  '#endif',
];

/** The symbol of the table weakReferences() adds. */
export const WEAK_TABLE = '_ncffi_header_functions';

/**
 * C to append to a source that includes the headers: a weak reference to each function and global
 * a header declared (a header may declare what the library was built without, such as sqlite3's
 * optional APIs, or what the program is meant to define), and a table of their addresses, 0 for
 * those no library linked defines. A global that is also an object-like macro (netdb.h's
 * `h_errno`, an expression) is taken as defined, as a strong reference would have it, and so is a
 * function the compiler builds in without an address (ADDRESSLESS), which the glue calls through
 * its wrapper. Those in `strong`, which a static archive of the link defines, get no weak
 * reference: the table refers to them strongly, and the linker takes them in.
 */
export function weakReferences(names: readonly string[], variables: ReadonlySet<string> = new Set(), strong: ReadonlySet<string> = new Set()): string {
  if (names.length === 0) return '';
  // A weak redeclaration of the same type (tcc ignores '#pragma weak'; every compiler here takes this).
  // Spelled `__attribute`: glibc's <sys/cdefs.h> defines `__attribute__` away for compilers it does
  // not take for GCC (tcc), which would silently make the reference strong.
  // A function whose name is also an object-like macro (`#define f (f)`, `#define f f_impl`) is
  // referred to through the macro, as before the test: the test is for a name (clang refuses a '('
  // in __has_builtin), and is never evaluated after an #ifdef taken.
  // One a static archive of the link defines is referred to strongly (the table's entry): a weak
  // reference takes no member out of an archive.
  const weak = names.filter((n) => !strong.has(n)).map((n) => {
    const line = `extern __typeof__(${n}) ${n} __attribute((weak));`;
    return variables.has(n) ? `#ifndef ${n}\n${line}\n#endif` : `#if defined(${n})\n${line}\n#elif !${ADDRESSLESS}(${n})\n${line}\n#endif`;
  });
  const entries = names.map((n) => {
    const address = `  (const void *)&${n},`;
    if (variables.has(n)) return `#ifdef ${n}\n  (const void *)1,\n#else\n${address}\n#endif`;
    return `#ifdef ${n}\n${address}\n#elif ${ADDRESSLESS}(${n})\n  (const void *)1,\n#else\n${address}\n#endif`;
  });
  // The table refers to every declaration, used or not: a deprecated one is no concern of the
  // source's; nor is one the source defines, whose weak redeclaration clang says it ignores.
  return `\n${ADDRESSLESS_DEFINITION.join('\n')}\n#pragma GCC diagnostic push\n#pragma GCC diagnostic ignored "-Wdeprecated-declarations"\n#pragma GCC diagnostic ignored "-Wignored-attributes"\n${weak.join('\n')}\n` +
    `const void *const ${WEAK_TABLE}[] = {\n${entries.join('\n')}\n};\n#pragma GCC diagnostic pop\n`;
}

/** A function reached through the table: its C name, its cdef type spelled in C, its wrapper, and the owner of its lines. */
export interface TableEntry<O> {
  readonly name: string;
  readonly type: string;
  readonly wrapper: string;
  readonly owner: O;
  /** The entry is the wrapper, whatever the function's type (glue.ts's GlueOptions.wrapped). */
  readonly wrapperOnly?: boolean;
  /**
   * The C library exports a symbol of its name (GlueOptions.addressed): the function has an address
   * whatever the compiler builds in (clang's toupper and fopen, which have no `__builtin_` twin)
   * or inlines (glibc's GNU extern inline toupper, whose address is the library's): the entry is
   * the function itself where its type is the cdef's, as for any other function.
   */
  readonly addressed?: boolean;
}

/**
 * The function table (FUNCTION_TABLE), as lines with the owners of those about an entry. A
 * function-like macro has no type to compare, and an object-like one may name anything: a macro
 * is always reached through its wrapper, and so is a function the compiler builds in without an
 * address (ADDRESSLESS). A function is declared `extern` before its entry takes its address: a
 * C99 `inline` definition in the source then becomes the external definition (as it must be, for
 * an address), where it would otherwise leave the library with an undefined symbol; a `static`
 * one keeps its internal linkage.
 */
export function functionTable<O>(entries: readonly TableEntry<O>[]): [string, O?][] {
  const out: [string, O?][] = [];
  if (entries.length === 0) return out;
  for (const e of entries) {
    // Not in C++: it has no C99 inline, an overloaded name (<math.h>'s sin) has no one type, and the entry is the wrapper anyway.
    const declaration: [string, O] = [`extern __typeof__(${e.name}) ${e.name};`, e.owner];
    if (e.addressed) out.push([`#if !defined(${e.name}) && !defined(__cplusplus)`], declaration, ['#endif']);
    else out.push([`#if !defined(${e.name}) && !defined(__cplusplus)`], [`# if !${ADDRESSLESS}(${e.name})`], declaration, ['# endif'], ['#endif']);
  }
  out.push([`_NCFFI_EXPORT _ncffi_fnptr const ${FUNCTION_TABLE}[${entries.length}] = {`]);
  for (const e of entries) {
    const wrapper: [string, O] = [`  (_ncffi_fnptr)${e.wrapper},`, e.owner];
    if (e.wrapperOnly) out.push(wrapper);
    else {
      out.push([`#ifdef ${e.name}`], wrapper);
      // (A variadic function's entry is the function itself: it has no wrapper.)
      if (e.wrapper !== e.name && !e.addressed) out.push([`#elif ${ADDRESSLESS}(${e.name})`], wrapper);
      out.push(['#else'], [`  ${e.addressed ? '_NCFFI_ENTRY_LIB' : '_NCFFI_ENTRY'}(${e.name}, ${e.type}, ${e.wrapper}),`, e.owner], ['#endif']);
    }
  }
  out.push(['};']);
  return out;
}
