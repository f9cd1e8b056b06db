// The task context: what a task sees as `this` on a worker. The public type; context-object.ts makes
// the one object per worker thread that implements it.
import type { Subflow } from '../graph/subflow.js';

/**
 * What a task sees as `this` (write the task as a `function`, not an arrow, to use it): the worker it
 * runs on, fork-join and subflows. `spawn(fn, ...args)` starts a child task (fn: a task-module export or
 * a self-contained function, as for executor.async) and returns a handle; `join(handle | handles)` waits
 * for children and returns their results (rethrowing a child's error), running other ready tasks on
 * this worker meanwhile, so recursive divide and conquer never blocks a thread. Children a task does not
 * join are joined when it returns. `subflow(name?)` starts a graph to build and join (src/graph/subflow.ts).
 * All three work in the synchronous part of a task: before an async task's first await.
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
  join(handle: number): unknown;
  join(handles: readonly number[]): unknown[];
  subflow(name?: string): Subflow;
}
