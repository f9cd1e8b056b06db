// The runtime's split without the runtime, at its best: the axpy kernel (or the f32 sum) over 10^7 f32
// run by this thread on the whole range, then by this thread and one plain thread on halves at once,
// over the same arrays (bench/bare.mjs). The plain thread spins between calls (no wake-up). It prints
// the median of 15 rounds and the range. bench/algorithms.mjs measures the same split beside the runtime
// in every run, with the workers' linger; this tool is the quick look.
// Usage: node bench/tools/map-ceiling.mjs [map|reduce]
// (Sessions 3 and 4 recorded an older form of this tool, two worker threads on halves while the main
// thread slept: bench/RESULTS.md.)
import { compileCore } from '../../build/src/engine/memory.js';
import { bareHelper } from '../bare.mjs';
import { median } from '../lib.mjs';
const op = process.argv[2] ?? 'map';
if (op !== 'map' && op !== 'reduce') throw new Error(`map-ceiling: the op is map or reduce (got ${op})`);
const n = 1e7;
const mem = new WebAssembly.Memory({ initial: Math.ceil(130e6 / 65536), maximum: 65536, shared: true });
const view = (k, v) => new Float32Array(mem.buffer, (1 << 20) + k * 4 * n, n).fill(v);
const [a, b, out] = [view(0, 1), view(1, 2), view(2, 3)];
const bare = await bareHelper(await compileCore(), mem, 1e9);
const one = [], two = [];
for (let r = -2; r < 15; r++) {
  let t0 = performance.now(); bare.run(op, a, b, out, false); const t1 = performance.now() - t0;
  t0 = performance.now(); bare.run(op, a, b, out, true); const t2 = performance.now() - t0;
  if (r >= 0) { one.push(t1); two.push(t2); }
}
await bare.close();
const f = (xs) => `${median(xs).toFixed(2)} ms (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
console.log(`${op}: one thread ${f(one)}; this thread + 1 plain thread on halves ${f(two)}; ratio of medians ${(median(one) / median(two)).toFixed(2)}`);
