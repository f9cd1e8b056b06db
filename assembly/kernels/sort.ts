// Numeric sort of a range (LSD radix sort, 8-bit digits) and the merge of two adjacent sorted runs, the
// two pieces a parallel sort is built from (sort chunks on every worker, then merge pairs of runs).
//
// Keys. Each element's bits are mapped to an unsigned key whose unsigned order is the wanted order:
//   u32: the bits; i32: bits ^ 0x8000_0000; f32/f64: negative numbers flip every bit, the others flip the
//   sign bit (so −Inf < … < −0 < +0 < … < +Inf); every NaN maps to the largest key, so NaNs sort last;
//   descending order flips every key bit except a NaN's, so NaNs sort last there too.
// Radix sort: one pass counts all digits' histograms, then one stable scatter pass per digit, skipping a
// digit every element shares (a pass would be the identity). The first pass reads elements and writes
// keys, the last writes elements back from keys; passes alternate between the array and the scratch
// buffer, with one copy at the end when they finish in the scratch. Ranges of ≤ 32 elements use an
// insertion sort on the keys instead (the histograms alone cost more). The sort is stable, which can only
// show on NaNs, and it writes every NaN back as the canonical quiet NaN (0x7fc00000 / 0x7ff8…0).
// mergeRuns is stable (on equal keys the left run goes first) and copies elements bit for bit.
//
// Scratch (from the caller, any alignment): n elements, then 4 KiB (f64: 8 KiB) of histograms, where n is
// the range's length. Plain loads and stores: the caller owns the range and the scratch during the call.
import { F32, F64, I32, U32 } from "./codes";

// Key maps as zero-size classes, so each sort and merge compiles once per element type. `flip` is 0
// (ascending) or all ones (descending).
// @ts-ignore: decorator
@unmanaged class KeyU32 {
  // @ts-ignore: decorator
  @inline key(b: u32, flip: u32): u32 { return b ^ flip; }
  // @ts-ignore: decorator
  @inline value(k: u32, flip: u32): u32 { return k ^ flip; }
}
// @ts-ignore: decorator
@unmanaged class KeyI32 {
  // @ts-ignore: decorator
  @inline key(b: u32, flip: u32): u32 { return b ^ 0x80000000 ^ flip; }
  // @ts-ignore: decorator
  @inline value(k: u32, flip: u32): u32 { return k ^ 0x80000000 ^ flip; }
}
// @ts-ignore: decorator
@unmanaged class KeyF32 {
  // @ts-ignore: decorator
  @inline key(b: u32, flip: u32): u32 {
    const k = b ^ (<u32>(<i32>b >> 31) | 0x80000000);
    return (b & 0x7fffffff) > 0x7f800000 ? 0xffffffff : k ^ flip;
  }
  // @ts-ignore: decorator
  @inline value(k: u32, flip: u32): u32 {
    if (k == 0xffffffff) return 0x7fc00000;
    const a = k ^ flip; // the ascending key: top bit set for non-negative numbers
    return a & 0x80000000 ? a ^ 0x80000000 : ~a;
  }
}
// @ts-ignore: decorator
@unmanaged class KeyF64 {
  // @ts-ignore: decorator
  @inline key(b: u64, flip: u64): u64 {
    const k = b ^ (<u64>(<i64>b >> 63) | 0x8000000000000000);
    return (b & 0x7fffffffffffffff) > 0x7ff0000000000000 ? 0xffffffffffffffff : k ^ flip;
  }
  // @ts-ignore: decorator
  @inline value(k: u64, flip: u64): u64 {
    if (k == 0xffffffffffffffff) return 0x7ff8000000000000;
    const a = k ^ flip;
    return a & 0x8000000000000000 ? a ^ 0x8000000000000000 : ~a;
  }
}

const SMALL: u32 = 32;  // at or below this many elements, insertion sort (no histograms to clear and scan)

/** Insertion sort of n elements at p, by key (stable). */
function insertionSort<W, K>(p: usize, n: u32, flip: W): void {
  const k = changetype<K>(0);
  const sz = <usize>sizeof<W>();
  for (let i: usize = 0; i < <usize>n; i++) store<W>(p + i * sz, k.key(load<W>(p + i * sz), flip));
  for (let i: usize = 1; i < <usize>n; i++) {
    const x = load<W>(p + i * sz);
    let j = i;
    while (j > 0 && load<W>(p + (j - 1) * sz) > x) {
      store<W>(p + j * sz, load<W>(p + (j - 1) * sz));
      j--;
    }
    store<W>(p + j * sz, x);
  }
  for (let i: usize = 0; i < <usize>n; i++) store<W>(p + i * sz, k.value(load<W>(p + i * sz), flip));
}

/** Counts one digit (the low byte of `digit`) in histogram d. */
// @ts-ignore: decorator
@inline function count(hist: usize, d: u32, digit: u32): void {
  const h = hist + (<usize>d << 10) + (<usize>(digit & 255) << 2);
  store<u32>(h, load<u32>(h) + 1);
}

function radixSort<W, K>(ptr: usize, scratch: usize, begin: u32, end: u32, flip: W): void {
  const k = changetype<K>(0);
  const sz = <usize>sizeof<W>();
  const digits: u32 = <u32>sz;  // 8-bit digits
  const n = end - begin;
  const base = ptr + <usize>begin * sz;
  if (n <= SMALL) { insertionSort<W, K>(base, n, flip); return; }
  const hist = scratch + <usize>n * sz; // digits × 256 u32 counters
  memory.fill(hist, 0, digits << 10);
  // one read pass: every digit's histogram
  for (let i: usize = 0; i < <usize>n; i++) {
    const key = k.key(load<W>(base + i * sz), flip);
    count(hist, 0, <u32>key);
    count(hist, 1, <u32>key >> 8);
    count(hist, 2, <u32>key >> 16);
    count(hist, 3, <u32>key >> 24);
    if (sizeof<W>() == 8) {
      const top = <u32>(<u64>key >> 32);
      count(hist, 4, top);
      count(hist, 5, top >> 8);
      count(hist, 6, top >> 16);
      count(hist, 7, top >> 24);
    }
  }
  // which digits vary, then their counts turned into start positions
  const firstKey = k.key(load<W>(base), flip);
  let active: u32 = 0;
  for (let d: u32 = 0; d < digits; d++) {
    const h = hist + (<usize>d << 10);
    if (load<u32>(h + ((<usize>(firstKey >> <W>(d << 3)) & 255) << 2)) == n) continue;
    active |= 1 << d;
    let sum: u32 = 0;
    for (let j: usize = 0; j < 256; j++) {
      const c = load<u32>(h + (j << 2));
      store<u32>(h + (j << 2), sum);
      sum += c;
    }
  }
  if (active == 0) return; // every key equal: already sorted
  const lastD: u32 = 31 - clz<u32>(active);
  let src = base, dst = scratch;
  let first = true;
  for (let d: u32 = 0; d < digits; d++) {
    if (!(active & (1 << d))) continue;
    const h = hist + (<usize>d << 10);
    const shift = <W>(d << 3);
    const last = d == lastD;
    for (let i: usize = 0; i < <usize>n; i++) {
      let w = load<W>(src + i * sz);
      if (first) w = k.key(w, flip);
      const slot = h + ((<usize>(w >> shift) & 255) << 2);
      const pos = load<u32>(slot);
      store<u32>(slot, pos + 1);
      store<W>(dst + <usize>pos * sz, last ? k.value(w, flip) : w);
    }
    first = false;
    const t = src; src = dst; dst = t;
  }
  if (src != base) memory.copy(base, src, <usize>n * sz);
}

/** Merges sorted src[a0..a1) and src[a1..b1) into dst[a0..b1), stable, without a branch per element. */
function mergeOf<W, K>(src: usize, dst: usize, a0: u32, a1: u32, b1: u32, flip: W): void {
  const k = changetype<K>(0);
  const sz = <usize>sizeof<W>();
  let i = <usize>a0, j = <usize>a1, o = <usize>a0;
  const ie = <usize>a1, je = <usize>b1;
  while (i < ie && j < je) {
    const x = load<W>(src + i * sz), y = load<W>(src + j * sz);
    const right = k.key(y, flip) < k.key(x, flip);
    store<W>(dst + o * sz, select<W>(y, x, right));
    o++;
    j += <usize>right;
    i += <usize>!right;
  }
  memory.copy(dst + o * sz, src + i * sz, (ie - i) * sz);
  o += ie - i;
  memory.copy(dst + o * sz, src + j * sz, (je - j) * sz);
}

/**
 * Sorts elements [begin, end) of the array at `ptr` in place (desc ≠ 0: descending; NaNs last either
 * way). `scratch` must hold (end − begin) elements plus 4 KiB (f64: 8 KiB), and not overlap the range.
 * Any thread, on a range and scratch no other thread touches meanwhile.
 */
export function kernelSort(dtype: i32, desc: i32, ptr: usize, scratch: usize, begin: u32, end: u32): void {
  if (end <= begin + 1) return;
  const f32flip: u32 = desc ? 0xffffffff : 0;
  if (dtype == F32) radixSort<u32, KeyF32>(ptr, scratch, begin, end, f32flip);
  else if (dtype == F64) radixSort<u64, KeyF64>(ptr, scratch, begin, end, desc ? 0xffffffffffffffff : 0);
  else if (dtype == I32) radixSort<u32, KeyI32>(ptr, scratch, begin, end, f32flip);
  else if (dtype == U32) radixSort<u32, KeyU32>(ptr, scratch, begin, end, f32flip);
  else unreachable();
}

/**
 * Merges the sorted runs src[a0..a1) and src[a1..b1) into dst[a0..b1) (the same indices in both arrays;
 * dst must not overlap src). Order as kernelSort; stable. Any thread, on ranges nobody else touches.
 */
export function kernelMerge(dtype: i32, desc: i32, src: usize, dst: usize, a0: u32, a1: u32, b1: u32): void {
  const flip: u32 = desc ? 0xffffffff : 0;
  if (dtype == F32) mergeOf<u32, KeyF32>(src, dst, a0, a1, b1, flip);
  else if (dtype == F64) mergeOf<u64, KeyF64>(src, dst, a0, a1, b1, desc ? 0xffffffffffffffff : 0);
  else if (dtype == I32) mergeOf<u32, KeyI32>(src, dst, a0, a1, b1, flip);
  else if (dtype == U32) mergeOf<u32, KeyU32>(src, dst, a0, a1, b1, flip);
  else unreachable();
}
