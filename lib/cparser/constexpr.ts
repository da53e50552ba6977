// C integer constant expressions on LP64: literals, operators, casts and sizeof, evaluated exactly with C's types.
import { CType, PrimitiveType, pendingLayout, pendingReason, primitive } from '../ctype/model';
import { C_CHAR_SIGNED, Repr, isIntegralRepr, reprRange } from '../ctype/primitives';
import { NESTING_LIMIT, Token, isName, quote } from './lexer';
import { TokenStream } from './stream';

// Bound once: global lookups are slow in some hosts (vm contexts), and these run per operator.
const { asIntN, asUintN } = BigInt;
const toBigInt = BigInt;

/** An evaluated expression: its exact value and its C type. */
export interface IntValue {
  readonly value: bigint;
  readonly type: PrimitiveType;
}

/** What the evaluator needs from the declarations around the expression. */
export interface ExprContext {
  /** The value of the integer constant that `tok` names; fails (CDefError) when it names none. */
  constant(tok: Token): IntValue;
  /** True when `tok` begins a type name, which makes '(' a cast and `sizeof (` take a type. */
  startsType(tok: Token): boolean;
  /** Parses a type name at the stream's cursor. */
  typeName(): CType;
}

/** A value with the index of its first token, to quote the sub-expression in messages. */
interface Operand extends IntValue {
  readonly first: number;
}

/** An arithmetic type after integer promotion, with C's conversion rank (int 1, long 2, long long 3). */
interface Arith {
  readonly type: PrimitiveType;
  readonly bits: 32 | 64;
  readonly signed: boolean;
  readonly rank: 1 | 2 | 3;
}

const arith = (name: string, bits: 32 | 64, signed: boolean, rank: 1 | 2 | 3): Arith => ({
  type: primitive(name),
  bits,
  signed,
  rank,
});
const INT = arith('int', 32, true, 1);
const UINT = arith('unsigned int', 32, false, 1);
const LONG = arith('long', 64, true, 2);
const ULONG = arith('unsigned long', 64, false, 2);
const LLONG = arith('long long', 64, true, 3);
const ULLONG = arith('unsigned long long', 64, false, 3);

/** Parses a conditional-expression at the stream's cursor and evaluates it. */
export function evaluate(ts: TokenStream, ctx: ExprContext): IntValue {
  // A lone integer constant ('[16]', ': 3', '= 5,'), the most common expression by far: read as
  // the evaluator reads it (one level of nesting entered, the literal taken), without its descent.
  const tok = ts.peek();
  if (tok.kind === 'number') {
    const after = ts.punctAhead(1);
    if (after === null || (after !== '?' && !PRECEDENCE.has(after))) {
      if (++ts.depth > NESTING_LIMIT) ts.tooDeep(tok);
      ts.next();
      const v = integerLiteral(tok, ts);
      ts.depth--;
      return v;
    }
  }
  const v = new Evaluator(ts, ctx).conditional(true);
  return { value: v.value, type: v.type };
}

/** `value` converted to the integer type `type` as C (and GCC, for signed targets) converts: modulo 2^N. */
export function convertInt(value: bigint, type: PrimitiveType): bigint {
  switch (cRepr(type)) {
    case 'bool':
      return value === 0n ? 0n : 1n;
    case 'i8': case 'i16': case 'i32': case 'i64':
      return asIntN(type.size * 8, value);
    case 'u8': case 'u16': case 'u32': case 'u64':
      return asUintN(type.size * 8, value);
    case 'f32': case 'f64': case 'f80': case 'c32': case 'c64':
      throw new Error(`internal: convertInt to the floating type '${type.name}'`);
  }
}

/**
 * The representation C computes with: a type's own, except plain `char`, which JavaScript reads as
 * its byte value (0 to 255) but C treats as signed where the platform's char is.
 */
function cRepr(t: PrimitiveType): Repr {
  return t.name === 'char' && C_CHAR_SIGNED ? 'i8' : t.repr;
}

/** True when the preprocessing number `text` is a floating constant (has a '.' or an exponent). */
export function isFloatLiteral(text: string): boolean {
  return /^0[xX]/.test(text) ? /[.pP]/.test(text) : /[.eE]/.test(text);
}

function promote(t: PrimitiveType): Arith {
  switch (t.repr) {
    case 'bool': case 'i8': case 'u8': case 'i16': case 'u16': case 'i32':
      return INT;
    case 'u32':
      return UINT;
    case 'i64':
      return t.name === 'long long' ? LLONG : LONG;
    case 'u64':
      return t.name === 'unsigned long long' ? ULLONG : ULONG;
    case 'f32': case 'f64': case 'f80': case 'c32': case 'c64':
      throw new Error(`internal: the floating type '${t.name}' in an integer expression`);
  }
}

/** C's usual arithmetic conversions of two promoted types. */
function usual(a: Arith, b: Arith): Arith {
  if (a === b) return a;
  if (a.signed === b.signed) return a.rank >= b.rank ? a : b;
  const [u, s] = a.signed ? [b, a] : [a, b];
  if (u.rank >= s.rank) return u;
  if (s.bits > u.bits) return s;
  return s.rank === 3 ? ULLONG : ULONG;
}

const truth = (b: boolean, first: number): Operand => ({ value: b ? 1n : 0n, type: INT.type, first });

const wrap = (v: bigint, t: Arith): bigint => (t.signed ? asIntN(t.bits, v) : asUintN(t.bits, v));

const ranges = new Map<PrimitiveType, readonly [bigint, bigint]>();

function fits(v: bigint, t: PrimitiveType): boolean {
  let range = ranges.get(t);
  if (!range) ranges.set(t, (range = reprRange(cRepr(t))));
  return v >= range[0] && v <= range[1];
}

const operand = (v: IntValue, first: number): Operand => ({ value: v.value, type: v.type, first });

const PRECEDENCE = new Map<string, number>([
  ['||', 1], ['&&', 2], ['|', 3], ['^', 4], ['&', 5], ['==', 6], ['!=', 6],
  ['<', 7], ['>', 7], ['<=', 7], ['>=', 7], ['<<', 8], ['>>', 8], ['+', 9], ['-', 9], ['*', 10], ['/', 10], ['%', 10],
]);

const UNARY = new Set(['+', '-', '~', '!']);

/**
 * Recursive descent over C's expression grammar that evaluates as it parses. `live` is false inside
 * operands C does not evaluate (the untaken side of ?:, && and ||, sizeof's operand): their types still
 * count, their arithmetic errors do not.
 */
class Evaluator {
  constructor(private readonly ts: TokenStream, private readonly ctx: ExprContext) {}

  conditional(live: boolean): Operand {
    this.ts.enter();
    const cond = this.binary(1, live);
    let result = cond;
    if (this.ts.accept('?')) {
      const taken = cond.value !== 0n;
      const yes = this.conditional(live && taken);
      this.ts.expect(':', "':' in the conditional expression");
      const no = this.conditional(live && !taken);
      const t = usual(promote(yes.type), promote(no.type));
      result = { value: wrap(taken ? yes.value : no.value, t), type: t.type, first: cond.first };
    }
    this.ts.leave();
    return result;
  }

  private binary(minPrec: number, live: boolean): Operand {
    let left = this.unary(live);
    for (;;) {
      const op = this.ts.peek();
      const prec = op.kind === 'punct' ? PRECEDENCE.get(op.text) : undefined;
      if (prec === undefined || prec < minPrec) return left;
      this.ts.next();
      const decided =
        (op.text === '&&' && left.value === 0n) || (op.text === '||' && left.value !== 0n);
      const right = this.binary(prec + 1, live && !decided);
      left = this.combine(op.text, left, right, live);
    }
  }

  private unary(live: boolean): Operand {
    const tok = this.ts.peek();
    const first = this.ts.index;
    if (tok.kind === 'punct' && UNARY.has(tok.text)) {
      this.ts.enter(tok);
      this.ts.next();
      const x = this.unary(live);
      this.ts.leave();
      return this.prefix(tok.text, x, first, live);
    }
    if (tok.kind === 'ident' && tok.text === 'sizeof') return this.sizeof(first);
    if (this.ts.is('(')) {
      this.ts.enter(tok);
      this.ts.next();
      const result = this.ctx.startsType(this.ts.peek()) ? this.cast(first, live) : this.parenthesised(first, live);
      this.ts.leave();
      return result;
    }
    return this.primary(first);
  }

  private parenthesised(first: number, live: boolean): Operand {
    const x = this.conditional(live);
    this.ts.expect(')', "')'");
    return operand(x, first);
  }

  private cast(first: number, live: boolean): Operand {
    const typeTok = this.ts.peek();
    const type = this.ctx.typeName();
    this.ts.expect(')', "')' after the type of the cast");
    const x = this.unary(live);
    const pending = pendingLayout(type);
    if (pending) this.ts.fail(typeTok, `cannot cast to '${type.cname}' here: ${pendingReason(pending)}`);
    const target = type.kind === 'enum' ? type.base : type;
    if (target.kind !== 'primitive' || !isIntegralRepr(target.repr)) {
      this.ts.fail(typeTok, `cannot cast to '${type.cname}' in an integer constant expression`);
    }
    return { value: convertInt(x.value, target), type: target, first };
  }

  private sizeof(first: number): Operand {
    this.ts.next();
    const at = this.ts.peek();
    let type: CType;
    if (this.ts.is('(') && this.ctx.startsType(this.ts.peek(1))) {
      this.ts.next();
      type = this.ctx.typeName();
      this.ts.expect(')', "')' after the type in sizeof");
    } else {
      this.ts.enter(at);
      type = this.unary(false).type;
      this.ts.leave();
    }
    const pending = pendingLayout(type);
    if (pending) this.ts.fail(at, `sizeof is applied to '${type.cname}': ${pendingReason(pending)}`);
    if (type.size < 0) this.ts.fail(at, `sizeof is applied to '${type.cname}', which has no size`);
    return { value: BigInt(type.size), type: ULONG.type, first };
  }

  private primary(first: number): Operand {
    const tok = this.ts.peek();
    if (tok.kind === 'number') {
      this.ts.next();
      return operand(integerLiteral(tok, this.ts), first);
    }
    if (tok.kind === 'char') {
      this.ts.next();
      return operand(charLiteral(tok, this.ts), first);
    }
    if (isName(tok)) {
      this.ts.next();
      return operand(this.ctx.constant(tok), first);
    }
    return this.ts.unexpected(tok, 'an integer constant expression');
  }

  /** Reports an arithmetic error in evaluated code; in unevaluated code the value is irrelevant. */
  private arithmeticError(live: boolean, first: number, message: string): bigint {
    if (live) this.ts.fail(this.ts.token(first), `${message} in ${quote(this.ts.spell(first, this.ts.index))}`);
    return 0n;
  }

  /** `v` in type `t`, failing (when live) if a signed result overflowed. */
  private checked(v: bigint, t: Arith, live: boolean, first: number): bigint {
    if (!t.signed) return asUintN(t.bits, v);
    if (fits(v, t.type)) return v;
    return this.arithmeticError(live, first, `integer overflow ('${t.type.name}')`);
  }

  private prefix(op: string, x: Operand, first: number, live: boolean): Operand {
    if (op === '!') return { value: x.value === 0n ? 1n : 0n, type: INT.type, first };
    const t = promote(x.type);
    const v = wrap(x.value, t);
    switch (op) {
      case '+':
        return { value: v, type: t.type, first };
      case '-':
        return { value: this.checked(-v, t, live, first), type: t.type, first };
      default:
        return { value: wrap(~v, t), type: t.type, first };
    }
  }

  private combine(op: string, l: Operand, r: Operand, live: boolean): Operand {
    const first = l.first;
    if (op === '&&') return truth(l.value !== 0n && r.value !== 0n, first);
    if (op === '||') return truth(l.value !== 0n || r.value !== 0n, first);
    if (op === '<<' || op === '>>') return this.shift(op, l, r, live);
    const t = usual(promote(l.type), promote(r.type));
    const a = wrap(l.value, t);
    const b = wrap(r.value, t);
    switch (op) {
      case '<': return truth(a < b, first);
      case '>': return truth(a > b, first);
      case '<=': return truth(a <= b, first);
      case '>=': return truth(a >= b, first);
      case '==': return truth(a === b, first);
      case '!=': return truth(a !== b, first);
      case '&': return { value: a & b, type: t.type, first };
      case '|': return { value: a | b, type: t.type, first };
      case '^': return { value: a ^ b, type: t.type, first };
      case '+': return { value: this.checked(a + b, t, live, first), type: t.type, first };
      case '-': return { value: this.checked(a - b, t, live, first), type: t.type, first };
      case '*': return { value: this.checked(a * b, t, live, first), type: t.type, first };
      default: {
        if (b === 0n) return { value: this.arithmeticError(live, first, `${op === '/' ? 'division' : 'modulo'} by zero`), type: t.type, first };
        // C leaves a % b undefined, as a / b, when the quotient overflows (INT_MIN % -1).
        const quotient = this.checked(a / b, t, live, first);
        return { value: op === '/' ? quotient : a % b, type: t.type, first };
      }
    }
  }

  private shift(op: string, l: Operand, r: Operand, live: boolean): Operand {
    const first = l.first;
    const t = promote(l.type);
    const a = wrap(l.value, t);
    const count = wrap(r.value, promote(r.type));
    const result = (value: bigint): Operand => ({ value, type: t.type, first });
    if (count < 0n || count >= BigInt(t.bits)) {
      const message = `shift count ${count} is out of range for '${t.type.name}' (0 to ${t.bits - 1})`;
      return result(this.arithmeticError(live, first, message));
    }
    if (op === '>>') return result(a >> count);
    const exact = a << count;
    if (!t.signed || fits(exact, t.type)) return result(wrap(exact, t));
    // Shifting a 1 into the sign bit of a non-negative value is accepted, as GCC does ('1 << 31').
    if (a >= 0n && exact < 1n << BigInt(t.bits)) return result(wrap(exact, t));
    return result(this.arithmeticError(live, first, `integer overflow ('${t.type.name}')`));
  }
}

const INT_LITERAL = /^(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))([uUlL]*)$/;
const SUFFIX = /^(?:[uU](?:ll|LL|[lL])?|(?:ll|LL|[lL])[uU]?)?$/;
/** The types an integer constant may take, by number of 'l's in its suffix: unsigned, decimal, other bases. */
const UNSIGNED_LITERAL: readonly (readonly Arith[])[] = [[UINT, ULONG], [ULONG], [ULLONG]];
const DECIMAL_LITERAL: readonly (readonly Arith[])[] = [[INT, LONG], [LONG], [LLONG]];
const OTHER_LITERAL: readonly (readonly Arith[])[] = [[INT, UINT, LONG, ULONG], [LONG, ULONG], [LLONG, ULLONG]];
/** Longest digit string (after leading zeros) that can still fit 64 bits, by base. */
const MAX_DIGITS = { 16: 16, 2: 64, 8: 22, 10: 20 } as const;
const RADIX_PREFIX = { 16: '0x', 2: '0b', 8: '0o', 10: '' } as const;

/** The value and C type of an integer constant token, as C picks the first type in its list that fits. */
export function integerLiteral(tok: Token, ts: TokenStream): IntValue {
  const v = integerLiteralOf(tok.text);
  return typeof v === 'string' ? ts.fail(tok, v) : v;
}

/** The value and C type of integer constant `text` (see integerLiteral), or why it is none. */
export function integerLiteralOf(text: string): IntValue | string {
  if (isSmallDecimal(text)) return { value: toBigInt(Number(text)), type: INT.type };
  const m = INT_LITERAL.exec(text);
  if (!m || !SUFFIX.test(m[5])) {
    if (isFloatLiteral(text)) return `the floating-point constant ${quote(text)} is not allowed in an integer constant expression`;
    return `invalid integer constant ${quote(text)}`;
  }
  const base = m[1] !== undefined ? 16 : m[2] !== undefined ? 2 : m[3] !== undefined ? 8 : 10;
  const digits = (m[1] ?? m[2] ?? m[3] ?? m[4]).replace(/^0+/, '') || '0';
  if (digits.length > MAX_DIGITS[base]) return `the integer constant ${quote(text)} is too large for any integer type`;
  const value = toBigInt(RADIX_PREFIX[base] + digits);
  const s = m[5].toLowerCase();
  const unsigned = s.includes('u');
  const longs = s.replace('u', '').length;
  const candidates = (unsigned ? UNSIGNED_LITERAL : base === 10 ? DECIMAL_LITERAL : OTHER_LITERAL)[longs];
  const type = candidates.find((c) => fits(value, c.type));
  if (type) return { value, type: type.type };
  // A decimal constant past every signed type but within 64 bits is unsigned, as Clang and CFFI take
  // it ('enum { MAX = 18446744073709551615 }'); GCC warns that it is "so large that it is unsigned".
  if (value <= 0xffffffffffffffffn) return { value, type: longs === 2 ? ULLONG.type : ULONG.type };
  return `the integer constant ${quote(text)} is too large for any integer type`;
}

/** A `#define` value that is one integer constant, in parentheses or not, negative or not. */
const LITERAL_DEFINE = /^(\(?)(-?)([0-9][0-9A-Za-z]*)(\)?)$/;

/**
 * The value and type the parser gives `#define NAME value` when `value` is one integer constant
 * (CdefBatch.addDefine), or null for any other value. A negated constant is taken only when
 * it is an int, whose negation is an int that cannot overflow; others are left to the parser.
 */
export function literalDefine(value: string): IntValue | null {
  const m = LITERAL_DEFINE.exec(value);
  if (m === null || m[1].length !== m[4].length) return null;
  const v = integerLiteralOf(m[3]);
  if (typeof v === 'string') return null;
  if (m[2] === '') return v;
  return v.type === INT.type ? { value: -v.value, type: v.type } : null;
}

/** True for '0' and for decimal constants of up to nine digits without a suffix: ints, whose value Number() reads exactly. */
function isSmallDecimal(text: string): boolean {
  const n = text.length;
  if (n > 9 || (n > 1 && text.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const SIMPLE_ESCAPES = new Map<string, number>([
  ["'", 39], ['"', 34], ['?', 63], ['\\', 92], ['a', 7], ['b', 8], ['f', 12], ['n', 10], ['r', 13], ['t', 9], ['v', 11],
  ['e', 27],
]);

/** The value and type of a character constant: 'a' and u8'a' are int-valued chars, L/u/U are wide. */
export function charLiteral(tok: Token, ts: TokenStream): IntValue {
  const text = tok.text;
  const open = text.indexOf("'");
  const prefix = text.slice(0, open);
  const type = primitive(
    prefix === 'L' ? 'wchar_t' : prefix === 'u' ? 'char16_t' : prefix === 'U' ? 'char32_t' : prefix === 'u8' ? 'unsigned char' : 'char',
  );
  const max = prefix === 'L' || prefix === 'U' ? 0xffffffff : prefix === 'u' ? 0xffff : 0xff;
  const units = decodeUnits(text.slice(open + 1, -1), max, (message) => ts.fail(tok, `${message} in ${quote(text)}`));
  if (units.length === 0) ts.fail(tok, `empty character constant ${quote(text)}`);
  if (units.length > 1) ts.fail(tok, `multi-character constant ${quote(text)} is not supported`);
  const value = convertInt(BigInt(units[0]), type);
  // A plain character constant has type int, holding the value of the char (signed on x86-64).
  return { value, type: prefix === '' ? INT.type : type };
}

/** The first code units (two at most: enough to tell a multi-character constant) of a character constant's body. */
function decodeUnits(body: string, max: number, fail: (message: string) => never): number[] {
  const units: number[] = [];
  let i = 0;
  while (i < body.length && units.length < 2) {
    const cp = body.codePointAt(i) ?? 0;
    if (cp !== 92) {
      if (cp > max || (max === 0xff && cp > 0x7f)) fail(`the character '${String.fromCodePoint(cp)}' does not fit one unit`);
      units.push(cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const c = body[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES.get(c);
    let value: number;
    if (simple !== undefined) {
      value = simple;
      i += 2;
    } else if (/[0-7]/.test(c)) {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      value = parseInt(digits, 8);
      i += 1 + digits.length;
    } else if (c === 'x' || c === 'u' || c === 'U') {
      const digits = (c === 'x' ? /^[0-9a-fA-F]+/ : c === 'u' ? /^[0-9a-fA-F]{4}/ : /^[0-9a-fA-F]{8}/).exec(body.slice(i + 2));
      if (!digits) fail(`the escape '\\${c}' lacks its hex digits`);
      if (digits[0].replace(/^0+/, '').length > 8) fail(`the escape '\\${c}...' is beyond 32 bits`);
      value = parseInt(digits[0], 16);
      // A universal character name beyond ASCII takes several bytes in a plain or u8 constant.
      if (c !== 'x' && max === 0xff && value > 0x7f) fail(`the character '\\${c}${digits[0]}' does not fit one byte`);
      i += 2 + digits[0].length;
    } else {
      fail(`unknown escape sequence '\\${c}'`);
    }
    if (value > max) fail(`the escape sequence value ${value} does not fit one unit`);
    units.push(value);
  }
  return units;
}
