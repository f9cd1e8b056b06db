// The pipeline's scheduling rules as pure functions of its counters (no threads, no promises), so they
// can be checked with tables (test/pipeline.test.mjs) and read in one place. flow.ts applies them.

/**
 * Whether to pull the next item from the source now: only while no pull is in progress (async iterators
 * answer one next() at a time), the source is not exhausted, the pipeline is not stopping, and a line is
 * free. `held` counts tokens holding a line: pulled (or being pulled) and not yet completed — in the sink
 * form, not yet taken by the consumer. This is the backpressure: the source runs at most `lines` ahead.
 */
export function mayPull(stopping: boolean, exhausted: boolean, pulling: boolean, held: number, lines: number): boolean {
  return !stopping && !exhausted && !pulling && held < lines;
}

/**
 * Whether a token may start at a stage now. A parallel stage takes any token at once. A serial stage takes
 * the token whose turn it is (`turn`: one more than the last token it finished; tokens are numbered in
 * source order) and only while it is not already running one.
 */
export function mayEnter(serial: boolean, busy: boolean, turn: number, token: number): boolean {
  return !serial || (!busy && turn === token);
}

/**
 * Whether a flow has nothing left that could change its outcome, so it can settle. Never while a stage
 * call, a pull or the source's return() is in flight. A stopping flow (error, cancel, consumer gone) is
 * over then; a flow that is not stopping also needs its source exhausted, every held token completed
 * (`waiting` = completed outputs the sink form still holds for its consumer; they do not keep it open)
 * and no token deferred (`deferred`: deferred tokens and ready ones, which hold no line).
 */
export function isOver(calls: number, pulling: boolean, closing: boolean, stopping: boolean, exhausted: boolean,
  held: number, waiting: number, deferred = 0): boolean {
  if (calls > 0 || pulling || closing) return false;
  return stopping || (exhausted && held === waiting && deferred === 0);
}
