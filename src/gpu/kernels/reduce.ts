// Reductions on the GPU: sum, min, max of a, and dot = Σ a·b, f32, i32 and u32. A tree: each workgroup
// folds `ITEMS` elements per invocation (strided by the workgroup size, so neighbours read neighbours),
// then halves its partials in workgroup memory down to one, written to a partials buffer; the next pass
// reduces the partials the same way, until one value is left (three passes for 2^25 elements). Every
// pass stays on the device; only the final value is read back.
//
// Numbers: i32/u32 sums and dots wrap modulo 2^32, as the Wasm kernels' do: exact in any order. min and
// max order as Math.min / Math.max (common.ts): exact. An f32 sum or dot accumulates in f32 (WGSL has
// no f64), where the Wasm kernels accumulate in f64: it differs from the CPU's by the association, at
// most k·2^-24·Σ|x| (Σ|a·b| for dot), k being the additions on the longest path, ITEMS − 1 + log2(wg)
// per pass, plus one rounding for a dot's products and one for the result: k ≤ 16·passes + 1 at wg = 256
// (docs/gpu.md; test/gpu-kernels.test.mjs checks it).
import type { KernelDtype } from '../../policy/placement.js';
import type { ProgramBuffer } from '../program.js';
import type { DeviceArray } from '../../engine/device.js';
import { prelude, grid, paramsOf, type KernelPass } from './common.js';

/** Elements each invocation folds before the tree. */
export const ITEMS = 8;

/** One pass: the inputs (`a`, and `b` for dot on the first pass) to partials[group]. */
export function reduceCode(op: 'sum' | 'min' | 'max' | 'dot', d: KernelDtype, wg: number): string {
  const dot = op === 'dot';
  return `${prelude(d, dot ? 'sum' : op)}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<T>;
${dot ? '@group(0) @binding(2) var<storage, read> src_b: array<T>;\n' : ''}@group(0) @binding(3) var<storage, read_write> partials: array<T>;
var<workgroup> sh: array<T, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32) {
  let g = w.y * p.gx + w.x;
  if (g >= p.a) { return; }
  let base = g * ${wg * ITEMS}u + l;
  var acc = id();
  for (var k = 0u; k < ${ITEMS}u; k++) {
    let i = base + k * ${wg}u;
    if (i < p.n) { acc = op(acc, ${dot ? 'src[i] * src_b[i]' : 'src[i]'}); }
  }
  sh[l] = acc;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (l < s) { sh[l] = op(sh[l], sh[l + s]); }
    workgroupBarrier();
  }
  if (l == 0u) { partials[g] = sh[0]; }
}`;
}

/** The program of a reduction of n ≥ 1 elements; `result` holds the value once it ran. */
export function reduceProgram(op: 'sum' | 'min' | 'max' | 'dot', d: KernelDtype, ins: readonly DeviceArray[], wg: number, maxPerDim: number,
  result: DeviceArray): { buffers: ProgramBuffer[]; passes: KernelPass[] } {
  const buffers: ProgramBuffer[] = ins.map((a) => ({ bytes: a.byteLength, upload: a }));
  const passes: KernelPass[] = [];
  let n = ins[0].length, src = [0, ...(ins.length > 1 ? [1] : [])], first = true;
  for (;;) {
    const groups = Math.ceil(n / (wg * ITEMS));
    const workgroups = grid(groups, maxPerDim);
    const params = buffers.push({ bytes: 32, uniform: true, upload: paramsOf(n, workgroups[0], groups) }) - 1;
    const last = groups === 1;
    const out = buffers.push({ bytes: groups * 4, ...(last ? { readInto: result } : {}) }) - 1;
    passes.push({ code: reduceCode(first ? op : op === 'dot' ? 'sum' : op, d, wg), workgroups, bind: [params, ...src, out] });
    if (last) break;
    n = groups; src = [out]; first = false;
  }
  return { buffers, passes };
}
