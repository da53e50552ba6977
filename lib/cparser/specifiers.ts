// The specifier part of the cdef grammar: type keywords, typedef names, qualifiers and storage classes, struct/union bodies and members, enum bodies.
import { CType, EnumType, MemberDecl, StructType, VOID, primitive } from '../ctype/model';
import { enumBase, enumeratorType, toJs } from '../ctype/declarations';
import { IntValue } from './constexpr';
import { NESTING_LIMIT, Token, isName, quote } from './lexer';
import { cWord } from './keywords';
import * as tokenTable from './tokens';
import * as streams from './stream';
import { TokenStream } from './stream';

// The token kinds and tables the busiest paths use as this module's own constants, read once: a name imported
// from another module is a property of its exports at every use (a load the first run interprets,
// and a deoptimisation where optimised code meets it first).
const { IDENT, KEYWORD_ROLES, FIXED_TEXTS } = tokenTable;
const { P_COLON, P_COMMA, P_ELLIPSIS, P_LBRACE, P_RBRACE, P_SEMI } = streams;
import { BUILTIN_TYPES, DeclaratorParser, SpecContext, Specs, TagUse, fromCompiler, posOf } from './declarator';

const U64_MAX = 2n ** 64n - 1n;

/** An enumerator as parsed: where it is written, and its value (undefined: the compiler gives it). */
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
/** C's and GCC's spellings of '_Complex'. */
const COMPLEX_WORDS = new Set(['_Complex', '__complex__']);

/** The types of the spellings met so far ('int', 'unsigned long'), by their words as written. */
const spelled = new Map<string, CType>();

/** The primitive type spelled by C's type keywords, in any order C allows ('int unsigned long'). */
function primitiveOf(words: readonly Token[], ts: TokenStream): CType {
  const key = words.length === 1 ? words[0].text : words.map((w) => w.text).join(' ');
  let type = spelled.get(key);
  if (type === undefined) spelled.set(key, (type = spelledPrimitive(words, ts)));
  return type;
}

/** The types of the type keywords alone, by their kinds in the token table. */
const ofOneWord: (CType | undefined)[] = new Array<CType | undefined>(256).fill(undefined);

/** primitiveOf() of the one type keyword at index `at`, of kind `kind`. */
function primitiveOf1(at: number, kind: number, ts: TokenStream): CType {
  return ofOneWord[kind] ?? (ofOneWord[kind] = primitiveOf([ts.token(at)], ts));
}

/** The largest valid combinations of type keywords (counts of each word): every valid spelling's words are among one's. */
const WIDEST_SPELLINGS: readonly ReadonlyMap<string, number>[] = [
  'void', '_Bool', 'signed char', 'unsigned char', 'signed short int', 'unsigned short int', 'signed long long int',
  'unsigned long long int', 'long double', 'float _Complex', 'double _Complex',
].map((s) => s.split(' ').reduce((m, w) => m.set(w, (m.get(w) ?? 0) + 1), new Map<string, number>()));

/** A type keyword as the spellings count it: GCC's '__complex__' is C's '_Complex'. */
const wordOf = (w: Token): string => (COMPLEX_WORDS.has(w.text) ? '_Complex' : w.text);

/** The first of `words` that no valid spelling has room for after those before it (CFFI points there); the first word when there is none. */
function offendingWord(words: readonly Token[]): Token {
  const counts = new Map<string, number>();
  for (const w of words) {
    const word = wordOf(w);
    counts.set(word, (counts.get(word) ?? 0) + 1);
    if (!WIDEST_SPELLINGS.some((widest) => [...counts].every(([k, n]) => (widest.get(k) ?? 0) >= n))) return w;
  }
  return words[0];
}

function spelledPrimitive(words: readonly Token[], ts: TokenStream): CType {
  const counts = new Map<string, number>();
  for (const w of words) counts.set(wordOf(w), (counts.get(wordOf(w)) ?? 0) + 1);
  const count = (w: string): number => counts.get(w) ?? 0;
  const shown = quote(words.map((w) => w.text).join(' '));
  const invalid = (): never => ts.fail(offendingWord(words), `invalid type ${shown}`);
  if (count('_Complex') > 0) {
    // 'float _Complex', 'double _Complex', in any order ('_Complex double'); C has no complex integers.
    if (count('_Complex') > 1) invalid();
    // The words besides '_Complex', in a canonical order.
    const part = ['long', 'float', 'double'].filter((w) => count(w) === 1).join(' ');
    if (words.length !== 1 + part.split(' ').length || (part !== 'float' && part !== 'double' && part !== 'long double')) {
      ts.fail(offendingWord(words), `invalid type ${shown}; the complex types are 'float _Complex' and 'double _Complex'`);
    }
    if (part === 'long double') {
      ts.fail(offendingWord(words), `${shown} is not supported: JavaScript has no long double to hold its parts (CFFI does not support it either); use 'double _Complex'`);
    }
    return primitive(`${part} _Complex`);
  }
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

/** Declaration specifiers and the struct, union and enum definitions inside them (see DeclaratorParser). */
export abstract class SpecifierParser extends DeclaratorParser {
  /**
   * Structs and unions whose bodies are being parsed, innermost last, to refuse nested
   * redefinitions (an array: as a set, its add and delete for every struct allocated).
   */
  private readonly defining: StructType[] = [];
  /** Anonymous structs and unions defined here, where they start, to refuse those the compiler cannot be asked about. */
  protected readonly anonymousAt = new Map<StructType, Token>();

  /** Starts over on the tokens of `ts` with the alignment cap `pack`, as a new parser would. */
  protected restart(ts: TokenStream, pack: number): void {
    this.ts = ts;
    this.pack = pack;
    this.pendingEnum = null;
    // Guarded: setting an array's length is a runtime call even when it changes nothing, and a header's check restarts once per declaration.
    if (this.defining.length !== 0) this.defining.length = 0;
    if (this.anonymousAt.size !== 0) this.anonymousAt.clear();
    if (this.prototypes.length !== 0) this.prototypes.length = 0;
  }

  // ---- specifiers -----------------------------------------------------------------------------

  protected specifiers(context: SpecContext, expected: string): Specs {
    const firstAt = this.ts.index;
    // The type keywords: the index of the first, and all of them once there is a second (most types have one).
    let word = -1;
    let wordKind = 0;
    let words: Token[] | null = null;
    // The typedef name or tag keyword that named the type, by token index (its Token is made for messages only).
    let named: { type: CType; quals: number; at: number } | null = null;
    let tag: TagUse | null = null;
    let quals = 0;
    let storage: Token | null = null;
    for (;;) {
      const role = KEYWORD_ROLES[this.ts.cur];
      if (role === undefined) {
        // The lexer hack: after a type specifier, a typedef name is the declarator's name.
        if (named || word >= 0 || this.ts.cur !== IDENT) break;
        const tok = this.ts.peek();
        if (!this.isTypedefName(tok.text)) break;
        named = this.typedefType(tok.text, this.ts.index);
        this.ts.skip();
        continue;
      }
      if (role.kind === 'reserved') break;
      if (role.kind === 'qualifier') {
        quals |= role.bit;
        this.ts.skip();
        continue;
      }
      if (role.kind === 'type' && named === null && words === null) {
        // The first two type words, without making their tokens (most types have one).
        if (word < 0) {
          word = this.ts.index;
          wordKind = this.ts.cur;
        } else words = [this.ts.token(word), this.ts.peek()];
        this.ts.skip();
        continue;
      }
      if (role.kind === 'tag' && named === null && word < 0) {
        // Without the Tokens of the keyword and the tag: made only for a message.
        const at = this.ts.index;
        this.ts.skip();
        tag = this.tagSpecifier(at);
        named = { type: tag.type, quals: 0, at };
        continue;
      }
      const tok = this.ts.peek();
      switch (role.kind) {
        case 'storage':
          if (context === 'param' && tok.text === 'register') {
            // C's one storage class for a parameter: a hint to the function's own code, nothing to a caller.
            if (storage) this.ts.fail(tok, `'register' cannot be repeated`);
            storage = tok;
            break;
          }
          if (context !== 'file') this.ts.fail(tok, `'${tok.text}' is not allowed ${CONTEXT_PLACE[context]}`);
          if (tok.text === 'register') this.ts.fail(tok, `'register' is not allowed here: C takes it on function parameters only`);
          if (storage) this.ts.fail(tok, `'${tok.text}' cannot be combined with '${storage.text}'`);
          storage = tok;
          break;
        case 'type':
          if (named) this.cannotCombine(tok, this.ts.token(named.at));
          // The longest valid spelling has four words ('unsigned long long int').
          if (words?.length === 4) this.ts.fail(words[0], `invalid type ${quote([...words, tok].map((w) => w.text).join(' '))}`);
          (words as Token[]).push(tok);
          break;
        case 'tag':
          // After another type (a tag alone was read above).
          return this.cannotCombine(tok, this.ts.token(named !== null ? named.at : word));
        case 'refused':
          return this.ts.unexpected(tok, expected);
      }
      this.ts.next();
    }
    if (!named && word < 0) {
      const tok = this.ts.peek();
      if (isName(tok)) this.ts.fail(tok, `unknown type name ${quote(tok.text)}`);
      this.ts.unexpected(tok, expected);
    }
    if (words === null && word >= 0 && this.ts.cur === IDENT && COMPLEX_WORDS.has(FIXED_TEXTS[wordKind] as string) && cWord(this.ts.peek().text)?.role === 'type') {
      // '_Complex _Float32': a GCC type after a lone '_Complex' is the type it goes with, not a declarator's name.
      const tok = this.ts.peek();
      this.ts.fail(tok, `unknown type name ${quote(tok.text)}`);
    }
    const type = named ? named.type : words !== null ? primitiveOf(words, this.ts) : primitiveOf1(word, wordKind, this.ts);
    return { firstAt, type, named: named !== null, quals: quals | (named?.quals ?? 0), storage, tag };
  }

  private cannotCombine(tok: Token, other: Token): never {
    return this.ts.fail(tok, `'${tok.text}' cannot be combined with '${other.text}' in one type`);
  }

  /** The type the typedef name `name` (token `at`) stands for: the cdef's typedef, else the built-in type of that name. */
  private typedefType(name: string, at: number): { type: CType; quals: number; at: number } {
    const d = this.scope.get(name);
    if (d?.kind === 'typedef') return { type: d.type, quals: d.quals, at };
    return { type: BUILTIN_TYPES.get(name) as CType, quals: 0, at };
  }

  /** A tag specifier after its keyword, token `kwAt` (the tag and the keyword by index: most never appear in a message). */
  private tagSpecifier(kwAt: number): TagUse {
    const kind = this.ts.textAt(kwAt) as 'struct' | 'union' | 'enum';
    const nameAt = this.ts.cur === IDENT ? this.ts.index : -1;
    if (nameAt >= 0) this.ts.skip();
    if (this.ts.cur !== P_LBRACE) {
      if (nameAt < 0) return this.ts.unexpected(this.ts.peek(), `a name or '{' after '${kind}'`);
      return { type: this.tagReference(kind, nameAt), defined: false, anonymous: false };
    }
    const open = this.ts.index;
    this.ts.skip();
    if (++this.ts.depth > NESTING_LIMIT) this.ts.tooDeep(open);
    const type = kind === 'enum'
      ? this.enumDefinition(this.ts.token(kwAt), nameAt < 0 ? null : this.ts.token(nameAt))
      : this.structDefinition(kind, nameAt, kwAt);
    this.ts.depth--;
    return { type, defined: true, anonymous: nameAt < 0 };
  }

  /**
   * `struct s` without a body: the declared type, or a new incomplete one, as C declares a tag it
   * meets first (in a type name too: 'struct s *' works before any cdef names s, as in CFFI).
   */
  private tagReference(kind: 'struct' | 'union' | 'enum', nameAt: number): StructType | EnumType {
    const name = this.ts.textAt(nameAt);
    const found = this.scope.tag(kind, name);
    if (found) return found.type;
    return this.scope.declareIncompleteTag(kind, name, this.ts.posAt(nameAt));
  }

  // ---- structs and unions ---------------------------------------------------------------------

  /** A struct or union body after its tag (token `nameAt`, -1 for none) and keyword (token `kwAt`). */
  private structDefinition(kind: 'struct' | 'union', nameAt: number, kwAt: number): StructType {
    const name = nameAt < 0 ? null : this.ts.textAt(nameAt);
    // Only a body inside another can redefine a tag being defined.
    const existing = name !== null && this.defining.length > 0 ? this.scope.tag(kind, name)?.type : undefined;
    if (existing && this.defining.includes(existing as StructType)) this.ts.fail(this.ts.token(nameAt), `nested redefinition of '${kind} ${name}'`);
    const at = this.ts.posAt(nameAt < 0 ? kwAt : nameAt);
    const def = this.scope.openStruct(kind, name, at);
    if (name === null) this.anonymousAt.set(def.target, this.ts.token(kwAt));
    this.defining.push(def.target);
    const body = this.structBody();
    try {
      return this.scope.closeStruct(def, body, this.pack, at);
    } finally {
      this.defining.pop();
    }
  }

  private structBody(): { members: MemberDecl[]; partial: boolean } {
    const members: MemberDecl[] = [];
    let partial = false;
    while (this.ts.cur !== P_RBRACE) {
      if (this.ts.cur === P_ELLIPSIS) {
        // API mode: the struct has more members than listed; the compiler gives the layout.
        this.ts.skip();
        partial = true;
        this.ts.expect(';', "';' after '...'");
        continue;
      }
      if (this.ts.cur === P_SEMI) {
        // An empty member declaration, as GCC and CFFI take it (headers made by macros leave them).
        this.ts.skip();
        continue;
      }
      const specs = this.specifiers('member', "a member declaration or '}'");
      if (this.ts.cur === P_SEMI) {
        this.ts.skip();
        this.memberWithoutDeclarator(specs, members);
        continue;
      }
      for (;;) {
        members.push(this.member(specs));
        const k = this.ts.cur;
        if (k !== P_COMMA && k !== P_SEMI) this.ts.unexpected(this.ts.peek(), "';' after the member");
        this.ts.skip();
        if (k === P_SEMI) break;
      }
    }
    this.ts.skip();
    return { members, partial };
  }

  private memberWithoutDeclarator(specs: Specs, members: MemberDecl[]): void {
    const tag = specs.tag;
    if (tag?.anonymous && tag.defined && tag.type.kind !== 'enum') {
      // An anonymous member needs no name of its own: the compiler reaches its fields through the enclosing struct.
      this.anonymousAt.delete(tag.type);
      members.push({ name: '', type: tag.type, quals: specs.quals, bitsize: -1, pos: posOf(this.ts.token(specs.firstAt)) });
    } else if (!tag) {
      this.ts.fail(this.ts.token(specs.firstAt), 'this member declaration declares nothing');
    }
  }

  private member(specs: Specs): MemberDecl {
    if (this.ts.cur === P_COLON) {
      const at = this.ts.next();
      return { name: '', type: specs.type, quals: specs.quals, bitsize: this.bitWidth(at, '(unnamed)'), pos: posOf(at) };
    }
    // Most members are plain ('int a;', 'char *s;', 'double v[4];'); the others take the general path.
    if (this.plainDeclarator(specs)) {
      const plain = this.plain;
      return { name: plain.name, type: plain.type, quals: plain.quals, bitsize: -1, pos: this.ts.posAt(plain.nameAt) };
    }
    const d = this.declarator('named');
    const name = d.name as Token;
    const derived = this.derive(specs, d.chain);
    const { type, quals } = derived;
    if (type.kind === 'function') {
      this.ts.fail(name, `the member '${name.text}' has the function type '${type.cname}'; use a pointer to a function`);
    }
    const bitsize = this.ts.cur === P_COLON ? this.bitWidth(this.ts.next(), name.text) : -1;
    const m: MemberDecl = { name: name.text, type, quals, bitsize, pos: posOf(name) };
    return derived.compilerLength === null ? m : { ...m, ...fromCompiler(derived) };
  }

  private bitWidth(at: Token, name: string): number {
    const v = this.expression().value;
    if (v < 0n) this.ts.fail(at, `the bit-field '${name}' has a negative width (${v})`);
    return Number(v);
  }

  // ---- enums ----------------------------------------------------------------------------------

  private enumDefinition(kw: Token, name: Token | null): EnumType {
    const { items, partial } = this.enumBody();
    const base = partial ? primitive('unsigned int') : enumBase(items.map((e) => e.value as bigint));
    if (!base) this.ts.fail(name ?? kw, `the values of 'enum${name ? ` ${name.text}` : ''}' do not fit one 64-bit integer type`);
    const enumerators = items.map((e) => ({ name: e.tok.text, value: e.value }));
    const target = this.scope.defineEnum(name ? name.text : null, enumerators, partial, base, posOf(name ?? kw));
    for (const e of items) {
      const value = e.value === undefined ? undefined : toJs(e.value);
      this.declareOrdinary({ kind: 'constant', name: e.tok.text, type: target, value, origin: 'enum', pos: posOf(e.tok) }, e.tok);
    }
    return target;
  }

  /**
   * An enum body. A last '...', or a value written '...' ('B = ...'), makes the enum partial (API
   * mode): the source has more enumerators or other values, so the values not written here come
   * from the compiler (undefined), and written ones are checked.
   */
  private enumBody(): EnumBody {
    if (this.ts.is('}')) this.ts.fail(this.ts.peek(), 'an enum needs at least one enumerator');
    const items: { tok: Token; value: bigint | undefined; written: boolean }[] = [];
    const pending = new Map<string, IntValue | null>();
    this.pendingEnum = pending;
    let next: bigint | undefined = 0n;
    let partial = false;
    let trailing = false;
    do {
      if (this.ts.is('}')) break; // a trailing comma
      if (this.ts.is('...')) {
        const dots = this.ts.next();
        if (!items.length) this.ts.fail(dots, "a partial enum needs at least one enumerator before '...'");
        partial = trailing = true;
        break;
      }
      const tok = this.ts.peek();
      if (!isName(tok)) this.ts.unexpected(tok, 'an enumerator name');
      this.ts.next();
      if (pending.has(tok.text)) this.ts.fail(tok, `the enumerator '${tok.text}' appears twice`);
      let written = this.ts.accept('=');
      let value: bigint | undefined = next;
      if (written && this.ts.accept('...')) {
        // 'B = ...': the compiler gives the value (and those after it up to the next one written); the enum is partial.
        partial = true;
        written = false;
        value = undefined;
      } else if (written) value = this.expression().value;
      if (value !== undefined && value > U64_MAX) this.ts.fail(tok, `the value of the enumerator '${tok.text}' does not fit 64 bits`);
      items.push({ tok, value, written });
      pending.set(tok.text, value === undefined ? null : { value, type: enumeratorType(value, null) });
      next = value === undefined ? undefined : value + 1n;
    } while (this.ts.accept(','));
    this.ts.expect('}', trailing ? "'}' after '...' (it ends a partial enum)" : "',' or '}' after the enumerator");
    this.pendingEnum = null;
    return { items: items.map((e) => ({ tok: e.tok, value: partial && !e.written ? undefined : e.value })), partial };
  }
}

const CONTEXT_PLACE: Record<SpecContext, string> = {
  file: 'here',
  member: 'on a struct member',
  param: 'on a parameter',
  typename: 'in a type name',
};
