// Graph runs on the host: the placement cache (each taskflow is laid into the task table once, by
// placement.ts, and re-run in place), starting a run (one seed on a submission queue: the workers claim
// its sources), resuming a failed one, settling a run when the core posts its end, and giving the slots
// back (release, or when the taskflow is garbage-collected).
//
// Runs of one taskflow execute one after another, in submission order: each waits on the previous
// one's settlement (#queues). A run takes a run slot (Run, assembly/layout.ts) for its placement's
// lifetime; the core counts its tasks down and posts RUN_BIT | slot when the count reaches zero.
import { Kind } from './codec.js';
import { NONE } from './memory.js';
import { place, release, byPriority, flagsLevel, type Placed } from './placement.js';
import { RunResult, TaskState } from './run-result.js';
import { flatten, flatName, FlatKind } from '../graph/flatten.js';
import { Taskflow } from '../graph/taskflow.js';
import { boundArgs } from '../graph/task-work.js';
import { FnArg } from './functions.js';
import { checkedPriority, type Priority } from '../policy/scheduling.js';
import { messages, CancelledError, DataCloneError, TimeoutError, type TaskFailure } from '../errors.js';
import type { EngineParts } from './parts.js';
import type { SemBinder } from './semaphores.js';

/** The call whose options these are, as messages name it (runN and runUntil pass theirs on to it). */
const RUN = 'executor.run(tf, options)';

const KNOWN = ['signal', 'deadline', 'priority', 'resume'] as const;

/** Throws a TypeError naming `what` unless tf is a Taskflow. */
export function checkTaskflow(what: string, tf: unknown): void {
  if (!(tf instanceof Taskflow)) throw new TypeError(messages.notATaskflow(what, tf));
}

/**
 * Checks the options of run, runN and runUntil (before any run starts); returns the priority level.
 * Every message names the option.
 */
export function checkRunOptions(o: RunOptions | undefined): number {
  if (o === undefined) return 2;
  if (typeof o !== 'object' || o === null) throw new TypeError(messages.runOptions(RUN, o));
  for (const k of Object.keys(o)) if (!(KNOWN as readonly string[]).includes(k)) throw new TypeError(messages.unknownOption(RUN, k, KNOWN));
  if (o.resume !== undefined && typeof o.resume !== 'boolean') throw new TypeError(messages.callOption(RUN, 'resume', 'true or false', o.resume));
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError(messages.callOption(RUN, 'signal', 'an AbortSignal', o.signal));
  const d = o.deadline;
  if (d !== undefined && !(d instanceof Date ? Number.isFinite(d.getTime()) : typeof d === 'number' && Number.isFinite(d))) {
    throw new TypeError(messages.callOption(RUN, 'deadline', 'milliseconds or a Date', d));
  }
  return o.priority === undefined ? 2 : checkedPriority(`${RUN}: options.priority`, o.priority);
}

/** Options for executor.run / runN / runUntil. */
export interface RunOptions {
  /** Cancels the run when aborted: no new task of it starts, running ones finish, the promise rejects with a CancelledError. */
  signal?: AbortSignal;
  /**
   * Milliseconds from now (or a Date) by which the run must finish; past it the run is cancelled and
   * its promise rejects with a TimeoutError naming the taskflow.
   */
  deadline?: number | Date;
  /** 'critical' | 'high' | 'normal' | 'low': the run's start waits in that submission queue. Default 'normal'. */
  priority?: Priority;
  /**
   * Runs only the tasks that did not finish in the taskflow's previous run (it failed or was cancelled);
   * the finished ones keep their results, which their successors receive. After a run that completed
   * it runs nothing. Not for taskflows with condition tasks.
   */
  resume?: boolean;
}

/** The promise of a run, with a way to cancel it. */
export type RunHandle = Promise<RunResult> & {
  /**
   * Stops scheduling the run's tasks (running ones finish) and rejects the promise with a CancelledError
   * whose `cause` is `reason`. Does nothing once the run has settled.
   */
  cancel(reason?: unknown): void;
};

/** One accepted run: whether it was cancelled, and the run slot once it started. */
type RunState = { cancelled: boolean; reason: unknown; slot: number; level: number; resume: boolean; list: number };
type RunWaiter = { resolve(v: RunResult): void; reject(e: unknown): void; placed: Placed; tf: Taskflow; run: number; state: RunState };

/** What the runs need of the engine. */
export interface RunHost extends EngineParts {
  readonly maxRuns: number;
  /** The Sem blocks of the semaphores its taskflows use (placement binds them). */
  readonly semaphores: SemBinder;
  /** Task slots came back: tasks waiting for one may go. */
  slotsFreed(): void;
}

/**
 * Re-plans a laid-out taskflow between its runs (learn/critical.ts: critical-path priorities), set by the
 * facade. beforeRun: on the host before run number `run` starts, never while a run of it is in flight
 * (runs of one taskflow are serial); its plain writes to the task records are published by the run's
 * start. afterRun: once that run ended (failed or cancelled too), before it settles.
 */
export interface RunPlanner { beforeRun(placed: Placed, run: number): void; afterRun(placed: Placed): void }

/** Host thread only. */
export class Runs {
  /** The planner of graph runs (learning on), or undefined: runs keep the levels they were laid out with. */
  planner: RunPlanner | undefined;
  readonly #h: RunHost;
  readonly #waiters: (RunWaiter | undefined)[] = [];
  readonly #freeSlots: number[] = [];
  readonly #placed = new WeakMap<Taskflow, Placed>();
  /** Per taskflow: the settlement of its last accepted run; the next one starts after it. */
  readonly #queues = new WeakMap<Taskflow, Promise<unknown>>();
  /** Runs accepted and not yet settled, including those queued behind an earlier run of their taskflow. */
  readonly pending = new Set<Promise<void>>();
  /** Every taskflow laid out now, for naming a failed task (error path only). */
  readonly #live = new Set<Placed>();
  readonly #collected: FinalizationRegistry<Placed>;
  readonly #read: (t: number) => unknown;
  /** Told after the host cancels a run (host jobs watching their run: host-task.ts). */
  readonly #cancelled = new Set<() => void>();
  readonly #state: (t: number) => TaskState;

  constructor(host: RunHost) {
    this.#h = host;
    for (let r = host.maxRuns - 1; r >= 0; r--) this.#freeSlots.push(r);
    this.#collected = new FinalizationRegistry((pl) => this.#release(pl));
    const { core, codec } = host;
    this.#read = (t) => codec.readResult(core.taskPtr(t));
    this.#state = (t) => {
      const k = codec.resultKind(core.taskPtr(t));
      return k === Kind.NotReached ? TaskState.NotReached : k === Kind.Error || k === Kind.Skipped ? TaskState.FailedOrSkipped : TaskState.Finished;
    };
  }

  /** executor.run: checks the taskflow and the options, then queues the run behind the taskflow's earlier ones. */
  run(tf: Taskflow, options: RunOptions | undefined): RunHandle {
    let level = 2;
    try {
      checkTaskflow(`${RUN}: tf`, tf);
      level = checkRunOptions(options);
    } catch (e) {
      return Object.assign(Promise.reject(e), { cancel: () => {} });
    }
    const state: RunState = { cancelled: false, reason: undefined, slot: -1, level, resume: options?.resume === true, list: 0 };
    const cancel = (reason?: unknown): void => this.#cancel(state, reason);
    const refuse = (e: unknown): RunHandle => Object.assign(Promise.reject(e), { cancel });
    if (!this.#h.isOpen()) return refuse(new Error(messages.closed('run')));
    const full = this.#h.queue.refuse('run');
    if (full) return refuse(full);
    const signal = options?.signal;
    const d = options?.deadline;
    const deadlineMs = d === undefined ? undefined : d instanceof Date ? d.getTime() - Date.now() : d;
    const next = (this.#queues.get(tf) ?? Promise.resolve()).then(() => this.#start(tf, state));
    const settled = next.then(() => {}, () => {});
    this.#queues.set(tf, settled);
    this.pending.add(settled);
    if (signal) {
      const onAbort = (): void => cancel(signal.reason);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        void settled.then(() => signal.removeEventListener('abort', onAbort));
      }
    }
    void settled.then(() => this.pending.delete(settled));
    if (deadlineMs !== undefined) {
      const ms = deadlineMs;
      const timer = setTimeout(() => cancel(new TimeoutError(messages.runDeadline(tf.name, ms), { task: tf.name, timeout: ms })), Math.max(0, ms));
      void settled.then(() => clearTimeout(timer));
    }
    return Object.assign(next, { cancel });
  }

  #cancel(state: RunState, reason: unknown): void {
    if (state.cancelled) return;
    state.cancelled = true;
    state.reason = reason;
    if (state.slot >= 0 && this.#waiters[state.slot]?.state === state) {
      this.#h.core.x.runCancel(state.slot);
      for (const fn of this.#cancelled) fn();
    }
  }

  /** Calls fn after each cancellation of a started run (cancel(), its signal, its deadline); returns a remover. */
  onCancel(fn: () => void): () => void {
    this.#cancelled.add(fn);
    return () => { this.#cancelled.delete(fn); };
  }

  /** Lays tf out if it is not (or has changed), then starts the run. */
  #start(tf: Taskflow, state: RunState): Promise<RunResult> {
    const h = this.#h;
    if (!h.isRunning()) return Promise.reject(new Error(messages.closed('run')));
    if (state.cancelled) {
      return Promise.reject(state.reason instanceof TimeoutError ? state.reason : new CancelledError(messages.cancelled(tf.name), state.reason));
    }
    let pl = this.#placed.get(tf);
    if (pl && pl.version !== tf.compositeVersion) { this.#release(pl); this.#collected.unregister(pl); pl = undefined; }
    if (!pl) {
      const r = this.#freeSlots.pop();
      if (r === undefined) return Promise.reject(new RangeError(messages.tooManyRuns(h.maxRuns)));
      try {
        pl = place(tf, h.core, h.codec, h.fns, r, h.semaphores);
      } catch (e) {
        this.#freeSlots.push(r);
        return Promise.reject(e instanceof DataCloneError ? this.#namedArgFault(tf, e) : e);
      }
      this.#live.add(pl);
      this.#placed.set(tf, pl);
      this.#collected.register(tf, pl, pl);
    }
    const placed = pl;
    if (state.resume && placed.conditional) return Promise.reject(new TypeError(messages.resumeConditional(tf.name)));
    const resume = state.resume && placed.lastFailed;
    const run = ++placed.runs;
    if (placed.slots.length === 0 || (state.resume && !resume)) return Promise.resolve(new RunResult(tf, placed, run, this.#read));
    if (placed.conditional) this.#rewind(placed);
    else if (!resume) this.planner?.beforeRun(placed, run);
    let sources = placed.block;
    let nSources = placed.nSources;
    if (resume) {
      try { [sources, nSources] = this.#resumeSources(placed); } catch (e) { return Promise.reject(e); }
      state.list = sources;
    }
    return new Promise<RunResult>((resolve, reject) => {
      this.#waiters[placed.runSlot] = { resolve, reject, placed, tf, run, state };
      state.slot = placed.runSlot;
      h.completions.inFlight++;
      h.core.x.runStartAt(placed.runSlot, sources, nSources, state.level);
      h.demand();
      h.completions.ensurePump();
    });
  }

  /**
   * Before a run of a taskflow with condition tasks. A task no condition leads to this run must not show
   * an older run's value, nor count as finished; and a task whose strong predecessors only partly ran
   * last time (one behind a branch not taken) kept its counter part-way down, which would let it start
   * after its other predecessors alone this time. (Without conditions every task of a run retires, ran
   * or skipped, and leaves its counter reset.) The previous run has ended and no worker reads these
   * tasks; runStartAt's atomic push of the seed publishes these plain stores.
   */
  #rewind(placed: Placed): void {
    const { core, codec } = this.#h;
    const L = core.L;
    for (const t of placed.slots) {
      const p = core.taskPtr(t);
      codec.clearNotReached(p);
      core.i32[(p + L.T_pending) >> 2] = core.u32[(p + L.T_deps) >> 2];
    }
  }

  /**
   * For resuming a failed run: the tasks that did not finish (failed or skipped) run again, each waiting
   * only for its unfinished predecessors (their `pending` is set here; the finished keep their results).
   * Returns a heap list of the ones that can start at once, and how many. Tasks retire with pending reset
   * to their full dependency count, so the run after this one is a normal one again.
   */
  #resumeSources(placed: Placed): [number, number] {
    const { core, codec } = this.#h;
    const L = core.L;
    const u32 = core.u32;
    const unfinished = new Set<number>();
    for (const t of placed.slots) {
      const k = codec.resultKind(core.taskPtr(t));
      if (k === Kind.Error || k === Kind.Skipped) unfinished.add(t);
    }
    const ready: number[] = [];
    for (const t of unfinished) {
      const i = core.taskPtr(t) >> 2;
      const list = u32[i + (L.T_pred >> 2)] >> 2;
      let waiting = 0;   // over all strong predecessors (deps), not only those whose results are arguments (npred)
      for (let k = 0; k < u32[i + (L.T_deps >> 2)]; k++) if (unfinished.has(u32[list + k])) waiting++;
      core.i32[i + (L.T_pending >> 2)] = waiting;
      codec.freeResult(core.taskPtr(t));
      if (waiting === 0) ready.push(t);
    }
    // Ordered as placement orders sources (the core reads the first two to tell whether levels are mixed).
    const ordered = byPriority(ready, (t) => flagsLevel(u32[(core.taskPtr(t) + L.T_flags) >> 2], L.flag_LevelShift), false);
    const block = core.alloc(4 * Math.max(1, ordered.length));
    core.u32.set(ordered, block >> 2);
    return [block, ready.length];
  }

  /**
   * A graph task's argument could not be encoded at placement: the same error, naming the task and the
   * argument (found again here, on the error path only).
   */
  #namedArgFault(tf: Taskflow, e: DataCloneError): DataCloneError {
    const flat = flatten(tf);
    for (let i = 0; i < flat.tasks.length; i++) {
      if (flat.kind[i] !== FlatKind.Task) continue;
      const bound = boundArgs(flat.tasks[i]).map((a) => (a instanceof FnArg ? 0 : a));   // callbacks travel as function ids
      const f = this.#h.codec.argFault(bound);
      if (f !== undefined) return Object.assign(this.#h.codec.refusal(messages.argument(f.index, flatName(flat, i)), f.fault), { task: flatName(flat, i) });
    }
    return e;
  }

  /** executor.release: waits for tf's runs in flight, then gives its slots and memory back. */
  async release(tf: Taskflow): Promise<void> {
    checkTaskflow('executor.release(tf): tf', tf);
    await (this.#queues.get(tf) ?? Promise.resolve());
    const pl = this.#placed.get(tf);
    if (!pl) return;
    this.#placed.delete(tf);
    this.#collected.unregister(pl);
    this.#release(pl);
  }

  #release(pl: Placed): void {
    if (pl.released) return;
    this.#live.delete(pl);
    if (this.#h.isRunning()) release(pl, this.#h.core, this.#h.codec);
    this.#freeSlots.push(pl.runSlot);
    this.#h.slotsFreed();
  }

  /** The core posted the end of the run in slot r. */
  done(r: number): void {
    const w = this.#waiters[r];
    if (!w) return;   // already settled (destroy)
    this.#waiters[r] = undefined;
    const h = this.#h;
    h.completions.inFlight--;
    if (!w.placed.conditional) this.planner?.afterRun(w.placed);
    const core = h.core;
    if (w.state.list !== 0) core.x.heapFree(w.state.list);
    const failed = Atomics.load(core.i32, (core.runPtr(r) + core.L.R_failed) >> 2);
    const result = new RunResult(w.tf, w.placed, w.run, this.#read, this.#state);
    w.placed.lastFailed = failed !== 0 || w.state.cancelled;
    if (failed === 0 && !w.state.cancelled) {
      w.resolve(result);
      return;
    }
    // A cancelled run rejects as cancelled, with any task errors attached; otherwise the first error
    // is the rejection and the others are attached.
    const first = failed - 1;
    const stop = w.state.reason instanceof TimeoutError ? w.state.reason : new CancelledError(messages.cancelled(w.tf.name), w.state.reason);
    const err = (w.state.cancelled ? stop : h.outcomes.errorOf(first)) as TaskFailure & { suppressed?: unknown[] };
    const others: unknown[] = [];
    for (const t of w.placed.slots) {
      if ((w.state.cancelled || t !== first) && h.codec.resultKind(core.taskPtr(t)) === Kind.Error) {
        const e = h.outcomes.errorOf(t);
        // A subflow join that stopped because this run failed or was cancelled is a consequence, not a cause.
        if (!(e instanceof Error && e.name === 'CancelledError')) others.push(e);
      }
    }
    if (others.length > 0) err.suppressed = others;
    (err as { partial?: RunResult }).partial = result;
    w.reject(err);
  }

  /** The name of graph task t in its taskflow, or undefined if t is not part of a laid-out taskflow. */
  taskName(t: number): string | undefined {
    const core = this.#h.core;
    const run = core.u32[(core.taskPtr(t) + core.L.T_run) >> 2];
    if (run === NONE) return undefined;
    for (const pl of this.#live) {
      if (pl.runSlot !== run) continue;
      const i = pl.slots.indexOf(t);
      const tf = pl.tf.deref();
      if (i >= 0 && tf && tf.compositeVersion === pl.version) return flatName(flatten(tf), i);   // error path only
    }
    return undefined;
  }

  /** The executor stopped with `reason`: reject every run in flight. */
  rejectAll(reason: Error): void {
    for (let r = 0; r < this.#waiters.length; r++) {
      const w = this.#waiters[r];
      if (w) { this.#waiters[r] = undefined; w.reject(reason); }
    }
  }
}
