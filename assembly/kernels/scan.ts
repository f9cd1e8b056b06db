// Prefix sums over [begin, end) with a carry in and out, so a parallel scan is two passes over chunks:
// reduce each chunk (kernelReduce sum), combine the partials left to right on one thread, then scan each
// chunk with its carry. kernelScan returns carry + Σ src[begin..end), the carry for the next chunk.
//
//   inclusive: dst[i] = carry + src[begin] + … + src[i]
//   exclusive: dst[i] = carry + src[begin] + … + src[i − 1]   (dst[begin] = carry)
//
// Vector step (4 elements, indices 4k … 4k+3, aligned to the array's index 0, not to `begin`): the group
// [a, b, c, d] becomes [a, a+b] and [c, c+d] by one shifted add each, then [C+a, C+(a+b)] and
// [(C+a+b)+c, (C+a+b)+(c+d)] — two dependent adds per 4 elements on the carry chain instead of four.
// Elements before the first whole group and after the last one are added one at a time.
// - f32 accumulates in f64 (each output rounded once, to f32); the carry returned is the unrounded f64.
// - f32/f64: the pairing above differs from a strict left-to-right sum by f64 rounding only. Because the
//   groups are aligned to index 0, chunks split at multiples of 4 chain to exactly the whole scan's bits;
//   other splits agree to rounding.
// - i32/u32 wrap modulo 2^32: exact, whatever the split.
// dst may be src (each group is loaded before it is stored). Plain loads and stores: the caller owns
// dst[begin..end) during the call, and whatever hands the chunk on publishes the writes.
import { F32, F64, I32, U32 } from "./codes";

// @ts-ignore: decorator
@inline function lane1(v: v128): v128 { return v128.shuffle<i64>(v, v, 1, 1); }
/** [x0, x1] → [x0, x0 + x1]; −0 is the identity that keeps x0's sign. */
// @ts-ignore: decorator
@inline function pairF64(x: v128): v128 { return f64x2.add(x, v128.shuffle<i64>(f64x2.splat(-0.0), x, 0, 2)); }

/** One element of a float scan, left to right in f64: dst[i] gets the running total before or after src[i]. */
// @ts-ignore: decorator
@inline function step<T>(src: usize, dst: usize, i: u32, c: f64, inclusive: bool): f64 {
  const p = <usize>i * sizeof<T>();
  const x = <f64>load<T>(src + p);
  if (!inclusive) store<T>(dst + p, <T>c);
  c += x;
  if (inclusive) store<T>(dst + p, <T>c);
  return c;
}

function scanF32(src: usize, dst: usize, begin: u32, end: u32, carry: f64, inclusive: bool): f64 {
  let i = begin;
  let c = carry;
  for (; i < end && (i & 3) != 0; i++) c = step<f32>(src, dst, i, c, inclusive);
  let cv = f64x2.splat(c);
  for (; i + 4 <= end; i += 4) {
    const off = <usize>i << 2;
    const v = v128.load(src + off);
    const lo = f64x2.add(pairF64(f64x2.promote_low_f32x4(v)), cv);       // [C+a, C+(a+b)]
    const hi = f64x2.add(pairF64(f64x2.promote_low_f32x4(lane1(v))), lane1(lo)); // [.. +c, .. +(c+d)]
    let outLo = lo, outHi = hi;
    if (!inclusive) { outLo = v128.shuffle<i64>(cv, lo, 0, 2); outHi = v128.shuffle<i64>(lo, hi, 1, 2); }
    v128.store(dst + off, v128.shuffle<i64>(f32x4.demote_f64x2_zero(outLo), f32x4.demote_f64x2_zero(outHi), 0, 2));
    cv = lane1(hi);
  }
  c = f64x2.extract_lane(cv, 0);
  for (; i < end; i++) c = step<f32>(src, dst, i, c, inclusive);
  return c;
}

function scanF64(src: usize, dst: usize, begin: u32, end: u32, carry: f64, inclusive: bool): f64 {
  let i = begin;
  let c = carry;
  for (; i < end && (i & 3) != 0; i++) c = step<f64>(src, dst, i, c, inclusive);
  let cv = f64x2.splat(c);
  for (; i + 4 <= end; i += 4) {
    const off = <usize>i << 3;
    const lo = f64x2.add(pairF64(v128.load(src + off)), cv);
    const hi = f64x2.add(pairF64(v128.load(src + off, 16)), lane1(lo));
    if (inclusive) {
      v128.store(dst + off, lo);
      v128.store(dst + off, hi, 16);
    } else {
      v128.store(dst + off, v128.shuffle<i64>(cv, lo, 0, 2));
      v128.store(dst + off, v128.shuffle<i64>(lo, hi, 1, 2), 16);
    }
    cv = lane1(hi);
  }
  c = f64x2.extract_lane(cv, 0);
  for (; i < end; i++) c = step<f64>(src, dst, i, c, inclusive);
  return c;
}

/** Wrapping 32-bit scan; the same bits for i32 and u32. */
function scanI32(src: usize, dst: usize, begin: u32, end: u32, carry: i32, inclusive: bool): i32 {
  let i = begin;
  let c = carry;
  const zero = i32x4.splat(0);
  let cv = i32x4.splat(c);
  for (; i + 4 <= end; i += 4) {
    const off = <usize>i << 2;
    let v = v128.load(src + off);
    v = i32x4.add(v, v128.shuffle<i32>(zero, v, 0, 4, 5, 6)); // + [0, a, b, c]
    v = i32x4.add(v, v128.shuffle<i32>(zero, v, 0, 1, 4, 5)); // + [0, 0, a, a+b]
    v = i32x4.add(v, cv);
    v128.store(dst + off, inclusive ? v : v128.shuffle<i32>(cv, v, 0, 4, 5, 6));
    cv = v128.shuffle<i32>(v, v, 3, 3, 3, 3);
  }
  c = i32x4.extract_lane(cv, 0);
  for (; i < end; i++) {
    const x = load<i32>(src + (<usize>i << 2));
    if (!inclusive) store<i32>(dst + (<usize>i << 2), c);
    c += x;
    if (inclusive) store<i32>(dst + (<usize>i << 2), c);
  }
  return c;
}

/**
 * Scans src[begin..end) into dst[begin..end) starting from `carry`; returns carry + the chunk's sum
 * (i32: the wrapped i32, u32: the wrapped u32, f32: the unrounded f64). Any thread, on a dst range no
 * other thread touches meanwhile.
 */
export function kernelScan(dtype: i32, inclusive: i32, src: usize, dst: usize, begin: u32, end: u32, carry: f64): f64 {
  const inc = inclusive != 0;
  if (dtype == F32) return inc ? scanF32(src, dst, begin, end, carry, true) : scanF32(src, dst, begin, end, carry, false);
  if (dtype == F64) return inc ? scanF64(src, dst, begin, end, carry, true) : scanF64(src, dst, begin, end, carry, false);
  const c = <i32><i64>carry; // the host passes an integer in the dtype's range
  if (dtype == I32) return <f64>(inc ? scanI32(src, dst, begin, end, c, true) : scanI32(src, dst, begin, end, c, false));
  if (dtype == U32) return <f64><u32>(inc ? scanI32(src, dst, begin, end, c, true) : scanI32(src, dst, begin, end, c, false));
  unreachable();
  return 0;
}
