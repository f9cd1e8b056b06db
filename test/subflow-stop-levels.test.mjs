// A job of a fork-join that fails on another worker marks its spawner with a bit per fork-join level
// (src/worker/fork-stop.ts), and bits repeat every 16 levels. The fork-joins nested inside one task (each
// child run inline, its frame showing that task) must not reach 16 levels apart: a failure 16 levels
// down, which the nesting catches, must not cancel the outer fork-join's job.
// The inline nesting comes from predictions restored short at every level; the workers learn from what
// they run, so each try has a fresh executor. 3 workers: the outer task, the outer job, the inner job.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import * as t from './fixtures/fork-stop-levels.mjs';
import { within, retired } from './helpers/executor.mjs';

const module = new URL('./fixtures/fork-stop-levels.mjs', import.meta.url);

/** One try, nesting k deep: the outer join's outcome and the gate's words; undefined if the inner job ran on the outer task's worker. */
async function once(k) {
  const ex = await Executor.create({ workers: 3, module, learning: true });
  try {
    await ex.async(t.fib, 6);
    const level1 = Math.min(...ex.models.snapshot().predictors.filter((p) => p.fn === 'fib' && p.node > 0).map((p) => p.node));
    const ms = 1e-6, predictors = [];
    for (let l = 0; l < 32; l++) {
      for (const fn of ['nest', 'waiter']) predictors.push({ kind: 1, fn, sizeClass: 0, node: level1 + l, samples: 100, mean: ms, m2: 0, x: ms, dx: 0, ema: ms });
    }
    assert.is(ex.models.restore({ version: 1, predictors }), predictors.length);
    const gate = ex.shared(Int32Array, t.GATE_WORDS);
    const before = ex.stats().workers.reduce((a, w) => a + w.inlined, 0);
    const r = await within(ex.async(t.outer, gate, k), 30_000, `k ${k}`);
    const inlined = ex.stats().workers.reduce((a, w) => a + w.inlined, 0) - before;
    const out = { ...r, gate: [...gate], inlined };
    ex.free(gate);
    await retired(ex);
    return out;
  } finally {
    await within(ex.close(), 10_000, 'close');
  }
}

for (const k of [15, 16, 17]) {
  test(`a caught failure ${k + 1} fork-join levels down cancels no outer job`, async () => {
    let tries = 0;
    for (let i = 0; i < 20 && tries < 3; i++) {
      const r = await once(k);
      if (r.gate[t.ON_ROOT] !== 0 || r.inlined < k) continue;   // no failure elsewhere, or not nested inline: says nothing
      tries++;
      assert.is(r.gate[t.FAILED], 1, JSON.stringify(r));
      assert.is(r.gate[t.CAUGHT], 1, JSON.stringify(r));
      assert.is(r.gate[t.SAW], 0, `the outer job saw ctx.cancelled: ${JSON.stringify(r)}`);
      assert.equal(r.value, ['watcher', 'caught inner failure'], JSON.stringify(r));
    }
    assert.ok(tries > 0, 'a try where the inner job failed elsewhere, nested inline');
  });
}

test.run();
