// The GPU lane on a real adapter: Dawn's (the `webgpu` package) in Node, which on a machine without a
// GPU is Mesa's llvmpipe through OpenGL ES, compatibility feature level (.ci/run installs Mesa's EGL and
// GLES): a device destroyed mid-way, before a pipeline compiled, and by executor.destroy(). (Dispatches
// against the CPU reference and the errors users meet — invalid WGSL, a missing or mistyped binding — are
// in conformance/gpu-checks.js, run by gpu-kernels.test.mjs and the Chromium lane.) Where no adapter can
// exist the tests are skipped, saying why; under CI=true that fails instead.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, GpuDeviceLostError } from 'beatflow';
import { within, rejection } from './helpers/executor.mjs';

const ex = await Executor.create({ workers: 1, gpu: true });
const gpu = ex.gpu;
const mustRun = process.env.CI === 'true';
if (!gpu.available) {
  console.log(`# gpu tests skipped: ${gpu.reason}`);
  if (mustRun) throw new Error(`CI must run the GPU tests, but there is no device: ${gpu.reason}`);
} else {
  console.log(`# ${gpu.backend} (${gpu.featureLevel}): ${gpu.adapter.device} — ${gpu.adapter.description}`);
}

const DOUBLE = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&a)) { a[id.x] = a[id.x] * 2.0; }
}`;

/** Workgroups of `size` covering n items, spread over y when x would pass the per-dimension limit. */
const groups = (n, size) => {
  const g = Math.max(1, Math.ceil(n / size));
  return g <= 65535 ? [g] : [65535, Math.ceil(g / 65535)];
};

// ---
const L = suite('a device lost mid-way');
const itL = gpu.available ? L : L.skip;

itL('destroying the device rejects the dispatch in flight with a GpuDeviceLostError; later ones too; close() ends', async () => {
  const ex2 = await Executor.create({ workers: 1, gpu: true });
  const a = ex2.shared(Float32Array, 1 << 20);
  await ex2.gpu.dispatch({ code: DOUBLE, workgroups: groups(a.length, 64), bindings: { a } });   // compiled and warm
  const inFlight = ex2.gpu.dispatch({ code: DOUBLE, workgroups: groups(a.length, 64), bindings: { a } });
  await new Promise((r) => setTimeout(r, 1));
  ex2.gpu._loseDevice();
  const e = await within(rejection(inFlight), 5000, 'the dispatch in flight');
  assert.instance(e, GpuDeviceLostError);
  assert.is(e.reason, 'destroyed');
  assert.match(e.message, /^beatflow: the GPU device was lost \(destroyed/);
  assert.is(ex2.gpu.available, false);
  assert.match(ex2.gpu.reason, /device was lost/);
  const later = await within(rejection(ex2.gpu.dispatch({ code: DOUBLE, workgroups: [1], bindings: { a } })), 1000, 'a later dispatch');
  assert.instance(later, GpuDeviceLostError);
  assert.is(await within(ex2.async((x) => x + 1, 41), 5000, 'a CPU task after the loss'), 42);
  await within(ex2.close(), 5000, 'close()');
});

itL('destroyed before the pipeline compiled: still a GpuDeviceLostError, no hang', async () => {
  const ex2 = await Executor.create({ workers: 1, gpu: true });
  const a = ex2.shared(Float32Array, 100);
  const p = ex2.gpu.dispatch({ code: DOUBLE.replace('2.0', '3.0'), workgroups: [2], bindings: { a } });
  ex2.gpu._loseDevice();
  assert.instance(await within(rejection(p), 5000, 'the dispatch'), GpuDeviceLostError);
  await within(ex2.close(), 5000, 'close()');
});

itL('executor.destroy() rejects a dispatch in flight and ends', async () => {
  const ex2 = await Executor.create({ workers: 1, gpu: true });
  const a = ex2.shared(Float32Array, 1 << 16);
  const p = rejection(ex2.gpu.dispatch({ code: DOUBLE, workgroups: groups(a.length, 64), bindings: { a } }));
  await within(ex2.destroy(), 5000, 'destroy()');
  const e = await within(p, 5000, 'the dispatch');
  assert.match(e.message, /destroyed/);
});

L.after(async () => { await ex.close(); });
L.run();
