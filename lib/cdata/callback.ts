// Calls out of C: JavaScript functions behind C function pointers (trampolines, generated per signature), their conversions and lifetime.
import { checkOptions, FFIError, show, TypeError } from '../errors';
import { CType, FunctionType } from '../ctype/model';
import { Repr, isComplexRepr } from '../ctype/primitives';
import { registerCallback, unregisterCallback } from '../backend/calls';
import { ErrorBits, guardCallback } from '../backend/threadguard';
import { MEM, OFF, releasedNames } from './base';
import { pointerMaker } from './classes';
import { writeAt } from './access';
import { ScalarType, fastCheck, fromC_f80, fromC_wchar, fromKoffi64, isWideChar, reprOf, toCScalar, toC_f80 } from './convert';
import { Address, placeRaw, toAddress } from './memory';
import { toCPointer } from './pointers';
import { fromKoffiRecord, newStruct, toKoffiRecord } from './records';
import { toJs } from '../ctype/declarations';

export interface CallbackOptions {
  /** What C receives when the function throws (default: 0, false or NULL, as the result type has it). */
  error?: unknown;
  /** Called with the error when the function throws; a value it returns (not undefined) is what C receives. */
  onerror?: (error: unknown) => unknown;
}

const CALLBACK_OPTION_NAMES: Readonly<Record<keyof CallbackOptions, true>> = { error: true, onerror: true };

/** A registered JavaScript function with a C address; `release()` frees its slot (koffi has 8192). */
export interface Trampoline {
  readonly address: number;
  release(): void;
  /** How many calls of it C is running right now (nested ones included). */
  running(): number;
}

/** How many JavaScript callbacks C is running right now (nested ones included): in an object, which generated trampolines update. */
const state = { running: 0 };

/** How many JavaScript callbacks C is running right now: while any is, C code is on the stack below. */
export function callbacksRunning(): number {
  return state.running;
}

/** Reports an error nobody handles, without crashing: C still gets its value. */
function report(label: string, e: unknown, during?: unknown): void {
  const first = during === undefined ? '' : `\nIt was thrown while handling this one: ${describeThrown(during)}`;
  process.emitWarning(`an exception in ${label} was not handled (pass onerror to handle it): ${describeThrown(e)}${first}`, 'CallbackError');
}

/** Words for anything JavaScript can throw, never throwing itself (an object without a prototype has no toString). */
function describeThrown(e: unknown): string {
  try {
    if (e instanceof Error) return e.stack ?? e.message;
    return String(e);
  } catch {
    try {
      return show(e);
    } catch {
      return 'a value that cannot be shown';
    }
  }
}

/** The fast-path test of each representation as a function, compiled once. */
const fastChecks = new Map<Repr, (v: unknown) => boolean>();
function fastCheckOf(repr: Repr): (v: unknown) => boolean {
  let f = fastChecks.get(repr);
  if (!f) fastChecks.set(repr, (f = new Function('v', `return ${fastCheck(repr, 'v')};`) as (v: unknown) => boolean));
  return f;
}

/** Converts what JavaScript returned into what C expects of the result type `t`. */
function resultConverter(t: CType, where: string): (r: unknown) => unknown {
  switch (t.kind) {
    case 'void':
      return () => undefined;
    case 'primitive':
    case 'enum': {
      if (isWideChar(t)) return (r) => toCScalar(t, r, where); // a one-character string, to its code
      const check = fastCheckOf(reprOf(t as ScalarType));
      return (r) => (check(r) ? r : toCScalar(t, r, where));
    }
    case 'pointer':
      return (r) => toCPointer(t, r, where);
    case 'struct':
    case 'union':
      return (r) => toKoffiRecord(t, r, where);
    case 'array':
    case 'function':
      throw new TypeError(`${where}: a C function cannot return '${t.cname}'`);
  }
}

/** Converts what koffi hands a callback for an argument of type `t` into what JavaScript receives. */
function argumentConverter(t: CType): ((a: unknown) => unknown) | null {
  switch (t.kind) {
    case 'pointer': {
      // koffi gives pointer arguments as intptr_t: a number, or a bigint beyond 2^53 (a tagged pointer)
      const make = pointerMaker(t);
      return (a) => make(cAddress(a));
    }
    case 'struct':
    case 'union':
      return (a) => fromKoffiRecord(t, a as Record<string, unknown>);
    case 'primitive':
    case 'enum': {
      if (isWideChar(t)) return (a) => fromC_wchar(a as number, t.size); // a code, as a one-character string
      const repr = reprOf(t as ScalarType);
      if (repr === 'u64') return fromKoffiUint64;
      if (repr === 'i64') return fromKoffi64 as (a: unknown) => number | bigint;
      return null; // numbers and booleans arrive as JavaScript has them
    }
    default:
      return null;
  }
}

/** A uint64_t callback argument: koffi gives its bits as a signed integer (-2 for 2^64 - 2), and 2^53 as a number. */
const fromKoffiUint64 = (a: unknown): number | bigint =>
  typeof a === 'number' && a >= 0 && Number.isSafeInteger(a) ? a : toJs(BigInt.asUintN(64, BigInt(a as number | bigint)));

/** A pointer koffi hands a callback as intptr_t: a number, or a bigint beyond 2^53. */
const cAddress = (a: unknown): Address => (typeof a === 'bigint' ? toAddress(a) : ((a as number | null) ?? 0));

/**
 * How a by-pointer argument of a lowered callback arrives: the address of C's own copy, valid for
 * the call only. A struct or union becomes an owned copy (as one passed by value would); a long
 * double becomes the nearest double.
 */
function pointedArgumentConverter(t: CType): (a: unknown) => unknown {
  if (t.kind === 'struct' || t.kind === 'union') {
    return (a) => {
      const from = placeRaw(cAddress(a), t.size);
      const s = newStruct(t);
      for (let i = 0; i < t.size; i++) s[MEM].v.setUint8(s[OFF] + i, from.view.getUint8(from.offset + i));
      return s;
    };
  }
  return (a) => {
    const from = placeRaw(cAddress(a), 16);
    return fromC_f80(from.view, from.offset);
  };
}

/**
 * For a lowered callback whose result C receives through a leading pointer (a struct, union or
 * long double): what JavaScript returned, checked in full, as the bytes to store there.
 */
function pointedResultConverter(t: CType, where: string): (r: unknown) => Uint8Array {
  return (r) => {
    const bytes = new Uint8Array(t.size);
    const view = new DataView(bytes.buffer);
    if (t.kind === 'primitive') toC_f80(view, 0, typeof r === 'number' ? r : (toCScalar(t, r, where) as number | bigint));
    else writeAt(t, view, 0, r, where);
    return bytes;
  };
}

/**
 * What C receives when a callback throws: what `onerror` returns (converted as a result), or the
 * fallback, the error reported when nothing handles it.
 */
function failureHandler(
  onerror: ((error: unknown) => unknown) | undefined,
  fallback: unknown,
  toResult: (r: unknown) => unknown,
  label: string,
  fn: (...args: unknown[]) => unknown,
): (e: unknown) => unknown {
  // Reports name the JavaScript function too, as CFFI's name the Python one.
  const where = fn.name ? `${label} (function ${fn.name})` : label;
  return (e) => {
    if (!onerror) {
      report(where, e);
      return fallback;
    }
    try {
      const r = onerror(e);
      return r === undefined ? fallback : toResult(r);
    } catch (e2) {
      report(`the onerror handler of ${where}`, e2, e);
      return fallback;
    }
  };
}

type TrampolineFactory = (...closed: unknown[]) => (...args: unknown[]) => unknown;
/** Compiled trampoline factories by source: callbacks of the same shape share one. */
const trampolineFactories = new Map<string, TrampolineFactory>();

/**
 * The function koffi calls for `fn` of type `t`: one parameter per C argument (no rest array, no
 * spread), each converted by its `toArgs` entry (null: passed as koffi gives it), the result
 * converted by `toResult`, which a scalar result of the right kind skips (its fast check, inline).
 * What `fn` or a conversion throws goes to `failed`, whose value C receives. Given a WeakRef to
 * `fn` (`weakly`), it reaches `fn` through it, and a call once `fn` is gone fails with `gone`.
 */
function compileTrampoline(
  t: FunctionType,
  fn: ((...args: unknown[]) => unknown) | WeakRef<(...args: unknown[]) => unknown>,
  toArgs: readonly (((a: unknown) => unknown) | null)[],
  toResult: (r: unknown) => unknown,
  failed: (e: unknown) => unknown,
  own: { running: number },
  gone: (() => never) | null = null,
): (...args: unknown[]) => unknown {
  const params = toArgs.map((_, i) => `a${i}`);
  // Reached through a WeakRef, `fn` is held strongly from its first call in a job of the event loop
  // to the job's end (a microtask lets go of it), as deref() itself would keep it: deref() on every
  // call cost ~17 ns of a callback's ~90 (V8 records each in its set of objects kept for the job).
  const target = gone === null ? 'fn' : '(strong ?? hold())';
  const held = gone === null ? '' : 'let strong = null;\nconst letGo = () => { strong = null; };\nconst hold = () => { const f = fn.deref() ?? gone(); strong = f; queueMicrotask(letGo); return f; };\n';
  const call = `${target}(${toArgs.map((c, i) => (c === null ? `a${i}` : `c${i}(a${i})`)).join(', ')})`;
  const r = t.result;
  let body: string;
  if (r.kind === 'void') body = `${call};\n    return undefined;`;
  else if ((r.kind === 'primitive' || r.kind === 'enum') && !isWideChar(r)) body = `const r = ${call};\n    return ${fastCheck(reprOf(r as ScalarType), 'r')} ? r : toResult(r);`;
  else body = `return toResult(${call});`;
  const source =
    `${held}return function trampoline(${params.join(', ')}) {\n  state.running++;\n  own.running++;\n  try {\n    ${body}\n  } catch (e) {\n    return failed(e);\n  } finally {\n    state.running--;\n    own.running--;\n  }\n};`;
  let factory = trampolineFactories.get(source);
  if (!factory) {
    factory = new Function('state', 'own', 'fn', 'toResult', 'failed', 'gone', ...params.map((_, i) => `c${i}`), source) as TrampolineFactory;
    trampolineFactories.set(source, factory);
  }
  return factory(state, own, fn, toResult, failed, gone, ...toArgs);
}

/**
 * Registers `fn` as a C function of type `t`. Arguments arrive as calls return them (pointers as
 * cdata); the result is converted as an argument would be. If `fn` throws, or returns something
 * the result type cannot hold, C receives `options.error` (or what `onerror` returns) and the
 * process goes on. With `lowered` (the C type generated C calls it through, see
 * codegen/glue.ts's lowerByValue), structs, unions and long doubles arrive by pointer and a
 * result of those types is stored through the leading pointer. With `weakly` (ffi.callback, whose
 * cdata holds `fn`), koffi's registration reaches `fn` only through a WeakRef, so that a function
 * referring to its own callback does not keep it from being collected.
 */
export function registerTrampoline(
  t: FunctionType,
  fn: (...args: unknown[]) => unknown,
  options: CallbackOptions,
  label: string,
  lowered: FunctionType | null = null,
  weakly = false,
): Trampoline {
  // A released function pointer cdata is a function too, but none to call back.
  if (typeof fn !== 'function' || releasedNames.has(fn)) throw new TypeError(`${label}: expected a JavaScript function, got ${show(fn)}`);
  checkOptions(label, options, CALLBACK_OPTION_NAMES);
  const { onerror } = options;
  if (onerror !== undefined && typeof onerror !== 'function') {
    throw new TypeError(`${label}: options.onerror must be a function, got ${show(onerror)}`);
  }
  if (t.result.kind === 'void' && options.error !== undefined && options.error !== null) {
    // As CFFI: nothing reaches C from a void callback, so no error value can.
    throw new TypeError(`${label}: options.error is of no use for a callback whose result type is 'void' (C receives nothing); got ${show(options.error)}`);
  }
  if (lowered !== null) return registerLowered(t, lowered, fn, options, label);
  const toResult = resultConverter(t.result, `${label}: the result`);
  const fallback = t.result.kind === 'void' ? undefined : toResult(options.error ?? defaultError(t.result));
  const toArgs = t.args.map(argumentConverter);
  const failed = failureHandler(onerror, fallback, toResult, label, fn);
  const gone = (): never => {
    throw new FFIError(`${label} was called from C after its cdata was garbage-collected; keep the callback's cdata alive for as long as C may call it`);
  };
  const own = { running: 0 };
  const trampoline = weakly ? compileTrampoline(t, new WeakRef(fn), toArgs, toResult, failed, own, gone) : compileTrampoline(t, fn, toArgs, toResult, failed, own);
  const target = registerCallback(trampoline, t);
  // C gets a stub in front of koffi's trampoline: from another thread, while the JavaScript thread
  // is inside a synchronous call, it gives C `fallback` rather than wait forever (backend/threadguard.ts).
  const bits = errorBits(t.result, fallback);
  const stub = bits === null ? null : guardCallback(target, bits, label);
  let live = true;
  return {
    address: stub === null ? target : stub.address,
    release() {
      if (live) {
        live = false;
        unregisterCallback(target);
        stub?.release();
      }
    },
    running: () => own.running,
  };
}

/**
 * registerTrampoline for a function whose generated C passes structs, unions and long doubles by
 * pointer: koffi calls `lowered`; JavaScript sees `t`'s values.
 */
function registerLowered(
  t: FunctionType,
  lowered: FunctionType,
  fn: (...args: unknown[]) => unknown,
  options: CallbackOptions,
  label: string,
): Trampoline {
  const { onerror } = options;
  const where = `${label}: the result`;
  const out = lowered.args.length - t.args.length; // 1 when the result is stored through a leading pointer
  const toArgs = t.args.map((a, i) => (lowered.args[i + out] !== a ? pointedArgumentConverter(a) : argumentConverter(a)));
  let toResult: (r: unknown) => unknown;
  let store: (r: unknown, at: unknown) => unknown;
  if (out === 1) {
    const toBytes = pointedResultConverter(t.result, where);
    toResult = toBytes;
    store = (bytes, at) => {
      const b = bytes as Uint8Array;
      const to = placeRaw(cAddress(at), b.length);
      for (let i = 0; i < b.length; i++) to.view.setUint8(to.offset + i, b[i]);
      return undefined;
    };
  } else {
    toResult = resultConverter(t.result, where);
    store = (r) => r;
  }
  const fallback = t.result.kind === 'void' ? undefined : toResult(options.error ?? defaultError(t.result));
  const failed = failureHandler(onerror, fallback, toResult, label, fn);
  const own = { running: 0 };
  const trampoline = (...raw: unknown[]): unknown => {
    state.running++;
    own.running++;
    const at = out === 1 ? raw[0] : undefined;
    let r: unknown;
    try {
      const args = new Array<unknown>(t.args.length);
      for (let i = 0; i < args.length; i++) {
        const convert = toArgs[i];
        args[i] = convert ? convert(raw[i + out]) : raw[i + out];
      }
      r = toResult(fn(...args));
    } catch (e) {
      r = failed(e);
    } finally {
      state.running--;
      own.running--;
    }
    return store(r, at);
  };
  const target = registerCallback(trampoline, lowered);
  // With the result stored through a pointer, C's own error value (see codegen/glue.ts) stands when a stub refuses the call.
  const bits = errorBits(lowered.result, out === 1 ? undefined : fallback);
  const stub = bits === null ? null : guardCallback(target, bits, label);
  let live = true;
  return {
    address: stub === null ? target : stub.address,
    release() {
      if (live) {
        live = false;
        unregisterCallback(target);
        stub?.release();
      }
    },
    running: () => own.running,
  };
}

/** The bits a C function of result type `t` returns for `value` (converted already): null for structs and complex numbers, which are not guarded. */
function errorBits(t: CType, value: unknown): ErrorBits | null {
  switch (t.kind) {
    case 'void':
      return { int: 0n, float: 0n };
    case 'primitive':
    case 'enum': {
      const repr = reprOf(t as ScalarType);
      if (isComplexRepr(repr)) return null; // two parts, returned as a struct of them is: not guarded either
      const scratch = new DataView(new ArrayBuffer(8));
      if (repr === 'f32') scratch.setFloat32(0, value as number, true);
      else if (repr === 'f64') scratch.setFloat64(0, value as number, true);
      else return { int: typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value as number | bigint), float: 0n };
      return { int: 0n, float: scratch.getBigUint64(0, true) };
    }
    case 'pointer':
      return { int: BigInt((value as number | bigint | null) ?? 0), float: 0n };
    default:
      return null;
  }
}

function defaultError(t: CType): unknown {
  switch (t.kind) {
    case 'primitive':
      return t.repr === 'bool' ? false : isWideChar(t) ? '\0' : 0;
    case 'enum':
      return 0;
    case 'pointer':
      return null;
    case 'struct':
    case 'union':
      return {};
    default:
      return undefined;
  }
}
