// The GPU sort (src/gpu/kernels/sort.ts) against the CPU sort, through `sort(…, { device: 'gpu' })`, on a
// real adapter (Dawn's GLES compatibility adapter on llvmpipe where there is no GPU): the sort checks of
// conformance/gpu-checks.js (f32, i32, u32 over sizes that cross the block (2·wg) and the power-of-two
// padding, with NaN of any sign and payload, ±0, ±Inf and denormals: the CPU's result bit for bit, NaNs
// written as the canonical quiet NaN), then sorted, reversed and equal inputs, what has no GPU sort, and
// a device lost mid-sort. Skipped, saying why, only where no adapter can exist; under CI=true that fails.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as bf from 'beatflow';
import { gpuSuite } from './helpers/gpu.mjs';
import { within, rejection } from './helpers/executor.mjs';
import { messages } from '../build/src/errors.js';
import { gpuChecks } from './conformance/gpu-checks.js';

const { Executor, sort } = bf;

const { ex, gpu, S, it } = await gpuSuite('gpu sort = cpu sort', 'gpu sort');
const CPU = { device: 'cpu' }, GPU = { device: 'gpu' };
/** The first index where a and b differ in their bits, or -1. */
function differs(a, b) {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

for (const c of gpuChecks(bf, ex)) if (c.name.startsWith('sort')) it(c.name, c.run);

it('already sorted, reversed, all equal: unchanged order semantics', async () => {
  const n = 3000;
  for (const make of [(i) => i, (i) => n - i, () => 5]) {
    const a = ex.shared(Int32Array, n), b = ex.shared(Int32Array, n);
    for (let i = 0; i < n; i++) a[i] = b[i] = make(i);
    await sort(ex, a, CPU); await sort(ex, b, GPU);
    assert.is(differs(a, b), -1);
  }
});

it('no GPU sort: a comparator, Float64Array, an 8-bit array; each error says what is missing', async () => {
  const f = ex.shared(Float32Array, 8);
  const e1 = await rejection(sort(ex, f, (x, y) => y - x, GPU));
  assert.is(e1.message, messages.gpuNoKernel('sort(executor, array, cmp?, options)', messages.gpuKernelNone));
  const e2 = await rejection(sort(ex, ex.shared(Float64Array, 8), GPU));
  assert.instance(e2, TypeError);
  assert.match(e2.message, /device 'gpu': no GPU kernel takes Float64Array/);
  const e3 = await rejection(sort(ex, ex.shared(Uint8Array, 8), GPU));
  assert.match(e3.message, /no GPU kernel takes Uint8Array/);
  const a = ex.shared(Float32Array, 5000).fill(3);
  assert.is(await sort(ex, a, { device: 'auto' }), a, "'auto' on a software adapter: the CPU");
});

S.after(() => ex.close());
S.run();

const L = suite('gpu sort: a device lost mid-call');
const itL = gpu.available ? L : L.skip;

itL('the sort re-runs on the CPU, resolves with the sorted array, and the lane counts it', async () => {
  const ex2 = await Executor.create({ workers: 2, gpu: true });
  const n = 1 << 18;
  const a = ex2.shared(Float32Array, n), ref = ex2.shared(Float32Array, n);
  for (let i = 0; i < n; i++) a[i] = ref[i] = Math.sin(i) * 1000;
  await sort(ex2, ref, CPU);
  const call = sort(ex2, a, GPU);
  ex2.gpu._loseDevice();
  assert.is(await within(call, 20_000, 'sort after loss'), a);
  assert.is(differs(a, ref), -1);
  assert.is(ex2.gpu.fallbacks, 1);
  await within(ex2.close(), 10_000, 'close after loss');
});

L.run();
