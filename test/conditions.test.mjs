// Condition tasks, weak edges and loops; run cancellation; DOT dump. Exact counts on 1, 2 and 4 workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, CancelledError } from 'beatflow';
import * as tasks from './fixtures/tasks.mjs';
import { fixtures, within, rejection } from './helpers/executor.mjs';

/** Counter task bodies (inline, self-contained): bump slot i of a shared Int32Array, return the new count. */
const bump = (arr, i) => Atomics.add(arr, i, 1) + 1;
/** A condition that loops (0) while slot i is below limit, then exits (1). */
const loopWhile = (arr, i, limit) => (Atomics.load(arr, i) < limit ? 0 : 1);

for (const workers of [1, 2, 4]) {
  const Cond = suite(`condition tasks (${workers} worker${workers > 1 ? 's' : ''})`);
  Cond.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module: fixtures }); });
  Cond.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  Cond('a loop through a condition iterates exactly N times, then takes the exit once', async ({ ex }) => {
    for (const N of [1, 2, 10, 1000]) {
      const c = ex.shared(Int32Array, 3);
      const tf = new Taskflow('loop');
      const init = tf.emplace(bump).args(c, 0).name('init');
      const body = tf.emplace(bump).args(c, 1).name('body');
      const more = tf.condition(loopWhile).args(c, 1, N).name('more?');
      const done = tf.emplace(bump).args(c, 2).name('done');
      init.precede(body); body.precede(more); more.precede(body, done);
      await within(ex.run(tf), 20_000, `loop ${N}`);
      assert.equal([...c], [1, N, 1], `N=${N}`);
    }
  });

  Cond('a task may precede itself through a condition (self-loop)', async ({ ex }) => {
    const c = ex.shared(Int32Array, 1);
    const tf = new Taskflow('self');
    const self = tf.condition((arr) => (Atomics.add(arr, 0, 1) + 1 < 25 ? 0 : -1)).args(c);
    tf.emplace(tasks.noop).name('enter').precede(self);   // a source: nothing precedes it
    self.precede(self);
    await within(ex.run(tf), 10_000, 'self-loop');
    assert.is(c[0], 25);
    c[0] = 0;
    await within(ex.run(tf), 10_000, 'self-loop again');
    assert.is(c[0], 25, 'a re-run iterates again from the start');
  });

  Cond('branches: only the chosen successor runs; a task whose strong predecessor never ran never runs', async ({ ex }) => {
    const c = ex.shared(Int32Array, 4);
    const tf = new Taskflow('branch');
    const pick = tf.condition(() => 1);
    const [a, b, after] = tf.emplace(bump, bump, bump);
    a.args(c, 0); b.args(c, 1); after.args(c, 2);
    pick.precede(a, b);
    a.precede(after);             // strong: after waits for a, which is never chosen
    const r = await within(ex.run(tf), 10_000, 'branch');
    assert.equal([...c], [0, 1, 0, 0]);
    assert.is(r.result(pick), 1, 'a condition task returns its choice');
    assert.is(r.result(a), undefined, 'a task that did not run has no result');
    assert.is(r.finished(a), false, 'nor did it finish');
    assert.is(r.finished(after), false, 'nor its successor');
    assert.is(r.finished(b), true);
    assert.is(r.result(b), 1);
  });

  Cond('condition → condition chains, multi-conditions, and ignored indices', async ({ ex }) => {
    const c = ex.shared(Int32Array, 6);
    const tf = new Taskflow('chains');
    const c1 = tf.condition(() => 1).name('c1');
    const c2 = tf.condition(() => 0).name('c2');
    const c3 = tf.condition(() => [0, 2, 2, 7, -1, 1.5, 'x']).name('multi');
    const ts = tf.emplace(bump, bump, bump, bump, bump);
    ts.forEach((t, i) => t.args(c, i));
    c1.precede(ts[0], c2);        // c1 → c2
    c2.precede(c3, ts[1]);        // c2 → multi
    c3.precede(ts[2], ts[3], ts[4]);   // multi → ts[2] and ts[4] once each; the rest ignored
    const none = tf.condition(() => 99);   // out of range: nothing
    none.precede(tf.emplace(bump).args(c, 5));
    await within(ex.run(tf), 10_000, 'chains');
    assert.equal([...c], [0, 0, 1, 0, 1, 0]);
  });

  Cond('nested loops: an inner loop runs to completion on every outer iteration', async ({ ex }) => {
    const c = ex.shared(Int32Array, 4);
    const tf = new Taskflow('nested');
    const outerBody = tf.emplace((arr) => { Atomics.store(arr, 1, 0); return Atomics.add(arr, 0, 1); }).args(c).name('outer');
    const innerBody = tf.emplace((arr) => { Atomics.add(arr, 1, 1); Atomics.add(arr, 2, 1); }).args(c).name('inner');
    const innerMore = tf.condition(loopWhile).args(c, 1, 5).name('inner more?');
    const outerMore = tf.condition(loopWhile).args(c, 0, 4).name('outer more?');
    const end = tf.emplace(bump).args(c, 3);
    tf.emplace(tasks.noop).precede(outerBody);
    outerBody.precede(innerBody); innerBody.precede(innerMore);
    innerMore.precede(innerBody, outerMore);
    outerMore.precede(outerBody, end);
    await within(ex.run(tf), 10_000, 'nested');
    assert.equal([...c], [4, 5, 20, 1]);
  });

  Cond('an exception inside a loop rejects the run once, and the loop stops', async ({ ex }) => {
    const c = ex.shared(Int32Array, 1);
    const tf = new Taskflow('throws');
    const body = tf.emplace((arr) => { if (Atomics.add(arr, 0, 1) === 7) throw new RangeError('seventh'); }).args(c);
    const more = tf.condition(() => 0);
    tf.emplace(tasks.noop).precede(body);
    body.precede(more); more.precede(body);
    const e = await within(rejection(ex.run(tf)), 10_000, 'throw in loop');
    assert.ok(e instanceof RangeError);
    assert.is(e.message, 'seventh');
    assert.is(c[0], 8);
  });

  Cond('a graph where every task has a predecessor cannot start, and says so', async ({ ex }) => {
    const tf = new Taskflow('no-entry');
    const body = tf.emplace(tasks.noop).name('body');
    const more = tf.condition(() => 0).name('more?');
    body.precede(more); more.precede(body);
    const e = await rejection(ex.run(tf));
    assert.match(e.message, /taskflow 'no-entry' has no task to start from: every task has a predecessor/);
  });

  Cond.run();
}

// ---
const Cancel = suite('run cancellation');
Cancel.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module: fixtures }); });
Cancel.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

function endless(ex) {
  const c = ex.shared(Int32Array, 1);
  const tf = new Taskflow('endless');
  const body = tf.emplace((arr) => Atomics.add(arr, 0, 1)).args(c);
  const again = tf.condition(() => 0);
  tf.emplace(tasks.noop).precede(body);
  body.precede(again); again.precede(body);
  return { tf, c };
}

Cancel('cancel() stops an endless loop; the run rejects with CancelledError and its reason', async ({ ex }) => {
  const { tf, c } = endless(ex);
  const run = ex.run(tf);
  await new Promise((r) => setTimeout(r, 50));
  run.cancel('enough');
  const e = await within(rejection(run), 5000, 'cancelled run settles');
  assert.ok(e instanceof CancelledError);
  assert.is(e.cause, 'enough');
  assert.match(e.message, /run of taskflow 'endless' was cancelled/);
  const seen = c[0];
  assert.ok(seen > 0, 'the loop ran before the cancel');
  await new Promise((r) => setTimeout(r, 50));
  assert.is(c[0], seen, 'nothing of the run starts after it settled');
  assert.is(await ex.async(tasks.inc, 1), 2, 'the executor works on');
});

Cancel('an AbortSignal cancels a run; an already-aborted one cancels it before it starts', async ({ ex }) => {
  const { tf } = endless(ex);
  const e = await within(rejection(ex.run(tf, { signal: AbortSignal.timeout(30) })), 5000, 'signal');
  assert.ok(e instanceof CancelledError);
  assert.is(e.cause?.name, 'TimeoutError');
  const ctl = new AbortController();
  ctl.abort('early');
  const c2 = ex.shared(Int32Array, 1);
  const once = new Taskflow('once');
  once.emplace((arr) => Atomics.add(arr, 0, 1)).args(c2);
  const e2 = await rejection(ex.run(once, { signal: ctl.signal }));
  assert.ok(e2 instanceof CancelledError);
  assert.is(c2[0], 0, 'no task ran');
  assert.match((await rejection(ex.run(once, { signal: 'nope' }))).message, /options\.signal must be an AbortSignal/);
});

Cancel('cancelling a queued run leaves the runs before it alone; cancelling a settled run does nothing', async ({ ex }) => {
  const c = ex.shared(Int32Array, 1);
  const tf = new Taskflow('queue');
  tf.emplace((arr) => { Atomics.add(arr, 0, 1); const end = Date.now() + 20; while (Date.now() < end); }).args(c);
  const r1 = ex.run(tf), r2 = ex.run(tf), r3 = ex.run(tf);
  r2.cancel();
  await r1;
  assert.ok((await rejection(r2)) instanceof CancelledError);
  await r3;
  assert.is(c[0], 2);
  r1.cancel();
  assert.ok(await r1, 'still resolved');
});

Cancel('many concurrent runs of different taskflows, some cancelled, all settle correctly', async ({ ex }) => {
  const runs = [];
  for (let i = 0; i < 100; i++) {
    if (i % 10 === 0) { const { tf } = endless(ex); const r = ex.run(tf); runs.push([r, true]); setTimeout(() => r.cancel(), 20); }
    else { const tf = new Taskflow(`t${i}`); const t = tf.emplace(tasks.echo).args(i); runs.push([ex.run(tf).then((res) => res.result(t)), false, i]); }
  }
  const settled = await within(Promise.allSettled(runs.map(([p]) => p)), 20_000, '100 runs');
  settled.forEach((s, i) => {
    if (runs[i][1]) assert.ok(s.status === 'rejected' && s.reason instanceof CancelledError, `run ${i}`);
    else assert.equal(s, { status: 'fulfilled', value: runs[i][2] });
  });
});

// ---
const Dump = suite('dump');
Dump('dump() writes GraphViz DOT with names, edges, condition diamonds and dashed weak edges', () => {
  const tf = new Taskflow('shape "q"');
  const [a, b] = tf.emplace(tasks.noop, tasks.inc);
  const c = tf.condition(tasks.noop).name('again?');
  a.precede(b); b.precede(c); c.precede(b, a);
  assert.is(tf.dump(), [
    'digraph "shape \\"q\\"" {',
    '  t0 [label="noop"];', '  t1 [label="inc"];', '  t2 [label="again?", shape=diamond];',
    '  t0 -> t1;', '  t1 -> t2;', '  t2 -> t1 [style=dashed, label="0"];', '  t2 -> t0 [style=dashed, label="1"];',
    '}', ''].join('\n'));
});

Cancel.run();
Dump.run();

const Wide = suite('wide multi-conditions');
Wide('a condition choosing more successors than fit in its first choice list, looping, with joins in the successors', async () => {
  const { Executor: E, Taskflow: T } = await import('beatflow');
  const ex = await E.create({ workers: 1, module: new URL('./fixtures/subflow-tasks.mjs', import.meta.url) });
  const sf = await import('./fixtures/subflow-tasks.mjs');
  try {
    const n = 100;
    const c = ex.shared(Int32Array, n + 1);
    const tf = new T('wide');
    const init = tf.emplace(sf.leaf);
    const pick = tf.condition((arr, k) => (Atomics.add(arr, k, 1) < 3 ? Array.from({ length: k + 1 }, (_, i) => i) : [])).args(c, n);
    const outs = Array.from({ length: n }, (_, i) => tf.emplace(sf.bumpAfterJoin).args(c, i));
    const again = outs.map(() => tf.emplace(sf.leaf));
    init.precede(pick);
    pick.precede(...outs, pick);   // index n: loop back
    outs.forEach((o, i) => o.precede(again[i]));
    await within(ex.run(tf), 20_000, 'wide');
    assert.equal([...c.subarray(0, n)], Array(n).fill(3), 'each chosen successor ran once per round');
    assert.is(c[n], 4);
  } finally {
    await ex.close();
  }
});
Wide.run();
