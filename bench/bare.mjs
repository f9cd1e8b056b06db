// The runtime's split without the runtime: for a map or reduce over a shared memory, the calling thread
// runs the first half with the same SIMD kernel while one plain worker thread runs the second, as a
// caller-driven call on 2 workers does (src/algorithms/caller.ts: the caller and one helper). Nothing of
// the runtime is on the path: no task, deque, job block, claims or completion ring. Between calls the
// thread spins for `lingerMs` (as the workers linger), then parks on a futex, so a call after a pause
// pays one wake-up, as the runtime's does, and one right after another does not; the caller polls for
// the thread's half, as the runtime's polls for its helper. bench/algorithms.mjs runs it beside the
// runtime: its ratio to one thread is what this machine gives that split in that run.
//
// Control words (one Int32Array over a SharedArrayBuffer). The main thread writes OP, A, B, O, N, then
// publishes them with the Atomics.add on SEQ; the thread reads them after it saw SEQ change. Calls never
// overlap: run() returns only after the thread's Atomics.add on DONE, which publishes its partial sum.
//   SEQ     the call's number; the thread waits for it to change
//   DONE    calls the thread finished
//   QUIT    1: the thread returns
//   PARKED  1 while the thread sleeps on SEQ (set before its wait, cleared after)
//   OP      0 map (out = 2·a + b, 'axpy'), 1 reduce (Σ a, f32 'sum'); A B O: byte offsets; N: items
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as K from '../build/src/kernels.js';

const SEQ = 0, DONE = 1, QUIT = 2, PARKED = 3, OP = 4, A = 5, B = 6, O = 7, N = 8, WORDS = 9;
const MAP = { kind: 'map', op: 'axpy', dtype: 'f32', scalars: [2] };
const SUM = { kind: 'reduce', op: 'sum', dtype: 'f32' };
/** A call that takes longer than this has lost its thread (it threw, or died): run() throws instead of waiting on. */
const DEADLINE_MS = 10_000;

/** The kernel over [lo, hi): the sum for reduce, 0 for map. */
function kernel(x, op, a, b, o, lo, hi) {
  if (op === 1) return K.runReduce(x, SUM, [a], lo, hi);
  K.runMap(x, MAP, o, [a, b], lo, hi);
  return 0;
}

/**
 * Starts the plain thread over `memory` (a shared WebAssembly.Memory holding the arrays) with the core
 * `module`, and instantiates the core on this thread too. Returns run(op, a, b, out, split): synchronous,
 * the sum for reduce; split false runs it all on this thread. parked(): whether the thread sleeps. close().
 */
export async function bareHelper(module, memory, lingerMs) {
  const ctl = new Int32Array(new SharedArrayBuffer(4 * WORDS));
  const sum = new Float64Array(new SharedArrayBuffer(8));
  const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const thread = new Worker(new URL(import.meta.url), { workerData: { module, memory, ctl, sum, lingerMs } });
  let failure;
  thread.on('error', (e) => { failure = e; });
  await new Promise((ok, no) => { thread.once('message', ok); thread.once('error', no); });
  return {
    run(op, a, b, out, split) {
      const code = op === 'reduce' ? 1 : 0, n = a.length, pa = a.byteOffset, pb = b?.byteOffset ?? 0, po = out?.byteOffset ?? 0;
      if (!split) return kernel(x, code, pa, pb, po, 0, n);
      if (failure) throw failure;
      ctl[OP] = code; ctl[A] = pa; ctl[B] = pb; ctl[O] = po; ctl[N] = n;
      const done = Atomics.load(ctl, DONE);
      Atomics.add(ctl, SEQ, 1);   // publishes the fields above
      if (Atomics.load(ctl, PARKED) === 1) Atomics.notify(ctl, SEQ);
      const mine = kernel(x, code, pa, pb, po, 0, n >> 1);
      const end = performance.now() + DEADLINE_MS;
      for (let k = 0; Atomics.load(ctl, DONE) === done; k++) {
        if ((k & 1023) === 1023 && performance.now() > end) throw new Error(`bare thread: no answer in ${DEADLINE_MS} ms`);
      }
      return mine + sum[0];
    },
    parked: () => Atomics.load(ctl, PARKED) === 1,
    async close() {
      Atomics.store(ctl, QUIT, 1);
      Atomics.add(ctl, SEQ, 1);
      Atomics.notify(ctl, SEQ);
      await new Promise((ok) => { if (thread.threadId === -1) ok(); else thread.once('exit', ok); });
    },
  };
}

if (!isMainThread && workerData?.ctl) {
  const { module, memory, ctl, sum, lingerMs } = workerData;
  const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
  parentPort.postMessage('ready');
  for (let seen = 0; ;) {
    // Spin for lingerMs, checking the clock every 256 rounds, then sleep until SEQ changes.
    const until = performance.now() + lingerMs;
    for (let k = 0; Atomics.load(ctl, SEQ) === seen; k++) {
      if ((k & 255) === 255 && performance.now() > until) {
        Atomics.store(ctl, PARKED, 1);
        Atomics.wait(ctl, SEQ, seen);
        Atomics.store(ctl, PARKED, 0);
      }
    }
    seen = Atomics.load(ctl, SEQ);
    if (Atomics.load(ctl, QUIT)) break;
    const n = ctl[N];
    sum[0] = kernel(x, ctl[OP], ctl[A], ctl[B], ctl[O], n >> 1, n);
    Atomics.add(ctl, DONE, 1);
  }
}
