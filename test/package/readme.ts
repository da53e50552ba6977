// Test helper: the README's examples as a consumer project meets them: code blocks, the files they name, command transcripts, and the results their comments claim.
import * as fs from 'fs';

/** One fenced block of the README, with its language and the file an HTML comment before it names. */
export interface Block {
  readonly lang: string;
  readonly text: string;
  /** `<!-- file: NAME -->` on the line before the fence: the block is that file's content. */
  readonly file: string | null;
  /** The heading the block is under, for messages. */
  readonly section: string;
}

/** The fenced blocks of a Markdown text, in order. */
export function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const heading = /^#+ (.*)/.exec(lines[i]);
    if (heading) section = heading[1];
    const fence = /^```(\w*)\s*$/.exec(lines[i]);
    if (!fence) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`README: the block at line ${i + 1} is not closed`);
    const annotation = /^<!-- file: (\S+) -->$/.exec(lines[i - 1] ?? '');
    blocks.push({ lang: fence[1], text: `${lines.slice(i + 1, end).join('\n')}\n`, file: annotation ? annotation[1] : null, section });
    i = end;
  }
  return blocks;
}

export function readme(path: string): Block[] {
  return blocksOf(fs.readFileSync(path, 'utf8'));
}

/** One command of a transcript block (`$ command` then what it prints). */
export interface Transcript {
  readonly command: string;
  readonly output: string;
}

/** The commands of a block whose lines start with `$ `, each with the lines it prints. */
export function transcripts(block: Block): Transcript[] {
  const out: { command: string; lines: string[] }[] = [];
  for (const line of block.text.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('$ ')) out.push({ command: line.slice(2), lines: [] });
    else if (out.length > 0) out[out.length - 1].lines.push(line);
  }
  return out.map((t) => ({ command: t.command, output: t.lines.length ? `${t.lines.join('\n')}\n` : '' }));
}

/** A literal a comment states as a statement's result: a number, bigint, string, boolean or null. */
const LITERAL = /^(-?\d+(?:\.\d+)?n?|'(?:[^'\\]|\\.)*'|true|false|null)$/;

/**
 * The program with each `expression; // literal` line turned into a check that the expression
 * gives that literal (`$expect(expression, literal);`), and the import of the check. Lines whose
 * comment says more than a literal are left as they are. Returns the program and how many
 * checks it holds.
 */
export function withChecks(program: string): { text: string; checks: number } {
  let checks = 0;
  const lines = program.split('\n').map((line) => {
    const m = /^(\S.*?);\s*\/\/ (.+)$/.exec(line);
    if (!m || !LITERAL.test(m[2].trim()) || /^(const|let|var|import|export)\b/.test(m[1])) return line;
    checks++;
    return `$expect(${m[1]}, ${m[2].trim()});`;
  });
  const imports = lines.filter((l) => /^import\b/.test(l));
  const rest = lines.filter((l) => !/^import\b/.test(l));
  return { text: ["import { deepStrictEqual as $expect } from 'assert';", ...imports, ...rest].join('\n'), checks };
}
