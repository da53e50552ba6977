// `cffi repl [FILE.c]`: Node's REPL with the C names in scope, and .c/.load/.dump/.cdef/.types to grow and inspect them.
import * as path from 'path';
import * as repl from 'repl';
import { nodeHost } from '../host';
import { packageRoot, packageVersion } from '../package';
import { CData, CcOptions, FFI, Lib, cc, ccInto, declarationsOf } from '../index';
import { COMPILE_OPTIONS, HELP, UsageError, VERSION, parseArgs, versionLine } from './args';
import { colorsFor, compileOptions, describeFailure, flushC, formatValue, installGlobals, uninstallGlobals } from './session';
import { replaceRedefined, withSourceLines } from './csource';

const REPL_HELP = `Usage: cffi repl [FILE.c] [options]

An interactive JavaScript session (Node's REPL: history, multi-line input, tab
completion) in which FILE.c's functions, globals, constants and \`ffi\` are in
scope. C added with .c is compiled together with what came before; the names
from before stay callable (C globals start over at each compile).

Commands in the session:
  .c CODE        add C definitions (an unfinished block continues on the next
                 lines; '.c' alone collects lines until '.end'); a function or
                 variable defined again replaces the earlier definition
  .break         drop a block of C being typed (so does Ctrl+C)
  .reset         start a fresh session (FILE.c is read again)
  .load FILE.c   add a C file
  .dump EXPR     show the memory of a cdata, byte by byte, annotated
  .cdef          the C declarations made from the code so far
  .types         TypeScript declarations for them

Options:
  --cc COMPILER     gcc, clang, tcc or a path (tcc compiles fastest)
  -O LEVEL, -l LIB, -L DIR, --rpath DIR, -I DIR, -D NAME[=VALUE], -U NAME, --cflags FLAGS,
  --ldflags FLAGS, --pkg-config PKG
                    as for cffi run
  -h, --help        show this help
  -v, --version     print the version`;

/** One addition of C to a session: the name diagnostics give it, and its text as compiled now. */
interface Chunk {
  readonly name: string;
  code: string;
}

/** The C code of a session: all of it is compiled at each addition, and its names become globals. */
class Session {
  private chunks: Chunk[] = [];
  private lib: Lib | null = null;
  ffi = new FFI();
  private count = 0;

  constructor(private readonly options: CcOptions) {
    installGlobals(null, this.ffi);
  }

  private sourceOf(chunks: readonly Chunk[]): string {
    return chunks.map((c) => `#line 1 "${c.name.replace(/[\\"]/g, '\\$&')}"\n${c.code}\n`).join('');
  }

  /**
   * Compiles the session's code plus `code` (reported as `name`); says whether it did, and what
   * to tell the user. A function or variable defined again replaces the earlier definition
   * (which becomes a declaration of the new one, so that earlier code calling it still compiles).
   */
  add(code: string, name = `<c ${++this.count}>`): { ok: boolean; text: string } {
    const replaced = new Set<string>();
    const chunks = this.chunks.map((c) => {
      const r = replaceRedefined(c.code, code);
      for (const n of r.replaced) replaced.add(n);
      return { name: c.name, code: r.text };
    });
    chunks.push({ name, code });
    const next = this.sourceOf(chunks);
    let lib: Lib;
    try {
      // First on its own: what fails to compile must not reach the session's declarations.
      cc(next, this.options);
      // Then into the session's one FFI, so that cdata made earlier keep their types for the new functions.
      lib = ccInto(this.ffi, next, this.options);
    } catch (e) {
      return { ok: false, text: withSourceLines(describeFailure(e), new Map(chunks.map((c) => [c.name, c.code]))) };
    }
    const before = new Set(this.lib === null ? [] : Object.keys(this.lib));
    const skippedBefore = new Set(this.lib === null ? [] : declarationsOf(this.lib).skipped.map((s) => s.name));
    this.chunks = chunks;
    this.lib = lib;
    const clashes = installGlobals(lib, this.ffi);
    const added = Object.keys(lib).filter((n) => !before.has(n));
    const lines: string[] = [];
    if (added.length) lines.push(`declared: ${added.join(', ')}`);
    if (replaced.size) lines.push(`redefined: ${[...replaced].join(', ')}`);
    if (lines.length === 0) lines.push('compiled; nothing new to declare');
    for (const s of declarationsOf(lib).skipped) if (!skippedBefore.has(s.name)) lines.push(`left out: ${s.name} (${s.where}): ${s.reason}`);
    for (const c of clashes) lines.push(`'${c}' is reachable as lib.${c} (the global keeps its JavaScript meaning)`);
    return { ok: true, text: lines.join('\n') };
  }

  /** Forgets all the C added and its names: a new FFI, as when the session started. */
  reset(): void {
    uninstallGlobals();
    this.chunks = [];
    this.lib = null;
    this.count = 0;
    this.ffi = new FFI();
    installGlobals(null, this.ffi);
  }

  cdef(): string {
    if (this.lib === null) return '(nothing declared yet: add C with .c or .load)';
    const d = declarationsOf(this.lib);
    const lines = d.cdefs.map((c) => (c.pack ? `/* pack ${c.pack} */\n${c.source}` : c.source).trimEnd());
    for (const [name, what] of Object.entries(d.statics)) lines.push(`/* static ${what} '${name}': not visible from JavaScript */`);
    for (const s of d.skipped) lines.push(`/* left out: ${s.name} (${s.where}): ${s.reason} */`);
    return lines.join('\n');
  }

  types(): string {
    if (this.lib === null) return '(nothing declared yet: add C with .c or .load)';
    const declared = new FFI();
    for (const c of declarationsOf(this.lib).cdefs) declared.cdef(c.source, c.pack ? { pack: c.pack } : {});
    return declared.typescriptDeclarations({ source: 'this session' }).trimEnd();
  }
}

/**
 * The error with the stack frames of node-cffi itself (and Node's internals) left out: what a
 * person at the prompt reads is the message and where their own code was.
 */
function withoutOwnFrames(err: unknown): unknown {
  if (!(err instanceof Error) || typeof err.stack !== 'string') return err;
  const own = `${packageRoot}${path.sep}`;
  const frames = err.stack.split('\n');
  const kept = frames.filter((line) => !/^\s+at /.test(line) || !(line.includes(own) || line.includes('(eval at makeCaller') || line.includes('node:internal')));
  if (kept.length !== frames.length) err.stack = kept.join('\n');
  return err;
}

/** Braces balanced and the code ends where a C declaration can: it is complete. */
function complete(code: string): boolean {
  const text = code.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\*[^]*?\*\/|\/\/[^\n]*/g, '');
  let depth = 0;
  for (const ch of text) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
  const end = text.trimEnd();
  return depth <= 0 && (end.endsWith('}') || end.endsWith(';') || /(^|\n)\s*#[^\n]*$/.test(end));
}

export async function replCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [HELP, VERSION, ...COMPILE_OPTIONS]);
  if (args.has('help')) {
    nodeHost.write('stdout', `${REPL_HELP}\n`);
    return 0;
  }
  if (args.has('version')) {
    nodeHost.write('stdout', versionLine());
    return 0;
  }
  if (args.positionals.length > 1) throw new UsageError(`repl: at most one C file to start with (got ${args.positionals.join(', ')})`);
  const file = args.positionals[0] ?? null;
  const session = new Session({ ...compileOptions(args, file), filename: file ?? 'repl.c' });
  const terminal = nodeHost.isTerminal('stdout') && nodeHost.isTerminal('stdin');
  const colors = terminal && colorsFor('stdout');
  let banner = `node-cffi ${packageVersion}: .help lists the commands`;
  if (file !== null) {
    let source: string;
    try {
      source = nodeHost.readFileSync(file).toString('utf8');
    } catch (e) {
      nodeHost.write('stderr', `cffi repl: cannot read ${file}: ${(e as Error).message}\n`);
      return 1;
    }
    const said = session.add(source, file);
    if (!said.ok) {
      nodeHost.write('stderr', `${said.text}\n`);
      return 1;
    }
    banner += `\n${file}: ${said.text}`;
  }
  nodeHost.write('stdout', `${banner}\n`);

  const r = repl.start({
    prompt: 'cffi> ',
    useGlobal: true,
    terminal,
    ignoreUndefined: true,
    // Node's REPL prints thrown errors through the writer too: they lose node-cffi's own frames.
    writer: (v: unknown) => formatValue(withoutOwnFrames(v), colors),
  });
  const say = (text: string) => r.output.write(`${text}\n`);

  // C collected over several lines: '.c' alone until '.end', or '.c' with an unfinished block until
  // it is complete. While C is typed, JavaScript's completion and preview are off (Tab is a Tab).
  let pending: { code: string; untilEnd: boolean } | null = null;
  // readline's switch for Tab completion, which Node's REPL also reads before showing a preview.
  const line = r as unknown as { isCompletionEnabled: boolean; clearLine?: () => void };
  // The completer itself also answers nothing while C is typed, even for a request made before: a
  // preview computed late (the completer may answer asynchronously) never lands in a line of C.
  const jsCompleter = r.completer as (text: string, cb: (err: Error | null, data?: [string[], string]) => void) => void;
  (r as unknown as { completer: typeof jsCompleter }).completer = (text, cb) => {
    if (pending !== null) return cb(null, [[], text]);
    jsCompleter.call(r, text, (err, data) => cb(err, pending !== null ? [[], text] : data));
  };
  // And Tab inserts a Tab while C is typed, whatever readline's switch says when the key arrives.
  const ttyWrite = (r as unknown as { _ttyWrite: (d: string, key?: { name?: string; ctrl?: boolean; meta?: boolean }) => void })._ttyWrite;
  (r as unknown as { _ttyWrite: typeof ttyWrite })._ttyWrite = function (this: unknown, d, key) {
    if (pending !== null && key?.name === 'tab' && !key.ctrl && !key.meta) {
      (r as unknown as { _insertString: (s: string) => void })._insertString('\t');
      return;
    }
    ttyWrite.call(this, d, key);
  };
  const enterC = (code: string, untilEnd: boolean) => {
    pending = { code, untilEnd };
    line.isCompletionEnabled = false;
    r.setPrompt(untilEnd ? 'c (.end)> ' : 'c... ');
  };
  const leaveC = (): string => {
    const code = pending?.code ?? '';
    pending = null;
    line.isCompletionEnabled = true;
    r.setPrompt('cffi> ');
    return code;
  };
  const finishC = () => {
    const code = leaveC();
    if (code.trim() !== '') say(session.add(code).text);
  };
  /** Ctrl+C or .break while C is typed: the block is dropped, nothing is compiled. */
  const abandonC = () => {
    leaveC();
    say('(the C block was abandoned; nothing was compiled)');
  };
  const evalJs = r.eval;
  (r as { eval: repl.REPLEval }).eval = function (this: repl.REPLServer, cmd, context, filename, callback) {
    if (pending !== null) {
      pending.code += cmd;
      if (!pending.untilEnd && complete(pending.code)) finishC();
      callback(null, undefined);
      return;
    }
    evalJs.call(this, cmd, context, filename, (err, result) => {
      flushC();
      callback(err, result);
    });
  };

  // Ctrl+C abandons a block of C; otherwise it does what it does in Node's REPL.
  const nodeSigint = r.listeners('SIGINT') as ((...args: unknown[]) => void)[];
  r.removeAllListeners('SIGINT');
  r.on('SIGINT', (...args: unknown[]) => {
    if (pending === null) {
      for (const listener of nodeSigint) listener.apply(r, args);
      return;
    }
    line.clearLine?.();
    abandonC();
    r.displayPrompt();
  });
  const nodeBreak = r.commands.break;
  r.defineCommand('break', {
    help: `${nodeBreak?.help ?? 'Get out of multi-line input'}; drops a block of C being typed`,
    action(this: repl.REPLServer, rest: string) {
      if (pending !== null) {
        abandonC();
        r.displayPrompt();
      } else if (nodeBreak) {
        nodeBreak.action.call(this, rest);
      }
    },
  });

  r.defineCommand('c', {
    help: 'Add C definitions: .c CODE (unfinished blocks continue), or .c alone, then lines, then .end; defining a function or variable again replaces it',
    action(code: string) {
      enterC(code === '' ? '' : `${code}\n`, code.trim() === '');
      if (!pending!.untilEnd && complete(pending!.code)) finishC();
      r.displayPrompt();
    },
  });
  r.defineCommand('end', {
    help: "End the C started with '.c' alone and compile it",
    action() {
      if (pending === null) say("nothing to end: '.end' closes C started with '.c'");
      else finishC();
      r.displayPrompt();
    },
  });
  r.defineCommand('reset', {
    help: `Start a fresh session: forget the C added and its names${file === null ? '' : ` (${file} is read again)`}; JavaScript variables stay`,
    action() {
      if (pending !== null) leaveC();
      session.reset();
      if (file === null) {
        say('a fresh session: no C yet');
      } else {
        try {
          const said = session.add(nodeHost.readFileSync(file).toString('utf8'), file);
          say(said.ok ? `a fresh session\n${file}: ${said.text}` : `a fresh session, without ${file}:\n${said.text}`);
        } catch (e) {
          say(`a fresh session, without ${file}: cannot read it: ${(e as Error).message}`);
        }
      }
      r.displayPrompt();
    },
  });
  r.defineCommand('load', {
    help: 'Add a C file: .load FILE.c',
    action(file: string) {
      const name = file.trim();
      try {
        if (!/\.[ch]$/.test(name)) throw new UsageError(`.load takes a C file (FILE.c), got '${name}'; load JavaScript with require()`);
        say(session.add(nodeHost.readFileSync(name).toString('utf8'), name).text);
      } catch (e) {
        say(e instanceof Error ? e.message : String(e));
      }
      r.displayPrompt();
    },
  });
  r.defineCommand('dump', {
    help: 'Show the memory of a cdata with addresses, bytes and values: .dump EXPR',
    action(expr: string) {
      try {
        const value: unknown = nodeHost.runScript(expr, '.dump');
        if (!(value instanceof CData)) throw new TypeError(`.dump ${expr}: expected a cdata, got ${formatValue(value, false)}`);
        say(session.ffi.dump(value));
      } catch (e) {
        say(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      }
      r.displayPrompt();
    },
  });
  r.defineCommand('cdef', {
    help: 'Show the C declarations made from the code so far',
    action() {
      say(session.cdef());
      r.displayPrompt();
    },
  });
  r.defineCommand('types', {
    help: 'Show TypeScript declarations for the code so far',
    action() {
      say(session.types());
      r.displayPrompt();
    },
  });
  if (terminal) {
    const history = nodeHost.env('NODE_CFFI_REPL_HISTORY') ?? path.join(nodeHost.homedir(), '.node_cffi_repl_history');
    if (history !== '') r.setupHistory(history, () => undefined);
  }
  return new Promise((resolve) => r.on('exit', () => resolve(0)));
}
