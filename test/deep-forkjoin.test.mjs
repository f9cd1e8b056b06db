// Fork-join nested deeper than a worker's stack holds (src/worker/stack.ts): the deep task rejects with a
// RangeError naming it and the depth, every level's child is freed, and the executor goes on. Through
// spawn/join and both shapes of subflow, on the default stack, on a 1 MiB one (resourceLimits.stackSizeMb)
// and on 2 workers (the chain spread over both stacks).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow } from 'beatflow';
import * as deep from './fixtures/deep-tasks.mjs';
import { within, rejection, retired } from './helpers/executor.mjs';

const module = new URL('./fixtures/deep-tasks.mjs', import.meta.url);
/** Deeper than any stack here holds (a one-line level takes about 1.2 KiB; 4 MiB is the default). */
const TOO_DEEP = 20_000;

/** A graph run and a one-off task still work (the graph's slots given back: the counts compared stay exact). */
async function stillWorks(ex) {
  assert.is(await within(ex.async((a) => a + 1, 1), 5000, 'async after'), 2);
  const tf = new Taskflow('after');
  const [a, b] = tf.emplace(() => 20, (x) => x + 1);
  a.precede(b);
  assert.is((await within(ex.run(tf), 5000, 'graph run after')).result(b), 21);
  await ex.release(tf);
}

const configs = [
  { label: 'default stack', options: { workers: 1 }, fits: 2000 },
  { label: 'resourceLimits.stackSizeMb 1', options: { workers: 1, resourceLimits: { stackSizeMb: 1 } }, fits: 300 },
  { label: '2 workers', options: { workers: 2 }, fits: 2000 },
];

/** A hang fails the test in this time (a healthy rejection from 20,000 deep takes well under a second). */
const LIMIT_MS = 8000;

for (const { label, options, fits } of configs) {
  const D = suite(`deep fork-join (${label})`);
  // An executor per test: one that hung is destroyed, and the next test starts clean.
  D.before.each(async (ctx) => { ctx.ex = await Executor.create({ ...options, module, maxSubflows: 1 << 15 }); });
  D.after.each(async (ctx) => {
    try { await within(ctx.ex.close(), 5000, 'close'); } catch (e) { ctx.ex.destroy(); throw e; }
  });

  D(`nesting ${fits} deep, below the bound, gives exact results`, async ({ ex }) => {
    assert.is(await within(ex.async(deep.deep, fits), LIMIT_MS, `deep ${fits}`), fits);
    assert.is(await within(ex.async(deep.deepFlatSubflow, fits), LIMIT_MS, `flat subflows ${fits}`), fits);
    assert.is(await within(ex.async(deep.deepSubflow, fits / 2), LIMIT_MS, `subflows ${fits / 2}`), fits / 2);
    await retired(ex);
  });

  D(`${TOO_DEEP} deep (spawn/join, flat and graph-shaped subflows) rejects with a RangeError naming the task and the depth; nothing leaks; the executor goes on`, async ({ ex }) => {
    for (const fn of ['deep', 'deepFlatSubflow', 'deepSubflow']) {
      await ex.async(deep[fn], 3);   // registers the functions: the heap compared below already holds them
      await stillWorks(ex);
      const before = ex.stats();
      const e = await rejection(within(ex.async(deep[fn], TOO_DEEP), LIMIT_MS, `${fn} ${TOO_DEEP}`));
      assert.instance(e, RangeError);
      const m = /^beatflow: (ctx\.spawn\(\)|ctx\.join\(\)|subflow '\w+': join\(\)) in task '(\w+)', (\d+) tasks deep on worker (\d+): less than 64 KiB/.exec(e.message);
      assert.ok(m, `${fn}: the message names the call, the task and the depth: ${e.message}`);
      assert.is(m[2], fn);
      assert.ok(Number(m[3]) >= 64 && Number(m[3]) < TOO_DEEP, `${fn}: depth ${m[3]}`);
      assert.match(e.message, /resourceLimits: \{ stackSizeMb \}/);
      await retired(ex);
      const after = ex.stats();
      assert.is(after.liveTasks, before.liveTasks, `${fn}: every child slot was freed`);
      assert.is(after.heapBytes, before.heapBytes, `${fn}: every block was freed`);
      await stillWorks(ex);
    }
  });

  D('a task can catch the refusal and finish otherwise: nothing was started', async ({ ex }) => {
    await ex.async(deep.deepOrLoop, 3);
    const before = ex.stats();
    assert.is(await within(ex.async(deep.deepOrLoop, TOO_DEEP), LIMIT_MS, 'deepOrLoop'), TOO_DEEP);
    await retired(ex);
    assert.is(ex.stats().heapBytes, before.heapBytes);
    await stillWorks(ex);
  });

  D.run();
}
