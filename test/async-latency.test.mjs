// Async tasks overlapping on one worker (src/worker/main.ts loop and requeue, run.ts resume).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import * as r from './fixtures/edge-tasks.mjs';
import { within } from './helpers/executor.mjs';

const module = new URL('./fixtures/edge-tasks.mjs', import.meta.url);
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

const S = suite('async tasks on one worker');

// worker.ts loop: with suspended tasks, the worker yields to the event loop only every 64th task
// ((++ran & 63) === 0), so with long tasks a settled promise waits up to 64 tasks, not "about once a
// millisecond" as the comment above AWAIT_CAP says.
S('a settled async task resumes after the task in progress, not 64 tasks later', async () => {
  const ex = await Executor.create({ workers: 1, module });
  try {
    const t0 = performance.now();
    const asyncDone = ex.async(r.later, 5, 'x').then(() => performance.now() - t0);
    await sleep(5);
    const busy = [];
    for (let i = 0; i < 30; i++) busy.push(ex.async(r.busy, 20));
    const at = await within(asyncDone, 10_000, 'async');
    await Promise.all(busy);
    assert.ok(at < 200, `the 5 ms async task settled after ${at.toFixed(0)} ms (30 × 20 ms tasks queued)`);
  } finally {
    await ex.destroy();
  }
});

S.run();
