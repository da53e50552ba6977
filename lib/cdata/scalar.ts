// C scalars that keep their type: the enum values ffi.cast gives (so ffi.string names them and '...' passes them).
import { DESCRIBE } from '../errors';
import type { EnumType } from '../ctype/model';

/** A C scalar of an enum type, as ffi.cast('enum e', v) returns it: a number that knows its type. */
export class EnumValue {
  constructor(readonly type: EnumType, readonly value: number | bigint) {}
  valueOf(): number | bigint {
    return this.value;
  }
  toString(): string {
    return String(this.value);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `<cdata '${this.type.cname}' ${this.value}>`;
  }
  [DESCRIBE](): string {
    return `cdata '${this.type.cname}' ${this.value}`;
  }
}
