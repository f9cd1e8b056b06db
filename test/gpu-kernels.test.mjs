// The built-in GPU kernels (src/gpu/kernels/) against the CPU kernels, through the algorithms'
// `device` option, on a real adapter (Dawn's GLES compatibility adapter on llvmpipe where there is no
// GPU): every map op and dtype, the reductions and the scans, over sizes that cross workgroup, tree and
// block boundaries, with NaN, ±0, ±Inf and denormals; the documented f32 bounds (docs/gpu.md); a device
// lost mid-call re-running on the CPU. Skipped, saying why, only where no adapter can exist; under
// CI=true that fails instead.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, transform, reduce, transformReduce, inclusiveScan, exclusiveScan } from 'beatflow';
import { gpuSuite } from './helpers/gpu.mjs';
import { within } from './helpers/executor.mjs';

const { ex, gpu, S: K, it } = await gpuSuite('gpu kernels = cpu kernels', 'gpu kernel');
const CPU = { device: 'cpu' }, GPU = { device: 'gpu' };

const TYPES = { f32: Float32Array, i32: Int32Array, u32: Uint32Array };
const U = 2 ** -24;
const f32 = new Float32Array(1), bits = new Int32Array(f32.buffer);
/** Distance in f32 ulps (through the order-preserving integer key of the bits). */
const ulps = (x, y) => {
  const key = (v) => { f32[0] = v; const b = bits[0]; return b < 0 ? -(b & 0x7fffffff) : b; };
  return Math.abs(key(x) - key(y));
};
const same = (x, y) => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));

// A deterministic generator: values of every sign and a few magnitudes, plus the special values.
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 1.4e-45, 3.4e38, -3.4e38, 1, -1];
function fill(a, dtype, special) {
  for (let i = 0; i < a.length; i++) {
    if (dtype === 'f32') a[i] = special && i % 7 === 0 ? SPECIAL[(i / 7) % SPECIAL.length] : (rnd() - 0.4) * 2 ** Math.floor(rnd() * 12 - 4);
    else if (dtype === 'i32') a[i] = (rnd() * 2 ** 32) | 0;
    else a[i] = (rnd() * 2 ** 32) >>> 0;
  }
  return a;
}
const arrays = (dtype, n, count, special = false) => Array.from({ length: count }, () => fill(ex.shared(TYPES[dtype], n), dtype, special));

const ARITY = { copy: 1, add: 2, sub: 2, mul: 2, div: 2, fma: 3, scale: 1, axpy: 2, offset: 1, abs: 1, neg: 1, min: 2, max: 2, clamp: 1, sqrt: 1, exp: 1, log: 1 };
const FLOAT_ONLY = ['div', 'sqrt', 'exp', 'log'];
const SCALARS = { f32: [1.5, 2.25], i32: [-7, 3], u32: [3, 1 << 20] };
/**
 * Ops whose results WGSL does not fix bit for bit (docs/gpu.md): whether the GPU's g is close enough to
 * the CPU kernels' c for input x. WGSL's bounds (div 2.5 ulp, sqrt as inverseSqrt's 2 ulp, exp 3 + 2·|x|
 * ulp, log 3 ulp or 2^-21 absolute on [0.5, 2]), plus 3 ulp for the CPU kernels' own exp / log (≤ 1.5e-7
 * relative); fma: one rounding instead of two.
 */
const LOOSE = {
  div: (x, c, g) => ulps(c, g) <= 3, sqrt: (x, c, g) => ulps(c, g) <= 3, fma: (x, c, g) => ulps(c, g) <= 1,
  exp: (x, c, g) => ulps(c, g) <= 6 + 2 * Math.abs(x),
  log: (x, c, g) => (x >= 0.5 && x <= 2 ? Math.abs(c - g) <= 2 ** -21 + 3 * U : ulps(c, g) <= 6),
};
const MAP_SIZES = [0, 1, 63, 255, 256, 257, 1023, 65537];

it('map: every op and dtype, sizes 1 … 2^16+1, bit for bit or within the documented ulps', async () => {
  const worst = {};
  for (const [op, arity] of Object.entries(ARITY)) {
    for (const dtype of ['f32', 'i32', 'u32']) {
      if (dtype !== 'f32' && FLOAT_ONLY.includes(op)) continue;
      const [s0, s1] = op === 'clamp' ? SCALARS[dtype].slice().sort((x, y) => x - y) : SCALARS[dtype];
      for (const n of MAP_SIZES) {
        const ins = arrays(dtype, n, arity, false);
        const c = ex.shared(TYPES[dtype], n), g = ex.shared(TYPES[dtype], n);
        const spec = { op, s0, s1 };
        await transform(ex, arity === 1 ? ins[0] : ins, c, spec, CPU);
        await transform(ex, arity === 1 ? ins[0] : ins, g, spec, GPU);
        for (let i = 0; i < n; i++) {
          if (same(c[i], g[i])) continue;
          const d = dtype === 'f32' ? ulps(c[i], g[i]) : Infinity;
          worst[`${op}/${dtype}`] = Math.max(worst[`${op}/${dtype}`] ?? 0, d);
          if (!(dtype === 'f32' && LOOSE[op]?.(ins[0][i], c[i], g[i]))) assert.unreachable(`${op} ${dtype} n=${n} [${i}] (${ins.map((a) => a[i]).join(', ')}): cpu ${c[i]}, gpu ${g[i]}`);
        }
        for (const a of [...ins, c, g]) ex.free(a);
      }
    }
  }
  console.log(`# map: ops that differed from the CPU kernels (max ulps): ${JSON.stringify(worst)}`);
});

it('map: NaN, ±0, ±Inf as the CPU kernels; denormals as this device gives them', async () => {
  const n = 4 * SPECIAL.length * SPECIAL.length;
  const a = ex.shared(Float32Array, n), b = ex.shared(Float32Array, n);
  for (let i = 0; i < n; i++) { a[i] = SPECIAL[i % SPECIAL.length]; b[i] = SPECIAL[Math.floor(i / SPECIAL.length) % SPECIAL.length]; }
  const c = ex.shared(Float32Array, n), g = ex.shared(Float32Array, n);
  const flushed = {};
  for (const op of ['copy', 'abs', 'neg', 'min', 'max', 'clamp', 'add', 'sub', 'mul', 'div', 'sqrt']) {
    const ins = ARITY[op] === 1 ? a : [a, b];
    await transform(ex, ins, c, { op, s0: -1, s1: 1 }, CPU);
    await transform(ex, ins, g, { op, s0: -1, s1: 1 }, GPU);
    for (let i = 0; i < n; i++) {
      if (same(c[i], g[i])) continue;
      // The only difference allowed: a denormal input or result flushed to a zero (of either sign).
      const denormal = (v) => v !== 0 && Math.abs(v) < 2 ** -126;
      const involved = denormal(a[i]) || denormal(b[i]) || denormal(c[i]);
      assert.ok(involved && (g[i] === 0 || same(g[i], c[i]) || ulps(g[i], c[i]) <= 1 || Number.isFinite(c[i]) === Number.isFinite(g[i])),
        `${op}(${a[i]}, ${b[i]}): cpu ${c[i]}, gpu ${g[i]}`);
      flushed[op] = (flushed[op] ?? 0) + 1;
    }
  }
  for (const v of [a, b, c, g]) ex.free(v);
  console.log(`# map: results with denormals that differ from the CPU (flushed): ${JSON.stringify(flushed)}`);
});

const REDUCE_SIZES = [0, 1, 2, 255, 2047, 2048, 2049, 4097, (1 << 16) + 1, 1 << 20];

it('reduce: sum, min, max, dot over every dtype; integers exact, f32 within the documented bound', async () => {
  for (const dtype of ['f32', 'i32', 'u32']) {
    for (const n of REDUCE_SIZES) {
      const [a, b] = arrays(dtype, n, 2);
      for (const op of ['sum', 'min', 'max', 'dot']) {
        const run = (o) => (op === 'dot' ? transformReduce(ex, [a, b], 'dot', o) : reduce(ex, a, op, o));
        const c = await run(CPU), g = await run(GPU);
        if (dtype !== 'f32' || op === 'min' || op === 'max') { assert.ok(same(c, g), `${op} ${dtype} n=${n}: cpu ${c}, gpu ${g}`); continue; }
        let abs = 0;
        for (let i = 0; i < n; i++) abs += Math.abs(op === 'dot' ? a[i] * b[i] : a[i]);
        const passes = Math.max(1, Math.ceil(Math.log2(Math.max(n, 1)) / 11));
        assert.ok(Math.abs(c - g) <= (16 * passes + 2) * U * abs, `${op} f32 n=${n}: cpu ${c}, gpu ${g}, Σ|x| ${abs}`);
      }
      ex.free(a); ex.free(b);
    }
  }
});

it('reduce: NaN propagates, −0 below +0, init folded in as on the CPU', async () => {
  const a = ex.shared(Float32Array, 3000);
  a.fill(0); a[1234] = -0;
  assert.ok(Object.is(await reduce(ex, a, 'min', GPU), -0));
  assert.ok(Object.is(await reduce(ex, a, 'max', GPU), 0));
  a[2999] = NaN;
  for (const op of ['sum', 'min', 'max']) assert.ok(Number.isNaN(await reduce(ex, a, op, GPU)), op);
  const i = ex.shared(Int32Array, 5000).fill(2 ** 30);
  assert.is(await reduce(ex, i, 'sum', { ...GPU, init: 7 }), await reduce(ex, i, 'sum', { ...CPU, init: 7 }));
  assert.is(await reduce(ex, ex.shared(Float32Array, 0), 'max', GPU), -Infinity, 'empty: the identity');
});

const SCAN_SIZES = [0, 1, 511, 512, 513, 1025, 512 * 512 + 1, 1 << 20];

it('scans: inclusive and exclusive, sum/min/max, every dtype; f32 sums within the documented bound', async () => {
  for (const dtype of ['f32', 'i32', 'u32']) {
    for (const n of SCAN_SIZES) {
      const [a] = arrays(dtype, n, 1);
      const c = ex.shared(TYPES[dtype], n), g = ex.shared(TYPES[dtype], n);
      for (const op of ['sum', 'min', 'max']) {
        for (const kind of ['inclusive', 'exclusive', 'inclusive+init']) {
          const init = dtype === 'u32' ? 5 : -5;
          const run = (out, o) => (kind === 'exclusive' ? exclusiveScan(ex, a, out, init, op, o)
            : inclusiveScan(ex, a, out, op, kind === 'inclusive' ? o : { ...o, init }));
          await run(c, CPU); await run(g, GPU);
          const levels = Math.max(1, Math.ceil(Math.log2(Math.max(n, 1)) / 9));
          let prefix = kind === 'inclusive' ? 0 : Math.abs(init);
          for (let i = 0; i < n; i++) {
            if (kind !== 'exclusive') prefix += Math.abs(a[i]);
            const ok = dtype !== 'f32' || op !== 'sum' ? same(c[i], g[i]) : Math.abs(c[i] - g[i]) <= (18 * levels + 2) * U * prefix;
            if (!ok) assert.unreachable(`${kind} ${op} ${dtype} n=${n} [${i}]: cpu ${c[i]}, gpu ${g[i]}`);
            if (kind === 'exclusive') prefix += Math.abs(a[i]);
          }
        }
      }
      ex.free(a); ex.free(c); ex.free(g);
    }
  }
});

it('scans: NaN and ±0 in min/max scans as on the CPU; in place', async () => {
  const n = 2000;
  const a = ex.shared(Float32Array, n), c = ex.shared(Float32Array, n), g = ex.shared(Float32Array, n);
  for (let i = 0; i < n; i++) a[i] = i === 1500 ? NaN : i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : 1 - i / 1000;
  for (const op of ['min', 'max']) {
    await inclusiveScan(ex, a, c, op, CPU); await inclusiveScan(ex, a, g, op, GPU);
    for (let i = 0; i < n; i++) assert.ok(same(c[i], g[i]), `${op} [${i}]: cpu ${c[i]}, gpu ${g[i]}`);
  }
  const b = ex.shared(Int32Array, 700).fill(3);
  await inclusiveScan(ex, b, b, 'sum', GPU);
  assert.is(b[699], 2100, 'out may be the input');
});

it('bad input: no kernel for the dtype, a callback, the graph form; each error names what is missing', async () => {
  const d = ex.shared(Float64Array, 8), f = ex.shared(Float32Array, 8);
  const e1 = await transform(ex, d, d, 'abs', GPU).catch((e) => e);
  assert.instance(e1, TypeError);
  assert.match(e1.message, /device 'gpu': no GPU kernel takes Float64Array/);
  const e2 = await transform(ex, f, f, (a, o, lo, hi) => {}, GPU).catch((e) => e);
  assert.match(e2.message, /only transform, reduce, transformReduce and the scans with a built-in op/);
  const e3 = await transform(ex, ex.shared(Int32Array, 8), ex.shared(Int32Array, 8), 'sqrt', GPU).catch((e) => e);
  assert.match(e3.message, /'sqrt' takes Float32Array only \(got Int32Array\)/);
  const e4 = await reduce(ex, f, 'sum', { device: 'fast' }).catch((e) => e);
  assert.match(e4.message, /options\.device must be 'cpu', 'gpu' or 'auto'/);
});

it('auto: this adapter is a software one, so the policy keeps every call on the CPU', async () => {
  const a = ex.shared(Float32Array, 1 << 20).fill(1);
  assert.is(await reduce(ex, a, 'sum', { device: 'auto' }), 1 << 20);
});

K.after(() => ex.close());
K.run();

const L = suite('gpu kernels: a device lost mid-call');
const itL = gpu.available ? L : L.skip;

itL('the call re-runs on the CPU kernels, resolves with their result, and the lane says so', async () => {
  const ex2 = await Executor.create({ workers: 2, gpu: true });
  const n = 1 << 20;
  const a = ex2.shared(Float32Array, n), o = ex2.shared(Float32Array, n), ref = ex2.shared(Float32Array, n);
  for (let i = 0; i < n; i++) a[i] = i % 1000;
  await transform(ex2, a, ref, { op: 'scale', s0: 3 }, CPU);
  const call = transform(ex2, a, o, { op: 'scale', s0: 3 }, GPU);
  ex2.gpu._loseDevice();
  assert.is(await within(call, 20_000, 'transform after loss'), o);
  for (let i = 0; i < n; i++) if (o[i] !== ref[i]) assert.unreachable(`[${i}]: ${o[i]} != ${ref[i]}`);
  assert.is(ex2.gpu.available, false);
  assert.match(ex2.gpu.reason, /lost/);
  assert.is(ex2.gpu.fallbacks, 1);
  const s = reduce(ex2, a, 'sum', { device: 'auto' });
  assert.is(await s, await reduce(ex2, a, 'sum', CPU), "'auto' goes to the CPU once the device is gone");
  const e = await reduce(ex2, a, 'sum', GPU).catch((x) => x);
  assert.match(e.message, /reduce\(executor, array, fn \| op, options\): no GPU device: .*lost/);
  await within(ex2.close(), 10_000, 'close after loss');
});

L.run();
