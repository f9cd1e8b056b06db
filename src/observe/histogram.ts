// Duration histograms, pure (no memory, no clock): BUCKETS power-of-two buckets of µs. Bucket 0 holds
// [0, 1) µs, bucket k holds [2^(k−1), 2^k) µs, the last one everything from 2^(BUCKETS−2) µs. Workers
// count into them (sampler.ts); snapshots sum them and read the percentiles off them (metrics.ts).

/** Histogram buckets: [0,1) µs, then powers of two up to 2^24 µs (16.8 s), then one open bucket. */
export const BUCKETS = 26;

/** The bucket of a duration in µs (an integer ≥ 0). */
export function bucketOf(us: number): number {
  return us <= 0 ? 0 : Math.min(BUCKETS - 1, 32 - Math.clz32(us));
}

/** Upper bounds of the buckets in µs (the last is Infinity). */
export const BUCKET_BOUNDS: readonly number[] = Object.freeze(
  Array.from({ length: BUCKETS }, (_, k) => (k === BUCKETS - 1 ? Infinity : 2 ** k)));

/** A duration histogram over the window. Bucket k counts durations in [bounds[k−1], bounds[k]) µs (from 0 for k = 0). */
export interface Histogram {
  /** Upper bounds in µs: 1, 2, 4, …, 2^24, Infinity. */
  readonly bounds: readonly number[];
  readonly counts: number[];
  /** Σ counts. Run time: the estimated number of tasks (weighted samples); wait time: the samples. */
  total: number;
  /** Tasks actually timed. */
  samples: number;
  /** Upper bound (µs) of the bucket holding the median, the 90th and the 99th percentile; 0 when empty. */
  p50: number;
  p90: number;
  p99: number;
}

/** BUCKETS zero counts. */
export function emptyCounts(): number[] { return new Array<number>(BUCKETS).fill(0); }

/** A histogram from bucket counts, with percentiles read off the buckets. Pure. */
export function histogram(counts: number[], samples: number): Histogram {
  const total = counts.reduce((a, c) => a + c, 0);
  return { bounds: BUCKET_BOUNDS, counts, total, samples, p50: quantile(counts, total, 0.5), p90: quantile(counts, total, 0.9), p99: quantile(counts, total, 0.99) };
}

/** Upper bound (µs) of the bucket holding quantile q (0 < q ≤ 1) of `total` counts; 0 when empty. Pure. */
export function quantile(counts: readonly number[], total: number, q: number): number {
  if (total <= 0) return 0;
  const rank = Math.ceil(q * total);
  let acc = 0;
  for (let b = 0; b < counts.length; b++) {
    acc += counts[b];
    if (acc >= rank) return BUCKET_BOUNDS[b];
  }
  return BUCKET_BOUNDS[counts.length - 1];
}
