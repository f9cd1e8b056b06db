// Threads for test/tasks-alloc.test.mjs: allocate and free task slots concurrently. Ownership of each
// slot is claimed in a shared table with Atomics.compareExchange(owner[t], 0, thread + 1): if taskAlloc
// ever hands a slot to two threads at once, the second claim finds the first owner and is counted.
import { serve, rng } from './thread.mjs';

serve(({ iterations, seed, hold }, { x, index, barrier, data }) => {
  const owner = data.owner;   // Int32Array over a SharedArrayBuffer, one word per task slot
  const ctl = data.ctl;       // [collisions, lastCollision]
  const me = index + 1;
  const next = rng(seed);
  const mine = [];
  let allocs = 0, frees = 0, exhausted = 0;
  const release = (t) => {
    if (Atomics.compareExchange(owner, t, me, 0) !== me) {
      Atomics.add(ctl, 0, 1); Atomics.store(ctl, 1, t);
    }
    x.taskFree(t);
    frees++;
  };
  barrier();
  for (let i = 0; i < iterations; i++) {
    if (mine.length < hold && (mine.length === 0 || (next() & 1))) {
      const t = x.taskAlloc();
      if (t < 0) { exhausted++; if (mine.length) release(mine.pop()); continue; }
      if (t >= owner.length) throw new Error(`taskAlloc returned ${t}, beyond taskCap ${owner.length}`);
      const prev = Atomics.compareExchange(owner, t, 0, me);
      if (prev !== 0) { Atomics.add(ctl, 0, 1); Atomics.store(ctl, 1, t); continue; } // do not free what we do not own
      mine.push(t);
      allocs++;
    } else {
      release(mine.splice(next() % mine.length, 1)[0]);
    }
  }
  while (mine.length) release(mine.pop());
  return { allocs, frees, exhausted };
});
