// Executor.async: every argument and result form, module and inline functions, async functions.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor } from 'beatflow';
import * as tasks from './fixtures/tasks.mjs';
import { fixtures, within, rejection } from './helpers/executor.mjs';

/** uvu's deep equality sees every Map and Set as {}: compare their entries, tagged with the class. */
function comparable(v) {
  if (v instanceof Map) return ['Map', [...v]];
  if (v instanceof Set) return ['Set', [...v]];
  if (v instanceof Date) return ['Date', v.getTime()];
  return v;
}

const Async = suite('executor.async');
Async.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module: fixtures }); });
Async.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

Async('module exports run on workers and return numbers inline', async ({ ex }) => {
  assert.is(await ex.async(tasks.add, 2, 3), 5);
  assert.is(await ex.async(tasks.noop), undefined);
  assert.is(await ex.async(tasks.echo, -0.5), -0.5);
  assert.ok(Number.isNaN(await ex.async(tasks.echo, NaN)));
  assert.is(await ex.async(tasks.echo, Infinity), Infinity);
});

Async('inline self-contained functions are sent by source and run', async ({ ex }) => {
  assert.is(await ex.async((a, b) => a * b, 6, 7), 42);
  assert.is(await ex.async(function named(x) { return `${x}!`; }, 'hi'), 'hi!');
  const obj = { twice(x) { return 2 * x; } };
  assert.is(await ex.async(obj.twice, 21), 42, 'method shorthand');
  assert.is(await ex.async(async (x) => x + 1, 1), 2, 'async arrow');
});

Async('every argument form arrives intact', async ({ ex }) => {
  const forms = [
    [], [1], [1, 2, 3, 4, 5, 6], [true, false, null, undefined], [[1, 2]], [[1, 2, 3]], [[1, 2], [3, 4], [5, 6]],
    ['text', 'ünïcødé ✓'], [{ a: 1, b: [1, 'x', { c: null }] }], [[1, 'mixed']], [new Map([[1, 'a']]), new Set([2])],
    [new Date(86400000)], [12345678901234567890n], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
  ];
  for (const args of forms) {
 const got = await ex.async(tasks.args, ...args);
    assert.equal(got.map(comparable), args.map(comparable), `args ${JSON.stringify(args, (_, v) => typeof v === 'bigint' ? `${v}n` : v)}`);
  }
});

Async('every result form comes back intact', async ({ ex }) => {
  for (const v of [0, 1.5, 'str', true, false, null, undefined, [1, 2], [1, 2, 3], [1, 2, 3, 4], { k: [1, { z: 'q' }] },
    new Map([['m', 1]]), new Float64Array([1.5, 2.5]), 7n]) {
    assert.equal(comparable(await ex.async(tasks.echo, v)), comparable(v));
  }
});

Async('shared arrays travel by reference in both directions, plain typed arrays by copy', async ({ ex }) => {
  const shared = ex.shared(Float64Array, 1000);
  assert.is(shared.length, 1000);
  assert.ok(shared.every((v) => v === 0), 'zeroed');
  assert.is(await ex.async(tasks.fill, shared, 2.5), 1000);
  assert.ok(shared.every((v) => v === 2.5), 'the worker wrote into the same memory');
  assert.is(await ex.async(tasks.sumArray, shared), 2500);
  const view = await ex.async(tasks.makeView, shared, 10);
  assert.ok(view instanceof Float64Array);
  assert.is(view.length, 10);
  assert.is(view.byteOffset, shared.byteOffset, 'a returned view points at the same bytes');
  view[0] = 99;
  assert.is(shared[0], 99);
  const plain = new Float64Array(10);
  await ex.async(tasks.fill, plain, 1);
  assert.ok(plain.every((v) => v === 0), 'a non-shared array is copied, the copy is filled');
  for (const C of [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array]) {
    const a = ex.shared(C, 33);
    await ex.async(tasks.fill, a, 3);
    assert.ok(a.every((v) => v === 3), C.name);
    ex.free(a);
  }
  ex.free(shared);
});

Async('shared arrays stay valid and by-reference across memory growth', async ({ ex }) => {
  const small = ex.shared(Int32Array, 16);
  const big = ex.shared(Uint8Array, 64 * 1024 * 1024);   // forces the memory to grow
  await ex.async(tasks.fill, small, 7);
  await ex.async(tasks.fill, big, 1);
  assert.ok(small.every((v) => v === 7));
  assert.is(big[big.length - 1], 1);
  ex.free(big);
  ex.free(small);
});

Async('a shared array with more than six arguments still goes by reference', async ({ ex }) => {
  const a = ex.shared(Uint16Array, 8);
  await ex.async((arr, a1, a2, a3, a4, a5, a6, a7) => { arr[0] = a1 + a2 + a3 + a4 + a5 + a6 + a7; }, a, 1, 2, 3, 4, 5, 6, 7);
  assert.is(a[0], 28);
});

Async('async (promise-returning) tasks resolve with their awaited value', async ({ ex }) => {
  assert.is(await ex.async(tasks.later, 'done', 5), 'done');
});

Async('many tasks in flight each resolve exactly once with their own value', async ({ ex }) => {
  for (const n of [1, 10, 100, 1000, 20000]) {
    const got = await Promise.all(Array.from({ length: n }, (_, i) => ex.async(tasks.inc, i)));
    assert.ok(got.every((v, i) => v === i + 1), `n=${n}`);
  }
  assert.is(ex.stats().liveTasks, 0, 'every async task slot was returned');
});

Async('more tasks than task slots wait for a slot instead of failing', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures, maxTasks: 1024 });
  const got = await within(Promise.all(Array.from({ length: 5000 }, (_, i) => ex.async(tasks.inc, i))), 20_000, 'backlog');
  assert.ok(got.every((v, i) => v === i + 1));
  await ex.close();
});

Async('values that cannot be sent are refused with a message', async ({ ex }) => {
  const e1 = await rejection(ex.async(Math.max, 1, 2));
  assert.match(e1.message, /native or bound function/);
  const e2 = await rejection(ex.async(tasks.add.bind(null, 1), 2));
  assert.match(e2.message, /native or bound function/);
  const e3 = await rejection(ex.async('not a function'));
  assert.ok(e3 instanceof TypeError);
  assert.match(e3.message, /must be a function/);
});

Async('undefined as the function is refused on the host, also as the first call (a missing export)', async () => {
  for (const call of [(ex) => ex.async(undefined, 1), (ex) => ex.submit(undefined, [1])]) {
    const ex = await Executor.create({ workers: 1, module: fixtures });
    try {
      const e = await rejection(call(ex));
      assert.ok(e instanceof TypeError, String(e));
      assert.match(e.message, /must be a function \(got undefined\)/);
    } finally {
      await ex.close();
    }
  }
});

Async.run();
