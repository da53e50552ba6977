// Calls into C: one generated JavaScript function per C signature, checking and converting arguments and results.
import { types } from 'util';
import { FFIError, RangeError, show, TypeError } from '../errors';
import { CType, FunctionType, PointerType, StructType, arrayOf, isCharLike, isCType } from '../ctype/model';
import { RawFunction, functionAt, variadicSpec } from '../backend/calls';
import { byValueRefusal } from '../backend/byvalue';
import { GUARDING, IN_CALL, REFUSED, SYNC, WAIT_MS, labelId, takeRefusals } from '../backend/threadguard';
import { ADDR, CData, LEN, MEM, OFF, OWN, TYPE, isCData } from './base';
import { EnumValue } from './scalar';
import { CallbackOptions, registerTrampoline, Trampoline } from './callback';
import { CALLING, classOf, ownMemory, useFunctionPointers, wrapPointer } from './classes';
import { writeArray } from './access';
import { wideCodes } from './layout';
import { ScalarType, fastCheck, fromC_f80, fromC_wchar, isWideChar, reprOf, toCScalar, toC_f80 } from './convert';
import { Address, Hold, Memory, NO_MEMORY, NOWHERE, addressHex, allocate, placeable, toAddress } from './memory';
import { fitsJsMemory, passable, standIn, toCPointer } from './pointers';
import { fromKoffiRecord, newStruct, toCStructAddress, toKoffiRecord } from './records';

/**
 * Shared by the functions of one library (or one callback, or the function pointers taken from a
 * library: their Memory): once `why` is set (closed), calls throw it instead of jumping into
 * unmapped code.
 */
export interface CallGuard {
  readonly why: string;
}

// ---------------------------------------------------------------------------------------------
// Calls in flight: .async calls until they settle (a library waits for them before it unloads).

const inFlight = new Map<CallGuard, number>();
const idleWaiters = new Set<{ readonly guards: readonly CallGuard[]; readonly then: () => void }>();

/** A use of the library behind `g` begins that must end before it unloads (an .async call, a C destructor waiting for the collector). */
export function began(g: CallGuard): void {
  inFlight.set(g, (inFlight.get(g) ?? 0) + 1);
}

/** A use begun with began(g) has ended. */
export function settled(g: CallGuard): void {
  const n = (inFlight.get(g) ?? 1) - 1;
  if (n > 0) {
    inFlight.set(g, n);
    return;
  }
  inFlight.delete(g);
  for (const w of idleWaiters) {
    if (w.guards.every((x) => !inFlight.has(x))) {
      idleWaiters.delete(w);
      w.then();
    }
  }
}

/** How many .async calls made through these guards have not settled yet. */
export function callsInFlight(guards: readonly CallGuard[]): number {
  let n = 0;
  for (const g of guards) n += inFlight.get(g) ?? 0;
  return n;
}

/** Runs `then` once no .async call made through these guards is in flight (now, if none is). */
export function whenSettled(guards: readonly CallGuard[], then: () => void): void {
  if (callsInFlight(guards) === 0) then();
  else idleWaiters.add({ guards, then });
}

/** What a caller needs besides the signature. */
export interface CallTarget {
  /** The koffi function for the C function (or its wrapper). */
  readonly raw: RawFunction;
  /** The wrapper's own type when it takes by-value structs by pointer (see codegen/glue.ts). */
  readonly lowered: FunctionType | null;
  /** Resolves the type names of variadic arguments (`['long', 5]`). */
  readonly resolveType: (text: string) => CType;
  /** Why no call can be made (an FFIError's message), refused before the arguments are looked at. */
  readonly refusal?: string;
  /** For a library's functions: the library, which the pointers they return (and read from the structs they return) keep loaded; see Hold. */
  readonly results?: Hold;
}

/** A C function as JavaScript sees it: call it, or `.async(...)` it on a worker thread. */
export type Caller = ((...args: unknown[]) => unknown) & { async: (...args: unknown[]) => Promise<unknown> };

// ---------------------------------------------------------------------------------------------
// Argument values: what a pointer parameter takes besides a cdata (lists, strings, JS memory).

/**
 * A pointer argument: a cdata of a fitting type, null, JS memory that koffi passes by address, a
 * string (UTF-8 and NUL-terminated for a char or void pointer, UTF-16/32 for a wide character
 * pointer), or a list, which becomes a temporary C array of the items (as CFFI's `T *` parameters
 * take a list) that lives for the call.
 */
function toCPointerArgument(t: PointerType, value: unknown, where: string): unknown {
  if (typeof value === 'string') {
    const item = t.item;
    if (isCharLike(item) || item.kind === 'void') return value; // koffi makes a NUL-terminated UTF-8 copy for the call
    if (isWideChar(item)) return temporaryArray(t, value, where);
    throw new TypeError(`${where}: a string can only be passed as a char, wide character or void pointer, not as '${t.cname}'`);
  }
  if (Array.isArray(value)) return temporaryArray(t, value, where);
  if (value !== null && typeof value === 'object' && !isCData(value) && (ArrayBuffer.isView(value) || types.isArrayBuffer(value))) {
    if (fitsJsMemory(t, value)) return value;
    throw new TypeError(`${where}: a ${show(value)} does not hold '${t.item.cname}' items for '${t.cname}'`);
  }
  return toCPointer(t, value, where);
}

/**
 * The C array of `t`'s items that a list (or a wide string, NUL added) stands for, initialised as
 * `ffi.new('T[]', value)` would be, as the bytes koffi passes by address. It lives as long as the
 * typed array does, which the call holds (its argument) until C returns.
 */
function temporaryArray(t: PointerType, value: unknown[] | string, where: string): Uint8Array {
  const item = t.item;
  if (item.kind === 'void' || item.kind === 'function' || item.size <= 0) {
    throw new TypeError(`${where}: a list cannot be passed as '${t.cname}' (no C array of '${item.cname}' items); pass a cdata`);
  }
  const n = typeof value === 'string' ? wideCodes(value, item.size).length + 1 : value.length;
  const bytes = n * item.size;
  const b = allocate(bytes, item.align);
  writeArray(arrayOf(item, null), b.memory.v, b.offset, value, where, n);
  return new Uint8Array(b.memory.v.buffer, b.memory.v.byteOffset + b.offset, bytes);
}

/**
 * A function pointer argument: a function pointer cdata, null, or a plain JavaScript function,
 * which becomes a callback valid for this call only (released in `temps` when the call is over;
 * use ffi.callback() for a function C keeps).
 */
function toCFunctionArgument(t: PointerType, value: unknown, where: string, temps: unknown[]): unknown {
  if (typeof value === 'function' && !isCData(value) && standIn(value) === undefined) {
    const tramp = registerTrampoline(t.item as FunctionType, value as (...a: unknown[]) => unknown, {}, `a callback passed as ${where}`);
    temps.push(tramp);
    return tramp.address;
  }
  return toCPointer(t, value, where);
}

/**
 * The address of a long double argument for a wrapper that takes it by pointer: the value (a
 * number, or an integer bigint the long double holds exactly) written to a block of its own, which
 * `keep` holds until the call is over.
 */
function toCLongDoubleAddress(t: ScalarType, value: unknown, where: string, keep: unknown[]): number {
  const v = typeof value === 'number' ? value : (toCScalar(t, value, where) as number | bigint);
  const b = allocate(16, 16);
  toC_f80(b.memory.v, b.offset, v);
  keep.push(b);
  return b.address;
}

/** Frees the per-call callbacks of a finished call. */
function releaseTemporaries(temps: unknown[]): void {
  for (const t of temps) if (!isCData(t)) (t as Trampoline).release(); // the others are struct copies, freed by GC
}

function noAsync(label: string): FFIError {
  return new FFIError(`${label}.async(): koffi cannot call variadic functions on a worker thread; call it synchronously`);
}

/** The pointer a C function returned (koffi gives it as intptr_t), as a cdata (null for NULL). Never throws: C has run. */
function fromCPointer(t: PointerType, r: number | bigint): CData | null {
  return wrapPointer(t, typeof r === 'bigint' ? toAddress(r) : r);
}

/** fromCPointer for a library's function: the cdata keeps the library loaded (see Hold). */
function fromLibraryPointer(t: PointerType, r: number | bigint, results: Hold): CData | null {
  return wrapPointer(t, typeof r === 'bigint' ? toAddress(r) : r, null, results);
}

/** Whether a value of type `t` holds a pointer (a struct or union member, an array element, at any depth). */
function hasPointers(t: CType): boolean {
  if (t.kind === 'pointer') return true;
  if (t.kind === 'array') return hasPointers(t.item);
  if (t.kind === 'struct' || t.kind === 'union') return (t.fields ?? []).some((f) => hasPointers(f.type));
  return false;
}

/** A struct or union a library's function returned: the pointers read from it keep the library loaded (see Hold). */
function fromLibraryRecord(c: CData, results: Hold): CData {
  ownMemory(c).holds = results;
  return c;
}

/**
 * The koffi type/value pairs of the arguments past a variadic function's fixed ones. Each must
 * carry its C type, since a number's is ambiguous: a cdata (pointers as 'void *'), a string (as
 * 'const char *'), an enum value from ffi.cast, a boolean (as 'int'), a bigint (as a 64-bit
 * integer), null (NULL), or a pair `[type, value]` such as `['int', 42]` or `['double', 2.5]`.
 */
function variadicArguments(args: IArguments, from: number, label: string, resolve: (text: string) => CType): unknown[] {
  const out: unknown[] = [];
  for (let i = from; i < args.length; i++) {
    const v: unknown = args[i];
    const where = `${label} argument ${i + 1} (variadic)`;
    if (Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || isCType(v[0]))) {
      const t = typeof v[0] === 'string' ? resolve(v[0]) : (v[0] as CType);
      out.push(...typedVariadic(t, v[1], where));
    } else if (typeof v === 'string') {
      out.push('const char *', v);
    } else if (v !== null && isCData(v) && ((v as CData)[TYPE].kind === 'struct' || (v as CData)[TYPE].kind === 'union')) {
      out.push(...typedVariadic((v as CData)[TYPE], v, where));
    } else if (v === null || isCData(v)) {
      if (v !== null && (v as CData)[TYPE].kind !== 'pointer' && (v as CData)[TYPE].kind !== 'array') {
        throw new TypeError(`${where}: ${show(v)} cannot pass through '...'; pass a pointer to it (ffi.addressof)`);
      }
      out.push('void *', v === null ? null : passable(v as CData, where));
    } else if (v instanceof EnumValue) {
      out.push(...typedVariadic(v.type, v.value, where));
    } else if (typeof v === 'boolean') {
      out.push('int', v ? 1 : 0);
    } else if (typeof v === 'bigint') {
      if (v < -(2n ** 63n) || v >= 2n ** 64n) throw new RangeError(`${where}: ${v}n does not fit in 64 bits`);
      out.push(v < 0n ? 'int64_t' : 'uint64_t', v);
    } else if (typeof v === 'number') {
      throw new TypeError(
        `${where}: the C type of a number passed through '...' is ambiguous; ` +
          `write ['int', ${v}] or ['double', ${v}] (any C type: ['long', n], ['unsigned int', n], ...)`,
      );
    } else {
      throw new TypeError(`${where}: ${show(v)} cannot pass through '...'`);
    }
  }
  return out;
}


/** One typed variadic argument, after C's default argument promotions (float → double, small ints → int). */
function typedVariadic(t: CType, value: unknown, where: string): unknown[] {
  switch (t.kind) {
    case 'primitive':
    case 'enum': {
      const v = toCScalar(t, value, where);
      const repr = reprOf(t);
      if (repr === 'f32' || repr === 'f64') return ['double', v];
      if (repr === 'f80') throw new TypeError(`${where}: a 'long double' cannot pass through '...' (koffi has no long double); pass a pointer to it`);
      if (repr === 'i64' || repr === 'u64') return [variadicSpec(t, where), v];
      if (repr === 'bool') return ['int', v ? 1 : 0];
      return ['int', Number(v)]; // promoted: the callee reads an int (or unsigned int: same bits)
    }
    case 'pointer':
      return [variadicSpec(t, where), toCPointerArgument(t, value, where)];
    case 'struct':
    case 'union':
      return [structVariadicSpec(t, where), toKoffiRecord(t, value, where)];
    default:
      throw new TypeError(`${where}: a '${t.cname}' cannot pass through '...'`);
  }
}

/**
 * koffi's record type for a struct passed by value through '...' (as CFFI passes one through libffi),
 * or the FFIError (CFFI's NotImplementedError) for the structs whose C layout it cannot reproduce:
 * declared with '...;' (the calling convention may depend on the fields left out), unions, bit-fields.
 */
function structVariadicSpec(t: StructType, where: string): unknown {
  if (t.partial) {
    throw new FFIError(
      `${where}: '${t.cname}' is declared with '...;', and the C calling convention may depend on the fields the cdef leaves out, ` +
        'so it cannot pass by value through a variadic call; pass a pointer to it',
    );
  }
  try {
    return variadicSpec(t, where);
  } catch (e) {
    if (e instanceof globalThis.TypeError) throw new FFIError(`${e.message.replace(/; use verify\(\).*$/, '')}, so it cannot pass through a variadic call; pass a pointer to it`);
    throw e;
  }
}

/** The most extra arguments koffi passes to a variadic function with `fixed` parameters: 64 values, two per extra (type, value). */
export function maxVariadic(fixed: number): number {
  return Math.floor((KOFFI_MAX_VALUES - fixed) / 2);
}
const KOFFI_MAX_VALUES = 64;

function tooManyVariadic(label: string, fixed: number, extra: number): RangeError {
  return new RangeError(
    `${label}: ${extra} arguments after the fixed ones is more than can be passed through '...' here: at most ${maxVariadic(fixed)} ` +
      `(koffi passes a variadic call 64 values: the ${fixed} fixed arguments and a type and a value for each extra one)`,
  );
}

/**
 * Warns that callbacks C's own threads called during the synchronous call that just returned were
 * refused (see backend/threadguard.ts), naming the call and the way out.
 */
function reportRefusals(): void {
  const { count, call, callback } = takeRefusals();
  const name = call.replace(/\(\)$/, '');
  process.emitWarning(
    `${callback} was called ${count === 1 ? 'once' : `${count} times`} by a thread of C's own while the JavaScript thread was inside ` +
      `the synchronous call ${call}; node-cffi runs such callbacks on the event loop, which cannot turn before ${call} returns ` +
      `(and waiting would hang if ${call} waits for that thread), so after ${WAIT_MS} ms it gave C the callback's error value ` +
      `instead of running it. Call ${/^[A-Za-z_$][\w$]*$/.test(name) ? `${name}.async(...)` : `${call} with .async(...)`}: ` +
      'the call then runs on a worker thread and callbacks from any thread run on the event loop.',
    'CallbackError',
  );
}

function closedError(g: CallGuard, label: string): FFIError {
  return new FFIError(`${label}: ${g.why}`);
}

function arityError(label: string, want: number, got: number, variadic: boolean): TypeError {
  const count = `${variadic ? 'at least ' : ''}${want} argument${want === 1 ? '' : 's'}`;
  return new TypeError(`${label}: expected ${count}, got ${got}`);
}

const runtime = {
  MEM, ADDR, TYPE, fromC_wchar, toCScalar, toCPointerArgument, toCFunctionArgument, toCStructAddress, toKoffiRecord, fromKoffiRecord, fromCPointer, fromLibraryPointer, fromLibraryRecord,
  newStruct, releaseTemporaries, variadicArguments, closedError, arityError, noAsync, tooManyVariadic, began, settled,
  SYNC, reportRefusals, toCLongDoubleAddress, allocate, fromC_f80,
};
const RUNTIME_NAMES = Object.keys(runtime);
const RUNTIME_VALUES = Object.values(runtime);

type Factory = (...args: unknown[]) => Caller;
/** Compiled caller factories by source: signatures of the same shape share one (their constants differ). */
const factories = new Map<string, Factory>();

/** The pieces of a generated caller: argument conversions, the raw call, and the result conversion. */
interface Plan {
  readonly params: string[];
  readonly checks: string[];
  readonly callArgs: string[];
  readonly prelude: string[];
  readonly temps: boolean;
  readonly transient: boolean;
  readonly result: (call: string) => string;
}

function plan(
  label: string, t: FunctionType, argNames: readonly (string | null)[], lowered: FunctionType | null, results: Hold | undefined, k: unknown[],
): Plan {
  const c = (x: unknown): string => `k[${k.push(x) - 1}]`;
  const params = t.args.map((_, i) => `a${i}`);
  const checks: string[] = [];
  const prelude: string[] = [];
  let temps = false;
  let transient = false;
  t.args.forEach((a, i) => {
    const v = `a${i}`;
    const where = c(`${label} argument ${i + 1}${argNames[i] ? ` ('${argNames[i]}')` : ''}`);
    switch (a.kind) {
      case 'primitive':
      case 'enum': {
        if (a.kind === 'primitive' && a.repr === 'f80' && lowered) {
          // long double: a wrapper takes it by pointer (see codegen/glue.ts); koffi has none.
          temps = true;
          checks.push(`${v} = toCLongDoubleAddress(${c(a)}, ${v}, ${where}, temps);`);
          break;
        }
        // A wide character is a string in JavaScript: always converted to its code.
        const fast = isWideChar(a) ? 'false' : fastCheck(reprOf(a as ScalarType), v);
        checks.push(`if (!(${fast})) ${v} = toCScalar(${c(a)}, ${v}, ${where});`);
        break;
      }
      case 'pointer':
        // Fast path: a cdata of exactly this type in memory that cannot go away under C ([MEM].ok).
        if (a.item.kind === 'function') {
          temps = transient = true;
          checks.push(`${v} = ${v} != null && ${v}[TYPE] === ${c(a)} && ${v}[MEM].ok ? ${v}[ADDR] : toCFunctionArgument(${c(a)}, ${v}, ${where}, temps);`);
        } else {
          checks.push(`${v} = ${v} != null && ${v}[TYPE] === ${c(a)} && ${v}[MEM].ok ? ${v}[ADDR] : toCPointerArgument(${c(a)}, ${v}, ${where});`);
        }
        break;
      case 'struct':
      case 'union':
        if (lowered) {
          temps = true;
          checks.push(`${v} = toCStructAddress(${c(a)}, ${v}, ${where}, temps);`);
        } else {
          checks.push(`${v} = toKoffiRecord(${c(a)}, ${v}, ${where});`);
        }
        break;
      default:
        throw new TypeError(`${label}: parameters of type '${a.cname}' are not supported`);
    }
  });
  const callArgs = [...params];
  const r = t.result;
  let result: (call: string) => string;
  if ((r.kind === 'struct' || r.kind === 'union') && lowered) {
    prelude.push(`const ret = newStruct(${c(r)});`);
    callArgs.unshift('ret[ADDR]');
    result = results && hasPointers(r) ? (call) => `(${call}, fromLibraryRecord(ret, ${c(results)}))` : (call) => `(${call}, ret)`;
  } else if (r.kind === 'primitive' && r.repr === 'f80' && lowered) {
    // The wrapper stores the long double through a leading pointer; JavaScript reads the nearest double.
    prelude.push('const ld = allocate(16, 16);');
    callArgs.unshift('ld.address');
    result = (call) => `(${call}, fromC_f80(ld.memory.v, ld.offset))`;
  } else if (r.kind === 'struct' || r.kind === 'union') {
    result = results && hasPointers(r)
      ? (call) => `fromLibraryRecord(fromKoffiRecord(${c(r)}, ${call}), ${c(results)})`
      : (call) => `fromKoffiRecord(${c(r)}, ${call})`;
  } else if (r.kind === 'pointer') {
    result = results ? (call) => `fromLibraryPointer(${c(r)}, ${call}, ${c(results)})` : (call) => `fromCPointer(${c(r)}, ${call})`;
  } else if (isWideChar(r)) {
    result = (call) => `fromC_wchar(${call}, ${r.size}, ${c(`${label}: the result`)})`;
  } else {
    result = (call) => call;
  }
  return { params, checks, callArgs, prelude, temps, transient, result };
}

/**
 * A JavaScript function calling C function `t` through `target` (a koffi binding), named `label`
 * in messages ('add()', "'int(*)(int, int)'"). It checks the argument count, converts each
 * argument as C would, refusing what does not fit (TypeError / RangeError naming the argument),
 * turns pointer results into cdata and struct results into owned struct cdata. Its `.async`
 * makes the same call on a worker thread and returns a Promise; the arguments stay alive until
 * the Promise settles.
 */
export function makeCaller(label: string, t: FunctionType, argNames: readonly (string | null)[], target: CallTarget, guard: CallGuard): Caller {
  if (target.refusal !== undefined) return refusingCaller(label, target.refusal);
  const k: unknown[] = [];
  const p = plan(label, t, argNames, target.lowered, target.results, k);
  const n = p.params.length;
  const L = JSON.stringify(label);
  const arity = t.ellipsis
    ? `if (arguments.length < ${n}) throw arityError(${L}, ${n}, arguments.length, true);\n  ` +
      `if (arguments.length - ${n} > ${maxVariadic(n)}) throw tooManyVariadic(${L}, ${n}, arguments.length - ${n});`
    : `if (arguments.length !== ${n}) throw arityError(${L}, ${n}, arguments.length, false);`;
  const va = t.ellipsis ? `const va = variadicArguments(arguments, ${n}, ${L}, resolveType);` : '';
  const args = [...p.callArgs, ...(t.ellipsis ? ['...va'] : [])].join(', ');
  const headOf = (held: string, converted: string) =>
    [arity, held, `if (guard.why !== '') throw closedError(guard, ${L});`, p.temps ? 'const temps = [];' : '', ...p.checks, converted, va, ...p.prelude]
      .filter(Boolean)
      .join('\n  ');
  // For .async, the arguments as given (cdata, callbacks, buffers) and as converted (the temporary
  // arrays lists become) stay referenced until the call settles: the garbage collector must not
  // free memory, run an ffi.gc destructor or free a callback C is using meanwhile.
  const head = headOf('', '');
  const asyncHead = headOf(`const held = [${p.params.join(', ')}];`, n > 0 ? `held.push(${p.params.join(', ')});` : '');
  // While C runs, SYNC[IN_CALL] names this call: callbacks from C's own threads then know the
  // event loop cannot turn (backend/threadguard.ts); after it, any they were refused is reported.
  // Until a callback exists (SYNC[GUARDING]), none can meet the call: it is made plainly.
  const plainCall = p.transient
    ? `try { return ${p.result(`raw(${args})`)}; } finally { releaseTemporaries(temps); }`
    : `return ${p.result(`raw(${args})`)};`;
  const syncCall =
    `if (SYNC[${GUARDING}] === 0) { ${plainCall} }\n  ` +
    `const outer = SYNC[${IN_CALL}]; SYNC[${IN_CALL}] = ${labelId(label)};\n  ` +
    `try { return ${p.result(`raw(${args})`)}; } finally { SYNC[${IN_CALL}] = outer; if (SYNC[${REFUSED}] !== 0) reportRefusals();` +
    `${p.transient ? ' releaseTemporaries(temps);' : ''} }`;
  const done = `settled(guard); held.length = 0; ${p.transient ? 'releaseTemporaries(temps);' : p.temps ? 'void temps;' : ''}`;
  const asyncCall =
    `if (raw.async === undefined) throw noAsync(${L});\n  ` +
    `return new Promise((resolve, reject) => {\n` +
    `    began(guard);\n` +
    `    try {\n` +
    `      raw.async(${args}${args ? ', ' : ''}(err, r) => {\n` +
    `        ${done}\n` +
    `        if (err) reject(err); else { try { resolve(${p.result('r')}); } catch (e) { reject(e); } }\n` +
    `      });\n` +
    `    } catch (e) { ${done} reject(e); }\n` +
    `  });`;
  // The C name is given to the functions after they are made, never written into their source: a
  // C function may be named like a JavaScript keyword ('delete', 'new') or like a name the
  // caller's body uses ('raw', 'guard'), which a named function expression would shadow.
  const name = /^[A-Za-z_$][\w$]*$/.test(label.replace(/\(\)$/, '')) ? label.replace(/\(\)$/, '') : 'cfunction';
  const source =
    `const f = function (${p.params.join(', ')}) {\n  ${head}\n  ${syncCall}\n};\n` +
    `f.async = async function (${p.params.join(', ')}) {\n  ${asyncHead}\n  ${asyncCall}\n};\n` +
    `return f;`;
  let factory = factories.get(source);
  if (!factory) {
    factory = new Function('raw', 'guard', 'k', 'resolveType', ...RUNTIME_NAMES, source) as Factory;
    factories.set(source, factory);
  }
  const f = factory(target.raw, guard, k, target.resolveType, ...RUNTIME_VALUES);
  callerTypes.set(f, t);
  const params = p.params.join(', ');
  for (const [fn, n] of [[f, name], [f.async, `${name}_async`]] as const) {
    Object.defineProperty(fn, 'name', { value: n });
    Object.defineProperty(fn, 'toString', { value: () => `function ${n}(${params}) { [native code] }`, configurable: true });
  }
  return f;
}

/** The C function type of each caller made (library functions: what ffi.typeof() says of them). */
const callerTypes = new WeakMap<object, FunctionType>();

/** The C function type a library function calls, or undefined for anything else. */
export function callerType(f: unknown): FunctionType | undefined {
  return typeof f === 'function' ? callerTypes.get(f) : undefined;
}

/** A caller whose every call (and .async call) is an FFIError with `message`, as CFFI's NotImplementedError. */
function refusingCaller(label: string, message: string): Caller {
  const name = /^[A-Za-z_$][\w$]*$/.test(label.replace(/\(\)$/, '')) ? label.replace(/\(\)$/, '') : 'cfunction';
  const f = function (): never {
    throw new FFIError(message);
  };
  const async = async (): Promise<never> => {
    throw new FFIError(message);
  };
  Object.defineProperty(f, 'name', { value: name });
  Object.defineProperty(async, 'name', { value: `${name}_async` });
  return Object.assign(f, { async });
}

/**
 * Why a call through a function pointer of type `t` cannot be made (koffi passes and returns
 * structs and unions by value itself, and not every one as C does), or undefined when it can.
 */
function byValueCallRefusal(t: PointerType): string | undefined {
  const f = t.item as FunctionType;
  const why = (x: CType): string | null => ((x.kind === 'struct' || x.kind === 'union') && x.fields !== null ? byValueRefusal(x) : null);
  const say = (x: CType, as: string, reason: string) =>
    `'${t.cname}': ctype '${x.cname}' not supported as ${as} of a call through a function pointer: ${reason}, so koffi cannot pass it as C does; ` +
    "declare the function in a verify() library's cdef and call it there (its wrapper passes it by pointer)";
  for (let i = 0; i < f.args.length; i++) {
    const reason = why(f.args[i]);
    if (reason !== null) return say(f.args[i], `argument ${i + 1}`, reason);
  }
  const reason = why(f.result);
  return reason === null ? undefined : say(f.result, 'return value', reason);
}

/** Types named in variadic pairs, for function pointers made without a library (no typedefs known). */
function noTypedefs(text: string): CType {
  throw new TypeError(`variadic argument type '${text}': pass a ctype (ffi.typeof('${text}')) when calling through a function pointer`);
}

/**
 * How a function pointer whose C function node-cffi generated (an extern "Python" function) is
 * called from JavaScript: through the function's wrapper, which passes structs, unions and long
 * doubles by pointer, with the function's name and parameter names in messages.
 */
export interface Through extends CallTarget {
  readonly label: string;
  readonly argNames: readonly (string | null)[];
}

/**
 * A function pointer cdata: a JavaScript function calling the C function at `address`, which is
 * also a cdata of pointer type `t` (`ffi.cast`, passed to C, compared, released). `guard` is the
 * Memory it answers to (its library's, its callback's): once closed, calls are refused. An address
 * that cannot hold code (the first page, a negative or tagged address) is a valid cdata that
 * refuses to be called. With `through`, calls go through another function than the address itself.
 */
export function makeFunctionPointer(t: PointerType, address: Address, guard: Memory = NOWHERE, through?: Through): CData {
  const f = t.item as FunctionType;
  const refusal = through ? undefined : byValueCallRefusal(t);
  const target: CallTarget = through ?? {
    raw: refusal === undefined && placeable(address) ? callableAt(t, address) : notCode(t, address),
    lowered: null,
    resolveType: noTypedefs,
    refusal,
  };
  const callable = makeCaller(through?.label ?? `'${t.cname}'`, f, through?.argNames ?? [], target, guard);
  // The cdata fields, defined (not assigned: the cdata prototype chain ends in a Proxy that refuses unknown names).
  const fields = [[MEM, guard], [ADDR, address], [OFF, 0], [LEN, 0], [OWN, 0]] as const;
  for (const [key, value] of fields) Object.defineProperty(callable, key, { value, writable: true, enumerable: false });
  // A function pointer prints as the cdata it is (its class's toString), not as a library function.
  delete (callable as { toString?: unknown }).toString;
  Object.setPrototypeOf(callable, classOf(t).prototype);
  return callable as unknown as CData;
}

/** koffi's function for the code at `address`; one whose type koffi cannot call (a long double) refuses each call instead, with the reason. */
function callableAt(t: PointerType, address: Address): RawFunction {
  try {
    return functionAt(address as number, t.item as FunctionType);
  } catch (e) {
    if (!(e instanceof globalThis.TypeError)) throw e;
    const message = e.message;
    const refuse = (): never => {
      throw new TypeError(message);
    };
    return Object.assign(refuse, { async: refuse });
  }
}

/** The raw function of a function pointer whose address cannot be code: calling it (or .async) is refused before any C runs. */
function notCode(t: PointerType, address: Address): RawFunction {
  const refuse = (): never => {
    throw new RangeError(
      `'${t.cname}' at ${addressHex(address)}: not a callable address (the first page, a sentinel such as (void *)-1, ` +
        'a kernel-space or a tagged address); such a pointer can be compared, cast and passed to C, not called',
    );
  };
  return Object.assign(refuse, { async: refuse });
}

useFunctionPointers((t, address, guard) => makeFunctionPointer(t, address, guard ?? NOWHERE));

/** A callback and the function pointer cdata C calls it through; its guard closes when it is released. */
export interface CallbackCData {
  readonly cdata: CData;
  readonly trampoline: Trampoline;
  /** Closed when the callback is released: its casts and copies refuse to be called from then on. */
  readonly guard: Memory;
}

/** ffi.callback: registers `fn` as a C function of pointer type `t` and gives the function pointer cdata. */
export function callbackCData(t: PointerType, fn: (...args: unknown[]) => unknown, options: CallbackOptions, label: string): CallbackCData {
  const trampoline = registerTrampoline(t.item as FunctionType, fn, options, label);
  const guard = functionGuard(null);
  const cdata = makeFunctionPointer(t, trampoline.address, guard);
  Object.defineProperty(cdata, CALLING, { value: fn }); // its repr names the function it calls
  return { cdata, trampoline, guard };
}

/** A Memory for function pointers that answer to something (a callback, a library), which closes it. */
export function functionGuard(keep: unknown): Memory {
  return new Memory('guarded', NO_MEMORY, 0, 0, keep, null, false, false);
}
