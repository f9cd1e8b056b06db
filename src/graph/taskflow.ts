// Task graphs as pure data: nodes, edges, names, bound arguments. Nothing here touches threads, Wasm or
// the GPU; the executor lays a Taskflow into the shared task table when it first runs it.
import { GraphError, messages } from '../errors.js';
import { PRIORITIES, PRIORITY_CHOICES, priorityLevel, type Priority } from '../policy/scheduling.js';
import { NO_SEMAPHORES, withSemaphores, type Semaphore } from './semaphore.js';
import { TaskExtras, NORMAL_LEVEL } from './task-extras.js';
import { bump, link, unlink } from './edges.js';
import { toDot } from './dot.js';
import { modulesKey, compositeVersion } from './modules.js';
import { nodesKey, NO_TASKS, addModule, removeTask, removeAll, initTaskflow } from './nodes.js';
import { NO_ARGS, NO_FN, PLACEHOLDER } from './task-work.js';
import type { TaskFunction, TaskResult } from './task-function.js';

export type { TaskFunction, TaskResult } from './task-function.js';

/** @internal A Taskflow's node is its Task handle (one object per task keeps large graphs cheap to build). */
export type Node = Task;

/** @internal The node behind a task handle; `what` names the call and argument that gave it, for the error. */
export function nodeOf(t: Task, what: string): Node {
  if (!(t instanceof Task)) throw new TypeError(messages.notATask(what, t));
  return t;
}

/** One Task per function of a tuple or array of task functions, each typed with what it yields. */
export type TasksOf<Fs extends readonly unknown[]> = { -readonly [K in keyof Fs]: Task<TaskResult<Fs[K]>> };

/** Carries a Task's result type in its declaration; no value is ever stored under it. */
declare const resultType: unique symbol;

/**
 * A handle on one task of a {@link Taskflow}. Methods chain. `R` is what the task yields: its function's
 * return type, awaited for an async function (`Task<number>` for `async () => 1` as for `() => 1`);
 * `run.result(task)` has that type. A `Task` written without `R` is a `Task<unknown>`, which every task
 * is assignable to.
 * Thread-safety: build graphs on one thread (the host); the executor reads them when a run starts.
 *
 * @example
 * const [load, parse] = tf.emplace(tasks.load, tasks.parse);
 * load.precede(parse).name('load').args('data.csv');
 */
export class Task<out R = unknown> {
  /** Types only: holds `R` in the type's structure. Never set. */
  declare readonly [resultType]?: R;
  // The fields are set by the constructor, not by initializers: V8 runs initializers as a function of
  // their own, which it does not always inline, and a recursion through subflows makes two Tasks a call.
  // The settings few tasks change (name, condition, module, priority, retries, semaphores) live in a
  // TaskExtras made when the first is set; the accessors below read and write them as if they were fields
  // (each setter marked @internal as well as its getter: stripInternal keeps a declaration that is not).
  /** @internal */ declare readonly _graph: Taskflow;
  /** @internal */ declare readonly _index: number;
  /** @internal Its function (PLACEHOLDER until task.work(fn) for tf.placeholder()). */ declare _fn: Function;
  /**
   * @internal Bound arguments: a list (a shared empty one until args() is called), or the one number
   * args(x) bound, kept as it is (no list: a recursion through subflows binds one a task).
   */
  declare _bound: readonly unknown[] | number;
  /** @internal Successors in insertion order (shared empty array until the first edge). */ declare _succ: Task[];
  /** @internal Predecessors in insertion order. */ declare _pred: Task[];
  /** @internal Its other settings, once one was set (undefined: all the defaults). */ declare _x: TaskExtras | undefined;

  /** @internal */
  constructor(graph: Taskflow, index: number, fn: Function) {
    (this as { _graph: Taskflow })._graph = graph;
    (this as { _index: number })._index = index;
    this._fn = fn;
    this._bound = NO_ARGS;
    this._succ = NO_TASKS;
    this._pred = NO_TASKS;
    this._x = undefined;
  }

  /** @internal Its name, once given (undefined: its function's). */
  get _label(): string | undefined { return this._x === undefined ? undefined : this._x.label; }
  /** @internal */ set _label(v: string | undefined) { (this._x ??= new TaskExtras()).label = v; }
  /** @internal A condition task: returns the index (or indices) of the successors to run; its edges out are weak. */
  get _condition(): boolean { return this._x === undefined ? false : this._x.condition; }
  /** @internal */ set _condition(v: boolean) { (this._x ??= new TaskExtras()).condition = v; }
  /** @internal For a module task (composedOf): the taskflow it runs. */
  get _module(): Taskflow | undefined { return this._x === undefined ? undefined : this._x.module as Taskflow | undefined; }
  /** @internal */ set _module(v: Taskflow | undefined) { (this._x ??= new TaskExtras()).module = v; }
  /** @internal Priority level (0 critical … 3 low; src/policy/scheduling.ts PRIORITIES). */
  get _level(): number { return this._x === undefined ? NORMAL_LEVEL : this._x.level; }
  /** @internal */ set _level(v: number) { (this._x ??= new TaskExtras()).level = v; }
  /** @internal Times a failing run of this task is retried (task.retries). */
  get _retries(): number { return this._x === undefined ? 0 : this._x.retries; }
  /** @internal */ set _retries(v: number) { (this._x ??= new TaskExtras()).retries = v; }
  /** @internal Semaphores it acquires before it runs (each once; a shared empty array until set). */
  get _acquire(): readonly Semaphore[] { return this._x === undefined ? NO_SEMAPHORES : this._x.acquire; }
  /** @internal */ set _acquire(v: readonly Semaphore[]) { (this._x ??= new TaskExtras()).acquire = v; }
  /** @internal Semaphores it releases when it ends. */
  get _release(): readonly Semaphore[] { return this._x === undefined ? NO_SEMAPHORES : this._x.release; }
  /** @internal */ set _release(v: readonly Semaphore[]) { (this._x ??= new TaskExtras()).release = v; }

  /** Makes this task run before each of `tasks`; each receives this task's result as an argument. */
  precede(...tasks: Task[]): this {
    for (const t of tasks) link(this, nodeOf(t, 'task.precede(...tasks): each task'));
    return this;
  }

  /** Makes this task run after each of `tasks`, receiving their results (in the order edges were added). */
  succeed(...tasks: Task[]): this {
    for (const t of tasks) link(nodeOf(t, 'task.succeed(...tasks): each task'), this);
    return this;
  }

  /** Removes every edge from this task to each of `tasks` (duplicates too; edges that do not exist are ignored). */
  removeSuccessors(...tasks: Task[]): this {
    for (const t of tasks) unlink(this, nodeOf(t, 'task.removeSuccessors(...tasks): each task'));
    return this;
  }

  /** Removes every edge from each of `tasks` to this task. */
  removePredecessors(...tasks: Task[]): this {
    for (const t of tasks) unlink(nodeOf(t, 'task.removePredecessors(...tasks): each task'), this);
    return this;
  }

  /** The task's name (defaults to its function's name). */
  name(): string;
  /** Sets the task's name, used in errors and diagnostics. */
  name(name: string): this;
  name(name?: string): string | this {
    if (name === undefined) return this._label ?? (this._fn.name || (this._index >= 0 ? `task${this._index}` : 'erased task'));
    if (typeof name !== 'string') throw new TypeError(messages.taskArg('name(name)', this.name(), 'name', 'a string', name));
    this._label = name;
    return this;
  }

  /** Binds arguments: the task is called as fn(...args, ...predecessorResults). */
  args(...args: unknown[]): this;
  args(a0?: unknown): this {
    // Read through `arguments`, as ctx.spawn reads its numbers: one number makes no list.
    const n = arguments.length;
    if (n === 1 && typeof a0 === 'number') {
      this._bound = a0;
    } else {
      const list: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) list[i] = arguments[i];
      this._bound = list;
    }
    this._graph[bump]();
    return this;
  }

  /** The task's priority ('normal' unless set). */
  priority(): Priority;
  /**
   * Sets the task's priority: among tasks that become ready together (the sources of a run, the
   * successors one task releases), a worker runs the more urgent first. Runs and submitted tasks take
   * a priority too (RunOptions.priority, executor.submit).
   */
  priority(p: Priority): this;
  priority(p?: Priority): Priority | this {
    if (p === undefined) return PRIORITIES[this._level];
    const level = priorityLevel(p);
    if (level < 0) throw new TypeError(messages.taskArg('priority(p)', this.name(), 'p', PRIORITY_CHOICES, p));
    this._level = level;
    this._graph[bump]();
    return this;
  }

  /**
   * Retries a failing task up to n times (0–255) before its error fails the run, after a backoff of
   * min(1000, 10 · 2^(k−1)) ms with full jitter before retry k. The worker runs other tasks meanwhile.
   * A CancelledError, or a run already stopped, is not retried.
   */
  retries(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new TypeError(messages.taskArg('retries(n)', this.name(), 'n', 'an integer from 0 to 255', n));
    this._retries = n;
    this._graph[bump]();
    return this;
  }

  /**
   * Makes the task take one unit of each semaphore before it starts (Taskflow's acquire), all at once:
   * while one has none free it waits, without holding a worker. A semaphore given twice counts once.
   * See docs/graphs.md, Semaphores.
   *
   * @example
   * const lock = new Semaphore(1);
   * a.acquire(lock).release(lock); b.acquire(lock).release(lock);   // a and b never overlap
   */
  acquire(...semaphores: Semaphore[]): this {
    this._acquire = withSemaphores(this._acquire, semaphores, 'acquire(...semaphores)', this.name());
    this._graph[bump]();
    return this;
  }

  /**
   * Makes the task give one unit of each semaphore back when it ends, whether it returned, threw or
   * failed (Taskflow's release): a unit its run took, by this task or an earlier one.
   */
  release(...semaphores: Semaphore[]): this {
    this._release = withSemaphores(this._release, semaphores, 'release(...semaphores)', this.name());
    this._graph[bump]();
    return this;
  }

  /**
   * Gives the task its work: `fn` replaces its function (a placeholder's no-op, or an earlier one); a
   * condition task stays a condition. Bound arguments and edges are kept. The next run lays it out again.
   *
   * @example
   * const later = tf.placeholder().name('later');
   * later.work(tasks.report);
   */
  work(fn: TaskFunction): this {
    if (typeof fn !== 'function') throw new TypeError(messages.taskArg('work(fn)', this.name(), 'fn', 'a function', fn));
    if (this._module) throw new GraphError(messages.moduleWork(this.name()));
    this._fn = fn;
    this._graph[bump]();
    return this;
  }

  /** False for a placeholder ({@link Taskflow.placeholder}) not yet given work with {@link Task.work}. */
  hasWork(): boolean { return this._fn !== PLACEHOLDER; }

  /** Edges out of this task (a task preceded twice counts twice). */
  numSuccessors(): number { return this._succ.length; }
  /** Edges into this task, weak ones (out of condition tasks) included. */
  numPredecessors(): number { return this._pred.length; }
  /** Edges into this task from tasks that are not conditions: what it waits for before it runs. */
  numStrongDependencies(): number { return this._pred.length - this.numWeakDependencies(); }
  /** Edges into this task from condition tasks (weak: a condition's choice runs it at once). */
  numWeakDependencies(): number {
    let n = 0;
    for (const p of this._pred) if (p._condition) n++;
    return n;
  }

  /** Calls `fn(task)` for each edge out of this task, in insertion order (a duplicate edge: twice). */
  forEachSuccessor(fn: (task: Task) => void): void {
    if (typeof fn !== 'function') throw new TypeError(messages.taskArg('forEachSuccessor(fn)', this.name(), 'fn', 'a function', fn));
    for (const t of this._succ.slice()) fn(t);
  }

  /** Calls `fn(task)` for each edge into this task, in insertion order. */
  forEachPredecessor(fn: (task: Task) => void): void {
    if (typeof fn !== 'function') throw new TypeError(messages.taskArg('forEachPredecessor(fn)', this.name(), 'fn', 'a function', fn));
    for (const t of this._pred.slice()) fn(t);
  }

  /** True for a condition task ({@link Taskflow.condition}). */
  get isCondition(): boolean { return this._condition; }

  /** Tasks this one precedes, in insertion order. */
  get successors(): Task[] { return this._succ.slice(); }
  /** Tasks this one succeeds, in insertion order. */
  get predecessors(): Task[] { return this._pred.slice(); }
  /** The taskflow this task belongs to. */
  get taskflow(): Taskflow { return this._graph; }
}

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
