// The Vyukov bounded MPMC queue (assembly/mpmc.ts), in both of its places: the injector (core.L.injector,
// 2^taskCapLog2 cells) and the completion ring (core.L.completions, the next power of two ≥ taskCap + runCap).
// One thread against a reference model, then exactly-once with several producers and consumers, over
// growing sizes within a time budget per test (helpers/core.mjs growingWithin).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeCore, withThreads, growingWithin, exactlyOnce, SCALE, EMPTY } from './helpers/core.mjs';

const TASK_LOG2 = 4;                 // 16 injector cells: full and wrap-around happen constantly
const RUN_CAP = 4;                   // completion ring: next pow2 ≥ 16 + 4 = 32 cells
const INJ_CAP = 1 << TASK_LOG2;
const COMP_CAP = 32;

/** Same random pushes and pops on the queue and on a JS array; fails at the first divergence. */
function agreeWithModel(x, q, cap, ops, seed) {
  const m = [];
  let s = seed >>> 0 || 1, v = 0;
  for (let i = 0; i < ops; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    if (s % 5 < 3) {
      const want = m.length < cap;
      const got = !!x.mpmcPush(q, v);
      if (got !== want) assert.unreachable(`op ${i}: push(${v}) returned ${got} with ${m.length} of ${cap} cells used`);
      if (want) m.push(v);
      v++;
    } else {
      const want = m.length ? m.shift() : EMPTY;
      const got = x.mpmcPop(q);
      if (got !== want) assert.unreachable(`op ${i}: pop returned ${got}, model says ${want}`);
    }
    assert.is(x.mpmcLength(q), m.length, `length after op ${i}`);
  }
}

/** Single-thread checks, for the queue at address key(core.L) with `cap` cells. */
function singleThread(name, key, cap) {
  const S = suite(`${name}: one thread`);
  S.before(async (ctx) => {
    ctx.env = await makeCore({ taskCapLog2: TASK_LOG2, runCap: RUN_CAP });
    ctx.x = ctx.env.core.x;
    ctx.q = key(ctx.env.core.L);
  });
  S.before.each(({ x, q }) => { while (x.mpmcPop(q) !== EMPTY); });

  S('pop on an empty queue returns EMPTY (-1)', ({ x, q }) => {
    assert.is(x.mpmcPop(q), EMPTY);
    assert.is(x.mpmcPop(q), EMPTY);
    assert.is(x.mpmcLength(q), 0);
  });

  S('FIFO', ({ x, q }) => {
    for (let v = 0; v < 10; v++) assert.is(x.mpmcPush(q, v * 7), 1, `push ${v}`);
    assert.is(x.mpmcLength(q), 10);
    for (let v = 0; v < 10; v++) assert.is(x.mpmcPop(q), v * 7, `pop ${v}`);
    assert.is(x.mpmcPop(q), EMPTY);
  });

  S('values up to 2^31 - 1 survive the trip', ({ x, q }) => {
    for (const v of [0, 1, 0x7fffffff, 0x12345678]) {
      assert.is(x.mpmcPush(q, v), 1);
      assert.is(x.mpmcPop(q), v);
    }
  });

  S(`full: push returns 0 when all ${cap} cells are used; one pop makes room for one push`, ({ x, q }) => {
    for (let v = 0; v < cap; v++) assert.is(x.mpmcPush(q, v), 1, `push ${v} of ${cap}`);
    assert.is(x.mpmcPush(q, 999), 0, 'push on a full queue');
    assert.is(x.mpmcLength(q), cap, 'a refused push changes nothing');
    assert.is(x.mpmcPop(q), 0);
    assert.is(x.mpmcPush(q, cap), 1, 'room after one pop');
    assert.is(x.mpmcPush(q, 999), 0, 'full again');
    for (let v = 1; v <= cap; v++) assert.is(x.mpmcPop(q), v, 'FIFO across the wrap');
    assert.is(x.mpmcPop(q), EMPTY);
  });

  S('many laps around the ring agree with a model (100k random ops)', ({ x, q }) => {
    agreeWithModel(x, q, cap, Math.max(10_000, Math.round(100_000 * SCALE)), 4242);
  });

  S.run();
}

singleThread('injector', (L) => L.injector, INJ_CAP);

// ---

singleThread('completion ring', (L) => L.completions, COMP_CAP);

// ---

const PDONE = 0, BAD = 1, BAD_VALUE = 2, DISORDER = 3; // ctl indices, mirrored from helpers/mpmc-worker.mjs
const MAX_N = Math.max(1_000_000, Math.round(1_000_000 * SCALE));
/**
 * Each test's sizes grow 1, 4, 13, … towards MAX_N while they fit in BUDGET_MS (helpers/core.mjs
 * growingWithin): a quiet machine reaches MAX_N in about a second a test. On a loaded one the threads
 * spin on a full or empty queue through whole time slices and a round's time is erratic (10^6 values in
 * 0.5 s, then in 5 s), so past FLOOR_N the producers also stop at the budget's end, and the round checks
 * exactly-once over what they pushed. The sizes up to FLOOR_N (205 laps of the 16-cell queue) always
 * run whole. (Sleeping after a spin of 50 µs made the rounds slower at every load short of the worst.)
 */
const BUDGET_MS = 3000;
const FLOOR_N = 3280;
const ROUND_MS = 30_000;

/** P producers and C consumers on one queue, for each size n of 1, 4, 13, … towards MAX_N (within the budget). */
async function producersConsumers(key, taskCapLog2, producers, consumers) {
  const env = await makeCore({ taskCapLog2, runCap: RUN_CAP });
  const q = key(env.core.L);
  const sizes = growingWithin(MAX_N, BUDGET_MS, FLOOR_N);
  const counts = new Uint32Array(new SharedArrayBuffer(MAX_N * 4));
  const ctl = new Int32Array(new SharedArrayBuffer(32));
  const barrier = new Int32Array(new SharedArrayBuffer(4));
  await withThreads('./mpmc-worker.mjs', producers + consumers, env, { counts, ctl, barrier }, async (th) => {
    for (const n of sizes) {
      counts.fill(0, 0, n);
      ctl.fill(0);
      const label = `${producers} producer(s) × ${consumers} consumer(s), 2^${taskCapLog2} task slots, n=${n}`;
      const deadline = sizes.deadline(n);
      const msgs = th.workers.map((_, i) => i < producers
        ? { role: 'producer', q, n, producers, p: i, deadline }
        : { role: 'consumer', q, n, producers });
      const replies = await th.round(msgs, ROUND_MS, label);
      assert.is(ctl[BAD], 0, `${label}: a value never pushed came out (last: ${ctl[BAD_VALUE]})`);
      // Producer p pushed p, p + P, … its first `pushed` values (all of them, unless the deadline came first).
      const pushed = replies.slice(0, producers).map((r) => r.pushed);
      const total = pushed.reduce((a, b) => a + b, 0);
      if (!deadline) assert.is(total, n, `${label}: pushed`);
      assert.is(replies.reduce((a, r) => a + r.popped, 0), total, `${label}: popped what was pushed`);
      exactlyOnce(counts, n, label, (v) => Math.floor(v / producers) < pushed[v % producers]);
      if (total < n) sizes.cut(n, total);
      assert.is(ctl[DISORDER], 0, `${label}: a consumer saw one producer's values out of order`);
      assert.is(env.core.x.mpmcLength(q), 0, `${label}: empty at the end`);
    }
  });
  console.log(`  ${producers}×${consumers}, 2^${taskCapLog2} cells: ${sizes.summary}`);
}

const Injector = suite('injector: producers × consumers, exactly once');
for (const [p, c] of [[2, 2], [3, 1], [1, 3]]) {
  for (const log2 of [TASK_LOG2, 12]) {
    Injector(`${p}×${c}, ${1 << log2} cells, n = 1 … ≤ ${MAX_N}`, async () => {
      await producersConsumers((L) => L.injector, log2, p, c);
    });
  }
}
Injector.run();

// ---

const Completions = suite('completion ring: producers × 1 consumer, exactly once');
for (const p of [2, 3]) {
  Completions(`${p}×1, ${COMP_CAP} cells, n = 1 … ≤ ${MAX_N}`, async () => {
    await producersConsumers((L) => L.completions, TASK_LOG2, p, 1);
  });
}
Completions.run();
