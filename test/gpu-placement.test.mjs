// Where the algorithms' built-in ops run (device: 'cpu' | 'gpu' | 'auto') without needing an adapter:
// the placement policy and the kernel table (pure), the size check of the GPU kernels against the
// device's limits, and what an executor without a GPU does with each device.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, transform, reduce, inclusiveScan, sort } from 'beatflow';
import { rejection } from './helpers/executor.mjs';
import { placeKernel, gpuKernelMissing, AUTO_MIN_ITEMS } from '../build/src/policy/placement.js';
import { kernelProgram } from '../build/src/gpu/kernels/index.js';
import { messages } from '../build/src/errors.js';

const P = suite('placement (pure)');
const base = { kind: 'map', op: 'add', dtype: 'f32', n: 1 << 24, device: true, software: false, resident: false };

P('auto: a hardware device from the transfer threshold on, a lower one for resident data; never a software adapter', () => {
  const table = [
    [{}, 'gpu'],
    [{ n: AUTO_MIN_ITEMS.transfer - 1 }, 'cpu'],
    [{ n: AUTO_MIN_ITEMS.transfer }, 'gpu'],
    [{ n: AUTO_MIN_ITEMS.resident, resident: true }, 'gpu'],
    [{ n: AUTO_MIN_ITEMS.resident - 1, resident: true }, 'cpu'],
    [{ device: false }, 'cpu'],
    [{ software: true }, 'cpu'],
    [{ software: true, resident: true }, 'cpu'],
  ];
  for (const [diff, want] of table) assert.is(placeKernel({ ...base, ...diff }), want, JSON.stringify(diff));
});

P('kernels: the CPU kernels\' descriptors minus f64, float-only ops on integers, scalars out of the dtype', () => {
  const ok = (c) => gpuKernelMissing({ kind: 'map', op: 'add', arrays: ['Float32Array', 'Float32Array'], scalars: [0, 0], ...c });
  assert.is(ok({}), undefined);
  assert.is(ok({ arrays: ['Int32Array'], op: 'neg' }), undefined);
  assert.is(ok({ arrays: ['Float64Array'] }), messages.gpuKernelDtype('Float64Array'));
  assert.is(ok({ arrays: ['Float32Array', 'Int32Array'] }), messages.gpuKernelMixed(['Float32Array', 'Int32Array']));
  assert.is(ok({ arrays: ['Uint32Array'], op: 'exp' }), messages.gpuKernelFloatOnly('exp', 'Uint32Array'));
  assert.is(ok({ arrays: ['Int32Array'], op: 'scale', scalars: [0.5, 0] }), messages.gpuKernelScalars('scale', [0.5], 'i32'));
  assert.is(ok({ op: 'clamp', scalars: [2, 1] }), messages.gpuKernelClamp(2, 1));
  assert.is(gpuKernelMissing({ kind: 'scan', op: 'sum', arrays: ['Uint32Array', 'Uint32Array'], scalars: [-1] }), messages.gpuKernelInit(-1, 'u32'));
  assert.is(gpuKernelMissing({ kind: 'reduce', op: 'dot', arrays: ['Int32Array', 'Int32Array'], scalars: [] }), undefined);
});

P('an array larger than one binding is a RangeError naming the argument and the limit', () => {
  const limits = { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupsPerDimension: 65535, maxStorageBufferBindingSize: 64 };
  const a = new Float32Array(17), small = new Float32Array(16);
  const e = (() => { try { kernelProgram('transform()', { kind: 'map', op: 'add', dtype: 'f32', ins: [small, a], out: small, s0: 0, s1: 0 }, limits); } catch (x) { return x; } })();
  assert.instance(e, RangeError);
  assert.is(e.message, messages.gpuTooBig('transform()', 'input[1]', 68, 64));
  const p = kernelProgram('reduce()', { kind: 'reduce', op: 'sum', dtype: 'f32', ins: [small] }, limits);
  assert.is(p.passes.length, 1);
});

P('sort: the array padded to a power of two must fit one binding; the passes as docs/gpu.md counts them', () => {
  const limits = { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupsPerDimension: 65535, maxStorageBufferBindingSize: 4096 };
  const sort = (n) => kernelProgram('sort()', { kind: 'sort', dtype: 'f32', array: new Float32Array(n) }, limits);
  assert.is(sort(1024).passes.length, 1 + 2, 'N = 1024: the block sort, then one merge size (a global pass, a local one)');
  const e = (() => { try { sort(1025); } catch (x) { return x; } })();
  assert.instance(e, RangeError);
  assert.is(e.message, messages.gpuSortTooBig('sort()', 4100, 8192, 4096));
  const big = { ...limits, maxStorageBufferBindingSize: 1 << 30 };
  const passes = (n) => kernelProgram('sort()', { kind: 'sort', dtype: 'u32', array: new Uint32Array(n) }, big).passes.length;
  assert.is(passes(1 << 20), 48);
  assert.is(passes(1), 1);
});

P.run();

const N = suite('the device option without a GPU');

N("'gpu' rejects with executor.gpu.reason; 'auto' and 'cpu' run on the CPU; a bad value is refused by name", async () => {
  const ex = await Executor.create({ workers: 2 });
  const a = ex.shared(Float32Array, 1000).fill(2);
  const e = await rejection(reduce(ex, a, 'sum', { device: 'gpu' }));
  assert.is(e.message, `beatflow: reduce(executor, array, fn | op, options): no GPU device: ${messages.gpuNotRequested}`);
  assert.is(await reduce(ex, a, 'sum', { device: 'auto' }), 2000);
  assert.is(await reduce(ex, a, 'sum', { device: 'cpu' }), 2000);
  const out = ex.shared(Float32Array, 1000);
  assert.is((await inclusiveScan(ex, a, out, 'sum', { device: 'auto' }))[999], 2000);
  assert.is((await transform(ex, a, out, { op: 'scale', s0: 3 }, { device: 'auto' }))[5], 6);
  const bad = await rejection(transform(ex, a, out, 'abs', { device: 'GPU' }));
  assert.instance(bad, TypeError);
  assert.match(bad.message, /options\.device must be 'cpu', 'gpu' or 'auto' \(got "GPU"\)/);
  const none = await rejection(sort(ex, a, (x, y) => x - y, { device: 'gpu' }));
  assert.is(none.message, messages.gpuNoKernel('sort(executor, array, cmp?, options)', messages.gpuKernelNone));
  assert.ok(await sort(ex, a, { device: 'auto' }));
  const sortNoDevice = await rejection(sort(ex, a, { device: 'gpu' }));
  assert.match(sortNoDevice.message, /sort\(executor, array, cmp\?, options\): no GPU device/);
  assert.is(ex.gpu.fallbacks, 0);
  await ex.close();
});

N("the graph form takes device: 'cpu' only", () => {
  const tf = new Taskflow('t');
  const a = new Float32Array(4);
  assert.throws(() => reduce.task(tf, a, 'sum', { device: 'gpu' }), (e) => e instanceof TypeError && /options\.device "gpu" is for the direct form/.test(e.message));
  assert.ok(reduce.task(tf, a, 'sum', { device: 'cpu' }));
});

N.run();
