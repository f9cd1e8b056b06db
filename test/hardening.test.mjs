// What users hand the host, hardened: nothing a task returns or throws may crash the host or stall the
// completion loop; values that cannot cross threads are refused with a DataCloneError (never silently
// changed); freed shared arrays are refused everywhere; run/release/shared/options name their culprit;
// a cancelled token wins over a retried task's own error. Each test here failed before its fix.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Executor, Taskflow, CancellationToken, CancelledError, DataCloneError, MapError, transform, reduce, adopt,
} from 'beatflow';
import { rebuildError, isPlainError } from '../build/src/errors.js';
import { errorToPlain } from '../build/src/engine/codec.js';
import { engineOf } from '../build/src/engine/engine.js';
import { within, rejection, retired, fixtures } from './helpers/executor.mjs';

/** A suite whose tests share one executor (2 workers, the fixtures module), closed after the last. */
function executorSuite(name) {
  const s = suite(name);
  s.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module: fixtures }); });
  s.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });
  return s;
}

/** Names of Object.prototype members (and its legacy accessors): a lookup by name in a plain object finds them. */
const PROTO_NAMES = ['toString', 'hasOwnProperty', 'valueOf', 'constructor', '__proto__', '__defineGetter__',
  'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__lookupSetter__'];

// ---
const Rebuild = executorSuite('errors with odd names and properties come back as errors, never crash the host');

const throwNamed = (name) => { const e = new Error(`named ${name}`); e.name = name; e.code = 7; throw e; };

Rebuild('async, submit, map, a graph run and ctx.join each reject with the named error; the pump goes on', async ({ ex }) => {
  for (const name of PROTO_NAMES) {
    const e1 = await within(rejection(ex.async(throwNamed, name)), 5000, `async ${name}`);
    assert.instance(e1, Error, name);
    assert.is(e1.name, name);
    assert.is(e1.message, `named ${name}`);
    assert.is(e1.code, 7);
    assert.is(Object.getPrototypeOf(e1), Error.prototype, `${name}: a plain Error`);
    const e2 = await within(rejection(ex.submit(throwNamed, [name], { name: 'sub' })), 5000, `submit ${name}`);
    assert.is(e2.name, name);
    assert.is(e2.task, 'sub');
    const e3 = await within(rejection(ex.map(throwNamed, [name, name])), 5000, `map ${name}`);
    assert.instance(e3, MapError);
    assert.equal(e3.errors.map((e) => e.name), [name, name]);
    const tf = new Taskflow('odd');
    tf.emplace(throwNamed).args(name).name('thrower');
    const e4 = await within(rejection(ex.run(tf)), 5000, `run ${name}`);
    assert.is(e4.name, name);
    assert.is(e4.task, 'thrower');
    await ex.release(tf);
    const e5 = await within(rejection(ex.async(function parent(n) {
      const child = (m) => { const e = new Error('deep'); e.name = m; throw e; };
      return this.join(this.spawn(child, n));
    }, name)), 5000, `join ${name}`);
    assert.is(e5.name, name, 'rethrown by ctx.join in the worker, then rebuilt on the host');
  }
  assert.is(await ex.async((x) => x + 1, 1), 2, 'the completion loop still runs');
});

Rebuild('an own property named __proto__ (or constructor) is a property, not a prototype', async ({ ex }) => {
  const e = await rejection(ex.async(() => {
    const err = new TypeError('p');
    Object.defineProperty(err, '__proto__', { value: { polluted: true }, enumerable: true });
    err.constructor = 'not a function';
    throw err;
  }));
  assert.instance(e, TypeError);
  assert.is(Object.getPrototypeOf(e), TypeError.prototype);
  assert.ok(Object.hasOwn(e, '__proto__'));
  assert.equal(Object.getOwnPropertyDescriptor(e, '__proto__').value, { polluted: true });
  assert.is(e.constructor, 'not a function');
  assert.is(({}).polluted, undefined);
});

Rebuild('odd throws: no prototype, a revoked Proxy, throwing getters, a symbol, undefined, an Error named by a getter', async ({ ex }) => {
  const cases = [
    [() => { throw Object.create(null); }, /non-Error value: an object/],
    [() => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); throw proxy; }, /non-Error value/],
    [() => { const e = new Error('g'); Object.defineProperty(e, 'bad', { get() { throw new Error('getter'); }, enumerable: true }); throw e; }, /^g$/],
    [() => { throw Symbol('s'); }, /non-Error value: Symbol\(s\)/],
    [() => { throw undefined; }, /non-Error value: undefined/],
    [() => { const e = new RangeError('r'); Object.defineProperty(e, 'name', { get() { throw new Error('name'); } }); throw e; }, /^r$/],
    [() => { const e = new Error('fn prop'); e.handler = () => 1; e.ok = [1, { a: 2 }]; throw e; }, /^fn prop$/],
  ];
  for (const [fn, re] of cases) {
    const e = await within(rejection(ex.async(fn)), 5000, String(re));
    assert.instance(e, Error);
    assert.match(e.message, re);
  }
  const e = await rejection(ex.async(() => { const e = new Error('x'); e.handler = () => 1; e.ok = [1, { a: 2 }]; throw e; }));
  assert.is(e.handler, undefined, 'a property that cannot be cloned is left out');
  assert.equal(e.ok, [1, { a: 2 }], 'one that can is kept, objects included');
});

Rebuild('Error values (returned, not thrown) with odd names come back as errors', async ({ ex }) => {
  const got = await ex.async((names) => names.map((n) => Object.assign(new Error(`v ${n}`), { name: n })), PROTO_NAMES);
  got.forEach((e, i) => {
    assert.instance(e, Error, PROTO_NAMES[i]);
    assert.is(e.name, PROTO_NAMES[i]);
    assert.is(e.message, `v ${PROTO_NAMES[i]}`);
  });
  const [agg, typed] = await ex.async(() => [new AggregateError([new Error('in')], 'agg', { cause: 5 }), new TypeError('t')]);
  assert.instance(agg, AggregateError);
  assert.is(agg.message, 'agg');
  assert.is(agg.cause, 5);
  assert.instance(typed, TypeError);
});

Rebuild('rebuildError and errorToPlain never throw, whatever the record or the thrown value holds', () => {
  for (const plain of [null, 42, {}, { __error: true }, { __error: true, name: 5, message: {}, props: 'x' },
    { __error: true, name: '__proto__', props: [['__proto__', 1], [3, 4], 'junk'] }, { __error: true, name: 'hasOwnProperty', stack: 9 }]) {
    const e = rebuildError(plain, 't');
    assert.instance(e, Error);
    assert.is(e.task, 't');
  }
  for (const thrown of [Object.create(null), Symbol('x'), { get a() { throw new Error('g'); } }, 10n, () => 1]) {
    const p = errorToPlain(thrown);
    assert.ok(isPlainError(p));
  }
});

Rebuild('an outcome that cannot be read rejects that one promise, frees its slot, and the loop goes on', async ({ ex }) => {
  const codec = engineOf(ex, 'test').codec;
  const readResult = codec.readResult;
  let armed = true;
  codec.readResult = function (p) {
    if (armed) { armed = false; throw new RangeError('decoder broke'); }
    return readResult.call(this, p);
  };
  try {
    const [a, b] = await Promise.allSettled([ex.async((x) => x, { big: 'value' }), ex.async((x) => x * 2, 21)]);
    const failed = [a, b].filter((r) => r.status === 'rejected');
    assert.is(failed.length, 1);
    assert.match(failed[0].reason.message, /outcome of task .* could not be read on the host \(decoder broke\)/);
    assert.instance(failed[0].reason.cause, RangeError);
  } finally {
    codec.readResult = readResult;
  }
  await retired(ex);
  assert.is(await ex.async((x) => x + 1, 41), 42);
});

Rebuild('a retryIf that throws rejects its task with that error; the pump goes on', async ({ ex }) => {
  const e = await rejection(ex.submit(() => { throw new Error('attempt'); }, [], { retries: 3, retryIf: () => { throw new Error('bad predicate'); } }));
  assert.match(e.message, /retryIf threw deciding whether to retry task '.*': bad predicate/);
  assert.is(e.cause.message, 'bad predicate');
  assert.is(await ex.async((x) => x + 1, 1), 2);
});

Rebuild.run();

// ---
const Clone = executorSuite('values that cannot cross threads are refused with a DataCloneError');

const refusedValues = () => [
  [function handler() {}, /function handler cannot be cloned/],
  [{ deep: [1, { cb: () => 1 }] }, /at \.deep\[1\]\.cb cannot be cloned: functions never cross threads/],
  [Symbol('s'), /Symbol\(s\) cannot be cloned/],
  [new WeakMap(), /a WeakMap cannot be cloned/],
  [new WeakSet(), /a WeakSet cannot be cloned/],
  [new WeakRef({}), /a WeakRef cannot be cloned/],
  [Promise.resolve(1), /a Promise cannot be cloned: await it/],
  [new Map([['k', () => 1]]), /<Map value 0>/],
  [new Set([Symbol.iterator]), /<Set item 0>/],
  [new Number(3), /a Number object .* pass the primitive/],
  ['bad \uD800 surrogate', /lone surrogate/],
  [JSON.parse('{"__proto__": 1}'), /own property named '__proto__'/],
  [new SharedArrayBuffer(8), /a SharedArrayBuffer .* did not allocate/],
  [new Int32Array(new SharedArrayBuffer(8)), /an Int32Array on a SharedArrayBuffer the executor did not allocate/],
  [new Error('e', { cause: () => 1 }), /at \.cause cannot be cloned/],
];

Clone('async and submit arguments: refused, naming the argument, the task and the path', async ({ ex }) => {
  for (const [v, re] of refusedValues()) {
    const e = await rejection(ex.async(function echo(a, b) { return b; }, 1, v));
    assert.instance(e, DataCloneError, String(re));
    assert.is(e.name, 'DataCloneError');
    assert.match(e.message, /^beatflow: argument 2 of task 'echo' cannot be sent to another thread: /);
    assert.match(e.message, re);
    const s = await rejection(ex.submit((a) => a, [v], { name: 'named', retries: 2 }));
    assert.instance(s, DataCloneError);
    assert.match(s.message, /argument 1 of task 'named'/);
  }
  const many = await rejection(ex.async((...a) => a.length, 1, 2, 3, 4, 5, 6, 7, () => 8));
  assert.match(many.message, /argument 8 of task/, 'spilled argument lists too');
});

Clone('map items and results, graph task args, return values, and ctx.spawn args', async ({ ex }) => {
  const item = await rejection(ex.map((x) => x, [1, 2, new WeakMap()]));
  assert.instance(item, DataCloneError);
  assert.match(item.message, /item 2 of executor\.map\(fn, items\)/);
  const results = await rejection(ex.map((x) => (x === 1 ? { f() {} } : x), [0, 1, 2]));
  assert.instance(results, MapError);
  assert.equal(results.indices, [1]);
  assert.instance(results.errors[0], DataCloneError);
  assert.match(results.errors[0].message, /returned for item 1 .* at \.f cannot be cloned/);
  assert.equal(results.results, [0, undefined, 2]);
  const tf = new Taskflow('g');
  tf.emplace((a) => a).args(1);
  tf.emplace((a, b) => b).args(1, new WeakSet()).name('loader');
  const run = await rejection(ex.run(tf));
  assert.instance(run, DataCloneError);
  assert.match(run.message, /argument 2 of task 'loader'/);
  assert.is(run.task, 'loader');
  await ex.release(tf);
  const ret = await rejection(ex.async(function maker() { return { later: Promise.resolve(1) }; }));
  assert.instance(ret, DataCloneError);
  assert.match(ret.message, /the value task 'maker' returned cannot be sent .* a Promise at \.later/);
  assert.is(ret.task, 'maker');
  const graph = new Taskflow('returns');
  const [maker, user] = graph.emplace(() => ({ f() {} }), (x) => x);
  maker.name('maker').precede(user);
  const gret = await rejection(ex.run(graph));
  assert.instance(gret, DataCloneError);
  assert.is(gret.task, 'maker');
  assert.match(gret.message, /the value task 'maker' returned cannot be sent .* at \.f cannot be cloned/);
  await ex.release(graph);
  const spawned = await rejection(ex.async(function parent() { return this.join(this.spawn((f) => f, () => 1)); }));
  assert.instance(spawned, DataCloneError);
  assert.match(spawned.message, /argument 1 cannot be sent/);
  await retired(ex);
});

Clone('what structured clone copies is copied: class instances arrive as their own properties; no toJSON', async ({ ex }) => {
  class Point { constructor() { this.x = 1; this.y = [2]; } norm() { return 0; } toJSON() { return 'json'; } }
  assert.equal(await ex.async((p) => [Object.getPrototypeOf(p) === Object.prototype, p], new Point()), [true, { x: 1, y: [2] }]);
  function Legacy() { this.a = 1; }
  Legacy.prototype.method = function method() { return 2; };   // enumerable, but not the instance's own
  assert.equal(await ex.async((o) => o, new Legacy()), { a: 1 });
  const v = { m: new Map([[{ k: 1 }, new Set([1n, -(2n ** 80n)])]]), d: new Date(5), r: /a+/gi, u: new Uint8ClampedArray([1, 300]), e: new RangeError('r', { cause: 1 }) };
  const back = await ex.async((x) => x, v);
  assert.equal(back.m, v.m);
  assert.is(back.d.getTime(), 5);
  assert.is(String(back.r), '/a+/gi');
  assert.equal(back.u, v.u);
  assert.instance(back.e, RangeError);
  assert.is(back.e.cause, 1);
});

Clone('shared arrays inside another value travel by reference, both ways, and through map', async ({ ex }) => {
  const a = ex.shared(Float64Array, 3), b = ex.shared(Int32Array, 2);
  const r = await ex.async((o) => { o.a[0] = 7; o.list[1][0] = 9; return { same: o.a, m: new Map([[o.list[1], 1]]) }; }, { a, list: [1, b] });
  assert.is(a[0], 7, 'written by the worker through a nested view');
  assert.is(b[0], 9);
  assert.is(r.same.buffer, a.buffer);
  assert.is(r.same.byteOffset, a.byteOffset);
  assert.is([...r.m.keys()][0].byteOffset, b.byteOffset);
  const offsets = await ex.map((it) => { Atomics.add(it.c, 0, it.k); return it.c; }, [{ c: b, k: 1 }, { c: b, k: 2 }]);
  assert.is(b[0], 12);
  assert.equal(offsets.map((v) => v.byteOffset), [b.byteOffset, b.byteOffset]);
  const dv = await rejection(ex.async((x) => x, new DataView(a.buffer, a.byteOffset, 8)));
  assert.match(dv.message, /a DataView on the executor's shared memory cannot be cloned/);
  ex.free(a); ex.free(b);
});

Clone('shared substructure, cycles and deep nesting are walked once per object; past 1000 levels is refused', async ({ ex }) => {
  let dag = [1];
  for (let i = 0; i < 40; i++) dag = [dag, dag];   // 2^40 paths, 41 arrays
  const depth = await within(ex.async((v) => { let d = 0; while (Array.isArray(v)) { v = v[1]; d++; } return d; }, dag), 5000, 'a DAG');
  assert.is(depth, 41);
  const ring = { name: 'a' };
  ring.next = { name: 'b', next: { name: 'c', next: ring, cb: () => 1 } };
  assert.match((await rejection(ex.async((x) => x, ring))).message, /at \.next\.next\.cb cannot be cloned/);
  const nest = (n) => { let v = 1; for (let i = 0; i < n; i++) v = { v }; return v; };
  assert.is(await ex.async((x) => { let d = 0; while (typeof x === 'object') { x = x.v; d++; } return d; }, nest(1000)), 1000);
  assert.match((await rejection(ex.async((x) => x, nest(1001)))).message, /nested more than 1000 levels deep/);
});

Clone('DataCloneError is exported, and comes back as its class from a worker', async ({ ex }) => {
  const e = await rejection(ex.async(() => { const e = new Error('mine'); e.name = 'DataCloneError'; throw e; }));
  assert.instance(e, DataCloneError);
  assert.is(e.message, 'mine');
});

Clone.run();

// ---
const Freed = executorSuite('freed shared arrays are refused everywhere, saying "already freed"');

Freed('async, submit, map, algorithms, graph args, adopt and a second free all refuse it', async ({ ex }) => {
  const a = ex.shared(Float64Array, 16);
  ex.free(a);
  const next = ex.shared(Float64Array, 16);   // likely the same memory: the freed view would alias it
  const already = /already freed/;
  for (const p of [ex.async((x) => x, a), ex.submit((x) => x, [1, a]), ex.map((x) => x, [1, a]), ex.map((x) => x, [{ inner: a }]),
    transform(ex, a, next, 'neg'), transform(ex, next, a, 'neg'), reduce(ex, a, 'sum')]) {
    const e = await rejection(p);
    assert.match(e.message, already);
  }
  const tf = new Taskflow('freed');
  tf.emplace((x) => x).args(a).name('user');
  const run = await rejection(ex.run(tf));
  assert.match(run.message, /argument 1 of task 'user' .* already freed/);
  await ex.release(tf);
  assert.throws(() => adopt(ex, a), already);
  assert.throws(() => ex.free(a), /executor\.free\(array\): the Float64Array from executor\.shared\(\) was already freed/);
  assert.throws(() => ex.free(new Float64Array(2)), /did not come from executor\.shared\(\)/);
  assert.equal(Array.from(next), new Array(16).fill(0), 'nothing wrote through the freed view');
  ex.free(next);
  const sealed = Object.preventExtensions(ex.shared(Int32Array, 0));   // cannot take the mark: remembered aside
  ex.free(sealed);
  assert.match((await rejection(ex.async((x) => x, sealed))).message, already);
  await retired(ex);
});

Freed.run();

// ---
const Gaps = suite('smaller gaps: run, release, shared, options name their culprit');
Gaps.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 2, module: fixtures }); });

Gaps('run/runN/runUntil/release take only a Taskflow, and run refuses unknown or mistyped options', async ({ ex }) => {
  for (const bad of [42, undefined, {}, null, 'tf']) {
    assert.match((await rejection(ex.run(bad))).message, /executor\.run\(tf, options\): tf must be a Taskflow/);
    assert.match((await rejection(ex.runN(bad, 0))).message, /executor\.runN\(tf, n\): tf must be a Taskflow/);
    assert.match((await rejection(ex.runUntil(bad, () => true))).message, /executor\.runUntil\(tf, predicate\): tf must be a Taskflow/);
    assert.match((await rejection(ex.release(bad))).message, /executor\.release\(tf\): tf must be a Taskflow/);
  }
  const tf = new Taskflow('t');
  tf.emplace(() => 1);
  const e = await rejection(ex.run(tf, { priorty: 'high' }));
  assert.instance(e, TypeError);
  assert.match(e.message, /executor\.run\(tf, options\): unknown option 'priorty' \(known options: signal, deadline, priority, resume\)/);
  assert.match((await rejection(ex.run(tf, 'fast'))).message, /options must be an object/);
  assert.match((await rejection(ex.run(tf, { resume: 1 }))).message, /options\.resume must be true or false/);
  assert.match((await rejection(ex.runN(tf, 0, { bogus: 1 }))).message, /unknown option 'bogus'/);
  assert.ok(await ex.run(tf, { priority: 'high', resume: false }));
});

Gaps('shared() after close() is refused; free() still works', async ({ ex }) => {
  const a = ex.shared(Int32Array, 4);
  await ex.close();
  assert.throws(() => ex.shared(Int32Array, 4), /executor\.shared\(\) called after close\(\) or destroy\(\)/);
  ex.free(a);
});

Gaps('maxTasks below 1024 is refused (not raised silently); resourceLimits keys and values are checked', async () => {
  const e = await rejection(Executor.create({ maxTasks: 4 }));
  assert.instance(e, TypeError);
  assert.match(e.message, /options\.maxTasks must be an integer from 1024 to 16777216 \(got 4\)/);
  for (const [limits, re] of [
    [{ maxOldGenMb: 64 }, /options\.resourceLimits: unknown option 'maxOldGenMb' \(known options: maxYoungGenerationSizeMb, maxOldGenerationSizeMb, codeRangeSizeMb, stackSizeMb\)/],
    [{ maxOldGenerationSizeMb: -1 }, /options\.resourceLimits\.maxOldGenerationSizeMb must be a positive number of MB \(got -1\)/],
    [{ stackSizeMb: '4' }, /options\.resourceLimits\.stackSizeMb must be a positive number/],
    [{ codeRangeSizeMb: NaN }, /codeRangeSizeMb/],
    [[64], /options\.resourceLimits must be an object/],
  ]) {
    const err = await rejection(Executor.create({ workers: 1, resourceLimits: limits }));
    assert.instance(err, TypeError);
    assert.match(err.message, re);
  }
  const ex = await Executor.create({ workers: 1, maxTasks: 1024, resourceLimits: { maxOldGenerationSizeMb: 256, stackSizeMb: 4 } });
  assert.is(await ex.async((x) => x, 3), 3);
  await ex.close();
});

Gaps.run();

// ---
const Cancel = executorSuite('a cancelled token wins over a retried task');

Cancel('cancelled while an attempt runs, which then fails with its own error: CancelledError, not retried', async ({ ex }) => {
  const n = ex.shared(Int32Array, 1);
  const token = new CancellationToken();
  const p = ex.submit((c) => {
    Atomics.add(c, 0, 1);
    const end = Date.now() + 150;
    while (Date.now() < end);   // ignores the token, then fails on its own
    throw new TypeError('own failure');
  }, [n], { token, retries: 3, retryDelay: 1, name: 'stubborn' });
  await new Promise((r) => setTimeout(r, 40));
  token.cancel('user stop');
  const e = await within(rejection(p), 5000, 'settles');
  assert.instance(e, CancelledError);
  assert.match(e.message, /task 'stubborn' was cancelled: user stop/);
  assert.is(e.cause, 'user stop');
  assert.instance(e.suppressed[0], TypeError);
  assert.is(e.suppressed[0].message, 'own failure');
  assert.is(n[0], 1, 'not retried');
  ex.free(n);
});

Cancel('cancelled while it backs off between attempts: CancelledError, no further attempt', async ({ ex }) => {
  const n = ex.shared(Int32Array, 1);
  const token = new CancellationToken();
  const p = ex.submit((c) => { Atomics.add(c, 0, 1); throw new TypeError('always'); }, [n], { token, retries: 5, retryDelay: 300 });
  const t0 = Date.now();
  while (Atomics.load(n, 0) === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 2));
  await new Promise((r) => setTimeout(r, 20));
  token.cancel('enough');
  const e = await within(rejection(p), 5000, 'settles');
  assert.instance(e, CancelledError);
  assert.is(n[0], 1);
  ex.free(n);
});

Cancel('an attempt that succeeds despite the cancellation resolves with its value', async ({ ex }) => {
  const token = new CancellationToken();
  const p = ex.submit(() => { const end = Date.now() + 80; while (Date.now() < end); return 'done'; }, [], { token, retries: 2 });
  await new Promise((r) => setTimeout(r, 20));
  token.cancel();
  assert.is(await within(p, 5000, 'settles'), 'done');
});

Cancel.run();
