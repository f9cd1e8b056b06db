// Observers (src/observe/observers.ts) and executor.numWaiters(): exact entry/exit counts per task for a
// graph and for async tasks at 1, 2 and 4 workers, task names and ids as the callbacks see them, removal,
// and the errors for bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow } from 'beatflow';
import * as tasks from './fixtures/observer-tasks.mjs';
import { within } from './helpers/executor.mjs';
import { until } from './helpers/core.mjs';

const module = new URL('./fixtures/observer-tasks.mjs', import.meta.url);
const { onEntry, onExit, prologue, epilogue } = tasks;

async function withExecutor(workers, fn) {
  const ex = await Executor.create({ module, workers });
  try { return await fn(ex); } finally { await within(ex.close(), 10_000, 'close'); }
}

/** A diamond a → (b, c) → d, run `runs` times. */
async function diamond(ex, runs) {
  const tf = new Taskflow('diamond');
  const [A, B, C, D] = tf.emplace(tasks.a, tasks.b, tasks.c, tasks.d);
  A.precede(B, C);
  D.succeed(B, C);
  for (let i = 0; i < runs; i++) await ex.run(tf);
}

const per = (data, base) => tasks.NAMES.map((_, k) => data[base + k]);
const balanced = (data) => Array.from(data.subarray(24, 56)).every((v) => v === 0);

for (const workers of [1, 2, 4]) {
  const test = suite(`observers, ${workers} worker(s)`);

  test('a graph: one entry and one exit per task per run, by name, on a valid worker', () => withExecutor(workers, async (ex) => {
    const data = ex.shared(Int32Array, 64);
    const h = ex.makeObserver({ onEntry, onExit, prologue, epilogue }, data);
    assert.is(ex.numObservers(), 1);
    await diamond(ex, 10);
    assert.equal(per(data, 8), [10, 10, 10, 10, 0]);
    assert.equal(per(data, 16), [10, 10, 10, 10, 0]);
    assert.is(data[0], 40); assert.is(data[1], 40); assert.is(data[4], 0);
    assert.ok(balanced(data), 'every slot id entered was exited');
    assert.ok(data[2] >= 1 && data[2] <= workers, `prologues ${data[2]}`);
    ex.removeObserver(h);
  }));

  test('async tasks: exit once the promise settled; sync ones too', () => withExecutor(workers, async (ex) => {
    const data = ex.shared(Int32Array, 64);
    ex.makeObserver({ onEntry, onExit }, data);
    const out = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => ex.async(tasks.later, i % 3)),
      ...Array.from({ length: 30 }, (_, i) => ex.async(tasks.b, i)),
    ]);
    assert.is(out.length, 50);
    assert.equal(per(data, 8), [0, 30, 0, 0, 20]);
    assert.equal(per(data, 16), [0, 30, 0, 0, 20]);
    assert.ok(balanced(data));
  }));

  test('removing an observer stops its events; epilogues match prologues by close', async () => {
    const data = ex0 => ex0.shared(Int32Array, 64);
    const ex = await Executor.create({ module, workers });
    const d = data(ex);
    const h = ex.makeObserver({ onEntry, onExit, prologue, epilogue }, d);
    await diamond(ex, 3);
    assert.is(d[0], 12);
    ex.removeObserver(h);
    assert.is(ex.numObservers(), 0);
    await diamond(ex, 3);
    await Promise.all(Array.from({ length: 10 }, () => ex.async(tasks.a)));
    assert.is(d[0], 12); assert.is(d[1], 12);
    const started = d[2];
    await within(ex.close(), 10_000, 'close');
    assert.ok(started >= 1);
    assert.is(d[3], d[2], 'one epilogue per prologue');
  });

  test('numWaiters: every worker idle once the work is done', () => withExecutor(workers, async (ex) => {
    await diamond(ex, 2);
    await until(() => ex.numWaiters() === ex.workers, 5000);
    assert.is(ex.numWaiters(), ex.workers);
  }));

  test.run();
}

const errors = suite('observer errors');
errors('bad input is named', () => withExecutor(1, async (ex) => {
  assert.throws(() => ex.makeObserver(null), /makeObserver\(observer, data\): observer must be an object/);
  assert.throws(() => ex.makeObserver({}), /observer needs at least one of onEntry/);
  assert.throws(() => ex.makeObserver({ onEntry: 3 }), /observer\.onEntry must be a function \(got 3\)/);
  assert.throws(() => ex.makeObserver({ onEntry }, new Int32Array(4)), /data must be an array from executor\.shared\(\)/);
  assert.throws(() => ex.removeObserver({ id: 1 }), /removeObserver\(handle\): handle must be what executor\.makeObserver\(\) returned/);
  const hs = Array.from({ length: 8 }, () => ex.makeObserver({ onEntry }));
  assert.throws(() => ex.makeObserver({ onEntry }), /8 observers are installed already/);
  ex.removeObserver(hs[0]);
  assert.throws(() => ex.removeObserver(hs[0]), /handle must be what/);
  ex.makeObserver({ onEntry });
}));
errors.run();
