// Cancellation must reach subflows nested behind a fork-join shaped subflow level, and tasks
// spawned (or laid out in a subflow) by a task whose token or run was cancelled.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, CancellationToken, CancelledError } from 'beatflow';
import * as r from './fixtures/edge-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/edge-tasks.mjs', import.meta.url);
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const until = async (cond) => { while (!cond()) await sleep(1); };

const S = suite('cancellation and subflows');
S.before.each(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module, cancelGrace: 200 }); });
S.after.each(async (ctx) => { await ctx.ex.destroy(); });

// worker/subflow.ts runSubflow: a subflow of independent plain tasks runs as spawned children, and
// initLoneTask gives a child run = NONE. A laid-out subflow built inside such a child gets parent = NONE
// (worker.ts subflow(): T_run of the child), so runStopped never sees the outer run's cancellation:
// the endless loop below never stops and the run never settles (the test in subflows.test.mjs only
// covers a laid-out level directly under the run).
S('cancelling a run stops an endless loop in a subflow nested under a fork-join shaped subflow', async ({ ex }) => {
  const c = ex.shared(Int32Array, 1);
  const tf = new Taskflow('endless-behind-fork');
  tf.emplace(r.forkThenEndless).args(c);
  const run = ex.run(tf);
  await until(() => Atomics.load(c, 0) >= 100);
  run.cancel('enough');
  const err = await rejection(within(run, 3000, 'run settles after cancel'));
  assert.instance(err, CancelledError);
});

// Same root cause for ctx.spawn: a child has run NONE and token 0, so `this.cancelled` in a child of a
// cancelled submitted task (or of a task of a cancelled run) stays false.
S('a child spawned by a submitted task sees the task\'s token', async ({ ex }) => {
  const flag = ex.shared(Int32Array, 1);
  const token = new CancellationToken();
  const job = ex.submit(r.spawnCancelWatcher, [flag], { token });
  await until(() => Atomics.load(flag, 0) === 1);
  token.cancel('stop');
  assert.is(await within(job, 5000, 'job'), 'child saw cancel');
});

S('a task of a subflow built by a submitted task sees the task\'s token', async ({ ex }) => {
  const flag = ex.shared(Int32Array, 1);
  const token = new CancellationToken();
  const job = ex.submit(r.subflowCancelWatcher, [flag], { token });
  await until(() => Atomics.load(flag, 0) === 1);
  token.cancel('stop');
  assert.is(await within(job, 5000, 'job'), 'child saw cancel');
});

S.run();
