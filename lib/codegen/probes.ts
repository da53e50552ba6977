// The probe table of the glue: what the compiled library reports about the cdef, checked where the cdef states it, taken where it leaves it open.
import { VerificationError } from '../errors';
import { CompilerLayout, layOutFromCompiler, probedMembers, withCompilerLengths } from '../ctype/layout';
import {
  ArrayType, CType, EnumType, PrimitiveType, StructType, pendingLayout, primitive, settleArray, settlePrimitive,
} from '../ctype/model';
import { Repr, isIntegralRepr, reprSize } from '../ctype/primitives';
import type { Decl, SourcePos } from '../ctype/registry';
import { toJs } from '../ctype/declarations';
import { Speller, checkedStructs } from './spell';

type ConstantDecl = Decl & { kind: 'constant' };
type VariableDecl = Decl & { kind: 'variable' };

/** One row of the table: two 64-bit values the compiler computes. */
export type Probe =
  /** sizeof and _Alignof of a struct or union. */
  | { readonly kind: 'struct'; readonly type: StructType }
  /** offsetof of a field, and its sizeof (or, for an `[...]` member, its length). */
  | { readonly kind: 'field'; readonly type: StructType; readonly field: string; readonly length: boolean }
  /** The length of an `[...]` global. */
  | { readonly kind: 'length'; readonly decl: VariableDecl }
  /** sizeof of a `typedef int... t;` / `typedef float... t;`, and what kind of number it holds (TYPE_* bits). */
  | { readonly kind: 'typedef'; readonly type: PrimitiveType }
  /** sizeof of an enum and whether it is signed. */
  | { readonly kind: 'enum'; readonly type: EnumType }
  /** A constant's value (two's complement bits), and CONST_* bits. */
  | { readonly kind: 'constant'; readonly decl: ConstantDecl }
  /** The length at `depth` (1: of the items…) of an `[...]` below the outermost array of a field or global ('int a[...][...]'). */
  | { readonly kind: 'innerLength'; readonly of: StructType | VariableDecl; readonly name: string; readonly depth: number }
  /** The length of an array a typedef leaves to the compiler ('typedef int t[...];'), at `depth` of the typedef's arrays. */
  | { readonly kind: 'arrayLength'; readonly type: ArrayType; readonly name: string; readonly depth: number };

// ---- inner '[...]' lengths -------------------------------------------------------------------

/** The rows giving the lengths of the `[...]` below the outermost array of `expr` (a field or global named `name`). */
function innerLengthRows(
  of: StructType | VariableDecl, name: string, expr: string, depths: readonly number[], about: string, pos: SourcePos,
): ProbeRow[] {
  return depths.map((depth) => new ProbeRow({ kind: 'innerLength', of, name, depth }, name, pos, () => ({
    values: [`sizeof((${expr})${'[0]'.repeat(depth)}) / sizeof((${expr})${'[0]'.repeat(depth + 1)})`, '0'],
    about: `${about}: length ${depth + 1} of '${name}'`,
    subject: of.kind === 'variable' ? `global '${name}'` : `${of.cname}: field '${name}'`,
  })));
}

/** The rows giving the lengths of the arrays typedef `name` (of type `t`) leaves to the compiler, still unknown. */
function deferredArrayRows(t: CType, name: string, about: string, pos: SourcePos): ProbeRow[] {
  const rows: ProbeRow[] = [];
  for (let a = t, depth = 0; a.kind === 'array'; a = a.item, depth++) {
    if (pendingLayout(a) !== a) continue;
    const e = `(*(${name} *)0)${'[0]'.repeat(depth)}`;
    rows.push(new ProbeRow({ kind: 'arrayLength', type: a, name, depth }, name, pos, () => ({
      values: [`sizeof(${e}) / sizeof((${e})[0])`, '0'], about: `${about}: length ${depth + 1} of '${name}'`, subject: `typedef '${name}'`,
    })));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------

/** A probe row's text: its two C expressions, the cdef declaration it is about (for the generated comment), and who it is about in messages. */
interface RowText {
  readonly values: readonly [string, string];
  readonly about: string;
  /** "struct foo_s", "struct foo_s: field 'x'", "#define N", "enum e: enumerator A", "constant 'K'", "global 'a'". */
  readonly subject: string;
}

/** A probe with its text, made when first read: a verify() whose unit is remembered reads only the probes. */
export class ProbeRow implements RowText {
  private made: RowText | (() => RowText);
  constructor(
    readonly probe: Probe,
    /** The C name the row uses. */
    readonly name: string,
    readonly pos: SourcePos,
    text: () => RowText,
  ) {
    this.made = text;
  }
  private get text(): RowText {
    if (typeof this.made === 'function') this.made = this.made();
    return this.made;
  }
  get values(): readonly [string, string] {
    return this.text.values;
  }
  get about(): string {
    return this.text.about;
  }
  get subject(): string {
    return this.text.subject;
  }
}


const TYPE_SIGNED = 1n;
const TYPE_FRACTIONS = 2n;
const TYPE_BOOL = 4n;
const CONST_NEGATIVE = 1n;
const CONST_FRACTIONS = 2n;

/**
 * Whether a constant of type `t` is an integer, which the probe table reads (its bits and its
 * sign); other constants (floating, pointers, structs) are read by value through a glue function.
 */
export function isIntegerConstant(t: CType): boolean {
  if (t.kind === 'enum') return true;
  if (t.kind !== 'primitive') return false;
  if (t.deferred !== null) return t.deferred === 'int';
  return isIntegralRepr(t.repr);
}

const where = (d: Decl): string => `cdef ${d.pos.line}:${d.pos.column}`;

/** An unsigned long long from a C truth value (explicit, so that -Wconversion has nothing to say). */
const bit = (test: string, shift: number): string => `((unsigned long long)(${test})${shift ? ` << ${shift}` : ''})`;

/**
 * The flags of a value `x`: whether to read it as signed (`<= 0`: true for negative values and
 * harmless for 0; `< 0` would draw -Wtype-limits on unsigned ones), and whether it has a
 * fractional part (a floating value; no `==` on floats, which -Wfloat-equal refuses).
 */
const valueFlags = (x: string): string => `${bit(`${x} <= 0`, 0)} | ${bit(`(${x} * 0 + 1) / 2 > 0`, 1)}`;

function structRows(t: StructType, c: string, d: Decl): ProbeRow[] {
  const member = (name: string): string => `((${c} *)0)->${name}`;
  const rows: ProbeRow[] = [new ProbeRow({ kind: 'struct', type: t }, t.cname, d.pos, () => ({
    values: [`sizeof(${c})`, `_NCFFI_ALIGNOF(${c})`], about: `${where(d)}: ${t.cname}`, subject: t.cname,
  }))];
  const field = (name: string, type: CType, length: boolean, pos: SourcePos): void => {
    rows.push(new ProbeRow({ kind: 'field', type: t, field: name, length }, name, pos, () => {
      const second = length
        ? `sizeof(${member(name)}) / sizeof(${member(name)}[0])`
        : type.kind === 'array' && type.length === null ? '0' : `sizeof(${member(name)})`;
      return { values: [`offsetof(${c}, ${name})`, second], about: `${t.cname}: field '${name}'`, subject: `${t.cname}: field '${name}'` };
    }));
  };
  if (pendingLayout(t)) {
    for (const m of probedMembers(t)) {
      const pos = t.members?.find((x) => x.name === m.name)?.pos ?? d.pos;
      field(m.name, m.type, m.lengthFromCompiler, pos);
      rows.push(...innerLengthRows(t, m.name, member(m.name), m.innerLengthsFromCompiler, c, pos));
    }
  } else {
    for (const f of t.fields ?? []) if (f.bitsize < 0 && f.name !== '') field(f.name, f.type, false, d.pos);
  }
  return rows;
}

/** The probe rows for a declaration table, in table order; `spell` names the types in C. */
export function probeRows(decls: readonly Decl[], spell: Speller): ProbeRow[] {
  const rows: ProbeRow[] = [];
  const structs = new Map(checkedStructs(decls, spell).map((s) => [s.decl, s.type]));
  for (const d of decls) {
    switch (d.kind) {
      case 'tag':
      case 'typedef': {
        const s = structs.get(d);
        if (s) for (const row of structRows(s, spell.name(s), d)) rows.push(row);
        const t = d.type;
        if (t.kind === 'enum' && spell.canName(t) && (d.kind === 'tag' ? !t.namedByTypedef : t.namedByTypedef && t.name === d.name)) {
          const c = spell.name(t);
          rows.push(new ProbeRow({ kind: 'enum', type: t }, t.cname, d.pos, () => ({
            values: [`sizeof(${c})`, bit(`(${c})-1 <= 0`, 0)], about: `${where(d)}: ${t.cname}`, subject: t.cname,
          })));
        }
        if (d.kind === 'typedef') rows.push(...deferredArrayRows(d.type, d.name, where(d), d.pos));
        if (d.kind === 'typedef' && t.kind === 'primitive' && t.deferred !== null && t.name === d.name) {
          const n = d.name;
          const family = t.deferred;
          rows.push(new ProbeRow({ kind: 'typedef', type: t }, n, d.pos, () => ({
            values: [`sizeof(${n})`, `${bit(`(${n})-1 <= 0`, 0)} | ${bit(`(${n})0.5 > 0`, 1)} | ${bit(`(${n})2 <= (${n})1`, 2)}`],
            about: `${where(d)}: typedef ${family}... ${n}`,
            subject: `typedef ${family}... ${n}`,
          })));
        }
        break;
      }
      case 'variable':
        if (d.lengthFromCompiler) {
          rows.push(new ProbeRow({ kind: 'length', decl: d }, d.name, d.pos, () => ({
            values: [`sizeof(${d.name}) / sizeof((${d.name})[0])`, '0'], about: `${where(d)}: ${d.name}[...]`, subject: `global '${d.name}'`,
          })));
        }
        rows.push(...innerLengthRows(d, d.name, d.name, d.innerLengthsFromCompiler ?? [], where(d), d.pos));
        break;
      case 'constant': {
        if (!isIntegerConstant(d.type)) break;
        const x = `(${d.name})`;
        rows.push(new ProbeRow({ kind: 'constant', decl: d }, d.name, d.pos, () => ({
          values: [`(unsigned long long)${x}`, valueFlags(x)],
          about: `${where(d)}: ${d.name}`,
          subject: d.origin === 'define' ? `#define ${d.name}` : d.origin === 'enum' ? `${d.type.cname}: enumerator ${d.name}` : `constant '${d.name}'`,
        })));
        break;
      }
      case 'function':
        break;
    }
  }
  return rows;
}

/**
 * Whether a probe row's values are constant expressions, which the table's initialiser holds (data
 * the compiler only folds): every size, alignment, offset and length, and enumerators. A `#define`
 * may expand to any expression and a `static const` is an object, so those are stored when asked.
 */
export function constantRow(r: ProbeRow): boolean {
  return r.probe.kind !== 'constant' || r.probe.decl.origin === 'enum';
}

/**
 * The enumerator a row reads, or null: a macro of its name must not stand for it there, since a
 * header may define one after the enum (`#define __TC_MQPRIO_MODE_MAX (__TC_MQPRIO_MODE_MAX - 1)`).
 */
export function enumeratorOf(r: ProbeRow): string | null {
  return r.probe.kind === 'constant' && r.probe.decl.origin === 'enum' ? r.probe.decl.name : null;
}

/** What the probes filled in; `apply()` completes the pending types in place (every holder sees them). */
export interface Settlement {
  /** The value of every probed constant, by name (the compiler's, equal to the cdef's where it states one). */
  readonly constants: ReadonlyMap<string, number | bigint>;
  /** The final types of `[...]` globals, by name. */
  readonly globals: ReadonlyMap<string, CType>;
  /** Whether the compiler gave anything the cdef left open (a layout, length, integer type, value); false when the probes only checked. */
  readonly filled: boolean;
  apply(): void;
}

function said(what: string, cdef: number | bigint, c: number | bigint): VerificationError {
  return new VerificationError(`${what} (cdef says ${cdef}, but the C compiler says ${c})`);
}

/** A layout being gathered from the probes of one struct laid out by the compiler. */
interface Gathered {
  readonly size: number;
  readonly align: number;
  readonly offsets: Map<string, number>;
  readonly lengths: Map<string, number>;
  /** Lengths of inner `[...]`, by field and depth ('a 1'). */
  readonly innerLengths: Map<string, number>;
}

/** The integer representation of `size` bytes. */
function intRepr(size: number, signed: boolean): Repr | null {
  switch (size) {
    case 1: return signed ? 'i8' : 'u8';
    case 2: return signed ? 'i16' : 'u16';
    case 4: return signed ? 'i32' : 'u32';
    case 8: return signed ? 'i64' : 'u64';
    default: return null;
  }
}

function floatRepr(size: number): Repr | null {
  switch (size) {
    case 4: return 'f32';
    case 8: return 'f64';
    case 16: return 'f80';
    default: return null;
  }
}

/** How a representation is described in messages: 'a 4-byte signed integer', 'an 8-byte floating type'. */
function describeRepr(repr: Repr): string {
  if (repr === 'bool') return '_Bool';
  const size = reprSize(repr);
  const kind = repr.startsWith('f') ? 'floating type' : repr.startsWith('u') ? 'unsigned integer' : 'signed integer';
  return `a${size === 8 ? 'n' : ''} ${size}-byte ${kind}`;
}

/** The representation the compiler reported for a deferred typedef, or the VerificationError of a wrong family. */
function typedefRepr(t: PrimitiveType, size: bigint, flags: bigint): Repr {
  const n = Number(size);
  const fractions = (flags & TYPE_FRACTIONS) !== 0n;
  const boolean = (flags & TYPE_BOOL) !== 0n;
  const head = `typedef ${t.deferred}... ${t.name}`;
  if (t.deferred === 'int') {
    if (boolean) return 'bool';
    if (fractions) throw new VerificationError(`${head}: the C compiler says it is a floating type; declare it 'typedef float... ${t.name};'`);
    const repr = intRepr(n, (flags & TYPE_SIGNED) !== 0n);
    if (!repr) throw new VerificationError(`${head}: the C compiler says it is a ${n}-byte integer, which node-cffi cannot represent`);
    return repr;
  }
  if (!fractions || boolean) throw new VerificationError(`${head}: the C compiler says it is an integer type; declare it 'typedef int... ${t.name};'`);
  const repr = floatRepr(n);
  if (!repr) throw new VerificationError(`${head}: the C compiler says it is a ${n}-byte floating type, which node-cffi cannot represent`);
  return repr;
}

/** The integer type the compiler stores an enum as, from its size and sign. */
function enumBaseOf(t: EnumType, size: bigint, signed: boolean): PrimitiveType {
  const names: Record<string, readonly [string, string]> = {
    1: ['signed char', 'unsigned char'],
    2: ['short', 'unsigned short'],
    4: ['int', 'unsigned int'],
    8: ['long', 'unsigned long'],
  };
  const pair = names[String(size)];
  if (!pair) throw new VerificationError(`${t.cname}: the C compiler stores it in ${size} bytes, which node-cffi cannot represent`);
  return primitive(pair[signed ? 0 : 1]);
}

/** GCC's integer type for an enum of these values (when no probe can name the enum). */
function baseOfValues(t: EnumType, values: readonly bigint[]): PrimitiveType {
  const min = values.reduce((m, v) => (v < m ? v : m), 0n);
  const max = values.reduce((m, v) => (v > m ? v : m), 0n);
  if (min >= 0n) return primitive(max < 2n ** 32n ? 'unsigned int' : 'unsigned long');
  if (min >= -(2n ** 31n) && max < 2n ** 31n) return primitive('int');
  if (max < 2n ** 63n) return primitive('long');
  throw new VerificationError(`${t.cname}: its values do not fit one 64-bit integer type`);
}

/**
 * Reads the probe values (`pair(i)` gives row i's two values) against the cdef: what it states
 * must match (a VerificationError naming the culprit, such as "struct foo_s: wrong offset for
 * field 'x' (cdef says 0, but the C compiler says 4)"); what it leaves open is gathered, and
 * `apply()` completes it all at once, after every check has passed.
 */
export function settle(probes: readonly Probe[], pair: (i: number) => readonly [bigint, bigint]): Settlement {
  const constants = new Map<string, number | bigint>();
  const globals = new Map<string, CType>();
  /** The `[...]` lengths of globals, by depth (0: the outermost). */
  const globalLengths = new Map<VariableDecl, Map<number, number>>();
  const globalLength = (d: VariableDecl, depth: number, n: bigint): void => {
    const m = globalLengths.get(d) ?? new Map<number, number>();
    globalLengths.set(d, m.set(depth, Number(n)));
  };
  const layouts = new Map<StructType, Gathered>();
  const typedefs = new Map<PrimitiveType, Repr>();
  const arrayLengths = new Map<ArrayType, number>();
  const enumBases = new Map<EnumType, PrimitiveType>();
  const enumValues = new Map<EnumType, [string, bigint][]>();
  // An enum of the wrong size is reported after the enumerators are checked: a wrong value names
  // the enumerator whose value changed the size (CFFI: "AA has the real value -1, not 4294967295").
  let wrongEnumSize: Error | null = null;
  /** Whether a constant's value came from the compiler alone. */
  let valuesGiven = false;

  probes.forEach((p, i) => {
    const [a, b] = pair(i);
    switch (p.kind) {
      case 'struct': {
        if (pendingLayout(p.type)) {
          layouts.set(p.type, { size: Number(a), align: Number(b), offsets: new Map(), lengths: new Map(), innerLengths: new Map() });
          return;
        }
        if (BigInt(p.type.size) !== a) throw said(`${p.type.cname}: wrong size`, p.type.size, a);
        if (BigInt(p.type.align) !== b) throw said(`${p.type.cname}: wrong alignment`, p.type.align, b);
        return;
      }
      case 'field':
        checkField(p, a, b, layouts.get(p.type));
        return;
      case 'length':
        globalLength(p.decl, 0, a);
        return;
      case 'arrayLength':
        arrayLengths.set(p.type, Number(a));
        return;
      case 'innerLength':
        if (p.of instanceof StructType) layouts.get(p.of)?.innerLengths.set(`${p.name} ${p.depth}`, Number(a));
        else globalLength(p.of, p.depth, a);
        return;
      case 'typedef': {
        const repr = typedefRepr(p.type, a, b);
        if (pendingLayout(p.type)) typedefs.set(p.type, repr);
        else if (repr !== p.type.repr) {
          throw new VerificationError(
            `typedef ${p.type.deferred}... ${p.type.name}: the C compiler says it is ${describeRepr(repr)}, ` +
              `but an earlier verify() found ${describeRepr(p.type.repr)}`,
          );
        }
        return;
      }
      case 'enum': {
        const base = enumBaseOf(p.type, a, b !== 0n);
        if (pendingLayout(p.type)) enumBases.set(p.type, base);
        else if (base.size !== p.type.base.size) wrongEnumSize ??= said(`${p.type.cname}: wrong size`, p.type.base.size, base.size);
        return;
      }
      case 'constant': {
        const d = p.decl;
        if (b & CONST_FRACTIONS) {
          throw new VerificationError(
            d.origin === 'define'
              ? `#define ${d.name}: the C compiler says its value is not an integer; cdef takes integer constants only`
              : `constant ${d.name}: the C compiler says its value is not an integer, but the cdef declares '${d.type.cname}'; declare it with its floating type`,
          );
        }
        const v = b & CONST_NEGATIVE ? BigInt.asIntN(64, a) : a;
        if (d.value !== undefined && BigInt(d.value) !== v) {
          const what = d.origin === 'define' ? `#define ${d.name}` : d.origin === 'enum' ? `${d.type.cname}: enumerator ${d.name}` : `constant ${d.name}`;
          throw said(`${what}: wrong value`, d.value, v);
        }
        constants.set(d.name, toJs(v));
        if (d.value === undefined) valuesGiven = true;
        if (d.type.kind === 'enum' && pendingLayout(d.type)) {
          const list = enumValues.get(d.type) ?? [];
          list.push([d.name, v]);
          enumValues.set(d.type, list);
        }
        return;
      }
    }
  });

  if (wrongEnumSize !== null) throw wrongEnumSize;
  for (const [d, lengths] of globalLengths) {
    globals.set(d.name, withCompilerLengths(d.type, [...lengths.keys()], (depth) => lengths.get(depth) as number));
  }
  const enums = [...new Set([...enumValues.keys(), ...enumBases.keys()])].map((t) => {
    const values = enumValues.get(t) ?? [];
    return { t, values, base: enumBases.get(t) ?? baseOfValues(t, values.map((v) => v[1])) };
  });
  return {
    constants,
    globals,
    filled: valuesGiven || globals.size + layouts.size + typedefs.size + arrayLengths.size + enums.length > 0,
    apply() {
      for (const [t, repr] of typedefs) if (pendingLayout(t)) settlePrimitive(t, repr, reprSize(repr));
      for (const [t, n] of arrayLengths) if (pendingLayout(t) === t) settleArray(t, n);
      for (const { t, values, base } of enums) if (pendingLayout(t)) settleEnum(t, values, base);
      for (const [t, g] of layouts) if (pendingLayout(t)) layOutFromCompiler(t, layoutOf(t, g));
    },
  };
}

/** Checks a field probe against a cdef layout, or gathers it into the layout the compiler gives. */
function checkField(p: Probe & { kind: 'field' }, offset: bigint, second: bigint, gathering: Gathered | undefined): void {
  const t = p.type;
  const wrong = `${t.cname}: wrong`;
  if (gathering) {
    gathering.offsets.set(p.field, Number(offset));
    if (p.length) gathering.lengths.set(p.field, Number(second));
    else {
      const declared = t.members?.find((m) => m.name === p.field)?.type;
      if (declared && declared.size >= 0 && second !== 0n && BigInt(declared.size) !== second) {
        throw said(`${wrong} size for field '${p.field}'`, declared.size, second);
      }
    }
    return;
  }
  const f = t.fieldMap.get(p.field);
  if (!f) throw new Error(`internal: probe of the unknown field '${p.field}' of '${t.cname}'`);
  if (BigInt(f.offset) !== offset) throw said(`${wrong} offset for field '${p.field}'`, f.offset, offset);
  if (p.length) {
    const length = f.type.kind === 'array' ? f.type.length : null;
    if (length !== null && BigInt(length) !== second) throw said(`${wrong} length for field '${p.field}'`, length, second);
  } else if (f.type.size >= 0 && BigInt(f.type.size) !== second) {
    throw said(`${wrong} size for field '${p.field}'`, f.type.size, second);
  }
}

function layoutOf(t: StructType, g: Gathered): CompilerLayout {
  const known = (map: Map<string, number>, name: string): number => {
    const v = map.get(name);
    if (v === undefined) throw new Error(`internal: no probe for '${name}' of '${t.cname}'`);
    return v;
  };
  return {
    size: g.size, align: g.align, offset: (name) => known(g.offsets, name), length: (name) => known(g.lengths, name),
    innerLength: (name, depth) => known(g.innerLengths, `${name} ${depth}`),
  };
}

function settleEnum(t: EnumType, values: readonly [string, bigint][], base: PrimitiveType): void {
  const relements: Record<string, number | bigint> = {};
  const elements: Record<string, string> = {};
  for (const [name, v] of values) {
    relements[name] = toJs(v);
    elements[String(v)] ??= name;
  }
  Object.assign(t, { relements, elements, base, settled: true });
}
