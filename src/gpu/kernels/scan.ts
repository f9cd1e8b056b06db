// Inclusive and exclusive scans on the GPU (sum, min, max; f32, i32, u32): work-efficient (Blelloch)
// within a workgroup, multi-pass across them. Pass "up", level by level: each workgroup scans a block of
// 2·wg elements in workgroup memory (an up-sweep of partial sums, then a down-sweep) and writes its
// block's total to the next level, until a level fits one block. Pass "down", level by level back:
// each element is combined with its block's carry, the exclusive scan of the level above. The last
// down pass also combines the seed (the init value) and writes the output. Everything stays on the
// device; only the output is read back. O(n) work, 2·log(n)/log(2·wg) + 1 passes.
//
// Numbers: integer sums wrap modulo 2^32 (exact, as the Wasm kernels'); min and max order as Math.min /
// Math.max (common.ts), exact. f32 sums accumulate in f32 where the CPU's accumulate in f64 and round
// each output once: out[i] differs by at most k·2^-24·(|init| + Σ_{j≤i}|x_j|), k being the additions on
// an element's longest path, 2·log2(2·wg) per level plus 2: k ≤ 18·levels + 2 at wg = 256 (docs/gpu.md;
// test/gpu-kernels.test.mjs checks it).
import type { KernelDtype } from '../../policy/placement.js';
import type { ProgramBuffer } from '../program.js';
import type { DeviceArray } from '../../engine/device.js';
import { prelude, grid, paramsOf, bitsOf, identityBits, type KernelPass } from './common.js';

type Op = 'sum' | 'min' | 'max';
const INCLUSIVE = 1, SEEDED = 2;

/** Up: block-local scans of src into dst (exclusive, or inclusive with flags & 1), block totals into sums. */
export function scanUpCode(op: Op, d: KernelDtype, wg: number): string {
  const b = 2 * wg;
  return `${prelude(d, op)}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<T>;
@group(0) @binding(2) var<storage, read_write> dst: array<T>;
@group(0) @binding(3) var<storage, read_write> sums: array<T>;
var<workgroup> sh: array<T, ${b}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32) {
  let g = w.y * p.gx + w.x;
  if (g >= p.a) { return; }
  let i0 = g * ${b}u + 2u * l;
  let i1 = i0 + 1u;
  var x0 = id();
  var x1 = id();
  if (i0 < p.n) { x0 = src[i0]; }
  if (i1 < p.n) { x1 = src[i1]; }
  sh[2u * l] = x0;
  sh[2u * l + 1u] = x1;
  var off = 1u;
  for (var s = ${wg}u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (l < s) {
      let ai = off * (2u * l + 1u) - 1u;
      let bi = off * (2u * l + 2u) - 1u;
      sh[bi] = op(sh[ai], sh[bi]);
    }
    off *= 2u;
  }
  workgroupBarrier();
  if (l == 0u) { sums[g] = sh[${b - 1}u]; sh[${b - 1}u] = id(); }
  for (var s = 1u; s < ${b}u; s *= 2u) {
    off >>= 1u;
    workgroupBarrier();
    if (l < s) {
      let ai = off * (2u * l + 1u) - 1u;
      let bi = off * (2u * l + 2u) - 1u;
      let t = sh[ai];
      sh[ai] = sh[bi];
      sh[bi] = op(sh[bi], t);
    }
  }
  workgroupBarrier();
  let inclusive = (p.flags & ${INCLUSIVE}u) != 0u;
  if (i0 < p.n) { dst[i0] = select(sh[2u * l], op(sh[2u * l], x0), inclusive); }
  if (i1 < p.n) { dst[i1] = select(sh[2u * l + 1u], op(sh[2u * l + 1u], x1), inclusive); }
}`;
}

/** Down: dst[i] = carry[block(i)] ⊕ dst[i], and seed ⊕ that when flags & 2 (the seed's bits in p.b). */
export function scanDownCode(op: Op, d: KernelDtype, wg: number): string {
  return `${prelude(d, op)}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> carry: array<T>;
@group(0) @binding(2) var<storage, read_write> dst: array<T>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32) {
  let i = (w.y * p.gx + w.x) * ${wg}u + l;
  if (i >= p.n) { return; }
  var v = dst[i];
  if (p.a > 1u) { v = op(carry[i / ${2 * wg}u], v); }
  if ((p.flags & ${SEEDED}u) != 0u) { v = op(bitcast<T>(p.b), v); }
  dst[i] = v;
}`;
}

/**
 * The program of a scan of n ≥ 1 elements into out. `seed`: the init value (exclusive, or inclusive with
 * init); an inclusive sum without one is seeded with +0 as the Wasm kernel's is (so out[0] = +0 + x0).
 */
export function scanProgram(op: Op, d: KernelDtype, input: DeviceArray, out: DeviceArray, exclusive: boolean, seed: number | undefined,
  wg: number, maxPerDim: number): { buffers: ProgramBuffer[]; passes: KernelPass[] } {
  const block = 2 * wg;
  const buffers: ProgramBuffer[] = [{ bytes: input.byteLength, upload: input }];
  const passes: KernelPass[] = [];
  const up = scanUpCode(op, d, wg), down = scanDownCode(op, d, wg);
  // levels[k] = { src, dst, n, groups }: level 0 scans the input into the output buffer.
  const levels: { dst: number; n: number; groups: number }[] = [];
  let src = 0, n = input.length;
  for (let k = 0; ; k++) {
    const groups = Math.ceil(n / block);
    const workgroups = grid(groups, maxPerDim);
    const params = buffers.push({ bytes: 32, uniform: true, upload: paramsOf(n, workgroups[0], groups, 0, k === 0 && !exclusive ? INCLUSIVE : 0) }) - 1;
    const dst = buffers.push(k === 0 ? { bytes: out.byteLength, readInto: out } : { bytes: n * 4 }) - 1;
    const sums = buffers.push({ bytes: groups * 4 }) - 1;
    passes.push({ code: up, workgroups, bind: [params, src, dst, sums] });
    levels.push({ dst, n, groups });
    if (groups === 1) break;
    src = sums; n = groups;
  }
  const seedBits = seed !== undefined ? bitsOf(d, seed) : op === 'sum' && !exclusive ? 0 : identityBits(d, op);
  for (let k = levels.length - 1; k >= 0; k--) {
    const { dst, n: m, groups } = levels[k];
    const seeded = k === 0 && (seed !== undefined || (op === 'sum' && !exclusive));
    if (groups === 1 && !seeded) continue;
    const workgroups = grid(Math.ceil(m / wg), maxPerDim);
    const params = buffers.push({ bytes: 32, uniform: true, upload: paramsOf(m, workgroups[0], groups, seedBits, seeded ? SEEDED : 0) }) - 1;
    // A single block has no carry, but the binding must be there (and may not alias dst).
    const carry = k + 1 < levels.length ? levels[k + 1].dst : buffers.push({ bytes: 4 }) - 1;
    passes.push({ code: down, workgroups, bind: [params, carry, dst] });
  }
  return { buffers, passes };
}
