import { Executor, Taskflow } from 'beatflow';
import * as tasks from './tasks.mjs';

const executor = await Executor.create({ workers: 'auto', module: new URL('./tasks.mjs', import.meta.url) });
console.log(await executor.async(tasks.fib, 25));                  // computed on a worker → 75025

const tf = new Taskflow('text');
const [split, total] = tf.emplace(tasks.words, tasks.count);
split.args('the quick brown fox').precede(total);                  // total(words(...))
console.log((await executor.run(tf)).result(total));               // → 4
await executor.close();
