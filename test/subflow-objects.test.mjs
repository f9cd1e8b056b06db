// Subflows of independent tasks (fork-join shaped, like fib), as the task that made them sees them: its
// Subflow and Task handles and the arrays it gets back stay its own past the join; a child that throws
// fails the join with its error whether it ran inline or as a job; every task runs exactly once, over
// growing sizes, at 1, 2 and 4 workers with predictive inlining on (most children inline) and off (every
// child a job).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import * as t from './fixtures/subflow-object-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/subflow-object-tasks.mjs', import.meta.url);

for (const workers of [1, 2, 4]) {
  for (const learning of [true, false]) {
    const S = suite(`subflow objects (${workers} worker${workers > 1 ? 's' : ''}, learning ${learning ? 'on' : 'off'})`);
    S.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module, learning }); });
    S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

    S('handles kept past their subflow keep what they said; each subflow its own objects', async ({ ex }) => {
      for (let rep = 0; rep < 50; rep++) {
        const r = await within(ex.async(t.keptHandles, rep), 10_000, 'kept handles');
        assert.equal(r.results, [[2 * rep, 2 * rep + 2], [2 * rep + 4, 2 * rep + 6], [2, 4]], 'results');
        assert.equal(r.distinct, [true, true, true, true, true], 'no object shared between subflows, tasks or results');
        assert.equal(r.kind, [true, true, true, true, true], 'a Subflow, a Taskflow, its constructor and prototype Subflow; Tasks');
        assert.equal(r.joined, [true, false, 0, true, 0, 'first', 'second'], 'joined and cleared, names kept');
        assert.equal(r.names, ['a1', 'twice', 'twice', 'd2'], 'task names, labelled or not, after the clear');
        assert.equal(r.graphs, [true, true, true], 'each task still names its own subflow');
        assert.equal(r.kept, [2, true, true, true, 'twice'], 'retain(true) keeps the graph and its handles');
      }
    });

    S('the arrays emplace and join return belong to the caller', async ({ ex }) => {
      assert.equal(await ex.async(t.callersArrays), [2, [2, 4, 99], [6, 8]]);
    });

    S('bound arguments of each kind reach the task as given', async ({ ex }) => {
      assert.equal(await ex.async(t.boundKinds), [[[1.5], ['x'], [1, 2], []], [[4], [3, [4]]]]);
    });

    S('tasks emplaced one at a time, then two at once: results in insertion order', async ({ ex }) => {
      for (const k of [1, 2, 3, 17]) {
        const want = Array.from({ length: k + 2 }, (_, i) => 2 * i);
        assert.equal(await ex.async(t.oneByOne, k), [true, k + 2, want], `k = ${k}`);
      }
    });

    // A failure stops the subflow: children not started by then are skipped, so which ran depends on the order they ran in.
    S('a child that throws fails the join with the first error in insertion order of those that ran; none ran twice', async ({ ex }) => {
      for (const [k, bad] of [[2, [0]], [2, [1]], [2, [0, 1]], [3, [1]], [5, [4, 2]], [9, [3, 7]]]) {
        for (let rep = 0; rep < 20; rep++) {
          const c = ex.shared(Int32Array, k);
          const [seen, after] = await within(ex.async(t.failingSubflow, c, k, bad), 10_000, `k ${k} bad ${bad}`);
          const failed = bad.filter((i) => c[i] === 1);
          assert.ok(failed.length > 0, `k ${k}, bad ${bad}: one failed`);
          assert.is(seen, `RangeError: bad ${Math.min(...failed)}`, `k ${k}, bad ${bad}`);
          assert.equal(after, [10, 12], 'a subflow made after the failed one');
          assert.ok([...c].every((v) => v <= 1), `each child ran at most once: ${[...c]}`);
          ex.free(c);
        }
      }
    });

    S('an error deep in nested subflows reaches the top once, through every join', async ({ ex }) => {
      for (let at = 0; at <= 6; at++) {
        const err = await rejection(within(ex.async(t.throwDeep, 6, at), 10_000, `at ${at}`));
        assert.instance(err, RangeError);
        assert.is(err.message, `deep ${at}`);
      }
      assert.is(await ex.async(t.throwDeep, 6, -1), 6 * 7 / 2 + 6, 'no throw: the sums');
    });

    S('exactly once over growing sizes: k-ary trees of subflows', async ({ ex }) => {
      for (const [k, depth] of [[1, 1], [1, 40], [2, 1], [2, 6], [2, 11], [3, 5], [5, 4], [8, 3], [33, 2]]) {
        const n = k ** depth;
        const c = ex.shared(Int32Array, n);
        const sum = await within(ex.async(t.tree, c, 0, k, depth), 30_000, `k ${k} depth ${depth}`);
        assert.is(sum, (n * (n - 1)) / 2, `k ${k} depth ${depth}: the sum of the leaves`);
        let bad = -1;
        for (let i = 0; i < n && bad < 0; i++) if (c[i] !== 1) bad = i;
        assert.is(bad, -1, `k ${k} depth ${depth}: leaf ${bad} ran ${bad < 0 ? 1 : c[bad]} times`);
        ex.free(c);
      }
    });

    S.run();
  }
}

// ---

const Seen = suite('subflow objects (single-threaded): the subflow as its own tasks see it while it runs');
Seen.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 0, module, learning: false }); });
Seen.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

Seen('independent tasks find it cleared as the join starts; laid-out ones find it whole', async ({ ex }) => {
  // A task reaches its subflow through its module's state (closures cannot carry it: inline tasks run
  // compiled from their source).
  assert.equal(await ex.async(t.seenDuringJoin, false), [[1, 2], [0, 'peek', 'two'], 0]);
  assert.equal(await ex.async(t.seenDuringJoin, true), [[1, 2], [2, 'peek', 'two'], 0]);
});

Seen.run();
