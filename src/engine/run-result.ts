// The result of one run of a taskflow: each task's return value, read from the task table while the
// taskflow has not run again.
import { messages } from '../errors.js';
import { nodeOf, type Task, type Taskflow } from '../graph/taskflow.js';
import type { Placed } from './placement.js';

/**
 * The result of one run of a taskflow: each task's return value.
 * Thread-safety: host thread only.
 */
export class RunResult {
  readonly taskflow: Taskflow;
  readonly #placed: Placed | undefined;
  readonly #run: number;
  readonly #read: (t: number) => unknown;
  readonly #done: (t: number) => boolean;

  /** @internal */
  constructor(tf: Taskflow, placed: Placed | undefined, run: number, read: (t: number) => unknown, done: (t: number) => boolean = () => true) {
    this.taskflow = tf;
    this.#placed = placed;
    this.#run = run;
    this.#read = read;
    this.#done = done;
  }

  /**
   * The value `task` returned in this run: for an async task, the value its promise resolved to (the run
   * awaited it). Typed by the task: `Task<R>` gives `R` (see {@link Task}). Throws if the taskflow has
   * run again since, or (for the `partial` result of a failed run) if the task did not finish.
   *
   * @example
   * const count = tf.emplace((rows: string[]) => rows.length);   // Task<number>
   * const run = await executor.run(tf);
   * const n: number = run.result(count);
   */
  result<R>(task: Task<R>): R {
    const t = this.#slot(task, 'run.result(task): task');
    if (!this.#done(t)) throw new Error(messages.notFinished(task.name(), this.taskflow.name));
    return this.#read(t) as R;
  }

  /**
   * Whether `task` finished in this run: false for a task that failed or was skipped because the run
   * failed or was cancelled (error.partial of a failed run). Resume with `executor.run(tf, { resume: true })`.
   */
  finished(task: Task): boolean {
    return this.#done(this.#slot(task, 'run.finished(task): task'));
  }

  #slot(task: Task, what: string): number {
    const node = nodeOf(task, what);
    if (node._graph !== this.taskflow || !this.#placed || node._index < 0 || node._index >= this.#placed.top.length) {
      throw new RangeError(messages.notInRun(task.name()));
    }
    if (this.#placed.released || this.#placed.runs !== this.#run) throw new Error(messages.stale(this.taskflow.name));
    return this.#placed.slots[this.#placed.top[node._index]];
  }
}
