// Dependent async tasks when a worker dies: a host dependent that crashed fails its dependents with the
// crash error, and a task that made dependents and died leaves them to run; every slot comes back.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, WorkerCrashError } from 'beatflow';
import * as t from './fixtures/lifecycle-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/lifecycle-tasks.mjs', import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until ex holds `n` live task slots, failing after ms. */
async function liveBack(ex, n, ms, label) {
  const end = Date.now() + ms;
  while (ex.stats().liveTasks !== n) {
    if (Date.now() > end) throw new Error(`${label}: ${ex.stats().liveTasks} live task slots, expected ${n}`);
    await sleep(5);
  }
}

const S = suite('dependent async tasks and crashed workers');

for (const workers of [1, 2]) {
  S(`${workers} worker(s): a dependent whose worker died fails with the crash, and so do its dependents`, async () => {
    const ex = await Executor.create({ workers, module });
    try {
      const a = ex.dependentAsync(t.inc, { args: [1] });
      const dead = ex.dependentAsync(t.exit, { args: [9], deps: [a] });
      const after = ex.dependentAsync(t.inc, dead);
      const e = await rejection(within(after.done, 20_000, 'after'));
      assert.instance(e, WorkerCrashError);
      assert.match(e.message, /exited with code 9 while running task 'exit'/);
      assert.is(await rejection(dead.done), e, 'the same error object down the chain');
      assert.is(await a.done, 2);
      assert.is(await ex.dependentAsync(t.inc, { args: [41] }).done, 42, 'the replacement runs the next one');
      await liveBack(ex, 0, 5000, 'after the crash');
    } finally {
      await ex.close();
    }
  });

  S(`${workers} worker(s): dependents made by a task whose worker died still run, once each, and are freed`, async () => {
    const ex = await Executor.create({ workers, module });
    try {
      const ran = ex.shared(Int32Array, 64);
      const e = await rejection(within(ex.async(function (ran, code) {
        let prev;
        for (let i = 0; i < 64; i++) {
          const spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end); };
          prev = this.dependentAsync((r, i) => { Atomics.add(r, i, 1); }, { args: [ran, i], deps: prev ? [prev] : [] });
          if (i === 0) spin(1);
        }
        process.exit(code);
      }, ran, 5), 20_000, 'maker'));
      assert.instance(e, WorkerCrashError);
      await liveBack(ex, 0, 10_000, 'the dead task\'s dependents');
      assert.ok(ran.every((c) => c === 1), `each ran once: ${[...ran].join('')}`);
      ex.free(ran);
    } finally {
      await ex.close();
    }
  });
}

S.run();
