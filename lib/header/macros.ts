// A header's macros beyond integer constants: the values of string and floating literals, and the C types of function-like macros that call a declared function.
import { CDefError } from '../errors';
import { MacroDef, pieceKind, preprocessedPieces } from '../cparser/preprocessed';
import { isFloatLiteral } from '../cparser/constexpr';
import { parseCdef } from '../cparser/parser';
import { CType, FunctionType } from '../ctype/model';
import { functionType } from '../ctype/intern';
import { Registry } from '../ctype/registry';
import { Item } from '../cc/emit';
import { Notes } from '../cc/select';
import { cWord } from '../cparser/keywords';

/** The tokens of macro text, without blanks (from its pieces, when read already). */
export const tokensOf = (text: string, pieces: readonly string[] = preprocessedPieces(text)): string[] => pieces.filter((p) => pieceKind(p) !== null);

/**
 * The tokens of macro text after a leading `_Pragma` that only makes the compiler say something
 * where the macro is used (libtasn1.h's `#define node_asn_struct _Pragma ("GCC warning \"...is deprecated\"") asn1_node_st`):
 * the macro's meaning where C takes a pragma there (before a declaration, not in an expression).
 * Null for text that does not begin so.
 */
export function afterWarning(tokens: readonly string[]): readonly string[] | null {
  const said = tokens[0] === '_Pragma' && tokens[1] === '(' && tokens[3] === ')' && /^"\s*(GCC\s+warning|message)\b/.test(tokens[2] ?? '');
  return said ? tokens.slice(4) : null;
}

/** Index after the bracket group opened at `open`, or -1 when it never closes. */
function closing(toks: readonly string[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    if (toks[i] === '(') depth++;
    else if (toks[i] === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/** The tokens without parentheses around the whole. */
function unwrap(toks: readonly string[]): readonly string[] {
  let t = toks;
  while (t.length >= 2 && t[0] === '(' && closing(t, 0) === t.length) t = t.slice(1, -1);
  return t;
}

/** The tokens without parentheses around the whole, nor GCC's mark of an extension before it, which changes nothing of a value (complex.h's `(__extension__ 1.0iF)`). */
function bare(toks: readonly string[]): readonly string[] {
  let t = unwrap(toks);
  while (t[0] === '__extension__') t = unwrap(t.slice(1));
  return t;
}

/**
 * The value of macro text that is only string literals (concatenated, as the compiler joins them)
 * or one floating value with an optional sign: a floating literal, any number cast to a floating
 * type (float.h's `DBL_MAX` is `((double)1.79…e+308L)`), or GCC's infinity and NaN builtins
 * (math.h's `HUGE_VAL`, `INFINITY`, `NAN`). The value is what the program sees, as JavaScript
 * holds it; a long double beyond a double's range is a reason (a string in `{ error }`). Null for
 * anything else (integers go to cdef; expressions are not evaluated here). `tokens`: the text's
 * tokens, when read already.
 */
export function literalValue(expanded: string, tokens: readonly string[] = tokensOf(expanded)): string | number | ComplexValue | { error: string } | null {
  const toks = bare(tokens);
  if (toks.length === 0) return null;
  if (toks.every((t) => pieceKind(t) === 'string')) {
    if (!toks.every((t) => t.startsWith('"') || t.startsWith('u8"'))) return null; // wide strings: not char text
    const bytes = toks.flatMap((t) => stringBytes(t.slice(t.indexOf('"') + 1, -1)));
    return Buffer.from(bytes).toString('utf8');
  }
  let sign = 1;
  let rest = toks;
  if (rest.length >= 2 && (rest[0] === '-' || rest[0] === '+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = bare(rest.slice(1));
  }
  if (rest.length === 1 && IMAGINARY.test(rest[0])) return imaginaryValue(rest[0], sign);
  const v = floatingValue(rest);
  if (v === null || typeof v !== 'number') return v;
  return sign * v;
}

/** A complex value, as JSON holds it: the real and imaginary parts (see MacroValue). */
export interface ComplexValue {
  readonly complex: readonly [number, number];
}

/** GCC's imaginary constants: a number with `i` or `j` among its suffixes (`1.0iF`, `2.5fi`, `3i`). */
const IMAGINARY = /^[0-9.][0-9a-zA-Z.+-]*?(?:[iIjJ][fFlL]?|[fFlL][iIjJ])$/;

/**
 * The value of an imaginary constant, times `sign`: complex.h's `_Complex_I` is `1.0iF`, a
 * `float _Complex` of real part 0. One of an integer (`_Complex int`) or of a long double
 * (`long double _Complex`) is a reason: JavaScript has complex values of float and double only.
 */
function imaginaryValue(text: string, sign: number): ComplexValue | { error: string } {
  const body = text.replace(/[iIjJ]/, '');
  if (!isFloatLiteral(body)) return { error: `its value, ${text}, is an imaginary integer ('_Complex int'); only complex floating values are declared` };
  if (/[lL]$/.test(body)) return { error: `its value, ${text}, is a 'long double _Complex', which has no equivalent here` };
  const v = floatLiteral(body);
  if (v === null) return { error: `its value, ${text}, is not a number C reads` };
  return beyondDouble(text, body, v) ?? { complex: [sign * 0, sign * v] };
}

/** The floating types a cast in a macro's value may name, by spelling, and whether values round to float. */
const FLOAT_CASTS = new Map([['float', 'f'], ['double', ''], ['long double', 'l']]);

/** GCC's builtins for infinity and NaN, as glibc's math.h spells HUGE_VAL, INFINITY, NAN and SNAN (a signalling NaN: JavaScript has one NaN) and their _FloatN forms. */
const BUILTIN_VALUES = /^__builtin_(huge_val|inf|nans?)([fl]|f(?:32|64|128)x?)?$/;

/** One floating value (see literalValue), without its sign. */
function floatingValue(toks: readonly string[]): number | { error: string } | null {
  let float = false;
  let rest = toks;
  if (rest[0] === '(') {
    const end = closing(rest, 0);
    const type = end < 0 ? undefined : FLOAT_CASTS.get(rest.slice(1, end - 1).join(' '));
    if (type === undefined) return null;
    float = type === 'f';
    rest = unwrap(rest.slice(end));
    if (rest.length === 1 && pieceKind(rest[0]) === 'number' && !isFloatLiteral(rest[0])) {
      const n = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)[uUlL]*$/.exec(rest[0]);
      if (n === null) return null;
      const v = Number(n[1].length > 1 && n[1][0] === '0' && !/[xX]/.test(n[1]) ? `0o${n[1].slice(1)}` : n[1]);
      return float ? Math.fround(v) : v;
    }
  }
  const builtin = rest.length >= 3 && rest[1] === '(' && rest[rest.length - 1] === ')' ? BUILTIN_VALUES.exec(rest[0]) : null;
  if (builtin !== null) {
    const args = rest.slice(2, -1);
    const nan = builtin[1] !== 'huge_val' && builtin[1] !== 'inf';
    if (nan ? !(args.length === 1 && /^"0?"$/.test(args[0])) : args.length !== 0) return null;
    return nan ? NaN : Infinity;
  }
  if (rest.length !== 1 || pieceKind(rest[0]) !== 'number' || !isFloatLiteral(rest[0])) return null;
  const v = floatLiteral(rest[0]);
  if (v === null) return null;
  return beyondDouble(rest[0], rest[0], v) ?? (float ? Math.fround(v) : v);
}

/**
 * A macro that casts an integer to a type (`((sqlite3_destructor_type)-1)`): the type's text and
 * the integer; null for anything else. The caller decides whether the type is a pointer type.
 * `tokens`: the text's tokens, when read already.
 */
export function castConstant(expanded: string, tokens: readonly string[] = tokensOf(expanded)): { type: string; value: number } | null {
  const toks = unwrap(tokens);
  if (toks[0] !== '(') return null;
  const end = closing(toks, 0);
  if (end < 3 || end >= toks.length) return null;
  const type = toks.slice(1, end - 1);
  if (!type.every((t) => t === '*' || pieceKind(t) === 'ident')) return null;
  let rest = unwrap(toks.slice(end));
  let sign = 1;
  if (rest.length === 2 && rest[0] === '-') {
    sign = -1;
    rest = unwrap(rest.slice(1));
  }
  const m = rest.length === 1 ? /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)[uUlL]*$/.exec(rest[0]) : null;
  if (!m) return null;
  const v = m[1].length > 1 && m[1][0] === '0' && !/[xX]/.test(m[1]) ? parseInt(m[1], 8) : Number(m[1]);
  return Number.isSafeInteger(v) ? { type: type.join(' ').replace(/ \*/g, ' *').replace(/\* \*/g, '**'), value: sign * v } : null;
}

/** Why `text`, whose floating literal `literal` reads as `v`, has no value here (it overflows a double, or underflows one to 0), or null. */
function beyondDouble(text: string, literal: string, v: number): { error: string } | null {
  if (Number.isFinite(v) && !(v === 0 && nonZero(literal))) return null;
  return { error: `its value, ${text}, is beyond the range of a double, the widest floating type JavaScript holds` };
}

/** Whether a floating literal's digits, before its exponent, are not all zeros. */
function nonZero(literal: string): boolean {
  const hex = /^0[xX]/.test(literal);
  return (hex ? /[1-9a-fA-F]/ : /[1-9]/).test(literal.slice(hex ? 2 : 0).replace(hex ? /[pP].*$/ : /[eE].*$/, ''));
}

/** A C floating literal's value as a double ('f' and 'f32' suffixes: rounded to float first); null when malformed. */
function floatLiteral(text: string): number | null {
  // The suffixes of C's types and of the _FloatN types (math.h's M_PIf32, M_PIf64x); no _Float16.
  const m = /^(.*?)([fFlL]?|[fF](?:32|64|128)x?)$/.exec(text) as RegExpExecArray;
  const body = m[1];
  let v: number;
  const hex = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(body);
  if (hex) {
    const digits = `${hex[1]}${hex[2] ?? ''}`;
    if (digits === '') return null;
    // Exact: the digits form an integer (up to 2^53 is exact; beyond, parseInt rounds once, as strtod does for common literals).
    v = parseInt(digits, 16) * 2 ** (Number(hex[3]) - 4 * (hex[2] ?? '').length);
  } else {
    if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) return null;
    v = Number(body);
  }
  return /^[fF](32)?$/.test(m[2]) ? Math.fround(v) : v;
}

/** The bytes a C string literal's contents stand for (UTF-8 for characters beyond ASCII). */
function stringBytes(body: string): number[] {
  const out: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, '"': 34, "'": 39, '?': 63, e: 27 };
  for (let i = 0; i < body.length; ) {
    if (body[i] !== '\\') {
      const cp = body.codePointAt(i) as number;
      if (cp < 0x80) out.push(cp); // ASCII, most of any header's strings: its own byte
      else out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = body[i + 1];
    if (e === 'x') {
      const m = /^[0-9a-fA-F]+/.exec(body.slice(i + 2));
      out.push(m ? parseInt(m[0], 16) & 0xff : 0);
      i += 2 + (m ? m[0].length : 0);
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i + 1)) as RegExpExecArray;
      out.push(parseInt(m[0], 8) & 0xff);
      i += 1 + m[0].length;
    } else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      out.push(...Buffer.from(String.fromCodePoint(parseInt(body.slice(i + 2, i + 2 + len), 16) || 0), 'utf8'));
      i += 2 + len;
    } else {
      out.push(simple[e] ?? e.charCodeAt(0));
      i += 2;
    }
  }
  return out;
}

/** A C declaration of `name` with type `t`. */
const spell = (t: CType, name: string): string => t.marker.replace('&', ` ${name}`).replace(/ {2,}/g, ' ').trim();

const UNTYPED =
  'it is a function-like macro whose parameter types cannot be told from its body; a macro is wrapped when its body ' +
  'calls a declared function with each parameter as a whole argument';

/** A macro typed as a function (see macroWrappers). */
export interface MacroWrapper extends Item {
  /**
   * The function (or wrapped macro) the macro is only another name for: an object-like macro
   * naming it (openssl/evp.h's `#define EVP_MD_size EVP_MD_get_size`), or a function-like one
   * passing its parameters on unchanged, in order (`#define EVP_MD_CTX_create() EVP_MD_CTX_new()`).
   * Null for a macro that does more (zlib.h's deflateInit adds arguments).
   */
  readonly renames: string | null;
}

/**
 * The function-like macros (and object-like macros naming a function) that call a declared
 * function with their parameters as whole arguments, as cdef functions taking that function's
 * parameter types and returning its result: verify() calls each through a wrapper, where the C
 * compiler expands the macro. Each is checked into `registry`; the others are noted as skipped.
 */
export function macroWrappers(macros: readonly MacroDef[], registry: Registry, unit: MacroUnit, notes: Notes): MacroWrapper[] {
  const typed = new Map<string, FunctionType>();
  const out: MacroWrapper[] = [];
  const callee = (name: string): FunctionType | undefined => {
    const d = registry.get(name);
    return d?.kind === 'function' ? d.type : typed.get(name);
  };
  let named: Set<string> | undefined;
  const scope: MacroScope = {
    macros: unit.macros,
    declared: (name: string): boolean => (named ??= new Set(unit.tokens.texts.filter((_, i) => unit.tokens.kinds[i] === 'ident'))).has(name),
  };
  for (const m of [...macros].sort((a, b) => a.at - b.at)) {
    const where = `${unit.files[m.file]}:${m.line}`;
    const type = m.params === null ? callee(m.body.trim()) : typeOfMacro(m, callee);
    if (typeof type === 'string' || type === undefined) {
      notes.skip(m.name, where, type ?? UNTYPED, m.at);
      continue;
    }
    const undeclared = undeclaredName(m, scope, new Set());
    if (undeclared !== null) {
      notes.skip(m.name, where, `its expansion refers to '${undeclared}', which nothing the header includes declares (the program is meant to define it)`, m.at);
      continue;
    }
    const text = `${spell(type, m.name)};\n`;
    try {
      parseCdef(text, registry);
    } catch (e) {
      if (!(e instanceof CDefError)) throw e;
      notes.skip(m.name, where, e.message.replace(/^cdef:\d+:\d+: /, ''), m.at);
      continue;
    }
    typed.set(m.name, type);
    out.push({ pos: m.at - 0.5, text, pack: 0, user: true, names: [m.name], where, renames: renamed(m, callee) });
  }
  return out;
}

/** What a wrapped macro's expansion is checked against: the preprocessed translation unit's tokens and macros. */
export interface MacroUnit {
  readonly tokens: { readonly kinds: readonly string[]; readonly texts: readonly string[] };
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly files: readonly string[];
}

/** The macros a wrapped macro's expansion may use, and the names the unit declares. */
interface MacroScope {
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly declared: (name: string) => boolean;
}

/**
 * The first name the macro's expansion refers to (through the macros it uses too) that the
 * translation unit declares nowhere: no token of the preprocessed C is that name, and it is no
 * macro, keyword or builtin. Such a name is one the program is meant to define (obstack.h's
 * `obstack_chunk_alloc`), and a wrapper would not compile. Null when there is none, or when the
 * expansion pastes or quotes tokens (`##`, `#`), whose names only the preprocessor can tell.
 */
function undeclaredName(m: MacroDef, scope: MacroScope, seen: Set<string>): string | null {
  seen.add(m.name);
  const toks = tokensOf(m.body);
  if (toks.some((t) => t === '#' || t === '##')) return null;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (pieceKind(t) !== 'ident' || m.params?.includes(t)) continue;
    if (i > 0 && (toks[i - 1] === '.' || toks[i - 1] === '->')) continue; // a member's name
    if (cWord(t) !== undefined || t.startsWith('__builtin_') || t === '__VA_ARGS__') continue;
    const inner = scope.macros.get(t);
    if (inner !== undefined) {
      const name = seen.has(t) ? null : undeclaredName(inner, scope, seen);
      if (name !== null) return name;
    } else if (!scope.declared(t)) return t;
  }
  return null;
}

/** The function (or wrapped macro) `m` is only another name for (see MacroWrapper.renames), or null. */
function renamed(m: MacroDef, callee: (name: string) => FunctionType | undefined): string | null {
  if (m.params === null) return m.body.trim();
  const params = m.params;
  const toks = unwrap(tokensOf(m.body));
  const f = callee(toks[0] ?? '');
  if (f === undefined || f.ellipsis || f.args.length !== params.length || toks[1] !== '(' || closing(toks, 1) !== toks.length) return null;
  const args = callArgs(toks, 1, toks.length);
  const same = args.length === params.length && args.every((a, k) => {
    const inner = unwrap(a);
    return inner.length === 1 && inner[0] === params[k];
  });
  return same ? toks[0] : null;
}

/** The arguments of the call whose '(' is at `open` and whose ')' ends before `end`, each as its tokens. */
function callArgs(toks: readonly string[], open: number, end: number): string[][] {
  const args: string[][] = [[]];
  let depth = 0;
  for (let i = open + 1; i < end - 1; i++) {
    const t = toks[i];
    if (t === '(' || t === '[' || t === '{') depth++;
    else if (t === ')' || t === ']' || t === '}') depth--;
    if (t === ',' && depth === 0) args.push([]);
    else args[args.length - 1].push(t);
  }
  return args.length === 1 && args[0].length === 0 ? [] : args;
}

/**
 * The function type of a macro whose body is one call of a declared function (or wrapped macro),
 * or why not. Each parameter takes the type of the parameter it is passed as, whole, to that
 * function or to one its arguments call (openssl/evp.h's `EVP_MD_CTX_get_size(e)` is
 * `EVP_MD_get_size(EVP_MD_CTX_get0_md(e))`: `e` is an `EVP_MD_CTX *`).
 */
function typeOfMacro(m: MacroDef, callee: (name: string) => FunctionType | undefined): FunctionType | string {
  const params = m.params as readonly string[];
  if (params.some((p) => p === '...' || p.endsWith('...'))) return 'it is a variadic function-like macro, which no wrapper can forward';
  const toks = unwrap(tokensOf(m.body));
  if (toks.length < 3 || pieceKind(toks[0]) !== 'ident' || toks[1] !== '(' || closing(toks, 1) !== toks.length) return UNTYPED;
  const f = callee(toks[0]);
  if (!f) return `${UNTYPED} ('${toks[0]}' is not a function the header declares)`;
  const types = new Map<string, CType>();
  let wholeUses = 0;
  const passed = (g: FunctionType, args: readonly (readonly string[])[]): void => {
    args.forEach((a, k) => {
      const inner = unwrap(a);
      if (inner.length !== 1 || !params.includes(inner[0])) return within(inner);
      const t = k < g.args.length ? g.args[k] : undefined;
      if (t === undefined || (types.has(inner[0]) && types.get(inner[0]) !== t)) return;
      types.set(inner[0], t);
      wholeUses++;
    });
  };
  // The calls of declared functions in an argument, whose own arguments may pass parameters whole.
  const within = (part: readonly string[]): void => {
    for (let i = 0; i < part.length; i++) {
      const g = pieceKind(part[i]) === 'ident' && part[i + 1] === '(' && part[i - 1] !== '.' && part[i - 1] !== '->' ? callee(part[i]) : undefined;
      if (g === undefined) continue;
      const end = closing(part, i + 1);
      if (end < 0) return;
      passed(g, callArgs(part, i + 1, end));
      i = end - 1;
    }
  };
  passed(f, callArgs(toks, 1, toks.length));
  const uses = toks.filter((t) => params.includes(t)).length;
  if (uses !== wholeUses || types.size !== params.length) return UNTYPED;
  return functionType(params.map((p) => types.get(p) as CType), f.result, false);
}
