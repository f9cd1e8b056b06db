// Worker side of subflows (src/graph/subflow.ts): lays a joined subflow into the task table under a subflow
// run slot, starts it on this worker's deque, and helps until its run is done (assembly/subflows.ts).
import { NONE } from '../engine/memory.js';
import { Kind, type PlainError } from '../engine/codec.js';
import { nodesOf, hasModules, type Taskflow } from '../graph/taskflow.js';
import { flatten, flatName } from '../graph/flatten.js';
import { layOut, release } from '../engine/placement.js';
import { messages, rebuildError, CancelledError, type TaskFailure } from '../errors.js';
import type { Thread } from './thread.js';

/**
 * Runs subflow sf (or a taskflow built in the task: ctx.corun) for the task on top of this worker's stack, helping meanwhile (`helpUntil`, join.ts).
 * `parentRun` is the task's run (NONE for a task outside any run) and `token` its cancellation token
 * word (0: none; sf's tasks share it). Returns the results of sf's tasks in insertion order, or throws
 * the first error.
 * A subflow of independent plain tasks (no edges, conditions, modules or semaphores: fork-join shaped,
 * like fib) is run as spawned children, which costs no layout; any other is laid out like a graph.
 */
export function runSubflow(th: Thread, helpUntil: (at: number) => void, sf: Taskflow, parentRun: number, token: number): unknown[] {
  const nodes = nodesOf(sf);
  if (nodes.length === 0) return [];
  // (One whose tasks use semaphores goes to layOut too, which refuses it with an error naming the task.)
  if (!hasModules(sf) && nodes.every((n) => n._succ.length === 0 && !n._condition && n._acquire.length + n._release.length === 0)) {
    const ctx = th.ctx!;
    const handles: number[] = [];
    for (const n of nodes) handles.push(ctx.spawn(n._fn as (...a: unknown[]) => unknown, ...n._bound));
    return ctx.join(handles);
  }
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
