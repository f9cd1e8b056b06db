// Nothing accepted is lost, nothing leaks, nothing hangs: the paths where work meets slot limits,
// failures, garbage collection and dying workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Executor, Taskflow } from 'beatflow';
import * as tasks from './fixtures/tasks.mjs';
import { fixtures, within, rejection } from './helpers/executor.mjs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const R = suite('reliability');

R("a run's end is never held back by the finishing worker's next task (async or another run)", async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures, closeTimeout: 500 });
  const flag = ex.shared(Int32Array, 1);
  const tf = new Taskflow('short');
  tf.emplace(tasks.spin).args(30);
  await ex.run(tf);
  const waiter = async (f) => { while (Atomics.load(f, 0) === 0) await new Promise((r) => setTimeout(r, 5)); return 'released'; };
  const run = ex.run(tf);
  await sleep(5);
  const waiting = [ex.async(waiter, flag), ex.async(waiter, flag)];   // whichever worker retires the task picks one up
  await within(run, 3000, 'the run resolves although both workers then wait on async tasks');
  Atomics.store(flag, 0, 1);
  assert.equal(await within(Promise.all(waiting), 3000, 'waiters'), ['released', 'released']);
  await ex.destroy();
});

R('async tasks waiting for a slot start as soon as a taskflow releases its slots', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures, maxTasks: 1024 });
  const tf = new Taskflow('hog');
  tf.emplace(Array(1024).fill(tasks.noop));
  await ex.run(tf);
  assert.is(ex.stats().liveTasks, 1024);
  const p = ex.async(tasks.inc, 1);
  await sleep(50);
  await ex.release(tf);
  assert.is(await within(p, 3000, 'backlogged async after release'), 2);
  await ex.close();
});

R('a laid-out taskflow that is garbage-collected gives its slots back', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures, maxTasks: 1024 });
  async function once() {
    const tf = new Taskflow('tmp');
    tf.emplace(Array(300).fill(tasks.noop));
    await ex.run(tf);
  }
  for (let i = 0; i < 12; i++) {   // 12 × 300 slots through a 1024-slot table: only works if they come back
    await once();
    for (let k = 0; k < 3; k++) { gc(); await sleep(10); }
  }
  for (let k = 0; k < 5 && ex.stats().liveTasks > 0; k++) { gc(); await sleep(20); }
  assert.is(ex.stats().liveTasks, 0);
  await ex.close();
});

R('a taskflow that fails to lay out (an argument the codec refuses) keeps no slots or heap', async () => {
  const ex = await Executor.create({ workers: 1, module: fixtures, maxTasks: 1024 });
  const heap0 = ex.stats().heapBytes;
  for (let i = 0; i < 5; i++) {
    const tf = new Taskflow('bad');
    tf.emplace(Array(300).fill(tasks.args)).forEach((t, k) => t.args('x'.repeat(200), k === 250 ? Symbol('no') : k));
    assert.match((await rejection(ex.run(tf))).message, /symbol/i);
  }
  assert.is(ex.stats().liveTasks, 0);
  assert.ok(ex.stats().heapBytes - heap0 <= 64, `heap grew by ${ex.stats().heapBytes - heap0}`);
  for (let i = 0; i < 20; i++) {   // the same through async(), inline and spilled argument lists
    await rejection(ex.async(tasks.args, { big: 'y'.repeat(500) }, Symbol('no')));
    await rejection(ex.async(tasks.args, 'z'.repeat(300), 1, 2, 3, 4, 5, 6, Symbol('no')));
  }
  assert.ok(ex.stats().heapBytes - heap0 <= 64, `heap grew by ${ex.stats().heapBytes - heap0}`);
  await ex.close();
});

R('failed runs do not leak the encoded results of their skipped tasks', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures });
  const tf = new Taskflow('fails-later');
  const gate = ex.shared(Int32Array, 1);
  const first = tf.emplace((g) => { if (Atomics.load(g, 0) === 1) throw new Error('now'); }).args(gate);
  for (let i = 0; i < 100; i++) first.precede(tf.emplace(() => 'r'.repeat(2000)));
  await ex.run(tf);   // every task holds a 2 KB encoded result
  const heap1 = ex.stats().heapBytes;
  gate[0] = 1;
  for (let i = 0; i < 5; i++) await rejection(ex.run(tf));   // all 100 are skipped each time
  assert.ok(ex.stats().heapBytes < heap1 - 100 * 2000, 'the skipped tasks gave their old results back');
  await ex.close();
});

R('close() finishes runs queued behind a running run of the same taskflow', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures });
  const tf = new Taskflow('queued');
  const t = tf.emplace(tasks.spin).args(30);
  const runs = [ex.run(tf), ex.run(tf), ex.run(tf)];
  await within(ex.close(), 5000, 'close');
  const done = await Promise.allSettled(runs);
  assert.equal(done.map((d) => d.status), ['fulfilled', 'fulfilled', 'fulfilled']);
  assert.is(done[2].value.result(t), 30);
});

R('a worker killed while searching for work is replaced, and wake-ups keep working', async () => {
  const ex = await Executor.create({ workers: 1, module: fixtures, spinMicroseconds: 300_000, closeTimeout: 500 });
  assert.is(await ex.async(tasks.inc, 1), 2);
  await ex._killWorker(0);   // it is searching (a 300 ms spin) after its task
  assert.is(await within(ex.async(tasks.inc, 2), 3000, 'replacement runs'), 3);
  await sleep(700);          // let the replacement spin out and park: only a correct wake reaches it
  assert.is(await within(ex.async(tasks.inc, 3), 3000, 'wake after the replacement parked'), 4);
  await ex.destroy();
});

R.run();
