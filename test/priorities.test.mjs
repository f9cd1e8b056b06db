// Priorities for submitted tasks: order under one worker, FIFO within a level, aging, reprioritize and
// cancel before start; and the pure policies behind them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, CancelledError } from 'beatflow';
import { retryDelayMs, watchdogTickMs, priorityLevel } from '../build/src/policy/scheduling.js';
import * as c from './fixtures/control-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/control-tasks.mjs', import.meta.url);
const levels = ['critical', 'high', 'normal', 'low'];

/** Occupies the single worker until `release` is stored, so what follows queues up behind it. */
async function blocker(ex) {
  const gate = ex.shared(Int32Array, 2);
  const p = ex.submit(function hold(g) { Atomics.store(g, 1, 1); while (Atomics.load(g, 0) === 0) { /* held */ } }, [gate]);
  while (Atomics.load(gate, 1) === 0) await new Promise((r) => setTimeout(r, 1));
  return { done: p, release: () => Atomics.store(gate, 0, 1) };
}

const P = suite('priorities (1 worker)');
P.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 1, module, priorityAging: 0 }); });
P.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

P('more urgent levels run first, FIFO within each level', async ({ ex }) => {
  const log = ex.shared(Int32Array, 64);
  const b = await blocker(ex);
  const want = [];
  const ps = [];
  let k = 0;
  for (let round = 0; round < 5; round++) {
    for (const [i, p] of [3, 2, 1, 0, 2, 3, 0, 1].entries()) {
      const v = k++;
      ps.push(ex.submit(c.record, [log, v], { priority: levels[p] }));
      want.push([p, v, i]);
    }
  }
  b.release();
  await within(Promise.all([b.done, ...ps]), 10_000, 'all');
  const ran = [...log.subarray(1, 1 + log[0])];
  const expect = want.sort((x, y) => x[0] - y[0] || x[1] - y[1]).map((x) => x[1]);
  assert.equal(ran, expect);
});

P('cancel before start withdraws the task: it never runs, its promise rejects with CancelledError and the reason', async ({ ex }) => {
  const log = ex.shared(Int32Array, 8);
  const b = await blocker(ex);
  const keep = ex.submit(c.record, [log, 1]);
  const drop = ex.submit(c.record, [log, 2], { priority: 'high' });
  assert.is(drop.cancel('not needed'), true);
  assert.is(drop.cancel(), false, 'a second cancel does nothing');
  b.release();
  const err = await rejection(drop);
  assert.instance(err, CancelledError);
  assert.is(err.cause, 'not needed');
  assert.is(await keep, 1);
  await b.done;
  assert.equal([...log.subarray(0, 3)], [1, 1, 0], 'only the kept task ran');
  assert.is(ex.stats().liveTasks, 0, 'the withdrawn slot was handed back');
});

P('cancel after start returns false and the task finishes', async ({ ex }) => {
  const flag = ex.shared(Int32Array, 1);
  const p = ex.submit(function waitABit(f) { Atomics.store(f, 0, 1); const end = Date.now() + 30; while (Date.now() < end); return 'finished'; }, [flag]);
  while (Atomics.load(flag, 0) === 0) await new Promise((r) => setTimeout(r, 1));
  assert.is(p.cancel(), false);
  assert.is(await p, 'finished');
});

P('reprioritize moves a queued task to another level (and is refused once it ran)', async ({ ex }) => {
  const log = ex.shared(Int32Array, 8);
  const b = await blocker(ex);
  const a = ex.submit(c.record, [log, 1], { priority: 'low' });
  const x = ex.submit(c.record, [log, 2], { priority: 'low' });
  const y = ex.submit(c.record, [log, 3], { priority: 'normal' });
  assert.is(x.reprioritize('critical'), true);
  assert.is(a.reprioritize('low'), true);
  b.release();
  await Promise.all([a, x, y, b.done]);
  assert.equal([...log.subarray(1, 4)], [2, 3, 1]);
  assert.is(a.reprioritize('high'), false, 'settled');
  assert.throws(() => a.reprioritize('urgent'), /^beatflow: handle\.reprioritize\(priority\): priority must be one of 'critical', 'high', 'normal', 'low' \(got "urgent"\)$/);
  assert.is(ex.stats().liveTasks, 0);
});

P('options are validated with errors naming the call and the option', async ({ ex }) => {
  const at = (rest) => new RegExp(`^beatflow: executor\\.submit\\(fn, args, options\\): ${rest}`);
  for (const [opts, re] of [[{ priority: 'urgent' }, at(`options\\.priority must be one of 'critical', 'high', 'normal', 'low' \\(got "urgent"\\)$`)],
    [{ timeout: -1 }, at('options\\.timeout must be a non-negative number \\(got -1\\)$')], [{ retries: 1.5 }, at('options\\.retries must be')],
    [{ retryDelay: { factor: 0.5 } }, at('options\\.retryDelay\\.factor must be')], [{ token: {} }, at('options\\.token must be a CancellationToken \\(got Object\\)$')],
    [{ wat: 1 }, at("unknown option 'wat'")], [{ signal: 1 }, at('options\\.signal must be an AbortSignal')], [7, at('options must be an object \\(got 7\\)$')]]) {
    const err = await rejection(ex.submit(c.echo, [1], opts));
    assert.instance(err, TypeError);
    assert.match(err.message, re);
  }
  const err = await rejection(ex.submit(c.echo, 5));
  assert.is(err.message, 'beatflow: executor.submit(fn, args, options): args must be an array of arguments (got 5)');
});

P.run();

const Aging = suite('aging');
Aging('under a stream of critical tasks, a low task runs within the aging bound instead of last', async () => {
  const tick = 4;
  const ex = await Executor.create({ workers: 1, module, priorityAging: tick });
  try {
    const log = ex.shared(Int32Array, 256);
    const b = await blocker(ex);
    const low = ex.submit(c.record, [log, -1], { priority: 'low' });
    const crit = [];
    for (let i = 0; i < 100; i++) crit.push(ex.submit(c.record, [log, i], { priority: 'critical' }));
    b.release();
    await Promise.all([low, b.done, ...crit]);
    const at = [...log.subarray(1, 1 + log[0])].indexOf(-1);
    assert.ok(at >= 0 && at < 3 * tick, `low ran at position ${at}, within 3·${tick}`);
  } finally {
    await ex.close();
  }
});
Aging.run();

const Policy = suite('scheduling policies');
Policy('retry delays: exponential, capped, full jitter within [0, d]', () => {
  const o = { base: 10, factor: 2, max: 100, jitter: 'none' };
  assert.equal([1, 2, 3, 4, 5, 6].map((a) => retryDelayMs(a, o, 0.5)), [10, 20, 40, 80, 100, 100]);
  assert.is(retryDelayMs(3, { ...o, jitter: 'full' }, 0), 0);
  assert.is(retryDelayMs(3, { ...o, jitter: 'full' }, 0.5), 20);
  assert.is(retryDelayMs(1, {}, 0.999), 9.99, 'defaults: base 10, full jitter');
});
Policy('watchdog tick is a tenth of the shortest timeout, within 1–50 ms', () => {
  assert.equal([5, 100, 300, 10_000].map(watchdogTickMs), [1, 10, 30, 50]);
});
Policy('priority names map to queue levels, most urgent first', () => {
  assert.equal(levels.map(priorityLevel), [0, 1, 2, 3]);
  assert.is(priorityLevel('urgent'), -1);
});
Policy.run();

const G = suite('graph task priorities (1 worker)');
G('among tasks made ready together, the more urgent run first: sources and released successors', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    const log = ex.shared(Int32Array, 32);
    const tf = new Taskflow('prio');
    const order = ['low', 'normal', 'critical', 'high', 'low', 'critical'];
    const srcs = order.map((p, i) => tf.emplace(c.record).args(log, i).priority(p));
    const root = tf.emplace(c.record).args(log, 100).priority('low');
    const kids = order.map((p, i) => tf.emplace(c.record).args(log, 10 + i).priority(p));
    for (const k of kids) root.precede(k);
    assert.is(srcs[2].priority(), 'critical');
    await ex.run(tf);
    const ran = [...log.subarray(1, 1 + log[0])];
    const rank = (i) => ['critical', 'high', 'normal', 'low'].indexOf(order[i]);
    const want = order.map((_, i) => i).sort((a, b) => rank(a) - rank(b) || a - b);
    // the sources in priority order (FIFO within a level); the root is a source too (low, after the first low)
    const sources = ran.filter((v) => v < 10 || v === 100);
    assert.equal(sources.filter((v) => v !== 100), want);
    assert.equal(ran.filter((v) => v >= 10 && v < 100), want.map((i) => 10 + i));
    assert.throws(() => srcs[0].priority('asap'), /^beatflow: task\.priority\(p\) on task '\w+': p must be one of 'critical', 'high', 'normal', 'low' \(got "asap"\)$/);
  } finally {
    await ex.close();
  }
});
G.run();

// The tasks of a subflow run as laid-out graph tasks do, the most urgent first, whether or not the
// subflow has an edge (without one, its tasks would be fork-join children, which have no level). With
// more than one worker, the other workers are held by blockers, so that the subflow's worker runs all
// of its tasks.
for (const workers of [0, 1, 2, 4]) {
  const SF = suite(`subflow task priorities (${workers} worker${workers === 1 ? '' : 's'})`);
  SF(`a subflow's tasks run most urgent first, FIFO within a level, with or without an edge`, async () => {
    const ex = await Executor.create({ workers, module, priorityAging: 0 });
    try {
      const order = ['low', 'normal', 'critical', 'high', 'low', 'critical', 'normal'];
      const rank = (i) => levels.indexOf(order[i]);
      const want = order.map((_, i) => i).sort((a, b) => rank(a) - rank(b) || a - b);
      for (const edge of [false, true]) {
        const held = [];
        for (let i = 1; i < workers; i++) held.push(await blocker(ex));
        const log = ex.shared(Int32Array, 16);
        assert.equal(await within(ex.async(c.prioritisedSubflow, log, order, edge), 10_000, `edge ${edge}`), order.map((_, i) => i));
        for (const b of held) b.release();
        await Promise.all(held.map((b) => b.done));
        assert.equal([...log.subarray(1, 1 + log[0])], want, `edge ${edge}`);
        ex.free(log);
      }
    } finally {
      await ex.close();
    }
  });
  SF.run();
}

const AA = suite('asyncAt');
AA('asyncAt runs at a priority like submit, and refuses an unknown one', async () => {
  const ex = await Executor.create({ workers: 1, module, priorityAging: 0 });
  try {
    const log = ex.shared(Int32Array, 16);
    const b = await blocker(ex);
    const ps = [ex.asyncAt('low', c.record, log, 1), ex.asyncAt('critical', c.record, log, 2), ex.asyncAt('normal', c.record, log, 3)];
    b.release();
    await Promise.all([...ps, b.done]);
    assert.equal([...log.subarray(1, 4)], [2, 3, 1]);
    const err = await rejection(ex.asyncAt('soon', c.echo, 1));
    assert.instance(err, TypeError);
    assert.match(err.message, /^beatflow: executor\.asyncAt\(priority, fn, \.\.\.args\): priority must be one of .* \(got "soon"\)$/);
  } finally {
    await ex.close();
  }
});
AA.run();
