// Calls into C: one generated JavaScript function per C signature, checking and converting arguments and results (the conversions: arguments.ts); calls in flight; callable function pointers.
import { FFIError, RangeError, TypeError } from '../errors';
import { CType, FunctionType, PointerType } from '../ctype/model';
import { RawFunction, functionAt } from '../backend/calls';
import { byValueRefusal } from '../backend/byvalue';
import { codeEpoch, isCode } from '../backend/image';
import { GUARDING, IN_CALL, REFUSED, SYNC, WAIT_MS, labelId, takeRefusals } from '../backend/threadguard';
import { Urgency, countAsyncCall, guardEnding } from '../backend/ending';
import { getErrno, setErrno } from '../backend/koffi';
import { ADDR, CData, LEN, MEM, OFF, OWN, TYPE, isCData } from './base';
import { CallbackOptions, callbacksRunning, registerTrampoline, Trampoline } from './callback';
import { CALLING, classOf, useFunctionPointers } from './classes';
import { ScalarType, fastCheck, fromC_f80, fromC_wchar, fromKoffi64, isWideChar, reprOf, toCScalar } from './convert';
import { Address, Hold, Memory, NO_MEMORY, NOT_CODE, NOWHERE, addressHex, allocate, placeable } from './memory';
import {
  fromCPointer, fromLibraryPointer, fromLibraryRecord, hasPointers, maxVariadic, releaseTemporaries, toCFunctionArgument, toCLongDoubleAddress,
  toCPointerArgument, tooManyVariadic, variadicArguments,
} from './arguments';
import { fromKoffiRecord, newStruct, recordFiller, toCStructAddress, toKoffiRecord } from './records';

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

/**
 * What the arguments of .async calls in flight refer to (their cdata, and the memory those own),
 * with how many such calls hold each: ffi.release() refuses them until the calls settle, since C
 * may still read or write them. (Slab memory is shared by small allocations and never freed by a
 * release: not held.)
 */
const pinned = new Map<object, number>();

function pinKeys(c: CData): object[] {
  const m = c[MEM];
  return m.kind === 'slab' ? [c] : [c, m];
}

/** How many .async calls have begun and not settled: while any has, the process's ending does not wait for them (backend/ending.ts). */
let asyncInFlight = 0;

/**
 * How the process must end, were it ending now: as Node ends it when no .async call is in flight;
 * at once from a callback that runs outside any synchronous call (koffi relayed it from another
 * thread, which waits for its result: a worker thread, that Node's ending would join); otherwise
 * after a grace period, for calls still in C to return.
 */
function endingUrgency(): Urgency {
  if (asyncInFlight === 0) return 'none';
  return callbacksRunning() > 0 && SYNC[IN_CALL] === 0 ? 'now' : 'grace';
}

/** The arguments of an .async call just begun (some are cdata) are held until unpinArguments(). */
export function pinArguments(held: readonly unknown[]): void {
  if (asyncInFlight++ === 0) guardEnding(endingUrgency);
  countAsyncCall(1);
  for (const x of held) if (isCData(x)) for (const k of pinKeys(x)) pinned.set(k, (pinned.get(k) ?? 0) + 1);
}

/** The call of pinArguments(held) has settled. */
export function unpinArguments(held: readonly unknown[]): void {
  asyncInFlight--;
  countAsyncCall(-1);
  for (const x of held) {
    if (!isCData(x)) continue;
    for (const k of pinKeys(x)) {
      const n = (pinned.get(k) ?? 1) - 1;
      if (n > 0) pinned.set(k, n);
      else pinned.delete(k);
    }
  }
}

/** Whether an .async call in flight holds `c` or the memory it refers to. */
export function heldByCallInFlight(c: CData): boolean {
  return pinned.size > 0 && (pinned.has(c) || pinned.has(c[MEM]));
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

function noAsync(label: string): FFIError {
  return new FFIError(`${label}.async(): koffi cannot call variadic functions on a worker thread; call it synchronously`);
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

/**
 * Settles an .async call's Promise in a microtask that first sets errno to what the call left on
 * its worker thread: koffi sets it only while its completion callback runs (when this is called),
 * and puts the thread's own back before an `await` of the Promise goes on.
 */
function settleWithErrno(settle: () => void): void {
  const left = getErrno();
  queueMicrotask(() => {
    setErrno(left);
    settle();
  });
}

function closedError(g: CallGuard, label: string): FFIError {
  return new FFIError(`${label}: ${g.why}`);
}

function arityError(label: string, want: number, got: number, variadic: boolean): TypeError {
  const count = `${variadic ? 'at least ' : ''}${want} argument${want === 1 ? '' : 's'}`;
  return new TypeError(`${label}: expected ${count}, got ${got}`);
}

const runtime = {
  MEM, ADDR, OFF, TYPE, fromC_wchar, fromKoffi64, toCScalar, toCPointerArgument, toCFunctionArgument, toCStructAddress, toKoffiRecord, fromKoffiRecord, fromCPointer, fromLibraryPointer, fromLibraryRecord,
  newStruct, releaseTemporaries, variadicArguments, closedError, arityError, noAsync, tooManyVariadic, began, settled, pinArguments, unpinArguments, settleWithErrno,
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
        } else if (a.fields !== null && byValueRefusal(a) === null) {
          // Fast path: a cdata of exactly this type in memory that can be read now ([MEM].ok), read by its compiled reader.
          const cond = `${v} != null && ${v}[TYPE] === ${c(a)} && ${v}[MEM].ok`;
          checks.push(`${v} = ${cond} ? ${c(recordFiller(a))}(${v}[MEM].v, ${v}[OFF], ${c({})}) : toKoffiRecord(${c(a)}, ${v}, ${where});`);
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
  } else if (r.kind === 'primitive' && r.repr === 'bool') {
    result = (call) => `(${call} !== 0)`; // koffi gives the byte (backend/calls.ts, resultSpec)
  } else if ((r.kind === 'primitive' || r.kind === 'enum') && (reprOf(r) === 'i64' || reprOf(r) === 'u64')) {
    result = (call) => `fromKoffi64(${call})`;
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
  const done = `settled(guard); unpinArguments(held); held.length = 0; ${p.transient ? 'releaseTemporaries(temps);' : p.temps ? 'void temps;' : ''}`;
  const asyncCall =
    `if (raw.async === undefined) throw noAsync(${L});\n  ` +
    `return new Promise((resolve, reject) => {\n` +
    `    began(guard);\n` +
    `    pinArguments(held);\n` +
    `    try {\n` +
    `      raw.async(${args}${args ? ', ' : ''}(err, r) => {\n` +
    `        ${done}\n` +
    `        settleWithErrno(() => { if (err) reject(err); else { try { resolve(${p.result('r')}); } catch (e) { reject(e); } } });\n` +
    `      });\n` +
    `    } catch (e) { ${done} reject(e); }\n` +
    `  });`;
  // f.async is defined, not assigned: V8 keeps a function assigned to a new property alive until a
  // full collection, and with it the caller's library and FFI (their types), which every
  // young-generation collection then copied.
  // The C name is given to the functions after they are made, never written into their source: a
  // C function may be named like a JavaScript keyword ('delete', 'new') or like a name the
  // caller's body uses ('raw', 'guard'), which a named function expression would shadow.
  const name = /^[A-Za-z_$][\w$]*$/.test(label.replace(/\(\)$/, '')) ? label.replace(/\(\)$/, '') : 'cfunction';
  const source =
    `const f = function (${p.params.join(', ')}) {\n  ${head}\n  ${syncCall}\n};\n` +
    `Object.defineProperty(f, 'async', { value: async function (${p.params.join(', ')}) {\n  ${asyncHead}\n  ${asyncCall}\n}, writable: true, enumerable: true, configurable: true });\n` +
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
  try {
    return builtinType(text);
  } catch {
    throw new TypeError(`type '${text}' is not one of C's own, which are all a call through a function pointer knows: pass a ctype (ffi.typeof('${text}'))`);
  }
}

/** A type name of C's own words ('int', 'const char *'), read by the facade's parser (useBuiltinTypes); none until it is given. */
let builtinType: (text: string) => CType = (text) => {
  throw new Error(`internal: no parser for '${text}' (useBuiltinTypes)`);
};

/** Gives function pointers the reader of type names that need no declarations, for their variadic arguments. */
export function useBuiltinTypes(read: (text: string) => CType): void {
  builtinType = read;
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
 * With `gate` (an ffi.gc() copy's own Memory), calls are refused once it closes too; the cdata's
 * memory is then the gate.
 */
export function makeFunctionPointer(t: PointerType, address: Address, guard: Memory = NOWHERE, through?: Through, gate?: Memory): CData {
  const f = t.item as FunctionType;
  // The caller is made when the pointer is first called from JavaScript: most function pointers
  // (callbacks, struct fields read, casts) are only handed to C, and making one costs microseconds.
  // The code epoch at which `address` was last found to hold code: checked again after a library is unloaded.
  let found = -1;
  const callable = through
    ? makeCaller(through.label, f, through.argNames, through, guard)
    : deferredCaller(f, () => {
      const refusal = byValueCallRefusal(t);
      const raw = refusal === undefined && placeable(address) ? callableAt(t, address) : notCode(t, address);
      return makeCaller(`'${t.cname}'`, f, [], { raw, lowered: null, resolveType: noTypedefs, refusal }, guard);
    }, () => {
      if (gate !== undefined && gate.why !== '') throw closedError(gate, `'${t.cname}'`);
      // A closed guard is the caller's to report (its library was closed, its callback released).
      if (found === codeEpoch || !placeable(address) || guard.why !== '') return;
      // A type koffi cannot call through is refused first, by the caller, whatever the address.
      if (!isCode(address) && byValueCallRefusal(t) === undefined) throw noCodeError(t, address);
      found = codeEpoch;
    });
  // The cdata fields, defined (not assigned: the cdata prototype chain ends in a Proxy that refuses unknown names).
  const fields = [[MEM, gate ?? guard], [ADDR, address], [OFF, 0], [LEN, 0], [OWN, 0]] as const;
  for (const [key, value] of fields) Object.defineProperty(callable, key, { value, writable: true, enumerable: false });
  // A function pointer prints as the cdata it is (its class's toString), not as a library function.
  delete (callable as { toString?: unknown }).toString;
  Object.setPrototypeOf(callable, classOf(t).prototype);
  return callable as unknown as CData;
}

/**
 * A caller of C function type `t` that `make`s the real one at its first call (or .async call) and
 * forwards to it, after `check` (which throws to refuse the call) when there is one.
 */
function deferredCaller(t: FunctionType, make: () => Caller, check?: () => void): Caller {
  let real: Caller | undefined;
  const f = function (this: unknown, ...args: unknown[]): unknown {
    check?.();
    return (real ??= make()).apply(this, args);
  };
  const async = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    try {
      check?.();
      return (real ??= make()).async.apply(this, args);
    } catch (e) {
      return Promise.reject(e);
    }
  };
  Object.defineProperty(f, 'name', { value: 'cfunction' });
  Object.defineProperty(async, 'name', { value: 'cfunction_async' });
  callerTypes.set(f, t);
  return Object.assign(f, { async });
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

/** The error for a call through a function pointer whose address no executable mapping holds. */
function noCodeError(t: PointerType, address: number): RangeError {
  return new RangeError(`'${t.cname}' at ${addressHex(address)}: no code there: ${NOT_CODE}; such a pointer can be compared, cast and passed to C, not called`);
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
  // koffi's registration reaches fn weakly: the cdata holds it (CALLING), so that a function whose
  // closure holds its own callback lets both be collected, as CFFI collects them.
  const trampoline = registerTrampoline(t.item as FunctionType, fn, options, label, null, true);
  const guard = functionGuard(null);
  const cdata = makeFunctionPointer(t, trampoline.address, guard);
  Object.defineProperty(cdata, CALLING, { value: fn }); // its repr names the function it calls; it keeps fn alive
  return { cdata, trampoline, guard };
}

/** A Memory for function pointers that answer to something (a callback, a library), which closes it. */
export function functionGuard(keep: unknown): Memory {
  return new Memory('guarded', NO_MEMORY, 0, 0, keep, null, false, false);
}
