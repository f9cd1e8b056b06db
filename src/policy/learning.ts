// The learners' tunables and the pure functions over a predictor's state (assembly/learn/; the host
// side: src/learn/models.ts). No threads, no Wasm: tested with tables.

/** Predictor entries (a power of two): 4096 × 64 bytes = 256 KiB of shared memory per executor. */
export const PREDICTORS = 4096;

/**
 * 1€ filter parameters (assembly/learn/one-euro.ts; cutoffs in cycles per *sample*, beta on the relative
 * speed above its noise floor, (|dx| − 3 sd of dx's noise) / |x|), and the baseline EMA's gain. Swept on
 * bench/learning.mjs's synthetic workloads under one constraint: a ×4 step in durations must be tracked
 * faster than by the EMA (test/learn-core.test.mjs).
 * - minCutoff 0.002: at rest the filter averages over ~80 samples (alpha 0.012);
 * - beta 1: a change the noise cannot explain opens it (a ×4 step is within 10 % in ~8 samples, the
 *   EMA ~19). The noise floor (one-euro.ts) is what lets it be this open: without it, beta 0.5 already
 *   let bimodal noise open the filter (ratio 1.05 to the EMA);
 * - dCutoff 0.002: the speed and the residual's variance are averaged over ~80 samples.
 * - emaAlpha 0.125: the gain of TCP's smoothed round-trip time (RFC 6298), the usual plain baseline; it
 *   is the baseline's standard choice and is not tuned against this benchmark.
 */
export const ONE_EURO = Object.freeze({ minCutoff: 0.002, beta: 1, dCutoff: 0.002, emaAlpha: 0.125 });

/** Samples at which confidence reaches half of what the variance allows. */
const HALF_CONFIDENCE_SAMPLES = 8;

/**
 * Confidence in [0, 1) of a predictor with n samples, mean and variance: grows with the samples and
 * shrinks with the coefficient of variation (a bimodal or noisy duration is predicted less surely).
 */
export function confidenceOf(n: number, mean: number, variance: number): number {
  if (!(n > 0) || !(mean > 0)) return 0;
  const cv2 = Math.max(0, variance) / (mean * mean);
  return (n / (n + HALF_CONFIDENCE_SAMPLES)) / (1 + cv2);
}

/** A fingerprint's shape word (assembly/learn/predictor.ts): size class << 25 | graph node. */
export const shapeOf = (sizeClass: number, node: number): number => ((sizeClass << 25) | node) >>> 0;
export const sizeClassOf = (shape: number): number => (shape >>> 25) & 63;
export const nodeOf = (shape: number): number => shape & 0x1ffffff;

// ---- per-item cost of an algorithm's callback (src/algorithms/grain.ts) ----

/**
 * Bit 31 of a shape word marks a per-item cost entry: the fingerprint (callback id, PER_ITEM | size class
 * of the call's n << 25) holds nanoseconds per item of that callback, not a task's milliseconds. A task's
 * size class is at most 63 (bits 25–30), so no task shape has bit 31.
 */
export const PER_ITEM = 0x80000000;
/** The shape word of the per-item cost of a callback over n items (n < 2^31: its size class is at most 31). */
export const perItemShape = (n: number): number => (PER_ITEM | ((n > 0 ? 32 - Math.clz32(n) : 0) << 25)) >>> 0;
export const isPerItem = (shape: number): boolean => shape >>> 31 === 1;

/**
 * Calls of a callback measured before its learned cost replaces the probe. The grain tolerates a cost
 * off by 2× (chunks of 25 or 100 µs instead of 50 both amortise a claim and still balance), so a few
 * samples suffice; the running variance is no gate here, since it never forgets one call a busy machine
 * slowed.
 */
export const GRAIN_MIN_SAMPLES = 4;

/**
 * The per-item cost (ns) a parallel algorithm chooses its grain from instead of timing a probe, or 0
 * (probe): the 1€ estimate once GRAIN_MIN_SAMPLES calls were measured, if it is a positive finite number.
 */
export function learnedItemCost(samples: number, oneEuro: number): number {
  return samples >= GRAIN_MIN_SAMPLES && oneEuro > 0 && oneEuro < Infinity ? oneEuro : 0;
}
