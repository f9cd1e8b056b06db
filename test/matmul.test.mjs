// matmul(executor, a, b, out, m, n, k) on the CPU (src/algorithms/matmul.ts over the Wasm SIMD kernel
// assembly/kernels/matmul.ts): every element bit for bit the f32 loop `acc = fround(acc + fround(a·b))`
// in k order, over shapes that cross the kernel's 4×8 register block, its k slices (128) and column panels
// (256), at 1, 2 and 4 workers, with and without the calling thread, and as a graph task; NaN and ±Inf;
// the empty shapes; bad arguments named. No GPU involved: device 'cpu' is the default.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, matmul } from 'beatflow';
import { rejection, retired } from './helpers/executor.mjs';

let seed = 4242;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const f = Math.fround;

/** The reference: each element the f32 sum in k order of f32 products, each operation rounded once. */
function reference(a, b, m, n, k) {
  const o = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let l = 0; l < k; l++) acc = f(acc + f(a[i * k + l] * b[l * n + j]));
      o[i * n + j] = acc;
    }
  }
  return o;
}

function operands(ex, m, n, k) {
  const a = ex.shared(Float32Array, m * k), b = ex.shared(Float32Array, k * n), out = ex.shared(Float32Array, m * n);
  for (let i = 0; i < a.length; i++) a[i] = (rnd() - 0.5) * 2 ** Math.floor(rnd() * 8 - 4);
  for (let i = 0; i < b.length; i++) b[i] = (rnd() - 0.5) * 2 ** Math.floor(rnd() * 8 - 4);
  out.fill(12345);
  return { a, b, out };
}

/** The first element whose bits differ from the reference's, as a message, or ''. */
function differs(got, want) {
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return `[${i}]: ${got[i]} (want ${want[i]})`;
  return '';
}

// 4×8 blocks and their remainders (1–3 rows, 1–7 columns), k across slices of 128, n across panels of 256.
const SHAPES = [[1, 1, 1], [1, 9, 2], [3, 7, 5], [4, 8, 1], [5, 13, 17], [8, 16, 128], [9, 12, 129], [33, 257, 3],
  [7, 300, 260], [64, 64, 64], [130, 40, 70]];

// ---
const C = suite('matmul on the CPU = the f32 loop, bit for bit');

for (const workers of [1, 2, 4]) {
  C(`${workers} worker${workers > 1 ? 's' : ''}: shapes across blocks, slices and panels; with and without the calling thread`, async () => {
    const ex = await Executor.create({ workers });
    try {
      for (const [m, n, k] of SHAPES) {
        for (const caller of [true, false]) {
          const { a, b, out } = operands(ex, m, n, k);
          assert.is(await matmul(ex, a, b, out, m, n, k, { caller }), out);
          const bad = differs(out, reference(a, b, m, n, k));
          if (bad) assert.unreachable(`${m}×${n}×${k} caller ${caller}: ${bad}`);
          for (const v of [a, b, out]) ex.free(v);
        }
      }
      await retired(ex);
    } finally {
      await ex.close();
    }
  });
}

C('a graph task: out is the product when its successor runs', async () => {
  const ex = await Executor.create({ workers: 2 });
  const [m, n, k] = [40, 70, 90];
  const { a, b, out } = operands(ex, m, n, k);
  const tf = new Taskflow('product');
  const p = matmul.task(tf, a, b, out, m, n, k);
  const first = tf.emplace(function first(o) { return o[0]; }).args(out);
  p.precede(first);
  const run = await ex.run(tf);
  assert.is(differs(out, reference(a, b, m, n, k)), '');
  assert.is(run.result(first), out[0]);
  await ex.close();
});

C('NaN and ±Inf propagate; k = 0 writes zeros; m or n = 0 touches nothing', async () => {
  const ex = await Executor.create({ workers: 2 });
  const a = ex.shared(Float32Array, 8), b = ex.shared(Float32Array, 4), out = ex.shared(Float32Array, 8);
  a.set([1, NaN, 2, 3, Infinity, 1, -0, -0]); b.set([1, 2, 3, 4]);
  await matmul(ex, a, b, out, 4, 2, 2);
  assert.ok(Number.isNaN(out[0]) && Number.isNaN(out[1]));
  assert.equal([out[2], out[3], out[4], out[5]], [11, 16, Infinity, Infinity]);
  assert.ok(Object.is(out[6], 0) && Object.is(out[7], 0), '+0 + (−0·x) is +0');
  const z = ex.shared(Float32Array, 12).fill(5);
  await matmul(ex, ex.shared(Float32Array, 0), ex.shared(Float32Array, 0), z, 3, 4, 0);
  assert.equal([...z], new Array(12).fill(0));
  const keep = ex.shared(Float32Array, 0);
  assert.is(await matmul(ex, ex.shared(Float32Array, 6), ex.shared(Float32Array, 0), keep, 3, 0, 2), keep);
  await ex.close();
});

C('bad arguments are named: dimensions, types, lengths, overlap, arrays not shared or freed, graph options', async () => {
  const ex = await Executor.create({ workers: 1 });
  const a = ex.shared(Float32Array, 6), b = ex.shared(Float32Array, 6), out = ex.shared(Float32Array, 4);
  const what = 'beatflow: matmul(executor, a, b, out, m, n, k, options)';
  const cases = [
    [() => matmul(ex, a, b, out, 2, 2.5, 3), TypeError, `${what}: n must be an integer ≥ 0 (got 2.5)`],
    [() => matmul(ex, a, b, out, -1, 2, 3), TypeError, `${what}: m must be an integer ≥ 0 (got -1)`],
    [() => matmul(ex, ex.shared(Int32Array, 6), b, out, 2, 2, 3), TypeError, `${what}: a must be a Float32Array (got Int32Array`],
    [() => matmul(ex, a, b, ex.shared(Float32Array, 5), 2, 2, 3), RangeError, `${what}: out has 5 elements, but m·n = 4`],
    [() => matmul(ex, a, b, out, 2, 2, 2), RangeError, `${what}: a has 6 elements, but m·k = 4`],
    [() => matmul(ex, a, b, a.subarray(0, 4), 2, 2, 3), RangeError, `${what}: out overlaps a: the product reads a while it writes out`],
    [() => matmul(ex, new Float32Array(6), b, out, 2, 2, 3), TypeError, "must live in the executor's shared memory"],
    [() => matmul(ex, a, b, out, 2, 2, 3, { device: 'tpu' }), TypeError, `${what}: options.device must be 'cpu', 'gpu' or 'auto'`],
  ];
  for (const [call, type, message] of cases) {
    const e = await rejection(call());
    assert.instance(e, type, e.message);
    assert.ok(e.message.includes(message), `${e.message}\n  want: ${message}`);
  }
  const freed = ex.shared(Float32Array, 4); ex.free(freed);
  assert.match((await rejection(matmul(ex, a, b, freed, 2, 2, 3))).message, /out: the .* was already freed/);
  assert.throws(() => matmul.task(new Taskflow('t'), a, b, out, 2, 2, 3, { device: 'gpu' }), /options\.device "gpu" is for the direct form/);
  await ex.close();
});

C.run();
