// The hardware ceiling for map (or reduce) at 2 workers, without the runtime: the axpy kernel (or the f32
// sum) over 10^7 f32 run by one bare thread on the whole range, then by two on halves at once, over the
// same arrays (bench/bare.mjs). The threads spin between rounds (no wake-up latency); the main thread
// sleeps. bench/algorithms.mjs measures the same beside the runtime in every run; this tool is the
// quick look. Usage: node bench/tools/map-ceiling.mjs [map|reduce]
// (bench/RESULTS.md, session 3: 1.32–1.85× on the 2-vCPU VM; with parked workers woken by a futex, 0.6×.)
import { compileCore } from '../../build/src/memory.js';
import { bareThreads } from '../bare.mjs';
const op = process.argv[2] ?? 'map';
if (op !== 'map' && op !== 'reduce') throw new Error(`map-ceiling: the op is map or reduce (got ${op})`);
const n = 1e7;
const mem = new WebAssembly.Memory({ initial: Math.ceil(130e6 / 65536), maximum: 65536, shared: true });
const view = (k, v) => new Float32Array(mem.buffer, (1 << 20) + k * 4 * n, n).fill(v);
const [a, b, out] = [view(0, 1), view(1, 2), view(2, 3)];
const bare = await bareThreads(await compileCore(), mem, 1e9);
const one = [], two = [];
for (let r = 0; r < 15; r++) {
  let t0 = performance.now(); bare.run(op, a, b, out, 1); one.push(performance.now() - t0);
  t0 = performance.now(); bare.run(op, a, b, out, 2); two.push(performance.now() - t0);
}
await bare.close();
const med = (xs) => xs.sort((p, q) => p - q)[7].toFixed(2);
console.log(op, 'one thread', med(one), 'ms; two threads, halves', med(two), 'ms; ratio', (med(one) / med(two)).toFixed(2));
