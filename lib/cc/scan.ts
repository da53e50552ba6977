// Reads the C preprocessor's output (-E -dD): tokens tagged with their file, macro definitions and pack pragmas in order.

export type PKind = 'ident' | 'number' | 'char' | 'string' | 'punct' | 'other';

/**
 * Tokens of preprocessed C as parallel arrays (a struct of arrays): a large translation unit makes
 * tens of thousands, and one object each would keep the garbage collector busy. Token `i` is
 * `kinds[i]`, `texts[i]`, and so on.
 */
export class TokenTable {
  readonly kinds: PKind[] = [];
  /** Identifier and punctuator texts are interned: equal texts are one string. */
  readonly texts: string[] = [];
  /** Index into `Scanned.files` of the file the token came from. */
  readonly files: number[] = [];
  readonly lines: number[] = [];
  /** Whitespace separated it from the previous token in the output. */
  readonly spaced: boolean[] = [];
  /** For a table derived from another, the token's index there (directive positions refer to the scanner's). */
  readonly raws: number[] = [];

  get length(): number {
    return this.kinds.length;
  }

  push(kind: PKind, text: string, file: number, line: number, spaced: boolean, raw: number): void {
    this.kinds.push(kind);
    this.texts.push(text);
    this.files.push(file);
    this.lines.push(line);
    this.spaced.push(spaced);
    this.raws.push(raw);
  }

  /** True when token `i` is the punctuator `text`. */
  isPunct(i: number, text: string): boolean {
    return this.kinds[i] === 'punct' && this.texts[i] === text;
  }

  isIdent(i: number): boolean {
    return this.kinds[i] === 'ident';
  }
}

/** A `#define` as -dD prints it, at the token position it precedes. */
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

export interface Scanned {
  readonly tokens: TokenTable;
  /** File names as the line markers spell them, in order of first appearance. */
  readonly files: readonly string[];
  /** The macros still defined at the end of the translation unit, by name. */
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly packs: readonly PackChange[];
}

/** Every punctuator of C, and the preprocessor's '#' and '##'. */
const PUNCTUATORS = new Set([
  '...', '<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=',
  '|=', '^=', '##', ...'{}[]();,:=*&|^~!?+-/%<>.#',
]);

/**
 * One piece of preprocessed text per match: a directive line, a newline, blanks, a (prefixed)
 * string or character literal, an identifier, a preprocessing number, a comment, a punctuator,
 * or any other single character. Matching natively is several times faster than a loop over
 * characters in JavaScript that runs once, as a cold cc() does.
 */
const PIECE = new RegExp(
  [
    '^[ \\t]*#[^\\n]*',
    '\\n',
    '[ \\t\\f\\v\\r]+',
    '(?:u8|[LuU])?"(?:[^"\\\\\\n]|\\\\.)*"?',
    "(?:u8|[LuU])?'(?:[^'\\\\\\n]|\\\\.)*'?",
    '[A-Za-z_$][\\w$]*',
    '\\.?\\d(?:[eEpP][+-]|[\\w.$])*',
    '/\\*[^]*?(?:\\*/|(?![^]))',
    '//[^\\n]*',
    '\\.\\.\\.|<<=|>>=|->|\\+\\+|--|<<|>>|<=|>=|==|!=|&&|\\|\\||[-+*/%&|^]=|##',
    '[^]',
  ].join('|'),
  'gm',
);

const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 12 || c === 11 || c === 13;

/** The kind of a piece that is a token (not a blank, newline, comment or directive). */
function kindOf(piece: string, c: number): PKind {
  if (isIdentStart(c)) return piece.includes('"') ? 'string' : piece.includes("'") ? 'char' : 'ident';
  if (isDigit(c) || (c === 46 && piece.length > 1 && isDigit(piece.charCodeAt(1)))) return 'number';
  if (c === 34) return 'string';
  if (c === 39) return 'char';
  return PUNCTUATORS.has(piece) ? 'punct' : 'other';
}

/** A line marker (`# 12 "file.h" 1 3`) or `#line 12 "file.h"`: the line number and file name. */
const MARKER = /^#\s*(?:line\s+)?(\d+)\s+"((?:[^"\\]|\\.)*)"/;
const DEFINE = /^#\s*define\s+([A-Za-z_$][\w$]*)(\(([^)]*)\))?(?:\s+(.*))?$/;
const UNDEF = /^#\s*undef\s+([A-Za-z_$][\w$]*)/;
const PRAGMA_PACK = /^#\s*pragma\s+pack\s*\(([^)]*)\)/;

const unescapeFile = (s: string): string => s.replace(/\\(.)/g, '$1');

/** Splits preprocessed C into tokens and directive events; never throws on unusual text. */
export function scanPreprocessed(text: string): Scanned {
  return new Scanner(text).run();
}

class Scanner {
  private readonly tokens = new TokenTable();
  private readonly interned = new Map<string, string>();
  private readonly files: string[] = [];
  private readonly fileIndex = new Map<string, number>();
  private readonly macros = new Map<string, MacroDef>();
  private readonly packs: PackChange[] = [];
  private readonly packStack: number[] = [];
  private pack = 0;
  private file = 0;
  private line = 1;

  constructor(private readonly text: string) {
    this.enterFile('<stdin>');
  }

  run(): Scanned {
    let spaced = true;
    let lineStart = true;
    for (const piece of this.text.match(PIECE) ?? []) {
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
        const kind = kindOf(piece, c);
        const text = kind === 'ident' || kind === 'punct' ? this.intern(piece) : piece;
        this.tokens.push(kind, text, this.file, this.line, spaced, this.tokens.length);
        spaced = lineStart = false;
      }
    }
    return { tokens: this.tokens, files: this.files, macros: this.macros, packs: this.packs };
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

  private intern(text: string): string {
    const known = this.interned.get(text);
    if (known !== undefined) return known;
    this.interned.set(text, text);
    return text;
  }
}
