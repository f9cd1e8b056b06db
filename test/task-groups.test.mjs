// Task groups (this.taskGroup), corun of a taskflow inside a task (this.corun) and subflow retain /
// joinable. Exact counts on 1, 2 and 4 workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import * as g from './fixtures/group-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/group-tasks.mjs', import.meta.url);
const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));

for (const workers of [1, 2, 4]) {
  const S = suite(`task groups and corun (${workers} worker${workers > 1 ? 's' : ''})`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers, module }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('recursive fib through task groups', async ({ ex }) => {
    for (const n of [0, 1, 2, 10, 18]) assert.is(await within(ex.async(g.gfib, n), 30_000, `fib ${n}`), fib(n), `fib(${n})`);
  });

  S('a group of many members: each runs once, results in spawn order, a second corun returns []', async ({ ex }) => {
    for (const n of [1, 10, 1000, 5000]) {
      const c = ex.shared(Int32Array, 1);
      assert.equal(await within(ex.async(g.many, c, n), 30_000, `many ${n}`), [n, 0, n - 1, 0]);
      assert.is(c[0], n, `${n} members ran once each`);
      ex.free(c);
    }
  });

  S('a group not corun is corun when its task returns', async ({ ex }) => {
    const c = ex.shared(Int32Array, 1);
    await within(ex.async(g.implicitGroup, c, 500), 30_000, 'implicit');
    assert.is(c[0], 500);
    ex.free(c);
  });

  S('cancel() skips the members not started yet; corun returns undefined for them', async ({ ex }) => {
    for (let rep = 0; rep < 20; rep++) {
      const c = ex.shared(Int32Array, 2);
      const [before, after, length, skipped] = await within(ex.async(g.cancelGroup, c, 200), 30_000, 'cancel');
      assert.is(before, false);
      assert.is(after, true);
      assert.is(length, 200);
      assert.ok(c[0] <= workers - 1, `at most one member per other worker started before cancel() (${c[0]} ran)`);
      assert.is(skipped, 200 - c[0], 'the others were skipped: undefined in corun\'s results');
      ex.free(c);
    }
  });

  if (workers > 1) {
    S('a running member sees its group cancelled (this.cancelled)', async ({ ex }) => {
      const flag = ex.shared(Int32Array, 2);
      assert.equal(await within(ex.async(g.memberSeesCancel, flag), 30_000, 'member sees cancel'), ['saw it']);
      ex.free(flag);
    });
  }

  S('a member that throws: corun rethrows after every member ran', async ({ ex }) => {
    const c = ex.shared(Int32Array, 1);
    assert.equal(await within(ex.async(g.failingGroup, c), 30_000, 'failing group'), ['RangeError', 'member 3', 10]);
    ex.free(c);
  });

  S('corun(tf) runs a whole taskflow built in the task, twice, with its edges', async ({ ex }) => {
    // a = k, b = k + 1, c = 2k, d = b + c; results in insertion order
    assert.equal(await within(ex.async(g.corunDiamond, 5), 30_000, 'diamond'), [[5, 6, 10, 16], [5, 6, 10, 16]]);
  });

  S('corun(tf) rethrows its error, named after its task', async ({ ex }) => {
    assert.equal(await ex.async(g.corunFails), ['TypeError', 'bad', 'check']);
  });

  S('corun nests: 2^10 leaves through 10 levels of taskflows', async ({ ex }) => {
    assert.is(await within(ex.async(g.corunNested, 10), 60_000, 'nested'), 1024);
  });

  S('corun refuses a subflow and what is not a Taskflow, by name', async ({ ex }) => {
    const [n1, m1] = await ex.async(g.corunBad, 'subflow');
    assert.is(n1, 'TypeError');
    assert.match(m1, /ctx\.corun\(tf\): 'sf' is a subflow: join it with sf\.join\(\)/);
    const [n2, m2] = await ex.async(g.corunBad, 'number');
    assert.is(n2, 'TypeError');
    assert.match(m2, /ctx\.corun\(tf\): tf must be a Taskflow .*got 42/);
  });

  S('retain(true) keeps a joined subflow\'s graph; by default it is cleared; joinable()', async ({ ex }) => {
    const [before, joinable, retain, results, numTasks, dump] = await ex.async(g.retained, true);
    assert.equal(before, [true, true]);
    assert.is(joinable, false);
    assert.is(retain, true);
    assert.equal(results, [1, 2]);
    assert.is(numTasks, 2);
    assert.is(dump, 'digraph "kept" {\n  t0 [label="a"];\n  t1 [label="b"];\n  t0 -> t1;\n}\n');
    const [before2, joinable2, retain2, results2, numTasks2] = await ex.async(g.retained, false);
    assert.equal([before2, joinable2, retain2, results2, numTasks2], [[true, false], false, false, [1, 2], 0]);
  });

  S('the executor still works after all of the above', async ({ ex }) => {
    assert.is(await ex.async(g.gfib, 12), 144);
  });

  S.run();
}

// ---
const Misuse = suite('task groups: misuse named');
Misuse.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 1, module }); });
Misuse.after(async (ctx) => { await ctx.ex.close(); });

Misuse('a group used after its task returned is refused', async ({ ex }) => {
  await ex.async(g.keepGroup);
  assert.match(await ex.async(g.useKept), /a task group can only be used by the task that made it/);
});

Misuse('retain(flag) takes a boolean', async ({ ex }) => {
  const e = await rejection(ex.async(function () { this.subflow('s').retain('yes'); }));
  assert.match(e.message, /subflow 's': retain\(flag\): flag must be true or false \(got "yes"\)/);
});

Misuse('taskGroup and corun outside a running task', async ({ ex }) => {
  assert.throws(() => ex.corun(), /runs only inside a task/);
  assert.throws(() => ex.taskGroup(), /runs only inside a task/);
});

Misuse.run();
