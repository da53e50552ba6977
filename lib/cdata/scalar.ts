// C scalars that keep their type: the enum values ffi.cast gives (so ffi.string names them and '...' passes them).
import { DESCRIBE } from '../errors';
import type { EnumType } from '../ctype/model';

const guessed = new WeakSet<EnumType>();

/**
 * Warns, once per type, that an enum declared without its values (`enum foo;`) is taken as
 * 'unsigned int', as CFFI warns when it has to guess.
 */
export function warnGuessedEnum(t: EnumType): void {
  if (t.partial || guessed.has(t)) return;
  for (const _ in t.relements) return;
  guessed.add(t);
  process.emitWarning(`'${t.cname}' has no values explicitly defined; guessing that it is equivalent to 'unsigned int'`);
}

/** A C scalar of an enum type, as ffi.cast('enum e', v) returns it: a number that knows its type. */
export class EnumValue {
  constructor(readonly type: EnumType, readonly value: number | bigint) {}
  valueOf(): number | bigint {
    return this.value;
  }
  /** CFFI's repr: `<cdata 'enum e' 1: B>` (arithmetic and comparisons use valueOf, the number). */
  toString(): string {
    return `<${this[DESCRIBE]()}>`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
  /** As CFFI shows an enum value: its enumerator's name after the number when it has one ("cdata 'enum e' 1: B"). */
  [DESCRIBE](): string {
    const name = this.type.elements[String(this.value)];
    return `cdata '${this.type.cname}' ${this.value}${name === undefined ? '' : `: ${name}`}`;
  }
}
