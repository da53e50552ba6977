// Random structs and unions (bit-fields, arrays, anonymous unions and structs) by value through dlopen(), as koffi records, against verify()'s wrappers and the compiled C: the same values, or a refusal with its reason.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildResult, ending, runChild } from '../helpers/child';
import { Random, testSeed } from '../helpers/random';

/** How many types one run makes, each with its functions. */
const COUNT = process.env.NODE_CFFI_LONG === '1' ? 600 : 120;
/** NODE_CFFI_SEED=<n> replays a run; otherwise every run draws a new seed (in the test name). */
const SEED = testSeed();

type Member =
  | { readonly kind: 'scalar'; readonly type: string; readonly name: string }
  | { readonly kind: 'array'; readonly type: string; readonly length: number; readonly name: string }
  | { readonly kind: 'bits'; readonly type: string; readonly width: number; readonly name: string }
  | { readonly kind: 'anonymous'; readonly union: boolean; readonly members: readonly Member[] };

interface Shape {
  readonly union: boolean;
  readonly members: readonly Member[];
}

/** Scalar types and the values drawn for them (all of them exact in the type and in a JavaScript number). */
const SCALARS: Record<string, (r: Random) => number> = {
  'signed char': (r) => r.int(-128, 127),
  'unsigned char': (r) => r.int(0, 255),
  short: (r) => r.int(-32768, 32767),
  'unsigned short': (r) => r.int(0, 65535),
  int: (r) => r.int(-(2 ** 31), 2 ** 31 - 1),
  unsigned: (r) => r.int(0, 2 ** 32 - 1),
  'long long': (r) => r.int(-(2 ** 40), 2 ** 40),
  'unsigned long long': (r) => r.int(0, 2 ** 45),
  float: (r) => r.pick([0, 1.5, -2.25, 1024, 0.125, 3, -7.5]),
  double: (r) => r.pick([0, 1.5, -2.25, 1e10, 0.1, -3e-5, 42]),
};
const SCALAR_TYPES = Object.keys(SCALARS);
/** Bit-field types, with the widest width drawn for each. */
const BIT_TYPES: Record<string, number> = { int: 31, unsigned: 32, 'long long': 45, 'unsigned long long': 45, 'unsigned char': 8, short: 16 };

class Shapes {
  private names = 0;
  constructor(private readonly rnd: Random) {}

  shape(): Shape {
    return { union: this.rnd.chance(0.25), members: this.members(this.rnd.int(1, 6), 0) };
  }

  private members(n: number, depth: number): Member[] {
    return Array.from({ length: n }, () => this.member(depth));
  }

  private member(depth: number): Member {
    const r = this.rnd;
    const name = `m${++this.names}`;
    const roll = r.next();
    if (roll < 0.45) return { kind: 'scalar', type: r.pick(SCALAR_TYPES), name };
    if (roll < 0.6) return { kind: 'array', type: r.pick(SCALAR_TYPES), length: r.int(1, 3), name };
    if (depth >= 2 || roll < 0.8) {
      const type = r.pick(Object.keys(BIT_TYPES));
      return { kind: 'bits', type, width: r.int(1, BIT_TYPES[type]), name };
    }
    return { kind: 'anonymous', union: r.chance(0.6), members: this.members(r.int(1, 3), depth + 1) };
  }
}

/** The members a value of the shape names (anonymous ones flattened), with their kinds. */
function leaves(members: readonly Member[]): Exclude<Member, { kind: 'anonymous' }>[] {
  return members.flatMap((m) => (m.kind === 'anonymous' ? leaves(m.members) : [m]));
}

function memberText(m: Member): string {
  switch (m.kind) {
    case 'scalar':
      return `${m.type} ${m.name};`;
    case 'array':
      return `${m.type} ${m.name}[${m.length}];`;
    case 'bits':
      return `${m.type} ${m.name} : ${m.width};`;
    case 'anonymous':
      return `${m.union ? 'union' : 'struct'} { ${m.members.map(memberText).join(' ')} };`;
  }
}

/**
 * An initialiser: every member a value, but in a union (the type, or an anonymous one) only its
 * first member, as C's brace initialisers fill them.
 */
function initialiser(members: readonly Member[], union: boolean, r: Random, out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const m of union ? members.slice(0, 1) : members) {
    switch (m.kind) {
      case 'scalar':
        out[m.name] = SCALARS[m.type](r);
        break;
      case 'array':
        out[m.name] = Array.from({ length: m.length }, () => SCALARS[m.type](r));
        break;
      case 'bits': {
        const signed = !m.type.startsWith('unsigned');
        out[m.name] = signed ? r.int(-(2 ** (m.width - 1)), 2 ** (m.width - 1) - 1) : r.int(0, 2 ** m.width - 1);
        break;
      }
      case 'anonymous':
        initialiser(m.members, m.union, r, out);
    }
  }
  return out;
}

/** The C of type k: the type, a function returning it as given, one weighing every member, and two calling a callback with or for it. */
function cText(k: number, s: Shape): { decls: string; source: string } {
  const t = `${s.union ? 'union' : 'struct'} t${k}`;
  const type = `${t} { ${s.members.map(memberText).join(' ')} };`;
  const terms = leaves(s.members).flatMap((m) => (m.kind === 'array' ? Array.from({ length: m.length }, (_, i) => `v.${m.name}[${i}]`) : [`v.${m.name}`]));
  const decls = `${type}\n${t} echo${k}(int before, ${t} v, double after);\ndouble weigh${k}(${t} v);\n` +
    `double through${k}(double (*f)(${t}), ${t} v);\n${t} made${k}(${t} (*f)(int), int i);\n`;
  const source = `${type}\n${t} echo${k}(int before, ${t} v, double after) { (void)before; (void)after; return v; }\n` +
    `double weigh${k}(${t} v) { double s = 0; ${terms.map((x) => `s = s * 3 + (double)${x};`).join(' ')} return s; }\n` +
    `double through${k}(double (*f)(${t}), ${t} v) { return f(v); }\n${t} made${k}(${t} (*f)(int), int i) { return f(i); }\n`;
  return { decls, source };
}

test(`random structs and unions by value through dlopen: the values verify() and C give, or a refusal with the reason (seed ${SEED})`, () => {
  const rnd = new Random(SEED);
  const shapes = new Shapes(rnd);
  const types = Array.from({ length: COUNT }, (_, k) => {
    const shape = shapes.shape();
    return { shape, ...cText(k, shape), init: initialiser(shape.members, shape.union, rnd), names: leaves(shape.members).map((m) => m.name) };
  });
  const decls = types.map((x) => x.decls).join('');
  const source = types.map((x) => x.source).join('');
  // The types and the C go to the child in files: as its program's text, hundreds of them exceed what one argument may hold.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-byvalue-random-'));
  let child: ChildResult;
  try {
    fs.writeFileSync(path.join(dir, 'r.c'), source);
    fs.writeFileSync(path.join(dir, 'types.json'), JSON.stringify({ decls, source, types: types.map(({ init, names, shape }) => ({ init, names, union: shape.union })) }));
    // In a child: a record koffi passed in the wrong registers could make C write through a wrong address.
    child = runChild(`
const { FFI } = require(LIB);
const fs = require('fs'), path = require('path'), { execFileSync } = require('child_process');
const dir = process.env.BYVALUE_DIR;
const { decls, source, types } = JSON.parse(fs.readFileSync(path.join(dir, 'types.json'), 'utf8'));
execFileSync(process.env.CC || 'cc', ['-O2', '-shared', '-fPIC', '-o', path.join(dir, 'r.so'), path.join(dir, 'r.c')]);
const abi = new FFI();
abi.cdef(decls);
const A = abi.dlopen(path.join(dir, 'r.so'));
const api = new FFI();
api.cdef(decls);
const V = api.verify(source);
// Members as JSON (a bigint as its digits: a union's other members read whatever bytes the first wrote).
const read = (v, names) => JSON.stringify(names.map((n) => { const x = v[n]; return typeof x === 'object' && x !== null ? [...x] : x; }), (_, x) => (typeof x === 'bigint' ? String(x) : x));
const out = types.map(({ init, names, union }, k) => {
  const t = (union ? 'union' : 'struct') + ' t' + k;
  const given = read(api.new(t + ' *', init)[0], names);
  const viaVerify = { weigh: V['weigh' + k](init), echo: read(V['echo' + k](1, init, 2), names) };
  try {
    const seen = [];
    const cb = abi.callback('double(' + t + ')', (v) => (seen.push(read(v, names)), 5));
    const make = abi.callback(t + '(int)', (i) => init);
    return {
      given, viaVerify,
      viaDlopen: { weigh: A['weigh' + k](init), echo: read(A['echo' + k](1, abi.new(t + ' *', init)[0], 2), names) },
      callback: { result: A['through' + k](cb, init), seen: seen[0], made: read(A['made' + k](make, 3), names) },
    };
  } catch (e) {
    return { given, viaVerify, refused: e.constructor.name + ': ' + e.message };
  }
});
console.log(JSON.stringify(out));`, { env: { BYVALUE_DIR: dir } });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  expect(child.stderr).toBe('');
  expect(ending(child)).toBe('exit 0');
  const out = JSON.parse(child.stdout) as {
    given: string; viaVerify: { weigh: number | null; echo: string }; refused?: string;
    viaDlopen?: { weigh: number | null; echo: string }; callback?: { result: number; seen: string; made: string };
  }[];
  let passed = 0;
  const passedWith = { bits: 0, bitsInUnion: 0, anonymousStructInUnion: 0, anonymousUnion: 0, union: 0, memory: 0 };
  out.forEach((r, k) => {
    const { shape } = types[k];
    // Each expectation names the type, so that a failure shows its declaration.
    const type = types[k].decls.split('\n')[0];
    // verify() passes every one of them: its wrappers take the value by pointer.
    expect({ type, echo: r.viaVerify.echo }).toEqual({ type, echo: r.given });
    if (r.refused !== undefined) {
      // A refusal names the type and why koffi cannot pass it as C does.
      const reason = new RegExp(`^(TypeError|FFIError): .*(koffi cannot|not supported).*'(struct|union) t${k}'|^(TypeError|FFIError): .*'(struct|union) t${k}'.*(koffi cannot|not supported)`);
      expect({ type, refused: r.refused }).toEqual({ type, refused: expect.stringMatching(reason) });
      return;
    }
    expect({ type, ...r.viaDlopen }).toEqual({ type, ...r.viaVerify });
    expect({ type, result: r.callback!.result, seen: r.callback!.seen, made: r.callback!.made }).toEqual({ type, result: 5, seen: r.given, made: r.given });
    passed++;
    const all = (ms: readonly Member[]): Member[] => ms.flatMap((m) => (m.kind === 'anonymous' ? [m, ...all(m.members)] : [m]));
    const members = all(shape.members);
    if (members.some((m) => m.kind === 'bits')) passedWith.bits++;
    const unions = [...(shape.union ? [shape.members] : []), ...members.flatMap((m) => (m.kind === 'anonymous' && m.union ? [m.members] : []))];
    if (unions.some((u) => all(u).some((m) => m.kind === 'bits'))) passedWith.bitsInUnion++;
    if (shape.union || members.some((m) => m.kind === 'anonymous' && m.union)) passedWith.union++;
    if (members.some((m) => m.kind === 'anonymous' && m.union)) passedWith.anonymousUnion++;
    if ((shape.union && shape.members.some((m) => m.kind === 'anonymous' && !m.union)) || members.some((m) => m.kind === 'anonymous' && m.union && m.members.some((x) => x.kind === 'anonymous' && !x.union))) {
      passedWith.anonymousStructInUnion++;
    }
    if (leaves(shape.members).reduce((n, m) => n + (m.kind === 'array' ? m.length : 1), 0) > 4) passedWith.memory++;
  });
  // The generator reaches what this test is about: most types pass, and each feature passes in some.
  expect(passed).toBeGreaterThan(COUNT / 2);
  for (const [feature, n] of Object.entries(passedWith)) expect({ feature, some: n > 0 }).toEqual({ feature, some: true });
});
