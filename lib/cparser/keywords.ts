// The words of C and GNU C: what C makes of each, the standard word it spells, and what cdef makes of it.
import { Q_CONST, Q_RESTRICT, Q_VOLATILE } from '../ctype/model';

/** What cdef makes of a keyword. */
export type KeywordRole =
  | { readonly kind: 'type' }
  | { readonly kind: 'qualifier'; readonly bit: number }
  | { readonly kind: 'storage' }
  | { readonly kind: 'tag' }
  /** Known to C or GCC, deliberately not accepted by cdef; `reason` is the whole message. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** Other C keywords (statements, operators): never a name, never part of a declaration. */
  | { readonly kind: 'reserved' };

/** What a word is in GNU C, whatever cdef makes of it: what a reader of whole C sources needs to know. */
export type CRole =
  /** A type specifier word ('int', '_Float128', '__builtin_va_list'). */
  | 'type'
  | 'qualifier'
  | 'storage'
  | 'tag'
  /** 'typeof' and its spellings: a parenthesised type or expression follows. */
  | 'typeof'
  /** '__attribute__', '__declspec': a parenthesised list of attributes follows. */
  | 'attribute'
  /** '_Alignas': a parenthesised alignment follows. */
  | 'alignas'
  /** 'asm' labels and statements: qualifiers and a parenthesised part follow. */
  | 'asm'
  /** Words that change nothing a declaration's type says ('__extension__', 'inline', '_Nullable'). */
  | 'noise'
  /** Statements, operators and the rest: never part of a declaration's type. */
  | 'other';

/** One word of the keyword table. */
export interface CWord {
  readonly role: CRole;
  /** The standard word it is a spelling of ('__const' → 'const'); the word itself otherwise. */
  readonly standard: string;
  /** What cdef makes of it; undefined where cdef takes it for a name. */
  readonly cdef: KeywordRole | undefined;
}

const TYPE: KeywordRole = { kind: 'type' };
const STORAGE: KeywordRole = { kind: 'storage' };
const TAG: KeywordRole = { kind: 'tag' };
const RESERVED: KeywordRole = { kind: 'reserved' };
const qualifier = (bit: number): KeywordRole => ({ kind: 'qualifier', bit });
const refused = (reason: string): KeywordRole => ({ kind: 'refused', reason });

const attributes = (word: string): KeywordRole =>
  refused(`'${word}' is not supported in cdef; leave it out here (the source given to verify() keeps it)`);
const inline = (word: string): KeywordRole =>
  refused(
    `'${word}' functions are not allowed in cdef; declare the prototype here and define the function ` +
      'in the source given to verify()',
  );
const unsupported = (word: string, what = `'${word}'`): KeywordRole => refused(`${what} is not supported in cdef`);

/** Words of C and GNU C: [word, role in C, what cdef makes of it, the standard word it spells]. */
const WORDS: readonly (readonly [string, CRole, KeywordRole | undefined, string?])[] = [
  ...['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool'].map(
    (w) => [w, 'type', TYPE] as const,
  ),
  ['__signed', 'type', undefined, 'signed'],
  ['__signed__', 'type', undefined, 'signed'],
  ['_Complex', 'type', TYPE],
  ['__complex__', 'type', TYPE, '_Complex'],
  ['_Imaginary', 'type', unsupported('_Imaginary', "'_Imaginary' (imaginary number types)")],
  ['__int128', 'type', unsupported('__int128')],
  ['_BitInt', 'type', unsupported('_BitInt')],
  // GCC's other arithmetic types and its va_list: names to cdef, which knows none of them.
  ...[
    '_Float16', '_Float32', '_Float64', '_Float128', '_Float32x', '_Float64x', '_Float128x', '__float128', '__float80',
    '__fp16', '__bf16', '_Decimal32', '_Decimal64', '_Decimal128', '__builtin_va_list',
  ].map((w) => [w, 'type', undefined] as const),
  ['const', 'qualifier', qualifier(Q_CONST)],
  ['volatile', 'qualifier', qualifier(Q_VOLATILE)],
  ['restrict', 'qualifier', qualifier(Q_RESTRICT)],
  ['__restrict', 'qualifier', qualifier(Q_RESTRICT), 'restrict'],
  ['__restrict__', 'qualifier', qualifier(Q_RESTRICT), 'restrict'],
  ['__const', 'qualifier', undefined, 'const'],
  ['__const__', 'qualifier', undefined, 'const'],
  ['__volatile', 'qualifier', undefined, 'volatile'],
  ['__volatile__', 'qualifier', undefined, 'volatile'],
  ['_Atomic', 'qualifier', unsupported('_Atomic', "'_Atomic' (atomic types)")],
  ['typedef', 'storage', STORAGE],
  ['extern', 'storage', STORAGE],
  ['static', 'storage', STORAGE],
  // 'register' on a parameter changes nothing a caller sees (specifiers.ts takes it there only).
  ['register', 'storage', STORAGE],
  ...['auto', '_Thread_local', 'thread_local', '__thread'].map(
    (w) => [w, 'storage', unsupported(w, `the storage class '${w}'`)] as const,
  ),
  ['struct', 'tag', TAG],
  ['union', 'tag', TAG],
  ['enum', 'tag', TAG],
  ['typeof', 'typeof', unsupported('typeof')],
  ['__typeof', 'typeof', unsupported('__typeof'), 'typeof'],
  ['__typeof__', 'typeof', unsupported('__typeof__'), 'typeof'],
  ['__attribute__', 'attribute', attributes('__attribute__')],
  ['__attribute', 'attribute', attributes('__attribute'), '__attribute__'],
  ['__declspec', 'attribute', attributes('__declspec')],
  ['_Alignas', 'alignas', unsupported('_Alignas')],
  ['alignas', 'alignas', unsupported('alignas'), '_Alignas'],
  ['asm', 'asm', unsupported('asm')],
  ['__asm', 'asm', unsupported('__asm'), 'asm'],
  ['__asm__', 'asm', unsupported('__asm__'), 'asm'],
  ['inline', 'noise', inline('inline')],
  ['__inline', 'noise', inline('__inline'), 'inline'],
  ['__inline__', 'noise', inline('__inline__'), 'inline'],
  ['_Noreturn', 'noise', unsupported('_Noreturn')],
  ['__extension__', 'noise', unsupported('__extension__')],
  // Attribute-like words of other compilers, met as bare words in system headers.
  ...['__noreturn__', '_Nullable', '_Nonnull', '_Null_unspecified', '__unaligned'].map((w) => [w, 'noise', undefined] as const),
  ['_Static_assert', 'other', unsupported('_Static_assert')],
  ['static_assert', 'other', unsupported('static_assert')],
  ['_Generic', 'other', unsupported('_Generic')],
  ...[
    'break', 'case', 'continue', 'default', 'do', 'else', 'for', 'goto', 'if', 'return', 'switch', 'while',
    'sizeof', '_Alignof', 'alignof', '__alignof__',
  ].map((w) => [w, 'other', RESERVED] as const),
];

const C_WORDS = new Map<string, CWord>(WORDS.map(([w, role, cdef, standard]) => [w, { role, standard: standard ?? w, cdef }]));

/** The keywords of cdef: the words of the table that cdef does not take for names. */
const KEYWORDS = new Map<string, KeywordRole>(WORDS.flatMap(([w, , cdef]) => (cdef ? [[w, cdef] as const] : [])));

/**
 * Calling-convention words that only 32-bit Windows gives a meaning: cdef drops them, as CFFI does
 * on every other platform ('int __stdcall f(int);', 'long (__cdecl *cb)(void)', 'WINAPI').
 */
const CDEF_IGNORED = new Set(['__stdcall', '__cdecl', 'WINAPI']);

/** True for a word the cdef lexer drops (see CDEF_IGNORED). */
export function ignoredInCdef(text: string): boolean {
  return CDEF_IGNORED.has(text);
}

/** The words the cdef lexer tells apart by itself: the keywords with their roles, then the words it drops (role undefined). */
export const LEXER_WORDS: readonly (readonly [string, KeywordRole | undefined])[] = [...KEYWORDS, ...[...CDEF_IGNORED].map((w) => [w, undefined] as const)];

/** The role of a cdef keyword, or undefined for an ordinary identifier. */
export function keyword(text: string): KeywordRole | undefined {
  return KEYWORDS.get(text);
}

/** What GNU C makes of a word, or undefined for an ordinary identifier. */
export function cWord(text: string): CWord | undefined {
  return C_WORDS.get(text);
}
