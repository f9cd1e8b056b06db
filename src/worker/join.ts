// Fork-join on one worker: a task's children and subflows are joined before it counts as done, and a
// worker waiting for a child helps meanwhile by running other tasks on top of its stack (runNested).
// Running a task and joining are mutually recursive (a nested task may itself spawn and join), so both
// halves live here: settle/fail end the frame on top of the stack, runNested runs the tasks found while
// helping.
import { Kind, type PlainError } from '../engine/codec.js';
import { messages, rebuildError, CancelledError } from '../errors.js';
import { ONE_NUMBER, unlist, type Thread } from './thread.js';
import type { Frames } from './frames.js';
import { isThenable, type Call } from './call.js';
import type { Choices } from './choices.js';
import type { Retries } from './retry.js';
import type { Tokens } from './cancel.js';
import type { Forecast } from './forecast.js';
import { takeInline } from './lazy.js';
import { CARRIED } from './dependent.js';
import { isSkip, type ForkStop } from './fork-stop.js';

export interface Join {
  /** The task on top of the stack (record p) returned r: join what it left, record r. 0, or 1 if that failed. */
  settle(p: number, r: unknown): number;
  /** The task on top of the stack (record p) threw e: settle its children, record the error. Returns 1. */
  fail(p: number, e: unknown): number;
  /** Runs other tasks on this worker until the i32 word at index `at` is non-zero (a child's or a subflow run's `done`). */
  helpUntil(at: number, child?: number): void;
  /**
   * Waits for the children in `list` (all of them in `kids`, the top frame's unjoined children), frees
   * them and returns their results in order; throws the first error after freeing them all. A child
   * skipped because its run stopped throws a CancelledError, or reads as undefined with
   * `skippedAsUndefined` (the members of a cancelled task group).
   */
  /**
   * `into`: the array to write the results in (it may be `list` itself: each handle is read before its result is written).
   * `gather` (a subflow's join): the first failure is thrown, the later ones in its `suppressed`; a
   * child skipped (its run or its subflow stopped: fork-stop.ts) is thrown only when none failed.
   */
  joinChildren(kids: number[], list: readonly number[], skippedAsUndefined?: boolean, into?: unknown[], gather?: boolean): unknown[];
  /** Before the top task runs again (a retry): settle what its failed attempt spawned, start with none. */
  dropChildren(): void;
  /** Joins what the top frame left unjoined (its subflows, then its children); throws the first error. */
  joinRest(): void;
  /** After the top frame's task failed: waits for its children and frees them, drops its subflows. */
  abandon(): void;
}

export interface JoinParts { frames: Frames; call: Call; choices: Choices; retries: Retries; tokens: Tokens; forecast: Forecast; forkStop: ForkStop }

export function createJoin(th: Thread, parts: JoinParts): Join {
  const { frames: { enter, leave }, call, choices: { chosen }, retries: { finished, retryNumber }, tokens: { dropSignal }, forecast, forkStop } = parts;
  const { core, codec, x, w, tasks, taskSize, frameTask, frameKids, frameSubs, frameSignal, frameBase } = th;
  const T_flags = th.T_flags, T_argInfo = th.T_argInfo, T_done = th.T_done, T_fn = th.T_fn, CHILD = th.CHILD;
  const HOST_DEPENDENT = th.DEPENDENT | th.NOTIFY_HOST;

  function settle(p: number, r: unknown): number {
    try {
      const d = th.depth - 1;
      if (frameKids[d] !== undefined || frameSubs[d] !== undefined) joinRest();
      codec.writeResult(p, r);
      return 0;
    } catch (e) {
      return fail(p, e);
    }
  }

  function fail(p: number, e: unknown): number {
    abandon();
    if (e !== CARRIED) codec.writeError(p, e);   // a dependent task's carried error is in place already
    forkStop.failed(p >> 2);   // a child of a subflow joined below: its siblings not started are skipped
    return 1;
  }

  /**
   * Runs task t (and the successors it makes ready) while the task below it on this worker's stack waits
   * in a join. Synchronous: a task that returns a promise cannot be awaited here, and fails with a
   * message saying so (helping takes work from deques only, where host-submitted tasks never are: a
   * dependent task the host made is handed to the injector here). A
   * graph task with retries left runs again at once: a helping worker cannot wait out a backoff.
   */
  function runNested(t: number): void {
    const below = frameTask[th.depth - 1];
    let cur = t;
    while (cur >= 0) {
      const p = tasks + cur * taskSize;
      const flags = core.u32[(p >> 2) + T_flags];
      // A dependent task the host made (its retiring dependency put it here) may return a promise, as the
      // host's tasks may: it waits in the injector for a worker's main loop instead.
      if ((flags & HOST_DEPENDENT) === HOST_DEPENDENT) { x.submit(cur); break; }
      const level = th.levelOf(p, flags);
      enter(cur, p, flags);
      const t0 = (flags & CHILD) !== 0 ? forecast.begin(core.u32[(p >> 2) + T_fn], level) : 0;   // a child's duration at its level (forecast.ts)
      let failed: number;
      let r: unknown;
      for (;;) {
        try {
          r = call(p, flags);
          if (isThenable(r)) {
            void Promise.resolve(r).catch(() => {});
            if ((flags & CHILD) !== 0) forecast.never(core.u32[(p >> 2) + T_fn]);   // never inline it either
            throw new Error(messages.asyncWhileHelping);
          }
          failed = settle(p, r);
          finished(cur, flags);
        } catch (e) {
          if (retryNumber(cur, p, e) > 0) { dropChildren(); continue; }
          failed = fail(p, e);
        }
        break;
      }
      const c = frameSignal[th.depth - 1];
      if (c !== undefined) dropSignal(cur, c);
      leave();
      if (t0 !== 0) forecast.end(t0, core.u32[(p >> 2) + T_fn], level);
      const n = chosen(p, failed, r, flags);   // before reading th.choices: it may move the block
      cur = x.finishNested(w, cur, failed, th.choices, n);
    }
    core.i32[th.currentAt] = below;
  }

  /** `child`: the task waited for (none: a subflow), named in the error when it can never finish. */
  function helpUntil(at: number, child?: number): void {
    let idle = 0;
    while (Atomics.load(core.i32, at) === 0) {
      const t = x.helpNext(w);
      if (t >= 0) { runNested(t); idle = 0; }
      else if (th.single) {   // alone on the thread: nothing runs elsewhere, and blocking here is forbidden
        if (Atomics.load(core.i32, at) === 0) throw new Error(messages.joinWouldBlock(child === undefined ? undefined : th.fns!.nameOf(core.u32[((tasks + child * taskSize) >> 2) + T_fn])));
      } else if (++idle > 64) Atomics.wait(core.i32, at, 0, 0.05);   // the work runs elsewhere: nap 50 µs
    }
  }

  /** Runs other tasks on this worker until child c has retired (it may be running on another worker). */
  function waitFor(c: number): void {
    helpUntil(((tasks + c * taskSize) >> 2) + T_done, c);
  }

  /** Frees a joined child (one of `kids`, which loses it): its result and argument blocks, then its slot. */
  function release(kids: number[], c: number): void {
    if (c < 0) { unlist(kids, c); return; }   // an inline child that failed or was skipped (lazy.ts): nothing to free
    const p = tasks + c * taskSize;
    // No longer a child for the host's orphan scan: a thread terminated from outside while freeing the
    // blocks below leaks them, where the scan would free them a second time.
    core.u32[(p >> 2) + T_flags] = 0;
    codec.freeResult(p);
    const info = core.u32[(p >> 2) + T_argInfo];
    if (info !== 0 && info !== ONE_NUMBER) codec.freeArgs(p);
    unlist(kids, c);
    x.taskFreeW(w, c);
  }

  function joinChildren(kids: number[], list: readonly number[], skippedAsUndefined = false, into?: unknown[], gather = false): unknown[] {
    const n = list.length;
    for (let i = 0; i < n; i++) if (list[i] >= 0) waitFor(list[i]);
    let error: unknown, others: unknown[] | undefined, skipped: unknown;
    const out: unknown[] = into ?? new Array(n);   // sized once: pushes would grow it to 17 slots first
    const base = frameBase[th.depth - 1];
    for (let i = 0; i < n; i++) {
      const c = list[i];
      let e: unknown;
      if (c < 0) {   // run inline (lazy.ts): its outcome is in this frame's region
        e = takeInline(th, base - 1 - c, c, out, i, skippedAsUndefined);
        if (gather && e !== undefined && isSkip(e)) { skipped ??= e; continue; }   // skipped inline
      } else {
        const p = tasks + c * taskSize;
        const kind = codec.resultKind(p);
        if (kind === Kind.Error) e = rebuildError(codec.readResult(p) as PlainError, th.fns!.nameOf(core.u32[(p >> 2) + T_fn]));
        else if (kind === Kind.Skipped) {   // its run (or its group, or its subflow) stopped first
          if (skippedAsUndefined) out[i] = undefined;
          else if (gather) skipped ??= new CancelledError(messages.runStopped);
          else e = new CancelledError(messages.runStopped);
        }
        else out[i] = codec.readResult(p);
        release(kids, c);
      }
      if (e !== undefined) { if (error === undefined) error = e; else if (gather) (others ??= []).push(e); }
    }
    error ??= skipped;
    if (error !== undefined) {
      // gather (a subflow's join): the failures after the first go with it, as a laid-out subflow's do
      if (others !== undefined && typeof error === 'object' && error !== null) (error as { suppressed?: unknown[] }).suppressed = others;
      throw error;
    }
    return out;
  }

  /**
   * Joins what the finishing task (top of the stack) left unjoined: its subflows, then its children, then
   * the dependent tasks it made. The first error becomes the task's error (after everything was joined:
   * children use its memory).
   */
  function joinRest(): void {
    let error: unknown;
    const d = th.depth - 1;
    const held = frameSubs[d];
    const subs = held === undefined ? undefined : Array.isArray(held) ? held.slice() : [held];   // a join takes a subflow off the frame's list
    if (subs !== undefined) {
      for (const sf of subs) {
        if (sf.last) continue;
        try { sf.join(); } catch (e) { error ??= e; }
      }
    }
    const kids = frameKids[d];
    if (kids !== undefined && kids.length > 0) {
      try { joinChildren(kids, kids.slice()); } catch (e) { error ??= e; }
    }
    if (subs !== undefined) {   // what the children may have been using: the handles of dependent tasks
      for (const sf of subs) {
        if (!sf.last) continue;
        try { sf.join(); } catch (e) { error ??= e; }
      }
    }
    if (error !== undefined) throw error;
  }

  /**
   * After the top task failed: wait for its children (they use its memory) and free them, ignoring their
   * results. Its unjoined subflows never started: they are dropped; its task groups free their slots
   * (their members were among the children).
   */
  function abandon(): void {
    const d = th.depth - 1;
    const kids = frameKids[d];
    if (kids !== undefined && kids.length > 0) {
      for (const c of kids.slice()) { if (c >= 0) waitFor(c); release(kids, c); }
      forkStop.forget(d);   // a job of a fork-join of it that failed elsewhere marked its task (fork-stop.ts)
    }
    const subs = frameSubs[d];
    if (subs !== undefined) for (const s of Array.isArray(subs) ? subs : [subs]) s.drop?.();
  }

  function dropChildren(): void {
    abandon();
    const d = th.depth - 1;
    frameKids[d] = frameSubs[d] = undefined;
  }

  return { settle, fail, helpUntil, joinChildren, dropChildren, joinRest, abandon };
}
