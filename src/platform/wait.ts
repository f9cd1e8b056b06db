// Waiting for a word of shared memory to change without blocking the thread: the two ways an adapter
// implements Platform.waitAsync. The host's completion pump (engine/completions.ts) and a worker that
// must not block (worker/suspend.ts sleepAsync, worker/cancel.ts signals) wait this way.
import { waitAsync } from './wait-async.js';

/**
 * Atomics.waitAsync: a notify from any thread ends it. `cancel` cannot withdraw it: it ends at its notify.
 * Where the runtime has no Atomics.waitAsync (older browsers), wait-async.ts's poll stands in for it.
 */
export function atomicsWait(i32: Int32Array, index: number, value: number): Promise<void> {
  const r = waitAsync(i32, index, value);
  return r.async ? r.value.then(() => undefined) : Promise.resolve();
}

/** Checks on consecutive turns before a poll starts pausing between checks. */
const BUSY_TURNS = 32;
/** The longest pause between two checks (ms): the most an idle wait adds to the wake-up it waits for. */
const MAX_PAUSE_MS = 8;

/**
 * A waitAsync that polls: the word is checked on each turn of the event loop (`turn`), and after
 * BUSY_TURNS checks, after pauses of 1, 2, 4 … MAX_PAUSE_MS ms. For a runtime whose Atomics.waitAsync
 * cannot be relied on (workerd: a notify's resolution waits for an unrelated event, a timeout never
 * fires, and a request left with only a waitAsync pending is cancelled as hung). Sound only where every
 * write to the words waited on is made on this thread, between turns: the single-threaded mode, the only
 * one such a runtime runs. Counted in turns, not time: a runtime may stop its clock while code runs.
 * Each wait polls on its own: a runtime that drops the timers of a finished request (workerd) stops only
 * the waits of that request. `cancel` ends the wait at its next check.
 */
export function pollingWait(turn: () => Promise<void>): (i32: Int32Array, index: number, value: number, cancel?: AbortSignal) => Promise<void> {
  return async (i32, index, value, cancel) => {
    let checks = 0;
    let pause = 0;
    while (Atomics.load(i32, index) === value && cancel?.aborted !== true) {
      if (pause === 0) await turn();
      else await new Promise((r) => setTimeout(r, pause));
      if (++checks >= BUSY_TURNS) pause = Math.min(MAX_PAUSE_MS, Math.max(1, pause * 2));
    }
  };
}
