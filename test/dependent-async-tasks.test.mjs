// Dependent async tasks inside a task (this.dependentAsync): results flowing from dependencies, joins,
// failures carried down, long chains and all-to-all dependencies, exactly once over growing random DAGs
// with thieves, handles sent to the tasks that run meanwhile and refused after their maker ended, and bad
// input named. Exact counts on 1, 2 and 4 workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, WorkerAsyncTask } from 'beatflow';
import { within, rejection } from './helpers/executor.mjs';
import { growing } from './helpers/core.mjs';

for (const workers of [1, 2, 4]) {
  const S = suite(`this.dependentAsync (${workers} worker${workers > 1 ? 's' : ''})`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('results flow: fn(...args, ...dependency results in order); this.join returns them; isDone()', async ({ ex }) => {
    const r = await within(ex.async(function () {
      const a = this.dependentAsync(() => 'a');
      const b = this.dependentAsync(() => 'b');
      const c = this.dependentAsync((...xs) => xs.join(''), { deps: [b, a], args: ['<', '>'] });
      const d = this.dependentAsync((x, y) => x + y, c, a);
      const e = this.dependentAsync((k, x) => k * x.length, { deps: new Set([d]), args: [10] });
      const out = [this.join(d), this.join([a, b]), this.join(e), this.join(d)];
      return [out, c.isDone(), typeof d.isDone];
    }), 10_000, 'flow');
    assert.equal(r, [['<>baa', ['a', 'b'], 50, '<>baa'], true, 'function']);
  });

  S('each runs exactly once, after all of its dependencies (a diamond, 50 times)', async ({ ex }) => {
    const log = ex.shared(Int32Array, 5 * 50);   // per rep: [count, order of a, b, c, d]
    await within(ex.async(function (log) {
      const note = (l, at, k) => { l[at + k] = 1 + Atomics.add(l, at, 1); };
      for (let rep = 0; rep < 50; rep++) {
        const at = rep * 5;
        const a = this.dependentAsync(note, { args: [log, at, 1] });
        const b = this.dependentAsync(note, { args: [log, at, 2], deps: [a] });
        const c = this.dependentAsync(note, { args: [log, at, 3], deps: [a] });
        this.join(this.dependentAsync(note, { args: [log, at, 4], deps: [b, c] }));
      }
    }, log), 20_000, 'diamonds');
    for (let rep = 0; rep < 50; rep++) {
      const l = log.subarray(rep * 5, rep * 5 + 5);
      assert.equal([l[0], l[1], l[4]], [4, 1, 4], `rep ${rep}: four ran, a first, d last`);
    }
    ex.free(log);
  });

  // The largest sizes run at 2 workers; 1 and 4 workers take a tenth (the file stays well inside its limit).
  const CHAIN = workers === 2 ? 100_000 : 10_000, ALL = workers === 2 ? 2000 : 600;

  S(`a chain of ${CHAIN} made inside a task: exact count, no stack overflow`, async ({ ex }) => {
    const r = await within(ex.async(function (n) {
      let prev = this.dependentAsync(() => 0);
      for (let i = 1; i < n; i++) prev = this.dependentAsync((x) => x + 1, prev);
      return this.join(prev);
    }, CHAIN), 60_000, 'chain');
    assert.is(r, CHAIN - 1);
    assert.is(ex.stats().liveTasks, 0, 'every slot back');
  });

  S(`all-to-all inside a task: task i depends on every task before it (N = ${ALL})`, async ({ ex }) => {
    const count = ex.shared(Int32Array, 1);
    const r = await within(ex.async(function (n, count) {
      const hs = [];
      for (let i = 0; i < n; i++) hs.push(this.dependentAsync((c, ...r) => { Atomics.add(c, 0, 1); return r.length; }, { args: [count], deps: hs.slice() }));
      const out = this.join(hs);
      return [out[0], out[1], out[n - 1], out.every((x, i) => x === i)];
    }, ALL, count), 60_000, 'all-to-all');
    assert.equal(r, [0, 1, ALL - 1, true]);
    assert.is(count[0], ALL, 'each ran once');
    ex.free(count);
  });

  S('a failed dependency fails its dependents without running them; join throws its error, named', async ({ ex }) => {
    const ran = ex.shared(Int32Array, 1);
    const r = await within(ex.async(function (ran) {
      const bad = this.dependentAsync(function parse() { throw new RangeError('bad row'); });
      const ok = this.dependentAsync(() => 1);
      const mid = this.dependentAsync((c) => Atomics.add(c, 0, 1), { args: [ran], deps: [ok, bad] });
      const end = this.dependentAsync((c) => Atomics.add(c, 0, 1), { args: [ran], deps: [mid] });
      const seen = [];
      for (const h of [end, mid, bad]) {
        try { this.join(h); seen.push('no error'); } catch (e) { seen.push([e.name, e.message, e.task]); }
      }
      return [seen, this.join(ok), end.isDone()];
    }, ran), 10_000, 'failure');
    const err = ['RangeError', 'bad row', 'parse'];
    assert.equal(r, [[err, err, err], 1, true]);
    assert.is(ran[0], 0, 'neither dependent ran');
    ex.free(ran);
  });

  S('a failure at the head of a 100,000-long chain made in a task settles it without growing the stack', async ({ ex }) => {
    const r = await within(ex.async(function (n) {
      let prev = this.dependentAsync(function head() { throw new Error('head'); });
      for (let i = 1; i < n; i++) prev = this.dependentAsync((x) => x + 1, prev);
      try { this.join(prev); return 'no error'; } catch (e) { return `${e.message} ${e.task}`; }
    }, 100_000), 60_000, 'failed chain');
    assert.is(r, 'head head');
  });

  S('a task waits for the dependent tasks it made before it ends; their unjoined errors stay in them', async ({ ex }) => {
    const c = ex.shared(Int32Array, 2);
    const r = await within(ex.async(function (c) {
      let prev = this.dependentAsync((c) => Atomics.add(c, 0, 1), { args: [c] });
      for (let i = 1; i < 200; i++) prev = this.dependentAsync((c) => Atomics.add(c, 0, 1), { args: [c], deps: [prev] });
      this.dependentAsync((c) => { Atomics.add(c, 1, 1); throw new Error('nobody joins me'); }, { args: [c], deps: [prev] });
      return 'returned';
    }, c), 20_000, 'maker');
    assert.is(r, 'returned');
    assert.equal([c[0], c[1]], [200, 1], 'all ran before the maker settled');
    assert.is(ex.stats().liveTasks, 0);
    ex.free(c);
  });

  S('handles go to children, task group members and subflow tasks while their maker runs', async ({ ex }) => {
    const r = await within(ex.async(function () {
      const base = this.dependentAsync((x) => x * 10, { args: [4] });
      const kid = this.spawn(function (h) { return this.join(this.dependentAsync((v) => v + 1, h)); }, base);
      const g = this.taskGroup();
      g.async(function (h) { return this.join(h) + 2; }, base);
      const sf = this.subflow();
      sf.emplace(function (h) { return this.join(this.dependentAsync((v) => v + 3, h)); }).args(base);
      return [this.join(kid), g.corun()[0], sf.join()[0]];
    }), 20_000, 'sent');
    assert.equal(r, [41, 42, 43]);
  });

  S('a handle that outlived its maker says isDone() and is refused, naming where', async ({ ex }) => {
    const r = await within(ex.async(function () {
      const kid = this.spawn(function () { return this.dependentAsync(() => 7); });
      const h = this.join(kid);   // its maker (the child) has ended: the handle is only a record now
      const errors = [];
      try { this.dependentAsync((x) => x, h); } catch (e) { errors.push(e.message); }
      try { this.join(h); } catch (e) { errors.push(e.message); }
      return [h.isDone(), errors];
    }), 10_000, 'expired');
    assert.is(r[0], true);
    assert.match(r[1][0], /this\.dependentAsync\(fn, \.\.\.deps\): dependency 0: this AsyncTask was made inside a task that has ended/);
    assert.match(r[1][1], /this\.join\(handle\): this AsyncTask was made inside a task that has ended/);
  });

  S('exactly once, never before a dependency, over growing random DAGs with thieves', async ({ ex }) => {
    const MAX = workers === 1 ? 1093 : 3280;
    let stolen = 0, total = 0;
    for (const n of growing(MAX)) {
      const log = ex.shared(Int32Array, 2 * n + 1);   // [ran count per task] [worker per task] [violations]
      await within(ex.async(function (n, log, seed) {
        let s = seed;
        const rnd = () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) % 1_000_000; };
        const body = function (log, n, i, ...deps) {
          for (const d of deps) if (Atomics.load(log, d) !== 1) Atomics.add(log, 2 * n, 1);   // a dependency not done yet
          const end = performance.now() + 0.01;
          while (performance.now() < end) { /* a little work: thieves get time to take some */ }
          log[n + i] = this.workerId;
          Atomics.add(log, i, 1);
          return i;
        };
        const hs = [];
        for (let i = 0; i < n; i++) {
          const deps = [], args = [log, n, i];
          for (let k = rnd() % 4; k > 0 && i > 0; k--) { const d = rnd() % i; deps.push(hs[d]); args.push(d); }
          hs.push(this.dependentAsync(body, { args, deps }));
        }
        this.join(hs[n - 1]);
      }, n, log, 0x9e3779b9 ^ n), 30_000, `n = ${n}`);
      for (let i = 0; i < n; i++) assert.is(log[i], 1, `n = ${n}: task ${i} ran ${log[i]} times`);
      assert.is(log[2 * n], 0, `n = ${n}: a task ran before one of its dependencies had finished`);
      const maker = log[n];   // task 0 ran on the maker's worker or a thief's: count the others either way
      for (let i = 0; i < n; i++) if (log[n + i] !== maker) stolen++;
      total += n;
      ex.free(log);
    }
    if (workers > 1) assert.ok(stolen > 0, `thieves ran none of ${total} tasks`);
    assert.is(ex.stats().liveTasks, 0);
  });

  S.run();
}

// ---
const Single = suite('this.dependentAsync in the single-threaded mode (workers: 0)');

Single('chains made in a task and on the host run on the host thread, without blocking it', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    const inTask = ex.async(function (n) {
      let prev = this.dependentAsync(() => 0);
      for (let i = 1; i < n; i++) prev = this.dependentAsync((x) => x + 1, prev);
      return this.join(prev);
    }, 5000);
    let prev = ex.dependentAsync(() => 0);
    for (let i = 1; i < 5000; i++) prev = ex.dependentAsync((x) => x + 1, prev);
    assert.equal(await within(Promise.all([inTask, prev.done]), 30_000, 'chains'), [4999, 4999]);
    assert.is(ex.stats().liveTasks, 0);
  } finally {
    await ex.close();
  }
});

Single.run();

// ---
const Bad = suite('this.dependentAsync: bad input and handles across executors and the host');
Bad.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2 }); ctx.other = await Executor.create({ workers: 1 }); });
Bad.after(async (ctx) => { await ctx.ex.close(); await ctx.other.close(); });

Bad('fn, dependencies and options are checked before anything is made, each named', async ({ ex }) => {
  const r = await ex.async(function () {
    const a = this.dependentAsync(() => 1);
    const msgs = [];
    for (const bad of [
      () => this.dependentAsync(42),
      () => this.dependentAsync(() => 1, 5),
      () => this.dependentAsync(() => 1, a, 'x'),
      () => this.dependentAsync(() => 1, { deps: [a], after: [a] }),
      () => this.dependentAsync(() => 1, { args: 3 }),
      () => this.dependentAsync(() => 1, { deps: 3 }),
    ]) {
      try { bad(); msgs.push('accepted'); } catch (e) { msgs.push(`${e.name}: ${e.message}`); }
    }
    return [msgs, this.join(a)];
  });
  const [m, one] = r;
  assert.is(one, 1);
  assert.match(m[0], /TypeError: .*this\.dependentAsync\(fn, \.\.\.deps\): fn must be a function \(got 42\)/);
  assert.match(m[1], /TypeError: .*dependency 0 must be an AsyncTask that this\.dependentAsync\(\) returned \(got 5\)/);
  assert.match(m[2], /TypeError: .*dependency 1 must be an AsyncTask that this\.dependentAsync\(\) returned .*got "x"/);
  assert.match(m[3], /TypeError: .*this\.dependentAsync\(fn, options\): unknown option 'after' \(known options: deps, args\)/);
  assert.match(m[4], /TypeError: .*options\.args must be an array of arguments \(got 3\)/);
  assert.match(m[5], /TypeError: .*options\.deps must be an array \(or iterable\) of AsyncTask handles/);
  assert.is(ex.stats().liveTasks, 0, 'nothing made by the refused calls');
});

Bad('outside a task, and after its synchronous part, it says where it works', async ({ ex }) => {
  const e = await rejection(ex.async(async function () { await null; return this.dependentAsync(() => 1); }));
  assert.match(e.message, /this\.dependentAsync\(\) can only be called while a task runs, in its synchronous part/);
});

Bad('a handle of another executor is refused, naming the dependency', async ({ ex, other }) => {
  const h = await ex.async(function () { return this.dependentAsync(() => 1); });
  assert.instance(h, WorkerAsyncTask, 'a handle crosses to the host as a handle');
  assert.is(h.isDone(), true, 'its maker ended: done');
  const msg = await other.async(function (h) { try { this.dependentAsync(() => 2, h); return 'accepted'; } catch (e) { return e.message; } }, h);
  assert.match(msg, /this\.dependentAsync\(fn, \.\.\.deps\): dependency 0 is an AsyncTask of another executor/);
});

Bad('handles do not cross between the host and tasks as dependencies: each side names the other', async ({ ex }) => {
  const inTask = await ex.async(function () { return this.dependentAsync(() => 1); });
  assert.throws(() => ex.dependentAsync(() => 1, inTask), /executor\.dependentAsync\(fn, \.\.\.deps\): dependency 0 is an AsyncTask made inside a task/);
  const onHost = ex.dependentAsync(() => 1);
  const e = await rejection(ex.async((h) => h, onHost));
  assert.is(e.name, 'DataCloneError');
  assert.match(e.message, /an AsyncTask of executor\.dependentAsync cannot be cloned: it lives on the host/);
  assert.is(await onHost.done, 1);
});

Bad('a host dependent task that returns a promise is awaited, also when a worker helping in a join took it', async () => {
  // One worker waits in a join, its own deque empty (a thief took the child), so it steals while it helps;
  // the dependents spin before their first await, so it has time to take some from the worker that runs
  // them. A promise cannot be awaited in a join: it hands them to the injector instead.
  const ex = await Executor.create({ workers: 4 });
  try {
    const inJoin = ex.shared(Int32Array, 1);
    const busy = ex.async(function (flag) {
      const spin = (ms) => { const end = performance.now() + ms; while (performance.now() < end); return ms; };
      const c = this.spawn(spin, 300);
      spin(30);   // idle workers steal the child meanwhile
      Atomics.store(flag, 0, 1);
      return this.join(c);
    }, inJoin);
    while (Atomics.load(inJoin, 0) === 0) await new Promise((r) => setTimeout(r, 1));
    const gate = ex.dependentAsync(() => 1);
    const slow = [];
    for (let i = 0; i < 40; i++) {
      slow.push(ex.dependentAsync(async (i, x) => {
        const end = performance.now() + 2;
        while (performance.now() < end);
        await new Promise((r) => setTimeout(r, 1));
        return x + i;
      }, { args: [i], deps: [gate] }));
    }
    const got = await within(Promise.all(slow.map((h) => h.done)), 20_000, 'async dependents');
    assert.equal(got, Array.from({ length: 40 }, (_, i) => 1 + i));
    assert.is(await busy, 300);
  } finally {
    await ex.close();
  }
});

Bad.run();
