// The Semaphore API and its bad input: constructor and reset() arguments, non-Semaphore arguments to
// task.acquire / task.release, a release no task acquires, a semaphore two executors use, semaphores in a
// subflow; and what a Semaphore reads before and after an executor uses it, in the single-threaded mode too.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, Semaphore, GraphError } from 'beatflow';
import * as st from './fixtures/semaphore-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/semaphore-tasks.mjs', import.meta.url);

// ---
const Api = suite('Semaphore: values and arguments');

Api('a new semaphore reads its maximum; reset(n) sets it; duplicate acquires count once', () => {
  const s = new Semaphore(4, 'pool');
  assert.is(s.name, 'pool');
  assert.is(new Semaphore(1).name, 'semaphore');
  assert.equal([s.value(), s.maxValue()], [4, 4]);
  s.reset(2);
  assert.equal([s.value(), s.maxValue()], [2, 2]);
  s.reset();
  assert.equal([s.value(), s.maxValue()], [2, 2]);
  const tf = new Taskflow('t');
  const t = tf.emplace(() => 1);
  const v = tf.version;
  assert.is(t.acquire(s, s).acquire(s).release(s, s), t, 'chains');
  assert.is(t._acquire.length, 1);
  assert.is(t._release.length, 1);
  assert.ok(tf.version > v, 'acquire and release change the graph: the next run lays it out again');
});

Api('maxValue must be a positive integer that fits 31 bits; the message names the argument', () => {
  for (const bad of [0, -1, 1.5, '2', NaN, Infinity, 2 ** 31, undefined, null]) {
    assert.throws(() => new Semaphore(bad), (e) => e instanceof TypeError && /new Semaphore\(maxValue, name\): maxValue must be a positive integer/.test(e.message), String(bad));
    assert.throws(() => new Semaphore(1).reset(bad ?? 0), (e) => e instanceof TypeError && /semaphore\.reset\(maxValue\): maxValue/.test(e.message), `reset(${String(bad)})`);
  }
  assert.is(new Semaphore(2 ** 31 - 1).maxValue(), 2 ** 31 - 1);
  assert.throws(() => new Semaphore(1, 7), (e) => e instanceof TypeError && /name must be a string/.test(e.message));
});

Api('acquire and release take Semaphores only; the message names the task and the argument', () => {
  const tf = new Taskflow('t');
  const t = tf.emplace(() => 1).name('worker');
  const s = new Semaphore(1);
  for (const [call, f] of [['acquire', (...a) => t.acquire(...a)], ['release', (...a) => t.release(...a)]]) {
    assert.throws(() => f(s, 3), (e) => e instanceof TypeError &&
      e.message.includes(`task.${call}(...semaphores) on task 'worker': semaphores[1] must be a Semaphore`), call);
    assert.throws(() => f({ value: () => 1 }), (e) => e instanceof TypeError && e.message.includes('semaphores[0]'), `${call}: a look-alike`);
  }
  assert.is(t._acquire.length + t._release.length, 0, 'a refused call changes nothing');
});

// ---
const Runs = suite('Semaphore: graphs the executor refuses, and executors');
Runs.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module }); });
Runs.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

Runs('a task releasing a semaphore no task acquires: a GraphError naming both, and nothing taken', async ({ ex }) => {
  const live = ex.stats().liveTasks;
  const s = new Semaphore(1, 'orphan');
  const tf = new Taskflow('bad-release');
  const [a, b] = tf.emplace(() => 1, () => 2);
  a.name('first').precede(b.name('second').release(s));
  const e = await rejection(ex.run(tf));
  assert.instance(e, GraphError);
  assert.match(e.message, "task 'second' of taskflow 'bad-release' releases semaphore 'orphan', which no task of the taskflow acquires");
  assert.is(ex.stats().liveTasks, live, 'no slot kept');
  a.acquire(s);
  await within(ex.run(tf), 10_000, 'fixed');
  assert.is(s.value(), 1);
});

Runs('a module task releasing what its own tasks acquire is accepted; a module entry and exit name the module', async ({ ex }) => {
  const W = ex.shared(Int32Array, 8);
  const s = new Semaphore(1, 'm');
  const inner = new Taskflow('inner');
  inner.emplace(st.probe).args(W, 0, 0, 0).acquire(s);
  const tf = new Taskflow('outer');
  tf.composedOf(inner).release(s);
  await within(ex.run(tf), 10_000, 'run');
  assert.is(W[2], 1);
  assert.is(s.value(), 1);
  const lone = new Taskflow('lone');
  lone.composedOf(new Taskflow('empty')).name('mod').release(new Semaphore(1, 'x'));
  const e = await rejection(ex.run(lone));
  assert.match(e.message, "task 'mod' of taskflow 'lone' releases semaphore 'x'");
});

Runs('a semaphore used by another open executor: a GraphError naming it and the task; free once that one closes', async ({ ex }) => {
  const s = new Semaphore(2, 'shared');
  const mine = new Taskflow('mine');
  mine.emplace(() => 1).acquire(s).release(s);
  await ex.run(mine);
  const other = await Executor.create({ workers: 1 });
  try {
    const tf = new Taskflow('theirs');
    tf.emplace(() => 1).name('intruder').acquire(s).release(s);
    const e = await rejection(other.run(tf));
    assert.instance(e, GraphError);
    assert.match(e.message, "semaphore 'shared' (used by task 'intruder' of taskflow 'theirs') belongs to another executor");
    s.reset(3);
    assert.is(s.value(), 3);
    await ex.run(mine);
    assert.is(s.value(), 3, 'reset moved the units in ex\'s memory too');
    const closing = await Executor.create({ workers: 1 });
    const moved = new Semaphore(1, 'moved');
    const one = new Taskflow('one');
    one.emplace(() => 1).acquire(moved).release(moved);
    await closing.run(one);
    await closing.close();
    assert.is(moved.value(), 1, 'reads its maximum once its executor closed');
    await other.run(one);
    assert.is(moved.value(), 1, 'and moves to the next executor that uses it');
  } finally {
    await other.close();
  }
});

Runs('tasks of a subflow cannot use semaphores: the error names the task', async ({ ex }) => {
  const tf = new Taskflow('outer');
  tf.emplace(st.subflowWithSemaphore).name('builder');
  const e = await rejection(within(ex.run(tf), 10_000, 'run'));
  assert.match(e.message, "task 'guarded' of 'inner', a graph run inside a task (a subflow or ctx.corun), acquires or releases a semaphore");
});

// ---
const Single = suite('Semaphore: the single-threaded mode');

Single('workers: 0 runs a semaphore graph: one task inside at a time, every unit back', async () => {
  const ex = await Executor.create({ workers: 0, module });
  try {
    const W = ex.shared(Int32Array, 4);
    const s = new Semaphore(1);
    const tf = new Taskflow('single');
    for (let i = 0; i < 10; i++) tf.emplace(st.probe).args(W, 0, 0, 0).acquire(s).release(s);
    await within(ex.run(tf), 10_000, 'run');
    assert.equal([W[2], W[1], s.value()], [10, 1, 1]);
  } finally {
    await ex.close();
  }
});

Api.run();
Runs.run();
Single.run();
