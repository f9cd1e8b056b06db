// A subflow of independent tasks one of which has retries or a name (worker/subflow.ts runSubflow): run
// as fork-join children, like the plain ones (context-object.ts forkJoin), with what the laid-out path
// gives such tasks:
//   - a task with retries is a job whose record carries them in Task.flags bits 16–23, as a laid-out
//     task's does, so a failing attempt runs again as worker/retry.ts says (at once in a helping worker,
//     after a backoff at the top of one); it is never run inline (lazy.ts runs a call once);
//   - an error of a named task names the task (error.task), not its function;
//   - bound callbacks (FnArg: an algorithm's task) are passed as function ids (placement.ts layOut);
//   - a failure stops the subflow (fork-stop.ts): after a child run inline that failed, or a job that
//     failed on another worker, no other is run, and the jobs not started yet are skipped;
//   - every child is joined; the first failure in insertion order is thrown, the others are its
//     `suppressed` (laid out, the first is the first to fail); a skipped child is no failure.
import { RETRY_SHIFT } from '../engine/placement.js';
import { messages, CancelledError, type TaskFailure } from '../errors.js';
import type { Node } from '../graph/taskflow.js';
import { boundArgs } from '../graph/task-work.js';
import { NO_KIDS, type Thread } from './thread.js';
import type { Join } from './join.js';
import type { Forecast } from './forecast.js';
import type { Lazy } from './lazy.js';
import { STACK_CHECK_DEPTH, ensureStackRoom } from './stack.js';
import { withFnIds } from '../engine/functions.js';
import { handlesOf, isSkip, forkLevelFree, type ForkStop } from './fork-stop.js';

/** What forkJoinSettled needs of the task context (context-object.ts). */
export interface SettledParts {
  joinChildren: Join['joinChildren'];
  forecast: Forecast;
  lazy: Lazy;
  tokenOf(t: number): number;
  /** context-object.ts spawnJob: a child job of `parent` with `args`, or the one number a0 when args is undefined; `fork`: FORK_SPAWN or 0. */
  spawnJob(parent: number, id: number, args: readonly unknown[] | undefined, a0: number, stopRun: number, fork: number): number;
  /** context-object.ts unspawned: a fork-join of the frame at depth d throws before its join; its jobs are stopped and waited for. */
  unspawned(d: number): void;
  /** context-object.ts crossedIn: an inline child's arguments as they cross; refused after jobs were spawned, unspawned first. */
  crossedIn(args: readonly unknown[], d: number, jobs: boolean): readonly unknown[];
  forkStop: ForkStop;
}

export function createForkSettled(th: Thread, { joinChildren, forecast, lazy, tokenOf, spawnJob, unspawned, crossedIn, forkStop }: SettledParts): (nodes: readonly Node[]) => unknown[] {
  const { core, x, w, codec, frameTask, frameKids, frameLevel, frameStop } = th;
  const FORK_SPAWN = core.L.flag_ForkSpawn, FORK = th.FORK;

  /** A child job of `parent` that is run again up to `retries` times when it fails (flags: worker/retry.ts); `fork`: FORK_SPAWN or 0. */
  function spawnRetried(parent: number, d: number, id: number, args: readonly unknown[], retries: number, fork: number): number {
    const t = x.spawnRecord(w, id, tokenOf(parent), frameStop[d], (frameLevel[d] + 1) | fork);
    if (t < 0) { if (fork !== 0) unspawned(d); throw new RangeError(messages.tooManyTasks(core.taskCap)); }
    const p = core.taskPtr(t);
    try {
      if (args.length > 0) codec.writeArgs(p, args);
    } catch (e) {
      x.taskFreeW(w, t);
      if (fork !== 0) unspawned(d);
      throw e;
    }
    Atomics.store(core.u32, (p >> 2) + th.T_flags, th.CHILD | (fork !== 0 ? FORK : 0) | (retries << RETRY_SHIFT));   // published by the push
    x.spawnPush(w, t, parent);
    (frameKids[d] ??= []).push(t);
    return t;
  }

  /** withFnIds of a node's arguments after jobs were spawned: refused (a callback that cannot be named), they are stopped first (unspawned). */
  function withFnIdsOrStop(node: Node, d: number): readonly unknown[] {
    try {
      return withFnIds(boundArgs(node), th.fns!);
    } catch (e) {
      unspawned(d);
      throw e;
    }
  }

  /** The subflow's results in insertion order, or throws its first failure (see the top of this file). */
  return function forkJoinSettled(nodes: readonly Node[]): unknown[] {
    const n = nodes.length;
    const out: unknown[] = new Array(n);
    const d = th.depth - 1, parent = frameTask[d];
    const rest: number[] = [];   // (index, handle) pairs of the children still to join
    let jobs = false, heard = false, fork = 0;   // fork: FORK_SPAWN, or 0 nested too deep in one task (its jobs mark nothing: fork-stop.ts)
    for (let i = 0; i < n; i++) {
      const node = nodes[i], retries = node._retries;
      // callbacks bound as FnArg (an algorithm's task, alg.task(sf, …), which is named) travel as function ids, as laid out
      const args = jobs ? withFnIdsOrStop(node, d) : withFnIds(boundArgs(node), th.fns!);
      if (th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, parent, 'ctx.spawn()', true);   // before anything changes (stack.ts)
      const id = th.fns!.idOf(node._fn);
      if (retries === 0 && forecast.on && forecast.inline(id, frameLevel[d] + 1)) {
        if (jobs && forkStop.heard(d)) { forkStop.stopPairs(rest); heard = true; break; }   // a job failed elsewhere: run no more
        const h = lazy.runInto(id, crossedIn(args, d, jobs), 0, 0, 0, 0, out, i);
        if (h === 0) continue;
        rest.push(i, h);
        if (jobs) forkStop.stopPairs(rest);
        break;   // it failed or was skipped: the subflow stops
      }
      if (!jobs) fork = forkLevelFree(th, d) ? FORK_SPAWN : 0;   // asked at the first job
      rest.push(i, retries === 0 ? spawnJob(parent, id, args, 0, frameStop[d], fork) : spawnRetried(parent, d, id, args, retries, fork));
      jobs = true;
    }
    let error: TaskFailure & { suppressed?: unknown[] } | undefined, others: unknown[] | undefined, skipped: unknown;
    const handles = handlesOf(rest);   // the children not joined yet (-1 once joined), for fork-stop.ts
    forkStop.joining[d] = handles;
    try {
      if (jobs && th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, parent, 'ctx.join()');   // helping nests deeper
      for (let j = 0; j < rest.length; j += 2) {
        const i = rest[j];
        try {
          out[i] = joinChildren(frameKids[d] ?? NO_KIDS, [rest[j + 1]])[0];
        } catch (e) {
          if (isSkip(e)) { skipped ??= e; continue; }   // skipped: its run or its subflow stopped
          const label = nodes[i]._label;
          if (label !== undefined) (e as TaskFailure).task = label;
          if (error === undefined) error = e as TaskFailure;
          else (others ??= []).push(e);
        } finally {
          handles[j >> 1] = -1;
        }
      }
    } finally {
      forkStop.joined(d);
    }
    if (heard) skipped ??= new CancelledError(messages.runStopped);   // none failed: a bit left by an earlier fork-join
    if (error === undefined && skipped !== undefined) throw skipped;
    if (error !== undefined) {
      if (others !== undefined) error.suppressed = others;
      throw error;
    }
    return out;
  };
}
