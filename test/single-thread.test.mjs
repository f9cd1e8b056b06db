// The single-threaded mode (docs/platforms.md, "Single-threaded mode"): workers: 0, or a host without
// threads, runs the one worker on the host thread in slices that yield to the event loop. The same
// conformance subset as every runtime lane, then what only this mode has to show: the thread stays
// responsive during a long graph, cancellation and errors, closing, a join that could never finish, and
// the diagnostic when a platform says it cannot run threads.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { Executor, Taskflow, CancellationToken, CancelledError, Pipeline, Pipe } from 'beatflow';
import { usePlatform } from '../build/src/platform/current.js';
import { platform as nodePlatform } from '../build/src/platform/node.js';
import { conformance } from './conformance/suite.js';
import { fixtures, rejection, within } from './helpers/executor.mjs';

const S = suite('single-threaded mode');
const busy = (ms) => { const end = performance.now() + ms; while (performance.now() < end); };

S('the conformance subset passes at workers: 0', async () => {
  const lines = [];
  const r = await within(conformance({ Executor, Taskflow, CancellationToken, CancelledError, ...(await import('beatflow')) },
    { tasksUrl: new URL('./conformance/tasks.js', import.meta.url).href, workers: 0, log: (l) => lines.push(l) }), 30_000, 'conformance');
  assert.equal(r.failures, []);
  assert.is(r.passed, 7, lines.join('\n'));
  assert.is(r.failed, 0);
  assert.equal(r.skipped, ['a worker that dies (single-threaded: no worker thread)']);
});

S('one worker slot, on this thread', async () => {
  const ex = await Executor.create({ workers: 0, module: fixtures });
  try {
    assert.is(ex.singleThreaded, true);
    assert.is(ex.workers, 1);
    const { threadId } = await import('node:worker_threads');
    assert.is(await ex.async(() => (globalThis.process ? 'host' : 'other')), 'host');
    assert.is(threadId, 0);
    const many = await Promise.all(Array.from({ length: 5000 }, (_, i) => ex.async((a) => a + 1, i)));
    assert.is(many.reduce((s, v) => s + v, 0), 5000 * 5001 / 2);
  } finally { await ex.close(); }
  const multi = await Executor.create({ workers: 1 });
  assert.is(multi.singleThreaded, false);
  await multi.close();
});

S('a setTimeout(0) on the same thread fires within a bounded time during a long graph', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    // 20 layers of 50 tasks of 0.4 ms each (about 400 ms of work), each layer waiting for the last.
    const tf = new Taskflow('long');
    let prev = [];
    for (let l = 0; l < 20; l++) {
      const layer = Array.from({ length: 50 }, () => tf.emplace(() => { const e = performance.now() + 0.4; while (performance.now() < e); }));
      for (const p of prev) p.precede(...layer);
      prev = [tf.emplace(() => {})];
      for (const t of layer) t.precede(prev[0]);
    }
    const lat = [];
    let done = false;
    const run = ex.run(tf).finally(() => { done = true; });
    while (!done) {
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 0));
      lat.push(performance.now() - t0);
    }
    await run;
    lat.sort((a, b) => a - b);
    const median = lat[lat.length >> 1], max = lat[lat.length - 1];
    console.log(`  setTimeout(0) during a ~400 ms graph: ${lat.length} turns, median ${median.toFixed(2)} ms, max ${max.toFixed(2)} ms`);
    assert.ok(lat.length >= 20, `the timer fired only ${lat.length} times`);
    assert.ok(max < 200, `a timer waited ${max.toFixed(1)} ms`);
  } finally { await ex.close(); }
});

S('tiny tasks, whose clock reads are spaced out, still end their slices: timers fire during one run', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    // One run of 100 000 tasks of a few µs each (hundreds of slices): the worker reads the clock only
    // every few tasks. A worker that never ended a slice would give the timer no turn until the end.
    const tf = new Taskflow('tiny');
    tf.emplace(Array(100_000).fill((n) => { let x = 0; for (let i = 0; i < n; i++) x += Math.sqrt(i); return x; })).forEach((t) => t.args(500));
    await ex.run(tf);   // laid out and warm
    let turns = 0, done = false;
    const t0 = performance.now();
    const run = ex.run(tf).finally(() => { done = true; });
    while (!done) { await new Promise((r) => setTimeout(r, 0)); turns++; }
    await run;
    console.log(`  setTimeout(0) turns during one run of 100 000 tiny tasks (${(performance.now() - t0).toFixed(0)} ms): ${turns}`);
    assert.ok(turns >= 10, `the timer fired ${turns} times: the slices did not end`);
  } finally { await ex.close(); }
});

S('errors keep their class and task name; a failed graph task rejects its run', async () => {
  const ex = await Executor.create({ workers: 0, module: fixtures });
  try {
    const tasks = await import(fixtures.href);
    const e = await rejection(ex.async(tasks.boom, 'bad'));
    assert.ok(e instanceof TypeError);
    assert.is(e.task, 'boom');
    const tf = new Taskflow('fails');
    const [a, b] = tf.emplace(() => 1, () => { throw new RangeError('no'); });
    b.name('thrower');
    a.precede(b);
    const r = await rejection(ex.run(tf));
    assert.ok(r instanceof RangeError, String(r));
    assert.is(r.task, 'thrower');
    assert.is(await ex.async(tasks.add, 1, 2), 3, 'the executor goes on');
  } finally { await ex.close(); }
});

S('cancellation: a run in an endless loop, a queued task, an async task', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    const tf = new Taskflow('forever');
    const [start, step] = tf.emplace(() => {}, () => {});
    const again = tf.condition(() => 0);
    start.precede(step); step.precede(again); again.precede(step);
    const run = ex.run(tf);
    setTimeout(() => run.cancel('enough'), 30);
    const e = await within(rejection(run), 5000, 'cancelled run');
    assert.ok(e instanceof CancelledError, String(e));
    const token = new CancellationToken();
    token.cancel('before it ran');
    assert.ok((await rejection(ex.submit(() => 1, [], { token }))) instanceof CancelledError);
    const t2 = new CancellationToken();
    const p = ex.submit(async function () {
      const signal = this.signal;
      while (!signal.aborted) await new Promise((r) => setTimeout(r, 1));
      throw signal.reason;
    }, [], { token: t2 });
    setTimeout(() => t2.cancel('stop'), 10);
    const e2 = await within(rejection(p), 5000, 'async task');
    assert.ok(e2 instanceof CancelledError && /stop/.test(e2.message), String(e2));
  } finally { await ex.close(); }
});

S('a pipeline runs with worker and host stages', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    let total = 0;
    const pl = new Pipeline({ lines: 4 }, Pipe.parallel((s) => s.split(',').map(Number)), Pipe.parallel(([a, b]) => Math.hypot(a, b)),
      Pipe.serial((c) => (total += c), { on: 'host' }));
    assert.equal(await pl.run(ex, ['3,4', '5,12', '8,15', '7,24']), { tokens: 4 });
    assert.is(total, 60);
  } finally { await ex.close(); }
});

S('a join that only a promise could finish fails instead of blocking the thread', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    // The parent awaits; meanwhile the worker runs its child, which suspends on a promise of its own.
    const e = await within(rejection(ex.async(async function () {
      const c = this.spawn(async () => { await new Promise((r) => setTimeout(r, 50)); return 1; });
      await new Promise((r) => setTimeout(r, 5));
      return this.join(c);
    })), 5000, 'join');
    assert.match(e.message, /cannot finish while this task waits for it in the single-threaded mode/);
    assert.is(await ex.async(() => 7), 7, 'the executor goes on');
  } finally { await ex.close(); }
});

S('close() ends it, and an idle executor never closed does not hold the process', async () => {
  const ex = await Executor.create({ workers: 0 });
  assert.is(await ex.async(() => 1), 1);
  await within(ex.close(), 5000, 'close');
  await rejection(ex.async(() => 1));
  const code = `import { Executor } from 'beatflow'; const ex = await Executor.create({ workers: 0 }); console.log(await ex.async((a) => a * 2, 21));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: new URL('..', import.meta.url), timeout: 20_000, encoding: 'utf8' });
  assert.is(r.stdout.trim(), '42', r.stderr);
  assert.is(r.status, 0, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
});

S('a platform without threads gets the mode whatever workers says, with one console line', async () => {
  const warned = [];
  const warn = console.warn;
  console.warn = (m) => warned.push(String(m));
  usePlatform({ ...nodePlatform, check: () => 'this test runtime has no worker threads' });
  try {
    const ex = await Executor.create({ workers: 2 });
    assert.is(ex.singleThreaded, true);
    assert.is(await ex.async((a) => a + 1, 1), 2);
    await ex.close();
    assert.equal(warned, ['beatflow: running single-threaded: this test runtime has no worker threads. Tasks run on this thread ' +
      'in slices that yield to the event loop (docs/platforms.md, "Single-threaded mode"); pass workers: 0 to choose this mode and silence this line']);
    warned.length = 0;
    await (await Executor.create({ workers: 0 })).close();
    assert.equal(warned, [], 'workers: 0 asked for it: no line');
  } finally {
    usePlatform(nodePlatform);
    console.warn = warn;
  }
});

S.run();
