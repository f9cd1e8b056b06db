// Per-call time of back-to-back calls at a size where the runtime's fixed cost shows (default 10^6 f32):
// `reduce(ex, a, 'sum')` or `transform(ex, [a, b], out, { op: 'axpy', s0: 2 })` on 2 workers, in turns
// with the same kernel on this thread (blocks of 10 calls, 20 rounds); median µs per call and the ratio.
// Usage: node bench/tools/small-calls.mjs [reduce|map] [n] [build root]
// The build root (default: this checkout) lets two checkouts be compared in alternate processes.
import { pathToFileURL } from 'node:url';
import { coreOf } from '../lib.mjs';

const op = process.argv[2] ?? 'reduce', n = Number(process.argv[3] ?? 1e6);
const root = pathToFileURL(`${process.argv[4] ?? new URL('../..', import.meta.url).pathname}/`);
const { Executor, reduce, transform } = await import(new URL('build/src/index.js', root).href);
const K = await import(new URL('build/src/kernels.js', root).href);
const ex = await Executor.create({ workers: 2 });
const a = ex.shared(Float32Array, n).fill(1), b = ex.shared(Float32Array, n).fill(2), out = ex.shared(Float32Array, n);
const x = (await coreOf(ex, new URL('build/src/index.js', root).href)).x;
const twoWorkers = op === 'map' ? () => transform(ex, [a, b], out, { op: 'axpy', s0: 2 }) : () => reduce(ex, a, 'sum');
const oneThread = op === 'map'
  ? () => K.runMap(x, { kind: 'map', op: 'axpy', dtype: 'f32', scalars: [2] }, out.byteOffset, [a.byteOffset, b.byteOffset], 0, n)
  : () => K.runReduce(x, { kind: 'reduce', op: 'sum', dtype: 'f32' }, [a.byteOffset], 0, n);
const t2 = [], t1 = [];
for (let r = 0; r < 20; r++) {
  for (let i = 0; i < 10; i++) { const t0 = performance.now(); await twoWorkers(); t2.push(performance.now() - t0); }
  for (let i = 0; i < 10; i++) { const t0 = performance.now(); await oneThread(); t1.push(performance.now() - t0); }
}
const med = (xs) => xs.sort((p, q) => p - q)[xs.length >> 1] * 1000;
console.log(`${op} ${n}: 2 workers ${med(t2).toFixed(0)} µs, 1 thread ${med(t1).toFixed(0)} µs per call: ${(med(t1) / med(t2)).toFixed(2)}×`);
await ex.close();
