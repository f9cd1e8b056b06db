// The task module of the workerd example: bundled into the worker, and passed to the executor as a
// module namespace (there are no worker threads to import it by URL).
export function words(text) { return text.split(/\s+/).filter(Boolean); }
export function count(list) { return list.length; }
export function longest(list) { return list.reduce((a, b) => (b.length > a.length ? b : a), ''); }
/** fib through fork-join: children spawned and joined on the same (only) worker. */
export function fib(n) {
  if (n < 2) return n;
  const [a, b] = this.join([this.spawn(fib, n - 1), this.spawn(fib, n - 2)]);
  return a + b;
}
