// Resident arrays in graph tasks (gpuTask.task with arrays made resident by executor.gpu.resident; src/gpu/
// resident.ts, src/engine/device-task.ts), on a real adapter (Dawn's GLES compatibility adapter on
// llvmpipe where there is no GPU), at 1, 2 and 4 workers. Counted through executor.gpu.counters: a chain
// of GPU tasks over resident arrays uploads nothing and reads back only what `read` names; a CPU task's
// writes reach the device when the next GPU task names them in `upload`. The same graph round-tripping
// moves every array, so the counters see transfers when there are some. Skipped, saying why, only where
// no adapter can exist; under CI=true that fails instead.
import * as assert from 'uvu/assert';
import { Executor, Taskflow, gpuTask } from 'beatflow';
import { gpuSuite } from './helpers/gpu.mjs';
import { within, rejection } from './helpers/executor.mjs';

const { ex, gpu, S: R, it } = await gpuSuite('resident arrays in graph tasks', 'gpu graph resident');

// y = 2·x, then z = y + x.
const SCALE = `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) { if (id.x < arrayLength(&y)) { y[id.x] = 2.0 * x[id.x]; } }`;
const ADD = `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> z: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) { if (id.x < arrayLength(&z)) { z[id.x] = y[id.x] + x[id.x]; } }`;

const N = 4096, GROUPS = [N / 64];
const delta = (c0, c1) => Object.fromEntries(Object.keys(c0).map((k) => [k, c1[k] - c0[k]]));

/** fill(x) on the CPU → y = 2x → z = y + x (read back: z) → sum(z) on the CPU. `upload`: the first GPU task names x. */
function chain(lane, x, y, z, upload) {
  const tf = new Taskflow('chain');
  const fill = tf.emplace(function fill(a, v) { for (let i = 0; i < a.length; i++) a[i] = (i % 100) + v; }).args(x, 1);
  const scale = gpuTask.task(tf, { code: SCALE, workgroups: GROUPS, bindings: { x, y }, label: 'scale', ...(upload ? { upload: ['x'] } : {}) });
  const add = gpuTask.task(tf, { code: ADD, workgroups: GROUPS, bindings: { x, y, z }, read: ['z'], label: 'add' });
  const sum = tf.emplace(function sum(a) { let s = 0; for (const v of a) s += v; return s; }).args(z);
  fill.precede(scale); scale.precede(add); add.precede(sum);
  return { tf, scale, add, sum };
}

let want = 0;
for (let i = 0; i < N; i++) want += 3 * ((i % 100) + 1);

for (const workers of [1, 2, 4]) {
  it(`${workers} worker${workers > 1 ? 's' : ''}: resident x, y, z move only x up (named in upload) and z down (named in read)`, async () => {
    const ex2 = await Executor.create({ workers, gpu: true });
    const lane = ex2.gpu;
    const [x, y, z] = [0, 1, 2].map(() => lane.resident(ex2.shared(Float32Array, N)));
    const { tf, scale, add, sum } = chain(lane, x, y, z, true);
    for (let round = 0; round < 3; round++) {
      const c0 = lane.counters;
      const run = await within(ex2.run(tf), 20_000, 'resident chain');
      const d = delta(c0, lane.counters);
      assert.is(run.result(sum), want, 'the CPU task after the chain sees z');
      assert.equal([d.uploads, d.bytesUp, d.readbacks, d.bytesDown, d.submissions], [1, N * 4, 1, N * 4, 2], JSON.stringify(d));
      assert.equal([run.result(scale).bytesUp, run.result(scale).bytesDown], [N * 4, 0], 'scale uploads x (named) and reads nothing back');
      assert.equal([run.result(add).bytesUp, run.result(add).bytesDown], [0, N * 4], 'add moves nothing up; z comes back');
    }
    assert.is(y[7], 0, 'y never came back: the host copy is stale');
    await lane.read(y);
    assert.is(y[7], 2 * (7 + 1), 'read() brings the device copy');
    await within(ex2.close(), 10_000, 'close');
  });
}

it('the same graph round-tripping moves every binding: the counters see it', async () => {
  const [x, y, z] = [0, 1, 2].map(() => ex.shared(Float32Array, N));
  const { tf, sum } = chain(gpu, x, y, z, true);
  const c0 = gpu.counters;
  const run = await within(ex.run(tf), 20_000, 'round trip');
  const d = delta(c0, gpu.counters);
  assert.is(run.result(sum), want);
  // scale: x, y up, y down; add: x, y, z up, z down
  assert.equal([d.uploads, d.readbacks, d.bytesDown], [5, 2, 2 * N * 4], JSON.stringify(d));
});

it('without upload, a CPU task\'s write to a resident array is not seen by the GPU task (the contract: name it)', async () => {
  const [x, y, z] = [0, 1, 2].map(() => gpu.resident(ex.shared(Float32Array, N)));
  const { tf, sum } = chain(gpu, x, y, z, false);
  const run = await within(ex.run(tf), 20_000, 'stale');
  assert.is(run.result(sum), 0, 'the device used its copy of x, uploaded as zeros');
  for (const a of [x, y, z]) gpu.release(a);
});

it('a resident array is the same array through any view of its memory; a freed one is resident no more', async () => {
  const a = gpu.resident(ex.shared(Float32Array, 256).fill(3));
  const view = new Float32Array(a.buffer, a.byteOffset, a.length);
  const code = '@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n@compute @workgroup_size(64)\nfn main(@builtin(global_invocation_id) id: vec3u) { v[id.x] = v[id.x] + 1.0; }';
  const r = await gpu.dispatch({ code, workgroups: [4], bindings: { v: view } });
  assert.equal([r.bytesUp, r.bytesDown], [0, 0], 'the view found the resident buffer');
  assert.is(a[0], 3, 'stale until read');
  await gpu.read(view);
  assert.is(a[0], 4);
  ex.free(a);
  const again = new Float32Array(a.buffer, a.byteOffset, a.length);
  assert.match((await rejection(gpu.read(again))).message, /the array is not resident/);
});

it('upload must name storage bindings', async () => {
  const x = ex.shared(Float32Array, 4), y = ex.shared(Float32Array, 4);
  const e1 = await rejection(gpu.dispatch({ code: SCALE, workgroups: [1], bindings: { x, y }, upload: ['w'] }));
  assert.match(e1.message, /upload lists "w", which is not declared: only storage bindings are uploaded/);
  const e2 = await rejection(gpu.dispatch({ code: SCALE, workgroups: [1], bindings: { x, y }, upload: 'x' }));
  assert.match(e2.message, /upload must be an array of binding names \(got "x"\)/);
});

R.after(() => ex.close());
R.run();
