// The elementwise map on the GPU: out[i] = op(a[i], b[i], c[i]; s0, s1) for the 17 ops of the CPU
// kernels (src/kernels.ts), f32, i32 and u32, one invocation per element. The same results as the
// Wasm kernels, bit for bit, where WGSL fixes them: copy, abs, neg, min, max and clamp (bit operations
// and the ordering of common.ts), the integer ops (which wrap modulo 2^32), and add, sub, mul, scale,
// offset and axpy on normal floats (IEEE, correctly rounded). WGSL leaves the rest to the device, and
// docs/gpu.md records what llvmpipe and SwiftShader give: div (≤ 2.5 ulp in WGSL), sqrt, exp, log, fma
// (which a compiler may fuse: one rounding instead of the Wasm kernels' two) and denormals (which a device
// may flush to zero). Outside their domains WGSL's sqrt, log and exp give indeterminate values (SwiftShader's
// log of a negative number is a number), so those three take the CPU kernels' special values first:
// sqrt(x < 0) = NaN, log(±0) = −Inf, log(x < 0) = NaN, log(+Inf) = +Inf, exp past ln(FLT_MAX) = +Inf,
// exp below the smallest denormal's log = +0, and NaN for NaN (src/kernels.ts states them); log of a
// denormal is computed from its bits.
import type { KernelDtype } from '../../policy/placement.js';
import type { ProgramBuffer } from '../program.js';
import type { DeviceArray } from '../../engine/device.js';
import { prelude, grid, paramsOf, bitsOf, type KernelPass } from './common.js';

const F32: Record<string, string> = {
  copy: 'a', add: 'a + b', sub: 'a - b', mul: 'a * b', div: 'a / b', fma: 'a * b + c', scale: 'a * s0', axpy: 's0 * a + b',
  offset: 'a + s0', abs: 'bitcast<T>(bitcast<u32>(a) & 0x7fffffffu)', neg: 'bitcast<T>(bitcast<u32>(a) ^ 0x80000000u)',
  min: 'mn(a, b)', max: 'mx(a, b)', clamp: 'mn(mx(a, s0), s1)', sqrt: 'sqrt_(a)', exp: 'exp_(a)', log: 'log_(a)',
};

/** sqrt, log and exp with the CPU kernels' values outside WGSL's domains (bit tests: no float compare sees a NaN). */
const F32_DOMAINS = /* wgsl */ `
var<private> INF_BITS: u32 = 0x7f800000u;
var<private> NEG_INF_BITS: u32 = 0xff800000u;
fn sqrt_(x: T) -> T {
  let u = bitcast<u32>(x);
  if (is_nan(x) || u > 0x80000000u) { return bitcast<T>(NAN_BITS); }
  if (u == 0x80000000u) { return x; }
  return sqrt(x);
}
fn log_(x: T) -> T {
  let u = bitcast<u32>(x);
  if (is_nan(x) || u > 0x80000000u) { return bitcast<T>(NAN_BITS); }
  if ((u & 0x7fffffffu) == 0u) { return bitcast<T>(NEG_INF_BITS); }
  if (u == 0x7f800000u) { return x; }
  // A denormal is u·2^-149: the log of the integer u (exact as a float), less 149·ln 2, so no device
  // computes on the denormal itself (SwiftShader's log of one is off by 4).
  if (u < 0x00800000u) { return log(T(u)) - 103.27892990343184; }
  return log(x);
}
fn exp_(x: T) -> T {
  if (is_nan(x)) { return bitcast<T>(NAN_BITS); }
  if (x > 88.72283935546875) { return bitcast<T>(INF_BITS); }
  if (x < -103.97208404541016) { return T(0); }
  return exp(x);
}`;
const INT: Record<string, string> = {
  ...F32, neg: 'bitcast<T>(0u - bitcast<u32>(a))', min: 'min(a, b)', max: 'max(a, b)', clamp: 'min(max(a, s0), s1)',
};
const I32: Record<string, string> = { ...INT, abs: 'select(a, bitcast<T>(0u - bitcast<u32>(a)), a < 0)' };
const U32: Record<string, string> = { ...INT, abs: 'a' };
const EXPR: Record<KernelDtype, Record<string, string>> = { f32: F32, i32: I32, u32: U32 };

/** The WGSL of one (op, dtype, arity), with `wg` invocations per workgroup. */
export function mapCode(op: string, d: KernelDtype, arity: number, wg: number): string {
  const ins = ['a', 'b', 'c'].slice(0, arity);
  return `${prelude(d)}${d === 'f32' && (op === 'sqrt' || op === 'log' || op === 'exp') ? F32_DOMAINS : ''}
@group(0) @binding(0) var<uniform> p: Params;
${ins.map((v, i) => `@group(0) @binding(${i + 1}) var<storage, read> in_${v}: array<T>;`).join('\n')}
@group(0) @binding(4) var<storage, read_write> dst: array<T>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32) {
  let i = (w.y * p.gx + w.x) * ${wg}u + l;
  if (i >= p.n) { return; }
  let s0 = bitcast<T>(p.a);
  let s1 = bitcast<T>(p.b);
${['a', 'b', 'c'].map((v, k) => `  let ${v} = ${k < arity ? `in_${v}[i]` : 'T(0)'};`).join('\n')}
  dst[i] = ${EXPR[d][op]};
}`;
}

/** The program of a map over n = out.length ≥ 1 elements. */
export function mapProgram(op: string, d: KernelDtype, ins: readonly DeviceArray[], out: DeviceArray, s0: number, s1: number,
  wg: number, maxPerDim: number): { buffers: ProgramBuffer[]; passes: KernelPass[] } {
  const n = out.length;
  const workgroups = grid(Math.ceil(n / wg), maxPerDim);
  const buffers: ProgramBuffer[] = [
    { bytes: 32, uniform: true, upload: paramsOf(n, workgroups[0], bitsOf(d, s0), bitsOf(d, s1)) },
    ...ins.map((a) => ({ bytes: a.byteLength, upload: a })),
    { bytes: out.byteLength, readInto: out },
  ];
  return { buffers, passes: [{ code: mapCode(op, d, ins.length, wg), workgroups, bind: buffers.map((_, i) => i) }] };
}
