// maxQueue: a bound on tasks submitted and not yet started, with backpressure. "Queued" is what no worker
// has taken yet: async/submit tasks waiting on the host for a task slot, plus tasks and run seeds
// waiting in the core's submission queues (queuedLength: an atomic read of each queue's ends, a snapshot).
// A submission that finds the queue full is refused at once with a QueueFullError (nothing is
// accepted and then dropped); `needsDrain` says so before trying, and `drained()` resolves once the
// queue is down to half of maxQueue (a low-water mark, so a producer that waits resumes with room for
// a batch, not for one task). The host learns that workers took tasks when completions arrive, so the
// check runs after each completion batch (and when nothing is left in flight).
import { messages, QueueFullError } from '../errors.js';
import type { SharedCore } from './memory.js';

/** Host thread only. */
export class Backpressure {
  readonly #max: number;
  readonly #core: SharedCore;
  readonly #hostQueued: () => number;
  #waiters: (() => void)[] = [];

  /** max 0: no bound. hostQueued: submissions the host holds back (waiting for a task slot). */
  constructor(core: SharedCore, max: number, hostQueued: () => number) {
    this.#core = core;
    this.#max = max;
    this.#hostQueued = hostQueued;
  }

  /** Tasks submitted and not yet started. */
  get queued(): number { return this.#hostQueued() + this.#core.x.queuedLength(); }

  /** The queue is at maxQueue: the next submission would be refused. */
  get needsDrain(): boolean { return this.#max > 0 && this.queued >= this.#max; }

  /** The error to refuse a submission with (op: the call, for the message), or undefined if it fits. */
  refuse(op: string): QueueFullError | undefined {
    if (this.#max === 0) return undefined;
    const n = this.queued;
    return n >= this.#max ? new QueueFullError(messages.queueFull(op, this.#max, n), this.#max) : undefined;
  }

  /** Resolves once the queue is at or below half of maxQueue (at once if it already is, or unbounded). */
  drained(): Promise<void> {
    if (this.#max === 0 || this.queued <= this.#max >> 1) return Promise.resolve();
    return new Promise((r) => this.#waiters.push(r));
  }

  /** The executor stopped: nothing will drain any more, so nobody may wait for it. */
  release(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }

  /** After completions (workers took tasks): resolves drained() waiters if the queue is low enough. */
  check(): void {
    if (this.#waiters.length === 0 || this.queued > this.#max >> 1) return;
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }
}
