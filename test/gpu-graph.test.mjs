// GPU tasks in graphs (gpuTask.task, src/algorithms/gpu-task.ts, src/engine/device-task.ts) on a real
// adapter (Dawn's GLES compatibility adapter on llvmpipe where there is no GPU): the task hops from its
// worker to the host, which owns the device, and back; its successors start once the GPU work is done and
// read back, and receive its report. Errors (WGSL, bindings, no device, a lost device) fail the run with
// the task's name, never hang it. Skipped, saying why, only where no adapter can exist; under CI=true
// that fails instead.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Executor, Taskflow, gpuTask } from 'beatflow';
import { gpuSuite } from './helpers/gpu.mjs';
import { within, rejection } from './helpers/executor.mjs';

const { ex, gpu, S: G, it } = await gpuSuite('gpu tasks in graphs', 'gpu graph');

const ADD = (v) => `
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) { if (id.x < arrayLength(&a)) { a[id.x] = a[id.x] + ${v}.0; } }`;

it('CPU task → GPU task → CPU task: each sees the one before; the successor gets the report', async () => {
  const n = 10_000, a = ex.shared(Float32Array, n);
  const tf = new Taskflow('chain');
  const fill = tf.emplace(function fill(arr) { for (let i = 0; i < arr.length; i++) arr[i] = i; }).args(a);
  const add = gpuTask.task(tf, { code: ADD(3), workgroups: [Math.ceil(n / 64)], bindings: { a }, label: 'add3' });
  const sum = tf.emplace(function sum(arr, report) { let s = 0; for (const v of arr) s += v; return [s, report.bytesDown]; }).args(a);
  fill.precede(add); add.precede(sum); fill.precede(sum);   // sum(a, add's report, fill's result)
  assert.is(add.name(), 'add3');
  for (let round = 0; round < 3; round++) {
    const run = await within(ex.run(tf), 20_000, 'run');
    assert.equal(run.result(sum), [n * (n - 1) / 2 + 3 * n, n * 4]);
    assert.is(run.result(add).bytesUp, n * 4);
  }
});

it('fan-out: 6 GPU tasks on separate arrays at once, then one join', async () => {
  const arrays = Array.from({ length: 6 }, (_, i) => ex.shared(Float32Array, 500).fill(i));
  const tf = new Taskflow('fan');
  const join = tf.emplace(function join(...xs) { return xs.slice(0, 6).reduce((s, x) => s + x[0], 0); }).args(...arrays);
  for (const a of arrays) gpuTask.task(tf, { code: ADD(1), workgroups: [8], bindings: { a } }).precede(join);
  const run = await within(ex.run(tf), 20_000, 'fan-out');
  assert.is(run.result(join), (0 + 1 + 2 + 3 + 4 + 5) + 6);
});

it('errors fail the run naming the task: WGSL that does not compile, a binding missing', async () => {
  const a = ex.shared(Float32Array, 4);
  const t1 = new Taskflow('bad-wgsl');
  gpuTask.task(t1, { code: 'fn main() { let v = flot(2); }', workgroups: [1], bindings: {}, label: 'scale' });
  const e1 = await within(rejection(ex.run(t1)), 20_000, 'bad wgsl');
  assert.match(e1.message, /executor\.gpu\.dispatch\(\{ label: 'scale' \}\): the WGSL did not compile: .*flot/);
  const t2 = new Taskflow('missing');
  gpuTask.task(t2, { code: ADD(1), workgroups: [1], bindings: {}, label: 'add' });
  const e2 = await within(rejection(ex.run(t2)), 20_000, 'missing binding');
  assert.match(e2.message, /bindings\.a is missing/);
  assert.ok(await ex.run(new Taskflow('after')), 'the executor goes on');
  void a;
});

it('bad specs are refused when the task is added', () => {
  const tf = new Taskflow('t');
  assert.throws(() => gpuTask.task(tf, null), /gpuTask\.task\(tf, spec\): spec must be an object/);
  assert.throws(() => gpuTask.task(tf, { code: 1, workgroups: [1], bindings: {} }), /spec\.code must be a WGSL source string/);
  assert.throws(() => gpuTask.task(tf, { code: ADD(1), workgroups: [1], bindings: { a: new Float32Array(4) } }),
    /bindings\.a must be an executor\.shared\(\) array/);
});

G.after(() => ex.close());
G.run();

const L = suite('gpu tasks in graphs: no device, a lost device');

L('an executor without a GPU fails the run with the reason', async () => {
  const ex2 = await Executor.create({ workers: 1 });
  const a = ex2.shared(Float32Array, 4);
  const tf = new Taskflow('none');
  gpuTask.task(tf, { code: ADD(1), workgroups: [1], bindings: { a } });
  const e = await within(rejection(ex2.run(tf)), 20_000, 'no device');
  assert.match(e.message, /no GPU device: no GPU was asked for/);
  await ex2.close();
});

(gpu.available ? L : L.skip)('a device lost before the task runs: the run rejects, nothing hangs', async () => {
  const ex3 = await Executor.create({ workers: 1, gpu: true });
  const a = ex3.shared(Float32Array, 1 << 16);
  const tf = new Taskflow('lost');
  gpuTask.task(tf, { code: ADD(1), workgroups: [1024], bindings: { a } });
  ex3.gpu._loseDevice();
  const e = await within(rejection(ex3.run(tf)), 20_000, 'lost');
  assert.match(e.message, /lost/);
  await within(ex3.close(), 10_000, 'close');
});

(gpu.available ? L : L.skip)('single-threaded mode (workers: 0): a GPU task in a graph asks the host on the same thread', async () => {
  const ex4 = await Executor.create({ workers: 0, gpu: true });
  const n = 1000, a = ex4.shared(Float32Array, n).fill(1);
  const tf = new Taskflow('inline');
  const add = gpuTask.task(tf, { code: ADD(2), workgroups: [Math.ceil(n / 64)], bindings: { a } });
  const sum = tf.emplace(function sum(arr) { let s = 0; for (const v of arr) s += v; return s; }).args(a);
  add.precede(sum);
  const run = await within(ex4.run(tf), 20_000, 'run');
  assert.is(run.result(sum), 3 * n);
  await within(ex4.close(), 10_000, 'close');
});

L.run();
