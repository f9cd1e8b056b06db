// Property: any value crossing threads — an argument, a result, a map item or result, a thrown error, an
// Error value — arrives equal (by the codec's documented rule, docs/api.md "Arguments and results") or
// is refused with a DataCloneError; never a crash, a hang, or a silent change. Random values come from
// fast-check's `anything` plus Map/Set/Date/BigInt/typed arrays, the executor's shared arrays (which
// travel by reference, nested or not), and markers the test turns into things that cannot cross
// (functions, symbols, weak collections, promises, boxed primitives, lone surrogates, '__proto__' keys,
// views on a foreign SharedArrayBuffer, a freed shared array). An independent oracle (`mustRefuse`) says
// which values must be refused. Seed: BEATFLOW_FC_SEED (helpers/properties.mjs).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Executor, DataCloneError, MapError, CancelledError, TimeoutError, GraphError } from 'beatflow';
import { within } from './helpers/executor.mjs';
import { holds, settles, outcome, SEED } from './helpers/properties.mjs';

// ---- markers: plain strings here, turned into what they name by `revive` (on the host or in a worker) ----
const MARKERS = ['\u0000fn', '\u0000sym', '\u0000weakmap', '\u0000weakset', '\u0000weakref', '\u0000promise', '\u0000boxed',
  '\u0000surrogate', '\u0000protokey', '\u0000foreign'];

/** v with every marker replaced by what it names; shares nothing with v. Self-contained: it runs in workers as source. */
function revive(v) {
  const seen = new Map();
  const go = (x) => {
    if (typeof x === 'string' && x.charCodeAt(0) === 0) {
      switch (x) {
        case '\u0000fn': return function marked() { return 1; };
        case '\u0000sym': return Symbol('marked');
        case '\u0000weakmap': return new WeakMap();
        case '\u0000weakset': return new WeakSet();
        case '\u0000weakref': return new WeakRef({});
        case '\u0000promise': { const p = Promise.resolve(1); return p; }
        case '\u0000boxed': return new Number(4);
        case '\u0000surrogate': return 'lone \uD83D here';
        case '\u0000protokey': return JSON.parse('{"__proto__": 1}');
        case '\u0000foreign': return new Int16Array(new SharedArrayBuffer(4));
      }
      return x;
    }
    if (typeof x !== 'object' || x === null) return x;
    if (ArrayBuffer.isView(x) || x instanceof Date || x instanceof RegExp || x instanceof ArrayBuffer || x instanceof Error) return x;
    if (seen.has(x)) return seen.get(x);
    if (Array.isArray(x)) { const out = []; seen.set(x, out); for (const y of x) out.push(go(y)); return out; }
    if (x instanceof Map) { const out = new Map(); seen.set(x, out); for (const [k, y] of x) out.set(go(k), go(y)); return out; }
    if (x instanceof Set) { const out = new Set(); seen.set(x, out); for (const y of x) out.add(go(y)); return out; }
    if (x instanceof Number || x instanceof String || x instanceof Boolean) return x;
    const out = Object.getPrototypeOf(x) === null ? Object.create(null) : {};
    seen.set(x, out);
    for (const k of Object.keys(x)) Object.defineProperty(out, k, { value: go(x[k]), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return go(v);
}

const STD_ERRORS = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };

/** The oracle: must the codec refuse v? (`ctx.isMemory(buffer)`: the executor's memory; `ctx.freed`: arrays freed.) */
function mustRefuse(v, ctx, seen = new Set()) {
  switch (typeof v) {
    case 'function': case 'symbol': return true;
    case 'string': return !v.isWellFormed();
    case 'object': break;
    default: return false;
  }
  if (v === null || seen.has(v)) return false;
  seen.add(v);
  if (ArrayBuffer.isView(v)) {
    if (!(v.buffer instanceof SharedArrayBuffer)) return false;
    return ctx.freed.has(v) || !ctx.isMemory(v.buffer) || v instanceof DataView || v instanceof Uint8ClampedArray ||
      v instanceof BigInt64Array || v instanceof BigUint64Array;
  }
  if (v instanceof SharedArrayBuffer || v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef ||
    v instanceof Number || v instanceof String || v instanceof Boolean) return true;
  if (v instanceof Date || v instanceof RegExp || v instanceof ArrayBuffer) return false;
  const rec = (x) => mustRefuse(x, ctx, seen);
  if (v instanceof Error) return rec(v.name) || rec(v.message) || rec(v.cause);
  if (Array.isArray(v)) return v.some(rec);
  if (v instanceof Map) return [...v].some(([k, x]) => rec(k) || rec(x));
  if (v instanceof Set) return [...v].some(rec);
  return Object.keys(v).some((k) => k === '__proto__' || !k.isWellFormed() || rec(v[k]));
}

/**
 * Did `got` arrive as the codec's rule says `want` must? Equal structure and values; an executor.shared()
 * array is the same memory; -0 may arrive as 0 inside an encoded value (top: never); an object with no
 * prototype arrives as a plain object; an Error keeps its name, message and cause.
 */
function same(want, got, depth = 0, pairs = new Map()) {
  if (typeof want === 'number') return Object.is(want, got) || (depth > 0 && want === 0 && got === 0);
  if (typeof want !== 'object' || want === null) return Object.is(want, got);
  if (typeof got !== 'object' || got === null) return false;
  if (pairs.has(want)) return pairs.get(want) === got;
  pairs.set(want, got);
  const rec = (a, b) => same(a, b, depth + 1, pairs);
  if (ArrayBuffer.isView(want)) {
    if (!ArrayBuffer.isView(got) || got.constructor !== want.constructor || got.byteLength !== want.byteLength) return false;
    if (want.buffer instanceof SharedArrayBuffer) return got.buffer instanceof SharedArrayBuffer && got.byteOffset === want.byteOffset;
    const a = new Uint8Array(want.buffer, want.byteOffset, want.byteLength), b = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
    return a.every((x, i) => x === b[i]);
  }
  if (want instanceof Date) return got instanceof Date && Object.is(want.getTime(), got.getTime());
  if (want instanceof RegExp) return got instanceof RegExp && got.source === want.source && got.flags === want.flags;
  if (want instanceof ArrayBuffer) return got instanceof ArrayBuffer && same(new Uint8Array(want), new Uint8Array(got), depth, pairs);
  if (want instanceof Error) {
    const C = Object.hasOwn(STD_ERRORS, want.name) ? STD_ERRORS[want.name] : Error;
    return got instanceof C && got.name === want.name && got.message === want.message && rec(want.cause, got.cause);
  }
  if (Array.isArray(want)) return Array.isArray(got) && got.length === want.length && want.every((x, i) => rec(x, got[i]));
  if (want instanceof Map) {
    if (!(got instanceof Map) || got.size !== want.size) return false;
    const g = [...got];
    return [...want].every(([k, x], i) => rec(k, g[i][0]) && rec(x, g[i][1]));
  }
  if (want instanceof Set) {
    if (!(got instanceof Set) || got.size !== want.size) return false;
    const g = [...got];
    return [...want].every((x, i) => rec(x, g[i]));
  }
  if (Object.getPrototypeOf(got) !== Object.prototype) return false;
  const wk = Object.keys(want), gk = Object.keys(got);
  return wk.length === gk.length && wk.every((k) => Object.hasOwn(got, k) && rec(want[k], got[k]));
}

// ---- arbitraries ----
const oddKey = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'then', 'length', '0');
const surrogateString = fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 3 }))
  .map(([a, c, b]) => a + String.fromCharCode(c) + b);
const errorName = fc.oneof(fc.constantFrom('Error', 'TypeError', 'RangeError', 'SyntaxError', 'URIError', 'EvalError', 'ReferenceError',
  'AggregateError', 'DataCloneError', 'CancelledError', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf',
  '__defineGetter__'), fc.string({ maxLength: 8 }));

/** A value: `anything`, with the executor's shared arrays (`pool`) and markers among the leaves. */
function valueArb(pool, { markers = true, depth = 3 } = {}) {
  const leaves = [
    { arbitrary: fc.string({ maxLength: 8 }), weight: 6 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }), weight: 2 },
    { arbitrary: surrogateString, weight: 1 },
    { arbitrary: fc.double(), weight: 4 },
    { arbitrary: fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 31) - 1, 2 ** 32), weight: 2 },
    { arbitrary: fc.integer(), weight: 4 },
    { arbitrary: fc.bigInt(), weight: 2 },
    { arbitrary: fc.constantFrom(true, false, null, undefined), weight: 2 },
    { arbitrary: fc.date({ noInvalidDate: false }), weight: 1 },
    { arbitrary: fc.tuple(errorName, fc.string({ maxLength: 6 }), fc.option(fc.integer())).map(([n, m, c]) => {
      const e = new Error(m, c === null ? undefined : { cause: c });
      e.name = n;
      return e;
    }), weight: 1 },
    { arbitrary: fc.constantFrom(...pool), weight: 2 },
  ];
  if (markers) leaves.push({ arbitrary: fc.constantFrom(...MARKERS), weight: 2 });
  return fc.anything({
    maxDepth: depth, maxKeys: 4, key: fc.oneof({ arbitrary: fc.string({ maxLength: 6 }), weight: 8 }, { arbitrary: oddKey, weight: 1 }),
    values: leaves.map((l) => fc.oneof(l)), withMap: true, withSet: true, withDate: true, withBigInt: true, withTypedArray: true,
    withNullPrototype: true, withBoxedValues: true, withSparseArray: false,
  }).chain((v) => fc.oneof(
    { arbitrary: fc.constant(v), weight: 9 },
    { arbitrary: fc.constant(v).map((x) => { const o = { x }; o.self = o; o.again = [o, x]; return o; }), weight: 1 },   // cycles, shared parts
  ));
}

/** Judged outcomes since the last report: how many were refused, how many arrived equal. */
const tally = { refused: 0, equal: 0 };
const report = (label) => { console.log(`      ${label}: ${tally.equal} arrived equal, ${tally.refused} refused (or left out)`); tally.refused = tally.equal = 0; };

/** A task that returns a promise is awaited: the marker's promise resolves with 1. */
const awaited = (v) => (v instanceof Promise ? 1 : v);

/** Checks what came back for `want` (after revive): refused with a DataCloneError iff the oracle says so, else equal. */
function judge(want, got, ctx, where) {
  tally[mustRefuse(want, ctx) ? 'refused' : 'equal']++;
  if (mustRefuse(want, ctx)) {
    if (got.ok) throw new Error(`${where}: accepted a value that must be refused; got back ${fc.stringify(got.value)}`);
    if (!(got.error instanceof DataCloneError)) throw new Error(`${where}: refused with ${got.error?.name}: ${got.error?.message}`);
    if (!/^beatflow: .* cannot be sent to another thread: /.test(got.error.message)) throw new Error(`${where}: unclear message ${got.error.message}`);
    return;
  }
  if (!got.ok) throw new Error(`${where}: refused a value that can cross: ${got.error?.stack ?? got.error}`);
  if (!same(want, got.value)) throw new Error(`${where}: changed on the way: got ${fc.stringify(got.value)}`);
}

// ---
const P = suite('property: values through async and map arrive equal or are refused with a DataCloneError');
P.before(async (ctx) => {
  const ex = ctx.ex = await Executor.create({ workers: 2 });
  ctx.pool = [ex.shared(Float64Array, 3), ex.shared(Int32Array, 2), ex.shared(Uint8Array, 5), ex.shared(Int8Array, 0)];
  const gone = ex.shared(Float32Array, 2);
  ex.free(gone);
  ctx.freed = new Set([gone]);
  ctx.withFreed = [...ctx.pool, gone];
  ctx.isMemory = (buffer) => buffer.byteLength > 1024;   // the executor's memory; the foreign marker's buffer has 4 bytes
  console.log(`    fast-check seed ${SEED} (set BEATFLOW_FC_SEED to replay another)`);
});
P.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

const echo = (x) => x;
const echoSecond = (a, b) => b;
const poisoned = `(${revive.toString()})`;   // the worker-side reviver, as source
// eslint-disable-next-line no-new-func
const reviveInWorker = new Function(`return function poison(v) { return ${poisoned}(v); }`)();

/** Regression cases found while writing this (kept explicit; each failed once). */
const REGRESSIONS = [
  [-0], [[-0, 1]], [{ a: -0 }], ['\uD800'], [{ ['\uDFFF']: 1 }], [JSON.parse('{"__proto__": {"x": 1}}')],
  [Object.assign(new Error('e'), { name: 'toString' })], [Object.assign(new Error('e'), { name: '__proto__' })],
  [new AggregateError([], 'agg')], [new Map([['__proto__', 1]])], [Object.create(null)], [[new Number(1)]], ['\u0000promise'],
];

/** Regressions with the executor's shared arrays: one array twice in a cyclic value stays one view (seed 20251206, path 96). */
function sharedRegressions(ctx) {
  const [f64, i32, u8] = ctx.pool;
  const cyclic = { x: u8 };
  cyclic.self = cyclic;
  cyclic.again = [cyclic, u8];
  const map = new Map([['', f64]]);
  const cyclicMap = { x: map };
  cyclicMap.self = cyclicMap;
  cyclicMap.again = [cyclicMap, map];
  return [[cyclic], [cyclicMap], [{ a: i32, b: [i32, { c: i32 }] }], [new Set([f64, u8])], [[...ctx.withFreed]]];
}

P('arguments: async(echo, v) and async(echoSecond, 1, v)', async (ctx) => {
  const { ex } = ctx;
  await holds('async arguments', fc.asyncProperty(valueArb(ctx.withFreed), async (raw) => {
    const v = revive(raw);
    judge(v, await settles(outcome(ex.async(echo, v)), 5000, 'async'), ctx, 'async(echo, v)');
    judge(v, await settles(outcome(ex.async(echoSecond, 1, v)), 5000, 'async 2'), ctx, 'async(echoSecond, 1, v)');
  }), { numRuns: 2000, examples: [...REGRESSIONS, ...sharedRegressions(ctx)] });
  report('async arguments');
});

P('results: a worker returns revive(v), built on its side', async (ctx) => {
  const { ex } = ctx;
  await holds('results', fc.asyncProperty(valueArb(ctx.pool), async (raw) => {
    const want = revive(raw);
    const got = await settles(outcome(ex.async(reviveInWorker, raw)), 5000, 'result');
    if (mustRefuse(raw, ctx)) return judge(raw, got, ctx, 'the raw argument');   // a key fast-check made ('__proto__', a lone surrogate)
    judge(awaited(want), got, ctx, 'the value returned');
  }), { numRuns: 1500, examples: REGRESSIONS.filter(([v]) => !mustRefuse(v, ctx)) });
  report('results');
});

P('map: items and results, one refused item refuses the call; results refused per item', async (ctx) => {
  const { ex } = ctx;
  await holds('map items', fc.asyncProperty(fc.array(valueArb(ctx.withFreed, { depth: 2 }), { maxLength: 6 }), async (raws) => {
    const items = raws.map(revive);
    const got = await settles(outcome(ex.map(echo, items)), 5000, 'map');
    const first = items.findIndex((v) => mustRefuse(v, ctx));
    if (first >= 0) {
      tally.refused++;
      if (got.ok || !(got.error instanceof DataCloneError)) throw new Error(`map accepted item ${first}, which must be refused`);
      if (!got.error.message.includes(`item ${first} of executor.map`)) throw new Error(`map named another item: ${got.error.message}`);
      return;
    }
    judge(items, got, ctx, 'map(echo, items)');
  }), { numRuns: 600 });
  report('map items');
  await holds('map results', fc.asyncProperty(fc.array(valueArb(ctx.pool, { depth: 2 }), { maxLength: 6 }), async (raws) => {
    const got = await settles(outcome(ex.map(reviveInWorker, raws)), 5000, 'map results');
    if (raws.some((r) => mustRefuse(r, ctx))) { if (got.ok || !(got.error instanceof DataCloneError)) throw new Error('raw item accepted'); tally.refused++; return; }
    const wants = raws.map((r) => awaited(revive(r)));
    const bad = wants.flatMap((w, i) => (mustRefuse(w, ctx) ? [i] : []));
    if (bad.length === 0) return judge(wants, got, ctx, 'map results');
    tally.refused++;
    if (got.ok || !(got.error instanceof MapError)) throw new Error(`map results: expected a MapError for items ${bad}`);
    assert.equal(got.error.indices, bad);
    for (const e of got.error.errors) if (!(e instanceof DataCloneError)) throw new Error(`map results: ${e?.name} ${e?.message}`);
    wants.forEach((w, i) => { if (!bad.includes(i) && !same(w, got.error.results[i])) throw new Error(`map result ${i} changed`); });
  }), { numRuns: 500 });
  report('map results');
});

const thrower = (name, message, props, kind) => {
  const e = kind === 'type' ? new TypeError(message) : new Error(message);
  Object.defineProperty(e, 'name', { value: name, writable: true, enumerable: false, configurable: true });
  for (const [k, v] of props) Object.defineProperty(e, k, { value: v, writable: true, enumerable: true, configurable: true });
  throw e;
};

const REBUILT = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, DataCloneError, CancelledError, TimeoutError, GraphError };

P('thrown errors with odd names and properties: rebuilt with name, message, class and the properties that can cross', async (ctx) => {
  const { ex } = ctx;
  const props = fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 6 }), oddKey, fc.constantFrom('code', 'cause', 'errno')), valueArb(ctx.pool, { depth: 1 })), { maxLength: 4 })
    .map((ps) => ps.filter(([k]) => !['name', 'message', 'stack', 'task'].includes(k)));
  const message = fc.oneof(fc.string({ maxLength: 10 }), surrogateString);
  await holds('thrown errors', fc.asyncProperty(fc.oneof(errorName, surrogateString), message, props, fc.constantFrom('plain', 'type'), async (name, msg, rawProps, kind) => {
    // The properties are revived in the worker (poisoned ones cannot be sent as arguments).
    const propsIn = rawProps.map(([k, v]) => [k, v]);
    if (mustRefuse(propsIn, ctx)) return;   // a raw key or value fast-check made that cannot be an argument: other properties cover it
    const made = `(${thrower.toString().replace('for (const [k, v] of props)', `for (const [k, v] of props.map(([k, v]) => [k, ${poisoned}(v)]))`)})`;
    const units = (t) => Array.from({ length: t.length }, (_, i) => t.charCodeAt(i));   // a lone surrogate cannot be an argument
    const args = [made, units(name), units(msg), propsIn, kind];
    const call = (a) => (0, eval)(a[0])(String.fromCharCode(...a[1]), String.fromCharCode(...a[2]), ...a.slice(3));
    const got = await settles(outcome(ex.async(call, args)), 5000, 'throw');
    const viaMap = await settles(outcome(ex.map(call, [args])), 5000, 'map throw');
    if (got.ok) throw new Error('a throw resolved');
    if (viaMap.ok || !(viaMap.error instanceof MapError)) throw new Error('a throw in map did not reject with a MapError');
    for (const e of [got.error, viaMap.error.errors[0]]) {
      const C = Object.hasOwn(REBUILT, name) ? REBUILT[name] : Error;
      if (!(e instanceof C)) throw new Error(`not rebuilt as ${C.name}: ${Object.getPrototypeOf(e)?.constructor?.name}`);
      if (e.name !== name || e.message !== msg) throw new Error(`name or message changed: ${JSON.stringify([e.name, e.message])}`);
      if (Object.getPrototypeOf(e) !== C.prototype) throw new Error('prototype changed');
      const last = new Map(rawProps.map(([k, v]) => [k, revive(v)]));
      for (const [k, v] of last) {
        const keep = !mustRefuse(v, ctx) && v !== undefined;
        tally[keep ? 'equal' : 'refused']++;
        if (keep && !(Object.hasOwn(e, k) && same(v, e[k]))) throw new Error(`property ${JSON.stringify(k)} lost or changed`);
        if (!keep && Object.hasOwn(e, k) && !(k === 'cause' || k === 'code') && e[k] !== undefined) throw new Error(`property ${JSON.stringify(k)} should be left out`);
      }
    }
  }), { numRuns: 800, examples: [
    ['', '\ud800', [], 'plain'],                                   // a lone surrogate in the message (seed 20251206, path 2:0:0:0:0)
    ['toString', 'm', [['__proto__', 1], ['constructor', 'c']], 'type'],
    ['__proto__', 'p', [['hasOwnProperty', { a: [1] }], ['code', '\u0000fn']], 'plain'],
    ['\udc00x', 'both', [['cause', '\u0000weakmap']], 'plain'],
  ] });
  report('thrown errors (their properties)');
});

P('thrown non-Error values and Error values: a thrown value is kept when it can cross', async (ctx) => {
  const { ex } = ctx;
  await holds('thrown values', fc.asyncProperty(valueArb(ctx.pool, { depth: 2 }), async (raw) => {
    const got = await settles(outcome(ex.async((v, p) => { throw (0, eval)(p)(v); }, raw, poisoned)), 5000, 'throw value');
    const want = revive(raw);
    if (mustRefuse(raw, ctx)) return judge(raw, got, ctx, 'the raw argument');
    if (got.ok) throw new Error('a throw resolved');
    if (want instanceof Error) return;   // thrown Errors: the property above
    if (!(got.error instanceof Error) || !/a task threw a non-Error value/.test(got.error.message)) throw new Error(`unexpected ${got.error}`);
    tally[mustRefuse(want, ctx) ? 'refused' : 'equal']++;
    if (!mustRefuse(want, ctx) && want !== undefined && !same(want, got.error.thrown, 1)) throw new Error('thrown value changed');
    if (mustRefuse(want, ctx) && got.error.thrown !== undefined) throw new Error('a thrown value that cannot cross was kept');
  }), { numRuns: 800, examples: [[{ x: new Map([['', ctx.pool[0]]]) }], ['\u0000promise'], [Object.create(null)], [-0]] });
  report('thrown values');
});

P.run();
