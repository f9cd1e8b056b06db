// executor.map(fn, items): results in item order for every kind of value, errors per item, async items,
// shared arrays by reference, cancellation, bad input named, and each item run exactly once over
// growing sizes while workers steal blocks from each other.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, CancelledError } from 'beatflow';
import { fixtures, within, rejection, retired } from './helpers/executor.mjs';
import * as tasks from './fixtures/tasks.mjs';
import { MapError } from '../build/src/errors.js';
import { mapGrain } from '../build/src/policy/scheduling.js';

const ex = await Executor.create({ workers: 2, module: fixtures });

test('results come back in item order, whatever their kind', async () => {
  const items = [1, -0.5, 'text', { a: [1, 2] }, null, true, false, undefined, [1, 2], new Map([[1, 'x']]), 2n ** 70n, NaN];
  const out = await ex.map(tasks.echo, items);
  assert.equal(out.slice(0, 11), items.slice(0, 11));
  assert.ok(Number.isNaN(out[11]));
  assert.equal(await ex.map((x) => typeof x, items), items.map((x) => typeof x));
});

test('numbers from typed arrays, iterables, and an empty list', async () => {
  assert.equal(await ex.map((x) => x * 2, new Float64Array([1.5, 2, 3])), [3, 4, 6]);
  assert.equal(await ex.map((x) => x + 1, new Int32Array([-1, 7])), [0, 8]);
  assert.equal(await ex.map(tasks.inc, new Set([1, 2, 3])), [2, 3, 4]);
  assert.equal(await ex.map(tasks.inc, (function* () { yield 10; yield 20; })()), [11, 21]);
  assert.equal(await ex.map(tasks.inc, []), []);
});

test('an item that throws fails alone: a MapError lists each failed item, in item order, and keeps the results', async () => {
  const n = 5000;
  const items = Array.from({ length: n }, (_, i) => i);
  const err = await rejection(ex.map((x) => { if (x % 1000 === 7) throw new RangeError(`bad ${x}`); return x * 10; }, items));
  assert.instance(err, MapError);
  assert.instance(err, AggregateError);
  assert.equal(err.indices, [7, 1007, 2007, 3007, 4007]);
  assert.equal(err.errors.map((e) => e.message), ['bad 7', 'bad 1007', 'bad 2007', 'bad 3007', 'bad 4007']);
  assert.ok(err.errors.every((e) => e instanceof RangeError));
  assert.match(err.message, /5 of 5000 items failed \(item 7: bad 7\)/);
  assert.is(err.results.length, n);
  for (let i = 0; i < n; i++) assert.is(err.results[i], i % 1000 === 7 ? undefined : i * 10);
});

test('async items are awaited; a rejected one is that item\'s error', async () => {
  assert.equal(await ex.map(tasks.later, [1, 2, 3]), [1, 2, 3]);
  const err = await rejection(ex.map(async (x) => { if (x === 2) throw new Error('no two'); return x; }, [1, 2, 3]));
  assert.equal(err.indices, [1]);
  assert.equal(err.results, [1, undefined, 3]);
});

test('a result the codec cannot send back fails its item, not the call', async () => {
  const err = await rejection(ex.map((x) => (x === 1 ? Symbol('not sendable') : x), [0, 1, 2, 'x']));
  assert.equal(err.indices, [1]);
  assert.equal(err.results, [0, undefined, 2, 'x']);
});

test('shared arrays travel by reference, in and out', async () => {
  const a = ex.shared(Float32Array, 4), b = ex.shared(Int32Array, 3);
  const out = await ex.map((arr) => { arr.fill(7); return arr; }, [a, b]);
  assert.equal([...a], [7, 7, 7, 7]);
  assert.equal([...b], [7, 7, 7]);
  assert.is(out[0].buffer.byteLength > 0 && out[0].byteOffset, a.byteOffset);
  ex.free(a); ex.free(b);
});

test('every item runs exactly once, over growing sizes, and nothing stays allocated', async () => {
  const once = (v) => { Atomics.add(v, 0, 1); return v.byteOffset; };
  const warm = ex.shared(Int32Array, 1);
  await ex.map(once, [warm]);   // registers the function (its source stays in the function table)
  ex.free(warm);
  const heap0 = ex.stats().heapBytes;
  for (const n of [1, 2, 15, 16, 17, 31, 33, 100, 1023, 1025, 4097, 20000, 100001]) {
    const counts = ex.shared(Int32Array, n);
    const items = Array.from({ length: n }, (_, i) => counts.subarray(i, i + 1));   // shared views: by reference
    const got = await ex.map(once, items);
    assert.is(got.length, n);
    for (let i = 0; i < n; i++) if (got[i] !== counts.byteOffset + 4 * i || counts[i] !== 1) assert.unreachable(`n = ${n}: item ${i} gave ${got[i]} and ran ${counts[i]} times`);
    ex.free(counts);
  }
  await retired(ex);
  assert.is(ex.stats().heapBytes, heap0, 'job blocks and encoded blocks are freed');
});

test('blocks are sized for the workers: at least 16 per worker, at most 1024 items', () => {
  assert.is(mapGrain(1, 2), 1);
  assert.is(mapGrain(32, 2), 1);
  assert.is(mapGrain(33, 2), 2);
  assert.is(mapGrain(100_000, 2), 1024);
  assert.is(mapGrain(100_000, 8), 782);
});

test('an aborted signal cancels the call: later items never start, the promise rejects with a CancelledError', async () => {
  const started = ex.shared(Int32Array, 1);
  const ctl = new AbortController();
  const call = ex.map(([s, ms]) => { Atomics.add(s, 0, 1); const end = Date.now() + ms; while (Date.now() < end); }, Array.from({ length: 200 }, () => [started, 20]), { signal: ctl.signal });
  await new Promise((r) => setTimeout(r, 50));
  ctl.abort('enough');
  const err = await within(rejection(call), 5000, 'the cancelled call settles');
  assert.instance(err, CancelledError);
  assert.is(err.cause, 'enough');
  assert.ok(started[0] < 200, `${started[0]} of 200 items started`);
  const before = await rejection(ex.map(tasks.inc, [1], { signal: AbortSignal.abort('early') }));
  assert.instance(before, CancelledError);
  ex.free(started);
});

test('bad input is named', async () => {
  assert.match((await rejection(ex.map(42, [1]))).message, /executor\.map\(fn, items\): fn must be a function/);
  assert.match((await rejection(ex.map(tasks.inc, 42))).message, /items must be an array, a typed array or an iterable \(got 42\)/);
  assert.match((await rejection(ex.map(tasks.inc, [1], { prio: 'high' }))).message, /unknown option 'prio'/);
  assert.match((await rejection(ex.map(tasks.inc, [1], { priority: 'urgent' }))).message, /options\.priority must be one of/);
  assert.match((await rejection(ex.map(tasks.inc, [1], { signal: {} }))).message, /options\.signal must be an AbortSignal/);
  assert.equal(await ex.map(tasks.inc, [1, 2], { priority: 'high' }), [2, 3]);
});

test('after close(), map is refused with a message naming it', async () => {
  const ex2 = await Executor.create({ workers: 1, module: fixtures });
  await ex2.close();
  assert.match((await rejection(ex2.map(tasks.inc, [1]))).message, /executor\.map\(\) called after close\(\) or destroy\(\)/);
});

test.after(() => ex.close());
test.run();
