// The task context: what a task sees as `this` on a worker. The public type; context-object.ts makes
// the one object per worker thread that implements it.
import type { Subflow } from '../graph/subflow.js';
import type { Taskflow } from '../graph/taskflow.js';
import type { WorkerAsyncTask } from '../engine/handles.js';
import type { DependentAsyncOptions } from '../engine/dependent-call.js';

/**
 * What a task sees as `this` (write the task as a `function`, not an arrow, to use it): the worker it
 * runs on, fork-join and subflows. `spawn(fn, ...args)` starts a child task (fn: a task-module export or
 * a self-contained function, as for executor.async) and returns a handle; `join(handle | handles)` waits
 * for children and returns their results (rethrowing a child's error), running other ready tasks on
 * this worker meanwhile, so recursive divide and conquer never blocks a thread. Children a task does not
 * join are joined when it returns. `subflow(name?)` starts a graph to build and join (src/graph/subflow.ts).
 * `dependentAsync(fn, ...deps)` makes a dependent async task (src/worker/dependent.ts). All of these work
 * in the synchronous part of a task: before an async task's first await.
 */
export interface TaskContext {
  readonly workerId: number;
  /**
   * True once the task's cancellation token (executor.submit options token, signal or timeout) was
   * cancelled, or, for a graph task, once its run was cancelled or failed.
   */
  readonly cancelled: boolean;
  /** Throws a CancelledError once `cancelled` is true: call it now and then in long loops. */
  checkCancelled(): void;
  /** An AbortSignal that aborts when the task's token is cancelled (read it before the first await). */
  readonly signal: AbortSignal;
  spawn(fn: (...a: any[]) => unknown, ...args: unknown[]): number;
  /**
   * Waits for children (the numbers spawn returned) or dependent tasks (handles dependentAsync returned,
   * also ones another task made and sent here while it runs) while this worker runs other tasks, and
   * returns their results in order; throws the first error after all of them were waited for.
   */
  join(handle: number): unknown;
  join<R>(handle: WorkerAsyncTask<R>): R;
  join(handles: readonly (number | WorkerAsyncTask)[]): unknown[];
  /**
   * A dependent async task (Taskflow's dependent_async, from a worker): fn runs on a worker once every
   * handle in `deps` has finished, as fn(...args, ...their results in order); a failed dependency fails it
   * with that error without running it. Returns a WorkerAsyncTask at once: a dependency for later calls
   * (of this task, or of tasks it sends the handle to while it runs), joined with `this.join(handle)`. The
   * task that made it waits for it before it ends (docs/api.md "Dependent async tasks inside a task").
   */
  dependentAsync<R = unknown>(fn: (...a: any[]) => R, ...deps: WorkerAsyncTask[]): WorkerAsyncTask<Awaited<R>>;
  dependentAsync<R = unknown>(fn: (...a: any[]) => R, options: DependentAsyncOptions<WorkerAsyncTask>): WorkerAsyncTask<Awaited<R>>;
  subflow(name?: string): Subflow;
  /**
   * A task group (Taskflow's tf::TaskGroup): spawn many tasks with `group.async(fn, ...args)`, then
   * `group.corun()` waits for them while this worker helps. `cancel()` skips the members not started yet.
   * A group not corun when the task returns is corun then.
   */
  taskGroup(): TaskGroup;
  /**
   * Runs a whole taskflow (built in this task) to completion while this worker helps, like a subflow's
   * join: returns the results of its tasks in insertion order, or throws the first task's error. The
   * taskflow can be corun again. On the host, use `await executor.run(tf)`.
   */
  corun(tf: Taskflow): unknown[];
}

/**
 * A set of tasks spawned from a running task (`this.taskGroup()`), corun together. Used only by the task
 * that made it, in its synchronous part.
 */
export interface TaskGroup {
  /**
   * Spawns fn(...args) as a member (fn as for executor.async); returns the index of its result in the
   * array the next corun() returns.
   */
  async(fn: (...a: any[]) => unknown, ...args: unknown[]): number;
  /**
   * Waits for the members spawned since the last corun while this worker runs other tasks, and returns
   * their results in spawn order (undefined for a member skipped by cancel()); throws the first error
   * after all of them ended. The group can spawn and corun again.
   */
  corun(): unknown[];
  /** Members not started yet are skipped (they never run); running ones see `this.cancelled`. */
  cancel(): void;
  /** True once cancel() was called. */
  isCancelled(): boolean;
}
