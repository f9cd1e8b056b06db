// Direct runs in the single-threaded mode (src/policy/direct.ts says when and why): the host's Tasks asks
// the worker that runs on its own thread to run a one-off task now, in the caller's turn. The host opens
// the seat when its engine is made, before the worker starts; the worker, on the same thread, finds it by
// the core's memory, takes it once it runs tasks (src/worker/direct.ts) and leaves it when it stops. The
// seat never crosses a thread: it is an object of the host's realm, read and written by that thread only.

/** How a direct run went. */
export const enum Direct {
  /** Not run: the task waits for the worker as any other (not predicted short, not the worker's turn, …). */
  NotRun = 0,
  /** Ran and returned: `out` is its value, as it crossed (codec.crossed). */
  Value = 1,
  /** Ran and threw: `out` is the plain error record (errors.ts PlainError), as the worker would have written it. */
  Failed = 2,
  /**
   * Ran and returned a promise: `out` settles with its value as it crossed, or rejects with the plain error
   * record; the task is not done until then.
   */
  Pending = 3,
}

/** The worker's side of a seat. */
export interface DirectRunner {
  /** Runs function `id` with `args` (read during the call only) now, if it may; `out` holds the outcome. */
  run(id: number, args: readonly unknown[]): Direct;
  readonly out: unknown;
  /** Drops what it kept of the predictions: the table was reset or restored (learn/models.ts). */
  forget(): void;
}

/** Where the worker on the host's thread offers direct runs; empty while it does not run tasks. */
export class DirectSeat {
  runner: DirectRunner | undefined = undefined;
}

const seats = new WeakMap<object, DirectSeat>();

/** Host: the seat for the single-threaded executor over `memory` (its core's WebAssembly.Memory). */
export function openSeat(memory: object): DirectSeat {
  const seat = new DirectSeat();
  seats.set(memory, seat);
  return seat;
}

/** Worker: the seat its host opened over `memory`, if it runs on the host's thread. */
export function seatOf(memory: object): DirectSeat | undefined {
  return seats.get(memory);
}
