// What the scheduler does with its predictions: the grain of parallel algorithms from a callback's
// learned cost per item (src/algorithms/grain.ts) and critical-path priorities of graph runs
// (src/learn/critical.ts): their pure policies with tables, then through executors at 1, 2 and 4 workers,
// each against its plain twin (learning: false) with identical results.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, forEach } from 'beatflow';
import * as tasks from './fixtures/learn-tasks.mjs';
import { within } from './helpers/executor.mjs';
import { learnedItemCost, perItemShape, isPerItem, sizeClassOf, shapeOf, GRAIN_MIN_SAMPLES } from '../build/src/policy/learning.js';
import { bottomLevels, criticalLevels, longestFirst, replanAt, replanFits, CRITICAL_SHARE, REPLAN_SHARE, REPLAN_US_PER_NODE, REPLAN_FREE_MS } from '../build/src/policy/critical.js';
import { engineOf } from '../build/src/engine/engine.js';

const module = new URL('./fixtures/learn-tasks.mjs', import.meta.url);

const P = suite('learned plans: policies');

P('a per-item cost is used once enough calls were measured, if it is a positive finite number', () => {
  const rows = [
    [GRAIN_MIN_SAMPLES - 1, 120, 0], [GRAIN_MIN_SAMPLES, 120, 120], [100, 0.5, 0.5],
    [100, 0, 0], [100, -1, 0], [100, NaN, 0], [100, Infinity, 0],
  ];
  for (const [n, x, want] of rows) assert.is(learnedItemCost(n, x), want, `samples ${n}, 1€ ${x}`);
});

P('per-item shapes are told apart from every task shape, and keep the size class of n', () => {
  for (const n of [0, 1, 64, 1000, 2 ** 31 - 1]) {
    const s = perItemShape(n);
    assert.ok(isPerItem(s), `n = ${n}`);
    assert.is(sizeClassOf(s), n > 0 ? 32 - Math.clz32(n) : 0);
  }
  for (const sc of [0, 1, 31, 32, 62, 63]) assert.not.ok(isPerItem(shapeOf(sc, (1 << 25) - 1)), `task size class ${sc}`);
});

P('bottom levels: own duration plus the longest path below, over a diamond and a chain', () => {
  // 0 → 1 → 3, 0 → 2 → 3; 4 → 5 (separate chain)
  const succOff = [0, 2, 3, 4, 4, 5, 5], succ = [1, 2, 3, 3, 5];
  const dur = [1, 5, 2, 1, 3, 0];
  assert.equal(Array.from(bottomLevels(6, succOff, succ, dur)), [7, 6, 3, 1, 3, 0]);
  assert.equal(Array.from(bottomLevels(3, [0, 1, 2, 2], [1, 2], [-1, 2, 1])), [3, 3, 1], 'a negative duration counts as 0');
});

P('levels: normal tasks on a long remaining path go high; the user\'s levels stay', () => {
  const base = [2, 2, 2, 0, 3, 2];
  const bottom = [10, CRITICAL_SHARE * 10, CRITICAL_SHARE * 10 - 0.01, 1, 10, 0];
  assert.equal(Array.from(criticalLevels(bottom, base)), [1, 1, 2, 0, 3, 2]);
  assert.equal(Array.from(criticalLevels([0, 0], [2, 1])), [2, 1], 'nothing predicted: unchanged');
});

P('longest first is stable, and replans come early, then every 64 runs', () => {
  const b = [1, 5, 5, 2];
  assert.equal(longestFirst([0, 1, 2, 3], (i) => b[i]), [1, 2, 3, 0]);
  const at = [];
  for (let r = 1; r <= 200; r++) if (replanAt(r)) at.push(r);
  assert.equal(at, [2, 3, 5, 9, 17, 33, 65, 129, 193]);
});

P('a replan due takes place within its budget: a share of the run time since the last one, or when it is cheap', () => {
  // [last replan's ms (undefined: none yet), nodes, run time since (ms, wall × workers), fits]
  const rows = [
    [undefined, 30, 0, true],                  // 30 nodes: 45 µs, under REPLAN_FREE_MS
    [0.4, 30, 0, true],                        // a small graph's measured replan: always
    [undefined, 2 ** 20, 70, false],           // a chain of 2^20 tiny tasks after its first run: 1.6 s against 3.5 ms
    [1100, 2 ** 20, 64 * 69, false],           // 64 runs of 69 ms later: still 5 × over
    [1100, 2 ** 20, 22_000, true],             // 22 s of its runs later: within 5 %
    [0.6, 30, 11.9, false], [0.6, 30, 12, true],
    [undefined, 10_000, 16 * 62, true],        // 10k tasks of 100 µs on 16 workers: 15 ms against 50 ms
  ];
  for (const [ms, nodes, work, fits] of rows) assert.is(replanFits(ms, nodes, work), fits, JSON.stringify([ms, nodes, work]));
  assert.is(replanFits(undefined, 1000, (1000 * REPLAN_US_PER_NODE) / 1000 / REPLAN_SHARE), true, 'exactly at the budget');
  assert.ok(REPLAN_FREE_MS < (1000 * REPLAN_US_PER_NODE) / 1000, 'a 1000-node graph is not free');
});

P.run();

// ---

const G = suite('learned plans: grain of parallel algorithms');

/** n items of ~us µs through forEach with the costly callback; returns [first chunk's end, sum of v]. */
async function pass(ex, v, rec, us) {
  rec.fill(0);
  await within(forEach(ex, v, tasks.costly, { args: [rec, us] }), 20_000, 'forEach');
  return [rec[0], v.reduce((s, x) => s + x, 0)];
}

for (const workers of [1, 2, 4]) {
  G(`${workers} worker(s): after a few calls the learned cost replaces the probe; results equal learning off's`, async () => {
    const on = await Executor.create({ workers, module });
    const off = await Executor.create({ workers, module, learning: false });
    try {
      const n = 2048, us = 2;
      const [v1, r1] = [on.shared(Float64Array, n), on.shared(Int32Array, 2)];
      const [v0, r0] = [off.shared(Float64Array, n), off.shared(Int32Array, 2)];
      const [probe] = await pass(on, v1, r1, us);
      assert.is(probe, 64, 'the first call probes 64 items');
      let first = probe, calls = 1;
      while (first === 64 && calls < 40) { [first] = await pass(on, v1, r1, us); calls++; }
      assert.ok(first > 64, `the driver's first chunk is a laid-out one (${first}) after ${calls} calls`);
      assert.ok(calls >= GRAIN_MIN_SAMPLES + 1, `not before ${GRAIN_MIN_SAMPLES} measured calls (${calls})`);
      for (let i = 0; i < calls; i++) assert.is((await pass(off, v0, r0, us))[0], 64, 'learning off: always the probe');
      assert.equal(Array.from(v1), Array.from(v0), 'identical results');
      const learned = on.models.list().filter((p) => p.perItem);
      assert.is(learned.length, 1, 'one per-item cost');
      assert.ok(learned[0].oneEuro >= us * 1000 * 0.5, `ns per item ${learned[0].oneEuro}`);
      assert.is(learned[0].sizeClass, 32 - Math.clz32(n));
      assert.equal(off.models.list(), []);
      // a warm start carries it: the next executor lays its first call out without a probe
      const snap = JSON.parse(JSON.stringify(on.models.snapshot()));
      assert.ok(snap.predictors.some((p) => p.perItem === true));
      const warm = await Executor.create({ workers, module });
      try {
        assert.ok(warm.models.restore(snap) >= 1);
        const [v2, r2] = [warm.shared(Float64Array, n), warm.shared(Int32Array, 2)];
        assert.ok((await pass(warm, v2, r2, us))[0] > 64, 'restored: no probe');
      } finally { await warm.close(); }
    } finally { await on.close(); await off.close(); }
  });
}

G('an explicit grain or a static partitioner is never replaced, and learns nothing', async () => {
  const ex = await Executor.create({ workers: 2, module });
  try {
    const v = ex.shared(Float64Array, 512), rec = ex.shared(Int32Array, 2);
    for (let i = 0; i < 8; i++) {
      rec.fill(0);
      await forEach(ex, v, tasks.costly, { args: [rec, 1], grain: 16, partitioner: 'dynamic' });
      assert.is(rec[1], 512 / 16, 'chunks of the grain given');
      await forEach(ex, v, tasks.costly, { args: [rec, 1], partitioner: 'static' });
    }
    assert.equal(ex.models.list().filter((p) => p.perItem), []);
  } finally { await ex.close(); }
});

G.run();

// ---

const C = suite('learned plans: critical-path priorities');

/**
 * A skewed graph: short sources s0..s5 (0.1 ms: long enough to be timed) first, then the head of a chain
 * of three 10 ms tasks last. Returns the taskflow, the chain's head and every task. The chain is long
 * enough that a source the machine stalled for a while is still predicted far shorter than it (a
 * source goes first only if its prediction reaches the whole chain's, 30 ms).
 */
function skewed(order, chainMs = 10) {
  const tf = new Taskflow('skewed');
  const all = [];
  for (let i = 0; i < 6; i++) all.push(tf.emplace(tasks.stamp).args(order, i, 0.1));
  const chain = [0, 1, 2].map((k) => tf.emplace(tasks.stamp).args(order, 6 + k, chainMs));
  chain[0].precede(chain[1]); chain[1].precede(chain[2]);
  all.push(...chain);
  return { tf, head: chain[0], all };
}

/**
 * The skewed graph on `workers` workers, learning on and off, over `runs` runs: asserts identical results
 * each run and calls check(run, order on, order off, graph on) after it.
 */
async function twins(workers, runs, check) {
  const on = await Executor.create({ workers, module });
  const off = await Executor.create({ workers, module, learning: false });
  try {
    const o1 = on.shared(Int32Array, 10), o0 = off.shared(Int32Array, 10);
    const g1 = skewed(o1), g0 = skewed(o0);
    for (let run = 1; run <= runs; run++) {
      o1.fill(0); o0.fill(0);
      const r1 = await within(on.run(g1.tf), 20_000, 'run on'), r0 = await within(off.run(g0.tf), 20_000, 'run off');
      assert.equal(g1.all.map((t) => r1.result(t)), g0.all.map((t) => r0.result(t)), 'identical results');
      check(run, o1, o0, g1);
    }
  } finally { await on.close(); await off.close(); }
}

C('1 worker: once replanned, the head of the long chain starts first; learning off keeps insertion order', async () => {
  // Run 5 replans from four samples per node (the 1€ filter starts as their mean), so one sample a
  // busy machine stretched does not put a short source ahead of the chain.
  await twins(1, 5, (run, o1, o0) => {
    assert.is(o0[1 + 6], 6, `learning off, run ${run}: the chain's head after the six sources`);
    if (run === 1) assert.is(o1[1 + 6], 6, 'learning on, run 1: nothing predicted yet');
    if (run === 5) assert.is(o1[1 + 6], 0, 'learning on, run 5: the chain\'s head first');
  });
});

for (const workers of [2, 4]) {
  C(`${workers} workers: every task runs once per run, results equal learning off's, over 6 runs`, async () => {
    await twins(workers, 6, (run, o1, o0, g1) => {
      assert.is(o1[0], 9, 'nine starts');
      assert.equal(Array.from(o1.subarray(1)).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8], 'each once');
      assert.ok(o1[1 + 6] < o1[1 + 7] && o1[1 + 7] < o1[1 + 8], 'the chain in order');
      assert.is(g1.head.priority(), 'normal', 'the user\'s priority is not changed');
    });
  });
}

C('a user priority is kept: a low head stays behind; conditional graphs are left alone', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    const order = ex.shared(Int32Array, 10);
    const g = skewed(order);
    g.head.priority('low');
    for (let run = 1; run <= 5; run++) { order.fill(0); await ex.run(g.tf); }
    assert.is(order[1 + 6], 6, 'a low head still starts after the normal sources');
    const tf = new Taskflow('cond');
    const c = tf.emplace(() => 1);
    const [a, b] = tf.emplace(tasks.square, tasks.square);
    a.args(2); b.args(3);
    c.precede(a, b);
    for (let run = 1; run <= 3; run++) {
      const r = await ex.run(tf);
      assert.is(r.result(b), 9);
    }
  } finally { await ex.close(); }
});

C('a large graph of tiny tasks is not replanned: its replans would cost more than its runs, whatever the time between them', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    const planner = engineOf(ex, 'test').runs.planner;
    const tf = new Taskflow('tiny chain');
    const ts = tf.emplace(Array(20_000).fill(tasks.square));
    for (let i = 0; i + 1 < ts.length; i++) ts[i].precede(ts[i + 1]);
    ts[0].args(3);
    for (let run = 1; run <= 6; run++) {
      assert.is((await ex.run(tf)).result(ts[1]), 81, `run ${run}`);
      await new Promise((r) => setTimeout(r, 150));   // idle time between runs is not its runs' time
    }
    assert.is(planner.replans, 0, 'no replan');
    assert.is(planner.putOff, 3, 'runs 2, 3 and 5 were due, each put off');
    // its replans cost 0.1–1 ms against 5 % of 150 ms runs: neither due one is put off on any machine
    // (one that finds no prediction yet writes nothing and is not counted as a replan)
    const g = skewed(ex.shared(Int32Array, 10), 50);
    for (let run = 1; run <= 3; run++) await ex.run(g.tf);
    assert.is(planner.putOff, 3, 'a small graph of long tasks: runs 2 and 3 not put off');
    assert.ok(planner.replans >= 1, `and replanned (${planner.replans})`);
  } finally { await ex.close(); }
});

C.run();
