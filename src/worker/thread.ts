// One worker thread's state, shared by the files of src/worker/.
//
// main.ts creates the thread's one Thread and then each file's part of the worker, once, as closures
// over it (openFrames(th), createJoin(th, …), …). A closure created once per thread lets V8 treat
// what it captures as constants (the thread and its read-only fields: addresses, word offsets, flag
// bits), as it would a module's own constants; so splitting the worker into files costs the per-task
// path nothing. Thread is a class whose fields are all set in its constructor, so its shape never
// changes. The mutable fields below are the state several files share; each group is written only by
// the file named beside it. State one file keeps to itself lives in that file's closure.
import { NONE, type CoreExports, type SharedCore } from '../engine/memory.js';
import { Codec, Kind } from '../engine/codec.js';
import type { FunctionCache } from '../engine/functions.js';
import type { Sampler } from '../observe/sampler.js';
import type { ObserverHooks } from '../observe/observers.js';
import type { TaskContext } from './context.js';
import type { Platform } from '../platform/types.js';

/** argInfo of a task whose only argument is one number (src/engine/kinds.ts: argc 1, kind Number in the first nibble). */
export const ONE_NUMBER = 1 | (Kind.Number << 4);

/**
 * What a frame joins when its task returns, in the order made: its subflows and task groups (group.ts),
 * and the handles of the dependent tasks it made (dependent.ts), joined after its children (`last`: the
 * children may still be using them). `drop` frees what it holds after the task failed and its children
 * were waited for.
 */
export interface Joinable {
  readonly last?: boolean;
  join(): unknown;
  drop?(): void;
}

/**
 * What a frame holds to join (th.frameSubs): the one it made, alone (a recursion through subflows makes
 * one a call: no list for it), or a list once it made a second.
 */
export type Joinables = Joinable | Joinable[];

/** The frame's joinables at depth d as a list, which the caller may add to (a lone one becomes a list). */
export function joinablesAt(th: Thread, d: number): Joinable[] {
  const s = th.frameSubs[d];
  if (s === undefined) return (th.frameSubs[d] = []);
  return Array.isArray(s) ? s : (th.frameSubs[d] = [s]);
}

/** No children: the list a join is given for a frame that made only inline ones (a child list is made on first spawn). Nothing writes into it. */
export const NO_KIDS: number[] = [];

/** A task suspended on a promise (suspend.ts), with what its frame held, and its settlement once known. */
export interface Suspended {
  t: number;
  entry: number;
  kids: number[] | undefined;
  subs: Joinables | undefined;
  signal: AbortController | undefined;
  /** The outcomes of the children it ran inline and has not joined (lazy.ts park), if any. */
  inline: InlineOutcomes | undefined;
  ok: boolean;
  value: unknown;
}

/** Takes child c off a frame's `kids`, keeping the order (splice allocates; this is the hot path of fork-join). */
export function unlist(kids: number[], c: number): void {
  const i = kids.indexOf(c);
  if (i < 0) return;   // not one of them: nothing to take off
  for (let k = i; k < kids.length - 1; k++) kids[k] = kids[k + 1];
  kids.pop();
}

/** A frame's region of inline outcomes, kept while its task is suspended (lazy.ts). */
export interface InlineOutcomes {
  vals: unknown[];
  kinds: Uint8Array;
}

export class Thread {
  // ---- the core: read-only after construction ----
  readonly w: number;
  readonly core: SharedCore;
  readonly x: CoreExports;
  readonly codec: Codec;
  /** Address of the task table and the size of a record. */
  readonly tasks: number;
  readonly taskSize: number;
  /** Word offsets (u32 index from a record's first word) of the Task fields the worker reads. */
  readonly T_fn: number; readonly T_argInfo: number; readonly T_npred: number; readonly T_pred: number;
  readonly T_flags: number; readonly T_nsucc: number; readonly T_succ: number; readonly T_run: number;
  readonly T_done: number; readonly T_token: number;
  /** A child's fork-join level (Task.state of a Child: forecast.ts). */
  readonly T_state: number;
  /** Word indices of Task.pending and Task.deps (a fork-join child's spawner + 1: fork-stop.ts). */
  readonly T_pending: number; readonly T_deps: number;
  /**
   * A fork-join stop's constants (fork-stop.ts; assembly/layout.ts FORK_FAILED_SHIFT): the Fork flag, the
   * first bit of the failed levels in a spawner's `pending`, and how many levels have a bit. Kept here,
   * read on every fork-join that spawns a job: the layout object is a dictionary (hundreds of names).
   */
  readonly FORK: number; readonly FORK_SHIFT: number; readonly FORK_LEVELS: number;
  /** Byte offsets of the f64 fields: the first argument word, the start time. */
  readonly T_a0: number; readonly T_tStart: number;
  /** TaskFlag bits. */
  readonly CONDITION: number; readonly WATCHED: number; readonly NOTIFY_HOST: number; readonly CHILD: number; readonly DEPENDENT: number;
  /** Word indices of this worker's WorkerSlot.current and WorkerSlot.parked. */
  readonly currentAt: number;
  readonly parkedAt: number;
  /** Word index of WorkerSlot.inlined. */
  readonly inlinedAt: number;

  // ---- main.ts, once during start-up ----
  /** Every task function, by id (the task context is `this` for those that use it). */
  fns: FunctionCache | undefined = undefined;
  ctx: TaskContext | undefined = undefined;
  sampler: Sampler | undefined = undefined;
  /** Observer hook (src/observe/observers.ts): tested once per task. */
  observers: ObserverHooks | undefined = undefined;
  /** An elastic slot or the single-threaded mode: tasks retire with finishNested, never blocking in Wasm (lifecycle.ts). */
  elastic = false;
  /** The single-threaded mode: this worker runs on the host thread, alone; it must never block (start.ts). */
  single = false;

  // ---- frames.ts: the stack of tasks this worker runs (they nest while it helps in a join) ----
  readonly frameTask: number[] = [];
  readonly frameKids: (number[] | undefined)[] = [];
  readonly frameSubs: (Joinables | undefined)[] = [];
  /** The AbortController behind `this.signal` of the task at each depth, once it asked (cancel.ts). */
  readonly frameSignal: (AbortController | undefined)[] = [];
  /** The fork-join level of the task at each depth: 0 for a task submitted or of a graph, a child's spawner's + 1 (forecast.ts). */
  readonly frameLevel: number[] = [];
  /** Where the outcomes of the children each depth ran inline start in `inVals` (lazy.ts). */
  readonly frameBase: number[] = [];
  /** The run whose failure or cancellation skips the children the task at each depth spawns (cancel.ts stopRunOf). */
  readonly frameStop: number[] = [];
  depth = 0;
  /** Frames of real tasks (not inline children) on the stack: the frames block's count + 1. */
  tasksDeep = 0;

  // ---- lazy.ts: outcomes of children run inline, a stack with a region per frame (frames.ts leave() pops it) ----
  readonly inVals: unknown[] = [];
  /** Per entry: lazy.ts Outcome. */
  inKinds = new Uint8Array(64);
  inTop = 0;
  /** Children run inline so far: WorkerSlot.inlined, which lazy.ts and run.ts store now and then (owner-written, a metric). */
  inlined = 0;

  // ---- choices.ts: where a finishing condition task listed its choices (finish reads them) ----
  choices = 0;

  // ---- suspend.ts: tasks suspended on promises ----
  /** Suspended tasks whose promise settled, in settlement order: the loop resumes them first. */
  readonly resumable: Suspended[] = [];
  /** Tasks suspended now (settled ones included until resumed). */
  suspended = 0;

  /** The platform's waitAsync: how this thread waits for a word without blocking (suspend.ts, cancel.ts). */
  readonly wait: Platform['waitAsync'];

  constructor(core: SharedCore, w: number, wait: Platform['waitAsync']) {
    const L = core.L;
    this.w = w;
    this.wait = wait;
    this.core = core;
    this.x = core.x;
    this.codec = new Codec(core);
    this.tasks = core.tasks;
    this.taskSize = L.size_Task;
    this.T_fn = L.T_fn >> 2; this.T_argInfo = L.T_argInfo >> 2; this.T_npred = L.T_npred >> 2; this.T_pred = L.T_pred >> 2;
    this.T_flags = L.T_flags >> 2; this.T_nsucc = L.T_nsucc >> 2; this.T_succ = L.T_succ >> 2; this.T_run = L.T_run >> 2;
    this.T_done = L.T_done >> 2; this.T_token = L.T_token >> 2; this.T_state = L.T_state >> 2;
    this.T_pending = L.T_pending >> 2; this.T_deps = L.T_deps >> 2;
    this.FORK = L.flag_Fork; this.FORK_SHIFT = L.flag_ForkFailedShift; this.FORK_LEVELS = L.count_ForkFailedLevels;
    this.T_a0 = L.T_a0; this.T_tStart = L.T_tStart;
    this.CONDITION = L.flag_Condition; this.WATCHED = L.flag_Watched; this.NOTIFY_HOST = L.flag_NotifyHost; this.CHILD = L.flag_Child; this.DEPENDENT = L.flag_Dependent;
    this.currentAt = this.slotWord(L.W_current);
    this.parkedAt = this.slotWord(L.W_parked);
    this.inlinedAt = this.slotWord(L.W_inlined);
  }

  /** Word index of field `off` (a byte offset from core.L) of this worker's WorkerSlot. */
  slotWord(off: number): number {
    return (this.core.workerPtr(this.w) + off) >> 2;
  }

  /** Word index of the first word of task t's record. */
  record(t: number): number {
    return (this.tasks + t * this.taskSize) >> 2;
  }

  /** The fork-join level of the task at record p (its flags read): a child's from its record, else 0. */
  levelOf(p: number, flags: number): number {
    return (flags & this.CHILD) !== 0 ? this.core.u32[(p >> 2) + this.T_state] : 0;
  }

  /** The run whose failure or cancellation stops the task at record p (its flags read): its own, or a child's spawner's. */
  stopRunAt(p: number, flags: number): number {
    const run = this.core.u32[(p >> 2) + this.T_run];
    return run === NONE && (flags & this.CHILD) !== 0 ? this.core.u32[(p >> 2) + this.T_pred] : run;
  }
}
