// The GPU lane's pure parts (backend order, limits, size classes, reading WGSL bindings, checking the
// supplied ones) and what an executor without a GPU does: it says why, and never loads Dawn. Nothing
// here needs an adapter, and this process never asks for one.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { Executor } from 'beatflow';
import { rejection } from './helpers/executor.mjs';
import { backendAttempts } from '../build/src/gpu/backends.js';
import { negotiateLimits, computeLimits, COMPUTE_LIMITS } from '../build/src/gpu/limits.js';
import { sizeClass } from '../build/src/gpu/buffers.js';
import { declaredBindings, stripComments } from '../build/src/gpu/wgsl.js';
import { bindArrays } from '../build/src/gpu/bindings.js';
import { messages } from '../build/src/errors.js';

const P = suite('gpu policies (pure)');

P('backends: native first, OpenGL ES compatibility last where it exists', () => {
  const names = (os) => backendAttempts(os).map((a) => `${a.backend}/${a.featureLevel}`);
  assert.equal(names('linux'), ['vulkan/core', 'opengles/compatibility']);
  assert.equal(names('darwin'), ['metal/core']);
  assert.equal(names('win32'), ['d3d12/core', 'vulkan/core', 'd3d11/compatibility']);
  assert.equal(names('sunos'), ['vulkan/core', 'opengles/compatibility']);
});

P('limits: every compute limit the adapter reports is asked for at its value; others are left out', () => {
  class Limits { get maxBufferSize() { return 2 ** 31; } get maxComputeWorkgroupSizeX() { return 1024; } get maxTextureDimension2D() { return 16384; } }
  const adapter = Object.assign(new Limits(), { maxStorageBufferBindingSize: 1 << 27, maxBindGroups: Infinity, maxComputeWorkgroupSizeY: 'x' });
  assert.equal(negotiateLimits(adapter), { maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 2 ** 31, maxComputeWorkgroupSizeX: 1024 });
  const limits = computeLimits(new Limits());
  assert.ok(Object.isFrozen(limits));
  assert.equal(Object.keys(limits), [...COMPUTE_LIMITS]);
  assert.is(limits.maxComputeWorkgroupSizeX, 1024);
  assert.is(limits.maxComputeWorkgroupSizeZ, 0);
});

P('size classes: powers of two from 256, exact (to 4 bytes) past the largest buffer', () => {
  const table = [[0, 256], [1, 256], [256, 256], [257, 512], [4 << 20, 4 << 20], [(4 << 20) + 4, 8 << 20]];
  for (const [bytes, want] of table) assert.is(sizeClass(bytes, 2 ** 31), want, `${bytes} bytes`);
  assert.is(sizeClass(3000, 2048), 3000);
  assert.is(sizeClass(3001, 2048), 3004);
});

P('WGSL: bindings with their group, index, kind and element, comments ignored, attributes in either order', () => {
  const code = `
// @group(0) @binding(9) var<storage, read_write> commented: array<f32>;
struct P { a: f32, n: u32 }
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@binding(1) @group(0) var<storage, read> x : array<vec4<i32>>;
/* nested /* */ @group(0) @binding(7) var<storage> hidden: array<f32>; */
@group(1) @binding(0) var<uniform> p: P;
@group(0) @binding(2) var<storage> c: array<atomic<u32>>;
var<workgroup> tile: array<f32, 64>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) { var t: f32 = 1.0; }`;
  assert.equal(declaredBindings(code).map((b) => ({ ...b })), [
    { name: 'y', group: 0, binding: 0, kind: 'storage', element: 'f32' },
    { name: 'x', group: 0, binding: 1, kind: 'read-only-storage', element: 'i32' },
    { name: 'p', group: 1, binding: 0, kind: 'uniform', element: undefined },
    { name: 'c', group: 0, binding: 2, kind: 'read-only-storage', element: 'u32' },
  ]);
  assert.is(stripComments('a/*x\ny*/b//c\nd').split('\n').length, 3, 'line breaks kept, so compiler lines still match');
});

const LIMITS = { maxStorageBufferBindingSize: 64, maxUniformBufferBindingSize: 16 };
const DECL = declaredBindings(`@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<uniform> p: vec4f;`);

P('bindings: checked against the declarations, read defaulting to every read_write array', () => {
  const y = new Float32Array(16), u = new Float32Array(4);
  const bound = bindArrays('call()', DECL, { y, p: { uniform: u } }, undefined, LIMITS);
  assert.equal(bound.map((b) => [b.decl.name, b.array === y || b.array === u, b.read]), [['y', true, true], ['p', true, false]]);
  assert.equal(bindArrays('call()', DECL, { y, p: { uniform: u } }, [], LIMITS).map((b) => b.read), [false, false]);
});

P('bindings: too big for the device is a RangeError naming the binding and the limit', () => {
  try { bindArrays('call()', DECL, { y: new Float32Array(17), p: { uniform: new Float32Array(4) } }, undefined, LIMITS); assert.unreachable(); } catch (e) {
    assert.instance(e, RangeError);
    assert.is(e.message, 'beatflow: call(): bindings.y is 68 bytes, more than the device binds at once (maxStorageBufferBindingSize = 64)');
  }
  try { bindArrays('call()', DECL, { y: new Float32Array(1), p: { uniform: new Float32Array(5) } }, undefined, LIMITS); assert.unreachable(); } catch (e) {
    assert.match(e.message, /bindings\.p is 20 bytes, .*maxUniformBufferBindingSize = 16/);
  }
});

P.run();

// ---
const N = suite('an executor without a GPU');

N('executor.gpu says it was not asked for; dispatch rejects with that; Dawn is never loaded', async () => {
  const ex = await Executor.create({ workers: 1 });
  assert.is(ex.gpu.available, false);
  assert.is(ex.gpu.reason, messages.gpuNotRequested);
  const e = await rejection(ex.gpu.dispatch({ code: '', workgroups: [1], bindings: {} }));
  assert.is(e.message, `beatflow: executor.gpu.dispatch(): no GPU device: ${messages.gpuNotRequested}`);
  await ex.close();
  if (existsSync('/proc/self/maps')) assert.not.match(readFileSync('/proc/self/maps', 'utf8'), /dawn\.node/, 'dawn.node is not mapped');
  assert.is(globalThis[Symbol.for('beatflow.dawn.instances')], undefined);
});

N('options.gpu must be a boolean or { tuningDir }; each error names the option', async () => {
  const cases = [
    [{ gpu: 'yes' }, 'beatflow: options.gpu must be true, false or { tuningDir } (got "yes")'],
    [{ gpu: { dir: '/tmp' } }, "beatflow: Executor.create(options): options.gpu: unknown option 'dir' (known options: tuningDir)"],
    [{ gpu: { tuningDir: 5 } }, 'beatflow: options.gpu.tuningDir must be a directory path (got 5)'],
    [{ gpu: { tuningDir: '' } }, 'beatflow: options.gpu.tuningDir must be a directory path (got "")'],
  ];
  for (const [opts, message] of cases) {
    const e = await rejection(Executor.create({ workers: 1, ...opts }));
    assert.instance(e, TypeError);
    assert.is(e.message, message);
  }
});

N('the reasons are one line and say what to do', () => {
  for (const r of [messages.gpuNotRequested, messages.gpuNoPackage('webgpu', '0.6.2'), messages.gpuNoAdapter(['vulkan (core): no adapter'])]) {
    assert.not.match(r, /\n/);
  }
  assert.match(messages.gpuNoPackage('webgpu', '0.6.2'), /npm install webgpu@0\.6\.2/);
});

N.run();
