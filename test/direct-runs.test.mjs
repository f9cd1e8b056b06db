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
import { Executor, Taskflow, Pipeline, Pipe } from 'beatflow';
import { rejection, within } from './helpers/executor.mjs';
import { least3 } from '../build/src/worker/direct.js';
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

/** Bursts of fn(...args) until a call after one runs directly (true), or 60 bursts did not make one (false). */
async function train(ex, fn, ...args) {
  for (let round = 0; round < 60; round++) {
    await Promise.all(Array.from({ length: 200 }, () => ex.async(fn, ...args).catch(() => {})));
    const { p, direct } = probe(ex, fn, ...args);
    await p.catch(() => {});
    if (direct) return true;
  }
  return false;
}

/**
 * Trains fn on trainArgs, then calls fn(...args): that call's probe once it ran directly (undefined if
 * ten tries did not make one). Three timed runs in a row that a busy machine stretched (a collection, a
 * preemption) send a function back to the slices until a short timing brings it back, so a test asks
 * for the direct call it looks at this way. `settle` lets a deferred try finish (a task that would wait
 * forever holds the one worker, and no direct run happens then); it is called once the worker ran the
 * try, which is when such a task has made what settle() releases.
 */
async function directly(ex, fn, trainArgs, args, settle = () => {}) {
  for (let attempt = 0; attempt < 10; attempt++) {
    if (!(await train(ex, fn, ...trainArgs))) return undefined;
    const r = probe(ex, fn, ...args);
    if (r.direct) return r;
    await ran();
    settle();
    await r.p.catch(() => {});
  }
  return undefined;
}

/** Resolves once a deferred task ran (each task function here writes `globalThis.__ran` first). */
async function ran() {
  while (globalThis.__ran === undefined) await new Promise((r) => setTimeout(r, 1));
}

/**
 * n calls tiny(0), …, tiny(n - 1) in one synchronous burst whose first call ran directly, as `directly`
 * asks for one call (a burst whose first call waits for the worker waits throughout: nothing may
 * overtake it); with the worker's `executed` count before the burst. Undefined if ten tries made none.
 */
async function directBurst(ex, n) {
  for (let attempt = 0; attempt < 10; attempt++) {
    if (!(await train(ex, tiny, 1))) return undefined;
    const before = ex.metrics().workers[0].executed;
    const calls = Array.from({ length: n }, (_, i) => probe(ex, tiny, i));
    if (calls[0].direct) return { calls, before };
    await Promise.all(calls.map((c) => c.p));
  }
  return undefined;
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
  assert.is(directStride(1e-6, 0.1), DIRECT.coarseStride, 'a coarse clock: the longer stride');
  assert.is(directStride(0.05, 0.1), 2, 'windows of one tick on a coarse clock');
  assert.is(directStride(-1), 1, 'a clock that went back');
  assert.is(least3(1, 5, 3), 1);
  assert.is(least3(9, 4, 7), 4);
  assert.is(least3(undefined, undefined, 4), 4);
  assert.is(least3(NaN, 2, 7), 2);
  assert.is(least3(5, NaN, undefined), 5);
  assert.ok(Number.isNaN(least3(undefined, NaN, undefined)));
});

S('a task measured short runs before async() returns; its promise has its value', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    const r = await within(directly(ex, tiny, [1], [21]), 60_000, 'train');
    assert.ok(r, 'never ran directly');
    assert.is(globalThis.__ran, 21);
    assert.is(await r.p, 42);
    // A burst: its calls run directly until three timed runs in a row read long (collections can stretch
    // them), then the rest waits for the worker. Either way each counts once.
    const burst = await within(directBurst(ex, 500), 60_000, 'burst');
    assert.ok(burst, 'no burst ran directly');
    assert.equal(await Promise.all(burst.calls.map((c) => c.p)), Array.from({ length: 500 }, (_, i) => i * 2));
    assert.is(ex.metrics().workers[0].executed - burst.before, 500, 'each direct run counts as executed');
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
      const direct = await within(directly(on, fn, [0], [1]), 60_000, name);
      assert.ok(direct, `${name}: never ran directly`);
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
    assert.ok(await within(directly(ex, mark, [0], [2]), 60_000, 'again'));
    // A graph run starts a microtask after run(): a task submitted right after it still waits for it.
    globalThis.__order = [];
    const tf = new Taskflow('first');
    tf.emplace(() => { (globalThis.__order ??= []).push('graph'); });
    const run = ex.run(tf);
    globalThis.__ran = undefined;
    const low = ex.asyncAt('low', mark, 3);
    assert.is(globalThis.__ran, undefined, 'not before the graph run submitted before it');
    await Promise.all([run, low]);
    assert.equal(globalThis.__order, ['graph', 3]);
  } finally { await ex.close(); }
});

S('a function that became slow stops running directly within maxStride + 3 runs', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    const spin = (ms) => { globalThis.__ran = ms; const end = performance.now() + ms; while (performance.now() < end); return ms; };
    const first = await within(directly(ex, spin, [0], [3]), 60_000, 'train');
    assert.ok(first);
    let directs = 1;
    const ps = [first.p];
    for (let i = 1; i < 12; i++) {
      const { p, direct } = probe(ex, spin, 3);
      if (direct) directs++;
      ps.push(p);
    }
    assert.equal(await Promise.all(ps), Array(12).fill(3));
    assert.ok(directs >= 1 && directs <= DIRECT.maxStride + 3, `${directs} of 12 slow calls ran directly`);
    // The same with each call awaited (a turn per call).
    const again = await within(directly(ex, spin, [0], [3]), 60_000, 'train again');
    assert.ok(again);
    assert.is(await again.p, 3);
    directs = 1;
    for (let i = 1; i < 12; i++) {
      const { p, direct } = probe(ex, spin, 3);
      if (direct) directs++;
      assert.is(await p, 3);
    }
    assert.ok(directs >= 1 && directs <= DIRECT.maxStride + 3, `${directs} of 12 awaited slow calls ran directly`);
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
    assert.ok(await within(directly(ex, takesAny, [1], [null]), 60_000, 'null'), 'null is a plain value');
    const many = (...a) => { globalThis.__ran = 1; return a.length; };
    assert.ok(await within(train(ex, many, 1, 2, 3, 4, 5, 6), 60_000, 'train'), 'six arguments fit the record');
    assert.is(await within(train(ex, many, 1, 2, 3, 4, 5, 6, 7), 60_000, 'train'), false, 'seven spill: another fingerprint');
  } finally { await ex.close(); }
});

S('only the user\'s async and asyncAt run directly: never a pipeline stage\'s call', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    // Where a function ran: its stack holds the worker loop's runTop, or not (a direct run). Read from the
    // call sites, not the formatted stack: formatting took 6–7 µs, near the 10 µs a task must stay under
    // to run directly (DIRECT.maxMs), and a busy moment then kept it in the slices; this takes about 4.
    // (self-contained: an inline task is sent as source)
    const where = (x) => {
      globalThis.__ran = x;
      const format = Error.prepareStackTrace;
      Error.prepareStackTrace = (_, sites) => sites;
      try { (globalThis.__inLoop ??= []).push(new Error().stack.some((c) => c.getFunctionName() === 'runTop')); } finally { Error.prepareStackTrace = format; }
      return x + 1;
    };
    const r = await within(directly(ex, where, [0], [1]), 60_000, 'train');
    assert.ok(r, 'async runs it directly');
    assert.is(globalThis.__inLoop.at(-1), false, 'a direct run is outside the worker loop');
    for (let round = 0; round < 5; round++) {
      globalThis.__inLoop = [];
      const pl = new Pipeline({ lines: 4 }, Pipe.serial(where));
      assert.equal(await within(pl.run(ex, Array.from({ length: 500 }, (_, i) => i)), 30_000, 'pipeline'), { tokens: 500 });
      assert.is(globalThis.__inLoop.length, 500);
      assert.ok(globalThis.__inLoop.every((x) => x), `round ${round}: every stage call ran in the worker loop`);
    }
  } finally { await ex.close(); }
});

S('models.reset() makes direct runs decide afresh', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    assert.ok(await within(train(ex, tiny, 1), 60_000, 'train'));
    ex.models.reset();   // then nothing is predicted: the next call is deferred, whatever the machine's load
    const { p, direct } = probe(ex, tiny, 2);
    assert.is(direct, false, 'no prediction left: deferred');
    assert.is(await p, 4);
    assert.ok(await within(train(ex, tiny, 1), 60_000, 'train again'));
  } finally { await ex.close(); }
});

/** Returns 0 for 0, else a promise: rejected for a negative ms, resolved with { ms } after ms. */
const later = (ms) => {
  globalThis.__ran = ms;
  if (ms === 0) return 0;
  if (ms < 0) return Promise.reject(new RangeError('no ' + ms));
  return new Promise((r) => setTimeout(() => r({ ms }), ms));
};

S('a direct run that returns a promise: its value, its error, and close() waits for it', async () => {
  const ex = await Executor.create({ workers: 0 });
  try {
    const r = await within(directly(ex, later, [0], [40]), 60_000, 'train');
    assert.ok(r);
    assert.equal(await r.p, { ms: 40 });
    assert.is(probe(ex, later, 0).direct, false, 'a function that returned a promise once waits for the worker from then on');
  } finally { await ex.close(); }
  const ex2 = await Executor.create({ workers: 0 });
  try {
    const failed = await within(directly(ex2, later, [0], [-1]), 60_000, 'train');
    assert.ok(failed);
    const e = await rejection(failed.p);
    assert.instance(e, RangeError);
    assert.is(e.message, 'no -1');
    const timer = (ms) => { globalThis.__ran = ms; return ms === 0 ? 0 : new Promise((r) => setTimeout(() => r(ms), ms)); };
    let settled = false;
    const pending = await within(directly(ex2, timer, [0], [60]), 60_000, 'train');
    assert.ok(pending);
    pending.p.then(() => { settled = true; });
    await within(ex2.close(), 10_000, 'close');
    assert.ok(settled, 'close() resolved only after the direct run settled');
  } finally { await ex2.close(); }
});

S('a direct run that never settles: close() times out naming it, destroy() rejects it', async () => {
  // Settles only when the test says so (globalThis is the one thread's: the worker's copy sees it too).
  const never = (a) => { globalThis.__ran = a; return a === 0 ? 0 : new Promise((r) => { (globalThis.__hold ??= []).push(r); }); };
  const release = () => { for (const r of globalThis.__hold ?? []) r(); globalThis.__hold = []; };
  const ex = await Executor.create({ workers: 0, closeTimeout: 200 });
  const hung = await within(directly(ex, never, [0], [1], release), 60_000, 'train');
  assert.ok(hung);
  const report = await within(ex.close(), 10_000, 'close');
  assert.is(report.timedOut, true);
  assert.equal(report.busy, [{ worker: 0, awaiting: ['never'] }]);
  const e = await within(rejection(hung.p), 1_000, 'rejected');
  assert.match(e.message, /close\(\) timed out/);
  assert.match(e.message, /'never' awaiting a promise/);
  const ex2 = await Executor.create({ workers: 0 });
  const hung2 = await within(directly(ex2, never, [0], [1], release), 60_000, 'train');
  assert.ok(hung2);
  await within(ex2.destroy(), 10_000, 'destroy');
  assert.instance(await within(rejection(hung2.p), 1_000, 'rejected'), Error);
});

S('fuzz: direct runs and the plain twin agree on any plain arguments', async () => {
  const on = await Executor.create({ workers: 0 });
  const off = await Executor.create({ workers: 0, learning: false });
  try {
    // Cheap functions (a few µs with their crossing), so most cases run directly; objects are in the table above.
    const fns = [
      (a, b, c) => { globalThis.__ran = 1; return typeof a === typeof b ? c : a === b; },
      (a, b) => { globalThis.__ran = 1; if (typeof a === 'number' && a < 0) throw new RangeError('neg ' + a); return Object.is(a, -0) ? 'negzero' : a; },
      (a, b) => { globalThis.__ran = 1; return typeof a === 'number' && typeof b === 'number' ? [a, b] : String(b); },
    ];
    for (const fn of fns) assert.ok(await within(train(on, fn, 0, 0, 0), 60_000, 'train'));
    const plain = fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constantFrom(-0, NaN, Infinity, -Infinity));
    let runs = 0, directs = 0;
    await fc.assert(fc.asyncProperty(fc.nat(fns.length - 1), fc.array(plain, { maxLength: 3 }), async (k, args) => {
      const a = probe(on, fns[k], ...args);
      const b = probe(off, fns[k], ...args);
      const [x, y] = [await outcome(a.p), await outcome(b.p)];
      assert.equal(x, y);
      assert.is(b.direct, false);
      runs++;
      if (a.direct) directs++;
    }), { seed: 0x5eed, numRuns: 300, interruptAfterTimeLimit: 10_000 });
    assert.ok(directs > 0, `${directs} of ${runs} cases ran directly`);   // most, on a quiet machine
  } finally { await on.close(); await off.close(); }
});

S.run();
