// Bare threads: the machine's own ceiling for a 2-worker map or reduce, measured beside the runtime.
// Two plain worker_threads instantiate the core over a given shared memory and run the same SIMD kernel
// on halves of the same arrays; nothing of the runtime is on the path (no tasks, no deque, no job block,
// no completion ring). Between calls each one spins for `lingerMs` (as the runtime's workers linger),
// then parks on a futex, so a call after a pause pays a wake-up as the runtime's does, and one right
// after another does not. Speed-up of bare threads / one thread is what the hardware gives this run;
// the runtime's ratio is compared against it (bench/algorithms.mjs, bench/tools/map-ceiling.mjs).
//
// Control words (one Int32Array over a SharedArrayBuffer; every field is written by the main thread
// before the Atomics.add on SEQ that publishes it, and read by a thread after it saw SEQ change):
//   SEQ    the call's number; threads wait for it to change
//   DONE   threads finished with this call (Atomics.add, then notify; the main thread waits on it)
//   QUIT   1: the threads return
//   OP     0 map (out = s·a + b, 'axpy'), 1 reduce (Σ a, f32 'sum')
//   A B O  byte offsets of the arrays; N items; PARTS: threads taking part (1 or 2)
// Each thread writes its partial sum to sums[i] before its Atomics.add on DONE (which publishes it).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as K from '../build/src/kernels.js';

const SEQ = 0, DONE = 1, QUIT = 2, OP = 3, A = 4, B = 5, O = 6, N = 7, PARTS = 8, WORDS = 9;
const MAP = { kind: 'map', op: 'axpy', dtype: 'f32', scalars: [2] };
const SUM = { kind: 'reduce', op: 'sum', dtype: 'f32' };

/**
 * Starts two bare threads over `memory` (a shared WebAssembly.Memory holding the arrays) with the core
 * `module`. Returns run(op, a, b, out, parts) (synchronous: the calling thread sleeps until the threads
 * are done; returns the sum for reduce) and close().
 */
export async function bareThreads(module, memory, lingerMs) {
  const ctl = new Int32Array(new SharedArrayBuffer(4 * WORDS));
  const sums = new Float64Array(new SharedArrayBuffer(16));
  const threads = [0, 1].map((i) => new Worker(new URL(import.meta.url), { workerData: { module, memory, ctl, sums, i, lingerMs } }));
  await Promise.all(threads.map((w) => new Promise((ok, no) => { w.once('message', ok); w.once('error', no); })));
  return {
    /** One call: `parts` threads (1: thread 0 alone, the whole range) over a, b → out (map) or Σ a (reduce). */
    run(op, a, b, out, parts) {
      ctl[OP] = op === 'reduce' ? 1 : 0;
      ctl[A] = a.byteOffset; ctl[B] = b?.byteOffset ?? 0; ctl[O] = out?.byteOffset ?? 0;
      ctl[N] = a.length; ctl[PARTS] = parts;
      Atomics.store(ctl, DONE, 0);
      Atomics.add(ctl, SEQ, 1);   // publishes the fields above
      Atomics.notify(ctl, SEQ);
      for (let d = Atomics.load(ctl, DONE); d < parts; d = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, d, 100);
      return parts === 2 ? sums[0] + sums[1] : sums[0];
    },
    async close() {
      Atomics.store(ctl, QUIT, 1);
      Atomics.add(ctl, SEQ, 1);
      Atomics.notify(ctl, SEQ);
      await Promise.all(threads.map((w) => new Promise((ok) => w.once('exit', ok))));
    },
  };
}

if (!isMainThread && workerData?.ctl) {
  const { module, memory, ctl, sums, i, lingerMs } = workerData;
  const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
  parentPort.postMessage('ready');
  for (let seen = 0; ;) {
    // Spin for lingerMs, checking the clock every 256 rounds, then sleep until SEQ changes.
    const until = performance.now() + lingerMs;
    for (let k = 0; Atomics.load(ctl, SEQ) === seen; k++) {
      if ((k & 255) === 255 && performance.now() > until) { Atomics.wait(ctl, SEQ, seen); break; }
    }
    seen = Atomics.load(ctl, SEQ);
    if (Atomics.load(ctl, QUIT)) break;
    const parts = ctl[PARTS];
    if (i >= parts) continue;
    const n = ctl[N], lo = Math.floor((n * i) / parts), hi = Math.floor((n * (i + 1)) / parts);
    sums[i] = ctl[OP] === 1 ? K.runReduce(x, SUM, [ctl[A]], lo, hi) : (K.runMap(x, MAP, ctl[O], [ctl[A], ctl[B]], lo, hi), 0);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
}
