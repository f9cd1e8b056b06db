// The showcase: render the Mandelbrot set as a task graph on every core.
// Each tile is a task writing into one image that lives in shared memory (passed by reference, no copy);
// a final task succeeds every tile and sums their results. The same tiles rendered on one thread first
// give the baseline, so the speedup printed is measured in this run.
import { availableParallelism } from 'node:os';
import { Executor, Taskflow, transform, reduce } from 'beatflow';
import { tile, sum } from './mandelbrot-tasks.mjs';

const width = 1200, height = 800, size = 50, maxIter = 1000;
const tiles = [];
for (let y = 0; y < height; y += size) for (let x = 0; x < width; x += size) tiles.push([x, y]);

// Baseline: the same function, tile by tile, on this thread.
const local = new Uint16Array(width * height);
let t0 = performance.now();
let expected = 0;
for (const [x, y] of tiles) expected += tile(local, width, height, x, y, size, maxIter);
const oneThreadMs = performance.now() - t0;

// gpu: true looks for a WebGPU device while the workers start (see the CPU-vs-GPU section at the end).
const executor = await Executor.create({ workers: 'auto', module: new URL('./mandelbrot-tasks.mjs', import.meta.url), gpu: true });
const image = executor.shared(Uint16Array, width * height);
const tf = new Taskflow('mandelbrot');
const total = tf.emplace(sum).name('sum');
for (const [x, y] of tiles) tf.emplace(tile).args(image, width, height, x, y, size, maxIter).name(`tile ${x},${y}`).precede(total);

await executor.run(tf);                       // first run lays the graph out in shared memory (and warms up)
const runs = 5;
t0 = performance.now();
let run;
for (let i = 0; i < runs; i++) run = await executor.run(tf);
const graphMs = (performance.now() - t0) / runs;

const same = run.result(total) === expected && image.every((v, i) => v === local[i]);
console.log(`beatflow showcase: Mandelbrot ${width}×${height}, ${maxIter} iterations max, ${tiles.length} tile tasks + 1 fan-in`);
console.log(`  one thread (plain loop on the host): ${oneThreadMs.toFixed(1)} ms`);
console.log(`  task graph on ${executor.workers} workers (${availableParallelism()} CPUs): ${graphMs.toFixed(1)} ms per run, mean of ${runs}`);
console.log(`  speedup over one thread: ${(oneThreadMs / graphMs).toFixed(2)}×`);
console.log(`  tasks per second: ${Math.round((tiles.length + 1) / (graphMs / 1000)).toLocaleString('en-US')}`);
console.log(`  image identical to the one-thread render: ${same ? 'yes' : 'NO'}`);

// A small preview of the shared image, read directly from the host.
const shades = ' .:-=+*#%@';
for (let y = 0; y < height; y += height / 16) {
  let line = '  ';
  for (let x = 0; x < width; x += width / 60) {
    const n = image[Math.floor(y) * width + Math.floor(x)];
    line += n >= maxIter ? '@' : shades[Math.min(shades.length - 2, Math.floor(Math.log2(n + 1)))];
  }
  console.log(line);
}

// CPU vs GPU: the same built-in kernels through the algorithms' device option, 2^20 floats, y = 2·x + y
// then Σ y. The GPU's time includes uploading the arrays and reading the results back.
const { gpu } = executor;
let agree = true;
if (!gpu.available) console.log(`  CPU vs GPU: no GPU here (${gpu.reason})`);
else {
  const n = 1 << 20;
  const x = executor.shared(Float32Array, n), y = { cpu: executor.shared(Float32Array, n), gpu: executor.shared(Float32Array, n) };
  for (let i = 0; i < n; i++) x[i] = (i % 1000) / 1000;
  const ms = { cpu: [], gpu: [] }, sums = {};
  for (let r = 0; r < 4; r++) {
    for (const device of ['cpu', 'gpu']) {
      y[device].fill(1);
      const t = performance.now();
      await transform(executor, [x, y[device]], y[device], { op: 'axpy', s0: 2 }, { device });
      sums[device] = await reduce(executor, y[device], 'sum', { device });
      if (r > 0) ms[device].push(performance.now() - t);   // the first round compiles the GPU kernels
    }
  }
  const median = (v) => v.sort((p, q) => p - q)[v.length >> 1];
  agree = y.cpu.every((v, i) => v === y.gpu[i]) && Math.abs(sums.cpu - sums.gpu) <= 1e-6 * sums.cpu;
  const [c, g] = [median(ms.cpu), median(ms.gpu)];
  console.log(`  CPU vs GPU, axpy + sum over 2^20 floats, GPU: ${gpu.adapter.device || gpu.adapter.description} (${gpu.backend}, ${gpu.featureLevel})`);
  console.log(`    CPU kernels, ${executor.workers} workers: ${c.toFixed(2)} ms · GPU kernels incl. transfers: ${g.toFixed(2)} ms · ` +
    `GPU ${g < c ? `${(c / g).toFixed(2)}× faster` : `${(g / c).toFixed(2)}× slower`}${gpu.software ? ' (a software adapter: the CPU should win)' : ''}`);
  console.log(`    results agree (axpy bit for bit, sums within 1e-6): ${agree ? 'yes' : 'NO'}`);
}
await executor.close();
if (!same || !agree) process.exit(1);
