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
    return `<${this[DESCRIBE]()}>`;
  }
  /** As CFFI shows an enum value: its enumerator's name after the number when it has one ("cdata 'enum e' 1: B"). */
  [DESCRIBE](): string {
    const name = this.type.elements[String(this.value)];
    return `cdata '${this.type.cname}' ${this.value}${name === undefined ? '' : `: ${name}`}`;
  }
}
