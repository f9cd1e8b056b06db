// Fixed cost of a small algorithm call: sequential `await reduce(ex, a, 'sum')` over 1000 f32 (the caller
// does it alone: src/algorithms/caller.ts), the same with `caller: false` (a driving task on a worker),
// and an empty `executor.async` for scale. Rounds interleaved; median µs per call over the rounds.
// Usage: node bench/tools/call-overhead.mjs   (BEATFLOW_MODULE=<path to a build's index.js>: that build)
import { loadBeatflow } from '../lib.mjs';

const { Executor, reduce } = await loadBeatflow();

const ex = await Executor.create({ workers: 2 });
const a = ex.shared(Float32Array, 1000).fill(1);
const noop = () => 0;
const cases = {
  'reduce(1000 f32), caller takes part': () => reduce(ex, a, 'sum'),
  'reduce(1000 f32), caller: false': () => reduce(ex, a, 'sum', { caller: false }),
  'empty executor.async': () => ex.async(noop),
};
const CALLS = 500, ROUNDS = 9;
const per = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = -1; r < ROUNDS; r++) {
  for (const [k, f] of Object.entries(cases)) {
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) await f();
    if (r >= 0) per[k].push(((performance.now() - t0) * 1000) / CALLS);
  }
}
for (const [k, xs] of Object.entries(per)) {
  xs.sort((p, q) => p - q);
  console.log(`${k.padEnd(38)} ${xs[ROUNDS >> 1].toFixed(1)} µs per call (range ${xs[0].toFixed(1)}–${xs[ROUNDS - 1].toFixed(1)})`);
}
await ex.close();
