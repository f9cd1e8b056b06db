// Task graphs as pure data: nodes, edges, names, bound arguments. Nothing here touches threads, Wasm or
// the GPU; the executor lays a Taskflow into the shared task table when it first runs it. Its tasks are
// in task.ts.
import { GraphError, messages } from '../errors.js';
import { bump, link } from './edges.js';
import { toDot } from './dot.js';
import { modulesKey, compositeVersion } from './modules.js';
import { nodesKey, NO_TASKS, addModule, removeTask, removeAll } from './nodes.js';
import { Task, nodeOf, NO_FN, PLACEHOLDER, type Node, type TasksOf } from './task.js';
import type { TaskFunction, TaskResult } from './task-function.js';

export type { TaskFunction, TaskResult } from './task-function.js';
export { Task, NO_FN } from './task.js';
export type { TasksOf } from './task.js';
/** @internal */
export { nodeOf, boundArgs } from './task.js';
/** @internal */
export type { Node } from './task.js';

/**
 * A task graph: tasks and the dependencies between them. Build it once; run it many times with
 * `executor.run(tf)`: the executor lays it into shared memory on the first run and re-runs it without
 * rebuilding (until the graph changes).
 * Thread-safety: host thread only.
 *
 * @example
 * const tf = new Taskflow('etl');
 * const [load, parse, count] = tf.emplace(tasks.load, tasks.parse, tasks.count);
 * load.precede(parse); count.succeed(parse); load.args('data.csv');
 * const run = await executor.run(tf);
 * run.result(count);
 */
export class Taskflow {
  // The fields are set by the constructor (initTaskflow), not by initializers, so that a Subflow can be
  // made without running this constructor (graph/subflow.ts makeSubflow).
  declare readonly name: string;
  /** @internal Bumped by every structural change; a laid-out copy with another version is stale. */
  declare version: number;
  /** @internal Every task, in insertion order (nodesOf). */
  declare [nodesKey]: Node[];
  /** @internal Module tasks (composedOf), so compositeVersion does not walk every task (NO_TASKS until the first). */
  declare [modulesKey]: Task[];

  constructor(name = 'taskflow') {
    if (typeof name !== 'string') throw new TypeError(messages.argType('new Taskflow(name): name', 'a string', name));
    initTaskflow(this, name);
  }

  /** @internal */
  [bump](): void { this.version++; }

  /**
   * Adds one task per function. One function returns one Task; several return a tuple of Tasks, one
   * array of functions (for large graphs: a spread of a million arguments overflows the stack) an array.
   * Each Task is typed with what its function yields ({@link TaskResult}).
   *
   * @example
   * const one = tf.emplace(tasks.load);                  // Task<Rows>
   * const [a, b] = tf.emplace(tasks.load, () => 1);      // [Task<Rows>, Task<number>]
   * const all = tf.emplace(chunks.map(() => tasks.sum)); // Task<number>[]
   */
  emplace<F extends TaskFunction>(fn: F): Task<TaskResult<F>>;
  emplace<F extends TaskFunction>(fns: readonly F[]): Task<TaskResult<F>>[];
  emplace<Fs extends readonly TaskFunction[]>(...fns: Fs): TasksOf<Fs>;
  emplace(...given: (Function | readonly Function[])[]): Task | Task[] {
    const n = given.length;
    // The shape of a subflow on every call of a recursion, kept small enough for V8 to inline: one or
    // two functions into an empty taskflow. `given`, this call's own array of their size, becomes the
    // node list (a push onto an empty array would reserve 16; it stays a packed array, as loops over the
    // list expect). Any other call: emplaceAll.
    if (this[nodesKey] !== NO_TASKS || n > 2 || typeof given[0] !== 'function' || (n === 2 && typeof given[1] !== 'function')) return emplaceAll(this, given);
    const own = given as unknown as Task[];
    const a = new Task(this, 0, given[0] as Function);
    own[0] = a;
    this[nodesKey] = own;
    if (n === 1) {
      this[bump]();
      return a;
    }
    const b = new Task(this, 1, given[1] as Function);
    own[1] = b;
    this[bump]();
    return [a, b];
  }

  /**
   * Adds a condition task: `fn` returns the index of the successor to run next (successors in the order
   * its edges were added), or an array of indices to run several; other values and out-of-range indices
   * run nothing. Edges out of a condition task are *weak*: they do not count as dependencies, so they can
   * form loops (a task may even precede itself). A task is a source of the graph only if nothing
   * precedes it, weakly or strongly.
   *
   * @example
   * const [init, body, done] = tf.emplace(tasks.init, tasks.step, tasks.report);
   * const more = tf.condition(tasks.again);   // returns 0 to loop, 1 to finish
   * init.precede(body); body.precede(more); more.precede(body, done);
   */
  condition<F extends TaskFunction>(fn: F): Task<TaskResult<F>> {
    const t = this.emplace(fn);
    t._condition = true;
    return t;
  }

  /**
   * Adds a placeholder: a task without work yet, to link now and give work later with
   * {@link Task.work}. Run without work it is a no-op (as in Taskflow), a join point that yields
   * undefined; `task.hasWork()` tells the two apart.
   *
   * @example
   * const [a, b] = tf.emplace(tasks.load, tasks.parse);
   * const join = tf.placeholder().name('join').succeed(a, b);
   */
  placeholder(): Task<unknown> {
    return this.emplace(PLACEHOLDER as TaskFunction);
  }

  /**
   * Adds an edge from each task of `tasks` to the next: `linearize([a, b, c])` is `a.precede(b);
   * b.precede(c)`.
   */
  linearize(tasks: readonly Task[]): void {
    if (!Array.isArray(tasks)) throw new TypeError(messages.argType('taskflow.linearize(tasks): tasks', 'an array of Tasks', tasks));
    const ts = tasks.map((t, i) => nodeOf(t, `taskflow.linearize(tasks): tasks[${i}]`));
    for (const t of ts) if (t._graph !== this) throw new GraphError(messages.foreignTask(this.name, t.name()));
    for (let i = 1; i < ts.length; i++) link(ts[i - 1], ts[i]);
  }

  /** Calls `fn(task)` for each task, in insertion order (tasks added by fn are not visited). */
  forEachTask(fn: (task: Task) => void): void {
    if (typeof fn !== 'function') throw new TypeError(messages.notAFunction('taskflow.forEachTask(fn): fn', fn));
    for (const t of this[nodesKey].slice()) fn(t);
  }

  /**
   * Adds a module task that runs the whole of `other` as one step: its predecessors run before any task
   * of `other`, its successors after all of them. `other` can itself contain modules, and can be used
   * several times in one taskflow. Changes to `other` take effect on the next run.
   *
   * @example
   * const prepare = tf.composedOf(etl).name('prepare');
   * prepare.precede(report);
   */
  composedOf(other: Taskflow): Task {
    if (!(other instanceof Taskflow)) throw new TypeError(messages.notATaskflow('taskflow.composedOf(other): other', other));
    const t = new Task(this, this[nodesKey].length, NO_FN);
    t._module = other;
    t._label = other.name;
    addModule(this, t);
    return t;
  }

  /**
   * @internal A version that changes whenever this taskflow or any taskflow it is composed of changes
   * (versions only grow, so the sum does too).
   */
  get compositeVersion(): number {
    // no modules is the common case, read on every run.result()
    return this[modulesKey].length === 0 ? this.version : compositeVersion(this);
  }

  /** Number of tasks. */
  get numTasks(): number { return this[nodesKey].length; }

  /** Every task, in insertion order. */
  tasks(): Task[] { return this[nodesKey].slice(); }

  /** True when the taskflow has no tasks. */
  get empty(): boolean { return this[nodesKey].length === 0; }

  /**
   * Removes a task and every edge to or from it. Its handle must not be used afterwards. The next run
   * lays the graph out again.
   */
  erase(task: Task): void {
    removeTask(this, nodeOf(task, 'taskflow.erase(task): task'));
  }

  /**
   * The graph in GraphViz DOT. Condition tasks are diamonds, their (weak) edges dashed and labelled with
   * the index the condition returns to take them; module tasks (composedOf) are 3-D boxes.
   *
   * @example
   * writeFileSync('graph.dot', tf.dump());   // dot -Tsvg graph.dot > graph.svg
   */
  dump(): string {
    return toDot(this.name, this[nodesKey]);
  }

  /** Removes every task. */
  clear(): void {
    removeAll(this);
  }
}

/** Taskflow.emplace of any list: functions given one by one, or one array of them. */
function emplaceAll(tf: Taskflow, given: readonly (Function | readonly Function[])[]): Task | Task[] {
  const list = given.length === 1 && Array.isArray(given[0]);
  const fns = (list ? given[0] : given) as readonly Function[];
  for (let i = 0; i < fns.length; i++) {
    if (typeof fns[i] !== 'function') throw new TypeError(messages.notAFunction(`taskflow.emplace() argument ${i}`, fns[i]));
  }
  // A loop, not map(): large graphs are built this way.
  const nodes = tf[nodesKey];
  const made: Task[] = new Array(fns.length);
  for (let i = 0; i < fns.length; i++) made[i] = new Task(tf, nodes.length + i, fns[i]);
  const into = nodes === NO_TASKS ? (tf[nodesKey] = []) : nodes;
  for (const t of made) into.push(t);
  tf[bump]();
  return fns.length === 1 && !list ? made[0] : made;
}

/**
 * @internal Sets the fields the Taskflow constructor sets: an empty taskflow named `name` (already
 * checked). graph/subflow.ts makeSubflow, which makes a Subflow without this constructor, sets them too.
 */
export function initTaskflow(tf: Taskflow, name: string): void {
  (tf as { name: string }).name = name;
  tf.version = 0;
  tf[nodesKey] = NO_TASKS;
  tf[modulesKey] = NO_TASKS;
}
