// How often a caller-driven parallel call stalls, and what the stalls cost, on the placement bench's
// mixed workload without the router: its 24 shapes (reduce, exp and scan of f32 at 2^8 … 2^22), a shape
// drawn per round, each round running the shape serially (parallel: false) and in parallel
// (parallel: true) on one executor and with the static rule on another (learning: false), in a drawn
// order, with the bench's pause before a call on the other executor than the last one's. A call
// "stalls" when it takes more than its shape's median (for its option) + 1.5 ms. Prints per shape the
// serial and parallel medians and the parallel calls' stalls, then over all shapes the stalls of each
// option and their excess over the medians as a share of that option's makespan.
//
// What it shows on a 2-vCPU VM: a parallel call whose helper must be woken (a parked worker) can stall
// for about lingerMicroseconds. The waker's futex wake returns only once the woken worker, put on the
// caller's vCPU, has spun through its linger rounds (it finds no helper: the caller that would push
// them is the thread it displaced) and parked again; a serial call never wakes anyone. `--linger µs`
// sets lingerMicroseconds on both executors (default: the executors' own default).
//
//   BEATFLOW_MODULE=<build>/src/index.js node bench/tools/parallel-stalls.mjs [--rounds 1500] [--linger µs] [--seed n]
import { loadBeatflow } from '../lib.mjs';

const argv = process.argv.slice(2);
const take = (flag, dflt) => { const i = argv.indexOf(flag); return i < 0 ? dflt : argv[i + 1]; };
const rounds = Number(take('--rounds', '1500')), linger = take('--linger', undefined);
let seed = Number(take('--seed', '4660')) >>> 0;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const STALL_MS = 1.5, SETTLE_MS = 3;

const bf = await loadBeatflow();
const opts = { workers: 2, ...(linger !== undefined && { lingerMicroseconds: Number(linger) }) };
const ex = await bf.Executor.create(opts);
const plain = await bf.Executor.create({ ...opts, learning: false });
try {
  const shapes = [];
  for (let k = 8; k <= 22; k += 2) {
    const n = 2 ** k;
    const arrays = (e) => { const a = e.shared(Float32Array, n), o = e.shared(Float32Array, n); for (let i = 0; i < n; i++) a[i] = (i % 1000) / 1000; return [a, o]; };
    const [a, o] = arrays(ex), [pa, po] = arrays(plain);
    const ops = { reduce: (e, x, y, opt) => bf.reduce(e, x, 'sum', opt), exp: (e, x, y, opt) => bf.transform(e, x, y, 'exp', opt), scan: (e, x, y, opt) => bf.inclusiveScan(e, x, y, 'sum', opt) };
    for (const [op, f] of Object.entries(ops)) shapes.push({ label: `${op} 2^${k}`, run: (opt) => f(ex, a, o, opt), plain: () => f(plain, pa, po, undefined) });
  }
  const options = { serial: (s) => s.run({ parallel: false }), parallel: (s) => s.run({ parallel: true }), static: (s) => s.plain() };
  const names = Object.keys(options);
  for (const s of shapes) for (const p of names) await options[p](s);   // warm-up
  const times = new Map(shapes.map((s) => [s, Object.fromEntries(names.map((p) => [p, []]))]));
  let last = ex;
  for (let r = 0; r < rounds; r++) {
    const s = shapes[Math.floor(rand() * shapes.length)];
    const order = [...names];
    for (let j = order.length - 1; j > 0; j--) { const k = Math.floor(rand() * (j + 1)); [order[j], order[k]] = [order[k], order[j]]; }
    for (const p of order) {
      const on = p === 'static' ? plain : ex;
      if (on !== last) await new Promise((res) => setTimeout(res, SETTLE_MS));
      last = on;
      const t = performance.now();
      await options[p](s);
      times.get(s)[p].push(performance.now() - t);
    }
  }
  const med = (xs) => { const v = [...xs].sort((x, y) => x - y); return v[v.length >> 1]; };
  const total = Object.fromEntries(names.map((p) => [p, { calls: 0, stalls: 0, excess: 0, ms: 0 }]));
  console.log(`${rounds} rounds, lingerMicroseconds ${linger ?? 'default'}; a stall: over the shape's median + ${STALL_MS} ms`);
  for (const s of shapes) {
    const row = [s.label.padEnd(12)];
    for (const p of names) {
      const xs = times.get(s)[p], m = med(xs), slow = xs.filter((x) => x > m + STALL_MS), t = total[p];
      t.calls += xs.length; t.stalls += slow.length; t.excess += slow.reduce((x, y) => x + y - m, 0); t.ms += xs.reduce((x, y) => x + y, 0);
      if (p !== 'static') row.push(`${p} median ${m.toFixed(3)} ms, ${slow.length}/${xs.length} stalled`);
    }
    console.log(row.join(' · '));
  }
  for (const [p, t] of Object.entries(total)) {
    console.log(`${p.padEnd(8)} ${t.stalls}/${t.calls} calls stalled (${(100 * t.stalls / t.calls).toFixed(1)} %); their excess over the medians ${t.excess.toFixed(1)} ms, ${(100 * t.excess / t.ms).toFixed(1)} % of the option's ${t.ms.toFixed(0)} ms`);
  }
} finally {
  await ex.close();
  await plain.close();
}
