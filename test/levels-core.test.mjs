// Priority levels on the deques (assembly/README.md, Priority levels): each worker has a deque per level;
// a task a worker makes ready goes on its deque of the task's level, and owner and thieves take the most
// urgent level first. The layout of the level deques; on one thread, tasks ready together run strictly
// by level, FIFO within one (sources and released successors, as placement orders them); on 1, 2 and 4
// threads, every task of graphs with random levels is retired exactly once over growing sizes, with
// thieves, through the overflow path to the levels' submission queues, and when the run is stopped.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeCore, growing, SCALE, EMPTY } from './helpers/core.mjs';
import { GraphLoop, NO_STOP, CANCEL, FAIL, NORMAL } from './helpers/graph-loop.mjs';
import { levelBits } from '../build/src/engine/placement.js';

const TASK_LOG2 = 11;
const MAX = Math.min(1 << TASK_LOG2, Math.max(364, Math.round(1500 * SCALE)));

/** Level of task i for a given seed: a fixed pseudo-random pick among the four. */
const levels = (seed) => (i) => (Math.imul(i + 1, 0x9e3779b1) ^ seed) >>> 29 & 3;
/** Shapes: n independent tasks (all sources); one root releasing n - 1; a binary tree. */
const SHAPES = {
  sources: () => () => [],
  fan: (n) => (i) => (i === 0 ? [...Array(n - 1).keys()].map((k) => k + 1) : []),
  tree: (n) => (i) => [2 * i + 1, 2 * i + 2].filter((j) => j < n),
};

// ---

const Layout = suite('level deques: layout');

Layout('a Deque has a WorkerSlot\'s deque words at the same offsets; each worker has three, disjoint', async () => {
  const { core } = await makeCore({ workers: 3, dequeCapLog2: 4 });
  const { L, x } = core;
  assert.is(L.D_top, L.W_top);
  assert.is(L.D_bottom, L.W_bottom);
  assert.is(L.size_Deque, 128, 'two lines: top for thieves, bottom for the owner');
  assert.ok(L.D_bottom >= 64, 'bottom on the second line');
  const base = Atomics.load(core.u32, (L.header + L.H_levelDeques) >> 2);
  assert.is(base % 64, 0, 'line-aligned');
  // Each level deque holds min(dequeCap, 4096) = 16 here, and works as a deque on its own.
  for (let d = 0; d < 9; d++) {
    const dp = base + d * L.size_Deque;
    let k = 0;
    while (x.dequePush(dp, 1000 * d + k)) k++;
    assert.is(k, 16, `deque ${d}: capacity`);
  }
  x.dequePush(core.workerPtr(1), 7);
  assert.equal([0, 1, 2].map((w) => x.queuedOn(w)), [48, 49, 48], 'queuedOn: every level of one worker');
  assert.is(x.dequePop(core.workerPtr(1)), 7);
  for (let d = 0; d < 9; d++) {
    const dp = base + d * L.size_Deque;
    assert.is(x.dequeSteal(dp), 1000 * d, `deque ${d}: steal takes the oldest`);
    assert.is(x.dequePop(dp), 1000 * d + 15, `deque ${d}: pop takes the newest`);
    for (let k = 0; k < 14; k++) assert.ok(x.dequePop(dp) >= 1000 * d, `deque ${d}: its own values only`);
    assert.is(x.dequePop(dp), EMPTY, `deque ${d}: empty`);
  }
  assert.is(Atomics.load(core.u32, (L.header + L.H_levelsUsed) >> 2), 0, 'no task pushed: the flag is still clear');
});

Layout('Task.flags level bits: normal is 0, so records written without a level are normal', () => {
  assert.equal([0, 1, 2, 3].map((l) => levelBits(l, 8)), [2 << 8, 3 << 8, 0, 1 << 8]);
});

Layout.run();

// ---

const Order = suite('level deques: one thread runs tasks ready together strictly by level, FIFO within one');

Order('sources and a fan-out, growing sizes', async () => {
  const loop = await GraphLoop.start(1, TASK_LOG2, { dequeCapLog2: 12 });   // no overflow: every level fits a deque
  try {
    for (const n of growing(MAX)) {
      for (const [shape, skipFirst] of [['sources', 0], ['fan', 1]]) {
        const level = levels(n);
        const { order } = await loop.run(n, SHAPES[shape](n), level, NO_STOP, 0, `${shape} n=${n}`);
        const ready = order.slice(skipFirst);
        const want = ready.slice().sort((a, b) => level(a) - level(b) || a - b);
        assert.equal(ready, want, `${shape} n=${n}: by level, then by index`);
      }
    }
    assert.is(Atomics.load(loop.core.u32, (loop.core.L.header + loop.core.L.H_levelsUsed) >> 2), 1, 'the level deques were used');
  } finally {
    await loop.stop();
  }
});

Order.run();

// ---

for (const workers of [1, 2, 4]) {
  const S = suite(`level deques: every task retired once (${workers} thread${workers > 1 ? 's' : ''})`);
  for (const [what, config] of [['', {}], [', level deques of 16: overflow to the submission queues', { dequeCapLog2: 4 }]]) {
    S(`random levels, growing sizes, sources / fan-out / tree, stopped or not${what}`, async () => {
      const loop = await GraphLoop.start(workers, TASK_LOG2, config);
      try {
        for (const n of growing(MAX)) {
          for (const [shape, succ] of Object.entries(SHAPES)) {
            for (const [mode, at] of [[NO_STOP, 0], [CANCEL, n >> 2], [FAIL, n >> 1]]) {
              await loop.run(n, succ(n), levels(n * 31 + mode), mode, at, `${shape} n=${n} ${['', 'cancel', 'fail'][mode]} ${at}`);
            }
          }
        }
        // Graphs without levels still run on the same core once the level deques are in use.
        await loop.run(MAX, SHAPES.tree(MAX), () => NORMAL, NO_STOP, 0, 'a tree without levels');
      } finally {
        await loop.stop();
      }
    });
  }
  S.run();
}
