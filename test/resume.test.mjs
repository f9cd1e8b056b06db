// Partial results of a failed run, and resuming it from where it stopped; run priorities.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow } from 'beatflow';
import * as c from './fixtures/control-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/control-tasks.mjs', import.meta.url);

for (const workers of [1, 2]) {
  const R = suite(`resume (${workers} worker${workers > 1 ? 's' : ''})`);
  R.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  R.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  R('a failed run carries its partial results; resume runs only what did not finish', async ({ ex }) => {
    // counters: [failSwitch, a, b, c, d]; a → b → c, d alone; b fails while the switch is on
    const n = ex.shared(Int32Array, 5);
    n[0] = 1;
    const tf = new Taskflow('resumable');
    const [a, b, cc, d] = tf.emplace(c.step, c.step, c.step, c.step);
    a.args(n, 1); b.args(n, 2); cc.args(n, 3); d.args(n, 4);
    a.precede(b); b.precede(cc);
    const err = await rejection(within(ex.run(tf), 10_000, 'first run'));
    assert.is(err.message, 'step 2 failed');
    const partial = err.partial;
    assert.equal([a, b, cc].map((t) => partial.finished(t)), [true, false, false]);
    assert.is(partial.finished(d), n[4] === 1, 'd finished if it ran before the failure (else it was skipped)');
    assert.is(partial.result(a), 1);
    assert.throws(() => partial.result(cc), /did not finish/);
    assert.equal([...n.subarray(1, 4)], [1, 1, 0]);

    n[0] = 0;   // the cause is fixed: resume
    const r = await within(ex.run(tf, { resume: true }), 10_000, 'resume');
    assert.equal([...n.subarray(1)], [1, 2, 1, 1], 'only b, c (and d if it was skipped) ran; each task finished once');
    assert.is(r.result(cc), 3, 'c got b\'s result, b got a\'s from the first run');
    assert.is(r.result(a), 1);

    await ex.run(tf, { resume: true });
    assert.equal([...n.subarray(1)], [1, 2, 1, 1], 'nothing left to resume');
    await ex.run(tf);
    assert.equal([...n.subarray(1)], [2, 3, 2, 2], 'a normal run runs everything again');
  });

  R.run();
}

const V = suite('run options');
V('resume refuses condition graphs; priority is validated', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    const tf = new Taskflow('cond');
    const s = tf.emplace(c.echo).args(1);
    const k = tf.condition(() => 1);
    s.precede(k);
    await ex.run(tf);
    assert.match((await rejection(ex.run(tf, { resume: true }))).message, /condition tasks/);
    assert.match((await rejection(ex.run(tf, { priority: 'asap' }))).message, /priority/);
    const r = await ex.run(tf, { priority: 'critical' });
    assert.ok(r);
  } finally {
    await ex.close();
  }
});
V.run();
