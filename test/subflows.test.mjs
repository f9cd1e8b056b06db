// Subflows: graphs built and joined inside a running task (ctx.subflow). Exact counts on 1, 2 and 4 workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, CancelledError, GraphError } from 'beatflow';
import * as sf from './fixtures/subflow-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/subflow-tasks.mjs', import.meta.url);
const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));

for (const workers of [1, 2, 4]) {
  const S = suite(`subflows (${workers} worker${workers > 1 ? 's' : ''})`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('recursive fib through subflows, explicit join returns the results in insertion order', async ({ ex }) => {
    for (const n of [0, 1, 2, 10, 18]) assert.is(await within(ex.async(sf.sfib, n), 30_000, `fib ${n}`), fib(n), `fib(${n})`);
  });

  S('implicit join: a task that returns without joining waits for its subflow', async ({ ex }) => {
    const c = ex.shared(Int32Array, 1);
    await within(ex.async(sf.sfibImplicit, c, 16), 30_000, 'implicit');
    assert.is(c[0], fib(16));
    ex.free(c);
  });

  S('dependencies inside a subflow: a → b, c → d, each after its predecessors', async ({ ex }) => {
    for (let rep = 0; rep < 20; rep++) {
      const log = ex.shared(Int32Array, 5);
      assert.equal(await ex.async(sf.chainSubflow, log), [0, 10, 20, 30]);
      assert.is(log[0], 4, 'each task ran once');
      assert.is(log[1], 1, 'a first');
      assert.ok(log[2] > log[1] && log[3] > log[1], 'b and c after a');
      assert.ok(log[4] > log[2] && log[4] > log[3], 'd after b and c');
      ex.free(log);
    }
  });

  S('nested loops through subflow levels: each level rebuilds its subflow every iteration', async ({ ex }) => {
    for (const [levels, iters] of [[1, 3], [3, 2], [4, 2]]) {
      const c = ex.shared(Int32Array, 1);
      const leaves = (2 * iters) ** levels;
      assert.is(await within(ex.async(sf.nestedLoops, c, levels, iters), 30_000, 'nested'), leaves);
      assert.is(c[0], leaves, `leaf runs for ${levels} levels × ${iters}`);
      ex.free(c);
    }
  });

  S('a graph loop whose body builds a subflow: rebuilt and run on each of N iterations', async ({ ex }) => {
    const N = 25;
    const c = ex.shared(Int32Array, 2);
    const tf = new Taskflow('loop');
    const init = tf.emplace(sf.leaf);
    const body = tf.emplace(sf.bodyWithSubflow).args(c);
    const more = tf.condition(sf.again).args(c, N);
    const done = tf.emplace(sf.leaf);
    init.precede(body); body.precede(more); more.precede(body, done);
    await within(ex.run(tf), 30_000, 'loop');
    assert.equal([...c], [3 * N, N]);
  });

  S('an error at any nesting level reaches the run once, with its class, message and properties', async ({ ex }) => {
    for (let at = 0; at <= 3; at++) {
      const tf = new Taskflow(`nested-throw-${at}`);
      tf.emplace(sf.throwAtLevel).args(3, at).name('root');
      const err = await rejection(within(ex.run(tf), 20_000, `throw at ${at}`));
      assert.instance(err, RangeError);
      assert.is(err.message, `boom at ${at}`);
      assert.is(err.level, at);
      assert.is(err.suppressed, undefined, 'exactly one error');
    }
  });

  S('join rethrows inside the parent: the parent can catch it (error names the subflow task)', async ({ ex }) => {
    assert.is(await ex.async(sf.catchSubflow), 'TypeError: inner failure @ thrower');
  });

  S('a subflow the task never joins because it threw first never runs', async ({ ex }) => {
    const c = ex.shared(Int32Array, 1);
    const err = await rejection(ex.async(sf.throwBeforeJoin, c));
    assert.is(err.message, 'before join');
    await ex.async(sf.leaf);   // let anything stray run
    assert.is(c[0], 0);
  });

  S('misuse gets clear errors: joining twice, a strong cycle', async ({ ex }) => {
    assert.match((await rejection(ex.async(sf.joinTwice))).message, /subflow 'twice' was already joined/);
    const cyc = await rejection(ex.async(sf.cyclicSubflow));
    assert.instance(cyc, GraphError);
    assert.match(cyc.message, /'a' → 'b' → 'a'/);
  });

  S('a subflow can compose a taskflow (module) several times', async ({ ex }) => {
    const c = ex.shared(Int32Array, 1);
    assert.is(await ex.async(sf.subflowWithModule, c), 4);
  });

  S('cancelling a run stops an endless condition loop inside a subflow, without hanging', async ({ ex }) => {
    const c = ex.shared(Int32Array, 1);
    const tf = new Taskflow('endless');
    tf.emplace(sf.endlessSubflow).args(c);
    const run = ex.run(tf);
    while (Atomics.load(c, 0) < 100) await new Promise((r) => setTimeout(r, 1));
    run.cancel('enough');
    const err = await rejection(within(run, 10_000, 'cancel'));
    assert.instance(err, CancelledError);
    assert.is(err.cause, 'enough');
    assert.is(err.suppressed, undefined, 'the join that stopped is not reported as a failure');
    const seen = c[0];
    await new Promise((r) => setTimeout(r, 20));
    assert.is(c[0], seen, 'nothing of the loop runs after the run settled');
    assert.is(await ex.async(sf.sfib, 10), 55, 'the executor still works');
  });

  S.run();
}

const Limits = suite('subflow limits');
Limits('running out of subflow slots is a RangeError naming maxSubflows, and nothing leaks', async () => {
  const ex = await Executor.create({ workers: 1, module, maxSubflows: 2 });
  try {
    const c = ex.shared(Int32Array, 1);
    const err = await rejection(ex.async(sf.nestedLoops, c, 4, 1));
    assert.instance(err, RangeError);
    assert.match(err.message, /maxSubflows/);
    assert.is(await ex.async(sf.nestedLoops, c, 2, 1), 4, 'two levels fit in two slots');
    assert.is(ex.stats().liveTasks, 0);
  } finally {
    await ex.close();
  }
});

Limits('maxSubflows is validated', async () => {
  const err = await rejection(Executor.create({ maxSubflows: 0 }));
  assert.instance(err, TypeError);
  assert.match(err.message, /maxSubflows/);
});

Limits.run();

