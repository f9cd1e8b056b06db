// An error thrown by the wake-up the host queues after a burst of submissions (engine/tasks.ts, a
// microtask that may start an elastic thread) is an uncaught exception, as a throw in queueMicrotask's
// callback is, not an unhandled rejection; and the elastic slot it was for is started by a later one.
// Each test installs a platform whose spawnThread throws for some threads, and puts Node's back.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, usePlatform } from '../build/src/index.js';
import { platform as node } from '../build/src/platform/node.js';

const S = suite('errors of the wake-up microtask');

S('a throwing spawnThread reaches uncaughtException, not unhandledRejection', async () => {
  const events = [];
  const onException = (e) => events.push(`uncaughtException: ${e.message}`);
  const onRejection = (e) => events.push(`unhandledRejection: ${e.message}`);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  let spawned = 0;
  usePlatform({ ...node, spawnThread: (o) => { if (++spawned > 1) throw new Error('no more threads'); return node.spawnThread(o); } });
  const ex = await Executor.create({ workers: 2, minWorkers: 1 });
  try {
    const results = await Promise.all(Array.from({ length: 20 }, () => ex.async(spin, 20)));
    assert.equal(results, Array(20).fill(20), 'the tasks ran on the one thread');
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(spawned > 1, 'an elastic thread was asked for');
    assert.equal([...new Set(events)], ['uncaughtException: no more threads']);
  } finally {
    await ex.close();
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
    usePlatform(node);
  }
});

const spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end); return ms; };

/**
 * body(ex, asked) on an executor of 2 slots, 1 permanent, whose platform refuses the thread asked for
 * second (asked.count counts the asks); the refusal's uncaught exception is swallowed, and Node's
 * platform put back after.
 */
async function refusedOnce(body) {
  const onException = () => {};
  process.on('uncaughtException', onException);
  const asked = { count: 0 };
  usePlatform({ ...node, spawnThread: (o) => { if (++asked.count === 2) throw new Error('not now'); return node.spawnThread(o); } });
  const ex = await Executor.create({ workers: 2, minWorkers: 1 });
  try {
    await body(ex, asked);
  } finally {
    await ex.close();
    process.off('uncaughtException', onException);
    usePlatform(node);
  }
}

S('an elastic slot whose thread the platform refused once starts at a later demand', () => refusedOnce(async (ex, asked) => {
  await Promise.all(Array.from({ length: 20 }, () => ex.async(spin, 20)));
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(asked.count >= 2, 'the elastic thread was asked for, and refused once');
  for (let round = 0; round < 20 && ex.lifecycle().started < 2; round++) {
    await Promise.all(Array.from({ length: 20 }, () => ex.async(spin, 5)));
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.is(ex.lifecycle().started, 2, 'a later burst started it');
}));

// The submission's own ask is refused by the platform (its one chance at submission time); the backlog
// on the one thread must still get the elastic thread (the pump asks again before it sleeps), not wait
// for the next burst.
S('a backlog that waits with every thread busy starts an elastic thread, with no later submission', () => refusedOnce(async (ex, asked) => {
  const results = await Promise.all(Array.from({ length: 40 }, () => ex.async(spin, 20)));
  assert.equal(results, Array(40).fill(20));
  assert.ok(asked.count >= 2, 'the submission asked for the elastic thread');
  assert.is(ex.lifecycle().started, 2, 'the backlog started it before it drained');
}));

S('a platform that refuses every elastic thread is reported by the wake-ups, not at every pump sleep', async () => {
  // The pump asks for a thread before each sleep (engine.ts #beforeSleep): a refusal there is the same
  // refusal the burst's wake-up reported. 100 tasks of one burst raised 100 uncaught exceptions.
  let n = 0;
  const onException = () => n++;
  process.on('uncaughtException', onException);
  let spawned = 0;
  usePlatform({ ...node, spawnThread: (o) => { if (++spawned > 1) throw new Error('no more threads'); return node.spawnThread(o); } });
  const ex = await Executor.create({ workers: 2, minWorkers: 1 });
  try {
    const spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end); return ms; };
    await Promise.all(Array.from({ length: 100 }, () => ex.async(spin, 5)));
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(spawned > 2, 'the pump asked again');
    assert.ok(n >= 1 && n <= 2, `the refusal reported by the wake-up and at most once by the pump (${n})`);
  } finally {
    await ex.close();
    process.off('uncaughtException', onException);
    usePlatform(node);
  }
});

S.run();
