// Cancellation tokens seen inside tasks, forced termination of tasks that ignore them, start-measured
// timeouts, run deadlines, and retries with backoff.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, CancellationToken, CancelledError, TimeoutError } from 'beatflow';
import * as c from './fixtures/control-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/control-tasks.mjs', import.meta.url);
const until = async (cond) => { while (!cond()) await new Promise((r) => setTimeout(r, 1)); };

const T = suite('cancellation tokens');
T.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module, cancelGrace: 300 }); });
T.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

T('a running task sees its token: checkCancelled() throws a CancelledError with the reason', async ({ ex }) => {
  const f = ex.shared(Float64Array, 1);
  const token = new CancellationToken();
  const p = ex.submit(c.untilCancelled, [f], { token });
  await new Promise((r) => setTimeout(r, 20));
  const at = performance.timeOrigin + performance.now();
  token.cancel('user pressed stop');
  const err = await rejection(within(p, 5_000, 'cancel'));
  assert.instance(err, CancelledError);
  assert.match(err.message, /user pressed stop/);
  assert.ok(f[0] >= at - 1, 'observed after the cancel');
});

T('a task cancelled before it starts is withdrawn with a CancelledError naming it, as a running one is', async ({ ex }) => {
  const token = new CancellationToken();
  token.cancel('too early');
  const err = await rejection(within(ex.submit(c.untilCancelled, [ex.shared(Float64Array, 1)], { token, name: 'early' }), 5_000, 'withdrawn'));
  assert.instance(err, CancelledError);
  assert.is(err.task, 'early');
  assert.match(err.message, /too early/);
});

T('an AbortSignal cancels through the token: an async task\'s this.signal fires', async ({ ex }) => {
  const ac = new AbortController();
  const p = ex.submit(c.awaitAbort, [], { signal: ac.signal });
  await new Promise((r) => setTimeout(r, 20));
  ac.abort('from the host');
  assert.match(await within(p, 5_000, 'signal'), /from the host/);
});

T('one token cancels many tasks; tokens linked to a signal, cancelAfter and cancelAt', async ({ ex }) => {
  const ac = new AbortController();
  const token = new CancellationToken({ signal: ac.signal });
  const fs = [ex.shared(Float64Array, 1), ex.shared(Float64Array, 1)];
  const ps = fs.map((f) => ex.submit(c.untilCancelled, [f], { token }));
  ac.abort(new Error('shutdown'));
  for (const e of await within(Promise.all(ps.map(rejection)), 5_000, 'both')) assert.match(e.message, /shutdown/);
  assert.is(token.cancelled, true);
  const later = new CancellationToken().cancelAfter(30, 'late');
  const t0 = Date.now();
  await rejection(ex.submit(c.untilCancelled, [fs[0]], { token: later }));
  assert.ok(Date.now() - t0 >= 25);
  const at = new CancellationToken().cancelAt(new Date(Date.now() - 1));
  assert.is(at.cancelled, false, 'cancelAt in the past fires on the next turn');
  await new Promise((r) => setTimeout(r, 5));
  assert.is(at.cancelled, true);
  assert.throws(() => new CancellationToken().cancelAfter(-1), /cancelAfter/);
});

T('a task that ignores cancellation is stopped by force after cancelGrace; the worker is replaced', async ({ ex }) => {
  const token = new CancellationToken();
  const p = ex.submit(c.stubborn, [60_000], { token });
  await new Promise((r) => setTimeout(r, 20));
  token.cancel('must stop');
  const t0 = Date.now();
  const err = await rejection(within(p, 10_000, 'forced'));
  assert.instance(err, CancelledError);
  assert.match(err.message, /did not stop within 300 ms/);
  assert.ok(Date.now() - t0 >= 250, 'waited for the grace period');
  assert.equal(await within(Promise.all([ex.submit(c.echo, [1]), ex.submit(c.echo, [2])]), 10_000, 'after'), [1, 2]);
});

T('token words are freed when the last job using them ends: many tokens never cancelled leave the heap as it was', async () => {
  // An executor of its own: a worker replaced by an earlier test allocates its start-up blocks whenever
  // it starts. Each kind of round runs twice and only the second is measured (a function's first use
  // keeps its entry).
  const ex = await Executor.create({ workers: 2, module });
  const f = ex.shared(Float64Array, 1);
  const plain = async () => {
    for (let round = 0; round < 5; round++) {
      const tokens = Array.from({ length: 100 }, () => new CancellationToken());
      await Promise.all(tokens.map((token, i) => ex.submit(c.echo, [i], { token })));
    }
  };
  // Cancelled ones too, with a reason text in the heap: two running when cancelled, the rest withdrawn.
  const cancelled = async () => {
    const tokens = Array.from({ length: 100 }, () => new CancellationToken());
    const runs = tokens.map((token) => ex.submit(c.untilCancelled, [f], { token }));
    await new Promise((r) => setTimeout(r, 20));
    tokens.forEach((t) => t.cancel('a long reason that takes a block of its own in the heap'));
    const outcomes = await within(Promise.allSettled(runs), 10_000, 'cancelled jobs');
    assert.ok(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof CancelledError), 'every one cancelled');
  };
  await plain();
  await cancelled();
  const before = ex.stats().heapBytes;
  await plain();
  assert.is(ex.stats().heapBytes, before, 'no words left by 500 tokens never cancelled');
  await cancelled();
  assert.is(ex.stats().heapBytes, before, 'no token words or reasons left by 100 cancelled tokens');
  await within(ex.close(), 10_000, 'close');
});

T('a job whose worker died keeps its token words: its orphaned child never sees another token\'s cancel', async () => {
  const ex = await Executor.create({ workers: 2, module });
  try {
    const flags = ex.shared(Int32Array, 3), f = ex.shared(Float64Array, 1);   // allocated first: nothing else takes a freed block
    const job = ex.submit(c.crashingParent, [flags], { token: new CancellationToken() });
    await within(until(() => Atomics.load(flags, 1) !== 0), 5_000, 'the child starts');
    assert.is.not(flags[0], flags[1], 'the child runs on the other worker');
    await ex._killWorker(flags[0] - 1);
    await rejection(within(job, 5_000, 'the job fails with its worker'));
    // A new token's words would take a freed block: cancelling it must not reach the orphaned child.
    const other = new CancellationToken();
    const watcher = ex.submit(c.untilCancelled, [f], { token: other });
    await new Promise((r) => setTimeout(r, 30));
    other.cancel('unrelated');
    await rejection(within(watcher, 5_000, 'the other job'));
    await within(until(() => Atomics.load(flags, 2) !== 0), 5_000, 'the child ends');
    assert.is(flags[2], 2, 'the child did not see a cancel');
  } finally {
    await within(ex.close(), 10_000, 'close');
  }
});

T('a token shared by jobs keeps its words while one of them runs; a token used again after its words were freed still works', async ({ ex }) => {
  const token = new CancellationToken();
  const f = ex.shared(Float64Array, 1);
  const long = ex.submit(c.untilCancelled, [f], { token });
  assert.is(await ex.submit(c.echo, ['short'], { token }), 'short');   // its end must not free the words the long one reads
  await new Promise((r) => setTimeout(r, 20));
  token.cancel('stop now');
  assert.match((await rejection(within(long, 5_000, 'long'))).message, /stop now/);
  const again = await rejection(within(ex.submit(c.untilCancelled, [f], { token }), 5_000, 'again'));
  assert.instance(again, CancelledError, 'a cancelled token reused later is cancelled at once');
});

T.run();

const Time = suite('timeouts and deadlines');
Time.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 1, module, cancelGrace: 200 }); });
Time.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

Time('a timeout counts from the start, not from submission: queue time is free', async ({ ex }) => {
  const first = ex.submit(c.spin, [300]);
  const queued = ex.submit(c.spin, [30], { timeout: 200 });   // waits ~300 ms, runs 30 ms
  assert.is(await queued, 30);
  await first;
});

Time('past its timeout a task rejects with a TimeoutError naming it; one ignoring it is stopped by force', async ({ ex }) => {
  const t0 = Date.now();
  const err = await rejection(within(ex.submit(c.stubborn, [60_000], { timeout: 80, name: 'slowpoke' }), 10_000, 'timeout'));
  assert.instance(err, TimeoutError);
  assert.is(err.task, 'slowpoke');
  assert.is(err.timeout, 80);
  assert.ok(Date.now() - t0 >= 75);
  assert.is(await within(ex.submit(c.echo, ['alive']), 10_000, 'replaced'), 'alive');
  const coop = ex.submit(c.untilCancelled, [ex.shared(Float64Array, 1)], { timeout: 50 });
  assert.instance(await rejection(coop), TimeoutError);
});

Time('a run past its deadline rejects with a TimeoutError naming the taskflow, and stops', async ({ ex }) => {
  const tf = new Taskflow('long');
  const count = ex.shared(Int32Array, 1);
  const start = tf.emplace(c.echo).args(0);
  const body = tf.emplace(function tick(n) { Atomics.add(n, 0, 1); const e = Date.now() + 2; while (Date.now() < e); }).args(count);
  const loop = tf.condition(() => 0);
  start.precede(body); body.precede(loop); loop.precede(body);
  const err = await rejection(within(ex.run(tf, { deadline: 50 }), 10_000, 'deadline'));
  assert.instance(err, TimeoutError);
  assert.is(err.task, 'long');
  const n = count[0];
  await new Promise((r) => setTimeout(r, 20));
  assert.is(count[0], n, 'stopped');
  assert.instance(await rejection(ex.run(tf, { deadline: 'soon' })), TypeError);
});

Time.run();

const R = suite('retries');
R.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module }); });
R.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

R('a failing task is retried up to `retries` times, then succeeds or rejects with the last error', async ({ ex }) => {
  const n = ex.shared(Int32Array, 1);
  assert.is(await ex.submit(c.flaky, [n, 3], { retries: 3, retryDelay: 1 }), 3);
  assert.is(n[0], 3);
  const m = ex.shared(Int32Array, 1);
  const err = await rejection(ex.submit(c.flaky, [m, 10], { retries: 2, retryDelay: 1 }));
  assert.is(err.message, 'attempt 3');
  assert.is(m[0], 3, 'one attempt plus two retries');
});

R('retryIf decides which errors retry; the delays follow the backoff', async ({ ex }) => {
  const n = ex.shared(Int32Array, 1);
  const err = await rejection(ex.submit(c.flaky, [n, 5, 'range'], { retries: 5, retryIf: (e) => e.name !== 'RangeError' }));
  assert.instance(err, RangeError);
  assert.is(n[0], 1, 'not retried');
  const m = ex.shared(Int32Array, 1);
  const t0 = Date.now();
  await ex.submit(c.flaky, [m, 4], { retries: 3, retryDelay: { base: 20, factor: 2, jitter: 'none' } });
  assert.ok(Date.now() - t0 >= 20 + 40 + 80 - 5, 'waited 20 + 40 + 80 ms');
});

R('waitForAll waits for tasks between attempts', async ({ ex }) => {
  const n = ex.shared(Int32Array, 1);
  const p = ex.submit(c.flaky, [n, 3], { retries: 2, retryDelay: 30 });
  await ex.waitForAll();
  assert.is(n[0], 3);
  assert.is(await p, 3);
});

R.run();

const G = suite('cancellation seen by graph tasks');
G('a running graph task sees its run cancelled: this.cancelled and checkCancelled()', async () => {
  const ex = await Executor.create({ workers: 2, module });
  try {
    const f = ex.shared(Float64Array, 1);
    const tf = new Taskflow('watching');
    tf.emplace(c.untilCancelled).args(f);
    const run = ex.run(tf);
    await new Promise((r) => setTimeout(r, 30));
    run.cancel('stop the graph');
    const err = await rejection(within(run, 5_000, 'run cancel'));
    assert.instance(err, CancelledError);
    assert.ok(f[0] > 0, 'the task saw the cancellation and stopped by itself');
  } finally {
    await ex.close();
  }
});
G.run();

const GR = suite('graph task retries');
GR('task.retries(n): a failing graph task runs again (with backoff) up to n times; successors see the success', async () => {
  const ex = await Executor.create({ workers: 2, module });
  try {
    const n = ex.shared(Int32Array, 4);
    const tf = new Taskflow('retrying');
    const a = tf.emplace(c.failsUntil).args(n, 0, 3).retries(2);          // succeeds on its 3rd run
    const b = tf.emplace((x) => x * 10);
    a.precede(b);
    const r = await within(ex.run(tf), 10_000, 'retries');
    assert.is(r.result(b), 30);
    assert.is(n[0], 3);
    const tf2 = new Taskflow('gives-up');
    const d = tf2.emplace(c.failsUntil).args(n, 1, 10).retries(2);
    const after = tf2.emplace((arr) => { Atomics.store(arr, 3, 1); }).args(n);
    d.precede(after);
    const err = await rejection(within(ex.run(tf2), 10_000, 'gives up'));
    assert.instance(err, RangeError);
    assert.is(err.message, 'run 3');
    assert.is(n[1], 3, 'one run plus two retries');
    assert.is(n[3], 0, 'its successor did not run');
    assert.throws(() => d.retries(300), /^beatflow: task\.retries\(n\) on task 'failsUntil': n must be an integer from 0 to 255 \(got 300\)$/);
  } finally {
    await ex.close();
  }
});
GR.run();
