// Structs and unions koffi cannot pass by value as C does (packed out of alignment, a union's bit-fields, '...;'): refused before any C runs, never a crash or a wrong value; verify() wrappers pass them.
import { ending, runChild } from '../helpers/child';

/** A packed struct whose int member is misaligned: x86-64 passes and returns it in memory, not in registers. */
const CDEF = 'struct foo { char y; int x; }; struct foo f(void); int take(struct foo); struct foo g(int, ...);';
const SOURCE = `
struct foo { char y; int x; } __attribute__((packed));
struct foo f(void) { struct foo s = { 40, 200 }; return s; }
int take(struct foo s) { return s.y * 1000 + s.x; }
struct foo g(int a, ...) { struct foo s = { 41, 201 }; (void)a; return s; }
`;

/**
 * Runs `calls` (an expression per line, each printed as its value or the error it throws) in a
 * child, against a library of CDEF and SOURCE opened by `open` ('dlopen' or 'verify').
 */
function inChild(open: 'dlopen' | 'verify', calls: string[]): { ended: string; lines: string[] } {
  const child = runChild(`
const { FFI } = require(LIB);
const fs = require('fs'), os = require('os'), path = require('path'), { execFileSync } = require('child_process');
const ffi = new FFI();
ffi.cdef(${JSON.stringify(CDEF)}, { packed: true });
let lib;
if (${JSON.stringify(open)} === 'dlopen') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-packed-'));
  fs.writeFileSync(path.join(dir, 'p.c'), ${JSON.stringify(SOURCE)});
  execFileSync(process.env.CC || 'cc', ['-O2', '-shared', '-fPIC', '-o', path.join(dir, 'p.so'), path.join(dir, 'p.c')]);
  lib = ffi.dlopen(path.join(dir, 'p.so'));
} else {
  lib = ffi.verify(${JSON.stringify(SOURCE)}, { filename: 'packed.c' });
}
for (const call of ${JSON.stringify(calls)}) {
  try {
    console.log(JSON.stringify(eval(call)));
  } catch (e) {
    console.log(e.constructor.name + ': ' + e.message);
  }
}`);
  return { ended: ending(child), lines: child.stdout.trim().split('\n') };
}

test('through dlopen, a packed struct result or argument is a TypeError naming the reason (was: SIGSEGV, and a wrong value)', () => {
  const r = inChild('dlopen', ['(() => { const s = lib.f(); return [s.y, s.x]; })()', 'lib.take({ y: 3, x: 4 })', 'lib.g(0)']);
  expect(r.ended).toBe('exit 0');
  const reason = "koffi cannot pass 'struct foo' by value as C does: it is packed: member 'x' is not at its natural alignment; use verify()";
  expect(r.lines[0]).toBe(`TypeError: result of f(): ${reason}, whose wrappers pass it by pointer`);
  expect(r.lines[1]).toBe(`TypeError: argument of take(): ${reason}, whose wrappers pass it by pointer`);
  expect(r.lines[2]).toMatch(/^FFIError: g\(\): 'struct foo' cannot be returned through a variadic call: it is packed/);
});

test('through verify(), the wrappers pass it by pointer; the variadic function, which no wrapper can forward, is refused', () => {
  const r = inChild('verify', ['(() => { const s = lib.f(); return [s.y, s.x]; })()', 'lib.take({ y: 3, x: 4 })', 'lib.g(0)', 'lib.g(0, ["int", 1])']);
  expect(r.ended).toBe('exit 0');
  expect(r.lines.slice(0, 2)).toEqual(['[40,200]', '3004']);
  for (const line of r.lines.slice(2)) {
    expect(line).toBe(
      "FFIError: g(): 'struct foo' cannot be returned through a variadic call: it is packed: member 'x' is not at its natural alignment, " +
        "so koffi cannot return it as C does, and no wrapper can forward '...'; only non-variadic functions of verify() libraries return it " +
        '(their wrappers pass it by pointer)',
    );
  }
});

test("a member named '__proto__' (which names the prototype of koffi's record objects) is refused through koffi, with the reason; verify() passes it", () => {
  const child = runChild(`
const { FFI } = require(LIB);
const ffi = new FFI();
ffi.cdef('struct s { int __proto__; int b; }; int sum(struct s); typedef int (*cb_t)(struct s);');
const lib = ffi.verify('struct s { int __proto__; int b; };\\nint sum(struct s v) { return v.__proto__ * 100 + v.b; }\\n');
const v = ffi.new('struct s *');
v.__proto__ = 4;
v.b = 2;
console.log(lib.sum(v[0]));
try { ffi.callback('cb_t', (s) => s.b); console.log('made'); } catch (e) { console.log(e.constructor.name + ': ' + e.message); }`);
  expect(ending(child)).toBe('exit 0');
  expect(child.stdout.trim().split('\n')).toEqual([
    '402',
    "TypeError: function type 'int(struct s)': koffi cannot pass 'struct s' by value as C does: it has a member named '__proto__', which koffi's records cannot hold; use verify(), whose wrappers pass it by pointer",
  ]);
});
