// Worker side of subflows (src/graph/subflow.ts): lays a joined subflow into the task table under a subflow
// run slot, starts it on this worker's deque, and helps until its run is done (assembly/subflows.ts).
import { NONE } from '../engine/memory.js';
import { Kind, type PlainError } from '../engine/codec.js';
import type { Taskflow, Node } from '../graph/taskflow.js';
import { NORMAL_LEVEL, type TaskExtras } from '../graph/task-extras.js';
import { nodesOf, takeNodes } from '../graph/nodes.js';
import { hasModules } from '../graph/modules.js';
import { flatten, flatName } from '../graph/flatten.js';
import { layOut, release } from '../engine/placement.js';
import { messages, rebuildError, CancelledError, type TaskFailure } from '../errors.js';
import type { Thread } from './thread.js';

/** What runSubflow needs of the task context (context-object.ts): helping, spawn / join, the task's stop run and token. */
export interface Fork {
  helpUntil(at: number): void;
  stopRunOf(t: number): number;
  tokenOf(t: number): number;
  /**
   * Each node spawned with its bound arguments as ctx.spawn spawns, then all joined as ctx.join joins a
   * list; `inPlace`: the results are written over `nodes`, which is returned (else a new array).
   */
  forkJoin(nodes: readonly Node[], inPlace: boolean): unknown[];
  /** forkJoin of nodes one of which has retries or a name (fork-settled.ts): the laid-out path's retries and errors. */
  forkJoinSettled(nodes: readonly Node[]): unknown[];
}

/** What independent() finds a subflow's tasks to be. */
const enum Shape { LaidOut = 0, Plain = 1, Settled = 2 }

/**
 * Runs subflow sf (or a taskflow built in the task: ctx.corun) for `task`, on top of this worker's stack, helping meanwhile (`helpUntil`, join.ts).
 * `clears`: sf is a subflow cleared when joined (not retained), which a subflow of independent tasks
 * is at once, its node list becoming the array of results (graph/nodes.ts takeNodes).
 * Its tasks stop with the task's run (its stop run: NONE for a task outside any run) and share its
 * cancellation token (0: none). Returns the results of sf's tasks in insertion order, or throws the
 * first error.
 * A subflow of independent plain tasks (no edges, conditions, modules, priorities or semaphores: fork-join shaped,
 * like fib) is run as spawned children, which costs no layout; one of whose tasks have retries or names
 * as well, by forkJoinSettled; any other is laid out like a graph.
 */
export function runSubflow(th: Thread, fork: Fork, sf: Taskflow, task: number, clears: boolean): unknown[] {
  const nodes = nodesOf(sf);
  if (nodes.length === 0) return [];
  // (One whose tasks use semaphores goes to layOut too, which refuses it with an error naming the task.)
  if (!hasModules(sf) && independent(nodes) === Shape.Plain) return clears ? fork.forkJoin(takeNodes(sf), true) : fork.forkJoin(nodes, false);
  return runOther(th, fork, sf, task, clears);
}

/**
 * runSubflow of any other subflow: its shape found again here, out of line, so that runSubflow keeps the
 * size it had before the settled shape existed (a recursion through subflows calls it once a call, and
 * a larger one read 3–7 % slower in fib through subflows).
 */
function runOther(th: Thread, fork: Fork, sf: Taskflow, task: number, clears: boolean): unknown[] {
  if (!hasModules(sf) && independent(nodesOf(sf)) === Shape.Settled) return fork.forkJoinSettled(clears ? takeNodes(sf) : nodesOf(sf));
  return runLaidOut(th, fork, sf, task);
}

/** runSubflow of a graph: laid out under a subflow run slot. */
function runLaidOut(th: Thread, fork: Fork, sf: Taskflow, task: number): unknown[] {
  const { helpUntil } = fork;
  const parentRun = fork.stopRunOf(task), token = fork.tokenOf(task);   // the layout only: spawned children take their frame's
  const { core, codec } = th;
  const x = core.x;
  const r = x.subRunAlloc();
  if (r < 0) throw new RangeError(messages.tooManySubflows(sf.name));
  let pl;
  try {
    pl = layOut(sf, core, codec, th.fns!, r);
  } catch (e) {
    x.subRunFree(r);
    throw e;
  }
  try {
    const rp = core.runPtr(r);
    if (token !== 0) for (const t of pl.slots) core.u32[(core.taskPtr(t) + core.L.T_token) >> 2] = token;   // the parent's cancellation token
    x.subRunStart(th.w, r, pl.block, pl.nSources, parentRun);   // publishes the records
    helpUntil((rp + core.L.R_done) >> 2);
    const failed = Atomics.load(core.i32, (rp + core.L.R_failed) >> 2);
    if (failed !== 0) throw subflowError(th, sf, pl.slots, failed - 1);
    if (parentRun !== NONE && x.runStopped(parentRun) !== 0) throw new CancelledError(messages.subflowStopped(sf.name));
    const out: unknown[] = [];
    for (const i of pl.top) out.push(codec.readResult(core.taskPtr(pl.slots[i])));
    return out;
  } finally {
    release(pl, core, codec);
    x.subRunFree(r);
  }
}

/**
 * No edges, no conditions, no priorities, no semaphores: a subflow of independent tasks (a loop: this runs on every call
 * of a recursion), Settled if one has retries or a name. A task with no settings has no extras object
 * (graph/task-extras.ts): the plain case reads one field a task.
 */
function independent(nodes: readonly Node[]): Shape {
  let shape = Shape.Plain;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (node._succ.length !== 0) return Shape.LaidOut;
    const x = node._x;   // its settings, if any were set
    if (x !== undefined && (shape = withSettings(x, shape)) === Shape.LaidOut) return shape;
  }
  return shape;
}

/**
 * The shape of a subflow that is `shape` so far once it has a task with settings x (out of line:
 * independent stays small). A task given a priority is laid out: fork-join children have no level (a
 * child is normal), where laid out the sources go to their level's deque, the most urgent run first.
 */
function withSettings(x: TaskExtras, shape: Shape): Shape {
  if (x.condition || x.level !== NORMAL_LEVEL || x.acquire.length + x.release.length !== 0) return Shape.LaidOut;
  return x.retries !== 0 || x.label !== undefined ? Shape.Settled : shape;
}

/** The first failed task's error, named after its task, with the other failures as `suppressed`. */
function subflowError(th: Thread, sf: Taskflow, slots: Int32Array, first: number): TaskFailure {
  const flat = flatten(sf);
  const errorOf = (i: number): TaskFailure =>
    rebuildError(th.codec.readResult(th.core.taskPtr(slots[i])) as PlainError, flatName(flat, i));
  const firstIndex = slots.indexOf(first);
  const err = errorOf(firstIndex) as TaskFailure & { suppressed?: unknown[] };
  const others: unknown[] = [];
  for (let i = 0; i < slots.length; i++) {
    if (i !== firstIndex && th.codec.resultKind(th.core.taskPtr(slots[i])) === Kind.Error) others.push(errorOf(i));
  }
  if (others.length > 0) err.suppressed = others;
  return err;
}
