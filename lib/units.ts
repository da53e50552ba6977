// What verify() remembers its translation unit by: the key of what the unit is made of (the cdef texts, the source, the code's identity) and the digests of what the library is read by.
import * as path from 'path';
import { Host, nodeHost } from './host';
import type { Glue } from './codegen/glue';
import type { Bindings } from './codegen/bindings';
import type { Probe } from './codegen/probes';
import { hashParts, sha256 } from './build/files';

/**
 * The key of a translation unit by what it is made of, with which a build can skip making it
 * (the glue for hundreds of declarations is most of a cached verify()): every cdef call's text and
 * options in order, by their cdefHash (which make the declarations, and for headers hold what the header declared),
 * which of the declarations (`part`: '' for all), the source, its file name, strictPrototypes,
 * whether CFFI's standard headers come before the source (`prelude`), the functions reached through their wrappers only (`wrapped`), and the code that turns these into the unit, on this platform and architecture (a cache
 * directory shared by machines of two kinds keeps a memo for each). Undefined when the code's
 * files cannot be known (see codeIdentity).
 */
export function unitKey(
  cdefHashes: readonly string[], part: string, source: string, filename: string, strict: boolean, prelude = true, wrapped: ReadonlySet<string> = new Set(),
): string | undefined {
  const code = generatorIdentity();
  if (code === null) return undefined; // the code is unknown: nothing is remembered by it
  const onlyWrapped = wrapped.size === 0 ? '' : `wrapped ${[...wrapped].sort().join(' ')}`;
  return hashParts(['node-cffi unit', process.platform, process.arch, code, String(cdefHashes.length), ...cdefHashes, part, textHash(source), filename, strict ? 'strict' : '', prelude ? '' : 'no prelude', onlyWrapped]);
}

/**
 * A cdef call as verify()'s keys take it: its text, and its options as JSON ('ffi.include()' for
 * an include, whose text is the other FFI's records). The text is the caller's own string, not a
 * copy: textHash() finds a text it hashed before by that string at once, where a new string of a
 * long text would be read whole to be found (and making one, JSON of the call, costs as much again).
 */
export interface CdefRecord {
  readonly text: string;
  readonly options: string;
}

/** What a cdef call counts for in a unit's key and a library's: the hash of its text with its options. */
export function cdefHash(c: CdefRecord): string {
  return hashParts(['cdef', textHash(c.text), c.options]);
}

/** Texts of at least this many characters are hashed once per process (see textHash), at most TEXTS_KEPT of them and TEXT_CHARS_KEPT characters in all. */
const LONG_TEXT = 1024;
const TEXTS_KEPT = 64;
const TEXT_CHARS_KEPT = 8 << 20;
const textHashes = new Map<string, { readonly hash: string; used: number }>();
let textChars = 0;
let textUses = 0;

/**
 * The sha256 of a cdef call's text or a source, remembered for the longest texts: a program
 * verifying the same cdef and source in new FFIs hashes them once, not at every verify() (for its
 * unit's key and for its library's). The least recently used are forgotten first. A text found is
 * marked used in place, never stored again: a new string of the same text (a text read from its file
 * again is one) would replace the key and, referred to by this long-lived table, outlive every
 * young-generation collection.
 */
export function textHash(text: string): string {
  if (text.length < LONG_TEXT || text.length > TEXT_CHARS_KEPT) return sha256(text);
  const known = textHashes.get(text);
  if (known !== undefined) {
    known.used = ++textUses;
    return known.hash;
  }
  const hash = sha256(text);
  textChars += text.length;
  while (textHashes.size >= TEXTS_KEPT || textChars > TEXT_CHARS_KEPT) {
    let oldest: string | undefined;
    let when = Infinity;
    for (const [t, { used }] of textHashes) {
      if (used < when) [oldest, when] = [t, used];
    }
    if (oldest === undefined) break;
    textHashes.delete(oldest);
    textChars -= oldest.length;
  }
  textHashes.set(text, { hash, used: ++textUses });
  return hash;
}

/**
 * What a library is read by: its bindings (see bindingsDigest), and the probe table's rows in
 * order. A unit remembered with another plan is not used.
 */
export function planDigest(g: Glue, bindings = bindingsDigest(g)): string {
  const parts: string[] = [bindings, g.probeSymbol];
  for (const p of g.probes) parts.push(`p ${probeName(p)}`);
  return hashParts(parts);
}

/** How each function, extern "Python" function, global and constant of a library is reached: the part of its plan read when its probes are not. */
export function bindingsDigest(b: Bindings): string {
  const parts: string[] = [];
  for (const [name, f] of b.functions) parts.push(`f ${name} ${f.symbol} ${f.entry ?? ''} ${f.lowered?.cname ?? ''}`);
  for (const [name, x] of b.externs) parts.push(`x ${name} ${x.slot} ${x.wrapper.symbol} ${x.lowered?.cname ?? ''}`);
  for (const [name, symbol] of b.globals) parts.push(`g ${name} ${symbol}`);
  return hashParts(parts);
}

/** A probe as planDigest() tells it: its kind and what it is about. */
function probeName(p: Probe): string {
  switch (p.kind) {
    case 'struct':
    case 'typedef':
    case 'enum':
      return `${p.kind} ${p.type.cname}`;
    case 'field':
      return `field ${p.type.cname} ${p.field} ${p.length}`;
    case 'length':
    case 'constant':
      return `${p.kind} ${p.decl.name}`;
    case 'innerLength':
      return `innerLength ${'cname' in p.of ? p.of.cname : p.of.name} ${p.name} ${p.depth}`;
    case 'arrayLength':
      return `arrayLength ${p.type.cname} ${p.name} ${p.depth}`;
  }
}

let generator: string | null | undefined;

/** codeIdentity() of the code running now, once per process. */
function generatorIdentity(): string | null {
  if (generator === undefined) generator = codeIdentity(path.dirname(__filename), path.basename(__filename).startsWith('node-cffi'));
  return generator;
}

/**
 * The files node-cffi's code runs from, each by path, device, inode, size and modification time:
 * when `bundled`, the bundles in `dir` (`node-cffi*.js`); else every module in `dir` and in its
 * directories (lib/ run through tsx or ts-jest, or tsc's dist/lib/, and their stages). Another
 * build of node-cffi, or a module edited, gives another identity, and so other unit keys: a unit
 * remembered by one version of the parser and the code generator is never taken for another's.
 * Null when `dir` cannot be read or holds none of those files: no identity, no memo.
 * @internal
 */
export function codeIdentity(dir: string, bundled: boolean, host: Host = nodeHost): string | null {
  const files: string[] = [];
  // lib/ holds its modules and one level of stage directories (cparser/, codegen/...): no deeper walk.
  const walk = (at: string, depth: number): void => {
    for (const name of host.readdirSync(at).sort()) {
      const file = path.join(at, name);
      const st = host.statSync(file);
      if (st?.isDirectory()) {
        if (!bundled && depth === 0) walk(file, 1);
      } else if (st && (bundled ? /^node-cffi.*\.js$/.test(name) : /\.(js|ts)$/.test(name) && !name.endsWith('.d.ts'))) {
        files.push(`${file}:${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`);
      }
    }
  };
  try {
    walk(dir, 0);
  } catch (e) {
    if (typeof (e as NodeJS.ErrnoException)?.code === 'string') return null; // a directory that cannot be read
    throw e;
  }
  return files.length === 0 ? null : hashParts(files);
}
