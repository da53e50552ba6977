// What cdef declarations mean: the all-or-nothing scope of one cdef call, when a tag, typedef or enum declared again is the same one, and enum integer types.
import { completeStruct } from './layout';
import { CType, EnumType, MemberDecl, PrimitiveType, StructType, deferredPrimitive, primitive } from './model';
import { pointerTo } from './intern';
import { Decl, Registry, SourcePos, checkRedeclaration, keyOf, repeatsConstant, showAt } from './registry';

/** Throws the CDefError of a declaration refused at `at` (the parser's positions and spelling). */
export type Fail = (at: SourcePos, message: string) => never;

/** The name an anonymous struct, union or enum carries until a typedef or the commit names it. */
export const PROVISIONAL = '(anonymous)';

/** One enumerator as written: `value` is undefined in a partial enum when the compiler gives it. */
export interface Enumerator {
  readonly name: string;
  readonly value: bigint | undefined;
}

/** A struct or union body being defined (see Scope.openStruct and Scope.closeStruct). */
export interface StructDefinition {
  /** The type the body is laid out into. */
  readonly target: StructType;
  /** Set when the tag is defined already: the body goes into a new type, compared at the close. */
  readonly redefines: {
    readonly existing: StructType;
    readonly found: Extract<Decl, { kind: 'tag' }>;
    readonly key: string;
    readonly prior: Decl | undefined;
  } | null;
}

const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;
const U32_MAX = 2n ** 32n - 1n;
const I64_MAX = 2n ** 63n - 1n;

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A JavaScript number when exact, else the bigint (how declarations hold integer values). */
export const toJs = (v: bigint): number | bigint => (v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v);

/** The C type an enumerator has in an expression: int when its value fits, else the enum's own type. */
export function enumeratorType(value: bigint, base: PrimitiveType | null): PrimitiveType {
  if (value >= I32_MIN && value <= I32_MAX) return primitive('int');
  if (base) return base;
  return primitive(value <= I64_MAX ? 'long' : 'unsigned long');
}

/** GCC's choice of an enum's integer type, or null when the values need more than 64 bits. */
export function enumBase(values: readonly bigint[]): PrimitiveType | null {
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

/**
 * Declarations staged by one cdef call over the registry: lookups see both, nothing reaches the
 * registry before commit(), and rollback() undoes the changes made to types the registry already had
 * (completing a forward-declared struct or enum). It decides what declaring a name again means:
 * the same declaration, the completion of an incomplete one, or a conflict (refused unless `override`).
 */
export class Scope {
  private staged = new Map<string, Decl>();
  private readonly undo: (() => void)[] = [];
  /** Types this call created: they vanish with a failed call, so they need no undo. */
  private readonly created = new Set<CType>();
  /** Anonymous structs, unions and enums of this call, given '$N' names at commit unless a typedef named them. */
  private readonly anonymous: (StructType | EnumType)[] = [];
  /** While a piece is open (see beginPiece): the staged entries it changed, each with what it was before (undefined: none). */
  private changes: [string, Decl | undefined][] | null = null;
  /** Where the open piece's entries in `undo` start. */
  private undoMark = 0;
  /** The open piece replaces what it declares again, whatever the call's `override` (see beginPiece). */
  private pieceOverride = false;

  constructor(private readonly registry: Registry, private readonly callOverride: boolean, private readonly fail: Fail) {}

  /** Whether a declaration with another meaning replaces the old one (the call's option, or the open piece's). */
  get override(): boolean {
    return this.callOverride || this.pieceOverride;
  }

  /** Stages `d` under `key` (undefined: removes the entry), remembering the old entry while a piece is open. */
  private stage(key: string, d: Decl | undefined): void {
    if (this.changes !== null) this.changes.push([key, this.staged.get(key)]);
    if (d === undefined) this.staged.delete(key);
    else this.staged.set(key, d);
  }

  /**
   * Opens a piece: what is declared from here on can be undone alone (undoPiece) or kept
   * (keepPiece), the pieces kept before it staying as they are. A piece parses as if the pieces
   * kept before it were committed: the types they made are no longer this call's own. `override`:
   * the piece replaces what it declares again, as a call with `{ override: true }` does.
   */
  beginPiece(override = false): void {
    this.pieceOverride = override;
    this.changes = [];
    this.undoMark = this.undo.length;
    this.created.clear();
  }

  /** Undoes what the open piece declared, completed or staged. */
  undoPiece(): void {
    const changes = this.changes as [string, Decl | undefined][];
    for (let i = changes.length - 1; i >= 0; i--) {
      const [key, old] = changes[i];
      if (old === undefined) this.staged.delete(key);
      else this.staged.set(key, old);
    }
    const undo = this.undo.splice(this.undoMark);
    for (let i = undo.length - 1; i >= 0; i--) undo[i]();
    if (this.anonymous.length !== 0) this.anonymous.length = 0;
    this.changes = null;
    this.pieceOverride = false;
  }

  /** Keeps what the open piece declared: its anonymous types are named now, as a commit of it alone would name them. */
  keepPiece(): void {
    this.nameAnonymous();
    // Pieces are never undone once kept, nor is the call as a whole.
    if (this.undo.length !== 0) this.undo.length = 0;
    this.changes = null;
    this.pieceOverride = false;
  }

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
    const old = this.get(key);
    checkRedeclaration(old, d, this.override, this.fail);
    if (!this.override && repeatsConstant(old, d)) return;
    this.stage(key, d);
  }

  /** `struct s;` or a first `struct s *` (no body): a new incomplete type under that tag. */
  declareIncompleteTag(kind: 'struct' | 'union' | 'enum', name: string, at: SourcePos): StructType | EnumType {
    const t = kind === 'enum' ? new EnumType(name) : new StructType(kind, name);
    this.created.add(t);
    this.declare({ kind: 'tag', name, type: t, pos: at });
    return t;
  }

  /** `typedef ... name;`: an opaque type, the one declared before under that name if it was opaque too. */
  declareOpaque(name: string, at: SourcePos): void {
    const old = this.get(name);
    const reuse = old?.kind === 'typedef' && isOpaque(old.type, name) ? old.type : null;
    const type = reuse ?? new StructType('struct', name, true);
    if (!reuse) this.created.add(type);
    this.declare({ kind: 'typedef', name, type, quals: 0, pos: at });
  }

  /**
   * `typedef ... *name;`: a pointer to an opaque type that only the typedef names, 'struct $$name'
   * as CFFI calls it (the one declared before under that name if it was one too).
   */
  declareOpaquePointer(name: string, at: SourcePos): void {
    const old = this.get(name);
    const oldItem = old?.kind === 'typedef' && old.type.kind === 'pointer' ? old.type.item : null;
    const reuse = oldItem?.kind === 'struct' && oldItem.name === `$$${name}` && oldItem.members === null ? old?.type : null;
    let type = reuse;
    if (!type) {
      const item = new StructType('struct', `$$${name}`);
      item.cSpelling = `__typeof__(*(${name})0)`;
      this.created.add(item);
      type = pointerTo(item);
    }
    this.declare({ kind: 'typedef', name, type, quals: 0, pos: at });
  }

  /** `typedef int... name;` / `typedef float... name;`: the type the compiler completes, reused when declared so before. */
  declareDeferred(name: string, family: 'int' | 'float', at: SourcePos): void {
    const old = this.get(name);
    const reuse = old?.kind === 'typedef' && old.type.kind === 'primitive' && old.type.deferred === family ? old.type : null;
    const type = reuse ?? deferredPrimitive(name, family);
    if (!reuse) this.created.add(type);
    this.declare({ kind: 'typedef', name, type, quals: 0, pos: at });
  }

  /**
   * `typedef <type> name;`. When the typedef names an anonymous struct, union or enum defined in the
   * same declaration (`typedef struct { ... } pt_t;`), that type takes the typedef's name.
   */
  declareTypedef(name: string, typed: { readonly type: CType; readonly quals: number }, at: SourcePos, definedAnonymous: StructType | EnumType | null): void {
    const t = definedAnonymous;
    if (t && typed.type === t && !t.namedByTypedef) {
      t.name = name;
      t.namedByTypedef = true;
    }
    this.declare({ kind: 'typedef', name, type: typed.type, quals: typed.quals, pos: at });
  }

  /**
   * Where the body of `struct name { ... }` goes: an anonymous or new tag gets a new type; a tag
   * declared but not defined is completed in place (undone by rollback); a tag defined already gets
   * a new type that closeStruct compares with the old one (references inside resolve to it).
   */
  openStruct(kind: 'struct' | 'union', name: string | null, at: SourcePos): StructDefinition {
    if (name === null) {
      const target = this.newStruct(kind, PROVISIONAL);
      this.anonymous.push(target);
      return { target, redefines: null };
    }
    const key = `${kind} ${name}`;
    const d = this.get(key);
    const found = d?.kind === 'tag' ? d : undefined;
    const existing = found?.type as StructType | undefined;
    if (!found || !existing) {
      // Nothing under the key (only tags are): nothing to check a redeclaration against.
      const target = this.newStruct(kind, name);
      this.stage(key, { kind: 'tag', name, type: target, pos: at });
      return { target, redefines: null };
    }
    if (!existing.complete && existing.members === null && existing.waiting === null) {
      this.refuseIncluded(found, at);
      this.saveStruct(existing);
      return { target: existing, redefines: null };
    }
    const target = this.newStruct(kind, name);
    const prior = this.staged.get(key);
    this.stage(key, { kind: 'tag', name, type: target, pos: at });
    return { target, redefines: { existing, found, key, prior } };
  }

  /**
   * Lays out the body parsed for `def` and says which type the definition stands for: the old one
   * when a redefinition repeats it exactly, the new one otherwise (refused without `override`).
   */
  closeStruct(def: StructDefinition, body: { readonly members: readonly MemberDecl[]; readonly partial: boolean }, pack: number, at: SourcePos): StructType {
    const { target, redefines } = def;
    target.partial = body.partial;
    completeStruct(target, body.members, pack, undefined, this.fail);
    if (!redefines) return this.defined(target);
    const { existing, found, key, prior } = redefines;
    if (sameDefinition(target, existing)) {
      this.stage(key, prior);
      return existing;
    }
    if (!this.override) {
      this.fail(
        at,
        `'${target.kind} ${target.name}' is already defined with different members (at ${showAt(found.pos, at)}); ` +
          'pass { override: true } to replace it',
      );
    }
    return this.defined(target);
  }

  /**
   * `t`, its body just laid out: when it waits for another struct's definition, noted among that
   * struct's waiters; otherwise the structs waiting for `t` are laid out now, and those waiting for
   * them in turn (undone with the call).
   */
  private defined(t: StructType): StructType {
    if (t.waiting !== null) {
      this.addWaiter(t.waiting.on, t);
      return t;
    }
    const waiters = t.waiters;
    if (waiters === null) return t;
    if (!this.created.has(t)) this.undo.push(() => { t.waiters = waiters; });
    t.waiters = null;
    for (const w of waiters) {
      const waiting = w.waiting;
      if (waiting === null || waiting.on !== t) continue; // defined again since, or waiting for another
      this.saveStruct(w);
      completeStruct(w, waiting.members, waiting.pack, undefined, this.fail);
      this.defined(w);
    }
    return t;
  }

  private addWaiter(on: StructType, w: StructType): void {
    const list = on.waiters;
    if (!this.created.has(on)) {
      const n = list?.length ?? 0;
      this.undo.push(() => {
        if (list !== null) list.length = n;
        on.waiters = list;
      });
    }
    if (list !== null) list.push(w);
    else on.waiters = [w];
  }

  /**
   * The enum type an enum body defines: `enum e;` completed, the same enum when the body repeats it,
   * else a new type (a conflict without `override` fails at `at`). The enumerators are declared by
   * the caller, as constants of the returned type.
   */
  defineEnum(name: string | null, items: readonly Enumerator[], partial: boolean, base: PrimitiveType, at: SourcePos): EnumType {
    const found = name !== null ? this.tag('enum', name) : undefined;
    const existing = found?.type as EnumType | undefined;
    let target: EnumType;
    let fill = true;
    if (existing && found && !existing.partial && Object.keys(existing.relements).length === 0) {
      this.refuseIncluded(found, at);
      target = existing; // completes 'enum e;'
      this.saveEnum(existing);
    } else if (existing && this.sameEnumerators(existing, items, partial)) {
      target = existing;
      fill = false;
    } else if (existing && found && !this.override) {
      return this.fail(
        at,
        `'enum ${name}' is already defined with different enumerators (at ${showAt(found.pos, at)}); ` +
          'pass { override: true } to replace it',
      );
    } else {
      target = new EnumType(name ?? PROVISIONAL);
      this.created.add(target);
      if (name !== null) this.declare({ kind: 'tag', name, type: target, pos: at });
      else this.anonymous.push(target);
    }
    if (fill && partial) Object.assign(target, { relements: Object.create(null), elements: Object.create(null), base, partial: true, settled: false });
    else if (fill) fillEnum(target, items, base);
    return target;
  }

  /**
   * A type declared incomplete by an FFI that this one includes is that FFI's type too: completing
   * it here would change it there. Refused, naming the ways out.
   */
  private refuseIncluded(found: Decl, at: SourcePos): void {
    if (!this.registry.isIncluded(keyOf(found))) return;
    this.fail(
      at,
      `'${keyOf(found)}' is incomplete in an FFI given to ffi.include(), and types are shared with it, so it cannot be completed here; ` +
        'complete it in the included FFI, or declare it (and what uses it) here instead of including',
    );
  }

  commit(): void {
    this.nameAnonymous();
    const staged = this.staged;
    this.staged = new Map();
    this.registry.declareStaged(staged, this.callOverride);
  }

  private nameAnonymous(): void {
    if (this.anonymous.length === 0) return;
    for (const t of this.anonymous) if (!t.namedByTypedef) t.name = this.registry.anonymousName();
    this.anonymous.length = 0;
  }

  rollback(): void {
    for (const u of this.undo.reverse()) u();
  }

  private newStruct(kind: 'struct' | 'union', name: string): StructType {
    const t = new StructType(kind, name);
    this.created.add(t);
    return t;
  }

  /** Remembers the layout of a registry struct that this call is about to complete. */
  private saveStruct(t: StructType): void {
    if (this.created.has(t)) return;
    const { fields, size, align, pack, partial, members, waiting } = t;
    this.undo.push(() => Object.assign(t, { fields, size, align, pack, partial, members, waiting }));
  }

  private saveEnum(t: EnumType): void {
    if (this.created.has(t)) return;
    const { relements, elements, base, partial, settled } = t;
    this.undo.push(() => Object.assign(t, { relements, elements, base, partial, settled }));
  }

  /** True when `items` declare enum `t` again as it is: the same names and values (partial: the same written values). */
  private sameEnumerators(t: EnumType, items: readonly Enumerator[], partial: boolean): boolean {
    if (t.partial !== partial) return false;
    if (!partial) {
      const names = Object.keys(t.relements);
      return names.length === items.length && items.every((e, i) => names[i] === e.name && BigInt(t.relements[e.name]) === e.value);
    }
    return items.every((e) => {
      const d = this.get(e.name);
      return d?.kind === 'constant' && d.type === t && (d.value === undefined ? e.value === undefined : e.value !== undefined && BigInt(d.value) === e.value);
    });
  }
}

/** Fills an exact enum (every value known) with its enumerators. */
function fillEnum(t: EnumType, items: readonly Enumerator[], base: PrimitiveType): void {
  // Without a prototype: enumerators may be named '__proto__', 'toString' or 'constructor'.
  const relements: Record<string, number | bigint> = Object.create(null);
  const elements: Record<string, string> = Object.create(null);
  for (const { name, value } of items) {
    if (value === undefined) throw new Error(`internal: enumerator '${name}' of an exact enum without a value`);
    relements[name] = toJs(value);
    elements[String(value)] ??= name;
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
  if (fresh.waiting !== null || old.waiting !== null) {
    // Bodies waiting for a struct's definition: the same members, packed alike.
    const a = fresh.waiting?.members ?? [];
    const b = old.waiting?.members ?? [];
    return fresh.waiting !== null && old.waiting !== null && fresh.kind === old.kind && fresh.waiting.pack === old.waiting.pack && sameMembers(a, b, fresh, old);
  }
  if (fresh.members === null && old.members === null) return sameLayout(fresh, old, fresh, old);
  return (
    fresh.members !== null && old.members !== null && fresh.kind === old.kind && fresh.partial === old.partial &&
    sameMembers(fresh.members, old.members, fresh, old)
  );
}

/** True when member lists `a` (of `fresh`) and `b` (of `old`) declare the same members. */
function sameMembers(a: readonly MemberDecl[], b: readonly MemberDecl[], fresh: StructType, old: StructType): boolean {
  return (
    a.length === b.length &&
    a.every((m, i) => {
      const n = b[i];
      return (
        m.name === n.name && m.quals === n.quals && m.bitsize === n.bitsize && (m.lengthFromCompiler ?? false) === (n.lengthFromCompiler ?? false) &&
        String(m.innerLengthsFromCompiler ?? '') === String(n.innerLengthsFromCompiler ?? '') &&
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
      if (!((b.kind === 'struct' || b.kind === 'union') && isAnonymous(a) && isAnonymous(b))) return false;
      return a.members !== null || b.members !== null ? sameDefinition(a, b) : sameLayout(a, b, fresh, old);
    case 'primitive':
    case 'void':
    case 'enum':
      return false;
  }
}
