// Driving an algorithm call. One call = one *driving* task (the builtin called with job = 0). It allocates a
// job block (spec.ts), chooses the chunking (partition.ts, timing a probe of real work when the grain is
// left to it), spawns up to workers − 1 *helpers* (the same builtin with job and index set) through the
// task context's spawn, works on the index space itself, then joins them (helping: a helper nobody stole
// runs on the driver, and finds nothing left to claim) and combines their partial results. So the same
// task works from executor.async (the direct form) and as a node of a graph. A one-phase algorithm gives
// a plan (OnePhase: builtins.ts); a multi-phase one (scan.ts, sort.ts) yields its phases (Steps).
import { messages } from '../errors.js';
import { chooseGrain, nextProbe, staticGrain, taskCount, PROBE_ITEMS, KERNEL_CHUNK_NS } from './partition.js';
import type { NumArray } from './merge.js';
import { Arg, PART_STATIC, PART_DYNAMIC } from './spec.js';
import { type Args, type Body, allocJob, claimLoop, handBack, setSpace, stop, theCore } from './job.js';
import { type ItemCost, itemCost } from './grain.js';

/** What a builtin sees as `this`: the worker's task context (fork-join). */
export interface Ctx {
  spawn(fn: Function, ...args: unknown[]): number;
  join(handles: readonly number[]): unknown[];
}

/** A task's part of an algorithm: the chunk body and, for reductions, its partial result. */
export interface Share { body: Body; partial: () => unknown }
/** The partial of a share that has none. */
export const NOTHING = (): unknown => undefined;

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
export function explain(e: unknown): unknown {
  if (!(e instanceof ReferenceError) || e.message.includes('options.args')) return e;
  const m = /^(\S+) is not defined$/.exec(e.message);
  if (!m) return e;
  e.message = messages.capturedInCallback(m[1]);
  return e;
}

/**
 * A helper: runs this phase's share (setting `stop` if the callback throws, so the others stop early) and
 * returns its partial, which it also hands back in the job block when the calling thread drives the call.
 */
export function helper(args: Args, body: Body, partial: () => unknown = NOTHING): unknown {
  const job = args[Arg.Job] as number, index = args[Arg.Index] as number;
  try { claimLoop(job, index, body); } catch (e) { stop(job); throw explain(e); }
  const p = partial();
  handBack(job, index, p);
  return p;
}

/**
 * Lays out one loop phase of [0, n) for `parties` tasks and writes it in the job block: for dynamic and
 * guided with no grain given it first runs (and times) probe chunks of growing length on this thread, so
 * the grain comes from the measured cost per item; `costNs` (a kernel's known cost) skips the probe, and
 * so does a callback's learned cost (`meter.predicted`, grain.ts), while the probe's time is added to
 * the meter. Returns how many tasks share the phase (0: the probe did it all).
 */
export function layout(args: Args, job: number, n: number, body: Body, costNs: number, parties: number, meter?: ItemCost): number {
  const kind = args[Arg.Part] as number;
  let grain = args[Arg.Grain] as number;
  let done = 0;
  if (kind === PART_STATIC) {
    grain = staticGrain(n, parties, grain || undefined);
  } else if (grain === 0) {
    const learned = meter === undefined ? 0 : meter.predicted;
    let ns = 0;
    if (costNs === 0 && learned === 0) {
      for (let len = PROBE_ITEMS; len > 0 && done < n;) {
        const hi = Math.min(n, done + len);
        const t0 = performance.now();
        body(done, hi);
        ns += (performance.now() - t0) * 1e6;
        len = nextProbe(hi - done, ns);
        done = hi;
      }
      if (meter !== undefined) { meter.ns += ns; meter.items += done; }
    }
    // A known cost is a built-in kernel's (the plans give callbacks 0): its chunks can be shorter.
    grain = costNs > 0 ? chooseGrain(n, parties, costNs, KERNEL_CHUNK_NS)
      : learned > 0 ? chooseGrain(n, parties, learned)
        : chooseGrain(n - done, parties, ns / Math.max(1, done));
  }
  if (kind === PART_DYNAMIC) grain = Math.min(grain, Math.max(1, Math.ceil((n - done) / parties)));
  const tasks = taskCount(n - done, grain, parties);
  setSpace(job, n, kind, grain, kind === PART_STATIC ? tasks : parties, done);
  return tasks;
}

/**
 * The driver's loop phase: laid out for the workers, then run by it and its helpers. A callback's cost
 * per item is learned from the probe and the driver's own chunks (grain.ts), once per call.
 */
function drive(ctx: Ctx, self: Function, args: Args, job: number, n: number, body: Body, costNs: number, finish: () => unknown,
  prepare?: () => void): unknown[] {
  const meter = itemCost(args, n, costNs, args[Arg.Part] as number);
  const tasks = layout(args, job, n, body, costNs, theCore().nWorkers, meter);
  prepare?.();   // before any helper exists: what it sets up is published by the spawns
  if (tasks === 0) { meter?.observe(); return [finish()]; }
  const out = forkJoin(ctx, self, args, job, tasks, () => {
    if (meter === undefined) claimLoop(job, 0, body);
    else meter.time(() => claimLoop(job, 0, body));
    return finish();
  });
  meter?.observe();
  return out;
}

/** Throws unless every array argument is a view on this core's shared memory. */
export function checkShared(args: Args): void {
  for (const at of [Arg.A, Arg.B, Arg.C, Arg.Out]) {
    const v = args[at] as NumArray | null;
    if (v !== null && !theCore().ownsBuffer(v.buffer)) {
      throw new TypeError(messages.algorithmArraysNotShared);
    }
  }
}

/** One loop phase of a multi-phase algorithm: the job block's index space is set; `tasks` tasks run `body` over it. */
export interface Phase { tasks: number; body: Body }
/** A multi-phase algorithm (scan, sort): yields its phases in order, returns the result; cleans up in `finally`. */
export type Steps = Generator<Phase, unknown, void>;

/** The driving task's loop over the phases of `steps`: each one forked and joined here. */
export function runSteps(ctx: Ctx, self: Function, args: Args, steps: (job: number) => Steps): unknown {
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
export function onePhase(ctx: Ctx, self: Function, args: Args, plan: OnePhase): unknown {
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
