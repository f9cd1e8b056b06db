// The hardware ceiling for map at 2 workers, without the runtime: the axpy kernel over 10^7 f32 run by one
// worker thread on the whole range, then by two worker threads on halves at once. The workers spin between
// rounds (no wake-up latency); the main thread sleeps. Usage: node bench/tools/map-ceiling.mjs
// (bench/RESULTS.md, session 3: 1.32–1.85× on the 2-vCPU VM; with parked workers woken by a futex, 0.6×).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as K from '../../build/src/kernels.js';
const n = 1e7;
const desc = { kind: 'map', op: 'axpy', dtype: 'f32', scalars: [2] };
if (isMainThread) {
  const { compileCore } = await import('../../build/src/memory.js');
  const mod = await compileCore();
  const mem = new WebAssembly.Memory({ initial: Math.ceil(130e6 / 65536), maximum: 65536, shared: true });
  new Float32Array(mem.buffer, 1 << 20, n).fill(1); new Float32Array(mem.buffer, (1 << 20) + 40e6, n).fill(2); new Float32Array(mem.buffer, (1 << 20) + 80e6, n).fill(3);
  const x = new WebAssembly.Instance(mod, { env: { memory: mem } }).exports;
  const A = 1 << 20, B = A + 40e6, O = A + 80e6;
  const sab = new Int32Array(new SharedArrayBuffer(16));
  const ws = [0, 1].map((i) => new Worker(new URL(import.meta.url), { workerData: { mod, mem, sab, i } }));
  await Promise.all(ws.map((w) => new Promise((r) => w.once('message', r))));
  const one = [], two = [];
  for (let r = 0; r < 15; r++) {
    let t0 = performance.now(); Atomics.store(sab, 3, 1); Atomics.store(sab, 1, 1); Atomics.add(sab, 0, 1); Atomics.notify(sab, 0);
    for (let v = Atomics.load(sab, 1); v < 2; v = Atomics.load(sab, 1)) Atomics.wait(sab, 1, v, 50); one.push(performance.now() - t0); Atomics.store(sab, 3, 0);
    t0 = performance.now(); Atomics.store(sab, 1, 0); Atomics.add(sab, 0, 1); Atomics.notify(sab, 0);
    for (let v = Atomics.load(sab, 1); v < 2; v = Atomics.load(sab, 1)) Atomics.wait(sab, 1, v, 50); two.push(performance.now() - t0);
  }
  const med = (xs) => xs.sort((p, q) => p - q)[7].toFixed(2);
  console.log('one thread', med(one), 'ms; two threads, halves', med(two), 'ms; ratio', (med(one) / med(two)).toFixed(2));
  Atomics.store(sab, 2, 1); Atomics.add(sab, 0, 1); Atomics.notify(sab, 0);
  for (const w of ws) await w.terminate();
} else {
  const { mod, mem, sab, i } = workerData;
  const x = new WebAssembly.Instance(mod, { env: { memory: mem } }).exports;
  const A = 1 << 20, B = A + 40e6, O = A + 80e6, h = n / 2;
  parentPort.postMessage('ready');
  let seen = 0;
  for (;;) {
    while (Atomics.load(sab, 0) === seen) {} seen = Atomics.load(sab, 0);
    if (Atomics.load(sab, 2)) break;
    if (Atomics.load(sab, 3)) { if (i === 0) K.runMap(x, desc, O, [A, B], 0, n); else continue; } else K.runMap(x, desc, O, [A, B], i * h, (i + 1) * h);
    Atomics.add(sab, 1, 1); Atomics.notify(sab, 1);
  }
}
