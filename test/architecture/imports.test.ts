// docs/architecture.md against the code: every lib/ file's imports, Node modules and `process` uses follow the page's tables, and the page claims no more than the code does.
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const PAGE = path.join(ROOT, 'docs', 'architecture.md');

// ---------------------------------------------------------------------------------------------
// The page

interface ModuleRow {
  readonly name: string;
  /** Files and directories (ending in '/') the module holds, relative to the repository. */
  readonly files: readonly string[];
  /** The files other modules may import; empty: any file of the module. */
  readonly surface: readonly string[];
  readonly mayImport: readonly string[];
}

interface ApiRow {
  /** Node modules, packages, `process` or `process.<member>`. */
  readonly names: readonly string[];
  /** Files that may use them; null: any file. */
  readonly files: readonly string[] | null;
}

const backticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** The rows of the markdown table whose header row starts with `header`, as trimmed cells. */
function tableRows(page: string, header: string): string[][] {
  const lines = page.split('\n');
  const at = lines.findIndex((l) => l.startsWith(header));
  if (at < 0) throw new Error(`docs/architecture.md has no table starting with '${header}'`);
  const rows: string[][] = [];
  for (const line of lines.slice(at + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, line.lastIndexOf('|')).split('|').map((c) => c.trim()));
  }
  return rows;
}

function readModules(page: string): ModuleRow[] {
  return tableRows(page, '| module | files | reached through | may import |').map(([name, files, surface, may]) => ({
    name,
    files: backticked(files),
    surface: backticked(surface),
    mayImport: may === '—' || may === '' ? [] : may.split(',').map((m) => m.trim()),
  }));
}

function readApis(page: string): ApiRow[] {
  return tableRows(page, '| Node API or package | used only in |').map(([names, files]) => ({
    names: backticked(names).filter((n) => !n.endsWith('…')),
    files: files.startsWith('any file') ? null : backticked(files),
  }));
}

/** The layers of the page's picture, by module name (base is below layer 0). */
function readLayers(page: string): Map<string, number> {
  const block = /```\n layer {2}modules\n([^]*?)```/.exec(page);
  if (!block) throw new Error("docs/architecture.md has no picture of layers (a code block starting ' layer  modules')");
  const layers = new Map<string, number>();
  for (const line of block[1].split('\n')) {
    const m = /^ (\d+|base) +(.+?)(?: {2,}.*)?$/.exec(line);
    if (!m) continue;
    for (const name of m[2].split(',')) layers.set(name.trim(), m[1] === 'base' ? -1 : Number(m[1]));
  }
  return layers;
}

// ---------------------------------------------------------------------------------------------
// The code

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [path.relative(ROOT, full).split(path.sep).join('/')] : [];
  });
}

interface FileFacts {
  /** Module specifiers as written: imports, exports from, import(), require(). */
  readonly imports: readonly string[];
  /** `process.<member>` used, or 'process' for any other use of it. */
  readonly processUses: readonly string[];
}

function factsOf(file: string): FileFacts {
  const sf = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const imports: string[] = [];
  const processUses: string[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      imports.push(n.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) {
      imports.push(n.moduleReference.expression.text);
    } else if (ts.isCallExpression(n) && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require'))) {
      const arg = n.arguments[0];
      imports.push(arg && ts.isStringLiteralLike(arg) ? arg.text : '(a computed module name)');
    } else if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'process') {
      processUses.push(`process.${n.name.text}`);
      return;
    } else if (ts.isIdentifier(n) && n.text === 'process' && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
      processUses.push('process');
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { imports, processUses };
}

/** The lib file a relative specifier names, or null when there is none. */
function resolveLocal(from: string, spec: string): string | null {
  const base = path.posix.join(path.posix.dirname(from), spec);
  for (const candidate of [`${base}.ts`, `${base}/index.ts`]) {
    if (fs.existsSync(path.join(ROOT, candidate))) return candidate;
  }
  return null;
}

const NODE_MODULES = new Set(builtinModules);

// ---------------------------------------------------------------------------------------------
// The checks

const page = fs.readFileSync(PAGE, 'utf8');
const modules = readModules(page);
const apis = readApis(page);
const files = sourceFiles(path.join(ROOT, 'lib'));
const facts = new Map(files.map((f) => [f, factsOf(f)]));

const holds = (pattern: string, file: string): boolean => (pattern.endsWith('/') ? file.startsWith(pattern) : file === pattern);

/** The module a file belongs to: the first row naming it. */
function moduleOf(file: string): ModuleRow | undefined {
  return modules.find((m) => m.files.some((p) => holds(p, file)));
}

/** Every import between lib files, with the modules at both ends. */
function localImports(): { file: string; spec: string; target: string | null }[] {
  return files.flatMap((file) => facts.get(file)!.imports.filter((s) => s.startsWith('.')).map((spec) => ({ file, spec, target: resolveLocal(file, spec) })));
}

/** Lines past which a file is usually two (docs/architecture.md): its banner must say why it is one. */
const LONG_FILE_LINES = 600;

test('every file under lib/ starts with one line saying what it owns; one over 600 lines says there why it is long', () => {
  const problems: string[] = [];
  for (const f of files) {
    const lines = fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n');
    const banner = lines[0].startsWith('#!') ? lines[1] : lines[0]; // an executable's banner follows its '#!' line
    if (!/^\/\/ \S/.test(banner)) problems.push(`${f}: its first line is not a comment saying what it owns`);
    else if (lines.length > LONG_FILE_LINES && !/\blong because\b/.test(banner)) problems.push(`${f}: ${lines.length} lines, and its banner does not say why ('long because ...')`);
  }
  expect(problems).toEqual([]);
});

describe('docs/architecture.md and the import graph', () => {
  test('the page has its tables, and names each module once', () => {
    expect(modules.length).toBeGreaterThan(10);
    expect(apis.length).toBeGreaterThan(3);
    const names = modules.map((m) => m.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    const unknown = modules.flatMap((m) => m.mayImport.filter((n) => !names.includes(n)).map((n) => `${m.name} may import '${n}', which is no module`));
    expect(unknown).toEqual([]);
  });

  test('every file under lib/ belongs to a module, and every path the page names exists', () => {
    expect(files.filter((f) => !moduleOf(f)).map((f) => `${f} is in no module of the page`)).toEqual([]);
    const named = modules.flatMap((m) => [...m.files, ...m.surface]);
    expect(named.filter((p) => !files.some((f) => holds(p, f))).map((p) => `the page names ${p}, which holds no file`)).toEqual([]);
  });

  test('every import between lib files is one the page allows', () => {
    const problems: string[] = [];
    for (const { file, spec, target } of localImports()) {
      if (target === null) {
        problems.push(`${file} imports '${spec}', which is no file under lib/`);
        continue;
      }
      const from = moduleOf(file)!;
      const to = moduleOf(target)!;
      if (from === to) continue;
      if (!from.mayImport.includes(to.name)) problems.push(`${file} imports ${target}: module '${from.name}' may not import module '${to.name}'`);
      else if (to.surface.length > 0 && !to.surface.includes(target)) {
        problems.push(`${file} imports ${target}: module '${to.name}' is reached through ${to.surface.join(', ')} only`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every import the page allows is made by some file', () => {
    const used = new Set(localImports().flatMap(({ file, target }) => (target ? [`${moduleOf(file)!.name} → ${moduleOf(target)!.name}`] : [])));
    const unused = modules.flatMap((m) => m.mayImport.filter((n) => !used.has(`${m.name} → ${n}`)).map((n) => `the page lets '${m.name}' import '${n}', but no file does`));
    expect(unused).toEqual([]);
  });

  test('Node modules, packages and process are used only where the page says', () => {
    const allowed = (name: string, file: string): boolean | undefined => {
      const row = apis.find((r) => r.names.includes(name));
      return row === undefined ? undefined : row.files === null || row.files.includes(file);
    };
    const problems: string[] = [];
    for (const file of files) {
      const f = facts.get(file)!;
      for (const spec of f.imports.filter((s) => !s.startsWith('.'))) {
        const name = spec.replace(/^node:/, '');
        const ok = allowed(name, file);
        if (ok === false) problems.push(`${file} imports '${name}', which only ${apis.find((r) => r.names.includes(name))!.files!.join(', ')} may use`);
        if (ok === undefined) {
          const what = NODE_MODULES.has(name) ? 'Node module' : 'package';
          problems.push(`${file} imports '${name}', a ${what} the page does not name`);
        }
      }
      for (const use of f.processUses) {
        const ok = allowed(use, file) ?? allowed('process', file);
        if (!ok) problems.push(`${file} uses ${use}, which only ${(apis.find((r) => r.names.includes(use)) ?? apis.find((r) => r.names.includes('process')))!.files!.join(', ')} may use`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('no lib files import each other in a cycle', () => {
    const edges = new Map<string, string[]>(files.map((f) => [f, []]));
    for (const { file, target } of localImports()) if (target) edges.get(file)!.push(target);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of edges.get(f)!) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].join(' → '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  test("the page's picture puts every module in a layer below each module that imports it", () => {
    const layers = readLayers(page);
    const problems = modules.flatMap((m) => {
      const mine = layers.get(m.name);
      if (mine === undefined) return [`module '${m.name}' is in no layer of the picture`];
      return m.mayImport.filter((n) => !((layers.get(n) ?? Infinity) < mine)).map((n) => `'${m.name}' (layer ${mine}) imports '${n}', which is not in a layer below`);
    });
    expect(problems).toEqual([]);
  });
});
