// The algorithms Taskflow has that the first set lacked (fill, fillN, generate, generateN, findIfNot, the
// transform scans, reduceByIndex, merge) against single-threaded references: sizes 0, 1, odd, 2^k ± 1 and
// large, every dtype, the partitioners, both forms (executor and graph task), 1/2/4 workers; bad input named.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Executor, Taskflow, fill, fillN, generate, generateN, findIfNot, transformInclusiveScan, transformExclusiveScan,
  reduceByIndex, merge,
} from 'beatflow';
import { within, rejection } from './helpers/executor.mjs';
import { DTYPES, PARTS, label, values, same } from './helpers/arrays.mjs';

const SIZES = [0, 1, 7, 255, 256, 257, 1023, 1025, 65_537];

for (const workers of [1, 2, 4]) {
  const P = suite(`Taskflow's other algorithms (${workers} worker${workers > 1 ? 's' : ''})`);
  P.before(async (ctx) => { ctx.ex = await Executor.create({ workers }); });
  P.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  P('fill and fillN set every element, or the first count, and leave the rest', async ({ ex }) => {
    for (const C of DTYPES) for (const n of SIZES) for (const o of [PARTS[0], PARTS[1], undefined]) {
      const a = values(ex.shared(C, n), n), L = label(C, n, o);
      const want = a.slice();
      const k = n >> 1;
      want.fill(-3, 0, k);
      assert.is(await fillN(ex, a, k, -3, o), a);
      same(a, want, `fillN ${L}`);
      assert.is(await fill(ex, a, 5.5, o), a);
      same(a, new C(n).fill(5.5), `fill ${L}`);
    }
  });

  P('generate and generateN: array[i] = gen(i)', async ({ ex }) => {
    for (const C of [Int16Array, Uint32Array, Float64Array]) for (const n of SIZES) for (const o of PARTS) {
      const a = ex.shared(C, n), L = label(C, n, o);
      assert.is(await generate(ex, a, (i) => i * 3 - 7, o), a);
      same(a, C.from({ length: n }, (_, i) => i * 3 - 7), `generate ${L}`);
      const k = Math.min(n, 300);
      await generateN(ex, a, k, (i, s) => i + s, { ...o, args: [1000] });
      same(a, C.from({ length: n }, (_, i) => (i < k ? i + 1000 : i * 3 - 7)), `generateN ${L}`);
    }
  });

  P('findIfNot: the first index pred rejects, or -1', async ({ ex }) => {
    for (const n of SIZES) for (const o of PARTS) {
      const a = ex.shared(Int32Array, n).fill(1), L = label(Int32Array, n, o);
      assert.is(await findIfNot(ex, a, (x) => x === 1, o), -1, `none ${L}`);
      if (n === 0) continue;
      for (const at of [0, n >> 1, n - 1]) {
        a[at] = 2; if (at + 3 < n) a[at + 3] = 2;
        assert.is(await findIfNot(ex, a, (x) => x === 1, o), at, `at ${at} ${L}`);
        a.fill(1);
      }
    }
  });

  P('transformInclusiveScan and transformExclusiveScan: uop then the scan, ops and callbacks, in place too', async ({ ex }) => {
    const uop = (x, i) => 2 * x + (i & 1);
    const add = (x, y) => x + y;
    for (const C of DTYPES) for (const n of SIZES) for (const o of PARTS) {
      const a = values(ex.shared(C, n), n + 3), out = ex.shared(C, n), L = label(C, n, o);
      const t = Array.from(a, uop);
      const inc = (op, init) => { const r = new C(n); let acc = init; t.forEach((v, i) => { acc = acc === undefined ? v : op(acc, v); r[i] = acc; }); return r; };
      const exc = (op, init) => { const r = new C(n); let acc = init; t.forEach((v, i) => { r[i] = acc; acc = op(acc, v); }); return r; };
      assert.is(await transformInclusiveScan(ex, a, out, 'sum', uop, o), out);
      same(out, inc(add), `inclusive sum ${L}`);
      await transformInclusiveScan(ex, a, out, 'max', uop, { ...o, init: 1 });
      same(out, inc(Math.max, 1), `inclusive max, init ${L}`);
      await transformExclusiveScan(ex, a, out, 4, add, uop, o);
      same(out, exc(add, 4), `exclusive callback ${L}`);
      await transformExclusiveScan(ex, a, a, 0, 'min', uop, o);
      same(a, exc(Math.min, 0), `exclusive min in place ${L}`);
    }
  });

  P('reduceByIndex: the index space of forEachIndex, with init, steps up and down', async ({ ex }) => {
    const part = (b, e, s) => { let t = 0; for (let i = b; s > 0 ? i < e : i > e; i += s) t += i * i; return t; };
    const ref = (f, l, s, init = 0) => { let t = init; for (let i = f; s > 0 ? i < l : i > l; i += s) t += i * i; return t; };
    const combine = (x, y) => x + y;
    for (const [f, l, s] of [[0, 0, 1], [0, 1, 1], [3, 258, 1], [-5, 1025, 4], [1024, -1, -1], [0, 65_537, 3], [7, 7, -2]]) {
      for (const o of PARTS) {
        const what = `[${f}, ${l}) step ${s} ${o ? JSON.stringify(o) : ''}`;
        const got = await reduceByIndex(ex, f, l, s, part, { ...o, combine });
        assert.is(got, (s > 0 ? f >= l : f <= l) ? undefined : ref(f, l, s), `${what}: undefined for an empty range`);
        assert.is(await reduceByIndex(ex, f, l, s, part, { ...o, combine, init: 10 }), ref(f, l, s, 10), `${what} init 10`);
      }
    }
  });

  P('merge: the stable merge of two sorted arrays, by < and by a comparator', async ({ ex }) => {
    for (const C of DTYPES) for (const [m, l] of [[0, 0], [0, 1], [1, 0], [7, 255], [256, 257], [1025, 1023], [40_000, 25_537]]) for (const o of PARTS) {
      const a = values(ex.shared(C, m), m + 1, 50).sort(), b = values(ex.shared(C, l), l + 2, 50).sort();
      const out = ex.shared(C, m + l), L = `${C.name} ${m}+${l} ${o ? JSON.stringify(o) : ''}`;
      assert.is(await merge(ex, a, b, out, o), out);
      same(out, C.from([...a, ...b]).sort(), `merge ${L}`);
      if (C !== Int32Array) continue;
      // Stability: keys in the high digits, origin in the low one; the comparator sees keys only.
      a.set(Int32Array.from(a, (v, i) => Math.trunc(v) * 10 + 1)); b.set(Int32Array.from(b, (v) => Math.trunc(v) * 10 + 2));
      const byKey = (x, y) => Math.floor(x / 10) - Math.floor(y / 10);
      await merge(ex, a, b, out, byKey, o);
      const want = [...a, ...b].sort((x, y) => byKey(x, y) || (x % 10) - (y % 10));
      same(out, Int32Array.from(want), `merge with cmp, stable ${L}`);
    }
    const f = ex.shared(Float64Array, 3).fill(0), g = ex.shared(Float64Array, 3), h = ex.shared(Float64Array, 6);
    f.set([-0, 1, NaN]); g.set([-1, 0, NaN]);
    await merge(ex, f, g, h);
    same(h, Float64Array.from([-1, -0, 0, 1, NaN, NaN]), 'floats: -0 before +0, NaN last');
  });

  P('the graph forms run the same work as a task', async ({ ex }) => {
    const n = 10_007;
    const a = ex.shared(Float64Array, n), out = ex.shared(Float64Array, n), x = ex.shared(Int32Array, 3), y = ex.shared(Int32Array, 2);
    x.set([1, 4, 9]); y.set([2, 3]);
    const z = ex.shared(Int32Array, 5);
    const tf = new Taskflow('parity');
    const f = fill.task(tf, a, 2);
    const g = generateN.task(tf, a, 10, (i) => i);
    const s = transformInclusiveScan.task(tf, a, out, 'sum', (v) => v * 10);
    const k = findIfNot.task(tf, out, (v) => v < 500);
    const r = reduceByIndex.task(tf, 0, n, 1, (b, e) => e - b, { combine: (p, q) => p + q });
    const m = merge.task(tf, x, y, z);
    tf.linearize([f, g, s, k]);
    const run = await within(ex.run(tf), 10_000, 'run');
    assert.is(a[9], 9); assert.is(a[10], 2);
    assert.is(out[n - 1], 10 * (45 + 2 * (n - 10)));
    assert.is(run.result(k), 12, '0+10+…+90 = 450; then + 20: 470, 490, 510');
    assert.is(run.result(r), n);
    assert.equal([...z], [1, 2, 3, 4, 9]);
    assert.is(run.result(m).length, 5);
  });

  P.run();
}

// ---
const Bad = suite('bad input is named');
Bad.before(async (ctx) => { ctx.ex = await Executor.create({ workers: 1 }); });
Bad.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

Bad('each argument, by name', async ({ ex }) => {
  const a = ex.shared(Float64Array, 4), b = ex.shared(Float64Array, 4), out = ex.shared(Float64Array, 8);
  const msg = async (p) => (await rejection(p)).message;
  assert.match(await msg(fill(ex, a, '1')), /fill\(executor, array, value, options\): value must be a number \(got "1"\)/);
  assert.match(await msg(fill(ex, [1], 1)), /fill\(executor, array, value, options\): array must be a typed array/);
  assert.match(await msg(fillN(ex, a, 5, 1)), /fillN\(executor, array, count, value, options\): count must be an integer from 0 to 4 \(the array's length\) \(got 5\)/);
  assert.match(await msg(generateN(ex, a, -1, (i) => i)), /generateN\(executor, array, count, gen, options\): count must be an integer from 0 to 4/);
  assert.match(await msg(generate(ex, a, 3)), /generate\(executor, array, gen, options\): gen must be a function/);
  assert.match(await msg(findIfNot(ex, a, null)), /findIfNot\(executor, array, pred, options\): pred must be a function/);
  assert.match(await msg(transformInclusiveScan(ex, a, b, 'sum')), /transformInclusiveScan\(executor, input, out, bop, uop, options\): uop must be a function/);
  assert.match(await msg(transformExclusiveScan(ex, a, b, 0, 'mul', (x) => x)), /transformExclusiveScan\(executor, input, out, init, bop, uop, options\): the operation must be a function bop\(x, y\) or one of 'sum', 'min', 'max'/);
  assert.match(await msg(transformExclusiveScan(ex, a, out, 0, 'sum', (x) => x)), /transformExclusiveScan\(.*\): input has 4 elements but out has 8/);
  assert.match(await msg(reduceByIndex(ex, 0, 10, 1, (x) => x)), /reduceByIndex\(executor, first, last, step, fn, options\): options\.combine must be a function/);
  assert.match(await msg(reduceByIndex(ex, 0, 1.5, 1, (x) => x, { combine: (x) => x })), /reduceByIndex\(.*\): last must be an integer \(got 1\.5\)/);
  assert.match(await msg(reduceByIndex(ex, 0, 10, 0, (x) => x, { combine: (x) => x })), /step must be a non-zero integer \(got 0\)/);
  assert.match(await msg(merge(ex, a, b, a)), /merge\(executor, a, b, out, cmp\?, options\): out has 4 elements but a and b have 4 \+ 4 = 8/);
  const whole = ex.shared(Float64Array, 16);
  assert.match(await msg(merge(ex, whole.subarray(0, 4), b, whole.subarray(2, 10))), /merge\(executor, a, b, out, cmp\?, options\): out overlaps a: the merge reads a while it writes out/);
  assert.match(await msg(merge(ex, a, whole.subarray(8, 12), whole.subarray(4, 12))), /out overlaps b/);
  assert.match(await msg(merge(ex, a, b, out, 'x')), /merge\(.*\): cmp must be a function/);
});
Bad.run();
