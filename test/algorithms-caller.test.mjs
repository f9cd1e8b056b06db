// The calling thread's share of an algorithm (src/algorithms/caller.ts) and lingering workers
// (src/engine/linger.ts): calls with a built-in op over arrays large enough to get helpers, against plain
// references, at 1, 2 and 4 workers; a call whose helpers cannot start (every worker busy) finishes on
// the caller alone without waiting; several executors at once; options.caller and lingerMicroseconds.
import { availableParallelism } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, transform, reduce, transformReduce, minElement, maxElement, inclusiveScan, exclusiveScan, sort } from 'beatflow';
import { fixtures, within, rejection, retired } from './helpers/executor.mjs';
import * as tasks from './fixtures/tasks.mjs';
import { callerHelpers, CALLER_ALONE_NS } from '../build/src/algorithms/partition.js';
import { phaseEnds } from '../build/src/algorithms/caller.js';
import { allocJob, awaitHandBack, handBack, handedBack, resetHandBack, stop, withCore } from '../build/src/algorithms/job.js';
import { engineOf } from '../build/src/engine/engine.js';

// 2^21 items at the kernels' assumed 0.3 ns: about 0.6 ms of work, past CALLER_ALONE_NS, so helpers are spawned.
const N = 1 << 21;
const PARTS = [{ partitioner: 'static' }, { partitioner: 'dynamic' }, { partitioner: 'guided' }, { partitioner: 'dynamic', grain: 1000 }, { partitioner: 'static', grain: 777 }, undefined];

function fill(a, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = (s >>> 28) % 8 - 4; }
  return a;
}

/** Exact checks: every element, the first difference named. */
function same(got, want, what) {
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) assert.unreachable(`${what}: index ${i}: got ${got[i]}, want ${want[i]}`);
}

for (const workers of [1, 2, 4]) {
  const S = suite(`caller share (${workers} worker${workers > 1 ? 's' : ''})`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('transform with an op writes every element once, for every partitioner', async ({ ex }) => {
    const a = fill(ex.shared(Float32Array, N), 1), b = fill(ex.shared(Float32Array, N), 2), out = ex.shared(Float32Array, N);
    const want = Float32Array.from(a, (x, i) => 3 * x + b[i]);
    for (const o of PARTS) {
      out.fill(NaN);
      const r = await transform(ex, [a, b], out, { op: 'axpy', s0: 3 }, o);
      assert.is(r, out);
      same(out, want, `axpy ${JSON.stringify(o)}`);
    }
    for (const v of [a, b, out]) ex.free(v);
  });


  S('reduce and transformReduce with an op equal the reference (i32 sums wrap)', async ({ ex }) => {
    const a = ex.shared(Int32Array, N), b = fill(ex.shared(Int32Array, N), 4);
    let s = 7;
    for (let i = 0; i < N; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s | 0; }
    let sum = 0, dot = 0, min = Infinity, max = -Infinity;
    for (let i = 0; i < N; i++) { sum = (sum + a[i]) | 0; dot = (dot + Math.imul(a[i], b[i])) | 0; min = Math.min(min, a[i]); max = Math.max(max, a[i]); }
    for (const o of PARTS) {
      const what = JSON.stringify(o);
      assert.is(await reduce(ex, a, 'sum', o), sum, `sum ${what}`);
      assert.is(await reduce(ex, a, 'min', o), min, `min ${what}`);
      assert.is(await reduce(ex, a, 'max', o), max, `max ${what}`);
      assert.is(await transformReduce(ex, [a, b], 'dot', o), dot, `dot ${what}`);
      assert.is(await reduce(ex, a, 'sum', { ...o, init: 5 }), (sum + 5) | 0, `sum with init ${what}`);
    }
    ex.free(a); ex.free(b);
  });

  S('minElement / maxElement without a comparator: the first best index, NaN skipped', async ({ ex }) => {
    const a = fill(ex.shared(Float64Array, N), 3);
    a[0] = NaN; a[N - 1] = NaN;
    a[123_457] = -9; a[N - 5] = -9;      // the minimum twice: the first index wins
    a[1_500_001] = 99;
    for (const o of PARTS) {
      assert.is(await minElement(ex, a, o), 123_457, `min ${JSON.stringify(o)}`);
      assert.is(await maxElement(ex, a, o), 1_500_001, `max ${JSON.stringify(o)}`);
    }
    // Equal extremes in different static parts: with grain 1000, index 1500 lies in part 1 and 2500 in
    // part 0; the first index must win however the parts were shared out.
    a.fill(0);
    a[1500] = a[2500] = -1; a[1600] = a[2600] = 1;
    for (const o of [{ partitioner: 'static', grain: 1000 }, { partitioner: 'static', grain: 777 }]) {
      assert.is(await minElement(ex, a, o), 1500, `tied min ${JSON.stringify(o)}`);
      assert.is(await maxElement(ex, a, o), 1600, `tied max ${JSON.stringify(o)}`);
    }
    ex.free(a);
  });

  S('scans and sorts with an op: every partitioner, against the reference', async ({ ex }) => {
    const a = ex.shared(Int32Array, N), out = ex.shared(Int32Array, N);
    let s = 11;
    for (let i = 0; i < N; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s | 0; }
    const inc = new Int32Array(N), exc = new Int32Array(N);
    for (let i = 0, acc = 0; i < N; i++) { exc[i] = (acc + 5) | 0; acc = (acc + a[i]) | 0; inc[i] = acc; }
    const sorted = Int32Array.from(a).sort();
    const f = fill(ex.shared(Float32Array, N), 12);
    f[3] = NaN; f[N - 2] = -0; f[N >> 1] = NaN;
    const fsorted = Float32Array.from(f).sort();
    for (const o of [{ partitioner: 'static' }, { partitioner: 'dynamic' }, { partitioner: 'guided' }, undefined]) {
      const what = JSON.stringify(o);
      out.fill(0);
      await inclusiveScan(ex, a, out, 'sum', o);
      same(out, inc, `inclusiveScan ${what}`);
      await exclusiveScan(ex, a, out, 5, 'sum', o);
      same(out, exc, `exclusiveScan ${what}`);
      out.set(a);
      await sort(ex, out, o);
      same(out, sorted, `sort i32 ${what}`);
    }
    await sort(ex, f);
    for (let i = 0; i < N; i++) if (!Object.is(f[i], fsorted[i])) assert.unreachable(`sort f32: index ${i}: got ${f[i]}, want ${fsorted[i]}`);
    // Their scratch (the scan's chunk list, the sort's second buffer and split list, the job block) is freed.
    await retired(ex);
    const heap = ex.stats().heapBytes;
    await inclusiveScan(ex, a, out, 'sum');
    out.set(a);
    await sort(ex, out);
    await retired(ex);
    assert.is(ex.stats().heapBytes, heap, 'a scan and a sort leave the heap as it was');
    for (const v of [a, out, f]) ex.free(v);
  });

  S.run();
}

const B = suite('caller share: busy workers, several executors, options');

B('with every worker busy the caller runs the whole call (static parts included) without waiting for them', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures });
  const { spin } = await import(fixtures.href);
  try {
    const a = fill(ex.shared(Float32Array, N), 5), want = Float32Array.from(a, (x) => 2 * x);
    const PARTS3 = [{ partitioner: 'static' }, { partitioner: 'guided' }, { partitioner: 'static', grain: 1000 }];
    const outs = PARTS3.map(() => ex.shared(Float32Array, N).fill(NaN));
    const ties = ex.shared(Float32Array, N);
    ties[1500] = ties[2500] = -1;
    const busy = [ex.async(spin, 3000), ex.async(spin, 3000)];
    let blockersDone = false;
    void Promise.all(busy).then(() => { blockersDone = true; });
    await new Promise((r) => setTimeout(r, 200));   // both workers are inside spin()
    for (const [k, o] of PARTS3.entries()) {
      await within(transform(ex, a, outs[k], { op: 'scale', s0: 2 }, o), 1000, `transform ${JSON.stringify(o)} while the workers are busy`);
    }
    // Every helper withdrawn, the caller runs each part with its own share: ties still go to the first index.
    const first = await within(minElement(ex, ties, { partitioner: 'static', grain: 1000 }), 1000, 'minElement');
    // The multi-phase ones too: a scan's two phases, a sort's runs and merges.
    const scanned = ex.shared(Float32Array, N), toSort = ex.shared(Float32Array, N);
    toSort.set(a);
    await within(inclusiveScan(ex, outs[0], scanned, 'max', { partitioner: 'static' }), 1000, 'inclusiveScan while the workers are busy');
    await within(sort(ex, toSort, { partitioner: 'static' }), 2000, 'sort while the workers are busy');
    assert.not.ok(blockersDone, 'the calls finished before the busy tasks did');
    assert.is(first, 1500);
    for (const [k, o] of PARTS3.entries()) same(outs[k], want, `scale ${JSON.stringify(o)}`);
    for (let i = 0, m = -Infinity; i < N; i++) { m = Math.max(m, want[i]); if (scanned[i] !== m) assert.unreachable(`max-scan: index ${i}`); }
    same(toSort, Float32Array.from(a).sort(), 'sort');
    assert.equal(await Promise.all(busy), [3000, 3000]);
  } finally {
    await within(ex.close(), 10_000, 'close');
  }
});

B('with one worker busy, a parked one is woken for the helper', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures, lingerMicroseconds: 0 });
  const { spin } = await import(fixtures.href);
  try {
    const busy = ex.async(spin, 2000);
    await new Promise((r) => setTimeout(r, 200));   // one worker is inside spin(), the other parks
    const at = ex.metrics().workers.map((m) => m.executed);
    const a = fill(ex.shared(Int16Array, 1 << 23), 10), out = ex.shared(Int16Array, 1 << 23);   // JS loops: ~10 ms of work
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await transform(ex, a, out, 'abs', { partitioner: 'dynamic' });
    }
    same(out, Int16Array.from(a, Math.abs), 'abs');
    const ran = ex.metrics().workers.map((m, w) => m.executed - at[w]);
    assert.ok(ran.some((k) => k > 0), `a helper ran on the idle worker (executed per worker: ${ran})`);
    await busy;
  } finally {
    await within(ex.close(), 10_000, 'close');
  }
});

B('calls on two executors at once each use their own memory', async () => {
  const [e1, e2] = await Promise.all([Executor.create({ workers: 2 }), Executor.create({ workers: 1 })]);
  try {
    const a1 = fill(e1.shared(Float32Array, N), 6), a2 = fill(e2.shared(Float32Array, N), 7);
    const o1 = e1.shared(Float32Array, N), o2 = e2.shared(Float32Array, N);
    await Promise.all([
      transform(e1, a1, o1, { op: 'offset', s0: 1 }), transform(e2, a2, o2, { op: 'offset', s0: -1 }),
      transform(e1, a1, o1, { op: 'offset', s0: 1 }), transform(e2, a2, o2, { op: 'offset', s0: -1 }),
    ]);
    same(o1, Float32Array.from(a1, (x) => x + 1), 'executor 1');
    same(o2, Float32Array.from(a2, (x) => x - 1), 'executor 2');
    let s1 = 0, s2 = 0;
    for (let i = 0; i < N; i++) { s1 += a1[i]; s2 += a2[i]; }
    assert.equal(await Promise.all([reduce(e1, a1, 'sum'), reduce(e2, a2, 'sum')]), [s1, s2]);
  } finally {
    await Promise.all([e1.close(), e2.close()]);
  }
});

B('options.caller: false leaves the work to the workers, with the same result; anything but a boolean is refused', async () => {
  const ex = await Executor.create({ workers: 2 });
  try {
    const a = fill(ex.shared(Float32Array, N), 8), out = ex.shared(Float32Array, N);
    await transform(ex, a, out, 'abs', { caller: false });
    same(out, Float32Array.from(a, Math.abs), 'abs without the caller');
    const e = await rejection(transform(ex, a, out, 'abs', { caller: 'yes' }));
    assert.instance(e, TypeError);
    assert.match(e.message, /options\.caller must be true or false/);
  } finally {
    await ex.close();
  }
});

B('a call after close() is refused with a message naming the call, whatever its size', async () => {
  const ex = await Executor.create({ workers: 1 });
  const small = ex.shared(Float32Array, 10), big = ex.shared(Float32Array, N);
  await ex.close();
  for (const a of [small, big]) {
    const e = await rejection(reduce(ex, a, 'sum'));
    assert.match(e.message, /reduce\(executor, array, fn \| op, options\) called after executor\.close\(\)/);
  }
});

B('a sort between its phases: destroy() rejects it like the rest of the work in flight; close() lets it finish', async () => {
  for (const how of ['destroy', 'close']) {
    const ex = await Executor.create({ workers: 2 });
    const a = fill(ex.shared(Float32Array, 1 << 22), 13), want = Float32Array.from(a).sort();
    const call = sort(ex, a).then(() => 'resolved', (e) => e);   // its first phase ran on the caller already; the others are to come
    await within(how === 'destroy' ? ex.destroy() : ex.close(), 10_000, how);
    const outcome = await within(call, 10_000, `the sort after ${how}()`);
    if (how === 'destroy') {
      assert.instance(outcome, Error);
      assert.match(outcome.message, /destroyed before this task finished/);
    } else {
      assert.is(outcome, 'resolved');
      same(a, want, 'sorted, the later phases on the caller alone');
    }
  }
});

B('the caller works alone below CALLER_ALONE_NS, and keeps a CPU of its own above it', () => {
  assert.is(callerHelpers(1000, 0.3, 4, 8), 0);
  assert.is(callerHelpers(Math.floor(CALLER_ALONE_NS / 0.3) - 1, 0.3, 4, 8), 0);
  assert.is(callerHelpers(1e7, 0.3, 4, 8), 4, 'fewer workers than CPUs: every worker');
  assert.is(callerHelpers(1e7, 0.3, 8, 8), 7, 'as many workers as CPUs: one CPU for the caller');
  assert.is(callerHelpers(1e7, 0.3, 2, 2), 1);
  assert.is(callerHelpers(1e7, 0.3, 2, 1), 0, 'one CPU: the caller alone');
});

B('a lingering worker parks soon after the host clears the word, however many rounds it was set to', async () => {
  const ex = await Executor.create({ workers: 2, module: fixtures });
  try {
    const core = engineOf(ex, 'test').core;
    const sleepers = () => Atomics.load(core.i32, (core.L.header + core.L.H_sleepers) >> 2);
    const parked = (n, what) => within((async () => { while (sleepers() < n) await new Promise((r) => setTimeout(r, 5)); })(), 2000, what);
    await ex.async(tasks.noop);
    await parked(2, 'both workers park at first');
    core.x.setLinger(0x7fffffff);          // rounds that would take minutes
    await ex.async(tasks.noop);            // wakes a worker, which spins on after the task
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(sleepers() < 2, 'a worker is lingering');
    core.x.setLinger(0);
    await parked(2, 'it parks once the word is cleared');
  } finally {
    engineOf(ex, 'test').core.x.setLinger(0);
    await ex.close();
  }
});

B('lingerMicroseconds: workers linger while calls come in and stop lingering after it; 0 never lingers', async () => {
  for (const us of [20_000, 0]) {
    const ex = await Executor.create({ workers: 2, lingerMicroseconds: us });
    try {
      const core = engineOf(ex, 'test').core;
      const word = () => Atomics.load(core.u32, (core.L.header + core.L.H_linger) >> 2);
      const a = fill(ex.shared(Float32Array, N), 9);
      assert.is(word(), 0, 'not before the first call');
      await reduce(ex, a, 'sum');
      if (us === 0 || availableParallelism() < 2) { assert.is(word(), 0, 'no lingering (lingerMicroseconds 0, or one CPU: no helpers)'); continue; }
      assert.ok(word() > 0, 'set after a call');
      await new Promise((r) => setTimeout(r, 5));
      await reduce(ex, a, 'sum');
      assert.ok(word() > 0, 'still set after a second call');
      await within((async () => { while (word() !== 0) await new Promise((r) => setTimeout(r, 5)); })(), 2000, 'the linger word clears');
    } finally {
      await ex.close();
    }
  }
  for (const bad of [-1, 1.5, 'x', 2_000_000]) {
    const e = await rejection(Executor.create({ workers: 1, lingerMicroseconds: bad }));
    assert.match(e.message, /lingerMicroseconds/);
  }
});

B.run();

const H = suite('caller share: helpers hand their partials back in the job block');

H('a hand-back fills its slot and counts in DONE; the wait ends on the count, on STOP at once, or at its deadline', async () => {
  const ex = await Executor.create({ workers: 1 });
  try {
    const core = engineOf(ex, 'test').core;
    withCore(core, () => {
      const job = allocJob(3);
      assert.ok(awaitHandBack(job, 0, 0), 'nothing to wait for');
      handBack(job, 1, 2.5);
      handBack(job, 2, undefined);
      assert.ok(awaitHandBack(job, 2, 1000), 'both counted');
      assert.is(handedBack(job, 1), 2.5);
      assert.ok(Number.isNaN(handedBack(job, 2)), 'no partial: NaN, which the plans that have none ignore');
      let t0 = performance.now();
      assert.not.ok(awaitHandBack(job, 3, 20_000), 'a third never came');
      assert.ok(performance.now() - t0 >= 19, 'waited for its deadline');
      resetHandBack(job);
      assert.not.ok(awaitHandBack(job, 1, 0), 'reset: none counted');
      stop(job);
      t0 = performance.now();
      assert.not.ok(awaitHandBack(job, 1, 10_000_000), 'STOP: a failed helper never hands back');
      assert.ok(performance.now() - t0 < 1000, 'STOP ends the wait at once');
      core.x.heapFree(job);
      // A driving task's helpers (no slots) report only through their task's result; a partial that is
      // not a number cannot travel as an f64, so the helper fails loudly and stops the others.
      const driven = allocJob();
      handBack(driven, 1, 7);
      assert.not.ok(awaitHandBack(driven, 1, 0), 'no slots: not counted');
      core.x.heapFree(driven);
      const odd = allocJob(2);
      assert.throws(() => handBack(odd, 1, [1, 2]), /must be a number/);
      assert.not.ok(awaitHandBack(odd, 1, 10_000_000), 'STOP was set');
      core.x.heapFree(odd);
    });
  } finally {
    await ex.close();
  }
});

H('calls in a row free their job block while their helpers retire: every result exact, no block or slot left behind', async () => {
  for (const workers of [2, 4]) {
    const ex = await Executor.create({ workers });
    try {
      const a = fill(ex.shared(Int32Array, N), 21), out = ex.shared(Int32Array, N);
      let sum = 0;
      for (let i = 0; i < N; i++) sum = (sum + a[i]) | 0;
      await reduce(ex, a, 'sum');
      await transform(ex, a, out, { op: 'scale', s0: 1 });   // the first call of each registers its function (the entry stays)
      await retired(ex);
      const heap = ex.stats().heapBytes;
      for (let k = 0; k < 60; k++) {
        const o = PARTS[k % PARTS.length];
        if (k % 3 === 0) {
          const s0 = k - 30;
          await transform(ex, a, out, { op: 'scale', s0 }, o);
          for (let i = k; i < N; i += 4099) if (out[i] !== Math.imul(a[i], s0)) assert.unreachable(`call ${k}: out[${i}] = ${out[i]}, want ${Math.imul(a[i], s0)}`);
        } else {
          assert.is(await reduce(ex, a, 'sum', o), sum, `call ${k} ${JSON.stringify(o)}`);
        }
      }
      await retired(ex);
      assert.is(ex.stats().heapBytes, heap, `${workers} workers: the heap is as it was`);
    } finally {
      await ex.close();
    }
  }
});

H('back-to-back awaited calls settle their retired helpers: the slots stay free for other work', async () => {
  const ex = await Executor.create({ workers: 2, maxTasks: 1024, module: fixtures });
  try {
    const a = fill(ex.shared(Float32Array, N), 23);
    const want = await reduce(ex, a, 'sum', { caller: false });
    const before = phaseEnds.handedBack;
    let peak = 0;
    for (let k = 0; k < 600; k++) {   // no timer or I/O turn in between: the pump never runs
      assert.is(await reduce(ex, a, 'sum'), want, `call ${k}`);
      peak = Math.max(peak, ex.stats().liveTasks);
    }
    if (availableParallelism() >= 2) assert.ok(phaseEnds.handedBack > before, 'the calls ended by their hand-backs');
    // Piled-up slots would be one or more per call (600 and up). A helper retires moments after its call
    // (tens live at once on a quiet machine), but a worker kept off its CPU can leave some queued for a
    // while, so the bound is far from both.
    const tf = new Taskflow('after the calls');
    for (let i = 0; i < 600; i++) tf.emplace(tasks.add).args(1, i);
    await ex.run(tf);   // 600 slots of the 1024: fails if the helpers' slots piled up
    assert.ok(peak < 256, `${peak} tasks live at once during the calls (a helper retires moments after its call)`);
  } finally {
    await ex.close();
  }
});

H("a released helper's outcome is ignored (a crash is not unhandled), its slot still comes back, and other tasks still settle", async () => {
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  const ex = await Executor.create({ workers: 2, module: fixtures });
  try {
    const { spin } = await import(fixtures.href);
    const h = engineOf(ex, 'test').helper(spin, [5000]);
    h.release();
    const core = engineOf(ex, 'test').core;
    await within((async () => { while (![0, 1].some((w) => core.runningOn(w).length > 0)) await new Promise((r) => setTimeout(r, 5)); })(), 2000, 'the helper starts');
    assert.is(await within(ex.async(tasks.add, 2, 3), 2000, 'an ordinary task settles while the released one runs'), 5);
    await ex._killWorker([0, 1].find((w) => core.runningOn(w).length > 0));
    await retired(ex, 5000);   // its slot came back through the crash
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(unhandled, [], 'the crash of a released helper is nobody\'s rejection');
    assert.is(await within(ex.async(tasks.add, 4, 5), 5000, 'the executor still works'), 9);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await ex.close();
  }
});

H.run();
