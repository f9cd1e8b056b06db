// Property: every public entry point takes random option bags and argument shapes and either accepts
// them or throws (rejects with) a TypeError or RangeError whose message names the culprit: the option or
// the argument at fault. Each parameter of a call is drawn valid or invalid from a small spec; an invalid
// draw must be refused naming one of the invalid parameters (the order the checks run in is the
// implementation's), and a call with every parameter valid must not be refused at all (it may still
// fail for its own reasons: a cancelled signal, a deadline). Seed: BEATFLOW_FC_SEED.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  Executor, Taskflow, CancellationToken, Pipeline, Pipe, reduce, transform,
} from 'beatflow';
import { within, fixtures } from './helpers/executor.mjs';
import * as tasks from './fixtures/tasks.mjs';
import { holds, settles, outcome, SEED } from './helpers/properties.mjs';

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A parameter drawn valid (weight 3) or invalid (weight 1); `culprit` is what an invalid one's message must name. */
const param = (name, valid, invalid, culprit = new RegExp(esc(name))) => ({ name, valid, invalid, culprit });
/** Values no option takes: for unknown keys and wrong types. */
const junk = fc.oneof(fc.constantFrom(null, true, 'x', -1, 1.5, NaN, Infinity, {}, [], () => 1, Symbol('j')), fc.integer());

/** An option's [valid, invalid] draws: the invalid ones are `extras` and whatever of `junk` isValid refuses. */
const opt = (valid, extras, isValid) => [valid, fc.oneof(fc.constantFrom(...extras), junk.filter((x) => !isValid(x)))];
const isInt = (lo, hi) => (x) => Number.isInteger(x) && x >= lo && x <= hi;
const isFn = (x) => typeof x === 'function';

/** A draw: [values, the invalid parameters]. */
function draws(params) {
  return fc.tuple(...params.map((p) => fc.oneof(
    { weight: 3, arbitrary: p.valid.map((v) => ({ v, bad: undefined })) },
    { weight: 1, arbitrary: p.invalid.map((v) => ({ v, bad: { name: p.name, culprit: p.culprit } })) },
  ))).map((xs) => [xs.map((x) => x.v), xs.filter((x) => x.bad).map((x) => x.bad)]);
}

/**
 * An options bag for `call` from a spec { key: [valid, invalid] }: each key absent, valid or invalid, at
 * most one unknown key; or (rarely) no object at all. Yields { v, bad } like a parameter draw.
 */
function bag(call, spec, { known = Object.keys(spec) } = {}) {
  const keys = Object.keys(spec);
  const entry = (k) => fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: spec[k][0].map((v) => ({ k, v, bad: false })) },
    { weight: 1, arbitrary: spec[k][1].map((v) => ({ k, v, bad: true })) },
  );
  const unknown = fc.oneof({ weight: 6, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !known.includes(k) && k !== '__proto__') });
  const object = fc.tuple(fc.tuple(...keys.map(entry)), unknown, junk).map(([es, extra, x]) => {
    const o = {};
    const bads = [];
    for (const e of es) {
      if (e === undefined) continue;
      o[e.k] = e.v;
      if (e.bad) bads.push(`options.${e.k}`);
    }
    if (extra !== null) { o[extra] = x; bads.push(`unknown option '${extra}'`); }
    return { v: o, bad: bads };
  });
  const notObject = fc.constantFrom(42, 'fast', true, null).map((v) => ({ v, bad: ['options'] }));
  return fc.oneof({ weight: 8, arbitrary: object }, { weight: 1, arbitrary: notObject }, { weight: 1, arbitrary: fc.constant({ v: undefined, bad: [] }) })
    .map(({ v, bad }) => ({ v, bad: bad.length === 0 ? undefined : { name: bad.join(' | '), culprit: new RegExp(bad.map(esc).join('|')) } }));
}

/** The refusals seen, for the report: entry point → [accepted, refused]. */
const counts = new Map();

/**
 * Runs `invoke()` (a call that may throw or return a promise) and checks its outcome against the draw's
 * invalid parameters `bad`.
 */
async function judge(label, bad, invoke) {
  const got = await settles(outcome(Promise.resolve().then(invoke)), 10_000, label);
  const c = counts.get(label) ?? [0, 0];
  counts.set(label, c);
  const refusal = !got.ok && (got.error instanceof TypeError || got.error instanceof RangeError);
  if (bad.length === 0) {
    c[0]++;
    if (refusal) throw new Error(`${label}: refused a valid call: ${got.error.message}`);
    return got;
  }
  c[1]++;
  if (!refusal) throw new Error(`${label}: accepted invalid ${bad.map((b) => b.name).join(', ')} (${got.ok ? 'resolved' : got.error?.stack})`);
  if (!/^beatflow: /.test(got.error.message)) throw new Error(`${label}: not a beatflow message: ${got.error.message}`);
  if (!bad.some((b) => b.culprit.test(got.error.message))) {
    throw new Error(`${label}: the message names none of ${bad.map((b) => b.name).join(', ')}: ${got.error.message}`);
  }
  return got;
}

const report = () => {
  for (const [k, [ok, no]] of counts) console.log(`      ${k}: ${ok} accepted, ${no} refused naming the culprit`);
  counts.clear();
};

// ---- shared specs ----
const priority = opt(fc.constantFrom('critical', 'high', 'normal', 'low'), ['urgent', 'HIGH', 0, 2, null], () => false);
const fnParam = (name) => param(name, fc.constantFrom((x) => x, tasks.inc, function named(a) { return a; }),
  fc.oneof(fc.constantFrom(42, 'fn', null, undefined, {}, Math.max, ((x) => x).bind(null)), junk.filter((x) => typeof x !== 'function')),
  /must be a function|native or bound function/);
const values = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
const aborted = () => AbortSignal.abort('drawn aborted');
const signal = opt(fc.constantFrom(undefined, 'live', 'aborted').map((s) => (s === 'live' ? new AbortController().signal : s === 'aborted' ? aborted() : undefined)),
  [{}, 'signal', 1, new AbortController()], () => false);

// ---
const P = suite('property: every entry point accepts, or refuses naming the culprit');
P.before(async (ctx) => {
  ctx.ex = await Executor.create({ workers: 2, module: fixtures });
  console.log(`    fast-check seed ${SEED} (set BEATFLOW_FC_SEED to replay another)`);
});
P.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

P('async, asyncAt, submit (options: priority, signal, token, timeout, retries, retryDelay, retryIf, name)', async ({ ex }) => {
  const submitOptions = {
    priority,
    signal,
    token: opt(fc.constant(null).map(() => new CancellationToken()), [{}, 'token', 1], () => false),
    timeout: opt(fc.constantFrom(1000, 2500.5), [0, -5, 'x', NaN, Infinity], (x) => typeof x === 'number' && x > 0 && Number.isFinite(x)),
    retries: opt(fc.constantFrom(0, 1, 2), [-1, 1.5, '2', Infinity], isInt(0, Infinity)),
    retryDelay: [fc.constantFrom(0, 3, { base: 1 }, { base: 1, factor: 2, max: 5, jitter: 'none' }, { jitter: 'full' }),
      fc.constantFrom(-1, 'soon', null, { factor: 0.5 }, { jitter: 'some' }, { base: -1 }, { max: 'x' })],
    retryIf: opt(fc.constant(() => true), [1, 'yes', {}], isFn),
    name: opt(fc.string({ maxLength: 5 }), [5, {}, null], (x) => typeof x === 'string'),
  };
  await holds('async/asyncAt/submit', fc.asyncProperty(
    draws([fnParam('fn'), param('priority', ...priority), param('args', fc.array(values, { maxLength: 3 }), fc.oneof(fc.constantFrom(42, 'args', {}), fc.integer()), /args must be an array/)]),
    bag('submit', submitOptions),
    async ([[fn, prio, args], bad], options) => {
      await judge('executor.async', bad.filter((b) => b.name === 'fn'), () => ex.async(fn, ...(Array.isArray(args) ? args : [args])));
      await judge('executor.asyncAt', bad.filter((b) => b.name !== 'args'), () => ex.asyncAt(prio, fn, 1));
      const badSubmit = bad.filter((b) => b.name !== 'priority').concat(options.bad ? [options.bad] : []);
      await judge('executor.submit', badSubmit, () => ex.submit(fn, args, options.v));
    }), { numRuns: 1200, examples: [
      // a fractional timeout is a timeout (the spec once drew 1.5 as invalid: seed 20251206, path 304:0:0:0:1:1)
      [[[(x) => x, 'critical', []], []], { v: { timeout: 1.5, retryIf: () => true, name: '' }, bad: undefined }],
    ] });
  report();
});

P('run, runN, runUntil, release (tf; n; predicate; options: signal, deadline, priority, resume)', async ({ ex }) => {
  const tf = new Taskflow('drawn');
  tf.emplace((x) => x).args(1);
  const tfParam = param('tf', fc.constant(tf), fc.oneof(fc.constantFrom(42, undefined, null, {}, 'tf', new Map()), junk), /tf must be a Taskflow/);
  const runOptions = {
    signal,
    deadline: opt(fc.constantFrom(10_000, 0, -5, 'date').map((d) => (d === 'date' ? new Date(Date.now() + 10_000) : d)),
      ['soon', NaN, Infinity, {}, null, new Date(NaN)], (x) => typeof x === 'number' && Number.isFinite(x)),
    priority,
    resume: opt(fc.boolean(), [1, 'yes', null], (x) => typeof x === 'boolean'),
  };
  await holds('run/runN/runUntil/release', fc.asyncProperty(
    draws([tfParam, param('n', fc.constantFrom(0, 1, 2), fc.constantFrom(-1, 1.5, '2', NaN, null), /n must be a non-negative integer/),
      param('predicate', fc.constant(() => true), fc.oneof(fc.constantFrom(true, 'p', null), fc.integer()), /predicate must be a function/)]),
    bag('run', runOptions),
    async ([[t, n, pred], bad], options) => {
      const o = options.bad ? [options.bad] : [];
      const onlyTf = bad.filter((b) => b.name === 'tf');
      await judge('executor.run', onlyTf.concat(o), () => ex.run(t, options.v));
      await judge('executor.runN', bad.filter((b) => b.name !== 'predicate').concat(o), () => ex.runN(t, n, options.v));
      await judge('executor.runUntil', bad.filter((b) => b.name !== 'n').concat(o), () => ex.runUntil(t, pred, options.v));
      await judge('executor.release', onlyTf, () => ex.release(t));
    }), { numRuns: 700, examples: [
      // runN(tf, 0, options) checked no option values before it ran nothing (seed 20251206, path 14:0:0:0)
      [[[tf, 0, () => true], []], { v: { signal: 0, priority: 'urgent' }, bad: { name: 'options.signal | options.priority', culprit: /options\.signal|options\.priority/ } }],
      [[[42, 1, () => true], [{ name: 'tf', culprit: /tf must be a Taskflow/ }]], { v: undefined, bad: undefined }],
    ] });
  report();
});

P('map (fn, items, options: priority, signal), shared (ctor, length), free (array)', async ({ ex }) => {
  const itemsParam = param('items', fc.oneof(fc.array(fc.integer(), { maxLength: 5 }), fc.constant(new Float64Array([1, 2])), fc.constant(new Set([1, 2]))),
    fc.oneof(fc.constantFrom(42, null, {}, true), fc.integer()), /items must be an array/);
  const ctorParam = param('ctor', fc.constantFrom(Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array),
    fc.constantFrom(Array, Uint8ClampedArray, BigInt64Array, 'Float64Array', null, 8, DataView), /ctor must be one of/);
  const lengthParam = param('length', fc.integer({ min: 0, max: 64 }), fc.oneof(fc.constantFrom(-1, 1.5, '4', NaN, null, Infinity), fc.integer({ max: -1 })), /length must be a non-negative integer/);
  const arrayParam = param('array', fc.constant('fresh'), fc.constantFrom('freed', 'foreign', 'plain', 42, null),
    /executor\.free\(array\)/);
  await holds('map/shared/free', fc.asyncProperty(
    draws([fnParam('fn'), itemsParam, ctorParam, lengthParam, arrayParam]),
    bag('map', { priority, signal }),
    async ([[fn, items, ctor, length, which], bad], options) => {
      await judge('executor.map', bad.filter((b) => b.name === 'fn' || b.name === 'items').concat(options.bad ? [options.bad] : []),
        () => ex.map(fn, items, options.v));
      const made = await judge('executor.shared', bad.filter((b) => b.name === 'ctor' || b.name === 'length'), () => ex.shared(ctor, length));
      if (made.ok) ex.free(made.value);
      let arr = which;
      if (which === 'fresh') arr = ex.shared(Float32Array, 2);
      if (which === 'freed') { arr = ex.shared(Float32Array, 2); ex.free(arr); }
      if (which === 'foreign') arr = new Float32Array(new SharedArrayBuffer(8));
      if (which === 'plain') arr = new Float32Array(2);
      await judge('executor.free', bad.filter((b) => b.name === 'array'), () => ex.free(arr));
    }), { numRuns: 900 });
  report();
});

P('algorithms (reduce, transform: arrays, op, options: partitioner, grain, args, caller, combine, init)', async ({ ex }) => {
  const a = ex.shared(Float64Array, 64).fill(1), out = ex.shared(Float64Array, 64);
  const short = ex.shared(Float64Array, 3);
  const algoOptions = {
    partitioner: opt(fc.constantFrom('guided', 'dynamic', 'static', null), ['fast', 'Static', 1], (x) => x === null),   // null: the default
    grain: opt(fc.constantFrom(1, 8, 1000), [0, -3, 1.5, '8', null, 2 ** 40], isInt(1, 2 ** 31 - 1)),
    caller: opt(fc.boolean(), ['yes', 1, null], (x) => typeof x === 'boolean'),
    args: opt(fc.constant([]), [5, 'args', {}, null], Array.isArray),
    init: opt(fc.constantFrom(0, 2.5), ['x', null, {}, 1n], (x) => typeof x === 'number'),
  };
  const arrParam = (name) => param(name, fc.constant(a), fc.constantFrom([1, 2], new Float64Array(4), 'arr', null, new BigInt64Array(2)), new RegExp(`${name}|input|shared memory`));
  await holds('algorithms', fc.asyncProperty(
    draws([arrParam('array'), param('op', fc.constantFrom('sum', 'min', 'max'), fc.constantFrom('avg', 5, null, 'dot'), /operation must be/),
      param('out', fc.constant(out), fc.constantFrom(short, [0], 'out', null), /out/), param('map op', fc.constantFrom('neg', 'abs', 'sqrt'), fc.constantFrom('negate', 7, null), /operation must be/)]),
    bag('algorithm', algoOptions, { known: ['partitioner', 'grain', 'args', 'caller', 'combine', 'init'] }),
    async ([[arr, op, o, mop], bad], options) => {
      const ob = options.bad ? [options.bad] : [];
      await judge('reduce', bad.filter((b) => b.name === 'array' || b.name === 'op').concat(ob), () => reduce(ex, arr, op, options.v));
      const opts = options.v && typeof options.v === 'object' ? { ...options.v } : options.v;
      if (opts && typeof opts === 'object') delete opts.init;   // init: reduce and scans only (transform ignores it)
      const tb = bad.filter((b) => b.name === 'array' || b.name === 'out' || b.name === 'map op')
        .concat(options.bad && !(options.bad.name === 'options.init') ? [{ ...options.bad, culprit: new RegExp(options.bad.culprit.source.split('|').filter((x) => x !== 'options\\.init').join('|') || 'x^') }] : []);
      await judge('transform', tb.filter((b) => b.name !== 'options.init'), () => transform(ex, arr, o, mop, opts));
    }), { numRuns: 700 });
  report();
});

P('Pipeline, Pipe and pipeline.run (options: lines, name; on, args; signal), CancellationToken', async ({ ex }) => {
  const pipeOptions = fc.oneof(
    { weight: 2, arbitrary: fc.constant({ v: undefined, bad: undefined }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }).map((v) => ({ v, bad: undefined })) },
    { weight: 4, arbitrary: bag('Pipe', {
      name: [fc.string({ maxLength: 4 }), fc.oneof(fc.constantFrom(5, {}, null), fc.integer())],
      on: [fc.constantFrom('worker', 'host'), fc.oneof(fc.constantFrom('gpu', 1, null), fc.integer())],
      args: [fc.constant([]), fc.oneof(fc.constantFrom(5, 'a', {}), fc.integer())],
    }) },
  ).map((b) => (b.v === null || typeof b.v === 'string' ? { v: b.v, bad: undefined } : b));   // a string is a stage name; null: no options
  await holds('pipelines and tokens', fc.asyncProperty(
    draws([param('fn', fc.constantFrom((x) => x, tasks.inc), fc.oneof(fc.constantFrom(42, 'fn', null, {}), junk.filter((x) => !isFn(x))), /fn must be a function/),
      param('pipe', fc.constant('pipe'), fc.constantFrom(42, null, 'pipe2', {}), /pipe 1 must be made by Pipe/),
      param('source', fc.constantFrom([1, 2, 3], new Set([4])), fc.constantFrom(42, null, {}, 'abc'), /source must be an iterable/)]),
    bag('Pipeline', { lines: [fc.integer({ min: 1, max: 8 }), fc.oneof(fc.constantFrom(0, 1.5, 'x', 1e9, null), fc.integer({ max: 0 }))],
      name: [fc.string({ maxLength: 4 }), fc.oneof(fc.constantFrom(5, {}, null), fc.integer())] }),
    pipeOptions,
    bag('pipeline.run', { signal }),
    draws([param('signal', fc.constantFrom(undefined, 'live').map((s) => (s ? new AbortController().signal : undefined)), fc.constantFrom('sig', 1, {}), /signal must be an AbortSignal/),
      param('ms', fc.constantFrom(0, 10, 1e7), fc.constantFrom(-1, 'x', NaN, Infinity, null), /cancelAfter\(ms\)/),
      param('time', fc.constantFrom(new Date(Date.now() + 1e7), Date.now() + 1e7), fc.constantFrom('x', {}, NaN, null), /cancelAt\(time\)/)]),
    async ([[fn, pipeKind, source], bad], lineOpts, pipeOpts, runOpts, [[sig, ms, time], badToken]) => {
      const pipeBad = bad.filter((b) => b.name === 'fn').concat(pipeOpts.bad ? [pipeOpts.bad] : []);
      const made = await judge('Pipe.parallel', pipeBad, () => Pipe.parallel(fn, pipeOpts.v));
      const pipe = made.ok ? made.value : Pipe.serial((x) => x);
      const pipes = pipeKind === 'pipe' ? [pipe] : [pipeKind];
      const linesBad = (lineOpts.bad ? [lineOpts.bad] : []).concat(bad.filter((b) => b.name === 'pipe'));
      if (typeof lineOpts.v === 'object' && lineOpts.v !== null && !('lines' in lineOpts.v)) linesBad.push({ name: 'options.lines', culprit: /options\.lines/ });   // required
      const built = await judge('new Pipeline', lineOpts.v === undefined ? [{ name: 'options', culprit: /options must be an object/ }] : linesBad,
        () => new Pipeline(lineOpts.v, ...pipes));
      if (built.ok) {
        await judge('pipeline.run', bad.filter((b) => b.name === 'source').concat(runOpts.bad ? [runOpts.bad] : []), () => built.value.run(ex, source, runOpts.v));
      }
      const token = await judge('new CancellationToken', badToken.filter((b) => b.name === 'signal'), () => new CancellationToken(sig === undefined ? undefined : { signal: sig }));
      const t = token.ok ? token.value : new CancellationToken();
      await judge('token.cancelAfter', badToken.filter((b) => b.name === 'ms'), () => { t.cancelAfter(ms); t.cancelAfter(1e9); });
      await judge('token.cancelAt', badToken.filter((b) => b.name === 'time'), () => { t.cancelAt(time); t.cancelAfter(1e9); });
      t.cancel();
    }), { numRuns: 700 });
  report();
});

P.run();

// ---
const C = suite('property: Executor.create(options) accepts, or refuses naming the option');
/** Junk with no numbers in it: an executor's numeric options are drawn invalid from their own lists (a valid workers: 200 would start 200 threads). */
const typeJunk = fc.constantFrom(null, true, 'x', '8', {}, [], () => 1, Symbol('j'));
const num = (valid, invalid) => [fc.constantFrom(...valid), fc.oneof(fc.constantFrom(...invalid), typeJunk)];
const createSpec = {
  workers: num([1, 2, 'auto'], [0, -2, 1.5, 'many', 257, NaN]),
  module: [fc.constantFrom(fixtures, fixtures.href, 'test/fixtures/tasks.mjs'), fc.constantFrom(42, '', {}, null, true)],
  maxTasks: num([1024, 4096], [4, 0, 1023, 1.5, 2 ** 25, '1024']),
  maxFunctions: num([1024, 4096], [0, -1, 2 ** 21]),
  maxRuns: num([1, 16], [0, 2 ** 17, 0.5]),
  maxSubflows: num([1, 64], [0, 2 ** 21]),
  resourceLimits: [fc.constantFrom({}, { maxOldGenerationSizeMb: 256 }, { stackSizeMb: 4, maxYoungGenerationSizeMb: 32 }),
    fc.constantFrom(64, null, [1], { maxOldGenMb: 64 }, { stackSizeMb: -1 }, { codeRangeSizeMb: 'x' }, { maxYoungGenerationSizeMb: NaN })],
  spinMicroseconds: num([1, 100], [0, 0.5, 2e6]),
  lingerMicroseconds: num([0, 500], [-1, 2e6]),
  closeTimeout: num([2000, 5000], [0, -1]),
  cancelGrace: num([50, 1000], [0, 4e6]),
  priorityAging: num([0, 16], [-1, 2 ** 21]),
  minWorkers: num([1], [0, 300, 1.5]),
  idleTimeout: num([100, 5000], [0, Infinity]),
  recycleAfterTasks: num([0, 100], [-1, 0.5]),
  recycleAboveHeapMb: num([0, 512], [-1, 2 ** 21]),
  maxQueue: num([0, 1000], [-1, 2 ** 32]),
};

C('random option bags', async () => {
  let started = 0;
  await holds('Executor.create', fc.asyncProperty(bag('Executor.create', createSpec), async (o) => {
    const bad = o.bad ? [o.bad] : [];
    const got = await judge('Executor.create', bad, () => Executor.create(o.v));
    if (got.ok) { started++; await got.value.close(); }
  }), { numRuns: 120, timeLimitMs: 15_000 });
  console.log(`      ${started} executors started`);
  report();
});

C.run();
