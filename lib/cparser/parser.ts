// The cdef parser: declarations in CFFI's C dialect become Decls in a Registry (all or nothing); type names become CTypes.
// The grammar is in three parts, as C's declarations are: this file (declarations, typedefs, directives),
// specifiers.ts (type specifiers, struct/union/enum bodies) and declarator.ts (declarators, shared state).
import { CDefError, checkOptions, show, TypeError } from '../errors';
import { CType, FunctionType, Q_CONST, deferredArray, isInteger, primitive } from '../ctype/model';
import { arrayOf } from '../ctype/intern';
import { Decl, Registry, SourcePos } from '../ctype/registry';
import { Scope, toJs } from '../ctype/declarations';
import { TemplateMemo } from '../ctype/template';
import { convertInt, isFloatLiteral } from './constexpr';
import { Token, Where, describe, isName, lex, releaseTokens } from './lexer';
import * as tokenTable from './tokens';
import * as streams from './stream';
import { TokenStream } from './stream';
import { BUILTIN_TYPES, Declarator, Derived, Specs, Typed, fromCompiler, posOf } from './declarator';
import { SpecifierParser } from './specifiers';

export interface CdefOptions {
  /** Let declarations replace earlier ones with a different meaning. */
  override?: boolean;
  /** Lay out every struct and union of this cdef packed (no padding): pack = 1. */
  packed?: boolean;
  /** Cap member alignment at this power of two (as '#pragma pack(n)'); 0 keeps natural alignment. */
  pack?: number;
}

// The token kinds the busiest paths use as this module's own constants, read once: a name imported
// from another module is a property of its exports at every use (a load the first run interprets,
// and a deoptimisation where optimised code meets it first).
const { EOF, HASH, KEYWORD_ROLES } = tokenTable;
const { P_ASSIGN, P_COMMA, P_ELLIPSIS, P_LBRACE, P_SEMI } = streams;

const CDEF_OPTION_NAMES: Readonly<Record<keyof CdefOptions, true>> = { override: true, packed: true, pack: true };

/** Positions in cdef messages: 'cdef:3:5: ', or 'file.h:12:5: ' after a line marker. */
export const cdefWhere: Where = (line, column, file) => `${file ?? 'cdef'}:${line}:${column}: `;

/** Parses declarations in CFFI's cdef language and adds them to `registry`. Throws CDefError. */
export function parseCdef(source: string, registry: Registry, options: CdefOptions = {}): void {
  if (typeof source !== 'string') throw new TypeError(`cdef: the declarations must be a string, not ${show(source)}`);
  checkOptions('ffi.cdef()', options, CDEF_OPTION_NAMES);
  const pack = packOf(options);
  // A text parsed before into an empty table is copied from its template (see TemplateMemo).
  const remembered = registry.pristine ? `${options.override === true} ${pack}` : undefined;
  if (remembered !== undefined) {
    const template = templates.recall(source, remembered);
    if (template !== undefined) return template.copyInto(registry);
  }
  const tokens = lex(source, cdefWhere);
  const scope = new Scope(registry, options.override === true, failAt(cdefWhere));
  try {
    new Parser(new TokenStream(tokens, cdefWhere), scope, pack).translationUnit();
  } catch (e) {
    scope.rollback();
    throw e;
  } finally {
    releaseTokens(tokens);
  }
  scope.commit();
  if (remembered !== undefined) templates.note(source, remembered, registry);
}

const templates = new TemplateMemo();

/** True for a type name cdef knows without a declaration ('size_t', 'uint8_t', 'bool'). */
export function isBuiltinTypeName(name: string): boolean {
  return BUILTIN_TYPES.has(name);
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
  const tokens = lex(text, where);
  // A type name can declare tags, as in C and CFFI ('struct s *' of an undeclared s; 'struct { int a; }').
  const scope = new Scope(registry, false, failAt(where));
  let type: CType;
  try {
    type = new Parser(new TokenStream(tokens, where), scope, 0).wholeTypeName();
  } catch (e) {
    scope.rollback();
    throw e;
  } finally {
    releaseTokens(tokens);
  }
  scope.commit();
  registry.typeCache.set(text, type);
  return type;
}

export function packOf(options: CdefOptions): number {
  const p = options.pack ?? 0;
  if (!(typeof p === 'number' && (p === 0 || (Number.isInteger(p) && p >= 1 && p <= 16 && (p & (p - 1)) === 0)))) {
    throw new TypeError(`cdef: option 'pack' must be 0 or a power of two from 1 to 16, not ${show(p)}`);
  }
  const packed = options.packed ?? false;
  if (typeof packed !== 'boolean') throw new TypeError(`cdef: option 'packed' must be true or false, not ${show(packed)}`);
  if (packed && p !== 0) throw new TypeError(`cdef: options 'packed' and 'pack' given together; give 'pack: 1' alone (what 'packed: true' means)`);
  return packed ? 1 : p;
}

/** Fails at a position as the token stream does at a token (the scope reports conflicts by position). */
export function failAt(where: Where): (at: SourcePos, message: string) => never {
  return (at, message) => {
    throw new CDefError(where(at.line, at.column, at.file) + message, at.line, at.column);
  };
}

export class Parser extends SpecifierParser {
  /** The pack the cdef call started with, which '#pragma pack()' restores. */
  private optionPack = this.pack;
  /** Packs saved by '#pragma pack(push)'. */
  private readonly packStack: number[] = [];

  /** Parses another text (a piece of a batch) into the same scope, as a new parser would parse it. */
  piece(ts: TokenStream, pack: number): void {
    this.restart(ts, pack);
    this.optionPack = pack;
    if (this.packStack.length !== 0) this.packStack.length = 0;
    this.translationUnit();
  }

  /** Parses a whole type name from `ts` into the same scope, as a new parser would. */
  pieceTypeName(ts: TokenStream): CType {
    this.restart(ts, 0);
    this.optionPack = 0;
    if (this.packStack.length !== 0) this.packStack.length = 0;
    return this.wholeTypeName();
  }

  translationUnit(): void {
    while (this.ts.cur !== EOF) this.declaration();
    this.checkAnonymous();
  }

  /** A whole type name and nothing after it; a name in its declarator is taken and ignored. */
  wholeTypeName(): CType {
    const type = this.typeName(true);
    if (this.ts.peek().kind !== 'eof') this.ts.unexpected(this.ts.peek(), 'the end of the type');
    this.checkAnonymous();
    return type;
  }

  /** Refuses the anonymous structs and unions defined here whose layout the compiler gives: it can be asked about named ones only. */
  private checkAnonymous(): void {
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

  // ---- declarations ---------------------------------------------------------------------------

  /** A declaration; inside `extern "Python"`, `callback` says how its functions are declared. */
  private declaration(callback: ExternCallback | null = null): void {
    const start = this.ts.index;
    // The parser's busiest paths compare the current token's kind (ts.cur) themselves.
    if (this.ts.cur === HASH) return this.directive();
    if (this.ts.cur === P_SEMI) return this.ts.skip();
    if (callback === null && KEYWORD_ROLES[this.ts.cur]?.kind === 'storage') {
      const word = this.ts.peek().text;
      if (word === 'extern' && this.ts.kindIs('string', 1)) return this.externCallbacks();
      if (word === 'typedef' && this.ts.punctAhead(1) === '...') return this.opaqueTypedef();
    }
    const specs = this.specifiers('file', 'a declaration');
    if (callback) this.refuseInCallback(specs, callback);
    if (this.ts.cur === P_SEMI) {
      this.ts.skip();
      return this.declaresNothingElse(specs);
    }
    if (this.ts.cur === P_ELLIPSIS) return this.deferredTypedef(specs);
    for (;;) {
      const d = this.declarator('named');
      const name = d.name as Token;
      const derived = this.derive(specs, d.chain);
      const { type } = derived;
      if (this.ts.cur === P_LBRACE && type.kind === 'function') {
        const proto = `${this.ts.spell(start, this.ts.index)};`;
        this.ts.fail(
          this.ts.peek(),
          `function bodies are not allowed in cdef; declare '${proto}' here and put the body in the source given to verify()`,
        );
      }
      const init = this.ts.cur === P_ASSIGN ? this.ts.next() : null;
      if (callback) this.declareCallback(d, name, derived, init, callback);
      else this.declareEntity(specs, d, name, derived, init);
      const k = this.ts.cur;
      if (k === P_COMMA || k === P_SEMI) {
        this.ts.skip();
        if (k === P_COMMA) continue;
        return;
      }
      this.ts.unexpected(this.ts.peek(), `';' after the declaration of '${name.text}'`);
    }
  }

  // ---- extern "Python" ---------------------------------------------------------------------------

  /**
   * `extern "Python" int cb(int);` or `extern "Python" { ... }`: functions whose body JavaScript
   * gives, as CFFI's `extern "Python"`; "JS" is the same; "Python+C" (or "C+Python") makes the C
   * function visible to other C files too. Recorded as 'extern-callback' declarations.
   */
  private externCallbacks(): void {
    this.ts.next();
    const lang = this.ts.next();
    const m = /^"\s*(?:(Python|JS)\s*(\+\s*C)?|C\s*\+\s*(Python|JS))\s*"$/.exec(lang.text);
    if (!m) {
      this.ts.fail(
        lang,
        `'extern ${lang.text}' is not supported in cdef; it takes 'extern "Python"' (or "JS") for functions whose body ` +
          'JavaScript gives, and "Python+C" (or "C+Python") for ones other C files call too',
      );
    }
    const callback: ExternCallback = { words: `extern ${lang.text}`, language: (m[1] ?? m[3]) as 'Python' | 'JS', exportedToC: m[1] === undefined || m[2] !== undefined };
    if (!this.ts.is('{')) return this.declaration(callback);
    const open = this.ts.next();
    while (!this.ts.accept('}')) {
      if (this.ts.peek().kind === 'eof') this.ts.fail(open, `'${callback.words} {' has no '}'`);
      this.declaration(callback);
    }
  }

  /** What `extern "Python"` cannot hold: storage classes, struct, union and enum bodies. */
  private refuseInCallback(specs: Specs, callback: ExternCallback): void {
    if (specs.storage) this.ts.fail(specs.storage, `'${specs.storage.text}' cannot stand in '${callback.words}'; it declares functions only`);
    if (specs.tag?.defined) this.ts.fail(this.ts.token(specs.firstAt), `'${callback.words}' declares functions only; define the ${specs.tag.type.kind} before it`);
  }

  private declareCallback(d: Declarator, name: Token, typed: Derived, init: Token | null, callback: ExternCallback): void {
    const type = typed.type;
    if (type.kind !== 'function' || init) {
      this.ts.fail(name, `'${callback.words}' declares functions only, and '${name.text}' is no function declaration`);
    }
    const { language, exportedToC } = callback;
    this.declareOrdinary({ kind: 'extern-callback', name: name.text, type, argNames: argNamesOf(d, type), language, exportedToC, pos: posOf(name) }, name);
  }

  /** A declaration without declarators must declare a tag (or be an anonymous enum's constants). */
  private declaresNothingElse(specs: Specs): void {
    const tag = specs.tag;
    if (!tag) this.ts.fail(this.ts.token(specs.firstAt), 'this declaration declares nothing');
    if (tag.anonymous && tag.type.kind !== 'enum') {
      this.ts.fail(this.ts.token(specs.firstAt), `this anonymous ${tag.type.kind} declares nothing; give it a tag or a typedef name`);
    }
  }

  /** `typedef ... name;`: an opaque type, usable through pointers only; `typedef ... *name;`: a pointer to one. */
  private opaqueTypedef(): void {
    this.ts.next();
    this.ts.next();
    const star = this.ts.accept('*') ? '*' : '';
    const name = this.ts.peek();
    if (!isName(name)) this.ts.unexpected(name, `the name of the opaque ${star ? 'pointer ' : ''}type after 'typedef ...${star ? ' *' : ''}'`);
    this.ts.next();
    this.ts.expect(';', `';' after 'typedef ... ${star}${name.text}'`);
    if (star) this.scope.declareOpaquePointer(name.text, posOf(name));
    else this.scope.declareOpaque(name.text, posOf(name));
  }

  /**
   * `typedef int... name;` / `typedef float... name;`: an integer or floating type the compiler
   * picks. As in CFFI, any integer keywords stand for the first ('unsigned long...'), 'double' for
   * the second; 'long double' is not one.
   */
  private deferredTypedef(specs: Specs): void {
    const dots = this.ts.next();
    const form = "write 'typedef int... name;' (any integer type) or 'typedef float... name;' (any floating type)";
    if (specs.storage?.text !== 'typedef') this.ts.fail(dots, `'...' after a type makes a typedef the compiler completes; ${form}`);
    const t = specs.tag === null && !specs.named ? specs.type : null;
    const family = t && isInteger(t) ? 'int' : t === primitive('float') || t === primitive('double') ? 'float' : null;
    if (!family || specs.quals !== 0) this.ts.fail(dots, `'${specs.type.cname}...' is not a placeholder cdef knows; ${form}`);
    const name = this.ts.peek();
    if (!isName(name)) this.ts.unexpected(name, `the name of the typedef after '${family}...'`);
    this.ts.next();
    this.ts.expect(';', `';' after 'typedef ${family}... ${name.text}'`);
    const builtin = BUILTIN_TYPES.get(name.text);
    // The C library's types are known already: a placeholder of their family changes nothing.
    if (builtin && this.scope.get(name.text) === undefined && (family === 'int') === isInteger(builtin)) return;
    this.scope.declareDeferred(name.text, family, posOf(name));
  }

  private declareEntity(specs: Specs, d: Declarator, name: Token, typed: Derived, init: Token | null): void {
    const { type, quals } = typed;
    const storage = specs.storage?.text;
    const pos = posOf(name);
    if (storage === 'typedef') {
      if (init) this.ts.fail(init, `the typedef '${name.text}' cannot have an initialiser`);
      if (typed.compilerLength) return this.declareDeferredArray(name, typed);
      return this.declareTypedef(specs, name, typed);
    }
    // 'static' functions and variables are the source's own, which the code verify() appends to it reaches.
    if (type.kind === 'function') {
      if (init) this.ts.fail(init, `the function '${name.text}' cannot have an initialiser`);
      return this.declareOrdinary({ kind: 'function', name: name.text, type, argNames: argNamesOf(d, type), pos }, name);
    }
    const isConst = (quals & Q_CONST) !== 0;
    if (init) return this.declareInitialised(name, typed, isConst);
    // Constants and const globals: a const object that is not an array is a constant (as in CFFI),
    // read once and never written; one of a type without a size is refused when it is used.
    if (isConst && type.kind !== 'array' && type.kind !== 'void') {
      return this.declareOrdinary({ kind: 'constant', name: name.text, type, value: undefined, origin: 'static const', pos }, name);
    }
    if (type.kind === 'void') this.ts.fail(name, `the variable '${name.text}' has type 'void'`);
    const variable: Decl = { kind: 'variable', name: name.text, type, quals, pos };
    this.declareOrdinary(typed.compilerLength === null ? variable : { ...variable, ...fromCompiler(typed) }, name);
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
    if (target.kind === 'primitive' && !isInteger(target) && target.repr !== 'bool') {
      // As CFFI: a floating constant's value is the compiler's (verify() gives it, a dlopen() library
      // says it has none); its initialiser here is passed over.
      this.skipInitialiser();
      return this.declareOrdinary({ kind: 'constant', name: name.text, type, value: undefined, origin: 'static const', pos: posOf(name) }, name);
    }
    if (target.kind !== 'primitive' || !(isInteger(target) || target.repr === 'bool')) {
      this.ts.fail(name, `the constant '${name.text}' has type '${type.cname}'; only integer constants may have a value in cdef`);
    }
    const value = convertInt(this.expression().value, target);
    this.declareOrdinary(
      { kind: 'constant', name: name.text, type, value: toJs(value), origin: 'static const', pos: posOf(name) },
      name,
    );
  }

  /** Moves past an initialiser: to the ',' or ';' that ends it, outside brackets. */
  private skipInitialiser(): void {
    const first = this.ts.punctAhead(0);
    if (first === ',' || first === ';' || this.ts.kindIs('eof')) this.ts.unexpected(this.ts.peek(), "an initialiser after '='");
    let depth = 0;
    for (;;) {
      const p = this.ts.punctAhead(0);
      if (this.ts.kindIs('eof') || (depth === 0 && (p === ',' || p === ';'))) return;
      if (p === '(' || p === '[' || p === '{') depth++;
      else if ((p === ')' || p === ']' || p === '}') && --depth < 0) return;
      this.ts.skip();
    }
  }

  /**
   * A typedef. One of a built-in name ('typedef int bool;', 'typedef char int32_t;') replaces the
   * built-in type for this FFI's declarations, as in CFFI; one that repeats it changes nothing.
   */
  private declareTypedef(specs: Specs, name: Token, typed: Typed): void {
    if (BUILTIN_TYPES.get(name.text) === typed.type && typed.quals === 0 && this.scope.get(name.text) === undefined) return;
    const tag = specs.tag;
    this.scope.declareTypedef(name.text, typed, posOf(name), tag && tag.anonymous && tag.defined ? tag.type : null);
  }

  /**
   * `typedef int foo_t[...];` (or `[...][...]`, `[][...]`): arrays whose lengths the compiler gives,
   * made once per typedef and completed in place by verify(), so that `foo_t *` and structs holding
   * a `foo_t` follow. Generated C spells them through the typedef ('foo_t', '__typeof__((*(foo_t *)0)[0])').
   * The same typedef declared again keeps its arrays.
   */
  private declareDeferredArray(name: Token, typed: Derived): void {
    const depths = [...(typed.outerFromCompiler ? [0] : []), ...typed.innerFromCompiler];
    const build = (t: CType, depth: number): CType => {
      if (t.kind !== 'array') return t;
      const item = build(t.item, depth + 1);
      if (!depths.includes(depth)) return arrayOf(item, t.length);
      return deferredArray(item, depth === 0 ? name.text : `__typeof__((*(${name.text} *)0)${'[0]'.repeat(depth)})`);
    };
    const type = build(typed.type, 0);
    const old = this.scope.get(name.text);
    if (old?.kind === 'typedef' && old.quals === typed.quals && sameDeferredShape(old.type, type)) return;
    this.scope.declareTypedef(name.text, { type, quals: typed.quals }, posOf(name), null);
  }

  // ---- preprocessor directives ----------------------------------------------------------------

  private directive(): void {
    const hash = this.ts.next();
    const name = this.ts.next();
    if (name.kind === 'eol') return; // the null directive
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
      case 'pragma':
        return this.pragma();
      default:
        return this.ts.fail(
          hash,
          KNOWN_DIRECTIVES.has(name.text)
            ? `'#${name.text}' is not supported in cdef; the only directive it takes is '#define NAME <integer constant expression>'`
            : `'#${name.text}' is not a preprocessor directive`,
        );
    }
  }

  /**
   * '#pragma pack' sets the packing of the structs defined after it, as GCC reads it; any other
   * pragma ('GCC visibility', 'once', another compiler's own) says nothing about declarations and
   * is skipped, as preprocessed headers hold many.
   */
  private pragma(): void {
    const first = this.ts.peek();
    if (first.kind === 'ident' && first.text === 'pack') {
      this.ts.next();
      this.pragmaPack(first);
    }
    while (this.ts.peek().kind !== 'eol' && this.ts.peek().kind !== 'eof') this.ts.next();
    this.ts.next();
  }

  /** `#pragma pack(n)`, `pack()`, `pack(push[, n])`, `pack(pop)`: GCC's forms, for the rest of this cdef call. */
  private pragmaPack(pack: Token): void {
    const form = "'#pragma pack' takes (n), (), (push), (push, n) or (pop), with n 1, 2, 4, 8 or 16";
    this.ts.expect('(', `'(' after '#pragma pack'; ${form}`);
    const value = (): number => {
      const tok = this.ts.next();
      const n = tok.kind === 'number' ? Number(tok.text) : NaN;
      if (![1, 2, 4, 8, 16].includes(n)) this.ts.fail(tok, `${form}, not ${describe(tok)}`);
      return n;
    };
    const word = this.ts.peek();
    if (this.ts.is(')')) this.pack = this.optionPack;
    else if (word.kind === 'ident' && word.text === 'push') {
      this.ts.next();
      this.packStack.push(this.pack);
      if (this.ts.accept(',')) this.pack = value();
    } else if (word.kind === 'ident' && word.text === 'pop') {
      this.ts.next();
      const saved = this.packStack.pop();
      if (saved === undefined) this.ts.fail(word, "'#pragma pack(pop)' has no '#pragma pack(push)' before it in this cdef");
      this.pack = saved;
    } else this.pack = value();
    this.ts.expect(')', `')' to end '#pragma pack('; ${form}`);
    if (this.ts.peek().kind !== 'eol') this.ts.unexpected(this.ts.peek(), `the end of the line after '#pragma ${pack.text}(...)'`);
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

}

/** True when `a` and `b` are the same arrays but for deferred arrays' identity (a typedef's `[...]` declared again). */
function sameDeferredShape(a: CType, b: CType): boolean {
  if (a === b) return true;
  if (a.kind !== 'array' || b.kind !== 'array' || a.deferred !== b.deferred) return false;
  return (a.deferred !== null || a.length === b.length) && sameDeferredShape(a.item, b.item);
}

/** A function declarator's parameter names as written (null where none; all null through a function typedef). */
function argNamesOf(d: Declarator, type: FunctionType): (string | null)[] {
  const last = d.chain[d.chain.length - 1];
  return last?.kind === 'function' ? last.params.map((p) => p.name) : type.args.map(() => null);
}

/** The `extern "Python"` around a declaration: the words as written, the language, and whether "+C" exports it. */
interface ExternCallback {
  readonly words: string;
  readonly language: 'Python' | 'JS';
  readonly exportedToC: boolean;
}

const KNOWN_DIRECTIVES = new Set([
  'if', 'ifdef', 'ifndef', 'elif', 'elifdef', 'elifndef', 'else', 'endif', 'undef', 'error', 'warning',
  'ident', 'sccs', 'assert', 'unassert',
]);
