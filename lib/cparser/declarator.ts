// The shared part of the cdef grammar: parser state, name lookups, constant expressions, and declarators (pointers, arrays, parameter lists) applied to a base type.
import { CType, EnumType, FILE_TYPE, Q_RESTRICT, StructType, VOID, definedLater, pendingLayout, primitive } from '../ctype/model';
import { arrayOf, functionType, pointerTo } from '../ctype/intern';
import { PRIMITIVES, PRIMITIVE_ALIASES } from '../ctype/primitives';
import { Decl, SourcePos } from '../ctype/registry';
import { Scope, enumeratorType } from '../ctype/declarations';
import { ExprContext, IntValue, evaluate } from './constexpr';
import { keyword } from './keywords';
import { NESTING_LIMIT, Token, quote } from './lexer';
import * as tokenTable from './tokens';
import * as streams from './stream';
import { TokenStream } from './stream';

// The token kinds and tables the busiest paths use as this module's own constants, read once: a name imported
// from another module is a property of its exports at every use (a load the first run interprets,
// and a deoptimisation where optimised code meets it first).
const { EOF, FIXED_TEXTS, IDENT, KEYWORD_ROLES } = tokenTable;
const { P_COMMA, P_ELLIPSIS, P_LBRACKET, P_LPAREN, P_RBRACKET, P_RPAREN, P_SEMI, P_STAR } = streams;
/** The token kind of the keyword 'static', which may open a parameter's array length ('int a[static 4]'). */
const K_STATIC = FIXED_TEXTS.indexOf('static');
/** 1 for the kinds of the tokens that can end a plain declarator (';', ',', ')'): one lookup, the same steps for each. */
const ENDS_PLAIN = new Uint8Array(256);
ENDS_PLAIN[P_SEMI] = ENDS_PLAIN[P_COMMA] = ENDS_PLAIN[P_RPAREN] = 1;

/**
 * Type names that are not keywords but are built in, as the C library's typedefs are: 'size_t',
 * 'bool', 'FILE'… A cdef typedef of the same name replaces one for the declarations of its FFI, as in CFFI.
 */
export const BUILTIN_TYPES = new Map<string, CType>([
  ...PRIMITIVES.filter((s) => !s.name.includes(' ') && keyword(s.name) === undefined).map(
    (s) => [s.name, primitive(s.name)] as const,
  ),
  ...[...PRIMITIVE_ALIASES].map(([alias, name]) => [alias, primitive(name)] as const),
  ['FILE', FILE_TYPE],
]);

export const posOf = (tok: Token): SourcePos =>
  tok.file === undefined ? { line: tok.line, column: tok.column } : { line: tok.line, column: tok.column, file: tok.file };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** The depths whose array lengths come from the compiler, of a declarator without '[...]'. */
const NONE: readonly number[] = Object.freeze([]);
/** The chain of a declarator that is only a name (or nothing). */
const NO_DERIVATIONS: readonly Derivation[] = Object.freeze([]);

/** A derivation of a declarator; `at` is the index of its token ('*', '[' or '('), which messages about it point at. */
export type Derivation =
  | { readonly kind: 'pointer'; readonly quals: number; readonly at: number }
  /** `length` 'compiler' is API mode's `[...]`: the compiler gives it. */
  | { readonly kind: 'array'; readonly length: number | null | 'compiler'; readonly at: number }
  | {
      readonly kind: 'function';
      readonly params: readonly Param[];
      readonly ellipsis: boolean;
      readonly at: number;
    };

export interface Param {
  /** The parameter's name as written, or null. */
  readonly name: string | null;
  readonly type: CType;
}

/** What plainDeclarator() read: the index of the name's token, its text, and the type and qualifiers derived. */
export interface PlainDeclarator {
  nameAt: number;
  name: string;
  type: CType;
  quals: number;
}

/** A parsed declarator: its name (null when abstract) and derivations, innermost (nearest the base type) first. */
export interface Declarator {
  readonly name: Token | null;
  readonly chain: readonly Derivation[];
}

export type SpecContext = 'file' | 'member' | 'param' | 'typename';

/** The struct, union or enum a specifier names or defines. */
export interface TagUse {
  readonly type: StructType | EnumType;
  /** The specifier had a body. */
  readonly defined: boolean;
  /** The specifier had no tag. */
  readonly anonymous: boolean;
}

/** Parsed declaration specifiers. */
export interface Specs {
  /** The index of the first token, which messages about the specifiers point at. */
  readonly firstAt: number;
  readonly type: CType;
  /** The type came from a typedef name or a tag, not from type keywords. */
  readonly named: boolean;
  readonly quals: number;
  readonly storage: Token | null;
  readonly tag: TagUse | null;
}

export interface Typed {
  readonly type: CType;
  readonly quals: number;
}

/**
 * A derived declarator type. Its `[...]` lengths, which the compiler gives, are open arrays in
 * `type` until then: `compilerLength` is the first `[...]` written (for messages), `outerFromCompiler`
 * says the outermost length is one, `innerFromCompiler` lists the deeper ones (1: the items' length…).
 */
export interface Derived extends Typed {
  readonly compilerLength: Token | null;
  readonly outerFromCompiler: boolean;
  readonly innerFromCompiler: readonly number[];
}

/** The fields of a variable or member Decl that say which of its array lengths come from the compiler (none: no fields). */
export function fromCompiler(d: Derived): { lengthFromCompiler?: true; innerLengthsFromCompiler?: readonly number[] } {
  return {
    ...(d.outerFromCompiler ? { lengthFromCompiler: true } : {}),
    ...(d.innerFromCompiler.length ? { innerLengthsFromCompiler: d.innerFromCompiler } : {}),
  };
}

/**
 * The grammar's shared state and its declarator part. A declaration is specifiers, then declarators
 * (C's own split): SpecifierParser (specifiers.ts) adds the specifiers, struct/union and enum bodies;
 * Parser (parser.ts) the declarations of a cdef. The parts call each other (a parameter list holds
 * specifiers, a struct body declarators), so the specifier part is abstract here.
 */
export abstract class DeclaratorParser {
  /** Enumerators of the enum whose body is being parsed (null: the compiler gives the value). */
  protected pendingEnum: Map<string, IntValue | null> | null = null;
  /** What the last plainDeclarator() that returned true read. */
  protected readonly plain: PlainDeclarator = { nameAt: -1, name: '', type: VOID, quals: 0 };
  /** The parameters read so far of each parameter list being read, outermost first: the names a variable array length may use ('int a[n]'). */
  protected readonly prototypes: Param[][] = [];
  private readonly exprContext: ExprContext = {
    constant: (tok) => this.constantValue(tok),
    startsType: (tok) => this.startsType(tok),
    typeName: () => this.typeName(),
  };

  /** `pack`: the alignment cap for the structs defined next (0: natural); '#pragma pack' changes it. */
  constructor(protected ts: TokenStream, protected readonly scope: Scope, protected pack: number) {}

  protected abstract specifiers(context: SpecContext, expected: string): Specs;

  /**
   * A type name. With `named`, its declarator may have a name, which is ignored: the type strings
   * of the API take 'int (*cb)(int x)' as CFFI does; C's own type names (sizeof, casts) do not.
   */
  protected typeName(named = false): CType {
    const specs = this.specifiers('typename', 'a type');
    const derived = this.derive(specs, this.declarator(named ? 'either' : 'abstract').chain);
    this.refuseCompilerLength(derived, 'a type name');
    return derived.type;
  }

  /** `[...]` is for struct members, global variables and typedefs only. */
  protected refuseCompilerLength(d: Derived, place: string): void {
    if (d.compilerLength) {
      this.ts.fail(
        d.compilerLength,
        `'[...]' (a length the compiler gives) cannot stand in ${place}; only struct members, global variables and typedefs take it`,
      );
    }
  }

  protected expression(): IntValue {
    return evaluate(this.ts, this.exprContext);
  }

  // ---- names ----------------------------------------------------------------------------------

  protected isTypedefName(name: string): boolean {
    return BUILTIN_TYPES.has(name) || this.scope.get(name)?.kind === 'typedef';
  }

  /** True when `tok` can begin a type name (a cast, sizeof's operand, a parameter list). */
  protected startsType(tok: Token): boolean {
    if (tok.kind !== 'ident') return false;
    const role = keyword(tok.text);
    if (role === undefined) return this.isTypedefName(tok.text);
    return role.kind === 'type' || role.kind === 'qualifier' || role.kind === 'tag';
  }

  private constantValue(tok: Token): IntValue {
    const name = tok.text;
    const pending = this.pendingEnum?.get(name);
    if (pending) return pending;
    if (pending === null) this.ts.fail(tok, `the value of '${name}' comes from the compiler, so cdef cannot use it in a constant expression`);
    if (BUILTIN_TYPES.has(name)) this.ts.fail(tok, `'${name}' is a type, not an integer constant`);
    const d = this.scope.get(name);
    if (!d) return this.ts.fail(tok, `${quote(name)} is not a known integer constant`);
    switch (d.kind) {
      case 'constant': {
        if (d.value === undefined) {
          this.ts.fail(tok, `the value of '${name}' comes from the compiler, so cdef cannot use it in a constant expression`);
        }
        const value = BigInt(d.value);
        if (d.type.kind === 'enum') return { value, type: enumeratorType(value, d.type.base) };
        if (d.type.kind !== 'primitive') return this.ts.fail(tok, `'${name}' is not an integer constant`);
        return { value, type: d.type };
      }
      case 'typedef':
        return this.ts.fail(tok, `'${name}' is a type, not an integer constant`);
      case 'function':
      case 'variable':
      case 'tag':
        return this.ts.fail(tok, `'${name}' is a ${d.kind}, not an integer constant`);
      case 'extern-callback':
        return this.ts.fail(tok, `'${name}' is an extern "${d.language}" function, not an integer constant`);
    }
  }


  /** Declares a function, variable or constant: an ordinary name, which built-in type names cannot be. */
  protected declareOrdinary(d: Decl, name: Token): void {
    if (BUILTIN_TYPES.has(d.name)) this.ts.fail(name, `'${d.name}' is a built-in type name and cannot name a ${d.kind}`);
    this.scope.declare(d);
  }

  // ---- declarators ----------------------------------------------------------------------------

  /**
   * Parses a declarator. 'named' needs a name, 'abstract' has none (type names), 'either' may have
   * one (parameters). Pointers apply first, then the suffixes from the right, then what is inside '()'.
   * `parameter`: the declarator is a function parameter's, whose outermost array derivation C99 lets
   * say more than a length (see parameterArrayLength).
   */
  protected declarator(mode: 'named' | 'abstract' | 'either', parameter = false): Declarator {
    if (++this.ts.depth > NESTING_LIMIT) this.ts.tooDeep();
    // The pointers, then the suffixes from the right, then what is inside '()' (no array until there is one).
    let chain: Derivation[] | null = null;
    let pointers = 0;
    while (this.ts.cur === P_STAR) {
      const star = this.ts.index;
      this.ts.skip();
      if (++this.ts.depth > NESTING_LIMIT) this.ts.tooDeep(star);
      const d: Derivation = { kind: 'pointer', quals: this.qualifiers(), at: star };
      if (chain === null) chain = [d];
      else chain.push(d);
      pointers++;
    }
    let name: Token | null = null;
    let inner: readonly Derivation[] | null = null;
    if (this.ts.cur === P_LPAREN && this.nestedDeclaratorFollows(mode)) {
      const tok = this.ts.next();
      ({ name, chain: inner } = this.declarator(mode, parameter));
      this.ts.expect(')', `')' to close the '(' at ${tok.line}:${tok.column}`);
    } else if (mode !== 'abstract' && this.ts.cur === IDENT) {
      name = this.ts.next();
    } else if (mode === 'named') {
      this.ts.unexpected(this.ts.peek(), 'a name');
    }
    // The first suffix is the outermost derivation unless what is inside '()' derives more ('(*a)[3]').
    chain = this.suffixes(name, chain, parameter && (inner === null || inner.length === 0));
    this.ts.depth -= 1 + pointers;
    if (inner !== null && inner.length > 0) {
      if (chain === null) chain = inner as Derivation[]; // the nested declarator's own array
      else for (let i = 0; i < inner.length; i++) chain.push(inner[i]);
    }
    return { name, chain: chain ?? NO_DERIVATIONS };
  }

  /**
   * The declarator of most members and parameters, read and applied to `specs` at once as
   * declarator() and derive() would: pointers without qualifiers, a name, at most one array of a
   * plain decimal length, then ';', ',' or ')' ('int a;', 'char *s,', 'double v[16];'): true, with
   * what it read in `plain` (one object, rewritten by each call: a large cdef reads thousands), and
   * no Token made for the name. false, with nothing read, for any other declarator, or where a check of derive() could fail (restrict, a
   * type without a size or with a pending layout, depth near the nesting limit): those take the general path.
   */
  protected plainDeclarator(specs: Specs): boolean {
    const ts = this.ts;
    // Counted from -1 so that the increment runs for every declarator, pointer or not: code that
    // the first declarators leave unexercised costs a deoptimisation when a later one reaches it.
    let stars = -1;
    do stars++;
    while (ts.kindAt(stars) === P_STAR);
    if (ts.kindAt(stars) !== IDENT) return false;
    let after = ts.kindAt(stars + 1);
    let length = -1;
    if (after === P_LBRACKET) {
      length = ts.decimalAt(stars + 2);
      if (length < 0 || ts.kindAt(stars + 3) !== P_RBRACKET) return false;
      after = ts.kindAt(stars + 4);
    }
    if (ENDS_PLAIN[after] !== 1) return false;
    let type = specs.type;
    let quals = specs.quals;
    if ((quals & Q_RESTRICT) !== 0 || ts.depth + 1 + stars > NESTING_LIMIT || type._depth + stars + 1 > NESTING_LIMIT) return false;
    for (let i = 0; i < stars; i++) {
      type = pointerTo(type, quals);
      quals = 0;
    }
    if (length >= 0) {
      if (type.size < 0 || pendingLayout(type) !== null || length * type.size > Number.MAX_SAFE_INTEGER) return false;
      type = arrayOf(type, length);
    }
    for (let i = 0; i < stars; i++) ts.skip();
    const plain = this.plain;
    plain.nameAt = ts.index;
    plain.name = ts.textAt(ts.index);
    plain.type = type;
    plain.quals = quals;
    ts.skip();
    if (length >= 0) {
      ts.skip();
      ts.skip();
      ts.skip();
    }
    return true;
  }

  /** At '(' in a declarator: true for a parenthesised declarator, false for a parameter list. */
  private nestedDeclaratorFollows(mode: 'named' | 'abstract' | 'either'): boolean {
    if (mode === 'named') return true;
    const punct = this.ts.punctAhead(1);
    if (punct !== null) return punct !== ')' && punct !== '...';
    const role = this.ts.keywordAhead(1);
    if (role === undefined) return !(this.ts.isName(1) && this.isTypedefName(this.ts.peek(1).text));
    return !(role.kind === 'type' || role.kind === 'qualifier' || role.kind === 'tag' || role.kind === 'refused' || role.kind === 'storage');
  }

  protected qualifiers(): number {
    let quals = 0;
    for (;;) {
      const role = KEYWORD_ROLES[this.ts.cur];
      if (role?.kind !== 'qualifier') return quals;
      quals |= role.bit;
      this.ts.skip();
    }
  }

  /**
   * Array and parameter-list suffixes, added to `chain` from the right (the chain, made if null); `name`, the declarator's name if known, is for messages.
   * `outerParameter`: the first suffix is a parameter's outermost derivation.
   */
  private suffixes(name: Token | null, chain: Derivation[] | null, outerParameter: boolean): Derivation[] | null {
    let out: Derivation[] | null = null;
    for (;;) {
      if (out !== null && out.length >= NESTING_LIMIT) this.ts.fail(this.ts.peek(), `nesting too deep (more than ${NESTING_LIMIT} levels)`);
      const k = this.ts.cur;
      if (k !== P_LBRACKET && k !== P_LPAREN) break;
      const at = this.ts.index;
      let d: Derivation;
      if (k === P_LBRACKET) {
        this.ts.skip();
        d = { kind: 'array', length: outerParameter && out === null ? this.parameterArrayLength() : this.arrayLength(), at };
      } else d = this.parameters(name);
      if (out === null) out = [d];
      else out.push(d);
    }
    if (out === null) return chain;
    if (chain === null) return out.reverse();
    for (let i = out.length - 1; i >= 0; i--) chain.push(out[i]);
    return chain;
  }

  private arrayLength(): number | null | 'compiler' {
    if (this.ts.accept(']')) return null;
    if (this.ts.accept('...')) {
      this.ts.expect(']', "']' after '[...'");
      return 'compiler';
    }
    const at = this.ts.index;
    const { value } = this.expression();
    this.ts.expect(']', "']' after the array size");
    if (value < 0n) this.ts.fail(this.ts.token(at), `the array size ${value} is negative`);
    if (value > MAX_SAFE) this.ts.fail(this.ts.token(at), `the array size ${value} is too large`);
    return Number(value);
  }

  /**
   * The length of a parameter's outermost array from after its '[', where C99 allows more than
   * elsewhere, none of which changes the parameter's type, a pointer to the items: qualifiers, which
   * qualify that pointer ('char *const argv[restrict]' is 'char *const *restrict argv'), and so only
   * the parameter, not the function's type; 'static' before a length, a promise of at least that many
   * items; and a variable length ('int a[n]' after 'int n', 'int a[*]'), read up to its ']' and taken
   * as none. Without any of these, as any array's length.
   */
  private parameterArrayLength(): number | null | 'compiler' {
    const ts = this.ts;
    let isStatic = ts.cur === K_STATIC;
    if (isStatic) ts.skip();
    this.qualifiers();
    if (!isStatic && ts.cur === K_STATIC) {
      isStatic = true;
      ts.skip();
    }
    if (isStatic && ts.cur === P_RBRACKET) ts.unexpected(ts.peek(), "the array's least length after 'static'");
    const variable = !isStatic && ts.cur === P_STAR && ts.kindAt(1) === P_RBRACKET ? 1 : this.variableLength();
    if (variable < 0) return this.arrayLength();
    for (let i = 0; i < variable; i++) ts.skip();
    ts.expect(']', "']' after the array size");
    return null;
  }

  /**
   * At an array length: the number of its tokens, up to the ']' that ends it, when one of them names
   * a parameter read before in a list being read (a variable length: 'int a[n]', 'int a[2 * n]'); -1
   * otherwise, and for a length with no such ']' (which arrayLength() then reports).
   */
  private variableLength(): number {
    if (this.prototypes.length === 0) return -1;
    let nesting = 0;
    let variable = false;
    for (let ahead = 0; ; ahead++) {
      const k = this.ts.kindAt(ahead);
      if (k === P_LBRACKET || k === P_LPAREN) nesting++;
      else if (k === P_RBRACKET || k === P_RPAREN) {
        if (nesting === 0) return variable && k === P_RBRACKET ? ahead : -1;
        nesting--;
      } else if (k === IDENT) {
        if (!variable) variable = this.isParameterName(this.ts.textAt(this.ts.index + ahead));
      } else if (k === EOF || k === P_SEMI) return -1;
    }
  }

  /** True when `name` is a parameter read before in one of the parameter lists being read. */
  private isParameterName(name: string): boolean {
    for (const params of this.prototypes) for (const p of params) if (p.name === name) return true;
    return false;
  }

  /** A parameter list from its '(' (the current token). */
  private parameters(name: Token | null): Derivation {
    const open = this.ts.index;
    this.ts.skip();
    if (++this.ts.depth > NESTING_LIMIT) this.ts.tooDeep(open);
    const params: Param[] = [];
    // The parameter names so far, once there are many (before: a look through params).
    let names: Set<string> | null = null;
    let ellipsis = false;
    let voidParam = -1;
    this.prototypes.push(params);
    if (!this.ts.accept(')')) {
      for (;;) {
        const at = this.ts.index;
        if (this.ts.cur === P_ELLIPSIS) {
          if (!params.length) {
            const what = name ? `'${name.text}(...)' has only '...' as parameters` : "a parameter list of only '...'";
            this.ts.fail(this.ts.peek(), `${what}, which C does not allow; '...' needs at least one parameter before it`);
          }
          this.ts.next();
          ellipsis = true;
          this.ts.expect(')', "')' after '...'");
          break;
        }
        if (this.ts.cur === IDENT && this.kRStyle() && !this.isTypedefName(this.ts.peek().text)) {
          const tok = this.ts.peek();
          this.ts.fail(
            tok,
            `unknown type name ${quote(tok.text)}, or a K&R-style parameter without a type, which cdef does not support; ` +
              `give each parameter its type, as in 'int f(int ${quote(tok.text).slice(1, -1)})'`,
          );
        }
        const specs = this.specifiers('param', 'a parameter type');
        // Most parameters are plain ('int x', 'char *s'); the others take the general path.
        let paramName: string | null;
        let nameAt: Token | number | null;
        let type: CType;
        let quals: number;
        if (this.plainDeclarator(specs)) {
          ({ name: paramName, nameAt, type, quals } = this.plain);
        } else {
          const general = this.declarator('either', true);
          const derived = this.derive(specs, general.chain, true);
          this.refuseCompilerLength(derived, 'a parameter');
          ({ type, quals } = derived);
          nameAt = general.name;
          paramName = general.name === null ? null : general.name.text;
        }
        if (type === VOID) {
          voidParam = at;
          if (paramName !== null || quals) this.ts.fail(this.ts.token(at), "a 'void' parameter cannot have a name or qualifiers");
        }
        // As in C, array parameters are pointers to their items and function parameters function pointers.
        const adjusted = type.kind === 'array' ? pointerTo(type.item, quals) : type.kind === 'function' ? pointerTo(type) : type;
        if (paramName !== null) {
          if (names === null && params.length >= 8) names = new Set(params.flatMap((p) => (p.name !== null ? [p.name] : [])));
          let twice = names !== null && names.has(paramName);
          for (let i = 0; names === null && i < params.length; i++) if (params[i].name === paramName) twice = true;
          if (twice) this.ts.fail(typeof nameAt === 'number' ? this.ts.token(nameAt) : (nameAt as Token), `the parameter name '${paramName}' appears twice`);
          names?.add(paramName);
        }
        params.push({ name: paramName, type: adjusted });
        const k = this.ts.cur;
        if (k !== P_COMMA && k !== P_RPAREN) this.ts.unexpected(this.ts.peek(), "',' or ')' in the parameter list");
        this.ts.skip();
        if (k === P_RPAREN) break;
      }
    }
    this.prototypes.pop();
    this.ts.depth--;
    if (voidParam >= 0) {
      if (params.length > 1 || ellipsis) this.ts.fail(this.ts.token(voidParam), "'void' must be the only parameter");
      return { kind: 'function', params: [], ellipsis, at: open };
    }
    return { kind: 'function', params, ellipsis, at: open };
  }

  /** After a parameter's first token: true when ',' or ')' follows it, as after a K&R-style parameter name. */
  private kRStyle(): boolean {
    const after = this.ts.punctAhead(1);
    return after === ',' || after === ')';
  }

  /**
   * Applies a declarator's derivations to the specifiers' type, checking what C checks. `[...]`
   * lengths may stand in the outer run of array derivations only ('int a[...][...]', 'int a[][...]',
   * not 'int (*a)[...]'); the type has open arrays there. A `parameter`'s outermost array becomes a
   * pointer, so its items may be an incomplete struct, union or enum ('void f(struct s a[])').
   */
  protected derive(specs: Specs, chain: readonly Derivation[], parameter = false): Derived {
    let type = specs.type;
    let quals = specs.quals;
    let compilerLength: Token | null = null;
    let fromCompiler: number[] | null = null;
    let outerArrays = 0; // the length of the run of array derivations that ends the chain
    while (outerArrays < chain.length && chain[chain.length - 1 - outerArrays].kind === 'array') outerArrays++;
    // The size of `type` and whether its layout is pending, carried along a run of arrays: each
    // would otherwise walk down to the item type again, and 'int a[1][1]...[1]' cost depth^2.
    let run: { size: number; pending: boolean } | null = null;
    for (let i = 0; i < chain.length; i++) {
      const d = chain[i];
      if (quals & Q_RESTRICT) quals = withoutMisplacedRestrict(type, quals);
      switch (d.kind) {
        case 'pointer':
          type = pointerTo(type, quals);
          quals = d.quals;
          run = null;
          break;
        case 'array': {
          const depth = chain.length - 1 - i; // 0: the outermost
          run ??= { size: type.size, pending: pendingLayout(type) !== null };
          const pending = run.pending || fromCompiler !== null;
          const tag = type.kind === 'struct' || type.kind === 'union' || type.kind === 'enum';
          // A struct or union a later cdef may define gives arrays without a size until then, as in CFFI.
          if (run.size < 0 && !pending && !(parameter && depth === 0 && tag) && !definedLater(itemOf(type))) {
            this.ts.fail(this.ts.token(d.at), `an array cannot hold items of type '${type.cname}', which has no size`);
          }
          if (d.length === 'compiler') {
            if (depth >= outerArrays) {
              this.ts.fail(this.ts.token(d.at), "'[...]' (a length the compiler gives) can only stand in the outer arrays of a declaration ('int a[...][...]'), not inside a pointer or function");
            }
            compilerLength ??= this.ts.token(d.at);
            (fromCompiler ??= []).push(depth);
            type = arrayOf(type, null);
            run.size = -1;
            break;
          }
          if (d.length !== null && !pending && d.length * run.size > Number.MAX_SAFE_INTEGER) {
            this.ts.fail(this.ts.token(d.at), `the array of ${d.length} '${type.cname}' is too large`);
          }
          type = arrayOf(type, d.length);
          run.size = d.length === null || run.size < 0 ? -1 : run.size * d.length;
          break;
        }
        case 'function':
          if (type.kind === 'array' || type.kind === 'function') {
            this.ts.fail(this.ts.token(d.at), `a function cannot return ${type.kind === 'array' ? 'an array' : 'a function'} ('${type.cname}')`);
          }
          type = functionType(d.params.map((p) => p.type), type, d.ellipsis);
          quals = 0;
          run = null;
          break;
      }
      if (type._depth > NESTING_LIMIT) this.ts.fail(this.ts.token(d.at), `nesting too deep (a type more than ${NESTING_LIMIT} levels deep)`);
    }
    if (quals & Q_RESTRICT) quals = withoutMisplacedRestrict(type, quals);
    if (fromCompiler === null) return { type, quals, compilerLength, outerFromCompiler: false, innerFromCompiler: NONE };
    return {
      type, quals, compilerLength,
      outerFromCompiler: fromCompiler.includes(0), innerFromCompiler: fromCompiler.filter((x) => x > 0).sort((a, b) => a - b),
    };
  }
}

/**
 * `quals` without 'restrict' where C does not allow it (on anything but a pointer to an object, or
 * an array of them): CFFI accepts 'restrict int x;', and the qualifier changes nothing any value of
 * such a type can show, so cdef takes it and drops it, keeping the C it generates valid.
 */
function withoutMisplacedRestrict(type: CType, quals: number): number {
  if (!(quals & Q_RESTRICT)) return quals;
  let item = type;
  while (item.kind === 'array') item = item.item;
  return item.kind === 'pointer' && item.item.kind !== 'function' ? quals : quals & ~Q_RESTRICT;
}

/** The items of `t` past every array level: `t` itself when it is no array. */
function itemOf(t: CType): CType {
  while (t.kind === 'array') t = t.item;
  return t;
}
