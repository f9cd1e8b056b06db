// Predictive inlining of spawned children (src/policy/inlining.ts, src/worker/forecast.ts, lazy.ts): the
// policy's tables; exactly-once over growing trees with thieves at 1, 2 and 4 workers; every call is a
// task or an inline child; and children run inline give what jobs give (the plain twin, learning off):
// results, copies, errors with their class, name and properties, refusals, cancellation, suspension,
// deep recursion.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow } from 'beatflow';
import { INLINING, Zone, zoneOf, runsInline, sampleGap } from '../build/src/policy/inlining.js';
import * as t from './fixtures/inline-tasks.mjs';
import * as deep from './fixtures/deep-tasks.mjs';
import { within, rejection, retired } from './helpers/executor.mjs';
import { predictShort as predictWarm } from './helpers/predict.mjs';

const module = new URL('./fixtures/inline-tasks.mjs', import.meta.url);
const fibRef = (n) => (n < 2 ? n : fibRef(n - 1) + fibRef(n - 2));
const calls = (n) => 2 * fibRef(n + 1) - 1;
const total = (ex, k) => ex.stats().workers.reduce((a, w) => a + w[k], 0);

/** Warm start: predictions of `ms` for the children of fns at fork-join levels (helpers/predict.mjs). */
const predictShort = (ex, fns, levels, ms = 1e-6) => predictWarm(ex, t.fib, fns, { levels, ms });

// ---
const P = suite('inlining policy (pure)');

P('zones: shorter than a spawn is tiny, from grainFactor spawns a job; unknown is a job', () => {
  const c = INLINING.spawnCostMs, g = c * INLINING.grainFactor;
  const rows = [[NaN, Zone.Large], [-1, Zone.Large], [0, Zone.Tiny], [c / 2, Zone.Tiny], [c, Zone.Small], [g / 2, Zone.Small], [g, Zone.Large], [1e3, Zone.Large]];
  for (const [ms, zone] of rows) assert.is(zoneOf(ms), zone, `zoneOf(${ms})`);
  assert.is(zoneOf(5, { spawnCostMs: 10, grainFactor: 2 }), Zone.Tiny);
  assert.is(zoneOf(15, { spawnCostMs: 10, grainFactor: 2 }), Zone.Small);
});

P('inline: tiny always; small unless a thief is hungry; large never', () => {
  for (const [zone, hungry, inline] of [[Zone.Tiny, false, true], [Zone.Tiny, true, true], [Zone.Small, false, true],
    [Zone.Small, true, false], [Zone.Large, false, false], [Zone.Large, true, false]]) {
    assert.is(runsInline(zone, hungry), inline, `zone ${zone}, hungry ${hungry}`);
  }
});

P('sampling: the first frames of a level, then one in sampleEvery, every long or unknown one', () => {
  const short = INLINING.sampleAboveMs / 10;
  assert.is(sampleGap(0, short), 1);
  assert.is(sampleGap(INLINING.sampleFirst - 1, short), 1);
  assert.is(sampleGap(INLINING.sampleFirst, short), INLINING.sampleEvery);
  assert.is(sampleGap(1e6, NaN), 1);
  assert.is(sampleGap(1e6, INLINING.sampleAboveMs), 1);
});

P.run();

// ---
for (const workers of [1, 2, 4]) {
  const S = suite(`inlining (${workers} worker${workers > 1 ? 's' : ''})`);
  S.before(async (ctx) => {
    ctx.on = await Executor.create({ workers, module });
    ctx.off = await Executor.create({ workers, module, learning: false });
  });
  S.after(async (ctx) => { await within(Promise.all([ctx.on.close(), ctx.off.close()]), 10_000, 'close'); });

  S('every leaf of growing trees runs exactly once, with thieves; inline children and jobs both', async ({ on }) => {
    const steals = total(on, 'steals'), inlined = total(on, 'inlined');
    for (const n of [1 << 6, 1 << 10, 1 << 14]) {
      for (let rep = 0; rep < 3; rep++) {
        const counts = on.shared(Int32Array, n), flag = on.shared(Int32Array, 3);
        const got = await within(workers > 1 ? on.async(t.stolenTree, counts, flag, n) : on.async(t.tree, counts, 0, n), 30_000, `tree ${n}`);
        assert.is(got, n, `${n} leaves counted`);
        let bad = -1;
        for (let i = 0; i < n && bad < 0; i++) if (counts[i] !== 1) bad = i;
        assert.is(bad, -1, bad < 0 ? '' : `leaf ${bad} of ${n} ran ${counts[bad]} times`);
        on.free(counts); on.free(flag);
      }
    }
    assert.ok(total(on, 'inlined') > inlined, 'children ran inline');
    if (workers > 1) assert.ok(total(on, 'steals') > steals, 'thieves took jobs');
    await retired(on);
  });

  S('subflows: every leaf of growing trees runs exactly once, their tasks inline and jobs both', async ({ on }) => {
    const inlined = total(on, 'inlined'), executed = total(on, 'executed');
    let calls = 0;
    // 2^19 leaves three times: past a worker's 2^20th inline child, where lazy.ts drops the runner's
    // optimized code once (Retier.At), with the runner on the stack at every level of the recursion.
    for (const n of [1 << 6, 1 << 10, 1 << 13, 1 << 19]) {
      for (let rep = 0; rep < 3; rep++, calls++) {
        const counts = on.shared(Int32Array, n);
        assert.is(await within(on.async(t.sfTree, counts, 0, n), 30_000, `subflow tree ${n}`), n, `${n} leaves counted`);
        let bad = -1;
        for (let i = 0; i < n && bad < 0; i++) if (counts[i] !== 1) bad = i;
        assert.is(bad, -1, bad < 0 ? '' : `leaf ${bad} of ${n} ran ${counts[bad]} times`);
        on.free(counts);
      }
    }
    assert.ok(total(on, 'inlined') > inlined, 'subflow tasks ran inline');
    assert.ok(total(on, 'executed') - executed > calls, 'subflow tasks ran as jobs');
    await retired(on);
  });

  S('every call is a task or an inline child: executed + inlined counts each once; learning off inlines none', async ({ on, off }) => {
    for (const n of [5, 12, 18, 18]) {
      const [e0, i0] = [total(on, 'executed'), total(on, 'inlined')];
      assert.is(await within(on.async(t.fib, n), 20_000, `fib ${n}`), fibRef(n));
      assert.is(total(on, 'executed') - e0 + total(on, 'inlined') - i0, calls(n), `fib(${n}): ${calls(n)} calls`);
    }
    assert.ok(total(on, 'inlined') > 0);
    const e0 = total(off, 'executed');
    assert.is(await off.async(t.fib, 12), fibRef(12));
    assert.is(total(off, 'executed') - e0, calls(12));
    assert.is(total(off, 'inlined'), 0);
  });

  S('inline children give what jobs give: results, copies, errors (class, message, task, code, cause), refusals, context', async ({ on, off }) => {
    await predictShort(on, ['ok', 'failing', 'sortIt', 'returnsFunction', 'seesContext'], [1]);
    const before = total(on, 'inlined');
    const same = async (fn, ...args) => {
      const [a, b] = await Promise.all([on.async(fn, ...args), off.async(fn, ...args)]);
      assert.equal(a, b, `${fn.name}: inline as jobs`);
      return a;
    };
    for (let k = 0; k < 6; k++) {
      const e = await same(t.failAmong, 6, k);
      assert.equal(e, { name: 'RangeError', message: `child ${k}`, task: 'failing', code: 'E_CHILD', cause: 'because', ctor: 'RangeError' });
    }
    const c = await same(t.copies);
    assert.equal(c, { mine: [3, 1, 2], got: [1, 2, 3], same: false }, 'the child sorted its own copy');
    assert.equal(await same(t.badResult), ['DataCloneError', 'DataCloneError', 'returnsFunction']);
    assert.equal(await same(t.badArgument), ['DataCloneError', true]);
    const ctx = await on.async(t.contextOfChild);
    assert.ok(Number.isInteger(ctx[0]) && ctx[0] >= 0 && ctx[0] < workers);
    assert.is(ctx[1], false);
    const seen = (e) => [e.name, e.message, e.task, e.code];
    for (const fn of [t.failUnjoined, t.asyncParent]) {   // a child never joined fails its parent (an async one when it settles)
      const [ea, eb] = await Promise.all([rejection(on.async(fn)), rejection(off.async(fn))]);
      assert.equal(seen(ea), seen(eb), `${fn.name}: inline as jobs`);
      assert.equal(seen(ea).slice(0, 2), ['RangeError', fn === t.failUnjoined ? 'left unjoined' : 'after await']);
    }
    assert.ok(total(on, 'inlined') > before, 'those children ran inline');
    await retired(on);
    await retired(off);
  });

  S('inline children and dependent tasks mix as jobs do: handles sent to children, one join of both kinds', async ({ on, off }) => {
    await predictShort(on, ['ok', 'failing', 'dependsOn'], [1]);
    const before = total(on, 'inlined');
    for (const x of [0, 5, 41]) {
      const [a, b] = await Promise.all([on.async(t.mixedJoin, x), off.async(t.mixedJoin, x)]);
      assert.equal(a, [x, x + 1, x + 2], `mixedJoin(${x}) with inlining`);
      assert.equal(b, a, `mixedJoin(${x}): inline as jobs`);
    }
    const [ea, eb] = await Promise.all([on.async(t.mixedFail), off.async(t.mixedFail)]);
    assert.equal(ea, ['mixed', 'failing', true]);
    assert.equal(eb, ea, 'mixedFail: inline as jobs');
    assert.ok(total(on, 'inlined') > before, 'those children ran inline');
    await retired(on);
    await retired(off);
  });

  S('children of a task whose run was cancelled are skipped, inline as jobs: the join throws a CancelledError', async ({ on, off }) => {
    for (const ex of [on, off]) {
      const out = ex.shared(Int32Array, 3);
      const tf = new Taskflow('cancelled');
      tf.emplace(t.afterCancel).args(out);
      const run = ex.run(tf);
      const end = Date.now() + 10_000;
      while (out[1] === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 1));
      run.cancel('stop');
      const e = await rejection(within(run, 20_000, 'run'));
      assert.is(e.name, 'CancelledError');
      assert.is(out[0], 1, `${ex === on ? 'inline' : 'jobs'}: CancelledError in the join`);
      ex.free(out);
    }
  });

  S.run();
}

// ---
const D = suite('inlining: deep recursion');
D.before.each(async (ctx) => { ctx.ex = await Executor.create({ workers: 1, module: new URL('./fixtures/deep-tasks.mjs', import.meta.url) }); });
D.after.each(async (ctx) => { await within(ctx.ex.close(), 5000, 'close'); });

D('children inline all the way down: exact results within the stack, a RangeError naming the task beyond it, nothing leaks', async ({ ex }) => {
  // Predicted short at every level before any worker spawns `deep` (restore() seeds a worker's view of a
  // function at its first spawn of it); the nodes naming levels from another function's children.
  await ex.async(deep.deepOrLoop, 3);
  const base = Math.min(...ex.models.snapshot().predictors.filter((p) => p.fn === 'deepOrLoop' && p.node > 0).map((p) => p.node)) - 1;
  const predictors = [];
  for (let l = 1; l < 64; l++) predictors.push({ kind: 1, fn: 'deep', sizeClass: 0, node: base + l, samples: 100, mean: 1e-6, m2: 0, x: 1e-6, dx: 0, ema: 1e-6 });
  ex.models.restore({ version: 1, predictors });
  await ex.async(deep.deep, 3);
  const before = ex.stats();
  const i0 = before.workers[0].inlined;
  assert.is(await within(ex.async(deep.deep, 1500), 8000, 'deep 1500'), 1500);
  assert.ok(ex.stats().workers[0].inlined - i0 > 1000, 'inline, level after level');
  const e = await rejection(within(ex.async(deep.deep, 20_000), 8000, 'deep 20000'));
  assert.instance(e, RangeError);
  assert.match(e.message, /^beatflow: ctx\.(spawn|join)\(\) in task 'deep', \d+ tasks deep on worker 0: less than 64 KiB/);
  await retired(ex);
  assert.is(ex.stats().liveTasks, before.liveTasks);
  assert.is(ex.stats().heapBytes, before.heapBytes, 'every block was freed');
  assert.is(await ex.async(deep.deep, 10), 10);
});

D.run();
