import { Executor, Taskflow } from 'beatflow';

// A loop through a condition task: walk the Collatz sequence from 27 until it reaches 1.
const executor = await Executor.create({ workers: 2 });
const state = executor.shared(Int32Array, 2);                       // [current value, steps], shared by reference
const tf = new Taskflow('collatz');
const init = tf.emplace((s) => { s[0] = 27; s[1] = 0; }).args(state);
const step = tf.emplace((s) => { s[0] = s[0] % 2 ? 3 * s[0] + 1 : s[0] / 2; s[1]++; }).args(state);
const again = tf.condition((s) => (s[0] !== 1 ? 0 : 1)).args(state);   // 0: step again, 1: done
const done = tf.emplace((s) => `reached 1 after ${s[1]} steps`).args(state);
init.precede(step); step.precede(again); again.precede(step, done);
console.log((await executor.run(tf)).result(done));                // → reached 1 after 111 steps
await executor.close();
