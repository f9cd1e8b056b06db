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
// - **The speed counts above its noise floor.** The filtered derivative of a noisy signal is not 0: it
//   wanders with sd ≈ σ·sqrt(a/(2 − a)) (a: its low-pass gain, σ: the residual's sd), and with bimodal
//   durations (1 ms or 10 ms) that alone opened the cutoff to a gain near 0.2, worse than the EMA. So the
//   cutoff opens with max(0, |dx| − NOISE_SDS · that sd) / |x|: only a change the noise cannot explain
//   moves it. σ² is tracked (`rv`) as an exponentially weighted mean of the squared residual at the
//   derivative's gain, each square clipped to CLIP_SDS² · rv (a winsorised variance), so a step in the
//   durations is not mistaken for noise while the filter catches up, and a real rise in the noise still
//   lifts rv by up to ×1.1 per sample.
//   see: https://gery.casiez.net/1euro/ (reference implementation: filter(), alpha(), LowPassFilter)
import { Predictor } from "../layout";
import { loadF64, storeF64 } from "./seqlock";

const TWO_PI: f64 = 6.283185307179586;
/** Derivative sds the speed must exceed before it opens the cutoff: 3, so noise alone does so rarely (~0.3 %). */
const NOISE_SDS: f64 = 3;
/** A squared residual folded into rv is at most CLIP_SDS² · rv: a step of 3 sd or more counts as 3 sd. */
const CLIP_SDS: f64 = 3;
/** Samples before the clip applies: rv first has to be the running variance of a few samples. */
const CLIP_AFTER: u32 = 8;

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
    storeF64(e + offsetof<Predictor>("rv"), 0);
    atomic.store<u32>(e + offsetof<Predictor>("samples"), 1);
    return;
  }
  const x = loadF64(e + offsetof<Predictor>("x"));
  // derivative: the raw step from the filtered value, low-passed at dCutoff
  const r = v - x;
  const ad = alphaOf(dCutoff);
  const dx0 = loadF64(e + offsetof<Predictor>("dx"));
  const dx = dx0 + ad * (r - dx0);
  // the cutoff opens with the relative speed above the derivative's noise floor
  const rv = loadF64(e + offsetof<Predictor>("rv"));
  const floor = NOISE_SDS * sqrt<f64>(rv * ad / (2.0 - ad));
  const scale = max(abs(x), 1e-9);
  const fc = minCutoff + beta * max(0.0, abs(dx) - floor) / scale;
  // Warm-up: a gain of at least 1/n makes both filters the running mean of their first samples, so the
  // first sample (often a cold, slow one) does not linger for 1/alpha samples. Same rule for the EMA.
  const n1 = n + 1;
  const warm = 1.0 / <f64>n1;
  storeF64(e + offsetof<Predictor>("x"), x + max(alphaOf(fc), warm) * r);
  storeF64(e + offsetof<Predictor>("dx"), dx);
  const r2 = n >= CLIP_AFTER && rv > 0 ? min(r * r, CLIP_SDS * CLIP_SDS * rv) : r * r;
  storeF64(e + offsetof<Predictor>("rv"), rv + max(ad, warm) * (r2 - rv));
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
