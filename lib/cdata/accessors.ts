// The JavaScript source of generated cdata classes' members: item reads and writes, struct fields, and the constants the source closes over.
import { ArrayType, CType, PointerType, StructType, pendingLayout, pendingReason } from '../ctype/model';
import { pointerTo } from '../ctype/intern';
import { fastCheck, isWideChar, loadCode, reprOf, storeCode } from './convert';
import { hasVarArray } from './layout';
import { windowed } from './memory';

// The names this source uses (fromC_wchar, wrapPointer, classOf, MAKE, ...) are those of classes.ts's runtime object.

/** The struct whose fields a cdata of type `t` exposes (itself, or the pointee of a struct pointer). */
export function structOf(t: PointerType | ArrayType | StructType): StructType | null {
  if (t.kind === 'struct' || t.kind === 'union') return t;
  if (t.kind === 'pointer' && (t.item.kind === 'struct' || t.item.kind === 'union')) return t.item;
  return null;
}

/** Whether a pointer class has a MAKE method: pointers to data that a window can hold (all but functions and items past 1 GiB). */
export function hasMaker(t: PointerType): boolean {
  return t.item.kind !== 'function' && windowed(t.item.size);
}

/** JavaScript source for reading an item of type `t` at offset `off` of view `view`, address `this[ADDR] + delta`. */
export function itemRead(t: CType, view: string, off: string, delta: string, k: Constants, own = '0', sized = true): string {
  // The bytes behind `this` that ffi.new gave a struct with an open array member ([OWN] for the
  // owning pointer, [LEN] for the struct it points to), minus the item's offset: the item's share.
  // An array's items (`sized` false) have none: as CFFI, their open array member is a pointer.
  const varBytes = sized ? `Math.max(0, (this[OWN] || this[LEN]) - (${delta}))` : '0';
  switch (t.kind) {
    case 'primitive':
    case 'enum':
      if (isWideChar(t)) return `fromC_wchar(${loadCode(reprOf(t), view, off)}, ${t.size})`;
      return loadCode(reprOf(t), view, off);
    case 'pointer':
      // Memory that holds no library (most) gives pointers through their class's MAKE, which V8 can make part of this code.
      if (hasMaker(t) && structOf(t) === null) return `${k.pointerReader(t)}(readAddress(${view}, ${off}), this[MEM].holds)`;
      return `wrapPointer(${k.add(t)}, readAddress(${view}, ${off}), null, this[MEM].holds)`;
    case 'array':
      if (t.length === null) return `openMember(this, ${k.cls(pointerTo(t.item))}, ${k.cls(t)}, ${delta}, ${off}, ${t.item.size})`;
      return `new (${k.cls(t)})(ownMemory(this), offsetAddress(this[ADDR], ${delta}), ${off}, ${t.length}, 0)`;
    case 'struct':
    case 'union':
      return `new (${k.cls(t)})(ownMemory(this), offsetAddress(this[ADDR], ${delta}), ${off}, ${hasVarArray(t) ? varBytes : 0}, ${own})`;
    case 'void':
    case 'function':
      return `readAt(${k.add(t)}, this[MEM], ${off}, 0)`;
  }
}

/** JavaScript statements storing `v` as an item of type `t` at offset `off` of view `view`. */
export function itemWrite(t: CType, view: string, off: string, where: string, k: Constants): string {
  if (t.kind === 'primitive' || t.kind === 'enum') {
    const repr = reprOf(t);
    // A wide character is a string in JavaScript: always converted to its code.
    const check = isWideChar(t) ? 'false' : fastCheck(repr, 'v');
    return `if (!(${check})) v = toCScalar(${k.add(t)}, v, ${k.add(where)});\n${storeCode(repr, view, off, 'v')};`;
  }
  if (t.kind === 'array' && t.length === null) return `writeOpenArray(${k.add(t)}, ${view}, ${off}, v, ${k.add(where)});`;
  return `writeAt(${k.add(t)}, ${view}, ${off}, v, ${k.add(where)});`;
}

/** `body` (statements) with the engine's memory errors turned into node-cffi's, naming `where` (a JS expression). */
export function guarded(body: string, where: string): string {
  return `try { ${body} } catch (e) { throw fault(this, e, ${where}); }`;
}

/** Constants a generated class closes over (types, strings), named c0, c1, …; item classes resolved lazily. */
export class Constants {
  readonly values: unknown[] = [];
  /** Where each value is in `values` (a struct of many fields has many: looked for there, each would cost them all). */
  private readonly at = new Map<unknown, number>();
  private readonly lazy = new Set<string>();
  /** Helper functions' source by their names. */
  private readonly helpers = new Map<string, string>();
  add(x: unknown): string {
    let i = this.at.get(x);
    if (i === undefined) this.at.set(x, (i = this.values.push(x) - 1));
    return `c${i}`;
  }
  /** An expression giving the class of `t`, resolved on first use (types may refer to themselves). */
  cls(t: PointerType | ArrayType | StructType): string {
    const c = this.add(t);
    const name = `k_${c}`;
    this.lazy.add(name);
    return `(${name} || (${name} = classOf(${c})))`;
  }
  /** A function of (address, the holding library or null) giving the pointer cdata of type `t` (one with a MAKE, not to a struct). */
  pointerReader(t: PointerType): string {
    const c = this.add(t);
    const name = `read_${c}`;
    if (!this.helpers.has(name)) {
      this.helpers.set(name, `const ${name} = (a, h) => (h === null ? ${this.cls(t)}[MAKE](a) : wrapPointer(${c}, a, null, h));`);
    }
    return name;
  }
  /**
   * The declarations the source starts with: the constants from the array `K` (one argument, not
   * one each: a struct of 40,000 fields has 80,000 of them, past what a call or a parameter list
   * takes), the lazily resolved classes, the helpers.
   */
  preamble(): string {
    const constants = this.values.length ? `const ${this.values.map((_, i) => `c${i} = K[${i}]`).join(', ')};\n` : '';
    return constants + (this.lazy.size ? `let ${[...this.lazy].join(', ')};\n` : '') + [...this.helpers.values()].map((h) => `${h}\n`).join('');
  }
}

/** How many fields a struct has accessors for (its declared members while its layout is pending). */
export function accessorCount(s: StructType): number {
  return (pendingLayout(s) ? s.members : s.fields)?.length ?? 0;
}

/** The source of the accessors of `s`'s fields, class members one a line. */
export function fieldAccessors(s: StructType, k: Constants): string {
  return fieldMembers(s, k, 0, accessorCount(s)).join('\n');
}

/** The source of the accessors (a getter and a setter each) of fields `from` to `to` (excluded) of `s`. */
export function fieldMembers(s: StructType, k: Constants, from: number, to: number): string[] {
  const out: string[] = [];
  const pending = pendingLayout(s);
  if (pending) {
    // Laid out by the compiler, not verified when this class was made: once verify() has given the
    // layout, the declared names reach the fields through the class made since; before, they say why not.
    const why = k.add(`'${s.cname}': ${pendingReason(pending)}`);
    for (const m of (s.members ?? []).slice(from, to)) {
      if (m.name === '') continue;
      const name = JSON.stringify(m.name);
      out.push(`get [${name}]() { return settledField(this, ${name}, ${why}); }`);
      out.push(`set [${name}](v) { settledField(this, ${name}, ${why}, v); }`);
    }
    return out;
  }
  for (const f of (s.fields ?? []).slice(from, to)) {
    const name = JSON.stringify(f.name);
    const where = `field '${f.name}' of '${s.cname}'`;
    const field = k.add(`field '${f.name}'`);
    const off = `this[OFF] + ${f.offset}`;
    if (f.bitsize >= 0) {
      out.push(`get [${name}]() { ${guarded(`return readBits(this[MEM].v, ${off}, ${k.add(f)});`, field)} }`);
      out.push(`set [${name}](v) { ${guarded(`writeBits(this[MEM].v, ${off}, ${k.add(f)}, v, ${k.add(where)});`, field)} }`);
      continue;
    }
    out.push(`get [${name}]() { ${guarded(`return ${itemRead(f.type, 'this[MEM].v', off, String(f.offset), k)};`, field)} }`);
    out.push(`set [${name}](v) { ${guarded(itemWrite(f.type, 'this[MEM].v', off, where, k), field)} }`);
  }
  return out;
}
