// Dependent async tasks (executor.dependentAsync): ordering, results flowing from dependencies, failed
// dependencies, long chains and all-to-all dependencies, bad input. Exact counts on 1, 2 and 4 workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, AsyncTask } from 'beatflow';
import { within, rejection } from './helpers/executor.mjs';

for (const workers of [1, 2, 4]) {
  const S = suite(`dependentAsync (${workers} worker${workers > 1 ? 's' : ''})`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('a handle with no dependencies runs at once; done and isDone()', async ({ ex }) => {
    const a = ex.dependentAsync((x, y) => x + y, { args: [2, 3] });
    assert.ok(a instanceof AsyncTask);
    assert.is(await within(a.done, 10_000, 'a'), 5);
    assert.is(a.isDone(), true);
    assert.is(await a.done, 5, 'done is one promise, read again');
  });

  S('results flow from dependencies: fn(...args, ...dependency results in order)', async ({ ex }) => {
    const a = ex.dependentAsync(() => 'a');
    const b = ex.dependentAsync(() => 'b');
    const c = ex.dependentAsync((...xs) => xs.join(''), { deps: [b, a], args: ['<', '>'] });
    const d = ex.dependentAsync((x, y) => x + y, c, a);
    assert.is(await within(d.done, 10_000, 'd'), '<>baa');
    assert.is(c.isDone() && a.isDone() && b.isDone(), true);
  });

  S('each task runs exactly once, after all of its dependencies (a diamond, 50 times)', async ({ ex }) => {
    for (let rep = 0; rep < 50; rep++) {
      const log = ex.shared(Int32Array, 5);   // [count, order of a, b, c, d]
      const note = (l, k) => { l[k] = 1 + Atomics.add(l, 0, 1); };
      const a = ex.dependentAsync(note, { args: [log, 1] });
      const b = ex.dependentAsync(note, { args: [log, 2], deps: [a] });
      const c = ex.dependentAsync(note, { args: [log, 3], deps: [a] });
      const d = ex.dependentAsync(note, { args: [log, 4], deps: [b, c] });
      await within(d.done, 10_000, 'diamond');
      assert.is(log[0], 4);
      assert.is(log[1], 1, 'a first');
      assert.ok(log[4] === 4, 'd last');
      ex.free(log);
    }
  });

  S('a handle made after its dependency finished runs at once', async ({ ex }) => {
    const a = ex.dependentAsync(() => 7);
    await a.done;
    assert.is(await ex.dependentAsync((x) => x * 2, a).done, 14);
  });

  // The largest sizes run at 2 workers; 1 and 4 workers take a tenth (the file stays well inside its limit
  // on a loaded machine).
  const CHAIN = workers === 2 ? 100_000 : 10_000, ALL = workers === 2 ? 2000 : 600;

  S(`a chain of ${CHAIN} tasks: linear, no stack overflow, exact count`, async ({ ex }) => {
    const n = CHAIN;
    let prev = ex.dependentAsync(() => 0);
    for (let i = 1; i < n; i++) prev = ex.dependentAsync((x) => x + 1, prev);
    assert.is(await within(prev.done, 60_000, 'chain'), n - 1);
  });

  S(`all-to-all: task i depends on every task before it (N = ${ALL})`, async ({ ex }) => {
    const n = ALL, hs = [];
    const count = ex.shared(Int32Array, 1);
    for (let i = 0; i < n; i++) {
      hs.push(ex.dependentAsync((c, ...r) => { Atomics.add(c, 0, 1); return r.length; }, { args: [count], deps: hs.slice() }));
    }
    const results = await within(Promise.all(hs.map((h) => h.done)), 60_000, 'all-to-all');
    assert.is(count[0], n, 'each ran once');
    assert.equal(results.slice(0, 3), [0, 1, 2]);
    assert.is(results[n - 1], n - 1);
    ex.free(count);
  });

  S('a failed dependency fails its dependents, without running them, with its error', async ({ ex }) => {
    const ran = ex.shared(Int32Array, 1);
    const bad = ex.dependentAsync(function parse() { throw new RangeError('bad row'); });
    const ok = ex.dependentAsync(() => 1);
    const mid = ex.dependentAsync((c) => Atomics.add(c, 0, 1), { args: [ran], deps: [ok, bad] });
    const end = ex.dependentAsync((c) => Atomics.add(c, 0, 1), { args: [ran], deps: [mid] });
    const e = await rejection(within(end.done, 10_000, 'end'));
    assert.instance(e, RangeError);
    assert.is(e.message, 'bad row');
    assert.is(e.task, 'parse');
    assert.is(await rejection(mid.done), e, 'the same error all the way down');
    assert.is(mid.isDone() && end.isDone(), true);
    assert.is(ran[0], 0, 'neither dependent ran');
    assert.is(await ok.done, 1);
    ex.free(ran);
  });

  S('a failure at the head of a 100,000-long chain settles the chain without growing the stack', async ({ ex }) => {
    const head = ex.dependentAsync(() => { throw new Error('head'); });
    let prev = head;
    for (let i = 1; i < 100_000; i++) prev = ex.dependentAsync((x) => x + 1, prev);
    assert.is((await rejection(within(prev.done, 60_000, 'failed chain'))).message, 'head');
  });

  S('waitForAll waits for dependents not submitted yet', async ({ ex }) => {
    const c = ex.shared(Int32Array, 1);
    let prev = ex.dependentAsync((x) => Atomics.add(x, 0, 1), { args: [c] });
    for (let i = 1; i < 200; i++) prev = ex.dependentAsync((x) => Atomics.add(x, 0, 1), { args: [c], deps: [prev] });
    await within(ex.waitForAll(), 30_000, 'waitForAll');
    assert.is(c[0], 200);
    assert.is(prev.isDone(), true);
    ex.free(c);
  });

  S.run();
}

// ---
const Bad = suite('dependentAsync: bad input named');
Bad.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 1 }); ctx.other = await Executor.create({ workers: 1 }); });
Bad.after(async (ctx) => { await ctx.ex.close(); await ctx.other.close(); });

Bad('fn, dependencies and options are checked before anything runs', ({ ex, other }) => {
  assert.throws(() => ex.dependentAsync(42), /executor\.dependentAsync\(fn, \.\.\.deps\): fn must be a function \(got 42\)/);
  assert.throws(() => ex.dependentAsync(() => 1, ex.async(() => 1)), /dependency 0 must be an AsyncTask/);
  const a = ex.dependentAsync(() => 1);
  assert.throws(() => ex.dependentAsync(() => 1, a, 'x'), /dependency 1 must be an AsyncTask .*got "x"/);
  assert.throws(() => ex.dependentAsync(() => 1, { deps: [a], after: [a] }), /unknown option 'after' \(known options: deps, args\)/);
  assert.throws(() => ex.dependentAsync(() => 1, { args: 3 }), /options\.args must be an array of arguments \(got 3\)/);
  assert.throws(() => ex.dependentAsync(() => 1, { deps: 3 }), /options\.deps must be an array \(or iterable\) of AsyncTask handles/);
  assert.throws(() => other.dependentAsync(() => 1, a), /dependency 0 is an AsyncTask of another executor/);
});

Bad('an argument that cannot be sent throws a DataCloneError naming it; nothing is left waiting', async ({ ex }) => {
  const a = ex.dependentAsync(() => 1);
  let e;
  try { ex.dependentAsync(function sum() { return 0; }, { args: [1, () => 2], deps: [a] }); } catch (err) { e = err; }
  assert.is(e?.name, 'DataCloneError');
  assert.match(e.message, /argument 2 of task 'sum' cannot be sent to another thread: function .* cannot be cloned/);
  await within(ex.waitForAll(), 10_000, 'waitForAll after a refused call');
  assert.is(ex.stats().liveTasks, 0, 'the refused call took no slot');
});

Bad('a handle read before a dependent is made gives its value or its error, the same object', async ({ ex }) => {
  const a = ex.dependentAsync(() => ({ rows: [1, 2] }));
  const bad = ex.dependentAsync(function parse() { throw new TypeError('no'); });
  const [va, eb] = [await a.done, await rejection(bad.done)];
  assert.is(await ex.dependentAsync((more, x) => x.rows.concat(more.rows).length, { deps: [a], args: [va] }).done, 4);
  assert.is(await rejection(ex.dependentAsync((x, y) => x, a, bad).done), eb, 'the settled handle\'s own error object');
  assert.is(ex.stats().liveTasks, 0);
});

Bad('corun and taskGroup on the host are errors that say where they work', ({ ex }) => {
  assert.throws(() => ex.corun(), /executor\.corun\(tf\) runs only inside a task.*this\.corun\(tf\).*await executor\.run\(tf\)/);
  assert.throws(() => ex.taskGroup(), /executor\.taskGroup\(\) runs only inside a task.*this\.taskGroup\(\)/);
});

Bad('after close(), a dependent task rejects saying so', async () => {
  const ex = await Executor.create({ workers: 1 });
  await ex.close();
  const e = await rejection(ex.dependentAsync(() => 1).done);
  assert.match(e.message, /executor\.dependentAsync\(\) called after close\(\)/);
});

Bad.run();
