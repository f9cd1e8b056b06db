// Semaphores on graph tasks (task.acquire / task.release, docs/graphs.md "Semaphores") at 1, 2 and 4
// workers: a semaphore of n units never lets more than n of its tasks in at once and lets n in when it
// can; a conflict graph keeps A apart from B and C while B and C overlap; module, condition, async and
// subflow-building tasks acquire too; a row of 10,000 tasks whose neighbours share a semaphore runs each
// task exactly once; repeated runs reuse the units. Every run ends with value() back at maxValue().
// The tasks (fixtures/semaphore-tasks.mjs) record overlaps in shared memory; no assertion is timed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, Semaphore } from 'beatflow';
import * as st from './fixtures/semaphore-tasks.mjs';
import { within } from './helpers/executor.mjs';

const module = new URL('./fixtures/semaphore-tasks.mjs', import.meta.url);
/** How long a task waits for others to come in before it gives up (a failed claim, never a hang). */
const BOUND = 10_000;
const RUN_MS = 30_000;

for (const workers of [1, 2, 4]) {
  const S = suite(`semaphores (${workers} worker${workers > 1 ? 's' : ''})`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('n units: never more than n tasks inside at once, and n when the workers allow', async ({ ex }) => {
    for (const n of [1, 2, 3]) {
      const W = ex.shared(Int32Array, 4);
      const sem = new Semaphore(n, `units${n}`);
      const tf = new Taskflow(`limit-${n}`);
      const want = Math.min(n, workers);
      for (const t of tf.emplace(Array.from({ length: 24 }, () => st.probe))) t.args(W, 0, want, BOUND, 1).acquire(sem).release(sem);
      await within(ex.run(tf), RUN_MS, `n=${n}`);
      assert.is(W[2], 24, `n=${n}: every task ran once`);
      assert.ok(W[1] <= n, `n=${n}: at most ${n} inside at once (saw ${W[1]})`);
      assert.is(W[1], want, `n=${n}: ${want} inside at once`);
      assert.is(sem.value(), n, `n=${n}: every unit back after the run`);
    }
  });

  S('a conflict graph: A overlaps neither B nor C; B and C overlap with two workers', async ({ ex }) => {
    const meet = workers > 1;
    let met = 0;
    for (let round = 0; round < 12; round++) {
      const W = ex.shared(Int32Array, 4);
      const ab = new Semaphore(1, 'ab'), ac = new Semaphore(1, 'ac');
      const tf = new Taskflow('conflict');
      // Insertion order rotates, so A comes first, second or last among the sources.
      const order = [0, 1, 2].map((k) => (k + round) % 3);
      const tasks = [];
      for (const k of order) tasks[k] = tf.emplace(st.conflict).args(W, k, meet, BOUND, 1).name('ABC'[k]);
      tasks[0].acquire(ab, ac).release(ab, ac);
      tasks[1].acquire(ab).release(ab);
      tasks[2].acquire(ac).release(ac);
      await within(ex.run(tf), RUN_MS, `round ${round}`);
      assert.is(W[1], 0, `round ${round}: A never overlapped B or C`);
      met += W[2];
      assert.is([ab.value(), ac.value()].join(), '1,1', `round ${round}: units back`);
    }
    if (meet) assert.is(met, 12, 'B and C were inside together in every round');
  });

  S('semaphores on module tasks: a module holds the unit from its first task to its last', async ({ ex }) => {
    const W = ex.shared(Int32Array, 10);
    const lock = new Semaphore(1, 'lock');
    const inner = [0, 1].map((g) => {
      const m = new Taskflow(`inner${g}`);
      const [a, b, c] = m.emplace(st.exclusive, st.exclusive, st.exclusive);
      for (const t of [a, b, c]) t.args(W, g, 3, 1);
      a.precede(c); b.precede(c);
      return m;
    });
    const tf = new Taskflow('modules');
    const m0 = tf.composedOf(inner[0]).acquire(lock).release(lock);
    const m1 = tf.composedOf(inner[1]).acquire(lock).release(lock);
    const x = tf.emplace(st.exclusive).args(W, 2, 3, 2).acquire(lock).release(lock);
    assert.ok(m0 && m1 && x);
    for (let r = 1; r <= 4; r++) {
      await within(ex.run(tf), RUN_MS, `run ${r}`);
      assert.is(W[9], 7 * r, `run ${r}: every task ran once`);
    }
    assert.is(W[8], 0, 'no task of one module overlapped the other module or the lone task');
    assert.is(lock.value(), 1);
  });

  S('a row of 10,000 tasks, neighbours sharing a one-unit semaphore: each runs once, never beside a neighbour', async ({ ex }) => {
    const n = 10_000;
    for (const linked of [false, true]) {
      const R = ex.shared(Int32Array, 2 * n + 1);
      const sems = Array.from({ length: n - 1 }, (_, i) => new Semaphore(1, `pair${i}`));
      const tf = new Taskflow(linked ? 'chain' : 'row');
      const ts = tf.emplace(Array.from({ length: n }, () => st.neighbour));
      ts.forEach((t, i) => {
        t.args(R, i, n);
        const mine = [sems[i - 1], sems[i]].filter(Boolean);
        t.acquire(...mine).release(...mine);
      });
      if (linked) tf.linearize(ts);
      await within(ex.run(tf), RUN_MS, linked ? 'chain' : 'row');
      const runs = R.subarray(n, 2 * n);
      assert.is(runs.every((v) => v === 1), true, `${tf.name}: every task ran exactly once`);
      assert.is(R[2 * n], 0, `${tf.name}: no task ran beside a neighbour`);
      assert.is(sems.every((s) => s.value() === 1), true, `${tf.name}: every unit back`);
    }
  });

  S('two taskflows running at once share a semaphore: their tasks never overlap', async ({ ex }) => {
    const W = ex.shared(Int32Array, 10);
    const lock = new Semaphore(1, 'shared');
    const flows = [0, 1].map((g) => {
      const tf = new Taskflow(`flow${g}`);
      for (const t of tf.emplace(Array.from({ length: 6 }, () => st.exclusive))) t.args(W, g, 2, 1).acquire(lock).release(lock);
      return tf;
    });
    await within(Promise.all(flows.map((tf) => ex.runN(tf, 3))), RUN_MS, 'both');
    assert.is(W[9], 36, 'every task ran three times');
    assert.is(W[8], 0, 'no task of one taskflow ran beside one of the other');
    assert.is(lock.value(), 1);
  });

  S('runN reuses the units: each run takes and gives them back', async ({ ex }) => {
    const W = ex.shared(Int32Array, 4);
    const sem = new Semaphore(2);
    const tf = new Taskflow('again');
    for (const t of tf.emplace(Array.from({ length: 8 }, () => st.probe))) t.args(W, 0, 0, 0).acquire(sem).release(sem);
    await within(ex.runN(tf, 25), RUN_MS, 'runN');
    assert.is(W[2], 200);
    assert.ok(W[1] <= 2, `at most 2 inside (saw ${W[1]})`);
    assert.is(sem.value(), 2);
  });

  S('a condition task acquires in a loop; a unit taken on a branch that never releases comes back at the end', async ({ ex }) => {
    const W = ex.shared(Int32Array, 16);
    const sem = new Semaphore(1, 'loop');
    const tf = new Taskflow('loop');
    const init = tf.emplace(() => 0);
    const body = tf.emplace(st.probe).args(W, 0, 0, 0).acquire(sem).release(sem);
    const again = tf.condition((S) => (Atomics.add(S, 12, 1) < 9 ? 0 : 1)).args(W).acquire(sem).release(sem);
    const span = new Semaphore(1, 'span');
    const open = tf.emplace(st.probe).args(W, 1, 0, 0).acquire(span);
    const never = tf.emplace(st.probe).args(W, 2, 0, 0).release(span);   // chosen by nothing: its release never runs
    init.precede(body); body.precede(again); again.precede(body, open);
    const pick = tf.condition(() => 5);   // out of range: runs nothing
    pick.precede(never);
    await within(ex.run(tf), RUN_MS, 'loop');
    assert.is(W[2], 10, 'the body ran ten times');
    assert.is(W[6], 1, 'the task after the loop ran');
    assert.is(W[10], 0, 'the releasing task never ran');
    assert.is(sem.value(), 1);
    assert.is(span.value(), 1, 'the unit the run still held came back when it ended');
  });

  S('async tasks hold their unit across their awaits', async ({ ex }) => {
    const W = ex.shared(Int32Array, 10);
    const sem = new Semaphore(1, 'io');
    const tf = new Taskflow('async');
    for (let g = 0; g < 4; g++) tf.emplace(st.slowExclusive).args(W, g, 4, 5).acquire(sem).release(sem);
    await within(ex.run(tf), RUN_MS, 'async');
    assert.is(W[9], 4);
    assert.is(W[8], 0, 'no two overlapped, awaits included');
    assert.is(sem.value(), 1);
  });

  S('a task that builds a subflow holds its unit until the subflow joined', async ({ ex }) => {
    const W = ex.shared(Int32Array, 10);
    const sem = new Semaphore(1, 'sf');
    const tf = new Taskflow('subflows');
    tf.emplace(st.subflowOf).args(W, 0, 3, 4, 1).acquire(sem).release(sem);
    tf.emplace(st.subflowOf).args(W, 1, 3, 4, 1).acquire(sem).release(sem);
    tf.emplace(st.exclusive).args(W, 2, 3, 2).acquire(sem).release(sem);
    await within(ex.run(tf), RUN_MS, 'subflows');
    assert.is(W[9], 9);
    assert.is(W[8], 0, 'no subflow task overlapped a task of the other holders');
    assert.is(sem.value(), 1);
  });

  S.run();
}
