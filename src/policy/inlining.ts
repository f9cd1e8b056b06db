// Predictive inlining of spawned children (lazy task creation): whether `this.spawn(fn, …)` makes a job or
// calls fn at once on the spawner's stack, as a pure function of the child's predicted duration and of
// whether a thief is hungry. The worker side is src/worker/forecast.ts (predictions, the hungry signal) and
// src/worker/lazy.ts (running a child inline); docs/learning.md "Inlining spawned children".
//
// The field: lazy task creation (Mohr, Kranz & Halstead 1991) and Cilk's work-first principle run a
// spawned child at once and leave the parent's continuation for thieves; heartbeat scheduling (Acar,
// Charguéraud & Rainey, PLDI 2018) runs every spawn as a plain call and promotes the oldest latent one
// to a real task once per heartbeat, which bounds the overhead of task creation by a constant factor of
// the work. JavaScript cannot hand a running frame's continuation to another thread, so beatflow cannot
// promote a spawn it already ran inline: it decides at each spawn, from a prediction, whether the child
// is worth a job (Duran et al.'s adaptive cut-off, SC 2008, profiles task sizes per recursion depth to
// the same end). Children predicted too short to pay for a job run inline; children big enough to feed
// a thief run inline only while no thief is hungry; children predicted long, or not predicted yet, are
// always jobs. So nothing runs inline before it was measured short, and a spawned child that waits for
// something its parent does after the spawn (which inlining would deadlock) is never inlined: it never
// finished short.

/** The tunables, one reason each. */
export const INLINING = Object.freeze({
  /**
   * What a real child costs beyond its own call (ms): a slot and its record, the deque push, a pop or a
   * steal, the retire in Wasm, the join reading and freeing it. Measured with bench/forkjoin.mjs, learning
   * off, fib at 1 worker: 200–300 ns a task, of which the call itself is a few ns.
   */
  spawnCostMs: 250e-6,
  /**
   * A child is worth a job (`Zone.Large`) from this many spawn costs of predicted work (8 µs): the job
   * then costs at most 1/32 of the work it carries, the amortization heartbeat scheduling bounds, and a
   * thief that takes it works for several steal rounds.
   */
  grainFactor: 32,
  /** Child frames of a level timed before sampling thins out: a new level is learned at once. */
  sampleFirst: 16,
  /**
   * Then one child frame in this many per level is timed: a sample costs about 200 ns (two clock reads of
   * ~50 ns, a fold in Wasm), under 1 ns a child amortized; a deep level of fib(30) still gets ~2000 a run.
   */
  sampleEvery: 256,
  /**
   * Except children predicted (or not yet predicted) at least this long (ms), timed every time: a sample
   * costs them under 1 %, and the few big frames of the top levels keep their prediction current.
   */
  sampleAboveMs: 0.02,
});

/**
 * How a spawn is treated, from the child's predicted duration. A plain object, not a const enum, so tests
 * read it from the build.
 */
export const Zone = Object.freeze({
  /** Shorter than a spawn costs: always inline (a thief given it would lose more than it gains). */
  Tiny: 0,
  /** Between: inline unless a thief is hungry and the spawner's deque holds nothing it could take. */
  Small: 1,
  /** Long enough to be worth a job, or not predicted yet: always a job. */
  Large: 2,
} as const);
export type Zone = (typeof Zone)[keyof typeof Zone];

/** The zone of a child predicted to take `predictedMs` (NaN: no prediction yet). */
export function zoneOf(predictedMs: number, t: { spawnCostMs: number; grainFactor: number } = INLINING): Zone {
  if (!(predictedMs >= 0)) return Zone.Large;   // NaN (unknown) or negative: never run blind
  if (predictedMs < t.spawnCostMs) return Zone.Tiny;
  return predictedMs < t.spawnCostMs * t.grainFactor ? Zone.Small : Zone.Large;
}

/** Whether a child of `zone` runs inline; `hungry`: another worker is idle and the spawner's deque is empty. */
export function runsInline(zone: Zone, hungry: boolean): boolean {
  return zone === Zone.Tiny || (zone === Zone.Small && !hungry);
}

/**
 * Child frames to let pass before the next one timed, after `timed` frames of its level were, for a child
 * predicted to take `predictedMs` (NaN: not yet): 1 is every frame.
 */
export function sampleGap(timed: number, predictedMs: number, t: { sampleFirst: number; sampleEvery: number; sampleAboveMs: number } = INLINING): number {
  return timed < t.sampleFirst || !(predictedMs < t.sampleAboveMs) ? 1 : t.sampleEvery;
}
