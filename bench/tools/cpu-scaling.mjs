// Does this machine give 2 threads twice the work of one? An L1-resident SIMD sum (4096 f32, 20 000 times)
// on one thread, then on two threads at once over arrays of their own: the throughput ratio is ~2 on two
// free cores, and less where the two CPUs share a core or the host takes turns with them. No memory
// traffic and no runtime: what bench/bare.mjs measures minus the memory. Usage: node bench/tools/cpu-scaling.mjs
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as K from '../../build/src/kernels.js';
const { compileCore } = await import('../../build/src/engine/memory.js');
const sum = { kind: 'reduce', op: 'sum', dtype: 'f32' };
const N = 4096, REPS = 20000;
if (isMainThread) {
  const mod = await compileCore();
  const mem = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  const sab = new Int32Array(new SharedArrayBuffer(16));
  const ws = [0, 1].map((i) => new Worker(new URL(import.meta.url), { workerData: { mod, mem, sab, i } }));
  await Promise.all(ws.map((w) => new Promise((r) => w.once('message', r))));
  const go = async (both) => { const t0 = performance.now(); await Promise.all(ws.slice(0, both ? 2 : 1).map((w) => new Promise((r) => { w.once('message', r); w.postMessage(1); }))); return performance.now() - t0; };
  await go(true);   // warm-up: both threads compile and tier up their loop before anything is timed
  const ratios = [];
  for (let r = 0; r < 9; r++) {
    const one = await go(false), two = await go(true);
    ratios.push((2 * one) / two);
    console.log(`one thread ${one.toFixed(1)} ms, two at once ${two.toFixed(1)} ms: throughput ratio ${ratios.at(-1).toFixed(2)}`);
  }
  ratios.sort((p, q) => p - q);
  console.log(`throughput ratio over 9 rounds: median ${ratios[4].toFixed(2)}, range ${ratios[0].toFixed(2)}–${ratios[8].toFixed(2)}`);
  for (const w of ws) await w.terminate();
} else {
  const { mod, mem, i } = workerData;
  const x = new WebAssembly.Instance(mod, { env: { memory: mem } }).exports;
  const A = (1 << 20) + i * 65536;
  new Float32Array(mem.buffer, A, N).fill(1);
  parentPort.postMessage('ready');
  parentPort.on('message', () => { let s = 0; for (let r = 0; r < REPS; r++) s += K.runReduce(x, sum, [A], 0, N); parentPort.postMessage(s); });
}
