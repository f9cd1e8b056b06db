// Threads for test/injector.test.mjs: producers and consumers of one Vyukov queue (assembly/mpmc.ts).
//   producer p of P pushes p, p + P, p + 2P, … below n, in that order, retrying while the queue is full,
//            or stops early once Date.now() passes `deadline` (when not 0; checked every 64 pushes);
//            then it counts itself in ctl[PDONE] and reports how many it pushed.
//   consumer pops until it saw PDONE == P *before* a pop that returned EMPTY. It counts every value in
//            counts[v] and checks that the values of each producer reach it in increasing order (the queue
//            is FIFO, and one consumer's successive pops take increasing positions).
import { serve, EMPTY } from './thread.mjs';

const PDONE = 0, BAD = 1, BAD_VALUE = 2, DISORDER = 3; // ctl indices, mirrored in test/injector.test.mjs

serve(({ role, q, n, producers, p, deadline }, { x, barrier, data }) => {
  const counts = data.counts;
  const ctl = data.ctl;
  let pushed = 0, popped = 0, fulls = 0, empties = 0;
  barrier();
  if (role === 'producer') {
    for (let v = p; v < n; v += producers) {
      if (deadline && (pushed & 63) === 0 && Date.now() > deadline) break;
      while (!x.mpmcPush(q, v)) fulls++;   // full: spin (a short wait here made the rounds slower, not faster)
      pushed++;
    }
    Atomics.add(ctl, PDONE, 1);
  } else {
    const last = new Float64Array(producers).fill(-1);
    for (;;) {
      const done = Atomics.load(ctl, PDONE) === producers;  // read BEFORE the pop: EMPTY after that is final
      const v = x.mpmcPop(q);
      if (v >= 0) {
        popped++;
        if (v >= n) { Atomics.add(ctl, BAD, 1); Atomics.store(ctl, BAD_VALUE, v); continue; }
        Atomics.add(counts, v, 1);
        const from = v % producers;
        if (v <= last[from]) Atomics.add(ctl, DISORDER, 1);
        last[from] = v;
      } else if (v === EMPTY) {
        if (done) break;
        empties++;
      } else {
        throw new Error(`mpmcPop returned ${v}`);
      }
    }
  }
  return { pushed, popped, fulls, empties };
});
