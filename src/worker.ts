// A worker thread: the JS half of the worker loop (the Wasm half is assembly/worker.ts).
// It attaches to the shared core, imports the task module, then runs tasks until the core says
// SHUTDOWN. Per task there is one call into Wasm (finish, which also finds the next task); there is
// no postMessage per task.
import { SharedCore } from './memory.js';
import { Codec, Kind, type PlainError } from './codec.js';
import { messages, rebuildError } from './errors.js';
import { FunctionCache } from './functions.js';
import { workerContext } from './platform.js';

export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  worker: number;
  moduleUrl?: string;
}

const ctx = workerContext<WorkerData>();
const { worker: w } = ctx.data;
const core = SharedCore.attach(ctx.data.module, ctx.data.memory);
const codec = new Codec(core);
const ns = ctx.data.moduleUrl ? ((await import(ctx.data.moduleUrl)) as Record<string, unknown>) : {};
const L = core.L;
const x = core.x;
const tasks = core.tasks;
const taskSize = L.size_Task;
const T_fn = L.T_fn >> 2, T_argInfo = L.T_argInfo >> 2, T_npred = L.T_npred >> 2, T_pred = L.T_pred >> 2;
const T_flags = L.T_flags >> 2, T_nsucc = L.T_nsucc >> 2;
const CONDITION = L.flag_Condition;

/** Where this worker lists a condition task's choices for finish (heap, grown on demand). */
let choices = core.alloc(4 * 64);
let choiceCap = 64;

/**
 * A condition task returned r: the successor indices to release, checked against nsucc (other values
 * and out-of-range indices release nothing), each once. Written at `choices`; returns how many.
 */
function writeChoices(r: unknown, nsucc: number): number {
  const picks = typeof r === 'number' ? [r] : Array.isArray(r) ? r : [];
  if (picks.length > choiceCap) {
    x.heapFree(choices);
    choiceCap = picks.length;
    choices = core.alloc(4 * choiceCap);
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
 * frameTask[d] is the task at depth d, frameKids[d] the children it spawned and has not joined, created
 * on its first spawn. Two plain stacks, not an object per task: the main loop must not allocate.
 */
const frameTask: number[] = [];
const frameKids: (number[] | undefined)[] = [];
let depth = 0;
function enter(t: number): void { frameTask[depth] = t; frameKids[depth] = undefined; depth++; }
function leave(): void { depth--; }
const CHILD = L.flag_Child;
const T_done = L.T_done >> 2;
const currentAt = (core.workerPtr(w) + L.W_current) >> 2;

/**
 * What a task sees as `this` (write the task as a `function`, not an arrow, to use it): the worker it
 * runs on, and fork-join. `spawn(fn, ...args)` starts a child task (fn: a task-module export or a
 * self-contained function, as for executor.async) and returns a handle; `join(handle | handles)` waits
 * for children and returns their results (rethrowing a child's error), running other ready tasks on
 * this worker meanwhile, so recursive divide and conquer never blocks a thread. Children a task does not
 * join are joined when it returns.
 */
export interface TaskContext {
  readonly workerId: number;
  spawn(fn: (...a: any[]) => unknown, ...args: unknown[]): number;
  join(handle: number): unknown;
  join(handles: readonly number[]): unknown[];
}

const taskContext: TaskContext = {
  workerId: w,
  spawn(fn, ...args) {
    if (depth === 0) throw new Error('beatflow: ctx.spawn() can only be called while a task runs');
    const id = fns.idOf(fn);
    const t = x.taskAlloc();
    if (t < 0) throw new RangeError(messages.tooManyTasks(core.taskCap));
    const p = core.initLoneTask(t, id, CHILD);
    try {
      if (args.length > 0) codec.writeArgs(p, args);
    } catch (e) {
      x.taskFree(t);
      throw e;
    }
    x.spawnPush(w, t);
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
      if (codec.resultKind(p) === Kind.Error) error ??= rebuildError(codec.readResult(p) as PlainError, fns.nameOf(core.u32[(p >> 2) + T_fn]));
      else out.push(codec.readResult(p));
      release(kids!, c);
    }
    if (error !== undefined) throw error;
    return Array.isArray(handles) ? out : out[0];
  },
};

const fns = new FunctionCache(core, ns, taskContext);

/** Frees a joined child: its result and argument blocks, then its slot. */
function release(kids: number[], c: number): void {
  const p = tasks + c * taskSize;
  codec.freeResult(p);
  if (core.u32[(p >> 2) + T_argInfo] !== 0) codec.freeArgs(p);
  kids.splice(kids.indexOf(c), 1);
  x.taskFree(c);
}

/** Runs other tasks on this worker until child c has retired (it may be running on another worker). */
function waitFor(c: number): void {
  const done = (tasks + c * taskSize) / 4 + T_done;
  let idle = 0;
  while (Atomics.load(core.u32, done) === 0) {
    const t = x.helpNext(w);
    if (t >= 0) { runNested(t); idle = 0; }
    else if (++idle > 64) Atomics.wait(core.i32, done, 0, 0.05);   // the child runs elsewhere: nap 50 µs
  }
}

/** Joins what the finishing task (top of the stack) left unjoined; the first child error becomes its error. */
function joinRest(): void {
  const kids = frameKids[depth - 1];
  if (kids !== undefined && kids.length > 0) taskContext.join(kids.slice());
}

/** After the top task failed: wait for its children (they use its memory) and free them, ignoring their results. */
function abandon(): void {
  const kids = frameKids[depth - 1];
  if (kids !== undefined) for (const c of kids.slice()) { waitFor(c); release(kids, c); }
}

/**
 * Calls the task at record p: fn(...boundArgs, ...predecessorResults). Functions that use `this` come
 * from the cache already bound to the task context. The two common shapes (nothing, or one predecessor's
 * result) skip the argument array.
 */
function call(p: number): unknown {
  const u32 = core.u32;
  const i = p >> 2;
  const fn = fns.get(u32[i + T_fn]);
  const npred = u32[i + T_npred];
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
function chosen(p: number, failed: number, r: unknown): number {
  const i = p >> 2;
  return failed === 0 && (core.u32[i + T_flags] & CONDITION) !== 0 ? writeChoices(r, core.u32[i + T_nsucc]) : 0;
}

/** The task on top of the stack (record p) returned r: join what it left, record r. 0, or 1 if that failed. */
function settle(p: number, r: unknown): number {
  try {
    if (frameKids[depth - 1] !== undefined) joinRest();
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
    enter(cur);
    let failed: number;
    let r: unknown;
    try {
      r = call(p);
      if (isThenable(r)) {
        void Promise.resolve(r).catch(() => {});
        throw new Error(messages.asyncWhileHelping);
      }
      failed = settle(p, r);
    } catch (e) {
      failed = fail(p, e);
    }
    leave();
    cur = x.finishNested(w, cur, failed, choices, chosen(p, failed, r));
  }
  core.i32[currentAt] = below;
}

async function loop(): Promise<void> {
  let t = x.next(w);
  while (t >= 0) {
    const p = tasks + t * taskSize;
    enter(t);
    let failed: number;
    let r: unknown;
    try {
      r = call(p);
      if (isThenable(r)) {             // an async task: this worker waits for it (issue #3 overlaps them)
        x.flushRun(w);                 // first apply our run balance, so no run's end waits on this await
        r = await r;
      }
      failed = settle(p, r);
    } catch (e) {
      failed = fail(p, e);
    }
    leave();
    t = x.finish(w, t, failed, choices, chosen(p, failed, r));
  }
  ctx.close();
}

ctx.post({ type: 'ready' });
await loop();
