import { Executor, CancellationToken, TimeoutError } from 'beatflow';
import * as tasks from './control-tasks.mjs';

const executor = await Executor.create({ workers: 2, module: new URL('./control-tasks.mjs', import.meta.url) });

console.log(await executor.async(tasks.fib, 20));                   // through nested subflows → 6765

const waits = Array.from({ length: 100 }, (_, i) => executor.async(tasks.fetchLater, 50, i));
console.log((await Promise.all(waits)).length);                      // in ~50 ms, not 100 × 50 / 2 → 100

const token = new CancellationToken().cancelAfter(20, 'enough');
const job = executor.submit(tasks.crunch, [], { token, priority: 'high' });
await job.catch((e) => console.log(e.name));                          // → CancelledError

await executor.submit(tasks.crunch, [], { timeout: 20 }).catch((e) => console.log(e instanceof TimeoutError));   // → true
const attempts = executor.shared(Int32Array, 1);
console.log(await executor.submit(tasks.flaky, [attempts], { retries: 2, retryDelay: 5 }), attempts[0]);   // → ok 3

await executor.close();
