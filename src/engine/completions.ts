// The completion pump: how finished work comes back to the host.
//
// Workers post each finished lone task (a task submitted from the host: async, submit, an algorithm's
// helper) and each finished run on the completion ring (a Vyukov MPMC queue in shared memory; entries
// are task slots, or RUN_BIT | run slot). The host takes them off in one loop, `pump`, that runs only
// while something is in flight, and sleeps between batches on Header.hostSeq (Platform.waitAsync: or
// its poll, platform/wait-async.ts, where the runtime has no Atomics.waitAsync):
// a worker that posts while Header.hostWaiting is set bumps hostSeq and notifies it. So the host wakes
// once per batch of completions, never once per task, and an idle executor holds no event-loop handle.
//
// Before sleeping, the pump may poll the ring for a few microseconds when few tasks are in flight
// (policy/scheduling.ts nextHostSpin): an event-loop wake-up costs more than a short round trip.
//
// The pump never holds the host thread for long: between batches it lets continuations run (a microtask),
// and when work keeps coming back within its poll it never sleeps, so on its own it would run the thread
// in microtasks only, and timers and I/O would wait for as long as the stream lasts (a pipeline fed by its
// own completions lasts for ever). After PUMP_SLICE_MS without a macrotask turn it yields one.
import { EMPTY, RUN_BIT, type SharedCore } from './memory.js';
import { nextHostSpin, initialHostSpin, hostMayPoll } from '../policy/scheduling.js';
import type { KeepAlive, Platform } from '../platform/types.js';

/** Completions the host takes off the ring and sorts at once. */
const DRAIN_BATCH = 4096;
/**
 * The longest the pump runs the host thread without a macrotask turn (ms): draining, polling and the
 * continuations it lets run in between. A turn costs microseconds (setImmediate in Node).
 */
export const PUMP_SLICE_MS = 4;

/** Where the pump hands what it takes off the ring, and what it asks before it sleeps. */
export interface CompletionHandlers {
  /** Lone task t retired: its slot holds its outcome. */
  task(t: number): void;
  /** Run r ended (every task retired, or it was cancelled or failed). */
  run(r: number): void;
  /** After each batch: workers took tasks (backpressure waiters may go on). */
  afterBatch(): void;
  /** In flight but not awaited: helpers whose call took their partials another way (the pump does not poll for them). */
  unawaited(): number;
  /** Before the pump sleeps: queued work with no awake worker gets one (algorithms submit helpers without a wake). */
  beforeSleep(): void;
  /** The pump stopped: nothing is in flight. */
  idle(): void;
}

/** Host thread only. */
export class Completions {
  /** Completions the pump waits for: lone tasks in a slot, runs started, orphaned children not retired. */
  inFlight = 0;
  readonly #core: SharedCore;
  readonly #keepAlive: KeepAlive;
  readonly #on: CompletionHandlers;
  readonly #ring: number;
  readonly #hostSeq: number;
  readonly #hostWaiting: number;
  readonly #batch = new Uint32Array(DRAIN_BATCH);
  #pumping = false;
  /** The poll budget before sleeping (µs), learned (nextHostSpin); below 1: no polling until a probe. */
  #spinUs = initialHostSpin();
  #spinProbe = 0;
  /** Whether a batch is sorted into slot order before it is handed over (drain). */
  readonly #sort: boolean;
  readonly #wait: Platform['waitAsync'];
  readonly #turn: Platform['yieldToEventLoop'];

  /**
   * `wait`: the platform's waitAsync; `turn`, its yieldToEventLoop. `poll`: false in the single-threaded mode, where the worker runs
   * only when this thread yields. Then completions also come back in the order the one worker ran the
   * tasks, which is the order they were submitted in (within a priority level): the order drain() would
   * sort them into, near enough.
   */
  constructor(core: SharedCore, keepAlive: KeepAlive, wait: Platform['waitAsync'], turn: Platform['yieldToEventLoop'],
    on: CompletionHandlers, poll = true) {
    if (!poll) this.#spinUs = -Infinity;   // below 1, and never probed again (the probe sets it from 0)
    this.#sort = poll;
    this.#core = core;
    this.#keepAlive = keepAlive;
    this.#wait = wait;
    this.#turn = turn;
    this.#on = on;
    this.#ring = core.L.completions;
    this.#hostSeq = (core.L.header + core.L.H_hostSeq) >> 2;
    this.#hostWaiting = (core.L.header + core.L.H_hostWaiting) >> 2;
  }

  /** Starts the pump if something is in flight and it is not running; it holds the process open meanwhile. */
  ensurePump(): void {
    if (this.#pumping || this.inFlight === 0) return;
    this.#pumping = true;
    this.#keepAlive.hold();
    void this.#pump();
  }

  /** Nothing is in flight any more (the executor stopped): wake a sleeping pump so it sees that and ends. */
  abandon(): void {
    this.inFlight = 0;
    const i32 = this.#core.i32;
    Atomics.add(i32, this.#hostSeq, 1);
    Atomics.notify(i32, this.#hostSeq);
  }

  /**
   * Drains the ring until nothing is in flight; sleeps on hostSeq between batches. Starts after the
   * caller's synchronous code (the first await), so a burst of submissions is never held up.
   */
  async #pump(): Promise<void> {
    const i32 = this.#core.i32;
    const on = this.#on;
    await null;
    let turned = performance.now();   // when the thread last had a macrotask turn
    while (this.inFlight > 0) {
      if (performance.now() - turned > PUMP_SLICE_MS) {
        await this.#turn();
        turned = performance.now();
        continue;
      }
      if (this.drain() > 0) { on.afterBatch(); await null; continue; }   // let continuations run between batches
      let missedAt = -1;
      const awaited = this.inFlight - on.unawaited();
      if (this.#spinUs >= 1 && awaited > 0 && hostMayPoll(awaited, this.#core.nWorkers)) {
        const start = performance.now();
        if (this.#poll(this.#spinUs)) {
          this.#spinUs = nextHostSpin(this.#spinUs, true);
          continue;
        }
        missedAt = start;                                   // learn below how long it took after all
      } else if (this.#spinUs < 1 && this.#spinUs > -Infinity && ++this.#spinProbe % 64 === 0) {
        this.#spinUs = nextHostSpin(0, true);             // probe again now and then: the load may have changed
      }
      const seq = Atomics.load(i32, this.#hostSeq);
      Atomics.store(i32, this.#hostWaiting, 1);           // from here a finishing worker bumps hostSeq …
      if (this.drain() > 0 || this.inFlight === 0) { await null; continue; }   // … so re-check first
      on.beforeSleep();
      if (Atomics.load(i32, this.#hostSeq) !== seq) continue;   // a worker posted meanwhile: no sleep
      await this.#wait(i32, this.#hostSeq, seq);
      turned = performance.now();   // the wake was a macrotask turn of its own (a notify, or the poll's)
      if (missedAt >= 0) this.#spinUs = nextHostSpin(this.#spinUs, false, (performance.now() - missedAt) * 1000);
    }
    this.#pumping = false;
    this.#keepAlive.release();
    on.afterBatch();
    on.idle();
  }

  /** Polls the ring for up to us microseconds; true if something arrived. */
  #poll(us: number): boolean {
    const x = this.#core.x;
    const q = this.#ring;
    const end = performance.now() + us / 1000;
    for (let i = 1; ; i++) {
      if (x.mpmcLength(q) !== 0) return true;
      if ((i & 31) === 0 && performance.now() > end) return false;
    }
  }

  /**
   * Takes what the ring holds (up to DRAIN_BATCH at a time) and hands it over in slot order: completions
   * come back far from submission order (priorities, stealing), and settling 100k promises out of order
   * costs the host several times more (memory locality). Slot order is close to allocation order, which
   * is close to submission order (in the single-threaded mode the ring's order is that already: no sort).
   * Returns how many it took. Also called outside the pump (reap).
   */
  drain(): number {
    const x = this.#core.x;
    const ring = this.#ring;
    const batch = this.#batch;
    const on = this.#on;
    let n = 0;
    for (;;) {
      let k = 0;
      for (let v = x.mpmcPop(ring); v !== EMPTY; v = k < DRAIN_BATCH ? x.mpmcPop(ring) : EMPTY) batch[k++] = v >>> 0;
      if (k === 0) return n;
      n += k;
      const done = batch.subarray(0, k);
      if (k > 1 && this.#sort) done.sort();
      for (let i = 0; i < k; i++) {
        const v = done[i];
        try {
          if ((v & RUN_BIT) !== 0) on.run(v ^ RUN_BIT);
          else on.task(v);
        } catch (e) {
          // A bug here must not stop the pump (every later completion would hang): report it and go on.
          queueMicrotask(() => { throw e; });
        }
      }
    }
  }
}
