// The worker's side of the metrics (the block: metrics-block.ts): which tasks it times, and how a timed
// task enters its ring.
//
// ## Sampling (why not every task)
// performance.now() costs 25–130 ns, depending on the clock source; two per task would cost more than a
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
import type { SharedCore } from '../engine/memory.js';
import { bucketOf } from './histogram.js';
import { type BlockLayout, blockLayout, micros, SLOT_MS, SLOTS } from './metrics-block.js';

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
const NEVER = 0x40000000;                            // a countdown that does not run out (sampling off)

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
    if (stamp !== 0) { this.countdown++; return this.#start(t, p, stamp, 1); }   // timed anyway: stands for itself, not counted
    return this.unstamped();
  }

  /**
   * begin() for a task that has no record, so no stamp: a direct run of the single-threaded mode
   * (src/worker/direct.ts), called on the same terms (after decrementing `countdown` to 0, or while `long`).
   */
  unstamped(): number {
    if (this.long) { this.countdown++; return this.#start(0, 0, 0, 1); }
    if (this.countdown !== 0) return 0;
    // The count came up: this task closes the period and stands for all of its tasks.
    const weight = this.#armed;
    const every = this.#ring === 0 ? 0 : this.#u32[this.#every];
    this.#armed = this.countdown = every === 0 ? NEVER : every;
    return every === 0 ? 0 : this.#start(0, 0, 0, weight);
  }

  #start(t: number, p: number, stamp: number, weight: number): number {
    const now = performance.now() + this.#shift;   // the global: the host's window reads it too (platform/clock.ts)
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

  /**
   * After the timed task returned (start: begin's answer), before finish(): records its run time, and
   * returns it unclamped (the duration predictors, assembly/learn/predictor.ts, count a negative one as a
   * clock that went backwards and drop it; the histogram clamps it to 0).
   */
  end(start: number): number {
    const now = performance.now() + this.#shift;
    const raw = now - start;
    const ms = Math.max(0, raw);
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
    if (this.#ring === 0) return raw;
    this.long = us >= LONG_US && this.#armed !== NEVER && this.#ring !== 0;   // then time every task, until a short one
    return raw;
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
