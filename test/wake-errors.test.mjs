// An error thrown by the wake-up the host queues after a burst of submissions (engine/tasks.ts, a
// microtask that may start an elastic thread) is an uncaught exception, as a throw in queueMicrotask's
// callback is, not an unhandled rejection. Here the platform's spawnThread throws for every thread
// after the first (each test file is a process of its own: the platform stays installed).
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
    const spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end); return ms; };
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

S.run();
