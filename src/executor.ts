// The public facade: Executor. It checks arguments and hands each call to its engine (engine/engine.ts),
// which owns the shared core, the worker pool and the host's bookkeeping; the scheduling itself happens
// in Wasm, in the workers (src/README.md describes the host⇄worker protocol).
import { Models, type LearnedModels, type Prediction } from './learn/models.js';
import { Router, type PlacementView } from './learn/router.js';
import { CriticalPath } from './learn/critical.js';
import { SpinLearner } from './learn/spin.js';
import { Engine, bindEngine, type Stats } from './engine/engine.js';
import { map, type MapOptions } from './engine/batch.js';
import type { AsyncTask, DependentAsyncOptions } from './engine/dependent.js';
import type { TaskOptions, TaskHandle } from './engine/jobs.js';
import { checkTaskflow, checkRunOptions, type RunHandle, type RunOptions } from './engine/runs.js';
import type { RunResult } from './engine/run-result.js';
import type { SharedArrayCtor } from './engine/codec.js';
import type { CloseReport } from './engine/lifecycle.js';
import type { PoolStats } from './engine/pool.js';
import type { Taskflow } from './graph/taskflow.js';
import { gpuOption, type ExecutorOptions, type GpuOptions } from './options.js';
import { readTopology, stealDomains, applyStealDomains, executorTopology, type ExecutorTopology } from './observe/topology.js';
import { Metrics, type MetricsSnapshot, type MetricsOptions, type MetricsConfig } from './observe/metrics.js';
import { Observers, MAX_OBSERVERS, type Observer, type ObserverHandle } from './observe/observers.js';
import { checkedPriority, type Priority } from './policy/scheduling.js';
import { messages } from './errors.js';
import { NoGpu } from './gpu/none.js';
import type { GpuLane } from './gpu/types.js';
import type { DeviceLane } from './engine/device.js';
import { ArgLists } from './engine/arg-lists.js';
// The built-in task modules (the algorithms, map) register their functions on the host when the list is
// evaluated, so the host resolves them by identity as its workers do.
import './builtins.js';

export { RunResult } from './engine/run-result.js';
export type { RunHandle, RunOptions } from './engine/runs.js';
export type { MapOptions } from './engine/batch.js';
export { AsyncTask, type DependentAsyncOptions } from './engine/dependent.js';

const NORMAL = 2;
const NOT_REQUESTED = new NoGpu(messages.gpuNotRequested);

/** What the facade holds of its GPU lane: the public view, plus how to end it. */
type OwnedLane = GpuLane & DeviceLane & { close(): Promise<void>; destroy(): void };

/**
 * The GPU lane, when options.gpu asks for one: src/gpu/ is imported here, dynamically, so an executor
 * without a GPU never loads it (nor Dawn, 132 MB, which it imports in turn). Never rejects.
 */
async function openGpu(opts: GpuOptions): Promise<OwnedLane> {
  const { openGpu: open } = await import('./gpu/index.js');
  return (await open(opts)) as unknown as OwnedLane;
}

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
  readonly #e: Engine;
  readonly #args = new ArgLists();
  readonly #metrics: Metrics;
  readonly #observers: Observers;
  readonly #topology: ExecutorTopology;
  readonly #gpu: OwnedLane;
  readonly #models: Models;

  readonly #router: Router;

  private constructor(engine: Engine, metrics: Metrics, observers: Observers, topology: ExecutorTopology, gpu: OwnedLane, models: Models, router: Router,
    spin: SpinLearner) {
    this.#e = engine;
    this.#gpu = gpu;
    engine.device = gpu;
    gpu.useMemory?.((b) => engine.core.ownsBuffer(b));
    engine.router = router;
    this.#router = router;
    this.#metrics = metrics;
    this.#observers = observers;
    this.#topology = topology;
    this.#models = models;
    models.bind(engine.fns, engine.codec, router, spin);
    if (models.enabled) engine.runs.planner = new CriticalPath(engine.core);   // critical-path priorities of graph runs
    bindEngine(this, engine);
  }

  /**
   * Starts the workers. Resolves once every permanent worker (all of them, unless options.minWorkers
   * is lower) has imported the task module.
   * @throws TypeError naming the option when an option is invalid; Error when the module fails to load.
   */
  static async create(options?: ExecutorOptions): Promise<Executor> {
    let metrics!: Metrics, observers!: Observers, topology!: ExecutorTopology, models!: Models, router!: Router, spin!: SpinLearner;
    // The device is acquired while the workers start; a bad option fails create() and releases it.
    const asked = typeof options === 'object' && options !== null ? gpuOption(options.gpu) : false;   // a TypeError naming it
    const gpu = asked === false ? undefined : openGpu(asked);
    let engine: Engine;
    try {
      engine = await Engine.create(options, (core, opts) => {
        const cpus = readTopology();                  // steal domains by shared cache (observe/topology.ts)
        const domains = stealDomains(cpus, core.nWorkers);
        applyStealDomains(core, domains);
        topology = executorTopology(cpus, domains);
        metrics = Metrics.create(core);               // before the workers start (observe/metrics.ts)
        observers = Observers.create(core, core.u32[(core.workerPtr(0) + core.L.W_metrics) >> 2]);   // observe/observers.ts
        models = Models.create(core, opts.learning);  // the duration predictors (learn/models.ts)
        router = new Router(core, opts.learning);     // the placement router's models (learn/router.ts)
        spin = SpinLearner.create(core, opts.spinPolicy === 'q-learning');   // per-worker Q-tables (learn/spin.ts)
      }, () => import('./worker/inline.js').then((m) => m.spawnInline));   // the single-threaded mode's worker
    } catch (e) {
      void gpu?.then((lane) => lane.destroy());
      throw e;
    }
    return new Executor(engine, metrics, observers, topology, gpu === undefined ? NOT_REQUESTED : await gpu, models, router, spin);
  }

  /** Number of worker threads (1 in the single-threaded mode: its worker runs on this thread). */
  get workers(): number { return this.#e.workers; }

  /**
   * The single-threaded mode (docs/platforms.md): `workers: 0`, or a host without threads. Tasks run on
   * this thread in slices that yield to the event loop; the API and the results are the same.
   */
  get singleThreaded(): boolean { return this.#e.single; }

  /**
   * The GPU lane (docs/gpu.md): with `available: true`, what was found (adapter, featureLevel, backend,
   * limits) and `dispatch()` to run WGSL over shared arrays; with `available: false`, the `reason` there is
   * none (not asked for with `Executor.create({ gpu: true })`, no `webgpu` package, no adapter, the device
   * was lost). The device belongs to the host thread.
   */
  get gpu(): GpuLane { return this.#gpu; }

  // ---- one-off tasks ----

  /**
   * Runs fn(...args) on a worker; resolves with its return value. fn is an export of the task module or
   * a self-contained function (sent once as source: it cannot use variables from the enclosing scope).
   * Numbers, booleans, null and small number tuples travel inline; views on runtime-shared memory
   * (executor.shared) by reference; anything else through the codec.
   */
  async<R = unknown>(fn: (...a: any[]) => R, ...args: unknown[]): Promise<Awaited<R>>;
  async(fn: (...a: any[]) => unknown): Promise<unknown> {
    // `arguments`, not a rest parameter, copied here into a lent list: a call of up to three arguments
    // for fn allocates no array, nor an arguments object (engine/arg-lists.ts says why that matters).
    const n = arguments.length - 1;
    const args = this.#args.lend(n);
    for (let i = 0; i < n; i++) args[i] = arguments[i + 1];
    try { return this.#e.tasks.async(NORMAL, fn, args); } finally { this.#args.give(args); }
  }

  /**
   * {@link Executor.async} at a priority ('critical' | 'high' | 'normal' | 'low'): workers take more
   * urgent tasks first, FIFO within a level. As cheap as async(); for cancel, reprioritize, timeouts or
   * retries use {@link Executor.submit}.
   */
  asyncAt<R = unknown>(priority: Priority, fn: (...a: any[]) => R, ...args: unknown[]): Promise<Awaited<R>>;
  asyncAt(priority: Priority, fn: (...a: any[]) => unknown): Promise<unknown> {
    let level: number;
    try { level = checkedPriority('executor.asyncAt(priority, fn, ...args): priority', priority); } catch (e) { return Promise.reject(e); }
    const n = arguments.length - 2;
    const args = this.#args.lend(n);
    for (let i = 0; i < n; i++) args[i] = arguments[i + 2];
    try { return this.#e.tasks.async(level, fn, args); } finally { this.#args.give(args); }
  }

  /**
   * A dependent async task (Taskflow's dependent_async): runs fn on a worker once every handle in `deps`
   * has finished, as fn(...args, ...results of deps in order). Returns an AsyncTask at once: `done` is a
   * promise of the result, `isDone()` says whether it settled. A dependency that failed fails this task
   * too, without running it, with that dependency's error. The counting is in the core: a worker that
   * finishes a task runs its ready dependent next. Host thread only; inside a task, `this.dependentAsync`
   * makes WorkerAsyncTask handles (docs/api.md "Dependent async tasks").
   *
   * @example
   * const a = executor.dependentAsync(() => 2);
   * const b = executor.dependentAsync((k, x) => k * x, { deps: [a], args: [10] });
   * console.log(await b.done);   // 20
   * @throws TypeError naming the argument: fn not a function, a dependency not an AsyncTask, an unknown option.
   */
  dependentAsync<R = unknown>(fn: (...a: any[]) => R, ...deps: AsyncTask[]): AsyncTask<Awaited<R>>;
  dependentAsync<R = unknown>(fn: (...a: any[]) => R, options: DependentAsyncOptions<AsyncTask>): AsyncTask<Awaited<R>>;
  dependentAsync(fn: (...a: any[]) => unknown, ...rest: unknown[]): AsyncTask {
    return this.#e.dependents.create(fn, rest);
  }

  /**
   * Inside a task only: `this.corun(tf)` (docs/api.md). On the host it throws an error saying so; await
   * {@link Executor.run} instead.
   */
  corun(_tf?: Taskflow): never {
    throw new Error(messages.hostOnly('executor.corun(tf)', 'await executor.run(tf)'));
  }

  /** Inside a task only: `this.taskGroup()` (docs/api.md). On the host it throws an error saying so. */
  taskGroup(): never {
    throw new Error(messages.hostOnly('executor.taskGroup()', 'use executor.async or executor.dependentAsync and await their promises'));
  }

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
    return this.#e.tasks.submit(fn, args, options);
  }

  /**
   * Runs fn(item) on the workers for every item, in one call: resolves with the results in item order.
   * Items travel as async() arguments do (numbers, booleans, null and shared views in place; other
   * values through the codec, one encoding per block of items), and the per-task costs are paid per
   * worker, not per item. An item whose call throws does not stop the others: the promise then rejects
   * with a MapError (`errors`, `indices`, `results`). fn may be async. Options: `priority`, `signal`.
   *
   * @example
   * const lengths = await executor.map(tasks.wordCount, documents);
   */
  map<T, R>(fn: (item: T) => R, items: Iterable<T> | ArrayLike<T>, options?: MapOptions): Promise<Awaited<R>[]> {
    if (!this.#e.isOpen()) return Promise.reject(new Error(messages.closed('map')));
    return map(this.#e, fn, items, options) as Promise<Awaited<R>[]>;
  }

  // ---- graphs ----

  /**
   * Runs a taskflow; resolves with a RunResult once every task finished, or rejects with the first
   * task error (others attached as `error.suppressed`). Runs of one taskflow execute one after another.
   * The returned promise has `cancel(reason?)`; `options.signal` cancels it too.
   */
  run(tf: Taskflow, options?: RunOptions): RunHandle {
    return this.#e.runs.run(tf, options);
  }

  /**
   * Runs a taskflow n times, one run after another; resolves with the last run's result (or at once,
   * with undefined, for n = 0). Rejects with the first failing run's error; later runs do not start.
   */
  async runN(tf: Taskflow, n: number, options?: RunOptions): Promise<RunResult | undefined> {
    checkTaskflow('executor.runN(tf, n): tf', tf);
    if (!Number.isInteger(n) || n < 0) throw new TypeError(messages.runCount(n));
    checkRunOptions(options);
    let last: RunResult | undefined;
    for (let i = 0; i < n; i++) last = await this.run(tf, options);
    return last;
  }

  /**
   * Runs a taskflow again and again until `predicate()` returns true (it is asked before every run,
   * so a predicate that is true at once means no run). The predicate may return a promise.
   */
  async runUntil(tf: Taskflow, predicate: () => boolean | Promise<boolean>, options?: RunOptions): Promise<RunResult | undefined> {
    checkTaskflow('executor.runUntil(tf, predicate): tf', tf);
    if (typeof predicate !== 'function') throw new TypeError(messages.notAFunction('executor.runUntil(tf, predicate): predicate', predicate));
    checkRunOptions(options);
    let last: RunResult | undefined;
    while (!(await predicate())) last = await this.run(tf, options);
    return last;
  }

  /**
   * Returns the task slots and shared memory a taskflow holds since its first run. Optional: they are
   * also returned when the taskflow is garbage-collected, but that may come late for large graphs built
   * one after another. The taskflow can run again afterwards (it is laid out anew). Waits for its runs
   * in flight to finish first.
   */
  release(tf: Taskflow): Promise<void> { return this.#e.runs.release(tf); }

  /** Resolves once every task and run submitted so far (and any they queue) has settled, successfully or not. */
  waitForAll(): Promise<void> { return this.#e.keepAlive.during(this.#e.settled()); }

  // ---- shared memory ----

  /**
   * A typed array of `length` zeroed elements in the runtime's shared memory: passed to and returned
   * from tasks by reference, with no copy. Release it with {@link Executor.free}.
   */
  shared<C extends SharedArrayCtor>(ctor: C, length: number): InstanceType<C> { return this.#e.shared(ctor, length); }

  /** Returns a typed array from {@link Executor.shared} to the shared heap. Do not use it afterwards. */
  free(arr: ArrayBufferView): void { this.#e.free(arr); }

  // ---- observability (observe/) ----

  /** Per-worker counters and heap use, read without stopping anything. */
  stats(): Stats { return this.#e.stats(); }

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

  /**
   * Installs an observer (Taskflow's make_observer): on every worker, `onEntry(worker, task, data)` before
   * each top-level task runs and `onExit(worker, task, data)` after its attempt ends (an async task's when
   * its promise settled); `prologue(worker, data)` before a worker's first observed task and
   * `epilogue(worker, data)` when the worker leaves or the observer is removed. Each callback is a task
   * function (module export or inline, no closure) and runs on the worker; `data`, an array from
   * executor.shared(), is what they share with the host. Tasks submitted after this returns are observed.
   * @throws TypeError naming the member at fault; Error when MAX_OBSERVERS (8) are installed.
   */
  makeObserver(observer: Observer, data?: ArrayBufferView): ObserverHandle {
    const what = 'executor.makeObserver(observer, data)';
    if (typeof observer !== 'object' || observer === null) throw new TypeError(messages.argType(`${what}: observer`, 'an object like { onEntry(worker, task) {}, onExit(worker, task) {} }', observer));
    const ids = { onEntry: -1, onExit: -1, prologue: -1, epilogue: -1 };
    let any = false;
    for (const k of Object.keys(ids) as (keyof typeof ids)[]) {
      const f = observer[k];
      if (f === undefined) continue;
      if (typeof f !== 'function') throw new TypeError(messages.notAFunction(`${what}: observer.${k}`, f));
      ids[k] = this.#e.fnId(f, `observer.${k}`);
      any = true;
    }
    if (!any) throw new TypeError(messages.observerEmpty(what));
    if (data !== undefined && (!ArrayBuffer.isView(data) || !this.#e.codec.isShared(data) || data instanceof DataView)) throw new TypeError(messages.observerData(what, data));
    const handle = this.#observers.add(ids, data as Parameters<Observers['add']>[1]);
    if (handle === undefined) throw new Error(messages.observersFull(what, MAX_OBSERVERS));
    return handle;
  }

  /** Removes an observer makeObserver installed (Taskflow's remove_observer): tasks submitted after this returns are not observed. */
  removeObserver(handle: ObserverHandle): void {
    if (!this.#observers.remove(handle)) throw new TypeError(messages.notAnObserver('executor.removeObserver(handle)', handle));
  }

  /** How many observers are installed (Taskflow's num_observers). */
  numObservers(): number { return this.#observers.size; }

  /** Workers idle now (Taskflow's num_waiters): parked, or searching for work without one. A moment's reading. */
  numWaiters(): number { return this.#e.pool.waiters(); }

  /** Changes metrics sampling: `{ sampleEvery: n }` times 1 task in n (a power of two; 1 = every task, 0 = none). */
  configureMetrics(config: MetricsConfig): void { this.#metrics.configure(config); }

  // ---- learning (learn/; docs/learning.md) ----

  /**
   * What the duration predictor of `fn(...args)`, submitted as an async task, has learned so far: 1€
   * prediction, EMA, mean, sd, confidence and samples (milliseconds), or undefined before its first sample
   * or with options.learning false. The workers feed it from the tasks the metrics sampler times (every
   * task of 50 µs or more, 1 in sampleEvery of shorter ones). Host thread only.
   * @example
   * await executor.async(tasks.spin, 2);
   * executor.predict(tasks.spin, [2]);   // { fn: 'spin', samples: 1, oneEuro: 2.01, … }
   */
  predict(fn: (...a: any[]) => unknown, args: readonly unknown[] = []): Prediction | undefined { return this.#models.predict(fn, args); }

  /** Inspection and control of the learned models: list(), stats(), snapshot(), restore(s), reset(). Host thread only. */
  get models(): LearnedModels { return this.#models; }

  /**
   * The placement router of algorithm calls (docs/learning.md "Placement"): whether it learns, its
   * counters (decisions by reason; times observed, dropped), each choice's model (samples, noise sd,
   * weights), the measured cost per element of each op, and the last 32 decisions with their features,
   * predictions and measured times. A copy: plain JSON.
   */
  placement(): PlacementView { return this.#router.inspect(); }

  /** What the pool did so far: live threads, threads started, recycled, idle exits, crashes, last recovery time. */
  lifecycle(): PoolStats { return this.#e.pool.stats; }

  // ---- backpressure and lifecycle ----

  /** options.maxQueue is reached: the next async/submit/run would be refused with a QueueFullError. */
  get needsDrain(): boolean { return this.#e.queue.needsDrain; }

  /** Resolves once the tasks submitted and not yet started are down to half of options.maxQueue (at once without maxQueue). */
  drained(): Promise<void> { return this.#e.queue.drained(); }

  /**
   * Finishes everything already submitted, then stops the workers. Bounded: after options.closeTimeout
   * ms it gives up waiting, rejects what is still in flight, and terminates the workers.
   */
  async close(): Promise<CloseReport> {
    const [report] = await Promise.all([this.#e.close(), this.#gpu.close()]);
    return report;
  }

  /** Stops now: terminates the workers and rejects everything still in flight (GPU dispatches too). */
  destroy(): Promise<void> {
    this.#gpu.destroy();
    return this.#e.destroy();
  }

  /** @internal Test hook: terminate worker w from outside, as a crash would. */
  _killWorker(w: number): Promise<void> { return this.#e.pool.kill(w); }
}
