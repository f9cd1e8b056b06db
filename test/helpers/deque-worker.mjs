// Threads for test/deque.test.mjs. Thread 0 owns worker slot 0's deque; the others steal from it.
//   owner  pushes 0..n-1; after each push it pops (LIFO) with probability popPct/100 (25: the deque fills up
//          and wraps; 75: it stays near empty, so pop and steal race for the last item all the time); when
//          dequePush reports full it pops one and retries; at the end it pops until EMPTY and raises
//          ctl[DONE] = round.
//   thief  steals from slot 0 until it sees DONE for this round *before* a steal that returns EMPTY.
// Every value taken is counted in counts[v] (shared); the host checks each count is exactly 1.
import { serve, rng, EMPTY, RETRY } from './thread.mjs';

const DONE = 0, BAD = 1, BAD_VALUE = 2; // ctl indices, mirrored in test/deque.test.mjs

serve(({ role, n, round, seed, popPct }, { core, x, barrier, data }) => {
  const counts = data.counts;   // Uint32Array over a SharedArrayBuffer
  const ctl = data.ctl;         // Int32Array over a SharedArrayBuffer
  const slot = core.workerPtr(0);
  const record = (v) => {
    if (v < n) Atomics.add(counts, v, 1);
    else { Atomics.add(ctl, BAD, 1); Atomics.store(ctl, BAD_VALUE, v); }
  };
  let popped = 0, stolen = 0, retries = 0, fulls = 0, empties = 0;
  barrier();
  if (role === 'owner') {
    const next = rng(seed);
    for (let i = 0; i < n; i++) {
      while (!x.dequePush(slot, i)) {           // full: make room the way the scheduler would (pop one)
        fulls++;
        const v = x.dequePop(slot);
        if (v >= 0) { record(v); popped++; }
      }
      if (next() % 100 < popPct) {
        const v = x.dequePop(slot);
        if (v >= 0) { record(v); popped++; } else if (v === EMPTY) empties++; else throw new Error(`dequePop returned ${v}`);
      }
    }
    for (let v = x.dequePop(slot); v !== EMPTY; v = x.dequePop(slot)) {
      if (v < 0) throw new Error(`dequePop returned ${v}`);
      record(v); popped++;
    }
    Atomics.store(ctl, DONE, round);
  } else {
    for (;;) {
      const done = Atomics.load(ctl, DONE) === round;   // read BEFORE the steal: EMPTY after DONE is final
      const v = x.dequeSteal(slot);
      if (v >= 0) { record(v); stolen++; }
      else if (v === RETRY) retries++;
      else if (v === EMPTY) { if (done) break; }
      else throw new Error(`dequeSteal returned ${v}`);
    }
  }
  return { popped, stolen, retries, fulls, empties };
});
