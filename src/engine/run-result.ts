// The result of one run of a taskflow: each task's return value, read from the task table while the
// taskflow has not run again.
import { messages } from '../errors.js';
import { nodeOf, type Task, type Taskflow } from '../graph/taskflow.js';
import type { Placed } from './placement.js';

/** What became of a task in a run, as its result slot tells. */
export const enum TaskState { Finished, FailedOrSkipped, NotReached }

/**
 * The result of one run of a taskflow: each task's return value.
 * Thread-safety: host thread only.
 */
export class RunResult {
  readonly taskflow: Taskflow;
  readonly #placed: Placed | undefined;
  readonly #run: number;
  readonly #read: (t: number) => unknown;
  readonly #state: (t: number) => TaskState;

  /** @internal */
  constructor(tf: Taskflow, placed: Placed | undefined, run: number, read: (t: number) => unknown, state: (t: number) => TaskState = () => TaskState.Finished) {
    this.taskflow = tf;
    this.#placed = placed;
    this.#run = run;
    this.#read = read;
    this.#state = state;
  }

  /**
   * The value `task` returned in this run: for an async task, the value its promise resolved to (the run
   * awaited it). Typed by the task: `Task<R>` gives `R` (see {@link Task}). Throws if the taskflow has
   * run again since, or (for the `partial` result of a failed run) if the task failed or was skipped. A
   * task no condition task led to in this run (a branch not taken) has no result: undefined.
   *
   * @example
   * const count = tf.emplace((rows: string[]) => rows.length);   // Task<number>
   * const run = await executor.run(tf);
   * const n: number = run.result(count);
   */
  result<R>(task: Task<R>): R {
    const t = this.#slot(task, 'run.result(task): task');
    const state = this.#state(t);
    if (state === TaskState.NotReached) return undefined as R;
    if (state !== TaskState.Finished) throw new Error(messages.notFinished(task.name(), this.taskflow.name));
    return this.#read(t) as R;
  }

  /**
   * Whether `task` finished in this run: false for a task that failed or was skipped because the run
   * failed or was cancelled (error.partial of a failed run; resume with `executor.run(tf, { resume: true })`),
   * and for a task no condition task led to in this run (a branch not taken).
   */
  finished(task: Task): boolean {
    return this.#state(this.#slot(task, 'run.finished(task): task')) === TaskState.Finished;
  }

  #slot(task: Task, what: string): number {
    const node = nodeOf(task, what);
    if (node._graph !== this.taskflow || !this.#placed || node._index < 0 || node._index >= this.#placed.top.length) {
      throw new RangeError(messages.notInRun(task.name()));
    }
    if (this.#placed.released || this.#placed.runs !== this.#run) throw new Error(messages.stale(this.taskflow.name));
    // An edit (an erased task shifts the indices) makes the slots of this run another graph's.
    if (this.taskflow.compositeVersion !== this.#placed.version) throw new Error(messages.edited(this.taskflow.name));
    return this.#placed.slots[this.#placed.top[node._index]];
  }
}
