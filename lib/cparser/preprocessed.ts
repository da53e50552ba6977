// The preprocessor's output (`cc -E -dD`) as a token table tagged with file and line, its `#define`, `#undef`, `#pragma pack` and `#pragma GCC target` lines as events.
import { LITERAL_PREFIXES, PUNCT_TEXTS, TokenKind, isBlank, isDigit, isIdentStart } from './lexer';

const PUNCT3 = new Set(PUNCT_TEXTS.filter((p) => p.length === 3));
const PUNCT2 = new Set(PUNCT_TEXTS.filter((p) => p.length === 2));
const PUNCT1 = new Set(PUNCT_TEXTS.filter((p) => p.length === 1));

/**
 * The grammar as one regular expression over preprocessed text, one piece per match: a directive
 * line, a newline, blanks, a (prefixed) string or character literal, a name ('$' allowed, as GCC
 * does), a preprocessing number, a comment, a punctuator (longest first), or any other character.
 * Matching natively is several times faster than a loop over characters in JavaScript that runs
 * once, as a cold cc() does; cdef text, parsed again and again, keeps the loop.
 */
const PREPROCESSED_PIECES = (() => {
  const escape = (p: string) => p.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  const prefix = `(?:${[...LITERAL_PREFIXES].join('|')})?`;
  return new RegExp(
    [
      '^[ \\t]*#[^\\n]*',
      '\\n',
      '[ \\t\\f\\v\\r]+',
      `${prefix}"(?:[^"\\\\\\n]|\\\\.)*"?`,
      `${prefix}'(?:[^'\\\\\\n]|\\\\.)*'?`,
      '[A-Za-z_$][\\w$]*',
      '\\.?\\d(?:[eEpP][+-]|[\\w.$])*',
      '/\\*[^]*?(?:\\*/|(?![^]))',
      '//[^\\n]*',
      ...[...PUNCT3, ...PUNCT2].map(escape),
      '[^]', // single-character punctuators among the rest
    ].join('|'),
    'gm',
  );
})();

/** The kind of a token of preprocessed text: a C token, or a character that starts none. */
export type TableKind = Exclude<TokenKind, 'hash' | 'eol' | 'eof'> | 'other';

/**
 * Tokens of preprocessed C as parallel arrays (a struct of arrays): a large translation unit makes
 * tens of thousands, and one object each would keep the garbage collector busy. Token `i` is
 * `kinds[i]`, `texts[i]`, and so on. The numbers are typed arrays, outside the collected heap,
 * which each young-generation collection would otherwise copy while the table is new; each is
 * exactly `length` long (reading past the end gives undefined, as an array's would).
 */
export class TokenTable {
  readonly kinds: TableKind[] = [];
  /** Identifier and punctuator texts are interned: equal texts are one string. */
  readonly texts: string[] = [];
  /** Index into the reader's file names of the file the token came from. */
  files = new Int32Array(0);
  lines = new Int32Array(0);
  /** Whitespace separated it from the previous token in the text (1) or not (0). */
  spaced = new Uint8Array(0);
  /** The token's index as read, which directive positions refer to: `i` until tokens are removed in place. */
  raws = new Int32Array(0);
  /** Room for this many tokens in the numbers' buffers (push grows them; done() trims the views). */
  private room = 0;

  get length(): number {
    return this.kinds.length;
  }

  push(kind: TableKind, text: string, file: number, line: number, spaced: boolean, raw: number): void {
    const i = this.kinds.length;
    if (i === this.room) this.grow();
    this.kinds.push(kind);
    this.texts.push(text);
    this.files[i] = file;
    this.lines[i] = line;
    this.spaced[i] = spaced ? 1 : 0;
    this.raws[i] = raw;
  }

  /** Ends the pushes: the numbers' views end at the last token. */
  done(): void {
    this.truncate(this.kinds.length);
  }

  /** Keeps the first `length` tokens (for a reader that removes tokens in place). */
  truncate(length: number): void {
    this.kinds.length = this.texts.length = length;
    this.files = this.files.subarray(0, length);
    this.lines = this.lines.subarray(0, length);
    this.spaced = this.spaced.subarray(0, length);
    this.raws = this.raws.subarray(0, length);
    this.room = length;
  }

  /** True when token `i` is the punctuator `text`. */
  isPunct(i: number, text: string): boolean {
    return this.kinds[i] === 'punct' && this.texts[i] === text;
  }

  isIdent(i: number): boolean {
    return this.kinds[i] === 'ident';
  }

  private grow(): void {
    const room = Math.max(1024, this.room * 2);
    const more = <T extends Int32Array | Uint8Array>(a: T, made: T): T => {
      made.set(a);
      return made;
    };
    this.files = more(this.files, new Int32Array(room));
    this.lines = more(this.lines, new Int32Array(room));
    this.spaced = more(this.spaced, new Uint8Array(room));
    this.raws = more(this.raws, new Int32Array(room));
    this.room = room;
  }
}

/** A `#define` as `-dD` prints it, at the token position it precedes. */
export interface MacroDef {
  readonly name: string;
  /** Parameter names of a function-like macro; null for an object-like one. */
  readonly params: readonly string[] | null;
  readonly body: string;
  readonly file: number;
  readonly line: number;
  /** Index of the first token after the definition. */
  readonly at: number;
}

/** The `#pragma pack` value in force from token `at` on (0: natural alignment). */
export interface PackChange {
  readonly at: number;
  readonly pack: number;
}

/**
 * The target strings in force from token `at` on, as `#pragma GCC target("avx2")` adds them and
 * `push_options` / `pop_options` / `reset_options` save, restore and clear them (gcc's intrinsics
 * headers compile their functions so).
 */
export interface TargetChange {
  readonly at: number;
  readonly targets: readonly string[];
}

export interface Preprocessed {
  readonly tokens: TokenTable;
  /** File names as the line markers spell them, in order of first appearance. */
  readonly files: readonly string[];
  /** The macros still defined at the end of the translation unit, by name. */
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly packs: readonly PackChange[];
  readonly targets: readonly TargetChange[];
}

/** A line marker (`# 12 "file.h" 1 3`) or `#line 12 "file.h"`: the line number and file name. */
const MARKER = /^#\s*(?:line\s+)?(\d+)\s+"((?:[^"\\]|\\.)*)"/;
const DEFINE = /^#\s*define\s+([A-Za-z_$][\w$]*)(\(([^)]*)\))?(?:\s+(.*))?$/;
const UNDEF = /^#\s*undef\s+([A-Za-z_$][\w$]*)/;
const PRAGMA_PACK = /^#\s*pragma\s+pack\s*\(([^)]*)\)/;
const PRAGMA_GCC_OPTIONS = /^#\s*pragma\s+GCC\s+(push_options|pop_options|reset_options|target\s*\((.*)\))/;

const unescapeFile = (s: string): string => (s.includes('\\') ? s.replace(/\\(.)/g, '$1') : s);

/** Splits preprocessed text (a whole file, or a macro's body) into the pieces the reader reads: tokens, blanks, newlines, comments, directive lines. */
export function preprocessedPieces(text: string): string[] {
  return text.match(PREPROCESSED_PIECES) ?? [];
}

/** The token kind of a piece of preprocessed text; null for blanks, newlines and comments (a directive line is a 'punct'). */
export function pieceKind(piece: string): TableKind | null {
  const c = piece.charCodeAt(0);
  if (c === 10 || isBlank(c) || (c === 47 && (piece.startsWith('/*') || piece.startsWith('//')))) return null;
  return tableKind(piece, c);
}

/** The kind of a piece that is a token (not a blank, newline, comment or directive), from its first character `c`. */
function tableKind(piece: string, c: number): TableKind {
  if (isIdentStart(c)) return piece.includes('"') ? 'string' : piece.includes("'") ? 'char' : 'ident';
  if (isDigit(c) || (c === 46 && piece.length > 1 && isDigit(piece.charCodeAt(1)))) return 'number';
  if (c === 34) return 'string';
  if (c === 39) return 'char';
  return piece.length > 1 || PUNCT1.has(piece) ? 'punct' : 'other';
}

/**
 * Reads the output of `cc -E -dD` (or C text without directives): its tokens tagged with file and
 * line from the line markers, its macro definitions and `#pragma pack` changes in order. Never
 * throws: text that is no C token becomes 'other' tokens for the caller to pass over.
 */
export function readPreprocessed(text: string): Preprocessed {
  return new PreprocessedReader(text).run();
}

class PreprocessedReader {
  private readonly tokens = new TokenTable();
  private readonly interned = new Map<string, string>();
  private readonly files: string[] = [];
  private readonly fileIndex = new Map<string, number>();
  private readonly macros = new Map<string, MacroDef>();
  private readonly packs: PackChange[] = [];
  private readonly packStack: number[] = [];
  private pack = 0;
  private readonly targets: TargetChange[] = [];
  private readonly targetStack: (readonly string[])[] = [];
  private target: readonly string[] = [];
  private file = 0;
  private line = 1;

  constructor(private readonly text: string) {
    this.enterFile('<stdin>');
  }

  run(): Preprocessed {
    let spaced = true;
    let lineStart = true;
    for (const piece of preprocessedPieces(this.text)) {
      const c = piece.charCodeAt(0);
      if (c === 10) {
        this.line++;
        spaced = lineStart = true;
      } else if (isBlank(c) || (c === 35 && lineStart)) {
        // A run of blanks, or a directive line (only those pieces hold a '#').
        const hash = piece.indexOf('#');
        if (hash >= 0) this.directive(piece.slice(hash));
        spaced = true;
      } else if (c === 47 && (piece.startsWith('/*') || piece.startsWith('//'))) {
        // Comments do not survive -E, but a source read without the preprocessor has them.
        for (let nl = piece.indexOf('\n'); nl >= 0; nl = piece.indexOf('\n', nl + 1)) this.line++;
        spaced = true;
      } else {
        const kind = tableKind(piece, c);
        const text = kind === 'ident' || kind === 'punct' ? this.intern(piece) : piece;
        this.tokens.push(kind, text, this.file, this.line, spaced, this.tokens.length);
        spaced = lineStart = false;
      }
    }
    this.tokens.done();
    return { tokens: this.tokens, files: this.files, macros: this.macros, packs: this.packs, targets: this.targets };
  }

  private enterFile(name: string): void {
    let i = this.fileIndex.get(name);
    if (i === undefined) {
      i = this.files.push(name) - 1;
      this.fileIndex.set(name, i);
    }
    this.file = i;
  }

  /** Handles one directive line; the newline after it is counted by the caller. */
  private directive(d: string): void {
    let k = 1;
    while (isBlank(d.charCodeAt(k))) k++;
    const c = d.charCodeAt(k);
    if (isDigit(c) || c === 108 /* l */) {
      const marker = MARKER.exec(d);
      if (marker) {
        this.enterFile(unescapeFile(marker[2]));
        this.line = Number(marker[1]) - 1;
      }
      return;
    }
    const at = this.tokens.length;
    if (c === 100 /* d */) {
      const def = DEFINE.exec(d);
      if (def) {
        const params = def[2] === undefined ? null : def[3].split(',').map((p) => p.trim()).filter((p) => p !== '');
        this.macros.set(def[1], { name: def[1], params, body: (def[4] ?? '').trim(), file: this.file, line: this.line, at });
      }
    } else if (c === 117 /* u */) {
      const undef = UNDEF.exec(d);
      if (undef) this.macros.delete(undef[1]);
    } else if (c === 112 /* p */) {
      const pack = PRAGMA_PACK.exec(d);
      if (pack) this.pragmaPack(pack[1], at);
      const options = PRAGMA_GCC_OPTIONS.exec(d);
      if (options) this.pragmaOptions(options[1], options[2], at);
    }
  }

  /** `#pragma pack(n)`, `pack()`, `pack(push[, n])`, `pack(pop)`, as GCC reads them. */
  private pragmaPack(args: string, at: number): void {
    const parts = args.split(',').map((p) => p.trim()).filter((p) => p !== '');
    const number = parts.map(Number).find((n) => Number.isInteger(n) && n > 0);
    if (parts[0] === 'push') {
      this.packStack.push(this.pack);
      if (number !== undefined) this.pack = number;
    } else if (parts[0] === 'pop') {
      this.pack = this.packStack.pop() ?? 0;
    } else {
      this.pack = number ?? 0;
    }
    this.packs.push({ at, pack: this.pack });
  }

  /** `#pragma GCC push_options`, `pop_options`, `reset_options`, `target("a,b", "c")`, as GCC reads them. */
  private pragmaOptions(what: string, args: string | undefined, at: number): void {
    if (what === 'push_options') {
      this.targetStack.push(this.target);
      return;
    }
    if (what === 'pop_options') this.target = this.targetStack.pop() ?? [];
    else if (what === 'reset_options') this.target = [];
    else this.target = [...this.target, ...[...(args ?? '').matchAll(/"([^"\\]*)"/g)].map((m) => m[1])];
    this.targets.push({ at, targets: this.target });
  }

  private intern(text: string): string {
    const known = this.interned.get(text);
    if (known !== undefined) return known;
    this.interned.set(text, text);
    return text;
  }
}
