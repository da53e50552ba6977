// CFFI's testing/cffi1/test_function_args.py, ported: random signatures of primitives and structs by value, called both ways (JavaScript calling C, C calling a callback) and checked against the compiled C.
//
// Not ported: none (the file has one test, test_types).
//
// Translation (as backend_tests.test.ts maps Python to JavaScript): CFFI draws 100 examples with hypothesis (`st.lists(types)` arguments, a `types`
// result, each type a primitive or a struct of at least one primitive) and builds one module per example; here the
// examples come from the seeded generator of test/helpers/random.ts (fixed seed, NODE_CFFI_SEED replays another), with
// list sizes bounded (0 to 6 arguments, 1 to 6 fields), and every example's declarations are suffixed with its number
// so that one verify() (one compiler run) builds them all. CFFI's verify() helper (test_recompiler) compiles with
// no_cpp=True: C with -Werror and its warning flags, passed here too. Values are drawn as CFFI draws them,
// ffi.cast(type, random() * 2**40), which is a number here (docs/cffi-differences.md, "A cast to a number type is a
// number"). A struct value is a list of its field values (CFFI's make_arg), and a struct a callback receives is
// expanded to that list (CFFI's expand). CFFI's call "forcing libffi" goes through ffi.addressof(lib, 'testfargs'), the
// function pointer; the direct call lib.testfargs (API mode), which CFFI's own segfault-hunting script makes too, is
// checked the same way, each with the globals zeroed first. Everything runs in a child process: a wrong calling
// convention for a struct by value is a crash, and the child prints each example before running it, so a crash names
// the signature. (CFFI skips this test off Windows, "because it keeps finding failures in libffi, instead of cffi";
// node-cffi's calls go through koffi and its own wrappers, which this test is here to check.)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FFI } from '../../lib';
import { ending, runChild } from '../helpers/child';
import { ccFamily } from '../helpers/compiler';
import { Random, testSeed } from '../helpers/random';

const ALL_PRIMITIVES = [
  'unsigned char',
  'short',
  'int',
  'long',
  'long long',
  'float',
  'double',
  // 'long double',   --- on x86 it can give libffi crashes
];

/** How many examples (CFFI: max_examples=100) and the bounds of the lists hypothesis draws. */
const EXAMPLES = 100;
const MAX_ARGS = 6;
const MAX_FIELDS = 6;

/** testing/support.py's extra_compile_args for gcc, as test_recompiler's verify() passes them with no_cpp=True. */
const WARNING_FLAGS = [
  '-Werror', '-Wall', '-Wextra', '-Wconversion', '-Wno-unused-parameter', '-Wno-unreachable-code',
  ...(ccFamily() === 'clang' ? ['-Wno-missing-field-initializers'] : []),
];

/** A drawn type: a primitive's name, or a struct's field types (CFFI's `types` strategy). */
type Drawn = string | string[];
/** A value of a drawn type: a number, or a struct's field values. */
type Value = number | bigint | Value[];

/** One example: its signature, its C declarations and source, and the values passed and returned. */
interface Example {
  signature: string;
  args: string[];
  result: string;
  passed: Value[];
  returned: Value;
}

function drawType(r: Random): Drawn {
  if (r.chance(0.5)) return r.pick(ALL_PRIMITIVES);
  const fields: string[] = [];
  const n = r.int(1, MAX_FIELDS);
  for (let i = 0; i < n; i++) fields.push(r.pick(ALL_PRIMITIVES));
  return fields;
}

/** Builds example `k` (CFFI's test_types body up to the verify() call), appending to `cdefs` and `source`. */
function buildExample(k: number, r: Random, ffi: FFI, cdefs: string[], source: string[]): Example {
  const tpArgs: Drawn[] = [];
  const nargs = r.int(0, MAX_ARGS);
  for (let i = 0; i < nargs; i++) tpArgs.push(drawType(r));
  const tpResult = drawType(r);

  const structs = new Map<string, string[]>();
  let count = 0;
  const buildType = (tp: Drawn): string => {
    if (Array.isArray(tp)) {
      const fields = tp.map((ftp, j) => `${ftp} f${j};`).join('\n    ');
      const name = `s${k}_${count++}`;
      const decl = `typedef struct {\n    ${fields}\n} ${name};`;
      cdefs.push(decl);
      source.push(decl);
      structs.set(name, tp);
      return name;
    }
    return tp;
  };
  const args = tpArgs.map(buildType);
  const result = buildType(tpResult);

  const f = `testfargs_${k}`;
  const params = args.map((arg, i) => `${arg} a${i}`).join(', ') || 'void';
  const signature = `${result} ${f}(${params})`;

  cdefs.push(`${signature};`);
  cdefs.push(`extern ${result} ${f}_result;`);
  args.forEach((arg, i) => cdefs.push(`extern ${arg} ${f}_arg${i};`));
  source.push(`${result} ${f}_result;`);
  args.forEach((arg, i) => source.push(`${arg} ${f}_arg${i};`));
  source.push(signature);
  source.push('{');
  args.forEach((_, i) => source.push(`    ${f}_arg${i} = a${i};`));
  source.push(`    return ${f}_result;`);
  source.push('}');

  const typedefLine = `typedef ${result} (*mycallback_${k}_t)(${params});`;
  const sigCallback = `${result} testfcallback_${k}(mycallback_${k}_t callback)`;
  cdefs.push(typedefLine);
  cdefs.push(`${sigCallback};`);
  source.push(typedefLine);
  source.push(sigCallback);
  source.push('{');
  source.push(`    return callback(${args.map((_, i) => `${f}_arg${i}`).join(', ')});`);
  source.push('}');

  const drawPrimitive = (typename: string): Value => ffi.cast(typename, r.next() * 2 ** 40) as number | bigint;
  const makeArg = (tp: string): Value => {
    const fields = structs.get(tp);
    return fields ? fields.map(makeArg) : drawPrimitive(tp);
  };
  const passed = args.map(makeArg);
  const returned = makeArg(result);
  return { signature, args, result, passed, returned };
}

/** The child's program: one verify() of every example, then each example's three calls, checked. */
const CHILD = `
const { FFI, CData } = require(LIB);
const { cdef, source, options, examples } = JSON.parse(require('fs').readFileSync(INPUT, 'utf8'));
const ffi = new FFI();
ffi.cdef(cdef);
const lib = ffi.verify(source, options);
const failures = [];
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// CFFI's write(p, v): v is a list of field values for a struct, else the value of p[0].
function write(p, v) {
  if (Array.isArray(v)) v.forEach((v1, i) => write(ffi.addressof(p, 'f' + i), v1));
  else p[0] = v;
}
// CFFI's check(p, v), collecting what differs instead of stopping at it.
function check(where, p, v) {
  if (Array.isArray(v)) v.forEach((v1, i) => check(where + '.f' + i, ffi.addressof(p, 'f' + i), v1));
  else if (p[0] !== v) failures.push(where + ': ' + String(p[0]) + ', expected ' + String(v));
}
// CFFI's expand(value): a struct cdata becomes the list of its field values.
function expand(value) {
  if (value instanceof CData) {
    const t = ffi.typeof(value);
    return t.fields.map((_, i) => expand(value['f' + i]));
  }
  return value;
}
function zeroGlobal(name, type) {
  const size = ffi.sizeof(type);
  ffi.memmove(ffi.addressof(lib, name), Buffer.alloc(size), size);
}

examples.forEach((ex, k) => {
  console.log('example ' + k + ': ' + ex.signature);
  const f = 'testfargs_' + k;
  const label = 'example ' + k + ' (' + ex.signature + ')';
  write(ffi.addressof(lib, f + '_result'), ex.returned);

  // CALL forcing libffi (CFFI's), then the direct call of API mode.
  for (const [how, fn] of [['ffi.addressof(lib, f)', ffi.addressof(lib, f)], ['lib.f', lib[f]]]) {
    ex.args.forEach((arg, i) => zeroGlobal(f + '_arg' + i, arg));
    const receivedReturn = fn(...ex.passed);
    ex.passed.forEach((arg, i) => check(label + ' ' + how + ': ' + f + '_arg' + i, ffi.addressof(lib, f + '_arg' + i), arg));
    const ret = ffi.new(ex.result + '*', receivedReturn);
    check(label + ' ' + how + ': result', ret, ex.returned);
  }

  // CALLBACK
  const seenArgs = [];
  const callback = (...args) => {
    seenArgs.push(args.map(expand));
    return ex.returned;
  };
  const fptr = ffi.callback(ex.result + '(' + ex.args.join(',') + ')', callback);
  const receivedReturn = lib['testfcallback_' + k](fptr);
  if (seenArgs.length !== 1) failures.push(label + ' callback: called ' + seenArgs.length + ' times');
  else if (!same(seenArgs[0], ex.passed)) failures.push(label + ' callback: received ' + JSON.stringify(seenArgs[0]) + ', expected ' + JSON.stringify(ex.passed));
  const ret = ffi.new(ex.result + '*', receivedReturn);
  check(label + ' callback: result', ret, ex.returned);
});
console.log(JSON.stringify({ examples: examples.length, failures }));
`;

const seed = testSeed(0x5eed_f0a1);

test(`test_types (seed ${seed})`, () => {
  const r = new Random(seed);
  const ffi = new FFI();
  const cdefs: string[] = [];
  const source: string[] = [];
  const examples: Example[] = [];
  for (let k = 0; k < EXAMPLES; k++) examples.push(buildExample(k, r, ffi, cdefs, source));
  const input = JSON.stringify({
    cdef: cdefs.join('\n'),
    source: source.join('\n'),
    options: { moduleName: '_CFFI_test_function_args', undefMacros: ['NDEBUG'], extraCompileArgs: [...WARNING_FLAGS] },
    examples, // numbers only: every value drawn is below 2**40
  });
  // Too large for a command line: the child reads it from a file.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-function-args-'));
  const file = path.join(dir, 'input.json');
  fs.writeFileSync(file, input);
  let child;
  try {
    child = runChild(`const INPUT = ${JSON.stringify(file)};\n${CHILD}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const lines = child.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  const report: { examples: number; failures: string[] } = last.startsWith('{')
    ? JSON.parse(last)
    : { examples: -1, failures: [`the child ended (${ending(child)}) during ${JSON.stringify(last)}: ${child.stderr.slice(-2000)}`] };
  expect({ ended: ending(child), ...report }).toEqual({ ended: 'exit 0', examples: EXAMPLES, failures: [] });
});
