// The public facade: Executor. It owns the shared core (#core), the worker pool (#pool) and the host's
// bookkeeping of what is in flight; the scheduling itself happens in Wasm, in the workers.
//
// Host ⇄ workers: the host writes task records and pushes them on the injector; workers post finished
// async tasks and runs on the completion ring. The host drains that ring in one loop (#pump) that awaits
// Atomics.waitAsync on hostSeq only while something is in flight: one wake per batch, not per task.
import { pathToFileURL } from 'node:url';
import { Linger } from './engine/linger.js';
import { orphansOf, isChild } from './engine/recovery.js';
import { SharedCore, compileCore, NONE, EMPTY, RUN_BIT } from './engine/memory.js';
import { Codec, Kind, DTYPES, type SharedArrayCtor } from './engine/codec.js';
import { FunctionTable, FnKind } from './engine/functions.js';
import { Pool, type CrashInfo, type PoolStats } from './engine/pool.js';
import { Backpressure } from './engine/backpressure.js';
import { permanentSlots, busyWorkers, describeBusy, type CloseReport } from './engine/lifecycle.js';
import { resolveOptions, type ExecutorOptions, type ResolvedOptions } from './options.js';
import { autoWorkers, spinPolicy, spinRounds, taskCapLog2, dequeCapLog2, nextHostSpin, initialHostSpin, hostMayPoll } from './policy/scheduling.js';
import { cpuCount, KeepAlive } from './platform/node.js';
import { messages, rebuildError, isPlainError, WorkerCrashError, CancelledError, TimeoutError, type TaskFailure } from './errors.js';
import { resolveTaskOptions, type Job, type TaskOptions, type TaskHandle } from './engine/jobs.js';
import { CancellationToken } from './engine/cancel.js';
import { retryDelayMs, watchdogTickMs, checkedPriority, type Priority } from './policy/scheduling.js';
import { nodeOf, type Task, type Taskflow } from './graph/taskflow.js';
import { flatten, flatName } from './graph/flatten.js';
import { place, release, type Placed } from './engine/placement.js';
import { readTopology, stealDomains, applyStealDomains, executorTopology, type ExecutorTopology } from './observe/topology.js';
import { Metrics, type MetricsSnapshot, type MetricsOptions, type MetricsConfig } from './observe/metrics.js';
import { RunResult } from './engine/run-result.js';
export { RunResult };

type Waiting = { resolve(v: unknown): void; reject(e: unknown): void; fnId: number; args: unknown[]; level: number };

/** Completions the host takes off the ring and sorts at once (src/executor.ts #drain). */
const DRAIN_BATCH = 4096;
/** Host submissions between two wake-up checks during a synchronous burst. */
const WAKE_BATCH = 64;
/** One accepted run: whether it was cancelled, and the run slot once it started. */
type RunState = { cancelled: boolean; reason: unknown; slot: number; level: number; resume: boolean; list: number };
type RunWaiter = { resolve(v: RunResult): void; reject(e: unknown): void; placed: Placed; tf: Taskflow; run: number; state: RunState };

/** Options for executor.run / runN / runUntil. */
export interface RunOptions {
  /** Cancels the run when aborted: no new task of it starts, running ones finish, the promise rejects with a CancelledError. */
  signal?: AbortSignal;
  /**
   * Milliseconds from now (or a Date) by which the run must finish; past it the run is cancelled and
   * its promise rejects with a TimeoutError naming the taskflow.
   */
  deadline?: number | Date;
  /** 'critical' | 'high' | 'normal' | 'low': the run's start waits in that submission queue. Default 'normal'. */
  priority?: Priority;
  /**
   * Runs only the tasks that did not finish in the taskflow's previous run (it failed or was cancelled);
   * the finished ones keep their results, which their successors receive. After a run that completed
   * it runs nothing. Not for taskflows with condition tasks.
   */
  resume?: boolean;
}

/** The promise of a run, with a way to cancel it. */
export type RunHandle = Promise<RunResult> & {
  /**
   * Stops scheduling the run's tasks (running ones finish) and rejects the promise with a CancelledError
   * whose `cause` is `reason`. Does nothing once the run has settled.
   */
  cancel(reason?: unknown): void;
};

/**
 * Runs tasks and task graphs on a pool of worker threads sharing one WebAssembly memory.
 * Thread-safety: create and use an Executor from one thread (the host); tasks run on its workers.
 *
 * @example
 * import { Executor } from 'beatflow';
 * import * as tasks from './tasks.js';
 * const executor = await Executor.create({ workers: 'auto', module: new URL('./tasks.js', import.meta.url) });
 * console.log(await executor.async(tasks.fib, 30));
 * await executor.close();
 */
export class Executor {
  readonly #core: SharedCore;
  readonly #codec: Codec;
  readonly #fns: FunctionTable;
  readonly #pool: Pool;
  /** options.maxQueue (src/engine/backpressure.ts). */
  readonly #queue: Backpressure;
  readonly #opts: ResolvedOptions;
  readonly #resolve: (((v: unknown) => void) | undefined)[] = [];
  readonly #reject: (((e: unknown) => void) | undefined)[] = [];
  readonly #crashErrors = new Map<number, Error>();
  /** Children whose spawner died with its worker, not retired yet: each posts itself when it retires (src/engine/recovery.ts). */
  readonly #orphans = new Set<number>();
  readonly #backlog: Waiting[] = [];
  readonly #runWaiters: (RunWaiter | undefined)[] = [];
  readonly #freeRuns: number[] = [];
  readonly #placed = new WeakMap<Taskflow, Placed>();
  readonly #graphQueue = new WeakMap<Taskflow, Promise<unknown>>();
  /** Runs accepted and not yet settled, including those queued behind an earlier run of their taskflow. */
  readonly #pendingRuns = new Set<Promise<void>>();
  /** Every taskflow laid out now, for naming a failed task (error path only). */
  readonly #live = new Set<Placed>();
  readonly #owned = new WeakSet<ArrayBufferView>();
  readonly #released: FinalizationRegistry<Placed>;
  readonly #keepAlive = new KeepAlive();
  readonly #hostSeq: number;
  readonly #hostWaiting: number;
  readonly #completions: number;
  #outstanding = 0;
  #spinUs = initialHostSpin();
  #spinProbe = 0;
  #unwoken = 0;
  #wakeQueued = false;
  #pumping = false;
  #idleWaiters: (() => void)[] = [];
  #state: 'open' | 'closing' | 'closed' = 'open';
  #closed: Promise<void> | undefined;
  #brokenSlots = 0;
  /** submit(): the job each task slot runs (WITHDRAWN: a withdrawn slot a worker has yet to hand back). */
  readonly #jobs: (Job | undefined)[] = [];
  /** submit() jobs waiting for a task slot, by priority level. */
  readonly #jobBacklog: Job[][] = [[], [], [], []];
  /** Jobs not settled that are in no slot: in a backlog or waiting out a retry delay (for waitForAll). */
  #jobsWaiting = 0;
  /** Jobs with a timeout, while in a slot; checked by the watchdog. */
  readonly #watched = new Set<Job>();
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #watchTick = Infinity;
  /** Slots whose task is being terminated after ignoring its cancellation, with the error to report. */
  readonly #forced = new Map<number, Error>();
  /** Slots of suspended tasks given up after their grace period: no longer counted in #outstanding. */
  readonly #detached = new Set<number>();
  /**
   * Slots of algorithm helpers whose call no longer waits for them (they handed their partials back):
   * still counted in #outstanding, but the pump does not poll for their completions, which would hold
   * up the call's continuation on the host; they come back through its ordinary wait.
   */
  readonly #unawaited = new Set<number>();

  private constructor(core: SharedCore, opts: ResolvedOptions, ns: Record<string, unknown>) {
    this.#core = core;
    this.#opts = opts;
    this.#codec = new Codec(core);
    this.#fns = new FunctionTable(core, opts.maxFunctions, ns);
    for (let r = opts.maxRuns - 1; r >= 0; r--) this.#freeRuns.push(r);
    this.#pool = new Pool(core, {
      moduleUrl: opts.module,
      resourceLimits: opts.resourceLimits,
      lifecycle: opts.lifecycle, permanent: permanentSlots(opts.lifecycle, core.nWorkers),
      onCrash: (info) => this.#onCrash(info),
      onBroken: (_w, err) => this.#onBroken(err),
    });
    this.#queue = new Backpressure(core, opts.lifecycle.maxQueue, () => this.#backlog.length + this.#jobsWaiting);
    const h = core.L.header;
    this.#hostSeq = (h + core.L.H_hostSeq) >> 2;
    this.#hostWaiting = (h + core.L.H_hostWaiting) >> 2;
    this.#completions = core.L.completions;
    this.#released = new FinalizationRegistry((pl) => this.#releasePlaced(pl));
    core.x.setAging(opts.priorityAging);
  }

  /**
   * Starts the workers. Resolves once every worker has imported the task module.
   * @throws TypeError naming the option when an option is invalid; Error when the module fails to load.
   */
  static async create(options?: ExecutorOptions): Promise<Executor> {
    const opts = resolveOptions(options, pathToFileURL(process.cwd() + '/'));
    const cpus = cpuCount();
    const workers = opts.workers === 'auto' ? autoWorkers(cpus) : opts.workers;
    const ns = opts.module ? await importTaskModule(opts.module) : {};
    const capLog2 = taskCapLog2(opts.maxTasks);
    const core = SharedCore.create(await compileCore(), {
      workers, taskCapLog2: capLog2, dequeCapLog2: dequeCapLog2(capLog2), runCap: opts.maxRuns, subRuns: opts.maxSubflows,
      fnCap: opts.maxFunctions, maxSpinners: 1, spinIters: 1,
    });
    const nsPerRound = measureRound(core);
    const spin = spinPolicy(workers, cpus, opts.spinMicroseconds, nsPerRound);
    core.x.setSpin(spin.maxSpinners, spin.spinIters);
    const cpuTopology = readTopology();                 // steal domains by shared cache (src/observe/topology.ts)
    const domains = stealDomains(cpuTopology, workers);
    applyStealDomains(core, domains);
    const metrics = Metrics.create(core);               // before the workers start (src/observe/metrics.ts)
    const ex = new Executor(core, opts, ns);
    ex.#topology = executorTopology(cpuTopology, domains);
    ex.#linger = new Linger(core, spinRounds(opts.lingerMicroseconds, nsPerRound), opts.lingerMicroseconds);
    ex.#metrics = metrics;
    try {
      await ex.#keepAlive.during(ex.#pool.start());
    } catch (e) {
      ex.#keepAlive.dispose();
      throw e;
    }
    return ex;
  }

  /** Number of worker threads. */
  get workers(): number { return this.#core.nWorkers; }

  // ---- one-off tasks ----

  /**
   * Runs fn(...args) on a worker; resolves with its return value. fn is an export of the task module or
   * a self-contained function (sent once as source: it cannot use variables from the enclosing scope).
   * Numbers, booleans, null and small number tuples travel inline; views on runtime-shared memory
   * (executor.shared) by reference; anything else through the codec.
   */
  async<R = unknown>(fn: (...a: any[]) => R, ...args: unknown[]): Promise<Awaited<R>> {
    return this.#async(2, fn, args);
  }

  /**
   * {@link Executor.async} at a priority ('critical' | 'high' | 'normal' | 'low'): workers take more
   * urgent tasks first, FIFO within a level. As cheap as async(); for cancel, reprioritize, timeouts or
   * retries use {@link Executor.submit}.
   */
  asyncAt<R = unknown>(priority: Priority, fn: (...a: any[]) => R, ...args: unknown[]): Promise<Awaited<R>> {
    let level: number;
    try { level = checkedPriority('priority', priority); } catch (e) { return Promise.reject(e); }
    return this.#async(level, fn, args);
  }

  #async<R>(level: number, fn: (...a: any[]) => R, args: unknown[]): Promise<Awaited<R>> {
    if (this.#state !== 'open') return Promise.reject(new Error(messages.closed('async')));
    const full = this.#queue.refuse('async');
    if (full) return Promise.reject(full);
    let fnId: number;
    try { fnId = this.#fns.idOf(fn, 'executor.async(fn)'); } catch (e) { return Promise.reject(e); }
    const t = this.#backlog.length === 0 ? this.#core.x.taskAlloc() : -1;
    let promise: Promise<Awaited<R>>;
    if (t >= 0) {
      this.#slot = t;
      promise = new Promise<Awaited<R>>(this.#capture);
      this.#write(t, fnId, args, level);
    } else {   // every slot is taken: queue on the host until completions free one
      promise = new Promise<Awaited<R>>((resolve, reject) => {
        this.#backlog.push({ resolve: resolve as (v: unknown) => void, reject, fnId, args, level });
      });
    }
    this.#outstanding++;
    this.#ensurePump();
    return promise;
  }

  /** The promise executor for a fresh slot: one shared function instead of a closure per task. */
  #slot = 0;
  readonly #capture = (resolve: (v: any) => void, reject: (e: unknown) => void): void => {
    this.#resolve[this.#slot] = resolve;
    this.#reject[this.#slot] = reject;
  };

  /**
   * Writes task t's record and submits it. The wake-up check runs once per WAKE_BATCH submissions and
   * once after the current synchronous burst (a microtask), not per task: see assembly/README.md#sleep.
   */
  #write(t: number, fnId: number, args: unknown[], level: number): void {
    const core = this.#core;
    const p = core.initLoneTask(t, fnId, core.L.flag_NotifyHost);
    try {
      if (args.length > 0) this.#codec.writeArgs(p, args);   // frees its own partial blocks if it throws
    } catch (e) {
      // The argument could not be encoded: the task never reaches a worker; settle it here.
      this.#codec.writeError(p, e);
      core.x.retireFromHost(t, 1);
      return;
    }
    if (level === 2) core.x.submitQuiet(t); else core.x.submitAt(t, level);
    this.#afterSubmit();
  }

  /** After a submission: the batched wake-up check (see #write). */
  #afterSubmit(): void {
    if (++this.#unwoken >= WAKE_BATCH) { this.#unwoken = 0; this.#core.x.wakeIfBacklog(WAKE_BATCH); }
    if (!this.#wakeQueued) { this.#wakeQueued = true; queueMicrotask(this.#wakeTask); }
  }

  /** After the synchronous burst: wake a sleeper if anything submitted is still waiting. */
  readonly #wakeTask = (): void => {
    this.#wakeQueued = false;
    this.#unwoken = 0;
    this.#core.x.wakeIfBacklog(0);
    this.#pool.demand();   // elastic workers (src/engine/lifecycle.ts)
  };

  // ---- submitted tasks: priorities, cancellation, timeouts, retries ----

  /**
   * Runs fn(...args) on a worker, like {@link Executor.async}, with options: `priority`, a cancellation
   * `token` or `signal`, a start-measured `timeout`, `retries` with backoff. Returns the promise with
   * `cancel()` (withdraws the task if it has not started) and `reprioritize(p)`.
   *
   * @example
   * const job = executor.submit(tasks.render, [frame], { priority: 'high', timeout: 500, retries: 2 });
   * job.reprioritize('critical');
   */
  submit<R = unknown>(fn: (...a: any[]) => R, args: readonly unknown[] = [], options?: TaskOptions): TaskHandle<Awaited<R>> {
    let job!: Job;
    const promise = new Promise<Awaited<R>>((resolve, reject) => {
      if (this.#state !== 'open') throw new Error(messages.closed('submit'));
      const full = this.#queue.refuse('submit');
      if (full) throw full;
      if (!Array.isArray(args)) throw new TypeError(messages.optionType('args', 'an array of arguments', args));
      const o = resolveTaskOptions(options);
      const fnId = this.#fns.idOf(fn, 'executor.submit(fn)');
      let token = o.token;
      if ((o.signal || o.timeout > 0) && !token) token = new CancellationToken();
      job = newJob(fnId, args as unknown[], o.name ?? this.#fns.nameOf(fnId), o, token, resolve as (v: unknown) => void, reject);
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
      if (token && !job.settled) job.stopToken = token._onCancel((r) => { if (!this.#withdraw(job, r)) this.#graceFor(job); });
    });
    const handle = promise as TaskHandle<Awaited<R>>;
    handle.cancel = (reason?: unknown): boolean => {
      if (!job || job.settled) return false;
      if (this.#withdraw(job, reason)) return true;
      job.token?.cancel(reason);
      return false;
    };
    handle.reprioritize = (p: Priority): boolean => {
      const level = checkedPriority('priority', p);
      return job !== undefined && this.#reprioritize(job, level);
    };
    return handle;
  }

  /** Starts the next attempt of job: in task slot t, or in the backlog of its level when no slot is free. */
  #launch(job: Job, t = this.#core.x.taskAlloc(), wake = true): void {
    if (t < 0) { this.#jobBacklog[job.level].push(job); this.#jobsWaiting++; return; }
    job.attempt++;
    this.#outstanding++;
    this.#ensurePump();
    const core = this.#core;
    const L = core.L;
    const p = core.initLoneTask(t, job.fnId, L.flag_NotifyHost | L.flag_Revocable | (job.timeout > 0 ? L.flag_Watched : 0));
    core.f64[(p + L.T_tStart) >> 3] = 0;
    if (job.token) core.u32[(p + L.T_token) >> 2] = job.words ||= job.token._acquire(core);
    this.#jobs[t] = job;
    job.slot = t;
    try {
      if (job.args.length > 0) this.#codec.writeArgs(p, job.args);
    } catch (e) {
      this.#codec.writeError(p, e);
      job.retries = 0;                       // an argument that cannot be encoded fails every attempt
      core.x.retireFromHost(t, 1);
      return;
    }
    if (job.timeout > 0) this.#watch(job);
    core.x.submitAt(t, job.level);
    if (wake) this.#afterSubmit();
  }

  /**
   * Withdraws job if it has not started; rejects it with a CancelledError (`quiet`: resolves it with
   * undefined, for an algorithm's helper, where no one needs an error). False once it runs or settled.
   */
  #withdraw(job: Job, reason: unknown, quiet = false): boolean {
    if (job.settled) return false;
    const backlog = this.#jobBacklog[job.level];
    const i = job.slot < 0 ? backlog.indexOf(job) : -1;
    if (i >= 0) { backlog.splice(i, 1); this.#jobsWaiting--; }
    else if (job.slot < 0 && job.timer !== undefined) { clearTimeout(job.timer); job.timer = undefined; this.#jobsWaiting--; }
    else if (job.slot < 0 || !this.#revoke(job.slot)) return false;
    else job.slot = -1;
    this.#settleJob(job, quiet ? undefined : new CancelledError(messages.taskCancelled(job.name, reason), reason));
    this.#finishJob(job);   // no worker will run it: nothing reads the token words
    return true;
  }

  /** Takes slot t back from the queues if no worker has started it (Task.state 0 → 2, assembly/layout.ts). */
  #revoke(t: number): boolean {
    const core = this.#core;
    if (Atomics.compareExchange(core.u32, (core.taskPtr(t) + core.L.T_state) >> 2, 0, 2) !== 0) return false;
    this.#jobs[t] = WITHDRAWN;   // the worker that pops it hands it back; #taskDone frees it
    return true;
  }

  #reprioritize(job: Job, level: number): boolean {
    if (job.settled) return false;
    if (job.slot < 0) {
      const backlog = this.#jobBacklog[job.level];
      const i = backlog.indexOf(job);
      if (i >= 0) { backlog.splice(i, 1); this.#jobBacklog[level].push(job); }
      job.level = level;
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
    this.#outstanding++;
    core.x.submitAt(t2, level);
    this.#afterSubmit();
    return true;
  }

  /**
   * A job's token was cancelled while its task runs: if it is still running after cancelGrace, stop it.
   * A task running on a worker (possibly below tasks it runs while helping in a join) is stopped by
   * terminating that worker. A task suspended on a promise holds no thread: its promise is settled now
   * and its slot is left to come back whenever the promise settles (it no longer counts as in flight).
   */
  #graceFor(job: Job): void {
    if ((job.settled && !job.timedOut) || job.grace !== undefined) return;
    job.grace = setTimeout(() => {
      job.grace = undefined;
      const t = job.slot;
      if (t < 0 || this.#jobs[t] !== job || this.#state === 'closed') return;
      const core = this.#core;
      const stopped = (w: number): Error => job.timedOut
        ? timeoutError(job)
        : new CancelledError(messages.forced(job.name, this.#opts.cancelGrace, w), job.token?.reason);
      for (let w = 0; w < core.nWorkers; w++) {
        if (core.runningOn(w).includes(t)) {
          this.#forced.set(t, stopped(w));
          void this.#pool.kill(w);
          return;
        }
      }
      this.#detached.add(t);   // suspended (or between a worker's hands): give up on it
      this.#outstanding--;
      this.#settleJob(job, stopped(-1));
      if (this.#outstanding === 0 && this.#jobsWaiting === 0) this.#notifyIdle();
    }, this.#opts.cancelGrace);
    (job.grace as { unref?: () => void }).unref?.();
  }

  #watch(job: Job): void {
    this.#watched.add(job);
    const tick = watchdogTickMs(job.timeout);
    if (this.#watchdog !== undefined && tick >= this.#watchTick) return;
    clearInterval(this.#watchdog);   // a shorter timeout than any so far: tick faster
    this.#watchTick = tick;
    this.#watchdog = setInterval(() => this.#checkTimeouts(), tick);
    (this.#watchdog as { unref?: () => void }).unref?.();
  }

  /** Rejects each watched job whose task has run past its timeout (tStart is written by the worker as it starts it). */
  #checkTimeouts(): void {
    const now = performance.timeOrigin + performance.now();
    const core = this.#core;
    for (const job of this.#watched) {
      if (job.slot < 0 || job.settled) { this.#watched.delete(job); continue; }
      const started = core.f64[(core.taskPtr(job.slot) + core.L.T_tStart) >> 3];
      if (started === 0 || now - started < job.timeout) continue;
      this.#watched.delete(job);
      job.timedOut = true;
      this.#settleJob(job, timeoutError(job));
      job.token?.cancel(new Error(`timed out after ${job.timeout} ms`));
      this.#graceFor(job);
    }
    if (this.#watched.size === 0) { clearInterval(this.#watchdog); this.#watchdog = undefined; this.#watchTick = Infinity; }
  }

  #settleJob(job: Job, error: unknown, value?: unknown): void {
    if (job.settled) return;
    job.settled = true;
    this.#watched.delete(job);
    clearTimeout(job.timer);
    job.timer = undefined;
    if (!job.timedOut) { clearTimeout(job.grace); job.grace = undefined; }
    if (error !== undefined) job.reject(error); else job.resolve(value);
    if (this.#jobsWaiting === 0 && this.#outstanding === 0) this.#notifyIdle();
  }

  /** A submitted task's slot came back (finished, failed, or withdrawn): settle, retry, or just free it. */
  #jobDone(t: number, job: Job): void {
    const core = this.#core;
    const codec = this.#codec;
    const p = core.taskPtr(t);
    this.#jobs[t] = undefined;
    let value: unknown;
    let error: unknown;
    let failed = false;
    // Its worker died under it (read before #taskError takes the crash error): children it spawned may
    // still run and read its token words, so this job keeps them (#finishJob), whatever later attempts do.
    if (job !== WITHDRAWN && (this.#forced.has(t) || this.#crashErrors.has(t))) job.lost = true;
    if (job !== WITHDRAWN && !job.settled) {
      failed = codec.resultKind(p) === Kind.Error;
      if (failed) {
        error = this.#forced.get(t) ?? this.#taskError(t);
        if (error instanceof Error && (error as TaskFailure).task !== undefined) (error as TaskFailure).task = job.name;
      }
      else {
        try { value = codec.readResult(p); } catch (e) { error = e; failed = true; }
      }
    }
    this.#forced.delete(t);
    this.#crashErrors.delete(t);
    this.#freeSlot(t);
    if (!this.#detached.delete(t)) this.#outstanding--;   // a detached slot stopped counting when it was given up
    this.#unawaited.delete(t);
    const retry = job !== WITHDRAWN && !job.settled && failed && this.#mayRetry(job, error);
    if (job !== WITHDRAWN && !retry) this.#finishJob(job);
    if (job === WITHDRAWN || job.settled) { this.#drainBacklog(); return; }
    job.slot = -1;
    if (retry) {
      this.#jobsWaiting++;
      job.timer = setTimeout(() => { job.timer = undefined; this.#jobsWaiting--; if (!job.settled) this.#launch(job); },
        retryDelayMs(job.attempt, job.retryDelay, Math.random()));
    } else {
      this.#settleJob(job, failed ? (error ?? new Error('beatflow: the task failed')) : undefined, value);
    }
    this.#drainBacklog();
  }

  /**
   * job will not run again: drop its token listener and its hold on the token's words, unless an attempt
   * of it died with its worker (job.lost): children it spawned may still run and read them.
   */
  #finishJob(job: Job): void {
    job.stopToken?.();
    job.stopToken = undefined;
    if (job.words !== 0 && !job.lost) job.token!._unuse(this.#core);
    job.words = 0;
  }

  #mayRetry(job: Job, error: unknown): boolean {
    if (job.attempt > job.retries || this.#state !== 'open' || job.token?.cancelled) return false;
    if (error instanceof CancelledError || error instanceof TimeoutError) return false;
    return job.retryIf ? job.retryIf(error, job.attempt) === true : true;
  }

  // ---- graphs ----

  /**
   * Runs a taskflow; resolves with a RunResult once every task finished, or rejects with the first
   * task error (others attached as `error.suppressed`). Runs of one taskflow execute one after another.
   * The returned promise has `cancel(reason?)`; `options.signal` cancels it too.
   */
  run(tf: Taskflow, options?: RunOptions): RunHandle {
    let level = 2;
    try { if (options?.priority !== undefined) level = checkedPriority('priority', options.priority); } catch (e) {
      return Object.assign(Promise.reject(e), { cancel: () => {} });
    }
    const state: RunState = { cancelled: false, reason: undefined, slot: -1, level, resume: options?.resume === true, list: 0 };
    const cancel = (reason?: unknown): void => this.#cancelRun(state, reason);
    if (this.#state !== 'open') return Object.assign(Promise.reject(new Error(messages.closed('run'))), { cancel });
    const full = this.#queue.refuse('run');
    if (full) return Object.assign(Promise.reject(full), { cancel });
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      return Object.assign(Promise.reject(new TypeError(messages.optionType('signal', 'an AbortSignal', signal))), { cancel });
    }
    let deadlineMs: number | undefined;
    if (options?.deadline !== undefined) {
      const d = options.deadline;
      deadlineMs = d instanceof Date ? d.getTime() - Date.now() : d;
      if (typeof deadlineMs !== 'number' || !Number.isFinite(deadlineMs)) {
        return Object.assign(Promise.reject(new TypeError(messages.optionType('deadline', 'milliseconds or a Date', d))), { cancel });
      }
    }
    const prev = this.#graphQueue.get(tf) ?? Promise.resolve();
    const next = prev.then(() => this.#startRun(tf, state));
    const settled = next.then(() => {}, () => {});
    this.#graphQueue.set(tf, settled);
    this.#pendingRuns.add(settled);
    if (signal) {
      const onAbort = (): void => cancel(signal.reason);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        void settled.then(() => signal.removeEventListener('abort', onAbort));
      }
    }
    void settled.then(() => this.#pendingRuns.delete(settled));
    if (deadlineMs !== undefined) {
      const ms = deadlineMs;
      const timer = setTimeout(() => cancel(new TimeoutError(messages.runDeadline(tf.name, ms), { task: tf.name, timeout: ms })), Math.max(0, ms));
      void settled.then(() => clearTimeout(timer));
    }
    return Object.assign(next, { cancel });
  }

  #cancelRun(state: RunState, reason: unknown): void {
    if (state.cancelled) return;
    state.cancelled = true;
    state.reason = reason;
    if (state.slot >= 0 && this.#runWaiters[state.slot]?.state === state) this.#core.x.runCancel(state.slot);
  }

  /**
   * Runs a taskflow n times, one run after another; resolves with the last run's result (or at once,
   * with undefined, for n = 0). Rejects with the first failing run's error; later runs do not start.
   */
  async runN(tf: Taskflow, n: number, options?: RunOptions): Promise<RunResult | undefined> {
    if (!Number.isInteger(n) || n < 0) throw new TypeError(`beatflow: executor.runN(tf, n): n must be a non-negative integer (got ${n})`);
    let last: RunResult | undefined;
    for (let i = 0; i < n; i++) last = await this.run(tf, options);
    return last;
  }

  /**
   * Runs a taskflow again and again until `predicate()` returns true (it is asked before every run,
   * so a predicate that is true at once means no run). The predicate may return a promise.
   */
  async runUntil(tf: Taskflow, predicate: () => boolean | Promise<boolean>, options?: RunOptions): Promise<RunResult | undefined> {
    if (typeof predicate !== 'function') throw new TypeError(messages.notAFunction('executor.runUntil(tf, predicate): predicate', predicate));
    let last: RunResult | undefined;
    while (!(await predicate())) last = await this.run(tf, options);
    return last;
  }

  /** Resolves once every task and run submitted so far (and any they queue) has settled, successfully or not. */
  waitForAll(): Promise<void> {
    return this.#keepAlive.during(this.#settled());
  }

  /** Everything accepted has settled: async tasks, runs in flight, and runs queued behind them. */
  async #settled(): Promise<void> {
    while (this.#pendingRuns.size > 0 || this.#outstanding > 0 || this.#jobsWaiting > 0) {
      await Promise.allSettled([...this.#pendingRuns]);
      await this.#whenIdle();
    }
  }

  #startRun(tf: Taskflow, state: RunState): Promise<RunResult> {
    if (this.#state === 'closed') return Promise.reject(new Error(messages.closed('run')));
    if (state.cancelled) {
      return Promise.reject(state.reason instanceof TimeoutError ? state.reason : new CancelledError(messages.cancelled(tf.name), state.reason));
    }
    let pl = this.#placed.get(tf);
    if (pl && pl.version !== tf.compositeVersion) { this.#releasePlaced(pl); this.#released.unregister(pl); pl = undefined; }
    if (!pl) {
      const r = this.#freeRuns.pop();
      if (r === undefined) return Promise.reject(new RangeError(messages.tooManyRuns(this.#opts.maxRuns)));
      try {
        pl = place(tf, this.#core, this.#codec, this.#fns, r);
      } catch (e) {
        this.#freeRuns.push(r);
        return Promise.reject(e);
      }
      this.#live.add(pl);
      this.#placed.set(tf, pl);
      this.#released.register(tf, pl, pl);
    }
    const placed = pl;
    if (state.resume && placed.conditional) return Promise.reject(new TypeError(messages.resumeConditional(tf.name)));
    const resume = state.resume && placed.lastFailed;
    const run = ++placed.runs;
    if (placed.slots.length === 0 || (state.resume && !resume)) return Promise.resolve(new RunResult(tf, placed, run, (t) => this.#codec.readResult(this.#core.taskPtr(t))));
    if (placed.conditional) {   // tasks a condition does not reach this run must not show an older run's value
      for (const t of placed.slots) this.#codec.freeResult(this.#core.taskPtr(t));
    }
    let sources = placed.block;
    let nSources = placed.nSources;
    if (resume) {
      try { [sources, nSources] = this.#resumeSources(placed); } catch (e) { return Promise.reject(e); }
      state.list = sources;
    }
    return new Promise<RunResult>((resolve, reject) => {
      this.#runWaiters[placed.runSlot] = { resolve, reject, placed, tf, run, state };
      state.slot = placed.runSlot;
      this.#outstanding++;
      this.#core.x.runStartAt(placed.runSlot, sources, nSources, state.level);
      this.#pool.demand();
      this.#ensurePump();
    });
  }

  /**
   * For resuming a failed run: the tasks that did not finish (failed or skipped) run again, each waiting
   * only for its unfinished predecessors (their `pending` is set here; the finished keep their results).
   * Returns a heap list of the ones that can start at once, and how many. Tasks retire with pending reset
   * to their full dependency count, so the run after this one is a normal one again.
   */
  #resumeSources(placed: Placed): [number, number] {
    const core = this.#core;
    const codec = this.#codec;
    const L = core.L;
    const u32 = core.u32;
    const unfinished = new Set<number>();
    for (const t of placed.slots) {
      const k = codec.resultKind(core.taskPtr(t));
      if (k === Kind.Error || k === Kind.Skipped) unfinished.add(t);
    }
    const ready: number[] = [];
    for (const t of unfinished) {
      const i = core.taskPtr(t) >> 2;
      const list = u32[i + (L.T_pred >> 2)] >> 2;
      let waiting = 0;
      for (let k = 0; k < u32[i + (L.T_npred >> 2)]; k++) if (unfinished.has(u32[list + k])) waiting++;
      core.i32[i + (L.T_pending >> 2)] = waiting;
      codec.freeResult(core.taskPtr(t));
      if (waiting === 0) ready.push(t);
    }
    const block = core.alloc(4 * Math.max(1, ready.length));
    core.u32.set(ready, block >> 2);
    return [block, ready.length];
  }

  /**
   * Returns the task slots and shared memory a taskflow holds since its first run. Optional: they are
   * also returned when the taskflow is garbage-collected, but that may come late for large graphs built
   * one after another. The taskflow can run again afterwards (it is laid out anew). Waits for its runs
   * in flight to finish first.
   */
  async release(tf: Taskflow): Promise<void> {
    await (this.#graphQueue.get(tf) ?? Promise.resolve());
    const pl = this.#placed.get(tf);
    if (!pl) return;
    this.#placed.delete(tf);
    this.#released.unregister(pl);
    this.#releasePlaced(pl);
  }

  #releasePlaced(pl: Placed): void {
    if (pl.released) return;
    this.#live.delete(pl);
    if (this.#state !== 'closed') release(pl, this.#core, this.#codec);
    this.#freeRuns.push(pl.runSlot);
    this.#drainBacklog();
  }

  // ---- shared memory ----

  /**
   * A typed array of `length` zeroed elements in the runtime's shared memory: passed to and returned
   * from tasks by reference, with no copy. Release it with {@link Executor.free}.
   */
  shared<C extends SharedArrayCtor>(ctor: C, length: number): InstanceType<C> {
    if (!(DTYPES as readonly Function[]).includes(ctor)) {
      throw new TypeError(`beatflow: executor.shared(ctor, length): ctor must be one of ${DTYPES.map((d) => d.name).join(', ')}`);
    }
    if (!Number.isInteger(length) || length < 0) {
      throw new TypeError(`beatflow: executor.shared(ctor, length): length must be a non-negative integer (got ${length})`);
    }
    const bytes = length * ctor.BYTES_PER_ELEMENT;
    const ptr = this.#core.alloc(bytes || 1);
    const arr = new ctor(this.#core.u8.buffer as ArrayBuffer, ptr, length) as InstanceType<C>;
    arr.fill(0);
    this.#owned.add(arr);
    return arr;
  }

  /** Returns a typed array from {@link Executor.shared} to the shared heap. Do not use it afterwards. */
  free(arr: ArrayBufferView): void {
    if (!this.#owned.has(arr)) throw new TypeError('beatflow: executor.free(array): the array did not come from executor.shared()');
    this.#owned.delete(arr);
    this.#core.x.heapFree(arr.byteOffset);
  }

  // ---- completions ----

  #ensurePump(): void {
    if (this.#pumping || this.#outstanding === 0) return;
    this.#pumping = true;
    this.#keepAlive.hold();
    void this.#pump();
  }

  /**
   * Drains the completion ring until nothing is in flight; sleeps on hostSeq between batches. Starts
   * after the caller's synchronous code (the first await), so a burst of submissions is never held up.
   */
  async #pump(): Promise<void> {
    const i32 = this.#core.i32;
    await null;
    while (this.#outstanding > 0) {
      if (this.#drain() > 0) { this.#queue.check(); await null; continue; }   // let continuations run between batches
      let missedAt = -1;
      const awaited = this.#outstanding - this.#unawaited.size;
      if (this.#spinUs >= 1 && awaited > 0 && hostMayPoll(awaited, this.#core.nWorkers)) {
        const start = performance.now();
        if (this.#poll(this.#spinUs)) {
          this.#spinUs = nextHostSpin(this.#spinUs, true);
          continue;
        }
        missedAt = start;                                   // learn below how long it took after all
      } else if (this.#spinUs < 1 && ++this.#spinProbe % 64 === 0) {
        this.#spinUs = nextHostSpin(0, true);             // probe again now and then: the load may have changed
      }
      const seq = Atomics.load(i32, this.#hostSeq);
      Atomics.store(i32, this.#hostWaiting, 1);           // from here a finishing worker bumps hostSeq …
      if (this.#drain() > 0 || this.#outstanding === 0) { await null; continue; }   // … so re-check first
      // Nothing back yet. An algorithm's helper is submitted without the usual wake (_helper): if one
      // is still queued (or a withdrawn one waits to be dropped) and no live worker is awake to take it,
      // wake one, so its slot comes back and close() never waits on it.
      this._wakeFor(1, true, false);
      const r = Atomics.waitAsync(i32, this.#hostSeq, seq);
      if (r.async) await r.value; else await null;
      if (missedAt >= 0) this.#spinUs = nextHostSpin(this.#spinUs, false, (performance.now() - missedAt) * 1000);
    }
    this.#pumping = false;
    this.#keepAlive.release();
    this.#queue.check();
    if (this.#jobsWaiting === 0) this.#notifyIdle();
  }

  /** Polls the completion ring for up to us microseconds; true if something arrived. */
  #poll(us: number): boolean {
    const x = this.#core.x;
    const q = this.#completions;
    const end = performance.now() + us / 1000;
    for (let i = 1; ; i++) {
      if (x.mpmcLength(q) !== 0) return true;
      if ((i & 31) === 0 && performance.now() > end) return false;
    }
  }

  /**
   * Takes what the completion ring holds (up to DRAIN_BATCH at a time) and settles it in slot order:
   * completions can come back far from submission order (priorities, stealing), and settling 100k
   * promises out of order costs the host several times more (memory locality). Slot order is close to
   * allocation order, which is close to submission order.
   */
  #drain(): number {
    const x = this.#core.x;
    const batch = this.#batch;
    let n = 0;
    for (;;) {
      let k = 0;
      for (let v = x.mpmcPop(this.#completions); v !== EMPTY; v = k < DRAIN_BATCH ? x.mpmcPop(this.#completions) : EMPTY) batch[k++] = v >>> 0;
      if (k === 0) return n;
      n += k;
      const done = batch.subarray(0, k);
      if (k > 1) done.sort();
      for (let i = 0; i < k; i++) {
        const v = done[i];
        try {
          if ((v & RUN_BIT) !== 0) this.#runDone(v ^ RUN_BIT);
          else this.#taskDone(v);
        } catch (e) {
          // A bug here must not stop the pump (every later completion would hang): report it and go on.
          queueMicrotask(() => { throw e; });
        }
      }
    }
  }

  readonly #batch = new Uint32Array(DRAIN_BATCH);

  #taskDone(t: number): void {
    const resolve = this.#resolve[t];
    const reject = this.#reject[t];
    if (!resolve || !reject) {   // a submitted task (async() tasks never look at #jobs), or already settled (destroy)
      if (this.#orphans.delete(t)) {   // an orphaned child retired (src/engine/recovery.ts): nobody reads its result
        this.#freeSlot(t);
        this.#outstanding--;
        return;
      }
      const job = this.#jobs[t];
      if (job !== undefined) this.#jobDone(t, job);
      return;                    // never let one stray id stop the pump
    }
    const core = this.#core;
    const codec = this.#codec;
    const p = core.taskPtr(t);
    this.#resolve[t] = undefined;
    this.#reject[t] = undefined;
    let value: unknown;
    let error: unknown;
    let failed = codec.resultKind(p) === Kind.Error;
    if (failed) error = this.#taskError(t);
    else {
      try { value = codec.readResult(p); } catch (e) { error = e; failed = true; }
    }
    this.#freeSlot(t);
    this.#outstanding--;
    if (failed) reject(error); else resolve(value);
    this.#drainBacklog();
  }

  /** Frees a lone task's slot once the host has read it: its result and argument blocks, then the slot. */
  #freeSlot(t: number): void {
    const core = this.#core;
    const p = core.taskPtr(t);
    this.#codec.freeResult(p);
    if (core.u32[(p + core.L.T_argInfo) >> 2] !== 0) this.#codec.freeArgs(p);
    core.x.taskFree(t);
  }

  /** Submits queued async tasks while task slots are free (after anything that frees slots). */
  #drainBacklog(): void {
    if (this.#jobsWaiting > 0) {
      for (let l = 0; l < 4 && this.#state !== 'closed'; l++) {
        const q = this.#jobBacklog[l];
        if (l === 2 && this.#backlog.length > 0) break;   // normal: async() calls queued earlier go first
        while (q.length > 0) {
          const t = this.#core.x.taskAlloc();
          if (t < 0) return;
          this.#jobsWaiting--;
          this.#launch(q.shift()!, t);
        }
      }
    }
    while (this.#backlog.length > 0 && this.#state !== 'closed') {
      const t = this.#core.x.taskAlloc();
      if (t < 0) break;
      const w = this.#backlog.shift()!;
      this.#resolve[t] = w.resolve;
      this.#reject[t] = w.reject;
      this.#write(t, w.fnId, w.args, w.level);
    }
  }

  #runDone(r: number): void {
    const w = this.#runWaiters[r];
    if (!w) return;   // already settled (destroy)
    this.#runWaiters[r] = undefined;
    this.#outstanding--;
    const core = this.#core;
    if (w.state.list !== 0) core.x.heapFree(w.state.list);
    const failed = Atomics.load(core.i32, (core.runPtr(r) + core.L.R_failed) >> 2);
    const result = new RunResult(w.tf, w.placed, w.run, (t) => this.#codec.readResult(core.taskPtr(t)),
      (t) => { const k = this.#codec.resultKind(core.taskPtr(t)); return k !== Kind.Error && k !== Kind.Skipped; });
    w.placed.lastFailed = failed !== 0 || w.state.cancelled;
    if (failed === 0 && !w.state.cancelled) {
      w.resolve(result);
      return;
    }
    // A cancelled run rejects as cancelled, with any task errors attached; otherwise the first error
    // is the rejection and the others are attached.
    const first = failed - 1;
    const stop = w.state.reason instanceof TimeoutError ? w.state.reason : new CancelledError(messages.cancelled(w.tf.name), w.state.reason);
    const err = (w.state.cancelled ? stop : this.#taskError(first)) as TaskFailure & { suppressed?: unknown[] };
    const others: unknown[] = [];
    for (const t of w.placed.slots) {
      if ((w.state.cancelled || t !== first) && this.#codec.resultKind(core.taskPtr(t)) === Kind.Error) {
        const e = this.#taskError(t);
        // A subflow join that stopped because this run failed or was cancelled is a consequence, not a cause.
        if (!(e instanceof Error && e.name === 'CancelledError')) others.push(e);
      }
    }
    if (others.length > 0) err.suppressed = others;
    (err as { partial?: RunResult }).partial = result;
    w.reject(err);
  }

  /** The error task t failed with: its worker's crash, or its thrown value rebuilt with the task's name. */
  #taskError(t: number): unknown {
    const crash = this.#crashErrors.get(t);
    if (crash) { this.#crashErrors.delete(t); return crash; }
    const p = this.#core.taskPtr(t);
    const plain = this.#codec.readResult(p);
    const name = this.#taskName(t);
    if (!isPlainError(plain)) return plain;
    const err = rebuildError(plain, name);
    const fnId = this.#core.u32[(p + this.#core.L.T_fn) >> 2];
    const m = /^(\S+) is not defined$/.exec(plain.message);
    if (m && plain.name === 'ReferenceError' && this.#fns.kindOf(fnId) === FnKind.Inline) {
      err.message = messages.captured(name, m[1]);
      err.stack = `ReferenceError: ${err.message}\n${(plain.stack ?? '').split('\n').slice(1).join('\n')}`;
    }
    return err;
  }

  #taskName(t: number): string {
    const run = this.#core.u32[(this.#core.taskPtr(t) + this.#core.L.T_run) >> 2];
    if (run !== NONE) {
      for (const pl of this.#live) {
        if (pl.runSlot !== run) continue;
        const i = pl.slots.indexOf(t);
        const tf = pl.tf.deref();
        if (i >= 0 && tf && tf.compositeVersion === pl.version) return flatName(flatten(tf), i);   // error path only
      }
    }
    const fnId = this.#core.u32[(this.#core.taskPtr(t) + this.#core.L.T_fn) >> 2];
    return this.#fns.nameOf(fnId) ?? `task ${t}`;
  }

  // ---- crashes ----

  #onCrash(info: CrashInfo): void {
    if (this.#state === 'closed') return;
    const cause = info.terminated ? messages.terminated : info.error instanceof Error
      ? `died (${info.error.message})`
      : `exited with code ${info.exitCode}`;
    const lost = [...new Set([...(info.task === undefined ? [] : [info.task]), ...info.joining, ...info.awaiting])];
    // Their children lose their joiner: the host frees them (src/engine/recovery.ts). Marked before the lost tasks
    // retire below, so a lost task that was itself such a child posts itself to be freed.
    const { marked, retired } = orphansOf(this.#core, new Set(lost));
    for (const c of marked) this.#orphans.add(c);
    this.#outstanding += marked.length;
    for (const c of retired) this.#freeSlot(c);
    for (const t of lost) {
      const name = this.#taskName(t);
      const err = this.#forced.get(t) ?? new WorkerCrashError(messages.crashed(info.worker, cause, name), info.worker,
        { exitCode: info.exitCode, cause: info.error, task: name });
      // A child's joiner reads the error from its result; the host only keeps those of its own tasks.
      if (!isChild(this.#core, t)) this.#crashErrors.set(t, err);
      this.#codec.writeError(this.#core.taskPtr(t), err);
      this.#core.x.retireFromHost(t, 1);
    }
    if (lost.length > 0 || marked.length > 0) this.#ensurePump();
  }

  /**
   * A worker slot could not be restarted. Its queued tasks can still be stolen by the others; if no
   * worker is left, nothing can run: everything in flight is rejected with the cause.
   */
  #onBroken(err: Error): void {
    if (++this.#brokenSlots >= this.#core.nWorkers && this.#state !== 'closed') {
      void this.#stop(new Error(`beatflow: every worker failed to restart: ${err.message.replace(/^beatflow: /, '')}`, { cause: err }));
    }
  }

  // ---- lifecycle ----

  /** Per-worker counters and heap use, read without stopping anything. */
  stats(): { workers: Record<'executed' | 'steals' | 'failedSteals' | 'parks' | 'wakeups' | 'overflows', number>[]; liveTasks: number; heapBytes: number } {
    const core = this.#core;
    const u32 = core.u32;
    const L = core.L;
    const workers = [];
    for (let w = 0; w < core.nWorkers; w++) {
      const s = core.workerPtr(w);
      workers.push({
        executed: u32[(s + L.W_executed) >> 2], steals: u32[(s + L.W_steals) >> 2],
        failedSteals: u32[(s + L.W_failedSteals) >> 2], parks: u32[(s + L.W_parks) >> 2],
        wakeups: u32[(s + L.W_wakeups) >> 2], overflows: u32[(s + L.W_overflows) >> 2],
      });
    }
    return { workers, liveTasks: core.liveTasks(), heapBytes: u32[(L.header + L.H_heapBytes) >> 2] };
  }

  // ---- observability (src/observe/topology.ts, src/observe/metrics.ts) ----

  #topology!: ExecutorTopology;
  #linger!: Linger;
  #metrics!: Metrics;

  /**
   * The CPU topology detected at start (Linux sysfs; a flat model elsewhere) and how the worker slots were
   * grouped into steal domains. Frozen. Workers are not pinned to CPUs (JavaScript cannot): `pinned` is false.
   */
  get topology(): ExecutorTopology { return this.#topology; }

  /**
   * A snapshot of the per-worker and pool counters (totals since start), queue lengths (now), and the
   * sampled run-time and wait-time histograms and utilization over the last `options.windowMs` (default
   * 10 s). Reads shared memory without stopping anything. Host thread only.
   * @example
   * const m = executor.metrics({ windowMs: 5000 });
   * console.log(m.pool.utilization, m.pool.runTime.p99, m.workers.map((w) => w.dequeLength));
   */
  metrics(options?: MetricsOptions): MetricsSnapshot { return this.#metrics.snapshot(options); }

  /** Changes metrics sampling: `{ sampleEvery: n }` times 1 task in n (a power of two; 1 = every task, 0 = none). */
  configureMetrics(config: MetricsConfig): void { this.#metrics.configure(config); }

  #whenIdle(): Promise<void> {
    if (this.#outstanding === 0 && this.#jobsWaiting === 0) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Finishes everything already submitted, then stops the workers. Bounded: after options.closeTimeout
   * ms it gives up waiting, rejects what is still in flight, and terminates the workers.
   */
  close(): Promise<CloseReport> {
    if (this.#closed) return this.#closed.then(() => this.#closeReport);
    this.#state = 'closing';
    this.#closed = this.#keepAlive.during((async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), this.#opts.closeTimeout); });
      const outcome = await Promise.race([this.#settled().then(() => 'idle' as const), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {   // report what kept the workers busy (src/engine/lifecycle.ts), then stop
        const busy = busyWorkers(this.#core, (t) => this.#taskName(t));
        this.#closeReport = { timedOut: true, busy };
        await this.#stop(new Error(messages.closeTimedOut(this.#opts.closeTimeout, this.#outstanding, describeBusy(busy))));
        return;
      }
      this.#state = 'closed';
      const stuck = await this.#pool.close(this.#opts.closeTimeout);
      if (stuck.length > 0) this.#closeReport = { timedOut: true, busy: stuck.map((worker) => ({ worker, awaiting: [] })) };
    })()).finally(() => { this.#keepAlive.dispose(); this.#linger.dispose(); });
    return this.#closed.then(() => this.#closeReport);
  }

  #closeReport: CloseReport = { timedOut: false, busy: [] };
  /** Why the executor stopped (destroy(), a close() that timed out, every worker broken), if it did. */
  #stopReason: Error | undefined;

  /** options.maxQueue is reached: the next async/submit/run would be refused with a QueueFullError. */
  get needsDrain(): boolean { return this.#queue.needsDrain; }

  /** Resolves once the tasks submitted and not yet started are down to half of options.maxQueue (at once without maxQueue). */
  drained(): Promise<void> { return this.#queue.drained(); }

  /** What the pool did so far: live threads, threads started, recycled, idle exits, crashes, last recovery time. */
  lifecycle(): PoolStats { return this.#pool.stats; }

  /** Stops now: terminates the workers and rejects everything still in flight. */
  destroy(): Promise<void> {
    if (this.#state === 'closed' && this.#closed) return this.#closed;
    this.#closed = this.#keepAlive.during(this.#stop(new Error('beatflow: the executor was destroyed before this task finished')))
      .finally(() => { this.#keepAlive.dispose(); this.#linger.dispose(); });
    return this.#closed;
  }

  async #stop(reason: Error): Promise<void> {
    this.#state = 'closed';
    this.#stopReason = reason;
    this.#queue.release();
    await this.#pool.destroy();
    for (let t = 0; t < this.#reject.length; t++) {
      const reject = this.#reject[t];
      if (reject) { this.#resolve[t] = this.#reject[t] = undefined; reject(reason); }
    }
    for (const w of this.#backlog.splice(0)) w.reject(reason);
    for (let t = 0; t < this.#jobs.length; t++) {
      const job = this.#jobs[t];
      this.#jobs[t] = undefined;
      if (job && job !== WITHDRAWN) this.#settleJob(job, reason);
    }
    for (const q of this.#jobBacklog) for (const job of q.splice(0)) this.#settleJob(job, reason);
    this.#jobsWaiting = 0;
    clearInterval(this.#watchdog);
    for (let r = 0; r < this.#runWaiters.length; r++) {
      const w = this.#runWaiters[r];
      if (w) { this.#runWaiters[r] = undefined; w.reject(reason); }
    }
    this.#outstanding = 0;
    this.#orphans.clear();
    this.#unawaited.clear();
    Atomics.add(this.#core.i32, this.#hostSeq, 1);   // wake the pump so it sees nothing is in flight
    Atomics.notify(this.#core.i32, this.#hostSeq);
  }

  /** @internal Test hook: terminate worker w from outside, as a crash would. */
  _killWorker(w: number): Promise<void> { return this.#pool.kill(w); }

  // ---- parallel algorithms (src/algorithms/) ----

  /** @internal The function id of fn, registering it: algorithms pass callbacks to their builtin tasks by id. */
  _fnId(fn: unknown, what: string): number { return this.#fns.idOf(fn, what); }

  /**
   * @internal Makes sure `count` workers will look for work now: a parallel algorithm has just submitted
   * (or is about to spawn) that many helpers. Idle workers count: live threads neither parked nor running
   * a task (searching, or between a task and their search). Parked ones are woken for the rest. Waking a
   * parked thread can take milliseconds on a VM, better overlapped with the caller's own share than paid
   * after it; waking one more than the helpers need would only take a CPU from them. `current` is read
   * plainly: a hint, as is the whole count (a helper nobody takes is withdrawn by the caller).
   * `queued`: the helpers are submitted, so only those still in the submission queues need a worker
   * (one already taken is running, and is not idle). The pump also calls it, before it sleeps, for any
   * queued work, without the elastic pool's demand check (`demand` false): that check on every sleep
   * would start a thread per completion while the last one boots (#idled makes its own).
   */
  _wakeFor(count: number, queued = false, demand = true): void {
    const core = this.#core;
    if (queued) count = Math.min(count, core.x.queuedLength());
    if (count > 0) {
      let idle = this.#pool.live - Atomics.load(core.i32, (core.L.header + core.L.H_sleepers) >> 2);
      if (idle > 0) idle -= core.x.runningWorkers(idle);
      for (let k = Math.max(0, idle); k < count; k++) if (!core.x.wakeOne()) break;
    }
    if (demand) this.#pool.demand();   // an elastic pool with stopped slots starts one if the submitted work needs it
  }

  /**
   * @internal Runs fn(...args) on a worker as an algorithm's helper: `revoke()` takes it back if no
   * worker has started it (its promise then resolves with undefined), without the cost of an error;
   * `release()` says the call no longer waits for it (it handed its partial back another way): its
   * outcome is ignored and the pump does not poll for it. The submission wakes nobody: the caller makes
   * sure workers look (_wakeFor), counting those it already woke; the usual check at the end of a burst
   * would see the first one not searching yet and wake a second, or wake one to drop a withdrawn helper.
   */
  _helper(fn: (...a: any[]) => unknown, args: unknown[]): { done: Promise<unknown>; revoke(): boolean; release(): void } {
    let job!: Job;
    const done = new Promise<unknown>((resolve, reject) => {
      const fnId = this.#fns.idOf(fn, 'algorithm');
      job = newJob(fnId, args, this.#fns.nameOf(fnId), resolveTaskOptions(undefined), undefined, resolve, reject);
      this.#launch(job, this.#core.x.taskAlloc(), false);
    });
    const release = (): void => {
      done.catch(ignore);   // a crash or destroy() after the hand-back is no news to the call
      if (job.slot >= 0 && this.#jobs[job.slot] === job) this.#unawaited.add(job.slot);
    };
    return { done, revoke: () => this.#withdraw(job, undefined, true), release };
  }

  /**
   * @internal Settles what the completion ring holds: an algorithm call does it after submitting its own
   * helpers, while they start, so that back-to-back calls (which give the event loop no turn, and so the
   * pump none) do not pile up the slots of helpers that retired after handing back, or were withdrawn.
   */
  _reap(): void { this.#drain(); }

  /** @internal Throws unless the executor takes work: `what` names the call (an algorithm's direct form). */
  _checkOpen(what: string): void {
    if (this.#state !== 'open') throw new Error(messages.closedFor(what));
  }

  /**
   * @internal For a call the caller drives phase by phase: the error in-flight work got if the executor
   * was stopped (destroy() and the like), else undefined; and whether workers still take tasks (after a
   * completed close() they do not: the caller runs the remaining parts itself).
   */
  _stopped(): Error | undefined { return this.#stopReason; }
  _takesTasks(): boolean { return this.#state !== 'closed'; }

  /** @internal Parallel algorithm calls begin and end through this (src/engine/linger.ts). */
  get _linger(): Linger { return this.#linger; }

  /** @internal The shared core: the calling thread runs its share of an algorithm on it (algorithms/caller.ts). */
  _sharedCore(): SharedCore { return this.#core; }
}

const ignore = (): void => {};

/** A submitted task's record, before its first attempt. */
function newJob(fnId: number, args: unknown[], name: string, o: ReturnType<typeof resolveTaskOptions>, token: CancellationToken | undefined,
  resolve: (v: unknown) => void, reject: (e: unknown) => void): Job {
  return {
    fnId, args, name, level: o.level, token, words: 0, lost: false, timeout: o.timeout,
    retries: o.retries, retryDelay: o.retryDelay, retryIf: o.retryIf, attempt: 0, slot: -1, settled: false,
    timer: undefined, grace: undefined, stopToken: undefined, timedOut: false, resolve, reject,
  };
}

/** The error of a job whose task ran past its timeout. */
function timeoutError(job: Job): TimeoutError {
  return new TimeoutError(messages.taskTimedOut(job.name, job.timeout), { task: job.name, timeout: job.timeout });
}

/** The job of a slot that was withdrawn (cancelled or moved) and is still in a queue. */
const WITHDRAWN = { settled: true } as Job;

/** ns per explore round over empty queues, on this thread, before workers start (median of 5). */
function measureRound(core: SharedCore): number {
  const n = 20_000;
  const samples: number[] = [];
  core.x.calibrateSpin(0, n);   // warm up (and let the engine tier the loop up)
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    core.x.calibrateSpin(0, n);
    samples.push(((performance.now() - t0) * 1e6) / n);
  }
  return samples.sort((a, b) => a - b)[2];
}

async function importTaskModule(url: URL): Promise<Record<string, unknown>> {
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(messages.moduleLoad(url.href, e instanceof Error ? e.message : String(e)), { cause: e });
  }
}
