// The task slot allocator (assembly/tasks.ts taskAlloc/taskFree): a Treiber stack of freed slots with an
// ABA tag, in front of a bump counter.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeCore, withThreads, SCALE } from './helpers/core.mjs';

const live = (core) => Atomics.load(core.u32, (core.L.header + core.L.H_live) >> 2);

/** Allocates until -1; returns the slots. Fails if a slot repeats or falls outside [0, cap). */
function drain(x, cap, label) {
  const got = [];
  const seen = new Set();
  for (let t = x.taskAlloc(); t !== -1; t = x.taskAlloc()) {
    assert.ok(t >= 0 && t < cap, `${label}: slot ${t} outside [0, ${cap})`);
    assert.ok(!seen.has(t), `${label}: slot ${t} handed out twice`);
    seen.add(t);
    got.push(t);
    if (got.length > cap) break;
  }
  return got;
}

// ---

const One = suite('task slots: one thread');

One('taskAlloc hands out every one of taskCap slots once, then -1', async () => {
  const { core } = await makeCore({ taskCapLog2: 6 });
  const got = drain(core.x, 64, 'fresh');
  assert.is(got.length, 64);
  assert.is(core.x.taskAlloc(), -1, 'still -1');
  assert.is(live(core), 64, 'live counter');
});

One('taskFree + taskAlloc reuses the freed slot (and only it)', async () => {
  const { core } = await makeCore({ taskCapLog2: 4 });
  const x = core.x;
  const got = drain(x, 16, 'fresh');
  x.taskFree(got[5]);
  assert.is(live(core), 15);
  assert.is(x.taskAlloc(), got[5], 'the freed slot comes back');
  assert.is(x.taskAlloc(), -1, 'and nothing else');
  x.taskFree(got[1]); x.taskFree(got[9]); x.taskFree(got[3]);
  const again = [x.taskAlloc(), x.taskAlloc(), x.taskAlloc()].sort((a, b) => a - b);
  assert.equal(again, [got[1], got[3], got[9]].sort((a, b) => a - b), 'three freed, three reused');
  assert.is(x.taskAlloc(), -1);
});

One('free everything, allocate everything: the same set, each slot once', async () => {
  const { core } = await makeCore({ taskCapLog2: 8 });
  const x = core.x;
  const first = drain(x, 256, 'fresh');
  for (const t of first) x.taskFree(t);
  assert.is(live(core), 0);
  const second = drain(x, 256, 'after freeing all');
  assert.equal([...second].sort((a, b) => a - b), [...first].sort((a, b) => a - b));
  assert.is(live(core), 256);
});

One.run();

// ---

const Many = suite('task slots: concurrent alloc/free');

for (const [threads, capLog2, hold] of [[2, 4, 12], [3, 4, 8], [3, 10, 64]]) {
  const iterations = Math.max(50_000, Math.round(1_000_000 * SCALE));
  Many(`${threads} threads, ${1 << capLog2} slots, up to ${hold} held each, ${iterations} ops each: never one slot to two owners`, async () => {
    const env = await makeCore({ taskCapLog2: capLog2 });
    const cap = 1 << capLog2;
    const owner = new Int32Array(new SharedArrayBuffer(cap * 4));
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    const replies = await withThreads('./tasks-worker.mjs', threads, env, { owner, ctl, barrier }, (th) =>
      th.round(th.workers.map((_, i) => ({ iterations, seed: 77 + i, hold })), 60_000, 'slot churn'));
    assert.is(ctl[0], 0, `a slot was owned by two threads at once (last: slot ${ctl[1]})`);
    for (const [i, r] of replies.entries()) assert.is(r.allocs, r.frees, `thread ${i}: freed what it allocated`);
    assert.is(live(env.core), 0, 'live counter back to 0');
    assert.ok(owner.every((o) => o === 0), 'no slot left owned');
    // the free stack is intact: exactly taskCap distinct slots come out, then -1 (no loss, no cycle)
    const all = drain(env.core.x, cap, 'after the churn');
    assert.is(all.length, cap, 'every slot is allocatable again');
  });
}

Many.run();
