// The error classes node-cffi throws, the one sentence pattern its messages follow, and stacks that start at the caller.
//
// Pattern: "<where>: <what is wrong>[, <what to do>]", where <where> names the culprit
// (a function argument, a field, a cdef line:column, a type) and values are shown by `show()`.

import path = require('path');
import { nodeHost } from './host';

/** Frames from files under this directory (node-cffi's own modules, and code they generate) are the library's. */
const OWN_DIR = __dirname + path.sep;
/** How many frames of the library's own a stack may start with: deeper calls than this keep them. */
const OWN_DEPTH = 40;

/**
 * Makes `e.stack` start at the first frame outside node-cffi, so that an error thrown by a public
 * function points at the caller's line rather than at the library's insides. The frames are
 * captured now and formatted when `stack` is first read (with the name and message it has then).
 * NODE_CFFI_DEBUG=1 in the environment keeps the library's own frames.
 */
function traceFromCaller(e: Error, limit: unknown): void {
  if (typeof limit !== 'number' || limit <= 0) return;
  Error.stackTraceLimit = limit;
  if (keepOwnFrames) {
    Error.captureStackTrace(e, e.constructor);
    return;
  }
  const holder: { stack?: string } = {};
  Error.stackTraceLimit = limit + OWN_DEPTH;
  Error.captureStackTrace(holder, traceFromCaller);
  Error.stackTraceLimit = limit;
  Object.defineProperty(e, TRACE, { value: { holder, limit } satisfies Trace });
  Object.defineProperty(e, 'stack', STACK);
}

/** What an error's `stack` is made of when first read: the trace captured, and how many frames to keep. */
interface Trace {
  readonly holder: { stack?: string };
  readonly limit: number;
  text?: string;
}

const TRACE = Symbol('node-cffi trace');

/**
 * The `stack` of node-cffi's errors: one getter and one setter for all of them, reading the
 * error's own trace. (A getter of each error's own made each error a V8 object shape of its own,
 * which kept the error's trace, and through it the functions and libraries on the stack when it
 * was made, until a full garbage collection.)
 */
const STACK: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: Error & { [TRACE]?: Trace }): string | undefined {
    const t = this[TRACE];
    return t === undefined ? undefined : (t.text ??= `${headerOf(this)}${callerFrames(t.holder.stack ?? '', t.limit)}`);
  },
  set(this: Error, value: unknown): void {
    Object.defineProperty(this, 'stack', { configurable: true, enumerable: false, writable: true, value });
  },
};

/** NODE_CFFI_DEBUG, read once: errors keep node-cffi's own frames. */
const keepOwnFrames = (nodeHost.env('NODE_CFFI_DEBUG') ?? '') !== '';

/**
 * Turns off the stack capture of the Error constructor about to run (traceFromCaller captures the
 * stack itself, once), and returns the limit to restore.
 */
function quietCapture(): unknown {
  const limit = Error.stackTraceLimit;
  if (typeof limit === 'number' && limit > 0) Error.stackTraceLimit = 0;
  return limit;
}

/** 'Name: message', as V8 starts a stack. */
function headerOf(e: Error): string {
  try {
    return Error.prototype.toString.call(e);
  } catch {
    return 'Error';
  }
}

/** The frames of `stack` from the first one outside node-cffi, at most `limit` of them (all of them when none is outside). */
function callerFrames(stack: string, limit: number): string {
  const at = stack.indexOf('\n    at ');
  if (at < 0) return '';
  const frames = stack.slice(at + 1).split('\n');
  const first = frames.findIndex((f) => !f.includes(OWN_DIR));
  let kept = first < 0 ? frames : frames.slice(first);
  // In Node's REPL, as it trims its errors: nothing below the frame of the line typed (REPL3:1:8),
  // whose callers are the REPL's own machinery.
  let typed = kept.length - 1;
  while (typed >= 0 && !REPL_FRAME.test(kept[typed])) typed--;
  if (typed >= 0) kept = kept.slice(0, typed + 1);
  return `\n${kept.slice(0, limit).join('\n')}`;
}

/** A frame of code typed in Node's REPL: 'at REPL3:1:8', 'at f (REPL3:1:8)'. */
const REPL_FRAME = /^\s+at (?:.* \()?REPL\d+:\d+:\d+\)?$/;

/** Base class of node-cffi's own errors (CFFI's `ffi.error`). Value errors use TypeError/RangeError. */
export class FFIError extends Error {
  override name = 'FFIError';
  /**
   * For a library built by verify() that does not load because it refers to a name defined
   * nowhere (in the source or a library linked): that name. Not enumerable.
   */
  declare readonly undefinedSymbol?: string;
  /** For a symbol a loaded library does not have (a function or global bound by name): that symbol. Not enumerable. */
  declare readonly missingSymbol?: string;
  constructor(message?: string) {
    const limit = quietCapture();
    super(message);
    traceFromCaller(this, limit);
  }
}

/**
 * Runs `f`, the part of `caller` that runs verify()'s build and load: an FFIError from there that
 * names verify() at the start of a line (the compiler's failure, after the headline of its first
 * error; a name the library leaves undefined) names `caller` there instead ('ffi.compile()',
 * 'cc()'), whose options it speaks of.
 */
export function calledAs<T>(caller: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FFIError) e.message = e.message.replace(/^verify\(\): /m, `${caller}: `);
    throw e;
  }
}

/**
 * The TypeError node-cffi's modules throw (they import it in place of the global one): a
 * TypeError to everyone, whose stack starts at the caller of node-cffi (see traceFromCaller).
 */
export class TypeError extends globalThis.TypeError {
  constructor(message?: string) {
    const limit = quietCapture();
    super(message);
    traceFromCaller(this, limit);
  }
}

/** The RangeError node-cffi's modules throw, whose stack starts at the caller (see TypeError above). */
export class RangeError extends globalThis.RangeError {
  constructor(message?: string) {
    const limit = quietCapture();
    super(message);
    traceFromCaller(this, limit);
  }
}

// The global's names, whatever a bundler renames the classes to (the bundle has one scope of names,
// where these two would shadow the globals): util.inspect and the REPL print the constructor's name.
Object.defineProperty(TypeError, 'name', { value: 'TypeError' });
Object.defineProperty(RangeError, 'name', { value: 'RangeError' });

/** A cdef (or a type string given to new/cast/typeof) that cannot be parsed or is not allowed. */
export class CDefError extends FFIError {
  override name = 'CDefError';
  constructor(
    message: string,
    /** 1-based position in the cdef source, when the error has one. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** verify() failed: the compiler rejected the source, or the compiled library disagrees with the cdef. */
export class VerificationError extends FFIError {
  override name = 'VerificationError';
  /** The compiler's diagnostics, with positions pointing into the user's source, when it ran. */
  declare readonly diagnostics: string;
  constructor(message: string, diagnostics = '') {
    super(message);
    // Not enumerable: the message already carries them, and an uncaught error would print them twice.
    Object.defineProperty(this, 'diagnostics', { value: diagnostics, enumerable: false });
  }
}

/** Objects that describe themselves in error messages (cdata, ctypes) define this method. */
export const DESCRIBE = Symbol('node-cffi.describe');

/** A short, unambiguous rendering of a JavaScript value for an error message. */
export function show(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const s = value.length > 40 ? `${value.slice(0, 37)}...` : value;
      return `string ${JSON.stringify(s)}`;
    }
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function': {
      // A function pointer cdata is a function that describes itself.
      const own = (value as { [DESCRIBE]?: () => string })[DESCRIBE];
      return typeof own === 'function' ? own.call(value) : `function ${value.name || '(anonymous)'}`;
    }
    case 'object': {
      if (value === null) return 'null';
      const tag = (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
      const own = (value as { [DESCRIBE]?: () => string })[DESCRIBE];
      if (typeof own === 'function') return own.call(value);
      if (Array.isArray(value)) return `array of length ${value.length}`;
      if (tag) return tag;
      const ctor = (value as object).constructor;
      return ctor && ctor !== Object ? `${ctor.name} object` : 'object';
    }
  }
}

/**
 * The declared name `key` is most likely a misspelling of: the same letters in another case or spelling ('define_macros' for 'defineMacros'), or
 * the nearest by edit distance (insertions, deletions, substitutions, swaps of neighbours) when
 * that is at most 2 and less than half the longer name's length.
 */
export function closestName(key: string, names: readonly string[]): string | null {
  const fold = (n: string) => n.toLowerCase().replace(/[_-]/g, '');
  const folded = names.find((n) => fold(n) === fold(key));
  if (folded !== undefined) return folded;
  let best: string | null = null;
  let bestDistance = 3;
  for (const n of names) {
    if (Math.abs(n.length - key.length) >= bestDistance) continue;
    const d = editDistance(key, n);
    if (d < bestDistance && d * 2 < Math.max(n.length, key.length)) {
      best = n;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance between a and b. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}

/**
 * Refuses an options object with a name `known` does not have, naming it, the likely intended
 * one and the valid ones: `extraCompileArg` is a typo that would otherwise be ignored in silence.
 */
export function checkOptions(where: string, options: unknown, known: Readonly<Record<string, true>>): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: expected options as an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (Object.prototype.hasOwnProperty.call(known, key)) continue;
    const names = Object.keys(known);
    const near = closestName(key, names);
    const hint = near === null ? '' : `did you mean '${near}'? `;
    throw new TypeError(`${where}: unknown option '${key}'; ${hint}the options are ${names.map((n) => `'${n}'`).join(', ')}`);
  }
}
