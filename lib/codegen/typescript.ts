// TypeScript declarations for a declaration table: the library interface, struct interfaces, enum and constant types.
import { memberOf } from '../ctype/aliases';
import { CType, EnumType, FunctionType, PointerType, Q_CONST, StructType, isByteLike, pendingLayout } from '../ctype/model';
import { Repr, isComplexRepr } from '../ctype/primitives';
import type { Decl, Registry } from '../ctype/registry';

export interface TypeScriptOptions {
  /** Name of the library interface (default 'Lib'). */
  readonly name?: string;
  /** The module CData is imported from (default 'node-cffi'). */
  readonly importFrom?: string;
  /** What the declarations were made from, for the heading comment ('add.h'). */
  readonly source?: string;
  /** More members of the library interface, as TypeScript text ('readonly ZLIB_VERSION: string;'); one replaces a declaration of its name. */
  readonly members?: readonly string[];
}

/** Words a TypeScript parameter cannot be called. */
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
  'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super',
  'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static',
  'implements', 'interface', 'package', 'private', 'protected', 'public', 'await', 'arguments', 'eval',
]);
/** Names a type alias or interface cannot take, or that the generated file itself uses. */
const TAKEN_TYPES = new Set([
  'string', 'number', 'boolean', 'symbol', 'object', 'bigint', 'any', 'unknown', 'never', 'void', 'undefined', 'null',
  'CData', 'CFunctionOf', 'VariadicArgument', 'Complex', 'Buffer', 'Uint8Array', 'Int8Array', 'ArrayBuffer', 'ArrayBufferView', 'DataView',
  'Record', 'Array', 'ReadonlyArray', 'Promise',
]);

/**
 * Why `name` cannot name the library interface, or undefined when it can: it must be a
 * TypeScript identifier, not a reserved word, nor a type name the generated file uses.
 */
export function interfaceNameProblem(name: string): string | undefined {
  if (!/^[\p{ID_Start}_$][\p{ID_Continue}$\u200c\u200d]*$/u.test(name)) {
    return 'is not a TypeScript identifier; give letters, digits, _ and $, not starting with a digit (Lib, SqliteLib)';
  }
  if (RESERVED.has(name) || TAKEN_TYPES.has(name)) return 'is a word TypeScript or the declarations use; give another name (Lib, SqliteLib)';
  return undefined;
}

/** A module name as a single-quoted TypeScript string. */
function quoted(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replace(/'/g, "\\'")}'`;
}

/** The typed arrays whose memory a call passes for a pointer to items of this representation (cdata/pointers.ts, fitsJsMemory). */
const TYPED_ARRAYS: Record<Repr, string | null> = {
  i8: 'Uint8Array | Uint8ClampedArray | Int8Array',
  u8: 'Uint8Array | Uint8ClampedArray | Int8Array',
  bool: 'Uint8Array | Uint8ClampedArray',
  i16: 'Int16Array',
  u16: 'Uint16Array',
  i32: 'Int32Array',
  u32: 'Uint32Array',
  i64: 'BigInt64Array',
  u64: 'BigUint64Array',
  f32: 'Float32Array',
  f64: 'Float64Array',
  f80: null,
  c32: null,
  c64: null,
};

/** The typed arrays an array initialiser copies from: any with elements of the item's width (cdata/access.ts, writeArray). */
const SAME_WIDTH: Record<number, string> = {
  1: 'Uint8Array | Uint8ClampedArray | Int8Array',
  2: 'Int16Array | Uint16Array',
  4: 'Int32Array | Uint32Array | Float32Array',
  8: 'BigInt64Array | BigUint64Array | Float64Array',
};

/**
 * TypeScript declarations for every declaration in `registry`: an interface (`Lib`) with a typed
 * method per function, a property per global and constant (literal types for known values); an
 * interface per named struct or union (as cdata views) with an `_init` type for initialisers;
 * a literal union per enum. Give the interface to verify(): `ffi.verify<Lib>(source)`.
 *
 * The types say what the run-time conversions accept and give, no more and no less: a call
 * takes what `cdata/call.ts` converts (a JavaScript function for a function pointer, typed
 * arrays of the item's representation, strings for char pointers, initialisers for structs by
 * value, enumerator names for enums), a global or a field takes what `writeAt` stores, and a
 * function pointer read from C is typed as the callable it is.
 */
export function typescriptDeclarations(registry: Registry, options: TypeScriptOptions = {}): string {
  return new Writer([...registry.values()], options).run();
}

class Writer {
  private readonly libName: string;
  private readonly names = new Map<StructType | EnumType, string>();
  private readonly used = new Set<string>();

  constructor(private readonly decls: readonly Decl[], private readonly options: TypeScriptOptions) {
    this.libName = options.name ?? 'Lib';
    this.used.add(this.libName);
    for (const d of decls) {
      if (d.kind === 'tag' && !d.type.namedByTypedef && !d.name.startsWith('$')) this.nameType(d.type, `${d.type.kind}_${d.name}`);
      if (d.kind === 'typedef' && (d.type.kind === 'struct' || d.type.kind === 'union' || d.type.kind === 'enum')) {
        if (d.type.namedByTypedef && d.type.name === d.name) this.nameType(d.type, d.name);
      }
    }
  }

  private nameType(t: StructType | EnumType, wanted: string): void {
    if (this.names.has(t)) return;
    let name = TAKEN_TYPES.has(wanted) ? `${wanted}_t` : wanted;
    while (this.used.has(name) || this.used.has(`${name}_init`) || this.used.has(`${name}_name`)) name += '_';
    this.used.add(name);
    this.used.add(t.kind === 'enum' ? `${name}_name` : `${name}_init`);
    this.names.set(t, name);
  }

  run(): string {
    const body: string[] = [];
    for (const [t, name] of this.names) {
      for (const line of t.kind === 'enum' ? this.enumType(t, name) : this.structTypes(t, name)) body.push(line);
    }
    for (const d of this.decls) {
      if (d.kind !== 'typedef' || this.names.get(d.type as StructType) === d.name) continue;
      const target = d.type.kind === 'struct' || d.type.kind === 'union' || d.type.kind === 'enum' ? this.names.get(d.type) : undefined;
      if (target && !this.used.has(d.name) && !TAKEN_TYPES.has(d.name)) {
        this.used.add(d.name);
        body.push(`export type ${d.name} = ${target};`, '');
      }
    }
    body.push(`export interface ${this.libName} {`);
    // A member given replaces a declaration of its name, as the library's value does (a header's
    // `#define X "text"` redefining the enumerator X): one property of one type.
    const given = new Set((this.options.members ?? []).flatMap((m) => /\breadonly (\w+)\??:/.exec(m)?.[1] ?? []));
    for (const d of this.decls) {
      if (given.has(d.name)) continue;
      const member = this.libMember(d);
      if (member) body.push(`  ${member}`);
    }
    for (const member of this.options.members ?? []) body.push(`  ${member}`);
    body.push('}', '');
    // Only the names the declarations use: a declaration file with unused imports fails noUnusedLocals.
    const text = body.join('\n');
    const imports = ['CData', 'CFunctionOf', 'VariadicArgument', 'Complex'].filter((n) => new RegExp(`\\b${n}\\b`).test(text));
    const from = this.options.importFrom ?? 'node-cffi';
    return [
      `// TypeScript declarations${this.options.source ? ` for ${this.options.source}` : ''}, generated by \`cffi types\`.`,
      ...(imports.length ? [`import type { ${imports.join(', ')} } from ${quoted(from)};`, ''] : ['']),
      text,
    ].join('\n');
  }

  private enumType(t: EnumType, name: string): string[] {
    const values = [...new Set(Object.values(t.relements).map(literal))];
    const names = Object.keys(t.relements).map((n) => `'${n}'`);
    return [
      `/** ${t.cname}: ${Object.keys(t.relements).join(', ')} */`,
      `export type ${name} = ${values.join(' | ') || 'number'};`,
      `/** The enumerator names a call or a store accepts for ${t.cname}. */`,
      `export type ${name}_name = ${names.join(' | ') || 'never'};`,
      '',
    ];
  }

  private structTypes(t: StructType, name: string): string[] {
    if (!t.fields) return [`/** ${t.cname}, declared but never defined: only pointers to it exist. */`, `export type ${name} = CData;`, ''];
    const view = [`/** ${t.cname} (${t.size} bytes): a cdata view of its memory. */`, `export interface ${name} extends CData {`];
    const init = [
      `/** An initialiser for ${t.cname}: an object of fields, or a list in field order (ffi.new('${t.cname} *', …), an argument by value). */`,
      `export type ${name}_init = {`,
    ];
    // The fields, then the aliases a header's macros give members of members (signal.h's sa_handler).
    const aliases = [...(t.aliases?.keys() ?? [])].flatMap((a) => memberOf(t, a) ?? []);
    for (const f of [...t.fields, ...aliases]) {
      const ro = f.quals & Q_CONST ? 'readonly ' : '';
      const read = f.bitsize >= 0 ? this.scalar(f.type) : this.read(f.type);
      const write = this.store(f.type);
      const path = t.aliases?.get(f.name);
      if (path !== undefined) view.push(`  /** ${path.join('.')}, named by a macro of the header. */`);
      view.push(read === write ? `  ${ro}${f.name}: ${read};` : `  get ${f.name}(): ${read};`);
      if (read !== write && !ro) view.push(`  set ${f.name}(value: ${write});`);
      init.push(`  ${f.name}?: ${write};`);
    }
    view.push('}');
    init.push(`} | ${this.listInit(t)};`);
    return [...view, ...init, ''];
  }

  /** A struct's list initialiser: a tuple of its fields in order, any of them left out at the end (a union: its first field). */
  private listInit(t: StructType): string {
    const fields = t.kind === 'union' ? (t.fields ?? []).slice(0, 1) : (t.fields ?? []);
    return `readonly [${fields.map((f) => `${f.name}?: ${this.store(f.type)}`).join(', ')}]`;
  }

  private libMember(d: Decl): string | null {
    switch (d.kind) {
      case 'function':
        return this.method(d.name, d.type, d.argNames);
      case 'constant': {
        const type = d.value === undefined ? this.read(d.type) : literal(d.value);
        return `readonly ${d.name}: ${type};`;
      }
      case 'variable': {
        const read = this.read(d.type);
        const write = this.store(d.type);
        if (d.quals & Q_CONST) return `readonly ${d.name}: ${read};`;
        return read === write ? `${d.name}: ${read};` : `get ${d.name}(): ${read};\n  set ${d.name}(value: ${write});`;
      }
      // An extern "Python" function is on a library as the function pointer to its C function.
      case 'extern-callback':
        return `readonly ${d.name}: ${this.callable(d.type)};`;
      case 'typedef':
      case 'tag':
        return null;
    }
  }

  /** The parameter list of a function type: names from the declaration, made safe; `...rest` for the variadic part. */
  private params(t: FunctionType, argNames: readonly (string | null)[], type: (a: CType) => string): string {
    const taken = new Set<string>();
    const params = t.args.map((a, i) => {
      let p = argNames[i] ?? `arg${i}`;
      if (RESERVED.has(p)) p += '_';
      while (taken.has(p)) p += '_';
      taken.add(p);
      return `${p}: ${type(a)}`;
    });
    if (t.ellipsis) params.push('...rest: VariadicArgument[]');
    return params.join(', ');
  }

  private method(name: string, t: FunctionType, argNames: readonly (string | null)[]): string {
    return `${name}(${this.params(t, argNames, (a) => this.param(a))}): ${this.result(t.result)};`;
  }

  /** What a call gives for a result of type `t`. */
  private result(t: CType): string {
    return t.kind === 'void' ? 'void' : this.read(t);
  }

  /** The TypeScript type of a scalar value read from C (numbers, bigints for 64-bit, booleans). */
  private scalar(t: CType): string {
    if (t.kind === 'enum') return 'number';
    if (t.kind !== 'primitive') return 'unknown';
    // A typedef the compiler sizes (int...) may turn out 64 bits wide: typed for both until verified.
    if (pendingLayout(t)) return t.deferred === 'float' ? 'number' : 'number | bigint';
    if (t.repr === 'bool') return 'boolean';
    if (isComplexRepr(t.repr)) return 'Complex';
    if (isWide(t)) return 'string'; // a wide character is a one-character string
    return t.repr === 'i64' || t.repr === 'u64' ? 'number | bigint' : 'number';
  }

  /** What a scalar of type `t` accepts (cdata/convert.ts, toCScalar): numbers or bigints in range, one-byte strings for one-byte integers, names for enums. */
  private scalarIn(t: CType): string {
    if (t.kind === 'enum') {
      const name = this.names.get(t);
      const names = name ? `${name}_name` : Object.keys(t.relements).map((n) => `'${n}'`).join(' | ');
      return names ? `number | bigint | ${names}` : 'number | bigint';
    }
    if (t.kind !== 'primitive') return 'never';
    if (pendingLayout(t)) return 'number | bigint';
    if (isWide(t)) return 'string';
    switch (t.repr) {
      case 'bool':
        return 'boolean | 0 | 1 | 0n | 1n';
      case 'f80':
        return 'number | bigint'; // a bigint only when the long double holds it exactly
      case 'c32':
      case 'c64':
        return 'Complex | number | bigint'; // a real number has no imaginary part
      case 'i8':
      case 'u8':
        return 'number | bigint | string';
      default:
        return 'number | bigint';
    }
  }

  /** What reading a value of `t` gives: scalars, cdata pointers (or null), callables for function pointers, views for arrays and structs. */
  private read(t: CType): string {
    switch (t.kind) {
      case 'primitive':
      case 'enum':
        return this.scalar(t);
      case 'pointer':
        return t.item.kind === 'function' ? `${this.callable(t.item)} | null` : 'CData | null';
      case 'array':
        return 'CData';
      case 'struct':
      case 'union':
        return this.names.get(t) ?? 'CData';
      case 'void':
        return 'void';
      case 'function':
        return this.callable(t);
    }
  }

  /** A function pointer cdata as the callable it is, typed by its C signature. */
  private callable(f: FunctionType): string {
    return `CFunctionOf<(${this.params(f, [], (a) => this.param(a))}) => ${this.result(f.result)}>`;
  }

  /** What storing into a value of `t` accepts (a global, a field, an element: cdata/access.ts, writeAt). */
  private store(t: CType): string {
    switch (t.kind) {
      case 'primitive':
      case 'enum':
        return this.scalarIn(t);
      case 'pointer':
        return 'CData | null';
      case 'array': {
        const item = t.item;
        const parts = ['CData', `readonly ${wrap(this.store(item))}[]`];
        if (isByteLike(item) || isWide(item)) parts.push('string');
        if ((item.kind === 'primitive' || item.kind === 'enum') && !pendingLayout(item) && SAME_WIDTH[item.size]) parts.push(SAME_WIDTH[item.size]);
        return parts.join(' | ');
      }
      case 'struct':
      case 'union': {
        const name = this.names.get(t);
        if (!t.fields) return 'CData';
        return name ? `${name} | ${name}_init` : `CData | { readonly [field: string]: unknown } | readonly unknown[]`;
      }
      case 'void':
      case 'function':
        return 'never';
    }
  }

  /** What a call accepts for a parameter of type `t` (cdata/call.ts). */
  private param(t: CType): string {
    switch (t.kind) {
      case 'pointer':
        return this.pointerParam(t);
      case 'struct':
      case 'union':
        return this.store(t);
      case 'primitive':
      case 'enum':
        return this.scalarIn(t);
      default:
        return 'never';
    }
  }

  /**
   * A pointer argument: a cdata or null; a JavaScript function for a function pointer (a callback
   * for the call); a string for a char pointer; JavaScript memory whose elements fit the item.
   */
  private pointerParam(t: PointerType): string {
    const item = t.item;
    if (item.kind === 'function') {
      return `CData | ((${this.params(item, [], (a) => this.read(a))}) => ${item.result.kind === 'void' ? 'void' : this.store(item.result)}) | null`;
    }
    if (item.kind === 'void') return 'CData | string | ArrayBuffer | ArrayBufferView | null';
    const parts: string[] = [];
    if (isByteLike(item) || isWide(item)) parts.push('string');
    parts.push('CData');
    // A list is a temporary C array of the items for the call (as ffi.new('T[]', list) would make).
    if (item.size > 0) parts.push(`readonly ${wrap(this.store(item))}[]`);
    const repr = pendingLayout(item) ? undefined : item.kind === 'primitive' ? item.repr : item.kind === 'enum' ? item.base.repr : undefined;
    const arrays = repr === undefined ? null : TYPED_ARRAYS[repr];
    if (arrays) parts.push(arrays);
    if (repr !== undefined && (item as { size: number }).size === 1) parts.push('ArrayBuffer | DataView');
    parts.push('null');
    return parts.join(' | ');
  }
}

/** The wide character types, whose values are one-character strings (cdata/convert.ts, isWideChar). */
const isWide = (t: CType): boolean => t.kind === 'primitive' && (t.name === 'wchar_t' || t.name === 'char16_t' || t.name === 'char32_t');

const wrap = (type: string): string => (type.includes('|') ? `(${type})` : type);

/** A TypeScript literal type for a constant's value. */
function literal(v: number | bigint): string {
  return typeof v === 'bigint' ? `${v}n` : String(v);
}
