// A worker that dies while it resumes an async task (joining the task's unjoined children in
// resume → settle → joinRest → helpUntil) reports that task twice: W_current is the task again
// (worker.ts resume sets currentAt = s.t) and its await-list entry is only cleared after settle returns.
// The host retires it twice (executor.ts #onCrash: lost = [task, ...awaiting]), so its id comes back on
// the completion ring twice; when the first completion frees the slot and #drainBacklog hands it to a
// queued async() call, the second completion settles that call before it ran.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, WorkerCrashError } from 'beatflow';
import * as r from './fixtures/edge-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/edge-tasks.mjs', import.meta.url);
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const until = async (cond) => { while (!cond()) await sleep(1); };

const S = suite('crash while resuming an async task');

S('the resumed task is reported once; a queued call is never settled by another task\'s completion', async () => {
  const ex = await Executor.create({ workers: 2, module, maxTasks: 1024 });
  try {
    const flag = ex.shared(Int32Array, 1);
    const victim = rejection(ex.async(r.asyncJoinSlow, flag, 1500));
    await until(() => Atomics.load(flag, 0) !== 0);
    await sleep(100);                          // the owner now waits in joinRest for the slow child (stolen)
    const w = Atomics.load(flag, 0) - 1;
    // Both workers are busy (one helping in a join: it takes no submissions, one running the slow child),
    // so these wait in the injector: fill every free task slot, then queue a few more on the host.
    const calls = [];
    for (let i = 0; i < 1100; i++) calls.push(ex.async(r.echo, i));
    await ex._killWorker(w);
    const err = await within(victim, 5000, 'victim');
    assert.instance(err, WorkerCrashError);
    const got = await within(Promise.all(calls), 10_000, 'echo calls');
    const wrong = got.map((v, i) => [i, v]).filter(([i, v]) => v !== i);
    assert.equal(wrong, [], 'every echo(i) resolves with i');
  } finally {
    await ex.destroy();
  }
});

S.run();

// Pre-existing for ctx.join, now also every subflow join: a worker that dies while it runs a task nested
// in a join (runNested sets W_current to the nested task) reports only that task; the joining task below
// it on the stack is never retired, so its promise (or its run) never settles. Same for a subflow joiner
// (and its subflow run slot and records leak).
/** A task waits in join while its worker runs its child; the worker is killed: the joiner must be rejected. */
async function joinerIsReported(ex) {
  const flag = ex.shared(Int32Array, 1);
  const joiner = rejection(ex.async(r.joinWhileHelping, flag));
  await until(() => Atomics.load(flag, 0) !== 0);
  await ex._killWorker(Atomics.load(flag, 0) - 1);
  assert.instance(await within(joiner, 5000, 'joiner settles'), WorkerCrashError);
}

const J = suite('crash while helping in a join');
J('after a condition chose more successors than its first choice list held, the joiner is still reported', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    const tf = new Taskflow('wide');
    const start = tf.emplace(r.echo).args(0);
    const pick = tf.condition(() => Array.from({ length: 100 }, (_, i) => i));   // grows the worker's choice list
    start.precede(pick);
    pick.precede(...Array.from({ length: 100 }, (_, i) => tf.emplace(r.echo).args(i)));
    await within(ex.run(tf), 5000, 'wide run');
    await joinerIsReported(ex);
  } finally {
    await ex.destroy();
  }
});

J('the task waiting in join is rejected when its worker dies running a nested task', async () => {
  const ex = await Executor.create({ workers: 2, module });
  try {
    await joinerIsReported(ex);
  } finally {
    await ex.destroy();
  }
});
J.run();
