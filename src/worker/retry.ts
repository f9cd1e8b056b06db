// Retries of graph tasks (task.retries(n): Task.flags bits 16–23 hold the retries left). A failing
// graph task with retries left is suspended like an async task (suspend.ts), on a promise that resolves
// to RERUN after the backoff; resuming it runs it again from the start (run.ts resume). A worker
// helping inside a join cannot wait out a backoff: there the task runs again at once (join.ts
// runNested). Its failures so far are counted by slot, until it finishes one way or the other.
import { RETRY_SHIFT } from '../engine/placement.js';
import { retryDelayMs } from '../policy/scheduling.js';
import { CancelledError } from '../errors.js';
import type { Thread } from './thread.js';
import type { Tokens } from './cancel.js';

/** Task.flags bits 16–23: the retries left to a graph task. */
const RETRY_BITS = 0xff << RETRY_SHIFT;

/** What a retried task's backoff promise resolves to: resume it by running it again. */
export const RERUN = Symbol('rerun');

export interface Retries {
  /** Task t (record p) failed with e: its retry number if it is to run again, else 0 (and its count is dropped). */
  retryNumber(t: number, p: number, e: unknown): number;
  /** For task t (record p) that failed with e: a promise of RERUN after the backoff, or undefined when it is not retried. */
  retryLater(t: number, p: number, e: unknown): Promise<unknown> | undefined;
  /** Task t (with `flags`) finished: a retried one that succeeded forgets its count. */
  finished(t: number, flags: number): void;
}

export function createRetries(th: Thread, { stopReason }: Tokens): Retries {
  const { core } = th, T_flags = th.T_flags;
  /** Failures so far of the graph tasks being retried, by slot. */
  const failures = new Map<number, number>();

  function retryNumber(t: number, p: number, e: unknown): number {
    const max = (core.u32[(p >> 2) + T_flags] >>> RETRY_SHIFT) & 0xff;
    if (max === 0) return 0;
    const n = (failures.get(t) ?? 0) + 1;
    if (n > max || e instanceof CancelledError || stopReason(t) !== undefined) { failures.delete(t); return 0; }
    failures.set(t, n);
    return n;
  }

  return {
    retryNumber,
    retryLater(t, p, e) {
      const n = retryNumber(t, p, e);
      if (n === 0) return undefined;
      return new Promise((resolve) => setTimeout(() => resolve(RERUN), retryDelayMs(n, {}, Math.random())));
    },
    finished(t, flags) {
      if ((flags & RETRY_BITS) !== 0) failures.delete(t);
    },
  };
}
