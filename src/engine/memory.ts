// The host's view of the shared memory: instantiates the core (core-source.ts compiles it) and reads the layout.
// This is the only host file that knows byte offsets, and it knows them only by asking the core
// (every `off_*` / `size_*` / `count_*` / `flag_*` export of assembly/offsets.ts); it never types a number in.
import { messages } from '../errors.js';
import { CORE_FUNCTIONS, compileCore } from './core-source.js';

/**
 * The two WebAssembly objects threads share, as the declarations name them: a compiled module and a
 * shared memory. Structural, because TypeScript declares the WebAssembly namespace only in its DOM lib,
 * which a Node project that depends on beatflow need not load; the code itself uses the real classes.
 */
export type CoreModule = object;
export interface CoreMemory { readonly buffer: ArrayBufferLike; grow(deltaPages: number): number }

/** The Wasm core's exports, as the host and workers call them. */
export interface CoreExports {
  memory: CoreMemory;
  layoutSize(nWorkers: number, taskCapLog2: number, dequeCapLog2: number, runCap: number, fnCap: number): number;
  configure(nWorkers: number, taskCapLog2: number, dequeCapLog2: number, runCap: number, fnCap: number,
            maxSpinners: number, spinIters: number): number;
  mpmcPush(q: number, v: number): number;
  mpmcPop(q: number): number;
  mpmcLength(q: number): number;
  dequePush(slot: number, v: number): number;
  dequePop(slot: number): number;
  dequeSteal(slot: number): number;
  dequeLength(slot: number): number;
  queuedOn(w: number): number;
  notifyWork(): void;
  wakeOne(): number;
  wakeAllForShutdown(): void;
  beginSearch(maxSpinners: number): number;
  endSearchFound(more: number): void;
  endSearchEmpty(): void;
  announceSleep(w: number): void;
  cancelSleep(w: number): void;
  park(w: number, timeoutNs: bigint): number;
  heapAlloc(n: number): number;
  heapFree(p: number): number;
  heapUsable(p: number): number;
  taskAlloc(): number;
  taskAllocW(w: number): number;
  taskFreeW(w: number, t: number): void;
  slotCacheInit(w: number): number;
  taskFree(t: number): void;
  submit(t: number): void;
  submitQuiet(t: number): void;
  wakeIfBacklog(backlog: number): void;
  runStart(r: number, list: number, n: number): void;
  runStartAt(r: number, list: number, n: number, level: number): void;
  submitAt(t: number, level: number): void;
  queuedLength(): number;
  runningWorkers(limit: number): number;
  setAging(tick: number): void;
  runCancel(r: number): void;
  retire(w: number, t: number, failed: number, choices: number, n: number): number;
  retireFromHost(t: number, failed: number): void;
  flushRun(w: number): void;
  next(w: number): number;
  finish(w: number, t: number, failed: number, choices?: number, n?: number): number;
  calibrateSpin(w: number, n: number): number;
  helpNext(w: number): number;
  finishNested(w: number, t: number, failed: number, choices: number, n: number): number;
  spawnPush(w: number, t: number, spawner: number): void;
  spawnRecord(w: number, fn: number, token: number, stopRun: number, level: number): number;
  spawnNumber(w: number, fn: number, spawner: number, token: number, stopRun: number, level: number, argInfo: number, a0: number): number;
  recoverWorker(w: number): number;
  setStealDomain(w: number, start: number, count: number): number;   // 1, or 0 if the range is invalid (src/observe/topology.ts)
  setSpin(maxSpinners: number, spinIters: number): void;
  setLinger(rounds: number): void;
  setHostBusy(busy: number): void;
  setSubRuns(base: number): void;
  tryNext(w: number): number;
  requeue(w: number, t: number): void;
  subRunAlloc(): number;
  subRunFree(r: number): void;
  subRunStart(w: number, r: number, list: number, n: number, parent: number): void;
  groupRunOpen(r: number, parent: number): void;
  runStopped(r: number): number;
  semInit(s: number, units: number): void;
  semAdjust(s: number, k: number): void;
  // dependent async tasks (assembly/dependent.ts; engine/dependent.ts, worker/dependent.ts)
  depInit(t: number, block: number, n: number, maker: number): number;
  depFinished(t: number): void;
  depHold(d: number, serial: number): number;
  depLink(t: number, i: number, d: number): void;
  depArm(w: number, t: number): number;
  depState(t: number, serial: number): number;
  depRelease(w: number, t: number): void;
  depDisown(w: number, t: number, serial: number): number;
  // numeric kernels (src/kernels.ts calls these; assembly/kernels/)
  kernelMap(op: number, dtype: number, out: number, a: number, b: number, c: number, s0: number, s1: number, begin: number, end: number): void;
  kernelReduce(op: number, dtype: number, a: number, b: number, begin: number, end: number): number;
  kernelScan(dtype: number, inclusive: number, src: number, dst: number, begin: number, end: number, carry: number): number;
  kernelSort(dtype: number, desc: number, ptr: number, scratch: number, begin: number, end: number): void;
  kernelMerge(dtype: number, desc: number, src: number, dst: number, a0: number, a1: number, b1: number): void;
  kernelMatmul(out: number, a: number, b: number, n: number, k: number, r0: number, r1: number): void;
  // learners (assembly/learn/; src/learn/)
  vecDot(a: number, b: number, n: number): number;
  vecAxpy(alpha: number, x: number, y: number, n: number): void;
  vecScale(alpha: number, y: number, n: number): void;
  vecDotScalar(a: number, b: number, n: number): number;
  vecAxpyScalar(alpha: number, x: number, y: number, n: number): void;
  logitSize(dim: number): number;
  logitInit(m: number, dim: number, lr: number, momentum: number, l2: number): void;
  logitPredict(m: number, x: number): number;
  logitUpdate(m: number, x: number, y: number): number;
  learnSize(cap: number): number;
  learnSetup(table: number, cap: number, minCutoff: number, beta: number, dCutoff: number, emaAlpha: number, enabled: number): void;
  learnEnable(table: number, on: number): void;
  learnObserve(t: number, ms: number): void;
  taskShape(t: number): number;
  predictObserve(table: number, fn: number, shape: number, ms: number): number;
  predictFold(table: number, fn: number, shape: number, ms: number): number;
  predictValue(table: number, fn: number, shape: number): number;
  predictRead(table: number, fn: number, shape: number, out: number): number;
  predictReadAt(table: number, i: number, out: number): number;
  predictRestore(table: number, fn: number, shape: number, samples: number, mean: number, m2: number, x: number, dx: number, ema: number): number;
  predictReset(table: number): number;
  qSize(states: number, actions: number): number;
  qInit(q: number, states: number, actions: number, alpha: number, gamma: number, epsilon: number, seed: number): void;
  qChoose(q: number, s: number): number;
  qBest(q: number, s: number): number;
  qUpdate(q: number, s: number, a: number, r: number, s2: number): number;
  qValue(q: number, s: number, a: number): number;
  routerSize(dim: number, options: number): number;
  routerInit(r: number, dim: number, options: number, noise: number, drift: number, p0: number): void;
  routerResetModel(r: number, o: number): void;
  routerFeatures(r: number): number;
  routerModel(r: number, o: number): number;
  routerQuery(r: number, mask: number, lo1: number, len1: number, lo2: number, len2: number): number;
  routerUpdate(r: number, o: number, y: number): number;
  shapeSize(slots: number, options: number): number;
  shapeInit(b: number, slots: number, options: number, gamma: number, down: number): void;
  shapeReset(b: number, slot: number): void;
  shapeStat(b: number, slot: number, o: number): number;
  shapeObserve(b: number, slot: number, o: number, y: number, lim: number): number;
  reuseSeen(b: number, row: number, o: number, y: number, lim: number, at: number, margin: number, lead: number, drift: number): number;
  routeFeatures(r: number, n: number, bytes: number, kind: number, nsPerItem: number, historyNs: number, workers: number, awake: number, queued: number, flags: number): number;
  routeCallSize(): number;
  routeCallAt(s: number, region: number): number;
  routeCallDim(i: number): number;
  routeFamily(s: number, id: number, mask: number, rows: number, lo: number, hi: number): void;
  routeRowReset(s: number, row: number): void;
  routeCall(r: number, b: number, d: number, s: number, id: number, mask: number, fallback: number, n: number, bytes: number, kind: number,
    nsPerItem: number, workers: number, awake: number, flags: number, tag: number): number;
  routeCallError(s: number, d: number, o: number, e: number): void;
  routeCallHistory(s: number, id: number, ns: number): void;
  routeObserve(r: number, b: number, d: number, s: number, tag: number, ms: number): number;
  routeDecideSize(): number;
  routeDecideParams(d: number): number;
  routeDecideSpreads(d: number): number;
  routeDecideOut(d: number): number;
  routeDecide(r: number, b: number, d: number, mask: number, fallback: number, row: number, fam: number, size: number, lo: number, hi: number,
    log2n: number, base: number, u: number, u2: number): number;
  [name: `off_${string}` | `size_${string}` | `count_${string}` | `flag_${string}`]: () => number;
}

/** Sizes of the core's regions, fixed when the executor starts. */
export interface CoreConfig {
  workers: number;
  taskCapLog2: number;    // task slots = 2^taskCapLog2
  dequeCapLog2: number;   // per-worker deque capacity; overflow goes to the injector
  runCap: number;         // graph runs in flight at once
  subRuns?: number;       // subflows being joined at once (run slots after the runCap host ones and the stopped run); default 0
  fnCap: number;          // distinct task functions
  maxSpinners: number;    // workers allowed to spin while searching (sleep.ts)
  spinIters: number;      // explore rounds a spinner makes before it parks
}

/**
 * Byte offsets read from the core, keyed by export name without the prefix (`T_fn`, `W_current`, `J_cursor`, …),
 * plus sizes, counts and flag values under their full names (`size_Task`, `count_MetricSlots`, `flag_Condition`).
 * A plain record with many keys: hot paths copy what they use into locals or fields once.
 */
export type Layout = Record<string, number>;

/** The names of CoreExports' functions (not `memory`, not the layout's `off_*`, `size_*`, … exports). */
type CoreFunction = Exclude<keyof CoreExports, 'memory' | `${'off' | 'size' | 'count' | 'flag'}_${string}`>;
/** Compile-time check: core-source.ts checks a module for exactly the functions declared above. */
const sameFunctions: [CoreFunction] extends [keyof typeof CORE_FUNCTIONS]
  ? [keyof typeof CORE_FUNCTIONS] extends [CoreFunction] ? true : false : false = true;
void sameFunctions;

/** Compiles the core (core-source.ts): build/core.wasm by default, or what options.wasm gives. */
export { compileCore };

export const NONE = 0xffffffff;
export const EMPTY = -1;
export const RETRY = -2;      // a steal lost a race: work may still be there
export const SHUTDOWN = -3;   // next(): the executor is shutting down
export const RUN_BIT = 0x80000000;
const PAGE = 65536;
const MAX_PAGES = 65536;

/** An instance of the core on `memory`: its exports. */
function instantiate(module: CoreModule, memory: CoreMemory): CoreExports {
  return new WebAssembly.Instance(module as WebAssembly.Module, { env: { memory: memory as WebAssembly.Memory } }).exports as unknown as CoreExports;
}

function readLayout(x: CoreExports): Layout {
  const layout: Layout = {};
  for (const [name, fn] of Object.entries(x)) {
    if (name.startsWith('off_')) layout[name.slice(4)] = (fn as () => number)();
    else if (name.startsWith('size_') || name.startsWith('count_') || name.startsWith('flag_')) layout[name] = (fn as () => number)();
  }
  return layout;
}

/**
 * One thread's handle on the shared core: the instance, the layout, and typed views that follow memory
 * growth. Create it on the host with {@link SharedCore.create}; attach to it in a worker with
 * {@link SharedCore.attach}. Views must be re-read after growth: call {@link SharedCore.refresh} (the
 * accessors below do so when an address falls past the current view).
 */
export class SharedCore {
  readonly memory: CoreMemory;
  readonly module: CoreModule;
  readonly x: CoreExports;
  readonly L: Layout;
  readonly #buffers = new WeakSet<ArrayBufferLike>();
  u8!: Uint8Array;
  i32!: Int32Array;
  u32!: Uint32Array;
  f64!: Float64Array;
  /** Address of the header and of the region tables, read once. */
  readonly tasks: number;
  readonly runs: number;
  readonly fns: number;
  readonly workers: number;
  readonly nWorkers: number;
  readonly taskCap: number;
  readonly fnCap: number;
  /** Host: called for each lone task initLoneTask writes; stamps async tasks for the wait-time metric (src/observe/metrics.ts). */
  stamper: ((t: number, flags: number) => void) | undefined = undefined;

  private constructor(module: CoreModule, memory: CoreMemory) {
    this.module = module;
    this.memory = memory;
    this.x = instantiate(module, memory);
    this.L = readLayout(this.x);
    this.refresh();
    const h = this.L.header;
    this.tasks = this.u32[(h + this.L.H_tasks) >> 2];
    this.runs = this.u32[(h + this.L.H_runs) >> 2];
    this.fns = this.u32[(h + this.L.H_fns) >> 2];
    this.workers = this.u32[(h + this.L.H_workers) >> 2];
    this.nWorkers = this.u32[(h + this.L.H_nWorkers) >> 2];
    this.taskCap = this.u32[(h + this.L.H_taskCap) >> 2];
    this.fnCap = this.u32[(h + this.L.H_fnCap) >> 2];
    const L = this.L;
    // the records' sizes, read per task by the pointers below: fields, not core.L (a V8 dictionary)
    this.#taskSize = L.size_Task; this.#runSize = L.size_Run; this.#fnSize = L.size_FnEntry; this.#workerSize = L.size_WorkerSlot;
    this.#lone = {
      fn: L.T_fn >> 2, run: L.T_run >> 2, flags: L.T_flags >> 2, nsucc: L.T_nsucc >> 2, npred: L.T_npred >> 2,
      deps: L.T_deps >> 2, pending: L.T_pending >> 2, res: L.T_resInfo >> 2, args: L.T_argInfo >> 2,
      state: L.T_state >> 2, token: L.T_token >> 2,
    };
  }

  /** Host: a fresh shared memory laid out for `config`. */
  static create(module: CoreModule, config: CoreConfig): SharedCore {
    const probe = instantiate(module, new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }));
    const runCap = config.runCap + 1 + (config.subRuns ?? 0);   // host runs, the stopped run, subflow runs
    const bytes = probe.layoutSize(config.workers, config.taskCapLog2, config.dequeCapLog2, runCap, config.fnCap);
    const pages = Math.ceil(bytes / PAGE) + 16; // 1 MiB of heap to start with; it grows on demand
    if (pages > MAX_PAGES) throw new RangeError(messages.tableTooLarge(bytes));
    const memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
    const x = instantiate(module, memory);
    x.configure(config.workers, config.taskCapLog2, config.dequeCapLog2, runCap, config.fnCap,
      config.maxSpinners, config.spinIters);
    x.setSubRuns(config.runCap + 1);
    // Run slot runCap: the stopped run (stoppedRun), cancelled for good; no allocator hands it out.
    x.groupRunOpen(config.runCap, NONE);
    x.runCancel(config.runCap);
    const core = new SharedCore(module, memory);
    // Names this executor in the handles tasks make (handles.ts); never 0, so a zeroed header matches nothing.
    core.u32[(core.L.header + core.L.H_execId) >> 2] = (Math.random() * 0xfffffffe + 1) >>> 0;
    return core;
  }

  /** Worker (or a second host-side instance): instantiate against an existing configured memory. */
  static attach(module: CoreModule, memory: CoreMemory): SharedCore {
    return new SharedCore(module, memory);
  }

  /** Re-takes the views after the memory grew (any thread may grow it). */
  refresh(): void {
    const buf = this.memory.buffer;
    if (this.u8 && this.u8.buffer.byteLength === buf.byteLength) return;
    this.#buffers.add(buf);
    this.u8 = new Uint8Array(buf);
    this.i32 = new Int32Array(buf);
    this.u32 = new Uint32Array(buf);
    this.f64 = new Float64Array(buf);
  }

  /**
   * True for a buffer of this memory: every SharedArrayBuffer object this thread's views were built on
   * (growth hands out a new object each time; each stays valid, with its old length).
   */
  ownsBuffer(buf: ArrayBufferLike): boolean {
    if (this.#buffers.has(buf)) return true;
    this.refresh();
    return this.#buffers.has(buf);
  }

  /** Makes sure [ptr, ptr+len) is inside the views. */
  ensure(ptr: number, len: number): void {
    if (ptr + len > this.u8.length) this.refresh();
  }

  taskPtr(t: number): number { return this.tasks + t * this.#taskSize; }

  /** This executor's name in the handles of dependent tasks made inside tasks (Header.execId; handles.ts HandleCore). */
  get execId(): number { return this.u32[(this.L.header + this.L.H_execId) >> 2]; }
  /** Whether dependent task t of that serial retired (assembly/dependent.ts depState; handles.ts HandleCore). */
  depState(t: number, serial: number): number { return this.x.depState(t, serial); }
  runPtr(r: number): number { return this.runs + r * this.#runSize; }

  /**
   * A run slot between the host runs and the subflow runs that is cancelled for good and never handed
   * out (create): a spawned child whose stop run it is gets skipped (worker/fork-stop.ts), at the cost
   * of no slot of maxRuns or maxSubflows.
   */
  stoppedRun(): number { return this.u32[(this.L.header + this.L.H_subBase) >> 2] - 1; }
  fnPtr(f: number): number { return this.fns + f * this.#fnSize; }
  workerPtr(w: number): number { return this.workers + w * this.#workerSize; }

  /**
   * Writes the scheduling fields of task t for a task outside any graph (an async task, a spawned child):
   * function, flags, no run, no edges, no arguments, no result. Returns its record address; the caller
   * then writes arguments and submits it.
   */
  initLoneTask(t: number, fnId: number, flags: number): number {
    const p = this.taskPtr(t);
    const i = p >> 2;
    const w = this.#lone;
    const u32 = this.u32;
    u32[i + w.fn] = fnId; u32[i + w.run] = NONE; u32[i + w.flags] = flags;
    u32[i + w.nsucc] = 0; u32[i + w.npred] = 0; u32[i + w.deps] = 0; this.i32[i + w.pending] = 0;
    u32[i + w.res] = 0; u32[i + w.args] = 0; u32[i + w.state] = 0; u32[i + w.token] = 0;
    if (this.stamper !== undefined) this.stamper(t, flags);
    return p;
  }

  /** Word offsets of the fields initLoneTask writes, computed once. */
  readonly #lone: Record<'fn' | 'run' | 'flags' | 'nsucc' | 'npred' | 'deps' | 'pending' | 'res' | 'args' | 'state' | 'token', number>;
  readonly #taskSize: number;
  readonly #runSize: number;
  readonly #fnSize: number;
  readonly #workerSize: number;

  /**
   * Host, after worker w's thread ended (crashed or left): undoes what it held in the core and frees its
   * per-thread blocks (the next thread on the slot makes its own). Returns the tasks it still had: the one
   * it was running, those waiting in a join below it, and those suspended on a promise.
   */
  reclaimWorker(w: number): { current: number | undefined; joining: number[]; awaiting: number[] } {
    const joining = this.takeFrames(w);        // before recoverWorker clears its current task
    const current = this.x.recoverWorker(w);   // assembly/worker.ts
    const awaiting = this.takeAwaiting(w);
    const choices = Atomics.exchange(this.u32, (this.workerPtr(w) + this.L.W_choices) >> 2, 0);
    if (choices !== 0) this.x.heapFree(choices);
    return { current: current >= 0 ? current : undefined, joining, awaiting };
  }

  /**
   * Host, after worker w's thread died: the tasks that were on its stack (waiting in a join while it ran
   * others; the top is its current task), and frees the block (the replacement makes its own).
   */
  takeFrames(w: number): number[] {
    const out = this.runningOn(w);
    const at = (this.workerPtr(w) + this.L.W_frames) >> 2;
    const frames = Atomics.exchange(this.u32, at, 0);
    if (frames !== 0) this.x.heapFree(frames);
    return out;
  }

  /**
   * Host: the tasks worker w is running: its current task and the tasks below it on its stack (waiting in
   * a join while it runs others). Exact only once the thread has died; a live worker's answer may be stale.
   */
  runningOn(w: number): number[] {
    const s = this.workerPtr(w);
    const out: number[] = [];
    const current = this.i32[(s + this.L.W_current) >> 2];
    if (current >= 0) out.push(current);
    const frames = this.u32[(s + this.L.W_frames) >> 2];
    if (frames !== 0) {
      const L = this.L, count = this.u32[(frames + L.Fr_count) >> 2];
      for (let k = 0; k < count; k++) {
        const t = this.u32[(frames + L.Fr_tasks + k * L.size_FrameEntry) >> 2];
        if (!out.includes(t)) out.push(t);
      }
    }
    return out;
  }

  /** Task slots in use: the shared stack's count plus each worker's cache balance (tasks.ts taskAllocW). */
  liveTasks(): number {
    let n = this.u32[(this.L.header + this.L.H_live) >> 2];
    for (let w = 0; w < this.nWorkers; w++) n += this.i32[(this.workerPtr(w) + this.L.W_liveDelta) >> 2];
    return n;
  }

  /**
   * Host, after worker w's thread died: the tasks it had suspended awaiting promises (its await list,
   * src/worker/suspend.ts), and frees the list (the replacement makes its own).
   */
  takeAwaiting(w: number): number[] {
    const s = this.workerPtr(w);
    const list = Atomics.exchange(this.u32, (s + this.L.W_awaitList) >> 2, 0);
    if (list === 0) return [];
    const out: number[] = [];
    const cap = this.u32[(s + this.L.W_awaitCap) >> 2], size = this.L.size_AwaitEntry;
    for (let i = 0; i < cap; i++) {
      const task1 = this.u32[(list + i * size) >> 2];   // AwaitEntry: task + 1, 0 = free
      if (task1 !== 0) out.push(task1 - 1);
    }
    this.x.heapFree(list);
    return out;
  }

  /** Allocates n bytes in the shared heap; throws a RangeError naming the cause when memory is exhausted. */
  alloc(n: number): number {
    // heapAlloc takes a u32: a request of 4 GiB or more would wrap to a small block, so it fails here instead.
    const p = n > 0xffffffef ? 0 : this.x.heapAlloc(n) >>> 0;
    if (p === 0) {
      throw new RangeError(messages.heapExhausted(n, this.memory.buffer.byteLength));
    }
    this.ensure(p, n);
    return p;
  }
}
