// sort: phase 0 sorts `runs` runs (a power of 2, runCount), a run per claim: the Wasm radix sort for f32,
// f64, i32, u32 without a comparator (its scratch for run k lies in the second buffer), else
// TypedArray.prototype.sort on the run. Then each merge round is two phases over its pieces (merge.ts):
// gather (phase 2r + 1: copy each piece's share of both runs into the second buffer, recording the split)
// and merge (phase 2r + 2: merge it back into the array, by the kernel or in JS). `aux` is the second
// buffer, `auxN` the split list (Int32, a word per piece), `runs` the run count, `perPair` the pieces per pair.
import { type NumArray, type Less, intLess, floatLess, cmpLess, isFloat, gatherPiece, mergeRange, mergePieceAt, pairCount, runCount, runRange } from './merge.js';
import { kernelSort } from './kernels.js';
import { Arg, PART_STATIC, PART_DYNAMIC } from './spec.js';
import { type Args, type Body, J, arr, fn, isCallback, jobView, setSpace, theCore } from './job.js';
import { type Ctx, type Steps, helper, runSteps } from './drive.js';

/** A comparator: negative when x goes first. */
type Cmp = (x: number, y: number) => number;

/** The order a sort uses: the comparator's, or TypedArray.prototype.sort's for numbers. */
function orderOf(args: Args, a: NumArray): { less: Less; cmp: Cmp | undefined } {
  if (isCallback(args)) {
    const cmp = fn(args, Arg.F1) as Cmp;
    return { less: cmpLess(cmp), cmp };
  }
  return { less: isFloat(a) ? floatLess : intLess, cmp: undefined };
}

/**
 * Cost per item a sort's helper count assumes: below it an estimate (bench/kernels.mjs measured the radix
 * kernel at about 30 ns per f32 item on one thread), so any sort of 20 000 items or more gets helpers.
 */
export const SORT_NS_PER_ITEM = 10;
/** Minimum run length: below it, one run (a plain in-place sort) is faster than splitting. */
const MIN_RUN = 4096;
/** Merge pieces per task and round: a few, so a slow worker's share can be taken by the others. */
const PIECES_PER_TASK = 4;
/** Scratch the radix kernel needs beyond a run's own length, per run (its digit histograms), in elements. */
const RADIX_EXTRA = 1024;

function sortBody(args: Args, job: number): Body {
  const a = arr(args, Arg.A), n = a.length, { less, cmp } = orderOf(args, a);
  const c = theCore(), i32 = jobView(job), w = job >> 2;
  const phase = i32[w + J.phase], runs = i32[w + J.runs], perPair = i32[w + J.perPair];
  const tmp = i32[w + J.aux] >>> 0, splits = i32[w + J.auxN] >>> 2;   // heap pointers: unsigned
  const k = cmp === undefined ? kernelSort(c, a) : undefined;
  const bytes = a.BYTES_PER_ELEMENT;
  if (phase === 0) {
    return (k0, k1) => {
      for (let r = k0; r < k1; r++) {
        const [lo, hi] = runRange(n, runs, r);
        if (k) k.sortRun(lo, hi, tmp + (lo + r * RADIX_EXTRA) * bytes);
        else if (cmp === undefined) a.subarray(lo, hi).sort();
        else a.subarray(lo, hi).sort(cmp);
      }
    };
  }
  const round = (phase - 1) >> 1, gather = (phase & 1) === 1;
  // This thread's views must cover both blocks: they may lie past the memory this worker last saw (the
  // driver grew it to allocate them), and a read past a stale view is undefined, not a trap.
  c.ensure(tmp, n * bytes);
  c.ensure(splits * 4, 4 * i32[w + J.n]);
  const C = a.constructor as new (b: ArrayBufferLike, o: number, l: number) => NumArray;
  const t = new C(c.u8.buffer, tmp, n);
  return (q0, q1) => {
    for (let q = q0; q < q1; q++) {
      const p = mergePieceAt(n, runs, round, perPair, q);
      if (p === undefined) continue;
      const [lo, mid, hi, p0, p1] = p;
      if (gather) { c.i32[splits + q] = gatherPiece(a, t, lo, mid, hi, p0, p1, less); continue; }
      const s = c.i32[splits + q];
      if (k) k.merge(tmp, lo + p0, lo + p0 + s, lo + p1);
      else mergeRange(t, a, lo + p0, lo + p0 + s, lo + p1, less);
    }
  };
}

export function sort(this: Ctx, ...args: Args): unknown {
  const job0 = args[Arg.Job] as number;
  if (job0 !== 0) return helper(args, sortBody(args, job0));
  return runSteps(this, sort, args, (job) => sortSteps(args, job, theCore().nWorkers));
}

/** A sort's phases for `parties` tasks: runs, then a gather and a merge phase per round (see above). */
export function* sortSteps(args: Args, job: number, parties: number): Steps {
  const a = arr(args, Arg.A), n = a.length;
  const c = theCore();
  const runs = runCount(n, parties, Math.max(MIN_RUN, args[Arg.Grain] as number));
  const kind = args[Arg.Part] === PART_STATIC ? PART_STATIC : PART_DYNAMIC;
  const bytes = a.BYTES_PER_ELEMENT;
  const tmp = c.alloc((n + runs * RADIX_EXTRA) * bytes || 1);
  let splits = 0;
  try {
    splits = c.alloc(Math.max(1, runs * parties * PIECES_PER_TASK) * 4);
    const w = job >> 2;
    for (let phase = 0; phase === 0 || 2 ** ((phase - 1) >> 1) < runs; phase++) {
      const pairs = phase === 0 ? 0 : pairCount(n, runs, (phase - 1) >> 1);
      const perPair = phase === 0 ? 1 : Math.max(1, Math.ceil((parties * PIECES_PER_TASK) / pairs));
      const items = phase === 0 ? runs : pairs * perPair;
      const i32 = jobView(job);
      i32[w + J.aux] = tmp; i32[w + J.auxN] = splits; i32[w + J.runs] = runs; i32[w + J.phase] = phase; i32[w + J.perPair] = perPair;
      const tasks = Math.min(parties, items);
      setSpace(job, items, kind, 1, tasks, 0);
      yield { tasks, body: sortBody(args, job) };
    }
  } finally {
    if (splits !== 0) c.x.heapFree(splits);
    c.x.heapFree(tmp);
  }
  return a;
}
