// Metrics (src/observe/: metrics.ts, sampler.ts, histogram.ts): exact counters, the sampling invariants
// of the histograms, wait time behind a held task, queue lengths while a worker is held, the sliding
// window, and option errors. No assertion depends on how fast anything ran: durations are only bounded
// from below by what the test waited.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import { BUCKETS, bucketOf, quantile, histogram } from '../build/src/observe/histogram.js';
import { SLOT_MS, SLOTS } from '../build/src/observe/metrics-block.js';
import * as tasks from './fixtures/metrics-tasks.mjs';
import { within } from './helpers/executor.mjs';
import { until, sleep } from './helpers/core.mjs';

const module = new URL('./fixtures/metrics-tasks.mjs', import.meta.url);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
/** Counts in buckets whose durations are all ≥ us. */
const atLeast = (h, us) => sum(h.counts.filter((_, k) => k > 0 && h.bounds[k - 1] >= us));

/** Runs fn(ex) on a fresh executor and always closes it. */
async function withExecutor(opts, fn) {
  const ex = await Executor.create({ module, ...opts });
  try { return await fn(ex); } finally { await within(ex.close(), 10_000, 'close'); }
}

/** A shared [release, started] pair for tasks.hold, and the way to let it go. */
function holdFlag(ex) {
  const flag = ex.shared(Int32Array, 2);
  return { flag, started: () => Atomics.load(flag, 1) === 1, release: () => { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); } };
}

// ---

const Buckets = suite('metrics: buckets and quantiles (pure)');

Buckets('log2 µs buckets: [0,1), [1,2), [2,4), …, and one open bucket', () => {
  assert.equal([0, 1, 2, 3, 4, 1000, 32767, 32768, 65535].map(bucketOf), [0, 1, 2, 2, 3, 10, 15, 16, 16]);
  assert.is(bucketOf(2 ** 24), BUCKETS - 1);
  assert.is(bucketOf(2 ** 31), BUCKETS - 1);
});

Buckets('quantiles are the upper bound of the bucket holding the rank', () => {
  const counts = new Array(BUCKETS).fill(0);
  counts[1] = 90; counts[5] = 9; counts[20] = 1;
  const h = histogram(counts, 7);
  assert.is(h.total, 100);
  assert.is(h.samples, 7);
  assert.is(h.p50, 2);
  assert.is(h.p90, 2);
  assert.is(h.p99, 32);
  assert.is(quantile(counts, 100, 1), 2 ** 20);
  assert.is(quantile(new Array(BUCKETS).fill(0), 0, 0.5), 0, 'empty');
});

Buckets.run();

// ---

const Counters = suite('metrics: counters');

Counters('N tasks on one worker: executed == N, nothing stolen, queues empty afterwards', async () => {
  await withExecutor({ workers: 1 }, async (ex) => {
    const N = 500;
    await Promise.all(Array.from({ length: N }, () => ex.async(tasks.noop)));
    const m = ex.metrics();
    assert.is(m.workers.length, 1);
    const w = m.workers[0];
    assert.is(w.executed, N);
    assert.is(m.pool.executed, N);
    assert.is(w.steals, 0);
    assert.is(w.failedSteals, 0);
    assert.is(w.overflows, 0);
    assert.is(m.pool.injectorLength, 0);
    assert.is(m.pool.dequeLength, 0);
    assert.is(m.pool.liveTasks, 0);
    assert.is(ex.stats().workers[0].executed, N, 'stats() agrees');
  });
});

Counters('two workers: the pool sums the workers', async () => {
  await withExecutor({ workers: 2 }, async (ex) => {
    const N = 2000;
    await Promise.all(Array.from({ length: N }, () => ex.async(tasks.noop)));
    const m = ex.metrics();
    assert.is(m.pool.executed, N);
    for (const k of ['executed', 'steals', 'failedSteals', 'parks', 'wakeups', 'overflows', 'busyMs']) {
      assert.is(m.pool[k], sum(m.workers.map((w) => w[k])), k);
    }
    for (const h of ['runTime', 'waitTime']) {
      assert.equal(m.pool[h].counts, m.workers[0][h].counts.map((c, k) => c + m.workers[1][h].counts[k]), h);
      assert.is(m.pool[h].samples, m.workers[0][h].samples + m.workers[1][h].samples, `${h} samples`);
    }
    assert.is(m.pool.utilization, (m.workers[0].utilization + m.workers[1].utilization) / 2);
    for (const w of m.workers) assert.ok(w.utilization >= 0 && w.utilization <= 1, `utilization ${w.utilization}`);
  });
});

Counters.run();

// ---

const Sampling = suite('metrics: sampling');

Sampling('default (1 in 64): the run-time total counts each task at most once, missing < 64', async () => {
  await withExecutor({ workers: 1 }, async (ex) => {
    const N = 1000;
    await Promise.all(Array.from({ length: N }, () => ex.async(tasks.noop)));
    const m = ex.metrics({ windowMs: (SLOTS - 1) * SLOT_MS });
    assert.is(m.sampleEvery, 64);
    const { runTime, waitTime } = m.workers[0];
    assert.is(runTime.total, sum(runTime.counts));
    assert.ok(runTime.total <= N && runTime.total > N - 64, `run-time total ${runTime.total} of ${N}`);
    assert.ok(runTime.samples >= Math.floor(N / 64) && runTime.samples <= N, `${runTime.samples} timed`);
    assert.ok(waitTime.samples >= 1, 'the first of the burst was stamped');
    assert.ok(waitTime.samples <= runTime.samples, 'a stamped task is a timed task');
    assert.is(waitTime.total, waitTime.samples, 'wait samples are not weighted');
  });
});

Sampling('sampleEvery 1: every task timed and stamped, the totals are exact', async () => {
  await withExecutor({ workers: 1 }, async (ex) => {
    ex.configureMetrics({ sampleEvery: 1 });
    const N = 300;
    await Promise.all(Array.from({ length: N }, () => ex.async(tasks.noop)));
    const m = ex.metrics();
    assert.is(m.sampleEvery, 1);
    const { runTime, waitTime } = m.workers[0];
    assert.is(runTime.samples, N);
    assert.is(runTime.total, N);
    assert.is(waitTime.samples, N);
    assert.is(waitTime.total, N);
    assert.ok(m.workers[0].busyMs > 0);
  });
});

Sampling('sampleEvery 0: nothing is timed', async () => {
  await withExecutor({ workers: 1 }, async (ex) => {
    ex.configureMetrics({ sampleEvery: 0 });
    await Promise.all(Array.from({ length: 300 }, () => ex.async(tasks.noop)));
    const m = ex.metrics();
    assert.is(m.sampleEvery, 0);
    assert.is(m.pool.executed, 300);
    assert.is(m.pool.runTime.total, 0);
    assert.is(m.pool.waitTime.samples, 0);
    assert.is(m.pool.busyMs, 0);
  });
});

Sampling('a task queued behind one held for 60 ms waits ≥ 32.8 ms; the held one runs that long', async () => {
  await withExecutor({ workers: 1 }, async (ex) => {
    ex.configureMetrics({ sampleEvery: 1 });
    const h = holdFlag(ex);
    const held = ex.async(tasks.hold, h.flag);
    const behind = ex.async(tasks.noop);          // stamped now, in the same burst
    await until(h.started, 10_000, 'the held task started');
    await sleep(60);
    h.release();
    assert.is(await held, 'held');
    await behind;
    const w = ex.metrics().workers[0];
    assert.is(w.waitTime.samples, 2);
    assert.is(atLeast(w.waitTime, 32768), 1, 'the task behind waited ≥ 32.8 ms');
    assert.is(w.runTime.samples, 2);
    assert.is(atLeast(w.runTime, 32768), 1, 'the held task ran ≥ 32.8 ms');
    assert.ok(w.runTime.p99 >= 65536, `p99 ${w.runTime.p99} is the held task's bucket`);
    assert.ok(w.busyMs >= 60, `busy ${w.busyMs} ms`);
    assert.ok(w.utilization > 0 && w.utilization <= 1);
  });
});

Sampling('the window: samples older than it are left out', async () => {
  await withExecutor({ workers: 1 }, async (ex) => {
    ex.configureMetrics({ sampleEvery: 1 });
    await Promise.all(Array.from({ length: 50 }, () => ex.async(tasks.noop)));
    await sleep(2 * SLOT_MS + 50);
    assert.is(ex.metrics({ windowMs: SLOT_MS }).pool.runTime.total, 0, 'not in the last slot');
    assert.is(ex.metrics({ windowMs: (SLOTS - 1) * SLOT_MS }).pool.runTime.total, 50, 'in the longest window');
    assert.is(ex.metrics({ windowMs: SLOT_MS }).pool.executed, 50, 'counters are totals, not windowed');
  });
});

Sampling.run();

// ---

const Queues = suite('metrics: queue lengths');

Queues('five tasks behind a held one: injector length 5', async () => {
  await withExecutor({ workers: 1 }, async (ex) => {
    const h = holdFlag(ex);
    const held = ex.async(tasks.hold, h.flag);
    await until(h.started, 10_000, 'the held task started');
    const rest = Array.from({ length: 5 }, () => ex.async(tasks.noop));
    const m = ex.metrics();
    assert.is(m.pool.injectorLength, 5);
    assert.is(m.pool.liveTasks, 6);
    assert.is(m.workers[0].dequeLength, 0);
    h.release();
    await Promise.all([held, ...rest]);
    assert.is(ex.metrics().pool.injectorLength, 0);
  });
});

Queues('three children spawned before holding: deque length 3', async () => {
  await withExecutor({ workers: 1 }, async (ex) => {
    const h = holdFlag(ex);
    const parent = ex.async(tasks.spawnHold, h.flag, 3);
    await until(h.started, 10_000, 'the parent holds');
    const m = ex.metrics();
    assert.is(m.workers[0].dequeLength, 3);
    assert.is(m.pool.dequeLength, 3);
    h.release();
    assert.is(await parent, 3);
    assert.is(ex.metrics().workers[0].dequeLength, 0);
  });
});

Queues.run();

// ---

const Errors = suite('metrics: option errors name the option');

Errors('metrics({ windowMs }) and configureMetrics({ sampleEvery })', async () => {
  await withExecutor({ workers: 1 }, async (ex) => {
    assert.throws(() => ex.metrics({ windowMs: 10 }), /options\.windowMs must be a number from 250 to 15750 \(got 10\)/);
    assert.throws(() => ex.metrics({ windowMs: 'x' }), /options\.windowMs/);
    assert.throws(() => ex.configureMetrics({ sampleEvery: 3 }), /config\.sampleEvery must be 0 \(off\) or a power of two from 1 to 65536 \(got 3\)/);
    assert.throws(() => ex.configureMetrics({ sampleEvery: -1 }), /config\.sampleEvery/);
    assert.throws(() => ex.configureMetrics({ every: 2 }), /unknown option 'every'/);
    assert.throws(() => ex.configureMetrics(5), /config must be an object/);
    assert.is(ex.metrics().sampleEvery, 64, 'nothing changed');
  });
});

Errors.run();
