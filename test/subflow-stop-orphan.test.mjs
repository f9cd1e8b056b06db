// A fork-join child that fails on another worker marks its spawner's record (src/worker/fork-stop.ts).
// When the spawner's worker died, the child is an orphan (src/engine/recovery.ts) and the spawner's slot
// is freed, and soon given to another task: the orphan's failure must not mark that task, whose own
// subflow would then stop (its jobs see ctx.cancelled, the join throws) with none of its tasks failed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, WorkerCrashError } from 'beatflow';
import * as t from './fixtures/fork-stop-orphan.mjs';
import { within } from './helpers/executor.mjs';

const module = new URL('./fixtures/fork-stop-orphan.mjs', import.meta.url);
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

test('an orphaned fork-join child that fails stops no later task\'s subflow', async () => {
  let tries = 0;
  for (let i = 0; i < 8 && tries < 2; i++) {
    const ex = await Executor.create({ workers: 2, module, learning: false });
    try {
      const gate = ex.shared(Int32Array, t.GATE_WORDS);
      const victim = ex.async(t.spawner, gate).then(() => undefined, (e) => e);
      const end = Date.now() + 3000;
      while (Atomics.load(gate, t.STOLEN) === 0 && Date.now() < end) await sleep(1);
      if (Atomics.load(gate, t.STOLEN) === 0) continue;   // the child ran on the spawner's worker: says nothing
      tries++;
      await ex._killWorker(Atomics.load(gate, t.STOLEN) - 1);
      assert.instance(await within(victim, 10_000, 'spawner'), WorkerCrashError);
      const r = await within(ex.async(t.afterwards, gate), 20_000, 'afterwards');
      assert.is(Atomics.load(gate, t.FAILED), 1, 'the orphan failed');
      assert.equal(r, ['later', 'later'], `the later subflow ran (gate ${[...gate]})`);
      assert.is(Atomics.load(gate, t.SAW), 0, 'no job of it saw ctx.cancelled');
    } finally {
      await ex.destroy();
    }
  }
  assert.ok(tries > 0, 'a try where the child ran on another worker');
});

test.run();
