// Taskflow graphs: results flow to successors, cycles are named, graphs re-run without rebuilding.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, GraphError } from 'beatflow';
import * as tasks from './fixtures/tasks.mjs';
import { fixtures, within, rejection } from './helpers/executor.mjs';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed) {
  return () => { seed |= 0; seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

// ---
const Build = suite('taskflow (pure data)');

Build('emplace returns one handle for one function and an array for several', () => {
  const tf = new Taskflow('t');
  const one = tf.emplace(tasks.noop);
  const many = tf.emplace(tasks.noop, tasks.inc, tasks.add);
  assert.ok(!Array.isArray(one));
  assert.is(many.length, 3);
  assert.is(tf.numTasks, 4);
  assert.is(tf.name, 't');
  const big = tf.emplace(Array(1 << 20).fill(tasks.noop));
  assert.is(big.length, 1 << 20, 'an array of a million functions (no spread, no stack overflow)');
  assert.is(tf.emplace([tasks.noop]).length, 1, 'an array of one gives an array');
});

Build('precede and succeed record edges in insertion order; a repeated edge is another edge', () => {
  const tf = new Taskflow();
  const [a, b, c, d] = tf.emplace(tasks.noop, tasks.noop, tasks.noop, tasks.noop);
  a.precede(c, b); d.succeed(c, b); a.precede(c);
  assert.equal(a.successors, [c, b, c]);
  assert.equal(d.predecessors, [c, b]);
  assert.equal(c.predecessors, [a, a]);
});

Build('names default to the function name and can be set', () => {
  const tf = new Taskflow();
  const [a, b] = tf.emplace(tasks.inc, (x) => x);
  assert.is(a.name(), 'inc');
  assert.is(b.name('mine').name(), 'mine');
});

Build('edges across taskflows and non-functions are refused with a message', () => {
  const t1 = new Taskflow('one').emplace(tasks.noop);
  const t2 = new Taskflow('two').emplace(tasks.noop);
  assert.throws(() => t1.precede(t2), /belongs to another taskflow than 'one'/);
  assert.throws(() => new Taskflow().emplace(tasks.noop, 42), /argument 1 must be a function/);
});

// ---
const Run = suite('executor.run');
Run.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module: fixtures }); });
Run.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

Run('results flow along edges; a task gets bound args then predecessor results in edge order', async ({ ex }) => {
  const tf = new Taskflow('flow');
  const [a, b, c, d] = tf.emplace(tasks.echo, tasks.inc, tasks.args, tasks.args);
  a.args(10);
  a.precede(b);
  c.args('x').succeed(b, a);
  d.succeed(a, b, c);
  const run = await ex.run(tf);
  assert.is(run.result(a), 10);
  assert.is(run.result(b), 11);
  assert.equal(run.result(c), ['x', 11, 10]);
  assert.equal(run.result(d), [10, 11, ['x', 11, 10]]);
});

Run('a cycle is refused with the names of the tasks on it', async ({ ex }) => {
  const tf = new Taskflow('loopy');
  const [a, b, c, d] = tf.emplace(tasks.noop, tasks.noop, tasks.noop, tasks.noop);
  a.name('a'); b.name('b'); c.name('c'); d.name('d');
  a.precede(b); b.precede(c); c.precede(d); d.precede(b);
  const e = await rejection(ex.run(tf));
  assert.ok(e instanceof GraphError);
  assert.equal(e.cycle, ['b', 'c', 'd']);
  assert.match(e.message, /taskflow 'loopy' has a cycle: 'b' → 'c' → 'd' → 'b'/);
  const self = new Taskflow('self');
  const s = self.emplace(tasks.noop).name('s');
  s.precede(s);
  assert.match((await rejection(ex.run(self))).message, /'s' → 's'/);
});

Run('a graph re-runs without rebuilding; older results are refused once it ran again', async ({ ex }) => {
  const tf = new Taskflow('again');
  const [a, b] = tf.emplace(tasks.echo, tasks.inc);
  a.args(1).precede(b);
  const r1 = await ex.run(tf);
  assert.is(r1.result(b), 2);
  const live = ex.stats().liveTasks;
  const r2 = await ex.run(tf);
  assert.is(ex.stats().liveTasks, live, 'no new slots for a re-run');
  assert.is(r2.result(b), 2);
  assert.throws(() => r1.result(b), /has run again since/);
  const other = new Taskflow('other').emplace(tasks.noop);
  assert.throws(() => r2.result(other), /not part of this run/);
});

Run('tasks and edges added between runs take effect on the next run', async ({ ex }) => {
  const tf = new Taskflow('grow');
  const a = tf.emplace(tasks.echo).args(5);
  assert.is((await ex.run(tf)).result(a), 5);
  const b = tf.emplace(tasks.inc);
  a.precede(b);
  const r = await ex.run(tf);
  assert.is(r.result(b), 6);
  a.args(7);
  assert.is((await ex.run(tf)).result(b), 8);
});

Run('runs of one taskflow submitted together execute one after another, in order', async ({ ex }) => {
  const tf = new Taskflow('serial');
  const log = ex.shared(Int32Array, 64);
  const first = tf.emplace((arr) => { const i = Atomics.add(arr, 0, 1); arr[1 + 2 * i] = 1; return i; }).args(log);
  const last = tf.emplace((arr, i) => { arr[2 + 2 * i] = 2; return i; }).args(log);
  first.precede(last);
  const runs = await Promise.all(Array.from({ length: 20 }, () => ex.run(tf).then((r) => r.result(last))));
  assert.equal(runs, Array.from({ length: 20 }, (_, i) => i), 'each run saw the previous one finished');
  for (let i = 0; i < 20; i++) { assert.is(log[1 + 2 * i], 1); assert.is(log[2 + 2 * i], 2); }
});

Run('a failing task rejects the run with its error and name; its successors do not run', async ({ ex }) => {
  const tf = new Taskflow('fails');
  const marks = ex.shared(Int32Array, 4);
  const [a, b, c] = tf.emplace(tasks.noop, tasks.boom, (arr) => { arr[0] = 1; });
  b.args('graph failure').name('the-bad-one');
  c.args(marks);
  a.precede(b); b.precede(c);
  const e = await rejection(ex.run(tf));
  assert.ok(e instanceof TypeError);
  assert.is(e.message, 'graph failure');
  assert.is(e.task, 'the-bad-one');
  assert.is(marks[0], 0, 'the successor was skipped');
  b.args('again');
  assert.is((await rejection(ex.run(tf))).message, 'again', 'the graph can run again after a failure');
});

Run('several failures at once: one error reported, the others attached as suppressed', async ({ ex }) => {
  const tf = new Taskflow('many-fail');
  const barrier = ex.shared(Int32Array, 1);
  const end = tf.emplace(tasks.noop);
  // Both tasks wait until both have started (one per worker), then throw together.
  const throwTogether = (arr, msg) => {
    Atomics.add(arr, 0, 1);
    while (Atomics.load(arr, 0) < 2) { /* wait for the other */ }
    throw new Error(msg);
  };
  tf.emplace(throwTogether).args(barrier, 'e0').precede(end);
  tf.emplace(throwTogether).args(barrier, 'e1').precede(end);
  const e = await rejection(ex.run(tf));
  assert.ok(Array.isArray(e.suppressed), 'suppressed is attached');
  assert.equal([e.message, ...e.suppressed.map((s) => s.message)].sort(), ['e0', 'e1']);
});

Run('an empty taskflow completes at once', async ({ ex }) => {
  const r = await ex.run(new Taskflow('empty'));
  assert.ok(r);
});

Run('a graph laid out after the memory grew: workers read its edge lists through fresh views', async ({ ex }) => {
  const big = ex.shared(Uint8Array, 64 << 20);   // grows the memory after the workers took their views
  const chain = new Taskflow('after-growth');
  const ts = chain.emplace(...Array(20000).fill(tasks.inc));
  ts[0].args(0);
  for (let i = 1; i < ts.length; i++) ts[i - 1].precede(ts[i]);
  const r = await ex.run(chain);
  assert.is(r.result(ts.at(-1)), 20000);
  ex.free(big);
  await ex.release(chain);
});

Run('shapes at scale: chain, fan-out/fan-in, binary tree, wavefront', async ({ ex }) => {
  const chain = new Taskflow('chain');
  const ts = chain.emplace(...Array(50000).fill(tasks.inc));
  ts[0].args(0);
  for (let i = 1; i < ts.length; i++) ts[i - 1].precede(ts[i]);
  assert.is((await ex.run(chain)).result(ts.at(-1)), 50000);
  const fan = new Taskflow('fan');
  const src = fan.emplace(tasks.echo).args(1);
  const sink = fan.emplace(tasks.sum);
  for (let i = 0; i < 3000; i++) fan.emplace(tasks.inc).succeed(src).precede(sink);
  assert.is((await ex.run(fan)).result(sink), 6000);
  const tree = new Taskflow('tree');
  const nodes = tree.emplace(...Array((1 << 14) - 1).fill(tasks.sum));
  for (let i = 0; 2 * i + 2 < nodes.length; i++) nodes[i].precede(nodes[2 * i + 1], nodes[2 * i + 2]);
  nodes[0].args(1);
  assert.is((await ex.run(tree)).result(nodes.at(-1)), 1);
  const n = 64, wf = new Taskflow('wavefront');
  const cells = wf.emplace(...Array(n * n).fill(tasks.sum));
  cells[0].args(1);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    if (x + 1 < n) cells[y * n + x].precede(cells[y * n + x + 1]);
    if (y + 1 < n) cells[y * n + x].precede(cells[(y + 1) * n + x]);
  }
  // cell (x, y) sums its up and left neighbours: binomial(x + y, x); the far corner is C(126, 63) ≈ 6e36
  const r = await ex.run(wf);
  assert.is(r.result(cells[1 * n + 1]), 2);
  assert.is(r.result(cells[3 * n + 2]), 10);
});

for (const workers of [1, 2, 4]) {
  Run(`a 1000-node random DAG respects every dependency (level stamps, ${workers} workers)`, async () => {
    const ex = await Executor.create({ workers, module: fixtures });
    const rand = rng(1000 + workers);
    const tf = new Taskflow('random-dag');
    const ts = tf.emplace(...Array(1000).fill(tasks.stamp));
    const level = new Array(1000).fill(0);
    for (let i = 0; i < 1000; i++) {
      ts[i].args(0);
      for (let k = 0; k < 3; k++) {
        const j = Math.floor(rand() * i);
        if (i > 0 && !ts[j].successors.includes(ts[i])) { ts[j].precede(ts[i]); }
      }
    }
    for (let i = 0; i < 1000; i++) level[i] = Math.max(0, ...ts[i].predecessors.map((p) => level[ts.indexOf(p)] + 1));
    for (let rep = 0; rep < 3; rep++) {
      const r = await ex.run(tf);
      for (let i = 0; i < 1000; i++) assert.is(r.result(ts[i]), level[i], `task ${i}, run ${rep}`);
    }
    const counter = ex.shared(Int32Array, 1000);
    const count = new Taskflow('count');
    const cs = count.emplace(...Array(1000).fill((arr, i) => Atomics.add(arr, i, 1)));
    cs.forEach((c, i) => c.args(counter, i));
    for (let i = 1; i < 1000; i++) cs[Math.floor(rand() * i)].precede(cs[i]);
    for (let rep = 0; rep < 5; rep++) await ex.run(count);
    assert.ok(counter.every((v) => v === 5), 'each task ran exactly once per run');
    await within(ex.close(), 10_000, 'close');
  });
}

Build.run();
Run.run();

// ---
const Variants = suite('run variants and graph editing');
Variants.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module: fixtures }); });
Variants.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

Variants('runN runs a taskflow n times, one after another', async ({ ex }) => {
  const counter = ex.shared(Int32Array, 1);
  const tf = new Taskflow('n');
  const t = tf.emplace((arr) => Atomics.add(arr, 0, 1) + 1).args(counter);
  const last = await ex.runN(tf, 7);
  assert.is(counter[0], 7);
  assert.is(last.result(t), 7, 'the result is the last run');
  assert.is(await ex.runN(tf, 0), undefined);
  assert.match((await rejection(ex.runN(tf, -1))).message, /n must be a non-negative integer/);
  assert.match((await rejection(ex.runN(tf, 1.5))).message, /n must be a non-negative integer/);
});

Variants('runUntil asks its predicate before every run', async ({ ex }) => {
  const counter = ex.shared(Int32Array, 1);
  const tf = new Taskflow('until');
  tf.emplace((arr) => Atomics.add(arr, 0, 1)).args(counter);
  let asked = 0;
  await ex.runUntil(tf, () => { asked++; return counter[0] >= 5; });
  assert.is(counter[0], 5);
  assert.is(asked, 6);
  assert.is(await ex.runUntil(tf, async () => true), undefined, 'true at once: no run');
  assert.is(counter[0], 5);
});

Variants('several taskflows run at once, and waitForAll waits for queued runs too', async ({ ex }) => {
  const counter = ex.shared(Int32Array, 4);
  const flows = [0, 1, 2, 3].map((k) => {
    const tf = new Taskflow(`f${k}`);
    for (let i = 0; i < 50; i++) tf.emplace((arr, j) => { Atomics.add(arr, j, 1); }).args(counter, k);
    return tf;
  });
  for (const tf of flows) for (let r = 0; r < 5; r++) void ex.run(tf);
  const asyncs = Array.from({ length: 100 }, (_, i) => ex.async(tasks.inc, i));
  await within(ex.waitForAll(), 20_000, 'waitForAll');
  assert.equal([...counter], [250, 250, 250, 250]);
  assert.equal(await Promise.all(asyncs), Array.from({ length: 100 }, (_, i) => i + 1));
});

Variants('tasks and edges can be removed, and the graph emptied; the next run uses the new shape', async ({ ex }) => {
  const tf = new Taskflow('edit');
  const [a, b, c] = tf.emplace(tasks.echo, tasks.inc, tasks.args);
  a.args(1).precede(b, c); b.precede(c);
  assert.equal((await ex.run(tf)).result(c), [1, 2]);
  c.removePredecessors(a);
  assert.equal(a.successors, [b]);
  assert.equal((await ex.run(tf)).result(c), [2]);
  b.removeSuccessors(c);
  assert.equal((await ex.run(tf)).result(c), [], 'c is a source now');
  tf.erase(b);
  assert.is(tf.numTasks, 2);
  assert.equal(a.successors, []);
  assert.throws(() => a.precede(b), /was erased/);
  const r = await ex.run(tf);
  assert.is(r.result(a), 1);
  assert.throws(() => r.result(b), /not part of this run/);
  tf.clear();
  assert.ok(tf.empty);
  await ex.run(tf);
  const d = tf.emplace(tasks.echo).args('again');
  assert.is((await ex.run(tf)).result(d), 'again');
});

Variants.run();
