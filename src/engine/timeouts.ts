// Start-measured timeouts and forced cancellation of submitted tasks.
//
// A job with a `timeout` is watched: its task's record has the Watched flag, so the worker writes the
// time it starts it (Task.tStart); a watchdog interval, ticking at a tenth of the shortest timeout
// (policy/scheduling.ts watchdogTickMs), rejects the job once its task has run past it, and cancels its
// token. A job whose token was cancelled while its task runs gets `cancelGrace` ms to notice; after
// that a task still running on a worker is stopped by terminating that worker (recovery reports it with
// the error kept here), and a task suspended on a promise holds no thread: its job is settled now and
// its slot is *detached* (no longer counted in flight; it comes back whenever the promise settles).
import type { SharedCore } from './memory.js';
import type { Completions } from './completions.js';
import { timeoutError, type Job } from './jobs.js';
import { watchdogTickMs } from '../policy/scheduling.js';
import { messages, CancelledError } from '../errors.js';

/** What the timeouts need of the engine. */
export interface TimeoutHost {
  readonly core: SharedCore;
  readonly completions: Completions;
  readonly cancelGrace: number;
  /** False once the executor stopped. */
  isRunning(): boolean;
  /** Terminates worker w (it is replaced, and its tasks reported, as for a crash). */
  killWorker(w: number): void;
  maybeIdle(): void;
}

/** Host thread only. */
export class Timeouts {
  readonly #h: TimeoutHost;
  readonly #settle: (job: Job, error: unknown) => void;
  readonly #jobOf: (t: number) => Job | undefined;
  /** Jobs with a timeout, while in a slot. */
  readonly #watched = new Set<Job>();
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #tick = Infinity;
  /** Slots whose task is being terminated after ignoring its cancellation, with the error to report. */
  readonly #forced = new Map<number, Error>();
  /** Slots of suspended tasks given up after their grace period: no longer counted in flight. */
  readonly #detached = new Set<number>();

  constructor(host: TimeoutHost, settle: (job: Job, error: unknown) => void, jobOf: (t: number) => Job | undefined) {
    this.#h = host;
    this.#settle = settle;
    this.#jobOf = jobOf;
  }

  watch(job: Job): void {
    this.#watched.add(job);
    const tick = watchdogTickMs(job.timeout);
    if (this.#watchdog !== undefined && tick >= this.#tick) return;
    clearInterval(this.#watchdog);   // a shorter timeout than any so far: tick faster
    this.#tick = tick;
    this.#watchdog = setInterval(() => this.#check(), tick);
    (this.#watchdog as { unref?: () => void }).unref?.();
  }

  unwatch(job: Job): void { this.#watched.delete(job); }

  /** Rejects each watched job whose task has run past its timeout (tStart is written by the worker as it starts it). */
  #check(): void {
    const now = performance.timeOrigin + performance.now();
    const core = this.#h.core;
    for (const job of this.#watched) {
      if (job.slot < 0 || job.settled) { this.#watched.delete(job); continue; }
      const started = core.f64[(core.taskPtr(job.slot) + core.L.T_tStart) >> 3];
      if (started === 0 || now - started < job.timeout) continue;
      this.#watched.delete(job);
      job.timedOut = true;
      this.#settle(job, timeoutError(job));
      job.token?.cancel(new Error(messages.timedOutAfter(job.timeout)));
      this.grace(job);
    }
    if (this.#watched.size === 0) { clearInterval(this.#watchdog); this.#watchdog = undefined; this.#tick = Infinity; }
  }

  /**
   * A job's token was cancelled while its task runs: if it is still running after cancelGrace, stop it.
   * A task running on a worker (possibly below tasks it runs while helping in a join) is stopped by
   * terminating that worker. A task suspended on a promise holds no thread: its promise is settled now
   * and its slot is left to come back whenever the promise settles (it no longer counts as in flight).
   */
  grace(job: Job): void {
    if ((job.settled && !job.timedOut) || job.grace !== undefined) return;
    const h = this.#h;
    job.grace = setTimeout(() => {
      job.grace = undefined;
      const t = job.slot;
      if (t < 0 || this.#jobOf(t) !== job || !h.isRunning()) return;
      const core = h.core;
      const stopped = (w: number): Error => job.timedOut
        ? timeoutError(job)
        : new CancelledError(messages.forced(job.name, h.cancelGrace, w), job.token?.reason);
      for (let w = 0; w < core.nWorkers; w++) {
        if (core.runningOn(w).includes(t)) {
          this.#forced.set(t, stopped(w));
          h.killWorker(w);
          return;
        }
      }
      this.#detached.add(t);   // suspended (or between a worker's hands): give up on it
      h.completions.inFlight--;
      this.#settle(job, stopped(-1));
      h.maybeIdle();
    }, h.cancelGrace);
    (job.grace as { unref?: () => void }).unref?.();
  }

  /** The error for slot t if its worker is being terminated for a task that ignored its cancellation. */
  forcedError(t: number): Error | undefined { return this.#forced.get(t); }

  /** Takes slot t's forced error, if any (its slot came back). */
  takeForced(t: number): Error | undefined {
    const e = this.#forced.get(t);
    if (e !== undefined) this.#forced.delete(t);
    return e;
  }

  /** Slot t came back: true if it had been detached (it no longer counted as in flight). */
  undetach(t: number): boolean { return this.#detached.delete(t); }

  /** The executor stopped. */
  stop(): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    this.#tick = Infinity;
    this.#watched.clear();
  }
}
