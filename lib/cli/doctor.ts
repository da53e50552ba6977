// `cffi doctor`: whether the compiler, koffi, the native helpers and the caches work here; each line OK or what to do.
import { cacheStatus, probeCompiler } from '../build';
import { nodeHost } from '../host';
import type { BackendStatus } from '../index';
import { HELP, VERSION, parseArgs, versionLine } from './args';

const DOCTOR_HELP = `Usage: cffi doctor

Checks, one line each: the C compiler (found, its version), tcc and clang
(optional), koffi, the native helpers, the cache directory, the start-up code
caches, and a compile and call of a one-line C function. Exits non-zero when something needed fails.

Options:
  -h, --help      show this help
  -v, --version   print the version`;

type Status = 'OK' | 'WARN' | 'FAIL' | '--';

interface Check {
  readonly status: Status;
  readonly what: string;
  readonly detail: string;
}

export async function doctorCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [HELP, VERSION]);
  if (args.has('help')) {
    nodeHost.write('stdout', `${DOCTOR_HELP}\n`);
    return 0;
  }
  if (args.has('version')) {
    nodeHost.write('stdout', versionLine());
    return 0;
  }
  const backend = loadBackend();
  const checks = [
    compiler(), optional('tcc', 'compiles in ~3 ms instead of ~40 (no optimisation): use --cc tcc'), optional('clang', 'use --cc clang'),
    koffi(backend), native(backend), views(backend), cache(), ...codeCache(backend), smoke(),
  ];
  for (const c of checks) nodeHost.write('stdout', `${c.status.padEnd(4)}  ${c.what}: ${c.detail}\n`);
  return checks.some((c) => c.status === 'FAIL') ? 1 : 0;
}

function probe(name: string | undefined): { file: string; version: string } {
  const info = probeCompiler(name === undefined ? {} : { compiler: name });
  return { file: info.path, version: info.version };
}

function compiler(): Check {
  const name = nodeHost.env('CC')?.trim() || 'cc';
  try {
    const { file, version } = probe(undefined);
    return { status: 'OK', what: 'C compiler', detail: `${name} is ${file} (${version})` };
  } catch (e) {
    return { status: 'FAIL', what: 'C compiler', detail: (e as Error).message.replace(/^verify\(\): /, '') };
  }
}

function optional(name: string, why: string): Check {
  try {
    const { file, version } = probe(name);
    return { status: 'OK', what: name, detail: `${file} (${version}); ${why}` };
  } catch {
    return { status: '--', what: name, detail: `not installed (optional; ${why} once installed)` };
  }
}

/** The backend's state, or why node-cffi (koffi, its binary) cannot be loaded here. */
function loadBackend(): BackendStatus | Error {
  try {
    // Loaded here, not at the top: a koffi that fails to load is a finding, not a crash of the command.
    const { backendStatus } = require('../index') as typeof import('../index');
    return backendStatus();
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function koffi(backend: BackendStatus | Error): Check {
  if (backend instanceof Error) {
    return { status: 'FAIL', what: 'koffi', detail: `${backend.message}; reinstall node-cffi's dependencies (npm ci)` };
  }
  return { status: 'OK', what: 'koffi', detail: `${backend.koffi} loaded` };
}

function native(backend: BackendStatus | Error): Check {
  if (backend instanceof Error) return { status: 'WARN', what: 'native helper', detail: 'not checked: koffi did not load' };
  const { loaded, detail } = backend.native;
  return { status: loaded ? 'OK' : 'WARN', what: 'native helper', detail: loaded ? detail : `${detail} (optional: node-cffi works without it, a little slower)` };
}

function views(backend: BackendStatus | Error): Check {
  if (backend instanceof Error) return { status: 'WARN', what: 'views helper', detail: 'not checked: koffi did not load' };
  const { loaded, detail } = backend.views;
  return {
    status: loaded ? 'OK' : 'WARN', what: 'views helper',
    detail: loaded ? detail : `${detail} (optional: without it each new region of C memory read costs a full garbage collection)`,
  };
}

/**
 * How this process started node-cffi: from V8's code cache of each bundle (the library's, and the
 * stages' that this command runs from), or compiled from its text, and why.
 */
function codeCache(backend: BackendStatus | Error): Check[] {
  if (backend instanceof Error) return [{ status: '--', what: 'start-up code cache', detail: 'not checked: koffi did not load' }];
  const line = (what: string, { state, detail }: { state: string; detail: string }): Check => {
    if (state === 'used') return { status: 'OK', what, detail: `used: ${detail}` };
    if (state === 'compiled') return { status: 'OK', what, detail: `compiled from the text (${detail})` };
    return { status: '--', what, detail: `off: ${detail} (start-up is slower, nothing else changes)` };
  };
  const { stages } = backend.codeCache;
  return [line('start-up code cache', backend.codeCache), ...(stages ? [line('start-up code cache of the stages', stages)] : [])];
}

function cache(): Check {
  const { directory, problem } = cacheStatus();
  if (problem === null) return { status: 'OK', what: 'cache', detail: `${directory} is writable` };
  return { status: 'FAIL', what: 'cache', detail: `${problem}; or point $NODE_CFFI_CACHE at a directory of yours` };
}

function smoke(): Check {
  try {
    const { cc } = require('../index') as typeof import('../index');
    const t0 = nodeHost.now();
    const lib = cc('int add(int a, int b) { return a + b; }\n', { filename: 'doctor.c' });
    const result = lib.add(1, 2);
    const ms = nodeHost.now() - t0;
    if (result !== 3) return { status: 'FAIL', what: 'compile and call', detail: `add(1, 2) gave ${result}, not 3` };
    return { status: 'OK', what: 'compile and call', detail: `add(1, 2) = 3 (${ms.toFixed(0)} ms)` };
  } catch (e) {
    return { status: 'FAIL', what: 'compile and call', detail: (e as Error).message.split('\n')[0] };
  }
}
