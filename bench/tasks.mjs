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
