// The Chase–Lev deque (assembly/deque.ts): owner-only behaviour against a reference model, then
// exactly-once under an owner racing 1–3 thieves, over growing sizes up to ≥ 10^6 items (within a time
// budget per test on a loaded machine: helpers/core.mjs growingWithin).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeCore, withThreads, growingWithin, exactlyOnce, SCALE, EMPTY, RETRY } from './helpers/core.mjs';

const CAP_LOG2 = 4;
const CAP = 1 << CAP_LOG2;

/** A deque in plain JS with the same contract: push at the bottom, pop the bottom, steal the top. */
class Model {
  items = [];
  push(v, cap) { if (this.items.length >= cap) return false; this.items.push(v); return true; }
  pop() { return this.items.length ? this.items.pop() : EMPTY; }
  steal() { return this.items.length ? this.items.shift() : EMPTY; }
}

/** Drives the real deque and the model with the same random owner-side operations; fails on the first divergence. */
function agreeWithModel(x, slot, ops, seed) {
  const m = new Model();
  let s = seed >>> 0 || 1, v = 0;
  for (let i = 0; i < ops; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const op = s % 7; // push-biased so the deque fills and wraps
    let got, want;
    if (op < 3) { got = !!x.dequePush(slot, v); want = m.push(v, CAP); v++; }
    else if (op < 5) { got = x.dequePop(slot); want = m.pop(); }
    else { got = x.dequeSteal(slot); want = m.steal(); }
    if (got !== want) assert.unreachable(`op ${i} (${['push', 'push', 'push', 'pop', 'pop', 'steal', 'steal'][op]}): got ${got}, model says ${want}`);
    assert.is(x.dequeLength(slot), m.items.length, `length after op ${i}`);
  }
  return m.items.length;
}

// ---

const Owner = suite('deque: one thread');

Owner.before(async (ctx) => {
  ctx.env = await makeCore({ dequeCapLog2: CAP_LOG2 });
  ctx.x = ctx.env.core.x;
});
Owner.before.each((ctx) => {
  // a fresh, empty deque for each test: drain slot 0 from the top
  const slot = ctx.env.core.workerPtr(0);
  while (ctx.x.dequeSteal(slot) !== EMPTY);
  ctx.slot = slot;
});

Owner('push then pop is LIFO, and the drained deque reports EMPTY', ({ x, slot }) => {
  for (let v = 1; v <= 10; v++) assert.is(x.dequePush(slot, v), 1, `push ${v}`);
  assert.is(x.dequeLength(slot), 10);
  for (let v = 10; v >= 1; v--) assert.is(x.dequePop(slot), v, 'pop order');
  assert.is(x.dequePop(slot), EMPTY);
});

Owner('pop on an empty deque returns EMPTY (-1) every time and leaves it usable', ({ x, slot }) => {
  for (let i = 0; i < 5; i++) assert.is(x.dequePop(slot), EMPTY, `pop #${i}`);
  assert.is(x.dequeLength(slot), 0);
  assert.is(x.dequePush(slot, 7), 1);
  assert.is(x.dequePop(slot), 7);
  assert.is(x.dequePop(slot), EMPTY);
});

Owner('steal on an empty deque returns EMPTY (-1), never RETRY', ({ x, slot }) => {
  for (let i = 0; i < 5; i++) assert.is(x.dequeSteal(slot), EMPTY, `steal #${i}`);
  x.dequePush(slot, 1);
  assert.is(x.dequePop(slot), 1);
  assert.is(x.dequeSteal(slot), EMPTY, 'after push+pop');
});

Owner('steal takes FIFO from the top while pop takes from the bottom', ({ x, slot }) => {
  for (let v = 0; v < 6; v++) x.dequePush(slot, v);
  assert.is(x.dequeSteal(slot), 0);
  assert.is(x.dequePop(slot), 5);
  assert.is(x.dequeSteal(slot), 1);
  assert.is(x.dequePop(slot), 4);
  assert.is(x.dequeSteal(slot), 2);
  assert.is(x.dequeSteal(slot), 3, 'the last item, by steal');
  assert.is(x.dequeSteal(slot), EMPTY);
  assert.is(x.dequePop(slot), EMPTY);
});

Owner(`full: push returns 0 at capacity 2^dequeCapLog2 (${CAP}), and every item comes back`, ({ x, slot }) => {
  for (let v = 0; v < CAP; v++) assert.is(x.dequePush(slot, 100 + v), 1, `push ${v} of ${CAP}`);
  assert.is(x.dequeLength(slot), CAP);
  assert.is(x.dequePush(slot, 999), 0, 'push on a full deque');
  assert.is(x.dequePush(slot, 999), 0, 'push on a full deque, again');
  assert.is(x.dequeLength(slot), CAP, 'a refused push changes nothing');
  for (let v = CAP - 1; v >= 0; v--) assert.is(x.dequePop(slot), 100 + v, 'pop after full');
  assert.is(x.dequePop(slot), EMPTY);
});

Owner('full: one steal makes room for exactly one push', ({ x, slot }) => {
  for (let v = 0; v < CAP; v++) x.dequePush(slot, v);
  assert.is(x.dequeSteal(slot), 0);
  assert.is(x.dequePush(slot, CAP), 1, 'room after a steal');
  assert.is(x.dequePush(slot, CAP + 1), 0, 'full again');
  for (let v = 1; v <= CAP; v++) assert.is(x.dequeSteal(slot), v, 'FIFO across the wrap');
  assert.is(x.dequeSteal(slot), EMPTY);
});

Owner('indices keep working after many wraps of the buffer (model check, 200k random ops)', ({ x, slot }) => {
  agreeWithModel(x, slot, Math.max(10_000, Math.round(200_000 * SCALE)), 12345);
});

Owner('indices keep working across the i32 overflow of top and bottom', ({ env, x }) => {
  // White-box: start slot 1 with top == bottom just below 2^31, so the signed indices wrap mid-test.
  const { core } = env;
  const slot = core.workerPtr(1);
  const start = 0x7fffffff - 40;
  core.i32[(slot + core.L.W_top) >> 2] = start;
  core.i32[(slot + core.L.W_bottom) >> 2] = start;
  assert.is(x.dequeLength(slot), 0);
  agreeWithModel(x, slot, 5_000, 777);
  const bottom = core.i32[(slot + core.L.W_bottom) >> 2];
  assert.ok(bottom < 0, `bottom crossed 2^31 (it is ${bottom})`);
});

Owner.run();

// ---

// ctl indices, mirrored from helpers/deque-worker.mjs
const DONE = 0, BAD = 1, BAD_VALUE = 2;
const MAX_N = Math.max(1_000_000, Math.round(1_000_000 * SCALE));   // the last size
/** Sizes grow towards MAX_N while they fit in BUDGET_MS a test (helpers/core.mjs growingWithin), never stopping below FLOOR_N. */
const BUDGET_MS = 2500;
const FLOOR_N = 9841;
const ROUND_MS = 30_000;

/**
 * One owner (thread 0, slot 0) and `thieves` threads. For each size n the owner pushes 0..n-1 and pops
 * some, the thieves steal; afterwards every value must have been taken exactly once, by someone, and all
 * threads must have returned.
 */
async function ownerAndThieves(thieves, capLog2, popPct) {
  const env = await makeCore({ dequeCapLog2: capLog2 });
  const sizes = growingWithin(MAX_N, BUDGET_MS, FLOOR_N);
  const counts = new Uint32Array(new SharedArrayBuffer(MAX_N * 4));
  const ctl = new Int32Array(new SharedArrayBuffer(16));
  const barrier = new Int32Array(new SharedArrayBuffer(4));
  await withThreads('./deque-worker.mjs', 1 + thieves, env, { counts, ctl, barrier }, async (th) => {
    let round = 0;
    for (const n of sizes) {
      round++;
      counts.fill(0, 0, n);
      const label = `${thieves} thief(s), capacity 2^${capLog2}, pop ${popPct}%, n=${n}`;
      const msgs = th.workers.map((_, i) => ({ role: i === 0 ? 'owner' : 'thief', n, round, seed: n * 31 + i, popPct }));
      const replies = await th.round(msgs, ROUND_MS, label);
      assert.is(Atomics.load(ctl, BAD), 0, `${label}: a value out of range came out (last: ${Atomics.load(ctl, BAD_VALUE)})`);
      const taken = replies.reduce((a, r) => a + r.popped + r.stolen, 0);
      assert.is(taken, n, `${label}: values taken`);
      exactlyOnce(counts, n, label);
    }
  });
  console.log(`  ${thieves} thief(s), 2^${capLog2}, pop ${popPct}%: ${sizes.summary}`);
}

const Race = suite('deque: owner vs thieves, exactly once');

for (const thieves of [1, 2, 3]) {
  for (const [capLog2, popPct] of [[8, 25], [CAP_LOG2, 25], [CAP_LOG2, 75]]) {
    Race(`${thieves} thief(s), capacity 2^${capLog2}, owner pops after ${popPct}% of pushes, n = 1 … ≤ ${MAX_N}`, async () => {
      await ownerAndThieves(thieves, capLog2, popPct);
    });
  }
}

Race.run();
