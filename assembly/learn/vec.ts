// f32 vector kernels over shared memory: the dot product and axpy every learner is built on.
// f32x4 steps (16 bytes at a time; unaligned pointers are allowed) and then one element at a time for
// the tail, so any length and any 4-byte offset works. Plain loads and stores: the caller owns `y` for the
// duration of the call and publishes it (learners: the seqlock release in logistic.ts). No state, no
// allocation. The scalar twins are the reference the tests compare with (test/learn-core.test.mjs).

/** Σ a[i]·b[i] for i < n, over f32 arrays at a and b. Lane sums are added in a fixed order: deterministic. */
export function vecDot(a: usize, b: usize, n: u32): f32 {
  let acc = f32x4.splat(0);
  let i: u32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < n; i++) s += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return s;
}

/** y[i] += alpha · x[i] for i < n. */
export function vecAxpy(alpha: f32, x: usize, y: usize, n: u32): void {
  const k = f32x4.splat(alpha);
  let i: u32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(k, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** y[i] *= alpha for i < n. */
export function vecScale(alpha: f32, y: usize, n: u32): void {
  const k = f32x4.splat(alpha);
  let i: u32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.mul(k, v128.load(y + o)));
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), load<f32>(y + (<usize>i << 2)) * alpha);
}

/**
 * The scalar twin of vecDot: the same sum in the same order (four lane accumulators, then the tail), so
 * the two agree exactly, not just within rounding.
 */
export function vecDotScalar(a: usize, b: usize, n: u32): f32 {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let i: u32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    s0 += load<f32>(a + o) * load<f32>(b + o);
    s1 += load<f32>(a + o + 4) * load<f32>(b + o + 4);
    s2 += load<f32>(a + o + 8) * load<f32>(b + o + 8);
    s3 += load<f32>(a + o + 12) * load<f32>(b + o + 12);
  }
  let s: f32 = s0 + s1 + s2 + s3;
  for (; i < n; i++) s += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return s;
}

/** The scalar twin of vecAxpy (elementwise, so exactly equal). */
export function vecAxpyScalar(alpha: f32, x: usize, y: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** True when every x[i] (i < n) is finite: NaN and ±Infinity make x − x non-zero (NaN). */
export function vecFinite(x: usize, n: u32): bool {
  let acc = f32x4.splat(0);
  let i: u32 = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    acc = f32x4.add(acc, f32x4.sub(v, v));
  }
  let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < n; i++) { const v = load<f32>(x + (<usize>i << 2)); s += v - v; }
  return s == 0;
}
