// Graph editing with Taskflow's semantics: placeholders and task.work(fn), duplicate edges (a multiset,
// as Taskflow counts them), edge counts and visitors, linearize, and edits made while a run is in flight.
// Pure-data checks first, then exact counts on 1, 2 and 4 workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, GraphError } from 'beatflow';
import * as tasks from './fixtures/tasks.mjs';
import { fixtures, within } from './helpers/executor.mjs';

/** Bumps slot i of a shared Int32Array (inline, self-contained); returns its predecessors' results. */
const bump = (arr, i, ...preds) => { Atomics.add(arr, i, 1); return preds; };
/** A graph task: [depth, predecessor edges it saw]; depth 1 + the deepest predecessor's. */
const depth = (arr, i, ...preds) => { Atomics.add(arr, i, 1); return [1 + Math.max(0, ...preds.map((p) => p[0])), preds.length]; };

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed) {
  return () => { seed |= 0; seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

// ---
const Data = suite('graph editing (pure data)');

Data('a placeholder has no work until task.work(fn) gives it some', () => {
  const tf = new Taskflow('t');
  tf.emplace(tasks.noop);
  const p = tf.placeholder();
  assert.is(p.hasWork(), false);
  assert.is(p.name(), 'task1', 'named by its index until it has a function or a name');
  assert.is(tf.numTasks, 2);
  const v = tf.version;
  assert.is(p.work(tasks.inc), p, 'chains');
  assert.ok(p.hasWork());
  assert.is(p.name(), 'inc');
  assert.ok(tf.version > v, 'work(fn) changes the graph: the next run lays it out again');
  const c = tf.condition(tasks.echo).work(tasks.inc);
  assert.ok(c.isCondition && c.hasWork(), 'a condition stays a condition');
  assert.ok(tf.emplace(tasks.noop).hasWork());
});

Data('task.work(fn): bad input is named', () => {
  const tf = new Taskflow('t');
  const p = tf.placeholder().name('later');
  assert.throws(() => p.work(42), /task\.work\(fn\) on task 'later': fn must be a function \(got 42\)/);
  const m = tf.composedOf(new Taskflow('inner'));
  assert.throws(() => m.work(tasks.noop), (e) => e instanceof GraphError && /task\.work\(fn\) on task 'inner': it is a module task/.test(e.message));
});

Data('edges are a multiset: counts, visitors in insertion order, removal takes every copy', () => {
  const tf = new Taskflow();
  const [a, b, c] = tf.emplace(tasks.noop, tasks.noop, tasks.noop);
  const k = tf.condition(tasks.echo);
  a.precede(b, b, c); k.precede(b, c); c.succeed(b);
  assert.is(a.numSuccessors(), 3);
  assert.is(b.numPredecessors(), 3);
  assert.is(b.numStrongDependencies(), 2);
  assert.is(b.numWeakDependencies(), 1);
  assert.is(c.numPredecessors(), 3);
  const seen = [];
  a.forEachSuccessor((t) => seen.push(t));
  assert.equal(seen, [b, b, c]);
  const before = [];
  c.forEachPredecessor((t) => before.push(t));
  assert.equal(before, [a, k, b]);
  assert.throws(() => a.forEachSuccessor('x'), /task\.forEachSuccessor\(fn\) on task 'noop': fn must be a function/);
  assert.throws(() => a.forEachPredecessor(null), /task\.forEachPredecessor\(fn\) on task 'noop': fn must be a function/);
  a.removeSuccessors(b);
  assert.equal(a.successors, [c]);
  assert.equal(b.predecessors, [k]);
  assert.is(b.numStrongDependencies(), 0);
  assert.match(tf.dump(), /t3 -> t1 \[style=dashed, label="0"\];\n {2}t3 -> t2 \[style=dashed, label="1"\];/);
});

Data('forEachTask visits every task in insertion order; linearize chains a list', () => {
  const tf = new Taskflow('lin');
  const ts = tf.emplace([tasks.noop, tasks.noop, tasks.noop, tasks.noop]);
  const seen = [];
  tf.forEachTask((t) => { seen.push(t); tf.placeholder(); });
  assert.equal(seen, ts, 'tasks added meanwhile are not visited');
  tf.linearize(ts);
  assert.equal(ts.map((t) => t.numSuccessors()), [1, 1, 1, 0]);
  assert.equal(ts.map((t) => t.successors[0]), [ts[1], ts[2], ts[3], undefined]);
  tf.linearize([]); tf.linearize([ts[0]]);
  assert.is(ts[0].numSuccessors(), 1, 'lists of 0 and 1 add nothing');
  assert.throws(() => tf.forEachTask(1), /taskflow\.forEachTask\(fn\): fn must be a function/);
  assert.throws(() => tf.linearize(ts[0]), /taskflow\.linearize\(tasks\): tasks must be an array of Tasks/);
  assert.throws(() => tf.linearize([ts[0], 'b']), /taskflow\.linearize\(tasks\): tasks\[1\] must be a Task/);
  const other = new Taskflow('other').emplace(tasks.noop).name('far');
  assert.throws(() => tf.linearize([ts[0], other]), /task 'far' belongs to another taskflow than 'lin'/);
  assert.is(ts[0].numSuccessors(), 1, 'a refused list adds no edge');
});
Data.run();

// ---
for (const workers of [1, 2, 4]) {
  const Edit = suite(`graph editing (${workers} worker${workers > 1 ? 's' : ''})`);
  Edit.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module: fixtures }); });
  Edit.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  Edit('a placeholder without work runs as a no-op; work(fn) given later runs on the next run', async ({ ex }) => {
    const n = ex.shared(Int32Array, 2);
    const tf = new Taskflow('ph');
    const [a, b] = tf.emplace(bump, bump);
    a.args(n, 0); b.args(n, 1);
    const p = tf.placeholder().succeed(a).precede(b);
    let run = await within(ex.run(tf), 5000, 'run with a placeholder');
    assert.equal([...n], [1, 1]);
    assert.is(run.result(p), undefined);
    assert.equal(run.result(b), [undefined], 'its successor receives what it yields: undefined');
    p.work(tasks.args);
    run = await within(ex.run(tf), 5000, 'run after work(fn)');
    assert.equal([...n], [2, 2]);
    assert.equal(run.result(p), [[]], 'the new function ran with its predecessor\'s result');
    assert.equal(run.result(b), [[[]]]);
  });

  Edit('a duplicate edge counts twice: the successor waits for both and receives the result twice', async ({ ex }) => {
    const tf = new Taskflow('dup');
    const [a, b, c] = tf.emplace(tasks.echo, tasks.args, tasks.args);
    a.args(7);
    const slow = tf.emplace(tasks.later).args(9, 20);
    a.precede(b, b, c); slow.precede(c); a.precede(c);
    const run = await within(ex.run(tf), 5000, 'run');
    assert.equal(run.result(b), [7, 7]);
    assert.equal(run.result(c), [7, 9, 7], 'c ran after the slow task too, once, with one argument per edge');
  });

  Edit('random graphs with duplicate edges: every task runs once, after all its edges, 3 runs', async ({ ex }) => {
    const N = 300, rand = rng(workers);
    const count = ex.shared(Int32Array, N);
    const tf = new Taskflow('multi');
    const ts = tf.emplace(Array(N).fill(depth));
    ts.forEach((t, i) => t.args(count, i));
    const want = new Array(N).fill(1), edges = new Array(N).fill(0);
    for (let j = 1; j < N; j++) {
      for (let k = 0; k < 3; k++) {
        const i = Math.floor(rand() * j);
        const times = 1 + Math.floor(rand() * 3);
        for (let r = 0; r < times; r++) ts[i].precede(ts[j]);
        edges[j] += times;
        want[j] = Math.max(want[j], want[i] + 1);
      }
    }
    for (let r = 1; r <= 3; r++) {
      const run = await within(ex.run(tf), 10_000, `run ${r}`);
      assert.ok(count.every((c) => c === r), `run ${r}: every task ran exactly once`);
      assert.equal(ts.map((t) => run.result(t)), want.map((d, j) => [d, edges[j]]));
    }
  });

  Edit('a condition whose edges repeat a task: both choices lead to it, once', async ({ ex }) => {
    const n = ex.shared(Int32Array, 1);
    const tf = new Taskflow('cond');
    const k = tf.condition(tasks.echo);
    const b = tf.emplace(bump).args(n, 0);
    k.precede(b, b);
    for (const choice of [0, 1, 2]) {
      k.args(choice);
      await within(ex.run(tf), 5000, `choice ${choice}`);
    }
    assert.is(n[0], 2, 'choices 0 and 1 ran it once each; 2 is out of range and runs nothing');
  });

  Edit('a run result refuses to be read once the taskflow was edited', async ({ ex }) => {
    const tf = new Taskflow('edited');
    const [a, b] = tf.emplace(() => 1, () => 2);
    const r = await within(ex.run(tf), 10_000, 'run');
    assert.is(r.result(b), 2);
    tf.erase(a);
    assert.throws(() => r.result(b), /was edited since/, 'an erased task shifts the slots: no silent wrong value');
    const r2 = await within(ex.run(tf), 10_000, 'run again');
    assert.is(r2.result(b), 2, 'the next run reads as usual');
  });

  Edit('edits while a run is in flight apply to the runs that start after them', async ({ ex }) => {
    const n = ex.shared(Int32Array, 3);
    const tf = new Taskflow('live');
    const [a, b] = tf.emplace(bump, bump);
    const slow = tf.emplace(tasks.spin).args(30);
    a.args(n, 0); b.args(n, 1); a.precede(slow); slow.precede(b);
    const first = ex.run(tf);
    await new Promise((r) => setTimeout(r, 0));   // the first run has laid the graph out and started
    const c = tf.emplace(bump).args(n, 2);
    b.precede(c);
    const second = ex.run(tf);                     // queued behind the first: lays the new shape out
    const r1 = await within(first, 5000, 'first run');
    assert.throws(() => r1.result(c), /task 'bump' is not part of this run's taskflow/);
    await within(second, 5000, 'second run');
    assert.equal([...n], [2, 2, 1], 'c ran once: in the second run, not in the first, laid out before the edit');
    const d = tf.emplace(bump).args(n, 2);
    const third = ex.run(tf);
    c.precede(d);                                  // same tick as executor.run: the run has not started yet
    await within(third, 5000, 'third run');
    assert.equal([...n], [3, 3, 3], 'an edit in the same tick as executor.run applies to that run');
  });
  Edit.run();
}
