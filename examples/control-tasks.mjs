// The task module for examples/control.mjs: every worker imports it.

/** fib through subflows: each call builds a graph of two tasks and joins it. */
export function fib(n) {
  if (n < 2) return n;
  const sf = this.subflow();
  const [a, b] = sf.emplace(fib, fib);
  a.args(n - 1);
  b.args(n - 2);
  const [x, y] = sf.join();
  return x + y;
}

/** An async task: its worker runs other tasks while it waits. */
export async function fetchLater(ms, v) {
  await new Promise((r) => setTimeout(r, ms));
  return v;
}

/** A long loop that stops when its task is cancelled. */
export function crunch() {
  let i = 0;
  for (;;) { if ((++i & 0xffff) === 0) this.checkCancelled(); }
}

/** Fails on the first two attempts (counted in a shared array), then succeeds: for retries. */
export function flaky(attempts) {
  if (Atomics.add(attempts, 0, 1) < 2) throw new Error('transient');
  return 'ok';
}
