// What every built-in GPU kernel shares: the WGSL prelude of a dtype (its element type, the order
// functions with the CPU's NaN and ±0 rules, identities), the uniform block of a pass, and the shape of
// a dispatch (workgroups spread over x and y past the per-dimension limit).
//
// min / max order floats as Math.min / Math.max and the Wasm kernels do: NaN propagates (as the
// canonical quiet NaN), −0 is below +0. They compare the bits as integers (a float's bits, with the sign
// flipped to a two's-complement order), not with float comparisons: a compiler may assume no NaN in
// float compares, and a device that flushes denormals would call a denormal equal to zero.
import type { KernelDtype } from '../../policy/placement.js';

/** A pass of a kernel, before compilation: the WGSL and for each binding it declares (in order) the program buffer there. */
export interface KernelPass { readonly code: string; readonly workgroups: readonly [number, number, number]; readonly bind: readonly number[] }

/** Invocations per workgroup of every built-in kernel (within the compatibility default of 128 would be slower: the lane asks for more). */
export function workgroupSize(maxInvocations: number): number {
  return Math.min(256, 2 ** Math.floor(Math.log2(Math.max(1, maxInvocations))));
}

/** Workgroups for `groups` groups: [x, y, 1] with x ≤ maxPerDim; the kernel reads its group as y·x + x (gx in its uniforms). */
export function grid(groups: number, maxPerDim: number): [number, number, number] {
  const g = Math.max(1, groups);
  if (g <= maxPerDim) return [g, 1, 1];
  return [maxPerDim, Math.ceil(g / maxPerDim), 1];
}

const F32_BITS = new Float32Array(1), U32_OF = new Uint32Array(F32_BITS.buffer);

/** The 32 bits of `v` as a `d` value (f32: rounded; i32/u32: wrapped), for a u32 uniform slot. */
export function bitsOf(d: KernelDtype, v: number): number {
  if (d === 'f32') { F32_BITS[0] = v; return U32_OF[0]; }
  return v >>> 0;
}

/**
 * The uniforms of a pass: n (elements), gx (workgroups along x), a and b (two dtype values as bits),
 * flags. 16 bytes of u32s plus padding to 32.
 */
export const PARAMS = /* wgsl */ `
struct Params { n: u32, gx: u32, a: u32, b: u32, flags: u32, p0: u32, p1: u32, p2: u32 }`;
export const paramsOf = (n: number, gx: number, a = 0, b = 0, flags = 0): Uint32Array =>
  new Uint32Array([n, gx, a, b, flags, 0, 0, 0]);

// NaN and infinite constants come from private variables: a const-expression that evaluates to one
// is a shader-creation error in WGSL.
const FLOAT_ORDER = /* wgsl */ `
var<private> NAN_BITS: u32 = 0x7fc00000u;
fn is_nan(x: T) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn key(x: T) -> i32 { let b = bitcast<i32>(x); return select(b, b ^ 0x7fffffff, b < 0); }
fn mn(x: T, y: T) -> T {
  if (is_nan(x) || is_nan(y)) { return bitcast<T>(NAN_BITS); }
  return select(y, x, key(x) <= key(y));
}
fn mx(x: T, y: T) -> T {
  if (is_nan(x) || is_nan(y)) { return bitcast<T>(NAN_BITS); }
  return select(y, x, key(x) >= key(y));
}`;

const INT_ORDER = /* wgsl */ `
fn mn(x: T, y: T) -> T { return min(x, y); }
fn mx(x: T, y: T) -> T { return max(x, y); }`;

/** The identities, as bits: the sum's is −0 for f32 (x + −0 = x for every x, +0 and −0 included). */
const IDENTITY: Record<KernelDtype, Record<'sum' | 'min' | 'max', number>> = {
  f32: { sum: 0x80000000, min: 0x7f800000, max: 0xff800000 },
  i32: { sum: 0, min: 0x7fffffff, max: 0x80000000 },
  u32: { sum: 0, min: 0xffffffff, max: 0 },
};

/** The prelude of a kernel over dtype d: `T`, mn / mx, and `op(x, y)` / `id()` for a combining op (sum, min, max). */
export function prelude(d: KernelDtype, combine?: 'sum' | 'min' | 'max'): string {
  let s = `alias T = ${d};${d === 'f32' ? FLOAT_ORDER : INT_ORDER}${PARAMS}\n`;
  if (combine !== undefined) {
    s += `var<private> ID_BITS: u32 = ${IDENTITY[d][combine]}u;\nfn id() -> T { return bitcast<T>(ID_BITS); }\n`;
    s += `fn op(x: T, y: T) -> T { return ${combine === 'sum' ? 'x + y' : combine === 'min' ? 'mn(x, y)' : 'mx(x, y)'}; }\n`;
  }
  return s;
}

/** The identity of a combining op as bits (for a seed uniform). */
export const identityBits = (d: KernelDtype, combine: 'sum' | 'min' | 'max'): number => IDENTITY[d][combine];
