// The GPU kernel checks (test/conformance/gpu-checks.js, which headless Chromium runs too) on Dawn's
// adapter in Node (Dawn's GLES compatibility adapter on llvmpipe where there is no GPU): the built-in
// kernels against the CPU kernels through the algorithms' `device` option (map, reduce, scan, matmul; the
// sort's checks run in gpu-sort.test.mjs), the dispatch API and its errors; then what only this lane
// checks: 'auto' on a software adapter, and a device lost mid-call re-running on the CPU. Skipped,
// saying why, only where no adapter can exist; under CI=true that fails instead.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as bf from 'beatflow';
import { gpuSuite } from './helpers/gpu.mjs';
import { within } from './helpers/executor.mjs';
import { gpuChecks } from './conformance/gpu-checks.js';

const { Executor, transform, reduce } = bf;
const { ex, gpu, S: K, it } = await gpuSuite('gpu kernels = cpu kernels', 'gpu kernel');
const CPU = { device: 'cpu' }, GPU = { device: 'gpu' };

for (const c of gpuChecks(bf, ex)) if (!c.name.startsWith('sort')) it(c.name, c.run);

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
