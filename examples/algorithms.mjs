// Parallel algorithms over a shared Float32Array: a built-in SIMD map and reduction, a JS callback per
// chunk, a search, a sort, and the same reduction as a task in a graph. Run: node examples/algorithms.mjs
import { Executor, Taskflow, transform, reduce, forEach, findIndex, sort, inclusiveScan } from 'beatflow';

const executor = await Executor.create({ workers: 'auto' });
const n = 1_000_000;
const x = executor.shared(Float32Array, n), y = executor.shared(Float32Array, n);   // zero-copy, shared by every worker
await forEach(executor, x, (a, lo, hi) => { for (let i = lo; i < hi; i++) a[i] = i % 1000; });   // a JS callback per chunk

await transform(executor, [x, x], y, { op: 'axpy', s0: 2 });          // y = 2·x + x, Wasm SIMD on every worker
console.log('sum of y:', await reduce(executor, y, 'sum'));             // → sum of y: 1498500000
console.log('first y > 2990 at', await findIndex(executor, y, (v) => v > 2990));   // → first y > 2990 at 997
await sort(executor, y, (p, q) => q - p);                                // stable merge sort, descending comparator
console.log('largest three:', Array.from(y.subarray(0, 3)));            // → largest three: [ 2997, 2997, 2997 ]
await inclusiveScan(executor, x, x, 'sum');                              // prefix sums, in place
console.log('running total at 999:', x[999]);                           // → running total at 999: 499500

const tf = new Taskflow('stats');                                        // the same algorithms as graph tasks
const fill = forEach.task(tf, y, (a, lo, hi) => { for (let i = lo; i < hi; i++) a[i] = 1; });
const count = reduce.task(tf, y, 'sum');
fill.precede(count);
console.log('graph result:', (await executor.run(tf)).result(count));   // → graph result: 1000000
await executor.close();
