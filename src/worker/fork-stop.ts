// A failure stops a subflow of independent tasks run as fork-join children (worker/subflow.ts), as it
// stops a laid-out one: its tasks not started yet are skipped, one running sees `ctx.cancelled`. A
// laid-out subflow has a run of its own, which its first failure stops; fork-join children name their
// spawner's stop run instead (a run of their own would cost every subflow a slot, and fib through
// subflows makes one a call). So the stop is made once a child failed, by whoever learns of it:
//   - the worker joining the subflow, for a child it ran: one run inline that failed
//     (context-object.ts forkJoin, fork-settled.ts): the tasks after it are not run; a child job that
//     failed while this worker ran it, helping in the join (join.ts fail, any depth above the joining
//     frame). The subflow's children not joined yet get the stopped run (engine/memory.ts stoppedRun: a
//     run slot cancelled for good, shared by every stop, which takes no slot of maxSubflows), written
//     over the spawner's in their record (Task.pred, which Wasm's `runnable` reads when a worker takes
//     the child);
//   - another worker, for a child it took (stolen, or promoted to a job: TaskFlag.Fork marks the jobs of
//     a fork-join) and that failed there: it does not know the siblings, so it marks their spawner
//     instead, a bit for the child's level in the spawner's `pending` (assembly/layout.ts
//     FORK_FAILED_SHIFT: free while the spawner runs), set after the child's error was written. Every
//     sibling has the same spawner and level: whoever takes one after that skips it (assembly/tasks.ts
//     runFailed), one running sees `ctx.cancelled` (forkFailed below), and the joiner runs no inline child
//     after a job once it sees the bit (`heard`). The joiner clears the bit when its join threw (a child
//     failed: every one retired, so no worker sets it again for this join), when its task failed and
//     abandoned its children, or when the fork-join could not spawn a child and stopped and waited for
//     its jobs (context-object.ts unspawned); else the spawner's retire resets the word. Not set by an
//     orphan (its spawner's slot may hold another task), nor below 16 inline frames of one task
//     (forkLevelFree: the bits would repeat).
// Either way the join throws the first failure in insertion order, the later ones in its `suppressed`.
// Children of ctx.spawn carry no Fork flag: their failure stops no sibling.
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

/**
 * ctx.cancelled of task t, on top of this worker's stack, as a fork-join child: a job sibling of it (or,
 * t being a job itself, of t) failed on another worker and marked their spawner (see the top of this
 * file). The atomic loads pair with the failing worker's Atomics.or (assembly/tasks.ts forkFailed).
 */
export function forkFailed(th: Thread, t: number): boolean {
  const u32 = th.core.u32, i = th.record(t), d = th.depth - 1;
  // On top, an inline child of a fork-join of t (its frame shows t, at its own level): its job siblings' bit on t.
  if (d >= 0 && th.frameTask[d] === t && (Atomics.load(th.core.i32, i + th.T_pending) & failedBit(th, th.frameLevel[d])) !== 0) return true;
  if ((u32[i + th.T_flags] & th.FORK) === 0) return false;
  const s = u32[i + th.T_deps];   // the spawner + 1 (published by the push: assembly/tasks.ts spawnPush)
  return (Atomics.load(th.core.i32, th.record(s - 1) + th.T_pending) & failedBit(th, u32[i + th.T_state])) !== 0;
}

/**
 * Whether the fork-join children of the frame at depth d may mark their spawner (TaskFlag.Fork): the
 * levels of one task's fork-join children, its own frame's and those of the inline children above it
 * (which show its task, a level deeper each), must stay fewer than FORK_FAILED_LEVELS apart, or a bit
 * would be shared, and a failure deep in the nesting would stop (and its join clear) an outer fork-join
 * of the same task. From that depth on, a child failing on another worker stops nothing, as before the
 * bits. The inline frames above the task's own are its frame's level less the task's (frames.ts enter
 * pushes a task at thread.ts levelOf, an inline child one level deeper): two loads, asked only by a
 * fork-join that spawns a job, or that has jobs to hear from or to forget.
 */
export function forkLevelFree(th: Thread, d: number): boolean {
  const u32 = th.core.u32, i = th.record(th.frameTask[d]);
  const own = (u32[i + th.T_flags] & th.CHILD) !== 0 ? u32[i + th.T_state] : 0;   // the level of the task's own frame
  return th.frameLevel[d] - own < th.FORK_LEVELS;
}

/** The bit of fork-join level `level` in a spawner's `pending` (assembly/layout.ts FORK_FAILED_SHIFT). */
function failedBit(th: Thread, level: number): number {
  return 1 << (th.FORK_SHIFT + (level & (th.FORK_LEVELS - 1)));
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
  /**
   * The join at depth d ended (threw; fork-settled.ts: or returned): its children are no longer looked
   * at, and forget(d).
   */
  joined(d: number): void;
  /**
   * Every child job of the frame at depth d retired and was joined or abandoned (join.ts abandon): the
   * bit their failures set on its task (their level's) is cleared, for the frame's next fork-join.
   */
  forget(d: number): void;
  /** Whether a child job of the fork-join at depth d (children at level frameLevel[d] + 1) failed on another worker. */
  heard(d: number): boolean;
}

/** A child's `done` word once the host took it for an orphan (assembly/tasks.ts CHILD_ORPHANED, engine/recovery.ts). */
const ORPHANED = 2;

export function createForkStop(th: Thread): ForkStop {
  const { core, frameTask } = th;
  const T_flags = th.T_flags, T_done = th.T_done, T_deps = th.T_deps, T_pred = th.T_pred, T_state = th.T_state, CHILD = th.CHILD;
  const FORK = th.FORK, T_pending = th.T_pending, { frameLevel } = th;
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
    const spawner = u32[i + T_deps] - 1;   // a child's spawner + 1, published by its push (assembly/tasks.ts spawnPush)
    // The spawner's frame, and above it those of its children run inline (frames.ts: they show their
    // spawner's task): the one joining a list that holds t (none: a child spawned by ctx.spawn).
    for (let d = th.depth - 2; d >= 0; d--) {
      const list = joining[d];
      if (frameTask[d] !== spawner || list === undefined || !list.includes(t)) continue;
      for (const c of list) if (c >= 0 && c !== t) stopChild(c);
      return;
    }
    // Not a join of this worker: the spawner runs elsewhere (or has not begun its join). The or publishes
    // the child's error, written before (join.ts fail), to whoever sees the bit. Not for an orphan: its
    // spawner died with its worker (engine/recovery.ts marks the child first), and its slot is freed and
    // may hold another task by now, whose own fork-join the bit would stop. (A child marked between this
    // load and the or still marks it: the host retires the spawner and frees its slot after the mark.)
    if ((u32[i + T_flags] & FORK) !== 0 && Atomics.load(core.u32, i + T_done) !== ORPHANED) {
      Atomics.or(core.i32, th.record(spawner) + T_pending, failedBit(th, u32[i + T_state]));
    }
  }

  function joined(d: number): void {
    joining[d] = undefined;
    forget(d);
  }

  function forget(d: number): void {
    if (!forkLevelFree(th, d)) return;   // its children carry no Fork: the bit is an outer fork-join's
    const at = th.record(frameTask[d]) + T_pending, bit = failedBit(th, frameLevel[d] + 1);
    if ((Atomics.load(core.i32, at) & bit) !== 0) Atomics.and(core.i32, at, ~bit);
  }

  function heard(d: number): boolean {
    return forkLevelFree(th, d) && (Atomics.load(core.i32, th.record(frameTask[d]) + T_pending) & failedBit(th, frameLevel[d] + 1)) !== 0;
  }

  return { joining, stopPairs, failed, joined, forget, heard };
}
