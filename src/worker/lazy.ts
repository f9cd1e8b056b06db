// Children run inline at their spawn (lazy task creation): `this.spawn(fn, …)` calls fn at once on the
// spawner's stack, as a frame of its own, instead of making a job, when forecast.ts says the child is too
// short to be worth one (src/policy/inlining.ts). Nothing of it reaches the core: no slot, no record, no
// deque push, no retire. What the spawner sees is what a spawned child gives it:
//   - its arguments and its result cross as they would between threads (codec.crossed: copies, new views
//     on the same memory, the same refusals);
//   - a child that throws fails its join with the error rebuilt exactly as a joined child's (encoded,
//     decoded, rebuildError with the child's name); a child whose spawner's run stopped is skipped;
//   - its own children and subflows are joined when it returns, its `this` is the same task context
//     (the frame's task is its spawner's: the same token, run, cancellation).
// The spawner gets a negative handle, -1 - k for the k-th outcome its frame keeps: the outcome sits at
// th.inVals[frameBase[d] + k], the spawning frame's region of a stack that frames.ts pops with the frame.
// A subflow's fork-join, whose handles no one else sees, keeps none for a child that returned
// (runInto): its value goes straight into the subflow's result array, and it takes no slot.
// An outcome to report at the implicit join (an error, a skip) also goes in the frame's children
// (frameKids) in spawn order, so the first error of a returning task is the same whichever children ran
// inline. A task suspended on a promise keeps its region (park / unpark).
import { NONE } from '../engine/memory.js';
import { type PlainError } from '../engine/codec.js';
import { messages, rebuildError, CancelledError } from '../errors.js';
import { isThenable, callList } from './call.js';
import { unlist, type Thread, type InlineOutcomes } from './thread.js';
import type { Frames } from './frames.js';
import type { Forecast } from './forecast.js';
import type { Tokens } from './cancel.js';

/**
 * At its 2^20th inline child, when that child is a subflow's, a worker's runner (runChild) drops its
 * optimized code once (retier), so that V8 compiles it again. V8 may first compile the runner while the
 * subflow's task is itself being compiled: it then inlines the task's bytecode into the runner, whose
 * inlining budget (920 bytes) leaves the task's own calls (this.subflow, emplace, args, join) out of line,
 * about 10 ns a task slower than the task compiled on its own with them inlined. Compiled again, later,
 * the runner finds the task's optimized code, too large to inline, and calls it. 2^20 children are 50–100
 * ms of fib through subflows, past the task's own compile (15–30 ms on a loaded 2-core machine). Spawned
 * children never retier: a small task inlined into the runner is what makes spawn/join fast.
 */
const enum Retier { At = 1 << 20 }
/** Called once, at Retier.At: its call site has no feedback before, so the runner's optimized code deoptimizes there. */
function retier(): void {}

/** What an inline child left, per entry of th.inKinds. */
export const enum Outcome { Value = 0, Error = 1, Skipped = 2, Joined = 3 }

export interface Lazy {
  /**
   * Runs child `id` of the task on top of the stack inline, now, with `args` (already crossed:
   * codec.crossedArgs), or, when args is undefined, with the `n` (≤ 3) numbers a0, a1, a2 (no array made);
   * skipped if the frame's stop run stopped. Returns its handle (negative).
   */
  run(id: number, args: readonly unknown[] | undefined, n: number, a0: number, a1: number, a2: number): number;
  /**
   * run for a subflow's fork-join (context-object.ts forkJoin), whose handles no one else sees: a child
   * that returns writes its value in out[i] and keeps no outcome (returns 0); one that threw or was
   * skipped keeps its outcome as run keeps it, and its handle (negative) is returned.
   */
  runInto(id: number, args: readonly unknown[] | undefined, n: number, a0: number, a1: number, a2: number, out: unknown[], i: number): number;
  /** The index in th.inVals of handle h of the top frame, or -1 if h is not one of its inline children not joined yet. */
  slot(h: number): number;
  /**
   * ctx.join of handles that are all inline children of the top frame not joined yet: their results in
   * order (throws the first error, after taking them all), written in `into` when given (which may be
   * `list` itself: each handle is read before its result is written). undefined, taking nothing, if one
   * is not.
   */
  joinAll(list: readonly number[], into?: unknown[]): unknown[] | undefined;
  /** Frame's inline outcomes while its task is suspended (undefined: none to keep). */
  park(): InlineOutcomes | undefined;
  /** The resumed task's frame (just entered) gets them back. */
  unpark(o: InlineOutcomes): void;
}

export interface LazyParts {
  frames: Frames;
  forecast: Forecast;
  tokens: Tokens;
  /** join.ts: join what the frame on top left unjoined (throws the first error), or wait for it after a failure. */
  joinRest(): void;
  abandon(): void;
}

export function createLazy(th: Thread, { frames: { enterInline, leaveInline }, forecast, tokens: { dropSignal }, joinRest, abandon }: LazyParts): Lazy {
  const { core, x, codec, frameTask, frameKids, frameSubs, frameSignal, frameLevel, frameBase, frameStop, inVals } = th;
  const inlinedAt = th.inlinedAt;

  /** Calls fn with args, or with the n numbers a0 … (direct calls for the short lists, as call.ts). */
  function callWith(fn: Function, args: readonly unknown[] | undefined, n: number, a0: number, a1: number, a2: number): unknown {
    if (args === undefined) return n === 1 ? fn(a0) : n === 2 ? fn(a0, a1) : n === 3 ? fn(a0, a1, a2) : fn();
    return callList(fn, args);
  }

  /** A thrown value as the joiner of a spawned child id would see it (join.ts joinChildren). */
  function asJoined(e: unknown, id: number): unknown {
    return rebuildError(codec.roundTrip(codec.toPlain(e)) as PlainError, th.fns!.nameOf(id));
  }

  /**
   * run and runInto: runs child `id` of the top frame inline (skipped if the frame's stop run stopped);
   * a value goes to out[i] when `out` is given (returns 0), else, as an error or a skip does, it is kept
   * on top of the stack and its handle returned. One function for both, too large for V8 to inline
   * into a spawn (whose task then keeps its inlining budget).
   */
  function runChild(id: number, args: readonly unknown[] | undefined, n: number, a0: number, a1: number, a2: number, out?: unknown[], i?: number): number {
    const d = th.depth;   // the child's depth; its spawner's frame is d - 1
    const stopRun = frameStop[d - 1];
    let kind = Outcome.Value;
    let v: unknown;
    if (stopRun !== NONE && x.runStopped(stopRun) !== 0) {   // as a queued child of a stopped run is skipped
      kind = Outcome.Skipped;
    } else {
      const level = frameLevel[d - 1] + 1;
      const fn = th.fns!.get(id);
      enterInline(level);
      const t0 = forecast.begin(id, level);
      try {
        const r = callWith(fn, args, n, a0, a1, a2);
        if (isThenable(r)) {   // cannot be awaited here, as in a join (join.ts runNested); never inlined again
          void Promise.resolve(r).catch(() => {});
          forecast.never(id);
          throw new Error(messages.asyncWhileHelping);
        }
        if (frameKids[d] !== undefined || frameSubs[d] !== undefined) joinRest();
        v = typeof r === 'number' ? r : codec.crossed(r, -1);   // a number crosses as itself, without the call
      } catch (e) {
        abandon();
        kind = Outcome.Error;
        v = asJoined(e, id);
      }
      const c = frameSignal[d];
      if (c !== undefined) dropSignal(frameTask[d], c);
      leaveInline();
      if (t0 !== 0) forecast.end(t0, id, level);
      // Written to keep runChild's bytecode under 750 bytes (747): V8 tiers a function up after 3 + length /
      // 150 budget ticks, and a runner that tiers up later changes which of it and a task compiles first.
      const count = ++th.inlined;
      if ((count & 1023) === 0) {
        core.u32[inlinedAt] = count;   // the rest at the end of its top task (run.ts)
        if (count === Retier.At && out !== undefined) retier();
      }
    }
    if (out !== undefined && kind === Outcome.Value) {
      out[i!] = v;
      return 0;
    }
    // Kept on top of the stack, where the child's own region was (popped with its frame). Written out
    // here, not called: V8 counts an inlined helper against this function's inlining budget, which the
    // task function needs (a spawn's child is inlined here).
    const k = th.inTop++;
    if (k >= th.inKinds.length) { const a = new Uint8Array(th.inKinds.length * 2); a.set(th.inKinds); th.inKinds = a; }
    const h = frameBase[d - 1] - 1 - k;
    inVals[k] = v;
    th.inKinds[k] = kind;
    if (kind !== Outcome.Value) (frameKids[d - 1] ??= []).push(h);
    return h;
  }

  function slot(h: number): number {
    if (!(h < 0) || (h | 0) !== h || th.depth === 0) return -1;
    const k = frameBase[th.depth - 1] - 1 - h;
    return k < th.inTop && th.inKinds[k] !== Outcome.Joined ? k : -1;
  }

  function joinAll(list: readonly number[], into?: unknown[]): unknown[] | undefined {
    const n = list.length;
    for (let i = 0; i < n; i++) if (slot(list[i]) < 0) return undefined;
    const out: unknown[] = into ?? new Array(n);
    const base = frameBase[th.depth - 1];
    let error: unknown;
    for (let i = 0; i < n; i++) {
      const e = takeInline(th, base - 1 - list[i], list[i], out, i, false);
      if (e !== undefined) error ??= e;
    }
    if (error !== undefined) throw error;
    return out;
  }

  function park(): InlineOutcomes | undefined {
    const base = frameBase[th.depth - 1], top = th.inTop;
    if (top === base) return undefined;
    return { vals: inVals.slice(base, top), kinds: th.inKinds.slice(base, top) };
  }

  function unpark(o: InlineOutcomes): void {
    const base = th.inTop, n = o.kinds.length;
    while (base + n > th.inKinds.length) { const a = new Uint8Array(th.inKinds.length * 2); a.set(th.inKinds); th.inKinds = a; }
    for (let i = 0; i < n; i++) inVals[base + i] = o.vals[i];
    th.inKinds.set(o.kinds, base);
    th.inTop = base + n;
  }

  // run is runChild itself, called without `out` (no wrapper: a spawn inlines no more than the call).
  return { run: runChild, runInto: runChild, slot, joinAll, park, unpark };
}

/**
 * Takes the outcome of inline child h (index k of th.inVals) of the top frame: its value into out[i];
 * returns the error its join throws instead (a skipped child's: a CancelledError, or undefined in out[i]
 * with `skippedAsUndefined`), or undefined. A failed or skipped one leaves the frame's children too.
 */
export function takeInline(th: Thread, k: number, h: number, out: unknown[], i: number, skippedAsUndefined: boolean): unknown {
  const kind = th.inKinds[k], v = th.inVals[k];
  if (kind === Outcome.Joined) return new Error(messages.notAChild(h));   // twice in one list
  th.inKinds[k] = Outcome.Joined;
  th.inVals[k] = undefined;
  if (kind === Outcome.Value) { out[i] = v; return undefined; }
  unlist(th.frameKids[th.depth - 1]!, h);   // listed for the implicit join (run)
  if (kind === Outcome.Error) return v;
  if (skippedAsUndefined) { out[i] = undefined; return undefined; }
  return new CancelledError(messages.runStopped);
}
