// Cancellation tokens: a flag a task can see while it runs.
//
// A CancellationToken is a host object. The first time a task submitted to an executor uses it, that
// executor gives it a word block in its shared memory (Token, assembly/layout.ts: the `cancelled` flag,
// the reason text's address and length). cancel() writes the reason text into the heap, then stores flag = 1 (the atomic store
// publishes ptr and len) and notifies the flag word, so a worker waiting on it with Atomics.waitAsync
// (ctx.signal) wakes. Workers read the flag with an atomic load (ctx.checkCancelled, ctx.cancelled).
// The block is counted: each job that uses the token holds it from its first attempt until it will not
// run again (then no task of it, nor a child it spawned and joined, reads the words); the last one frees
// it. A token used again later gets a new block (published at once if it is cancelled by then). A job
// with an attempt that died with its worker never lets go: children of that attempt may still run and
// read the words (a few bytes kept per crash).
import type { SharedCore } from './memory.js';
import { messages } from '../errors.js';

/** Host view of one token's words in one executor's memory, and how many submitted jobs there hold them. */
interface TokenWords { core: SharedCore; ptr: number; uses: number }

const utf8 = new TextEncoder();

/**
 * Cooperative cancellation for tasks: pass it as `executor.submit(fn, args, { token })`; inside the task,
 * `this.checkCancelled()` throws a CancelledError once it is cancelled, `this.cancelled` reads the flag,
 * and `this.signal` is an AbortSignal (fires in async tasks). One token can serve many tasks and
 * executors. A task that ignores it is stopped by force after the executor's `cancelGrace` (its worker is
 * terminated and replaced).
 * Thread-safety: host thread only.
 *
 * @example
 * const token = new CancellationToken();
 * const job = executor.submit(tasks.crunch, [data], { token });
 * token.cancelAfter(100);
 */
export class CancellationToken {
  #cancelled = false;
  #reason: unknown = undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #words: TokenWords[] = [];
  readonly #listeners = new Set<(reason: unknown) => void>();
  #controller: AbortController | undefined;   // made on first read of `signal` (most tokens are never asked)

  /** A token, optionally linked to an AbortSignal: aborting the signal cancels the token with its reason. */
  constructor(options?: { signal?: AbortSignal }) {
    if (options !== undefined) {
      if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(messages.tokenOptions(options));
      for (const k of Object.keys(options)) if (k !== 'signal') throw new TypeError(messages.unknownOption('new CancellationToken(options)', k, ['signal']));
    }
    const signal = options?.signal;
    if (signal !== undefined) {
      if (!(signal instanceof AbortSignal)) throw new TypeError(messages.tokenSignal(signal));
      if (signal.aborted) this.cancel(signal.reason);
      else signal.addEventListener('abort', () => this.cancel(signal.reason), { once: true });
    }
  }

  /** True once cancelled. */
  get cancelled(): boolean { return this.#cancelled; }
  /** What cancel() was given. */
  get reason(): unknown { return this.#reason; }
  /** An AbortSignal that aborts when the token is cancelled (to hand to fetch() and the like on the host). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#cancelled) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Cancels: every task using the token sees it from now on. Later calls do nothing. */
  cancel(reason?: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    clearTimeout(this.#timer);
    for (const w of this.#words) publish(w, reason);
    this.#controller?.abort(reason);
    for (const l of this.#listeners) l(reason);
    this.#listeners.clear();
  }

  /** Cancels after ms milliseconds (replaces an earlier cancelAfter/cancelAt). */
  cancelAfter(ms: number, reason?: unknown): this {
    if (!(typeof ms === 'number' && ms >= 0 && Number.isFinite(ms))) {
      throw new TypeError(messages.tokenAfter(ms));
    }
    clearTimeout(this.#timer);
    if (this.#cancelled) return this;
    this.#timer = setTimeout(() => this.cancel(reason ?? new Error(messages.cancelledAfter(ms))), ms);
    (this.#timer as { unref?: () => void }).unref?.();
    return this;
  }

  /** Cancels at `time` (a Date, or epoch milliseconds); at once if it has passed. */
  cancelAt(time: Date | number, reason?: unknown): this {
    const at = time instanceof Date ? time.getTime() : time;
    if (typeof at !== 'number' || !Number.isFinite(at)) throw new TypeError(messages.tokenAt(time));
    return this.cancelAfter(Math.max(0, at - Date.now()), reason ?? new Error(messages.cancelledAt(new Date(at).toISOString())));
  }

  /** @internal The token's word block in core's memory for one more job (allocated by the first). */
  _acquire(core: SharedCore): number {
    for (const w of this.#words) if (w.core === core) { w.uses++; return w.ptr; }
    const ptr = core.alloc(core.L.size_Token);
    core.u8.fill(0, ptr, ptr + core.L.size_Token);
    const w = { core, ptr, uses: 1 };
    this.#words.push(w);
    if (this.#cancelled) publish(w, this.#reason);
    return ptr;
  }

  /** @internal A job that acquired the words will not run again; the last one frees them (and the reason text). */
  _unuse(core: SharedCore): void {
    const i = this.#words.findIndex((w) => w.core === core);
    if (i < 0 || --this.#words[i].uses > 0) return;
    const { ptr } = this.#words[i];
    this.#words.splice(i, 1);
    const L = core.L;
    if (core.u32[(ptr + L.C_reasonLen) >> 2] !== 0) core.x.heapFree(core.u32[(ptr + L.C_reason) >> 2]);
    core.x.heapFree(ptr);
  }

  /** @internal Calls fn(reason) when the token is cancelled (at once if it is). Returns a remover. */
  _onCancel(fn: (reason: unknown) => void): () => void {
    if (this.#cancelled) { fn(this.#reason); return () => {}; }
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}

/** Text a worker shows for a reason: an Error's message, a string, or nothing. */
function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : '';
}

function publish(w: TokenWords, reason: unknown): void {
  const { core, ptr } = w;
  const text = utf8.encode(reasonText(reason));
  if (text.length > 0) {
    const block = core.alloc(text.length);
    core.u8.set(text, block);
    core.u32[(ptr + core.L.C_reason) >> 2] = block;
    core.u32[(ptr + core.L.C_reasonLen) >> 2] = text.length;
  }
  const flag = (ptr + core.L.C_cancelled) >> 2;
  Atomics.store(core.i32, flag, 1);   // publishes the reason block
  Atomics.notify(core.i32, flag);
}
