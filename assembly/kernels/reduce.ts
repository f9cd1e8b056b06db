// Reductions over [begin, end): sum, min, max of a, and dot = Σ a·b. One loop per (op, dtype), several
// vector accumulators per loop (independent add chains, so the loop runs at memory speed instead of at
// the latency of one add), a scalar tail, then the accumulators folded lane by lane.
//
// Accuracy and order (the host documents these as the kernels' contract):
// - f32 sum and dot accumulate in f64: each element (each product a·b, exact in f64) is widened and added
//   to one of 8 f64 lanes, so the error is that of an f64 sum, far below one f32 ulp of the result for any
//   range that fits in memory. The result is returned unrounded (an f64), so partials combine in f64.
// - f64 sum and dot use 8 f64 lanes: the order differs from a left-to-right loop, the error bound is the
//   usual n·ε·Σ|x|.
// - i32/u32 sum and dot wrap modulo 2^32 (as Int32Array stores and WGSL i32/u32 do): exact in any order.
// - min/max propagate NaN and order −0 below +0 (Wasm fmin/fmax, the same as Math.min/Math.max).
// Only plain loads: the caller guarantees nobody writes the range during the call.
import { F32, F64, I32, U32, R_SUM, R_MIN, R_MAX, R_DOT } from "./codes";

// @ts-ignore: decorator
@inline function hi64(v: v128): v128 { return v128.shuffle<i64>(v, v, 1, 1); } // lanes 2, 3 → 0, 1

// @ts-ignore: decorator
@inline function lanes2(v: v128): f64 { return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1); }

function sumF32(a: usize, begin: u32, end: u32): f64 {
  let off = <usize>begin << 2;
  const stop = <usize>end << 2;
  let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
  while (off + 32 <= stop) {
    const v0 = v128.load(a + off), v1 = v128.load(a + off, 16);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v0));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(hi64(v0)));
    s2 = f64x2.add(s2, f64x2.promote_low_f32x4(v1));
    s3 = f64x2.add(s3, f64x2.promote_low_f32x4(hi64(v1)));
    off += 32;
  }
  let s = lanes2(f64x2.add(f64x2.add(s0, s2), f64x2.add(s1, s3)));
  for (; off < stop; off += 4) s += <f64>load<f32>(a + off);
  return s;
}

function dotF32(a: usize, b: usize, begin: u32, end: u32): f64 {
  let off = <usize>begin << 2;
  const stop = <usize>end << 2;
  let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
  while (off + 32 <= stop) {
    const a0 = v128.load(a + off), a1 = v128.load(a + off, 16);
    const b0 = v128.load(b + off), b1 = v128.load(b + off, 16);
    s0 = f64x2.add(s0, f64x2.mul(f64x2.promote_low_f32x4(a0), f64x2.promote_low_f32x4(b0)));
    s1 = f64x2.add(s1, f64x2.mul(f64x2.promote_low_f32x4(hi64(a0)), f64x2.promote_low_f32x4(hi64(b0))));
    s2 = f64x2.add(s2, f64x2.mul(f64x2.promote_low_f32x4(a1), f64x2.promote_low_f32x4(b1)));
    s3 = f64x2.add(s3, f64x2.mul(f64x2.promote_low_f32x4(hi64(a1)), f64x2.promote_low_f32x4(hi64(b1))));
    off += 32;
  }
  let s = lanes2(f64x2.add(f64x2.add(s0, s2), f64x2.add(s1, s3)));
  for (; off < stop; off += 4) s += <f64>load<f32>(a + off) * <f64>load<f32>(b + off);
  return s;
}

function sumF64(a: usize, begin: u32, end: u32): f64 {
  let off = <usize>begin << 3;
  const stop = <usize>end << 3;
  let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
  while (off + 64 <= stop) {
    s0 = f64x2.add(s0, v128.load(a + off));
    s1 = f64x2.add(s1, v128.load(a + off, 16));
    s2 = f64x2.add(s2, v128.load(a + off, 32));
    s3 = f64x2.add(s3, v128.load(a + off, 48));
    off += 64;
  }
  let s = lanes2(f64x2.add(f64x2.add(s0, s2), f64x2.add(s1, s3)));
  for (; off < stop; off += 8) s += load<f64>(a + off);
  return s;
}

function dotF64(a: usize, b: usize, begin: u32, end: u32): f64 {
  let off = <usize>begin << 3;
  const stop = <usize>end << 3;
  let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
  while (off + 64 <= stop) {
    s0 = f64x2.add(s0, f64x2.mul(v128.load(a + off), v128.load(b + off)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(a + off, 16), v128.load(b + off, 16)));
    s2 = f64x2.add(s2, f64x2.mul(v128.load(a + off, 32), v128.load(b + off, 32)));
    s3 = f64x2.add(s3, f64x2.mul(v128.load(a + off, 48), v128.load(b + off, 48)));
    off += 64;
  }
  let s = lanes2(f64x2.add(f64x2.add(s0, s2), f64x2.add(s1, s3)));
  for (; off < stop; off += 8) s += load<f64>(a + off) * load<f64>(b + off);
  return s;
}

/** Wrapping 32-bit sum (dot = false) or dot product (dot = true); the same bits for i32 and u32. */
// @ts-ignore: decorator
@inline function sumI32(a: usize, b: usize, begin: u32, end: u32, dot: bool): i32 {
  let off = <usize>begin << 2;
  const stop = <usize>end << 2;
  let s0 = i32x4.splat(0), s1 = s0;
  while (off + 32 <= stop) {
    let v0 = v128.load(a + off), v1 = v128.load(a + off, 16);
    if (dot) {
      v0 = i32x4.mul(v0, v128.load(b + off));
      v1 = i32x4.mul(v1, v128.load(b + off, 16));
    }
    s0 = i32x4.add(s0, v0);
    s1 = i32x4.add(s1, v1);
    off += 32;
  }
  const v = i32x4.add(s0, s1);
  let s = i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
  for (; off < stop; off += 4) s += dot ? load<i32>(a + off) * load<i32>(b + off) : load<i32>(a + off);
  return s;
}

function sumI(a: usize, begin: u32, end: u32): i32 { return sumI32(a, 0, begin, end, false); }
function dotI(a: usize, b: usize, begin: u32, end: u32): i32 { return sumI32(a, b, begin, end, true); }

// The two order reductions, as zero-size classes so minMax<T, O> compiles once per (T, O).
// @ts-ignore: decorator
@unmanaged class RMin {
  // @ts-ignore: decorator
  @inline combine<T>(a: v128, b: v128): v128 { return v128.min<T>(a, b); }
  // @ts-ignore: decorator
  @inline identity<T>(): T {
    return isFloat<T>() ? <T>Infinity : isSigned<T>() ? <T>i32.MAX_VALUE : <T>u32.MAX_VALUE;
  }
}
// @ts-ignore: decorator
@unmanaged class RMax {
  // @ts-ignore: decorator
  @inline combine<T>(a: v128, b: v128): v128 { return v128.max<T>(a, b); }
  // @ts-ignore: decorator
  @inline identity<T>(): T {
    return isFloat<T>() ? <T>-Infinity : isSigned<T>() ? <T>i32.MIN_VALUE : <T>0;
  }
}

function minMax<T, O>(a: usize, begin: u32, end: u32): f64 {
  const o = changetype<O>(0);
  let off = <usize>begin * sizeof<T>();
  const stop = <usize>end * sizeof<T>();
  // four accumulators: a float min/max is several instructions on x86 (NaN and ±0 fix-ups), so one
  // chain would run at its latency
  let m0 = v128.splat<T>(o.identity<T>()), m1 = m0, m2 = m0, m3 = m0;
  while (off + 64 <= stop) {
    m0 = o.combine<T>(m0, v128.load(a + off));
    m1 = o.combine<T>(m1, v128.load(a + off, 16));
    m2 = o.combine<T>(m2, v128.load(a + off, 32));
    m3 = o.combine<T>(m3, v128.load(a + off, 48));
    off += 64;
  }
  for (; off < stop; off += sizeof<T>()) m0 = o.combine<T>(m0, v128.splat<T>(load<T>(a + off)));
  // fold lanes: halves, then (for 4 lanes) pairs
  let m = o.combine<T>(o.combine<T>(m0, m1), o.combine<T>(m2, m3));
  m = o.combine<T>(m, hi64(m));
  if (sizeof<T>() == 4) m = o.combine<T>(m, v128.shuffle<i32>(m, m, 1, 1, 1, 1));
  return <f64>v128.extract_lane<T>(m, 0);
}

/**
 * The reduction `op` of a[begin..end) (dot: of a[i]·b[i]) as a JS number; an empty range gives the
 * identity (0, +Inf / type max, −Inf / type min). Integer results are the wrapped i32 or u32 value.
 * Any thread, on a range nobody writes meanwhile.
 */
export function kernelReduce(op: i32, dtype: i32, a: usize, b: usize, begin: u32, end: u32): f64 {
  if (op == R_SUM) {
    if (dtype == F32) return sumF32(a, begin, end);
    if (dtype == F64) return sumF64(a, begin, end);
    if (dtype == I32) return <f64>sumI(a, begin, end);
    if (dtype == U32) return <f64><u32>sumI(a, begin, end);
  } else if (op == R_DOT) {
    if (dtype == F32) return dotF32(a, b, begin, end);
    if (dtype == F64) return dotF64(a, b, begin, end);
    if (dtype == I32) return <f64>dotI(a, b, begin, end);
    if (dtype == U32) return <f64><u32>dotI(a, b, begin, end);
  } else if (op == R_MIN) {
    if (dtype == F32) return minMax<f32, RMin>(a, begin, end);
    if (dtype == F64) return minMax<f64, RMin>(a, begin, end);
    if (dtype == I32) return minMax<i32, RMin>(a, begin, end);
    if (dtype == U32) return minMax<u32, RMin>(a, begin, end);
  } else if (op == R_MAX) {
    if (dtype == F32) return minMax<f32, RMax>(a, begin, end);
    if (dtype == F64) return minMax<f64, RMax>(a, begin, end);
    if (dtype == I32) return minMax<i32, RMax>(a, begin, end);
    if (dtype == U32) return minMax<u32, RMax>(a, begin, end);
  }
  unreachable(); // checkKernel refuses anything else
  return 0;
}
