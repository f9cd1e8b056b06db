// One-off tasks: executor.async, asyncAt and submit, and the helpers of parallel algorithms. One path:
// every one takes a task slot, has its record written and is pushed on a submission queue; it comes
// back through the completion ring (completions.ts) into `done`, which reads its outcome once
// (outcomes.ts) and settles its promise.
//
// Two kinds of record on the host, by how much a task needs:
//   - a plain task (async, asyncAt, submit with no options) has no object of its own: its promise's
//     resolve and reject wait in two arrays indexed by slot. This is the fast path.
//   - in the single-threaded mode, a plain task predicted short may run at once, in the caller's turn, on
//     behalf of the worker that shares the thread (a direct run: direct-seat.ts, policy/direct.ts): it
//     takes no slot, and its promise (direct-pending.ts) settles before async() returns, unless its
//     function returned a promise.
//   - a Job (jobs.ts) is made for a task that can be cancelled, moved, timed out or retried (submit with
//     options, handles, algorithm helpers), and for any task that has to wait for a free slot: the
//     backlog (backlog.ts) is one FIFO queue per priority level, drained whenever slots come back.
// Timeouts, forced cancellation and the watchdog are timeouts.ts's; whether a failed attempt is retried,
// and with which error a job fails, attempts.ts's; the pushes and the wake-up after a burst,
// submissions.ts's; writing the arguments and freeing the blocks, task-blocks.ts's; this file calls
// into them.
import type { SharedCore } from './memory.js';
import { CancellationToken } from './cancel.js';
import { BY_LEVEL, WITHDRAWN, newJob, resolveTaskOptions, type Job, type TaskOptions, type TaskHandle } from './jobs.js';
import { Timeouts, type TimeoutHost } from './timeouts.js';
import { Backlog } from './backlog.js';
import { attemptError, mayRetry, withTask } from './attempts.js';
import { retryDelayMs, checkedPriority, type Priority } from '../policy/scheduling.js';
import { messages, CancelledError } from '../errors.js';
import type { EngineParts } from './parts.js';
import { Direct, type DirectSeat } from './direct-seat.js';
import { DirectPending } from './direct-pending.js';
import { Submissions, NORMAL } from './submissions.js';
import { writeTaskArgs, freeTaskSlot } from './task-blocks.js';

/** What the tasks need of the rest of the engine. */
export interface TaskHost extends EngineParts, TimeoutHost {
  /** After anything settles: the engine resolves idle waiters if nothing is left. */
  maybeIdle(): void;
  /** The single-threaded mode's seat for direct runs (direct-seat.ts); undefined with threads. */
  readonly direct: DirectSeat | undefined;
  /** Nothing accepted is unsettled but one-off tasks: no graph run started or queued, no dependent task waiting. */
  onlyTasks(): boolean;
}

/** An algorithm's helper task, as its call sees it (algorithms/caller.ts). */
export interface Helper {
  /** Resolves with the helper's result; with undefined if it was revoked. */
  done: Promise<unknown>;
  /** Takes the helper back if no worker has started it; true if so. */
  revoke(): boolean;
  /** The call no longer waits for it (it handed its partial back in the job block): its outcome is ignored. */
  release(): void;
}

const ignore = (): void => {};

/** How a call names itself in errors: the method (closed, queue full) and its function argument. */
export interface CallName { readonly op: string; readonly fn: string }
export const ASYNC: CallName = Object.freeze({ op: 'async', fn: 'executor.async(fn)' });
export const MAP: CallName = Object.freeze({ op: 'map', fn: 'executor.map(fn, items): fn' });

/** Host thread only. */
export class Tasks {
  readonly #h: TaskHost;
  readonly #core: SharedCore;
  /**
   * The resolve function of each plain task's promise, by slot. Only resolve is kept (a failure resolves
   * with a rejected promise): the reject function then dies young instead of surviving with the task,
   * which the young-generation GC would copy and promote for every task in flight.
   */
  readonly #resolve: (((v: unknown) => void) | undefined)[] = [];
  /** The job each slot runs, for tasks that have one (WITHDRAWN: withdrawn, a worker has yet to hand it back). */
  readonly #jobs: (Job | undefined)[] = [];
  /** Jobs waiting for a task slot, by priority level, FIFO. */
  readonly #backlog = new Backlog();
  /** Jobs not settled that are in no slot: in a backlog or waiting out a retry delay. */
  #waiting = 0;
  /** Helpers whose call no longer waits for them: still in flight, but the pump does not poll for them. */
  readonly #unawaited = new Set<number>();
  readonly #timeouts: Timeouts;
  /** The submission queues' pushes and the wake-up after a burst (submissions.ts). */
  readonly #submissions: Submissions;
  /** Direct runs' promises, and the runs whose function returned a promise not settled yet (direct-pending.ts). */
  readonly #pending: DirectPending;
  /** The slot the next fresh promise is for: one shared executor function instead of a closure per task. */
  #slot = 0;
  readonly #capture = (resolve: (v: any) => void): void => {
    this.#resolve[this.#slot] = resolve;
  };

  /** The flag a lone task carries (flag_NotifyHost), read once: core.L is a V8 dictionary. */
  readonly #notifyHost: number;

  constructor(host: TaskHost) {
    this.#h = host;
    this.#core = host.core;
    this.#notifyHost = host.core.L.flag_NotifyHost;
    this.#pending = new DirectPending(host);
    this.#submissions = new Submissions(host);
    this.#timeouts = new Timeouts(host, (job, err) => this.#settle(job, err), (t) => this.#jobs[t]);
  }

  /** Jobs in a backlog or a retry delay, and direct runs not settled: accepted, not in flight, not done. */
  get waiting(): number { return this.#waiting + this.#pending.size; }
  /** The names of the direct runs awaiting a promise (close()'s report: the one worker holds them). */
  get awaitingDirect(): string[] { return this.#pending.names; }
  /** Submissions the host holds back for want of a slot (backpressure counts them as queued). */
  get queued(): number { return this.#backlog.size; }
  get unawaited(): number { return this.#unawaited.size; }

  // ---- submitting ----

  /**
   * fn(...args) at priority `level` with no options: the fast path. `call` names it in errors. `args` is
   * read during the call only (executor.ts lends it: arg-lists.ts); the backlog keeps a copy.
   */
  plain<R>(level: number, fn: unknown, args: readonly unknown[], call: CallName): Promise<R> {
    const h = this.#h;
    if (!h.isOpen()) return Promise.reject(new Error(messages.closed(call.op)));
    const full = h.queue.refuse(call.op);
    if (full) return Promise.reject(full);
    let fnId: number;
    try { fnId = h.fns.idOf(fn, call.fn); } catch (e) { return Promise.reject(e); }
    return this.#slotted(level, fnId, args);
  }

  /**
   * The user's own executor.async and asyncAt, the only one-off tasks that may run directly (a pipeline
   * stage's call or an algorithm's task always waits for the worker): as plain(), or in the
   * single-threaded mode a direct run (direct-seat.ts) while nothing submitted before is in flight or
   * waiting, so that it never overtakes one. Kept apart from plain(), small and with no closure: Firefox
   * ran the same checks inside plain() about 0.5 µs a call slower.
   */
  async<R>(level: number, fn: unknown, args: readonly unknown[]): Promise<R> {
    const h = this.#h;
    const runner = h.direct?.runner;
    // Threads, something submitted before still in flight or waiting, or a call to refuse: plain() (which
    // says why it refuses one).
    if (runner === undefined || h.completions.inFlight !== 0 || this.#waiting !== 0 || this.#pending.size !== 0 ||
        !h.onlyTasks() || !h.isOpen() || h.queue.refuse(ASYNC.op) !== undefined) return this.plain(level, fn, args, ASYNC);
    let fnId: number, how: Direct;
    try { fnId = h.fns.idOf(fn, ASYNC.fn); } catch (e) { return Promise.reject(e); }
    try { how = runner.run(fnId, args); } catch (e) { return Promise.reject(e); }   // the runner's own failure (a stack overflow)
    if (how === Direct.Value) return Promise.resolve(runner.out as R);
    if (how === Direct.NotRun) return this.#slotted(level, fnId, args);
    return this.#pending.outcome<R>(how, runner.out, fnId);
  }

  /** Function fnId's task, its checks passed: in a free task slot, else in the backlog. */
  #slotted<R>(level: number, fnId: number, args: readonly unknown[]): Promise<R> {
    const h = this.#h;
    const t = this.#backlog.size === 0 ? this.#core.x.taskAlloc() : -1;
    if (t < 0) {   // every slot is taken: wait in the backlog until completions free one
      return new Promise<R>((resolve, reject) => {
        this.#enqueue(newJob(fnId, args.slice(), h.fns.nameOf(fnId), BY_LEVEL[level], undefined, resolve as (v: unknown) => void, reject));
      });
    }
    this.#slot = t;
    const promise = new Promise<R>(this.#capture);
    h.completions.inFlight++;
    const p = this.#core.initLoneTask(t, fnId, this.#notifyHost);
    if (writeTaskArgs(this.#h, t, p, args, undefined)) this.#submissions.push(t, level, true);
    h.completions.ensurePump();
    return promise;
  }

  /** executor.submit: a task with a handle, and options (priority, token, signal, timeout, retries). */
  submit<R>(fn: unknown, args: readonly unknown[], options: TaskOptions | undefined): TaskHandle<R> {
    const h = this.#h;
    let job!: Job;
    const promise = new Promise<R>((resolve, reject) => {
      if (!h.isOpen()) throw new Error(messages.closed('submit'));
      const full = h.queue.refuse('submit');
      if (full) throw full;
      if (!Array.isArray(args)) throw new TypeError(messages.argType('executor.submit(fn, args, options): args', 'an array of arguments', args));
      const o = resolveTaskOptions(options);
      const fnId = h.fns.idOf(fn, 'executor.submit(fn)');
      // The task gets a token of its own whenever anything can cancel it: its signal, its timeout or its
      // handle cancel that one, and the user's token, which other tasks may share, only reaches it through
      // the link (cancelling one task never cancels its siblings).
      const token = o.token || o.signal || o.timeout > 0 ? new CancellationToken() : undefined;
      job = newJob(fnId, args, o.name ?? h.fns.nameOf(fnId), o, token, resolve as (v: unknown) => void, reject);
      if (o.token) job.unlinkToken = o.token._onCancel((r) => token!.cancel(r));
      if (o.signal) {
        const signal = o.signal;
        const onAbort = (): void => { if (!this.#withdraw(job, signal.reason)) token!.cancel(signal.reason); };
        if (signal.aborted) onAbort();
        else { signal.addEventListener('abort', onAbort, { once: true }); job.reject = (e) => { signal.removeEventListener('abort', onAbort); reject(e); }; }
      }
      if (!job.settled) this.#launch(job);
      // A cancelled token withdraws the task if it has not started (or is between attempts), else
      // starts the grace period after which a task that ignores it is stopped by force. Registered
      // after the launch: a token cancelled already withdraws the task at once.
      if (token && !job.settled) job.stopToken = token._onCancel((r) => { if (!this.#withdraw(job, r)) this.#timeouts.grace(job); });
    });
    const handle = promise as TaskHandle<R>;
    handle.cancel = (reason?: unknown): boolean => {
      if (!job || job.settled) return false;
      if (this.#withdraw(job, reason)) return true;
      job.token?.cancel(reason);
      return false;
    };
    handle.reprioritize = (p: Priority): boolean => {
      const level = checkedPriority('handle.reprioritize(priority): priority', p);
      return job !== undefined && this.#reprioritize(job, level);
    };
    return handle;
  }

  /**
   * An algorithm's helper: fn(...args) on a worker, revocable, submitted without the usual wake (the
   * caller wakes workers for its helpers itself, counting those it already woke: the check at the end
   * of a burst would see the first one not searching yet and wake a second).
   */
  helper(fn: unknown, args: unknown[]): Helper {
    let job!: Job;
    const done = new Promise<unknown>((resolve, reject) => {
      const fnId = this.#h.fns.idOf(fn, 'algorithm');
      job = newJob(fnId, args, this.#h.fns.nameOf(fnId), BY_LEVEL[NORMAL], undefined, resolve, reject);
      this.#launch(job, this.#core.x.taskAlloc(), false);
    });
    const release = (): void => {
      done.catch(ignore);   // a crash or destroy() after the hand-back is no news to the call
      if (job.slot >= 0 && this.#jobs[job.slot] === job) this.#unawaited.add(job.slot);
    };
    return { done, revoke: () => this.#withdraw(job, undefined, true), release };
  }

  /** A ready task slot the host wrote itself (a dependent task: dependent.ts), pushed like a submission. */
  submitReady(t: number): void {
    this.#submissions.push(t, NORMAL, true);
  }

  /** Starts the next attempt of job: in task slot t, or in the backlog of its level when no slot is free. */
  #launch(job: Job, t = this.#core.x.taskAlloc(), wake = true): void {
    if (t < 0) { this.#enqueue(job); return; }
    const h = this.#h;
    const core = this.#core;
    const L = core.L;
    job.attempt++;
    h.completions.inFlight++;
    h.completions.ensurePump();
    const p = core.initLoneTask(t, job.fnId, L.flag_NotifyHost | L.flag_Revocable | (job.timeout > 0 ? L.flag_Watched : 0));
    core.f64[(p + L.T_tStart) >> 3] = 0;
    if (job.token) core.u32[(p + L.T_token) >> 2] = job.words ||= job.token._acquire(core);
    this.#jobs[t] = job;
    job.slot = t;
    if (!writeTaskArgs(this.#h, t, p, job.args, job.name)) { job.retries = 0; return; }   // an argument that cannot be encoded fails every attempt
    if (job.timeout > 0) this.#timeouts.watch(job);
    this.#submissions.push(t, job.level, wake);
  }

  #enqueue(job: Job): void {
    this.#backlog.push(job);
    this.#waiting++;
  }

  // ---- coming back ----

  /** Task slot t came back through the ring. False if it is not one of ours (an orphaned child, recovery.ts). */
  done(t: number): boolean {
    const resolve = this.#resolve[t];
    if (resolve === undefined) {
      const job = this.#jobs[t];
      if (job === undefined) return false;
      this.#jobDone(t, job);
      return true;
    }
    this.#resolve[t] = undefined;
    const out = this.#h.outcomes;
    const failed = out.read(t);
    const value = out.value, error = out.error;
    this.freeSlot(t);
    this.#h.completions.inFlight--;
    resolve(failed ? Promise.reject(error) : value);
    if (this.#backlog.size > 0) this.drainBacklog();
    return true;
  }

  /** A job's slot came back (finished, failed, or withdrawn): settle, retry, or just free it. */
  #jobDone(t: number, job: Job): void {
    const h = this.#h;
    this.#jobs[t] = undefined;
    const forced = this.#timeouts.takeForced(t);
    // Its worker died under it: children it spawned may still run and read its token words, so this job
    // keeps them (finish), whatever later attempts do.
    if (job !== WITHDRAWN && (forced !== undefined || h.outcomes.hasCrashed(t))) job.lost = true;
    let failed = false, error: unknown, value: unknown;
    if (job !== WITHDRAWN && !job.settled) {
      failed = h.outcomes.read(t);
      error = failed && forced !== undefined ? forced : h.outcomes.error;
      value = h.outcomes.value;
      if (failed) error = attemptError(job, error);
    }
    h.outcomes.forget(t);
    this.freeSlot(t);
    if (!this.#timeouts.undetach(t)) h.completions.inFlight--;   // a detached slot stopped counting when it was given up
    this.#unawaited.delete(t);
    let retry = false;
    if (job !== WITHDRAWN && !job.settled && failed) {
      try {
        retry = mayRetry(job, error, h.isRunning());
      } catch (e) {   // the user's retryIf threw: that is the job's outcome (the pump must go on)
        error = Object.assign(new Error(messages.retryIfThrew(job.name, e), { cause: e }), { task: job.name });
      }
    }
    if (job !== WITHDRAWN && !retry) this.#finish(job);
    if (job !== WITHDRAWN && !job.settled) {
      job.slot = -1;
      if (retry) {
        this.#waiting++;
        job.timer = setTimeout(() => { job.timer = undefined; this.#waiting--; if (!job.settled) this.#launch(job); },
          retryDelayMs(job.attempt, job.retryDelay, Math.random()));
      } else {
        this.#settle(job, failed ? (error ?? new Error(messages.noError(job.name))) : undefined, value);
      }
    }
    this.drainBacklog();
  }

  #settle(job: Job, error: unknown, value?: unknown): void {
    if (job.settled) return;
    job.settled = true;
    job.unlinkToken?.();   // its outcome is known: the user's token no longer concerns it
    job.unlinkToken = undefined;
    this.#timeouts.unwatch(job);
    clearTimeout(job.timer);
    job.timer = undefined;
    if (!job.timedOut) { clearTimeout(job.grace); job.grace = undefined; }
    if (error !== undefined) job.reject(error); else job.resolve(value);
    this.#h.maybeIdle();
  }

  /**
   * job will not run again: drop its token listener and its hold on the token's words, unless an attempt
   * of it died with its worker (job.lost): children it spawned may still run and read them.
   */
  #finish(job: Job): void {
    job.stopToken?.();
    job.stopToken = undefined;
    if (job.words !== 0 && !job.lost) job.token!._unuse(this.#core);
    job.words = 0;
  }

  /** Frees a lone task's slot once the host has read it: its result and argument blocks, then the slot (task-blocks.ts). */
  freeSlot(t: number): void { freeTaskSlot(this.#h, t); }

  /** Submits backlogged jobs, most urgent level first, while task slots are free (after anything frees slots). */
  drainBacklog(): void {
    const backlog = this.#backlog;
    if (backlog.size === 0) return;
    for (let l = 0; l < 4 && this.#h.isRunning(); l++) {
      while (backlog.countAt(l) > 0) {
        const t = this.#core.x.taskAlloc();
        if (t < 0) return;
        this.#waiting--;
        this.#launch(backlog.take(l), t);
      }
    }
  }

  // ---- control before a task starts ----

  /**
   * Withdraws job if it has not started; rejects it with a CancelledError (`quiet`: resolves it with
   * undefined, for an algorithm's helper, where no one needs an error). False once it runs or settled.
   */
  #withdraw(job: Job, reason: unknown, quiet = false): boolean {
    if (job.settled) return false;
    if (job.slot < 0 && this.#backlog.remove(job)) this.#waiting--;
    else if (job.slot < 0 && job.timer !== undefined) { clearTimeout(job.timer); job.timer = undefined; this.#waiting--; }
    else if (job.slot < 0 || !this.#revoke(job.slot)) return false;
    else job.slot = -1;
    this.#settle(job, quiet ? undefined : withTask(new CancelledError(messages.taskCancelled(job.name, reason), reason), job.name));
    this.#finish(job);   // no worker will run it: nothing reads the token words
    return true;
  }

  /** Takes slot t back from the queues if no worker has started it (Task.state 0 → 2, assembly/layout.ts). */
  #revoke(t: number): boolean {
    const core = this.#core;
    if (Atomics.compareExchange(core.u32, (core.taskPtr(t) + core.L.T_state) >> 2, 0, 2) !== 0) return false;
    this.#jobs[t] = WITHDRAWN;   // the worker that pops it hands it back; #jobDone frees it
    return true;
  }

  #reprioritize(job: Job, level: number): boolean {
    if (job.settled) return false;
    if (job.slot < 0) {
      this.#backlog.move(job, level);
      return true;   // in a backlog or between attempts: the next attempt goes in at the new level
    }
    const core = this.#core;
    const t2 = core.x.taskAlloc();
    if (t2 < 0) return false;
    const old = job.slot;
    if (!this.#revoke(old)) { core.x.taskFree(t2); return false; }
    // Move the record: the new slot takes over the argument blocks; the old one keeps none to free.
    const from = core.taskPtr(old);
    const to = core.taskPtr(t2);
    core.u8.copyWithin(to, from, from + core.L.size_Task);
    Atomics.store(core.u32, (to + core.L.T_state) >> 2, 0);
    core.u32[(from + core.L.T_argInfo) >> 2] = 0;
    this.#jobs[t2] = job;
    job.slot = t2;
    job.level = level;
    this.#h.completions.inFlight++;
    this.#submissions.push(t2, level, true);
    return true;
  }

  // ---- crashes and stopping ----

  /** The error to report for slot t if its worker was terminated because its task ignored a cancellation. */
  forcedError(t: number): Error | undefined { return this.#timeouts.forcedError(t); }

  /** The executor stopped with `reason`: reject everything in flight or waiting. */
  rejectAll(reason: Error): void {
    for (let t = 0; t < this.#resolve.length; t++) {
      const resolve = this.#resolve[t];
      if (resolve) { this.#resolve[t] = undefined; resolve(Promise.reject(reason)); }
    }
    for (let t = 0; t < this.#jobs.length; t++) {
      const job = this.#jobs[t];
      this.#jobs[t] = undefined;
      if (job && job !== WITHDRAWN) this.#settle(job, reason);
    }
    for (const job of this.#backlog.takeAll()) this.#settle(job, reason);
    this.#pending.rejectAll(reason);
    this.#waiting = 0;
    this.#timeouts.stop();
    this.#unawaited.clear();
  }
}
