// Deferred tokens (Taskflow's pf.defer): which tokens wait at the first pipe for which others, and which
// are ready to go through it again. Plain data, no promises: flow.ts asks it when the first pipe finishes
// a token, and test/pipeline-defer.test.mjs checks it with tables. The protocol is in README.md here
// ("Deferred tokens").
//
// A token *passes* the first pipe when a call of it there names no token to wait for; until then it is
// *pending*: deferred (waiting) or ready (waiting for the first pipe again). Taskflow keeps the same three
// structures: deferred_tokens (here #waiting), token_dependencies (#waiters) and ready_tokens (#ready).

/** What became of a call of the first pipe that deferred its token. */
export type DeferOutcome =
  /** Every token it named has passed already: call the first pipe again at once (Taskflow does the same). */
  | { readonly kind: 'rerun' }
  /** The token waits: it comes back (ready) once every token it named has passed. */
  | { readonly kind: 'deferred' }
  /** It named itself. */
  | { readonly kind: 'self' }
  /** Waiting would close a cycle: `path` runs from the token through the tokens it waits for back to it. */
  | { readonly kind: 'cycle'; readonly path: readonly number[] }
  /** It named a token the source never produces: `end` tokens is all there is. */
  | { readonly kind: 'beyond'; readonly on: number; readonly end: number };

/** A token as the bookkeeping sees it: its number in the run. */
export interface Numbered { readonly index: number }

export class Deferrals<T extends Numbered> {
  /** Deferred tokens: index → the token and the tokens it still waits for. */
  readonly #waiting = new Map<number, { readonly token: T; readonly on: Set<number> }>();
  /** Per awaited token: the deferred tokens that wait for it. */
  readonly #waiters = new Map<number, number[]>();
  /** Tokens no longer waiting, oldest first: they take the first pipe before any new token. */
  readonly #ready: T[] = [];
  /** Indices of the pending tokens (deferred or ready). */
  readonly #pending = new Set<number>();

  /** Pending tokens: deferred or ready. They hold no line. */
  get size(): number { return this.#pending.size; }
  /** Ready tokens not yet taken back to the first pipe. */
  get ready(): number { return this.#ready.length; }

  /** The oldest ready token, taken (it stays pending until it passes). */
  takeReady(): T | undefined { return this.#ready.shift(); }

  /**
   * Token `token` went through the first pipe and named the tokens `on` (pf.defer). Tokens below `next`
   * went through the first pipe at least once; those not pending among them have passed. `end` is the
   * number of tokens the source produced once it is exhausted, else Infinity.
   */
  defer(token: T, on: ReadonlySet<number>, next: number, end: number): DeferOutcome {
    const i = token.index;
    if (on.has(i)) return { kind: 'self' };
    const live = new Set<number>();
    for (const d of on) {
      if (d >= end) return { kind: 'beyond', on: d, end };
      if (d >= next || this.#pending.has(d)) live.add(d);   // else d passed: nothing to wait for
    }
    if (live.size === 0) return { kind: 'rerun' };
    const path = this.#cycle(i, live);
    if (path !== undefined) return { kind: 'cycle', path };
    this.#waiting.set(i, { token, on: live });
    this.#pending.add(i);
    for (const d of live) {
      const list = this.#waiters.get(d);
      if (list === undefined) this.#waiters.set(d, [i]);
      else list.push(i);
    }
    return { kind: 'deferred' };
  }

  /** Token `index` passed the first pipe: deferred tokens that waited only for it become ready, in the order they deferred. */
  passed(index: number): void {
    this.#pending.delete(index);
    const list = this.#waiters.get(index);
    if (list === undefined) return;
    this.#waiters.delete(index);
    for (const w of list) {
      const entry = this.#waiting.get(w)!;
      entry.on.delete(index);
      if (entry.on.size === 0) {
        this.#waiting.delete(w);
        this.#ready.push(entry.token);
      }
    }
  }

  /** A deferred token that waits for a token at or past `end` (the source produced `end` tokens): [it, that token]. */
  beyond(end: number): [number, number] | undefined {
    for (const [i, { on }] of this.#waiting) for (const d of on) if (d >= end) return [i, d];
    return undefined;
  }

  /** The deferred token that deferred first (for an error naming one), or -1. */
  firstWaiting(): number {
    for (const i of this.#waiting.keys()) return i;
    return -1;
  }

  /**
   * The cycle token i would close by waiting for `on`: a path i → … → i through deferred tokens, or
   * undefined. Only a token something waits for can close one, so most deferrals skip the walk.
   */
  #cycle(i: number, on: ReadonlySet<number>): number[] | undefined {
    if (!this.#waiters.has(i)) return undefined;
    const from = new Map<number, number>();   // token → the token whose wait led to it (the walk's tree)
    const stack: number[] = [];
    for (const d of on) { from.set(d, i); stack.push(d); }
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (d === i) {
        const path = [i];
        for (let at = from.get(i)!; at !== i; at = from.get(at)!) path.push(at);
        return [...path, i].reverse();
      }
      for (const e of this.#waiting.get(d)?.on ?? []) {
        if (!from.has(e)) { from.set(e, d); stack.push(e); }
      }
    }
    return undefined;
  }
}
