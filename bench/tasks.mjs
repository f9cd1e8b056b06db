// Shared task module for the beatflow benches. The runtime imports this file in every worker
// (Executor.create({ module })) and the benches import it too, to name the functions they submit.
import { threadId } from 'node:worker_threads';

export function noop() {}

export function echo(x) {
  return x;
}

// About n iterations of float math; returns a number so the loop cannot be dropped.
export function spin(n) {
  let x = 1.0001;
  for (let i = 0; i < n; i++) x = x * 0.999999 + 1 / (x + i);
  return x;
}

// Spins, then says which thread ran it (used by the memory bench to touch every worker).
export function whoami(n) {
  spin(n);
  return threadId;
}

/** fib(n) through fork-join: two children spawned and joined per call (bench/forkjoin.mjs). */
export function fib(n) {
  if (n < 2) return n;
  const [a, b] = this.join([this.spawn(fib, n - 1), this.spawn(fib, n - 2)]);
  return a + b;
}

/** skynet(num, size, div): the classic recursion; each call spawns `div` children and sums them. */
export function skynet(num, size, div) {
  if (size === 1) return num;
  const handles = [];
  const sub = size / div;
  for (let i = 0; i < div; i++) handles.push(this.spawn(skynet, num + i * sub, sub, div));
  let sum = 0;
  for (const v of this.join(handles)) sum += v;
  return sum;
}

/** fib(n) through subflows: each call builds a two-task subflow and joins it (bench/forkjoin.mjs). */
export function sfib(n) {
  if (n < 2) return n;
  const sf = this.subflow();
  const [a, b] = sf.emplace(sfib, sfib);
  a.args(n - 1);
  b.args(n - 2);
  const [x, y] = sf.join();
  return x + y;
}

/** Says it started (flag[0] = 1), spins until its task is cancelled, returns the epoch ms it saw that (bench/control.mjs). */
export function untilCancelled(flag) {
  Atomics.store(flag, 0, 1);
  for (;;) if (this.cancelled) return performance.timeOrigin + performance.now();
}
