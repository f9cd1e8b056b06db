// A bounded multi-producer multi-consumer queue of u32 (Vyukov's bounded MPMC queue,
// see: https://www.1024cores.net/home/lock-free-algorithms/queues/bounded-mpmc-queue).
// Two instances live in the header: the injector (host and overflowing workers → workers) and the
// completion ring (workers → host). Both are sized so they can never be full in use: a task id is in at
// most one queue at a time, and each queue holds at least as many cells as there are task slots.
//
// Each cell is 8 bytes: [seq u32][value u32]. A producer owns cell `pos` when seq == pos, a consumer
// when seq == pos + 1. We store seq - index instead of seq, so a zero-filled memory is a valid empty
// queue (seq == index for every cell) and configure() needs to touch none of the cells.
//
// Ordering: head, tail and seq are only accessed with atomics (all Wasm atomics are sequentially
// consistent). The value is written with an atomic store too, but its publication is the following
// atomic store of seq: a consumer reads the value only after it has seen that seq.
import { Mpmc, EMPTY } from "./layout";

// @ts-ignore: decorator
@inline function cellAt(q: Mpmc, pos: u32): usize { return <usize>q.cells + (<usize>(pos & q.mask) << 3); }

/** Pushes v; returns false when the queue is full (never happens for the sizes configure() picks). Any thread. */
export function mpmcPush(qp: usize, v: u32): bool {
  const q = changetype<Mpmc>(qp);
  let pos = atomic.load<u32>(qp, offsetof<Mpmc>("tail"));
  while (true) {
    const cell = cellAt(q, pos);
    const seq = atomic.load<u32>(cell) + (pos & q.mask);   // stored as seq - index
    const dif = <i32>(seq - pos);
    if (dif == 0) {
      const seen = atomic.cmpxchg<u32>(qp + offsetof<Mpmc>("tail"), pos, pos + 1);
      if (seen == pos) {
        atomic.store<u32>(cell, v, 4);
        atomic.store<u32>(cell, pos + 1 - (pos & q.mask));  // publishes the value: seq = pos + 1
        return true;
      }
      pos = seen;
    } else if (dif < 0) {
      return false;                                          // a full lap behind: full
    } else {
      pos = atomic.load<u32>(qp, offsetof<Mpmc>("tail"));    // another producer got here first
    }
  }
}

/** Pops the oldest value, or EMPTY. Any thread. */
export function mpmcPop(qp: usize): i32 {
  const q = changetype<Mpmc>(qp);
  let pos = atomic.load<u32>(qp, offsetof<Mpmc>("head"));
  while (true) {
    const cell = cellAt(q, pos);
    const seq = atomic.load<u32>(cell) + (pos & q.mask);
    const dif = <i32>(seq - (pos + 1));
    if (dif == 0) {
      const seen = atomic.cmpxchg<u32>(qp + offsetof<Mpmc>("head"), pos, pos + 1);
      if (seen == pos) {
        const v = atomic.load<u32>(cell, 4);
        atomic.store<u32>(cell, pos + q.mask + 1 - (pos & q.mask)); // frees the cell for the next lap
        return <i32>v;
      }
      pos = seen;
    } else if (dif < 0) {
      return EMPTY;
    } else {
      pos = atomic.load<u32>(qp, offsetof<Mpmc>("head"));
    }
  }
}

/** Approximate length (tail - head); exact when no push or pop is in flight. */
export function mpmcLength(qp: usize): u32 {
  return atomic.load<u32>(qp, offsetof<Mpmc>("tail")) - atomic.load<u32>(qp, offsetof<Mpmc>("head"));
}
