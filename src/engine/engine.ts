// The engine: everything behind the Executor facade. It owns the shared core (memory.ts), the worker
// pool (pool.ts), the function table (functions.ts) and the codec (codec.ts), and wires the parts that
// do the host's work: one-off tasks (tasks.ts), graph runs (runs.ts), the completion pump
// (completions.ts), crash recovery (recovery.ts). It is also the *internal* interface the parallel
// algorithms use (helpers, waking, reaping, lingering); nothing here is public API.
//
// Parts reach each other only through the narrow host interfaces they declare (TaskHost, RunHost,
// RecoveryHost, CompletionHandlers), which this class implements: the parts import no engine.
import type { DeviceLane } from './device.js';
import { serveDevice } from './device-task.js';
import { serveHop, type HopAsk } from './hop.js';
import { serveJob, type JobRun } from './host-task.js';
import type { PlacementRouter } from '../policy/router.js';
import { SharedCore, compileCore, NONE } from './memory.js';
import { Codec, DTYPES, isFreed, markFreed, type SharedArrayCtor } from './codec.js';
import { FunctionTable } from './functions.js';
import { openSeat, type DirectSeat } from './direct-seat.js';
import { Pool } from './pool.js';
import { Backpressure } from './backpressure.js';
import { Completions } from './completions.js';
import { Outcomes } from './outcomes.js';
import { Tasks, type TaskHost, type Helper } from './tasks.js';
import { Runs, type RunHost } from './runs.js';
import { Semaphores } from './semaphores.js';
import { Recovery, type RecoveryHost } from './recovery.js';
import { Dependents, type DependentHost } from './dependent.js';
import { Linger } from './linger.js';
import { permanentSlots, busyWorkers, describeBusy, type CloseReport, type BusyWorker } from './lifecycle.js';
import { resolveOptions, type ExecutorOptions, type ResolvedOptions } from '../options.js';
import { autoWorkers, spinPolicy, spinRounds, taskCapLog2, dequeCapLog2 } from '../policy/scheduling.js';
import { ensurePlatform, platform } from '../platform/current.js';
import type { UnsupportedOption, SpawnOptions, ThreadHandle } from '../platform/types.js';
import { hasWaitAsync } from '../platform/wait-async.js';
import { messages } from '../errors.js';
import { throwSoon } from '../platform/microtask.js';

/**
 * Starts the single-threaded mode's one worker on the host thread (worker/inline.ts): the facade passes a
 * loader, since the engine imports nothing of worker/.
 */
export type InlineSpawner = () => Promise<(opts: SpawnOptions) => ThreadHandle>;

/** What the free functions (algorithms, pipelines) take: an executor made by Executor.create(). */
export interface ExecutorRef { readonly workers: number }

const engines = new WeakMap<object, Engine>();
/** The no-waitAsync line is said once per process: the runtime does not change. */
let warnedPolling = false;

/** The facade registers itself: `owner` is the Executor object users hold. */
export function bindEngine(owner: object, engine: Engine): void { engines.set(owner, engine); }

/** The engine behind an executor; a TypeError naming `what` for anything that is not one. */
export function engineOf(owner: unknown, what: string): Engine {
  const e = typeof owner === 'object' && owner !== null ? engines.get(owner) : undefined;
  if (e === undefined) throw new TypeError(messages.notAnExecutor(what, owner));
  return e;
}

/** Per-worker counters and heap use (executor.stats()). */
export interface Stats {
  workers: Record<'executed' | 'inlined' | 'steals' | 'failedSteals' | 'parks' | 'wakeups' | 'overflows', number>[];
  liveTasks: number;
  heapBytes: number;
}

/** Engine.wake's recounts when the queues shrank during its idle count (a worker took a helper meanwhile). */
const WAKE_RECOUNTS = 3;

/** Options of Engine.wake. */
export interface WakeOptions {
  /** Workers that should look for work now (idle ones count). */
  count: number;
  /** Only the submissions still queued need a worker (those taken are running). Default false. */
  queuedOnly?: boolean;
  /** Also let an elastic pool start a thread for queued work. Default true. */
  demand?: boolean;
}

/** Host thread only. */
export class Engine implements TaskHost, RunHost, RecoveryHost, DependentHost {
  readonly core: SharedCore;
  readonly codec: Codec;
  readonly fns: FunctionTable;
  readonly pool: Pool;
  readonly queue: Backpressure;
  readonly completions: Completions;
  readonly outcomes: Outcomes;
  readonly tasks: Tasks;
  readonly runs: Runs;
  readonly semaphores: Semaphores;
  readonly recovery: Recovery;
  readonly dependents: Dependents;
  readonly linger: Linger;
  readonly keepAlive = platform().keepAlive();
  /** The GPU lane the algorithms' `device` option reaches (engine/device.ts), set by the facade. */
  device: DeviceLane | undefined;
  /** The placement router of algorithm calls (learn/router.ts), set by the facade; undefined: the static rule. */
  router: PlacementRouter | undefined;
  readonly cancelGrace: number;
  readonly maxRuns: number;
  readonly #opts: ResolvedOptions;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #closed: Promise<void> | undefined;
  #closeReport: CloseReport = { timedOut: false, busy: [] };
  /** Why the executor stopped (destroy(), a close() that timed out, every worker broken), if it did. */
  #stopReason: Error | undefined;
  #idleWaiters: (() => void)[] = [];
  readonly #owned = new WeakSet<ArrayBufferView>();

  /** The single-threaded mode: one worker, on the host thread, in slices (docs/platforms.md). */
  readonly single: boolean;
  /** Where that worker offers direct runs of one-off tasks (direct-seat.ts); undefined with threads. */
  readonly direct: DirectSeat | undefined;

  private constructor(core: SharedCore, opts: ResolvedOptions, ns: Readonly<Record<string, unknown>>, nsPerRound: number,
    spawn: ((opts: SpawnOptions) => ThreadHandle) | undefined) {
    this.single = spawn !== undefined;
    this.core = core;
    this.#opts = opts;
    this.cancelGrace = opts.cancelGrace;
    this.maxRuns = opts.maxRuns;
    this.codec = new Codec(core);
    this.fns = new FunctionTable(core, opts.maxFunctions, ns, this.single);
    this.direct = this.single ? openSeat(core.memory) : undefined;
    this.pool = new Pool(core, {
      module: opts.module,
      entry: opts.workerUrl,
      resourceLimits: opts.resourceLimits,
      lifecycle: opts.lifecycle, permanent: permanentSlots(opts.lifecycle, core.nWorkers),
      onCrash: (info) => this.recovery.crashed(info),
      onBroken: (_w, err) => this.recovery.broken(err, core.nWorkers),
      spawn,
    });
    this.pool.onHop = (ask, reply) => serveHop(ask, this.#serveHop, reply);
    this.semaphores = new Semaphores(core, () => this.isRunning());
    this.runs = new Runs(this);
    this.outcomes = new Outcomes(core, this.codec, this.fns, (t) => this.runs.taskName(t));
    this.completions = new Completions(core, this.keepAlive, platform().waitAsync, platform().yieldToEventLoop, {
      task: (t) => { if (!this.tasks.done(t) && !this.dependents.done(t)) this.recovery.retired(t); },
      run: (r) => this.runs.done(r),
      afterBatch: () => this.queue.check(),
      unawaited: () => this.tasks.unawaited,
      beforeSleep: () => this.#beforeSleep(),
      idle: () => this.maybeIdle(),
    }, !this.single);   // one thread: polling the ring would only keep its worker from running
    this.tasks = new Tasks(this);
    this.recovery = new Recovery(this);
    this.dependents = new Dependents(this);
    this.queue = new Backpressure(core, opts.lifecycle.maxQueue, () => this.tasks.queued);
    this.linger = new Linger(core, spinRounds(opts.lingerMicroseconds, nsPerRound), opts.lingerMicroseconds);
    core.x.setAging(opts.priorityAging);
  }

  /** A worker's task hopped here (hop.ts): a GPU dispatch on the lane, or a registered host job. */
  readonly #serveHop = (ask: HopAsk): Promise<unknown> =>
    (ask.kind === 'gpu' ? serveDevice(this.device, ask.payload, (d, p, n) => this.codec.view(d, p, n)) : serveJob(this, ask, this.#jobRun(ask.run)));

  /** The run `r` (NONE: none) as a host job sees it: whether it stopped, and the host's cancellations. */
  #jobRun(r: number): JobRun {
    const x = this.core.x;
    return { stopped: () => r !== NONE && x.runStopped(r) !== 0, onCancel: (fn) => this.runs.onCancel(fn) };
  }

  /**
   * Starts the workers. Resolves once every worker has imported the task module. `prepare` runs on the
   * configured core before any worker starts (the facade sets up steal domains and metrics there).
   * @throws TypeError naming the option when an option is invalid; Error when the module fails to load.
   */
  static async create(options: ExecutorOptions | undefined, prepare: (core: SharedCore, opts: ResolvedOptions) => void,
    inline: InlineSpawner): Promise<Engine> {
    const p = await ensurePlatform();
    const threadless = (await p.check()) ?? undefined;   // why this host runs only single-threaded, if it does
    const opts = resolveOptions(options, p.baseUrl());
    refuseUnsupported(options, p.unsupported, p.name);
    if (opts.gpu !== false && opts.gpu.tuningDir !== undefined && p.files === undefined) throw new TypeError(messages.gpuTuningDirNoFiles(p.name));
    const single = opts.workers === 0 || threadless !== undefined;
    if (threadless !== undefined && opts.workers !== 0) console.warn(messages.singleThreaded(threadless));
    if (!hasWaitAsync() && !warnedPolling) { warnedPolling = true; console.warn(messages.noWaitAsync(`this runtime (${p.name})`)); }
    const spawn = single ? await inline() : undefined;
    const cpus = p.cpuCount();
    const workers = single ? 1 : opts.workers === 'auto' ? autoWorkers(cpus) : opts.workers as number;
    if (opts.module !== undefined && !(opts.module instanceof URL) && !single) throw new TypeError(messages.moduleNamespaceThreads);
    const ns = opts.module === undefined ? {} : opts.module instanceof URL ? await importTaskModule(opts.module) : opts.module;
    const capLog2 = taskCapLog2(opts.maxTasks);
    const core = SharedCore.create(await compileCore(opts.wasm), {
      workers, taskCapLog2: capLog2, dequeCapLog2: dequeCapLog2(capLog2), runCap: opts.maxRuns, subRuns: opts.maxSubflows,
      fnCap: opts.maxFunctions, maxSpinners: 1, spinIters: 1,
    });
    const nsPerRound = measureRound(core);
    const spin = spinPolicy(workers, cpus, opts.spinMicroseconds, nsPerRound);
    core.x.setSpin(spin.maxSpinners, spin.spinIters);
    prepare(core, opts);
    const engine = new Engine(core, opts, ns, nsPerRound, spawn);
    try {
      await engine.keepAlive.during(engine.pool.start());
    } catch (e) {
      engine.keepAlive.dispose();
      throw e;
    }
    return engine;
  }

  get workers(): number { return this.core.nWorkers; }

  // ---- the host interfaces of the parts ----

  isOpen(): boolean { return this.#state === 'open'; }
  isRunning(): boolean { return this.#state !== 'closed'; }
  demand(): void { this.pool.demand(); }
  slotsFreed(): void { this.tasks.drainBacklog(); }
  killWorker(w: number): void { void this.pool.kill(w); }
  forcedError(t: number): Error | undefined { return this.tasks.forcedError(t); }
  freeSlot(t: number): void { this.tasks.freeSlot(t); }
  submitReady(t: number): void { this.tasks.submitReady(t); }
  giveUp(error: Error): void { void this.#stop(error); }

  onlyTasks(): boolean { return this.runs.pending.size === 0 && this.dependents.unsettled === 0; }

  maybeIdle(): void {
    if (this.completions.inFlight !== 0 || this.tasks.waiting !== 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  // ---- the internal interface of the parallel algorithms ----

  /** The function id of fn, registering it: algorithms pass callbacks to their builtin tasks by id. */
  fnId(fn: unknown, what: string): number { return this.fns.idOf(fn, what); }

  /** fn(...args) on a worker as an algorithm's helper (tasks.ts Helper), submitted without a wake. */
  helper(fn: unknown, args: unknown[]): Helper { return this.tasks.helper(fn, args); }

  /**
   * Makes sure `count` workers will look for work now: a parallel algorithm has just submitted (or is
   * about to spawn) that many helpers. Idle workers count: live threads neither parked nor running a
   * task (searching, or between a task and their search). Parked ones are woken for the rest. Waking a
   * parked thread can take milliseconds on a VM, better overlapped with the caller's own share than paid
   * after it; waking one more than the helpers need would only take a CPU from them. `current` is read
   * plainly: a hint, as is the whole count (a helper nobody takes is withdrawn by the caller).
   * `queuedOnly`: the helpers are submitted, so only those still in the submission queues need a worker.
   * The pump also calls it, before it sleeps, for any queued work (#beforeSleep).
   *
   * With `queuedOnly` the idle count must agree with the queues: a worker may take a queued helper at
   * any moment. Read once before the count, a helper taken during it is counted twice, as one still
   * waiting and as a worker running it: a second worker is woken for it. Read once after, a worker that
   * took one during the count may be counted idle while its helper is gone: one helper fewer is covered
   * than counted. So the queues are read before and after the count, and a count during which they
   * shrank is made again (WAKE_RECOUNTS times at most, then the last pair stands). Only the host pushes
   * helpers; a worker pushes on the queues only when its deque overflows. A worker counted idle that
   * parks instead finds every helper pushed before this call in its re-check (assembly/sleep.ts, W2).
   * What remains is a worker between its pop and its `current` write: counted idle, its helper gone.
   */
  wake({ count, queuedOnly = false, demand = true }: WakeOptions): void {
    const core = this.core;
    let queued = queuedOnly ? core.x.queuedLength() : count;
    if (Math.min(count, queued) > 0) {
      let idle = 0;
      for (let again = 0; ; again++) {
        idle = this.pool.live - this.pool.sleeping();
        if (idle > 0) idle -= core.x.runningWorkers(idle);
        if (!queuedOnly) break;
        const after = core.x.queuedLength();
        if (after === queued || again === WAKE_RECOUNTS) { queued = after; break; }
        queued = after;
      }
      count = Math.min(count, queued);
      for (let k = Math.max(0, idle); k < count; k++) if (!core.x.wakeOne()) break;
    }
    if (demand) this.pool.demand();   // an elastic pool with stopped slots starts one if the submitted work needs it
  }

  /**
   * The pump is about to sleep: queued work with no awake worker gets one, and an elastic pool asks
   * again whether the backlog needs a thread. The submission's own ask (tasks.ts, the wake-up
   * microtask) sees one moment: a worker still searching then, or a platform that refused the thread,
   * would otherwise leave the backlog to the live threads until the next submission. demand() starts
   * one thread at a time (none while one boots); a refused one is reported as the wake-up's is, once:
   * the pump asks again at every sleep, and a platform that refuses threads refuses them all.
   */
  #beforeSleep(): void {
    this.wake({ count: 1, queuedOnly: true, demand: false });
    try {
      this.pool.demand();
    } catch (e) {
      if (!this.#pumpRefused) throwSoon(e);
      this.#pumpRefused = true;
    }
  }

  /** The pump's ask for a thread was refused (#beforeSleep): it reports no more refusals. */
  #pumpRefused = false;

  /**
   * Settles what the completion ring holds: an algorithm call does it after submitting its own helpers,
   * while they start, so that back-to-back calls (which give the event loop no turn, and so the pump
   * none) do not pile up the slots of helpers that retired after handing back, or were withdrawn.
   */
  reap(): void { this.completions.drain(); }

  /** Throws unless the executor takes work: `what` names the call. */
  checkOpen(what: string): void {
    if (this.#state !== 'open') throw new Error(messages.closedFor(what));
  }

  /** The error in-flight work got if the executor was stopped (destroy() and the like), else undefined. */
  get stopReason(): Error | undefined { return this.#stopReason; }

  /** Whether workers still take tasks (after a completed close() they do not). */
  takesTasks(): boolean { return this.#state !== 'closed'; }

  // ---- shared memory ----

  shared<C extends SharedArrayCtor>(ctor: C, length: number): InstanceType<C> {
    if (this.#state !== 'open') throw new Error(messages.closed('shared'));
    if (!(DTYPES as readonly Function[]).includes(ctor)) throw new TypeError(messages.sharedCtor(DTYPES.map((d) => d.name), ctor));
    if (!Number.isInteger(length) || length < 0) throw new TypeError(messages.sharedLength(length));
    const ptr = this.core.alloc(length * ctor.BYTES_PER_ELEMENT || 1);
    const arr = new ctor(this.core.u8.buffer as ArrayBuffer, ptr, length) as InstanceType<C>;
    arr.fill(0);
    this.#owned.add(arr);
    return arr;
  }

  /** Gives an array from shared() back; any later use of it (as an argument, an item, an algorithm's array) is refused. */
  free(arr: ArrayBufferView): void {
    if (!this.#owned.has(arr)) {
      throw new TypeError(isFreed(arr) ? messages.alreadyFreed('executor.free(array)', arr) : messages.notShared(arr));
    }
    this.#owned.delete(arr);
    markFreed(arr);
    this.core.x.heapFree(arr.byteOffset);
  }

  stats(): Stats {
    const core = this.core;
    const u32 = core.u32;
    const L = core.L;
    const workers = [];
    for (let w = 0; w < core.nWorkers; w++) {
      const s = core.workerPtr(w);
      workers.push({
        executed: u32[(s + L.W_executed) >> 2], inlined: u32[(s + L.W_inlined) >> 2], steals: u32[(s + L.W_steals) >> 2],
        failedSteals: u32[(s + L.W_failedSteals) >> 2], parks: u32[(s + L.W_parks) >> 2],
        wakeups: u32[(s + L.W_wakeups) >> 2], overflows: u32[(s + L.W_overflows) >> 2],
      });
    }
    return { workers, liveTasks: core.liveTasks(), heapBytes: u32[(L.header + L.H_heapBytes) >> 2] };
  }

  // ---- lifecycle ----

  /** Everything accepted has settled: one-off tasks, dependent ones, runs in flight, and runs queued behind them. */
  async settled(): Promise<void> {
    while (this.runs.pending.size > 0 || this.completions.inFlight > 0 || this.tasks.waiting > 0 || this.dependents.unsettled > 0) {
      await Promise.allSettled([...this.runs.pending]);
      if (this.completions.inFlight > 0 || this.tasks.waiting > 0) await new Promise<void>((r) => this.#idleWaiters.push(r));
      else if (this.dependents.unsettled > 0) await this.dependents.idle();   // each settles once its dependencies have
    }
  }

  /**
   * Finishes everything already submitted, then stops the workers. Bounded: after options.closeTimeout
   * ms it gives up waiting, rejects what is still in flight, and terminates the workers.
   */
  close(): Promise<CloseReport> {
    if (this.#closed) return this.#closed.then(() => this.#closeReport);
    this.#state = 'closing';
    const ms = this.#opts.closeTimeout;
    this.#closed = this.keepAlive.during((async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), ms); });
      const outcome = await Promise.race([this.settled().then(() => 'idle' as const), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {   // report what kept the workers busy (lifecycle.ts), then stop
        const busy = withDirect(busyWorkers(this.core, (t) => this.outcomes.name(t)), this.tasks.awaitingDirect);
        this.#closeReport = { timedOut: true, busy };
        await this.#stop(new Error(messages.closeTimedOut(ms, this.completions.inFlight, describeBusy(busy))));
        return;
      }
      this.#state = 'closed';
      const stuck = await this.pool.close(ms);
      if (stuck.length > 0) this.#closeReport = { timedOut: true, busy: stuck.map((worker) => ({ worker, awaiting: [] })) };
    })()).finally(() => this.#dispose());
    return this.#closed.then(() => this.#closeReport);
  }

  /** Stops now: terminates the workers and rejects everything still in flight. */
  destroy(): Promise<void> {
    if (this.#state === 'closed' && this.#closed) return this.#closed;
    this.#closed = this.keepAlive.during(this.#stop(new Error(messages.destroyed))).finally(() => this.#dispose());
    return this.#closed;
  }

  #dispose(): void {
    this.keepAlive.dispose();
    this.linger.dispose();
  }

  async #stop(reason: Error): Promise<void> {
    this.#state = 'closed';
    this.#stopReason = reason;
    this.queue.release();
    await this.pool.destroy();
    this.tasks.rejectAll(reason);
    this.dependents.rejectAll(reason);
    this.runs.rejectAll(reason);
    this.recovery.clear();
    this.completions.abandon();   // wake the pump so it sees nothing is in flight
  }
}

/** busy, with the direct runs awaiting a promise (direct-seat.ts) as what the one worker awaits. */
function withDirect(busy: BusyWorker[], direct: string[]): BusyWorker[] {
  if (direct.length === 0) return busy;
  const one = busy.find((b) => b.worker === 0);
  if (one !== undefined) one.awaiting.push(...direct);
  else busy.unshift({ worker: 0, awaiting: direct });
  return busy;
}

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
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ url.href)) as Record<string, unknown>;   // a URL known at run time: no bundler may follow it
  } catch (e) {
    throw new Error(messages.moduleLoad(url.href, e instanceof Error ? e.message : String(e), 'on the thread that creates the executor'), { cause: e });
  }
}

/** Refuses an option the platform cannot honour (platform/types.ts UnsupportedOption), naming both. */
function refuseUnsupported(options: ExecutorOptions | undefined, unsupported: readonly UnsupportedOption[], name: string): void {
  for (const key of unsupported) {
    const v = options?.[key];
    if (v !== undefined && v !== 0) throw new TypeError(messages.unsupportedOption(key, name));
  }
}
