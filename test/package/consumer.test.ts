// The packed package as a user installs it: a fresh project installs the tarball offline, and uses it from CommonJS, ESM and strict TypeScript, every README example unchanged.
import { SpawnSyncReturns, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, ensureBuilt } from '../cli/binary';
import { typecheck } from '../helpers/typecheck';
import { Block, readme, transcripts, withChecks } from './readme';

const BLOCKS = readme(path.join(ROOT, 'README.md'));
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let work: string;
let tarball: string;
/** The CommonJS project, which holds the installation the ESM project links to. */
let cjs: string;
/** A "type": "module" project. */
let esm: string;
let env: NodeJS.ProcessEnv;

function run(command: string, args: readonly string[], cwd: string, extra: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, env: { ...env, ...extra }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

const node = (cwd: string, file: string) => run(process.execPath, [file], cwd);

/** Packs a directory (this checkout, or an installed dependency) into `dir`; returns the tarball's path. */
function pack(from: string, dir: string): string {
  const r = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir, from], dir);
  if (r.status !== 0) throw new Error(`npm pack ${from} failed:\n${r.stderr}`);
  return path.join(dir, (JSON.parse(r.stdout) as { filename: string }[])[0].filename);
}

beforeAll(() => {
  ensureBuilt();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-consumer-'));
  env = {
    ...process.env,
    NODE_CFFI_CACHE: path.join(work, 'cffi-cache'),
    NO_COLOR: '1',
    NODE_CFFI_REPL_HISTORY: '',
    npm_config_cache: path.join(work, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  const tarballs = path.join(work, 'tarballs');
  fs.mkdirSync(tarballs);
  tarball = pack(ROOT, tarballs);
  // The dependencies, packed from this checkout's installation, so that the install needs no registry.
  const koromix = path.join(ROOT, 'node_modules', '@koromix');
  const deps = [path.join(ROOT, 'node_modules', 'koffi'), ...fs.readdirSync(koromix).map((d) => path.join(koromix, d))].map((d) => pack(d, tarballs));

  cjs = path.join(work, 'cjs');
  fs.mkdirSync(cjs);
  fs.writeFileSync(path.join(cjs, 'package.json'), JSON.stringify({ name: 'consumer-cjs', version: '1.0.0', private: true }));
  const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...deps, tarball], cjs);
  if (install.status !== 0) throw new Error(`npm install failed:\n${install.stdout}\n${install.stderr}`);

  esm = path.join(work, 'esm');
  fs.mkdirSync(esm);
  fs.writeFileSync(path.join(esm, 'package.json'), JSON.stringify({ name: 'consumer-esm', version: '1.0.0', private: true, type: 'module' }));
  fs.symlinkSync(path.join(cjs, 'node_modules'), path.join(esm, 'node_modules'));
}, 300_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  test('carries the builds, the declarations with their maps, the sources, the native helper, LICENSE and CHANGELOG; no benchmarks', () => {
    const files = run('tar', ['tzf', tarball], work).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const f of [
      'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/node-cffi.js', 'dist/node-cffi.bundle.js', 'dist/node-cffi.stages.js', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/index.d.ts.map',
      'dist/lib/index.js.map', 'dist/esm/index.mjs', 'dist/esm/index.d.mts', 'dist/lib/cli/main.js', 'lib/index.ts',
      'native/node_cffi.c', 'native/views.cc', 'native/args.h', 'native/build.js', 'binding.gyp',
    ]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(bench|dist\/bench|test|examples|docs)\//.test(f) || f === 'native/candidates.c')).toEqual([]);
  });

  test('installs offline from the tarball; node-gyp is not among what it brings', () => {
    const installed = JSON.parse(fs.readFileSync(path.join(cjs, 'node_modules', 'node-cffi', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(installed.dependencies).toEqual({ koffi: expect.any(String) });
    expect(fs.existsSync(path.join(cjs, 'node_modules', 'node-gyp'))).toBe(false);
    expect(installed).toMatchObject({ license: 'MIT', os: ['linux'], cpu: ['x64', 'arm64'], type: 'commonjs' });
  });
});

describe('the native helpers', () => {
  test('are built at install and loaded', () => {
    fs.writeFileSync(
      path.join(cjs, 'helpers.js'),
      "const { native, views } = require('node-cffi').backendStatus(); console.log(JSON.stringify([native.loaded, views.loaded]), native.detail, views.detail);\n",
    );
    const r = node(cjs, 'helpers.js');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\[true,true\] loaded from \S+node_cffi\.node loaded from \S+node_cffi_views\.node\n$/);
  });
});

describe('module systems', () => {
  test('require() and import give the same library: one FFI class, one type registry', () => {
    fs.writeFileSync(
      path.join(esm, 'both.js'),
      [
        "import { FFI, cc } from 'node-cffi';",
        "import { createRequire } from 'module';",
        'const required = createRequire(import.meta.url)(\'node-cffi\');',
        'const ffi = new FFI();',
        "ffi.cdef('int first(const int *p);');",
        "const lib = ffi.verify('int first(const int *p) { return p[0]; }');",
        // a cdata made by the CommonJS copy's FFI is accepted by a function of the ESM import's.
        "const made = new required.FFI().new('int[1]', [42]);",
        'console.log(FFI === required.FFI, cc === required.cc, lib.first(made));',
      ].join('\n'),
    );
    const r = node(esm, 'both.js');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('true true 42\n');
  });

  test("deep imports of the package's files are closed, from require and from import", () => {
    fs.writeFileSync(
      path.join(cjs, 'deep.js'),
      "for (const p of ['node-cffi/dist/lib/ffi.js', 'node-cffi/lib/ffi']) { try { require(p); console.log('open', p); } catch (e) { console.log(e.code); } }\n" +
        "import('node-cffi/dist/lib/ffi.js').then(() => console.log('open'), (e) => console.log(e.code));\n",
    );
    const r = node(cjs, 'deep.js');
    expect(r.stdout).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED\nERR_PACKAGE_PATH_NOT_EXPORTED\nERR_PACKAGE_PATH_NOT_EXPORTED\n');
  });

  test('a default import through esModuleInterop of a module that exports a library', () => {
    fs.writeFileSync(
      path.join(cjs, 'mylib.js'),
      "const { FFI } = require('node-cffi');\nconst ffi = new FFI();\nffi.cdef('int twice(int x);');\nmodule.exports = ffi.verify('int twice(int x) { return 2 * x; }');\n",
    );
    fs.writeFileSync(path.join(cjs, 'mylib.d.ts'), "import type { Lib } from 'node-cffi';\ndeclare const lib: Lib;\nexport = lib;\n");
    fs.writeFileSync(path.join(cjs, 'interop.ts'), "import lib from './mylib';\nimport * as ns from './mylib';\nconsole.log(lib.twice(21), ns.twice(2));\nconsole.log(lib);\n");
    const built = tsc(cjs, ['interop.ts'], { module: 'node16', moduleResolution: 'node16', esModuleInterop: true });
    expect(built.output).toBe('');
    const r = node(cjs, 'interop.js');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('42 4\n[Lib: the verify() library for source.c] { twice: [Function: int twice(int)] }\n');
  });
});

/** tsc on `files` of `dir` with `options` (strict, no skipLibCheck); its status and output. */
const tsc = (dir: string, files: readonly string[], options: Record<string, unknown>) => typecheck(dir, files, { skipLibCheck: false, ...options });

/** Addresses and timings vary from run to run: compared as placeholders. */
const normalise = (text: string): string => text.replace(/0x[0-9a-f]+/g, '0x…');

/** Whether `cc` is GCC, whose diagnostics the README's transcripts show. */
function ccIsGcc(): boolean {
  const r = spawnSync(process.env.CC ?? 'cc', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /\bGCC\b|Free Software Foundation/.test(r.stdout);
}

/**
 * Walks the README in order in project `dir`: writes the files its blocks name, runs its `$`
 * commands (comparing what they print with the README, where `compare`), and runs each TypeScript
 * and JavaScript example, compiled beforehand under `options`, with its stated results checked.
 * Returns the example files, for type-checking them afterwards.
 */
function walkReadme(dir: string, options: Record<string, unknown>, compare: boolean): string[] {
  const programs: { block: Block; name: string }[] = [];
  BLOCKS.forEach((block, i) => {
    if (block.lang === 'ts') programs.push({ block, name: `example${String(i).padStart(2, '0')}` });
  });
  let checks = 0;
  for (const { block, name } of programs) {
    const checked = withChecks(block.text);
    checks += checked.checks;
    fs.writeFileSync(path.join(dir, `${name}.ts`), block.text);
    fs.writeFileSync(path.join(dir, `${name}.run.ts`), checked.text);
  }
  expect(checks).toBeGreaterThanOrEqual(20);
  // Compiled first, all at once: an example importing what an earlier one builds (the module of
  // compile(), the declarations of `cffi types`) is emitted anyway and runs once those exist.
  // Its diagnostics are not looked at, so it does not check (the examples' own check comes after).
  tsc(dir, programs.map((p) => `${p.name}.run.ts`), { ...options, noCheck: true });
  const gcc = ccIsGcc();
  for (const [i, block] of BLOCKS.entries()) {
    const where = `README block ${i} (${block.section})`;
    if (block.file !== null) {
      fs.writeFileSync(path.join(dir, block.file), block.text);
    } else if (block.lang === 'ts') {
      const program = programs.find((p) => p.block === block)!;
      const r = node(dir, `${program.name}.run.js`);
      expect({ where, stderr: r.stderr, status: r.status }).toEqual({ where, stderr: '', status: 0 });
    } else if (block.lang === 'js') {
      fs.writeFileSync(path.join(dir, `block${i}.cjs`), block.text);
      const r = node(dir, `block${i}.cjs`);
      expect({ where, stderr: r.stderr, status: r.status }).toEqual({ where, stderr: '', status: 0 });
    } else if (block.lang === '' && block.text.startsWith('$ ')) {
      for (const t of transcripts(block)) {
        if (t.command.startsWith('npx cffi repl')) continue; // an interactive session: see the REPL test below
        const r = run('sh', ['-c', t.command], dir);
        if (!compare) continue;
        if (/error:/.test(t.output) && !gcc) {
          console.warn(`${where}: '${t.command}' not compared: the README shows GCC's diagnostics and cc is not GCC`);
          continue;
        }
        expect({ where, command: t.command, output: normalise(r.stdout + r.stderr) }).toEqual({ where, command: t.command, output: normalise(t.output) });
      }
    }
  }
  return programs.map((p) => `${p.name}.ts`);
}

describe('every README example, unchanged', () => {
  test('CommonJS: TypeScript with module node16, compiled and run; the transcripts print what the README shows', () => {
    const files = walkReadme(cjs, { module: 'node16', moduleResolution: 'node16' }, true);
    const checked = tsc(cjs, files, { module: 'node16', moduleResolution: 'node16', noEmit: true });
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
  }, 600_000);

  test('ESM ("type": "module"): TypeScript with module nodenext, compiled and run; and with moduleResolution bundler', () => {
    const files = walkReadme(esm, { module: 'nodenext', moduleResolution: 'nodenext' }, false);
    for (const options of [{ module: 'nodenext', moduleResolution: 'nodenext' }, { module: 'esnext', moduleResolution: 'bundler' }]) {
      const checked = tsc(esm, files, { ...options, noEmit: true });
      expect({ options, output: checked.output }).toEqual({ options, output: '' });
    }
  }, 600_000);

  test('the REPL session of the README, its inputs typed in, prints what the README shows', () => {
    const block = BLOCKS.find((b) => b.text.startsWith('$ npx cffi repl'));
    expect(block).toBeDefined();
    const [session] = transcripts(block!);
    const lines = session.output.replace(/\n$/, '').split('\n');
    const inputs = lines.filter((l) => l.startsWith('cffi> ')).map((l) => l.slice('cffi> '.length));
    const expected = lines.filter((l) => !l.startsWith('cffi> '));
    expect(expected[0]).toBe(`node-cffi ${VERSION}: .help lists the commands`);
    // Not a terminal: the session echoes nothing, so what is left after the prompts is what it printed.
    const r = spawnSync('sh', ['-c', session.command.replace(/^npx /, 'npx --no-install ')], {
      cwd: cjs, env, input: `${inputs.join('\n')}\n.exit\n`, encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const printed = r.stdout.split('cffi> ').join('').replace(/\n$/, '').split('\n');
    expect(normalise(printed.join('\n'))).toBe(normalise(expected.join('\n')));
  }, 300_000);

  test("`cffi types` output accepts the README's calls: each example's cdef, typed, checks its calls", () => {
    const typed: string[] = [];
    BLOCKS.forEach((block, i) => {
      if (block.lang !== 'ts') return;
      const cdefs = [...block.text.matchAll(/ffi\.cdef\((`[^`]*`|'[^']*')\)/g)].map((m) => m[1].slice(1, -1));
      const ccFile = /cc\(fs\.readFileSync\('([^']+\.c)'/.exec(block.text)?.[1];
      const opens = /\.(verify|dlopen)\(/.test(block.text);
      if (!(cdefs.length === 1 && opens) && ccFile === undefined) return;
      const name = `typed${String(i).padStart(2, '0')}`;
      let source = ccFile;
      if (source === undefined) {
        source = `${name}.h`;
        fs.writeFileSync(path.join(cjs, source), cdefs[0]);
      }
      const r = run('sh', ['-c', `npx --no-install cffi types ${source} -o ${name}.types.d.ts`], cjs);
      expect({ block: i, stderr: r.stderr, status: r.status }).toEqual({ block: i, stderr: '', status: 0 });
      const text = block.text
        .replace(/\.(verify|dlopen)\(/g, '.$1<$Lib>(')
        .replace(/\bcc\(fs\.readFileSync/, 'cc<$Lib>(fs.readFileSync');
      fs.writeFileSync(path.join(cjs, `${name}.ts`), `import type { Lib as $Lib } from './${name}.types';\n${text}`);
      typed.push(`${name}.ts`);
    });
    expect(typed.length).toBeGreaterThanOrEqual(6);
    const checked = tsc(cjs, typed, { module: 'node16', moduleResolution: 'node16', noEmit: true });
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
  }, 300_000);
});

describe('bundlers', () => {
  let esbuild: { buildSync(options: object): unknown } | null = null;
  try {
    esbuild = require(require.resolve('esbuild', { paths: [ROOT] })) as typeof esbuild;
  } catch {
    esbuild = null;
  }
  (esbuild ? test : test.skip)('esbuild bundles a program with node-cffi marked external, as the README says (skipped without esbuild)', () => {
    fs.writeFileSync(
      path.join(cjs, 'app.ts'),
      "import { FFI } from 'node-cffi';\nconst ffi = new FFI();\nffi.cdef('int add(int a, int b);');\nconsole.log(ffi.verify('int add(int a, int b) { return a + b; }').add(2, 3));\n",
    );
    esbuild!.buildSync({
      entryPoints: [path.join(cjs, 'app.ts')], bundle: true, platform: 'node', external: ['node-cffi'], outfile: path.join(cjs, 'out', 'app.js'),
    });
    const r = node(cjs, path.join('out', 'app.js'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('5\n');
  });
});
