// Pipeline grain: parallel worker stages hand several ready tokens to one task (src/pipeline/batches.ts,
// grain.ts, batch-task.ts) when their learned cost per token is small, or when `grain` fixes it. The policy
// by tables; every token run exactly once over growing sizes at 0, 1, 2 and 4 workers; errors and stops in
// the middle of a batch; the same results with and without batches. Whether tokens were batched is read
// from the workers' executed-task counters, and the learned cost is set through models.restore, so no
// assertion depends on timing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Pipeline, Pipe, PipelineError, CancelledError, DataCloneError, Taskflow } from 'beatflow';
import { learnedPipeGrain, plainPipeGrain, batchSize, sampled, SAMPLE_EVERY, BATCH_BELOW_NS, TARGET_BATCH_NS, MAX_GRAIN, MIN_SAMPLES, PIPE_TOKEN_SHAPE } from '../build/src/policy/pipe-grain.js';
import { perItemShape } from '../build/src/policy/learning.js';
import { negativeZeros, restoreZeros } from '../build/src/pipeline/zeros.js';
import { within, rejection } from './helpers/executor.mjs';

const range = (n) => Array.from({ length: n }, (_, i) => i);
/** Tasks the workers ran so far. */
const executed = (ex) => ex.stats().workers.reduce((a, w) => a + w.executed, 0);

// Stage functions: self-contained (sent to the workers as source); shared counters come first.
const mark = (counts, x) => { Atomics.add(counts, x, 1); return 2 * x + 1; };
const markBack = (counts, y) => { const x = (y - 1) / 2; Atomics.add(counts, x, 1); return x; };
const identity = (x) => x;
const failAt = (counts, bad, x) => { Atomics.add(counts, x, 1); if (x === bad) throw new RangeError(`bad token ${x}`); return x; };
const failAtAsync = async (counts, bad, x) => { Atomics.add(counts, x, 1); await null; if (x === bad) throw new RangeError(`bad token ${x}`); return x; };
const returnsFn = (x) => (x === 2 ? () => x : x);
/** Token 0 says it started (flag[0]) and waits until the host lets it go (flag[1]). */
const holdFirst = (flag, counts, x) => {
  Atomics.add(counts, x, 1);
  if (x === 0) { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); Atomics.wait(flag, 1, 0); }
  return x;
};

/**
 * Sets the learned cost per token of stage function fn (as the executor names it: its snapshot entry)
 * to ns, with enough samples to be trusted: what many batches would have measured.
 */
function learn(ex, fn, ns) {
  const snap = ex.models.snapshot();
  const entry = snap.predictors.find((p) => p.perItem && p.sizeClass === 0 && p.fn === fn.toString());
  const base = entry ?? { kind: 2, fn: fn.toString(), sizeClass: 0, node: 0, perItem: true };
  const n = ex.models.restore({ version: 1, predictors: [{ ...base, samples: 100, mean: ns, m2: 0, x: ns, dx: 0, ema: ns }] });
  assert.is(n, 1, 'the cost per token was set');
}

/** A value as a string that tells -0 from 0, NaN, undefined and every type apart. */
function show(v) {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v !== 'object' || v === null) return `${typeof v}:${String(v)}`;
  if (Array.isArray(v)) return `[${v.map(show).join(',')}]`;
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${show(k)}=>${show(x)}`).join(',')}}`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${[...v].map(show).join(',')})`;
  return `{${Object.entries(v).map(([k, x]) => `${k}:${show(x)}`).join(',')}}`;
}

// ---

const Policy = suite('policy: tokens per task from the learned cost');

Policy('learnedPipeGrain: a task per token until trusted and when not much shorter than a dispatch', () => {
  const rows = [
    // samples, ns per token, tokens per task
    [0, 100, 1], [MIN_SAMPLES - 1, 100, 1],
    [MIN_SAMPLES, 100, Math.floor(TARGET_BATCH_NS / 100)],
    [50, 1000, Math.floor(TARGET_BATCH_NS / 1000)],
    [50, BATCH_BELOW_NS - 1, Math.floor(TARGET_BATCH_NS / (BATCH_BELOW_NS - 1))],
    [50, BATCH_BELOW_NS, 1], [50, 50_000, 1],
    [50, 0, MAX_GRAIN], [50, 1, MAX_GRAIN],
    [50, NaN, 1], [50, Infinity, 1], [50, -5, 1], [NaN, 100, 1],
  ];
  for (const [samples, ns, want] of rows) assert.is(learnedPipeGrain(samples, ns), want, `${samples} samples at ${ns} ns`);
  assert.ok(Math.floor(TARGET_BATCH_NS / (BATCH_BELOW_NS - 1)) > 1, 'just under the threshold, a batch has several tokens');
});

Policy('the plain twin is a task per token; a batch takes what is ready, up to the grain', () => {
  assert.is(plainPipeGrain(), 1);
  const measured = range(4 * SAMPLE_EVERY).filter(sampled);
  assert.equal(measured, [0, 1, 2, 3].map((k) => k * SAMPLE_EVERY), 'one token alone in SAMPLE_EVERY is measured, the first at once');
  for (const [grain, ready, want] of [[1, 5, 1], [8, 5, 5], [8, 8, 8], [8, 20, 8], [4, 0, 0]]) assert.is(batchSize(grain, ready), want);
});

Policy('the per-token entry is a per-item shape no algorithm call fills (size class 0)', () => {
  assert.is(PIPE_TOKEN_SHAPE, perItemShape(0));
  for (const n of [1, 2, 1000, 2 ** 31 - 1]) assert.is.not(perItemShape(n), PIPE_TOKEN_SHAPE);
});

Policy('-0 marks: numbers and small number tuples, put back where they were', () => {
  const values = [0, -0, [1, -0], [-0, 2, -0], [-0, 1, 2, 3], { a: -0 }, 'x', -0];
  const marks = negativeZeros(values, 3);
  assert.equal(marks, [4, 4 * 2 + 2, 4 * 3 + 1, 4 * 3 + 3, 4 * 7]);
  assert.equal(negativeZeros(values, 2), [4, 4 * 2 + 2, 4 * 7], 'results keep pairs only');
  assert.is(negativeZeros([1, 'a', [1, 2]], 3), undefined);
  const decoded = [0, 0, [1, 0], [0, 2, 0], [0, 1, 2, 3], { a: 0 }, 'x', 0];
  restoreZeros(decoded, marks);
  assert.is(show(decoded), show([0, -0, [1, -0], [-0, 2, -0], [0, 1, 2, 3], { a: 0 }, 'x', -0]));
});

Policy.run();

// ---

const Options = suite('options: grain on a pipe');

Options('grain defaults to auto on parallel worker stages and is 1 elsewhere', () => {
  assert.is(Pipe.parallel(identity).grain, 'auto');
  assert.is(Pipe.parallel(identity, { grain: 8 }).grain, 8);
  assert.is(Pipe.serial(identity).grain, 1);
  assert.is(Pipe.parallel(identity, { on: 'host' }).grain, 1);
});

Options('a bad grain is refused naming the option', () => {
  for (const bad of [0, -1, 1.5, 65537, 'fast', null, NaN]) {
    assert.throws(() => Pipe.parallel(identity, { grain: bad }),
      (e) => e instanceof TypeError && /Pipe\.parallel\(fn, options\): options\.grain must be 'auto' or an integer from 1 to 65536 \(got /.test(e.message),
      `grain ${String(bad)}`);
  }
  assert.throws(() => Pipe.serial(identity, { grain: 4 }),
    /Pipe\.serial\(fn, options\): options\.grain applies to parallel stages on workers only: a serial stage calls its function once per token/);
  assert.throws(() => Pipe.parallel(identity, { on: 'host', grain: 'auto' }),
    /Pipe\.parallel\(fn, options\): options\.grain applies to parallel stages on workers only: a host stage/);
});

Options.run();

// ---

for (const workers of [0, 1, 2, 4]) {
  const Once = suite(`exactly once: every token through every stage once, ${workers} worker(s)`);
  Once.before(async (ctx) => { ctx.ex = await Executor.create({ workers }); });
  Once.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  for (const grain of ['auto', 1, 16]) {
    Once(`grain ${grain}: sizes 1 to 3000, in order through a serial host stage`, async ({ ex }) => {
      if (grain === 'auto') learn(ex, mark, 200);   // small: 'auto' batches (checked below, at 2 workers)
      for (const n of [1, 7, 64, 500, 3000]) {
        const a = ex.shared(Int32Array, n), b = ex.shared(Int32Array, n);
        const out = [];
        const p = new Pipeline({ lines: 32, name: 'once' },
          Pipe.parallel(mark, { args: [a], grain }), Pipe.parallel(markBack, { args: [b], grain }),
          Pipe.serial((x) => out.push(x), { on: 'host' }));
        const r = await within(p.run(ex, range(n)), 30_000, `run of ${n}`);
        assert.is(r.tokens, n);
        assert.is(p.numTokens(), n);
        assert.ok(a.every((c) => c === 1), `stage 1 ran each of ${n} tokens once`);
        assert.ok(b.every((c) => c === 1), `stage 2 ran each of ${n} tokens once`);
        assert.equal(out, range(n), 'outputs in token order, each once');
        ex.free(a); ex.free(b);
      }
    });
  }

  Once('the sink form with batches: every output once', async ({ ex }) => {
    const n = 1000, a = ex.shared(Int32Array, n);
    const p = new Pipeline({ lines: 16 }, Pipe.parallel(mark, { args: [a], grain: 8 }));
    const got = [];
    for await (const y of p.stream(ex, range(n))) got.push((y - 1) / 2);
    assert.equal(got.sort((x, y) => x - y), range(n));
    assert.ok(a.every((c) => c === 1));
    ex.free(a);
  });

  Once.run();
}

// ---

const Batches = suite('batches: when tokens share a task');
Batches.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2 }); });
Batches.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

/** Tasks the workers ran for one run of a one-stage pipeline of fn over n tokens. */
async function tasksFor(ex, fn, n, grain) {
  const a = ex.shared(Int32Array, n);
  const p = new Pipeline({ lines: 64 }, Pipe.parallel(fn, { args: [a], grain }));
  const before = executed(ex);
  await within(p.run(ex, range(n)), 30_000, 'run');
  const tasks = executed(ex) - before;
  assert.ok(a.every((c) => c === 1), 'each token once');
  ex.free(a);
  return tasks;
}

Batches('a fixed grain hands several tokens to a task; grain 1 a task per token', async ({ ex }) => {
  const n = 2048;
  assert.ok(await tasksFor(ex, mark, n, 1) >= n, 'grain 1: a task per token');
  const batched = await tasksFor(ex, mark, n, 64);
  assert.ok(batched <= n / 4, `grain 64: ${batched} tasks for ${n} tokens`);
});

Batches("'auto' batches a stage learned to be much shorter than a dispatch, and only such a stage", async ({ ex }) => {
  const n = 2048;
  const cheap = (counts, x) => { Atomics.add(counts, x, 1); return x; };
  // At least 10 µs a token, however loaded the machine: never much shorter than a dispatch.
  const dear = (counts, x) => { Atomics.add(counts, x, 1); const end = performance.now() + 0.01; while (performance.now() < end); return -x; };
  learn(ex, cheap, 100);
  // Fewer tasks than tokens: it batched. Not how many fewer: each batch is timed, and on a loaded machine
  // a preempted batch reads as slow and may stop the batching for a while (the learned cost is wall time).
  const few = await tasksFor(ex, cheap, n, 'auto');
  assert.ok(few < n, `learned 100 ns: ${few} tasks for ${n} tokens`);
  learn(ex, dear, 100);   // wrongly learned as cheap: its first batches measure it, and it stops batching
  await tasksFor(ex, dear, n, 'auto');
  const learned = ex.models.snapshot().predictors.find((p) => p.perItem && p.sizeClass === 0 && p.fn === dear.toString());
  assert.ok(learned.x >= BATCH_BELOW_NS, `relearned at ${learned.x} ns a token`);
  assert.ok(await tasksFor(ex, dear, n, 'auto') >= n, 'then a task per token');
});

Batches('batches feed the learned cost per token (an entry per stage function)', async ({ ex }) => {
  const fresh = (counts, x) => { Atomics.add(counts, x, 1); return x + 0.5; };
  const tasks = await tasksFor(ex, fresh, 512, 16);
  const entry = ex.models.list().find((p) => p.perItem && p.sizeClass === 0 && p.fn === 'fresh');
  assert.ok(entry, 'the stage has a per-token entry');
  // One sample per batch at most: two workers folding into one entry at once drop the second's sample.
  assert.ok(entry.samples >= 1 && entry.samples <= tasks, `${entry.samples} samples from ${tasks} batches`);
  assert.ok(entry.oneEuro >= 0 && entry.oneEuro < Infinity);
});

Batches('learning: false keeps a task per token and learns nothing', async () => {
  const ex = await Executor.create({ workers: 2, learning: false });
  try {
    const n = 1024;
    assert.ok(await tasksFor(ex, mark, n, 'auto') >= n);
    assert.ok(await tasksFor(ex, mark, n, 8) <= n / 4, 'a fixed grain batches without learning');
    assert.equal(ex.models.list(), []);
  } finally { await ex.close(); }
});

Batches('the same results with and without batches, to the bit', async ({ ex }) => {
  const values = [0, -0, NaN, 1.5, -1e300, 2 ** 53, 'str', '', null, undefined, true, false, [1, -0], [-0, 2, -0],
    [1, 2, 3, 4], { a: -0, b: 'x' }, new Map([[1, [2, -0]]]), [[-0]], 'é\u{1F600}'];
  const n = values.length * 20;
  const source = range(n).map((i) => values[i % values.length]);
  learn(ex, identity, 100);
  const off = await Executor.create({ workers: 2, learning: false });
  try {
    const runs = [];
    for (const [executor, grain] of [[ex, 1], [ex, 'auto'], [ex, 7], [off, 'auto']]) {
      const out = [];
      const p = new Pipeline({ lines: 40 }, Pipe.parallel(identity, { grain }), Pipe.parallel(identity, { grain }),
        Pipe.serial((x) => out.push(x), { on: 'host' }));
      await within(p.run(executor, source), 30_000, `grain ${grain}`);
      runs.push(out.map(show).join('|'));
    }
    assert.is(runs[1], runs[0], "'auto' (batched) as a task per token");
    assert.is(runs[2], runs[0], 'grain 7 as a task per token');
    assert.is(runs[3], runs[0], 'learning: false as a task per token');
    assert.ok(runs[0].includes('|-0|') && runs[0].includes('[1,-0]'), 'a -0 of its own, and in a pair, stays -0');
  } finally { await off.close(); }
});

Batches.run();

// ---

// At 0 workers (single-threaded) the errors only: a stop in the middle of a batch needs the host to run
// while the batch waits (Atomics.wait), which the single-threaded mode, running tasks on the host, cannot.
for (const workers of [0, 1, 2, 4]) {
  const Cut = suite(`a batch cut short: errors and stops in the middle, ${workers} worker(s)`);
  Cut.before(async (ctx) => { ctx.ex = await Executor.create({ workers }); });
  Cut.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  for (const [label, fn] of [['throws', failAt], ['rejects', failAtAsync]]) {
    Cut(`a token that ${label} fails the pipeline naming it; tokens before it completed, none after it ran`, async ({ ex }) => {
      // 8 lines, grain 8, 8 tokens: the first pull fills every line, so the 8 tokens are one batch.
      const counts = ex.shared(Int32Array, 8);
      const seen = [];
      const p = new Pipeline({ lines: 8, name: 'cut' }, Pipe.parallel(fn, { name: 'check', args: [counts, 3], grain: 8 }),
        Pipe.parallel((x) => seen.push(x), { on: 'host' }));
      const err = await within(rejection(p.run(ex, range(8))), 10_000, 'run');
      assert.instance(err, PipelineError);
      assert.is(err.token, 3);
      assert.is(err.stage, 'check');
      assert.is(err.message, "beatflow: pipeline 'cut' stopped: stage 'check' (1 of 2, parallel) failed on token 3: bad token 3");
      assert.instance(err.cause, RangeError);
      assert.equal([...counts], [1, 1, 1, 1, 0, 0, 0, 0], 'tokens 0–3 ran, 4–7 did not');
      assert.equal(seen.sort(), [0, 1, 2], 'the tokens before it went on');
      assert.is(p.numTokens(), 8);
      ex.free(counts);
    });
  }

  Cut('an output that cannot cross fails its own token, with the message a task of its own gives', async ({ ex }) => {
    const messages = [];
    for (const grain of [1, 8]) {
      const p = new Pipeline({ lines: 8 }, Pipe.parallel(returnsFn, { name: 'fn out', grain }));
      const err = await within(rejection(p.run(ex, range(8))), 10_000, `grain ${grain}`);
      assert.instance(err, PipelineError);
      assert.is(err.token, 2);
      assert.instance(err.cause, DataCloneError);
      messages.push(err.message);
    }
    assert.is(messages[1], messages[0]);
    assert.match(messages[0], /the value task 'returnsFn' returned/);
  });

  Cut('an inline stage that captures a variable: the same hint in a batch', async ({ ex }) => {
    const factor = 3;
    const causes = [];
    for (const grain of [1, 4]) {
      const p = new Pipeline({ lines: 4 }, Pipe.parallel((x) => x * factor, { name: 'scale', grain }));
      const err = await within(rejection(p.run(ex, range(4))), 10_000, `grain ${grain}`);
      assert.instance(err, PipelineError);
      assert.is(err.stage, 'scale');
      causes.push(err.cause.message);
    }
    assert.is(causes[1], causes[0]);
    assert.match(causes[0], /factor is not defined in the worker/);
  });

  Cut('an input that cannot cross fails its own token as a task of its own does', async ({ ex }) => {
    const messages = [];
    for (const grain of [1, 8]) {
      const p = new Pipeline({ lines: 8 }, Pipe.parallel(identity, { name: 'in', grain }));
      const err = await within(rejection(p.run(ex, range(8).map((i) => (i === 5 ? () => i : i)))), 10_000, `grain ${grain}`);
      assert.is(err.token, 5);
      messages.push(err.message);
    }
    assert.is(messages[1], messages[0]);
  });

  if (workers > 0) Cut('an abort while a batch runs: no later token of it starts, the run rejects once it is back', async ({ ex }) => {
    const flag = ex.shared(Int32Array, 2), counts = ex.shared(Int32Array, 8);
    const p = new Pipeline({ lines: 8, name: 'held' }, Pipe.parallel(holdFirst, { args: [flag, counts], grain: 8 }));
    const ac = new AbortController();
    const run = p.run(ex, range(8), { signal: ac.signal });
    await within(Atomics.waitAsync(flag, 0, 0).value, 10_000, 'token 0 started');
    ac.abort('enough');
    Atomics.store(flag, 1, 1); Atomics.notify(flag, 1);
    const err = await within(rejection(run), 10_000, 'run');
    assert.instance(err, CancelledError);
    assert.is(err.cause, 'enough');
    assert.equal([...counts], [1, 0, 0, 0, 0, 0, 0, 0], 'only the token that was running ran');
    assert.is(p.numTokens(), 8);
    ex.free(flag); ex.free(counts);
  });

  if (workers > 0) Cut('a graph run cancelled while a batch of its pipeline task runs: the same', async ({ ex }) => {
    const flag = ex.shared(Int32Array, 2), counts = ex.shared(Int32Array, 8);
    const p = new Pipeline({ lines: 8, name: 'held' }, Pipe.parallel(holdFirst, { args: [flag, counts], grain: 8 }));
    const tf = new Taskflow('graph');
    p.task(tf, range(8));
    const run = ex.run(tf);
    await within(Atomics.waitAsync(flag, 0, 0).value, 10_000, 'token 0 started');
    run.cancel();
    Atomics.store(flag, 1, 1); Atomics.notify(flag, 1);
    await within(rejection(run), 10_000, 'run');
    assert.equal([...counts], [1, 0, 0, 0, 0, 0, 0, 0], 'only the token that was running ran');
    ex.free(flag); ex.free(counts);
  });

  Cut.run();
}
