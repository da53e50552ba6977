// Every C header installed here, read whole by ffi.cdefHeader(), compiled by verify(), probed by dlopen() and typed by typescriptDeclarations(): declared or refused for its own fault, in child processes that never crash (a long test, NODE_CFFI_LONG=1).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildResult, ending, runChild } from '../helpers/child';
import { CC } from '../helpers/compiler';

/** Where the headers are, and the subdirectories of it whose headers are read besides the top-level ones. */
const INCLUDE = '/usr/include';
const SUBDIRS = ['arpa', 'net', 'netinet', 'openssl'];
/** Headers per child process. */
const BATCH = 20;
/** A jest timeout only, so that the long run can finish: nothing here is asserted about time. */
const TIMEOUT = 30 * 60 * 1000;

/**
 * The flags of cdefHeader()'s preprocessor run and of verify()'s compile that can change what a
 * header reads as (lib/build/compiler.ts, compileArgs and featureArgs: `-fPIC -O3 -D_GNU_SOURCE=`;
 * `-shared` is dropped for -E, and `-dD` only adds the macros to the output).
 */
const BUILD_FLAGS = ['-fPIC', '-O3', '-D_GNU_SOURCE='];

/** The `*.h` files (regular files, or links to them) of INCLUDE and of SUBDIRS, as `#include <…>` names them, sorted. */
function installedHeaders(): string[] {
  const names: string[] = [];
  for (const sub of ['', ...SUBDIRS]) {
    const dir = path.join(INCLUDE, sub);
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir)) {
      if (!file.endsWith('.h')) continue;
      const st = fs.statSync(path.join(dir, file), { throwIfNoEntry: false });
      if (st?.isFile()) names.push(sub === '' ? file : `${sub}/${file}`);
    }
  }
  return names.sort();
}

/** How a call ended in the child: 'ok', or what it threw. */
type Outcome = { readonly ok: true } | { readonly ok: false; readonly cls: string; readonly verification: boolean; readonly message: string };

/** One header's results: cdefHeader(), and verify() when cdefHeader() declared it. */
interface HeaderResult {
  readonly name: string;
  readonly cdef: Outcome;
  readonly verify?: Outcome;
  /** dlopen(null) on another FFI that declared the header: its probe library checks the layouts. */
  readonly dlopen?: Outcome;
}

/**
 * A child's script: for each header, a new FFI, cdefHeader() and then verify() of a source
 * including it; one JSON line of results on stdout, and each header's name on stderr as it
 * starts, so that a crash names the header it happened in.
 */
function batchScript(headers: readonly string[], tmpdir: string, types: string): string {
  return `
    const { FFI, VerificationError } = require(LIB);
    const headers = ${JSON.stringify(headers)};
    const tmpdir = ${JSON.stringify(tmpdir)};
    const outcome = (f) => {
      try {
        f();
        return { ok: true };
      } catch (e) {
        const cls = e !== null && typeof e === 'object' && e.constructor ? e.constructor.name : typeof e;
        return { ok: false, cls, verification: e instanceof VerificationError, message: String(e !== null && typeof e === 'object' && 'message' in e ? e.message : e) };
      }
    };
    const results = [];
    for (const name of headers) {
      process.stderr.write('started: ' + name + '\\n');
      const ffi = new FFI();
      const cdef = outcome(() => ffi.cdefHeader(name, { tmpdir }));
      // Its TypeScript declarations, importing the library's own types from its sources (the test checks them all at once).
      if (cdef.ok) require('fs').writeFileSync(require('path').join(${JSON.stringify(types)}, name.replace(/\\W/g, '_') + '.d.ts'), ffi.typescriptDeclarations({ importFrom: LIB }));
      if (!cdef.ok) {
        results.push({ name, cdef });
        continue;
      }
      const verify = outcome(() => ffi.verify('#include <' + name + '>\\n', { tmpdir }));
      const abi = new FFI();
      const dlopen = outcome(() => {
        abi.cdefHeader(name, { tmpdir });
        abi.dlopen(null);
      });
      results.push({ name, cdef, verify, dlopen });
    }
    process.stdout.write(JSON.stringify(results) + '\\n');
  `;
}

/** The first lines of a message, on one line, for a readable list of problems. */
function brief(message: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const shown = lines.slice(0, 4).map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
  return `${shown.join(' / ')}${lines.length > 4 ? ' / …' : ''}`;
}

/** CC (with any words of its own, 'gcc -m32') on a file holding only `#include <name>`. */
function ccAlone(name: string, flags: readonly string[], work: string): { ok: boolean; diagnostics: string } {
  const [program, ...own] = CC.split(/\s+/);
  const file = path.join(work, `alone-${name.replace(/\W/g, '_')}.c`);
  fs.writeFileSync(file, `#include <${name}>\n`);
  const r = spawnSync(program, [...own, ...flags, ...BUILD_FLAGS, file], { cwd: work, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (r.error) throw r.error;
  return { ok: r.status === 0, diagnostics: `${r.stderr ?? ''}` };
}

/** The repository, whose TypeScript and Node types check the declarations. */
const REPO = path.resolve(__dirname, '..', '..');

const PREPROCESSOR_FAILED = 'ffi.cdefHeader(): the C preprocessor failed';
const COMPILER_FAILED = 'verify(): the C compiler failed (';
const PROBE_FAILED = 'did not compile, alone or after the standard headers';

let work = '';
/** Where the children write each declared header's TypeScript declarations. */
let types = '';
let headers: string[] = [];
/** The results of every child that ended well, by header. */
const results = new Map<string, HeaderResult>();
/** Children that crashed, exited non-zero or printed no results. */
const childProblems: string[] = [];

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-installed-headers-'));
  const tmpdir = path.join(work, 'cache');
  types = path.join(work, 'types');
  fs.mkdirSync(types);
  headers = installedHeaders();
  for (let i = 0; i < headers.length; i += BATCH) {
    const batch = headers.slice(i, i + BATCH);
    const label = `batch ${i / BATCH + 1} (${batch[0]} … ${batch[batch.length - 1]})`;
    const r: ChildResult = runChild(batchScript(batch, tmpdir, types));
    const started = [...r.stderr.matchAll(/^started: (.*)$/gm)].map((m) => m[1]);
    const last = started.length > 0 ? `, in ${started[started.length - 1]}` : '';
    if (r.signal !== null || r.status !== 0) {
      const tail = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('started: ')).slice(-6).join(' / ');
      childProblems.push(`${label}: the child ended with ${ending(r)}${last}${tail ? `: ${tail}` : ''}`);
      continue;
    }
    const line = r.stdout.trim().split('\n').pop() ?? '';
    let parsed: HeaderResult[];
    try {
      parsed = JSON.parse(line) as HeaderResult[];
    } catch {
      childProblems.push(`${label}: the child exited 0 but printed no JSON line of results (stdout: ${brief(r.stdout) || 'empty'})`);
      continue;
    }
    const got = parsed.map((p) => p.name);
    if (JSON.stringify(got) !== JSON.stringify(batch)) {
      childProblems.push(`${label}: the child reported ${JSON.stringify(got)}, not the headers it was given`);
    }
    for (const p of parsed) results.set(p.name, p);
  }
}, TIMEOUT);

afterAll(() => {
  if (work !== '') fs.rmSync(work, { recursive: true, force: true });
});

test('no child process crashes or exits non-zero: every batch of headers reports its results', () => {
  expect(childProblems).toEqual([]);
});

test("cdefHeader() declares every installed header, or fails in the preprocessor for the header's own fault", () => {
  const problems: string[] = [];
  for (const [name, { cdef }] of results) {
    if (cdef.ok) continue;
    if (!cdef.verification || !cdef.message.startsWith(PREPROCESSOR_FAILED)) {
      problems.push(`${name}: cdefHeader() threw ${cdef.cls}: ${brief(cdef.message)}`);
      continue;
    }
    // The preprocessor refused it: it must refuse the header alone, as any C file would include it.
    if (ccAlone(name, ['-E', '-o', path.join(work, 'alone.i')], work).ok) {
      problems.push(`${name}: cdefHeader() says the C preprocessor failed, but ${CC} -E reads #include <${name}> alone: ${brief(cdef.message)}`);
    }
  }
  expect(problems).toEqual([]);
}, TIMEOUT);

/**
 * The problems of one kind of outcome over the declared headers: each either worked, or was the C
 * compiler's refusal (`marker` in its message) of a header that does not compile alone either.
 */
function refusalsChecked(what: string, outcomeOf: (r: HeaderResult) => Outcome | undefined, marker: string): string[] {
  const problems: string[] = [];
  for (const [name, r] of results) {
    if (!r.cdef.ok) continue;
    const o = outcomeOf(r);
    if (o === undefined) {
      problems.push(`${name}: declared, but the child reported no ${what} result`);
      continue;
    }
    if (o.ok) continue;
    if (!o.verification || !o.message.includes(marker)) {
      problems.push(`${name}: ${what} threw ${o.cls}, not the C compiler's refusal: ${brief(o.message)}`);
      continue;
    }
    // The compiler refused it: it must refuse the header alone (one that is not self-contained).
    if (ccAlone(name, ['-fsyntax-only'], work).ok) {
      problems.push(`${name}: ${what} failed, but ${CC} -fsyntax-only compiles #include <${name}> alone: ${brief(o.message)}`);
    }
  }
  return problems;
}

test('verify() compiles every header cdefHeader() declared, or the header does not compile alone either', () => {
  expect(refusalsChecked('verify()', (r) => r.verify, COMPILER_FAILED)).toEqual([]);
}, TIMEOUT);

test("dlopen()'s probe library compiles for every header cdefHeader() declared, or the header does not compile alone either", () => {
  expect(refusalsChecked('dlopen()', (r) => r.dlopen, PROBE_FAILED)).toEqual([]);
}, TIMEOUT);

test('the TypeScript declarations of every header declared type-check, strictly, together', () => {
  const files = fs.readdirSync(types).filter((f) => f.endsWith('.d.ts'));
  expect(files.length).toBe([...results.values()].filter((r) => r.cdef.ok).length);
  const config = {
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, module: 'commonjs', target: 'es2022', lib: ['es2022', 'esnext.disposable'], types: ['node'], typeRoots: [path.join(REPO, 'node_modules', '@types')] },
    files: files.map((f) => path.join(types, f)),
  };
  fs.writeFileSync(path.join(types, 'tsconfig.json'), JSON.stringify(config));
  const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(types, 'tsconfig.json')], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (r.error) throw r.error;
  const errors = `${r.stdout}${r.stderr}`.split('\n').filter((l) => / error TS\d+:/.test(l)).map((l) => l.replace(`${types}/`, ''));
  expect(errors).toEqual([]);
  expect(r.status).toBe(0);
}, TIMEOUT);

test('the run is not vacuous: at least 100 headers found, at least 90% of them declared by cdefHeader()', () => {
  const declared = [...results.values()].filter((r) => r.cdef.ok);
  const verified = declared.filter((r) => r.verify?.ok === true);
  if (process.env.NODE_CFFI_REPORT === '1') {
    const refused = [...results.values()].filter((r) => !r.cdef.ok).map((r) => r.name);
    const notCompiled = declared.filter((r) => r.verify?.ok !== true).map((r) => r.name);
    const notProbed = declared.filter((r) => r.dlopen?.ok !== true).map((r) => r.name);
    const counts = { found: headers.length, reported: results.size, declared: declared.length, verified: verified.length, refused, notCompiled, notProbed };
    process.stdout.write(`installed headers: ${JSON.stringify(counts)}\n`);
  }
  expect(headers.length).toBeGreaterThanOrEqual(100);
  expect(declared.length).toBeGreaterThanOrEqual(Math.ceil(0.9 * headers.length));
});
