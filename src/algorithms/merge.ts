// The pieces of the parallel merge sort, as plain functions over typed arrays (no threads here; the
// sort task in sort.ts calls them on the ranges it claims, tests call them directly).
//
// Sort = sort R runs independently, then log2(R) rounds that merge pairs of runs. A pair's output is cut
// into pieces of about equal length; `corank` (the "merge path" binary search) finds where each piece
// starts in both runs, so pieces merge independently and every worker has a share of even the last
// round. A round is two steps, each over all pieces: *gather* copies each piece's share of both runs,
// side by side, into a second buffer at the piece's output position; *merge* merges that back into the
// array (a contiguous two-run merge, which the Wasm kernel does). The data is back in the array after
// every round. Ties take the left run first: the merge is stable.

/** Typed arrays the algorithms accept (the shared-memory dtypes of src/engine/codec.ts). */
export type NumArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** A strict "x goes before y" order. */
export type Less = (x: number, y: number) => boolean;

/** Integer order. */
export const intLess: Less = (x, y) => x < y;

/**
 * The order of TypedArray.prototype.sort for floats: ascending, −0 before +0, NaN after everything
 * (NaNs keep their relative order: the merge is stable).
 */
export const floatLess: Less = (x, y) => x < y || (x === y ? x === 0 && 1 / x < 1 / y : y !== y && x === x);

/** "x before y" for a user comparator cmp(x, y) (negative: x first). Stable merging takes ties from the left. */
export function cmpLess(cmp: (a: number, b: number) => number): Less {
  return (x, y) => cmp(x, y) < 0;
}

export function isFloat(a: NumArray): boolean {
  return a instanceof Float32Array || a instanceof Float64Array;
}

/**
 * How many of the first k outputs of the stable merge of x[x0, x0+m) and y[y0, y0+l) come from x.
 * Binary search over i (the count from x): x[x0+i] belongs in the first k when it does not come after
 * y[y0+k-i-1] (ties go to x, the left run).
 */
export function corank(k: number, x: NumArray, x0: number, m: number, y: NumArray, y0: number, l: number, less: Less): number {
  let lo = Math.max(0, k - l);
  let hi = Math.min(k, m);
  while (lo < hi) {
    const i = (lo + hi) >>> 1;                 // i < m and 1 <= k - i <= l, so both reads are in range
    if (!less(y[y0 + k - i - 1], x[x0 + i])) lo = i + 1;
    else hi = i;
  }
  return lo;
}

/**
 * Gathers piece [k0, k1) of the stable merge of a[lo, mid) and a[mid, hi): the elements of both runs
 * that end up there are copied, left part then right part, to tmp[lo + k0, lo + k1). Returns how many
 * come from the left run (the split mergeRange needs). Reads a, writes only that range of tmp.
 */
export function gatherPiece(a: NumArray, tmp: NumArray, lo: number, mid: number, hi: number, k0: number, k1: number, less: Less): number {
  const m = mid - lo, l = hi - mid;
  const i0 = corank(k0, a, lo, m, a, mid, l, less), i1 = corank(k1, a, lo, m, a, mid, l, less);
  const j0 = k0 - i0, j1 = k1 - i1;
  tmp.set(a.subarray(lo + i0, lo + i1), lo + k0);
  tmp.set(a.subarray(mid + j0, mid + j1), lo + k0 + (i1 - i0));
  return i1 - i0;
}

/** Stable merge of src[lo, mid) and src[mid, hi) into dst[lo, hi) (ties from the left). */
export function mergeRange(src: NumArray, dst: NumArray, lo: number, mid: number, hi: number, less: Less): void {
  let i = lo, j = mid, o = lo;
  while (i < mid && j < hi) {
    if (less(src[j], src[i])) dst[o++] = src[j++];
    else dst[o++] = src[i++];
  }
  if (i < mid) dst.set(src.subarray(i, mid), o);
  else if (j < hi) dst.set(src.subarray(j, hi), o);
}

/** Runs for `tasks` tasks: the smallest power of 2 ≥ tasks, fewer while runs would be shorter than minRun. */
export function runCount(n: number, tasks: number, minRun: number): number {
  let r = 1;
  while (r < tasks && n / (r * 2) >= minRun) r *= 2;
  return r;
}

/** Run k of r over [0, n): [lo, hi). */
export function runRange(n: number, r: number, k: number): [number, number] {
  const len = Math.ceil(n / r);
  return [Math.min(n, k * len), Math.min(n, (k + 1) * len)];
}

/**
 * The pieces of merge round `round` (0-based) over r runs of n items: pairs of width 2·w (w = run
 * length · 2^round), each cut into `perPair` pieces. Piece q → [a, mid, b, k0, k1] (k relative to a),
 * or undefined when the piece is empty.
 */
export function mergePieceAt(n: number, r: number, round: number, perPair: number, q: number): [number, number, number, number, number] | undefined {
  const w = Math.ceil(n / r) * 2 ** round;
  const pair = Math.floor(q / perPair), k = q % perPair;
  const a = pair * 2 * w;
  if (a >= n) return undefined;
  const mid = Math.min(n, a + w), b = Math.min(n, a + 2 * w);
  const len = Math.ceil((2 * w) / perPair);
  const k0 = Math.min(b - a, k * len), k1 = Math.min(b - a, (k + 1) * len);
  return k0 < k1 ? [a, mid, b, k0, k1] : undefined;
}

/** Number of pairs in a merge round. */
export function pairCount(n: number, r: number, round: number): number {
  const w = Math.ceil(n / r) * 2 ** round;
  return Math.ceil(n / (2 * w));
}

/**
 * Stable merge of x[i0, i1) and y[j0, j1) into out from position o (ties from x). The parallel merge
 * (builtins.ts) calls it on each output chunk [lo, hi), with i0, i1 = corank(lo), corank(hi) and
 * j = k − i: chunks merge independently and exactly cover out.
 */
export function mergeTwo(x: NumArray, i0: number, i1: number, y: NumArray, j0: number, j1: number, out: NumArray, o: number, less: Less): void {
  let i = i0, j = j0;
  while (i < i1 && j < j1) {
    if (less(y[j], x[i])) out[o++] = y[j++];
    else out[o++] = x[i++];
  }
  while (i < i1) out[o++] = x[i++];
  while (j < j1) out[o++] = y[j++];
}
