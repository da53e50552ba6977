// Reads the C preprocessor's output (-E -dD): tokens tagged with their file, macro definitions and pack pragmas in order.

export type PKind = 'ident' | 'number' | 'char' | 'string' | 'punct' | 'other';

/** One token of preprocessed C. */
export interface PToken {
  readonly kind: PKind;
  readonly text: string;
  /** Index into `Scanned.files` of the file the token came from. */
  readonly file: number;
  readonly line: number;
  /** Whitespace separated it from the previous token in the output. */
  readonly spaced: boolean;
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
  readonly tokens: readonly PToken[];
  /** File names as the line markers spell them, in order of first appearance. */
  readonly files: readonly string[];
  /** The macros still defined at the end of the translation unit, by name. */
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly packs: readonly PackChange[];
}

const PUNCT3 = new Set(['...', '<<=', '>>=']);
const PUNCT2 = new Set([
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '##',
]);
const PUNCT1 = '{}[]();,:=*&|^~!?+-/%<>.#';

const isIdentStart = (c: string): boolean => /[A-Za-z_$]/.test(c);
const isIdentPart = (c: string): boolean => /[\w$]/.test(c);
const LITERAL_PREFIXES = new Set(['L', 'u', 'U', 'u8']);

/** A line marker (`# 12 "file.h" 1 3`) or `#line 12 "file.h"`: the line number, file name and flags. */
const MARKER = /^#\s*(?:line\s+)?(\d+)\s+"((?:[^"\\]|\\.)*)"((?:\s+\d+)*)\s*$/;
const DEFINE = /^#\s*define\s+([A-Za-z_$][\w$]*)(\(([^)]*)\))?(?:\s+(.*))?$/;
const UNDEF = /^#\s*undef\s+([A-Za-z_$][\w$]*)/;
const PRAGMA_PACK = /^#\s*pragma\s+pack\s*\(([^)]*)\)/;

const unescapeFile = (s: string): string => s.replace(/\\(.)/g, '$1');

/** Splits preprocessed C into tokens and directive events; never throws on unusual text. */
export function scanPreprocessed(text: string): Scanned {
  return new Scanner(text).run();
}

class Scanner {
  private readonly tokens: PToken[] = [];
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
    const lines = this.text.split('\n');
    for (const raw of lines) {
      const l = raw.replace(/\r$/, '');
      const trimmed = l.trimStart();
      if (trimmed.startsWith('#')) this.directive(trimmed);
      else {
        this.tokenizeLine(l);
        this.line++;
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

  private directive(d: string): void {
    const marker = MARKER.exec(d);
    if (marker) {
      this.enterFile(unescapeFile(marker[2]));
      this.line = Number(marker[1]);
      return;
    }
    const at = this.tokens.length;
    const def = DEFINE.exec(d);
    if (def) {
      const params = def[2] === undefined ? null : def[3].split(',').map((p) => p.trim()).filter((p) => p !== '');
      this.macros.set(def[1], { name: def[1], params, body: (def[4] ?? '').trim(), file: this.file, line: this.line, at });
    } else {
      const undef = UNDEF.exec(d);
      if (undef) this.macros.delete(undef[1]);
      const pack = PRAGMA_PACK.exec(d);
      if (pack) this.pragmaPack(pack[1], at);
    }
    this.line++;
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

  private push(kind: PKind, text: string, spaced: boolean): void {
    this.tokens.push({ kind, text, file: this.file, line: this.line, spaced });
  }

  private tokenizeLine(l: string): void {
    let i = 0;
    let spaced = true;
    while (i < l.length) {
      const c = l[i];
      if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
        i++;
        spaced = true;
        continue;
      }
      if (c === '/' && l[i + 1] === '/') return;
      if (c === '/' && l[i + 1] === '*') {
        const close = l.indexOf('*/', i + 2);
        i = close < 0 ? l.length : close + 2; // comments do not survive -E; a stray one is dropped
        spaced = true;
        continue;
      }
      const start = i;
      if (isIdentStart(c)) {
        while (i < l.length && isIdentPart(l[i])) i++;
        const q = l[i];
        if ((q === '"' || q === "'") && LITERAL_PREFIXES.has(l.slice(start, i))) i = literalEnd(l, i);
        else {
          this.push('ident', l.slice(start, i), spaced);
          spaced = false;
          continue;
        }
        this.push(q === '"' ? 'string' : 'char', l.slice(start, i), spaced);
      } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(l[i + 1] ?? ''))) {
        i++;
        while (i < l.length && (/[\w.$]/.test(l[i]) || ((l[i] === '+' || l[i] === '-') && /[eEpP]/.test(l[i - 1])))) i++;
        this.push('number', l.slice(start, i), spaced);
      } else if (c === '"' || c === "'") {
        i = literalEnd(l, i);
        this.push(c === '"' ? 'string' : 'char', l.slice(start, i), spaced);
      } else {
        const len = PUNCT3.has(l.slice(i, i + 3)) ? 3 : PUNCT2.has(l.slice(i, i + 2)) ? 2 : PUNCT1.includes(c) ? 1 : 0;
        i += len || 1;
        this.push(len ? 'punct' : 'other', l.slice(start, i), spaced);
      }
      spaced = false;
    }
  }
}

/** The index after the literal whose opening quote is at `open` (the end of the line if it never closes). */
function literalEnd(l: string, open: number): number {
  const q = l[open];
  let i = open + 1;
  while (i < l.length && l[i] !== q) i += l[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, l.length);
}
