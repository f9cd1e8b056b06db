// Semaphores under stress: random graphs over growing sizes (random edges, each task holding up to two of
// a pool of semaphores of 1 to 3 units), run twice each at 1, 2 and 4 workers, so that tasks park,
// wake, back off and are stolen. Every task must run exactly once per run, no semaphore may ever have
// more tasks inside than its units, and every unit must be back when the runs end.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, Semaphore } from 'beatflow';
import * as st from './fixtures/semaphore-tasks.mjs';
import { within } from './helpers/executor.mjs';
import { growing, SCALE } from './helpers/core.mjs';

const module = new URL('./fixtures/semaphore-tasks.mjs', import.meta.url);
const MAX = Math.max(121, Math.round(3000 * SCALE));

/** xorshift32: the same graphs on every run of the file. */
function rng(seed) {
  let x = seed | 1;
  return (k) => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % k; };
}

/** A random graph of n holder tasks over m semaphores, in ex's memory: the task flow and what to check. */
function randomGraph(ex, n, seed) {
  const rand = rng(seed);
  const m = Math.max(1, n >> 3);
  const R = ex.shared(Int32Array, n);
  const I = ex.shared(Int32Array, 2 * m + 1);
  const sems = Array.from({ length: m }, (_, k) => new Semaphore(1 + rand(3), `s${k}`));
  sems.forEach((s, k) => { I[m + k] = s.maxValue(); });
  const tf = new Taskflow(`random-${n}`);
  const ts = tf.emplace(Array.from({ length: n }, () => st.holder));
  ts.forEach((t, i) => {
    const mine = [...new Set(Array.from({ length: rand(3) }, () => rand(m)))];
    t.args(R, I, i, m, mine, 0.02);
    if (mine.length > 0) t.acquire(...mine.map((k) => sems[k])).release(...mine.map((k) => sems[k]));
    for (let e = rand(3); e > 0 && i > 0; e--) ts[rand(i)].precede(t);
  });
  return { tf, R, I, m, sems };
}

for (const workers of [1, 2, 4]) {
  const S = suite(`semaphores under stress (${workers} worker${workers > 1 ? 's' : ''})`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('random graphs over growing sizes: exactly once per run, never over a limit, every unit back', async ({ ex }) => {
    let sizes = 0;
    for (const n of growing(MAX)) {
      const { tf, R, I, m, sems } = randomGraph(ex, n, n * 7919 + workers);
      await within(ex.runN(tf, 2), 30_000, `n=${n}`);
      const wrong = R.findIndex((v) => v !== 2);
      assert.is(wrong, -1, `n=${n}: task ${wrong} ran ${R[wrong]} times, not twice`);
      assert.is(I[2 * m], 0, `n=${n}: a semaphore had more tasks inside than units`);
      const leaked = sems.findIndex((s) => s.value() !== s.maxValue());
      assert.is(leaked, -1, `n=${n}: a semaphore did not get every unit back`);
      await ex.release(tf);
      sizes++;
    }
    assert.ok(sizes >= 6, `${sizes} sizes`);
  });

  S.run();
}
