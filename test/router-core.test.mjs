// The placement router's decision in the core (assembly/learn/route-decide.ts) against the host's pure
// policies it follows (learn/router.ts on the host: policy/router.ts views, size-order.ts,
// route-rule.ts): two routers on one core, one deciding in the core and one on the host, fed the same
// calls and the same synthetic times, must make the same decisions call by call — route, reason,
// confidence, lead, the clip of the shape's step, the prior mean and what placement() shows — over
// random runs (fast-check, seeded and time-bounded): op kinds, sizes, the choices open and the static
// rule's choice, a software GPU, pauses, drift, features that are not finite, resets, and more
// families over a run than the core's table holds (a forgotten family's place is reused).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { makeCore } from './helpers/core.mjs';
import { KINDS, FEATURES, ROUTER, staticRoute, xorshift, routeFeatures, baseOf } from '../build/src/policy/router.js';
import { REUSE, reuseHolds } from '../build/src/policy/route-reuse.js';
import { Router } from '../build/src/learn/router.js';

const SEED = 0x7a11e5;
const BUDGET_MS = 8000;

/** A reduce call's input to Router.decide at n elements: serial or parallel open, 2 workers, the static rule's `fallback`. */
const reduceCall = (n, fallback = 'serial') => ({ kind: 'reduce', bytes: 4, n, nsPerItem: 1, historyNs: 0, workers: 2, awake: 0, queued: 0, device: false, software: false,
  resident: false, candidates: ['serial', 'parallel'], fallback });

const Core = suite('router: the decision in the core');
Core.before(async (ctx) => {
  const { core } = await makeCore({});
  ctx.core = core;
  ctx.inCore = new Router(core, true, 1, true);
  ctx.onHost = new Router(core, true, 1, false);
});

/** The same number, bit for bit (NaN and NaN alike): the core's exp and log are V8's. */
function same(a, b, what) {
  assert.ok(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)), `${what}: core ${a}, host ${b}`);
}

/** What two kept decisions said of each choice open (learn/router.ts Kept.said): its prediction, and its shape's count and mean where it has one. */
function sameSaid(a, b, what) {
  assert.is(a.mask, b.mask, `${what}: the choices open`);
  for (let o = 0; o < 3; o++) {
    if ((a.mask & (1 << o)) === 0) continue;
    same(a.said[3 * o], b.said[3 * o], `${what}: prediction of choice ${o}`);
    assert.is(a.said[3 * o + 2], b.said[3 * o + 2], `${what}: samples of choice ${o} at the shape`);
    if (a.said[3 * o + 2] > 0) same(a.said[3 * o + 1], b.said[3 * o + 1], `${what}: mean of choice ${o} at the shape`);
  }
}

const SETS = [
  { candidates: ['serial', 'parallel'], software: false },
  { candidates: ['serial', 'parallel', 'gpu'], software: true },
  { candidates: ['serial', 'gpu'], software: true },
  { candidates: ['parallel', 'gpu'], software: true },
  { candidates: ['serial', 'parallel', 'gpu'], software: false },   // a hardware GPU: decided on the host by both
];
const CALL_KINDS = ['reduce', 'map', 'scan', 'sort'];

/** One run: `calls` calls drawn with `seed`, both routers fed them in turn; returns how many decided in each way and the reasons. */
function run(ctx, { seed, calls, keys, sets, pauses, drift, nanRate, resetAt, sizes = [4, 21] }) {
  const { inCore, onHost } = ctx;
  inCore.reset(); onHost.reset();
  inCore.seed(seed); onHost.seed(seed);
  const rand = xorshift(seed * 31 + 7);
  const tally = { decided: 0, reused: 0, inCore: 0 };
  for (let i = 0; i < calls; i++) {
    if (i === resetAt) { inCore.reset(); onHost.reset(); }
    const set = SETS[sets[Math.floor(rand() * sets.length)]];
    const k = Math.floor(rand() * keys), kind = CALL_KINDS[k % CALL_KINDS.length], key = `${kind}:${k}:Float32Array`;
    const log2n = sizes[0] + Math.floor(rand() * sizes[1]);   // sizes: the least class and how many
    const n = rand() < 0.1 ? Math.floor(rand() * 2 ** log2n) : 2 ** log2n;   // some not a power of two, some 0
    const nsPerItem = rand() < nanRate ? NaN : kind === 'map' ? 4 : 1;
    const p = {
      // (no task queued on this core: the core's routed call reads the queue itself)
      kind, bytes: 4, n, nsPerItem, historyNs: onHost.historyNs(key), workers: 2, awake: Math.floor(rand() * 3), queued: 0,
      device: set.candidates.includes('gpu'), software: set.software, resident: false, candidates: set.candidates,
      fallback: staticRoute(set.candidates, rand() < 0.3, rand() < 0.5 ? 0 : 1),
    };
    let mask = 0;
    for (const c of set.candidates) mask |= 1 << ['serial', 'parallel', 'gpu'].indexOf(c);
    // the core router as the algorithms call it: the whole call in the core where it takes it, else on the host
    const fast = inCore.fast(key, n, mask, p.fallback, kind, 4, nsPerItem, 2, p.awake, p.device, p.software);
    const a = fast >= 0 ? undefined : inCore.reused(key, n, mask), b = onHost.reused(key, n, mask);
    const ta = fast >= 0 ? inCore.ticket(fast) : a ?? inCore.decide(kind, key, p), tb = b ?? onHost.decide(kind, key, p);
    const reusedA = fast >= 0 ? ta.reused : a !== undefined;
    assert.is(reusedA, b !== undefined, `call ${i}: both reuse or both decide`);
    tally[reusedA ? 'reused' : 'decided']++;
    if (fast >= 0) tally.inCore++;
    if (!reusedA) tally[ta.choice.reason] = (tally[ta.choice.reason] ?? 0) + 1;
    const at = `call ${i} (${key}, n ${n}, ${set.candidates.join('/')}${set.software ? ' software' : ''})`;
    assert.is(ta.choice.route, tb.choice.route, `${at}: route`);
    assert.is(ta.choice.reason, tb.choice.reason, `${at}: reason`);
    same(ta.choice.confidence, tb.choice.confidence, `${at}: confidence`);
    assert.is(ta.choice.margin === undefined, tb.choice.margin === undefined, `${at}: a lead where the host has one`);
    if (ta.choice.margin !== undefined) same(ta.choice.margin, tb.choice.margin, `${at}: lead`);
    same(ta.lim, tb.lim, `${at}: the step's clip`);
    same(ta.mean, tb.mean, `${at}: the prior mean`);
    assert.is(ta.row, tb.row, `${at}: row`);
    sameSaid(ta.record, tb.record, at);
    // the call's time: a cost per route (drifting midway, helpers ×drift), noise, and pauses
    const slow = drift > 1 && i > calls / 2 ? drift : 1;
    const us = { serial: 3 + (kind === 'map' ? 1.2e-3 : 0.3e-3) * n, parallel: (60 + 0.15e-3 * n) * slow, gpu: 900 + 0.05e-3 * n }[ta.choice.route];
    const ms = (us * (0.9 + 0.2 * rand()) * (rand() < pauses ? 2 + 4 * rand() : 1)) / 1000;
    inCore.observe(fast >= 0 ? fast : ta, ms); onHost.observe(tb, ms);
  }
  return tally;
}

Core('two routers, one deciding in the core and one on the host, make the same decisions over random runs', async (ctx) => {
  const started = Date.now();
  const tally = { runs: 0, decided: 0, reused: 0, inCore: 0 };
  const caseArb = fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    calls: fc.integer({ min: 50, max: 400 }),
    keys: fc.constantFrom(1, 3, 8, 40),
    sets: fc.array(fc.integer({ min: 0, max: SETS.length - 1 }), { minLength: 1, maxLength: 3 }),
    pauses: fc.constantFrom(0, 0.05, 0.2),
    drift: fc.constantFrom(1, 1, 10),
    nanRate: fc.constantFrom(0, 0, 0.02),
    resetAt: fc.integer({ min: -1, max: 400 }),
  });
  await fc.assert(fc.property(caseArb, (c) => {
    if (Date.now() - started > BUDGET_MS) return;
    const t = run(ctx, c);
    tally.runs++; tally.decided += t.decided; tally.reused += t.reused; tally.inCore += t.inCore;
  }), { seed: SEED, numRuns: 300, interruptAfterTimeLimit: BUDGET_MS + 2000, markInterruptAsFailure: false });
  console.log(`  router-core: seed ${SEED}, ${tally.runs} runs, ${tally.decided} decisions and ${tally.reused} reused calls compared (${tally.inCore} routed in the core in one call) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.ok(tally.runs >= 5 && tally.decided >= 500 && tally.inCore >= (tally.decided + tally.reused) / 4, `enough checked: ${JSON.stringify(tally)}`);
});

Core('more families over a run than the core\'s table holds: the places of forgotten ones reused, the same decisions', (ctx) => {
  // 300 op keys and two sets of choices, each pair its own family (256 places in the core's table)
  const t = run(ctx, { seed: 99, calls: 2000, keys: 300, sets: [0, 1], pauses: 0.05, drift: 1, nanRate: 0, resetAt: -1 });
  assert.ok(t.decided > 600, `decisions checked: ${t.decided}`);
});

Core('a few shapes called many times: the retries of a choice measured slower, the same decisions', (ctx) => {
  // the random runs spread their calls over many shapes, and a retry waits for 16 calls or more of
  // its shape without the choice: one op key, two sizes of 2^16 … 2^23 (the calls of 100 µs and more
  // retry a choice's first samples too), pauses that make a choice look slower, half of them drifting
  const t = { decided: 0, explore: 0, fallback: 0 };
  for (let s = 1; s <= 16; s++) {
    const r = run(ctx, { seed: s, calls: 1500, keys: 1, sets: [0, 1, 2], pauses: 0.2, drift: s % 2 ? 1 : 10, nanRate: 0, resetAt: -1, sizes: [16 + (s % 8), 2] });
    for (const k of Object.keys(t)) t[k] += r[k] ?? 0;
  }
  assert.ok(t.decided > 3000 && t.explore > 300 && t.fallback > 50, `decisions checked: ${JSON.stringify(t)}`);
});

Core('the core\'s log is V8\'s Math.log, bit for bit: the own order\'s line through two sizes is the host\'s', (ctx) => {
  const log = ctx.core.x.flog;
  const edges = [0, -0, 1, -1, Infinity, -Infinity, NaN, 5e-324, 1e-310, 2.2250738585072014e-308, Number.MAX_VALUE,
    2, 0.5, 1 + 2 ** -52, 1 - 2 ** -53, 1 + 2 ** -21, 1 - 2 ** -21, Math.E, Math.SQRT2, Math.SQRT1_2];
  for (const x of edges) assert.ok(Object.is(log(x), Math.log(x)), `log(${x}): core ${log(x)}, V8 ${Math.log(x)}`);
  fc.assert(fc.property(fc.double({ noNaN: true }), (x) => Object.is(log(x), Math.log(x))), { seed: SEED, numRuns: 20000 });
  // near 1, where the rational approximation's branches part
  fc.assert(fc.property(fc.double({ min: 0.5, max: 2, noNaN: true }), (x) => Object.is(log(x), Math.log(x))), { seed: SEED + 1, numRuns: 20000 });
});

Core('a restored table whose means are finite but absurd: the own order\'s line stands aside, no decision is invalid, core and host alike', (ctx) => {
  const reasons = [];
  for (const router of [ctx.inCore, ctx.onHost]) {
    router.reset();
    const rand = xorshift(1);
    for (let i = 0; i < 200; i++) {
      const n = 2 ** (8 + Math.floor(rand() * 15));
      const p = reduceCall(n, staticRoute(['serial', 'parallel'], false, n < 200_000 ? 0 : 1));
      const t = router.reused('reduce:0:Float32Array', n, 3) ?? router.decide('reduce', 'reduce:0:Float32Array', p);
      router.observe(t, ((t.choice.route === 'serial' ? 3 + 0.3e-3 * n : 60 + 0.15e-3 * n) * (0.9 + 0.2 * rand())) / 1000);
    }
    const snap = router.snapshot();
    // an op's rows at 2^10 and 2^14 with means of −1e30 per element (a corrupted or foreign snapshot: finite, so kept)
    const st = { weight: 1, mean: -1e30, m2: 0, count: 1 };
    snap.shapes.push({ shape: 'reduce:9:Float32Array|10|3', stats: { serial: st, parallel: st } }, { shape: 'reduce:9:Float32Array|14|3', stats: { serial: st, parallel: st } });
    router.restore(snap);
    reasons.push([11, 12, 13].map((c) => {
      const n = 2 ** c;
      return router.decide('reduce', 'reduce:9:Float32Array', reduceCall(n)).choice.reason;
    }));
  }
  assert.equal(reasons[0], reasons[1], 'core and host');
  assert.ok(reasons[0].every((r) => r !== 'invalid'), `reasons ${reasons[0]}`);
});

Core('a decision writes within its block: routeDecideSize covers the outputs', async () => {
  const { core } = await makeCore({});
  const x = core.x, f64 = () => new Float64Array(core.u8.buffer);
  const r = core.alloc(x.routerSize(24, 3));
  x.routerInit(r, 24, 3, 0.1, 0.01, 1);
  const b = core.alloc(x.shapeSize(4, 3));
  x.shapeInit(b, 4, 3, 0.9, 0.5);
  const size = x.routeDecideSize(), d = core.alloc(size + 64);
  // past the block, a sentinel (the heap's size class leaves room for it here)
  f64().fill(-7, (d + size) >> 3, (d + size + 64) >> 3);
  for (const mask of [3, 5, 6, 7]) x.routeDecide(r, b, d, mask, 0, -1, 0, 0, 0, 0, 10, 3, 1, 0.5, 0.5);
  assert.equal(Array.from(f64().subarray((d + size) >> 3, (d + size + 64) >> 3)), new Array(8).fill(-7));
});

Core('a reused call\'s observation in the core (reuseSeen) is shapeObserve then reuseHolds, over random rows and calls', async () => {
  const { core } = await makeCore({});
  const x = core.x;
  const blocks = [0, 1].map(() => { const b = core.alloc(x.shapeSize(4, 3)); x.shapeInit(b, 4, 3, 0.9, 0.5); return b; });
  const mean = (b, row, o) => new Float32Array(core.u8.buffer)[(x.shapeStat(b, row, o) >> 2) + core.L.SS_mean / 4];
  const num = fc.oneof(fc.double({ min: -30, max: 30, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 0));
  let checked = 0;
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.double({ min: -12, max: 12, noNaN: true })), { maxLength: 12 }),
    fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }), num, fc.double({ min: 0.01, max: 4, noNaN: true }), num,
    fc.oneof(fc.double({ min: -1, max: 6, noNaN: true }), fc.constant(NaN)),
    (history, row, o, y, lim, at, margin) => {
      for (const b of blocks) { x.shapeReset(b, row); for (const [c, v] of history) x.shapeObserve(b, row, c, v, 1); }
      const got = x.reuseSeen(blocks[0], row, o, y, lim, at, margin, REUSE.lead, REUSE.drift);
      x.shapeObserve(blocks[1], row, o, y, lim);
      const want = reuseHolds(y - at, mean(blocks[1], row, o) - at, margin) ? 1 : 0;
      assert.is(got, want, `y ${y} lim ${lim} at ${at} margin ${margin}`);
      for (let c = 0; c < 3; c++) assert.is(mean(blocks[0], row, c), mean(blocks[1], row, c), 'the row as shapeObserve leaves it');
      checked++;
    }), { seed: SEED, numRuns: 2000, interruptAfterTimeLimit: BUDGET_MS });
  assert.ok(checked >= 200, `checked ${checked}`);
});

Core('the core reads its parameters in the host\'s order: a wrong count is refused when the router is made', async () => {
  const { core } = await makeCore({});
  const L = { ...core.L, count_RouteParams: core.L.count_RouteParams + 1 };
  const fake = Object.create(core, { L: { value: L } });
  assert.throws(() => new Router(fake, true, 1, true), /placement decision takes/);
});

Core('a routed-call block of another layout than the host\'s is refused when the router is made, naming what differs', async () => {
  const { core } = await makeCore({});
  for (const [i, what] of [[1, 'shape rows'], [5, 'parameters']]) {
    const x = { ...core.x, routeCallDim: (j) => core.x.routeCallDim(j) + (j === i ? 1 : 0) };
    const fake = Object.create(core, { x: { value: x } });
    assert.throws(() => new Router(fake, true, 1, true), new RegExp(`routed-call block holds \\d+ ${what} and the host expects`));
  }
});

Core('the core writes a call\'s features and baseline as the host\'s policy computes them, bit for bit', async () => {
  const { core } = await makeCore({});
  const x = core.x, r = core.alloc(x.routerSize(FEATURES, 3));
  x.routerInit(r, FEATURES, 3, 0.1, 0.01, 4);
  const f32 = new Float32Array(core.u8.buffer), at = x.routerFeatures(r) >> 2, want = new Float32Array(FEATURES);
  const num = (max) => fc.oneof(fc.double({ min: 0, max, noNaN: true }), fc.integer({ min: 0, max: 2 ** 30 }), fc.constantFrom(NaN, Infinity, -1, 0));
  let checked = 0;
  fc.assert(fc.property(
    fc.record({ n: num(2 ** 40), bytes: fc.constantFrom(1, 2, 4, 8), kind: fc.constantFrom(...KINDS), nsPerItem: num(1e3), historyNs: num(1e3),
      workers: fc.integer({ min: 0, max: 64 }), awake: fc.integer({ min: 0, max: 64 }), queued: num(1e6), device: fc.boolean(), software: fc.boolean(), resident: fc.boolean() }),
    (p) => {
      const base = x.routeFeatures(r, p.n, p.bytes, KINDS.indexOf(p.kind), p.nsPerItem, p.historyNs, p.workers, p.awake, p.queued,
        (p.device ? 1 : 0) | (p.software ? 2 : 0) | (p.resident ? 4 : 0));
      routeFeatures(p, want);
      for (let i = 0; i < FEATURES; i++) assert.ok(Object.is(f32[at + i], want[i]), `feature ${i} of ${JSON.stringify(p)}: core ${f32[at + i]}, host ${want[i]}`);
      same(base, baseOf(p), `baseline of ${JSON.stringify(p)}`);
      checked++;
    }), { seed: SEED, numRuns: 3000, interruptAfterTimeLimit: BUDGET_MS });
  assert.ok(checked >= 300, `checked ${checked}`);
});

Core('a core ticket whose slot a later call took is dropped, not folded into another call\'s; the later ones are', async () => {
  const { core } = await makeCore({});
  const router = new Router(core, true, 3, true), key = 'reduce:0:Float32Array', n = 1 << 12, mask = 3;
  const p = reduceCall(n);
  router.observe(router.decide('reduce', key, p), 0.004);   // the host makes the shape's row; from here the core routes the shape
  const tickets = Array.from({ length: 300 }, () => router.fast(key, n, mask, 'serial', 'reduce', 4, 1, 2, 0, false, false));
  assert.ok(tickets.every((t) => t >= 0), 'routed in the core');
  const before = router.inspect().counts;
  router.observe(tickets[0], 0.004);   // its slot went to the 257th call
  const after = router.inspect().counts;
  assert.is(after.dropped, before.dropped + 1, 'dropped');
  assert.is(after.observed, before.observed, 'no model learned from it');
  for (const t of tickets.slice(-10)) router.observe(t, 0.004);
  assert.is(router.inspect().counts.dropped, before.dropped + 1, 'the last ones folded in');
  const last = router.inspect().last.at(-1);
  assert.is(last.ms, 0.004);
  assert.is(last.features.length, FEATURES);
  assert.is(last.key, key);
  assert.is(last.call, 'reduce');
});

Core('a reused call whose time comes back after its shape decided again ends nothing: the next call still reuses, core and host alike', async () => {
  const { core } = await makeCore({});
  const key = 'reduce:0:Float32Array', n = 1 << 12, mask = 3, ms = { serial: 0.004, parallel: 0.06 };
  const p = reduceCall(n);
  for (const inCore of [true, false]) {
    const router = new Router(core, true, 1, inCore);
    /** A call routed as route.ts routes it: its ticket, whether it reused, its route. */
    const call = () => {
      const f = router.fast(key, n, mask, 'serial', 'reduce', 4, 1, 2, 0, false, false);
      if (f >= 0) return { t: f, reused: (f & 256) !== 0, route: ['serial', 'parallel', 'gpu'][f & 15] };
      const a = router.reused(key, n, mask), t = a ?? router.decide('reduce', key, p);
      return { t, reused: a !== undefined, route: t.choice.route };
    };
    let c = call();
    for (let i = 0; i < 20 && !c.reused; i++) { router.observe(c.t, ms[c.route]); c = call(); }
    assert.ok(c.reused, `${inCore ? 'core' : 'host'}: settled`);
    // its reused calls all in flight; the shape's next call decides and settles again
    const held = [c];
    for (c = call(); c.reused; c = call()) held.push(c);
    router.observe(c.t, ms[c.route]);
    for (const h of held.slice(1)) router.observe(h.t, ms[h.route]);
    // the first reused call comes back 10× slow: it lost the lead of a decision that is no longer the shape's
    router.observe(held[0].t, 10 * ms[held[0].route]);
    assert.ok(call().reused, `${inCore ? 'core' : 'host'}: the later decision still reused`);
  }
});

Core('a new shape of an op the core knows is routed there on the next free row (its family too, after a reset), which the host adopts; with none free the host gives one', async () => {
  const { core } = await makeCore({});
  const router = new Router(core, true, 5, true), mask = 3;
  const fast = (key, n) => router.fast(key, n, mask, 'serial', 'reduce', 4, 1, 2, 0, false, false);
  /** A shape's call as route.ts routes it: its row, and whether the core routed it. */
  const call = (key, n) => {
    const f = fast(key, n);
    const t = f >= 0 ? f : router.reused(key, n, mask) ?? router.decide('reduce', key, reduceCall(n));
    router.observe(t, 0.004);
    return { row: f >= 0 ? router.ticket(f).row : t.row, core: f >= 0 };
  };
  const key0 = 'reduce:0:Float32Array';
  assert.equal(call(key0, 1 << 10), { row: 0, core: false }, 'an op\'s first call: its family is made on the host');
  assert.equal(call(key0, 1 << 12), { row: 1, core: true }, 'a new size of that family: routed in the core, on the next row never used');
  assert.is(router.inspect().shapes, 2, 'the host counts the shape');
  assert.ok(router.snapshot().shapes.some((s) => s.shape === `${key0}|12|3`), 'the snapshot holds it');
  assert.is(router.decide('reduce', key0, reduceCall(1 << 12)).row, 1, 'a decision on the host finds the row the core gave');
  assert.is(router.inspect().shapes, 2, 'and makes no other');
  // every row taken: 8 families of 32 sizes (the first call of each family on the host)
  const rows = new Set([0, 1]);
  let inCore = 0;
  for (let k = 0; k < 8; k++) {
    for (let c = 0; c < 32; c++) {
      const key = `reduce:${k}:Float32Array`;
      if (k === 0 && (c === 10 || c === 12)) continue;
      const r = call(key, 2 ** c);
      assert.not.ok(rows.has(r.row), `${key} 2^${c}: a row of its own (${r.row})`);
      rows.add(r.row);
      if (r.core) inCore++;
    }
  }
  assert.is(rows.size, ROUTER.shapes, 'every row taken once');
  assert.is(inCore, ROUTER.shapes - 2 - 7, 'all but the families\' first calls routed in the core');
  assert.is(router.inspect().shapes, ROUTER.shapes);
  // a new shape with no row free: the host takes the least recently used one (row 0: reduce:0 at 2^10, used first and not since)
  assert.is(fast(key0, 2 ** 40), -1, 'not routed in the core');
  assert.is(router.decide('reduce', key0, reduceCall(2 ** 40)).row, 0, 'the host gives it the least recently used row');
  assert.is(router.inspect().shapes, ROUTER.shapes);
  assert.not.ok(router.snapshot().shapes.some((s) => s.shape === `${key0}|10|3`), 'the shape that held it forgotten');
  router.reset();
  assert.is(router.inspect().shapes, 0, 'a reset forgets them all');
  assert.equal(call(key0, 1 << 12), { row: 0, core: true }, 'the rows free again from the first; an op with an id gets its family in the core');
  assert.equal(call(key0, 1 << 14), { row: 1, core: true }, 'and its next size');
  assert.equal(call('reduce:99:Float32Array', 1 << 12), { row: 2, core: false }, 'an op never seen: its id and family made on the host');
  assert.is(router.inspect().shapes, 3, 'the host counts them all');
  assert.is(router.decide('reduce', key0, reduceCall(1 << 14)).row, 1, 'and finds the core\'s family and rows');
  assert.ok(router.snapshot().shapes.some((s) => s.shape === `${key0}|14|3`));
});

Core('a snapshot\'s shapes spelled otherwise than the router writes them are skipped: the core\'s rows stay the host\'s', async () => {
  const { core } = await makeCore({});
  const router = new Router(core, true, 5, true), key0 = 'reduce:0:Float32Array', mask = 3;
  const stats = { serial: { weight: 1, mean: -8, m2: 0, count: 1 } };
  router.restore({ models: [], history: {}, shapes: ['|12|03', '|12|3.0', '|012|3', '|12|8', '|64|3', '|12|0', '12|3'].map((t) => ({ shape: `${t.startsWith('|') ? key0 : ''}${t}`, stats }))
    .concat([{ shape: `${key0}|12|3`, stats }]) });
  assert.equal(router.snapshot().shapes.map((s) => s.shape), [`${key0}|12|3`], 'only the shape written as the router writes it');
  const t = router.fast(key0, 1 << 10, mask, 'serial', 'reduce', 4, 1, 2, 0, false, false);
  assert.ok(t >= 0, 'a new size of the restored family, routed in the core');
  assert.is(router.inspect().shapes, 2);
  assert.is(router.ticket(t).row, 1);
  assert.is(router.decide('reduce', 'reduce:1:Float32Array', reduceCall(1 << 8)).row, 2, 'the next row the host gives is the next free one');
});

Core.run();
