// beatflow in Deno: a task graph on every core, with a task module written in TypeScript.
//   deno run --allow-read --allow-env examples/deno/main.ts
// (from the package root; in your project, with beatflow in node_modules or imported as npm:beatflow).
// Counts the primes below 1 000 000 in 64 chunk tasks and a fan-in, checks the count against the same
// chunks run on this thread, and prints both times.
import { Executor, Taskflow } from 'beatflow';
import { countPrimes, total } from './tasks.ts';

const N = 1_000_000, CHUNKS = 64, step = N / CHUNKS;

let t0 = performance.now();
let expected = 0;
for (let c = 0; c < CHUNKS; c++) expected += countPrimes(c * step, (c + 1) * step);
const oneThreadMs = performance.now() - t0;

const executor = await Executor.create({ workers: 'auto', module: new URL('./tasks.ts', import.meta.url) });
try {
  const tf = new Taskflow('primes');
  const sum = tf.emplace(total).name('total');
  for (let c = 0; c < CHUNKS; c++) tf.emplace(countPrimes).args(c * step, (c + 1) * step).name(`chunk ${c}`).precede(sum);
  t0 = performance.now();
  const run = await executor.run(tf);
  const graphMs = performance.now() - t0;
  const got = run.result(sum);
  console.log(`beatflow on Deno ${Deno.version.deno}: ${CHUNKS} tasks + 1 fan-in on ${executor.workers} workers`);
  console.log(`  primes below ${N}: ${got} (one thread: ${expected}) ${got === expected ? 'same' : 'DIFFERENT'}`);
  console.log(`  task graph ${graphMs.toFixed(1)} ms, one thread ${oneThreadMs.toFixed(1)} ms, speedup ${(oneThreadMs / graphMs).toFixed(2)}×`);
  console.log(`  an inline task: ${await executor.async((a: number, b: number) => a * b, 6, 7)}`);
  if (got !== expected) Deno.exitCode = 1;
} finally {
  await executor.close();   // Deno keeps the process alive while a worker lives
}
