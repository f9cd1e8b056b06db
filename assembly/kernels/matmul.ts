// Matrix product, f32, row-major: out[i][j] = Σ_l a[i][l]·b[l][j] for the rows i in [r0, r1) of out (all
// n columns), a being m×k and b k×n. One call per range of rows: the host splits the rows between threads.
//
// Numbers: every out[i][j] is the f32 sum in k order, from +0, of the f32 products, each product and each
// addition rounded once (f32x4.mul then f32x4.add: Wasm SIMD has no fused multiply-add). So the result is
// exactly what the loop `acc = fround(acc + fround(a·b))` gives, on every machine, whatever the split;
// test/matmul.test.mjs checks it bit for bit. NaN and ±Inf propagate as IEEE says.
//
// Blocking. The register block is 4 rows × 8 columns: 8 vector accumulators; per step l it loads 8 values
// of b's row l (two v128) and the 4 values a[i..i+4][l] (splatted), and does 8 multiplies and 8 adds, so
// each load of b serves 4 rows and each of a 8 columns. Around it, k is cut in slices of KC and the
// columns in panels of NC: a KC×NC panel of b (128 KiB) stays in the L2 cache while every row block of the
// range walks it, and the 4×KC strip of a (4 KiB) in L1 while the block walks the panel's columns. A
// slice after the first continues from the partial sums stored in out (storing an f32 and loading it
// back is exact, so slicing changes no bit). Rows past a multiple of 4 take one row at a time, columns
// past a multiple of 8 four at a time and then one at a time, through the same arithmetic.
//
// Plain loads and stores: the caller owns rows [r0, r1) of out for the call (no other thread writes them
// or reads them meanwhile); a and b are only read. Whatever hands the rows to another thread afterwards
// (a task's retire) publishes the writes. out must not overlap a or b.

/** Columns per panel: 256 f32 = 1 KiB of each row of b. */
const NC: u32 = 256;
/** k per slice: a KC×NC panel of b is 128 KiB. */
const KC: u32 = 128;

// @ts-ignore: decorator
@inline function ld(p: usize): v128 { return v128.load(p); }
// @ts-ignore: decorator
@inline function fmacc(acc: v128, x: v128, y: v128): v128 { return f32x4.add(acc, f32x4.mul(x, y)); }
/** The address of element [r][c] of a row-major f32 matrix of `cols` columns at `base`. */
// @ts-ignore: decorator
@inline function at(base: usize, r: u32, cols: u32, c: u32): usize { return base + ((<usize>r * <usize>cols + <usize>c) << 2); }

/**
 * Four rows (i..i+4) × columns [j0, j1) over the slice [l0, l1) of k. `first`: the slice starts at l = 0,
 * so the sums start at +0 instead of the values in out.
 */
function quad(out: usize, a: usize, b: usize, n: u32, k: u32, i: u32, j0: u32, j1: u32, l0: u32, l1: u32, first: bool): void {
  const rowA = <usize>k << 2, rowB = <usize>n << 2, rowO = <usize>n << 2;
  const zero = f32x4.splat(0);
  let j = j0;
  for (; j + 8 <= j1; j += 8) {
    const oj = at(out, i, n, j);
    let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
    if (!first) {
      c00 = ld(oj); c01 = ld(oj + 16);
      c10 = ld(oj + rowO); c11 = ld(oj + rowO + 16);
      c20 = ld(oj + 2 * rowO); c21 = ld(oj + 2 * rowO + 16);
      c30 = ld(oj + 3 * rowO); c31 = ld(oj + 3 * rowO + 16);
    }
    let pa = at(a, i, k, l0), pb = at(b, l0, n, j);
    for (let l = l0; l < l1; l++) {
      const b0 = ld(pb), b1 = ld(pb + 16);
      const x0 = v128.splat<f32>(load<f32>(pa)), x1 = v128.splat<f32>(load<f32>(pa + rowA));
      const x2 = v128.splat<f32>(load<f32>(pa + 2 * rowA)), x3 = v128.splat<f32>(load<f32>(pa + 3 * rowA));
      c00 = fmacc(c00, x0, b0); c01 = fmacc(c01, x0, b1);
      c10 = fmacc(c10, x1, b0); c11 = fmacc(c11, x1, b1);
      c20 = fmacc(c20, x2, b0); c21 = fmacc(c21, x2, b1);
      c30 = fmacc(c30, x3, b0); c31 = fmacc(c31, x3, b1);
      pa += 4; pb += rowB;
    }
    v128.store(oj, c00); v128.store(oj + 16, c01);
    v128.store(oj + rowO, c10); v128.store(oj + rowO + 16, c11);
    v128.store(oj + 2 * rowO, c20); v128.store(oj + 2 * rowO + 16, c21);
    v128.store(oj + 3 * rowO, c30); v128.store(oj + 3 * rowO + 16, c31);
  }
  // the last < 8 columns: each row on its own
  if (j < j1) for (let r: u32 = 0; r < 4; r++) row(out, a, b, n, k, i + r, j, j1, l0, l1, first);
}

/** One row i × columns [j0, j1) over the slice [l0, l1): 8, then 4, then 1 column at a time. */
function row(out: usize, a: usize, b: usize, n: u32, k: u32, i: u32, j0: u32, j1: u32, l0: u32, l1: u32, first: bool): void {
  const rowB = <usize>n << 2;
  const zero = f32x4.splat(0);
  let j = j0;
  for (; j + 8 <= j1; j += 8) {
    const oj = at(out, i, n, j);
    let c0 = first ? zero : ld(oj), c1 = first ? zero : ld(oj + 16);
    let pa = at(a, i, k, l0), pb = at(b, l0, n, j);
    for (let l = l0; l < l1; l++) {
      const x = v128.splat<f32>(load<f32>(pa));
      c0 = fmacc(c0, x, ld(pb)); c1 = fmacc(c1, x, ld(pb + 16));
      pa += 4; pb += rowB;
    }
    v128.store(oj, c0); v128.store(oj + 16, c1);
  }
  for (; j + 4 <= j1; j += 4) {
    const oj = at(out, i, n, j);
    let c0 = first ? zero : ld(oj);
    let pa = at(a, i, k, l0), pb = at(b, l0, n, j);
    for (let l = l0; l < l1; l++) {
      c0 = fmacc(c0, v128.splat<f32>(load<f32>(pa)), ld(pb));
      pa += 4; pb += rowB;
    }
    v128.store(oj, c0);
  }
  for (; j < j1; j++) {
    const oj = at(out, i, n, j);
    let c: f32 = first ? 0 : load<f32>(oj);
    let pa = at(a, i, k, l0), pb = at(b, l0, n, j);
    for (let l = l0; l < l1; l++) {
      c = c + load<f32>(pa) * load<f32>(pb);   // f32 arithmetic: each operation rounded once, as the lanes above
      pa += 4; pb += rowB;
    }
    store<f32>(oj, c);
  }
}

/**
 * out[i][j] = Σ_l a[i][l]·b[l][j] for i in [r0, r1), j in [0, n): a is m×k, b k×n, out m×n, f32,
 * row-major, each a byte address of element 0. k = 0 writes zeros. Any thread, on rows no other thread
 * touches meanwhile.
 */
export function kernelMatmul(out: usize, a: usize, b: usize, n: u32, k: u32, r0: u32, r1: u32): void {
  if (k == 0) {
    memory.fill(at(out, r0, n, 0), 0, (<usize>(r1 - r0) * <usize>n) << 2);
    return;
  }
  for (let l0: u32 = 0; l0 < k; l0 += KC) {
    const l1 = min(k, l0 + KC);
    for (let j0: u32 = 0; j0 < n; j0 += NC) {
      const j1 = min(n, j0 + NC);
      let i = r0;
      for (; i + 4 <= r1; i += 4) quad(out, a, b, n, k, i, j0, j1, l0, l1, l0 == 0);
      for (; i < r1; i++) row(out, a, b, n, k, i, j0, j1, l0, l1, l0 == 0);
    }
  }
}
