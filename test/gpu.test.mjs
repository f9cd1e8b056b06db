// The GPU lane on a real adapter: Dawn's (the `webgpu` package) in Node, which on a machine without a
// GPU is Mesa's llvmpipe through OpenGL ES, compatibility feature level (.ci/run installs Mesa's EGL and
// GLES). Kernels against the CPU reference over sizes that cross workgroup boundaries, uniforms, the
// errors users meet (invalid WGSL, a missing or mistyped binding), and a device destroyed mid-way.
// Where no adapter can exist the tests are skipped, saying why; under CI=true that fails instead.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, GpuShaderError, GpuDeviceLostError } from 'beatflow';
import { within, rejection } from './helpers/executor.mjs';

const ex = await Executor.create({ workers: 1, gpu: true });
const gpu = ex.gpu;
const mustRun = process.env.CI === 'true';
if (!gpu.available) {
  console.log(`# gpu tests skipped: ${gpu.reason}`);
  if (mustRun) throw new Error(`CI must run the GPU tests, but there is no device: ${gpu.reason}`);
}
const G = suite('gpu lane (Dawn)');
const it = gpu.available ? G : G.skip;

const DOUBLE = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&a)) { a[id.x] = a[id.x] * 2.0; }
}`;

// y = p.a * x + y, with the scalar in a uniform.
const SAXPY = /* wgsl */ `
struct Params { a: f32, pad0: f32, pad1: f32, pad2: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
@compute @workgroup_size(256)
fn saxpy(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * 65535u * 256u;
  if (i < arrayLength(&y)) { y[i] = p.a * x[i] + y[i]; }
}`;

/** Workgroups of `size` covering n items, spread over y when x would pass the per-dimension limit. */
const groups = (n, size) => {
  const g = Math.max(1, Math.ceil(n / size));
  return g <= 65535 ? [g] : [65535, Math.ceil(g / 65535)];
};

const SIZES = [0, 1, 63, 64, 65, 255, 256, 257, 1023, 1025, (1 << 16) - 1, (1 << 16) + 1, 1 << 20];

it('an adapter is found and described', () => {
  assert.ok(['core', 'compatibility'].includes(gpu.featureLevel), gpu.featureLevel);
  assert.type(gpu.backend, 'string');
  assert.ok(gpu.adapter.device || gpu.adapter.description, 'the adapter names itself');
  assert.ok(gpu.limits.maxStorageBufferBindingSize >= 1 << 27, 'storage bindings of 128 MiB, asked for explicitly');
  assert.ok(gpu.limits.maxComputeWorkgroupSizeX >= 256 && gpu.limits.maxComputeInvocationsPerWorkgroup >= 256,
    `workgroups past the compat default of 128: ${gpu.limits.maxComputeWorkgroupSizeX}`);
  assert.ok(Array.isArray(gpu.tried));
  console.log(`# ${gpu.backend} (${gpu.featureLevel}): ${gpu.adapter.device} — ${gpu.adapter.description}`);
});

it(`doubling equals the CPU over sizes ${SIZES.join(', ')}`, async () => {
  for (const n of SIZES) {
    const a = ex.shared(Float32Array, n);
    for (let i = 0; i < n; i++) a[i] = (i % 1000) - 500.5;
    const want = Float32Array.from(a, (v) => v * 2);
    const r = await gpu.dispatch({ code: DOUBLE, workgroups: groups(n, 64), bindings: { a } });
    assert.equal(a, want, `n = ${n}`);
    assert.is(r.bytesDown, n * 4);
    ex.free(a);
  }
});

it('saxpy with a uniform equals the CPU; read-only inputs are not written back', async () => {
  for (const n of [1, 257, 65537, (1 << 20) + 1]) {
    const x = ex.shared(Float32Array, n), y = ex.shared(Float32Array, n);
    for (let i = 0; i < n; i++) { x[i] = i % 997; y[i] = (i % 13) - 6; }
    const want = Float32Array.from(y, (v, i) => 2.5 * x[i] + v);   // exact in f32 for these values
    const xBefore = x.slice();
    await gpu.dispatch({ code: SAXPY, entryPoint: 'saxpy', workgroups: groups(n, 256), bindings: { x, y, p: { uniform: new Float32Array([2.5, 0, 0, 0]) } } });
    assert.equal(y, want, `n = ${n}`);
    assert.equal(x, xBefore);
    ex.free(x); ex.free(y);
  }
});

it('several dispatches in flight at once each get their own buffers', async () => {
  const arrays = [1000, 1000, 5000, 64].map((n, k) => Int32Array.from({ length: n }, (_, i) => i * (k + 1)));
  const code = DOUBLE.replace('array<f32>', 'array<i32>').replace('* 2.0', '* 2');
  const wants = arrays.map((a) => a.map((v) => v * 2));
  await Promise.all(arrays.map((a) => gpu.dispatch({ code, workgroups: groups(a.length, 64), bindings: { a } })));
  arrays.forEach((a, k) => assert.equal(a, wants[k], `array ${k}`));
});

it('invalid WGSL: a GpuShaderError with the compiler message and its line', async () => {
  const e = await rejection(gpu.dispatch({ label: 'broken', code: DOUBLE.replace('a[id.x] * 2.0', 'a[id.x] * flot(2)'), workgroups: [1], bindings: {} }));
  assert.instance(e, GpuShaderError);
  assert.match(e.message, /^beatflow: executor\.gpu\.dispatch\(\{ label: 'broken' \}\): the WGSL did not compile: line 5:\d+: .*flot/);
  assert.is(e.errors[0].line, 5);
});

it('a missing, unknown or mistyped binding: a TypeError naming it', async () => {
  const x = new Float32Array(4), y = new Float32Array(4), p = { uniform: new Float32Array(4) };
  const cases = [
    [{ x, p }, /bindings\.y is missing: the WGSL declares 'y' \(storage\)/],
    [{ x, y, p, z: y }, /bindings\.z is not declared by the WGSL \(it declares: x, y, p\)/],
    [{ x: new Float64Array(4), y, p }, /bindings\.x must be a Float32Array, Int32Array or Uint32Array \(executor\.shared\(\)\) \(got Float64Array\)/],
    [{ x: new Int32Array(4), y, p }, /bindings\.x must be an array of f32 \(the WGSL declares array<f32>\)/],
    [{ x, y, p: new Float32Array(4) }, /bindings\.p must be \{ uniform: /],
    [{ x, y: { uniform: y }, p }, /bindings\.y must be a Float32Array/],
  ];
  for (const [bindings, message] of cases) {
    const e = await rejection(gpu.dispatch({ code: SAXPY, workgroups: [1], bindings }));
    assert.instance(e, TypeError, e.message);
    assert.match(e.message, message);
  }
  const e = await rejection(gpu.dispatch({ code: SAXPY, workgroups: [1], bindings: { x, y, p }, read: ['x'] }));
  assert.match(e.message, /read lists "x", which is declared read-only-storage/);
  const w = await rejection(gpu.dispatch({ code: SAXPY, workgroups: [1.5], bindings: { x, y, p } }));
  assert.match(w.message, /workgroups must be \[x, y\?, z\?\] of integers from 0 to \d+ \(got \[1\.5\]\)/);
});

G.run();

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
