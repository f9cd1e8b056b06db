// The browser example: the Mandelbrot showcase (examples/mandelbrot.mjs) drawn on a canvas. Each tile is
// a task that writes its pixels' iteration counts into one image in shared memory; a fan-in task sums
// them. The same tiles on the page's own thread first give the baseline the speedup is measured against.
// Serve with examples/browser/serve.mjs: without its COOP/COEP headers the page is not cross-origin
// isolated, and beatflow runs single-threaded (it says so on the console).
import { Executor, Taskflow } from 'beatflow';
import { tile, sum } from '../mandelbrot-tasks.mjs';
import { VIEW, paint } from './draw.js';

const { width, height, size, maxIter } = VIEW;
const status = document.getElementById('status');
const tiles = [];
for (let y = 0; y < height; y += size) for (let x = 0; x < width; x += size) tiles.push([x, y]);

// Baseline: the same function, tile by tile, on this thread.
const local = new Uint16Array(width * height);
let t0 = performance.now();
for (const [x, y] of tiles) tile(local, width, height, x, y, size, maxIter);
const oneThreadMs = performance.now() - t0;

// The workers import the task module by URL; the host passes its functions by identity.
const executor = await Executor.create({ workers: 'auto', module: new URL('../mandelbrot-tasks.mjs', import.meta.url) });
const image = executor.shared(Uint16Array, width * height);
const tf = new Taskflow('mandelbrot');
const total = tf.emplace(sum).name('sum');
for (const [x, y] of tiles) tf.emplace(tile).args(image, width, height, x, y, size, maxIter).name(`tile ${x},${y}`).precede(total);
await executor.run(tf);                        // lays the graph out in shared memory, and warms up
t0 = performance.now();
const run = await executor.run(tf);
const graphMs = performance.now() - t0;

const pixels = new ImageData(width, height);
paint(image, maxIter, pixels.data);
document.getElementById('view').getContext('2d').putImageData(pixels, 0, 0);
status.textContent = `${tiles.length} tile tasks + 1 fan-in on ${executor.workers} workers` +
  `${executor.singleThreaded ? ' (single-threaded: the page is not cross-origin isolated)' : ''}: ${graphMs.toFixed(1)} ms; ` +
  `one thread: ${oneThreadMs.toFixed(1)} ms; speedup ${(oneThreadMs / graphMs).toFixed(2)}×; ` +
  `${run.result(total).toLocaleString('en-US')} iterations in all; same image as one thread: ${image.every((v, i) => v === local[i]) ? 'yes' : 'NO'}`;
status.dataset.workers = String(executor.workers);
status.dataset.single = String(executor.singleThreaded);
status.className = 'done';
await executor.close();
