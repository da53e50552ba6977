// `cffi cache [ls|clean]`: what the cache of compiled libraries holds (size, age, source), and emptying it.
import { cacheDirectory, cleanCache, listCache, listCodeCaches } from '../build';
import { nodeHost } from '../host';
import { HELP, UsageError, VERSION, parseArgs, versionLine } from './args';

const CACHE_HELP = `Usage: cffi cache [ls|clean]

  ls      list the compiled libraries in the cache: size, age, source file, compiler
          (the default); and the start-up code cache's files, if any
  clean   remove them all, with the remembered compiler versions, the start-up
          code cache and the leftovers of builds that crashed; libraries are
          rebuilt when next needed, the code cache when node-cffi next starts

The cache is $NODE_CFFI_CACHE, else $XDG_CACHE_HOME/node-cffi, else
~/.cache/node-cffi.

Options:
  -h, --help      show this help
  -v, --version   print the version`;

export async function cacheCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [HELP, VERSION]);
  if (args.has('help')) {
    nodeHost.write('stdout', `${CACHE_HELP}\n`);
    return 0;
  }
  if (args.has('version')) {
    nodeHost.write('stdout', versionLine());
    return 0;
  }
  const [action = 'ls', ...extra] = args.positionals;
  if (extra.length > 0) throw new UsageError(`cache: unexpected '${extra[0]}'`);
  const dir = cacheDirectory({});
  switch (action) {
    case 'ls':
      nodeHost.write('stdout', `${listing(dir)}\n`);
      return 0;
    case 'clean': {
      const { removed, bytes } = cleanCache({});
      nodeHost.write('stdout', `${removed === 0 ? `${dir}: nothing to remove` : `${dir}: removed ${removed} entries (${size(bytes)})`}\n`);
      return 0;
    }
    default:
      throw new UsageError(`cache: unknown action '${action}'; use 'ls' or 'clean'`);
  }
}

function listing(dir: string): string {
  const libraries = librariesListed(dir);
  const codeCaches = listCodeCaches({});
  if (codeCaches.length === 0) return libraries;
  const bytes = codeCaches.reduce((n, f) => n + f.size, 0);
  return `${libraries}\nstart-up code cache: ${codeCaches.length} ${codeCaches.length === 1 ? 'file' : 'files'}, ${size(bytes)} (V8's compiled node-cffi; remade when missing)`;
}

function librariesListed(dir: string): string {
  const entries = listCache({});
  if (entries.length === 0) return `${dir}: no compiled libraries`;
  const total = entries.reduce((n, e) => n + e.size, 0);
  const now = nodeHost.now();
  const rows = [['SIZE', 'AGE', 'SOURCE', 'NAME', 'COMPILER']];
  for (const e of [...entries].sort((a, b) => b.created.getTime() - a.created.getTime())) {
    rows.push([size(e.size), age(now - e.created.getTime()), e.source, e.name, `${e.compiler.family} (${e.compiler.version})`]);
  }
  const widths = rows[0].map((_, c) => rows.reduce((w, r) => Math.max(w, r[c].length), 0));
  const lines = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
  return [`${dir}: ${entries.length} ${entries.length === 1 ? 'library' : 'libraries'}, ${size(total)}`, ...lines].join('\n');
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
