// Threads for test/learn-core.test.mjs: writers hammer shared predictors and one logistic model while a
// reader thread checks every consistent read it gets. The values written keep invariants a torn read
// (half of one f64, a mix of two states) would break: every duration lies in [1, 2] ms, so mean, 1€
// value and EMA must too, m2 ≥ 0 and samples never go down; a model's probability lies in (0, 1).
import { serve, rng } from './thread.mjs';

serve(({ table, model, xs, dim, fps, iterations, seed }, { core, x, index, data, barrier }) => {
  const done = data.done;   // Int32Array: writers finished
  barrier();
  if (index > 0) {
    const next = rng(seed + index);
    let folded = 0, contended = 0, logit = 0;
    for (let i = 0; i < iterations; i++) {
      const r = next();
      const v = 1 + (r % 1000) / 1000;   // [1, 2)
      const out = x.predictObserve(table, 7, r % fps, v);
      if (out === 1) folded++; else if (out === -1) contended++;
      if ((i & 7) === 0 && x.logitUpdate(model, xs + 4 * dim * (r % 8), r & 1) === 1) logit++;
    }
    Atomics.add(done, 0, 1);
    return { folded, contended, logit };
  }
  // the reader
  const out = x.heapAlloc(64) >>> 0;
  let reads = 0, busy = 0, bad = 0, first = '';
  const last = new Map();
  const fail = (msg) => { if (!bad++) first = msg; };
  while (Atomics.load(done, 0) < data.writers) {
    for (let i = 0; i < 64; i++) {
      const r = x.predictReadAt(table, i, out);
      if (r === -1) { busy++; continue; }
      if (r !== 1) continue;
      core.ensure(out, 64);
      const f = new Float64Array(core.memory.buffer, out, 8);
      const [fn1, , n, mean, m2, xv, , ema] = f;
      reads++;
      if (fn1 !== 8) fail(`entry ${i}: fn1 ${fn1}`);
      for (const [name, v] of [['mean', mean], ['x', xv], ['ema', ema]]) if (!(v >= 1 && v <= 2)) fail(`entry ${i}: ${name} = ${v}`);
      if (!(m2 >= 0)) fail(`entry ${i}: m2 = ${m2}`);
      if (n < (last.get(i) ?? 0)) fail(`entry ${i}: samples went from ${last.get(i)} to ${n}`);
      last.set(i, n);
    }
    const p = x.logitPredict(model, xs);
    if (p === -1) busy++;
    else if (!(p > 0 && p < 1)) fail(`logitPredict = ${p}`);
    else reads++;
  }
  return { reads, busy, bad, first };
});
