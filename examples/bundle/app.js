// beatflow inside a bundle (docs/platforms.md, "Bundlers"): build.mjs bundles this program, its task
// module and beatflow's worker entry with esbuild, for Node or for a browser page, and the bundle finds
// everything it needs through three options instead of beatflow's own files.
import { Executor, Taskflow, reduce } from 'beatflow';
import core from 'beatflow/core.wasm';   // the core's bytes: esbuild's binary loader inlines them
import * as tasks from '../tasks.mjs';

const executor = await Executor.create({
  workers: 2,
  wasm: core,
  workerUrl: new URL('./beatflow-worker.js', import.meta.url),   // the bundle of 'beatflow/worker'
  module: new URL('./tasks.js', import.meta.url),                // the bundle of ../tasks.mjs
});
try {
  console.log(`fib(20) = ${await executor.async(tasks.fib, 20)}`);
  const tf = new Taskflow('text');
  const [split, total] = tf.emplace(tasks.words, tasks.count);
  split.args('the quick brown fox').precede(total);
  console.log(`words = ${(await executor.run(tf)).result(total)}`);
  const xs = executor.shared(Float64Array, 100_000);
  for (let i = 0; i < xs.length; i++) xs[i] = i % 10;
  console.log(`sum = ${await reduce(executor, xs, 'sum')}`);
  console.log(`inline = ${await executor.async((a, b) => a * b, 6, 7)}`);
} finally {
  await executor.close();
}
