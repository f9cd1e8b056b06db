// The algorithms' task functions, run in workers: one built-in task module (ALGORITHMS, listed in
// src/builtins.ts), so the host and every worker name the same function without a task module. Each
// worker binds it at start-up (its core and function cache); the host uses the function identities.
//
// One algorithm call = one *driving* task (the builtin called with job = 0). It allocates a job block
// (spec.ts), chooses the chunking (partition.ts, timing a probe of real work when the grain is left to
// it), spawns up to workers − 1 *helpers* (the same builtin with job and index set) through the task
// context's spawn, works on the index space itself, then joins them (helping: a helper nobody stole
// runs on the driver, and finds nothing left to claim) and combines their partial results. So the same
// task works from executor.async (the direct form) and as a node of a graph.
import type { FunctionCache } from '../engine/functions.js';
import type { SharedCore } from '../engine/memory.js';
import type { BuiltinModule } from '../engine/functions.js';
import { chooseGrain, guidedChunk, nextProbe, staticGrain, taskCount, PROBE_ITEMS, KERNEL_CHUNK_NS } from './partition.js';
import { type NumArray, type Less, intLess, floatLess, cmpLess, isFloat, gatherPiece, mergeRange, mergePieceAt, pairCount, runCount, runRange } from './merge.js';
import { MAP_NAMES, REDUCE_NAMES, SCAN_OPS, mapChunk, reduceChunk, combineOp, reduceIdentity } from './ops.js';
import { kernelMap, kernelReduce, kernelScan, kernelCarryFits, kernelSort, KERNEL_NS_PER_ITEM } from './kernels.js';
import { Arg, PART_STATIC, PART_DYNAMIC, jobWords, type JobWords } from './spec.js';

/** What a builtin sees as `this`: the worker's task context (fork-join). */
interface Ctx {
  spawn(fn: Function, ...args: unknown[]): number;
  join(handles: readonly number[]): unknown[];
}
type Args = unknown[];
type Body = (lo: number, hi: number) => void;

let core: SharedCore | undefined;
let fns: FunctionCache | undefined;
/** The job block's word indices in `core`'s layout, set with it: no call reads them from core.L. */
let J!: JobWords;
const jobWordsOf = new WeakMap<SharedCore, JobWords>();

function use(c: SharedCore | undefined): void {
  core = c;
  if (c === undefined) return;
  let words = jobWordsOf.get(c);
  if (words === undefined) jobWordsOf.set(c, (words = jobWords(c.L)));
  J = words;
}

/**
 * Runs f with `c` as the core these functions use. The calling thread's share of an algorithm
 * (caller.ts) runs on the host, which may hold several executors: each synchronous section binds its own.
 */
export function withCore<T>(c: SharedCore, f: () => T): T {
  const prev = core;
  use(c);
  try { return f(); } finally { use(prev); }
}

function theCore(): SharedCore {
  if (core === undefined) throw new Error('beatflow: algorithm tasks run only in executor workers (their builtin module was not bound)');
  return core;
}

const fn = (args: Args, at: Arg): Function => fns!.get(args[at] as number);

/**
 * A range callback with the call's extra arguments (options.args, after the fixed list) bound after
 * its own: cb(…, ...extra).
 */
function rangeFn(args: Args): Function {
  const cb = fn(args, Arg.F1);
  if (args.length <= Arg.Count) return cb;
  const extra = args.slice(Arg.Count);
  return (...own: unknown[]) => cb(...own, ...extra);
}
const arr = (args: Args, at: Arg): NumArray => args[at] as NumArray;

// ---- the job block ----

/** A zeroed job block; `slots` f64 partial slots after it when the calling thread drives the call (the job block's `slots`, spec.ts). */
export function allocJob(slots = 0): number {
  const c = theCore();
  const bytes = J.bytes + 8 * slots;
  const job = c.alloc(bytes);
  c.i32.fill(0, job >> 2, (job + bytes) >> 2);
  c.i32[(job >> 2) + J.slots] = slots;
  return job;
}

/** This thread's Int32 view covering the job block (any thread may have grown the memory since). */
function jobView(job: number): Int32Array {
  const c = theCore();
  c.ensure(job, J.bytes);
  return c.i32;
}

/** The driver sets up the index space [0, n) of the next phase: plain stores, published by the spawns. */
function setSpace(job: number, n: number, kind: number, grain: number, parts: number, cursor: number): void {
  const i32 = jobView(job), w = job >> 2;
  i32[w + J.n] = n; i32[w + J.kind] = kind; i32[w + J.grain] = grain; i32[w + J.parts] = parts;
  Atomics.store(i32, w + J.cursor, cursor);
}

/**
 * Runs body over the chunks of [0, n) this task claims: static part `index` of `parts`, or chunks claimed
 * from the shared `cursor` until it passes n (dynamic: `grain` items by atomic add; guided: shrinking
 * chunks by CAS). Stops early once `stop` is set. Reads the block's words once, then only the cursor and stop.
 */
export function claimLoop(job: number, index: number, body: Body): void {
  const i32 = jobView(job), w = job >> 2;
  const n = i32[w + J.n], grain = i32[w + J.grain], kind = i32[w + J.kind], parts = i32[w + J.parts];
  const stopAt = w + J.stop, cursorAt = w + J.cursor;
  if (kind === PART_STATIC) {
    for (let lo = index * grain; lo < n; lo += parts * grain) {
      if (Atomics.load(i32, stopAt) !== 0) return;
      body(lo, Math.min(n, lo + grain));
    }
    return;
  }
  for (;;) {
    if (Atomics.load(i32, stopAt) !== 0) return;
    let lo: number, hi: number;
    if (kind === PART_DYNAMIC) {
      lo = Atomics.add(i32, cursorAt, grain);   // the cursor stays ≤ n + workers·grain ≤ 2n (grain ≤ n / workers)
      if (lo >= n) return;
      hi = Math.min(n, lo + grain);
    } else {
      lo = Atomics.load(i32, cursorAt);
      if (lo >= n) return;
      hi = lo + guidedChunk(n - lo, grain, parts);
      if (Atomics.compareExchange(i32, cursorAt, lo, hi) !== lo) continue;   // lost the race: look again
    }
    body(lo, hi);
  }
}

export function stop(job: number): void {
  Atomics.store(jobView(job), (job >> 2) + J.stop, 1);
}

/**
 * Spawns helpers 1 .. tasks−1 (this builtin, with the job and their index), runs `mine` here, joins
 * them. Returns [mine's result, helper 1's, …]. An error anywhere sets `stop`, still joins every helper
 * (they use the job block), and is rethrown: the first one seen, the driver's own first.
 */
function forkJoin(ctx: Ctx, self: Function, args: Args, job: number, tasks: number, mine: () => unknown): unknown[] {
  const a = args.slice();
  a[Arg.Job] = job;
  const handles: number[] = [];
  let failed = false, error: unknown, first: unknown;
  try {
    for (let p = 1; p < tasks; p++) { a[Arg.Index] = p; handles.push(ctx.spawn(self, ...a)); }
    first = mine();
  } catch (e) {
    failed = true; error = e; stop(job);
  }
  let rest: unknown[] = [];
  if (handles.length > 0) {
    try { rest = ctx.join(handles); } catch (e) { if (!failed) { failed = true; error = e; } }
  }
  if (failed) throw error;
  return [first, ...rest];
}

/**
 * A ReferenceError from a callback is most often an inline function using a variable of the scope it
 * was written in (it was sent as source): say so, and how to pass the value instead.
 */
function explain(e: unknown): unknown {
  if (!(e instanceof ReferenceError) || e.message.includes('options.args')) return e;
  const m = /^(\S+) is not defined$/.exec(e.message);
  if (!m) return e;
  e.message = `${m[1]} is not defined in the worker: an inline callback cannot use variables from the scope it was ` +
    `written in (it is sent to the workers as source). Pass the value in options.args (it arrives after the ` +
    `callback's own arguments), or export the callback from the task module`;
  return e;
}

/**
 * A helper: runs this phase's share (setting `stop` if the callback throws, so the others stop early) and
 * returns its partial, which it also hands back in the job block when the calling thread drives the call.
 */
function helper(args: Args, body: Body, partial: () => unknown = NOTHING): unknown {
  const job = args[Arg.Job] as number, index = args[Arg.Index] as number;
  try { claimLoop(job, index, body); } catch (e) { stop(job); throw explain(e); }
  const p = partial();
  handBack(job, index, p);
  return p;
}

/**
 * Helper `index` finished its share: when the calling thread drives the call (`slots` > 0) the partial
 * goes in its slot (plain) and `done` counts it (atomic add, which publishes the slot and every element
 * the share wrote). Its last touch of the job block: the caller may free the block once `done` counts
 * every helper that started. A driving task's helpers (`slots` 0) report through their task's result.
 */
export function handBack(job: number, index: number, partial: unknown): void {
  const c = theCore(), i32 = jobView(job), w = job >> 2;
  const slots = i32[w + J.slots];
  if (index >= slots) return;
  if (partial !== undefined && typeof partial !== 'number') {
    stop(job);
    throw new Error('beatflow: internal: the partial of a call the calling thread drives must be a number');
  }
  c.ensure(job, J.bytes + 8 * slots);
  c.f64[((job + J.bytes) >> 3) + index] = partial === undefined ? NaN : partial;
  Atomics.add(c.i32, w + J.done, 1);
}

/**
 * The calling thread, after its share: waits up to `us` µs until `done` counts `want` helpers (false if
 * not, or at once when `stop` is set: a failed helper never counts itself). Their partials are then in
 * their slots (handedBack).
 */
export function awaitHandBack(job: number, want: number, us: number): boolean {
  const i32 = jobView(job), w = job >> 2;
  const end = performance.now() + us / 1000;
  for (let i = 1; ; i++) {
    if (Atomics.load(i32, w + J.done) >= want) return true;
    if (Atomics.load(i32, w + J.stop) !== 0) return false;
    if ((i & 63) === 0 && performance.now() > end) return false;
  }
}

/** The partial helper `index` handed back (after awaitHandBack counted it). */
export function handedBack(job: number, index: number): number {
  const c = theCore();
  c.ensure(job, J.bytes + 8 * (index + 1));
  return c.f64[((job + J.bytes) >> 3) + index];
}

/** The calling thread, before it submits a phase's helpers: none has handed back yet (published by the submission). */
export function resetHandBack(job: number): void {
  jobView(job)[(job >> 2) + J.done] = 0;
}

/**
 * Lays out one loop phase of [0, n) for `parties` tasks and writes it in the job block: for dynamic and
 * guided with no grain given it first runs (and times) probe chunks of growing length on this thread, so
 * the grain comes from the measured cost per item; `costNs` (a kernel's known cost) skips the probe.
 * Returns how many tasks share the phase (0: the probe did it all).
 */
export function layout(args: Args, job: number, n: number, body: Body, costNs: number, parties: number): number {
  const kind = args[Arg.Part] as number;
  let grain = args[Arg.Grain] as number;
  let done = 0;
  if (kind === PART_STATIC) {
    grain = staticGrain(n, parties, grain || undefined);
  } else if (grain === 0) {
    let ns = 0;
    if (costNs > 0) ns = costNs * n;
    else {
      for (let len = PROBE_ITEMS; len > 0 && done < n;) {
        const hi = Math.min(n, done + len);
        const t0 = performance.now();
        body(done, hi);
        ns += (performance.now() - t0) * 1e6;
        len = nextProbe(hi - done, ns);
        done = hi;
      }
    }
    // A known cost is a built-in kernel's (the plans give callbacks 0): its chunks can be shorter.
    grain = costNs > 0 ? chooseGrain(n, parties, costNs, KERNEL_CHUNK_NS) : chooseGrain(n - done, parties, ns / Math.max(1, done));
  }
  if (kind === PART_DYNAMIC) grain = Math.min(grain, Math.max(1, Math.ceil((n - done) / parties)));
  const tasks = taskCount(n - done, grain, parties);
  setSpace(job, n, kind, grain, kind === PART_STATIC ? tasks : parties, done);
  return tasks;
}

/** The driver's loop phase: laid out for the workers, then run by it and its helpers. */
function drive(ctx: Ctx, self: Function, args: Args, job: number, n: number, body: Body, costNs: number, finish: () => unknown,
  prepare?: () => void): unknown[] {
  const tasks = layout(args, job, n, body, costNs, theCore().nWorkers);
  prepare?.();   // before any helper exists: what it sets up is published by the spawns
  if (tasks === 0) return [finish()];
  return forkJoin(ctx, self, args, job, tasks, () => { claimLoop(job, 0, body); return finish(); });
}

/** Throws unless every array argument is a view on this core's shared memory. */
export function checkShared(args: Args): void {
  for (const at of [Arg.A, Arg.B, Arg.C, Arg.Out]) {
    const v = args[at] as NumArray | null;
    if (v !== null && !theCore().ownsBuffer(v.buffer)) {
      throw new TypeError('beatflow: the arrays of a parallel algorithm must live in the executor\'s shared memory: ' +
        'allocate them with executor.shared(Type, n) (or adopt() a SharedArrayBuffer view)');
    }
  }
}

/** One loop phase of a multi-phase algorithm: the job block's index space is set; `tasks` tasks run `body` over it. */
export interface Phase { tasks: number; body: Body }
/** A multi-phase algorithm (scan, sort): yields its phases in order, returns the result; cleans up in `finally`. */
export type Steps = Generator<Phase, unknown, void>;

/** The driving task's loop over the phases of `steps`: each one forked and joined here. */
function runSteps(ctx: Ctx, self: Function, args: Args, steps: (job: number) => Steps): unknown {
  return withJob(args, (job) => {
    const g = steps(job);
    try {
      for (let r = g.next(); ; r = g.next()) {
        if (r.done) return r.value;
        const { tasks, body } = r.value;
        forkJoin(ctx, self, args, job, tasks, () => claimLoop(job, 0, body));
      }
    } catch (e) {
      g.return(undefined);   // its `finally` frees what it allocated
      throw e;
    }
  });
}

/**
 * Runs `driver(job)` with a fresh job block, freed afterwards whatever happens. First checks that the
 * arrays are views on the shared memory: any other typed array reached the worker as a copy (the codec's),
 * so writes would be lost.
 */
function withJob<T>(args: Args, driver: (job: number) => T): T {
  checkShared(args);
  const job = allocJob();
  try { return driver(job); } catch (e) { throw explain(e); } finally { theCore().x.heapFree(job); }
}

// ---- forEach, forEachIndex, transform ----

/** A task's part of an algorithm: the chunk body and, for reductions, its partial result. */
export interface Share { body: Body; partial: () => unknown }
const NOTHING = (): unknown => undefined;

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

/**
 * A one-phase algorithm: its index space [0, n), the cost per item if known (0: the driver probes),
 * each task's share, and how the driver combines the partials (its own first, then the helpers' in
 * order) into the result. `prepare` sets up job words before any helper exists.
 */
export interface OnePhase {
  n: number;
  costNs: number;
  share(job: number): Share;
  result(partials: unknown[], job: number): unknown;
  prepare?(job: number): void;
}

/** The common shape of a one-phase algorithm: a helper runs its share and returns its partial; the driver drives the loop. */
function onePhase(ctx: Ctx, self: Function, args: Args, plan: OnePhase): unknown {
  const job0 = args[Arg.Job] as number;
  if (job0 !== 0) {
    const s = plan.share(job0);
    return helper(args, s.body, s.partial);
  }
  return withJob(args, (job) => {
    plan.prepare?.(job);
    const s = plan.share(job);
    return plan.result(drive(ctx, self, args, job, plan.n, s.body, plan.costNs, s.partial), job);
  });
}

const isCallback = (args: Args): boolean => (args[Arg.F1] as number) >= 0;

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

// ---- findIndex ----

/** Lowers `best` to i unless it is already lower (atomic min by CAS). */
function offerBest(job: number, i: number): void {
  const i32 = jobView(job), at = (job >> 2) + J.best;
  for (let cur = Atomics.load(i32, at); i < cur; cur = Atomics.load(i32, at)) {
    if (Atomics.compareExchange(i32, at, cur, i) === cur) return;
  }
}

function findShare(args: Args, job: number): Share {
  const pred = fn(args, Arg.F1), a = arr(args, Arg.A);
  const i32 = jobView(job), at = (job >> 2) + J.best;
  const body: Body = (lo, hi) => {
    if (lo >= Atomics.load(i32, at)) return;          // a match before this chunk is already known
    for (let i = lo; i < hi; i++) {
      if (pred(a[i], i)) { offerBest(job, i); return; }
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

// ---- scans ----
//
// Two loop phases. Phase 0 (the algorithm's partitioner over [0, n)): each chunk's total goes into a
// chunk list of [lo, hi, total] f64 triples at `aux` (`auxN` counts them: an atomic add claims an entry).
// The driver sorts the list and turns totals into carries (what precedes each chunk). Phase 1 (over
// the list, a chunk per claim): each chunk is scanned from its carry. The input is read twice and the
// output written once. `runs` says whether the first chunk has a carry (an inclusive scan without init
// does not).

type Op = (x: number, y: number) => number;

/** How a scan computes: chunk totals, combining carries, and scanning a chunk from a carry. */
interface ScanRule { total(lo: number, hi: number): number; combine: Op; apply(lo: number, hi: number, seeded: boolean, carry: number): void }

/** The kernels' prefix sum where they take the dtype (and the init value), else JS loops with the op. */
function scanRule(args: Args, exclusive: boolean): ScanRule {
  const a = arr(args, Arg.A), out = arr(args, Arg.Out);
  if (!isCallback(args) && SCAN_OPS[args[Arg.F2] as number] === 'sum' && kernelCarryFits(a, args[Arg.X0] as number)) {
    const k = kernelScan(theCore(), a, out, exclusive);
    if (k) return { total: k.total, combine: k.combine, apply: (lo, hi, seeded, carry) => k.apply(lo, hi, seeded ? carry : 0) };
  }
  let op: Op;
  if (isCallback(args)) op = fn(args, Arg.F1) as Op;
  else {
    const name = SCAN_OPS[args[Arg.F2] as number];
    op = name === 'min' ? Math.min : name === 'max' ? Math.max : (x, y) => x + y;
  }
  return {
    total: (lo, hi) => { let acc = a[lo]; for (let i = lo + 1; i < hi; i++) acc = op(acc, a[i]); return acc; },
    combine: op,
    apply: (lo, hi, seeded, carry) => {
      if (exclusive) {
        let acc = carry;
        for (let i = lo; i < hi; i++) { const x = a[i]; out[i] = acc; acc = op(acc, x); }
        return;
      }
      let acc = seeded ? op(carry, a[lo]) : a[lo];
      out[lo] = acc;
      for (let i = lo + 1; i < hi; i++) { acc = op(acc, a[i]); out[i] = acc; }
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

function scan(ctx: Ctx, self: Function, args: Args, exclusive: boolean): unknown {
  const job0 = args[Arg.Job] as number;
  if (job0 !== 0) {
    const rule = scanRule(args, exclusive);
    const phase = jobView(job0)[(job0 >> 2) + J.phase];
    return helper(args, phase === 0 ? scanTotals(rule, job0) : scanApply(rule, job0));
  }
  return runSteps(ctx, self, args, (job) => scanSteps(args, exclusive, job, theCore().nWorkers));
}

/** A scan's two phases for `parties` tasks (the driver's loop, or the caller's: caller.ts), with job block `job`. */
function* scanSteps(args: Args, exclusive: boolean, job: number, parties: number): Steps {
  const rule = scanRule(args, exclusive);
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
    const tasks0 = layout(args, job, n, body, isCallback(args) ? 0 : KERNEL_NS_PER_ITEM, parties);
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

function inclusiveScan(this: Ctx, ...args: Args): unknown { return scan(this, inclusiveScan, args, false); }
function exclusiveScan(this: Ctx, ...args: Args): unknown { return scan(this, exclusiveScan, args, true); }

// ---- sort ----
//
// Phase 0 sorts `runs` runs (a power of 2, runCount), a run per claim: the Wasm radix sort for f32, f64,
// i32, u32 without a comparator (its scratch for run k lies in the second buffer), else
// TypedArray.prototype.sort on the run. Then each merge round is two phases over its pieces (merge.ts):
// gather (phase 2r + 1: copy each piece's share of both runs into the second buffer, recording the split)
// and merge (phase 2r + 2: merge it back into the array, by the kernel or in JS). `aux` is the second
// buffer, `auxN` the split list (Int32, a word per piece), `runs` the run count, `perPair` the pieces per pair.

/** The order a sort uses: the comparator's, or TypedArray.prototype.sort's for numbers. */
function orderOf(args: Args, a: NumArray): { less: Less; cmp: Op | undefined } {
  if (isCallback(args)) {
    const cmp = fn(args, Arg.F1) as Op;
    return { less: cmpLess(cmp), cmp };
  }
  return { less: isFloat(a) ? floatLess : intLess, cmp: undefined };
}

/**
 * Cost per item a sort's helper count assumes: below it an estimate (the radix kernel took ~30 ns per
 * f32 item on one thread here, bench/kernels.mjs), so any sort of 20 000 items or more gets helpers.
 */
const SORT_NS_PER_ITEM = 10;
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

function sort(this: Ctx, ...args: Args): unknown {
  const job0 = args[Arg.Job] as number;
  if (job0 !== 0) return helper(args, sortBody(args, job0));
  return runSteps(this, sort, args, (job) => sortSteps(args, job, theCore().nWorkers));
}

/** A sort's phases for `parties` tasks: runs, then a gather and a merge phase per round (see above). */
function* sortSteps(args: Args, job: number, parties: number): Steps {
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

/**
 * The one-phase algorithms whose chunks run no user code (a built-in op, no comparator): the calling
 * thread may take a share of these itself (caller.ts). Undefined for every other call.
 */
export function callerPlan(name: BuiltinName, args: Args): OnePhase | undefined {
  if (isCallback(args)) return undefined;
  if (name === 'transform') return transformPlan(args);
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
  forEach, forEachIndex, transform, reduce, findIndex, minElement, maxElement, inclusiveScan, exclusiveScan, sort,
} as const;
export type BuiltinName = keyof typeof BUILTINS;

/** The algorithms as a built-in task module (src/builtins.ts): each function named `beatflow.<name>`. */
export const ALGORITHMS: BuiltinModule = {
  name: 'algorithms',
  functions: Object.fromEntries(Object.entries(BUILTINS).map(([k, v]) => [`beatflow.${k}`, v])),
  bind(c, f) { use(c); fns = f; },
};
