// A runtime without Atomics.waitAsync (Firefox before 145, Safari before 16.4), simulated in Node by
// deleting it before beatflow is imported, and in every worker by the task module
// (conformance/tasks-no-wait-async.js, which the browser lanes use too): the waits fall back to the poll of src/platform/wait-async.ts
// (docs/platforms.md, "Without Atomics.waitAsync"), the executor says so once, and everything runs, at
// 1, 2 and 4 workers and single-threaded. Every wait here is bounded: a lost wake-up fails, never hangs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { rejection, within } from './helpers/executor.mjs';

const native = Atomics.waitAsync;
delete Atomics.waitAsync;
const warned = [];
const warn = console.warn;
console.warn = (m) => warned.push(String(m));
const bf = await import('beatflow');
const { Executor, Taskflow, CancellationToken, CancelledError } = bf;
const { waitAsync, pollingWaits, hasWaitAsync } = await import('../build/src/platform/wait-async.js');
const { conformance } = await import('./conformance/suite.js');
const fixture = new URL('./conformance/tasks-no-wait-async.js', import.meta.url);
const tasks = await import(fixture.href);

// ---
const Poll = suite('the poll that stands in for Atomics.waitAsync');

Poll('a word that no longer holds the value ends the wait at once, as waitAsync says not-equal', () => {
  const i32 = new Int32Array(new SharedArrayBuffer(8));
  assert.is(hasWaitAsync(), false);
  assert.equal(waitAsync(i32, 0, 1), { async: false, value: 'not-equal' });
  assert.is(pollingWaits(), 0);
});

Poll('a store from another thread ends the wait with ok; the poll stops when no wait is left', async () => {
  const sab = new SharedArrayBuffer(8);
  const i32 = new Int32Array(sab);
  const r = waitAsync(i32, 1, 0);
  assert.is(r.async, true);
  assert.is(pollingWaits(), 1);
  const w = new Worker('const { workerData } = require("node:worker_threads"); setTimeout(() => Atomics.store(new Int32Array(workerData), 1, 5), 30);',
    { eval: true, workerData: sab });
  try {
    assert.is(await within(r.value, 10_000, 'the wait on a word another thread stores'), 'ok');
  } finally { await w.terminate(); }
  assert.is(pollingWaits(), 0);
});

Poll('many waits on different words: each ends when its own word changes, and not before', async () => {
  const i32 = new Int32Array(new SharedArrayBuffer(4 * 64));
  const ended = [];
  const waits = Array.from({ length: 64 }, (_, i) => waitAsync(i32, i, 0).value.then((v) => ended.push([i, v])));
  for (let round = 0; round < 4; round++) {
    for (let i = round; i < 64; i += 4) Atomics.store(i32, i, 1);
    await within(new Promise((r) => { const look = () => (ended.length >= 16 * (round + 1) ? r() : setTimeout(look, 1)); look(); }), 10_000, `round ${round}`);
    assert.is(ended.length, 16 * (round + 1), 'only the waits whose word changed ended');
    assert.ok(ended.every(([i]) => i % 4 <= round), `round ${round}: no wait on an unchanged word ended`);
  }
  await Promise.all(waits);
  assert.ok(ended.every(([, v]) => v === 'ok'));
  assert.is(pollingWaits(), 0);
});

Poll('where the runtime has Atomics.waitAsync, it is the one called', () => {
  const i32 = new Int32Array(new SharedArrayBuffer(8));
  const seen = [];
  Atomics.waitAsync = (...args) => { seen.push(args.slice(1)); return { async: false, value: 'timed-out' }; };
  try {
    assert.equal(waitAsync(i32, 1, 7), { async: false, value: 'timed-out' });
    assert.equal(seen, [[1, 7]]);
  } finally { delete Atomics.waitAsync; }
});

Poll.run();

// ---
const Exec = suite('an executor without Atomics.waitAsync, on the host and in its workers');

for (const workers of [0, 1, 2, 4]) {
  Exec(`workers: ${workers}: one-off tasks, spawn/join, a graph, a burst, and an async task cancelled through its signal`, async () => {
    const ex = await Executor.create({ workers, module: fixture });
    try {
      assert.is(ex.singleThreaded, workers === 0);
      assert.is(await within(ex.async(tasks.hasWaitAsync), 10_000, 'a task'), false, 'the worker runs without waitAsync too');
      assert.is(await within(ex.async(tasks.fib, 15), 10_000, 'fib(15)'), 610);
      const tf = new Taskflow('chain');
      const [a, b, c] = tf.emplace(() => 1, (x) => x + 1, (x) => x * 10);
      a.precede(b); b.precede(c);
      assert.is((await within(ex.run(tf), 10_000, 'a graph')).result(c), 20);
      // The pump sleeps between batches, waking through the poll: every result once, whatever the size.
      for (const n of [1, 10, 100, 1000, 5000]) {
        const got = await within(Promise.all(Array.from({ length: n }, (_, i) => ex.async(tasks.add, i, 1))), 20_000, `a burst of ${n}`);
        assert.is(got.reduce((s, v) => s + v, 0), n * (n + 1) / 2, `a burst of ${n}: every task settled once with its value`);
      }
      // Suspended, the task's worker sleeps through the poll; its signal is a watched token word.
      const started = ex.shared(Int32Array, 1);
      const token = new CancellationToken();
      const p = ex.submit(tasks.untilCancelledAsync, [started], { token });
      await within(new Promise((r) => { const look = () => (Atomics.load(started, 0) ? r() : setTimeout(look, 1)); look(); }), 10_000, 'the async task started');
      token.cancel('stop now');
      const e = await within(rejection(p), 10_000, 'a cancellation seen through the watched signal');
      assert.instance(e, CancelledError);
      assert.match(e.message, /stop now/);
    } finally {
      await within(ex.close(), 10_000, 'close');
    }
    assert.is(pollingWaits(), 0, 'a closed executor leaves no wait in the host thread\'s poll');
  });
}

Exec('the conformance subset passes with the host thread polling (2 workers and single-threaded)', async () => {
  for (const workers of [2, 0]) {
    const lines = [];
    const r = await within(conformance(bf, { tasksUrl: fixture.href, workers, log: (l) => lines.push(l) }), 30_000, `conformance at workers: ${workers}`);
    assert.equal(r.failures, [], lines.join('\n'));
    assert.is(r.passed, workers === 0 ? 7 : 8, lines.join('\n'));   // the single-threaded mode has no worker to lose
  }
});

Exec('the executor says once that it polls, naming the runtime and the docs section', () => {
  const lines = warned.filter((m) => m.includes('Atomics.waitAsync'));
  assert.equal(lines, ['beatflow: this runtime (node) has no Atomics.waitAsync: the host thread polls for finished work instead, which ' +
    'sees it up to 8 ms late after an idle spell (docs/platforms.md, "Without Atomics.waitAsync")']);
});

Exec.after(() => {
  console.warn = warn;
  Atomics.waitAsync = native;
});

Exec.run();
