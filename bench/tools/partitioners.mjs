// Partitioners for a call the caller takes part in: map (axpy) or reduce (f32 sum) over 10^7 f32 on
// 2 workers with options.partitioner 'guided', 'dynamic' and 'static', against the same kernel on this
// thread over the same arrays, interleaved in blocks of 5 (cold: the first call of a block, after a
// pause; warm: calls 2–5). Usage: node bench/tools/partitioners.mjs [map|reduce] [rounds]
// (bench/history/2026-11.md: why guided stayed the default.)
import * as bf from '../../build/src/index.js';
import * as K from '../../build/src/kernels.js';
import { median, sleep, coreOf } from '../lib.mjs';
const op = process.argv[2] ?? 'map', rounds = Number(process.argv[3] ?? 10), n = 1e7;
if (op !== 'map' && op !== 'reduce') throw new Error(`partitioners: the op is map or reduce (got ${op})`);
const ex = await bf.Executor.create({ workers: 2 });
const a = ex.shared(Float32Array, n), b = ex.shared(Float32Array, n), out = ex.shared(Float32Array, n);
for (let i = 0; i < n; i++) { a[i] = Math.sin(i); b[i] = Math.cos(i); }
const x = (await coreOf(ex, new URL('../../build/src/index.js', import.meta.url).href)).x;
const call = (o) => () => (op === 'map' ? bf.transform(ex, [a, b], out, { op: 'axpy', s0: 2 }, o) : bf.reduce(ex, a, 'sum', o));
const set = {
  guided: call({ partitioner: 'guided' }),
  dynamic: call({ partitioner: 'dynamic' }),
  static: call({ partitioner: 'static' }),
  '1t': () => (op === 'map'
    ? K.runMap(x, { kind: 'map', op: 'axpy', dtype: 'f32', scalars: [2] }, out.byteOffset, [a.byteOffset, b.byteOffset], 0, n)
    : K.runReduce(x, { kind: 'reduce', op: 'sum', dtype: 'f32' }, [a.byteOffset], 0, n)),
  js: () => {   // the same work as a JS loop: between the cases, as in bench/algorithms.mjs
    if (op === 'map') { for (let i = 0; i < n; i++) out[i] = 2 * a[i] + b[i]; return 0; }
    let s = 0; for (let i = 0; i < n; i++) s += a[i]; return s;
  },
};
// Each block starts after a 10 ms pause (the workers' 2 ms linger has run out: they are parked), and
// the order of the cases turns each round, so no case is always the one after the JS loop.
const T = {}, names = Object.keys(set);
for (let r = -1; r < rounds; r++) {
  for (let j = 0; j < names.length; j++) {
    const k = names[(j + r + 1) % names.length], f = set[k];
    await sleep(10);
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await f();
      if (r >= 0) (T[`${k}${i ? '-warm' : '-cold'}`] ??= []).push(performance.now() - t0);
    }
  }
}
await ex.close();
// Ratios of medians, and the spread of the per-round ratios (each round's call over the same round's
// one-thread call, paired) as the range: a difference between partitioners inside it is noise.
for (const w of ['-cold', '-warm']) {
  const one = T[`1t${w}`], base = median(one);
  const cell = (k) => {
    const per = T[k + w].map((t, i) => one[i] / t).sort((p, q) => p - q);
    return `${k} ${(base / median(T[k + w])).toFixed(2)}× (${per[0].toFixed(2)}–${per.at(-1).toFixed(2)})`;
  };
  console.log(`${op}${w}: ${['guided', 'dynamic', 'static'].map(cell).join('  ')}  (one thread ${base.toFixed(2)} ms)`);
}
