// Direct runs (src/policy/direct.ts, src/worker/direct.ts): in the single-threaded mode, a one-off task
// measured short runs inside async(), on the worker's behalf. What it must keep: the worker's function
// and the worker's outcome (values crossed as copies, errors rebuilt with their class and task name),
// the order of what was submitted before it, the executor's idea of what is still running, and its plain
// twin (learning: false), which never runs one. Each task function writes `globalThis.__ran` first: set
// before async() returns means the task ran directly (the worker shares this thread, so a deferred task
// cannot have run yet).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Executor } from 'beatflow';
import { rejection, within } from './helpers/executor.mjs';
import { median3 } from '../build/src/worker/direct.js';
import { runsNow, directStride, DIRECT } from '../build/src/policy/direct.js';

const S = suite('direct runs');

/** Calls ex.async(fn, ...args): its promise, and whether fn ran before async() returned. */
function probe(ex, fn, ...args) {
  globalThis.__ran = undefined;
  const p = ex.async(fn, ...args);
  const direct = globalThis.__ran !== undefined;
  p.catch(() => {});
  return { p, direct };
}

/** Bursts of fn(...args) until a call runs directly (true), or 60 bursts did not make one (false). */
async function train(ex, fn, ...args) {
  for (let round = 0; round < 60; round++) {
    await Promise.all(Array.from({ length: 200 }, () => ex.async(fn, ...args).catch(() => {})));
    const { p, direct } = probe(ex, fn, ...args);
    await p.catch(() => {});
    if (direct) return true;
  }
  return false;
}

/** What p settles with, as a comparable record. */
async function outcome(p) {
  try {
    const v = await p;
    return { ok: true, v };
  } catch (e) {
    return { ok: false, cls: e?.constructor?.name, name: e?.name, message: e?.message, task: e?.task, thrown: e instanceof Error ? undefined : e };
  }
}

const tiny = (i) => { globalThis.__ran = i; return i * 2; };

S('policy: a task runs now only once measured shorter than the bound', () => {
  assert.is(runsNow(undefined), false);
  assert.is(runsNow(NaN), false);
  assert.is(runsNow(-1), false);
  assert.is(runsNow(0), true);
  assert.is(runsNow(DIRECT.maxMs / 2), true);
  assert.is(runsNow(DIRECT.maxMs), false);
  assert.is(runsNow(Infinity), false);
  assert.is(directStride(1e-6), DIRECT.maxStride, 'tiny runs: the longest stride');
  assert.is(directStride(DIRECT.maxMs / 6), 3, 'three runs fit in half the bound');
  assert.is(directStride(DIRECT.maxMs), 1);
  assert.is(directStride(NaN), 1);
  assert.is(directStride(-1), 1, 'a clock that went back');
  assert.is(median3(1, 5, 3), 3);
  assert.is(median3(9, 1, 1), 1);
  assert.is(median3(undefined, undefined, 4), 4);
  assert.is(median3(undefined, 2, 7), 7);
  assert.ok(Number.isNaN(median3(undefined, NaN, undefined)));
});

S('a task measured short runs before async() returns; its promise has its value', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    assert.ok(await within(train(ex, tiny, 1), 60_000, 'train'), 'never ran directly');
    const { p, direct } = probe(ex, tiny, 21);
    assert.ok(direct);
    assert.is(globalThis.__ran, 21);
    assert.is(await p, 42);
    const before = ex.metrics().workers[0].executed;
    const ps = [];
    for (let i = 0; i < 500; i++) ps.push(ex.async(tiny, i));
    assert.equal(await Promise.all(ps), Array.from({ length: 500 }, (_, i) => i * 2));
    assert.is(ex.metrics().workers[0].executed - before, 500, 'each direct run counts as executed');
  } finally { await ex.close(); }
});

S('learning: false (the plain twin) never runs one directly, with the same results', async () => {
  const ex = await Executor.create({ workers: 0, learning: false });
  try {
    assert.is(await within(train(ex, tiny, 1), 60_000, 'train'), false);
    const { p, direct } = probe(ex, tiny, 21);
    assert.is(direct, false);
    assert.is(await p, 42);
  } finally { await ex.close(); }
});

S('with threads, a task never runs on the caller', async () => {
  const ex = await Executor.create({ workers: 1 });
  try {
    for (let r = 0; r < 5; r++) await Promise.all(Array.from({ length: 200 }, (_, i) => ex.async(tiny, i)));
    const { p, direct } = probe(ex, tiny, 3);
    assert.is(direct, false);
    assert.is(await p, 6);
  } finally { await ex.close(); }
});

// Each case's function, trained until it runs directly with `arg` 0 (a plain value), then called with the
// case's argument; the same calls on a twin with learning off (never direct) give the outcome to match.
const cases = {
  number: (a) => { globalThis.__ran = 1; return a === 0 ? 0 : -0; },
  nan: (a) => { globalThis.__ran = 1; return a === 0 ? 0 : NaN; },
  string: (a) => { globalThis.__ran = 1; return a === 0 ? '' : 'x\u00e9\u{1F600}'; },
  nothing: (a) => { globalThis.__ran = 1; return a === 0 ? 0 : undefined; },
  pair: (a) => { globalThis.__ran = 1; return a === 0 ? 0 : [1.5, -2]; },
  object: (a) => {
    globalThis.__ran = 1;
    if (a === 0) return 0;
    globalThis.__kept ??= { n: 1, list: [1, 2, { deep: true }], when: new Date(0), m: new Map([[1, 'one']]) };
    return globalThis.__kept;
  },
  bigint: (a) => { globalThis.__ran = 1; return a === 0 ? 0 : 2n ** 70n; },
  typeError: (a) => { globalThis.__ran = 1; if (a === 0) return 0; throw new TypeError('bad input ' + a); },
  withCode: (a) => { globalThis.__ran = 1; if (a === 0) return 0; throw Object.assign(new RangeError('out'), { code: 'E_OUT', detail: [1, 2] }); },
  nonError: (a) => { globalThis.__ran = 1; if (a === 0) return 0; throw 42; },
  returnsFunction: (a) => { globalThis.__ran = 1; return a === 0 ? 0 : () => 1; },
  captured: (a) => { globalThis.__ran = 1; if (a === 0) return 0; return notDefinedAnywhere + a; },   // eslint-disable-line no-undef
};

S('a direct run settles as the worker would: values crossed as copies, errors rebuilt', async () => {
  const on = await Executor.create({ workers: 0 });
  const off = await Executor.create({ workers: 0, learning: false });
  try {
    for (const [name, fn] of Object.entries(cases)) {
      assert.ok(await within(train(on, fn, 0), 60_000, name), `${name}: never ran directly`);
      const direct = probe(on, fn, 1);
      assert.ok(direct.direct, `${name}: ran directly`);
      const twin = probe(off, fn, 1);
      assert.is(twin.direct, false);
      const [a, b] = [await outcome(direct.p), await outcome(twin.p)];
      assert.equal(a, b, name);
      if (name === 'number') assert.ok(Object.is(a.v, -0), 'a negative zero stays one');
      if (name === 'object') {
        assert.is.not(a.v, globalThis.__kept, 'a returned object is a copy');
        assert.ok(a.v.m instanceof Map);
      }
      if (!a.ok && name !== 'nonError') assert.is(a.task, name, `${name}: the error names the task`);
    }
  } finally { await on.close(); await off.close(); }
});

S('never overtakes a task submitted before it', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    const mark = (tag) => { globalThis.__ran = tag; (globalThis.__order ??= []).push(tag); return tag; };
    assert.ok(await within(train(ex, mark, 0), 60_000, 'train'));
    globalThis.__order = [];
    const slow = (ms) => { const end = performance.now() + ms; while (performance.now() < end); (globalThis.__order ??= []).push('slow'); };
    const first = ex.async(slow, 2);   // never measured: waits for the worker
    const { p, direct } = probe(ex, mark, 1);
    assert.is(direct, false, 'a task behind one in flight waits its turn');
    await Promise.all([first, p]);
    assert.equal(globalThis.__order, ['slow', 1]);
    // Once nothing is in flight, direct again.
    assert.ok(probe(ex, mark, 2).direct);
  } finally { await ex.close(); }
});

S('a function that became slow stops running directly within maxStride + 2 runs', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    const spin = (ms) => { globalThis.__ran = ms; const end = performance.now() + ms; while (performance.now() < end); return ms; };
    assert.ok(await within(train(ex, spin, 0), 60_000, 'train'));
    let directs = 0;
    const ps = [];
    for (let i = 0; i < 12; i++) {
      const { p, direct } = probe(ex, spin, 3);
      if (direct) directs++;
      ps.push(p);
    }
    assert.equal(await Promise.all(ps), Array(12).fill(3));
    assert.ok(directs >= 1 && directs <= DIRECT.maxStride + 2, `${directs} of 12 slow calls ran directly`);
  } finally { await ex.close(); }
});

S('functions that use `this`, async functions and bad arguments wait for the worker', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    const withThis = function (a) { globalThis.__ran = a; return typeof this.spawn === 'function' ? a : -1; };
    const asyncFn = async (a) => { globalThis.__ran = a; return a; };
    const takesAny = (a) => { globalThis.__ran = 1; return typeof a === 'object' && a !== null ? a.n : a; };
    for (const [fn, arg] of [[withThis, 5], [asyncFn, 5]]) {
      assert.is(await within(train(ex, fn, arg), 60_000, 'train'), false);
      assert.is(await probe(ex, fn, arg).p, 5);
    }
    assert.ok(await within(train(ex, takesAny, 1), 60_000, 'train'));
    const obj = { n: 7 };
    const { p, direct } = probe(ex, takesAny, obj);
    assert.is(direct, false, 'an object argument crosses through the worker');
    assert.is(await p, 7);
    assert.ok(probe(ex, takesAny, null).direct, 'null is a plain value');
  } finally { await ex.close(); }
});

S('a direct run that returns a promise: its value, its error, and close() waits for it', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    const later = (ms) => {
      globalThis.__ran = ms;
      if (ms === 0) return 0;
      if (ms < 0) return Promise.reject(new RangeError('no ' + ms));
      return new Promise((r) => setTimeout(() => r({ ms }), ms));
    };
    assert.ok(await within(train(ex, later, 0), 60_000, 'train'));
    const { p, direct } = probe(ex, later, 40);
    assert.ok(direct);
    assert.equal(await p, { ms: 40 });
    assert.is(probe(ex, later, 0).direct, false, 'a function that returned a promise once waits for the worker from then on');
    const late = later;   // the same function, a second executor: trained afresh
    const ex2 = await Executor.create({ workers: 0 });
    assert.ok(await within(train(ex2, late, 0), 60_000, 'train'));
    const failed = probe(ex2, late, -1);
    assert.ok(failed.direct);
    const e = await rejection(failed.p);
    assert.instance(e, RangeError);
    assert.is(e.message, 'no -1');
    const timer = (ms) => { globalThis.__ran = ms; return ms === 0 ? 0 : new Promise((r) => setTimeout(() => r(ms), ms)); };
    assert.ok(await within(train(ex2, timer, 0), 60_000, 'train'));
    let settled = false;
    const pending = probe(ex2, timer, 60);
    assert.ok(pending.direct);
    pending.p.then(() => { settled = true; });
    await within(ex2.close(), 10_000, 'close');
    assert.ok(settled, 'close() resolved only after the direct run settled');
  } finally { await ex.close(); }
});

S('fuzz: direct runs and the plain twin agree on any plain arguments', async () => {
  const on = await Executor.create({ workers: 0 });
  const off = await Executor.create({ workers: 0, learning: false });
  try {
    const fns = [
      (a, b, c) => { globalThis.__ran = 1; return [typeof a, typeof b, typeof c, String(a), String(b), String(c)].join('|'); },
      (a, b) => { globalThis.__ran = 1; if (typeof a === 'number' && a < 0) throw new RangeError('neg ' + a); return Object.is(a, -0) ? 'negzero' : a; },
      (a) => { globalThis.__ran = 1; return { a, list: [a, a] }; },
    ];
    for (const fn of fns) assert.ok(await within(train(on, fn, 0, 0, 0), 60_000, 'train'));
    const plain = fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constantFrom(-0, NaN, Infinity, -Infinity));
    await fc.assert(fc.asyncProperty(fc.nat(fns.length - 1), fc.array(plain, { maxLength: 3 }), async (k, args) => {
      const a = probe(on, fns[k], ...args);
      const b = probe(off, fns[k], ...args);
      const [x, y] = [await outcome(a.p), await outcome(b.p)];
      assert.equal(x, y);
      assert.is(b.direct, false);
    }), { seed: 0x5eed, numRuns: 300, interruptAfterTimeLimit: 10_000 });
  } finally { await on.close(); await off.close(); }
});

S.run();
