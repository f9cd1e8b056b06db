// The calling thread's share of an algorithm. A direct call that runs no user code (transform with a
// built-in op, reduce/transformReduce with an op, min/maxElement without a comparator, a scan with an op,
// a sort without a comparator) is driven from the host itself instead of from a driving task on a worker:
//
//   1. The host picks `callerHelpers` helpers (partition.ts: none for short work, else one per worker
//      while a CPU is left for each), wakes parked workers for those no idle worker covers (first, so
//      their wake-up overlaps the set-up; a woken worker spins its spin budget for them, and one the
//      push finds parked again is woken again after it), allocates the job
//      block and lays out the index space for itself plus the helpers.
//   2. For each loop phase (one, or a scan's two, or a sort's run and merge phases: drive.ts Steps) it
//      submits the helpers (the builtin with job and index set, as a driving task would spawn them) and
//      starts claiming chunks at once: the work begins without waiting for a parked worker to wake,
//      which costs tenths of a millisecond to milliseconds on a VM, as long as a 10^7-item map takes.
//   3. When the phase's range is used up it withdraws the helpers that have not started (the static part
//      of one it withdrew it runs itself, with a share of its own), and polls the job block while the
//      started ones finish their last chunks: each hands its partial back there (the job block's `done`) as its
//      last touch of the block, before its task retires. A phase ends when every started helper handed
//      back: the next phase's plain writes (and the job block's release) never race a helper of the last
//      one. The helpers' task completions come back later and are dropped. Only when the poll fails (a
//      helper failed, or did not finish within SETTLE_POLL_US) does the phase wait for their settling.
//   4. It combines the partials in part order (its own first) and frees the job block, with no turn of
//      the event loop in between when the poll succeeded.
//
// The host's event loop is busy while it claims chunks: at most the time the call takes, which is what
// the caller waits anyway (between phases it yields). Calls with a user callback run only on workers (a
// callback behaves the same on every worker; on the host it could read variables a worker cannot). The
// graph form (`.task`) is a driving task as before: the host is not on the path between two graph tasks.
import type { Engine } from '../engine/engine.js';
import type { Helper } from '../engine/tasks.js';
import { platform } from '../platform/current.js';
import { Arg } from './spec.js';
import { callerHelpers } from './partition.js';
import type { SharedCore } from '../engine/memory.js';
import { BUILTINS, callerPlan, callerSteps, type BuiltinName } from './builtins.js';
import { allocJob, awaitHandBack, claimLoop, handedBack, resetHandBack, stop, withCore } from './job.js';
import { checkShared, layout, type Share, type Steps } from './drive.js';

/** How long the caller polls for its helpers' hand-backs before it waits for their settling on the event loop (µs). */
export const SETTLE_POLL_US = 2000;
/** How the phases with started helpers ended, since start (tests read it): by their hand-backs, or by settling them. */
export const phaseEnds = { handedBack: 0, settled: 0 };
/** Cost per item assumed, for the helper count only, of a plan that times a probe instead (a plain JS loop over numbers). */
const JS_NS_PER_ITEM = 1;

let cpus = 0;   // cpuCount() once: it asks the OS

/** A call the caller may take part in: its elements, the cost per element assumed, and the helpers the static rule gives it. */
export interface CallerShape { n: number; costNs: number; helpers: number; parallel: number }

/** The shape of a call the calling thread may take part in, or undefined. `parallel`: the helpers of a parallel run (0 on one CPU). */
export function callerShape(ex: Engine, name: BuiltinName, args: unknown[]): CallerShape | undefined {
  const core = ex.core;
  const plan = withCore(core, () => callerPlan(name, args) ?? callerSteps(name, args));
  if (plan === undefined) return undefined;
  const costNs = plan.costNs || JS_NS_PER_ITEM;
  cpus ||= platform().cpuCount();
  return { n: plan.n, costNs, helpers: callerHelpers(plan.n, costNs, core.nWorkers, cpus), parallel: Math.max(0, Math.min(core.nWorkers, cpus - 1)) };
}

/**
 * Runs the call with the caller taking a share, or returns undefined when the call is not one it may
 * take part in. `force`: the helpers to use (the router's choice: 0 runs it on the caller alone);
 * default the static rule's (partition.ts callerHelpers).
 */
export function callerRuns(ex: Engine, name: BuiltinName, args: unknown[], force?: number): Promise<unknown> | undefined {
  const core = ex.core;
  const plan = withCore(core, () => callerPlan(name, args));
  const multi = plan === undefined ? withCore(core, () => callerSteps(name, args)) : undefined;
  if (plan === undefined && multi === undefined) return undefined;
  const n = plan?.n ?? multi!.n, costNs = plan?.costNs ?? multi!.costNs;
  const helpers = force ?? callerHelpers(n, costNs || JS_NS_PER_ITEM, core.nWorkers, (cpus ||= platform().cpuCount()));
  // Workers take part: they linger from now, and parked ones are woken before the set-up below, whose
  // time then overlaps their wake-up (a woken worker searches for its spin budget, not its linger:
  // assembly/worker.ts waitForTask; the wake after the push finds one that parked again).
  const linger = helpers > 0;
  if (linger) { ex.linger.begin(); ex.wake({ count: helpers }); }
  let job = 0;
  try {
    withCore(core, () => { checkShared(args); job = allocJob(helpers + 1); });
  } catch (e) {
    if (linger) ex.linger.end();
    throw e;
  }
  const call = { ex, core, name, args, job };
  const done = (): void => { core.x.heapFree(job); if (linger) ex.linger.end(); };
  if (plan !== undefined) {
    let share!: Share, tasks = 0;
    try {
      withCore(core, () => {
        plan.prepare?.(job);
        share = plan.share(job);
        tasks = layout(args, job, plan.n, share.body, plan.costNs, helpers + 1);
      });
    } catch (e) {
      done();
      throw e;
    }
    const partials = runPhase(call, tasks, share, () => plan.share(job));
    if (partials instanceof Promise) return partials.then((all) => withCore(core, () => plan.result(all, job))).finally(done);
    try {
      return Promise.resolve(withCore(core, () => plan.result(partials, job)));
    } catch (e) {
      return Promise.reject(e);
    } finally {
      done();
    }
  }
  return runPhases(call, withCore(core, () => multi!.steps(job, helpers + 1))).finally(done);
}

/** A helper that was never submitted: "withdrawn" at once, so the caller runs its part. */
const UNSUBMITTED: Helper = { done: Promise.resolve(undefined), revoke: () => true, release: () => {} };

/** One call's fixed parts. */
interface Call { ex: Engine; core: SharedCore; name: BuiltinName; args: unknown[]; job: number }

/** Drives a multi-phase algorithm's steps (drive.ts Steps): each phase run by runPhase, in order. */
async function runPhases(c: Call, g: Steps): Promise<unknown> {
  try {
    for (let r = withCore(c.core, () => g.next()); ; r = withCore(c.core, () => g.next())) {
      if (r.done) return r.value;
      const stopped = c.ex.stopReason;   // destroyed between two phases: rejected like the rest of the work in flight
      if (stopped !== undefined) throw stopped;
      const { tasks, body } = r.value;
      const share: Share = { body, partial: () => undefined };
      await runPhase(c, tasks, share, () => share);
    }
  } catch (e) {
    withCore(c.core, () => g.return(undefined));   // its `finally` frees what it allocated
    throw e;
  }
}

/**
 * One loop phase over the index space set in the job block, for `tasks` parts: the caller is part 0
 * (`first`, which may already hold a probe's work), helpers 1 .. tasks − 1 are submitted, and a withdrawn
 * helper's part runs here on a share of its own (`make`). Returns every part's partial in part order
 * once every started helper handed its partial back in the job block; failing that (an error, a helper
 * that did not finish within the poll) a promise of them once every started helper settled, which
 * rejects with the first error in part order.
 */
function runPhase(c: Call, tasks: number, first: Share, make: () => Share): unknown[] | Promise<unknown[]> {
  if (tasks === 1) return runAlone(c, first);
  const { ex, core, job } = c;
  const self = BUILTINS[c.name] as (...a: unknown[]) => unknown;
  const spawned: Helper[] = [];
  let failed = false, error: unknown;
  const fail = (e: unknown): void => {
    if (!failed) { failed = true; error = e; }
    withCore(core, () => stop(job));
  };
  // From the submission to the end of the wait this thread is busy: lingering workers leave it a CPU
  // (assembly/worker.ts lingerRounds). A hint: were it left set by a throw, workers would linger less.
  core.x.setHostBusy(1);
  try {
    const submit = ex.takesTasks();   // after a completed close() (a later phase), no helper would run: all parts are the caller's
    withCore(core, () => resetHandBack(job));
    for (let p = 1; p < tasks; p++) {
      const a = c.args.slice();
      a[Arg.Job] = job; a[Arg.Index] = p;
      spawned.push(submit ? ex.helper(self, a) : UNSUBMITTED);
    }
    // One woken earlier may have parked again before the push; one still waking counts as looking.
    if (submit && tasks > 1) ex.wake({ count: tasks - 1, queuedOnly: true });
    ex.reap();           // the last call's helpers retired after handing back: settle their slots while ours start
    withCore(core, () => claimLoop(job, 0, first.body));
  } catch (e) {
    fail(e);
  }
  // Withdraw the helpers that have not started. A withdrawn helper's part (its static chunks; nothing
  // for dynamic and guided, whose cursor is used up) runs here with a share of its own, so every part's
  // partial keeps its place: the result folds them in part order, as a driving task's join would.
  const partials: unknown[] = [failed ? undefined : first.partial()];
  const handed: number[] = [];   // the parts of the started helpers
  spawned.forEach((h, i) => {
    if (!h.revoke()) { partials.push(h.done); handed.push(i + 1); return; }
    if (failed) { partials.push(undefined); return; }
    try {
      partials.push(withCore(core, () => {
        const mine = make();
        claimLoop(job, i + 1, mine.body);
        return mine.partial();
      }));
    } catch (e) { fail(e); partials.push(undefined); }
  });
  // The started helpers are finishing their last chunks. Each hands its partial back in the job block
  // (job.ts handBack) before its task retires: counted there, they need no settling, and their
  // tasks' results (the same partials) are dropped when they come back.
  const back = !failed && withCore(core, () => awaitHandBack(job, handed.length, SETTLE_POLL_US));
  core.x.setHostBusy(0);
  if (back) {
    for (const p of handed) {
      spawned[p - 1].release();
      partials[p] = withCore(core, () => handedBack(job, p));
    }
    if (handed.length > 0) phaseEnds.handedBack++;
    return partials;
  }
  if (handed.length > 0) phaseEnds.settled++;
  return settleAll(partials, failed, error);
}

/**
 * A phase of one part (the router's serial route, or a call too small for a helper): the caller runs
 * every chunk, as runPhase would with no helper to submit, withdraw or wait for.
 */
function runAlone(c: Call, first: Share): unknown[] | Promise<unknown[]> {
  const { ex, core, job } = c;
  core.x.setHostBusy(1);
  try {
    ex.reap();
    return withCore(core, () => { resetHandBack(job); claimLoop(job, 0, first.body); return [first.partial()]; });
  } catch (e) {
    withCore(core, () => stop(job));
    return Promise.reject(e);
  } finally {
    core.x.setHostBusy(0);
  }
}

/** Every partial settled (all awaited at once: a rejection is handled as it happens); the first error wins. */
async function settleAll(partials: unknown[], failed: boolean, error: unknown): Promise<unknown[]> {
  const settled = await Promise.allSettled(partials);
  const values: unknown[] = [];
  for (const s of settled) {
    if (s.status === 'fulfilled') values.push(s.value);
    else if (!failed) { failed = true; error = s.reason; }
  }
  if (failed) throw error;
  return values;
}
