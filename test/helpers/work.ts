// Test helper: counts the cdef parser's work (looks at tokens, type-model queries), the walks over struct types (reads of their fields) and linear searches of arrays, so complexity tests count instead of timing.
import { TokenStream } from '../../lib/cparser/stream';
import { ArrayType, CField, EnumType, FunctionType, PointerType, PrimitiveType, StructType, VoidType } from '../../lib/ctype/model';

/** Units of work done since the last reset. */
const counts = { tokens: 0, typeQueries: 0 };

/**
 * Every look at a token: `TokenStream.peek`, `next`, `skip`, `kindAt`, `decimalAt`, `isIdent`, `isName`, `keywordAhead`, `kindIs`,
 * `punctAhead`, `is` and `accept` (the parser and the expression evaluator read each token through them).
 */
function countPeeks(): void {
  const proto = TokenStream.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['peek', 'next', 'skip', 'kindAt', 'decimalAt', 'isIdent', 'isName', 'keywordAhead', 'kindIs', 'punctAhead', 'is', 'accept']) {
    const look = proto[name];
    proto[name] = function counted(this: TokenStream, ...args: unknown[]) {
      counts.tokens++;
      return look.apply(this, args);
    };
  }
}

/**
 * Every computed property of the type model (size, align, marker, cname…): the recursive ones
 * are where nested types once cost 2^depth, which no count of tokens shows.
 */
function countTypeQueries(): void {
  const base = Object.getPrototypeOf(PointerType.prototype) as object;
  const protos = [base, ...[PrimitiveType, VoidType, PointerType, ArrayType, StructType, EnumType, FunctionType].map((c) => c.prototype)];
  for (const proto of protos) {
    for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      const get = d.get;
      if (!get) continue;
      Object.defineProperty(proto, name, {
        ...d,
        get(this: unknown) {
          counts.typeQueries++;
          return get.call(this);
        },
      });
    }
  }
}

let installed = false;

/** The work `f` does, counted; `f`'s result (or what it threw) is kept in `outcome`. */
export function countWork<T>(f: () => T): { tokens: number; typeQueries: number; total: number; outcome: { value: T } | { error: unknown } } {
  if (!installed) {
    countPeeks();
    countTypeQueries();
    installed = true;
  }
  counts.tokens = 0;
  counts.typeQueries = 0;
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: f() };
  } catch (error) {
    outcome = { error };
  }
  return { tokens: counts.tokens, typeQueries: counts.typeQueries, total: counts.tokens + counts.typeQueries, outcome };
}

/**
 * How many times `f` reads the fields of `types` (structs and unions), and what it returned: every
 * walk over a struct or union reads them, so a walk that visits a type once per path down to it
 * (2^depth for unions of two members of one union type, nested) shows as such a count.
 */
export function countFieldReads<T>(types: readonly StructType[], f: () => T): { reads: number; value: T } {
  let reads = 0;
  const held = types.map((t) => t.fields);
  types.forEach((t, i) => {
    Object.defineProperty(t, 'fields', {
      get: () => (reads++, held[i]),
      set: (v: readonly CField[] | null) => void (held[i] = v),
      enumerable: true,
      configurable: true,
    });
  });
  try {
    const value = f();
    return { reads, value };
  } finally {
    types.forEach((t, i) => Object.defineProperty(t, 'fields', { value: held[i], writable: true, enumerable: true, configurable: true }));
  }
}

/**
 * How many array elements `f`'s calls of `indexOf`, `lastIndexOf` and `includes` could look at
 * (the lengths of the arrays searched), and what it returned: a search per item of a growing list
 * shows as a count that grows with the square of its length.
 */
export function countArrayScans<T>(f: () => T): { scanned: number; value: T } {
  let scanned = 0;
  const proto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const saved = ['indexOf', 'lastIndexOf', 'includes'].map((name) => [name, proto[name]] as const);
  for (const [name, search] of saved) {
    proto[name] = function counted(this: unknown[], ...args: unknown[]) {
      scanned += this.length;
      return search.apply(this, args);
    };
  }
  try {
    const value = f();
    return { scanned, value };
  } finally {
    for (const [name, search] of saved) proto[name] = search;
  }
}
