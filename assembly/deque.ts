// A Chase–Lev work-stealing deque per worker, fixed capacity, with a defined overflow path.
// see: D. Chase, Y. Lev, "Dynamic Circular Work-Stealing Deque", SPAA 2005;
//      N. M. Lê, A. Pop, A. Cohen, F. Zappa Nardelli, "Correct and Efficient Work-Stealing for Weak
//      Memory Models", PPoPP 2013 (the C11 version whose orderings are mapped below).
//
// Roles: dequePush/dequePop take one of the caller's OWN deques (owner only); dequeSteal takes a VICTIM's
// (any thread). A deque is a worker's WorkerSlot (its normal-level deque) or one of its Deque blocks (the
// other priority levels: layout.ts levelDeque); both have these words at the same offsets. Anyone else submits through the injector (mpmc.ts). The buffer never grows:
// dequePush returns false when it is full and the caller overflows to the injector, which can hold
// every task slot, so nothing is ever dropped (tasks.ts: pushReady).
//
// Words: `top` is CAS'd by thieves and by the owner taking the last item, so it is atomic. `bottom` is
// written only by the owner, but thieves read it, so it is stored and loaded atomically. Buffer cells
// are written by the owner (atomic store, published to thieves by the atomic store of bottom that
// follows) and read by thieves with an atomic load (the owner may overwrite a cell a thief is about
// to read after a wrap; the thief's CAS on top then fails and discards the value it read).
//
// Indices are i32 that wrap; every comparison is on a difference (b - t), valid while size < 2^31.
//
// Lê et al.'s orderings in Wasm (every atomic is seq-cst, nothing weaker exists):
//   push: relaxed load bottom, acquire load top, relaxed store cell, release fence + relaxed store bottom
//         → atomic loads and stores; the SC store of bottom is the release.
//   pop:  relaxed store bottom = b-1, seq_cst fence, relaxed load top
//         → the SC store of bottom followed by the SC load of top *is* that fence.
//   steal: acquire load top, seq_cst fence, acquire load bottom, CAS top (seq_cst)
//         → SC load of top then SC load of bottom gives the same order.
import { Deque, EMPTY, RETRY } from "./layout";

const TOP = offsetof<Deque>("top");
const BOTTOM = offsetof<Deque>("bottom");

// @ts-ignore: decorator
@inline function cell(s: Deque, i: i32): usize { return <usize>s.buf + (<usize>(<u32>i & s.mask) << 2); }

/** Owner only. Pushes v at the bottom; returns false when full (the caller overflows to the injector). */
export function dequePush(sp: usize, v: u32): bool {
  const s = changetype<Deque>(sp);
  const b = atomic.load<i32>(sp, BOTTOM);        // only we write bottom
  const t = atomic.load<i32>(sp, TOP);           // thieves may have advanced it: fresh value
  if (<u32>(b - t) > s.mask) return false;       // size == capacity
  atomic.store<u32>(cell(s, b), v);
  atomic.store<i32>(sp, b + 1, BOTTOM);          // publishes the cell to thieves
  return true;
}

/** Owner only. Pops the most recently pushed value (LIFO), or EMPTY. */
export function dequePop(sp: usize): i32 {
  const s = changetype<Deque>(sp);
  // Fast empty check with loads only: only the owner adds items, so if it looks empty now it is, and
  // we skip the two stores (each a full barrier on x86) of the reserving protocol below.
  if (atomic.load<i32>(sp, BOTTOM) - atomic.load<i32>(sp, TOP) <= 0) return EMPTY;
  const b = atomic.load<i32>(sp, BOTTOM) - 1;
  atomic.store<i32>(sp, b, BOTTOM);              // reserve the bottom cell before looking at top …
  const t = atomic.load<i32>(sp, TOP);           // … the SC store/load pair is Lê et al.'s fence
  const size = b - t;                            // items left after taking one
  if (size < 0) {                                // was empty: restore bottom
    atomic.store<i32>(sp, b + 1, BOTTOM);
    return EMPTY;
  }
  let v = <i32>atomic.load<u32>(cell(s, b));
  if (size == 0) {                               // the last item: race thieves for it on top
    if (atomic.cmpxchg<i32>(sp + TOP, t, t + 1) != t) v = EMPTY;
    atomic.store<i32>(sp, b + 1, BOTTOM);        // either way the deque is now empty (top == b + 1)
  }
  return v;
}

/** Any thread. Takes the oldest value from a victim's deque: the value, EMPTY, or RETRY (lost a race). */
export function dequeSteal(sp: usize): i32 {
  const s = changetype<Deque>(sp);
  const t = atomic.load<i32>(sp, TOP);
  const b = atomic.load<i32>(sp, BOTTOM);        // read after top: see the note above
  if (b - t <= 0) return EMPTY;
  const v = <i32>atomic.load<u32>(cell(s, t));   // read before the CAS; discarded if the CAS fails
  if (atomic.cmpxchg<i32>(sp + TOP, t, t + 1) != t) return RETRY;
  return v;
}

/** Approximate number of items (exact when the owner is not mid-operation). */
export function dequeLength(sp: usize): i32 {
  const n = atomic.load<i32>(sp, BOTTOM) - atomic.load<i32>(sp, TOP);
  return n < 0 ? 0 : n;
}
