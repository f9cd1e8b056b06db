// Metrics: sampled run-time and wait-time histograms and utilization over a sliding window, kept in
// shared memory by the workers, plus the core's counters, read by the host as one snapshot object.
//
// ## Sampling (why not every task)
// performance.now() costs 25–130 ns (130 on this VM's clock source); two per task would cost more than a
// tiny task itself. So:
// - **Run time:** a worker times every task the host stamped (below), and *every* task while the last
//   timed one ran ≥ LONG_US (timing then costs < 0.5 %), so long tasks are all measured; each of these
//   enters the run-time histogram with weight 1. Of the other tasks it times 1 in `sampleEvery` (default
//   64) by count: a systematic sample of the tasks not otherwise timed, so each enters with weight
//   sampleEvery, standing for its *period* (the counted tasks since the previous one). Every task is thus
//   counted once: the histogram's total estimates how many tasks ran, never more, and fewer only by the
//   worker's open period (< sampleEvery tasks) and by async tasks, whose run time is not recorded.
// - **Wait time** (start − submit) needs a submit time: the host stamps 1 async task in `sampleEvery`,
//   plus the first of each synchronous burst of submissions (so a lone task is always stamped), in a
//   side table `stamps[task]` (µs of the host clock, mod 2^32; 0 = not stamped). A worker that takes a
//   stamped task times it whatever its count, records start − stamp, and clears the stamp. Graph tasks
//   are made ready in Wasm, which has no clock: they have no wait time.
// - **Utilization** = busy / wall over the window: the timed tasks' run times, plus the gaps between
//   timed tasks. A gap in which the worker did not park counts whole (tasks not timed, the scheduler's
//   own work, spinning for work, which holds a core too), up to GAP_SLACK × the mean run time per task
//   in it (+ GAP_OVERHEAD_MS), so idle time spent outside the core's park is not counted; a gap with a
//   park counts at most (tasks in it) × the mean run time. An estimate; closest with sampleEvery 1.
// - Only tasks the worker loop runs at top level are timed. Tasks run while helping inside ctx.join are
//   inside the joining task's run time (so busy time is not counted twice); an async task's suspended
//   time is not run time (its synchronous part lies in the busy gaps).
//
// ## The block (host-allocated once with core.alloc, before any worker starts)
// Declared in assembly/layout.ts (MetricsHeader, MetricSlot, with their rulers) and read through core.L:
// a header (hostOrigin f64, sampleEvery, stamps: a pointer to u32[taskCap]), then each worker's ring of
// SLOTS window slots. Each worker finds the block through WorkerSlot.metrics. A window slot covers SLOT_MS
// of the host clock (performance.now() on the host; a worker adds performance.timeOrigin − hostOrigin,
// which is 0 in Node, where worker threads share the process's time origin) and holds epoch+1,
// runSamples, waitSamples, busyMs (f64) and the run and wait histograms (BUCKETS u32 each).
// Bucket 0 holds [0, 1) µs, bucket k holds [2^(k−1), 2^k) µs, the last one everything from 2^(BUCKETS−2) µs.
//
// ## Who writes what (why plain accesses are enough)
// hostOrigin and the stamps pointer are written by the host before the workers start (thread creation
// publishes them). sampleEvery is written plainly by the host at any time and read plainly by the workers
// at each timed task: a change reaches a worker no later than the next task the host submits
// (the injector push is an atomic store that publishes it). A stamp is written plainly by the host before
// it submits the task (the queue push publishes it) and read and cleared by the one worker that runs it.
// A worker's ring is written only by that worker, with plain stores, *before* it calls finish() for the
// timed task: finish()'s atomics (the retire, the completion ring push) publish the sample, so once the
// host has seen a task complete it sees that task's sample. A snapshot taken while workers run reads
// their rings without synchronization: each u32 is read whole, but a slot may be half updated or being
// reset, so a snapshot under load is approximate by a sample or a slot; taken while idle it is exact.
import type { SharedCore } from '../engine/memory.js';
import { messages } from '../errors.js';

/** Histogram buckets: [0,1) µs, then powers of two up to 2^24 µs (16.8 s), then one open bucket. */
export const BUCKETS = 26;
/** Window slot length, ms: the window's granularity. */
export const SLOT_MS = 250;
/** Window slots per worker: the longest window is (SLOTS − 1) · SLOT_MS = 15.75 s. */
export const SLOTS = 64;
/** Default window for a snapshot, ms. */
export const DEFAULT_WINDOW_MS = 10_000;
/** Default sampling period: 1 task in 64 is timed (two clock reads per 64 tasks). */
export const DEFAULT_SAMPLE_EVERY = 64;
/** A timed task at least this long (µs) makes the worker time every task until one is shorter. */
export const LONG_US = 50;
/**
 * A gap between two timed tasks without a park counts as busy up to GAP_SLACK × the mean run time per
 * task in it, plus GAP_OVERHEAD_MS: generous for the scheduler's own work between tiny tasks (about one
 * run time each), but idle time the core's park counter does not see (an elastic slot's bounded park,
 * a worker with suspended async tasks sleeping on Atomics.waitAsync) is not taken for work.
 */
const GAP_SLACK = 8;
const GAP_OVERHEAD_MS = 0.05;

/**
 * The block's layout (assembly/layout.ts MetricsHeader, MetricSlot), read from the core once by each
 * owner: byte offsets in the header, u32 word offsets in a window slot (busy: the f64 at that word).
 */
interface BlockLayout {
  origin: number; every: number; stamps: number;
  /** Bytes before worker 0's ring, bytes per ring, u32 words per window slot. */
  rings: number; ringBytes: number; slotWords: number;
  epoch: number; runs: number; waits: number; busy: number; run: number; wait: number;
}

function blockLayout(core: SharedCore): BlockLayout {
  const L = core.L;
  if (L.count_MetricBuckets !== BUCKETS || L.count_MetricSlots !== SLOTS) throw new Error(messages.coreMismatch('the metrics block (buckets, slots per ring)'));
  return {
    origin: L.M_hostOrigin, every: L.M_sampleEvery, stamps: L.M_stamps,
    rings: L.size_MetricsHeader, ringBytes: SLOTS * L.size_MetricSlot, slotWords: L.size_MetricSlot >> 2,
    epoch: L.MS_epoch1 >> 2, runs: L.MS_runSamples >> 2, waits: L.MS_waitSamples >> 2, busy: L.MS_busyMs >> 2,
    run: L.MS_run >> 2, wait: L.MS_wait >> 2,
  };
}
const NEVER = 0x40000000;                            // a countdown that does not run out (sampling off)

/** The bucket of a duration in µs (an integer ≥ 0). */
export function bucketOf(us: number): number {
  return us <= 0 ? 0 : Math.min(BUCKETS - 1, 32 - Math.clz32(us));
}

/** Upper bounds of the buckets in µs (the last is Infinity). */
export const BUCKET_BOUNDS: readonly number[] = Object.freeze(
  Array.from({ length: BUCKETS }, (_, k) => (k === BUCKETS - 1 ? Infinity : 2 ** k)));

/** A duration histogram over the window. Bucket k counts durations in [bounds[k−1], bounds[k]) µs (from 0 for k = 0). */
export interface Histogram {
  /** Upper bounds in µs: 1, 2, 4, …, 2^24, Infinity. */
  readonly bounds: readonly number[];
  readonly counts: number[];
  /** Σ counts. Run time: the estimated number of tasks (weighted samples); wait time: the samples. */
  total: number;
  /** Tasks actually timed. */
  samples: number;
  /** Upper bound (µs) of the bucket holding the median, the 90th and the 99th percentile; 0 when empty. */
  p50: number;
  p90: number;
  p99: number;
}

/** Counters the core keeps per worker since the executor started (assembly/layout.ts WorkerSlot). */
export interface Counters {
  executed: number;
  steals: number;
  failedSteals: number;
  parks: number;
  wakeups: number;
  overflows: number;
}

/** One worker in a snapshot. Counters are totals since start; the rest covers the window. */
export interface WorkerMetrics extends Counters {
  worker: number;
  /** Its steal domain: workers [start, start + count) (read back from its slot). */
  stealDomain: { start: number; count: number };
  /** Tasks on its deque now (approximate while it runs). */
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
  pool: Counters & {
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

const micros = (ms: number): number => (ms * 1000) >>> 0 || 1;   // never 0: 0 means "not stamped"

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
      if (!this.#inBurst) { this.#inBurst = true; queueMicrotask(this.#endBurst); }
    }
    this.#stamps[t] = s;
  }

  /** Changes the sampling period (see MetricsConfig); workers pick it up by their next count-selected sample. */
  configure(config: MetricsConfig | undefined): void {
    if (config === undefined || typeof config !== 'object' || config === null) {
      throw new TypeError(`beatflow: executor.configureMetrics(config): config must be an object like { sampleEvery: 64 } (got ${String(config)})`);
    }
    for (const k of Object.keys(config)) {
      if (k !== 'sampleEvery') throw new TypeError(`beatflow: executor.configureMetrics(config): unknown option '${k}' (known options: sampleEvery)`);
    }
    const n = config.sampleEvery;
    if (n === undefined) return;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65536 || (n !== 0 && (n & (n - 1)) !== 0)) {
      throw new TypeError(`beatflow: executor.configureMetrics(config): config.sampleEvery must be 0 (off) or a power of two from 1 to 65536 (got ${String(n)})`);
    }
    this.#every = n;
    this.#countdown = 1;
    this.#core.u32[(this.#block + this.#m.every) >> 2] = n;
  }

  /** Reads a snapshot without stopping anything (see the file comment for what "approximate" means under load). */
  snapshot(options?: MetricsOptions): MetricsSnapshot {
    const windowAsked = options?.windowMs ?? DEFAULT_WINDOW_MS;
    if (typeof windowAsked !== 'number' || !(windowAsked >= SLOT_MS && windowAsked <= (SLOTS - 1) * SLOT_MS)) {
      throw new RangeError(`beatflow: executor.metrics(options): options.windowMs must be a number from ${SLOT_MS} to ` +
        `${(SLOTS - 1) * SLOT_MS} (got ${String(windowAsked)})`);
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
        executed: word(L.W_executed), steals: word(L.W_steals), failedSteals: word(L.W_failedSteals),
        parks: word(L.W_parks), wakeups: word(L.W_wakeups), overflows: word(L.W_overflows),
        stealDomain: { start: word(L.W_domStart), count: word(L.W_domCount) || core.nWorkers },
        dequeLength: Math.max(0, core.x.dequeLength(s)),
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
        executed: sum((m) => m.executed), steals: sum((m) => m.steals), failedSteals: sum((m) => m.failedSteals),
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

function emptyCounts(): number[] { return new Array<number>(BUCKETS).fill(0); }

/** A histogram from bucket counts, with percentiles read off the buckets. Pure. */
export function histogram(counts: number[], samples: number): Histogram {
  const total = counts.reduce((a, c) => a + c, 0);
  return { bounds: BUCKET_BOUNDS, counts, total, samples, p50: quantile(counts, total, 0.5), p90: quantile(counts, total, 0.9), p99: quantile(counts, total, 0.99) };
}

/** Upper bound (µs) of the bucket holding quantile q (0 < q ≤ 1) of `total` counts; 0 when empty. Pure. */
export function quantile(counts: readonly number[], total: number, q: number): number {
  if (total <= 0) return 0;
  const rank = Math.ceil(q * total);
  let acc = 0;
  for (let b = 0; b < counts.length; b++) {
    acc += counts[b];
    if (acc >= rank) return BUCKET_BOUNDS[b];
  }
  return BUCKET_BOUNDS[counts.length - 1];
}

/**
 * A worker's side: decides which tasks to time and records them in its ring. The worker loop calls
 * begin(t, p) before running task t (record p) at top level and, if it returned a start time, end(start)
 * after the task returned and before finish(). Thread-safety: the worker's own thread only.
 */
export class Sampler {
  readonly #stamps: Uint32Array;
  readonly #u32: Uint32Array;        // views over the block: it was allocated before this thread started,
  readonly #f64: Float64Array;       // so they stay valid however the memory grows
  readonly #every: number;           // word index of sampleEvery
  readonly #ring: number;            // word index of this worker's ring
  readonly #m: BlockLayout;
  readonly #shift: number;           // host clock = performance.now() + shift
  readonly #flags: number;           // word offset of Task.flags in a record, and the NotifyHost bit
  readonly #notifyHost: number;
  readonly #core: SharedCore;
  readonly #parks: number;           // word index of this worker's WorkerSlot.parks / executed (owner-written, so exact here)
  readonly #executed: number;
  /** Counted tasks until the next count-selected one. The worker loop decrements it before each top-level task and calls begin() only when it reaches 0, for a host-submitted task, or while `long` (so the common case costs no call). */
  countdown = 1;
  #armed = 1;                        // the length the current period was armed with
  /** The last timed task was long: time every task. */
  long = false;
  #weight = 0;                       // the current timed task's run-time weight: the tasks of the period it closes
  #lastEnd = 0;                      // end of the previous timed task (host clock, ms); 0 = none yet
  #lastParks = 0;
  #lastExecuted = 0;
  #meanRun = 0;                      // running mean of timed tasks' run time, ms

  constructor(core: SharedCore, w: number) {
    this.#core = core;
    this.#m = blockLayout(core);
    const block = core.u32[(core.workerPtr(w) + core.L.W_metrics) >> 2];
    const buf = core.memory.buffer;
    this.#u32 = new Uint32Array(buf);
    this.#f64 = new Float64Array(buf);
    this.#flags = core.L.T_flags >> 2;
    this.#notifyHost = core.L.flag_NotifyHost;
    this.#parks = (core.workerPtr(w) + core.L.W_parks) >> 2;
    this.#executed = (core.workerPtr(w) + core.L.W_executed) >> 2;
    if (block === 0) {   // no metrics block (a core set up without an executor): never time anything
      this.#stamps = new Uint32Array(core.taskCap);
      this.#every = 0; this.#ring = 0; this.#shift = 0;
      this.countdown = NEVER;
      return;
    }
    const m = this.#m;
    this.#stamps = new Uint32Array(buf, this.#u32[(block + m.stamps) >> 2], core.taskCap);
    this.#every = (block + m.every) >> 2;
    this.#ring = (block + m.rings + w * m.ringBytes) >> 2;
    this.#shift = performance.timeOrigin - this.#f64[(block + m.origin) >> 3];
  }

  /**
   * Before running task t (record p): 0, or the start time (host clock, ms) when t is timed. The worker
   * loop calls it only after decrementing `countdown` to 0, for a host-submitted task, or while `long`.
   */
  begin(t: number, p: number): number {
    // Only host-submitted tasks carry a stamp: graph tasks skip the side table (a random read into a
    // taskCap-long array per task costs a cache miss; the record's flags are in cache already).
    // #u32 was taken over the memory before any worker started: task records lie below the heap, inside it.
    const stamp = (this.#u32[(p >> 2) + this.#flags] & this.#notifyHost) !== 0 ? this.#stamps[t] : 0;
    if (stamp !== 0 || this.long) { this.countdown++; return this.#start(t, p, stamp, 1); }   // timed anyway: stands for itself, not counted
    if (this.countdown !== 0) return 0;
    // The count came up: this task closes the period and stands for all of its tasks.
    const weight = this.#armed;
    const every = this.#ring === 0 ? 0 : this.#u32[this.#every];
    this.#armed = this.countdown = every === 0 ? NEVER : every;
    return every === 0 ? 0 : this.#start(t, p, 0, weight);
  }

  #start(t: number, p: number, stamp: number, weight: number): number {
    const now = performance.now() + this.#shift;
    this.#weight = weight;
    const base = this.#slot(now);
    if (stamp !== 0) {
      this.#stamps[t] = 0;
      // Only host-submitted (async) tasks: a graph task reusing the slot of an async task that was never
      // timed (it ran while its worker helped) may find a stale stamp.
      if ((this.#core.u32[(p >> 2) + this.#flags] & this.#notifyHost) !== 0) {
        const us = (micros(now) - stamp) >>> 0;                   // mod 2^32: valid for waits under 35 minutes
        this.#u32[base + this.#m.wait + bucketOf(us >= 0x80000000 ? 0 : us)]++;
        this.#u32[base + this.#m.waits]++;
      }
    }
    // Busy time since the previous timed task ended (see the file comment).
    if (this.#lastEnd !== 0) {
      const gap = Math.max(0, now - this.#lastEnd);
      const parked = this.#u32[this.#parks] !== this.#lastParks;
      const between = Math.max(0, this.#u32[this.#executed] - this.#lastExecuted - 1);
      const cap = parked ? between * this.#meanRun : between * GAP_SLACK * this.#meanRun + GAP_OVERHEAD_MS;
      this.#f64[(base + this.#m.busy) >> 1] += Math.min(gap, cap);
    }
    return now;
  }

  /** After the timed task returned (start: begin's answer), before finish(): records its run time. */
  end(start: number): void {
    const now = performance.now() + this.#shift;
    const ms = Math.max(0, now - start);
    const us = Math.floor(ms * 1000);
    const base = this.#slot(now);
    if (this.#weight !== 0) {
      this.#u32[base + this.#m.run + bucketOf(us)] += this.#weight;
      this.#u32[base + this.#m.runs]++;
    }
    this.#f64[(base + this.#m.busy) >> 1] += ms;
    this.#meanRun = this.#meanRun === 0 ? ms : this.#meanRun + (ms - this.#meanRun) / 8;
    this.#lastEnd = now;
    this.#lastParks = this.#u32[this.#parks];
    this.#lastExecuted = this.#u32[this.#executed];
    if (this.#ring === 0) return;
    this.long = us >= LONG_US && this.#armed !== NEVER && this.#ring !== 0;   // then time every task, until a short one
  }

  /** Word index of the ring slot for host time `now`, reset first if it still holds an older epoch. */
  #slot(now: number): number {
    const epoch = Math.floor(now / SLOT_MS);
    const m = this.#m;
    const base = this.#ring + (epoch % SLOTS) * m.slotWords;
    if (this.#u32[base + m.epoch] !== epoch + 1) {
      this.#u32.fill(0, base, base + m.slotWords);
      this.#u32[base + m.epoch] = epoch + 1;
    }
    return base;
  }
}
