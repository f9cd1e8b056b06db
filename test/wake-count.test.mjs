// How many parked workers Engine.wake wakes (src/engine/engine.ts), with the shared words it reads
// changing between its reads. The workers are modelled: the reads go to a fake core and pool, and a
// searching worker takes a queued helper just before the k-th read, for every k (and never), the take
// seen at once in both the queue and the worker's `current`. Whatever the moment, a helper taken is not
// woken for again, and each helper no searcher is left for gets one parked worker.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Engine } from '../build/src/engine/engine.js';

/**
 * A machine of `live` workers: `sleeping` parked, `running` in a task, the rest searching, and `queued`
 * helpers waiting. Just before read number `takeAt` (0 first) a searcher takes one helper and runs it.
 */
function world({ live, sleeping, running, queued, takeAt }) {
  let reads = 0, woken = 0;
  const read = () => {
    if (reads++ === takeAt) {
      assert.ok(queued > 0 && live - sleeping - running > 0, 'the model takes a queued helper with a searcher');
      queued--; running++;
    }
  };
  const x = {
    queuedLength() { read(); return queued; },
    runningWorkers(limit) { read(); return Math.min(running, limit); },
    wakeOne() { if (sleeping === 0) return false; sleeping--; woken++; return true; },
  };
  const pool = { live, sleeping() { read(); return sleeping; }, demand() {} };
  return { self: { core: { x }, pool }, woken: () => woken, reads: () => reads };
}

/** Engine.wake on the model for every moment of the take; the workers it woke, one entry per moment. */
function wokenAtEveryMoment(state, options) {
  const woken = [];
  for (let takeAt = 0; ; takeAt++) {
    const w = world({ ...state, takeAt });
    Engine.prototype.wake.call(w.self, options);
    woken.push(w.woken());
    if (w.reads() <= takeAt) return woken;   // this take came after the last read: the same as none
  }
}

const S = suite('Engine.wake counts idle workers against queued helpers');

S('two helpers queued, one searcher that takes one of them between the reads: one parked worker is woken for the other', () => {
  const woken = wokenAtEveryMoment({ live: 2, sleeping: 1, running: 0, queued: 2 }, { count: 2, queuedOnly: true });
  assert.ok(woken.length >= 4, `every read and the moment after them: ${woken.length}`);
  assert.equal(woken, woken.map(() => 1), 'workers woken, by the moment the searcher took a helper');
  const wider = wokenAtEveryMoment({ live: 4, sleeping: 2, running: 0, queued: 4 }, { count: 4, queuedOnly: true });
  assert.equal(wider, wider.map(() => 2), 'two searchers for four helpers, one taken: two parked workers woken');
});

S('a searcher that takes the one queued helper between the reads: nobody is woken', () => {
  const woken = wokenAtEveryMoment({ live: 2, sleeping: 1, running: 0, queued: 1 }, { count: 1, queuedOnly: true });
  assert.ok(woken.length >= 4, `every read and the moment after them: ${woken.length}`);
  assert.equal(woken, woken.map(() => 0), 'workers woken, by the moment the searcher took the helper');
});

S('the same with more workers and helpers: one helper taken, the rest covered by searchers', () => {
  const woken = wokenAtEveryMoment({ live: 4, sleeping: 1, running: 0, queued: 3 }, { count: 3, queuedOnly: true });
  assert.equal(woken, woken.map(() => 0));
});

S('a helper with no searcher to take it wakes one parked worker', () => {
  for (const [state, count] of [
    [{ live: 2, sleeping: 2, running: 0, queued: 1 }, 1],
    [{ live: 2, sleeping: 1, running: 1, queued: 1 }, 1],
    [{ live: 4, sleeping: 2, running: 1, queued: 2 }, 2],   // one searcher for two helpers
  ]) {
    const w = world({ ...state, takeAt: -1 });
    Engine.prototype.wake.call(w.self, { count, queuedOnly: true });
    assert.is(w.woken(), count - (state.live - state.sleeping - state.running), JSON.stringify(state));
  }
});

S('nothing queued: nobody is woken and the idle count is not read', () => {
  const w = world({ live: 2, sleeping: 2, running: 0, queued: 0, takeAt: -1 });
  Engine.prototype.wake.call(w.self, { count: 1, queuedOnly: true });
  assert.is(w.woken(), 0);
  assert.is(w.reads(), 1, 'one read of the queues');
});

S('helpers about to be pushed (not queuedOnly): one parked worker per helper no searcher covers', () => {
  for (const [state, count, want] of [
    [{ live: 2, sleeping: 2, running: 0, queued: 0 }, 1, 1],
    [{ live: 2, sleeping: 1, running: 0, queued: 0 }, 1, 0],
    [{ live: 3, sleeping: 2, running: 0, queued: 0 }, 3, 2],
    [{ live: 2, sleeping: 1, running: 0, queued: 0 }, 3, 1],   // no more parked workers than there are
  ]) {
    const w = world({ ...state, takeAt: -1 });
    Engine.prototype.wake.call(w.self, { count });
    assert.is(w.woken(), want, JSON.stringify(state));
  }
});

S.run();
