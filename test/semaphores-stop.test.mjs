// Semaphores and runs that stop, and the semaphore's own controls: a task that fails gives its units
// back; a unit taken by a task whose releaser is skipped comes back when the run ends; a run cancelled
// or failed while tasks wait on a semaphore ends without running them; reset(n) during a run; value()
// while units are held. At 1, 2 and 4 workers, each wait bounded (a stall fails, it never hangs).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, Semaphore, CancelledError } from 'beatflow';
import * as st from './fixtures/semaphore-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/semaphore-tasks.mjs', import.meta.url);
const BOUND = 10_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(cond, label) {
  const end = Date.now() + BOUND;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await sleep(1);
  }
}

/**
 * Runs a holder (the function `holder`, acquiring and releasing `sem`) that stays inside until W[0] is
 * set, and a gate that opens (W[8] set) k probes that acquire and release sem too. Returns { run } once
 * the holder is inside and the gate open: the probes are ready and wait for the holder's unit.
 */
async function gated(ex, W, sem, holder, k) {
  const tf = new Taskflow('gated');
  tf.emplace(holder).args(W, 0, BOUND).acquire(sem).release(sem).name('holder');
  const g = tf.emplace(st.hold).args(W, 8, BOUND).name('gate');
  for (let i = 0; i < k; i++) tf.emplace(st.probe).args(W, 1, 0, 0).acquire(sem).release(sem).succeed(g);
  const run = ex.run(tf);
  run.catch(() => {});
  await until(() => W[1] === 1, 'the holder inside');
  Atomics.store(W, 8, 1);
  await sleep(20);   // time for workers to take the probes (and park them); nothing here depends on it
  return { run };
}

for (const workers of [1, 2, 4]) {
  const S = suite(`semaphores and stopped runs (${workers} worker${workers > 1 ? 's' : ''})`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('tasks that throw give their units back', async ({ ex }) => {
    const W = ex.shared(Int32Array, 4);
    const sem = new Semaphore(2, 'failing');
    const tf = new Taskflow('fails');
    for (let i = 0; i < 6; i++) tf.emplace(st.fail).args(W, 0).acquire(sem).release(sem);
    const e = await rejection(within(ex.run(tf), BOUND, 'run'));
    assert.match(e.message, 'failed');
    assert.ok(W[0] >= 1, 'a task ran and failed');
    assert.is(sem.value(), 2, 'every unit back');
  });

  S('a unit whose releaser is skipped (a failure between) comes back when the run ends', async ({ ex }) => {
    const W = ex.shared(Int32Array, 16);
    const span = new Semaphore(1, 'span');
    const tf = new Taskflow('span');
    const a = tf.emplace(st.probe).args(W, 0, 0, 0).acquire(span);
    const b = tf.emplace(st.fail).args(W, 12);
    const e = tf.emplace(st.probe).args(W, 1, 0, 0).release(span);
    a.precede(b); b.precede(e);
    for (let r = 1; r <= 3; r++) {
      await rejection(within(ex.run(tf), BOUND, `run ${r}`));
      assert.equal([W[2], W[12], W[6]], [r, r, 0], `run ${r}: a ran, b failed, e was skipped`);
      assert.is(span.value(), 1, `run ${r}: the unit came back`);
    }
  });

  S('a run cancelled while tasks wait on a semaphore ends without running them', async ({ ex }) => {
    const W = ex.shared(Int32Array, 12);
    const sem = new Semaphore(1, 'busy');
    const { run } = await gated(ex, W, sem, st.hold, 6);
    assert.is(sem.value(), 0, 'the holder has the unit');
    run.cancel('stop');
    Atomics.store(W, 0, 1);   // the holder ends and gives its unit back: every waiting probe is skipped
    const e = await rejection(within(run, BOUND, 'cancelled run'));
    assert.instance(e, CancelledError);
    assert.is(W[6], 0, 'no probe ran: each one that took the unit after the cancel gave it back');
    assert.is(sem.value(), 1);
  });

  S('a run whose holder fails while tasks wait on its semaphore ends without running them', async ({ ex }) => {
    const W = ex.shared(Int32Array, 12);
    const sem = new Semaphore(1, 'busy');
    const { run } = await gated(ex, W, sem, st.holdThenFail, 6);
    Atomics.store(W, 0, 1);   // the holder throws: the run stops before its unit goes back
    const e = await rejection(within(run, BOUND, 'failed run'));
    assert.match(e.message, 'the holder failed');
    assert.is(W[6], 0, 'no probe ran');
    assert.is(sem.value(), 1);
  });

  S('value() counts the units held while a run holds them', async ({ ex }) => {
    const W = ex.shared(Int32Array, 4);
    const sem = new Semaphore(3, 'three');
    const tf = new Taskflow('held');
    tf.emplace(st.hold).args(W, 0, BOUND).acquire(sem).release(sem);
    const run = within(ex.run(tf), BOUND, 'run');
    await until(() => W[1] === 1, 'the holder inside');
    assert.is(sem.value(), 2);
    assert.is(sem.maxValue(), 3);
    Atomics.store(W, 0, 1);
    await run;
    assert.is(sem.value(), 3);
  });

  if (workers > 1) {
    S('reset(n) during a run: a higher maximum starts waiting tasks at once', async ({ ex }) => {
      const W = ex.shared(Int32Array, 12);
      const sem = new Semaphore(1, 'grow');
      const run = within((await gated(ex, W, sem, st.hold, 4)).run, BOUND, 'run');
      sem.reset(3);
      await until(() => W[6] === 4, 'the probes ran beside the holder');
      assert.is(sem.maxValue(), 3);
      Atomics.store(W, 0, 1);
      await run;
      assert.is(sem.value(), 3);
    });

    S('reset(n) during a run: a lower maximum counts the units held against it', async ({ ex }) => {
      const W = ex.shared(Int32Array, 12);
      const sem = new Semaphore(2, 'shrink');
      const tf = new Taskflow('shrink');
      const gate = tf.emplace(st.hold).args(W, 8, BOUND);
      // Two holders take both units; the probes wait behind them, then at most one may be inside at once.
      for (let i = 0; i < 2; i++) tf.emplace(st.hold).args(W, 0, BOUND).acquire(sem).release(sem).precede(gate);
      for (let i = 0; i < 8; i++) tf.emplace(st.probe).args(W, 1, 0, 0, 1).acquire(sem).release(sem).succeed(gate);
      const run = within(ex.run(tf), BOUND, 'run');
      await until(() => W[1] === 2, 'both holders inside');
      sem.reset(1);
      assert.is(sem.value(), 0, 'two held against a maximum of one');
      Atomics.store(W, 8, 1);
      Atomics.store(W, 0, 1);
      await run;
      assert.is(W[6], 8);
      assert.is(W[5], 1, 'one probe inside at a time');
      assert.is(sem.value(), 1);
    });
  }

  S.run();
}
