// The host's side of the placement router (docs/learning.md "Placement"): it writes each decision's
// features into the router block in shared memory, asks the core's models (assembly/learn/router.ts:
// the dot products and Kalman updates in Wasm) for their predictions, decides with the pure rule of
// policy/route-rule.ts, and folds the measured call time back in. Host thread only: the host times the calls.
import type { SharedCore } from '../engine/memory.js';
import { messages } from '../messages.js';
import { ShapeTable, shapeKey, type ShapesSnapshot, type ShapeStatView } from './shapes.js';
import {
  FEATURES, ROUTER, ROUTES, TENT_RANGE, KIND_RANGE, routeFeatures, baseOf, xorshift,
  type PlacementRouter, type Route, type RouteChoice, type RouteInput, type RouteView,
} from '../policy/router.js';
import { decideRoute } from '../policy/route-rule.js';
import { shapeNoise } from '../policy/route-tries.js';
import { reuseCalls, reuseHolds, settled } from '../policy/route-reuse.js';
import { ORDERED_PAIRS, fasterAt, sizeOrder, ratioOrder } from '../policy/size-order.js';

/** Decisions executor.placement() keeps. */
export const KEPT_DECISIONS = 32;
/** A serial call this long (elements) or longer measures its op's cost per element (the history feature). */
const HISTORY_MIN_N = 1 << 16;
/**
 * The history's gains: an EMA that follows a cheaper measurement fast and a dearer one slowly (a call
 * slowed by a busy machine, or a cold first run, says less about the op than a quick one).
 */
const HISTORY_DOWN = 0.5, HISTORY_UP = 0.1;
/** Feature vectors per chunk (Router #features): 6 KiB, the decisions of a few hundred calls. */
const FEATURE_CHUNK = 64;
/** Size classes (log2 n, rounded) whose shape keys a router keeps per op key: 0 … 63 (n below 2^64). */
const SIZE_CLASSES = 64;
/** A call time outside (0, MAX_MS] ms is a clock that jumped: dropped and counted. */
const MAX_MS = 3_600_000;
/** A measurement's deviation from its shape's mean is clipped at this many sd of the shape's noise (at least ROUTER.minVar's). */
const CLIP_SD = 3;
/** The least gain of the models' error EMA (policy/router.ts RouteView.spread): it follows about the last 1 / ERR_GAIN calls. */
const ERR_GAIN = 0.05;

/** One decision, as executor.placement() shows it. */
export interface PlacementDecision {
  /** The call ('reduce', 'transform', …), its op key and elements. */
  call: string;
  key: string;
  n: number;
  route: Route;
  /** Why (policy/router.ts RouteChoice), or 'reused': a call that took its shape's last settled decision. */
  reason: RouteChoice['reason'] | 'reused';
  confidence: number;
  /** What the static rule said. */
  fallback: Route;
  /** Each candidate's predicted time (µs, the model's), NaN where learning is off. */
  predicted: Partial<Record<Route, number>>;
  /** Each candidate's measured time at the call's shape (µs: 2^ its mean log2 time), where it has measurements. */
  measured: Partial<Record<Route, number>>;
  /** The measured time (ms), once the call is over; NaN if it was dropped. */
  ms: number | undefined;
  /** The feature vector (policy/router.ts routeFeatures). */
  features: number[];
}

/** One option's model. */
export interface RouteModelView {
  route: Route;
  samples: number;
  /** sd of one call's log2 time about the model's prediction. */
  sd: number;
  /** Root mean square of its recent errors where it served as a prior (log2; a choice's first measurement at a shape): how far its predictions are trusted. */
  spread: number;
  weights: number[];
}

/** What executor.placement() returns. */
export interface PlacementView {
  enabled: boolean;
  counts: { decisions: number; reused: number; learned: number; static: number; fallback: number; explore: number; invalid: number;
    observed: number; dropped: number; refused: number; diverged: number };
  models: RouteModelView[];
  /** Cost per element (ns) measured per op key. */
  history: Record<string, number>;
  /** Call shapes with measurements (rows of the shape table). */
  shapes: number;
  last: PlacementDecision[];
}

/** The router's part of executor.models.snapshot(). */
export interface RouterSnapshot {
  models: { route: Route; samples: number; resVar: number; w: number[]; support: number[]; p: number[];
    /** The mean square of the model's errors where it served as a prior, and how many (absent in older snapshots). */
    errVar?: number; errN?: number }[];
  history: Record<string, number>;
  /** Per-shape measurements (learn/shapes.ts); absent in older snapshots. */
  shapes?: ShapesSnapshot[];
}

/** A decision in flight: observe() folds its time in. */
export interface Ticket {
  readonly choice: RouteChoice; readonly record: Kept; readonly x: Float32Array; readonly base: number; readonly serialN: number;
  /** The shape's row (-1 with learning off), log2 n, and the clip of the shape's step (log2). */
  readonly row: number; readonly log2n: number; readonly lim: number;
  /** The chosen model's prediction (log2 µs), NaN with learning off or without evidence near the call. */
  readonly mean: number;
  /** A call that reused its shape's decision: its time goes to the shape's row (row ≥ 0) and the history, not the model. */
  readonly reused: boolean;
  /** A reused call's settled decision, which its time may end (policy/route-reuse.ts reuseHolds). */
  readonly settled?: Settled;
}

/**
 * A shape's settled decision while its next calls reuse it: the deciding call's ticket, the calls
 * left, the chosen route's mean at the shape when it was decided (log2 per element) and its lead.
 */
interface Settled { readonly ticket: Ticket; left: number; readonly at: number; readonly margin: number }

/** A kept decision: its features stay a Float32Array until inspect() copies them out. */
type Kept = Omit<PlacementDecision, 'features'> & { x: Float32Array };

const ZERO_COUNTS = (): PlacementView['counts'] => ({ decisions: 0, reused: 0, learned: 0, static: 0, fallback: 0, explore: 0, invalid: 0, observed: 0, dropped: 0, refused: 0, diverged: 0 });

export class Router implements PlacementRouter {
  readonly #core: SharedCore | undefined;
  readonly #block: number;   // 0 with learning off
  /**
   * An f32 view of the memory, taken once the router's blocks (its own and the shape table's) are
   * allocated: a shared memory that grows hands out a new buffer but keeps the old one valid with its
   * old length, which holds the blocks, so a decision never re-takes it (Memory.buffer is a call into
   * the engine).
   */
  readonly #f32: Float32Array;
  #rand: () => number;
  readonly #history = new Map<string, number>();
  #counts = ZERO_COUNTS();
  #last: Kept[] = [];
  /**
   * A call reuses its shape's (op, log2 n, choices) settled decision (policy/route-reuse.ts settled) for the
   * next calls of that shape, as many as reuseCalls gives for the chosen route's measured time there:
   * deciding and learning cost tens of µs when cold after other calls, and the (reuses + 1)th call
   * still decides and learns. A reused call whose time closes the route's lead (reuseHolds) ends it.
   */
  readonly #reuse = new Map<string, Settled>();
  /** decide()'s views of the models, reused (decideRoute reads them before decide returns). */
  readonly #scratch: { -readonly [K in keyof RouteView]: RouteView[K] }[] = ROUTES.map(() => ({ mean: 0, sd: 0, spread: 0, support: 0, samples: 0, shapeWeight: 0, shapeMean: 0, shapeM2: 0, shapeCount: 0, beats: 0, suspect: false, trend: NaN }));
  /** Per model: the mean square of its errors where it served as a prior (log2; policy/router.ts RouteView.spread), and how many. */
  readonly #errVar = new Float64Array(ROUTES.length);
  readonly #errN = new Float64Array(ROUTES.length);
  readonly #views: (RouteView | undefined)[] = ROUTES.map(() => undefined);
  readonly #stat: ShapeStatView = { weight: 0, mean: 0, m2: 0, count: 0 };
  /** Each choice's stats at the call's shape, read once for its view and the ratio order. */
  readonly #here: ShapeStatView[] = ROUTES.map(() => ({ weight: 0, mean: 0, m2: 0, count: 0 }));
  /** The size and ratio orders' reads: below lo, hi; above lo, hi. */
  readonly #pair: ShapeStatView[] = Array.from({ length: 4 }, () => ({ weight: 0, mean: 0, m2: 0, count: 0 }));
  /**
   * The features of each decision (a ticket's and a kept decision's x) are views on a chunk of
   * FEATURE_CHUNK vectors, a new chunk when one is used up, its views made together: a decision takes
   * one ready, where making a view (a typed array's constructor, cold between calls) cost it a few µs.
   * A view is never handed out twice; a chunk lives while any of its views does.
   */
  #chunk: Float32Array[] = [];
  #chunkAt = 0;
  /**
   * Each op key's shape keys (shapeKey) by size class and choices open: a call's reused() and decide()
   * and the Maps they look up get the same string each time, flat and with its hash kept, rather than
   * a new one built, flattened and hashed twice per call.
   */
  readonly #shapeKeys = new Map<string, string[]>();
  readonly #shapes: ShapeTable | undefined;
  /**
   * Where the core's router block keeps the features (an index into the f32 view) and each model (bytes):
   * fixed once the block is set up, so a decision asks the core only for what it computes.
   */
  #fx = 0;
  readonly #modelAt = new Float64Array(ROUTES.length);

  constructor(core: SharedCore | undefined, enabled: boolean, seed = 0x9e3779b9) {
    this.#rand = xorshift(seed);
    if (!enabled || core === undefined) { this.#core = undefined; this.#block = 0; this.#shapes = undefined; this.#f32 = new Float32Array(0); return; }
    const bytes = core.x.routerSize(FEATURES, ROUTES.length);
    const block = core.alloc(bytes);
    core.ensure(block, bytes);
    core.x.routerInit(block, FEATURES, ROUTES.length, ROUTER.noise, ROUTER.drift, ROUTER.p0);
    this.#core = core; this.#block = block;
    this.#fx = core.x.routerFeatures(block) >> 2;
    for (let o = 0; o < ROUTES.length; o++) this.#modelAt[o] = core.x.routerModel(block, o);
    this.#shapes = new ShapeTable(core, ROUTER.shapes, ROUTER.gamma, ROUTER.down, () => this.#f32);
    this.#f32 = new Float32Array(core.u8.buffer);
  }

  get enabled(): boolean { return this.#block !== 0; }

  /** The measured cost per element of op `key` (ns), or 0 before any. */
  historyNs(key: string): number { return this.#history.get(key) ?? 0; }

  /** Re-seeds the exploration draws (tests and benchmarks replay with it). */
  seed(s: number): void { this.#rand = xorshift(s); }

  /** The shape's last decision, while it may be reused (see reuseCalls); undefined: decide(). `mask`: the choices open, a bit per ROUTES index. */
  reused(key: string, n: number, mask: number): Ticket | undefined {
    const shape = this.#shapeKey(key, n, mask);
    const e = this.#reuse.get(shape);
    if (e === undefined || e.left <= 0) return undefined;
    e.left--;
    this.#counts.reused++;
    const t = e.ticket, r = t.record;
    const record: Kept = { call: r.call, key: r.key, n, route: r.route, reason: 'reused', confidence: r.confidence, fallback: r.fallback,
      predicted: r.predicted, measured: r.measured, ms: undefined, x: r.x };
    this.#keep(record);
    // the call's time still goes to its shape's row (while the row is still that shape's), so the shape
    // follows a drift through its reused calls and fades its other choices per call, as when deciding;
    // not to the model, whose features (the workers awake, the queue) were the deciding call's
    const row = this.#shapes!.holds(shape, t.row) ? t.row : -1;
    return { choice: t.choice, record, x: t.x, base: t.base, serialN: t.record.route === 'serial' ? n : 0, row, log2n: Math.log2(n), lim: t.lim, mean: NaN, reused: true, settled: e };
  }

  /** Chooses where a call runs. `call` names it, `key` its op (kind:op:dtype) for the history. */
  decide(call: string, key: string, p: RouteInput): Ticket {
    const x = this.#features();
    routeFeatures(p, x);
    const base = baseOf(p);
    const u = this.#rand(), u2 = this.#rand();
    const predicted: Partial<Record<Route, number>> = {}, measured: Partial<Record<Route, number>> = {};
    let views: (RouteView | undefined)[] | undefined;
    let mask = 0, row = -1, lim = 0;
    const log2n = Math.log2(p.n);
    for (let i = 0; i < p.candidates.length; i++) mask |= 1 << ROUTES.indexOf(p.candidates[i]);
    const shape = this.#shapeKey(key, p.n, mask);
    if (this.#block !== 0 && p.candidates.length > 1) {
      const core = this.#core!, b = this.#block, shapes = this.#shapes!, here = this.#here;
      const entry = Number.isFinite(log2n) ? shapes.rowOf(shape) : undefined;
      row = entry !== undefined ? entry.row : -1;
      const f = this.#f32;
      f.set(x, this.#fx);
      // the models' predictions and evidence near the call, in one call into the core (at said + 3·o)
      const finite = core.x.routerQuery(b, mask, TENT_RANGE[0], TENT_RANGE[1], KIND_RANGE[0], KIND_RANGE[1]) !== 0;
      const said = this.#fx + FEATURES;
      views = this.#views;
      for (let o = 0; o < ROUTES.length; o++) {
        const r = ROUTES[o];
        if ((mask & (1 << o)) === 0) { views[o] = undefined; continue; }
        const mean = finite ? base + f[said + 3 * o] : NaN;
        predicted[r] = 2 ** mean;
        const m = this.#modelAt[o];
        const v = (views[o] = this.#scratch[o]);
        v.mean = mean;
        v.samples = core.u32[(m + core.L.RM_samples) >> 2];
        v.sd = Math.sqrt(Math.max(0, f[(m + core.L.RM_resVar) >> 2]));
        v.spread = Math.sqrt(this.#errN[o] > 0 ? this.#errVar[o] : ROUTER.p0);
        v.support = finite ? Math.min(f[said + 3 * o + 1], f[said + 3 * o + 2]) : NaN;
        // the shape's measurements, per element, scaled to this call's n
        const st = here[o];
        if (row >= 0) shapes.read(row, o, st, f); else st.weight = st.m2 = st.count = 0;
        v.shapeWeight = st.count > 0 ? st.weight : 0;
        v.shapeMean = st.mean + log2n;
        v.shapeM2 = st.m2;
        v.shapeCount = st.count;
        v.beats = 0;
        v.suspect = false;
        if (st.count > 0) measured[r] = 2 ** v.shapeMean;
        // a hardware GPU's own trend over the op's smaller sizes, where its model has no evidence near
        // the call (a software adapter's flat times at small sizes say nothing of its large ones)
        v.trend = r === 'gpu' && !p.software && entry !== undefined && !(v.support >= ROUTER.minSupport) ? shapes.trend(entry, o, log2n, this.#stat, f) : NaN;
      }
      // the size order (policy/size-order.ts sizeOrder): what the nearest sizes of this op measuring both
      // choices of an ordered pair, below and above the call's, say of the pair here
      // and the ratio order (ratioOrder): whether the pair's measurements here lie within the bracket of
      // those sizes' ratios, or one choice's were inflated by a pause
      if (entry !== undefined) {
        // indexed, not destructured: until V8 optimizes decide (a run of a few hundred calls never gets
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
          if (row < 0) continue;
          const suspect = ratioOrder(bl, bh, here[lo], here[hi], al, ah, vl.sd, vh.sd);
          if (suspect === 1) vl.suspect = true;
          else if (suspect === 2) vh.suspect = true;
        }
      }

    }
    const choice = decideRoute(p, views, u, u2);
    // a measurement's step at the shape is clipped at CLIP_SD of the shape's noise for the chosen route
    // (its measurements' spread, the model's noise as ROUTER.priorSamples more): an outlier (a call a
    // busy machine slowed 5×) moves the shape's mean by a bounded step
    const cv = views?.[ROUTES.indexOf(choice.route)];
    if (cv !== undefined) lim = CLIP_SD * Math.sqrt(shapeNoise(cv));
    this.#counts.decisions++;
    this.#counts[choice.reason]++;
    const record: Kept = { call, key, n: p.n, route: choice.route, reason: choice.reason, confidence: choice.confidence,
      fallback: p.fallback, predicted, measured, ms: undefined, x };
    this.#keep(record);
    // the chosen model's prediction, to measure its error by, where it serves as a prior: with evidence
    // near the call (an extrapolation is never used as one) and no measurement of the choice at this
    // shape yet (the error of a prediction for a shape the model has not been fitted on)
    const cm = views?.[ROUTES.indexOf(choice.route)];
    const mean = cm !== undefined && cm.support >= ROUTER.minSupport && cm.shapeWeight === 0 ? cm.mean : NaN;
    const ticket: Ticket = { choice, record, x, base, serialN: choice.route === 'serial' ? p.n : 0, row, log2n, lim, mean, reused: false };
    if (views !== undefined) {
      // settled: the models chose, and the shape has measured the chosen route; reused for as many
      // calls as its time calls for, while their times leave it its lead
      const v = views[ROUTES.indexOf(choice.route)]!;
      const reuses = row >= 0 && settled(choice, v.shapeWeight) ? reuseCalls(2 ** v.shapeMean) : 0;
      if (reuses > 0) this.#reuse.set(shape, { ticket, left: reuses, at: v.shapeMean - log2n, margin: choice.margin ?? 0 });
      else this.#reuse.delete(shape);
    }
    return ticket;
  }

  /** shapeKey(key, n, mask), the same string for every call of the shape. */
  #shapeKey(key: string, n: number, mask: number): string {
    const c = Math.round(Math.log2(n));
    if (!(c >= 0 && c < SIZE_CLASSES) || mask >>> 0 !== mask || mask >= 1 << ROUTES.length) return shapeKey(key, n, mask);
    let keys = this.#shapeKeys.get(key);
    if (keys === undefined) this.#shapeKeys.set(key, (keys = new Array<string>(SIZE_CLASSES << ROUTES.length)));
    const i = (c << ROUTES.length) | mask;
    return keys[i] ?? (keys[i] = shapeKey(key, n, mask));
  }

  /** A fresh feature vector (zeroed), a view on the current chunk. */
  #features(): Float32Array {
    if (this.#chunkAt === 0) {
      const buf = new ArrayBuffer(FEATURE_CHUNK * FEATURES * 4), views: Float32Array[] = [];
      for (let i = 0; i < FEATURE_CHUNK; i++) views.push(new Float32Array(buf, i * FEATURES * 4, FEATURES));
      this.#chunk = views;
    }
    const x = this.#chunk[this.#chunkAt];
    this.#chunkAt = (this.#chunkAt + 1) % FEATURE_CHUNK;
    return x;
  }

  #keep(d: Kept): void {
    this.#last.push(d);
    if (this.#last.length > KEPT_DECISIONS) this.#last.shift();
  }

  /** Folds a decision's measured time (ms) in. A time that is not finite, ≤ 0 or absurdly long is dropped and counted. */
  observe(t: Ticket, ms: number): void {
    if (!(ms > 0 && ms <= MAX_MS)) { t.record.ms = NaN; this.#counts.dropped++; return; }
    t.record.ms = ms;
    if (t.serialN >= HISTORY_MIN_N) {
      const ns = (ms * 1e6) / t.serialN, h = this.#history.get(t.record.key);
      this.#history.set(t.record.key, h === undefined ? ns : h + (ns < h ? HISTORY_DOWN : HISTORY_UP) * (ns - h));
    }
    if (this.#block === 0) return;
    if (t.reused === true) {
      if (t.row < 0) return;
      const o = ROUTES.indexOf(t.choice.route), shapes = this.#shapes!;
      const y = Math.log2(ms * 1000) - t.log2n;
      shapes.observe(t.row, o, y, t.lim);
      // the call and the route's mean at the shape, as it moved it, against the lead it was decided by
      const e = t.settled!;
      if (e.left > 0 && !reuseHolds(y - e.at, shapes.read(t.row, o, this.#stat, this.#f32).mean - e.at, e.margin)) e.left = 0;
      return;
    }
    const core = this.#core!, b = this.#block;
    this.#f32.set(t.x, this.#fx);
    const o = ROUTES.indexOf(t.choice.route), y = Math.log2(ms * 1000);
    const r = core.x.routerUpdate(b, o, y - t.base);
    if (r === 1) {
      this.#counts.observed++;
      // the model's error before this call: a running mean of its square, then an EMA (ERR_GAIN)
      const e = y - t.mean;
      if (Number.isFinite(e)) { const g = Math.max(1 / ++this.#errN[o], ERR_GAIN); this.#errVar[o] += g * (e * e - this.#errVar[o]); }
    }
    // the shape's row, unless the core refused the features (not finite: the call's shape is not either)
    if (r === 1 && t.row >= 0) this.#shapes!.observe(t.row, o, y - t.log2n, t.lim);
  }

  /** executor.placement(). */
  inspect(): PlacementView {
    const core = this.#core, b = this.#block;
    const counts = { ...this.#counts };
    if (core !== undefined) {
      counts.refused = core.u32[(b + core.L.RB_refused) >> 2];
      counts.diverged = core.u32[(b + core.L.RB_diverged) >> 2];
    }
    const models = b === 0 ? [] : ROUTES.map((route, o) => {
      const s = this.#model(o);
      return { route, samples: s.samples, sd: Math.sqrt(Math.max(0, s.resVar)), spread: Math.sqrt(s.errN! > 0 ? s.errVar! : ROUTER.p0), weights: s.w };
    });
    return { enabled: b !== 0, counts, models, history: Object.fromEntries(this.#history), shapes: this.#shapes?.size ?? 0,
      last: this.#last.map(({ x, ...d }) => ({ ...d, predicted: { ...d.predicted }, measured: { ...d.measured }, features: [...x] })) };
  }

  #model(o: number): RouterSnapshot['models'][number] {
    const core = this.#core!, m = core.x.routerModel(this.#block, o), f = this.#f32, w0 = (m + core.L.size_RouteModel) >> 2;
    return {
      route: ROUTES[o], samples: core.u32[(m + core.L.RM_samples) >> 2], resVar: f[(m + core.L.RM_resVar) >> 2], errVar: this.#errVar[o], errN: this.#errN[o],
      w: [...f.subarray(w0, w0 + FEATURES)], support: [...f.subarray(w0 + FEATURES, w0 + 2 * FEATURES)],
      p: [...f.subarray(w0 + 2 * FEATURES, w0 + 2 * FEATURES + FEATURES * FEATURES)],
    };
  }

  snapshot(): RouterSnapshot {
    return { models: this.#block === 0 ? [] : ROUTES.map((_, o) => this.#model(o)), history: Object.fromEntries(this.#history), shapes: this.#shapes?.snapshot() ?? [] };
  }

  /** Warm start: sets the models and history a snapshot holds; returns how many models it set (entries not finite are skipped). */
  restore(s: RouterSnapshot | undefined): number {
    if (s === undefined) return 0;
    if (typeof s !== 'object' || s === null || !Array.isArray(s.models)) {
      throw new TypeError(messages.argType('executor.models.restore(snapshot): snapshot.router', 'what executor.models.snapshot() returned', s));
    }
    for (const [k, v] of Object.entries(s.history ?? {})) if (typeof v === 'number' && v > 0 && Number.isFinite(v)) this.#history.set(k, v);
    if (this.#block === 0) return 0;
    this.#reuse.clear();
    const core = this.#core!;
    let n = 0;
    for (const m of s.models) {
      const o = ROUTES.indexOf(m?.route);
      const fits = (a: unknown, len: number): a is number[] => Array.isArray(a) && a.length === len && a.every((v) => typeof v === 'number' && Number.isFinite(v));
      if (o < 0 || !fits(m.w, FEATURES) || !fits(m.support, FEATURES) || !fits(m.p, FEATURES * FEATURES)) continue;
      if (!(Number.isInteger(m.samples) && m.samples >= 0 && m.samples < 2 ** 32 && m.resVar >= 0 && Number.isFinite(m.resVar))) continue;
      const at = core.x.routerModel(this.#block, o), f = this.#f32, w0 = (at + core.L.size_RouteModel) >> 2;
      core.u32[(at + core.L.RM_samples) >> 2] = m.samples;
      f[(at + core.L.RM_resVar) >> 2] = m.resVar;
      f.set(m.w, w0); f.set(m.support, w0 + FEATURES); f.set(m.p, w0 + 2 * FEATURES);
      const errs = m.errVar !== undefined && m.errVar >= 0 && Number.isFinite(m.errVar) && m.errN !== undefined && m.errN >= 0 && Number.isFinite(m.errN);
      this.#errVar[o] = errs ? m.errVar! : 0; this.#errN[o] = errs ? m.errN! : 0;
      n++;
    }
    this.#shapes!.restore(s.shapes);
    return n;
  }

  /** Forgets the models, the history and the decisions. */
  reset(): void {
    if (this.#block !== 0) for (let o = 0; o < ROUTES.length; o++) this.#core!.x.routerResetModel(this.#block, o);
    this.#shapes?.reset();
    this.#errVar.fill(0); this.#errN.fill(0);
    this.#history.clear();
    this.#reuse.clear();
    this.#counts = ZERO_COUNTS();
    this.#last = [];
  }
}
