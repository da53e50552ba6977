// Random calls of C functions of every parameter kind with awkward JavaScript values: never a crash, and every refusal a TypeError, RangeError or FFIError naming the function.
import * as path from 'path';
import { ending, runChild } from '../helpers/child';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const CALLS = 2000;

// Before: a void * to data (a handle, memory from ffi.new()) given for a function pointer, which
// C then called, ended the child with SIGSEGV.
test(`${SEEDS.length} seeds x ${CALLS} random calls in a child process: no crash, no message in the engine's words`, () => {
  const helper = path.join(__dirname, '..', 'helpers', 'callfuzz');
  const r = runChild(`
    const { fuzzCalls } = require(${JSON.stringify(helper)});
    const bad = [];
    for (const seed of ${JSON.stringify(SEEDS)}) bad.push(...fuzzCalls(seed, ${CALLS}));
    console.log(JSON.stringify(bad));
  `);
  expect(ending(r)).toBe('exit 0');
  expect(JSON.parse(r.stdout.trim().split('\n').pop() as string)).toEqual([]);
});
