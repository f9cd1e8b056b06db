// A subflow: a task graph that a running task builds and joins (Taskflow's tf::Subflow).
// Pure data like Taskflow; the worker that runs the parent task runs it (src/worker/subflow.ts).
import { Taskflow } from './taskflow.js';
import { messages } from '../errors.js';

/**
 * A graph built inside a running task with `this.subflow()` (write the task as a `function`, not an
 * arrow, to get `this`). Add tasks and edges as on a Taskflow, then `join()`: the subflow runs on the
 * executor's workers while this worker helps, and `join()` returns each top-level task's result in
 * insertion order (or throws the first task's error, the others attached as `error.suppressed`).
 * A subflow the task does not join is joined when the task returns; its results are dropped and its
 * error becomes the task's. A subflow starts only when joined: if the task throws first, it never runs.
 * Subflows nest (a subflow task can build its own), and a task in a loop builds a fresh one each time.
 * Subflow tasks must be synchronous (the joining worker cannot await a promise while it helps).
 * A joined subflow is cleared unless `retain(true)` asked to keep its graph; `joinable()` says whether
 * it can still be joined.
 *
 * @example
 * export function fib(n) {
 *   if (n < 2) return n;
 *   const sf = this.subflow();
 *   const [a, b] = sf.emplace(fib, fib);
 *   a.args(n - 1); b.args(n - 2);
 *   const [x, y] = sf.join();
 *   return x + y;
 * }
 */
export class Subflow extends Taskflow {
  readonly #run: (sf: Subflow) => unknown[];
  #joined = false;
  #retain = false;
  /** @internal Where it was made: the worker's stack depth and the task there (src/worker/context-object.ts). */
  _depth = -1;
  /** @internal */
  _task = -1;

  /** @internal Made by the worker (TaskContext.subflow); `run` runs it on that worker. */
  constructor(name: string, run: (sf: Subflow) => unknown[]) {
    super(name);
    this.#run = run;
  }

  /** True once join() was called (explicitly, or when the task that built it returned). */
  get joined(): boolean { return this.#joined; }

  /** Whether the subflow can still be joined: not joined yet (Taskflow's joinable()). */
  joinable(): boolean { return !this.#joined; }

  /**
   * retain(true) keeps the subflow's graph (tasks, names, edges) after it was joined, to inspect with the
   * Taskflow methods (dump(), forEachTask(), numTasks, a task's successors); by default a joined subflow
   * is cleared, as in Taskflow. retain() reads the setting.
   */
  retain(flag: boolean): this;
  retain(): boolean;
  retain(flag?: boolean): boolean | this {
    if (flag === undefined) return this.#retain;
    if (typeof flag !== 'boolean') throw new TypeError(messages.argType(`subflow '${this.name}': retain(flag): flag`, 'true or false', flag));
    this.#retain = flag;
    return this;
  }

  /**
   * Runs the subflow to completion, helping on this worker meanwhile, and returns the results of its
   * tasks in insertion order. Throws the first task error; a subflow can be joined once.
   */
  join(): unknown[] {
    if (this.#joined) throw new Error(messages.subflowJoined(this.name));
    this.#joined = true;
    try {
      return this.#run(this);
    } finally {
      if (!this.#retain) this.clear();
    }
  }
}
