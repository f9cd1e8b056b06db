// Matrix multiplication on the GPU, f32, row-major: out (m×n) = a (m×k) · b (k×n). Tiled: a workgroup of
// tx×ty invocations computes one tile×tile block of out, each invocation r×r of it (r = tile / tx),
// walking k in slices of `depth`: the workgroup loads a's tile×depth slice and b's depth×tile slice into
// workgroup memory (zeros past the edges), then every invocation accumulates its r×r block from there.
// Each element of a and b is read from device memory tile/… times fewer than a naive kernel does.
//
// Which (tile, depth, tx×ty) is fastest depends on the device: tune.ts times the shapes that fit its
// limits once per adapter. Numbers: each out[i][j] is a sum in f32 in k order (a device may fuse the
// multiply-add), so it differs from the exact Σ a·b by at most (k + 1)·2^-24·Σ|a_il·b_lj| (docs/gpu.md;
// test/gpu-matmul.test.mjs checks it).
import type { ProgramBuffer } from '../program.js';
import type { KernelPass } from './common.js';

/** A kernel shape: out tiles of tile×tile, k slices of depth, workgroups of wg[0]×wg[1] invocations (each tile/wg[0] × tile/wg[1] outputs). */
export interface MatmulShape { readonly tile: number; readonly depth: number; readonly wg: readonly [number, number] }

/** The shapes tried, small to large; those past a device's limits are left out (shapesFor). */
export const MATMUL_SHAPES: readonly MatmulShape[] = Object.freeze([
  { tile: 8, depth: 8, wg: [8, 8] },
  { tile: 16, depth: 16, wg: [16, 16] },
  { tile: 32, depth: 16, wg: [16, 16] },
  { tile: 32, depth: 32, wg: [8, 8] },
  { tile: 64, depth: 16, wg: [16, 16] },
]);

/** What a shape needs of a device. */
export interface MatmulLimits {
  readonly maxComputeInvocationsPerWorkgroup: number; readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeWorkgroupSizeY: number; readonly maxComputeWorkgroupStorageSize: number;
}

/** Workgroup memory of a shape: the two slices, in bytes. */
export const shapeBytes = (s: MatmulShape): number => 2 * s.tile * s.depth * 4;

/** The shapes that fit the device's limits. */
export const shapesFor = (l: MatmulLimits): MatmulShape[] => MATMUL_SHAPES.filter((s) =>
  s.wg[0] * s.wg[1] <= l.maxComputeInvocationsPerWorkgroup && s.wg[0] <= l.maxComputeWorkgroupSizeX &&
  s.wg[1] <= l.maxComputeWorkgroupSizeY && shapeBytes(s) <= l.maxComputeWorkgroupStorageSize);

export function matmulCode(s: MatmulShape): string {
  const { tile: t, depth: d } = s, [tx, ty] = s.wg, rx = t / tx, ry = t / ty, threads = tx * ty;
  return `struct Dims { m: u32, n: u32, k: u32, pad: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
var<workgroup> sa: array<f32, ${t * d}>;
var<workgroup> sb: array<f32, ${d * t}>;
@compute @workgroup_size(${tx}, ${ty})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let row0 = w.y * ${t}u;
  let col0 = w.x * ${t}u;
  var acc: array<f32, ${rx * ry}>;
  for (var i = 0u; i < ${rx * ry}u; i++) { acc[i] = 0.0; }
  for (var k0 = 0u; k0 < dims.k; k0 += ${d}u) {
    for (var e = li; e < ${t * d}u; e += ${threads}u) {
      let r = row0 + e / ${d}u;
      let c = k0 + e % ${d}u;
      var v = 0.0;
      if (r < dims.m && c < dims.k) { v = a[r * dims.k + c]; }
      sa[e] = v;
    }
    for (var e = li; e < ${d * t}u; e += ${threads}u) {
      let r = k0 + e / ${t}u;
      let c = col0 + e % ${t}u;
      var v = 0.0;
      if (r < dims.k && c < dims.n) { v = b[r * dims.n + c]; }
      sb[e] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${d}u; kk++) {
      for (var i = 0u; i < ${ry}u; i++) {
        let av = sa[(lid.y + i * ${ty}u) * ${d}u + kk];
        for (var j = 0u; j < ${rx}u; j++) {
          acc[i * ${rx}u + j] += av * sb[kk * ${t}u + lid.x + j * ${tx}u];
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${ry}u; i++) {
    let r = row0 + lid.y + i * ${ty}u;
    for (var j = 0u; j < ${rx}u; j++) {
      let c = col0 + lid.x + j * ${tx}u;
      if (r < dims.m && c < dims.n) { out[r * dims.n + c] = acc[i * ${rx}u + j]; }
    }
  }
}`;
}

/** The program of a product with m, n ≥ 1 (k may be 0: out is zeros). */
export function matmulProgram(s: MatmulShape, a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number):
  { buffers: ProgramBuffer[]; passes: KernelPass[] } {
  const buffers: ProgramBuffer[] = [
    { bytes: 16, uniform: true, upload: new Uint32Array([m, n, k, 0]) },
    { bytes: a.byteLength, upload: a },
    { bytes: b.byteLength, upload: b },
    { bytes: out.byteLength, readInto: out },
  ];
  const workgroups: [number, number, number] = [Math.ceil(n / s.tile), Math.ceil(m / s.tile), 1];
  return { buffers, passes: [{ code: matmulCode(s), workgroups, bind: [0, 1, 2, 3] }] };
}
