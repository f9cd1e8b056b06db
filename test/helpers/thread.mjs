// Worker-thread side of helpers/core.mjs `Threads`: attach to the shared core, answer each message with
// one reply, and offer a start barrier so every thread of a round begins at once (contention is the point).
import { parentPort, workerData } from 'node:worker_threads';
import { SharedCore } from '../../build/src/engine/memory.js';

export const EMPTY = -1;
export const RETRY = -2;

/**
 * Serves `handler(msg, ctx)` on this thread; its return value is the reply, a thrown error is reported.
 * ctx = { core, x, index, count, data, barrier() }. workerData.barrier, when given, is an Int32Array over a
 * SharedArrayBuffer shared by all `count` threads.
 */
export function serve(handler) {
  const { module, memory, index, count } = workerData;
  const core = SharedCore.attach(module, memory);
  let arrivals = 0; // how many barriers this thread has passed; every thread passes the same ones
  const bar = workerData.barrier;
  const ctx = {
    core, x: core.x, index, count, data: workerData,
    /** Blocks until all `count` threads have reached their k-th barrier. */
    barrier() {
      arrivals++;
      const target = arrivals * count;
      if (Atomics.add(bar, 0, 1) + 1 === target) { Atomics.notify(bar, 0); return; }
      for (let cur = Atomics.load(bar, 0); cur < target; cur = Atomics.load(bar, 0)) Atomics.wait(bar, 0, cur, 50);
    },
  };
  parentPort.on('message', (msg) => {
    let reply;
    try {
      reply = handler(msg, ctx);
    } catch (err) {
      reply = { error: String(err && err.stack ? err.stack : err) };
    }
    parentPort.postMessage(reply ?? {});
  });
}

/** xorshift32: a cheap deterministic stream per thread, so a failing round can be replayed. */
export function rng(seed) {
  let s = (seed | 0) || 0x9e3779b9;
  return () => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return s >>> 0;
  };
}
