// Threads for test/heap.test.mjs: allocate, fill, verify and free shared-heap blocks concurrently.
// Every block is filled with a tag unique to (thread, block serial); a block that another thread was
// also handed, or that the allocator scribbled on, shows up as a wrong word when it is checked (before
// it is freed, and for the survivors at the end). Some blocks are large, so the memory grows while the
// other threads work; views are re-taken through core.ensure().
import { serve, rng } from './thread.mjs';

serve(({ iterations, seed, maxLive }, { core, x, index, barrier }) => {
  const next = rng(seed);
  const live = [];          // [ptr, words, tag]
  let serial = 0, bad = 0, firstBad = '', allocs = 0, frees = 0, grewTo = 0;
  const fill = (p, words, tag) => { core.ensure(p, words * 4); core.u32.fill(tag, p >> 2, (p >> 2) + words); };
  const check = (p, words, tag) => {
    core.ensure(p, words * 4);
    const u32 = core.u32;
    for (let i = p >> 2, end = i + words; i < end; i++) {
      if (u32[i] !== tag) {
        if (!bad++) firstBad = `block 0x${p.toString(16)} word ${i - (p >> 2)} of ${words}: 0x${u32[i].toString(16)}, expected 0x${tag.toString(16)}`;
        return;
      }
    }
  };
  barrier();
  for (let it = 0; it < iterations; it++) {
    const r = next();
    if (it === iterations >> 1 || (live.length < maxLive && (live.length === 0 || r % 3 !== 0))) {
      const big = r % 97 === 0;
      // halfway through, one block bigger than the whole initial heap: the memory grows mid-run
      const n = it === iterations >> 1 ? (1 << 20) + index : big ? 65536 + (next() % (1 << 18)) : 1 + (next() % 2048);
      const p = x.heapAlloc(n) >>> 0;
      if (p === 0) throw new Error(`heapAlloc(${n}) returned 0`);
      if (p % 16 !== 0) throw new Error(`heapAlloc(${n}) returned 0x${p.toString(16)}, not 16-aligned`);
      if (x.heapUsable(p) < n) throw new Error(`heapUsable(0x${p.toString(16)}) = ${x.heapUsable(p)} < ${n}`);
      const words = Math.ceil(n / 4);
      const tag = (((index + 1) << 24) | (++serial & 0xffffff)) >>> 0;
      fill(p, words, tag);
      live.push([p, words, tag]);
      allocs++;
      grewTo = Math.max(grewTo, core.memory.buffer.byteLength);
    } else {
      const [p, words, tag] = live.splice(next() % live.length, 1)[0];
      check(p, words, tag);
      if (!x.heapFree(p)) throw new Error(`heapFree(0x${p.toString(16)}) of a live block returned 0`);
      frees++;
    }
  }
  for (const [p, words, tag] of live) { check(p, words, tag); x.heapFree(p); frees++; }
  return { bad, firstBad, allocs, frees, grewTo };
});
