// What ties an FFI to other FFIs and to its libraries: the FFIs it includes (ffi.include()) and their libraries, the library its last verify() made, the libraries from dlopen() that learn later declarations.
import { FFIError } from './errors';
import { isInteger } from './ctype/model';
import { Decl, Registry, describeDecl, keyOf } from './ctype/registry';
import { Lib, declareLater } from './clib';
import type { LibSpec } from './clibglobals';

/** A library's names that an included FFI's library answers for (see LibSpec.included). */
export type Included = NonNullable<LibSpec['included']>;

/** A small object each library holds (keyed weakly): what a WeakLib refers to weakly instead of the library. */
const tokens = new WeakMap<Lib, object>();

/**
 * A library held weakly. A WeakRef keeps its target alive until the current synchronous job ends,
 * so a loop making libraries would keep every one (and its bound functions) until the loop ends.
 * This refers weakly to a token the library holds, and reaches the library through a WeakMap of
 * its own: the job keeps only the token alive, and the library only while this object is reachable.
 */
class WeakLib {
  private readonly token: WeakRef<object>;
  private readonly lib = new WeakMap<object, Lib>();

  constructor(lib: Lib) {
    let token = tokens.get(lib);
    if (token === undefined) tokens.set(lib, (token = {}));
    this.token = new WeakRef(token);
    this.lib.set(token, lib);
  }

  deref(): Lib | undefined {
    const token = this.token.deref();
    return token === undefined ? undefined : this.lib.get(token);
  }
}

/** The links of one FFI, over its declaration table. */
export class Links {
  /**
   * The FFIs given to include(), in order, each with the library it had then: an FFI including
   * another holds that library loaded, as CFFI's import of an included module does.
   */
  private readonly included: { readonly links: Links; readonly library: Lib | null }[] = [];
  /**
   * The library the last verify(), verifyAsync() or loadModule() made, held weakly (a library
   * nothing uses is unloaded, its FFI's life notwithstanding), and the integer constants the
   * compiler gave it.
   */
  private library: WeakLib | null = null;
  private settled: ReadonlyMap<string, number | bigint> = new Map();
  /** The libraries dlopen() made that may still be in use: they learn the declarations made after them. */
  private readonly opened = new Set<WeakLib>();
  /** Declarations made since the libraries from dlopen() last learned of them. */
  private readonly later: Decl[] = [];

  constructor(readonly registry: Registry) {}

  /** ffi.include(other): its declarations here too (see Registry.include), its library held. */
  include(other: Links): void {
    this.registry.include(other.registry);
    this.included.push({ links: other, library: other.library?.deref() ?? null });
  }

  /** Whether the declaration under `key` came from an included FFI. */
  isIncluded(d: Decl): boolean {
    return this.registry.isIncluded(keyOf(d));
  }

  /** A verify() library just made: what FFIs including this one reach. */
  built(lib: Lib, constants: ReadonlyMap<string, number | bigint>): void {
    this.library = new WeakLib(lib);
    this.settled = constants;
  }

  /**
   * For the functions, globals and constants of included FFIs in a new verify() library: their
   * libraries as they are now, which the new library holds; undefined when nothing is included.
   */
  includedNames(): Included | undefined {
    if (this.included.length === 0) return undefined;
    const decls = [...this.registry.values()].filter((d) => this.isIncluded(d));
    const libraries = new Map<string, Lib | null>();
    for (const d of decls) if (d.kind === 'function' || d.kind === 'variable' || d.kind === 'constant') libraries.set(d.name, this.libraryOf(d.name));
    return { decls, libraryOf: (name) => libraries.get(name) ?? null };
  }

  /**
   * The library of the included FFI that declares `name` itself: its last one if still in use,
   * else the one it had when included; null when it has none.
   */
  private libraryOf(name: string, seen = new Set<Links>()): Lib | null {
    for (const { links: other, library } of this.included) {
      if (seen.has(other)) continue;
      seen.add(other);
      const r = other.registry;
      if (r.get(name) === undefined) continue;
      return r.isIncluded(name) ? other.libraryOf(name, seen) ?? library : other.library?.deref() ?? library;
    }
    return null;
  }

  /** The integer constants whose values the compilers of included FFIs gave (their verify()), for libraries from dlopen(). */
  includedConstants(seen = new Set<Links>()): Map<string, number | bigint> {
    const all = new Map<string, number | bigint>();
    for (const { links: other } of this.included) {
      if (seen.has(other)) continue;
      seen.add(other);
      for (const [k, v] of other.includedConstants(seen)) all.set(k, v);
      for (const [k, v] of other.settled) all.set(k, v);
    }
    return all;
  }

  /**
   * ffi.integerConst(name): an integer constant declared here (its value from the cdef, its enum,
   * or the last verify()), or by an included FFI; undefined when none is.
   */
  integerConst(name: string, seen = new Set<Links>()): number | bigint | undefined {
    const d = this.registry.get(name);
    if (d !== undefined && !this.registry.isIncluded(name)) {
      if (d.kind !== 'constant' || !(d.type.kind === 'enum' || isInteger(d.type))) {
        throw new FFIError(`ffi.integerConst('${name}'): '${name}' is ${describeDecl(d)}, not an integer constant; read it from a library object`);
      }
      const value = d.value ?? (d.type.kind === 'enum' ? d.type.relements[name] : undefined) ?? this.settled.get(name);
      if (value === undefined) throw new FFIError(`ffi.integerConst('${name}'): its value comes from the compiler, which has not given it yet; call verify() first`);
      return value;
    }
    for (const { links: other } of this.included) {
      if (seen.has(other)) continue;
      seen.add(other);
      const v = other.integerConst(name, seen);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** A library from dlopen(): it learns the declarations made from now on (see teach). */
  opening(lib: Lib): void {
    this.opened.add(new WeakLib(lib));
    this.registry.onDeclare ??= (d) => this.later.push(d);
  }

  /** Tells the libraries from dlopen() still in use of the declarations made since they last learned, but those `leftOut` names. */
  teach(leftOut: ReadonlySet<string>): void {
    if (this.later.length === 0) return;
    const fresh = this.later.splice(0).filter((d) => d.kind !== 'function' || !leftOut.has(d.name));
    for (const ref of this.opened) {
      const lib = ref.deref();
      if (lib === undefined) this.opened.delete(ref);
      else declareLater(lib, fresh);
    }
    if (this.opened.size === 0) this.registry.onDeclare = null;
  }
}
