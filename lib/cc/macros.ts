// Object-like macros expanded as the preprocessor expands them at the end of the source (function-like macros, `#` and `##` included), down to text cdef can evaluate, or why a value is no constant.
import { cWord } from '../cparser/keywords';
import { MacroDef, pieceKind, preprocessedPieces } from '../cparser/preprocessed';

/** A token of macro text: its spelling, whether blanks came before it, the macros it may no longer expand (C's hide set). */
interface Tok {
  readonly t: string;
  readonly sp: boolean;
  readonly hide: ReadonlySet<string>;
}

/** Expansions one macro's value may take before it is judged runaway (C's rules end every expansion; this bounds the work). */
const MAX_EXPANSIONS = 10_000;

const NO_HIDE: ReadonlySet<string> = new Set();

class ExpansionError extends Error {}

/**
 * An object-like macro's body with the macros in it expanded as C's preprocessor does at the end
 * of the translation unit (function-like ones with their arguments, `#` and `##` included:
 * stdint.h's `UINT64_MAX` is `(__UINT64_C(18446744073709551615))`), or why it cannot be: it has
 * no value, or a macro in it is called in a way the preprocessor would refuse. Text no macro
 * touched comes back as written.
 */
export function expandMacro(m: MacroDef, macros: ReadonlyMap<string, MacroDef>): string | { error: string } {
  if (m.body === '') return { error: 'it has no value; only macros with an integer value are declared' };
  if (!mentionsMacro(m, macros)) return m.body;
  try {
    return spell(new Expander(macros).expand(tokensOfText(m.body, new Set([m.name]))));
  } catch (e) {
    if (e instanceof ExpansionError) return { error: e.message };
    throw e;
  }
}

/** Whether a macro's body names another macro (most name none: their text needs no expanding). */
function mentionsMacro(m: MacroDef, macros: ReadonlyMap<string, MacroDef>): boolean {
  if (m.body.startsWith('#')) return true; // read by tokensOfText, which keeps '#' from reading as a directive
  for (const p of preprocessedPieces(m.body)) if (p !== m.name && macros.has(p) && pieceKind(p) === 'ident') return true;
  return false;
}

function tokensOfText(text: string, hide: ReadonlySet<string>): Tok[] {
  const out: Tok[] = [];
  let sp = false;
  // A leading ';', dropped, keeps a value starting with '#' (`#x`) from reading as a directive line.
  for (const p of preprocessedPieces(`;${text}`).slice(1)) {
    if (pieceKind(p) === null) sp = true;
    else {
      out.push({ t: p, sp, hide });
      sp = false;
    }
  }
  return out;
}

const isIdent = (t: string): boolean => pieceKind(t) === 'ident';
const isMacro = (tk: Tok, macros: ReadonlyMap<string, MacroDef>): boolean => isIdent(tk.t) && macros.has(tk.t) && !tk.hide.has(tk.t);

/** Tokens as text: a blank where one was written, and where two tokens would otherwise read as one. */
function spell(toks: readonly Tok[]): string {
  let out = '';
  toks.forEach((tk, i) => {
    if (i > 0 && (tk.sp || preprocessedPieces(toks[i - 1].t + tk.t).length !== 2)) out += ' ';
    out += tk.t;
  });
  return out;
}

function withName(hide: ReadonlySet<string>, name: string): ReadonlySet<string> {
  return new Set([...hide, name]);
}

class Expander {
  private steps = 0;
  constructor(private readonly macros: ReadonlyMap<string, MacroDef>) {}

  /** The tokens with every macro in them replaced and the result rescanned, as C does. */
  expand(input: readonly Tok[]): Tok[] {
    const toks = input.slice();
    const out: Tok[] = [];
    let i = 0;
    while (i < toks.length) {
      const tk = toks[i];
      const def = isMacro(tk, this.macros) ? (this.macros.get(tk.t) as MacroDef) : undefined;
      if (def === undefined || (def.params !== null && toks[i + 1]?.t !== '(')) {
        out.push(tk);
        i++;
        continue;
      }
      if (++this.steps > MAX_EXPANSIONS) throw new ExpansionError(`its value expands macros more than ${MAX_EXPANSIONS} times; it is left out`);
      const hide = withName(tk.hide, tk.t);
      if (def.params === null) {
        const replaced = pasted(tokensOfText(def.body, hide), def.name);
        replace(toks, i, i + 1, first(replaced, tk.sp));
        continue;
      }
      const { args, end } = this.arguments(toks, i + 1, def);
      const replaced = this.substitute(def, args, hide);
      replace(toks, i, end, first(replaced, tk.sp));
    }
    return out;
  }

  /** The arguments of the call whose '(' is at `open`, each as its tokens, and the index after the ')'. */
  private arguments(toks: readonly Tok[], open: number, def: MacroDef): { args: Tok[][]; end: number } {
    const args: Tok[][] = [[]];
    let depth = 0;
    for (let i = open + 1; i < toks.length; i++) {
      const t = toks[i].t;
      if (t === ')' && depth === 0) return { args, end: i + 1 };
      if (t === '(') depth++;
      else if (t === ')') depth--;
      if (t === ',' && depth === 0) args.push([]);
      else args[args.length - 1].push(toks[i]);
    }
    throw new ExpansionError(`its value calls the macro '${def.name}' without closing its parentheses`);
  }

  /** The body of a function-like macro with its parameters replaced by the arguments (C's substitution, `#` and `##`). */
  private substitute(def: MacroDef, given: Tok[][], hide: ReadonlySet<string>): Tok[] {
    const params = (def.params as readonly string[]).map((p) => (p === '...' ? '__VA_ARGS__' : p.replace(/\.\.\.$/, '')));
    const variadic = (def.params as readonly string[]).some((p) => p.endsWith('...'));
    let args = given;
    if (params.length === 0 && args.length === 1 && args[0].length === 0) args = [];
    if (variadic && args.length >= params.length) {
      const rest = args.slice(params.length - 1);
      const joined: Tok[] = [];
      rest.forEach((a, k) => {
        if (k) joined.push({ t: ',', sp: false, hide: NO_HIDE });
        for (const tk of a) joined.push(tk);
      });
      args = [...args.slice(0, params.length - 1), joined];
    } else if (variadic && args.length === params.length - 1) args = [...args, []];
    if (args.length !== params.length) {
      const least = variadic ? params.length - 1 : params.length;
      const takes = `${variadic ? 'at least ' : ''}${least} argument${least === 1 ? '' : 's'}`;
      throw new ExpansionError(`its value calls the macro '${def.name}' with ${args.length} argument${args.length === 1 ? '' : 's'}; it takes ${takes}`);
    }
    const body = tokensOfText(def.body, hide);
    const expanded = new Map<number, Tok[]>();
    const argOf = (tk: Tok | undefined): number => (tk === undefined || !isIdent(tk.t) ? -1 : params.indexOf(tk.t));
    const out: Tok[] = [];
    for (let i = 0; i < body.length; i++) {
      const tk = body[i];
      if (tk.t === '__VA_OPT__') throw new ExpansionError(`its value uses '__VA_OPT__' (through '${def.name}'), which is not expanded here`);
      if (tk.t === '#' && argOf(body[i + 1]) >= 0) {
        out.push({ t: stringified(args[argOf(body[i + 1])]), sp: tk.sp, hide });
        i++;
        continue;
      }
      const k = argOf(tk);
      if (k < 0) {
        out.push(tk);
        continue;
      }
      const raw = body[i - 1]?.t === '##' || body[i + 1]?.t === '##';
      let arg = raw ? args[k] : expanded.get(k);
      if (arg === undefined) {
        arg = this.expand(args[k]);
        expanded.set(k, arg);
      }
      // An empty argument next to '##' leaves a placemarker, which pastes as nothing.
      if (arg.length === 0 && raw) out.push({ t: '', sp: tk.sp, hide });
      else for (const x of first(arg.map((a) => ({ ...a, hide: new Set([...a.hide, ...hide]) })), tk.sp)) out.push(x);
    }
    return pasted(out, def.name).filter((tk) => tk.t !== '');
  }
}

/** Replaces `toks[from, to)` with `by`, as splice() does, without spreading `by` into one call's arguments (a long expansion would overflow the stack). */
function replace(toks: Tok[], from: number, to: number, by: readonly Tok[]): void {
  const after = toks.splice(to);
  toks.length = from;
  for (const tk of by) toks.push(tk);
  for (const tk of after) toks.push(tk);
}

/** The tokens with the first one's blank set as the token it replaces had it. */
function first(toks: Tok[], sp: boolean): Tok[] {
  return toks.length === 0 || toks[0].sp === sp ? toks : [{ ...toks[0], sp }, ...toks.slice(1)];
}

/** The tokens with each `a ## b` pasted into one token (placemarkers, empty texts, paste as nothing). */
function pasted(toks: readonly Tok[], name: string): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].t !== '##' || out.length === 0 || i + 1 >= toks.length) {
      out.push(toks[i]);
      continue;
    }
    const left = out.pop() as Tok;
    const right = toks[++i];
    const text = left.t + right.t;
    if (text !== '' && preprocessedPieces(text).length !== 1) {
      throw new ExpansionError(`its value pastes '${left.t}' and '${right.t}' (in the macro '${name}'), which do not form one token`);
    }
    out.push({ t: text, sp: left.sp, hide: left.hide });
  }
  return out;
}

/** C's `#x`: the argument's spelling as a string literal. */
function stringified(arg: readonly Tok[]): string {
  const text = arg.map((tk, i) => (i > 0 && tk.sp ? ' ' : '') + (/^(?:[LuU]|u8)?["']/.test(tk.t) ? tk.t.replace(/[\\"]/g, '\\$&') : tk.t)).join('');
  return `"${text}"`;
}

/** Words that may stand before '(' in a constant expression without calling anything. */
const NOT_CALLS = new Set(['sizeof', '_Alignof', '__alignof__', 'alignof', '__builtin_offsetof', 'offsetof', '_Pragma']);

/**
 * Why an expanded macro value is no constant because it reads memory or calls a function each
 * time C uses it (signal.h's `si_pid` is `_sifields._kill.si_pid`, sqlite3ext.h's functions are
 * `sqlite3_api->name`, stdlib.h's `MB_CUR_MAX` calls `__ctype_get_mb_cur_max ()`), or null.
 * `types` tells the names that are types (the unit's declaration table), before whose parenthesis a cast stands, not a call;
 * `tokens`: the value's tokens, when read already.
 */
export function runtimeValue(expanded: string, types: { isTypeName(name: string): boolean }, tokens?: readonly string[]): string | null {
  const toks = tokens ?? preprocessedPieces(expanded).filter((p) => pieceKind(p) !== null);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const before = toks[i - 1];
    const after = toks[i + 1];
    const operand = (x: string | undefined) => x !== undefined && (x === ')' || x === ']' || pieceKind(x) === 'ident');
    if (t === '->' || (t === '.' && operand(before) && after !== undefined && pieceKind(after) === 'ident')) {
      return `its value, '${expanded}', reads a member of a struct or union each time C uses it, which no constant can hold; from JavaScript, read the member by that path`;
    }
    if (after === '(' && pieceKind(t) === 'ident' && !NOT_CALLS.has(t) && cWord(t) === undefined && !types.isTypeName(t) && !/^__builtin_/.test(t)) {
      return `its value calls '${t}()' each time C uses it, which no constant can hold; call the function from JavaScript instead`;
    }
  }
  return null;
}
