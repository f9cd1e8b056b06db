// The placement router's pure parts (the learned twin of policy/placement.ts and partition.ts
// callerHelpers): the choices and what the router is asked, the feature vector of one decision, the
// decision rule's views, tunables and answer, and the static rule. The decision rule itself is in
// route-rule.ts, its tries in route-tries.ts, the reuse of settled decisions in route-reuse.ts. No
// threads, no Wasm: tested with tables and synthetic costs (test/router.test.mjs).
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
/** The op classes, in the order of the one-hot (the core's feature writer takes a class by its index here). */
export const KINDS = ['map', 'reduce', 'scan', 'sort'] as const;
/** The device flags of the core's feature writer (assembly/learn/route-features.ts): a device, a software adapter, data resident. */
export const FEATURE_FLAGS = Object.freeze({ device: 1, software: 2, resident: 4 });

/**
 * log2 as the core computes it (fdlibm's log, which is V8's Math.log, over ln 2): the host's features,
 * baseline and measured times are then the core's bit for bit (assembly/learn/route-features.ts).
 */
export const log2 = (x: number): number => Math.log(x) / Math.LN2;

/** The predicted serial work of a call, ns: n × the measured cost per element, or the assumed one before any measurement. */
export const workNs = (p: RouteInput): number => p.n * (p.historyNs > 0 ? p.historyNs : p.nsPerItem);

/**
 * The models' baseline (log2 µs): the predicted serial work, at least 1 µs. Each model learns the call
 * time relative to it, so a model's prior (all weights 0) says "as long as the work" rather than
 * "1 µs", and a weight seldom excited stays near that sensible guess instead of extrapolating wildly.
 */
export const baseOf = (p: RouteInput): number => log2(Math.max(1, workNs(p) / 1000));

/**
 * Writes the decision's features at out[at …]: 0 bias · 1 log2(work)/16 · 2–11 tents over log2(work) ·
 * 12 log2(n)/16 · 13 bytes/8 · 14–17 op class one-hot · 18 log2(assumed ns/item)/4 · 19 log2(measured
 * ns/item)/4 (0 before any) · 20 share of workers awake · 21 log2(1 + queued)/8 · 22 device present ·
 * 23 software adapter or data resident (+0.5 each). The tents (triangles 2 bits wide, the end ones
 * open) let a linear model bend where parallel overhead stops mattering.
 */
export function routeFeatures(p: RouteInput, out: Float32Array, at = 0): void {
  // every feature is written below, the one-hot's zeros too (no fill: a call into the engine per decision)
  const lw = log2(Math.max(1, workNs(p)));
  out[at] = 1;
  out[at + 1] = lw / 16;
  for (let t = 0; t < TENTS; t++) {
    const c = TENT_LO + t * TENT_STEP, d = (lw - c) / TENT_STEP;
    const open = (t === 0 && d < 0) || (t === TENTS - 1 && d > 0);
    out[at + 2 + t] = open ? 1 : Math.max(0, 1 - Math.abs(d));
  }
  out[at + 12] = log2(Math.max(1, p.n)) / 16;
  out[at + 13] = p.bytes / 8;
  for (let i = 0; i < KIND_RANGE[1]; i++) out[at + KIND_RANGE[0] + i] = 0;
  out[at + KIND_RANGE[0] + KINDS.indexOf(p.kind)] = 1;
  out[at + 18] = log2(p.nsPerItem) / 4;
  out[at + 19] = p.historyNs > 0 ? log2(p.historyNs) / 4 : 0;
  out[at + 20] = p.workers > 0 ? p.awake / p.workers : 0;
  out[at + 21] = log2(1 + Math.max(0, p.queued)) / 8;
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
   * the nearest sizes below and above, or (a hardware GPU) above its own time per element at the nearest
   * smaller size (inflatedAbove): too slow to be right, a pause's. Measured again.
   */
  readonly suspect?: boolean;
  /**
   * A hardware GPU's own trend over the call's op (learn/shapes.ts trend): its time at the call's size
   * from a fixed part and a part per element fitted through the two nearest smaller sizes that
   * measured it (log2 µs); NaN for the other choices, a software adapter, or fewer than two sizes.
   */
  readonly trend?: number;
  /**
   * The calling thread alone: its measurements at the call's shape agree with its own at the nearest
   * smaller size that measured it, their mean time per element within k.agree (log2) of that size's
   * (size-order.ts agreesBelow; it has no fixed part to speak of, so its time per element is level
   * across sizes). A first measurement a pause inflated stands above by a bit or more; one that agrees
   * waits for the later samples' budget (retryAfter) where that is longer than the first samples' doubling
   * schedule.
   */
  readonly agrees?: boolean;
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
 * trendVar: the variance (log2²) of a hardware GPU's own trend as its prior beside its model's
 *   (RouteView.trend): a bit either way.
 * agree: a choice's time per element at a shape within this (log2) of its own at the nearest smaller
 *   size that measured it agrees with it (RouteView.agrees): half a bit, where the calling thread's time
 *   per element moved by 0.1–0.2 bit between 2^18 and 2^22 elements, and a pause adds a bit or more.
 * ownSlack: a model's prediction more than this (log2) above its choice's own time at the nearest larger
 *   size is its misfit there, replaced by the line through its own times below and above (size-order.ts
 *   ownOrder): a bit (2×), beyond what a pause among a shape's first samples moves its mean.
 * horizon: the calls of a shape a try's lesson serves (worthTrying): a choice is tried only where what it
 *   may save over them outweighs what the try may cost.
 * gamma, down, shapes: the shape table's discount per observation of a shape; the least share of the
 *   way a measurement below a choice's mean moves it (timing noise only adds time: a first measurement
 *   a pause inflated comes down with the next ordinary one); its rows (a new shape past that many takes
 *   the row least recently used).
 */
export const ROUTER = Object.freeze({
  minSupport: 0.6, hopeless: 2, judgeAfter: 4, cheapUs: 200, epsilon: 0.01, nearBits: 1, nearUs: 300, confidence: 0.3,
  priorSamples: 2, minVar: 0.01, shapeTry: 0.5, plausible: 0.5, tryUs: 100, order: 2, orderVar: 0.25, recheck: 4, bracket: 1, retryGap: 16, retryBits: 2, retryShare: 0.02, trendVar: 1, agree: 0.5, ownSlack: 1, horizon: 10, gamma: 0.9, down: 0.5, shapes: 256,
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
 * The static rule (the plain twin): the GPU where policy/placement.ts placeKernel sends the call
 * (`gpu`), else the calling thread alone where partition.ts callerHelpers gives it no helpers
 * (`helpers` = 0), else parallel — whichever of these the call may take.
 */
export function staticRoute(candidates: readonly Route[], gpu: boolean, helpers: number): Route {
  if (gpu && candidates.includes('gpu')) return 'gpu';
  if (helpers === 0 && candidates.includes('serial')) return 'serial';
  return candidates.includes('parallel') ? 'parallel' : candidates[0];
}

/** A decision in flight, as the algorithms hold it until they report its time: the host's, or the number of one the core made (PlacementRouter.fast). */
export type RouteTicket = HostTicket | number;
/** A decision the host made, or a reuse of one. */
export interface HostTicket { readonly choice: RouteChoice }

/** What the algorithms ask of the placement router (src/learn/router.ts implements it; the engine holds one). */
export interface PlacementRouter {
  readonly enabled: boolean;
  /** The measured cost per element of op `key` (ns), or 0 before any. */
  historyNs(key: string): number;
  /**
   * The call routed in the core, in one call (assembly/learn/route-call.ts): a ticket (≥ 0) whose route
   * is ROUTES[ticket & 15]; -1 where the host routes it (reused, then decide).
   */
  fast(key: string, n: number, mask: number, fallback: Route, kind: RouteInput['kind'], bytes: number, nsPerItem: number, workers: number, awake: number,
    device: boolean, software: boolean): number;
  /**
   * The shape's last decision while it may be reused (route-reuse.ts: settled, early), as a ticket whose time
   * observe() folds into the shape; undefined: decide(). `mask`: the choices open, a bit per ROUTES index.
   */
  reused(key: string, n: number, mask: number): HostTicket | undefined;
  decide(call: string, key: string, p: RouteInput): HostTicket;
  /** The call's measured time (ms). */
  observe(t: RouteTicket, ms: number): void;
  /** What routing the call took on the calling thread (ms: choosing its route and observe() together). */
  spent(t: RouteTicket, ms: number): void;
}

/** xorshift32 (Marsaglia 2003): the router's exploration draws, seeded, so a run replays. */
export function xorshift(seed: number): () => number {
  let s = (seed >>> 0) || 0x2545f491;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}
