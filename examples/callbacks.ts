// Callbacks: the C library's qsort sorting native memory with a JavaScript comparator, and a callback C keeps.
import { FFI } from '../lib';

const ffi = new FFI();
ffi.cdef(`
  void qsort(void *base, size_t count, size_t size, int (*compare)(const void *, const void *));
  struct person { char name[16]; int age; };
`);
const libc = ffi.dlopen(null);

// Sort ints in place.
const numbers = ffi.new('int[]', [42, 7, 19, 3, 88]);
const byValue = ffi.callback('int(const void *, const void *)', (a, b) => ffi.cast('int *', a)![0] - ffi.cast('int *', b)![0]);
libc.qsort(numbers, numbers.length, ffi.sizeof('int'), byValue);
console.log('sorted ints:', [...numbers].join(', '));

// Sort structs by a field; a plain function is fine when C only calls it during the call.
const people = ffi.new('struct person[3]', [
  { name: 'Ada', age: 36 },
  { name: 'Grace', age: 85 },
  { name: 'Linus', age: 21 },
]);
libc.qsort(people, 3, ffi.sizeof('struct person'), (a: unknown, b: unknown) =>
  ffi.cast('struct person *', a)!.age - ffi.cast('struct person *', b)!.age,
);
console.log('by age:', [...people].map((p) => `${ffi.string(p.name)} (${p.age})`).join(', '));

// A callback C stores and calls later must stay reachable; ffi.release() frees its slot when done.
// (A new FFI: verify() compiles glue for every declaration of its FFI, and qsort is not in this source.)
const app = new FFI();
app.cdef(`
  typedef void (*logger_t)(const char *message);
  void set_logger(logger_t f);
  void work(int n);
`);
const C = app.verify(
  `
  typedef void (*logger_t)(const char *message);
  static logger_t current;
  void set_logger(logger_t f) { current = f; }
  void work(int n) { for (int i = 0; i < n; i++) if (current) current(i % 2 ? "odd" : "even"); }
`,
  { filename: 'logger.c' },
);
const lines: string[] = [];
const logger = app.callback('logger_t', (message) => void lines.push(app.string(message)));
C.set_logger(logger);
C.work(3);
console.log('C logged:', lines.join(', '));
C.set_logger(null);
app.release(logger);
