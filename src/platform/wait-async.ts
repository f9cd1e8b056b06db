// Waiting on a shared word without blocking: Atomics.waitAsync where the runtime has it, else a poll
// (docs/platforms.md, "Without Atomics.waitAsync"). Every runtime beatflow is tested on has waitAsync;
// Firefox before 145 and Safari before 16.4 do not, and there the host thread (completions.ts), the
// single-threaded mode's worker and a worker's async tasks (worker/suspend.ts) and cancellation signals
// (worker/cancel.ts) wait through the poll instead. Nothing here blocks.
//
// The poll: every pending wait of this thread is in one list, checked by one loop, which runs only while
// the list is not empty. A wait ends when its word no longer holds the value it waited on: each shared
// word waited on here changes before it is notified (hostSeq is bumped, a parked word is claimed, a
// cancellation flag is set), so a change is what a notify would have said. The loop looks once per
// macrotask turn (microseconds apart) for the first TURN_MS after a wait begins or one ends, then on
// timers that grow with the time gone by: a wake-up is seen at most a quarter of the wait late, and never
// more than MAX_POLL_MS late. An idle executor has no waits pending (the pump stops), except the
// single-threaded mode's sleeping worker and watched cancellation tokens: those cost one timer every
// MAX_POLL_MS while they wait. Timers are unref'd where the runtime can (Node, Bun), so a poll, like a
// pending waitAsync, never holds a process open.

/** What Atomics.waitAsync returns, without a timeout. */
export type AsyncWait = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

/** The poll checks once per macrotask turn for this long (ms) after a wait begins or ends: a round trip takes microseconds. */
const TURN_MS = 0.5;
/** Then on timers of the time since then over this: a wake-up is seen at most a quarter of the wait late. */
const LATE_FRACTION = 4;
/** The longest a poll sleeps (ms): the most a wake-up after a long idle is seen late, and an idle waiter's cost (125 looks a second). */
const MAX_POLL_MS = 8;

interface Waiter { i32: Int32Array; index: number; value: number; resolve(v: 'ok'): void }

const waiters: Waiter[] = [];
let scheduled = false;
/** When a wait last began or ended: the poll's pace follows the time since. */
let since = 0;

/** Whether this runtime has Atomics.waitAsync: read at each call, so a runtime (or a test) may lack it at any time. */
export function hasWaitAsync(): boolean {
  return typeof (Atomics as { waitAsync?: unknown }).waitAsync === 'function';
}

/**
 * Atomics.waitAsync(i32, index, value) without a timeout: resolves 'ok' once the word is notified (or,
 * polled, once it changed). Any thread may call it; the poll is per thread.
 */
export function waitAsync(i32: Int32Array, index: number, value: number): AsyncWait {
  if (hasWaitAsync()) return (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): AsyncWait }).waitAsync(i32, index, value);
  if (Atomics.load(i32, index) !== value) return { async: false, value: 'not-equal' };
  return { async: true, value: new Promise<'ok'>((resolve) => { waiters.push({ i32, index, value, resolve }); poll(); }) };
}

/** Waits now pending in this thread's poll (tests read it: a finished executor leaves none behind but its tokens'). */
export function pollingWaits(): number {
  return waiters.length;
}

/** A new wait, or one that ended: the poll speeds up again. */
function poll(): void {
  since = performance.now();
  schedule();
}

function schedule(): void {
  if (scheduled || waiters.length === 0) return;
  scheduled = true;
  const idle = performance.now() - since;
  if (idle < TURN_MS) macrotask(look);
  else {
    const t = setTimeout(look, Math.min(MAX_POLL_MS, idle / LATE_FRACTION)) as unknown as { unref?(): void };
    t.unref?.();   // Node and Bun: a pending wait does not hold the process (nor does a pending waitAsync)
  }
}

/** One look at every pending wait: those whose word changed end, in the order they began. */
function look(): void {
  scheduled = false;
  let ended = 0;
  for (let i = 0; i < waiters.length; i++) {
    const w = waiters[i];
    if (Atomics.load(w.i32, w.index) === w.value) { waiters[i - ended] = w; continue; }
    ended++;
    w.resolve('ok');
  }
  waiters.length -= ended;
  if (ended > 0) since = performance.now();
  schedule();
}

let channel: { port: MessagePort; queue: (() => void)[] } | undefined;

/**
 * Calls fn after the event loop had a turn (timers and I/O may run first), without setTimeout's clamping:
 * setImmediate where there is one (Node, Bun), else a message to ourselves (browsers, Deno).
 */
export function macrotask(fn: () => void): void {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (typeof g.setImmediate === 'function') { g.setImmediate(fn); return; }
  if (channel === undefined) {
    const ch = new MessageChannel();
    const queue: (() => void)[] = [];
    ch.port1.onmessage = () => queue.shift()?.();
    channel = { port: ch.port2, queue };
  }
  channel.queue.push(fn);
  channel.port.postMessage(0);
}
