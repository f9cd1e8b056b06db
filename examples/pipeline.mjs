import { Executor, Pipeline, Pipe } from 'beatflow';

// "a,b" lines → the hypotenuse of each, on the workers → a running total, on the host, in line order.
const executor = await Executor.create({ workers: 2 });
let total = 0;
const pipeline = new Pipeline({ lines: 4, name: 'hypot' },               // at most 4 tokens in flight
  Pipe.parallel((line) => line.split(',').map(Number), 'parse'),        // workers, several lines at once
  Pipe.parallel(([a, b]) => Math.hypot(a, b), 'hypot'),
  Pipe.serial((c) => (total += c), { name: 'sum', on: 'host' }));      // host, one at a time, in order

async function* lines() { yield* ['3,4', '5,12', '8,15', '7,24']; }   // any iterable or async iterable
const sums = [];
for await (const running of pipeline.stream(executor, lines())) sums.push(running);   // outputs as they leave
console.log(sums);                                                     // → [ 5, 18, 35, 60 ]
console.log(await pipeline.run(executor, ['20,21']), total);           // → { tokens: 1 } 89
await executor.close();
