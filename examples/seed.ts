// The seed program: compile a C `add` at run time with -O3, allocate two native ints, print their addresses and the sum.
import { FFI } from '../lib';

const ffi = new FFI();

const source = `
int add(int a, int b) {
    return a + b;
}
`;

ffi.cdef('int add(int a, int b);');
const C = ffi.verify(source, { extraCompileArgs: ['-O3'] });

/** Keeps the compiled function, as the seed's class does, and adds through it. */
class JITCompilationExample {
  private readonly cAdd: (a: number, b: number) => number = C.add;

  addNumbers(a: number, b: number): number {
    return this.cAdd(a, b);
  }
}

const jitExample = new JITCompilationExample();

// Two ints in native memory, owned by JavaScript and freed by its garbage collector.
const num1 = ffi.new('int *', 10);
const num2 = ffi.new('int *', 20);

console.log(`Memory address of num1: ${ffi.cast('uintptr_t', num1)}`);
console.log(`Memory address of num2: ${ffi.cast('uintptr_t', num2)}`);

const result = jitExample.addNumbers(num1[0], num2[0]);
console.log(`The result of adding ${num1[0]} and ${num2[0]} is: ${result}`);
