// Dependent async tasks inside a task (this.dependentAsync; Taskflow's dependent_async from a worker): the
// worker's half. A call writes a task record in this worker's slot cache, links it to its dependencies in
// the core (assembly/dependent.ts: the count, the successor links, and the CAS that settles the race with a
// dependency retiring meanwhile), and returns a WorkerAsyncTask; the task runs on whichever worker retires
// its last dependency, next on that worker, or on this worker's deque if none was left.
//
// The handles belong to the task that made them: they sit in a Scope in its frame (th.frameSubs, joined
// after its children, which may still use them), so the task waits for them before it ends and then lets
// go of them (depDisown: from then on copies of a handle are refused). Their errors stay in them: join one
// to see it (as a Taskflow async task's exception stays in its future). Running one: a failed dependency
// fails it without calling fn (its error copied, the first failed one in order), else
// fn(...args, ...dependency results); its arguments are freed as soon as they are read.
import { Kind, type PlainError } from '../engine/codec.js';
import { WorkerAsyncTask } from '../engine/handles.js';
import { parseDependentCall } from '../engine/dependent-call.js';
import { messages, rebuildError } from '../errors.js';
import { ONE_NUMBER, joinablesAt, type Thread, type Joinable } from './thread.js';
import type { Tokens } from './cancel.js';

const WHO = 'this';

/** Running a dependent task (call.ts): record p, its function, its dependency count and argument info. */
export type DependentCall = (p: number, fn: Function, npred: number, argInfo: number) => unknown;

export interface Dependents {
  /** this.dependentAsync(fn, ...rest) in task `parent` (on top of the stack). */
  create(parent: number, fn: unknown, rest: readonly unknown[]): WorkerAsyncTask;
  /** Takes a reference to h's task for a join; its slot. Throws if h may no longer be used. */
  holdForJoin(h: WorkerAsyncTask): number;
  /** Helps until the held task in slot s has retired, reads its result (throws its error), lets it go. */
  take(s: number): unknown;
  /** Lets go of a reference taken by holdForJoin() without waiting. */
  release(s: number): void;
}

export function createDependents(th: Thread, helpUntil: (at: number, child?: number) => void, { tokenOf }: Tokens): Dependents {
  const { core, x, w, codec, tasks, taskSize } = th;
  const L = core.L;
  const T_done = th.T_done, T_token = th.T_token, T_a0 = th.T_a0, T_fn = th.T_fn, T_nsucc = th.T_nsucc;
  const LINK = 4 + L.size_DepLink;
  const execId = core.execId;   // written by the host before this thread started

  /** The handles a task made (one Scope per frame that made any), joined and let go when it ends. */
  class Scope implements Joinable {
    readonly last = true;
    readonly task: number;
    #made: number[] = [];   // slot, serial, slot, serial, …
    constructor(task: number) { this.task = task; }
    add(t: number, serial: number): void { this.#made.push(t, serial); }
    join(): undefined { this.drop(); return undefined; }
    drop(): void {
      const made = this.#made;
      this.#made = [];
      for (let i = 0; i < made.length; i += 2) {
        const t = made[i];
        helpUntil(((tasks + t * taskSize) >> 2) + T_done, t);
        x.depDisown(w, t, made[i + 1]);
      }
    }
  }

  function scopeOf(d: number, task: number): Scope {
    const subs = joinablesAt(th, d);
    for (let i = subs.length - 1; i >= 0; i--) {
      const s = subs[i];
      if (s instanceof Scope && s.task === task) return s;
    }
    const s = new Scope(task);
    subs.push(s);
    return s;
  }

  /** A reference to h's task, or an error naming it: dependency i of a call (i ≥ 0), or the handle of a join. */
  function hold(h: WorkerAsyncTask, i: number): number {
    const slot = WorkerAsyncTask.slotOf(h);
    // In range before the core reads the slot: a handle is a value anyone can build.
    if (WorkerAsyncTask.execOf(h) === execId && slot >= 0 && slot < core.taskCap && x.depHold(slot, WorkerAsyncTask.serialOf(h))) return slot;
    const what = i >= 0 ? `${WHO}.dependentAsync(fn, ...deps): dependency ${i}` : `${WHO}.join(handle)`;
    throw new Error(WorkerAsyncTask.execOf(h) !== execId ? messages.foreignAsyncTask(what) : messages.expiredAsyncTask(what));
  }

  function create(parent: number, fn: unknown, rest: readonly unknown[]): WorkerAsyncTask {
    const { deps, args } = parseDependentCall(WHO, fn, rest);
    const n = deps.length;
    const id = th.fns!.idOf(fn);
    const held: number[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const d = deps[i];
        if (!(d instanceof WorkerAsyncTask)) throw new TypeError(messages.notAnAsyncTask(WHO, i, d));
        held.push(hold(d, i));
      }
    } catch (e) {
      for (const s of held) x.depRelease(w, s);
      throw e;
    }
    const t = x.taskAllocW(w);
    if (t < 0) {
      for (const s of held) x.depRelease(w, s);
      throw new RangeError(messages.tooManyTasks(core.taskCap));
    }
    const p = core.initLoneTask(t, id, 0);
    core.u32[(p >> 2) + T_token] = tokenOf(parent);   // this.cancelled in it follows its maker's token
    let block = 0;
    try {
      if (args.length === 1 && typeof args[0] === 'number') {   // one number, inline (as spawn does)
        core.f64[(p + T_a0) >> 3] = args[0];
        core.u32[(p + L.T_argInfo) >> 2] = ONE_NUMBER;
      } else if (args.length > 0) codec.writeArgs(p, args);
      if (n > 0) block = core.alloc(n * LINK);
    } catch (e) {
      codec.freeArgs(p);
      x.taskFreeW(w, t);
      for (const s of held) x.depRelease(w, s);
      throw e;
    }
    const serial = x.depInit(t, block, n, parent) >>> 0;
    for (let i = 0; i < n; i++) x.depLink(t, i, held[i]);   // each reference held now belongs to t
    scopeOf(th.depth - 1, parent).add(t, serial);
    x.depArm(w, t);   // ready now: on our deque already
    return new WorkerAsyncTask(core, execId, t, serial);
  }

  function take(s: number): unknown {
    const p = tasks + s * taskSize;
    try {
      helpUntil((p >> 2) + T_done, s);
      if (codec.resultKind(p) !== Kind.Error) return codec.readResult(p);
      // An error it carries from a dependency is named after the function that threw it (createDependentCall).
      const fn = core.u32[(p >> 2) + T_nsucc] !== 0 ? core.u32[(p + T_a0) >> 2] : core.u32[(p >> 2) + T_fn];
      throw rebuildError(codec.readResult(p) as PlainError, th.fns!.nameOf(fn));
    } finally {
      x.depRelease(w, s);
    }
  }

  return { create, holdForJoin: (h) => hold(h, -1), take, release: (s) => x.depRelease(w, s) };
}

/**
 * What a dependent task that failed because a dependency did throws (dependent call below): its result is
 * written already, so join.ts fail() records nothing more. Not an Error: throwing it costs no stack trace.
 */
export const CARRIED: unique symbol = Symbol('beatflow.carried');

/**
 * How a dependent task runs (call.ts): a failed dependency, the first in order, fails it without calling
 * fn: its error record is copied as it is (no decoding), the task records which dependency it came from
 * (Task.nsucc = index + 1: the host settles it with that handle's own error object) and which function
 * threw it (the first argument word, free once its arguments are: a joiner names the error after it), and
 * CARRIED is thrown. Otherwise fn(...args, ...dependency results). Its arguments are freed once read:
 * nothing reads them again.
 */
export function createDependentCall(th: Thread): DependentCall {
  const { core, codec, tasks, taskSize } = th;
  const T_pred = th.T_pred, T_fn = th.T_fn, T_nsucc = th.T_nsucc, T_a0 = th.T_a0;
  return (p, fn, npred, argInfo) => {
    let u32 = core.u32;
    const i = p >> 2;
    if (npred > 0 && (u32[i + T_pred] >> 2) + npred > u32.length) { core.refresh(); u32 = core.u32; }
    const list = u32[i + T_pred] >> 2;
    for (let k = 0; k < npred; k++) {
      const q = tasks + u32[list + k] * taskSize;
      if (codec.resultKind(q) !== Kind.Error) continue;
      const thrower = u32[(q >> 2) + T_nsucc] !== 0 ? u32[(q + T_a0) >> 2] : u32[(q >> 2) + T_fn];
      if (argInfo !== 0) codec.freeArgs(p);
      codec.copyError(p, q);
      core.u32[i + T_nsucc] = k + 1;
      core.u32[(p + T_a0) >> 2] = thrower;
      throw CARRIED;
    }
    const args: unknown[] = [];
    if (argInfo !== 0) {
      codec.readArgs(p, args);
      codec.freeArgs(p);
    }
    for (let k = 0; k < npred; k++) args.push(codec.readResult(tasks + u32[list + k] * taskSize));
    return (fn as (...a: unknown[]) => unknown)(...args);
  };
}
