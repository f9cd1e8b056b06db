// The size order of the placement router's choices (pure): what one choice's measurements at the sizes
// nearest a call's say about the call's own size, from the shape of a call's cost, a fixed part and a
// part per element. Read by the router (learn/router.ts) before it decides (policy/route-rule.ts
// decideRoute); tested with tables in test/router.test.mjs.
import { ROUTER, type RouterParams } from './router.js';
import { noiseOf } from './route-tries.js';

/** One choice's measurements at one size class, as the shape table holds them (learn/shapes.ts). */
export interface SizeStats { readonly weight: number; readonly mean: number; readonly m2: number; readonly count: number }

/**
 * Which of two choices one size class's measurements show faster: 1 when lo's mean log2 time is below
 * hi's by k.order standard errors of the difference, -1 when hi's is below lo's by as much, else 0.
 * sdLo, sdHi: the models' noise, counted beside the class's own spread as in shapeNoise; a sample's
 * variance is taken as k.orderVar at least, and each choice's measurements as one sample at least.
 */
export function fasterAt(lo: SizeStats, hi: SizeStats, sdLo: number, sdHi: number, k: RouterParams = ROUTER): -1 | 0 | 1 {
  if (!(lo.count > 0 && hi.count > 0)) return 0;
  // a choice measured here counts as one sample at least: the discount that has a shape retry a choice
  // follows drift at that shape, and a difference of bits outlives it
  const wl = Math.max(lo.weight, 1), wh = Math.max(hi.weight, 1);
  const d = hi.mean - lo.mean;
  const se = Math.sqrt(Math.max(noiseOf(sdLo, lo.weight, lo.m2, k), k.orderVar) / wl + Math.max(noiseOf(sdHi, hi.weight, hi.m2, k), k.orderVar) / wh);
  if (!(Number.isFinite(d) && Number.isFinite(se))) return 0;
  return d > k.order * se ? 1 : -d > k.order * se ? -1 : 0;
}

/**
 * The ratio order (pure), for a pair of ORDERED_PAIRS measured at the call's size (`lo`, `hi`) and at
 * the nearest sizes below and above that measured both (count 0: none). With F + m·n costs, F_hi ≥
 * F_lo and m_hi ≤ m_lo, the log ratio hi / lo never grows with the size: the call's size lies between
 * the ratio above and the ratio below. A ratio here beyond that bracket by k.bracket standard errors
 * (each sample's variance k.orderVar at least, as in fasterAt) says one choice's measurements here are
 * too slow, and noise only adds time: a pause inflated them. Returns the choice to measure again:
 * 2 (hi: its ratio here is above the one below, which shows hi within k.nearBits of lo or faster),
 * 1 (lo: the reverse, against the ratio above), else 0. Only a choice the bracket shows within
 * nearBits of the other is named: a pair whose costs break the order (a software GPU dearer per
 * element) is never sent to a choice known far slower.
 */
export function ratioOrder(bLo: SizeStats, bHi: SizeStats, lo: SizeStats, hi: SizeStats, aLo: SizeStats, aHi: SizeStats,
  sdLo: number, sdHi: number, k: RouterParams = ROUTER): 0 | 1 | 2 {
  if (!(lo.count > 0 && hi.count > 0)) return 0;
  const here = hi.mean - lo.mean, vHere = sampleVar(lo, sdLo, k) + sampleVar(hi, sdHi, k);
  if (bLo.count > 0 && bHi.count > 0) {
    const below = bHi.mean - bLo.mean, se = Math.sqrt(vHere + sampleVar(bLo, sdLo, k) + sampleVar(bHi, sdHi, k));
    if (below <= k.nearBits && here - below > k.bracket * se) return 2;
  }
  if (aLo.count > 0 && aHi.count > 0) {
    const above = aHi.mean - aLo.mean, se = Math.sqrt(vHere + sampleVar(aLo, sdLo, k) + sampleVar(aHi, sdHi, k));
    if (-above <= k.nearBits && above - here > k.bracket * se) return 1;
  }
  return 0;
}

/** The variance of one size class's mean for one choice, as fasterAt counts it (and the shape table's trend, learn/shapes.ts). */
export function sampleVar(s: SizeStats, sd: number, k: RouterParams): number {
  return Math.max(noiseOf(sd, s.weight, s.m2, k), k.orderVar) / Math.max(s.weight, 1);
}

/**
 * The pairs of choices (ROUTES indices, lo first) whose fixed costs are ordered: the calling thread
 * alone starts at once; helpers must be woken and the work split; a GPU call is at least a dispatch.
 * (Helpers against the GPU have no such order.)
 */
export const ORDERED_PAIRS: readonly (readonly [number, number])[] = [[0, 1], [0, 2]];

/**
 * The size order (pure), for a pair of ORDERED_PAIRS. A call costs about a fixed part and a part per
 * element, F + m·n, with F_hi ≥ F_lo: hi is faster where (m_lo − m_hi)·n > F_hi − F_lo, a set of sizes
 * that is empty or holds every size above some. So hi faster at a smaller size (`below`, fasterAt the
 * nearest smaller size class measuring both: -1) is faster at the call's, and lo faster at a larger
 * size (`above`: 1) is faster at the call's. Returns -1 (hi faster here), 1 (lo faster here) or 0:
 * neither verdict, or both (measurements that contradict the order say nothing).
 */
export function sizeOrder(below: -1 | 0 | 1, above: -1 | 0 | 1): -1 | 0 | 1 {
  const hi = below === -1, lo = above === 1;
  return hi === lo ? 0 : hi ? -1 : 1;
}

/**
 * A choice's own order by size (pure): a call costs a fixed part and a part per element, neither below
 * 0, so a choice's time never falls with the size. `mean`, a model's prediction at the call's size
 * (log2 µs, n = 2^log2n), against the choice's own times at the nearest size classes below (c0, l0) and
 * above (c1, l1) that measured it (c −1, l NaN: none): a prediction above its time at the larger size by
 * more than k.ownSlack is the model's misfit here (a linear model over the size's tents bends between
 * the sizes where its choice ran, and extrapolates from them), and the estimate is the line through the
 * two times (F + m·n), or the larger size's time where no smaller size measured it. Such a misfit would
 * keep the choice from calls it wins: the rule never tries a choice estimated far slower. One below
 * the smaller size's time stands: a choice estimated too fast is tried, and its measurement corrects
 * it; nor are those times, a few samples each, trusted closer than the slack. Neighbours that break
 * the order themselves say nothing. 2^x and log2 are Math.exp(x ln 2) and Math.log(x) / ln 2, which
 * the core computes alike, bit for bit (assembly/learn/route-decide.ts ownOrder).
 */
export function ownOrder(mean: number, c0: number, l0: number, c1: number, l1: number, log2n: number, k: RouterParams = ROUTER): number {
  if (l0 > l1 || !(mean > l1 + k.ownSlack)) return mean;
  if (c0 < 0) return l1;
  const line = ownLine(c0, l0, c1, l1, log2n);
  return Number.isFinite(line) ? line : mean;
}

/**
 * A choice's time per element by size (pure): with a fixed part and a part per element, neither below
 * 0, the time per element never grows with the size. Its measurements at the call's size (`here`, log2
 * µs per element) above its own at the nearest smaller size that measured it (`below`) by more than
 * k.bracket standard errors (each sample's variance k.orderVar at least, as in fasterAt) say a pause
 * inflated them, and noise only adds time. Applied to a hardware GPU alone (learn/host-decision.ts):
 * the calling thread and helpers do slow per element once the data leaves the caches.
 */
export function inflatedAbove(below: SizeStats, here: SizeStats, sd: number, k: RouterParams = ROUTER): boolean {
  if (!(below.count > 0 && here.count > 0)) return false;
  const d = here.mean - below.mean, se = Math.sqrt(sampleVar(here, sd, k) + sampleVar(below, sd, k));
  return d > k.bracket * se;
}

/**
 * Whether a choice's measurements at a shape (`here`, log2 µs per element) agree with its own at the
 * nearest smaller size that measured it (`below`): their means within k.agree (RouteView.agrees).
 */
export function agreesBelow(below: SizeStats, here: SizeStats, k: RouterParams = ROUTER): boolean {
  return below.count > 0 && here.count > 0 && Math.abs(here.mean - below.mean) <= k.agree;
}

/**
 * The line through a choice's own times at size classes c0 < c1 (l0 ≤ l1, log2 µs), F + m·n, at n =
 * 2^log2n between them (log2 µs); not finite where the times' exponentials are not (a restored table's
 * absurd means). As the core computes it (assembly/learn/route-decide.ts ownLine), bit for bit.
 */
export function ownLine(c0: number, l0: number, c1: number, l1: number, log2n: number): number {
  const t0 = Math.exp(l0 * Math.LN2), t1 = Math.exp(l1 * Math.LN2), n0 = 2 ** c0;
  const t = t0 + ((t1 - t0) / (2 ** c1 - n0)) * (Math.exp(log2n * Math.LN2) - n0);
  return t > 0 && t < Infinity ? Math.log(t) / Math.LN2 : NaN;
}
