// Scans and sorts (src/algorithms/) against single-threaded references: every dtype, sizes 0, 1, odd and
// large, every partitioner, 1/2/4 workers; sort stability with a comparator, and NaN / −0 order.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, inclusiveScan, exclusiveScan, sort } from 'beatflow';
import { within } from './helpers/executor.mjs';
import { DTYPES, SIZES, PARTS, label, values as fill, same } from './helpers/arrays.mjs';

/** A serial scan into a new array of the same type (stores convert exactly as the algorithms' do). */
function refScan(C, a, op, init, exclusive) {
  const out = new C(a.length);
  let acc = init;
  for (let i = 0; i < a.length; i++) {
    if (exclusive) { out[i] = acc; acc = op(acc, a[i]); } else { acc = acc === undefined ? a[i] : op(acc, a[i]); out[i] = acc; }
  }
  return out;
}

for (const workers of [1, 2, 4]) {
  const S = suite(`scans and sorts (${workers} worker${workers > 1 ? 's' : ''})`);
  S.before(async (ctx) => { ctx.ex = await Executor.create({ workers }); });
  S.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  S('inclusiveScan and exclusiveScan: sum, min, max and a callback, into another array and in place', async ({ ex }) => {
    const add = (x, y) => x + y;
    for (const C of DTYPES) for (const n of SIZES) for (const o of PARTS) {
      const a = fill(ex.shared(C, n), n + 1), out = ex.shared(C, n);
      const L = label(C, n, o);
      assert.is(await inclusiveScan(ex, a, out, 'sum', o), out);
      same(out, refScan(C, a, add, undefined, false), `inclusive sum ${L}`);
      await inclusiveScan(ex, a, out, 'max', o);
      same(out, refScan(C, a, Math.max, undefined, false), `inclusive max ${L}`);
      await inclusiveScan(ex, a, out, 'sum', { ...o, init: 3 });
      same(out, refScan(C, a, add, 3, false), `inclusive sum, init 3 ${L}`);
      await exclusiveScan(ex, a, out, 10, 'sum', o);
      same(out, refScan(C, a, add, 10, true), `exclusive sum ${L}`);
      await exclusiveScan(ex, a, out, 100, 'min', o);
      same(out, refScan(C, a, Math.min, 100, true), `exclusive min ${L}`);
      const xor = (x, y) => x ^ y;
      await inclusiveScan(ex, a, out, xor, o);
      same(out, refScan(C, a, xor, undefined, false), `inclusive xor callback ${L}`);
      const ref = refScan(C, a, add, 1, true);
      await exclusiveScan(ex, a, a, 1, add, o);
      same(a, ref, `exclusive callback in place ${L}`);
      ex.free(a); ex.free(out);
    }
  });

  S('scans of floats: NaN propagates from its position (IEEE)', async ({ ex }) => {
    const a = fill(ex.shared(Float64Array, 20_000), 3), out = ex.shared(Float64Array, 20_000);
    a[12_345] = NaN;
    await inclusiveScan(ex, a, out, 'sum');
    assert.ok(out.subarray(0, 12_345).every((v) => !Number.isNaN(v)));
    assert.ok(out.subarray(12_345).every((v) => Number.isNaN(v)));
    ex.free(a); ex.free(out);
  });

  S('sort without a comparator: ascending, as TypedArray.prototype.sort', async ({ ex }) => {
    for (const C of DTYPES) for (const n of SIZES) for (const o of PARTS) {
      const a = fill(ex.shared(C, n), n + 9, 1 << 30, -(1 << 29));
      const ref = C.from(a).sort();
      assert.is(await sort(ex, a, o), a);
      same(a, ref, `sort ${label(C, n, o)}`);
      ex.free(a);
    }
  });

  S('sort of floats: −0 before +0, NaN last, ±Infinity in place', async ({ ex }) => {
    for (const C of [Float32Array, Float64Array]) for (const n of [5, 30_001]) {
      const a = fill(ex.shared(C, n), n, 9, -4);
      for (let i = 0; i < n; i += 5) a[i] = [NaN, -0, 0, Infinity, -Infinity][(i / 5) % 5];
      const ref = C.from(a).sort();
      await sort(ex, a, { partitioner: 'dynamic', grain: 1 });
      same(a, ref, `${C.name}[${n}]`);
    }
  });

  S('sort with a comparator is stable (a merge sort): equal keys keep their order', async ({ ex }) => {
    const byKey = (x, y) => (x >> 10) - (y >> 10);   // key = high bits; the low 10 bits record the original order
    for (const C of [Int32Array, Float64Array, Uint32Array]) for (const n of SIZES) for (const o of PARTS) {
      const a = ex.shared(C, n);
      const keys = fill(new Int32Array(n), n + 5, 16, 0);
      for (let i = 0; i < n; i++) a[i] = keys[i] * 1024 + (i % 1024);
      const ref = Array.from(a).sort(byKey);     // Array.prototype.sort is stable
      await sort(ex, a, byKey, o);
      same(a, C.from(ref), `stable ${label(C, n, o)}`);
      ex.free(a);
    }
    const d = ex.shared(Float64Array, 10_001);
    fill(d, 1, 1000, -500);
    await sort(ex, d, (x, y) => y - x);   // descending by comparator
    same(d, Float64Array.from(d).sort((x, y) => y - x), 'descending');
    ex.free(d);
  });

  S.run();
}
