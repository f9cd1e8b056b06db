// The worker's half of the lifecycle (the host's half: src/engine/lifecycle.ts, src/engine/pool.ts). Between tasks,
// holding none, a worker asks whether to leave: *recycling* (it ran recycleAfterTasks tasks, or its
// isolate's heap passed recycleAboveHeapMb) or, on an elastic slot, *idle exit* (idleTimeout ms without
// work). Before leaving it writes why in its slot's `exit` word (assembly/layout.ts WorkerSlot.exit), so
// the pool tells a planned exit from a crash. The word is written by the worker with an atomic store just
// before it exits and reset by the pool before it starts the slot's next thread (the thread's start
// publishes that reset). Atomic because the pool reads it from another thread; the thread's exit orders
// it before the pool's 'exit' event in practice, but the idle-exit handshake below needs sequential
// consistency anyway.
//
// Idle exit (elastic slots only). The Wasm loop parks forever inside next()/finish(), so an elastic
// worker never blocks in Wasm: it retires with finishNested and waits here, with the same steps as
// assembly/sleep.ts (W1 announce, W2 re-check, W4 park, withdraw whoever woke us) but a bounded park.
// When the park times out it withdraws (producers stop counting it as a sleeper), stores IDLE_EXIT, and
// looks for work once more (tryNext) before it leaves. A host submission is pushed, and *then* the host
// reads the exit words (pool.demand): in the single order of SC atomics either the host sees
// IDLE_EXIT (and starts a thread if work still waits once this one is gone) or the worker's last look
// comes after the push and finds it. Work pushed by other workers is theirs to run: they are alive.
import { platform } from '../platform/current.js';
import { EMPTY, RETRY, SHUTDOWN, type SharedCore } from '../engine/memory.js';
import { RUNNING, RECYCLING, IDLE_EXIT, type LifecycleData } from '../engine/thread-protocol.js';

/** Tasks between two heap checks: getHeapStatistics costs about a microsecond. */
const HEAP_CHECK_EVERY = 64;

/** A worker's view of its lifecycle. Worker thread only. */
export interface WorkerLifecycle {
  /** An elastic slot: retire with finishNested and wait in next() (never block inside Wasm). */
  readonly elastic: boolean;
  /** recycleAfterTasks or recycleAboveHeapMb is set: the loop calls recycleDue between tasks. */
  readonly recycles: boolean;
  /** Between tasks, holding none: true (and the control word set) if this thread should be recycled now. */
  recycleDue(): boolean;
  /** Elastic slots: the next task, or SHUTDOWN when shutting down or leaving idle (the control word tells which). */
  next(): number;
  /** After the loop: a planned exit (recycling, idle) ends the thread now, whatever handles tasks left open. */
  leave(): void;
}

export function workerLifecycle(core: SharedCore, w: number, data: LifecycleData | undefined): WorkerLifecycle {
  const x = core.x;
  const L = core.L;
  const ctl = core.i32;   // the slot lies below the heap: inside the view however the memory grows
  const at = (core.workerPtr(w) + L.W_exit) >> 2;
  const executedAt = (core.workerPtr(w) + L.W_executed) >> 2;
  const parkedAt = (core.workerPtr(w) + L.W_parked) >> 2;
  // `executed` counts per slot, over every thread the slot had: count from where this thread started.
  const recycleAt = data && data.recycleAfterTasks > 0 ? (core.u32[executedAt] + data.recycleAfterTasks) >>> 0 : -1;
  const heapLimit = data && data.recycleAboveHeapMb > 0 ? data.recycleAboveHeapMb * 1024 * 1024 : 0;
  let nextHeapCheck = core.u32[executedAt];
  const idleMs = data?.idleTimeout ?? 0;

  function recycleDue(): boolean {
    const ran = core.u32[executedAt];
    let due = recycleAt >= 0 && ((ran - recycleAt) | 0) >= 0;   // wrap-safe: the counter is a u32
    if (!due && heapLimit > 0 && ((ran - nextHeapCheck) | 0) >= 0) {
      nextHeapCheck = (ran + HEAP_CHECK_EVERY) >>> 0;
      due = platform().heapUsedBytes() > heapLimit;
    }
    if (due) { x.flushRun(w); Atomics.store(ctl, at, RECYCLING); }
    return due;
  }

  function next(): number {
    for (;;) {
      let t = x.tryNext(w);                                   // own deque, then one explore round
      if (t >= 0 || t === SHUTDOWN) return t;
      if (t === RETRY) continue;
      x.announceSleep(w);                                     // W1
      t = x.tryNext(w);                                       // W2
      if (t !== EMPTY) { x.cancelSleep(w); if (t === RETRY) continue; return t; }   // W3
      const r = Atomics.wait(core.i32, parkedAt, 1, idleMs);  // W4, bounded
      x.cancelSleep(w);                                       // withdraw, whoever woke us
      if (r !== 'timed-out') continue;
      Atomics.store(ctl, at, IDLE_EXIT);                      // the handshake with pool.demand (above)
      t = x.tryNext(w);
      if (t === EMPTY || t === SHUTDOWN) return SHUTDOWN;
      Atomics.store(ctl, at, RUNNING);                        // work arrived after all: stay
      if (t >= 0) return t;
    }
  }

  function leave(): void {
    if (Atomics.load(ctl, at) !== RUNNING) platform().exitThread();
  }

  return { elastic: idleMs > 0, recycles: recycleAt >= 0 || heapLimit > 0, recycleDue, next, leave };
}
