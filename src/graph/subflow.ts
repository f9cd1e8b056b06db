// A subflow: a task graph that a running task builds and joins (Taskflow's tf::Subflow).
// Pure data like Taskflow; the worker that runs the parent task runs it (src/worker/subflow.ts).
import { Taskflow } from './taskflow.js';
import { clearJoined, nodesKey, NO_TASKS } from './nodes.js';
import { modulesKey } from './modules.js';
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
  /** @internal Runs it on the worker that made it (src/worker/context-object.ts). */
  declare readonly _run: (sf: Subflow) => unknown[];
  /** @internal */
  declare _joined: boolean;
  /** @internal */
  declare _retain: boolean;
  /** @internal Where it was made: the worker's stack depth and the task there (src/worker/context-object.ts). */
  declare _depth: number;
  /** @internal */
  declare _task: number;

  /** @internal Made by the worker (TaskContext.subflow, with makeSubflow); `run` runs it on that worker. */
  constructor(name: string, run: (sf: Subflow) => unknown[]) {
    super(name);
    initSubflow(this, run, -1, -1);
  }

  /** True once join() was called (explicitly, or when the task that built it returned). */
  get joined(): boolean { return this._joined; }

  /** Whether the subflow can still be joined: not joined yet (Taskflow's joinable()). */
  joinable(): boolean { return !this._joined; }

  /**
   * retain(true) keeps the subflow's graph (tasks, names, edges) after it was joined, to inspect with the
   * Taskflow methods (dump(), forEachTask(), numTasks, a task's successors); by default a joined subflow
   * is cleared, as in Taskflow. retain() reads the setting.
   */
  retain(flag: boolean): this;
  retain(): boolean;
  retain(flag?: boolean): boolean | this {
    if (flag === undefined) return this._retain;
    if (typeof flag !== 'boolean') throw new TypeError(messages.argType(`subflow '${this.name}': retain(flag): flag`, 'true or false', flag));
    this._retain = flag;
    return this;
  }

  /**
   * Runs the subflow to completion, helping on this worker meanwhile, and returns the results of its
   * tasks in insertion order. Throws the first task error; a subflow can be joined once.
   */
  join(): unknown[] {
    if (this._joined) throw new Error(messages.subflowJoined(this.name));
    this._joined = true;
    try {
      return this._run(this);
    } finally {
      if (!this._retain && this[nodesKey] !== NO_TASKS) clearJoined(this);   // as clear() clears it (a subflow of independent tasks cleared itself: worker/subflow.ts)
    }
  }
}

function initSubflow(sf: Subflow, run: (sf: Subflow) => unknown[], depth: number, task: number): void {
  (sf as { _run: typeof run })._run = run;
  sf._joined = false;
  sf._retain = false;
  sf._depth = depth;
  sf._task = task;
}

/**
 * @internal A new Subflow named `name` for task `task` at stack depth `depth` of a worker, which `run`
 * runs: the object `new Subflow(name, run)` makes (the same prototype, so instanceof, constructor and
 * the methods are Subflow's), built by a plain constructor instead, as V8 builds an object of a derived
 * class at about twice the cost (22 against 9 ns here), and a recursion through subflows makes one a call.
 */
export const makeSubflow = function (this: Subflow, name: string, run: (sf: Subflow) => unknown[], depth: number, task: number) {
  if (typeof name !== 'string') notAName(name);
  // initTaskflow's fields and initSubflow's, set here rather than by calls: a recursion's task inlines
  // this with the rest of its subflow calls within V8's inlining budget, where the two calls did not
  // always fit (a call each, a subflow).
  (this as { name: string }).name = name;
  this.version = 0;
  this[nodesKey] = NO_TASKS;
  this[modulesKey] = NO_TASKS;
  (this as { _run: typeof run })._run = run;
  this._joined = false;
  this._retain = false;
  this._depth = depth;
  this._task = task;
} as unknown as new (name: string, run: (sf: Subflow) => unknown[], depth: number, task: number) => Subflow;
makeSubflow.prototype = Subflow.prototype;

/** Throws what Taskflow's constructor throws for a name that is not a string. */
function notAName(name: unknown): never {
  throw new TypeError(messages.argType('new Taskflow(name): name', 'a string', name));
}
