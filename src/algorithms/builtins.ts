// The algorithms' task functions, run in workers: one built-in task module (ALGORITHMS, listed in
// src/builtins.ts), so the host and every worker name the same function without a task module. Each
// worker binds it at start-up (its core and function cache: job.ts); the host uses the function
// identities. This file holds the one-phase algorithms (forEach, forEachIndex, transform, reduce,
// reduceByIndex and its IndexRange forms, findIndex, min/maxElement: each a plan that drive.ts runs) and
// the registry of every builtin; the multi-phase ones are in scan.ts and sort.ts.
import type { BuiltinModule } from '../engine/functions.js';
import type { NumArray } from './merge.js';
import { MAP_NAMES, REDUCE_NAMES, mapChunk, reduceChunk, combineOp, reduceIdentity } from './ops.js';
import { kernelMap, kernelReduce, KERNEL_NS_PER_ITEM } from './kernels.js';
import { Arg } from './spec.js';
import { type Args, type Body, J, arr, bind, fn, isCallback, jobView, rangeFn, theCore } from './job.js';
import { type Ctx, type OnePhase, type Share, type Steps, NOTHING, onePhase } from './drive.js';
import { inclusiveScan, exclusiveScan, transformInclusiveScan, transformExclusiveScan, scanSteps } from './scan.js';
import { matmul, matmulPlan } from './matmul.js';
import { sort, sortSteps, SORT_NS_PER_ITEM } from './sort.js';
import { fill, generate, merge, fillCallerPlan } from './fill.js';
import { boxesOf, fromFlat } from './index-range.js';

// ---- forEach, forEachIndex, transform ----

function forEachShare(args: Args): Share {
  const cb = rangeFn(args), a = arr(args, Arg.A);
  return { body: (lo, hi) => { cb(a, lo, hi); }, partial: NOTHING };
}

/** Index space of forEachIndex: how many of first, first + step, … lie before last. */
export function indexCount(first: number, last: number, step: number): number {
  const n = step > 0 ? Math.ceil((last - first) / step) : Math.ceil((first - last) / -step);
  return Math.max(0, n);
}

function forEachIndexShare(args: Args): Share {
  const cb = rangeFn(args);
  const first = args[Arg.X0] as number, last = args[Arg.X1] as number, step = args[Arg.X2] as number;
  const clamp = step > 0 ? Math.min : Math.max;
  return { body: (lo, hi) => { cb(first + lo * step, clamp(first + hi * step, last), step); }, partial: NOTHING };
}

function transformShare(args: Args): Share {
  const a = arr(args, Arg.A), b = args[Arg.B] as NumArray | null, c = args[Arg.C] as NumArray | null, out = arr(args, Arg.Out);
  if ((args[Arg.F1] as number) >= 0) {
    const cb = rangeFn(args);
    const body: Body = b === null ? (lo, hi) => { cb(a, out, lo, hi); }
      : c === null ? (lo, hi) => { cb(a, b, out, lo, hi); } : (lo, hi) => { cb(a, b, c, out, lo, hi); };
    return { body, partial: NOTHING };
  }
  const op = MAP_NAMES[args[Arg.F2] as number];
  const s0 = args[Arg.X0] as number, s1 = args[Arg.X1] as number;
  const body = kernelMap(theCore(), op, a, b, c, out, s0, s1) ?? ((lo: number, hi: number) => mapChunk(op, a, b, c, out, lo, hi, s0, s1));
  return { body, partial: NOTHING };
}


const forEachPlan = (args: Args): OnePhase => ({ n: arr(args, Arg.A).length, costNs: 0, share: () => forEachShare(args), result: NOTHING });
function forEach(this: Ctx, ...args: Args): unknown { return onePhase(this, forEach, args, forEachPlan(args)); }

const forEachIndexPlan = (args: Args): OnePhase => ({
  n: indexCount(args[Arg.X0] as number, args[Arg.X1] as number, args[Arg.X2] as number), costNs: 0, share: () => forEachIndexShare(args), result: NOTHING,
});
function forEachIndex(this: Ctx, ...args: Args): unknown { return onePhase(this, forEachIndex, args, forEachIndexPlan(args)); }

function transformPlan(args: Args): OnePhase {
  const out = arr(args, Arg.Out);
  return { n: out.length, costNs: isCallback(args) ? 0 : KERNEL_NS_PER_ITEM, share: () => transformShare(args), result: () => out };
}
function transform(this: Ctx, ...args: Args): unknown { return onePhase(this, transform, args, transformPlan(args)); }

// ---- reduce, transformReduce ----

/**
 * A task's share of a reduction. Op reductions start at the identity; callback reductions return
 * `[1, acc]` once they reduced a chunk (a pair of numbers travels inline) and undefined when they
 * claimed nothing, so "no value" never mixes with a value.
 */
function reduceShare(args: Args): Share {
  const a = arr(args, Arg.A), b = args[Arg.B] as NumArray | null;
  if (!isCallback(args)) {
    const r = reduction(args);
    let acc = r.identity;
    return { body: (lo, hi) => { acc = r.combine(acc, r.chunk(lo, hi)); }, partial: () => acc };
  }
  const cb = rangeFn(args), combine = fn(args, Arg.F2);
  let has = false, acc: unknown;
  const body: Body = b === null
    ? (lo, hi) => { const v = cb(a, lo, hi); acc = has ? combine(acc, v) : v; has = true; }
    : (lo, hi) => { const v = cb(a, b, lo, hi); acc = has ? combine(acc, v) : v; has = true; };
  return { body, partial: () => (has ? [1, acc] : undefined) };
}

/** An op reduction: by the kernel when there is one for the dtype (its identity and combine: i32/u32 sums wrap), else in JS. */
function reduction(args: Args): { chunk(lo: number, hi: number): number; identity: number; combine(x: number, y: number): number } {
  const a = arr(args, Arg.A), b = args[Arg.B] as NumArray | null;
  const op = REDUCE_NAMES[args[Arg.F2] as number];
  return kernelReduce(theCore(), op, a, b) ?? {
    chunk: (lo, hi) => reduceChunk(op, a, b, lo, hi), identity: reduceIdentity(op), combine: (x, y) => combineOp(op, x, y),
  };
}

/** The driver folds the init value and the partials (its own first, then the helpers' in order). */
function foldPartials(args: Args, partials: unknown[]): unknown {
  const hasInit = args[Arg.X1] === 1;
  if (!isCallback(args)) {
    const r = reduction(args);
    let acc = hasInit ? (args[Arg.X0] as number) : r.identity;
    for (const p of partials) acc = r.combine(acc, p as number);
    return acc;
  }
  const combine = fn(args, Arg.F2);
  let has = hasInit, acc = hasInit ? args[Arg.X0] : undefined;
  for (const p of partials) {
    if (p === undefined) continue;
    const v = (p as [number, unknown])[1];
    acc = has ? combine(acc, v) : v;
    has = true;
  }
  return acc;
}

const reducePlan = (args: Args): OnePhase => ({
  n: arr(args, Arg.A).length, costNs: isCallback(args) ? 0 : KERNEL_NS_PER_ITEM, share: () => reduceShare(args), result: (partials) => foldPartials(args, partials),
});
function reduce(this: Ctx, ...args: Args): unknown { return onePhase(this, reduce, args, reducePlan(args)); }

// ---- reduceByIndex: a callback reduction over forEachIndex's index space (X2: [first, last, step]) ----

function reduceByIndexShare(args: Args): Share {
  const cb = rangeFn(args), combine = fn(args, Arg.F2);
  const [first, last, step] = args[Arg.X2] as number[];
  const clamp = step > 0 ? Math.min : Math.max;
  let has = false, acc: unknown;
  const body: Body = (lo, hi) => {
    const v = cb(first + lo * step, clamp(first + hi * step, last), step);
    acc = has ? combine(acc, v) : v;
    has = true;
  };
  return { body, partial: () => (has ? [1, acc] : undefined) };
}

function reduceByIndexPlan(args: Args): OnePhase {
  const [first, last, step] = args[Arg.X2] as number[];
  return { n: indexCount(first, last, step), costNs: 0, share: () => reduceByIndexShare(args), result: (partials) => foldPartials(args, partials) };
}
function reduceByIndex(this: Ctx, ...args: Args): unknown { return onePhase(this, reduceByIndex, args, reduceByIndexPlan(args)); }

// ---- forEachByIndex, reduceByIndex over an IndexRange (X2: its numbers, index-range.ts flatDims) ----
// The index space is the range's flat one, [0, size()); each chunk calls back once per box of boxesOf.

function forEachByIndexPlan(args: Args): OnePhase {
  const r = fromFlat(args[Arg.X2] as number[]);
  return {
    n: r.size(), costNs: 0, result: NOTHING,
    share: () => {
      const cb = rangeFn(args);
      return { body: (lo, hi) => boxesOf(r, lo, hi, (box) => { cb(box); }), partial: NOTHING };
    },
  };
}
function forEachByIndex(this: Ctx, ...args: Args): unknown { return onePhase(this, forEachByIndex, args, forEachByIndexPlan(args)); }

/**
 * Taskflow's reduce_by_index: local(box, running) gets the running total of this task's boxes so far
 * (undefined before its first) and returns the new one; the driver folds init (X0) and the tasks'
 * totals with global (F2).
 */
function reduceByIndexRangePlan(args: Args): OnePhase {
  const r = fromFlat(args[Arg.X2] as number[]);
  return {
    n: r.size(), costNs: 0, result: (partials) => foldPartials(args, partials),
    share: () => {
      const local = rangeFn(args);
      let has = false, acc: unknown;
      const body: Body = (lo, hi) => boxesOf(r, lo, hi, (box) => { acc = local(box, has ? acc : undefined); has = true; });
      return { body, partial: () => (has ? [1, acc] : undefined) };
    },
  };
}
function reduceByIndexRange(this: Ctx, ...args: Args): unknown { return onePhase(this, reduceByIndexRange, args, reduceByIndexRangePlan(args)); }

// ---- findIndex ----

/** Lowers `best` to i unless it is already lower (atomic min by CAS). */
function offerBest(job: number, i: number): void {
  const i32 = jobView(job), at = (job >> 2) + J.best;
  for (let cur = Atomics.load(i32, at); i < cur; cur = Atomics.load(i32, at)) {
    if (Atomics.compareExchange(i32, at, cur, i) === cur) return;
  }
}

/** findIndex, find and findIfNot (X1 = 1: the first element pred rejects). */
function findShare(args: Args, job: number): Share {
  const pred = fn(args, Arg.F1), a = arr(args, Arg.A), not = args[Arg.X1] === 1;
  const i32 = jobView(job), at = (job >> 2) + J.best;
  const body: Body = (lo, hi) => {
    if (lo >= Atomics.load(i32, at)) return;          // a match before this chunk is already known
    for (let i = lo; i < hi; i++) {
      if (!pred(a[i], i) === not) { offerBest(job, i); return; }
    }
  };
  return { body, partial: NOTHING };
}

function findIndexPlan(args: Args): OnePhase {
  const a = arr(args, Arg.A), n = a.length;
  return {
    n, costNs: 0, share: (job) => findShare(args, job),
    result: (_p, job) => {
      const best = Atomics.load(jobView(job), (job >> 2) + J.best);
      const i = best >= n ? -1 : best;
      return args[Arg.X0] === 1 ? (i < 0 ? undefined : a[i]) : i;
    },
    prepare: (job) => Atomics.store(jobView(job), (job >> 2) + J.best, n),
  };
}
function findIndex(this: Ctx, ...args: Args): unknown { return onePhase(this, findIndex, args, findIndexPlan(args)); }

// ---- minElement / maxElement ----

/** "v is a better pick than w": smaller (larger for max) by < or by the comparator; NaN never is, and anything beats NaN. */
function betterFor(args: Args): (v: number, w: number) => boolean {
  const max = args[Arg.X0] === 1;
  if (isCallback(args)) {
    const cmp = fn(args, Arg.F1) as (x: number, y: number) => number;
    return max ? (v, w) => cmp(w, v) < 0 : (v, w) => cmp(v, w) < 0;
  }
  return max ? (v, w) => v > w || (w !== w && v === v) : (v, w) => v < w || (w !== w && v === v);
}

function minMaxShare(args: Args): Share {
  const a = arr(args, Arg.A), better = betterFor(args), numeric = !isCallback(args);
  let best = -1;
  const body: Body = (lo, hi) => {
    for (let i = lo; i < hi; i++) {
      const v = a[i];
      if (best < 0 ? !(numeric && v !== v) : better(v, a[best])) best = i;
    }
  };
  return { body, partial: () => best };
}

function minMaxPlan(args: Args): OnePhase {
  const a = arr(args, Arg.A), better = betterFor(args);
  return {
    n: a.length, costNs: 0, share: () => minMaxShare(args),
    result: (partials) => {
      let best = -1;
      for (const p of partials as number[]) {
        if (p >= 0 && (best < 0 || better(a[p], a[best]) || (!better(a[best], a[p]) && p < best))) best = p;
      }
      return best;
    },
  };
}
function minElement(this: Ctx, ...args: Args): unknown { return onePhase(this, minElement, args, minMaxPlan(args)); }
function maxElement(this: Ctx, ...args: Args): unknown { return onePhase(this, maxElement, args, minMaxPlan(args)); }

// ---- the registry ----

/**
 * The one-phase algorithms whose chunks run no user code (a built-in op, no comparator): the calling
 * thread may take a share of these itself (caller.ts). Undefined for every other call.
 */
export function callerPlan(name: BuiltinName, args: Args): OnePhase | undefined {
  if (isCallback(args)) return undefined;
  const more = fillCallerPlan(name, args);
  if (more) return more;
  if (name === 'transform') return transformPlan(args);
  if (name === 'matmul') return matmulPlan(args);
  if (name === 'reduce') return reducePlan(args);
  if (name === 'minElement' || name === 'maxElement') return minMaxPlan(args);
  return undefined;
}

/**
 * The multi-phase algorithms whose chunks run no user code (a scan with an op, a sort without a
 * comparator): their phases for `parties` tasks, for the calling thread to drive (caller.ts), and the
 * cost per item its helper count assumes. Undefined for every other call.
 */
export function callerSteps(name: BuiltinName, args: Args): { n: number; costNs: number; steps(job: number, parties: number): Steps } | undefined {
  if (isCallback(args)) return undefined;
  const n = arr(args, Arg.A).length;
  if (name === 'inclusiveScan' || name === 'exclusiveScan') {
    const exclusive = name === 'exclusiveScan';
    return { n, costNs: KERNEL_NS_PER_ITEM, steps: (job, parties) => scanSteps(args, exclusive, job, parties) };
  }
  if (name === 'sort') return { n, costNs: SORT_NS_PER_ITEM, steps: (job, parties) => sortSteps(args, job, parties) };
  return undefined;
}

/** Every builtin, by the name the function table records (and errors show as the task's name). */
export const BUILTINS = {
  matmul,
  forEach, forEachIndex, transform, reduce, findIndex, minElement, maxElement, inclusiveScan, exclusiveScan, sort,
  fill, generate, merge, reduceByIndex, transformInclusiveScan, transformExclusiveScan, forEachByIndex, reduceByIndexRange,
} as const;
export type BuiltinName = keyof typeof BUILTINS;

/** The algorithms as a built-in task module (src/builtins.ts): each function named `beatflow.<name>`. */
export const ALGORITHMS: BuiltinModule = {
  name: 'algorithms',
  functions: Object.fromEntries(Object.entries(BUILTINS).map(([k, v]) => [`beatflow.${k}`, v])),
  bind,
};
