// Calls off the main thread: slow C functions run on worker threads while JavaScript keeps going.
import { FFI } from '../lib';

const ffi = new FFI();
ffi.cdef('long long sum_to(long long n); unsigned int sleep_ms(unsigned int ms);');
const C = ffi.verify(`
  #include <time.h>
  long long sum_to(long long n) { long long s = 0; for (long long i = 1; i <= n; i++) s += i % 7; return s; }
  unsigned int sleep_ms(unsigned int ms) { struct timespec t = { ms / 1000, (ms % 1000) * 1000000L }; nanosleep(&t, 0); return ms; }
`);

async function main(): Promise<void> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);

  const started = Date.now();
  const [slept, sum] = await Promise.all([C.sleep_ms.async(300), C.sum_to.async(200_000_000)]);
  clearInterval(timer);

  console.log(`slept ${slept} ms and summed to ${sum} in ${Date.now() - started} ms on worker threads`);
  console.log(`meanwhile the event loop ran ${ticks} timer ticks`);
}

main();
