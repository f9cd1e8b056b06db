// The learners through the executor: option, predictions of real tasks, learning off, snapshot/restore.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow } from 'beatflow';
import * as tasks from './fixtures/learn-tasks.mjs';

const module = new URL('./fixtures/learn-tasks.mjs', import.meta.url);
const L = suite('learning: executor');

L('options.learning must be a boolean, and names itself', async () => {
  const e = await Executor.create({ learning: 'yes' }).catch((err) => err);
  assert.instance(e, TypeError);
  assert.match(e.message, /options\.learning must be true or false/);
});

L('a busy task of known duration is predicted within tolerance; size classes and graph nodes are separate fingerprints', async () => {
  const ex = await Executor.create({ workers: 2, module });
  try {
    for (let i = 0; i < 15; i++) await ex.async(tasks.busy, 4);
    const p = ex.predict(tasks.busy, [4]);
    assert.ok(p, 'a prediction');
    assert.is(p.samples, 15);
    // each sample is at least 4 ms; a loaded machine stretches busy-waits (preemption), so the bound above
    // is 8 ms or, if the samples themselves ran longer, their mean plus two sd
    const high = Math.max(8, p.mean + 2 * p.sd);
    assert.ok(p.oneEuro >= 4 && p.oneEuro < high, `1€ ${p.oneEuro} (mean ${p.mean}, sd ${p.sd})`);
    assert.ok(p.ema >= 4 && p.ema < high, `EMA ${p.ema}`);
    assert.ok(p.confidence > 0 && p.confidence < 1);
    const arr = Array.from({ length: 300 }, (_, i) => i);
    for (let i = 0; i < 3; i++) await ex.async(tasks.busy, 0.2, arr);   // ≥ 50 µs: every one timed
    const big = ex.models.list().filter((q) => q.fn === 'busy' && q.sizeClass > 0);
    assert.is(big.length, 1, 'one fingerprint for the large argument');
    const tf = new Taskflow('g');
    const [a, b] = tf.emplace(tasks.busy, tasks.busy);
    a.args(1); b.args(1); a.precede(b);
    await ex.run(tf);
    const nodes = ex.models.list().filter((q) => q.fn === 'busy' && q.node > 0);
    assert.is(nodes.length, 2, 'each graph node its own fingerprint');
    assert.is(ex.models.stats().dropped, 0);
  } finally { await ex.close(); }
});

L('learning off gives the same task results, and no predictions', async () => {
  const work = async (ex) => {
    const tf = new Taskflow('g');
    const [a, b] = tf.emplace(tasks.square, tasks.square);
    a.args(3); b.args(4);
    const run = await ex.run(tf);
    return [await ex.async(tasks.square, 7), await ex.async(tasks.total, [1, 2, 3]), run.result(a), run.result(b), await ex.map(tasks.square, [1, 2, 3])];
  };
  const on = await Executor.create({ workers: 2, module });
  const off = await Executor.create({ workers: 2, module, learning: false });
  try {
    assert.equal(await work(off), await work(on));
    await off.async(tasks.busy, 1);
    assert.is(off.predict(tasks.busy, [1]), undefined);
    assert.equal(off.models.list(), []);
    assert.is(off.models.stats().enabled, false);
  } finally { await on.close(); await off.close(); }
});

L('snapshot, JSON, restore into a new executor (warm start); reset forgets', async () => {
  const a = await Executor.create({ workers: 1, module });
  let snap;
  try {
    for (let i = 0; i < 5; i++) await a.async(tasks.busy, 1);
    snap = JSON.parse(JSON.stringify(a.models.snapshot()));
    a.models.reset();
    assert.is(a.predict(tasks.busy, [1]), undefined);
  } finally { await a.close(); }
  const b = await Executor.create({ workers: 1, module });
  try {
    assert.is(b.models.restore(snap), 1);
    const p = b.predict(tasks.busy, [1]);
    assert.is(p.samples, 5);
    assert.is(p.oneEuro, snap.predictors[0].x);
    assert.throws(() => b.models.restore({ version: 2 }), /snapshot/);
  } finally { await b.close(); }
});

L.run();
