// IndexRange (Taskflow's tf::IndexRange / tf::IndexRanges<T, N>, N = 1..3) and the algorithms over one:
// forEachByIndex (and forEachIndex given a range) and reduceByIndex given a range. The range value and its
// box decomposition against plain tables; the calls at 0 (single-threaded), 1, 2 and 4 workers with exact
// visit counts over growing sizes, odd shapes, steps above 1, negative steps, empty and one-element
// ranges, every partitioner, both forms; bad input named.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, IndexRange, forEachByIndex, forEachIndex, reduceByIndex } from 'beatflow';
import { boxesOf } from '../build/src/algorithms/index-range.js';
import { within, rejection } from './helpers/executor.mjs';
import { numbersOf, mark, localSum, addPairs, once } from './helpers/ranges.mjs';

const R = (...dims) => new IndexRange(...dims);

// ---
const V = suite('IndexRange: the value');

V('a 1-D range: begin, end, step, size, and its elements either way', () => {
  const r = new IndexRange(2, 14, 3);
  assert.equal([r.rank, r.begin(), r.end(), r.stepSize(), r.size(), r.size(0)], [1, 2, 14, 3, 4, 4]);
  assert.equal(r.dim(0), [2, 14, 3]);
  for (const [b, e, s, n] of [[0, 10, 2, 5], [10, 0, -2, 5], [5, 20, 5, 3], [0, 0, 1, 0], [7, 7, -3, 0], [0, 1, 1, 1], [-3, 4, 7, 1], [0, 100, 1, 100], [100, 0, -3, 34]]) {
    const got = new IndexRange(b, e, s);
    const want = [];
    for (let i = b; s > 0 ? i < e : i > e; i += s) want.push(i);
    assert.is(got.size(), n, `[${b}, ${e}) by ${s}`);
    assert.is(want.length, n, `[${b}, ${e}) by ${s}: the loop`);
  }
  assert.equal(new IndexRange([2, 14, 3]).dim(0), r.dim(0), 'one [begin, end, step] array is the same 1-D range');
});

V('N-D: rank, dim(d), size(d), size() is the product of the sizes', () => {
  const r = R([0, 4, 1], [0, 10, 2], [0, 6, 1]);
  assert.equal([r.rank, r.size(), r.size(0), r.size(1), r.size(2)], [3, 120, 4, 5, 6]);
  assert.equal(r.dim(1), [0, 10, 2]);
  assert.is(R([0, 3, 1], [0, 4, 1]).size(), 12);
  assert.is(R(new IndexRange(0, 4, 1), [0, 6, 1], new IndexRange(8, 0, -1)).size(), 192, 'dimensions from 1-D ranges and arrays mixed');
});

V("Taskflow's zero-size rule: a dimension with no elements stops the active space there", () => {
  assert.is(R([0, 4, 1], [0, 0, 1], [0, 8, 1]).size(), 4, 'zero in the middle: the outer dimension only');
  assert.is(R([0, 100, 1], [0, 0, 1], [0, 100, 1]).size(), 100);
  assert.is(R([0, 3, 1], [0, 5, 1], [9, 9, -1]).size(), 15, 'zero innermost');
  assert.is(R([0, 0, 1], [0, 5, 1]).size(), 0, 'zero outermost: nothing');
  assert.is(R([0, 4, 1], [0, 0, 1], [0, 8, 1]).size(2), 8, 'size(d) counts dimension d alone');
});

V("unravel: Taskflow's discrete domain of positions [partBegin, partEnd)", () => {
  const r = new IndexRange(0, 10, 2);
  const sub = r.unravel(1, 4);
  assert.equal([sub.begin(), sub.end(), sub.stepSize(), sub.size()], [2, 8, 2, 3]);
  const down = new IndexRange(10, 0, -3).unravel(2, 4);   // 10 7 4 1 → positions 2, 3: 4 1
  assert.equal(down.dim(0), [4, -2, -3]);
  assert.is(down.size(), 2);
  assert.is(r.unravel(3, 3).size(), 0);
  assert.equal(r.unravel(0, 5).dim(0), [0, 10, 2]);
});

V('immutable: frozen, and dim(d) hands out a frozen array', () => {
  const r = R([0, 3, 1], [0, 4, 1]);
  assert.ok(Object.isFrozen(r) && Object.isFrozen(r.dim(0)));
  assert.throws(() => { r.dim(0)[1] = 99; }, TypeError);
  assert.is(r.size(), 12);
});
V.run();

// ---
const B = suite('boxesOf: a chunk of the flat index space as boxes');

/** The row-major positions (in r) of box's elements, and whether each box has r's steps. */
function positions(r, box) {
  const out = [];
  const walk = (d, p, b) => {
    if (d === r.rank || r.size(d) === 0) { out.push(p); return; }
    const [fb, , fs] = r.dim(d), [bb, be, bs] = b.dim(d);
    assert.is(bs, fs, 'a box keeps the range\'s steps');
    for (let x = bb; bs > 0 ? x < be : x > be; x += bs) walk(d + 1, p * r.size(d) + (x - fb) / fs, b);
  };
  walk(0, 0, box);
  return out;
}

B('every chunking of growing ranges: boxes cover the chunk in order, each element once, at most 2·rank − 1 per chunk', () => {
  const ranges = [
    R(0, 1, 1), R(0, 17, 1), R(40, -3, -7), R([0, 3, 1], [0, 4, 1]), R([5, -6, -2], [1, 30, 4]), R([0, 1, 1], [0, 9, 1]),
    R([0, 9, 1], [0, 1, 1]), R([0, 2, 1], [0, 3, 1], [0, 4, 1]), R([3, 0, -1], [0, 7, 2], [10, -1, -5]), R([0, 5, 1], [0, 0, 1], [0, 3, 1]),
    R([0, 4, 1], [0, 3, 1], [2, 2, 1]), R([0, 7, 1], [0, 11, 1], [0, 13, 1]),
  ];
  for (const r of ranges) {
    const n = r.size();
    for (const grain of [1, 2, 3, 5, 8, 13, n - 1, n]) {
      if (grain < 1) continue;
      const seen = [];
      for (let lo = 0; lo < n; lo += grain) {
        const hi = Math.min(n, lo + grain);
        let boxes = 0;
        boxesOf(r, lo, hi, (box) => { boxes++; assert.is(box.rank, r.rank); seen.push(...positions(r, box)); });
        let active = 0;
        while (active < r.rank && r.size(active) > 0) active++;
        assert.ok(boxes >= 1 && boxes <= 2 * active - 1, `${JSON.stringify(numbersOf(r))} [${lo}, ${hi}): ${boxes} boxes`);
      }
      assert.equal(seen, Array.from({ length: n }, (_, i) => i), `${JSON.stringify(numbersOf(r))} by ${grain}`);
    }
  }
});

B('the whole range is one box: the range itself', () => {
  const r = R([0, 10, 3], [4, 0, -1]);
  const got = [];
  boxesOf(r, 0, r.size(), (b) => got.push(b));
  assert.equal(got, [r]);
  assert.ok(got[0] === r);
});
B.run();

// ---
/** Ranges of growing size: odd shapes, steps above 1, negative steps, empty and one-element ranges, zero-size dimensions. */
const SHAPES = [
  [[0, 0, 1]], [[5, 5, -2]], [[0, 1, 1]], [[3, 4, 1], [9, 8, -1]], [[0, 1, 1], [0, 1, 1], [0, 1, 1]],
  [[0, 7, 1]], [[100, -3, -4]], [[-50, 1025, 3]], [[0, 40_001, 1]],
  [[0, 3, 1], [0, 5, 1]], [[0, 1, 1], [0, 257, 1]], [[0, 257, 1], [0, 1, 1]], [[30, -31, -2], [7, 100, 3]], [[0, 301, 1], [0, 199, 1]],
  [[0, 2, 1], [0, 3, 1], [0, 4, 1]], [[0, 13, 1], [50, 0, -3], [0, 19, 2]], [[0, 41, 1], [0, 37, 1], [0, 29, 1]],
  [[0, 4, 1], [0, 0, 1], [0, 8, 1]], [[0, 0, 1], [0, 9, 1]], [[9, 0, -1], [0, 6, 1], [3, 3, 1]],
];
const PARTS = [{ partitioner: 'static' }, { partitioner: 'dynamic', grain: 3 }, { partitioner: 'guided' }, { partitioner: 'static', grain: 5 }, undefined];
const text = (dims, o) => `${JSON.stringify(dims)} ${o ? JSON.stringify(o) : 'default'}`;

/** The suites for one executor configuration. */
function callSuites(workers, { parts = PARTS, shapes = SHAPES } = {}) {
  const A = suite(`forEachByIndex and reduceByIndex over ranges (workers: ${workers})`);
  A.before(async (ctx) => { ctx.ex = await Executor.create({ workers }); });
  A.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  A('forEachByIndex visits each element of the active space exactly once', async ({ ex }) => {
    for (const dims of shapes) for (const o of parts) {
      const r = R(...dims), marks = ex.shared(Int32Array, r.size() + 1);
      await forEachByIndex(ex, r, mark, { ...o, args: [marks, numbersOf(r)] });
      once(marks, text(dims, o));
      ex.free(marks);
    }
  });

  A('reduceByIndex equals the serial loops, init included; init alone for an empty range', async ({ ex }) => {
    for (const dims of shapes) for (const o of parts) {
      const r = R(...dims);
      const [count, sum] = localSum(r);
      assert.equal(await reduceByIndex(ex, r, [1, 1000], localSum, addPairs, o), [count + 1, sum + 1000], text(dims, o));
    }
  });

  A('forEachIndex given a range is forEachByIndex', async ({ ex }) => {
    const r = R([0, 61, 1], [0, 7, 2]), marks = ex.shared(Int32Array, r.size() + 1);
    await forEachIndex(ex, r, mark, { args: [marks, numbersOf(r)], grain: 4 });
    once(marks, 'forEachIndex(range)');
    ex.free(marks);
  });

  A('graph forms: a range task after a fill, a reduction after it, re-run', async ({ ex }) => {
    const rows = 123, cols = 77, m = ex.shared(Int32Array, rows * cols);
    const r = R([0, rows, 1], [0, cols, 1]);
    const tf = new Taskflow('ranges');
    const fill = forEachByIndex.task(tf, r, (box, a, c) => {
      const [i0, i1, is] = box.dim(0), [j0, j1, js] = box.dim(1);
      for (let i = i0; i < i1; i += is) for (let j = j0; j < j1; j += js) a[i * c + j] += i + j;
    }, { args: [m, cols] });
    const total = reduceByIndex.task(tf, r, 0, (box, t = 0, a, c) => {
      const [i0, i1, is] = box.dim(0), [j0, j1, js] = box.dim(1);
      for (let i = i0; i < i1; i += is) for (let j = j0; j < j1; j += js) t += a[i * c + j];
      return t;
    }, (x, y) => x + y, { args: [m, cols], partitioner: 'dynamic' });
    fill.precede(total);
    assert.is(fill.name(), 'forEachByIndex');
    const once = rows * cols * (rows - 1 + cols - 1) / 2;
    for (let run = 1; run <= 2; run++) {
      const got = await within(ex.run(tf), 10_000, 'run');
      assert.is(got.result(total), run * once, `run ${run}`);
    }
    ex.free(m);
  });

  A.run();
}

for (const workers of [1, 2, 4]) callSuites(workers);
callSuites(0, { parts: [undefined, { partitioner: 'dynamic', grain: 3 }] });

// ---
const Bad = suite('bad input is named');
Bad.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 1 }); });
Bad.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

Bad('the constructor: dimension count, integers, step 0, a step that never reaches the end', () => {
  const refuses = (f, Type, re) => assert.throws(f, (e) => e instanceof Type && re.test(e.message), re.source);
  refuses(() => new IndexRange(), TypeError, /new IndexRange\(dim0, dim1\?, dim2\?\): a range has 1, 2 or 3 dimensions, one \[begin, end, step\] array each \(got 0\)/);
  refuses(() => R([0, 1, 1], [0, 1, 1], [0, 1, 1], [0, 1, 1]), TypeError, /a range has 1, 2 or 3 dimensions.*\(got 4\)/);
  refuses(() => new IndexRange(0, 10), TypeError, /new IndexRange\(begin, end, step\): a 1-D range takes exactly three numbers.*\(got 2 arguments\)/);
  refuses(() => new IndexRange(0, 1.5, 1), TypeError, /new IndexRange\(begin, end, step\): end must be an integer \(got 1\.5\)/);
  refuses(() => new IndexRange(0, 10, 0), TypeError, /new IndexRange\(begin, end, step\): step must be a non-zero integer \(got 0\)/);
  refuses(() => new IndexRange(0, 10, -1), RangeError, /new IndexRange\(begin, end, step\): step -1 never reaches end 10 from begin 0/);
  refuses(() => new IndexRange(10, 0, 2), RangeError, /step 2 never reaches end 0 from begin 10/);
  refuses(() => R([0, 10, 1], [0, 5]), TypeError, /new IndexRange\(dim0, dim1\?, dim2\?\): dim1 must be a \[begin, end, step\] array or a 1-D IndexRange \(got \[0, 5\]\)/);
  refuses(() => R([0, 10, 1], [0, '5', 1]), TypeError, /dim1 end must be an integer \(got "5"\)/);
  refuses(() => R([0, 10, 1], [0, 5, 1], [NaN, 5, 1]), TypeError, /dim2 begin must be an integer \(got NaN\)/);
  refuses(() => R([0, 10, 1], [5, 0, 1]), RangeError, /dim1 step 1 never reaches dim1 end 0 from dim1 begin 5/);
  refuses(() => R([0, 10, 0], [0, 1, 1]), TypeError, /dim0 step must be a non-zero integer \(got 0\)/);
  refuses(() => R(R([0, 1, 1], [0, 1, 1])), TypeError, /dim0 must be a \[begin, end, step\] array or a 1-D IndexRange \(got a 2-D IndexRange\)/);
  refuses(() => new IndexRange(0, 2 ** 53 - 1, 2 ** 52), RangeError, /\[0, 9007199254740991\) by 4503599627370496 reaches past Number\.MAX_SAFE_INTEGER/);
});

Bad('the methods: 1-D only, dimension and position bounds', () => {
  const r2 = R([0, 3, 1], [0, 4, 1]), r = new IndexRange(0, 10, 2);
  assert.throws(() => r2.begin(), /IndexRange\.begin\(\) is for 1-D ranges \(this one has 2 dimensions\): use range\.dim\(d\)/);
  assert.throws(() => r2.unravel(0, 1), /IndexRange\.unravel\(partBegin, partEnd\) is for 1-D ranges/);
  assert.throws(() => r2.dim(2), /IndexRange\.dim\(d\): d must be an integer from 0 to 1 \(the range has 2 dimensions\) \(got 2\)/);
  assert.throws(() => r2.size(-1), /IndexRange\.dim\(d\): d must be an integer from 0 to 1/);
  assert.throws(() => r.unravel(2, 6), /IndexRange\.unravel\(partBegin, partEnd\): partEnd must be an integer from partBegin = 2 to size\(\) = 5 \(got 6\)/);
  assert.throws(() => r.unravel(-1, 2), /partBegin must be an integer from 0 to size\(\) = 5 \(got -1\)/);
});

Bad('the calls: the range, the callbacks, the options, a range too large for one call', async ({ ex }) => {
  const msg = async (p) => (await rejection(p)).message;
  const r = R([0, 3, 1], [0, 4, 1]), f = () => {};
  assert.match(await msg(forEachByIndex(ex, [[0, 3, 1]], f)), /forEachByIndex\(executor, range, fn, options\): range must be an IndexRange \(new IndexRange\(begin, end, step\), or one \[begin, end, step\] array per dimension\) \(got \[\[0, 3, 1\]\]\)/);
  assert.match(await msg(forEachIndex(ex, null, f)), /forEachIndex\(executor, range, fn, options\): range must be an IndexRange .*\(got null\)/);
  assert.match(await msg(forEachByIndex(ex, r, 3)), /forEachByIndex\(executor, range, fn, options\): fn must be a function/);
  assert.match(await msg(forEachByIndex(ex, r, f, { grain: 0 })), /forEachByIndex\(executor, range, fn, options\): options\.grain must be a positive integer/);
  assert.match(await msg(reduceByIndex(ex, r, 0, f)), /reduceByIndex\(executor, range, init, local, global, options\): global must be a function/);
  assert.match(await msg(reduceByIndex(ex, r, 0, 'sum', f)), /reduceByIndex\(executor, range, init, local, global, options\): local must be a function/);
  assert.match(await msg(reduceByIndex(ex, r, 0, f, f, { combine: f })), /reduceByIndex\(executor, range, init, local, global, options\): options\.combine must be left out with a range \(init and global are arguments\)/);
  assert.match(await msg(reduceByIndex(ex, r, 0, f, f, { init: 1 })), /options\.init must be left out with a range/);
  const big = R([0, 2 ** 16, 1], [0, 2 ** 15, 1]);
  assert.match(await msg(forEachByIndex(ex, big, f)), /forEachByIndex\(executor, range, fn, options\): range has 2147483648 elements, more than one call takes \(1073741824\): split it into several calls/);
  assert.throws(() => reduceByIndex.task(new Taskflow('t'), big, 0, f, f), /reduceByIndex\(executor, range, init, local, global, options\): range has 2147483648 elements/);
  assert.match(await msg(reduceByIndex(ex, 0, 10, 1, f)), /reduceByIndex\(executor, first, last, step, fn, options\): options\.combine must be a function/, 'the 1-D form is unchanged');
});

Bad('a callback that throws rejects the call with its error', async ({ ex }) => {
  const e = await rejection(forEachByIndex(ex, R([0, 50, 1], [0, 50, 1]), (box) => { if (box.dim(0)[0] <= 25 && box.dim(0)[1] > 25) throw new Error('row 25'); }, { grain: 7 }));
  assert.match(e.message, /row 25/);
  const e2 = await rejection(reduceByIndex(ex, new IndexRange(0, 100, 1), 0, (box, t = 0) => t + box.size(), () => { throw new Error('global'); }, { grain: 10 }));
  assert.match(e2.message, /global/);
});
Bad.run();
