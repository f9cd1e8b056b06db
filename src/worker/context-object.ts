// The one object per worker thread that implements TaskContext (context.ts), made by main.ts. Its
// methods act on the task on top of the worker's stack (frames.ts).
import { Subflow } from '../graph/subflow.js';
import { Taskflow } from '../graph/taskflow.js';
import { messages } from '../errors.js';
import { ONE_NUMBER, type Thread } from './thread.js';
import type { Join } from './join.js';
import type { Tokens } from './cancel.js';
import type { TaskContext } from './context.js';
import { runSubflow } from './subflow.js';
import { Group } from './group.js';
import { STACK_CHECK_DEPTH, ensureStackRoom } from './stack.js';
import { WorkerAsyncTask } from '../engine/handles.js';
import type { Dependents } from './dependent.js';

/** The task context of this worker thread (start-up, once). */
export function createTaskContext(th: Thread, { join: { joinChildren, helpUntil }, tokens, dependents }: { join: Join; tokens: Tokens; dependents: Dependents }): TaskContext {
  const { core, x, w, codec, frameTask, frameKids, frameSubs } = th;
  const { stopReason, stopRunOf, tokenOf, signalOf } = tokens;
  const T_succ = th.T_succ, T_flags = th.T_flags, T_token = th.T_token, T_pred = th.T_pred, T_argInfo = th.T_argInfo;
  const T_a0 = th.T_a0, CHILD = th.CHILD;

  /** The task on top of the stack, after checking that one runs (`what` names the member for the error). */
  function top(what: string): number {
    if (th.depth === 0) throw new Error(messages.notRunning(what));
    return frameTask[th.depth - 1];
  }

  /**
   * Spawns child fn(...args) of `parent` (the task on top of the stack) on this worker's deque; `stopRun`
   * is the run whose failure or cancellation skips it (its spawner's, or a task group's slot). `call`
   * names the caller in errors.
   */
  function spawnChild(parent: number, fn: unknown, args: readonly unknown[], stopRun: number, call: string): number {
    if (th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, parent, call, true);   // before anything changes (stack.ts)
    const id = th.fns!.idOf(fn);
    const t = x.taskAllocW(w);
    if (t < 0) throw new RangeError(messages.tooManyTasks(core.taskCap));
    // The slot's `succ` may still name a task from its last use (a freed child's spawner, or the free
    // stack's link): cleared before the Child flag shows, so that the host's orphan scan
    // (src/engine/recovery.ts), if another worker dies now, never takes this child for a dead task's.
    // The atomic store of the flag orders the clear before it; spawnPush writes the spawner after the push.
    const p = core.initLoneTask(t, id, 0);
    const i = p >> 2;
    core.u32[i + T_succ] = 0;
    Atomics.store(core.u32, i + T_flags, CHILD);
    // A child stops with its spawner: it shares its cancellation token, and its `pred` word (unused by a
    // child, which has no predecessors) names the run whose failure or cancellation skips it.
    core.u32[i + T_token] = tokenOf(parent);
    core.u32[i + T_pred] = stopRun;
    if (args.length === 1 && typeof args[0] === 'number') {   // the common divide-and-conquer shape: one number, inline
      core.f64[(p + T_a0) >> 3] = args[0];
      core.u32[i + T_argInfo] = ONE_NUMBER;
    } else {
      try {
        if (args.length > 0) codec.writeArgs(p, args);
      } catch (e) {
        x.taskFreeW(w, t);
        throw e;
      }
    }
    x.spawnPush(w, t, parent);
    (frameKids[th.depth - 1] ??= []).push(t);
    return t;
  }

  /**
   * this.join of a list holding handles of dependent tasks (and maybe children): everything is checked
   * (and each handle held) before anything is waited for; then each is waited for in order while this
   * worker helps, and the first error is thrown after all of them were joined.
   */
  function joinMixed(kids: number[] | undefined, list: readonly (number | WorkerAsyncTask)[], many: boolean): unknown {
    const task = top('ctx.join()');
    if (th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, task, 'ctx.join()');   // helping nests deeper
    const held: number[] = [];
    try {
      for (const c of list) {
        if (c instanceof WorkerAsyncTask) held.push(dependents.holdForJoin(c));
        else if (!kids || !kids.includes(c)) throw new Error(messages.notAChild(c));
      }
    } catch (e) {
      for (const s of held) dependents.release(s);
      throw e;
    }
    const out: unknown[] = [];
    let error: unknown, k = 0;
    for (const c of list) {
      try {
        out.push(c instanceof WorkerAsyncTask ? dependents.take(held[k++]) : joinChildren(kids!, [c])[0]);
      } catch (e) {
        error ??= e;
        out.push(undefined);
      }
    }
    if (error !== undefined) throw error;
    return many ? out : out[0];
  }

  return {
    workerId: w,
    get cancelled() {
      return stopReason(top('ctx.cancelled')) !== undefined;
    },
    checkCancelled() {
      const why = stopReason(top('ctx.checkCancelled()'));
      if (why !== undefined) throw why;
    },
    get signal() {
      return signalOf(top('ctx.signal'));
    },
    spawn(fn, ...args) {
      const parent = top('ctx.spawn()');
      return spawnChild(parent, fn, args, stopRunOf(parent), 'ctx.spawn()');
    },
    join(handles: number | WorkerAsyncTask | readonly (number | WorkerAsyncTask)[]): any {
      const kids = th.depth > 0 ? frameKids[th.depth - 1] : undefined;
      const list = Array.isArray(handles) ? handles : [handles as number];
      for (const c of list) {
        if (c instanceof WorkerAsyncTask) return joinMixed(kids, list, Array.isArray(handles));
        if (!kids || !kids.includes(c)) {
          throw new Error(messages.notAChild(c));
        }
      }
      if (th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, frameTask[th.depth - 1], 'ctx.join()');   // helping nests deeper
      const out = joinChildren(kids!, list);
      return Array.isArray(handles) ? out : out[0];
    },
    subflow(name = 'subflow') {
      const task = top('ctx.subflow()');
      const d = th.depth - 1;
      const sf = new Subflow(name, (s) => {
        if (th.depth - 1 !== d || frameTask[d] !== task) throw new Error(messages.foreignSubflow(s.name));
        const subs = frameSubs[d]!;
        subs.splice(subs.indexOf(s), 1);
        if (th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, task, `subflow '${s.name}': join()`);   // helping nests deeper; a refused subflow never starts
        return runSubflow(th, helpUntil, s, stopRunOf(task), tokenOf(task));
      });
      (frameSubs[d] ??= []).push(sf);
      return sf;
    },
    taskGroup() {
      const task = top('ctx.taskGroup()');
      const d = th.depth - 1;
      const g = new Group(th, { spawnChild, joinChildren }, d, task, stopRunOf(task));
      (frameSubs[d] ??= []).push(g);
      return g;
    },
    dependentAsync(fn: unknown, ...rest: unknown[]): WorkerAsyncTask {
      return dependents.create(top('this.dependentAsync()'), fn, rest);
    },
    corun(tf: Taskflow) {
      const task = top('ctx.corun(tf)');
      if (tf instanceof Subflow) throw new TypeError(messages.corunSubflow(tf.name));
      if (!(tf instanceof Taskflow)) throw new TypeError(messages.notATaskflow('ctx.corun(tf): tf', tf));
      if (th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, task, `ctx.corun(tf '${tf.name}')`);   // helping nests deeper
      return runSubflow(th, helpUntil, tf, stopRunOf(task), tokenOf(task));
    },
  };
}
