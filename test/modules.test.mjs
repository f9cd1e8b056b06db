// Composition: a task that runs a whole other taskflow (tf.composedOf), nested and reused.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, GraphError } from 'beatflow';
import * as tasks from './fixtures/tasks.mjs';
import { fixtures, within, rejection } from './helpers/executor.mjs';

/** An inline task that appends its tag to a shared log: [n, tag0, tag1, …]. */
const log = (arr, tag) => { const i = Atomics.add(arr, 0, 1); arr[1 + i] = tag; };
const order = (arr) => Array.from(arr.subarray(1, 1 + arr[0]));

for (const workers of [1, 2, 4]) {
  const M = suite(`modules (${workers} worker${workers > 1 ? 's' : ''})`);
  M.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module: fixtures }); });
  M.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  M('a module runs all of its taskflow after its predecessors and before its successors', async ({ ex }) => {
    const L = ex.shared(Int32Array, 64);
    const inner = new Taskflow('inner');
    const [a, b, c] = inner.emplace(log, log, log);
    a.args(L, 10); b.args(L, 11); c.args(L, 12);
    a.precede(c); b.precede(c);
    const outer = new Taskflow('outer');
    const first = outer.emplace(log).args(L, 1);
    const mod = outer.composedOf(inner);
    const last = outer.emplace(log).args(L, 2);
    first.precede(mod); mod.precede(last);
    await ex.run(outer);
    const seen = order(L);
    assert.is(seen.length, 5);
    assert.is(seen[0], 1);
    assert.equal(seen.slice(1, 3).sort(), [10, 11]);
    assert.equal(seen.slice(3), [12, 2]);
    assert.is(mod.name(), 'inner', 'a module task is named after its taskflow');
  });

  M('one taskflow used several times, nested three deep, each instance runs exactly once per run', async ({ ex }) => {
    const C = ex.shared(Int32Array, 8);
    const leaf = new Taskflow('leaf');
    leaf.emplace((arr) => Atomics.add(arr, 0, 1)).args(C);
    const mid = new Taskflow('mid');
    const m1 = mid.composedOf(leaf), m2 = mid.composedOf(leaf);
    m1.precede(m2);
    mid.emplace((arr) => Atomics.add(arr, 1, 1)).args(C).succeed(m2);
    const top = new Taskflow('top');
    const [t1, t2, t3] = [top.composedOf(mid), top.composedOf(mid), top.composedOf(leaf)];
    t1.precede(t3); t2.precede(t3);
    for (let r = 1; r <= 3; r++) {
      await ex.run(top);
      assert.equal([C[0], C[1]], [5 * r, 2 * r], `run ${r}: leaf 2×2 + 1 times, mid's own task 2 times`);
    }
  });

  M('a condition can choose a module; a loop can run through one', async ({ ex }) => {
    const C = ex.shared(Int32Array, 4);
    const body = new Taskflow('body');
    body.emplace((arr) => Atomics.add(arr, 0, 1)).args(C);
    const tf = new Taskflow('loop-module');
    const init = tf.emplace(tasks.noop);
    const mod = tf.composedOf(body);
    const again = tf.condition((arr) => (Atomics.load(arr, 0) < 7 ? 0 : 1)).args(C);
    const done = tf.emplace((arr) => Atomics.add(arr, 1, 1)).args(C);
    init.precede(mod); mod.precede(again); again.precede(mod, done);
    await within(ex.run(tf), 10_000, 'loop through a module');
    assert.equal([C[0], C[1]], [7, 1]);
  });

  M.run();
}

// ---
const Edges = suite('modules: edge cases');
Edges.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module: fixtures }); });
Edges.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

Edges('an empty module passes straight through', async ({ ex }) => {
  const tf = new Taskflow('around-empty');
  const [a, b] = tf.emplace(tasks.echo, tasks.echo);
  const m = tf.composedOf(new Taskflow('empty'));
  a.args(1).precede(m); m.precede(b);
  b.args(2);
  assert.is((await ex.run(tf)).result(b), 2);
});

Edges('changing a composed taskflow takes effect on the next run of its parent', async ({ ex }) => {
  const C = ex.shared(Int32Array, 2);
  const inner = new Taskflow('inner');
  inner.emplace((arr) => Atomics.add(arr, 0, 1)).args(C);
  const outer = new Taskflow('outer');
  outer.composedOf(inner);
  await ex.run(outer);
  inner.emplace((arr) => Atomics.add(arr, 1, 1)).args(C);
  await ex.run(outer);
  assert.equal([...C], [2, 1]);
});

Edges('a taskflow composed of itself, directly or not, is refused with the path', async ({ ex }) => {
  const a = new Taskflow('a'), b = new Taskflow('b');
  a.composedOf(b); b.composedOf(a);
  const e = await rejection(ex.run(a));
  assert.ok(e instanceof GraphError);
  assert.match(e.message, /taskflow 'a' is composed of itself: 'a' → 'b' → 'a'/);
  assert.throws(() => a.composedOf('b'), /composedOf\(other\): other must be a Taskflow/);
});

Edges('an error inside a module rejects the run with the inner task\'s name', async ({ ex }) => {
  const inner = new Taskflow('inner');
  inner.emplace(tasks.boom).args('inside').name('deep');
  const outer = new Taskflow('outer');
  const after = outer.emplace(tasks.noop);
  outer.composedOf(inner).precede(after);
  const e = await rejection(ex.run(outer));
  assert.is(e.message, 'inside');
  assert.is(e.task, 'deep');
});

Edges('dump() draws a module task as a box', () => {
  const tf = new Taskflow('d');
  tf.composedOf(new Taskflow('sub'));
  assert.match(tf.dump(), /t0 \[label="sub", shape=box3d\];/);
});

Edges.run();
