// The shared heap (assembly/heap.ts): one allocator for every thread, size classes with free lists,
// growth of the shared memory on demand.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeCore, withThreads, SCALE } from './helpers/core.mjs';

const hex = (p) => `0x${p.toString(16)}`;

// ---

const One = suite('heap: one thread');

One.before(async (ctx) => {
  ctx.env = await makeCore({});
  ctx.core = ctx.env.core;
  ctx.x = ctx.core.x;
});

One('heapAlloc returns non-zero, 16-byte aligned payloads of at least n usable bytes', ({ x }) => {
  for (const n of [0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 1000, 4095, 4096, 4097, 65536, 100_000]) {
    const p = x.heapAlloc(n) >>> 0;
    assert.ok(p !== 0, `heapAlloc(${n}) returned 0`);
    assert.is(p % 16, 0, `heapAlloc(${n}) = ${hex(p)} is 16-aligned`);
    assert.ok(x.heapUsable(p) >= n, `heapUsable(${hex(p)}) = ${x.heapUsable(p)} ≥ ${n}`);
  }
});

One('live blocks never overlap: 2000 blocks of random sizes, intervals disjoint and patterns intact', ({ core, x }) => {
  let s = 99;
  const blocks = [];
  for (let i = 0; i < 2000; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const n = 1 + (s % 5000);
    const p = x.heapAlloc(n) >>> 0;
    assert.ok(p !== 0);
    core.ensure(p, n);
    core.u8.fill(i & 0xff, p, p + n);
    blocks.push({ p, n, end: p + x.heapUsable(p), tag: i & 0xff });
  }
  const sorted = [...blocks].sort((a, b) => a.p - b.p);
  for (let i = 1; i < sorted.length; i++) {
    assert.ok(sorted[i].p >= sorted[i - 1].end,
      `block ${hex(sorted[i].p)} starts inside block ${hex(sorted[i - 1].p)}..${hex(sorted[i - 1].end)}`);
  }
  core.refresh();
  for (const b of blocks) {
    for (let q = b.p; q < b.p + b.n; q++) {
      if (core.u8[q] !== b.tag) assert.unreachable(`block ${hex(b.p)} byte ${q - b.p} is ${core.u8[q]}, expected ${b.tag}`);
    }
  }
  for (const b of blocks) assert.is(x.heapFree(b.p), 1, `free ${hex(b.p)}`);
});

One('heapFree then heapAlloc of the same size class reuses the block', ({ x }) => {
  const p = x.heapAlloc(100) >>> 0;
  assert.is(x.heapFree(p), 1);
  assert.is(x.heapAlloc(100) >>> 0, p, 'same size');
  assert.is(x.heapFree(p), 1);
  assert.is(x.heapAlloc(65) >>> 0, p, 'another size of the same class (65..112 bytes share 128-byte blocks)');
  assert.is(x.heapFree(p), 1);
  const q = x.heapAlloc(1000) >>> 0;
  assert.not.equal(q, p, 'a bigger class does not get the small block');
  assert.is(x.heapFree(q), 1);
});

One('heapFree of a block that is not live returns 0 and changes nothing', ({ core, x }) => {
  const p = x.heapAlloc(64) >>> 0;
  assert.is(x.heapFree(p), 1, 'first free');
  assert.is(x.heapFree(p), 0, 'double free');
  // the double free must not have pushed the block twice: two allocations get two different blocks
  const a = x.heapAlloc(64) >>> 0, b = x.heapAlloc(64) >>> 0;
  assert.not.equal(a, b, 'after a refused double free, two allocations are distinct');
  assert.is(x.heapFree(0), 0, 'null');
  assert.is(x.heapFree(8), 0, 'below the block header size');
  const big = x.heapAlloc(4096) >>> 0;                   // fresh memory: its payload is zero
  core.ensure(big, 4096);
  assert.is(x.heapFree(big + 64), 0, 'a pointer into the middle of a live block');
  assert.is(x.heapFree(big + 1), 0, 'a misaligned pointer');
  assert.is(x.heapFree(big), 1, 'the block itself is still live and frees normally');
  x.heapFree(a); x.heapFree(b);
});

One('heapFree of a pointer past the end of the memory returns 0 (no trap)', ({ core, x }) => {
  const end = core.memory.buffer.byteLength;
  for (const p of [end, end + 4096, 0x7ffffff0, 0xfffffff0]) {
    let r;
    try { r = x.heapFree(p); } catch (err) { assert.unreachable(`heapFree(${hex(p)}) threw ${err.message} (memory is ${hex(end)} bytes)`); }
    assert.is(r, 0, `heapFree(${hex(p)})`);
  }
});

One('allocating past the initial memory grows it; refresh() sees the new bytes', ({ core, x }) => {
  const before = core.memory.buffer.byteLength;
  const oldView = core.u8;
  const n = 4 * 1024 * 1024;
  const p = x.heapAlloc(n) >>> 0;
  assert.ok(p !== 0, 'heapAlloc(4 MiB)');
  const after = core.memory.buffer.byteLength;
  assert.ok(after > before, `memory grew (${before} → ${after} bytes)`);
  assert.ok(p + n <= after, 'the block lies inside the grown memory');
  assert.is(oldView.length, before, 'an old view keeps its old length');
  core.refresh();
  assert.is(core.u8.length, after, 'refresh() re-takes the views at the new length');
  core.u8[p + n - 1] = 0xab;
  core.u32[(p + n - 8) >> 2] = 0xdeadbeef;
  assert.is(core.u8[p + n - 1], 0xab);
  assert.is(new Uint32Array(core.memory.buffer)[(p + n - 8) >> 2], 0xdeadbeef, 'seen through a fresh view of the same memory');
  assert.is(x.heapFree(p), 1);
});

One('asking for more than 2 GiB returns 0, and the heap stays usable', ({ x }) => {
  for (const n of [2 ** 31, 2 ** 31 + 1, 0xfffffff0, 0xffffffff]) assert.is(x.heapAlloc(n) >>> 0, 0, `heapAlloc(${n})`);
  const p = x.heapAlloc(32) >>> 0;
  assert.ok(p !== 0, 'a small allocation still succeeds (no lock left held)');
  assert.is(x.heapFree(p), 1);
});

One.run();

// ---

const Threads = suite('heap: concurrent alloc/free');

for (const threads of [2, 3]) {
  const iterations = Math.max(20_000, Math.round(100_000 * SCALE));
  Threads(`${threads} threads × ${iterations} random allocs/frees: no block handed out twice, no pattern overwritten`, async () => {
    const env = await makeCore({});
    const before = env.core.memory.buffer.byteLength;
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    const replies = await withThreads('./heap-worker.mjs', threads, env, { barrier }, (th) =>
      th.round(th.workers.map((_, i) => ({ iterations, seed: 1000 + i, maxLive: 48 })), 60_000, 'heap churn'));
    for (const [i, r] of replies.entries()) {
      assert.is(r.bad, 0, `thread ${i}: ${r.firstBad}`);
      assert.is(r.allocs, r.frees, `thread ${i}: every block freed once`);
    }
    const after = env.core.memory.buffer.byteLength;
    assert.ok(after > before, `the memory grew while threads were allocating (${before} → ${after})`);
    // everything was freed: the allocator's byte count is back to zero
    env.core.refresh();
    assert.is(env.core.u32[(env.core.L.header + env.core.L.H_heapBytes) >> 2], 0, 'heapBytes back to 0');
  });
}

Threads.run();
