// The placement router's tries and retries (pure): a choice's noise at a shape, when a choice measured
// slower is measured again (retryAfter), and whether one try pays for what it may save (worthTrying, over
// the normal distribution). Read by the decision rule (route-rule.ts) and the size order (size-order.ts);
// tested with tables in test/router.test.mjs.
import { ROUTER, type RouterParams, type RouteView } from './router.js';

/**
 * The calls of a shape without a choice after which the choice is measured there again (decideRoute's
 * retry), for a choice with `count` samples there whose mean is `bits` (log2) above the best's estimate.
 * Fewer than k.recheck samples: k.retryGap · 2^(count − 1), a doubling schedule for a first measurement a
 * pause inflated. From k.recheck on, the shape's mean decides, and a pause among its later samples
 * would keep the choice out for good: it is retried once one retry, costing 2^bits − 1 of the best's
 * call, is at most k.retryShare of the calls it waited, and never sooner than k.retryGap calls. A choice
 * known slower by much is retried seldom; one a pause made look 1.2× slower, soon.
 */
export function retryAfter(count: number, bits: number, k: RouterParams = ROUTER): number {
  if (count < k.recheck) return k.retryGap * 2 ** (count - 1);
  return Math.max(k.retryGap, Math.ceil((2 ** bits - 1) / k.retryShare));
}

/**
 * One call's noise (variance of log2 time) at a shape for one choice: the weighted spread of its
 * measurements, the model's noise counted as k.priorSamples samples more, at least k.minVar.
 */
export function shapeNoise(v: Pick<RouteView, 'sd' | 'shapeWeight' | 'shapeM2'>, k: RouterParams = ROUTER): number {
  return noiseOf(v.sd, v.shapeWeight, v.shapeM2, k);
}

/** A choice's noise at a shape: its measurements' spread there, with the model's sd counted as priorSamples samples (shapeNoise; the size order's variances). */
export function noiseOf(sd: number, weight: number, m2: number, k: RouterParams): number {
  const w = weight > 0 ? weight : 0;
  return Math.max(((w > 0 ? m2 : 0) + k.priorSamples * sd * sd) / (w + k.priorSamples), k.minVar);
}

/**
 * Whether one try of a choice pays for itself: its estimate is `delta` (log2) above the best's, the
 * difference uncertain by `sigma` (sd, log2). With D ~ N(delta, sigma²) the log2 ratio of the two
 * choices' times, a try costs E[max(0, 2^D − 1)] of the best's time, and if the choice is the faster
 * one it saves E[max(0, 1 − 2^D)] on each of the next k.horizon calls of the shape (the shape table's
 * memory, 1 / (1 − gamma)). Both are log-normal partial expectations: with μ = delta·ln 2,
 * s = sigma·ln 2 and z = −delta / sigma, E[2^D; D < 0] = e^(μ + s²/2) Φ(z − s). With a horizon of
 * 10, only a choice estimated at most 0.55 bit (1.47×) slower than the best is ever worth a try, and
 * only while its difference is uncertain enough and not too uncertain: sigma 0.32–2.0 at 0.25 bit,
 * 0.83–1.55 at 0.5 bit. A difference known better than that is settled; one known much worse risks
 * the heavy upper tail of 2^D (a call many times the best's), so even a choice estimated faster is not
 * tried beyond sigma 2.3–3.1. sigma = Infinity (nothing known at all): a try.
 */
export function worthTrying(delta: number, sigma: number, k: RouterParams = ROUTER): boolean {
  if (!Number.isFinite(delta) || !(sigma >= 0)) return false;
  if (sigma === Infinity) return true;
  return k.horizon * tryGain(delta, sigma) > tryCost(delta, sigma);
}

/** E[max(0, 1 − 2^D)], D ~ N(delta, sigma²): what a choice saves per call, in units of the best's time (worthTrying). */
export function tryGain(delta: number, sigma: number): number {
  // below 1e-6 the erfc approximation's own error would outweigh the spread
  if (!(sigma > 1e-6)) return Math.max(0, 1 - 2 ** delta);
  const s = sigma * Math.LN2, z = -delta / sigma;
  const g = phi(z) - Math.exp(delta * Math.LN2 + (s * s) / 2) * phi(z - s);
  return g > 0 ? g : 0;   // NaN (an exp that overflowed, far outside the router's range) counts as nothing
}

/** E[max(0, 2^D − 1)], D ~ N(delta, sigma²): what one try of it costs, in units of the best's time (worthTrying). */
export function tryCost(delta: number, sigma: number): number {
  if (!(sigma > 1e-6)) return Math.max(0, 2 ** delta - 1);
  // E[2^D − 1] = e^(μ + s²/2) − 1, less the part below 0 (−tryGain)
  const s = sigma * Math.LN2;
  const c = Math.exp(delta * Math.LN2 + (s * s) / 2) - 1 + tryGain(delta, sigma);
  return c > 0 ? c : c === c ? 0 : Infinity;
}

/** The standard normal distribution function, from erfc (Numerical Recipes' erfcc, fractional error < 1.2e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r / 2 : r / 2;
}
