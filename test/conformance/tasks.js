// The conformance subset's task module: plain JavaScript whose imports are relative, so every runtime's
// workers load it as it is (Node, Bun, Deno, browsers). fib (spawn/join), add and boom are the executor
// tests' own; sfib is here because test/fixtures/subflow-tasks.mjs imports the package by name.
export { add, boom, fib } from '../fixtures/tasks.mjs';

export function bump(arr, i) { return Atomics.add(arr, i, 1) + 1; }
export function loopWhile(arr, i, limit) { return Atomics.load(arr, i) < limit ? 0 : 1; }
/** fib through subflows: a graph built and joined inside the running task. */
export function sfib(n) {
  if (n < 2) return n;
  const sf = this.subflow('fib');
  sf.emplace(sfib, sfib).forEach((t, i) => t.args(n - 1 - i));
  const [x, y] = sf.join();
  return x + y;
}
/** Runs until its token is cancelled, then throws the CancelledError. */
export function untilCancelled(started) {
  Atomics.store(started, 0, 1);
  for (;;) if (this.cancelled) this.checkCancelled();
}
/**
 * The same, yielding between looks: the single-threaded mode's form (a task that never yields holds the
 * only thread, so the cancellation could not even be delivered).
 */
export async function untilCancelledAsync(started) {
  const signal = this.signal;   // the context is the task's only in its synchronous part
  Atomics.store(started, 0, 1);
  while (!signal.aborted) await new Promise((r) => setTimeout(r, 1));
  throw signal.reason;
}
/**
 * Kills its worker: an uncaught error from a timer while the task awaits, which ends a thread in every
 * runtime (Node's and Bun's worker_threads, Deno's and browsers' Web Workers).
 */
export function crashLater(message) {
  setTimeout(() => { throw new Error(message); }, 0);
  return new Promise(() => {});
}
