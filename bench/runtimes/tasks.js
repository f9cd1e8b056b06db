// The per-runtime bench's task module (bench/runtimes.mjs): plain JavaScript with no imports, so every
// runtime's workers load it as it is (bench/tasks.mjs imports node:worker_threads).
export function noop() {}

/** About n iterations of float math (spin(200) is about 1 µs); returns a number so the loop stays. */
export function spin(n) {
  let x = 1.0001;
  for (let i = 0; i < n; i++) x = x * 0.999999 + 1 / (x + i);
  return x;
}
