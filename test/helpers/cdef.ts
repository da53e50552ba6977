// Test helper: cdef into a fresh registry, its errors (asserted outside catch blocks), and views of what it declared.
import { CDefError } from '../../lib/errors';
import { EnumType, StructType, primitive } from '../../lib/ctype/model';
import { Decl, Registry } from '../../lib/ctype/registry';
import { CdefOptions, parseCdef, parseTypeName } from '../../lib/cparser/parser';
import { thrown } from './throws';

export const int = primitive('int');
export const char = primitive('char');

export function cdef(source: string, options?: CdefOptions, registry = new Registry()): Registry {
  parseCdef(source, registry, options);
  return registry;
}

/** The CDefError that cdef of `source` throws; every error carries its position, and the message starts with it. */
export function cdefError(source: string, registry = new Registry(), options?: CdefOptions): CDefError {
  const e = thrown(() => parseCdef(source, registry, options));
  expect(e).toBeInstanceOf(CDefError);
  const err = e as CDefError;
  // The message starts with the position: 'cdef:' or the file a line marker names.
  expect(err.message).toMatch(new RegExp(`^(cdef|.+):${err.line}:${err.column}: `));
  return err;
}

/** The message of the error cdef of `source` throws, position prefix included. */
export const errorOf = (source: string, registry?: Registry, options?: CdefOptions): string => cdefError(source, registry, options).message;

/** The message of the CDefError that parsing the type name `text` throws. */
export function typeError(text: string, registry = new Registry()): string {
  const e = thrown(() => parseTypeName(text, registry));
  expect(e).toBeInstanceOf(CDefError);
  return (e as Error).message;
}

export function get<K extends Decl['kind']>(r: Registry, key: string, kind: K): Extract<Decl, { kind: K }> {
  const d = r.get(key);
  expect(d?.kind).toBe(kind);
  return d as Extract<Decl, { kind: K }>;
}

export const structOf = (r: Registry, kind: 'struct' | 'union', name: string): StructType => r.tag(kind, name) as StructType;
export const enumOf = (r: Registry, name: string): EnumType => r.tag('enum', name) as EnumType;
export const fieldsOf = (t: StructType): string[] =>
  (t.fields ?? []).map((f) => `${f.name}:${f.type.cname}@${f.offset}${f.bitsize >= 0 ? `.${f.bitshift}/${f.bitsize}` : ''}`);
