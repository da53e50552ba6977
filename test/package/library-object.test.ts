// The library object as tools see it: util.inspect, console.log, JSON, assert, jest's matchers, promises, module interop; and a misspelled C name.
import * as assert from 'assert';
import * as util from 'util';
import { Console } from 'console';
import { Writable } from 'stream';
import * as ts from 'typescript';
import { FFI, FFIError, Lib, cc } from '../../lib';
import { ADDR } from '../../lib/cdata/base';

const SOURCE = `
int add(int a, int b) { return a + b; }
char *greeting(void) { return "hi"; }
int counter = 4;
int primes[3] = { 2, 3, 5 };
#define LIMIT 8
enum mode { OFF, ON };
`;
const CDEF = 'int add(int a, int b);\nchar *greeting(void);\nint counter;\nint primes[3];\n#define LIMIT 8\nenum mode { OFF, ON };\n';

let ffi: FFI;
let lib: Lib;
/** A library whose globals are all scalars. */
let scalars: Lib;

beforeAll(() => {
  ffi = new FFI();
  ffi.cdef(CDEF);
  lib = ffi.verify(SOURCE, { filename: 'tools.c' });
  const f = new FFI();
  f.cdef('int add(int a, int b);\nint counter;\n#define LIMIT 8\nenum mode { OFF, ON };\n');
  scalars = f.verify('int add(int a, int b) { return a + b; }\nint counter = 4;\n#define LIMIT 8\nenum mode { OFF, ON };\n', { filename: 'scalars.c' });
});

describe('printing', () => {
  test('util.inspect shows each function by its C declaration, each global and constant by its value', () => {
    expect(util.inspect(lib, { breakLength: Infinity })).toBe(
      "[Lib: the verify() library for tools.c] { add: [Function: int add(int, int)], greeting: [Function: char *greeting(void)], " +
        "counter: 4, primes: <cdata 'int[3]' 0x" + lib.primes[ADDR].toString(16) + '> [ 2, 3, 5 ], LIMIT: 8, OFF: 0, ON: 1 }',
    );
  });

  test('console.log prints what util.inspect shows; %s gives String(lib)', () => {
    let written = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString('utf8');
        done();
      },
    });
    new Console({ stdout: out, colorMode: false }).log(lib);
    expect(written).toBe(`${util.inspect(lib)}\n`);
    expect(util.format('%s', lib)).toBe("<Lib object for 'tools'>");
  });

  test('inside another object, past the depth limit, the library is named by its label', () => {
    expect(util.inspect({ lib }, { depth: 0 })).toBe('{ lib: [Lib: the verify() library for tools.c] }');
  });

  test('a library printed after dlclose() shows why its globals cannot be read, and printing does not throw', () => {
    const f = new FFI();
    f.cdef('int counter;');
    const closed = f.verify('int counter = 1;', { filename: 'closed.c' });
    f.dlclose(closed);
    expect(util.inspect(closed, { breakLength: Infinity })).toBe(
      "[Lib: the verify() library for closed.c] { counter: [global 'counter': the verify() library for closed.c was closed with ffi.dlclose()] }",
    );
  });

  test('a dlopen() library is printed without looking its functions up; a missing global shows why', () => {
    const f = new FFI();
    f.cdef('size_t strlen(const char *s);\nint no_such_global_here;');
    const c = f.dlopen(null);
    expect(util.inspect(c, { breakLength: Infinity })).toBe(
      "[Lib: the C library] { strlen: [Function: size_t strlen(const char *)], no_such_global_here: [symbol 'no_such_global_here': not found in the running process] }",
    );
  });

  test("String(lib) and a template literal are CFFI's repr: the module's name, or the path given to dlopen()", () => {
    expect(String(lib)).toBe("<Lib object for 'tools'>");
    expect(`${lib}`).toBe("<Lib object for 'tools'>");
    const f = new FFI();
    expect(String(f.dlopen('libm.so.6'))).toBe("<Lib object for 'libm.so.6'>");
    expect(String(f.dlopen(null))).toBe("<Lib object for 'the C library'>");
  });
});

describe('what JavaScript sees', () => {
  test('the C names are own enumerable properties, in declaration order', () => {
    expect(Object.keys(lib)).toEqual(['add', 'greeting', 'counter', 'primes', 'LIMIT', 'OFF', 'ON']);
    expect('add' in lib).toBe(true);
    expect('nosuch' in lib).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(lib, 'counter')).toBe(true);
    expect(lib instanceof Object).toBe(true);
  });

  // The globals below are scalars: how a cdata global (an array, a struct) is serialised or
  // pretty-printed is the cdata's own behaviour, not the library's.
  test('JSON.stringify gives the globals and constants (functions are left out, as JSON does)', () => {
    expect(JSON.parse(JSON.stringify(scalars))).toEqual({ counter: 4, LIMIT: 8, OFF: 0, ON: 1 });
  });

  test('assert.deepStrictEqual compares it as an object: equal to itself, an AssertionError against something else', () => {
    assert.deepStrictEqual(lib, lib);
    expect(() => assert.deepStrictEqual(lib, { add: lib.add })).toThrow(assert.AssertionError);
    expect(util.isDeepStrictEqual(lib, {})).toBe(false);
  });

  test("jest's matchers compare and print it", () => {
    expect(lib).toEqual(lib);
    expect(lib).toMatchObject({ counter: 4, LIMIT: 8 });
    expect(lib).toHaveProperty('OFF', 0);
    expect(lib).toBeInstanceOf(Object);
    expect([lib]).toContainEqual(lib);
    // A failing comparison formats the library in its message instead of throwing an FFIError.
    expect(() => expect(scalars).toEqual({})).toThrow(/expect\(received\)\.toEqual\(expected\)/);
    expect(() => expect(scalars).toBe({})).toThrow(/expect\(received\)\.toBe\(expected\)/);
    expect(() => expect(scalars).toStrictEqual({ add: null })).toThrow(/"counter": 4/);
  });

  test('it is not a thenable: a Promise resolves to it and await gives it back', async () => {
    expect(await Promise.resolve(lib)).toBe(lib);
    await expect(Promise.resolve(lib)).resolves.toBe(lib);
    const got = await (async () => lib)();
    expect(got).toBe(lib);
  });

  test('spread, Object.assign and Object.entries copy the names', () => {
    const copy = { ...lib };
    expect(copy.add(2, 3)).toBe(5);
    expect(Object.assign({}, lib).LIMIT).toBe(8);
    expect(Object.entries(lib).map(([k]) => k)).toEqual(Object.keys(lib));
  });
});

describe('functions bound at their first use', () => {
  test("libraries of the same names share each name's getter, and each binds its own library's function", () => {
    const made = [0, 1].map(() => {
      const f = new FFI();
      f.cdef('int add(int a, int b);');
      return f.verify('int add(int a, int b) { return a + b; }', { filename: 'shared.c' }) as Lib;
    });
    const getters = made.map((l) => Object.getOwnPropertyDescriptor(l, 'add')?.get);
    expect(typeof getters[0]).toBe('function');
    expect(getters[1]).toBe(getters[0]);
    expect(made[0].add(2, 3)).toBe(5);
    expect(Object.getOwnPropertyDescriptor(made[0], 'add')?.value).toBe(made[0].add); // bound once, then a value
    expect(Object.getOwnPropertyDescriptor(made[1], 'add')?.get).toBe(getters[0]); // the other library is still unbound
    expect(made[1].add(4, 5)).toBe(9);
    expect(made[1].add).not.toBe(made[0].add);
  });

  test('an object made from a library binds the library\'s function; the getter on an unrelated object is a TypeError naming the function', () => {
    const f = new FFI();
    f.cdef('int add(int a, int b);');
    const l = f.verify('int add(int a, int b) { return a + b; }', { filename: 'derived.c' }) as Lib;
    const getter = Object.getOwnPropertyDescriptor(l, 'add')!.get!;
    const derived = Object.create(l) as Lib;
    expect(derived.add(1, 2)).toBe(3);
    expect(Object.getOwnPropertyDescriptor(l, 'add')?.value).toBe(l.add);
    const other = new FFI();
    other.cdef('int add(int a, int b);');
    const unbound = other.verify('int add(int a, int b) { return a + b; }', { filename: 'derived.c' }) as Lib;
    expect(() => getter.call({})).toThrow(new TypeError("'add': not a function of a library made by verify() or dlopen()"));
    expect(typeof Object.getOwnPropertyDescriptor(unbound, 'add')?.get).toBe('function');
  });
});

describe('module interop', () => {
  /** Runs `source` compiled by TypeScript with esModuleInterop, where './lib' is a CommonJS module whose module.exports is the library. */
  function importedThroughTypeScript(source: string): Record<string, unknown> {
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, esModuleInterop: true, target: ts.ScriptTarget.ES2022 } }).outputText;
    const exportsOf: Record<string, unknown> = {};
    const requireShim = (name: string): unknown => {
      if (name === './lib') return lib;
      throw new Error(`unexpected require('${name}')`);
    };
    new Function('exports', 'require', js)(exportsOf, requireShim);
    return exportsOf;
  }

  test("a default import through esModuleInterop ('__esModule' is asked) gives the library", () => {
    const out = importedThroughTypeScript("import lib from './lib';\nexport const sum = lib.add(1, 2);\nexport const same = lib;\n");
    expect(out.sum).toBe(3);
    expect(out.same).toBe(lib);
  });

  test('a namespace import through esModuleInterop copies its names and sets default', () => {
    const out = importedThroughTypeScript("import * as ns from './lib';\nexport const sum = ns.add(2, 2);\nexport const d = ns.default;\n");
    expect(out.sum).toBe(4);
    expect(out.d).toBe(lib);
  });
});

describe('a name the library does not have', () => {
  test('a misspelled C name is an FFIError naming it, with the close declared name', () => {
    expect(() => lib.ad).toThrow(new FFIError("the verify() library for tools.c: no function, global or constant named 'ad' was declared; did you mean 'add'?"));
    expect(() => lib.Counter).toThrow(/named 'Counter' was declared; did you mean 'counter'\?$/);
    expect(() => lib.primse).toThrow(/named 'primse' was declared; did you mean 'primes'\?$/);
    expect(() => lib.LIMT).toThrow(/did you mean 'LIMIT'\?$/);
  });

  test('a name close to nothing declared says how to declare it', () => {
    expect(() => lib.frobnicate).toThrow(
      new FFIError("the verify() library for tools.c: no function, global or constant named 'frobnicate' was declared; declare it with ffi.cdef()"),
    );
  });

  test('the names tools look up on any object are answered undefined', () => {
    const probed = lib as Record<string, unknown>;
    for (const name of ['then', 'toJSON', 'href', 'asymmetricMatch', 'nodeType', 'message', 'default', '__esModule', '$$typeof', '@@__IMMUTABLE_ITERABLE__@@']) {
      expect(probed[name]).toBeUndefined();
    }
    expect((lib as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
  });

  test('a static function of a cc() source is refused with the reason, and a close name is suggested for a typo', () => {
    const c = cc('static int helper(void) { return 1; }\nint visible(void) { return helper(); }\n', { filename: 'statics.c' });
    expect(() => c.helper).toThrow(
      new FFIError("the verify() library for statics.c: 'helper' is a static function of statics.c, visible only to its C code; remove 'static' to call it from JavaScript"),
    );
    expect(() => c.helpr).toThrow(/named 'helpr' was declared; did you mean 'helper'\?$/);
    expect(c.visible()).toBe(1);
  });
});
