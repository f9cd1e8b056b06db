// Running a task at the top of this worker's stack, from the loop (runTop) or when its promise settled
// (resume), and retiring it in Wasm. Per task: one call into Wasm (finish, which also finds the next
// task), no allocation, no postMessage.
import { EMPTY } from '../engine/memory.js';
import type { Thread, Suspended } from './thread.js';
import type { Frames } from './frames.js';
import { isThenable, type Call } from './call.js';
import type { Choices } from './choices.js';
import type { Join } from './join.js';
import type { AwaitList } from './suspend.js';
import { RERUN, type Retries } from './retry.js';
import type { Tokens } from './cancel.js';
import type { Forecast } from './forecast.js';
import type { Lazy } from './lazy.js';

export interface Run {
  /** Runs task t at the top level; returns what to run next, or EMPTY. */
  runTop(t: number): number;
  /** Resumes a suspended task whose promise settled; returns what to run next (finish's answer). */
  resume(s: Suspended): number;
}

export interface RunParts { frames: Frames; call: Call; choices: Choices; join: Join; awaits: AwaitList; retries: Retries; tokens: Tokens; forecast: Forecast; lazy: Lazy }

export function createRun(th: Thread, parts: RunParts): Run {
  const { frames: { enter, leave }, call, choices: { chosen }, join: { settle, fail, dropChildren }, awaits: { suspend, unlist } } = parts;
  const { forecast, lazy: { park, unpark } } = parts;
  const { retryLater, finished } = parts.retries;
  const { dropSignal } = parts.tokens;
  const { core, x, w, tasks, taskSize, frameKids, frameSubs, frameSignal } = th;
  const T_flags = th.T_flags, T_fn = th.T_fn, NOTIFY_HOST = th.NOTIFY_HOST, CHILD = th.CHILD;
  const sampler = th.sampler!;
  const observers = th.observers!;   // observer hook (src/observe/observers.ts): one load per task while none is set

  /** Retires t (n: its condition choices); the next task to run, or EMPTY. Blocks for work only when no task of ours is suspended. */
  function done(t: number, failed: number, n: number): number {
    return th.suspended === 0 && !th.elastic ? x.finish(w, t, failed, th.choices, n) : x.finishNested(w, t, failed, th.choices, n);
  }

  function runTop(t: number): number {
    const p = tasks + t * taskSize;
    const flags = core.u32[(p >> 2) + T_flags];   // read once: the metrics hook, call() and chosen() test its bits
    // Metrics hook (src/observe/sampler.ts): t's start time if it is timed, else 0. The count is kept
    // here, so most tasks make no call.
    const t0 = --sampler.countdown === 0 || sampler.long || (flags & NOTIFY_HOST) !== 0 ? sampler.begin(t, p) : 0;
    const observed = observers.on();
    if (observed) observers.entry(t, p);
    const level = th.levelOf(p, flags);
    enter(t, p, flags);
    const tg = (flags & CHILD) !== 0 ? forecast.begin(core.u32[(p >> 2) + T_fn], level) : 0;   // a child's duration at its level (forecast.ts)
    let failed: number;
    let r: unknown;
    try {
      r = call(p, flags);
      if (isThenable(r)) {
        if ((flags & CHILD) !== 0) forecast.never(core.u32[(p >> 2) + T_fn]);   // never inline it (lazy.ts cannot await)
        suspend(t, r, park());
        leave();
        return EMPTY;
      }
      failed = settle(p, r);
      finished(t, flags);
    } catch (e) {
      const again = retryLater(t, p, e);
      if (again !== undefined) { dropChildren(); suspend(t, again, undefined); leave(); if (observed) observers.exit(t, p); return EMPTY; }
      failed = fail(p, e);
    }
    const c = frameSignal[th.depth - 1];
    if (c !== undefined) dropSignal(t, c);
    leave();
    if (observed) observers.exit(t, p);
    // Metrics hook: before finish(), whose atomics publish the sample. The timed tasks also feed their
    // fingerprint's duration predictor (assembly/learn/predictor.ts; a no-op with learning off): one Wasm
    // call per timed task, none for the others. A child's is fed by forecast.ts, per level.
    if (t0 !== 0) { const ms = sampler.end(t0); if ((flags & CHILD) === 0) x.learnObserve(t, ms); }
    if (tg !== 0) forecast.end(tg, core.u32[(p >> 2) + T_fn], level);
    core.u32[th.inlinedAt] = th.inlined;   // the metric (lazy.ts), exact between top tasks
    return done(t, failed, chosen(p, failed, r, flags));
  }

  function resume(s: Suspended): number {
    unlist(s);
    if (s.ok && s.value === RERUN) {   // a graph task's retry, after its backoff: a new attempt
      if (s.signal !== undefined) dropSignal(s.t, s.signal);
      return runTop(s.t);
    }
    const p = tasks + s.t * taskSize;
    enter(s.t, p, core.u32[(p >> 2) + T_flags]);
    if (s.inline !== undefined) unpark(s.inline);
    const d = th.depth - 1;
    frameKids[d] = s.kids;
    frameSubs[d] = s.subs;
    frameSignal[d] = s.signal;
    const again = s.ok ? undefined : retryLater(s.t, p, s.value);
    if (again !== undefined) { dropChildren(); suspend(s.t, again, undefined); leave(); if (observers.on()) observers.exit(s.t, p); return EMPTY; }
    const failed = s.ok ? settle(p, s.value) : fail(p, s.value);
    const flags = core.u32[(p >> 2) + T_flags];
    finished(s.t, flags);
    const c = frameSignal[d];
    if (c !== undefined) dropSignal(s.t, c);
    leave();
    if (observers.on()) observers.exit(s.t, p);
    return done(s.t, failed, chosen(p, failed, s.value, flags));
  }

  return { runTop, resume };
}
