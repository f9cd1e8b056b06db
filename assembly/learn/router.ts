// The placement router's models (src/learn/router.ts decides with them): one online linear regression
// of log2 call time on the decision's features per option, fitted by a Kalman filter over the weights
// (recursive least squares whose forgetting is process noise): for features x, target y, weights w and
// their covariance P,
//   px = P x;   d = r + x · px;   k = px / d;   e = y − w · x
//   w ← w + e k;   P ← P − k pxᵀ;   P_ii ← min(P_ii + q, p0)
// r (noise) is the variance of one measurement, q (drift) what the weights may wander per update: the
// gain never falls to 0, so the model follows a workload that drifts, and a direction no sample excites
// grows back to the prior p0 rather than without bound (the trouble with exponential forgetting).
// The innovation e is clipped at 3 expected standard deviations, so an outlier (a call a busy machine
// slowed 5×) moves the weights by a bounded step. Every step is a dot product or an axpy of vec.ts
// (f32x4); no allocation.
//
// Owner-only: the host thread writes the features, predicts and updates (it is the thread that times the
// calls), so every word is a plain load or store; nothing here is read by another thread.
import { RouterBlock, RouteModel } from "../layout";
import { vecDot, vecAxpy, vecScale, vecFinite } from "./vec";

/** Innovations beyond this many expected standard deviations are clipped (a Huber-like robust step). */
const CLIP: f32 = 3;

// @ts-ignore: decorator
@inline function featuresOf(r: usize): usize { return r + offsetof<RouterBlock>(); }
// @ts-ignore: decorator
@inline function vecBytes(dim: u32): usize { return <usize>dim << 2; }
// @ts-ignore: decorator
@inline function modelBytes(dim: u32): usize { return offsetof<RouteModel>() + 2 * vecBytes(dim) + (<usize>dim * dim << 2); }
// @ts-ignore: decorator
@inline function modelOf(r: usize, o: u32): usize {
  const dim = changetype<RouterBlock>(r).dim;
  return featuresOf(r) + 3 * vecBytes(dim) + <usize>o * modelBytes(dim);
}
// @ts-ignore: decorator
@inline function weightsOf(m: usize): usize { return m + offsetof<RouteModel>(); }

/** Bytes of a router block of `options` models over dim features (dim a multiple of 4). */
export function routerSize(dim: u32, options: u32): usize {
  return offsetof<RouterBlock>() + 3 * vecBytes(dim) + <usize>options * modelBytes(dim);
}

/** Owner, on a block of routerSize bytes: configuration, and every model at its prior. */
export function routerInit(r: usize, dim: u32, options: u32, noise: f32, drift: f32, p0: f32): void {
  const h = changetype<RouterBlock>(r);
  h.dim = dim; h.options = options; h.noise = noise; h.drift = drift; h.p0 = p0;
  h.updates = 0; h.refused = 0; h.diverged = 0;
  memory.fill(featuresOf(r), 0, 3 * vecBytes(dim));
  for (let o: u32 = 0; o < options; o++) routerResetModel(r, o);
}

/** Owner: model o back to its prior: w = 0, support = 0, P = p0 I, no samples. */
export function routerResetModel(r: usize, o: u32): void {
  const h = changetype<RouterBlock>(r);
  const dim = h.dim, m = modelOf(r, o);
  memory.fill(m, 0, modelBytes(dim));
  changetype<RouteModel>(m).resVar = changetype<RouterBlock>(r).noise;
  const p = weightsOf(m) + 2 * vecBytes(dim);
  for (let i: u32 = 0; i < dim; i++) store<f32>(p + ((<usize>i * dim + i) << 2), h.p0);
}

/** The feature vector x (f32[dim]): the host writes a decision's features here. */
export function routerFeatures(r: usize): usize { return featuresOf(r); }

/** Model o's block: samples, resVar, then w, support and P (the host reads them for inspection and snapshots). */
export function routerModel(r: usize, o: u32): usize { return modelOf(r, o); }

/**
 * Owner: what the models say of x, in one call for a decision: false where a feature is not finite
 * (nothing written); else, for each model o in `mask` (a bit per option), the f32 triple at the scratch
 * px + 3·o: w · x (the prediction, log2 of the call time) and support · x over the features
 * [lo1, lo1 + len1) and [lo2, lo2 + len2) (the evidence near x). The host reads them before the next
 * routerUpdate, which overwrites px. Needs 3 · options ≤ dim (the router: 3 and 24).
 */
export function routerQuery(r: usize, mask: u32, lo1: u32, len1: u32, lo2: u32, len2: u32): bool {
  const h = changetype<RouterBlock>(r);
  const dim = h.dim, x = featuresOf(r), out = x + vecBytes(dim);
  if (!vecFinite(x, dim)) return false;
  const a1 = <usize>lo1 << 2, a2 = <usize>lo2 << 2;
  for (let o: u32 = 0; o < h.options; o++) {
    if ((mask & (1 << o)) == 0) continue;
    const w = weightsOf(modelOf(r, o)), support = w + vecBytes(dim), at = out + <usize>o * 12;
    store<f32>(at, vecDot(w, x, dim));
    store<f32>(at, vecDot(support + a1, x + a1, len1), 4);
    store<f32>(at, vecDot(support + a2, x + a2, len2), 8);
  }
  return true;
}

/**
 * Owner: folds the measurement y (log2 time) for x into model o. 1 applied; 0 refused (x or y not
 * finite: `refused`), or the step left the model not finite (it is reset to its prior: `diverged`).
 */
export function routerUpdate(r: usize, o: u32, y: f32): i32 {
  const h = changetype<RouterBlock>(r);
  const dim = h.dim, x = featuresOf(r), px = x + vecBytes(dim), k = px + vecBytes(dim);
  if (!isFinite(y) || !vecFinite(x, dim)) { h.refused++; return 0; }
  const m = modelOf(r, o), w = weightsOf(m), support = w + vecBytes(dim), p = support + vecBytes(dim);
  const row = vecBytes(dim);
  for (let i: u32 = 0; i < dim; i++) store<f32>(px + (<usize>i << 2), vecDot(p + <usize>i * row, x, dim));
  const d = h.noise + vecDot(x, px, dim);
  const m0 = changetype<RouteModel>(m);
  // the innovation, clipped at CLIP standard deviations of what the filter expects (d, scaled by the
  // noise measured so far): one call slowed 5× by a busy machine moves the weights no more than a
  // plausible one; a real change keeps pushing, call after call, so the model still follows it
  const raw = y - vecDot(w, x, dim);
  const lim = CLIP * sqrt<f32>(d * max(m0.resVar, h.noise) / h.noise);
  const e = min(max(raw, -lim), lim);
  memory.copy(k, px, row);
  vecScale(<f32>1 / d, k, dim);
  vecAxpy(e, k, w, dim);
  for (let i: u32 = 0; i < dim; i++) vecAxpy(-load<f32>(k + (<usize>i << 2)), px, p + <usize>i * row, dim);
  const q = h.drift, p0 = h.p0;
  let ok = d > 0 && vecFinite(w, dim) && vecFinite(p, dim * dim);
  for (let i: u32 = 0; i < dim && ok; i++) {
    const a = p + ((<usize>i * dim + i) << 2);
    const v = load<f32>(a);
    if (!(v > 0)) ok = false;
    else if (v < p0) store<f32>(a, min(v + q, p0));
  }
  if (!ok) { routerResetModel(r, o); h.diverged++; return 0; }
  vecAxpy(1, x, support, dim);
  const mh = m0;
  mh.samples++;
  // the noise estimate: e² scaled by r / d, its share that is measurement noise rather than the
  // weights' own uncertainty (a fresh model's large errors are not noise); a running mean, then an EMA
  const g: f32 = max(<f32>1 / <f32>mh.samples, <f32>0.05);
  mh.resVar += g * (raw * raw * h.noise / d - mh.resVar);
  h.updates++;
  return 1;
}
