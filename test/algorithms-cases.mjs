// The cases of test/algorithms.test.mjs and test/algorithms-4w.test.mjs: parallel algorithms (src/algorithms/)
// against plain single-threaded references: every dtype, sizes 0, 1,
// odd and large, every partitioner (and a small fixed grain), at 1, 2 and 4 workers. Data is small
// integers (exact in every dtype's arithmetic), so results must match bit for bit.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Executor, forEach, forEachIndex, transform, reduce, transformReduce, find, findIndex, minElement, maxElement,
} from 'beatflow';
import { within } from './helpers/executor.mjs';

const DTYPES = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];
const SIZES = [0, 1, 7, 1000, 40_001];
const PARTS = [{ partitioner: 'static' }, { partitioner: 'dynamic' }, { partitioner: 'guided' }, { partitioner: 'dynamic', grain: 3 }, { partitioner: 'static', grain: 5 }, undefined];
/** Every partitioner, with the grain chosen and given: the lighter matrix most tests use. */
const PARTS4 = [{ partitioner: 'static' }, { partitioner: 'dynamic', grain: 3 }, { partitioner: 'guided' }, undefined];
const label = (C, n, o) => `${C.name}[${n}] ${o ? JSON.stringify(o) : 'default'}`;

/** Deterministic small integers: [0, 8) for unsigned dtypes, [-4, 4) otherwise. */
function fill(a, seed) {
  const signed = !(a instanceof Uint8Array || a instanceof Uint16Array || a instanceof Uint32Array);
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = (s >>> 28) % 8 - (signed ? 4 : 0); }
  return a;
}

/** Element-wise equality by value, with NaN equal to NaN; names the first difference. */
function same(got, want, what) {
  assert.is(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i]) && !(got[i] === 0 && want[i] === 0)) assert.unreachable(`${what}: index ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

/** The suites for one worker count (run by algorithms.test.mjs at 1 and 2 workers, algorithms-4w.test.mjs at 4). */
export function algorithmSuites(workers) {
  const A = suite(`algorithms (${workers} worker${workers > 1 ? 's' : ''})`);
  A.before(async (ctx) => { ctx.ex = await Executor.create({ workers }); });
  A.after(async (ctx) => { await within(ctx.ex.close(), 10_000, 'close'); });

  A('forEach visits every element exactly once', async ({ ex }) => {
    for (const C of DTYPES) for (const n of SIZES) for (const o of PARTS) {
      const a = fill(ex.shared(C, n), n + 1), ref = C.from(a, (x) => x * 3 + 1);
      await forEach(ex, a, (v, lo, hi) => { for (let i = lo; i < hi; i++) v[i] = v[i] * 3 + 1; }, o);
      same(a, ref, label(C, n, o));
      ex.free(a);
    }
  });

  A('forEachIndex covers first, first + step, … before last, for either sign of step', async ({ ex }) => {
    const marks = ex.shared(Int32Array, 2000);
    for (const [first, last, step] of [[0, 0, 1], [0, 1, 1], [0, 2000, 1], [3, 1999, 7], [1999, -1, -1], [1500, 10, -13], [5, 4, 1], [4, 5, -1]]) {
      for (const o of PARTS) {
        marks.fill(0);
        await forEachIndex(ex, first, last, step, (b, e, st, m) => { for (let i = b; st > 0 ? i < e : i > e; i += st) Atomics.add(m, i, 1); },
          { ...o, args: [marks] });
        const want = new Int32Array(2000);
        for (let i = first; step > 0 ? i < last : i > last; i += step) want[i] = 1;
        same(marks, want, `forEachIndex(${first}, ${last}, ${step}) ${JSON.stringify(o)}`);
      }
    }
    ex.free(marks);
  });

  A('transform with a callback: one and two inputs, in place, and options.args', async ({ ex }) => {
    for (const C of DTYPES) for (const n of SIZES) for (const o of PARTS4) {
      const a = fill(ex.shared(C, n), n + 2), b = fill(ex.shared(C, n), n + 3), out = ex.shared(C, n);
      const r = await transform(ex, a, out, (x, y, lo, hi, k) => { for (let i = lo; i < hi; i++) y[i] = x[i] * k - 1; }, { ...o, args: [3] });
      assert.is(r, out, 'resolves with the output array itself');
      same(out, C.from(a, (x) => x * 3 - 1), `one input ${label(C, n, o)}`);
      await transform(ex, [a, b], out, (x, y, z, lo, hi) => { for (let i = lo; i < hi; i++) z[i] = x[i] - 2 * y[i]; }, o);
      same(out, C.from(a, (x, i) => x - 2 * b[i]), `two inputs ${label(C, n, o)}`);
      const ref = C.from(a, (x) => x + 1);
      await transform(ex, a, a, (x, y, lo, hi) => { for (let i = lo; i < hi; i++) y[i] = x[i] + 1; }, o);
      same(a, ref, `in place ${label(C, n, o)}`);
      ex.free(a); ex.free(b); ex.free(out);
    }
  });

  A('transform with built-in operations (Wasm SIMD for f32/f64/i32/u32, JS for the others)', async ({ ex }) => {
    const f32 = Math.fround;
    const OPS = [
      ['copy', 1, (x) => x], ['add', 2, (x, y) => x + y], ['sub', 2, (x, y) => x - y], ['mul', 2, (x, y) => x * y],
      [{ op: 'scale', s0: 3 }, 1, (x) => x * 3], [{ op: 'offset', s0: -2 }, 1, (x) => x - 2], ['abs', 1, Math.abs],
      ['neg', 1, (x) => -x], ['min', 2, (x, y) => Math.min(x, y)], ['max', 2, (x, y) => Math.max(x, y)], [{ op: 'clamp', s0: -1, s1: 2 }, 1, (x) => Math.min(Math.max(x, -1), 2)],
      ['fma', 3, (x, y, z) => x * y + z], [{ op: 'axpy', s0: 2 }, 2, (x, y) => 2 * x + y],
    ];
    for (const C of DTYPES) for (const n of [0, 7, 40_001]) for (const o of [n > 7 ? PARTS[3] : undefined]) {   // partitioners: the other tests
      const ins = [fill(ex.shared(C, n), 7), fill(ex.shared(C, n), 8), fill(ex.shared(C, n), 9)], out = ex.shared(C, n);
      for (const [op, arity, f] of OPS) {
        await transform(ex, arity === 1 ? ins[0] : ins.slice(0, arity), out, op, o);
        const want = C.from(ins[0], (x, i) => (C === Float32Array ? f32 : Number)(f(x, ins[1][i], ins[2][i])));
        same(out, want, `${JSON.stringify(op)} ${label(C, n, o)}`);
      }
      for (const a of [...ins, out]) ex.free(a);
    }
    const x = ex.shared(Float64Array, 1001), y = ex.shared(Float64Array, 1001);
    x.forEach((_, i) => { x[i] = i + 1; });
    await transform(ex, [x, x], y, 'div');
    same(y, Float64Array.from(x, () => 1), 'div');
    await transform(ex, x, y, 'sqrt');
    same(y, Float64Array.from(x, Math.sqrt), 'sqrt');
    ex.free(x); ex.free(y);
  });

  A('reduce: sum, min, max and a callback with combine and init', async ({ ex }) => {
    for (const C of DTYPES) for (const n of SIZES) for (const o of PARTS4) {
      const a = fill(ex.shared(C, n), n + 4), xs = Array.from(a);
      const L = label(C, n, o);
      assert.is(await reduce(ex, a, 'sum', o), xs.reduce((s, x) => s + x, 0), `sum ${L}`);
      if (n > 0) {
        assert.is(await reduce(ex, a, 'min', o), Math.min(...xs), `min ${L}`);
        assert.is(await reduce(ex, a, 'max', o), Math.max(...xs), `max ${L}`);
      }
      assert.is(await reduce(ex, a, 'sum', { ...o, init: 100 }), 100 + xs.reduce((s, x) => s + x, 0), `sum with init ${L}`);
      const sumsq = (v, lo, hi) => { let s = 0; for (let i = lo; i < hi; i++) s += v[i] * v[i]; return s; };
      assert.is(await reduce(ex, a, sumsq, { ...o, combine: (p, q) => p + q }), n === 0 ? undefined : xs.reduce((s, x) => s + x * x, 0), `callback ${L}`);
      assert.is(await reduce(ex, a, sumsq, { ...o, combine: (p, q) => p + q, init: 5 }), 5 + xs.reduce((s, x) => s + x * x, 0), `callback with init ${L}`);
      ex.free(a);
    }
  });

  A('reduce partials can be any value the codec carries (objects, combined in the worker)', async ({ ex }) => {
    const a = fill(ex.shared(Int32Array, 10_007), 5);
    const got = await reduce(ex, a, (v, lo, hi) => {
      const h = { neg: 0, pos: 0 };
      for (let i = lo; i < hi; i++) if (v[i] < 0) h.neg++; else h.pos++;
      return h;
    }, { combine: (p, q) => ({ neg: p.neg + q.neg, pos: p.pos + q.pos }), partitioner: 'dynamic', grain: 100 });
    const neg = Array.from(a).filter((x) => x < 0).length;
    assert.equal(got, { neg, pos: a.length - neg });
    ex.free(a);
  });

  A('transformReduce: dot of two arrays, and a two-input callback', async ({ ex }) => {
    for (const C of DTYPES) for (const n of SIZES) for (const o of PARTS4) {
      const a = fill(ex.shared(C, n), n + 5), b = fill(ex.shared(C, n), n + 6);
      const dot = Array.from(a).reduce((s, x, i) => s + x * b[i], 0);
      assert.is(await transformReduce(ex, [a, b], 'dot', o), dot, `dot ${label(C, n, o)}`);
      const cb = (x, y, lo, hi) => { let s = 0; for (let i = lo; i < hi; i++) s += Math.abs(x[i] - y[i]); return s; };
      assert.is(await transformReduce(ex, [a, b], cb, { ...o, combine: (p, q) => p + q, init: 0 }),
        Array.from(a).reduce((s, x, i) => s + Math.abs(x - b[i]), 0), `L1 distance ${label(C, n, o)}`);
      ex.free(a); ex.free(b);
    }
  });

  A('findIndex and find return the first match, whatever chunk finds one first', async ({ ex }) => {
    for (const C of DTYPES) for (const n of SIZES) for (const o of PARTS4) {
      const a = ex.shared(C, n);
      for (const at of [[], [Math.floor(n / 3), Math.floor(n / 7), n - 1]]) {
        a.fill(0);
        for (const i of at) if (i >= 0 && i < n) a[i] = 5;
        const first = at.filter((i) => i >= 0 && i < n).sort((x, y) => x - y)[0] ?? -1;
        assert.is(await findIndex(ex, a, (x) => x === 5, o), first, `findIndex ${label(C, n, o)} at ${at}`);
        assert.is(await find(ex, a, (x, i) => x === 5 && i >= 0, o), first < 0 ? undefined : 5, `find ${label(C, n, o)}`);
      }
      ex.free(a);
    }
  });

  A('minElement / maxElement: the first index of the extreme, by < or by a comparator', async ({ ex }) => {
    for (const C of DTYPES) for (const n of SIZES) for (const o of PARTS4) {
      const a = fill(ex.shared(C, n), n + 11), xs = Array.from(a);
      const L = label(C, n, o);
      assert.is(await minElement(ex, a, o), n ? xs.indexOf(Math.min(...xs)) : -1, `min ${L}`);
      assert.is(await maxElement(ex, a, o), n ? xs.indexOf(Math.max(...xs)) : -1, `max ${L}`);
      const byAbs = (x, y) => Math.abs(x) - Math.abs(y);
      const absMin = n ? Math.min(...xs.map(Math.abs)) : 0;
      assert.is(await minElement(ex, a, byAbs, o), n ? xs.findIndex((x) => Math.abs(x) === absMin) : -1, `min by |x| ${L}`);
      ex.free(a);
    }
  });

  A('NaN: sums and min/max reductions propagate it; min/maxElement skip it (−1 when nothing else)', async ({ ex }) => {
    for (const C of [Float32Array, Float64Array]) {
      const a = ex.shared(C, 5000);
      a.forEach((_, i) => { a[i] = (i % 13) - 6; });
      a[4321] = NaN;
      assert.ok(Number.isNaN(await reduce(ex, a, 'sum')));
      assert.ok(Number.isNaN(await reduce(ex, a, 'min')));
      assert.ok(Number.isNaN(await reduce(ex, a, 'max')));
      a[0] = NaN;
      assert.is(await minElement(ex, a), 13, 'the first smallest non-NaN (index 0, the other −6, is NaN now)');
      assert.is(await maxElement(ex, a), 12);
      a.fill(NaN);
      assert.is(await minElement(ex, a), -1);
      assert.is(await maxElement(ex, a), -1);
      ex.free(a);
    }
  });

  A.run();
}
