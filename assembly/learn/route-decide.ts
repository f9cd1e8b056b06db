// The placement router's decision, in one call (src/learn/core-decision.ts): each choice's view (its
// model's prediction and evidence, its measurements at the call's shape), the size and ratio orders
// over the nearest measured sizes of the call's family, and the decision rule — the same steps as the
// host's pure policies (src/policy/router.ts views, size-order.ts, route-rule.ts, route-tries.ts), which
// remain the specification: test/router-core.test.mjs checks that both make the same decisions over
// random runs of a router. Run here because a decision between other calls finds its code and data
// cold: the host's steps touch some fifty objects and functions (50–70 µs between the placement
// bench's calls); these read a few blocks of one memory.
//
// Everything is f64 as in JavaScript; the stats are the shape table's f32, widened as the host reads
// them. The core has no data segments (assembly/README.md), so none of AssemblyScript's table-driven
// exp or pow: exp is fdlibm's (what V8 computes for Math.exp), 2^x is exp(x ln 2), and a comparison
// of 2^cost with a threshold is one of cost with the threshold's log2 (the host's): a decision may
// differ from the host's only where two figures differ in their last bits. A hardware GPU's trend
// (learn/shapes.ts trend, a log2) stays on the host, which decides those calls itself.
//
// The decision block (routeDecideSize bytes, host-allocated, 8-byte aligned): the rule's parameters
// (host-written once, in the order of the P_ constants), each model's spread (host-written when its
// prior errors change), the candidates, the views and the pairs' scratch, and the outputs (O_).
//
// Owner-only, as the router and the shape table: the host thread decides; no other thread reads the block.
import { RouterBlock, RouteModel, ShapeBlock, ShapeStat } from "../layout";
import { routerQuery } from "./router";

// The parameters, f64 at the block's start (policy/router.ts ROUTER, REUSE.far, learn/host-decision.ts
// CLIP_SD; tryUs, cheapUs and gamma as the host's log2 and ln of them; then ownSlack and agree).
const P_minSupport = 0, P_hopeless = 1, P_judgeAfter = 2, P_epsilon = 3, P_nearBits = 4, P_nearUs = 5, P_confidence = 6,
  P_priorSamples = 7, P_minVar = 8, P_shapeTry = 9, P_plausible = 10, P_order = 11, P_orderVar = 12, P_recheck = 13,
  P_bracket = 14, P_retryGap = 15, P_retryBits = 16, P_retryShare = 17, P_horizon = 18, P_far = 19, P_clip = 20,
  P_tent0 = 21, P_tents = 22, P_kind0 = 23, P_kinds = 24, P_log2TryUs = 25, P_log2CheapUs = 26, P_lnGamma = 27, P_ownSlack = 28, P_agree = 29;
/** Parameters the host writes (count_RouteParams). */
export const ROUTE_PARAMS: u32 = 30;
const OPTIONS: u32 = 3;   // ROUTES: serial, parallel, gpu
const SERIAL: u32 = 0, PARALLEL: u32 = 1, GPU: u32 = 2;
/** The bit of routeDecide's mask past the choices': the GPU is a software adapter. */
const SOFTWARE: u32 = 1 << OPTIONS;

// The block, in f64 words: parameters 0–31, spreads 32–35, the candidates' ROUTES indices (i32) 36–37,
// views 40 + 16·o (16 words used), pair scratch 96–111, outputs 112–128 (routeDecideSize).
const SPREADS: usize = 32 << 3, CANDS: usize = 36 << 3, VIEWS: usize = 40 << 3, PAIRS: usize = 96 << 3, OUT: usize = 112 << 3;
const VIEW_BYTES: usize = 16 << 3;
// A view's fields (f64 words): as policy/router.ts RouteView less the trend (a hardware GPU's, which
// the host decides), then the shape's raw mean (per element) and the rule's cost and variance.
const V_mean = 0, V_sd = 1, V_spread = 2, V_support = 3, V_samples = 4, V_weight = 5, V_shapeMean = 6, V_m2 = 7,
  V_count = 8, V_beats = 9, V_suspect = 10, V_raw = 11, V_cost = 12, V_var = 13, V_model = 14, V_agrees = 15;
// A pair's scratch stats (weight, mean, m2, count): below lo, below hi, above lo, above hi.
const S_weight = 0, S_mean = 1, S_m2 = 2, S_count = 3;
/** The outputs (f64 words from OUT): confidence, margin, the chosen route's clip, its model's prior mean for the error, its shape weight and mean; then per choice o at 8 + 3o: its prediction, shape mean, shape count. */
const O_confidence = 0, O_margin = 1, O_lim = 2, O_prior = 3, O_weight = 4, O_shapeMean = 5, O_choices = 8;
/** The reasons, as the host names them (policy/router.ts RouteChoice.reason): returned in bits 4–7. */
const LEARNED: u32 = 0, FALLBACK: u32 = 2, EXPLORE: u32 = 3, INVALID: u32 = 4;

/** Bytes of a decision block: up to the last choice's outputs. */
export function routeDecideSize(): usize { return OUT + ((<usize>O_choices + 3 * <usize>OPTIONS) << 3); }
/** Where the host writes the parameters (f64, P_ order) and each choice's spread (f64 per ROUTES index). */
export function routeDecideParams(d: usize): usize { return d; }
export function routeDecideSpreads(d: usize): usize { return d + SPREADS; }
/** Where the outputs are (f64, O_ order). */
export function routeDecideOut(d: usize): usize { return d + OUT; }

// @ts-ignore: decorator
@inline function k(d: usize, p: i32): f64 { return load<f64>(d + (<usize>p << 3)); }
// @ts-ignore: decorator
@inline function view(d: usize, o: u32): usize { return d + VIEWS + <usize>o * VIEW_BYTES; }
// @ts-ignore: decorator
@inline function vget(v: usize, f: i32): f64 { return load<f64>(v + (<usize>f << 3)); }
// @ts-ignore: decorator
@inline function vset(v: usize, f: i32, x: f64): void { store<f64>(v + (<usize>f << 3), x); }
// @ts-ignore: decorator
@inline function statAt(b: usize, row: i32, o: u32): usize {
  return b + offsetof<ShapeBlock>() + (<usize>row * changetype<ShapeBlock>(b).options + o) * offsetof<ShapeStat>();
}
// @ts-ignore: decorator
@inline function countAt(b: usize, row: i32, o: u32): u32 { return changetype<ShapeStat>(statAt(b, row, o)).count; }
/** Choice o's stats at `row` into the scratch stats at s (learn/shapes.ts read). */
function readStat(b: usize, row: i32, o: u32, s: usize): void {
  const st = changetype<ShapeStat>(statAt(b, row, o));
  store<f64>(s, <f64>st.weight); store<f64>(s, <f64>st.mean, 8); store<f64>(s, <f64>st.m2, 16); store<f64>(s, <f64>st.count, 24);
}
// @ts-ignore: decorator
@inline function sget(s: usize, f: i32): f64 { return load<f64>(s + (<usize>f << 3)); }

// fdlibm's e_exp.c (Sun Microsystems, 1993), as V8's base::ieee754::exp (which also returns e itself
// for 1): reduction to r in [-0.5 ln 2, 0.5 ln 2], a rational approximation there, scaled by 2^k. Equal
// to V8's Math.exp, bit for bit, over 10^6 values of [-750, 750].
const EXP_O: f64 = 7.09782712893383973096e+02, EXP_U: f64 = -7.45133219101941108420e+02;
const LN2_HI: f64 = 6.93147180369123816490e-01, LN2_LO: f64 = 1.90821492927058770002e-10, INV_LN2: f64 = 1.44269504088896338700e+00;
const EP1: f64 = 1.66666666666666019037e-01, EP2: f64 = -2.77777777770155933842e-03, EP3: f64 = 6.61375632143793436117e-05,
  EP4: f64 = -1.65339022054652515390e-06, EP5: f64 = 4.13813679705723846039e-08;
export function fexp(x: f64): f64 {
  let hi: f64 = 0, lo: f64 = 0, k: i32 = 0;
  const bits = reinterpret<u64>(x);
  let hx = <u32>(bits >> 32);
  const neg = (hx >> 31) != 0;
  hx &= 0x7fffffff;
  if (hx >= 0x40862e42) {   // |x| ≥ 709.78: overflow, underflow, inf or NaN
    if (hx >= 0x7ff00000) return ((hx & 0xfffff) | <u32>bits) != 0 ? x + x : neg ? 0 : x;
    if (x > EXP_O) return Infinity;
    if (x < EXP_U) return 0;
  }
  if (hx > 0x3fd62e42) {   // |x| > 0.5 ln 2
    if (x == 1) return Math.E;
    if (hx < 0x3ff0a2b2) {   // and < 1.5 ln 2
      hi = neg ? x + LN2_HI : x - LN2_HI; lo = neg ? -LN2_LO : LN2_LO; k = neg ? -1 : 1;
    } else {
      k = <i32>(INV_LN2 * x + (neg ? -0.5 : 0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI; lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {   // |x| < 2^-28
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (EP1 + t * (EP2 + t * (EP3 + t * (EP4 + t * EP5))));
  if (k == 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - ((lo - (x * c) / (2 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2 * reinterpret<f64>(<u64>0x7fe << 52);
    return y * reinterpret<f64>(<u64>(0x3ff + k) << 52);
  }
  return y * reinterpret<f64>(<u64>(0x3ff + k + 1000) << 52) * reinterpret<f64>(<u64>(0x3ff - 1000) << 52);
}

// fdlibm's e_log.c (Sun Microsystems, 1993), as V8's base::ieee754::log: x = 2^k (1 + f) with
// √2/2 < 1 + f < √2, log(1 + f) from s = f / (2 + f) by a polynomial in s². Equal to V8's Math.log, bit
// for bit (test/router-core.test.mjs). log2 is log(x) / ln 2 on both sides (learn/shapes.ts log2).
const LG1: f64 = 6.666666666666735130e-01, LG2: f64 = 3.999999999940941908e-01, LG3: f64 = 2.857142874366239149e-01,
  LG4: f64 = 2.222219843214978396e-01, LG5: f64 = 1.818357216161805012e-01, LG6: f64 = 1.531383769920937332e-01,
  LG7: f64 = 1.479819860511658591e-01, TWO54: f64 = 1.80143985094819840000e+16;
export function flog(x: f64): f64 {
  let bits = reinterpret<u64>(x);
  let hx = <i32>(bits >> 32);
  const lx = <u32>bits;
  let k: i32 = 0;
  if (hx < 0x00100000) {   // x < 2^-1022: zero, negative or subnormal
    if (((hx & 0x7fffffff) | <i32>lx) == 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54; x *= TWO54;
    bits = reinterpret<u64>(x);
    hx = <i32>(bits >> 32);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i0 = (hx + 0x95f64) & 0x100000;
  x = reinterpret<f64>((<u64>(<u32>(hx | (i0 ^ 0x3ff00000))) << 32) | (reinterpret<u64>(x) & 0xffffffff));   // x or x/2, normalized
  k += i0 >> 20;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {   // |f| < 2^-20
    if (f == 0) { if (k == 0) return 0; const dk = <f64>k; return dk * LN2_HI + dk * LN2_LO; }
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - R;
    const dk = <f64>k;
    return dk * LN2_HI - ((R - dk * LN2_LO) - f);
  }
  const s = f / (2.0 + f), dk = <f64>k, z = s * s;
  let i = hx - 0x6147a;
  const w = z * z, j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6)), t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + R));
    return dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
  }
  if (k == 0) return f - s * (f - R);
  return dk * LN2_HI - ((s * (f - R) - dk * LN2_LO) - f);
}
/** 2^x. */
// @ts-ignore: decorator
@inline function fexp2(x: f64): f64 { return fexp(x * Math.LN2); }

/** route-tries.ts noiseOf. */
function noiseOf(d: usize, sd: f64, weight: f64, m2: f64): f64 {
  const w = weight > 0 ? weight : 0;
  const ps = k(d, P_priorSamples);
  return Math.max(((w > 0 ? m2 : 0) + ps * sd * sd) / (w + ps), k(d, P_minVar));
}

/** route-tries.ts phi. */
function phi(x: f64): f64 {
  const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.5 * z);
  const r = t * fexp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r / 2 : r / 2;
}
/** route-tries.ts tryGain. */
function tryGain(delta: f64, sigma: f64): f64 {
  if (!(sigma > 1e-6)) return Math.max(0, 1 - fexp2(delta));
  const s = sigma * Math.LN2, z = -delta / sigma;
  const g = phi(z) - fexp(delta * Math.LN2 + (s * s) / 2) * phi(z - s);
  return g > 0 ? g : 0;
}
/** route-tries.ts tryCost. */
function tryCost(delta: f64, sigma: f64): f64 {
  if (!(sigma > 1e-6)) return Math.max(0, fexp2(delta) - 1);
  const s = sigma * Math.LN2;
  const c = fexp(delta * Math.LN2 + (s * s) / 2) - 1 + tryGain(delta, sigma);
  return c > 0 ? c : c == c ? 0 : Infinity;
}
/** route-tries.ts worthTrying. */
function worthTrying(d: usize, delta: f64, sigma: f64): bool {
  if (!isFinite(delta) || !(sigma >= 0)) return false;
  if (sigma == Infinity) return true;
  return k(d, P_horizon) * tryGain(delta, sigma) > tryCost(delta, sigma);
}
/** route-tries.ts retryAfter (count a whole number ≥ 1: 2^(count − 1) exact). */
function retryAfter(d: usize, count: f64, bits: f64): f64 {
  if (count < k(d, P_recheck)) return k(d, P_retryGap) * <f64>(<u64>1 << <u64>(count - 1));
  return Math.max(k(d, P_retryGap), Math.ceil((fexp2(bits) - 1) / k(d, P_retryShare)));
}

/** size-order.ts fasterAt over scratch stats lo and hi. */
function fasterAt(d: usize, lo: usize, hi: usize, sdLo: f64, sdHi: f64): i32 {
  if (!(sget(lo, S_count) > 0 && sget(hi, S_count) > 0)) return 0;
  const wl = Math.max(sget(lo, S_weight), 1), wh = Math.max(sget(hi, S_weight), 1);
  const diff = sget(hi, S_mean) - sget(lo, S_mean);
  const ov = k(d, P_orderVar);
  const se = Math.sqrt(Math.max(noiseOf(d, sdLo, sget(lo, S_weight), sget(lo, S_m2)), ov) / wl + Math.max(noiseOf(d, sdHi, sget(hi, S_weight), sget(hi, S_m2)), ov) / wh);
  if (!(isFinite(diff) && isFinite(se))) return 0;
  const o = k(d, P_order);
  return diff > o * se ? 1 : -diff > o * se ? -1 : 0;
}
/** size-order.ts sampleVar, of a weight and m2. */
function varOf(d: usize, weight: f64, m2: f64, sd: f64): f64 {
  return Math.max(noiseOf(d, sd, weight, m2), k(d, P_orderVar)) / Math.max(weight, 1);
}
/** size-order.ts sampleVar, of scratch stats. */
function sampleVar(d: usize, s: usize, sd: f64): f64 { return varOf(d, sget(s, S_weight), sget(s, S_m2), sd); }
/** size-order.ts ratioOrder; here: the views' raw stats at the call's row (vLo, vHi). */
function ratioOrder(d: usize, bLo: usize, bHi: usize, vLo: usize, vHi: usize, aLo: usize, aHi: usize, sdLo: f64, sdHi: f64): i32 {
  if (!(vget(vLo, V_count) > 0 && vget(vHi, V_count) > 0)) return 0;
  const here = vget(vHi, V_raw) - vget(vLo, V_raw);
  const vHere = varOf(d, vget(vLo, V_weight), vget(vLo, V_m2), sdLo) + varOf(d, vget(vHi, V_weight), vget(vHi, V_m2), sdHi);
  if (sget(bLo, S_count) > 0 && sget(bHi, S_count) > 0) {
    const below = sget(bHi, S_mean) - sget(bLo, S_mean), se = Math.sqrt(vHere + sampleVar(d, bLo, sdLo) + sampleVar(d, bHi, sdHi));
    if (below <= k(d, P_nearBits) && here - below > k(d, P_bracket) * se) return 2;
  }
  if (sget(aLo, S_count) > 0 && sget(aHi, S_count) > 0) {
    const above = sget(aHi, S_mean) - sget(aLo, S_mean), se = Math.sqrt(vHere + sampleVar(d, aLo, sdLo) + sampleVar(d, aHi, sdHi));
    if (-above <= k(d, P_nearBits) && above - here > k(d, P_bracket) * se) return 1;
  }
  return 0;
}

/**
 * learn/shapes.ts nearest: the nearest size class to `size` in direction dir, within [lo, hi) of the
 * family's rows (i16 per class at fam), whose row measured both a and b: their stats into sa and sb.
 */
function nearest(b: usize, fam: usize, size: i32, lo: i32, hi: i32, dir: i32, a: u32, bo: u32, sa: usize, sb: usize): bool {
  for (let c = size + dir; c >= lo && c < hi; c += dir) {
    const row = <i32>load<i16>(fam + (<usize>c << 1));
    if (row < 0 || countAt(b, row, a) == 0 || countAt(b, row, bo) == 0) continue;
    readStat(b, row, a, sa); readStat(b, row, bo, sb);
    return true;
  }
  return false;
}

/** The nearest size class to `size` in direction dir, within [lo, hi), whose row measured choice o; -1: none (learn/shapes.ts own). */
function ownClass(b: usize, fam: usize, size: i32, lo: i32, hi: i32, dir: i32, o: u32): i32 {
  for (let c = size + dir; c >= lo && c < hi; c += dir) {
    const row = <i32>load<i16>(fam + (<usize>c << 1));
    if (row >= 0 && countAt(b, row, o) > 0) return c;
  }
  return -1;
}

/** Choice o's mean time per element at size class c (its row measured it), log2 µs. */
function ownMean(b: usize, fam: usize, c: i32, o: u32): f64 {
  return <f64>changetype<ShapeStat>(statAt(b, <i32>load<i16>(fam + (<usize>c << 1)), o)).mean;
}

/** Choice o's time at size class c (its row measured it), log2 µs: its mean per element + c. */
function ownAt(b: usize, fam: usize, c: i32, o: u32): f64 { return ownMean(b, fam, c, o) + <f64>c; }

/** 2^c for a size class (exact). */
// @ts-ignore: decorator
@inline function pow2(c: i32): f64 { return reinterpret<f64>(<u64>(1023 + c) << 52); }

/** size-order.ts ownLine: the line through choice o's own times at classes c0 < c1 (l0 ≤ l1), at 2^log2n; NaN where not finite. */
function ownLine(c0: i32, l0: f64, c1: i32, l1: f64, log2n: f64): f64 {
  const t0 = fexp(l0 * Math.LN2), t1 = fexp(l1 * Math.LN2), n0 = pow2(c0);
  const t = t0 + ((t1 - t0) / (pow2(c1) - n0)) * (fexp(log2n * Math.LN2) - n0);
  return t > 0 && t < Infinity ? flog(t) / Math.LN2 : NaN;
}

/**
 * size-order.ts ownOrder: view v's model prediction, more than ownSlack above choice o's own time at the
 * nearest larger class that measured it, replaced by the line through its times there and at the
 * nearest smaller one (or by the larger one's time). The larger class first: most predictions are not
 * above it, and those need no scan below.
 */
function ownOrder(d: usize, b: usize, fam: usize, size: i32, lo: i32, hi: i32, o: u32, v: usize, log2n: f64): void {
  const c1 = ownClass(b, fam, size, lo, hi, 1, o);
  if (c1 < 0) return;
  const l1 = ownAt(b, fam, c1, o), mean = vget(v, V_mean);
  if (!(mean > l1 + k(d, P_ownSlack))) return;
  const c0 = ownClass(b, fam, size, lo, hi, -1, o);
  if (c0 < 0) { vset(v, V_mean, l1); return; }
  const l0 = ownAt(b, fam, c0, o);
  if (l0 > l1) return;
  const line = ownLine(c0, l0, c1, l1, log2n);
  if (isFinite(line)) vset(v, V_mean, line);
}

/**
 * size-order.ts agreesBelow, for the calling thread alone (learn/host-decision.ts): choice o's
 * measurements at the shape (its raw mean per element, count) within P_agree of its own at the nearest
 * smaller class of the family that measured it (V_agrees 1).
 */
function agreesBelow(d: usize, b: usize, fam: usize, size: i32, lo: i32, hi: i32, o: u32, v: usize): void {
  if (o != SERIAL || !(vget(v, V_count) > 0)) return;
  const c0 = ownClass(b, fam, size, lo, hi, -1, o);
  if (c0 < 0) return;
  if (Math.abs(vget(v, V_raw) - ownMean(b, fam, c0, o)) <= k(d, P_agree)) vset(v, V_agrees, 1);
}

/**
 * The decision (src/learn/core-decision.ts, once the router wrote the features): r the router block,
 * b the shape table, d the decision block. mask: the choices open (a bit per ROUTES index, two at
 * least), taken in ROUTES order, and SOFTWARE where the GPU is a software adapter; fallback: the
 * static rule's choice (a ROUTES index); row: the shape's row (-1: none, then fam is 0); fam, size,
 * lo, hi: its family's rows by size class (i16), its class and the span of classes measured; log2n,
 * base: log2 of the call's elements and the models' baseline; u, u2: the draws. Returns the route (ROUTES index) | reason << 4; the outputs at O_.
 */
export function routeDecide(r: usize, b: usize, d: usize, mask: u32, fallback: u32, row: i32, fam: usize, size: i32, lo: i32, hi: i32,
  log2n: f64, base: f64, u: f64, u2: f64): u32 {
  const h = changetype<RouterBlock>(r), dim = h.dim;
  const said = r + offsetof<RouterBlock>() + (<usize>dim << 2);
  const finite = routerQuery(r, mask, <u32>k(d, P_tent0), <u32>k(d, P_tents), <u32>k(d, P_kind0), <u32>k(d, P_kinds));
  const modelBytes = offsetof<RouteModel>() + (<usize>dim << 3) + (<usize>dim * dim << 2);
  const models = r + offsetof<RouterBlock>() + 3 * (<usize>dim << 2);
  const minSupport = k(d, P_minSupport);
  // the views (learn/host-decision.ts)
  for (let o: u32 = 0; o < OPTIONS; o++) {
    const v = view(d, o);
    if ((mask & (1 << o)) == 0) continue;
    const mean = finite ? base + <f64>load<f32>(said + <usize>o * 12) : NaN;
    const m = changetype<RouteModel>(models + <usize>o * modelBytes);
    vset(v, V_mean, mean);
    vset(v, V_model, mean);
    vset(v, V_samples, <f64>m.samples);
    vset(v, V_sd, Math.sqrt(Math.max(0, <f64>m.resVar)));
    vset(v, V_spread, load<f64>(d + SPREADS + (<usize>o << 3)));
    const support = finite ? Math.min(<f64>load<f32>(said + <usize>o * 12, 4), <f64>load<f32>(said + <usize>o * 12, 8)) : NaN;
    vset(v, V_support, support);
    let w: f64 = 0, sm: f64 = 0, m2: f64 = 0, count: f64 = 0;
    if (row >= 0) {
      const st = changetype<ShapeStat>(statAt(b, row, o));
      w = <f64>st.weight; sm = <f64>st.mean; m2 = <f64>st.m2; count = <f64>st.count;
    }
    vset(v, V_weight, count > 0 ? w : 0);
    vset(v, V_raw, sm);
    vset(v, V_shapeMean, sm + log2n);
    vset(v, V_m2, m2);
    vset(v, V_count, count);
    vset(v, V_beats, 0);
    vset(v, V_suspect, 0);
    vset(v, V_agrees, 0);
    if (row >= 0) { ownOrder(d, b, fam, size, lo, hi, o, v, log2n); agreesBelow(d, b, fam, size, lo, hi, o, v); }
  }
  // the size and ratio orders over the ordered pairs (size-order.ts ORDERED_PAIRS: serial–helpers, serial–GPU)
  if (row >= 0) {
    const bl = d + PAIRS, bh = bl + 32, al = bl + 64, ah = bl + 96;
    for (let hiO: u32 = 1; hiO < OPTIONS; hiO++) {
      const loO = SERIAL;
      if ((mask & (1 << loO)) == 0 || (mask & (1 << hiO)) == 0) continue;
      const vl = view(d, loO), vh = view(d, hiO), sdl = vget(vl, V_sd), sdh = vget(vh, V_sd);
      if (!nearest(b, fam, size, lo, hi, -1, loO, hiO, bl, bh)) { store<f64>(bl, 0, 24); store<f64>(bh, 0, 24); }
      if (!nearest(b, fam, size, lo, hi, 1, loO, hiO, al, ah)) { store<f64>(al, 0, 24); store<f64>(ah, 0, 24); }
      const below = sget(bl, S_count) > 0 ? fasterAt(d, bl, bh, sdl, sdh) : 0;
      const above = sget(al, S_count) > 0 ? fasterAt(d, al, ah, sdl, sdh) : 0;
      // sizeOrder
      const hiFaster = below == -1, loFaster = above == 1;
      const order = hiFaster == loFaster ? 0 : hiFaster ? -1 : 1;
      if (order < 0) vset(vh, V_beats, <f64>(<i32>vget(vh, V_beats) | (1 << loO)));
      else if (order > 0) vset(vl, V_beats, <f64>(<i32>vget(vl, V_beats) | (1 << hiO)));
      const suspect = ratioOrder(d, bl, bh, vl, vh, al, ah, sdl, sdh);
      if (suspect == 1) vset(vl, V_suspect, 1);
      else if (suspect == 2) vset(vh, V_suspect, 1);
    }
  }
  const choice = rule(d, mask, fallback, u, u2);
  const route = choice & 15, out = d + OUT;
  // the outputs: the chosen route's clip and prior mean, its shape weight and mean; each choice's prediction and measurements
  const cv = view(d, route);
  store<f64>(out + (O_lim << 3), k(d, P_clip) * Math.sqrt(noiseOf(d, vget(cv, V_sd), vget(cv, V_weight), vget(cv, V_m2))));
  store<f64>(out + (O_prior << 3), vget(cv, V_support) >= minSupport && vget(cv, V_weight) == 0 ? vget(cv, V_model) : NaN);   // the model's own prediction: its error feeds its spread
  store<f64>(out + (O_weight << 3), vget(cv, V_weight));
  store<f64>(out + (O_shapeMean << 3), vget(cv, V_shapeMean));
  for (let o: u32 = 0; o < OPTIONS; o++) {
    const v = view(d, o), at = out + ((<usize>O_choices + 3 * o) << 3);
    store<f64>(at, vget(v, V_model)); store<f64>(at, vget(v, V_shapeMean), 8); store<f64>(at, vget(v, V_count), 16);
  }
  return choice;
}

/** route-rule.ts decideRoute over the views, the candidates the choices in mask in ROUTES order. Returns route | reason << 4; confidence and margin at the outputs. */
function rule(d: usize, mask: u32, fallback: u32, u: f64, u2: f64): u32 {
  const out = d + OUT;
  store<f64>(out + (O_margin << 3), NaN);
  // the candidates: the i-th's ROUTES index at CANDS (idx)
  let n: i32 = 0;
  for (let o: u32 = 0; o < OPTIONS; o++) if ((mask & (1 << o)) != 0) { store<u32>(d + CANDS + (<usize>n << 2), o); n++; }
  const minVar = k(d, P_minVar);
  let f: i32 = -1, top: i32 = -1, known: i32 = -1;
  for (let i = 0; i < n; i++) {
    const v = view(d, idx(d, i));
    const mean0 = vget(v, V_mean), sd = vget(v, V_sd), support = vget(v, V_support), spread = vget(v, V_spread);
    if (!isFinite(mean0) || !isFinite(sd) || !isFinite(support) || !(spread >= 0)) return result(d, fallback, INVALID, 0);
    const w = vget(v, V_weight) > 0 ? vget(v, V_weight) : 0;
    if (w > 0 && !(isFinite(vget(v, V_shapeMean)) && vget(v, V_m2) >= 0 && isFinite(w))) return result(d, fallback, INVALID, 0);
    const s2 = noiseOf(d, sd, vget(v, V_weight), vget(v, V_m2));
    // (route-rule.ts's trend prior is a hardware GPU's only: the host decides those calls)
    const a = support >= k(d, P_minSupport) ? 1 / Math.max(spread * spread, minVar) : 0;
    const bb = w / s2;
    const prec = a + bb;
    vset(v, V_var, prec > 0 ? 1 / prec : Infinity);
    vset(v, V_cost, (bb > 0 ? (a * mean0 + bb * vget(v, V_shapeMean)) / prec : mean0) + (Math.LN2 / 2) * s2);
    if (top < 0) top = i;
    if (prec > 0 && (known < 0 || vget(v, V_cost) < vget(view(d, idx(d, known)), V_cost))) known = i;
    if (idx(d, i) == fallback) f = i;
  }
  // the size order's verdicts: bit i set where another choice is known faster than candidate i here
  let beaten = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (j != i && (<i32>vget(view(d, idx(d, j)), V_beats) & (1 << idx(d, i))) != 0) beaten |= 1 << i;
  if (known < 0) top = f >= 0 ? f : top;
  else top = known;
  const vt = view(d, idx(d, top));
  // a choice the size order says is faster than the best here, or whose measurements here a pause inflated
  for (let i = 0; i < n; i++) {
    const v = view(d, idx(d, i));
    if (i != top && ((<i32>vget(v, V_beats) & (1 << idx(d, top))) != 0 || vget(v, V_suspect) != 0) && (beaten & (1 << i)) == 0 && vget(v, V_count) < k(d, P_recheck)) return result(d, idx(d, i), EXPLORE, 0);
  }
  // forced exploration, the static rule's choice first (never judged far slower by its model alone)
  for (let j = -1; j < n; j++) {
    const i = j < 0 ? f : j;
    if (i < 0 || (j >= 0 && i == f)) continue;
    const v = view(d, idx(d, i));
    if (vr(d, i) < Infinity || (beaten & (1 << i)) != 0) continue;
    if (i != f && known >= 0 && vget(v, V_samples) >= k(d, P_judgeAfter) && (cost(d, i) > cost(d, known) + k(d, P_hopeless)
      || !worthTrying(d, cost(d, i) - cost(d, known), Math.sqrt(Math.max(vget(v, V_spread) * vget(v, V_spread), minVar) + vr(d, known))))) continue;
    if (i != f && vget(v, V_samples) < k(d, P_judgeAfter) && f >= 0 && cost(d, f) > k(d, P_log2CheapUs)) continue;
    // nor a software adapter whose model, from the samples it has, already puts this call past cheapUs
    if ((mask & SOFTWARE) != 0 && i != f && idx(d, i) == GPU && vget(v, V_samples) >= 1 && vget(v, V_samples) < k(d, P_judgeAfter)
      && cost(d, i) > k(d, P_log2CheapUs)) continue;
    return result(d, idx(d, i), EXPLORE, 0);
  }
  const ct = cost(d, top), vtop = vr(d, top);
  // the shape's bandit
  for (let i = 0; i < n && ct >= k(d, P_log2TryUs); i++) {
    const v = view(d, idx(d, i));
    if (i == top || vr(d, i) == Infinity || (beaten & (1 << i)) != 0 || !(vget(v, V_weight) < k(d, P_shapeTry))) continue;
    const se = Math.sqrt(vr(d, i) + vtop);
    const first = vget(v, V_count) == 0 && idx(d, i) == PARALLEL && idx(d, top) == SERIAL;
    if (cost(d, i) - k(d, P_plausible) * se < ct && (first || worthTrying(d, cost(d, i) - ct, se))) return result(d, idx(d, i), EXPLORE, 0);
  }
  // a retry of a choice measured here and slower than the best
  for (let i = 0; i < n; i++) {
    const v = view(d, idx(d, i)), c = vget(v, V_count);
    if (i == top || (beaten & (1 << i)) != 0 || !(c >= 1) || (c < k(d, P_recheck) && ct < k(d, P_log2TryUs))) continue;
    const diff = vget(v, V_shapeMean) - ct;
    // (first samples that agree with the choice's own time per element at a smaller size wait for the
    // later ones' budget too, where longer)
    const after = vget(v, V_agrees) != 0 ? Math.max(retryAfter(d, c, diff), retryAfter(d, k(d, P_recheck), diff)) : retryAfter(d, c, diff);
    if (diff <= k(d, P_retryBits) && vget(v, V_weight) < fexp(after * k(d, P_lnGamma))) return result(d, idx(d, i), EXPLORE, 0);
  }
  // epsilon: a try of a choice near the best
  if (u < k(d, P_epsilon)) {
    let count = 0, nearMask = 0;
    for (let i = 0; i < n; i++) {
      const ci = cost(d, i), vi = vr(d, i);
      if (i != top && vi < Infinity && (beaten & (1 << i)) == 0 && (ci <= ct + k(d, P_nearBits) || fexp2(ci) - fexp2(ct) <= k(d, P_nearUs))
        && worthTrying(d, ci - ct, Math.sqrt(vi + vtop))) { nearMask |= 1 << i; count++; }
    }
    if (count > 0) {
      let pick = <i32>Math.min(<f64>(count - 1), Math.floor(u2 * <f64>count));
      for (let i = 0; i < n; i++) if ((nearMask & (1 << i)) != 0 && pick-- == 0) return result(d, idx(d, i), EXPLORE, 0);
    }
  }
  if (top == f || f < 0) {
    store<f64>(out + (O_margin << 3), leadOf(d, n, top, f, beaten));
    return result(d, idx(d, top), LEARNED, 1);
  }
  const vfv = vr(d, f);
  const vf = view(d, idx(d, f));
  const varF = vfv < Infinity ? vfv : Math.max(vget(vf, V_spread) * vget(vf, V_spread), minVar);
  const cf = cost(d, f);
  const margin = cf - ct;
  const se = Math.sqrt(vtop + varF);
  const confidence = Math.max(0, margin / (margin + se + 1e-9));
  if (confidence >= k(d, P_confidence) || (<i32>vget(vt, V_beats) & (1 << idx(d, f))) != 0) {
    store<f64>(out + (O_margin << 3), leadOf(d, n, top, f, beaten));
    return result(d, idx(d, top), LEARNED, confidence);
  }
  if (vget(vf, V_count) > 0 && vget(vt, V_weight) < k(d, P_shapeTry) && cf >= k(d, P_log2TryUs) && worthTrying(d, ct - cf, se)) return result(d, idx(d, top), EXPLORE, 0);
  return result(d, fallback, FALLBACK, confidence);
}

/** route-rule.ts leadOf. */
function leadOf(d: usize, n: i32, top: i32, f: i32, beaten: i32): f64 {
  let lead: f64 = Infinity;
  const ct = cost(d, top);
  const tries = top != f && ct >= k(d, P_log2TryUs);
  for (let i = 0; i < n; i++) {
    if (i == top) continue;
    const diff = cost(d, i) - ct;
    if (tries && !(vget(view(d, idx(d, i)), V_count) > 0) && (beaten & (1 << i)) == 0 && !(diff >= k(d, P_far))) return NaN;
    if (vr(d, i) < Infinity && diff < lead) lead = diff;
  }
  return lead;
}

/** The ROUTES index of candidate i, its rule cost and its estimate's variance. */
// @ts-ignore: decorator
@inline function idx(d: usize, i: i32): u32 { return load<u32>(d + CANDS + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function cost(d: usize, i: i32): f64 { return vget(view(d, idx(d, i)), V_cost); }
// @ts-ignore: decorator
@inline function vr(d: usize, i: i32): f64 { return vget(view(d, idx(d, i)), V_var); }

// @ts-ignore: decorator
@inline function result(d: usize, route: u32, reason: u32, confidence: f64): u32 {
  store<f64>(d + OUT + (O_confidence << 3), confidence);
  return route | (reason << 4);
}
