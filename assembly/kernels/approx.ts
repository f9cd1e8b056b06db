// exp and log on whole vectors (f32x4, f64x2): polynomial approximations, no tables (a table would be a
// data segment, which the core must not have), no branches (special cases are lane selects).
//
// exp(x): x = n·ln2 + r with n = x·log2 e rounded to nearest (by adding and subtracting 1.5·2^23 / 1.5·2^52,
// whose sum keeps n in its low mantissa bits) and |r| ≤ ln2/2 (Cody–Waite: ln2 split into a short
// high part, so n·LN2_HI is exact, and a low part); e^r by its Taylor series in Horner form (degree 7 for
// f32: truncation < 6e-9; degree 13 for f64: < 5e-18); then 2^n applied as two factors 2^⌊n/2⌋·2^(n−⌊n/2⌋)
// built in the exponent field, so results in the subnormal range and overflow to +Inf come out of an
// ordinary multiplication. x is first clamped to a range whose n keeps both factors normal (f32
// [−104, 89], f64 [−746, 710]); past it e^x is 0 or +Inf anyway. A NaN lane is put back at the end.
//
// log(x): x = 2^e·m with m in [√½, √2) (subnormals scaled up by 2^23 / 2^52 first); with f = m − 1 and
// s = f / (2 + f), ln m = 2·atanh s = 2s + s·R(s²) with R = 2s²/3 + 2s⁴/5 + … and |s| ≤ 0.1716, so R stops
// at 2s⁸/9 for f32 (truncation < 3e-9) and 2s¹⁸/19 for f64 (< 3e-17). As in fdlibm, ln m is evaluated as
// f − (f²/2 − s·(f²/2 + R)): f is exact and only the small correction carries the rounding of s.
// ln x = e·ln2 + ln m, with ln2 split as above. Lane selects give log(±0) = −Inf, log(x < 0) = NaN,
// log(+Inf) = +Inf, log(NaN) = NaN.
//
// Maximum relative error against Math.exp / Math.log, measured over 10^6 random points per row (several
// runs) and checked by test/kernels.test.mjs on 200k seeded points each:
//   exp f32 ≈ 1.0e-7 (bound stated: 1.5e-7) for results ≥ 2^-126, i.e. x in [−87.3, 88.7];
//   exp f64 ≈ 2.2e-16 (bound stated: 3e-16) for x in [−708, 709];
//   log f32 ≈ 8.2e-8 (stated: 1.5e-7) and log f64 ≈ 2.2e-16 (stated: 3e-16) over all positive finite
//   numbers, subnormals included. Below 2^-126 (2^-1022) exp's results are subnormal and the error is
//   within one unit of the subnormal grid.
// see: Cody & Waite, "Software Manual for the Elementary Functions" (1980), ch. 6 and 5; the same
// reductions as fdlibm's e_exp.c and e_log.c (constants LN2_HI/LN2_LO for f64 are fdlibm's).

// ---- f32 ----
const LOG2E_F: f32 = 1.44269504;
const LN2_HI_F: f32 = 0.693359375;      // 355/512: 9 significant bits, so n·LN2_HI_F is exact for |n| < 2^15
const LN2_LO_F: f32 = -2.12194440e-4;   // ln2 − LN2_HI_F
const SQRT2_F: f32 = 1.41421356;
const MIN_NORMAL_F: f32 = 1.17549435e-38;
const MAGIC_F: f32 = 12582912.0;          // 1.5·2^23: adding it rounds to an integer, kept in the low bits
const MAGIC_F_BITS: i32 = 0x4b400000;     // its bit pattern

/** e^x on four f32 lanes. Any thread; pure. */
// @ts-ignore: decorator
@inline export function expF32x4(x: v128): v128 {
  // clamp with pmin/pmax (one instruction each on x86; min/max need NaN fix-ups): a NaN lane becomes a
  // bound here and is put back by the select at the end
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  // n = nearest(x·log2 e) by the 1.5·2^23 trick: the sum's low mantissa bits are n (|n| < 2^22)
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E_F)), f32x4.splat(MAGIC_F));
  const n = f32x4.sub(t, f32x4.splat(MAGIC_F));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI_F)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO_F)));
  // e^r, Taylor to r^7 (Horner)
  let p = f32x4.splat(1.0 / 5040.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  // 2^n = 2^n1 · 2^n2, each factor a normal f32 (n in [−150, 129])
  const ni = i32x4.sub(t, i32x4.splat(MAGIC_F_BITS));
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const f1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const f2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return v128.bitselect(x, f32x4.mul(f32x4.mul(p, f1), f2), f32x4.ne(x, x)); // NaN stays NaN
}

/** ln x on four f32 lanes. Any thread; pure. */
// @ts-ignore: decorator
@inline export function logF32x4(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(MIN_NORMAL_F));           // subnormal (and ≤ 0: fixed at the end)
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, tiny); // · 2^23
  const bits = xs;
  const eRaw = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(127));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000)); // [1, 2)
  const big = f32x4.gt(m, f32x4.splat(SQRT2_F));
  m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);     // [√½, √2)
  let e = f32x4.convert_i32x4_s(i32x4.sub(eRaw, big));             // big lanes are −1: e + 1
  e = f32x4.sub(e, v128.and(tiny, f32x4.splat(23.0)));
  const f = f32x4.sub(m, f32x4.splat(1.0));
  const s = f32x4.div(f, f32x4.add(f32x4.splat(2.0), f));
  const z = f32x4.mul(s, s);
  // R = 2z/3 + 2z²/5 + … + 2z⁴/9, so that ln m = f − (f²/2 − s·(f²/2 + R)): f exact, the rest a small correction
  let p = f32x4.splat(2.0 / 9.0);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.0 / 7.0));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.0 / 5.0));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.0 / 3.0));
  const R = f32x4.mul(p, z);
  const hfsq = f32x4.mul(f32x4.mul(f, f), f32x4.splat(0.5));
  // e·LN2_HI − ((hfsq − (s·(hfsq + R) + e·LN2_LO)) − f), as fdlibm's e_log.c
  const corr = f32x4.sub(hfsq, f32x4.add(f32x4.mul(s, f32x4.add(hfsq, R)), f32x4.mul(e, f32x4.splat(LN2_LO_F))));
  let res = f32x4.sub(f32x4.mul(e, f32x4.splat(LN2_HI_F)), f32x4.sub(corr, f));
  res = v128.bitselect(f32x4.splat(-Infinity), res, f32x4.eq(x, f32x4.splat(0.0)));
  res = v128.bitselect(f32x4.splat(Infinity), res, f32x4.eq(x, f32x4.splat(Infinity)));
  res = v128.bitselect(f32x4.splat(NaN), res, v128.or(f32x4.lt(x, f32x4.splat(0.0)), f32x4.ne(x, x)));
  return res;
}

// ---- f64 ----
const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 6.93147180369123816490e-01; // fdlibm ln2_hi: low 32 bits zero, so n·LN2_HI is exact
const LN2_LO: f64 = 1.90821492927058770002e-10; // fdlibm ln2_lo
const SQRT2: f64 = 1.4142135623730951;
const MIN_NORMAL: f64 = 2.2250738585072014e-308;
const MAGIC: f64 = 6755399441055744.0;     // 1.5·2^52
const MAGIC_BITS: i64 = 0x4338000000000000;

/** e^x on two f64 lanes. Any thread; pure. */
// @ts-ignore: decorator
@inline export function expF64x2(x: v128): v128 {
  const xc = f64x2.pmin(f64x2.pmax(x, f64x2.splat(-746.0)), f64x2.splat(710.0));
  const t = f64x2.add(f64x2.mul(xc, f64x2.splat(LOG2E)), f64x2.splat(MAGIC));
  const n = f64x2.sub(t, f64x2.splat(MAGIC));
  let r = f64x2.sub(xc, f64x2.mul(n, f64x2.splat(LN2_HI)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(LN2_LO)));
  // e^r, Taylor to r^13 (Horner)
  let p = f64x2.splat(1.0 / 6227020800.0);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 479001600.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 39916800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 3628800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 362880.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 40320.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  // 2^n = 2^n1 · 2^n2 (n in [−1077, 1025]), built in the exponent field of i64 lanes
  const ni = i64x2.sub(t, i64x2.splat(MAGIC_BITS));
  const n1 = i64x2.shr_s(ni, 1);
  const n2 = i64x2.sub(ni, n1);
  const f1 = i64x2.shl(i64x2.add(n1, i64x2.splat(1023)), 52);
  const f2 = i64x2.shl(i64x2.add(n2, i64x2.splat(1023)), 52);
  return v128.bitselect(x, f64x2.mul(f64x2.mul(p, f1), f2), f64x2.ne(x, x));
}

/** ln x on two f64 lanes. Any thread; pure. */
// @ts-ignore: decorator
@inline export function logF64x2(x: v128): v128 {
  const tiny = f64x2.lt(x, f64x2.splat(MIN_NORMAL));
  const bits = v128.bitselect(f64x2.mul(x, f64x2.splat(4503599627370496.0)), x, tiny); // · 2^52
  // biased exponent of each lane, moved to i32 lanes 0 and 1, then converted
  const eHi = i64x2.shr_u(bits, 52);
  const e32 = v128.shuffle<i32>(eHi, eHi, 0, 2, 0, 2);
  let m = v128.or(v128.and(bits, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000)); // [1, 2)
  const big = f64x2.gt(m, f64x2.splat(SQRT2));
  m = v128.bitselect(f64x2.mul(m, f64x2.splat(0.5)), m, big);      // [√½, √2)
  let e = f64x2.sub(f64x2.convert_low_i32x4_s(e32), f64x2.splat(1023.0));
  e = f64x2.add(e, v128.and(big, f64x2.splat(1.0)));
  e = f64x2.sub(e, v128.and(tiny, f64x2.splat(52.0)));
  const f = f64x2.sub(m, f64x2.splat(1.0));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const z = f64x2.mul(s, s);
  let p = f64x2.splat(2.0 / 19.0);
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(2.0 / 17.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(2.0 / 15.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(2.0 / 13.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(2.0 / 11.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(2.0 / 9.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(2.0 / 7.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(2.0 / 5.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(2.0 / 3.0));
  const R = f64x2.mul(p, z);
  const hfsq = f64x2.mul(f64x2.mul(f, f), f64x2.splat(0.5));
  const corr = f64x2.sub(hfsq, f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(e, f64x2.splat(LN2_LO))));
  let res = f64x2.sub(f64x2.mul(e, f64x2.splat(LN2_HI)), f64x2.sub(corr, f));
  res = v128.bitselect(f64x2.splat(-Infinity), res, f64x2.eq(x, f64x2.splat(0.0)));
  res = v128.bitselect(f64x2.splat(Infinity), res, f64x2.eq(x, f64x2.splat(Infinity)));
  res = v128.bitselect(f64x2.splat(NaN), res, v128.or(f64x2.lt(x, f64x2.splat(0.0)), f64x2.ne(x, x)));
  return res;
}
