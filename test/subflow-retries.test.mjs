// Retries and task names in subflows of independent tasks (the fork-join path, src/worker/subflow.ts):
// each subflow is run as it is and again with one edge added, which lays it out, and both must give the
// same results, attempts and errors (class, message, task name). At 0, 1, 2 and 4 workers, learning on
// (its tasks predicted short: inline children) and off (jobs). Both ways a failure stops the subflow:
// its tasks not started yet are skipped. Which those are depends on the order the tasks run in, which
// differs (laid out, in insertion order; fork-join, jobs last spawned first, inline ones in insertion
// order), so where a task fails, only the failing tasks' attempts are compared.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, CancellationToken } from 'beatflow';
import * as t from './fixtures/subflow-retry-tasks.mjs';
import { predictShort as predictWarm } from './helpers/predict.mjs';
import { within, rejection, retired } from './helpers/executor.mjs';

const module = new URL('./fixtures/subflow-retry-tasks.mjs', import.meta.url);

/** Predicts every spec function short at fork-join level 1, so that a learning executor runs them inline. */
const predictShort = (ex, fns = ['flaky', 'cancels', 'thrower', 'logged']) => predictWarm(ex, t.fib, fns);

const inlined = (ex) => ex.stats().workers.reduce((a, w) => a + w.inlined, 0);

/** Runs the subflow of `spec` both ways: { value | error, attempts } of each, fork-join first. */
async function bothWays(ex, spec) {
  const out = [];
  for (const edge of [false, true]) {
    const attempts = ex.shared(Int32Array, spec.length);
    const r = await within(ex.async(t.retrying, attempts, spec, edge), 20_000, `edge ${edge}`);
    out.push({ ...r, attempts: [...attempts] });
    ex.free(attempts);
  }
  return out;
}

/** Occupies a worker until `release()`, so that what follows runs on the others (as test/priorities.test.mjs). */
async function blocker(ex) {
  const gate = ex.shared(Int32Array, 2);
  const p = ex.submit(function hold(g) { Atomics.store(g, 1, 1); while (Atomics.load(g, 0) === 0) { /* held */ } }, [gate]);
  while (Atomics.load(gate, 1) === 0) await new Promise((r) => setTimeout(r, 1));
  return { done: p.then(() => ex.free(gate)), release: () => Atomics.store(gate, 0, 1) };
}

/** An error described by the fixture, its suppressed ones sorted by message (their order is the order they failed in). */
function shape(e) {
  if (e === undefined || e.suppressed === undefined) return e;
  return { ...e, suppressed: [...e.suppressed].sort((a, b) => a.message < b.message ? -1 : 1) };
}

for (const workers of [0, 1, 2, 4]) {
  for (const learning of [true, false]) {
    const S = suite(`subflow retries (${workers} worker${workers === 1 ? '' : 's'}, learning ${learning ? 'on' : 'off'})`);
    S.before(async (ctx) => {
      ctx.ex = await Executor.create({ workers, module, learning });
      if (learning) await predictShort(ctx.ex);
    });
    S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

    S('a named task: its error names it, run inline (learning on) or as a job', async ({ ex }) => {
      const before = inlined(ex);
      const [fork, laid] = await bothWays(ex, [{ fn: 'thrower', name: 'named' }]);
      if (learning) assert.is(inlined(ex) - before, 1, 'it ran inline (its first spawn, predicted short)');
      assert.equal(fork.error, { name: 'TypeError', cls: 'TypeError', message: 'thrown by 0', task: 'named', slot: undefined });
      assert.equal(fork.error, laid.error);
      assert.equal(fork.attempts, [1]);
      assert.equal(laid.attempts, [1]);
    });

    S('a task retried until it succeeds gives its result, after the same attempts as laid out', async ({ ex }) => {
      const spec = [{ fails: 2, retries: 3 }, {}, { fails: 1, retries: 1 }, { fails: 3, retries: 3 }, { retries: 2 }];
      const [fork, laid] = await bothWays(ex, spec);
      assert.is(fork.error, undefined, `fork-join: ${JSON.stringify(fork.error)}`);
      assert.equal(fork.value, [3, 101, 202, 304, 401]);
      assert.equal(fork.attempts, [3, 1, 2, 4, 1]);
      assert.equal(fork, laid, 'fork-join as laid out');
      await retired(ex);
    });

    S('a task that fails more times than its retries fails the join with its last error, named', async ({ ex }) => {
      const spec = [{}, { fails: 5, retries: 2, name: 'named' }];
      const [fork, laid] = await bothWays(ex, spec);
      assert.equal(fork.error, { name: 'RangeError', cls: 'RangeError', message: 'attempt 3 of 1', task: 'named', slot: 1 });
      assert.is(fork.attempts[1], 3);
      assert.ok(fork.attempts[0] <= 1, 'the other ran at most once (skipped if it had not started)');
      assert.equal(shape(fork.error), shape(laid.error), 'error as laid out');
      assert.is(fork.attempts[1], laid.attempts[1], 'attempts as laid out');
      await retired(ex);
    });

    S("a named task's error names the task, not its function; an unnamed one its function", async ({ ex }) => {
      for (const spec of [[{ fails: 1, name: 'named' }], [{}, { fails: 1, name: 'named' }, {}], [{ fails: 1 }]]) {
        const [fork, laid] = await bothWays(ex, spec);
        assert.equal(shape(fork.error), shape(laid.error), JSON.stringify(spec));
        assert.is(fork.error.task, spec.some((s) => s.name) ? 'named' : 'flaky');
        spec.forEach((s, i) => assert.is(fork.attempts[i], s.fails ? 1 : Math.min(fork.attempts[i], 1), `task ${i}`));

        spec.forEach((s, i) => { if (s.fails) assert.is(laid.attempts[i], 1); });
      }
      await retired(ex);
    });

    S('two failing tasks: the error is one, named; the other in suppressed if it failed too', async ({ ex }) => {
      const spec = [{ fails: 1, name: 'first' }, {}, { fails: 9, retries: 1, name: 'second' }];
      for (const r of await bothWays(ex, spec)) {
        const all = [r.error, ...(r.error.suppressed ?? [])].map((x) => `${x.task}: ${x.message}`);
        const want = [];   // the failures in insertion order; a task failing after the subflow stopped is not retried
        if (r.attempts[0] === 1) want.push('first: attempt 1 of 0');
        if (r.attempts[2] > 0) want.push(`second: attempt ${r.attempts[2]} of 2`);
        assert.ok(want.length > 0, 'one failed');
        assert.equal(all.sort(), want.sort());   // laid out, the first to fail comes first
        assert.ok(r.attempts[1] <= 1 && r.attempts[2] <= 2, JSON.stringify(r.attempts));
      }
      await retired(ex);
    });

    S('plain tasks (no names, no retries): the first failure in insertion order, the others that ran in suppressed', async ({ ex }) => {
      const spec = [{}, { fn: 'thrower' }, { fails: 1 }, { fn: 'thrower' }];
      const failures = ['', 'TypeError: thrown by 1', 'RangeError: attempt 1 of 2', 'TypeError: thrown by 3'];
      for (const [r, how] of (await bothWays(ex, spec)).map((r, k) => [r, k === 0 ? 'fork-join' : 'laid out'])) {
        const all = [r.error, ...(r.error.suppressed ?? [])].map((x) => `${x.cls}: ${x.message}`);
        const want = failures.filter((f, i) => f !== '' && r.attempts[i] === 1);
        // laid out, the first to fail comes first
        assert.equal(how === 'fork-join' ? all : all.sort(), how === 'fork-join' ? want : want.sort(), how);
        assert.ok(r.attempts.every((a) => a <= 1), JSON.stringify(r.attempts));
      }
      await retired(ex);
    });

    // With one worker running the subflow (the others held), the order its tasks start in is the order
    // they run in: the failing task is the last to start, each way, wherever it sits.
    S('a failure stops the subflow: no task of it starts after the failing one, with or without an edge', async ({ ex }) => {
      const n = 6;
      for (const [edge, named] of [[false, false], [false, true], [true, false]]) {   // named: fork-settled.ts
        for (let failAt = 0; failAt < n; failAt++) {
          const how = `edge ${edge}, named ${named}, fail at ${failAt}`;
          const held = [];
          for (let i = 1; i < workers; i++) held.push(await blocker(ex));
          const log = ex.shared(Int32Array, n + 1);
          const r = await within(ex.async(t.stopping, log, n, failAt, edge, named), 20_000, how);
          for (const b of held) b.release();
          await Promise.all(held.map((b) => b.done));
          const ran = [...log.subarray(1, 1 + log[0])];
          const task = named ? `t${failAt}` : 'logged';
          assert.equal(r.error, { name: 'RangeError', cls: 'RangeError', message: `failed ${failAt}`, task, slot: undefined }, how);
          assert.is(ran[ran.length - 1], failAt, `${how}: ran ${ran}`);
          assert.is(new Set(ran).size, ran.length, 'none ran twice');
          ex.free(log);
        }
      }
      await retired(ex);
    });

    S('a CancelledError a task throws is not retried', async ({ ex }) => {
      const spec = [{ fn: 'cancels', retries: 3, name: 'stops' }, { retries: 1 }];   // one failure: laid out, the first in time
      const [fork, laid] = await bothWays(ex, spec);
      assert.is(fork.error.cls, 'CancelledError', JSON.stringify(fork.error));
      assert.is(fork.error.task, 'stops');
      assert.is(fork.attempts[0], 1);
      assert.ok(fork.attempts[1] <= 1, 'the other ran at most once (skipped if it had not started)');
      assert.equal(shape(fork.error), shape(laid.error));
      assert.is(laid.attempts[0], 1);
      await retired(ex);
    });

    // (With no worker thread the task runs on this one, which cannot cancel it meanwhile.)
    if (workers > 0) S('a task that fails once its run was cancelled is not retried', async ({ ex }) => {
      for (const edge of [false, true]) {
        const token = new CancellationToken();
        const attempts = ex.shared(Int32Array, 1);
        const job = ex.submit(t.retrying, [attempts, [{ fn: 'late', retries: 3, name: 'late' }], edge], { token });
        while (Atomics.load(attempts, 0) === 0) await new Promise((r) => setTimeout(r, 1));
        token.cancel('stop');
        // The task finished despite the cancel (it caught the join's error): it resolves (docs/control.md).
        const r = await within(job, 20_000, `edge ${edge}`);
        assert.equal(r.error, { name: 'RangeError', cls: 'RangeError', message: 'failed after the cancel, 0', task: 'late', slot: undefined }, `edge ${edge}`);
        await new Promise((r) => setTimeout(r, 50));   // a retry would have started by now
        assert.is(attempts[0], 1, `edge ${edge}: one attempt`);
        ex.free(attempts);
      }
      await retired(ex);
    });

    S('an algorithm\'s task (named, a callback bound) in a subflow runs as laid out', async ({ ex }) => {
      for (const edge of [false, true]) {
        const y = ex.shared(Float64Array, 1000);
        assert.is(await within(ex.async(t.algorithmTask, y, edge), 20_000, `edge ${edge}`), 2000, `edge ${edge}`);
        ex.free(y);
      }
    });

    S('a recursion through subflows of named tasks with retries: fib(20), every subflow a fork-join', async ({ ex }) => {
      assert.is(await within(ex.async(t.namedFib, 20), 30_000, 'fib 20'), 6765);
      await retired(ex);
    });

    S.run();
  }
}

// ---

const Slots = suite('a fork-join subflow stopped by a failure takes no subflow slot');
Slots('with one subflow slot, each of many failed subflows stops, and a laid-out one runs after', async () => {
  const ex = await Executor.create({ workers: 1, module, learning: false, maxSubflows: 1 });   // every task a job
  try {
    for (let k = 0; k < 20; k++) {
      const log = ex.shared(Int32Array, 8);
      const r = await within(ex.async(t.stopping, log, 4, 3, false, k % 2 === 1), 10_000, `subflow ${k}`);
      assert.is(r.error.message, 'failed 3');
      assert.equal([...log.subarray(1, 1 + log[0])], [3], `subflow ${k}: the last spawned runs first and fails; the others are skipped`);
      ex.free(log);
    }
    const log = ex.shared(Int32Array, 8);
    const r = await within(ex.async(t.stopping, log, 4, -1, true, false), 10_000, 'laid out');
    assert.equal(r.value, [0, 1, 2, 3], 'the slot is free for a laid-out subflow');
    ex.free(log);
    await retired(ex);
  } finally {
    await within(ex.close(), 10_000, 'close');
  }
});

Slots('a stopped subflow still being joined leaves the one subflow slot to a laid-out subflow elsewhere', async () => {
  const ex = await Executor.create({ workers: 3, module, learning: true, maxSubflows: 1 });
  try {
    await predictShort(ex, ['failsOnceStarted']);   // it fails inline, on the joining worker: the subflow stops there
    const gate = ex.shared(Int32Array, 2);
    const stopped = ex.async(t.stoppedWhileHeld, gate);
    const end = Date.now() + 10_000;
    while (Atomics.load(gate, 0) < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 1));
    assert.is(Atomics.load(gate, 0), 2, 'the sibling, started elsewhere, sees its subflow stopped');
    const log = ex.shared(Int32Array, 8);
    const laid = await within(ex.async(t.stopping, log, 4, -1, true, false), 10_000, 'laid out');
    Atomics.store(gate, 1, 1);
    assert.equal(laid, { value: [0, 1, 2, 3] }, 'the laid-out subflow got the slot');
    assert.is(await within(stopped, 10_000, 'stopped'), 'stops the subflow');
    ex.free(log); ex.free(gate);
    await retired(ex);
  } finally {
    await within(ex.close(), 10_000, 'close');
  }
});
Slots.run();

const Token = suite('a task under a cancellation token sees its subflow stopped');
Token('this.cancelled of a running task turns true when a sibling fails, fork-join and laid out', async () => {
  const ex = await Executor.create({ workers: 3, module, learning: true });
  try {
    await predictShort(ex, ['failsOnceStarted']);   // fork-join: it fails inline, on the joining worker, which stops the subflow
    for (const edge of [false, true]) {
      const gate = ex.shared(Int32Array, 2);
      const r = ex.submit(t.stoppedWhileHeld, [gate, edge], { token: new CancellationToken() });
      const end = Date.now() + 12_000;
      while (Atomics.load(gate, 0) < 2 && Date.now() < end) await new Promise((res) => setTimeout(res, 1));
      Atomics.store(gate, 1, 1);
      assert.is(Atomics.load(gate, 0), 2, `edge ${edge}: the sibling saw this.cancelled (3: not within 10 s)`);
      assert.is(await within(r, 10_000, `edge ${edge}`), 'stops the subflow');
      ex.free(gate);
    }
    await retired(ex);
  } finally {
    await within(ex.close(), 10_000, 'close');
  }
});
Token('a task failing after its run stopped is not retried', async () => {
  const ex = await Executor.create({ workers: 3, module, learning: false });
  try {
    const gate = ex.shared(Int32Array, 2);
    const r = await within(ex.submit(t.retriedAfterStop, [gate], { token: new CancellationToken() }), 20_000, 'subflow');
    assert.is(r, 'stops the subflow');
    assert.is(Atomics.load(gate, 1), 1, 'one attempt of the task with retries');
    ex.free(gate);
    await retired(ex);
  } finally {
    await within(ex.close(), 10_000, 'close');
  }
});
Token.run();
