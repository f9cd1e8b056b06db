// executor.submit edge cases (retries racing a token cancel, retryIf, async tasks past their timeout).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, CancellationToken, CancelledError, TimeoutError } from 'beatflow';
import * as r from './fixtures/edge-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/edge-tasks.mjs', import.meta.url);
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const until = async (cond) => { while (!cond()) await sleep(1); };

const S = suite('submit');
// A fresh executor per test: a stuck job in one must not fail the next one's waitForAll.
S.before.each(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module, cancelGrace: 200, closeTimeout: 2000 }); });
S.after.each(async (ctx) => { await ctx.ex.destroy(); });

// executor.ts #graceFor: clearTimeout(job.timer) clears the *retry backoff* timer (job.timer is shared by
// backoff and grace); the grace timer then finds slot < 0 and returns. The job is neither relaunched nor
// settled, and #jobsWaiting stays 1, so waitForAll()/close() never finish.
S('a token cancelled during a retry backoff still settles the job (and waitForAll finishes)', async ({ ex }) => {
  const c = ex.shared(Int32Array, 1);
  const token = new CancellationToken();
  const job = ex.submit(r.flaky, [c, 100], { token, retries: 5, retryDelay: 300 });
  await until(() => Atomics.load(c, 0) >= 1);
  await sleep(30);                      // the host saw attempt 1 fail and armed the 300 ms backoff
  token.cancel('stop');
  const err = await rejection(within(job, 2000, 'job settles after cancel during backoff'));
  assert.ok(err instanceof CancelledError || err instanceof TypeError, String(err));
  await within(ex.waitForAll(), 2000, 'waitForAll');
});

// A job that owns its token (timeout or signal given) asks mayRetry (engine/attempts.ts), and so the
// user's retryIf, once per failed attempt: not once to decide whether to release the token and again to retry.
S('retryIf is asked once per failed attempt', async ({ ex }) => {
  const c = ex.shared(Int32Array, 1);
  let asked = 0;
  const v = await within(ex.submit(r.flaky, [c, 3], { retries: 5, retryDelay: 1, timeout: 5000, retryIf: () => { asked++; return true; } }), 5000, 'flaky');
  assert.is(v, 3);
  assert.is(asked, 2, 'two failures, two questions');
});

// An async task past its timeout: the job rejects with a TimeoutError, but forced termination looks for
// W_current === slot, and a suspended task is never any worker's current task (suspend sets -1). Its slot
// stays taken and #outstanding never returns to 0, so waitForAll() hangs (close() waits out closeTimeout).
S('an async task that ignores its timeout does not keep waitForAll pending forever', async ({ ex }) => {
  const err = await rejection(within(ex.submit(r.forever, [], { timeout: 50 }), 3000, 'timeout'));
  assert.instance(err, TimeoutError);
  await within(ex.waitForAll(), 3000, 'waitForAll after an async task timed out');
});

// Same root cause for cancel(): the docs say a task that ignores its token "is stopped by force after
// cancelGrace"; an async task that awaits forever is never stopped and its promise never settles.
S('cancel() of a started async task that ignores its token settles within cancelGrace', async ({ ex }) => {
  const job = ex.submit(r.forever, [], { token: new CancellationToken() });
  await sleep(50);
  assert.is(job.cancel('stop'), false, 'already started');
  const err = await rejection(within(job, 3000, 'cancelled async job settles'));
  assert.instance(err, CancelledError);
  await within(ex.waitForAll(), 3000, 'waitForAll after cancelling an async task');
});

// submit(): token._onCancel only arms #graceFor; unlike `signal` (onAbort → #withdraw), cancelling a
// token does not withdraw a task that has not started. A queued task whose token is already cancelled
// still starts and runs (and the grace timer counts from the cancel, not from the start).
S('a task whose token is cancelled before it starts is withdrawn, not run', async ({ ex }) => {
  const c = ex.shared(Int32Array, 1);
  const token = new CancellationToken();
  token.cancel('never mind');
  const err = await rejection(within(ex.submit(r.flaky, [c, 1], { token }), 3000, 'pre-cancelled job'));
  assert.instance(err, CancelledError);
  assert.is(Atomics.load(c, 0), 0, 'the task never ran');
});

S.run();
