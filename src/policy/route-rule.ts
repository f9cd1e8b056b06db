// The placement router's decision rule (pure): over the candidates, the static rule's choice and each
// candidate's view (router.ts RouteView), which choice a call takes and why. Its tries and retries
// are in route-tries.ts, the margin a reused decision keeps in route-reuse.ts. Tested with tables and
// synthetic costs (test/router.test.mjs).
import { ROUTER, ROUTES, type RouteChoice, type RouteInput, type RouterParams, type RouteView } from './router.js';
import { retryAfter, shapeNoise, worthTrying } from './route-tries.js';
import { REUSE } from './route-reuse.js';

/**
 * The decision rule: pure, over the candidates, the static rule's choice, each candidate's view (by
 * ROUTES index) and two uniform random numbers in [0, 1). Without views (learning off) it is the static rule.
 */
export function decideRoute(p: Pick<RouteInput, 'candidates' | 'fallback'> & Partial<Pick<RouteInput, 'software'>>, views: readonly (RouteView | undefined)[] | undefined,
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
    // size, and one whose nearest measurement shares a tent with the call is that extrapolation with a
    // spread as large as its errors were. Its own trend over the op's smaller sizes is a prior of its own
    // (k.trendVar), combined with the model's by their precisions.
    const s2 = shapeNoise(v, k);
    const near = v.support >= k.minSupport, trend = Number.isFinite(v.trend);
    const am = near ? 1 / Math.max(v.spread * v.spread, k.minVar) : 0, at = trend ? 1 / k.trendVar : 0;
    const a = am + at;
    const mean = at > 0 ? (am * v.mean + at * (v.trend as number)) / a : v.mean;
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
  // faster here by the size order. The static rule's choice is never judged far slower by its model
  // alone: without evidence near the call that is an extrapolation from where it ran (helpers tried on
  // small calls, where their fixed cost loses, would be called slow at every size), and the plain twin
  // takes it on every call
  for (let j = -1; j < n; j++) {
    const i = j < 0 ? f : j;
    if (i < 0 || (j >= 0 && i === f)) continue;
    const v = vs[idx[i]];
    if (vars[i] < Infinity || (beaten & (1 << i)) !== 0) continue;
    if (i !== f && known >= 0 && v.samples >= k.judgeAfter && (cost[i] > cost[known] + k.hopeless
      || !worthTrying(cost[i] - cost[known], Math.sqrt(Math.max(v.spread * v.spread, k.minVar) + vars[known]), k))) continue;
    if (i !== f && v.samples < k.judgeAfter && f >= 0 && 2 ** cost[f] > k.cheapUs) continue;
    // nor a software adapter whose model, from the samples it has, already puts this call past
    // k.cheapUs: a try costs the adapter's time, not the static rule's choice's (one at scan 2^18, a
    // 70 µs call on the calling thread, took 19.6 ms), and such an adapter runs on the same cores
    if (p.software === true && i !== f && cands[i] === 'gpu' && v.samples >= 1 && v.samples < k.judgeAfter && 2 ** cost[i] > k.cheapUs) continue;
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
  // holds at any length (and a short call is where a pause weighs most). First samples that agree with
  // the choice's own time per element at a smaller size (RouteView.agrees: a pause would have put them a
  // bit or more above it) wait for the later ones' budget too, where that is longer
  for (let i = 0; i < n; i++) {
    const v = vs[idx[i]], c = v.shapeCount;
    if (i === top || (beaten & (1 << i)) !== 0 || !(c >= 1) || (c < k.recheck && 2 ** cost[top] < k.tryUs)) continue;
    const d = v.shapeMean - cost[top];
    const after = v.agrees === true ? Math.max(retryAfter(c, d, k), retryAfter(k.recheck, d, k)) : retryAfter(c, d, k);
    if (d <= k.retryBits && v.shapeWeight < k.gamma ** after) return { route: cands[i], reason: 'explore', confidence: 0 };
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
  // learn what would settle the tie. So is a hardware GPU (the one choice with a trend) with fewer than
  // recheck measurements here: its estimate rests on a trend and a measurement or two, one of which a
  // pause may have inflated (the retries measure again only a choice estimated slower than the best)
  const vt = vs[idx[top]];
  if (vs[idx[f]].shapeCount > 0 && (vt.shapeWeight < k.shapeTry || (Number.isFinite(vt.trend) && vt.shapeCount < k.recheck)) && 2 ** cost[f] >= k.tryUs && worthTrying(cost[top] - cost[f], se, k)) return { route: cands[top], reason: 'explore', confidence: 0 };
  return { route: fallback, reason: 'fallback', confidence };
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
