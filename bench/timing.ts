// Benchmark timing shared by the bench scripts: calibrated loops, interleaved rounds, medians, tables.

/** One row of a comparison table: our figure, what it is compared with, and the target if any. */
export interface Row {
  what: string;
  ours: number;
  versus: string;
  theirs: number;
  unit: string;
  target?: string;
}

/** A loop of `n` operations; loops store results in `sink` so V8 cannot drop the work. */
export type Loop = (n: number) => void;
export let sink: unknown;
export function keep(x: unknown): void {
  sink = x;
}

export const ROUNDS = 9;
const ROUND_NS = 10e6;

/**
 * Operations per round so that one round of `loop` lasts about 10 ms. timeAll() calibrates twice,
 * the first time as the warm-up: calibrated on cold code, a round would last a fraction of that,
 * too short to hold its share of the garbage collections an allocating loop causes.
 */
function calibrate(loop: Loop): number {
  for (let n = 256; ; n *= 2) {
    const t0 = process.hrtime.bigint();
    loop(n);
    if (Number(process.hrtime.bigint() - t0) >= ROUND_NS / 4 || n >= 1 << 26) return n * 4;
  }
}

/**
 * ns per operation of each loop, the median of its rounds; the loops take turns within each round
 * so that machine noise hits them alike. With `mean`, the mean of the rounds instead (all the time
 * over all the operations): for loops whose garbage collections come every few rounds, which a
 * median would leave out or keep depending on where they land.
 */
export function timeAll(loops: Loop[], { mean = false }: { mean?: boolean } = {}): number[] {
  const counts = loops.map((loop) => {
    calibrate(loop);
    return calibrate(loop);
  });
  const samples: number[][] = loops.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    loops.forEach((loop, i) => {
      const t0 = process.hrtime.bigint();
      loop(counts[i]);
      samples[i].push(Number(process.hrtime.bigint() - t0) / counts[i]);
    });
  }
  return samples.map((xs) => (mean ? xs.reduce((a, b) => a + b, 0) / xs.length : median(xs)));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median wall time in ms of `runs` calls of a one-shot action (compiles, loads). */
export function timeEach(runs: number, action: (i: number) => void): number {
  return timeTurns(runs, [action])[0];
}

/** Median wall time in ms of `runs` calls of each one-shot action, the actions taking turns so that machine noise hits them alike. */
export function timeTurns(runs: number, actions: readonly ((i: number) => void)[]): number[] {
  const ms: number[][] = actions.map(() => []);
  for (let i = 0; i < runs; i++) {
    actions.forEach((action, k) => {
      const t0 = process.hrtime.bigint();
      action(i);
      ms[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  }
  return ms.map(median);
}

/** Prints rows as an aligned table; columns listed in `right` are right-aligned. */
export function printTable(title: string, rows: string[][], right: readonly number[]): void {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  console.log(`\n${title}`);
  for (const r of rows) {
    console.log(r.map((cell, col) => (right.includes(col) ? cell.padStart(widths[col]) : cell.padEnd(widths[col]))).join('  '));
  }
}

/**
 * µs per page of the first write to memory the process has not used yet (the kernel gives the page
 * then) and of a later write to the same page: on some virtual machines the first costs thousands
 * of times more, and it is a share of every cold figure (a new process's heap grows page by page).
 */
export function pageWriteMicros(mib = 64): { first: number; again: number } {
  const page = 4096;
  const bytes = new Uint8Array(mib * 2 ** 20); // zeroed pages the kernel maps at their first write
  const pass = (v: number): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < bytes.length; i += page) bytes[i] = v;
    return Number(process.hrtime.bigint() - t0) / 1e3 / (bytes.length / page);
  };
  const first = pass(1);
  const again = pass(2);
  return { first, again };
}

/** What a cold child printed: its time in ms and the pages it wrote first (minor faults), as `ms faults`. */
export function coldFigures(stdout: string): { ms: number; pages: number } {
  const [ms, pages] = stdout.trim().split(' ').map(Number);
  return { ms, pages };
}
