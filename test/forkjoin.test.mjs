// Fork-join inside tasks: ctx.spawn / ctx.join with helping; exact results, errors, no leaks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow } from 'beatflow';
import * as tasks from './fixtures/tasks.mjs';
import { fixtures, within, rejection } from './helpers/executor.mjs';

const fibRef = (n) => (n < 2 ? n : fibRef(n - 1) + fibRef(n - 2));

for (const workers of [1, 2, 4]) {
  const F = suite(`fork-join (${workers} worker${workers > 1 ? 's' : ''})`);
  F.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module: fixtures }); });
  F.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  F('recursive fib through spawn/join gives exact results at every depth, and frees every child', async ({ ex }) => {
    for (const n of [0, 1, 2, 5, 10, 18]) assert.is(await within(ex.async(tasks.fib, n), 20_000, `fib ${n}`), fibRef(n), `fib(${n})`);
    assert.is(await ex.async(tasks.fibCut, 24, 12), fibRef(24));
    assert.is(ex.stats().liveTasks, 0);
  });

  F('many concurrent spawning tasks, from the host and from a graph', async ({ ex }) => {
    const got = await within(Promise.all(Array.from({ length: 20 }, (_, i) => ex.async(tasks.fib, 10 + (i % 5)))), 20_000, 'concurrent');
    assert.equal(got, Array.from({ length: 20 }, (_, i) => fibRef(10 + (i % 5))));
    const tf = new Taskflow('fibs');
    const ts = tf.emplace(Array(8).fill(tasks.fib));
    ts.forEach((t, i) => t.args(8 + i));
    const sum = tf.emplace(tasks.sum);
    ts.forEach((t) => t.precede(sum));
    const r = await within(ex.run(tf), 20_000, 'graph of fibs');
    assert.is(r.result(sum), ts.reduce((a, _, i) => a + fibRef(8 + i), 0));
  });

  F('children not joined are joined when the task returns; join of a non-child is refused', async ({ ex }) => {
    const live = ex.stats().liveTasks;
    const counter = ex.shared(Int32Array, 1);
    const r = await ex.async(function (arr) {
      for (let i = 0; i < 50; i++) this.spawn((a) => Atomics.add(a, 0, 1), arr);
      return 'returned';
    }, counter);
    assert.is(r, 'returned');
    assert.is(counter[0], 50, 'every child ran before the parent counted as done');
    const e = await rejection(ex.async(function () { return this.join(12345); }));
    assert.match(e.message, /ctx\.join\(\): 12345 is not a child this task spawned/);
    const e2 = await rejection(ex.async(function () { const h = this.spawn(() => 1); this.join(h); return this.join(h); }));
    assert.match(e2.message, /not a child this task spawned and has not joined yet/);
    assert.is(ex.stats().liveTasks, live, 'no child slot is left behind');
  });

 F("join rethrows a child's error inside the parent; a parent can catch it", async ({ ex }) => {
    const live = ex.stats().liveTasks;
    const e = await rejection(ex.async(tasks.childThrows));
    assert.ok(e instanceof TypeError);
    assert.is(e.message, 'child failed');
    const caught = await ex.async(function () {
      try { this.join(this.spawn(() => { throw new RangeError('inner'); })); } catch (err) { return `${err.name}: ${err.message}`; }
      return 'no error';
    });
    assert.is(caught, 'RangeError: inner');
    assert.is(ex.stats().liveTasks, live, 'no child slot is left behind');
  });

  F('workerId names the worker the task runs on', async ({ ex }) => {
    const ids = new Set(await Promise.all(Array.from({ length: 50 }, () => ex.async(tasks.whoRuns))));
    for (const id of ids) assert.ok(Number.isInteger(id) && id >= 0 && id < workers);
  });

  F.run();
}
