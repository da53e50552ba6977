// The FFI facade: CFFI's API over the stages (parser, type model, code generation, build, backend, memory model, library objects); verify() and compile() run apimode.ts.
import * as path from 'path';
import { FFIError, show } from './errors';
import { CdefOptions, parseCdef, parseTypeName } from './cparser/parser';
import { CType, isCType, noSizeError, pendingReason, pointerTo, requireSize, settledPending } from './ctype/model';
import { Decl, Registry } from './ctype/registry';
import { lowerStructs } from './codegen/glue';
import { getErrno, loadLibrary, setErrno } from './backend/koffi';
import { nodeHost } from './host';
import { bakeModule, readModule } from './aot/data';
import { loaderSource, writeModule } from './aot/loader';
import { CData, CFunction, isCData } from './cdata/base';
import {
  addressOf, bufferOf, castTo, fromBuffer, memmove, newCData, sizeOfCData, stringOf, typedView, unpack,
} from './cdata/api';
import { callback, fromHandle, gcAttach, newHandle, release } from './cdata/lifetime';
import { EnumValue } from './cdata/scalar';
import { dump, inspectCData } from './cdata/dump';
import { Lib, closeLib, isLib, libAddress, makeLib } from './clib';
import type { CallbackOptions } from './cdata/callback';
import { TypeScriptOptions, typescriptDeclarations } from './codegen/typescript';
import { VerifyOptions, build, buildWithoutBlocking, loadAndSettle, open, prepare } from './apimode';

/** For cc(): a library refuses these names with a reason (a static function of the source) instead of as undeclared. */
export { hideNames } from './clib';
export type { TypeScriptOptions } from './codegen/typescript';
export type { Lib } from './clib';
export type { VerifyOptions } from './apimode';

type TypeArg = string | CType;

/** Integer types up to 32 bits: ffi.cast gives a number. */
type SmallInt =
  | 'char' | 'signed char' | 'unsigned char' | 'short' | 'unsigned short' | 'int' | 'unsigned int' | 'unsigned'
  | 'int8_t' | 'uint8_t' | 'int16_t' | 'uint16_t' | 'int32_t' | 'uint32_t' | 'wchar_t' | 'char16_t' | 'char32_t';
/** 64-bit integer types: ffi.cast gives a number when it is a safe integer, else a bigint. */
type WideInt =
  | 'long' | 'unsigned long' | 'long long' | 'unsigned long long' | 'int64_t' | 'uint64_t' | 'size_t' | 'ssize_t'
  | 'intptr_t' | 'uintptr_t' | 'ptrdiff_t' | 'intmax_t' | 'uintmax_t';

/** What ffi.cast returns for a type written as a string literal (typedef names are only known at run time). */
export type CastResult<T> = T extends `${string}(*)${string}` ? CFunction | null
  : T extends `${string}*` ? CData | null
  : T extends 'float' | 'double' ? number
  : T extends '_Bool' | 'bool' ? boolean
  : T extends `enum ${string}` ? EnumValue
  : T extends SmallInt ? number
  : T extends WideInt ? number | bigint
  : any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where ffi.compile() writes the module directory. */
export interface CompileOptions {
  /** The directory the module directory is created in (default: the working directory). */
  tmpdir?: string;
}

/** What ffi.setSource() remembered for compile() and emitCCode(). */
interface SourceSet {
  readonly moduleName: string;
  readonly source: string;
  readonly options: VerifyOptions;
}

/** Gives an FFI made by loadModule() its rebuilt declarations (the one way in to the private field). */
let adoptRegistry: (ffi: FFI, registry: Registry) => void;

export class FFI {
  /** C's NULL, as JavaScript spells it. */
  readonly NULL = null;
  #registry = new Registry();
  /** Every cdef call's source and options, in order: part of the verify() cache key. */
  readonly #cdefs: string[] = [];
  #source: SourceSet | null = null;

  static {
    adoptRegistry = (ffi, registry) => {
      ffi.#registry = registry;
    };
  }

  /** Declares C types, functions, globals and constants (CFFI's cdef language). */
  cdef(source: string, options: CdefOptions = {}): void {
    if (typeof source !== 'string') throw new TypeError(`ffi.cdef(): expected a string of C declarations, got ${show(source)}`);
    parseCdef(source, this.#registry, options);
    this.#cdefs.push(JSON.stringify([source, options]));
  }

  /**
   * Compiles `source` with the glue for every cdef declaration, loads it, and returns its library
   * object. The compiler checks what the cdef states (prototypes, layouts, values) and fills in
   * what it leaves open with '...' (layouts, lengths, values, integer types), in place.
   */
  verify<L extends object = Lib>(source: string, options: VerifyOptions = {}): L {
    const p = this.#prepare(source, options, 'ffi.verify()');
    return open(p, build(p), this.#resolve) as L;
  }

  /** verify() without blocking the event loop while the compiler runs. */
  async verifyAsync<L extends object = Lib>(source: string, options: VerifyOptions = {}): Promise<L> {
    const p = this.#prepare(source, options, 'ffi.verifyAsync()');
    return open(p, await buildWithoutBlocking(p), this.#resolve) as L;
  }

  // -------------------------------------------------------------------------------------------
  // Ahead of time (CFFI's set_source + compile)

  /**
   * Names the module that compile() builds and the C source it is built from, with the options
   * verify() takes (compiler, flags, include directories, libraries, filename, ...).
   */
  setSource(moduleName: string, source: string, options: VerifyOptions = {}): void {
    if (typeof moduleName !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(moduleName)) {
      throw new TypeError(`ffi.setSource(): the module name must be a C identifier such as '_example', got ${show(moduleName)}`);
    }
    if (typeof source !== 'string') throw new TypeError(`ffi.setSource(): expected C source as a string, got ${show(source)}`);
    if (typeof options !== 'object' || options === null) throw new TypeError(`ffi.setSource(): expected options as an object, got ${show(options)}`);
    this.#source = { moduleName, source, options: { ...options } };
  }

  /** The C translation unit compile() builds: the source and the generated glue. */
  emitCCode(file: string): void {
    if (typeof file !== 'string' || file === '') throw new TypeError(`ffi.emitCCode(): expected a file name, got ${show(file)}`);
    const set = this.#sourceSet('ffi.emitCCode()');
    nodeHost.writeFileSync(file, this.#prepare(set.source, set.options, 'ffi.emitCCode()').glue.unit);
  }

  /**
   * Builds the module named by setSource() into `<tmpdir>/<moduleName>/`: the shared library and
   * `<moduleName>.ts`, a loader with the declarations, final layouts and constant values baked in
   * and TypeScript types for all of them. Loading it needs neither a cdef nor a C compiler:
   * `import { ffi, lib } from './<moduleName>/<moduleName>'`. Returns the module directory.
   */
  compile(options: CompileOptions = {}): string {
    if (typeof options !== 'object' || options === null) throw new TypeError(`ffi.compile(): expected options as an object, got ${show(options)}`);
    const set = this.#sourceSet('ffi.compile()');
    const p = this.#prepare(set.source, { moduleName: set.moduleName, ...set.options }, 'ffi.compile()');
    const built = build(p);
    const { loaded, decls } = loadAndSettle(p, built);
    loaded.close();
    const { glue } = p;
    const library = `${set.moduleName}.so`;
    const functions = new Map([...glue.functions].map(([name, b]) => [name, b.symbol]));
    const data = bakeModule(set.moduleName, library, decls, functions, glue.globals);
    const sourceName = set.options.filename ?? 'source.c';
    return writeModule(path.resolve(options.tmpdir ?? '.', set.moduleName), {
      [library]: nodeHost.readFileSync(built.path),
      [`${set.moduleName}.ts`]: loaderSource(data, declarationsRegistry(decls), sourceName),
    });
  }

  /**
   * The FFI and library object of a module built by ffi.compile(), from its baked `data` and the
   * shared library in `directory`: no cdef is parsed and no compiler runs. The generated loader
   * calls this; programs import the loader.
   */
  static loadModule<L extends object = Lib>(directory: string, data: unknown): { ffi: FFI; lib: L } {
    if (typeof directory !== 'string') throw new TypeError(`FFI.loadModule(): expected the module's directory, got ${show(directory)}`);
    const { data: d, registry, decls } = readModule(data);
    const ffi = new FFI();
    adoptRegistry(ffi, registry);
    const loaded = loadLibrary(path.join(directory, d.library));
    const functions = new Map(
      decls.flatMap((x) => (x.kind === 'function' && d.functions[x.name] !== undefined
        ? [[x.name, { symbol: d.functions[x.name], lowered: x.type.ellipsis ? null : lowerStructs(x.type) }] as const]
        : [])),
    );
    const lib = makeLib({
      label: `module '${d.module}'`, loaded, decls, functions, globals: new Map(Object.entries(d.globals)), eager: true,
      resolveType: ffi.#resolve,
    });
    return { ffi, lib: lib as L };
  }

  #sourceSet(where: string): SourceSet {
    if (!this.#source) throw new FFIError(`${where}: no source to build; call ffi.setSource(moduleName, source, options) first`);
    return this.#source;
  }

  /** Opens an existing shared library (null: the C library and the running process) in ABI mode. */
  dlopen<L extends object = Lib>(path: string | null): L {
    if (path !== null && typeof path !== 'string') throw new TypeError(`ffi.dlopen(): expected a path or null, got ${show(path)}`);
    const loaded = loadLibrary(path, path === null ? {} : { watch: [path] });
    const label = path === null ? 'the C library' : `'${path}'`;
    return makeLib({ label, loaded, decls: [...this.#registry.values()], eager: false, resolveType: this.#resolve }) as L;
  }

  /** Closes a library from dlopen() or verify(); its functions throw afterwards. */
  dlclose(lib: object): void {
    closeLib(lib);
  }

  /** The API-mode pipeline's first step for this FFI's declarations (see apimode.ts). */
  #prepare(source: string, options: VerifyOptions, where: string) {
    return prepare([...this.#registry.values()], this.#cdefs, source, options, where);
  }

  // -------------------------------------------------------------------------------------------
  // Types

  /** Resolves a type name in this FFI (for variadic arguments' `[type, value]` pairs). */
  readonly #resolve = (text: string): CType => this.#type(text, 'variadic argument type');

  #type(x: TypeArg, where: string): CType {
    if (typeof x === 'string') return this.#registry.typeCache.get(x) ?? parseTypeName(x, this.#registry);
    if (isCType(x)) return x;
    throw new TypeError(`${where}: expected a C type name or a ctype, got ${show(x)}`);
  }

  /** The ctype of a C type name, or of a cdata. */
  typeof(x: TypeArg | CData): CType {
    if (isCData(x)) return x.$t;
    return this.#type(x, 'ffi.typeof()');
  }

  /** Size in bytes of a type, or of the memory a cdata owns or refers to (an array's whole length). */
  sizeof(x: TypeArg | CData): number {
    if (isCData(x)) return sizeOfCData(x);
    const t = this.#type(x, 'ffi.sizeof()');
    return requireSize(t, `ffi.sizeof('${t.cname}')`);
  }

  alignof(x: TypeArg | CData): number {
    const t = isCData(x) ? x.$t : this.#type(x, 'ffi.alignof()');
    if (t.align < 0) throw noSizeError(`ffi.alignof('${t.cname}')`, t);
    return t.align;
  }

  /** Byte offset of a (nested) field or element: offsetof('struct outer', 'p', 'y'), offsetof(t, 'arr', 2). */
  offsetof(type: TypeArg, ...path: (string | number)[]): number {
    let t = this.#type(type, 'ffi.offsetof()');
    const where = `ffi.offsetof('${t.cname}')`;
    if (path.length === 0) throw new TypeError(`${where}: name a field (or an index) to give the offset of`);
    let offset = 0;
    for (const step of path) {
      if (typeof step === 'string') {
        if (t.kind !== 'struct' && t.kind !== 'union') throw new TypeError(`${where}: '${t.cname}' has no fields (asked for '${step}')`);
        if (!t.complete) throw noSizeError(where, t);
        const f = t.fieldMap.get(step);
        if (!f) throw new TypeError(`${where}: '${t.cname}' has no field '${step}'`);
        if (f.bitsize >= 0) throw new TypeError(`${where}: field '${step}' is a bit-field and has no byte offset`);
        offset += f.offset;
        t = f.type;
      } else if (typeof step === 'number') {
        if (t.kind !== 'array' && t.kind !== 'pointer') throw new TypeError(`${where}: cannot index '${t.cname}' with ${step}`);
        if (!Number.isSafeInteger(step)) throw new TypeError(`${where}: index must be an integer, got ${show(step)}`);
        if (t.kind === 'array' && t.length !== null && (step < 0 || step > t.length)) {
          throw new RangeError(`${where}: index ${step} is out of bounds for '${t.cname}'`);
        }
        requireSize(t.item, where, true);
        offset += step * t.item.size;
        t = t.item;
      } else {
        throw new TypeError(`${where}: expected field names and indexes, got ${show(step)}`);
      }
    }
    return offset;
  }

  /** The C spelling of a type with `extra` at the declarator position: ('int', '*') → 'int *'. */
  getctype(type: TypeArg, extra = ''): string {
    const t = this.#type(type, 'ffi.getctype()');
    const marker = t.marker;
    let r = extra.trim();
    if (r.startsWith('*') && marker.includes('&[')) r = `(${r})`;
    else if (r && r[0] !== '[' && r[0] !== '(' && !(r[0] === '*' && marker[marker.indexOf('&') - 1] === '*')) r = ` ${r}`;
    return marker.replace('&', r).trim();
  }

  /**
   * TypeScript declarations for what this FFI's cdefs declared: an interface (`Lib`, or
   * options.name) with a typed method per function and a property per global and constant, an
   * interface per struct and union, a literal type per enum. Give the interface to verify():
   * `ffi.verify<Lib>(source)`. (`cffi types` prints the same for a header.)
   */
  typescriptDeclarations(options: TypeScriptOptions = {}): string {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`ffi.typescriptDeclarations(): expected options as an object, got ${show(options)}`);
    }
    return typescriptDeclarations(this.#registry, options);
  }

  /** Declared type names: typedefs, struct tags and union tags. */
  listTypes(): { typedefs: string[]; structs: string[]; unions: string[] } {
    return this.#registry.listTypes();
  }

  // -------------------------------------------------------------------------------------------
  // Memory

  /** Allocates owned, zero-filled memory for a pointer's item or an array, optionally initialised. */
  new(cdecl: TypeArg, init?: unknown): CData {
    const t = this.#type(cdecl, 'ffi.new()');
    return newCData(usable(t, 'ffi.new'), init);
  }

  /** C's cast: integers wrap to the target width; pointers retype; an address becomes a pointer. */
  cast<T extends TypeArg>(cdecl: T, value: unknown): CastResult<T> {
    const t = this.#type(cdecl, 'ffi.cast()');
    return castTo(usable(t, 'ffi.cast'), value) as CastResult<T>;
  }

  /**
   * A pointer to a struct/array cdata, or to a field or element inside it (C's &); or, given a
   * library and a name, the address of that function or global.
   */
  addressof(cdata: CData | Lib, ...path: (string | number)[]): CData {
    if (isLib(cdata)) {
      if (path.length !== 1 || typeof path[0] !== 'string') throw new TypeError('ffi.addressof(lib, name): name one function or global');
      return libAddress(cdata, path[0]);
    }
    if (!isCData(cdata)) throw new TypeError(`ffi.addressof(): expected a cdata or a library, got ${show(cdata)}`);
    return addressOf(cdata, path);
  }

  /**
   * A C function pointer running `fn`: `cdecl` is a function type ('int(int, int)'), a function
   * pointer type, or a typedef of either. If `fn` throws, C receives `options.error` (default 0)
   * and `options.onerror(err)` is called. It stays valid while the returned cdata is reachable;
   * ffi.release() frees it now.
   */
  callback(cdecl: TypeArg, fn: (...args: any[]) => unknown, options: CallbackOptions = {}): CFunction { // eslint-disable-line @typescript-eslint/no-explicit-any
    const t = this.#type(cdecl, 'ffi.callback()');
    const pt = t.kind === 'function' ? pointerTo(t) : t;
    if (pt.kind !== 'pointer' || pt.item.kind !== 'function') {
      throw new TypeError(`ffi.callback('${t.cname}'): expected a function type such as 'int(int, int)'`);
    }
    usable(pt, 'ffi.callback');
    return callback(pt, fn, options, `ffi.callback('${pt.item.cname}')`) as CFunction;
  }

  /** A 'void *' standing for any JavaScript object, which C can carry and give back to ffi.fromHandle(). */
  newHandle(object: unknown): CData {
    return newHandle(object);
  }

  /** The object behind a handle made by ffi.newHandle() and still alive. */
  fromHandle(handle: unknown): unknown {
    return fromHandle(handle);
  }

  /** Text from a char array or pointer (stops at NUL or maxlen bytes), or an enum value's name. */
  string(cdata: unknown, maxlen?: number): string {
    return stringOf(cdata, maxlen);
  }

  /** The first n items of a pointer or array, copied out (a Buffer for chars, else an array). */
  unpack(cdata: CData, n: number): unknown[] | Buffer {
    if (!isCData(cdata)) throw new TypeError(`ffi.unpack(): expected a cdata, got ${show(cdata)}`);
    return unpack(cdata, n);
  }

  /** A Buffer over a cdata's memory, without copying. */
  buffer(cdata: CData, size?: number): Buffer {
    if (!isCData(cdata)) throw new TypeError(`ffi.buffer(): expected a cdata, got ${show(cdata)}`);
    return bufferOf(cdata, size);
  }

  /** An array cdata over the memory of a Buffer, typed array or ArrayBuffer, without copying. */
  fromBuffer(buf: ArrayBufferView | ArrayBuffer, cdecl: TypeArg = 'char[]'): CData {
    const t = this.#type(cdecl, 'ffi.fromBuffer()');
    return fromBuffer(buf, usable(t, 'ffi.fromBuffer'), typeof cdecl === 'string' ? cdecl : cdecl.cname);
  }

  /** Copies n bytes between cdata and/or JS buffers; overlapping ranges are handled. */
  memmove(dest: unknown, src: unknown, n: number): void {
    memmove(dest, src, n);
  }

  /** A typed array over the items of an array or pointer cdata, without copying (fastest for loops). */
  view(cdata: CData, length?: number): ArrayBufferView {
    if (!isCData(cdata)) throw new TypeError(`ffi.view(): expected a cdata, got ${show(cdata)}`);
    return typedView(cdata, length);
  }

  /** A new cdata for the same memory that calls destructor(cdata) once when garbage-collected (null: cancel). */
  gc(cdata: CData, destructor: ((c: CData) => unknown) | null): CData {
    if (!isCData(cdata)) throw new TypeError(`ffi.gc(): expected a cdata, got ${show(cdata)}`);
    return gcAttach(cdata, destructor);
  }

  /** Frees ffi.new() memory or runs an ffi.gc() destructor now; the cdata cannot be used afterwards. */
  release(cdata: CData): void {
    release(cdata);
  }

  /**
   * A hex dump of a cdata's memory with addresses, annotated per field (structs) or element
   * (arrays), padding marked: the layout, endianness and values at a glance. `bytes` shows more or
   * less (and is needed for a 'void *').
   */
  dump(cdata: CData, options?: { bytes?: number }): string {
    return dump(cdata, options);
  }

  /** errno as the last C call left it; assign to set it before the next call. */
  get errno(): number {
    return getErrno();
  }

  set errno(value: number) {
    if (!Number.isInteger(value)) throw new TypeError(`ffi.errno: expected an integer, got ${show(value)}`);
    // errno is a C int: a larger value would be cut to its low 32 bits (2 ** 40 would become 0)
    if (value < -(2 ** 31) || value >= 2 ** 31) throw new RangeError(`ffi.errno: ${show(value)} does not fit in 'int' (-2147483648 to 2147483647)`);
    setErrno(value);
  }
}


/** Refuses a type that mentions one whose layout waits for verify(), with the reason. */
function usable(t: CType, fn: string): CType {
  const p = settledPending(t);
  if (p) throw new FFIError(`${fn}('${t.cname}'): ${pendingReason(p)}`);
  return t;
}

/** A registry holding `decls` (already checked elsewhere), for generators that read one. */
function declarationsRegistry(decls: readonly Decl[]): Registry {
  const r = new Registry();
  for (const d of decls) r.declare(d, true);
  return r;
}

// util.inspect of a cdata: its repr, then the values of memory node-cffi owns (fields, elements).
// Defined here, not in cdata/base.ts, which dump.ts depends on through classes.ts.
Object.defineProperty(CData.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: CData, depth: number, options: object, inspect: (v: unknown, o?: object) => string): string {
    return inspectCData(this, depth, options as Parameters<typeof inspectCData>[2], inspect);
  },
  configurable: true,
  writable: true,
});
