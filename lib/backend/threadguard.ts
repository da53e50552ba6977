// Callbacks that C's own threads call while the JavaScript thread is inside a synchronous call: stubs in front of koffi's.
import { CType, PrimitiveType, primitive, VOID } from '../ctype/model';
import { functionType, pointerTo } from '../ctype/intern';
import { loadLibrary } from './koffi';
import { bufferAddress, functionAt, rawView } from './calls';

/*
 * koffi runs a callback that another thread calls on the JavaScript thread's event loop, and makes
 * that thread wait until it has run. If the JavaScript thread is inside a synchronous call at that
 * moment, the event loop cannot turn before the call returns; if the call waits for that thread (a
 * C function that starts a thread which calls back, then joins it), it never returns: the process
 * hangs, saying nothing.
 *
 * C therefore never gets koffi's trampoline itself but a stub in front of it. On the JavaScript
 * thread, or while that thread is not inside a synchronous call, the stub jumps straight to koffi's
 * trampoline: nothing changes. On another thread while the JavaScript thread is inside a
 * synchronous call, it waits, 1 ms at a time, for that call to return (then goes on to koffi as
 * before: a callback that merely meets a short call is delayed, not lost); if the call has not
 * returned after WAIT_MS, it returns the callback's error value to C at once and records which call
 * it met, so that the call can return and node-cffi can warn, naming it (see cdata/call.ts).
 *
 * The stubs are machine code for x86-64 and aarch64 (below, with their assembly), written once
 * into a mapping that is then made executable. Elsewhere, or where the system refuses executable
 * memory, callbacks are not guarded and `guardUnavailable` says why.
 */

/** How long a callback from another thread waits for the JavaScript thread's synchronous call to return. */
export const WAIT_MS = 200;

/**
 * What the stubs and the JavaScript thread share (an ArrayBuffer's memory never moves), as int32s:
 * [0..1] the JavaScript thread's thread pointer; [2] the id of the synchronous call in progress
 * (0: none), set by every synchronous caller; [3] how many callbacks were refused since the last
 * look; [4] the call and [5] the callback of the last refusal; [6] how many 1 ms waits before
 * refusing; [7] whether any callback has a stub yet; [8..11] the struct timespec of 1 ms the stubs sleep.
 */
const stateBuffer = new ArrayBuffer(64);
export const SYNC = new Int32Array(stateBuffer);
/** Index in SYNC of the id of the synchronous call in progress. */
export const IN_CALL = 2;
/** Index in SYNC of the count of refused callbacks not reported yet. */
export const REFUSED = 3;
/** Index in SYNC that is 1 once a callback has a stub (before, no callback can meet a synchronous call: callers skip IN_CALL). */
export const GUARDING = 7;
const state = new DataView(stateBuffer);
state.setInt32(24, WAIT_MS, true);
state.setBigInt64(32, 0n, true); // tv_sec
state.setBigInt64(40, 1_000_000n, true); // tv_nsec

const labels: string[] = [''];
const labelIds = new Map<string, number>();

/** A small number standing for `label` ('add()', "ffi.callback('int(int)')"), which the stubs record. */
export function labelId(label: string): number {
  let id = labelIds.get(label);
  if (id === undefined) {
    id = labels.push(label) - 1;
    labelIds.set(label, id);
  }
  return id;
}

/** The refusals since the last look (and forgets them): how many, the call they met, the last callback refused. */
export function takeRefusals(): { count: number; call: string; callback: string } {
  const count = SYNC[REFUSED];
  SYNC[REFUSED] = 0;
  return { count, call: labels[SYNC[4]] ?? 'a synchronous call', callback: labels[SYNC[5]] ?? 'a callback' };
}

// ---------------------------------------------------------------------------------------------
// The machine code

/** Where things are in the mapping: the shared code, the stubs, and (DATA) the state pointer and each stub's slot. */
const COMMON = 16;
const STUBS = 256;
const STUB_SIZE = 16;
const CAPACITY = 8192; // koffi's callback slots
const DATA = 0x40000; // a multiple of every page size (4, 16 or 64 KiB)
const SLOTS = DATA + 64;
const SLOT_SIZE = 32;
const MAPPING = DATA + 0x50000;

/**
 * The shared code for x86-64 (System V), as `gcc -c` assembles it; the test holds the bytes to it.
 * At 0, `get_tp` returns this thread's pointer; at 16, `common` runs with r11 = the stub's slot:
 * [0] koffi's trampoline, [8] the error value's integer bits, [16] its floating-point bits,
 * [24] the callback's label id. It uses only rax, r10 and r11 (scratch registers, none an
 * argument) on the way to koffi, and saves the argument registers around the syscall.
 */
export const X64_SOURCE = `
    .text
get_tp:
    endbr64
    movq %fs:0, %rax
    ret
    .org 16
common:
    movq %fs:0, %rax
    movq STATE_PTR(%rip), %r10
    cmpq (%r10), %rax
    je 3f
    cmpl $0, 8(%r10)
    je 3f
    pushq %rdi
    pushq %rsi
    pushq %rdx
    pushq %rcx
    pushq %r8
    pushq %r9
    pushq %r11
    movl 24(%r10), %r9d
1:  movl $35, %eax
    leaq 32(%r10), %rdi
    xorl %esi, %esi
    syscall
    movq STATE_PTR(%rip), %r10
    cmpl $0, 8(%r10)
    je 2f
    decl %r9d
    jnz 1b
    popq %r11
    popq %r9
    popq %r8
    popq %rcx
    popq %rdx
    popq %rsi
    popq %rdi
    lock incl 12(%r10)
    movl 8(%r10), %eax
    movl %eax, 16(%r10)
    movl 24(%r11), %eax
    movl %eax, 20(%r10)
    movq 8(%r11), %rax
    movq 16(%r11), %xmm0
    ret
2:  popq %r11
    popq %r9
    popq %r8
    popq %rcx
    popq %rdx
    popq %rsi
    popq %rdi
3:  jmpq *(%r11)
    .set STATE_PTR, get_tp + 0x40000
`;

const X64_CODE =
  'f30f1efa64488b042500000000c3000064488b0425000000004c8b15e0ff0300493b02746941837a0800746257565251415041514153458b4a18' +
  'b823000000498d7a2031f60f054c8b15b2ff030041837a0800742f41ffc975e0415b41594158595a5e5ff041ff420c418b420841894210418b43' +
  '1841894214498b4308f3410f7e4310c3415b41594158595a5e5f41ff23';

/** The same for aarch64 (AAPCS64), as `as -march=armv8.5-a` assembles it: x16 = the slot; x9-x17 are scratch. */
export const ARM64_SOURCE = `
    .text
get_tp:
    bti c
    mrs x0, tpidr_el0
    ret
    .balign 16
common:
    mrs x17, tpidr_el0
    ldr x9, STATE_PTR
    ldr x10, [x9]
    cmp x17, x10
    b.eq 3f
    ldr w10, [x9, #8]
    cbz w10, 3f
    stp x0, x1, [sp, #-32]!
    str x8, [sp, #16]
    ldr w11, [x9, #24]
1:  add x0, x9, #32
    mov x1, #0
    mov x8, #101
    svc #0
    ldr w10, [x9, #8]
    cbz w10, 2f
    subs w11, w11, #1
    b.ne 1b
    ldr x8, [sp, #16]
    ldp x0, x1, [sp], #32
    add x12, x9, #12
4:  ldaxr w13, [x12]
    add w13, w13, #1
    stlxr w14, w13, [x12]
    cbnz w14, 4b
    ldr w13, [x9, #8]
    str w13, [x9, #16]
    ldr w13, [x16, #24]
    str w13, [x9, #20]
    ldr x0, [x16, #8]
    ldr d0, [x16, #16]
    ret
2:  ldr x8, [sp, #16]
    ldp x0, x1, [sp], #32
3:  ldr x17, [x16]
    br x17
    .set STATE_PTR, get_tp + 0x40000
`;

const ARM64_CODE =
  '5f2403d540d03bd5c0035fd61f2003d551d03bd569ff1f582a0140f93f020aebc00300542a0940b98a030034e007bea9e80b00f92b1940b92081' +
  '0091010080d2a80c80d2010000d42a0940b92a0200346b05007121ffff54e80b40f9e007c2a82c3100918dfd5f88ad0500118dfd0e88aeffff35' +
  '2d0940b92d1100b90d1a40b92d1500b9000640f9000a40fdc0035fd6e80b40f9e007c2a8110240f920021fd6';

/** Stub `i`: load its slot's address into the scratch register and go to the shared code. */
function stubX64(i: number): number[] {
  const at = STUBS + i * STUB_SIZE;
  const lea = SLOTS + i * SLOT_SIZE - (at + 4 + 7); // lea r11, [rip + slot]
  const jmp = COMMON - (at + 16); // jmp common
  return [0xf3, 0x0f, 0x1e, 0xfa, 0x4c, 0x8d, 0x1d, ...le32(lea), 0xe9, ...le32(jmp)];
}

function stubArm64(i: number): number[] {
  const at = STUBS + i * STUB_SIZE;
  const adr = SLOTS + i * SLOT_SIZE - (at + 4); // adr x16, slot
  const b = (COMMON - (at + 8)) / 4; // b common
  const words = [
    0xd503245f, // bti c
    (0x10000000 | ((adr & 3) << 29) | (((adr >> 2) & 0x7ffff) << 5) | 16) >>> 0,
    (0x14000000 | (b & 0x3ffffff)) >>> 0,
    0xd503201f, // nop
  ];
  return words.flatMap(le32);
}

function le32(n: number): number[] {
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
}

/** The bytes of the code part of the mapping for `arch`: the shared code, then every stub. */
export function codeImage(arch: 'x64' | 'arm64'): Uint8Array {
  const image = new Uint8Array(STUBS + CAPACITY * STUB_SIZE);
  image.set(Buffer.from(arch === 'x64' ? X64_CODE : ARM64_CODE, 'hex'));
  const stub = arch === 'x64' ? stubX64 : stubArm64;
  for (let i = 0; i < CAPACITY; i++) image.set(stub(i), STUBS + i * STUB_SIZE);
  return image;
}

/** The layout, for the tests that run the code outside node. */
export const LAYOUT = { COMMON, STUBS, STUB_SIZE, CAPACITY, DATA, SLOTS, SLOT_SIZE, MAPPING } as const;

// ---------------------------------------------------------------------------------------------
// The mapping

interface Region {
  readonly base: number;
  readonly slots: DataView;
  readonly free: number[];
  next: number;
}

let region: Region | null | undefined;

/** Why callbacks are not guarded here ('' while they are, or before the first callback). */
export let guardUnavailable = '';

function fn(result: CType, args: CType[]) {
  return functionType(args, result, false);
}

/** Maps the stubs and makes them executable, once; null where that is not possible (and `guardUnavailable` says why). */
function mapRegion(): Region | null {
  const arch = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64') ? process.arch : null;
  if (arch === null) {
    guardUnavailable = `no guard stubs for ${process.platform}/${process.arch}`;
    return null;
  }
  const libc = loadLibrary(null);
  const int = primitive('int');
  const size = primitive('size_t');
  const voidp = pointerTo(VOID);
  const mmap = libc.bind('mmap', fn(voidp, [voidp, size, int, int, int, primitive('long')]));
  const mprotect = libc.bind('mprotect', fn(int, [voidp, size, int]));
  const base = mmap(null, MAPPING, 3 /* PROT_READ | PROT_WRITE */, 0x22 /* MAP_PRIVATE | MAP_ANONYMOUS */, -1, 0) as number;
  if (typeof base !== 'number' || base <= 0) {
    guardUnavailable = 'the system refused to map memory for the guard stubs';
    return null;
  }
  const code = codeImage(arch);
  new Uint8Array(rawView(base, code.length)).set(code);
  const data = new DataView(rawView(base + DATA, MAPPING - DATA));
  data.setBigUint64(0, BigInt(bufferAddress(stateBuffer)), true);
  // The code becomes read-only and executable (the data stays writable, never executable).
  if (mprotect(base, DATA, 5 /* PROT_READ | PROT_EXEC */) !== 0) {
    guardUnavailable = 'the system refused executable memory for the guard stubs (W^X policy)';
    return null;
  }
  const tp = functionAt(base, fn(primitive('uint64_t') as PrimitiveType, []))();
  state.setBigUint64(0, BigInt(tp as number | bigint), true);
  return { base, slots: new DataView(rawView(base + SLOTS, CAPACITY * SLOT_SIZE)), free: [], next: 0 };
}

let warned = false;

/** Says once that callbacks are not guarded here, and what to do instead. */
function warnUnguarded(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    `callbacks are not guarded here (${guardUnavailable}): a callback that a thread of C's own calls while JavaScript is inside a ` +
      'synchronous call waits for the event loop, forever if that call waits for the thread; call such functions with .async(...)',
    'NodeCffiThreadWarning',
  );
}

/** A callback's result as the stub returns it when it refuses: integer bits (rax/x0) and floating-point bits (xmm0/d0). */
export interface ErrorBits {
  readonly int: bigint;
  readonly float: bigint;
}

/**
 * The address C should call for koffi's trampoline `target`: a stub in front of it (see above),
 * or `target` itself when stubs are unavailable or all in use. `release()` gives the stub back.
 */
export function guardCallback(target: number, error: ErrorBits, label: string): { address: number; release(): void } {
  if (region === undefined) {
    try {
      region = mapRegion();
    } catch (e) {
      guardUnavailable = `the guard stubs could not be set up (${(e as Error).message})`;
      region = null;
    }
  }
  const r = region;
  if (r === null) {
    warnUnguarded();
    return { address: target, release() {} };
  }
  const i = r.free.length > 0 ? r.free.pop()! : r.next < CAPACITY ? r.next++ : -1;
  if (i < 0) return { address: target, release() {} };
  SYNC[GUARDING] = 1;
  const at = i * SLOT_SIZE;
  r.slots.setBigUint64(at, BigInt(target), true);
  r.slots.setBigUint64(at + 8, BigInt.asUintN(64, error.int), true);
  r.slots.setBigUint64(at + 16, BigInt.asUintN(64, error.float), true);
  r.slots.setUint32(at + 24, labelId(label), true);
  let live = true;
  return {
    address: r.base + STUBS + i * STUB_SIZE,
    release() {
      if (!live) return;
      live = false;
      r.free.push(i);
    },
  };
}
