// Test helper: a small seeded PRNG (mulberry32), so that every randomised test replays from its seed.

/** A generator of floats in [0, 1) determined by `seed`. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same generator with the draws randomised tests need. */
export class Random {
  /** A float in [0, 1). */
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * The seed of a randomised test: NODE_CFFI_SEED when set (to replay a run), else `fixed` when
 * given, else a new one each run. Tests put it in their names, so a failure shows how to replay it.
 */
export function testSeed(fixed?: number): number {
  const given = process.env.NODE_CFFI_SEED;
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isInteger(n)) throw new Error(`NODE_CFFI_SEED must be an integer, got ${JSON.stringify(given)}`);
    return n >>> 0;
  }
  return fixed ?? (Math.random() * 2 ** 32) >>> 0;
}
