// Whole-header binding: what a C header declares, read through the system preprocessor with a build's options, remembered by content and headers.
import * as path from 'path';
import { checkOptions, show, TypeError } from '../errors';
import { nodeHost } from '../host';
import { BUILD_OPTION_NAMES, preprocess, PreprocessOptions } from '../build';
import type { Decl } from '../ctype/registry';
import { HeaderExtract, HeaderExtractOptions, extractHeader } from './extract';
import type { HeaderPart } from './select';
import type { Skipped } from '../cc/select';

export type { ApiOnly, HeaderExtract, HeaderValue } from './extract';
export type { CdefChunk } from '../cc/check';
export type { Skipped } from '../cc/select';

/** A declaration ffi.cdefHeader() left out: nowhere ('all'), or only from libraries opened with dlopen() ('dlopen'). */
export interface HeaderSkipped extends Skipped {
  readonly mode: 'all' | 'dlopen';
}

/** Bumped whenever the output for the same preprocessed text changes. */
const HEADER_READER_VERSION = '37';

export interface HeaderOptions extends PreprocessOptions {
  /**
   * More headers whose declarations are bound: names as `#include <…>` takes them
   * ('openssl/sha.h', included too), or patterns over the headers the first one includes
   * ('openssl/*': `*` stands for any part of a file name, `**` for any path).
   */
  readonly headers?: readonly string[];
  /** Bind only the declarations and macros whose name this matches (the types they need come along). */
  readonly only?: RegExp;
}

/** Every HeaderOptions name, for checkOptions(). */
const HEADER_OPTION_NAMES: Readonly<Record<keyof HeaderOptions, true>> = { ...BUILD_OPTION_NAMES, filename: true, headers: true, only: true };

/** What a header declares, with a hash of the headers it was read from (path, size, modification time). */
export interface HeaderDeclarations extends HeaderExtract {
  readonly stamp: string;
  /** The C source that includes the header(s): what a probe library or verify() source starts with. */
  readonly include: string;
  /**
   * When this call read the header (nothing was remembered) and a snapshot was asked for: the
   * declarations the snapshot was made of, as the check parsed them, so that the first binding
   * takes them instead of rebuilding them from the snapshot. Each call's are its own.
   */
  readonly parsed?: readonly Decl[];
}

/** True for a header given as a path ('./x.h', '/usr/include/x.h') rather than as `#include <…>` takes it. */
const isPathName = (name: string): boolean => path.isAbsolute(name) || name.startsWith('./') || name.startsWith('../');

/** `#include <name>`, or `#include "/abs/path"` for a path ('./x.h', '/usr/include/x.h'). */
function includeLine(name: string, cwd: string): string {
  if (isPathName(name)) {
    return `#include "${path.resolve(cwd, name).replace(/[\\"]/g, '\\$&')}"`;
  }
  return `#include <${name}>`;
}

const isPattern = (name: string): boolean => /[*?]/.test(name);

/** A header name or pattern as a test of the paths the line markers give ('stdio.h' matches '/usr/include/stdio.h'). */
function pathTest(name: string, cwd: string): RegExp {
  if (isPathName(name)) return new RegExp(`^${escape(path.resolve(cwd, name))}$`);
  const body = name
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) => (part === '**' || part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : escape(part)))
    .join('');
  return new RegExp(`(?:^|/)${body}$`);
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The name the including source goes by in line markers. */
const SOURCE_NAME = 'node-cffi-header.c';

const baseName = (file: string): string => file.slice(file.lastIndexOf('/') + 1);

/** A file of the C library's own implementation, and one of the kernel's interface (see HeaderPart). */
const LIBRARY_PART = /\/bits\//;
const KERNEL_PART = /\/(?:linux|asm|asm-generic)\//;

/** What the line markers show of the files: those bound, and which file includes which (see umbrellaParts). */
interface FileScan {
  readonly own: Set<string>;
  readonly parts: Map<string, HeaderPart>;
  /** The files each file includes itself (the source's under SOURCE_NAME). */
  readonly includes: Map<string, Set<string>>;
}

/**
 * The files the binding takes, as the line markers show: the header's own ones (where the source's
 * `#include <stdio.h>` found stdio.h, those the patterns match and the `extra` files; not glibc's
 * bits/stdio.h, nor stdc-predef.h the compiler includes), and the parts of those (see HeaderPart):
 * bits/ files they include, through bits/ files only, and the kernel's files those include.
 */
function scanFiles(output: string, patterns: readonly RegExp[], extra: ReadonlySet<string>): FileScan {
  const own = new Set<string>();
  const parts = new Map<string, HeaderPart>();
  const includes = new Map<string, Set<string>>();
  const stack: string[] = [''];
  for (const m of output.matchAll(/^# \d+ "((?:[^"\\]|\\.)*)"((?: \d)*)$/gm)) {
    const file = m[1].replace(/\\(.)/g, '$1');
    const flags = m[2].trim().split(' ');
    if (flags.includes('1')) {
      const parent = stack[stack.length - 1];
      const siblings = includes.get(parent);
      if (siblings === undefined) includes.set(parent, new Set([file]));
      else siblings.add(file);
      // The header the source names, or the same name further along the include path, which a
      // compiler's own header (gcc's limits.h, stdint.h) includes with #include_next: never a
      // part's file of that name (glibc's bits/stdio.h, the kernel's linux/limits.h).
      const library = LIBRARY_PART.test(file);
      const kernel = !library && KERNEL_PART.test(file);
      const next = !library && !kernel && stack.some((f) => own.has(f) && baseName(f) === baseName(file));
      if (parent === SOURCE_NAME || next || extra.has(file) || patterns.some((p) => p.test(file))) own.add(file);
      else if (!parts.has(file)) {
        const from = own.has(parent) ? 'own' : parts.get(parent);
        if (library && (from === 'own' || from === 'calls')) parts.set(file, 'calls');
        else if (kernel && from !== undefined) parts.set(file, 'macros');
      }
      stack.push(file);
    } else {
      if (flags.includes('2') && stack.length > 1) stack.pop();
      stack[stack.length - 1] = file;
    }
  }
  return { own, parts, includes };
}

/**
 * The files that the headers among `names` include from their own places, bound as the headers'
 * own when the headers alone bind nothing: an umbrella header declares nothing itself (lzma.h
 * includes lzma/base.h, lzma/container.h…; openssl/ecdh.h is openssl/ec.h). A header's place is
 * the directory named after it ('lzma.h': lzma/) and, for a name with a directory
 * ('openssl/ecdh.h'), that directory; the files those include from there count too. The C
 * library's bits/ files and the kernel's are not among them, nor are headers of other places
 * (lzma.h's inttypes.h).
 */
function umbrellaParts(scan: FileScan, names: readonly string[], cwd: string): Set<string> {
  const out = new Set<string>();
  for (const file of scan.includes.get(SOURCE_NAME) ?? []) {
    const name = names.find((n) => (isPathName(n) ? path.resolve(cwd, n) === file : file.endsWith(`/${n}`)));
    if (name === undefined) continue;
    const dir = path.dirname(file);
    const places = [`${dir}/${path.basename(file).replace(/\.h$/, '')}/`, ...(!isPathName(name) && name.includes('/') ? [`${dir}/`] : [])];
    const inPlace = (f: string): boolean => !LIBRARY_PART.test(f) && !KERNEL_PART.test(f) && places.some((p) => f.startsWith(p));
    const todo = [file];
    while (todo.length > 0) {
      for (const f of scan.includes.get(todo.pop() as string) ?? []) {
        if (f !== file && inPlace(f) && !out.has(f)) {
          out.add(f);
          todo.push(f);
        }
      }
    }
  }
  return out;
}

/** True when an extract binds nothing: no declaration, no constant, no value. */
const bindsNothing = (x: HeaderExtract): boolean =>
  x.cdefs.every((c) => c.source.trim() === '') && Object.keys(x.values).length === 0 && x.apiOnly.length === 0;

/**
 * Reads what `header` (and the headers options.headers names) declares: runs the preprocessor as
 * a build with `options` would, selects the header's declarations and what they need, and checks
 * each through the cdef parser. Remembered in the cache directory: a second call with the same
 * header and options only checks that no header it read changed.
 */
export function readHeader(
  header: string, options: HeaderOptions = {}, where = 'ffi.cdefHeader()', snapshot?: HeaderExtractOptions['snapshot'],
): HeaderDeclarations {
  if (typeof header !== 'string' || header === '' || /[\n"<>]/.test(header)) {
    throw new TypeError(`${where}: expected a header name such as 'zlib.h' or a path, got ${show(header)}`);
  }
  checkOptions(where, options, HEADER_OPTION_NAMES);
  const extra = options.headers ?? [];
  if (!Array.isArray(extra) || !extra.every((h) => typeof h === 'string' && h !== '' && !/[\n"<>]/.test(h))) {
    throw new TypeError(`${where}: options.headers must be an array of header names or patterns, got ${show(extra)}`);
  }
  const only = options.only;
  if (only !== undefined && !(only instanceof RegExp)) {
    throw new TypeError(`${where}: options.only must be a RegExp matching the names to bind, got ${show(only)}`);
  }
  const cwd = nodeHost.cwd();
  const included = [header, ...extra.filter((h) => !isPattern(h))];
  const source = `${included.map((h) => includeLine(h, cwd)).join('\n')}\n`;
  const patterns = extra.filter(isPattern).map((h) => pathTest(h, cwd));
  const test = only === undefined ? null : (n: string) => new RegExp(only.source, only.flags.replace(/[gy]/g, '')).test(n);
  let derived: { value: HeaderExtract; parsed: readonly Decl[] } | undefined;
  let parsed: readonly Decl[] = [];
  const keep = snapshot && ((decls: readonly Decl[]) => snapshot((parsed = decls)));
  const { value, files } = preprocess<HeaderExtract>(source, { ...options, filename: SOURCE_NAME }, {
    where,
    name: 'header',
    keyParts: ['header', HEADER_READER_VERSION, only === undefined ? 'all' : `only /${only.source}/${only.flags}`, ...patterns.map((p) => p.source), snapshot ? 'snapshot' : 'text'],
    byContent: true,
    derive: ({ output }) => {
      const extract = (bound: FileScan, only = test): HeaderExtract =>
        extractHeader(output, { own: (f) => bound.own.has(f), part: (f) => bound.parts.get(f) ?? null, only, snapshot: keep });
      const scan = scanFiles(output, patterns, new Set());
      let x = extract(scan);
      const first = parsed;
      // An umbrella header, which alone binds nothing (options.only aside): what it includes from its place (see umbrellaParts).
      const umbrella = bindsNothing(x) && (test === null || bindsNothing(extract(scan, null))) ? umbrellaParts(scan, included, cwd) : new Set<string>();
      if (umbrella.size > 0) x = extract(scanFiles(output, patterns, umbrella));
      else parsed = first; // the snapshot's declarations are the extract's kept
      if (keep) derived = { value: x, parsed };
      return { value: x, files: x.files };
    },
  });
  return { ...value, stamp: files, include: source, ...(derived?.value === value ? { parsed: derived.parsed } : {}) };
}
