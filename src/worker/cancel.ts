// What the worker sees of cancellation: whether a task should stop, and why. A submitted task carries a
// cancellation token (assembly/layout.ts Token, written by src/engine/cancel.ts); a graph task stops
// with its run (or a run it is a subflow of). A spawned child stops with its spawner.
import { NONE } from '../engine/memory.js';
import { messages, CancelledError } from '../errors.js';
import type { Thread } from './thread.js';
import { forkFailed } from './fork-stop.js';

export interface Tokens {
  /**
   * Why task t should stop, or undefined: its token was cancelled (submitted tasks and what they run),
   * or its run (or a run it is a subflow of) was cancelled or failed (graph tasks, with a token or not).
   */
  stopReason(t: number): CancelledError | undefined;
  /** The run whose failure or cancellation stops task t: its own, or for a spawned child its spawner's. */
  stopRunOf(t: number): number;
  /** Task t's token word (0: none). */
  tokenOf(t: number): number;
  /**
   * The AbortSignal of task t, on top of this worker's stack: one per task, made when it first asks, that
   * aborts when t's token is cancelled (without a token: a signal that never aborts). One wait per token
   * per worker (Platform.waitAsync on its flag word) wakes when the host cancels it (src/engine/cancel.ts
   * publish notifies the flag word) and aborts the signal of every task holding one for it.
   */
  signalOf(t: number): AbortSignal;
  /**
   * Task t retires, or its attempt ends (a graph task's retry starts afresh): its token no longer aborts
   * c, the controller behind the signal it held (th.frameSignal of its frame, or its Suspended record).
   */
  dropSignal(t: number, c: AbortController): void;
}

/** A token's holders on this worker, and what cancels its wait (cancel.ts watch). */
interface Watch { live: Set<AbortController>; stop: AbortController | undefined }

const utf8d = new TextDecoder();
const never = new AbortController().signal;

export function createTokens(th: Thread): Tokens {
  const { core, x, frameSignal } = th, L = core.L;
  const T_token = th.T_token, T_run = th.T_run, T_flags = th.T_flags, T_pred = th.T_pred, CHILD = th.CHILD;
  const C_cancelled = L.C_cancelled, C_reason = L.C_reason, C_reasonLen = L.C_reasonLen;
  /**
   * Per token word: the AbortControllers of the tasks holding a signal for it, until each retires
   * (dropSignal), and the controller that cancels its wait once none is left. Held strongly, and dropped
   * explicitly: a WeakRef would keep its target alive until the job that made it ends, and the worker's
   * loop is one job that need not end while it has work. An entry stays while its token's wait may still
   * end: until the token is cancelled, or its wait ends on that cancellation (a polling wait does; an
   * Atomics.waitAsync cannot be withdrawn, so its entry stays, and no second wait is ever made for it).
   */
  const watchers = new Map<number, Watch>();

  /** Waits for token `tok`'s flag word, then aborts its holders' signals; a wait cancelled with no holder left ends the entry. */
  function watch(tok: number, entry: Watch): void {
    const flag = (tok + C_cancelled) >> 2;
    const stop = new AbortController();
    entry.stop = stop;
    void th.wait(core.i32, flag, 0, stop.signal).then(() => {
      if (Atomics.load(core.i32, flag) !== 0) {
        if (watchers.get(tok) === entry) watchers.delete(tok);
        for (const held of entry.live) held.abort(cancelledBy(tok));
        entry.live.clear();
      } else if (entry.live.size > 0) {
        watch(tok, entry);   // cancelled when its last holder left, and held again before it ended
      } else if (watchers.get(tok) === entry) {
        watchers.delete(tok);
      }
    });
  }

  /** The error a task sees once token `tok` is cancelled: a CancelledError with the host's reason text. */
  function cancelledBy(tok: number): CancelledError {
    const len = core.u32[(tok + C_reasonLen) >> 2];
    const ptr = core.u32[(tok + C_reason) >> 2];
    if (len > 0) core.ensure(ptr, len);
    return new CancelledError(messages.tokenCancelled(len > 0 ? utf8d.decode(core.u8.slice(ptr, ptr + len)) : ''));
  }

  const tokenOf = (t: number): number => core.u32[th.record(t) + T_token];

  function stopRunOf(t: number): number {
    const u32 = core.u32, i = th.record(t);
    const run = u32[i + T_run];
    return run === NONE && (u32[i + T_flags] & CHILD) !== 0 ? u32[i + T_pred] : run;
  }

  /** The token's reason first (it wins), then the run's: a task with a token stops with its run too. */
  function stopReason(t: number): CancelledError | undefined {
    const tok = tokenOf(t);
    if (tok !== 0 && Atomics.load(core.i32, (tok + C_cancelled) >> 2) !== 0) return cancelledBy(tok);
    return x.runStopped(stopRunOf(t)) !== 0 || forkFailed(th, t) ? new CancelledError(messages.runStopped) : undefined;
  }

  function signalOf(t: number): AbortSignal {
    const d = th.depth - 1;
    const own = frameSignal[d];
    if (own !== undefined) return own.signal;
    const tok = tokenOf(t);
    if (tok === 0) return never;
    const i32 = core.i32, flag = (tok + C_cancelled) >> 2;
    const c = new AbortController();
    frameSignal[d] = c;
    if (Atomics.load(i32, flag) !== 0) { c.abort(cancelledBy(tok)); return c.signal; }
    let entry = watchers.get(tok);
    if (entry === undefined) {
      entry = { live: new Set(), stop: undefined };
      watchers.set(tok, entry);
      watch(tok, entry);
    }
    entry.live.add(c);
    return c.signal;
  }

  function dropSignal(t: number, c: AbortController): void {
    const entry = watchers.get(tokenOf(t));
    if (entry === undefined) return;
    entry.live.delete(c);
    if (entry.live.size === 0) entry.stop?.abort();
  }

  return { stopReason, stopRunOf, tokenOf, signalOf, dropSignal };
}
