// Task graphs as pure data: nodes, edges, names, bound arguments. Nothing here touches threads, Wasm or
// the GPU; the executor lays a Taskflow into the shared task table when it first runs it.
import { GraphError, messages } from './errors.js';

/** @internal One node of a Taskflow. */
export interface Node {
  readonly graph: Taskflow;
  readonly index: number;
  readonly fn: Function;
  name: string | undefined;
  args: unknown[];
  readonly succ: Node[];
  readonly pred: Node[];
  readonly handle: Task;
}

/** @internal The node behind a task handle. */
export function nodeOf(t: Task): Node {
  const n = t instanceof Task ? t[nodeKey] : undefined;
  if (!n) throw new TypeError(`beatflow: expected a Task handle from taskflow.emplace() (got ${String(t)})`);
  return n;
}

const nodeKey = Symbol('node');

/**
 * A handle on one task of a {@link Taskflow}. Methods chain.
 * Thread-safety: build graphs on one thread (the host); the executor reads them when a run starts.
 *
 * @example
 * const [load, parse] = tf.emplace(tasks.load, tasks.parse);
 * load.precede(parse).name('load').args('data.csv');
 */
export class Task {
  /** @internal */
  readonly [nodeKey]: Node;

  /** @internal */
  constructor(graph: Taskflow, index: number, fn: Function) {
    this[nodeKey] = { graph, index, fn, name: undefined, args: [], succ: [], pred: [], handle: this };
  }

  /** Makes this task run before each of `tasks`; each receives this task's result as an argument. */
  precede(...tasks: Task[]): this {
    const me = nodeOf(this);
    for (const t of tasks) link(me, nodeOf(t));
    return this;
  }

  /** Makes this task run after each of `tasks`, receiving their results (in the order edges were added). */
  succeed(...tasks: Task[]): this {
    const me = nodeOf(this);
    for (const t of tasks) link(nodeOf(t), me);
    return this;
  }

  /** The task's name (defaults to its function's name). */
  name(): string;
  /** Sets the task's name, used in errors and diagnostics. */
  name(name: string): this;
  name(name?: string): string | this {
    const n = nodeOf(this);
    if (name === undefined) return n.name ?? (n.fn.name || `task${n.index}`);
    if (typeof name !== 'string') throw new TypeError(`beatflow: task.name(name) takes a string (got ${typeof name})`);
    n.name = name;
    return this;
  }

  /** Binds arguments: the task is called as fn(...args, ...predecessorResults). */
  args(...args: unknown[]): this {
    const n = nodeOf(this);
    n.args = args;
    n.graph[bump]();
    return this;
  }

  /** Tasks this one precedes, in insertion order. */
  get successors(): Task[] { return nodeOf(this).succ.map((s) => s.handle); }
  /** Tasks this one succeeds, in insertion order. */
  get predecessors(): Task[] { return nodeOf(this).pred.map((s) => s.handle); }
  /** The taskflow this task belongs to. */
  get taskflow(): Taskflow { return nodeOf(this).graph; }
}

function link(from: Node, to: Node): void {
  if (from.graph !== to.graph) throw new GraphError(messages.foreignTask(from.graph.name, to.handle.name()));
  if (from.succ.includes(to)) return;   // an edge is a set membership: adding it twice changes nothing
  from.succ.push(to);
  to.pred.push(from);
  from.graph[bump]();
}

const bump = Symbol('bump');
const nodesKey = Symbol('nodes');

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
  readonly name: string;
  /** @internal Bumped by every structural change; a laid-out copy with another version is stale. */
  version = 0;
  readonly [nodesKey]: Node[] = [];

  constructor(name = 'taskflow') {
    if (typeof name !== 'string') throw new TypeError(`beatflow: new Taskflow(name) takes a string (got ${typeof name})`);
    this.name = name;
  }

  /** @internal */
  [bump](): void { this.version++; }

  /**
   * Adds one task per function. One function returns one Task; several, or one array of functions
   * (for large graphs: a spread of a million arguments overflows the stack), return an array.
   */
  emplace(fn: Function): Task;
  emplace(fns: readonly Function[]): Task[];
  emplace(...fns: Function[]): Task[];
  emplace(...given: (Function | readonly Function[])[]): Task | Task[] {
    const list = given.length === 1 && Array.isArray(given[0]);
    const fns = (list ? given[0] : given) as readonly Function[];
    const made = fns.map((fn, i) => {
      if (typeof fn !== 'function') throw new TypeError(messages.notAFunction(`taskflow.emplace() argument ${i}`, fn));
      const nodes = this[nodesKey];
      const t = new Task(this, nodes.length, fn);
      nodes.push(t[nodeKey]);
      return t;
    });
    this[bump]();
    return fns.length === 1 && !list ? made[0] : made;
  }

  /** Number of tasks. */
  get numTasks(): number { return this[nodesKey].length; }

  /** Every task, in insertion order. */
  tasks(): Task[] { return this[nodesKey].map((n) => n.handle); }
}

/** @internal The nodes of a taskflow, in insertion order. */
export function nodesOf(tf: Taskflow): readonly Node[] {
  return tf[nodesKey];
}

/**
 * Checks that the graph is acyclic (Kahn's algorithm). On a cycle, throws a GraphError naming the tasks
 * on one cycle, in order. Pure.
 */
export function checkAcyclic(tf: Taskflow): void {
  const nodes = nodesOf(tf);
  const indeg = new Int32Array(nodes.length);
  for (const n of nodes) indeg[n.index] = n.pred.length;
  const stack: number[] = [];
  for (let i = 0; i < nodes.length; i++) if (indeg[i] === 0) stack.push(i);
  let seen = 0;
  while (stack.length) {
    const i = stack.pop()!;
    seen++;
    for (const s of nodes[i].succ) if (--indeg[s.index] === 0) stack.push(s.index);
  }
  if (seen === nodes.length) return;
  const cycle = findCycle(nodes, indeg);
  const names = cycle.map((n) => n.handle.name());
  const err = new GraphError(messages.cycle(tf.name, [...names, names[0]]));
  err.cycle = names;
  throw err;
}

/** Walks predecessors among the nodes Kahn could not remove until one repeats: that loop is a cycle. */
function findCycle(nodes: readonly Node[], indeg: Int32Array): Node[] {
  let at = nodes.find((n) => indeg[n.index] > 0)!;
  const pos = new Map<Node, number>();
  const path: Node[] = [];
  while (!pos.has(at)) {
    pos.set(at, path.length);
    path.push(at);
    at = at.pred.find((p) => indeg[p.index] > 0)!;
  }
  const cycle = path.slice(pos.get(at)).reverse();
  const first = cycle.reduce((m, n, i) => (n.index < cycle[m].index ? i : m), 0);
  return [...cycle.slice(first), ...cycle.slice(0, first)];   // start at the earliest-inserted task
}
