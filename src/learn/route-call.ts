// The call block of the placement router (assembly/learn/route-call.ts), on the host: the state a
// routed call needs wherever it is routed — the shapes' settled decisions (per row), each op's cost
// per element (per op id), each model's errors as a prior, the exploration draws, the rows' last use
// — kept once, in the core's memory, so that a call routed in the core (fast: one call in, one call
// to observe) and one routed on the host (learn/router.ts reused and decide) read and write the same.
// Also the core's tickets: their numbers, what they say (view), and the decisions they keep (record).
// Host thread only, like learn/router.ts, which owns it.
import type { SharedCore } from '../engine/memory.js';
import { messages } from '../messages.js';
import { FEATURES, FEATURE_FLAGS, KINDS, ROUTES, type Route, type RouteChoice, type RouteInput } from '../policy/router.js';
import { REUSE } from '../policy/route-reuse.js';

/** The core's reasons by code (assembly/learn/route-decide.ts), and a reused call's (5). */
export const REASONS: readonly RouteChoice['reason'][] = ['learned', 'static', 'fallback', 'explore', 'invalid'];
const REUSED = 5;
/** A ticket's number: its call's tag × 512 + route | reason << 4 | 256 where reused; tags wrap at 2^22 (the ticket stays under 2^31). */
const TAG_SPAN = 1 << 22;
/** The software adapter's bit past the choices' (assembly/learn/route-decide.ts SOFTWARE). */
const SOFTWARE_BIT = 1 << ROUTES.length;
/** Per row (assembly/learn/route-call.ts R_ offsets, bytes). */
const R_left = 0, R_streak = 4, R_ended = 8, R_route = 12, R_has = 16, R_gen = 20, R_reason = 24, R_fallback = 28, R_mask = 32, R_seq = 36,
  R_at = 40, R_margin = 48, R_lim = 56, R_confidence = 64, R_lead = 72, R_x = 80, R_said = 176;
/** Per slot (ST_ offsets, bytes). */
const ST_x = 0, ST_said = 96, ST_base = 168, ST_prior = 176, ST_lim = 184, ST_n = 200, ST_confidence = 208, ST_margin = 216,
  ST_ms = 224, ST_row = 236, ST_reason = 248, ST_id = 252, ST_fallback = 256, ST_mask = 260;
/** The counts the core keeps (C_ order). */
const C_decisions = 5, C_reused = 6, C_observed = 7, C_dropped = 8;

/** A settled decision as a row holds it (what policy/route-reuse.ts streakAfter reads). */
export interface RowReuse { route: Route; streak: number; ended: boolean }

/** What a core ticket says, as the host's Ticket does (test/router-core.test.mjs compares them). */
export interface CoreTicketView {
  choice: RouteChoice; lim: number; mean: number; row: number; reused: boolean;
  record: { said: Float64Array; mask: number };
}

/** A kept decision of the core's, as executor.placement() shows one (learn/router.ts PlacementDecision). */
export interface CoreRecord {
  call: string; key: string; n: number; route: Route; reason: RouteChoice['reason'] | 'reused'; confidence: number; fallback: Route;
  ms: number | undefined; x: Float32Array; said: Float64Array; mask: number;
}

export class CallBlock {
  readonly #core: SharedCore;
  readonly #s: number;
  readonly #i32: Int32Array;
  readonly #u32: Uint32Array;
  readonly #f64: Float64Array;
  readonly #f32: Float32Array;
  readonly #rand: number;     // u32 index
  readonly #counts: number;   // u32 index
  readonly #hist: number;     // f64 index
  readonly #err: number;      // f64 index
  readonly #rows: number;     // bytes
  readonly #slots: number;    // bytes
  readonly #rowBytes: number;
  readonly #slotBytes: number;
  readonly #slotCount: number;
  /** Op ids: an op key's number, given at its first call; those past `ids` are routed on the host, their history kept here. */
  readonly ids: number;
  readonly #id = new Map<string, number>();
  readonly #keys: string[] = [];
  readonly #historyFar = new Map<string, number>();
  #tag = 0;
  /** The rows' last use and the use count, the next row never used (learn/shapes.ts ShapeHooks). */
  readonly used: Float64Array;
  readonly clock: Float64Array;
  readonly next: Uint32Array;
  /** The families' places (learn/shapes.ts ShapeHooks.places): the table's base, those handed out, those freed and their stack. */
  readonly places: Uint32Array;
  /** The log of rows the core gave to new shapes (u32 index: its length, then the next row, then the entries). */
  readonly #made: number;
  /** The families by op id and choices open (u32 index; 4 words each, the first its place). */
  readonly #fam: number;

  constructor(core: SharedCore, rows: number) {
    const x = core.x, size = x.routeCallSize();
    if (x.routeCallDim(1) !== rows) throw new Error(messages.routeCallLayout('shape rows', x.routeCallDim(1), rows));
    const s = core.alloc(size);
    core.ensure(s, size);
    core.u8.fill(0, s, s + size);
    this.#core = core; this.#s = s;
    const buf = core.u8.buffer;
    this.#i32 = new Int32Array(buf); this.#u32 = new Uint32Array(buf); this.#f32 = new Float32Array(buf);
    this.#f64 = new Float64Array(buf, 0, buf.byteLength >> 3);
    const params = [REUSE.support, REUSE.shortUs, REUSE.wide, REUSE.earlySupport, REUSE.earlyCalls, REUSE.calls, REUSE.least, REUSE.decideUs,
      REUSE.share, REUSE.drift, REUSE.lead, REUSE.blind, REUSE.grow, HISTORY.minN, HISTORY.down, HISTORY.up, HISTORY.maxMs, HISTORY.errGain];
    if (params.length !== x.routeCallDim(5)) throw new Error(messages.routeCallLayout('parameters', x.routeCallDim(5), params.length));
    this.#f64.set(params, x.routeCallAt(s, 0) >> 3);
    this.#rand = x.routeCallAt(s, 1) >> 2; this.#counts = x.routeCallAt(s, 2) >> 2;
    this.clock = this.#f64.subarray(x.routeCallAt(s, 3) >> 3, (x.routeCallAt(s, 3) >> 3) + 1);
    this.used = this.#f64.subarray(x.routeCallAt(s, 4) >> 3, (x.routeCallAt(s, 4) >> 3) + rows);
    this.#hist = x.routeCallAt(s, 5) >> 3; this.#err = x.routeCallAt(s, 6) >> 3;
    this.#rows = x.routeCallAt(s, 7); this.#slots = x.routeCallAt(s, 8);
    this.#made = x.routeCallAt(s, 9) >> 2;
    this.next = this.#u32.subarray(this.#made + 1, this.#made + 2);
    this.places = this.#u32.subarray(x.routeCallAt(s, 10) >> 2, (x.routeCallAt(s, 10) >> 2) + 3 + rows);
    this.#fam = x.routeCallAt(s, 11) >> 2;
    this.ids = x.routeCallDim(0); this.#slotCount = x.routeCallDim(2); this.#rowBytes = x.routeCallDim(3); this.#slotBytes = x.routeCallDim(4);
  }

  get block(): number { return this.#s; }

  /** The exploration draw (policy/router.ts xorshift), on the state the core's draws share. */
  draw(): number {
    const i = this.#rand;
    let s = this.#u32[i];
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    this.#u32[i] = s;
    return s / 2 ** 32;
  }

  seed(seed: number): void { this.#u32[this.#rand] = (seed >>> 0) || 0x2545f491; }

  /**
   * The rows the core gave to new shapes since the last call, in order, each handed to `adopt` with
   * its op key, size class and choices open (assembly/learn/route-call.ts made: row | class << 8 |
   * choices << 14 | op id << 17) and its family's place (the core may have made the family too); the
   * log emptied.
   */
  takeMade(adopt: (key: string, size: number, mask: number, row: number, at: number) => void): void {
    const i = this.#made, n = this.#u32[i];
    if (n === 0) return;
    this.#u32[i] = 0;
    for (let k = 0; k < n; k++) {
      const e = this.#u32[i + 2 + k], id = e >>> 17, mask = (e >>> 14) & 7;
      adopt(this.#keys[id], (e >>> 8) & 63, mask, e & 255, this.#u32[this.#fam + ((id * 8 + mask) << 2)]);
    }
  }

  /** Op `key`'s id, given now if it has none (`make`); -1 for none. */
  idOf(key: string, make = true): number {
    let id = this.#id.get(key);
    if (id === undefined) {
      if (!make) return -1;
      this.#id.set(key, (id = this.#keys.length));
      this.#keys.push(key);
    }
    return id;
  }

  /** Op `key`'s measured cost per element (ns), 0 before any. */
  historyNs(key: string): number {
    const id = this.#id.get(key);
    return id !== undefined && id < this.ids ? this.#f64[this.#hist + id] : this.#historyFar.get(key) ?? 0;
  }

  /** A serial call's cost per element (ns) into op `key`'s history (the core's EMA, assembly/learn/route-call.ts routeCallHistory). */
  history(key: string, ns: number): void {
    const id = this.idOf(key);
    if (id < this.ids) { this.#core.x.routeCallHistory(this.#s, id, ns); return; }
    const h = this.#historyFar.get(key);
    this.#historyFar.set(key, h === undefined ? ns : h + (ns < h ? HISTORY.down : HISTORY.up) * (ns - h));
  }

  /** Sets op `key`'s history (a snapshot's). */
  setHistory(key: string, ns: number): void {
    const id = this.idOf(key);
    if (id < this.ids) this.#f64[this.#hist + id] = ns; else this.#historyFar.set(key, ns);
  }

  /** Every op's measured cost per element (ns), where measured. */
  histories(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let id = 0; id < Math.min(this.ids, this.#keys.length); id++) if (this.#f64[this.#hist + id] > 0) out[this.#keys[id]] = this.#f64[this.#hist + id];
    for (const [k, v] of this.#historyFar) out[k] = v;
    return out;
  }

  /** Model o's errors as a prior: their mean square, and how many (set them with `set`). */
  errVar(o: number): number { return this.#f64[this.#err + o]; }
  errN(o: number): number { return this.#f64[this.#err + ROUTES.length + o]; }
  setErr(o: number, v: number, n: number): void { this.#f64[this.#err + o] = v; this.#f64[this.#err + ROUTES.length + o] = n; }

  /** The core's counts, added to `c` (learn/router.ts PlacementView.counts). */
  addCounts(c: { decisions: number; reused: number; observed: number; dropped: number } & Record<RouteChoice['reason'], number>): void {
    const u = this.#u32, at = this.#counts;
    for (let r = 0; r < REASONS.length; r++) c[REASONS[r]] += u[at + r];
    c.decisions += u[at + C_decisions]; c.reused += u[at + C_reused]; c.observed += u[at + C_observed]; c.dropped += u[at + C_dropped];
  }

  /** Forgets the counts, the histories and the errors (the rows' reuse goes with the rows: learn/shapes.ts reset). */
  reset(): void {
    this.#u32.fill(0, this.#counts, this.#counts + C_dropped + 1);
    this.#f64.fill(0, this.#hist, this.#hist + this.ids);
    this.#historyFar.clear();
    this.#f64.fill(0, this.#err, this.#err + 2 * ROUTES.length);
  }

  /** Every row's reuse forgotten (a restored snapshot's shapes are measured anew). */
  forgetReuse(rows: number): void { for (let r = 0; r < rows; r++) this.#core.x.routeRowReset(this.#s, r); }

  /** Row `row`'s settled decision, if it holds one (policy/route-reuse.ts streakAfter), and its calls left. */
  rowReuse(row: number): RowReuse | undefined {
    const a = this.#rows + row * this.#rowBytes, i = this.#i32;
    return i[(a + R_has) >> 2] !== 0 ? { route: ROUTES[i[(a + R_route) >> 2]], streak: i[(a + R_streak) >> 2], ended: i[(a + R_ended) >> 2] !== 0 } : undefined;
  }

  /** Takes one of row `row`'s reused calls: false where none is left. */
  takeReuse(row: number): boolean {
    const at = (this.#rows + row * this.#rowBytes + R_left) >> 2, left = this.#i32[at];
    if (left <= 0) return false;
    this.#i32[at] = left - 1;
    return true;
  }

  /** Row `row`'s settled decision as its reused calls show it: the deciding call's choice, static rule's choice, choices open, features and what it said. */
  settledAt(row: number): { choice: RouteChoice; fallback: Route; mask: number; x: Float32Array; said: Float64Array } {
    const a = this.#rows + row * this.#rowBytes, i = this.#i32, f = this.#f64;
    const reason = REASONS[i[(a + R_reason) >> 2]], route = ROUTES[i[(a + R_route) >> 2]], confidence = f[(a + R_confidence) >> 3];
    return {
      choice: reason === 'learned' ? { route, reason, confidence, margin: f[(a + R_lead) >> 3] } : { route, reason, confidence },
      fallback: ROUTES[i[(a + R_fallback) >> 2]], mask: i[(a + R_mask) >> 2],
      x: this.#f32.slice((a + R_x) >> 2, ((a + R_x) >> 2) + FEATURES), said: f.slice((a + R_said) >> 3, ((a + R_said) >> 3) + 3 * ROUTES.length),
    };
  }

  /** The number of decisions made at row `row` (a reused call observed after another judges nothing). */
  seq(row: number): number { return this.#u32[(this.#rows + row * this.#rowBytes + R_seq) >> 2]; }

  /** Row `row`'s generation (it moves on when the row goes to another shape), and the settled decision's clip. */
  gen(row: number): number { return this.#u32[(this.#rows + row * this.#rowBytes + R_gen) >> 2]; }
  lim(row: number): number { return this.#f64[(this.#rows + row * this.#rowBytes + R_lim) >> 3]; }

  /**
   * Row `row` settles a host decision for `reuses` calls (0: it holds none): as the core's routeCall
   * writes one, from the deciding call's choice, its features and what it said of each choice.
   */
  settle(row: number, reuses: number, r: { choice: RouteChoice; streak: number; at: number; held: number; lim: number; fallback: Route; mask: number; x: Float32Array; said: Float64Array }): void {
    const a = this.#rows + row * this.#rowBytes, i = this.#i32, f = this.#f64;
    this.#u32[(a + R_seq) >> 2]++;   // a decision at the row: reused calls of an earlier one judge it no more
    if (reuses <= 0) { i[(a + R_has) >> 2] = 0; return; }
    i[(a + R_left) >> 2] = reuses; i[(a + R_streak) >> 2] = r.streak; i[(a + R_ended) >> 2] = 0; i[(a + R_route) >> 2] = ROUTES.indexOf(r.choice.route);
    i[(a + R_has) >> 2] = 1; i[(a + R_reason) >> 2] = REASONS.indexOf(r.choice.reason as RouteChoice['reason']);
    i[(a + R_fallback) >> 2] = ROUTES.indexOf(r.fallback); i[(a + R_mask) >> 2] = r.mask;
    f[(a + R_at) >> 3] = r.at; f[(a + R_margin) >> 3] = r.held; f[(a + R_lim) >> 3] = r.lim; f[(a + R_confidence) >> 3] = r.choice.confidence;
    f[(a + R_lead) >> 3] = r.choice.margin ?? NaN;
    this.#f32.set(r.x, (a + R_x) >> 2);
    if (r.said.length > 0) f.set(r.said, (a + R_said) >> 3); else f.fill(0, (a + R_said) >> 3, ((a + R_said) >> 3) + 3 * ROUTES.length);
  }

  /** A reused call's time lost its settled decision's lead (policy/route-reuse.ts reuseHolds): the reuse ends. */
  endReuse(row: number): void {
    const a = this.#rows + row * this.#rowBytes;
    if (this.#i32[(a + R_ended) >> 2] !== 0) return;
    this.#i32[(a + R_left) >> 2] = 0; this.#i32[(a + R_ended) >> 2] = 1;
  }

  /** The settled decision's mean at the shape (log2 per element) when decided, and the lead it is held to. */
  at(row: number): number { return this.#f64[(this.#rows + row * this.#rowBytes + R_at) >> 3]; }
  held(row: number): number { return this.#f64[(this.#rows + row * this.#rowBytes + R_margin) >> 3]; }

  /**
   * Routes a call in the core (assembly/learn/route-call.ts routeCall) over the router's block `r`, the
   * shape table's `b` and the decision block `d`: a ticket number, or -1 where the host routes it.
   */
  route(r: number, b: number, d: number, key: string, n: number, mask: number, fallback: Route, kind: RouteInput['kind'], bytes: number, nsPerItem: number,
    workers: number, awake: number, device: boolean, software: boolean): number {
    const id = this.#id.get(key);
    if (id === undefined || id >= this.ids) return -1;
    const tag = this.#tag;
    const c = this.#core.x.routeCall(r, b, d, this.#s, id, mask | (software ? SOFTWARE_BIT : 0), ROUTES.indexOf(fallback), n, bytes, KINDS.indexOf(kind), nsPerItem,
      workers, awake, (device ? FEATURE_FLAGS.device : 0) | (software ? FEATURE_FLAGS.software : 0), tag);
    if (c < 0) return -1;
    this.#tag = (tag + 1) % TAG_SPAN;
    return tag * 512 + c;
  }

  /** Ticket `t`'s time (ms) folded in (routeObserve): false where it was dropped. */
  observe(r: number, b: number, d: number, t: number, ms: number): boolean { return this.#core.x.routeObserve(r, b, d, this.#s, Math.floor(t / 512), ms) === 1; }

  #slot(t: number): number { return this.#slots + (Math.floor(t / 512) % this.#slotCount) * this.#slotBytes; }

  /** What ticket `t` says, as the host's tickets do. */
  view(t: number): CoreTicketView {
    const a = this.#slot(t), f = this.#f64, i = this.#i32, reused = (t & 256) !== 0;
    const reason = REASONS[reused ? f[(a + ST_base) >> 3] : i[(a + ST_reason) >> 2]], m = f[(a + ST_margin) >> 3];
    const choice: RouteChoice = { route: ROUTES[t & 15], reason, confidence: f[(a + ST_confidence) >> 3], ...(reason === 'learned' && { margin: m }) };
    return { choice, lim: f[(a + ST_lim) >> 3], mean: f[(a + ST_prior) >> 3], row: i[(a + ST_row) >> 2], reused,
      record: { said: f.slice((a + ST_said) >> 3, ((a + ST_said) >> 3) + 3 * ROUTES.length), mask: i[(a + ST_mask) >> 2] } };
  }

  /** Ticket `t`'s kept decision (a copy), while its slot is still its own. */
  record(t: number): CoreRecord {
    const a = this.#slot(t), f = this.#f64, i = this.#i32;
    const key = this.#keys[i[(a + ST_id) >> 2]] ?? '', ms = f[(a + ST_ms) >> 3], reason = i[(a + ST_reason) >> 2];
    return {
      call: key.slice(0, key.indexOf(':')), key, n: f[(a + ST_n) >> 3], route: ROUTES[t & 15], reason: reason === REUSED ? 'reused' : REASONS[reason],
      confidence: f[(a + ST_confidence) >> 3], fallback: ROUTES[i[(a + ST_fallback) >> 2]], ms: ms < 0 ? undefined : ms,
      x: this.#f32.slice((a + ST_x) >> 2, ((a + ST_x) >> 2) + FEATURES), said: f.slice((a + ST_said) >> 3, ((a + ST_said) >> 3) + 3 * ROUTES.length), mask: i[(a + ST_mask) >> 2],
    };
  }
}

/**
 * The history's and the observation's constants: a serial call of minN elements or more measures its op's
 * cost per element, an EMA that follows a cheaper measurement fast (down) and a dearer one slowly (up);
 * a call time outside (0, maxMs] ms is a clock that jumped; errGain the least gain of the models' error
 * EMA (policy/router.ts RouteView.spread: about the last 1 / errGain calls).
 */
export const HISTORY = Object.freeze({ minN: 1 << 16, down: 0.5, up: 0.1, maxMs: 3_600_000, errGain: 0.05 });
