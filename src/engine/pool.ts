// The worker pool: starts a thread per worker slot, replaces a thread that dies or is recycled, starts
// and lets go of threads on elastic slots (src/engine/lifecycle.ts), and stops them all within a bounded time.
// It knows nothing of tasks beyond reading a dead worker's `current` task and await list.
//
// A slot's thread leaves in one of three ways, told apart by its slot's `exit` word (assembly/layout.ts
// WorkerSlot.exit; src/worker/lifecycle.ts), which the thread stores before a planned exit and the pool
// resets before starting the slot's next one:
//   RECYCLING  planned: the slot gets a new thread at once (not a crash; its deque keeps its tasks)
//   IDLE_EXIT  planned, elastic slots only: the slot stays empty until demand() starts it again
//   RUNNING    anything else is a crash: its tasks are reported (onCrash), and it is replaced
// Before a slot's next thread starts, recoverWorker undoes what the old one held in the core (its run
// balance, its place among searchers or sleepers), so no state of a dead thread survives it.
//
// A thread that exits before it is ready is blamed on the stage it reached (its start messages,
// src/worker/main.ts): before 'started' its own code could not be loaded (the worker entry: a bundle
// that left build/src/ behind); between 'started' and 'loaded' the task module failed; after that the
// worker itself failed to start.
import { platform, workerEntry } from '../platform/current.js';
import type { ThreadHandle, ResourceLimits, SpawnOptions } from '../platform/types.js';
import type { SharedCore } from './memory.js';
import { RUNNING, RECYCLING, IDLE_EXIT, type WorkerData, type StartMessage } from './thread-protocol.js';
import { messages } from '../errors.js';
import { startAnother, type LifecycleOptions } from './lifecycle.js';
import type { HopAsk, HopAnswer } from './hop.js';

export interface CrashInfo {
  worker: number;
  /** The task the worker was running when it died, if any. */
  task: number | undefined;
  /** Its async tasks that were awaiting a promise (src/worker/suspend.ts). */
  awaiting: number[];
  /** The tasks on its stack: waiting in a join below the one it was running (which is among them). */
  joining: number[];
  exitCode: number;
  /** The error the thread raised before it exited (uncaught exception, ERR_WORKER_OUT_OF_MEMORY, …). */
  error?: unknown;
  /** It was terminated from outside (pool.kill: a test, a forced cancellation). */
  terminated: boolean;
}

export interface PoolOptions {
  /** The task module: a URL every thread imports, or (single-threaded mode only) its namespace. */
  module?: URL | Readonly<Record<string, unknown>>;
  /** The worker script; default: the package's own (platform/current.ts workerEntry). */
  entry?: URL;
  resourceLimits?: ResourceLimits;
  lifecycle: LifecycleOptions;
  /** Slots 0 … permanent − 1 always have a thread; the others are elastic. */
  permanent: number;
  onCrash(info: CrashInfo): void;
  /** A worker slot could not be restarted (its replacement died before it was ready, 3 times in a row). */
  onBroken(worker: number, error: Error): void;
  /** Starts a slot's thread instead of the platform: the single-threaded mode's worker on the host thread. */
  spawn?: (opts: SpawnOptions) => ThreadHandle;
}

/** Counters of what the pool did (executor.lifecycle()). */
export interface PoolStats {
  /** Threads running now (started and not yet exited), starting ones included. */
  live: number;
  /** Threads started since create(), the first ones included. */
  started: number;
  /** Planned exits to be replaced (recycleAfterTasks, recycleAboveHeapMb). */
  recycled: number;
  /** Elastic threads that left after idleTimeout without work. */
  idleExits: number;
  /** Threads that died (any cause, terminated ones included). */
  crashes: number;
  /** Slots given up: their replacement failed to start MAX_RESTARTS times in a row. */
  broken: number;
  /** Milliseconds from the last crash's exit event to its replacement being ready; undefined before any. */
  lastRecoveryMs: number | undefined;
}

/** Consecutive replacements that may die during start-up before a slot is given up. */
const MAX_RESTARTS = 3;

type Slot = 'stopped' | 'starting' | 'running' | 'broken';

export class Pool {
  /** A worker's task asks the host (hop.ts: a GPU task, a host job): set by the engine. */
  onHop: ((ask: HopAsk, reply: (a: HopAnswer) => void) => void) | undefined = undefined;
  readonly #core: SharedCore;
  readonly #opts: PoolOptions;
  readonly #threads: (ThreadHandle | undefined)[];
  readonly #exits: Promise<void>[];
  readonly #slots: Slot[];
  readonly #killed: boolean[];
  /** Word index of each slot's `exit` word (WorkerSlot.exit), in the core's i32 view: the slots lie below the heap. */
  readonly #exitAt: number[];
  readonly #stats: PoolStats = { live: 0, started: 0, recycled: 0, idleExits: 0, crashes: 0, broken: 0, lastRecoveryMs: undefined };
  readonly #sleepersAt: number;
  readonly #spinnersAt: number;
  #stopped = 0;
  #closing = false;

  constructor(core: SharedCore, opts: PoolOptions) {
    const n = core.nWorkers;
    this.#core = core;
    this.#opts = opts;
    this.#threads = new Array(n).fill(undefined);
    this.#exits = new Array(n).fill(Promise.resolve());
    this.#slots = new Array(n).fill('stopped');
    this.#killed = new Array(n).fill(false);
    this.#exitAt = Array.from({ length: n }, (_, w) => (core.workerPtr(w) + core.L.W_exit) >> 2);
    this.#stopped = n - opts.permanent;
    this.#sleepersAt = (core.L.header + core.L.H_sleepers) >> 2;
    this.#spinnersAt = (core.L.header + core.L.H_spinners) >> 2;
  }

  get size(): number { return this.#threads.length; }

  get stats(): PoolStats { return { ...this.#stats }; }
  /** Live threads now (stats.live without the copy: the executor reads it on its wake paths). */
  get live(): number { return this.#stats.live; }

  /** @internal Elastic slots whose thread is starting (never more than one: demand()). */
  get elasticStarting(): number {
    let n = 0;
    for (let w = this.#opts.permanent; w < this.#slots.length; w++) if (this.#slots[w] === 'starting') n++;
    return n;
  }

  /** Starts the permanent slots' threads; rejects (after stopping the others) if one cannot load the task module. */
  async start(): Promise<void> {
    try {
      await Promise.all(this.#threads.slice(0, this.#opts.permanent).map((_, w) => this.#spawn(w, 0)));
    } catch (e) {
      await this.destroy();
      throw e;
    }
  }

  #spawn(w: number, attempt: number, crashedAt?: number): Promise<void> {
    const core = this.#core;
    const lc = this.#opts.lifecycle;
    Atomics.store(core.i32, this.#exitAt[w], RUNNING);   // published by the thread's start
    this.#killed[w] = false;
    const tasks = this.#opts.module;
    const data: WorkerData = {
      module: core.module, memory: core.memory, worker: w,
      moduleUrl: tasks instanceof URL ? tasks.href : undefined, moduleNamespace: tasks instanceof URL ? undefined : tasks,
      lifecycle: {
        recycleAfterTasks: lc.recycleAfterTasks, recycleAboveHeapMb: lc.recycleAboveHeapMb,
        idleTimeout: w >= this.#opts.permanent ? lc.idleTimeout : 0,
      },
    };
    const spawn = this.#opts.spawn ?? platform().spawnThread;
    const entry = this.#opts.entry;
    const th = spawn({ entry, workerData: data, resourceLimits: this.#opts.resourceLimits, name: `beatflow-${w}` });
    this.#threads[w] = th;
    this.#slots[w] = 'starting';
    this.#stats.started++;
    this.#stats.live++;
    let ready = false;
    let stage: 'spawned' | 'started' | 'loaded' = 'spawned';
    let lastError: unknown;
    let resolveExit!: () => void;
    this.#exits[w] = new Promise<void>((r) => (resolveExit = r));
    return new Promise<void>((resolve, reject) => {
      th.on('message', (m: StartMessage | HopAsk) => {
        if (m?.type === 'hop') {
          this.onHop?.(m, (a) => { try { th.postMessage(a); } catch { /* the thread is gone */ } });
          return;
        }
        if (m?.type === 'started' || m?.type === 'loaded') { stage = m.type; return; }
        if (m?.type !== 'ready') return;
        ready = true;
        this.#slots[w] = 'running';
        if (crashedAt !== undefined) this.#stats.lastRecoveryMs = performance.now() - crashedAt;
        resolve();
        if (w >= this.#opts.permanent) this.demand();   // a backlog grows the pool one thread at a time
      });
      th.on('error', (e: unknown) => { lastError = e; });
      // Idle workers never keep the process alive; the executor holds a handle while work is in flight.
      // After the listeners: adding a 'message' listener refs the worker's port again.
      th.unref();
      th.on('exit', (code: number) => {
        resolveExit();
        this.#stats.live--;
        if (this.#threads[w] === th) this.#threads[w] = undefined;
        if (!ready) {
          const err = startError(w, stage, code, lastError, entry, tasks instanceof URL ? tasks : undefined);
          if (attempt === 0 || this.#closing) { this.#slots[w] = 'stopped'; reject(err); return; }
          if (attempt >= MAX_RESTARTS) { this.#broken(w, err); reject(err); return; }
          this.#spawn(w, attempt + 1, crashedAt).then(resolve, reject);
          return;
        }
        const state = Atomics.load(core.i32, this.#exitAt[w]);
        if (this.#closing) {
          if (state === RECYCLING && code === 0) this.#stats.recycled++;
          this.#slots[w] = 'stopped';
          return;
        }
        if (state === RECYCLING && code === 0) this.#recycled(w);
        else if (state === IDLE_EXIT && code === 0) this.#idled(w);
        else this.#crashed(w, code, lastError);
      });
    });
  }

  /** A running worker died: report its tasks, then start a replacement on the same slot (and deque). */
  #crashed(w: number, exitCode: number, error: unknown): void {
    const at = performance.now();
    this.#stats.crashes++;
    const { current, joining, awaiting } = this.#core.reclaimWorker(w);
    this.#opts.onCrash({ worker: w, task: current, joining, awaiting, exitCode, error, terminated: this.#killed[w] });
    this.#spawn(w, 1, at).catch(() => { /* reported through onBroken */ });
  }

  /** A worker left to be recycled, holding no task: start its replacement on the same slot. */
  #recycled(w: number): void {
    this.#stats.recycled++;
    this.#core.reclaimWorker(w);   // it held no task: this only frees its blocks
    this.#spawn(w, 1).catch(() => { /* reported through onBroken */ });
  }

  /** An elastic worker left after idleTimeout: its slot stays empty until demand. */
  #idled(w: number): void {
    this.#stats.idleExits++;
    this.#core.reclaimWorker(w);
    this.#slots[w] = 'stopped';
    this.#stopped++;
    this.demand();   // work submitted while it was leaving (worker/lifecycle.ts: the handshake)
  }

  /** A slot could not be restarted. Without any permanent slot left, no progress is guaranteed: give up on all. */
  #broken(w: number, err: Error): void {
    if (this.#slots[w] === 'stopped' && w >= this.#opts.permanent) this.#stopped--;
    this.#slots[w] = 'broken';
    this.#stats.broken++;
    this.#opts.onBroken(w, err);
    if (this.#slots.slice(0, this.#opts.permanent).every((s) => s === 'broken')) {
      this.#stopped = 0;
      this.#slots.forEach((s, v) => { if (s !== 'broken') { this.#slots[v] = 'broken'; this.#stats.broken++; this.#opts.onBroken(v, err); } });
    }
  }

  /** Workers parked now (the core's sleepers). */
  sleeping(): number { return Atomics.load(this.#core.i32, this.#sleepersAt); }

  /** Workers idle now: parked or searching for work (the core's sleepers and spinners), at most the live ones. */
  waiters(): number {
    const i32 = this.#core.i32;
    return Math.max(0, Math.min(this.live, Atomics.load(i32, this.#sleepersAt) + Atomics.load(i32, this.#spinnersAt)));
  }

  /**
   * After submissions, before the completion pump sleeps, and whenever an elastic thread becomes ready
   * or leaves: starts a thread on a stopped elastic slot if more work waits than the live threads
   * running no task will take, and none is asleep or searching (lifecycle.ts startAnother). The
   * submission's queue push comes before the reads here (see worker/lifecycle.ts, idle exit).
   * One elastic thread starts at a time: while one boots, later bursts start nothing, and the booted
   * thread calls demand() again once ready, when it can see whether it was enough.
   */
  demand(): void {
    if (this.#stopped === 0 || this.#closing || this.elasticStarting > 0) return;
    const i32 = this.#core.i32;
    // plain reads, a hint as the rest; before the queue's: a worker records the task it took after
    // taking it, so one seen running no task has not taken one the queue still shows
    const idle = this.live - this.#core.x.runningWorkers(this.live);
    const d = {
      queued: this.#core.x.queuedLength(), sleepers: Atomics.load(i32, this.#sleepersAt),
      spinners: Atomics.load(i32, this.#spinnersAt), stopped: this.#stopped, idle,
    };
    if (!startAnother(d)) return;
    const w = this.#slots.indexOf('stopped', this.#opts.permanent);
    if (w < 0) return;
    this.#stopped--;
    let started: Promise<void>;
    try {
      started = this.#spawn(w, 1);
    } catch (e) {
      this.#stopped++;   // the platform refused the thread (spawnThread threw): the slot stays stopped, for a later demand
      throw e;
    }
    started.catch(() => { /* reported through onBroken */ });
  }

  /** Terminates worker w from outside (tests, forced cancellation): it is reported and replaced like a crash. */
  async kill(w: number): Promise<void> {
    const th = this.#threads[w];
    if (!th) return;
    this.#killed[w] = true;
    await th.terminate();
  }

  /**
   * Asks every worker to exit once the queues are empty, waits up to timeoutMs, then terminates the
   * stragglers. Returns the slots that had to be terminated.
   */
  async close(timeoutMs: number): Promise<number[]> {
    this.#closing = true;
    this.#core.x.wakeAllForShutdown();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); });
    const all = Promise.all(this.#exits).then(() => 'done' as const);
    const outcome = await Promise.race([all, timedOut]);
    clearTimeout(timer);
    const stuck: number[] = [];
    if (outcome === 'timeout') {
      this.#threads.forEach((t, w) => { if (t) stuck.push(w); });
      await this.destroy();
    }
    return stuck;
  }

  /** Terminates every worker now. */
  async destroy(): Promise<void> {
    this.#closing = true;
    this.#core.x.wakeAllForShutdown();
    await Promise.all(this.#threads.map((t) => t?.terminate()));
    await Promise.all(this.#exits);
  }
}

/**
 * Why a thread that exited before 'ready' failed, by the last start stage it reported (the messages
 * arrive before its 'exit'): its own code (the worker entry), the task module, or anything after that.
 */
function startError(w: number, stage: 'spawned' | 'started' | 'loaded', code: number, error: unknown, entry: URL | undefined, moduleUrl: URL | undefined): Error {
  const why = error instanceof Error ? error.message : messages.threadExited(code);
  let message: string;
  if (stage === 'spawned' && error !== undefined) message = messages.workerEntry((entry ?? platform().entryUrl?.() ?? workerEntry()).href, why);
  else if (stage === 'started' && moduleUrl !== undefined) message = messages.moduleLoad(moduleUrl.href, why);
  else message = messages.workerStart(w, why);
  return new Error(message, { cause: error });
}
