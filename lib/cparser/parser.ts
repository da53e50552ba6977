// The cdef parser: declarations in CFFI's C dialect become Decls in a Registry (all or nothing); type names become CTypes.
import { show } from '../errors';
import { completeStruct } from '../ctype/layout';
import {
  CType, EnumType, MemberDecl, PrimitiveType, Q_CONST, Q_RESTRICT, StructType, VOID, arrayOf, deferredPrimitive, functionType,
  isInteger, pendingLayout, pointerTo, primitive,
} from '../ctype/model';
import { PRIMITIVES, PRIMITIVE_ALIASES } from '../ctype/primitives';
import { Decl, Registry, SourcePos, checkRedeclaration, keyOf } from '../ctype/registry';
import { ExprContext, IntValue, convertInt, evaluate, isFloatLiteral } from './constexpr';
import { NESTING_LIMIT, Token, TokenStream, Where, describe, isName, keyword, quote, tokenize } from './lexer';

export interface CdefOptions {
  /** Let declarations replace earlier ones with a different meaning. */
  override?: boolean;
  /** Lay out every struct and union of this cdef packed (no padding): pack = 1. */
  packed?: boolean;
  /** Cap member alignment at this power of two (as '#pragma pack(n)'); 0 keeps natural alignment. */
  pack?: number;
}

/** Parses declarations in CFFI's cdef language and adds them to `registry`. Throws CDefError. */
export function parseCdef(source: string, registry: Registry, options: CdefOptions = {}): void {
  if (typeof source !== 'string') throw new TypeError(`cdef: the declarations must be a string, not ${show(source)}`);
  const pack = packOf(options);
  const where: Where = (line, column) => `cdef:${line}:${column}: `;
  const ts = new TokenStream(tokenize(source, where), where);
  const scope = new Scope(registry, options.override === true);
  try {
    new Parser(ts, scope, pack).translationUnit();
  } catch (e) {
    scope.rollback();
    throw e;
  }
  scope.commit();
}

/**
 * Parses a type name as given to ffi.new/cast/typeof/sizeof ('int *', 'struct pt[3]',
 * 'int(*)(int, int)', 'const char *', 'int[]', 'myint_t', 'enum color', 'int[2][3]').
 * Results are cached in registry.typeCache by text. Throws CDefError.
 */
export function parseTypeName(text: string, registry: Registry): CType {
  if (typeof text !== 'string') throw new TypeError(`type: a type name must be a string, not ${show(text)}`);
  const cached = registry.typeCache.get(text);
  if (cached) return cached;
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  const where: Where = (line, column) => `type '${shown}': ${line > 1 ? `line ${line}, ` : ''}column ${column}: `;
  const ts = new TokenStream(tokenize(text, where), where);
  const type = new Parser(ts, new Scope(registry, false), 0).wholeTypeName();
  registry.typeCache.set(text, type);
  return type;
}

function packOf(options: CdefOptions): number {
  const p = options.pack ?? 0;
  if (!(typeof p === 'number' && (p === 0 || (Number.isInteger(p) && p >= 1 && p <= 16 && (p & (p - 1)) === 0)))) {
    throw new TypeError(`cdef: option 'pack' must be 0 or a power of two from 1 to 16, not ${show(p)}`);
  }
  return options.packed ? 1 : p;
}

/** Type names that are not keywords but are built in, as the C library's typedefs are: 'size_t', 'bool'… */
const BUILTIN_TYPES = new Map<string, PrimitiveType>([
  ...PRIMITIVES.filter((s) => !s.name.includes(' ') && keyword(s.name) === undefined).map(
    (s) => [s.name, primitive(s.name)] as const,
  ),
  ...[...PRIMITIVE_ALIASES].map(([alias, name]) => [alias, primitive(name)] as const),
]);

/** True for a type name cdef knows without a declaration ('size_t', 'uint8_t', 'bool'). */
export function isBuiltinTypeName(name: string): boolean {
  return BUILTIN_TYPES.has(name);
}

/** The name an anonymous struct, union or enum carries until a typedef or the commit names it. */
const PROVISIONAL = '(anonymous)';

const posOf = (tok: Token): SourcePos => ({ line: tok.line, column: tok.column });

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A JavaScript number when exact, else the bigint. */
const toJs = (v: bigint): number | bigint => (v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v);

const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;
const U32_MAX = 2n ** 32n - 1n;
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

/**
 * Declarations staged by one parseCdef call over the registry: lookups see both, nothing reaches the
 * registry before commit(), and rollback() undoes the changes made to types the registry already had
 * (completing a forward-declared struct or enum).
 */
class Scope {
  private readonly staged = new Map<string, Decl>();
  private readonly undo: (() => void)[] = [];
  /** Types this call created: they vanish with a failed call, so they need no undo. */
  readonly created = new Set<CType>();
  /** Anonymous structs, unions and enums of this call, given '$N' names at commit unless a typedef named them. */
  readonly anonymous: (StructType | EnumType)[] = [];

  constructor(private readonly registry: Registry, readonly override: boolean) {}

  get(key: string): Decl | undefined {
    return this.staged.get(key) ?? this.registry.get(key);
  }

  tag(kind: 'struct' | 'union' | 'enum', name: string): Extract<Decl, { kind: 'tag' }> | undefined {
    const d = this.get(`${kind} ${name}`);
    return d?.kind === 'tag' ? d : undefined;
  }

  /** Stages `d`, failing as the registry would when it redeclares a name with another meaning. */
  declare(d: Decl): void {
    const key = keyOf(d);
    checkRedeclaration(this.get(key), d, this.override);
    this.staged.set(key, d);
  }

  /** Stages `d` unchecked; returns what was staged under its key, for restore(). */
  replace(d: Decl): Decl | undefined {
    const prior = this.staged.get(keyOf(d));
    this.staged.set(keyOf(d), d);
    return prior;
  }

  restore(key: string, prior: Decl | undefined): void {
    if (prior) this.staged.set(key, prior);
    else this.staged.delete(key);
  }

  /** Remembers the layout of a registry struct that this call is about to complete. */
  saveStruct(t: StructType): void {
    if (this.created.has(t)) return;
    const { fields, fieldMap, size, align, pack, partial, members } = t;
    this.undo.push(() => Object.assign(t, { fields, fieldMap, size, align, pack, partial, members }));
  }

  saveEnum(t: EnumType): void {
    if (this.created.has(t)) return;
    const { relements, elements, base, partial, settled } = t;
    this.undo.push(() => Object.assign(t, { relements, elements, base, partial, settled }));
  }

  commit(): void {
    for (const t of this.anonymous) if (!t.namedByTypedef) t.name = this.registry.anonymousName();
    for (const d of this.staged.values()) this.registry.declare(d, this.override);
  }

  rollback(): void {
    for (const u of this.undo.reverse()) u();
  }
}

/** One step of a declarator, applied to the type built so far ('*', '[n]', '(params)'). */
type Derivation =
  | { readonly kind: 'pointer'; readonly quals: number; readonly tok: Token }
  /** `length` 'compiler' is API mode's `[...]`: the compiler gives it. */
  | { readonly kind: 'array'; readonly length: number | null | 'compiler'; readonly tok: Token }
  | {
      readonly kind: 'function';
      readonly params: readonly Param[];
      readonly ellipsis: boolean;
      readonly tok: Token;
    };

interface Param {
  readonly name: Token | null;
  readonly type: CType;
}

/** A parsed declarator: its name (null when abstract) and derivations, innermost (nearest the base type) first. */
interface Declarator {
  readonly name: Token | null;
  readonly chain: readonly Derivation[];
}

type SpecContext = 'file' | 'member' | 'param' | 'typename';

/** The struct, union or enum a specifier names or defines. */
interface TagUse {
  readonly type: StructType | EnumType;
  /** The specifier had a body. */
  readonly defined: boolean;
  /** The specifier had no tag. */
  readonly anonymous: boolean;
}

/** Parsed declaration specifiers. */
interface Specs {
  readonly first: Token;
  readonly type: CType;
  readonly quals: number;
  readonly storage: Token | null;
  readonly tag: TagUse | null;
}

interface Typed {
  readonly type: CType;
  readonly quals: number;
}

/** A derived declarator type; `compilerLength` is the `[...]` of an outermost array whose length the compiler gives. */
interface Derived extends Typed {
  readonly compilerLength: Token | null;
}

/** Pending enumerator of the enum being defined, visible to later enumerators' values. */
interface Enumerator {
  readonly tok: Token;
  /** undefined in a partial enum when no value is written: the compiler gives it. */
  readonly value: bigint | undefined;
}

/** An enum body: its enumerators, and the '...' that makes it partial. */
interface EnumBody {
  readonly items: readonly Enumerator[];
  readonly partial: boolean;
}

const typeDepths = new WeakMap<CType, number>();

/** How many derivations (pointer, array, function) deep a type is; struct bodies do not count. */
function typeDepth(t: CType): number {
  switch (t.kind) {
    case 'primitive': case 'void': case 'struct': case 'union': case 'enum':
      return 0;
    case 'pointer': case 'array': case 'function': {
      let d = typeDepths.get(t);
      if (d === undefined) {
        const parts = t.kind === 'function' ? [t.result, ...t.args] : [t.item];
        d = 1 + parts.reduce((m, p) => Math.max(m, typeDepth(p)), 0);
        typeDepths.set(t, d);
      }
      return d;
    }
  }
}

/** The C type an enumerator has in an expression: int when its value fits, else the enum's own type. */
function enumeratorType(value: bigint, base: PrimitiveType | null): PrimitiveType {
  if (value >= I32_MIN && value <= I32_MAX) return primitive('int');
  if (base) return base;
  return primitive(value <= I64_MAX ? 'long' : 'unsigned long');
}

/** GCC's choice of an enum's integer type, or null when the values need more than 64 bits. */
function enumBase(values: readonly bigint[]): PrimitiveType | null {
  let min = 0n;
  let max = 0n;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min >= 0n) return max <= U32_MAX ? primitive('unsigned int') : primitive('unsigned long');
  if (min >= I32_MIN && max <= I32_MAX) return primitive('int');
  return max <= I64_MAX ? primitive('long') : null;
}

/** The primitive type spelled by C's type keywords, in any order C allows ('int unsigned long'). */
function primitiveOf(words: readonly Token[], ts: TokenStream): CType {
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w.text, (counts.get(w.text) ?? 0) + 1);
  const count = (w: string): number => counts.get(w) ?? 0;
  const invalid = (): never => ts.fail(words[0], `invalid type ${quote(words.map((w) => w.text).join(' '))}`);
  const longs = count('long');
  const sign = count('signed') + count('unsigned');
  const unsigned = count('unsigned') > 0;
  if (longs > 2 || sign > 1 || [...counts].some(([w, n]) => w !== 'long' && n > 1)) invalid();
  const cores = ['void', '_Bool', 'char', 'short', 'float', 'double'].filter((w) => count(w) > 0);
  if (cores.length > 1) invalid();
  const core = cores[0] ?? 'int';
  const hasInt = count('int') > 0;
  switch (core) {
    case 'void':
    case '_Bool':
    case 'float':
      if (words.length !== 1) invalid();
      return core === 'void' ? VOID : primitive(core);
    case 'double':
      if (sign || hasInt || words.length !== 1 + longs || longs > 1) invalid();
      return primitive(longs ? 'long double' : 'double');
    case 'char':
      if (hasInt || longs) invalid();
      return primitive(sign ? (unsigned ? 'unsigned char' : 'signed char') : 'char');
    case 'short':
      if (longs) invalid();
      return primitive(unsigned ? 'unsigned short' : 'short');
    default: {
      const name = ['int', 'long', 'long long'][longs];
      return primitive(unsigned ? `unsigned ${name}` : name);
    }
  }
}

/** Describes a built-in type's representation for messages ('an unsigned 8-byte integer'). */
function describeBuiltin(t: PrimitiveType): string {
  if (t.repr === 'bool') return 'a boolean';
  return `a${t.repr.startsWith('u') ? 'n unsigned' : ' signed'} ${t.size}-byte integer`;
}

class Parser {
  /** Enumerators of the enum whose body is being parsed. */
  private pendingEnum: Map<string, IntValue> | null = null;
  /** Structs and unions whose bodies are being parsed, to refuse nested redefinitions. */
  private readonly defining = new Set<StructType>();
  /** Anonymous structs and unions defined here, where they start, to refuse those the compiler cannot be asked about. */
  private readonly anonymousAt = new Map<StructType, Token>();
  private readonly exprContext: ExprContext = {
    constant: (tok) => this.constantValue(tok),
    startsType: (tok) => this.startsType(tok),
    typeName: () => this.typeName(),
  };

  constructor(private readonly ts: TokenStream, private readonly scope: Scope, private readonly pack: number) {}

  translationUnit(): void {
    while (this.ts.peek().kind !== 'eof') this.declaration();
    for (const [t, at] of this.anonymousAt) {
      if (t.members !== null && !t.namedByTypedef) {
        this.ts.fail(
          at,
          `this anonymous ${t.kind} gets its layout from the C compiler, which needs a name to be asked about it; ` +
            'give it a tag or a typedef name',
        );
      }
    }
  }

  /** A whole type name and nothing after it. */
  wholeTypeName(): CType {
    const type = this.typeName();
    if (this.ts.peek().kind !== 'eof') this.ts.unexpected(this.ts.peek(), 'the end of the type');
    return type;
  }

  private typeName(): CType {
    const specs = this.specifiers('typename', 'a type');
    const derived = this.derive(specs, this.declarator('abstract').chain);
    this.refuseCompilerLength(derived, 'a type name');
    return derived.type;
  }

  /** `[...]` is for struct members and global variables only. */
  private refuseCompilerLength(d: Derived, place: string): void {
    if (d.compilerLength) {
      this.ts.fail(
        d.compilerLength,
        `'[...]' (a length the compiler gives) cannot stand in ${place}; only struct members and global variables take it`,
      );
    }
  }

  private expression(): IntValue {
    return evaluate(this.ts, this.exprContext);
  }

  // ---- names ----------------------------------------------------------------------------------

  private isTypedefName(name: string): boolean {
    return BUILTIN_TYPES.has(name) || this.scope.get(name)?.kind === 'typedef';
  }

  /** True when `tok` can begin a type name (a cast, sizeof's operand, a parameter list). */
  private startsType(tok: Token): boolean {
    if (tok.kind !== 'ident') return false;
    const role = keyword(tok.text);
    if (role === undefined) return this.isTypedefName(tok.text);
    return role.kind === 'type' || role.kind === 'qualifier' || role.kind === 'tag';
  }

  private constantValue(tok: Token): IntValue {
    const name = tok.text;
    const pending = this.pendingEnum?.get(name);
    if (pending) return pending;
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
    }
  }

  // ---- declarations ---------------------------------------------------------------------------

  private declaration(): void {
    const start = this.ts.index;
    if (this.ts.peek().kind === 'hash') return this.directive();
    if (this.ts.accept(';')) return;
    if (this.ts.peek().text === 'typedef' && this.ts.peek(1).text === '...') return this.opaqueTypedef();
    const specs = this.specifiers('file', 'a declaration');
    if (this.ts.accept(';')) return this.declaresNothingElse(specs);
    if (this.ts.is('...')) return this.deferredTypedef(specs);
    for (;;) {
      const d = this.declarator('named');
      const name = d.name as Token;
      const derived = this.derive(specs, d.chain);
      const { type } = derived;
      if (this.ts.is('{') && type.kind === 'function') {
        const proto = `${this.ts.spell(start, this.ts.index)};`;
        this.ts.fail(
          this.ts.peek(),
          `function bodies are not allowed in cdef; declare '${proto}' here and put the body in the source given to verify()`,
        );
      }
      const init = this.ts.is('=') ? this.ts.next() : null;
      this.declareEntity(specs, d, name, derived, init);
      if (this.ts.accept(',')) continue;
      if (this.ts.accept(';')) return;
      this.ts.unexpected(this.ts.peek(), `';' after the declaration of '${name.text}'`);
    }
  }

  /** A declaration without declarators must declare a tag (or be an anonymous enum's constants). */
  private declaresNothingElse(specs: Specs): void {
    const tag = specs.tag;
    if (!tag) this.ts.fail(specs.first, 'this declaration declares nothing');
    if (tag.anonymous && tag.type.kind !== 'enum') {
      this.ts.fail(specs.first, `this anonymous ${tag.type.kind} declares nothing; give it a tag or a typedef name`);
    }
  }

  /** `typedef ... name;`: an opaque type, usable through pointers only. */
  private opaqueTypedef(): void {
    this.ts.next();
    this.ts.next();
    const name = this.ts.peek();
    if (!isName(name)) this.ts.unexpected(name, "the name of the opaque type after 'typedef ...'");
    this.ts.next();
    this.ts.expect(';', `';' after 'typedef ... ${name.text}'`);
    if (BUILTIN_TYPES.has(name.text)) this.ts.fail(name, `'${name.text}' is a built-in type and cannot be redefined as an opaque type`);
    const old = this.scope.get(name.text);
    const reuse = old?.kind === 'typedef' && isOpaque(old.type, name.text) ? old.type : null;
    const type = reuse ?? new StructType('struct', name.text, true);
    if (!reuse) this.scope.created.add(type);
    this.scope.declare({ kind: 'typedef', name: name.text, type, quals: 0, pos: posOf(name) });
  }

  /** `typedef int... name;` / `typedef float... name;`: an integer or floating type the compiler picks. */
  private deferredTypedef(specs: Specs): void {
    const dots = this.ts.next();
    const form = "write 'typedef int... name;' (any integer type) or 'typedef float... name;' (any floating type)";
    if (specs.storage?.text !== 'typedef') this.ts.fail(dots, `'...' after a type makes a typedef the compiler completes; ${form}`);
    const family = specs.type === primitive('int') ? 'int' : specs.type === primitive('float') ? 'float' : null;
    if (!family || specs.quals !== 0) this.ts.fail(dots, `'${specs.type.cname}...' is not a placeholder cdef knows; ${form}`);
    const name = this.ts.peek();
    if (!isName(name)) this.ts.unexpected(name, `the name of the typedef after '${family}...'`);
    this.ts.next();
    this.ts.expect(';', `';' after 'typedef ${family}... ${name.text}'`);
    const builtin = BUILTIN_TYPES.get(name.text);
    if (builtin) {
      // The C library's types are known already; a placeholder for one of them changes nothing.
      if ((family === 'int') === isInteger(builtin)) return;
      this.ts.fail(name, `'${name.text}' is a built-in type (${describeBuiltin(builtin)}), not ${family === 'int' ? 'an integer' : 'a floating'} type`);
    }
    const old = this.scope.get(name.text);
    const reuse = old?.kind === 'typedef' && old.type.kind === 'primitive' && old.type.deferred === family ? old.type : null;
    const type = reuse ?? deferredPrimitive(name.text, family);
    if (!reuse) this.scope.created.add(type);
    this.scope.declare({ kind: 'typedef', name: name.text, type, quals: 0, pos: posOf(name) });
  }

  private declareEntity(specs: Specs, d: Declarator, name: Token, typed: Derived, init: Token | null): void {
    const { type, quals } = typed;
    const storage = specs.storage?.text;
    const pos = posOf(name);
    if (storage !== undefined && storage !== 'extern') this.refuseCompilerLength(typed, `a ${storage === 'typedef' ? 'typedef' : 'constant'}`);
    if (storage === 'typedef') {
      if (init) this.ts.fail(init, `the typedef '${name.text}' cannot have an initialiser`);
      return this.declareTypedef(specs, name, typed);
    }
    if (type.kind === 'function') {
      if (init) this.ts.fail(init, `the function '${name.text}' cannot have an initialiser`);
      if (storage === 'static') this.refuseStatic(specs.storage as Token, name);
      const last = d.chain[d.chain.length - 1];
      const argNames = last?.kind === 'function' ? last.params.map((p) => p.name?.text ?? null) : type.args.map(() => null);
      return this.declareOrdinary({ kind: 'function', name: name.text, type, argNames, pos }, name);
    }
    const isConst = (quals & Q_CONST) !== 0;
    if (storage === 'static' && !isConst) this.refuseStatic(specs.storage as Token, name);
    if (init) return this.declareInitialised(name, typed, isConst);
    if (storage === 'static' && type.kind !== 'array') {
      if (type.size < 0) this.ts.fail(name, `the constant '${name.text}' has the incomplete type '${type.cname}'`);
      return this.declareOrdinary({ kind: 'constant', name: name.text, type, value: undefined, origin: 'static const', pos }, name);
    }
    if (type.kind === 'void') this.ts.fail(name, `the variable '${name.text}' has type 'void'`);
    const variable: Decl = typed.compilerLength
      ? { kind: 'variable', name: name.text, type, quals, pos, lengthFromCompiler: true }
      : { kind: 'variable', name: name.text, type, quals, pos };
    this.declareOrdinary(variable, name);
  }

  private refuseStatic(staticTok: Token, name: Token): never {
    return this.ts.fail(
      staticTok,
      `'static' is not allowed on '${name.text}'; cdef only accepts 'static const' constants ('static const int NAME;')`,
    );
  }

  /** `const int X = <expr>`: an integer constant whose value cdef knows. */
  private declareInitialised(name: Token, typed: Typed, isConst: boolean): void {
    const { type } = typed;
    if (!isConst) {
      this.ts.fail(
        name,
        `the variable '${name.text}' has an initialiser, which cdef does not allow; declare it without one ` +
          "and initialise it in the source given to verify() (only 'static const' integers may have a value here)",
      );
    }
    const target = type.kind === 'enum' ? type.base : type;
    if (target.kind !== 'primitive' || !(isInteger(target) || target.repr === 'bool')) {
      this.ts.fail(name, `the constant '${name.text}' has type '${type.cname}'; only integer constants may have a value in cdef`);
    }
    const value = convertInt(this.expression().value, target);
    this.declareOrdinary(
      { kind: 'constant', name: name.text, type, value: toJs(value), origin: 'static const', pos: posOf(name) },
      name,
    );
  }

  private declareTypedef(specs: Specs, name: Token, typed: Typed): void {
    const builtin = BUILTIN_TYPES.get(name.text);
    if (builtin) {
      // Headers often repeat the C library's typedefs; allow them when they agree with the built-in type.
      const t = typed.type;
      if (t.kind === 'primitive' && t.repr === builtin.repr && typed.quals === 0) return;
      this.ts.fail(name, `'${name.text}' is a built-in type (${describeBuiltin(builtin)}) and cannot be redefined as '${t.cname}'`);
    }
    const tag = specs.tag;
    if (tag && tag.anonymous && tag.defined && typed.type === tag.type && !tag.type.namedByTypedef) {
      tag.type.name = name.text;
      tag.type.namedByTypedef = true;
    }
    this.scope.declare({ kind: 'typedef', name: name.text, type: typed.type, quals: typed.quals, pos: posOf(name) });
  }

  /** Declares a function, variable or constant: an ordinary name, which built-in type names cannot be. */
  private declareOrdinary(d: Decl, name: Token): void {
    if (BUILTIN_TYPES.has(d.name)) this.ts.fail(name, `'${d.name}' is a built-in type name and cannot name a ${d.kind}`);
    this.scope.declare(d);
  }

  // ---- preprocessor directives ----------------------------------------------------------------

  private directive(): void {
    const hash = this.ts.next();
    const name = this.ts.next();
    if (name.kind === 'eol') return; // the null directive
    if (name.kind === 'number') this.ts.fail(hash, "line markers ('# 1 \"file\"') are not supported in cdef");
    if (name.kind !== 'ident') this.ts.fail(name, `expected a directive name after '#', found ${describe(name)}`);
    switch (name.text) {
      case 'define':
        return this.define();
      case 'include':
      case 'include_next':
      case 'import':
        return this.ts.fail(
          hash,
          `'#${name.text}' is not supported: cdef takes declarations, not headers; put the #${name.text} in the ` +
            'source given to verify() and declare here what you use from it',
        );
      case 'pragma': {
        const pack = this.ts.peek().text === 'pack' ? "; instead of '#pragma pack', pass the 'pack' (or 'packed') option" : '';
        return this.ts.fail(hash, `'#pragma' is not supported in cdef${pack}`);
      }
      default:
        return this.ts.fail(
          hash,
          KNOWN_DIRECTIVES.has(name.text)
            ? `'#${name.text}' is not supported in cdef; the only directive it takes is '#define NAME <integer constant expression>'`
            : `'#${name.text}' is not a preprocessor directive`,
        );
    }
  }

  private define(): void {
    const name = this.ts.next();
    if (!isName(name)) this.ts.fail(name, `expected the name of the macro after '#define', found ${describe(name)}`);
    const form = "cdef takes '#define NAME <integer constant expression>'";
    const value = this.ts.peek();
    if (this.ts.is('(') && value.start === name.end) {
      this.ts.fail(name, `function-like macros ('#define ${name.text}(...)') are not supported; ${form}`);
    }
    if (value.kind === 'eol') this.ts.fail(name, `'#define ${name.text}' has no value; ${form}`);
    if (this.ts.accept('...')) {
      if (this.ts.peek().kind !== 'eol') this.ts.unexpected(this.ts.peek(), `the end of the line after '#define ${name.text} ...'`);
      this.ts.next();
      // The compiler gives the value, whatever its integer type; 'long long' stands for it here.
      const d: Decl = { kind: 'constant', name: name.text, type: primitive('long long'), value: undefined, origin: 'define', pos: posOf(name) };
      return this.declareOrdinary(d, name);
    }
    if (value.kind === 'string') this.ts.fail(value, `'#define ${name.text}' has a string value, which is not supported; ${form}`);
    if (value.kind === 'number' && isFloatLiteral(value.text)) {
      this.ts.fail(value, `'#define ${name.text}' has a floating-point value, which is not supported; ${form}`);
    }
    const v = this.expression();
    if (this.ts.peek().kind !== 'eol') {
      this.ts.unexpected(this.ts.peek(), `the end of the line after the value of '#define ${name.text}'`);
    }
    this.ts.next();
    this.declareOrdinary(
      { kind: 'constant', name: name.text, type: v.type, value: toJs(v.value), origin: 'define', pos: posOf(name) },
      name,
    );
  }

  // ---- specifiers -----------------------------------------------------------------------------

  private specifiers(context: SpecContext, expected: string): Specs {
    const first = this.ts.peek();
    const words: Token[] = [];
    let named: { type: CType; quals: number; tok: Token } | null = null;
    let tag: TagUse | null = null;
    let quals = 0;
    let storage: Token | null = null;
    for (;;) {
      const tok = this.ts.peek();
      if (tok.kind !== 'ident') break;
      const role = keyword(tok.text);
      if (role === undefined) {
        // The lexer hack: after a type specifier, a typedef name is the declarator's name.
        if (named || words.length || !this.isTypedefName(tok.text)) break;
        this.ts.next();
        named = { ...this.typedefType(tok.text), tok };
        continue;
      }
      if (role.kind === 'reserved') break;
      switch (role.kind) {
        case 'qualifier':
          quals |= role.bit;
          break;
        case 'storage':
          if (context !== 'file') this.ts.fail(tok, `'${tok.text}' is not allowed ${CONTEXT_PLACE[context]}`);
          if (storage) this.ts.fail(tok, `'${tok.text}' cannot be combined with '${storage.text}'`);
          storage = tok;
          break;
        case 'type':
          if (named) this.cannotCombine(tok, named.tok);
          // The longest valid spelling has four words ('unsigned long long int').
          if (words.length === 4) this.ts.fail(words[0], `invalid type ${quote([...words, tok].map((w) => w.text).join(' '))}`);
          words.push(tok);
          break;
        case 'tag':
          if (named || words.length) this.cannotCombine(tok, named?.tok ?? words[0]);
          this.ts.next();
          tag = this.tagSpecifier(tok, context);
          named = { type: tag.type, quals: 0, tok };
          continue;
        case 'refused':
          return this.ts.unexpected(tok, expected);
      }
      this.ts.next();
    }
    if (!named && !words.length) {
      const tok = this.ts.peek();
      if (isName(tok)) this.ts.fail(tok, `unknown type name ${quote(tok.text)}`);
      this.ts.unexpected(tok, expected);
    }
    const type = named ? named.type : primitiveOf(words, this.ts);
    return { first, type, quals: quals | (named?.quals ?? 0), storage, tag };
  }

  private cannotCombine(tok: Token, other: Token): never {
    return this.ts.fail(tok, `'${tok.text}' cannot be combined with '${other.text}' in one type`);
  }

  private typedefType(name: string): Typed {
    const builtin = BUILTIN_TYPES.get(name);
    if (builtin) return { type: builtin, quals: 0 };
    const d = this.scope.get(name) as Extract<Decl, { kind: 'typedef' }>;
    return { type: d.type, quals: d.quals };
  }

  private tagSpecifier(kw: Token, context: SpecContext): TagUse {
    const kind = kw.text as 'struct' | 'union' | 'enum';
    const name = isName(this.ts.peek()) ? this.ts.next() : null;
    if (!this.ts.is('{')) {
      if (!name) return this.ts.unexpected(this.ts.peek(), `a name or '{' after '${kind}'`);
      return { type: this.tagReference(kind, name, context), defined: false, anonymous: false };
    }
    if (context === 'typename') {
      this.ts.fail(this.ts.peek(), `a type name cannot define '${kind}${name ? ` ${name.text}` : ''}'; define it in cdef`);
    }
    const open = this.ts.next();
    this.ts.enter(open);
    const type = kind === 'enum' ? this.enumDefinition(kw, name) : this.structDefinition(kind, name, kw);
    this.ts.leave();
    return { type, defined: true, anonymous: name === null };
  }

  /** `struct s` without a body: the declared type, or (in declarations) a new incomplete one. */
  private tagReference(kind: 'struct' | 'union' | 'enum', name: Token, context: SpecContext): StructType | EnumType {
    const found = this.scope.tag(kind, name.text);
    if (found) return found.type;
    if (context === 'typename') this.ts.fail(name, `unknown type '${kind} ${name.text}'; declare it in cdef first`);
    this.checkTagKind(kind, name);
    const t = kind === 'enum' ? new EnumType(name.text) : new StructType(kind, name.text);
    this.scope.created.add(t);
    this.scope.declare({ kind: 'tag', name: name.text, type: t, pos: posOf(name) });
    return t;
  }

  /** C has one namespace for struct, union and enum tags. */
  private checkTagKind(kind: 'struct' | 'union' | 'enum', name: Token): void {
    for (const other of ['struct', 'union', 'enum'] as const) {
      const d = other === kind ? undefined : this.scope.tag(other, name.text);
      if (d) {
        this.ts.fail(
          name,
          `'${kind} ${name.text}' conflicts with '${other} ${name.text}' (at ${d.pos.line}:${d.pos.column}); a tag names one kind of type`,
        );
      }
    }
  }

  // ---- structs and unions ---------------------------------------------------------------------

  private structDefinition(kind: 'struct' | 'union', name: Token | null, kw: Token): StructType {
    const found = name ? this.scope.tag(kind, name.text) : undefined;
    const existing = found?.type as StructType | undefined;
    if (existing && this.defining.has(existing)) this.ts.fail(name as Token, `nested redefinition of '${kind} ${name?.text}'`);
    let target: StructType;
    let redefined: { key: string; prior: Decl | undefined } | null = null;
    if (!name) {
      target = this.newStruct(kind, PROVISIONAL);
      this.scope.anonymous.push(target);
      this.anonymousAt.set(target, kw);
    } else if (!existing) {
      this.checkTagKind(kind, name);
      target = this.newStruct(kind, name.text);
      this.scope.declare({ kind: 'tag', name: name.text, type: target, pos: posOf(name) });
    } else if (!existing.complete && existing.members === null) {
      target = existing;
      this.scope.saveStruct(existing);
    } else {
      // Already defined: parse the body into a new type (references inside resolve to it), then compare.
      target = this.newStruct(kind, name.text);
      const d: Decl = { kind: 'tag', name: name.text, type: target, pos: posOf(name) };
      redefined = { key: keyOf(d), prior: this.scope.replace(d) };
    }
    this.defining.add(target);
    const { members, partial } = this.structBody();
    target.partial = partial;
    completeStruct(target, members, this.pack);
    this.defining.delete(target);
    if (!redefined || !existing || !found) return target;
    if (sameDefinition(target, existing)) {
      this.scope.restore(redefined.key, redefined.prior);
      return existing;
    }
    if (!this.scope.override) {
      this.ts.fail(
        name as Token,
        `'${kind} ${name?.text}' is already defined with different members (at ${found.pos.line}:${found.pos.column}); ` +
          'pass { override: true } to replace it',
      );
    }
    return target;
  }

  private newStruct(kind: 'struct' | 'union', name: string): StructType {
    const t = new StructType(kind, name);
    this.scope.created.add(t);
    return t;
  }

  private structBody(): { members: MemberDecl[]; partial: boolean } {
    const members: MemberDecl[] = [];
    let partial = false;
    while (!this.ts.accept('}')) {
      if (this.ts.accept('...')) {
        // API mode: the struct has more members than listed; the compiler gives the layout.
        partial = true;
        this.ts.expect(';', "';' after '...'");
        continue;
      }
      const specs = this.specifiers('member', "a member declaration or '}'");
      if (this.ts.accept(';')) {
        this.memberWithoutDeclarator(specs, members);
        continue;
      }
      for (;;) {
        members.push(this.member(specs));
        if (this.ts.accept(',')) continue;
        if (this.ts.accept(';')) break;
        this.ts.unexpected(this.ts.peek(), "';' after the member");
      }
    }
    return { members, partial };
  }

  private memberWithoutDeclarator(specs: Specs, members: MemberDecl[]): void {
    const tag = specs.tag;
    if (tag?.anonymous && tag.defined && tag.type.kind !== 'enum') {
      members.push({ name: '', type: tag.type, quals: specs.quals, bitsize: -1, pos: posOf(specs.first) });
    } else if (!tag) {
      this.ts.fail(specs.first, 'this member declaration declares nothing');
    }
  }

  private member(specs: Specs): MemberDecl {
    const at = this.ts.peek();
    if (this.ts.accept(':')) {
      return { name: '', type: specs.type, quals: specs.quals, bitsize: this.bitWidth(at, '(unnamed)'), pos: posOf(at) };
    }
    const d = this.declarator('named');
    const name = d.name as Token;
    const { type, quals, compilerLength } = this.derive(specs, d.chain);
    if (type.kind === 'function') {
      this.ts.fail(name, `the member '${name.text}' has the function type '${type.cname}'; use a pointer to a function`);
    }
    const colon = this.ts.peek();
    const bitsize = this.ts.accept(':') ? this.bitWidth(colon, name.text) : -1;
    const member = { name: name.text, type, quals, bitsize, pos: posOf(name) };
    return compilerLength ? { ...member, lengthFromCompiler: true } : member;
  }

  private bitWidth(at: Token, name: string): number {
    const v = this.expression().value;
    if (v < 0n) this.ts.fail(at, `the bit-field '${name}' has a negative width (${v})`);
    return Number(v);
  }

  // ---- enums ----------------------------------------------------------------------------------

  private enumDefinition(kw: Token, name: Token | null): EnumType {
    const found = name ? this.scope.tag('enum', name.text) : undefined;
    const existing = found?.type as EnumType | undefined;
    if (name && !existing) this.checkTagKind('enum', name);
    const { items, partial } = this.enumBody();
    const base = partial ? primitive('unsigned int') : enumBase(items.map((e) => e.value as bigint));
    if (!base) this.ts.fail(name ?? kw, `the values of 'enum${name ? ` ${name.text}` : ''}' do not fit one 64-bit integer type`);
    let target: EnumType;
    let fill = true;
    if (existing && !existing.partial && Object.keys(existing.relements).length === 0) {
      target = existing; // completes 'enum e;'
      this.scope.saveEnum(existing);
    } else if (existing && this.sameEnumerators(existing, items, partial)) {
      target = existing;
      fill = false;
    } else if (existing && found && !this.scope.override) {
      return this.ts.fail(
        name as Token,
        `'enum ${name?.text}' is already defined with different enumerators (at ${found.pos.line}:${found.pos.column}); ` +
          'pass { override: true } to replace it',
      );
    } else {
      target = new EnumType(name ? name.text : PROVISIONAL);
      this.scope.created.add(target);
      if (name) this.scope.declare({ kind: 'tag', name: name.text, type: target, pos: posOf(name) });
      else this.scope.anonymous.push(target);
    }
    if (fill && partial) Object.assign(target, { relements: {}, elements: {}, base, partial: true, settled: false });
    else if (fill) fillEnum(target, items, base);
    for (const e of items) {
      const value = e.value === undefined ? undefined : toJs(e.value);
      this.declareOrdinary({ kind: 'constant', name: e.tok.text, type: target, value, origin: 'enum', pos: posOf(e.tok) }, e.tok);
    }
    return target;
  }

  /** True when `items` declare enum `t` again as it is: the same names and values (partial: the same written values). */
  private sameEnumerators(t: EnumType, items: readonly Enumerator[], partial: boolean): boolean {
    if (t.partial !== partial) return false;
    if (!partial) {
      const names = Object.keys(t.relements);
      return names.length === items.length && items.every((e, i) => names[i] === e.tok.text && BigInt(t.relements[e.tok.text]) === e.value);
    }
    return items.every((e) => {
      const d = this.scope.get(e.tok.text);
      return d?.kind === 'constant' && d.type === t && (d.value === undefined ? e.value === undefined : e.value !== undefined && BigInt(d.value) === e.value);
    });
  }

  /**
   * An enum body. A last '...' makes the enum partial (API mode): the source has more enumerators,
   * so the values not written here come from the compiler (undefined), and written ones are checked.
   */
  private enumBody(): EnumBody {
    if (this.ts.is('}')) this.ts.fail(this.ts.peek(), 'an enum needs at least one enumerator');
    const items: { tok: Token; value: bigint; written: boolean }[] = [];
    const pending = new Map<string, IntValue>();
    this.pendingEnum = pending;
    let next = 0n;
    let partial = false;
    do {
      if (this.ts.is('}')) break; // a trailing comma
      if (this.ts.is('...')) {
        const dots = this.ts.next();
        if (!items.length) this.ts.fail(dots, "a partial enum needs at least one enumerator before '...'");
        partial = true;
        break;
      }
      const tok = this.ts.peek();
      if (!isName(tok)) this.ts.unexpected(tok, 'an enumerator name');
      this.ts.next();
      if (pending.has(tok.text)) this.ts.fail(tok, `the enumerator '${tok.text}' appears twice`);
      const written = this.ts.accept('=');
      const value = written ? this.expression().value : next;
      if (value > U64_MAX) this.ts.fail(tok, `the value of the enumerator '${tok.text}' does not fit 64 bits`);
      items.push({ tok, value, written });
      pending.set(tok.text, { value, type: enumeratorType(value, null) });
      next = value + 1n;
    } while (this.ts.accept(','));
    this.ts.expect('}', partial ? "'}' after '...' (it ends a partial enum)" : "',' or '}' after the enumerator");
    this.pendingEnum = null;
    return { items: items.map((e) => ({ tok: e.tok, value: partial && !e.written ? undefined : e.value })), partial };
  }

  // ---- declarators ----------------------------------------------------------------------------

  /**
   * Parses a declarator. 'named' needs a name, 'abstract' has none (type names), 'either' may have
   * one (parameters). Pointers apply first, then the suffixes from the right, then what is inside '()'.
   */
  private declarator(mode: 'named' | 'abstract' | 'either'): Declarator {
    this.ts.enter(this.ts.peek());
    const pointers: Derivation[] = [];
    while (this.ts.is('*')) {
      const star = this.ts.next();
      this.ts.enter(star);
      pointers.push({ kind: 'pointer', quals: this.qualifiers(), tok: star });
    }
    let name: Token | null = null;
    let inner: readonly Derivation[] = [];
    const tok = this.ts.peek();
    if (this.ts.is('(') && this.nestedDeclaratorFollows(mode)) {
      this.ts.next();
      ({ name, chain: inner } = this.declarator(mode));
      this.ts.expect(')', `')' to close the '(' at ${tok.line}:${tok.column}`);
    } else if (mode !== 'abstract' && isName(tok)) {
      name = this.ts.next();
    } else if (mode === 'named') {
      this.ts.unexpected(tok, 'a name');
    }
    const suffixes = this.suffixes();
    this.ts.leave(1 + pointers.length);
    return { name, chain: [...pointers, ...suffixes.reverse(), ...inner] };
  }

  /** At '(' in a declarator: true for a parenthesised declarator, false for a parameter list. */
  private nestedDeclaratorFollows(mode: 'named' | 'abstract' | 'either'): boolean {
    if (mode === 'named') return true;
    const after = this.ts.peek(1);
    if (after.kind === 'punct') return after.text !== ')' && after.text !== '...';
    const role = after.kind === 'ident' ? keyword(after.text) : undefined;
    return !(this.startsType(after) || role?.kind === 'refused' || role?.kind === 'storage');
  }

  private qualifiers(): number {
    let quals = 0;
    for (;;) {
      const tok = this.ts.peek();
      const role = tok.kind === 'ident' ? keyword(tok.text) : undefined;
      if (role?.kind !== 'qualifier') return quals;
      quals |= role.bit;
      this.ts.next();
    }
  }

  private suffixes(): Derivation[] {
    const out: Derivation[] = [];
    for (;;) {
      const tok = this.ts.peek();
      if (out.length >= NESTING_LIMIT) this.ts.fail(tok, `nesting too deep (more than ${NESTING_LIMIT} levels)`);
      if (this.ts.accept('[')) out.push({ kind: 'array', length: this.arrayLength(), tok });
      else if (this.ts.accept('(')) out.push(this.parameters(tok));
      else return out;
    }
  }

  private arrayLength(): number | null | 'compiler' {
    if (this.ts.accept(']')) return null;
    if (this.ts.accept('...')) {
      this.ts.expect(']', "']' after '[...'");
      return 'compiler';
    }
    const at = this.ts.peek();
    const { value } = this.expression();
    this.ts.expect(']', "']' after the array size");
    if (value < 0n) this.ts.fail(at, `the array size ${value} is negative`);
    if (value > MAX_SAFE) this.ts.fail(at, `the array size ${value} is too large`);
    return Number(value);
  }

  private parameters(open: Token): Derivation {
    this.ts.enter(open);
    const params: Param[] = [];
    const names = new Set<string>();
    let ellipsis = false;
    let voidParam: Token | null = null;
    if (!this.ts.accept(')')) {
      for (;;) {
        const tok = this.ts.peek();
        if (this.ts.is('...')) {
          if (!params.length) this.ts.fail(tok, "'...' needs at least one parameter before it");
          this.ts.next();
          ellipsis = true;
          this.ts.expect(')', "')' after '...'");
          break;
        }
        const after = this.ts.peek(1);
        if (isName(tok) && !this.isTypedefName(tok.text) && after.kind === 'punct' && (after.text === ',' || after.text === ')')) {
          this.ts.fail(
            tok,
            `unknown type name ${quote(tok.text)}, or a K&R-style parameter without a type, which cdef does not support; ` +
              `give each parameter its type, as in 'int f(int ${quote(tok.text).slice(1, -1)})'`,
          );
        }
        const specs = this.specifiers('param', 'a parameter type');
        const d = this.declarator('either');
        const derived = this.derive(specs, d.chain);
        this.refuseCompilerLength(derived, 'a parameter');
        const { type, quals } = derived;
        if (type === VOID) {
          voidParam = tok;
          if (d.name || quals) this.ts.fail(tok, "a 'void' parameter cannot have a name or qualifiers");
        }
        // As in C, array parameters are pointers to their items and function parameters function pointers.
        const adjusted = type.kind === 'array' ? pointerTo(type.item, quals) : type.kind === 'function' ? pointerTo(type) : type;
        if (d.name) {
          if (names.has(d.name.text)) this.ts.fail(d.name, `the parameter name '${d.name.text}' appears twice`);
          names.add(d.name.text);
        }
        params.push({ name: d.name, type: adjusted });
        if (this.ts.accept(',')) continue;
        if (this.ts.accept(')')) break;
        this.ts.unexpected(this.ts.peek(), "',' or ')' in the parameter list");
      }
    }
    this.ts.leave();
    if (voidParam) {
      if (params.length > 1 || ellipsis) this.ts.fail(voidParam, "'void' must be the only parameter");
      return { kind: 'function', params: [], ellipsis, tok: open };
    }
    return { kind: 'function', params, ellipsis, tok: open };
  }

  /**
   * Applies a declarator's derivations to the specifiers' type, checking what C checks. An `[...]`
   * length may only be the outermost derivation; the type then has an open array there.
   */
  private derive(specs: Specs, chain: readonly Derivation[]): Derived {
    let type = specs.type;
    let quals = specs.quals;
    let at = specs.first;
    let compilerLength: Token | null = null;
    for (const [i, d] of chain.entries()) {
      this.checkRestrict(type, quals, at);
      at = d.tok;
      switch (d.kind) {
        case 'pointer':
          type = pointerTo(type, quals);
          quals = d.quals;
          break;
        case 'array': {
          const pending = pendingLayout(type) !== null;
          if (type.size < 0 && !pending) this.ts.fail(d.tok, `an array cannot hold items of type '${type.cname}', which has no size`);
          if (d.length === 'compiler') {
            if (i !== chain.length - 1) this.ts.fail(d.tok, "'[...]' (a length the compiler gives) can only be the outermost length");
            compilerLength = d.tok;
            type = arrayOf(type, null);
            break;
          }
          if (d.length !== null && !pending && d.length * type.size > Number.MAX_SAFE_INTEGER) {
            this.ts.fail(d.tok, `the array of ${d.length} '${type.cname}' is too large`);
          }
          type = arrayOf(type, d.length);
          break;
        }
        case 'function':
          if (type.kind === 'array' || type.kind === 'function') {
            this.ts.fail(d.tok, `a function cannot return ${type.kind === 'array' ? 'an array' : 'a function'} ('${type.cname}')`);
          }
          type = functionType(d.params.map((p) => p.type), type, d.ellipsis);
          quals = 0;
          break;
      }
      if (typeDepth(type) > NESTING_LIMIT) this.ts.fail(d.tok, `nesting too deep (a type more than ${NESTING_LIMIT} levels deep)`);
    }
    this.checkRestrict(type, quals, at);
    return { type, quals, compilerLength };
  }

  /** C allows 'restrict' only on pointers to objects (arrays of them included). */
  private checkRestrict(type: CType, quals: number, at: Token): void {
    if (!(quals & Q_RESTRICT)) return;
    let item = type;
    while (item.kind === 'array') item = item.item;
    if (item.kind !== 'pointer' || item.item.kind === 'function') {
      this.ts.fail(at, `'restrict' applies to pointers to objects only, not to '${item.cname}'`);
    }
  }
}

const CONTEXT_PLACE: Record<SpecContext, string> = {
  file: 'here',
  member: 'on a struct member',
  param: 'on a parameter',
  typename: 'in a type name',
};

const KNOWN_DIRECTIVES = new Set([
  'if', 'ifdef', 'ifndef', 'elif', 'elifdef', 'elifndef', 'else', 'endif', 'undef', 'line', 'error', 'warning',
  'ident', 'sccs', 'assert', 'unassert',
]);

/** Fills an exact enum (every value known) with its enumerators. */
function fillEnum(t: EnumType, items: readonly Enumerator[], base: PrimitiveType): void {
  const relements: Record<string, number | bigint> = {};
  const elements: Record<string, string> = {};
  for (const { tok, value } of items) {
    if (value === undefined) throw new Error(`internal: enumerator '${tok.text}' of an exact enum without a value`);
    relements[tok.text] = toJs(value);
    elements[String(value)] ??= tok.text;
  }
  t.relements = relements;
  t.elements = elements;
  t.base = base;
  t.partial = false;
  t.settled = true;
}

const isAnonymous = (t: StructType): boolean => !t.namedByTypedef && (t.name === PROVISIONAL || t.name.startsWith('$'));

/** True for the type of `typedef ... name;`. */
const isOpaque = (t: CType, name: string): boolean =>
  t.kind === 'struct' && t.namedByTypedef && t.name === name && t.fields === null && t.members === null;

/**
 * True when the freshly parsed `fresh` defines what `old` already is: for layouts cdef computes,
 * the same layout; for layouts the compiler gives, the same members as declared and the same '...'.
 */
function sameDefinition(fresh: StructType, old: StructType): boolean {
  if (fresh.members === null && old.members === null) return sameLayout(fresh, old, fresh, old);
  const a = fresh.members ?? [];
  const b = old.members ?? [];
  return (
    fresh.members !== null && old.members !== null && fresh.kind === old.kind && fresh.partial === old.partial &&
    a.length === b.length &&
    a.every((m, i) => {
      const n = b[i];
      return (
        m.name === n.name && m.quals === n.quals && m.bitsize === n.bitsize && (m.lengthFromCompiler ?? false) === (n.lengthFromCompiler ?? false) &&
        sameType(m.type, n.type, fresh, old)
      );
    })
  );
}

/**
 * True when struct `a` lays out exactly as `b`: same size, alignment and flattened members (names,
 * offsets, bits, qualifiers, types). Types compare by identity, except that `fresh` stands for `old`
 * (a body that refers to its own tag) and anonymous structs compare by their own layout.
 */
function sameLayout(a: StructType, b: StructType, fresh: StructType, old: StructType): boolean {
  if (a.kind !== b.kind || a.size !== b.size || a.align !== b.align) return false;
  const fa = a.fields ?? [];
  const fb = b.fields ?? [];
  return (
    fa.length === fb.length &&
    fa.every((f, i) => {
      const g = fb[i];
      return (
        f.name === g.name && f.offset === g.offset && f.bitshift === g.bitshift && f.bitsize === g.bitsize &&
        f.quals === g.quals && sameType(f.type, g.type, fresh, old)
      );
    })
  );
}

function sameType(a: CType, b: CType, fresh: StructType, old: StructType): boolean {
  if (a === b || (a === fresh && b === old)) return true;
  switch (a.kind) {
    case 'pointer':
      return b.kind === 'pointer' && a.quals === b.quals && sameType(a.item, b.item, fresh, old);
    case 'array':
      return b.kind === 'array' && a.length === b.length && sameType(a.item, b.item, fresh, old);
    case 'function':
      return (
        b.kind === 'function' && a.ellipsis === b.ellipsis && a.args.length === b.args.length &&
        sameType(a.result, b.result, fresh, old) && a.args.every((x, i) => sameType(x, b.args[i], fresh, old))
      );
    case 'struct':
    case 'union':
      return (b.kind === 'struct' || b.kind === 'union') && isAnonymous(a) && isAnonymous(b) && sameLayout(a, b, fresh, old);
    case 'primitive':
    case 'void':
    case 'enum':
      return false;
  }
}
