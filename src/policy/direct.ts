// Direct runs: in the single-threaded mode, whether a one-off task (`async`, `asyncAt`) runs at once, in
// the caller's turn, instead of waiting for the worker's next slice. A pure function of the task's
// predicted duration; the worker side is src/worker/direct.ts, the host side src/engine/tasks.ts;
// docs/platforms.md "Single-threaded mode".
//
// Why: with one thread, a deferred task costs that thread its own run plus the deferral (the slot, its
// record and arguments in shared memory, the worker's pop and retire, the completion ring, the host's
// pump) and a promise that stays pending until the caller yields. For a task of a few microseconds the
// deferral costs more than the task, and a burst of them keeps thousands of promises pending, which every
// young-generation collection of the burst copies. Run at once, the same task costs its call and a promise
// born settled. Both ways the one thread runs the task: running it now never adds to the thread's work,
// it moves the task into the caller's turn, which is what the bound limits. A longer task, or one not
// measured yet (the duration predictor of its fingerprint, assembly/learn/predictor.ts), goes to the
// worker's slices as before.

/** The tunables, one reason each. */
export const DIRECT = Object.freeze({
  /**
   * A one-off task runs now when predicted shorter than this (ms). Deferring costs about 1.5–2.5 µs a
   * task (bench/single.mjs, `async(spin, 0)` bursts single-threaded on the 2-core reference machine), so a
   * task of 10 µs loses about 15 % to it and a task of 1 µs more than half; and a caller's burst of tasks
   * this short grows by at most their own time, a few microseconds each.
   */
  maxMs: 0.01,
  /**
   * A direct run reads the clock at most once in this many (a read costs 25–80 ns in Node, a tenth of a
   * short task): a function that became slow still goes back to the slices within maxStride + 3 runs
   * (on a fine clock).
   */
  maxStride: 4,
  /**
   * The same on a coarse clock (policy `readable`: a tick of half the bound or more), where a window can
   * only read long from two ticks on, so reading it more often than once a tick tells little: at most a
   * read every 16 runs.
   */
  coarseStride: 16,
  /**
   * On a coarse clock, the timings of one function that read under two ticks are taken together (policy
   * `amortised`), each later one scaling the weight of those before by 1 − 1/this, so about twice this
   * many decide. A run of d reads one tick with chance d / tick, so their mean varies by about
   * tick · √(d / tick / n) over n of them: with 100 µs ticks, a run of 4 µs reads 4 ± 1.8 µs, seldom the
   * bound, while a run of three times the bound (30 µs) reads as long within about 25 timings. With 32, a
   * function of 2 µs went back to the slices in one of two probes (8 bursts of 200 calls, on the 100 µs
   * clock test/direct-runs-coarse.test.mjs makes); with 64, in none of four.
   */
  coarseWindow: 64,
  /** The fewest such timings of a function taken together before their mean decides (a mean of 0 or one tick before). */
  coarseMin: 8,
});

/**
 * Whether a one-off task predicted to take `predictedMs` (NaN or undefined: not predicted yet) runs now, in
 * the caller's turn. Never before it was measured.
 */
export function runsNow(predictedMs: number | undefined, p: typeof DIRECT = DIRECT): boolean {
  return predictedMs !== undefined && predictedMs >= 0 && predictedMs < p.maxMs;
}

/**
 * Direct runs between two clock reads when each took `perRunMs` (the caller's work between them
 * included), on a clock that ticks every `quantumMs`: as many as fit in half the bound, or on a coarse
 * clock in one tick, so a window of runs normally stays under the bound, and on a coarse clock reads 0 or
 * one tick: a window that reads two ticks or more (readable) then ran long. 1 to maxStride, or to
 * coarseStride on a coarse clock (1 for NaN or a clock that went back).
 */
export function directStride(perRunMs: number, quantumMs = 0, p: typeof DIRECT = DIRECT): number {
  const cap = coarse(quantumMs, p) ? p.coarseStride : p.maxStride;
  const n = Math.floor(Math.max(p.maxMs / 2, quantumMs) / perRunMs);
  return n >= cap ? cap : n >= 1 ? n : 1;
}

/**
 * Whether a direct run's timing of `ms` says anything, on a clock that ticks every `quantumMs`: always on
 * a clock much finer than the bound; on a coarse one (browsers coarsen performance.now() to 5 µs – 1 ms
 * and more), only a timing of two ticks or more, which is long for certain. A short task timed there reads
 * 0 or one whole tick, which would look long as often as it straddles a tick.
 */
export function readable(ms: number, quantumMs: number, p: typeof DIRECT = DIRECT): boolean {
  return !coarse(quantumMs, p) || ms >= 2 * quantumMs;
}

/**
 * Whether a clock that ticks every `quantumMs` is coarse for direct runs: a tick of half the bound or
 * more (NaN and a clock that stands still, Infinity, count as coarse), where a short task timed alone
 * reads 0 or one whole tick.
 */
export function coarse(quantumMs: number, p: typeof DIRECT = DIRECT): boolean {
  return !(quantumMs < p.maxMs / 2);
}

/**
 * The run time (ms) that the timings of a function on a coarse clock tell when no single one can be read
 * (readable: each read 0 or one tick): their mean, `sumMs` over `runs` (both decayed alike, see
 * coarseWindow), or NaN while fewer than coarseMin were taken (`seen`). A run shorter than a tick that
 * starts anywhere in a tick reads one tick with a chance of its length over the tick, else 0, so the
 * mean of many readings is its length: a function of a third of a tick reads a third of a tick on
 * average, where each timing alone reads 0 two times in three.
 */
export function amortised(sumMs: number, runs: number, seen: number, p: typeof DIRECT = DIRECT): number {
  return seen >= p.coarseMin && runs > 0 ? sumMs / runs : NaN;
}
