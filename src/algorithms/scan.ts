// The scans (inclusiveScan, exclusiveScan): two loop phases. Phase 0 (the algorithm's partitioner over
// [0, n)): each chunk's total goes into a chunk list of [lo, hi, total] f64 triples at `aux` (`auxN`
// counts them: an atomic add claims an entry). The driver sorts the list and turns totals into carries
// (what precedes each chunk). Phase 1 (over the list, a chunk per claim): each chunk is scanned from its
// carry. The input is read twice and the output written once. `runs` says whether the first chunk has a
// carry (an inclusive scan without init does not). The transform scans read each element through the
// unary callback at X2, uop(x, i), in both phases.
import { SCAN_OPS } from './ops.js';
import { kernelScan, kernelCarryFits, KERNEL_NS_PER_ITEM } from './kernels.js';
import { Arg, PART_STATIC, PART_DYNAMIC } from './spec.js';
import { type Args, type Body, J, arr, fn, isCallback, jobView, setSpace, theCore } from './job.js';
import { type Ctx, type Steps, helper, layout, runSteps } from './drive.js';

/** A scan's operation: combines the running value with the next element (or two chunk totals). */
type Op = (x: number, y: number) => number;

/** How a scan computes: chunk totals, combining carries, and scanning a chunk from a carry. */
interface ScanRule { total(lo: number, hi: number): number; combine: Op; apply(lo: number, hi: number, seeded: boolean, carry: number): void }

/** The kernels' prefix sum where they take the dtype (and the init value), else JS loops with the op. */
function scanRule(args: Args, exclusive: boolean, transformed: boolean): ScanRule {
  const a0 = arr(args, Arg.A), out = arr(args, Arg.Out);
  if (!transformed && !isCallback(args) && SCAN_OPS[args[Arg.F2] as number] === 'sum' && kernelCarryFits(a0, args[Arg.X0] as number)) {
    const k = kernelScan(theCore(), a0, out, exclusive);
    if (k) return { total: k.total, combine: k.combine, apply: (lo, hi, seeded, carry) => k.apply(lo, hi, seeded ? carry : 0) };
  }
  let op: Op;
  if (isCallback(args)) op = fn(args, Arg.F1) as Op;
  else {
    const name = SCAN_OPS[args[Arg.F2] as number];
    op = name === 'min' ? Math.min : name === 'max' ? Math.max : (x, y) => x + y;
  }
  // Element i as the scan sees it: a[i], or uop(a[i], i) for the transform scans.
  const uop = transformed ? fn(args, Arg.X2) as (x: number, i: number) => number : undefined;
  const at = uop ? (i: number): number => uop(a0[i], i) : (i: number): number => a0[i];
  return {
    total: (lo, hi) => { let acc = at(lo); for (let i = lo + 1; i < hi; i++) acc = op(acc, at(i)); return acc; },
    combine: op,
    apply: (lo, hi, seeded, carry) => {
      if (exclusive) {
        let acc = carry;
        for (let i = lo; i < hi; i++) { const x = at(i); out[i] = acc; acc = op(acc, x); }
        return;
      }
      let acc = seeded ? op(carry, at(lo)) : at(lo);
      out[lo] = acc;
      for (let i = lo + 1; i < hi; i++) { acc = op(acc, at(i)); out[i] = acc; }
    },
  };
}

/** Appends [lo, hi, total] to the job's chunk list. */
function pushEntry(job: number, lo: number, hi: number, total: number): void {
  const c = theCore(), i32 = jobView(job), w = job >> 2;
  const list = i32[w + J.aux] >>> 0;   // a heap pointer: unsigned
  const e = Atomics.add(i32, w + J.auxN, 1);
  c.ensure(list, (e + 1) * 24);
  const f = c.f64, k = (list >> 3) + 3 * e;
  f[k] = lo; f[k + 1] = hi; f[k + 2] = total;
}

function scanTotals(rule: ScanRule, job: number): Body {
  return (lo, hi) => pushEntry(job, lo, hi, rule.total(lo, hi));
}

function scanApply(rule: ScanRule, job: number): Body {
  const c = theCore(), i32 = jobView(job), w = job >> 2, list = i32[w + J.aux] >>> 0;
  const firstSeeded = i32[w + J.runs] === 1;
  return (e0, e1) => {
    c.ensure(list, e1 * 24);
    for (let e = e0; e < e1; e++) {
      const f = c.f64, k = (list >> 3) + 3 * e;
      const lo = f[k], hi = f[k + 1];
      if (lo < hi) rule.apply(lo, hi, lo > 0 || firstSeeded, f[k + 2]);
    }
  };
}

function scan(ctx: Ctx, self: Function, args: Args, exclusive: boolean, transformed = false): unknown {
  const job0 = args[Arg.Job] as number;
  if (job0 !== 0) {
    const rule = scanRule(args, exclusive, transformed);
    const phase = jobView(job0)[(job0 >> 2) + J.phase];
    return helper(args, phase === 0 ? scanTotals(rule, job0) : scanApply(rule, job0));
  }
  return runSteps(ctx, self, args, (job) => scanSteps(args, exclusive, job, theCore().nWorkers, transformed));
}

/** A scan's two phases for `parties` tasks (the driver's loop, or the caller's: caller.ts), with job block `job`. */
export function* scanSteps(args: Args, exclusive: boolean, job: number, parties: number, transformed = false): Steps {
  const rule = scanRule(args, exclusive, transformed);
  const a = arr(args, Arg.A), out = arr(args, Arg.Out), n = a.length;
  const seeded = exclusive || args[Arg.X1] === 1, init = args[Arg.X0] as number;
  const c = theCore();
  if (n === 0) return out;
  const w = job >> 2;
  let list = 0;
  try {
    // Phase 0. Probe chunks (run before the grain, and so the list's size, is known) wait in `early`.
    const early: number[] = [];
    const totals = scanTotals(rule, job);
    const body: Body = (lo, hi) => { if (list === 0) early.push(lo, hi, rule.total(lo, hi)); else totals(lo, hi); };
    const tasks0 = layout(args, job, n, body, isCallback(args) || transformed ? 0 : KERNEL_NS_PER_ITEM, parties);
    const grain = Math.max(1, jobView(job)[w + J.grain]);
    list = c.alloc((early.length / 3 + Math.ceil(n / grain) + parties + 1) * 24);
    jobView(job)[w + J.aux] = list;
    for (let k = 0; k < early.length; k += 3) pushEntry(job, early[k], early[k + 1], early[k + 2]);
    if (tasks0 > 0) yield { tasks: tasks0, body };
    // Between the phases this task alone uses the list: order the chunks, totals → carries.
    const i32 = jobView(job);
    const count = i32[w + J.auxN];
    c.ensure(list, count * 24);
    const f = c.f64, base = list >> 3;
    const entries: number[][] = [];
    for (let e = 0; e < count; e++) entries.push([f[base + 3 * e], f[base + 3 * e + 1], f[base + 3 * e + 2]]);
    entries.sort((x, y) => x[0] - y[0]);
    let carry = init, has = seeded;
    entries.forEach(([lo, hi, total], e) => {
      f[base + 3 * e] = lo; f[base + 3 * e + 1] = hi; f[base + 3 * e + 2] = carry;
      carry = has ? rule.combine(carry, total) : total;
      has = true;
    });
    i32[w + J.runs] = seeded ? 1 : 0;
    i32[w + J.phase] = 1;
    // Phase 1 over the chunk list, a chunk per claim (static: round-robin).
    const tasks1 = Math.min(parties, entries.length);
    setSpace(job, entries.length, args[Arg.Part] === PART_STATIC ? PART_STATIC : PART_DYNAMIC, 1, tasks1, 0);
    yield { tasks: tasks1, body: scanApply(rule, job) };
  } finally {
    if (list !== 0) c.x.heapFree(list);
  }
  return out;
}

export function inclusiveScan(this: Ctx, ...args: Args): unknown { return scan(this, inclusiveScan, args, false); }
export function exclusiveScan(this: Ctx, ...args: Args): unknown { return scan(this, exclusiveScan, args, true); }
export function transformInclusiveScan(this: Ctx, ...args: Args): unknown { return scan(this, transformInclusiveScan, args, false, true); }
export function transformExclusiveScan(this: Ctx, ...args: Args): unknown { return scan(this, transformExclusiveScan, args, true, true); }
