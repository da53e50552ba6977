// cc(): compile C source and get its library with the declarations taken from the source itself.
import { calledAs, checkOptions, show, TypeError } from '../errors';
import { isCxxFile } from '../build';
import { FFI, hideNames, Lib, VerifyOptions, verifyOptionNames } from '../ffi';
import { CdefChunk, Skipped } from './extract';
import { extractSource } from './preprocess';

export type { CdefChunk, Skipped } from './extract';

/** The options of cc() are those of ffi.verify(), and `headers`. */
export interface CcOptions extends VerifyOptions {
  /**
   * Headers the source includes whose whole API the library exposes too, as ffi.cdefHeader()
   * reads them ('zlib.h', or patterns such as 'openssl/*'); the library must be linked
   * (options.libraries). Without it, only the source's own declarations are declared.
   */
  readonly headers?: readonly string[];
}

/** What cc() declared for a library, and what it left out. */
export interface CcDeclarations {
  /** The FFI the library was verified with: new/sizeof/typeof know the source's types. */
  readonly ffi: FFI;
  /** The cdef text given to ffi.cdef(), in order, with the pack option of each part. */
  readonly cdefs: readonly CdefChunk[];
  /** Declarations of the source that could not be declared, with the reason. */
  readonly skipped: readonly Skipped[];
  /** Names the source declares `static`: only its own C code can use them. */
  readonly statics: Readonly<Record<string, 'function' | 'variable'>>;
}

/** Every CcOptions name, for checkOptions(). */
const ccOptionNames = (): Readonly<Record<keyof CcOptions, true>> => ({ ...verifyOptionNames(), headers: true });

const declared = new WeakMap<object, CcDeclarations>();

/**
 * Compiles `source` as ffi.verify() does and returns its library, declaring what the source
 * defines: every non-static function and global, struct/union/enum/typedef, and integer #define.
 * Types from headers are declared as far as those declarations need them. A static function or
 * variable stays private: using it throws an FFIError naming it and saying why. `L` types the
 * library, as for verify<L>(): the interface `cffi types FILE.c` writes.
 */
export function cc<L extends object = Lib>(source: string, options: CcOptions = {}): L {
  return ccInto<L>(new FFI(), source, options);
}

/** The cdef lines each FFI was given by cc()/ccInto(), with their pack value. */
const given = new WeakMap<FFI, Set<string>>();

/**
 * cc() with an FFI of your own, for a source that grows (a session adding definitions): only the
 * declarations `ffi` was not given before are declared, so its types stay the same objects and
 * cdata made for an earlier library work with the functions of the new one. The source must keep
 * what it had: a function removed from it would still be declared.
 */
export function ccInto<L extends object = Lib>(ffi: FFI, source: string, options: CcOptions = {}): L {
  if (!(ffi instanceof FFI)) throw new TypeError(`ccInto(): expected an FFI, got ${show(ffi)}`);
  if (typeof source !== 'string') throw new TypeError(`cc(): expected C source as a string, got ${show(source)}`);
  checkOptions('cc()', options, ccOptionNames());
  const { headers, ...verifyOptions } = options;
  const cxx = [options.sourceExtension, options.filename].find((n) => typeof n === 'string' && isCxxFile(n));
  if (cxx !== undefined) {
    throw new TypeError(`cc(): reads the declarations of C sources, and '${cxx}' names C++; declare what the C++ source defines with ffi.cdef() and build it with ffi.verify()`);
  }
  if (headers !== undefined && (!Array.isArray(headers) || headers.length === 0 || !headers.every((h) => typeof h === 'string'))) {
    throw new TypeError(`cc(): options.headers must be a non-empty array of header names, got ${show(headers)}`);
  }
  const extracted = extractSource(source, verifyOptions);
  if (headers) {
    const { includeDirs, defineMacros, compiler, extraCompileArgs, tmpdir } = verifyOptions;
    const [first, ...more] = headers;
    ffi.cdefHeader(first, { includeDirs, defineMacros, compiler, extraCompileArgs, tmpdir, headers: more });
  }
  let seen = given.get(ffi);
  if (!seen) given.set(ffi, (seen = new Set()));
  for (const chunk of extracted.cdefs) {
    const fresh = chunk.source.split('\n').filter((line) => line !== '' && !seen.has(`${chunk.pack} ${line}`));
    if (fresh.length === 0) continue;
    // The C compiler has the last word on what the source may redeclare (a #define, say).
    ffi.cdef(`${fresh.join('\n')}\n`, { override: true, ...(chunk.pack ? { pack: chunk.pack } : {}) });
    for (const line of fresh) seen.add(`${chunk.pack} ${line}`);
  }
  // The build cache keys on the source, not on the headers it includes: name them by their state.
  const stamped = `${source}\n/* node-cffi cc(): included headers ${extracted.headers.slice(0, 16)} */\n`;
  const lib = calledAs('cc()', () => ffi.verify(stamped, verifyOptions)); // the build links with -Bsymbolic: main() and friends stay the source's
  hideNames(lib, refusals(extracted, options.filename ?? 'source.c'));
  declared.set(lib, { ffi, cdefs: extracted.cdefs, skipped: extracted.skipped, statics: extracted.statics });
  return lib as L;
}

/** Why each name the library knows of but does not export is refused. */
function refusals(x: { skipped: readonly Skipped[]; statics: CcDeclarations['statics'] }, filename: string): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const s of x.skipped) reasons.set(s.name, `was left out of the declarations (${s.where}): ${s.reason}`);
  for (const [name, what] of Object.entries(x.statics)) {
    const use = what === 'function' ? 'call' : 'reach';
    reasons.set(name, `is a static ${what} of ${filename}, visible only to its C code; remove 'static' to ${use} it from JavaScript`);
  }
  return reasons;
}

/**
 * What cc() would declare for `source`, without compiling it (the preprocessor runs): the cdef text
 * in order, the declarations it leaves out with the reason, and the names the source makes static.
 */
export function ccDeclarations(source: string, options: CcOptions = {}): Omit<CcDeclarations, 'ffi'> {
  if (typeof source !== 'string') throw new TypeError(`ccDeclarations(): expected C source as a string, got ${show(source)}`);
  checkOptions('ccDeclarations()', options, ccOptionNames());
  const { cdefs, skipped, statics } = extractSource(source, options);
  return { cdefs, skipped, statics };
}

/** The declarations of a library cc() returned. */
export function declarationsOf(lib: object): CcDeclarations {
  const d = typeof lib === 'object' && lib !== null ? declared.get(lib) : undefined;
  if (!d) throw new TypeError(`declarationsOf(): expected a library returned by cc(), got ${show(lib)}`);
  return d;
}

/** The FFI a cc() library was verified with, for ffi.new/sizeof/typeof on the source's types. */
export function ffiOf(lib: object): FFI {
  const d = typeof lib === 'object' && lib !== null ? declared.get(lib) : undefined;
  if (!d) throw new TypeError(`ffiOf(): expected a library returned by cc(), got ${show(lib)}`);
  return d.ffi;
}
