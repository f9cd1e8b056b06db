// Threads for test/sleep.test.mjs. Each thread is worker slot `w` of the core for the sleep protocol
// (assembly/sleep.ts): announceSleep(w) → re-check → park(w, -1n), and cancelSleep(w) when the re-check
// finds something. A lost wake-up leaves a thread parked forever; the host's round timeout turns that
// into a failure.
import { serve, EMPTY } from './thread.mjs';

const FOREVER = -1n;

serve((msg, { core, x, barrier, data }) => {
  const ctl = data.ctl; // Int32Array over a SharedArrayBuffer, indices below
  const w = msg.w;
  let parks = 0, woken = 0, claimedEarly = 0, cancels = 0;

  /**
   * Waits until ready() holds, the way a worker waits for work: optionally search first (beginSearch …
   * endSearchFound/Empty), then W1 announce, W2 re-check, W3 withdraw or W4 park. Around W4 it raises
   * ctl[INPARK + w] so a producer can deliberately post while this thread is at (or in) its wait.
   */
  const waitUntil = (ready, search) => {
    for (;;) {
      if (search) {
        const spin = x.beginSearch(1);
        const rounds = spin ? 32 : 1;
        let found = false;
        for (let i = 0; i < rounds && !found; i++) found = ready();
        if (found) { x.endSearchFound(); return; }
        x.endSearchEmpty();
      } else if (ready()) return;
      x.announceSleep(w);                                      // W1
      if (ready()) { x.cancelSleep(w); cancels++; return; }   // W2 + W3
      parks++;
      Atomics.store(ctl, INPARK + w, 1);
      const r = x.park(w, FOREVER);                            // W4
      Atomics.store(ctl, INPARK + w, 0);
      if (r === 0) woken++; else if (r === 1) claimedEarly++; else throw new Error(`park(w, -1n) returned ${r}`);
    }
  };

  barrier();

  if (msg.role === 'pingpong') {
    // Two threads take turns: round r belongs to thread r % 2, which waits for token == r, then posts r + 1.
    // Every third round the poster first waits until the other side is announced (r % 3 == 1) or about
    // to call park (r % 3 == 2), so the claim-and-notify path is exercised on every run, not by luck.
    const tok = msg.tokenIndex;           // an i32 index into core.i32 (a word of the shared heap)
    const other = 1 - w;
    const i32 = core.i32;
    for (let r = w; r < msg.rounds; r += 2) {
      waitUntil(() => Atomics.load(i32, tok) === r, msg.search);
      if (r % 3 === 1) {
        spinUntil(() => Atomics.load(i32, (core.workerPtr(other) + core.L.W_parked) >> 2) === 1 || r + 1 >= msg.rounds);
      } else if (r % 3 === 2) {
        spinUntil(() => Atomics.load(ctl, INPARK + other) === 1 || r + 1 >= msg.rounds);
      }
      Atomics.store(i32, tok, r + 1);
      x.notifyWork();
    }
    return { parks, woken, claimedEarly, cancels };
  }

  if (msg.role === 'consumer') {
    // Takes values from the injector until the producer says DONE and the queue is empty.
    const q = core.L.injector;
    const counts = data.counts;
    let taken = 0, v = EMPTY;
    const ready = () => (v = x.mpmcPop(q)) >= 0 || Atomics.load(ctl, DONE) === 1;
    for (;;) {
      waitUntil(ready, msg.search);
      if (v >= 0) {
        Atomics.add(counts, v, 1);
        taken++;
        Atomics.add(ctl, CONSUMED, 1);
        Atomics.notify(ctl, CONSUMED);
        v = EMPTY;
      } else if (Atomics.load(ctl, DONE) === 1) {
        // DONE was read after an EMPTY pop in ready(); one more pop makes sure nothing slipped in between
        const last = x.mpmcPop(q);
        if (last < 0) break;
        Atomics.add(counts, last, 1); taken++; Atomics.add(ctl, CONSUMED, 1); Atomics.notify(ctl, CONSUMED);
      }
    }
    return { taken, parks, woken, claimedEarly, cancels };
  }

  if (msg.role === 'producer') {
    // Pushes 0..n-1 in bursts of growing size; after each burst waits until all of it was consumed
    // (a lost wake-up stalls here), and before every other burst waits until all consumers are
    // announced asleep, so the pushes have to wake someone.
    const q = core.L.injector;
    const sleepersAt = (core.L.header + core.L.H_sleepers) >> 2;
    let pushed = 0, burst = 1, b = 0;
    while (pushed < msg.n) {
      if (b++ % 2 === 0) spinUntil(() => Atomics.load(core.i32, sleepersAt) === msg.consumers);
      const end = Math.min(msg.n, pushed + burst);
      for (; pushed < end; pushed++) {
        while (!x.mpmcPush(q, pushed)) { /* full: the consumers are draining it */ }
        x.notifyWork();
      }
      for (let c = Atomics.load(ctl, CONSUMED); c < pushed; c = Atomics.load(ctl, CONSUMED)) Atomics.wait(ctl, CONSUMED, c, 50);
      burst = burst * 3 + 1;
    }
    Atomics.store(ctl, DONE, 1);
    x.wakeAllForShutdown();   // DONE is our shutdown: every parked consumer is claimed and re-checks
    return { pushed };
  }

  if (msg.role === 'loop') {
    // The real worker loop: next() blocks (spins, parks) until a task arrives; finish() retires it and
    // blocks for the next one. Ends when next() returns SHUTDOWN (-3) after wakeAllForShutdown().
    const counts = data.counts;
    let ran = 0;
    let t = x.next(w);
    while (t >= 0) {
      Atomics.add(counts, t, 1);
      ran++;
      t = x.finish(w, t, 0);
    }
    return { last: t, ran };
  }

  throw new Error(`unknown role ${msg.role}`);
});

// ctl indices, mirrored in test/sleep.test.mjs
const DONE = 0, CONSUMED = 1, INPARK = 4; // INPARK + w: 1 while thread w is at or in park()

const nap = new Int32Array(new SharedArrayBuffer(4));
/** Spins until cond() holds; after a while, naps 50 µs between checks so a busy machine still runs the other side. */
function spinUntil(cond) {
  for (let i = 0; !cond(); i++) if (i > 2000) Atomics.wait(nap, 0, 0, 0.05);
}
