// The placement router's decision made on the host (learn/router.ts decide): each open choice's view
// (policy/router.ts RouteView) from the core's models and the shape table, the size and ratio orders
// over the call's family (policy/size-order.ts), and the pure rule (policy/route-rule.ts). The
// specification the core's decision (assembly/learn/route-decide.ts, learn/core-decision.ts) follows,
// and what decides the calls the core does not take: a hardware GPU open (its trend), candidates not
// in ROUTES order, a family with no place in the core's table. Host thread only.
import type { SharedCore } from '../engine/memory.js';
import type { ShapeTable, ShapeRow, ShapeStatView } from './shapes.js';
import { FEATURES, ROUTER, ROUTES, TENT_RANGE, KIND_RANGE, type RouteChoice, type RouteInput, type RouteView } from '../policy/router.js';
import { decideRoute } from '../policy/route-rule.js';
import { shapeNoise } from '../policy/route-tries.js';
import { ORDERED_PAIRS, fasterAt, sizeOrder, ratioOrder, ownOrder, ownLine, inflatedAbove, agreesBelow } from '../policy/size-order.js';

/** A measurement's deviation from its shape's mean is clipped at this many sd of the shape's noise (at least ROUTER.minVar's). */
export const CLIP_SD = 3;
/** Numbers a decision says of each choice o, at said[SAID·o …]: the model's prediction (log2 µs), the shape's mean (log2 µs) and its count. */
export const SAID = 3;

/** What a decision leaves for its ticket and the reuse: the choice, the chosen route's clip at the shape, its model's prior mean (NaN: none to measure the error of), its weight and mean at the shape. */
export interface Decided { choice: RouteChoice; lim: number; prior: number; weight: number; shapeMean: number }

/** The calling thread alone (its ROUTES index), the one choice agreesBelow judges (RouteView.agrees). */
const SERIAL = ROUTES.indexOf('serial');

/** A view as the host fills it. */
type Scratch = { -readonly [K in keyof RouteView]: RouteView[K] };

export class HostDecision {
  readonly #core: SharedCore;
  readonly #block: number;
  readonly #shapes: ShapeTable;
  readonly #f32: Float32Array;
  /** Where the features end in the f32 view (the core's answers follow), and each model's place in the block. */
  readonly #at: number;
  readonly #modelAt: Float64Array;
  /** Per model: how far its prediction is trusted as a prior (the router keeps it current). */
  readonly #spread: Float64Array;
  /** The views, reused (decideRoute reads them before decide returns). */
  readonly #scratch: Scratch[] = ROUTES.map(() => ({ mean: 0, sd: 0, spread: 0, support: 0, samples: 0, shapeWeight: 0, shapeMean: 0, shapeM2: 0, shapeCount: 0, beats: 0, suspect: false, trend: NaN, agrees: false }));
  readonly #views: (RouteView | undefined)[] = ROUTES.map(() => undefined);
  readonly #stat: ShapeStatView = { weight: 0, mean: 0, m2: 0, count: 0 };
  /** Each choice's stats at the call's shape, read once for its view and the ratio order. */
  readonly #here: ShapeStatView[] = ROUTES.map(() => ({ weight: 0, mean: 0, m2: 0, count: 0 }));
  /** The size and ratio orders' reads: below lo, hi; above lo, hi. */
  readonly #pair: ShapeStatView[] = Array.from({ length: 4 }, () => ({ weight: 0, mean: 0, m2: 0, count: 0 }));

  /** `f32`: the router's view of the memory; `fx` where the features start in it; `modelAt` each model's address; `spread` the router's array. */
  constructor(core: SharedCore, block: number, shapes: ShapeTable, f32: Float32Array, fx: number, modelAt: Float64Array, spread: Float64Array) {
    this.#core = core; this.#block = block; this.#shapes = shapes; this.#f32 = f32;
    this.#at = fx + FEATURES; this.#modelAt = modelAt; this.#spread = spread;
  }

  /**
   * Choice o's estimate from its own times at the op's other sizes: the model's prediction held to the
   * choice's own order by size (policy/size-order.ts ownOrder, as the core's decision holds it), and for
   * a hardware GPU (`trend`) a prior beside its model's (decideRoute): the line through its own times at
   * the nearest sizes below and above that measured it, else its trend over the smaller sizes
   * (learn/shapes.ts trend), never above its own time at the nearest larger size nor below its time at
   * the call's shape less a pause. A software adapter gets no trend: its flat times at small sizes say
   * nothing of its large ones. A hardware GPU slower per element here than at the nearest smaller size
   * is suspect (size-order.ts inflatedAbove): measured again (decideRoute) until its recheck samples.
   */
  #ownOrder(v: Scratch, entry: ShapeRow, o: number, log2n: number, f: Float32Array, trend: boolean): void {
    const shapes = this.#shapes, st = this.#stat;
    const c0 = shapes.ownClass(entry, o, -1, st, f), l0 = c0 >= 0 ? st.mean + c0 : NaN;
    if (trend && c0 >= 0 && inflatedAbove(st, this.#here[o], v.sd)) v.suspect = true;
    // (the calling thread alone: it has no fixed part to speak of, so its time per element is the same
    // at every size as far as the caches allow; a choice with a fixed part is cheaper per element at a
    // larger size, where a pause can bring a sample back level with a smaller size's)
    v.agrees = o === SERIAL && c0 >= 0 && agreesBelow(st, this.#here[o]);
    const c1 = shapes.ownClass(entry, o, 1, st, f), l1 = c1 >= 0 ? st.mean + c1 : NaN;
    v.mean = ownOrder(v.mean, c0, l0, c1, l1, log2n);
    if (!trend) return;
    // where a larger size measured it too, the line through its own times there and below (its time at
    // a size it lost at raises what its fixed part alone would say); else the trend from below, never
    // above the larger size's time
    const line = c0 >= 0 && c1 >= 0 && l0 <= l1 ? ownLine(c0, l0, c1, l1, log2n) : NaN;
    v.trend = Number.isFinite(line) ? line : shapes.trend(entry, o, log2n, v.sd, st, f);
    if (l1 < v.trend) v.trend = l1;   // (a comparison with NaN is false: no bound)
    // nor below what the shape itself measured, less what a pause adds (ROUTER.retryBits): a trend from
    // its small sizes would outweigh a faded measurement of the very call and have it tried again and
    // again, while a first measurement a pause inflated still leaves it a try
    if (v.shapeCount > 0 && v.shapeMean - ROUTER.retryBits > v.trend) v.trend = v.shapeMean - ROUTER.retryBits;
  }

  /** Decides over the features already written; fills `said` (SAID numbers per choice open). */
  decide(p: RouteInput, mask: number, entry: ShapeRow | undefined, base: number, log2n: number, u: number, u2: number, said: Float64Array): Decided {
    const core = this.#core, shapes = this.#shapes, here = this.#here, f = this.#f32, at = this.#at;
    const row = entry !== undefined ? entry.row : -1;
    // the models' predictions and evidence near the call, in one call into the core (at `at` + 3·o)
    const finite = core.x.routerQuery(this.#block, mask, TENT_RANGE[0], TENT_RANGE[1], KIND_RANGE[0], KIND_RANGE[1]) !== 0;
    const views = this.#views;
    for (let o = 0; o < ROUTES.length; o++) {
      const r = ROUTES[o];
      if ((mask & (1 << o)) === 0) { views[o] = undefined; continue; }
      const mean = finite ? base + f[at + 3 * o] : NaN;
      said[SAID * o] = mean;
      const m = this.#modelAt[o];
      const v = (views[o] = this.#scratch[o]);
      v.mean = mean;
      v.samples = core.u32[(m + core.L.RM_samples) >> 2];
      v.sd = Math.sqrt(Math.max(0, f[(m + core.L.RM_resVar) >> 2]));
      v.spread = this.#spread[o];
      v.support = finite ? Math.min(f[at + 3 * o + 1], f[at + 3 * o + 2]) : NaN;
      // the shape's measurements, per element, scaled to this call's n
      const st = here[o];
      if (row >= 0) shapes.read(row, o, st, f); else st.weight = st.m2 = st.count = 0;
      v.shapeWeight = st.count > 0 ? st.weight : 0;
      v.shapeMean = st.mean + log2n;
      v.shapeM2 = st.m2;
      v.shapeCount = st.count;
      v.beats = 0;
      v.suspect = false;
      v.agrees = false;
      said[SAID * o + 1] = v.shapeMean;
      said[SAID * o + 2] = st.count;
      v.trend = NaN;
      if (entry !== undefined) this.#ownOrder(v, entry, o, log2n, f, r === 'gpu' && !p.software);
    }
    // the size order (policy/size-order.ts sizeOrder): what the nearest sizes of this op measuring both
    // choices of an ordered pair, below and above the call's, say of the pair here
    // and the ratio order (ratioOrder): whether the pair's measurements here lie within the bracket of
    // those sizes' ratios, or one choice's were inflated by a pause
    if (entry !== undefined) {
      // indexed, not destructured: until V8 optimizes this (a run of a few hundred calls never gets
      // there), each destructuring walks an iterator
      const pair = this.#pair, bl = pair[0], bh = pair[1], al = pair[2], ah = pair[3];
      for (let q = 0; q < ORDERED_PAIRS.length; q++) {
        const lo = ORDERED_PAIRS[q][0], hi = ORDERED_PAIRS[q][1];
        if (views[lo] === undefined || views[hi] === undefined) continue;
        const vl = this.#scratch[lo], vh = this.#scratch[hi];
        if (!shapes.nearest(entry, -1, lo, hi, bl, bh, f)) bl.count = bh.count = 0;
        if (!shapes.nearest(entry, 1, lo, hi, al, ah, f)) al.count = ah.count = 0;
        const order = sizeOrder(bl.count > 0 ? fasterAt(bl, bh, vl.sd, vh.sd) : 0, al.count > 0 ? fasterAt(al, ah, vl.sd, vh.sd) : 0);
        if (order < 0) vh.beats |= 1 << lo;
        else if (order > 0) vl.beats |= 1 << hi;
        const suspect = ratioOrder(bl, bh, here[lo], here[hi], al, ah, vl.sd, vh.sd);
        if (suspect === 1) vl.suspect = true;
        else if (suspect === 2) vh.suspect = true;
      }
    }
    const choice = decideRoute(p, views, u, u2);
    const chosen = ROUTES.indexOf(choice.route), v = views[chosen]!;
    return {
      choice,
      // a measurement's step at the shape is clipped at CLIP_SD of the shape's noise for the chosen route
      // (its measurements' spread, the model's noise as ROUTER.priorSamples more): an outlier (a call a
      // busy machine slowed 5×) moves the shape's mean by a bounded step
      lim: CLIP_SD * Math.sqrt(shapeNoise(v)),
      // the chosen model's prediction, to measure its error by, where it serves as a prior: with evidence
      // near the call (an extrapolation is never used as one) and no measurement of the choice at this
      // shape yet (the error of a prediction for a shape the model has not been fitted on)
      // (the model's own prediction, before its own order held it: its error is the model's)
      prior: v.support >= ROUTER.minSupport && v.shapeWeight === 0 ? said[SAID * chosen] : NaN,
      weight: v.shapeWeight, shapeMean: v.shapeMean,
    };
  }
}
