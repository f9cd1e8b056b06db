// Parallel algorithms as graph tasks (alg.task(tf, …)), with task-module callbacks; errors, bad input,
// no leaks; adopting a user's buffer; arena exhaustion and growth.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, transform, reduce, sort, forEach, inclusiveScan, adopt } from 'beatflow';
import * as cb from './fixtures/algorithms-tasks.mjs';
import { within, rejection } from './helpers/executor.mjs';

const module = new URL('./fixtures/algorithms-tasks.mjs', import.meta.url);

const G = suite('algorithms in graphs');
G.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module }); });
G.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

G('transform → reduce as graph tasks with module callbacks; the taskflow re-runs', async ({ ex }) => {
  const n = 30_001, a = ex.shared(Float64Array, n), sq = ex.shared(Float64Array, n);
  a.forEach((_, i) => { a[i] = i % 100; });
  const tf = new Taskflow('sum of squares');
  const t1 = transform.task(tf, a, sq, cb.square);
  const t2 = reduce.task(tf, sq, cb.sum, { combine: cb.add, partitioner: 'dynamic' });
  t1.precede(t2);
  assert.is(t2.name(), 'reduce');
  for (let run = 0; run < 3; run++) {
    const want = Array.from(a).reduce((s, x) => s + x * x, 0);
    const r = await within(ex.run(tf), 10_000, 'run');
    assert.is(r.result(t2), want, `run ${run}`);
    assert.is(r.result(t1).length, n, 'transform\'s result is the output array (by reference)');
    a[run] += 1;
  }
  await ex.release(tf);
  ex.free(a); ex.free(sq);
});

G('one taskflow runs on two executors (callback ids are resolved per executor at placement)', async ({ ex }) => {
  const other = await Executor.create({ workers: 1, module });
  try {
    const a = ex.shared(Int32Array, 1000), b = other.shared(Int32Array, 1000);
    a.fill(2); b.fill(3);
    const tf1 = new Taskflow('a'), tf2 = new Taskflow('b');
    const ta = reduce.task(tf1, a, (v, lo, hi) => hi - lo, { combine: (x, y) => x + y, init: 0 });
    const tb = reduce.task(tf2, b, 'sum');
    const ra = await ex.run(tf1);
    assert.is(ra.result(ta), 1000);
    const rb = await other.run(tf2);
    assert.is(rb.result(tb), 3000);
    const tc = reduce.task(tf1, a, 'max');
    assert.is((await ex.run(tf1)).result(tc), 2);
    // tf1's slots stay placed on ex until released or collected: a collection during a later test would
    // change the live slot count that test compares
    await ex.release(tf1);
    ex.free(a);
  } finally {
    await other.close();
  }
});

G('a callback that throws rejects with its error; no task slot or heap block is left behind', async ({ ex }) => {
  const a = ex.shared(Float32Array, 50_000);
  await rejection(forEach(ex, a, cb.failAt, { args: [0] }));   // registers the functions (their table entries stay)
  const live = ex.stats().liveTasks, heap = ex.stats().heapBytes;
  for (const partitioner of ['static', 'dynamic', 'guided']) {
    const e = await rejection(forEach(ex, a, cb.failAt, { partitioner, args: [40_000] }));
    assert.ok(e instanceof RangeError, `${partitioner}: ${e}`);
    assert.is(e.message, 'element 40000 is bad');
  }
  const tf = new Taskflow('failing');
  forEach.task(tf, a, cb.failAt, { args: [7] }).name('scan it');
  const e = await rejection(ex.run(tf));
  assert.is(e.message, 'element 7 is bad');
  assert.is(e.task, 'scan it');
  await ex.release(tf);
  assert.is(ex.stats().liveTasks, live, 'task slots');
  assert.is(ex.stats().heapBytes, heap, 'heap blocks (job blocks, scratch, argument blocks)');
  ex.free(a);
});

G('an inline callback that uses a variable of its scope fails with a message saying how to pass it', async ({ ex }) => {
  const a = ex.shared(Float32Array, 100);
  const factor = 3;
  const e = await rejection(forEach(ex, a, (v, lo, hi) => { for (let i = lo; i < hi; i++) v[i] *= factor; }));
  assert.ok(e instanceof ReferenceError);
  assert.match(e.message, /^factor is not defined in the worker: an inline callback cannot use variables .* Pass the value in options\.args/);
  await forEach(ex, a, (v, lo, hi, k) => { for (let i = lo; i < hi; i++) v[i] = k; }, { args: [factor] });
  assert.ok(a.every((x) => x === 3));
  ex.free(a);
});

G('the default grain follows the measured cost: items of 200 µs go one per chunk after the probe', async ({ ex }) => {
  const a = ex.shared(Float64Array, 200), calls = ex.shared(Int32Array, 1);
  await forEach(ex, a, (v, lo, hi, c) => {
    Atomics.add(c, 0, 1);
    for (let i = lo; i < hi; i++) { const end = performance.now() + 0.2; do v[i]++; while (performance.now() < end); }   // at least once: a preempted thread may find its 200 µs gone
  }, { partitioner: 'dynamic', args: [calls] });
  // the probe: one call of 64 items (12.8 ms ≥ 5 µs, so no second probe); then 50 µs / 200 µs → grain 1
  assert.is(calls[0], 1 + (200 - 64));
  assert.ok(a.every((x) => x > 0), 'every item ran');
  ex.free(a); ex.free(calls);
});

G('bad input is refused with a message naming the argument or option', async ({ ex }) => {
  const a = ex.shared(Float32Array, 10), b = ex.shared(Float32Array, 11);
  const cases = [
    [() => reduce(ex, new Float32Array(10), 'sum'), TypeError, /must live in the executor's shared memory: allocate them with executor\.shared/],
    [() => reduce(ex, [1, 2], 'sum'), TypeError, /array must be a typed array from executor\.shared\(\)/],
    [() => reduce(ex, a, 'avg'), TypeError, /one of 'sum', 'min', 'max' \(got "avg"\)/],
    [() => reduce(ex, a, cb.sum), TypeError, /options\.combine must be a function/],
    [() => transform(ex, a, b, 'abs'), RangeError, /input has 10 elements but out has 11: they must be equal/],
    [() => transform(ex, a, a, 'add'), TypeError, /'add' takes 2 input arrays \(got 1\)/],
    [() => sort(ex, a, { partitioner: 'eager' }), TypeError, /sort\(executor, array, cmp\?, options\): options\.partitioner must be one of/],
    [() => forEach(ex, a, cb.square, { grain: 0 }), TypeError, /options\.grain must be a positive integer/],
    [() => forEach(ex, a, cb.square, { args: 5 }), TypeError, /options\.args must be an array/],
    [() => inclusiveScan(ex, a, a, 'sum', { init: '1' }), TypeError, /options\.init must be a number/],
  ];
  for (const [f, C, re] of cases) {
    const e = await rejection(f());   // the direct forms reject (never throw) on bad input
    assert.ok(e instanceof C, `${e}`);
    assert.match(e.message, re);
  }
  ex.free(a); ex.free(b);
});

G.run();

// ---

const M = suite('shared arrays: adopt, exhaustion, growth');
M.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2 }); });
M.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

M('adopt copies a SharedArrayBuffer view in; commit/release copy the result back', async ({ ex }) => {
  const user = new Float32Array(new SharedArrayBuffer(4 * 20_000));
  user.forEach((_, i) => { user[i] = (i * 7919) % 20_000; });
  const ad = adopt(ex, user);
  assert.is.not(ad.array.buffer, user.buffer);
  await sort(ex, ad.array);
  assert.is(user[0], 0, 'the user buffer is untouched until commit');
  ad.commit();
  assert.ok(user.every((v, i) => i === 0 || user[i - 1] <= v), 'sorted after commit');
  user[0] = -1;
  ad.refresh();
  assert.is(ad.array[0], -1, 'refresh copies the user buffer in again');
  // The sort may have made a worker allocate what it keeps (its first task, a function entry): measure around release only.
  const before = ex.stats().heapBytes;
  ad.release(false);
  assert.is(user[0], -1);
  assert.ok(ex.stats().heapBytes <= before - user.byteLength, `release freed the copy (${before} → ${ex.stats().heapBytes} bytes)`);
  assert.throws(() => ad.commit(), /adopted array was released/);
  assert.throws(() => adopt(ex, new DataView(new ArrayBuffer(4))), /adopt\(executor, view\): view must be one of/);
});

M('an allocation the arena cannot hold is a RangeError, not a wrapped or corrupt array', async ({ ex }) => {
  for (const [C, n] of [[Uint8Array, 3 * 2 ** 30], [Float64Array, 2 ** 29], [Float32Array, 2 ** 31]]) {
    assert.throws(() => ex.shared(C, n), (e) => e instanceof RangeError && /the shared heap is exhausted/.test(e.message), `${C.name}(${n})`);
  }
  const a = ex.shared(Int32Array, 16);
  a.fill(1);
  assert.is(await reduce(ex, a, 'sum'), 16, 'the executor still works');
  ex.free(a);
});

M('arrays allocated before the memory grew stay valid in every worker', async ({ ex }) => {
  const a = ex.shared(Float64Array, 10_000);
  a.fill(1);
  const big = ex.shared(Uint8Array, 48 * 1024 * 1024);   // forces the memory to grow
  const c = ex.shared(Float64Array, 10_000);
  assert.is(await reduce(ex, a, 'sum'), 10_000);
  await transform(ex, a, c, { op: 'scale', s0: 3 });
  assert.is(await reduce(ex, c, 'sum'), 30_000);
  ex.free(big); ex.free(a); ex.free(c);
});

M.run();
