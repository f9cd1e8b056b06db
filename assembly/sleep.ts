// The sleep protocol: search (spin) briefly, then park; wake only when someone sleeps, and wake each
// sleeper at most once. The argument for "no lost wake-up" is in assembly/README.md#sleep; the steps
// are labelled here.
//
// Words, all accessed with atomics only:
//   Header.spinners     workers searching for work; a producer that sees one skips waking anybody
//   Header.sleepers     workers announced as parked and not yet claimed; producers look only when > 0
//   WorkerSlot.parked   1 while worker w is announced; the futex word w waits on. A waker *claims* w by
//                       CAS 1 → 0 and then decrements sleepers and notifies: one claim, one notify.
//   Header.shutdown     set once by the host; every parked worker is claimed and woken
import { HEADER, Header, WorkerSlot, workerAt } from "./layout";

const SPINNERS = HEADER + offsetof<Header>("spinners");
const SLEEPERS = HEADER + offsetof<Header>("sleepers");
const HINT = HEADER + offsetof<Header>("wakeHint");
const SHUTDOWN_WORD = HEADER + offsetof<Header>("shutdown");
const PARKED = offsetof<WorkerSlot>("parked");

/**
 * Producer side, after publishing work (a deque push, an injector push): wakes one sleeper if nobody is
 * searching. Costs two atomic loads when nobody sleeps (a notify costs ~20 ns even with no waiter).
 */
export function notifyWork(): void {
  if (atomic.load<i32>(SPINNERS) == 0 && atomic.load<i32>(SLEEPERS) > 0) wakeOne();
}

/** Claims one parked worker and wakes it. Returns false if none was parked. */
export function wakeOne(): bool {
  const n = changetype<Header>(HEADER).nWorkers;
  let w = atomic.load<u32>(HINT) % n;
  for (let i: u32 = 0; i < n; i++, w = w + 1 == n ? 0 : w + 1) {
    if (claim(w)) { atomic.store<u32>(HINT, w + 1); return true; }
  }
  return false;
}

/** CAS worker w's parked word 1 → 0; on success the caller owns its wake-up: count it off and notify. */
function claim(w: u32): bool {
  const p = workerAt(w) + PARKED;
  if (atomic.load<i32>(p) != 1 || atomic.cmpxchg<i32>(p, 1, 0) != 1) return false;
  atomic.sub<i32>(SLEEPERS, 1);
  atomic.notify(p, 1);
  return true;
}

/** Host: sets the shutdown flag and wakes every parked worker. */
export function wakeAllForShutdown(): void {
  atomic.store<i32>(SHUTDOWN_WORD, 1);
  const n = changetype<Header>(HEADER).nWorkers;
  for (let w: u32 = 0; w < n; w++) claim(w);
}

// @ts-ignore: decorator
@inline export function isShutdown(): bool { return atomic.load<i32>(SHUTDOWN_WORD) != 0; }

/** Workers searching now (a hint: it changes as soon as it is read). */
export function spinnerCount(): u32 {
  return <u32>atomic.load<i32>(SPINNERS);
}

/** Worker: enter the searching state. Returns true if this worker may spin (fewer than maxSpinners do). */
export function beginSearch(maxSpinners: u32): bool {
  return <u32>atomic.add<i32>(SPINNERS, 1) < maxSpinners;
}

/**
 * Worker: leave the searching state because work was found. If it was the last searcher and more work
 * is visible (`more`), it wakes a sleeper so somebody looks for the rest (Taskflow's "last thief
 * wakes"). Waking when nothing more is visible would only make two workers trade futex wake-ups while
 * the host is the bottleneck. Not needed for correctness: producers wake sleepers themselves.
 */
export function endSearchFound(more: bool): void {
  if (atomic.sub<i32>(SPINNERS, 1) == 1 && more && atomic.load<i32>(SLEEPERS) > 0) wakeOne();
}

/** Worker: leave the searching state empty-handed, on the way to sleep. */
export function endSearchEmpty(): void {
  atomic.sub<i32>(SPINNERS, 1);
}

/** Worker w, W1: announce. From here every producer that finds no searcher will claim and wake someone. */
export function announceSleep(w: u32): void {
  atomic.store<i32>(workerAt(w) + PARKED, 1);   // W1a: claimable …
  atomic.add<i32>(SLEEPERS, 1);                 // W1b: … and counted, in that order (a waker that sees the count finds the word)
}

/**
 * Worker w, W3: the re-check (W2, done by the caller) found work or shutdown: withdraw. If a waker
 * claimed us first it has already counted us off; either way we are awake and searching.
 */
export function cancelSleep(w: u32): void {
  if (atomic.cmpxchg<i32>(workerAt(w) + PARKED, 1, 0) == 1) atomic.sub<i32>(SLEEPERS, 1);
}

/**
 * Worker w, W4: park until claimed (or timeoutNs passes; -1 = forever). Returns the wait outcome:
 * 0 woken, 1 already claimed, 2 timed out.
 * Whatever woke us, we then withdraw as in W3: a notify is not proof of a claim. A waker preempted
 * between its claim and its notify can deliver that notify late, after we were woken another way and
 * announced again; the CAS in cancelSleep tells a real claim (already counted off) from such a wake.
 */
export function park(w: u32, timeoutNs: i64): i32 {
  const r = atomic.wait<i32>(workerAt(w) + PARKED, 1, timeoutNs);
  cancelSleep(w);
  return r;
}
