// The learners in the core (assembly/learn/): SIMD vector math against its scalar twin, the logistic
// model, the 1€ duration predictors, the Q-table, and concurrent updates from several threads.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeCore, withThreads, SCALE } from './helpers/core.mjs';
import { ONE_EURO } from '../build/src/policy/learning.js';

const f32 = Math.fround;
/** A fresh core, a heap block of n bytes zeroed, and float views over it. */
async function setup() {
  const { module, core } = await makeCore({});
  const alloc = (n) => { const p = core.alloc(n); core.ensure(p, n); core.u8.fill(0, p, p + n); return p; };
  return { module, core, x: core.x, alloc };
}
const F32 = (core, p, n) => new Float32Array(core.memory.buffer, p, n);
const F64 = (core, p, n) => new Float64Array(core.memory.buffer, p, n);
function lcg(seed) { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32); }

// ---

const Vec = suite('learn: SIMD dot and axpy');
Vec.before(async (ctx) => Object.assign(ctx, await setup()));

Vec('dot and axpy equal their scalar twins exactly over lengths 0..67 at odd element offsets', ({ core, x, alloc }) => {
  const rand = lcg(7);
  const base = alloc(4 * 80 * 4);
  for (const off of [0, 1, 3]) {
    for (let n = 0; n <= 67; n++) {
      const a = base + 4 * off, b = base + 4 * (80 + off), y1 = base + 4 * (160 + off), y2 = base + 4 * (240 + off);
      const A = F32(core, a, n), B = F32(core, b, n), Y1 = F32(core, y1, n), Y2 = F32(core, y2, n);
      for (let i = 0; i < n; i++) { A[i] = rand() * 4 - 2; B[i] = rand() * 4 - 2; Y1[i] = Y2[i] = rand(); }
      assert.is(x.vecDot(a, b, n), x.vecDotScalar(a, b, n), `dot, n = ${n}, offset ${off}`);
      let ref = 0; for (let i = 0; i < n; i++) ref += A[i] * B[i];
      assert.ok(Math.abs(x.vecDot(a, b, n) - ref) <= 1e-4 * (1 + Math.abs(ref)), `dot vs f64, n = ${n}`);
      x.vecAxpy(0.37, a, y1, n);
      x.vecAxpyScalar(0.37, a, y2, n);
      assert.equal([...Y1], [...Y2], `axpy, n = ${n}, offset ${off}`);
    }
  }
});

Vec('axpy never writes past n', ({ core, x, alloc }) => {
  const p = alloc(4 * 16);
  const Y = F32(core, p, 16); Y.fill(5);
  x.vecAxpy(1, p, p, 7);
  assert.equal([...Y], [...Array(7).fill(10), ...Array(9).fill(5)]);
});

Vec.run();

// ---

const Logit = suite('learn: logistic model');
Logit.before(async (ctx) => Object.assign(ctx, await setup()));

Logit('known inputs give known weights (two steps with momentum and L2, against an f32 reference)', ({ core, x, alloc }) => {
  const dim = 3, m = alloc(x.logitSize(dim)), xs = alloc(4 * dim);
  x.logitInit(m, dim, 0.5, 0.9, 0.01);
  assert.is(x.logitPredict(m, xs), 0.5);
  const w = [0, 0, 0], v = [0, 0, 0]; let b = 0, bv = 0;
  const sig = (z) => 1 / (1 + Math.exp(-z));
  for (const [feat, y] of [[[1, 2, -1], 1], [[0.5, -1, 2], 0]]) {
    F32(core, xs, dim).set(feat);
    const g = sig(feat.reduce((s, f, i) => s + f * w[i], b)) - y;
    for (let i = 0; i < dim; i++) { v[i] = f32(0.9 * v[i] - 0.5 * g * feat[i] - 0.5 * 0.01 * w[i]); w[i] = f32(w[i] + v[i]); }
    bv = 0.9 * bv - 0.5 * g; b += bv;
    assert.is(x.logitUpdate(m, xs, y), 1);
  }
  const W = F32(core, m + core.L.size_LogitModel, dim);
  for (let i = 0; i < dim; i++) assert.ok(Math.abs(W[i] - w[i]) < 1e-5, `w[${i}] = ${W[i]}, expected ${w[i]}`);
  F32(core, xs, dim).set([1, 1, 1]);
  const z = w[0] + w[1] + w[2] + b;
  assert.ok(Math.abs(x.logitPredict(m, xs) - sig(z)) < 1e-5, 'predict = sigmoid(w · x + b)');
});

Logit('separates a linearly separable set', ({ core, x, alloc }) => {
  const dim = 2, m = alloc(x.logitSize(dim)), xs = alloc(4 * dim);
  x.logitInit(m, dim, 0.2, 0.5, 0.0001);
  const rand = lcg(3), pts = [];
  while (pts.length < 400) {
    const a = rand() * 4 - 2, c = rand() * 4 - 2, s = a + 2 * c - 0.5;
    if (Math.abs(s) > 0.2) pts.push([a, c, s > 0 ? 1 : 0]);   // a margin: separable
  }
  for (let epoch = 0; epoch < 30; epoch++) for (const [a, c, y] of pts) { F32(core, xs, 2).set([a, c]); x.logitUpdate(m, xs, y); }
  let wrong = 0;
  for (const [a, c, y] of pts) { F32(core, xs, 2).set([a, c]); if ((x.logitPredict(m, xs) > 0.5 ? 1 : 0) !== y) wrong++; }
  assert.is(wrong, 0, `${wrong} of ${pts.length} misclassified`);
});

Logit('NaN or Infinity features and bad labels are refused and counted; the model is unchanged', ({ core, x, alloc }) => {
  const dim = 5, m = alloc(x.logitSize(dim)), xs = alloc(4 * dim);
  x.logitInit(m, dim, 0.5, 0, 0);
  F32(core, xs, dim).set([1, 1, 1, 1, NaN]);
  assert.is(x.logitUpdate(m, xs, 1), 0);
  F32(core, xs, dim).set([1, Infinity, 1, 1, 1]);
  assert.is(x.logitUpdate(m, xs, 1), 0);
  F32(core, xs, dim).set([1, 1, 1, 1, 1]);
  assert.is(x.logitUpdate(m, xs, NaN), 0);
  assert.is(core.u32[(m + core.L.LM_dropped) >> 2], 3);
  assert.equal([...F32(core, m + core.L.size_LogitModel, dim)], [0, 0, 0, 0, 0]);
  assert.is(x.logitPredict(m, xs), 0.5);
});

Logit('a step that diverges is undone, not kept', ({ core, x, alloc }) => {
  const dim = 4, m = alloc(x.logitSize(dim)), xs = alloc(4 * dim);
  x.logitInit(m, dim, 1e30, 0, 0);
  F32(core, xs, dim).set([1e30, 1e30, 1e30, 1e30]);
  assert.is(x.logitUpdate(m, xs, 1), 0);
  for (const w of F32(core, m + core.L.size_LogitModel, dim)) assert.ok(Number.isFinite(w));
});

Logit.run();

// ---

const Pred = suite('learn: 1€ duration predictors');
Pred.before(async (ctx) => {
  Object.assign(ctx, await setup());
  const { x, alloc } = ctx;
  ctx.newTable = (cap = 64) => {
    const t = alloc(x.learnSize(cap));
    x.learnSetup(t, cap, ONE_EURO.minCutoff, ONE_EURO.beta, ONE_EURO.dCutoff, ONE_EURO.emaAlpha, 1);
    return t;
  };
  ctx.out = alloc(64);
});

/** One filter step in JS, the reference for assembly/learn/one-euro.ts (noise floor: 3 sd; clip: 3 sd after 8 samples). */
function refStep(s, v, p = ONE_EURO) {
  const alpha = (fc) => 1 / (1 + 1 / (2 * Math.PI * fc));
  if (s.n === 0) return { n: 1, mean: v, m2: 0, x: v, dx: 0, ema: v, rv: 0 };
  const r = v - s.x, ad = alpha(p.dCutoff);
  const dx = s.dx + ad * (r - s.dx);
  const floor = 3 * Math.sqrt(s.rv * ad / (2 - ad));
  const fc = p.minCutoff + p.beta * Math.max(0, Math.abs(dx) - floor) / Math.max(Math.abs(s.x), 1e-9);
  const n = s.n + 1, d = v - s.mean, mean = s.mean + d / n;
  const warm = 1 / n;   // warm-up: at least the running mean's gain
  const r2 = s.n >= 8 && s.rv > 0 ? Math.min(r * r, 9 * s.rv) : r * r;
  return { n, mean, m2: s.m2 + d * (v - mean), x: s.x + Math.max(alpha(fc), warm) * r, dx, ema: s.ema + Math.max(p.emaAlpha, warm) * (v - s.ema), rv: s.rv + Math.max(ad, warm) * (r2 - s.rv) };
}

Pred('known samples give known predictions (against a JS reference of the filter)', ({ core, x, newTable, out }) => {
  const t = newTable();
  let s = { n: 0 };
  for (const v of [2, 2.5, 1.5, 3, 10, 2, 2.2, 1.9, 2.1, 9, 2, 2.4]) {
    assert.is(x.predictObserve(t, 3, 0, v), 1);
    s = refStep(s, v);
  }
  assert.is(x.predictRead(t, 3, 0, out), 1);
  const [fn1, shape, n, mean, m2, xv, dx, ema] = F64(core, out, 8);
  assert.equal([fn1, shape, n], [4, 0, 12]);
  for (const [k, got, want] of [['mean', mean, s.mean], ['m2', m2, s.m2], ['x', xv, s.x], ['dx', dx, s.dx], ['ema', ema, s.ema]]) {
    assert.ok(Math.abs(got - want) < 1e-12 * (1 + Math.abs(want)), `${k} = ${got}, expected ${want}`);
  }
  assert.is(x.predictRead(t, 3, 1, out), 0, 'another shape is another fingerprint');
});

Pred('1€ tracks a step change faster than the EMA, and is steadier before it', ({ core, x, newTable, out }) => {
  const t = newTable();
  const rand = lcg(11);
  const noisy = (mu) => mu * (1 + 0.2 * (rand() * 2 - 1));
  let errOne = 0, errEma = 0;
  for (let i = 0; i < 300; i++) {
    x.predictObserve(t, 1, 0, noisy(1));
    if (i >= 100) { x.predictRead(t, 1, 0, out); const f = F64(core, out, 8); errOne += Math.abs(f[5] - 1); errEma += Math.abs(f[7] - 1); }
  }
  assert.ok(errOne < errEma, `at rest: 1€ error ${errOne.toFixed(3)} < EMA ${errEma.toFixed(3)}`);
  let oneAt = -1, emaAt = -1;
  for (let i = 0; i < 200 && (oneAt < 0 || emaAt < 0); i++) {
    x.predictObserve(t, 1, 0, noisy(4));
    x.predictRead(t, 1, 0, out);
    const f = F64(core, out, 8);
    if (oneAt < 0 && Math.abs(f[5] - 4) < 0.4) oneAt = i;
    if (emaAt < 0 && Math.abs(f[7] - 4) < 0.4) emaAt = i;
  }
  assert.ok(oneAt >= 0 && oneAt < emaAt, `within 10 % of the new level after ${oneAt} samples (1€) vs ${emaAt} (EMA)`);
});

Pred('NaN, ±Infinity and negative durations (a clock that went backwards) are dropped and counted', ({ core, x, newTable, out }) => {
  const t = newTable();
  x.predictObserve(t, 2, 0, 5);
  for (const v of [NaN, Infinity, -Infinity, -0.001]) assert.is(x.predictObserve(t, 2, 0, v), 0, `${v}`);
  assert.is(x.predictRead(t, 2, 0, out), 1);
  assert.equal([...F64(core, out, 8)].slice(2), [1, 5, 0, 5, 0, 5]);
  assert.is(core.u32[(t + core.L.LT_dropped) >> 2], 4);
  assert.is(core.u32[(t + core.L.LT_observed) >> 2], 1);
});

Pred('a full probe window evicts the entry with the fewest samples; reset frees everything', ({ core, x, newTable, out }) => {
  const t = newTable(4);   // 4 entries = one probe window: the 5th fingerprint must evict
  for (let fn = 0; fn < 4; fn++) for (let k = 0; k <= fn; k++) x.predictObserve(t, fn, 0, 1);
  assert.is(x.predictObserve(t, 9, 0, 1), 1);
  assert.is(core.u32[(t + core.L.LT_evicted) >> 2], 1);
  assert.is(x.predictRead(t, 0, 0, out), 0, 'fn 0 (1 sample) was evicted');
  for (const fn of [1, 2, 3, 9]) assert.is(x.predictRead(t, fn, 0, out), 1, `fn ${fn} kept`);
  assert.is(x.predictReset(t), 0);
  for (const fn of [1, 2, 3, 9]) assert.is(x.predictRead(t, fn, 0, out), 0);
  assert.is(core.u32[(t + core.L.LT_observed) >> 2], 0);
});

Pred('restore sets a fingerprint exactly and refuses non-finite state', ({ core, x, newTable, out }) => {
  const t = newTable();
  assert.is(x.predictRestore(t, 5, 3, 40, 2.5, 8, 2.4, 0.01, 2.6), 1);
  assert.is(x.predictRead(t, 5, 3, out), 1);
  assert.equal([...F64(core, out, 8)], [6, 3, 40, 2.5, 8, 2.4, 0.01, 2.6]);
  assert.is(x.predictRestore(t, 6, 0, 1, NaN, 0, 1, 0, 1), 0);
  assert.is(x.predictRead(t, 6, 0, out), 0);
});

Pred('learnObserve does nothing while disabled', ({ core, x, newTable }) => {
  const t = newTable();
  x.learnEnable(t, 0);
  x.learnObserve(0, 1);
  assert.is(core.u32[(t + core.L.LT_observed) >> 2], 0);
  x.learnEnable(t, 1);
  x.learnObserve(0, 1);
  assert.is(core.u32[(t + core.L.LT_observed) >> 2], 1);
});

Pred.run();

// ---

const Q = suite('learn: Q-table');
Q.before(async (ctx) => Object.assign(ctx, await setup()));

Q('Q-values converge on a tiny known MDP', ({ x, alloc }) => {
  // Two states, two actions: action 1 leads to state 1 with reward 1, action 0 to state 0 with reward 0.
  // With γ = 0.5: Q*(s, 1) = 1 / (1 − γ) = 2 and Q*(s, 0) = γ · 2 = 1, in both states.
  const q = alloc(x.qSize(2, 2));
  x.qInit(q, 2, 2, 0.1, 0.5, 0.3, 42);
  let s = 0;
  for (let i = 0; i < 5000; i++) {
    const a = x.qChoose(q, s);
    const s2 = a, r = a;
    assert.is(x.qUpdate(q, s, a, r, s2), 1);
    s = s2;
  }
  for (const st of [0, 1]) {
    assert.ok(Math.abs(x.qValue(q, st, 1) - 2) < 0.05, `Q(${st}, 1) = ${x.qValue(q, st, 1)}`);
    assert.ok(Math.abs(x.qValue(q, st, 0) - 1) < 0.1, `Q(${st}, 0) = ${x.qValue(q, st, 0)}`);
    assert.is(x.qBest(q, st), 1);
  }
  assert.is(x.qUpdate(q, 0, 0, NaN, 0), 0, 'a non-finite reward is refused');
  assert.is(x.qUpdate(q, 2, 0, 1, 0), 0, 'a state out of range is refused');
});

Q('ε-greedy is deterministic for a seed', ({ x, alloc }) => {
  const run = (seed) => {
    const q = alloc(x.qSize(1, 4));
    x.qInit(q, 1, 4, 0.1, 0.9, 1, seed);   // ε = 1: every choice random
    return Array.from({ length: 32 }, () => x.qChoose(q, 0));
  };
  assert.equal(run(5), run(5));
  assert.not.equal(run(5), run(6));
  assert.ok(new Set(run(5)).size === 4, 'all actions explored');
});

Q.run();

// ---

const Conc = suite('learn: concurrent updates');

Conc('writers on several threads never produce NaN or torn reads (predictors and a logistic model)', async () => {
  const env = await makeCore({});
  const { core } = env, x = core.x;
  const alloc = (n) => { const p = core.alloc(n); core.ensure(p, n); core.u8.fill(0, p, p + n); return p; };
  const table = alloc(x.learnSize(64));
  x.learnSetup(table, 64, ONE_EURO.minCutoff, ONE_EURO.beta, ONE_EURO.dCutoff, ONE_EURO.emaAlpha, 1);
  const dim = 8, model = alloc(x.logitSize(dim)), xs = alloc(4 * dim * 8);
  x.logitInit(model, dim, 0.05, 0.9, 0.001);
  const feats = F32(core, xs, dim * 8);
  for (let i = 0; i < feats.length; i++) feats[i] = ((i * 37) % 11) / 11 - 0.5;
  const writers = 2, iterations = Math.round(200_000 * SCALE);
  const done = new Int32Array(new SharedArrayBuffer(4));
  const replies = await withThreads('./learn-worker.mjs', writers + 1, env,
    { done, writers, barrier: new Int32Array(new SharedArrayBuffer(4)) },
    (th) => th.round({ table, model, xs, dim, fps: 4, iterations, seed: 17 }, 60_000, 'learn-worker'));
  const [reader, ...ws] = replies;
  assert.is(reader.bad, 0, reader.first);
  assert.ok(reader.reads > 0, 'the reader got consistent reads');
  const folded = ws.reduce((s, w) => s + w.folded, 0), contended = ws.reduce((s, w) => s + w.contended, 0);
  assert.is(folded + contended, writers * iterations, 'every sample was folded or counted as contended');
  assert.is(core.u32[(table + core.L.LT_observed) >> 2], folded);
  const out = alloc(64);
  let samples = 0;
  for (let fp = 0; fp < 4; fp++) { assert.is(x.predictRead(table, 7, fp, out), 1); samples += F64(core, out, 8)[2]; }
  assert.is(samples, folded, 'the predictors hold exactly the folded samples');
  const p = x.logitPredict(model, xs);
  assert.ok(p > 0 && p < 1, `logitPredict ${p}`);
  console.log(`  # ${writers} writers × ${iterations}: ${folded} folded, ${contended} contended; reader: ${reader.reads} reads, ${reader.busy} busy`);
});

Conc.run();
