// A worker that dies while running one of several helpers of a caller-driven call (src/algorithms/
// caller.ts) that waits for them: the call rejects with the crash, and no other helper's rejection goes
// unhandled (Node ends the process on one). (Once every helper handed its share back the call has its
// result, and a crash after that is ignored: algorithms-caller.test.mjs.) Several helpers need CPUs to spare besides the caller's, so this process reports
// 8 (os.availableParallelism, before beatflow is loaded).
import os from 'node:os';
import { syncBuiltinESMExports } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

os.availableParallelism = () => 8;
syncBuiltinESMExports();
const { engineOf } = await import('../build/src/engine/engine.js');
const { Executor, transform, WorkerCrashError } = await import('beatflow');
const { within } = await import('./helpers/executor.mjs');
const { phaseEnds } = await import('../build/src/algorithms/caller.js');

test("a helper's worker dies: the call rejects with the crash, nothing is left unhandled", async () => {
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  const ex = await Executor.create({ workers: 3, lingerMicroseconds: 0 });
  try {
    const N = 1 << 24;
    const a = ex.shared(Int16Array, N), out = ex.shared(Int16Array, N);
    for (let i = 0; i < N; i++) a[i] = (i % 200) - 100;
    const core = engineOf(ex, 'test').core;
    let killed = 0;
    for (let round = 0; round < 16 && killed < 2; round++) {
      const settling = phaseEnds.settled;
      const call = transform(ex, a, out, 'abs', { partitioner: 'static' });   // the caller's share runs before this returns
      const running = [0, 1, 2].filter((w) => core.runningOn(w).length > 0);
      // Too fast this time: nothing to kill, or every helper handed its share back within the caller's
      // poll, so the call has its result and a worker dying in a helper's last steps is no news to it.
      if (running.length < 2 || phaseEnds.settled === settling) { await call; continue; }
      void ex._killWorker(running[running.length - 1]);
      const e = await within(call.then(() => undefined, (err) => err), 10_000, 'the call settles');
      assert.instance(e, WorkerCrashError, `round ${round}: the call rejects with the crash`);
      killed++;
      await new Promise((r) => setTimeout(r, 300));                           // the replacement starts
    }
    assert.ok(killed > 0, 'a worker was killed while two helpers ran');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(unhandled, [], 'no unhandled rejection');
    for (let i = 0; i < N; i += 4099) out[i] = -1;
    await transform(ex, a, out, 'abs');
    for (let i = 0; i < N; i += 4099) assert.is(out[i], Math.abs(a[i]), 'the executor still works');
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await within(ex.close(), 10_000, 'close');
  }
});

test.run();
