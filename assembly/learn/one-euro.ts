// The 1€ filter for task durations (Casiez, Roussel, Vogel, "1€ Filter: A Simple Speed-based Low-pass
// Filter for Noisy Input in Interactive Systems", CHI 2012), with the baseline EMA and Welford's running
// mean and variance kept beside it. Pure math on one Predictor's words (layout.ts); predictor.ts does the
// locking.
//
// Two adaptations, both documented in assembly/README.md "Learners":
// - **Time is the sample index.** Durations arrive when tasks retire, at irregular times and (for tiny
//   tasks) 1 in `sampleEvery`; the signal is "the next duration", so Te = 1 and the cutoffs are in
//   cycles per sample: alpha(fc) = 1 / (1 + tau / Te), tau = 1 / (2π fc).
// - **beta scales the relative speed** |dx| / |x|, not |dx|: durations span ns to minutes, and a beta
//   tuned in ms would be wrong for every other scale. A jump from 1 ms to 2 ms opens the filter as much
//   as one from 1 s to 2 s.
//   see: https://gery.casiez.net/1euro/ (reference implementation: filter(), alpha(), LowPassFilter)
import { Predictor } from "../layout";
import { loadF64, storeF64 } from "./seqlock";

const TWO_PI: f64 = 6.283185307179586;

/** The smoothing factor of a first-order low-pass filter with cutoff fc (cycles per sample), Te = 1. */
// @ts-ignore: decorator
@inline export function alphaOf(fc: f64): f64 {
  return 1.0 / (1.0 + 1.0 / (TWO_PI * fc));
}

/**
 * Folds sample v (finite, ≥ 0: the caller checked) into the predictor at e. The caller holds e's seqlock;
 * every word is stored atomically (seqlock.ts says why).
 */
export function oneEuroFold(e: usize, v: f64, minCutoff: f64, beta: f64, dCutoff: f64, emaAlpha: f64): void {
  const n = atomic.load<u32>(e + offsetof<Predictor>("samples"));
  if (n == 0) {
    storeF64(e + offsetof<Predictor>("mean"), v);
    storeF64(e + offsetof<Predictor>("m2"), 0);
    storeF64(e + offsetof<Predictor>("x"), v);
    storeF64(e + offsetof<Predictor>("dx"), 0);
    storeF64(e + offsetof<Predictor>("ema"), v);
    atomic.store<u32>(e + offsetof<Predictor>("samples"), 1);
    return;
  }
  const x = loadF64(e + offsetof<Predictor>("x"));
  // derivative: the raw step from the filtered value, low-passed at dCutoff
  const dx0 = loadF64(e + offsetof<Predictor>("dx"));
  const dx = dx0 + alphaOf(dCutoff) * ((v - x) - dx0);
  // the cutoff opens with the relative speed
  const scale = max(abs(x), 1e-9);
  const fc = minCutoff + beta * abs(dx) / scale;
  // Warm-up: a gain of at least 1/n makes both filters the running mean of their first samples, so the
  // first sample (often a cold, slow one) does not linger for 1/alpha samples. Same rule for the EMA.
  const n1 = n + 1;
  const warm = 1.0 / <f64>n1;
  storeF64(e + offsetof<Predictor>("x"), x + max(alphaOf(fc), warm) * (v - x));
  storeF64(e + offsetof<Predictor>("dx"), dx);
  const ema = loadF64(e + offsetof<Predictor>("ema"));
  storeF64(e + offsetof<Predictor>("ema"), ema + max(emaAlpha, warm) * (v - ema));
  // Welford
  const mean = loadF64(e + offsetof<Predictor>("mean"));
  const d = v - mean;
  const mean1 = mean + d / <f64>n1;
  storeF64(e + offsetof<Predictor>("mean"), mean1);
  storeF64(e + offsetof<Predictor>("m2"), loadF64(e + offsetof<Predictor>("m2")) + d * (v - mean1));
  atomic.store<u32>(e + offsetof<Predictor>("samples"), n1);
}
