// How the process ends while .async calls are in C: at once, rather than waiting for libuv's worker threads that may never come back.
import { nodeHost } from '../host';
import { primitive, VOID } from '../ctype/model';
import { functionType, pointerTo } from '../ctype/intern';
import { loadLibrary } from './koffi';
import { RawFunction } from './calls';
import { native } from './native';

/*
 * koffi runs each .async call on one of libuv's worker threads. Node ends a process (process.exit(),
 * an exception nobody handles) by running the 'exit' handlers, then joining those threads
 * (uv_library_shutdown) before it exits. A thread still inside C holds the process until C returns,
 * and one whose C called a JavaScript callback never returns: koffi makes it wait for the callback's
 * result, which the main thread, ending (process.exit() inside that very callback, say), never
 * gives. The process hung there for ever, its 'exit' handlers run, its status never reported.
 *
 * So once the 'exit' handlers have run, with .async calls in flight:
 * - process.exit(status) inside a callback that another thread waits for ('now'): C's stdio buffers
 *   are flushed (fflush) and the process ends with _exit(status), where Node would join the threads.
 * - otherwise ('grace': process.exit() while calls run C, or an exception nobody handles): C's stdio
 *   is flushed, a timer is set to call _exit(status) on a thread of its own GRACE_MS later, and Node
 *   ends the process as usual: calls that return by then end with it as before, the timer ends it if
 *   one has not (or calls back, which the ending main thread never answers).
 * What a program wrote through process.stdout and process.stderr is written already as far as Node's
 * own process.exit() writes it (files, and pipes up to what they take at once); what C wrote through
 * stdio is flushed. What Node's teardown does after the join (atexit handlers, a terminal's modes
 * restored) is skipped when node-cffi ends the process. With no .async call in flight, nothing changes.
 *
 * Worker threads' calls hold the process the same way (Node ends the workers before it exits, and a
 * worker ends once its calls have returned), and only the main thread can end the process. The
 * native helper counts the .async calls of every thread in one process-wide count
 * (countAsyncCall); the main thread, once it has made an FFI (watchOtherThreads), gives those still
 * in C the grace period as the process ends. Without the helper, each thread knows its own calls
 * only.
 */

/** How long the process's ending may wait for .async calls still in C before node-cffi ends it. */
export const GRACE_MS = 1000;

/** How the process must end: as Node ends it, after GRACE_MS at the latest, or now. */
export type Urgency = 'none' | 'grace' | 'now';

/** libc's functions for ending the process, bound once (at the first .async call) so that the ending itself binds nothing. */
interface Enders {
  readonly fflush: RawFunction;
  readonly exit: RawFunction;
  readonly exitAddress: number;
  readonly timerCreate: RawFunction;
  readonly timerSettime: RawFunction;
}

/** The functions, once bound; null where they cannot be (the process then ends as Node ends it). */
let enders: Enders | null | undefined;

function boundEnders(): Enders | null {
  if (enders === undefined) {
    try {
      enders = bindEnders();
    } catch {
      enders = null;
    }
  }
  return enders;
}

function bindEnders(): Enders {
  const libc = loadLibrary(null);
  const int = primitive('int');
  const voidp = pointerTo(VOID);
  return {
    fflush: libc.bind('fflush', functionType([voidp], int, false)),
    exit: libc.bind('_exit', functionType([int], VOID, false)),
    exitAddress: libc.symbolAddress('_exit'),
    timerCreate: libc.bind('timer_create', functionType([int, voidp, voidp], int, false)),
    // timer_t as a long: the C library's may be any 64 bits (glibc sets the top one for SIGEV_THREAD timers).
    timerSettime: libc.bind('timer_settime', functionType([primitive('long'), int, voidp, voidp], int, false)),
  };
}

/** How this thread's own .async calls say the process must end (set by guardEnding). */
let ownUrgency: () => Urgency = () => 'none';
let hooked = false;

/**
 * Makes the process's ending independent of this thread's .async calls still in C, from now on
 * (once; at every .async call, cheaply). `urgency` says, as the process ends, how it must.
 */
export function guardEnding(urgency: () => Urgency): void {
  ownUrgency = urgency;
  if (boundEnders() !== null && !hooked) hook(); // bound now, so that the ending itself binds nothing
}

/** The native helper's count of .async calls in C in every thread (see countAsyncCall); undefined without it. */
const processCalls = native?.asyncCalls?.bind(native);

/**
 * In the main thread, makes the process's ending independent of other threads' .async calls still
 * in C too, from now on (once; at every new FFI, cheaply). Nothing without the native helper's count.
 */
export function watchOtherThreads(): void {
  if (!hooked && processCalls !== undefined) hook();
}

/** Counts an .async call begun (1) or settled (-1) in the process-wide count, where there is one. */
export const countAsyncCall: (delta: 1 | -1) => void = processCalls ?? (() => undefined);

function hook(): void {
  hooked = true;
  nodeHost.onEnding((status, how, mainThread) => {
    let u = ownUrgency();
    // Calls in C that this thread did not make: other threads' (this thread's own are in ownUrgency).
    if (u === 'none' && (processCalls?.(0) ?? 0) > 0) u = 'grace';
    // In a worker nothing: process.exit() there ends the worker, whose callbacks it unwinds.
    if (u === 'none' || !mainThread()) return;
    const e = boundEnders();
    if (e !== null) end(e, status, how === 'fatal' ? 'grace' : u);
  });
}

/** Ends the process with `status` now, or GRACE_MS from now unless Node has ended it by then. */
function end(e: Enders, status: number, urgency: 'grace' | 'now'): void {
  e.fflush(null);
  if (urgency === 'now') {
    e.exit(status);
    return;
  }
  if (!armTimer(e, status, GRACE_MS)) {
    // A warning would wait for a turn of the event loop, which an ending process never takes.
    nodeHost.write(
      'stderr',
      'node-cffi: the process is ending with .async calls still in C, and no timer could be set to end it (timer_create failed): ' +
        'Node waits for those calls to return, for ever if one calls back into JavaScript\n',
    );
  }
}

/**
 * A POSIX timer that, `ms` from now, calls _exit(status) on a thread of its own (SIGEV_THREAD: the
 * C library starts the thread and passes the timer's value, an int, as the argument). False when
 * the system refused it.
 */
function armTimer(e: Enders, status: number, ms: number): boolean {
  // struct sigevent (Linux, 64 bytes): sigev_value at 0, sigev_signo at 8, sigev_notify at 12,
  // then sigev_notify_function at 16 and sigev_notify_attributes at 24.
  const event = Buffer.alloc(64);
  event.writeInt32LE(status, 0);
  event.writeInt32LE(2 /* SIGEV_THREAD */, 12);
  event.writeBigUInt64LE(BigInt(e.exitAddress), 16);
  const id = Buffer.alloc(8);
  if (e.timerCreate(1 /* CLOCK_MONOTONIC */, event, id) !== 0) return false;
  // struct itimerspec: it_interval (0: once), then it_value.
  const when = Buffer.alloc(32);
  when.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 16);
  when.writeBigInt64LE(BigInt((ms % 1000) * 1_000_000), 24);
  return e.timerSettime(id.readBigInt64LE(0), 0, when, null) === 0;
}
