// Scheduling policies as pure functions of data: no threads, no Wasm, no I/O (DESIGN Principle 5).
// Each returns a decision the executor applies; tests check them with tables.
import { messages } from '../errors.js';

/** How many workers `'auto'` means: one per logical CPU (the host thread mostly waits). */
export function autoWorkers(cpus: number): number {
  return Math.max(1, cpus);
}

export interface SpinPolicy {
  /** Workers allowed to spin while searching for work; the rest park at once. */
  maxSpinners: number;
  /** Explore rounds a spinner makes before it parks (one round: the injector plus each other deque). */
  spinIters: number;
}

/**
 * Spinning buys sub-µs hand-off for bursts (anchors: 0.13 µs to a spinning thread vs ~42 µs to wake a
 * parked one), but a spinner holds a core. At most cpus − 1 workers spin, so the host keeps a core, and
 * never fewer than one. A spinner keeps looking for `spinMicros` before it parks: longer than the host's
 * turnaround between two tasks of a round trip (an event-loop wake, 3–5 µs, plus the caller's code),
 * short enough to cost nothing noticeable when work has really stopped. `nsPerRound` is measured at
 * start-up (calibrateSpin), since Wasm has no clock.
 */
export function spinPolicy(workers: number, cpus: number, spinMicros: number, nsPerRound: number): SpinPolicy {
  return { maxSpinners: Math.max(1, Math.min(workers, cpus - 1)), spinIters: Math.max(16, spinRounds(spinMicros, nsPerRound)) };
}

/** Explore rounds that take about `micros` µs at nsPerRound each (at most 2^26). */
export function spinRounds(micros: number, nsPerRound: number): number {
  return Math.min(Math.round((micros * 1000) / Math.max(nsPerRound, 0.5)), 1 << 26);
}

/** How late (ms) the single-threaded mode's worker may notice that its slice is over. */
export const CLOCK_SLACK_MS = 0.5;
/** The most tasks it runs between two clock reads: a read costs 25–130 ns, a tiny task less. */
const MAX_CLOCK_STRIDE = 64;

/**
 * Tasks the single-threaded mode's worker runs between two reads of the clock, from the time per task
 * since its last read (ms): as many as fit in CLOCK_SLACK_MS, at least 1 and at most MAX_CLOCK_STRIDE.
 * So tiny tasks do not pay a clock read each, and a slice ends at most about CLOCK_SLACK_MS late, unless
 * a task far longer than the ones before it comes along (it is the task running then).
 */
export function clockStride(msPerTask: number): number {
  if (!(msPerTask > 0)) return MAX_CLOCK_STRIDE;
  return Math.max(1, Math.min(MAX_CLOCK_STRIDE, Math.floor(CLOCK_SLACK_MS / msPerTask)));
}

/** log2 of the task table size for a requested maximum: the next power of two, at least 2^10. */
export function taskCapLog2(maxTasks: number): number {
  return Math.max(10, Math.ceil(Math.log2(maxTasks)));
}

/**
 * Per-worker deque capacity (log2). A deque that fills overflows to the injector, which can hold every
 * task slot, so this trades memory (4 bytes a cell, per worker) against how often overflow happens.
 */
export function dequeCapLog2(taskCapLog2: number): number {
  return Math.min(taskCapLog2, 16);
}

/** Bounds of the host's poll before it sleeps on the completion ring (µs). */
export const HOST_SPIN_MAX_US = 250;
const HOST_SPIN_START_US = 20;

/**
 * The host's poll budget (µs) before it sleeps on the completion ring, learned from what completions
 * actually take, like an adaptive mutex. `caught`: the last poll saw the completion arrive: poll a little
 * longer next time. Otherwise `waitedUs` is how long the completion took after all: if that is within
 * HOST_SPIN_MAX_US, poll that long (× 1.5) next time, since sleeping costs an event-loop wake-up
 * (3–5 µs with the worker awake, 20–50 µs or more from an idle core) on every short run or round trip;
 * if it took longer, halve the budget, and under 1 µs stop polling until a probe succeeds again.
 * Only consulted while few tasks are in flight (hostMayPoll).
 */
export function nextHostSpin(budgetUs: number, caught: boolean, waitedUs = Infinity): number {
  if (caught) return Math.min(HOST_SPIN_MAX_US, Math.max(budgetUs, 1) * 1.25 + 1);
  if (waitedUs <= HOST_SPIN_MAX_US) return Math.min(HOST_SPIN_MAX_US, Math.max(waitedUs * 1.5, 1));
  return budgetUs / 2 < 1 ? 0 : budgetUs / 2;
}

/** The budget a fresh executor starts with. */
export function initialHostSpin(): number {
  return HOST_SPIN_START_US;
}

/** Poll only for latency-bound use: at most one task or run in flight per worker. */
export function hostMayPoll(outstanding: number, workers: number): boolean {
  return outstanding <= workers;
}

// ---- priorities and retries (executor.submit) ----

/** Priority names, most urgent first; the index is the core's submission queue level (layout.ts LEVELS). */
export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Queue level of a priority name, or -1 for anything else. */
export function priorityLevel(p: unknown): number {
  return PRIORITIES.indexOf(p as Priority);
}

/** What a priority must be, for messages. */
export const PRIORITY_CHOICES = `one of ${PRIORITIES.map((q) => `'${q}'`).join(', ')}`;

/**
 * Queue level of priority p; for anything else a TypeError naming `what`, the call and argument or option
 * ("executor.run(tf, options): options.priority").
 */
export function checkedPriority(what: string, p: unknown): number {
  const level = priorityLevel(p);
  if (level < 0) throw new TypeError(messages.argType(what, PRIORITY_CHOICES, p));
  return level;
}

/**
 * Every AGING_TICK-th pop a worker makes from the submission queues serves a lower level first (low,
 * normal, high in turn): under a steady stream of urgent tasks each lower level still gets at least one
 * task in 3·AGING_TICK pops (assembly/worker.ts explore).
 */
export const AGING_TICK = 16;

export interface RetryDelay {
  /** First delay, ms. Default 10. */
  base?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Cap, ms. Default 1000. */
  max?: number;
  /** 'full': a uniform random delay in [0, d] (AWS "full jitter"); 'none': exactly d. Default 'full'. */
  jitter?: 'full' | 'none';
}

/**
 * Delay before retry number `attempt` (1 for the first retry): d = min(max, base · factor^(attempt−1)),
 * then full jitter draws uniformly from [0, d] with `random` (a number in [0, 1)). Pure.
 */
export function retryDelayMs(attempt: number, opts: RetryDelay, random: number): number {
  const base = opts.base ?? 10;
  const factor = opts.factor ?? 2;
  const max = opts.max ?? 1000;
  const d = Math.min(max, base * factor ** (attempt - 1));
  return (opts.jitter ?? 'full') === 'full' ? random * d : d;
}

/** How often the host checks running tasks against their timeouts: a tenth of the shortest, 1–50 ms. */
export function watchdogTickMs(shortestTimeoutMs: number): number {
  return Math.min(50, Math.max(1, Math.floor(shortestTimeoutMs / 10)));
}

/**
 * Items per block of an executor.map call over n items: at least 16 blocks per worker, so that tasks
 * claiming blocks one by one end within about a block of each other whatever the items cost, and at most
 * 1024 items, so that a block's encoded values stay small; 1 for short lists.
 */
export function mapGrain(n: number, workers: number): number {
  return Math.max(1, Math.min(1024, Math.ceil(n / (16 * Math.max(1, workers)))));
}
