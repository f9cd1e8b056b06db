// beatflow in a Vite or webpack build (docs/platforms.md, "Bundlers"): no option names beatflow's files.
// The bundler finds its worker and its core by itself; the task module is an asset the workers import
// by URL, and the program imports the same URL, so both hold the same functions.
import { Executor, Taskflow, reduce } from 'beatflow';

const tasksUrl = new URL('./tasks.js', import.meta.url);
const tasks = await import(/* webpackIgnore: true */ /* @vite-ignore */ tasksUrl.href);

const executor = await Executor.create({ workers: 2, module: tasksUrl });
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
