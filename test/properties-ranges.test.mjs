// Property: random index ranges of 1 to 3 dimensions (bounds either side of 0, steps up to ±5, ends on and
// off the step grid, empty and zero-size dimensions) are covered exactly once: by boxesOf for any chunk
// of the flat index space, and by forEachByIndex and reduceByIndex on 2 and 4 workers under any
// partitioner and grain. Seed: BEATFLOW_FC_SEED (helpers/properties.mjs).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Executor, IndexRange, forEachByIndex, reduceByIndex } from 'beatflow';
import { boxesOf } from '../build/src/algorithms/index-range.js';
import { within } from './helpers/executor.mjs';
import { holds, settles } from './helpers/properties.mjs';
import { numbersOf, mark, localSum, addPairs, once } from './helpers/ranges.mjs';

/** One dimension: n elements from b by ±s, its end anywhere in the last step (so off the grid too). */
const dim = fc.record({
  b: fc.integer({ min: -40, max: 40 }), n: fc.integer({ min: 0, max: 24 }), s: fc.integer({ min: 1, max: 5 }),
  down: fc.boolean(), short: fc.nat(4),
}).map(({ b, n, s, down, short }) => {
  const sign = down ? -1 : 1;
  return [b, n === 0 ? b : b + sign * (n * s - (short % s)), sign * s];
});
const range = fc.array(dim, { minLength: 1, maxLength: 3 });
const options = fc.record({
  partitioner: fc.constantFrom('static', 'dynamic', 'guided'),
  grain: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
}, { requiredKeys: ['partitioner'] }).map((o) => (o.grain === undefined ? { partitioner: o.partitioner } : o));

// ---
const P = suite('property: exactly-once coverage of random ranges');

P('boxesOf: any chunk [lo, hi) of the flat space, in order, each position once', async () => {
  await holds('boxesOf', fc.property(range, fc.nat(), fc.nat(), (dims, x, y) => {
    const r = new IndexRange(...dims), n = r.size();
    if (n === 0) return;
    const lo = x % n, hi = lo + 1 + (y % (n - lo));
    const marks = new Int32Array(n + 1);
    boxesOf(r, lo, hi, (box) => mark(box, marks, numbersOf(r)));
    for (let i = 0; i <= n; i++) assert.is(marks[i], i >= lo && i < hi ? 1 : 0, `position ${i} of ${n}, chunk [${lo}, ${hi})`);
  }), { numRuns: 3000, timeLimitMs: 5000 });
});

for (const workers of [2, 4]) {
  P(`forEachByIndex and reduceByIndex on ${workers} workers: once each, and the serial sum`, async () => {
    const ex = await Executor.create({ workers });
    try {
      await holds(`ranges at ${workers} workers`, fc.asyncProperty(range, options, async (dims, o) => {
        const r = new IndexRange(...dims);
        const marks = ex.shared(Int32Array, r.size() + 1);
        try {
          await settles(forEachByIndex(ex, r, mark, { ...o, args: [marks, numbersOf(r)] }), 10_000, JSON.stringify(dims));
          once(marks, `${JSON.stringify(dims)} ${JSON.stringify(o)}`);
        } finally { ex.free(marks); }
        const [count, sum] = localSum(r);
        assert.equal(await settles(reduceByIndex(ex, r, [0, 0], localSum, addPairs, o), 10_000, JSON.stringify(dims)), [count, sum]);
      }), { numRuns: 150, timeLimitMs: 6000, examples: [[[[0, 4, 1], [0, 0, 1], [0, 8, 1]], { partitioner: 'guided' }]] });
    } finally {
      await within(ex.close(), 10_000, 'close');
    }
  });
}
P.run();
