// The sleep protocol: spin briefly, then park on a futex word; wake only when someone sleeps.
// The full argument for "no lost wake-up" is in assembly/README.md#sleep; the steps are labelled here.
//
// Words (Header line 1, all accessed with atomics only):
//   spinners  workers searching for work without sleeping (at most maxSpinners spin for long)
//   sleepers  workers that announced they are about to park, until they are woken
//   epoch     the futex word; a waker bumps it before notify, so a sleeper that read the old value
//             either sees the change (wait returns "not-equal") or is queued and receives the notify
//   shutdown  set once by the host; sleepers are all woken
import { HEADER, Header } from "./layout";

const SPINNERS = HEADER + offsetof<Header>("spinners");
const SLEEPERS = HEADER + offsetof<Header>("sleepers");
const EPOCH = HEADER + offsetof<Header>("epoch");
const SHUTDOWN_WORD = HEADER + offsetof<Header>("shutdown");

/**
 * Producer side, after publishing work (a deque push, an injector push). Wakes one sleeper if nobody is
 * searching. Costs two atomic loads when nobody sleeps: notify alone costs ~20 ns even with no waiter.
 */
export function notifyWork(): void {
  if (atomic.load<i32>(SPINNERS) == 0 && atomic.load<i32>(SLEEPERS) > 0) wakeOne();
}

/** Bumps the epoch and wakes one parked worker. */
export function wakeOne(): void {
  atomic.add<i32>(EPOCH, 1);
  atomic.notify(EPOCH, 1);
}

/** Host: sets the shutdown flag and wakes every parked worker. */
export function wakeAllForShutdown(): void {
  atomic.store<i32>(SHUTDOWN_WORD, 1);
  atomic.add<i32>(EPOCH, 1);
  atomic.notify(EPOCH, -1);
}

// @ts-ignore: decorator
@inline export function isShutdown(): bool { return atomic.load<i32>(SHUTDOWN_WORD) != 0; }

/** Worker: enter the searching state. Returns true if this worker may spin (fewer than maxSpinners do). */
export function beginSearch(maxSpinners: u32): bool {
  return <u32>atomic.add<i32>(SPINNERS, 1) < maxSpinners;
}

/**
 * Worker: leave the searching state because work was found. The last searcher to leave wakes a sleeper
 * so that, while work remains, someone is always looking for the rest (Taskflow's "last thief wakes").
 */
export function endSearchFound(): void {
  if (atomic.sub<i32>(SPINNERS, 1) == 1 && atomic.load<i32>(SLEEPERS) > 0) wakeOne();
}

/** Worker: leave the searching state empty-handed, on the way to sleep. */
export function endSearchEmpty(): void {
  atomic.sub<i32>(SPINNERS, 1);
}

/** Worker, step W1 of waitForTask: read the epoch, then announce. Returns the epoch to wait on. */
export function announceSleep(): i32 {
  const e = atomic.load<i32>(EPOCH);   // W1a: before announcing, so a wake after our re-check is seen
  atomic.add<i32>(SLEEPERS, 1);        // W1b: from here on every producer that finds no searcher wakes us
  return e;
}

/** Worker, W3: the re-check (W2, done by the caller) found work or shutdown: withdraw the announcement. */
export function cancelSleep(): void {
  atomic.sub<i32>(SLEEPERS, 1);
}

/** Worker, W4: park until the epoch moves (or timeoutNs passes; -1 = forever). Returns the wait outcome. */
export function park(epoch: i32, timeoutNs: i64): i32 {
  const r = atomic.wait<i32>(EPOCH, epoch, timeoutNs);
  atomic.sub<i32>(SLEEPERS, 1);
  return r;
}
