// The conformance subset's task module: plain JavaScript with no imports, so every runtime's workers load
// it as it is (Node, Bun, Deno, browsers).
export function add(a, b) { return a + b; }
export function boom(msg) { const e = new TypeError(msg); e.code = 'E_BOOM'; throw e; }
export function bump(arr, i) { return Atomics.add(arr, i, 1) + 1; }
export function loopWhile(arr, i, limit) { return Atomics.load(arr, i) < limit ? 0 : 1; }
/** fib through fork-join: spawn two children, join them. */
export function fib(n) {
  if (n < 2) return n;
  const [x, y] = this.join([this.spawn(fib, n - 1), this.spawn(fib, n - 2)]);
  return x + y;
}
/** fib through subflows: a graph built and joined inside the running task. */
export function sfib(n) {
  if (n < 2) return n;
  const sf = this.subflow('fib');
  const [a, b] = sf.emplace(sfib, sfib);
  a.args(n - 1);
  b.args(n - 2);
  const [x, y] = sf.join();
  return x + y;
}
/** Runs until its token is cancelled, then throws the CancelledError. */
export function untilCancelled(started) {
  Atomics.store(started, 0, 1);
  for (;;) if (this.cancelled) this.checkCancelled();
}
