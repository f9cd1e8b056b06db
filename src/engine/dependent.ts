// Dependent async tasks from the host (executor.dependentAsync, Taskflow's dependent_async): one-off tasks
// that run once the AsyncTask handles they name have finished, fed their results.
//
// The counting lives in the core (assembly/dependent.ts; assembly/README.md "Dependent async tasks"). A
// handle is a task slot made at once, whatever its dependencies' state: its count of unfinished
// dependencies and its list of successor links are words in shared memory, and the worker that retires a
// task counts its successors down and runs the one that reaches zero next. The host is not on the path
// between two of them: it writes each record and links it, then reads each outcome when the completion
// pump hands it over, and keeps it in the handle. From then on the slot is the core's to free (once its
// dependents read it); a dependent made later gets the value in a slot of its own (depFinished).
//
// A task that failed because its dependency i failed is settled with that handle's own error object, once
// the host has settled that handle (`heirs`), so the error is one object all the way down a chain; the
// settling walk is a loop over a work list, so a failure at the head of a 100k-long chain does not grow
// the stack.
import { messages, DataCloneError } from '../errors.js';
import { HOST_HANDLE, WorkerAsyncTask } from './handles.js';
import { parseDependentCall } from './dependent-call.js';
import { NONE as NO_TASK } from './memory.js';
import type { EngineParts } from './parts.js';

const FN = 'executor.dependentAsync(fn)';
const PENDING = 0, FULFILLED = 2, REJECTED = 3;
const NONE: readonly AsyncTask[] = Object.freeze([]);

export type { DependentAsyncOptions } from './dependent-call.js';

/**
 * A dependent async task (executor.dependentAsync): a one-off task that runs after the handles it
 * depends on finished. `done` is a promise of its result; `isDone()` says whether it settled.
 * Host thread only, like the executor that made it (inside a task, this.dependentAsync returns a
 * WorkerAsyncTask).
 *
 * @example
 * const a = executor.dependentAsync(() => 1);
 * const b = executor.dependentAsync((x) => x + 1, a);
 * console.log(await b.done);   // 2
 */
export class AsyncTask<R = unknown> {
  /** @internal The registry of the executor that made it. */
  readonly _owner: Dependents;
  /** @internal PENDING, FULFILLED or REJECTED, as the host has seen it. */
  _state = PENDING;
  /** @internal The result, or the error. */
  _value: unknown;
  /** @internal Its task slot and serial while the host holds its maker's reference (until it read the outcome). */
  _slot = -1;
  _serial = 0;
  /** @internal Its dependencies, until it settles: a failure inherited from dependency i is deps[i]'s error. */
  _deps: readonly AsyncTask[] = NONE;
  /** @internal Handles that failed because this one did, waiting for the host to settle it. */
  _heirs: AsyncTask[] | undefined;
  #done: Promise<R> | undefined;

  /** @internal Made by executor.dependentAsync. */
  constructor(owner: Dependents) { this._owner = owner; }

  /** True once the task finished: it ran (returned or threw), or failed because a dependency failed. */
  isDone(): boolean { return this._state >= FULFILLED; }

  /**
   * A promise of the task's result; it rejects with the task's error, or with the error of its first
   * failed dependency (in the order they were given). Made on first read, so a handle nobody awaits
   * never reports an unhandled rejection.
   */
  get done(): Promise<R> {
    if (this.#done === undefined) {
      this.#done = new Promise<R>((resolve, reject) => this._owner.watch(this, resolve as (v: unknown) => void, reject));
    }
    return this.#done;
  }
}
// Refused as a value sent to a task (clone-rules.ts): it lives on the host.
Object.defineProperty(AsyncTask.prototype, HOST_HANDLE, { value: true });

/** What the dependents need of the engine. */
export interface DependentHost extends EngineParts {
  /** Submits ready task slot t from the host, its wake-up batched with other submissions (tasks.ts). */
  submitReady(t: number): void;
}

/** The dependent async tasks of one executor (host thread only). */
export class Dependents {
  readonly #h: DependentHost;
  /** The handle of each slot whose outcome the host waits for. */
  readonly #bySlot: (AsyncTask | undefined)[] = [];
  /** Handles made and not settled yet. */
  #unsettled = 0;
  #idle: (() => void)[] = [];
  /** Who awaits each unsettled handle's `done`. */
  readonly #watchers = new Map<AsyncTask, { resolve: (v: unknown) => void; reject: (e: unknown) => void }[]>();

  constructor(host: DependentHost) { this.#h = host; }

  /** Handles not settled yet (executor.waitForAll waits for them). */
  get unsettled(): number { return this.#unsettled; }

  /** Resolves once no handle is unsettled. */
  idle(): Promise<void> {
    return this.#unsettled === 0 ? Promise.resolve() : new Promise<void>((r) => this.#idle.push(r));
  }

  /**
   * executor.dependentAsync(fn, ...deps) or (fn, { deps, args }). Bad input throws before anything is
   * made: a TypeError naming it, or a DataCloneError naming the argument that cannot be sent.
   */
  create(fn: unknown, rest: readonly unknown[]): AsyncTask {
    const { deps, args } = parseDependentCall('executor', fn, rest);
    for (let i = 0; i < deps.length; i++) {
      const d = deps[i];
      if (d instanceof WorkerAsyncTask) throw new TypeError(messages.taskAsyncTaskOnHost(i));
      if (!(d instanceof AsyncTask)) throw new TypeError(messages.notAnAsyncTask('executor', i, d));
      if (d._owner !== this) throw new Error(messages.foreignAsyncTask(`executor.dependentAsync(fn, ...deps): dependency ${i}`));
    }
    const h = new AsyncTask(this);
    let fnId = -1, error = this.#refused();
    if (error === undefined) {
      try { fnId = this.#h.fns.idOf(fn, FN); } catch (e) { error = e as Error; }
    }
    const t = error === undefined ? this.#make(h, fnId, args, deps as readonly AsyncTask[]) : -1;   // throws for an argument that cannot be sent
    this.#unsettled++;
    if (t < 0) { this.#settle(h, REJECTED, error ?? new RangeError(messages.tooManyTasks(this.#h.core.taskCap))); return h; }
    h._deps = deps as readonly AsyncTask[];
    this.#bySlot[t] = h;
    const c = this.#h.completions;
    c.inFlight++;
    c.ensurePump();
    if (this.#h.core.x.depArm(NO_TASK, t)) this.#h.submitReady(t);
    return h;
  }

  /** Why no task may be made now (closed, or the queue is full), if so. */
  #refused(): Error | undefined {
    if (!this.#h.isOpen()) return new Error(messages.closed('dependentAsync'));
    return this.#h.queue.refuse('dependentAsync');
  }

  /**
   * Takes a slot for h, writes the record and its arguments, and links it to its dependencies (the host
   * holds each one's slot, or gives it a slot holding its outcome). The slot, or -1 when there are too few.
   */
  #make(h: AsyncTask, fnId: number, args: readonly unknown[], deps: readonly AsyncTask[]): number {
    const { core, codec } = this.#h;
    const x = core.x;
    const n = deps.length;
    const block = n > 0 ? core.alloc(n * (4 + core.L.size_DepLink)) : 0;   // its dependency ids, then its links
    // The slots of settled dependencies whose own slots went back, before anything is linked: a shortage
    // (or an argument that cannot be sent) gives them back and refuses the call.
    const own: number[] = [];
    const undo = (): void => {
      for (const s of own) x.depRelease(NO_TASK, s);
      if (block !== 0) x.heapFree(block);
    };
    for (const d of deps) {
      if (d._slot >= 0) continue;
      const m = this.#finished(d);
      if (m < 0) { undo(); return -1; }
      own.push(m);
    }
    const t = x.taskAlloc();
    if (t < 0) { undo(); return -1; }
    const p = core.initLoneTask(t, fnId, core.L.flag_NotifyHost);
    if (args.length > 0) {
      try {
        codec.writeArgs(p, args);
      } catch (e) {
        undo();
        x.taskFree(t);
        const fault = e instanceof DataCloneError ? codec.argFault(args) : undefined;
        throw fault ? codec.refusal(messages.argument(fault.index, this.#h.fns.nameOf(fnId)), fault.fault) : e;
      }
    }
    h._serial = x.depInit(t, block, n, NO_TASK) >>> 0;
    h._slot = t;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const d = deps[i];
      // A slot the host holds is still d's (the host lets go only once it read d's outcome): the hold cannot fail.
      if (d._slot >= 0) x.depHold(d._slot, d._serial);
      x.depLink(t, i, d._slot >= 0 ? d._slot : own[k++]);
    }
    return t;
  }

  /** A slot holding settled handle d's outcome, with one reference for the dependent that links it; -1 if none is free. */
  #finished(d: AsyncTask): number {
    const { core, codec } = this.#h;
    const m = core.x.taskAlloc();
    if (m < 0) return -1;
    const p = core.initLoneTask(m, 0, 0);
    if (d._state === REJECTED) codec.writeError(p, d._value);
    else {
      try { codec.writeResult(p, d._value); } catch (e) { codec.writeError(p, e); }   // a freed shared array, say
    }
    core.x.depFinished(m);
    return m;
  }

  /** @internal AsyncTask.done: settles now if the handle has, else when it does. */
  watch(h: AsyncTask, resolve: (v: unknown) => void, reject: (e: unknown) => void): void {
    if (h._state === FULFILLED) resolve(h._value);
    else if (h._state === REJECTED) reject(h._value);
    else {
      let list = this.#watchers.get(h);
      if (list === undefined) this.#watchers.set(h, list = []);
      list.push({ resolve, reject });
    }
  }

  /**
   * Task slot t came back through the completion ring. False if it is not a dependent task of the host's.
   * Reads its outcome, lets go of the host's reference (the core frees the slot once its dependents read
   * it) and settles the handle; one that failed because dependency i did waits for the host to settle i.
   */
  done(t: number): boolean {
    const h = this.#bySlot[t];
    if (h === undefined) return false;
    this.#bySlot[t] = undefined;
    const { core, outcomes } = this.#h;
    const from = core.u32[(core.taskPtr(t) + core.L.T_nsucc) >> 2];
    const dep = from > 0 ? h._deps[from - 1] : undefined;
    let state = REJECTED, value: unknown;
    if (dep === undefined || dep._state === FULFILLED) {   // its own outcome (a dependency settled fine only if its copy failed)
      state = outcomes.read(t) ? REJECTED : FULFILLED;
      value = state === FULFILLED ? outcomes.value : outcomes.error;
    }
    core.x.depDisown(NO_TASK, t, h._serial);
    h._slot = -1;
    this.#h.completions.inFlight--;
    if (dep === undefined || dep._state === FULFILLED) this.#settle(h, state, value);
    else if (dep._state === REJECTED) this.#settle(h, REJECTED, dep._value);
    else (dep._heirs ??= []).push(h);
    return true;
  }

  /**
   * h settled: tell whoever awaits it, and settle the handles that failed because it did, with the same
   * error, in the same loop (a work list: a 100k-long failed chain never recurses).
   */
  #settle(first: AsyncTask, state: number, value: unknown): void {
    const work: AsyncTask[] = [first];
    first._state = state;
    first._value = value;
    while (work.length > 0) {
      const h = work.pop()!;
      h._deps = NONE;   // keep no dependency alive longer than needed
      const watchers = this.#watchers.get(h);
      if (watchers !== undefined) {
        this.#watchers.delete(h);
        for (const w of watchers) (h._state === FULFILLED ? w.resolve : w.reject)(h._value);
      }
      const heirs = h._heirs;
      h._heirs = undefined;
      if (heirs !== undefined) {
        for (const next of heirs) { next._state = REJECTED; next._value = h._value; work.push(next); }
      }
      if (--this.#unsettled === 0) {
        const idle = this.#idle;
        this.#idle = [];
        for (const r of idle) r();
      }
    }
  }

  /** The executor stopped with `reason`: every handle not settled rejects with it (the workers are gone). */
  rejectAll(reason: Error): void {
    for (let t = 0; t < this.#bySlot.length; t++) {
      const h = this.#bySlot[t];
      if (h === undefined) continue;
      this.#bySlot[t] = undefined;
      h._slot = -1;
      if (h._state === PENDING) this.#settle(h, REJECTED, reason);
    }
  }
}
