// `cffi doctor`: whether the compiler, koffi, the native helper and the cache work here; each line OK or what to do.
import * as fs from 'fs';
import * as path from 'path';
import { cacheStatus, probeCompiler } from '../build';
import { nativeStatus } from '../backend/native';
import { HELP, parseArgs } from './args';

const DOCTOR_HELP = `Usage: cffi doctor

Checks, one line each: the C compiler (found, its version), tcc and clang
(optional), koffi, the native helper, the cache directory, and a compile and
call of a one-line C function. Exits non-zero when something needed fails.

Options:
  -h, --help   show this help`;

type Status = 'OK' | 'WARN' | 'FAIL' | '--';

interface Check {
  readonly status: Status;
  readonly what: string;
  readonly detail: string;
}

export async function doctorCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [HELP]);
  if (args.has('help')) {
    console.log(DOCTOR_HELP);
    return 0;
  }
  const checks = [compiler(), optional('tcc', 'compiles in ~3 ms instead of ~40 (no optimisation): use --cc tcc'), optional('clang', 'use --cc clang'), koffi(), native(), cache(), smoke()];
  for (const c of checks) console.log(`${c.status.padEnd(4)}  ${c.what}: ${c.detail}`);
  return checks.some((c) => c.status === 'FAIL') ? 1 : 0;
}

function probe(name: string | undefined): { file: string; version: string } {
  const info = probeCompiler(name === undefined ? {} : { compiler: name });
  return { file: info.path, version: info.version };
}

function compiler(): Check {
  const name = process.env.CC?.trim() || 'cc';
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

function koffi(): Check {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('koffi')), 'package.json'), 'utf8')) as { version: string };
    // Loading the C library through the backend proves that koffi's binary works here.
    const { loadLibrary } = require('../backend/koffi') as typeof import('../backend/koffi');
    loadLibrary(null).close();
    return { status: 'OK', what: 'koffi', detail: `${pkg.version} loaded` };
  } catch (e) {
    return { status: 'FAIL', what: 'koffi', detail: `${(e as Error).message}; reinstall node-cffi's dependencies (npm ci)` };
  }
}

function native(): Check {
  const loaded = nativeStatus.startsWith('loaded');
  const detail = loaded ? nativeStatus : `${nativeStatus} (optional: node-cffi works without it, a little slower)`;
  return { status: loaded ? 'OK' : 'WARN', what: 'native helper', detail };
}

function cache(): Check {
  const { directory, problem } = cacheStatus();
  if (problem === null) return { status: 'OK', what: 'cache', detail: `${directory} is writable` };
  return { status: 'FAIL', what: 'cache', detail: `${problem}; or point $NODE_CFFI_CACHE at a directory of yours` };
}

function smoke(): Check {
  try {
    const { cc } = require('../cc') as typeof import('../cc');
    const t0 = process.hrtime.bigint();
    const lib = cc('int add(int a, int b) { return a + b; }\n', { filename: 'doctor.c' });
    const result = lib.add(1, 2);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (result !== 3) return { status: 'FAIL', what: 'compile and call', detail: `add(1, 2) gave ${result}, not 3` };
    return { status: 'OK', what: 'compile and call', detail: `add(1, 2) = 3 (${ms.toFixed(0)} ms)` };
  } catch (e) {
    return { status: 'FAIL', what: 'compile and call', detail: (e as Error).message.split('\n')[0] };
  }
}
