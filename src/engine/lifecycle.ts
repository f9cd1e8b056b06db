// Worker lifecycle on the host: the options (validated in src/options.ts), the pure policies
// the pool applies (when to start a thread for an elastic slot), and the report of what kept workers
// busy when close() gave up. The worker's half (when to leave: recycling, idle exit) is
// src/worker/lifecycle.ts; the pool (src/engine/pool.ts) starts, replaces and counts the threads.
//
// Slots and threads. The core has a fixed number of worker slots (options.workers, the maximum): each
// has its deque, counters and sleep word in shared memory whether or not a thread runs it. Slots below
// minWorkers are *permanent*: a thread is started for each at create() and replaced whenever it leaves
// (crash, recycling). Slots from minWorkers up are *elastic*: started when submissions wait and nobody
// is idle, and their thread leaves after idleTimeout ms without work. Correctness never depends on an
// elastic thread: a permanent thread always exists (minWorkers ≥ 1) and steals from every deque.
import { messages } from '../errors.js';
import type { SharedCore } from './memory.js';
import type { LifecycleOptions } from '../options.js';

export type { LifecycleOptions };

/** Permanent slots for `workers` slots: checked once 'auto' is resolved. */
export function permanentSlots(opts: LifecycleOptions, workers: number): number {
  if (opts.minWorkers === undefined) return workers;
  if (opts.minWorkers > workers) {
    throw new TypeError(messages.optionType('minWorkers', `at most options.workers (${workers})`, opts.minWorkers));
  }
  return opts.minWorkers;
}

/** What the pool sees when it decides whether to start an elastic thread. */
export interface Demand {
  /** Submissions waiting in the injector (and priority queues): nobody has taken them yet. */
  queued: number;
  /** Threads announced asleep: a submission wakes one of them (no new thread needed). */
  sleepers: number;
  /** Threads searching for work right now. */
  spinners: number;
  /** Elastic slots with no thread (and none starting). */
  stopped: number;
  /**
   * Live threads running no task (asleep, searching, or neither: one a wake-up just claimed, which the
   * core counts off the sleepers before it searches, or one just ready): each takes a queued task.
   */
  idle: number;
}

/**
 * Pure: start one more thread? Only when more work waits than the idle threads will take, nobody is
 * asleep or searching, and an elastic slot is free. One at a time: each new thread checks again once
 * it is ready, so a sustained backlog grows the pool to its maximum while a short burst starts one
 * thread at most.
 */
export function startAnother(d: Demand): boolean {
  return d.stopped > 0 && d.queued > d.idle && d.sleepers === 0 && d.spinners === 0;
}

/** One worker that held tasks when close() gave up on it. */
export interface BusyWorker {
  worker: number;
  /** The task it was running (its name), if any. */
  running?: string;
  /** Its async tasks suspended awaiting promises (their names). */
  awaiting: string[];
}

/** What close() reports: whether it had to give up waiting, and what kept each worker busy then. */
export interface CloseReport {
  /** true when closeTimeout passed before everything finished; the stragglers were terminated. */
  timedOut: boolean;
  busy: BusyWorker[];
}

/**
 * Reads, without changing anything, which task each worker runs and which it holds suspended (names
 * by `nameOf`). Plain reads of words their owners write: a snapshot for a report, not for scheduling.
 */
export function busyWorkers(core: SharedCore, nameOf: (t: number) => string): BusyWorker[] {
  const out: BusyWorker[] = [];
  const L = core.L;
  for (let w = 0; w < core.nWorkers; w++) {
    const s = core.workerPtr(w);
    const cur = core.i32[(s + L.W_current) >> 2];
    const list = core.u32[(s + L.W_awaitList) >> 2];
    const awaiting: string[] = [];
    if (list !== 0) {
      const cap = core.u32[(s + L.W_awaitCap) >> 2];
      for (let i = 0; i < cap; i++) {
        const e = core.u32[(list >> 2) + i];
        if (e !== 0) awaiting.push(nameOf(e - 1));
      }
    }
    if (cur >= 0 || awaiting.length > 0) out.push({ worker: w, ...(cur >= 0 && { running: nameOf(cur) }), awaiting });
  }
  return out;
}

/** "worker 0 was running 'spin'; worker 1 held 'sleepy' (awaiting)" — for close()'s timeout message. */
export function describeBusy(busy: BusyWorker[]): string {
  if (busy.length === 0) return 'no worker was running a task';
  return busy.map((b) => {
    const parts: string[] = [];
    if (b.running !== undefined) parts.push(`was running '${b.running}'`);
    if (b.awaiting.length > 0) parts.push(`held ${b.awaiting.map((n) => `'${n}'`).join(', ')} awaiting a promise`);
    return `worker ${b.worker} ${parts.join(' and ')}`;
  }).join('; ');
}
