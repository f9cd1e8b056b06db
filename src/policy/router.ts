// The placement router's pure parts (the learned twin of policy/placement.ts and partition.ts
// callerHelpers): the feature vector of one decision, the static rule, and the decision rule over the
// models' predictions. No threads, no Wasm: tested with tables and synthetic costs (test/router.test.mjs).
// The models live in the core (assembly/learn/router.ts); src/learn/router.ts joins the two.

/** Where an algorithm call runs: the calling thread alone, the calling thread with helpers on the workers, or the GPU kernel. */
export type Route = 'serial' | 'parallel' | 'gpu';
export const ROUTES: readonly Route[] = ['serial', 'parallel', 'gpu'];

/** What the router is asked about one call. */
export interface RouteInput {
  /** Op class: 'map' (transform, fill), 'reduce' (reduce, min/maxElement), 'scan', 'sort'. */
  readonly kind: 'map' | 'reduce' | 'scan' | 'sort';
  /** Bytes per element (4 or 8; 1 and 2 for the small integer arrays). */
  readonly bytes: number;
  /** Elements. */
  readonly n: number;
  /** The kernels' assumed cost per element (ns): the static arithmetic intensity. */
  readonly nsPerItem: number;
  /** The measured cost per element of this op (ns, from earlier calls on one thread), or 0 before any. */
  readonly historyNs: number;
  /** Workers, and those awake (running or searching) when the call starts; tasks queued. */
  readonly workers: number;
  readonly awake: number;
  readonly queued: number;
  /** A device is there; it is a software adapter; the data is on it. */
  readonly device: boolean;
  readonly software: boolean;
  readonly resident: boolean;
  /** The choices open to this call (never 'gpu' without a usable device and kernel). */
  readonly candidates: readonly Route[];
  /** What the static rule says (one of the candidates). */
  readonly fallback: Route;
}

/** Features per decision (a multiple of 4: the core's f32x4 steps). */
export const FEATURES = 24;
/** Tents over log2 of the predicted serial work (ns): centres TENT_LO, TENT_LO + TENT_STEP, … */
const TENTS = 10, TENT_LO = 6, TENT_STEP = 2;
/** Where the work tents and the op-class one-hot sit in the vector (the evidence the router asks for). */
export const TENT_RANGE = [2, TENTS] as const;
export const KIND_RANGE = [14, 4] as const;
const KINDS = ['map', 'reduce', 'scan', 'sort'] as const;

/** The predicted serial work of a call, ns: n × the measured cost per element, or the assumed one before any measurement. */
export const workNs = (p: RouteInput): number => p.n * (p.historyNs > 0 ? p.historyNs : p.nsPerItem);

/**
 * The models' baseline (log2 µs): the predicted serial work, at least 1 µs. Each model learns the call
 * time relative to it, so a model's prior (all weights 0) says "as long as the work" rather than
 * "1 µs", and a weight seldom excited stays near that sensible guess instead of extrapolating wildly.
 */
export const baseOf = (p: RouteInput): number => Math.log2(Math.max(1, workNs(p) / 1000));

/**
 * Writes the decision's features at out[at …]: 0 bias · 1 log2(work)/16 · 2–11 tents over log2(work) ·
 * 12 log2(n)/16 · 13 bytes/8 · 14–17 op class one-hot · 18 log2(assumed ns/item)/4 · 19 log2(measured
 * ns/item)/4 (0 before any) · 20 share of workers awake · 21 log2(1 + queued)/8 · 22 device present ·
 * 23 software adapter or data resident (+0.5 each). The tents (triangles 2 bits wide, the end ones
 * open) let a linear model bend where parallel overhead stops mattering.
 */
export function routeFeatures(p: RouteInput, out: Float32Array, at = 0): void {
  // every feature is written below, the one-hot's zeros too (no fill: a call into the engine per decision)
  const lw = Math.log2(Math.max(1, workNs(p)));
  out[at] = 1;
  out[at + 1] = lw / 16;
  for (let t = 0; t < TENTS; t++) {
    const c = TENT_LO + t * TENT_STEP, d = (lw - c) / TENT_STEP;
    const open = (t === 0 && d < 0) || (t === TENTS - 1 && d > 0);
    out[at + 2 + t] = open ? 1 : Math.max(0, 1 - Math.abs(d));
  }
  out[at + 12] = Math.log2(Math.max(1, p.n)) / 16;
  out[at + 13] = p.bytes / 8;
  for (let i = 0; i < KIND_RANGE[1]; i++) out[at + KIND_RANGE[0] + i] = 0;
  out[at + KIND_RANGE[0] + KINDS.indexOf(p.kind)] = 1;
  out[at + 18] = Math.log2(p.nsPerItem) / 4;
  out[at + 19] = p.historyNs > 0 ? Math.log2(p.historyNs) / 4 : 0;
  out[at + 20] = p.workers > 0 ? p.awake / p.workers : 0;
  out[at + 21] = Math.log2(1 + Math.max(0, p.queued)) / 8;
  out[at + 22] = p.device ? 1 : 0;
  out[at + 23] = (p.software ? 0.5 : 0) + (p.resident ? 0.5 : 0);
}

/** What one choice's model and its measurements at the call's shape say about the call. */
export interface RouteView {
  /** The model's predicted log2 of the call time (µs). */
  readonly mean: number;
  /** The model's noise: sd of one measurement's log2 time about its prediction. */
  readonly sd: number;
  /**
   * The root mean square of the model's recent errors where it served as a prior (log2: its prediction
   * for a choice's first measurement at a shape, against what the call took): how far to trust a
   * prediction where the shape has no measurement yet. It holds the noise, the weights' uncertainty and
   * the misfit of a linear model alike.
   */
  readonly spread: number;
  /** Evidence near this call: samples alike in size of work and in op class. */
  readonly support: number;
  /** Samples the model has seen in all. */
  readonly samples: number;
  /**
   * The measurements of this choice at the call's shape (op, size class, choices open;
   * assembly/learn/shapes.ts): their discounted weight (0: none, or faded), weighted mean log2 time (µs,
   * at this call's n) and weighted sum of squared deviations.
   */
  readonly shapeWeight: number;
  readonly shapeMean: number;
  readonly shapeM2: number;
  /** Samples of this choice at the call's shape in all (undiscounted). */
  readonly shapeCount: number;
  /**
   * The choices (a bit per ROUTES index) this one is faster than at the call's size by the size order
   * (sizeOrder): what the nearest measured sizes below and above the call's say.
   */
  readonly beats: number;
  /**
   * Its measurements at the call's shape lie outside the bracket the ratio order (ratioOrder) draws from
   * the nearest sizes below and above: too slow to be right, a pause's. Measured again.
   */
  readonly suspect?: boolean;
  /**
   * A hardware GPU's own trend over the call's op (learn/shapes.ts trend): its time at the call's size
   * from a fixed part and a part per element fitted through the two nearest smaller sizes that
   * measured it (log2 µs); NaN for the other choices, a software adapter, or fewer than two sizes.
   */
  readonly trend?: number;
}

/**
 * Tunables of the decision rule, each with its reason.
 * minSupport: a choice with less evidence than this near the call is tried (forced exploration) — a
 *   linear model's guess far from its samples is an extrapolation, not a prediction.
 * hopeless: … unless a model with `judgeAfter` samples already predicts it this many bits (×4) slower
 *   than the best well-supported choice: a software GPU is not tried at every size.
 * cheapUs: and a choice other than the static rule's, with fewer than `judgeAfter` samples, is tried
 *   only on a call the static rule's choice is predicted to finish within cheapUs µs: its first tries
 *   (a software GPU, a serial run of a long call) are cheap ones, and after them it can be judged.
 * epsilon, nearBits, nearUs: the share of decisions that try a choice with evidence near the call
 *   predicted within nearBits (×2) of the best, or at most nearUs µs slower: a model whose choice is no longer chosen still learns when
 *   the machine or the workload drifts, and a try costs little.
 * confidence: the learned choice replaces the static rule's only when margin / (margin + se) reaches
 *   it, the margin being how much faster (log2) it is predicted to be and se the standard error of the
 *   two estimates (the models' noise before the shape has measurements; shrinking as it gets them).
 * priorSamples: a shape's noise estimate counts the model's noise as this many samples beside its own
 *   (two samples of one shape say little about their spread).
 * minVar: the least variance (log2²) of one measurement: a shape whose calls all took the same time
 *   does not make its mean exact.
 * shapeTry, plausible, tryUs: a choice whose measurements at the shape weigh less than shapeTry (none
 *   yet, or faded by gamma) is tried there while it may plausibly beat the best: its estimate less
 *   `plausible` standard errors of the difference is below the best's. Tries stop once the shape's
 *   measurements separate the choices, and resume after about 1 / (1 − gamma) calls of the shape. Only
 *   on calls the best is estimated to take tryUs µs or more: below, a better choice saves a few µs,
 *   and a try costs as much as it can win.
 * order, orderVar, recheck: the size order (sizeOrder) holds a neighbouring size's verdict when the
 *   two choices' means there differ by `order` standard errors, each sample counted with a variance
 *   of orderVar at least (half a bit: one sample cannot show its own spread, and a pause can make a
 *   call 2–5× as long); a choice it says is faster than the best here is
 *   measured here until the shape holds `recheck` samples of it (then the shape's own measurements
 *   decide), and a choice it says is slower than another here is never tried.
 * bracket: the ratio order (ratioOrder) calls a choice's measurements here a pause's when the pair's
 *   log ratio here lies outside its neighbours' by this many standard errors; the choice is measured
 *   again until the shape holds `recheck` samples of it.
 * retryGap, retryBits, retryShare: the retry schedule (retryAfter) of a choice measured at a shape and
 *   slower there than the best (a measurement a pause inflated, whose model learned the pause too): it
 *   is measured again once the shape has had retryGap · 2^(samples − 1) calls without it while it has
 *   fewer than recheck samples (16, 32, 64; on calls of tryUs or more), and from recheck samples on
 *   once a retry costs at most retryShare of the calls it waited (a choice 1.2× slower: after 16 calls;
 *   1.5×: 25; 2×: 50; 4×: 150), while its measurements there are within retryBits (4×: a pause is
 *   2–6×) of the best's estimate.
 * trendVar: the variance (log2²) of a hardware GPU's own trend as its prior where its model has no
 *   evidence near the call (RouteView.trend): a bit either way.
 * horizon: the calls of a shape a try's lesson serves (worthTrying): a choice is tried only where what it
 *   may save over them outweighs what the try may cost.
 * gamma, down, shapes: the shape table's discount per observation of a shape; the least share of the
 *   way a measurement below a choice's mean moves it (timing noise only adds time: a first measurement
 *   a pause inflated comes down with the next ordinary one); its rows (a new shape past that many takes
 *   the row least recently used).
 */
export const ROUTER = Object.freeze({
  minSupport: 0.6, hopeless: 2, judgeAfter: 4, cheapUs: 200, epsilon: 0.01, nearBits: 1, nearUs: 300, confidence: 0.3,
  priorSamples: 2, minVar: 0.01, shapeTry: 0.5, plausible: 0.5, tryUs: 100, order: 2, orderVar: 0.25, recheck: 4, bracket: 1, retryGap: 16, retryBits: 2, retryShare: 0.02, trendVar: 1, horizon: 10, gamma: 0.9, down: 0.5, shapes: 256,
  /** The Kalman filter (assembly/learn/router.ts): measurement noise of log2 time, drift per update, prior variance. */
  noise: 0.05, drift: 0.002, p0: 4,
});
export type RouterParams = typeof ROUTER;

/** A decision and why. */
export interface RouteChoice {
  readonly route: Route;
  /**
   * 'learned' the models' choice; 'static' the static rule (learning off, one choice, or the models agree);
   * 'fallback' the static rule because the models were not confident enough; 'explore' a try;
   * 'invalid' the static rule because a feature or prediction was not finite.
   */
  readonly reason: 'learned' | 'static' | 'fallback' | 'explore' | 'invalid';
  /** 0 … 1: how sure the models are that `route` beats the static rule's choice (1 when they are the same). */
  readonly confidence: number;
  /**
   * A learned choice's lead (log2): the nearest other estimated choice's cost less its own; Infinity
   * where no other choice has an estimate; NaN while another choice the shape has not measured may
   * yet be tried (leadOf). What a reused decision's route may lose before the shape decides again
   * (settled, reuseHolds).
   */
  readonly margin?: number;
}

/**
 * The decision rule: pure, over the candidates, the static rule's choice, each candidate's view (by
 * ROUTES index) and two uniform random numbers in [0, 1). Without views (learning off) it is the static rule.
 */
export function decideRoute(p: Pick<RouteInput, 'candidates' | 'fallback'>, views: readonly (RouteView | undefined)[] | undefined,
  u: number, u2: number, k: RouterParams = ROUTER): RouteChoice {
  // Loops over at most three candidates, no closures or arrays: this runs once per algorithm call.
  const cands = p.candidates, fallback = p.fallback, n = cands.length;
  if (views === undefined || n < 2) return { route: fallback, reason: 'static', confidence: 1 };
  const cost = COSTS, vars = VARS, idx = IDX;
  let f = -1, top = -1, known = -1;
  for (let i = 0; i < n; i++) {
    const v = views[(idx[i] = ROUTES.indexOf(cands[i]))];
    if (v === undefined || !Number.isFinite(v.mean) || !Number.isFinite(v.sd) || !Number.isFinite(v.support) || !(v.spread >= 0)) return { route: fallback, reason: 'invalid', confidence: 0 };
    const w = v.shapeWeight > 0 ? v.shapeWeight : 0;
    if (w > 0 && !(Number.isFinite(v.shapeMean) && v.shapeM2 >= 0 && Number.isFinite(w))) return { route: fallback, reason: 'invalid', confidence: 0 };
    // One call's noise (log2) at this shape: the spread of its measurements, the model's noise counted
    // as priorSamples more. The estimate of the shape's mean: the model's prediction as a prior (where
    // it has evidence near the call; the square of its recent errors as the prior's variance) updated
    // by the shape's measurements (a normal–normal posterior, precision-weighted).
    // Without evidence near the call, a model extrapolates from where its choice ran; a hardware GPU
    // first tried on small calls, where its fixed cost decides, would be extrapolated as slow at every
    // size. Its own trend over the op's smaller sizes is its prior there instead (k.trendVar).
    const s2 = shapeNoise(v, k);
    const near = v.support >= k.minSupport, trend = !near && Number.isFinite(v.trend);
    const mean = trend ? v.trend as number : v.mean;
    const a = near ? 1 / Math.max(v.spread * v.spread, k.minVar) : trend ? 1 / k.trendVar : 0;
    const b = w / s2;
    const prec = a + b;
    vars[i] = prec > 0 ? 1 / prec : Infinity;
    // The estimates are of log2 time; what a makespan adds up is time, whose mean for a log-normal
    // spread is 2^(μ + σ² ln2 / 2): a choice that is sometimes fast and often slow (helpers on a busy
    // machine) ranks by that, not by its median.
    cost[i] = (b > 0 ? (a * mean + b * v.shapeMean) / prec : mean) + (Math.LN2 / 2) * s2;
    if (top < 0) top = i;
    if (prec > 0 && (known < 0 || cost[i] < cost[known])) known = i;
    if (cands[i] === fallback) f = i;
  }
  const vs = views as readonly RouteView[];   // every candidate's view is there (checked above)
  // the size order's verdicts: bit i set where another choice is known faster than cands[i] here
  let beaten = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (j !== i && (vs[idx[j]].beats & (1 << idx[i])) !== 0) beaten |= 1 << i;
  // a choice with neither evidence near the call nor measurements at its shape is never chosen for its
  // prediction (a prior, or an extrapolation): only tried below; the best is among the known ones,
  // else the static rule's
  if (known < 0) top = f >= 0 ? f : top;
  else top = known;
  // a choice the size order says is faster than the best here, with few measurements at this shape:
  // measured here (the best's lead rests on a model's extrapolation, or on a first measurement of the
  // other that a pause inflated), until the shape's own recheck samples of it decide — unless the size
  // order says another is faster than it (the pairs do not chain: serial–helpers and serial–GPU)
  for (let i = 0; i < n; i++) {
    const v = vs[idx[i]];
    if (i !== top && ((v.beats & (1 << idx[top])) !== 0 || v.suspect === true) && (beaten & (1 << i)) === 0 && v.shapeCount < k.recheck) return { route: cands[i], reason: 'explore', confidence: 0 };
  }
  // forced exploration (the static rule's choice first): a choice with no evidence here, unless it is
  // already known to be far slower, is untried and the call is not a cheap one, or another is known
  // faster here by the size order
  for (let j = -1; j < n; j++) {
    const i = j < 0 ? f : j;
    if (i < 0 || (j >= 0 && i === f)) continue;
    const v = vs[idx[i]];
    if (vars[i] < Infinity || (beaten & (1 << i)) !== 0) continue;
    if (known >= 0 && v.samples >= k.judgeAfter && (cost[i] > cost[known] + k.hopeless
      || !worthTrying(cost[i] - cost[known], Math.sqrt(Math.max(v.spread * v.spread, k.minVar) + vars[known]), k))) continue;
    if (i !== f && v.samples < k.judgeAfter && f >= 0 && 2 ** cost[f] > k.cheapUs) continue;
    return { route: cands[i], reason: 'explore', confidence: 0 };
  }
  // the shape's bandit: a choice with (almost) no measurements at this shape that may still beat the
  // best, by the standard error of the difference, is measured here — on calls long enough for the
  // choice to matter (a shorter one is left to the models and the tries above) — where the try pays,
  // or where it is helpers' first try against the calling thread: helpers cost less per element, so
  // such a try costs at most their fixed part, whatever the size
  for (let i = 0; i < n && 2 ** cost[top] >= k.tryUs; i++) {
    const v = vs[idx[i]];
    if (i === top || vars[i] === Infinity || (beaten & (1 << i)) !== 0 || !(v.shapeWeight < k.shapeTry)) continue;
    const se = Math.sqrt(vars[i] + vars[top]);
    const first = v.shapeCount === 0 && ROUTES[idx[i]] === 'parallel' && ROUTES[idx[top]] === 'serial';
    if (cost[i] - k.plausible * se < cost[top] && (first || worthTrying(cost[i] - cost[top], se, k))) return { route: cands[i], reason: 'explore', confidence: 0 };
  }
  // a retry: a choice measured here, slower than the best, may owe its place to pauses (noise only adds
  // time, and a pause is 2–6×), among its first samples or its later ones; it is measured again once
  // the shape has had retryAfter calls without it (its weight there, gamma per call, shows how many),
  // while its own measurements here are within retryBits of the best. The first samples' retries wait
  // for calls of tryUs or more; the later ones' are budgeted to retryShare of the shape's time, which
  // holds at any length (and a short call is where a pause weighs most)
  for (let i = 0; i < n; i++) {
    const v = vs[idx[i]], c = v.shapeCount;
    if (i === top || (beaten & (1 << i)) !== 0 || !(c >= 1) || (c < k.recheck && 2 ** cost[top] < k.tryUs)) continue;
    const d = v.shapeMean - cost[top];
    if (d <= k.retryBits && v.shapeWeight < k.gamma ** retryAfter(c, d, k)) return { route: cands[i], reason: 'explore', confidence: 0 };
  }
  if (u < k.epsilon) {
    const t = cost[top];
    const near = (i: number): boolean => i !== top && vars[i] < Infinity && (beaten & (1 << i)) === 0 && (cost[i] <= t + k.nearBits || 2 ** cost[i] - 2 ** t <= k.nearUs)
      && worthTrying(cost[i] - t, Math.sqrt(vars[i] + vars[top]), k);
    let count = 0;
    for (let i = 0; i < n; i++) if (near(i)) count++;
    if (count > 0) {
      let pick = Math.min(count - 1, Math.floor(u2 * count));
      for (let i = 0; i < n; i++) if (near(i) && pick-- === 0) return { route: cands[i], reason: 'explore', confidence: 0 };
    }
  }
  if (top === f || f < 0) return { route: cands[top], reason: 'learned', confidence: 1, margin: leadOf(n, top, f, beaten, vs, k) };
  // the static rule's choice known to be hopeless (no evidence near, a model that knows it slow): its
  // prior is the model's recent errors
  const vf = vars[f] < Infinity ? vars[f] : Math.max(vs[idx[f]].spread * vs[idx[f]].spread, k.minVar);
  const margin = cost[f] - cost[top];
  const se = Math.sqrt(vars[top] + vf);
  const confidence = Math.max(0, margin / (margin + se + 1e-9));
  // the size order also says the best here beats the static rule's choice: no tie to break (the
  // confidence stays the estimates' own)
  if (confidence >= k.confidence || (vs[idx[top]].beats & (1 << idx[f])) !== 0) return { route: cands[top], reason: 'learned', confidence, margin: leadOf(n, top, f, beaten, vs, k) };
  // the static rule's choice runs for want of a sure margin: once the shape has measured it, a best
  // that the shape has not measured (its lead rests on its model alone) is measured here, on calls long
  // enough to matter, where the try pays against the static rule's choice; else the shape would never
  // learn what would settle the tie
  if (vs[idx[f]].shapeCount > 0 && vs[idx[top]].shapeWeight < k.shapeTry && 2 ** cost[f] >= k.tryUs && worthTrying(cost[top] - cost[f], se, k)) return { route: cands[top], reason: 'explore', confidence: 0 };
  return { route: fallback, reason: 'fallback', confidence };
}

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

/**
 * The lead of decideRoute's choice `top` among its `n` candidates (RouteChoice.margin), from its
 * scratch, the views and the size order's verdicts (`beaten`): NaN where the choice departs from the
 * static rule's (`f`) and, on a call long enough for the shape's tries (k.tryUs), another choice the
 * shape has never measured is neither ruled out by the size order nor estimated REUSE.far behind (a
 * model's extrapolation may be all that keeps it out, and the next decision may try it).
 */
function leadOf(n: number, top: number, f: number, beaten: number, views: readonly RouteView[], k: RouterParams): number {
  let lead = Infinity;
  const tries = top !== f && 2 ** COSTS[top] >= k.tryUs;
  for (let i = 0; i < n; i++) {
    if (i === top) continue;
    const d = COSTS[i] - COSTS[top];
    if (tries && !(views[IDX[i]].shapeCount > 0) && (beaten & (1 << i)) === 0 && !(d >= REUSE.far)) return NaN;
    if (VARS[i] < Infinity && d < lead) lead = d;
  }
  return lead;
}

/** decideRoute's scratch: one cost per candidate (it never re-enters). */
const COSTS = new Float64Array(ROUTES.length);
/** decideRoute's scratch: the variance of each candidate's estimate (Infinity: nothing known). */
const VARS = new Float64Array(ROUTES.length);
/** decideRoute's scratch: each candidate's ROUTES index. */
const IDX = new Int8Array(ROUTES.length);

/**
 * The static rule (the plain twin): the GPU where policy/placement.ts placeKernel sends the call
 * (`gpu`), else the calling thread alone where partition.ts callerHelpers gives it no helpers
 * (`helpers` = 0), else parallel — whichever of these the call may take.
 */
export function staticRoute(candidates: readonly Route[], gpu: boolean, helpers: number): Route {
  if (gpu && candidates.includes('gpu')) return 'gpu';
  if (helpers === 0 && candidates.includes('serial')) return 'serial';
  return candidates.includes('parallel') ? 'parallel' : candidates[0];
}

/**
 * When and how long a settled decision is reused (src/learn/router.ts), each with its reason.
 * support: the least weight of the chosen route's measurements at the shape before a learned choice
 *   is reused: four measurements (1 + 0.9 + 0.81 + 0.73 with the shape table's discount), the size
 *   order's recheck: fewer let a first measurement a pause inflated, or a try the neighbouring sizes
 *   call for, wait out a reuse (on synthetic costs a weight of 1.5 or 2.5 lost to it with a GPU, and
 *   one measurement where the choice led by 4×: a GPU's estimate jumps once its trend is known).
 * far: and, where the choice is not the static rule's, on calls long enough for the shape's tries
 *   (ROUTER.tryUs), every other choice measured at the shape, ruled out there by the size order, or
 *   estimated this many bits behind (2×; a try pays only within 0.55 bit, worthTrying): a choice only
 *   a model's extrapolation keeps out is left to the next decisions' tries (in the placement bench, a
 *   reused decision held helpers on scan 2^16 for 20 calls at 2.2× the calling thread's time, never
 *   measured there and estimated 1 bit behind). At 2 bits the synthetic GPU's lock-ins changed seeds.
 * calls: at most this many calls of the shape reuse it; the next decides, and learns, again.
 * least: at least this many, whatever the call's length: a decision's lesson (the model's update, the
 *   tries) is worth as much on a long call as on a short one, and what it costs adds to the makespan
 *   on any call; a route that loses its lead meanwhile ends the reuse at once (drift).
 * decideUs: what deciding a call and folding its time in cost the host when their code and data are
 *   cold after other calls, as in a mixed workload: 30–40 µs on a 2-core VM (route() 28–36 µs,
 *   observe 3–4 µs; about 3 µs alone in a loop).
 * share: the part of a call's time its decision may cost, amortised over the calls that reuse it.
 * drift: the share of its lead (RouteChoice.margin) by which the chosen route's mean at the shape may
 *   rise over the reused calls before the shape decides again (reuseHolds; a call that alone lost the
 *   lead ends it at once): the mean moves by a clipped step per call, so slower calls that each kept
 *   the lead add up to it. On synthetic costs whose helpers slow 10× midway (router-synthetic drift,
 *   30 seeds), makespan over the oracle's: reuse ended by the mean alone at 0.25 of the lead 1.044,
 *   at 1 1.055, never 1.058 (these three with a support of 1.5); with the call's own check as well
 *   1.034; deciding every call 1.029.
 * lead: the lead counted at most (log2, 4×): a route far ahead, or whose runner-up has no estimate
 *   yet (an infinite lead), still decides again after a call 4× its mean or a mean 1.41× higher.
 */
export const REUSE = Object.freeze({ support: 3.4, far: 1, calls: 7, least: 3, decideUs: 40, share: 0.02, drift: 0.25, lead: 2 });
export type ReuseParams = typeof REUSE;

/**
 * Whether a decision is settled enough to be reused: the models chose it (not the static rule for
 * want of a margin, not a try), no other choice is left that the next decisions might try (its lead,
 * RouteChoice.margin, is a number), and the shape holds `weight` ≥ k.support of the chosen route's
 * measurements. A low confidence does not bar it: the next call would decide the same from the same
 * evidence, and the reused calls' own times end the reuse where they close the lead (reuseHolds).
 */
export function settled(choice: RouteChoice, weight: number, k: ReuseParams = REUSE): boolean {
  return choice.reason === 'learned' && weight >= k.support && (choice.margin as number) >= 0;
}

/**
 * Calls that reuse a settled decision whose route measured `callUs` µs at the shape: as many as bring
 * one decision per (reuses + 1) calls under `share` of their time, at most `calls`, and at least
 * `least` however long the call (from about decideUs / (share · (least + 1)), 0.5 ms, up).
 */
export function reuseCalls(callUs: number, k: ReuseParams = REUSE): number {
  if (!(callUs > 0 && callUs < Infinity)) return 0;
  return Math.max(k.least, Math.min(k.calls, Math.ceil(k.decideUs / (k.share * callUs)) - 1));
}

/**
 * Whether a reused decision still holds after one of its calls, whose time was `jump` (log2) above the
 * chosen route's mean at the shape when it was decided, and moved that mean by `moved` since: the
 * decision's lead over the next choice was `margin` (log2), counted up to k.lead. It holds while the
 * call alone did not lose the lead (a route that got slower shows it at its first call; a pause
 * only where the lead is narrow) and the mean rose by at most k.drift of it (slower calls that each
 * kept it); else the shape's next call decides again.
 */
export function reuseHolds(jump: number, moved: number, margin: number, k: ReuseParams = REUSE): boolean {
  const lead = Math.min(margin, k.lead);
  return jump <= lead && moved <= k.drift * lead;
}

/** A decision in flight, as the algorithms hold it until they report its time. */
export interface RouteTicket { readonly choice: RouteChoice }

/** What the algorithms ask of the placement router (src/learn/router.ts implements it; the engine holds one). */
export interface PlacementRouter {
  readonly enabled: boolean;
  /** The measured cost per element of op `key` (ns), or 0 before any. */
  historyNs(key: string): number;
  /**
   * The shape's last settled decision while it may be reused (reuseCalls), as a ticket whose time
   * observe() folds into the shape; undefined: decide(). `mask`: the choices open, a bit per ROUTES index.
   */
  reused(key: string, n: number, mask: number): RouteTicket | undefined;
  decide(call: string, key: string, p: RouteInput): RouteTicket;
  /** The call's measured time (ms). */
  observe(t: RouteTicket, ms: number): void;
}

/** xorshift32 (Marsaglia 2003): the router's exploration draws, seeded, so a run replays. */
export function xorshift(seed: number): () => number {
  let s = (seed >>> 0) || 0x2545f491;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}
