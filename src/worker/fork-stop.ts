// A failure stops a subflow of independent tasks run as fork-join children (worker/subflow.ts), as it
// stops a laid-out one: its tasks not started yet are skipped. A laid-out subflow has a run of its own,
// which its first failure stops; fork-join children name their spawner's stop run instead (a run of
// their own would cost every subflow a slot, and fib through subflows makes one a call). So the stop is
// made only once a child failed, by the worker joining the subflow, where it learns of the failure:
//   - a child run inline that failed (context-object.ts forkJoin, fork-settled.ts): the tasks after it
//     are not run;
//   - a child job that failed while this worker ran it, helping in the join (join.ts fail, any depth
//     above the joining frame).
// Then the subflow's children not joined yet get the stopped run (engine/memory.ts stoppedRun: a run
// slot cancelled for good, shared by every stop, which takes no slot of maxSubflows), written over the
// spawner's in their record (Task.pred, which Wasm's `runnable` reads when a worker takes the child):
// whoever takes one after that skips it, and one running sees `ctx.cancelled`, as a laid-out subflow's
// tasks do once their run failed. A child another worker took and failed stops nothing: that worker
// does not know its siblings, and the joining one learns of it only once every child retired.
import { CancelledError } from '../errors.js';
import type { Thread } from './thread.js';

/**
 * Whether a child's error says it was skipped (its run, group or subflow stopped before it ran), not that
 * it failed: a CancelledError that names no task. A subflow's join throws a skip only when none failed.
 */
export function isSkip(e: unknown): boolean {
  return e instanceof CancelledError && (e as { task?: unknown }).task === undefined;
}

/** The handles in a fork-join's (index, handle) pairs, in order. */
export function handlesOf(pairs: readonly number[]): number[] {
  const m = pairs.length >> 1;
  const list: number[] = new Array(m);
  for (let j = 0; j < m; j++) list[j] = pairs[2 * j + 1];
  return list;
}

export interface ForkStop {
  /**
   * The handles of the fork-join children the frame at each depth is joining (an inline child's negative,
   * and -1 for one joined already): set for the join, undefined after (context-object.ts joinLeft,
   * fork-settled.ts).
   */
  readonly joining: (number[] | undefined)[];
  /** A subflow stops: its children in `pairs` (index, handle) not joined yet are skipped from now on. */
  stopPairs(pairs: readonly number[]): void;
  /** join.ts fail: the task of record word index `i` failed on this thread; if it is a child a frame below joins, its siblings stop. */
  failed(i: number): void;
  /** The join at depth d ended (returned or threw): its children are no longer looked at. */
  joined(d: number): void;
}

export function createForkStop(th: Thread): ForkStop {
  const { core, frameTask } = th;
  const T_flags = th.T_flags, T_succ = th.T_succ, T_pred = th.T_pred, CHILD = th.CHILD;
  const joining: (number[] | undefined)[] = [];
  /** The run whose children are skipped (engine/memory.ts stoppedRun). */
  const stopped = core.stoppedRun();

  /** Child c is skipped from now on: published by the atomic store, read by whoever takes c (published to it by the push before). */
  function stopChild(c: number): void {
    Atomics.store(core.u32, th.record(c) + T_pred, stopped);
  }

  function stopPairs(pairs: readonly number[]): void {
    for (let j = 1; j < pairs.length; j += 2) if (pairs[j] >= 0) stopChild(pairs[j]);
  }

  function failed(i: number): void {
    const u32 = core.u32;
    if ((u32[i + T_flags] & CHILD) === 0) return;
    const t = (i * 4 - th.tasks) / th.taskSize;
    const spawner = u32[i + T_succ] - 1;   // a child's spawner + 1 (assembly/tasks.ts spawnPush)
    // The spawner's frame, and above it those of its children run inline (frames.ts: they show their
    // spawner's task): the one joining a list that holds t (none: a child spawned by ctx.spawn).
    for (let d = th.depth - 2; d >= 0; d--) {
      const list = joining[d];
      if (frameTask[d] !== spawner || list === undefined || !list.includes(t)) continue;
      for (const c of list) if (c >= 0 && c !== t) stopChild(c);
      return;
    }
  }

  function joined(d: number): void {
    joining[d] = undefined;
  }

  return { joining, stopPairs, failed, joined };
}
