// The host's side of the placement router (docs/learning.md "Placement"): it writes each decision's
// features into the router block in shared memory, has the core decide in one call
// (learn/core-decision.ts over assembly/learn/route-decide.ts) or, for the calls the core does not
// take, decides with the pure policies the core follows (learn/host-decision.ts), reuses settled
// decisions, and folds the measured call time back in (assembly/learn/router.ts: the Kalman
// updates). Host thread only: the host times the calls.
import type { SharedCore } from '../engine/memory.js';
import { messages } from '../messages.js';
import { ShapeTable, shapeKey, type ShapesSnapshot } from './shapes.js';
import { FEATURES, ROUTER, ROUTES, routeFeatures, baseOf, log2, xorshift, type PlacementRouter, type Route, type RouteChoice, type RouteInput, type RouteTicket } from '../policy/router.js';
import { decideRoute } from '../policy/route-rule.js';
import { REUSE, early, heldLead, reuseCalls, settled, streakAfter } from '../policy/route-reuse.js';
import { HostDecision, SAID, type Decided } from './host-decision.js';
import { CoreDecision } from './core-decision.js';
import { CallBlock, HISTORY } from './route-call.js';

/** Decisions executor.placement() keeps. */
export const KEPT_DECISIONS = 32;
/** Views per chunk (viewChunks: the features and the numbers of a decision). */
const CHUNK = 64;
/** Size classes (log2 n, rounded) whose shape keys a router keeps per op key: 0 … 63 (n below 2^64). */
const SIZE_CLASSES = 64;
/** A call time outside (0, MAX_MS] ms is a clock that jumped: dropped and counted. */
const MAX_MS = HISTORY.maxMs;
/** The least gain of the models' error EMA (policy/router.ts RouteView.spread): it follows about the last 1 / ERR_GAIN calls. */
const ERR_GAIN = HISTORY.errGain;

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
  /**
   * What routing cost the calling thread, as the calls timed it (choosing the route and folding the
   * call's time in): over the routed calls that completed (one that throws is counted in `counts`
   * but neither observed nor timed), those that decided and those that reused their shape's decision,
   * how many and their ms in all.
   */
  routing: { decided: RoutingCost; reused: RoutingCost };
  /** Call shapes with measurements (rows of the shape table). */
  shapes: number;
  last: PlacementDecision[];
}

/** Routing's cost over some calls (PlacementView.routing). */
export interface RoutingCost { calls: number; ms: number }

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
  /** A reused call's row generation (learn/route-call.ts gen): another by its observation, the row went to another shape. */
  readonly gen?: number;
  /** A reused call's count of decisions at its row (learn/route-call.ts seq): another by its observation, the shape decided again. */
  readonly seq?: number;
}


/**
 * A kept decision: its features stay a Float32Array until inspect() copies them out, and what it said
 * of each choice o in `mask` (the choices open; none for a decision of the static rule alone) is
 * SAID numbers at said[SAID·o …] (learn/host-decision.ts), from which inspect() makes `predicted` and
 * `measured`.
 */
type Kept = Omit<PlacementDecision, 'features' | 'predicted' | 'measured'> & { x: Float32Array; said: Float64Array; mask: number };

/**
 * Views of `length` elements handed out one per call, made CHUNK at a time on one buffer: a decision
 * takes one ready, where making a view (a typed array's constructor, cold between calls) cost it a few
 * µs. A view is never handed out twice; a chunk lives while any of its views does.
 */
function viewChunks<T extends Float32Array | Float64Array>(make: (buf: ArrayBuffer, at: number, length: number) => T, bytes: number, length: number): () => T {
  let chunk: T[] = [], at = 0;
  return () => {
    if (at === 0) {
      const buf = new ArrayBuffer(CHUNK * length * bytes);
      chunk = Array.from({ length: CHUNK }, (_, i) => make(buf, i * length * bytes, length));
    }
    const v = chunk[at];
    at = (at + 1) % CHUNK;
    return v;
  };
}

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
  #counts = ZERO_COUNTS();
  /** Routing's cost (PlacementView.routing): decided calls and their ms, then reused calls and theirs. */
  readonly #spent = new Float64Array(4);
  /** The last KEPT_DECISIONS decisions, a ring: the next at #lastAt, #lastCount of them kept (a core ticket's number: inspect() reads its slot). */
  readonly #last: (Kept | number | undefined)[] = new Array(KEPT_DECISIONS).fill(undefined);
  #lastAt = 0;
  #lastCount = 0;
  /** A fresh feature vector, and a fresh array of a decision's numbers per choice (viewChunks). */
  readonly #features = viewChunks((b, at, n) => new Float32Array(b, at, n), 4, FEATURES);
  readonly #said = viewChunks((b, at, n) => new Float64Array(b, at, n), 8, SAID * ROUTES.length);
  /**
   * The call block (learn/route-call.ts): the state a routed call needs wherever it is routed — each
   * row's settled decision (a call reuses its shape's for the next calls of that shape, as many as
   * policy/route-reuse.ts reuseCalls gives; deciding and learning cost tens of µs when cold after other
   * calls), each op's history, the models' errors as a prior, the exploration draws — and the core's
   * tickets.
   */
  readonly #calls: CallBlock | undefined;
  /**
   * Per model: how far its prediction is trusted where it serves as a prior (RouteView.spread), kept as
   * its errors change (#spreadOf): the core's decision block's where the core decides.
   */
  readonly #spread: Float64Array;
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
   * Who decides (learning on, two choices or more): the core (learn/core-decision.ts) where it takes the
   * call, else the host (learn/host-decision.ts). No core decision with `inCore` false: every decision
   * on the host, the reference test/router-core.test.mjs holds the core to.
   */
  readonly #inCore: CoreDecision | undefined;
  readonly #onHost: HostDecision | undefined;

  constructor(core: SharedCore | undefined, enabled: boolean, seed = 0x9e3779b9, inCore = true) {
    this.#rand = xorshift(seed);
    if (!enabled || core === undefined) {
      this.#core = undefined; this.#block = 0; this.#shapes = undefined; this.#f32 = new Float32Array(0); this.#calls = undefined; this.#spread = new Float64Array(ROUTES.length);
      return;
    }
    const bytes = core.x.routerSize(FEATURES, ROUTES.length);
    const block = core.alloc(bytes);
    core.ensure(block, bytes);
    core.x.routerInit(block, FEATURES, ROUTES.length, ROUTER.noise, ROUTER.drift, ROUTER.p0);
    this.#core = core; this.#block = block;
    this.#fx = core.x.routerFeatures(block) >> 2;
    for (let o = 0; o < ROUTES.length; o++) this.#modelAt[o] = core.x.routerModel(block, o);
    const calls = (this.#calls = new CallBlock(core, ROUTER.shapes));
    calls.seed(seed);
    this.#rand = () => calls.draw();
    this.#shapes = new ShapeTable(core, ROUTER.shapes, ROUTER.gamma, ROUTER.down, () => this.#f32, {
      used: calls.used, clock: calls.clock, next: calls.next, places: calls.places, made: (adopt) => calls.takeMade(adopt),
      // a family's rows where the core finds them by op id and choices open (fk: `${op key}|${mask}`)
      family: (fk, f) => {
        const j = fk.lastIndexOf('|'), id = calls.idOf(fk.slice(0, j)), mask = Number(fk.slice(j + 1));
        if (id < calls.ids) core.x.routeFamily(calls.block, id, mask, f?.at ?? 0, f?.lo ?? 0, f?.hi ?? 0);
      },
      reset: (row) => core.x.routeRowReset(calls.block, row),
    });
    // the decision block before the router's f32 view, which then covers it
    this.#inCore = inCore ? new CoreDecision(core, block, this.#shapes.block) : undefined;
    this.#spread = this.#inCore?.spreads() ?? new Float64Array(ROUTES.length);
    this.#f32 = new Float32Array(core.u8.buffer);
    this.#onHost = new HostDecision(core, block, this.#shapes, this.#f32, this.#fx, this.#modelAt, this.#spread);
    for (let o = 0; o < ROUTES.length; o++) this.#spreadOf(o);
  }

  get enabled(): boolean { return this.#block !== 0; }

  /** The measured cost per element of op `key` (ns), or 0 before any. */
  historyNs(key: string): number { return this.#calls?.historyNs(key) ?? this.#restored.get(key) ?? 0; }

  /** With learning off, the history a snapshot restored (handed back by the next snapshot, used by nothing). */
  readonly #restored = new Map<string, number>();

  /** Re-seeds the exploration draws (tests and benchmarks replay with it). */
  seed(s: number): void { if (this.#calls !== undefined) this.#calls.seed(s); else this.#rand = xorshift(s); }

  /**
   * The call routed in the core, in one call (learn/route-call.ts route): where the core decides (no
   * hardware GPU open: its trend is the host's), the op has an id in the call block and the shape a row
   * in a family with a place there. -1: the host routes it (reused, then decide).
   */
  fast(key: string, n: number, mask: number, fallback: Route, kind: RouteInput['kind'], bytes: number, nsPerItem: number, workers: number, awake: number,
    device: boolean, software: boolean): number {
    if (this.#inCore === undefined) return -1;
    const t = this.#calls!.route(this.#block, this.#shapes!.block, this.#inCore.block, key, n, mask, fallback, kind, bytes, nsPerItem, workers, awake, device, software);
    if (t >= 0) this.#keep(t);
    return t;
  }

  /** What core ticket `t` says, as the host's tickets do (test/router-core.test.mjs). */
  ticket(t: number): ReturnType<CallBlock['view']> { return this.#calls!.view(t); }

  /** The shape's last decision, while it may be reused (see reuseCalls); undefined: decide(). `mask`: the choices open, a bit per ROUTES index. */
  reused(key: string, n: number, mask: number): Ticket | undefined {
    const calls = this.#calls;
    if (calls === undefined) return undefined;
    const row = this.#shapes!.rowFor(this.#shapeKey(key, n, mask));
    if (row < 0 || !calls.takeReuse(row)) return undefined;
    this.#counts.reused++;
    // the settled decision as the row holds it (whether the core or the host made it)
    const d = calls.settledAt(row), route = d.choice.route;
    const record: Kept = { call: key.slice(0, key.indexOf(':')), key, n, route, reason: 'reused', confidence: d.choice.confidence, fallback: d.fallback,
      ms: undefined, x: d.x, said: d.said, mask: d.mask };
    this.#keep(record);
    // the call's time still goes to its shape's row, so the shape follows a drift through its reused
    // calls and fades its other choices per call, as when deciding; not to the model, whose features
    // (the workers awake, the queue) were the deciding call's (a row given to another shape meanwhile
    // forgot the settled decision with its measurements: learn/route-call.ts)
    return { choice: d.choice, record, x: d.x, base: NaN, serialN: route === 'serial' ? n : 0, row, log2n: log2(n), lim: calls.lim(row), mean: NaN, reused: true,
      gen: calls.gen(row), seq: calls.seq(row) };
  }

  /** Chooses where a call runs. `call` names it, `key` its op (kind:op:dtype) for the history. */
  decide(call: string, key: string, p: RouteInput): Ticket {
    const x = this.#features();
    routeFeatures(p, x);
    const base = baseOf(p);
    const u = this.#rand(), u2 = this.#rand();
    const said = this.#said();
    let mask = 0, row = -1;
    const log2n = log2(p.n);
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
      const core = this.#inCore;
      const d: Decided = core !== undefined && core.takes(p, mask, entry) ? core.decide(p, mask, entry, base, log2n, u, u2, said)
        : this.#onHost!.decide(p, mask, entry, base, log2n, u, u2, said);
      choice = d.choice; lim = d.lim; prior = d.prior; weight = d.weight; shapeMean = d.shapeMean;
    }
    this.#counts.decisions++;
    this.#counts[choice.reason]++;
    const record: Kept = { call, key, n: p.n, route: choice.route, reason: choice.reason, confidence: choice.confidence,
      fallback: p.fallback, ms: undefined, x, said, mask: shown };
    this.#keep(record);
    const ticket: Ticket = { choice, record, x, base, serialN: choice.route === 'serial' ? p.n : 0, row, log2n, lim, mean: prior, reused: false };
    if (this.#block !== 0 && p.candidates.length > 1 && row >= 0) {
      // settled: the models chose, and the shape has measured the chosen route; reused for as many
      // calls as its time calls for, while their times leave it its lead (policy/route-reuse.ts
      // heldLead); a short call not yet settled but chosen with a lead, its route measured twice or
      // more at the shape: reused REUSE.earlyCalls times, starting no streak
      // (the row's last settled decision, if its last decision settled: its reuses ran out, or a call ended them)
      // (2^shapeMean as the core computes it: exp is V8's Math.exp, bit for bit)
      const callUs = Math.exp(shapeMean * Math.LN2), calls = this.#calls!;
      let streak = streakAfter(calls.rowReuse(row), choice.route), reuses = 0;
      if (settled(choice, weight, callUs)) reuses = reuseCalls(callUs, streak);
      else if (early(choice, weight, callUs)) { reuses = REUSE.earlyCalls; streak = -1; }
      calls.settle(row, reuses, { choice, streak, at: shapeMean - log2n, held: heldLead(choice.margin ?? 0), lim, fallback: p.fallback, mask: shown, x, said });
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

  #keep(d: Kept | number): void {
    this.#last[this.#lastAt] = d;
    this.#lastAt = (this.#lastAt + 1) % KEPT_DECISIONS;
    if (this.#lastCount < KEPT_DECISIONS) this.#lastCount++;
  }

  /** Model o's spread from its prior errors (the prior's variance before any), in the view the decisions read. */
  #spreadOf(o: number): void {
    const c = this.#calls;
    this.#spread[o] = Math.sqrt(c !== undefined && c.errN(o) > 0 ? c.errVar(o) : ROUTER.p0);
  }

  /**
   * Folds a decision's measured time (ms) in. A time that is not finite, ≤ 0 or absurdly long is dropped
   * and counted. Kept small, its paths in functions of their own: the call's code inlines it where V8
   * optimizes that code, which a run of a few hundred routed calls never does for a large function.
   */
  observe(t: RouteTicket, ms: number): void {
    if (typeof t === 'number') { this.#calls!.observe(this.#block, this.#shapes!.block, this.#inCore!.block, t, ms); return; }
    this.#observeHost(t as Ticket, ms);
  }

  #observeHost(t: Ticket, ms: number): void {
    if (!(ms > 0 && ms <= MAX_MS)) { t.record.ms = NaN; this.#counts.dropped++; return; }
    t.record.ms = ms;
    if (t.serialN >= HISTORY.minN) this.#calls?.history(t.record.key, (ms * 1e6) / t.serialN);
    if (this.#block === 0) return;
    if (t.reused !== true) this.#learn(t, ms);
    else if (t.row >= 0) this.#seen(t, ms);
  }


  /**
   * A reused call's time, into its shape's row, in one call into the core (assembly/learn/reuse.ts):
   * the call and the route's mean at the shape, as it moved it, against the lead the decision was made
   * by (reuseHolds) — checked on the last reused call too, whose ticket took the count to 0: a lead lost
   * there ends the streak.
   */
  #seen(t: Ticket, ms: number): void {
    const calls = this.#calls!, row = t.row;
    if (calls.gen(row) !== t.gen) return;   // the row went to another shape meanwhile
    // the shape decided again since: the time goes to the row, and judges no later decision
    if (calls.seq(row) !== t.seq) { this.#shapes!.observe(row, ROUTES.indexOf(t.choice.route), log2(ms * 1000) - t.log2n, t.lim); return; }
    const holds = this.#core!.x.reuseSeen(this.#shapes!.block, row, ROUTES.indexOf(t.choice.route), log2(ms * 1000) - t.log2n, t.lim, calls.at(row), calls.held(row), REUSE.lead, REUSE.drift);
    if (holds === 0) calls.endReuse(row);
  }

  /** A decided call's time, into the chosen route's model, its error as a prior, and the shape's row. */
  #learn(t: Ticket, ms: number): void {
    const core = this.#core!, b = this.#block;
    this.#f32.set(t.x, this.#fx);
    const o = ROUTES.indexOf(t.choice.route), y = log2(ms * 1000);
    const r = core.x.routerUpdate(b, o, y - t.base);
    if (r === 1) {
      this.#counts.observed++;
      // the model's error before this call: a running mean of its square, then an EMA (ERR_GAIN)
      // (where the core decides, its own routeCallError, so a call routed there and one routed here keep the same)
      const e = y - t.mean, calls = this.#calls!;
      if (this.#inCore !== undefined) core.x.routeCallError(calls.block, this.#inCore.block, o, e);
      else if (Number.isFinite(e)) {
        const m = calls.errN(o) + 1, g = Math.max(1 / m, ERR_GAIN);
        calls.setErr(o, calls.errVar(o) + g * (e * e - calls.errVar(o)), m);
        this.#spreadOf(o);
      }
    }
    // the shape's row, unless the core refused the features (not finite: the call's shape is not either)
    if (r === 1 && t.row >= 0) this.#shapes!.observe(t.row, o, y - t.log2n, t.lim);
  }

  /** What routing call `t` took (ms): its route's choice and its observation, as the caller timed them. */
  spent(t: RouteTicket, ms: number): void {
    if (!(ms >= 0 && ms <= MAX_MS)) return;
    const i = (typeof t === 'number' ? (t & 256) !== 0 : (t as Ticket).reused) ? 2 : 0;
    this.#spent[i]++;
    this.#spent[i + 1] += ms;
  }

  /** executor.placement(). */
  inspect(): PlacementView {
    const core = this.#core, b = this.#block;
    const counts = { ...this.#counts };
    this.#calls?.addCounts(counts);
    if (core !== undefined) {
      counts.refused = core.u32[(b + core.L.RB_refused) >> 2];
      counts.diverged = core.u32[(b + core.L.RB_diverged) >> 2];
    }
    const models = b === 0 ? [] : ROUTES.map((route, o) => {
      const s = this.#model(o);
      return { route, samples: s.samples, sd: Math.sqrt(Math.max(0, s.resVar)), spread: Math.sqrt(s.errN! > 0 ? s.errVar! : ROUTER.p0), weights: s.w };
    });
    const sp = this.#spent;
    const routing = { decided: { calls: sp[0], ms: sp[1] }, reused: { calls: sp[2], ms: sp[3] } };
    return { enabled: b !== 0, counts, models, history: this.#calls?.histories() ?? Object.fromEntries(this.#restored), routing, shapes: this.#shapes?.size ?? 0,
      last: Array.from({ length: this.#lastCount }, (_, i) => this.#last[(this.#lastAt - this.#lastCount + i + KEPT_DECISIONS) % KEPT_DECISIONS]!)
        .map((k) => (typeof k === 'number' ? this.#calls!.record(k) : k))
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
      route: ROUTES[o], samples: core.u32[(m + core.L.RM_samples) >> 2], resVar: f[(m + core.L.RM_resVar) >> 2], errVar: this.#calls!.errVar(o), errN: this.#calls!.errN(o),
      w: [...f.subarray(w0, w0 + FEATURES)], support: [...f.subarray(w0 + FEATURES, w0 + 2 * FEATURES)],
      p: [...f.subarray(w0 + 2 * FEATURES, w0 + 2 * FEATURES + FEATURES * FEATURES)],
    };
  }

  snapshot(): RouterSnapshot {
    return { models: this.#block === 0 ? [] : ROUTES.map((_, o) => this.#model(o)), history: this.#calls?.histories() ?? Object.fromEntries(this.#restored), shapes: this.#shapes?.snapshot() ?? [] };
  }

  /** Warm start: sets the models and history a snapshot holds; returns how many models it set (entries not finite are skipped). */
  restore(s: RouterSnapshot | undefined): number {
    if (s === undefined) return 0;
    if (typeof s !== 'object' || s === null || !Array.isArray(s.models)) {
      throw new TypeError(messages.argType('executor.models.restore(snapshot): snapshot.router', 'what executor.models.snapshot() returned', s));
    }
    const calls = this.#calls;
    for (const [k, v] of Object.entries(s.history ?? {})) {
      if (typeof v === 'number' && v > 0 && Number.isFinite(v)) { if (calls !== undefined) calls.setHistory(k, v); else this.#restored.set(k, v); }
    }
    if (this.#block === 0 || calls === undefined) return 0;
    calls.forgetReuse(ROUTER.shapes);
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
      calls.setErr(o, errs ? m.errVar! : 0, errs ? m.errN! : 0);
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
    this.#calls?.reset();
    this.#restored.clear();
    for (let o = 0; o < ROUTES.length; o++) this.#spreadOf(o);
    this.#counts = ZERO_COUNTS();
    this.#spent.fill(0);
    this.#last.fill(undefined); this.#lastAt = 0; this.#lastCount = 0;
  }
}
