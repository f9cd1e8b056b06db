// A routed call in the core (src/learn/router.ts fast): the shape's row from its family (a new shape's
// row, and a known op's new family, made here and logged for the host's shape table), the settled
// decision it may reuse, the features, the decision (route-decide.ts) and the reuse that follows it,
// its ticket and kept record — one call into the core; then its observation in one more. The host's
// path (learn/router.ts reused and decide, over the pure policies) stays the specification:
// test/router-core.test.mjs has a router routing here and one routing on the host make the same
// decisions over random runs. Run here because between the calls of a mixed workload the host's path
// ran cold and, for its first several hundred calls, unoptimized: in the placement bench a decided
// call's routing took 81–106 µs on the host, 38–51 µs here (bench/RESULTS.md, "The routed call in the
// core").
//
// The call block (routeCallSize bytes, host-allocated, 8-byte aligned), owner-only like the router's
// block: the host thread routes, times and observes; no other thread reads it. Its regions (each
// with an accessor the host reads once):
//   params   f64[P_COUNT]: the reuse rule's parameters and the history's (host-written once, P_ order)
//   rand     u32: the xorshift32 state of the exploration draws (the host's draws use it too)
//   counts   u32[C_COUNT]: what this path decided, reused, observed and dropped (C_ order)
//   clock    f64: the shape table's use count (learn/shapes.ts rowOf stamps rows with it)
//   used     f64[ROWS]: each row's last use
//   fam      per op id and choices open, 16 bytes: the address of its family's rows (i16 per size class; 0: no
//            family there), lo, hi
//   rows     per row, ROW_BYTES: its settled decision's reuse (R_ fields) and its generation
//   hist     f64[IDS]: each op id's measured cost per element on the calling thread (ns; 0 before any)
//   err      f64[3] the mean square of each model's errors as a prior, f64[3] how many
//   slots    SLOTS tickets of ST_ fields, a ring: a routed call's ticket, its kept record
//   made     u32 entries, u32 next, u32[ROWS]: the rows this path gave to new shapes since the host last
//            took them (each row | size class << 8 | choices << 14 | op id << 17), and the next row never
//            used (the host's rows in use while the table has a free one: learn/shapes.ts rowOf)
//   places   u32 base, used, free, u32[ROWS]: the families' places (CLASSES i16 each from base; the host
//            writes base): how many were handed out, and a stack of those freed (learn/shapes.ts)
import { RouterBlock } from "../layout";
import { routeDecide, routeDecideOut, routeDecideSpreads, fexp } from "./route-decide";
import { routeFeatures, log2 } from "./route-features";
import { routerUpdate } from "./router";
import { shapeObserve } from "./shapes";
import { reuseSeen } from "./reuse";
import { queuedLength } from "../tasks";

/** Op ids, choice masks, shape rows (ROUTER.shapes) and ticket slots the block holds. */
const IDS: u32 = 256, MASKS: u32 = 8, ROWS: u32 = 256, SLOTS: u32 = 256, OPTIONS: u32 = 3, CLASSES: i32 = 64;
const SERIAL: u32 = 0, GPU_BIT: u32 = 4, SOFTWARE: u32 = 8;
// The parameters (policy/route-reuse.ts REUSE, learn/router.ts HISTORY_*, MAX_MS, ERR_GAIN).
const P_support = 0, P_shortUs = 1, P_wide = 2, P_earlySupport = 3, P_earlyCalls = 4, P_calls = 5, P_least = 6, P_decideUs = 7,
  P_share = 8, P_drift = 9, P_lead = 10, P_blind = 11, P_grow = 12, P_historyMinN = 13, P_historyDown = 14, P_historyUp = 15,
  P_maxMs = 16, P_errGain = 17;
/** Parameters the host writes (count_RouteCallParams). */
export const ROUTE_CALL_PARAMS: u32 = 18;
// The counts (u32): decisions by reason (LEARNED 0, STATIC 1, FALLBACK 2, EXPLORE 3, INVALID 4), decisions, reused, observed, dropped.
const C_reasons = 0, C_decisions = 5, C_reused = 6, C_observed = 7, C_dropped = 8;
const C_COUNT: u32 = 9;
// A row's reuse (policy/route-reuse.ts; learn/router.ts Settled): calls left, streak, ended, route, whether the row holds one, the
// row's generation, and the deciding call's reason, fallback and mask; at, the lead held (heldLead), lim, the deciding call's
// confidence and lead; its features and what it said of each choice (a reused call's record shows them).
// R_seq: one more at each decision at the row: a reused call observed after a later decision there ends nothing.
const R_left = 0, R_streak = 4, R_ended = 8, R_route = 12, R_has = 16, R_gen = 20, R_reason = 24, R_fallback = 28, R_mask = 32, R_seq = 36,
  R_at = 40, R_margin = 48, R_lim = 56, R_confidence = 64, R_lead = 72, R_x = 80, R_said = 176;
const ROW_BYTES: usize = 248;
// A slot: features f32[24]; said f64[9] (per choice: prediction, shape mean, count); base, prior, lim, log2n, n, confidence, margin, ms;
// tag (the call's number), row, its generation, route, reason (REUSED for a reused call), op id, fallback, mask.
const ST_x = 0, ST_said = 96, ST_base = 168, ST_prior = 176, ST_lim = 184, ST_log2n = 192, ST_n = 200, ST_confidence = 208, ST_margin = 216,
  ST_ms = 224, ST_tag = 232, ST_row = 236, ST_gen = 240, ST_route = 244, ST_reason = 248, ST_id = 252, ST_fallback = 256, ST_mask = 260, ST_seq = 264;
const SLOT_BYTES: usize = 272;
const DIM: u32 = 24;
/** A reused call's reason in its slot (the decisions' reasons are 0–4). */
const REUSED: i32 = 5;
const LEARNED: u32 = 0;

const PARAMS: usize = 0, RAND: usize = PARAMS + (<usize>ROUTE_CALL_PARAMS << 3), COUNTS: usize = RAND + 8,
  CLOCK: usize = (COUNTS + (<usize>C_COUNT << 2) + 7) & ~<usize>7, USED: usize = CLOCK + 8, FAM: usize = USED + (<usize>ROWS << 3),
  ROW0: usize = FAM + (<usize>IDS * MASKS << 4), HIST: usize = ROW0 + <usize>ROWS * ROW_BYTES, ERR: usize = HIST + (<usize>IDS << 3),
  SLOT0: usize = ERR + (<usize>OPTIONS << 4), MADE: usize = SLOT0 + <usize>SLOTS * SLOT_BYTES, PLACES: usize = MADE + 8 + (<usize>ROWS << 2),
  END: usize = PLACES + 12 + (<usize>ROWS << 2);

// @ts-ignore: decorator
@inline function k(s: usize, p: i32): f64 { return load<f64>(s + PARAMS + (<usize>p << 3)); }
// @ts-ignore: decorator
@inline function count(s: usize, c: i32): void { const a = s + COUNTS + (<usize>c << 2); store<u32>(a, load<u32>(a) + 1); }
// @ts-ignore: decorator
@inline function rowAt(s: usize, row: u32): usize { return s + ROW0 + <usize>row * ROW_BYTES; }
// @ts-ignore: decorator
@inline function slotAt(s: usize, slot: u32): usize { return s + SLOT0 + <usize>(slot & (SLOTS - 1)) * SLOT_BYTES; }

/** Bytes of a call block; where the host finds each region (routeCallAt: 0 params, 1 rand, 2 counts, 3 clock, 4 used, 5 hist, 6 err, 7 rows, 8 slots, 9 made, 10 places, 11 fam). */
export function routeCallSize(): usize { return END; }
export function routeCallAt(s: usize, region: u32): usize {
  switch (region) {
    case 0: return s + PARAMS; case 1: return s + RAND; case 2: return s + COUNTS; case 3: return s + CLOCK; case 4: return s + USED;
    case 5: return s + HIST; case 6: return s + ERR; case 7: return s + ROW0; case 8: return s + SLOT0; case 9: return s + MADE;
    case 10: return s + PLACES; default: return s + FAM;
  }
}
/** The block's sizes the host checks against its own: op ids, rows, slots, a row's and a slot's bytes, the parameters (0–5). */
export function routeCallDim(i: u32): u32 {
  return i == 0 ? IDS : i == 1 ? ROWS : i == 2 ? SLOTS : i == 3 ? <u32>ROW_BYTES : i == 4 ? <u32>SLOT_BYTES : ROUTE_CALL_PARAMS;
}

/** Owner: the family of op `id` with choices `mask` (its rows at `rows`, 0 where it has no place in the core; its span of classes [lo, hi)). */
export function routeFamily(s: usize, id: u32, mask: u32, rows: u32, lo: i32, hi: i32): void {
  if (id >= IDS || mask >= MASKS) return;
  const a = s + FAM + ((<usize>id * MASKS + mask) << 4);
  store<u32>(a, rows); store<i32>(a, lo, 4); store<i32>(a, hi, 8);
}

/** Owner: row `row` given to another shape, or emptied: its reuse forgotten, its generation moved on. */
export function routeRowReset(s: usize, row: u32): void {
  if (row >= ROWS) return;
  const a = rowAt(s, row), gen = load<u32>(a, R_gen);
  memory.fill(a, 0, ROW_BYTES);
  store<u32>(a, gen + 1, R_gen);
}

/** The exploration draw (policy/router.ts xorshift: xorshift32, Marsaglia 2003), from the block's state. */
function draw(s: usize): f64 {
  let x = load<u32>(s + RAND);
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  store<u32>(s + RAND, x);
  return <f64>x / 4294967296.0;
}

/**
 * Owner: routes a call — op `id`, choices `mask` (a bit per ROUTES index; SOFTWARE: the GPU is a
 * software adapter), the static rule's `fallback`, n elements of `bytes` bytes, op class `kind`, the
 * kernels' assumed ns per element, workers and those awake, the device flags of route-features.ts —
 * into ticket `tag` (its slot: tag mod SLOTS). -1 where the host routes it (an op id past the table,
 * a hardware GPU open, a size class past the table's, a new shape with no row left free or a new
 * family with no place: learn/router.ts decides it there; an op never seen has no id yet); else
 * the route | reason << 4 | 256 for a call that reused its shape's settled decision.
 */
export function routeCall(r: usize, b: usize, d: usize, s: usize, id: u32, mask: u32, fallback: u32, n: f64, bytes: f64, kind: i32,
  nsPerItem: f64, workers: f64, awake: f64, flags: u32, tag: u32): i32 {
  const choices = mask & 7;
  if (id >= IDS || ((choices & GPU_BIT) != 0 && (mask & SOFTWARE) == 0)) return -1;
  const fa = s + FAM + ((<usize>id * MASKS + choices) << 4);
  let fam = <usize>load<u32>(fa);
  const log2n = log2(n), c = <i32>Math.round(log2n);
  if (!(c >= 0 && c < CLASSES)) return -1;
  if (fam == 0) {
    // a known op's first call with these choices: its family takes a place here, as learn/shapes.ts
    // newFamily does (a freed one first), while a row is free for the shape; the host adopts it with the row
    const free = load<u32>(s + PLACES, 8), used = load<u32>(s + PLACES, 4);
    if (load<u32>(s + MADE, 4) >= ROWS || (free == 0 && used >= ROWS)) return -1;
    if (free > 0) { fam = <usize>load<u32>(s + PLACES + 12 + (<usize>(free - 1) << 2)); store<u32>(s + PLACES, free - 1, 8); }
    else { fam = <usize>load<u32>(s + PLACES) + <usize>used * (<usize>CLASSES << 1); store<u32>(s + PLACES, used + 1, 4); }
    memory.fill(fam, 0xff, <usize>CLASSES << 1);   // every class without a row (-1)
    store<u32>(fa, <u32>fam); store<i32>(fa, c, 4); store<i32>(fa, c + 1, 8);
  }
  let row = <i32>load<i16>(fam + (<usize>c << 1));
  if (row < 0) {
    // a new shape of a known family takes the next row never used, as learn/shapes.ts rowOf does; the
    // host adopts it from the log (the least recently used row, when none is free, is the host's to give)
    const next = load<u32>(s + MADE, 4);
    if (next >= ROWS) return -1;
    row = <i32>next;
    store<u32>(s + MADE, next + 1, 4);
    store<i16>(fam + (<usize>c << 1), <i16>row);
    if (c < load<i32>(fa, 4)) store<i32>(fa, c, 4);
    if (c + 1 > load<i32>(fa, 8)) store<i32>(fa, c + 1, 8);
    const m = load<u32>(s + MADE);
    store<u32>(s + MADE + 8 + (<usize>m << 2), next | (<u32>c << 8) | (choices << 14) | (id << 17));
    store<u32>(s + MADE, m + 1);
  }
  if (<u32>row >= ROWS) return -1;
  const rs = rowAt(s, row), t = slotAt(s, tag);
  store<u32>(t, tag, ST_tag); store<i32>(t, row, ST_row); store<u32>(t, load<u32>(rs, R_gen), ST_gen); store<u32>(t, id, ST_id);
  store<f64>(t, log2n, ST_log2n); store<f64>(t, n, ST_n); store<f64>(t, -1, ST_ms);
  store<u32>(t, fallback, ST_fallback); store<u32>(t, choices, ST_mask);
  // a settled decision: the shape's next calls take it (learn/router.ts reused)
  const left = load<i32>(rs, R_left);
  if (left > 0) {
    store<i32>(rs, left - 1, R_left);
    store<u32>(t, load<u32>(rs, R_seq), ST_seq);
    count(s, C_reused);
    const route = load<i32>(rs, R_route);
    store<f64>(t, load<f64>(rs, R_lim), ST_lim); store<i32>(t, route, ST_route); store<i32>(t, REUSED, ST_reason);
    store<f64>(t, load<f64>(rs, R_confidence), ST_confidence); store<f64>(t, load<f64>(rs, R_lead), ST_margin);
    store<u32>(t, load<u32>(rs, R_fallback), ST_fallback); store<u32>(t, load<u32>(rs, R_mask), ST_mask);
    memory.copy(t + ST_x, rs + R_x, <usize>DIM << 2); memory.copy(t + ST_said, rs + R_said, 72);
    store<f64>(t, NaN, ST_prior); store<f64>(t, <f64>load<i32>(rs, R_reason), ST_base);   // a reused ticket has no base: the field holds the deciding call's reason
    return route | 256;
  }
  // a decision (learn/router.ts decide): the clock stamps the row's use, as rowOf does
  const clock = load<f64>(s + CLOCK) + 1;
  store<f64>(s + CLOCK, clock); store<f64>(s + USED + (<usize>row << 3), clock);
  const u = draw(s), u2 = draw(s);
  const base = routeFeatures(r, n, bytes, kind, nsPerItem, load<f64>(s + HIST + (<usize>id << 3)), workers, awake, <f64>queuedLength(), flags);
  const choice = routeDecide(r, b, d, mask, fallback, row, fam, c, load<i32>(fa, 4), load<i32>(fa, 8), log2n, base, u, u2);
  const route = <i32>(choice & 15), reason = choice >> 4, out = routeDecideOut(d);
  const margin = load<f64>(out, 8), lim = load<f64>(out, 16), weight = load<f64>(out, 32), shapeMean = load<f64>(out, 40);
  count(s, C_decisions); count(s, <i32>reason);
  store<u32>(rs, load<u32>(rs, R_seq) + 1, R_seq);
  memory.copy(t + ST_x, r + offsetof<RouterBlock>(), <usize>DIM << 2);
  memory.copy(t + ST_said, out + 64, 72);
  store<f64>(t, base, ST_base); store<f64>(t, load<f64>(out, 24), ST_prior); store<f64>(t, lim, ST_lim);
  store<f64>(t, load<f64>(out), ST_confidence); store<f64>(t, margin, ST_margin);
  store<i32>(t, route, ST_route); store<i32>(t, <i32>reason, ST_reason);
  // the reuse (policy/route-reuse.ts settled, early, reuseCalls, streakAfter, heldLead)
  const callUs = fexp(shapeMean * Math.LN2);
  let streak: i32 = load<i32>(rs, R_has) != 0 && load<i32>(rs, R_ended) == 0 && load<i32>(rs, R_route) == route ? load<i32>(rs, R_streak) + 1 : 0;
  const led = reason == LEARNED && margin >= 0;
  const early = led && callUs < k(s, P_shortUs) && weight >= k(s, P_earlySupport);
  let reuses: i32 = 0;
  if (led && (weight >= k(s, P_support) || (early && margin >= k(s, P_wide)))) {
    if (callUs > 0 && callUs < Infinity) {
      const calls = streak > 0 ? k(s, P_calls) * <f64>(1 << <i32>Math.min(<f64>streak, k(s, P_grow))) : k(s, P_calls);
      reuses = <i32>Math.max(k(s, P_least), Math.min(calls, Math.ceil(k(s, P_decideUs) / (k(s, P_share) * callUs)) - 1));
    }
  } else if (early) { reuses = <i32>k(s, P_earlyCalls); streak = -1; }
  if (reuses > 0) {
    store<i32>(rs, reuses, R_left); store<i32>(rs, streak, R_streak); store<i32>(rs, 0, R_ended); store<i32>(rs, route, R_route); store<i32>(rs, 1, R_has);
    store<f64>(rs, shapeMean - log2n, R_at); store<f64>(rs, margin == Infinity ? k(s, P_blind) : margin, R_margin); store<f64>(rs, lim, R_lim);
    store<i32>(rs, <i32>reason, R_reason); store<u32>(rs, fallback, R_fallback); store<u32>(rs, choices, R_mask);
    store<f64>(rs, load<f64>(out), R_confidence); store<f64>(rs, margin, R_lead);
    memory.copy(rs + R_x, t + ST_x, <usize>DIM << 2); memory.copy(rs + R_said, t + ST_said, 72);
  } else store<i32>(rs, 0, R_has);
  return route | <i32>(reason << 4);
}

/** Owner: model o's error where it served as a prior (log2; learn/router.ts), into the mean square of its errors and its spread. */
export function routeCallError(s: usize, d: usize, o: u32, e: f64): void {
  if (!isFinite(e) || o >= OPTIONS) return;
  const sq = s + ERR + (<usize>o << 3), nn = sq + (<usize>OPTIONS << 3);
  const m = load<f64>(nn) + 1;
  store<f64>(nn, m);
  const g = Math.max(1 / m, k(s, P_errGain));
  const v = load<f64>(sq) + g * (e * e - load<f64>(sq));
  store<f64>(sq, v);
  store<f64>(routeDecideSpreads(d) + (<usize>o << 3), Math.sqrt(v));
}

/** Owner: op id's cost per element (ns) from a call on the calling thread: an EMA that follows a cheaper call fast, a dearer one slowly. */
export function routeCallHistory(s: usize, id: u32, ns: f64): void {
  if (id >= IDS) return;
  const a = s + HIST + (<usize>id << 3), h = load<f64>(a);
  store<f64>(a, h == 0 ? ns : h + (ns < h ? k(s, P_historyDown) : k(s, P_historyUp)) * (ns - h));
}

/**
 * Owner: ticket `tag`'s measured time (ms; learn/router.ts observe): 1 folded in; 0 dropped — a time
 * not finite, ≤ 0 or over P_maxMs, or a ticket whose slot a later call took (more than SLOTS calls in
 * flight). A decided call's time goes to its model, the model's error as a prior and the shape's row; a
 * reused call's to the row (while the row is still the shape's), where it may end the reuse.
 */
export function routeObserve(r: usize, b: usize, d: usize, s: usize, tag: u32, ms: f64): i32 {
  const t = slotAt(s, tag);
  if (load<u32>(t, ST_tag) != tag) { count(s, C_dropped); return 0; }
  if (!(ms > 0 && ms <= k(s, P_maxMs))) { store<f64>(t, NaN, ST_ms); count(s, C_dropped); return 0; }
  store<f64>(t, ms, ST_ms);
  const route = <u32>load<i32>(t, ST_route), row = load<i32>(t, ST_row), log2n = load<f64>(t, ST_log2n), n = load<f64>(t, ST_n);
  if (route == SERIAL && n >= k(s, P_historyMinN)) routeCallHistory(s, load<u32>(t, ST_id), (ms * 1e6) / n);
  const y = log2(ms * 1000);
  if (load<i32>(t, ST_reason) == REUSED) {
    const rs = rowAt(s, row);
    if (load<u32>(rs, R_gen) != load<u32>(t, ST_gen)) return 1;   // the row went to another shape
    // the shape decided again since: the time goes to the row, and judges no later decision
    if (load<u32>(rs, R_seq) != load<u32>(t, ST_seq)) { shapeObserve(b, row, route, <f32>(y - log2n), <f32>load<f64>(t, ST_lim)); return 1; }
    const holds = reuseSeen(b, row, route, y - log2n, load<f64>(t, ST_lim), load<f64>(rs, R_at), load<f64>(rs, R_margin), k(s, P_lead), k(s, P_drift));
    if (holds == 0 && load<i32>(rs, R_ended) == 0) { store<i32>(rs, 0, R_left); store<i32>(rs, 1, R_ended); }
    return 1;
  }
  memory.copy(r + offsetof<RouterBlock>(), t + ST_x, <usize>DIM << 2);
  if (routerUpdate(r, route, <f32>(y - load<f64>(t, ST_base))) != 1) return 1;
  count(s, C_observed);
  routeCallError(s, d, route, y - load<f64>(t, ST_prior));
  if (row >= 0) shapeObserve(b, row, route, <f32>(y - log2n), <f32>load<f64>(t, ST_lim));
  return 1;
}
