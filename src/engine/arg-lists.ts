// Argument lists lent for one call. executor.async(fn, a) hands its arguments to Tasks.async as a list,
// which writes them into the task record and keeps nothing (its backlog path copies what it keeps). A
// list made per call is garbage at once, and on a burst of calls that garbage paces the young-generation
// collections, each of which copies every promise still pending: with lists lent from here, a call of up
// to three arguments allocates none. Host thread only.

const NO_ARGS: readonly unknown[] = Object.freeze([]);
/** Longest list lent; a longer one is made per call. */
const MAX_LENT = 3;

export class ArgLists {
  /** One list per length 1…MAX_LENT, and whether it is out (a call made while encoding an argument, say). */
  readonly #lists: unknown[][] = Array.from({ length: MAX_LENT + 1 }, (_, n) => new Array<unknown>(n).fill(undefined));
  readonly #out: boolean[] = new Array<boolean>(MAX_LENT + 1).fill(false);

  /**
   * A list of n values for the caller to fill: a lent one, or a new one when none of that length is in;
   * none at all (n ≤ 0) is the shared empty list, which the caller must not write. give() returns it.
   * The caller copies its `arguments` into it by index in its own body: passed to a function that is not
   * inlined, `arguments` is materialized, an object per call (about 0.1 µs in Firefox).
   */
  lend(n: number): unknown[] {
    if (n <= 0) return NO_ARGS as unknown[];
    if (n <= MAX_LENT && !this.#out[n]) { this.#out[n] = true; return this.#lists[n]; }
    return new Array<unknown>(n);
  }

  /** Takes back a list lend() lent (its values cleared, so it holds nothing alive); any other is ignored. */
  give(args: readonly unknown[]): void {
    const n = args.length;
    if (n === 0 || n > MAX_LENT || args !== this.#lists[n]) return;
    const list = this.#lists[n];
    for (let i = 0; i < n; i++) list[i] = undefined;
    this.#out[n] = false;
  }
}
