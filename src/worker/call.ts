// Calling a task's function with its arguments: fn(...boundArgs, ...predecessorResults). A dependent async
// task is called by dependent.ts (the same order, once no dependency failed).
import { ONE_NUMBER, type Thread } from './thread.js';
import { createDependentCall } from './dependent.js';

/** Calls the task at record p (its flags already read) and returns what the function returned. */
export type Call = (p: number, flags: number) => unknown;

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Functions that use `this` come from the cache already bound to the task context. The common shapes
 * (one number, nothing, or one predecessor's result) skip the argument array.
 */
export function createCall(th: Thread): Call {
  const { core, codec, tasks, taskSize } = th;
  const T_fn = th.T_fn, T_npred = th.T_npred, T_pred = th.T_pred, T_argInfo = th.T_argInfo;
  const T_a0 = th.T_a0, T_tStart = th.T_tStart, WATCHED = th.WATCHED, DEPENDENT = th.DEPENDENT;
  const dependent = createDependentCall(th);
  return (p, flags) => {
    let u32 = core.u32;
    const i = p >> 2;
    // Its timeout counts from here. The global `performance`, not platform/clock.ts: engine/timeouts.ts
    // compares the stamp with its own reading of the global, and a single-threaded executor runs both
    // on one thread, where a test may have replaced the global (fake timers) before or after the import.
    if ((flags & WATCHED) !== 0) core.f64[(p + T_tStart) >> 3] = performance.timeOrigin + performance.now();
    const fn = th.fns!.get(u32[i + T_fn]);
    const npred = u32[i + T_npred];
    const argInfo = u32[i + T_argInfo];
    if ((flags & DEPENDENT) !== 0) return dependent(p, fn, npred, argInfo);   // dependent.ts: its dependencies may have failed
    if (argInfo === ONE_NUMBER && npred === 0) return fn(core.f64[(p + T_a0) >> 3]);   // no argument array
    // The predecessor list lives in the heap, which may have grown since this thread last looked.
    if (npred > 0 && (u32[i + T_pred] >> 2) + npred > u32.length) { core.refresh(); u32 = core.u32; }
    if (argInfo === 0) {
      if (npred === 0) return fn();
      if (npred === 1) return fn(codec.readResult(tasks + u32[u32[i + T_pred] >> 2] * taskSize));
    }
    const args: unknown[] = [];
    if (argInfo !== 0) codec.readArgs(p, args);
    const list = u32[i + T_pred] >> 2;
    for (let k = 0; k < npred; k++) args.push(codec.readResult(tasks + u32[list + k] * taskSize));
    return callList(fn, args);
  };
}

/** fn(...args), with direct calls for short lists: much cheaper than spreading. */
export function callList(fn: Function, args: readonly unknown[]): unknown {
  switch (args.length) {
    case 0: return fn();
    case 1: return fn(args[0]);
    case 2: return fn(args[0], args[1]);
    case 3: return fn(args[0], args[1], args[2]);
    default: return fn(...args);
  }
}
