// Calls into C: a generated JavaScript function per C function that checks and converts arguments and results.
import { FFIError, show } from '../errors';
import { CType, FunctionType, PointerType } from '../ctype/model';
import type { RawFunction } from '../backend/koffi';
import { CData, isCData } from './base';
import { wrapPointer } from './classes';
import { ScalarType, fastCheck, reprOf, toCScalar } from './convert';
import { fitsJsMemory, toCPointer } from './pointers';

/** Shared by every function of one library: once closed, calls throw instead of jumping into unmapped code. */
export interface CallGuard {
  closed: boolean;
  readonly name: string;
}

/** A pointer argument: a cdata of a fitting type, null, or JS memory / a string that koffi passes by address. */
function toCPointerArgument(t: PointerType, value: unknown, where: string): unknown {
  if (typeof value === 'string') {
    if (t.item.kind === 'primitive' && t.item.size === 1) return value; // koffi makes a NUL-terminated UTF-8 copy
    throw new TypeError(`${where}: a string can only be passed as a char pointer, not as '${t.cname}'`);
  }
  if (value !== null && typeof value === 'object' && !isCData(value) && (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)) {
    if (fitsJsMemory(t, value)) return value;
    throw new TypeError(`${where}: a ${show(value)} does not hold '${t.item.cname}' items for '${t.cname}'`);
  }
  return toCPointer(t, value, where);
}

/** The pointer a C function returned, as a cdata (null for NULL). */
function fromCPointer(t: PointerType, r: number | bigint): CData | null {
  if (typeof r === 'bigint') throw new RangeError(`pointer 0x${r.toString(16)} returned as '${t.cname}' is beyond 2^53 and cannot be used`);
  return wrapPointer(t, r, null);
}

function closedError(g: CallGuard, fn: string): FFIError {
  return new FFIError(`${fn}(): the library ${g.name} was closed with ffi.dlclose()`);
}

function arityError(fn: string, want: number, got: number): TypeError {
  return new TypeError(`${fn}(): expected ${want} argument${want === 1 ? '' : 's'}, got ${got}`);
}

const runtime = { toCScalar, toCPointerArgument, fromCPointer, closedError, arityError };

/** JavaScript statements converting argument variable `v` of type `t` in place. */
function convertArgument(t: CType, v: string, where: string, k: unknown[]): string {
  const c = (x: unknown): string => `k[${k.push(x) - 1}]`;
  switch (t.kind) {
    case 'primitive':
    case 'enum':
      return `if (!(${fastCheck(reprOf(t as ScalarType), v)})) ${v} = toCScalar(${c(t)}, ${v}, ${c(where)});`;
    case 'pointer':
      return `${v} = ${v} != null && ${v}.$t === ${c(t)} ? ${v}.$a : toCPointerArgument(${c(t)}, ${v}, ${c(where)});`;
    default:
      throw new TypeError(`${where}: parameters of type '${t.cname}' are not supported`);
  }
}

/**
 * A JavaScript function calling `raw` (a koffi binding of C function `name` of type `t`) that checks
 * the argument count, converts each argument as C would (refusing what does not fit: TypeError /
 * RangeError naming the argument), and turns pointer results into cdata.
 */
export function makeCaller(name: string, t: FunctionType, argNames: readonly (string | null)[], raw: RawFunction, guard: CallGuard): (...args: unknown[]) => unknown {
  if (t.ellipsis) {
    return () => {
      throw new TypeError(`${name}(): calling variadic functions is not supported yet`);
    };
  }
  const k: unknown[] = [];
  const params = t.args.map((_, i) => `a${i}`);
  const checks = t.args.map((a, i) => {
    const label = argNames[i] ? ` ('${argNames[i]}')` : '';
    return convertArgument(a, `a${i}`, `${name}() argument ${i + 1}${label}`, k);
  });
  const call = `raw(${params.join(', ')})`;
  const result = t.result.kind === 'pointer' ? `return fromCPointer(k[${k.push(t.result) - 1}], ${call});` : `return ${call};`;
  const source =
    `return function ${safeName(name)}(${params.join(', ')}) {\n` +
    `  if (arguments.length !== ${params.length}) throw arityError(${JSON.stringify(name)}, ${params.length}, arguments.length);\n` +
    `  if (guard.closed) throw closedError(guard, ${JSON.stringify(name)});\n` +
    `  ${checks.join('\n  ')}\n` +
    `  ${result}\n` +
    `};`;
  let factory = factories.get(source);
  if (!factory) factories.set(source, (factory = new Function('raw', 'guard', 'k', ...RUNTIME_NAMES, source) as Factory));
  return factory(raw, guard, k, ...RUNTIME_VALUES);
}

type Factory = (...args: unknown[]) => (...args: unknown[]) => unknown;
/** Compiled wrapper factories by source: functions of the same shape share one (their constants differ). */
const factories = new Map<string, Factory>();
const RUNTIME_NAMES = Object.keys(runtime);
const RUNTIME_VALUES = Object.values(runtime);

/** A JavaScript identifier for the generated function's name (C names are already identifiers). */
function safeName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : 'cfunction';
}
