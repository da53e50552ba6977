// The error classes node-cffi throws, and the one sentence pattern its messages follow.
//
// Pattern: "<where>: <what is wrong>[, <what to do>]", where <where> names the culprit
// (a function argument, a field, a cdef line:column, a type) and values are shown by `show()`.

/** Base class of node-cffi's own errors (CFFI's `ffi.error`). Value errors use TypeError/RangeError. */
export class FFIError extends Error {
  override name = 'FFIError';
}

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
  constructor(
    message: string,
    /** The compiler's diagnostics, with positions pointing into the user's source, when it ran. */
    readonly diagnostics = '',
  ) {
    super(message);
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
    case 'function':
      return `function ${value.name || '(anonymous)'}`;
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
