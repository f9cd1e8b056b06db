// The Q-learned spin policy (options.spinPolicy: 'q-learning'; assembly/learn/spin.ts, src/learn/spin.ts):
// the option's validation, each worker updating its own table, and results equal to the heuristic's at
// 1, 2 and 4 workers. Q-learning itself (convergence on a known MDP) is tested in learn-core.test.mjs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow } from 'beatflow';
import * as tasks from './fixtures/learn-tasks.mjs';
import { within } from './helpers/executor.mjs';

const module = new URL('./fixtures/learn-tasks.mjs', import.meta.url);
const S = suite('learn: Q-learned spinning');

S('options.spinPolicy is checked and names itself; q-learning needs learning', async () => {
  for (const [opts, re] of [
    [{ spinPolicy: 'fast' }, /options\.spinPolicy must be 'heuristic' or 'q-learning' \(got "fast"\)/],
    [{ spinPolicy: 1 }, /options\.spinPolicy must be 'heuristic' or 'q-learning'/],
    [{ spinPolicy: 'q-learning', learning: false }, /options\.spinPolicy must be 'heuristic' with learning: false/],
  ]) {
    const e = await Executor.create(opts).catch((err) => err);
    assert.instance(e, TypeError);
    assert.match(e.message, re);
  }
});

/** Bursts of tasks with idle gaps between them (the workers search, spin and park), and a graph. */
async function workload(ex) {
  const out = [];
  for (let burst = 0; burst < 12; burst++) {
    out.push(await Promise.all(Array.from({ length: 16 }, (_, i) => ex.async(tasks.square, burst * 16 + i))));
    await new Promise((r) => setTimeout(r, burst % 3));   // 0–2 ms apart: some searches find work, some park
  }
  const tf = new Taskflow('g');
  const [a, b, c] = tf.emplace(tasks.square, tasks.square, tasks.total);
  a.args(5); b.args(6); c.args([1, 2, 3]);
  a.precede(c); b.precede(c);
  for (let run = 0; run < 3; run++) { const r = await ex.run(tf); out.push([r.result(a), r.result(b), r.result(c)]); }
  return out;
}

for (const workers of [1, 2, 4]) {
  S(`${workers} worker(s): every worker's own table learns; results equal the heuristic's`, async () => {
    const q = await Executor.create({ workers, module, spinPolicy: 'q-learning' });
    const h = await Executor.create({ workers, module });
    try {
      const [rq, rh] = [await within(workload(q), 30_000, 'q-learning'), await within(workload(h), 30_000, 'heuristic')];
      assert.equal(rq, rh);
      assert.equal(h.models.spinPolicy(), { policy: 'heuristic', workers: [] });
      const v = q.models.spinPolicy();
      assert.is(v.policy, 'q-learning');
      assert.is(v.workers.length, workers, 'one table per worker');
      assert.ok(v.workers.reduce((n, w) => n + w.updates, 0) > 0, 'searches were learned from');
      for (const w of v.workers) {
        assert.is(w.q.length, 4, 'states: found soon, found, found late, parked');
        for (const row of w.q) {
          assert.is(row.length, 3, 'actions: ¼, 1, 4 × the budget');
          for (const value of row) assert.ok(Number.isFinite(value) && value <= 0, `every reward is a cost: Q = ${value}`);
        }
        if (w.updates > 0) assert.ok(w.q.some((row) => row.some((value) => value < 0)), 'an update moved a value');
      }
    } finally { await q.close(); await h.close(); }
  });
}

S.run();
