// Sorting on the GPU: a bitonic sort of order-preserving keys, f32, i32 and u32, ascending in the CPU
// sort's order (TypedArray.prototype.sort's: −Inf < … < −0 < +0 < … < +Inf < NaN).
//
// Keys, as the Wasm radix sort's (assembly/kernels/sort.ts): u32 its bits; i32 bits ^ 0x8000_0000; f32
// a negative number flips every bit, any other flips the sign bit, and every NaN becomes 0xffff_ffff, so
// NaNs sort last and are written back as the canonical quiet NaN 0x7fc0_0000, as the Wasm sort writes
// them. A keys-only sort then has one possible output, the same bits as the CPU's: which equal key goes
// first cannot show, so stability is moot and a sorting network may be used.
//
// Why bitonic and not radix: its passes are data-independent (no histograms, no atomics, no subgroup
// operations, no stable scatter — a compatibility device has no subgroups, and a stable scatter without
// them ranks each tile serially), each pass needs only 2·wg words of workgroup memory (2 KiB at 256
// invocations; it fits the compatibility default of 16 KiB at any size allowed), and a 128-invocation
// workgroup works the same. Cost: O(n·log²n) compare-exchanges, in 1 + Σ_{c=1..L} (⌈c/2⌉ + 1) passes,
// L = log₂(N/B), for N elements past a block of B = 2·wg (the array padded to a power of two N with
// keys of 0xffff_ffff): 48 passes for 2^20 at wg = 256.
//
// Passes, all in one submission: a local pass sorts each block of B in workgroup memory (encoding the
// keys as it loads); then for each merge size k = 2B … N, global passes for the distances j = k/2 … B
// in device memory (two distances per pass, four elements per invocation, while two are left; else one
// compare-exchange per invocation), and a local pass for the distances below B (the last one decodes the
// keys as it stores).
import type { KernelDtype } from '../../policy/placement.js';
import type { ProgramBuffer } from '../program.js';
import type { DeviceArray } from '../../engine/device.js';
import { PARAMS, grid, paramsOf, type KernelPass } from './common.js';

const ENCODE = 1, DECODE = 2;

const KEY: Record<KernelDtype, { key: string; value: string }> = {
  u32: { key: 'return b;', value: 'return k;' },
  i32: { key: 'return b ^ 0x80000000u;', value: 'return k ^ 0x80000000u;' },
  f32: {
    key: `if ((b & 0x7fffffffu) > 0x7f800000u) { return 0xffffffffu; }
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);`,
    value: `if (k == 0xffffffffu) { return 0x7fc00000u; }
  return select(~k, k ^ 0x80000000u, (k & 0x80000000u) != 0u);`,
  },
};

const KEYS = (d: KernelDtype) => `${PARAMS}
fn key(b: u32) -> u32 {
  ${KEY[d].key}
}
fn value(k: u32) -> u32 {
  ${KEY[d].value}
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;`;

/** Local: sorts (flags & ENCODE: k from 2 to B) or finishes merge size p.a (distances B/2 … 1) in each block of B = 2·wg. */
export function sortLocalCode(d: KernelDtype, wg: number): string {
  const b = 2 * wg;
  return `${KEYS(d)}
var<workgroup> sh: array<u32, ${b}>;
fn exchange(i: u32, j: u32, base: u32, k: u32) {
  let x = sh[i];
  let y = sh[i + j];
  let up = ((base + i) & k) == 0u;
  let lo = min(x, y);
  let hi = max(x, y);
  sh[i] = select(hi, lo, up);
  sh[i + j] = select(lo, hi, up);
}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32) {
  let g = w.y * p.gx + w.x;
  let base = g * ${b}u;
  let encode = (p.flags & ${ENCODE}u) != 0u;
  for (var h = 0u; h < 2u; h++) {
    let i = l + h * ${wg}u;
    var v = data[base + i];
    if (encode) { v = select(0xffffffffu, key(v), base + i < p.n); }
    sh[i] = v;
  }
  if (encode) {
    for (var k = 2u; k <= ${b}u; k <<= 1u) {
      for (var j = k >> 1u; j > 0u; j >>= 1u) {
        workgroupBarrier();
        exchange(2u * l - (l & (j - 1u)), j, base, k);
      }
    }
  } else {
    for (var j = ${wg}u; j > 0u; j >>= 1u) {
      workgroupBarrier();
      exchange(2u * l - (l & (j - 1u)), j, base, p.a);
    }
  }
  workgroupBarrier();
  let decode = (p.flags & ${DECODE}u) != 0u;
  for (var h = 0u; h < 2u; h++) {
    let i = l + h * ${wg}u;
    data[base + i] = select(sh[i], value(sh[i]), decode);
  }
}`;
}

/** Global: one compare-exchange at distance p.b ≥ B of merge size p.a per invocation. */
export function sortGlobalCode(d: KernelDtype, wg: number): string {
  return `${KEYS(d)}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32) {
  let t = (w.y * p.gx + w.x) * ${wg}u + l;
  let j = p.b;
  let i = 2u * t - (t & (j - 1u));
  let x = data[i];
  let y = data[i + j];
  let up = (i & p.a) == 0u;
  data[i] = select(max(x, y), min(x, y), up);
  data[i + j] = select(min(x, y), max(x, y), up);
}`;
}

/** Global, two distances in one pass: p.b and p.b / 2 (both ≥ B) of merge size p.a, four elements per invocation. */
export function sortGlobal2Code(d: KernelDtype, wg: number): string {
  return `${KEYS(d)}
fn exchange(i: u32, j: u32, up: bool) {
  let x = data[i];
  let y = data[i + j];
  data[i] = select(max(x, y), min(x, y), up);
  data[i + j] = select(min(x, y), max(x, y), up);
}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32) {
  let t = (w.y * p.gx + w.x) * ${wg}u + l;
  let h = p.b >> 1u;
  let i = ((t & ~(h - 1u)) << 2u) | (t & (h - 1u));
  let up = (i & p.a) == 0u;
  exchange(i, p.b, up);
  exchange(i + h, p.b, up);
  exchange(i, h, up);
  exchange(i + p.b, h, up);
}`;
}

/** Elements the sort's buffer holds for n: the next power of two, at least a block of 2·wg. */
export const sortedLength = (n: number, wg: number): number => Math.max(2 * wg, 2 ** Math.ceil(Math.log2(Math.max(1, n))));

/** The program of a sort of n = array.length ≥ 1 elements, in place. */
export function sortProgram(d: KernelDtype, array: DeviceArray, wg: number, maxPerDim: number): { buffers: ProgramBuffer[]; passes: KernelPass[] } {
  const n = array.length, b = 2 * wg, total = sortedLength(n, wg);
  const workgroups = grid(total / b, maxPerDim), quarter = grid(total / (2 * b), maxPerDim);
  const buffers: ProgramBuffer[] = [{ bytes: total * 4, upload: array, readInto: array }];
  const passes: KernelPass[] = [];
  const local = sortLocalCode(d, wg), global = sortGlobalCode(d, wg), global2 = sortGlobal2Code(d, wg);
  const pass = (code: string, k: number, j: number, flags: number, groups = workgroups) => {
    const params = buffers.push({ bytes: 32, uniform: true, upload: paramsOf(n, groups[0], k, j, flags) }) - 1;
    passes.push({ code, workgroups: groups, bind: [params, 0] });
  };
  pass(local, 0, 0, ENCODE | (total === b ? DECODE : 0));
  for (let k = 2 * b; k <= total; k *= 2) {
    let j = k / 2;
    for (; j >= 2 * b; j /= 4) pass(global2, k, j, 0, quarter);   // two distances a pass while both are ≥ B
    if (j >= b) pass(global, k, j, 0);
    pass(local, k, 0, k === total ? DECODE : 0);
  }
  return { buffers, passes };
}
