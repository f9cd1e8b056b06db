// The algorithms' task functions' view of this thread: the core and function cache they are bound to
// (a worker binds them at start-up; the calling thread binds its own executor's for each synchronous
// section, withCore), how they read their argument list (spec.ts Arg), and the operations on the job
// block a driving task shares with its helpers (spec.ts says which word is written how, and by whom):
// setting up a phase's index space, claiming chunks of it, stopping early, and handing partials back
// to the calling thread when it drives the call (caller.ts).
import type { FunctionCache } from '../engine/functions.js';
import type { SharedCore } from '../engine/memory.js';
import { messages } from '../errors.js';
import { guidedChunk } from './partition.js';
import type { NumArray } from './merge.js';
import { Arg, PART_STATIC, PART_DYNAMIC, jobWords, type JobWords } from './spec.js';

export type Args = unknown[];
export type Body = (lo: number, hi: number) => void;

let core: SharedCore | undefined;
let fns: FunctionCache | undefined;
/**
 * The job block's word indices in the bound core's layout, set with it: no call reads them from core.L.
 * A live binding: readers take it once per call (or per chunk), never per element.
 */
export let J!: JobWords;
const jobWordsOf = new WeakMap<SharedCore, JobWords>();

function use(c: SharedCore | undefined): void {
  core = c;
  if (c === undefined) return;
  let words = jobWordsOf.get(c);
  if (words === undefined) jobWordsOf.set(c, (words = jobWords(c.L)));
  J = words;
}

/** A worker's start-up (the module's bind, builtins.ts ALGORITHMS): its core and function cache. */
export function bind(c: SharedCore, f: FunctionCache): void {
  use(c);
  fns = f;
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

export function theCore(): SharedCore {
  if (core === undefined) throw new Error(messages.algorithmsUnbound);
  return core;
}

/** The function whose id is at `at` in the argument list. */
export const fn = (args: Args, at: Arg): Function => fns!.get(args[at] as number);

/**
 * A range callback with the call's extra arguments (options.args, after the fixed list) bound after
 * its own: cb(…, ...extra).
 */
export function rangeFn(args: Args): Function {
  const cb = fn(args, Arg.F1);
  if (args.length <= Arg.Count) return cb;
  const extra = args.slice(Arg.Count);
  return (...own: unknown[]) => cb(...own, ...extra);
}
export const arr = (args: Args, at: Arg): NumArray => args[at] as NumArray;
/** Whether the call has a user callback (F1 holds its id), rather than a built-in op. */
export const isCallback = (args: Args): boolean => (args[Arg.F1] as number) >= 0;

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
export function jobView(job: number): Int32Array {
  const c = theCore();
  c.ensure(job, J.bytes);
  return c.i32;
}

/** The driver sets up the index space [0, n) of the next phase: plain stores, published by the spawns. */
export function setSpace(job: number, n: number, kind: number, grain: number, parts: number, cursor: number): void {
  const i32 = jobView(job), w = job >> 2;
  i32[w + J.n] = n; i32[w + J.kind] = kind; i32[w + J.grain] = grain; i32[w + J.parts] = parts;
  Atomics.store(i32, w + J.cursor, cursor);
}

/**
 * Runs body over the chunks of [0, n) this task claims: static part `index` of `parts`, or chunks claimed
 * from the shared `cursor` until it passes n (dynamic: `grain` items by atomic add; guided: shrinking
 * chunks by CAS). Stops early once `stop` is set. Reads the block's words once, then only the cursor and stop.
 * Returns the items it ran.
 */
export function claimLoop(job: number, index: number, body: Body): number {
  const i32 = jobView(job), w = job >> 2;
  const n = i32[w + J.n], grain = i32[w + J.grain], kind = i32[w + J.kind], parts = i32[w + J.parts];
  const stopAt = w + J.stop, cursorAt = w + J.cursor;
  let items = 0;
  if (kind === PART_STATIC) {
    for (let lo = index * grain; lo < n; lo += parts * grain) {
      if (Atomics.load(i32, stopAt) !== 0) return items;
      const hi = Math.min(n, lo + grain);
      body(lo, hi);
      items += hi - lo;
    }
    return items;
  }
  for (;;) {
    if (Atomics.load(i32, stopAt) !== 0) return items;
    let lo: number, hi: number;
    if (kind === PART_DYNAMIC) {
      lo = Atomics.add(i32, cursorAt, grain);   // the cursor stays ≤ n + workers·grain ≤ 2n (grain ≤ n / workers)
      if (lo >= n) return items;
      hi = Math.min(n, lo + grain);
    } else {
      lo = Atomics.load(i32, cursorAt);
      if (lo >= n) return items;
      hi = lo + guidedChunk(n - lo, grain, parts);
      if (Atomics.compareExchange(i32, cursorAt, lo, hi) !== lo) continue;   // lost the race: look again
    }
    body(lo, hi);
    items += hi - lo;
  }
}

/** Sets `stop` (atomic store): every task of the job stops at its next claim. */
export function stop(job: number): void {
  Atomics.store(jobView(job), (job >> 2) + J.stop, 1);
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
    throw new Error(messages.handBackNotNumber(partial));
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
