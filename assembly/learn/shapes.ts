// The placement router's per-shape measurements (src/learn/router.ts feeds them, policy/router.ts
// decides with them): for each call shape the host maps to a row (op, size class, choices open), the
// discounted mean and variance of every choice's measured log2 time per element. The linear models of
// router.ts generalise across shapes; these rows say what each choice actually took at this shape, so
// the rule can compare two choices by their measured means once both have samples (a bandit per shape).
//
// Each observation of a row first discounts every choice in it by gamma (weight and m2 × gamma), then
// folds the sample into the observed choice with a weighted Welford step (West 1979, "Updating mean and
// variance estimates", CACM 22(9)):
//   W ← W + 1;   δ = y − mean;   mean ← mean + δ / W;   m2 ← m2 + δ (y − mean)
// A choice not taken loses weight as its row is observed, so the rule retries it after a while (the
// discounted UCB of Garivier & Moulines 2008), and a workload that drifts is followed within about
// 1 / (1 − gamma) calls of the shape. A δ above the mean is clipped at `lim` (the host's 3 σ) once the
// choice has a sample: one call a busy machine slowed 5× moves the mean by a bounded step. One below is
// not, and it moves the mean by at least `down` (0.5) of the way rather than 1 / W: timing noise on a
// shared machine is one-sided (preemption, a collection, a neighbour's load add time; nothing takes it
// away), so a fast call is evidence of what the choice costs, and a first sample that a pause inflated
// is corrected by the next ordinary ones.
//
// Owner-only: the host thread times the calls and observes them, so every word is a plain load or store;
// no other thread reads the block.
import { ShapeBlock, ShapeStat } from "../layout";

// @ts-ignore: decorator
@inline function statAt(b: usize, slot: u32, o: u32): usize {
  const h = changetype<ShapeBlock>(b);
  return b + offsetof<ShapeBlock>() + (<usize>slot * h.options + o) * offsetof<ShapeStat>();
}

/** Bytes of a block of `slots` rows of `options` choices. */
export function shapeSize(slots: u32, options: u32): usize {
  return offsetof<ShapeBlock>() + <usize>slots * options * offsetof<ShapeStat>();
}

/** Owner, on a block of shapeSize bytes: configuration, every row empty. */
export function shapeInit(b: usize, slots: u32, options: u32, gamma: f32, down: f32): void {
  const h = changetype<ShapeBlock>(b);
  h.slots = slots; h.options = options; h.gamma = gamma; h.down = down; h.updates = 0;
  memory.fill(b + offsetof<ShapeBlock>(), 0, <usize>slots * options * offsetof<ShapeStat>());
}

/** Owner: row `slot` emptied (a new shape takes it). */
export function shapeReset(b: usize, slot: u32): void {
  const options = changetype<ShapeBlock>(b).options;
  memory.fill(statAt(b, slot, 0), 0, <usize>options * offsetof<ShapeStat>());
}

/** Choice o's stats at row `slot` (the host reads weight, mean, m2 and count there). */
export function shapeStat(b: usize, slot: u32, o: u32): usize { return statAt(b, slot, o); }

/**
 * Owner: folds y (log2 µs per element) measured for choice o into row `slot`, after discounting the
 * row. `lim` > 0 clips the step's deviation above the mean at lim. 1 applied; 0 refused (y or lim not finite, or a
 * slot or choice out of range), the row untouched.
 */
export function shapeObserve(b: usize, slot: u32, o: u32, y: f32, lim: f32): i32 {
  const h = changetype<ShapeBlock>(b);
  if (!isFinite(y) || !isFinite(lim) || slot >= h.slots || o >= h.options) return 0;
  const g = h.gamma;
  for (let i: u32 = 0; i < h.options; i++) {
    const s = changetype<ShapeStat>(statAt(b, slot, i));
    s.weight *= g; s.m2 *= g;
  }
  const s = changetype<ShapeStat>(statAt(b, slot, o));
  const w = s.weight + 1;
  let d = y - s.mean;
  if (s.count > 0 && lim > 0) d = min(d, lim);   // above the mean only; the first sample is the mean
  // a sample below the mean moves it by at least `down` of the way (as the history of src/learn/router.ts
  // follows a cheaper measurement fast): a mean a pause inflated comes down within a call or two
  const step = d < 0 ? min(d / w, d * h.down) : d / w;
  const mean = s.mean + step;
  s.m2 += d * (s.mean + d - mean);   // δ (y' − mean'), y' = mean + δ the clipped sample
  s.mean = mean;
  s.weight = w;
  s.count++;
  h.updates++;
  return 1;
}
