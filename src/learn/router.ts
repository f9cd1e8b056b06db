// The host's side of the placement router (docs/learning.md "Placement"): it writes each decision's
// features into the router block in shared memory, has the core decide in one call
// (assembly/learn/route-decide.ts: the models' predictions, the views, the size and ratio orders and
// the rule, as the pure policies of policy/ say them; #onHost makes the same decision with those
// policies, for the calls the core does not take), and folds the measured call time back in
// (assembly/learn/router.ts: the Kalman updates). Host thread only: the host times the calls.
import type { SharedCore } from '../engine/memory.js';
import { messages } from '../messages.js';
import { ShapeTable, shapeKey, type ShapeRow, type ShapesSnapshot, type ShapeStatView } from './shapes.js';
import {
  FEATURES, ROUTER, ROUTES, TENT_RANGE, KIND_RANGE, routeFeatures, baseOf, xorshift,
  type PlacementRouter, type Route, type RouteChoice, type RouteInput, type RouteView,
} from '../policy/router.js';
import { decideRoute } from '../policy/route-rule.js';
import { shapeNoise } from '../policy/route-tries.js';
import { REUSE, reuseCalls, reuseHolds, settled } from '../policy/route-reuse.js';
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

/**
 * A kept decision: its features stay a Float32Array until inspect() copies them out, and what it said
 * of each choice o in `mask` (the choices open; none for a decision of the static rule alone) is three
 * numbers at said[3o …]: the model's prediction (log2 µs), the shape's mean (log2 µs) and its count,
 * from which inspect() makes `predicted` and `measured`.
 */
type Kept = Omit<PlacementDecision, 'features' | 'predicted' | 'measured'> & { x: Float32Array; said: Float64Array; mask: number };
/** Numbers per choice in Kept.said. */
const SAID = 3;

/** What a decision leaves for its ticket and the reuse (Router decide). */
interface Decided { choice: RouteChoice; lim: number; prior: number; weight: number; shapeMean: number }

/** The core's reasons by code (assembly/learn/route-decide.ts: LEARNED 0, FALLBACK 2, EXPLORE 3, INVALID 4). */
const CORE_REASONS: readonly RouteChoice['reason'][] = ['learned', 'static', 'fallback', 'explore', 'invalid'];

/** The GPU's bit in a mask of choices. */
const GPU_BIT = 1 << ROUTES.indexOf('gpu');

/** Whether the candidates are in ROUTES order (the core's decision takes them so: route.ts makes them so). */
function inRoutesOrder(c: readonly Route[]): boolean {
  for (let i = 1; i < c.length; i++) if (ROUTES.indexOf(c[i - 1]) >= ROUTES.indexOf(c[i])) return false;
  return true;
}

/** The rule's parameters as the core's decision block holds them (assembly/learn/route-decide.ts, the P_ order). */
const coreParams = (): number[] => [
  ROUTER.minSupport, ROUTER.hopeless, ROUTER.judgeAfter, ROUTER.epsilon, ROUTER.nearBits, ROUTER.nearUs, ROUTER.confidence,
  ROUTER.priorSamples, ROUTER.minVar, ROUTER.shapeTry, ROUTER.plausible, ROUTER.order, ROUTER.orderVar, ROUTER.recheck,
  ROUTER.bracket, ROUTER.retryGap, ROUTER.retryBits, ROUTER.retryShare, ROUTER.horizon, REUSE.far, CLIP_SD,
  TENT_RANGE[0], TENT_RANGE[1], KIND_RANGE[0], KIND_RANGE[1],
  Math.log2(ROUTER.tryUs), Math.log2(ROUTER.cheapUs), Math.log(ROUTER.gamma),
];

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
  /** The last KEPT_DECISIONS decisions, a ring: the next at #lastAt, #lastCount of them kept. */
  readonly #last: (Kept | undefined)[] = new Array(KEPT_DECISIONS).fill(undefined);
  #lastAt = 0;
  #lastCount = 0;
  #saidChunk: Float64Array[] = [];
  #saidAt = 0;
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
  /** Per model: how far its prediction is trusted where it serves as a prior (RouteView.spread), kept as #errVar changes (#spreadOf). */
  readonly #spread = new Float64Array(ROUTES.length).fill(Math.sqrt(ROUTER.p0));
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
  /**
   * The core's decision block (assembly/learn/route-decide.ts): the rule's parameters, written once;
   * each model's spread, written as it changes (#spreadOf); a decision's answers, read back. Through an
   * f64 view taken with #f32. 0: every decision is made on the host (`inCore` false: the reference
   * test/router-core.test.mjs holds the core to).
   */
  readonly #decision: number = 0;
  readonly #f64: Float64Array;
  #spreadsAt = 0;
  #outAt = 0;

  constructor(core: SharedCore | undefined, enabled: boolean, seed = 0x9e3779b9, inCore = true) {
    this.#rand = xorshift(seed);
    if (!enabled || core === undefined) { this.#core = undefined; this.#block = 0; this.#shapes = undefined; this.#f32 = new Float32Array(0); this.#f64 = new Float64Array(0); return; }
    const bytes = core.x.routerSize(FEATURES, ROUTES.length);
    const block = core.alloc(bytes);
    core.ensure(block, bytes);
    core.x.routerInit(block, FEATURES, ROUTES.length, ROUTER.noise, ROUTER.drift, ROUTER.p0);
    this.#core = core; this.#block = block;
    this.#fx = core.x.routerFeatures(block) >> 2;
    for (let o = 0; o < ROUTES.length; o++) this.#modelAt[o] = core.x.routerModel(block, o);
    this.#shapes = new ShapeTable(core, ROUTER.shapes, ROUTER.gamma, ROUTER.down, () => this.#f32);
    // read and written through an f64 view: the heap's blocks are 16-byte aligned (assembly/heap.ts)
    if (inCore) this.#decision = core.alloc(core.x.routeDecideSize());
    this.#f32 = new Float32Array(core.u8.buffer);
    this.#f64 = new Float64Array(core.u8.buffer, 0, core.u8.buffer.byteLength >> 3);
    if (this.#decision !== 0) {
      const params = coreParams();
      if (params.length !== core.L.count_RouteParams) throw new Error(messages.routeParams(core.L.count_RouteParams, params.length));
      this.#f64.set(params, core.x.routeDecideParams(this.#decision) >> 3);
      this.#spreadsAt = core.x.routeDecideSpreads(this.#decision) >> 3;
      this.#outAt = core.x.routeDecideOut(this.#decision) >> 3;
    }
    for (let o = 0; o < ROUTES.length; o++) this.#spreadOf(o);
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
      ms: undefined, x: r.x, said: r.said, mask: r.mask };
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
    const said = this.#said();
    let mask = 0, row = -1;
    const log2n = Math.log2(p.n);
    for (let i = 0; i < p.candidates.length; i++) mask |= 1 << ROUTES.indexOf(p.candidates[i]);
    const shape = this.#shapeKey(key, p.n, mask);
    // what the decision leaves for the ticket and the reuse: the chosen route's clip at the shape, its
    // model's prior mean (NaN: none to measure the error of), its weight and mean at the shape
    // the choices the kept decision says something of (Kept.mask): none for the static rule's
    let choice: RouteChoice, lim = 0, prior = NaN, weight = 0, shapeMean = 0, shown = mask;
    if (this.#block === 0 || p.candidates.length < 2) { choice = decideRoute(p, undefined, u, u2); shown = 0; }
    else {
      const shapes = this.#shapes!;
      const entry = Number.isFinite(log2n) ? shapes.rowOf(shape) : undefined;
      row = entry !== undefined ? entry.row : -1;
      this.#f32.set(x, this.#fx);
      let d: Decided;
      // the core decides unless a hardware GPU is open (its trend, a log2 the core does not compute), the
      // candidates are not in ROUTES order, or the family has no place in the core's table
      if (this.#decision !== 0 && (p.software || (mask & GPU_BIT) === 0) && inRoutesOrder(p.candidates) && (entry === undefined || entry.family.at !== 0)) {
        d = this.#inCore(p, mask, entry, base, log2n, u, u2, said);
      } else d = this.#onHost(p, mask, entry, base, log2n, u, u2, said);
      choice = d.choice; lim = d.lim; prior = d.prior; weight = d.weight; shapeMean = d.shapeMean;
    }
    this.#counts.decisions++;
    this.#counts[choice.reason]++;
    const record: Kept = { call, key, n: p.n, route: choice.route, reason: choice.reason, confidence: choice.confidence,
      fallback: p.fallback, ms: undefined, x, said, mask: shown };
    this.#keep(record);
    const ticket: Ticket = { choice, record, x, base, serialN: choice.route === 'serial' ? p.n : 0, row, log2n, lim, mean: prior, reused: false };
    if (this.#block !== 0 && p.candidates.length > 1) {
      // settled: the models chose, and the shape has measured the chosen route; reused for as many
      // calls as its time calls for, while their times leave it its lead
      const reuses = row >= 0 && settled(choice, weight) ? reuseCalls(2 ** shapeMean) : 0;
      if (reuses > 0) this.#reuse.set(shape, { ticket, left: reuses, at: shapeMean - log2n, margin: choice.margin ?? 0 });
      else this.#reuse.delete(shape);
    }
    return ticket;
  }

  /**
   * The decision in one call into the core (assembly/learn/route-decide.ts), over the features already
   * written: the views, the size and ratio orders and the rule there, the answers read back.
   */
  #inCore(p: RouteInput, mask: number, entry: ShapeRow | undefined, base: number, log2n: number, u: number, u2: number, said: Float64Array): Decided {
    const core = this.#core!, f64 = this.#f64, out = this.#outAt;
    const fam = entry?.family;
    const r = core.x.routeDecide(this.#block, this.#shapes!.block, this.#decision, mask, ROUTES.indexOf(p.fallback), entry?.row ?? -1,
      fam?.at ?? 0, entry?.size ?? 0, fam?.lo ?? 0, fam?.hi ?? 0, log2n, base, u, u2);
    const route = ROUTES[r & 15], reason = CORE_REASONS[r >> 4], confidence = f64[out];
    for (let i = 0; i < SAID * ROUTES.length; i++) said[i] = f64[out + 8 + i];
    return {
      choice: reason === 'learned' ? { route, reason, confidence, margin: f64[out + 1] } : { route, reason, confidence },
      lim: f64[out + 2], prior: f64[out + 3], weight: f64[out + 4], shapeMean: f64[out + 5],
    };
  }

  /**
   * The decision on the host, with the pure policies the core's decision follows (policy/router.ts
   * views, size-order.ts, route-rule.ts): for candidates the core does not take (not in ROUTES order),
   * a family with no place in the core's table, and as the reference the tests hold the core to.
   */
  #onHost(p: RouteInput, mask: number, entry: ShapeRow | undefined, base: number, log2n: number, u: number, u2: number, said: Float64Array): Decided {
    const core = this.#core!, b = this.#block, shapes = this.#shapes!, here = this.#here, f = this.#f32;
    const row = entry !== undefined ? entry.row : -1;
    // the models' predictions and evidence near the call, in one call into the core (at said + 3·o)
    const finite = core.x.routerQuery(b, mask, TENT_RANGE[0], TENT_RANGE[1], KIND_RANGE[0], KIND_RANGE[1]) !== 0;
    const at = this.#fx + FEATURES;
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
      said[SAID * o + 1] = v.shapeMean;
      said[SAID * o + 2] = st.count;
      // a hardware GPU's own trend over the op's smaller sizes, where its model has no evidence near
      // the call (a software adapter's flat times at small sizes say nothing of its large ones)
      v.trend = r === 'gpu' && !p.software && entry !== undefined && !(v.support >= ROUTER.minSupport) ? shapes.trend(entry, o, log2n, this.#stat, f) : NaN;
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
    const v = views[ROUTES.indexOf(choice.route)]!;
    return {
      choice,
      // a measurement's step at the shape is clipped at CLIP_SD of the shape's noise for the chosen route
      // (its measurements' spread, the model's noise as ROUTER.priorSamples more): an outlier (a call a
      // busy machine slowed 5×) moves the shape's mean by a bounded step
      lim: CLIP_SD * Math.sqrt(shapeNoise(v)),
      // the chosen model's prediction, to measure its error by, where it serves as a prior: with evidence
      // near the call (an extrapolation is never used as one) and no measurement of the choice at this
      // shape yet (the error of a prediction for a shape the model has not been fitted on)
      prior: v.support >= ROUTER.minSupport && v.shapeWeight === 0 ? v.mean : NaN,
      weight: v.shapeWeight, shapeMean: v.shapeMean,
    };
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
    this.#last[this.#lastAt] = d;
    this.#lastAt = (this.#lastAt + 1) % KEPT_DECISIONS;
    if (this.#lastCount < KEPT_DECISIONS) this.#lastCount++;
  }

  /** Model o's spread from its prior errors (the prior's variance before any), here and in the core's decision block. */
  #spreadOf(o: number): void {
    this.#spread[o] = Math.sqrt(this.#errN[o] > 0 ? this.#errVar[o] : ROUTER.p0);
    if (this.#decision !== 0) this.#f64[this.#spreadsAt + o] = this.#spread[o];
  }

  /** A decision's numbers per choice (Kept.said), a view on the current chunk (as #features). */
  #said(): Float64Array {
    if (this.#saidAt === 0) {
      const buf = new ArrayBuffer(FEATURE_CHUNK * SAID * ROUTES.length * 8), views: Float64Array[] = [];
      for (let i = 0; i < FEATURE_CHUNK; i++) views.push(new Float64Array(buf, i * SAID * ROUTES.length * 8, SAID * ROUTES.length));
      this.#saidChunk = views;
    }
    const s = this.#saidChunk[this.#saidAt];
    this.#saidAt = (this.#saidAt + 1) % FEATURE_CHUNK;
    return s;
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
      if (Number.isFinite(e)) { const g = Math.max(1 / ++this.#errN[o], ERR_GAIN); this.#errVar[o] += g * (e * e - this.#errVar[o]); this.#spreadOf(o); }
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
      last: Array.from({ length: this.#lastCount }, (_, i) => this.#last[(this.#lastAt - this.#lastCount + i + KEPT_DECISIONS) % KEPT_DECISIONS]!)
        .map(({ x, said, mask, ...d }) => {
          const predicted: PlacementDecision['predicted'] = {}, measured: PlacementDecision['measured'] = {};
          for (let o = 0; o < ROUTES.length; o++) {
            if ((mask & (1 << o)) === 0) continue;
            predicted[ROUTES[o]] = 2 ** said[SAID * o];
            if (said[SAID * o + 2] > 0) measured[ROUTES[o]] = 2 ** said[SAID * o + 1];
          }
          return { ...d, predicted, measured, features: [...x] };
        }) };
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
      this.#spreadOf(o);
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
    for (let o = 0; o < ROUTES.length; o++) this.#spreadOf(o);
    this.#history.clear();
    this.#reuse.clear();
    this.#counts = ZERO_COUNTS();
    this.#last.fill(undefined); this.#lastAt = 0; this.#lastCount = 0;
  }
}
