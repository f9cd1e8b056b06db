// A run that fails or is cancelled while many of its tasks are still queued must settle promptly at every
// worker count: a worker skips a stopped run's tasks (retires them in Wasm without running them) and
// must go on to the rest of its own deque, not park with them there (assembly/README.md, Sleep: a
// worker looks for work elsewhere, or parks, only with its own deque empty). Every case below bounds
// each promise with within(): a stall fails the test instead of hanging the file.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, CancelledError, TimeoutError } from 'beatflow';
import * as s from './fixtures/stop-tasks.mjs';
import { within } from './helpers/executor.mjs';

const module = new URL('./fixtures/stop-tasks.mjs', import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A stopped run settles once its running tasks finish: a few ms each here. A stall never settles. */
const BOUND = 4000;
const MS = 4;   // each busy task spins this long, so a stop always finds most of a graph still queued

/** p, marked handled: a run that stalls is rejected by destroy() after its test has failed. */
function handled(p) {
  p.catch(() => {});
  return p;
}

/** The error p rejects with; fails the test if p resolves or does not settle within BOUND. */
async function stopped(p, label) {
  handled(p);
  const r = await within(p.then((v) => ({ v }), (e) => ({ e })), BOUND, label);
  if (!('e' in r)) throw new Error(`${label}: resolved, expected a rejection`);
  return r.e;
}

async function until(cond, label) {
  const end = Date.now() + BOUND;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await sleep(1);
  }
}

/** n independent busy tasks; `fails(i)` says which throw. */
function wide(c, n, fails = () => false) {
  const tf = new Taskflow(`wide-${n}`);
  for (let i = 0; i < n; i++) tf.emplace(s.busyFail).args(c, MS, fails(i), i).name(`t${i}`);
  return tf;
}

/** k chains of len busy tasks each; `fails(chain, step)` says which throw. */
function chains(c, k, len, fails = () => false) {
  const tf = new Taskflow(`chains-${k}x${len}`);
  for (let j = 0; j < k; j++) {
    let prev;
    for (let i = 0; i < len; i++) {
      const t = tf.emplace(s.busyFail).args(c, MS, fails(j, i), j * 100 + i).name(`c${j}.${i}`);
      if (prev) prev.precede(t);
      prev = t;
    }
  }
  return tf;
}

const shapes = {
  'independent tasks': (c, fails) => wide(c, 48, fails ? (i) => i % 7 === 2 : undefined),
  chains: (c, fails) => chains(c, 6, 8, fails ? (j, i) => i === 3 && j % 2 === 0 : undefined),
};

/** After a stop, the same graph must still run to completion on the same executor. */
async function runsAgain(ex, tf, label) {
  const r = await within(handled(ex.run(tf)), BOUND, `${label}: the next run`);
  assert.ok(r, `${label}: the next run resolved`);
}

for (const workers of [1, 2, 4]) {
  const S = suite(`stopped runs settle (${workers} worker${workers > 1 ? 's' : ''})`);
  S.before.each(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  S.after.each(async (ctx) => { await ctx.ex.destroy(); });

  for (const [shape, make] of Object.entries(shapes)) {
    S(`run.cancel() with ${shape} queued`, async ({ ex }) => {
      const c = ex.shared(Int32Array, 1);
      const tf = make(c, false);
      const run = handled(ex.run(tf));
      await until(() => Atomics.load(c, 0) >= 1, 'the first task');
      run.cancel('stop');
      const err = await stopped(run, `${shape}: cancel`);
      assert.instance(err, CancelledError);
      assert.is(err.cause, 'stop');
      assert.ok(Atomics.load(c, 0) < 48, 'tasks queued at the cancel were skipped');
      await runsAgain(ex, tf, shape);
    });

    S(`an aborted signal with ${shape} queued`, async ({ ex }) => {
      const c = ex.shared(Int32Array, 1);
      const tf = make(c, false);
      const ac = new AbortController();
      const run = handled(ex.run(tf, { signal: ac.signal }));
      await until(() => Atomics.load(c, 0) >= 1, 'the first task');
      ac.abort('aborted');
      const err = await stopped(run, `${shape}: signal`);
      assert.instance(err, CancelledError);
      assert.is(err.cause, 'aborted');
      await runsAgain(ex, tf, shape);
    });

    S(`a deadline with ${shape} queued`, async ({ ex }) => {
      const c = ex.shared(Int32Array, 1);
      const tf = make(c, false);
      const err = await stopped(ex.run(tf, { deadline: 2 * MS }), `${shape}: deadline`);
      assert.instance(err, TimeoutError);
      await runsAgain(ex, tf, shape);
    });

    S(`runN cancelled by its signal in a later run, ${shape}`, async ({ ex }) => {
      const c = ex.shared(Int32Array, 1);
      const tf = make(c, false);
      const ac = new AbortController();
      const all = handled(ex.runN(tf, 4, { signal: ac.signal }));
      await until(() => Atomics.load(c, 0) >= 49, 'the second run');
      ac.abort('enough');
      const err = await stopped(all, `${shape}: runN`);
      assert.instance(err, CancelledError);
      await runsAgain(ex, tf, shape);
    });

    S(`several failing tasks with ${shape}`, async ({ ex }) => {
      const c = ex.shared(Int32Array, 1);
      const tf = make(c, true);
      const err = await stopped(ex.run(tf), `${shape}: failures`);
      assert.instance(err, TypeError);
      assert.match(err.message, /^task \d+ failed$/);
      for (const e of err.suppressed ?? []) assert.match(e.message, /^task \d+ failed$/, 'only the tasks that threw');
      assert.ok(err.partial, 'the partial result is attached');
    });
  }

  S('a cancelled fork-join graph: tasks whose children are queued on the same deque', async ({ ex }) => {
    const c = ex.shared(Int32Array, 2);
    const tf = new Taskflow('forks');
    for (let i = 0; i < 6; i++) tf.emplace(s.forkBusy).args(c, 12, MS);
    const run = handled(ex.run(tf));
    await until(() => Atomics.load(c, 0) >= 1, 'the first child');
    run.cancel('stop');
    assert.instance(await stopped(run, 'fork-join: cancel'), CancelledError);
    await runsAgain(ex, tf, 'fork-join');
  });

  S('a cancelled run while every worker holds a suspended async task (the non-blocking loop)', async ({ ex }) => {
    const flags = Array.from({ length: workers }, () => ex.shared(Int32Array, 1));
    for (const f of flags) handled(ex.submit(s.later, [f, 3 * BOUND]));
    await until(() => flags.every((f) => Atomics.load(f, 0) === 1), 'the async tasks');
    const c = ex.shared(Int32Array, 1);
    const tf = wide(c, 48);
    const run = handled(ex.run(tf));
    await until(() => Atomics.load(c, 0) >= 1, 'the first task');
    run.cancel('stop');
    assert.instance(await stopped(run, 'suspended: cancel'), CancelledError);
    const fails = wide(c, 48, (i) => i % 5 === 1);
    assert.instance(await stopped(ex.run(fails), 'suspended: failures'), TypeError);
  });

  S.run();
}
