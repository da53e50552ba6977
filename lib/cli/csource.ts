// The C typed into a session: its top-level items and the names they define, a redefinition replacing the earlier one, and compiler diagnostics shown with the source line they name.

/** One top-level item of a C text: a declaration, a definition or a preprocessor line, with where it lies. */
export interface Item {
  readonly start: number;
  readonly end: number;
  /** A function this item defines (it has a body), or null. */
  readonly defines: string | null;
  /** A variable this item declares (a single simple declarator: `int n = 1;`, `char s[8];`), or null. */
  readonly variable: string | null;
}

/** Words that are followed by '(' without naming what a declaration declares. */
const NOT_NAMES = new Set([
  '__attribute__', '__attribute', '__declspec', '__asm__', '__asm', 'asm', 'sizeof', 'typeof', '__typeof__', '_Alignas', 'alignas',
  '_Alignof', 'alignof', '_Static_assert', 'static_assert', '__extension__', 'return', 'if', 'while', 'for', 'switch',
]);

/** Words of a declaration's specifiers: never the name of a variable. */
const SPECIFIERS = new Set([
  'int', 'char', 'short', 'long', 'float', 'double', 'void', 'signed', 'unsigned', '_Bool', 'bool', 'const', 'volatile',
  'static', 'extern', 'register', 'inline', 'restrict', '_Thread_local', 'thread_local', 'struct', 'union', 'enum',
  '__thread', '_Atomic', '_Complex',
]);

/**
 * Splits C source into top-level items. Comments, strings and character literals are skipped;
 * a preprocessor line (with its continuations) is an item of its own; a function definition ends
 * with the brace closing its body, any other item with a semicolon outside braces and parentheses.
 */
export function topLevelItems(code: string): Item[] {
  const items: Item[] = [];
  let start = 0;
  let depth = 0; // braces and parentheses
  let bodyOpenedAfterParen = false;
  let lastSignificant = '';
  let atLineStart = true;
  const finish = (end: number) => {
    const text = code.slice(start, end);
    if (text.trim() !== '') items.push({ start, end, ...namesOf(text) });
    start = end;
    bodyOpenedAfterParen = false;
    lastSignificant = '';
  };
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '\n') {
      atLineStart = true;
      continue;
    }
    if (atLineStart && ch === '#' && depth === 0) {
      if (code.slice(start, i).trim() !== '') {
        // A directive in the middle of an item stays part of it.
      } else {
        let j = i;
        while (j < code.length && !(code[j] === '\n' && code[j - 1] !== '\\')) j++;
        start = i;
        items.push({ start: i, end: j, defines: null, variable: null });
        start = j;
        i = j - 1;
        continue;
      }
    }
    if (ch !== ' ' && ch !== '\t' && ch !== '\r') atLineStart = false;
    if (ch === '/' && code[i + 1] === '*') {
      const close = code.indexOf('*/', i + 2);
      i = close < 0 ? code.length : close + 1;
      continue;
    }
    if (ch === '/' && code[i + 1] === '/') {
      const nl = code.indexOf('\n', i);
      i = (nl < 0 ? code.length : nl) - 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < code.length && code[j] !== ch && code[j] !== '\n') j += code[j] === '\\' ? 2 : 1;
      i = j;
      lastSignificant = ch;
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (ch === '{' || ch === '(') {
      if (ch === '{' && depth === 0) bodyOpenedAfterParen = lastSignificant === ')';
      depth++;
    } else if (ch === '}' || ch === ')') {
      depth = Math.max(0, depth - 1);
      if (ch === '}' && depth === 0 && bodyOpenedAfterParen) {
        finish(i + 1);
        continue;
      }
    } else if (ch === ';' && depth === 0) {
      finish(i + 1);
      continue;
    }
    lastSignificant = ch;
  }
  finish(code.length);
  return items;
}

/** Removes comments, strings and character literals (keeping their length out of account: only words matter here). */
function words(text: string): string {
  return text.replace(/\/\*[^]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, ' ');
}

function namesOf(text: string): { defines: string | null; variable: string | null } {
  const bare = words(text).trim();
  if (bare.startsWith('typedef') || bare.startsWith('extern')) return { defines: null, variable: null };
  const body = bare.endsWith('}') && bare.includes('(') ? bare.indexOf('{') : -1;
  if (body >= 0) {
    const head = bare.slice(0, body);
    for (const m of head.matchAll(/([A-Za-z_]\w*)\s*\(/g)) {
      if (!NOT_NAMES.has(m[1]) && !SPECIFIERS.has(m[1])) return { defines: m[1], variable: null };
    }
    return { defines: null, variable: null };
  }
  // A variable: one declarator without parentheses (no prototypes, no function pointers).
  const declarator = bare.replace(/;$/, '').split('=')[0];
  if (declarator.includes('(') || declarator.includes(',') || declarator.includes('{')) return { defines: null, variable: null };
  const names = declarator.replace(/\[[^\]]*\]/g, ' ').match(/[A-Za-z_]\w*/g) ?? [];
  const name = names[names.length - 1];
  return { defines: null, variable: name !== undefined && names.length > 1 && !SPECIFIERS.has(name) ? name : null };
}

/** The declaration an item's definition stands for: a function's prototype, or an extern variable (`extern int n;`). */
function declarationOf(code: string, item: Item): string {
  const text = code.slice(item.start, item.end).replace(/\/\*[^]*?\*\/|\/\/[^\n]*/g, ' ');
  if (item.defines !== null) return `${text.slice(0, text.indexOf('{')).trim()};`;
  const declarator = text.replace(/;\s*$/, '').split('=')[0].trim().replace(/^static\s+/, '');
  return `extern ${declarator};`;
}

/**
 * `earlier` with every definition of a function or variable that `code` defines again replaced
 * by the new one's declaration (a prototype, an `extern`), so that earlier code calling it still
 * compiles and calls the new definition. Each replacement keeps the lines the old definition
 * took, so that diagnostics keep pointing at the right lines. Returns the new text and the names
 * replaced.
 */
export function replaceRedefined(earlier: string, code: string): { text: string; replaced: string[] } {
  const fresh = new Map<string, string>();
  for (const item of topLevelItems(code)) {
    const name = item.defines ?? item.variable;
    if (name !== null) fresh.set(name, declarationOf(code, item));
  }
  if (fresh.size === 0) return { text: earlier, replaced: [] };
  let text = '';
  let at = 0;
  const replaced: string[] = [];
  for (const item of topLevelItems(earlier)) {
    const name = item.defines ?? item.variable;
    const declaration = name === null ? undefined : fresh.get(name);
    if (declaration === undefined || name === null) continue;
    const old = earlier.slice(item.start, item.end);
    const lead = /^\s*/.exec(old)![0];
    const lines = old.slice(lead.length).split('\n').length - 1;
    text += earlier.slice(at, item.start) + lead + declaration.replace(/\s*\n\s*/g, ' ') + '\n'.repeat(lines);
    at = item.end;
    replaced.push(name);
  }
  return { text: text + earlier.slice(at), replaced };
}

/**
 * Compiler diagnostics with the source line and a caret under the column, in GCC's layout, for
 * the positions in `sources` (names the compiler could not open, such as `<c 3>`), where the
 * compiler printed none itself (gcc quotes none for a file it cannot open; clang quotes what it
 * was given on standard input).
 */
export function withSourceLines(diagnostics: string, sources: ReadonlyMap<string, string>): string {
  const lines = diagnostics.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    out.push(line);
    const m = /^(.*?):(\d+):(\d+): (?:fatal error|error|warning): /.exec(line);
    if (!m) return;
    const text = sources.get(m[1]);
    // Quoted already: GCC's '  2 | …' layout, or clang's (the line as it is, then a caret line).
    const quoted = /^\s*\d+ \| /.test(lines[i + 1] ?? '') || ((lines[i + 1] ?? '').trim() !== '' && /^\s*[\^~]/.test(lines[i + 2] ?? ''));
    if (text === undefined || quoted) return;
    const lineNo = Number(m[2]);
    const source = text.split('\n')[lineNo - 1];
    if (source === undefined) return;
    const column = Math.max(1, Number(m[3]));
    const gutter = String(lineNo).padStart(5);
    const before = source.slice(0, column - 1).replace(/[^\t]/g, ' ');
    out.push(`${gutter} | ${source}`, `${' '.repeat(gutter.length)} | ${before}^`);
  });
  return out.join('\n');
}
