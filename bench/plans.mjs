// plans: what the scheduler does with its predictions, each against its plain twin (an executor with
// learning: false) in one process, the two taking turns (order alternating per round), 2 workers.
//   grain     irregular fine-grained work: forEach over 2^15 items of 1–32 square roots each (by a hash
//             of the index; ~5–150 ns), one each in the first eighth (where the probe looks). With learning the driver
//             lays a call out from the callback's learned cost per item (no probe, helpers spawned at
//             once); without, it times a probe first. Median µs per call over ROUNDS calls each, after
//             a warm-up of 20 calls each, the two taking turns in blocks of BLOCK calls with a 5 ms pause
//             at each switch (called in turns call by call, the other executor's lingering workers held
//             the second core, the helper ran on the driver in most calls and both ran serially).
//   critical  a skewed DAG: 24 independent 1 ms tasks with the head of a chain of six 2 ms tasks listed
//             in their middle. With learning, the critical-path priorities start the chain first;
//             without, the chain's head waits behind half the short tasks (listed at either end, the
//             owner's LIFO pop or a thief's FIFO steal reaches it at once, and both runs are ideal).
//             Median ms per run over RUNS runs each, after 10 warm-up runs each (the replans at runs
//             2, 3, 5 and 9 happen there).
//   spin      options.spinPolicy 'q-learning' vs 'heuristic' (the plain twin here; learning on in both):
//             per round, 200 sequential round trips of a tiny task, then 10 bursts of 64 tasks 1 ms apart;
//             median µs per round trip and ms per burst phase over ROUNDS rounds each (a 5 ms pause at
//             each switch lets the other executor's workers park).
// Ratio < 1: the learned plan is faster.
import { childMain, table, errorCell, now, loadBeatflow, median, sleep } from './lib.mjs';

export const cases = () => ['grain', 'critical', 'spin'];
export const timeoutS = ({ quick }) => (quick ? 60 : 180);

/** The irregular item: w square roots, w = 1 in the first eighth, else 1–32 by a hash of i. */
const irregular = (v, lo, hi, n) => {
  for (let i = lo; i < hi; i++) {
    const w = i < n >> 3 ? 1 : 1 + (Math.imul(i, 0x9e3779b1) >>> 27);
    let acc = 0;
    for (let j = 0; j < w; j++) acc += Math.sqrt(i + j);
    v[i] = acc;
  }
};

const busy = (ms) => { const end = performance.now() + ms; while (performance.now() < end) { /* busy */ } return ms; };

/** Calls of one executor in a row (grain): a call right after the other executor's would find its workers lingering on the CPUs. */
const BLOCK = 10;

async function grain(bf, quick) {
  const n = 1 << 15, rounds = quick ? 60 : 300;
  const make = async (learning) => {
    const ex = await bf.Executor.create({ workers: 2, learning });
    const v = ex.shared(Float64Array, n);
    return { ex, call: () => bf.forEach(ex, v, irregular, { args: [n] }), v, times: [] };
  };
  const on = await make(true), off = await make(false);
  try {
    for (let i = 0; i < 20; i++) { await on.call(); await off.call(); }
    for (let r = 0; r < rounds / BLOCK; r++) {
      for (const s of r % 2 ? [on, off] : [off, on]) {
        await sleep(5);   // the other executor's workers park: this one's helpers get a core
        for (let i = 0; i < BLOCK; i++) { const t = now(); await s.call(); s.times.push((now() - t) * 1000); }
      }
    }
    const same = on.v.every((x, i) => x === off.v[i]);
    const learned = on.ex.models.list().find((p) => p.perItem);
    return { unit: 'µs per call', on: median(on.times), off: median(off.times), same, nsPerItem: learned?.oneEuro, samples: learned?.samples };
  } finally { await on.ex.close(); await off.ex.close(); }
}

async function critical(bf, quick) {
  const runs = quick ? 20 : 60;
  const make = async (learning) => {
    const ex = await bf.Executor.create({ workers: 2, learning });
    const tf = new bf.Taskflow('skewed');
    for (let i = 0; i < 12; i++) tf.emplace(busy).args(1);
    const chain = Array.from({ length: 6 }, () => tf.emplace(busy).args(2));
    for (let k = 1; k < chain.length; k++) chain[k - 1].precede(chain[k]);
    for (let i = 12; i < 24; i++) tf.emplace(busy).args(1);
    return { ex, call: () => ex.run(tf), times: [] };
  };
  const on = await make(true), off = await make(false);
  try {
    for (let i = 0; i < 10; i++) { await on.call(); await off.call(); }
    for (let r = 0; r < runs; r++) {
      for (const s of r % 2 ? [on, off] : [off, on]) { const t = now(); await s.call(); s.times.push(now() - t); }
    }
    return { unit: 'ms per run', on: median(on.times), off: median(off.times), same: true, ideal: Math.max(12, (24 + 12) / 2) };
  } finally { await on.ex.close(); await off.ex.close(); }
}

const echo = (x) => x;

async function spin(bf, quick) {
  const rounds = quick ? 10 : 40;
  const make = async (spinPolicy) => ({ ex: await bf.Executor.create({ workers: 2, spinPolicy }), trips: [], bursts: [] });
  const q = await make('q-learning'), h = await make('heuristic');
  const round = async (s) => {
    await new Promise((r) => setTimeout(r, 5));
    let t = now();
    for (let i = 0; i < 200; i++) await s.ex.async(echo, i);
    s.trips.push(((now() - t) * 1000) / 200);
    t = now();
    for (let b = 0; b < 10; b++) {
      await Promise.all(Array.from({ length: 64 }, (_, i) => s.ex.async(echo, i)));
      await new Promise((r) => setTimeout(r, 1));
    }
    s.bursts.push(now() - t);
  };
  try {
    for (let i = 0; i < 5; i++) { await round(q); await round(h); }
    q.trips.length = h.trips.length = q.bursts.length = h.bursts.length = 0;
    for (let r = 0; r < rounds; r++) for (const s of r % 2 ? [q, h] : [h, q]) await round(s);
    const updates = q.ex.models.spinPolicy().workers.reduce((n, w) => n + w.updates, 0);
    return { unit: 'µs per round trip', on: median(q.trips), off: median(h.trips), burstOn: median(q.bursts), burstOff: median(h.bursts), same: true, updates };
  } finally { await q.ex.close(); await h.ex.close(); }
}

export async function runCase(name, { quick }) {
  const bf = await loadBeatflow();
  if (name === 'spin') return spin(bf, quick);
  if (name === 'grain') return grain(bf, quick);
  if (name === 'critical') return critical(bf, quick);
  throw new Error(`unknown case '${name}' (cases: ${cases().join(', ')})`);
}

export function report(res) {
  const rows = Object.entries(res).map(([name, r]) => {
    if (!r.ok) return [name, errorCell(r), '–', '–', '–'];
    const x = r.result;
    const extra = name === 'grain' ? `learned ${x.nsPerItem?.toFixed(0)} ns/item (${x.samples} calls); same results: ${x.same}`
      : name === 'spin' ? `bursts ${x.burstOn.toFixed(1)} / ${x.burstOff.toFixed(1)} ms (${(x.burstOn / x.burstOff).toFixed(2)}); ${x.updates} Q updates`
        : `ideal ≈ ${x.ideal} ms`;
    return [name, `${x.on.toFixed(name === 'grain' ? 0 : 2)} ${x.unit}`, `${x.off.toFixed(name === 'grain' ? 0 : 2)}`, `**${(x.on / x.off).toFixed(2)}**`, `${extra}; bg ${r.bgCores}`];
  });
  return [
    '## plans: learned grain, critical-path priorities and Q-learned spinning vs their plain twins, 2 workers',
    '',
    table(['case', 'learning on (median)', 'learning off', 'on / off', 'notes'], rows),
  ].join('\n');
}

childMain(import.meta.url, runCase);
