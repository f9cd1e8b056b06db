// The learners' tunables and the pure functions over a predictor's state (assembly/learn/; the host
// side: src/learn/models.ts). No threads, no Wasm: tested with tables.

/** Predictor entries (a power of two): 4096 × 64 bytes = 256 KiB of shared memory per executor. */
export const PREDICTORS = 4096;

/**
 * 1€ filter parameters (assembly/learn/one-euro.ts; cutoffs in cycles per *sample*, beta on the relative
 * speed |dx|/|x|), and the baseline EMA's gain. Chosen on bench/learning.mjs's synthetic workloads:
 * - minCutoff 0.005: at rest the filter averages over ~30 samples (alpha 0.03), far below the noise of one
 *   task's duration;
 * - beta 0.5: a sustained relative change of 100 % per sample opens it to ~0.5 (alpha 0.76);
 * - dCutoff 0.02: the speed itself is averaged over ~8 samples, so one outlier does not open it.
 * - emaAlpha 0.125: the gain of TCP's smoothed round-trip time (RFC 6298), the usual plain baseline.
 */
export const ONE_EURO = Object.freeze({ minCutoff: 0.005, beta: 0.5, dCutoff: 0.02, emaAlpha: 0.125 });

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
export const sizeClassOf = (shape: number): number => shape >>> 25;
export const nodeOf = (shape: number): number => shape & 0x1ffffff;
