// Workers around a caller-driven algorithm call never take more CPUs than the call needs. A lingering
// worker spins for the host's linger word only while the spinners and the workers running a task fit
// in maxSpinners (at most CPUs − 1: the host keeps one; assembly/worker.ts lingerRounds), and a call
// after a pause wakes one worker per helper (src/algorithms/caller.ts, Engine.wake). This process
// reports 2 CPUs (os.availableParallelism, before beatflow is loaded), so with 2 workers maxSpinners is
// 1 and a call gets one helper on any machine.
import os from 'node:os';
import { syncBuiltinESMExports } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

os.availableParallelism = () => 2;
syncBuiltinESMExports();
const { engineOf } = await import('../build/src/engine/engine.js');
const { Executor } = await import('beatflow');
const { fixtures, within } = await import('./helpers/executor.mjs');
const tasks = await import('./fixtures/tasks.mjs');

/** The workers parked now (the header's sleepers word). */
const sleepersOf = (core) => () => Atomics.load(core.i32, (core.L.header + core.L.H_sleepers) >> 2);
/** Resolves once ok() holds, polled every 5 ms; fails after 2 s naming `what`. */
const until = (ok, what) => within((async () => { while (!ok()) await new Promise((r) => setTimeout(r, 5)); })(), 2000, what);

test('a worker lingers unless that would make more busy threads than CPUs: the host while it runs its share, the workers in tasks', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures });
  const core = engineOf(ex, 'test').core;
  try {
    const sleepers = sleepersOf(core);
    const running = () => [0, 1].filter((w) => core.runningOn(w).length > 0).length;
    const lingers = async (what) => {   // a worker stays awake: the word asks for rounds that take minutes
      await until(() => sleepers() < 2 - running(), what);
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(sleepers() < 2 - running(), `${what}, and stays awake`);
    };
    await ex.async(tasks.noop);
    await until(() => sleepers() === 2, 'both workers park at first');
    const long = ex.async(tasks.spin, 4000);
    await until(() => running() === 1, 'one worker runs the long task');
    core.x.setLinger(0x7fffffff);            // a call in flight, rounds that would take minutes
    core.x.setHostBusy(1);                   // … whose caller runs its share
    await ex.async(tasks.noop);              // the other worker wakes, runs it, and searches
    await until(() => sleepers() === 1, 'the other parks: lingering would make three busy threads on two CPUs');
    assert.is(running(), 1, 'while the long task still runs');
    core.x.setHostBusy(0);                   // a call driven by a task: the host only waits
    await ex.async(tasks.noop);
    await lingers('with the host idle, the other lingers beside the long task');
    assert.is(running(), 1, 'which still runs');
    assert.is(await long, 4000);
    core.x.setHostBusy(1);
    await ex.async(tasks.noop);              // nobody runs a task now: one lingers beside the busy host
    await lingers('a worker lingers when no other runs a task');
    core.x.setLinger(0);
    await until(() => sleepers() === 2, 'and parks once the word is cleared');
  } finally {
    core.x.setLinger(0);
    core.x.setHostBusy(0);
    await ex.close();
  }
});

test('a worker back from its park does not linger in the search that follows; one that found work does', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures });
  const core = engineOf(ex, 'test').core;
  try {
    const sleepers = sleepersOf(core);
    await ex.async(tasks.noop);
    await until(() => sleepers() === 2, 'both workers park at first');
    core.x.setLinger(0x7fffffff);            // rounds that would take minutes; the host is not busy
    assert.ok(core.x.wakeOne(), 'a parked worker is woken, with no work for it');
    await until(() => sleepers() === 2, 'it parks again after its spin: it does not linger for a waker that has pushed nothing');
    await ex.async(tasks.noop);              // a worker wakes, runs it, and searches again
    await new Promise((r) => setTimeout(r, 100));
    assert.is(sleepers(), 1, 'the worker that ran a task lingers');
  } finally {
    core.x.setLinger(0);
    await ex.close();
  }
});

test('a wake for work skips a worker that is awake and idle: only parked workers the idle ones do not cover are woken', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures });
  const engine = engineOf(ex, 'test'), core = engine.core;
  try {
    const sleepers = sleepersOf(core);
    await ex.async(tasks.noop);
    await until(() => sleepers() === 2, 'both workers park at first');
    core.x.setLinger(0x7fffffff);            // a worker that runs a task lingers after it, for minutes
    await ex.async(tasks.noop);
    await until(() => sleepers() === 1, 'one worker lingers');
    const wakeups = () => ex.stats().workers.reduce((sum, w) => sum + w.wakeups, 0);
    const before = wakeups();
    engine.wake({ count: 1 });               // one helper to come: the lingering worker covers it
    await new Promise((r) => setTimeout(r, 50));
    assert.is(sleepers(), 1, 'the parked worker is not woken');
    assert.is(wakeups(), before, 'nobody woken');
    engine.wake({ count: 2 });               // two: the parked one is woken for the second (and, finding none, parks again)
    await until(() => wakeups() === before + 1, 'the parked worker is woken for the helper the other does not cover');
  } finally {
    core.x.setLinger(0);
    await ex.close();
  }
});

test('a call after a pause wakes one worker for its one helper, not a second for the same helper', async () => {
  const { transform } = await import('beatflow');
  const ex = await Executor.create({ workers: 2, lingerMicroseconds: 20_000 });
  const core = engineOf(ex, 'test').core;
  try {
    const sleepers = sleepersOf(core);
    const parked = () => within((async () => { while (sleepers() < 2) await new Promise((r) => setTimeout(r, 2)); })(), 2000, 'both workers park');
    const wakeups = () => ex.stats().workers.reduce((sum, w) => sum + w.wakeups, 0);
    const N = 1 << 22;   // past CALLER_ALONE_NS: one helper (2 CPUs: one besides the caller)
    const a = ex.shared(Float32Array, N).fill(1), out = ex.shared(Float32Array, N);
    await transform(ex, a, out, 'abs');
    const woke = [];
    for (let k = 0; k < 8; k++) {
      await parked();
      const before = wakeups();
      await transform(ex, a, out, 'abs');
      await parked();
      woke.push(wakeups() - before);
    }
    // one wake-up per call; two where the worker woken as the call started (a worker back from its park
    // spins its spinIters for the helper, no linger) parked again before the helper was pushed, and the
    // wake after the push woke one again. Never three: each wake is for a helper no awake worker covers
    // (the test above holds the wake to that rule).
    assert.ok(woke.every((w) => w === 1 || w === 2), `workers woken per call: ${woke}`);
  } finally {
    await ex.close();
  }
});

test.run();
