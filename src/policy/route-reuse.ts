// The reuse of the placement router's decisions (pure): when a decision is settled enough that the next
// calls of its shape take it without deciding (settled), for how many calls (reuseCalls), when a short
// call's decision not yet settled is reused once (early), and when a reused call's time ends it
// (reuseHolds, over the lead heldLead gives). src/learn/router.ts keeps the decisions; tested with
// tables in test/router.test.mjs.
import type { RouteChoice } from './router.js';

/**
 * When and how long a settled decision is reused (src/learn/router.ts), each with its reason.
 * support: the least weight of the chosen route's measurements at the shape before a learned choice
 *   is reused (short calls with a wide lead: earlySupport, below): four measurements (1 + 0.9 + 0.81 +
 *   0.73 with the shape table's discount), the size
 *   order's recheck: fewer let a first measurement a pause inflated, or a try the neighbouring sizes
 *   call for, wait out a reuse (on synthetic costs a weight of 1.5 or 2.5 lost to it with a GPU, and
 *   one measurement where the choice led by 4×: a GPU's estimate jumps once its trend is known).
 * far: and, where the choice is not the static rule's, on calls long enough for the shape's tries
 *   (ROUTER.tryUs), every other choice measured at the shape, ruled out there by the size order, or
 *   estimated this many bits behind (2×; a try pays only within 0.55 bit, worthTrying): a choice only
 *   a model's extrapolation keeps out is left to the next decisions' tries (in the placement bench, a
 *   reused decision held helpers on scan 2^16 for 20 calls at 2.2× the calling thread's time, never
 *   measured there and estimated 1 bit behind). At 2 bits the synthetic GPU's lock-ins changed seeds.
 * calls: at most this many calls of the shape reuse it; the next decides, and learns, again.
 * least: at least this many, whatever the call's length: a decision's lesson (the model's update, the
 *   tries) is worth as much on a long call as on a short one, and what it costs adds to the makespan
 *   on any call; a route that loses its lead meanwhile ends the reuse at once (drift).
 * decideUs: what deciding a call and folding its time in cost the host when their code and data are
 *   cold after other calls, as in a mixed workload: 30–40 µs on a 2-core VM when this was set
 *   (route() 28–36 µs, observe 3–4 µs; about 3 µs alone in a loop). The placement bench now measures
 *   60–75 µs (placement().routing), but 70 here, with longer reuse on calls of 0.2–2 ms, put off the
 *   retries there: the router test's GPU-with-pauses costs went from 1.121 to 1.126× the oracle's
 *   makespan over its 10 seeds (its bound is 1.12).
 * share: the part of a call's time its decision may cost, amortised over the calls that reuse it.
 * drift: the share of its lead (RouteChoice.margin) by which the chosen route's mean at the shape may
 *   rise over the reused calls before the shape decides again (reuseHolds; a call that alone lost the
 *   lead ends it at once): the mean moves by a clipped step per call, so slower calls that each kept
 *   the lead add up to it. On synthetic costs whose helpers slow 10× midway (router-synthetic drift,
 *   30 seeds), makespan over the oracle's: reuse ended by the mean alone at 0.25 of the lead 1.044,
 *   at 1 1.055, never 1.058 (these three with a support of 1.5); with the call's own check as well
 *   1.034; deciding every call 1.029.
 * lead: the lead counted at most (log2, 4×): a route far ahead still decides again after a call 4× its
 *   mean or a mean 1.41× higher.
 * blind: the lead a decision is held to where its runner-up has no estimate at all (an infinite lead;
 *   heldLead): 1 bit, so a call over 2× the route's mean, or a mean 1.19× higher, ends it. Counted as
 *   `lead`, helpers that slowed 3.5× on the synthetic drift (a fixed part 10× as long) kept a reuse of
 *   9 calls at 2^20, the calling thread never measured there (bench/RESULTS.md, "Short calls settled
 *   on two measurements, and a blind lead held to 2×").
 * shortUs, wide, earlySupport: on calls the route measured under shortUs µs at the shape (ROUTER.tryUs:
 *   below it the shape's own tries and the retries of first samples wait for longer calls, and a better
 *   choice saves a few µs), a lead of `wide` bits or more (2.8×) settles the decision at a weight of
 *   earlySupport (two measurements), not four: a pause that inflated the runner-up's first sample
 *   still leaves the chosen route ahead or within a few µs, and the reused calls' own times end the
 *   reuse where they close the lead.
 * earlyCalls: on such short calls, a learned choice with a lead, measured at the shape with a weight of
 *   earlySupport or more but not settled, is reused for this many calls (no streak starts from it):
 *   before it settles a shape decided every call, four or five cold decisions of 60–100 µs in a row.
 *   On longer calls it would put off the tries and retries the rule makes there: with a hardware GPU
 *   among the choices and pauses (test/router.test.mjs makespan()), one seed of 30 ran 2.0× the
 *   oracle's makespan (1.10× before), the reused call the one where the GPU would have been tried at
 *   2^22, never measured there after.
 *   The three together, on the synthetic costs (router-synthetic --reuse, 30 seeds): 2–16 % fewer
 *   decisions, mean makespans within 0.0011 of before or better except contended (+0.003) and
 *   late-crossover (+0.010; fewer decided calls on its short size teach the models less), and two
 *   worse worst seeds (late-crossover, late-pauses). With routing priced in as the placement bench
 *   measured it (--routing 70,17), 10 scenarios of 11 gain (bench/RESULTS.md, "Short calls settled on
 *   two measurements, and a blind lead held to 2×").
 * grow: a decision that settles on the route the shape's last settled decision took, after that
 *   one's reuses ran out with no call losing the lead and the shape kept its row (a streak), may be
 *   reused twice as many calls as the last, up to 2^grow · calls, as far as the share allows: 14
 *   reuses on calls under about 0.13 ms, 28 under 70 µs, 56 under 35 µs. There a cold decision (30–90
 *   µs) costs about as much as the call or more, and a shape that keeps deciding the same pays for
 *   fewer of them; one whose route lost its lead starts again from `calls`. A long call's reuse stays
 *   as the share gives it: its decisions cost little beside it, and they are where a choice first
 *   measured in a pause is tried again (growing those too, a hardware GPU first measured in a pause ran
 *   1.43× the oracle's makespan in a seed where it ran 1.35×). On the synthetic costs (router-synthetic
 *   --reuse, 30 seeds): 9–31 % fewer decisions (clean 104 → 80 of 500, drift 158 → 109 of 800,
 *   crossover-pauses 109 → 99), mean makespans over the oracle's within 0.002 of before (drift 1.0344
 *   → 1.0335, late-crossover 1.0188 → 1.0205); late-crossover's oracle decisions 0.905 → 0.892 and its
 *   median lock-in 14 → 22 calls, crossover-pauses' worst seed 1.1710 → 1.1772.
 */
export const REUSE = Object.freeze({ support: 3.4, shortUs: 100, wide: 1.5, earlySupport: 1.8, earlyCalls: 1, far: 1, calls: 7, least: 3, decideUs: 40, share: 0.02,
  drift: 0.25, lead: 2, blind: 1, grow: 3 });
export type ReuseParams = typeof REUSE;

/**
 * Whether a decision is settled enough to be reused: the models chose it (not the static rule for
 * want of a margin, not a try), no other choice is left that the next decisions might try (its lead,
 * RouteChoice.margin, is a number), and the shape holds `weight` ≥ k.support of the chosen route's
 * measurements — or, on a call the route measured under k.shortUs µs there (`callUs`), k.earlySupport
 * with a lead of k.wide bits or more. A low confidence does not bar it: the next call would decide the
 * same from the same evidence, and the reused calls' own times end the reuse where they close the
 * lead (reuseHolds).
 */
export function settled(choice: RouteChoice, weight: number, callUs: number, k: ReuseParams = REUSE): boolean {
  return choice.reason === 'learned' && (choice.margin as number) >= 0 && (weight >= k.support || (early(choice, weight, callUs, k) && (choice.margin as number) >= k.wide));
}

/**
 * Whether a decision that is not settled is still reused for k.earlyCalls calls: the models chose it
 * with a lead of 0 or more (as settled asks), on a call the route measured under k.shortUs µs at the shape
 * (`callUs`), and the shape holds `weight` ≥ k.earlySupport of its measurements.
 */
export function early(choice: RouteChoice, weight: number, callUs: number, k: ReuseParams = REUSE): boolean {
  return choice.reason === 'learned' && (choice.margin as number) >= 0 && callUs < k.shortUs && weight >= k.earlySupport;
}

/** The lead (log2) a reused decision is held to (reuseHolds): its margin, or k.blind where that is infinite (no estimate of the runner-up). */
export const heldLead = (margin: number, k: ReuseParams = REUSE): number => (margin === Infinity ? k.blind : margin);

/**
 * Calls that reuse a settled decision whose route measured `callUs` µs at the shape: as many as bring
 * one decision per (reuses + 1) calls under `share` of their time, at most `calls`, and at least
 * `least` however long the call (from about decideUs / (share · (least + 1)), 0.5 ms, up); the most,
 * `calls`, doubled for each decision of the `streak` (see REUSE.grow), at most k.grow times.
 */
export function reuseCalls(callUs: number, streak = 0, k: ReuseParams = REUSE): number {
  if (!(callUs > 0 && callUs < Infinity)) return 0;
  const calls = streak > 0 ? k.calls * 2 ** Math.min(Math.floor(streak), k.grow) : k.calls;
  return Math.max(k.least, Math.min(calls, Math.ceil(k.decideUs / (k.share * callUs)) - 1));
}

/**
 * The streak of a decision that settles on `route` (reuseCalls): one more than the shape's last
 * settled decision's where that one took the same route and its reuses ran out with the lead kept
 * (`ended` false: no call lost it), else 0. `last`: undefined where the shape's last decision was
 * reused by no call; an early reuse's (streak -1) gives 0.
 */
export function streakAfter(last: { route: string; streak: number; ended: boolean } | undefined, route: string): number {
  return last !== undefined && !last.ended && last.route === route ? last.streak + 1 : 0;
}

/**
 * Whether a reused decision still holds after one of its calls, whose time was `jump` (log2) above the
 * chosen route's mean at the shape when it was decided, and moved that mean by `moved` since: the
 * decision's lead over the next choice was `margin` (log2), counted up to k.lead. It holds while the
 * call alone did not lose the lead (a route that got slower shows it at its first call; a pause
 * only where the lead is narrow) and the mean rose by at most k.drift of it (slower calls that each
 * kept it); else the shape's next call decides again.
 */
export function reuseHolds(jump: number, moved: number, margin: number, k: ReuseParams = REUSE): boolean {
  const lead = Math.min(margin, k.lead);
  return jump <= lead && moved <= k.drift * lead;
}
