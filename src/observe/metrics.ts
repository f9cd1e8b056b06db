// Metrics: sampled run-time and wait-time histograms and utilization over a sliding window, kept in
// shared memory by the workers, plus the core's counters, read by the host as one snapshot object. The
// block they live in, and who writes what in it: metrics-block.ts. What a worker times (sampling), and
// how busy time is estimated: sampler.ts. The buckets: histogram.ts. This file is the host's side.
import type { SharedCore } from '../engine/memory.js';
import { messages } from '../errors.js';
import { BUCKETS, emptyCounts, histogram, type Histogram } from './histogram.js';
import { type BlockLayout, blockLayout, micros, SLOT_MS, SLOTS } from './metrics-block.js';
import { soon } from '../platform/microtask.js';

/** Default window for a snapshot, ms. */
export const DEFAULT_WINDOW_MS = 10_000;
/** Default sampling period: 1 task in 64 is timed (two clock reads per 64 tasks). */
export const DEFAULT_SAMPLE_EVERY = 64;

/** Counters the core keeps per worker since the executor started (assembly/layout.ts WorkerSlot). */
export interface WorkerCounters {
  /** Tasks run: submitted, graph and spawned ones, not the children run inline. */
  executed: number;
  /** Spawned children run inline at their spawn (docs/learning.md "Inlining spawned children"), not counted in executed. */
  inlined: number;
  steals: number;
  failedSteals: number;
  parks: number;
  wakeups: number;
  overflows: number;
}

/** One worker in a snapshot. Counters are totals since start; the rest covers the window. */
export interface WorkerMetrics extends WorkerCounters {
  worker: number;
  /** Its steal domain: workers [start, start + count) (read back from its slot). */
  stealDomain: { start: number; count: number };
  /** Tasks on its deques (one per priority level) now (approximate while it runs). */
  dequeLength: number;
  /** Estimated busy time in the window, ms. */
  busyMs: number;
  /** busyMs / windowMs, at most 1. */
  utilization: number;
  runTime: Histogram;
  waitTime: Histogram;
}

/** A snapshot: executor.metrics(). */
export interface MetricsSnapshot {
  /** performance.now() on the host when it was taken. */
  at: number;
  /** The window actually covered, ms (shorter than asked while the executor is younger than it). */
  windowMs: number;
  /** The sampling period in force: 1 task in sampleEvery is timed (0: timing off). */
  sampleEvery: number;
  workers: WorkerMetrics[];
  pool: WorkerCounters & {
    /** Tasks waiting in the injector (the normal-priority submission queue) now. */
    injectorLength: number;
    /** Σ of the workers' deque lengths now. */
    dequeLength: number;
    /** Task slots allocated now (async tasks in flight plus laid-out graph tasks). */
    liveTasks: number;
    /** Mean of the workers' utilization. */
    utilization: number;
    busyMs: number;
    runTime: Histogram;
    waitTime: Histogram;
  };
}

/** Options of executor.metrics(). */
export interface MetricsOptions {
  /** How far back the histograms and utilization look, ms: SLOT_MS … (SLOTS − 1) · SLOT_MS. Default 10 000. */
  windowMs?: number;
}

/** Options of executor.configureMetrics(). */
export interface MetricsConfig {
  /** Time 1 task in this many (a power of two from 1 to 2^16), or 0 to time none. Default 64. */
  sampleEvery?: number;
}

/**
 * The host's side: allocates the block, stamps submissions, reads snapshots.
 * Thread-safety: host thread only.
 */
export class Metrics {
  readonly #core: SharedCore;
  readonly #m: BlockLayout;
  readonly #block: number;
  readonly #stamps: Uint32Array;
  readonly #created = performance.now();
  #every = DEFAULT_SAMPLE_EVERY;
  #countdown = 1;
  #inBurst = false;
  readonly #endBurst = (): void => { this.#inBurst = false; };

  private constructor(core: SharedCore, m: BlockLayout, block: number) {
    this.#core = core;
    this.#m = m;
    this.#block = block;
    const stamps = core.u32[(block + m.stamps) >> 2];
    this.#stamps = new Uint32Array(core.memory.buffer, stamps, core.taskCap);
  }

  /** Host, after SharedCore.create and before any worker starts: allocates the block and points every worker slot at it. */
  static create(core: SharedCore): Metrics {
    const m = blockLayout(core);
    const bytes = m.rings + core.nWorkers * m.ringBytes;
    const block = core.alloc(bytes);
    const stamps = core.alloc(4 * core.taskCap);
    // Give the heap back the headroom these blocks took (the heap grows the memory only by what an
    // allocation lacks): what a program allocates first should not start growing the memory earlier
    // than it did without metrics. The new pages are not touched, so they cost address space only.
    core.memory.grow(Math.ceil((bytes + 4 * core.taskCap) / 65536));
    core.refresh();
    core.u8.fill(0, block, block + bytes);
    // The stamps are not cleared (4 bytes per task slot: touching them all would cost resident memory):
    // the host writes a task's stamp, 0 or a time, every time it submits it as an async task, and a
    // worker honours stamps only on async tasks, so a stale word costs at most one needless timing.
    core.f64[(block + m.origin) >> 3] = performance.timeOrigin;
    core.u32[(block + m.every) >> 2] = DEFAULT_SAMPLE_EVERY;
    core.u32[(block + m.stamps) >> 2] = stamps;
    for (let w = 0; w < core.nWorkers; w++) core.u32[(core.workerPtr(w) + core.L.W_metrics) >> 2] = block;
    const metrics = new Metrics(core, m, block);
    const notifyHost = core.L.flag_NotifyHost;
    // Every async task the host writes passes through initLoneTask before it is submitted.
    core.stamper = (t, flags) => { if ((flags & notifyHost) !== 0) metrics.stamp(t); };
    return metrics;
  }

  /**
   * Host, while it writes async task t (before submitting it): stamps it with the submit time if it is sampled (1 in
   * sampleEvery, and the first of each synchronous burst), else clears its stamp. One store per task,
   * one clock read per sampled one.
   */
  stamp(t: number): void {
    let s = 0;
    if (this.#every !== 0 && (!this.#inBurst || --this.#countdown === 0)) {
      s = micros(performance.now());
      this.#countdown = this.#every;
      if (!this.#inBurst) { this.#inBurst = true; soon(this.#endBurst); }
    }
    this.#stamps[t] = s;
  }

  /** Changes the sampling period (see MetricsConfig); workers pick it up by their next count-selected sample. */
  configure(config: MetricsConfig | undefined): void {
    if (config === undefined || typeof config !== 'object' || config === null) {
      throw new TypeError(messages.argType('executor.configureMetrics(config): config', 'an object like { sampleEvery: 64 }', config));
    }
    for (const k of Object.keys(config)) {
      if (k !== 'sampleEvery') throw new TypeError(messages.unknownOption('executor.configureMetrics(config)', k, ['sampleEvery']));
    }
    const n = config.sampleEvery;
    if (n === undefined) return;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65536 || (n !== 0 && (n & (n - 1)) !== 0)) {
      throw new TypeError(messages.argType('executor.configureMetrics(config): config.sampleEvery', '0 (off) or a power of two from 1 to 65536', n));
    }
    this.#every = n;
    this.#countdown = 1;
    this.#core.u32[(this.#block + this.#m.every) >> 2] = n;
  }

  /** Reads a snapshot without stopping anything (metrics-block.ts says what "approximate" means under load). */
  snapshot(options?: MetricsOptions): MetricsSnapshot {
    const windowAsked = options?.windowMs ?? DEFAULT_WINDOW_MS;
    if (typeof windowAsked !== 'number' || !(windowAsked >= SLOT_MS && windowAsked <= (SLOTS - 1) * SLOT_MS)) {
      throw new RangeError(messages.callOption('executor.metrics(options)', 'windowMs', `a number from ${SLOT_MS} to ${(SLOTS - 1) * SLOT_MS}`, windowAsked));
    }
    const core = this.#core;
    core.refresh();
    const { u32, f64, L } = core;
    const m = this.#m;
    const now = performance.now();
    const cur = Math.floor(now / SLOT_MS);
    const k = Math.ceil(windowAsked / SLOT_MS);                  // slots in the window, the current one included
    const from = Math.max((cur - k + 1) * SLOT_MS, this.#created);
    const windowMs = Math.max(now - from, 1e-3);
    const workers: WorkerMetrics[] = [];
    for (let w = 0; w < core.nWorkers; w++) {
      const s = core.workerPtr(w);
      const word = (off: number): number => u32[(s + off) >> 2];
      const run = emptyCounts(), wait = emptyCounts();
      let runSamples = 0, waitSamples = 0, busyMs = 0;
      const ring = (this.#block + m.rings + w * m.ringBytes) >> 2;
      for (let i = 0; i < SLOTS; i++) {
        const base = ring + i * m.slotWords;
        const epoch = u32[base + m.epoch] - 1;
        if (epoch < cur - k + 1 || epoch > cur) continue;          // outside the window (or never used: −1)
        runSamples += u32[base + m.runs];
        waitSamples += u32[base + m.waits];
        busyMs += f64[(base + m.busy) >> 1];
        for (let b = 0; b < BUCKETS; b++) { run[b] += u32[base + m.run + b]; wait[b] += u32[base + m.wait + b]; }
      }
      workers.push({
        worker: w,
        executed: word(L.W_executed), inlined: word(L.W_inlined), steals: word(L.W_steals), failedSteals: word(L.W_failedSteals),
        parks: word(L.W_parks), wakeups: word(L.W_wakeups), overflows: word(L.W_overflows),
        stealDomain: { start: word(L.W_domStart), count: word(L.W_domCount) || core.nWorkers },
        dequeLength: Math.max(0, core.x.queuedOn(w)),   // every priority level's deque
        busyMs,
        utilization: Math.min(1, busyMs / windowMs),
        runTime: histogram(run, runSamples),
        waitTime: histogram(wait, waitSamples),
      });
    }
    const sum = (f: (m: WorkerMetrics) => number): number => workers.reduce((a, m) => a + f(m), 0);
    const merge = (f: (m: WorkerMetrics) => Histogram): Histogram => {
      const counts = emptyCounts();
      for (const m of workers) f(m).counts.forEach((c, b) => { counts[b] += c; });
      return histogram(counts, sum((m) => f(m).samples));
    };
    return {
      at: now,
      windowMs,
      sampleEvery: u32[(this.#block + m.every) >> 2],
      workers,
      pool: {
        executed: sum((m) => m.executed), inlined: sum((m) => m.inlined), steals: sum((m) => m.steals), failedSteals: sum((m) => m.failedSteals),
        parks: sum((m) => m.parks), wakeups: sum((m) => m.wakeups), overflows: sum((m) => m.overflows),
        injectorLength: Math.max(0, core.x.mpmcLength(L.injector)),
        dequeLength: sum((m) => m.dequeLength),
        liveTasks: core.liveTasks(),
        busyMs: sum((m) => m.busyMs),
        utilization: sum((m) => m.utilization) / workers.length,
        runTime: merge((m) => m.runTime),
        waitTime: merge((m) => m.waitTime),
      },
    };
  }
}
