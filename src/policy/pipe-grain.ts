// The grain of a pipeline's parallel worker stage: how many ready tokens one task takes (docs/pipelines.md
// "Grain"), from the stage's learned cost per token. Pure functions of numbers, tested with tables
// (test/pipeline-grain.test.mjs); src/pipeline/grain.ts reads the cost and applies them.
import { perItemShape } from './learning.js';

/**
 * The fingerprint shape of a stage's cost per token: a per-item entry (ns per call of the stage's
 * function) of size class 0. A parallel algorithm never fills that one (a call over 0 items measures
 * nothing), so the two kinds of per-item cost never share an entry.
 */
export const PIPE_TOKEN_SHAPE = perItemShape(0);

/**
 * Tunables, each with its reason.
 * DISPATCH_NS: what one stage call as a task of its own costs the host beyond the function: a task slot,
 *   the record and its arguments, two queue hops and a promise, plus the flow's bookkeeping. 3–5 µs a
 *   token with number inputs on the shared 2-core VM (bench/history/2026-11.md, "one line per token"),
 *   more with strings; 5 µs is the figure the threshold is stated against.
 * BATCH_BELOW_NS: batch only when a token's call is predicted under half a dispatch, i.e. when the hop
 *   costs the token more than twice its own work. Above it a token keeps its own task: a batch runs
 *   its tokens one after the other on one worker, which costs parallelism a longer call would use.
 * TARGET_BATCH_NS: a batch lasts about this long (the parallel algorithms' TARGET_CHUNK_NS): one
 *   dispatch per 50 µs of work keeps its cost near 10 % and still ends soon after a stop.
 * MAX_GRAIN: a bound for a cost near the timer's resolution (or measured as 0); lines bound it anyway.
 * MIN_SAMPLES: batches measured before the learned cost is trusted (GRAIN_MIN_SAMPLES's reasoning: a
 *   cost off by 2× still makes batches of 25 to 100 µs, both fine).
 */
export const DISPATCH_NS = 5_000;
export const BATCH_BELOW_NS = DISPATCH_NS / 2;
export const TARGET_BATCH_NS = 50_000;
export const MAX_GRAIN = 4096;
export const MIN_SAMPLES = 4;
/**
 * SAMPLE_EVERY: while a learned stage runs a task per token, one token in this many still goes as a batch
 * of one, which times its call: the cost stays known (a stage that gets cheaper starts batching within
 * MIN_SAMPLES · SAMPLE_EVERY tokens). A measured call costs a few µs more than a task of the stage's
 * function; at 1 in 8 a stage of ~50 µs tokens ran 1.08× slower than at grain 1 in quiet runs of
 * bench/pipe-grain.mjs, so 1 in 16.
 */
export const SAMPLE_EVERY = 16;

/**
 * Tokens per task for a stage whose calls were measured `samples` times at `nsPerToken` (the 1€ value):
 * 1 (a task per token) until MIN_SAMPLES measures, or when a call is not much shorter than a dispatch
 * (BATCH_BELOW_NS or more, or no finite cost); else enough tokens for TARGET_BATCH_NS, at most MAX_GRAIN.
 */
export function learnedPipeGrain(samples: number, nsPerToken: number): number {
  if (!(samples >= MIN_SAMPLES) || !(nsPerToken >= 0) || nsPerToken >= BATCH_BELOW_NS) return 1;
  return Math.max(1, Math.min(MAX_GRAIN, Math.floor(TARGET_BATCH_NS / Math.max(nsPerToken, 1))));
}

/** Whether the token numbered `count` among those a learned stage sends one per task is measured (a batch of one). */
export function sampled(count: number): boolean {
  return count % SAMPLE_EVERY === 0;
}

/** The plain twin: a task per token, whatever is known (`learning: false`, serial and host stages). */
export function plainPipeGrain(): number {
  return 1;
}

/**
 * How many of the `ready` tokens queued at a stage one task takes now, at grain `grain`: never more than
 * are ready (a batch does not wait to fill), never more than the grain.
 */
export function batchSize(grain: number, ready: number): number {
  return Math.max(0, Math.min(grain, ready));
}
