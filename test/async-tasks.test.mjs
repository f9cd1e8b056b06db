// Async tasks: a task may return a promise; its worker runs other tasks while it awaits, and its
// successors start when it settles. Exact expectations on 1, 2 and 4 workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, WorkerCrashError } from 'beatflow';
import * as sf from './fixtures/subflow-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/subflow-tasks.mjs', import.meta.url);

for (const workers of [1, 2, 4]) {
  const A = suite(`async tasks (${workers} worker${workers > 1 ? 's' : ''})`);
  A.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  A.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  A('a task awaiting another task\'s effect completes: the worker runs others meanwhile', async ({ ex }) => {
    for (let rep = 0; rep < 5; rep++) {
      const flag = ex.shared(Int32Array, 1);
      const waits = Array.from({ length: workers }, () => ex.async(sf.waitForFlag, flag));   // occupy every worker
      const set = ex.async(sf.setFlag, flag);
      assert.equal(await within(Promise.all([...waits, set]), 10_000, 'overlap'), [...waits.map(() => 'saw flag'), 'set']);
      ex.free(flag);
    }
  });

  A('many awaiting tasks overlap: all 300 are pending at once, more than one worker\'s await list holds', async ({ ex }) => {
    const live = ex.shared(Int32Array, 2);
    const n = 300;
    // Each sleeps 1 s: long enough that all start before the first ends, even on a loaded 2-vCPU CI machine.
    const out = await within(Promise.all(Array.from({ length: n }, (_, i) => ex.async(sf.sleepy, live, 1000, i))), 20_000, 'sleepy');
    assert.equal(out, Array.from({ length: n }, (_, i) => i));
    assert.ok(live[1] >= Math.min(n, 256 * workers), `max pending ${live[1]}`);
    assert.is(live[0], 0);
  });

  A('in a graph, successors start when the promise resolves and receive its value', async ({ ex }) => {
    const tf = new Taskflow('async-graph');
    const a = tf.emplace(sf.asyncAdd).args(1, 2);
    const b = tf.emplace((x) => x * 2);
    const c = tf.emplace(sf.asyncAdd).args(10);
    a.precede(b); b.precede(c);
    const r = await within(ex.run(tf), 10_000, 'graph');
    assert.is(r.result(c), 16);
  });

  A('an async condition task picks the successor its promise resolves to', async ({ ex }) => {
    const c = ex.shared(Int32Array, 2);
    const tf = new Taskflow('async-cond');
    const init = tf.emplace(sf.leaf);
    const cond = tf.condition(async (arr) => { await null; return Atomics.add(arr, 0, 1) + 1 < 5 ? 0 : 1; }).args(c);
    const done = tf.emplace((arr) => Atomics.add(arr, 1, 1)).args(c);
    init.precede(cond); cond.precede(cond, done);
    await within(ex.run(tf), 10_000, 'cond');
    assert.equal([...c], [5, 1]);
  });

  A('a rejection reaches the caller once, with its class; later tasks of the run do not start', async ({ ex }) => {
    const err = await rejection(ex.async(sf.asyncThrows, 'bad input'));
    assert.instance(err, SyntaxError);
    assert.is(err.message, 'bad input');
    const c = ex.shared(Int32Array, 1);
    const tf = new Taskflow('async-fail');
    const a = tf.emplace(sf.asyncThrows).args('in graph');
    const b = tf.emplace(sf.tick).args(c);
    a.precede(b);
    const e2 = await rejection(ex.run(tf));
    assert.instance(e2, SyntaxError);
    assert.is(e2.suppressed, undefined);
    assert.is(c[0], 0);
  });

  A('spawn after an await is refused with a message saying why', async ({ ex }) => {
    const err = await rejection(ex.async(async function late() { await null; this.spawn(() => 1); }));
    assert.match(err.message, /synchronous part/);
  });

  A.run();
}

const Crash = suite('async tasks and crashes');
Crash('a worker dying with tasks awaiting settles each of them with the crash, and the executor goes on', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    const live = ex.shared(Int32Array, 2);
    const pending = Array.from({ length: 5 }, (_, i) => ex.async(sf.sleepy, live, 5_000, i));
    while (Atomics.load(live, 0) < 5) await new Promise((r) => setTimeout(r, 1));
    const exit = ex.async(function die() { process.exit(7); });
    const errs = await within(Promise.all([...pending, exit].map((p) => rejection(p))), 10_000, 'crash');
    for (const e of errs) { assert.instance(e, WorkerCrashError); assert.match(e.message, /code 7/); }
    assert.is(await within(ex.async(sf.asyncAdd, 2, 3), 10_000, 'after'), 5);
    assert.is(ex.stats().liveTasks, 0);
  } finally {
    await ex.destroy();
  }
});
Crash.run();
