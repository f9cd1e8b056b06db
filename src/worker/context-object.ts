// The one object per worker thread that implements TaskContext (context.ts), made by main.ts. Its
// methods act on the task on top of the worker's stack (frames.ts).
import { Subflow, makeSubflow } from '../graph/subflow.js';
import { Taskflow, type Node } from '../graph/taskflow.js';
import { messages, CancelledError } from '../errors.js';
import { ONE_NUMBER, NO_KIDS, joinablesAt, type Thread, type Joinable } from './thread.js';
import type { Join } from './join.js';
import type { Tokens } from './cancel.js';
import type { TaskContext } from './context.js';
import { runSubflow } from './subflow.js';
import { createForkSettled } from './fork-settled.js';
import { Group } from './group.js';
import { STACK_CHECK_DEPTH, ensureStackRoom } from './stack.js';
import { WorkerAsyncTask } from '../engine/handles.js';
import type { Dependents } from './dependent.js';
import type { Forecast } from './forecast.js';
import type { Lazy } from './lazy.js';
import { handlesOf, forkLevelFree, type ForkStop } from './fork-stop.js';

/** What the task context is made of (start.ts). */
export interface TaskContextParts { join: Join; tokens: Tokens; dependents: Dependents; forecast: Forecast; lazy: Lazy; forkStop: ForkStop }

/** The task context of this worker thread (start-up, once). */
export function createTaskContext(th: Thread, { join: { joinChildren, helpUntil }, tokens, dependents, forecast, lazy, forkStop }: TaskContextParts): TaskContext {
  const { core, x, w, codec, frameTask, frameKids, frameSubs, frameLevel, frameStop } = th;
  const { stopReason, stopRunOf, tokenOf, signalOf } = tokens;
  const { joining } = forkStop;
  const FORK_SPAWN = core.L.flag_ForkSpawn;   // spawnRecord's level bit for a fork-join child

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
    return spawnJob(parent, th.fns!.idOf(fn), args, 0, stopRun, 0);
  }

  /**
   * spawnChild once the stack was checked and fn named: the child as a job on this worker's deque, with
   * `args`, or the one number a0 when args is undefined. Its record (assembly/tasks.ts spawnRecord): it
   * stops with its spawner (the same cancellation token; `stopRun` skips it) and carries its fork-join
   * level (forecast.ts) for whoever runs it. `fork`: FORK_SPAWN for a subflow's child, which a
   * sibling's failure stops (fork-stop.ts), else 0.
   */
  function spawnJob(parent: number, id: number, args: readonly unknown[] | undefined, a0: number, stopRun: number, fork: number): number {
    const level = (frameLevel[th.depth - 1] + 1) | fork;
    let t: number;
    if (args === undefined) {   // the common divide-and-conquer shape: one number, in one call into Wasm
      t = x.spawnNumber(w, id, parent, tokenOf(parent), stopRun, level, ONE_NUMBER, a0);
      if (t < 0) { if (fork !== 0) unspawned(th.depth - 1); throw new RangeError(messages.tooManyTasks(core.taskCap)); }
    } else {
      t = x.spawnRecord(w, id, tokenOf(parent), stopRun, level);
      if (t < 0) { if (fork !== 0) unspawned(th.depth - 1); throw new RangeError(messages.tooManyTasks(core.taskCap)); }
      try {
        if (args.length > 0) codec.writeArgs(core.taskPtr(t), args);
      } catch (e) {
        x.taskFreeW(w, t);
        if (fork !== 0) unspawned(th.depth - 1);
        throw e;
      }
      x.spawnPush(w, t, parent);
    }
    (frameKids[th.depth - 1] ??= []).push(t);
    return t;
  }

  /**
   * A fork-join of the frame at depth d could not spawn a child (no slot, arguments that cannot cross):
   * it throws before its join, and the jobs it spawned stay the frame's children (joined when its task
   * ends, as before). They are stopped and waited for here, so that none of them, failing on another
   * worker after the throw, marks the task (fork-stop.ts) and stops the frame's next fork-join, or a
   * later one of the same level. With no room on the stack to help, they are only stopped.
   */
  function unspawned(d: number): void {
    const kids = frameKids[d];
    if (kids === undefined) return;
    const u32 = core.u32;
    const pairs: number[] = [];   // (index, handle), as stopPairs reads them
    for (const c of kids) if (c >= 0 && (u32[th.record(c) + th.T_flags] & th.FORK) !== 0) pairs.push(0, c);
    if (pairs.length === 0) return;
    forkStop.stopPairs(pairs);
    try {
      if (th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, frameTask[d], 'ctx.join()');   // helping nests deeper
    } catch {
      return;
    }
    for (let j = 1; j < pairs.length; j += 2) helpUntil(th.record(pairs[j]) + th.T_done, pairs[j]);
    forkStop.forget(d);
  }

  /**
   * A fork-join's child run inline: its arguments as they cross (codec.crossedArgs). Refused after the
   * fork-join spawned jobs (`jobs`), it throws before its join: those are stopped and waited for first.
   */
  function crossedIn(args: readonly unknown[], d: number, jobs: boolean): readonly unknown[] {
    try {
      return codec.crossedArgs(args);
    } catch (e) {
      if (jobs) unspawned(d);
      throw e;
    }
  }

  /**
   * this.join of a list holding handles of dependent tasks (and maybe children, jobs or inline): everything is checked
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
        else if (c < 0 ? lazy.slot(c) < 0 : !kids || !kids.includes(c)) throw new Error(messages.notAChild(c));
      }
    } catch (e) {
      for (const s of held) dependents.release(s);
      throw e;
    }
    const out: unknown[] = [];
    let error: unknown, k = 0;
    for (const c of list) {
      try {
        out.push(c instanceof WorkerAsyncTask ? dependents.take(held[k++]) : joinChildren(kids ?? NO_KIDS, [c])[0]);
      } catch (e) {
        error ??= e;
        out.push(undefined);
      }
    }
    if (error !== undefined) throw error;
    return many ? out : out[0];
  }

  /**
   * ctx.spawn(fn, ...args) (args undefined: the n ≤ 3 numbers a0, a1, a2). The child runs inline (lazy.ts)
   * when it is predicted too short for a job (forecast.ts), its arguments crossing as a job's would and
   * refused the same way, before anything runs; else it is a job on this worker's deque.
   */
  function spawnHere(fn: unknown, args: readonly unknown[] | undefined, n: number, a0: number, a1: number, a2: number): number {
    const parent = top('ctx.spawn()');
    if (th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, parent, 'ctx.spawn()', true);   // before anything changes (stack.ts)
    const id = th.fns!.idOf(fn);
    const d = th.depth - 1;
    if (forecast.on && forecast.inline(id, frameLevel[d] + 1)) return lazy.run(id, args === undefined ? undefined : codec.crossedArgs(args), n, a0, a1, a2);
    if (args === undefined && n === 1) return spawnJob(parent, id, undefined, a0, frameStop[d], 0);
    return spawnJob(parent, id, args ?? (n === 2 ? [a0, a1] : n === 3 ? [a0, a1, a2] : []), 0, frameStop[d], 0);
  }

  /**
   * A subflow of independent tasks (worker/subflow.ts): each spawned with its bound arguments as ctx.spawn
   * spawns, then all joined as ctx.join joins a list. Their results in order, in one array, as a
   * recursion makes a subflow a call. The handles are this frame's own and no one else sees them: a
   * child run inline that returned writes its value straight into the results and keeps no outcome
   * (lazy.ts runInto), so a subflow whose children all returned inline joins nothing. The others (jobs,
   * inline children that threw or were skipped) are joined as ctx.join joins a list, whose first error
   * is the subflow's, with the later ones in its `suppressed` (a child that returned has none). The join
   * nests no deeper than ctx.join's: deep recursions through subflows spend stack per frame. A failure
   * stops the subflow (fork-stop.ts): after a child run inline that failed (or was skipped) no other is
   * run, and the jobs not started are skipped.
   */
  function forkJoin(nodes: readonly Node[], inPlace: boolean): unknown[] {
    const n = nodes.length;
    const out: unknown[] = inPlace ? nodes as unknown[] : new Array(n);   // node i is read before out[i] is written
    const parent = top('ctx.spawn()'), d = th.depth - 1;
    let rest: number[] | undefined;   // (index, handle) pairs of the children still to join
    let jobs = false, fork = 0;   // fork: FORK_SPAWN, or 0 nested too deep in one task (its jobs mark nothing: fork-stop.ts)
    for (let i = 0; i < n; i++) {
      const fn = nodes[i]._fn, bound = nodes[i]._bound;   // args(x) of one number: the number (taskflow.ts), never a list of it
      const a0 = typeof bound === 'number' ? bound : undefined;
      if (th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, parent, 'ctx.spawn()', true);   // before anything changes (stack.ts)
      const id = th.fns!.idOf(fn);
      let h: number;
      if (forecast.on && forecast.inline(id, frameLevel[d] + 1)) {
        if (jobs && forkStop.heard(d)) return stopHeard(out, rest!, parent, d);   // a job failed elsewhere: run no more
        h = a0 !== undefined ? lazy.runInto(id, undefined, 1, a0, 0, 0, out, i) : lazy.runInto(id, crossedIn(bound as readonly unknown[], d, jobs), 0, 0, 0, 0, out, i);
        if (h === 0) continue;
        return stopAt(out, rest, i, h, jobs, parent, d);   // it failed or was skipped: the subflow stops
      } else {
        if (!jobs) fork = forkLevelFree(th, d) ? FORK_SPAWN : 0;   // asked at the first job: most fork-joins spawn none
        h = a0 !== undefined ? spawnJob(parent, id, undefined, a0, frameStop[d], fork) : spawnJob(parent, id, bound as readonly unknown[], 0, frameStop[d], fork);
        jobs = true;
      }
      if (rest === undefined) rest = [i, h]; else rest.push(i, h);
    }
    return rest === undefined ? out : jobs ? joinJobs(out, rest, parent, d) : joinInline(out, rest, d);
  }

  /**
   * forkJoin once child i, run inline, failed or was skipped (handle h): no child after it is run, the
   * jobs spawned before it are stopped (fork-stop.ts), and the join throws. Out of line: forkJoin stays small.
   */
  function stopAt(out: unknown[], rest: number[] | undefined, i: number, h: number, jobs: boolean, parent: number, d: number): unknown[] {
    if (rest === undefined) rest = [i, h]; else rest.push(i, h);
    if (!jobs) return joinInline(out, rest, d);
    forkStop.stopPairs(rest);
    return joinJobs(out, rest, parent, d);
  }

  /**
   * forkJoin once a job of it failed on another worker (fork-stop.ts heard), before child i ran: the
   * children from i on are not run, and the join throws that failure (a skip, should none show: a bit
   * left by an earlier fork-join of this frame whose join never ran).
   */
  function stopHeard(out: unknown[], rest: number[], parent: number, d: number): unknown[] {
    forkStop.stopPairs(rest);
    joinJobs(out, rest, parent, d);
    forkStop.forget(d);
    throw new CancelledError(messages.runStopped);
  }

  /** forkJoin's children that left no value yet, none of them a job (inline ones that failed or were skipped): the join throws. */
  function joinInline(out: unknown[], rest: number[], d: number): unknown[] {
    const list = handlesOf(rest);
    joinChildren(frameKids[d] ?? NO_KIDS, list, false, list, true);
    for (let j = 0; j < list.length; j++) out[rest[2 * j]] = list[j];
    return out;
  }

  /**
   * forkJoin's children that left no value yet, jobs among them: (index, handle) pairs in `rest`. A child
   * failing while this worker helps stops the others (fork-stop.ts). Called by forkJoin itself, as
   * joinInline is: a recursion through subflows nests one frame fewer than through a shared helper.
   */
  function joinJobs(out: unknown[], rest: number[], parent: number, d: number): unknown[] {
    const list = handlesOf(rest);
    joining[d] = list;
    try {
      if (th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, parent, 'ctx.join()');   // helping nests deeper
      joinChildren(frameKids[d] ?? NO_KIDS, list, false, list, true);
    } catch (e) {
      forkStop.joined(d);
      throw e;
    }
    joining[d] = undefined;
    for (let j = 0; j < list.length; j++) out[rest[2 * j]] = list[j];
    return out;
  }

  function join(handles: number | WorkerAsyncTask | readonly (number | WorkerAsyncTask)[]): any {
    if (Array.isArray(handles)) {   // children that all ran inline: no job to wait for (lazy.ts)
      const out = lazy.joinAll(handles);
      if (out !== undefined) return out;
    } else if (lazy.slot(handles as number) >= 0) {
      return lazy.joinAll([handles as number])![0];
    }
    const kids = th.depth > 0 ? frameKids[th.depth - 1] : undefined;
    const list: readonly (number | WorkerAsyncTask)[] = Array.isArray(handles) ? handles : [handles];
    let jobs = false;
    for (const c of list) {
      if (c instanceof WorkerAsyncTask) return joinMixed(kids, list, Array.isArray(handles));
      if (c < 0 ? lazy.slot(c) < 0 : !kids || !kids.includes(c)) throw new Error(messages.notAChild(c));
      if (c >= 0) jobs = true;
    }
    if (jobs && th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, frameTask[th.depth - 1], 'ctx.join()');   // helping nests deeper
    const out = joinChildren(kids ?? NO_KIDS, list as readonly number[]);
    return Array.isArray(handles) ? out : out[0];
  }

  const forkJoinSettled = createForkSettled(th, { joinChildren, forecast, lazy, tokenOf, spawnJob, unspawned, crossedIn, forkStop });
  const fork = { helpUntil, forkJoin, forkJoinSettled, stopRunOf, tokenOf };

  /** sf.join() of a subflow made by this.subflow() (one function for all of them: a recursion makes one a call). */
  function joinSubflow(s: Subflow): unknown[] {
    const d = s._depth, task = s._task;
    if (th.depth - 1 !== d || frameTask[d] !== task) throw new Error(messages.foreignSubflow(s.name));
    const subs = frameSubs[d]!;
    if (subs === s) frameSubs[d] = undefined; else (subs as Joinable[]).splice((subs as Joinable[]).indexOf(s), 1);
    if (th.depth >= STACK_CHECK_DEPTH) ensureStackRoom(th, task, `subflow '${s.name}': join()`);   // helping nests deeper; a refused subflow never starts
    return runSubflow(th, fork, s, task, !s._retain);
  }

  // The getters are defined after the literal, not in it: V8 makes an object literal with a getter a
  // dictionary-mode object, and then every `this.spawn`, `this.join` and `this.subflow` of every task
  // goes through the generic property load (V8's LoadIC builtin) instead of compiled code.
  const ctx: Omit<TaskContext, 'cancelled' | 'signal'> = {
    workerId: w,
    checkCancelled() {
      const why = stopReason(top('ctx.checkCancelled()'));
      if (why !== undefined) throw why;
    },
    spawn(fn, a0?: unknown, a1?: unknown, a2?: unknown) {   // (fn, ...args): up to three numbers make no array
      const n = arguments.length - 1;
      if (n <= 3 && (n < 1 || typeof a0 === 'number') && (n < 2 || typeof a1 === 'number') && (n < 3 || typeof a2 === 'number')) {
        return spawnHere(fn, undefined, n, a0 as number, a1 as number, a2 as number);
      }
      const args: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) args[i] = arguments[i + 1];
      return spawnHere(fn, args, 0, 0, 0, 0);
    },
    join,
    subflow(name = 'subflow') {
      const d = th.depth - 1;
      if (d < 0) top('ctx.subflow()');   // throws; not top() itself, which would spend the caller's inlining budget (a recursion makes a subflow a call)
      const sf = new makeSubflow(name, joinSubflow, d, frameTask[d]);
      if (frameSubs[d] === undefined) frameSubs[d] = sf; else joinablesAt(th, d).push(sf);   // alone: no list (thread.ts Joinables)
      return sf;
    },
    taskGroup() {
      const task = top('ctx.taskGroup()');
      const d = th.depth - 1;
      const g = new Group(th, { spawnChild, joinChildren }, d, task, stopRunOf(task));
      joinablesAt(th, d).push(g);
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
      return runSubflow(th, fork, tf, task, false);
    },
  };
  return Object.defineProperties(ctx, {
    cancelled: { get: () => stopReason(top('ctx.cancelled')) !== undefined, enumerable: true, configurable: true },
    signal: { get: () => signalOf(top('ctx.signal')), enumerable: true, configurable: true },
  }) as TaskContext;
}
