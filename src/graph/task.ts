// A task of a Taskflow: its handle, which is its node as well (its function, its bound arguments, its
// edges, and its settings in a TaskExtras once one is set), and the accessors and methods on it. Its
// graph is the Taskflow (taskflow.ts), which makes Tasks and imports this file; this one needs it for
// its types only.
import { GraphError, messages } from '../errors.js';
import { PRIORITIES, PRIORITY_CHOICES, priorityLevel, type Priority } from '../policy/scheduling.js';
import { NO_SEMAPHORES, withSemaphores, type Semaphore } from './semaphore.js';
import { TaskExtras, NORMAL_LEVEL } from './task-extras.js';
import { bump, link, unlink } from './edges.js';
import { NO_TASKS } from './nodes.js';
import type { TaskFunction, TaskResult } from './task-function.js';
import type { Taskflow } from './taskflow.js';

/** @internal A Taskflow's node is its Task handle (one object per task keeps large graphs cheap to build). */
export type Node = Task;

/** @internal The node behind a task handle; `what` names the call and argument that gave it, for the error. */
export function nodeOf(t: Task, what: string): Node {
  if (!(t instanceof Task)) throw new TypeError(messages.notATask(what, t));
  return t;
}

/** Bound arguments of a task without any, shared (not frozen, as NO_TASKS, nodes.ts): args() replaces it. */
const NO_ARGS: readonly unknown[] = [];

/** @internal The arguments bound to task t, as a list (args(x) of one number keeps the number alone). */
export function boundArgs(t: Task): readonly unknown[] {
  const b = t._bound;
  return typeof b === 'number' ? [b] : b;
}
/** The function of a module task and of a module's entry and exit nodes: they do nothing themselves. */
export const NO_FN = function module() { /* a module's own node does nothing */ };
/** @internal The function of a placeholder task (tf.placeholder) until task.work(fn) gives it one: runs as a no-op. */
export const PLACEHOLDER: Function = Object.defineProperty(function () { /* no work yet */ }, 'name', { value: '' });

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
