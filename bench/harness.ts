/**
 * A small timing harness for async operations.
 *
 * Every operation is awaited before the next one starts (no overlap), so a figure is the latency
 * of one call, including the microtask hops of its promise chain. Time is read with
 * process.hrtime.bigint; a figure is total time / iterations.
 *
 * Several operations (one per library) are measured together: each is warmed up (which also
 * calibrates its cost), then their timed batches are interleaved — A B, B A, A B, … — so that
 * drift in the machine's speed (frequency scaling, noisy neighbours) falls on all of them alike,
 * and the ratio between them stays meaningful even when the absolute numbers wobble. No GC is
 * forced: a full GC forced before each batch was tried and made msal-node 2–5× slower here, so
 * each library simply pays for its own garbage, as in an application.
 *
 * @module
 */

export interface MeasureOptions {
  /** Time spent warming up (and calibrating) each operation before measuring. */
  warmupMs: number;
  /** Time the timed batches of one operation should take together (iterations auto-scale). */
  targetMs: number;
  /** How many timed batches to split the measurement into (for the spread, and interleaving). */
  batches: number;
  /** At least this many warm-up iterations, however slow the operation (default 2). */
  minWarmupIterations?: number;
}

export interface Measurement {
  /** Operations timed (warm-up excluded). */
  iterations: number;
  /** Operations run during the warm-up. */
  warmupIterations: number;
  /** Total time of the timed batches, in nanoseconds. */
  totalNs: bigint;
  /** Total time / iterations, in microseconds. */
  usPerOp: number;
  /** The fastest and the slowest batch, in µs/op: how stable the figure is. */
  minBatchUsPerOp: number;
  maxBatchUsPerOp: number;
}

export type AsyncOp = () => Promise<unknown>;

const now = process.hrtime.bigint;

async function timeBatch(op: AsyncOp, iterations: number): Promise<bigint> {
  const start = now();
  for (let i = 0; i < iterations; i++) {
    await op();
  }
  return now() - start;
}

/** Runs `op` for about `ms` (and at least `minIterations` times); returns [iterations, ns]. */
export async function warmUp(op: AsyncOp, ms: number, minIterations = 2): Promise<[number, bigint]> {
  const budget = BigInt(Math.round(ms * 1e6));
  let iterations = 0;
  let elapsed = 0n;
  let chunk = 1;
  // Growing chunks: few clock reads for fast operations, little overshoot for slow ones.
  while (elapsed < budget || iterations < minIterations) {
    elapsed += await timeBatch(op, chunk);
    iterations += chunk;
    if (chunk < 1024) chunk *= 2;
  }
  return [iterations, elapsed];
}

/** Measures each of `ops` (awaiting each call in a loop), their batches interleaved. */
export async function measureInterleaved(ops: readonly AsyncOp[], options: MeasureOptions): Promise<Measurement[]> {
  const batches = Math.max(1, options.batches);
  const state = [];
  for (const op of ops) {
    const [warmupIterations, warmNs] = await warmUp(op, options.warmupMs, options.minWarmupIterations ?? 2);
    const estimateNs = Math.max(Number(warmNs) / warmupIterations, 1);
    const perBatch = Math.max(1, Math.round((options.targetMs * 1e6) / batches / estimateNs));
    state.push({ op, perBatch, warmupIterations, totalNs: 0n, min: Number.POSITIVE_INFINITY, max: 0 });
  }
  for (let b = 0; b < batches; b++) {
    // Rotate who goes first, so no operation always runs right after the same other one.
    for (let k = 0; k < state.length; k++) {
      const s = state[(b + k) % state.length];
      if (!s) continue;
      const ns = await timeBatch(s.op, s.perBatch);
      s.totalNs += ns;
      const usPerOp = Number(ns) / s.perBatch / 1e3;
      s.min = Math.min(s.min, usPerOp);
      s.max = Math.max(s.max, usPerOp);
    }
  }
  return state.map((s) => {
    const iterations = s.perBatch * batches;
    return {
      iterations,
      warmupIterations: s.warmupIterations,
      totalNs: s.totalNs,
      usPerOp: Number(s.totalNs) / iterations / 1e3,
      minBatchUsPerOp: s.min,
      maxBatchUsPerOp: s.max,
    };
  });
}

/** Measures one operation. */
export async function measure(op: AsyncOp, options: MeasureOptions): Promise<Measurement> {
  const [m] = await measureInterleaved([op], options);
  if (!m) throw new Error("unreachable");
  return m;
}

/** A seeded PRNG (mulberry32), so both libraries see the same sequence of "random" apps. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
