// A worker thread: the JS half of the worker loop (the Wasm half is assembly/worker.ts).
// It attaches to the shared core, imports the task module, then runs tasks until the core says
// SHUTDOWN. Per task there is one call into Wasm (finish, which also finds the next task); there is
// no postMessage per task.
import { SharedCore, EMPTY, RETRY, SHUTDOWN, NONE } from '../engine/memory.js';
import { Codec, Kind, type PlainError } from '../engine/codec.js';
import { messages, rebuildError, CancelledError } from '../errors.js';
import { FunctionCache } from '../engine/functions.js';
import { workerContext, yieldToEventLoop } from '../platform/node.js';
import { bindBuiltins } from '../algorithms/builtins.js';
import { bindBatch } from '../engine/batch-task.js';
import { Subflow } from '../graph/subflow.js';
import { RETRY_SHIFT } from '../engine/placement.js';
import { retryDelayMs } from '../policy/scheduling.js';
import { runSubflow, type SubflowHost } from './subflow.js';
import { Sampler } from '../observe/metrics.js';
import { workerLifecycle, type LifecycleData } from './lifecycle.js';
import type { TaskContext } from './context.js';

export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  worker: number;
  moduleUrl?: string;
  /** Recycling and idle exit (src/worker/lifecycle.ts). */
  lifecycle?: LifecycleData;
}

const ctx = workerContext<WorkerData>();
const utf8d = new TextDecoder();
const { worker: w } = ctx.data;
const core = SharedCore.attach(ctx.data.module, ctx.data.memory);
const codec = new Codec(core);
const ns = ctx.data.moduleUrl ? ((await import(ctx.data.moduleUrl)) as Record<string, unknown>) : {};
const L = core.L;
const x = core.x;
const tasks = core.tasks;
const taskSize = L.size_Task;
const T_fn = L.T_fn >> 2, T_argInfo = L.T_argInfo >> 2, T_npred = L.T_npred >> 2, T_pred = L.T_pred >> 2;
const T_flags = L.T_flags >> 2, T_nsucc = L.T_nsucc >> 2, T_succ = L.T_succ >> 2;
const CONDITION = L.flag_Condition;
const WATCHED = L.flag_Watched;
const NOTIFY_HOST = L.flag_NotifyHost;
const RETRY_BITS = 0xff << RETRY_SHIFT;   // Task.flags bits 16–23: retries left to a graph task (task.retries(n))
const T_token = L.T_token >> 2;
/** argInfo of a task whose only argument is one number (src/engine/codec.ts: argc 1, kind Number in the first nibble). */
const ONE_NUMBER = 1 | (Kind.Number << 4);

/**
 * Where this worker lists a condition task's choices for finish (heap, grown on demand). Its address is
 * in the worker slot too, so the host frees it if the thread dies (memory.ts reclaimWorker).
 */
let choices = 0;
let choiceCap = 64;
function setChoices(p: number): void { choices = p; core.u32[(core.workerPtr(w) + L.W_choices) >> 2] = p; }
/** Frees the buffer, taking it out of the worker slot first: the host must never free it a second time if this thread dies here. */
function dropChoices(): void { const old = choices; setChoices(0); x.heapFree(old); }
setChoices(core.alloc(4 * choiceCap));

/**
 * A condition task returned r: the successor indices to release, checked against nsucc (other values
 * and out-of-range indices release nothing), each once. Written at `choices`; returns how many.
 */
function writeChoices(r: unknown, nsucc: number): number {
  const picks = typeof r === 'number' ? [r] : Array.isArray(r) ? r : [];
  if (picks.length > choiceCap) {
    dropChoices();
    choiceCap = picks.length;
    setChoices(core.alloc(4 * choiceCap));
  }
  const u32 = core.u32;
  let n = 0;
  for (const i of picks) {
    if (!Number.isInteger(i) || i < 0 || i >= nsucc) continue;
    let seen = false;
    for (let k = 0; k < n; k++) if (u32[(choices >> 2) + k] === i) { seen = true; break; }
    if (!seen) u32[(choices >> 2) + n++] = i;
  }
  return n;
}

/**
 * The tasks on this worker's stack (they nest when a task helps inside ctx.join by running others):
 * frameTask[d] is the task at depth d, frameKids[d] the children it spawned and has not joined, and
 * frameSubs[d] the subflows it built and has not joined, each created on first use. Plain stacks, not
 * an object per task: the main loop must not allocate.
 */
const frameTask: number[] = [];
const frameKids: (number[] | undefined)[] = [];
const frameSubs: (Subflow[] | undefined)[] = [];
let depth = 0;
/** The stack as the host sees it after a crash (WorkerSlot.frames): a count, then up to FRAME_CAP tasks. */
const FRAME_CAP = 1024;
x.slotCacheInit(w);   // before 'ready': the heap a test measures after start-up already holds it
const framesAt = core.alloc(4 * (1 + FRAME_CAP)) >> 2;
core.u32[framesAt] = 0;
core.u32[(core.workerPtr(w) + L.W_frames) >> 2] = framesAt << 2;
// The block lists only the tasks *below* the running one (the running one is WorkerSlot.current): a
// top-level task, the common case, writes nothing here.
function enter(t: number): void {
  frameTask[depth] = t; frameKids[depth] = undefined; frameSubs[depth] = undefined;
  if (depth > 0 && depth <= FRAME_CAP) { core.u32[framesAt + depth] = frameTask[depth - 1]; core.u32[framesAt] = depth; }
  depth++;
}
function leave(): void { depth--; if (depth > 0 && depth <= FRAME_CAP) core.u32[framesAt] = depth - 1; }
const T_run = L.T_run >> 2;
const CHILD = L.flag_Child;
const T_done = L.T_done >> 2;
const currentAt = (core.workerPtr(w) + L.W_current) >> 2;

function running(what: string): void {
  if (depth === 0) throw new Error(messages.notRunning(what));
}

const taskContext: TaskContext = {
  workerId: w,
  get cancelled() {
    running('ctx.cancelled');
    return stopReason(frameTask[depth - 1]) !== undefined;
  },
  checkCancelled() {
    running('ctx.checkCancelled()');
    const why = stopReason(frameTask[depth - 1]);
    if (why !== undefined) throw why;
  },
  get signal() {
    running('ctx.signal');
    return signalFor(core.u32[((tasks + frameTask[depth - 1] * taskSize) >> 2) + T_token]);
  },
  spawn(fn, ...args) {
    running('ctx.spawn()');
    const id = fns.idOf(fn);
    const t = x.taskAllocW(w);
    if (t < 0) throw new RangeError(messages.tooManyTasks(core.taskCap));
    // The slot's `succ` may still name a task from its last use (a freed child's spawner, or the free
    // stack's link): cleared before the Child flag shows, so that the host's orphan scan (src/engine/recovery.ts),
    // if another worker dies now, never takes this child for a dead task's. The atomic store of the flag
    // orders the clear before it; spawnPush writes the spawner after the push.
    const p = core.initLoneTask(t, id, 0);
    core.u32[(p >> 2) + T_succ] = 0;
    Atomics.store(core.u32, (p >> 2) + T_flags, CHILD);
    // A child stops with its spawner: it shares its cancellation token, and its `pred` word (unused by a
    // child, which has no predecessors) names the run whose failure or cancellation skips it.
    const parent = (tasks + frameTask[depth - 1] * taskSize) >> 2;
    core.u32[(p >> 2) + T_token] = core.u32[parent + T_token];
    core.u32[(p >> 2) + T_pred] = stopRunOf(frameTask[depth - 1]);
    if (args.length === 1 && typeof args[0] === 'number') {   // the common divide-and-conquer shape: one number, inline
      core.f64[(p + L.T_a0) >> 3] = args[0];
      core.u32[(p >> 2) + T_argInfo] = ONE_NUMBER;
    } else {
      try {
        if (args.length > 0) codec.writeArgs(p, args);
      } catch (e) {
        x.taskFreeW(w, t);
        throw e;
      }
    }
    x.spawnPush(w, t, frameTask[depth - 1]);
    (frameKids[depth - 1] ??= []).push(t);
    return t;
  },
  join(handles: number | readonly number[]): any {
    const kids = depth > 0 ? frameKids[depth - 1] : undefined;
    const list = Array.isArray(handles) ? handles : [handles as number];
    for (const c of list) {
      if (!kids || !kids.includes(c)) {
        throw new Error(`beatflow: ctx.join(): ${String(c)} is not a child this task spawned and has not joined yet`);
      }
    }
    for (const c of list) waitFor(c);
    let error: unknown;
    const out: unknown[] = [];
    for (const c of list) {
      const p = tasks + c * taskSize;
      const kind = codec.resultKind(p);
      if (kind === Kind.Error) error ??= rebuildError(codec.readResult(p) as PlainError, fns.nameOf(core.u32[(p >> 2) + T_fn]));
      else if (kind === Kind.Skipped) error ??= new CancelledError(messages.runStopped);   // its run stopped first
      else out.push(codec.readResult(p));
      release(kids!, c);
    }
    if (error !== undefined) throw error;
    return Array.isArray(handles) ? out : out[0];
  },
  subflow(name = 'subflow') {
    running('ctx.subflow()');
    const d = depth - 1;
    const task = frameTask[d];
    const sf = new Subflow(name, (s) => {
      if (depth - 1 !== d || frameTask[d] !== task) throw new Error(messages.foreignSubflow(s.name));
      const subs = frameSubs[d]!;
      subs.splice(subs.indexOf(s), 1);
      return runSubflow(subflowHost, s, stopRunOf(task), core.u32[((tasks + task * taskSize) >> 2) + T_token]);
    });
    (frameSubs[d] ??= []).push(sf);
    return sf;
  },
};

// ---- cancellation tokens (src/engine/cancel.ts: [flag, reason ptr, reason len]) ----

/**
 * Why task t should stop, or undefined: its token was cancelled (submitted tasks), or its run (or a run
 * it is a subflow of) was cancelled or failed (graph tasks).
 */
function stopReason(t: number): CancelledError | undefined {
  const i = (tasks + t * taskSize) >> 2;
  const tok = core.u32[i + T_token];
  if (tok !== 0) return Atomics.load(core.i32, tok >> 2) !== 0 ? cancelledBy(tok) : undefined;
  return x.runStopped(stopRunOf(t)) !== 0 ? new CancelledError(messages.runStopped) : undefined;
}

/** The run whose failure or cancellation stops task t: its own, or for a spawned child its spawner's. */
function stopRunOf(t: number): number {
  const i = (tasks + t * taskSize) >> 2;
  const run = core.u32[i + T_run];
  return run === NONE && (core.u32[i + T_flags] & CHILD) !== 0 ? core.u32[i + T_pred] : run;
}

/** The error a task sees once token `tok` is cancelled: a CancelledError with the host's reason text. */
function cancelledBy(tok: number): CancelledError {
  const len = core.u32[(tok + 8) >> 2];
  const ptr = core.u32[(tok + 4) >> 2];
  if (len > 0) core.ensure(ptr, len);
  return new CancelledError(messages.tokenCancelled(len > 0 ? utf8d.decode(core.u8.slice(ptr, ptr + len)) : ''));
}

const never = new AbortController().signal;
/** Per token word: the AbortControllers handed out for it (weakly: a finished task drops its own). */
const watchers = new Map<number, Set<WeakRef<AbortController>>>();

/**
 * An AbortSignal for a task with token word tok. One Atomics.waitAsync per token word per worker wakes
 * when the host cancels it (cancel.ts publish notifies the flag word) and aborts every live controller.
 */
function signalFor(tok: number): AbortSignal {
  if (tok === 0) return never;
  const c = new AbortController();
  if (Atomics.load(core.i32, tok >> 2) !== 0) { c.abort(cancelledBy(tok)); return c.signal; }
  let set = watchers.get(tok);
  if (!set) {
    const live = new Set<WeakRef<AbortController>>();
    set = live;
    watchers.set(tok, live);
    const fire = (): void => {
      watchers.delete(tok);
      for (const ref of live) ref.deref()?.abort(cancelledBy(tok));
    };
    const r = Atomics.waitAsync(core.i32, tok >> 2, 0);
    if (r.async) void r.value.then(fire); else fire();
  }
  if (set.size >= 64) for (const ref of set) if (ref.deref() === undefined) set.delete(ref);
  set.add(new WeakRef(c));
  return c.signal;
}

const subflowHost: SubflowHost = {
  core, codec, worker: w,
  get fns() { return fns; },
  helpUntil,
  spawn: (fn, args) => taskContext.spawn(fn as (...a: unknown[]) => unknown, ...args),
  join: (handles) => taskContext.join(handles),
};

const fns = new FunctionCache(core, ns, taskContext);
bindBatch(core, fns);
bindBuiltins(core, fns);   // the parallel algorithms' task functions (src/algorithms/builtins.ts)

/** Frees a joined child: its result and argument blocks, then its slot. */
function release(kids: number[], c: number): void {
  const p = tasks + c * taskSize;
  // No longer a child for the host's orphan scan: a thread terminated from outside while freeing the
  // blocks below leaks them, where the scan would free them a second time.
  core.u32[(p >> 2) + T_flags] = 0;
  codec.freeResult(p);
  const info = core.u32[(p >> 2) + T_argInfo];
  if (info !== 0 && info !== ONE_NUMBER) codec.freeArgs(p);
  const i = kids.indexOf(c);   // remove it, keeping the order (splice allocates; this is the hot path of fork-join)
  for (let k = i; k < kids.length - 1; k++) kids[k] = kids[k + 1];
  kids.pop();
  x.taskFreeW(w, c);
}

/** Runs other tasks on this worker until child c has retired (it may be running on another worker). */
function waitFor(c: number): void {
  helpUntil((tasks + c * taskSize) / 4 + T_done);
}

/** Runs other tasks on this worker until the i32 word at index `at` is non-zero (a child's or a subflow run's `done`). */
function helpUntil(at: number): void {
  let idle = 0;
  while (Atomics.load(core.i32, at) === 0) {
    const t = x.helpNext(w);
    if (t >= 0) { runNested(t); idle = 0; }
    else if (++idle > 64) Atomics.wait(core.i32, at, 0, 0.05);   // the work runs elsewhere: nap 50 µs
  }
}

/**
 * Joins what the finishing task (top of the stack) left unjoined: its subflows, then its children. The
 * first error becomes the task's error (after everything was joined: children use its memory).
 */
function joinRest(): void {
  let error: unknown;
  const subs = frameSubs[depth - 1];
  if (subs !== undefined) {
    for (const sf of subs.slice()) {
      try { sf.join(); } catch (e) { error ??= e; }
    }
  }
  const kids = frameKids[depth - 1];
  if (kids !== undefined && kids.length > 0) {
    try { taskContext.join(kids.slice()); } catch (e) { error ??= e; }
  }
  if (error !== undefined) throw error;
}

/**
 * After the top task failed: wait for its children (they use its memory) and free them, ignoring their
 * results. Its unjoined subflows never started: they are dropped.
 */
function abandon(): void {
  const kids = frameKids[depth - 1];
  if (kids !== undefined) for (const c of kids.slice()) { waitFor(c); release(kids, c); }
}

/** Before the top task runs again (a retry): settle what its failed attempt spawned, start with none. */
function dropChildren(): void {
  abandon();
  frameKids[depth - 1] = frameSubs[depth - 1] = undefined;
}

/**
 * Calls the task at record p: fn(...boundArgs, ...predecessorResults). Functions that use `this` come
 * from the cache already bound to the task context. The two common shapes (nothing, or one predecessor's
 * result) skip the argument array.
 */
function call(p: number, flags: number): unknown {
  let u32 = core.u32;
  const i = p >> 2;
  if ((flags & WATCHED) !== 0) core.f64[(p + L.T_tStart) >> 3] = performance.timeOrigin + performance.now();   // its timeout counts from here
  const fn = fns.get(u32[i + T_fn]);
  const npred = u32[i + T_npred];
  if (u32[i + T_argInfo] === ONE_NUMBER && npred === 0) return fn(core.f64[(p + L.T_a0) >> 3]);   // no argument array
  // The predecessor list lives in the heap, which may have grown since this thread last looked.
  if (npred > 0 && (u32[i + T_pred] >> 2) + npred > u32.length) { core.refresh(); u32 = core.u32; }
  if (u32[i + T_argInfo] === 0) {
    if (npred === 0) return fn();
    if (npred === 1) return fn(codec.readResult(tasks + u32[u32[i + T_pred] >> 2] * taskSize));
  }
  const args: unknown[] = [];
  if (u32[i + T_argInfo] !== 0) codec.readArgs(p, args);
  const list = u32[i + T_pred] >> 2;
  for (let k = 0; k < npred; k++) args.push(codec.readResult(tasks + u32[list + k] * taskSize));
  switch (args.length) {   // direct calls for short lists: much cheaper than spreading
    case 1: return fn(args[0]);
    case 2: return fn(args[0], args[1]);
    case 3: return fn(args[0], args[1], args[2]);
    default: return fn(...args);
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/** How many successors a finished task releases: its condition's choices, written at `choices`. */
function chosen(p: number, failed: number, r: unknown, flags: number): number {
  return failed === 0 && (flags & CONDITION) !== 0 ? writeChoices(r, core.u32[(p >> 2) + T_nsucc]) : 0;
}

/** The task on top of the stack (record p) returned r: join what it left, record r. 0, or 1 if that failed. */
function settle(p: number, r: unknown): number {
  try {
    if (frameKids[depth - 1] !== undefined || frameSubs[depth - 1] !== undefined) joinRest();
    codec.writeResult(p, r);
    return 0;
  } catch (e) {
    return fail(p, e);
  }
}

/** The task on top of the stack (record p) threw e: settle its children, record the error. Returns 1. */
function fail(p: number, e: unknown): number {
  abandon();
  codec.writeError(p, e);
  return 1;
}

/**
 * Runs task t (and the successors it makes ready) while the task below it on this worker's stack waits
 * in ctx.join. Synchronous: a task that returns a promise cannot be awaited here, and fails with a
 * message saying so (helping takes work from deques only, where host-submitted tasks never are).
 */
function runNested(t: number): void {
  const below = frameTask[depth - 1];
  let cur = t;
  while (cur >= 0) {
    const p = tasks + cur * taskSize;
    const flags = core.u32[(p >> 2) + T_flags];
    enter(cur);
    let failed: number;
    let r: unknown;
    for (;;) {   // a graph task with retries left runs again at once here: a helping worker cannot wait out a backoff
      try {
        r = call(p, flags);
        if (isThenable(r)) {
          void Promise.resolve(r).catch(() => {});
          throw new Error(messages.asyncWhileHelping);
        }
        failed = settle(p, r);
        if ((flags & RETRY_BITS) !== 0) failures.delete(cur);
      } catch (e) {
        if (retryNumber(cur, p, e) > 0) { dropChildren(); continue; }
        failed = fail(p, e);
      }
      break;
    }
    leave();
    cur = x.finishNested(w, cur, failed, choices, chosen(p, failed, r, flags));
  }
  core.i32[currentAt] = below;
}

// ---- async tasks ----
// A task that returns a promise is suspended: its record stays out of the deques, listed in this
// worker's await list (shared memory, so the host can settle it if this thread dies), and the worker
// runs other tasks meanwhile. When the promise settles the task is resumed on this worker: its
// unjoined children and subflows are joined, its result recorded, and it retires. While any task is
// suspended the worker never parks in a blocking wait (the promise could not settle): it looks for work
// without blocking, and sleeps with Atomics.waitAsync on its `parked` word, raced against the next
// settlement; and when busy it yields to the event loop about once a millisecond.

/** Suspended tasks one worker holds at most; beyond it the worker waits for one to settle first. */
const AWAIT_CAP = 256;
const awaitList = core.alloc(4 * AWAIT_CAP);
core.u32.fill(0, awaitList >> 2, (awaitList >> 2) + AWAIT_CAP);
core.u32[(core.workerPtr(w) + L.W_awaitCap) >> 2] = AWAIT_CAP;
Atomics.store(core.u32, (core.workerPtr(w) + L.W_awaitList) >> 2, awaitList);
const freeEntries: number[] = [];
for (let i = AWAIT_CAP - 1; i >= 0; i--) freeEntries.push(i);
const parkedAt = (core.workerPtr(w) + L.W_parked) >> 2;
const BUSY_YIELD_MS = 1;

type Suspended = { t: number; entry: number; kids: number[] | undefined; subs: Subflow[] | undefined; ok: boolean; value: unknown };
const resumable: Suspended[] = [];
let suspended = 0;
let kick: (() => void) | undefined;

/** The top task (t, record p) returned promise r: take it off the stack into the await list. */
function suspend(t: number, r: PromiseLike<unknown>): void {
  const entry = freeEntries.pop()!;
  core.u32[(awaitList >> 2) + entry] = t + 1;
  core.i32[currentAt] = -1;   // t is in the await list now: a crash must not report it twice
  const s: Suspended = { t, entry, kids: frameKids[depth - 1], subs: frameSubs[depth - 1], ok: true, value: undefined };
  suspended++;
  const settled = (ok: boolean, value: unknown): void => {
    s.ok = ok;
    s.value = value;
    resumable.push(s);
    const k = kick;
    kick = undefined;
    k?.();
  };
  Promise.resolve(r).then((v) => settled(true, v), (e) => settled(false, e));
}

/** Resumes a suspended task whose promise settled; returns what to run next (finish's answer). */
function resume(s: Suspended): number {
  const p = tasks + s.t * taskSize;
  core.u32[(awaitList >> 2) + s.entry] = 0;   // off the await list before it is current: a crash reports it once
  freeEntries.push(s.entry);
  suspended--;
  core.i32[currentAt] = s.t;
  if (s.ok && s.value === RERUN) return runTop(s.t);   // a graph task's retry, after its backoff
  enter(s.t);
  frameKids[depth - 1] = s.kids;
  frameSubs[depth - 1] = s.subs;
  const again = s.ok ? undefined : retryLater(s.t, p, s.value);
  if (again !== undefined) { dropChildren(); suspend(s.t, again); leave(); return EMPTY; }
  const failed = s.ok ? settle(p, s.value) : fail(p, s.value);
  const flags = core.u32[(p >> 2) + T_flags];
  if ((flags & RETRY_BITS) !== 0) failures.delete(s.t);
  leave();
  return done(s.t, failed, chosen(p, failed, s.value, flags));
}

/** Retires t; the next task to run, or EMPTY. Blocks for work only when no task of ours is suspended. */
function done(t: number, failed: number, n: number): number {
  return suspended === 0 && !elastic ? x.finish(w, t, failed, choices, n) : x.finishNested(w, t, failed, choices, n);
}

// Lifecycle (src/worker/lifecycle.ts): an elastic slot waits for work in JS, with a bounded park, so it
// can leave when idle; any slot may be recycled between tasks while it holds none.
const life = workerLifecycle(core, w, ctx.data.lifecycle);
const nextTask = life.elastic ? life.next : (): number => x.next(w);
const elastic = life.elastic;

/** Metrics hook (src/observe/metrics.ts): times 1 top-level task in N, and every stamped async task. */
const sampler = new Sampler(core, w);

/** Runs task t at the top level; returns what to run next, or EMPTY. */
function runTop(t: number): number {
  const p = tasks + t * taskSize;
  const flags = core.u32[(p >> 2) + T_flags];   // read once: the metrics hook, call() and chosen() test its bits
  // Metrics hook: t's start time if it is timed, else 0. The count is kept here, so most tasks make no call.
  const t0 = --sampler.countdown === 0 || sampler.long || (flags & NOTIFY_HOST) !== 0 ? sampler.begin(t, p) : 0;
  enter(t);
  let failed: number;
  let r: unknown;
  try {
    r = call(p, flags);
    if (isThenable(r)) {
      suspend(t, r);
      leave();
      return EMPTY;
    }
    failed = settle(p, r);
    if ((flags & RETRY_BITS) !== 0) failures.delete(t);   // a retried task that succeeded: forget its count
  } catch (e) {
    const again = retryLater(t, p, e);
    if (again !== undefined) { dropChildren(); suspend(t, again); leave(); return EMPTY; }
    failed = fail(p, e);
  }
  leave();
  if (t0 !== 0) sampler.end(t0);    // metrics hook: before finish(), whose atomics publish the sample
  return done(t, failed, chosen(p, failed, r, flags));
}

// ---- retries of graph tasks (task.retries(n): Task.flags bits 16–23) ----
// A failing graph task with retries left is suspended like an async task, on a promise that resolves
// to RERUN after the backoff; resuming it runs it again from the start. Its failures so far are counted
// here, by slot, until it finishes one way or the other.
const RERUN = Symbol('rerun');
const failures = new Map<number, number>();

/** Task t (record p) failed with e: its retry number if it is to run again, else 0 (and its count is dropped). */
function retryNumber(t: number, p: number, e: unknown): number {
  const max = (core.u32[(p >> 2) + T_flags] >>> RETRY_SHIFT) & 0xff;
  if (max === 0) return 0;
  const n = (failures.get(t) ?? 0) + 1;
  if (n > max || e instanceof CancelledError || stopReason(t) !== undefined) { failures.delete(t); return 0; }
  failures.set(t, n);
  return n;
}

/** For task t (record p) that failed with e: a promise of RERUN after the backoff, or undefined when it is not retried. */
function retryLater(t: number, p: number, e: unknown): Promise<unknown> | undefined {
  const n = retryNumber(t, p, e);
  if (n === 0) return undefined;
  return new Promise((resolve) => setTimeout(() => resolve(RERUN), retryDelayMs(n, {}, Math.random())));
}

/**
 * Awaits p with the thread's event loop held open. A pending waitAsync does not keep it alive, nor does a
 * task awaiting only a cancellation signal: without this the thread would end with our tasks pending.
 */
async function keptAlive<T>(p: Promise<T>): Promise<T> {
  const alive = setInterval(() => {}, 1 << 30);
  try { return await p; } finally { clearInterval(alive); }
}

/**
 * With suspended tasks and nothing to run: sleep until work arrives (a waker claims our `parked` word
 * and notifies it) or a promise settles. Same steps as the blocking park (sleep.ts, W1–W4), with
 * Atomics.waitAsync; afterwards every waiter left on our word is woken, so a stale one never swallows a
 * later wake-up. Returns a task found on the re-check, or EMPTY.
 */
async function sleepAsync(): Promise<number> {
  x.announceSleep(w);                                          // W1
  const t = x.tryNext(w);                                      // W2
  if (t >= 0 || t === RETRY || resumable.length > 0) { x.cancelSleep(w); return t; }   // RETRY: work is there
  const settled = new Promise<void>((r) => { kick = r; });
  const woken = Atomics.waitAsync(core.i32, parkedAt, 1);
  if (woken.async) await keptAlive(Promise.race([woken.value, settled]));
  kick = undefined;
  x.cancelSleep(w);                                            // W3/W4: withdraw, whoever woke us
  Atomics.notify(core.i32, parkedAt);
  return EMPTY;
}

async function loop(): Promise<void> {
  let t = nextTask();
  let since = performance.now();
  for (;;) {
    while (t >= 0) {
      if (resumable.length > 0) { x.requeue(w, t); t = resume(resumable.shift()!); continue; }   // settled first
      t = runTop(t);
      if (life.recycles && suspended === 0 && life.recycleDue()) { if (t >= 0) x.requeue(w, t); t = SHUTDOWN; break; }   // lifecycle
      if (suspended > 0 && performance.now() - since > BUSY_YIELD_MS) {   // checked after every task while any is suspended
        if (t >= 0) { x.requeue(w, t); t = EMPTY; }   // not ours while we yield: a crash there must not fail it
        await yieldToEventLoop();   // let the suspended tasks' promises settle
        since = performance.now();
      }
    }
    if (resumable.length > 0) { t = resume(resumable.shift()!); continue; }
    if (t === SHUTDOWN) break;
    if (suspended === 0) { t = nextTask(); if (t === SHUTDOWN) break; continue; }
    if (suspended < AWAIT_CAP) t = x.tryNext(w);
    if (t >= 0 || t === SHUTDOWN) continue;
    if (t === RETRY) continue;
    since = performance.now();
    if (suspended >= AWAIT_CAP) {
      // Our await list is full: we take no work until one settles. Tasks still queued must not wait for
      // that while another worker sleeps (the host's wake at the end of its burst may have seen us
      // searching and woken nobody): wake one if nobody else is searching.
      x.wakeIfBacklog(0);
      await keptAlive(new Promise<void>((r) => { kick = r; }));
    } else t = await sleepAsync();
  }
  dropChoices();
  core.u32[(core.workerPtr(w) + L.W_frames) >> 2] = 0;
  x.heapFree(framesAt << 2);
  life.leave();   // a planned exit (recycling, idle) ends the thread now, whatever handles tasks left open
  ctx.close();
}

ctx.post({ type: 'ready' });
await loop();
